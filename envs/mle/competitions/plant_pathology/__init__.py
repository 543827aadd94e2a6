"""Leaf disease classification (mean column-wise AUC-ROC over four classes).

Offline analogue of MLE-bench lite's plant-pathology-2020-fgvc7.
Generator (seeded, nothing public to look up): 2,500 RGB photos of 32x32
pixels, saved as PNG files: a leaf (its green, size, angle and vein vary) on
soil, grass or a blurred background. Each leaf has one label, in the real
data's shares: healthy (28%), rust (34%: small orange-yellow spots), scab
(33%: irregular olive-brown blotches) or multiple_diseases (5%: both, fewer
of each). Every leaf may also carry light reflections, specks of dirt (dark
like scab, but tiny) and a yellowish tinge (the colour of rust, but spread
out); symptoms have a random strength and a few are very faint, so the best
score stays below 1.

Features (envs/mle/image_descriptors.py): a first submission sees an 8x8
colour thumbnail, colour histograms and edge-orientation votes per cell, too
coarse for spots a pixel or two wide. The strong tier adds colour moments, a
block-normalised HOG and a rotation-invariant filter bank on luminance and the
red-green and yellow-blue channels at three scales, with the number of its
peaks above `CUTS`: how many small orange spots (rust) and larger dark
blotches (scab) a leaf has, apart from tiny dirt specks and a spread tinge.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from envs.mle import image_folder, procedural_images
from envs.mle.builtin import BuiltinSpec, Features, opaque_ids
from envs.mle.competition import CompetitionConfig
from envs.mle.image_descriptors import engineered, first_submission
from envs.mle.procedural_images import ellipse, paint, segment, smooth_noise

N = 2500
SIDE = 32
CLASSES = ("healthy", "multiple_diseases", "rust", "scab")
SHARES = (0.28, 0.05, 0.34, 0.33)
#: filter-bank strengths above which a peak counts as a spot (rust, scab, dirt)
CUTS = (0.05, 0.1, 0.2)
RUST, SCAB = np.array([0.85, 0.55, 0.15]), np.array([0.35, 0.3, 0.15])


def _background(rng: np.random.Generator) -> np.ndarray:
    base = (np.array([0.35, 0.28, 0.2]), np.array([0.25, 0.4, 0.2]), np.array([0.5, 0.5, 0.5]))[rng.integers(0, 3)]
    texture = 0.08 * smooth_noise(rng, SIDE, rng.uniform(1.5, 4))
    return np.clip(base * rng.uniform(0.7, 1.2) + texture[..., None], 0, 1)


def _spots(leaf: np.ndarray, rng: np.random.Generator, count: int, radius: tuple[float, float], colour) -> np.ndarray:
    """Random spots inside the leaf's mask, as a mask."""
    inside = np.argwhere(leaf > 0.9)
    spots = np.zeros_like(leaf)
    for _ in range(count):
        y, x = inside[rng.integers(0, len(inside))] + rng.uniform(-0.5, 0.5, 2)
        r = rng.uniform(*radius)
        spots = np.maximum(spots, ellipse(SIDE, (y, x), (r, r * rng.uniform(0.6, 1.4)), rng.uniform(0, 3.1)))
    return spots * leaf


def _photo(rng: np.random.Generator, label: str) -> np.ndarray:
    image = _background(rng)
    angle, length = rng.uniform(0, np.pi), rng.uniform(11, 15)
    centre = SIDE / 2 - 0.5 + rng.normal(0, 1.5, 2)
    leaf = ellipse(SIDE, tuple(centre), (length, length * rng.uniform(0.45, 0.65)), angle)
    green = np.array([0.25, 0.55, 0.2]) * rng.uniform(0.75, 1.15) + rng.normal(0, 0.03, 3)
    paint(image, leaf, green[None, None, :] + 0.04 * smooth_noise(rng, SIDE, 1.5)[..., None])
    tip = np.array([np.sin(angle), np.cos(angle)]) * length * 0.9
    paint(image, segment(SIDE, tuple(centre - tip), tuple(centre + tip), 0.7) * leaf, green + 0.15, 0.6)
    if rng.random() < 0.3:  # a yellowish tinge over the whole leaf
        paint(image, leaf, np.array([0.7, 0.7, 0.2]), rng.uniform(0.1, 0.35))
    strength = rng.uniform(0.6, 1.0) if rng.random() < 0.9 else rng.uniform(0.15, 0.45)
    multiple = label == "multiple_diseases"
    if label in ("rust", "multiple_diseases"):
        count = int(rng.integers(3, 7) if multiple else rng.integers(4, 12))
        paint(image, _spots(leaf, rng, count, (0.8, 1.5), RUST), RUST, strength)
    if label in ("scab", "multiple_diseases"):
        count = int(rng.integers(1, 4) if multiple else rng.integers(2, 6))
        blotches = _spots(leaf, rng, count, (1.5, 3.5), SCAB) * (smooth_noise(rng, SIDE, 0.8) > -0.5)
        paint(image, blotches, SCAB, strength)
    paint(image, _spots(leaf, rng, int(rng.poisson(1.0)), (0.3, 0.5), SCAB), SCAB * 0.6, 0.8)  # dirt
    paint(image, _spots(leaf, rng, int(rng.poisson(1.0)), (0.5, 1.5), np.ones(3)), np.ones(3), 0.5)  # glare
    return procedural_images.to_uint8(image, rng, noise=0.02)


def generate(rng: np.random.Generator) -> pd.DataFrame:
    labels = rng.choice(CLASSES, size=N, p=SHARES)
    frame = image_folder.to_rows(np.stack([_photo(rng, str(label)) for label in labels]))
    frame.insert(0, "image_id", [f"leaf_{i}" for i in opaque_ids(rng, N)])
    frame["label"] = labels
    return frame


def answers(test: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame({"image_id": test["image_id"]})
    for name in CLASSES:
        frame[name] = (test["label"] == name).astype(int)
    return frame


def write_public(train: pd.DataFrame, test: pd.DataFrame, public: Path) -> None:
    for rows in (train, test):
        image_folder.write_pngs(public / "images", rows["image_id"] + ".png", image_folder.from_rows(rows, SIDE))
    answers(train).to_csv(public / "train.csv", index=False)
    test[["image_id"]].to_csv(public / "test.csv", index=False)
    sample = pd.DataFrame({"image_id": test["image_id"], **{name: 0.25 for name in CLASSES}})
    sample.to_csv(public / "sample_submission.csv", index=False)


def read_images(public: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Train images, their labels, test images and the test ids, in the files' order."""
    train, test = pd.read_csv(public / "train.csv"), pd.read_csv(public / "test.csv")
    x_train, x_test = (image_folder.read_pngs(public / "images", rows["image_id"] + ".png") for rows in (train, test))
    labels = np.array(CLASSES)[train[list(CLASSES)].to_numpy().argmax(axis=1)]
    return x_train, labels, x_test, test["image_id"].to_numpy()


def features(public: Path) -> Features:
    x_train, y, x_test, ids = read_images(public)
    return Features(first_submission(x_train), y, first_submission(x_test), ids, CLASSES, classes=CLASSES)


def engineered_features(public: Path) -> Features:
    x_train, y, x_test, ids = read_images(public)
    x_train, x_test = (engineered(x, CUTS) for x in (x_train, x_test))
    return Features(x_train, y, x_test, ids, CLASSES, classes=CLASSES)


SPEC = BuiltinSpec(
    config=CompetitionConfig(
        id="plant-pathology",
        name="Plant pathology",
        category="image-classification",
        metric="auc-roc",
        lower_is_better=False,
        id_column="image_id",
        difficulty=2,
    ),
    seed=2020,
    generate=generate,
    write_public=write_public,
    answers=answers,
    kind="multiclass",
    features=features,
    engineered_features=engineered_features,
    teams=1317,
    shared_sources=(image_folder.SOURCE, procedural_images.SOURCE),
)
