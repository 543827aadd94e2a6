"""trainfree/AppWorld-v0: the real AppWorld behind ToolWorld's observation/action contract.

AppWorld runs in a worker process under its own interpreter (`python`, see
bridge.py): its pins clash with ours, it keeps one world per process and it
freezes the process's clock at the task's date. Actions are code strings run by
`AppWorld.execute`; the episode ends when the task is marked complete or the
step budget is spent; the terminal `info` carries AppWorld's own evaluation,
run by a second worker that never runs agent code, on the end state the world
saved (agent code can patch the evaluator of the process it runs in).
Snapshots are the task id and the actions so far; a restore replays them in a
fresh world (AppWorld's execution is deterministic for a task: frozen clock,
seeded ids and tokens). A worker that dies or hangs mid-step is restarted the
same way and the step reports it.

Each episode (each reset or restore) gets a fresh worker, which opens its task's
world without the ground truth and then confines itself with the kernel layers
(worker.py's `Confinement`) before any agent code runs; `reset` puts which
layers hold, and why any is off, in `info["sandbox"]`. That worker is usually
the spare started when the previous episode's world opened: importing AppWorld
and its apps is most of a worker's start, and needs no task, so the spare does
it while that episode runs, runs nothing else, and dies with the env. Task
lists come from the judge worker, which never runs agent code.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
import uuid
from dataclasses import replace
from typing import Any

import gymnasium as gym

from envs.appworld.bridge import AppWorldProcess, AppWorldRequestError, AppWorldWorkerError
from envs.contract import Observation, TaskMeta, exact_text, type_name
from envs.observation import make_observation, observation_space, text_space
from envs.sandbox import protections, read_grants
from envs.sandbox.landlock import SYSTEM_DIRS
from envs.sandbox.protections import Protection
from envs.toolworld.profile import TOOLWORLD_PROFILE

INSTALL = (
    "python3.11 -m venv .venv-appworld && .venv-appworld/bin/pip install appworld && .venv-appworld/bin/appworld "
    "install && .venv-appworld/bin/appworld download data --root <root>; then pass python=.venv-appworld/bin/python "
    "root=<root> (or set TRAINFREE_APPWORLD_PYTHON and APPWORLD_ROOT)"
)
SPLITS = ("train", "dev", "test_normal", "test_challenge")
_CLOSED = "the env is closed: no AppWorld worker may start"
#: Margin over AppWorld's own per-execute timeout before the worker is taken for hung.
_DEADLINE_MARGIN_S = 30.0


def appworld_python(python: str | None) -> str:
    """The interpreter that has appworld: the argument, else $TRAINFREE_APPWORLD_PYTHON, else this one."""
    chosen = python or os.environ.get("TRAINFREE_APPWORLD_PYTHON") or sys.executable
    if not (shutil.which(chosen) or os.path.exists(chosen)):
        raise FileNotFoundError(f"no AppWorld interpreter at {chosen!r}; install AppWorld: {INSTALL}")
    return chosen


class AppWorldEnv(gym.Env):
    metadata = {"render_modes": [], "render_fps": 1}
    # Same prompt and numbers as ToolWorld; a restore replays every action in a new world, too slow to search over.
    profile = replace(TOOLWORLD_PROFILE, name="appworld", search=None)

    def __init__(
        self,
        split: str = "dev",
        max_steps: int = 30,
        max_action_chars: int = 50_000,
        experiment_name: str = "trainfree",
        python: str | None = None,
        root: str | None = None,
        execute_timeout_s: int = 100,
        open_timeout_s: float = 300.0,
        spare_worker: bool = True,
    ):
        """`spare_worker` starts the next episode's worker once this one's world is open: it imports AppWorld and
        its apps (~3.5 s of CPU) while the episode runs, then opens and confines itself on the next reset or
        restore exactly as a fresh worker would: one extra idle process per env (230 MB RSS here)."""
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; splits: {SPLITS}")
        self.split, self.max_steps, self.max_action_chars = split, max_steps, max_action_chars
        self.python = appworld_python(python)
        self.root = os.path.abspath(root or os.environ.get("APPWORLD_ROOT") or os.getcwd())
        # One experiment per env instance: envs running side by side never share AppWorld's output folders.
        self.experiment_name = f"{experiment_name}-{uuid.uuid4().hex[:8]}"
        self.execute_timeout_s, self.open_timeout_s = execute_timeout_s, open_timeout_s
        self.spare_worker = spare_worker
        self.observation_space = observation_space(max_steps)
        self.action_space = text_space(max_action_chars)
        self._worker: AppWorldProcess | None = None  # runs the episode, agent code included
        self._judge: AppWorldProcess | None = None  # grades episodes from their saved end state, nothing else
        self._spare: AppWorldProcess | None = None  # the next episode's worker: appworld imported, no task opened
        # close() may come from another thread while an episode still starts workers (the harness's watchdog closes
        # the env of an episode past its deadline): a started process is put in its slot, or killed, under this lock
        self._slots = threading.Lock()
        self._closed = False
        self.task_id: str | None = None
        self.task: dict[str, Any] = {}
        self.sandbox: dict[str, str] = {}  # the current worker's layers, on or off with why (info["sandbox"])
        self.history: list[dict[str, str]] = []
        self._ran: list[bool] = []  # per turn: did its code run in the world (refusals did not)
        self._done = False
        self._replaying = False

    # -- the contract -----------------------------------------------------------------
    def list_tasks(self, split: str | None = None) -> list[TaskMeta]:
        split = split or self.split
        return [
            TaskMeta(task_id=t["task_id"], split=split, difficulty=t["difficulty"], scenario=_scenario(t["task_id"]))
            for t in self._judge_call("tasks", timeout_s=self.open_timeout_s, split=split)
        ]

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        task_id = (options or {}).get("task_id")
        if task_id is None:
            tasks = self.list_tasks()
            if not tasks:
                raise ValueError(f"AppWorld's {self.split} split under {self.root} has no tasks")
            task_id = tasks[int(self.np_random.integers(len(tasks)))]["task_id"]
        self._open(str(task_id))
        meta = TaskMeta(
            task_id=str(task_id), split=self.split, difficulty=self.task["difficulty"], scenario=_scenario(task_id)
        )
        return self._observation(), {**meta, "sandbox": dict(self.sandbox)}

    def step(self, action: Any):
        if self.task_id is None:
            raise RuntimeError("call reset() first")
        if self._done:
            raise RuntimeError("the episode is over: call reset() before step()")
        self._append(action)
        terminated = bool(self._call("completed"))
        truncated = not terminated and len(self.history) >= self.max_steps
        self._done = terminated or truncated
        info: dict[str, Any] = {}
        reward = 0.0
        if self._done:
            evaluation = self._evaluate()
            success = bool(evaluation.get("success"))
            passes, failures = len(evaluation.get("passes", [])), len(evaluation.get("failures", []))
            info = {
                "success": success,
                "evaluation": evaluation,
                "metrics": {
                    "success": float(success),
                    "tests_passed": passes,
                    "tests_failed": failures,
                    "tests_total": passes + failures,
                    "steps": len(self.history),
                },
            }
            reward = float(success)
        return self._observation(), reward, terminated, truncated, info

    def get_state(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "turns": [dict(t) for t in self.history],
            "ran": list(self._ran),
            "done": self._done,
        }

    def set_state(self, state: dict[str, Any]) -> None:
        """Back to a snapshot: a fresh world of the task, its code run again; refused actions stay refusals."""
        self._open(state["task_id"])
        self._replaying = True
        try:
            for turn, ran in zip(state["turns"], state["ran"], strict=True):
                if ran:
                    self._append(turn["action"])
                else:
                    self.history.append(dict(turn))
                    self._ran.append(False)
        finally:
            self._replaying = False
        self._done = bool(state.get("done", False))

    def api_doc(self, app: str, api: str) -> str:
        return json.dumps(self._call("api_doc", app=app, api=api), indent=1)

    def oracle_actions(self) -> list[str]:
        raise NotImplementedError("AppWorld ships no solution code with its tasks' ground truth (minimal mode)")

    def close(self) -> None:
        """Kill the env's processes; none starts after. AppWorld saves a world's state after each execution and its
        own close only drops caches, so nothing is lost; and a worker still busy with a step (close() called from
        another thread, as the harness's watchdog does) is not waited for."""
        with self._slots:
            self._closed = True
            processes = (self._spare, self._worker, self._judge)
            self._spare = self._worker = self._judge = None
        for process in processes:
            if process is not None:
                process.kill()

    # -- the worker ---------------------------------------------------------------
    def _call(self, op: str, timeout_s: float = 60.0, **args: Any) -> Any:
        """Ask the worker, starting it first if there is none (a dead one raises: `_append` restarts it by replay)."""
        worker = self._worker
        if worker is None:
            worker = self._keep("_worker", self._start_process())
        return worker.call(op, timeout_s=timeout_s, **args)

    def _judge_call(self, op: str, timeout_s: float, **args: Any) -> Any:
        """Ask the judge: a worker that never runs agent code and is never confined (it reads ground truth)."""
        judge = self._judge
        if judge is None or not judge.alive:
            judge = self._keep("_judge", self._start_process())
        return judge.call(op, timeout_s=timeout_s, **args)

    def _start_process(self, preload: bool = False) -> AppWorldProcess:
        """A fresh AppWorld process, or ImportError saying how to install AppWorld when its interpreter cannot."""
        if self._closed:
            raise RuntimeError(_CLOSED)
        try:
            return AppWorldProcess(self.python, self.root, start_timeout_s=self.open_timeout_s, preload=preload)
        except AppWorldRequestError as error:
            raise ImportError(f"{self.python} cannot run AppWorld ({error}); install it: {INSTALL}") from error

    def _keep(self, slot: str, process: AppWorldProcess) -> AppWorldProcess:
        """`process` in its slot (_worker, _judge or _spare), unless close() came while it started: then killed."""
        with self._slots:
            if not self._closed:
                setattr(self, slot, process)
                return process
        process.kill()
        raise RuntimeError(_CLOSED)

    def _evaluate(self) -> dict[str, Any]:
        """AppWorld's evaluator on the end state the episode's world saved, in a worker of its own that never runs
        agent code: agent code can import appworld.evaluator and patch it in the episode's worker."""
        evaluation: dict[str, Any] = self._judge_call(
            "evaluate_saved", timeout_s=self.open_timeout_s, task_id=self.task_id, experiment_name=self.experiment_name
        )
        return evaluation

    def _open(self, task_id: str) -> None:
        """A fresh worker for the episode (one that ran agent code is never reused), its world opened and the
        worker confined before any agent code."""
        if self._worker is not None:
            self._worker.kill()
        with self._slots:  # the spare becomes the worker in one move: close() finds it in one slot or the other
            self._worker, self._spare = self._spare, None
        if self._worker is not None and not self._usable_spare(self._worker):
            self._worker.kill()
            self._worker = None  # `_call` starts a fresh one
        # the host's system folders less what no unprivileged user may read (/etc/shadow, /etc/ssl/private, ...)
        system = read_grants.carve(SYSTEM_DIRS, read_grants.host_private_paths())
        self.task = self._call(
            "open",
            timeout_s=self.open_timeout_s,
            task_id=task_id,
            experiment_name=self.experiment_name,
            timeout_seconds=self.execute_timeout_s,
            system_read=list(system.readable),
            system_list=list(system.listable),
        )
        report = self.task.pop("confinement", None)
        if report and self._worker is not None:
            self._worker.temp_dir = str(report.get("temp_dir") or "")
        layers = _layers(report)
        self.sandbox = protections.as_info(layers)
        protections.announce("appworld", layers)
        self.task_id, self.history, self._ran, self._done = task_id, [], [], False
        self._start_spare()

    def _usable_spare(self, spare: AppWorldProcess) -> bool:
        """Whether the spare lives, was started with this env's interpreter and root (what its imports depend on;
        the experiment and task come with `open`) and has answered its start requests (waited for)."""
        if not spare.alive or (spare.python, spare.root) != (self.python, self.root):
            return False
        try:
            spare.wait_ready()
        except (AppWorldWorkerError, AppWorldRequestError):
            return False  # it died or cannot import appworld: a fresh worker says why, if it fails too
        return True

    def _start_spare(self) -> None:
        """Start the next episode's worker, which imports while this episode runs (its slot is empty: `_open` took
        the last spare)."""
        if self.spare_worker:
            try:
                spare = self._start_process(preload=True)
            except (AppWorldWorkerError, OSError):
                return  # no spare: the next episode starts its worker as without one
            self._keep("_spare", spare)

    def _append(self, action: Any) -> None:
        """One turn, and whether its code ran in the world (what a restore runs again)."""
        action = exact_text(action)
        if not isinstance(action, str):
            turn = {
                "action": f"<{type_name(action)}>",
                "output": f"Invalid action: expected a string of Python code, got {type_name(action)}.",
            }
            ran = False
        elif len(action) > self.max_action_chars:
            turn = {
                "action": action,
                "output": f"Invalid action: {len(action)} characters, the limit is {self.max_action_chars}.",
            }
            ran = False
        else:
            try:
                output = self._call("execute", timeout_s=self.execute_timeout_s + _DEADLINE_MARGIN_S, code=action)
                ran = True
            except AppWorldWorkerError as error:
                if self._replaying:
                    raise  # code that ran before fails on replay: no second restart, the episode ends in an error
                output = f"Execution failed: {error}. The world was restarted and the earlier actions run again."
                ran = False
                self._restart()
            turn = {"action": action, "output": str(output)}
        self.history.append(turn)
        self._ran.append(ran)

    def _restart(self) -> None:
        """A fresh worker and world with this episode's earlier actions replayed (the failed one is not)."""
        if self._worker is not None:
            self._worker.kill()
            self._worker = None
        earlier = self.get_state()
        self.set_state(earlier)

    def _observation(self) -> Observation:
        assert self.task_id is not None, "call reset() first"
        sup = self.task["supervisor"]
        context = (
            f"You work for {sup['first_name']} {sup['last_name']} (email {sup['email']}, phone "
            f"{sup['phone_number']}); today is {self.task['datetime']}. Write Python code calling "
            "apis.<app>.<api>(...); call apis.supervisor.complete_task() when done."
        )
        return make_observation(
            task_id=self.task_id,
            instruction=self.task["instruction"],
            context=context,
            history=self.history,
            steps_left=self.max_steps - len(self.history),
        )


#: the worker's layers, each with what it does when on
_LAYERS = {
    "capabilities": "all dropped (bounding set too) before agent code runs",
    "rlimits": "4 GiB address space, 256 MiB files, no core",
    "landlock": "read the interpreter, its venv, system libraries and the task's data without any task's ground "
    "truth; write only the task's experiment output folder and a private temp folder",
    "seccomp": "no sockets (stream socketpairs stay), processes, signals to others, ptrace, mounts, namespaces, "
    "rlimit changes or IPC objects",
    "parent_death": "the worker is killed when the env dies",
}


def _layers(report: dict[str, Any] | None) -> list[Protection]:
    """What the worker reported: each layer on (with what it does) or off (with why)."""
    applied = set((report or {}).get("applied", ()))
    skipped = (report or {}).get("skipped", {})
    found = []
    for name, detail in _LAYERS.items():
        if name in applied:
            if name == "landlock":
                detail = protections.landlock_protection().detail + "; " + detail
            found.append(Protection(name, True, detail))
        else:
            found.append(Protection(name, False, skipped.get(name) or "the worker did not report it"))
    return found


def _scenario(task_id: str) -> str:
    """AppWorld's scenario (its generator id): the task id before its number, as in `<scenario>_<n>`."""
    return task_id.rsplit("_", 1)[0]
