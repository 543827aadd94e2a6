"""One memory cgroup per sandboxed run: a memory cap for the whole process tree, and a list of every process in it.

RLIMIT_AS caps each process on its own, so a script that spreads its memory over
many children passes it; a memory cgroup counts the tree as one (children,
tmpfs files and page cache included) and the kernel's OOM killer ends the run
when it passes the cap. The group also lists every process the run started,
whatever session, process group or parent it moved to, so the end of a run can
kill them all.

Where a cgroup v1 pids hierarchy is mounted too, the run also gets a pids
group of at most MAX_TASKS processes and threads: RLIMIT_NPROC never binds
uid 0 (root is exempt with or without capabilities), so a run could otherwise
take every PID of the machine (32,768 here) until its wall-time limit, and
every other process, other episodes' runs among them, would fail to start.

Needs a writable cgroup v1 memory hierarchy (root, as in containers and CI).
cgroup v2 is not used: a process's own v2 group cannot hand the memory
controller to a child group while it holds processes itself. Where no group can
be made, `unavailable_reason()` says why and runs keep only the per-process limit.
"""

from __future__ import annotations

import atexit
import functools
import os
import signal
import threading
import time
import uuid
from pathlib import Path

from envs.sandbox.processes import stat_fields

V1_ROOT = Path("/sys/fs/cgroup/memory")
PIDS_ROOT = Path("/sys/fs/cgroup/pids")
#: processes and threads of one run together (a scikit-learn or joblib run holds tens)
MAX_TASKS = 4096
KILL_ROUNDS = 100  # a forking tree may add processes while it is being killed
PREFIX = "trainfree-"  # a group's name: PREFIX, the maker's pid namespace and pid, a random suffix
#: groups whose last processes were still exiting when their run ended, removed when the next group is made
_left_behind: set[Path] = set()
_left_lock = threading.Lock()


def _own_group(controller: str, root: Path) -> Path:
    """This process's cgroup folder in the v1 hierarchy of `controller`, mounted at `root`."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            folder = root / path.lstrip("/")
            return folder if folder.is_dir() else root
    raise OSError(f"no cgroup v1 {controller} controller is mounted at {root}")


@functools.lru_cache(maxsize=1)
def unavailable_reason() -> str | None:
    """None when a memory cgroup can be made for a run here, else why not (probed once)."""
    try:
        group = MemoryGroup.create(64 * 1024**2)
    except OSError as err:
        return f"no memory cgroup can be created ({err}); needs root and cgroup v1 memory at {V1_ROOT}"
    group.remove()
    return None


def tasks_capped() -> bool:
    """Whether runs' groups also cap their processes and threads (a cgroup v1 pids hierarchy is mounted)."""
    return PIDS_ROOT.is_dir()


class MemoryGroup:
    """A fresh memory cgroup with a limit, and a pids group of MAX_TASKS where the hierarchy is mounted;
    processes join them between fork and exec."""

    def __init__(self, folder: Path, limit_bytes: int, tasks_folder: Path | None = None):
        self.folder = folder
        self.limit_bytes = limit_bytes
        self.tasks_folder = tasks_folder
        self._procs = str(folder / "cgroup.procs")
        self._joins = [self._procs] + ([] if tasks_folder is None else [str(tasks_folder / "cgroup.procs")])

    @classmethod
    def create(cls, limit_bytes: int) -> MemoryGroup:
        remove_left_behind()
        end_orphaned()
        name = f"{_names_here()}{os.getpid()}-{uuid.uuid4().hex[:8]}"
        folder = _own_group("memory", V1_ROOT) / name
        folder.mkdir()
        try:
            (folder / "memory.limit_in_bytes").write_text(str(limit_bytes))
            swap = folder / "memory.memsw.limit_in_bytes"
            if swap.exists():  # memory + swap: without it a tree could swap past the cap
                swap.write_text(str(limit_bytes))
            tasks = _tasks_group(name) if tasks_capped() else None
        except OSError:
            folder.rmdir()
            raise
        return cls(folder, limit_bytes, tasks)

    def join(self) -> None:
        """Move the calling process into the groups (meant for preexec_fn: plain syscalls only)."""
        for procs in self._joins:
            fd = os.open(procs, os.O_WRONLY)
            try:
                os.write(fd, str(os.getpid()).encode())
            finally:
                os.close(fd)

    def pids(self) -> list[int]:
        try:
            return [int(p) for p in Path(self._procs).read_text().split()]
        except OSError:
            return []

    def out_of_memory(self) -> bool:
        """Whether the kernel killed a process of the group for passing the limit."""
        try:
            fields = dict(line.split() for line in (self.folder / "memory.oom_control").read_text().splitlines())
        except (OSError, ValueError):
            return False
        return int(fields.get("oom_kill", "0")) > 0

    def kill_all(self) -> None:
        """SIGKILL every process in the group, until none is left; reap those that are our own children.

        A child that escaped to this process (e.g. with CLONE_PARENT) would
        otherwise stay a zombie of the env for good.
        """
        ours: set[int] = set()
        for _ in range(KILL_ROUNDS):
            pids = self.pids()
            if not pids:
                break
            for pid in pids:
                if _parent(pid) == os.getpid():
                    ours.add(pid)
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.005)
        for pid in ours:
            _reap(pid)

    def remove(self) -> None:
        """Delete the groups (they must be empty: call kill_all first); never raises."""
        for folder in (self.folder, self.tasks_folder):
            if folder is not None:
                _remove(folder)


def _names_here() -> str:
    """How the names of the groups made by processes of this pid namespace begin: PREFIX and the namespace."""
    return f"{PREFIX}{os.stat('/proc/self/ns/pid').st_ino}-"


def _tasks_group(name: str) -> Path:
    """A pids group of MAX_TASKS processes and threads."""
    folder = _own_group("pids", PIDS_ROOT) / name
    folder.mkdir()
    try:
        (folder / "pids.max").write_text(str(MAX_TASKS))
    except OSError:
        folder.rmdir()
        raise
    return folder


def _remove(folder: Path) -> None:
    for _ in range(50):
        try:
            folder.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:  # processes still exiting
            time.sleep(0.01)
    with _left_lock:
        _left_behind.add(folder)


def remove_left_behind() -> None:
    """Remove the groups earlier runs left because their processes were still exiting (a fork bomb of
    4,096 processes on a loaded machine took longer than `_remove` waits): each run would otherwise leave
    one for good, and the kernel holds a limited number of memory cgroups."""
    with _left_lock:
        for folder in list(_left_behind):
            try:
                folder.rmdir()
            except FileNotFoundError:
                pass
            except OSError:
                continue  # still exiting: next time
            _left_behind.discard(folder)


atexit.register(remove_left_behind)  # and once more as the env's process ends


def end_orphaned() -> None:
    """Kill the processes of, and remove, the groups made by processes that are gone.

    An env process killed with SIGKILL removes nothing: its run's first process dies with it (parent-death
    signal), but the children that process started have no such signal and ran on under init, in groups
    that stayed for good. A group's name gives the pid of the process that made it and that pid's namespace
    (groups of processes this one cannot see are left alone); a pid in use again by another process keeps
    its groups until that one ends too.
    """
    here = _names_here()
    for folder in _own_group("memory", V1_ROOT).glob(f"{here}*-*"):
        maker = folder.name.removeprefix(here).split("-")[0]
        if not maker.isdigit() or Path(f"/proc/{maker}").exists():
            continue
        tasks = _own_group("pids", PIDS_ROOT) / folder.name if tasks_capped() else None
        group = MemoryGroup(folder, 0, tasks if tasks is not None and tasks.is_dir() else None)
        group.kill_all()
        group.remove()


def _parent(pid: int) -> int | None:
    fields = stat_fields(pid)
    return None if fields is None else int(fields[1])


def _reap(pid: int, wait_s: float = 2.0) -> None:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return  # reaped elsewhere (e.g. by its Popen)
        if done:
            return
        time.sleep(0.005)
