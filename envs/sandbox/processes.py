"""Starting and ending sandboxed process trees.

Every run starts its child in a new session, so one process-group kill
reaches all of its descendants. Children that ask for a parent-death signal
(privileges.die_with_parent, bwrap --die-with-parent) are started by
`spawn`, from one thread that lives as long as the process: the kernel sends
that signal when the *thread* that started the child exits, so a child
started from a short-lived thread (the harness runs each episode in its own)
would be killed when that episode's thread ends, not when the env does.

Used by the MLE runs, the ToolWorld worker session and the LLM server processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

_spawner: tuple[int, ThreadPoolExecutor] | None = None  # (pid that made it, its one thread)
_spawner_lock = threading.Lock()


def spawn(argv: list[str], **popen_args: Any) -> subprocess.Popen:
    """`subprocess.Popen(argv, **popen_args)`, started from the process's lasting spawner thread."""
    return _spawner_thread().submit(lambda: subprocess.Popen(argv, **popen_args)).result()


def _spawner_thread() -> ThreadPoolExecutor:
    global _spawner
    with _spawner_lock:
        if _spawner is None or _spawner[0] != os.getpid():  # a forked child has no copy of the thread
            _spawner = (os.getpid(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="sandbox-spawner"))
        return _spawner[1]


def kill_process_group(proc: subprocess.Popen, grace_s: float = 0.5) -> None:
    """SIGTERM the whole session of `proc`, then SIGKILL what is left of it; never raises.

    The SIGKILL goes to the group even when the leader has exited: a child that
    ignores SIGTERM would otherwise outlive the run.
    """
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            return  # nobody is left in the group
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            pass


def stat_fields(pid: int | str) -> list[bytes] | None:
    """The fields of /proc/<pid>/stat after the process's name (state, ppid, pgrp, session, ...), None once it is
    gone. Read as bytes and cut at the name's last ')': a process names itself, with any bytes and parentheses."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None


def nested_namespace_init(pid: int) -> bool:
    """Whether `pid` is PID 1 of a PID namespace nested below this process's (bwrap's init, for one); False
    once it is gone. /proc/<pid>/status lists its pid in each namespace from ours inwards (`NSpid:`)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"NSpid:"):
                    pids = line.split()[1:]
                    return len(pids) > 1 and pids[-1] == b"1"
    except OSError:
        pass
    return False


def session_members(session: int) -> list[int]:
    """Every process in `session` (a run's processes where no cgroup lists them: they cannot leave it)."""
    members = []
    for name in os.listdir("/proc"):
        fields = stat_fields(name) if name.isdigit() else None
        if fields is not None and int(fields[3]) == session:  # after the name: state, ppid, pgrp, session
            members.append(int(name))
    return members
