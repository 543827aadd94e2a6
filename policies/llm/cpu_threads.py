"""How many threads a CPU model should use: the cores free when it loads.

llama.cpp's threads spin-wait for each other, so a thread on a core that other
work holds stalls every token: on a busy machine one thread beats several (at
load 12-17 on 2 cores, 1 thread was 2-3x faster), while on an idle one all the
cores win (at load ~2, 2 threads gave 1.6x prompt and 1.5x generation speed).
"""

from __future__ import annotations

import os


def threads_for(cores: int, load_1min: float) -> int:
    """The cores not busy: `cores` minus the 1-minute load average, rounded, at least 1 and at most `cores`."""
    return max(1, min(cores, int(cores - load_1min + 0.5)))


def free_core_threads() -> int:
    """`threads_for` this process's usable cores (its CPU affinity) and the machine's load right now."""
    return threads_for(len(os.sched_getaffinity(0)), os.getloadavg()[0])
