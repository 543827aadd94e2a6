"""Learning strategies: keep exploring while exploiting, so regret grows sublinearly.

All three first give every arm one round (UCB1 needs it; for the others it
avoids trusting a prior). While results are pending, untried arms are handed
out evenly, so parallel episodes do not all start on the same arm.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from policies.selection.base import Selector
from policies.selection.checks import finite


class _LearningSelector(Selector):
    def _choose(self) -> int:
        untried = [a for a in range(self.n_arms) if self.n[a] == 0]
        return self._least_assigned(untried) if untried else self._learned_choice()

    @abstractmethod
    def _learned_choice(self) -> int:
        """The pick once every arm has data."""


class EpsilonGreedy(_LearningSelector):
    """Best mean, except a random arm with probability epsilon_t.

    `decay=None` keeps epsilon constant (linear regret, but it keeps watching
    every arm). With `decay=c`, epsilon_t = min(epsilon, c * n_arms / t): the
    epsilon_n-greedy of Auer, Cesa-Bianchi and Fischer (2002), whose regret is
    logarithmic when c is large enough for the gap between arms. t counts
    from the last drift alarm, so exploration comes back after a change.
    """

    name = "epsilon_greedy"
    _extra_state: ClassVar[tuple[str, ...]] = ("schedule_start",)

    def __init__(
        self, n_arms: int, epsilon: float = 0.1, decay: float | None = None, seed: int | None = 0, drift: Any = None
    ):
        super().__init__(n_arms, seed, drift)
        if not 0.0 <= epsilon <= 1.0:
            raise ValueError(f"epsilon must be in [0, 1], got {epsilon}")
        if decay is not None and finite("decay", decay) <= 0:
            raise ValueError(f"epsilon decay must be > 0 or null, got {decay}")
        self.epsilon = float(epsilon)
        self.decay = None if decay is None else float(decay)
        self.schedule_start = 0  # the decay restarts after a drift: a changed world needs exploring again

    def params(self) -> dict[str, Any]:
        return {"epsilon": self.epsilon, "decay": self.decay}

    def current_epsilon(self) -> float:
        if self.decay is None:
            return self.epsilon
        return min(self.epsilon, self.decay * self.n_arms / max(self.rounds - self.schedule_start, 1))

    def _on_drift(self, arm: int, target: int | None) -> None:
        super()._on_drift(arm, target)
        self.schedule_start = self.rounds

    def _learned_choice(self) -> int:
        if self.rng.random() < self.current_epsilon():
            return int(self.rng.integers(self.n_arms))
        return self._best_by_mean(list(range(self.n_arms)))


class UCB1(_LearningSelector):
    """Mean plus sqrt(exploration * ln t / n_a) (Auer et al. 2002 with exploration=2)."""

    name = "ucb1"

    def __init__(self, n_arms: int, exploration: float = 2.0, seed: int | None = 0, drift: Any = None):
        super().__init__(n_arms, seed, drift)
        if finite("exploration", exploration) < 0:
            raise ValueError(f"UCB1 exploration must be >= 0, got {exploration}")
        self.exploration = float(exploration)

    def params(self) -> dict[str, Any]:
        return {"exploration": self.exploration}

    def indices(self) -> np.ndarray:
        """Upper confidence bounds of the arms (call once every arm has data)."""
        log_t = math.log(max(self.updates, 1))
        return self.sum / self.n + np.sqrt(self.exploration * log_t / self.n)

    def _learned_choice(self) -> int:
        return int(np.argmax(self.indices()))


class ThompsonSampling(_LearningSelector):
    """Beta-Bernoulli Thompson sampling.

    Rewards in (0, 1) are handled by `fractional`:
    - "bernoulli" (default): a Bernoulli trial with success probability equal
      to the reward (Agrawal and Goyal, 2012); the posterior stays an exact
      Beta and the regret guarantee for [0, 1] rewards holds.
    - "fractional": alpha += r, beta += 1 - r; deterministic, a common
      heuristic, but the posterior is overconfident for rewards that are
      fractions of tests passed.
    """

    name = "thompson"
    _extra_state: ClassVar[tuple[str, ...]] = ("alpha", "beta")

    def __init__(
        self,
        n_arms: int,
        prior: Sequence[float] = (1.0, 1.0),
        fractional: str = "bernoulli",
        seed: int | None = 0,
        drift: Any = None,
    ):
        super().__init__(n_arms, seed, drift)
        if len(prior) != 2 or min(finite("prior", p) for p in prior) <= 0:
            raise ValueError(f"Thompson prior must be two positive numbers [alpha, beta], got {list(prior)}")
        if fractional not in ("bernoulli", "fractional"):
            raise ValueError(f"Thompson fractional must be 'bernoulli' or 'fractional', got {fractional!r}")
        self.prior = [float(prior[0]), float(prior[1])]
        self.fractional = fractional
        self.alpha = np.full(self.n_arms, self.prior[0])
        self.beta = np.full(self.n_arms, self.prior[1])

    def params(self) -> dict[str, Any]:
        return {"prior": self.prior, "fractional": self.fractional}

    def _learned_choice(self) -> int:
        return int(np.argmax(self.rng.beta(self.alpha, self.beta)))

    def _learn(self, arm: int, reward: float) -> None:
        if self.fractional == "fractional":
            success = reward
        elif reward in (0.0, 1.0):
            success = reward
        else:
            success = float(self.rng.random() < reward)
        self.alpha[arm] += success
        self.beta[arm] += 1.0 - success

    def _on_drift(self, arm: int, target: int | None) -> None:
        super()._on_drift(arm, target)
        decay = self.drift.decay
        self.alpha[arm] = self.prior[0] + decay * (self.alpha[arm] - self.prior[0])
        self.beta[arm] = self.prior[1] + decay * (self.beta[arm] - self.prior[1])
