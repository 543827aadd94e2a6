"""The generated audio and image competitions (whale-calls, cactus-identification, retina-grading,
plant-pathology, pet-photos): they
prepare deterministically, their baseline scores below the board's median through the real sandbox, the grader
refuses malformed submissions with the reason, and no solution script can read the generators and seeds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from envs.mle.builtin import RESOURCES
from envs.mle.competition import Competition
from envs.mle.metrics import InvalidSubmission
from envs.mle.prepare import CHECKSUMS, prepare
from envs.mle.registry import competition_ids
from envs.sandbox import landlock

GENERATED = ("whale-calls", "cactus-identification", "retina-grading", "plant-pathology", "pet-photos")
MEDIA = [cid for cid in GENERATED if cid in competition_ids()]
#: what a value outside the metric's range is refused for (AUC ranks any finite score, as on Kaggle)
OUT_OF_RANGE = {"qwk": ("0.5", "integer"), "log-loss": ("1.5", "[0, 1]")}


@pytest.mark.parametrize("cid", MEDIA)
def test_prepares_the_same_files_again(cid: str, tmp_path: Path, mle_cache: Path) -> None:
    again = prepare(cid, tmp_path)
    assert (again.root / CHECKSUMS).read_text() == (mle_cache / cid / CHECKSUMS).read_text()


@pytest.mark.parametrize("cid", MEDIA)
def test_baseline_scores_below_the_median(cid: str, make_env) -> None:
    env = make_env(cid, step_timeout_s=120)
    env.reset()
    baseline, submit = env.oracle_actions()
    env.step(baseline)
    *_, info = env.step(submit)
    report = info["evaluation"]
    assert report["valid_submission"] and not report["above_median"] and not report["any_medal"], report


def _malformed(comp: Competition) -> list[tuple[pd.DataFrame, str]]:
    """Broken copies of the sample submission, each with the words its refusal must contain."""
    sample = comp.sample_submission()
    target = [c for c in sample.columns if c != comp.config.id_column][0]
    text = sample.copy()
    text.loc[0, target] = "likely"
    broken = [
        (text, "non-numeric value 'likely'"),
        (sample.rename(columns={target: "prediction"}), f"missing [{target!r}]"),
        (sample.iloc[1:], f"expected {len(sample)} rows"),
    ]
    if comp.config.metric in OUT_OF_RANGE:
        value, reason = OUT_OF_RANGE[comp.config.metric]
        broken.append((sample.assign(**{target: value}), reason))
    return broken


@pytest.mark.parametrize("cid", MEDIA)
def test_grader_refuses_malformed_submissions_with_the_reason(cid: str, mle_cache: Path) -> None:
    comp = Competition.load(mle_cache / cid)
    answers = comp.answers()
    for submission, reason in _malformed(comp):
        with pytest.raises(InvalidSubmission) as refused:
            comp.grade(submission, answers)
        assert reason in str(refused.value), (reason, str(refused.value))


def test_one_auc_target_needs_probabilities_as_mlebench_and_several_take_any_score(mle_cache: Path) -> None:
    """MLE-bench's binary AUC graders (aerial-cactus, whale-redux) refuse scores outside [0, 1], so a classifier's
    raw decision_function is invalid there (it was graded here); its plant-pathology grader takes any score."""
    for cid in [c for c in MEDIA if Competition.load(mle_cache / c).config.metric == "auc-roc"]:
        comp = Competition.load(mle_cache / cid)
        sample = comp.sample_submission()
        targets = [c for c in sample.columns if c != comp.config.id_column]
        for target in targets:
            sample[target] = [str(v) for v in np.linspace(-3, 3, len(sample))]
        if len(targets) == 1:
            with pytest.raises(InvalidSubmission, match=r"^AUC-ROC of one target needs probabilities in \[0, 1\]"):
                comp.grade(sample, comp.answers())
        else:
            assert 0 <= comp.grade(sample, comp.answers()) <= 1


@pytest.mark.skipif(not landlock.supported(), reason="the kernel has no Landlock")
def test_solution_scripts_cannot_read_the_generators(make_env) -> None:
    """The seed and generator of each competition live in trainfree's source: a script that opens it by path or
    imports it (trainfree is installed in editable mode in the interpreter it runs) gets nothing."""
    env = make_env(MEDIA[0])
    _, info = env.reset()
    assert info["files_confined"]
    modules = [cid.replace("-", "_") for cid in MEDIA]
    paths = [str(RESOURCES / module / "__init__.py") for module in modules]
    probe = (
        "import importlib\n"
        f"for path in {paths!r}:\n"
        "    try:\n"
        "        print('READ', len(open(path).read()))\n"
        "    except OSError as exc:\n"
        "        print('DENIED', type(exc).__name__)\n"
        f"for module in {modules!r}:\n"
        "    try:\n"
        "        print('IMPORTED', importlib.import_module('envs.mle.competitions.' + module).SPEC.seed)\n"
        "    except Exception as exc:\n"
        "        print('NO IMPORT', type(exc).__name__)\n"
    )
    obs, *_ = env.step(probe)
    out = obs["history"][-1]["output"]
    assert out.count("DENIED") == len(paths) and out.count("NO IMPORT") == len(modules), out[-1500:]
    assert "READ" not in out and "IMPORTED" not in out
