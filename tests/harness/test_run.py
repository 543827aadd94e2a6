"""run_evaluation in-process on the tiny env: episode selection, crashes, resume, retries."""

from __future__ import annotations

from pathlib import Path

import pytest
from omegaconf import OmegaConf

from harness.run import RunConfigMismatch, RunRequest, run_evaluation, trajectory_name
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


def test_a_crashing_episode_is_recorded_as_a_failure_and_the_run_goes_on(tmp_path):
    summary = run(tmp_path, workers=2, env_kwargs={"crash_tasks": ["bravo_0"]})
    by_task = {r["task_id"]: r for r in read_lines(tmp_path)}
    assert len(by_task) == 6
    assert (by_task["bravo_0"]["error"]["type"], by_task["bravo_0"]["error"]["kind"]) == ("RuntimeError", "agent")
    assert by_task["bravo_0"]["attempts"] == 1  # the agent's error is not retried
    assert all(r["success"] for t, r in by_task.items() if t != "bravo_0")
    assert (summary["agent_failures"], summary["completed"], summary["success"]["mean"]) == (1, 5, 5 / 6)
    assert summary["exit_code"] == 0
    assert "counted as failures in the rates" in (tmp_path / "summary.md").read_text()


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


def test_infra_errors_are_retried_then_left_out_loudly_and_rerun_on_resume_only_when_asked(tmp_path):
    failures = tmp_path / "failures_left"
    failures.write_text("2")  # alpha_1's env fails to start twice, then starts
    env = {"fail_reset_tasks": ["alpha_1"], "fail_resets_file": str(failures)}
    summary = run(tmp_path / "flaky", limit=2, env_kwargs=env, infra_retries=2, infra_backoff_s=0)
    assert [(r["task_id"], r["attempts"], r["success"]) for r in read_lines(tmp_path / "flaky")] == [
        ("alpha_0", 1, True),
        ("alpha_1", 3, True),
    ]
    assert (summary["infra_errors"], summary["exit_code"]) == (0, 0)

    failures.write_text("100")  # now it never starts
    summary = run(tmp_path / "down", limit=2, env_kwargs=env, infra_retries=1, infra_backoff_s=0)
    (down,) = [r for r in read_lines(tmp_path / "down") if r["error"]]
    assert (down["error"]["kind"], down["error"]["stage"], down["attempts"]) == ("infra", "reset", 2)
    assert (summary["episodes"], summary["scored"], summary["success"]["mean"]) == (2, 1, 1.0)
    assert summary["exit_code"] == 4  # 1 of 2 is above max_infra_error_share 0.1
    assert "WARNING: 1 of 2 attempted episodes are EXCLUDED" in (tmp_path / "down" / "summary.md").read_text()

    run(tmp_path / "down", limit=2, env_kwargs=env, infra_retries=0)
    assert len(read_lines(tmp_path / "down")) == 2  # kept on a plain resume
    failures.write_text("0")
    summary = run(tmp_path / "down", limit=2, env_kwargs=env, retry_errors=True)
    assert [r["task_id"] for r in read_lines(tmp_path / "down")] == ["alpha_0", "alpha_1", "alpha_1"]
    assert (summary["episodes"], summary["infra_errors"], summary["exit_code"]) == (2, 0, 0)


def test_an_agents_failure_is_never_rerun_not_even_with_retry_errors(tmp_path):
    crash = {"crash_tasks": ["alpha_1"]}
    run(tmp_path, limit=2, env_kwargs=crash)
    summary = run(tmp_path, limit=2, env_kwargs=crash, retry_errors=True)
    assert [r["task_id"] for r in read_lines(tmp_path)] == ["alpha_0", "alpha_1"]
    assert summary["success"]["mean"] == 0.5


def test_a_run_in_which_no_episode_completed_says_so(tmp_path):
    summary = run(tmp_path, limit=2, env_kwargs={"crash_tasks": ["alpha_0", "alpha_1"]})
    assert (summary["completed"], summary["success"]["mean"], summary["exit_code"]) == (0, 0.0, 3)
    assert "FAILED RUN: none of the 2 episodes completed" in (tmp_path / "summary.md").read_text()


def test_an_unknown_env_id_is_a_clear_error(tmp_path):
    request = RunRequest(
        env={"name": "x", "id": "trainfree/Nope-v0"}, policy=ORACLE, wrappers=(), split="dev", progress=False
    )
    with pytest.raises(ValueError, match=r"env 'x': cannot make 'trainfree/Nope-v0'"):
        run_evaluation(request, tmp_path)


def test_wrappers_without_a_model_are_refused_before_any_episode(tmp_path):
    request = RunRequest(
        env={**TINY, "name": "toolworld"}, policy=ORACLE, wrappers=(("summarize", {}),), split="dev", progress=False
    )
    with pytest.raises(ValueError, match=r"wrappers \['summarize'\] need a model, and policy 'oracle' has none"):
        run_evaluation(request, tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_records_split_episode_time_into_env_time_and_the_rest(tmp_path):
    summary = run(tmp_path, tasks=("charlie_0",), env_kwargs={"step_delay_s": 0.05})
    (record,) = read_lines(tmp_path)
    assert record["steps"] == 3
    assert 0.15 <= record["env_time_s"] <= record["wall_time_s"]
    assert record["model_time_s"] == 0.0  # the oracle asks no model
    assert summary["cost"]["env_time_s"] == record["env_time_s"]


def test_the_command_line_defaults_are_the_python_defaults():
    """conf/eval.yaml and RunRequest agree on the run's error handling, so both entry points behave alike."""
    conf = OmegaConf.load(Path(__file__).resolve().parents[2] / "conf" / "eval.yaml")
    defaults = RunRequest(env=TINY, policy=ORACLE, wrappers=(), split="dev")
    for name in ("infra_retries", "infra_backoff_s", "max_infra_error_share", "retry_errors"):
        assert conf[name] == getattr(defaults, name), name


def test_trajectory_files_of_different_episodes_never_share_a_name(tmp_path):
    """Task ids come from whatever env a user registers: ids that differ only in characters a file name
    cannot keep, or longer than a file name may be, still get a file each, written and read back."""
    keys = ["a/b@0", "a b@0", "a_b@0", "a\\b@0", "ü@0", "é@0", "x" * 400 + "@0", "x" * 400 + "@1", "alpha_0@3"]
    names = [trajectory_name(key) for key in keys]
    assert len(set(names)) == len(keys)
    assert trajectory_name("alpha_0@3") == "alpha_0@3.json"  # a safe key keeps its name (older run dirs resume)
    for key, name in zip(keys, names, strict=True):
        assert "/" not in name and len(name.encode()) <= 255
        (tmp_path / name).write_text(key, encoding="utf-8")
    assert sorted(p.read_text(encoding="utf-8") for p in tmp_path.iterdir()) == sorted(keys)
