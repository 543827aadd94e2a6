"""Make a competition's reference leaderboard from its baseline population.

Every candidate of `population.py` (or the competition's own population) is
trained on the public train set and predicts the test set. The board has
`spec.teams` entries: with fewer candidates, the missing teams are seeded
blends of two candidates' submissions (a weighted mean of numeric columns,
else each row taken from one of the two); with more, a seeded subset is kept.
Every entry is graded against the private answers by the competition's
grader; rows are written best first. Deterministic for a given data set and
library versions.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from envs.mle import population as pop
from envs.mle.builtin import BuiltinSpec
from envs.mle.competition import Competition

#: seeds the choice of derived teams (fixed: the board depends only on the data and the population)
TEAM_SEED = 2026


def _submissions(spec: BuiltinSpec, competition: Competition) -> list[tuple[str, pd.DataFrame]]:
    if spec.custom_population is not None:
        candidates, solve = spec.custom_population
        return [(c.name, solve(c, competition.public_dir)) for c in candidates()]
    data = spec.features(competition.public_dir)
    return [(c.name, pop.to_submission(spec, data, pop.predict(spec, c, data))) for c in pop.population(spec)]


def _blend(first: pd.DataFrame, second: pd.DataFrame, weight: float, rng: np.random.Generator) -> pd.DataFrame:
    """`weight` of the first submission and the rest of the second, column by column."""
    out = first.copy()
    for col in first.columns[1:]:
        a, b = pd.to_numeric(first[col], errors="coerce"), pd.to_numeric(second[col], errors="coerce")
        if a.notna().all() and b.notna().all() and pd.api.types.is_float_dtype(first[col]):
            out[col] = weight * a + (1 - weight) * b
        else:
            out[col] = np.where(rng.random(len(first)) < weight, first[col], second[col])
    return out


def fill_teams(entries: list[tuple[str, pd.DataFrame]], teams: int) -> list[tuple[str, pd.DataFrame]]:
    """Exactly `teams` entries: a seeded subset of the candidates, or all of them and seeded blends of pairs."""
    rng = np.random.default_rng(TEAM_SEED)
    if teams <= len(entries):
        keep = np.sort(rng.choice(len(entries), teams, replace=False))
        return [entries[i] for i in keep]
    out = list(entries)
    while len(out) < teams:
        i, j = rng.choice(len(entries), 2, replace=False)
        weight = round(float(rng.uniform(0.2, 0.8)), 2)
        name = f"blend({entries[i][0]}*{weight}+{entries[j][0]}*{1 - weight:.2f})"
        out.append((name, _blend(entries[i][1], entries[j][1], weight, rng)))
    return out


def make_leaderboard(spec: BuiltinSpec) -> pd.DataFrame:
    """Grade the whole population on freshly prepared data; best first."""
    with tempfile.TemporaryDirectory(prefix="trainfree-leaderboard-") as tmp:
        root = Path(tmp) / spec.config.id
        spec.prepare(root)
        competition = Competition.load(root)
        answers = competition.answers()
        rows = [
            {"team": name, "score": competition.grade(submission.astype(str), answers)}
            for name, submission in fill_teams(_submissions(spec, competition), spec.teams)
        ]
    board = pd.DataFrame(rows)
    board["score"] = board["score"].round(5)
    board = board.sort_values("score", ascending=spec.config.lower_is_better, kind="stable").reset_index(drop=True)
    board.insert(0, "rank", range(1, len(board) + 1))
    return board


def write_leaderboard(spec: BuiltinSpec) -> Path:
    path = spec.resources / "leaderboard.csv"
    make_leaderboard(spec).to_csv(path, index=False)
    return path
