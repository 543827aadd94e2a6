"""Audio features shared by the audio competitions (whale-calls, audio-tagging): framed log spectra and the
cepstral statistics a careful Kaggler adds to them.

A first submission feeds a model the clip's log power per frequency; the engineered view adds cepstra (the
discrete cosine transform of each frame's log spectrum over frequency, which separates the spectral envelope
from fine structure), their frame-to-frame deltas, and statistics of both over time, so a model sees how the
spectrum moves and not only where its energy sits.
"""

from __future__ import annotations

import numpy as np
from scipy.fft import dct


def log_spectrogram(signals: np.ndarray, window: int, hop: int) -> np.ndarray:
    """Log power of Hann-windowed frames, shaped (signals, frequencies, frames)."""
    frames = np.lib.stride_tricks.sliding_window_view(signals, window, axis=1)[:, ::hop]
    frames = (frames - frames.mean(axis=-1, keepdims=True)) * np.hanning(window)
    return np.log(np.abs(np.fft.rfft(frames, axis=-1)) ** 2 + 1e-6).transpose(0, 2, 1)


def cepstral_statistics(log_spec: np.ndarray, coefficients: int = 13) -> np.ndarray:
    """Per cepstral coefficient: mean, spread, max and min over time, and the spread, max and min of its delta."""
    cepstra = dct(log_spec, type=2, norm="ortho", axis=1)[:, :coefficients]
    delta = np.diff(cepstra, axis=2)
    stats = [cepstra.mean(2), cepstra.std(2), cepstra.max(2), cepstra.min(2), delta.std(2), delta.max(2), delta.min(2)]
    return np.column_stack(stats)
