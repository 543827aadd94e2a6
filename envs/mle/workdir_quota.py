"""A disk quota for a solution run, enforced by measuring what it takes while it goes on.

RLIMIT_FSIZE caps each file, not their number, so a script could fill the
disk with many files. No kernel quota works without root and a prepared
filesystem (and a tmpfs would keep the data in memory), so what a run takes
is measured at intervals and the run is killed when it passes the quota:
- its folder (blocks actually used, links not followed, so sparse files count
  what they take);
- its stdout and stderr logs, which the env writes outside the folder;
- files its processes hold open or mapped after unlinking them, which no
  folder lists (held_files.py).
Between two measurements a run can take more than its quota, at the speed
its disk writes (seccomp refuses fallocate, which reserved gigabytes in
milliseconds: glibc's posix_fallocate then writes the blocks), for one
interval at most. The interval grows with the CPU time a measurement takes
(not its wall time, which load or a wait inflates), so that measuring a
folder of many files is not itself the cost, up to MAX_INTERVAL_S: a run
that made 190,000 files (0.7 s a measurement) put the next one 14 s off,
time to write ~13 GB past its quota on a 0.92 GB/s disk. What the run's
processes hold is read within a small CPU budget, so that a run cannot
stretch that part of a measurement either.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from envs.mle.held_files import ReadBudget, held_unlinked

MIN_INTERVAL_S = 0.25
COST_FACTOR = 20  # measure for at most 1/20th of the time (CPU time of the env's thread)...
#: ...but never wait longer than this: what a run may write past its quota is bounded by this times its disk's
#: speed. A run at MAX_ENTRIES (a measurement of ~0.75 s) makes the env measure for ~1/3 of a core's time.
MAX_INTERVAL_S = 2.0
#: what a run's processes hold (held_files.py) is read within this or counts as over the quota. The run decides
#: how long reading takes: a pandas/scikit-learn run with a pool of eight takes 23 ms of CPU, and a read just
#: within the budget puts the next measurement COST_FACTOR * 0.25 = 5 s later at most
HELD_READ_BUDGET = ReadBudget(cpu_s=0.25, wall_s=2.0)
MIB = 1024**2


def usage(root: Path) -> tuple[int, int, int]:
    """(bytes on disk, number of entries, folders that could not be read) under `root`, links not followed.

    A folder the env cannot list (a path past PATH_MAX, permissions taken away) could hide any
    amount of data, so it is counted, not skipped.
    """
    used, entries, unreadable = 0, 0, 0
    stack = [str(root)]
    while stack:
        try:
            with os.scandir(stack.pop()) as listing:
                for entry in listing:
                    entries += 1
                    try:
                        info = entry.stat(follow_symlinks=False)
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                    except FileNotFoundError:
                        continue  # removed while measured
                    except OSError:
                        unreadable += 1
                        continue
                    used += info.st_blocks * 512
        except FileNotFoundError:
            continue
        except OSError:
            unreadable += 1
    return used, entries, unreadable


def file_bytes(paths: Iterable[Path]) -> int:
    """Bytes on disk of these files; a missing one takes none."""
    used = 0
    for path in paths:
        try:
            used += path.stat().st_blocks * 512
        except FileNotFoundError:
            pass
    return used


def no_processes() -> list[int]:
    return []


@dataclass
class QuotaWatch:
    """Measures one run against its quota: its folder, its `logs`, and what its `processes` hold unlinked.

    `baseline` is what the folder held before the run; `processes` lists the run's processes
    (set once it has started).
    """

    root: Path
    max_bytes: int
    max_entries: int
    logs: tuple[Path, ...] = ()
    baseline: tuple[int, int, int] = (0, 0, 0)
    processes: Callable[[], Iterable[int]] = no_processes
    next_check: float = 0.0
    device: int = field(init=False)

    def __post_init__(self) -> None:
        self.device = os.stat(self.root).st_dev

    @classmethod
    def start(cls, root: Path, max_bytes: int, max_entries: int, logs: tuple[Path, ...] = ()) -> QuotaWatch:
        return cls(root, max_bytes, max_entries, logs, usage(root), next_check=time.monotonic() + MIN_INTERVAL_S)

    def interval_s(self) -> float:
        return max(0.0, self.next_check - time.monotonic())

    def exceeded(self) -> str | None:
        """None while the run is within its quota, else what it passed (in words for the agent)."""
        began = time.thread_time()
        folder, entries, unreadable = usage(self.root)
        logs = file_bytes(self.logs)
        held = held_unlinked(list(self.processes()), str(self.root), self.device, HELD_READ_BUDGET)
        cost = time.thread_time() - began + held.cpu_s  # the held files are read in a thread of their own
        self.next_check = time.monotonic() + min(MAX_INTERVAL_S, max(MIN_INTERVAL_S, COST_FACTOR * cost))
        folder, entries = folder - self.baseline[0], entries - self.baseline[1] + held.files
        if unreadable > self.baseline[2]:
            return "disk quota exceeded (a folder could not be measured: its path is too long or unreadable)"
        if held.unmeasured is not None:
            return f"disk quota exceeded (what its processes hold could not be measured: {held.unmeasured})"
        if folder + logs + held.used > self.max_bytes:
            written = _written(folder, logs, held.used)
            return f"disk quota exceeded ({written}, the limit is {self.max_bytes / MIB:.0f} MiB)"
        if entries > self.max_entries:
            return f"disk quota exceeded ({entries:,} files and folders made, the limit is {self.max_entries:,})"
        return None


def _written(folder: int, logs: int, held: int) -> str:
    """'N MiB written' and, when output or deleted files count, where those bytes are."""
    total = f"{(folder + logs + held) / MIB:.0f} MiB written"
    if not logs and not held:
        return total
    parts = [(folder, "in its folder"), (logs, "printed to stdout/stderr"), (held, "in deleted files it keeps open")]
    return f"{total} ({', '.join(f'{_amount(size)} {where}' for size, where in parts if size > 0)})"


def _amount(size: int) -> str:
    return f"{size / MIB:.0f} MiB" if size >= MIB else f"{size // 1024} KiB"
