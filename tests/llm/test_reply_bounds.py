"""Every reply of every backend is read within the max_tokens asked, in `ChatModel.chat` itself.

A server that ignores max_tokens may send megabytes; each caller cutting its own replies left some out
(the code four wrappers ask for became the action whole). The cut now sits where every request passes.
"""

from __future__ import annotations

from policies.llm.base import REPLY_CHARS_PER_TOKEN, ChatModel, ChatReply, ChatRequest, Usage

PLAN = "Plan: a baseline.\n```python\nx = 1\n"


class IgnoresMaxTokens(ChatModel):
    """Sends `text` for every sample, whatever max_tokens asked."""

    name = "ignores-max-tokens"

    def __init__(self, text: str) -> None:
        self.text = text

    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:
        return [ChatReply(text=self.text, usage=Usage(5, 5), latency_s=0.0, role=role) for _ in range(request.n)]


def test_each_sample_comes_back_within_the_max_tokens_asked() -> None:
    model = IgnoresMaxTokens("y" * 1_000_000)
    replies = model.chat([{"role": "user", "content": "hi"}], n=3, max_tokens=16, role="vote")
    assert [len(reply.text) for reply in replies] == [16 * REPLY_CHARS_PER_TOKEN] * 3
    assert all(reply.role == "vote" for reply in replies)


def test_a_reply_within_max_tokens_is_kept_whole() -> None:
    model = IgnoresMaxTokens(PLAN)
    [reply] = model.chat([{"role": "user", "content": "hi"}], max_tokens=len(PLAN))
    assert reply.text == PLAN


def test_the_abandon_rule_judges_what_was_asked_for_not_what_came_past_it() -> None:
    """A broken line past the cut is not what a server keeping to max_tokens would have sent."""
    text = PLAN + "z" * 200 + "\ndef train(){\n"
    model = IgnoresMaxTokens(text)
    messages = [{"role": "user", "content": "hi"}]
    [within] = model.chat(messages, max_tokens=len(PLAN) // REPLY_CHARS_PER_TOKEN + 20, abandon="broken_python_block")
    [whole] = model.chat(messages, max_tokens=len(text), abandon="broken_python_block")
    assert within.finish_reason != whole.finish_reason
    assert "def train" not in within.text
