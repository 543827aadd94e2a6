"""Env snapshots (envs.contract.SnapshotEnv: get_state / set_state) for wrappers that branch."""

from __future__ import annotations

from typing import Any

import gymnasium as gym

from envs.contract import SnapshotEnv


def supports_snapshots(env: gym.Env) -> bool:
    return isinstance(env.unwrapped, SnapshotEnv)


def require_snapshots(env: gym.Env, wrapper: str, feature: str) -> SnapshotEnv:
    """The env's snapshots; refused at build time, before any episode, when it has none."""
    base = env.unwrapped
    if not isinstance(base, SnapshotEnv):
        raise ValueError(
            f"{wrapper}: {feature} needs env.unwrapped.get_state()/set_state(), "
            f"which {type(base).__name__} does not provide"
        )
    return base


def snapshot(env: gym.Env) -> Any:
    return require_snapshots(env, "snapshot", "a snapshot").get_state()


def restore(env: gym.Env, state: Any) -> None:
    require_snapshots(env, "restore", "a restore").set_state(state)
