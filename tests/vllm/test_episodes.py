"""Whole episodes: LLMPolicy -> OpenAICompatible -> the real vLLM server -> a real env."""

from __future__ import annotations

import gymnasium as gym
import pytest

import envs  # noqa: F401 - registers the trainfree envs
from harness.episode import EpisodeSpec, run_episode
from policies.llm_policy import LLMPolicy
from policies.render import load_prompt
from tests.vllm.conftest import metered, server_client

pytestmark = pytest.mark.vllm


def play(server, env_id: str, split: str, prompt: str, code_blocks: str, max_steps: int, max_tokens: int):
    """One episode of the split's first task; returns (record, trajectory, accountant)."""
    model, accountant = metered(server_client(server))
    env = gym.make(env_id, max_steps=max_steps)
    try:
        task = env.unwrapped.list_tasks(split)[0]
        policy = LLMPolicy(model, load_prompt(prompt), max_tokens=max_tokens, seed=0, code_blocks=code_blocks)
        result = run_episode(env, policy, EpisodeSpec(task=task, seed=0))
    finally:
        env.close()
    return result.record, result.trajectory, accountant


def check_episode(record, trajectory, accountant, max_steps: int) -> None:
    assert record["error"] is None, record["error"]
    assert 1 <= record["steps"] <= max_steps and (record["terminated"] or record["truncated"])
    steps = trajectory["steps"]
    agent = accountant.to_dict()["by_role"]["agent"]
    assert agent["calls"] == len(steps)  # one model call per action, every one accounted
    assert agent["prompt_tokens"] == sum(s["policy"]["prompt_tokens"] for s in steps) > 0
    assert agent["completion_tokens"] == sum(s["policy"]["completion_tokens"] for s in steps) > 0
    assert all(s["policy"]["reply"] for s in steps)
    assert all(s["output"] for s in steps)  # the env ran each action and answered


def test_a_toolworld_episode_against_the_vllm_server(live_server) -> None:
    record, trajectory, accountant = play(
        live_server, "trainfree/ToolWorld-v0", "dev", "toolworld_system", "join", 3, 96
    )
    check_episode(record, trajectory, accountant, max_steps=3)
    assert record["task_id"].startswith(trajectory["task"]["scenario"])


def test_an_mle_episode_against_the_vllm_server(live_server) -> None:
    record, trajectory, accountant = play(
        live_server, "trainfree/MLECompetition-v0", "lite", "mle_system", "longest", 2, 128
    )
    check_episode(record, trajectory, accountant, max_steps=2)
