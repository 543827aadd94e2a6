"""The parent side of envs/sandbox/worker.py: start it, run code with a deadline, serve its calls.

`WorkerSession.run(code, handler, timeout_s)` sends one snippet, answers each
remote call with `handler(path, args, kwargs) -> (ok, value, error)`, and
returns the worker's output. A snippet that overruns its deadline, or a worker
that dies, ends with the worker killed and a `RunResult` saying why; the next
`run` starts a fresh worker (variables are gone: callers that need them replay
earlier snippets, see `replay`). Workers are forked by one sandboxed fork server
per session (forks.py), so a fresh worker costs a fork, not an interpreter boot.

Agent code can write anything to its end of the pipe, so the deadline covers
every read, every write (non-blocking, polled) and every handler call; each
line is checked before it is decoded (wire.py); a step may make a bounded
number of calls and send a bounded number of bytes; and any protocol fault
kills the worker with its buffered bytes. Every message carries its exec
request's number, so no step ever takes an earlier step's messages for its
own (agent code can forge its step's "done" and run on: what it sends after
that is dropped, its calls refused).
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envs.sandbox import bwrap, protections, wire
from envs.sandbox.colocation import CpuFollower
from envs.sandbox.forks import ForkedWorker, ForkServer, ForkServerGone
from envs.sandbox.limits import Limits
from envs.sandbox.processes import stat_fields
from envs.sandbox.protections import Protection
from envs.sandbox.read_grants import worker_grants, worker_hidden

WORKER = Path(__file__).with_name("worker.py")
WORKER_FILES = (
    WORKER,
    WORKER.with_name("wire.py"),
    WORKER.with_name("privileges.py"),
    WORKER.with_name("seccomp.py"),
    WORKER.with_name("landlock.py"),
)  # what the worker loads by path
ALLOWED_MODULES = (
    "json",
    "math",
    "re",
    "datetime",
    "time",
    "collections",
    "itertools",
    "functools",
    "random",
    "string",
    "statistics",
    "decimal",
    "fractions",
    "typing",
    "dataclasses",
    "copy",
    "heapq",
    "bisect",
    "operator",
    "textwrap",
    "calendar",
    "pprint",
    "enum",
    "difflib",
    "unicodedata",
    "zoneinfo",
)
# what a confined worker may read: the standard library, shared libraries, time zones; nothing else (and of these
# no site directory, no trainfree file: read_grants.worker_grants carves them out)
WORKER_READ_ROOTS = tuple(
    sorted(
        {
            sysconfig.get_paths()["stdlib"],
            sysconfig.get_paths()["platstdlib"],
            os.path.dirname(os.__file__),
            "/usr/lib",
            "/usr/lib64",
            "/lib",
            "/lib64",
            "/usr/share/zoneinfo",
        }
    )
)
OUTPUT_SLACK_CHARS = 200  # the worker's truncation marker on top of output_limit
STALE_CALL = "this call comes from a step whose output was already returned; it was not made"
RAN_ON_AFTER_S = 0.05  # how long after a step's output a worker must be waiting for its next step (see ran_on)
READY_TIMEOUT_S = 30.0  # a worker's start-up, when waited for outside a step (a busy machine can take seconds)
CONFINEMENT_PROBES = {
    "capabilities": protections.capabilities_protection,
    "landlock": protections.landlock_protection,
    "seccomp": protections.seccomp_protection,
}
CallHandler = Callable[[list[str], list[Any], dict[str, Any]], tuple[bool, Any, str]]


@dataclass(frozen=True)
class SessionConfig:
    allowed_modules: tuple[str, ...] = ALLOWED_MODULES
    output_limit: int = 20_000
    frozen_time: str | None = None
    seed: int = 0
    stub: str = "apis"
    limits: Limits = field(default_factory=lambda: Limits(cpu_seconds=None, memory_bytes=1024**3, file_size_bytes=0))
    confine: bool = True  # seccomp + Landlock in the worker (see worker.py); False only to debug the worker itself
    # "auto": also bwrap namespaces when bwrap works here; "bwrap": require them; "rlimit": never (see bwrap.py)
    sandbox: str = "auto"
    # per step (one `run`): what a runaway or hostile snippet may cost the env before the worker is stopped
    max_calls_per_step: int = 1_000
    max_bytes_per_step: int = 32 * 2**20
    # run each step's worker on the CPU the env's thread is on (colocation.py); off when limits pin the worker
    colocate: bool = True


class WorkerStartError(RuntimeError):
    """The worker could not apply its limits or confinement: a setup problem, not the agent's fault."""


class _DeadlinePassed(Exception):
    """The step's time is up."""


class _WorkerGone(Exception):
    """The worker's end of the pipe is closed: it exited or was killed."""


class _StepLimit(Exception):
    """The snippet used up its step's budget of calls or bytes (the message says what it did)."""


@dataclass
class RunResult:
    output: str
    ok: bool
    stopped: str | None = None  # why the worker was stopped: "timeout", "limit", "crash"; None when it finished


class WorkerSession:
    def __init__(self, config: SessionConfig, spare: bool = True):
        self.config = config
        self.proc: ForkedWorker | None = None
        self._spare: ForkedWorker | None = None
        self._server: ForkServer | None = None
        self._keep_spare = spare
        self._buffer = bytearray()
        self._ready = False
        self.fresh = False
        self.confinement: list[str] = []  # layers the current worker reported ("parent_death", "landlock", ...)
        self._skipped: dict[str, str] | None = None  # layers the first ready worker could not apply, and why
        self._seq = 0  # the current exec request's number, echoed in every message the worker sends for it
        self._output_at: float | None = None  # when the current worker's last step returned its output
        self._step_bytes = 0
        self._line_cap = max(wire.MAX_MESSAGE_BYTES, 12 * (config.output_limit + OUTPUT_SLACK_CHARS) + 1024)
        self.uses_bwrap = bwrap.use_bwrap(config.sandbox)
        self._workdir = tempfile.TemporaryDirectory(prefix="trainfree-worker-")
        self._closed = False
        self._runner: int | None = None  # the thread inside run(), which alone may close the pipes under it
        self._cpu_follower = CpuFollower() if config.colocate and not config.limits.cpu_affinity else None

    def start(self) -> None:
        """Switch to a fresh worker (killing the old one); does not wait for it to be ready.

        A spare worker is forked ahead of need, so even the fork and the worker's own confinement
        happen while the previous episode runs, not on the next reset or restore.
        """
        if self._closed:  # e.g. a step still replaying when the harness closed the env from its watchdog
            raise RuntimeError("the worker session is closed: no new worker may start")
        self.stop()
        spare, self._spare = self._spare, None
        if spare is not None and spare.poll() is not None:  # died waiting (e.g. its server was killed)
            _kill(spare)  # closes the env's ends of its pipes, which were otherwise left to the garbage collector
            spare = None
        self.proc = spare if spare is not None else self._spawn()
        self._buffer = bytearray()
        self._ready = False
        self.fresh = True  # no code has run in this worker yet
        if self._keep_spare:
            self._spare = self._spawn()

    def _spawn(self) -> ForkedWorker:
        """A fresh worker from this session's fork server (started, or restarted if it died, first)."""
        for _ in range(2):
            if self._server is None or not self._server.alive():
                if self._server is not None:
                    self._server.close()
                self._server = self._start_server()
            try:
                worker = self._server.fork()
                for end in (worker.stdin, worker.stdout):  # every read and write waits on a deadline, not on it
                    os.set_blocking(end.fileno(), False)
                return worker
            except ForkServerGone:
                self._server.close()
                self._server = None
        raise WorkerStartError("the worker fork server died twice in a row as it was asked for a worker")

    def _start_server(self) -> ForkServer:
        # -s -S -P: no user/site packages, no script dir on sys.path; not -I/-E, so the PYTHONHASHSEED
        # below holds and set/dict-of-str order is the same in every worker (replays stay exact)
        argv = [sys.executable, "-s", "-S", "-P", str(WORKER)]
        if self.uses_bwrap:
            # no site directory, no trainfree file, but the worker's own files (loaded by path before its Landlock)
            argv = bwrap.wrap(
                argv,
                readable=(*WORKER_READ_ROOTS, sys.prefix, sys.base_prefix, sys.exec_prefix, sys.executable),
                writable=(self._workdir.name,),
                chdir=self._workdir.name,
                hidden=worker_hidden(),
                reveal=tuple(map(str, WORKER_FILES)),
            )
        c, lim = self.config, self.config.limits
        grants = worker_grants(WORKER_READ_ROOTS)
        rlimits = {
            "RLIMIT_CPU": lim.cpu_seconds,
            "RLIMIT_AS": lim.memory_bytes,
            "RLIMIT_FSIZE": lim.file_size_bytes,
            "RLIMIT_NOFILE": lim.open_files,
            "RLIMIT_CORE": 0,
            "RLIMIT_NPROC": lim.max_processes,
        }
        init = {
            "op": "init",
            "allowed_modules": list(c.allowed_modules),
            "output_limit": c.output_limit,
            "frozen_time": c.frozen_time,
            "seed": c.seed,
            "stub": c.stub,
            # inside bwrap the server's parent is bwrap's init, PID 1 of the sandbox (bwrap dies with the env)
            "parent_pid": 1 if self.uses_bwrap else os.getpid(),
            "rlimits": rlimits,
            "cpu_affinity": list(lim.cpu_affinity or []),
            "confine": list(grants.readable) if c.confine else None,
            "listable": list(grants.listable),
        }
        # spawned from the lasting spawner thread (forks.py): the parent-death signal follows the thread that
        # started the server; no preexec_fn, so Popen can vfork: the server applies its rlimits itself
        return ForkServer(
            argv,
            init,
            cwd=self._workdir.name,
            env=self.config.limits.environment(
                {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": str(self.config.seed % 2**32)}
            ),
        )

    def run(self, code: str, handler: CallHandler, timeout_s: float, name: str = "<agent>") -> RunResult:
        deadline = time.monotonic() + timeout_s
        self._runner = threading.get_ident()
        try:
            return self._exchange(code, handler, deadline, name)
        except _DeadlinePassed:
            self.stop()
            return RunResult(
                f"Execution failed. TimeoutError: the code ran longer than {timeout_s:g} s and was stopped.",
                False,
                "timeout",
            )
        except _StepLimit as err:
            self.stop()
            return RunResult(
                f"Execution failed. LimitError: the code {err} in one step and was stopped.", False, "limit"
            )
        except (_WorkerGone, wire.ProtocolError) as err:
            code_ = _exit_code(self.proc, wait_s=0.5 if isinstance(err, _WorkerGone) else 0.0)
            self.stop()
            return RunResult(
                f"Execution failed. The Python worker died ({_exit_reason(code_, err)}) and was restarted.",
                False,
                "crash",
            )
        except BaseException:
            self.stop()  # a handler's bug, an interrupt: the worker is mid-step, so it is never reused
            raise
        finally:
            self._runner = None

    def _exchange(self, code: str, handler: CallHandler, deadline: float, name: str) -> RunResult:
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        self._step_bytes = 0
        if not self._ready:
            self._expect_ready(deadline)
        if self._cpu_follower is not None and self.proc is not None:
            self._cpu_follower.follow(self.proc)
        self.fresh = False
        self._seq += 1
        self._send({"op": "exec", "code": code, "name": name, "seq": self._seq}, deadline)
        calls = 0
        while True:
            message = self._receive(deadline)
            output = message.get("output")
            done = message.get("op") == "done" and isinstance(output, str) and isinstance(message.get("ok"), bool)
            if not done and not _is_call(message):
                raise wire.ProtocolError(f"the worker sent a malformed message: {str(message)[:200]}")
            seq = message.get("seq")
            if type(seq) is not int or seq > self._seq:
                raise wire.ProtocolError(f"the worker sent a message numbered {str(seq)[:20]}, not {self._seq}")
            stale = seq < self._seq  # an earlier step's code, still running after it forged that step's "done"
            if isinstance(output, str) and done:
                if len(output) > self.config.output_limit + OUTPUT_SLACK_CHARS:
                    raise wire.ProtocolError(f"the worker sent {len(output):,} characters of output, over its limit")
                if stale:
                    continue  # that step's output was returned already: never this step's
                self._output_at = time.monotonic()
                return RunResult(output, message["ok"])
            calls += 1
            if calls > self.config.max_calls_per_step:
                raise _StepLimit(f"made more than {self.config.max_calls_per_step:,} API calls")
            if stale:
                self._send({"op": "reply", "seq": seq, "ok": False, "value": None, "error": STALE_CALL}, deadline)
                continue
            path = message["path"]
            ok, value, error = handler(path, message.get("args", []), message.get("kwargs", {}))
            if time.monotonic() > deadline:  # a slow handler counts against the step's time too
                raise _DeadlinePassed
            self._send_frame(_reply_frame(path, seq, ok, value, error), deadline)

    def protections(self) -> list[Protection]:
        """What guards this session's workers, from what its first worker reported when it was ready
        (waits for that report once; later workers run with the same config on the same machine)."""
        if self._skipped is None:
            if self.proc is None or self.proc.poll() is not None:
                self.start()
            try:
                self._expect_ready(time.monotonic() + READY_TIMEOUT_S)
            except _DeadlinePassed:
                self.stop()
                raise WorkerStartError(
                    f"the sandbox worker did not report ready within {READY_TIMEOUT_S:g} s"
                ) from None
            except (_WorkerGone, wire.ProtocolError) as err:
                reason = _exit_reason(_exit_code(self.proc, wait_s=0.5), err)
                self.stop()
                raise WorkerStartError(f"the sandbox worker did not start: {reason}") from None
        assert self._skipped is not None
        found = [protections.bwrap_protection(self.uses_bwrap, self.config.sandbox)]
        for layer, probe in CONFINEMENT_PROBES.items():
            if not self.config.confine:
                found.append(Protection(layer, False, "switched off (SessionConfig.confine=False)"))
            elif layer in self.confinement:
                expected = probe()
                found.append(Protection(layer, True, expected.detail if expected.active else "applied"))
            else:
                found.append(Protection(layer, False, self._skipped.get(layer) or probe().detail))
        found.append(
            Protection("parent_death", "parent_death" in self.confinement, "the worker is killed when the env dies")
        )
        return found

    def ran_on(self) -> bool:
        """True when the worker is running code a while after its last step's output, instead of waiting for the
        next step: code that forged that output runs on, taking CPU from the env (whose CPU it follows) while the
        policy thinks. Looked at only after RAN_ON_AFTER_S, when an honest worker is surely back on its read: one
        read of /proc, never between back-to-back steps (there the next step's time limit ends such code)."""
        if self.proc is None or self._output_at is None or time.monotonic() - self._output_at < RAN_ON_AFTER_S:
            return False
        fields = stat_fields(self.proc.pid)
        return fields is not None and fields[0] == b"R"

    def died(self) -> bool:
        """True when a started worker has exited on its own (killed, crashed) since the last run."""
        return self.proc is not None and self.proc.poll() is not None

    def stop(self) -> None:
        """Kill the current worker (the spare, if any, stays ready) and forget what it sent."""
        if self.proc is not None:
            if self._runner not in (None, threading.get_ident()):
                # another thread is mid-step (e.g. the harness's watchdog closing the env): only kill, and let that
                # thread see the pipe close and clean up; closing its descriptors under it could let a file opened
                # meanwhile take their numbers and receive the worker's replies
                self.proc.kill()
                return
            if self._cpu_follower is not None and self.proc.poll() is None:  # reported gone: its pid may be reused
                self._cpu_follower.let_go(self.proc)
            _kill(self.proc)
            self.proc = None
        self._buffer = bytearray()
        self._ready = False
        self._output_at = None

    def close(self) -> None:
        self._closed = True
        self.stop()
        if self._spare is not None:
            _kill(self._spare)
            self._spare = None
        if self._server is not None:
            self._server.close()
            self._server = None
        self._workdir.cleanup()

    def _expect_ready(self, deadline: float) -> None:
        message = self._receive(deadline)
        if message.get("op") == "failed":
            raise WorkerStartError(
                f"the sandbox worker could not confine itself, so it ran nothing: {message.get('reason')}"
            )
        layers, skipped = message.get("confinement"), message.get("skipped", {})
        if (
            message.get("op") != "ready"
            or not isinstance(layers, list)
            or not all(isinstance(layer, str) for layer in layers)
            or not isinstance(skipped, dict)
        ):
            raise wire.ProtocolError(f"the worker said {str(message)[:200]} instead of ready")
        self.confinement = layers
        if self._skipped is None:
            self._skipped = {str(k): str(v) for k, v in skipped.items()}
        self._ready = True

    def _send(self, message: dict[str, Any], deadline: float) -> None:
        self._send_frame(wire.frame(message), deadline)

    def _send_frame(self, frame: bytes, deadline: float) -> None:
        assert self.proc is not None
        _write(self.proc, frame, deadline)
        if self._cpu_follower is not None:
            self._cpu_follower.hand_over()

    def _receive(self, deadline: float) -> dict[str, Any]:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        scanned = 0  # bytes of the buffer known to hold no newline: each byte is searched once
        while (end := self._buffer.find(b"\n", scanned)) < 0:
            if len(self._buffer) > self._line_cap:
                raise wire.ProtocolError(f"the worker sent a message over the {self._line_cap:,} byte limit")
            scanned = len(self._buffer)
            try:  # the worker has mostly written already (it ran on this CPU until it blocked): read, then wait
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:
                _wait(fd, select.POLLIN, deadline)
                continue
            except OSError as err:
                raise _WorkerGone(f"reading its pipe failed: {err}") from None
            if not chunk:
                raise _WorkerGone("worker closed its pipe")
            self._step_bytes += len(chunk)
            if self._step_bytes > self.config.max_bytes_per_step:
                limit = self.config.max_bytes_per_step / 2**20
                raise _StepLimit(f"sent more than {limit:g} MB to the env")
            self._buffer += chunk  # a bytearray: appending is amortized O(len(chunk)), not a copy of the whole buffer
        if time.monotonic() > deadline:  # also when a flood left many messages buffered
            raise _DeadlinePassed
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        try:  # agent code can write to the pipe: anything but a bounded JSON object is a protocol error
            return wire.decode(line, self._line_cap)
        except wire.ProtocolError as err:
            raise wire.ProtocolError(f"the worker sent {err}") from None


def _is_call(message: dict[str, Any]) -> bool:
    path, args, kwargs = message.get("path"), message.get("args", []), message.get("kwargs", {})
    return (
        message.get("op") == "call"
        and type(path) is list
        and not [part for part in path if type(part) is not str]
        and isinstance(args, list)
        and isinstance(kwargs, dict)
    )


def _reply_frame(path: list[str], seq: int, ok: bool, value: Any, error: str) -> bytes:
    """The framed reply, or an error reply when the handler's answer cannot cross the pipe: marshal cannot
    encode it (not plain data, or nested past marshal's own limit) or it is over wire.MAX_MESSAGE_BYTES."""
    try:
        frame = wire.frame({"op": "reply", "ok": ok, "value": value, "error": error, "seq": seq})
        size, limit = len(frame) - wire.FRAME_HEADER, wire.MAX_MESSAGE_BYTES
        reason = f"{size:,} bytes, over the {limit:,} byte limit" if size > limit else None
    except ValueError as err:
        reason = f"{type(err).__name__}: {str(err)[:200]}"
    if reason is None:
        return frame
    error = f"the answer of {'.'.join(path)[:100]} cannot be sent: {reason}"
    return wire.frame({"op": "reply", "ok": False, "value": None, "error": error, "seq": seq})


def _wait(fd: int, event: int, deadline: float) -> None:
    """Until `fd` is ready for `event` (or hung up); _DeadlinePassed when the deadline comes first."""
    poller = select.poll()  # not select(): it fails on descriptors past 1023, and an env process can hold that many
    poller.register(fd, event)
    left = deadline - time.monotonic()
    if left <= 0 or not poller.poll(left * 1000):
        raise _DeadlinePassed


def _write(proc: ForkedWorker, data: bytes, deadline: float) -> None:
    """All of `data` into the worker's non-blocking stdin, or _DeadlinePassed: a worker that stops reading
    (its agent code floods calls and never reads the replies) cannot block the env."""
    assert proc.stdin is not None
    fd, view = proc.stdin.fileno(), memoryview(data)
    while view:
        try:
            view = view[os.write(fd, view) :]
        except BlockingIOError:
            _wait(fd, select.POLLOUT, deadline)
            continue
        except OSError as err:  # EPIPE: the worker is gone
            raise _WorkerGone(f"writing to it failed: {err}") from None


def _kill(proc: ForkedWorker) -> None:
    """Kill a worker (it cannot fork or start threads: nothing else is left of it) and close the env's ends."""
    proc.kill()
    proc.release()


def _exit_code(proc: ForkedWorker | None, wait_s: float) -> int | None:
    """The worker's exit code; a worker that closed its pipe is given a moment to be reaped, so the reason is exact."""
    if proc is None:
        return None
    try:
        return proc.wait(timeout=wait_s) if wait_s else proc.poll()
    except subprocess.TimeoutExpired:
        return None


def _exit_reason(returncode: int | None, err: Exception) -> str:
    if returncode is None:
        return str(err)
    if returncode < 0:
        name = signal.Signals(-returncode).name if -returncode in signal.valid_signals() else "unknown"
        hint = {
            "SIGKILL": ", e.g. out of memory",
            "SIGSEGV": ", e.g. a stack overflow in C code",
            "SIGXCPU": ": CPU time limit",
        }.get(name, "")
        return f"killed by signal {-returncode} ({name}){hint}"
    return f"exit code {returncode}"
