"""Helpers to run train_free_eval.py for real, in a subprocess, on the tiny test env."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TEST_CONF = Path(__file__).resolve().parent / "conf"


def eval_command(*overrides: str) -> list[str]:
    """The train_free_eval.py command line, with this folder's configs (env=tiny) on the search path."""
    flags = [arg for arg in overrides if arg.startswith("-")]  # e.g. -m: before all overrides
    rest = [arg for arg in overrides if not arg.startswith("-")]
    return [
        sys.executable,
        str(REPO / "train_free_eval.py"),
        *flags,
        f"hydra.searchpath=[file://{TEST_CONF}]",
        "progress=false",
        *rest,
    ]


def run_eval(*overrides: str, check: bool = True, timeout: float = 180) -> subprocess.CompletedProcess:
    proc = subprocess.run(eval_command(*overrides), cwd=REPO, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"train_free_eval.py failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def read_lines(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "results.jsonl").read_text().splitlines()]


@pytest.fixture
def tiny_env():
    from tests.harness.tiny_env import TinyEnv

    env = TinyEnv()
    yield env
    env.close()
