"""Feature rows of small RGB images, for the image competitions' leaderboard populations.

Two levels, as on Kaggle before the first CNN: a first submission feeds a model what the first kernels plot
(`first_submission`: an 8x8 colour thumbnail, colour histograms, raw edge-orientation votes per cell, all tied
to where things are in the frame); a careful Kaggler adds descriptors that hold wherever a thing is and however
it is turned (`descriptors`): colour moments, contrast-normalised gradient-orientation histograms (a small HOG
with block normalisation, plus one pooled over the whole image), and pooled responses of a fixed
rotation-invariant filter bank (Gaussian second derivatives at three scales: bright and dark blobs and ridges,
on luminance and colour-opponent channels) with counts of their peaks (spots, lesions). All numpy/scipy,
deterministic, and the same for train and test rows.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

#: Gaussian scales (pixels) of the filter bank: specks, spots, blotches
SCALES = (1.0, 2.0, 4.0)


def as_float(images: np.ndarray) -> np.ndarray:
    """(n, h, w, 3) uint8 images as floats in [0, 1]."""
    return images.astype(np.float32) / 255


def _cells(values: np.ndarray, cell: int) -> np.ndarray:
    """Mean over non-overlapping cell x cell blocks of (n, h, w, ...) arrays."""
    n, h, w = values.shape[:3]
    return values.reshape(n, h // cell, cell, w // cell, cell, *values.shape[3:]).mean(axis=(2, 4))


def thumbnail(images: np.ndarray, side: int) -> np.ndarray:
    """A first submission's features: each image averaged down to side x side RGB pixels, flattened."""
    return _cells(as_float(images), images.shape[1] // side).reshape(len(images), -1)


def hsv(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hue, saturation and value in [0, 1] of (..., 3) RGB values in [0, 1]."""
    high, low = rgb.max(axis=-1), rgb.min(axis=-1)
    spread = np.where(high > low, high - low, 1.0)
    r, g, b = (rgb[..., i] for i in range(3))
    hue = np.where(high == r, (g - b) / spread, np.where(high == g, 2 + (b - r) / spread, 4 + (r - g) / spread))
    hue = np.where(high > low, np.mod(hue / 6, 1), 0.0)
    return hue, np.where(high > 0, (high - low) / np.where(high > 0, high, 1), 0.0), high


def opponent(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) luminance, red-green and yellow-blue channels: shapes of one colour stand out in one of them."""
    r, g, b = (rgb[..., i] for i in range(3))
    return np.stack([(r + g + b) / 3, r - g, (r + g) / 2 - b], axis=-1)


def histograms(values: np.ndarray, bins: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Per image, the (weighted) share of its pixels in each of `bins` equal bins over [0, 1]."""
    n = len(values)
    flat = values.reshape(n, -1)
    which = np.minimum((flat * bins).astype(int), bins - 1) + bins * np.arange(n)[:, None]
    counts = np.bincount(which.ravel(), weights=None if weights is None else weights.ravel(), minlength=n * bins)
    return counts.reshape(n, bins) / flat.shape[1]


def colour_histograms(rgb: np.ndarray) -> np.ndarray:
    """Hue (weighted by saturation, so grey pixels do not vote), saturation and value histograms."""
    hue, saturation, value = hsv(rgb)
    return np.column_stack([histograms(hue, 12, weights=saturation), histograms(saturation, 6), histograms(value, 6)])


def colour_moments(rgb: np.ndarray, grid: int = 2) -> np.ndarray:
    """Mean, spread and skew of the RGB and opponent channels over the whole image and over grid x grid cells."""
    channels = np.concatenate([rgb, opponent(rgb)], axis=-1)
    n, side = len(rgb), rgb.shape[1]
    out = []
    for cells in (1, grid):
        step = side // cells
        blocks = channels.reshape(n, cells, step, cells, step, -1).transpose(0, 1, 3, 5, 2, 4)
        blocks = blocks.reshape(n, cells * cells, channels.shape[-1], -1)
        mean = blocks.mean(axis=-1)
        centred = blocks - mean[..., None]
        spread = np.sqrt((centred**2).mean(axis=-1))
        skew = np.cbrt((centred**3).mean(axis=-1))
        out += [mean.reshape(n, -1), spread.reshape(n, -1), skew.reshape(n, -1)]
    return np.column_stack(out)


def _orientation_votes(channel: np.ndarray, cell: int, bins: int) -> np.ndarray:
    """(n, rows, cols, bins): gradient-magnitude-weighted unsigned orientation votes per cell of (n, h, w) images."""
    n, h, w = channel.shape
    gy, gx = np.gradient(channel.astype(np.float32), axis=(1, 2))
    magnitude, angle = np.hypot(gx, gy), np.mod(np.arctan2(gy, gx), np.pi)
    which = np.minimum((angle / np.pi * bins).astype(int), bins - 1)
    rows, cols = h // cell, w // cell
    cells = (np.arange(h)[:, None] // cell) * cols + np.arange(w)[None, :] // cell
    index = (np.arange(n)[:, None, None] * rows * cols + cells[None]) * bins + which
    votes = np.bincount(index.ravel(), weights=magnitude.ravel(), minlength=n * rows * cols * bins)
    return votes.reshape(n, rows, cols, bins) / cell**2


def orientation_histograms(channel: np.ndarray, cell: int = 16, bins: int = 9) -> np.ndarray:
    """A small HOG: the orientation votes of each 2x2 block of cells, L2-normalised (contrast-invariant), then the
    normalised histogram of the whole image (wherever the edges are)."""
    votes = _orientation_votes(channel, cell, bins)
    n, rows, cols, _ = votes.shape
    blocks = np.stack(
        [votes[:, i : i + 2, j : j + 2].reshape(n, -1) for i in range(rows - 1) for j in range(cols - 1)], axis=1
    )
    blocks = blocks / np.sqrt((blocks**2).sum(axis=-1, keepdims=True) + 1e-4)
    whole = votes.sum(axis=(1, 2))
    whole = whole / (whole.sum(axis=-1, keepdims=True) + 1e-6)
    return np.column_stack([blocks.reshape(n, -1), whole])


def _hessian_eigenvalues(channel: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Per pixel, the scale-normalised Hessian's eigenvalues (low <= high): the least and most curvature over all
    directions, i.e. the extreme responses of an oriented second-derivative filter at every angle."""
    smooth = (0, sigma, sigma)
    dyy = ndimage.gaussian_filter(channel, smooth, order=(0, 2, 0), mode="nearest")
    dxx = ndimage.gaussian_filter(channel, smooth, order=(0, 0, 2), mode="nearest")
    dxy = ndimage.gaussian_filter(channel, smooth, order=(0, 1, 1), mode="nearest")
    half_trace, root = (dxx + dyy) / 2, np.sqrt(((dxx - dyy) / 2) ** 2 + dxy**2)
    return sigma**2 * (half_trace - root), sigma**2 * (half_trace + root)


def _structure_maps(channel: np.ndarray, sigma: float) -> np.ndarray:
    """(n, 4, h, w): bright blob, dark blob, bright ridge and dark ridge strength at one scale."""
    low, high = _hessian_eigenvalues(channel, sigma)
    relu = lambda v: np.maximum(v, 0.0)  # noqa: E731
    return np.stack([relu(-high), relu(low), relu(-low) - np.abs(high), relu(high) - np.abs(low)], axis=1)


def _peaks(maps: np.ndarray, cuts: tuple[float, ...]) -> np.ndarray:
    """(n, maps, len(cuts)): how many local maxima (3x3) of each map rise above each cut."""
    top = ndimage.maximum_filter(maps, size=(1, 1, 3, 3), mode="constant", cval=-np.inf)
    peak = maps * (maps == top)
    return np.stack([(peak > cut).sum(axis=(2, 3)) for cut in cuts], axis=-1)


def filter_bank(channel: np.ndarray, scales: tuple[float, ...] = SCALES, cuts: tuple[float, ...] = ()) -> np.ndarray:
    """Pooled responses of (n, h, w) images to a rotation-invariant filter bank: per scale, the mean, the 90th
    percentile and the maximum of the bright/dark blob and ridge maps, and how many of their peaks rise above
    each cut (the number of spots of each size)."""
    n = len(channel)
    out = []
    for sigma in scales:
        maps = _structure_maps(channel.astype(np.float32), sigma)
        flat = maps.reshape(n, maps.shape[1], -1)
        out += [flat.mean(axis=-1), np.percentile(flat, 90, axis=-1), flat.max(axis=-1)]
        if cuts:
            out.append(_peaks(maps, cuts).reshape(n, -1))
    return np.column_stack(out)


def first_submission(images: np.ndarray) -> np.ndarray:
    """What a first submission feeds a model, per (n, h, w, 3) uint8 image: an 8x8 colour thumbnail, colour
    histograms and raw edge-orientation votes per 8x8-pixel cell of the luminance."""
    rgb = as_float(images)
    votes = _orientation_votes(rgb.mean(axis=-1), cell=8, bins=8)
    return np.column_stack([thumbnail(images, 8), colour_histograms(rgb), votes.reshape(len(images), -1)])


def descriptors(images: np.ndarray, cuts: tuple[float, ...] = ()) -> np.ndarray:
    """The careful Kaggler's additions for (n, h, w, 3) uint8 images: colour moments, HOG on luminance, the filter
    bank on luminance and both colour-opponent channels (with peak counts at `cuts`)."""
    rgb = as_float(images)
    channels = opponent(rgb)
    return np.column_stack(
        [
            colour_moments(rgb),
            orientation_histograms(channels[..., 0]),
            *(filter_bank(channels[..., k], cuts=cuts) for k in range(3)),
        ]
    )


def engineered(images: np.ndarray, cuts: tuple[float, ...] = ()) -> np.ndarray:
    """A first submission's features and the descriptors, side by side."""
    return np.column_stack([first_submission(images), descriptors(images, cuts)])
