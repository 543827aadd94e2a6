"""Each step runs the sandbox worker on the CPU the env's thread is on, unless told otherwise."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from envs.sandbox.colocation import CpuFollower, current_cpu
from envs.sandbox.limits import Limits
from envs.sandbox.session import SessionConfig, WorkerSession
from envs.toolworld.env import ToolWorldEnv

CPUS = sorted(os.sched_getaffinity(0))
needs_two_cpus = pytest.mark.skipif(len(CPUS) < 2, reason="needs two CPUs this process may run on")


def no_calls(path: list[str], args: list[Any], kwargs: dict[str, Any]) -> tuple[bool, Any, str]:
    return False, None, "no APIs here"


@pytest.fixture
def on_cpu() -> Iterator[Any]:
    """Pins this thread to one CPU for the test (as the scheduler might place it), then lets it go again."""
    before = os.sched_getaffinity(0)

    def pin(cpu: int) -> None:
        os.sched_setaffinity(0, {cpu})
        assert current_cpu() == cpu

    yield pin
    os.sched_setaffinity(0, before)


def worker_cpus(session: WorkerSession) -> set[int]:
    assert session.proc is not None
    return os.sched_getaffinity(session.proc.pid)


@needs_two_cpus
def test_the_worker_follows_the_env_from_cpu_to_cpu(on_cpu: Any) -> None:
    session = WorkerSession(SessionConfig(), spare=False)
    try:
        session.start()
        for cpu in (CPUS[0], CPUS[1], CPUS[0]):
            on_cpu(cpu)
            result = session.run("print('ran')", no_calls, timeout_s=10)
            assert result.output.strip() == "ran"
            assert worker_cpus(session) == {cpu}
        session.start()  # the next episode's worker follows too
        on_cpu(CPUS[1])
        session.run("x = 1", no_calls, timeout_s=10)
        assert worker_cpus(session) == {CPUS[1]}
    finally:
        session.close()


@needs_two_cpus
@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (SessionConfig(colocate=False), set(CPUS)),
        (SessionConfig(limits=Limits(cpu_seconds=None, memory_bytes=1024**3, cpu_affinity=(CPUS[1],))), {CPUS[1]}),
    ],
    ids=["switched-off", "limits-pin-the-worker"],
)
def test_the_worker_stays_where_it_was_put(on_cpu: Any, config: SessionConfig, expected: set[int]) -> None:
    session = WorkerSession(config, spare=False)
    try:
        session.start()
        on_cpu(CPUS[0])
        session.run("x = 1", no_calls, timeout_s=10)
        assert worker_cpus(session) == expected
    finally:
        session.close()


def test_a_worker_that_just_died_is_skipped_and_the_next_one_followed(on_cpu: Any) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()  # reaped: its pid names no process
    follower = CpuFollower()
    on_cpu(CPUS[0])
    follower.follow(gone)
    assert follower.enabled
    alive = subprocess.Popen(["sleep", "30"])
    try:
        follower.follow(alive)
        assert os.sched_getaffinity(alive.pid) == {CPUS[0]}
    finally:
        alive.kill()
        alive.wait()


@needs_two_cpus
def test_a_worker_let_go_before_its_kill_may_run_anywhere_again(on_cpu: Any) -> None:
    follower = CpuFollower()  # made before the pin: it gives back what this process may run on
    on_cpu(CPUS[0])
    pinned, other = subprocess.Popen(["sleep", "30"]), subprocess.Popen(["sleep", "30"])
    try:
        follower.follow(pinned)
        os.sched_setaffinity(other.pid, {CPUS[1]})
        follower.let_go(other)  # not the one it pinned: left as it is
        assert os.sched_getaffinity(other.pid) == {CPUS[1]}
        follower.let_go(pinned)
        assert os.sched_getaffinity(pinned.pid) == set(CPUS)
        follower.follow(pinned)  # pinned again when followed again
        assert os.sched_getaffinity(pinned.pid) == {CPUS[0]}
    finally:
        for process in (pinned, other):
            process.kill()
            process.wait()


@needs_two_cpus
@pytest.mark.parametrize("colocate", [True, False])
def test_toolworld_env_passes_its_choice_to_its_worker(on_cpu: Any, colocate: bool) -> None:
    env = ToolWorldEnv(split="train", colocate_worker=colocate, spare_worker=False)
    try:
        env.reset(options={"task_id": "phone_reply_latest_0"})
        on_cpu(CPUS[1])
        env.step("x = 1")
        assert env.worker is not None
        assert worker_cpus(env.worker) == ({CPUS[1]} if colocate else set(CPUS))
    finally:
        env.close()
