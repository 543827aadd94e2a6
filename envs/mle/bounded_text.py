"""Bounding text that comes from a script or its submission before it reaches an observation or `info`.

Error messages quote what they found (column names, cells, ids, exception
text); a hostile submission can make that millions of characters, which would
flood the agent's context and every log. Every such text goes through `clip`.
"""

from __future__ import annotations

MAX_CHARS = 2_000


def clip(text: str, limit: int = MAX_CHARS) -> str:
    """`text` when short, else its head and tail around a note of how much was cut."""
    if len(text) <= limit:
        return text
    keep = max(0, limit - 60)
    head, tail = text[: keep * 3 // 4], text[len(text) - keep // 4 :]
    return f"{head} [... {len(text) - len(head) - len(tail):,} characters cut ...] {tail}"


def names(items: list[str], shown: int = 10) -> str:
    """A short listing of possibly very many names: the first few, and how many in all."""
    listed = ", ".join(repr(clip(item, 80)) for item in items[:shown])
    return f"[{listed}{f', ... ({len(items):,} in all)' if len(items) > shown else ''}]"
