"""A disk quota for a solution run's folder, enforced by measuring it while the run goes on.

RLIMIT_FSIZE caps each file, not their number, so a script could fill the
disk with many files. No kernel quota works without root and a prepared
filesystem (and a tmpfs would keep the data in memory), so the run's folder is
measured at intervals (blocks actually used, links not followed, so sparse
files count what they take) and the run is killed when it passes the quota.
Between two measurements a script can write at most what the disk takes in
one interval (RLIMIT_FSIZE still bounds each file); the interval grows with
the time a measurement takes, so a folder of a million files cannot make the
measuring itself the cost.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

MIN_INTERVAL_S = 0.25
COST_FACTOR = 20  # measure at most 1/20th of the time


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


@dataclass
class QuotaWatch:
    """Measures one run's folder against its quota; `baseline` is what was there before the run."""

    root: Path
    max_bytes: int
    max_entries: int
    baseline: tuple[int, int, int] = (0, 0, 0)
    next_check: float = 0.0

    @classmethod
    def start(cls, root: Path, max_bytes: int, max_entries: int) -> QuotaWatch:
        return cls(root, max_bytes, max_entries, usage(root), time.monotonic() + MIN_INTERVAL_S)

    def interval_s(self) -> float:
        return max(0.0, self.next_check - time.monotonic())

    def exceeded(self) -> str | None:
        """None while the run is within its quota, else what it passed (in words for the agent)."""
        began = time.monotonic()
        used, entries, unreadable = usage(self.root)
        self.next_check = time.monotonic() + max(MIN_INTERVAL_S, COST_FACTOR * (time.monotonic() - began))
        used, entries = used - self.baseline[0], entries - self.baseline[1]
        if unreadable > self.baseline[2]:
            return "disk quota exceeded (a folder could not be measured: its path is too long or unreadable)"
        if used > self.max_bytes:
            mib = 1024**2
            return f"disk quota exceeded ({used / mib:.0f} MiB written, the limit is {self.max_bytes / mib:.0f} MiB)"
        if entries > self.max_entries:
            return f"disk quota exceeded ({entries:,} files and folders made, the limit is {self.max_entries:,})"
        return None
