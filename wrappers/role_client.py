"""A wrapper's own line to the model: asks with the wrapper's role, counts its cost.

Calls are seeded like LLMPolicy's turns (episode seed + call number), so a
seeded episode asks the same requests again and replays from a recording.

Each wrapper asks the shared frozen model under its own role name, so the
run's accountant splits cost by role, and keeps its own `Accountant` so the
wrapper can report exactly what it spent in `info` / `step_info()`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from policies.llm.accounting import Accountant
from policies.llm.base import ChatModel, ChatReply, Message, max_tokens_that_fit


class RoleClient:
    def __init__(
        self,
        model: ChatModel,
        role: str,
        *,
        temperature: float = 0.0,
        max_tokens: int = 512,
        seed: int | None = 0,
    ) -> None:
        self.model = model
        self.role = role
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.seed = seed
        self._episode_seed = seed
        self._calls = 0
        self.cost = Accountant()

    def ask(self, messages: Sequence[Message], **overrides: Any) -> list[ChatReply]:
        """Chat under this client's role; `overrides` change n, temperature, ... max_tokens shrinks to what
        the context window leaves, as the agent's own turns do (LLMPolicy), and each reply comes back read
        within it (`ChatModel.chat`)."""
        kwargs: dict[str, Any] = {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "seed": None if self._episode_seed is None else self._episode_seed + self._calls,
        }
        kwargs.update(overrides)
        kwargs["max_tokens"] = max_tokens_that_fit(self.model, messages, kwargs["max_tokens"])
        self._calls += 1
        replies = self.model.chat(messages, role=self.role, **kwargs)
        self.cost.record(replies)
        return replies

    def ask_text(self, messages: Sequence[Message], **overrides: Any) -> str:
        return self.ask(messages, **overrides)[0].text

    def reset(self, seed: int | None = None) -> None:
        """Start a new episode: fresh cost, call seeds from `seed` (else the configured one)."""
        self.cost = Accountant()
        self._episode_seed = seed if seed is not None else self.seed
        self._calls = 0

    def report(self) -> dict[str, Any]:
        return self.cost.to_dict()["total"]
