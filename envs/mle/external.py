"""Point the env at real prepared MLE-bench data.

A competition folder `<data>/<id>/` with `prepared/public` and
`prepared/private` (the layout `mlebench prepare` writes). When the `mlebench`
package is installed and knows the id, MLE-bench's own code grades it
(`MLEBenchCompetition`) and its config names the answers and sample files and
the metric; a `leaderboard.csv` in the folder is used before MLE-bench's (whose
copy may be a Git LFS pointer). Otherwise the folder is graded by the metric
its `config.json` and/or `overrides` name (e.g. {"metric": "auc-roc",
"id_column": "id", "answers": "test.csv"}) and needs its own leaderboard.csv.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from envs.mle import grading, mlebench_registry
from envs.mle.competition import Competition, CompetitionConfig
from envs.mle.metrics import get_metric


def load_competition_dir(path: str | Path, overrides: dict[str, Any] | None = None) -> Competition:
    root = Path(path).expanduser().resolve()
    bench = mlebench_registry.known_competition(root.name, root.parent)
    missing = [part for part in ("prepared/public", "prepared/private") if not (root / part).is_dir()]
    if bench is not None:
        missing += [str(p.relative_to(root)) for p in mlebench_registry.missing_data(bench)]  # all under root
    if missing:
        how = f"; prepare it with `{mlebench_registry.prepare_command(root.name, root.parent)}`" if bench else ""
        raise FileNotFoundError(f"{root} is not a prepared competition: {sorted(set(missing))} missing{how}")
    raw: dict[str, Any] = {"id": root.name, **(_mlebench_config(bench) if bench is not None else {})}
    if (root / "config.json").is_file():
        raw.update(json.loads((root / "config.json").read_text()))
    raw.update(overrides or {})
    if "id_column" not in raw:
        sample = root / "prepared" / "public" / raw.get("sample_submission", "sample_submission.csv")
        if sample.is_file():
            raw["id_column"] = str(grading.read_csv_strict(sample).columns[0])
    if bench is not None:
        return _mlebench_competition(root, raw, bench)
    config = CompetitionConfig.from_dict(raw)
    if not (root / "leaderboard.csv").is_file():
        raise FileNotFoundError(f"{root} has no leaderboard.csv (a `score` column per team) for medal thresholds")
    return Competition(root, config)


def _mlebench_config(bench: Any) -> dict[str, Any]:
    """What MLE-bench's config says about the folder: names, the answers and sample files, the metric."""
    raw = {
        "name": bench.name,
        "answers": str(Path(bench.answers).relative_to(bench.private_dir)),
        "sample_submission": str(Path(bench.sample_submission).relative_to(bench.public_dir)),
    }
    metric = mlebench_registry.GRADER_METRICS.get(bench.grader.name)
    return raw if metric is None else {**raw, "metric": metric}


def _mlebench_competition(root: Path, raw: dict[str, Any], bench: Any) -> Competition:
    from envs.mle.mlebench_competition import MLEBenchCompetition  # imports mlebench, so only now

    if "metric" not in raw:
        raise ValueError(
            f"MLE-bench grades {bench.id} with {bench.grader.name!r}, which has no counterpart here: pass "
            "competition_config={'metric': ...} naming a metric of the same direction (lower or higher is better)"
        )
    probe = MLEBenchCompetition(root, CompetitionConfig.from_dict(raw), bench)
    board = pd.read_csv(probe.leaderboard_path)  # raises naming the cause when there is no usable leaderboard
    if "score" not in board.columns or board["score"].isna().all():
        raise ValueError(f"{probe.leaderboard_path} needs a numeric `score` column")
    lower = bench.grader.is_lower_better(board)  # MLE-bench reads the direction off the first and last rows
    flat = board["score"].iloc[0] == board["score"].iloc[-1]  # tells nothing: both read higher is better
    if not flat and lower != get_metric(raw["metric"]).lower_is_better:
        raise ValueError(
            f"{probe.leaderboard_path} must list scores best first: MLE-bench reads from its first row "
            f"({board['score'].iloc[0]}) and last row ({board['score'].iloc[-1]}) that "
            f"{'lower' if lower else 'higher'} is better, but {raw['metric']} is the other way"
        )
    return probe
