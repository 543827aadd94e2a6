"""Engineered features of whale-calls, audio-tagging and denoising-digits (issue 18): what the strong tier sees.

Per competition, on its validation split (a split of the public train set, so the test answers stay unseen):
the engineered features keep the test rows in order and add columns to a first submission's features, come out
the same on a second call, and one strong model on them beats the untuned HistGradientBoosting on the first
submission's features by a margin, which is the edge the leaderboard's strong tier needs over the field.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from envs.mle import population as pop
from envs.mle.competition import Competition
from envs.mle.registry import get_spec

#: competition -> (a strong model on the engineered features: family and parameters, the margin it must win by)
STRONG = {
    "whale-calls": ("spline_linear", {"C": 0.3}, 0.03),
    "audio-tagging": ("spline_linear", {"C": 0.3}, 0.02),
    "denoising-digits": ("hgb", {}, 0.005),
}


def _validation_score(cid: str, competition: Competition, data, family: str, params: dict) -> float:
    spec = get_spec(cid)
    model = pop.estimator(spec, family, params)
    with threadpool_limits(limits=1):  # as the population fits: one thread each, no oversubscription under xdist
        predicted = pop.fit_predict(spec, model, data.x_train, data.y_train, data.x_test, data.classes)
    answers = competition.answers(competition.validation_root / "private")
    return competition.grade(pop.to_submission(spec, data, predicted).astype(str), answers)


@pytest.mark.parametrize("cid", sorted(STRONG))
def test_engineered_features_extend_the_first_submissions_and_keep_its_rows(cid: str, mle_cache: Path) -> None:
    spec, public = get_spec(cid), Competition.load(mle_cache / cid).validation_root / "public"
    first, engineered = spec.features(public), spec.strong_features(public)
    assert spec.engineered_features is not None
    assert np.array_equal(first.test_ids, engineered.test_ids)
    assert np.array_equal(first.y_train, engineered.y_train)
    assert engineered.x_train.shape[0] == first.x_train.shape[0]
    assert engineered.x_train.shape[1] > first.x_train.shape[1]
    width = first.x_train.shape[1]  # the first submission's columns come first, unchanged
    assert np.array_equal(engineered.x_test[:, :width], first.x_test)
    again = spec.strong_features(public)
    assert np.array_equal(again.x_train, engineered.x_train) and np.array_equal(again.x_test, engineered.x_test)
    assert np.isfinite(engineered.x_train).all() and np.isfinite(engineered.x_test).all()


@pytest.mark.parametrize("cid", sorted(STRONG))
def test_a_strong_model_on_engineered_features_beats_the_untuned_hgb_on_plain_ones(cid: str, mle_cache: Path) -> None:
    spec, competition = get_spec(cid), Competition.load(mle_cache / cid)
    public = competition.validation_root / "public"
    family, params, margin = STRONG[cid]
    untuned = _validation_score(cid, competition, spec.features(public), "hgb", {})
    strong = _validation_score(cid, competition, spec.strong_features(public), family, params)
    gain = (untuned - strong) if spec.config.lower_is_better else (strong - untuned)
    assert gain > margin, (untuned, strong)
