"""Env snapshots (envs/contract.py: get_state / set_state) for wrappers that branch."""

from __future__ import annotations

from typing import Any

import gymnasium as gym


def supports_snapshots(env: gym.Env) -> bool:
    base = env.unwrapped
    return callable(getattr(base, "get_state", None)) and callable(getattr(base, "set_state", None))


def require_snapshots(env: gym.Env, wrapper: str, feature: str) -> None:
    """Refuse at build time, before any episode, a feature the env cannot serve."""
    if not supports_snapshots(env):
        raise ValueError(
            f"{wrapper}: {feature} needs env.unwrapped.get_state()/set_state(), "
            f"which {type(env.unwrapped).__name__} does not provide"
        )


def snapshot(env: gym.Env) -> Any:
    return env.unwrapped.get_state()


def restore(env: gym.Env, state: Any) -> None:
    env.unwrapped.set_state(state)
