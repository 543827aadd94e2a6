"""Replay issue 18's findings against the shipped MLE competitions, as a cheating agent and a new user would.

Per finding, the figure the issue reported and today's:
- lookups: the cheats of tests/mle/test_lookup_leaks*.py (nearest neighbour in scikit-learn's bundled sets,
  the denoising order attack, num2words rule sets), graded by each competition's own grader and placed on its
  committed board;
- ceilings: one untuned SVC on digit-recognizer's pixels against the board's best;
- boards: per competition, the share of teams worse than the trivial submission and how many model families
  make its top 10 (the issue found one family everywhere); the team counts per Kaggle size band.
Prints the tables and saves benchmarks/results/mle_audit.json with the load average.
Run: nice -n 10 .venv/bin/python benchmarks/mle_audit.py
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pandas as pd
from sklearn.svm import SVC

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from envs.mle import population as pop  # noqa: E402
from envs.mle.competition import Competition  # noqa: E402
from envs.mle.medals import medal_positions  # noqa: E402
from envs.mle.prepare import prepare  # noqa: E402
from envs.mle.registry import competition_ids, get_spec  # noqa: E402
from tests.mle import test_lookup_leaks, test_lookup_leaks_second_language  # noqa: E402

RESULTS = Path(__file__).parent / "results"
LOOKUPS = {
    **{name: (name.removesuffix("-order"), cheat) for name, cheat in test_lookup_leaks.LOOKUPS.items()},
    "text-normalization-second-language": (
        test_lookup_leaks_second_language.CID,
        test_lookup_leaks_second_language.lookup,
    ),
}
BANDS = ((1, 99), (100, 249), (250, 999), (1000, 10**6))


def _place(competition: Competition, score: float) -> dict:
    board = competition.leaderboard["score"].astype(float)
    lower = competition.config.lower_is_better
    rank = int((board < score).sum() if lower else (board > score).sum()) + 1
    median = float(board.median())
    return {
        "score": round(float(score), 5),
        "median": round(median, 5),
        "rank": rank,
        "teams": len(board),
        "below_median": bool(score > median if lower else score < median),
    }


def lookups(cache: Path) -> dict[str, dict]:
    out = {}
    for name, (cid, cheat) in LOOKUPS.items():
        competition = prepare(cid, cache)
        out[name] = _place(
            competition, competition.grade(cheat(competition.public_dir).astype(str), competition.answers())
        )
    return out


def untuned_svc(cache: Path) -> dict:
    """The issue's ceiling check: scikit-learn's SVC with its defaults on the raw pixel columns."""
    competition = prepare("digit-recognizer", cache)
    train = pd.read_csv(competition.public_dir / "train.csv")
    test = pd.read_csv(competition.public_dir / "test.csv")
    pixels = [c for c in train.columns if c not in ("image_id", "label")]
    predicted = SVC().fit(train[pixels], train["label"]).predict(test[pixels])
    submission = pd.DataFrame({"image_id": test["image_id"], "label": predicted})
    place = _place(competition, competition.grade(submission.astype(str), competition.answers()))
    return {**place, "best": float(competition.leaderboard["score"].iloc[0])}


def _families(team: str) -> set[str]:
    """The model families a team's recipe blends (e.g. "hgb", "svm"), from its name on the board."""
    return set(re.findall(r"\*([a-z_]+)\(", team)) or {team.split(":")[0]}


def boards(cache: Path) -> dict[str, dict]:
    out = {}
    for cid in competition_ids("all"):
        spec, competition = get_spec(cid), prepare(cid, cache)
        board = competition.leaderboard
        trivial = pop.trivial_submission(spec, competition)
        floor = competition.grade(trivial.astype(str), competition.answers())
        scores = board["score"].astype(float)
        worse = (scores > floor) if spec.config.lower_is_better else (scores < floor)
        top = Counter(f for team in board["team"].head(10) for f in _families(str(team)))
        out[cid] = {
            "teams": len(board),
            "medal_positions": list(medal_positions(len(board))),
            "worse_than_trivial": round(float(worse.mean()), 4),
            "top10_families": dict(top.most_common()),
        }
    return out


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="mle-audit-") as tmp:
        cache = Path(tmp)
        result = {
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "lookups": lookups(cache),
            "untuned_svc_digit_recognizer": untuned_svc(cache),
            "boards": boards(cache),
        }
    sizes = [b["teams"] for b in result["boards"].values()]
    result["boards_per_band"] = {f"{lo}-{hi}": sum(lo <= n <= hi for n in sizes) for lo, hi in BANDS}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "mle_audit.json").write_text(json.dumps(result, indent=2) + "\n")
    print("| cheat | score | median | rank / teams | below median |\n|---|---:|---:|---:|---|")
    for name, p in result["lookups"].items():
        print(f"| {name} | {p['score']} | {p['median']} | {p['rank']}/{p['teams']} | {p['below_median']} |")
    svc = result["untuned_svc_digit_recognizer"]
    print(f"\nuntuned SVC on digit-recognizer: {svc['score']} (rank {svc['rank']}/{svc['teams']}, best {svc['best']})")
    print("\n| competition | teams | worse than trivial | families in the top 10 |\n|---|---:|---:|---|")
    for cid, b in result["boards"].items():
        families = ", ".join(f"{f} {n}" for f, n in b["top10_families"].items())
        print(f"| {cid} | {b['teams']} | {b['worse_than_trivial']:.1%} | {families} |")
    print(f"\nboards per size band: {result['boards_per_band']}; load {result['load_average']}")


if __name__ == "__main__":
    main()
