"""Contextual selection: choose the stack per task from what the env says about the task before it starts.

Scaffolding helps some tasks and hurts others (the Three Roles paper's gains
were largest on difficulty-1 tasks), so one stack for every task leaves reward
on the table. `LinUCB` (Li, Chu, Langford and Schapire, 2010, the disjoint
model) keeps a ridge regression of reward on task features per arm and plays
the arm with the highest upper confidence bound x.theta_a + alpha *
sqrt(x' A_a^-1 x).

Features are categorical: each (name, value) pair of the context (difficulty=2,
scenario=email_friends, split=dev; a list such as apps=[gmail, venmo] gives one
pair per element) is a 0/1 column, plus a constant column for the arm's base
rate. Columns are added the first time a pair is seen (a new column starts as
the ridge prior, so adding it late equals having had it from the start), up to
`max_features`; later unseen pairs are left out, so the state stays small.

Why numpy and not MABWiser's LinUCB: the arithmetic is the same (and checked
against MABWiser 2.7.4 decision for decision in tests/selection/test_contextual.py),
but the harness needs this selector inside the `Selector` contract: drift
rollback, late and out-of-order updates, a JSON state with the feature
vocabulary that resumes exactly, and one `select(context)` per episode rather
than batch `fit`/`predict` on data frames.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from policies.selection.base import Context, Selector
from policies.selection.checks import finite

log = logging.getLogger(__name__)

BIAS = "bias"  # the constant column: the arm's base rate


def context_pairs(context: Context | None, features: Sequence[str] | None) -> list[str]:
    """The context's "name=value" columns, in a stable order; `features` picks the names (None: all)."""
    if context is None:
        return []
    if not isinstance(context, Mapping):
        raise ValueError(f"a context must be a mapping of feature names to values, got {context!r:.200}")
    names = sorted(context) if features is None else list(features)
    pairs: list[str] = []
    for name in names:
        value = context.get(name)
        values = value if isinstance(value, (list, tuple)) else [value]
        pairs.extend(f"{name}={item}" for item in values)
    return pairs


class LinUCB(Selector):
    """Disjoint LinUCB on one-hot task features (see the module docstring)."""

    name = "linucb"
    _extra_state: ClassVar[tuple[str, ...]] = ("vocabulary", "gram", "target")

    def __init__(
        self,
        n_arms: int,
        alpha: float = 1.0,
        l2_lambda: float = 1.0,
        features: Sequence[str] | None = None,
        max_features: int = 64,
        seed: int | None = 0,
        drift: Any = None,
    ):
        super().__init__(n_arms, seed, drift)
        if finite("alpha", alpha) < 0:
            raise ValueError(f"LinUCB alpha must be >= 0, got {alpha}")
        if finite("l2_lambda", l2_lambda) <= 0:
            raise ValueError(f"LinUCB l2_lambda must be > 0, got {l2_lambda}")
        if max_features < 1:
            raise ValueError(f"LinUCB max_features must be >= 1, got {max_features}")
        if features is not None and (isinstance(features, str) or not all(isinstance(f, str) for f in features)):
            raise ValueError(f"LinUCB features must be a list of context keys (or null for all), got {features!r}")
        self.alpha = float(alpha)
        self.l2_lambda = float(l2_lambda)
        self.features = None if features is None else list(features)
        self.max_features = int(max_features)
        self.vocabulary: list[str] = [BIAS]
        self.gram = np.full((self.n_arms, 1, 1), self.l2_lambda)  # A_a = lambda I + sum x x'
        self.target = np.zeros((self.n_arms, 1))  # b_a = sum r x
        self._warned_full = False

    def params(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha,
            "l2_lambda": self.l2_lambda,
            "features": self.features,
            "max_features": self.max_features,
        }

    # ---- features ---------------------------------------------------------------
    def encode(self, context: Context | None) -> np.ndarray:
        """The context's feature vector; pairs seen for the first time get a column while there is room."""
        x = np.zeros(len(self.vocabulary))
        x[0] = 1.0
        for pair in context_pairs(context, self.features):
            if pair not in self.vocabulary:
                if len(self.vocabulary) >= self.max_features:
                    if not self._warned_full:
                        log.warning(
                            "LinUCB: %d feature columns in use; %r and later new values are left out",
                            self.max_features,
                            pair,
                        )
                        self._warned_full = True
                    continue
                self._add_column(pair)
                x = np.append(x, 0.0)
            x[self.vocabulary.index(pair)] = 1.0
        return x

    def _add_column(self, pair: str) -> None:
        self.vocabulary.append(pair)
        size = len(self.vocabulary)
        gram = np.zeros((self.n_arms, size, size))
        gram[:, : size - 1, : size - 1] = self.gram
        gram[:, size - 1, size - 1] = self.l2_lambda
        self.gram = gram
        self.target = np.concatenate([self.target, np.zeros((self.n_arms, 1))], axis=1)

    # ---- the strategy -------------------------------------------------------------
    def scores(self, context: Context | None) -> np.ndarray:
        """Upper confidence bound of each arm for this context."""
        x = self.encode(context)
        bounds = np.empty(self.n_arms)
        for arm in range(self.n_arms):
            inverse = np.linalg.inv(self.gram[arm])
            theta = inverse @ self.target[arm]
            bounds[arm] = x @ theta + self.alpha * np.sqrt(x @ inverse @ x)
        return bounds

    def _choose(self) -> int:
        return self._choose_in(None)

    def _choose_in(self, context: Context | None) -> int:
        return int(np.argmax(self.scores(context)))  # ties: the lowest index

    def _learn_in(self, arm: int, reward: float, context: Context | None) -> None:
        x = self.encode(context)
        self.gram[arm] += np.outer(x, x)
        self.target[arm] += reward * x

    def _on_drift(self, arm: int, target: int | None) -> None:
        """Forget the drifting arm's regression as much as its counts (decay 0: back to the ridge prior)."""
        super()._on_drift(arm, target)
        prior = self.l2_lambda * np.eye(len(self.vocabulary))
        self.gram[arm] = prior + self.drift.decay * (self.gram[arm] - prior)
        self.target[arm] *= self.drift.decay

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        self.gram = self.gram.reshape(self.n_arms, len(self.vocabulary), len(self.vocabulary))
        self.target = self.target.reshape(self.n_arms, len(self.vocabulary))
