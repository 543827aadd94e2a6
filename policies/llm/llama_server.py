"""Run llama-cpp-python's OpenAI-compatible server as a subprocess on loopback.

For tests, benchmarks and multi-process runs that want one shared model
server without vLLM: `with LlamaServer() as server: OpenAICompatible(...,
base_url=server.url)`. The server runs in its own process group, killed
as a whole by `stop()`, on leaving the `with` block, or at interpreter exit.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from envs.sandbox.limits import kill_process_group
from policies.llm.base import LLMError
from policies.llm.llama_cpp_embedded import find_smollm2_gguf


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class LlamaServer:
    """`python -m llama_cpp.server` for one GGUF, started and stopped by this object."""

    def __init__(
        self,
        model_path: str | Path | None = None,
        port: int | None = None,
        host: str = "127.0.0.1",
        context_window: int = 2048,
        n_threads: int | None = None,
        model_alias: str = "smollm2",
        startup_timeout_s: float = 60.0,
    ) -> None:
        self.model_path = Path(model_path) if model_path else find_smollm2_gguf()
        self.host = host
        self.port = port or free_port(host)
        self.model_alias = model_alias
        self.context_window = context_window
        self.n_threads = n_threads
        self.startup_timeout_s = startup_timeout_s
        self._process: subprocess.Popen | None = None
        self._log = tempfile.NamedTemporaryFile(prefix="llama_server_", suffix=".log", delete=False)

    @property
    def url(self) -> str:
        """The OpenAI base URL (ends in /v1)."""
        return f"http://{self.host}:{self.port}/v1"

    def start(self) -> "LlamaServer":
        command = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.model_path),
            "--model_alias", self.model_alias,
            "--host", self.host,
            "--port", str(self.port),
            "--n_ctx", str(self.context_window),
        ]
        if self.n_threads is not None:
            command += ["--n_threads", str(self.n_threads), "--n_threads_batch", str(self.n_threads)]
        self._process = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        atexit.register(self.stop)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._fail(f"llama.cpp server exited with code {self._process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/models", timeout=2):
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self._fail(f"llama.cpp server on {self.url} not ready after {self.startup_timeout_s:.0f} s")

    def _fail(self, reason: str) -> None:
        tail = self.log_tail()
        self.stop()
        raise LLMError(f"{reason}; its log ends with:\n{tail}")

    def log_tail(self, chars: int = 2000) -> str:
        self._log.flush()
        return Path(self._log.name).read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            kill_process_group(self._process)
        self._process = None
        if os.path.exists(self._log.name):
            self._log.close()
            os.unlink(self._log.name)

    def __enter__(self) -> "LlamaServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
