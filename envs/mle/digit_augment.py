"""Seeded augmentation of scikit-learn's bundled 8x8 digits, for competitions built from them.

The bundled images are public: a script can load them in the sandbox and
look each row up (nearest neighbour, even under one-pixel shifts). So each
competition draws its images with replacement from the bundled set and gives
every draw its own random affine warp (rotation, scale, shear, shift; done on
a 4x upsampled copy and averaged back to 8x8): no shown image is a bundled
image, and a lookup's nearest neighbour is a different digit's warp as often
as a model's mistake. The generator's seed is the competition's secret
(solution scripts cannot read trainfree's source).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import ndimage
from sklearn.datasets import load_digits

SIDE = 8
UPSAMPLE = 4
#: this file, for BuiltinSpec.shared_sources: a change here re-prepares the competitions built with it
SOURCE = Path(__file__)


def _warp(image: np.ndarray, rng: np.random.Generator, max_degrees: float) -> np.ndarray:
    big = ndimage.zoom(image, UPSAMPLE, order=1)
    angle = np.deg2rad(rng.uniform(-max_degrees, max_degrees))
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    matrix = rotation @ np.array([[1.0, rng.uniform(-0.2, 0.2)], [0.0, 1.0]]) / rng.uniform(0.85, 1.15)
    center = np.full(2, (SIDE * UPSAMPLE - 1) / 2)
    offset = center - matrix @ (center + rng.uniform(-UPSAMPLE, UPSAMPLE, 2))
    warped = ndimage.affine_transform(big, matrix, offset=offset, order=1, mode="constant")
    return warped.reshape(SIDE, UPSAMPLE, SIDE, UPSAMPLE).mean(axis=(1, 3))


def warped_digits(rng: np.random.Generator, max_degrees: float = 20.0) -> tuple[np.ndarray, np.ndarray]:
    """As many images as the bundled set (n, 8, 8, values 0..16), each a warped random draw, and their labels."""
    digits = load_digits()
    source = rng.integers(0, len(digits.images), len(digits.images))
    images = np.array([_warp(digits.images[i], rng, max_degrees) for i in source])
    return np.clip(images, 0, 16), digits.target[source]
