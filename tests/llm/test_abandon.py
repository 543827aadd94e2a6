"""Abandon rules: a reply stops once what it is for has certainly failed (policies/llm/abandon.py).

The rule's verdicts are checked on text; the streaming backends against the real embedded SmolLM2
and a real llama.cpp server on 127.0.0.1 (the server's log shows it saw the client go); a backend that
cannot stream (a replayed or scripted one) is cut at the same line end.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from policies.llm import abandon
from policies.llm.abandon import ABANDONED, LineEndWatch, broken_python_block, cut_where_abandoned
from policies.llm.base import ChatModel, ChatReply, ChatRequest, Usage
from policies.llm.llama_cpp_embedded import LlamaCppEmbedded
from policies.llm.llama_server import LlamaServer
from policies.llm.openai_compatible import OpenAICompatible
from policies.llm.replay import request_key

PLAN = "Plan: a baseline.\n```python\n"
BROKEN_AT_LINE_2 = PLAN + "import pandas as pd\ndef train(){\n    x = 1\n" + "print(x)\n" * 40


@pytest.mark.parametrize(
    "text",
    [
        PLAN + "import pandas as pd\nx = 1\n",  # fine so far
        PLAN + "for i in range(3):\n",  # an open block
        PLAN + "data = {\n    'a': [1, 2],\n",  # an open bracket
        PLAN + "doc = '''starts\nand goes on\n",  # an open triple-quoted string
        PLAN + "@decorator\n",  # a decorator waiting for its function
        PLAN + "x = foo(1, 2) +",  # a broken-looking line not yet complete: never judged
        "Plan: no code block yet; def train(){\n",  # prose before the block: nothing to judge
        PLAN + "x = 1\n```\nMore text\n```python\ny = (\n",  # a second fence: another block may follow
    ],
)
def test_code_that_may_still_be_completed_is_not_abandoned(text: str) -> None:
    assert not broken_python_block(text)


@pytest.mark.parametrize(
    "text",
    [
        PLAN + "def train(){\n",  # braces for a body
        PLAN + "x = [1, 2)\n",  # mismatched brackets
        PLAN + "x = = 2\n",
        PLAN + "x = 'unterminated\n",  # a one-line string cannot continue on the next line
        PLAN + "try:\n    x = 1\ny = 2\n",  # a try that ended without except or finally
        PLAN + "x = 1\n    y = 2\n",  # an indent nothing opened
        PLAN + "x = 1\0\n",  # a null byte
    ],
)
def test_a_syntax_error_no_continuation_removes_abandons_the_reply(text: str) -> None:
    assert broken_python_block(text)
    with pytest.raises((SyntaxError, ValueError)):  # the rule's verdict holds for the whole script, too
        compile(text.split("```python\n")[1] + "print('more')\n", "s", "exec")


def test_the_reply_is_cut_at_the_line_end_where_the_error_became_certain() -> None:
    kept, fired = cut_where_abandoned(BROKEN_AT_LINE_2, "broken_python_block")
    assert fired and kept == PLAN + "import pandas as pd\ndef train(){\n"
    assert cut_where_abandoned(PLAN + "x = 1\n", "broken_python_block") == (PLAN + "x = 1\n", False)


def test_streamed_pieces_of_any_size_are_cut_where_the_whole_text_is() -> None:
    expected, _ = cut_where_abandoned(BROKEN_AT_LINE_2, "broken_python_block")
    chance = random.Random(7)
    for _ in range(20):
        watch, start = LineEndWatch(broken_python_block), 0
        while start < len(BROKEN_AT_LINE_2) and not watch.feed(BROKEN_AT_LINE_2[start : start + chance.randint(1, 9)]):
            start = len(watch.text)
        assert watch.kept == expected


class WholeReplies(ChatModel):
    """A backend that cannot stream: every reply generated to its end (a scripted or replayed model)."""

    name = "whole"

    def __init__(self, text: str) -> None:
        self.text = text
        self.requests: list[ChatRequest] = []

    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:
        self.requests.append(request)
        return [ChatReply(self.text, Usage(5, 400), 0.01, role, "length", self.name)] * request.n


def test_a_backend_that_cannot_stream_has_its_replies_cut_the_same_way() -> None:
    model = WholeReplies(BROKEN_AT_LINE_2)
    replies = model.chat([{"role": "user", "content": "a script"}], n=2, abandon="broken_python_block")
    assert [r.finish_reason for r in replies] == [ABANDONED, ABANDONED]
    assert replies[0].text == cut_where_abandoned(BROKEN_AT_LINE_2, "broken_python_block")[0]
    assert model.chat([{"role": "user", "content": "a script"}])[0].text == BROKEN_AT_LINE_2  # no rule, no cut


def test_an_unknown_rule_is_refused_before_any_model_call() -> None:
    model = WholeReplies("x")
    with pytest.raises(ValueError, match="unknown abandon rule 'nope'.*broken_python_block"):
        model.chat([{"role": "user", "content": "a script"}], abandon="nope")
    assert model.requests == []


def test_the_rule_is_part_of_the_replay_key_so_a_recording_never_answers_the_other_request() -> None:
    model = WholeReplies("x")
    model.chat([{"role": "user", "content": "a"}])
    model.chat([{"role": "user", "content": "a"}], abandon="broken_python_block")
    plain, abandoning = model.requests
    assert request_key(plain) != request_key(abandoning)
    assert "abandon" not in plain.to_dict()  # keys of recordings made before rules existed are unchanged


# --- streaming backends, with the real model --------------------------------------------------------

MESSAGES = [
    {"role": "system", "content": "You are a concise assistant."},
    {"role": "user", "content": "List five fruits, one per line."},
]


@pytest.fixture
def first_line_end(monkeypatch: pytest.MonkeyPatch) -> str:
    """A rule that fires at the reply's first line end: certain to fire early in any longer reply."""
    monkeypatch.setitem(abandon.RULES, "first_line_end", lambda text: "\n" in text)
    return "first_line_end"


@pytest.fixture(scope="module")
def server(smollm2_gguf: Path) -> Iterator[LlamaServer]:
    """A server of this module's own, whose log it reads."""
    with LlamaServer(smollm2_gguf, model_alias="smollm2", n_threads=1) as running:
        yield running


def whole_and_stopped(model: ChatModel, rule: str) -> tuple[ChatReply, ChatReply]:
    """The same seeded request without the rule and with it; the stopped reply is checked against the whole."""
    whole = model.chat(MESSAGES, temperature=0.7, seed=3, max_tokens=120)[0]
    assert whole.text.count("\n") >= 2, "the test needs a reply of several lines"
    stopped = model.chat(MESSAGES, temperature=0.7, seed=3, max_tokens=120, abandon=rule)[0]
    assert stopped.finish_reason == ABANDONED
    assert stopped.text == whole.text[: whole.text.index("\n") + 1]
    assert 0 < stopped.usage.completion_tokens < whole.usage.completion_tokens
    model.close()
    return whole, stopped


@pytest.mark.llm
def test_a_server_stream_is_closed_where_the_rule_fires_and_the_server_stops(
    server: LlamaServer, first_line_end: str
) -> None:
    model = OpenAICompatible("smollm2", base_url=server.url, timeout_s=120, max_retries=0)
    whole, stopped = whole_and_stopped(model, first_line_end)
    # no usage in a llama.cpp stream: the server's tokenizer over the messages, 4 tokens each for the template
    assert abs(stopped.usage.prompt_tokens - whole.usage.prompt_tokens) <= 8
    assert "Disconnected from client" in server.log_tail(20_000)


@pytest.mark.llm
def test_the_embedded_model_stops_generating_where_the_rule_fires(smollm2_gguf: Path, first_line_end: str) -> None:
    whole, stopped = whole_and_stopped(LlamaCppEmbedded(smollm2_gguf, n_threads=1), first_line_end)
    assert stopped.usage.prompt_tokens == whole.usage.prompt_tokens


@pytest.mark.llm
def test_a_stream_the_server_breaks_off_is_asked_again_whole(
    server: LlamaServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """llama.cpp's server ends a stream when another request arrives (its default interrupt_requests), e.g.
    another episode's: here a token count sent by the rule itself at the reply's first line end."""
    model = OpenAICompatible("smollm2", base_url=server.url, timeout_s=120, max_retries=0)
    other = OpenAICompatible("smollm2", base_url=server.url, timeout_s=120, max_retries=0)
    interrupters: list[threading.Thread] = []

    def interrupt_once(text: str) -> bool:
        if "\n" in text and not interrupters:
            interrupters.append(threading.Thread(target=other.count_tokens, args=("another request",)))
            interrupters[0].start()
        return False

    monkeypatch.setitem(abandon.RULES, "interrupted", interrupt_once)
    whole = model.chat(MESSAGES, temperature=0.7, seed=3, max_tokens=120)[0]
    reply = model.chat(MESSAGES, temperature=0.7, seed=3, max_tokens=120, abandon="interrupted")[0]
    interrupters[0].join()
    assert reply.extra.get("stream_broken_off") is True
    assert reply.text == whole.text and reply.finish_reason == whole.finish_reason
    model.close()
    other.close()


@pytest.fixture(params=["server", "embedded"])
def streaming_model(request: pytest.FixtureRequest, smollm2_gguf: Path) -> Iterator[ChatModel]:
    """Each backend that judges a reply as it streams."""
    if request.param == "server":
        model: ChatModel = OpenAICompatible(
            "smollm2", base_url=request.getfixturevalue("server").url, timeout_s=120, max_retries=0
        )
    else:
        model = LlamaCppEmbedded(smollm2_gguf, n_threads=1)
    yield model
    model.close()


@pytest.mark.llm
def test_a_streamed_reply_is_judged_once_at_each_line_end(
    streaming_model: ChatModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """chat() does not judge again what the stream judged: as many checks as the reply has line ends."""
    asked: list[str] = []

    def never_fires(text: str) -> bool:
        asked.append(text)
        return False

    monkeypatch.setitem(abandon.RULES, "counting", never_fires)
    reply = streaming_model.chat(MESSAGES, temperature=0.7, seed=3, max_tokens=120, abandon="counting")[0]
    assert reply.finish_reason != ABANDONED and reply.text.count("\n") >= 2
    assert [len(text) for text in asked] == [i + 1 for i, c in enumerate(reply.text) if c == "\n"]


@pytest.mark.llm
def test_an_error_in_the_rule_is_raised_as_itself_not_as_the_servers(
    streaming_model: ChatModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken rule is the caller's bug: it must not pass for a model that is unavailable (which a run
    counts as infrastructure and retries)."""

    def broken(text: str) -> bool:
        raise ZeroDivisionError("a bug in the rule")

    monkeypatch.setitem(abandon.RULES, "broken", broken)
    with pytest.raises(ZeroDivisionError, match="a bug in the rule"):
        streaming_model.chat(MESSAGES, temperature=0.7, seed=3, max_tokens=120, abandon="broken")


def test_a_long_reply_is_judged_a_bounded_number_of_times_and_still_cut_after_its_error() -> None:
    asked: list[int] = []

    def counting(text: str) -> bool:
        asked.append(len(text))
        return broken_python_block(text)

    valid = PLAN + "x = 1\n" * 20_000  # 120 KB of code that never breaks
    LineEndWatch(counting).feed(valid)
    assert len(asked) < 750 and sum(asked) < 25 * len(valid)  # not 20,000 checks of up to 120 KB each
    broken = valid + "def train(){\n" + "x = 2\n" * 5_000
    watch = LineEndWatch(broken_python_block)
    assert watch.feed(broken) and len(valid) < len(watch.kept) <= len(valid) + 2 + len(broken) // 8
