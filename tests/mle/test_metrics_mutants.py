"""Metric edges the grading tests leave open (issue 24: mutants of envs/mle/metrics.py that survived them).

Each case is one a wrong variant scores differently: tolerances just inside and outside their bounds, inputs
whose sum and difference disagree, and scikit-learn's own numbers where MLE-bench's graders call it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn import metrics as skm

from envs.mle.metrics import InvalidSubmission, get_metric


def column(*values: float) -> np.ndarray:
    return np.array(values, dtype=float).reshape(-1, 1)


def test_rmse_and_mae_on_values_whose_sum_and_difference_differ():
    truth, pred = column(1.0, 2.0, 4.0), column(2.0, 2.0, 1.0)
    assert get_metric("rmse").score(truth, pred) == pytest.approx(math.sqrt((1 + 0 + 9) / 3))
    assert get_metric("mae").score(truth, pred) == pytest.approx(4 / 3)
    assert get_metric("rmsle").score(truth, pred) == pytest.approx(
        math.sqrt(((math.log(2) - math.log(3)) ** 2 + (math.log(5) - math.log(2)) ** 2) / 3)
    )


def test_quadratic_kappa_on_integer_classes():
    qwk = get_metric("qwk")
    truth = column(0, 1, 2, 3)
    assert qwk.score(truth, column(0, 1, 2, 3)) == 1.0
    assert qwk.score(truth, column(3, 2, 1, 0)) == pytest.approx(-1.0)  # unweighted kappa would be -1/3
    assert qwk.score(truth, column(0, 1, 2, 2)) == pytest.approx(
        skm.cohen_kappa_score([0, 1, 2, 3], [0, 1, 2, 2], weights="quadratic")
    )
    assert qwk.check is not None
    qwk.check(column(0.0, 2.0, 5.0))  # whole numbers pass
    with pytest.raises(InvalidSubmission, match="^quadratic weighted kappa needs integer class predictions$"):
        qwk.check(column(0.0, 1.5))


def test_accuracy_compares_numbers_exactly_to_1e_9_and_text_as_text():
    accuracy = get_metric("accuracy")
    truth = np.array([["1"], ["2"]], dtype=object)
    assert accuracy.score(truth, np.array([["1.0"], ["2.000000005"]], dtype=object)) == 0.5  # 5e-9 apart
    assert accuracy.score(truth, np.array([["1.0000000001"], ["2"]], dtype=object)) == 1.0
    assert accuracy.score(truth, np.array([["1.00001"], ["3"]], dtype=object)) == 0.0  # no relative tolerance
    assert accuracy.score(truth, np.array([["a"], ["2"]], dtype=object)) == 0.5  # one side is text: as text
    assert accuracy.score(np.array([["x"], ["y"]], dtype=object), np.array([["x"], ["z"]], dtype=object)) == 0.5


def test_probability_checks_name_the_problem():
    check = get_metric("log-loss").check
    assert check is not None
    for bad in (np.array([[-0.1, 1.1]]), np.array([[1.5]]), np.array([[-0.5]])):
        with pytest.raises(InvalidSubmission, match=r"^probabilities must lie in \[0, 1\]$"):
            check(bad)
    check(np.array([[0.0], [1.0]]))
    rmsle_check = get_metric("rmsle").check
    assert rmsle_check is not None
    with pytest.raises(InvalidSubmission, match="^RMSLE needs predictions >= 0$"):
        rmsle_check(column(1.0, -0.1))


def test_row_sums_are_allowed_1e_6_plus_1e_5_off_and_no_more():
    check = get_metric("log-loss").check
    assert check is not None
    check(np.array([[0.5, 0.5 + 1.05e-5]]))  # within atol 1e-6 + rtol 1e-5
    with pytest.raises(InvalidSubmission) as refused:
        check(np.array([[0.5, 0.5], [0.5, 0.5 + 1.2e-5], [0.2, 0.2]]))
    assert str(refused.value) == (
        "each row's probabilities must sum to 1 (within 1.1e-05); 2 rows do not, e.g. row 2 sums to 1.00001"
    )


def test_log_loss_clips_at_float64_eps_as_scikit_learn_does():
    log_loss = get_metric("log-loss").score
    perfect = log_loss(column(1.0, 0.0), column(1.0, 0.0))
    assert perfect == pytest.approx(skm.log_loss([1, 0], [1.0, 0.0]), rel=1e-6) and perfect > 0
    wrong = log_loss(column(1.0), column(0.0))
    assert wrong == pytest.approx(-math.log(np.finfo(np.float64).eps))


def test_auc_is_the_mean_over_answer_columns_with_both_classes():
    auc = get_metric("auc-roc")
    truth = np.array([[0, 1, 1], [0, 0, 1], [1, 1, 1], [1, 0, 1]], dtype=float)
    pred = np.array([[0.1, 0.9, 0.5], [0.4, 0.2, 0.5], [0.35, 0.8, 0.5], [0.8, 0.1, 0.5]])
    # Column 0: 3 of 4 positive-negative pairs ordered right (0.35 < 0.4): 0.75; column 1: 1.0; column 2 is all 1.
    assert auc.score(truth, pred) == pytest.approx((0.75 + 1.0) / 2)
    assert auc.score(truth[:, :1], pred[:, :1]) == 0.75 and not auc.lower_is_better
    with pytest.raises(InvalidSubmission, match="^AUC is undefined: every answer column has a single class$"):
        auc.score(truth[:, 2:], pred[:, 2:])


def test_an_unknown_metric_is_named_with_the_known_ones():
    with pytest.raises(ValueError, match=r"^unknown metric 'f1'; known metrics: \['accuracy', 'auc-roc', "):
        get_metric("f1")


def test_a_single_class_answer_column_is_skipped_and_the_columns_after_it_still_scored():
    truth = np.array([[1, 0], [1, 1], [1, 0], [1, 1]], dtype=float)
    pred = np.array([[0.5, 0.2], [0.5, 0.9], [0.5, 0.3], [0.5, 0.6]])
    assert get_metric("auc-roc").score(truth, pred) == 1.0
