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
import math
import os
import threading
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from policies.llm.base import MAX_LATENCY_S, ChatModel, ChatReply, ChatRequest, LLMError, Message, is_token_count


def request_key(request: ChatRequest) -> str:
    """Stable hash of everything that determines the reply (not the role)."""
    return _digest(request.to_dict())


def _digest(request: Mapping[str, Any]) -> str:
    """SHA-256 of a request's canonical JSON. A lone surrogate (a server's JSON escape, decoded, then echoed in a
    later prompt) is hashed as its code point, not refused by UTF-8."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


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


def _reply(data: Any) -> ChatReply:
    """One recorded reply, with the types everything downstream relies on (text a string, usage whole counts,
    latency seconds from 0 to MAX_LATENCY_S, extra a mapping), and unjudged: a replayed reply is judged again
    (ChatReply)."""
    if not isinstance(data, Mapping):
        raise ValueError(f"a reply must be an object, got {type(data).__name__}")
    try:
        reply = ChatReply.from_dict(data)
    except TypeError as error:
        raise ValueError(f"not a reply: {error}") from None
    latency = reply.latency_s
    if not (
        isinstance(reply.text, str)
        and is_token_count(reply.usage.prompt_tokens)
        and is_token_count(reply.usage.completion_tokens)
        and isinstance(latency, (int, float))
        and not isinstance(latency, bool)
        and math.isfinite(latency)
        and 0 <= latency <= MAX_LATENCY_S
        and isinstance(reply.finish_reason, (str, type(None)))
        and isinstance(reply.model, str)
        and isinstance(reply.extra, Mapping)
        and reply.judged_by is None
    ):
        raise ValueError(f"a reply field has the wrong type: {str(data)[:200]}")
    return reply


def _record(record: Any) -> tuple[str, list[ChatReply], int | None]:
    """(key, replies, context window) of one line, checked when the file is read: a damaged record used to
    be served, and failed mid-episode as a KeyError, TypeError or IndexError counted as the agent's."""
    if not isinstance(record, Mapping) or not isinstance(record.get("key"), str):
        raise ValueError("not an object with a string 'key'")
    replies, request = record.get("replies"), record.get("request")
    if not isinstance(request, Mapping) or _digest(request) != record["key"]:
        # a request edited by hand was served under its old key: the edit silently changed nothing
        raise ValueError("'key' is not the SHA-256 of its 'request' (was the request edited?)")
    n = request.get("n")
    if not isinstance(replies, list) or not replies or len(replies) != n:
        raise ValueError(f"'replies' must be a list of the request's n replies (n = {n!r})")
    window = record.get("context_window")
    if window is not None and not (is_token_count(window) and window > 0):
        raise ValueError(f"'context_window' must be a whole number > 0, got {window!r}")
    return record["key"], [_reply(data) for data in replies], window


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
            }
        )  # ASCII, escapes and all: a reply may hold a lone surrogate, which a UTF-8 file cannot hold
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
        self._entries: dict[str, list[list[ChatReply]]] = defaultdict(list)
        self._served: dict[str, int] = defaultdict(int)
        self._recorder = _JsonlAppender(self.path) if fallback is not None and record_misses else None
        self.misses = 0
        if self.path.is_file():
            self._load()
        elif fallback is None:
            raise LLMError(f"replay file {self.path} does not exist; record one with `record_to: {self.path}`")

    def _load(self) -> None:
        """Read every record. Lines end at newlines only: recordings were written unescaped, and a reply holding
        U+2028 or U+0085, which str.splitlines() splits at, made such a recording unreadable.
        Only a last line that is not JSON (a killed recorder, maybe torn inside a character) is skipped."""
        lines = self.path.read_bytes().split(b"\n")
        if not lines[-1]:
            lines.pop()  # the file ends with a newline
        windows: list[int] = []
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line.decode("utf-8"))
            except (ValueError, RecursionError) as error:  # a UnicodeDecodeError is a ValueError
                if number == len(lines):
                    continue
                raise LLMError(f"{self.path}:{number}: not a replay record: {error}") from error
            try:
                key, replies, window = _record(record)
            except (ValueError, OverflowError) as error:  # OverflowError: a latency of 10**400 (math.isfinite)
                raise LLMError(f"{self.path}:{number}: not a replay record: {error}") from error
            self._entries[key].append(replies)
            if window is not None:
                windows.append(window)
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
                    dataclasses.replace(reply, role=role, extra={**reply.extra, "replayed": True})
                    for reply in recorded[index]
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
