"""The deployment experiment's data: scikit-learn's bundled data sets, models released in turn, and three drifts.

Everything here ships with scikit-learn (no download). Each data set is split
once (seed 0, stratified) into a training part (40%: the models learn here),
a validation part (20%: validation-based selection scores the models here,
before deployment, as in arXiv 2503.22595) and a stream pool (40%: the
deployment stream draws its examples from it).

Five models are "released" in this order (the last is the newest, which
naive deployment serves): Gaussian naive Bayes, a depth-6 decision tree,
logistic regression, a random forest (50 trees, depth 8), an RBF SVM.

The drifts, all at one round of the stream:
- covariate shift: the inputs change, the labels do not. digits: sensor
  noise, Gaussian with sigma 4 on the 0-16 gray levels (clipped); wine: a
  recalibration, the first ten of the thirteen measurements read 30% high.
- label shift: the class mix changes, the inputs of a class do not. 80% of
  the stream then comes from a few classes (digits: 2, 3 and 9; wine:
  cultivar 2), the rest evenly from the others.
- degraded model: the newest model's serving breaks (a bad update): on a
  fixed 60% of the examples its answer becomes wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from policies.selection.stream import ClassifierStream, Phase

MODELS = ("naive_bayes", "tree", "logistic", "forest", "svm")  # release order, oldest first
SCENARIOS = ("covariate_shift", "label_shift", "degraded_model")
DEGRADED_SHARE = 0.6
LABEL_SHIFT_SHARE = 0.8


@dataclass(frozen=True)
class DataSpec:
    name: str
    load: Callable[[], tuple[np.ndarray, np.ndarray]]
    shift: Callable[[np.ndarray, np.random.Generator], np.ndarray]  # the covariate shift
    shift_text: str
    favoured: tuple[int, ...]  # the classes a label shift favours


def _load_digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X, y


def _load_wine() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_wine

    X, y = load_wine(return_X_y=True)
    return X, y


def _sensor_noise(X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return np.clip(X + rng.normal(0.0, 4.0, X.shape), 0.0, 16.0)


def _recalibration(X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    shifted = X.copy()
    shifted[:, :10] *= 1.3
    return shifted


DATASETS = {
    "digits": DataSpec("digits", _load_digits, _sensor_noise, "sensor noise (sigma 4 of 16 gray levels)", (2, 3, 9)),
    "wine": DataSpec("wine", _load_wine, _recalibration, "recalibration (10 of 13 features read 30% high)", (2,)),
}


def _models() -> list[Any]:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC
    from sklearn.tree import DecisionTreeClassifier

    return [
        GaussianNB(),
        DecisionTreeClassifier(max_depth=6, random_state=0),
        make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
        RandomForestClassifier(n_estimators=50, max_depth=8, random_state=0),
        make_pipeline(StandardScaler(), SVC()),
    ]


@dataclass
class Deployment:
    """A data set's trained models: their validation scores and their answers on the stream pool."""

    spec: DataSpec
    validation_scores: list[float]
    pool_X: np.ndarray
    pool_y: np.ndarray
    models: list[Any]  # fitted scikit-learn estimators

    def correct(self, X: np.ndarray) -> np.ndarray:
        """examples x models: is each model's answer right."""
        return np.stack([model.predict(X) == self.pool_y for model in self.models], axis=1)

    def stream(self, scenario: str, drift_at: int) -> ClassifierStream:
        """The stream with `scenario`'s drift at round `drift_at`."""
        rng = np.random.default_rng(0)  # the drift itself is fixed: only the order of examples varies by seed
        before = self.correct(self.pool_X)
        uniform = np.ones(len(self.pool_y))
        if scenario == "covariate_shift":
            after = Phase(self.correct(self.spec.shift(self.pool_X, rng)), uniform)
        elif scenario == "label_shift":
            favoured = np.isin(self.pool_y, self.spec.favoured)
            weights = np.where(
                favoured, LABEL_SHIFT_SHARE / favoured.sum(), (1 - LABEL_SHIFT_SHARE) / (~favoured).sum()
            )
            after = Phase(before, weights)
        elif scenario == "degraded_model":
            broken = before.copy()
            broken[:, -1] &= rng.random(len(self.pool_y)) >= DEGRADED_SHARE
            after = Phase(broken, uniform)
        else:
            raise ValueError(f"unknown scenario {scenario!r}; known: {list(SCENARIOS)}")
        return ClassifierStream(list(MODELS), Phase(before, uniform), after, drift_at)


def deploy(name: str) -> Deployment:
    """Split `name`'s data (train 40% / validation 20% / stream pool 40%) and train the five models."""
    from sklearn.model_selection import train_test_split

    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; known: {list(DATASETS)}")
    spec = DATASETS[name]
    X, y = spec.load()
    X_train, X_rest, y_train, y_rest = train_test_split(X, y, test_size=0.6, random_state=0, stratify=y)
    X_val, X_pool, y_val, y_pool = train_test_split(X_rest, y_rest, test_size=2 / 3, random_state=0, stratify=y_rest)
    models = _models()
    for model in models:
        model.fit(X_train, y_train)
    scores = [float(np.mean(model.predict(X_val) == y_val)) for model in models]
    return Deployment(spec, scores, X_pool, y_pool, models)
