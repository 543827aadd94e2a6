"""One episode with the Gymnasium loop: outcomes and every failure path as records."""

from __future__ import annotations

import pytest

from harness.episode import EpisodeSpec, run_episode
from policies.base import Policy
from policies.llm.base import ContextLengthExceeded, ModelUnavailable
from policies.oracle import OraclePolicy
from tests.harness.tiny_env import TinyEnv, task_meta


class Looker(Policy):
    def act(self, observation):
        return "look"


class Broken(Policy):
    def act(self, observation):
        raise ConnectionError("model server at http://127.0.0.1:9/v1 is down")


class Unreachable(Policy):
    def act(self, observation):
        raise ModelUnavailable("LLM server http://127.0.0.1:9/v1 unreachable or failing after 4 attempts")


def spec(task_id: str, seed: int = 0) -> EpisodeSpec:
    return EpisodeSpec(task=task_meta(task_id, "dev"), seed=seed)


@pytest.mark.parametrize("task_id,steps", [("alpha_0", 1), ("bravo_1", 2), ("charlie_0", 3)])
def test_the_oracle_solves_each_task(tiny_env, task_id, steps):
    result = run_episode(tiny_env, OraclePolicy(tiny_env), spec(task_id))
    r = result.record
    assert (r["success"], r["reward"], r["steps"], r["error"]) == (True, 1.0, steps, None)
    assert (r["tests_passed"], r["tests_failed"], r["terminated"], r["truncated"]) == (2, 0, True, False)
    assert (r["difficulty"], r["scenario"], r["key"]) == (
        task_meta(task_id, "dev")["difficulty"],
        task_id[:-2],
        f"{task_id}@0",
    )
    assert [s["action"] for s in result.trajectory["steps"]][-1].startswith("answer ")
    assert result.trajectory["steps"][0]["policy"]["oracle_actions"] == steps


def test_running_out_of_steps_is_a_failure_not_an_error():
    env = TinyEnv(max_steps=3)
    r = run_episode(env, Looker(), spec("alpha_0")).record
    assert (r["success"], r["truncated"], r["steps"], r["error"]) == (False, True, 3, None)
    assert r["metrics"]["answered"] == 0.0


def test_a_crashing_env_step_is_the_agents_error():
    env = TinyEnv(crash_tasks=("bravo_0",))
    result = run_episode(env, OraclePolicy(env), spec("bravo_0"))
    error = result.record["error"]
    assert (error["type"], error["stage"], error["kind"]) == ("RuntimeError", "step", "agent")
    assert "crashed on task bravo_0" in error["reason"]
    assert "traceback" not in error  # the traceback goes to the trajectory only
    assert "RuntimeError" in result.trajectory["error"]["traceback"]
    assert result.record["success"] is False


def test_a_failing_policy_is_the_agents_error_unless_the_model_is_unavailable(tiny_env):
    error = run_episode(tiny_env, Broken(), spec("alpha_0")).record["error"]
    assert (error["type"], error["stage"], error["kind"]) == ("ConnectionError", "act", "agent")
    assert "127.0.0.1:9" in error["reason"]
    error = run_episode(tiny_env, Unreachable(), spec("alpha_0")).record["error"]
    assert (error["type"], error["stage"], error["kind"]) == ("ModelUnavailable", "act", "infra")


def test_an_env_that_fails_to_reset_is_an_infra_error(tiny_env):
    bad = EpisodeSpec(task={"task_id": "nope", "split": "dev", "difficulty": 1, "scenario": "x"}, seed=0)
    error = run_episode(tiny_env, Looker(), bad).record["error"]
    assert (error["stage"], error["reason"], error["kind"]) == ("reset", "unknown task id 'nope'", "infra")


def test_an_episode_past_its_time_budget_stops_at_the_next_step():
    env = TinyEnv(max_steps=50, step_delay_s=0.02)
    r = run_episode(env, Looker(), spec("alpha_0"), timeout_s=0.2).record
    assert (r["error"]["type"], r["error"]["kind"]) == ("EpisodeTimeout", "agent")
    assert 2 <= r["steps"] < 50  # 10 steps fit the budget; a 0.16 s stall of a loaded machine still leaves 2
    assert r["wall_time_s"] >= 0.2


def test_the_oracle_refuses_to_go_past_its_solution():
    env = TinyEnv()
    oracle = OraclePolicy(env)
    env.reset(options={"task_id": "alpha_0"})
    oracle.reset()
    observation, *_ = env.step(oracle.act({}))  # the whole solution; the episode is over
    with pytest.raises(RuntimeError, match="all 1 oracle actions played"):
        oracle.act(observation)


class Overflowing(Policy):
    def act(self, observation):
        raise ContextLengthExceeded("context length exceeded: the prompt has ~2100 tokens and m takes 2048")


def test_a_prompt_past_the_context_window_is_the_agents_failure(tiny_env):
    result = run_episode(tiny_env, Overflowing(), spec("alpha_0"))
    r = result.record
    assert (r["success"], r["steps"]) == (False, 0)
    assert (r["error"]["type"], r["error"]["stage"], r["error"]["kind"]) == ("ContextLengthExceeded", "act", "agent")
    assert "ContextLengthExceeded" in result.trajectory["error"]["traceback"]


class NonFiniteEnv(TinyEnv):
    """Reports NaN: as its reward after `look`, as a metric at the end."""

    def step(self, action):
        observation, reward, terminated, truncated, info = super().step(action)
        if action == "look":
            reward = float("nan")
        if terminated:
            info = {**info, "metrics": {**info["metrics"], "score": float("nan"), "big": 10**400}}
        return observation, reward, terminated, truncated, info


def test_non_finite_numbers_never_reach_a_record():
    """A NaN reward ends the episode as an error (it would poison every mean); a NaN metric is dropped."""
    r = run_episode(NonFiniteEnv(), Looker(), spec("alpha_0")).record
    assert (r["error"]["type"], r["error"]["stage"], r["reward"]) == ("ValueError", "step", 0.0)
    assert "reward of nan" in r["error"]["reason"]
    env = NonFiniteEnv()
    r = run_episode(env, OraclePolicy(env), spec("alpha_0")).record
    assert r["success"] and "score" not in r["metrics"] and "big" not in r["metrics"]
