"""Malformed submissions are invalid with a reason; the grader never crashes."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from envs.mle import grading
from envs.mle.bounded_text import clip
from envs.mle.competition import Competition
from envs.mle.metrics import InvalidSubmission, get_metric


@pytest.fixture(scope="module")
def churn(mle_cache: Path) -> Competition:
    return Competition.load(mle_cache / "churn-prediction")


def _good(churn: Competition) -> pd.DataFrame:
    sample = churn.sample_submission()
    sample["churn"] = np.linspace(0, 1, len(sample)).astype(str)
    return sample


def _write(tmp_path: Path, frame: pd.DataFrame) -> Path:
    path = tmp_path / "submission.csv"
    frame.to_csv(path, index=False)
    return path


BROKEN = {
    "missing column": (lambda f: f.drop(columns="churn"), "missing ['churn']"),
    "extra column": (lambda f: f.assign(leak=1), "unexpected ['leak']"),
    "renamed id column": (lambda f: f.rename(columns={"customer_id": "id"}), "missing ['customer_id']"),
    "too few rows": (lambda f: f.iloc[:-5], "expected"),
    "too many rows": (lambda f: pd.concat([f, f.iloc[:3]]), "expected"),
    "duplicate ids": (
        lambda f: f.assign(
            customer_id=[f.customer_id.iloc[0]] + f.customer_id.iloc[1:].tolist()[:-1] + [f.customer_id.iloc[0]]
        ),
        "duplicate ids",
    ),
    "wrong ids": (lambda f: f.assign(customer_id="x" + f.customer_id), "ids not in the test set"),
    "empty cell": (lambda f: f.assign(churn=[""] + f.churn.iloc[1:].tolist()), "missing value"),
    "NaN": (lambda f: f.assign(churn=["NaN"] + f.churn.iloc[1:].tolist()), "missing value"),
    "text in numeric column": (
        lambda f: f.assign(churn=["high"] + f.churn.iloc[1:].tolist()),
        "non-numeric value 'high'",
    ),
    "infinity": (lambda f: f.assign(churn=["inf"] + f.churn.iloc[1:].tolist()), "infinite"),
    "raw scores, not probabilities": (
        lambda f: f.assign(churn=(f.churn.astype(float) * 6 - 3).astype(str)),
        "AUC-ROC of one target needs probabilities in [0, 1]",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_submission_is_invalid_with_reason(case: str, churn: Competition, tmp_path: Path) -> None:
    mutate, reason = BROKEN[case]
    path = _write(tmp_path, mutate(_good(churn)))
    report = churn.evaluate(path)
    assert report["submission_exists"] and not report["valid_submission"]
    assert report["score"] is None and not report["any_medal"] and not report["above_median"]
    assert reason in report["invalid_reason"]
    assert churn.validate(path) is not None and reason in churn.validate(path)


def test_a_good_submission_is_valid_and_scored(churn: Competition, tmp_path: Path) -> None:
    report = churn.evaluate(_write(tmp_path, _good(churn).sample(frac=1, random_state=0)))  # row order does not matter
    assert report["valid_submission"] and isinstance(report["score"], float)
    assert round(report["score"], 5) == report["score"]


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe binary", "not a readable CSV"),
        (b"", "is empty"),
        (b'customer_id,churn\n"unterminated,0.5\n', "not a readable CSV"),
    ],
)
def test_unreadable_files_are_invalid(content: bytes, reason: str, churn: Competition, tmp_path: Path) -> None:
    path = tmp_path / "submission.csv"
    path.write_bytes(content)
    report = churn.evaluate(path)
    assert not report["valid_submission"] and reason in report["invalid_reason"]


def test_huge_file_is_refused_unread(churn: Competition, tmp_path: Path) -> None:
    path = tmp_path / "submission.csv"
    limit = grading.size_limit(churn.sample_submission_path())
    with open(path, "wb") as handle:
        handle.truncate(limit + 1)
    report = churn.evaluate(path)
    assert not report["valid_submission"] and "over the" in report["invalid_reason"]


def test_missing_file_and_no_submission(churn: Competition, tmp_path: Path) -> None:
    for path in (tmp_path / "nothing.csv", None):
        report = churn.evaluate(path)
        assert not report["submission_exists"] and not report["valid_submission"] and report["score"] is None


def test_grader_exceptions_of_any_kind_mean_invalid(churn: Competition, tmp_path: Path) -> None:
    def crashing(sub, ans):
        raise ZeroDivisionError("boom")

    broken = Competition(churn.root, churn.config, grader=crashing)
    report = broken.evaluate(_write(tmp_path, _good(churn)))
    assert report["score"] is None and "ZeroDivisionError" in report["invalid_reason"]


def test_metric_value_checks() -> None:
    ref = pd.DataFrame({"id": ["a", "b"], "y": ["1", "2"]})
    with pytest.raises(InvalidSubmission, match="RMSLE needs predictions >= 0"):
        grading.grade(pd.DataFrame({"id": ["a", "b"], "y": ["-1", "2"]}), ref, metric=get_metric("rmsle"), id_col="id")
    with pytest.raises(InvalidSubmission, match="integer"):
        grading.grade(pd.DataFrame({"id": ["a", "b"], "y": ["1.5", "2"]}), ref, metric=get_metric("qwk"), id_col="id")
    sub = pd.DataFrame({"id": ["b", "a"], "y": ["2.0", "1"]})
    assert grading.grade(sub, ref, metric=get_metric("accuracy"), id_col="id") == 1.0


@pytest.mark.parametrize("huge", ["1e19", "-1e19", "1e30"])
def test_kappa_refuses_classes_past_the_int64_range_as_mlebench_does(huge: str) -> None:
    """Cast to int64, 1e19 and -1e19 both wrapped to its smallest value: one row graded as the lowest class
    (kappa 0.28 instead of an error); scikit-learn reads such a column as continuous and MLE-bench refuses it."""
    ref = pd.DataFrame({"id": list("abcdefg"), "y": ["0", "1", "2", "3", "4", "4", "2"]})
    sub = ref.assign(y=["0", "1", "2", "3", "4", huge, "2"])
    with pytest.raises(InvalidSubmission, match="within the 64-bit integer range"):
        grading.grade(sub, ref, metric=get_metric("qwk"), id_col="id")
    within = ref.assign(y=["0", "1", "2", "3", "4", "1e18", "2"])  # a class past 4, as MLE-bench grades it
    assert isinstance(grading.grade(within, ref, metric=get_metric("qwk"), id_col="id"), float)


def test_log_loss_refuses_rows_that_do_not_sum_to_one_as_mlebench_does() -> None:
    answers = pd.DataFrame({"id": ["a", "b"], "X": ["1", "0"], "Y": ["0", "1"]})
    good = pd.DataFrame({"id": ["a", "b"], "X": ["0.8", "0.2"], "Y": ["0.2", "0.8"]})
    loss = grading.grade(good, answers, metric=get_metric("log-loss"), id_col="id")
    assert loss == pytest.approx(-np.log(0.8))
    with pytest.raises(InvalidSubmission, match="must sum to 1.*1 rows do not, e.g. row 2 sums to 0.5"):
        grading.grade(good.assign(Y=["0.2", "0.3"]), answers, metric=get_metric("log-loss"), id_col="id")
    close = good.assign(Y=["0.200009", "0.8"])  # within MLE-bench's tolerance (1e-6 + 1e-5 of 1)
    assert grading.grade(close, answers, metric=get_metric("log-loss"), id_col="id") == pytest.approx(loss, abs=1e-5)
    with pytest.raises(InvalidSubmission, match="must sum to 1"):
        grading.grade(good.assign(Y=["0.20002", "0.8"]), answers, metric=get_metric("log-loss"), id_col="id")
    with pytest.raises(InvalidSubmission, match="probabilities"):
        grading.grade(good.assign(X=["1.5", "0.2"]), answers, metric=get_metric("log-loss"), id_col="id")


def test_log_loss_clips_at_float64_eps_and_reads_one_column_as_binary() -> None:
    answers = pd.DataFrame({"id": ["a", "b"], "X": ["1", "0"], "Y": ["0", "1"]})
    wrong = pd.DataFrame({"id": ["a", "b"], "X": ["0", "1"], "Y": ["1", "0"]})  # confidently wrong
    loss = grading.grade(wrong, answers, metric=get_metric("log-loss"), id_col="id")
    assert loss == pytest.approx(-np.log(np.finfo(np.float64).eps))  # 36.04, as scikit-learn's log_loss
    binary = pd.DataFrame({"id": ["a", "b"], "p": ["0.9", "0.3"]})
    truth = pd.DataFrame({"id": ["a", "b"], "p": ["1", "0"]})
    assert grading.grade(binary, truth, metric=get_metric("log-loss"), id_col="id") == pytest.approx(
        -(np.log(0.9) + np.log(0.7)) / 2
    )


def test_multi_column_rmse_averages_per_column_scores_as_mlebench() -> None:
    answers = pd.DataFrame({"id": ["a", "b"], "u": ["0", "0"], "v": ["0", "0"]})
    sub = pd.DataFrame({"id": ["a", "b"], "u": ["3", "3"], "v": ["0", "4"]})  # column RMSEs 3 and sqrt(8)
    assert grading.grade(sub, answers, metric=get_metric("rmse"), id_col="id") == pytest.approx((3 + 8**0.5) / 2)
    pooled = ((9 + 9 + 0 + 16) / 4) ** 0.5  # what pooling the cells would give instead
    assert pooled != pytest.approx((3 + 8**0.5) / 2)
    logs = sub.assign(u=["1", "1"], v=["0", "0"])
    expected = (np.log(2) + 0) / 2
    assert grading.grade(logs, answers, metric=get_metric("rmsle"), id_col="id") == pytest.approx(expected)


def test_a_board_that_cannot_tell_its_direction_reads_higher_is_better_as_mlebench() -> None:
    from envs.mle.medals import lower_is_better_on_board, medal_report, thresholds

    assert lower_is_better_on_board([0.5], True) is False and lower_is_better_on_board([0.5, 0.5, 0.5], True) is False
    assert lower_is_better_on_board([0.1, 0.5], True) is True and lower_is_better_on_board([0.5, 0.1], False) is False
    lower = lower_is_better_on_board([0.5], True)
    report = medal_report(0.7, thresholds([0.5], lower), lower)  # an RMSE worse than the one team's
    assert report["gold_medal"] and not report["is_lower_better"]  # what MLE-bench's rank_score says


def test_text_cells_like_NA_stay_text(tmp_path: Path) -> None:
    answers = pd.DataFrame({"id": ["0_1", "0_2"], "after": ["NA", "null"]})
    path = tmp_path / "s.csv"
    answers.to_csv(path, index=False)
    assert grading.grade(grading.read_csv_strict(path), answers, metric=get_metric("accuracy"), id_col="id") == 1.0


def test_accuracy_compares_one_long_label_without_widening_every_cell() -> None:
    """numpy's astype(str) made every cell as wide as the longest: one label of 131,000 characters took 3.7 GB
    and 23 s to grade on text-normalization's 7,412 rows (here 1,000 rows and 50,000 characters: 200 MB)."""
    answers = pd.DataFrame({"id": [str(i) for i in range(1000)], "after": ["word"] * 1000})
    sub = answers.assign(after=["x" * 50_000] + ["word"] * 999)
    tracemalloc.start()
    try:
        score = grading.grade(sub, answers, metric=get_metric("accuracy"), id_col="id")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert score == 0.999 and peak < 20 * 1024**2


@pytest.mark.parametrize("label", ["٣", "３", "\u00a03"])
def test_accuracy_reads_numbers_as_pandas_does(label: str) -> None:
    """Python's float() reads Arabic-Indic and full-width digits and a no-break space as 3; pandas (and so
    MLE-bench's graders) reads them as text, which never equals the answer 3. Each was graded correct."""
    answers = pd.DataFrame({"id": ["a", "b"], "y": ["3", "4"]})
    metric = get_metric("accuracy")
    assert grading.grade(answers.assign(y=[label, "4"]), answers, metric=metric, id_col="id") == 0.5
    assert grading.grade(answers.assign(y=[" 3", "4.0"]), answers, metric=metric, id_col="id") == 1.0


def test_a_file_padded_with_blank_lines_is_refused(churn: Competition, tmp_path: Path) -> None:
    """16 MiB of line ends after the rows (skipped by pandas) took 4 s to check at every step and as long again
    at the final grading, which then graded the file; a few blank lines still pass, as in pandas."""
    text = _good(churn).to_csv(index=False, lineterminator="\n")
    padded = tmp_path / "padded.csv"
    padded.write_text(text + "\r" * (grading.size_limit(churn.sample_submission_path()) - len(text) - 1))
    report = churn.evaluate(padded)
    assert not report["valid_submission"] and "more than 1201 blank lines" in report["invalid_reason"]
    assert "blank lines" in str(churn.validate(padded))
    few = tmp_path / "few.csv"
    few.write_text(text.replace("\n", "\n\n", 5) + "\n\n")
    assert churn.validate(few) is None and churn.evaluate(few)["valid_submission"]


def test_a_line_of_millions_of_commas_is_refused_before_it_is_split(churn: Competition, tmp_path: Path) -> None:
    """Split first, 16 MiB of commas made a row of 16.7 million fields (+240 MB of env RSS) before its count
    was checked; now the line's commas are counted first."""
    path = tmp_path / "submission.csv"
    path.write_text("customer_id,churn\n" + "," * (grading.size_limit(churn.sample_submission_path()) - 100))
    tracemalloc.start()
    try:
        reason = churn.validate(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert reason is not None and f"over the {grading.MAX_ROW_COMMAS:,} limit" in reason
    assert peak < 150 * 1024**2


@pytest.mark.parametrize(
    "header, reason",
    [
        # pandas renamed them "customer_id.1" and "Unnamed: 0", which the reasons quoted as if the file had them
        ("customer_id,customer_id", "duplicate column names: ['customer_id']"),
        (",churn", "missing ['customer_id'], unexpected ['']"),
        ("\ufeffcustomer_id,customer_id", "duplicate column names: ['customer_id']"),
    ],
)
def test_column_problems_name_the_files_own_header(
    header: str, reason: str, churn: Competition, tmp_path: Path
) -> None:
    rows = _good(churn).to_csv(index=False, header=False)
    path = tmp_path / "submission.csv"
    path.write_text(f"{header}\n{rows}", encoding="utf-8")
    report = churn.evaluate(path)
    assert not report["valid_submission"] and reason in report["invalid_reason"], report["invalid_reason"]
    assert reason in str(churn.validate(path))
    assert "Unnamed" not in report["invalid_reason"] and "customer_id.1" not in report["invalid_reason"]


def test_a_repeated_column_is_never_read_as_another_one_pandas_named_after_it() -> None:
    """A reference with a column "p.1" (pandas's name for a second "p"): a file with "p" twice filled it with the
    second p's values and was graded as valid."""
    reference = pd.DataFrame({"id": ["a", "b"], "p": ["1", "2"], "p.1": ["3", "4"]})
    with pytest.raises(InvalidSubmission, match=r"duplicate column names: \['p'\]"):
        grading.grade(
            grading.parse_submission("id,p,p\na,1,3\nb,2,4\n", reference),
            reference,
            metric=get_metric("rmse"),
            id_col="id",
        )


@pytest.mark.parametrize("cell", ["1e400", "1" * 400, "-inf"])
def test_an_infinite_number_is_named_with_its_cell(cell: str, churn: Competition, tmp_path: Path) -> None:
    """A finite-looking number past float64's range (400 digits, 1e400) reads as infinite; the reason said only
    "infinite values are not allowed", naming neither the cell nor where it is."""
    frame = _good(churn)
    frame.loc[3, "churn"] = cell
    report = churn.evaluate(_write(tmp_path, frame))
    assert not report["valid_submission"]
    assert report["invalid_reason"] == (
        f"infinite value {clip(cell, 80)!r} in column 'churn' at id {frame.loc[3, 'customer_id']!r}"
    )
