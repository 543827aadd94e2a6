"""The vLLM server dies mid-episode: a clear error, then the harness resumes once it is back."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import gymnasium as gym
import pytest

import envs  # noqa: F401 - registers the trainfree envs
from harness.run import EXIT_MODEL_NOT_ANSWERING, EXIT_NOTHING_COMPLETED, EXIT_TOO_MANY_INFRA_ERRORS
from policies.llm.base import LLMError
from policies.llm_policy import LLMPolicy
from policies.render import load_prompt
from tests.vllm.conftest import crash, server_client, server_token_counters

pytestmark = pytest.mark.vllm

REPO = Path(__file__).resolve().parents[2]


def first_dev_tasks(count: int) -> list[str]:
    env = gym.make("trainfree/ToolWorld-v0")
    try:
        return [task["task_id"] for task in env.unwrapped.list_tasks("dev")[:count]]
    finally:
        env.close()


def harness(server, run_dir: Path, tasks: list[str], *more: str) -> list[str]:
    return [
        sys.executable,
        str(REPO / "train_free_eval.py"),
        "env=toolworld",
        "policy=vllm_cpu",
        f"policy.model.attach_url={server.url}",
        "policy.model.client.max_retries=1",
        "policy.model.client.backoff_s=0.1",
        "policy.sampling.max_tokens=48",
        f"tasks=[{','.join(tasks)}]",
        "max_steps=4",
        "workers=1",
        "progress=false",
        "infra_retries=0",
        f"hydra.run.dir={run_dir}",
        *more,
    ]


def last_record_per_episode(run_dir: Path) -> dict[str, dict]:
    lines = (run_dir / "results.jsonl").read_text().splitlines()
    return {record["key"]: record for record in map(json.loads, lines)}


def wait_for_generation(server, since: float, timeout_s: float = 300.0) -> None:
    deadline = time.monotonic() + timeout_s
    while server_token_counters(server)[1] <= since:
        assert time.monotonic() < deadline, "the harness never got a reply from the server"
        time.sleep(0.2)


def assert_policy_fails_clearly(server) -> None:
    """While the server is down, the next action is an LLMError naming the URL, after the retries."""
    env = gym.make("trainfree/ToolWorld-v0", max_steps=5)
    try:
        observation, _ = env.reset(seed=0)
        policy = LLMPolicy(server_client(server), load_prompt("toolworld_system"), max_tokens=16)
        with pytest.raises(LLMError, match=rf"LLM server {server.url} unreachable or failing after 2 attempts"):
            policy.act(observation)
    finally:
        env.close()


def test_server_killed_mid_run_then_the_harness_resumes(live_server, tmp_path: Path) -> None:
    tasks = first_dev_tasks(2)
    generated = server_token_counters(live_server)[1]
    run = subprocess.Popen(
        harness(live_server, tmp_path, tasks), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        wait_for_generation(live_server, generated)
        crash(live_server)  # after the first reply, while the episode still has steps to go
        output, _ = run.communicate(timeout=600)
    finally:
        run.kill()
    # failed episodes are records, not a crashed run; the exit code says the model stopped answering (the run
    # stops starting episodes) or that infrastructure errors spoil the numbers
    assert run.returncode in (EXIT_MODEL_NOT_ANSWERING, EXIT_NOTHING_COMPLETED, EXIT_TOO_MANY_INFRA_ERRORS), output
    failed = [r for r in last_record_per_episode(tmp_path).values() if r["error"]]
    assert failed, output
    for record in failed:
        assert (record["error"]["stage"], record["error"]["kind"]) == ("act", "infra")
        assert f"LLM server {live_server.url} unreachable" in record["error"]["reason"]
    assert_policy_fails_clearly(live_server)

    live_server.start()
    rerun = subprocess.run(
        harness(live_server, tmp_path, tasks, "retry_errors=true"),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    final = last_record_per_episode(tmp_path)
    assert sorted(r["task_id"] for r in final.values()) == sorted(tasks)
    assert all(r["error"] is None and r["steps"] >= 1 for r in final.values())
