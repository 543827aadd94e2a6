"""Each ToolWorld test of the evaluator on hand-made row changes (issue 24: mutants of envs/toolworld/evaluate.py).

The env tests play whole tasks; these pin each matcher, each expectation's verdict and reason, and the two tests
of the evaluator's own (completion status, nothing else changed), on outcomes built directly."""

from __future__ import annotations

import sqlite3

import pytest

from envs.toolworld.evaluate import (
    Above,
    Answer,
    Contains,
    Deleted,
    HasLines,
    InBlocks,
    InOrder,
    Inserted,
    NewRow,
    OneOf,
    Outcome,
    TestResult,
    Updated,
    answers_equal,
    evaluate,
    normalize_answer,
    runs,
)
from envs.toolworld.scenarios.shop_bills_files import receipt
from envs.toolworld.world.changes import RowChange


def outcome(*changes: RowChange, completed: dict | None = None) -> Outcome:
    return Outcome(list(changes), sqlite3.connect(":memory:"), completed)


def insert(table: str, row_id: int, **after) -> RowChange:
    return RowChange(table, row_id, None, after)


def delete(table: str, row_id: int) -> RowChange:
    return RowChange(table, row_id, {"id": row_id}, None)


def update(table: str, row_id: int, before: dict, after: dict) -> RowChange:
    return RowChange(table, row_id, before, after)


def test_matchers_and_how_they_read():
    empty = outcome()
    assert Contains("Rent")("monthly RENT paid", empty) and not Contains("rent")(7, empty)
    assert not Contains("rent")("paid", empty) and repr(Contains("rent")) == "contains 'rent'"
    assert OneOf([2, 1])(1, empty) and not OneOf([2, 1])(3, empty) and repr(OneOf([2, 1])) == "one of [1, 2]"
    assert Above(3)(4, empty) and not Above(3)(3, empty) and not Above(3)(None, empty)
    assert repr(Above(3)) == "above 3"
    assert HasLines(["- Milk", "eggs"])("* eggs\n\n  milk  \n", empty)
    assert not HasLines(["milk"])("milk\nmilk", empty) and not HasLines(["milk"])(None, empty)
    assert HasLines(["•  Two   words"])("two words", empty)
    assert repr(HasLines(["B", "a"])) == "has exactly the lines ['a', 'b']"
    assert InOrder(["- Milk", "eggs"])("* milk\n\n  EGGS  \n", empty)  # lines read as HasLines reads them
    assert not InOrder(["milk", "eggs"])("eggs\nmilk", empty)  # the lines HasLines passes, out of order
    assert not InOrder(["milk"])("milk\nmilk", empty) and not InOrder(["milk"])(None, empty)
    assert repr(InOrder(["B", "a"])) == "has exactly the lines ['b', 'a'] in this order"


def test_in_blocks_orders_the_blocks_not_the_lines_within_one():
    """'Oldest first' with two lines of one date, or 'a first line Overdue:, then the to-dos': the blocks in order,
    each block's lines in any order (InOrder would fail the same-date lines swapped, HasLines the header last)."""
    empty = outcome()
    blocks = runs(["05-01 b", "05-01 a", "05-02 c"], ["05-01", "05-01", "05-02"])
    assert blocks == [["05-01 b", "05-01 a"], ["05-02 c"]]
    dated = InBlocks(*blocks, ["Total: 3"])
    assert dated("05-01 a\n05-01 b\n\n05-02 c\nTotal: 3", empty) and dated(
        "- 05-01 b\n05-01 a\n05-02 c\ntotal: 3", empty
    )
    assert not dated("05-02 c\n05-01 a\n05-01 b\nTotal: 3", empty)  # a later date first
    assert not dated("Total: 3\n05-01 a\n05-01 b\n05-02 c", empty)  # the total not last
    assert not dated("05-01 a\n05-01 b\n05-02 c", empty) and not dated("05-01 a\n05-01 b\n05-02 c\nTotal: 3\nx", empty)
    assert not dated(None, empty)
    assert InBlocks(["Overdue:"], ["b", "a"])("Overdue:\na\nb", empty) and not InBlocks(["Overdue:"], ["a"])(
        "a\nOverdue:", empty
    )


def test_a_receipt_may_be_bulleted_but_its_total_comes_last():
    """Receipt texts (9 templates) are graded as items in any order, then the total: no instruction forbids bullets,
    so a bulleted receipt passes, as a bulleted list passes HasLines and InOrder."""
    empty = outcome()
    written = receipt(["1 x Pen", "2 x Ink"], "Total: $3.00")
    assert written("- 2 x Ink\n* 1 x pen\nTotal: $3.00", empty) and written("1 x Pen\n2 x Ink\nTotal: $3.00", empty)
    assert not written("Total: $3.00\n1 x Pen\n2 x Ink", empty)  # the total not last
    assert not written("1 x Pen\nTotal: $3.00", empty) and not written("1 x Pen\n2 x Ink\n3 x Cap\nTotal: $3.00", empty)


def test_new_row_is_the_id_of_a_row_inserted_this_episode_into_that_table_matching_its_columns():
    world = outcome(insert("expenses", 7, note="rent"), update("expenses", 8, {"note": "x"}, {"note": "rent"}))
    assert NewRow("expenses")(7, world) and NewRow("expenses", {"note": "rent"})(7, world)
    assert not NewRow("expenses", {"note": "food"})(7, world)
    assert not NewRow("expenses")(8, world)  # updated, not inserted
    assert not NewRow("shares")(7, world)
    assert repr(NewRow("expenses")) == "the id of a new expenses row"
    assert repr(NewRow("expenses", {"note": "rent"})) == "the id of a new expenses row with {'note': 'rent'}"


def test_inserted_counts_only_matching_inserts_of_its_table_and_claims_them():
    world = outcome(
        insert("texts", 1, to="ann", body="hi"),
        insert("texts", 2, to="bob", body="hi"),
        insert("mails", 3, to="ann", body="hi"),
        update("texts", 4, {"to": "ann"}, {"to": "ann", "body": "hi"}),
    )
    expectation = Inserted("texts", {"body": "hi", "to": OneOf(["ann", "bob"])}, "two texts", count=2, what="texts")
    assert expectation.check(world) == (TestResult("two texts", True), {("texts", 1), ("texts", 2)})
    one = Inserted("texts", {"to": "ann"}, "one text")
    assert one.check(world) == (TestResult("one text", True), {("texts", 1)})
    result, keys = Inserted("texts", {"to": "cy"}, "a text", what="texts").check(world)
    assert (result, keys) == (TestResult("a text", False, "expected 1 new texts, found 0"), set())
    result, _ = Inserted("texts", {"body": "hi"}, "three", count=3).check(world)
    assert result.reason == "expected 3 new rows, found 2"


def test_updated_says_whether_the_row_changed_was_deleted_got_wrong_values_or_changed_more():
    world = outcome(
        update("bills", 1, {"paid": 0, "note": "a"}, {"paid": 1, "note": "a"}),
        update("bills", 2, {"paid": 0, "note": "a"}, {"paid": 1, "note": "b"}),
        delete("bills", 3),
    )
    assert Updated("bills", 1, {"paid": 1}, "paid").check(world) == (TestResult("paid", True), {("bills", 1)})
    assert Updated("bills", 1, {"paid": Above(0)}, "paid").check(world)[0].passed
    assert Updated("bills", 9, {"paid": 1}, "r").check(world) == (
        TestResult("r", False, "bills row 9 did not change"),
        set(),
    )
    assert Updated("bills", 3, {"paid": 1}, "r").check(world) == (
        TestResult("r", False, "bills row 3 was deleted"),
        set(),
    )
    assert Updated("bills", 1, {"paid": 2}, "r").check(world) == (
        TestResult("r", False, "bills row 1 has {'paid': 1}, expected {'paid': 2}"),
        {("bills", 1)},
    )
    assert Updated("bills", 2, {"paid": 1}, "r").check(world) == (
        TestResult("r", False, "bills row 2 also changed ['note']"),
        {("bills", 2)},
    )
    assert Updated("texts", 1, {"paid": 1}, "r").check(world)[0].reason == "texts row 1 did not change"


def test_deleted_wants_exactly_its_rows_gone_and_claims_those_only():
    world = outcome(delete("songs", 1), delete("songs", 2), delete("albums", 3), insert("songs", 4, name="x"))
    assert Deleted("songs", frozenset({1, 2}), "gone").check(world) == (
        TestResult("gone", True),
        {("songs", 1), ("songs", 2)},
    )
    assert Deleted("songs", frozenset({1, 3}), "gone", what="songs").check(world) == (
        TestResult("gone", False, "expected 2 songs deleted, found 1"),
        {("songs", 1)},
    )
    assert Deleted("songs", frozenset({4}), "gone").check(world)[0].reason == "expected 1 rows deleted, found 0"


def test_answers_are_compared_after_normalizing_and_a_trap_says_why_it_is_wrong():
    assert normalize_answer(" The Answer. ") == "the answer"
    assert normalize_answer("$1,234.567") == "1234.57" and normalize_answer(2.0) == "2"
    assert normalize_answer(True) == "true" and normalize_answer(None) == "none"
    assert normalize_answer("inf") == "inf" and normalize_answer("nan") == "nan"
    assert normalize_answer(["b", "A"]) == "[a|b]" and normalize_answer(["b", "A"], ordered=True) == "[b|a]"
    assert answers_equal("b, a,", ["a", "b"]) and not answers_equal("b, a", ["a", "b"], ordered=True)
    assert answers_equal("10.001", 10) and not answers_equal("10.01", 10)
    expectation = Answer(["a", "b"], "the answer", traps={"a": "only the first"})
    done = outcome(completed={"answer": "a", "status": "success"})
    assert expectation.check(done) == (
        TestResult("the answer", False, "expected answer ['a', 'b'], got 'a': only the first"),
        set(),
    )
    assert Answer(3, "n").check(outcome(completed={"answer": 4})) == (
        TestResult("n", False, "expected answer 3, got 4"),
        set(),
    )
    assert Answer(None, "n").check(outcome()) == (TestResult("n", True), set())
    assert Answer("x", "n").check(outcome())[0].reason == "expected answer 'x', got None"
    long = Answer("x", "n").check(outcome(completed={"answer": "y" * 400}))[0].reason
    assert long.startswith("expected answer 'x', got 'yyy") and long.endswith("... (402 characters)")


def test_evaluate_adds_the_completion_test_first_and_the_collateral_test_last():
    text = Inserted("texts", {"to": "ann"}, "a text")
    world = outcome(insert("texts", 1, to="ann"), completed={"answer": None, "status": "success"})
    assert evaluate([text], world) == [
        TestResult("the task is completed with status 'success'", True, ""),
        TestResult("a text", True),
        TestResult("nothing else in the world is changed", True, ""),
    ]
    failed = evaluate([], outcome(completed={"status": "fail"}), expected_status="success")
    assert failed[0] == TestResult("the task is completed with status 'success'", False, "status was 'fail'")
    assert evaluate([], outcome(completed={"status": "fail"}), expected_status="fail")[0].passed
    never = evaluate([], outcome())
    assert never[0].reason == "complete_task was never called" and never[-1] == TestResult(
        "nothing else in the world is changed", True, ""
    )


def test_unclaimed_changes_are_listed_five_at_most_with_how_many_more():
    changes = [insert("notes", i, text=f"n{i}") for i in range(7)]
    result = evaluate([], outcome(*changes, completed={"status": "success"}))[-1]
    assert not result.passed
    shown = "; ".join(f"inserted notes row {i}: {{'text': 'n{i}'}}" for i in range(5))
    assert result.reason == f"unexpected changes: {shown}; and 2 more"
    five = evaluate([], outcome(*changes[:5], completed={"status": "success"}))[-1]
    assert five.reason == f"unexpected changes: {shown}"


@pytest.mark.parametrize("passed", [True, False])
def test_a_test_result_as_a_dict(passed):
    assert TestResult("r", passed, "why").as_dict() == {"requirement": "r", "passed": passed, "reason": "why"}


def test_matchers_nested_in_expectations_see_the_whole_outcome():
    world = outcome(
        insert("expenses", 7, note="rent"),
        insert("shares", 8, expense_id=7, who="ann"),
        update("bills", 1, {"expense_id": None}, {"expense_id": 7}),
    )
    share = Inserted("shares", {"expense_id": NewRow("expenses", {"note": "rent"})}, "a share of the new expense")
    assert share.check(world) == (TestResult("a share of the new expense", True), {("shares", 8)})
    bill = Updated("bills", 1, {"expense_id": NewRow("expenses")}, "the bill points at it")
    assert bill.check(world) == (TestResult("the bill points at it", True), {("bills", 1)})
    chained = NewRow("shares", {"expense_id": NewRow("expenses")})
    assert chained(8, world) and not chained(7, world)


def test_line_keys_keep_words_and_letters():
    assert repr(HasLines(["-Xylophone  Duo"])) == "has exactly the lines ['xylophone duo']"


def test_an_ordered_answer_must_come_in_order_and_its_traps_are_read_in_order():
    ordered = Answer(["b", "a"], "in order", ordered=True, traps={"[c|a]": "the first and the third"})
    assert answers_equal("b, a", ["b", "a"], ordered=True)
    assert ordered.check(outcome(completed={"answer": ["b", "a"]})) == (TestResult("in order", True), set())
    assert (
        ordered.check(outcome(completed={"answer": ["a", "b"]}))[0].reason
        == "expected answer ['b', 'a'], got ['a', 'b']"
    )
    assert ordered.check(outcome(completed={"answer": ["c", "a"]}))[0].reason == (
        "expected answer ['b', 'a'], got ['c', 'a']: the first and the third"
    )
    assert Answer("x", "n").check(outcome(completed={"answer": " X. "})) == (TestResult("n", True), set())


def test_a_wrong_answer_is_quoted_up_to_300_characters():
    reason = Answer("x", "n").check(outcome(completed={"answer": "y" * 299}))[0].reason  # a repr of 301 characters
    assert reason == "expected answer 'x', got '" + "y" * 299 + "... (301 characters)"
    exact = Answer("x", "n").check(outcome(completed={"answer": "y" * 298}))[0].reason  # 300: whole
    assert exact == "expected answer 'x', got '" + "y" * 298 + "'"


def test_every_expectations_claims_count_toward_nothing_else_changed():
    world = outcome(insert("texts", 1, to="ann"), insert("texts", 2, to="bob"), completed={"status": "success"})
    results = evaluate([Inserted("texts", {"to": "ann"}, "ann"), Inserted("texts", {"to": "bob"}, "bob")], world)
    assert results[-1] == TestResult("nothing else in the world is changed", True, "")


def test_six_unclaimed_changes_show_five_and_one_more():
    changes = [insert("notes", i, text=f"n{i}") for i in range(6)]
    result = evaluate([], outcome(*changes, completed={"status": "success"}))[-1]
    assert result.reason.endswith("; and 1 more")
