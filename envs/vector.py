"""Vector envs of trainfree envs: processes in parallel, observations passed by pickling.

Observations hold texts of any length and any Unicode characters, and a
history that grows each step, so no fixed shared-memory buffer can hold them
(gymnasium's AsyncVectorEnv uses one by default). `gym.make_vec(id, num_envs=N)`
makes an AsyncVectorEnv without shared memory (each env's `vector_entry_point`);
an AsyncVectorEnv made by hand with the default `shared_memory=True` fails when
it is made, with one line saying so.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
from gymnasium.vector.utils import create_shared_memory

from envs.observation import UnicodeText


def async_vector_env(env_id: str, num_envs: int, **kwargs: Any) -> gym.vector.AsyncVectorEnv:
    """`num_envs` copies of `env_id` in their own processes (gym.make_vec's default for trainfree ids)."""
    return gym.vector.AsyncVectorEnv([lambda: gym.make(env_id, **kwargs) for _ in range(num_envs)], shared_memory=False)


@create_shared_memory.register(UnicodeText)
def _no_shared_memory_for_text(space: UnicodeText, n: int = 1, ctx: Any = None) -> Any:
    raise TypeError(
        f"{space!r} holds any Unicode text, which a fixed shared-memory buffer cannot: make the vector env with "
        "gym.make_vec(env_id, num_envs=N) or AsyncVectorEnv(env_fns, shared_memory=False)"
    )
