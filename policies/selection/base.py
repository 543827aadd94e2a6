"""The selector contract, its bookkeeping, drift rollback and exact save/restore.

A selector picks one of `n_arms` arms per round (`select()`) and learns from
the reward in [0, 1] that the round earned (`update(arm, reward)`). Updates may
come late and out of order (episodes run in parallel), so strategies never
assume that every `select()` is followed by its own `update()` before the next.

Randomness comes only from `self.rng`, a seeded numpy Generator whose state is
saved with everything else: `load_state_dict(s.state_dict())` on a fresh
selector built from the same config continues the exact same sequence.

Drift and rollback (see drift.py for the detectors): every arm has its own
detector, fed with that arm's rewards. The strategy's current leader (the
deployed arm, or the best mean for learning strategies) is "good" while its
detector is warmed up and quiet; `good_arms` keeps such arms in the order
they last proved it, so the last entry is the last arm that was good.
When an arm's detector alarms, the selector rolls back to the most recent
other good arm (or, if none, `_fallback_arm`) and lets the strategy react in
`_on_drift`: deployment strategies redeploy, learning strategies forget
(decay) the drifting arm's statistics and hold the rollback arm for a while.
"""

from __future__ import annotations

import json
import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from policies.selection.drift import DriftConfig

#: What is known about a round before it is played (e.g. a task's difficulty, scenario, split, apps).
#: Context-free strategies ignore it; contextual ones (contextual.py) choose by it.
Context = Mapping[str, Any]


class Selector(ABC):
    """Base of all strategies. Not thread-safe: see `SelectorSession` for that."""

    name: ClassVar[str]
    _extra_state: ClassVar[tuple[str, ...]] = ()
    _state_fields: ClassVar[tuple[str, ...]] = (
        "rounds",
        "updates",
        "pulls",
        "reward_sum",
        "n",
        "sum",
        "assigned",
        "good_arms",
        "excluded",
        "rollback_arm",
        "hold_left",
        "drift_events",
    )

    def __init__(self, n_arms: int, seed: int | None = 0, drift: DriftConfig | Mapping[str, Any] | str | None = None):
        if isinstance(n_arms, bool) or not isinstance(n_arms, (int, np.integer)) or n_arms < 1:
            raise ValueError(f"a selector needs n_arms >= 1, got {n_arms!r}")
        self.n_arms = int(n_arms)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
            raise ValueError(f"selector seed must be a whole number >= 0 or null, got {seed!r}")  # not numpy's words
        self.seed = seed
        self.drift = DriftConfig.from_any(drift)
        self.rng = np.random.default_rng(seed)
        self.rounds = 0  # select() calls
        self.updates = 0  # update() calls
        self.assigned = np.zeros(self.n_arms, dtype=np.int64)  # selects per arm
        self.pulls = np.zeros(self.n_arms, dtype=np.int64)  # updates per arm, never decayed
        self.reward_sum = np.zeros(self.n_arms)  # never decayed
        self.n = np.zeros(self.n_arms)  # effective counts the strategy learns from (decayed on drift)
        self.sum = np.zeros(self.n_arms)
        self.good_arms: list[int] = []
        self.excluded: list[int] = []  # arms a deployment strategy will not redeploy
        self.rollback_arm: int | None = None
        self.hold_left = 0
        self.drift_events: list[dict[str, int]] = []
        self._detectors = [self.drift.make() for _ in range(self.n_arms)] if self.drift.enabled else []

    # ---- the contract -------------------------------------------------------
    def select(self, context: Context | None = None) -> int:
        """The arm to play this round (`context`: what is known about the round before it starts)."""
        self.rounds += 1
        if self.hold_left > 0 and self.rollback_arm is not None:
            self.hold_left -= 1
            arm = self.rollback_arm
        else:
            arm = int(self._choose_in(context))
        self.assigned[arm] += 1
        return arm

    def update(self, arm: int, reward: float, context: Context | None = None) -> None:
        """Learn from one finished round of `arm`; `reward` must be in [0, 1], `context` as given to `select`."""
        arm = self._check_arm(arm)
        reward = check_reward(reward)
        self.updates += 1
        self.pulls[arm] += 1
        self.reward_sum[arm] += reward
        self.n[arm] += 1
        self.sum[arm] += reward
        self._learn_in(arm, reward, context)
        if self.drift.enabled:
            self._watch(arm, reward)

    @abstractmethod
    def _choose(self) -> int:
        """The strategy's own pick (holds after a rollback are handled above)."""

    def _choose_in(self, context: Context | None) -> int:
        """The pick for a round with this context; context-free strategies ignore it."""
        return self._choose()

    def _learn_in(self, arm: int, reward: float, context: Context | None) -> None:
        """Learning from a round with its context; context-free strategies ignore it."""
        self._learn(arm, reward)

    def _learn(self, arm: int, reward: float) -> None:
        """Strategy-specific learning beyond the shared counts.

        A hook, not an abstract method: strategies that learn only from the
        shared counts (`n`, `sum`, `pulls`) keep this no-op; Thompson sampling
        updates its Beta posterior here.
        """
        return None

    # ---- estimates ----------------------------------------------------------
    def means(self) -> np.ndarray:
        """Mean reward the strategy believes per arm (nan for arms with no data)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.n > 0, self.sum / np.maximum(self.n, 1e-300), np.nan)

    def leader(self) -> int | None:
        """The arm the strategy currently exploits: the best mean so far."""
        return self._best_by_mean(list(range(self.n_arms))) if self.updates else None

    def _best_by_mean(self, candidates: list[int]) -> int:
        """Highest mean among candidates; arms without data rank last; ties go to the lowest index."""
        means = self.means()
        return max(
            candidates, key=lambda a: (not math.isnan(means[a]), -math.inf if math.isnan(means[a]) else means[a], -a)
        )

    def _least_assigned(self, candidates: list[int]) -> int:
        """Spreads pending rounds evenly while results are still out."""
        return min(candidates, key=lambda a: (self.assigned[a], a))

    # ---- drift ----------------------------------------------------------------
    def _watch(self, arm: int, reward: float) -> None:
        detector = self._detectors[arm]
        if detector.update(reward):
            detector.reset()
            if arm in self.good_arms:
                self.good_arms.remove(arm)
            target = self._rollback_target(arm)
            self.drift_events.append(
                {
                    "update": self.updates,
                    "round": self.rounds,
                    "arm": arm,
                    "rollback_to": arm if target is None else target,
                }
            )
            self._on_drift(arm, target)
        elif detector.ready and arm == self.leader():
            if arm in self.good_arms:
                self.good_arms.remove(arm)
            self.good_arms.append(arm)

    def _rollback_target(self, arm: int) -> int | None:
        for good in reversed(self.good_arms):
            if good != arm and good not in self.excluded:
                return good
        return self._fallback_arm(arm)

    def _fallback_arm(self, arm: int) -> int | None:
        """No other arm has proved good yet: take the best other arm by mean."""
        candidates = [a for a in range(self.n_arms) if a != arm and a not in self.excluded]
        return self._best_by_mean(candidates) if candidates else None

    def _on_drift(self, arm: int, target: int | None) -> None:
        """Learning strategies: forget the drifting arm's past, play `target` for `hold` rounds."""
        self.n[arm] *= self.drift.decay
        self.sum[arm] *= self.drift.decay
        if target is not None:
            self.rollback_arm = target
            self.hold_left = self.drift.hold

    # ---- save / restore -------------------------------------------------------
    def params(self) -> dict[str, Any]:
        """Strategy hyperparameters, as passed to the constructor."""
        return {}

    def config(self) -> dict[str, Any]:
        """Everything needed to rebuild this selector with `make_selector`."""
        return {
            "name": self.name,
            "n_arms": self.n_arms,
            "seed": self.seed,
            "drift": self.drift.to_dict(),
            **self.params(),
        }

    def state_dict(self) -> dict[str, Any]:
        """A JSON-ready snapshot of the whole state, config and RNG included."""
        state: dict[str, Any] = {
            "config": self.config(),
            "rng": self.rng.bit_generator.state,
            "detectors": [d.state_dict() for d in self._detectors],
        }
        for field in self._state_fields + self._extra_state:
            value = getattr(self, field)
            state[field] = value.tolist() if isinstance(value, np.ndarray) else json.loads(json.dumps(value))
        return state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore a snapshot taken from a selector with the same config."""
        saved = json.loads(json.dumps(state["config"]))
        mine = json.loads(json.dumps(self.config()))
        if saved != mine:
            raise ValueError(f"selector state was saved with config {saved}, this selector has {mine}")
        for field in self._state_fields + self._extra_state:
            current = getattr(self, field)
            value = state[field]
            setattr(
                self,
                field,
                np.asarray(value, dtype=current.dtype)
                if isinstance(current, np.ndarray)
                else json.loads(json.dumps(value)),
            )
        self.rng.bit_generator.state = state["rng"]
        for detector, detector_state in zip(self._detectors, state["detectors"], strict=True):
            detector.load_state_dict(detector_state)

    # ---- checks ---------------------------------------------------------------
    def _check_arm(self, arm: Any) -> int:
        if isinstance(arm, bool) or not isinstance(arm, (int, np.integer)) or not 0 <= arm < self.n_arms:
            raise ValueError(f"arm must be an int in [0, {self.n_arms}), got {arm!r}")
        return int(arm)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.config().items() if k != 'name')})"


def check_reward(reward: Any) -> float:
    """The reward as a float, or a ValueError naming it when it is not a number in [0, 1]."""
    try:
        value = float(reward)
    except (TypeError, ValueError):
        raise ValueError(f"reward must be a number in [0, 1], got {reward!r}") from None
    if not 0.0 <= value <= 1.0:  # also refuses nan
        raise ValueError(f"reward must be in [0, 1], got {reward!r}")
    return value
