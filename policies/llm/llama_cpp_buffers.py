"""Keep llama.cpp off its AMX kernels where the CPU advertises AMX: on some VMs they crash the process.

llama.cpp built natively on a CPU whose flags list AMX (Intel Sapphire Rapids and later) places weights in
its AMX "extra buffer type" and multiplies them with tile instructions. On a Firecracker VM that advertises
AMX, the first tile instruction (`ldtilecfg`) faults and the process dies with SIGSEGV on its first decode:
the embedded backend takes the whole run with it, a `llama_cpp.server` dies mid-request. Nothing at run
time turns the AMX kernels off except the model parameter `use_extra_bufts`, which llama-cpp-python does not
expose; so where AMX is advertised, its default model parameters are wrapped to set it off. The other extra
buffer type, weight repacking, helps Q4_0 / Q4_K / IQ4_NL / Q8_0 weights only, not SmolLM2's Q4_1.

TRAINFREE_LLAMA_EXTRA_BUFFERS=1 keeps the extra buffer types (AMX included) where they work; =0 drops them
on any CPU. Unset: dropped only where AMX is advertised.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SETTING = "TRAINFREE_LLAMA_EXTRA_BUFFERS"
AMX_FLAG = "amx_tile"


def cpu_advertises_amx(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """True when the kernel lists the AMX tile feature among the CPU's flags."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return False
    return any(line.startswith("flags") and AMX_FLAG in line.split() for line in text.splitlines())


def extra_buffers_wanted(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether llama.cpp may use its extra buffer types here (see the module docstring)."""
    setting = environ.get(SETTING, "").strip()
    if setting not in ("", "0", "1"):
        raise ValueError(f"{SETTING} must be 0, 1 or unset, got {setting!r}")
    return setting == "1" if setting else not cpu_advertises_amx()


def keep_off_extra_buffers() -> bool:
    """Make every model llama-cpp-python loads in this process skip the extra buffer types, unless they are
    wanted here. Call before loading a model; calling again changes nothing. True when they are now off."""
    if extra_buffers_wanted():
        return False
    import llama_cpp.llama_cpp as bindings  # what llama_cpp.Llama and its internals read the defaults from

    defaults = bindings.llama_model_default_params
    if getattr(defaults, "trainfree_no_extra_buffers", False):
        return True

    def without_extra_buffers() -> Any:
        params = defaults()
        params.use_extra_bufts = False
        return params

    without_extra_buffers.trainfree_no_extra_buffers = True  # type: ignore[attr-defined]
    bindings.llama_model_default_params = without_extra_buffers
    return True
