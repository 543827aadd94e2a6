"""The harness on MLE competitions: oracle and replayed LLM runs, rates over seeds."""

from __future__ import annotations

import json

import pytest

from tests.harness.conftest import read_lines, run_eval
from tests.harness.scripted import oracle_actions_by_instruction, record_oracle_replies

MLE_RATES = ("made submission", "valid submission", "above median", "any medal", "valid-code rate")


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    base = tmp_path_factory.mktemp("mle_recording")
    path = base / "replies.jsonl"
    solutions = oracle_actions_by_instruction("mle", "lite", limit=1)
    summary = record_oracle_replies(
        path, solutions, base / "run", limit=1, env_name="mle", split="lite", env_kwargs={"show_runtime": False}
    )
    assert summary["errors"] == 0 and summary["cost"]["calls"] == 2  # the script, then `submit`
    return path, read_lines(base / "run")


def test_the_oracle_makes_a_valid_submission_every_seed_and_lands_where_its_baseline_does(tmp_path):
    """MLE's oracle plays the bundled baseline, which every board is built to rank below its median."""
    proc = run_eval("env=mle", "policy=oracle", "limit=1", "seeds=[0,1]", "max_steps=null", f"hydra.run.dir={tmp_path}")
    summary = json.loads((tmp_path / "summary.json").read_text())
    for label in MLE_RATES:
        earned = 0.0 if label in ("above median", "any medal") else 1.0
        assert summary["headline"][label] == {
            "mean": earned,
            "se": 0.0,
            "n": 2,
            "over": "seeds",
            "ci95": [earned, earned],
            "ci_method": "t",
        }, label
    assert "| valid submission | 100.0% +- 0.0 (n=2, seeds) |" in proc.stdout
    assert "| any medal | 0.0% +- 0.0 (n=2, seeds) |" in proc.stdout


def test_a_replayed_llm_run_on_mle_reproduces_the_recorded_run(recording, tmp_path):
    path, recorded = recording
    before = path.read_bytes()
    run_eval(
        "env=mle",
        "policy=replay",
        f"policy.model.path={path}",
        "limit=1",
        "max_steps=3",
        "+env.kwargs.show_runtime=false",
        f"hydra.run.dir={tmp_path}",
    )
    (replayed,) = read_lines(tmp_path)
    (original,) = recorded
    for field in ("success", "reward", "steps", "llm"):
        assert replayed[field] == original[field], field
    same = {k: v for k, v in original["metrics"].items() if k != "run_time_s"}
    assert {k: replayed["metrics"][k] for k in same} == same
    assert replayed["metrics"]["valid_submission"] == 1.0
    assert path.read_bytes() == before
