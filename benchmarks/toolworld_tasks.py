"""ToolWorld's tasks and world beside AppWorld's published figures, measured from the oracles.

Per-task figures come from playing every oracle in a real env (figures.py says
what is counted: calls include api_docs and supervisor, "app calls" do not);
world figures from the generated world and the API declarations. AppWorld's
figures are the published ones (../shared/REFERENCES.md).

Prints a markdown table and writes benchmarks/results/toolworld_tasks.json.
Run: .venv/bin/python benchmarks/toolworld_tasks.py [--stored]  (--stored: the figures in
envs/toolworld/task_figures.json instead of playing every oracle again)
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from envs.toolworld.apps import all_apps
from envs.toolworld.figures import OracleFigures, stored, summarize
from envs.toolworld.tasks import SPLITS, all_scenarios, task_metas
from envs.toolworld.world.build import DEFAULT_PEOPLE, template_bytes
from envs.toolworld.world.changes import tracked_tables

RESULTS = Path(__file__).parent / "results" / "toolworld_tasks.json"
SHOWN_SPLITS = ("test_normal", "test_challenge")  # issue 16's floors are measured on test_normal; AppWorld's
# test_challenge (unseen apps) is its harder split, so ours is shown beside it
APPWORLD = {
    "api_calls_mean": 42.5,
    "lines_mean": 41,
    "apps_mean": 1.5,
    "unique_apis_mean": 8.2,
    "tests_mean": 5.9,
    "apps": "9 + 2 helpers",
    "apis": 457,
    "parameters": 1470,
    "templates": 250,
    "variants": 3,
    "people": 106,
    "rows": 370_000,
    "tables": 101,
    "train": 105,
    "dev": 60,
    "test_normal": 168,
    "test_challenge": 417,
}
ROWS = (  # (label, key in the per-task summary, AppWorld's key)
    ("API calls, mean", "api_calls_mean", "api_calls_mean"),
    ("API calls, max", "api_calls_max", None),
    ("calls to the task's apps, mean", "app_calls_mean", None),
    ("solution lines, mean", "lines_mean", "lines_mean"),
    ("solution steps, mean", "steps_mean", None),
    ("apps used, mean", "apps_mean", "apps_mean"),
    ("tasks using 2+ apps", "multi_app_share", None),
    ("unique APIs, mean", "unique_apis_mean", "unique_apis_mean"),
    ("tests, mean", "tests_mean", "tests_mean"),
    ("tasks that must page through a list", "paged_share", None),
)


def world_figures(world_seed: int = 0) -> dict[str, Any]:
    apps = all_apps()
    conn = sqlite3.connect(":memory:")
    data = template_bytes(world_seed)
    conn.deserialize(data)
    tables = tracked_tables(conn)
    return {
        "apps": f"{len(apps) - 2} + 2 helpers",
        "apis": sum(len(a.apis) for a in apps.values()),
        "parameters": sum(len(s.all_params()) for a in apps.values() for s in a.apis.values()),
        "templates": len(all_scenarios()),
        "people": DEFAULT_PEOPLE,
        "rows": sum(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables),
        "tables": len(tables),
        "db_mb": round(len(data) / 2**20, 1),
        **{split: len(task_metas(split)) for split in SPLITS},
    }


def measured(use_stored: bool) -> dict[str, OracleFigures]:
    if use_stored:
        return stored()
    from envs.toolworld.measure import measure_all

    figures, failures = measure_all()
    for task_id, why in failures.items():
        print(f"WARNING: the oracle of {task_id} did not succeed: {why}")
    return figures


def table(per_split: dict[str, dict[str, Any]], world: dict[str, Any]) -> str:
    everything = per_split["all"]
    lines = [
        f"| per task | ToolWorld {' | ToolWorld '.join(SHOWN_SPLITS)} | ToolWorld all splits | AppWorld (published) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, key, theirs in ROWS:
        ours = " | ".join(_show(per_split[split].get(key)) for split in (*SHOWN_SPLITS, "all"))
        lines.append(f"| {label} | {ours} | {_show(APPWORLD.get(theirs or ''))} |")
    lines += ["", "| whole benchmark | ToolWorld | AppWorld (published) |", "| --- | ---: | ---: |"]
    for key in ("apps", "apis", "parameters", "templates", "people", "rows", "tables", *SPLITS):
        lines.append(f"| {key.replace('_', ' ')} | {_show(world[key])} | {_show(APPWORLD.get(key))} |")
    lines.append(f"| world DB size | {world['db_mb']} MB | - |")
    levels = ", ".join(f"{everything.get(f'difficulty_{d}', 0)} at {d}" for d in (1, 2, 3))
    lines += ["", f"Difficulty (computed from the oracle figures), all splits: {levels}."]
    return "\n".join(lines)


def _show(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and value <= 1 and not float(value).is_integer():
        return f"{value:.0%}"
    if isinstance(value, int) and value >= 1_000:
        return f"{value:,}"
    return str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stored", action="store_true", help="use envs/toolworld/task_figures.json")
    args = parser.parse_args()
    started = time.perf_counter()
    figures = measured(args.stored)
    per_split = {
        split: summarize(figures[m["task_id"]] for m in task_metas(split) if m["task_id"] in figures)
        for split in SPLITS
    }
    per_split["all"] = summarize(figures.values())
    world = world_figures()
    print(table(per_split, world))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "source": "stored figures" if args.stored else "every oracle played",
                "seconds": round(time.perf_counter() - started, 1),
                "load_average": [round(x, 2) for x in os.getloadavg()],
                "per_split": per_split,
                "world": world,
                "appworld": APPWORLD,
            },
            indent=1,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
