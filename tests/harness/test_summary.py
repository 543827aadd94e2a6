"""Summary statistics against values computed by hand."""

from __future__ import annotations

import math

import pytest

from envs.mle.env import MLECompetitionEnv
from envs.toolworld.profile import TOOLWORLD_PROFILE
from harness.summary import format_interval, format_stat, mean_se, summarize, to_markdown


def rec(task, scenario, difficulty, seed, success, *, tokens=(10, 5), error=None, metrics=None):
    return {
        "key": f"{task}@{seed}",
        "task_id": task,
        "scenario": scenario,
        "difficulty": difficulty,
        "seed": seed,
        "success": success,
        "reward": float(success),
        "steps": 3,
        "wall_time_s": 2.0,
        "metrics": metrics or {},
        "error": error,
        "llm": {
            "by_role": {"agent": {"calls": 1, "prompt_tokens": tokens[0], "completion_tokens": tokens[1]}},
            "total": {"calls": 1, "prompt_tokens": tokens[0], "completion_tokens": tokens[1], "model_time_s": 1.5},
        },
    }


# Two seeds. Seed 0: a=1, b=0, c=1; seed 1: a=1, b=1, c=1. Scenario s1 = {a, b}, s2 = {c}.
TWO_SEEDS = [
    rec("a", "s1", 1, 0, True),
    rec("b", "s1", 2, 0, False),
    rec("c", "s2", 1, 0, True),
    rec("a", "s1", 1, 1, True),
    rec("b", "s1", 2, 1, True),
    rec("c", "s2", 1, 1, True),
]


def test_mean_se_matches_the_textbook_formula():
    stat = mean_se([1.0, 2.0, 3.0, 4.0])
    assert stat["mean"] == 2.5
    assert stat["se"] == pytest.approx(math.sqrt(5 / 3 / 4))  # sample var 5/3, n 4
    # 95% t interval: mean +- t(0.975, 3 dof) * SE, t = 3.18245 from the table.
    low, high = stat["ci95"]
    assert (low, high) == pytest.approx((2.5 - 3.18245 * stat["se"], 2.5 + 3.18245 * stat["se"]), abs=1e-4)
    assert stat["ci_method"] == "t"
    assert mean_se([7.0]) == {"mean": 7.0, "se": None, "n": 1, "ci95": None, "ci_method": None}
    assert mean_se([])["mean"] is None
    assert mean_se([0.0, 10.0], bounds=(0.0, 12.0))["ci95"] == [0.0, 12.0]  # a count cannot be below 0


def test_rates_get_the_wilson_interval_which_is_wide_for_5_of_5():
    s = summarize([rec(t, t, 1, 0, True) for t in "abcde"], TOOLWORLD_PROFILE)
    # Wilson score interval for 5/5: [n / (n + z^2), 1] with z = 1.959964 -> [0.56552, 1].
    assert s["success"]["mean"] == 1.0 and s["success"]["se"] == 0.0
    assert s["success"]["ci95"] == pytest.approx([5 / (5 + 1.959964**2), 1.0], abs=1e-5)
    assert s["success"]["ci_method"] == "wilson"
    # 1 of 3: (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)
    one = summarize(
        [rec("a", "a", 1, 0, True), rec("b", "b", 1, 0, False), rec("c", "c", 1, 0, False)], TOOLWORLD_PROFILE
    )
    z, n, p = 1.959964, 3, 1 / 3
    centre, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert one["success"]["ci95"] == pytest.approx(
        [(centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)]
    )
    assert "| TGC | 100.0% +- 0.0 (n=5) | [56.6, 100.0] Wilson |" in to_markdown(s, "t")


def test_tgc_and_sgc_are_averaged_over_seeds_with_se_over_seeds():
    s = summarize(TWO_SEEDS, TOOLWORLD_PROFILE)
    # TGC per seed: 2/3 and 1 -> mean 5/6, SE = |1 - 2/3| / 2 = 1/6.
    assert s["headline"]["TGC"]["mean"] == pytest.approx(5 / 6)
    assert s["headline"]["TGC"]["se"] == pytest.approx(1 / 6)
    assert s["headline"]["TGC"]["over"] == "seeds"
    # SGC per seed: s1 fails in seed 0 (b) -> 1/2; both pass in seed 1 -> 1. Mean 3/4, SE 1/4.
    assert s["headline"]["SGC"]["mean"] == pytest.approx(3 / 4)
    assert s["headline"]["SGC"]["se"] == pytest.approx(1 / 4)
    # Over 2 seeds the interval is t with 1 dof: 5/6 -+ 12.706 * 1/6 = [-1.28, 2.95], cut to what a rate can be.
    assert (s["headline"]["TGC"]["ci95"], s["headline"]["TGC"]["ci_method"]) == ([0.0, 1.0], "t")
    # Difficulty 2 is task b only: 0 then 1 -> 0.5 +- 0.5; difficulty 1 always succeeds.
    assert s["by_difficulty"]["2"]["success"]["mean"] == pytest.approx(0.5)
    assert s["by_difficulty"]["2"]["success"]["se"] == pytest.approx(0.5)
    assert s["by_difficulty"]["1"]["success"]["mean"] == 1.0


def test_one_seed_gives_se_over_tasks():
    s = summarize(TWO_SEEDS[:3], TOOLWORLD_PROFILE)
    # successes 1, 0, 1: mean 2/3, sample variance 1/3, SE sqrt(1/9) = 1/3.
    assert s["success"]["mean"] == pytest.approx(2 / 3)
    assert s["success"]["se"] == pytest.approx(1 / 3)
    assert s["success"]["over"] == "units"


def test_agent_errors_are_failures_and_infra_errors_are_left_out_loudly_but_cost():
    crash = {"type": "RuntimeError", "stage": "step", "reason": "env crashed", "kind": "agent"}
    down = {"type": "ModelUnavailable", "stage": "act", "reason": "connection refused", "kind": "infra"}
    records = TWO_SEEDS[:3] + [
        rec("d", "s3", 3, 0, False, error=crash),
        rec("e", "s4", 3, 0, False, tokens=(0, 0), error=down),
    ]
    s = summarize(records, TOOLWORLD_PROFILE)
    assert (s["episodes"], s["completed"], s["scored"], s["errors"]) == (5, 3, 4, 2)
    assert (s["agent_failures"], s["infra_errors"]) == (1, 1)
    assert s["agent_failure_reasons"] == {"RuntimeError (step)": 1}
    assert s["infra_error_reasons"] == {"ModelUnavailable (act)": 1}
    assert s["success"]["mean"] == pytest.approx(2 / 4)  # the crash counts, the outage does not
    assert s["by_difficulty"]["3"]["success"]["ci95"] == pytest.approx([0.0, 1.959964**2 / (1 + 1.959964**2)], abs=1e-6)
    assert s["cost"]["calls"] == 5
    assert s["cost"]["prompt_tokens"] == 40 and s["cost"]["completion_tokens"] == 20
    text = to_markdown(s, "t")
    assert "**WARNING: 1 of 5 attempted episodes are EXCLUDED from the rates" in text
    assert "counted as failures in the rates" in text and "RuntimeError (step): 1" in text
    assert "EXCLUDED from the rates, after retries" in text and "ModelUnavailable (act): 1" in text


def test_records_from_before_error_kinds_count_as_the_agents_failures():
    old = {"type": "LLMError", "stage": "act", "reason": "connection refused"}
    s = summarize(TWO_SEEDS[:3] + [rec("d", "s3", 3, 0, False, error=old)], TOOLWORLD_PROFILE)
    assert (s["agent_failures"], s["infra_errors"], s["warnings"]) == (1, 0, [])
    assert s["success"]["mean"] == pytest.approx(2 / 4)


def test_a_crash_scores_0_on_every_headline_metric_even_when_its_last_info_had_one():
    crash = {"type": "RuntimeError", "stage": "step", "reason": "env crashed", "kind": "agent"}
    records = [
        rec("x", "x", 1, 0, True, metrics={"any_medal": 1.0, "valid_submission": 1.0}),
        rec("y", "y", 1, 0, False, error=crash, metrics={"any_medal": 1.0}),
        rec("z", "z", 1, 0, False, error=crash),
    ]
    s = summarize(records, MLECompetitionEnv.profile)
    assert s["headline"]["any medal"]["mean"] == pytest.approx(1 / 3)
    assert s["headline"]["valid submission"]["mean"] == pytest.approx(1 / 3)


def test_mle_headline_rates_come_from_metrics_over_seeds():
    medals = {(0, "x"): 1, (0, "y"): 0, (0, "z"): 0, (1, "x"): 1, (1, "y"): 1, (1, "z"): 0}
    records = [
        rec(
            task,
            task,
            1,
            seed,
            bool(m),
            metrics={"any_medal": m, "valid_submission": 1, "valid_code_rate": 0.5 + 0.25 * seed},
        )
        for (seed, task), m in medals.items()
    ]
    s = summarize(records, MLECompetitionEnv.profile)
    # any medal per seed: 1/3 and 2/3 -> mean 1/2, SE 1/6.
    assert s["headline"]["any medal"]["mean"] == pytest.approx(0.5)
    assert s["headline"]["any medal"]["se"] == pytest.approx(1 / 6)
    assert s["headline"]["valid submission"]["mean"] == 1.0
    # valid-code rate per seed 0.5 and 0.75 -> 0.625 +- 0.125.
    assert s["headline"]["valid-code rate"]["mean"] == pytest.approx(0.625)
    assert s["headline"]["valid-code rate"]["se"] == pytest.approx(0.125)
    assert s["headline"]["made submission"] is None  # no such metric recorded: shown as "-"
    assert "| made submission | - |" in to_markdown(s, "t")


def test_format_stat():
    assert format_stat({"mean": 1 / 3, "se": 0.1, "n": 3}) == "33.3% +- 10.0 (n=3)"
    assert format_stat({"mean": 0.5, "se": 0.25, "n": 2, "over": "seeds"}) == "50.0% +- 25.0 (n=2, seeds)"
    assert format_stat({"mean": 12.0, "se": None, "n": 1}, percent=False) == "12.0 (n=1)"
    assert format_stat(None) == "-"


def test_format_interval():
    assert format_interval({"mean": 1.0, "ci95": [0.5655, 1.0], "ci_method": "wilson"}) == "[56.5, 100.0] Wilson"
    assert format_interval({"mean": 2.5, "ci95": [0.4457, 4.554], "ci_method": "t"}, percent=False) == "[0.4, 4.6] t"
    small = {"mean": 0.001, "ci95": [0.000735, 0.00127], "ci_method": "t"}
    assert format_interval(small, percent=False) == "[0.000735, 0.00127] t"  # not [0.0, 0.0]
    assert format_interval({"mean": 7.0, "ci95": None}) == "-"


def test_only_rates_get_wilson_a_count_that_happens_to_be_0_or_1_gets_t() -> None:
    records = [rec(t, t, 1, 0, ok, metrics={"api_calls": calls}) for t, ok, calls in (("a", True, 1), ("b", False, 0))]
    summary = summarize(records, TOOLWORLD_PROFILE)
    assert summary["success"]["ci_method"] == "wilson" and summary["sgc"]["ci_method"] == "wilson"
    calls = summary["metrics"]["api_calls"]
    assert calls["ci_method"] == "t" and calls["ci95"][0] < 0.0 and calls["ci95"][1] > 1.0  # not clipped to [0, 1]
