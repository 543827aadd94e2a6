"""Make a competition's reference leaderboard: `spec.teams` teams derived from the population.

The base entries are the population's models (`population.py`: a tuned model's holdout score ranks it, as a
Kaggler's local validation would) or the competition's own candidates (without tiers, they are ranked into
thirds by their score on the competition's validation split, a split of the public train set). `teams.py`
derives the board's teams from them; every team is graded against the private answers by the competition's
own grader; rows are written best first. Deterministic for a given data set and library versions.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from envs.mle import population as pop
from envs.mle.builtin import BuiltinSpec
from envs.mle.competition import Competition
from envs.mle.metrics import InvalidSubmission
from envs.mle.population import TIERS
from envs.mle.teams import Entry, Field, plan


def _validation_score(competition: Competition, submission: pd.DataFrame) -> float | None:
    try:
        answers = competition.answers(competition.validation_root / "private")
        return competition.grade(submission.astype(str), answers)
    except InvalidSubmission:
        return None


def _tiers_by_validation(scores: list[float | None], lower_is_better: bool) -> list[str]:
    """Candidates without a declared tier: thirds of the validation ranking (no score: weak)."""
    sign = 1.0 if lower_is_better else -1.0
    order = sorted(range(len(scores)), key=lambda i: (scores[i] is None, sign * (scores[i] or 0.0)))
    tiers = ["weak"] * len(scores)
    for place, i in enumerate(order):
        if scores[i] is not None:
            tiers[i] = ("strong", "mid", "weak")[min(2, 3 * place // len(scores))]
    return tiers


def population_entries(spec: BuiltinSpec, competition: Competition) -> list[Entry]:
    """Every base entry with its tier, validation score and test submission."""
    if spec.custom_population is None:
        first = spec.features(competition.public_dir)
        engineered = spec.strong_features(competition.public_dir) if spec.engineered_features else first
        if not np.array_equal(np.asarray(first.test_ids), np.asarray(engineered.test_ids)):
            raise ValueError(f"{spec.config.id}: engineered_features must keep the test rows of features, in order")
        entries = []
        for candidate in pop.population(spec, engineered):
            data = engineered if candidate.tier == "strong" else first
            predictions, holdout = pop.fit_entry(spec, candidate, data)
            entries.append(Entry(candidate.name, candidate.tier, pop.to_submission(spec, data, predictions), holdout))
        return entries
    candidates, solve = spec.custom_population
    made = [(c, solve(c, competition.public_dir)) for c in candidates()]
    if all(getattr(c, "tier", None) in TIERS for c, _ in made):  # the shared population's models, per column
        return [Entry(c.name, c.tier, test, None) for c, test in made]
    validation = competition.validation_root / "public"
    scores = [_validation_score(competition, solve(c, validation)) for c, _ in made]
    tiers = _tiers_by_validation(scores, spec.config.lower_is_better)
    return [Entry(c.name, tiers[i], test, scores[i]) for i, (c, test) in enumerate(made)]


def grade_teams(spec: BuiltinSpec, competition: Competition, entries: list[Entry]) -> pd.DataFrame:
    """The board: every planned team's submission graded on the private answers; best first."""
    field = Field(entries, spec.config.metric, competition.sample_submission())
    answers = competition.answers()
    rows = [
        {"team": team.name(entries), "score": competition.grade(field.submission(team).astype(str), answers)}
        for team in plan(entries, spec.teams, spec.config.lower_is_better)
    ]
    board = pd.DataFrame(rows)
    board["score"] = board["score"].astype(float).round(5)
    board = board.sort_values("score", ascending=spec.config.lower_is_better, kind="stable").reset_index(drop=True)
    board.insert(0, "rank", np.arange(1, len(board) + 1))
    return board


def make_leaderboard(spec: BuiltinSpec) -> pd.DataFrame:
    """Grade the whole derived field on freshly prepared data; best first."""
    with tempfile.TemporaryDirectory(prefix="trainfree-leaderboard-") as tmp:
        root = Path(tmp) / spec.config.id
        spec.prepare(root)
        competition = Competition.load(root)
        return grade_teams(spec, competition, population_entries(spec, competition))


def write_leaderboard(spec: BuiltinSpec) -> Path:
    path = spec.resources / "leaderboard.csv"
    make_leaderboard(spec).to_csv(path, index=False)
    return path
