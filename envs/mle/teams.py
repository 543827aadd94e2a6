"""Leaderboard teams derived from a few dozen base entries, so boards of up to 1,600 teams stay cheap.

Base entries are the population's models (envs/mle/population.py) or a competition's own candidates, each
with its test submission, a tier (strong / mid / weak) and its score on the competition's validation split.
A team is a recipe over them, drawn with a seeded generator (`TEAM_SEED` and the team's place), in fixed
shares of the board:

- ensemble (34%): a blend of 2-3 of the 4 strong entries that validate best, Dirichlet weights, tiny noise;
- tuned (22%): one of the 2 best-validating strong entries, small noise;
- standard (24%): one or two mid entries (or strong ones that validate worse), some noise;
- weak (13%): one weak entry, more noise;
- starter (7%): a mid or weak entry shrunk 30-90% toward the field's mean prediction (about the prior), noisy.

So a little over half the field is tuned work, as on Kaggle, where the median team has already gone past
the first default model: the median falls among the tuned single models, an untuned default model lands
just below it, and medals need ensembles.

How a submission is blended and degraded follows the metric: probabilities (AUC, log-loss) are averaged and
noised in logit space (rows of a multi-class log-loss stay distributions); values (RMSE, RMSLE, MAE) are
averaged and noised in units of their spread; grades (QWK) likewise, then rounded; anything else (labels,
text) goes by weighted vote, and degrading replaces a share of rows with the sample submission's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

TEAM_SEED = 2026
SHARES: tuple[tuple[str, float], ...] = (
    ("ensemble", 0.34),
    ("tuned", 0.22),
    ("standard", 0.24),
    ("weak", 0.13),
    ("starter", 0.07),
)
PROBABILITY_METRICS = ("auc-roc", "log-loss")
VALUE_METRICS = ("rmse", "rmsle", "mae")
GRADE_METRICS = ("qwk",)


@dataclass(frozen=True)
class Entry:
    name: str
    tier: str
    submission: pd.DataFrame
    validation: float | None


@dataclass(frozen=True)
class Team:
    archetype: str
    members: tuple[int, ...]
    weights: tuple[float, ...]
    shrink: float
    noise: float
    seed: int

    def name(self, entries: list[Entry]) -> str:
        blend = " + ".join(f"{w:.2f}*{entries[m].name}" for m, w in zip(self.members, self.weights, strict=True))
        return f"{self.archetype}: {blend}|shrink={self.shrink:.2f}|noise={self.noise:.3f}"


def _ranked(entries: list[Entry], tier: str, lower_is_better: bool) -> list[int]:
    """Indices of a tier's entries, best validation first (no validation score last)."""
    members = [i for i, e in enumerate(entries) if e.tier == tier]
    sign = 1.0 if lower_is_better else -1.0
    return sorted(members, key=lambda i: (entries[i].validation is None, sign * (entries[i].validation or 0.0)))


def _counts(teams: int) -> list[int]:
    counts = [int(share * teams) for _, share in SHARES]
    for k in range(teams - sum(counts)):
        counts[k % len(counts)] += 1
    return counts


def plan(entries: list[Entry], teams: int, lower_is_better: bool) -> list[Team]:
    """`teams` recipes over the entries, deterministic for the same entries."""
    strong = _ranked(entries, "strong", lower_is_better) or list(range(len(entries)))
    mid = _ranked(entries, "mid", lower_is_better) + strong[4:]
    weak = _ranked(entries, "weak", lower_is_better) or mid
    pools = {"ensemble": strong[:4], "tuned": strong[:2], "standard": mid or strong, "weak": weak}
    pools["starter"] = (mid + weak) or strong
    archetypes = [name for (name, _), count in zip(SHARES, _counts(teams), strict=True) for _ in range(count)]
    out = []
    for place, archetype in enumerate(archetypes):
        rng = np.random.default_rng([TEAM_SEED, place])
        pool = pools[archetype]
        most = {"ensemble": 3, "standard": 2}.get(archetype, 1)
        least = 2 if archetype == "ensemble" else 1
        k = int(rng.integers(min(least, len(pool)), min(most, len(pool)) + 1))
        members = tuple(int(pool[j]) for j in rng.choice(len(pool), k, replace=False))
        weights = tuple(float(w) for w in rng.dirichlet(np.full(k, 2.0)))
        shrink = float(rng.uniform(0.3, 0.9)) if archetype == "starter" else 0.0
        low, high = {"ensemble": (0, 0.03), "tuned": (0, 0.05), "standard": (0, 0.15), "weak": (0, 0.3)}.get(
            archetype, (0.1, 0.5)
        )
        out.append(Team(archetype, members, weights, shrink, float(rng.uniform(low, high)), place))
    return out


#: Log-loss teams keep their probabilities off 0 and 1 and calibrated (half the logit noise), as Kagglers on
#: log-loss boards do: without it a shallow tree's 0/1 leaves put 15% of pet-photos' board below the prior.
#: Tuned and ensemble teams blend calibrated strong models and clip lightly; a clip of 0.025 on them cost
#: author-identification's best teams ~0.02, so one clean tuned logistic regression beat the whole board.
LOG_LOSS_CLIP = {"ensemble": 0.002, "tuned": 0.002}
LOG_LOSS_CLIP_DEFAULT = 0.025


class Field:
    """What every team's submission is built from: the entries, their mean prediction, the sample submission."""

    def __init__(self, entries: list[Entry], metric: str, sample: pd.DataFrame):
        self.entries = entries
        self.metric = metric
        first = entries[0].submission
        self.id_column, self.targets = first.columns[0], list(first.columns[1:])
        ids = first[self.id_column].astype(str)
        self.trivial = sample.assign(**{self.id_column: sample[self.id_column].astype(str)}).set_index(self.id_column)
        self.trivial = self.trivial.loc[ids, self.targets].to_numpy()
        self.numeric = metric in PROBABILITY_METRICS + VALUE_METRICS + GRADE_METRICS
        self.values = [self._values(e.submission) for e in entries]
        if self.numeric:
            self.center = np.mean([v.mean(axis=0) for v in self.values], axis=0)
            self.floor = min(float(v.min()) for v in self.values)
            self.ceiling = max(float(v.max()) for v in self.values)

    def _values(self, submission: pd.DataFrame) -> np.ndarray:
        frame = submission[self.targets]
        return frame.apply(pd.to_numeric).to_numpy(float) if self.numeric else frame.to_numpy(object)

    def submission(self, team: Team) -> pd.DataFrame:
        rng = np.random.default_rng([TEAM_SEED, team.seed, 1])
        members = [self.values[m] for m in team.members]
        if self.numeric:
            values = self._numeric(members, team, rng)
        else:
            values = self._vote(members, team.weights)
            replaced = rng.random(len(values)) < min(1.0, team.shrink + team.noise / 2)
            values[replaced] = self.trivial[replaced]
        frame = pd.DataFrame(values, columns=self.targets)
        frame.insert(0, self.id_column, self.entries[0].submission[self.id_column].to_numpy())
        return frame

    def _numeric(self, members: list[np.ndarray], team: Team, rng: np.random.Generator) -> np.ndarray:
        blend = sum(w * v for w, v in zip(team.weights, members, strict=True))
        blend = (1 - team.shrink) * blend + team.shrink * self.center
        eps = rng.standard_normal(blend.shape)
        if self.metric in PROBABILITY_METRICS:
            p = np.clip(blend, 1e-6, 1 - 1e-6)
            clip = LOG_LOSS_CLIP.get(team.archetype, LOG_LOSS_CLIP_DEFAULT)
            if self.metric == "log-loss" and p.shape[1] > 1:  # rows are distributions: noise in log space
                logits = np.log(p) + 3 * team.noise * eps
                expo = np.exp(logits - logits.max(axis=1, keepdims=True))
                rows = np.clip(expo / expo.sum(axis=1, keepdims=True), clip, None)
                return rows / rows.sum(axis=1, keepdims=True)
            if self.metric == "log-loss":  # calibrated, as log-loss teams make theirs: half the logit noise
                noisy = 1 / (1 + np.exp(-(np.log(p / (1 - p)) + 1.5 * team.noise * eps)))
                return np.clip(noisy, clip, 1 - clip)
            return 1 / (1 + np.exp(-(np.log(p / (1 - p)) + 3 * team.noise * eps)))
        noisy = blend + team.noise * blend.std(axis=0, keepdims=True) * eps
        if self.metric in GRADE_METRICS:
            return np.clip(np.rint(noisy), self.floor, self.ceiling).astype(int)
        return noisy.clip(0) if self.floor >= 0 else noisy

    @staticmethod
    def _vote(members: list[np.ndarray], weights: tuple[float, ...]) -> np.ndarray:
        """Each cell takes the value with the most weight among the members (ties: the earlier member)."""
        support = [
            sum(np.where(other == values, w, 0.0) for other, w in zip(members, weights, strict=True))
            for values in members
        ]
        best = np.argmax(np.stack(support), axis=0)
        return np.choose(best, members) if len(members) > 1 else members[0].copy()
