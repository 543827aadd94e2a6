"""The arithmetic behind the figures: alternation, prefix shares and the vLLM projection."""

from __future__ import annotations

import json
from pathlib import Path

import prefix_stability
import pytest
import vllm_projection
from measure import rotated
from prefix_stability import common_prefix_len, prefix_shares


def test_alternated_rounds_give_every_setting_each_place_in_turn() -> None:
    rounds = [rotated((1, 2, 4), r) for r in range(6)]
    assert rounds[:3] == [[1, 2, 4], [2, 4, 1], [4, 1, 2]]
    assert rounds[3:] == rounds[:3]  # round r starts where round r - 3 did
    assert rotated(range(2), 1) == [1, 0]


def test_common_prefix_len() -> None:
    assert common_prefix_len("abcdef", "abcxyz") == 3
    assert common_prefix_len("abc", "abcdef") == 3
    assert common_prefix_len("", "abc") == 0
    assert common_prefix_len("x" * 10_000 + "a", "x" * 10_000 + "b") == 10_000


def test_prefix_shares_step_to_step_and_cacheable() -> None:
    prompts = [("agent", "S" * 60 + "U" * 40), ("corrector", "C" * 50), ("agent", "S" * 60 + "U" * 40 + "A" * 100)]
    shares = prefix_shares(prompts)
    assert shares["step_prev_mean"] == pytest.approx(100 / 200)  # the corrector sees no history: not an acting role
    assert shares["cached_share"] == pytest.approx(100 / 350)  # only the 2nd agent prompt repeats an earlier prefix
    assert shares["by_role"] == {"agent": 2, "corrector": 1}


def test_chatml_rendering_is_what_a_prefix_cache_sees() -> None:
    text = prefix_stability.chatml([{"role": "system", "content": "s"}, {"role": "user", "content": "u"}])
    assert text == "<|im_start|>system\ns<|im_end|>\n<|im_start|>user\nu<|im_end|>\n"


def test_projection_follows_the_stated_formulas(tmp_path: Path) -> None:
    rows = vllm_projection.project(weights_gb=16.4, prompt_tokens=4000, cached_share=0.2, overhead_s=0.05, env_s=0.01)
    a = {name: v for name, (v, _) in vllm_projection.ASSUMPTIONS.items()}
    context = 4000 + a["completion_tokens_per_step"] / 2
    iteration = (16.4e9 + context * a["kv_kib_per_token"] * 1024) / (a["bandwidth_gb_s"] * 1e9 * a["bandwidth_eff"])
    prefill = 4000 * (1 - 0.2) / (a["fp16_tflops"] * 1e12 * a["prefill_mfu"] / (2 * a["params_b"] * 1e9))
    step = prefill + a["completion_tokens_per_step"] * iteration + 0.01 + 0.05
    first = rows[0]
    assert first["concurrency"] == 1
    assert first["decode_tok_s_per_seq"] == pytest.approx(1 / iteration, abs=0.05)
    assert first["step_s"] == pytest.approx(step, abs=1e-3)
    assert first["harness_share_of_step"] == pytest.approx(0.05 / step, abs=1e-4)
    # the cached share of the prompt is what prefill skips: all cached, no prefill; none cached, 1/0.8 of it
    uncached, cached = (
        vllm_projection.project(weights_gb=16.4, prompt_tokens=4000, cached_share=c, overhead_s=0.05, env_s=0.01)[0]
        for c in (0.0, 1.0)
    )
    assert uncached["step_s"] - cached["step_s"] == pytest.approx(prefill / 0.8, abs=1e-3)
    assert cached["step_s"] == pytest.approx(step - prefill, abs=1e-3)
    rates = [r["decode_tok_s_aggregate"] for r in rows]
    assert rates == sorted(rates)  # batching raises aggregate decode ...
    per_seq = [r["decode_tok_s_per_seq"] for r in rows]
    assert per_seq == sorted(per_seq, reverse=True)  # ... and slows each sequence (more KV read per iteration)
    assert rows[0]["fits_kv_cache"] and not rows[-1]["fits_kv_cache"]  # 32 x 4K tokens exceed ~25K tokens of FP16 KV


def test_projection_reads_measured_inputs_and_says_which_are_defaults(tmp_path: Path) -> None:
    (tmp_path / "harness_overhead.json").write_text(
        json.dumps({"overhead": [{"harness_s": 0.6, "calls": 12, "harness_share": 0.002}]})
    )
    result = vllm_projection.projection(tmp_path)
    assert result["used"]["harness_s_per_step"] == pytest.approx(0.05)
    assert set(result["used"]["defaults_used_for"]) == {"prompt_tokens_per_step", "cached_share", "env_step_s"}
    md = vllm_projection.markdown(result)
    assert "harness_step = 50.0 ms" in md and "Defaults used (not measured in this run)" in md
    for name in vllm_projection.ASSUMPTIONS:
        assert f"| {name} |" in md


def test_throughput_rounds_give_medians_ranges_and_a_ratio_of_medians() -> None:
    """Alternated rounds collapse to one row per worker count: the median, its range, and its ratio to one
    worker's median (not a ratio of one run to another), rendered with the load range."""
    import harness_overhead
    import results_md

    def run(workers: int, rate: float, load: float) -> dict:
        return {
            "case": "replay",
            "workers": workers,
            "episodes": 10,
            "errors": 0,
            "episodes_per_s": rate,
            "load_before": load,
            "load": load + 0.5,
        }

    rows = [
        run(1, 40.0, 0.2),
        run(2, 70.0, 0.3),
        run(1, 44.0, 1.0),
        run(2, 60.0, 1.1),
        run(1, 50.0, 0.4),
        run(2, 90.0, 0.1),
    ]
    summary = {s["workers"]: s for s in harness_overhead.throughput_summary(rows)}
    assert summary[1]["episodes_per_s_median"] == 44.0 and summary[1]["x_one_worker"] == 1.0
    assert summary[2]["episodes_per_s_median"] == 70.0 and summary[2]["episodes_per_s_range"] == [60.0, 90.0]
    assert summary[2]["x_one_worker"] == round(70 / 44, 2) and summary[2]["runs"] == 3
    assert summary[2]["load_range"] == [0.1, 1.6]
    md = results_md._scaling_summary(list(summary.values()))
    assert "| replay | 2 | 3 | 10 | 0 | 70.0 (60.0-90.0) | 1.59x | 0.1-1.6 |" in md
