"""The protocol between the env and its sandboxed worker: JSON lines from the worker, marshal frames to it.

Agent code shares the worker's process, so it can write any bytes to the
worker's end of the pipe: the env treats every line as hostile. A line is
decoded only after cheap checks on its raw bytes (size, number of values,
nesting depth), so no message can make the env recurse, or build a huge
object graph, before a handler sees it. The worker checks its own outgoing
calls the same way, so an honest agent gets a clear error in its code rather
than a killed worker.

The other way, the worker trusts its env, so what the env sends (code to run, API replies) goes as a
length-prefixed marshal frame: decoding a page of results takes the worker ~2.5x less time than JSON would,
and every API call a step makes waits on that decoding. marshal is never used on bytes from the worker.

Standard library only: the worker loads this module by path before any agent code runs.
"""

from __future__ import annotations

import io  # loaded at every interpreter start: importing it costs nothing
import json
import marshal
import re  # no typing: it would add ~5 ms to every worker start

#: One message's bytes. The API caps one call's arguments at 200,000 characters plus values; escaped as JSON
#: (ensure_ascii) a character takes at most 12 bytes, so an honest call stays under ~2.5 MB.
MAX_MESSAGE_BYTES = 4 * 2**20
#: Lists and objects nested in one message: the API accepts arguments 8 deep, inside a call's 2 levels.
MAX_DEPTH = 32
#: Values (a comma or an opening bracket outside strings each counts one) in one message: bounds the objects
#: decoding builds, e.g. a few MB of `[{}, {}, ...]` would otherwise become millions of dicts.
MAX_VALUES = 250_000
FRAME_HEADER = 4  # bytes giving the length of an env-to-worker frame's payload

_STRING = re.compile(rb'"[^"]*"')  # once escaped backslashes and quotes are gone, a string holds no quote
_BRACKETS = bytes.maketrans(b"{}", b"[]")  # depth is the same whichever bracket opens a level
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


class ProtocolError(ValueError):
    """A line that is not a message the peer could have sent honestly."""


def encode(message: dict[str, object]) -> bytes:
    """One line; raises TypeError/ValueError for non-JSON values and RecursionError for runaway nesting."""
    return (json.dumps(message) + "\n").encode()


def frame(message: dict[str, object]) -> bytes:
    """One env-to-worker message: its payload's length (FRAME_HEADER bytes), then the payload, marshal's
    encoding of `message`. Raises ValueError for a value marshal cannot encode or nests past its own limit."""
    payload = marshal.dumps(message)
    return len(payload).to_bytes(FRAME_HEADER, "little") + payload


def read_frame(reader: io.BufferedReader) -> dict[str, object] | None:
    """The next message `frame` wrote to `reader` (a blocking buffered reader), or None once the env is gone."""
    header = reader.read(FRAME_HEADER)
    if len(header) < FRAME_HEADER:
        return None
    size = int.from_bytes(header, "little")
    payload = reader.read(size)
    return marshal.loads(payload) if len(payload) == size else None


def problem(line: bytes, max_bytes: int = MAX_MESSAGE_BYTES) -> str | None:
    """Why `line` (one encoded message) is over the limits, or None; never recurses, never decodes."""
    if len(line) > max_bytes:
        return f"{len(line):,} bytes, over the {max_bytes:,} byte limit"
    # Counted on the whole line, strings included, values and brackets can only be more: when even those
    # are within the limits (most messages: a call, a short page of results), so is the line, found in one pass.
    if len(line) <= MAX_VALUES and len(line.translate(_BRACKETS, _NOT_BRACKET)) // 2 <= MAX_DEPTH:
        return None
    if b"\\" in line:
        line = line.replace(b"\\\\", b"").replace(b'\\"', b"")
    structure = _STRING.sub(b"", line)
    values = structure.count(b",") + structure.count(b"[") + structure.count(b"{")
    if values > MAX_VALUES:
        return f"over {MAX_VALUES:,} values"
    brackets = structure.translate(_BRACKETS, _NOT_BRACKET)
    if len(brackets) // 2 <= MAX_DEPTH:
        return None  # too few brackets to nest deeper
    # bytes.replace never rescans what it joined, so each pass removes exactly the innermost level
    for _ in range(MAX_DEPTH):
        shorter = brackets.replace(b"[]", b"")
        if not shorter:
            return None
        if len(shorter) == len(brackets):
            break  # unbalanced: no decoder would accept it either
        brackets = shorter
    return f"lists or objects nested more than {MAX_DEPTH} deep"


def decode(line: bytes, max_bytes: int = MAX_MESSAGE_BYTES) -> dict[str, object]:
    """The message on one line, or ProtocolError naming what is wrong with it."""
    reason = problem(line, max_bytes)
    if reason is not None:
        raise ProtocolError(f"a message of {reason}")
    try:
        message = json.loads(line)
    except (ValueError, RecursionError, MemoryError) as err:  # UnicodeDecodeError is a ValueError
        raise ProtocolError(f"a malformed message ({type(err).__name__}): {line[:200]!r}") from None
    if not isinstance(message, dict):
        raise ProtocolError(f"a malformed message: {line[:200]!r}")
    return message
