"""Medal thresholds by leaderboard size band (REFERENCES.md table), both directions."""

from __future__ import annotations

import pytest

from envs.mle.medals import leaderboard_percentile, medal_positions, medal_report, thresholds


@pytest.mark.parametrize(
    "n, expected",
    [
        (1, (1, 1, 1)),
        (9, (1, 1, 3)),
        (50, (5, 10, 20)),
        (99, (9, 19, 39)),
        (100, (10, 20, 40)),  # 100-249: gold is the top 10 places, not 10%
        (249, (10, 49, 99)),
        (250, (10, 50, 100)),
        (999, (11, 50, 100)),
        (1000, (12, 50, 100)),
        (4321, (18, 216, 432)),
    ],
)
def test_positions_per_size_band(n: int, expected: tuple[int, int, int]) -> None:
    assert medal_positions(n) == expected


def test_thresholds_higher_is_better_on_a_hand_made_board() -> None:
    scores = [float(s) for s in range(1, 121)]  # 120 teams, best is 120
    limits = thresholds(scores, lower_is_better=False)
    assert (limits.gold, limits.silver, limits.bronze) == (111.0, 97.0, 73.0)  # pos(10), pos(24), pos(48)
    assert limits.median == 60.5


def test_thresholds_lower_is_better_on_a_hand_made_board() -> None:
    scores = [s / 10 for s in range(300, 0, -1)]  # 300 teams, best is 0.1
    limits = thresholds(scores, lower_is_better=True)
    assert (limits.gold, limits.silver, limits.bronze) == (1.0, 5.0, 10.0)  # pos(10 + 0), pos(50), pos(100)


def test_small_board_and_shuffled_input() -> None:
    scores = [0.5, 0.9, 0.7, 0.6, 0.8, 0.55, 0.65, 0.75, 0.85, 0.95]  # 10 teams
    limits = thresholds(scores, lower_is_better=False)
    assert (limits.gold, limits.silver, limits.bronze) == (0.95, 0.9, 0.8)


def test_report_awards_only_the_best_medal_and_ties_earn_it() -> None:
    limits = thresholds([float(s) for s in range(1, 121)], lower_is_better=False)
    gold = medal_report(111.0, limits, lower_is_better=False)
    assert gold["gold_medal"] and not gold["silver_medal"] and gold["any_medal"]
    bronze = medal_report(80.0, limits, lower_is_better=False)
    assert bronze["bronze_medal"] and not bronze["gold_medal"] and bronze["above_median"]
    none = medal_report(60.5, limits, lower_is_better=False)
    assert not none["any_medal"] and not none["above_median"]  # equal to the median is not above it


def test_report_lower_is_better_and_invalid() -> None:
    limits = thresholds([s / 10 for s in range(300, 0, -1)], lower_is_better=True)
    assert medal_report(0.05, limits, lower_is_better=True)["gold_medal"]
    assert medal_report(4.0, limits, lower_is_better=True)["silver_medal"]
    assert not medal_report(20.0, limits, lower_is_better=True)["any_medal"]
    invalid = medal_report(None, limits, lower_is_better=True)
    assert invalid["score"] is None and not invalid["any_medal"] and not invalid["above_median"]


def test_percentile_counts_ties_half_and_respects_direction() -> None:
    board = [1.0, 2.0, 3.0, 4.0]
    assert leaderboard_percentile(2.5, board, lower_is_better=False) == 0.5
    assert leaderboard_percentile(2.0, board, lower_is_better=False) == 0.375
    assert leaderboard_percentile(0.5, board, lower_is_better=True) == 1.0
    assert leaderboard_percentile(None, board, lower_is_better=True) == 0.0
