"""Workers forked by the session's fork server are as confined as a worker booted on its own.

Each episode's worker is a fresh fork of a server that never ran agent code, so
nothing an episode leaves behind (globals, patched modules, environment, IPC
objects) reaches the next one; a worker holds no descriptor of the server (it
cannot ask for forks), cannot signal or trace its siblings or the server, and
still runs under every limit. The cases switch the Python guards off first
(DISABLE_PYTHON_GUARDS), so they prove the kernel layers on their own.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from envs.sandbox import seccomp
from envs.sandbox.limits import Limits
from envs.sandbox.session import SessionConfig, WorkerSession
from envs.toolworld.env import ToolWorldEnv

from .conftest import DISABLE_PYTHON_GUARDS, STEP_TIMEOUT_S, TASK
from .test_toolworld_attacks import ALL_LAYERS, assert_still_solvable, needs_kernel_layers
from .test_toolworld_worker import state as process_state
from .test_toolworld_worker import wait_until

LEAVE_TRACES = (
    DISABLE_PYTHON_GUARDS
    + """
secret = 'episode one'
_sys.modules['statistics'].mean = lambda *a: 'patched'
_sys.modules['builtins'].LEFT_BEHIND = 'episode one'
_sys.modules['left_behind'] = _sys
os.environ['LEFT_BEHIND'] = '1'
print('left')
"""
)
FIND_TRACES = (
    DISABLE_PYTHON_GUARDS
    + """
import statistics
print('secret' in globals(), statistics.mean([1, 3]), hasattr(_sys.modules['builtins'], 'LEFT_BEHIND'),
      'left_behind' in _sys.modules, 'LEFT_BEHIND' in os.environ)
"""
)
IPC_PROBE = (
    DISABLE_PYTHON_GUARDS
    + """
ctypes = real_import('ctypes')
libc = ctypes.CDLL(None, use_errno=True)
for name, call in (('shmget', lambda: libc.shmget(0, 4096, 0o1600)), ('msgget', lambda: libc.msgget(0, 0o1600)),
                   ('semget', lambda: libc.semget(0, 1, 0o1600))):
    print(name, call(), ctypes.get_errno())
"""
)
OPEN_DESCRIPTORS = (
    DISABLE_PYTHON_GUARDS
    + """
kinds = []
for fd in range(3, 256):
    try:
        kinds.append(_sys.modules['builtins'].__import__('stat').S_IFMT(os.fstat(fd).st_mode))
    except OSError:
        pass
print(len(kinds), sorted(set(kinds)))
"""
)
SIGNALS = (
    DISABLE_PYTHON_GUARDS
    + """
for target in ({sibling}, os.getppid()):
    for sig in (0, 9):
        try:
            os.kill(target, sig)
            print('signalled', target, sig)
        except OSError as err:
            print('refused', err.errno)
libc = real_import('ctypes').CDLL(None, use_errno=True)
print('ptrace', libc.ptrace(16, os.getppid(), 0, 0), real_import('ctypes').get_errno())
"""
)
#: Reschedules the fork server (the worker's parent, `{server}` as the env sees it) and the spare worker every
#: later episode runs in: what the worker sets there would outlive its episode, and carry data into the next
RESCHEDULE = (
    DISABLE_PYTHON_GUARDS
    + """
for target in ({sibling}, os.getppid()):
    for name, call in (('nice', lambda: os.setpriority(os.PRIO_PROCESS, target, 19)),
                       ('idle', lambda: os.sched_setscheduler(target, os.SCHED_IDLE, os.sched_param(0))),
                       ('param', lambda: os.sched_setparam(target, os.sched_param(0))),
                       ('cpus', lambda: os.sched_setaffinity(target, {{min(os.sched_getaffinity(0))}}))):
        try:
            call()
            print('set', name)
        except OSError as err:
            print('refused', err.errno)
os.setpriority(os.PRIO_PROCESS, 0, 5)
print('own nice', os.getpriority(os.PRIO_PROCESS, 0))
"""
)
SCHEDULING = DISABLE_PYTHON_GUARDS + "print(os.getpriority(os.PRIO_PROCESS, 0), os.sched_getscheduler(0))"

LOADED_SANDBOX_MODULES = (
    DISABLE_PYTHON_GUARDS
    + """
print(sorted(n for n in _sys.modules if n.split('.')[0] in ('ctypes', '_ctypes', 'socket', '_socket', 'select')
             or n.startswith('_sandbox_')))
"""
)
REHEARSAL_TRACES = (
    DISABLE_PYTHON_GUARDS
    + """
print([name for name in _sys.modules['linecache'].cache if not name.startswith('<step')], 'reply' in globals(),
      sorted(type(o).__name__ for o in _gc.get_objects() if type(o).__name__ in ('Channel', 'Remote')))
"""
)


@pytest.fixture(scope="module")
def forked() -> Iterator[ToolWorldEnv]:
    env = ToolWorldEnv(split="train", step_timeout_s=STEP_TIMEOUT_S, output_limit=4_000, max_steps=20, sandbox="rlimit")
    yield env
    env.close()


def output_of(env: ToolWorldEnv, code: str) -> str:
    observation, *_ = env.step(code)
    return observation["history"][-1]["output"]


@needs_kernel_layers
def test_the_next_episode_finds_nothing_the_last_one_left(forked: ToolWorldEnv) -> None:
    forked.reset(options={"task_id": TASK})
    assert output_of(forked, LEAVE_TRACES) == "left\n"
    server = forked._live_worker()._server
    forked.reset(options={"task_id": TASK})
    assert forked._live_worker()._server is server  # the same server forked the new worker: no interpreter was booted
    assert output_of(forked, FIND_TRACES) == "False 2 False False False\n"
    assert forked._live_worker().confinement == ALL_LAYERS
    assert_still_solvable(forked)


@needs_kernel_layers
@pytest.mark.skipif(not seccomp.supported(), reason="the seccomp filter is built for x86_64 Linux only")
def test_a_worker_cannot_make_ipc_objects_that_would_outlive_its_episode(forked: ToolWorldEnv) -> None:
    forked.reset(options={"task_id": TASK})
    assert output_of(forked, IPC_PROBE).splitlines() == ["shmget -1 1", "msgget -1 1", "semget -1 1"]  # EPERM
    assert_still_solvable(forked)


@needs_kernel_layers
def test_a_worker_holds_only_its_own_two_pipes(forked: ToolWorldEnv) -> None:
    """No descriptor of the fork server's socket, of other workers' pipes or of their pidfds."""
    forked.reset(options={"task_id": TASK})
    assert output_of(forked, OPEN_DESCRIPTORS) == "2 [4096]\n"  # S_IFIFO: its stdin and stdout pipes
    assert_still_solvable(forked)


def test_a_worker_finds_no_trace_of_the_servers_rehearsal(forked: ToolWorldEnv) -> None:
    """The server ran a step's worker side before forking (Blueprint.rehearse): linecache holds no source it
    read (the snippet's, worker.py's for a traceback) and its namespace, channel and stub are gone, so the
    worker holds only its own channel and `apis`."""
    forked.reset(options={"task_id": TASK})
    assert output_of(forked, REHEARSAL_TRACES) == "[] False ['Channel', 'Remote']\n"


def test_a_worker_starts_without_ctypes_our_modules_or_the_servers_socket_modules(forked: ToolWorldEnv) -> None:
    """Dropped from sys.modules by the names the server listed once: a later `ctypes` import is audited."""
    forked.reset(options={"task_id": TASK})
    assert output_of(forked, LOADED_SANDBOX_MODULES) == "[]\n"
    assert "import of 'ctypes' is not allowed" in output_of(forked, "import ctypes")


@needs_kernel_layers
def test_a_worker_cannot_signal_or_trace_its_sibling_or_the_fork_server(forked: ToolWorldEnv) -> None:
    forked.reset(options={"task_id": TASK})
    session = forked._live_worker()
    assert session is not None and session._spare is not None and session._server is not None
    sibling, server = session._spare, session._server.proc
    lines = output_of(forked, SIGNALS.format(sibling=sibling.pid)).splitlines()
    assert lines == ["refused 1"] * 4 + ["ptrace -1 1"], lines
    assert sibling.poll() is None and server.poll() is None
    assert_still_solvable(forked)  # on the sibling: the reset after the probe swapped it in


@needs_kernel_layers
@pytest.mark.skipif(not seccomp.supported(), reason="the seccomp filter is built for x86_64 Linux only")
def test_a_worker_can_renice_itself_but_not_its_fork_server_or_sibling(forked: ToolWorldEnv) -> None:
    """A renice or scheduling policy set on the server was inherited by every later episode's worker."""
    forked.reset(options={"task_id": TASK})
    session = forked._live_worker()
    assert session._spare is not None and session._server is not None
    sibling, server = session._spare.pid, session._server.proc.pid
    before = [(os.getpriority(os.PRIO_PROCESS, pid), os.sched_getscheduler(pid)) for pid in (sibling, server)]
    lines = output_of(forked, RESCHEDULE.format(sibling=sibling)).splitlines()
    assert lines == ["refused 1"] * 8 + ["own nice 5"], lines
    assert [(os.getpriority(os.PRIO_PROCESS, pid), os.sched_getscheduler(pid)) for pid in (sibling, server)] == before
    for _ in range(2):  # on the sibling, then on a worker the server forked after the attempt
        forked.reset(options={"task_id": TASK})
        assert output_of(forked, SCHEDULING) == f"0 {os.SCHED_OTHER}\n"


def test_every_worker_gets_its_own_cpu_budget_and_the_server_none() -> None:
    """RLIMIT_CPU is set by each worker after fork: one that burns its budget dies of SIGXCPU, the next starts
    afresh, and the server, which has forked them all, keeps going."""
    limits = Limits(cpu_seconds=1, memory_bytes=1024**3, file_size_bytes=0)
    session = WorkerSession(SessionConfig(limits=limits, sandbox="rlimit"), spare=False)
    try:
        for _ in range(2):
            session.start()
            result = session.run("while True:\n    pass", lambda *_: (True, None, ""), timeout_s=30)
            assert result.stopped == "crash" and "SIGXCPU" in result.output, result.output
        assert session._server is not None and session._server.alive()
        probe = DISABLE_PYTHON_GUARDS + (
            "resource = real_import('resource')\n"
            "print([resource.getrlimit(getattr(resource, r)) for r in ('RLIMIT_CPU', 'RLIMIT_AS', 'RLIMIT_FSIZE')])"
        )
        result = session.run(probe, lambda *_: (True, None, ""), timeout_s=30)
        assert result.output == f"[(1, 2), ({1024**3}, {1024**3}), (0, 0)]\n", result.output
    finally:
        session.close()


def test_a_killed_fork_server_is_replaced_and_its_workers_die_with_it() -> None:
    session = WorkerSession(SessionConfig(sandbox="rlimit"), spare=True)
    try:
        assert session.run("x = 1", lambda *_: (True, None, ""), timeout_s=30).ok
        assert session._server is not None and session.proc is not None and session._spare is not None
        server, worker, spare = session._server, session.proc, session._spare
        os.killpg(server.proc.pid, signal.SIGKILL)
        assert worker.wait(timeout=10) < 0 and spare.wait(timeout=10) < 0  # killed, not left running unwatched
        assert session.died()
        server.proc.wait(timeout=10)  # gone for good: a fork asked of a server still exiting fails like its workers
        assert session.run("print('again')", lambda *_: (True, None, ""), timeout_s=30).output == "again\n"
        assert session._server is not server and session._server.alive()
        for gone in (worker, spare):  # the env's ends of the dead workers' pipes are closed, not left to the GC
            assert gone.stdin is not None and gone.stdout is not None
            assert gone.stdin.closed and gone.stdout.closed
    finally:
        session.close()


def test_a_timeout_also_ends_what_a_worker_started_where_it_could_start_processes() -> None:
    """Without the kernel layers (confine=False, as on a machine without seccomp) agent code can fork: the
    worker leads its own process group and the env kills that group, so nothing it started outlives the step."""
    session = WorkerSession(SessionConfig(sandbox="rlimit", confine=False), spare=False)
    answer = lambda *_: (True, None, "")  # noqa: E731
    started = (
        DISABLE_PYTHON_GUARDS + "pid = os.fork()\nif pid == 0:\n    os.execv('/bin/sleep', ['sleep', '60'])\nprint(pid)"
    )
    try:
        result = session.run(started, answer, timeout_s=30)
        assert result.ok, result.output
        child = int(result.output)
        assert process_state(child) not in ("gone", "Z")
        assert session.run("while True:\n    pass", answer, timeout_s=0.5).stopped == "timeout"
        assert wait_until(lambda: process_state(child) in ("gone", "Z"), 10), process_state(child)
    finally:
        session.close()


def test_a_worker_waited_on_while_another_thread_lets_go_of_it_is_read_once_and_closes_nothing_else(
    tmp_path,
) -> None:
    """The harness's watchdog closes the env while the step's thread waits on the worker (the fork server's
    close forgets released workers' status pipes): the waiter still gets the exit code, and the descriptor
    number the close freed, taken meanwhile by a file of the env's, is neither read nor closed by the waiter."""
    session = WorkerSession(SessionConfig(sandbox="rlimit"), spare=False)
    try:
        assert session.run("x = 1", lambda *_: (True, None, ""), timeout_s=30).ok
        worker = session.proc
        assert worker is not None
        codes: list[object] = []
        waiter = threading.Thread(target=lambda: codes.append(_exit_code_or_error(worker)))
        waiter.start()
        # asleep in its poll (the only place wait() blocks): /proc/<pid>/task/<tid>/stat's state letter
        assert wait_until(lambda: _thread_state(waiter) == "S", 10)
        worker.forget_status()  # as ForkServer.close does for released workers
        sentinel = tmp_path / "env_file"
        sentinel.write_text("the env's own data")
        with sentinel.open() as kept:  # likely takes the number the status pipe had
            worker.kill()
            waiter.join(10)
            assert not waiter.is_alive() and codes == [-signal.SIGKILL]
            assert kept.read() == "the env's own data"  # still open, not read from by the waiter
    finally:
        session.close()


def _thread_state(thread: threading.Thread) -> str:
    stat = Path(f"/proc/self/task/{thread.native_id}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0]


def _exit_code_or_error(worker) -> object:
    try:
        return worker.wait(timeout=10)
    except Exception as error:  # noqa: BLE001 - what the waiter met is the test's result
        return error
