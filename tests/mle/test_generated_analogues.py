"""The seeded-generator analogues of MLE-bench lite competitions (issue 18): each prepares the same bytes twice,
its bundled baseline runs through the real sandbox and lands below the board's median, its grader refuses a
malformed submission with the reason, and a solution script cannot read the generator (seed and code) it came from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from envs.mle.builtin import RESOURCES
from envs.mle.competition import Competition
from envs.mle.prepare import CHECKSUMS, prepare
from envs.sandbox import landlock

#: analogue id -> the MLE-bench lite competition it stands for
ANALOGUES = {
    "taxi-fare": "new-york-city-taxi-fare-prediction",
    "transparent-conductors": "nomad2018-predict-transparent-conductors",
    "feature-interactions": "tabular-playground-series-may-2022",
    "forest-cover": "tabular-playground-series-dec-2021",
    "insult-detection": "detecting-insults-in-social-commentary",
    "pizza-requests": "random-acts-of-pizza",
    "toxic-comments": "jigsaw-toxic-comment-classification-challenge",
}


def _below_median(competition: Competition, score: float) -> bool:
    median = float(np.median(competition.leaderboard["score"]))
    return score > median if competition.config.lower_is_better else score < median


@pytest.mark.parametrize("cid", sorted(ANALOGUES))
def test_prepares_the_same_bytes_twice(cid: str, mle_cache: Path, tmp_path: Path) -> None:
    again = prepare(cid, tmp_path)
    assert (again.root / CHECKSUMS).read_text() == (mle_cache / cid / CHECKSUMS).read_text()


@pytest.mark.parametrize("cid", sorted(ANALOGUES))
def test_baseline_lands_below_the_median_through_the_sandbox(cid: str, make_env) -> None:
    env = make_env(cid, step_timeout_s=120)
    env.reset()
    baseline, submit = env.oracle_actions()
    obs, *_ = env.step(baseline)
    assert "submission.csv: valid" in obs["history"][-1]["output"], obs["history"][-1]["output"][-1500:]
    *_, info = env.step(submit)
    score = info["evaluation"]["score"]
    assert _below_median(env._competition, score), (score, float(np.median(env._competition.leaderboard["score"])))
    assert not info["evaluation"]["any_medal"]


@pytest.mark.parametrize("cid", sorted(ANALOGUES))
def test_a_malformed_submission_is_refused_with_its_reason(cid: str, mle_cache: Path, tmp_path: Path) -> None:
    comp = Competition.load(mle_cache / cid)
    sample = comp.sample_submission()
    renamed = tmp_path / "renamed.csv"
    sample.rename(columns={sample.columns[-1]: "prediction"}).to_csv(renamed, index=False)
    report = comp.evaluate(renamed)
    assert not report["valid_submission"] and "missing" in report["invalid_reason"]
    assert "prediction" in report["invalid_reason"]
    short = tmp_path / "short.csv"
    sample.iloc[1:].to_csv(short, index=False)
    report = comp.evaluate(short)
    assert not report["valid_submission"] and "rows" in report["invalid_reason"]
    blank = tmp_path / "blank.csv"
    sample.assign(**{sample.columns[-1]: ""}).to_csv(blank, index=False)
    report = comp.evaluate(blank)
    assert not report["valid_submission"] and "missing value" in report["invalid_reason"]


GENERATOR_PROBE = """
import importlib
for path in {paths!r}:
    try:
        open(path).read()
        print('READ', path)
    except OSError as exc:
        print('DENIED', path, type(exc).__name__)
try:
    module = importlib.import_module({module!r})
    print('IMPORTED', getattr(module, 'SPEC', None))
except Exception as exc:
    print('NO IMPORT', type(exc).__name__)
"""


@pytest.mark.skipif(not landlock.supported(), reason="the kernel has no Landlock")
@pytest.mark.parametrize("cid", sorted(ANALOGUES))
def test_a_solution_cannot_read_its_generator(cid: str, make_env) -> None:
    folder = RESOURCES / cid.replace("-", "_")
    paths = [str(folder / "__init__.py"), str(folder / "leaderboard.csv"), str(folder / "baseline.py")]
    env = make_env(cid)
    _, info = env.reset()
    assert info["files_confined"]
    probe = GENERATOR_PROBE.format(paths=paths, module=f"envs.mle.competitions.{cid.replace('-', '_')}")
    obs, *_ = env.step(probe)
    out = obs["history"][-1]["output"]
    assert "READ" not in out and out.count("DENIED") == 3 and "NO IMPORT" in out, out[-1500:]
    assert "IMPORTED" not in out


def test_every_analogue_is_a_lite_competition(mle_cache: Path) -> None:
    for cid in ANALOGUES:
        comp = Competition.load(mle_cache / cid)
        assert comp.config.lite
        assert pd.read_csv(comp.sample_submission_path()).shape[0] == comp.config.sizes["test"]
