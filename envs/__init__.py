"""trainfree environments, registered under the `trainfree` namespace.

`gym.make_vec(id, num_envs=N)` runs N envs in parallel processes (envs/vector.py)."""

from functools import partial

from gymnasium.envs.registration import register

from envs.vector import async_vector_env


def _register(env_id: str, entry_point: str) -> None:
    register(id=env_id, entry_point=entry_point, vector_entry_point=partial(async_vector_env, env_id))


# ToolWorld: the AppWorld-like world of apps and APIs (envs/toolworld).
_register("trainfree/ToolWorld-v0", "envs.toolworld.env:ToolWorldEnv")

# AppWorld: the real appworld package behind the same contract (needs appworld and its data).
_register("trainfree/AppWorld-v0", "envs.appworld:AppWorldEnv")

# MLE competitions: ML-engineering competitions in the MLE-bench shape (envs/mle).
_register("trainfree/MLECompetition-v0", "envs.mle.env:MLECompetitionEnv")
