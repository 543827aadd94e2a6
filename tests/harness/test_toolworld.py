"""The harness on ToolWorld: oracle ceiling, replayed LLM policy, a model server that is down, a stack sweep."""

from __future__ import annotations

import json
import socket

import pytest

from harness.report import main as report_main
from harness.run import EXIT_MODEL_NOT_ANSWERING
from tests.harness.conftest import read_lines, run_eval
from tests.harness.scripted import oracle_actions_per_task, record_oracle_replies

RECORDED = 3  # the recording covers the first 3 dev tasks
MAX_STEPS = 10  # room for every oracle (the deepest takes 8 steps)


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    """Replies of an LLM policy that writes each task's oracle code, recorded through the harness."""
    base = tmp_path_factory.mktemp("recording")
    path = base / "replies.jsonl"
    per_task = oracle_actions_per_task("toolworld", "dev", limit=RECORDED)
    summary = record_oracle_replies(path, dict(per_task), base / "run", limit=RECORDED, max_steps=MAX_STEPS)
    steps = sum(len(actions) for _, actions in per_task)  # one model call per oracle step of each task
    assert summary["success"]["mean"] == 1.0 and summary["cost"]["calls"] == steps
    return path, read_lines(base / "run")


def replay(path, *more: str) -> list[str]:
    return ["env=toolworld", "policy=replay", f"policy.model.path={path}", f"max_steps={MAX_STEPS}", *more]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed on exit: connecting is refused


def test_the_oracle_policy_solves_the_dev_tasks(tmp_path):
    proc = run_eval(
        "env=toolworld", "policy=oracle", "limit=6", "max_steps=10", "workers=2", f"hydra.run.dir={tmp_path}"
    )
    lines = read_lines(tmp_path)
    assert len(lines) == 6 and all(r["success"] and r["tests_failed"] == 0 and r["tests_passed"] > 0 for r in lines)
    assert "| TGC | 100.0% +- 0.0" in proc.stdout and "| SGC | 100.0%" in proc.stdout


def test_a_replayed_llm_run_reproduces_the_recorded_run_without_model_calls(recording, tmp_path):
    path, recorded = recording
    before = path.read_bytes()
    run_eval(*replay(path, f"limit={RECORDED}", "workers=2"), f"hydra.run.dir={tmp_path}")
    replayed = {r["key"]: r for r in read_lines(tmp_path)}
    fields = ("success", "reward", "steps", "tests_passed", "tests_failed", "llm")
    assert {r["key"]: [r[f] for f in fields] for r in recorded} == {
        k: [r[f] for f in fields] for k, r in replayed.items()
    }
    assert all(r["success"] and r["llm"]["by_role"]["agent"]["calls"] == r["steps"] for r in replayed.values())
    assert path.read_bytes() == before  # every request was answered from the file
    trajectory = json.loads(next((tmp_path / "trajectories").glob("*.json")).read_text())
    assert "apis.supervisor.complete_task" in trajectory["steps"][-1]["action"]
    multi_line = [step for step in trajectory["steps"] if "\n" in step["action"].strip()]
    assert multi_line and all(step["policy"]["action_source"] == "code_block" for step in multi_line)


def test_a_model_server_that_is_down_stops_the_run_before_any_episode(recording, tmp_path):
    """The replay's fallback is the model misses would go to: down, it fails the 1-token health check."""
    path, _ = recording
    port = closed_port()
    down = f"{{backend:openai_compatible,model:m,base_url:'http://127.0.0.1:{port}/v1',max_retries:1,backoff_s:0.05,server_tokenizer:false}}"
    proc = run_eval(
        *replay(path, f"limit={RECORDED + 1}", f"policy.model.fallback={down}", "policy.model.record_misses=false"),
        f"hydra.run.dir={tmp_path}",
        check=False,
    )
    assert proc.returncode == EXIT_MODEL_NOT_ANSWERING, proc.stdout + proc.stderr
    assert f"the model does not answer, so no episode was run: model 'm' at http://127.0.0.1:{port}/v1" in proc.stderr
    assert "Connection error" in proc.stderr
    written = {p.name for p in tmp_path.iterdir()} if tmp_path.exists() else set()
    assert not written & {"results.jsonl", "summary.json", "summary.md", "run.json", "trajectories"}


def test_a_wrapper_stack_sweep_and_its_report(recording, tmp_path, capsys):
    path, _ = recording
    run_eval("-m", *replay(path, f"limit={RECORDED}"), "wrappers=[],[truncate]", f"hydra.sweep.dir={tmp_path}")
    stacks = {
        json.loads((d / "run.json").read_text())["label"]: read_lines(d) for d in tmp_path.iterdir() if d.is_dir()
    }
    assert sorted(stacks) == ["none", "truncate"]
    assert [r["stack"] for r in stacks["truncate"]] == [["truncate"]] * RECORDED
    assert report_main([str(tmp_path)]) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["baseline"] == "none" and report["shared_episodes"] == RECORDED
    paired = report["stacks"]["truncate"]["paired_vs_baseline"]["success"]
    assert (paired["mean"], paired["se"]) == (0.0, 0.0)  # truncation never fires on 1-step episodes
    assert "| truncate | 100.0% +- 0.0 (n=3) [43.9, 100.0] |" in capsys.readouterr().out
