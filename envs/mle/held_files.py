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
only the unlinked files found are kept, and what is not read within a budget
counts as unmeasured too. The budget is CPU time of the reading thread, which
load does not inflate (a run's own processes take tens of milliseconds), with
a wall-time backstop for reads that wait rather than work. The kernel may keep
one read waiting: a process's maps are read under its memory map's lock, which
a forking process holds, and a fork bomb of 4,096 processes on 2 cores kept
reads waiting 1.0-1.4 s each (105 s in one measurement: a step limited to
3 s took 106.6 s). So the reading runs in a thread of its own, waited for
until the wall-time backstop only; a thread left waiting stops at its next
look at the clock, once the run it reads is killed.
"""

from __future__ import annotations

import itertools
import os
import stat
import threading
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
    cpu_s: float = 0.0  # of the thread that read it


class Unmeasurable(Exception):
    """Part of what a process holds could not be read."""


class _OutOfTime(Exception):
    """The budget given to a measurement is spent."""


@dataclass(frozen=True)
class ReadBudget:
    """How long reading may go on: `cpu_s` of the reading thread's CPU time, `wall_s` of time at most."""

    cpu_s: float
    wall_s: float

    def deadlines(self) -> _Deadlines:
        return _Deadlines(time.thread_time() + self.cpu_s, time.monotonic() + self.wall_s)

    def __str__(self) -> str:
        return f"{self.cpu_s:g} s of CPU ({self.wall_s:g} s of time)"


class _Deadlines:
    """When a read must stop, looked at on the first item and every CHECK_EVERY after: reading the thread's
    CPU clock is a system call, which on every line of a map made a measurement 40% slower."""

    CHECK_EVERY = 64

    def __init__(self, cpu: float, wall: float) -> None:
        self.cpu, self.wall, self.items = cpu, wall, 0

    def check(self) -> None:
        self.items += 1
        if self.items % self.CHECK_EVERY == 1 and (time.thread_time() > self.cpu or time.monotonic() > self.wall):
            raise _OutOfTime


#: how long past its wall-time budget a reading thread is waited for (it checks the time every CHECK_EVERY items)
JOIN_GRACE_S = 0.5


def held_unlinked(pids: Iterable[int], folder: str, device: int, budget: ReadBudget) -> Held:
    """Bytes that the processes `pids` hold in files without a link left, made in `folder` (on `device`),
    read within `budget` by a thread of its own: a read the kernel keeps waiting leaves it, not the caller."""
    found: list[Held | BaseException] = []
    reader = threading.Thread(target=_read_held, args=(pids, folder, device, budget, found), name="held-files")
    reader.daemon = True
    reader.start()
    reader.join(budget.wall_s + JOIN_GRACE_S)
    if not found:  # left waiting: its CPU time so far is unknown, at most the budget's
        return Held(unmeasured=f"they hold more than can be read in {budget}", cpu_s=budget.cpu_s)
    if isinstance(found[0], BaseException):
        raise found[0]
    return found[0]


def _read_held(
    pids: Iterable[int], folder: str, device: int, budget: ReadBudget, found: list[Held | BaseException]
) -> None:
    """The reading thread: puts what it read, with its CPU time, or what it raised, in `found`."""
    began = time.thread_time()
    try:
        held = _read_within(pids, folder, device, budget)
    except BaseException as err:  # raised again in the caller
        found.append(err)
        return
    found.append(Held(held.used, held.files, held.unmeasured, time.thread_time() - began))


def _read_within(pids: Iterable[int], folder: str, device: int, budget: ReadBudget) -> Held:
    deadlines = budget.deadlines()
    seen: dict[tuple[int, int], int] = {}
    try:
        for pid in pids:
            for info in itertools.chain(_open_files(pid, device, deadlines), _mapped_files(pid, folder, deadlines)):
                if info.st_nlink == 0 and stat.S_ISREG(info.st_mode):
                    seen[info.st_dev, info.st_ino] = info.st_blocks * 512
    except Unmeasurable as err:
        return Held(sum(seen.values()), len(seen), str(err))
    except _OutOfTime:
        return Held(sum(seen.values()), len(seen), f"they hold more than can be read in {budget}")
    return Held(sum(seen.values()), len(seen))


def _open_files(pid: int, device: int, deadlines: _Deadlines) -> Iterator[os.stat_result]:
    """What every thread of `pid` has open on `device` (links followed); nothing once the process is gone."""
    for tid in _listing(f"/proc/{pid}/task", pid):
        folder = f"/proc/{pid}/task/{tid}/fd"
        for fd in _listing(folder, pid):
            deadlines.check()
            info = _stat(f"{folder}/{fd}", pid)
            if info is not None and info.st_dev == device:
                yield info


def _mapped_files(pid: int, folder: str, deadlines: _Deadlines) -> Iterator[os.stat_result]:
    """The deleted files of `folder` that `pid` maps."""
    for address in _deleted_mappings(pid, folder, deadlines):
        info = _stat(f"/proc/{pid}/map_files/{address}", pid)
        if info is not None:
            yield info


def _deleted_mappings(pid: int, folder: str, deadlines: _Deadlines) -> Iterator[str]:
    """Address ranges of `pid`'s mappings of deleted files that were in `folder`, read line by line.

    Matched by name, not by the device maps shows: on overlayfs that is the underlying filesystem's.
    """
    prefix, ending = folder.rstrip("/") + "/", DELETED + "\n"
    try:
        with open(f"/proc/{pid}/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                deadlines.check()
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
