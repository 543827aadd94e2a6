"""A competition on disk in the MLE-bench shape, and its grading.

<root>/config.json          id, name, category, metric, lower_is_better, ...
<root>/description.md
<root>/leaderboard.csv      one `score` per team (other columns are ignored)
<root>/prepared/public/     train, test (no labels), sample_submission
<root>/prepared/private/    answers
<root>/validation/          optional: the same split applied to public train
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from envs.mle import grading
from envs.mle.medals import Thresholds, lower_is_better_on_board, thresholds
from envs.mle.metrics import InvalidSubmission, Metric, get_metric

CATEGORIES = (
    "tabular-classification",
    "tabular-regression",
    "text-classification",
    "image-classification",
    "image-to-image",
    "seq2seq",
    "audio-multilabel",
    "audio-classification",
    "tabular-ordinal",
)


@dataclass(frozen=True)
class CompetitionConfig:
    id: str
    name: str
    category: str
    metric: str
    lower_is_better: bool
    id_column: str
    answers: str = "answers.csv"
    sample_submission: str = "sample_submission.csv"
    difficulty: int = 1
    lite: bool = True
    sizes: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        metric = get_metric(self.metric)
        if metric.lower_is_better != self.lower_is_better:
            raise ValueError(f"{self.id}: metric {self.metric} has lower_is_better={metric.lower_is_better}")

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> CompetitionConfig:
        known = {k: raw[k] for k in cls.__dataclass_fields__ if k in raw}
        if "lower_is_better" not in known and "metric" in known:
            known["lower_is_better"] = get_metric(known["metric"]).lower_is_better
        missing = [k for k in ("id", "metric", "id_column") if k not in known]
        if missing:
            raise ValueError(f"competition config lacks {missing}")
        known.setdefault("name", known["id"])
        known.setdefault("category", "unknown")
        return cls(**known)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Competition:
    """Read access to one prepared competition; grading uses only this folder."""

    def __init__(self, root: Path, config: CompetitionConfig, grader: grading.Grader | None = None):
        self.root = Path(root)
        self.config = config
        self._grader = grader
        self._samples: dict[Path, pd.DataFrame] = {}

    @classmethod
    def load(cls, root: Path, grader: grading.Grader | None = None) -> Competition:
        config_path = Path(root) / "config.json"
        if not config_path.is_file():
            raise FileNotFoundError(f"{root} has no config.json naming the competition's metric and id column")
        return cls(root, CompetitionConfig.from_dict(json.loads(config_path.read_text())), grader)

    @property
    def id(self) -> str:
        return self.config.id

    @property
    def metric(self) -> Metric:
        return get_metric(self.config.metric)

    @property
    def public_dir(self) -> Path:
        return self.root / "prepared" / "public"

    @property
    def private_dir(self) -> Path:
        return self.root / "prepared" / "private"

    @property
    def validation_root(self) -> Path:
        return self.root / "validation"

    def has_validation(self) -> bool:
        return (self.validation_root / "private" / self.config.answers).is_file()

    @property
    def description(self) -> str:
        path = self.root / "description.md"
        return path.read_text() if path.is_file() else f"Competition {self.id}: see the files in ./input."

    def sample_submission_path(self, public_dir: Path | None = None) -> Path:
        return (public_dir or self.public_dir) / self.config.sample_submission

    def sample_submission(self, public_dir: Path | None = None) -> pd.DataFrame:
        return grading.read_csv_strict(self.sample_submission_path(public_dir))

    def answers(self, private_dir: Path | None = None) -> pd.DataFrame:
        return grading.read_csv_strict((private_dir or self.private_dir) / self.config.answers)

    def grade(self, submission: pd.DataFrame, answers: pd.DataFrame) -> float:
        """grade(submission_df, answers_df) -> score; raises InvalidSubmission."""
        if self._grader is not None:
            return float(self._grader(submission, answers))
        return grading.grade(submission, answers, metric=self.metric, id_col=self.config.id_column)

    @property
    def leaderboard_path(self) -> Path:
        """Where the reference leaderboard is read (a competition MLE-bench knows may take MLE-bench's)."""
        return self.root / "leaderboard.csv"

    @cached_property
    def leaderboard(self) -> pd.DataFrame:
        path = self.leaderboard_path
        if not path.is_file():
            raise FileNotFoundError(f"{self.id}: no leaderboard.csv in {self.root}")
        board = pd.read_csv(path)
        if "score" not in board.columns or board["score"].isna().all():
            raise ValueError(f"{path} needs a numeric `score` column")
        return board.dropna(subset=["score"])

    @cached_property
    def board_lower_is_better(self) -> bool:
        """The direction medals and percentiles are judged in: the metric's, but MLE-bench's reading of a board
        that cannot tell (one team or all tied: higher is better; see medals.lower_is_better_on_board)."""
        return lower_is_better_on_board(self.leaderboard["score"].tolist(), self.config.lower_is_better)

    @cached_property
    def thresholds(self) -> Thresholds:
        return thresholds(self.leaderboard["score"].tolist(), self.board_lower_is_better)

    def _sample(self, public_dir: Path | None = None) -> pd.DataFrame:
        sample_path = self.sample_submission_path(public_dir)
        if sample_path not in self._samples:  # read once: validation runs after every step
            self._samples[sample_path] = grading.read_csv_strict(sample_path)
        return self._samples[sample_path]

    def load_submission(self, path: Path, public_dir: Path | None = None) -> str:
        """The text of a gradable submission file, read once (never through a link); raises
        InvalidSubmission with the reason. Reads public data only."""
        return grading.load_checked(
            path,
            self._sample(public_dir),
            metric=self.metric,
            id_col=self.config.id_column,
            max_bytes=grading.size_limit(self.sample_submission_path(public_dir)),
        )

    def validate(self, path: Path, public_dir: Path | None = None) -> str | None:
        """Reason a submission file is not gradable, or None; reads public data only."""
        try:
            self.load_submission(path, public_dir)
        except InvalidSubmission as exc:
            return str(exc)
        return None

    def evaluate(self, path: Path | None) -> dict:
        """The full grading report of a submission file against the private answers."""
        return grading.evaluate(
            path,
            self.answers(),
            self.grade,
            self.thresholds,
            lower_is_better=self.board_lower_is_better,
            max_bytes=grading.size_limit(self.sample_submission_path()),
            sample=self._sample(),
        )

    def score_file(self, path: Path, public_dir: Path, private_dir: Path) -> float | None:
        """Score of a submission against other answers (the validation split); None if invalid."""
        try:
            sub = grading.parse_submission(self.load_submission(path, public_dir), self._sample(public_dir))
            return round(self.grade(sub, self.answers(private_dir)), 5)
        except Exception:  # an invalid validation submission just gives no feedback
            return None
