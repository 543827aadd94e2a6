"""A tiny but real trainfree env that follows envs/contract.py, for harness tests.

Each task hides a word. The action `look` shows it (difficulty d needs d-1
looks before the answer is accepted); `answer <word>` ends the episode,
successful when the word is right and enough looks were made; `crash` makes
`step` raise (an action that breaks the env, as agent code that kills a
worker does). Knobs make the
harness's failure paths real: `step_delay_s` slows every step (so a run can
be killed mid-way), `crash_tasks` makes `step` raise on those tasks,
`fail_reset_tasks` makes `reset` raise on them (an env that fails to start;
with `fail_resets_file`, only while the count in that file is above 0, each
failure taking one off, so a retry can succeed), and `hang_tasks` makes
`step` block: until `close()` is called (`hang_until_closed`, like a read on
a pipe whose other end is killed) or for good.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import gymnasium as gym

from envs.contract import EnvProfile, TaskMeta
from envs.observation import make_observation, observation_space, text_space

ENV_ID = "trainfree/Tiny-v0"
WORDS = {"alpha": 1, "bravo": 2, "charlie": 3}  # scenario -> difficulty
SPLITS = {
    "dev": ("alpha_0", "alpha_1", "bravo_0", "bravo_1", "charlie_0", "charlie_1"),
    "train": ("alpha_2", "bravo_2"),
}


def task_meta(task_id: str, split: str) -> TaskMeta:
    scenario = task_id.rsplit("_", 1)[0]
    return TaskMeta(task_id=task_id, split=split, difficulty=WORDS[scenario], scenario=scenario)


class TinyEnv(gym.Env):
    metadata = {"render_modes": []}
    profile = EnvProfile(name="tiny", system_prompt="toolworld_system", code_blocks="join", search="snapshot")

    def __init__(
        self,
        max_steps: int = 10,
        split: str = "dev",
        step_delay_s: float = 0.0,
        crash_tasks: tuple[str, ...] = (),
        fail_reset_tasks: tuple[str, ...] = (),
        fail_resets_file: str | None = None,
        hang_tasks: tuple[str, ...] = (),
        hang_until_closed: bool = True,
    ):
        self.max_steps = max_steps
        self.split = split
        self.step_delay_s = step_delay_s
        self.crash_tasks = tuple(crash_tasks)
        self.fail_reset_tasks = tuple(fail_reset_tasks)
        self.fail_resets_file = Path(fail_resets_file) if fail_resets_file else None
        self.hang_tasks = tuple(hang_tasks)
        self.hang_until_closed = hang_until_closed
        self.closed = threading.Event()
        self.observation_space = observation_space(max_steps)
        self.action_space = text_space(10_000)
        self._task: TaskMeta | None = None
        self._history: list[dict[str, str]] = []
        self._looks = 0

    def list_tasks(self, split: str) -> list[TaskMeta]:
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; known: {sorted(SPLITS)}")
        return [task_meta(task_id, split) for task_id in SPLITS[split]]

    def _word(self) -> str:
        assert self._task is not None
        return f"{self._task['scenario']}{self._task['task_id'].rsplit('_', 1)[1]}"

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        task_id = (options or {}).get("task_id") or SPLITS[self.split][
            int(self.np_random.integers(len(SPLITS[self.split])))
        ]
        split = next((name for name, ids in SPLITS.items() if task_id in ids), None)
        if split is None:
            raise ValueError(f"unknown task id {task_id!r}")
        if task_id in self.fail_reset_tasks and self._take_a_reset_failure():
            raise OSError(f"tiny env failed to start for task {task_id}")
        self._task = task_meta(task_id, split)
        self._history = []
        self._looks = 0
        return self._observation(), dict(self._task)

    def step(self, action: str):
        assert self._task is not None, "call reset first"
        if self.step_delay_s:
            time.sleep(self.step_delay_s)
        if self._task["task_id"] in self.crash_tasks:
            raise RuntimeError(f"tiny env crashed on task {self._task['task_id']}")
        if self._task["task_id"] in self.hang_tasks:
            self._hang()
        if action == "crash":
            raise RuntimeError("tiny env: the action `crash` broke it")
        if action == "look":
            self._looks += 1
            output = f"the word is {self._word()}"
        else:
            output = f"unknown action {action!r}" if not action.startswith("answer ") else "answered"
        self._history.append({"action": action, "output": output})
        if action.startswith("answer "):
            return self._end(action.removeprefix("answer ").strip(), truncated=False)
        if len(self._history) >= self.max_steps:
            return self._end(None, truncated=True)
        return self._observation(), 0.0, False, False, {}

    def _take_a_reset_failure(self) -> bool:
        if self.fail_resets_file is None:
            return True
        left = int(self.fail_resets_file.read_text())
        self.fail_resets_file.write_text(str(max(left - 1, 0)))
        return left > 0

    def _hang(self) -> None:
        if self.hang_until_closed:
            self.closed.wait()
            raise BrokenPipeError("tiny env: closed while a step was blocked")
        while True:
            time.sleep(3600)

    def close(self) -> None:
        self.closed.set()
        super().close()

    def _end(self, answer: str | None, truncated: bool):
        tests = {
            "right word": answer == self._word(),
            "enough looks": self._looks >= self._task["difficulty"] - 1,
        }
        passed = sum(tests.values())
        success = all(tests.values())
        info = {
            "success": success,
            "evaluation": {"tests": tests, "tests_passed": passed, "tests_failed": len(tests) - passed},
            "metrics": {
                "tests_passed": passed,
                "tests_failed": len(tests) - passed,
                "looks": self._looks,
                "answered": answer is not None,
            },
        }
        return self._observation(), float(success), not truncated, truncated, info

    def _observation(self) -> dict[str, Any]:
        assert self._task is not None
        return make_observation(
            task_id=self._task["task_id"],
            instruction="Find the hidden word, then answer it.",
            context="Actions: `look`, `answer <word>`.",
            history=self._history,
            steps_left=self.max_steps - len(self._history),
        )

    def oracle_actions(self) -> list[str]:
        assert self._task is not None
        return ["look"] * (self._task["difficulty"] - 1) + [f"answer {self._word()}"]

    def get_state(self) -> dict[str, Any]:
        return {"task": self._task, "history": list(self._history), "looks": self._looks}

    def set_state(self, state: dict[str, Any]) -> None:
        self._task, self._history, self._looks = state["task"], list(state["history"]), state["looks"]


gym.register(id=ENV_ID, entry_point=TinyEnv, disable_env_checker=False)
