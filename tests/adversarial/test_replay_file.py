"""A recording (`policy=replay`) that a hostile reply or damage made unusual is read, or refused when it is read.

Replies are recorded as the model wrote them, so they may hold any character;
a recording may also be cut by a kill or edited by hand. What the replay
cannot serve must be refused before any episode runs, naming the file and
line: served, it failed mid-episode as an IndexError, TypeError or KeyError
that the harness counts as the agent's failure.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from policies.llm.base import ChatModel, ChatReply, ChatRequest, LLMError, Usage
from policies.llm.replay import Recording, Replay

QUESTION = [{"role": "user", "content": "What next?"}]


class Answers(ChatModel):
    """Answers every request with `text`."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:
        return [ChatReply(self.text, Usage(3, 2), 0.01, role) for _ in range(request.n)]


def recorded(tmp_path: Path, text: str = "print(1)") -> Path:
    path = tmp_path / "r.jsonl"
    Recording(Answers(text), path).chat(QUESTION, n=2)
    return path


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_a_reply_holding_a_unicode_line_separator_replays(tmp_path: Path, separator: str) -> None:
    """Recordings were written unescaped (those made before still are): str.splitlines() split the record at
    the separator, and the whole recording was refused."""
    text = f"print(1){separator}print(2)"
    path = recorded(tmp_path, text)
    path.write_text(json.dumps(json.loads(path.read_text()), ensure_ascii=False) + "\n", encoding="utf-8")
    assert separator in path.read_text(encoding="utf-8")
    assert [reply.text for reply in Replay(path).chat(QUESTION, n=2)] == [text, text]


def test_a_reply_holding_a_lone_surrogate_is_recorded_and_replays(tmp_path: Path) -> None:
    """A server's JSON may escape a lone surrogate, which decodes as one; it reaches later prompts too (a plan,
    a summary). A UTF-8 file cannot hold it: recording raised UnicodeEncodeError in the model call, mid-episode,
    and wrote nothing."""
    path = tmp_path / "r.jsonl"
    text = "print(1)\ud800"
    recording = Recording(Answers(text), path)
    echoed = [{"role": "user", "content": f"The plan was: {text}"}]
    assert recording.chat(QUESTION)[0].text == recording.chat(echoed)[0].text == text
    replay = Replay(path)
    assert replay.chat(QUESTION)[0].text == replay.chat(echoed)[0].text == text


def test_a_last_line_torn_inside_a_character_is_skipped(tmp_path: Path) -> None:
    path = recorded(tmp_path)
    with path.open("ab") as handle:
        handle.write('{"key": "abc", "replies": [{"text": "é'.encode()[:-1])  # killed between é's two bytes
    assert len(Replay(path)) == 1


def _edit_reply(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def edit(record: dict[str, Any]) -> None:
        change(record["replies"][0])

    return edit


DAMAGE: dict[str, Callable[[dict[str, Any]], None]] = {
    "no_replies": lambda record: record.update(replies=[]),
    "fewer_replies_than_asked": lambda record: record["replies"].pop(),
    "replies_not_a_list": lambda record: record.update(replies={"text": "x"}),
    "reply_not_an_object": lambda record: record.update(replies=["x", "y"]),
    "text_not_a_string": _edit_reply(lambda reply: reply.update(text=["print(1)"])),
    "text_missing": _edit_reply(lambda reply: reply.pop("text")),
    "extra_not_an_object": _edit_reply(lambda reply: reply.update(extra=[1])),
    "usage_not_counts": _edit_reply(lambda reply: reply.update(usage={"prompt_tokens": "3", "completion_tokens": 2})),
    "latency_not_a_number": _edit_reply(lambda reply: reply.update(latency_s="slow")),
    "latency_past_floats_range": _edit_reply(lambda reply: reply.update(latency_s=10**400)),
    # finite, but two such episodes made the run's summary overflow (math.fsum) after its last episode
    "latency_of_1e308": _edit_reply(lambda reply: reply.update(latency_s=1e308)),
    "latency_negative": _edit_reply(lambda reply: reply.update(latency_s=-5.0)),
    "context_window_not_positive": lambda record: record.update(context_window=0),
    # served under its old key, the edit silently changed nothing
    "request_edited_under_its_key": lambda record: record["request"]["messages"][0].update(content="Other?"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_record_is_refused_when_the_file_is_read(tmp_path: Path, damage: str) -> None:
    path = recorded(tmp_path)
    record = json.loads(path.read_text())
    DAMAGE[damage](record)
    path.write_text(json.dumps(record) + "\n" + path.read_text())  # damaged line first, so never taken as torn
    with pytest.raises(LLMError, match=r"r\.jsonl:1: not a replay record"):
        Replay(path)


def test_a_line_nested_past_the_decoders_depth_is_refused_naming_it(tmp_path: Path) -> None:
    path = recorded(tmp_path)
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n" + path.read_text())
    with pytest.raises(LLMError, match=r"r\.jsonl:1: not a replay record"):
        Replay(path)
