"""Tabular regression (RMSE) on scikit-learn's bundled diabetes data set.

The 442 patients of `sklearn.datasets.load_diabetes` (shipped in the wheel,
no download): ten standardized baseline variables and a disease progression
measure one year later. Small on purpose: the fastest competition, used to
check that a leaderboard regenerates exactly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_diabetes

from envs.mle.builtin import BuiltinSpec, Features, columns_answers, tabular_public
from envs.mle.competition import CompetitionConfig


def generate(rng: np.random.Generator) -> pd.DataFrame:
    data = load_diabetes(as_frame=True)
    frame = data.data.round(6)
    frame.insert(0, "patient_id", np.arange(len(frame)))
    frame["progression"] = data.target.astype(float)
    return frame


def features(public: Path) -> Features:
    train, test = pd.read_csv(public / "train.csv"), pd.read_csv(public / "test.csv")
    cols = [c for c in test.columns if c != "patient_id"]
    return Features(train[cols].to_numpy(), train["progression"].to_numpy(), test[cols].to_numpy(), test["patient_id"].to_numpy(), ("progression",))


SPEC = BuiltinSpec(
    config=CompetitionConfig(
        id="diabetes-progression",
        name="Diabetes progression",
        category="tabular-regression",
        metric="rmse",
        lower_is_better=True,
        id_column="patient_id",
        difficulty=1,
        lite=False,
    ),
    seed=4,
    generate=generate,
    write_public=tabular_public(["progression"], "patient_id", 150.0),
    answers=columns_answers(["patient_id", "progression"]),
    kind="regression",
    features=features,
)
