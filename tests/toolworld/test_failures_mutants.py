"""The fallbacks of the failure taxonomy, after the patterns (issue 24: mutants of envs/toolworld/failures.py that
the pattern tests let live): no usable action is formatting; otherwise a completed task or a failing test is
reasoning, and only an episode that neither completed nor failed a test is other."""

from __future__ import annotations

from envs.toolworld.evaluate import TestResult
from envs.toolworld.failures import guess_failure

PASSED = [TestResult("the task is completed with status 'success'", True)]
FAILED = [*PASSED, TestResult("a text is sent", False, "expected 1 new texts, found 0")]


def turns(*actions: str) -> list[dict[str, str]]:
    return [{"action": action, "output": "ok"} for action in actions]


def test_no_history_or_only_blank_actions_is_formatting():
    assert guess_failure([], FAILED, completed=True) == "formatting"
    assert guess_failure(turns("  ", "\n"), FAILED, completed=True) == "formatting"


def test_a_failing_test_or_a_completed_task_is_reasoning_and_neither_is_other():
    actions = turns("a = 1", "print(a)")
    assert guess_failure(actions, FAILED, completed=False) == "reasoning"
    assert guess_failure(actions, PASSED, completed=True) == "reasoning"
    assert guess_failure(actions, PASSED, completed=False) == "other"
    assert guess_failure(actions, [], completed=False) == "other"
