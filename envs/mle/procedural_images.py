"""Drawing primitives for the procedurally generated image competitions.

Small RGB images (float, 0..1) are painted shape by shape with soft-edged
masks, so shapes at any position, size and angle render without aliasing. All
randomness comes from the caller's generator (the competition's secret seed).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
from scipy import ndimage

#: this file, for BuiltinSpec.shared_sources: a change here re-prepares the competitions drawn with it
SOURCE = Path(__file__)


@cache
def _grid(side: int) -> tuple[np.ndarray, np.ndarray]:
    yy, xx = np.mgrid[0:side, 0:side].astype(float)
    return yy, xx


def ellipse(side: int, center: tuple[float, float], axes: tuple[float, float], angle: float) -> np.ndarray:
    """A filled ellipse as a (side, side) mask in [0, 1] with a one-pixel soft edge; angle in radians."""
    yy, xx = _grid(side)
    dy, dx = yy - center[0], xx - center[1]
    cos, sin = np.cos(angle), np.sin(angle)
    u, v = (dx * cos + dy * sin) / max(axes[0], 0.3), (-dx * sin + dy * cos) / max(axes[1], 0.3)
    distance = (np.sqrt(u**2 + v**2) - 1) * min(axes)  # roughly in pixels outside the boundary
    return np.clip(0.5 - distance, 0, 1)


def segment(side: int, start: tuple[float, float], end: tuple[float, float], width: float) -> np.ndarray:
    """A thick line from start to end (y, x) as a soft mask."""
    yy, xx = _grid(side)
    (ay, ax), (by, bx) = start, end
    length2 = max((by - ay) ** 2 + (bx - ax) ** 2, 1e-9)
    t = np.clip(((yy - ay) * (by - ay) + (xx - ax) * (bx - ax)) / length2, 0, 1)
    distance = np.hypot(yy - ay - t * (by - ay), xx - ax - t * (bx - ax))
    return np.clip(width / 2 + 0.5 - distance, 0, 1)


def smooth_noise(rng: np.random.Generator, side: int, sigma: float) -> np.ndarray:
    """Gaussian-smoothed white noise scaled to zero mean and unit spread: textures and blotches."""
    field = ndimage.gaussian_filter(rng.normal(size=(side, side)), sigma, mode="wrap")
    return (field - field.mean()) / (field.std() + 1e-9)


def paint(image: np.ndarray, mask: np.ndarray, color: np.ndarray | tuple[float, ...], opacity: float = 1.0) -> None:
    """Blend a colour (RGB, or an (h, w, 3) colour field) into the image where the mask is set, in place."""
    alpha = (np.clip(mask, 0, 1) * opacity)[..., None]
    image *= 1 - alpha
    image += alpha * np.asarray(color, dtype=float)


def to_uint8(image: np.ndarray, rng: np.random.Generator, noise: float) -> np.ndarray:
    """The image with sensor noise added, as 8-bit RGB."""
    noisy = image + rng.normal(0, noise, image.shape)
    return np.clip(np.rint(noisy * 255), 0, 255).astype(np.uint8)


def polygon(side: int, corners: np.ndarray) -> np.ndarray:
    """A filled convex polygon ((k, 2) corners as y, x, in either winding) as a soft mask."""
    yy, xx = _grid(side)
    centre = corners.mean(axis=0)
    inside = np.full((side, side), np.inf)
    for a, b in zip(corners, np.roll(corners, -1, axis=0), strict=True):
        normal = np.array([b[1] - a[1], a[0] - b[0]]) / max(float(np.hypot(*(b - a))), 1e-9)
        if normal @ (centre - a) < 0:
            normal = -normal
        inside = np.minimum(inside, (yy - a[0]) * normal[0] + (xx - a[1]) * normal[1])
    return np.clip(inside + 0.5, 0, 1)
