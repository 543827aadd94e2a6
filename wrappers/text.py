"""Text helpers the wrappers share when they put env output into a prompt."""

from __future__ import annotations

from policies.llm.base import REPLY_CHARS_PER_TOKEN


def truncate_output(
    text: str, limit: int, marker: str = "\n... [output truncated: {dropped} characters dropped] ...\n"
) -> str:
    """Keep the head and tail of long output with a marker saying how much went."""
    if len(text) <= limit:
        return text
    half = limit // 2
    dropped = len(text) - 2 * half
    return text[:half] + marker.format(dropped=dropped) + text[-half:]


def within_max_tokens(reply: str, max_tokens: int) -> str:
    """`reply` cut (head and tail) to what `max_tokens` tokens hold at most: a wrapper that keeps its reply for later
    prompts (a summary, a plan) put all of a server's 400,000 characters into every one, so no prompt fitted."""
    return truncate_output(reply, max_tokens * REPLY_CHARS_PER_TOKEN)
