"""The frozen LLM policy: observation -> chat messages -> model -> code.

The prompt is built by `policies.render.render_messages` from a system
prompt template; the action is the code in the reply (fenced blocks), or the
whole reply when it has none. The model is asked with role "agent".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from envs.contract import CodeBlocks, EnvProfile, Observation
from policies.base import ChatPolicy
from policies.llm.abandon import OPENING_FENCE
from policies.llm.base import ChatModel, ChatReply, Message, max_tokens_that_fit
from policies.llm.reasoning import split_reasoning
from policies.render import load_prompt, render_messages

_FENCE = re.compile(OPENING_FENCE + r"(.*?)(?:```|\Z)", re.DOTALL | re.IGNORECASE)


def extract_action(reply: str, code_blocks: CodeBlocks = "join") -> tuple[str, str]:
    """(action, how it was found) from a model reply.

    Fenced blocks are taken ("join": all of them in order, for step-by-step
    code; "longest": the longest one, for whole scripts). A block cut off by
    max_tokens counts up to the end of the reply. A leading <think> block is
    dropped first. With no fence at all, the whole reply is the action.
    """
    text, _ = split_reasoning(reply, None)
    blocks = [block.strip("\n") for block in _FENCE.findall(text) if block.strip()]
    if not blocks:
        return text.strip(), "whole_reply"
    if code_blocks == "longest":
        return max(blocks, key=len), "code_block"
    return "\n\n".join(blocks), "code_block"


class LLMPolicy(ChatPolicy):
    """A frozen chat model acting through code.

    Seeds: every call gets `episode_seed + turn`, where the episode seed is
    the one given to `reset` or else `seed`; so a seeded episode replays
    exactly (and hits a replay recording) while turns still differ.
    """

    def __init__(
        self,
        model: ChatModel,
        system_prompt: str,
        *,
        temperature: float = 0.0,
        max_tokens: int = 512,
        stop: Sequence[str] = (),
        seed: int | None = 0,
        code_blocks: CodeBlocks = "join",
        role: str = "agent",
    ) -> None:
        if code_blocks not in ("join", "longest"):
            raise ValueError(f"code_blocks must be 'join' or 'longest', got {code_blocks!r}")
        self.model = model
        self.system_prompt = system_prompt
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.stop = tuple(stop)
        self.seed = seed
        self.code_blocks: CodeBlocks = code_blocks
        self.role = role
        self._episode_seed = seed
        self._turn = 0
        self._info: dict[str, Any] = {}

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any], model: ChatModel, profile: EnvProfile) -> LLMPolicy:
        """From a `policy` config node: `sampling`, optional `prompt` and `code_blocks`.

        Unset `prompt`/`code_blocks` follow the env's profile (envs.contract.EnvProfile).
        """
        prompt = cfg.get("prompt") or profile.system_prompt
        code_blocks = cfg.get("code_blocks") or profile.code_blocks
        sampling = dict(cfg.get("sampling") or {})
        unknown = set(sampling) - {"temperature", "max_tokens", "stop", "seed"}
        if unknown:
            raise ValueError(
                f"unknown sampling option(s) {sorted(unknown)}; known: temperature, max_tokens, stop, seed"
            )
        sampling = {key: value for key, value in sampling.items() if value is not None or key == "seed"}
        if "stop" in sampling:
            sampling["stop"] = tuple(sampling["stop"])
        return cls(
            model,
            load_prompt(prompt),
            code_blocks=code_blocks,
            **sampling,
        )

    def reset(self, *, seed: int | None = None) -> None:
        self._episode_seed = seed if seed is not None else self.seed
        self._turn = 0
        self._info = {}

    def messages(self, observation: Observation) -> list[Message]:
        return render_messages(observation, self.system_prompt)

    def parse(self, reply: str) -> str:
        return extract_action(reply, self.code_blocks)[0]

    def act(self, observation: Observation) -> str:
        messages = self.messages(observation)
        seed = None if self._episode_seed is None else self._episode_seed + self._turn
        self._turn += 1
        max_tokens = max_tokens_that_fit(self.model, messages, self.max_tokens)
        reply = self.model.chat(
            messages, temperature=self.temperature, max_tokens=max_tokens, stop=self.stop, seed=seed, role=self.role
        )[0]
        action, source = extract_action(reply.text, self.code_blocks)
        self._info = _reply_info(reply, action_source=source, seed=seed)
        return action

    def step_info(self) -> dict[str, Any]:
        return dict(self._info)


def _reply_info(reply: ChatReply, **more: Any) -> dict[str, Any]:
    return {
        "reply": reply.text,
        "role": reply.role,
        "prompt_tokens": reply.usage.prompt_tokens,
        "completion_tokens": reply.usage.completion_tokens,
        "latency_s": reply.latency_s,
        "finish_reason": reply.finish_reason,
        **more,
    }
