"""Text classification (multi-class log-loss): who wrote this sentence?

Generator (seeded): a vocabulary of 800 pseudo-words built from syllables;
each of three authors draws words from a mixture of a shared Zipf
distribution (70%) and a personal one over a shuffled vocabulary (30%), and
has their own sentence length and punctuation habits. 3,000 sentences, short
enough that single sentences stay ambiguous.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer

from envs.mle.builtin import BuiltinSpec, Features, opaque_ids, tabular_public
from envs.mle.competition import CompetitionConfig

N = 3000
AUTHORS = ("ALC", "BRN", "CRW")
SYLLABLES = (
    "ka",
    "lo",
    "mi",
    "ne",
    "sur",
    "tal",
    "vi",
    "dro",
    "pen",
    "qua",
    "ri",
    "so",
    "th",
    "ul",
    "wen",
    "xa",
    "yor",
    "ze",
    "an",
    "el",
)
STYLE = {  # mean words per sentence, punctuation marks used inside sentences
    "ALC": (14, (",", ";")),
    "BRN": (9, (",",)),
    "CRW": (18, (",", ";", " -")),
}


def _vocabulary(rng: np.random.Generator, size: int = 800) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES, rng.integers(1, 4))))
    return sorted(words)


def _sentence(rng: np.random.Generator, vocab: list[str], probs: np.ndarray, author: str) -> str:
    mean_len, marks = STYLE[author]
    words = list(rng.choice(vocab, max(3, rng.poisson(mean_len)), p=probs))
    for pos in sorted(
        rng.choice(range(1, len(words)), min(len(words) - 1, rng.poisson(1)), replace=False), reverse=True
    ):
        words[pos - 1] += rng.choice(marks)
    return (" ".join(words) + rng.choice([".", ".", "?", "!"])).capitalize()


def generate(rng: np.random.Generator) -> pd.DataFrame:
    vocab = _vocabulary(rng)
    zipf = 1 / np.arange(1, len(vocab) + 1)
    shared = zipf / zipf.sum()
    personal = {a: shared[rng.permutation(len(vocab))] for a in AUTHORS}
    mixture = {a: 0.7 * shared + 0.3 * personal[a] for a in AUTHORS}
    authors = rng.choice(AUTHORS, N, p=[0.4, 0.31, 0.29])
    texts = [_sentence(rng, vocab, mixture[a], a) for a in authors]
    ids = [f"id{i}" for i in opaque_ids(rng, N, 10_000, 100_000)]
    return pd.DataFrame({"id": ids, "text": texts, "author": authors})


def answers(test: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame({"id": test["id"]})
    for author in AUTHORS:
        frame[author] = (test["author"] == author).astype(int)
    return frame


def write_public(train: pd.DataFrame, test: pd.DataFrame, public: Path) -> None:
    tabular_public(["author"], "id", None)(train, test, public)
    sample = pd.DataFrame({"id": test["id"], **{a: 1 / 3 for a in AUTHORS}}).round(6)
    sample.to_csv(public / "sample_submission.csv", index=False)


def features(public: Path) -> Features:
    train, test = pd.read_csv(public / "train.csv"), pd.read_csv(public / "test.csv")
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, token_pattern=r"[^\s]+")
    x_train = vectorizer.fit_transform(train["text"])
    return Features(
        x_train,
        train["author"].to_numpy(),
        vectorizer.transform(test["text"]),
        test["id"].to_numpy(),
        AUTHORS,
        classes=AUTHORS,
    )


SPEC = BuiltinSpec(
    config=CompetitionConfig(
        id="author-identification",
        name="Author identification",
        category="text-classification",
        metric="log-loss",
        lower_is_better=True,
        id_column="id",
        difficulty=2,
    ),
    seed=5,
    generate=generate,
    write_public=write_public,
    answers=answers,
    kind="multiclass",
    features=features,
    sparse_features=True,
    teams=1244,
)
