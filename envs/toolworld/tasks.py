"""Scenario templates, their variants as tasks, and the fixed splits.

A scenario is a function decorated with `@scenario(...)` in a module of
envs/toolworld/scenarios/. Given a read-only view of the world and a seeded
`random.Random`, it returns a `TaskSpec`: the supervisor, the instruction, an
oracle solution (code through the APIs) and the expectations the evaluator
checks. Variant `v` of scenario `s` is task `s_v`, built with the generator
seeded by (world seed, s, v): any variant number works, so tasks are unbounded.

Splits: a scenario that uses a held-out app (HELD_OUT_APPS) is test_challenge;
any other goes where it says, or by a stable hash of its name to
train / dev / test_normal.
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
import random
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from envs.toolworld.evaluate import Expectation
from envs.toolworld.figures import difficulty_of
from envs.toolworld.world.build import open_copy, template_bytes

SPLITS = ("train", "dev", "test_normal", "test_challenge")
HELD_OUT_APPS = ("notes", "calendar", "todo")  # test_challenge: apps no train task uses
HASHED_SPLITS = (("train", 0.31), ("dev", 0.16), ("test_normal", 0.53))  # of the templates outside test_challenge


@dataclass(frozen=True)
class TaskSpec:
    """What a scenario returns for one variant."""

    supervisor_id: int
    instruction: str
    oracle: str | list[str]
    expectations: list[Expectation]
    expected_status: str = "success"
    noop_pass: bool = False  # the right answer is to change nothing (a condition the world does not meet); it
    # still asks a question whose answer only the world gives, so that doing nothing does not pass


@dataclass(frozen=True)
class Scenario:
    name: str
    apps: tuple[str, ...]
    build: Callable[[WorldView, random.Random], TaskSpec]
    split: str


@dataclass(frozen=True)
class Task:
    task_id: str
    scenario: str
    variant: int
    split: str
    difficulty: int
    apps: tuple[str, ...]
    spec: TaskSpec
    fallbacks: tuple[str, ...] = ()  # 'wanted -> taken' for each setting this world could not meet (see note_fallback)

    def meta(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "split": self.split,
            "difficulty": self.difficulty,
            "scenario": self.scenario,
            "apps": list(self.apps),
        }


_REGISTRY: dict[str, Scenario] = {}


def scenario(name: str, apps: tuple[str, ...], difficulty: int | None = None, split: str | None = None):
    """Declare a scenario template; `name` is the stable prefix of its task ids.

    Difficulty is measured from the oracle (figures.py); `difficulty` is accepted and ignored
    until the templates that still pass it are rewritten."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*[a-z]", name):
        raise ValueError(f"scenario name {name!r} must be snake_case ending in a letter (task ids append _<variant>)")
    held = [a for a in apps if a in HELD_OUT_APPS]
    if held and split not in (None, "test_challenge"):
        raise ValueError(f"scenario {name} uses held-out app {held[0]!r}: it can only be in test_challenge")
    if split is not None and split not in SPLITS:
        raise ValueError(f"scenario {name}: unknown split {split!r}; splits: {SPLITS}")

    def register(fn: Callable[[WorldView, random.Random], TaskSpec]):
        if name in _REGISTRY:
            raise ValueError(f"scenario {name!r} declared twice")
        _REGISTRY[name] = Scenario(name, tuple(apps), fn, "test_challenge" if held else split or _hashed_split(name))
        return fn

    return register


def _hashed_split(name: str) -> str:
    point = int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) / 16**8
    for split, share in HASHED_SPLITS:
        if point < share:
            return split
        point -= share
    return HASHED_SPLITS[-1][0]


@lru_cache(maxsize=1)
def all_scenarios() -> dict[str, Scenario]:
    from envs.toolworld import scenarios as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{package.__name__}.{info.name}")
    return dict(sorted(_REGISTRY.items()))


class VariantRandom(random.Random):
    """The generator a scenario gets: seeded by (world, scenario, variant), and able to pick
    rows that differ between variants of the same scenario (while the pool is large enough)."""

    def __init__(self, world_seed: int, scenario_name: str, variant: int):
        super().__init__(f"{world_seed}:{scenario_name}:{variant}")
        self.variant = variant
        self._order_seed = f"{world_seed}:{scenario_name}:order"

    def distinct(self, rows: list[Any], usable: Callable[[Any], bool] = lambda row: True) -> Any:
        """This variant's row of `rows`; one that is not `usable` is passed over for the next in the order (the
        pool keeps its size, so the rows other variants got stay theirs)."""
        order = list(rows)
        random.Random(f"{self._order_seed}:{len(order)}").shuffle(order)
        for step in range(len(order)):
            row = order[(self.variant + step) % len(order)]
            if usable(row):
                return row
        raise LookupError("no row of the pool is usable")


class WorldView:
    """Read-only queries on a world, for scenario builders."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def rows(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql, args)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def row(self, sql: str, *args: Any) -> dict[str, Any]:
        found = self.rows(sql, *args)
        if not found:
            raise LookupError(f"no row for {sql!r} {args}")
        return found[0]

    def value(self, sql: str, *args: Any) -> Any:
        return next(iter(self.row(sql, *args).values()))

    def person(self, person_id: int) -> dict[str, Any]:
        return self.row("SELECT * FROM people WHERE id = ?", person_id)

    def people_ids(self) -> list[int]:
        return [r["id"] for r in self.rows("SELECT id FROM people ORDER BY id")]


_views: dict[int, WorldView] = {}
_views_lock = threading.Lock()


def world_view(world_seed: int) -> WorldView:
    with _views_lock:
        if world_seed not in _views:
            _views[world_seed] = WorldView(open_copy(template_bytes(world_seed)))
        return _views[world_seed]


def parse_task_id(task_id: str) -> tuple[Scenario, int]:
    match = re.fullmatch(r"(.+)_(\d+)", task_id) if isinstance(task_id, str) else None
    scenarios = all_scenarios()
    if not match or match.group(1) not in scenarios:
        raise ValueError(
            f"unknown task id {task_id!r}: expected <scenario>_<variant> with a scenario from {list(scenarios)[:8]}..."
        )
    return scenarios[match.group(1)], int(match.group(2))


_tasks: dict[tuple[int, str], Task] = {}
_fallbacks: ContextVar[list[str] | None] = ContextVar("toolworld_fallbacks", default=None)


def note_fallback(wanted: Any, taken: Any) -> None:
    """Record on the task being built that its world had no rows for setting `wanted` and `taken` was used: world 0
    meets every template's first setting, so a task of another world that fell back is shallower than its figures
    (measured on world 0) say, and its reset info and the variants sweep say so."""
    noted = _fallbacks.get()
    if noted is not None:
        noted.append(f"{wanted!r} -> {taken!r}")


@contextmanager
def _recording_fallbacks() -> Iterator[list[str]]:
    noted: list[str] = []
    token = _fallbacks.set(noted)
    try:
        yield noted
    finally:
        _fallbacks.reset(token)


def load_task(task_id: str, world_seed: int = 0) -> Task:
    """Build (once per process) the task `task_id` of the world `world_seed`."""
    key = (world_seed, task_id)
    if key not in _tasks:
        sc, variant = parse_task_id(task_id)
        view = world_view(world_seed)
        with _views_lock, _recording_fallbacks() as fallbacks:  # one shared read-only connection: serialize its use
            spec = sc.build(view, VariantRandom(world_seed, sc.name, variant))
        difficulty = difficulty_of(sc.name, variant)
        _tasks[key] = Task(task_id, sc.name, variant, sc.split, difficulty, sc.apps, spec, tuple(fallbacks))
    return _tasks[key]


def task_metas(split: str, variants: int = 3) -> list[dict[str, Any]]:
    """The TaskMeta of every task of a split, without building any task (no world needed)."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; splits: {SPLITS}")
    return [
        {
            "task_id": f"{s.name}_{v}",
            "split": s.split,
            "difficulty": difficulty_of(s.name, v),
            "scenario": s.name,
            "apps": list(s.apps),
        }
        for s in all_scenarios().values()
        if s.split == split
        for v in range(variants)
    ]


def list_tasks(split: str, variants: int = 3, world_seed: int = 0) -> list[Task]:
    """Every task of a split, built (instruction, oracle, expectations)."""
    return [load_task(meta["task_id"], world_seed) for meta in task_metas(split, variants)]
