"""text-normalization-second-language: its targets come from num2words, which a solution script can import.
Spelling every token with num2words' own German forms (no training data) must score below the board's median,
and the generated corpus must be the same on every run."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from num2words import num2words

from envs.mle.prepare import prepare
from envs.mle.registry import get_spec

CID = "text-normalization-second-language"
MONTHS = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split()
UNITS = {"€": "Euro", "$": "Dollar", "km": "Kilometer", "kg": "Kilogramm", "g": "Gramm", "l": "Liter", "m": "Meter"}


def _spoken(token: str) -> str:
    """What a script guesses from num2words alone, token by token."""
    if re.fullmatch(r"\d+", token):
        return num2words(int(token), lang="de")
    if match := re.fullmatch(r"(\d+)\.", token):
        return num2words(int(match.group(1)), lang="de", to="ordinal")
    if match := re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", token):
        day, month, year = (int(x) for x in match.groups())
        return f"{num2words(day, lang='de', to='ordinal')} {MONTHS[month - 1]} {num2words(year, lang='de', to='year')}"
    if match := re.fullmatch(r"(\d+)(€|\$|km|kg|g|l|m)", token):
        return f"{num2words(int(match.group(1)), lang='de')} {UNITS[match.group(2)]}"
    return token


def lookup(public: Path) -> pd.DataFrame:
    test = pd.read_csv(public / "test.csv", dtype=str, keep_default_na=False)
    return pd.DataFrame({"id": test["sentence_id"] + "_" + test["token_id"], "after": test["before"].map(_spoken)})


def test_num2words_forms_score_below_the_median(mle_cache: Path) -> None:
    competition = prepare(CID, mle_cache)
    score = competition.grade(lookup(competition.public_dir), competition.answers())
    median = float(np.median(competition.leaderboard["score"]))
    assert score < median, (score, median)


def test_the_corpus_is_deterministic() -> None:
    spec = get_spec(CID)
    first, second = (spec.generate(spec.rng()) for _ in range(2))
    pd.testing.assert_frame_equal(first, second)
