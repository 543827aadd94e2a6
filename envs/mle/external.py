"""Point the env at real prepared MLE-bench data.

A competition folder `<data>/<id>/` with `prepared/public` and
`prepared/private` is graded by the metric its config names: `config.json` in
the folder and/or `overrides` (e.g. {"metric": "auc-roc", "id_column": "id",
"answers": "test.csv"}). When the `mlebench` package is installed and knows the
id, its own grader scores the submission (imported lazily, only then) and
its description and leaderboard fill in what the folder lacks.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from envs.mle import grading
from envs.mle.competition import Competition, CompetitionConfig


def mlebench_competition(competition_id: str, data_dir: Path) -> Any | None:
    """mlebench's Competition object, or None when mlebench is absent or does not know the id."""
    try:
        from mlebench.registry import registry
    except ImportError:
        return None
    try:
        return registry.set_data_dir(data_dir).get_competition(competition_id)
    except Exception:  # unknown id or an mlebench registry error: grade with our metric instead
        return None


def load_competition_dir(path: str | Path, overrides: dict[str, Any] | None = None) -> Competition:
    root = Path(path).expanduser()
    for part in ("prepared/public", "prepared/private"):
        if not (root / part).is_dir():
            raise FileNotFoundError(f"{root} is not a prepared competition: {part}/ is missing")
    raw: dict[str, Any] = {"id": root.name}
    if (root / "config.json").is_file():
        raw.update(json.loads((root / "config.json").read_text()))
    raw.update(overrides or {})
    if "id_column" not in raw:
        sample = root / "prepared" / "public" / raw.get("sample_submission", "sample_submission.csv")
        if sample.is_file():
            raw["id_column"] = str(grading.read_csv_strict(sample).columns[0])
    config = CompetitionConfig.from_dict(raw)
    bench = mlebench_competition(config.id, root.parent)
    grader = None
    if bench is not None:
        grader = bench.grader.grade_fn
        _fill_from_mlebench(root, bench)
    if not (root / "leaderboard.csv").is_file():
        raise FileNotFoundError(f"{root} has no leaderboard.csv (a `score` column per team) for medal thresholds")
    return Competition(root, config, grader)


def _fill_from_mlebench(root: Path, bench: Any) -> None:
    """Copy mlebench's description and leaderboard next to the data when the folder has none."""
    for name, source in (
        ("description.md", getattr(bench, "description", None)),
        ("leaderboard.csv", getattr(bench, "leaderboard", None)),
    ):
        target = root / name
        if target.exists() or source is None:
            continue
        if isinstance(source, Path) and source.is_file():
            shutil.copyfile(source, target)
        elif isinstance(source, str) and name == "description.md":
            target.write_text(source)
