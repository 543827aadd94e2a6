"""Competition metrics with their direction, as used by MLE-bench lite graders.

Each metric compares answers and predictions that are already aligned by id
(rows in the same order, same target columns). `check` runs on predictions
alone, so a submission's values can be validated without the private answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn import metrics as skm


class InvalidSubmission(ValueError):
    """A submission that cannot be graded; the message says why."""


@dataclass(frozen=True)
class Metric:
    name: str
    lower_is_better: bool
    score: Callable[[np.ndarray, np.ndarray], float]
    numeric: bool = True
    check: Callable[[np.ndarray], None] | None = None


def _column_mean_auc(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean over target columns of the ROC AUC (one column = plain binary AUC)."""
    scores = []
    for col in range(y_true.shape[1]):
        truth = y_true[:, col]
        if np.unique(truth).size < 2:
            continue  # AUC is undefined for a column with one class in the answers
        scores.append(skm.roc_auc_score(truth, y_pred[:, col]))
    if not scores:
        raise InvalidSubmission("AUC is undefined: every answer column has a single class")
    return float(np.mean(scores))


#: Probabilities are clipped to [EPS, 1 - EPS] before the log, at float64's machine epsilon as MLE-bench's
#: log-loss graders (scikit-learn's log_loss) do; rows are never rescaled.
EPS = float(np.finfo(np.float64).eps)
#: How far a row's probabilities may sum from 1, as MLE-bench's graders allow (numpy.isclose with atol 1e-6 and
#: its default rtol 1e-5: |sum - 1| <= 1.1e-5).
ROW_SUM_ATOL, ROW_SUM_RTOL = 1e-6, 1e-5


def _log_loss(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Multi-class log-loss; one column is a binary task, the column being the positive class's probability."""
    if y_pred.shape[1] == 1:
        y_true, y_pred = np.hstack([1 - y_true, y_true]), np.hstack([1 - y_pred, y_pred])
    probs = np.clip(y_pred, EPS, 1 - EPS)
    return float(-np.mean(np.sum(y_true * np.log(probs), axis=1)))


def _check_probabilities(pred: np.ndarray) -> None:
    if (pred < 0).any() or (pred > 1).any():
        raise InvalidSubmission("probabilities must lie in [0, 1]")


def _check_binary_scores(pred: np.ndarray) -> None:
    """A single AUC target must hold probabilities, as MLE-bench's binary AUC graders demand (its
    prepare_for_auroc_metric: aerial-cactus, whale-redux, insults, random-acts-of-pizza, tabular-playground
    May 2022); a classifier's raw decision_function scored here what MLE-bench refuses. Its multi-label AUC
    graders (plant-pathology-2020, jigsaw-toxic) take any score, and so do ours."""
    if pred.shape[1] == 1 and ((pred < 0).any() or (pred > 1).any()):
        raise InvalidSubmission(
            "AUC-ROC of one target needs probabilities in [0, 1] (as MLE-bench); raw scores such as a "
            "decision_function's are refused"
        )


def _check_row_probabilities(pred: np.ndarray) -> None:
    """MLE-bench refuses rows that are not a probability distribution (Kaggle's descriptions said they are
    rescaled; MLE-bench's graders do not rescale, and neither do we)."""
    _check_probabilities(pred)
    if pred.shape[1] < 2:
        return
    sums = pred.sum(axis=1)
    off = ~np.isclose(sums, 1.0, rtol=ROW_SUM_RTOL, atol=ROW_SUM_ATOL)
    if off.any():
        row = int(np.argmax(off))
        raise InvalidSubmission(
            f"each row's probabilities must sum to 1 (within {ROW_SUM_ATOL + ROW_SUM_RTOL:.2g}); "
            f"{int(off.sum())} rows do not, e.g. row {row + 1} sums to {sums[row]:.6g}"
        )


def _check_non_negative(pred: np.ndarray) -> None:
    if (pred < 0).any():
        raise InvalidSubmission("RMSLE needs predictions >= 0")


#: QWK classes are cast to int64: a float past its range (1e19, 1e30) would wrap to its smallest value, graded as
#: the lowest class whatever its sign; scikit-learn reads such a column as continuous and MLE-bench refuses it.
MAX_CLASS = 2.0**63


def _check_integers(pred: np.ndarray) -> None:
    if not np.all(np.equal(np.round(pred), pred)):
        raise InvalidSubmission("quadratic weighted kappa needs integer class predictions")
    if (np.abs(pred) >= MAX_CLASS).any():
        raise InvalidSubmission("quadratic weighted kappa needs class predictions within the 64-bit integer range")


def _rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """RMSE of each target column, averaged over the columns (MLE-bench's multi-target graders, e.g.
    nomad2018's RMSLE and stanford-covid-vaccine's MCRMSE, average per-column scores rather than pool
    cells). One column: plain RMSE; a long-format table (one row per pixel) stays one column."""
    return float(np.mean(np.sqrt(np.mean((y_true - y_pred) ** 2, axis=0))))


def _rmsle(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """RMSLE per column, averaged over the columns (as _rmse)."""
    return _rmse(np.log1p(y_true), np.log1p(y_pred))


def _mae(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(np.abs(y_true - y_pred)))


def _qwk(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(skm.cohen_kappa_score(y_true.ravel().astype(int), y_pred.ravel().astype(int), weights="quadratic"))


def _accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Exact-match accuracy over all cells; numbers compare as numbers ("3" == "3.0"), text as text.

    Text is compared cell by cell: numpy's astype(str) makes every cell as wide as the longest, so one label
    of 131,000 characters (the CSV field limit) took 3.7 GB and 23 s on text-normalization's 7,412 rows."""
    truth, pred = _as_numbers_if_possible(y_true), _as_numbers_if_possible(y_pred)
    if truth is not None and pred is not None:
        return float(np.mean(np.isclose(truth, pred, rtol=0, atol=1e-9)))
    return float(np.mean([str(t) == str(p) for t, p in zip(y_true.ravel(), y_pred.ravel(), strict=True)]))


def _as_numbers_if_possible(values: np.ndarray) -> np.ndarray | None:
    """The cells as floats when every one reads as a number the way pandas reads a CSV (as MLE-bench's graders
    see them), else None. Python's float() would also take "٣", "３", "3_0" or a no-break space, which
    MLE-bench reads as text that never equals a number."""
    try:
        numbers = pd.to_numeric(pd.Series(values.ravel()), errors="raise")
    except (TypeError, ValueError):
        return None
    if numbers.dtype.kind not in "iuf":  # integers past 64 bits stay Python ints: compared as text
        return None
    return numbers.to_numpy(dtype=float).reshape(values.shape)


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("auc-roc", False, _column_mean_auc, check=_check_binary_scores),
        Metric("log-loss", True, _log_loss, check=_check_row_probabilities),
        Metric("rmse", True, _rmse),
        Metric("rmsle", True, _rmsle, check=_check_non_negative),
        Metric("mae", True, _mae),
        Metric("qwk", False, _qwk, check=_check_integers),
        Metric("accuracy", False, _accuracy, numeric=False),
    )
}


def get_metric(name: str) -> Metric:
    try:
        return METRICS[name]
    except KeyError:
        raise ValueError(f"unknown metric {name!r}; known metrics: {sorted(METRICS)}") from None
