"""run_evaluation in-process on the tiny env: episode selection, crashes, resume, retries."""

from __future__ import annotations

import json

import pytest

from harness.run import RunConfigMismatch, RunRequest, run_evaluation
from tests.harness.conftest import read_lines

TINY = {"name": "tiny", "id": "tests.harness.tiny_env:trainfree/Tiny-v0", "kwargs": {}}
ORACLE = {"name": "oracle", "kind": "oracle"}


def run(run_dir, **fields):
    env = {**TINY, "kwargs": fields.pop("env_kwargs", {})}
    request = RunRequest(env=env, policy=ORACLE, wrappers=(), split="dev", progress=False, **fields)
    return run_evaluation(request, run_dir)


def keys(run_dir) -> list[str]:
    return sorted(r["key"] for r in read_lines(run_dir))


def test_limit_seeds_and_explicit_tasks_pick_the_episodes(tmp_path):
    run(tmp_path / "a", limit=2, seeds=(0, 1))
    assert keys(tmp_path / "a") == ["alpha_0@0", "alpha_0@1", "alpha_1@0", "alpha_1@1"]
    run(tmp_path / "b", tasks=("charlie_1", "bravo_0"))
    assert keys(tmp_path / "b") == ["bravo_0@0", "charlie_1@0"]
    with pytest.raises(ValueError, match=r"unknown task id\(s\) \['zulu_9'\] in split 'dev'"):
        run(tmp_path / "c", tasks=("zulu_9",))


def test_a_crashing_episode_is_recorded_and_the_run_goes_on(tmp_path):
    summary = run(tmp_path, workers=2, env_kwargs={"crash_tasks": ["bravo_0"]})
    by_task = {r["task_id"]: r for r in read_lines(tmp_path)}
    assert len(by_task) == 6
    assert by_task["bravo_0"]["error"]["type"] == "RuntimeError"
    assert all(r["success"] for t, r in by_task.items() if t != "bravo_0")
    assert (summary["errors"], summary["completed"], summary["success"]["mean"]) == (1, 5, 1.0)
    assert "errors (excluded from the rates)" in (tmp_path / "summary.md").read_text()


def test_resume_skips_finished_episodes_and_refuses_another_config(tmp_path):
    run(tmp_path, limit=2)
    first = (tmp_path / "results.jsonl").read_bytes()
    run(tmp_path, limit=2)
    assert (tmp_path / "results.jsonl").read_bytes() == first  # nothing redone
    summary = run(tmp_path, limit=4, workers=2)  # extend the same run
    assert (tmp_path / "results.jsonl").read_bytes().startswith(first)
    assert len(read_lines(tmp_path)) == 4 and summary["episodes"] == 4
    with pytest.raises(RunConfigMismatch, match=r"differs in: max_steps"):
        run(tmp_path, limit=2, max_steps=2)


def test_errors_are_retried_only_when_asked(tmp_path):
    crash = {"crash_tasks": ["alpha_1"]}
    run(tmp_path, limit=2, env_kwargs=crash)
    run(tmp_path, limit=2, env_kwargs=crash)
    assert len(read_lines(tmp_path)) == 2
    summary = run(tmp_path, limit=2, env_kwargs=crash, retry_errors=True)
    assert [r["task_id"] for r in read_lines(tmp_path)] == ["alpha_0", "alpha_1", "alpha_1"]
    assert summary["episodes"] == 2  # the retried episode counts once
    assert json.loads((tmp_path / "summary.json").read_text())["errors"] == 1


def test_an_unknown_env_id_is_a_clear_error(tmp_path):
    request = RunRequest(
        env={"name": "x", "id": "trainfree/Nope-v0"}, policy=ORACLE, wrappers=(), split="dev", progress=False
    )
    with pytest.raises(ValueError, match=r"env 'x': cannot make 'trainfree/Nope-v0'"):
        run_evaluation(request, tmp_path)


def test_wrappers_without_a_model_are_refused_before_any_episode(tmp_path):
    request = RunRequest(
        env={**TINY, "name": "toolworld"}, policy=ORACLE, wrappers=(("truncate", {}),), split="dev", progress=False
    )
    with pytest.raises(ValueError, match=r"wrappers \['truncate'\] need a model, and policy 'oracle' has none"):
        run_evaluation(request, tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_records_split_episode_time_into_env_time_and_the_rest(tmp_path):
    summary = run(tmp_path, tasks=("charlie_0",), env_kwargs={"step_delay_s": 0.05})
    (record,) = read_lines(tmp_path)
    assert record["steps"] == 3
    assert 0.15 <= record["env_time_s"] <= record["wall_time_s"]
    assert record["model_time_s"] == 0.0  # the oracle asks no model
    assert summary["cost"]["env_time_s"] == record["env_time_s"]
