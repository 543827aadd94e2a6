"""The bubblewrap backend: runs where bwrap works (skipped with the reason elsewhere),
and a clear error or fallback otherwise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from envs.mle.env import MLECompetitionEnv
from envs.sandbox import bwrap
from envs.toolworld.env import ToolWorldEnv

from .conftest import DISABLE_PYTHON_GUARDS, TASK, accepted_any
from .test_mle_attacks import COMPETITION, WRITE_SAMPLE, answers, cache  # noqa: F401 - fixture
from .test_toolworld_attacks import ALL_LAYERS, assert_still_solvable

REASON = bwrap.unavailable_reason()
needs_bwrap = pytest.mark.skipif(REASON is not None, reason=f"bwrap unusable here: {REASON}")


def test_a_bad_sandbox_setting_is_named() -> None:
    with pytest.raises(ValueError, match="unknown sandbox 'docker'; choose one of"):
        ToolWorldEnv(sandbox="docker")


def test_auto_falls_back_and_bwrap_fails_clearly_when_unusable(monkeypatch) -> None:
    monkeypatch.setattr(
        bwrap, "unavailable_reason", lambda: "bwrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    )
    assert bwrap.use_bwrap("auto") is False and bwrap.use_bwrap("rlimit") is False
    with pytest.raises(RuntimeError, match="sandbox=bwrap was asked for, but bwrap is not installed"):
        ToolWorldEnv(sandbox="bwrap")


@pytest.fixture(scope="module")
def boxed() -> ToolWorldEnv:
    env = ToolWorldEnv(split="train", step_timeout_s=3, max_steps=20, sandbox="bwrap")
    yield env
    env.close()


@needs_bwrap
def test_toolworld_worker_runs_in_namespaces_and_still_solves_tasks(boxed: ToolWorldEnv, listener) -> None:
    boxed.reset(options={"task_id": TASK})
    port = listener.getsockname()[1]
    code = DISABLE_PYTHON_GUARDS + ("print('pid', os.getpid(), 'parent', os.getppid())\n")
    observation, *_ = boxed.step(code)
    output = observation["history"][-1]["output"]
    # its own PID namespace: the env process is invisible; the parent is the fork server (bwrap's init is PID 1)
    assert output.startswith("pid ") and output.endswith(" parent 2\n") and int(output.split()[1]) > 2, output
    assert boxed.worker.uses_bwrap and boxed.worker.confinement == ALL_LAYERS
    observation, *_ = boxed.step(
        DISABLE_PYTHON_GUARDS + f"real_import('socket').create_connection(('127.0.0.1', {port}), timeout=1)"
    )
    assert "Operation not permitted" in observation["history"][-1]["output"] and not accepted_any(listener)
    assert_still_solvable(boxed)


@needs_bwrap
def test_a_crash_inside_bwrap_is_reported_with_its_signal(boxed: ToolWorldEnv) -> None:
    boxed.reset(options={"task_id": TASK})
    code = (
        DISABLE_PYTHON_GUARDS
        + "_sys.setrecursionlimit(10**8)\nx = []\nfor _ in range(300_000):\n    x = [x]\nx == x[0]"
    )
    observation, *_ = boxed.step(code)
    assert "The Python worker died (killed by signal 11 (SIGSEGV)" in observation["history"][-1]["output"]
    assert_still_solvable(boxed)


@needs_bwrap
def test_mle_script_in_bwrap_sees_no_network_no_answers_and_still_submits(cache, tmp_path: Path, listener) -> None:  # noqa: F811
    env = MLECompetitionEnv(COMPETITION, cache_dir=cache, work_root=tmp_path, step_timeout_s=30, sandbox="bwrap")
    env.reset()
    port = listener.getsockname()[1]
    probe = (
        "import os, socket\n"
        "print('pid', os.getpid())\n"
        f"print('answers visible', os.path.exists({str(answers(cache))!r}))\n"
        "try:\n"
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=1)\n"
        "except OSError as err:\n"
        "    print('network:', err)\n"
        "open('/tmp/elsewhere.txt', 'w').write('x')\n"
    )
    observation, *_ = env.step(probe)
    output = observation["history"][-1]["output"]
    # no socket at all: the seccomp filter holds inside bwrap too (and the host's listener is another namespace)
    assert "pid 2" in output and "answers visible False" in output, output
    assert "network: [Errno 1] Operation not permitted" in output, output
    assert not accepted_any(listener) and not Path("/tmp/elsewhere.txt").exists()  # /tmp inside is a private tmpfs
    env.step(WRITE_SAMPLE)
    _, _, terminated, _, info = env.step("submit")
    assert terminated and info["evaluation"]["valid_submission"]
    env.close()


@needs_bwrap
def test_an_interpreter_path_climbing_out_of_an_unbound_folder_still_starts(tmp_path: Path) -> None:
    """`cd benchmarks && ../.venv/bin/python x.py` gives sys.executable a '..' through a folder the sandbox
    does not bind: the worker's command and binds use the normalised path, so the worker still starts."""
    # relative to a folder under /tmp, which the sandbox does not have: Python keeps the '..' in sys.executable
    climbing = "../" * (len(tmp_path.parts) - 1) + sys.executable.lstrip("/")
    code = (
        "from envs.toolworld.env import ToolWorldEnv\n"
        "env = ToolWorldEnv(split='train', sandbox='bwrap', spare_worker=False)\n"
        f"env.reset(options={{'task_id': {TASK!r}}})\n"
        "env.step('print(6 * 7)')\n"
        "print(env.steps[-1].output)\n"
        "env.close()\n"
    )
    done = subprocess.run(
        [climbing, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0 and done.stdout.strip() == "42", done.stderr[-2000:]
