"""Binary image classification (log-loss): is the pet in the photo a dog or a cat?

Offline analogue of MLE-bench lite's dogs-vs-cats-redux-kernels-edition.
Generator (seeded, nothing public to look up): 3,000 RGB photos of 32x32
pixels, saved as PNG files named as on Kaggle (train: `cat.<n>.png` and
`dog.<n>.png`; test: `<id>.png`), half cats, half dogs. A photo is a pet's
head over a room (wall colour, a floor line, clutter) at a random place, size
and tilt, with a fur colour drawn from one palette for both animals. Cats have
a round face and pointed upright ears; dogs a longer face, a muzzle and
mostly hanging ears, but a fifth of dogs have pointed ears and some cats sit
half outside the frame, so the log-loss of the best entries stays above 0.

Features (envs/mle/image_descriptors.py): a first submission sees an 8x8
colour thumbnail, colour histograms and edge-orientation votes per cell, all
tied to where the head happens to be. The strong tier adds colour moments, a
block-normalised HOG with its whole-image histogram and a rotation-invariant
filter bank on luminance and the colour-opponent channels (the head's
elongation, a muzzle's light blob with its dark nose, a cat's pink nose).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from envs.mle import image_folder, procedural_images
from envs.mle.builtin import BuiltinSpec, Features, opaque_ids
from envs.mle.competition import CompetitionConfig
from envs.mle.image_descriptors import engineered, first_submission
from envs.mle.procedural_images import ellipse, paint, polygon, smooth_noise

N = 3000
SIDE = 32
FUR = np.array([[0.85, 0.55, 0.25], [0.55, 0.55, 0.55], [0.12, 0.1, 0.1], [0.92, 0.9, 0.85], [0.5, 0.33, 0.2]])


def _room(rng: np.random.Generator) -> np.ndarray:
    wall = rng.uniform(0.2, 0.9, 3)
    image = np.broadcast_to(wall, (SIDE, SIDE, 3)).copy()
    floor = int(rng.integers(18, 32))
    image[floor:] = rng.uniform(0.2, 0.8, 3)
    image += 0.05 * smooth_noise(rng, SIDE, rng.uniform(1, 3))[..., None]
    for _ in range(int(rng.poisson(1.2))):  # clutter: cushions, toys, furniture corners
        r = rng.uniform(2, 6)
        paint(
            image,
            ellipse(SIDE, tuple(rng.uniform(0, SIDE, 2)), (r, r * rng.uniform(0.5, 1.5)), 0.0),
            rng.uniform(0, 1, 3),
            0.9,
        )
    return image


def _rotate(points: np.ndarray, centre: np.ndarray, tilt: float) -> np.ndarray:
    cos, sin = np.cos(tilt), np.sin(tilt)
    offset = points - centre
    return centre + offset @ np.array([[cos, sin], [-sin, cos]])


def _head(image: np.ndarray, rng: np.random.Generator, dog: bool) -> None:
    fur = FUR[rng.integers(0, len(FUR))] + rng.normal(0, 0.05, 3)
    size = rng.uniform(5.5, 9)
    margin = size * (0.3 if not dog and rng.random() < 0.15 else 1.0)  # some cats half outside the frame
    centre = rng.uniform(margin, SIDE - margin, 2)
    tilt = rng.uniform(-0.45, 0.45)
    height = size * (rng.uniform(1.15, 1.45) if dog else rng.uniform(0.9, 1.08))
    pointed = not dog or rng.random() < 0.2
    for side in (-1, 1):
        if pointed:  # triangles on top of the head
            base = np.array([[-0.55 * height, side * 0.15 * size], [-0.35 * height, side * 0.9 * size]])
            tip = np.array([[-height * rng.uniform(1.25, 1.5), side * size * rng.uniform(0.55, 0.8)]])
            paint(image, polygon(SIDE, _rotate(centre + np.vstack([base, tip]), centre, tilt)), fur * 0.9)
        else:  # hanging ears along the sides
            ear = _rotate(centre + np.array([[0.1 * height, side * 0.95 * size]]), centre, tilt)[0]
            paint(image, ellipse(SIDE, tuple(ear), (0.35 * size, 0.8 * height), tilt), fur * rng.uniform(0.5, 0.9))
    paint(image, ellipse(SIDE, tuple(centre), (size, height), tilt + np.pi / 2), fur)
    for side in (-1, 1):
        eye = _rotate(centre + np.array([[-0.2 * height, side * 0.4 * size]]), centre, tilt)[0]
        paint(image, ellipse(SIDE, tuple(eye), (0.7, 0.7 if dog else 0.9), 0.0), np.zeros(3))
    if dog:  # a lighter muzzle with a black nose
        muzzle = _rotate(centre + np.array([[0.45 * height, 0.0]]), centre, tilt)[0]
        paint(image, ellipse(SIDE, tuple(muzzle), (0.45 * size, 0.4 * height), tilt), np.clip(fur + 0.2, 0, 1))
        paint(image, ellipse(SIDE, tuple(muzzle), (0.9, 0.7), 0.0), np.zeros(3))
    else:
        nose = _rotate(centre + np.array([[0.25 * height, 0.0]]), centre, tilt)[0]
        paint(image, ellipse(SIDE, tuple(nose), (0.6, 0.5), 0.0), np.array([0.9, 0.5, 0.55]))


def generate(rng: np.random.Generator) -> pd.DataFrame:
    dogs = (rng.random(N) < 0.5).astype(int)
    images = []
    for dog in dogs:
        image = _room(rng)
        _head(image, rng, bool(dog))
        images.append(procedural_images.to_uint8(image, rng, noise=0.03))
    frame = image_folder.to_rows(np.stack(images))
    frame.insert(0, "id", opaque_ids(rng, N))
    frame["label"] = dogs
    return frame


def answers(test: pd.DataFrame) -> pd.DataFrame:
    return test[["id", "label"]].reset_index(drop=True)


def write_public(train: pd.DataFrame, test: pd.DataFrame, public: Path) -> None:
    names = [f"{'dog' if label else 'cat'}.{n}.png" for n, label in enumerate(train["label"])]
    image_folder.write_pngs(public / "train", names, image_folder.from_rows(train, SIDE))
    image_folder.write_pngs(public / "test", test["id"].astype(str) + ".png", image_folder.from_rows(test, SIDE))
    pd.DataFrame({"id": test["id"], "label": 0.5}).to_csv(public / "sample_submission.csv", index=False)


def read_images(public: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Train images (sorted by file name), their labels (from the name), test images and the test ids."""
    names = sorted(path.name for path in (public / "train").iterdir())
    test = pd.read_csv(public / "sample_submission.csv")
    x_train = image_folder.read_pngs(public / "train", names)
    x_test = image_folder.read_pngs(public / "test", test["id"].astype(str) + ".png")
    return x_train, np.array([name.startswith("dog.") for name in names], dtype=int), x_test, test["id"].to_numpy()


def features(public: Path) -> Features:
    x_train, y, x_test, ids = read_images(public)
    return Features(first_submission(x_train), y, first_submission(x_test), ids, ("label",))


def engineered_features(public: Path) -> Features:
    x_train, y, x_test, ids = read_images(public)
    x_train, x_test = (engineered(x) for x in (x_train, x_test))
    return Features(x_train, y, x_test, ids, ("label",))


SPEC = BuiltinSpec(
    config=CompetitionConfig(
        id="pet-photos",
        name="Dogs vs. cats",
        category="image-classification",
        metric="log-loss",
        lower_is_better=True,
        id_column="id",
        difficulty=1,
    ),
    seed=1314,
    generate=generate,
    write_public=write_public,
    answers=answers,
    kind="binary",
    features=features,
    engineered_features=engineered_features,
    teams=1314,  # the Kaggle competition's teams
    shared_sources=(image_folder.SOURCE, procedural_images.SOURCE),
)
