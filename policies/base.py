"""What a policy is: observation in, action (a string) out, one episode at a time."""

from __future__ import annotations

import abc
from typing import Any, Mapping


class Policy(abc.ABC):
    """Maps observations to actions.

    `reset` starts a new episode; `act` sees the full observation dict the
    environment (and its observation wrappers) produced.
    """

    def reset(self, *, seed: int | None = None) -> None:
        """Forget the previous episode. Stateless policies need not override."""

    @abc.abstractmethod
    def act(self, observation: Mapping[str, Any]) -> str:
        """Return the next action."""

    def step_info(self) -> dict[str, Any]:
        """What the policy did for its last action (samples, votes, tree, ...)."""
        return {}
