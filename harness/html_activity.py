"""What each wrapper of a stack did, read from the trajectories: how often it fired, how often it changed
what the agent saw or did, and how the episodes where it fired ended.

Wrappers report in their own words (`info["wrappers"][name]` for env wrappers, `step_info()["wrappers"][name]`
for policy wrappers, wrappers/info.py). The rules below read those words: `fired` is the wrapper stepping
in at all; `changed` is the step then differing from what would have happened without it (a patch ran
instead of the agent's code, the observation was cut or summarized, the vote had distinct candidates). A
wrapper without a rule counts as fired when its report says `fired`, and `changed` is unknown (None).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.run import TRAJECTORY_DIR, trajectory_name
from harness.summary import rate_stat

log = logging.getLogger(__name__)

Report = Mapping[str, Any]


def _patch_ran(report: Report) -> bool:
    attempts = report.get("attempts")
    return bool(report.get("fired")) and isinstance(attempts, list) and any(_has(a, "output") for a in attempts)


def _has(item: Any, key: str) -> bool:
    return isinstance(item, Mapping) and key in item


def _count(value: Any) -> int:
    """A count a wrapper reported, 0 when it is not a whole number (a report is read back from a file)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _cut(report: Report) -> bool:
    return bool(report.get("dropped_turns") or report.get("cut_output_chars"))


#: name -> (fired, changed) for the wrappers of wrappers/; either may be None (unknown).
RULES: dict[str, tuple[Callable[[Report], bool], Callable[[Report], bool] | None]] = {
    "correct": (lambda r: bool(r.get("fired")), _patch_ran),
    "summarize": (lambda r: bool(r.get("fired")), lambda r: bool(r.get("fired"))),
    "truncate": (_cut, _cut),
    "self_consistency": (lambda r: bool(r.get("samples")), lambda r: _count(r.get("distinct")) > 1),
    "self_debug": (lambda r: bool(r.get("debugged")), lambda r: bool(r.get("debugged"))),
    "self_reflection": (lambda r: bool(r.get("reflected")), lambda r: bool(r.get("reflected"))),
    "chaining": (lambda r: bool(r.get("planned")), None),
}


def step_reports(step: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every wrapper's report of one trajectory step, env and policy wrappers together."""
    reports: dict[str, dict[str, Any]] = {}
    for source in (step.get("info"), step.get("policy")):
        wrappers = source.get("wrappers") if isinstance(source, Mapping) else None
        for name, report in wrappers.items() if isinstance(wrappers, Mapping) else ():
            if isinstance(report, Mapping):
                reports[str(name)] = dict(report)
    return reports


def judge(name: str, report: Report) -> tuple[bool, bool | None]:
    """(fired, changed) of one wrapper's report of one step."""
    fired_rule, changed_rule = RULES.get(name, (lambda r: bool(r.get("fired")), None))
    fired = fired_rule(report)
    return fired, (None if changed_rule is None else fired and changed_rule(report))


def wrapper_activity(trajectories: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per wrapper seen in these trajectories (one stack's): steps, fired, changed, and success
    rates (with Wilson intervals) of the episodes where it fired at least once and where it never did."""
    rows: dict[str, dict[str, Any]] = {}
    for trajectory in trajectories:
        success = float(bool((trajectory.get("record") or {}).get("success")))
        fired_here: dict[str, bool] = {}
        for step in trajectory.get("steps") or ():
            for name, report in step_reports(step).items():
                row = rows.setdefault(name, {"wrapper": name, "steps": 0, "fired": 0, "changed": 0, "known": True})
                fired, changed = judge(name, report)
                row["steps"] += 1
                row["fired"] += fired
                row["changed"] += bool(changed)
                row["known"] &= changed is not None
                fired_here[name] = fired_here.get(name, False) or fired
        for name, fired in fired_here.items():
            rows[name].setdefault("outcomes", {True: [], False: []})[fired].append(success)
    result = []
    for row in rows.values():
        outcomes = row.pop("outcomes", {True: [], False: []})
        known = row.pop("known")
        result.append(
            {
                **row,
                "changed": row["changed"] if known else None,
                "episodes_fired": len(outcomes[True]),
                "success_when_fired": rate_stat(outcomes[True]),
                "success_when_not": rate_stat(outcomes[False]),
            }
        )
    return result


def load_trajectories(run_dir: Path, records: Sequence[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    """The run's trajectories in the order their episodes finished, each with its results line as `record`
    (an episode whose file is missing, unreadable or another episode's: the record alone, with no steps).

    One file is read at a time, as the caller goes: a report of 1,000 episodes of megabytes each held them
    all in memory at once (7.7 GB for 1,000 ToolWorld-sized episodes of 30 steps)."""
    folder = run_dir / TRAJECTORY_DIR
    for record in in_finish_order(records):
        path = folder / trajectory_name(record["key"])
        trajectory = _read_trajectory(path)
        problem = None if trajectory is None else shape_problem(trajectory)
        if problem is not None:
            log.warning("%s: %s; its episode is shown from its results line alone", path, problem)
        if trajectory is None or problem is not None or trajectory.get("key") != record["key"]:
            trajectory = {"key": record["key"], "steps": []}
        yield {**trajectory, "record": record}


def _read_trajectory(path: Path) -> dict[str, Any] | None:
    try:
        trajectory = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None  # missing, torn, foreign or nested past what json reads: the record still shows the episode
    return trajectory if isinstance(trajectory, dict) else None


def shape_problem(trajectory: Mapping[str, Any]) -> str | None:
    """What in a trajectory read back from disk is not of the shape the harness writes (None: nothing).

    Checked: what the harness itself writes (the task, the list of steps, each step's prompt); what envs and
    wrappers report (info, evaluation, wrapper reports) is read defensively instead. An edited or foreign file
    whose `task` was a string, `steps` a dict or a prompt's `added` a string ended report.md and report.html
    in an AttributeError or TypeError naming no file."""
    steps = trajectory.get("steps")
    checks: list[tuple[str, Any, type]] = [("task", trajectory.get("task"), Mapping), ("steps", steps, list)]
    for number, step in enumerate(steps if isinstance(steps, list) else (), start=1):
        checks.append((f"step {number}", step, Mapping))
        prompt = step.get("prompt") if isinstance(step, Mapping) else None
        checks.append((f"step {number} prompt", prompt, Mapping))
        if isinstance(prompt, Mapping):
            added = prompt.get("added")
            checks += [
                (f"step {number} prompt.added", added, list),
                (f"step {number} prompt.kept", prompt.get("kept"), int),
            ]
            checks += [
                (f"step {number} prompt message", m, Mapping) for m in (added if isinstance(added, list) else ())
            ]
    return next(filter(None, (_wrong(where, value, kind) for where, value, kind in checks)), None)


def _wrong(where: str, value: Any, kind: type) -> str | None:
    """Why `value` is neither null nor of `kind` (None when it is one of them)."""
    if value is None or (isinstance(value, kind) and not isinstance(value, bool)):
        return None
    names = {Mapping: "an object", list: "a list", int: "a whole number"}
    return f"{where} is a JSON {type(value).__name__}, not {names[kind]}"


def in_finish_order(records: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Records by `finished_at` (a stable sort: file order within the same second)."""
    return sorted(records, key=lambda r: str(r.get("finished_at") or ""))
