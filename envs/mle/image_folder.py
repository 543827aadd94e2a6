"""Image competitions' files.

Kaggle ships image competitions as one file per image named by its id, with
a CSV of ids and labels; these competitions do the same with PNG files
(Pillow, which matplotlib requires). While generated, an image is a row of
pixel columns, so the spec's row-wise split applies to it like any table.
The leaderboard population's features of the images are in
envs/mle/image_descriptors.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

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
