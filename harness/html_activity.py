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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.run import TRAJECTORY_DIR, trajectory_name
from harness.summary import rate_stat

Report = Mapping[str, Any]


def _patch_ran(report: Report) -> bool:
    return bool(report.get("fired")) and any("output" in a for a in report.get("attempts") or ())


def _cut(report: Report) -> bool:
    return bool(report.get("dropped_turns") or report.get("cut_output_chars"))


#: name -> (fired, changed) for the wrappers of wrappers/; either may be None (unknown).
RULES: dict[str, tuple[Callable[[Report], bool], Callable[[Report], bool] | None]] = {
    "correct": (lambda r: bool(r.get("fired")), _patch_ran),
    "summarize": (lambda r: bool(r.get("fired")), lambda r: bool(r.get("fired"))),
    "truncate": (_cut, _cut),
    "self_consistency": (lambda r: bool(r.get("samples")), lambda r: int(r.get("distinct") or 0) > 1),
    "self_debug": (lambda r: bool(r.get("debugged")), lambda r: bool(r.get("debugged"))),
    "self_reflection": (lambda r: bool(r.get("reflected")), lambda r: bool(r.get("reflected"))),
    "chaining": (lambda r: bool(r.get("planned")), None),
}


def step_reports(step: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every wrapper's report of one trajectory step, env and policy wrappers together."""
    reports: dict[str, dict[str, Any]] = {}
    for source in (step.get("info") or {}, step.get("policy") or {}):
        for name, report in (source.get("wrappers") or {}).items() if isinstance(source, Mapping) else ():
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
        trajectory = _read_trajectory(folder / trajectory_name(record["key"]))
        if trajectory is None or trajectory.get("key") != record["key"]:
            trajectory = {"key": record["key"], "steps": []}
        yield {**trajectory, "record": record}


def _read_trajectory(path: Path) -> dict[str, Any] | None:
    try:
        trajectory = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None  # missing, torn, foreign or nested past what json reads: the record still shows the episode
    return trajectory if isinstance(trajectory, dict) else None


def in_finish_order(records: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Records by `finished_at` (a stable sort: file order within the same second)."""
    return sorted(records, key=lambda r: str(r.get("finished_at") or ""))
