"""workers_backend=processes: real forked workers, the same results as threads, deaths and stops contained."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gymnasium as gym
import psutil
import pytest

from harness.choosers import FixedStack
from harness.parallel import ProcessRunner, WorkFailed
from harness.run import RunRequest, run_evaluation
from harness.worker_backend import choose_workers_backend
from tests.harness.conftest import eval_command, read_lines
from tests.harness.tiny_env import TinyEnv

TEST_PID = os.getpid()
DYING_ID = "trainfree/TinyDying-v0"
ORACLE = {"name": "oracle", "kind": "oracle"}
TOOLWORLD = {"name": "toolworld", "id": "trainfree/ToolWorld-v0", "kwargs": {}}


class DyingTinyEnv(TinyEnv):
    """The tiny env whose process is SIGKILLed on a step of a `die_tasks` task (as the OOM killer would)."""

    def __init__(self, die_tasks: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.die_tasks = tuple(die_tasks)

    def step(self, action: str):
        assert self._task is not None
        if self._task["task_id"] in self.die_tasks:
            if os.getpid() == TEST_PID:
                raise RuntimeError("refusing to kill the test process: the episode runs in a thread, not a process")
            os.kill(os.getpid(), signal.SIGKILL)
        return super().step(action)


if DYING_ID not in gym.registry:
    gym.register(DYING_ID, entry_point=DyingTinyEnv)
DYING = {"name": "tiny", "id": f"{__name__}:{DYING_ID}", "kwargs": {}}


def run(run_dir: Path, env: dict[str, Any], backend: str, **fields: Any) -> dict[str, Any]:
    request = RunRequest(
        env=env, policy=ORACLE, wrappers=(), split="dev", progress=False, workers_backend=backend, **fields
    )
    return run_evaluation(request, run_dir)


def outcomes(run_dir: Path) -> dict[str, tuple]:
    """What an episode's outcome is, leaving out its timings."""
    return {
        r["key"]: (r["success"], r["reward"], r["steps"], r["tests_passed"], r["tests_failed"], r["error"], r["stack"])
        for r in read_lines(run_dir)
    }


def new_children(before: set[int]) -> list[psutil.Process]:
    return [p for p in psutil.Process().children(recursive=True) if p.pid not in before and p.status() != "zombie"]


def test_processes_give_the_same_toolworld_outcomes_as_threads(tmp_path):
    fields = {"limit": 3, "seeds": (0, 1), "workers": 2, "max_steps": 10}
    by_threads = run(tmp_path / "threads", TOOLWORLD, "threads", **fields)
    by_processes = run(tmp_path / "processes", TOOLWORLD, "processes", **fields)
    assert len(outcomes(tmp_path / "processes")) == 6
    assert outcomes(tmp_path / "processes") == outcomes(tmp_path / "threads")
    assert all(outcome[0] for outcome in outcomes(tmp_path / "processes").values())  # the oracle solves them
    assert by_processes["success"] == by_threads["success"]
    trajectories = sorted(p.name for p in (tmp_path / "processes" / "trajectories").iterdir())
    assert trajectories == sorted(p.name for p in (tmp_path / "threads" / "trajectories").iterdir())


def test_a_crashing_episode_in_a_worker_process_is_a_failure_and_the_run_goes_on(tmp_path):
    tiny = {**DYING, "kwargs": {"crash_tasks": ["bravo_0"]}}
    summary = run(tmp_path, tiny, "processes", workers=2)
    by_task = {r["task_id"]: r for r in read_lines(tmp_path)}
    assert len(by_task) == 6 and summary["episodes"] == 6
    assert (by_task["bravo_0"]["error"]["type"], by_task["bravo_0"]["error"]["kind"]) == ("RuntimeError", "agent")
    assert all(r["success"] for t, r in by_task.items() if t != "bravo_0")


def test_a_killed_worker_process_costs_only_its_episode(tmp_path):
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    summary = run(tmp_path, {**DYING, "kwargs": {"die_tasks": ["alpha_1", "charlie_0"]}}, "processes", workers=2)
    by_task = {r["task_id"]: r for r in read_lines(tmp_path)}
    assert len(by_task) == 6 and summary["episodes"] == 6
    for task_id in ("alpha_1", "charlie_0"):
        error = by_task[task_id]["error"]
        assert (error["type"], error["stage"], error["kind"]) == ("WorkerProcessLost", "worker", "agent")
        assert "killed by SIGKILL" in error["reason"]
        assert (tmp_path / "trajectories" / f"{task_id}@0.json").exists()
    assert all(r["success"] for t, r in by_task.items() if t not in ("alpha_1", "charlie_0"))
    assert summary["completed"] == 4
    assert new_children(before) == []


class StopAfterFirst(FixedStack):
    """A chooser whose update fails: the run's own code raising while episodes are in flight."""

    def update(self, record: dict[str, Any]) -> None:
        raise RuntimeError("the run broke while writing its first result")


def test_an_exception_in_the_run_stops_every_worker_process(tmp_path):
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    request = RunRequest(
        env={**DYING, "kwargs": {"step_delay_s": 0.3}},
        policy=ORACLE,
        wrappers=(),
        split="dev",
        workers=2,
        workers_backend="processes",
        progress=False,
    )
    with pytest.raises(RuntimeError, match="broke while writing its first result"):
        run_evaluation(request, tmp_path, StopAfterFirst(request.stack))
    assert new_children(before) == []
    assert len(read_lines(tmp_path)) == 1  # what was written stays


def marked_processes(marker: str) -> list[int]:
    """Processes (alive or zombie) whose environment holds `marker`."""
    found = []
    for proc in psutil.process_iter():
        try:
            if f"TRAINFREE_TEST_MARK={marker}".encode() in Path(f"/proc/{proc.pid}/environ").read_bytes():
                found.append(proc.pid)
        except (OSError, psutil.Error):
            continue
    return found


def as_from_a_terminal(command: list[str]) -> list[str]:
    """`command` started with Ctrl-C at its default, as a terminal's shell starts it. A test process started in
    the background by a non-interactive shell ignores SIGINT, and its children would inherit that (Python then
    installs no KeyboardInterrupt handler at all): the run would ignore the Ctrl-C this test sends."""
    reset = "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"
    return [sys.executable, "-c", reset, *command]


def test_ctrl_c_stops_the_run_and_leaves_no_process_behind(tmp_path):
    marker = uuid.uuid4().hex
    command = eval_command(
        "env=tiny",
        "policy=oracle",
        "limit=null",
        "seeds=[0,1,2]",
        "workers=2",
        "workers_backend=processes",
        "+env.kwargs.step_delay_s=0.5",
        f"hydra.run.dir={tmp_path}",
    )
    proc = subprocess.Popen(
        as_from_a_terminal(command),
        env={**os.environ, "TRAINFREE_TEST_MARK": marker},
        start_new_session=True,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not ((tmp_path / "results.jsonl").exists() and (tmp_path / "results.jsonl").read_text()):
            assert proc.poll() is None and time.monotonic() < deadline, "the run ended before its first result"
            time.sleep(0.1)
        assert len(marked_processes(marker)) >= 3  # the run and its two worker processes
        os.killpg(proc.pid, signal.SIGINT)  # a terminal's Ctrl-C reaches the whole foreground group
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    time.sleep(0.5)  # the kernel delivers parent-death signals as the run exits
    assert marked_processes(marker) == []
    assert 1 <= len(read_lines(tmp_path)) < 18  # stopped mid-run, what was written kept


def test_auto_uses_processes_only_for_an_instant_policy_at_several_workers():
    replay = {"name": "replay", "kind": "llm", "model": {"backend": "replay", "path": "r.jsonl", "fallback": None}}
    server = {"name": "s", "kind": "llm", "model": {"backend": "openai_compatible", "base_url": "http://x/v1"}}
    assert choose_workers_backend("auto", 2, ORACLE, [], model_given=False)[0] == "processes"
    assert choose_workers_backend("auto", 2, replay, [], model_given=False)[0] == "processes"
    assert choose_workers_backend("auto", 1, ORACLE, [], model_given=False) == ("threads", "auto: one worker")
    backend, why = choose_workers_backend("auto", 2, server, [], model_given=False)
    assert backend == "threads" and "openai_compatible" in why
    assert choose_workers_backend("processes", 2, server, [], model_given=False)[0] == "processes"
    judge = {"model": {"backend": "llama_cpp"}}  # a wrapper's own embedded model
    backend, why = choose_workers_backend("auto", 2, ORACLE, [judge], model_given=False)
    assert backend == "threads" and "'llama_cpp' runs inside the harness" in why
    assert choose_workers_backend("auto", 2, ORACLE, [], model_given=True)[0] == "threads"


def test_bad_workers_backend_values_are_refused_naming_the_problem(tmp_path):
    with pytest.raises(ValueError, match=r"workers_backend must be one of auto, threads, processes, got 'fork'"):
        RunRequest(env=DYING, policy=ORACLE, wrappers=(), split="dev", workers_backend="fork")
    embedded = {"name": "smollm2", "kind": "llm", "model": {"backend": "llama_cpp"}}
    request = RunRequest(env=DYING, policy=embedded, wrappers=(), split="dev", workers=2, workers_backend="processes")
    with pytest.raises(ValueError, match=r"'llama_cpp' runs inside the harness: each process would load its own copy"):
        run_evaluation(request, tmp_path)
    assert list(tmp_path.iterdir()) == []  # refused before the model loads or anything is written
    replay = {"backend": "replay", "path": "r.jsonl", "fallback": {"backend": "openai_compatible"}}
    with pytest.raises(ValueError, match=r"records to a file, which several processes would write at once"):
        choose_workers_backend("processes", 2, {"model": replay}, [], model_given=False)


def test_a_worker_process_that_cannot_set_up_fails_each_item_as_not_started():
    @contextlib.contextmanager
    def broken_setup() -> Iterator[Callable[[int], int]]:
        raise OSError("no env for this process")
        yield lambda item: item  # unreachable: a generator-based context manager needs a yield

    failures: list[tuple[int, WorkFailed]] = []

    def lost(item: int, failure: WorkFailed) -> int:
        failures.append((item, failure))
        return -item

    assert sorted(ProcessRunner(broken_setup, 2, lost).run(range(1, 5))) == [-4, -3, -2, -1]
    assert all(not f.started and "could not start: OSError: no env for this process" in f.reason for _, f in failures)


def test_an_item_whose_work_raises_is_lost_and_the_process_goes_on():
    @contextlib.contextmanager
    def setup() -> Iterator[Callable[[int], tuple[int, int]]]:
        def work(item: int) -> tuple[int, int]:
            if item == 3:
                raise ValueError("item 3 is bad")
            return item, os.getpid()

        yield work

    failures: list[WorkFailed] = []

    def lost(item: int, failure: WorkFailed) -> tuple[int, int]:
        failures.append(failure)
        return item, 0

    results = list(ProcessRunner(setup, 1, lost).run(range(6)))
    assert sorted(item for item, _ in results) == list(range(6))
    assert len({pid for item, pid in results if item != 3}) == 1  # the same process served every other item
    assert len(failures) == 1 and failures[0].started and "ValueError: item 3 is bad" in failures[0].reason


@contextlib.contextmanager
def touching(folder: Path) -> Iterator[Callable[[int], int]]:
    """Work that leaves a file named after its item as it starts, seen across the process boundary."""

    def work(item: int) -> int:
        (folder / f"started-{item}").touch()
        return item

    yield work


def test_a_freed_process_starts_its_next_item_while_the_consumer_still_handles_the_last_result(tmp_path):
    """`seen` comes first (a model found down stops the next draw), then the next item, then the result."""
    log: list[str] = []

    def items() -> Iterator[int]:
        for item in range(3):
            log.append(f"drawn {item}")
            yield item

    runner = ProcessRunner(
        lambda: touching(tmp_path), 1, lost=lambda item, failure: -1, seen=lambda r: log.append(f"seen {r}")
    )
    for result in runner.run(items()):
        log.append(f"yielded {result}")
        if result < 2:  # its process was handed the next item before this result reached the consumer
            deadline = time.monotonic() + 10
            while not (tmp_path / f"started-{result + 1}").exists():
                assert time.monotonic() < deadline, f"item {result + 1} waited for result {result}'s consumer"
                time.sleep(0.01)
    assert log == ["drawn 0", "seen 0", "drawn 1", "yielded 0", "seen 1", "drawn 2", "yielded 1", "seen 2", "yielded 2"]


@contextlib.contextmanager
def announcing(folder: Path) -> Iterator[Callable[[int], int]]:
    """A process's setup that leaves a file named after its pid (each builds an env and a model client)."""
    (folder / f"process-{os.getpid()}").touch()
    yield lambda item: item


def test_only_as_many_processes_start_as_there_are_items(tmp_path):
    """workers=1000000 for one episode forked a process per worker before handing out the episode, until the
    machine ran out of processes (200 workers: 2.8 s for one tiny episode, 0.1 s now)."""
    runner = ProcessRunner(lambda: announcing(tmp_path), 64, lost=lambda item, failure: -1)
    assert sorted(runner.run(range(2))) == [0, 1]
    assert len(list(tmp_path.glob("process-*"))) == 2
