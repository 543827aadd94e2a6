"""Disk a run's processes hold in files that no folder lists any more.

A file unlinked while open (or made with O_TMPFILE) keeps its blocks until
its last descriptor closes, and one mapped with mmap keeps them after the
descriptor closes, until the mapping goes. A walk of the step folder sees
neither, so the quota also sums, for every process of the run, the regular
files with no link left that the run made (a run writes only in its folder):
- /proc/<pid>/task/<tid>/fd: the open files of every thread (a thread made
  without CLONE_FILES has a descriptor table of its own), stat followed
  through the link, counted when on the step folder's filesystem;
- /proc/<pid>/maps lines naming a file of the step folder "(deleted)", stat
  through /proc/<pid>/map_files/<range>, which only root (CAP_SYS_ADMIN) may
  follow. Shared memory (memfd, SysV, anonymous shared mappings) is memory,
  held by the memory cgroup, and is not counted.

What cannot be read counts as unmeasured, and the quota treats it as over its
limit; only an env that is not root meets it: a process made non-dumpable
(prctl) hides its /proc entries, and map_files cannot be followed. Each file
counts once however many descriptors, mappings or processes hold it.

The run decides how much there is to read (thousands of threads, each
listing its descriptors; 65,530 mappings of a file a hundred folders deep,
843 MB of maps; forked a hundred times), so the files are read line by line,
only the unlinked files found are kept, and what is not read in the time
given counts as unmeasured too.
"""

from __future__ import annotations

import itertools
import os
import stat
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

DELETED = " (deleted)"


@dataclass(frozen=True)
class Held:
    """Unlinked files held by a run: their bytes on disk, their number, and why a part could not be measured."""

    used: int = 0
    files: int = 0
    unmeasured: str | None = None


class Unmeasurable(Exception):
    """Part of what a process holds could not be read."""


class _OutOfTime(Exception):
    """The time given to a measurement has passed."""


def held_unlinked(pids: Iterable[int], folder: str, device: int, time_limit_s: float) -> Held:
    """Bytes that the processes `pids` hold in files without a link left, made in `folder` (on `device`),
    read within `time_limit_s`."""
    deadline = time.monotonic() + time_limit_s
    seen: dict[tuple[int, int], int] = {}
    try:
        for pid in pids:
            for info in itertools.chain(_open_files(pid, device, deadline), _mapped_files(pid, folder, deadline)):
                if info.st_nlink == 0 and stat.S_ISREG(info.st_mode):
                    seen[info.st_dev, info.st_ino] = info.st_blocks * 512
    except Unmeasurable as err:
        return Held(sum(seen.values()), len(seen), str(err))
    except _OutOfTime:
        return Held(sum(seen.values()), len(seen), f"they hold more than can be read in {time_limit_s:g} s")
    return Held(sum(seen.values()), len(seen))


def _in_time(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise _OutOfTime


def _open_files(pid: int, device: int, deadline: float) -> Iterator[os.stat_result]:
    """What every thread of `pid` has open on `device` (links followed); nothing once the process is gone."""
    for tid in _listing(f"/proc/{pid}/task", pid):
        folder = f"/proc/{pid}/task/{tid}/fd"
        for fd in _listing(folder, pid):
            _in_time(deadline)
            info = _stat(f"{folder}/{fd}", pid)
            if info is not None and info.st_dev == device:
                yield info


def _mapped_files(pid: int, folder: str, deadline: float) -> Iterator[os.stat_result]:
    """The deleted files of `folder` that `pid` maps."""
    for address in _deleted_mappings(pid, folder, deadline):
        info = _stat(f"/proc/{pid}/map_files/{address}", pid)
        if info is not None:
            yield info


def _deleted_mappings(pid: int, folder: str, deadline: float) -> Iterator[str]:
    """Address ranges of `pid`'s mappings of deleted files that were in `folder`, read line by line.

    Matched by name, not by the device maps shows: on overlayfs that is the underlying filesystem's.
    """
    prefix, ending = folder.rstrip("/") + "/", DELETED + "\n"
    try:
        with open(f"/proc/{pid}/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                _in_time(deadline)
                if not line.endswith(ending):
                    continue
                fields = line.split(maxsplit=5)
                if len(fields) == 6 and fields[5].startswith(prefix):
                    yield fields[0]
    except (FileNotFoundError, ProcessLookupError):
        return
    except PermissionError as err:
        raise Unmeasurable(f"the memory map of process {pid} could not be read") from err


def _listing(folder: str, pid: int) -> list[str]:
    try:
        return os.listdir(folder)
    except (FileNotFoundError, ProcessLookupError):
        return []  # the process or thread ended meanwhile
    except PermissionError as err:
        raise Unmeasurable(f"the files of process {pid} could not be listed") from err


def _stat(path: str, pid: int) -> os.stat_result | None:
    try:
        return os.stat(path)
    except (FileNotFoundError, ProcessLookupError):
        return None  # closed or unmapped meanwhile
    except PermissionError as err:
        raise Unmeasurable(f"a file that process {pid} holds could not be measured") from err
