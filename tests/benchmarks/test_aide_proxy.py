"""The AIDE side by side's logging proxy passes a streamed reply through as it comes, so a client that
leaves early (our search abandoning a broken script) stops the real llama.cpp server behind it, and
the call is logged with the tokens that were generated."""

from __future__ import annotations

import pytest
from aide_side_by_side import ModelCallLog, call_figures

from policies.llm import abandon
from policies.llm.abandon import ABANDONED
from policies.llm.openai_compatible import OpenAICompatible

MESSAGES = [
    {"role": "system", "content": "You are a concise assistant."},
    {"role": "user", "content": "List five fruits, one per line."},
]


@pytest.mark.llm
def test_a_stream_left_early_is_relayed_logged_and_stopped_upstream(
    llama_server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(abandon.RULES, "first_line_end", lambda text: "\n" in text)
    with ModelCallLog(llama_server_url, timeout_s=120, max_tokens=120) as log:
        model = OpenAICompatible("smollm2", base_url=log.url, timeout_s=120, max_retries=0)
        log.row = "streamed"
        stopped = model.chat(MESSAGES, temperature=0.7, seed=3, max_tokens=120, abandon="first_line_end")[0]
        log.row = "whole"
        whole = model.chat(MESSAGES, temperature=0.7, seed=3, max_tokens=120)[0]
        model.close()
        log.wait_idle()
        streamed_call, whole_call = log.of("streamed")[0], log.of("whole")[0]
    assert stopped.finish_reason == ABANDONED and whole.text.startswith(stopped.text)
    assert streamed_call["finish_reason"] == ABANDONED and whole_call["finish_reason"] == "stop"
    assert streamed_call["reply"].startswith(stopped.text)  # and the few tokens relayed before the server stopped
    assert 0 < streamed_call["completion_tokens"] < whole_call["completion_tokens"]
    assert abs(streamed_call["prompt_tokens"] - whole_call["prompt_tokens"]) <= 8
    assert call_figures([streamed_call], steps=1)["scripts_abandoned"] == 1
