"""gymnasium vector envs of trainfree envs: make_vec's default works, a hand-made AsyncVectorEnv says what to set."""

import gymnasium as gym
import pytest

import envs  # noqa: F401 - registers the trainfree/* ids

TOOLWORLD = "trainfree/ToolWorld-v0"


def test_make_vec_with_default_settings_runs_envs_in_processes_and_keeps_unicode():
    vector = gym.make_vec(TOOLWORLD, num_envs=2)
    try:
        assert isinstance(vector, gym.vector.AsyncVectorEnv)
        obs, _ = vector.reset(seed=0)
        assert len(obs["instruction"]) == 2 and all(obs["instruction"])
        obs, _, terminated, truncated, _ = vector.step(["print('東京 🙂')", "print(1 + 1)"])
        assert "東京 🙂" in obs["history"][0][-1]["output"] and "2" in obs["history"][1][-1]["output"]
        assert not terminated.any() and not truncated.any()
    finally:
        vector.close()


def test_async_vector_env_with_shared_memory_fails_when_made_with_a_one_line_hint():
    with pytest.raises(TypeError) as refused:
        gym.vector.AsyncVectorEnv([lambda: gym.make(TOOLWORLD) for _ in range(2)])
    message = str(refused.value)
    assert message.startswith("UnicodeText(") and "shared_memory=False" in message and "gym.make_vec" in message
    assert "\n" not in message and len(message) < 300
