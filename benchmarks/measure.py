"""Measuring helpers shared by the benchmark scripts: timing, alternation, percentiles and resident memory."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def timed_ms(action: Callable[[], Any]) -> float:
    """Wall time of one call of `action`, in milliseconds."""
    began = time.perf_counter()
    action()
    return (time.perf_counter() - began) * 1000


def rotated(items: Sequence[Any], by: int) -> list[Any]:
    """`items` starting at index `by` (mod its length): round `by` of alternated measurements starts with the
    next setting, so a change in the machine's load hits every setting alike."""
    shift = by % len(items)
    return [*items[shift:], *items[:shift]]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def rss_kib(pid: int | str = "self") -> int:
    """Resident memory of one process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def interpreter_address(pid: int | str = "self") -> int | None:
    """Where the interpreter's code (libpython when the executable links it, else the executable) is mapped in
    process `pid`, from /proc; None when that cannot be read. Address-space randomization maps it apart in
    every exec'd process: two processes hold the same address when neither was randomized."""
    try:
        maps = Path(f"/proc/{pid}/maps").read_text().splitlines()
    except OSError:
        return None
    files = [(line.split()[0], line.split()[-1]) for line in maps if len(line.split()) == 6]
    for wanted in ("libpython", Path(sys.executable).resolve().name):
        for span, path in files:
            if wanted in Path(path).name:
                return int(span.split("-")[0], 16)
    return None


def tree_rss_kib(pid: int) -> int:
    """RSS of a process and all its descendants: under bubblewrap the worker's pid is bwrap's."""
    children: list[str] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += (task / "children").read_text().split()
    return rss_kib(pid) + sum(tree_rss_kib(int(child)) for child in children)


def rate_groups(rows: list[dict[str, Any]], by: Sequence[str], rate: str = "episodes_per_s") -> list[dict[str, Any]]:
    """Rows of alternated runs grouped by the fields `by` (one of them "workers"), in first-seen order. Each
    group: its field values, its `rows`, the median `rate` with its range, and `x_one_worker`, that median over
    the median of the group alike in every field but at one worker (None without such a group)."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row[field] for field in by), []).append(row)
    at = by.index("workers")
    result = []
    for key, group in groups.items():
        rates = [r[rate] for r in group]
        one = groups.get(key[:at] + (1,) + key[at + 1 :])
        median = statistics.median(rates)
        result.append(
            {
                **dict(zip(by, key, strict=True)),
                "rows": group,
                "median": median,
                "range": [min(rates), max(rates)],
                "x_one_worker": round(median / statistics.median(r[rate] for r in one), 2) if one else None,
            }
        )
    return result
