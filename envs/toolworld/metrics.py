"""TGC and SGC over finished episodes, as AppWorld reports them.

TGC (task goal completion): share of tasks whose tests all passed.
SGC (scenario goal completion): share of scenarios all of whose tasks passed.
Input: (task_id, scenario, success) per task; a task seen twice counts once
(its last result).
"""

from __future__ import annotations

from collections.abc import Iterable


def _latest(results: Iterable[tuple[str, str, bool]]) -> dict[str, tuple[str, bool]]:
    return {task_id: (scenario, bool(success)) for task_id, scenario, success in results}


def tgc(results: Iterable[tuple[str, str, bool]]) -> float:
    latest = _latest(results)
    if not latest:
        raise ValueError("tgc of no tasks is undefined")
    return 100.0 * sum(ok for _, ok in latest.values()) / len(latest)


def sgc(results: Iterable[tuple[str, str, bool]]) -> float:
    by_scenario: dict[str, bool] = {}
    for scenario, ok in _latest(results).values():
        by_scenario[scenario] = by_scenario.get(scenario, True) and ok
    if not by_scenario:
        raise ValueError("sgc of no scenarios is undefined")
    return 100.0 * sum(by_scenario.values()) / len(by_scenario)
