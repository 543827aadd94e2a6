"""Reading, validating and grading submissions; the grader never crashes.

A submission must have exactly the reference's columns (the sample
submission's, which are the answers' columns), one row per reference id, and
values the metric accepts. `grade` raises `InvalidSubmission` with the reason;
`evaluate` turns any grader exception into score None, as MLE-bench does.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from envs.mle.bounded_text import clip, names
from envs.mle.medals import Thresholds, medal_report
from envs.mle.metrics import InvalidSubmission, Metric

#: A submission bigger than this many times the sample submission (and over
#: MIN_LIMIT_BYTES) is refused unread.
SIZE_FACTOR = 20
MIN_LIMIT_BYTES = 16 * 1024**2
#: the header line is read on its own before the file is parsed: at most this long (or 4 times the reference's)
MAX_HEADER_CHARS = 64 * 1024


def read_submission(path: Path, max_bytes: int) -> str:
    """The text of a submission file a script wrote, read once and only if it is the file itself.

    The env reads it with its own rights, so the script must not be able to point
    it elsewhere: a symbolic link (O_NOFOLLOW), a hard link to another file, a
    FIFO or device (which could block the read forever) are all refused, and the
    checks are made on the open descriptor that is then read.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InvalidSubmission(f"{path.name} does not exist") from None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise InvalidSubmission(f"{path.name} is a symbolic link; write the file itself") from None
        raise InvalidSubmission(f"{path.name} cannot be opened: {err.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InvalidSubmission(f"{path.name} is not a regular file; write the file itself")
        if info.st_nlink != 1:
            raise InvalidSubmission(f"{path.name} is a hard link to another file; write the file itself")
        if info.st_size > max_bytes:
            raise InvalidSubmission(f"{path.name} is {info.st_size} bytes, over the {max_bytes}-byte limit")
        if info.st_size == 0:
            raise InvalidSubmission(f"{path.name} is empty")
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # grew after the check
        raise InvalidSubmission(f"{path.name} is over the {max_bytes}-byte limit")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidSubmission(f"not a readable CSV file: UnicodeDecodeError: {exc}") from None


def parse_submission(text: str, reference: pd.DataFrame) -> pd.DataFrame:
    """Parse a submission's text, refusing cheaply, before pandas builds anything, one whose
    header has another number of columns than the reference (a million columns took pandas
    minutes and gigabytes), a line with another number of fields, or more rows than the reference."""
    longest = max(MAX_HEADER_CHARS, 4 * len(",".join(str(c) for c in reference.columns)))
    header_end = text.find("\n", 0, longest + 1)
    if header_end < 0 and len(text) > longest:
        raise InvalidSubmission(f"the header line is over {longest:,} characters long")
    try:
        header = next(csv.reader([text[: header_end if header_end >= 0 else len(text)]]), [])
    except csv.Error as exc:
        raise InvalidSubmission(f"not a readable CSV file: {clip(str(exc))}") from None
    header[:1] = [name.removeprefix("\ufeff") for name in header[:1]]  # a byte-order mark, as pandas drops it
    if len(header) != len(reference.columns):
        raise column_mismatch(header, [str(c) for c in reference.columns])
    _check_rows(text, len(header), len(reference))
    frame = read_csv_strict(io.StringIO(text))
    if len(frame.columns) == len(header):  # the file's own names: pandas renames a repeated one "p.1", an empty one
        frame.columns = header  # "Unnamed: 0", and a reason quoting those would name columns the file does not have
    return frame


def column_mismatch(got: list[str], expected: list[str]) -> InvalidSubmission:
    """One wording for every column mismatch, whichever check finds it."""
    missing, extra = [c for c in expected if c not in set(got)], [c for c in got if c not in set(expected)]
    return InvalidSubmission(
        f"columns differ from the sample submission ({len(got):,} instead of {len(expected)}): "
        f"missing {names(missing)}, unexpected {names(extra)}"
    )


#: A row with more commas than this is refused before it is split: 16 MiB of commas on one line made a row of 16.7
#: million fields (+240 MB of env RSS) before its count could be checked. Counted over all the lines of a row, as
#: a quoted field may hold line ends: 60,000 commas a line, each line closing a quote the previous one opened, made
#: one row of 15 million fields out of 15 MB (+187 MB traced).
MAX_ROW_COMMAS = 65_536


def _check_rows(text: str, columns: int, rows: int) -> None:
    """Every line has the header's number of fields and there are no more rows than expected: a line
    with many more fields than the header costs pandas quadratic time (30,000 fields: 6 s). Blank lines,
    skipped by pandas too, are allowed up to one per expected row: 16 MiB of them took 4 s to check and as
    long again to parse, on every step and at the final grading."""
    lines = _BoundedLines(text)
    reader = csv.reader(lines, strict=True)
    seen = blank = 0
    try:
        for row in reader:
            lines.next_row()
            if not row:
                blank += 1
                if blank > rows + 1:
                    raise InvalidSubmission(f"more than {rows + 1} blank lines (at most one per expected row)")
                continue
            seen += 1
            if seen > rows + 1:
                raise InvalidSubmission(f"more rows than the {rows} expected")
            if len(row) != columns:
                raise InvalidSubmission(f"line {reader.line_num} has {len(row):,} fields, the header {columns}")
    except csv.Error as exc:
        raise InvalidSubmission(f"not a readable CSV file: {clip(str(exc))}") from None


class _BoundedLines:
    """The text's physical lines for csv.reader, refusing a row with more than MAX_ROW_COMMAS commas before csv
    splits it. csv.reader takes lines only until its row is complete, so the lines taken since the reader's last
    row (`next_row`) are those of the row it is reading."""

    def __init__(self, text: str) -> None:
        self._lines = io.StringIO(text, newline="")
        self._number = self._first = self._commas = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self._number += 1
        self._first = self._first or self._number
        self._commas += line.count(",")
        if self._commas > MAX_ROW_COMMAS:
            where = (
                f"line {self._number}"
                if self._number == self._first
                else f"the row on lines {self._first}-{self._number}"
            )
            raise InvalidSubmission(f"{where} has {self._commas:,} commas, over the {MAX_ROW_COMMAS:,} limit")
        return line

    def next_row(self) -> None:
        """The reader gave a row: the next line it takes begins another."""
        self._first = self._commas = 0


def read_csv_strict(source: Path | str | io.StringIO, max_bytes: int | None = None) -> pd.DataFrame:
    """Read a CSV the env trusts (sample, answers) with every cell as a string (so "NA" stays "NA"),
    or say why not. Submissions go through `read_submission` and `parse_submission`."""
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
        raise InvalidSubmission(f"not a readable CSV file: {type(exc).__name__}: {clip(str(exc))}") from None


def size_limit(sample_path: Path) -> int:
    return max(MIN_LIMIT_BYTES, SIZE_FACTOR * sample_path.stat().st_size)


def align(submission: pd.DataFrame, reference: pd.DataFrame, id_col: str, metric: Metric) -> np.ndarray:
    """Check the submission's shape against the reference; return its predictions in reference order."""
    expected, got = [str(c) for c in reference.columns], [str(c) for c in submission.columns]
    repeated = [name for name, count in Counter(got).items() if count > 1]
    if repeated:
        raise InvalidSubmission(f"duplicate column names: {names(repeated)}")
    if set(expected) != set(got):
        raise column_mismatch(got, expected)
    if len(submission) != len(reference):
        raise InvalidSubmission(f"expected {len(reference)} rows, got {len(submission)}")
    ids = submission[id_col].astype(str)
    duplicated = ids[ids.duplicated()]
    if len(duplicated):
        raise InvalidSubmission(f"duplicate ids in column {id_col!r}, e.g. {clip(duplicated.iloc[0], 80)!r}")
    ref_ids = reference[id_col].astype(str)
    unknown = ids[~ids.isin(ref_ids)]
    if len(unknown):
        raise InvalidSubmission(f"ids not in the test set, e.g. {clip(unknown.iloc[0], 80)!r} ({len(unknown)} in all)")
    positions = pd.Index(ids).get_indexer(ref_ids)  # same ids, no duplicates: a permutation
    targets = [c for c in expected if c != id_col]
    return _typed_values(submission[targets].iloc[positions].reset_index(drop=True), metric, ref_ids)


#: cells a numeric column reads as missing rather than as text
MISSING = ("", "nan", "NaN", "NA", "null", "None")


def _cell_problem(what: str, frame: pd.DataFrame, ids: pd.Series, row: int, col: int) -> str:
    """A reason naming the cell, its column and its row's id, each clipped."""
    column, at_id = clip(str(frame.columns[col]), 80), clip(ids.iloc[row], 80)
    return f"{what} {clip(frame.iat[row, col], 80)!r} in column {column!r} at id {at_id!r}"


def _typed_values(frame: pd.DataFrame, metric: Metric, ids: pd.Series) -> np.ndarray:
    if not metric.numeric:
        values = frame.to_numpy(dtype=object)
        blank = frame.apply(lambda col: col.str.strip() == "").to_numpy()
        if blank.any():
            raise InvalidSubmission(
                f"missing values (empty cells), e.g. at id {clip(ids.iloc[int(np.argwhere(blank)[0][0])], 80)!r}"
            )
        return values
    numbers = frame.apply(pd.to_numeric, errors="coerce")
    bad = numbers.isna().to_numpy()
    if bad.any():
        row, col = np.argwhere(bad)[0]
        what = "missing value" if frame.iat[row, col].strip() in MISSING else "non-numeric value"
        raise InvalidSubmission(_cell_problem(what, frame, ids, row, col))
    values = numbers.to_numpy(dtype=float)
    infinite = ~np.isfinite(values)
    if infinite.any():  # "inf", or a number past float64's range such as 1e400 or 400 digits, which reads as infinite
        raise InvalidSubmission(_cell_problem("infinite value", frame, ids, *np.argwhere(infinite)[0]))
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


def load_checked(path: Path, sample: pd.DataFrame, *, metric: Metric, id_col: str, max_bytes: int) -> str:
    """The text of a gradable submission file; raises InvalidSubmission (reason clipped); uses only public data."""
    try:
        text = read_submission(path, max_bytes)
        align(parse_submission(text, sample), sample, id_col, metric)
    except InvalidSubmission as exc:
        raise InvalidSubmission(clip(str(exc))) from None
    return text


Grader = Callable[[pd.DataFrame, pd.DataFrame], float]


def evaluate(
    path: Path | None,
    answers: pd.DataFrame,
    grader: Grader,
    thresholds: Thresholds,
    *,
    lower_is_better: bool,
    max_bytes: int,
    sample: pd.DataFrame | None = None,
) -> dict:
    """The MLE-bench style grading report of one submission file (or of none); `sample` (default: the
    answers) gives the shape a submission must have before it is parsed in full."""
    exists = path is not None and os.path.lexists(path)
    score, reason = None, None if exists else "no submission.csv was produced"
    if exists and path is not None:
        try:
            score = round(
                float(
                    grader(
                        parse_submission(read_submission(path, max_bytes), answers if sample is None else sample),
                        answers,
                    )
                ),
                5,
            )
        except Exception as exc:  # any grader failure means an invalid submission
            reason = clip(str(exc) if isinstance(exc, InvalidSubmission) else f"{type(exc).__name__}: {exc}")
    report = medal_report(score, thresholds, lower_is_better)
    report.update(submission_exists=exists, valid_submission=score is not None, invalid_reason=reason)
    return report
