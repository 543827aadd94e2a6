"""The ToolWorld worker's privileges and lifetime, and what the env says about its sandbox.

A worker holds no capabilities even when the env runs as root (checked from
inside a real worker with the Python guards switched off), never outlives a
killed env, survives the thread that started it, and the env's reset `info`
and start-up log say which protections are on and which are off, and why.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from envs.sandbox import bwrap, landlock, protections, seccomp
from envs.sandbox.limits import Limits
from envs.sandbox.processes import stat_fields
from envs.sandbox.session import SessionConfig, WorkerSession, WorkerStartError
from envs.toolworld.env import ToolWorldEnv

from .conftest import DISABLE_PYTHON_GUARDS, REPO, TASK
from .test_toolworld_attacks import assert_still_solvable, needs_kernel_layers

BWRAP_REASON = bwrap.unavailable_reason()

PRIVILEGES_PROBE = """
struct = real_import('struct')
ctypes = real_import('ctypes')
libc = ctypes.CDLL(None, use_errno=True)
header = ctypes.create_string_buffer(struct.pack('=Ii', 0x20080522, 0))
data = ctypes.create_string_buffer(24)
print('capget', libc.syscall(125, header, data), sum(struct.unpack('=6I', data.raw)))
print('syslog', libc.klogctl(3, ctypes.create_string_buffer(4096), 4096), ctypes.get_errno())
try:
    os.read(os.open('/dev/kmsg', os.O_RDONLY | os.O_NONBLOCK), 100)
    print('kmsg read')
except OSError as err:
    print('kmsg refused', err.errno)
"""


@needs_kernel_layers
@pytest.mark.skipif(os.uname().machine != "x86_64", reason="the probe uses x86_64's capget syscall number")
def test_a_worker_holds_no_capabilities_with_python_guards_off(toolworld: ToolWorldEnv) -> None:
    toolworld.reset(options={"task_id": TASK})
    observation, *_ = toolworld.step(DISABLE_PYTHON_GUARDS + PRIVILEGES_PROBE)
    lines = observation["history"][-1]["output"].splitlines()
    assert lines[0] == "capget 0 0", lines  # CapEff, CapPrm, CapInh all empty
    assert lines[1] == "syslog -1 1", lines  # EPERM: no reading the kernel log
    assert lines[2].startswith("kmsg refused"), lines
    assert "capabilities" in toolworld.worker.confinement
    assert_still_solvable(toolworld)


KILLED_ENV = """
import sys
from envs.toolworld.env import ToolWorldEnv
env = ToolWorldEnv(split="train", step_timeout_s=600, sandbox=sys.argv[1])
env.reset(options={"task_id": "phone_reply_latest_0"})
env.step("x = 1")
print("busy", flush=True)
env.step("while True:\\n    pass")
"""


def descendants(pid: int) -> list[int]:
    """Every live process below `pid`, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def state(pid: int) -> str:
    """The process's state letter ("R" running, "Z" zombie...), "gone" when it no longer exists."""
    fields = stat_fields(pid)
    return "gone" if fields is None else fields[0].decode()


def wait_until(condition, wait_s: float) -> bool:
    end = time.monotonic() + wait_s
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.parametrize(
    "sandbox",
    [
        "rlimit",
        pytest.param(
            "bwrap", marks=pytest.mark.skipif(BWRAP_REASON is not None, reason=f"bwrap unusable here: {BWRAP_REASON}")
        ),
    ],
)
def test_a_killed_env_takes_its_busy_worker_and_spare_with_it(sandbox: str, tmp_path: Path) -> None:
    env = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(KILLED_ENV), sandbox],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp_path)},  # a killed env leaves its workers' folder behind, here
    )
    tree: list[int] = []
    try:
        assert env.stdout is not None and env.stdout.readline() == "busy\n"
        assert wait_until(lambda: any(state(pid) == "R" for pid in descendants(env.pid)), 30), "no worker got busy"
        tree = descendants(env.pid)  # the busy worker, the spare (and bwrap's processes)
        env.send_signal(signal.SIGKILL)
        env.wait()
        assert wait_until(lambda: all(state(pid) in ("gone", "Z") for pid in tree), 30), {p: state(p) for p in tree}
    finally:
        env.kill()
        for pid in tree:  # only what this test started, if the protection failed
            if state(pid) not in ("gone", "Z"):
                os.kill(pid, signal.SIGKILL)


def test_a_worker_outlives_the_thread_that_started_it() -> None:
    """The parent-death signal follows the thread that started a worker: the harness resets envs in
    short-lived episode threads, and their workers must live on."""
    env = ToolWorldEnv(split="train", step_timeout_s=10, sandbox="rlimit")
    try:
        episode = threading.Thread(
            target=lambda: (env.reset(options={"task_id": TASK}), env.step("kept = 'here'"), env.reset())
        )
        episode.start()
        episode.join()
        worker, spare = env.worker.proc, env.worker._spare
        with pytest.raises(subprocess.TimeoutExpired):
            worker.wait(timeout=1.0)  # a parent-death signal would have come within milliseconds
        assert spare is not None and spare.poll() is None
        observation, *_ = env.step("print('alive')")
        assert observation["history"][-1]["output"] == "alive\n"
    finally:
        env.close()


def test_envs_dropped_without_close_leave_no_descriptors_open() -> None:
    """An env dropped without close() (a caller that forgets it, or an exception between make and close) left
    its workers' pidfds and status pipes open, bare descriptors the garbage collector does not close: 3 per env,
    so ~340 dropped envs used up a default limit of 1,024. Its workers and fork server already went with it."""

    def episode() -> None:
        env = ToolWorldEnv(split="train", step_timeout_s=10, sandbox="rlimit")
        env.reset(options={"task_id": TASK})
        env.step("print('ran')")

    episode()  # the world's cached template and the spawner thread are made once per process
    gc.collect()
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(10):
        episode()
    gc.collect()
    assert len(os.listdir("/proc/self/fd")) - before <= 2, os.listdir("/proc/self/fd")


def test_reset_info_and_the_log_say_which_protections_are_on(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(protections, "_announced", set())  # said once per process: earlier tests said it already
    with caplog.at_level(logging.INFO, logger="trainfree.sandbox"):
        fresh = ToolWorldEnv(split="train", sandbox="rlimit", spare_worker=False)
        try:
            _, info = fresh.reset(options={"task_id": TASK})
        finally:
            fresh.close()
    sandbox = info["sandbox"]
    assert set(sandbox) == {"bwrap", "capabilities", "landlock", "seccomp", "parent_death"}
    assert sandbox["bwrap"].startswith("off: ")  # sandbox="rlimit"
    assert sandbox["landlock"].startswith("on: " if landlock.abi_version() > 0 else "off: ")
    assert sandbox["seccomp"].startswith("on: " if seccomp.supported() else "off: ")
    assert sandbox["capabilities"].startswith("on: ") and sandbox["parent_death"].startswith("on: ")
    announced = [r.getMessage() for r in caplog.records if r.getMessage().startswith("toolworld sandbox: ")]
    assert announced and "bwrap=off" in announced[-1] and "bwrap: switched off by sandbox=rlimit" in announced[-1]


def test_a_worker_that_cannot_start_makes_protections_name_the_reason() -> None:
    """The protections report waits for the worker: a setup fault surfaces at reset, with its reason."""
    limits = Limits(cpu_seconds=None, memory_bytes=1024**3, file_size_bytes=0, cpu_affinity=(4000,))
    session = WorkerSession(SessionConfig(limits=limits, sandbox="rlimit"), spare=False)
    try:
        with pytest.raises(
            WorkerStartError, match=r"could not confine itself, so it ran nothing: OSError: \[Errno 22\]"
        ):
            session.protections()
    finally:
        session.close()
