"""Multi-label tagging of audio-like signals (mean column-wise AUC-ROC).

Generator (seeded): 2,400 clips of 256 samples at 1,024 Hz. Each of six
sound types is present with probability 0.25 at a random strength (weak ones
are hard to hear): hum (40-70 Hz sine), whistle (300-450 Hz sine), chirp
(100 -> 400 Hz sweep), click (impulse train), buzz (120-180 Hz square wave)
and burst (a short band-limited noise segment), over white and random-walk
background noise.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from envs.mle.builtin import BuiltinSpec, Features
from envs.mle.competition import CompetitionConfig

N = 2400
LENGTH = 256
RATE = 1024.0
TAGS = ("hum", "whistle", "chirp", "click", "buzz", "burst")
SAMPLES = [f"s{i}" for i in range(LENGTH)]


def _sound(tag: str, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(LENGTH) / RATE
    phase = rng.uniform(0, 2 * np.pi)
    if tag == "hum":
        return np.sin(2 * np.pi * rng.uniform(40, 70) * t + phase)
    if tag == "whistle":
        return np.sin(2 * np.pi * rng.uniform(300, 450) * t + phase)
    if tag == "chirp":
        return np.sin(2 * np.pi * (100 * t + 0.5 * (300 / t[-1]) * t**2) + phase)
    if tag == "click":
        wave = np.zeros(LENGTH)
        wave[int(rng.integers(0, 20)) :: int(rng.integers(20, 40))] = 3.0
        return wave
    if tag == "buzz":
        return np.sign(np.sin(2 * np.pi * rng.uniform(120, 180) * t + phase))
    start = int(rng.integers(0, LENGTH - 60))
    spectrum = np.fft.rfft(rng.normal(0, 1, LENGTH))
    freqs = np.fft.rfftfreq(LENGTH, 1 / RATE)
    spectrum[(freqs < 200) | (freqs > 300)] = 0
    wave = np.zeros(LENGTH)
    wave[start : start + 60] = np.fft.irfft(spectrum, LENGTH)[start : start + 60] * 4
    return wave


def generate(rng: np.random.Generator) -> pd.DataFrame:
    labels = (rng.random((N, len(TAGS))) < 0.25).astype(int)
    signals = rng.normal(0, 0.5, (N, LENGTH)) + np.cumsum(rng.normal(0, 0.08, (N, LENGTH)), axis=1)
    for i in range(N):
        for j, tag in enumerate(TAGS):
            if labels[i, j]:
                signals[i] += rng.uniform(0.15, 1.0) * _sound(tag, rng)
    frame = pd.DataFrame(signals.astype(np.float32), columns=SAMPLES)
    frame.insert(0, "clip_id", [f"clip{i:05d}" for i in range(N)])
    for j, tag in enumerate(TAGS):
        frame[tag] = labels[:, j]
    return frame


def answers(test: pd.DataFrame) -> pd.DataFrame:
    return test[["clip_id", *TAGS]].reset_index(drop=True)


def write_public(train: pd.DataFrame, test: pd.DataFrame, public: Path) -> None:
    np.save(public / "train_signals.npy", train[SAMPLES].to_numpy(np.float32))
    train[["clip_id", *TAGS]].to_csv(public / "train_labels.csv", index=False)
    np.save(public / "test_signals.npy", test[SAMPLES].to_numpy(np.float32))
    test[["clip_id"]].to_csv(public / "test.csv", index=False)
    pd.DataFrame({"clip_id": test["clip_id"], **{tag: 0.5 for tag in TAGS}}).to_csv(
        public / "sample_submission.csv", index=False
    )


def spectrum_bands(signals: np.ndarray, bands: int = 43) -> np.ndarray:
    """Log power in equal-width frequency bands plus the signal's peak and spread."""
    power = np.abs(np.fft.rfft(signals - signals.mean(axis=1, keepdims=True), axis=1)) ** 2
    pooled = np.add.reduceat(power, np.linspace(0, power.shape[1], bands, endpoint=False).astype(int), axis=1)
    return np.column_stack([np.log1p(pooled), np.abs(np.diff(signals, axis=1)).max(axis=1), signals.std(axis=1)])


def features(public: Path) -> Features:
    labels = pd.read_csv(public / "train_labels.csv")
    test = pd.read_csv(public / "test.csv")
    x_train = spectrum_bands(np.load(public / "train_signals.npy"))
    x_test = spectrum_bands(np.load(public / "test_signals.npy"))
    return Features(x_train, labels[list(TAGS)].to_numpy(), x_test, test["clip_id"].to_numpy(), TAGS)


SPEC = BuiltinSpec(
    config=CompetitionConfig(
        id="audio-tagging",
        name="Audio-like signal tagging",
        category="audio-multilabel",
        metric="auc-roc",
        lower_is_better=False,
        id_column="clip_id",
        difficulty=2,
    ),
    seed=9,
    generate=generate,
    write_public=write_public,
    answers=answers,
    kind="multilabel",
    features=features,
    teams=79,
)
