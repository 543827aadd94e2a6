"""Read the per-episode results of a sweep into a replay: shuffled by task, or in logged time order.

A sweep is any set of run directories, each with a `results.jsonl` of one JSON
object per finished episode. Only these fields are read: `task_id`, `reward`,
the wrapper `stack` (a list of names, a list of [name, settings] pairs or
{"name": ...} objects, or a "summarize+correct" string; `wrappers` is read
when `stack` is absent), and for a time-ordered replay `finished_at` or the
chosen order key. Errored episodes (`error` set or no reward) and torn lines
are skipped and counted, never guessed.

The arms keep a declared order, never a name sort: the order given (e.g. the
selector config's `arms`, so naive deploys the same "newest" stack offline as
online), else the order in which the stacks were first logged.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policies.selection.sources import OrderedReplay, ReplayArms

RESULTS_FILE = "results.jsonl"


FINISH_ORDER = "finish"  # `order` for the episodes' finish order
CONTEXT_FIELDS = ("split", "difficulty", "scenario")  # what a results line says about its task before it ran

Stack = tuple[str, ...]


@dataclass
class SweepLog:
    arms: ReplayArms | OrderedReplay
    episodes: int  # episodes used
    skipped: dict[str, int]  # reason -> count
    dropped_tasks: list[str]  # tasks that not every stack ran (shuffled replay)
    dropped_stacks: list[str] = field(default_factory=list)  # logged stacks that are not among the declared arms
    cut_episodes: int = 0  # episodes past the shortest stack's log (ordered replay)


@dataclass
class _Episode:
    stack: Stack
    task_id: str
    reward: float
    record: dict[str, Any]
    position: tuple[int, int]  # (file, line): the order of appending, which is the finish order within a run

    def finish_key(self) -> tuple[str, tuple[int, int]]:
        """Finish order: `finished_at` (ISO time, whole seconds) across runs, the order of lines within one."""
        finished = self.record.get("finished_at")
        return (finished if isinstance(finished, str) else "", self.position)


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


def label(stack: Stack) -> str:
    return "+".join(stack) if stack else "none"


def load_sweep(
    paths: Iterable[str | Path],
    arms: Sequence[Sequence[str]] | None = None,
    order: str | None = None,
    smooth: int = 50,
) -> SweepLog:
    """The sweep's episodes as a replay.

    `arms`: the stacks to replay, in their declared order (missing ones are an
    error, other logged stacks are dropped and listed); None: every logged
    stack, in the order they were first logged. `order`: None replays per-task
    rewards in a fresh random task order per pass (`ReplayArms`); "finish"
    replays each stack's episodes in the order they finished, any other value
    sorts them by that record field (ties in finish order) (`OrderedReplay`,
    `smooth` episodes per local mean).
    """
    episodes, skipped = _read_episodes(find_results(paths))
    by_stack: dict[Stack, list[_Episode]] = defaultdict(list)
    for episode in sorted(episodes, key=_Episode.finish_key):
        by_stack[episode.stack].append(episode)
    if arms is None:
        stacks = list(by_stack)  # first logged first (dicts keep insertion order)
    else:
        stacks = [tuple(arm) for arm in arms]
        missing = [label(s) for s in stacks if s not in by_stack]
        if missing:
            raise ValueError(
                f"declared arm(s) {missing} have no logged episodes; logged stacks: {[label(s) for s in by_stack]}"
            )
    if len(stacks) < 2:
        raise ValueError(f"a sweep needs results of at least 2 stacks, found {[list(s) for s in stacks]}")
    dropped_stacks = [label(s) for s in by_stack if s not in stacks]
    if order is None:
        return _shuffled(by_stack, stacks, skipped, dropped_stacks)
    return _ordered(by_stack, stacks, order, smooth, skipped, dropped_stacks)


def _read_episodes(files: list[Path]) -> tuple[list[_Episode], dict[str, int]]:
    episodes = []
    skipped: dict[str, int] = defaultdict(int)
    for index, file in enumerate(files):
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
            episodes.append(_Episode(stack, str(record["task_id"]), reward, record, (index, number)))
    return episodes, dict(skipped)


def _shuffled(
    by_stack: dict[Stack, list[_Episode]], stacks: list[Stack], skipped: dict[str, int], dropped_stacks: list[str]
) -> SweepLog:
    """Per (stack, task) rewards; tasks that some stack did not run are dropped."""
    rewards: dict[Stack, dict[str, list[float]]] = {s: defaultdict(list) for s in stacks}
    for stack in stacks:
        for episode in by_stack[stack]:
            rewards[stack][episode.task_id].append(episode.reward)
    all_tasks = set().union(*(set(by_task) for by_task in rewards.values()))
    shared = sorted(set.intersection(*(set(by_task) for by_task in rewards.values())))
    arms = ReplayArms(
        labels=[label(s) for s in stacks],
        tasks=shared,
        rewards=[{task: rewards[s][task] for task in shared} for s in stacks],
        contexts=_task_contexts(by_stack, stacks, shared),
    )
    used = sum(len(rewards[s][task]) for s in stacks for task in shared)
    return SweepLog(arms, used, skipped, sorted(all_tasks - set(shared)), dropped_stacks)


def _task_contexts(
    by_stack: dict[Stack, list[_Episode]], stacks: list[Stack], tasks: list[str]
) -> dict[str, dict[str, object]]:
    """What the log says about each task before it ran (the harness writes split, difficulty, scenario)."""
    contexts: dict[str, dict[str, object]] = {}
    wanted = set(tasks)
    for stack in stacks:
        for episode in by_stack[stack]:
            if episode.task_id in wanted and episode.task_id not in contexts:
                known = {key: episode.record.get(key) for key in CONTEXT_FIELDS}
                contexts[episode.task_id] = {key: value for key, value in known.items() if value is not None}
    return contexts


def _ordered(
    by_stack: dict[Stack, list[_Episode]],
    stacks: list[Stack],
    order: str,
    smooth: int,
    skipped: dict[str, int],
    dropped_stacks: list[str],
) -> SweepLog:
    """Each stack's episodes in finish order, or sorted by the record field `order` (stable: ties keep finish order)."""
    sequences = []
    for stack in stacks:
        episodes = by_stack[stack]
        if order != FINISH_ORDER:
            episodes = _sorted_by_field(episodes, order, stack)
        sequences.append([e.reward for e in episodes])
    replay = OrderedReplay([label(s) for s in stacks], sequences, smooth)
    logged = sum(len(seq) for seq in sequences)
    used = replay.length * len(stacks)
    return SweepLog(replay, used, skipped, [], dropped_stacks, cut_episodes=logged - used)


def _sorted_by_field(episodes: list[_Episode], key: str, stack: Stack) -> list[_Episode]:
    values = []
    for episode in episodes:
        value = episode.record.get(key)
        if value is None or isinstance(value, (dict, list)):
            raise ValueError(
                f"order key {key!r}: episode {episode.record.get('key', episode.task_id)!r} of stack {label(stack)} "
                f"has {'no' if value is None else 'an unsortable'} value ({value!r})"
            )
        values.append(value)
    if not (all(isinstance(v, str) for v in values) or all(isinstance(v, (int, float)) for v in values)):
        raise ValueError(f"order key {key!r} mixes strings and numbers in stack {label(stack)}; it cannot sort them")
    return [episodes[i] for i in sorted(range(len(episodes)), key=lambda i: values[i])]
