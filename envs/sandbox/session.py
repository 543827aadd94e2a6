"""The parent side of envs/sandbox/worker.py: start it, run code with a deadline, serve its calls.

`WorkerSession.run(code, handler, timeout_s)` sends one snippet, answers each
remote call with `handler(path, args, kwargs) -> (ok, value, error)`, and
returns the worker's output. A snippet that overruns its deadline, or a worker
that dies, ends with the whole process group killed and a `RunResult` saying
why; the next `run` starts a fresh worker (variables are gone: callers that
need them replay earlier snippets, see `replay`).
"""

from __future__ import annotations

import json
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

from envs.sandbox import bwrap
from envs.sandbox.limits import Limits
from envs.sandbox.processes import kill_process_group

WORKER = Path(__file__).with_name("worker.py")
WORKER_FILES = (
    WORKER,
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
# what a confined worker may read: the standard library, shared libraries, time zones; nothing else
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
MAX_MESSAGE_BYTES = 16 * 2**20  # one API call's arguments or one output: more is a runaway, not a request
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


class WorkerStartError(RuntimeError):
    """The worker could not apply its limits or confinement: a setup problem, not the agent's fault."""


@dataclass
class RunResult:
    output: str
    ok: bool
    stopped: str | None = None  # why the worker was stopped: "timeout", "crash"; None when it finished


class WorkerSession:
    def __init__(self, config: SessionConfig, spare: bool = True):
        self.config = config
        self.proc: subprocess.Popen | None = None
        self._spare: subprocess.Popen | None = None
        self._keep_spare = spare
        self._buffer = bytearray()
        self._ready = False
        self.fresh = False
        self.confinement: list[str] = []  # kernel layers the current worker reported ("landlock", "seccomp")
        self.uses_bwrap = bwrap.use_bwrap(config.sandbox)
        self._workdir = tempfile.TemporaryDirectory(prefix="trainfree-worker-")

    def start(self) -> None:
        """Switch to a fresh worker (killing the old one); does not wait for it to be ready.

        A spare worker is spawned ahead of need, so the interpreter start-up (~50 ms)
        happens while the previous episode runs, not on the next reset or restore.
        """
        self.stop()
        spare, self._spare = self._spare, None
        self.proc = spare if spare is not None and spare.poll() is None else self._spawn()
        self._buffer = bytearray()
        self._ready = False
        self.fresh = True  # no code has run in this worker yet
        if self._keep_spare:
            self._spare = self._spawn()

    def _spawn(self) -> subprocess.Popen:
        # -s -S -P: no user/site packages, no script dir on sys.path; not -I/-E, so the PYTHONHASHSEED
        # below holds and set/dict-of-str order is the same in every worker (replays stay exact)
        argv = [sys.executable, "-s", "-S", "-P", str(WORKER)]
        if self.uses_bwrap:
            readable = (
                *WORKER_READ_ROOTS,
                sys.prefix,
                sys.base_prefix,
                sys.exec_prefix,
                sys.executable,
                *map(str, WORKER_FILES),
            )
            argv = bwrap.wrap(argv, readable=readable, writable=(self._workdir.name,), chdir=self._workdir.name)
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=self._workdir.name,
            env=self.config.limits.environment(
                {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": str(self.config.seed % 2**32)}
            ),
            # no preexec_fn: Popen can vfork (~0.3 ms instead of ~20 ms); the worker applies its rlimits itself
            start_new_session=True,
        )
        c, lim = self.config, self.config.limits
        rlimits = {
            "RLIMIT_CPU": lim.cpu_seconds,
            "RLIMIT_AS": lim.memory_bytes,
            "RLIMIT_FSIZE": lim.file_size_bytes,
            "RLIMIT_NOFILE": lim.open_files,
            "RLIMIT_CORE": 0,
            "RLIMIT_NPROC": lim.max_processes,
        }
        _write(
            proc,
            {
                "op": "init",
                "allowed_modules": list(c.allowed_modules),
                "output_limit": c.output_limit,
                "frozen_time": c.frozen_time,
                "seed": c.seed,
                "stub": c.stub,
                "rlimits": rlimits,
                "cpu_affinity": list(lim.cpu_affinity or []),
                "confine": [r for r in WORKER_READ_ROOTS if os.path.exists(r)] if c.confine else None,
            },
        )
        return proc

    def run(self, code: str, handler: CallHandler, timeout_s: float, name: str = "<agent>") -> RunResult:
        deadline = time.monotonic() + timeout_s
        try:
            if self.proc is None or self.proc.poll() is not None:
                self.start()
            if not self._ready:
                self._expect_ready(deadline)
            self.fresh = False
            self._send({"op": "exec", "code": code, "name": name})
            while True:
                message = self._receive(deadline)
                if message.get("op") == "done" and isinstance(message.get("output"), str):
                    return RunResult(message["output"], bool(message.get("ok")))
                if not _is_call(message):
                    raise ValueError(f"the worker sent a malformed message: {str(message)[:200]}")
                ok, value, error = handler(message["path"], message.get("args", []), message.get("kwargs", {}))
                self._send({"op": "reply", "ok": ok, "value": value, "error": error})
        except TimeoutError:
            self.stop()
            return RunResult(
                f"Execution failed. TimeoutError: the code ran longer than {timeout_s:g} s and was stopped.",
                False,
                "timeout",
            )
        except (EOFError, BrokenPipeError, ValueError) as err:
            code_ = _exit_code(self.proc, wait_s=0.5 if isinstance(err, (EOFError, BrokenPipeError)) else 0.0)
            if self.uses_bwrap and code_ is not None and code_ > 128:
                code_ = 128 - code_  # bwrap exits with 128 + the signal that killed the worker
            self.stop()
            return RunResult(
                f"Execution failed. The Python worker died ({_exit_reason(code_, err)}) and was restarted.",
                False,
                "crash",
            )

    def died(self) -> bool:
        """True when a started worker has exited on its own (killed, crashed) since the last run."""
        return self.proc is not None and self.proc.poll() is not None

    def stop(self) -> None:
        """Kill the current worker (the spare, if any, stays ready)."""
        if self.proc is not None:
            _kill(self.proc)
            self.proc = None

    def close(self) -> None:
        self.stop()
        if self._spare is not None:
            _kill(self._spare)
            self._spare = None
        self._workdir.cleanup()

    def _expect_ready(self, deadline: float) -> None:
        message = self._receive(deadline)
        if message.get("op") == "failed":
            raise WorkerStartError(
                f"the sandbox worker could not confine itself, so it ran nothing: {message.get('reason')}"
            )
        if message.get("op") != "ready":
            raise ValueError(f"worker said {message!r} instead of ready")
        self.confinement = list(message.get("confinement", []))
        self._ready = True

    def _send(self, message: dict[str, Any]) -> None:
        assert self.proc is not None
        _write(self.proc, message)

    def _receive(self, deadline: float) -> dict[str, Any]:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        scanned = 0  # bytes of the buffer known to hold no newline: each byte is searched once
        while (end := self._buffer.find(b"\n", scanned)) < 0:
            scanned = len(self._buffer)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            readable, _, _ = select.select([fd], [], [], left)
            if not readable:
                raise TimeoutError
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise EOFError("worker closed its pipe")
            self._buffer += chunk  # a bytearray: appending is amortized O(len(chunk)), not a copy of the whole buffer
            if len(self._buffer) > MAX_MESSAGE_BYTES:
                raise ValueError(f"it sent a message over {MAX_MESSAGE_BYTES // 2**20} MB")
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        message = json.loads(line)  # agent code can write to the pipe: anything but a JSON object is a protocol error
        if not isinstance(message, dict):
            raise ValueError(f"the worker sent a malformed message: {line[:200]!r}")
        return message


def _is_call(message: dict[str, Any]) -> bool:
    path, args, kwargs = message.get("path"), message.get("args", []), message.get("kwargs", {})
    return (
        message.get("op") == "call"
        and isinstance(path, list)
        and all(isinstance(p, str) for p in path)
        and isinstance(args, list)
        and isinstance(kwargs, dict)
    )


def _write(proc: subprocess.Popen, message: dict[str, Any]) -> None:
    assert proc.stdin is not None
    proc.stdin.write((json.dumps(message) + "\n").encode())
    proc.stdin.flush()


def _kill(proc: subprocess.Popen) -> None:
    """Kill a worker's whole session now and reap it off the caller's path (a worker needs no graceful end)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
        threading.Thread(target=proc.wait, daemon=True).start()
    except (ProcessLookupError, PermissionError):
        kill_process_group(proc, grace_s=0.2)
    for stream in (proc.stdin, proc.stdout):
        if stream is None:
            continue
        try:
            stream.close()
        except OSError:
            pass


def _exit_code(proc: subprocess.Popen | None, wait_s: float) -> int | None:
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
