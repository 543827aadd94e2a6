"""Text and metadata binary classification (AUC-ROC): will a request for a free pizza succeed?

Analogue of MLE-bench lite's random-acts-of-pizza. Generator (seeded): 3,000
requests posted in 2011-2013 to a community that gives pizza to strangers.
Each has a title, a text made of what such requests say (hardship, a job lost,
rent, family, exams, gratitude, an offer to pay it forward, proof such as a
photo link, or just a craving) and the requester's account at the time
(age, comments, posts, karma, earlier posts in the community). Success is
drawn from a probability that rises with proof, reciprocity, gratitude,
hardship, an older and more active account, and falls with mere cravings and
over time (the community's generosity waned). As in the original, the
training file also has fields only known after the fact (comments at
retrieval, the user's flair, which gives success away) that the test file
lacks. About 25% of requests succeed; the draw leaves much unexplained, so
the top of the board is far below 1.

Not a lookup: nothing comes from a public data set, and the seed and the
generator live in trainfree's source, which solution scripts cannot read.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from envs.mle.builtin import BuiltinSpec, Features, opaque_ids
from envs.mle.competition import CompetitionConfig

N = 3000
TARGET = "requester_received_pizza"
#: what a request can say, by theme: (share of requests, effect on the log-odds of success, phrases)
THEMES = {
    "proof": (0.2, 0.7, ("Here is a photo of my empty fridge: imgur.com/a/{code}.", "I can verify, just ask.",
                         "Proof of my pay stub is in the link.")),
    "reciprocity": (0.3, 0.5, ("I will pay it forward when I get paid.", "I promise to return the favor.",
                               "Once I am back on my feet I will gift a pizza here.")),
    "gratitude": (0.5, 0.35, ("Thank you so much for reading.", "Anything would be greatly appreciated.",
                              "Thanks in advance, you guys are great.")),
    "job": (0.25, 0.45, ("I lost my job last week.", "I was laid off and the unemployment check is late.",
                         "My hours got cut at work.")),
    "rent": (0.2, 0.3, ("Rent took everything I had this month.", "Bills are due and I am broke until Friday.")),
    "family": (0.2, 0.25, ("My kids have been eating rice all week.", "My wife and I are both sick.")),
    "student": (0.2, 0.0, ("I am a broke college student.", "Finals week and no money left for food.")),
    "craving": (0.25, -0.55, ("I am just really craving pizza tonight.", "It is my birthday and I want a pizza.",
                              "Bored and hungry, pizza would be awesome.")),
}  # fmt: skip
TITLES = ("[Request] {place} - {plea}", "[REQUEST] {plea} ({place})", "Request: {plea}, {place}")
PLACES = ("Ohio", "Texas", "London", "Chicago", "Toronto", "Seattle", "Florida", "Denver")
PLEAS = ("broke until payday", "could really use a pizza", "hungry family", "would love a pizza tonight",
         "down on my luck", "first time asking")  # fmt: skip
ACCOUNT = (
    "requester_account_age_in_days_at_request",
    "requester_days_since_first_post_on_raop_at_request",
    "requester_number_of_comments_at_request",
    "requester_number_of_comments_in_raop_at_request",
    "requester_number_of_posts_at_request",
    "requester_number_of_posts_on_raop_at_request",
    "requester_number_of_subreddits_at_request",
    "requester_upvotes_minus_downvotes_at_request",
    "requester_upvotes_plus_downvotes_at_request",
    "unix_timestamp_of_request",
    "unix_timestamp_of_request_utc",
)
AFTER_THE_FACT = ("request_number_of_comments_at_retrieval", "requester_user_flair")
START, SPAN = 1_297_000_000, 2 * 365 * 86400  # Feb 2011, two years


def _base36(rng: np.random.Generator, length: int) -> str:
    return "".join(rng.choice(list("0123456789abcdefghijklmnopqrstuvwxyz"), length))


def _text(rng: np.random.Generator) -> tuple[str, float]:
    """The request's text and its themes' effect on the log-odds of success."""
    sentences, effect = [], 0.0
    for share, weight, phrases in THEMES.values():
        if rng.random() < share:
            sentences.append(str(rng.choice(phrases)).format(code=_base36(rng, 5)))
            effect += weight
    if not sentences:
        sentences.append("Hi all, long time lurker.")
    order = rng.permutation(len(sentences))
    return " ".join(sentences[i] for i in order), effect


def _request(rng: np.random.Generator, request_id: str) -> dict:
    text, effect = _text(rng)
    age = 0.0 if rng.random() < 0.1 else float(rng.lognormal(5.0, 1.3))
    comments = int(rng.poisson(np.sqrt(age + 1) * 8))
    posts = int(rng.poisson(np.sqrt(age + 1) * 1.5))
    raop_posts = int(rng.random() < 0.1) * int(rng.integers(1, 4))
    karma_total = int(rng.poisson(comments * 6 + posts * 20))
    karma = int(karma_total * rng.uniform(0.5, 0.95))
    stamp = START + int(rng.integers(0, SPAN))
    record = {
        "request_id": request_id,
        "request_title": str(rng.choice(TITLES)).format(place=rng.choice(PLACES), plea=rng.choice(PLEAS)),
        "request_text_edit_aware": text,
        "requester_username": f"user_{_base36(rng, 8)}",
        ACCOUNT[0]: round(age, 4),
        ACCOUNT[1]: round(float(rng.uniform(0, age)) if raop_posts else 0.0, 4),
        ACCOUNT[2]: comments,
        ACCOUNT[3]: int(rng.poisson(2)) if raop_posts else 0,
        ACCOUNT[4]: posts,
        ACCOUNT[5]: raop_posts,
        ACCOUNT[6]: int(min(comments + posts, rng.poisson(np.sqrt(comments + posts) * 3))),
        ACCOUNT[7]: karma,
        ACCOUNT[8]: karma_total,
        ACCOUNT[9]: float(stamp),
        ACCOUNT[10]: float(stamp + 8 * 3600),
    }
    logit = (
        -2.8
        + effect
        + 0.18 * np.log1p(age)
        - 0.6 * (age == 0)
        + 0.35 * raop_posts
        + 0.1 * np.log1p(max(karma, 0)) / 2
        + 0.08 * len(text.split()) / 10
        - 0.7 * (stamp - START) / SPAN
    )
    received = bool(rng.random() < 1 / (1 + np.exp(-logit)))
    record[TARGET] = received
    record[AFTER_THE_FACT[0]] = int(rng.poisson(2 + 3 * received))
    record[AFTER_THE_FACT[1]] = (
        "shroom" if received and rng.random() < 0.8 else ("PIF" if rng.random() < 0.02 else None)
    )
    return record


def generate(rng: np.random.Generator) -> pd.DataFrame:
    ids = opaque_ids(rng, N, 36**5, 36**6)  # six base-36 digits, as reddit's t3_ ids
    return pd.DataFrame([_request(rng, f"t3_{np.base_repr(k, 36).lower()}") for k in ids])


def answers(test: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"request_id": test["request_id"], TARGET: test[TARGET].astype(int)})


def _write_json(frame: pd.DataFrame, path: Path) -> None:
    records = frame.to_dict(orient="records")
    path.write_text(json.dumps(records, indent=1, default=lambda v: v.item() if hasattr(v, "item") else v) + "\n")


def write_public(train: pd.DataFrame, test: pd.DataFrame, public: Path) -> None:
    _write_json(train, public / "train.json")
    _write_json(test.drop(columns=[TARGET, *AFTER_THE_FACT]), public / "test.json")
    pd.DataFrame({"request_id": test["request_id"], TARGET: 0}).to_csv(public / "sample_submission.csv", index=False)


def _account(frame: pd.DataFrame, low: np.ndarray, high: np.ndarray) -> sparse.csr_matrix:
    """Signed log of the account's numbers, scaled to [0, 1] on the training range (naive Bayes needs >= 0)."""
    values = frame[list(ACCOUNT)].to_numpy(float)
    logged = np.sign(values) * np.log1p(np.abs(values))
    return sparse.csr_matrix(np.clip((logged - low) / np.where(high > low, high - low, 1), 0, 1))


def features(public: Path) -> Features:
    train = pd.DataFrame(json.loads((public / "train.json").read_text()))
    test = pd.DataFrame(json.loads((public / "test.json").read_text()))
    words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    text = lambda f: f["request_title"] + " " + f["request_text_edit_aware"]  # noqa: E731
    logged = np.sign(train[list(ACCOUNT)].to_numpy(float)) * np.log1p(np.abs(train[list(ACCOUNT)].to_numpy(float)))
    low, high = logged.min(axis=0), logged.max(axis=0)
    x_train = sparse.hstack([words.fit_transform(text(train)), _account(train, low, high)]).tocsr()
    x_test = sparse.hstack([words.transform(text(test)), _account(test, low, high)]).tocsr()
    return Features(x_train, train[TARGET].astype(int).to_numpy(), x_test, test["request_id"].to_numpy(), (TARGET,))


SPEC = BuiltinSpec(
    config=CompetitionConfig(
        id="pizza-requests",
        name="Random acts of pizza",
        category="text-classification",
        metric="auc-roc",
        lower_is_better=False,
        id_column="request_id",
        difficulty=2,
    ),
    seed=1808,
    generate=generate,
    write_public=write_public,
    answers=answers,
    kind="binary",
    features=features,
    sparse_features=True,
    teams=462,  # teams of the Kaggle competition
)
