"""Pointing the env at a prepared MLE-bench style folder that is not built in."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from envs.mle.competition import Competition
from envs.mle.env import MLECompetitionEnv
from envs.mle.external import load_competition_dir

WRITE_SAMPLE = "import shutil\nshutil.copy('input/sample_submission.csv', 'submission.csv')\n"


def _external_copy(mle_cache: Path, tmp_path: Path, name: str = "my-comp") -> Path:
    """A folder laid out like MLE-bench's prepared data, answers under an MLE-bench-like name."""
    source = mle_cache / "diabetes-progression"
    root = tmp_path / name
    shutil.copytree(source / "prepared", root / "prepared")
    (root / "prepared" / "private" / "answers.csv").rename(root / "prepared" / "private" / "test.csv")
    shutil.copy(source / "leaderboard.csv", root / "leaderboard.csv")
    return root


def test_env_grades_an_external_folder_with_the_named_metric(mle_cache: Path, tmp_path: Path) -> None:
    root = _external_copy(mle_cache, tmp_path)
    env = MLECompetitionEnv(
        competition_dir=root, competition_config={"metric": "rmse", "answers": "test.csv"}, work_root=tmp_path
    )
    obs, info = env.reset()
    assert info["task_id"] == "my-comp" and info["competition"]["id_column"] == "patient_id"  # from the sample
    assert [t["task_id"] for t in env.list_tasks()] == ["my-comp"]
    env.step(WRITE_SAMPLE)
    *_, info = env.step("submit")
    assert info["evaluation"]["valid_submission"] and info["evaluation"]["score"] > 0
    with pytest.raises(NotImplementedError, match="no baseline"):
        env.oracle_actions()
    env.close()


def test_config_json_in_the_folder_is_used(mle_cache: Path, tmp_path: Path) -> None:
    root = _external_copy(mle_cache, tmp_path)
    (root / "config.json").write_text(
        json.dumps({"id": "renamed", "metric": "mae", "id_column": "patient_id", "answers": "test.csv"})
    )
    comp = load_competition_dir(root)
    assert comp.id == "renamed" and comp.config.lower_is_better and comp.config.metric == "mae"


def test_incomplete_folders_are_refused_with_the_reason(mle_cache: Path, tmp_path: Path) -> None:
    with pytest.raises(
        FileNotFoundError, match=r"not a prepared competition: \['prepared/private', 'prepared/public'\]"
    ):
        load_competition_dir(tmp_path)
    root = _external_copy(mle_cache, tmp_path)
    (root / "leaderboard.csv").unlink()
    with pytest.raises(FileNotFoundError, match="no leaderboard.csv"):
        load_competition_dir(root, {"metric": "rmse"})
    with pytest.raises(ValueError, match="unknown metric"):
        load_competition_dir(root, {"metric": "f7-score"})
    with pytest.raises(ValueError, match="lacks \\['metric'\\]"):
        load_competition_dir(root)


def test_without_mlebench_a_folder_named_like_its_ids_is_graded_by_our_metric(
    mle_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [m for m in sys.modules if m == "mlebench" or m.startswith("mlebench.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "mlebench", None)  # as if it were not installed
    root = _external_copy(mle_cache, tmp_path, name="spooky-author-identification")
    comp = load_competition_dir(root, {"metric": "rmse", "answers": "test.csv"})
    assert type(comp) is Competition and comp.config.metric == "rmse"
