"""Binary image classification (AUC-ROC): does an aerial tile show a columnar cactus?

Offline analogue of MLE-bench lite's aerial-cactus-identification.
Generator (seeded, nothing public to look up): 2,000 RGB tiles of 32x32
pixels, saved as PNG files. Each tile is textured ground (sand, red soil or
grey gravel, sometimes a track) with distractors drawn independently of the
label: round green bushes (a cactus's colour, not its shape) and elongated
brown or grey logs and rocks (its shape, not its colour). Three quarters of
the tiles hold a cactus: an elongated green body of random length, width,
place and angle, with the shadow it casts and sometimes arms, at a random
contrast.

Features (envs/mle/image_descriptors.py): a first submission sees an 8x8
colour thumbnail, colour histograms and edge-orientation votes per cell, where
a bush's colour and a log's shape confuse it (the population's mid and weak
tiers, the untuned HGB). The strong tier adds what holds wherever the cactus
stands and however it is turned: colour moments, a block-normalised HOG and a
rotation-invariant filter bank on luminance and the red-green and yellow-blue
channels, whose green ridges (elongated, unlike a bush; green, unlike a log)
mark a cactus. A small CNN still has room above the board (the real task's
top is about 1).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from envs.mle import image_folder, procedural_images
from envs.mle.builtin import BuiltinSpec, Features, opaque_ids
from envs.mle.competition import CompetitionConfig
from envs.mle.image_descriptors import engineered, first_submission
from envs.mle.procedural_images import ellipse, paint, smooth_noise

N = 2000
SIDE = 32
GROUNDS = np.array([[0.78, 0.68, 0.52], [0.66, 0.45, 0.32], [0.62, 0.6, 0.56]])


def _ground(rng: np.random.Generator) -> np.ndarray:
    base = GROUNDS[rng.integers(0, len(GROUNDS))] + rng.normal(0, 0.04, 3)
    texture = 0.06 * smooth_noise(rng, SIDE, rng.uniform(1, 3)) + 0.03 * smooth_noise(rng, SIDE, 0.5)
    image = np.clip(base + texture[..., None], 0, 1)
    if rng.random() < 0.3:  # a light track across the tile
        track = procedural_images.segment(
            SIDE, tuple(rng.uniform(0, SIDE, 2)), tuple(rng.uniform(0, SIDE, 2)), rng.uniform(2, 5)
        )
        paint(image, track, base + 0.12, opacity=0.7)
    return image


def _green(rng: np.random.Generator) -> np.ndarray:
    return np.array([0.25, 0.45, 0.25]) + rng.normal(0, 0.05, 3)


def _distractors(image: np.ndarray, rng: np.random.Generator) -> None:
    for _ in range(int(rng.poisson(2.5))):  # round bushes, cactus-coloured
        radius = rng.uniform(1.5, 5)
        paint(
            image,
            ellipse(SIDE, tuple(rng.uniform(0, SIDE, 2)), (radius, radius * rng.uniform(0.8, 1.2)), 0.0),
            _green(rng),
            opacity=rng.uniform(0.5, 1),
        )
    for _ in range(int(rng.poisson(0.8))):  # logs and rocks, cactus-shaped
        length = rng.uniform(3, 9)
        colour = np.array([0.45, 0.35, 0.25]) if rng.random() < 0.5 else np.array([0.5, 0.5, 0.5])
        shape = ellipse(
            SIDE, tuple(rng.uniform(0, SIDE, 2)), (length, length / rng.uniform(2.5, 5)), rng.uniform(0, np.pi)
        )
        paint(image, shape, colour + rng.normal(0, 0.05, 3), opacity=rng.uniform(0.6, 1))


def _cactus(image: np.ndarray, rng: np.random.Generator, sun: float) -> None:
    center = rng.uniform(3, SIDE - 3, 2)
    length, angle = rng.uniform(4, 11), rng.uniform(0, np.pi)
    axes = (length, max(length / rng.uniform(2.5, 4.5), 1.2))
    opacity = rng.uniform(0.55, 1)
    shadow_at = center + 0.6 * length * np.array([np.sin(sun), np.cos(sun)])
    paint(image, ellipse(SIDE, tuple(shadow_at), axes, sun), np.zeros(3), opacity=0.35 * opacity)
    body = ellipse(SIDE, tuple(center), axes, angle)
    for _ in range(int(rng.integers(0, 3))):  # arms branching off the trunk
        along = rng.uniform(-0.6, 0.6) * length
        base = center + along * np.array([np.sin(angle), np.cos(angle)])
        side = angle + np.pi / 2 * rng.choice([-1, 1])
        tip = base + 0.5 * length * np.array([np.sin(side), np.cos(side)])
        body = np.maximum(body, procedural_images.segment(SIDE, tuple(base), tuple(tip), axes[1]))
    paint(image, body, _green(rng) - 0.05, opacity=opacity)


def generate(rng: np.random.Generator) -> pd.DataFrame:
    labels = (rng.random(N) < 0.75).astype(int)
    images = np.empty((N, SIDE, SIDE, 3), np.uint8)
    for i in range(N):
        image = _ground(rng)
        _distractors(image, rng)
        if labels[i]:
            _cactus(image, rng, sun=rng.uniform(0.5, 1.1))
        images[i] = procedural_images.to_uint8(image, rng, noise=0.02)
    frame = image_folder.to_rows(images)
    frame.insert(0, "id", [f"{i:08x}.png" for i in opaque_ids(rng, N, 0, 16**8)])
    frame["has_cactus"] = labels
    return frame


def answers(test: pd.DataFrame) -> pd.DataFrame:
    return test[["id", "has_cactus"]].reset_index(drop=True)


def write_public(train: pd.DataFrame, test: pd.DataFrame, public: Path) -> None:
    image_folder.write_pngs(public / "train", train["id"], image_folder.from_rows(train, SIDE))
    train[["id", "has_cactus"]].to_csv(public / "train.csv", index=False)
    image_folder.write_pngs(public / "test", test["id"], image_folder.from_rows(test, SIDE))
    pd.DataFrame({"id": test["id"], "has_cactus": 0.5}).to_csv(public / "sample_submission.csv", index=False)


def read_images(public: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Train images, their labels, test images and the test ids, in the files' order."""
    train, test = pd.read_csv(public / "train.csv"), pd.read_csv(public / "sample_submission.csv")
    images = (
        image_folder.read_pngs(public / folder, ids) for folder, ids in (("train", train["id"]), ("test", test["id"]))
    )
    return next(images), train["has_cactus"].to_numpy(), next(images), test["id"].to_numpy()


def features(public: Path) -> Features:
    x_train, y, x_test, ids = read_images(public)
    return Features(first_submission(x_train), y, first_submission(x_test), ids, ("has_cactus",))


def engineered_features(public: Path) -> Features:
    x_train, y, x_test, ids = read_images(public)
    return Features(engineered(x_train), y, engineered(x_test), ids, ("has_cactus",))


SPEC = BuiltinSpec(
    config=CompetitionConfig(
        id="cactus-identification",
        name="Aerial cactus identification",
        category="image-classification",
        metric="auc-roc",
        lower_is_better=False,
        id_column="id",
        difficulty=1,
    ),
    seed=1221,
    generate=generate,
    write_public=write_public,
    answers=answers,
    kind="binary",
    features=features,
    engineered_features=engineered_features,
    teams=1221,
    shared_sources=(image_folder.SOURCE, procedural_images.SOURCE),
)
