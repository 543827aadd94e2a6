"""llama.cpp kept off its AMX kernels where the CPU advertises AMX (policies/llm/llama_cpp_buffers.py): on a
Firecracker VM that lists amx_tile, the first tile instruction kills the process with SIGSEGV."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from policies.llm.llama_cpp_buffers import SETTING, cpu_advertises_amx, extra_buffers_wanted

SAPPHIRE_RAPIDS_FLAGS = "flags\t\t: fpu vme avx512f avx512_fp16 amx_bf16 amx_tile amx_int8\n"
EPYC_FLAGS = "flags\t\t: fpu vme avx2 avx512f avx512_bf16\n"


def cpuinfo(tmp_path: Path, flags: str) -> Path:
    path = tmp_path / "cpuinfo"
    path.write_text("processor\t: 0\nmodel name\t: some CPU\n" + flags + "\nprocessor\t: 1\n" + flags)
    return path


def test_amx_is_seen_in_the_cpu_flags_and_only_there(tmp_path: Path) -> None:
    assert cpu_advertises_amx(cpuinfo(tmp_path, SAPPHIRE_RAPIDS_FLAGS))
    assert not cpu_advertises_amx(cpuinfo(tmp_path, EPYC_FLAGS))
    # "amx_tile" in a model name is not a flag
    assert not cpu_advertises_amx(cpuinfo(tmp_path, "model name\t: amx_tile\n" + EPYC_FLAGS))
    assert not cpu_advertises_amx(tmp_path / "missing")


def test_the_setting_overrides_the_cpu_and_a_bad_value_is_named() -> None:
    assert extra_buffers_wanted({SETTING: "1"})
    assert not extra_buffers_wanted({SETTING: "0"})
    assert extra_buffers_wanted({}) is not cpu_advertises_amx()
    with pytest.raises(ValueError, match=f"{SETTING} must be 0, 1 or unset, got 'yes'"):
        extra_buffers_wanted({SETTING: "yes"})


PROBE = """
import llama_cpp.llama_cpp as bindings
from policies.llm.llama_cpp_buffers import keep_off_extra_buffers
print(keep_off_extra_buffers(), keep_off_extra_buffers(), bindings.llama_model_default_params().use_extra_bufts)
"""


@pytest.mark.parametrize(("setting", "expected"), [("0", "True True False"), ("1", "False False True")])
def test_models_loaded_afterwards_get_the_setting_in_their_default_parameters(setting: str, expected: str) -> None:
    pytest.importorskip("llama_cpp")
    run = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**os.environ, SETTING: setting},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert run.stdout.split() == expected.split()
