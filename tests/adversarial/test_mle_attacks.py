"""Solution scripts attacking an MLE competition: they fail or are contained, the env keeps
working, grading is untouched.

Each case runs the attack as one step of an episode on a real prepared
competition, checks what it tried did not happen, then writes the sample
submission and submits: the grade must be the sample's own (valid, same
score as in an untouched episode), never the answers'.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from envs.mle.env import MLECompetitionEnv
from envs.mle.prepare import prepare
from envs.mle.solution_run import run_script
from envs.sandbox import landlock, seccomp
from envs.sandbox.limits import Limits

from .conftest import accepted_any

COMPETITION = "diabetes-progression"
pytestmark = pytest.mark.skipif(
    not (landlock.supported() and seccomp.supported()), reason="needs Landlock and x86_64 seccomp"
)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mle-cache")
    prepare(COMPETITION, root)
    return root


@pytest.fixture(scope="module")
def baseline_score(cache: Path, tmp_path_factory: pytest.TempPathFactory) -> float:
    """The grade of the sample submission in an episode nobody attacked."""
    env = MLECompetitionEnv(
        COMPETITION, cache_dir=cache, work_root=tmp_path_factory.mktemp("baseline"), step_timeout_s=30
    )
    env.reset()
    score = finish_with_baseline(env)
    env.close()
    return score


WRITE_SAMPLE = "import shutil\nshutil.copy('input/sample_submission.csv', 'submission.csv')\n"


@pytest.fixture
def mle(cache: Path, tmp_path: Path) -> Iterator[MLECompetitionEnv]:
    env = MLECompetitionEnv(COMPETITION, cache_dir=cache, work_root=tmp_path, step_timeout_s=4, max_steps=5)
    env.reset()
    yield env
    env.close()


def finish_with_baseline(env: MLECompetitionEnv) -> float:
    """Write the sample submission, submit, and return its grade (it must be valid)."""
    env.step(WRITE_SAMPLE)
    _, _, terminated, _, info = env.step("submit")
    assert terminated and info["evaluation"]["valid_submission"] and info["evaluation"]["score"] is not None, info[
        "evaluation"
    ]
    return info["evaluation"]["score"]


def run(env: MLECompetitionEnv, script: str) -> str:
    observation, reward, terminated, truncated, _ = env.step(script)
    assert (reward, terminated, truncated) == (0.0, False, False)
    return observation["history"][-1]["output"]


def running(pid: int, wait_s: float = 5.0) -> bool:
    """True when `pid` still runs after `wait_s` (a zombie waiting to be reaped by init counts as ended)."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return False
        if state in ("Z", "X"):
            return False
        if time.monotonic() > deadline:
            return True
        time.sleep(0.05)


def answers(cache: Path) -> Path:
    return cache / COMPETITION / "prepared" / "private" / "answers.csv"


def test_reading_the_answers_by_absolute_path_is_denied(mle, cache, baseline_score) -> None:
    out = run(mle, f"import shutil\nshutil.copy({str(answers(cache))!r}, 'submission.csv')")
    assert "PermissionError: [Errno 13] Permission denied" in out
    assert finish_with_baseline(mle) == baseline_score


def test_a_symlinked_submission_to_the_answers_is_refused(mle, cache, baseline_score) -> None:
    out = run(mle, f"import os\nos.symlink({str(answers(cache))!r}, 'submission.csv')\nprint('linked')")
    assert "linked" in out and "submission.csv is a symbolic link; write the file itself" in out
    assert mle.unwrapped._chosen is None  # nothing was taken as a candidate submission
    assert finish_with_baseline(mle) == baseline_score


def test_a_hard_link_to_the_answers_cannot_be_made(mle, cache, baseline_score) -> None:
    out = run(mle, f"import os\nos.link({str(answers(cache))!r}, 'submission.csv')")
    assert "PermissionError" in out or "OSError" in out
    assert finish_with_baseline(mle) == baseline_score


def test_writing_outside_the_step_folder_is_denied(mle, tmp_path, baseline_score) -> None:
    target = tmp_path / "escaped.txt"
    out = run(mle, f"open({str(target)!r}, 'w').write('x')")
    assert "PermissionError" in out and not target.exists()
    assert finish_with_baseline(mle) == baseline_score


def test_no_network(mle, listener, baseline_score) -> None:
    port = listener.getsockname()[1]
    out = run(mle, f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)")
    assert "PermissionError: [Errno 1] Operation not permitted" in out and not accepted_any(listener)
    assert finish_with_baseline(mle) == baseline_score


def test_killing_the_env_process_is_denied(mle, baseline_score) -> None:
    out = run(mle, "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)")
    assert "PermissionError: [Errno 1] Operation not permitted" in out
    assert finish_with_baseline(mle) == baseline_score


def test_a_child_cannot_leave_the_process_group_and_outlive_the_step(mle, baseline_score) -> None:
    script = (
        "import os, subprocess, sys\n"
        "try:\n"
        "    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'], start_new_session=True)\n"
        "except OSError as err:\n"
        "    print('setsid refused:', err)\n"
        "stubborn = 'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)'\n"
        "child = subprocess.Popen([sys.executable, '-c', stubborn])\n"
        "import time; time.sleep(1)\n"
        "print('CHILD', child.pid)\n"
    )
    out = run(mle, script)
    assert "setsid refused: [Errno 1] Operation not permitted" in out
    pid = int(out.split("CHILD ")[1].split()[0])
    assert not running(pid)  # the step's end killed its whole group
    assert finish_with_baseline(mle) == baseline_score


def test_a_bounded_fork_storm_is_cleaned_up(mle, baseline_score) -> None:
    script = (
        "import os, time\n"
        "pids = []\n"
        "for _ in range(50):\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        time.sleep(60)\n"
        "        os._exit(0)\n"
        "    pids.append(pid)\n"
        "print('PIDS', pids[0], pids[-1], flush=True)\n"
        "time.sleep(60)"
    )
    out = run(mle, script)
    assert "killed: wall-time limit reached" in out
    first, last = (int(p) for p in out.split("PIDS ")[1].split()[:2])
    assert not running(first) and not running(last)
    assert finish_with_baseline(mle) == baseline_score


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("x = bytearray(16 * 1024**3)", "MemoryError"),
        ("while True:\n    pass", "killed: wall-time limit reached"),
        ("import time\ntime.sleep(600)", "killed: wall-time limit reached"),
        (
            "import sys\nsys.setrecursionlimit(10**8)\nx = []\nfor _ in range(300_000):\n    x = [x]\nx == x[0]",
            "killed by signal 11",
        ),
        ("import sys\nfor _ in range(50):\n    sys.stdout.write('y' * 1_000_000)\nprint('END')", "END"),
        ("import sys\nsys.stdout.buffer.write(bytes(range(256)) * 4000)\nsys.stdout.flush()", "0123456789:;<=>?@ABC"),
        ("import os, shutil\nshutil.rmtree(os.getcwd())", "PermissionError"),  # its contents go, the step folder stays
    ],
    ids=[
        "memory_bomb",
        "infinite_loop",
        "sleep",
        "c_stack_overflow",
        "megabytes_of_output",
        "binary_output",
        "delete_working_dir",
    ],
)
def test_resource_abuse_is_stopped_and_reported(mle, baseline_score, script: str, expected: str) -> None:
    out = run(mle, script)
    assert expected in out, out[-800:]
    assert len(out) < 10_000
    assert finish_with_baseline(mle) == baseline_score


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (None, "got NoneType"),
        (b"print(1)", "got bytes"),
        ("#" * 10_000_000, "over the 200,000 limit"),
        ("print('\ud800')", "invalid unicode at character 7 ('\\ud800')"),
    ],
    ids=["none", "bytes", "ten_megabytes", "lone_surrogate"],
)
def test_bad_actions_are_named_and_the_episode_goes_on(mle, baseline_score, action, message: str) -> None:
    assert message in run(mle, action)
    assert finish_with_baseline(mle) == baseline_score


def test_a_full_disk_file_size_limit_ends_the_run_with_its_reason(tmp_path) -> None:
    """Disk full, simulated by RLIMIT_FSIZE: the write fails, the run reports it, what was written stays."""
    data = tmp_path / "input"
    data.mkdir()
    (data / "train.csv").write_text("a\n1\n")
    script = (
        "print('before', flush=True)\n"
        "with open('big.bin', 'wb') as f:\n"
        "    f.write(b'0' * (3 * 1024**2))\n"
        "print('after')"
    )
    result = run_script(
        script, tmp_path / "step", data, limits=Limits(file_size_bytes=1024**2), timeout_s=20, log_dir=tmp_path / "logs"
    )
    assert result.status() == "exit status 1" and "OSError: [Errno 27] File too large" in result.stderr
    assert "before" in result.stdout and "after" not in result.stdout
    assert (tmp_path / "step" / "big.bin").stat().st_size == 1024**2  # the bytes up to the limit were kept
