"""Run one episode with the plain Gymnasium loop and turn it into a record.

The loop is the one an RL user writes: `reset`, then `act` / `step` until
`terminated or truncated`. Any exception from the env, the policy or the
model ends the episode as an error record with its reason; it never
propagates, so one broken episode cannot take down a run. The agent's own
limits (a prompt past the context window) are not errors: they end the
episode as a failure that counts in the success rate.
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import gymnasium as gym

from envs.contract import TaskMeta
from harness.results import episode_key
from policies.base import Policy
from policies.llm.base import ContextLengthExceeded

MAX_REASON_CHARS = 2000

#: Exceptions that are the agent's own limits: the episode ends as a failure
#: that counts in the rates (with its reason in `failure`), not as an error.
AGENT_LIMITS: tuple[type[Exception], ...] = (ContextLengthExceeded,)


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
    """The episode ran past its wall-time budget (checked between steps)."""


@dataclass
class EpisodeResult:
    """What one episode produced: the results line and the trajectory file's content."""

    record: dict[str, Any]
    trajectory: dict[str, Any] = field(default_factory=dict)


def run_episode(
    env: gym.Env,
    policy: Policy,
    spec: EpisodeSpec,
    *,
    timeout_s: float | None = None,
) -> EpisodeResult:
    """Play `spec` to the end; the record has no cost fields (the caller adds them)."""
    started = time.monotonic()
    steps: list[dict[str, Any]] = []
    episode_return = 0.0
    terminated = truncated = False
    info: dict[str, Any] = {}
    stage = "reset"
    error = failure = None
    try:
        observation, info = env.reset(seed=spec.seed, options={"task_id": spec.task["task_id"]})
        policy.reset(seed=spec.seed)
        while not (terminated or truncated):
            stage = "act"
            action = policy.act(observation)
            stage = "step"
            observation, reward, terminated, truncated, info = env.step(action)
            episode_return += float(reward)
            steps.append(_step_entry(action, observation, float(reward), terminated, truncated, info, policy))
            if timeout_s is not None and time.monotonic() - started > timeout_s and not (terminated or truncated):
                stage = "timeout"
                raise EpisodeTimeout(f"episode exceeded {timeout_s:g} s after {len(steps)} steps")
    except AGENT_LIMITS as exc:
        failure = describe_error(exc, stage)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a record
        error = describe_error(exc, stage)
    wall_time_s = time.monotonic() - started
    record = _record(spec, episode_return, terminated, truncated, info, len(steps), wall_time_s, error)
    record["failure"] = _without_traceback(failure)
    trajectory = {**_trajectory(spec, steps, info, error), "failure": failure}
    return EpisodeResult(record=record, trajectory=trajectory)


def failed_episode(spec: EpisodeSpec, exc: Exception, stage: str) -> EpisodeResult:
    """The record of an episode that could not even start (e.g. its wrappers failed to build)."""
    error = describe_error(exc, stage)
    record = {**_record(spec, 0.0, False, False, {}, 0, 0.0, error), "failure": None}
    return EpisodeResult(record=record, trajectory=_trajectory(spec, [], {}, error))


def describe_error(exc: BaseException, stage: str) -> dict[str, str]:
    """Type, stage and reason of a failure; call inside the `except` (it keeps the traceback)."""
    return {
        "type": type(exc).__name__,
        "stage": stage,
        "reason": str(exc)[:MAX_REASON_CHARS] or type(exc).__name__,
        "traceback": traceback.format_exc(),
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
        "action": action,
        "output": history[-1]["output"] if history else "",
        "reward": float(reward),
        "terminated": bool(terminated),
        "truncated": bool(truncated),
        "info": json_safe(info),
        "policy": json_safe(policy.step_info()),
    }


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
    """Numbers, bools and numpy scalars as float; anything else None."""
    if value is None or isinstance(value, (str, bytes)):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def json_safe(value: Any) -> Any:
    """A JSON-serializable copy (numpy scalars, tuples, sets and objects become plain)."""
    return json.loads(json.dumps(value, default=_fallback))


def _fallback(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return str(value)
