"""A reward source from deployed classifiers answering a stream of real examples, with a change at one round.

Each round one example comes from a pool (drawn with the phase's weights:
uniform, or skewed toward some classes for a label shift); the arm is the model
that answers it and the reward is 1 when its answer is right. Before
`drift_at` the stream uses the phase-0 tables, from then on the phase-1 ones
(shifted inputs, other class weights, or a degraded model's answers).

Expected rewards are exact, not estimated: a model's expected reward in a
phase is its weighted accuracy over that phase's pool, so regret against the
best model of each phase is the regret of the paper's deployment setting.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from policies.selection.base import Context

_BATCH = 256  # examples drawn at a time (the draws depend only on the seed, never on the strategy)


@dataclass
class Phase:
    """`correct[i, arm]`: does model `arm` answer pool example i right; `weights[i]`: how likely i is drawn."""

    correct: np.ndarray
    weights: np.ndarray

    def __post_init__(self) -> None:
        self.correct = np.asarray(self.correct, dtype=bool)
        weights = np.asarray(self.weights, dtype=float)
        if self.correct.ndim != 2 or weights.shape != (self.correct.shape[0],):
            raise ValueError(
                f"a phase needs correct (examples x models) and one weight per example, got "
                f"{self.correct.shape} and {weights.shape}"
            )
        if np.any(weights < 0) or weights.sum() <= 0:
            raise ValueError("phase weights must be non-negative and not all 0")
        self.weights = weights / weights.sum()
        self.cumulative = np.cumsum(self.weights)
        self.accuracy = self.weights @ self.correct  # each model's expected reward in this phase


@dataclass
class ClassifierStream:
    """Models (arms, oldest release first) answering a stream that changes from `before` to `after` at `drift_at`."""

    labels: list[str]
    before: Phase
    after: Phase
    drift_at: int
    _pool_index: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.n_arms = len(self.labels)
        for phase in (self.before, self.after):
            if phase.correct.shape[1] != self.n_arms:
                raise ValueError(f"{self.n_arms} models named, a phase has {phase.correct.shape[1]}")
        if self.drift_at < 0:
            raise ValueError(f"drift_at must be >= 0, got {self.drift_at}")

    def phase(self, t: int) -> Phase:
        return self.before if t < self.drift_at else self.after

    def start(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._pool_index = []

    def _example(self, t: int) -> int:
        while len(self._pool_index) <= t:
            first = len(self._pool_index)
            draws = self._rng.random(_BATCH)
            for offset, u in enumerate(draws):
                phase = self.phase(first + offset)
                index = int(np.searchsorted(phase.cumulative, u, side="right"))
                self._pool_index.append(min(index, phase.correct.shape[0] - 1))
        return self._pool_index[t]

    def context(self, t: int) -> Context | None:
        return None

    def reward(self, arm: int, t: int, rng: np.random.Generator) -> float:
        return float(self.phase(t).correct[self._example(t), arm])

    def expected(self, t: int) -> np.ndarray:
        return self.phase(t).accuracy

    def best(self, t: int) -> int:
        return int(np.argmax(self.phase(t).accuracy))
