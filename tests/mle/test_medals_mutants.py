"""Medal edges the size-band tests leave open (issue 24: mutants of envs/mle/medals.py that survived them)."""

from __future__ import annotations

import pytest

from envs.mle.medals import (
    Thresholds,
    at_least_as_good,
    leaderboard_percentile,
    lower_is_better_on_board,
    medal_positions,
    medal_report,
)

LIMITS = Thresholds(gold=1.0, silver=2.0, bronze=3.0, median=5.0)  # lower is better


def test_an_empty_leaderboard_is_refused_by_name():
    with pytest.raises(ValueError, match="^a leaderboard needs at least one score$"):
        medal_positions(0)


def test_a_score_equal_to_a_lower_is_better_threshold_earns_it():
    assert at_least_as_good(2.0, 2.0, lower_is_better=True) and at_least_as_good(2.0, 2.0, lower_is_better=False)
    assert not at_least_as_good(2.5, 2.0, lower_is_better=True)


def test_only_the_best_medal_is_awarded_and_any_medal_counts_each():
    gold = medal_report(0.5, LIMITS, lower_is_better=True)
    assert (gold["gold_medal"], gold["silver_medal"], gold["bronze_medal"]) == (True, False, False)
    silver = medal_report(1.5, LIMITS, lower_is_better=True)
    assert (silver["gold_medal"], silver["silver_medal"], silver["bronze_medal"], silver["any_medal"]) == (
        False,
        True,
        False,
        True,
    )
    bronze = medal_report(3.0, LIMITS, lower_is_better=True)
    assert (bronze["silver_medal"], bronze["bronze_medal"], bronze["any_medal"]) == (False, True, True)


def test_above_median_is_strict_in_both_directions():
    assert medal_report(4.0, LIMITS, lower_is_better=True)["above_median"] is True
    assert medal_report(5.0, LIMITS, lower_is_better=True)["above_median"] is False
    assert medal_report(6.0, LIMITS, lower_is_better=True)["above_median"] is False
    higher = Thresholds(gold=9.0, silver=8.0, bronze=7.0, median=5.0)
    assert medal_report(5.0, higher, lower_is_better=False)["above_median"] is False
    assert medal_report(5.5, higher, lower_is_better=False)["above_median"] is True


def test_an_invalid_submission_reports_false_not_none_and_the_direction():
    report = medal_report(None, LIMITS, lower_is_better=True)
    assert report == {
        "score": None,
        "gold_threshold": 1.0,
        "silver_threshold": 2.0,
        "bronze_threshold": 3.0,
        "median_threshold": 5.0,
        "gold_medal": False,
        "silver_medal": False,
        "bronze_medal": False,
        "any_medal": False,
        "above_median": False,
        "is_lower_better": True,
    }


def test_ties_are_exact_to_1e_12_not_relative():
    # 1000.001 is within numpy's default relative tolerance of 1000.0 but is no tie here: it beats it.
    assert leaderboard_percentile(1000.001, [1000.0], lower_is_better=False) == 1.0
    assert leaderboard_percentile(1.0 + 1e-10, [1.0], lower_is_better=False) == 1.0  # default atol would tie it
    assert leaderboard_percentile(1.0 + 1e-13, [1.0], lower_is_better=False) == 0.5


def test_the_direction_is_read_off_the_board_as_mle_bench_does():
    assert lower_is_better_on_board([], metric_lower_is_better=True) is False
    assert lower_is_better_on_board([0.3], metric_lower_is_better=True) is False  # one team tells nothing
    assert lower_is_better_on_board([0.3, 0.3, 0.3], metric_lower_is_better=True) is False
    assert lower_is_better_on_board([0.1, 0.2, 0.3], metric_lower_is_better=True) is True
    assert lower_is_better_on_board([0.1, 0.1, 0.3], metric_lower_is_better=True) is True  # first vs last only
    assert lower_is_better_on_board([0.3, 0.2, 0.1], metric_lower_is_better=False) is False
    assert lower_is_better_on_board([0.1, 0.2, 0.2], metric_lower_is_better=True) is True
