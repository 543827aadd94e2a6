"""Tabular regression (RMSE): synthetic patients resembling scikit-learn's diabetes data set.

The 442 patients of `sklearn.datasets.load_diabetes` (shipped in the wheel,
no download) are public, so they are not shown as they are: that would let a
script look every row up (RMSE 0). Instead the seeded generator, whose seed is
the competition's secret (solution scripts cannot read this module), draws
new patients: a random original plus Gaussian jitter of half its covariance
(sex kept), and their progression from a smooth function (least squares of
the originals on the variables, their squares and bmi's products) whose
coefficients are perturbed by up to 30%, plus noise of the fit's residual
spread. A looked-up original's progression is then a neighbour's, not the
answer. Small on purpose: the fastest competition, used to check that a
leaderboard regenerates exactly.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
from sklearn.datasets import load_diabetes

from envs.mle.builtin import BuiltinSpec, columns_answers, opaque_ids, tabular_features, tabular_public
from envs.mle.competition import CompetitionConfig

N_PATIENTS = 1000
SEX = 1  # column index of the binary variable, kept from the original patient


def design(x: np.ndarray) -> np.ndarray:
    """Intercept, the ten variables, their squares (not sex's) and bmi times each other variable."""
    bmi = x[:, 2:3]
    others = np.delete(x, [2], axis=1)
    squares = np.delete(x, [SEX], axis=1) ** 2
    return np.hstack([np.ones((len(x), 1)), x, squares, bmi * others])


def generate(rng: np.random.Generator) -> pd.DataFrame:
    data = load_diabetes(as_frame=True)
    x, y = data.data.to_numpy(), data.target.to_numpy(dtype=float)
    coef, *_ = np.linalg.lstsq(design(x), y, rcond=None)
    residual_sd = float(np.std(y - design(x) @ coef))
    coef = coef * rng.uniform(0.7, 1.3, coef.shape)
    source = rng.integers(0, len(x), N_PATIENTS)
    jitter = rng.multivariate_normal(np.zeros(x.shape[1]), 0.25 * np.cov(x, rowvar=False), N_PATIENTS)
    new = x[source] + jitter
    new[:, SEX] = x[source, SEX]
    progression = design(new) @ coef + rng.normal(0, residual_sd, N_PATIENTS)
    frame = pd.DataFrame(new.round(6), columns=data.data.columns)
    frame.insert(0, "patient_id", opaque_ids(rng, len(frame)))
    frame["progression"] = progression.round(1)
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
    teams=60,
)
