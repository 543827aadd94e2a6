"""Ordinal classification (quadratic weighted kappa): wine quality grades 3-8.

Generator (seeded): 3,000 wines with 8 correlated physico-chemical features;
a latent score (linear + a nonlinear alcohol/acidity term + noise) is cut at
fixed thresholds into grades 3-8, most wines being 5-6 as in the real data.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from envs.mle.builtin import BuiltinSpec, columns_answers, opaque_ids, tabular_features, tabular_public
from envs.mle.competition import CompetitionConfig

N = 3000
COLUMNS = (
    "fixed_acidity",
    "volatile_acidity",
    "citric_acid",
    "residual_sugar",
    "chlorides",
    "sulphates",
    "alcohol",
    "density",
)


def generate(rng: np.random.Generator) -> pd.DataFrame:
    cov = 0.3 * np.ones((8, 8)) + 0.7 * np.eye(8)
    z = rng.multivariate_normal(np.zeros(8), cov, N)
    latent = (
        0.9 * z[:, 6]
        - 0.6 * z[:, 1]
        + 0.3 * z[:, 5]
        + 0.2 * z[:, 2]
        - 0.4 * np.tanh(z[:, 0] * z[:, 6])
        + 0.5 * rng.normal(0, 1, N)
    )
    grade = 3 + np.searchsorted([-2.2, -1.0, 0.4, 1.5, 2.4], latent)
    scales = np.array([1.7, 0.18, 0.19, 4.5, 0.02, 0.17, 1.1, 0.003])
    means = np.array([7.2, 0.34, 0.32, 5.4, 0.056, 0.53, 10.5, 0.9947])
    values = (z * scales + means).round(4)
    frame = pd.DataFrame(values, columns=COLUMNS)
    frame.insert(0, "wine_id", opaque_ids(rng, N))
    frame["quality"] = grade
    return frame


SPEC = BuiltinSpec(
    config=CompetitionConfig(
        id="wine-quality",
        name="Wine quality grades",
        category="tabular-ordinal",
        metric="qwk",
        lower_is_better=False,
        id_column="wine_id",
        difficulty=1,
    ),
    seed=3,
    generate=generate,
    write_public=tabular_public(["quality"], "wine_id", 5),
    answers=columns_answers(["wine_id", "quality"]),
    kind="label",
    features=partial(tabular_features, target="quality", id_col="wine_id"),
    teams=901,
)
