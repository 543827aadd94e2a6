"""The documented population of base models behind each leaderboard (population v2).

A careful Kaggle field has three kinds of entries, so the base models come in three tiers:

- strong: tuned models on the engineered features (`BuiltinSpec.strong_features`: the domain quantities,
  image descriptors, cepstra or character n-grams a careful Kaggler builds), each picking its hyperparameters
  from a small grid on a seeded 25% holdout of the rows it is given, then refitting on all of them: gradient
  boosting (HistGradientBoosting, four settings including the defaults), random forest / extra trees, a linear
  model on spline features and one on degree-2 interactions (up to 24 columns), an RBF support vector machine
  (up to 6,000 rows), k nearest neighbours and a small neural network (MLP) (forests, neighbours and MLPs see
  at most 20,000 seeded rows: only denoising's per-pixel table is bigger);
- mid: the defaults a first submission uses, on a first submission's features (`BuiltinSpec.features`):
  HistGradientBoosting with its defaults (the benchmark's "untuned HGB"), a random forest, a linear model, 5
  nearest neighbours, a depth-8 tree, and HGB on half the rows;
- weak: a depth-3 tree, 1 nearest neighbour, a linear model on a seeded 30% of the columns, HGB on 15% of the
  rows, naive Bayes (regression: a ridge with a crushing penalty) and a depth-5 tree on 30% of the columns.

Sparse text features (`BuiltinSpec.sparse_features`) swap the families for the ones that fit them: tuned
logistic regression (also by SGD), multinomial naive Bayes, calibrated linear SVMs, a one-layer MLP and HGB on 100
SVD components (strong), HGB on 100 SVD components,
logistic regression and naive Bayes with defaults, cosine 5-NN (mid), and crippled versions (weak).
Image (pixel) and audio competitions give the population their feature rows (pixels, 3x3 patches, spectrum
bands), on which the dense families above run: kernels, neighbours and MLPs are the strong families there.
The leaderboard (envs/mle/leaderboard.py, envs/mle/teams.py) derives its teams from these models.
Quadratic weighted kappa is fitted as regression and cut into grades, as Kagglers do: rounded by mid and weak
models, at cutpoints tuned on the holdout by strong ones.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn import ensemble, linear_model, naive_bayes, neighbors, neural_network, svm, tree
from sklearn.base import BaseEstimator
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import TransformedTargetRegressor
from sklearn.decomposition import TruncatedSVD
from sklearn.multioutput import MultiOutputClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, SplineTransformer, StandardScaler

from envs.mle.builtin import BuiltinSpec, Features
from envs.mle.metrics import get_metric

if TYPE_CHECKING:
    from envs.mle.competition import Competition

#: data settings of the first population (50% and 80% of train with seeds 0-2, and all of it); competitions
#: with their own population may still sweep them
DATA_SETTINGS: tuple[tuple[float, int], ...] = tuple((f, s) for f in (0.5, 0.8) for s in range(3)) + ((1.0, 0),)
TIERS = ("strong", "mid", "weak")
HOLDOUT = 0.25
MAX_KERNEL_ROWS = 6000
MAX_INTERACTION_COLUMNS = 24
#: slow families (forests, neighbours, MLPs) train on a seeded sample of this many rows of a bigger train set
MAX_SLOW_ROWS = 20_000
SLOW_FAMILIES = ("forest", "knn", "mlp")
HGB_GRID: tuple[dict, ...] = (
    {},
    {"learning_rate": 0.05, "max_iter": 300, "max_leaf_nodes": 15},
    {"learning_rate": 0.05, "max_iter": 250, "l2_regularization": 1.0, "min_samples_leaf": 40},
    {"learning_rate": 0.1, "max_iter": 150, "max_depth": 3},
)


@dataclass(frozen=True)
class Candidate:
    """One base model: a family, fixed parameters or a grid to tune on a holdout, and the data it sees."""

    family: str
    params: dict = field(hash=False)
    tier: str = "mid"
    data_fraction: float = 1.0
    feature_fraction: float = 1.0
    seed: int = 0
    grid: tuple[dict, ...] = field(default=(), hash=False)

    @property
    def name(self) -> str:
        args = ",".join(f"{k}={v}" for k, v in self.params.items())
        parts = [f"{self.family}({args})" + ("+tuned" if self.grid else "")]
        if self.data_fraction < 1:
            parts.append(f"rows={self.data_fraction}")
        if self.feature_fraction < 1:
            parts.append(f"columns={self.feature_fraction}")
        return "|".join(parts + [f"seed={self.seed}"])


def _grid(key: str, values: tuple) -> tuple[dict, ...]:
    return tuple({key: v} for v in values)


def _dense_population(regression: bool, rows: int, columns: int) -> list[Candidate]:
    penalty = _grid("alpha", (0.3, 3.0, 30.0)) if regression else _grid("C", (0.03, 0.3, 3.0))
    strong = [
        Candidate("hgb", {}, "strong", grid=HGB_GRID),
        Candidate(
            "forest",
            {},
            "strong",
            grid=({"extra": True, "min_samples_leaf": 2}, {"extra": False, "max_features": 0.5}),
        ),
        Candidate("spline_linear", {}, "strong", grid=penalty),
        Candidate("knn", {"weights": "distance"}, "strong", grid=_grid("n_neighbors", (10, 30))),
        Candidate("mlp", {}, "strong", grid=_grid("alpha", (0.01, 1.0))),
    ]
    if columns <= MAX_INTERACTION_COLUMNS:
        strong.append(Candidate("interaction_linear", {}, "strong", grid=penalty))
    if rows <= MAX_KERNEL_ROWS:
        strong.append(Candidate("svm", {}, "strong", grid=_grid("C", (3.0, 30.0))))
    default = {"alpha": 1.0} if regression else {"C": 1.0}
    mid = [
        Candidate("hgb", {}, "mid"),
        Candidate("forest", {"extra": False}, "mid"),
        Candidate("linear", default, "mid"),
        Candidate("knn", {"n_neighbors": 5}, "mid"),
        Candidate("tree", {"max_depth": 8}, "mid"),
        Candidate("hgb", {}, "mid", data_fraction=0.5, seed=1),
    ]
    weak = [
        Candidate("tree", {"max_depth": 3}, "weak"),
        Candidate("knn", {"n_neighbors": 1}, "weak"),
        Candidate("linear", default, "weak", feature_fraction=0.3, seed=2),
        Candidate("hgb", {}, "weak", data_fraction=0.15, seed=3),
        Candidate("linear", {"alpha": 1000.0}, "weak") if regression else Candidate("naive_bayes", {}, "weak"),
        Candidate("tree", {"max_depth": 5}, "weak", feature_fraction=0.3, seed=4),
    ]
    return strong + mid + weak


def _sparse_population() -> list[Candidate]:
    return [
        Candidate("linear", {}, "strong", grid=_grid("C", (3.0, 10.0, 30.0))),
        Candidate("naive_bayes", {}, "strong", grid=_grid("alpha", (0.03, 0.1, 0.3))),
        Candidate("linear_svm", {}, "strong", grid=_grid("C", (0.1, 0.5))),
        Candidate("svd_hgb", {}, "strong", grid=HGB_GRID[:2]),
        Candidate("sgd", {}, "strong", grid=_grid("alpha", (1e-5, 1e-4))),
        Candidate("mlp", {"hidden_layer_sizes": (32,), "max_iter": 60}, "strong", grid=_grid("alpha", (1e-3, 1e-1))),
        Candidate("svd_hgb", {}, "mid"),
        Candidate("linear", {"C": 1.0}, "mid"),
        Candidate("naive_bayes", {"alpha": 1.0}, "mid"),
        Candidate("knn", {"n_neighbors": 5}, "mid"),
        Candidate("tree", {"max_depth": 3}, "weak"),
        Candidate("knn", {"n_neighbors": 1}, "weak"),
        Candidate("linear", {"C": 1.0}, "weak", feature_fraction=0.3, seed=2),
        Candidate("naive_bayes", {"alpha": 1.0}, "weak", data_fraction=0.15, seed=3),
    ]


def population(spec: BuiltinSpec, data: Features | None = None) -> list[Candidate]:
    """The base models for a competition; kernels and interactions only where the data is small enough."""
    if spec.sparse_features:
        return _sparse_population()
    rows, columns = (0, 0) if data is None else (data.x_train.shape[0], data.x_train.shape[1])
    return _dense_population(_fits_regression(spec), rows, columns)


def _fits_regression(spec: BuiltinSpec) -> bool:
    return spec.kind == "regression" or (spec.kind == "label" and spec.config.metric == "qwk")


def _classifier(family: str, p: dict, seed: int, sparse: bool) -> BaseEstimator:
    scale = (lambda m: m) if sparse else (lambda m: make_pipeline(StandardScaler(), m))
    if family == "linear":
        return scale(linear_model.LogisticRegression(C=p.get("C", 1.0), max_iter=1000))
    if family == "knn":
        metric = "cosine" if sparse else "minkowski"
        return scale(
            neighbors.KNeighborsClassifier(p["n_neighbors"], weights=p.get("weights", "uniform"), metric=metric)
        )
    if family == "naive_bayes":
        return naive_bayes.MultinomialNB(alpha=p.get("alpha", 1.0)) if sparse else naive_bayes.GaussianNB()
    if family == "sgd":
        return linear_model.SGDClassifier(loss="log_loss", alpha=p["alpha"], max_iter=50, random_state=seed)
    if family == "linear_svm":
        return CalibratedClassifierCV(svm.LinearSVC(C=p["C"], random_state=seed), cv=3)
    if family == "svm":
        return scale(svm.SVC(C=p["C"], probability=True, random_state=seed))
    if family == "mlp":
        return scale(
            neural_network.MLPClassifier(
                hidden_layer_sizes=p.get("hidden_layer_sizes", (64,)),
                alpha=p["alpha"],
                max_iter=p.get("max_iter", 300),
                random_state=seed,
            )
        )
    if family == "spline_linear":
        return make_pipeline(StandardScaler(), SplineTransformer(n_knots=5), _classifier("linear", p, seed, True))
    if family == "interaction_linear":
        return make_pipeline(
            StandardScaler(), PolynomialFeatures(2), StandardScaler(), _classifier("linear", p, seed, True)
        )
    return _shared(family, p, seed, regression=False)


def _regressor(family: str, p: dict, seed: int) -> BaseEstimator:
    scaled = lambda m: TransformedTargetRegressor(make_pipeline(StandardScaler(), m), transformer=StandardScaler())  # noqa: E731
    if family == "linear":
        return make_pipeline(StandardScaler(), linear_model.Ridge(alpha=p["alpha"]))
    if family == "knn":
        return make_pipeline(
            StandardScaler(), neighbors.KNeighborsRegressor(p["n_neighbors"], weights=p.get("weights", "uniform"))
        )
    if family == "svm":
        return scaled(svm.SVR(C=p["C"]))
    if family == "mlp":
        return scaled(
            neural_network.MLPRegressor(hidden_layer_sizes=(64,), alpha=p["alpha"], max_iter=300, random_state=seed)
        )
    if family == "spline_linear":
        return make_pipeline(StandardScaler(), SplineTransformer(n_knots=5), linear_model.Ridge(alpha=p["alpha"]))
    if family == "interaction_linear":
        return make_pipeline(
            StandardScaler(), PolynomialFeatures(2), StandardScaler(), linear_model.Ridge(alpha=p["alpha"])
        )
    return _shared(family, p, seed, regression=True)


def _shared(family: str, p: dict, seed: int, regression: bool) -> BaseEstimator:
    """Tree families, the same for both tasks."""
    if family == "tree":
        cls = tree.DecisionTreeRegressor if regression else tree.DecisionTreeClassifier
        return cls(max_depth=p["max_depth"], random_state=seed)
    if family == "forest":
        extra = p.get("extra", False)
        if regression:
            cls = ensemble.ExtraTreesRegressor if extra else ensemble.RandomForestRegressor
        else:
            cls = ensemble.ExtraTreesClassifier if extra else ensemble.RandomForestClassifier
        args = {k: v for k, v in p.items() if k != "extra"}
        return cls(n_estimators=100, random_state=seed, n_jobs=1, max_samples=None if extra else 0.5, **args)
    if family in ("hgb", "svd_hgb"):
        cls = ensemble.HistGradientBoostingRegressor if regression else ensemble.HistGradientBoostingClassifier
        model = cls(random_state=seed, **p)
        return make_pipeline(TruncatedSVD(100, random_state=seed), model) if family == "svd_hgb" else model
    raise ValueError(f"unknown model family {family!r}")


def estimator(spec: BuiltinSpec, family: str, params: dict, seed: int = 0) -> BaseEstimator:
    """The scikit-learn model of a family (also what the benchmark's untuned HGB is: family "hgb", no params)."""
    if _fits_regression(spec):
        return _regressor(family, params, seed)
    model = _classifier(family, params, seed, spec.sparse_features)
    return MultiOutputClassifier(model) if spec.kind == "multilabel" else model


def _subsample(n: int, fraction: float, seed: int) -> np.ndarray:
    if fraction >= 1.0:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, max(2, int(fraction * n)), replace=False))


def _ordinal(spec: BuiltinSpec) -> bool:
    return spec.kind == "label" and _fits_regression(spec)


def grades(raw: np.ndarray, low: int, high: int, cuts: np.ndarray | None = None) -> np.ndarray:
    """Continuous predictions cut into the grades low..high: at the halfway points, or at tuned cutpoints."""
    cuts = np.arange(low, high) + 0.5 if cuts is None else cuts
    return (low + np.searchsorted(cuts, raw.ravel())).reshape(-1, 1).astype(int)


def _fit_cuts(raw: np.ndarray, y: np.ndarray, low: int, high: int) -> np.ndarray:
    """Cutpoints that maximise the holdout's quadratic weighted kappa (two passes of a coordinate search), the
    careful Kaggler's step after rounding a regression for this metric."""
    cuts = np.arange(low, high) + 0.5
    kappa = get_metric("qwk").score
    for _ in range(2):
        for j in range(len(cuts)):
            lo = cuts[j - 1] if j else -np.inf
            hi = cuts[j + 1] if j + 1 < len(cuts) else np.inf
            best, best_kappa = cuts[j], -np.inf
            for value in cuts[j] + np.arange(-0.5, 0.51, 0.05):
                if lo < value < hi:
                    trial = cuts.copy()
                    trial[j] = value
                    score = kappa(y.reshape(-1, 1), grades(raw, low, high, trial))
                    if score > best_kappa:
                        best, best_kappa = value, score
            cuts[j] = best
    return cuts


def fit_predict(
    spec: BuiltinSpec, model: BaseEstimator, x_train, y_train, x_test, classes: tuple = (), cuts=None, raw=False
) -> np.ndarray:
    """Fit one model and return its test predictions in the submission's values, shaped (rows, targets);
    grades (QWK) are cut at `cuts` (default: rounded), or left continuous with `raw`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if _fits_regression(spec):
            fitted = model.fit(x_train, np.log1p(y_train) if spec.log_target else y_train)
            out = fitted.predict(x_test).reshape(x_test.shape[0], -1)
            if _ordinal(spec) and not raw:
                return grades(out, int(np.min(y_train)), int(np.max(y_train)), cuts)
            return np.expm1(out).clip(0) if spec.log_target and not raw else out
        fitted = model.fit(x_train, y_train)
        if spec.kind == "multilabel":
            return np.column_stack([p[:, 1] for p in fitted.predict_proba(x_test)])
        if spec.kind == "label":
            return fitted.predict(x_test).reshape(-1, 1)
        proba = fitted.predict_proba(x_test)
        if spec.kind == "binary":
            return proba[:, 1:2]
        known = list(fitted.classes_)
        return np.column_stack([proba[:, known.index(c)] if c in known else np.zeros(len(proba)) for c in classes])


def _score(spec: BuiltinSpec, y_true: np.ndarray, predicted: np.ndarray, classes: tuple) -> float:
    if spec.kind == "multiclass":
        y_true = (np.asarray(y_true).reshape(-1, 1) == np.asarray(classes).reshape(1, -1)).astype(float)
    return get_metric(spec.config.metric).score(np.asarray(y_true).reshape(len(predicted), -1), predicted)


def _tuned(spec: BuiltinSpec, candidate: Candidate, x, y, classes: tuple) -> tuple[dict, float | None, object]:
    """The grid setting with the best holdout score (ties: the earlier one), that score and, for grades, the
    cutpoints tuned on the holdout; no grid: the fixed parameters, no score (only tuned models are ranked by
    validation) and plain rounding."""
    if not candidate.grid:
        return candidate.params, None, None
    rows = np.random.default_rng(candidate.seed).permutation(y.shape[0])
    cut = int(HOLDOUT * len(rows))
    held, kept = np.sort(rows[:cut]), np.sort(rows[cut:])
    lower = get_metric(spec.config.metric).lower_is_better
    best, best_score, best_raw = candidate.params, None, None
    for setting in candidate.grid:
        params = {**candidate.params, **setting}
        model = estimator(spec, candidate.family, params, candidate.seed)
        predicted = fit_predict(spec, model, x[kept], y[kept], x[held], classes, raw=True)
        raw = predicted
        if _ordinal(spec):
            predicted = grades(raw, int(np.min(y[kept])), int(np.max(y[kept])))
        elif spec.log_target:
            predicted = np.expm1(raw).clip(0)
        score = _score(spec, y[held], predicted, classes)
        if best_score is None or (score < best_score if lower else score > best_score):
            best, best_score, best_raw = params, score, raw
    if not _ordinal(spec) or best_raw is None:
        return best, best_score, None
    low, high = int(np.min(y)), int(np.max(y))
    cuts = _fit_cuts(best_raw, y[held], low, high)
    return best, _score(spec, y[held], grades(best_raw, low, high, cuts), classes), cuts


def fit_entry(spec: BuiltinSpec, candidate: Candidate, data: Features) -> tuple[np.ndarray, float | None]:
    """A base model's test predictions, shaped (rows, target columns) in the submission's values, and its
    holdout score when it was tuned."""
    n = data.y_train.shape[0]
    fraction = candidate.data_fraction
    if candidate.family in SLOW_FAMILIES:
        fraction = min(fraction, MAX_SLOW_ROWS / n)
    rows = _subsample(n, fraction, candidate.seed)
    columns = _subsample(data.x_train.shape[1], candidate.feature_fraction, candidate.seed + 100)
    x_train, x_test = data.x_train[rows][:, columns], data.x_test[:, columns]
    y = data.y_train[rows]
    params, score, cuts = _tuned(spec, candidate, x_train, y, data.classes)
    model = estimator(spec, candidate.family, params, candidate.seed)
    return fit_predict(spec, model, x_train, y, x_test, data.classes, cuts=cuts), score


def predict(spec: BuiltinSpec, candidate: Candidate, data: Features) -> np.ndarray:
    """A base model's test predictions (see fit_entry)."""
    return fit_entry(spec, candidate, data)[0]


def to_submission(spec: BuiltinSpec, data: Features, predictions: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(predictions, columns=list(data.target_columns))
    frame.insert(0, spec.config.id_column, data.test_ids)
    return frame


def trivial_submission(spec: BuiltinSpec, competition: Competition) -> pd.DataFrame:
    """The trivial submission the boards are judged against: the prior (`trivial_predictions`) on the
    competition's public data, or its sample submission where the predictions are not a feature table's (text)."""
    if spec.kind == "custom":
        return competition.sample_submission()
    data = spec.features(competition.public_dir)
    return to_submission(spec, data, trivial_predictions(spec, data))


def trivial_predictions(spec: BuiltinSpec, data: Features) -> np.ndarray:
    """The trivial submission's values: the train mean (RMSLE: the geometric one), the class frequencies, the
    positive rate, or the most frequent label (grade) for every test row."""
    y, rows = np.asarray(data.y_train), data.x_test.shape[0]
    if spec.kind == "regression":
        center = np.expm1(np.log1p(y).mean(axis=0)) if spec.log_target else y.mean(axis=0)
        return np.tile(np.atleast_1d(center), (rows, 1))
    if spec.kind == "multiclass":
        return np.tile([np.mean(y == c) for c in data.classes], (rows, 1))
    if spec.kind in ("binary", "multilabel"):
        return np.tile(np.atleast_1d(y.mean(axis=0)), (rows, 1))
    values, counts = np.unique(y, return_counts=True)
    return np.full((rows, 1), values[np.argmax(counts)])
