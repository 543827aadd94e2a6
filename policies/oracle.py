"""The oracle policy: plays the current task's known solution, the ceiling of any policy.

It reads `env.unwrapped.oracle_actions()` (see envs/contract.py) at the first
`act` of each episode, after the env has been reset, and plays them in
order. Running out of actions before the episode ends is an error, not a
silent no-op: it means the oracle or the env is wrong.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym

from envs.contract import Observation, trainfree_env
from policies.base import Policy


class OracleExhausted(RuntimeError):
    """The episode went on after the last oracle action."""


class OraclePolicy(Policy):
    def __init__(self, env: gym.Env) -> None:
        self.env = env
        self._actions: list[str] | None = None
        self._played = 0

    def reset(self, *, seed: int | None = None) -> None:
        self._actions = None
        self._played = 0

    def act(self, observation: Observation) -> str:
        if self._actions is None:
            self._actions = list(trainfree_env(self.env).oracle_actions())
        if self._played >= len(self._actions):
            raise OracleExhausted(
                f"task {observation.get('task_id')!r}: all {len(self._actions)} oracle actions played "
                "and the episode has not ended"
            )
        action = self._actions[self._played]
        self._played += 1
        return action

    def step_info(self) -> dict[str, Any]:
        total = len(self._actions) if self._actions is not None else None
        return {"oracle_action": self._played, "oracle_actions": total}
