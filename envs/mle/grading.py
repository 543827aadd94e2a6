"""Reading, validating and grading submissions; the grader never crashes.

A submission must have exactly the reference's columns (the sample
submission's, which are the answers' columns), one row per reference id, and
values the metric accepts. `grade` raises `InvalidSubmission` with the reason;
`evaluate` turns any grader exception into score None, as MLE-bench does.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from envs.mle.medals import Thresholds, medal_report
from envs.mle.metrics import InvalidSubmission, Metric

#: A submission bigger than this many times the sample submission (and over
#: MIN_LIMIT_BYTES) is refused unread.
SIZE_FACTOR = 20
MIN_LIMIT_BYTES = 16 * 1024**2


def read_csv_strict(source: Path | str | io.StringIO, max_bytes: int | None = None) -> pd.DataFrame:
    """Read a CSV with every cell as a string (so "NA" stays "NA"), or say why not."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise InvalidSubmission(f"{path.name} does not exist")
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise InvalidSubmission(f"{path.name} is {size} bytes, over the {max_bytes}-byte limit")
        if size == 0:
            raise InvalidSubmission(f"{path.name} is empty")
    try:
        return pd.read_csv(source, dtype=str, keep_default_na=False, na_values=[], encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, ValueError) as exc:
        raise InvalidSubmission(f"not a readable CSV file: {type(exc).__name__}: {exc}") from None


def size_limit(sample_path: Path) -> int:
    return max(MIN_LIMIT_BYTES, SIZE_FACTOR * sample_path.stat().st_size)


def align(submission: pd.DataFrame, reference: pd.DataFrame, id_col: str, metric: Metric) -> np.ndarray:
    """Check the submission's shape against the reference; return its predictions in reference order."""
    expected, got = list(reference.columns), [str(c) for c in submission.columns]
    missing = [c for c in expected if c not in got]
    extra = [c for c in got if c not in expected]
    if missing or extra:
        raise InvalidSubmission(f"columns differ from the sample submission: missing {missing}, unexpected {extra}")
    if len(set(got)) != len(got):
        raise InvalidSubmission("duplicate column names")
    if len(submission) != len(reference):
        raise InvalidSubmission(f"expected {len(reference)} rows, got {len(submission)}")
    ids = submission[id_col].astype(str)
    duplicated = ids[ids.duplicated()]
    if len(duplicated):
        raise InvalidSubmission(f"duplicate ids in column {id_col!r}, e.g. {duplicated.iloc[0]!r}")
    ref_ids = reference[id_col].astype(str)
    unknown = ids[~ids.isin(ref_ids)]
    if len(unknown):
        raise InvalidSubmission(f"ids not in the test set, e.g. {unknown.iloc[0]!r} ({len(unknown)} in all)")
    positions = pd.Index(ids).get_indexer(ref_ids)  # same ids, no duplicates: a permutation
    targets = [c for c in expected if c != id_col]
    return _typed_values(submission[targets].iloc[positions].reset_index(drop=True), metric, ref_ids)


def _typed_values(frame: pd.DataFrame, metric: Metric, ids: pd.Series) -> np.ndarray:
    if not metric.numeric:
        values = frame.to_numpy(dtype=object)
        blank = frame.apply(lambda col: col.str.strip() == "").to_numpy()
        if blank.any():
            raise InvalidSubmission(
                f"missing values (empty cells), e.g. at id {ids.iloc[int(np.argwhere(blank)[0][0])]!r}"
            )
        return values
    numbers = frame.apply(pd.to_numeric, errors="coerce")
    bad = numbers.isna().to_numpy()
    if bad.any():
        row, col = np.argwhere(bad)[0]
        cell = frame.iat[row, col]
        what = "missing value" if cell.strip() in ("", "nan", "NaN", "NA", "null", "None") else "non-numeric value"
        raise InvalidSubmission(f"{what} {cell!r} in column {frame.columns[col]!r} at id {ids.iloc[row]!r}")
    values = numbers.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise InvalidSubmission("infinite values are not allowed")
    if metric.check is not None:
        metric.check(values)
    return values


def answer_values(answers: pd.DataFrame, id_col: str, metric: Metric) -> np.ndarray:
    targets = answers[[c for c in answers.columns if c != id_col]]
    if metric.numeric:
        return targets.apply(pd.to_numeric).to_numpy(dtype=float)
    return targets.to_numpy(dtype=object)


def grade(submission: pd.DataFrame, answers: pd.DataFrame, *, metric: Metric, id_col: str) -> float:
    """The competition score of a submission; raises InvalidSubmission with the reason."""
    predictions = align(submission, answers, id_col, metric)
    return metric.score(answer_values(answers, id_col, metric), predictions)


def validate(path: Path, sample: pd.DataFrame, *, metric: Metric, id_col: str, max_bytes: int) -> str | None:
    """None when the submission file is gradable, else the reason; uses only public data."""
    path = Path(path)
    if path.is_symlink():  # the env reads it unconfined: a link could point at the private answers
        return f"{path.name} is a symbolic link; write the file itself"
    try:
        align(read_csv_strict(path, max_bytes), sample, id_col, metric)
    except InvalidSubmission as exc:
        return str(exc)
    return None


Grader = Callable[[pd.DataFrame, pd.DataFrame], float]


def evaluate(
    path: Path | None,
    answers: pd.DataFrame,
    grader: Grader,
    thresholds: Thresholds,
    *,
    lower_is_better: bool,
    max_bytes: int,
) -> dict:
    """The MLE-bench style grading report of one submission file (or of none)."""
    exists = path is not None and Path(path).is_file()
    score, reason = None, None if exists else "no submission.csv was produced"
    if exists and path is not None:
        try:
            score = round(float(grader(read_csv_strict(path, max_bytes), answers)), 5)
        except Exception as exc:  # any grader failure means an invalid submission
            reason = str(exc) if isinstance(exc, InvalidSubmission) else f"{type(exc).__name__}: {exc}"
    report = medal_report(score, thresholds, lower_is_better)
    report.update(submission_exists=exists, valid_submission=score is not None, invalid_reason=reason)
    return report
