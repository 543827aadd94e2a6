"""Make a competition's reference leaderboard from its baseline population.

Every candidate of `population.py` (or the competition's own population) is
trained on the public train set, predicts the test set and is graded against
the private answers by the competition's grader; rows are written best first.
Deterministic for a given data set and library versions.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from envs.mle import population as pop
from envs.mle.builtin import BuiltinSpec
from envs.mle.competition import Competition


def _scores(spec: BuiltinSpec, competition: Competition) -> list[dict]:
    answers = competition.answers()
    rows = []
    if spec.custom_population is not None:
        candidates, solve = spec.custom_population
        for candidate in candidates():
            submission = solve(candidate, competition.public_dir)
            rows.append({"team": candidate.name, "score": competition.grade(submission, answers)})
        return rows
    data = spec.features(competition.public_dir)
    for candidate in pop.population(spec):
        predictions = pop.predict(spec, candidate, data)
        submission = pop.to_submission(spec, data, predictions).astype(str)
        rows.append({"team": candidate.name, "score": competition.grade(submission, answers)})
    return rows


def make_leaderboard(spec: BuiltinSpec) -> pd.DataFrame:
    """Grade the whole population on freshly prepared data; best first."""
    with tempfile.TemporaryDirectory(prefix="trainfree-leaderboard-") as tmp:
        root = Path(tmp) / spec.config.id
        spec.prepare(root)
        competition = Competition.load(root)
        rows = _scores(spec, competition)
    board = pd.DataFrame(rows)
    board["score"] = board["score"].round(5)
    board = board.sort_values("score", ascending=spec.config.lower_is_better, kind="stable").reset_index(drop=True)
    board.insert(0, "rank", range(1, len(board) + 1))
    return board


def write_leaderboard(spec: BuiltinSpec) -> Path:
    path = spec.resources / "leaderboard.csv"
    make_leaderboard(spec).to_csv(path, index=False)
    return path
