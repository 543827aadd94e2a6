"""Image-to-image (RMSE): clean stained, noisy scans of digits.

Images are scikit-learn's bundled 8x8 digits, drawn with replacement and each
warped at random (envs/mle/digit_augment.py: no clean image is a bundled one,
so matching against the bundled set, or the split's order, gives no answers),
as dark ink on white paper (1 - intensity / 16). Each noisy copy gets one or
two soft dark stains (Gaussian blobs of random place, size and strength) plus
pixel noise (sd 0.08), clipped to [0, 1], as in Kaggle's dirty-documents task.
Seeded with the competition's secret seed.

Leaderboard population (one row per pixel): a first submission (mid and weak
tiers, the untuned HGB) sees each noisy pixel's 3x3 neighbourhood and its
position (`patches`); the strong tier adds the dirty-documents kernels' views
(`engineered_patches`): the 5x5 ring, the paper level nearby (local maxima),
a median, blurs at two scales, the pixel relative to the paper level and the
blur, and the image's own statistics.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import ndimage

from envs.mle import digit_augment
from envs.mle.builtin import BuiltinSpec, Features, opaque_ids
from envs.mle.competition import CompetitionConfig

SIDE = 8
NOISY = [f"n{i}" for i in range(SIDE * SIDE)]
CLEAN = [f"c{i}" for i in range(SIDE * SIDE)]
PIXELS = [f"p{i}" for i in range(SIDE * SIDE)]


def _stain(rng: np.random.Generator) -> np.ndarray:
    yy, xx = np.mgrid[0:SIDE, 0:SIDE]
    cy, cx = rng.uniform(-1, SIDE, 2)
    width = rng.uniform(1.0, 3.0)
    return rng.uniform(0.2, 0.6) * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * width**2))


def generate(rng: np.random.Generator) -> pd.DataFrame:
    clean = 1 - digit_augment.warped_digits(rng)[0] / 16.0
    noisy = np.empty_like(clean)
    for i, image in enumerate(clean):
        stains = sum(_stain(rng) for _ in range(rng.integers(1, 3)))
        noisy[i] = np.clip(image - stains + rng.normal(0, 0.08, image.shape), 0, 1)

    def flat(images: np.ndarray) -> np.ndarray:
        return images.reshape(len(images), -1).round(4)

    frame = pd.concat([pd.DataFrame(flat(noisy), columns=NOISY), pd.DataFrame(flat(clean), columns=CLEAN)], axis=1)
    frame.insert(0, "image_id", opaque_ids(rng, len(frame)))
    return frame


def pixel_ids(image_ids: pd.Series) -> np.ndarray:
    """Submission ids "<image>_<row>_<col>" (1-based rows and columns), image by image."""
    return np.array([f"{img}_{r}_{c}" for img in image_ids for r in range(1, SIDE + 1) for c in range(1, SIDE + 1)])


def _images(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame[["image_id", *columns]].copy()
    out.columns = ["image_id", *PIXELS]
    return out


def answers(test: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"id": pixel_ids(test["image_id"]), "value": test[CLEAN].to_numpy().ravel()})


def write_public(train: pd.DataFrame, test: pd.DataFrame, public: Path) -> None:
    _images(train, NOISY).to_csv(public / "train_noisy.csv", index=False)
    _images(train, CLEAN).to_csv(public / "train_clean.csv", index=False)
    _images(test, NOISY).to_csv(public / "test_noisy.csv", index=False)
    pd.DataFrame({"id": pixel_ids(test["image_id"]), "value": 1.0}).to_csv(
        public / "sample_submission.csv", index=False
    )


def patches(images: np.ndarray) -> np.ndarray:
    """Per pixel: its 3x3 neighbourhood (edge-padded) and its position; rows image by image."""
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)), mode="edge")
    cols = [padded[:, dy : dy + SIDE, dx : dx + SIDE].reshape(-1) for dy in range(3) for dx in range(3)]
    yy, xx = np.mgrid[0:SIDE, 0:SIDE]
    cols += [np.tile(yy.ravel(), len(images)), np.tile(xx.ravel(), len(images))]
    return np.column_stack(cols)


def _per_pixel(maps: list[np.ndarray]) -> np.ndarray:
    return np.column_stack([m.reshape(-1) for m in maps])


def engineered_patches(images: np.ndarray) -> np.ndarray:
    """The 3x3 patches plus the careful Kaggler's per-pixel views, as in the dirty-documents kernels: the outer
    ring of the 5x5 neighbourhood; the paper's level nearby (3x3 and 5x5 maximum: ink is dark, so the brightest
    pixel around is paper, darkened only by the stain), a 3x3 median, Gaussian blurs at two scales, the pixel
    over the 5x5 paper level and minus the fine blur; and the image's mean, extremes and quartiles."""
    padded = np.pad(images, ((0, 0), (2, 2), (2, 2)), mode="edge")
    outer = [(dy, dx) for dy in range(5) for dx in range(5) if {dy, dx} & {0, 4}]
    ring = [padded[:, dy : dy + SIDE, dx : dx + SIDE] for dy, dx in outer]
    paper3 = ndimage.maximum_filter(images, size=(1, 3, 3), mode="nearest")
    paper5 = ndimage.maximum_filter(images, size=(1, 5, 5), mode="nearest")
    fine = ndimage.gaussian_filter(images, sigma=(0, 1.5, 1.5), mode="nearest")
    coarse = ndimage.gaussian_filter(images, sigma=(0, 3, 3), mode="nearest")
    median = ndimage.median_filter(images, size=(1, 3, 3), mode="nearest")
    maps = [*ring, paper3, paper5, median, fine, coarse, images / np.maximum(paper5, 1e-3), images - fine]
    flat = images.reshape(len(images), -1)
    summary = np.column_stack([flat.mean(1), flat.min(1), flat.max(1), *np.percentile(flat, (25, 75), axis=1)])
    return np.column_stack([patches(images), _per_pixel(maps), np.repeat(summary, SIDE * SIDE, axis=0)])


def _features(public: Path, view: Callable[[np.ndarray], np.ndarray]) -> Features:
    noisy = pd.read_csv(public / "train_noisy.csv")
    clean = pd.read_csv(public / "train_clean.csv")
    test = pd.read_csv(public / "test_noisy.csv")

    def as_images(frame: pd.DataFrame) -> np.ndarray:
        return frame[PIXELS].to_numpy().reshape(-1, SIDE, SIDE)

    y = clean[PIXELS].to_numpy().ravel()
    return Features(view(as_images(noisy)), y, view(as_images(test)), pixel_ids(test["image_id"]), ("value",))


def features(public: Path) -> Features:
    return _features(public, patches)


def engineered_features(public: Path) -> Features:
    return _features(public, engineered_patches)


SPEC = BuiltinSpec(
    config=CompetitionConfig(
        id="denoising-digits",
        name="Denoising stained digit scans",
        category="image-to-image",
        metric="rmse",
        lower_is_better=True,
        id_column="id",
        difficulty=2,
    ),
    seed=7,
    generate=generate,
    write_public=write_public,
    answers=answers,
    kind="regression",
    shared_sources=(digit_augment.SOURCE,),
    features=features,
    engineered_features=engineered_features,
    teams=161,
)
