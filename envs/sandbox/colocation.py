"""Keep a sandbox worker on the CPU its env runs on.

An env and its worker take turns: the env waits while the worker runs a
step, and the worker waits while the env answers its API calls. They never
run at once, so sharing one CPU costs no parallelism, while a worker the
scheduler placed on another CPU, gone idle meanwhile, must be woken there on
every turn. On this project's 2-core VM that made a one-call ToolWorld step
~1.3x and a whole oracle episode ~1.4x slower. The env moves between CPUs as
the scheduler likes, so each step re-pins the worker to the CPU the env's
thread is on at that moment (a system call only when that CPU changed), and
the env yields its CPU each time it has written to the worker (`hand_over`).
A worker about to be killed is unpinned first (`let_go`), so its exit runs
on whichever CPU is free rather than in the env's way.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable
from typing import Protocol


class Process(Protocol):
    @property
    def pid(self) -> int: ...


def _sched_getcpu() -> Callable[[], int] | None:
    """libc's sched_getcpu (glibc and musl have it), or None where this libc lacks it."""
    try:
        return ctypes.CDLL(None).sched_getcpu
    except (OSError, AttributeError):
        return None


_GETCPU = _sched_getcpu()


def current_cpu() -> int | None:
    """The CPU the calling thread runs on now, or None where that cannot be told."""
    if _GETCPU is None:
        return None
    cpu = _GETCPU()
    return cpu if cpu >= 0 else None


class CpuFollower:
    """Pins one worker process after another to the caller's current CPU. Gives up for good on the first
    refusal (a cpuset that excludes the CPU), leaving placement to the OS. Callers pass a worker they have
    just seen alive: its fork server reaps it before saying it exited, so its pid is no one else's yet."""

    def __init__(self) -> None:
        self.enabled = _GETCPU is not None
        self._pinned: tuple[int, int] | None = None  # (pid, cpu) of the last pin
        self._cpus = os.sched_getaffinity(0)  # where this process may run: what a let-go worker gets back

    def follow(self, worker: Process) -> None:
        if not self.enabled:
            return
        cpu = current_cpu()
        if cpu is None:
            return
        try:
            pid = worker.pid
            if self._pinned == (pid, cpu):
                return
            os.sched_setaffinity(pid, {cpu})
        except ProcessLookupError:
            return  # the worker has just died: the step finds out and a fresh one is started
        except OSError:
            self.enabled = False
            return
        self._pinned = (pid, cpu)

    def hand_over(self) -> None:
        """Give this CPU to the worker just written to, so it runs here now while the env stays runnable here.

        Its wake-up usually preempts the env at once. When it does not, the env goes to sleep on its read, and
        the worker's answer wakes it; the scheduler puts a woken task on an idle CPU, so the env lands on the
        other one, the next step pins the worker there, and it happens again: from then on every message wakes
        a CPU across the machine. On the 2-core VM every episode with spare_worker=False fell into this, and a
        one-call step took 0.44 ms instead of 0.22 ms (benchmarks/toolworld.py measures both)."""
        if self._pinned is not None:
            os.sched_yield()

    def let_go(self, worker: Process) -> None:
        """Unpin `worker` before it is killed (callers, as for `follow`, pass one not yet reported gone).

        A killed worker still runs its exit (its address space torn down, ~0.3 ms); pinned here, it did so on
        the env's CPU, and the SIGKILL's wake-up often preempted the env, so reset took 0.31-0.48 ms p50 in some
        processes and 0.17-0.19 ms in others on the 2-core VM. Unpinned, it exits on a free CPU if there is
        one: 0.17-0.19 ms in every process."""
        if self._pinned is None or self._pinned[0] != worker.pid:
            return
        self._pinned = None
        try:
            os.sched_setaffinity(worker.pid, self._cpus)
        except OSError:
            pass  # gone already, or this process's CPUs changed since: it exits wherever it is
