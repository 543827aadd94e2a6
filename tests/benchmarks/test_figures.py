"""The arithmetic behind the figures: alternation, prefix shares, the vLLM projection, address layouts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import prefix_stability
import pytest
import results_md
import toolworld
import vllm_projection
from measure import interpreter_address, rotated
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


def _sleeper(*prefix: str) -> subprocess.Popen[bytes]:
    """A Python process, exec'd under `prefix`, running (its code all mapped) until its stdin closes."""
    process = subprocess.Popen(
        [*prefix, sys.executable, "-c", "import sys; print('up', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stdout.readline() == b"up\n"
    return process


def test_interpreter_address_is_shared_by_a_fork_and_randomized_across_execs() -> None:
    ours = interpreter_address()
    assert ours is not None and ours % os.sysconf("SC_PAGE_SIZE") == 0
    child = os.fork()
    if child == 0:
        time.sleep(5)
        os._exit(0)
    try:
        assert interpreter_address(child) == ours  # a fork keeps its parent's mappings
    finally:
        os.kill(child, 9)
        os.waitpid(child, 0)
    if Path("/proc/sys/kernel/randomize_va_space").read_text().strip() == "0":
        pytest.skip("address-space randomization is off on this machine")
    first, second = _sleeper(), _sleeper()
    try:
        assert None not in (interpreter_address(first.pid), interpreter_address(second.pid))
        assert interpreter_address(first.pid) != interpreter_address(second.pid) != ours  # each exec maps it elsewhere
    finally:
        for process in (first, second):
            process.communicate(b"")


def test_interpreter_address_is_the_same_in_processes_run_under_setarch_r() -> None:
    if shutil.which("setarch") is None or subprocess.run(["setarch", "-R", "true"]).returncode != 0:
        pytest.skip("setarch -R cannot run here")
    first, second = _sleeper("setarch", "-R"), _sleeper("setarch", "-R")
    try:
        assert interpreter_address(first.pid) is not None and interpreter_address(first.pid) == interpreter_address(
            second.pid
        )
    finally:
        for process in (first, second):
            process.communicate(b"")


def test_interpreter_address_of_a_process_gone_is_none() -> None:
    process = _sleeper()
    process.communicate(b"")
    assert interpreter_address(process.pid) is None


def test_layout_summary_takes_medians_and_checks_each_run_had_its_layout() -> None:
    def run(layout: str, ratio: float, same: bool | None) -> dict[str, object]:
        return {"layout": layout, "step_ms": ratio / 10, "floor_ms": 0.1, "step_x_floor": ratio, "same_addresses": same}

    rows = [run("randomized", 2.1, False), run("same_addresses", 1.8, True), run("randomized", 2.3, False)]
    rows += [run("same_addresses", 1.9, True), run("randomized", 2.0, False), run("same_addresses", 1.7, True)]
    summary = toolworld.layout_summary(rows)
    assert summary["randomized"] == {
        "runs": 3,
        "step_ms": 0.21,
        "floor_ms": 0.1,
        "step_x_floor": 2.1,
        "layout_as_meant": True,
    }
    assert summary["same_addresses"]["step_x_floor"] == 1.8 and summary["same_addresses"]["layout_as_meant"]
    rows[1]["same_addresses"] = False  # setarch ran, yet the worker was mapped apart: the figure is not what it says
    assert not toolworld.layout_summary(rows)["same_addresses"]["layout_as_meant"]
    unread = [run("randomized", 2.0, None), {"layout": "same_addresses", "error": "setarch not found"}]
    summary = toolworld.layout_summary(unread)
    assert not summary["randomized"]["layout_as_meant"]  # unchecked is not as meant
    assert summary["same_addresses"] == {"runs": 0, "errors": ["setarch not found"]}


def test_the_floors_api_call_is_the_steps_call_served_in_process() -> None:
    """The floor's in-process call must serve what ONE_CALL's step gets (it read the login's recorded reply,
    and broke silently when records started keeping replies as JSON text)."""
    env = toolworld.ToolWorldEnv(split="train", max_steps=40)
    try:
        call = toolworld.served_call(toolworld.logged_in(env))
        ok, alarms, error = call()
        _, _, _, _, info = env.step(toolworld.ONE_CALL)
        assert ok and not error and info["api_calls"] == 1
        assert str(alarms) in env.steps[-1].output
    finally:
        env.close()


def test_toolworld_results_say_which_sandbox_layers_were_on() -> None:
    """A run with bwrap and one without are not the same measurement: the layers go into the results and the
    RESULTS.md row."""
    env = toolworld.ToolWorldEnv(split="train", max_steps=5)
    try:
        layers = toolworld.sandbox_layers(env.reset(options={"task_id": toolworld.TASK})[1])
    finally:
        env.close()
    assert set(layers) >= {"bwrap", "landlock", "seccomp"} and set(layers.values()) <= {"on", "off"}
    figures = {"reset_ms": {"p50": 0.2, "p99": 0.8}, "one_call_step_ms": {"p50": 0.3, "p99": 0.5}}
    lookup = results_md._Lookup({"toolworld": {"results": {"toolworld.json": {**figures, "sandbox": layers}}}})
    table, _ = results_md._env_latency(lookup)
    said = ", ".join(f"{layer}={state}" for layer, state in layers.items())
    assert f"| ToolWorld (one-API-call step; sandbox {said}) | 0.2 | 0.8 | 0.3 | 0.5 |" in table
