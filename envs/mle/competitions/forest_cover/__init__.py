"""Tabular multi-class classification (accuracy): forest cover type from terrain, 7 imbalanced classes.

Analogue of MLE-bench lite's tabular-playground-series-dec-2021 (itself a
synthetic copy of the forest cover type data). Generator (seeded): 6,000
30 m x 30 m patches. The terrain comes first: elevation, distances to water, roads
and fire points, aspect and slope, hillshade computed from aspect and slope
at three times of day, wilderness area and soil type (one-hot, soils by
area). Each cover type then scores its fit to the patch (an elevation band
that shifts by wilderness area, a per-soil preference, roads, water, slope,
fire) plus noise, and the best fit wins: two types make up most patches, two
others about 1% each. As in
the synthetic original, some values fall outside their physical range
(negative aspects, hillshades over 255), a few patches carry a second
wilderness or soil flag, and 2% of the labels were swapped between the two
common types, so the top of the board stays below 1.

Not a lookup: nothing comes from a public data set, and the seed and the
generator live in trainfree's source, which solution scripts cannot read.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from envs.mle.builtin import BuiltinSpec, columns_answers, tabular_features, tabular_public
from envs.mle.competition import CompetitionConfig

N = 6000
#: cover types 1..7: the centre and width of each type's elevation band (m), and its log prior
BAND_CENTRE = np.array([3080, 2860, 2400, 2180, 2700, 2450, 3380])
BAND_WIDTH = np.array([170, 190, 190, 110, 140, 160, 120])
LOG_PRIOR = np.log([0.30, 0.42, 0.12, 0.12, 0.15, 0.05, 0.07])
#: how each wilderness area shifts every band (types 1 and 2 overlap more in area 3)
AREA_SHIFT = np.array([[0, 0, 0, 0], [0, 40, 90, 0], [0, 0, -60, -60], [0, 0, 0, -40], [0, 0, 0, 0],
                       [0, 0, -40, -80], [0, 20, 0, 0]])  # fmt: skip
NUMERIC = (
    "Elevation",
    "Aspect",
    "Slope",
    "Horizontal_Distance_To_Hydrology",
    "Vertical_Distance_To_Hydrology",
    "Horizontal_Distance_To_Roadways",
    "Hillshade_9am",
    "Hillshade_Noon",
    "Hillshade_3pm",
    "Horizontal_Distance_To_Fire_Points",
)
AREAS = tuple(f"Wilderness_Area{i}" for i in range(1, 5))
SOILS = tuple(f"Soil_Type{i}" for i in range(1, 41))


def _hillshade(aspect: np.ndarray, slope: np.ndarray, sun_azimuth: float, sun_altitude: float) -> np.ndarray:
    zenith, azimuth = np.radians(90 - sun_altitude), np.radians(sun_azimuth)
    a, s = np.radians(aspect), np.radians(slope)
    return 255 * (np.cos(zenith) * np.cos(s) + np.sin(zenith) * np.sin(s) * np.cos(azimuth - a))


def _one_hot(rng: np.random.Generator, profile: np.ndarray, extra: float) -> np.ndarray:
    """One flag per row drawn from its row of `profile`, and with probability `extra` a second random one."""
    n, k = int(profile.shape[0]), int(profile.shape[1])
    flags = np.zeros((n, k), dtype=int)
    choice = (np.asarray(rng.random(n))[:, None] < profile.cumsum(axis=1)).argmax(axis=1)
    flags[np.arange(n), choice] = 1
    second = np.asarray(rng.random(n)) < extra
    flags[np.flatnonzero(second), rng.integers(0, k, second.sum())] = 1
    return flags


def _cover(rng: np.random.Generator, terrain: dict[str, np.ndarray], area: np.ndarray, soil: np.ndarray) -> np.ndarray:
    """Each type's fit to the patch (its elevation band, soil, roads, water, slope) plus noise; the best fit wins."""
    centre = BAND_CENTRE[None, :] + AREA_SHIFT.T[area]
    fit = -(((terrain["elevation"][:, None] - centre) / BAND_WIDTH) ** 2) / 2 + LOG_PRIOR
    fit += rng.normal(0, 0.6, (40, 7))[soil]
    fit[:, [0, 6]] += 0.25 * np.log1p(terrain["roads"][:, None] / 1000)
    fit[:, [2, 5]] += 0.4 * (terrain["hydrology"][:, None] < 150)
    fit[:, [2, 4]] += 0.02 * terrain["slope"][:, None]
    fit[:, 3] += 0.8 * (terrain["fire"] < 900)
    return (fit + rng.gumbel(0, 0.15, fit.shape)).argmax(axis=1) + 1


def generate(rng: np.random.Generator) -> pd.DataFrame:
    areas = _one_hot(rng, np.tile([0.45, 0.06, 0.41, 0.08], (N, 1)), extra=0.04)
    area = areas.argmax(axis=1)
    soils = _one_hot(rng, rng.dirichlet(np.full(40, 0.3), 4)[area], extra=0.05)
    soil = soils.argmax(axis=1)
    aspect = (rng.vonmises(np.radians(120), 0.4, N) * 180 / np.pi) % 360
    slope = np.clip(rng.gamma(3.0, 5.0, N), 0, 66)
    terrain = {
        "elevation": rng.normal(2950, 300, N) - 120 * (area == 3),
        "roads": rng.gamma(1.6, 1500, N),
        "fire": rng.gamma(1.6, 1300, N),
        "hydrology": rng.gamma(1.5, 180, N),
        "slope": slope,
    }
    label = _cover(rng, terrain, area, soil)
    aspect = np.where(rng.random(N) < 0.03, aspect - 360 * rng.random(N), aspect)
    shade = np.column_stack([_hillshade(aspect, slope, az, alt) for az, alt in ((110, 40), (180, 65), (250, 40))])
    shade = np.round(shade + rng.normal(0, 12, shade.shape))
    hydrology = terrain["hydrology"]
    frame = pd.DataFrame(
        {
            "Id": rng.permutation(N) + 4_000_000,
            "Elevation": terrain["elevation"].round(),
            "Aspect": aspect.round(),
            "Slope": slope.round(),
            "Horizontal_Distance_To_Hydrology": hydrology.round(),
            "Vertical_Distance_To_Hydrology": (hydrology * rng.normal(0.15, 0.2, N)).round(),
            "Horizontal_Distance_To_Roadways": terrain["roads"].round(),
            "Hillshade_9am": shade[:, 0],
            "Hillshade_Noon": shade[:, 1],
            "Hillshade_3pm": shade[:, 2],
            "Horizontal_Distance_To_Fire_Points": terrain["fire"].round(),
        }
    ).astype({c: int for c in NUMERIC})
    frame[list(AREAS)] = areas
    frame[list(SOILS)] = soils
    swap = (rng.random(N) < 0.02) & (label <= 2)
    frame["Cover_Type"] = np.where(swap, 3 - label, label)
    return frame


SPEC = BuiltinSpec(
    config=CompetitionConfig(
        id="forest-cover",
        name="Forest cover type (tabular playground)",
        category="tabular-classification",
        metric="accuracy",
        lower_is_better=False,
        id_column="Id",
        difficulty=1,
    ),
    seed=1803,
    generate=generate,
    write_public=tabular_public(["Cover_Type"], "Id", 2),
    answers=columns_answers(["Id", "Cover_Type"]),
    kind="label",
    features=partial(tabular_features, target="Cover_Type", id_col="Id"),
    teams=1188,  # teams of the Kaggle competition
)
