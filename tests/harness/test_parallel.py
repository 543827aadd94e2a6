"""EnvPool and ParallelRunner: envs per worker, broken envs replaced, bounded in-flight work."""

from __future__ import annotations

import threading
import time

import pytest

from harness.parallel import EnvPool, ParallelRunner
from tests.harness.tiny_env import TinyEnv


class Factory:
    def __init__(self, fail_first: int = 0) -> None:
        self.made: list[TinyEnv] = []
        self.fail_first = fail_first

    def __call__(self) -> TinyEnv:
        if self.fail_first:
            self.fail_first -= 1
            raise OSError("no more worker processes")
        self.made.append(TinyEnv())
        return self.made[-1]


def test_envs_are_made_on_demand_and_reused():
    factory = Factory()
    pool = EnvPool(factory, size=2)
    a = pool.borrow()
    b = pool.borrow()
    assert a is not b and len(factory.made) == 2
    pool.give_back(a)
    assert pool.borrow() is a and len(factory.made) == 2


def test_a_broken_env_is_closed_and_a_fresh_one_made_at_the_next_borrow():
    closed = []
    factory = Factory()
    pool = EnvPool(factory, size=1)
    env = pool.borrow()
    env.close = lambda: closed.append(env)
    pool.give_back(env, broken=True)
    assert closed == [env]
    fresh = pool.borrow()
    assert fresh is not env and len(factory.made) == 2


def test_a_failed_make_frees_its_slot():
    pool = EnvPool(Factory(fail_first=1), size=1)
    with pytest.raises(OSError, match="no more worker processes"):
        pool.borrow()
    assert isinstance(pool.borrow(), TinyEnv)  # would block forever if the slot were lost


def test_parallel_runner_yields_every_result_with_at_most_workers_in_flight():
    lock = threading.Lock()
    in_flight = peak = 0

    def work(item: int) -> int:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.01)
        with lock:
            in_flight -= 1
        return item * item

    results = list(ParallelRunner(work, workers=3).run(range(20)))
    assert sorted(results) == [i * i for i in range(20)]
    assert peak == 3


def test_stopping_early_starts_no_more_work():
    started = []

    def work(item: int) -> int:
        started.append(item)
        return item

    results = ParallelRunner(work, workers=2).run(range(100))
    next(results)
    results.close()
    assert len(started) <= 3


def test_a_freed_worker_starts_its_next_item_while_the_consumer_still_handles_the_last_result():
    """The consumer's work (a durable write, the selector's update) never keeps a worker idle."""
    started = [threading.Event() for _ in range(3)]

    def work(item: int) -> int:
        started[item].set()
        return item

    handled = []
    for result in ParallelRunner(work, workers=1).run(range(3)):
        if result + 1 < len(started):  # the next item was handed out before this result reached us
            assert started[result + 1].wait(timeout=10), f"item {result + 1} waited for result {result}'s consumer"
        handled.append(result)
    assert handled == [0, 1, 2]
