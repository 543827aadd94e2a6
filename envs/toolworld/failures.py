"""A best guess at why a ToolWorld episode failed, from its transcript and its tests.

Categories follow the AppWorld-style taxonomy: missing/wrong API, wrong
arguments, pagination, auth, reasoning, loop, runtime error, context length,
formatting, other. Pagination is decided by one rule on every task: the agent
left a list before its end, of an API whose every page the task's oracle
needed (pages.py). Otherwise the guess looks at repeated actions, then at the
last error the agent saw.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Any

from envs.toolworld.evaluate import TestResult

CATEGORIES = (
    "missing/wrong API",
    "wrong arguments",
    "pagination",
    "auth",
    "reasoning",
    "loop",
    "runtime error",
    "context length",
    "formatting",
    "other",
)
ERROR_PATTERNS = (
    ("context length", re.compile(r"context length|maximum context|too many tokens", re.I)),
    ("loop", re.compile(r"TimeoutError: the code ran longer")),
    ("auth", re.compile(r"status code is 401")),
    ("missing/wrong API", re.compile(r"status code is 404:\s*\{\"message\": \"(No API named|No app named|apis\.)")),
    ("wrong arguments", re.compile(r"status code is (422|404|409)")),
    ("formatting", re.compile(r"(SyntaxError|IndentationError|Invalid action)")),
    ("runtime error", re.compile(r"Execution failed")),
)


def guess_failure(
    history: Sequence[dict[str, Any]],
    tests: Sequence[TestResult],
    completed: bool,
    missed_pages: Collection[str] = (),
) -> str:
    """The category of a failed episode; `missed_pages`: the APIs it left unread that its task needed read."""
    failed = [t for t in tests if not t.passed]
    if missed_pages:
        return "pagination"
    actions = [turn["action"].strip() for turn in history]
    if len(actions) >= 3 and len(set(actions[-3:])) == 1:
        return "loop"
    for turn in reversed(history):
        for category, pattern in ERROR_PATTERNS:
            if pattern.search(turn["output"]):
                return category
    if not history or not any(a for a in actions):
        return "formatting"
    if completed or failed:
        return "reasoning"
    return "other"
