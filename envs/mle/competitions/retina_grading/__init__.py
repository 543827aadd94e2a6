"""Ordinal image grading (quadratic weighted kappa): diabetic retinopathy grade 0-4 of a fundus photo.

Offline analogue of MLE-bench lite's aptos2019-blindness-detection.
Generator (seeded, nothing public to look up): 2,500 RGB images of 32x32
pixels, saved as PNG files: an orange retina disc on black with camera
exposure and vignetting that vary, an optic disc left or right, vessels, and
lesions whose number and size grow with the disease: microaneurysms (tiny
dark red dots), haemorrhages (larger dark blotches), exudates (yellow spots)
and, at the worst grade, fine new vessels. Grades follow the real data's
shares (about half 0, a quarter 2). The lesions are drawn from a severity
that is the grade plus noise, as graders disagree on borderline eyes: the
grade is not a function of the image and the best kappa stays below 1.

Features (envs/mle/image_descriptors.py): a first submission sees an 8x8
colour thumbnail, colour histograms and edge-orientation votes per cell, in
which a microaneurysm is a fraction of a pixel. The strong tier adds colour
moments, a block-normalised HOG and a rotation-invariant filter bank on
luminance and the colour-opponent channels at three scales, with the number of
its peaks above `CUTS`: counts of dark red dots, blotches and yellow exudates,
what graders count.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import ndimage

from envs.mle import image_folder, procedural_images
from envs.mle.builtin import BuiltinSpec, Features, opaque_ids
from envs.mle.competition import CompetitionConfig
from envs.mle.image_descriptors import engineered, first_submission
from envs.mle.procedural_images import ellipse, paint, segment

N = 2500
SIDE = 32
GRADE_SHARES = (0.49, 0.10, 0.27, 0.05, 0.09)
#: filter-bank strengths above which a peak counts as a lesion
CUTS = (0.05, 0.1, 0.2)
RED, YELLOW = np.array([0.45, 0.08, 0.05]), np.array([0.95, 0.85, 0.35])


def _spot(image: np.ndarray, rng: np.random.Generator, centre: np.ndarray, radius: float, colour, opacity) -> None:
    place = centre + rng.uniform(-11, 11, 2)
    paint(
        image,
        ellipse(SIDE, tuple(place), (radius, radius * rng.uniform(0.7, 1.3)), rng.uniform(0, 3.1)),
        colour,
        opacity,
    )


def _fundus(rng: np.random.Generator, severity: float) -> np.ndarray:
    centre = SIDE / 2 - 0.5 + rng.normal(0, 0.7, 2)
    image = np.zeros((SIDE, SIDE, 3))
    base = np.array([0.78, 0.38, 0.16]) * rng.uniform(0.7, 1.15) + rng.normal(0, 0.03, 3)
    yy, xx = np.mgrid[0:SIDE, 0:SIDE]
    vignette = 1 - 0.45 * (np.hypot(yy - centre[0], xx - centre[1]) / 15) ** 2
    paint(image, ellipse(SIDE, tuple(centre), (15, 15), 0.0), base[None, None, :] * vignette[..., None])
    disc = centre + np.array([rng.normal(0, 1.5), rng.choice([-1, 1]) * rng.uniform(6, 8)])
    for _ in range(int(rng.integers(3, 6))):  # vessels leaving the optic disc
        end = disc + rng.uniform(8, 14) * np.array([np.sin(a := rng.uniform(0, 6.3)), np.cos(a)])
        paint(image, segment(SIDE, tuple(disc), tuple(end), rng.uniform(0.6, 1.2)), RED + 0.1, 0.7)
    paint(image, ellipse(SIDE, tuple(disc), (2.8, 2.8), 0.0), np.array([0.98, 0.85, 0.55]), rng.uniform(0.7, 1))
    s = max(severity, 0.0)
    for _ in range(int(rng.poisson(2.5 * s))):
        _spot(image, rng, centre, rng.uniform(0.5, 0.9), RED, rng.uniform(0.6, 1))
    for _ in range(int(rng.poisson(1.6 * max(s - 1.4, 0)))):
        _spot(image, rng, centre, rng.uniform(1.0, 2.2), RED * 0.8, rng.uniform(0.6, 0.9))
    for _ in range(int(rng.poisson(1.3 * max(s - 1.0, 0)))):
        _spot(image, rng, centre, rng.uniform(0.6, 1.4), YELLOW, rng.uniform(0.5, 0.9))
    for _ in range(int(rng.poisson(3.0 * max(s - 3.2, 0)))):  # new vessels: short, thin, anywhere
        start = centre + rng.uniform(-10, 10, 2)
        paint(image, segment(SIDE, tuple(start), tuple(start + rng.uniform(-4, 4, 2)), 0.5), RED, 0.8)
    image = ndimage.gaussian_filter(image, (rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7), 0))
    return procedural_images.to_uint8(image, rng, noise=0.025)


def generate(rng: np.random.Generator) -> pd.DataFrame:
    grades = rng.choice(len(GRADE_SHARES), size=N, p=GRADE_SHARES)
    images = np.stack([_fundus(rng, grade + rng.normal(0, 0.35)) for grade in grades])
    frame = image_folder.to_rows(images)
    codes = opaque_ids(rng, N, 0, 16**11)
    frame.insert(0, "id_code", ["abcdef"[c % 6] + f"{c:011x}" for c in codes])
    frame["diagnosis"] = grades
    return frame


def answers(test: pd.DataFrame) -> pd.DataFrame:
    return test[["id_code", "diagnosis"]].reset_index(drop=True)


def write_public(train: pd.DataFrame, test: pd.DataFrame, public: Path) -> None:
    image_folder.write_pngs(public / "train_images", train["id_code"] + ".png", image_folder.from_rows(train, SIDE))
    train[["id_code", "diagnosis"]].to_csv(public / "train.csv", index=False)
    image_folder.write_pngs(public / "test_images", test["id_code"] + ".png", image_folder.from_rows(test, SIDE))
    test[["id_code"]].to_csv(public / "test.csv", index=False)
    pd.DataFrame({"id_code": test["id_code"], "diagnosis": 0}).to_csv(public / "sample_submission.csv", index=False)


def read_images(public: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Train images, their grades, test images and the test ids, in the files' order."""
    train, test = pd.read_csv(public / "train.csv"), pd.read_csv(public / "test.csv")
    x_train = image_folder.read_pngs(public / "train_images", train["id_code"] + ".png")
    x_test = image_folder.read_pngs(public / "test_images", test["id_code"] + ".png")
    return x_train, train["diagnosis"].to_numpy(), x_test, test["id_code"].to_numpy()


def features(public: Path) -> Features:
    x_train, y, x_test, ids = read_images(public)
    return Features(first_submission(x_train), y, first_submission(x_test), ids, ("diagnosis",))


def engineered_features(public: Path) -> Features:
    x_train, y, x_test, ids = read_images(public)
    x_train, x_test = (engineered(x, CUTS) for x in (x_train, x_test))
    return Features(x_train, y, x_test, ids, ("diagnosis",))


SPEC = BuiltinSpec(
    config=CompetitionConfig(
        id="retina-grading",
        name="Retinopathy grading",
        category="image-classification",
        metric="qwk",
        lower_is_better=False,
        id_column="id_code",
        difficulty=2,
    ),
    seed=2019,
    generate=generate,
    write_public=write_public,
    answers=answers,
    kind="label",
    features=features,
    engineered_features=engineered_features,
    teams=1600,
    shared_sources=(image_folder.SOURCE, procedural_images.SOURCE),
)
