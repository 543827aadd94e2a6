"""Binary audio detection (AUC-ROC): is there a right-whale up-call in the clip?

Offline analogue of MLE-bench lite's the-icml-2013-whale-challenge-right-whale-redux.
Generator (seeded, nothing public to look up): 2,000 clips of 512 samples at
1,000 Hz. A quarter hold an up-call (a rising 80-140 Hz -> +60-150 Hz sweep
of 0.12-0.3 s with a smooth envelope, sometimes with its second harmonic) at
a random time and a strength spread over two orders of magnitude, so the
faintest are buried in the noise and the best score stays below 1. Every clip
has white and random-walk noise; independently of the label, ship noise (a
20-40 Hz engine tone with harmonics), down-sweeps in the same band, steady
tones, out-of-band up-sweeps and knocks are mixed in: band power alone cannot
tell a call from a distractor, the shape of the sweep can.

Leaderboard population: a first submission (mid and weak tiers, the untuned
HGB) sees the plain spectrum, each frequency's log power averaged and at its
loudest over the clip (`plain_features`); the strong tier adds what a careful
Kaggler builds for this task (`engineered_clip_features`, envs/mle/audio_features.py):
sweep matched filters and the peak-frequency contour on a spectrogram whitened
per frequency, each band's whitened peak, and cepstral statistics with deltas.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from envs.mle import audio_features
from envs.mle.builtin import BuiltinSpec, Features, opaque_ids
from envs.mle.competition import CompetitionConfig

N = 2000
LENGTH = 512
RATE = 1000.0
SAMPLES = [f"s{i}" for i in range(LENGTH)]
WINDOW, HOP = 64, 16


def _sweep(rng: np.random.Generator, start_hz: float, change_hz: float, seconds: float) -> np.ndarray:
    """A frequency sweep with a Hann envelope at a random place in the clip."""
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    wave = np.sin(2 * np.pi * (start_hz * t + 0.5 * change_hz / seconds * t**2) + rng.uniform(0, 2 * np.pi))
    clip = np.zeros(LENGTH)
    begin = int(rng.integers(0, LENGTH - n))
    clip[begin : begin + n] = wave * np.hanning(n)
    return clip


def _up_call(rng: np.random.Generator) -> np.ndarray:
    start, change, seconds = rng.uniform(80, 140), rng.uniform(60, 150), rng.uniform(0.12, 0.3)
    call = _sweep(rng, start, change, seconds)
    if rng.random() < 0.4:  # the second harmonic, weaker, at the same time
        n = int(seconds * RATE)
        t = np.arange(n) / RATE
        begin = int(np.argmax(np.abs(call) > 0))
        harmonic = np.sin(2 * np.pi * 2 * (start * t + 0.5 * change / seconds * t**2)) * np.hanning(n)
        call[begin : begin + n] += 0.3 * harmonic[: LENGTH - begin]
    return call


def _ship(rng: np.random.Generator) -> np.ndarray:
    t = np.arange(LENGTH) / RATE
    base = rng.uniform(20, 40)
    hum = np.zeros(LENGTH)
    for k in range(1, 7):
        hum += rng.uniform(0.2, 1.0) / k * np.sin(2 * np.pi * k * base * t + rng.uniform(0, 6.3))
    return hum


def _distractor(rng: np.random.Generator) -> np.ndarray:
    kind = rng.integers(0, 4)
    if kind == 0:  # a down-sweep in the call's band
        return _sweep(rng, rng.uniform(180, 260), -rng.uniform(60, 150), rng.uniform(0.12, 0.3))
    if kind == 1:  # a steady tone in the call's band
        return _sweep(rng, rng.uniform(90, 260), 0.0, rng.uniform(0.15, 0.45))
    if kind == 2:  # an up-sweep of another animal, higher up
        return _sweep(rng, rng.uniform(300, 360), rng.uniform(60, 120), rng.uniform(0.1, 0.25))
    knock = np.zeros(LENGTH)
    knock[int(rng.integers(0, LENGTH - 20)) + np.arange(8)] = rng.normal(0, 2.5, 8)
    return knock


def generate(rng: np.random.Generator) -> pd.DataFrame:
    labels = (rng.random(N) < 0.25).astype(int)
    clips = rng.normal(0, 0.5, (N, LENGTH)) + np.cumsum(rng.normal(0, 0.05, (N, LENGTH)), axis=1)
    for i in range(N):
        if rng.random() < 0.5:
            clips[i] += rng.uniform(0.2, 1.2) * _ship(rng)
        for _ in range(int(rng.poisson(0.8))):
            clips[i] += rng.uniform(0.3, 1.5) * _distractor(rng)
        if labels[i]:
            clips[i] += np.exp(rng.uniform(np.log(0.3), np.log(3.0))) * _up_call(rng)
    frame = pd.DataFrame(clips.astype(np.float32), columns=SAMPLES)
    frame.insert(0, "clip", [f"clip{i}" for i in opaque_ids(rng, N)])
    frame["label"] = labels
    return frame


def answers(test: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"clip": test["clip"], "probability": test["label"]})


def write_public(train: pd.DataFrame, test: pd.DataFrame, public: Path) -> None:
    np.save(public / "train_clips.npy", train[SAMPLES].to_numpy(np.float32))
    train[["clip", "label"]].to_csv(public / "train.csv", index=False)
    np.save(public / "test_clips.npy", test[SAMPLES].to_numpy(np.float32))
    test[["clip"]].to_csv(public / "test.csv", index=False)
    pd.DataFrame({"clip": test["clip"], "probability": 0.5}).to_csv(public / "sample_submission.csv", index=False)


def whitened(power: np.ndarray) -> np.ndarray:
    """A log spectrogram (clips, frequencies up to 500 Hz, frames) with each frequency row minus its median over
    time: a steady tone or engine hum flattens out, a sweep stands out."""
    return power - np.median(power, axis=2, keepdims=True)


def sweep_scores(spec: np.ndarray, slopes: tuple[int, ...] = (1, 2, 3, 4)) -> np.ndarray:
    """For rising and falling lines of each slope (frequency bins per frame pair), the best mean power along
    such a line anywhere in the 60-300 Hz band: a matched filter for sweeps."""
    band = spec[:, 4:20]  # bins of 15.6 Hz
    out = []
    for slope in slopes:
        for sign in (1, -1):
            length = 5
            total = np.zeros((*band.shape[:2], band.shape[2] - length + 1))
            for k in range(length):
                total += np.roll(band, -sign * slope * k // 2, axis=1)[:, :, k : band.shape[2] - length + k + 1]
            out.append(total.reshape(len(spec), -1).max(axis=1) / length)
    return np.column_stack(out)


def peak_contour(spec: np.ndarray) -> np.ndarray:
    """The loudest 60-300 Hz bin frame by frame: the strongest step up and step down it takes (weighted by its
    power), its power-weighted net drift, and its peak and mean power; an up-call climbs, a distractor does not."""
    band = spec[:, 4:20]
    peak, power = band.argmax(axis=1).astype(float), band.max(axis=1)
    step, weight = np.diff(peak, axis=1), (power[:, 1:] + power[:, :-1]) / 2
    rise, fall = np.where(step > 0, weight, 0.0), np.where(step < 0, weight, 0.0)
    return np.column_stack([rise.max(1), fall.max(1), (step * weight).sum(1), power.max(1), power.mean(1)])


def plain_features(clips: np.ndarray) -> np.ndarray:
    """A first submission's view: the log power of each frequency (2 Hz bins of quarter-second frames), averaged
    and at its loudest over the clip."""
    power = audio_features.log_spectrogram(clips, 256, 32)
    return np.column_stack([power.mean(axis=2), power.max(axis=2)])


def engineered_clip_features(clips: np.ndarray) -> np.ndarray:
    """The plain view plus the careful Kaggler's: sweep matched filters and the peak contour on the whitened
    spectrogram, each band's whitened peak, and cepstral statistics with deltas."""
    power = audio_features.log_spectrogram(clips, WINDOW, HOP)
    spec, cepstra = whitened(power), audio_features.cepstral_statistics(power)
    extra = [sweep_scores(spec), peak_contour(spec), spec[:, 2:24].max(axis=2), cepstra]
    return np.column_stack([plain_features(clips), *extra])


def _features(public: Path, view: Callable[[np.ndarray], np.ndarray]) -> Features:
    train, test = pd.read_csv(public / "train.csv"), pd.read_csv(public / "test.csv")
    x_train, x_test = view(np.load(public / "train_clips.npy")), view(np.load(public / "test_clips.npy"))
    return Features(x_train, train["label"].to_numpy(), x_test, test["clip"].to_numpy(), ("probability",))


def features(public: Path) -> Features:
    return _features(public, plain_features)


def engineered_features(public: Path) -> Features:
    return _features(public, engineered_clip_features)


SPEC = BuiltinSpec(
    config=CompetitionConfig(
        id="whale-calls",
        name="Whale call detection",
        category="audio-classification",
        metric="auc-roc",
        lower_is_better=False,
        id_column="clip",
        difficulty=2,
    ),
    seed=13,
    generate=generate,
    write_public=write_public,
    answers=answers,
    kind="binary",
    features=features,
    engineered_features=engineered_features,
    teams=245,  # the Kaggle competition's teams
)
