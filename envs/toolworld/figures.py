"""What each task's oracle does, measured by playing it: the source of difficulty and of the task table.

Playing every oracle takes minutes, so the figures of the listed variants are
stored in task_figures.json (`python -m envs.toolworld figures --write`) and
the oracle test checks them against a fresh play. Difficulty is computed from
the figures, never declared by a template's author (thresholds below).
"""

from __future__ import annotations

import ast
import json
import logging
import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from envs.toolworld.pages import PageRead, paged_apis

FIGURES_PATH = Path(__file__).with_name("task_figures.json")
SERVICE_APPS = ("api_docs", "supervisor")  # every task uses them: not counted as the task's apps
# difficulty points per figure: (figure, thresholds); a figure at or above the n-th threshold scores n points
POINTS = (("api_calls", (40, 70)), ("apps", (2, 3)), ("lines", (45, 70)), ("branches", (2, 5)))
DIFFICULTY_BY_POINTS = ((2, 1), (4, 2))  # at most 2 points: difficulty 1; at most 4: 2; more: 3
log = logging.getLogger(__name__)
_unmeasured: set[str] = set()  # scenarios already warned about
REMEASURE = "`python -m envs.toolworld figures --write`"


@dataclass(frozen=True)
class OracleFigures:
    api_calls: int  # every call, docs and supervisor included
    app_calls: int  # calls to the task's apps only
    unique_apis: int  # distinct APIs called, docs and supervisor included
    apps: tuple[str, ...]  # apps called, other than api_docs and supervisor
    lines: int  # non-blank, non-comment lines over all steps
    steps: int
    branches: int  # if statements, conditional expressions and comprehension filters
    tests: int
    paged: tuple[str, ...]  # "app.api" lists the oracle had to read past their first default page

    @property
    def difficulty(self) -> int:
        points = sum(sum(self._figure(name) >= t for t in thresholds) for name, thresholds in POINTS)
        return next((level for most, level in DIFFICULTY_BY_POINTS if points <= most), 3)

    def _figure(self, name: str) -> int:
        value = getattr(self, name)
        return len(value) if isinstance(value, tuple) else int(value)

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "apps": list(self.apps), "paged": list(self.paged)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OracleFigures:
        return cls(**{**data, "apps": tuple(data["apps"]), "paged": tuple(data["paged"])})


def figures_of(actions: Iterable[str], calls: Iterable[dict[str, Any]], tests: int) -> OracleFigures:
    """The figures of one played oracle: its step actions, its recorded API calls and its test count."""
    actions, calls = list(actions), list(calls)
    names = [f"{c['path'][0]}.{c['path'][1]}" for c in calls]
    apps = sorted({name.split(".")[0] for name in names} - set(SERVICE_APPS))
    return OracleFigures(
        api_calls=len(calls),
        app_calls=sum(name.split(".")[0] in apps for name in names),
        unique_apis=len(set(names)),
        apps=tuple(apps),
        lines=sum(code_lines(a) for a in actions),
        steps=len(actions),
        branches=sum(branches(a) for a in actions),
        tests=tests,
        paged=tuple(sorted(paged_apis(PageRead.from_record(c["page"]) for c in calls if "page" in c))),
    )


def code_lines(code: str) -> int:
    return sum(1 for line in code.splitlines() if line.strip() and not line.strip().startswith("#"))


def branches(code: str) -> int:
    nodes = list(ast.walk(ast.parse(code)))
    return sum(isinstance(n, (ast.If, ast.IfExp)) for n in nodes) + sum(
        len(n.ifs) for n in nodes if isinstance(n, ast.comprehension)
    )


@lru_cache(maxsize=1)
def stored() -> dict[str, OracleFigures]:
    if not FIGURES_PATH.is_file():
        return {}
    data = json.loads(FIGURES_PATH.read_text())
    return {task_id: OracleFigures.from_json(f) for task_id, f in data["tasks"].items()}


def difficulty_of(scenario: str, variant: int) -> int:
    """The task's difficulty from its stored figures; a variant not stored gets its scenario's median."""
    figures = stored()
    task = figures.get(f"{scenario}_{variant}")
    if task is not None:
        return task.difficulty
    levels = [f.difficulty for f in _of_scenario(scenario)]
    if not levels:
        if scenario not in _unmeasured:
            _unmeasured.add(scenario)
            log.warning("scenario %s has no measured oracle figures: difficulty 2 until %s", scenario, REMEASURE)
        return 2
    return int(statistics.median_low(levels))


def paged_by_oracle(scenario: str, variant: int) -> tuple[str, ...]:
    """The lists the task's oracle read past a first default page; for a variant not stored, any of its scenario's."""
    figures = stored()
    task = figures.get(f"{scenario}_{variant}")
    if task is not None:
        return task.paged
    return tuple(sorted({api for f in _of_scenario(scenario) for api in f.paged}))


def _of_scenario(scenario: str) -> list[OracleFigures]:
    return [f for task_id, f in stored().items() if task_id.rsplit("_", 1)[0] == scenario]


def write(figures: dict[str, OracleFigures], world_seed: int, path: Path = FIGURES_PATH) -> None:
    data = {"world_seed": world_seed, "tasks": {k: figures[k].as_json() for k in sorted(figures)}}
    path.write_text(json.dumps(data, indent=1) + "\n")
    stored.cache_clear()


def summarize(figures: Iterable[OracleFigures]) -> dict[str, float]:
    """The per-task means (and maxima) the task table reports, over `figures`."""
    found = list(figures)
    if not found:
        return {"tasks": 0}

    def mean(values: Iterable[float]) -> float:
        return round(statistics.fmean(values), 2)

    return {
        "tasks": len(found),
        "api_calls_mean": mean(f.api_calls for f in found),
        "api_calls_max": max(f.api_calls for f in found),
        "app_calls_mean": mean(f.app_calls for f in found),
        "lines_mean": mean(f.lines for f in found),
        "lines_max": max(f.lines for f in found),
        "steps_mean": mean(f.steps for f in found),
        "apps_mean": mean(len(f.apps) for f in found),
        "multi_app_share": mean(len(f.apps) >= 2 for f in found),
        "unique_apis_mean": mean(f.unique_apis for f in found),
        "tests_mean": mean(f.tests for f in found),
        "paged_share": mean(bool(f.paged) for f in found),
        **{f"difficulty_{d}": sum(f.difficulty == d for f in found) for d in (1, 2, 3)},
    }
