"""The documented population of baseline solutions behind each leaderboard.

A candidate is one model family with one hyperparameter setting, trained on a
seeded subsample of the public train set: 16 model settings x 7 data settings
(50% and 80% of train with seeds 0-2, and all of train) = 112 entries. The
families depend on the prediction kind (sparse text features swap the tree
ensembles for naive Bayes). Every entry is graded by the competition's grader.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn import ensemble, linear_model, naive_bayes, neighbors, tree
from sklearn.base import BaseEstimator, clone
from sklearn.multioutput import MultiOutputClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from envs.mle.builtin import BuiltinSpec, Features

DATA_SETTINGS: tuple[tuple[float, int], ...] = tuple((f, s) for f in (0.5, 0.8) for s in range(3)) + ((1.0, 0),)


@dataclass(frozen=True)
class Candidate:
    family: str
    params: dict = field(hash=False)
    data_fraction: float
    seed: int

    @property
    def name(self) -> str:
        args = ",".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.family}({args})|data={self.data_fraction}|seed={self.seed}"


def _settings(kind: str, sparse: bool) -> list[tuple[str, dict]]:
    if kind == "regression":
        return (
            [("ridge", {"alpha": a}) for a in (0.1, 1.0, 10.0, 100.0)]
            + [("knn", {"n_neighbors": k}) for k in (1, 5, 15, 50)]
            + [("tree", {"max_depth": d}) for d in (2, 4, 8, None)]
            + [("forest", {"max_depth": d}) for d in (4, None)]
            + [("boosting", {"learning_rate": r}) for r in (0.03, 0.1)]
        )
    linear = [("logistic", {"C": c}) for c in (0.01, 0.1, 1.0, 10.0)]
    knn = [("knn", {"n_neighbors": k}) for k in (1, 5, 15, 50)]
    trees = [("tree", {"max_depth": d}) for d in (2, 4, 8, None)]
    if sparse:
        return linear + knn + trees + [("naive_bayes", {"alpha": a}) for a in (0.1, 0.3, 1.0, 3.0)]
    return (
        linear
        + knn
        + trees
        + [("forest", {"max_depth": d}) for d in (4, None)]
        + [("boosting", {"learning_rate": r}) for r in (0.03, 0.1)]
    )


def population(spec: BuiltinSpec) -> list[Candidate]:
    return [
        Candidate(family, params, fraction, seed)
        for family, params in _settings(spec.kind, spec.sparse_features)
        for fraction, seed in DATA_SETTINGS
    ]


def _estimator(candidate: Candidate, regression: bool, sparse: bool) -> BaseEstimator:
    p, seed = candidate.params, candidate.seed
    scale = (lambda m: m) if sparse else (lambda m: make_pipeline(StandardScaler(), m))
    family = candidate.family
    if family == "ridge":
        return scale(linear_model.Ridge(alpha=p["alpha"]))
    if family == "logistic":
        return scale(linear_model.LogisticRegression(C=p["C"], max_iter=300))
    if family == "knn":
        cls = neighbors.KNeighborsRegressor if regression else neighbors.KNeighborsClassifier
        return scale(cls(n_neighbors=p["n_neighbors"]))
    if family == "tree":
        cls = tree.DecisionTreeRegressor if regression else tree.DecisionTreeClassifier
        return cls(max_depth=p["max_depth"], random_state=seed)
    if family == "forest":
        cls = ensemble.RandomForestRegressor if regression else ensemble.RandomForestClassifier
        return cls(n_estimators=30, max_depth=p["max_depth"], random_state=seed, n_jobs=1)
    if family == "boosting":
        cls = ensemble.HistGradientBoostingRegressor if regression else ensemble.HistGradientBoostingClassifier
        return cls(max_iter=60, learning_rate=p["learning_rate"], random_state=seed)
    if family == "naive_bayes":
        return naive_bayes.MultinomialNB(alpha=p["alpha"])
    raise ValueError(f"unknown model family {family!r}")


def _subsample(n: int, fraction: float, seed: int) -> np.ndarray:
    if fraction >= 1.0:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, int(fraction * n), replace=False))


def predict(spec: BuiltinSpec, candidate: Candidate, data: Features) -> np.ndarray:
    """Predictions for the test rows, shaped (rows, target columns)."""
    rows = _subsample(data.y_train.shape[0], candidate.data_fraction, candidate.seed)
    x, y = data.x_train[rows], data.y_train[rows]
    model = _estimator(candidate, spec.kind == "regression", spec.sparse_features)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if spec.kind == "regression":
            fitted = model.fit(x, np.log1p(y) if spec.log_target else y)
            out = fitted.predict(data.x_test)
            return (np.expm1(out).clip(0) if spec.log_target else out).reshape(-1, 1)
        if spec.kind == "multilabel":
            fitted = MultiOutputClassifier(clone(model)).fit(x, y)
            return np.column_stack([p[:, 1] for p in fitted.predict_proba(data.x_test)])
        fitted = model.fit(x, y)
        if spec.kind == "label":
            return fitted.predict(data.x_test).reshape(-1, 1)
        proba = fitted.predict_proba(data.x_test)
        if spec.kind == "binary":
            return proba[:, 1:2]
        order = [list(fitted.classes_).index(c) if c in fitted.classes_ else None for c in data.classes]
        return np.column_stack([proba[:, i] if i is not None else np.zeros(len(proba)) for i in order])


def to_submission(spec: BuiltinSpec, data: Features, predictions: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(predictions, columns=list(data.target_columns))
    frame.insert(0, spec.config.id_column, data.test_ids)
    return frame
