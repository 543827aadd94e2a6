"""Tabular binary classification (AUC-ROC) where the signal lives in feature interactions and a letter string.

Analogue of MLE-bench lite's tabular-playground-series-may-2022. Generator
(seeded): 6,000 snapshots of a simulated machine: 7 + 8 continuous features,
12 count features, a large-scale continuous feature, a 0/1 and a 0/1/2
control feature, and a 10-letter code. The machine's state comes from terms
no single column shows: three sums of continuous features cut into regions,
products of two features, the control features gating the large-scale one,
letters at some positions of the code and how many distinct letters it has,
a few counts. The state is drawn from the resulting probability, so even the
best model ranks some snapshots wrongly.

A first submission models the numeric columns and the code split into its letters. The engineered features
(the strong tier) add what the real competition's top notebooks found: the code's distinct-letter count, the
three feature sums that plotting the target against feature pairs reveals, the product of the interacting
pair, the large-scale feature split by its 0/1 control, the 0/1/2 control one-hot.

Not a lookup: nothing comes from a public data set, and the seed and the
generator live in trainfree's source, which solution scripts cannot read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from envs.mle.builtin import BuiltinSpec, Features, columns_answers, tabular_public
from envs.mle.competition import CompetitionConfig

N = 6000
LETTERS = np.array(list("ABCDEFGHIJKLMNOPQRST"))
CODE_LENGTH = 10
CONTINUOUS_A = [f"f_{i:02d}" for i in range(7)]
COUNTS = [f"f_{i:02d}" for i in range(7, 19)]
CONTINUOUS_B = [f"f_{i:02d}" for i in range(19, 27)]
NUMERIC = CONTINUOUS_A + COUNTS + CONTINUOUS_B + ["f_28", "f_29", "f_30"]
#: the sums a careful Kaggler finds by plotting the target against pairs of features
SUMS = (("f_00", "f_01", "f_26"), ("f_02", "f_21"), ("f_05", "f_22"))


def _code(rng: np.random.Generator) -> np.ndarray:
    """10-letter codes: each position has its own skewed letter distribution over A-T."""
    columns = []
    for _ in range(CODE_LENGTH):
        weights = rng.dirichlet(np.full(len(LETTERS), 0.6))
        columns.append(rng.choice(LETTERS, N, p=weights))
    return np.array(["".join(chars) for chars in zip(*columns, strict=True)])


def _region(value: np.ndarray, cut: float) -> np.ndarray:
    return np.where(value > cut, 1.0, np.where(value < -cut, -1.0, 0.0))


def generate(rng: np.random.Generator) -> pd.DataFrame:
    frame = pd.DataFrame({"id": rng.permutation(N) + 900_000})
    for name in CONTINUOUS_A:
        frame[name] = rng.normal(0, 1, N).round(6)
    for name, lam in zip(COUNTS, rng.uniform(1, 6, len(COUNTS)), strict=True):
        frame[name] = rng.poisson(lam, N)
    for name, sd in zip(CONTINUOUS_B, rng.uniform(1.3, 2.4, len(CONTINUOUS_B)), strict=True):
        frame[name] = rng.normal(0, sd, N).round(6)
    code = _code(rng)
    frame["f_27"] = code
    frame["f_28"] = rng.normal(0, 240, N).round(4)
    frame["f_29"] = rng.integers(0, 2, N)
    frame["f_30"] = rng.choice(3, N, p=[0.35, 0.35, 0.3])
    letter = np.array([[LETTERS.tolist().index(c) for c in s] for s in code])
    distinct = np.array([len(set(s)) for s in code])
    logit = (
        1.1 * _region(frame[list(SUMS[0])].sum(axis=1).to_numpy(), 1.5)
        + 1.0 * _region(frame[list(SUMS[1])].sum(axis=1).to_numpy(), 2.0)
        - 0.9 * _region(frame[list(SUMS[2])].sum(axis=1).to_numpy(), 2.0)
        + 0.45 * frame["f_19"] * frame["f_20"] / 3
        + np.where(frame["f_29"] == 1, 1.0, -0.4) * frame["f_28"] / 240
        + 0.5 * (frame["f_30"] == 2)
        - 0.3 * frame["f_29"]
        + 0.6 * (distinct - distinct.mean())
        + 0.09 * (letter[:, 0] - letter[:, 2])
        - 0.7 * (letter[:, 7] % 3 == 0)
        + 0.15 * (frame["f_08"] - frame["f_08"].mean())
        - 0.12 * (frame["f_13"] - frame["f_13"].mean())
        + 0.6 * np.tanh(frame["f_04"])
    )
    probability = 1 / (1 + np.exp(-1.6 * logit.to_numpy()))
    frame["target"] = (rng.random(N) < probability).astype(int)
    return frame


def snapshot_columns(frame: pd.DataFrame) -> np.ndarray:
    """What a first submission feeds a model: the numeric columns and the code split into its letters (as numbers)."""
    letters = np.array([[ord(c) - ord("A") for c in s] for s in frame["f_27"]])
    return np.column_stack([frame[NUMERIC].to_numpy(float), letters])


def snapshot_features(frame: pd.DataFrame) -> np.ndarray:
    """What a careful Kaggler adds (the real competition's top notebooks): the code's distinct-letter count, the
    three sums the target plots reveal, the product of the pair that interacts, the large-scale feature split by
    the 0/1 control, and the third control one-hot."""
    distinct = frame["f_27"].map(lambda s: len(set(s))).to_numpy()
    sums = np.column_stack([frame[list(group)].sum(axis=1) for group in SUMS])
    gated = np.column_stack([frame["f_28"] * (frame["f_29"] == value) for value in (0, 1)])
    controls = np.column_stack([frame["f_30"] == value for value in range(3)]).astype(float)
    product = (frame["f_19"] * frame["f_20"]).to_numpy()
    return np.column_stack([snapshot_columns(frame), distinct, sums, product, gated, controls])


def _table(public: Path, columns: Callable[[pd.DataFrame], np.ndarray]) -> Features:
    train, test = pd.read_csv(public / "train.csv"), pd.read_csv(public / "test.csv")
    return Features(columns(train), train["target"].to_numpy(), columns(test), test["id"].to_numpy(), ("target",))


def features(public: Path) -> Features:
    return _table(public, snapshot_columns)


def engineered_features(public: Path) -> Features:
    return _table(public, snapshot_features)


SPEC = BuiltinSpec(
    config=CompetitionConfig(
        id="feature-interactions",
        name="Feature interactions (tabular playground)",
        category="tabular-classification",
        metric="auc-roc",
        lower_is_better=False,
        id_column="id",
        difficulty=2,
    ),
    seed=1804,
    generate=generate,
    write_public=tabular_public(["target"], "id", 0.5),
    answers=columns_answers(["id", "target"]),
    kind="binary",
    features=features,
    engineered_features=engineered_features,
    teams=1151,  # teams of the Kaggle competition
)
