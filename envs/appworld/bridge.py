"""The trainfree side of envs/appworld/worker.py: start it in AppWorld's interpreter, ask, wait with a deadline.

AppWorld pins pydantic 1 (and old fastapi, httpx, pytest, ...), which the
project's own extras cannot share, so it usually lives in a venv of its own;
`python` names that venv's interpreter. Agent code runs inside the worker (in
AppWorld's own shell), so every answer line is checked before it is decoded
(envs/sandbox/wire.py) and must carry its request's random id (agent code can
import os and write to the answer pipe: a forged line is a fault, not an
answer), every read has a deadline, and any fault kills the worker's whole
process group and raises `AppWorldWorkerError`.
"""

from __future__ import annotations

import json
import os
import secrets
import selectors
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from envs.sandbox import wire
from envs.sandbox.processes import kill_process_group, spawn

WORKER = Path(__file__).with_name("worker.py")
#: One answer line: an execute output is cut to 1,000,000 characters in the worker; JSON escapes grow it.
MAX_ANSWER_BYTES = 16 * 2**20


class AppWorldWorkerError(RuntimeError):
    """The worker died, overran its deadline or sent something it could not have sent honestly."""


class AppWorldRequestError(RuntimeError):
    """AppWorld refused a request (unknown task or split, missing data...); the worker is fine."""


class AppWorldProcess:
    """One worker process; `call(op, **args)` returns the op's value or raises.

    `preload=True` starts a spare: its start requests (hello, then preload: appworld and every app's modules
    imported, no task opened) are sent at once and answered while the env does other work; `wait_ready`, or
    the first `call`, waits for their answers.
    """

    def __init__(self, python: str, root: str, start_timeout_s: float = 120.0, preload: bool = False) -> None:
        self.python, self.root = python, root
        env = {**os.environ, "APPWORLD_ROOT": root}
        self._proc = spawn(
            [python, "-I", str(WORKER), str(os.getpid())],  # the worker dies with this process (parent-death signal)
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=root,
            env=env,
            start_new_session=True,  # its own process group: a kill takes whatever agent code started
        )
        self._buffer = b""
        self._reader: int | None = None  # the thread waiting for an answer, which alone may close the pipes under it
        self.temp_dir = ""  # the confined worker's private temp folder, removed with the worker
        self.info: dict[str, Any] = {}
        self._start_timeout_s = start_timeout_s
        self._starting = [(op, self._send(op)) for op in ("hello", "preload")[: 2 if preload else 1]]
        if not preload:
            self.wait_ready()

    @property
    def pid(self) -> int:
        return self._proc.pid

    def wait_ready(self) -> None:
        """Wait for the answers to the start requests (at most `start_timeout_s` each); a refused one (appworld
        cannot be imported) kills the worker: there is no use keeping it."""
        try:
            while self._starting:
                op, request_id = self._starting.pop(0)
                value = self._receive(op, request_id, self._start_timeout_s)
                if op == "hello":
                    self.info = value
        except AppWorldRequestError:
            self.kill()
            raise

    def call(self, op: str, timeout_s: float = 60.0, **args: Any) -> Any:
        self.wait_ready()
        request_id = self._send(op, **args)
        return self._receive(op, request_id, timeout_s)

    def _send(self, op: str, **args: Any) -> str:
        """Write one request; its random id, which its answer must carry."""
        if self._proc.poll() is not None:
            raise AppWorldWorkerError(f"the AppWorld worker has exited (code {self._proc.returncode})")
        try:
            assert self._proc.stdin is not None
            request_id = secrets.token_hex(16)
            self._proc.stdin.write(wire.encode({"op": op, "id": request_id, **args}))
            self._proc.stdin.flush()
        except OSError as error:
            self.kill()
            raise AppWorldWorkerError(f"the AppWorld worker stopped reading requests: {error}") from error
        return request_id

    def _receive(self, op: str, request_id: str, timeout_s: float) -> Any:
        self._reader = threading.get_ident()
        try:
            answer = self._read_answer(op, timeout_s)
        finally:
            self._reader = None
        if answer.get("id") != request_id:
            self.kill()
            raise AppWorldWorkerError(f"the AppWorld worker answered {op!r} with a line that is not its answer")
        if not answer.get("ok"):
            raise AppWorldRequestError(f"AppWorld refused {op!r}: {answer.get('error')}")
        return answer.get("value")

    def _read_answer(self, op: str, timeout_s: float) -> dict[str, Any]:
        assert self._proc.stdout is not None
        deadline = time.monotonic() + timeout_s
        with selectors.DefaultSelector() as selector:
            selector.register(self._proc.stdout, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    self.kill()
                    raise AppWorldWorkerError(f"AppWorld did not answer {op!r} within {timeout_s:g} s")
                chunk = os.read(self._proc.stdout.fileno(), 1 << 16)
                if not chunk:
                    self.kill()
                    raise AppWorldWorkerError(f"the AppWorld worker died during {op!r} (code {self._proc.returncode})")
                self._buffer += chunk
                if len(self._buffer) > MAX_ANSWER_BYTES and b"\n" not in self._buffer:
                    self.kill()
                    raise AppWorldWorkerError(f"the answer to {op!r} is over {MAX_ANSWER_BYTES:,} bytes")
        line, _, self._buffer = self._buffer.partition(b"\n")
        fault = wire.problem(line, MAX_ANSWER_BYTES)
        try:
            answer = None if fault else json.loads(line)
        except ValueError as error:
            fault = str(error)
        if not isinstance(answer, dict):
            self.kill()
            raise AppWorldWorkerError(
                f"the AppWorld worker sent a malformed answer to {op!r}: {fault or 'not an object'}"
            )
        return answer

    @property
    def alive(self) -> bool:
        return self._proc.poll() is None

    def kill(self) -> None:
        """End the worker's process group; its pipes and temp folder too, unless another thread waits for an answer
        (env.close() from the harness's watchdog): that thread then reads the pipe's end and calls this itself (its
        descriptors closed under it could be reused by a file opened meanwhile, and read as the worker's)."""
        kill_process_group(self._proc)
        if self._reader not in (None, threading.get_ident()):
            return
        if self.temp_dir:
            shutil.rmtree(self.temp_dir, ignore_errors=True)
        for stream in (self._proc.stdin, self._proc.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
