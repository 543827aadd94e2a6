"""Reward sources for offline simulation: synthetic arms and replayed sweeps.

A source gives the reward of an arm at round t and what regret is measured
against: `expected(t)` (each arm's expected reward at round t) and `best(t)`
(the arm a clairvoyant would play); `context(t)` is what a contextual
strategy may know before choosing (None when the source has nothing to say). Synthetic arms compare with the best arm
at each round (after a drift, the new best); a replayed sweep compares with
the best fixed arm over all tasks, the best stack in hindsight.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from policies.selection.base import Context


class RewardSource(Protocol):
    n_arms: int
    labels: list[str]

    def start(self, rng: np.random.Generator) -> None:
        """Begin a new stream (a replay draws its task order here)."""

    def context(self, t: int) -> Context | None: ...

    def reward(self, arm: int, t: int, rng: np.random.Generator) -> float: ...

    def expected(self, t: int) -> np.ndarray: ...

    def best(self, t: int) -> int: ...


@dataclass
class _SyntheticArms:
    means: Sequence[float]
    drift_at: int | None = None  # round at which `drift_means` replace `means`
    drift_means: Sequence[float] | None = None

    def __post_init__(self) -> None:
        self.means = [float(m) for m in self.means]
        if len(self.means) < 1 or not all(0.0 <= m <= 1.0 for m in self.means):
            raise ValueError(f"arm means must be in [0, 1], got {self.means}")
        if (self.drift_at is None) != (self.drift_means is None):
            raise ValueError("give both drift_at and drift_means, or neither")
        if self.drift_means is not None:
            self.drift_means = [float(m) for m in self.drift_means]
            if len(self.drift_means) != len(self.means) or not all(0.0 <= m <= 1.0 for m in self.drift_means):
                raise ValueError(f"drift_means must be {len(self.means)} values in [0, 1], got {self.drift_means}")
        self.n_arms = len(self.means)
        self.labels = [f"arm{i} ({m:g})" for i, m in enumerate(self.means)]

    def start(self, rng: np.random.Generator) -> None:
        return None

    def context(self, t: int) -> Context | None:
        return None

    def mean_at(self, t: int) -> Sequence[float]:
        if self.drift_means is not None and self.drift_at is not None and t >= self.drift_at:
            return self.drift_means
        return self.means

    def expected(self, t: int) -> np.ndarray:
        return np.asarray(self.mean_at(t))

    def best(self, t: int) -> int:
        return int(np.argmax(self.mean_at(t)))


class BernoulliArms(_SyntheticArms):
    """Success (1) with probability `means[arm]`, like task goal completion."""

    def reward(self, arm: int, t: int, rng: np.random.Generator) -> float:
        return float(rng.random() < self.mean_at(t)[arm])


@dataclass
class GaussianArms(_SyntheticArms):
    """Normal rewards around `means[arm]` with `sigma`, clipped to [0, 1] (like a fraction of tests passed).

    `means` are the means before clipping; `expected` gives the clipped means,
    so regret is exact.
    """

    sigma: float = 0.1

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.sigma <= 0:
            raise ValueError(f"sigma must be > 0, got {self.sigma}")

    def reward(self, arm: int, t: int, rng: np.random.Generator) -> float:
        return float(np.clip(rng.normal(self.mean_at(t)[arm], self.sigma), 0.0, 1.0))

    def expected(self, t: int) -> np.ndarray:
        return np.asarray([_clipped_normal_mean(m, self.sigma) for m in self.mean_at(t)])


def _clipped_normal_mean(mu: float, sigma: float) -> float:
    """E[clip(X, 0, 1)] for X ~ N(mu, sigma^2)."""

    def cdf(z: float) -> float:
        return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))

    def pdf(z: float) -> float:
        return math.exp(-z * z / 2.0) / math.sqrt(2.0 * math.pi)

    lo, hi = (0.0 - mu) / sigma, (1.0 - mu) / sigma
    inside = mu * (cdf(hi) - cdf(lo)) + sigma * (pdf(lo) - pdf(hi))
    return inside + (1.0 - cdf(hi))


@dataclass
class ReplayArms:
    """Logged rewards of several stacks on the same tasks, replayed in random task orders.

    `rewards[arm][task]` lists that stack's logged rewards on that task (one per
    seed it ran with); a pull draws one of them. Each pass over the tasks uses a
    fresh random order. `contexts[task]` (optional) is what the log says about
    the task before it ran (split, difficulty, scenario), for contextual strategies.
    """

    labels: list[str]
    tasks: list[str]
    rewards: list[dict[str, list[float]]]
    contexts: dict[str, dict[str, object]] = field(default_factory=dict)
    _order: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if len(self.labels) < 2:
            raise ValueError(f"a replay needs at least 2 arms (stacks), got {self.labels}")
        if not self.tasks:
            raise ValueError("a replay needs at least one task that every stack ran")
        missing = [
            (label, task)
            for label, by_task in zip(self.labels, self.rewards, strict=True)
            for task in self.tasks
            if not by_task.get(task)
        ]
        if missing:
            raise ValueError(f"replay has no logged reward for (stack, task) {missing[:5]}")
        self.n_arms = len(self.labels)
        self._task_means = np.asarray([[np.mean(by_task[task]) for by_task in self.rewards] for task in self.tasks])
        self._best = int(np.argmax(self._task_means.mean(axis=0)))

    def start(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._order = []

    def _task_at(self, t: int) -> int:
        while len(self._order) <= t:
            self._order.extend(int(i) for i in self._rng.permutation(len(self.tasks)))
        return self._order[t]

    def context(self, t: int) -> Context | None:
        return self.contexts.get(self.tasks[self._task_at(t)])

    def reward(self, arm: int, t: int, rng: np.random.Generator) -> float:
        logged = self.rewards[arm][self.tasks[self._task_at(t)]]
        return float(logged[int(rng.integers(len(logged)))]) if len(logged) > 1 else float(logged[0])

    def expected(self, t: int) -> np.ndarray:
        return self._task_means[self._task_at(t)]

    def best(self, t: int) -> int:
        return self._best

    def arm_means(self) -> np.ndarray:
        """Each stack's mean over all tasks (what regret is measured against)."""
        return self._task_means.mean(axis=0)

    def hold_out(self, fraction: float, seed: int = 0) -> tuple[list[float], ReplayArms]:
        """Split off a validation set of tasks: each stack's mean on it, and a replay of the rest.

        This is validation-based selection as in the paper: the choice is made
        on held-out data, never on the episodes being replayed.
        """
        count = round(fraction * len(self.tasks))
        if not 0 < count < len(self.tasks):
            raise ValueError(
                f"validation fraction {fraction} of {len(self.tasks)} tasks leaves no validation or no replay tasks"
            )
        order = np.random.default_rng(seed).permutation(len(self.tasks))
        held = sorted(int(i) for i in order[:count])
        rest = [self.tasks[int(i)] for i in sorted(order[count:])]
        scores = [float(x) for x in self._task_means[held].mean(axis=0)]
        rewards = [{t: by_task[t] for t in rest} for by_task in self.rewards]
        return scores, ReplayArms(self.labels, rest, rewards, {t: c for t, c in self.contexts.items() if t in rest})


@dataclass
class OrderedReplay:
    """Logged rewards of several stacks replayed in the order they were logged, so drift replays as it happened.

    `rewards[arm]` is that stack's episodes in time order (finish order or a
    chosen key); round t plays each arm's t-th episode, with no reshuffling
    and no wrap-around. What an arm could be expected to earn at round t is
    its mean over the `smooth` logged episodes centred on t (fewer at the
    ends), so regret is measured against the locally best arm: after a logged
    drop, the best arm changes just as it did for the synthetic drifting arms.
    """

    labels: list[str]
    rewards: list[list[float]]
    smooth: int = 50

    def __post_init__(self) -> None:
        if len(self.labels) < 2 or len(self.rewards) != len(self.labels):
            raise ValueError(f"an ordered replay needs at least 2 arms (stacks), got {self.labels}")
        if self.smooth < 1:
            raise ValueError(f"smooth must be >= 1 episode, got {self.smooth}")
        self.n_arms = len(self.labels)
        self.length = min(len(r) for r in self.rewards)
        if self.length < 1:
            lengths = [len(r) for r in self.rewards]
            raise ValueError(f"every stack needs at least one logged episode, got lengths {lengths}")
        table = np.asarray([r[: self.length] for r in self.rewards], dtype=float)  # arm x round
        self._table = table
        sums = np.concatenate([np.zeros((self.n_arms, 1)), np.cumsum(table, axis=1)], axis=1)
        lo = np.clip(np.arange(self.length) - self.smooth // 2, 0, None)
        hi = np.clip(lo + self.smooth, None, self.length)
        lo = np.clip(hi - self.smooth, 0, None)
        self._local = ((sums[:, hi] - sums[:, lo]) / (hi - lo)).T  # round x arm

    def start(self, rng: np.random.Generator) -> None:
        return None

    def context(self, t: int) -> Context | None:
        return None

    def reward(self, arm: int, t: int, rng: np.random.Generator) -> float:
        self._check_round(t)
        return float(self._table[arm, t])

    def expected(self, t: int) -> np.ndarray:
        self._check_round(t)
        return self._local[t]

    def best(self, t: int) -> int:
        return int(np.argmax(self.expected(t)))

    def arm_means(self) -> np.ndarray:
        return self._table.mean(axis=1)

    def hold_out(self, fraction: float, seed: int = 0) -> tuple[list[float], OrderedReplay]:
        """The first `fraction` of the time order is the validation set (each stack's mean there); the rest replays.

        In time order, validation must come before deployment, so the split is not random (`seed` is unused).
        """
        count = round(fraction * self.length)
        if not 0 < count < self.length:
            raise ValueError(
                f"validation fraction {fraction} of {self.length} rounds leaves no validation or no replay rounds"
            )
        scores = [float(x) for x in self._table[:, :count].mean(axis=1)]
        return scores, OrderedReplay(self.labels, [list(r[count : self.length]) for r in self.rewards], self.smooth)

    def _check_round(self, t: int) -> None:
        if not 0 <= t < self.length:
            raise ValueError(
                f"round {t} is past the ordered replay's {self.length} logged rounds (the shortest stack's "
                f"episodes); use a horizon of at most {self.length}"
            )


@dataclass
class ContextualArms:
    """Bernoulli arms whose means depend on the round's context (a task kind), drawn at random each round.

    `contexts[k]` is a task kind's features (e.g. {"difficulty": 1, "scenario": "email"}), `means[k][arm]`
    each arm's success rate on it, `weights[k]` how often it comes (default: evenly). Regret is against the
    best arm for each round's context, which no context-free strategy can match when the best arm differs
    between kinds.
    """

    contexts: list[dict[str, object]]
    means: list[list[float]]
    weights: list[float] | None = None
    labels: list[str] = field(default_factory=list)
    _kinds: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        table = np.asarray(self.means, dtype=float)
        if table.ndim != 2 or table.shape[0] != len(self.contexts) or table.shape[1] < 2:
            raise ValueError(f"means must give every context ({len(self.contexts)}) a mean per arm (>= 2 arms)")
        if not np.all((table >= 0) & (table <= 1)):
            raise ValueError("arm means must be in [0, 1]")
        weights = np.ones(len(self.contexts)) if self.weights is None else np.asarray(self.weights, dtype=float)
        if weights.shape != (len(self.contexts),) or np.any(weights < 0) or weights.sum() <= 0:
            raise ValueError(f"weights must be {len(self.contexts)} non-negative numbers, not all 0")
        self._table = table
        self._p = weights / weights.sum()
        self.n_arms = table.shape[1]
        self.labels = self.labels or [f"arm{i}" for i in range(self.n_arms)]

    def start(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._kinds = []

    def _kind_at(self, t: int) -> int:
        while len(self._kinds) <= t:
            self._kinds.extend(int(k) for k in self._rng.choice(len(self.contexts), size=256, p=self._p))
        return self._kinds[t]

    def context(self, t: int) -> Context | None:
        return self.contexts[self._kind_at(t)]

    def reward(self, arm: int, t: int, rng: np.random.Generator) -> float:
        return float(rng.random() < self._table[self._kind_at(t), arm])

    def expected(self, t: int) -> np.ndarray:
        return self._table[self._kind_at(t)]

    def best(self, t: int) -> int:
        return int(np.argmax(self.expected(t)))
