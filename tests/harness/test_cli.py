"""train_free_eval.py end to end, in real subprocesses, on the tiny contract env."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

from harness.cli_checks import UsageError, check_command_line
from harness.compose import CONF_DIR, compose_stack
from harness.report import main as report_main
from tests.harness.conftest import REPO, eval_command, read_lines, run_eval

TINY_DEV = {"alpha_0", "alpha_1", "bravo_0", "bravo_1", "charlie_0", "charlie_1"}


def test_oracle_run_writes_results_trajectories_summary_and_plots(tmp_path):
    proc = run_eval("env=tiny", "policy=oracle", "limit=null", "workers=3", f"hydra.run.dir={tmp_path}")
    lines = read_lines(tmp_path)
    assert {r["task_id"] for r in lines} == TINY_DEV and len(lines) == 6
    assert all(r["success"] and r["error"] is None and r["stack"] == [] and r["policy"] == "oracle" for r in lines)
    assert {r["key"] for r in lines} == {f"{t}@0" for t in TINY_DEV}
    assert len(list((tmp_path / "trajectories").glob("*.json"))) == 6
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert (summary["episodes"], summary["errors"], summary["success"]["mean"]) == (6, 0, 1.0)
    assert (tmp_path / "success_by_difficulty.png").read_bytes()[:4] == b"\x89PNG"
    assert not (tmp_path / "tokens_vs_success.png").exists()  # the oracle spends no tokens: nothing to plot
    assert f"HTML report: {(tmp_path / 'report.html').resolve().as_uri()}" in proc.stdout
    assert "alpha_0@0" in (tmp_path / "report.html").read_text()
    assert "| success | 100.0% +- 0.0 (n=6) |" in proc.stdout


def test_a_bad_task_id_fails_the_run_with_a_clear_message(tmp_path):
    bad = run_eval("env=tiny", "policy=oracle", "tasks=[zulu_9]", f"hydra.run.dir={tmp_path}", check=False)
    assert bad.returncode != 0 and "unknown task id(s) ['zulu_9']" in bad.stderr


def test_sigkill_mid_run_then_resume_loses_and_duplicates_nothing(tmp_path):
    slow = [
        "env=tiny",
        "policy=oracle",
        "limit=null",
        "seeds=[0,1]",
        "+env.kwargs.step_delay_s=0.15",
        f"hydra.run.dir={tmp_path}",
    ]
    proc = subprocess.Popen(eval_command(*slow), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = tmp_path / "results.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not results.exists() or results.read_text().count("\n") < 3):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    survivors = read_lines(tmp_path)
    assert 3 <= len(survivors) < 12, "the kill must land mid-run"
    # A crash in the middle of a write leaves a torn last line: simulate it on top of the kill.
    with open(results, "ab") as f:
        f.write(json.dumps({"key": "charlie_1@1", "success": True})[:25].encode())
    run_eval(*slow)
    final = read_lines(tmp_path)
    keys = [r["key"] for r in final]
    assert len(keys) == len(set(keys)) == 12
    assert final[: len(survivors)] == survivors  # what was written before the kill is untouched
    assert all(r["success"] for r in final)
    assert (tmp_path / "results.rejected.jsonl").exists()


def test_a_stack_sweep_runs_each_job_in_its_own_dir_and_the_report_compares_them(tmp_path, capsys):
    run_eval("-m", "env=tiny", "policy=oracle", "limit=null", "max_steps=1,5", f"hydra.sweep.dir={tmp_path}")
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["0", "1"]
    assert report_main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["shared_episodes"] == 6
    cut, full = report["stacks"]["none, max_steps=1"], report["stacks"]["none, max_steps=5"]
    # With one step only the difficulty-1 tasks (2 of 6) can be solved by the oracle.
    assert cut["summary"]["success"]["mean"] == 2 / 6 and full["summary"]["success"]["mean"] == 1.0
    assert full["paired_vs_baseline"]["success"]["mean"] == 4 / 6
    assert "| none, max_steps=5 | 100.0% +- 0.0 (n=6) [61.0, 100.0] | 66.7% +-" in out
    assert (tmp_path / "report_success_by_difficulty.png").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["wrappers=[sumarize]"], "unknown wrapper 'sumarize'; did you mean 'summarize'? known wrappers: chaining, "),
        (["policy=replay"], "the config leaves policy.model.path unset; set it on the command line"),
    ],
)
def test_command_line_mistakes_are_refused_with_the_fix_and_nothing_runs(tmp_path, overrides, message):
    proc = run_eval("env=tiny", "policy=oracle", *overrides, f"hydra.run.dir={tmp_path / 'run'}", check=False)
    assert proc.returncode == 1
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "run" / "results.jsonl").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["wrappers=[correct,correct]"], "wrapper 'correct' appears 2 times in the stack ['correct', 'correct']"),
        (["-m", "wrappers=[],[truncate,truncate]"], "wrapper 'truncate' appears 2 times"),
        (["-m", "wrappers=[],[summarize,corect]"], "unknown wrapper 'corect'; did you mean 'correct'?"),
        (["+limt=2"], "unknown setting 'limt' in '+limt=2'; did you mean 'limit'? known settings: env, "),
        (["limt=2"], "unknown setting 'limt' in 'limt=2'; did you mean 'limit'?"),
    ],
)
def test_the_command_line_check_refuses_repeats_and_unknown_settings(argv, message):
    with pytest.raises(UsageError) as refused:
        check_command_line(argv, CONF_DIR)
    assert message in str(refused.value)


def test_the_command_line_check_lets_real_settings_through():
    check_command_line(
        ["-m", "wrappers=[],[summarize,correct]", "+env.kwargs.step_delay_s=0.1", "limit=2", "hydra.run.dir=x"],
        CONF_DIR,
    )


def test_a_model_free_wrapper_runs_with_the_oracle(tmp_path):
    run_eval("env=tiny", "policy=oracle", "wrappers=[truncate]", "limit=2", f"hydra.run.dir={tmp_path}")
    lines = read_lines(tmp_path)
    assert len(lines) == 2 and all(r["success"] and r["stack"] == ["truncate"] for r in lines)


def test_a_selector_arm_with_a_repeated_wrapper_is_refused():
    from tests.harness.tiny_env import TinyEnv

    with pytest.raises(ValueError, match=r"selector arm \['correct', 'correct'\]: wrapper 'correct' appears 2 times"):
        compose_stack(["correct", "correct"], TinyEnv.profile)


def test_log_lines_print_on_their_own_line_above_the_progress_bar(tmp_path):
    overrides = ("env=tiny", "policy=oracle", "progress=true", "+env.kwargs.crash_tasks=[bravo_0]")
    proc = subprocess.run(
        eval_command(*overrides, f"hydra.run.dir={tmp_path}"),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # one stream, unbuffered, as a terminal shows them
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        timeout=180,
    )
    assert proc.returncode == 0 and "ep/s]" in proc.stdout  # the bar was drawn
    (line,) = [line for line in proc.stdout.split("\n") if "episode bravo_0@0 ended in an error" in line]
    shown = line.split("\r")[-1]  # what stays on screen after the bar's carriage returns
    assert shown.startswith("[") and "ep/s" not in shown and "%|" not in shown
