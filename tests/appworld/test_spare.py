"""The spare worker: started once an episode's world is open, it serves the next reset or restore.

It has imported AppWorld and its apps but opened no task; the episode it then
serves opens its world and confines it exactly as a fresh worker does
(test_confinement.py runs in spares too). These tests check it is used, that a
dead spare or one started for another interpreter is replaced, that it answers
as a fresh worker does, and that no spare outlives its env, closed or killed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import gymnasium as gym
import pytest

import envs  # noqa: F401 - registers trainfree/AppWorld-v0
from envs.appworld.bridge import WORKER
from tests.appworld.test_confinement import GUARD_OFF
from tests.appworld.test_env import CREATE, LOGIN

REPO = Path(__file__).resolve().parents[2]
SHOW = "print(apis.simple_note.show_note(access_token=t, note_id=4))"  # its created_at: the world's frozen clock


@pytest.fixture(scope="module")
def env(appworld_python, appworld_root):
    env = gym.make("trainfree/AppWorld-v0", python=appworld_python, root=str(appworld_root), max_steps=6)
    yield env
    env.close()


def worker_pids(parent: int | None = None) -> list[int]:
    """Live AppWorld workers (envs/appworld/worker.py) whose parent is `parent` (this process by default)."""
    parent = os.getpid() if parent is None else parent
    found = []
    for name in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{name}/cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError):
            continue
        if int(stat[1]) == parent and stat[0] != "Z" and str(WORKER).encode() in command:
            found.append(int(name))
    return found


def episode_pids(base) -> set[int]:
    """This process's live workers but the env's judge (it grades; it is no episode's worker)."""
    return set(worker_pids()) - ({base._judge.pid} if base._judge is not None else set())


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def served_by(env) -> int:
    """The pid of the process the episode's code runs in, as agent code sees it."""
    obs, *_ = env.step(GUARD_OFF + "print(imp('posix').getpid())")
    return int(obs["history"][-1]["output"].strip())


def test_resets_and_restores_run_in_the_spare_started_before_them(env) -> None:
    base = env.unwrapped
    env.reset(options={"task_id": "a1b2c3d_1"})
    first = served_by(env)
    spare = base._spare.pid
    assert spare != first and episode_pids(base) == {first, spare}  # one spare, nothing else
    env.reset(options={"task_id": "e4f5a6b_1"})
    assert served_by(env) == spare and not alive(first)
    env.step(LOGIN)
    snapshot = base.get_state()
    spare = base._spare.pid
    base.set_state(snapshot)
    assert served_by(env) == spare
    assert episode_pids(base) == {spare, base._spare.pid}  # the episode's worker and one new spare
    obs, *_ = env.step("print(len(apis.simple_note.search_notes(access_token=t)))")
    assert obs["history"][-1]["output"].strip() == "2"  # the login was replayed in the spare's world
    assert env.step("apis.supervisor.complete_task(answer=2)")[4]["success"]


def test_a_killed_spare_is_replaced_and_the_episode_runs(env) -> None:
    base = env.unwrapped
    env.reset(options={"task_id": "e4f5a6b_1"})
    spare = base._spare
    os.kill(spare.pid, signal.SIGKILL)
    spare._proc.wait()
    env.reset(options={"task_id": "a1b2c3d_1"})
    assert served_by(env) != spare.pid
    assert base._spare is not None and base._spare.alive and len(episode_pids(base)) == 2
    env.step(LOGIN)
    assert '"note_id": 4' in env.step(CREATE)[0]["history"][-1]["output"]


def test_a_world_opened_in_a_spare_answers_as_a_fresh_worker_does(env, appworld_python, appworld_root) -> None:
    cold = gym.make(
        "trainfree/AppWorld-v0", python=appworld_python, root=str(appworld_root), max_steps=6, spare_worker=False
    )
    try:
        outputs = []
        for each in (env, cold):
            each.reset(options={"task_id": "a1b2c3d_1"})
            for action in (LOGIN, CREATE, SHOW):
                obs, *_ = each.step(action)
            outputs.append([turn["output"] for turn in obs["history"]])
        assert cold.unwrapped._spare is None and len(episode_pids(env.unwrapped)) == 3  # env's two, cold's one
        assert outputs[0] == outputs[1] and "2026-01-15" in outputs[0][-1], outputs
    finally:
        cold.close()


def test_a_spare_started_for_another_interpreter_is_not_used(env, appworld_python) -> None:
    base = env.unwrapped
    env.reset(options={"task_id": "e4f5a6b_1"})
    spare = base._spare.pid
    python = Path(appworld_python)
    base.python = str(python.parent / ".." / python.parent.name / python.name)  # the same venv, named otherwise
    try:
        env.reset(options={"task_id": "e4f5a6b_1"})
        assert served_by(env) != spare and not alive(spare)
        assert base._worker.python == base._spare.python == base.python
    finally:
        base.python = appworld_python


def test_close_ends_the_worker_and_the_spare(appworld_python, appworld_root) -> None:
    env = gym.make("trainfree/AppWorld-v0", python=appworld_python, root=str(appworld_root), max_steps=6)
    before = set(worker_pids())
    try:
        env.reset(options={"task_id": "e4f5a6b_1"})
        env.unwrapped.list_tasks()  # the judge too
        started = set(worker_pids()) - before
        assert len(started) == 3  # the episode's worker, the spare and the judge
    finally:
        env.close()
    assert [pid for pid in started if alive(pid)] == []


def test_the_spare_dies_with_the_process_of_its_env(appworld_python, appworld_root) -> None:
    """A spare waits unconfined, before any task: the parent-death signal is set at its start, not at `open`.
    The spare is stopped first: else it would also leave once it read the end of its requests, after its imports."""
    script = (
        "import json, sys, time\nimport gymnasium as gym\nimport envs\n"
        f"env = gym.make('trainfree/AppWorld-v0', python={appworld_python!r}, root={str(appworld_root)!r})\n"
        "env.reset(options={'task_id': 'e4f5a6b_1'})\n"
        "env.unwrapped._spare.wait_ready()\n"  # past its start: stopped before, it would die on resuming
        "print(json.dumps([env.unwrapped._worker.pid, env.unwrapped._spare.pid]), flush=True)\n"
        "time.sleep(600)\n"
    )
    owner = subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(REPO)}
    )
    try:
        assert owner.stdout is not None
        pids = json.loads(owner.stdout.readline())
        assert sorted(worker_pids(owner.pid)) == sorted(pids)
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
    finally:
        owner.kill()
        owner.wait()
    for _ in range(200):  # the kernel signals them at once; init reaps them shortly after
        if not any(alive(pid) for pid in pids):
            break
        time.sleep(0.05)
    left = [pid for pid in pids if alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == []


def test_close_from_another_thread_mid_step_leaves_nothing_running(appworld_python, appworld_root) -> None:
    """As the harness's watchdog closes the env of an episode past its deadline: the blocked step fails, and no
    worker or spare starts after the close (the step's restart would have started both, alive after the close)."""
    env = gym.make("trainfree/AppWorld-v0", python=appworld_python, root=str(appworld_root), max_steps=6)
    base = env.unwrapped
    before = set(worker_pids())
    env.reset(options={"task_id": "e4f5a6b_1"})
    output = appworld_root / "experiments" / "outputs" / base.experiment_name / "tasks" / "e4f5a6b_1" / "misc"
    started = output / "step-started"
    outcome: list[BaseException | None] = []

    def blocked_step() -> None:
        try:
            env.step(GUARD_OFF + f"op({str(started)!r}, 'w').close()\nimp('select').select([], [], [], 600)")
            outcome.append(None)
        except Exception as error:  # noqa: BLE001 - what the step raised is the outcome under test
            outcome.append(error)

    loop = threading.Thread(target=blocked_step)
    loop.start()
    try:
        for _ in range(1200):
            if started.exists() or not loop.is_alive():
                break
            time.sleep(0.05)
        assert started.exists(), outcome
    finally:
        env.close()
        loop.join(300)
    assert not loop.is_alive()
    assert sorted(set(worker_pids()) - before) == []
    assert [str(e) for e in outcome if e is not None] == ["the env is closed: no AppWorld worker may start"]
