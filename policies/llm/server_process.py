"""A model server run as a subprocess on loopback, owned by this process.

Started in its own session (so its worker processes die with it), ready when
a URL answers 200 within a bounded time, stopped as a whole process group
by `stop()`, on leaving a `with` block, or at interpreter exit. Each start
has a scratch folder of its own, holding its log and whatever the variables
named in `scratch_env` point the server to (vLLM's IPC sockets), deleted at
stop: a killed server cannot unlink its own sockets (397 of vLLM's were
found in /tmp after a few days of test runs). When it
fails to start, the error carries the tail of its log. While it starts (a vLLM
server takes minutes), one progress line on stderr shows the time so far and
the last line of its log.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NoReturn, TypeVar

from tqdm import tqdm

from envs.sandbox.processes import kill_process_group
from policies.llm.base import LLMError


def answers(url: str, timeout_s: float = 2.0) -> bool:
    """True when GET `url` returns a 2xx status."""
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError):
        return False


_Server = TypeVar("_Server", bound="ServerProcess")  # start() and `with` return the subclass they are called on


class ServerProcess:
    """One server command: start it, wait until `ready_url` answers, stop it. Restartable."""

    def __init__(
        self,
        command: Sequence[str],
        ready_url: str,
        name: str,
        env: Mapping[str, str] | None = None,
        startup_timeout_s: float = 600.0,
        scratch_env: Sequence[str] = (),
    ) -> None:
        if startup_timeout_s <= 0:
            raise ValueError(f"startup_timeout_s must be > 0, got {startup_timeout_s}")
        self.command = list(command)
        self.ready_url = ready_url
        self.name = name
        self.env = dict(env or {})
        self.startup_timeout_s = startup_timeout_s
        self.scratch_env = tuple(scratch_env)  # variables set to the start's scratch folder, unless set already
        self.process: subprocess.Popen | None = None
        self._scratch: Path | None = None  # this start's folder: its log, and what `scratch_env` points to
        atexit.register(self.stop)

    @property
    def _log_path(self) -> Path | None:
        return None if self._scratch is None else self._scratch / "server.log"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self: _Server) -> _Server:
        """Launch and block until ready; raises LLMError with the log tail if it is not."""
        if self.running:
            return self
        self.stop()  # a crashed earlier run: reap it and drop its log
        self._scratch = Path(tempfile.mkdtemp(prefix=f"{self.name.replace(' ', '_')}_"))
        scratch = {name: str(self._scratch) for name in self.scratch_env if name not in os.environ}
        with open(self._scratch / "server.log", "wb") as log:
            self.process = subprocess.Popen(
                self.command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **scratch, **self.env},
                start_new_session=True,
            )
        self._wait_ready(self.process)
        return self

    def _wait_ready(self, process: subprocess.Popen) -> None:
        started = time.monotonic()
        # On a terminal the line is redrawn each second; in a log file, every 15 s.
        redraw_s = 1.0 if sys.stderr.isatty() else 15.0
        with tqdm(desc=f"starting {self.name}", bar_format="{desc}: {elapsed}{postfix}", mininterval=redraw_s) as line:
            while time.monotonic() - started < self.startup_timeout_s:
                if process.poll() is not None:
                    self._fail(f"{self.name} exited with code {process.returncode} while starting")
                last = self.last_log_line()  # before asking: the server may log that request
                ready = answers(self.ready_url)
                line.set_postfix_str(f"{'ready; ' if ready else ''}last log line: {last}", refresh=ready)
                line.update(0)
                if ready:
                    return
                time.sleep(0.5)
        self._fail(f"{self.name} not ready at {self.ready_url} after {self.startup_timeout_s:.0f} s")

    def last_log_line(self, chars: int = 120) -> str:
        """The last non-blank line the server wrote (a progress bar's last redraw), cut to `chars`."""
        lines = [line.strip() for line in self.log_tail(4000).replace("\r", "\n").splitlines() if line.strip()]
        last = lines[-1] if lines else "(nothing yet)"
        return last if len(last) <= chars else last[: chars - 3] + "..."

    def _fail(self, reason: str) -> NoReturn:
        tail = self.log_tail()
        self.stop()
        raise LLMError(f"{reason}; command: {' '.join(self.command)}\nits log ends with:\n{tail}")

    def log_tail(self, chars: int = 3000) -> str:
        if self._log_path is None or not self._log_path.exists():
            return "(no log)"
        return self._log_path.read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        """Kill the server's whole process group and delete its scratch folder (its log). Idempotent."""
        if self.process is not None:
            if self.process.poll() is None:
                kill_process_group(self.process, grace_s=5.0)
            try:  # workers that outlived their leader still carry its group id
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.process = None
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def __enter__(self: _Server) -> _Server:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
