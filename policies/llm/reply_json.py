"""What a chat server's JSON must hold before anything reads it.

The OpenAI SDK builds its objects without checking types, so an answer with
`message: null`, a `content` that is a list or a number, or `choices` that is
a string reached the backend and the wrappers as they were, and failed there
as an AttributeError or TypeError: counted as the agent's failure, naming
nothing. Every field the backends read is checked here, once; `NotAReply`
names the first one that is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from policies.llm.base import Usage, is_token_count

#: Characters of a server's in-band error message kept in ours.
ERROR_CHARS = 300


class NotAReply(ValueError):
    """The server's JSON is not a chat completion (or chunk); the message names what is wrong."""


@dataclass(frozen=True)
class Choice:
    text: str | None
    finish_reason: str | None
    reasoning: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    """A completion, or one streamed chunk of it: its choices in the server's index order."""

    choices: list[Choice]
    usage: Usage | None
    model: str | None


def decode(body: bytes | str) -> Any:
    """The body's JSON (UTF-8, -16 or -32, as JSON allows)."""
    try:
        return json.loads(body)
    except RecursionError:
        raise NotAReply("a body nested too deep to decode") from None
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, an integer past 4,300 digits
        raise NotAReply(f"a body that is not valid JSON: {type(error).__name__}: {error}") from None


def completion(data: Any) -> Answer:
    """A `chat.completion` object: each choice's `message`."""
    return _answer(data, "message")


def chunk(data: Any) -> Answer:
    """A streamed `chat.completion.chunk`: each choice's `delta` (null taken as empty); choices may be none."""
    return _answer(data, "delta")


def _answer(data: Any, part: str) -> Answer:
    top = _object(data, "JSON")
    error = top.get("error")
    if error is not None and not top.get("choices"):
        raise NotAReply(f"an error: {json.dumps(error)[:ERROR_CHARS]}")
    choices = top.get("choices")
    if choices is None:
        choices = []
    if not isinstance(choices, list):
        raise NotAReply(f"choices that are {_kind(choices)}, not a list")
    read = [_choice(choice, f"choices[{i}]", part) for i, choice in enumerate(choices)]
    indexes = [choice.get("index") for choice in choices]
    if all(isinstance(i, int) and not isinstance(i, bool) for i in indexes):
        read = [choice for _, choice in sorted(zip(indexes, read, strict=True), key=lambda pair: pair[0])]
    model = top.get("model")
    return Answer(choices=read, usage=_usage(top.get("usage")), model=model if isinstance(model, str) else None)


def _usage(usage: Any) -> Usage | None:
    """The server's token counts; None (as if not sent) unless both are counts (`is_token_count`)."""
    if not isinstance(usage, Mapping):
        return None
    prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
    return Usage(prompt, completion) if is_token_count(prompt) and is_token_count(completion) else None


def _choice(data: Any, where: str, part: str) -> Choice:
    choice = _object(data, where)
    message = choice.get(part)
    message = _object({} if message is None and part == "delta" else message, f"{where}.{part}")
    text = message.get("content")
    if not isinstance(text, (str, type(None))):
        raise NotAReply(f"{where}.{part}.content that is {_kind(text)}, not text or null")
    finish = choice.get("finish_reason")
    if not isinstance(finish, (str, type(None))):
        raise NotAReply(f"{where}.finish_reason that is {_kind(finish)}, not text or null")
    # reasoning a server's parser split off (vLLM: `reasoning_content`, newer: `reasoning`); ignored unless text
    reasoning = message.get("reasoning_content") or message.get("reasoning")
    return Choice(
        text=text,
        finish_reason=finish,
        reasoning=reasoning if isinstance(reasoning, str) else None,
        tool_calls=_tool_calls(message.get("tool_calls")),
    )


def _tool_calls(calls: Any) -> list[dict[str, Any]]:
    """Calls in OpenAI's shape, arguments as the server sent them (JSON text, or an object); others dropped."""
    kept = []
    for call in calls if isinstance(calls, list) else ():
        function = call.get("function") if isinstance(call, Mapping) else None
        if isinstance(function, Mapping) and isinstance(function.get("name"), str):
            arguments = function.get("arguments")
            if isinstance(arguments, (str, Mapping)):
                kept.append({"function": {"name": function["name"], "arguments": arguments}})
    return kept


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if value is None:
        raise NotAReply(f"no {where} (null or missing)")
    if not isinstance(value, Mapping):
        raise NotAReply(f"{where} that is {_kind(value)}, not an object")
    return value


def _kind(value: Any) -> str:
    """`value`'s JSON type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "an object"
