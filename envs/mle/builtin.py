"""How a built-in competition is declared and prepared (MLE-bench's `prepare`).

A spec generates the full labeled data from its seed, splits it into train and
test (by row or by group), and writes the public files and private answers.
The optional validation split applies the same split to the public train set,
so validation feedback never touches the test set.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from envs.mle.competition import CompetitionConfig

if TYPE_CHECKING:
    from scipy import sparse

RESOURCES = Path(__file__).resolve().parent / "competitions"


@dataclass(frozen=True)
class Features:
    """Model-ready arrays for the leaderboard population (not shown to agents)."""

    x_train: np.ndarray | sparse.spmatrix  # sparse for text features (BuiltinSpec.sparse_features)
    y_train: np.ndarray
    x_test: np.ndarray | sparse.spmatrix
    test_ids: np.ndarray
    target_columns: tuple[str, ...]
    classes: tuple = ()


@dataclass(frozen=True)
class BuiltinSpec:
    config: CompetitionConfig
    seed: int
    #: the whole labeled data set, one row per example (or per token/pixel with group_column)
    generate: Callable[[np.random.Generator], pd.DataFrame]
    #: write train/test/sample_submission for (train rows, test rows) into a public dir
    write_public: Callable[[pd.DataFrame, pd.DataFrame, Path], None]
    #: the private answers of test rows, in the submission's format
    answers: Callable[[pd.DataFrame], pd.DataFrame]
    #: what the leaderboard population predicts: binary | multiclass | multilabel | label | regression
    kind: str
    features: Callable[[Path], Features]
    test_fraction: float = 0.3
    group_column: str | None = None
    log_target: bool = False
    sparse_features: bool = False
    #: custom population: (list of candidates, solve(candidate, public_dir) -> submission)
    custom_population: tuple[Callable[[], list], Callable[[Any, Path], pd.DataFrame]] | None = None

    @property
    def resources(self) -> Path:
        return RESOURCES / self.config.id.replace("-", "_")

    @property
    def description(self) -> str:
        return (self.resources / "description.md").read_text()

    @property
    def baseline_script(self) -> str:
        return (self.resources / "baseline.py").read_text()

    def split(self, data: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
        keys = data[self.group_column].unique() if self.group_column else np.arange(len(data))
        test_keys = set(rng.choice(keys, size=int(round(self.test_fraction * len(keys))), replace=False).tolist())
        in_test = (
            data[self.group_column].isin(test_keys)
            if self.group_column
            else np.isin(np.arange(len(data)), list(test_keys))
        )
        return data[~in_test].reset_index(drop=True), data[in_test].reset_index(drop=True)

    def write_split(self, train: pd.DataFrame, test: pd.DataFrame, public: Path, private: Path) -> None:
        public.mkdir(parents=True, exist_ok=True)
        private.mkdir(parents=True, exist_ok=True)
        self.write_public(train, test, public)
        self.answers(test).to_csv(private / self.config.answers, index=False)

    def prepare(self, root: Path) -> None:
        """Write the whole competition folder (deterministic for the spec's seed)."""
        rng = np.random.default_rng(self.seed)
        train, test = self.split(self.generate(rng), rng)
        self.write_split(train, test, root / "prepared" / "public", root / "prepared" / "private")
        val_train, val_test = self.split(train, rng)
        self.write_split(val_train, val_test, root / "validation" / "public", root / "validation" / "private")
        (root / "description.md").write_text(self.description)
        sizes = {"train": int(len(train)), "test": int(len(test))}
        config = {**self.config.to_dict(), "sizes": sizes}
        (root / "config.json").write_text(json.dumps(config, indent=2) + "\n")
        board = self.resources / "leaderboard.csv"
        if board.is_file():
            (root / "leaderboard.csv").write_bytes(board.read_bytes())


def tabular_public(
    target_columns: list[str], id_col: str, sample_value: object
) -> Callable[[pd.DataFrame, pd.DataFrame, Path], None]:
    """train.csv with labels, test.csv without, sample_submission.csv with a constant guess."""

    def write(train: pd.DataFrame, test: pd.DataFrame, public: Path) -> None:
        train.to_csv(public / "train.csv", index=False)
        test.drop(columns=target_columns).to_csv(public / "test.csv", index=False)
        sample = pd.DataFrame({id_col: test[id_col]})
        for col in target_columns:
            sample[col] = sample_value
        sample.to_csv(public / "sample_submission.csv", index=False)

    return write


def opaque_ids(n: int, salt: int) -> np.ndarray:
    """Random distinct 6-digit ids for rows taken from a public data set, so an id is not
    the row's index in that data set (which would give its label away). A separate RNG
    keeps the data, the split and thus the leaderboards unchanged."""
    return np.random.default_rng(salt).choice(900_000, size=n, replace=False) + 100_000


def columns_answers(columns: list[str]) -> Callable[[pd.DataFrame], pd.DataFrame]:
    return lambda test: test[columns].reset_index(drop=True)


def tabular_features(public: Path, *, target: str, id_col: str, categorical: tuple[str, ...] = ()) -> Features:
    """train.csv/test.csv as numbers: categorical columns one-hot, missing values median-filled."""
    train, test = pd.read_csv(public / "train.csv"), pd.read_csv(public / "test.csv")
    both = pd.get_dummies(pd.concat([train.drop(columns=target), test]), columns=list(categorical), dtype=float)
    both = both.drop(columns=id_col)
    x = both.fillna(both.median(numeric_only=True)).to_numpy(dtype=float)
    return Features(x[: len(train)], train[target].to_numpy(), x[len(train) :], test[id_col].to_numpy(), (target,))
