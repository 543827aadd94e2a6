"""MLE leaderboards: where the trivial submission, the bundled baseline, an untuned HGB and a tuned model land.

Per competition: prepare it and place four submissions on the committed board, each graded by the
competition's own grader (with --regenerate, also regenerate the board, timed, and compare it with the
committed leaderboard.csv):
- trivial: the prior (train mean, class frequencies or positive rate, most frequent label), or the sample
  submission for a competition with its own population (text);
- baseline: the bundled baseline.py run as a plain subprocess in a folder with ./input (one thread);
- untuned HGB: HistGradientBoosting with its defaults on a first submission's features (`BuiltinSpec.features`;
  on 100 SVD components for sparse text; n/a where the competition has no feature table);
- tuned: the population's tuned HGB (its small search on a holdout of train; QWK: with tuned cutpoints), for
  sparse text its tuned logistic regression, on the strong tier's engineered features
  (`BuiltinSpec.strong_features`);
  for a competition with its own population, the candidate that scores best on the validation split.
Prints a table and saves benchmarks/results/mle_boards.json and .md (rows of competitions not measured in
this run are kept), each row with the load average when it was measured.
Run: nice -n 10 .venv/bin/python benchmarks/mle_boards.py [ids...] [--regenerate]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from envs.mle import population as pop
from envs.mle.builtin import BuiltinSpec, Features
from envs.mle.competition import Competition
from envs.mle.leaderboard import grade_teams, population_entries
from envs.mle.medals import medal_report, thresholds
from envs.mle.registry import competition_ids, get_spec

RESULTS = Path(__file__).parent / "results"
ONE_THREAD = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def _baseline(spec: BuiltinSpec, competition: Competition, work: Path) -> pd.DataFrame:
    work.mkdir()
    shutil.copytree(competition.public_dir, work / "input")
    (work / "baseline.py").write_text(spec.baseline_script)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work), **ONE_THREAD}
    done = subprocess.run(
        [sys.executable, "baseline.py"], cwd=work, env=env, capture_output=True, text=True, timeout=900
    )
    if done.returncode != 0:
        raise RuntimeError(f"{spec.config.id}: baseline failed: {done.stderr[-800:]}")
    return pd.read_csv(work / "submission.csv", dtype=str, keep_default_na=False)


def _per_target(spec: BuiltinSpec, data: Features, fit: Callable[[Features], np.ndarray]) -> np.ndarray:
    """One model per target of a multi-target regression, as its population does (multi-label fits all at once)."""
    if data.y_train.ndim == 1 or spec.kind != "regression":
        return fit(data)
    columns = [
        fit(dataclasses.replace(data, y_train=data.y_train[:, k], target_columns=(target,)))
        for k, target in enumerate(data.target_columns)
    ]
    return np.column_stack([np.asarray(column).reshape(len(data.x_test), -1) for column in columns])


def _tuned_model(spec: BuiltinSpec) -> pop.Candidate:
    """HGB with its grid; on sparse text the strong tier's tuned logistic regression: HGB there sees only 100
    SVD components of the tf-idf, which is not the model a careful Kaggler tunes on text."""
    if spec.sparse_features:
        return next(c for c in pop.population(spec) if c.family == "linear" and c.tier == "strong")
    return pop.Candidate("hgb", {}, "strong", grid=pop.HGB_GRID)


def _model_submissions(spec: BuiltinSpec, competition: Competition) -> dict[str, Any]:
    """The trivial submission, the untuned HGB and the tuned model."""
    if spec.kind == "custom":
        entries = [e for e in population_entries(spec, competition) if e.validation is not None]
        sign = 1.0 if spec.config.lower_is_better else -1.0
        tuned = min(entries, key=lambda e: sign * (e.validation or 0.0)).submission if entries else None
        return {"trivial": competition.sample_submission(), "untuned HGB": None, "tuned": tuned}
    data = spec.features(competition.public_dir)
    family = "svd_hgb" if spec.sparse_features else "hgb"
    untuned = _per_target(
        spec,
        data,
        lambda d: pop.fit_predict(spec, pop.estimator(spec, family, {}), d.x_train, d.y_train, d.x_test, d.classes),
    )
    tuned = _per_target(
        spec, spec.strong_features(competition.public_dir), lambda d: pop.fit_entry(spec, _tuned_model(spec), d)[0]
    )
    return {
        "trivial": pop.to_submission(spec, data, pop.trivial_predictions(spec, data)),
        "untuned HGB": pop.to_submission(spec, data, untuned),
        "tuned": pop.to_submission(spec, data, tuned),
    }


def _place(score: float, board: pd.Series, lower_is_better: bool) -> dict:
    report = medal_report(score, thresholds(board.tolist(), lower_is_better), lower_is_better)
    better = int((board < score).sum() if lower_is_better else (board > score).sum())
    medal = next((m for m in ("gold", "silver", "bronze") if report[f"{m}_medal"]), "-")
    return {"score": round(score, 5), "rank": better + 1, "medal": medal, "above_median": report["above_median"]}


def measure(cid: str, tmp: Path, regenerate: bool) -> dict:
    spec = get_spec(cid)
    root = tmp / cid
    spec.prepare(root)
    competition = Competition.load(root)
    committed = pd.read_csv(spec.resources / "leaderboard.csv")
    generation: dict[str, Any] = {}
    if regenerate:
        start = time.perf_counter()
        fresh = grade_teams(spec, competition, population_entries(spec, competition))
        generation["generation_s"] = round(time.perf_counter() - start, 1)
        generation["board_matches_committed"] = fresh.to_csv(index=False) == committed.to_csv(index=False)
    lower = spec.config.lower_is_better
    answers = competition.answers()
    submissions = _model_submissions(spec, competition)
    submissions["baseline"] = _baseline(spec, competition, tmp / f"{cid}-baseline")
    places = {
        name: None if sub is None else _place(competition.grade(sub.astype(str), answers), committed["score"], lower)
        for name, sub in submissions.items()
    }
    trivial = competition.grade(submissions["trivial"].astype(str), answers)
    beats_trivial = float(((committed["score"] < trivial) if lower else (committed["score"] > trivial)).mean())
    return {
        "competition": cid,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "teams": len(committed),
        "metric": spec.config.metric,
        "best": float(committed["score"].iloc[0]),
        "median": float(committed["score"].median()),
        "share_beating_trivial": round(beats_trivial, 4),
        **generation,
        **{name: places[name] for name in ("trivial", "baseline", "untuned HGB", "tuned")},
    }


def _cell(place: dict | None, teams: int) -> str:
    if place is None:
        return "n/a"
    median = "above" if place["above_median"] else "below"
    return f"{place['score']:g} ({place['rank']}/{teams}, {place['medal']}, {median})"


def table(rows: list[dict]) -> str:
    head = "| competition | teams | best / median | trivial | baseline | untuned HGB | tuned |"
    lines = [head, "|---|---:|---|---|---|---|---|"]
    for r in rows:
        cells = [_cell(r[k], r["teams"]) for k in ("trivial", "baseline", "untuned HGB", "tuned")]
        lines.append(
            f"| `{r['competition']}` | {r['teams']} | {r['best']:g} / {r['median']:g} | " + " | ".join(cells) + " |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ids", nargs="*", help="default: every built-in competition")
    parser.add_argument("--regenerate", action="store_true", help="also regenerate each board (timed) and compare")
    args = parser.parse_args()
    measured = {}
    with threadpool_limits(limits=1), tempfile.TemporaryDirectory(prefix="mle-boards-") as tmp:
        for cid in args.ids or competition_ids("all"):
            measured[cid] = measure(cid, Path(tmp), args.regenerate)
            print(table([measured[cid]]).splitlines()[-1], flush=True)
    path = RESULTS / "mle_boards.json"  # read at the end: another run may have written rows meanwhile
    kept = {r["competition"]: r for r in json.loads(path.read_text())["rows"]} if path.is_file() else {}
    kept.update(measured)
    order = competition_ids("all")
    rows = sorted(kept.values(), key=lambda r: order.index(r["competition"]) if r["competition"] in order else 0)
    result = {"machine": {"platform": platform.platform(), "cpus": os.cpu_count()}, "rows": rows}
    RESULTS.mkdir(exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
    loads = ", ".join(f"{r['competition']} {r['load_average'][0]}" for r in rows)
    note = f"1-minute load average when measured (2 cores): {loads}."
    cells = "Cells: score (rank / teams, medal, above or below the median)."
    (RESULTS / "mle_boards.md").write_text(f"# MLE leaderboards\n\n{table(rows)}\n\n{cells} {note}\n")
    print(table(rows))
    print(note)
    for r in rows:
        if "generation_s" in r:
            same = "matches" if r["board_matches_committed"] else "DIFFERS from"
            print(f"{r['competition']}: generated in {r['generation_s']} s, {same} the committed board")


if __name__ == "__main__":
    main()
