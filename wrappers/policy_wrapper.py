"""PolicyWrapper: the base of policy wrappers, in the spirit of gymnasium.Wrapper.

A policy wrapper holds the wrapped policy and a `RoleClient` for its own
calls. To ask the model it needs the agent's prompt and reply parser: a
wrapped `ChatPolicy` (the LLM policy, or another policy wrapper) lends its
`messages(observation)` and `parse(reply)`; any other policy needs the
`system_prompt` template named in the wrapper's config, and replies are then
read with `extract_action` (every fenced block, in order). A wrapper is itself
a `ChatPolicy`, so wrappers stack.
"""

from __future__ import annotations

from collections.abc import Sequence
from string import Template
from typing import Any

from envs.contract import Observation
from policies.base import ChatPolicy, Policy
from policies.llm.base import ChatModel, Message
from policies.llm_policy import extract_action
from policies.render import load_prompt as load_agent_prompt
from policies.render import render_messages
from wrappers.info import with_wrapper_info
from wrappers.prompts import load_prompt
from wrappers.role_client import RoleClient


def fill_prompt(name: str, **values: str) -> str:
    """A prompt template from wrappers/prompts/ with its $placeholders filled."""
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


class PolicyWrapper(ChatPolicy):
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
        if isinstance(policy, ChatPolicy):
            self.system_prompt = policy.system_prompt
        elif system_prompt:
            self.system_prompt = load_agent_prompt(system_prompt)
        else:
            raise ValueError(
                f"{self.name} asks the model with the agent's prompt, but {type(policy).__name__} is not a "
                "ChatPolicy: wrap an LLMPolicy or set `system_prompt` (a template name) in the wrapper config"
            )
        self._report: dict[str, Any] = {}

    # -- the agent's prompt, shared by every wrapper of the stack --------------
    def messages(self, observation: Observation) -> list[Message]:
        if isinstance(self.policy, ChatPolicy):
            return self.policy.messages(observation)
        return render_messages(observation, self.system_prompt)

    def parse(self, reply: str) -> str:
        if isinstance(self.policy, ChatPolicy):
            return self.policy.parse(reply)
        return extract_action(reply)[0]

    # -- Policy -----------------------------------------------------------------
    def reset(self, *, seed: int | None = None) -> None:
        self.policy.reset(seed=seed)
        self.client.reset(seed)
        self._report = {}

    def step_info(self) -> dict[str, Any]:
        return with_wrapper_info(self.policy.step_info(), self.name, {**self._report, "cost": self.client.report()})
