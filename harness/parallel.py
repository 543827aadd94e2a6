"""Episodes in parallel threads, each worker with its own env, one shared model.

Threads, not processes: the envs do their heavy work in their own
subprocesses (ToolWorld's worker, MLE's script runs) and the model is a
server or an embedded model with its own lock, so the GIL is not the
bottleneck and every worker can share one model client.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Generic, TypeVar

import gymnasium as gym

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


class EnvPool:
    """`size` envs made on demand; a worker borrows one for a whole episode.

    An env whose episode ended in an error is closed and a fresh one is made
    at the next borrow, so a crashed worker process or a half-done episode
    never leaks into the next episode. A failed make frees its slot again,
    so the pool never waits for an env that will not come.
    """

    def __init__(self, make_env: Callable[[], gym.Env], size: int) -> None:
        if size < 1:
            raise ValueError(f"workers must be >= 1, got {size}")
        self._make_env = make_env
        self._idle: queue.LifoQueue[gym.Env] = queue.LifoQueue()
        self._all: list[gym.Env] = []
        self._unmade = size
        self._lock = threading.Lock()

    def borrow(self) -> gym.Env:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            make = self._unmade > 0
            self._unmade -= int(make)
        if not make:
            return self._idle.get()
        try:
            env = self._make_env()
        except BaseException:
            with self._lock:
                self._unmade += 1
            raise
        with self._lock:
            self._all.append(env)
        return env

    def give_back(self, env: gym.Env, *, broken: bool = False) -> None:
        if not broken:
            self._idle.put(env)
            return
        close_quietly(env)
        self.drop(env)

    def drop(self, env: gym.Env) -> None:
        """Forget an env someone else is closing (a killed episode's); a fresh one is made at the next borrow."""
        with self._lock:
            self._all.remove(env)
            self._unmade += 1

    def close(self) -> None:
        for env in self._all:
            close_quietly(env)
        self._all.clear()


def close_quietly(env: gym.Env) -> None:
    try:
        env.close()
    except Exception as exc:  # noqa: BLE001 - closing must not mask the real outcome
        log.warning("closing env failed: %s", exc)


class ParallelRunner(Generic[T, R]):
    """Run `work(item)` for every item on `workers` threads; yield results as they finish.

    At most `workers` items are in flight, so stopping early (Ctrl-C, an
    exception in the consumer) leaves no queue of started-but-unwanted work.
    """

    def __init__(self, work: Callable[[T], R], workers: int) -> None:
        self.work = work
        self.workers = workers

    def run(self, items: Iterable[T]) -> Iterator[R]:
        pending_items = iter(items)
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="episode") as pool:
            in_flight: set[Future[R]] = set()
            try:
                self._top_up(pool, pending_items, in_flight)
                while in_flight:
                    done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                    for future in done:
                        yield future.result()
                    self._top_up(pool, pending_items, in_flight)
            finally:
                for future in in_flight:
                    future.cancel()

    def _top_up(self, pool: ThreadPoolExecutor, items: Iterator[T], in_flight: set[Future[R]]) -> None:
        while len(in_flight) < self.workers:
            item = next(items, None)
            if item is None:
                return
            in_flight.add(pool.submit(self.work, item))
