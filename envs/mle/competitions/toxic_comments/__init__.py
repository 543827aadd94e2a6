"""Multi-label text classification (mean column-wise AUC-ROC) over six kinds of toxicity.

Analogue of MLE-bench lite's jigsaw-toxic-comment-classification-challenge.
Generator (seeded): 4,000 talk-page comments about article edits. Some carry
toxic parts: obscenity, a personal insult (the lexicon of insult-detection),
a threat, an attack on an identity group; rudeness without any of them is
toxic too. The labels follow the parts: `toxic` if any, `severe_toxic` when
obscenity and an insult come shouted or repeated, `obscene`, `threat`,
`insult`, `identity_hate`. Distractors: identity groups named in neutral
sentences, quoted swear words under discussion, "attack" and "kill" in
editing jargon, insults negated ("I would never call you a ..."), and the
toxic parts' own frames with kind words ("this is helpful", "you patient
editor", "<group> are all careful"). Seven writers in ten spell
playfully: 70% of their loaded words, toxic and kind alike, come with
look-alike letters, doubled letters or spaced out ("c*w4rd", "FOOOOL",
"s.h.i.t"), so the frame alone does not tell them apart and word features
see an unknown token where character n-grams still see the word. Annotators
disagree: 10% of the positive labels of a comment are missed and 0.2-2% of
comments get a spurious label per column. Over six keys a default HGB on
100 SVD components of word tf-idf scores 0.918-0.951 mean AUC on the test
split, a logistic regression on words 0.929-0.956 and one on words plus
character 2-4-grams 0.946-0.971, 0.015-0.030 above the HGB on every key.
The population's first-submission tier sees word tf-idf (`features`), its
strong tier words plus character n-grams (`engineered_features`).

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
from envs.mle.competitions.insult_detection import ADJECTIVES, NOUNS

N = 4000
LABELS = ("toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate")
ARTICLES = ("the river article", "the album page", "the election stub", "the biography", "the species list",
            "the battle article", "the city infobox", "the chemistry page")  # fmt: skip
NEUTRAL = ("Please cite a source for the claim in {a}.", "I reverted your edit to {a} because it removed sources.",
           "The lead of {a} needs work.", "Thanks for fixing the references in {a}.",
           "See the archive of this talk page before changing {a}.", "I merged the duplicate section of {a}.",
           "Is there consensus for moving {a}?", "The kill count in {a} needs a citation.",
           "This edit was a personal attack on nobody, just a revert of {a}.",
           "The word 'crap' in the quote in {a} is in the original source.")  # fmt: skip
GROUPS = ("immigrants", "muslims", "christians", "jews", "gays", "women", "foreigners", "atheists")
GROUP_NEUTRAL = ("The history of {g} in the region belongs in {a}.", "Sources about {g} are listed in {a}.")
OBSCENE = ("crap", "bullshit", "shit", "damn", "fucking", "ass", "fuck")
THREATS = ("I will find you", "you will regret this", "watch your back", "I am going to hurt you",
           "someone should shut you up for good", "I know where you live")  # fmt: skip
RUDE = ("go away", "shut up", "get lost", "nobody asked you", "stop wasting everyone's time")
NEGATED = ("I would never call you {x}", "nobody here thinks you are {x}", "calling anyone {x} is not ok",
           "I am not saying you are {x}", "please do not call people {x}")  # fmt: skip
#: kind words in the toxic parts' frames: "this is ...", "you ... ...", "<group> are all ..."
KIND = ("fine", "sourced", "helpful", "correct", "notable", "neutral", "accurate")
PRAISE = ("careful", "patient", "thorough", "helpful", "tireless", "brilliant")
EDITORS = ("editor", "contributor", "reviewer", "researcher", "volunteer", "writer")
LEET = {"a": "@4", "e": "3*", "i": "1!*", "o": "0*", "u": "*v", "s": "$5"}


def _obfuscate(word: str, rng: np.random.Generator) -> str:
    """A spelling that dodges a word filter: letters swapped for look-alikes, doubled, or spaced out."""
    way = rng.integers(3)
    if way == 0:
        return "".join(str(rng.choice(list(LEET[c]))) if c in LEET and rng.random() < 0.6 else c for c in word)
    if way == 1:
        return "".join(c * int(rng.integers(1, 4)) for c in word)
    return str(rng.choice([".", " ", "-", "_"])).join(word)


def _loaded(words: tuple[str, ...], rng: np.random.Generator, obfuscation: float) -> str:
    """One of `words`, obfuscated with probability `obfuscation`."""
    word = str(rng.choice(words))
    return _obfuscate(word, rng) if rng.random() < obfuscation else word


def _comment(rng: np.random.Generator) -> tuple[str, dict[str, int]]:
    parts = [str(rng.choice(NEUTRAL)).format(a=rng.choice(ARTICLES)) for _ in range(int(rng.integers(1, 3)))]
    if rng.random() < 0.06:
        parts.append(str(rng.choice(GROUP_NEUTRAL)).format(g=rng.choice(GROUPS), a=rng.choice(ARTICLES)))
    if rng.random() < 0.08:  # an insult's words, negated: not an insult
        x = f"a {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
        parts.append(str(rng.choice(NEGATED)).format(x=x))
    obfuscation = 0.7 if rng.random() < 0.7 else 0.0  # playful spellers write kind and toxic words alike

    def bad(words: tuple[str, ...]) -> str:
        return _loaded(words, rng, obfuscation)

    if rng.random() < 0.1:  # the toxic parts' frames with kind words
        parts.append(f"this is {bad(KIND)}")
    if rng.random() < 0.1:
        parts.append(f"you {bad(PRAISE)} {bad(EDITORS)}")
    if rng.random() < 0.04:
        parts.append(f"{rng.choice(GROUPS)} are all {bad(PRAISE)}")
    obscene = bool(rng.random() < 0.1)
    has = {"obscene": obscene, "insult": rng.random() < (0.4 if obscene else 0.07), "threat": rng.random() < 0.035}
    has["identity_hate"] = rng.random() < 0.035
    rude = rng.random() < 0.05
    shout = (has["obscene"] and has["insult"] and rng.random() < 0.6) or rng.random() < 0.01
    if has["obscene"]:
        parts.append(f"this is {bad(OBSCENE)}")
    if has["insult"]:
        parts.append(f"you {bad(ADJECTIVES)} {bad(NOUNS)}")
    if has["threat"]:
        parts.append(str(rng.choice(THREATS)))
    if has["identity_hate"]:
        parts.append(f"{rng.choice(GROUPS)} are all {bad(ADJECTIVES)}")
    if rude:
        parts.append(str(rng.choice(RUDE)))
    order = rng.permutation(len(parts))
    text = " ".join(parts[i][0].upper() + parts[i][1:] + ("" if parts[i][-1] in ".?!" else ".") for i in order)
    if shout:
        text = (text + " ") * int(rng.integers(2, 4))
        text = text.strip().upper()
    labels = {k: int(v) for k, v in has.items()}
    labels["toxic"] = int(any(has.values()) or rude)
    labels["severe_toxic"] = int(shout and labels["toxic"] == 1)
    return text, labels


def generate(rng: np.random.Generator) -> pd.DataFrame:
    rows = [_comment(rng) for _ in range(N)]
    frame = pd.DataFrame([labels for _, labels in rows])[list(LABELS)]
    missed = (rng.random(frame.shape) < 0.1) & (frame.to_numpy() == 1)
    spurious = rng.random(frame.shape) < np.array([0.02, 0.002, 0.003, 0.003, 0.005, 0.003])
    frame = frame.mask(missed, 0).mask(spurious, 1)
    frame.insert(0, "comment_text", [text for text, _ in rows])
    frame.insert(0, "id", [f"{v:016x}" for v in rng.integers(0, 2**62, N)])
    return frame


def answers(test: pd.DataFrame) -> pd.DataFrame:
    return test[["id", *LABELS]].reset_index(drop=True)


def write_public(train: pd.DataFrame, test: pd.DataFrame, public: Path) -> None:
    train.to_csv(public / "train.csv", index=False)
    test[["id", "comment_text"]].to_csv(public / "test.csv", index=False)
    pd.DataFrame({"id": test["id"], **{label: 0.5 for label in LABELS}}).to_csv(
        public / "sample_submission.csv", index=False
    )


def _vectorized(public: Path, chars: bool) -> Features:
    train, test = pd.read_csv(public / "train.csv"), pd.read_csv(public / "test.csv")
    vectorizers = [TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)]
    if chars:
        vectorizers.append(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=3, sublinear_tf=True, lowercase=False)
        )
    x_train = sparse.hstack([v.fit_transform(train["comment_text"]) for v in vectorizers])
    x_test = sparse.hstack([v.transform(test["comment_text"]) for v in vectorizers])
    return Features(x_train.tocsr(), train[list(LABELS)].to_numpy(), x_test.tocsr(), test["id"].to_numpy(), LABELS)


def features(public: Path) -> Features:
    """A first submission's features: word and word-pair tf-idf."""
    return _vectorized(public, chars=False)


def engineered_features(public: Path) -> Features:
    """The careful Kaggler's: word tf-idf plus character 2-4-grams, which see through obfuscated spellings."""
    return _vectorized(public, chars=True)


SPEC = BuiltinSpec(
    config=CompetitionConfig(
        id="toxic-comments",
        name="Toxic comment classification",
        category="text-classification",
        metric="auc-roc",
        lower_is_better=False,
        id_column="id",
        difficulty=2,
    ),
    seed=1807,
    generate=generate,
    write_public=write_public,
    answers=answers,
    kind="multilabel",
    features=features,
    engineered_features=engineered_features,
    sparse_features=True,
    teams=1600,  # Kaggle's 4,539 teams, capped at 1,600
)
