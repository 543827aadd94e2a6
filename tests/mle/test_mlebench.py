"""The MLE env against MLE-bench's own code (installed from its checkout, see mlebench_registry.INSTALL).

The data is ours (the author-identification competition) laid out as MLE-bench
prepares spooky-author-identification: columns id, EAP, HPL, MWS, answers in
prepared/private/test.csv. MLE-bench's leaderboards in a checkout without Git
LFS are pointer files, so the tests supply leaderboard.csv in the folder.
"""

from __future__ import annotations

import dataclasses
import io
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from envs.mle import grading, mlebench_registry
from envs.mle.env import MLECompetitionEnv
from envs.mle.external import load_competition_dir
from envs.mle.medals import lower_is_better_on_board, medal_report, thresholds
from envs.mle.metrics import InvalidSubmission, get_metric

pytest.importorskip("mlebench", reason=f"mlebench is not installed ({mlebench_registry.INSTALL})")

from mlebench.utils import read_csv  # noqa: E402  (after the skip: only with mlebench installed)

SPOOKY = "spooky-author-identification"
AUTHORS = {"ALC": "EAP", "BRN": "HPL", "CRW": "MWS"}  # ours -> MLE-bench's class columns
CLASSES = list(AUTHORS.values())
PRIOR_SCRIPT = """import pandas as pd
train, test = pd.read_csv('input/train.csv'), pd.read_csv('input/test.csv')
prior = train['author'].value_counts(normalize=True)
pd.DataFrame({'id': test['id'], **{a: prior[a] for a in ['EAP', 'HPL', 'MWS']}}).to_csv('submission.csv', index=False)
"""


def _lay_out(source: Path, root: Path, renames: dict[str, str], sample_name: str) -> None:
    """Our prepared competition `source` as MLE-bench prepares `root.name`: its column names and class labels
    (`renames` applies to both), its file names, and our leaderboard (our population graded the same answers)."""
    for name, target in (
        ("public/train.csv", "public/train.csv"),
        ("public/test.csv", "public/test.csv"),
        ("public/sample_submission.csv", f"public/{sample_name}"),
        ("private/answers.csv", "private/test.csv"),
    ):
        (root / "prepared" / target).parent.mkdir(parents=True, exist_ok=True)
        frame = pd.read_csv(source / "prepared" / name).rename(columns=renames)
        frame.replace(renames).to_csv(root / "prepared" / target, index=False)
    shutil.copy(source / "leaderboard.csv", root / "leaderboard.csv")


@pytest.fixture()
def data_dir(mle_cache: Path, tmp_path: Path) -> Path:
    """<data>/spooky-author-identification in MLE-bench's prepared layout, with a supplied leaderboard."""
    _lay_out(mle_cache / "author-identification", tmp_path / "data" / SPOOKY, AUTHORS, "sample_submission.csv")
    return tmp_path / "data"


@pytest.fixture()
def mlebench_grade(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[Path, Path], dict]:
    """MLE-bench's own grading of a file (`mlebench.grade.grade_csv`) for a folder, with the folder's leaderboard."""
    monkeypatch.chdir(tmp_path)  # importing mlebench.grade makes a `cache` folder in the working directory
    from mlebench.grade import grade_csv

    def grade(path: Path, root: Path) -> dict:
        bench = mlebench_registry.known_competition(root.name, root.parent)
        return grade_csv(path, dataclasses.replace(bench, leaderboard=root / "leaderboard.csv")).to_dict()

    return grade


def _submission(answers: pd.DataFrame, probs: np.ndarray) -> str:
    return pd.DataFrame({"id": answers["id"], **dict(zip(CLASSES, probs.T, strict=True))}).to_csv(index=False)


def test_lite_ids_are_read_from_mlebench_split_file_and_all_map_to_a_metric(tmp_path: Path) -> None:
    ids = mlebench_registry.lite_competition_ids()
    split = mlebench_registry.require_registry().get_splits_dir() / "low.txt"
    assert ids == split.read_text().split() and len(ids) == 22 and SPOOKY in ids
    for cid in ids:  # every lite id loads without a metric override
        assert mlebench_registry.known_competition(cid, tmp_path).grader.name in mlebench_registry.GRADER_METRICS
    assert mlebench_registry.known_competition("not-a-competition", tmp_path) is None


def test_a_lite_id_without_data_names_the_exact_prepare_command(tmp_path: Path) -> None:
    command = f"mlebench prepare -c aerial-cactus-identification --data-dir {tmp_path.resolve()}"
    with pytest.raises(FileNotFoundError, match="prepare it with `" + command.replace("-", r"\-") + "`"):
        MLECompetitionEnv(competition_dir=tmp_path / "aerial-cactus-identification", work_root=tmp_path)
    public = tmp_path / "aerial-cactus-identification" / "prepared" / "public"
    public.mkdir(parents=True)
    (public / "sample_submission.csv").write_text("id,has_cactus\n")
    (public.parent / "private").mkdir()  # the folders are there, MLE-bench's answers file is not
    with pytest.raises(FileNotFoundError, match=r"\['prepared/private/test.csv'\] missing; prepare it with"):
        load_competition_dir(tmp_path / "aerial-cactus-identification")


def test_the_env_grades_through_mlebench_and_reports_what_mlebench_reports(
    data_dir: Path, tmp_path: Path, mlebench_grade: Callable[[Path, Path], dict]
) -> None:
    env = MLECompetitionEnv(competition_dir=data_dir / SPOOKY, work_root=tmp_path / "work", keep_files=True)
    obs, info = env.reset()
    assert info["task_id"] == SPOOKY and "Spooky" in obs["instruction"]  # MLE-bench's description
    assert info["competition"]["answers"] == "test.csv"  # named by MLE-bench's config
    # MLE-bench's grader judges every step: rows summing to 1.5 are refused there, not only at the end
    obs, *_ = env.step(PRIOR_SCRIPT.replace("prior[a]", "0.5"))
    assert "invalid: Each row in submission should sum to one" in obs["history"][-1]["output"]
    obs, *_ = env.step(PRIOR_SCRIPT)
    assert "submission.csv: valid" in obs["history"][-1]["output"]
    *_, info = env.step("submit")
    env.close()
    ours = info["evaluation"]
    assert ours["valid_submission"] and ours["chosen_step"] == 2
    (final,) = (tmp_path / "work").rglob("final_submission.csv")
    theirs = mlebench_grade(final, data_dir / SPOOKY)
    shared = {k for k in theirs if k not in ("competition_id", "created_at", "submission_path")}
    assert {k: ours[k] for k in shared} == {k: theirs[k] for k in shared}
    assert theirs["score"] == pytest.approx(1.0793, abs=1e-3)  # the class prior on this data


def test_our_log_loss_and_mlebench_agree_on_every_convention(data_dir: Path) -> None:
    comp = load_competition_dir(data_dir / SPOOKY)
    answers_text = grading.read_csv_strict(comp.private_dir / "test.csv")
    answers = comp.answers()
    truth = answers[CLASSES].to_numpy(dtype=float)
    rng = np.random.default_rng(0)

    def both(probs: np.ndarray) -> tuple[float | None, float | None]:
        text = _submission(answers, probs)
        theirs = comp.bench.grader(read_csv(io.StringIO(text)), comp.answers())
        try:
            ours = grading.grade(
                grading.read_csv_strict(io.StringIO(text)), answers_text, metric=get_metric("log-loss"), id_col="id"
            )
        except InvalidSubmission:
            return None, theirs
        return round(ours, 5), theirs

    for probs in (
        rng.dirichlet([1, 1, 1], len(truth)),
        np.full(truth.shape, 1 / 3),
        0.9 * truth + 0.1 * rng.dirichlet([1, 1, 1], len(truth)),
        truth,  # perfect: 0 for both
    ):
        ours, theirs = both(probs)
        assert ours == theirs
    # the conventions that used to differ (issue 18): rows not summing to 1 are refused by both (ours rescaled them)
    ours, theirs = both(0.5 * rng.dirichlet([1, 1, 1], len(truth)))
    assert ours is None and theirs is None
    # a true-class probability of 0 is clipped at float64 eps by both (ours clipped at 1e-15)
    ours, theirs = both(np.roll(truth, 1, axis=1))
    assert ours == theirs == round(-np.log(np.finfo(float).eps), 5)


MALFORMED = {
    "a class column missing": lambda s: s.drop(columns=["MWS"]),
    "an extra column": lambda s: s.assign(extra=0),
    "a class column renamed": lambda s: s.rename(columns={"MWS": "Shelley"}),
    "a row missing": lambda s: s.iloc[:-1],
    "a row twice": lambda s: pd.concat([s, s.iloc[:1]]),
    "a duplicated id": lambda s: s.assign(id=[s["id"].iloc[1], *s["id"].iloc[1:]]),
    "an unknown id": lambda s: s.assign(id=["nobody", *s["id"].iloc[1:]]),
    "a text cell": lambda s: s.astype(object).assign(EAP=["abc", *s["EAP"].iloc[1:]]),
    "an empty cell": lambda s: s.assign(EAP=[np.nan, *s["EAP"].iloc[1:]]),
    "a negative probability": lambda s: s.assign(
        EAP=[-0.5, *s["EAP"].iloc[1:]], HPL=[1.5, *s["HPL"].iloc[1:]], MWS=[0.0, *s["MWS"].iloc[1:]]
    ),
    "rows summing to 2": lambda s: s.assign(EAP=s["EAP"] + 1),
    "no rows": lambda s: s.iloc[:0],
}


def test_malformed_submissions_are_refused_as_mlebench_refuses_them(
    data_dir: Path, tmp_path: Path, mlebench_grade: Callable[[Path, Path], dict]
) -> None:
    comp = load_competition_dir(data_dir / SPOOKY)
    good = pd.read_csv(io.StringIO(_submission(comp.answers(), np.full((len(comp.answers()), 3), 1 / 3))))
    cases = {name: change(good).to_csv(index=False) for name, change in MALFORMED.items()}
    cases |= {"an empty file": "", "semicolons": good.to_csv(index=False, sep=";"), "valid": good.to_csv(index=False)}
    for name, text in cases.items():
        path = tmp_path / f"{name.replace(' ', '_')}.csv"
        path.write_text(text)
        theirs = mlebench_grade(path, data_dir / SPOOKY)["valid_submission"]
        report = comp.evaluate(path)
        assert report["valid_submission"] == theirs == (name == "valid"), name
        assert (comp.validate(path) is None) == theirs, name  # the step feedback says the same
        assert theirs or report["invalid_reason"], name


@pytest.mark.parametrize("teams", [1, 2, 7, 60, 150, 400, 1500])
@pytest.mark.parametrize("lower_is_better", [True, False])
def test_medals_match_mlebench_rank_score(data_dir: Path, teams: int, lower_is_better: bool) -> None:
    grader = mlebench_registry.known_competition(SPOOKY, data_dir).grader
    scores = np.round(np.random.default_rng(teams).gamma(2.0, 0.3, teams), 3)  # ties included
    board = pd.DataFrame({"score": np.sort(scores) if lower_is_better else -np.sort(-scores)})
    direction = lower_is_better_on_board(board["score"].tolist(), lower_is_better)  # one team: higher, as theirs
    limits = thresholds(board["score"].tolist(), direction)
    probes = [None, *board["score"].iloc[:: max(1, teams // 40)], float(scores.min()) - 1, float(scores.max()) + 1]
    for score in probes:
        ours = medal_report(score, limits, direction)
        theirs = grader.rank_score(score, board)
        assert {k: ours[k] for k in theirs} == theirs, score


def test_a_leaderboard_listed_worst_first_is_refused(data_dir: Path) -> None:
    board = data_dir / SPOOKY / "leaderboard.csv"
    pd.read_csv(board).iloc[::-1].to_csv(board, index=False)
    with pytest.raises(ValueError, match="must list scores best first.*higher is better, but log-loss"):
        load_competition_dir(data_dir / SPOOKY)


def test_mlebench_leaderboard_is_used_when_the_folder_has_none(data_dir: Path) -> None:
    (data_dir / SPOOKY / "leaderboard.csv").unlink()
    theirs = Path(mlebench_registry.known_competition(SPOOKY, data_dir).leaderboard)
    if mlebench_registry.is_lfs_pointer(theirs):  # a checkout without `git lfs pull` (as the one CI installs)
        with pytest.raises(FileNotFoundError, match="is a Git LFS pointer, not the table: run `git lfs pull`"):
            load_competition_dir(data_dir / SPOOKY)
    else:
        assert load_competition_dir(data_dir / SPOOKY).leaderboard_path == theirs


def test_a_broken_mlebench_install_is_an_error_not_a_silent_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "mlebench.registry" or m == "mlebench.utils"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "py7zr", None)  # as if the module MLE-bench's utils import were missing
    with pytest.raises(ImportError, match="mlebench is installed but cannot be imported.*py7zr"):
        mlebench_registry.registry()


def test_an_auc_competition_under_mlebench_file_names_grades_as_mlebench_does(
    mle_cache: Path, tmp_path: Path, mlebench_grade: Callable[[Path, Path], dict]
) -> None:
    """random-acts-of-pizza (from our churn data): AUC-ROC, `sampleSubmission.csv`, integer ids."""
    root = tmp_path / "data" / "random-acts-of-pizza"
    renames = {"customer_id": "request_id", "churn": "requester_received_pizza"}
    _lay_out(mle_cache / "churn-prediction", root, renames, "sampleSubmission.csv")
    comp = load_competition_dir(root)
    assert (comp.config.metric, comp.config.sample_submission, comp.config.id_column) == (
        "auc-roc",
        "sampleSubmission.csv",
        "request_id",
    )
    answers_path = root / "prepared" / "private" / "test.csv"
    answers, our_answers = pd.read_csv(answers_path), grading.read_csv_strict(answers_path)
    truth, noise = answers["requester_received_pizza"], np.random.default_rng(0).random(len(answers))
    keys = ("score", "valid_submission", "gold_threshold", "median_threshold", "above_median", "any_medal")
    for name, predictions in {"noise": noise, "informative": 0.3 * truth + 0.7 * noise, "over 1": 2 * noise}.items():
        path = tmp_path / f"{name}.csv"
        answers.assign(requester_received_pizza=predictions).sample(frac=1, random_state=0).to_csv(path, index=False)
        ours, theirs = comp.evaluate(path), mlebench_grade(path, root)
        assert {k: ours[k] for k in keys} == {k: theirs[k] for k in keys}, name
        assert theirs["valid_submission"] == (name != "over 1")
        if theirs["valid_submission"]:  # our own AUC (the built-in path) gives the same score
            own = grading.grade(
                grading.read_csv_strict(path), our_answers, metric=get_metric("auc-roc"), id_col="request_id"
            )
            assert round(own, 5) == theirs["score"]
