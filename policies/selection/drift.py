"""Drift detectors: notice when an arm's rewards drop, so a selector can roll back.

Only drops matter here (a stack that got better is not a problem), so both
detectors are one-sided. Each keeps its whole state in plain numbers and
lists, which makes `state_dict()` JSON-ready and a resumed run exact.

- `WindowDetector`: the first `reference` rewards after a reset are the
  reference; the last `window` rewards are compared with it. An alarm needs the
  drop in means to exceed `min_drop` and Hoeffding's bound at level `delta` for
  two means of [0, 1] rewards, so noise alone rarely trips it.
- `PageHinkleyDetector`: Page's CUSUM test for a drop in the mean; sums how far
  rewards fall below their running mean (less a tolerance `tolerance`) and
  alarms when that sum rises `threshold` above its lowest point.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from policies.selection.checks import finite


class DriftDetector(Protocol):
    def update(self, reward: float) -> bool:
        """Feed one reward; True when a drop is detected."""

    def reset(self) -> None:
        """Forget everything (after a rollback, the arm starts a new reference)."""

    @property
    def ready(self) -> bool:
        """True once the detector has seen enough rewards to vouch for the arm."""

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state: Mapping[str, Any]) -> None: ...


class WindowDetector:
    def __init__(self, reference: int = 100, window: int = 50, min_drop: float = 0.1, delta: float = 1e-4):
        if reference < 1 or window < 1:
            raise ValueError(f"drift window sizes must be >= 1, got reference={reference}, window={window}")
        if not 0.0 < delta < 1.0:
            raise ValueError(f"drift delta must be in (0, 1), got {delta}")
        self.reference, self.window = reference, window
        # Hoeffding: P(mean_ref - mean_recent - true gap >= eps) <= exp(-2 eps^2 / (1/R + 1/W)).
        self.bound = max(
            finite("min_drop", min_drop), math.sqrt((1 / reference + 1 / window) * math.log(1 / delta) / 2)
        )
        self.reset()

    def reset(self) -> None:
        self._reference_sum = 0.0
        self._reference_n = 0
        self._recent: deque[float] = deque(maxlen=self.window)

    @property
    def ready(self) -> bool:
        return self._reference_n >= self.reference

    def update(self, reward: float) -> bool:
        if self._reference_n < self.reference:
            self._reference_sum += reward
            self._reference_n += 1
            return False
        self._recent.append(reward)
        if len(self._recent) < self.window:
            return False
        drop = self._reference_sum / self._reference_n - sum(self._recent) / self.window
        return drop > self.bound

    def state_dict(self) -> dict[str, Any]:
        return {"reference_sum": self._reference_sum, "reference_n": self._reference_n, "recent": list(self._recent)}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self._reference_sum = float(state["reference_sum"])
        self._reference_n = int(state["reference_n"])
        self._recent = deque((float(r) for r in state["recent"]), maxlen=self.window)


class PageHinkleyDetector:
    def __init__(self, tolerance: float = 0.1, threshold: float = 20.0, min_samples: int = 30):
        finite("tolerance", tolerance)
        if finite("threshold", threshold) <= 0:
            raise ValueError(f"Page-Hinkley threshold must be > 0, got {threshold}")
        self.tolerance, self.threshold, self.min_samples = tolerance, threshold, min_samples
        self.reset()

    def reset(self) -> None:
        self._n = 0
        self._mean = 0.0
        self._cumulative = 0.0
        self._lowest = 0.0

    @property
    def ready(self) -> bool:
        return self._n >= self.min_samples

    def update(self, reward: float) -> bool:
        self._n += 1
        self._mean += (reward - self._mean) / self._n
        self._cumulative += self._mean - reward - self.tolerance
        self._lowest = min(self._lowest, self._cumulative)
        return self._n >= self.min_samples and self._cumulative - self._lowest > self.threshold

    def state_dict(self) -> dict[str, Any]:
        return {"n": self._n, "mean": self._mean, "cumulative": self._cumulative, "lowest": self._lowest}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self._n = int(state["n"])
        self._mean = float(state["mean"])
        self._cumulative = float(state["cumulative"])
        self._lowest = float(state["lowest"])


DETECTORS = {"window": WindowDetector, "page_hinkley": PageHinkleyDetector}


@dataclass(frozen=True)
class DriftConfig:
    """How to detect drift and what a rollback does.

    `kind` is "window", "page_hinkley" or "none"; `params` go to the detector.
    `hold`: rounds a learning strategy keeps the rollback arm before it learns
    again. `decay`: factor applied to the drifting arm's statistics (0 forgets
    them, 1 keeps them).
    """

    kind: str = "none"
    params: Mapping[str, Any] | None = None
    hold: int = 50
    decay: float = 0.0

    def __post_init__(self) -> None:
        if self.kind != "none" and self.kind not in DETECTORS:
            raise ValueError(f"unknown drift detector {self.kind!r}; known: {['none', *DETECTORS]}")
        if self.hold < 0:
            raise ValueError(f"drift hold must be >= 0, got {self.hold}")
        if not 0.0 <= self.decay <= 1.0:
            raise ValueError(f"drift decay must be in [0, 1], got {self.decay}")
        if self.kind != "none":
            self.make()  # fail at config time on bad detector parameters

    @property
    def enabled(self) -> bool:
        return self.kind != "none"

    def make(self) -> DriftDetector:
        try:
            return DETECTORS[self.kind](**dict(self.params or {}))
        except TypeError as err:
            raise ValueError(f"bad parameters for drift detector {self.kind!r}: {err}") from None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "params": dict(self.params or {}), "hold": self.hold, "decay": self.decay}

    @classmethod
    def from_any(cls, value: DriftConfig | Mapping[str, Any] | str | None) -> DriftConfig:
        """From a config mapping; detector parameters may sit under the detector's name
        (`window: {...}`, `page_hinkley: {...}`), so switching `kind` keeps each one's settings."""
        if value is None:
            return cls()
        if isinstance(value, DriftConfig):
            return value
        if isinstance(value, str):
            return cls(kind=value)
        if not isinstance(value, Mapping):  # e.g. a journal's header edited by hand: was a bare AttributeError
            raise ValueError(f"drift must be a mapping, a detector's name or null, got {value!r:.100}")
        known = {"kind", "params", "hold", "decay", *DETECTORS}
        unknown = set(value) - known
        if unknown:
            raise ValueError(f"unknown drift option(s) {sorted(unknown)}; known: {sorted(known)}")
        kind = value.get("kind", "none")
        params = value.get("params")
        if params is None:
            params = value.get(kind)
        return cls(
            kind=kind,
            params=None if params is None else dict(params),
            hold=value.get("hold", 50),
            decay=value.get("decay", 0.0),
        )
