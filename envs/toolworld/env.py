"""ToolWorldEnv: a Gymnasium env where each action is Python code calling `apis.<app>.<api>(...)`.

The world's DB lives here, in the env process (one copy per env, each episode
a transaction that reset rolls back: world/episode_db.py); the agent's code
runs in a persistent worker subprocess whose API calls come back over a pipe
and are answered by `ApiServer`. Every call and its reply is recorded per
step, which makes `set_state` exact: roll back to the world's start, re-apply
the captured row changes (a few KB, see world/changes.py), restart the worker and replay the earlier
actions with the recorded replies (no DB effects), rebuilding the worker's
variables. The same replay restores variables after a timeout.
"""

from __future__ import annotations

import copy
import functools
import json
import sqlite3
import time
from dataclasses import dataclass, field, replace
from typing import Any

import gymnasium as gym

from envs.contract import Observation, exact_text, type_name
from envs.observation import SpaceHistory, make_observation, observation_space, text_space
from envs.sandbox.bwrap import use_bwrap
from envs.sandbox.protections import announce, as_info
from envs.sandbox.session import SessionConfig, WorkerSession
from envs.toolworld import pages
from envs.toolworld.api import CallContext, new_token_key
from envs.toolworld.apps import all_apps, find_api
from envs.toolworld.evaluate import Outcome, evaluate
from envs.toolworld.failures import guess_failure
from envs.toolworld.figures import paged_by_oracle
from envs.toolworld.profile import TOOLWORLD_PROFILE
from envs.toolworld.server import ApiServer
from envs.toolworld.tasks import SPLITS, Task, load_task, task_metas
from envs.toolworld.world.build import WORLD_NOW, template_bytes
from envs.toolworld.world.changes import capture, net_changes
from envs.toolworld.world.episode_db import EpisodeDB

EPISODE_STORAGE_BYTES = 8 * 2**20  # how much an episode's API calls may grow the world's DB
EPISODE_REPLY_BYTES = 64 * 2**20  # API replies an episode keeps (for replays): reading the same big page in a loop
RECORDED_PATH_PARTS, RECORDED_NAME_CHARS = 3, 64  # what a call's record keeps of its path


@dataclass
class StepRecord:
    action: str
    output: str
    # {"path", "reply": (status, the body's JSON text)}: what a replay answers; text, not the decoded body, whose
    # Python objects took ~6x the JSON's size (64 MB of small items held ~380 MB, and get_state copied them all)
    calls: list[dict[str, Any]] = field(default_factory=list)
    replayable: bool = True


class ToolWorldEnv(gym.Env):
    metadata = {"render_modes": ["ansi"], "render_fps": 1}
    profile = TOOLWORLD_PROFILE

    def __init__(
        self,
        split: str = "dev",
        max_steps: int = 30,
        step_timeout_s: float = 10.0,
        output_limit: int = 20_000,
        max_action_chars: int = 50_000,
        variants: int = 3,
        world_seed: int = 0,
        spare_worker: bool = True,
        render_mode: str | None = None,
        sandbox: str = "auto",
        colocate_worker: bool = True,
    ):
        """`spare_worker` keeps a second worker booted ahead of the next reset/restore
        (faster episodes, ~12 MB more per env); turn it off for many envs on little memory.
        `sandbox` isolates the agent's worker: auto | bwrap | rlimit (envs/sandbox/bwrap.py).
        `colocate_worker` runs each step's worker on the CPU the env is on (envs/sandbox/colocation.py)."""
        use_bwrap(sandbox)  # a bad value, or bwrap required but unusable, fails here rather than at reset
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; splits: {SPLITS}")
        if max_steps < 1:
            raise ValueError(f"max_steps must be >= 1, got {max_steps}")
        for name, value, low in (
            ("step_timeout_s", step_timeout_s, 0.01),
            ("output_limit", output_limit, 100),
            ("max_action_chars", max_action_chars, 1),
            ("variants", variants, 1),
        ):
            if value < low:
                raise ValueError(f"{name} must be >= {low}, got {value}")
        if render_mode not in (None, "ansi"):
            raise ValueError(f"render_mode must be None or 'ansi', got {render_mode!r}")
        self.split, self.max_steps, self.step_timeout_s = split, max_steps, step_timeout_s
        self._restore_left_s = step_timeout_s  # what restores may still take in this env.step (see _replay)
        self.output_limit, self.max_action_chars, self.variants, self.world_seed = (
            output_limit,
            max_action_chars,
            variants,
            world_seed,
        )
        self.render_mode = render_mode
        self.spare_worker = spare_worker
        self.sandbox = sandbox
        self.colocate_worker = colocate_worker
        self.observation_space = observation_space(max_steps)
        self.action_space = text_space(max_action_chars)
        self._world = EpisodeDB(template_bytes(world_seed), EPISODE_STORAGE_BYTES)
        # signs login tokens: random per env, so no token follows from the source; kept in get_state's
        # state so a restored worker's tokens (replayed from recorded replies) stay valid
        self._token_key = new_token_key()
        self.task: Task | None = None
        self.conn: sqlite3.Connection | None = None
        self.server: ApiServer | None = None
        self.session: dict[str, Any] = {}
        self.steps: list[StepRecord] = []
        self._history = SpaceHistory()  # self.steps' turns, in the observation's text space
        self.worker: WorkerSession | None = None
        self._recording: list[dict[str, Any]] | None = None
        self._reply_bytes = 0  # of the replies recorded in self.steps

    # --- contract -------------------------------------------------------------------------
    def list_tasks(self, split: str | None = None) -> list[dict[str, Any]]:
        return task_metas(split or self.split, self.variants)

    def oracle_actions(self) -> list[str]:
        task = self._require_task()
        return [task.spec.oracle] if isinstance(task.spec.oracle, str) else list(task.spec.oracle)

    def api_doc(self, app: str, api: str) -> str:
        """The doc `apis.api_docs.show_api_doc(app, api)` returns, from the API's declaration."""
        return json.dumps(find_api(app, api).doc(), default=str)

    # --- gymnasium ------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        task_id = (options or {}).get("task_id")
        if task_id is None:
            tasks = task_metas(self.split, self.variants)
            if not tasks:
                raise ValueError(f"split {self.split!r} has no tasks")
            task_id = tasks[int(self.np_random.integers(len(tasks)))]["task_id"]
        self.task = load_task(task_id, self.world_seed)
        session = {
            "supervisor_id": self.task.spec.supervisor_id,
            "task_id": self.task.task_id,
            "instruction": self.task.spec.instruction,
            "completed": None,
        }
        self._load(session, [])
        observation = self._observation()  # first, while the worker boots: protections() may wait for its report
        sandbox = self._live_worker().protections()  # what the worker reported when ready: on and off, with why
        announce("toolworld", sandbox)
        return observation, {**self.task.meta(), "fallbacks": list(self.task.fallbacks), "sandbox": as_info(sandbox)}

    def step(self, action: Any):
        self._require_task()
        if self._done():
            raise RuntimeError("the episode is over: call reset() before step()")
        record = self._run(action)
        self.steps.append(record)
        self._history.add(record.action, record.output)
        terminated = self.session.get("completed") is not None
        truncated = not terminated and len(self.steps) >= self.max_steps
        info: dict[str, Any] = {"api_calls": len(record.calls)}
        reward = 0.0
        if terminated or truncated:
            info.update(self._final_info())
            reward = float(info["success"])
        return self._observation(), reward, terminated, truncated, info

    def render(self) -> str | None:
        if self.render_mode != "ansi" or self.task is None:
            return None
        lines = [f"[{self.task.task_id}] {self.task.spec.instruction}"]
        for i, s in enumerate(self.steps, 1):
            lines += [f"--- step {i} ---", s.action, ">>>", s.output]
        return "\n".join(lines)

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None
        self._world.close()
        self.conn = None

    # --- snapshot / restore ---------------------------------------------------------------
    def get_state(self) -> dict[str, Any]:
        task = self._require_task()
        return {
            "task_id": task.task_id,
            "world_seed": self.world_seed,
            "token_key": self._token_key,
            "db_changes": capture(self._db()),
            "session": copy.deepcopy(self.session),
            "steps": copy.deepcopy(self.steps),
        }

    def set_state(self, state: dict[str, Any]) -> None:
        if state.get("world_seed") != self.world_seed:
            raise ValueError(f"state is from world {state.get('world_seed')}, this env has world {self.world_seed}")
        self.task = load_task(state["task_id"], self.world_seed)
        self._token_key = state.get("token_key", self._token_key)
        self._load(copy.deepcopy(state["session"]), copy.deepcopy(state["steps"]), state["db_changes"])
        self._restore_left_s = self.step_timeout_s
        note = self._replay()
        if note:
            raise RuntimeError(f"could not restore worker variables: {note}")

    # --- internals ------------------------------------------------------------------------
    def _require_task(self) -> Task:
        if self.task is None or self.conn is None:
            raise RuntimeError("call reset() first")
        return self.task

    def _db(self) -> sqlite3.Connection:
        if self.conn is None:
            raise RuntimeError("call reset() first")
        return self.conn

    def _live_worker(self) -> WorkerSession:
        if self.worker is None:
            raise RuntimeError("call reset() first")
        return self.worker

    def _done(self) -> bool:
        return self.session.get("completed") is not None or len(self.steps) >= self.max_steps

    def _load(self, session: dict[str, Any], steps: list[StepRecord], db_changes: dict[str, Any] | None = None) -> None:
        self.conn = conn = self._world.start(db_changes)
        self.session = session
        self.steps = steps
        self._history = SpaceHistory((s.action, s.output) for s in steps)
        self._reply_bytes = sum(_reply_size(call["reply"]) for step in steps for call in step.calls)
        context = CallContext(conn, WORLD_NOW, self._token_key, session=self.session)
        self.server = ApiServer(conn, context, self._world.deleting)
        self._context_text = self._context()  # no API changes people: the supervisor's line holds for the episode
        if self.worker is None:
            config = SessionConfig(
                output_limit=self.output_limit,
                frozen_time=WORLD_NOW.isoformat(),
                seed=self.world_seed,
                sandbox=self.sandbox,
                colocate=self.colocate_worker,
            )
            self.worker = WorkerSession(config, spare=self.spare_worker)
        if not self.worker.fresh or self.worker.died():  # a worker that has run nothing yet is as good as new
            self.worker.start()

    def _run(self, action: Any) -> StepRecord:
        action = exact_text(action)
        if type(action) is not str:
            return StepRecord(
                f"<{type_name(action)}>",
                f"Invalid action: expected a string of Python code, got {type_name(action)}.",
                replayable=False,
            )
        if len(action) > self.max_action_chars:
            return StepRecord(
                action[: self.max_action_chars],
                f"Invalid action: {len(action)} characters, the limit is {self.max_action_chars}.",
                replayable=False,
            )
        prefix = ""
        self._restore_left_s = self.step_timeout_s
        worker = self._live_worker()
        if worker.died():
            prefix = "Note: the Python worker had died and was restarted." + self._restore_note() + "\n"
        elif worker.ran_on():
            worker.stop()
            self.steps[-1] = replace(self.steps[-1], replayable=False)  # replayed, it would run on again
            note = "Note: the Python worker was still running code after the last step's output and was restarted."
            prefix = note + self._restore_note() + "\n"
        calls: list[dict[str, Any]] = []
        self._recording = calls
        result = worker.run(action, self._serve, self.step_timeout_s, name=f"<step {len(self.steps) + 1}>")
        self._recording = None
        output = prefix + result.output
        if result.stopped:
            output += self._restore_note()
        return StepRecord(action, output, calls, replayable=result.stopped is None)

    def _restore_note(self) -> str:
        note = self._replay()
        return (
            " Variables from earlier steps were restored."
            if not note
            else f" Variables from earlier steps are lost: {note}."
        )

    def _serve(self, path: list[str], args: list[Any], kwargs: dict[str, Any]) -> tuple[bool, Any, str]:
        page = None
        if type(path) is not list or len(path) != 2:
            named = type(path) is list and all(type(part) is str for part in path)
            shown = f"apis.{'.'.join(recorded_path(path))[:100]}" if named else "that"
            status, body = 404, {"message": f"{shown} is not an API: call apis.<app_name>.<api_name>(...)."}
            text = json.dumps(body)
        else:
            assert self.server is not None, "the env serves API calls only after reset()"
            self._world.guard()
            status, body = self.server.call(path[0], path[1], args, kwargs)
            status, body, text = self._within_reply_budget(status, body, self.server.last_body_json or json.dumps(body))
            page = self.server.last_page
        if self._recording is not None:
            record = {
                "path": recorded_path(path),
                "reply": (status, text),
                **({"page": page.as_record()} if page else {}),
            }
            self._recording.append(record)
        return _as_worker_reply(status, body, text)

    def _within_reply_budget(self, status: int, body: Any, text: str) -> tuple[int, Any, str]:
        """The reply (`text`: its body's JSON), or a 429 once the episode's recorded replies would pass
        EPISODE_REPLY_BYTES."""
        if self._reply_bytes + len(text) > EPISODE_REPLY_BYTES:
            limit = EPISODE_REPLY_BYTES // 2**20
            body = {"message": f"This episode's API replies passed {limit} MB: fetch less (smaller pages)."}
            return 429, body, json.dumps(body)
        self._reply_bytes += len(text)
        return status, body, text

    def _replay(self) -> str:
        """Re-run earlier replayable actions in a fresh worker, answering calls from the record, within what is
        left of `_restore_left_s`: one step time limit for all the restores of one env.step (or set_state). Agent
        code can make every earlier step slow when it is replayed only, so a time limit per replayed step let one
        env.step run for as many limits as the episode had steps."""
        worker = self._live_worker()
        deadline = time.monotonic() + self._restore_left_s
        try:
            return self._replay_until(worker, deadline)
        finally:
            self._restore_left_s = max(0.0, deadline - time.monotonic())

    def _replay_until(self, worker: WorkerSession, deadline: float) -> str:
        too_slow = f"restoring them took longer than the step time limit ({self.step_timeout_s:g} s)"
        if not worker.fresh:
            worker.start()
        for i, record in enumerate(self.steps, 1):
            if not record.replayable:
                continue
            queue = list(record.calls)

            def recorded(
                path: list[str], args: list[Any], kwargs: dict[str, Any], queue: list[dict[str, Any]] = queue
            ) -> tuple[bool, Any, str]:
                if not queue or queue[0]["path"] != recorded_path(path):
                    return False, None, "replay diverged"
                return _recorded_reply(queue.pop(0)["reply"])

            left_s = deadline - time.monotonic()
            if left_s <= 0:
                worker.stop()  # its variables are partly restored: the next step must not build on them
                return too_slow
            result = worker.run(record.action, recorded, left_s, name=f"<step {i}>")
            if result.stopped == "timeout":
                return too_slow
            if result.stopped or queue:
                return f"step {i} did not replay the same way"
        return ""

    def _observation(self) -> Observation:
        task = self._require_task()
        return make_observation(
            task_id=task.task_id,
            instruction=task.spec.instruction,
            context=self._context_text,
            history=self._history,
            steps_left=self.max_steps - len(self.steps),
        )

    def _context(self) -> str:
        me = (
            self._db()
            .execute(
                "SELECT first_name, last_name, email, phone_number FROM people WHERE id = ?",
                (self.session["supervisor_id"],),
            )
            .fetchone()
        )
        return f"You work for {me[0]} {me[1]} (email {me[2]}, phone {me[3]}). {_context_rest()}"

    def _final_info(self) -> dict[str, Any]:
        task = self._require_task()
        conn = self._db()
        outcome = Outcome(net_changes(conn), conn, self.session.get("completed"))
        tests = evaluate(task.spec.expectations, outcome, task.spec.expected_status)
        success = all(t.passed for t in tests)
        history = [{"action": s.action, "output": s.output} for s in self.steps]
        missed = self._missed_pages() if not success else set()
        category = None if success else guess_failure(history, tests, outcome.completed is not None, missed)
        if missed:  # say why in every failed test, as the category does
            tests = [t if t.passed else replace(t, reason=f"{t.reason}; {pages.hint(missed)}") for t in tests]
        passed = sum(t.passed for t in tests)
        return {
            "success": success,
            "evaluation": {
                "task_id": task.task_id,
                "tests": [t.as_dict() for t in tests],
                "completed": self.session.get("completed"),
                "failure_category": category,
            },
            "metrics": {
                "success": float(success),
                "tests_passed": passed,
                "tests_total": len(tests),
                "steps": len(self.steps),
                "api_calls": sum(len(s.calls) for s in self.steps),
                "difficulty": task.difficulty,
            },
        }

    def _missed_pages(self) -> set[str]:
        """APIs whose lists the episode left unread, among those the task's oracle had to page through."""
        task = self._require_task()
        reads = [pages.PageRead.from_record(c["page"]) for s in self.steps for c in s.calls if "page" in c]
        return pages.missed_apis(reads) & set(paged_by_oracle(task.scenario, task.variant))


@functools.cache
def _context_rest() -> str:
    """The context after who the supervisor is: the same in every episode of every env, so made once."""
    apps = ", ".join(all_apps())
    return (
        f"It is {WORLD_NOW:%A %Y-%m-%d %H:%M}.\n"
        f"Write Python code; `apis.<app>.<api>(...)` calls an app, `print` shows results. Apps: {apps}.\n"
        "Find APIs with apis.api_docs.show_api_descriptions(app_name=...) and "
        "apis.api_docs.show_api_doc(app_name=..., api_name=...). "
        "Passwords: apis.supervisor.show_account_passwords(). Lists are paginated (page_index, page_limit <= 20). "
        "When done, call apis.supervisor.complete_task(answer=...) (answer only for questions)."
    )


def _reply_size(reply: tuple[int, str] | list[Any]) -> int:
    """The JSON length of a recorded reply's body: what the episode's reply budget charged for it."""
    return len(reply[1])


def recorded_path(path: list[str]) -> list[str]:
    """What an episode keeps of a call's path, which agent code chooses: at most RECORDED_PATH_PARTS names of
    RECORDED_NAME_CHARS characters. Every API's path is two short names; a longer one was answered 404, and
    is kept only to be matched on replay (whole, a 2 MB path made every call grow the env's memory by as much)."""
    return [part[:RECORDED_NAME_CHARS] for part in path[:RECORDED_PATH_PARTS]]


def _as_worker_reply(status: int, body: Any, text: str) -> tuple[bool, Any, str]:
    """What the worker gets for a reply: its body (`text` is that body's JSON), or the error it raises."""
    if status == 200:
        return True, body, ""
    return False, None, f"Response status code is {status}:\n{text}"


def _recorded_reply(reply: tuple[int, str] | list[Any]) -> tuple[bool, Any, str]:
    """What the worker got for a recorded reply, decoded again from its JSON text (for replays)."""
    status, text = reply
    return _as_worker_reply(status, json.loads(text) if status == 200 else None, text)
