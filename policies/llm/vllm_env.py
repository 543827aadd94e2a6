"""Environment variables every vLLM process of ours starts with.

Keeps vLLM's internal sockets on loopback, turns off its usage reporting
(this machine has no network, and runs should not phone home), stops hub
look-ups for local model dirs, and caps the CPU KV cache so an engine fits
beside the tests. Values the user already set win.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def vllm_environment(
    cpu_kvcache_gib: int | None, current: Mapping[str, str], model: str | None = None
) -> dict[str, str]:
    """The variables to add to `current` (never overriding what it sets)."""
    wanted = {
        "VLLM_HOST_IP": "127.0.0.1",
        "VLLM_NO_USAGE_STATS": "1",
        "DO_NOT_TRACK": "1",
    }
    if cpu_kvcache_gib is not None:
        wanted["VLLM_CPU_KVCACHE_SPACE"] = str(cpu_kvcache_gib)
    if model is None or Path(model).is_dir():
        wanted["HF_HUB_OFFLINE"] = "1"
    return {key: value for key, value in wanted.items() if key not in current}
