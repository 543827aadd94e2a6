"""Turn the Hydra config nodes into the objects of a run: env, model, policy.

Each policy config says its `kind`: "llm" (the frozen model, the default)
or "oracle" (plays the task's solution, needs no model).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import gymnasium as gym

import envs  # noqa: F401 - registers the trainfree/* env ids
from envs.contract import EnvProfile
from policies.base import Policy
from policies.llm.base import ChatModel

POLICY_KINDS = ("llm", "oracle")


def make_env(env_cfg: Mapping[str, Any], max_steps: int | None) -> gym.Env:
    """`gymnasium.make(env.id, max_steps=..., **env.kwargs)` with a clear error for a bad id."""
    kwargs = dict(env_cfg.get("kwargs") or {})
    if max_steps is not None:
        kwargs["max_steps"] = int(max_steps)
    env_id = env_cfg["id"]
    try:
        return gym.make(env_id, **kwargs)
    except (gym.error.Error, ModuleNotFoundError) as exc:
        raise ValueError(f"env {env_cfg.get('name')!r}: cannot make {env_id!r}: {exc}") from exc


def policy_kind(policy_cfg: Mapping[str, Any]) -> str:
    kind = policy_cfg.get("kind") or "llm"
    if kind not in POLICY_KINDS:
        raise ValueError(f"policy {policy_cfg.get('name')!r}: unknown kind {kind!r}; known kinds: {list(POLICY_KINDS)}")
    return kind


def make_model(policy_cfg: Mapping[str, Any]) -> ChatModel | None:
    """The shared model client of the run; None for policies that need none."""
    if policy_cfg.get("model") is None:
        if policy_kind(policy_cfg) == "llm":
            raise ValueError(f"policy {policy_cfg.get('name')!r} is an LLM policy but has no `model` config")
        return None
    from policies.llm.registry import make_chat_model

    return make_chat_model(policy_cfg["model"])


def policy_factory(policy_cfg: Mapping[str, Any], profile: EnvProfile) -> Callable[[ChatModel | None, gym.Env], Policy]:
    """A function making one episode's policy from its (metered) model and its env."""
    kind = policy_kind(policy_cfg)
    if kind == "oracle":
        from policies.oracle import OraclePolicy

        return lambda model, env: OraclePolicy(env)
    from policies.llm_policy import LLMPolicy

    def llm_policy(model: ChatModel | None, env: gym.Env) -> Policy:
        if model is None:
            raise ValueError(f"policy {policy_cfg.get('name')!r} is an LLM policy but the run has no model")
        return LLMPolicy.from_config(policy_cfg, model, profile)

    return llm_policy
