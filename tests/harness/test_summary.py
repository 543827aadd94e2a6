"""Summary statistics against values computed by hand."""

from __future__ import annotations

import math

import pytest

from envs.mle.env import MLECompetitionEnv
from envs.toolworld.profile import TOOLWORLD_PROFILE
from harness.summary import format_stat, mean_se, summarize, to_markdown


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
    assert mean_se([7.0]) == {"mean": 7.0, "se": None, "n": 1}
    assert mean_se([])["mean"] is None


def test_tgc_and_sgc_are_averaged_over_seeds_with_se_over_seeds():
    s = summarize(TWO_SEEDS, TOOLWORLD_PROFILE)
    # TGC per seed: 2/3 and 1 -> mean 5/6, SE = |1 - 2/3| / 2 = 1/6.
    assert s["headline"]["TGC"]["mean"] == pytest.approx(5 / 6)
    assert s["headline"]["TGC"]["se"] == pytest.approx(1 / 6)
    assert s["headline"]["TGC"]["over"] == "seeds"
    # SGC per seed: s1 fails in seed 0 (b) -> 1/2; both pass in seed 1 -> 1. Mean 3/4, SE 1/4.
    assert s["headline"]["SGC"]["mean"] == pytest.approx(3 / 4)
    assert s["headline"]["SGC"]["se"] == pytest.approx(1 / 4)
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


def test_errors_are_counted_apart_and_left_out_of_the_rates_but_not_the_cost():
    down = {"type": "LLMError", "stage": "act", "reason": "connection refused"}
    records = TWO_SEEDS[:3] + [rec("d", "s3", 3, 0, False, tokens=(0, 0), error=down)]
    s = summarize(records, TOOLWORLD_PROFILE)
    assert (s["episodes"], s["completed"], s["errors"]) == (4, 3, 1)
    assert s["error_reasons"] == {"LLMError (act)": 1}
    assert s["success"]["mean"] == pytest.approx(2 / 3)
    assert "3" not in s["by_difficulty"]
    assert s["cost"]["calls"] == 4
    assert s["cost"]["prompt_tokens"] == 30 and s["cost"]["completion_tokens"] == 15
    assert s["cost"]["tokens_per_episode"]["mean"] == pytest.approx(45 / 4)
    assert s["cost"]["model_time_s"] == pytest.approx(6.0)
    text = to_markdown(s, "t")
    assert "errors (excluded from the rates)" in text and "LLMError (act): 1" in text


def test_agent_limits_count_as_failures_and_are_listed():
    overflow = {"type": "ContextLengthExceeded", "stage": "act", "reason": "context length exceeded"}
    records = TWO_SEEDS[:3] + [{**rec("d", "s3", 3, 0, False), "failure": overflow}]
    s = summarize(records, TOOLWORLD_PROFILE)
    assert (s["completed"], s["errors"]) == (4, 0)
    assert s["success"]["mean"] == pytest.approx(2 / 4)
    assert s["agent_limits"] == {"ContextLengthExceeded (act)": 1}
    assert "ContextLengthExceeded (act): 1" in to_markdown(s, "t")


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
