"""Image classification (accuracy) on scikit-learn's bundled 8x8 digits, drawn anew and projected.

`sklearn.datasets.load_digits` (1,797 images, shipped in the wheel) is public,
so a nearest-neighbour lookup against it (even under one-pixel shifts) used to
score 1.0. Now the images are drawn with replacement and each warped at random
(envs/mle/digit_augment.py), get Gaussian pixel noise (sd 2 of 16 levels), and
their 64 pixels are mixed by a fixed random orthogonal projection: distances
between images (what k-NN, kernel and linear models use) are kept, but a row
can no longer be compared with a bundled image without the projection, which
comes from the competition's secret seed (solution scripts cannot read this
module).
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from envs.mle import digit_augment
from envs.mle.builtin import BuiltinSpec, columns_answers, opaque_ids, tabular_features, tabular_public
from envs.mle.competition import CompetitionConfig

FEATURES = [f"f{i}" for i in range(64)]


def generate(rng: np.random.Generator) -> pd.DataFrame:
    images, labels = digit_augment.warped_digits(rng)
    pixels = np.clip(images + rng.normal(0, 2.0, images.shape), 0, 16).reshape(len(images), 64)
    projection, _ = np.linalg.qr(rng.normal(size=(64, 64)))
    frame = pd.DataFrame((pixels @ projection).round(3), columns=FEATURES)
    frame.insert(0, "image_id", opaque_ids(rng, len(frame)))
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
    shared_sources=(digit_augment.SOURCE,),
    features=partial(tabular_features, target="label", id_col="image_id"),
    teams=1600,
)
