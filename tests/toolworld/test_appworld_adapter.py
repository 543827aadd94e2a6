"""trainfree/AppWorld-v0: a clear error without appworld; the real contract where appworld and its data exist."""

from __future__ import annotations

import importlib.util

import gymnasium as gym
import pytest

import envs  # noqa: F401

HAVE_APPWORLD = importlib.util.find_spec("appworld") is not None


def _data_ready() -> bool:
    if not HAVE_APPWORLD:
        return False
    try:
        from appworld import load_task_ids

        return bool(load_task_ids("dev"))
    except Exception:
        return False


@pytest.mark.skipif(HAVE_APPWORLD, reason="appworld is installed: the missing-package error cannot be shown")
def test_missing_appworld_gives_install_instructions() -> None:
    with pytest.raises(ImportError, match="pip install appworld && appworld install && appworld download data"):
        gym.make("trainfree/AppWorld-v0")


@pytest.mark.skipif(
    not _data_ready(),
    reason="needs `pip install appworld && appworld install && appworld download data` (data not reachable here)",
)
def test_real_appworld_episode_follows_the_contract() -> None:
    env = gym.make("trainfree/AppWorld-v0", split="dev", max_steps=3)
    try:
        obs, info = env.reset(seed=0)
        assert obs["instruction"] and info["task_id"] == obs["task_id"]
        obs, reward, terminated, truncated, info = env.step("print(apis.api_docs.show_app_descriptions())")
        assert "spotify" in obs["history"][-1]["output"]
        obs, reward, terminated, truncated, info = env.step("apis.supervisor.complete_task()")
        assert terminated and reward in (0.0, 1.0) and "success" in info
    finally:
        env.close()
