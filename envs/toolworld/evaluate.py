"""State-based evaluation: the DB diff of an episode against what its task expects.

A task lists `Expectation`s. Each one claims the row changes it explains and
says whether it holds, with a reason. The evaluator adds two tests of its
own: the task was completed with the right status, and nothing else changed
(every row change must be claimed by some expectation: collateral damage
fails). Every test carries a requirement string for `info`.
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from envs.toolworld.api import clip, shorten
from envs.toolworld.world.changes import RowChange

Key = tuple[str, int]
ROW_CHARS = 1_000  # of one row (or its changed values) in a test's reason: a stored text may hold 100,000


@dataclass(frozen=True)
class TestResult:
    __test__ = False  # not a pytest test class

    requirement: str
    passed: bool
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"requirement": self.requirement, "passed": self.passed, "reason": self.reason}


@dataclass(frozen=True)
class Outcome:
    """What the episode produced: its net row changes, final DB and completion."""

    changes: list[RowChange]
    conn: sqlite3.Connection
    completed: dict[str, Any] | None  # {"answer", "status"} from complete_task, None if never called
    _inserted: dict[tuple[str, str | None], dict[Any, list[dict[str, Any]]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def inserted(self, table: str, column: str | None = None) -> dict[Any, list[dict[str, Any]]]:
        """The rows inserted into `table` this episode (as they are now), by their `column` (by row id if None).
        Indexed once per table and column: a matcher runs for each candidate row of an expectation, so scanning
        every change on each run made grading quadratic in what the agent inserted (one step of 990 calls adding
        14,000 group chat members made the last step take 430 s)."""
        index = self._inserted.get((table, column))
        if index is None:
            index = self._inserted[(table, column)] = {}
            for c in self.changes:
                if c.table == table and c.kind == "insert":
                    after = c.after or {}
                    index.setdefault(c.row_id if column is None else after.get(column), []).append(after)
        return index


class Matcher:
    """A column test richer than equality; it may look at the whole outcome (e.g. rows inserted this episode)."""

    def __call__(self, value: Any, outcome: Outcome) -> bool:
        raise NotImplementedError


class Contains(Matcher):
    """The value contains `text` (case-insensitive)."""

    def __init__(self, text: str):
        self.text = text

    def __call__(self, value: Any, outcome: Outcome) -> bool:
        return isinstance(value, str) and self.text.lower() in value.lower()

    def __repr__(self) -> str:
        return f"contains {self.text!r}"


class OneOf(Matcher):
    """The value is one of `values`."""

    def __init__(self, values: Any):
        self.values = frozenset(values)

    def __call__(self, value: Any, outcome: Outcome) -> bool:
        return value in self.values

    def __repr__(self) -> str:
        return f"one of {sorted(self.values)}"


class Above(Matcher):
    """The value is greater than `bound`."""

    def __init__(self, bound: Any):
        self.bound = bound

    def __call__(self, value: Any, outcome: Outcome) -> bool:
        return value is not None and value > self.bound

    def __repr__(self) -> str:
        return f"above {self.bound!r}"


class NewRow(Matcher):
    """The value is the id of a row inserted this episode into `table` (whose columns match `match`):
    ties a new row to the new row it belongs to, e.g. an expense's shares to that expense."""

    def __init__(self, table: str, match: dict[str, Any] | None = None):
        self.table = table
        self.match = match or {}

    def __call__(self, value: Any, outcome: Outcome) -> bool:
        return any(_matches(row, self.match, outcome) for row in outcome.inserted(self.table).get(value, ()))

    def __repr__(self) -> str:
        return f"the id of a new {self.table} row" + (f" with {self.match}" if self.match else "")


class HasLines(Matcher):
    """The text's non-empty lines (bullets stripped) are exactly `lines`, in any order."""

    def __init__(self, lines: Any):
        self.lines = sorted(_line_key(x) for x in lines)

    def __call__(self, value: Any, outcome: Outcome) -> bool:
        if not isinstance(value, str):
            return False
        return sorted(_line_key(x) for x in value.splitlines() if x.strip()) == self.lines

    def __repr__(self) -> str:
        return f"has exactly the lines {self.lines}"


class InBlocks(Matcher):
    """The text's non-empty lines (bullets stripped) are `blocks` one after another, each block's lines in any order:
    an order with ties (lines of the same date: `runs`) or a layout the instruction fixes around lines it
    does not order (a first line 'Overdue:', then the to-dos in any order)."""

    def __init__(self, *blocks: Any):
        self.blocks = [sorted(_line_key(x) for x in block if x.strip()) for block in blocks]

    def __call__(self, value: Any, outcome: Outcome) -> bool:
        if not isinstance(value, str):
            return False
        lines = [_line_key(x) for x in value.splitlines() if x.strip()]
        at = 0
        for block in self.blocks:
            if sorted(lines[at : at + len(block)]) != block:
                return False
            at += len(block)
        return at == len(lines)

    def __repr__(self) -> str:
        return f"has exactly the lines {self.blocks}, block after block (any order within a block)"


class InOrder(InBlocks):
    """The text's non-empty lines (bullets stripped) are exactly `lines`, in this order: for instructions that ask
    for an order ("from the most expensive down"), which HasLines would let any order pass. Lines are read as
    HasLines reads them, so a bulleted list passes where the instruction did not forbid bullets."""

    def __init__(self, lines: Any):
        super().__init__(*([line] for line in lines))

    @property
    def lines(self) -> list[str]:
        """The expected lines, in their order (as read: bullets stripped, case and spacing aside)."""
        return [line for block in self.blocks for line in block]

    def __repr__(self) -> str:
        return f"has exactly the lines {self.lines} in this order"


def runs(lines: list[str], keys: list[Any]) -> list[list[str]]:
    """`lines` (sorted by `keys`) cut where the key changes: the blocks of an order with ties, for InBlocks."""
    return [[line for line, _ in run] for _, run in groupby(zip(lines, keys, strict=True), lambda pair: pair[1])]


def _line_key(line: str) -> str:
    return " ".join(line.strip().lstrip("-*•").strip().lower().split())


def _matches(row: dict[str, Any], match: dict[str, Any], outcome: Outcome) -> bool:
    return all(_holds(want, row.get(k), outcome) for k, want in match.items())


def _holds(want: Any, value: Any, outcome: Outcome) -> bool:
    return want(value, outcome) if isinstance(want, Matcher) else value == want


class Expectation:
    requirement: str

    def check(self, outcome: Outcome) -> tuple[TestResult, set[Key]]:
        raise NotImplementedError


@dataclass(frozen=True)
class Inserted(Expectation):
    """`count` new rows of `table` whose columns match `match`."""

    table: str
    match: dict[str, Any]
    requirement: str
    count: int = 1
    what: str = "rows"

    def check(self, outcome: Outcome) -> tuple[TestResult, set[Key]]:
        hits = [
            c
            for c in outcome.changes
            if c.table == self.table
            and c.kind == "insert"
            and c.after is not None
            and _matches(c.after, self.match, outcome)
        ]
        keys = {(c.table, c.row_id) for c in hits}
        if len(hits) != self.count:
            reason = f"expected {self.count} new {self.what}, found {len(hits)}"
            return TestResult(self.requirement, False, reason), keys
        for column, want in self.match.items():
            # as many rows as choices means one row for each: two texts to one contact must not stand in for
            # one to another
            if not isinstance(want, OneOf) or len(want.values) != self.count:
                continue
            got = Counter((c.after or {}).get(column) for c in hits)
            if got != Counter(want.values):
                reason = f"expected one new {self.what} for each {column} of {sorted(want.values)}, found {dict(got)}"
                return TestResult(self.requirement, False, reason), keys
        return TestResult(self.requirement, True), keys


@dataclass(frozen=True)
class Updated(Expectation):
    """Row `row_id` of `table` now has `values`; no other column of it changed."""

    table: str
    row_id: int
    values: dict[str, Any]
    requirement: str

    def check(self, outcome: Outcome) -> tuple[TestResult, set[Key]]:
        change = next((c for c in outcome.changes if (c.table, c.row_id) == (self.table, self.row_id)), None)
        if change is None or change.after is None:
            what = "was deleted" if change else "did not change"
            return TestResult(self.requirement, False, f"{self.table} row {self.row_id} {what}"), set()
        key = {(self.table, self.row_id)}
        wrong = {k: change.after.get(k) for k, v in self.values.items() if not _holds(v, change.after.get(k), outcome)}
        if wrong:
            return TestResult(
                self.requirement,
                False,
                f"{self.table} row {self.row_id} has {shorten(wrong, ROW_CHARS)}, expected {self.values}",
            ), key
        extra = set(change.changed_columns()) - set(self.values)
        if extra:
            return TestResult(
                self.requirement, False, f"{self.table} row {self.row_id} also changed {sorted(extra)}"
            ), key
        return TestResult(self.requirement, True), key


@dataclass(frozen=True)
class Deleted(Expectation):
    """Exactly the rows `row_ids` of `table` were deleted (no more: extra deletions are collateral)."""

    table: str
    row_ids: frozenset[int]
    requirement: str
    what: str = "rows"

    def check(self, outcome: Outcome) -> tuple[TestResult, set[Key]]:
        gone = {
            c.row_id
            for c in outcome.changes
            if c.table == self.table and c.kind == "delete" and c.row_id in self.row_ids
        }
        keys = {(self.table, r) for r in gone}
        if gone == set(self.row_ids):
            return TestResult(self.requirement, True), keys
        reason = f"expected {len(self.row_ids)} {self.what} deleted, found {len(gone)}"
        return TestResult(self.requirement, False, reason), keys


@dataclass(frozen=True)
class Answer(Expectation):
    """The answer given to complete_task equals `expected` (numbers to 0.01, lists as sets unless ordered)."""

    expected: Any
    requirement: str
    ordered: bool = False
    traps: dict[str, str] = field(default_factory=dict)  # normalized wrong answer -> why it is wrong

    def check(self, outcome: Outcome) -> tuple[TestResult, set[Key]]:
        given = None if outcome.completed is None else outcome.completed.get("answer")
        if answers_equal(given, self.expected, self.ordered):
            return TestResult(self.requirement, True), set()
        reason = f"expected answer {self.expected!r}, got {shorten(given, 300)}"
        trap = self.traps.get(normalize_answer(given, self.ordered))
        return TestResult(self.requirement, False, reason + (f": {trap}" if trap else "")), set()


def normalize_answer(value: Any, ordered: bool = False) -> str:
    """A canonical text for comparing answers: numbers rounded, strings trimmed and lowercased."""
    if isinstance(value, (list, tuple)):
        items = [normalize_answer(v) for v in value]
        return "[" + "|".join(items if ordered else sorted(items)) + "]"
    if isinstance(value, bool) or value is None:
        return str(value).lower()
    try:
        number = float(str(value).replace(",", "").replace("$", "").strip())
        if math.isfinite(number):
            return _to_the_cent(number)
    except ValueError:
        pass
    return " ".join(str(value).strip().lower().rstrip(".").split())


def _to_the_cent(number: float) -> str:
    """`number` to 0.01, without trailing zeros. (`:g` kept 6 significant digits: 1,234,567 equalled 1,234,571 and
    123,456.71 equalled 123,457.)"""
    return f"{round(number, 2) + 0.0:.2f}".rstrip("0").rstrip(".")  # + 0.0: -0.0 is 0


def answers_equal(given: Any, expected: Any, ordered: bool = False) -> bool:
    if isinstance(expected, (list, tuple)) and isinstance(given, str):
        given = [part for part in (p.strip() for p in given.split(",")) if part]
    return normalize_answer(given, ordered) == normalize_answer(expected, ordered)


def evaluate(
    expectations: Iterable[Expectation], outcome: Outcome, expected_status: str = "success"
) -> list[TestResult]:
    results, claimed = [], set()
    done = outcome.completed
    status_ok = done is not None and done.get("status") == expected_status
    status_reason = (
        ""
        if status_ok
        else ("complete_task was never called" if done is None else f"status was {done.get('status')!r}")
    )
    results.append(TestResult(f"the task is completed with status {expected_status!r}", status_ok, status_reason))
    for expectation in expectations:
        result, keys = expectation.check(outcome)
        results.append(result)
        claimed |= keys
    unexpected = [c for c in outcome.changes if (c.table, c.row_id) not in claimed]
    reason = "; ".join(clip(c.describe(), ROW_CHARS) for c in unexpected[:5]) + (
        f"; and {len(unexpected) - 5} more" if len(unexpected) > 5 else ""
    )
    results.append(
        TestResult("nothing else in the world is changed", not unexpected, reason and f"unexpected changes: {reason}")
    )
    return results
