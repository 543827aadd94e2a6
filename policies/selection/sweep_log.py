"""Read the per-episode results of a sweep into a replayable `ReplayArms`.

A sweep is any set of run directories, each with a `results.jsonl` of one JSON
object per finished episode. Only three fields are read: `task_id`, `reward`
and the wrapper `stack` (a list of names, a list of [name, settings] pairs or
{"name": ...} objects, or a "summarize+correct" string; `wrappers` is read
when `stack` is absent). Errored episodes (`error` set or no reward) and torn
lines are skipped and counted, never guessed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policies.selection.sources import ReplayArms

RESULTS_FILE = "results.jsonl"


@dataclass
class SweepLog:
    arms: ReplayArms
    episodes: int  # episodes used
    skipped: dict[str, int]  # reason -> count
    dropped_tasks: list[str]  # tasks that not every stack ran


def _stack_names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        text = value.strip().strip("[]")
        if text in ("", "none"):
            return ()
        return tuple(part.strip().strip("'\"") for part in text.replace(",", "+").split("+") if part.strip())
    if isinstance(value, dict):
        return tuple(str(name) for name in value)
    names = []
    for item in value:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and "name" in item:
            names.append(str(item["name"]))
        elif isinstance(item, (list, tuple)) and item and isinstance(item[0], str):
            names.append(item[0])
        else:
            raise ValueError(f"cannot read a wrapper name from {item!r}")
    return tuple(names)


def find_results(paths: Iterable[str | Path]) -> list[Path]:
    """Every results.jsonl under the given run or sweep directories (or the files themselves)."""
    found = []
    for path in map(Path, paths):
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(sorted(path.rglob(RESULTS_FILE)))
        else:
            raise ValueError(f"no such run or sweep directory: {path}")
    if not found:
        raise ValueError(f"no {RESULTS_FILE} under {[str(p) for p in paths]}")
    return found


def load_sweep(paths: Iterable[str | Path]) -> SweepLog:
    """Per (stack, task) rewards of all runs; tasks that some stack did not run are dropped."""
    rewards: dict[tuple[str, ...], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    skipped: dict[str, int] = defaultdict(int)
    for file in find_results(paths):
        for number, line in enumerate(file.read_text(errors="replace").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                skipped["unreadable line"] += 1
                continue
            if not isinstance(record, dict) or "task_id" not in record:
                skipped["no task_id"] += 1
                continue
            if record.get("error") or record.get("reward") is None:
                skipped["errored episode"] += 1
                continue
            reward = float(record["reward"])
            if not 0.0 <= reward <= 1.0:
                raise ValueError(f"{file}:{number}: reward {reward} is outside [0, 1]; bandits need rewards in [0, 1]")
            try:
                stack = _stack_names(record.get("stack", record.get("wrappers")))
            except ValueError as err:
                raise ValueError(f"{file}:{number}: {err}") from None
            rewards[stack][str(record["task_id"])].append(reward)
    if len(rewards) < 2:
        raise ValueError(f"a sweep needs results of at least 2 stacks, found {[list(s) for s in rewards]}")
    stacks = sorted(rewards)
    all_tasks = set().union(*(set(by_task) for by_task in rewards.values()))
    shared = sorted(set.intersection(*(set(by_task) for by_task in rewards.values())))
    arms = ReplayArms(
        labels=["+".join(s) if s else "none" for s in stacks],
        tasks=shared,
        rewards=[{task: rewards[s][task] for task in shared} for s in stacks],
    )
    used = sum(len(rewards[s][task]) for s in stacks for task in shared)
    return SweepLog(arms=arms, episodes=used, skipped=dict(skipped), dropped_tasks=sorted(all_tasks - set(shared)))
