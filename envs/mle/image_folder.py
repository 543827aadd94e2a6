"""Image competitions' files and features.

Kaggle ships image competitions as one file per image named by its id, with
a CSV of ids and labels; these competitions do the same with PNG files
(Pillow, which matplotlib requires). While generated, an image is a row of
pixel columns, so the spec's row-wise split applies to it like any table.
`image_features` is what the leaderboard population learns from: the colour,
layout and edge features a careful Kaggler would start with.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image
from scipy import ndimage

#: this file, for BuiltinSpec.shared_sources
SOURCE = Path(__file__)


def pixel_columns(side: int) -> list[str]:
    return [f"px{i}" for i in range(side * side * 3)]


def to_rows(images: np.ndarray) -> pd.DataFrame:
    """(n, side, side, 3) uint8 images as a frame of pixel columns."""
    return pd.DataFrame(images.reshape(len(images), -1), columns=pixel_columns(images.shape[1]))


def from_rows(frame: pd.DataFrame, side: int) -> np.ndarray:
    return frame[pixel_columns(side)].to_numpy(np.uint8).reshape(len(frame), side, side, 3)


def write_pngs(folder: Path, names: Iterable[str], images: np.ndarray) -> None:
    """Each image as a PNG file of the given name (with its .png) in the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, image in zip(names, images, strict=True):
        Image.fromarray(image, mode="RGB").save(folder / name, format="PNG")


def read_pngs(folder: Path, names: Iterable[str]) -> np.ndarray:
    return np.stack([np.asarray(Image.open(folder / name).convert("RGB")) for name in names])


def _cells(values: np.ndarray, cell: int) -> np.ndarray:
    """Mean over non-overlapping cell x cell blocks of (n, h, w, ...) arrays."""
    n, h, w = values.shape[:3]
    return values.reshape(n, h // cell, cell, w // cell, cell, *values.shape[3:]).mean(axis=(2, 4))


def _orientation_histograms(gray: np.ndarray, cell: int = 8, bins: int = 8) -> np.ndarray:
    """Gradient-magnitude-weighted orientation histograms per cell (a small HOG)."""
    n, h, w = gray.shape
    gy, gx = np.gradient(gray.astype(np.float32), axis=(1, 2))
    magnitude, angle = np.hypot(gx, gy), np.mod(np.arctan2(gy, gx), np.pi)
    which = np.minimum((angle / np.pi * bins).astype(int), bins - 1)
    cells = (np.arange(h)[:, None] // cell) * (w // cell) + np.arange(w)[None, :] // cell
    per_image = (h // cell) * (w // cell) * bins
    index = np.arange(n)[:, None, None] * per_image + cells[None] * bins + which
    votes = np.bincount(index.ravel(), weights=magnitude.ravel(), minlength=n * per_image)
    return votes.reshape(n, per_image) / cell**2


def _hsv(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hue, saturation and value in [0, 1] of (..., 3) RGB values in [0, 1]."""
    high, low = rgb.max(axis=-1), rgb.min(axis=-1)
    spread = np.where(high > low, high - low, 1.0)
    r, g, b = (rgb[..., i] for i in range(3))
    hue = np.where(high == r, (g - b) / spread, np.where(high == g, 2 + (b - r) / spread, 4 + (r - g) / spread))
    hue = np.where(high > low, np.mod(hue / 6, 1), 0.0)
    return hue, np.where(high > 0, (high - low) / np.where(high > 0, high, 1), 0.0), high


def _histograms(values: np.ndarray, bins: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Per image, the (weighted) share of its pixels in each of `bins` equal bins over [0, 1]."""
    n = len(values)
    flat = values.reshape(n, -1)
    which = np.minimum((flat * bins).astype(int), bins - 1) + bins * np.arange(n)[:, None]
    counts = np.bincount(which.ravel(), weights=None if weights is None else weights.ravel(), minlength=n * bins)
    return counts.reshape(n, bins) / flat.shape[1]


def image_features(images: np.ndarray) -> np.ndarray:
    """Per image: 8x8 colour thumbnail, hue (weighted by saturation), saturation and value histograms, edge
    orientation histograms."""
    rgb = images.astype(np.float32) / 255
    hue, saturation, value = _hsv(rgb)
    return np.column_stack(
        [
            _cells(rgb, rgb.shape[1] // 8).reshape(len(images), -1),
            _histograms(hue, 12, weights=saturation),
            _histograms(saturation, 6),
            _histograms(value, 6),
            _orientation_histograms(rgb.mean(axis=-1)),
        ]
    )


def spot_features(images: np.ndarray, cuts: tuple[float, ...] = (0.05, 0.1, 0.2)) -> np.ndarray:
    """Small spots that differ from their surroundings (lesions, blemishes): the share of pixels much darker,
    brighter, yellower (green over blue) or redder (red over green) than the smoothed image, at three strengths."""
    rgb = images.astype(np.float32) / 255
    local = rgb - ndimage.gaussian_filter(rgb, (0, 2, 2, 0))
    signals = (-local.sum(axis=-1), local.sum(axis=-1), local[..., 1] - local[..., 2], local[..., 0] - local[..., 1])
    return np.column_stack([(signal > cut).mean(axis=(1, 2)) for signal in signals for cut in cuts])
