"""Deployment strategies: settle on one arm and keep it until it drifts.

These are the classic ways to ship a model (arXiv 2503.22595): deploy the
newest, deploy the best on validation, or A/B test then commit. They learn
nothing after committing; drift rollback is their only way back. On drift the
drifting arm is excluded for good and the rollback arm is deployed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from policies.selection.base import Selector
from policies.selection.checks import finite


class DeploymentSelector(Selector):
    _extra_state: ClassVar[tuple[str, ...]] = ("deployed",)

    def __init__(self, n_arms: int, seed: int | None = 0, drift: Any = None):
        super().__init__(n_arms, seed, drift)
        self.deployed: int | None = None  # None while still choosing

    def leader(self) -> int | None:
        return self.deployed

    def _on_drift(self, arm: int, target: int | None) -> None:
        if target is None:
            return  # nothing to roll back to: keep the arm, its detector starts over
        if arm not in self.excluded:
            self.excluded.append(arm)
        if self.deployed == arm:
            self.deployed = target


class Naive(DeploymentSelector):
    """Always the newest arm; on drift, the previous good release.

    "Newest" is declared, never guessed from names: by default the order of
    the arms as listed (the last is the newest), or with `deployed_at` one
    release time per arm (numbers, or ISO dates as strings; the latest is the
    newest, ties keep the listed order). The online session and the simulator
    build the same selector from the same config, so they deploy the same arm.
    """

    name = "naive"

    def __init__(
        self, n_arms: int, deployed_at: Sequence[float | str] | None = None, seed: int | None = 0, drift: Any = None
    ):
        super().__init__(n_arms, seed, drift)
        self.deployed_at = None if deployed_at is None else list(deployed_at)
        self.release_order = _release_order(self.n_arms, self.deployed_at)
        self.deployed = self.release_order[-1]

    def params(self) -> dict[str, Any]:
        return {"deployed_at": self.deployed_at}

    def _choose(self) -> int:
        assert self.deployed is not None  # deployed from construction on; a drift only moves it to another arm
        return self.deployed

    def _fallback_arm(self, arm: int) -> int | None:
        position = self.release_order.index(arm)
        older = [a for a in self.release_order[:position] if a not in self.excluded]
        return older[-1] if older else None


def _release_order(n_arms: int, deployed_at: list[Any] | None) -> list[int]:
    """Arm indices from the oldest release to the newest."""
    if deployed_at is None:
        return list(range(n_arms))
    if len(deployed_at) != n_arms:
        raise ValueError(f"naive deployed_at must give one release time per arm ({n_arms}), got {deployed_at}")
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in deployed_at)
    if not numeric and not all(isinstance(v, str) for v in deployed_at):
        raise ValueError(
            f"naive deployed_at must be all numbers or all ISO date strings (comparable), got {deployed_at}"
        )
    return sorted(range(n_arms), key=lambda a: (deployed_at[a], a))


class ValidationBased(DeploymentSelector):
    """Each arm `pulls_per_arm` times (the validation phase), then the best one, fixed.

    With `scores` (e.g. each stack's score on a dev split from an earlier sweep)
    the phase is skipped: the best-scoring arm is deployed from round one.
    """

    name = "validation"

    def __init__(
        self,
        n_arms: int,
        pulls_per_arm: int = 10,
        scores: Sequence[float] | None = None,
        seed: int | None = 0,
        drift: Any = None,
    ):
        super().__init__(n_arms, seed, drift)
        if pulls_per_arm < 1:
            raise ValueError(f"validation pulls_per_arm must be >= 1, got {pulls_per_arm}")
        if scores is not None and len(scores) != self.n_arms:
            raise ValueError(f"validation scores must have one value per arm ({self.n_arms}), got {len(scores)}")
        self.pulls_per_arm = int(pulls_per_arm)
        self.scores = None if scores is None else [finite("scores", s) for s in scores]
        if self.scores is not None:
            arm_scores = self.scores
            self.deployed = max(range(self.n_arms), key=lambda a: (arm_scores[a], -a))

    def params(self) -> dict[str, Any]:
        return {"pulls_per_arm": self.pulls_per_arm, "scores": self.scores}

    def _fallback_arm(self, arm: int) -> int | None:
        """No other arm has proved good in deployment: the next best on validation (given scores, else means)."""
        candidates = [a for a in range(self.n_arms) if a != arm and a not in self.excluded]
        if not candidates:
            return None
        if self.scores is not None:
            scores = self.scores
            return max(candidates, key=lambda a: (scores[a], -a))
        return self._best_by_mean(candidates)

    def _choose(self) -> int:
        if self.deployed is None:
            candidates = [a for a in range(self.n_arms) if a not in self.excluded]
            short = [a for a in candidates if self.pulls[a] < self.pulls_per_arm]
            if short:
                return self._least_assigned(short)
            self.deployed = self._best_by_mean(candidates)
        return self.deployed


class ABTest(DeploymentSelector):
    """Random even split for `test_rounds` finished rounds, then commit to the best mean."""

    name = "ab_test"
    _extra_state: ClassVar[tuple[str, ...]] = ("deployed", "block")

    def __init__(self, n_arms: int, test_rounds: int = 100, seed: int | None = 0, drift: Any = None):
        super().__init__(n_arms, seed, drift)
        if test_rounds < 1:
            raise ValueError(f"A/B test_rounds must be >= 1, got {test_rounds}")
        self.test_rounds = int(test_rounds)
        self.block: list[int] = []  # the rest of a random permutation: every arm once per block

    def params(self) -> dict[str, Any]:
        return {"test_rounds": self.test_rounds}

    def _choose(self) -> int:
        if self.deployed is None and self.updates >= self.test_rounds:
            self.deployed = self._best_by_mean([a for a in range(self.n_arms) if a not in self.excluded])
        if self.deployed is not None:
            return self.deployed
        while True:  # excluded arms (drifted during the test) are skipped; one arm always stays
            if not self.block:
                self.block = [int(a) for a in self.rng.permutation(self.n_arms)]
            arm = self.block.pop()
            if arm not in self.excluded:
                return arm
