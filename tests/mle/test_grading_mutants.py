"""Each refusal of the grader with its exact reason, on small hand-made files and frames (issue 24: mutants of
envs/mle/grading.py that the competition-level tests, which check a word of each reason, let live)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from envs.mle import grading
from envs.mle.bounded_text import clip
from envs.mle.medals import Thresholds
from envs.mle.metrics import InvalidSubmission, get_metric

REFERENCE = pd.DataFrame({"id": ["a", "b", "c"], "p": ["0.1", "0.2", "0.3"]})
RMSE = get_metric("rmse")
LIMITS = Thresholds(gold=0.0, silver=0.1, bronze=0.2, median=0.5)


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(InvalidSubmission) as error:
        call(*args, **kwargs)
    return str(error.value)


def test_read_submission_reads_only_a_regular_file_of_its_own_within_the_limit(tmp_path: Path):
    path = tmp_path / "submission.csv"
    assert refused(grading.read_submission, path, 100) == "submission.csv does not exist"
    path.write_text("id,p\na,1\n")
    assert grading.read_submission(path, 9) == "id,p\na,1\n"  # exactly at the limit
    assert refused(grading.read_submission, path, 8) == "submission.csv is 9 bytes, over the 8-byte limit"
    link = tmp_path / "link.csv"
    link.symlink_to(path)
    assert refused(grading.read_submission, link, 100) == "link.csv is a symbolic link; write the file itself"
    hard = tmp_path / "hard.csv"
    os.link(path, hard)
    assert (
        refused(grading.read_submission, hard, 100) == "hard.csv is a hard link to another file; write the file itself"
    )
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    assert refused(grading.read_submission, fifo, 100) == "fifo.csv is not a regular file; write the file itself"
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert refused(grading.read_submission, empty, 100) == "empty.csv is empty"
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"id,p\n\xff\n")
    assert refused(grading.read_submission, binary, 100).startswith("not a readable CSV file: UnicodeDecodeError: ")
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    assert refused(grading.read_submission, folder, 100) == "folder.csv is not a regular file; write the file itself"


def test_parse_submission_refuses_a_bad_shape_before_pandas_reads_it():
    header = "id,p\n"
    rows = "a,1\nb,2\nc,3\n"
    frame = grading.parse_submission(header + rows, REFERENCE)
    assert frame.to_dict("list") == {"id": ["a", "b", "c"], "p": ["1", "2", "3"]}
    assert grading.parse_submission(header + "a,1\n\nb,2\nc,3\n", REFERENCE).shape == (3, 2)  # blank line skipped
    assert refused(grading.parse_submission, header + rows + "d,4\n", REFERENCE) == "more rows than the 3 expected"
    assert (
        refused(grading.parse_submission, header + "a,1\nb,2,9\nc,3\n", REFERENCE)
        == "line 3 has 3 fields, the header 2"
    )
    assert refused(grading.parse_submission, "id,p,q\n" + rows, REFERENCE) == (
        "columns differ from the sample submission (3 instead of 2): missing [], unexpected ['q']"
    )
    assert refused(grading.parse_submission, "id\na\n", REFERENCE) == (
        "columns differ from the sample submission (1 instead of 2): missing ['p'], unexpected []"
    )
    assert refused(grading.parse_submission, 'id,p\n"a,1\n', REFERENCE).startswith("not a readable CSV file: ")


def test_the_header_is_read_alone_up_to_64k_characters():
    longest = grading.MAX_HEADER_CHARS
    assert refused(grading.parse_submission, "i" * (longest + 1), REFERENCE) == (
        f"the header line is over {longest:,} characters long"
    )
    header_only = "x" * (longest - 2) + ",p"  # exactly the longest a header may be, no newline: one line, 2 columns
    assert grading.parse_submission(header_only, REFERENCE).shape == (0, 2)
    assert refused(grading.parse_submission, "x" * longest + ",p\n", REFERENCE) == (
        f"the header line is over {longest:,} characters long"
    )


def test_align_returns_predictions_in_reference_order_or_names_what_is_wrong():
    submission = pd.DataFrame({"p": ["3", "1", "2"], "id": ["c", "a", "b"]})
    assert grading.align(submission, REFERENCE, "id", RMSE).tolist() == [[1.0], [2.0], [3.0]]
    twice = pd.DataFrame([["a", "1", "1"]], columns=["id", "p", "p"])
    assert refused(grading.align, twice, REFERENCE, "id", RMSE) == "duplicate column names: ['p']"
    assert refused(grading.align, submission.iloc[:2], REFERENCE, "id", RMSE) == "expected 3 rows, got 2"
    duplicated = submission.assign(id=["a", "a", "b"])
    assert refused(grading.align, duplicated, REFERENCE, "id", RMSE) == "duplicate ids in column 'id', e.g. 'a'"
    unknown = submission.assign(id=["a", "z", "y"])
    assert refused(grading.align, unknown, REFERENCE, "id", RMSE) == "ids not in the test set, e.g. 'z' (2 in all)"
    other = pd.DataFrame({"id": ["a"], "q": ["1"]})
    assert refused(grading.align, other, REFERENCE, "id", RMSE) == (
        "columns differ from the sample submission (2 instead of 2): missing ['p'], unexpected ['q']"
    )


@pytest.mark.parametrize(
    "cell, reason",
    [
        ("NA", "missing value 'NA' in column 'p' at id 'b'"),
        (" ", "missing value ' ' in column 'p' at id 'b'"),
        ("None", "missing value 'None' in column 'p' at id 'b'"),
        ("x1", "non-numeric value 'x1' in column 'p' at id 'b'"),
        ("-inf", "infinite value '-inf' in column 'p' at id 'b'"),
    ],
)
def test_numeric_cells_are_refused_by_kind_column_and_id(cell: str, reason: str):
    submission = pd.DataFrame({"id": ["a", "b", "c"], "p": ["1", cell, "2"]})
    assert refused(grading.align, submission, REFERENCE, "id", RMSE) == reason


def test_text_metrics_refuse_blank_cells_and_numeric_ones_run_the_metric_check():
    accuracy = get_metric("accuracy")
    blank = pd.DataFrame({"id": ["a", "b", "c"], "p": ["x", "y", "  "]})
    assert refused(grading.align, blank, REFERENCE, "id", accuracy) == "missing values (empty cells), e.g. at id 'c'"
    text = grading.align(blank.assign(p=["x", "y", "z"]), REFERENCE, "id", accuracy)
    assert text.dtype == object and text.tolist() == [["x"], ["y"], ["z"]]
    negative = pd.DataFrame({"id": ["a", "b", "c"], "p": ["1", "-1", "2"]})
    assert refused(grading.align, negative, REFERENCE, "id", get_metric("rmsle")) == "RMSLE needs predictions >= 0"


def test_grade_scores_against_the_answers_as_numbers():
    submission = pd.DataFrame({"id": ["c", "b", "a"], "p": ["0.3", "0.2", "0.5"]})
    assert grading.grade(submission, REFERENCE, metric=RMSE, id_col="id") == pytest.approx(np.sqrt(0.16 / 3))
    assert grading.answer_values(REFERENCE, "id", RMSE).tolist() == [[0.1], [0.2], [0.3]]
    assert grading.answer_values(REFERENCE, "id", get_metric("accuracy")).tolist() == [["0.1"], ["0.2"], ["0.3"]]


def test_load_checked_returns_the_text_or_the_clipped_reason(tmp_path: Path):
    path = tmp_path / "submission.csv"
    path.write_text("id,p\na,1\nb,2\nc,3\n")
    assert grading.load_checked(path, REFERENCE, metric=RMSE, id_col="id", max_bytes=100) == path.read_text()
    path.write_text("id,p\na,1\nb,2\n")
    assert refused(grading.load_checked, path, REFERENCE, metric=RMSE, id_col="id", max_bytes=100) == (
        "expected 3 rows, got 2"
    )
    path.write_text("id," + "q" * 5000 + "\na,1\n")
    long = refused(grading.load_checked, path, REFERENCE, metric=RMSE, id_col="id", max_bytes=10_000)
    assert "characters cut" in long and len(long) < 5000


def grader(submission: pd.DataFrame, answers: pd.DataFrame) -> float:
    return grading.grade(submission, answers, metric=RMSE, id_col="id")


def test_evaluate_reports_a_score_rounded_to_5_places_or_why_there_is_none(tmp_path: Path):
    none = grading.evaluate(None, REFERENCE, grader, LIMITS, lower_is_better=True, max_bytes=100)
    assert (none["submission_exists"], none["valid_submission"], none["invalid_reason"]) == (
        False,
        False,
        "no submission.csv was produced",
    )
    path = tmp_path / "submission.csv"
    path.write_text("id,p\na,0.1\nb,0.2\nc,0.3123456\n")
    report = grading.evaluate(path, REFERENCE, grader, LIMITS, lower_is_better=True, max_bytes=100)
    assert report["score"] == round(0.0123456 / np.sqrt(3), 5) and report["valid_submission"]
    assert report["invalid_reason"] is None and report["submission_exists"] and report["silver_medal"]
    sample = pd.DataFrame({"id": ["a"], "p": ["0"], "q": ["0"]})
    shaped = grading.evaluate(path, REFERENCE, grader, LIMITS, lower_is_better=True, max_bytes=100, sample=sample)
    assert shaped["invalid_reason"] == (
        "columns differ from the sample submission (2 instead of 3): missing ['q'], unexpected []"
    )

    def crashing(submission: pd.DataFrame, answers: pd.DataFrame) -> float:
        raise ZeroDivisionError("boom")

    crashed = grading.evaluate(path, REFERENCE, crashing, LIMITS, lower_is_better=True, max_bytes=100)
    assert crashed["invalid_reason"] == "ZeroDivisionError: boom" and crashed["score"] is None
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "gone.csv")
    linked = grading.evaluate(dangling, REFERENCE, grader, LIMITS, lower_is_better=True, max_bytes=100)
    assert linked["submission_exists"] and linked["invalid_reason"] == (
        "dangling.csv is a symbolic link; write the file itself"
    )


def test_the_size_limit_is_20_times_the_sample_or_16_mib(tmp_path: Path):
    sample = tmp_path / "sample.csv"
    sample.write_bytes(b"x" * 1000)
    assert grading.size_limit(sample) == 16 * 1024**2
    with open(sample, "wb") as handle:
        handle.truncate(1024**2)
    assert grading.size_limit(sample) == 20 * 1024**2


def test_read_csv_strict_keeps_text_and_names_a_missing_empty_or_huge_file(tmp_path: Path):
    path = tmp_path / "answers.csv"
    assert refused(grading.read_csv_strict, path) == "answers.csv does not exist"
    path.write_bytes(b"")
    assert refused(grading.read_csv_strict, path) == "answers.csv is empty"
    path.write_text("id,p\nNA,None\n")
    assert grading.read_csv_strict(path).to_dict("list") == {"id": ["NA"], "p": ["None"]}
    assert refused(grading.read_csv_strict, path, max_bytes=5) == "answers.csv is 13 bytes, over the 5-byte limit"
    assert grading.read_csv_strict(path, max_bytes=13).shape == (1, 2)
    path.write_bytes(b"id,p\n\xff,1\n")
    assert refused(grading.read_csv_strict, path).startswith("not a readable CSV file: UnicodeDecodeError: ")


def test_a_blank_line_is_skipped_and_the_rows_after_it_still_checked():
    assert refused(grading.parse_submission, "id,p\na,1\n\nb,2,9\nc,3\n", REFERENCE) == (
        "line 4 has 3 fields, the header 2"
    )


@pytest.mark.parametrize(
    "text, reason",
    [
        ('id,p\na,"1"x\nb,2\nc,3\n', "not a readable CSV file: ',' expected after '\"'"),
        ('id,p\n"a,1\n', "not a readable CSV file: unexpected end of data"),
        (
            "id,p\rx\na,1\n",
            "not a readable CSV file: new-line character seen in unquoted field - do you need to open the file in "
            "universal-newline mode?",
        ),
    ],
)
def test_unreadable_csv_is_refused_with_the_csv_modules_reason(text: str, reason: str):
    assert refused(grading.parse_submission, text, REFERENCE) == reason


def test_a_header_of_exactly_the_longest_length_is_read_and_one_character_more_is_refused():
    longest = grading.MAX_HEADER_CHARS
    assert grading.parse_submission("x" * (longest - 2) + ",p\na,1\n", REFERENCE).shape == (1, 2)
    assert refused(grading.parse_submission, "x" * (longest - 1) + ",p\na,1\n", REFERENCE) == (
        f"the header line is over {longest:,} characters long"
    )
    wide = pd.DataFrame(columns=["id", "p" * 19_997])  # a header of 20,000 characters: the bound is 4 times it
    assert grading.parse_submission("id," + "q" * 79_997 + "\n", wide).shape == (0, 2)
    assert refused(grading.parse_submission, "id," + "q" * 79_998 + "\n", wide) == (
        "the header line is over 80,000 characters long"
    )


def test_a_leading_blank_line_is_an_empty_header_whatever_follows():
    empty_header = "columns differ from the sample submission (0 instead of 2): missing ['id', 'p'], unexpected []"
    assert refused(grading.parse_submission, "\nid,p\na,1\nb,2\nc,3\n", REFERENCE) == empty_header
    assert refused(grading.parse_submission, "\n" + "x" * (grading.MAX_HEADER_CHARS + 1), REFERENCE) == empty_header


def test_a_header_without_a_newline_is_read_to_its_last_character():
    assert refused(grading.parse_submission, "id,p,", REFERENCE) == (
        "columns differ from the sample submission (3 instead of 2): missing [], unexpected ['']"
    )


def test_texts_quoted_in_reasons_are_clipped_at_80_characters():
    """An id, column name or cell of 81 characters is clipped (so 80 is the bound, not 81 or the default 2,000)."""
    long_id, long_column, long_cell = "i" * 81, "c" * 81, "v" * 81
    clipped_id, clipped_column, clipped_cell = (clip(text, 80) for text in (long_id, long_column, long_cell))
    assert clipped_id != long_id
    reference = pd.DataFrame({"id": [long_id, "b"], long_column: ["1", "2"]})
    duplicated = pd.DataFrame({"id": [long_id, long_id], long_column: ["1", "2"]})
    assert refused(grading.align, duplicated, reference, "id", RMSE) == (
        f"duplicate ids in column 'id', e.g. {clipped_id!r}"
    )
    unknown = pd.DataFrame({"id": ["j" * 81, "b"], long_column: ["1", "2"]})
    assert refused(grading.align, unknown, reference, "id", RMSE) == (
        f"ids not in the test set, e.g. {clip('j' * 81, 80)!r} (1 in all)"
    )
    bad_cell = pd.DataFrame({"id": [long_id, "b"], long_column: [long_cell, "2"]})
    assert refused(grading.align, bad_cell, reference, "id", RMSE) == (
        f"non-numeric value {clipped_cell!r} in column {clipped_column!r} at id {clipped_id!r}"
    )
    blank = pd.DataFrame({"id": [long_id, "b"], long_column: [" ", "y"]})
    assert refused(grading.align, blank, reference, "id", get_metric("accuracy")) == (
        f"missing values (empty cells), e.g. at id {clipped_id!r}"
    )


@pytest.mark.parametrize("cell", ["nan", "NaN", "null"])
def test_every_spelling_of_a_missing_number_is_called_missing(cell: str):
    submission = pd.DataFrame({"id": ["a", "b", "c"], "p": ["1", cell, "2"]})
    assert (
        refused(grading.align, submission, REFERENCE, "id", RMSE) == f"missing value {cell!r} in column 'p' at id 'b'"
    )


def test_whole_numbers_are_graded_as_floats_so_big_ones_do_not_overflow():
    """int64 squares wrap around above 3e9: RMSE of 1e10 against 0 would come out 2.9e9."""
    answers = pd.DataFrame({"id": ["a", "b"], "p": ["10000000000", "0"]})
    submission = pd.DataFrame({"id": ["a", "b"], "p": ["0", "0"]})
    assert grading.align(submission, answers, "id", RMSE).dtype == np.float64
    assert grading.answer_values(answers, "id", RMSE).dtype == np.float64
    assert grading.grade(submission, answers, metric=RMSE, id_col="id") == pytest.approx(1e10 / np.sqrt(2))


def test_a_named_file_that_is_not_there_is_no_submission(tmp_path: Path):
    report = grading.evaluate(tmp_path / "submission.csv", REFERENCE, grader, LIMITS, lower_is_better=True, max_bytes=9)
    assert not report["submission_exists"] and report["invalid_reason"] == "no submission.csv was produced"


def test_a_path_that_cannot_be_opened_says_why(tmp_path: Path):
    (tmp_path / "file").write_text("x")
    assert (
        refused(grading.read_submission, tmp_path / "file" / "sub.csv", 100)
        == "sub.csv cannot be opened: Not a directory"
    )


def test_read_csv_strict_quotes_the_decoders_reason(tmp_path: Path):
    path = tmp_path / "answers.csv"
    path.write_bytes(b"\xff,p\n")
    assert refused(grading.read_csv_strict, path) == (
        "not a readable CSV file: UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 0: "
        "invalid start byte"
    )
