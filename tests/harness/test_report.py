"""The sweep report on hand-made run dirs: shared episodes, paired differences, clear refusals."""

from __future__ import annotations

import json

import pytest

from harness import plots
from harness.report import compare, find_runs, main

ENV_IDS = {"toolworld": "trainfree/ToolWorld-v0", "mle": "trainfree/MLECompetition-v0"}


def make_run(path, label, outcomes, env_kind="toolworld"):
    """outcomes: {task: True/False/"error"/"crash"}; run.json as written before env profiles (the env's id only)."""
    path.mkdir(parents=True)
    identity = {"env": {"id": ENV_IDS[env_kind]}}
    (path / "run.json").write_text(json.dumps({"label": label, "env_kind": env_kind, "identity": identity}))
    lines = []
    for task, outcome in outcomes.items():
        error = {
            "error": {"type": "ModelUnavailable", "stage": "act", "reason": "down", "kind": "infra"},
            "crash": {"type": "RuntimeError", "stage": "step", "reason": "env crashed", "kind": "agent"},
        }.get(str(outcome))
        success = outcome is True
        lines.append(
            json.dumps(
                {
                    "key": f"{task}@0",
                    "task_id": task,
                    "scenario": task[0],
                    "difficulty": 1,
                    "seed": 0,
                    "success": success,
                    "reward": float(success),
                    "error": error,
                    "steps": 1,
                    "metrics": {},
                }
            )
        )
    (path / "results.jsonl").write_text("\n".join(lines) + "\n")


def test_paired_differences_on_the_episodes_every_run_completed(tmp_path):
    make_run(tmp_path / "0", "none", {"a": True, "b": False, "c": True, "d": False, "e": True})
    make_run(tmp_path / "1", "summarize", {"a": True, "b": True, "c": True, "d": False, "e": "error"})
    report = compare(find_runs(tmp_path))
    assert report["baseline"] == "none" and report["shared_episodes"] == 4  # e errored in one run
    paired = report["stacks"]["summarize"]["paired_vs_baseline"]["success"]
    # differences on a, b, c, d: 0, 1, 0, 0 -> mean 1/4, sample sd 1/2, SE 1/4
    assert (paired["mean"], paired["se"], paired["n"]) == (0.25, 0.25, 4)
    # 95% t interval, 3 dof (t = 3.18245): 0.25 -+ 0.7956, the top cut at +1 (a difference of rates)
    assert paired["ci95"] == pytest.approx([0.25 - 3.18245 * 0.25, 1.0], abs=1e-4)
    assert report["stacks"]["none"]["summary"]["success"]["mean"] == 0.5
    assert report["stacks"]["summarize"]["errors_total"] == 1


def test_runs_of_one_stack_are_named_by_the_setting_their_sweep_changed(tmp_path):
    for job, steps in (("0", 1), ("1", 5)):
        make_run(tmp_path / job, "none", {"a": steps > 1, "b": True})
        (tmp_path / job / ".hydra").mkdir()
        (tmp_path / job / ".hydra" / "overrides.yaml").write_text(f"- env=tiny\n- max_steps={steps}\n")
    make_run(tmp_path / "2", "summarize", {"a": True, "b": True})
    assert [run.label for run in find_runs(tmp_path)] == ["none, max_steps=1", "none, max_steps=5", "summarize"]
    text = main([str(tmp_path)])
    assert (
        text == 0
        and "| none, max_steps=5 | 100.0% +- 0.0 (n=2) [34.2, 100.0] |" in (tmp_path / "report.md").read_text()
    )


def test_the_baseline_can_be_chosen_and_must_exist(tmp_path):
    make_run(tmp_path / "0", "summarize", {"a": True, "b": False})
    make_run(tmp_path / "1", "correct", {"a": False, "b": False})
    assert compare(find_runs(tmp_path))["baseline"] == "summarize"  # no "none": the first run
    report = compare(find_runs(tmp_path), "correct")
    assert report["stacks"]["summarize"]["paired_vs_baseline"]["success"]["mean"] == 0.5
    with pytest.raises(ValueError, match="no run labelled 'nope'"):
        compare(find_runs(tmp_path), "nope")


def test_refusals_name_the_problem(tmp_path, capsys):
    assert main([str(tmp_path / "missing")]) == 2
    assert "no sweep dir" in capsys.readouterr().err
    make_run(tmp_path / "0", "none", {"a": "error"})
    make_run(tmp_path / "1", "summarize", {"a": True})
    assert main([str(tmp_path)]) == 2
    assert "no episode was scored in every run" in capsys.readouterr().err
    make_run(tmp_path / "x" / "2", "none", {"a": True}, env_kind="mle")
    with pytest.raises(ValueError, match="different envs"):
        compare(find_runs(tmp_path))


def test_tokens_are_plotted_only_where_tokens_were_spent(tmp_path):
    make_run(tmp_path / "0", "none", {"a": True, "b": False})
    summaries = {label: e["summary"] for label, e in compare(find_runs(tmp_path))["stacks"].items()}
    stale = tmp_path / "tokens.png"
    stale.write_bytes(b"an old plot")
    assert plots.tokens_vs_success(summaries, stale) is None and not stale.exists()
    summaries["none"]["cost"]["tokens_per_episode"] = {"mean": 120.0, "se": 10.0, "n": 2, "ci95": [0.0, 247.1]}
    assert plots.tokens_vs_success(summaries, stale).read_bytes()[:4] == b"\x89PNG"
    assert plots.success_by_difficulty(summaries, tmp_path / "bars.png").read_bytes()[:4] == b"\x89PNG"


def test_a_swept_setting_holding_dollar_signs_is_plotted_as_written(tmp_path, capsys):
    """Labels are plotted as text: a sweep over a setting whose values hold two dollar signs made matplotlib parse
    the label as mathtext, and `report` ended with "report: \\frac{ ... ParseSyntaxException" (exit 2)."""
    for job, stop in (("0", "'$\\frac{$'"), ("1", "'$$'")):
        make_run(tmp_path / job, "none", {"a": job == "1", "b": True})
        (tmp_path / job / ".hydra").mkdir()
        (tmp_path / job / ".hydra" / "overrides.yaml").write_text(f"- +policy.sampling.stop={stop}\n")
    assert main([str(tmp_path), "--html"]) == 0, capsys.readouterr().err
    assert "none, policy.sampling.stop='$\\frac{$'" in [run.label for run in find_runs(tmp_path)]
    assert (tmp_path / "report_success_by_difficulty.png").stat().st_size > 0
