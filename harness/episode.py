"""Run one episode with the plain Gymnasium loop and turn it into a record.

The loop is the one an RL user writes: `reset`, then `act` / `step` until
`terminated or truncated`. Any exception from the env, the policy or the
model ends the episode with an `error` (type, stage, reason and `kind`, see
harness/blame.py); it never propagates, so one broken episode cannot take
down a run. An error of kind "agent" (its action crashed the env, its time
ran out, its prompt outgrew the context window) is a failure that counts in
the rates; one of kind "infra" is retried by the harness.

`timeout_s` holds even when a step never returns: the loop runs in its own
thread, and when the deadline passes a watchdog calls `kill` (the harness
closes the env from outside, so a blocked call fails and returns), waits
`grace_s` for the loop, then gives up on it and records the timeout.
"""

from __future__ import annotations

import json
import math
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import gymnasium as gym

from envs.contract import Observation, TaskMeta
from harness.blame import error_kind
from harness.results import episode_key
from policies.base import ChatPolicy, Policy
from wrappers.text import truncate_output

MAX_REASON_CHARS = 2000
#: Characters of an error's traceback kept in the trajectory (head and tail): exception messages quote what
#: they met, a model server's error body among them (a 429 quoting 5 MB put 10 MB into one trajectory).
MAX_TRACEBACK_CHARS = 20_000
#: Characters a step's action, and each text of its policy's report (the reply among them), keep in the trajectory
#: (head and tail): twice the longest action an env runs (MLE's 200,000), so what an env could run is kept whole.
#: A server that ignores max_tokens sends up to max_response_mb a reply, which was kept twice: 32 MB a step.
MAX_RECORDED_TEXT_CHARS = 400_000
#: Room kept under MAX_RECORDED_TEXT_CHARS for the marker a cut text carries ("... [output truncated: N ...").
RECORDED_MARKER_CHARS = 100

#: Seconds the watchdog waits for a killed episode's loop before recording the timeout without it.
KILL_GRACE_S = 3.0


@dataclass(frozen=True)
class EpisodeSpec:
    """What to play: a task of the split, with a seed."""

    task: TaskMeta
    seed: int

    @property
    def key(self) -> str:
        return episode_key(self.task["task_id"], self.seed)


class EnvTimer(gym.Wrapper):
    """Sums the time spent in the base env's reset and step.

    It sits right around the base env, under every scaffolding wrapper, so
    LLM calls a wrapper makes inside `step` are not counted as env time.
    """

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self.seconds = 0.0

    def reset(self, **kwargs: Any):
        started = time.perf_counter()
        try:
            return self.env.reset(**kwargs)
        finally:
            self.seconds += time.perf_counter() - started

    def step(self, action: Any):
        started = time.perf_counter()
        try:
            return self.env.step(action)
        finally:
            self.seconds += time.perf_counter() - started


class EpisodeTimeout(RuntimeError):
    """The episode ran past its wall-time budget."""


@dataclass
class EpisodeResult:
    """What one episode produced: the results line and the trajectory file's content."""

    record: dict[str, Any]
    trajectory: dict[str, Any] = field(default_factory=dict)
    #: The watchdog fired: the env is being killed (or is still held by a stuck loop); drop it, never reuse it.
    env_lost: bool = False


class _Progress:
    """What the loop has done so far, shared with the watchdog; frozen once the watchdog gives up on the loop."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.steps: list[dict[str, Any]] = []
        self.episode_return = 0.0
        self.terminated = self.truncated = False
        self.info: Mapping[str, Any] = {}
        self.stage = "reset"
        self.instruction = ""
        self.error: dict[str, Any] | None = None
        self.frozen = False

    def update(self, **fields: Any) -> None:
        with self.lock:
            if not self.frozen:
                for name, value in fields.items():
                    setattr(self, name, value)

    def add_step(self, entry: dict[str, Any], reward: float, terminated: bool, truncated: bool, info: Any) -> None:
        with self.lock:
            if not self.frozen:
                self.steps.append(entry)
                self.episode_return += reward
                self.terminated, self.truncated, self.info = terminated, truncated, info


def run_episode(
    env: gym.Env,
    policy: Policy,
    spec: EpisodeSpec,
    *,
    timeout_s: float | None = None,
    kill: Callable[[], None] | None = None,
    grace_s: float = KILL_GRACE_S,
) -> EpisodeResult:
    """Play `spec` to the end; the record has no cost fields (the caller adds them).

    With `timeout_s`, the episode ends at its deadline even inside a step
    that does not return: `kill` is called (from the watchdog's thread) to
    make the blocked call fail.
    """
    started = time.monotonic()
    progress = _Progress()
    deadline_passed = threading.Event()
    abandoned = False
    if timeout_s is None:
        _play(env, policy, spec, progress, started, timeout_s, deadline_passed)
    else:
        loop = threading.Thread(
            target=_play,
            args=(env, policy, spec, progress, started, timeout_s, deadline_passed),
            name=f"episode {spec.key}",
            daemon=True,  # a loop stuck for good in a step must not keep the process alive
        )
        loop.start()
        loop.join(timeout_s)
        if loop.is_alive():
            deadline_passed.set()
            if kill is not None:
                threading.Thread(target=kill, name=f"kill {spec.key}", daemon=True).start()
            loop.join(grace_s)
        abandoned = loop.is_alive()
        with progress.lock:
            progress.frozen = True
            if deadline_passed.is_set():
                progress.error = _timeout_error(timeout_s, progress, abandoned)
    return _result(spec, progress, time.monotonic() - started, env_lost=deadline_passed.is_set())


def _play(
    env: gym.Env,
    policy: Policy,
    spec: EpisodeSpec,
    progress: _Progress,
    started: float,
    timeout_s: float | None,
    deadline_passed: threading.Event,
) -> None:
    """The Gymnasium loop; whatever it raises becomes `progress.error`, described at the stage it was in."""
    try:
        observation, info = env.reset(seed=spec.seed, options={"task_id": spec.task["task_id"]})
        progress.update(instruction=str(observation.get("instruction", "")))
        policy.reset(seed=spec.seed)
        terminated = truncated = False
        previous_prompt: list[dict[str, str]] = []
        while not (terminated or truncated):
            progress.update(stage="act")
            full_prompt = _prompt(policy, observation)
            prompt = None if full_prompt is None else prompt_change(previous_prompt, full_prompt)
            previous_prompt = full_prompt or []
            action = policy.act(observation)
            progress.update(stage="step")
            observation, reward, terminated, truncated, info = env.step(action)
            if not math.isfinite(reward := float(reward)):
                raise ValueError(f"the env returned a reward of {reward} (not a finite number)")
            entry = {"prompt": prompt, **_step_entry(action, observation, reward, terminated, truncated, info, policy)}
            progress.add_step(entry, reward, terminated, truncated, info)
            out_of_time = timeout_s is not None and time.monotonic() - started > timeout_s
            if (out_of_time or deadline_passed.is_set()) and not (terminated or truncated):
                progress.update(stage="timeout")
                raise EpisodeTimeout(f"episode exceeded {timeout_s:g} s after {len(progress.steps)} steps")
    except Exception as exc:  # noqa: BLE001 - every failure becomes a record
        progress.update(error=describe_error(exc, progress.stage))


def _prompt(policy: Policy, observation: Observation) -> list[dict[str, str]] | None:
    """The agent's chat for this step as the model gets it (after every observation wrapper), kept in the
    trajectory so a reader sees what the model saw; None for a policy that asks no model (the oracle)."""
    if not isinstance(policy, ChatPolicy):
        return None
    return [{"role": str(m["role"]), "content": str(m["content"])} for m in policy.messages(observation)]


def prompt_change(previous: list[dict[str, str]], prompt: list[dict[str, str]]) -> dict[str, Any]:
    """A step's prompt as {"kept": k, "added": [...]}: its first k messages are the previous step's first k.

    Each prompt repeats the whole history before it, so storing every one whole would grow a trajectory
    with the square of its steps; this keeps it linear and exact (`full_prompts` rebuilds them)."""
    kept = 0
    for before, now in zip(previous, prompt, strict=False):  # the prompts may differ in length
        if before != now:
            break
        kept += 1
    return {"kept": kept, "added": prompt[kept:]}


def full_prompts(steps: list[dict[str, Any]]) -> list[list[dict[str, str]] | None]:
    """Every step's whole prompt, rebuilt from a trajectory's `prompt_change` entries (None: no model asked)."""
    prompts: list[list[dict[str, str]] | None] = []
    previous: list[dict[str, str]] = []
    for step in steps:
        change = step.get("prompt")
        if not isinstance(change, dict):
            prompts.append(None)
            continue
        previous = previous[: change["kept"]] + list(change["added"])
        prompts.append(previous)
    return prompts


def _timeout_error(timeout_s: float, progress: _Progress, abandoned: bool) -> dict[str, Any]:
    """The record of a deadline the watchdog enforced; what the killed call raised is kept in the traceback."""
    during = f"stage {progress.stage}"
    how = "the env was killed and the call never returned (abandoned)" if abandoned else "the env was killed"
    reason = f"episode exceeded {timeout_s:g} s after {len(progress.steps)} steps, in {during}; {how}"
    killed = progress.error
    return {
        "type": EpisodeTimeout.__name__,
        "stage": "timeout",
        "reason": reason,
        "kind": error_kind(EpisodeTimeout(reason), progress.stage),  # a reset that hangs is the env's, not the agent's
        "traceback": (killed or {}).get("traceback", ""),
    }


def _result(spec: EpisodeSpec, progress: _Progress, wall_time_s: float, env_lost: bool) -> EpisodeResult:
    with progress.lock:
        steps, error, info = list(progress.steps), progress.error, progress.info
        record = _record(
            spec, progress.episode_return, progress.terminated, progress.truncated, info, len(steps), wall_time_s, error
        )
        trajectory = {**_trajectory(spec, steps, info, error), "instruction": progress.instruction}
    return EpisodeResult(record=record, trajectory=trajectory, env_lost=env_lost)


def failed_episode(spec: EpisodeSpec, exc: Exception, stage: str) -> EpisodeResult:
    """The record of an episode that could not even start (e.g. its wrappers failed to build)."""
    error = describe_error(exc, stage)
    record = _record(spec, 0.0, False, False, {}, 0, 0.0, error)
    return EpisodeResult(record=record, trajectory=_trajectory(spec, [], {}, error))


def describe_error(exc: BaseException, stage: str) -> dict[str, str]:
    """Type, stage, reason and kind (agent or infra) of an error; call inside the `except` (it keeps the traceback)."""
    return {
        "type": type(exc).__name__,
        "stage": stage,
        "reason": str(exc)[:MAX_REASON_CHARS] or type(exc).__name__,
        "kind": error_kind(exc, stage),
        "traceback": truncate_output(traceback.format_exc(), MAX_TRACEBACK_CHARS),
    }


def _without_traceback(problem: dict[str, str] | None) -> dict[str, str] | None:
    """The record keeps type, stage and reason; the traceback goes to the trajectory."""
    return {k: v for k, v in problem.items() if k != "traceback"} if problem else None


def _trajectory(
    spec: EpisodeSpec, steps: list[dict[str, Any]], info: Mapping[str, Any], error: dict[str, str] | None
) -> dict[str, Any]:
    return {
        "key": spec.key,
        "task": dict(spec.task),
        "seed": spec.seed,
        "steps": steps,
        "final_info": json_safe(info),
        "error": error,
    }


def _step_entry(
    action: str,
    observation: Mapping[str, Any],
    reward: float,
    terminated: bool,
    truncated: bool,
    info: Mapping[str, Any],
    policy: Policy,
) -> dict[str, Any]:
    history = observation.get("history") or ()
    return {
        "action": _recorded_text(action) if isinstance(action, str) else action,
        "output": history[-1]["output"] if history else "",
        "reward": float(reward),
        "terminated": bool(terminated),
        "truncated": bool(truncated),
        "info": json_safe(info),
        "policy": _recorded_texts(json_safe(policy.step_info())),
    }


def _recorded_text(text: str) -> str:
    """`text` within MAX_RECORDED_TEXT_CHARS, the marker saying how much went included."""
    return truncate_output(text, MAX_RECORDED_TEXT_CHARS - RECORDED_MARKER_CHARS)


def _recorded_texts(report: Any) -> Any:
    """`report` (plain JSON data) with each of its texts cut to MAX_RECORDED_TEXT_CHARS."""
    if isinstance(report, str):
        return _recorded_text(report)
    if isinstance(report, list):
        return [_recorded_texts(item) for item in report]
    if isinstance(report, dict):
        return {key: _recorded_texts(value) for key, value in report.items()}
    return report


def _record(
    spec: EpisodeSpec,
    episode_return: float,
    terminated: bool,
    truncated: bool,
    info: Mapping[str, Any],
    steps: int,
    wall_time_s: float,
    error: dict[str, str] | None,
) -> dict[str, Any]:
    metrics = {k: number for k, v in (info.get("metrics") or {}).items() if (number := _as_number(v)) is not None}
    return {
        "key": spec.key,
        "task_id": spec.task["task_id"],
        "split": spec.task.get("split"),
        "difficulty": spec.task.get("difficulty"),
        "scenario": spec.task.get("scenario"),
        "seed": spec.seed,
        "reward": episode_return,
        "success": bool(info.get("success", False)) and error is None,
        **_test_counts(info),
        "steps": steps,
        "terminated": bool(terminated),
        "truncated": bool(truncated),
        "metrics": metrics,
        "wall_time_s": round(wall_time_s, 4),
        "error": _without_traceback(error),
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def _test_counts(info: Mapping[str, Any]) -> dict[str, int | None]:
    """Tests passed/failed from the contract's flat `metrics` (tests_passed with
    tests_failed or tests_total), else from a list of `evaluation["tests"]` with `passed` flags."""
    metrics = info.get("metrics") or {}
    passed = _as_number(metrics.get("tests_passed"))
    failed = _as_number(metrics.get("tests_failed"))
    total = _as_number(metrics.get("tests_total"))
    if passed is not None and failed is None and total is not None:
        failed = total - passed
    tests = (info.get("evaluation") or {}).get("tests") if isinstance(info.get("evaluation"), Mapping) else None
    if passed is None and isinstance(tests, list) and all(isinstance(t, Mapping) and "passed" in t for t in tests):
        passed = sum(bool(t["passed"]) for t in tests)
        failed = len(tests) - passed
    return {
        "tests_passed": None if passed is None else int(passed),
        "tests_failed": None if failed is None else int(failed),
    }


def _as_number(value: Any) -> float | None:
    """Finite numbers, bools and numpy scalars as float; anything else (NaN, infinity included) None."""
    if value is None or isinstance(value, (str, bytes)):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def json_safe(value: Any) -> Any:
    """A JSON-serializable copy (numpy scalars, tuples, sets and objects become plain)."""
    return json.loads(json.dumps(value, default=_fallback))


def _fallback(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return str(value)
