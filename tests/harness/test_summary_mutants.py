"""Summary numbers and table pinned whole (issue 24: mutants of harness/summary.py that the other tests let live).

One run of five episodes, one seed: a success, a partial failure, a success with no scenario or difficulty, an
agent crash and an infrastructure outage. Every number below is worked out by hand in the comments.
"""

from __future__ import annotations

import math

import pytest

from envs.contract import EnvProfile
from envs.mle.env import MLECompetitionEnv
from envs.toolworld.profile import TOOLWORLD_PROFILE
from harness.summary import aggregate, format_interval, format_stat, lookup, mean_se, summarize, to_markdown

CRASH = {"type": "RuntimeError", "stage": "step", "reason": "env crashed", "kind": "agent"}
DOWN = {"type": "ModelUnavailable", "stage": "act", "reason": "connection refused", "kind": "infra"}


def llm(*roles: tuple[str, int, int, int]) -> dict:
    """LLM cost of an episode: (role, calls, prompt tokens, completion tokens) per role, 0.5 s of model time each."""
    by_role = {name: {"calls": c, "prompt_tokens": p, "completion_tokens": t, "model": "m"} for name, c, p, t in roles}
    total = {
        "calls": sum(r[1] for r in roles),
        "prompt_tokens": sum(r[2] for r in roles),
        "completion_tokens": sum(r[3] for r in roles),
        "model_time_s": 0.5 * len(roles),
    }
    return {"by_role": by_role, "total": total}


def episode(task: str, scenario: str | None, difficulty: int | None, success: bool, reward: float, **fields) -> dict:
    return {
        "key": f"{task}@0",
        "task_id": task,
        "scenario": scenario,
        "difficulty": difficulty,
        "seed": 0,
        "success": success,
        "reward": reward,
        "error": None,
        "metrics": {},
        **fields,
    }


RECORDS = [
    episode(
        "a",
        "s1",
        1,
        True,
        1.0,
        steps=4,
        wall_time_s=3.0,
        env_time_s=1.0,
        llm=llm(("agent", 2, 100, 20), ("critic", 1, 40, 10)),
        metrics={"calls_made": 2.0, "success": 1.0},
    ),  # fmt: skip
    episode(
        "b",
        "s1",
        2,
        False,
        0.25,
        steps=6,
        wall_time_s=5.0,
        env_time_s=2.0,
        llm=llm(("agent", 3, 150, 30)),
        metrics={"calls_made": 4.0},
    ),  # fmt: skip
    episode("c", None, None, True, 0.75, steps=2, wall_time_s=1.0, env_time_s=0.5, llm=llm(("agent", 1, 50, 10))),
    episode(
        "d", "s3", 2, False, 0.0, steps=1, wall_time_s=0.5, env_time_s=None, llm=llm(("agent", 1, 10, 0)), error=CRASH
    ),
    episode("e", "s4", 1, False, 0.0, steps=None, wall_time_s=None, env_time_s=None, llm=None, error=DOWN),
]

# Scored: a, b, c, d (e is infra). success 1,0,1,0: 50%, SE sqrt((1/3)/4); SGC over s1 (b fails), c (no scenario:
# its task), s3 (crash): 1/3. Difficulty 1 is a alone (e is left out), 2 is b and d; c has none. Steps 4+6+2+1+0,
# tokens 170+180+60+10+0 over 5 episodes (the outage costs too); calls_made 2 and 4 (t, 1 dof: 3 -+ 12.706).
EXPECTED_MARKDOWN = """\
# run

**WARNING: 1 of 5 attempted episodes are EXCLUDED from the rates: infrastructure errors that persisted through \
the retries (model unreachable, env failed to start); the rates are over the other episodes only**

episodes: 5 attempted, 3 completed, 1 ended by the agent's errors (failures in the rates), 1 infrastructure \
errors (excluded); seeds [0]; rates are over 4 episodes

| metric | mean +- SE | 95% interval |
| --- | --- | --- |
| TGC | 50.0% +- 28.9 (n=4) | [15.0, 85.0] Wilson |
| SGC | 33.3% +- 33.3 (n=3) | [6.1, 79.2] Wilson |
| mean reward | 0.5 +- 0.2 (n=4) | [0.0, 1.0] t |
| success, difficulty 1 | 100.0% (n=1) | [20.7, 100.0] Wilson |
| success, difficulty 2 | 0.0% +- 0.0 (n=2) | [0.0, 65.8] Wilson |
| steps per episode | 2.6 +- 1.1 (n=5) | [0.0, 5.6] t |
| calls_made | 3.0 +- 1.0 (n=2) | [-9.7, 15.7] t |

LLM: 8 calls, 350 prompt + 70 completion tokens (84.0 +- 38.5 (n=5) per episode); model time 2.5 s, env time \
3.5 s, episode wall time 9.5 s
- agent: 7 calls, 370 tokens
- critic: 1 calls, 50 tokens

episodes ended by the agent's errors (counted as failures in the rates):
- RuntimeError (step): 1

infrastructure errors (EXCLUDED from the rates, after retries):
- ModelUnavailable (act): 1
"""


def test_the_whole_table_of_a_run_with_a_crash_and_an_outage():
    assert to_markdown(summarize(RECORDS, TOOLWORLD_PROFILE), "run") == EXPECTED_MARKDOWN


def test_the_summary_numbers_of_that_run():
    s = summarize(RECORDS, TOOLWORLD_PROFILE)
    assert (s["env"], s["episodes"], s["completed"], s["scored"], s["errors"]) == ("toolworld", 5, 3, 4, 2)
    assert s["success"] == {
        "mean": 0.5,
        "se": pytest.approx(math.sqrt(1 / 3 / 4)),
        "n": 4,
        "ci95": pytest.approx([0.150039, 0.849961], abs=1e-6),  # Wilson 2/4, z = 1.959964
        "ci_method": "wilson",
        "over": "units",
    }
    assert s["sgc"]["mean"] == pytest.approx(1 / 3) and s["sgc"]["n"] == 3
    # reward 1, .25, .75, 0: mean .5, sample var (.25 + .0625 + .0625 + .25) / 3; t interval cut to [0, 1].
    assert s["reward"]["se"] == pytest.approx(math.sqrt(0.625 / 3 / 4))
    assert (s["reward"]["ci95"], s["reward"]["ci_method"]) == ([0.0, 1.0], "t")
    assert list(s["by_difficulty"]) == ["1", "2"]
    assert s["by_difficulty"]["2"]["reward"]["mean"] == 0.125
    assert s["metrics"]["calls_made"]["ci95"] == pytest.approx([3 - 12.7062047, 3 + 12.7062047])
    assert s["headline"] == {"TGC": s["success"], "SGC": s["sgc"]}
    cost = s["cost"]
    assert cost["by_role"] == {
        "agent": {"calls": 7, "prompt_tokens": 310, "completion_tokens": 60},
        "critic": {"calls": 1, "prompt_tokens": 40, "completion_tokens": 10},
    }
    assert (cost["calls"], cost["prompt_tokens"], cost["completion_tokens"]) == (8, 350, 70)
    assert (cost["episode_wall_time_s"], cost["model_time_s"], cost["env_time_s"]) == (9.5, 2.5, 3.5)
    assert cost["tokens_per_episode"]["mean"] == 84.0 and cost["tokens_per_episode"]["ci95"][0] == 0.0
    assert cost["wall_time_per_episode_s"]["mean"] == 1.9 and cost["steps_per_episode"]["mean"] == 2.6


def test_a_run_without_errors_has_no_warning_and_no_error_sections():
    s = summarize(RECORDS[:3], TOOLWORLD_PROFILE)
    assert (s["warnings"], s["agent_failure_reasons"], s["infra_error_reasons"]) == ([], {}, {})
    text = to_markdown(s, "clean")
    assert "WARNING" not in text and "agent's errors (counted" not in text and "EXCLUDED from the rates," not in text


def test_seeds_whose_units_are_empty_are_left_out_of_the_mean_over_seeds():
    # calls_made is reported in seed 0 only (2 and 4: 3.0) and seed 1 (6.0); seed 2 reports nothing.
    records = [
        {**RECORDS[0], "seed": 0},
        {**RECORDS[1], "seed": 0},
        {**RECORDS[0], "seed": 1, "metrics": {"calls_made": 6.0}},
        {**RECORDS[2], "seed": 2},
    ]
    s = summarize(records, TOOLWORLD_PROFILE)
    assert s["metrics"]["calls_made"]["mean"] == 4.5 and s["metrics"]["calls_made"]["n"] == 2
    assert s["metrics"]["calls_made"]["over"] == "seeds" and s["seeds"] == [0, 1, 2]
    # Success per seed 1/2, 1, 1 (in [0, 1]): its t interval is cut to [0, 1].
    assert s["success"]["mean"] == pytest.approx(5 / 6) and s["success"]["ci95"][1] == 1.0


def test_bounds_cut_each_side_of_an_interval_alone():
    stat = mean_se([1.0, 2.0, 3.0], bounds=(1.5, 2.2))
    assert stat["ci95"] == [1.5, 2.2]
    assert mean_se([1.0, 2.0, 3.0])["ci95"] == pytest.approx(
        [2 - 4.3026527 / math.sqrt(3), 2 + 4.3026527 / math.sqrt(3)]
    )


def test_lookup_and_the_formats_at_their_edges():
    summary = {"success": {"mean": 1.0}, "metrics": {"any_medal": 0.5}}
    assert lookup(summary, "success") == {"mean": 1.0}
    assert lookup(summary, "metrics.any_medal") == 0.5
    assert lookup(summary, "metrics.any_medal.deeper") is None and lookup(summary, "missing") is None
    assert format_stat({"mean": None, "n": 0}) == "-" and format_stat({}) == "-"
    assert format_stat({"mean": 2.0, "se": 0.5, "n": 4}, percent=False) == "2.0 +- 0.5 (n=4)"
    assert format_interval({"ci95": [0.0, 0.05], "ci_method": "t"}, percent=False) == "[0.0, 0.05] t"
    assert format_interval({"ci95": [-0.1, 0.1], "ci_method": "t"}, percent=False) == "[-0.1, 0.1] t"
    assert format_interval({"ci95": [0.25, 0.5], "ci_method": "other"}) == "[25.0, 50.0]"


def test_an_error_that_is_not_a_mapping_is_reported_by_its_text_cut_to_200_characters():
    record = episode("x", "x", 1, False, 0.0, steps=1, llm=None, error="boom " * 60)
    s = summarize([record], TOOLWORLD_PROFILE)
    assert s["agent_failure_reasons"] == {("boom " * 60)[:200]: 1}
    partial = episode("y", "y", 1, False, 0.0, steps=1, llm=None, error={"reason": "no type", "kind": "agent"})
    assert summarize([partial], TOOLWORLD_PROFILE)["agent_failure_reasons"] == {"Error (?)": 1}


def test_the_edges_of_the_stats_and_their_formats():
    assert mean_se([]) == {"mean": None, "se": None, "n": 0, "ci95": None, "ci_method": None}
    assert mean_se([0.5, 1.5], bounds=None)["ci95"][0] < 0  # values past 1 are no rate: nothing cuts them
    s = summarize(
        [{**RECORDS[0], "metrics": {"score": 1.5}}, {**RECORDS[1], "metrics": {"score": 0.5}}], TOOLWORLD_PROFILE
    )
    assert s["metrics"]["score"]["ci95"][0] < 0
    assert format_interval({"ci95": [0.1, 0.05], "ci_method": "t"}, percent=False) == "[0.1, 0.05] t"


def test_difficulties_are_listed_in_text_order_and_a_headline_metric_not_reported_scores_0():
    records = [
        {**RECORDS[0], "difficulty": 10, "metrics": {"any_medal": 1.0}},
        {**RECORDS[2], "difficulty": 9, "scenario": "s9"},
    ]
    s = summarize(records, MLECompetitionEnv.profile)
    assert list(s["by_difficulty"]) == ["10", "9"]
    assert s["headline"]["any medal"]["mean"] == 0.5 and s["headline"]["any medal"]["n"] == 2


def test_problems_are_shown_as_warnings_and_a_role_without_counts_as_zero():
    s = summarize(RECORDS[:1], TOOLWORLD_PROFILE)
    s["problems"] = ["PROBLEM: two configs in one run dir"]
    s["cost"]["by_role"]["judge"] = {}
    text = to_markdown(s, "t")
    assert "**PROBLEM: two configs in one run dir**" in text and "- judge: 0 calls, 0 tokens" in text


def test_a_rate_whose_units_pass_1_is_not_cut_to_0_1():
    stat = aggregate(RECORDS[:2], lambda records: [0.5, 1.5], rate=True)
    assert stat["ci95"][0] < 0 and stat["ci95"][1] > 1


def test_difficulties_are_in_text_order_whatever_order_the_episodes_came_in():
    # 9 comes first, sorts first as a number and by its episodes' text (task a before c): only "10" < "9" puts 10 first.
    records = [{**RECORDS[0], "difficulty": 9}, {**RECORDS[2], "difficulty": 10}, {**RECORDS[1], "difficulty": 9}]
    assert list(summarize(records, TOOLWORLD_PROFILE)["by_difficulty"]) == ["10", "9"]


def test_a_scenario_failed_once_stays_failed_after_a_later_success():
    records = [{**RECORDS[1], "scenario": "s"}, {**RECORDS[0], "scenario": "s"}]  # a failure, then a success
    assert summarize(records, TOOLWORLD_PROFILE)["sgc"]["mean"] == 0.0


def test_the_wall_time_interval_stays_at_or_above_0():
    records = [{**RECORDS[0], "wall_time_s": w} for w in (0.0, 0.0, 10.0)]
    assert summarize(records, TOOLWORLD_PROFILE)["cost"]["wall_time_per_episode_s"]["ci95"][0] == 0.0


def test_headline_metrics_of_dotted_names_are_rates_and_shown_once():
    profile = EnvProfile(
        name="dotted", system_prompt="x", code_blocks="longest", search=None, headlines=(("pass", "metrics.a.b"),)
    )
    crashed = {**RECORDS[3], "metrics": {"a.b": 1.0}}  # the agent's error: 0 on a headline rate
    s = summarize([{**RECORDS[0], "metrics": {"a.b": 1.0}}, crashed], profile)
    assert s["metrics"]["a.b"]["mean"] == 0.5 and s["metrics"]["a.b"]["ci_method"] == "wilson"
    assert "| a.b |" not in to_markdown(s, "t")


def test_headline_metrics_are_not_repeated_among_the_other_metrics():
    records = [{**RECORDS[0], "metrics": {"any_medal": 1.0, "calls_made": 2.0}}]
    text = to_markdown(summarize(records, MLECompetitionEnv.profile), "t")
    assert "| any medal |" in text and "| any_medal |" not in text and "| calls_made |" in text


def test_a_count_over_one_seed_is_over_units_and_over_seeds_is_not_cut_to_0_1():
    one_seed = summarize(RECORDS[:2], TOOLWORLD_PROFILE)["metrics"]["calls_made"]
    assert (one_seed["over"], one_seed["ci_method"]) == ("units", "t")
    seeds = [
        {**RECORDS[0], "seed": 0, "metrics": {"calls_made": 0.0}},
        {**RECORDS[0], "seed": 1, "metrics": {"calls_made": 1.0}},
    ]
    over_seeds = summarize(seeds, TOOLWORLD_PROFILE)["metrics"]["calls_made"]
    assert over_seeds["over"] == "seeds" and over_seeds["ci95"][0] < 0 < 1 < over_seeds["ci95"][1]


def test_reward_by_difficulty_is_a_rate():
    records = [{**RECORDS[0], "difficulty": 1}, {**RECORDS[3], "difficulty": 1, "error": None}]  # rewards 1 and 0
    assert summarize(records, TOOLWORLD_PROFILE)["by_difficulty"]["1"]["reward"]["ci_method"] == "wilson"
