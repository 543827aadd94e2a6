"""A prepared competition that MLE-bench knows, graded by MLE-bench's own code.

MLE-bench's grader for the id scores every submission, on frames read the way
MLE-bench reads them (`mlebench.utils.read_csv`: typed numbers, round-trip
floats; the env's own reading keeps every cell as text, which MLE-bench's
graders cannot use). It also judges the submission of every step, as MLE-bench's
validation server does for its agents, so a step is never told "valid" about a
file the final grading refuses. Medal thresholds and the direction come from
MLE-bench's `rank_score` and `is_lower_better` on the leaderboard.

What stays the env's: the file is read once with its guards (no links, size
limit, the sample's number of columns, no more rows than the sample) before
MLE-bench parses it, and a valid score is rounded to 5 places as MLE-bench does.
This module imports mlebench: import it only when `mlebench_registry` found it.
"""

from __future__ import annotations

import io
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
from mlebench.grade_helpers import InvalidSubmissionError
from mlebench.utils import load_answers, read_csv

from envs.mle import grading
from envs.mle.bounded_text import clip
from envs.mle.competition import Competition, CompetitionConfig
from envs.mle.medals import Thresholds
from envs.mle.metrics import InvalidSubmission
from envs.mle.mlebench_registry import is_lfs_pointer


class MLEBenchCompetition(Competition):
    def __init__(self, root: Path, config: CompetitionConfig, bench: Any):
        super().__init__(root, config)
        self.bench = bench
        self._answers: dict[Path, Any] = {}

    @property
    def description(self) -> str:
        """The folder's own description.md, else MLE-bench's for the id."""
        own = self.root / "description.md"
        return own.read_text() if own.is_file() else str(self.bench.description)

    @property
    def leaderboard_path(self) -> Path:
        """The folder's leaderboard.csv when it has one (a supplied leaderboard), else MLE-bench's."""
        own = self.root / "leaderboard.csv"
        if own.is_file():
            return own
        theirs = Path(self.bench.leaderboard)
        if theirs.is_file() and is_lfs_pointer(theirs):
            raise FileNotFoundError(
                f"MLE-bench's leaderboard for {self.id} ({theirs}) is a Git LFS pointer, not the table: run "
                f"`git lfs pull` in the MLE-bench checkout, or put a leaderboard.csv (a `score` column, best first) "
                f"in {self.root}"
            )
        return theirs

    @cached_property
    def thresholds(self) -> Thresholds:
        limits = self.bench.grader.rank_score(None, pd.read_csv(self.leaderboard_path))
        return Thresholds(
            gold=limits["gold_threshold"],
            silver=limits["silver_threshold"],
            bronze=limits["bronze_threshold"],
            median=limits["median_threshold"],
        )

    def answers(self, private_dir: Path | None = None) -> Any:
        """The answers as MLE-bench loads them (a copy: a grader may change what it is given)."""
        path = (private_dir or self.private_dir) / self.config.answers
        if path not in self._answers:
            self._answers[path] = load_answers(path)
        cached = self._answers[path]
        return cached.copy() if isinstance(cached, pd.DataFrame) else list(cached)

    def grade(self, submission: pd.DataFrame, answers: Any) -> float:
        """MLE-bench's grade_fn on the submission as MLE-bench would have read the file; raises
        InvalidSubmission with the grader's reason."""
        as_read = read_csv(io.StringIO(submission.to_csv(index=False)))
        try:
            return float(self.bench.grader.grade_fn(as_read, answers))
        except InvalidSubmissionError as exc:
            raise InvalidSubmission(clip(str(exc))) from exc

    def load_submission(self, path: Path, public_dir: Path | None = None) -> str:
        """The text of a submission MLE-bench's grader accepts against the answers next to `public_dir`;
        raises InvalidSubmission with the reason."""
        sample_path = self.sample_submission_path(public_dir)
        private_dir = None if public_dir is None else Path(public_dir).parent / "private"
        try:
            text = grading.read_submission(path, grading.size_limit(sample_path))
            self.grade(grading.parse_submission(text, self._sample(public_dir)), self.answers(private_dir))
        except InvalidSubmission as exc:
            raise InvalidSubmission(clip(str(exc))) from None
        except Exception as exc:  # anything else MLE-bench's grader raised also refuses the submission
            raise InvalidSubmission(clip(f"{type(exc).__name__}: {exc}")) from None
        return text
