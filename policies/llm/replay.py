"""Record once, replay forever: model replies stored in a JSONL file.

`Recording` wraps any model and appends one line per request:
{"key", "request", "replies"}. `Replay` serves those replies for the same
request (same messages, n, temperature, max_tokens, stop, seed; the asking
role is not part of the key, so a recording made under one role name
replays under another). Replies keep their recorded usage and latency, so
cost reports of a replayed run match the recorded run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import threading
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from policies.llm.base import ChatModel, ChatReply, ChatRequest, LLMError, Message


def request_key(request: ChatRequest) -> str:
    """Stable hash of everything that determines the reply (not the role)."""
    canonical = json.dumps(request.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def ask(model: ChatModel, request: ChatRequest, role: str) -> list[ChatReply]:
    """Send a prepared request through `model`'s public `chat`."""
    return model.chat(
        list(request.messages),
        n=request.n,
        temperature=request.temperature,
        max_tokens=request.max_tokens,
        stop=list(request.stop),
        seed=request.seed,
        role=role,
        tool=request.tool,
    )


class _JsonlAppender:
    """Appends records to a JSONL file, one flushed and fsync'd line each."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()

    def append(self, request: ChatRequest, replies: Sequence[ChatReply], context_window: int) -> None:
        line = json.dumps(
            {
                "key": request_key(request),
                "request": request.to_dict(),
                "replies": [reply.to_dict() for reply in replies],
                "context_window": context_window,
            },
            ensure_ascii=False,
        )
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())


class _CountsLike(ChatModel):
    """Takes name, context window and token counting from another model.

    Budgets decided from token counts (the policy's max_tokens cap, the
    summarizer's trigger) shape later requests, so a replay must count
    like the recorded model did to ask the same requests.
    """

    def __init__(self, counter: ChatModel | None) -> None:
        self.counter = counter
        if counter is not None:
            self.name = counter.name
            self.context_window = counter.context_window

    def count_tokens(self, text: str) -> int:
        return self.counter.count_tokens(text) if self.counter else super().count_tokens(text)

    def count_message_tokens(self, messages: Sequence[Message]) -> int:
        if self.counter is None:
            return super().count_message_tokens(messages)
        return self.counter.count_message_tokens(messages)


class Recording(_CountsLike):
    """Any model, with every request and its replies appended to a JSONL file."""

    def __init__(self, model: ChatModel, path: str | Path) -> None:
        super().__init__(model)
        self.model = model
        self._file = _JsonlAppender(Path(path))

    @property
    def path(self) -> Path:
        return self._file.path

    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:
        replies = ask(self.model, request, role)
        self._file.append(request, replies, self.model.context_window)
        return replies

    def health_check(self) -> None:
        """The recorded model's check, kept out of the recording."""
        self.model.health_check()

    def close(self) -> None:
        self.model.close()


class Replay(_CountsLike):
    """Replies from a recording; no model runs for a request it holds.

    A request recorded several times (sampling without a seed) gets its
    recorded replies in order, then the last one again. A request not in
    the recording raises `LLMError` naming the file, unless `fallback` is
    set: then the fallback model answers and the answer is appended to the
    file (with `record_misses`), so the next replay has it.
    Tokens are counted by `token_counter`, else by `fallback`, else with the
    estimate; give the recorded model as `token_counter` to replay runs
    whose requests depended on token counts. Without either, the context
    window is the recorded model's (kept with each record), so every prompt
    that fitted when recorded fits when replayed.
    """

    def __init__(
        self,
        path: str | Path,
        fallback: ChatModel | None = None,
        token_counter: ChatModel | None = None,
        record_misses: bool = True,
    ) -> None:
        super().__init__(token_counter or fallback)
        if self.counter is None:
            self.name = "replay"
        self.fallback = fallback
        self.path = Path(path)
        self._lock = threading.Lock()
        self._entries: dict[str, list[list[dict[str, Any]]]] = defaultdict(list)
        self._served: dict[str, int] = defaultdict(int)
        self._recorder = _JsonlAppender(self.path) if fallback is not None and record_misses else None
        self.misses = 0
        if self.path.is_file():
            self._load()
        elif fallback is None:
            raise LLMError(f"replay file {self.path} does not exist; record one with `record_to: {self.path}`")

    def _load(self) -> None:
        lines = self.path.read_text(encoding="utf-8").splitlines()
        windows: list[int] = []
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                self._entries[record["key"]].append(record["replies"])
                if isinstance(record.get("context_window"), int):
                    windows.append(record["context_window"])
            except (ValueError, KeyError, TypeError) as error:
                if number < len(lines):  # only a torn last line (a killed recorder) is skipped
                    raise LLMError(f"{self.path}:{number}: not a replay record: {error}") from error
        if windows and self.counter is None:
            self.context_window = max(windows)

    def __len__(self) -> int:
        return sum(len(v) for v in self._entries.values())

    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:
        key = request_key(request)
        with self._lock:
            recorded = self._entries.get(key)
            if recorded:
                index = min(self._served[key], len(recorded) - 1)
                self._served[key] += 1
                return [
                    dataclasses.replace(ChatReply.from_dict(data), role=role, extra={**data["extra"], "replayed": True})
                    for data in recorded[index]
                ]
            self.misses += 1
        if self.fallback is None:
            first = json.dumps(request.to_dict()["messages"], ensure_ascii=False)[:200]
            raise LLMError(f"request not in replay file {self.path} (key {key[:12]}); messages start: {first}")
        replies = ask(self.fallback, request, role)
        if self._recorder is not None:
            self._recorder.append(request, replies, self.fallback.context_window)
        return replies

    def health_check(self) -> None:
        """Replies come from the file; only a fallback model has to answer."""
        if self.fallback is not None:
            self.fallback.health_check()

    def close(self) -> None:
        for model in {id(m): m for m in (self.fallback, self.counter) if m is not None}.values():
            model.close()
