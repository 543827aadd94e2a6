"""Text helpers the wrappers share when they put env output into a prompt."""

from __future__ import annotations


def truncate_output(
    text: str, limit: int, marker: str = "\n... [output truncated: {dropped} characters dropped] ...\n"
) -> str:
    """Keep the head and tail of long output with a marker saying how much went."""
    if len(text) <= limit:
        return text
    half = limit // 2
    dropped = len(text) - 2 * half
    return text[:half] + marker.format(dropped=dropped) + text[-half:]
