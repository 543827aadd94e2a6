"""The image competitions' two feature levels (issue 18): what a first submission feeds a model and the careful
Kaggler's descriptors (envs/mle/image_descriptors.py) that the strong tier of the leaderboard population trains on.

The descriptors behave as described (rotation-invariant pooled filter bank, ridges apart from blobs, spots
counted); the engineered features keep the test rows, extend the first submission's columns deterministically,
and on each competition's validation split a gradient boosting of the tuned grid on them beats the untuned
HistGradientBoosting on the first submission's features by a margin.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from envs.mle import image_descriptors
from envs.mle import population as pop
from envs.mle.competition import Competition
from envs.mle.procedural_images import ellipse
from envs.mle.registry import get_spec

#: the least improvement of the validation score (in the metric's better direction)
MARGINS = {"cactus-identification": 0.03, "plant-pathology": 0.03, "pet-photos": 0.05, "retina-grading": 0.03}
SIDE = 32


def _shapes(*masks: np.ndarray) -> np.ndarray:
    """(n, SIDE, SIDE) luminance images: each mask bright on a dark ground."""
    return np.stack([0.1 + 0.8 * mask for mask in masks]).astype(np.float32)


def test_filter_bank_is_rotation_invariant_and_tells_ridges_from_blobs() -> None:
    bar = ellipse(SIDE, (15.5, 15.5), (9, 1.6), 0.5)
    blob = ellipse(SIDE, (15.5, 15.5), (3.8, 3.8), 0.0)  # about the bar's area
    images = _shapes(bar, blob)
    pooled = image_descriptors.filter_bank(images, scales=(1.5,))
    turned = image_descriptors.filter_bank(np.rot90(images, axes=(1, 2)).copy(), scales=(1.5,))
    np.testing.assert_allclose(pooled, turned, atol=1e-5)
    # columns: mean, 90th percentile and maximum of (bright blob, dark blob, bright ridge, dark ridge)
    bright_ridge_max, bright_blob_max = pooled[:, 8 + 2], pooled[:, 8 + 0]
    assert bright_ridge_max[0] > 2 * bright_ridge_max[1]
    assert bright_blob_max[1] > 2 * bright_blob_max[0]


def test_filter_bank_counts_spots() -> None:
    rng = np.random.default_rng(0)
    masks = []
    for count in (0, 3, 7):
        mask = np.zeros((SIDE, SIDE))
        for y, x in rng.permutation([(y, x) for y in range(4, 29, 6) for x in range(4, 29, 6)])[:count]:
            mask = np.maximum(mask, ellipse(SIDE, (y, x), (1.2, 1.2), 0.0))
        masks.append(mask)
    counts = image_descriptors.filter_bank(_shapes(*masks), scales=(1.0,), cuts=(0.1,))[:, -4]  # bright blob peaks
    assert counts.tolist() == [0, 3, 7]


def test_colour_moments_and_hog_ignore_where_the_scene_is() -> None:
    rng = np.random.default_rng(1)
    image = (rng.random((1, SIDE, SIDE, 3)) * 255).astype(np.uint8)
    flipped = image[:, :, ::-1].copy()
    whole = slice(0, 18)  # whole-image colour moments: 6 channels x mean, spread, skew
    rgb, rgb_flipped = image_descriptors.as_float(image), image_descriptors.as_float(flipped)
    np.testing.assert_allclose(
        image_descriptors.colour_moments(rgb)[:, whole], image_descriptors.colour_moments(rgb_flipped)[:, whole], 1e-5
    )
    hog = image_descriptors.orientation_histograms(rgb.mean(axis=-1))
    assert hog.shape == (1, 4 * 9 + 9) and np.isclose(hog[0, -9:].sum(), 1.0)


@pytest.mark.parametrize("cid", sorted(MARGINS))
def test_engineered_features_extend_the_first_submission_and_beat_it(cid: str, mle_cache: Path) -> None:
    spec = get_spec(cid)
    competition = Competition.load(mle_cache / cid)
    public = competition.validation_root / "public"
    first, engineered = spec.features(public), spec.strong_features(public)
    assert spec.engineered_features is not None
    np.testing.assert_array_equal(first.test_ids, engineered.test_ids)
    width = first.x_train.shape[1]
    assert engineered.x_train.shape[1] > width and engineered.x_test.shape == (
        first.x_test.shape[0],
        *engineered.x_train.shape[1:],
    )
    np.testing.assert_array_equal(engineered.x_train[:, :width], first.x_train)
    np.testing.assert_array_equal(engineered.y_train, first.y_train)
    # deterministic and row by row: the first test images' features, computed again on their own, are the same
    module = importlib.import_module(f"envs.mle.competitions.{cid.replace('-', '_')}")
    x_test = module.read_images(public)[2][:20]
    again = image_descriptors.engineered(x_test, getattr(module, "CUTS", ()))
    np.testing.assert_allclose(engineered.x_test[:20], again, rtol=1e-6)
    answers = competition.answers(competition.validation_root / "private")

    def score(data, params: dict) -> float:
        with threadpool_limits(1):
            predicted = pop.fit_predict(
                spec, pop.estimator(spec, "hgb", params), data.x_train, data.y_train, data.x_test, data.classes
            )
        return competition.grade(pop.to_submission(spec, data, predicted).astype(str), answers)

    untuned, tuned = score(first, {}), score(engineered, pop.HGB_GRID[3])
    gain = untuned - tuned if spec.config.lower_is_better else tuned - untuned
    assert gain >= MARGINS[cid], (untuned, tuned)
