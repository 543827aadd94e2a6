"""What a run's processes hold unlinked, read within a budget that the run cannot stretch."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from envs.mle.held_files import ReadBudget, held_unlinked
from envs.mle.workdir_quota import COST_FACTOR, HELD_READ_BUDGET, MAX_INTERVAL_S, QuotaWatch

GENEROUS = ReadBudget(cpu_s=30.0, wall_s=60.0)

HOLDER = """
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, *[ctypes.c_int] * 3, ctypes.c_long]
fd = os.open('unlinked', os.O_CREAT | os.O_RDWR)
os.write(fd, b'x' * 65536)
os.unlink('unlinked')  # held open: counted, though no folder lists it
folder = os.path.join(*(letter * 250 for letter in 'abcdefgh'))
os.makedirs(folder)
mapped = os.open(os.path.join(folder, 'f'), os.O_CREAT | os.O_RDWR)
os.write(mapped, b'x' * 8192)
for i in range(int(sys.argv[1])):  # two offsets in turn: neighbouring mappings never merge
    assert libc.mmap(None, 4096, 1, 1, mapped, 4096 * (i % 2)) != 2**64 - 1, ctypes.get_errno()
print('ready', flush=True)
time.sleep(60)
"""


def holder(folder: Path, mappings: int) -> Iterator[int]:
    # stderr not inherited: pytest captures it in an unlinked temporary file, which would count too
    command = [sys.executable, "-c", HOLDER, str(mappings)]
    proc = subprocess.Popen(command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()


@pytest.fixture
def light(tmp_path: Path) -> Iterator[int]:
    yield from holder(tmp_path, 10)


@pytest.fixture
def heavy(tmp_path: Path) -> Iterator[int]:
    yield from holder(tmp_path, 60_000)  # about 0.5-1 s of CPU to read its maps


def test_a_file_held_open_after_unlinking_counts_once(light: int, tmp_path: Path) -> None:
    device = tmp_path.stat().st_dev
    held = held_unlinked([light, light], str(tmp_path), device, GENEROUS)
    assert held.unmeasured is None
    assert (held.files, held.used) == (1, 65536)


def test_reading_past_the_cpu_budget_counts_as_unmeasured(heavy: int, tmp_path: Path) -> None:
    device = tmp_path.stat().st_dev
    began = time.thread_time()
    held = held_unlinked([heavy] * 4, str(tmp_path), device, ReadBudget(cpu_s=0.05, wall_s=60.0))
    spent = time.thread_time() - began
    assert held.unmeasured == "they hold more than can be read in 0.05 s of CPU (60 s of time)"
    assert spent < 0.05 + 0.05, spent  # stopped at the budget, not after reading everything
    assert held_unlinked([heavy], str(tmp_path), device, GENEROUS).unmeasured is None


def test_reading_past_the_wall_time_budget_counts_as_unmeasured(light: int, tmp_path: Path) -> None:
    held = held_unlinked([light], str(tmp_path), tmp_path.stat().st_dev, ReadBudget(cpu_s=30.0, wall_s=0.0))
    assert held.unmeasured is not None and held.unmeasured.startswith("they hold more than can be read in")


def test_a_run_slow_to_read_cannot_put_the_next_measurement_far_off(heavy: int, tmp_path: Path) -> None:
    # with the interval set by a 1 s wall-time limit, a run just within it got 20 s between measurements,
    # and was stopped by its step's wall-time limit instead of the quota
    watch = QuotaWatch.start(tmp_path, 1024**3, 1000)
    watch.processes = lambda: [heavy] * 4
    assert watch.exceeded() == (
        f"disk quota exceeded (what its processes hold could not be measured: "
        f"they hold more than can be read in {HELD_READ_BUDGET})"
    )
    assert watch.interval_s() < COST_FACTOR * (HELD_READ_BUDGET.cpu_s + 0.05)


def test_a_run_of_many_files_cannot_put_the_next_measurement_far_off(tmp_path: Path) -> None:
    # 190,000 files cost 0.7 s of CPU to measure here, which put the next measurement 14 s off: time for a run
    # within MAX_ENTRIES to write ~13 GB past its quota before it is measured again
    watch = QuotaWatch.start(tmp_path, 1024**3, 200_000)
    for i in range(150_000):
        os.close(os.open(tmp_path / str(i), os.O_CREAT | os.O_WRONLY))
    began = time.thread_time()
    assert watch.exceeded() is None
    cost = time.thread_time() - began
    assert watch.interval_s() <= MAX_INTERVAL_S < COST_FACTOR * cost  # measuring them cost more than the cap


def test_a_read_the_kernel_keeps_waiting_leaves_the_reading_thread_not_the_caller(light: int, tmp_path: Path) -> None:
    # a process's maps are read under its memory map's lock, which a forking process holds: under a fork bomb of
    # 4,096 processes on 2 cores one measurement waited 105 s past its 2 s of time (a 3 s step took 106.6 s)
    released, waited = threading.Event(), threading.Event()

    def pids() -> Iterator[int]:
        yield light
        released.wait(30)  # stands for a read the kernel keeps waiting
        waited.set()
        yield light

    budget = ReadBudget(cpu_s=30.0, wall_s=0.1)
    try:
        held = held_unlinked(pids(), str(tmp_path), tmp_path.stat().st_dev, budget)
        assert not waited.is_set()  # returned while the read still waited (the previous code waited it out)
    finally:
        released.set()
    assert held.unmeasured == f"they hold more than can be read in {budget}"
