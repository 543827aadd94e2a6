"""The embedded model's thread count: the cores free when it loads, unless the config names one."""

from __future__ import annotations

import os

import pytest

from policies.llm.base import LLMError
from policies.llm.cpu_threads import free_core_threads, threads_for
from policies.llm.llama_cpp_embedded import LlamaCppEmbedded


@pytest.mark.parametrize(
    ("cores", "load", "threads"),
    [
        (2, 0.0, 2),  # idle: every core
        (2, 0.4, 2),  # mostly idle: rounds to the cores free
        (2, 0.6, 1),
        (2, 1.2, 1),
        (2, 17.0, 1),  # overloaded: never fewer than one
        (8, 2.6, 5),
        (4, -0.1, 4),  # never more than the cores
    ],
)
def test_threads_are_the_cores_the_load_leaves_free(cores: int, load: float, threads: int) -> None:
    assert threads_for(cores, load) == threads


def test_the_machine_now_gives_between_one_thread_and_every_usable_core() -> None:
    assert 1 <= free_core_threads() <= len(os.sched_getaffinity(0))


def test_a_configured_thread_count_is_kept_and_a_bad_one_refused(smollm2_gguf) -> None:
    assert LlamaCppEmbedded(smollm2_gguf, n_threads=3).n_threads == 3
    assert LlamaCppEmbedded(smollm2_gguf).n_threads is None  # chosen when the model loads
    with pytest.raises(LLMError, match="n_threads must be >= 1"):
        LlamaCppEmbedded(smollm2_gguf, n_threads=0)


def test_a_model_loaded_without_a_thread_count_runs_on_the_free_cores(smollm2_gguf) -> None:
    model = LlamaCppEmbedded(smollm2_gguf, context_window=256, prompt_cache_mb=0)
    try:
        llama = model.llama
        assert model.threads is not None and 1 <= model.threads <= len(os.sched_getaffinity(0))
        assert llama.context_params.n_threads == llama.context_params.n_threads_batch == model.threads
    finally:
        model.close()
