"""OpenAICompatible against a real llama.cpp server, and scripted HTTP servers
for what that server cannot show (5xx, native n > 1, thinking blocks)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from policies.llm.base import LLMError
from policies.llm.llama_cpp_embedded import LlamaCppEmbedded
from policies.llm.llama_server import free_port
from policies.llm.openai_compatible import OpenAICompatible
from tests.llm.http_servers import CountingProxy, ScriptedChatServer, completion

MESSAGES = [
    {"role": "system", "content": "You are a concise assistant."},
    {"role": "user", "content": "Name three colours."},
]


def client(url: str, **options) -> OpenAICompatible:
    options = {"timeout_s": 60, "max_retries": 0, **options}
    return OpenAICompatible("smollm2", base_url=url, **options)


# --- against the real llama.cpp server -------------------------------------


@pytest.mark.llm
def test_chat_usage_matches_the_embedded_models_count(llama_server_url: str, smollm2_gguf: Path) -> None:
    reply = client(llama_server_url).chat(MESSAGES, max_tokens=12, role="corrector")[0]
    assert reply.text.strip()
    assert reply.role == "corrector"
    assert reply.usage.completion_tokens > 0  # llama.cpp may pass max_tokens to finish a UTF-8 character
    # same GGUF, same chat template: the server charged exactly our local count
    assert reply.usage.prompt_tokens == LlamaCppEmbedded(smollm2_gguf).count_message_tokens(MESSAGES)


@pytest.mark.llm
def test_server_and_embedded_greedy_replies_agree(llama_server_url: str, smollm2_gguf: Path) -> None:
    served = client(llama_server_url).chat(MESSAGES, max_tokens=10)[0].text
    local = LlamaCppEmbedded(smollm2_gguf, n_threads=1).chat(MESSAGES, max_tokens=10)[0].text
    assert served == local


@pytest.mark.llm
def test_seed_makes_sampling_reproducible(llama_server_url: str) -> None:
    model = client(llama_server_url)
    again = [model.chat(MESSAGES, max_tokens=10, temperature=1.0, seed=3)[0].text for _ in range(2)]
    assert again[0] == again[1]
    others = {model.chat(MESSAGES, max_tokens=10, temperature=1.0, seed=s)[0].text for s in range(4, 8)}
    assert len(others | {again[0]}) > 1


@pytest.mark.llm
def test_stop_string_cuts_the_reply(llama_server_url: str) -> None:
    model = client(llama_server_url)
    full = model.chat(MESSAGES, max_tokens=16)[0].text
    stop = full.split()[2]
    cut = model.chat(MESSAGES, max_tokens=16, stop=[stop])[0]
    assert cut.text == full[: full.index(stop)]
    assert cut.finish_reason == "stop"


@pytest.mark.llm
def test_n_falls_back_to_seeded_repeats_when_the_server_ignores_n(llama_server_url: str) -> None:
    model = client(llama_server_url)
    samples = model.chat(MESSAGES, n=3, max_tokens=8, temperature=1.0, seed=20)
    assert len(samples) == 3
    assert model.native_n is False  # llama.cpp's server returned one choice: not asked again
    singles = [model.chat(MESSAGES, max_tokens=8, temperature=1.0, seed=20 + i)[0].text for i in range(3)]
    assert [s.text for s in samples] == singles


@pytest.mark.llm
def test_token_counts_come_from_the_servers_tokenizer(llama_server_url: str, smollm2_gguf: Path) -> None:
    text = "1234567890" * 20  # one token per digit: the chars/4 estimate would say 50
    served = client(llama_server_url).count_tokens(text)
    assert served == LlamaCppEmbedded(smollm2_gguf).count_tokens(text) == 200


@pytest.mark.llm
def test_concurrency_limit_bounds_requests_in_flight(llama_server_url: str) -> None:
    with CountingProxy(llama_server_url) as proxy:
        model = client(proxy.url, max_concurrency=2)
        threads = [threading.Thread(target=model.chat, args=(MESSAGES,), kwargs={"max_tokens": 6}) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert proxy.requests == 6
    assert proxy.max_in_flight == 2


@pytest.mark.llm
def test_context_overflow_is_rejected_at_once_not_retried(llama_server_url: str) -> None:
    with CountingProxy(llama_server_url) as proxy:
        model = client(proxy.url, max_retries=3, backoff_s=0.5)
        with pytest.raises(LLMError, match="rejected the request") as error:
            model.chat([{"role": "user", "content": "word " * 3000}], max_tokens=4)
    assert proxy.url in str(error.value)
    assert proxy.requests == 1


# --- failures: nothing listening, a server that never answers, 5xx ----------


def test_server_down_gives_a_clear_error_within_the_retry_budget() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    model = client(url, max_retries=2, backoff_s=0.2, timeout_s=2)
    started = time.monotonic()
    with pytest.raises(LLMError) as error:
        model.chat(MESSAGES, max_tokens=4)
    elapsed = time.monotonic() - started
    assert url in str(error.value) and "after 3 attempts" in str(error.value)
    assert 0.2 + 0.4 <= elapsed <= model.retry_budget_s()  # both backoffs slept, nothing more


def test_a_server_that_never_answers_times_out_within_the_budget() -> None:
    with socket.socket() as silent:  # accepts connections (backlog) but never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/v1"
        model = client(url, max_retries=1, backoff_s=0.1, timeout_s=0.5)
        started = time.monotonic()
        with pytest.raises(LLMError, match="APITimeoutError"):
            model.chat(MESSAGES, max_tokens=4)
        elapsed = time.monotonic() - started
    assert 2 * 0.5 <= elapsed <= model.retry_budget_s() + 3.0  # slack for a busy machine


def test_5xx_is_retried_with_backoff_then_succeeds() -> None:
    with ScriptedChatServer(statuses=[503, 500]) as server:
        reply = client(server.url, max_retries=2, backoff_s=0.05).chat(MESSAGES, max_tokens=4)[0]
    assert reply.text == "ok"
    assert len(server.bodies) == 3


def test_5xx_beyond_the_retry_budget_names_the_url() -> None:
    with ScriptedChatServer(statuses=[503, 503, 503]) as server:
        with pytest.raises(LLMError, match="unreachable or failing after 2 attempts") as error:
            client(server.url, max_retries=1, backoff_s=0.05).chat(MESSAGES, max_tokens=4)
    assert server.url in str(error.value)
    assert len(server.bodies) == 2


def test_native_n_is_one_request_and_splits_usage() -> None:
    reply = lambda body: completion(body, ["a", "bbb"], prompt_tokens=30, completion_tokens=8)  # noqa: E731
    with ScriptedChatServer(reply=reply) as server:
        samples = client(server.url).chat(MESSAGES, n=2, seed=5, max_tokens=4)
    assert len(server.bodies) == 1 and server.bodies[0]["n"] == 2 and server.bodies[0]["seed"] == 5
    assert [s.text for s in samples] == ["a", "bbb"]
    # the prompt was processed once: charged to the first sample
    assert [s.usage.prompt_tokens for s in samples] == [30, 0]
    assert sum(s.usage.completion_tokens for s in samples) == 8


@pytest.mark.parametrize("thinking", [True, False, None])
def test_thinking_switch_is_sent_as_chat_template_kwargs(thinking: bool | None) -> None:
    with ScriptedChatServer() as server:
        client(server.url, enable_thinking=thinking).chat(MESSAGES, max_tokens=4)
    body = server.bodies[0]
    if thinking is None:
        assert "chat_template_kwargs" not in body
    else:
        assert body["chat_template_kwargs"] == {"enable_thinking": thinking}


def test_think_block_is_kept_apart_from_the_answer() -> None:
    reply = lambda body: completion(body, ["<think>\nplan it\n</think>\n\nprint(1)"])  # noqa: E731
    with ScriptedChatServer(reply=reply) as server:
        answer = client(server.url).chat(MESSAGES, max_tokens=4)[0]
    assert answer.text == "print(1)"
    assert answer.extra["reasoning"] == "plan it"


def test_without_a_tokenize_endpoint_counting_falls_back_to_the_estimate() -> None:
    with ScriptedChatServer() as server:  # answers every POST with a completion, no "tokens"
        model = client(server.url)
        assert model.count_tokens("x" * 40) == 10
        assert model.count_tokens("x" * 41) == 11


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="max_concurrency"):
        OpenAICompatible("m", max_concurrency=0)


def test_a_server_that_cannot_start_reports_its_log(tmp_path: Path) -> None:
    from policies.llm.llama_server import LlamaServer

    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"not a gguf")
    with pytest.raises(LLMError, match="llama.cpp server.*exited") as error:
        LlamaServer(bad, startup_timeout_s=60).start()
    assert "its log ends with" in str(error.value)


def test_reasoning_split_off_by_the_server_is_kept_in_extra() -> None:
    def reply(body: dict) -> dict:
        answer = completion(body, ["print(2)"])
        answer["choices"][0]["message"]["reasoning_content"] = "think first"
        return answer

    with ScriptedChatServer(reply=reply) as server:
        answer = client(server.url).chat(MESSAGES, max_tokens=4)[0]
    assert (answer.text, answer.extra["reasoning"]) == ("print(2)", "think first")


def test_an_answer_without_choices_is_a_clear_error() -> None:
    with ScriptedChatServer(reply=lambda body: completion(body, [])) as server:
        with pytest.raises(LLMError, match="no choices"):
            client(server.url).chat(MESSAGES, max_tokens=4)


def test_a_refused_api_key_names_the_env_var_and_is_not_retried() -> None:
    with ScriptedChatServer(statuses=[401]) as server:
        with pytest.raises(LLMError, match=r"refused the API key \(set it in \$MY_KEY\)"):
            client(server.url, api_key_env="MY_KEY", max_retries=3).chat(MESSAGES, max_tokens=4)
    assert len(server.bodies) == 1
