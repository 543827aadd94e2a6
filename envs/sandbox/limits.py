"""Resource limits for agent code, shared by the ToolWorld worker and MLE runs.

Limits are applied in the child between fork and exec (`preexec_fn`), so the
parent (the env) never carries them. Everything is POSIX rlimits plus a new
session, so one `killpg` ends the whole process tree on timeout; no SIGALRM,
which only works on the main thread of the main interpreter.
"""

from __future__ import annotations

import os
import resource
from collections.abc import Callable
from dataclasses import dataclass

THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS")


@dataclass(frozen=True)
class Limits:
    """What one sandboxed process may use. None leaves a limit unset."""

    cpu_seconds: int | None = 60
    memory_bytes: int | None = 2 * 1024**3
    file_size_bytes: int | None = 256 * 1024**2
    max_processes: int | None = None
    open_files: int | None = 256
    threads: int = 1
    cpu_affinity: tuple[int, ...] | None = None

    def preexec(self) -> Callable[[], None]:
        """A function for subprocess.Popen(preexec_fn=...) that applies the limits."""

        def apply() -> None:
            os.setsid()
            _set(resource.RLIMIT_CPU, self.cpu_seconds, extra=1)
            _set(resource.RLIMIT_AS, self.memory_bytes)
            _set(resource.RLIMIT_FSIZE, self.file_size_bytes)
            _set(resource.RLIMIT_NOFILE, self.open_files)
            _set(resource.RLIMIT_CORE, 0)
            if self.max_processes is not None:
                _set(resource.RLIMIT_NPROC, self.max_processes)
            if self.cpu_affinity:
                os.sched_setaffinity(0, self.cpu_affinity)

        return apply

    def environment(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """Environment variables that cap BLAS/OpenMP threads."""
        env = dict(os.environ if base is None else base)
        for var in THREAD_VARS:
            env[var] = str(self.threads)
        return env


def _set(which: int, value: int | None, extra: int = 0) -> None:
    if value is None:
        return
    _, hard = resource.getrlimit(which)
    cap = value if hard == resource.RLIM_INFINITY else min(value, hard)
    hard_cap = cap + extra if hard == resource.RLIM_INFINITY else min(cap + extra, hard)
    resource.setrlimit(which, (cap, hard_cap))
