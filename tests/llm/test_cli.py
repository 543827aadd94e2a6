"""`python -m policies.llm chat`, run as a user would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from policies.llm.llama_server import free_port

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "policies.llm", "chat", *args], cwd=REPO, capture_output=True, text=True, timeout=300
    )


@pytest.mark.llm
def test_chat_with_the_default_model_prints_reply_usage_and_latency(smollm2_gguf: Path) -> None:
    result = run_cli("Say hello.", "--max-tokens", "6", "policy.model.n_threads=1")
    assert result.returncode == 0, result.stderr
    *reply, summary = result.stdout.strip().splitlines()
    assert "".join(reply).strip()
    assert "model SmolLM2-135M-Instruct.Q4_1" in summary and "tokens: prompt" in summary and "latency" in summary


def test_server_down_is_one_clear_line_and_exit_code_1() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    result = run_cli(
        "hi",
        "--policy",
        "openai_compatible",
        f"policy.model.base_url={url}",
        "policy.model.max_retries=1",
        "policy.model.backoff_s=0.05",
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and url in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_policy_lists_the_available_ones() -> None:
    result = run_cli("hi", "--policy", "nope")
    assert result.returncode == 1 and "smollm2" in result.stderr and "Traceback" not in result.stderr
