"""Per-episode accounting of LLM calls, tokens and model time by role.

The model client is shared by every episode of a run; each episode gets its
own `Accountant` and a `MeteredModel` view of the shared client that records
every reply into it. Wrappers ask with their own role (summarizer, corrector,
...), so `info` can say what each strategy cost.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from policies.llm.base import ChatModel, ChatReply, ChatRequest, Message


@dataclass
class RoleCost:
    calls: int = 0
    samples: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model_time_s: float = 0.0

    def add(self, reply: ChatReply, new_call: bool) -> None:
        self.calls += int(new_call)
        self.samples += 1
        self.prompt_tokens += reply.usage.prompt_tokens
        self.completion_tokens += reply.usage.completion_tokens
        if new_call:
            self.model_time_s += reply.latency_s


class Accountant:
    """Sums the cost of the replies of one episode, per role. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.by_role: dict[str, RoleCost] = {}

    def record(self, replies: Sequence[ChatReply]) -> None:
        """Record the replies of one call (n samples share one call's latency)."""
        with self._lock:
            for i, reply in enumerate(replies):
                self.by_role.setdefault(reply.role, RoleCost()).add(reply, new_call=i == 0)

    def total(self) -> RoleCost:
        with self._lock:
            out = RoleCost()
            for cost in self.by_role.values():
                out.calls += cost.calls
                out.samples += cost.samples
                out.prompt_tokens += cost.prompt_tokens
                out.completion_tokens += cost.completion_tokens
                out.model_time_s += cost.model_time_s
            return out

    def to_dict(self) -> dict[str, Any]:
        with self._lock:
            roles = {role: vars(cost).copy() for role, cost in sorted(self.by_role.items())}
        return {"by_role": roles, "total": vars(self.total()).copy()}


class MeteredModel(ChatModel):
    """A view of a shared model that records every reply in one accountant."""

    def __init__(self, model: ChatModel, accountant: Accountant) -> None:
        self.model = model
        self.accountant = accountant
        self.name = model.name
        self.context_window = model.context_window

    def chat(self, messages: Sequence[Message], **kwargs: Any) -> list[ChatReply]:
        replies = self.model.chat(messages, **kwargs)
        self.accountant.record(replies)
        return replies

    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:  # pragma: no cover
        raise NotImplementedError("MeteredModel delegates through chat()")

    def count_tokens(self, text: str) -> int:
        return self.model.count_tokens(text)

    def count_message_tokens(self, messages: Sequence[Message]) -> int:
        return self.model.count_message_tokens(messages)
