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

A first submission models the raw columns (numbers and the one-hot flags as given). The engineered features
(the strong tier) add the forest-cover Kaggle features, reimplemented: the straight distance to water and the
water's elevation (elevation minus the vertical distance), elevation minus a fifth of the horizontal water
distance, sums and differences of the horizontal distances to water, roads and fire points, the aspect as sine
and cosine, clipped hillshades summed, area and soil as single codes, the flag count, log distances, and the
soil's cover-type shares (a target encoding, out of fold on train).

Not a lookup: nothing comes from a public data set, and the seed and the
generator live in trainfree's source, which solution scripts cannot read.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from envs.mle.builtin import BuiltinSpec, Features, columns_answers, tabular_features, tabular_public
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
#: folds of the out-of-fold soil encoding, and the rows of prior its shares shrink towards
ENCODING_FOLDS = 5
ENCODING_PRIOR = 10.0


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


def terrain_features(frame: pd.DataFrame) -> pd.DataFrame:
    """The forest-cover Kaggle features: the straight distance to water and the water's elevation, the sums and
    differences of the horizontal distances, the aspect as a direction, the hillshades clipped to their range
    and summed, the wilderness area and soil as single codes, how many flags a row carries, log distances."""
    out = pd.DataFrame(index=frame.index)
    water, drop = frame["Horizontal_Distance_To_Hydrology"], frame["Vertical_Distance_To_Hydrology"]
    roads, fire = frame["Horizontal_Distance_To_Roadways"], frame["Horizontal_Distance_To_Fire_Points"]
    out["water_distance"] = np.hypot(water, drop)
    out["water_elevation"] = frame["Elevation"] - drop
    out["elevation_less_water"] = frame["Elevation"] - 0.2 * water
    pairs = {"water_fire": (water, fire), "water_roads": (water, roads), "fire_roads": (fire, roads)}
    for name, (a, b) in pairs.items():
        out[f"{name}_sum"], out[f"{name}_difference"] = a + b, (a - b).abs()
    aspect = np.radians(frame["Aspect"] % 360)
    out["aspect_sin"], out["aspect_cos"] = np.sin(aspect), np.cos(aspect)
    out["hillshade_sum"] = frame[["Hillshade_9am", "Hillshade_Noon", "Hillshade_3pm"]].clip(0, 255).sum(axis=1)
    out["area"], out["soil"] = _code(frame, AREAS), _code(frame, SOILS)
    out["flags"] = frame[list(AREAS + SOILS)].sum(axis=1)
    out["log_roads"], out["log_fire"] = np.log1p(roads.clip(0)), np.log1p(fire.clip(0))
    return out


def _code(frame: pd.DataFrame, flags: tuple[str, ...]) -> np.ndarray:
    return frame[list(flags)].to_numpy().argmax(axis=1)


def _shares(keys: np.ndarray, y: np.ndarray, classes: np.ndarray, prior: np.ndarray) -> dict[int, np.ndarray]:
    """Each key's cover-type shares, shrunk towards the overall shares by ENCODING_PRIOR rows."""
    index = np.searchsorted(classes, y)
    counts = {int(k): np.bincount(index[keys == k], minlength=len(classes)) for k in np.unique(keys)}
    return {k: (c + ENCODING_PRIOR * prior) / (c.sum() + ENCODING_PRIOR) for k, c in counts.items()}


def soil_encoding(train_soil: np.ndarray, y: np.ndarray, test_soil: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cover-type shares per soil (target encoding): out of fold on train (fixed folds, so a row never sees its
    own label), from all of train on test; an unseen soil gets the overall shares."""
    classes = np.unique(y)
    prior = np.bincount(np.searchsorted(classes, y), minlength=len(classes)) / len(y)
    fold = np.arange(len(y)) % ENCODING_FOLDS
    encoded = np.zeros((len(y), len(classes)))
    for k in range(ENCODING_FOLDS):
        shares = _shares(train_soil[fold != k], y[fold != k], classes, prior)
        encoded[fold == k] = [shares.get(int(s), prior) for s in train_soil[fold == k]]
    shares = _shares(train_soil, y, classes, prior)
    return encoded, np.array([shares.get(int(s), prior) for s in test_soil])


def engineered_features(public: Path) -> Features:
    """The raw columns, the terrain features and the soil's cover-type shares."""
    first = features(public)
    train, test = pd.read_csv(public / "train.csv"), pd.read_csv(public / "test.csv")
    encoded_train, encoded_test = soil_encoding(_code(train, SOILS), first.y_train, _code(test, SOILS))
    return Features(
        np.column_stack([first.x_train, terrain_features(train).to_numpy(float), encoded_train]),
        first.y_train,
        np.column_stack([first.x_test, terrain_features(test).to_numpy(float), encoded_test]),
        first.test_ids,
        first.target_columns,
    )


features = partial(tabular_features, target="Cover_Type", id_col="Id")

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
    features=features,
    engineered_features=engineered_features,
    teams=1188,  # teams of the Kaggle competition
)
