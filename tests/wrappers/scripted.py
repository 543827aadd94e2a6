"""ScriptedModel: a real ChatModel whose replies are scripted per role.

Scripts are either a list of reply texts (consumed in order, one per sample)
or a function (messages, n) -> n texts. Every request is recorded with its
role so tests can check who asked what.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence

from policies.llm.base import ChatModel, ChatReply, ChatRequest, LLMError, Message, Usage

ScriptFn = Callable[[Sequence[Message], int], list[str]]
Script = Sequence[str] | ScriptFn


class ScriptedModel(ChatModel):
    name = "scripted"

    def __init__(self, scripts: Mapping[str, Script], context_window: int = 32_768) -> None:
        self.context_window = context_window
        self._functions = {role: s for role, s in scripts.items() if callable(s)}
        self._queues = {role: deque(s) for role, s in scripts.items() if not callable(s)}
        self.requests: list[tuple[str, ChatRequest]] = []

    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:
        self.requests.append((role, request))
        if role in self._functions:
            texts = list(self._functions[role](request.messages, request.n))
        elif role in self._queues:
            queue = self._queues[role]
            if len(queue) < request.n:
                raise LLMError(f"scripted replies for role {role!r} exhausted")
            texts = [queue.popleft() for _ in range(request.n)]
        else:
            raise LLMError(f"no script for role {role!r}")
        prompt_tokens = self.count_message_tokens(request.messages)
        return [
            ChatReply(
                text=text,
                usage=Usage(prompt_tokens, self.count_tokens(text)),
                latency_s=0.001,
                role=role,
                model=self.name,
            )
            for text in texts[: request.n]
        ]

    def calls(self, role: str) -> list[ChatRequest]:
        return [request for r, request in self.requests if r == role]


def fenced(code: str) -> str:
    """A reply that holds `code` in a python fence, as chat models write it."""
    return f"Here is the code.\n```python\n{code}\n```"
