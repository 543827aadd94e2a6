"""Tabular regression (RMSLE): sale prices of houses.

Generator (seeded): 3,000 houses; the log price is a sum of size, quality,
age, neighborhood and garage effects with an area x quality interaction and
heavy-tailed noise, so prices are log-normal-ish as in Kaggle's house prices.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from envs.mle.builtin import BuiltinSpec, columns_answers, opaque_ids, tabular_features, tabular_public
from envs.mle.competition import CompetitionConfig

N = 3000
NEIGHBORHOODS = {"old_town": 0.0, "riverside": 0.25, "hills": 0.45, "industrial": -0.3, "suburb": 0.1, "center": 0.35}


def generate(rng: np.random.Generator) -> pd.DataFrame:
    area = rng.lognormal(np.log(140), 0.35, N).round(1)
    quality = rng.integers(1, 11, N)
    built = rng.integers(1900, 2024, N)
    rooms = np.maximum(1, (area / 30 + rng.normal(0, 1, N)).round()).astype(int)
    hood = rng.choice(list(NEIGHBORHOODS), N)
    garage = rng.integers(0, 4, N)
    log_price = (
        11.0
        + 0.8 * np.log(area / 140)
        + 0.09 * quality
        + 0.015 * np.log(area) * quality
        - 0.004 * np.clip(2024 - built, 0, 80)
        + np.array([NEIGHBORHOODS[h] for h in hood])
        + 0.05 * garage
        + 0.12 * rng.standard_t(4, N)
    )
    frame = pd.DataFrame(
        {
            "house_id": opaque_ids(rng, N, 1, 10_000),
            "living_area_m2": area,
            "rooms": rooms,
            "overall_quality": quality,
            "year_built": built,
            "neighborhood": hood,
            "garage_cars": garage,
            "sale_price": np.exp(log_price).round(-2),
        }
    )
    return frame


SPEC = BuiltinSpec(
    config=CompetitionConfig(
        id="house-prices",
        name="House sale prices",
        category="tabular-regression",
        metric="rmsle",
        lower_is_better=True,
        id_column="house_id",
        difficulty=1,
    ),
    seed=2,
    generate=generate,
    write_public=tabular_public(["sale_price"], "house_id", 180000),
    answers=columns_answers(["house_id", "sale_price"]),
    kind="regression",
    features=partial(tabular_features, target="sale_price", id_col="house_id", categorical=("neighborhood",)),
    log_target=True,
    teams=1600,
)
