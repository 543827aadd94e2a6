"""Which harness workers a run uses: threads sharing one model, or forked processes (harness/parallel.py).

`workers_backend` in the config: `threads`, `processes` or `auto` (the default). Processes let an
instant policy (the oracle, a replay with no model behind it) use every core: its episodes are all
env-side work, which holds the GIL in a thread. A model running inside the harness (llama.cpp, vLLM
offline) would be loaded once per process, and a model recording to a file would have several
processes writing it, so those runs cannot use processes; nor can a run handed a model object (each
process needs its own, made from the config). `auto` picks processes for an instant policy with more
than one worker, and threads otherwise: with a model in the loop the model is the bottleneck, and
threads share one client (one server connection pool, one rate limit).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Mapping
from typing import Any

WORKER_BACKENDS = ("auto", "threads", "processes")

#: Model backends that run inside the harness process (policies/llm/registry.py).
IN_PROCESS_MODELS = ("llama_cpp", "vllm_offline")

#: Model backends that answer without computing anything (a recording).
INSTANT_MODELS = ("replay",)


def check_workers_backend(value: Any) -> None:
    if value not in WORKER_BACKENDS:
        raise ValueError(f"workers_backend must be one of {', '.join(WORKER_BACKENDS)}, got {value!r}")


def model_configs(node: Any) -> Iterator[Mapping[str, Any]]:
    """Every model config (a mapping with a `backend`) in a config tree: the policy's, a replay's
    fallback and token counter, a wrapper's own model, a selector arm's."""
    if isinstance(node, Mapping):
        if "backend" in node:
            yield node
        for value in node.values():
            yield from model_configs(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from model_configs(value)


def process_obstacles(configs: list[Mapping[str, Any]], model_given: bool) -> list[str]:
    """Why the run's workers cannot be processes (empty: they can)."""
    problems = []
    if model_given:
        problems.append("the run was handed a model object, and each process needs its own, made from the config")
    for cfg in configs:
        backend = cfg.get("backend")
        if backend in IN_PROCESS_MODELS:
            problems.append(f"model backend {backend!r} runs inside the harness: each process would load its own copy")
        if cfg.get("record_to") or (backend == "replay" and cfg.get("record_misses", True) and cfg.get("fallback")):
            problems.append(f"model backend {backend!r} records to a file, which several processes would write at once")
    if "fork" not in multiprocessing.get_all_start_methods():
        problems.append("this platform cannot fork processes")
    return problems


def choose_workers_backend(
    requested: str, workers: int, policy: Mapping[str, Any], others: list[Any], model_given: bool
) -> tuple[str, str]:
    """(`threads` or `processes`, why), for a run asking `requested` with `workers` workers.

    `others`: the rest of the config that may name models (wrappers, selector). An explicit
    `processes` the run cannot use is an error naming why; `auto` falls back to threads and says why.
    """
    check_workers_backend(requested)
    configs = list(model_configs([policy, *others]))
    obstacles = process_obstacles(configs, model_given)
    if requested == "processes":
        if obstacles:
            raise ValueError(
                f"workers_backend=processes cannot run this configuration: {'; '.join(obstacles)}; "
                "use workers_backend=threads (or auto)"
            )
        return "processes", "workers_backend=processes"
    if requested == "threads":
        return "threads", "workers_backend=threads"
    if workers == 1:
        return "threads", "auto: one worker"
    if obstacles:
        return "threads", f"auto: {'; '.join(obstacles)}"
    models = [cfg.get("backend") for cfg in configs]
    if any(backend not in INSTANT_MODELS for backend in models):
        return "threads", f"auto: the policy asks a model ({', '.join(map(str, models))}), which threads share"
    return "processes", "auto: an instant policy, whose episodes are all env-side work (threads would share one core)"
