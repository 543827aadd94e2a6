"""Engineered features (the strong tier's) against a first submission's (issue 18), for taxi-fare,
feature-interactions, transparent-conductors, forest-cover, insult-detection and toxic-comments: they keep the
test rows in order, add columns, come out the same twice, and a tuned model on them beats the untuned HGB on a first
submission's features on the validation split by a margin (the edge the strong tier has on the board; on
insult-detection, where there is no such edge, it only loses no more than the split's noise)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import sparse
from threadpoolctl import threadpool_limits

from envs.mle import population as pop
from envs.mle.builtin import BuiltinSpec, Features
from envs.mle.competition import Competition
from envs.mle.registry import get_spec

#: competition -> (the tuned model: family and the setting its grid picks, the margin it must win by)
TUNED = {
    "taxi-fare": ("hgb", pop.HGB_GRID[1], 0.2),
    "feature-interactions": ("hgb", pop.HGB_GRID[1], 0.03),
    "transparent-conductors": ("hgb", pop.HGB_GRID[1], 0.004),
    "forest-cover": ("forest", {"extra": False, "max_features": 0.5}, 0.01),
    # word unigrams already carry this generator's signal (who is addressed, the insult word, a negation) and 3%
    # flipped labels cap every model near 0.96: on five draws of the generator (its key and four others) the gain
    # on the 630 validation rows ran from -0.006 to +0.010, and on the 900 test rows from -0.013 to +0.014, both
    # signs, about the AUC's sampling noise there. The engineered features have no edge to claim here, only no
    # loss beyond it
    "insult-detection": ("linear", {"C": 30.0}, -0.01),
    # character n-grams see through the obfuscated spellings that word features miss: on the validation split of
    # four keys the gain ran 0.012-0.018 (its rare labels, ~25 positives in 840 rows, make it noisy)
    "toxic-comments": ("linear", {"C": 10.0}, 0.005),
}


def _array(x: np.ndarray | sparse.spmatrix) -> np.ndarray:
    return x.toarray() if sparse.issparse(x) else np.asarray(x)


def _predict(spec: BuiltinSpec, family: str, params: dict, data: Features) -> np.ndarray:
    """Test predictions of one model, one per target column as the population fits them (multi-label: all at once)."""
    single = data.y_train.ndim == 1 or spec.kind == "multilabel"
    targets = [data.y_train] if single else [data.y_train[:, k] for k in range(data.y_train.shape[1])]
    columns = []
    for y in targets:
        model = pop.estimator(spec, family, params)
        columns.append(pop.fit_predict(spec, model, data.x_train, y, data.x_test, data.classes))
    return np.hstack(columns)


def _validation_score(spec: BuiltinSpec, competition: Competition, data: Features, predictions: np.ndarray) -> float:
    answers = competition.answers(competition.validation_root / "private")
    return competition.grade(pop.to_submission(spec, data, predictions).astype(str), answers)


@pytest.mark.parametrize("cid", list(TUNED))
def test_engineered_features_keep_the_rows_add_columns_and_are_deterministic(cid: str, mle_cache: Path) -> None:
    spec, public = get_spec(cid), Competition.load(mle_cache / cid).public_dir
    assert spec.engineered_features is not None
    first, engineered = spec.features(public), spec.strong_features(public)
    np.testing.assert_array_equal(np.asarray(engineered.test_ids), np.asarray(first.test_ids))
    np.testing.assert_array_equal(engineered.y_train, first.y_train)
    assert engineered.x_train.shape[0] == first.x_train.shape[0]
    assert engineered.x_test.shape[0] == first.x_test.shape[0]
    assert engineered.x_train.shape[1] > first.x_train.shape[1]
    assert engineered.x_test.shape[1] == engineered.x_train.shape[1]
    again = spec.strong_features(public)
    np.testing.assert_array_equal(_array(again.x_train), _array(engineered.x_train))
    np.testing.assert_array_equal(_array(again.x_test), _array(engineered.x_test))
    assert np.isfinite(_array(engineered.x_train)).all() and np.isfinite(_array(engineered.x_test)).all()


@pytest.mark.parametrize("cid", list(TUNED))
def test_a_tuned_model_on_engineered_features_beats_the_untuned_hgb(cid: str, mle_cache: Path) -> None:
    spec, competition = get_spec(cid), Competition.load(mle_cache / cid)
    public = competition.validation_root / "public"
    first, engineered = spec.features(public), spec.strong_features(public)
    family, params, margin = TUNED[cid]
    untuned_family = "svd_hgb" if spec.sparse_features else "hgb"
    with threadpool_limits(limits=1):
        untuned = _validation_score(spec, competition, first, _predict(spec, untuned_family, {}, first))
        tuned = _validation_score(spec, competition, engineered, _predict(spec, family, params, engineered))
    gain = untuned - tuned if spec.config.lower_is_better else tuned - untuned
    assert gain > margin, (untuned, tuned)
