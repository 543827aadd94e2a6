"""Text binary classification (AUC-ROC): is a comment an insult to another participant?

Analogue of MLE-bench lite's detecting-insults-in-social-commentary.
Generator (seeded): 3,000 forum comments built from a small lexicon of
insults, praise, profanity and everyday topics. Insults (label 1) are aimed
at the person addressed ("you ..."), including sarcastic praise marked by
"wow", "sure" or "oh yes". The distractors are labelled 0, as in the original
guidelines: insults aimed at someone outside the conversation (a senator, a
referee), negated insults ("you are not an idiot"), profanity that insults
nobody, and sincere praise. Most comments add neutral sentences around the
point; 3% of the labels are flipped (the original's labelling noise), so the
top of the board is below 1.

A first submission models tf-idf of the comment's words. The engineered features (the strong tier) add
word pairs and triples (negation, who is addressed), character n-grams (word parts, misspellings) and the
comment's style (length, capitals, '!' and '?', the share of 'you', shouting). Word unigrams already carry
most of this generator's signal and the flipped labels cap every model near 0.96, so the strong tier has no
edge here beyond the splits' sampling noise (its sign changes from draw to draw) and the board is tight.

Not a lookup: nothing comes from a public data set, and the seed and the
generator live in trainfree's source, which solution scripts cannot read.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from envs.mle.builtin import BuiltinSpec, Features
from envs.mle.competition import CompetitionConfig

N = 3000
NOUNS = ("idiot", "moron", "loser", "clown", "fool", "troll", "imbecile", "hypocrite", "coward", "liar", "joke")
ADJECTIVES = ("stupid", "pathetic", "ignorant", "clueless", "worthless", "dumb", "brainless", "sad", "useless")
PRAISE = ("genius", "legend", "expert", "scholar", "hero", "star")
PROFANITY = ("damn", "hell", "crap", "freaking", "bloody")
OUTSIDERS = ("the senator", "the mayor", "the referee", "that actor", "the coach", "the governor", "his boss")
TOPICS = ("the game", "this budget", "the new phone", "the election", "the weather", "this article", "the traffic",
          "the match", "the tax plan", "the movie", "the concert", "the schedule")  # fmt: skip
OPINIONS = ("was great", "looks terrible", "is overrated", "made no sense", "went better than expected",
            "is a disaster", "will not last", "is fine by me", "surprised everyone", "was long overdue")  # fmt: skip
FILLERS = ("I read the whole thread.", "Just my two cents.", "Anyway, back to the topic.", "Read the article again.",
           "This comes up every week.", "Same thing happened last year.", "Check the numbers.", "lol",
           "Honestly.", "Whatever.", "Thanks for posting.", "Not sure about that.")  # fmt: skip


def _a(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def _insult(rng: np.random.Generator) -> str:
    noun, adj = rng.choice(NOUNS), rng.choice(ADJECTIVES)
    forms = (
        f"you are {_a(adj)} {noun}",
        f"you {adj} {noun}",
        f"what {_a(adj)} {noun} you are",
        f"shut up, {noun}",
        f"nobody cares what you think, {noun}",
        f"you really are {adj}",
        f"go away you {noun}",
        f"{rng.choice(['wow', 'sure', 'oh yes'])}, you are such {_a(rng.choice(PRAISE))}",
        f"you clearly did not read {rng.choice(TOPICS)}, {noun}",
    )
    return str(rng.choice(forms))


def _distractor(rng: np.random.Generator) -> str:
    noun, adj = rng.choice(NOUNS), rng.choice(ADJECTIVES)
    forms = (
        f"{rng.choice(OUTSIDERS)} is {_a(adj)} {noun}",
        f"{rng.choice(OUTSIDERS)} acted like {_a(noun)}",
        f"you are not {_a(noun)}",
        f"I never said you were {adj}",
        f"{rng.choice(PROFANITY)}, {rng.choice(TOPICS)} {rng.choice(OPINIONS)}",
        f"you are {_a(rng.choice(PRAISE))}, thank you",
        f"you are right about {rng.choice(TOPICS)}",
        f"{rng.choice(TOPICS)} {rng.choice(OPINIONS)}",
        f"calling people {adj} does not help",
    )
    return str(rng.choice(forms))


def _comment(rng: np.random.Generator, core: str) -> str:
    sentences = [core[0].upper() + core[1:] + rng.choice([".", "!", "", "!!", "?"])]
    for _ in range(rng.poisson(1.2)):
        extra = str(rng.choice(FILLERS)) if rng.random() < 0.6 else f"{rng.choice(TOPICS)} {rng.choice(OPINIONS)}."
        sentences.insert(int(rng.integers(0, len(sentences) + 1)), extra[0].upper() + extra[1:])
    text = " ".join(sentences)
    return text.upper() if rng.random() < 0.04 else text


def _date(rng: np.random.Generator) -> str:
    if rng.random() < 0.2:
        return ""
    stamp = np.datetime64("2012-03-01T00:00:00") + np.timedelta64(int(rng.integers(0, 120 * 86400)), "s")
    return str(stamp).replace("-", "").replace("T", "").replace(":", "") + "Z"


def generate(rng: np.random.Generator) -> pd.DataFrame:
    rows: dict[str, tuple[int, str]] = {}
    while len(rows) < N:
        insult = int(rng.random() < 0.27)
        text = _comment(rng, _insult(rng) if insult else _distractor(rng))
        label = 1 - insult if rng.random() < 0.03 else insult
        rows.setdefault(text, (label, _date(rng)))  # the comment is the row's id: keep the first of any repeat
    comments = list(rows)
    return pd.DataFrame(
        {"Insult": [rows[c][0] for c in comments], "Date": [rows[c][1] for c in comments], "Comment": comments}
    )


def answers(test: pd.DataFrame) -> pd.DataFrame:
    return test[["Comment", "Insult"]].reset_index(drop=True)


def write_public(train: pd.DataFrame, test: pd.DataFrame, public: Path) -> None:
    train[["Insult", "Date", "Comment"]].to_csv(public / "train.csv", index=False)
    test[["Date", "Comment"]].to_csv(public / "test.csv", index=False)
    pd.DataFrame({"Comment": test["Comment"], "Insult": 0}).to_csv(public / "sample_submission_null.csv", index=False)


def _comments(public: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (
        pd.read_csv(public / "train.csv", keep_default_na=False),
        pd.read_csv(public / "test.csv", keep_default_na=False),
    )


def _features(train: pd.DataFrame, x_train: sparse.spmatrix, test: pd.DataFrame, x_test: sparse.spmatrix) -> Features:
    y, ids = train["Insult"].to_numpy(), test["Comment"].to_numpy()
    return Features(sparse.csr_matrix(x_train), y, sparse.csr_matrix(x_test), ids, ("Insult",))


def features(public: Path) -> Features:
    """What a first submission feeds a model: tf-idf of the comment's words."""
    train, test = _comments(public)
    words = TfidfVectorizer(sublinear_tf=True)
    return _features(train, words.fit_transform(train["Comment"]), test, words.transform(test["Comment"]))


def style(comments: pd.Series) -> sparse.csr_matrix:
    """How a comment is written, each in [0, 1]: its length (log, capped), the share of capitals, of '!' and '?',
    the share of its words that are 'you'/'your', whether it is shouted (all capitals)."""
    text = comments.astype(str)
    length = text.str.len().clip(lower=1)
    words = text.str.split().str.len().clip(lower=1)
    letters = text.str.count(r"[A-Za-z]").clip(lower=1)
    columns = [
        np.log1p(length) / np.log1p(1000),
        text.str.count(r"[A-Z]") / letters,
        text.str.count("!") / length,
        text.str.count(r"\?") / length,
        text.str.lower().str.count(r"\byou(?:r|'re)?\b") / words,
        (text.str.upper() == text) & (letters > 3),
    ]
    return sparse.csr_matrix(np.column_stack([np.clip(np.asarray(c, dtype=float), 0, 1) for c in columns]))


def engineered_features(public: Path) -> Features:
    """What a careful Kaggler adds: word n-grams up to three (negation, who is addressed), character n-grams
    (misspellings, word parts), and the comment's style (length, capitals, punctuation, 'you')."""
    train, test = _comments(public)
    words = TfidfVectorizer(ngram_range=(1, 3), min_df=2, sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True)
    x_train = sparse.hstack(
        [words.fit_transform(train["Comment"]), chars.fit_transform(train["Comment"]), style(train["Comment"])]
    )
    x_test = sparse.hstack([words.transform(test["Comment"]), chars.transform(test["Comment"]), style(test["Comment"])])
    return _features(train, x_train, test, x_test)


SPEC = BuiltinSpec(
    config=CompetitionConfig(
        id="insult-detection",
        name="Detecting insults in social commentary",
        category="text-classification",
        metric="auc-roc",
        lower_is_better=False,
        id_column="Comment",
        sample_submission="sample_submission_null.csv",
        difficulty=1,
    ),
    seed=1806,
    generate=generate,
    write_public=write_public,
    answers=answers,
    kind="binary",
    features=features,
    engineered_features=engineered_features,
    sparse_features=True,
    teams=50,  # teams of the Kaggle competition
)
