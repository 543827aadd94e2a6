"""trainfree/AppWorld-v0: the real AppWorld behind ToolWorld's observation/action contract.

Needs `pip install appworld && appworld install && appworld download data`
(AppWorld pins its own dependencies: a separate venv may be needed). Actions are
code strings run by `AppWorld.execute`; the episode ends when the task is
completed or the step budget is spent; the terminal `info` carries AppWorld's
own evaluation. Snapshots replay the recorded actions in a fresh world
(AppWorld's execution is deterministic for a task).
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

import gymnasium as gym

from envs.contract import Observation
from envs.observation import make_observation, observation_space, text_space
from envs.toolworld.profile import TOOLWORLD_PROFILE

INSTALL = "pip install appworld && appworld install && appworld download data"
SPLITS = ("train", "dev", "test_normal", "test_challenge")
_experiments = itertools.count()


def _appworld() -> Any:
    try:
        import appworld
    except ImportError as err:
        raise ImportError(f"trainfree/AppWorld-v0 needs the appworld package and its data: {INSTALL}") from err
    return appworld


class AppWorldEnv(gym.Env):
    metadata = {"render_modes": [], "render_fps": 1}
    # Same prompt and numbers as ToolWorld; snapshots replay every action in a new world, too slow to search over.
    profile = replace(TOOLWORLD_PROFILE, name="appworld", search=None)

    def __init__(
        self,
        split: str = "dev",
        max_steps: int = 30,
        max_action_chars: int = 50_000,
        experiment_name: str = "trainfree",
    ):
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; splits: {SPLITS}")
        self._aw = _appworld()
        self.split, self.max_steps, self.max_action_chars = split, max_steps, max_action_chars
        self.experiment_name = experiment_name
        self.observation_space = observation_space(max_steps)
        self.action_space = text_space(max_action_chars)
        self.world: Any = None
        self.task_id: str | None = None
        self.history: list[dict[str, str]] = []

    def list_tasks(self, split: str | None = None) -> list[dict[str, Any]]:
        split = split or self.split
        return [
            {"task_id": t, "split": split, "difficulty": 0, "scenario": t.rsplit("_", 1)[0]}
            for t in self._aw.load_task_ids(split)
        ]

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        task_id = (options or {}).get("task_id")
        if task_id is None:
            ids = self._aw.load_task_ids(self.split)
            task_id = ids[int(self.np_random.integers(len(ids)))]
        self._open(task_id)
        meta = {
            "task_id": task_id,
            "split": self.split,
            "difficulty": self._difficulty(),
            "scenario": task_id.rsplit("_", 1)[0],
        }
        return self._observation(), meta

    def step(self, action: Any):
        if self.world is None:
            raise RuntimeError("call reset() first")
        if not isinstance(action, str):
            output = f"Invalid action: expected a string of Python code, got {type(action).__name__}."
            action = repr(action)[:200]
        elif len(action) > self.max_action_chars:
            output = f"Invalid action: {len(action)} characters, the limit is {self.max_action_chars}."
        else:
            output = self.world.execute(action)
        self.history.append({"action": action, "output": output})
        terminated = bool(self.world.task_completed())
        truncated = not terminated and len(self.history) >= self.max_steps
        info: dict[str, Any] = {}
        reward = 0.0
        if terminated or truncated:
            evaluation = self.world.evaluate().to_dict()
            success = bool(evaluation.get("success"))
            passes, failures = len(evaluation.get("passes", [])), len(evaluation.get("failures", []))
            info = {
                "success": success,
                "evaluation": evaluation,
                "metrics": {
                    "success": float(success),
                    "tests_passed": passes,
                    "tests_total": passes + failures,
                    "steps": len(self.history),
                },
            }
            reward = float(success)
        return self._observation(), reward, terminated, truncated, info

    def get_state(self) -> dict[str, Any]:
        return {"task_id": self.task_id, "actions": [t["action"] for t in self.history]}

    def set_state(self, state: dict[str, Any]) -> None:
        self._open(state["task_id"])
        for action in state["actions"]:
            self.history.append({"action": action, "output": self.world.execute(action)})

    def oracle_actions(self) -> list[str]:
        raise NotImplementedError("AppWorld's ground-truth solutions are not exposed through this adapter")

    def close(self) -> None:
        if self.world is not None:
            self.world.close()
            self.world = None

    def _open(self, task_id: str) -> None:
        self.close()
        self.world = self._aw.AppWorld(task_id=task_id, experiment_name=f"{self.experiment_name}_{next(_experiments)}")
        self.task_id, self.history = task_id, []

    def _difficulty(self) -> int:
        metadata = getattr(getattr(self.world.task, "ground_truth", None), "metadata", None) or {}
        return int(metadata.get("difficulty", 0)) if isinstance(metadata, dict) else 0

    def _observation(self) -> Observation:
        assert self.task_id is not None, "call reset() first"
        sup = self.world.task.supervisor
        context = (
            f"You work for {sup.first_name} {sup.last_name} (email {sup.email}, phone {sup.phone_number}). "
            "Write Python code calling apis.<app>.<api>(...); call apis.supervisor.complete_task() when done."
        )
        return make_observation(
            task_id=self.task_id,
            instruction=self.world.task.instruction,
            context=context,
            history=self.history,
            steps_left=self.max_steps - len(self.history),
        )
