"""The numbers a model's reply gives a wrapper are read as finite numbers or not at all.

AIDE's review reports a validation metric that picks the node every improvement
builds on. Python's json reads NaN, Infinity and 1e400 (as inf) and refuses an
integer past 4,300 digits with a ValueError, not a JSONDecodeError; a reply
holding any of them must neither end the episode nor win the search.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from policies.llm.base import ChatRequest
from tests.wrappers.test_aide_calls import ServerLikeModel, _is_review, run_search
from wrappers.aide import parse_review

#: A script that prints no metric, so the review's metric is the one the search uses.
QUIET = "Plan: a baseline.\n```python\nx = 1\n```\n"
HUGE = "9" * 5_000


def review(metric: str) -> str:
    fields = f'"is_bug": false, "summary": "ran", "metric": {metric}, "lower_is_better": false'
    return f'{{{fields}, "has_csv_submission": true}}'


def replies(*reviews: str) -> Callable[[ChatRequest], str]:
    queue = list(reviews)
    return lambda request: (queue.pop(0) if len(queue) > 1 else queue[0]) if _is_review(request.messages) else QUIET


@pytest.mark.parametrize("where", ["text", "tool_call"])
def test_a_review_with_an_integer_past_the_digit_limit_is_read_not_a_crash(where: str) -> None:
    text = review(HUGE)
    calls = [{"function": {"name": "submit_review", "arguments": text}}] if where == "tool_call" else None
    read = parse_review("" if calls else text, calls)
    assert read is None or read.metric is None
    if where == "text":  # the whole search carries on: the node is buggy, with the reason in its analysis
        journal = run_search(ServerLikeModel(replies(text), honours_tools=False), steps=2)
        assert journal[0]["reviewed"] and journal[0]["is_buggy"] and journal[0]["metric"] is None
        assert "refused: not a finite number" in journal[0]["analysis"]


@pytest.mark.parametrize("metric", ["NaN", "Infinity", "-Infinity", "1e400", f'"{HUGE[:400]}"'])
def test_a_metric_that_is_not_a_finite_number_is_refused(metric: str) -> None:
    read = parse_review(review(metric))
    assert read is not None and read.metric is None and "not a finite number" in read.refused
    assert parse_review(f"is_bug: false\nmetric: {metric.strip(chr(34))}").metric is None  # key: value text too


@pytest.mark.parametrize("bad", ["NaN", "Infinity"])
def test_a_nan_or_inf_metric_never_becomes_the_node_improvements_build_on(bad: str) -> None:
    """Draft 0 reviewed with `bad`, draft 1 with 0.5: the improvement must build on draft 1. (With NaN kept,
    max() kept draft 0 since 0.5 > nan is false; with inf kept, inf beat every real score.)"""
    model = ServerLikeModel(replies(review(bad), review("0.5")), honours_tools=False)
    journal = run_search(model, steps=3, debug_prob=0.0)
    assert journal[0]["metric"] is None and journal[0]["is_buggy"]
    assert journal[2]["operation"] == "improve" and journal[2]["parent"] == 1
    json.dumps(journal, allow_nan=False)  # the step's info stays strict JSON


#: The head of an MLE step's output (envs.mle.journal.step_output), before what the script printed.
HEAD = "[step 2] exit status 0 (run time 1-5 s)\nsubmission.csv: valid\n"
UNAVAILABLE = (
    "validation accuracy on a held-out split of train: unavailable (the run or its validation submission failed)"
)


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        # the script prints a line shaped like the env's with no number in it: it used to raise ValueError
        (HEAD + "--- stdout (end) ---\nvalidation accuracy: 1..2\n--- stderr (end) ---\n(empty)", None),
        # the env's score is unavailable and the script claims one: it used to be taken as the env's (0.99)
        (HEAD + UNAVAILABLE + "\n--- stdout (end) ---\nvalidation accuracy: 0.99\n--- stderr (end) ---\n(empty)", None),
        # {:.5g} of a large score: it used to be missed (None)
        (HEAD + "validation rmse on a held-out split of train: 1.2346e+05\n--- stdout (end) ---\n(empty)", 123460.0),
    ],
    ids=["printed_1..2", "printed_claim_while_env_unavailable", "env_exponent_plus"],
)
def test_the_envs_validation_score_is_read_from_the_envs_lines_only(output: str, expected: float | None) -> None:
    from wrappers.aide import _env_metric

    assert _env_metric(output) == expected


def test_a_script_printing_a_validation_line_without_a_number_does_not_end_the_search() -> None:
    script = "Plan: a baseline.\n```python\nprint('validation accuracy: 1..2')\n```\n"
    model = ServerLikeModel(lambda r: review("0.5") if _is_review(r.messages) else script, honours_tools=False)
    journal = run_search(model, steps=2)
    assert journal[0]["reviewed"] and journal[0]["metric"] == 0.5


@pytest.mark.parametrize(
    "reply",
    [
        json.dumps({"is_bug": False, "summary": "s" * 20_000, "metric": 0.5}),
        "is_bug: false\nsummary: " + "s" * 20_000 + "\nmetric: 0.5",
    ],
    ids=["json", "text"],
)
def test_a_reviews_summary_is_cut_to_its_limit_however_it_was_read(reply: str) -> None:
    """The summary goes into every later prompt (the search's memory): only the tool call's schema bounded it, and
    a backend that enforces no schema, or a review read from JSON or text, let 20,000 characters through."""
    review = parse_review(reply)
    assert review is not None and review.metric == 0.5 and review.summary == "s" * 300
