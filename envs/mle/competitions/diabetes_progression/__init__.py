"""Tabular regression (RMSE) on scikit-learn's bundled diabetes data set.

The 442 patients of `sklearn.datasets.load_diabetes` (shipped in the wheel,
no download): ten standardized baseline variables and a disease progression
measure one year later. Small on purpose: the fastest competition, used to
check that a leaderboard regenerates exactly.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
from sklearn.datasets import load_diabetes

from envs.mle.builtin import BuiltinSpec, columns_answers, opaque_ids, tabular_features, tabular_public
from envs.mle.competition import CompetitionConfig


def generate(rng: np.random.Generator) -> pd.DataFrame:
    data = load_diabetes(as_frame=True)
    frame = data.data.round(6)
    frame.insert(0, "patient_id", opaque_ids(len(frame), salt=404))
    frame["progression"] = data.target.astype(float)
    return frame


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
    features=partial(tabular_features, target="progression", id_col="patient_id"),
)
