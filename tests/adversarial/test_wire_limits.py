"""wire.problem's quick pass (counting brackets over the whole line) gives the same verdict as the full scan
of the structure outside strings, on honest messages and on hostile lines built to sit at every limit; and
the env's frames to its worker carry messages exactly."""

from __future__ import annotations

import io
import json
import random
import re

import pytest

from envs.sandbox import wire

_STRING = re.compile(rb'"[^"]*"')


def reference_problem(line: bytes, max_bytes: int = wire.MAX_MESSAGE_BYTES) -> str | None:
    """The full scan, always: strings removed by a regex, values counted, nesting peeled level by level."""
    if len(line) > max_bytes:
        return f"{len(line):,} bytes, over the {max_bytes:,} byte limit"
    structure = _STRING.sub(b"", line.replace(b"\\\\", b"").replace(b'\\"', b""))
    values = structure.count(b",") + structure.count(b"[") + structure.count(b"{")
    if values > wire.MAX_VALUES:
        return f"over {wire.MAX_VALUES:,} values"
    brackets = structure.translate(bytes.maketrans(b"{}", b"[]"), bytes(b for b in range(256) if b not in b"[]{}"))
    if len(brackets) // 2 <= wire.MAX_DEPTH:
        return None
    for _ in range(wire.MAX_DEPTH):
        shorter = brackets.replace(b"[]", b"")
        if not shorter:
            return None
        if len(shorter) == len(brackets):
            break
        brackets = shorter
    return f"lists or objects nested more than {wire.MAX_DEPTH} deep"


def nested(depth: int, inner: object = 1) -> object:
    value = inner
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


def random_value(rng: random.Random, depth: int) -> object:
    kind = rng.randrange(6 if depth < 40 else 3)
    if kind == 0:
        return rng.choice([None, True, 1.5, -3, "x"])
    if kind == 1:
        return "".join(rng.choice('ab[]{},"\\: \u00e9\n') for _ in range(rng.randrange(12)))
    if kind == 2:
        return rng.randrange(10**6)
    if kind in (3, 4):
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {str(i): random_value(rng, depth + 1) for i in range(rng.randrange(4))}


HONEST = [
    {"op": "reply", "ok": True, "value": [{"id": i, "tags": ["a", "b"], "note": "[{x}]"} for i in range(n)], "seq": 3}
    for n in (0, 13, 20, 200)
] + [
    {"op": "done", "seq": 1, "output": str([{"alarm": i, "days": ["mon"]} for i in range(n)]), "ok": True}
    for n in (1, 13, 40)
]
HOSTILE = [
    b"[" * 100_000 + b"\n",
    b"[" * 33 + b"]" * 33,  # 33 deep: just over
    b"[" * 32 + b"]" * 32,  # 32 deep: just within
    b'["' + b"[" * 200 + b'"]',  # brackets that are only inside a string
    b'["\\"' + b"[" * 70 + b'"]',  # ... after an escaped quote
    b'["\\\\"' + b"[" * 70 + b'"]',  # ... after an escaped backslash: the string ended, these brackets count
    b"]" * 70,  # unbalanced: closing only
    b'"' + b"[" * 70,  # an unpaired quote hides what follows
    b"{}, " * 62_501,  # the values limit reached exactly ...
    b"{}, " * 62_502,  # ... and passed
    b"[" + b'"a",' * 62_400 + b"1]",  # the line is longer than MAX_VALUES bytes, values within
    b"[" + b"1," * 125_001 + b"1]",  # values over, no nesting
    b"\xff\xfe{]\n",
]


@pytest.mark.parametrize("message", HONEST, ids=lambda m: f"{m['op']}")
def test_honest_messages_get_the_full_scans_verdict(message: dict) -> None:
    line = wire.encode(message)
    assert wire.problem(line) == reference_problem(line) is None


@pytest.mark.parametrize("line", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("max_bytes", [wire.MAX_MESSAGE_BYTES, 2**40])
def test_hostile_lines_get_the_full_scans_verdict(line: bytes, max_bytes: int) -> None:
    assert wire.problem(line, max_bytes) == reference_problem(line, max_bytes)


def test_random_and_deep_messages_get_the_full_scans_verdict() -> None:
    rng = random.Random(22)
    lines = [wire.encode({"op": "call", "args": [random_value(rng, 0)]}) for _ in range(400)]
    lines += [
        wire.encode({"op": "call", "args": [nested(depth, "[" * extra)]})
        for depth in range(26, 36)
        for extra in (0, 80)
    ]
    lines += [json.dumps(nested(depth)).encode()[: rng.randrange(1, 200)] for depth in range(30, 70, 3)]  # cut short
    verdicts = {wire.problem(line) for line in lines}
    assert None in verdicts and any(v and "nested" in v for v in verdicts)  # both sides of the limit were tried
    for line in lines:
        assert wire.problem(line) == reference_problem(line), line[:200]


def read_all(stream: bytes) -> list[object]:
    """Every message read_frame finds in `stream`, in order, up to its first None."""
    reader, messages = io.BufferedReader(io.BytesIO(stream)), []
    while (message := wire.read_frame(reader)) is not None:
        messages.append(message)
    return messages


def test_frames_carry_plain_messages_exactly_and_in_order() -> None:
    """What the env sends its worker (code, API replies) arrives as it was sent, value for value, whatever
    the frames hold; the header says where each ends."""
    rng = random.Random(11)
    values = [random_value(rng, 0) for _ in range(200)] + [nested(31), nested(500), [{}] * 300_000]
    messages = [{"op": "reply", "ok": True, "value": value, "error": "", "seq": 7} for value in values]
    messages.append({"op": "exec", "code": "print('\u6771\u4eac', '\ud800')\n" * 50, "name": "<step 1>", "seq": 8})
    assert read_all(b"".join(map(wire.frame, messages))) == messages


def test_a_frame_cut_short_reads_as_the_env_gone() -> None:
    whole = wire.frame({"op": "exec", "code": "x = 1", "seq": 1})
    assert [read_all(whole[:cut]) for cut in (0, 2, wire.FRAME_HEADER, len(whole) - 1)] == [[]] * 4


@pytest.mark.parametrize("value", [object(), nested(5_000)], ids=["not plain data", "nested past marshal's limit"])
def test_a_value_that_cannot_be_framed_raises_value_error(value: object) -> None:
    with pytest.raises(ValueError):
        wire.frame({"op": "reply", "ok": True, "value": value, "error": "", "seq": 1})
