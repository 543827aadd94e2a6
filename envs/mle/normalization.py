"""What the text-normalization competitions share: token ids, the submission files, and their leaderboard
population (memorization of train's pairs plus a growing set of hand rules), parameterized by each
language's rules, so the two competitions differ only in their language and conventions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from envs.mle.builtin import Features
from envs.mle.population import DATA_SETTINGS

#: (token, previous token, rules) -> the spoken form the rules give, or None when no rule applies
Rules = Callable[[str, str, tuple[str, ...]], "str | None"]


def token_ids(frame: pd.DataFrame) -> pd.Series:
    return frame["sentence_id"].astype(str) + "_" + frame["token_id"].astype(str)


def answers(test: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"id": token_ids(test), "after": test["after"]})


def write_public(train: pd.DataFrame, test: pd.DataFrame, public: Path) -> None:
    train.to_csv(public / "train.csv", index=False)
    test[["sentence_id", "token_id", "before"]].to_csv(public / "test.csv", index=False)
    pd.DataFrame({"id": token_ids(test), "after": test["before"]}).to_csv(public / "sample_submission.csv", index=False)


@dataclass(frozen=True)
class Normalizer:
    rules: tuple[str, ...]
    rules_first: bool
    data_fraction: float
    seed: int

    @property
    def name(self) -> str:
        order = "rules-first" if self.rules_first else "memory-first"
        return f"memorize+rules({'+'.join(self.rules) or 'none'})|{order}|data={self.data_fraction}|seed={self.seed}"


def _candidates(rule_levels: tuple[tuple[str, ...], ...]) -> list[Normalizer]:
    return [
        Normalizer(rules, first, f, s) for rules in rule_levels for first in (False, True) for f, s in DATA_SETTINGS
    ]


def _solve(apply_rules: Rules, candidate: Normalizer, public: Path) -> pd.DataFrame:
    train = pd.read_csv(public / "train.csv", dtype=str, keep_default_na=False)
    test = pd.read_csv(public / "test.csv", dtype=str, keep_default_na=False)
    if candidate.data_fraction < 1:
        sentences = train["sentence_id"].unique()
        keep = np.random.default_rng(candidate.seed).choice(
            sentences, int(candidate.data_fraction * len(sentences)), replace=False
        )
        train = train[train["sentence_id"].isin(set(keep))]
    pairs = train.groupby(["before", "after"]).size().reset_index(name="n")
    best = pairs.sort_values("n", ascending=False, kind="stable").drop_duplicates("before")
    memory = dict(zip(best["before"], best["after"], strict=True))
    previous = test.groupby("sentence_id")["before"].shift(1).fillna("")
    after = []
    for token, prev in zip(test["before"], previous, strict=True):
        ruled, remembered = apply_rules(token, prev, candidate.rules), memory.get(token)
        first, second = (ruled, remembered) if candidate.rules_first else (remembered, ruled)
        after.append(first if first is not None else second if second is not None else token)
    return pd.DataFrame({"id": test["sentence_id"] + "_" + test["token_id"], "after": after})


def population(
    rule_levels: tuple[tuple[str, ...], ...], apply_rules: Rules
) -> tuple[Callable[[], list[Normalizer]], Callable[[Normalizer, Path], pd.DataFrame]]:
    """A competition's `custom_population`: every rule level x order x data setting, solved with its rules."""
    return partial(_candidates, rule_levels), partial(_solve, apply_rules)


def no_features(public: Path) -> Features:
    raise NotImplementedError("a text-normalization competition uses its own population (candidates/solve)")
