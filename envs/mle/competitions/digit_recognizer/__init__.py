"""Image classification (accuracy) on scikit-learn's bundled 8x8 digits.

`sklearn.datasets.load_digits` (1,797 images, shipped in the wheel). To keep
the leaderboard from crowding at the top, each image gets a seeded random
shift of up to one pixel and Gaussian pixel noise (sd 2 of 16 levels).
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
from sklearn.datasets import load_digits

from envs.mle.builtin import BuiltinSpec, columns_answers, opaque_ids, tabular_features, tabular_public
from envs.mle.competition import CompetitionConfig

PIXELS = [f"pixel{i}" for i in range(64)]


def noisy_digits(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Digit images (n, 8, 8) in 0..16, shifted and noised, and their labels."""
    digits = load_digits()
    images = np.zeros_like(digits.images)
    for i, image in enumerate(digits.images):
        dy, dx = rng.integers(-1, 2, 2)
        images[i] = np.roll(np.roll(image, dy, axis=0), dx, axis=1)
    images = np.clip(images + rng.normal(0, 2.0, images.shape), 0, 16)
    return images, digits.target


def generate(rng: np.random.Generator) -> pd.DataFrame:
    images, labels = noisy_digits(rng)
    frame = pd.DataFrame(images.reshape(len(images), 64).round(2), columns=PIXELS)
    frame.insert(0, "image_id", opaque_ids(len(frame), salt=606))
    frame["label"] = labels
    return frame


SPEC = BuiltinSpec(
    config=CompetitionConfig(
        id="digit-recognizer",
        name="Digit recognizer",
        category="image-classification",
        metric="accuracy",
        lower_is_better=False,
        id_column="image_id",
        difficulty=1,
    ),
    seed=6,
    generate=generate,
    write_public=tabular_public(["label"], "image_id", 0),
    answers=columns_answers(["image_id", "label"]),
    kind="label",
    features=partial(tabular_features, target="label", id_col="image_id"),
)
