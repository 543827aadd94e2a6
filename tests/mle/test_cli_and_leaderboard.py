"""The command line and the reproducibility of the committed leaderboards."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from envs.mle.__main__ import main
from envs.mle.population import population
from envs.mle.registry import competition_ids, get_spec

ROOT = Path(__file__).resolve().parents[2]


def test_list_prints_every_competition(capsys) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert all(cid in out for cid in competition_ids("all"))
    assert main(["list", "--split", "lite"]) == 0
    assert "diabetes-progression" not in capsys.readouterr().out


def test_prepare_cli_uses_the_env_var_and_is_idempotent(tmp_path: Path) -> None:
    run = lambda: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "envs.mle", "prepare", "diabetes-progression"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "TRAINFREE_MLE_CACHE": str(tmp_path)},
        timeout=120,
    )
    first = run()
    assert first.returncode == 0, first.stderr
    assert str(tmp_path) in first.stdout and (tmp_path / "diabetes-progression" / "checksums.json").is_file()
    assert run().returncode == 0


def test_cli_errors_are_clear(capsys) -> None:
    assert main(["prepare", "no-such-competition", "--cache-dir", "/tmp/unused"]) == 2
    assert "unknown competition 'no-such-competition'" in capsys.readouterr().err


def test_a_committed_leaderboard_regenerates_exactly(capsys) -> None:
    assert main(["leaderboard", "diabetes-progression", "--check"]) == 0
    assert "matches" in capsys.readouterr().out


def test_committed_leaderboards_come_from_the_documented_population() -> None:
    for cid in competition_ids("all"):
        spec = get_spec(cid)
        board = pd.read_csv(spec.resources / "leaderboard.csv")
        assert len(board) == spec.teams and board["score"].notna().all()
        ordered = (
            board["score"].is_monotonic_increasing
            if spec.config.lower_is_better
            else board["score"].is_monotonic_decreasing
        )
        assert ordered, f"{cid}: rows must be best first"
        if spec.custom_population is None:  # every team is a recipe over the population's models
            names = {c.name for c in population(spec)}
            for recipe in board["team"]:
                blend = recipe.split(": ", 1)[1].split("|shrink=")[0]
                assert {part.split("*", 1)[1] for part in blend.split(" + ")} <= names, recipe
