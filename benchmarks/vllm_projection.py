"""Projected throughput of ToolWorld episodes with a vLLM server for Qwen3-8B on one 24 GB GPU.

No GPU here: this is arithmetic, with every input named in ASSUMPTIONS
(hardware specs and model shapes are public facts; efficiencies, tokens per
step and steps per episode are assumptions) or MEASURED here (the harness's
per-step overhead from results/harness_overhead.json, the prompt size and prefix
cache share from results/prefix_stability.json, the ToolWorld step time
from results/toolworld.json). Decode is memory-bound: one decode iteration
reads the weights once plus every running sequence's KV cache, so with b
sequences in flight an iteration takes (W + b * ctx * kv_per_token) / (BW * eff)
seconds and yields b tokens. Prefill is compute-bound:
2 * params FLOPs per uncached prompt token at MFU of the peak.
Run: .venv/bin/python benchmarks/vllm_projection.py (after the benchmarks it reads).
Writes benchmarks/results/vllm_projection.json.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).parent / "results"
RESULTS = RESULTS_DIR / "vllm_projection.json"
CHARS_PER_TOKEN = 4.0  # README "Token counting": English prose and code average 3.5-4.5

# (value, source): "fact" = public spec / model config; "assumption" = chosen here, change freely.
ASSUMPTIONS: dict[str, tuple[float, str]] = {
    "params_b": (8.2, "fact: Qwen3-8B has 8.2 B parameters"),
    "weight_gb_fp16": (16.4, "fact: 8.2 B x 2 bytes"),
    "weight_gb_awq": (5.7, "assumption: 4-bit AWQ weights + FP16 embeddings/head, ~5.7 GB"),
    "kv_kib_per_token": (144.0, "fact: 36 layers x 8 KV heads x 128 dims x (K,V) x 2 bytes = 144 KiB"),
    "gpu_mem_gb": (24.0, "fact: one 24 GB GPU (RTX 4090 class)"),
    "gpu_mem_util": (0.90, "assumption: vLLM's default gpu_memory_utilization"),
    "runtime_reserve_gb": (1.5, "assumption: activations, CUDA graphs, allocator slack"),
    "bandwidth_gb_s": (1008.0, "fact: RTX 4090 memory bandwidth (L4: 300, A10: 600 -> scale decode down)"),
    "bandwidth_eff": (0.7, "assumption: share of peak bandwidth a decode iteration reaches"),
    "fp16_tflops": (165.0, "fact: RTX 4090 dense FP16 tensor TFLOPS with FP32 accumulate"),
    "prefill_mfu": (0.4, "assumption: model FLOPs utilization during prefill"),
    "completion_tokens_per_step": (150.0, "assumption: a ReAct code step of ~100-300 tokens, thinking off"),
    "steps_per_episode": (20.0, "assumption: AppWorld-like episodes end in 15-30 steps"),
}
CONCURRENCY = (1, 2, 4, 8, 16, 32)


def value(name: str) -> float:
    return ASSUMPTIONS[name][0]


def measured_inputs(results_dir: Path = RESULTS_DIR) -> dict[str, Any]:
    """Harness overhead per step, prompt tokens per step, cached share, env step time; None where not measured."""

    def load(name: str) -> dict[str, Any] | None:
        path = results_dir / f"{name}.json"
        return json.loads(path.read_text()) if path.is_file() else None

    out: dict[str, Any] = {
        "harness_s_per_step": None,
        "prompt_tokens_per_step": None,
        "cached_share": None,
        "env_step_s": None,
    }
    harness = load("harness_overhead")
    if harness and harness.get("overhead"):
        row = harness["overhead"][0]
        if row.get("calls"):
            out["harness_s_per_step"] = max(row["harness_s"], 0.0) / row["calls"]
            out["harness_share_embedded"] = row.get("harness_share")
    prefix = load("prefix_stability")
    if prefix:
        none = next((r for r in prefix["rows"] if r["stack"] == "none"), None)
        if none:
            out["prompt_tokens_per_step"] = (
                none["prompt_chars_per_episode"] / none["requests_per_episode"] / CHARS_PER_TOKEN
            )
            out["cached_share"] = none["cached_share"]
    toolworld = load("toolworld")
    if toolworld and "one_call_step_ms" in toolworld:
        out["env_step_s"] = toolworld["one_call_step_ms"]["p50"] / 1000
    return out


def kv_capacity_tokens(weights_gb: float) -> float:
    free_gb = value("gpu_mem_gb") * value("gpu_mem_util") - weights_gb - value("runtime_reserve_gb")
    return max(free_gb, 0.0) * 1e9 / (value("kv_kib_per_token") * 1024)


def project(
    weights_gb: float, prompt_tokens: float, cached_share: float, overhead_s: float, env_s: float
) -> list[dict[str, Any]]:
    """One row per concurrency b: step time, decode rates, steps/s and episodes/h; b beyond the KV cache is marked."""
    kv_bytes = value("kv_kib_per_token") * 1024
    context = prompt_tokens + value("completion_tokens_per_step") / 2  # mean KV length while decoding
    capacity = kv_capacity_tokens(weights_gb)
    bandwidth = value("bandwidth_gb_s") * 1e9 * value("bandwidth_eff")
    prefill_rate = value("fp16_tflops") * 1e12 * value("prefill_mfu") / (2 * value("params_b") * 1e9)
    rows = []
    for b in CONCURRENCY:
        iteration_s = (weights_gb * 1e9 + b * context * kv_bytes) / bandwidth
        decode_per_seq = 1 / iteration_s
        prefill_s = b * prompt_tokens * (1 - cached_share) / prefill_rate  # prefills of the batch share the GPU
        step_s = prefill_s + value("completion_tokens_per_step") / decode_per_seq + env_s + overhead_s
        steps_per_s = b / step_s
        rows.append(
            {
                "concurrency": b,
                "fits_kv_cache": b * (prompt_tokens + value("completion_tokens_per_step")) <= capacity,
                "decode_tok_s_per_seq": round(decode_per_seq, 1),
                "decode_tok_s_aggregate": round(b * decode_per_seq, 1),
                "step_s": round(step_s, 3),
                "harness_share_of_step": round(overhead_s / step_s, 4),
                "steps_per_s": round(steps_per_s, 2),
                "episodes_per_hour": round(steps_per_s * 3600 / value("steps_per_episode"), 1),
            }
        )
    return rows


def projection(results_dir: Path = RESULTS_DIR) -> dict[str, Any]:
    measured = measured_inputs(results_dir)
    prompt_tokens = measured["prompt_tokens_per_step"] or 6000.0
    cached = measured["cached_share"] if measured["cached_share"] is not None else 0.0
    overhead = measured["harness_s_per_step"] if measured["harness_s_per_step"] is not None else 0.05
    env_s = measured["env_step_s"] if measured["env_step_s"] is not None else 0.005
    settings = {
        "fp16 (12K context)": value("weight_gb_fp16"),
        "awq (32K context)": value("weight_gb_awq"),
    }
    return {
        "assumptions": {name: {"value": v, "source": source} for name, (v, source) in ASSUMPTIONS.items()},
        "measured": measured,
        "used": {
            "prompt_tokens_per_step": prompt_tokens,
            "cached_share": cached,
            "harness_s_per_step": overhead,
            "env_step_s": env_s,
            "defaults_used_for": [
                k
                for k in ("prompt_tokens_per_step", "cached_share", "harness_s_per_step", "env_step_s")
                if measured[k] is None
            ],
        },
        "kv_capacity_tokens": {label: round(kv_capacity_tokens(w)) for label, w in settings.items()},
        "rows": {label: project(w, prompt_tokens, cached, overhead, env_s) for label, w in settings.items()},
        "rows_no_prefix_cache": {
            label: project(w, prompt_tokens, 0.0, overhead, env_s) for label, w in settings.items()
        },
    }


def markdown(result: Mapping[str, Any]) -> str:
    """The math and the table for RESULTS.md."""
    used = result["used"]
    lines = [
        "Model: decode is memory-bound, so one decode iteration with b sequences in flight takes",
        "`t_it = (W + b * L * kv) / (BW * eff)` and every sequence gets `1 / t_it` tokens/s;",
        "prefill is compute-bound at `peak * MFU / (2 * params)` tokens/s and only uncached prompt tokens count;",
        "`t_step = b * P * (1 - c) / prefill_rate + C * t_it + env_step + harness_step`,",
        "`steps/s = b / t_step`, `episodes/h = 3600 * steps/s / steps_per_episode`.",
        "",
        f"Inputs measured here: P = {used['prompt_tokens_per_step']:.0f} prompt tokens per step (the `none` stack of "
        f"prefix_stability, {CHARS_PER_TOKEN:g} chars/token), c = {used['cached_share']:.3f} prefix-cache share, "
        f"harness_step = {used['harness_s_per_step'] * 1000:.1f} ms (benchmarks/harness_overhead.py, embedded model), "
        f"env_step = {used['env_step_s'] * 1000:.1f} ms (ToolWorld one-call step p50)."
        + (
            f" Defaults used (not measured in this run): {', '.join(used['defaults_used_for'])}."
            if used["defaults_used_for"]
            else ""
        ),
        "",
        "| input | value | source |",
        "|---|---|---|",
        *[f"| {name} | {a['value']:g} | {a['source']} |" for name, a in result["assumptions"].items()],
        "",
        "KV cache capacity: "
        + ", ".join(f"{label}: {tokens:,} tokens" for label, tokens in result["kv_capacity_tokens"].items()),
        "",
        "| setting | concurrency | fits KV | decode tok/s per seq | aggregate tok/s | step s | harness share "
        "| steps/s | episodes/h | episodes/h without prefix cache |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, rows in result["rows"].items():
        for row, plain in zip(rows, result["rows_no_prefix_cache"][label], strict=True):
            lines.append(
                f"| {label} | {row['concurrency']} | {'yes' if row['fits_kv_cache'] else 'no (queued)'} "
                f"| {row['decode_tok_s_per_seq']} | {row['decode_tok_s_aggregate']} | {row['step_s']} "
                f"| {row['harness_share_of_step']:.2%} | {row['steps_per_s']} "
                f"| {row['episodes_per_hour']} | {plain['episodes_per_hour']} |"
            )
    lines += [
        "",
        "Rows marked 'no (queued)' do not fit the KV cache at once: vLLM would queue the extra sequences, so "
        "the real figure is the highest row that fits.",
    ]
    return "\n".join(lines)


def main() -> None:
    result = projection()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1))
    print(markdown(result))
    print(f"written: {RESULTS}")


if __name__ == "__main__":
    main()
