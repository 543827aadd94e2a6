"""Run llama-cpp-python's OpenAI-compatible server as a subprocess on loopback.

For tests, benchmarks and multi-process runs that want one shared model
server without vLLM: `with LlamaServer() as server: OpenAICompatible(...,
base_url=server.url)`. Process handling (own process group, readiness wait,
log tail in errors, stop at exit) is `ServerProcess`'s.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from policies.llm.llama_cpp_embedded import find_smollm2_gguf
from policies.llm.server_process import ServerProcess


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class LlamaServer(ServerProcess):
    """`python -m llama_cpp.server` for one GGUF (default: the embedded SmolLM2), started through
    llama_server_main so that llama.cpp stays off AMX kernels where they crash."""

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
        command = [
            sys.executable,
            "-m",
            "policies.llm.llama_server_main",
            "--model",
            str(self.model_path),
            "--model_alias",
            model_alias,
            "--host",
            host,
            "--port",
            str(self.port),
            "--n_ctx",
            str(context_window),
        ]
        if n_threads is not None:  # generation and prompt processing alike
            command += ["--n_threads", str(n_threads), "--n_threads_batch", str(n_threads)]
        super().__init__(
            command,
            ready_url=f"{self.url}/models",
            name=f"llama.cpp server ({model_alias}, port {self.port})",
            startup_timeout_s=startup_timeout_s,
        )

    @property
    def url(self) -> str:
        """The OpenAI base URL (ends in /v1)."""
        return f"http://{self.host}:{self.port}/v1"
