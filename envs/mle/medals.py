"""Medal thresholds by Kaggle's rules for the leaderboard's size (see REFERENCES.md).

pos(k) is the k-th best leaderboard score (1-based). A score at least as good
as a threshold earns that medal, only the best medal counts, and above_median
means strictly better than the leaderboard's median.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Thresholds:
    gold: float
    silver: float
    bronze: float
    median: float


def medal_positions(n: int) -> tuple[int, int, int]:
    """1-based leaderboard places of the (gold, silver, bronze) thresholds for n teams."""
    if n < 1:
        raise ValueError("a leaderboard needs at least one score")
    if n < 100:
        return max(1, int(0.1 * n)), max(1, int(0.2 * n)), max(1, int(0.4 * n))
    if n < 250:
        return 10, max(1, int(0.2 * n)), max(1, int(0.4 * n))
    if n < 1000:
        return 10 + int(0.002 * n), 50, 100
    return 10 + int(0.002 * n), max(1, int(0.05 * n)), max(1, int(0.1 * n))


def lower_is_better_on_board(scores: Sequence[float], metric_lower_is_better: bool) -> bool:
    """The direction medals are judged in, read as MLE-bench reads it off a best-first leaderboard.

    MLE-bench takes lower as better when the first score is below the last. A board whose first and last
    scores are equal (one team, or every team tied) tells it nothing and it takes higher as better, whatever
    the metric; we do the same, so a report on such a board equals MLE-bench's (`is_lower_better` False,
    a score at least as high as the board's earns gold). Any other board follows the metric (one listed the
    other way round is refused where it is loaded)."""
    if len(scores) == 0 or float(scores[0]) == float(scores[-1]):
        return False
    return metric_lower_is_better


def thresholds(scores: Sequence[float], lower_is_better: bool) -> Thresholds:
    ranked = sorted((float(s) for s in scores), reverse=not lower_is_better)
    gold, silver, bronze = (ranked[k - 1] for k in medal_positions(len(ranked)))
    return Thresholds(gold=gold, silver=silver, bronze=bronze, median=float(np.median(ranked)))


def at_least_as_good(score: float, threshold: float, lower_is_better: bool) -> bool:
    return score <= threshold if lower_is_better else score >= threshold


def medal_report(score: float | None, limits: Thresholds, lower_is_better: bool) -> dict:
    """Medal fields of a grading report; an invalid submission (None) earns nothing."""
    gold = silver = bronze = above_median = False
    if score is not None:
        gold = at_least_as_good(score, limits.gold, lower_is_better)
        silver = not gold and at_least_as_good(score, limits.silver, lower_is_better)
        bronze = not (gold or silver) and at_least_as_good(score, limits.bronze, lower_is_better)
        above_median = score < limits.median if lower_is_better else score > limits.median
    return {
        "score": score,
        **{f"{name}_threshold": value for name, value in asdict(limits).items()},
        "gold_medal": gold,
        "silver_medal": silver,
        "bronze_medal": bronze,
        "any_medal": gold or silver or bronze,
        "above_median": above_median,
        "is_lower_better": lower_is_better,
    }


def leaderboard_percentile(score: float | None, scores: Sequence[float], lower_is_better: bool) -> float:
    """Share of leaderboard entries the score beats (ties count half); 0 for no valid score."""
    if score is None:
        return 0.0
    board = np.asarray(scores, dtype=float)
    worse = board > score if lower_is_better else board < score
    ties = np.isclose(board, score, rtol=0, atol=1e-12)
    return float((np.sum(worse & ~ties) + 0.5 * np.sum(ties)) / len(board))
