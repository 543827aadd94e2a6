"""Episodes in parallel: threads sharing one model (`ParallelRunner`), or forked processes (`ProcessRunner`).

Threads suit a slow model: the envs do their heavy work in their own
subprocesses (ToolWorld's worker, MLE's script runs), the model is a server
or an embedded model with its own lock, and every worker shares one client.
With an instant policy (oracle, replay) the env-side work in the harness
(API calls, SQLite, observations, grading: ~30 ms of CPU per ToolWorld
episode) holds the GIL, so threads cannot use a second core; processes can.
Each process is forked from the run, so it inherits what the run already
built (the task list, the policy factory) and makes its own env and model
client. A process that dies takes only its episode with it: `lost` turns
that episode into a record and a fresh process takes the next one.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_for_any
from multiprocessing.process import BaseProcess
from typing import Any, Generic, TypeVar

import gymnasium as gym

from envs.sandbox.privileges import die_with_parent

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
    A freed worker gets its next item before the finished one's result is
    yielded: the consumer's work (a durable write, the selector's update)
    never keeps it idle.
    """

    def __init__(self, work: Callable[[T], R], workers: int) -> None:
        self.work = work
        self.workers = workers

    def run(self, items: Iterable[T]) -> Generator[R, None, None]:
        pending_items = iter(items)
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="episode") as pool:
            in_flight: set[Future[R]] = set()
            try:
                self._top_up(pool, pending_items, in_flight)
                while in_flight:
                    done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                    self._top_up(pool, pending_items, in_flight)
                    for future in done:
                        yield future.result()
            finally:
                for future in in_flight:
                    future.cancel()

    def _top_up(self, pool: ThreadPoolExecutor, items: Iterator[T], in_flight: set[Future[R]]) -> None:
        while len(in_flight) < self.workers:
            item = next(items, None)
            if item is None:
                return
            in_flight.add(pool.submit(self.work, item))


#: Seconds a worker process gets to close its env after being asked to stop, then after SIGTERM, before SIGKILL.
STOP_GRACE_S = 5.0

_STOP = None  # what the parent sends a worker process when there is no more work


@dataclass(frozen=True)
class WorkFailed:
    """Why a worker process gave no result for an item: it died, its `work` raised, or it could not start.

    `started`: whether the item's work may have begun (False only when the process could not even set up,
    e.g. its env or model client failed to start), so the caller can tell an infrastructure failure apart.
    """

    reason: str
    started: bool = True


class _Slot:
    """One worker process, its end of the pipe and the item it is working on."""

    def __init__(self, process: BaseProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self.item: Any = None
        self.busy = False


class ProcessRunner(Generic[T, R]):
    """Run items on `workers` forked processes; yield results as they finish, like `ParallelRunner`.

    `setup` runs once in each process, as a context manager giving the process's `work` function (its
    own env, its own model client) and closing them when the process stops. Processes are forked, so
    only items and results cross the pipe, pickled (an item is never None: None tells a process to stop).
    `lost(item, failure)` is the result of an item whose process died, whose `work` raised or whose
    process could not set up. A freed process gets its next item before the finished one's result is
    yielded, so the consumer's work (a durable write, the selector's update) never keeps it idle; `seen`
    (optional) is called with each result first, before the next item is drawn. Leaving the iterator early
    (Ctrl-C, an exception in the consumer) stops every process: asked, then SIGTERM, then SIGKILL; a process
    whose run dies is killed by the kernel (parent-death signal).
    """

    def __init__(
        self,
        setup: Callable[[], AbstractContextManager[Callable[[T], R]]],
        workers: int,
        lost: Callable[[T, WorkFailed], R],
        seen: Callable[[R], None] = lambda _result: None,
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self.setup = setup
        self.workers = workers
        self.lost = lost
        self.seen = seen
        self._context = multiprocessing.get_context("fork")

    def run(self, items: Iterable[T]) -> Generator[R, None, None]:
        pending = iter(items)
        slots: list[_Slot] = []
        try:
            self._start_for(pending, slots)
            while busy := [slot for slot in slots if slot.busy]:
                ready = set(wait_for_any([s.conn for s in busy] + [s.process.sentinel for s in busy]))
                for index, slot in enumerate(slots):
                    if slot.busy and ready & {slot.conn, slot.process.sentinel}:
                        result, slots[index] = self._collect(slot)
                        self.seen(result)
                        self._give_next(slots[index], pending)
                        yield result
        finally:
            _stop_all(slots)

    def _start_for(self, pending: Iterator[T], slots: list[_Slot]) -> None:
        """Start a process for each of the first `workers` items, each given its item: only as many as there
        are items, as each builds an env and a model client (workers=1000000 for one episode forked until the
        machine ran out of processes)."""
        while len(slots) < self.workers:
            item = next(pending, _STOP)
            if item is _STOP:
                return
            slots.append(self._start())
            self._send(slots[-1], item)

    def _start(self) -> _Slot:
        parent_end, child_end = self._context.Pipe()
        process = self._context.Process(
            target=_serve, args=(self.setup, child_end, os.getpid()), name="episode-worker", daemon=True
        )
        process.start()
        child_end.close()
        return _Slot(process, parent_end)

    def _give_next(self, slot: _Slot, pending: Iterator[T]) -> None:
        """Send the slot the next item, if any (the slot is then busy even if its process died idle:
        its death is collected like any other)."""
        item = next(pending, _STOP)
        if item is not _STOP:
            self._send(slot, item)

    @staticmethod
    def _send(slot: _Slot, item: Any) -> None:
        slot.item, slot.busy = item, True
        with contextlib.suppress(OSError):
            slot.conn.send(item)

    def _collect(self, slot: _Slot) -> tuple[R, _Slot]:
        """The finished item's result and the slot to use next (a fresh process when this one died)."""
        try:
            message = slot.conn.recv() if slot.conn.poll() else None
        except (EOFError, OSError):
            message = None
        item, slot.item, slot.busy = slot.item, None, False
        if message is None:
            slot.process.join(STOP_GRACE_S)
            reason = f"the harness worker process (pid {slot.process.pid}) died: {_exit_description(slot.process)}"
            log.error("%s; its episode is recorded as failed and a fresh process takes the next one", reason)
            _stop(slot)
            return self.lost(item, WorkFailed(reason)), self._start()
        if isinstance(message, WorkFailed):
            return self.lost(item, message), slot
        return message, slot


def _serve(
    setup: Callable[[], AbstractContextManager[Callable[[Any], Any]]], conn: Connection, parent_pid: int
) -> None:
    """A worker process: set up, then answer each item received until told to stop or the run is gone.

    Ctrl-C reaches the whole foreground process group: the parent decides, so a worker ignores SIGINT;
    SIGTERM exits through `setup`'s cleanup (its env's sandbox is closed, not left to the parent-death
    signal). A process that cannot set up answers every item with why, so no item waits for it.
    """
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with contextlib.ExitStack() as cleanup:
        try:
            work = cleanup.enter_context(setup())
        except Exception as exc:  # noqa: BLE001 - reported for each item instead
            failure = WorkFailed(f"the worker process could not start: {type(exc).__name__}: {exc}", started=False)
            work = lambda _item: failure  # noqa: E731
        while (item := _receive(conn)) is not _STOP:
            try:
                conn.send(work(item))
            except (BrokenPipeError, ConnectionResetError):
                return  # the run is gone
            except Exception as exc:  # noqa: BLE001 - one item's failure is its result, not the process's end
                conn.send(WorkFailed(f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))


def _receive(conn: Connection) -> Any:
    try:
        return conn.recv()
    except (EOFError, ConnectionResetError):
        return _STOP  # the run is gone


def _exit_description(process: BaseProcess) -> str:
    code = process.exitcode
    if code is None:
        return "its pipe closed while it still runs"
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"


def _stop_all(slots: list[_Slot]) -> None:
    """Ask every process to stop, then make sure each has: SIGTERM, then SIGKILL."""
    for slot in slots:
        with contextlib.suppress(OSError):
            slot.conn.send(_STOP)
    for slot in slots:
        _stop(slot)


def _stop(slot: _Slot) -> None:
    """End the slot's process (if it still runs) and close the parent's end of its pipe."""
    process = slot.process
    process.join(0 if slot.busy else STOP_GRACE_S)  # a busy one is abandoned: nobody waits for its result
    if process.is_alive():
        process.terminate()
        process.join(STOP_GRACE_S)
    if process.is_alive():
        process.kill()
        process.join()
    slot.conn.close()
