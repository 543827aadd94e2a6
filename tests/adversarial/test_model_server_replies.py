"""An OpenAI-compatible server that answers what no honest one sends, through `OpenAICompatible` and a run.

The server is a real HTTP server on 127.0.0.1 writing raw bytes (`HostileChatServer`): answers of the wrong
shape, token counts that are not counts, answers that are too large, compressed or dripped, streams that
never finish, redirects. Each must end as a `ModelUnavailable` naming the problem, bounded in time
(`timeout_s` bounds a whole exchange) and bytes (`max_response_mb`), asked again only when a new attempt
can change the result; through the harness, as a named failure of its episode, never a crash of the run.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.run import EXIT_MODEL_NOT_ANSWERING, EXIT_NOTHING_COMPLETED
from policies.llm.base import ChatModel, LLMError, ModelUnavailable, Usage
from policies.llm.openai_compatible import OpenAICompatible
from policies.llm.vllm_server import start_or_attach_vllm_server
from tests.harness.conftest import read_lines, run_eval
from tests.llm.http_servers import HostileChatServer, ScriptedChatServer, chunked, completion, drip, raw_response

MESSAGES = [{"role": "user", "content": "What next?"}]
Answer = Callable[[str, dict[str, Any], Any], None]


def client(url: str, **options: Any) -> OpenAICompatible:
    settings = {"server_tokenizer": False, "max_retries": 1, "backoff_s": 0.01, "timeout_s": 2.0, **options}
    return OpenAICompatible("m", base_url=url, **settings)


def answering(payload: Any, *headers: str) -> Answer:
    """Every request gets a 200 with `payload` (bytes as they are, else its JSON)."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return lambda path, request, out: out.write(raw_response(200, body, *headers))


def with_choice(**fields: Any) -> dict[str, Any]:
    answer = completion({}, ["ok"])
    answer["choices"][0].update(fields)
    return answer


def with_message(**fields: Any) -> dict[str, Any]:
    answer = completion({}, ["ok"])
    answer["choices"][0]["message"].update(fields)
    return answer


# ---- answers of the wrong shape: named, not asked again (the same request gets the same answer) -------------

SHAPES: dict[str, tuple[Any, str]] = {
    "message_null": (with_choice(message=None), "no choices[0].message (null or missing)"),
    "content_a_list": (
        with_message(content=[{"type": "text", "text": "hi"}]),
        "choices[0].message.content that is a list",
    ),
    "content_a_number": (with_message(content=42), "choices[0].message.content that is a number"),
    "choices_text": ({**completion({}, []), "choices": "hello"}, "choices that are text, not a list"),
    "a_choice_text": ({**completion({}, []), "choices": ["hello"]}, "choices[0] that is text, not an object"),
    "json_a_list": ([1, 2, 3], "JSON that is a list, not an object"),
    "finish_reason_an_object": (with_choice(finish_reason={"why": 1}), "choices[0].finish_reason that is an object"),
    "an_error_in_a_200": ({"error": {"message": "out of memory"}}, 'an error: {"message": "out of memory"}'),
    "nested_100k_deep": (
        b'{"choices": [{"index": 0, "message": {"content": "x", "extra": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}]}",
        "a body nested too deep to decode",
    ),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_an_answer_of_the_wrong_shape_is_named_and_not_asked_again(shape: str) -> None:
    """Before: AttributeError, TypeError or RecursionError from deep in the backend, naming nothing, counted as
    the agent's failure; an in-band error read as 'no choices'."""
    payload, problem = SHAPES[shape]
    with HostileChatServer(answering(payload)) as server:
        with pytest.raises(ModelUnavailable) as error:
            client(server.url).chat(MESSAGES)
    assert f"{server.url} answered with {problem}" in str(error.value)
    assert len(server.paths) == 1


@pytest.mark.parametrize(
    "usage",
    [
        {"prompt_tokens": 10**400, "completion_tokens": 1},
        {"prompt_tokens": -5, "completion_tokens": 2},
        {"prompt_tokens": "11", "completion_tokens": 2},
        [11, 2],
    ],
    ids=["past_floats_range", "negative", "text", "a_list"],
)
def test_token_counts_that_are_not_counts_are_taken_as_not_sent(usage: Any) -> None:
    """Before: served as they were (10**400 ended the run's summary in OverflowError), or an AttributeError."""
    with HostileChatServer(answering({**completion({}, ["ok"]), "usage": usage})) as server:
        (reply,) = client(server.url).chat(MESSAGES)
    assert (reply.text, reply.usage) == ("ok", Usage(0, 0))


def event(data: Any) -> bytes:
    return b"data: " + json.dumps(data).encode() + b"\n\n"


def delta(content: Any, finish: Any = None) -> dict[str, Any]:
    return {
        "object": "chat.completion.chunk",
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish}],
    }


def streaming(*events: bytes) -> Answer:
    body = chunked(*events)
    return lambda path, request, out: out.write(raw_response(200, body, "Transfer-Encoding: chunked"))


STREAMED_SHAPES: dict[str, tuple[bytes, str]] = {
    "content_a_list": (event(delta([1, 2])), "choices[0].delta.content that is a list"),
    "finish_reason_an_object": (event(delta("a\n", {"why": 1})), "choices[0].finish_reason that is an object"),
    "choices_text": (event({"choices": "hello"}), "choices that are text, not a list"),
}


@pytest.mark.parametrize("shape", list(STREAMED_SHAPES))
def test_a_streamed_chunk_of_the_wrong_shape_is_named(shape: str) -> None:
    """A request with an abandon rule streams (AIDE's script draws). Before: a TypeError, a finish reason that
    was a dict, or 'broke off a streamed reply: AttributeError'."""
    chunk, problem = STREAMED_SHAPES[shape]
    with HostileChatServer(streaming(chunk, b"data: [DONE]\n\n")) as server:
        with pytest.raises(ModelUnavailable) as error:
            client(server.url).chat(MESSAGES, abandon="broken_python_block")
    assert f"{server.url} streamed {problem}" in str(error.value)


def test_more_choices_than_n_out_of_order_give_the_first_n_by_index() -> None:
    """What held: a server returning 5 choices, last first, for n=3 (self-consistency's samples) gives the
    choices of index 0, 1, 2, from one request. (Fewer choices than n: seeded repeats, test_openai_compatible.)"""
    answer = completion({}, ["a", "b", "c", "d", "e"])
    answer["choices"].reverse()
    with HostileChatServer(answering(answer)) as server:
        replies = client(server.url).chat(MESSAGES, n=3, temperature=0.7)
    assert [reply.text for reply in replies] == ["a", "b", "c"] and len(server.paths) == 1


# ---- bounded in bytes: max_response_mb, compressed answers ---------------------------------------------------


def huge(characters: int) -> bytes:
    return json.dumps(completion({}, ["x" * characters])).encode()


OVERSIZED: dict[str, Answer] = {
    "a_3_mb_reply": answering(huge(3_000_000)),
    # valid JSON after 3 MB of blanks: an endless body reads the same until it ends
    "a_chunked_body_of_blanks": lambda path, request, out: out.write(
        raw_response(200, chunked(*[b" " * 100_000] * 30, huge(10)), "Transfer-Encoding: chunked")
    ),
    "a_stream_of_3_mb_without_a_line_end": streaming(
        *[event(delta("x" * 100_000))] * 30, event(delta(None, "stop")), b"data: [DONE]\n\n"
    ),
}


@pytest.mark.parametrize("answer", list(OVERSIZED))
def test_an_answer_past_max_response_mb_is_cut_off_and_not_asked_again(answer: str) -> None:
    """Before: read whole, however large (a 100 MB reply: +300 MB of RSS; an endless chunked body: 2.8 GB
    within 10 s; an endless stream never ended)."""
    with HostileChatServer(OVERSIZED[answer]) as server:
        with pytest.raises(ModelUnavailable, match=r"sent more than 1,048,576 bytes for one answer") as error:
            client(server.url, max_response_mb=1).chat(
                MESSAGES, abandon="broken_python_block" if "stream" in answer else None
            )
    assert server.url in str(error.value) and len(server.paths) == 1


def test_a_compressed_answer_is_refused_before_it_is_inflated() -> None:
    """A gzip bomb: 20 MB of a reply compressed to ~20 KB (the bytes on the wire say nothing of what they
    inflate to). Before: inflated and served; 2 GB of zeros took 16 s and +4.9 GB of RSS."""
    bomb = gzip.compress(huge(20_000_000), compresslevel=9)
    with HostileChatServer(answering(bomb, "Content-Encoding: gzip")) as server:
        with pytest.raises(ModelUnavailable, match=r"sent a compressed answer \(Content-Encoding: gzip\)"):
            client(server.url, max_response_mb=1).chat(MESSAGES)
    assert len(server.paths) == 1


# ---- bounded in time: timeout_s bounds the whole exchange ------------------------------------------------------


def dripping(part: str) -> Answer:
    """A valid answer sent at 25 bytes a second (~10 s in all): its status and headers, or its body."""

    def answer(path: str, request: dict[str, Any], out: Any) -> None:
        body = json.dumps(completion(request, ["ok"])).encode()
        response = raw_response(200, body)
        if part == "body":
            out.write(response[: -len(body)])
            response = body
        drip(out, response, 0.04)

    return answer


@pytest.mark.parametrize("part", ["headers", "body"])
def test_an_answer_dripped_byte_by_byte_times_out_within_timeout_s(part: str) -> None:
    """httpx's timeouts bound each read, and each byte came within one. Before: the answer was waited for and
    served after ~10 s with timeout_s=2 (at one byte a second, hours)."""
    with HostileChatServer(dripping(part)) as server:
        with pytest.raises(ModelUnavailable, match="after 2 attempts: .*(timed out|did not finish answering)"):
            client(server.url).chat(MESSAGES)
    assert len(server.paths) == 2  # a timeout is retried, max_retries times


def test_a_stream_that_drips_times_out_within_timeout_s() -> None:
    """Streamed chunks each within a read timeout, 6 s in all, timeout_s=2. Before: followed to its end."""

    def answer(path: str, request: dict[str, Any], out: Any) -> None:
        out.write(raw_response(200, b"", "Transfer-Encoding: chunked"))
        for _ in range(20):
            out.write(chunked(event(delta("x")))[:-5])  # one chunk, not the end of the body
            out.flush()
            time.sleep(0.3)
        out.write(chunked(event(delta(None, "stop")), b"data: [DONE]\n\n"))

    with HostileChatServer(answer) as server:
        with pytest.raises(ModelUnavailable, match="(timed out|did not finish answering)"):
            client(server.url).chat(MESSAGES, abandon="broken_python_block")


# ---- where the request goes ------------------------------------------------------------------------------------


def test_a_redirect_is_not_followed() -> None:
    """Before: followed (up to 20 hops, to any host and port), the prompt sent on to the server named."""
    with ScriptedChatServer() as elsewhere:
        moved = f"Location: {elsewhere.url}/chat/completions"
        with HostileChatServer(lambda path, request, out: out.write(raw_response(307, b"", moved))) as server:
            with pytest.raises(ModelUnavailable, match=r"redirected the request \(HTTP 307\) to 'http://127"):
                client(server.url).chat(MESSAGES)
        assert elsewhere.bodies == []


def test_a_retry_after_of_days_is_not_waited_for() -> None:
    """What held: the client's own retries are off and ours back off by `backoff_s`, so a 429 asking for
    999,999 s (or a date in 2099) costs max_retries attempts, not days."""
    refusals = ["Retry-After: 999999", "Retry-After: Wed, 21 Oct 2099 07:28:00 GMT"]

    def answer(path: str, request: dict[str, Any], out: Any) -> None:
        out.write(raw_response(429, b'{"error": {"message": "slow down"}}', refusals[len(server.paths) % 2]))

    with HostileChatServer(answer) as server:
        with pytest.raises(ModelUnavailable, match="after 3 attempts: RateLimitError"):
            client(server.url, max_retries=2).chat(MESSAGES)
    assert len(server.paths) == 3


#: A server's error message that would rewrite the operator's console: clear the screen, set the window title,
#: print in green, start a forged log line, and turn the rest of the line around (a bidi override).
CONSOLE_TRICKS = "\x1b[2J\x1b[H\x1b]0;done\x07\x1b[32mall episodes passed\x1b[0m\n[harness.run][INFO] - ok \u202edecaf"


@pytest.mark.parametrize("status", [400, 500])
def test_a_servers_error_message_reaches_the_console_as_visible_escapes(tmp_path: Path, status: int) -> None:
    """The message of a refusal ("Error code: 400 - <the server's message>") went as it was into the exception,
    the log and the console: a hostile server's escape sequences cleared the operator's terminal and printed
    what it liked there, and a newline in it forged a log line."""
    body = json.dumps({"error": {"message": CONSOLE_TRICKS}}).encode()
    with HostileChatServer(lambda path, request, out: out.write(raw_response(status, body))) as server:
        with pytest.raises(LLMError) as refused:
            client(server.url, max_retries=0).chat(MESSAGES)
        model = f"{{backend:openai_compatible,model:m,base_url:'{server.url}',max_retries:0,server_tokenizer:false}}"
        proc = run_eval(
            "env=toolworld",
            "policy=openai_compatible",
            f"policy.model={model}",
            f"hydra.run.dir={tmp_path}",
            check=False,
        )
    assert proc.returncode == EXIT_MODEL_NOT_ANSWERING
    for shown in (str(refused.value), proc.stdout + proc.stderr):
        assert "\\x1b[2J\\x1b[H" in shown  # still named, as visible escapes
        assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
        assert "\n[harness.run]" not in shown


# ---- attaching to a vLLM server: its model list ------------------------------------------------------------

MODEL_LISTS: dict[str, tuple[bytes, str]] = {
    "a_list": (b"[1, 2]", "answered with no list of models ('data')"),
    "null": (b"null", "answered with no list of models ('data')"),
    "data_a_number": (b'{"data": 5}', "answered with no list of models ('data')"),
    "max_model_len_text": (b'{"data": [{"id": "m", "max_model_len": "big"}]}', "gives 'm' a max_model_len of 'big'"),
    "max_model_len_negative": (b'{"data": [{"id": "m", "max_model_len": -5}]}', "gives 'm' a max_model_len of -5"),
}


@pytest.mark.parametrize("listing", list(MODEL_LISTS))
def test_attaching_to_a_server_whose_model_list_is_not_one_is_named(listing: str) -> None:
    """Before: a bare AttributeError or TypeError at start, or a context window of 'big' (every request failed
    as a TypeError) or -5 (every episode "context length exceeded", scored as the agent's failure)."""
    body, problem = MODEL_LISTS[listing]
    with HostileChatServer(answering(body)) as server:
        with pytest.raises(LLMError) as error:
            start_or_attach_vllm_server(
                attach_url=server.url, served_model_name="m", client={"server_tokenizer": False}
            )
    assert problem in str(error.value) and server.url in str(error.value)
    assert server.paths == ["/v1/models"]


# ---- the server's tokenizer ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["drip", "flood"])
def test_a_tokenize_endpoint_that_drips_or_floods_falls_back_to_the_estimate(kind: str) -> None:
    """Token counts decide every request's max_tokens. Before: a dripped count was waited for (urllib's
    timeout bounds each read: 40 s for 40 bytes at one a second), a flood read whole (50M tokens: 9 s, +573 MB)."""

    def answer(path: str, request: dict[str, Any], out: Any) -> None:
        if kind == "drip":
            drip(out, raw_response(200, json.dumps({"tokens": list(range(7))}).encode()), 0.05)
        else:
            out.write(raw_response(200, b'{"tokens": [' + b"1," * 1_000_000 + b"1]}"))

    with HostileChatServer(answer) as server:
        model = client(server.url, server_tokenizer=True, max_response_mb=1, timeout_s=0.5)
        assert model.count_tokens("hello world") == ChatModel.count_tokens(model, "hello world")
    assert server.paths[0] == "/tokenize"


# ---- through a run ------------------------------------------------------------------------------------------------


def health_check_or(faults: list[Answer]) -> Answer:
    """The 1-token health checks get an honest answer; episode i's request gets faults[i]."""
    asked = iter(range(10**6))

    def answer(path: str, request: dict[str, Any], out: Any) -> None:
        if request.get("max_tokens") == 1:
            out.write(raw_response(200, json.dumps(completion(request, ["OK"])).encode()))
        else:
            faults[min(next(asked), len(faults) - 1)](path, request, out)

    return answer


RUN_FAULTS: dict[str, tuple[Answer, str | None]] = {
    "message_null": (answering(with_choice(message=None)), "answered with no choices[0].message (null or missing)"),
    "content_a_list": (answering(with_message(content=[1])), "answered with choices[0].message.content that is a list"),
    "usage_past_floats_range": (
        answering(
            {
                **completion({}, ["```python\nprint(1)\n```"]),
                "usage": {"prompt_tokens": 10**400, "completion_tokens": 1},
            }
        ),
        None,  # a reply like any other, its counts left out
    ),
    "dripped_body": (dripping("body"), "timed out"),
    "a_3_mb_reply": (answering(huge(3_000_000)), "sent more than 1,048,576 bytes"),
    "gzip_bomb": (answering(gzip.compress(huge(20_000_000)), "Content-Encoding: gzip"), "sent a compressed answer"),
    # an error quoting 700 KB (under max_response_mb): the message and the traceback are clipped
    "a_429_quoting_700_kb": (
        lambda path, request, out: out.write(
            raw_response(429, json.dumps({"error": {"message": "x" * 700_000}}).encode())
        ),
        "after 1 attempts: RateLimitError",
    ),
}


def test_a_run_against_a_hostile_server_records_each_fault_as_its_episodes_failure(tmp_path: Path) -> None:
    """Before: the run ended in OverflowError from its summary (the 10**400 token count) with no summary
    written, and the other episodes failed as AttributeError / TypeError naming nothing, or were served; the
    429's trajectory held its 700 KB message twice (the traceback: ours and the client's)."""
    with HostileChatServer(health_check_or([answer for answer, _ in RUN_FAULTS.values()])) as server:
        model = (
            f"{{backend:openai_compatible,model:m,base_url:'{server.url}',max_retries:0,timeout_s:3,"
            "server_tokenizer:false,max_response_mb:1}"
        )
        proc = run_eval(
            "env=toolworld",
            "policy=openai_compatible",
            f"policy.model={model}",
            f"limit={len(RUN_FAULTS)}",
            "max_steps=1",
            "workers=1",
            "infra_retries=0",
            f"hydra.run.dir={tmp_path}",
            check=False,
        )
    assert proc.returncode in (0, EXIT_NOTHING_COMPLETED), proc.stdout[-2000:] + proc.stderr[-3000:]
    records = read_lines(tmp_path)
    assert len(records) == len(RUN_FAULTS) == len({r["key"] for r in records})
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert (summary["episodes"], summary["infra_errors"]) == (len(RUN_FAULTS), 0)
    for record, (fault, (_, problem)) in zip(records, RUN_FAULTS.items(), strict=True):
        assert not record["success"], fault
        if problem is None:
            assert record["error"] is None and record["llm"]["total"]["prompt_tokens"] == 0, (fault, record)
            continue
        assert record["error"]["type"] in ("ModelUnavailable", "AnswerRefused"), (fault, record)  # AnswerRefused's base
        assert record["error"]["kind"] == "agent", (fault, record)  # the server answers 1-token requests
        assert problem in record["error"]["reason"] and server.url in record["error"]["reason"], (fault, record)
    assert max(path.stat().st_size for path in (tmp_path / "trajectories").iterdir()) < 100_000


def test_a_server_whose_every_answer_is_unreadable_fails_the_health_check(tmp_path: Path) -> None:
    """The 1-token health check read its answer leniently (the SDK's objects), so a server answering every
    request with `message: null` passed it, and every episode was run three times (infra retries) and then
    scored as the agent's failure: 3 of 3, success 0%, exit 3 after 55 s."""
    with HostileChatServer(answering(with_choice(message=None))) as server:
        model = f"{{backend:openai_compatible,model:m,base_url:'{server.url}',max_retries:0,server_tokenizer:false}}"
        proc = run_eval(
            "env=toolworld",
            "policy=openai_compatible",
            f"policy.model={model}",
            "limit=3",
            "max_steps=1",
            f"hydra.run.dir={tmp_path}",
            check=False,
        )
    assert proc.returncode == EXIT_MODEL_NOT_ANSWERING, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "does not answer a 1-token request: NotAReply: no choices[0].message (null or missing)" in proc.stderr
    assert len(server.paths) == 1 and not (tmp_path / "results.jsonl").exists()
