"""Thinking models (Qwen3 and friends) put their reasoning before the answer;
every backend and the policy split it off the same way."""

from __future__ import annotations

import re

THINK_BLOCK = re.compile(r"^\s*<think>(.*?)(</think>\s*|$)", re.DOTALL)


def split_reasoning(text: str, reasoning: str | None) -> tuple[str, str | None]:
    """Separate a Qwen3-style thinking block from the answer.

    Servers with a reasoning parser return it apart (`reasoning_content`);
    others leave `<think>...</think>` at the start of the content.
    """
    match = THINK_BLOCK.match(text)
    if match:
        return text[match.end() :], (reasoning or "") + match.group(1).strip()
    return text, reasoning
