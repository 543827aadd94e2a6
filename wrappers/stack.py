"""Build a wrapper stack around an env and a policy, in list order.

A stack is a list of (name, config) pairs; list order is wrapping order.
Each wrapper registers itself in `REGISTRY` with its kind:
observation and action wrappers wrap the env, policy wrappers wrap the policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import gymnasium as gym

from policies.base import Policy
from policies.llm.base import ChatModel


@dataclass(frozen=True)
class WrapperSpec:
    kind: str  # "observation" | "action" | "policy"
    build: Callable[..., Any]
    envs: frozenset[str] = frozenset({"toolworld", "mle", "appworld"})


REGISTRY: dict[str, WrapperSpec] = {}


def validate_stack(names: Sequence[str], env_kind: str) -> None:
    """Refuse, before any episode runs, a stack that cannot work."""
    for name in names:
        if name not in REGISTRY:
            raise ValueError(f"unknown wrapper {name!r}; known wrappers: {sorted(REGISTRY)}")
        if env_kind not in REGISTRY[name].envs:
            raise ValueError(f"wrapper {name!r} does not support env {env_kind!r} (only {sorted(REGISTRY[name].envs)})")


def apply_stack(
    env: gym.Env,
    policy: Policy,
    model: ChatModel,
    stack: Sequence[tuple[str, Mapping[str, Any]]],
    env_kind: str,
) -> tuple[gym.Env, Policy]:
    validate_stack([name for name, _ in stack], env_kind)
    for name, cfg in stack:
        spec = REGISTRY[name]
        if spec.kind == "policy":
            policy = spec.build(policy=policy, model=model, env=env, **dict(cfg))
        else:
            env = spec.build(env=env, model=model, **dict(cfg))
    return env, policy
