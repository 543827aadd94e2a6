"""PolicyWrapper: the base of policy wrappers, in the spirit of gymnasium.Wrapper.

A policy wrapper holds the wrapped policy and a `RoleClient` for its own
calls. To ask the model it needs the agent's prompt and reply parser: it uses
the wrapped policy's `messages(observation)` and `parse(text)` when it has
them, else renders the observation with `policies.render.render_messages` and
the policy's `system_prompt` (or the `system_prompt` template named in the
wrapper's config) and reads the code with `extract_action` and the policy's
`code_blocks` rule (LLMPolicy: "join" for ToolWorld, "longest" for MLE).
"""

from __future__ import annotations

from string import Template
from typing import Any, Mapping, Sequence

from policies.base import Policy
from policies.llm.base import ChatModel, Message
from policies.llm_policy import extract_action
from policies.render import load_prompt, render_messages
from wrappers.info import with_wrapper_info
from wrappers.role_client import RoleClient


def fill_prompt(name: str, **values: str) -> str:
    """A prompt template from policies/prompts/ with its $placeholders filled."""
    return Template(load_prompt(name)).substitute(values)


def with_user_turn(messages: Sequence[Message], text: str) -> list[dict[str, str]]:
    """Add a user request; merged into a trailing user message, because some
    chat templates refuse two user messages in a row."""
    out = [dict(m) for m in messages]
    if out and out[-1]["role"] == "user":
        out[-1]["content"] = f"{out[-1]['content']}\n\n{text}"
    else:
        out.append({"role": "user", "content": text})
    return out


class PolicyWrapper(Policy):
    name = "policy_wrapper"

    def __init__(
        self,
        policy: Policy,
        model: ChatModel,
        *,
        temperature: float = 0.0,
        max_tokens: int = 512,
        system_prompt: str | None = None,
    ) -> None:
        if not isinstance(policy, Policy):
            raise TypeError(f"{self.name} wraps a Policy, got {type(policy).__name__}")
        self.policy = policy
        self.model = model
        self.client = RoleClient(model, self.name, temperature=temperature, max_tokens=max_tokens)
        self._system_prompt = self._resolve_system_prompt(policy, system_prompt)
        self._report: dict[str, Any] = {}

    def _resolve_system_prompt(self, policy: Policy, template: str | None) -> str | None:
        if callable(getattr(policy, "messages", None)):
            return None  # the wrapped policy renders its own prompt
        if template:
            return load_prompt(template)
        text = getattr(policy, "system_prompt", None)
        if isinstance(text, str):
            return text
        raise ValueError(
            f"{self.name} asks the model with the agent's prompt, but {type(policy).__name__} has no "
            "messages()/system_prompt: wrap an LLMPolicy or set `system_prompt` (a template name) in the wrapper config"
        )

    # -- the agent's prompt, shared by every wrapper of the stack --------------
    def messages(self, observation: Mapping[str, Any]) -> list[Message]:
        if self._system_prompt is None:
            return list(self.policy.messages(observation))  # type: ignore[attr-defined]
        return render_messages(observation, self._system_prompt)

    def parse(self, text: str) -> str:
        inner = getattr(self.policy, "parse", None)
        if callable(inner):
            return inner(text)
        return extract_action(text, getattr(self.policy, "code_blocks", "join"))[0]

    # -- Policy -----------------------------------------------------------------
    def reset(self, *, seed: int | None = None) -> None:
        self.policy.reset(seed=seed)
        self.client.reset(seed)
        self._report = {}

    def step_info(self) -> dict[str, Any]:
        return with_wrapper_info(self.policy.step_info(), self.name, {**self._report, "cost": self.client.report()})
