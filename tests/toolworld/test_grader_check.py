"""The grader check finds the clause a grader does not check, and passes graders that check them all."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from envs.toolworld import tasks
from envs.toolworld.env import ToolWorldEnv
from envs.toolworld.evaluate import Answer, Contains, Expectation, HasLines, InOrder, Inserted, Matcher
from envs.toolworld.grader_check import check_task

TASK = "phone_text_all_of_kind_0"  # texts every contact of a kind: one inserted row per contact


def test_a_strict_grader_catches_every_mutant(env: ToolWorldEnv) -> None:
    verdicts = check_task(env, TASK)
    kinds = {v.mutant.split(":")[0].split(" not ")[-1] for v in verdicts}
    assert len(verdicts) > 10 and "inserted" in kinds and "nothing done" in kinds
    assert all(v.holds for v in verdicts), [v.mutant for v in verdicts if not v.holds]


def test_a_grader_that_skips_a_column_lets_its_mutant_through(
    env: ToolWorldEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = tasks.load_task(TASK)
    loose = [
        dataclasses.replace(e, match={k: v for k, v in e.match.items() if k != "message"})
        if isinstance(e, Inserted)
        else e
        for e in task.spec.expectations
    ]
    monkeypatch.setitem(
        tasks._tasks, (0, TASK), dataclasses.replace(task, spec=dataclasses.replace(task.spec, expectations=loose))
    )
    missed = [v.mutant for v in check_task(env, TASK) if not v.caught]
    assert missed and all(": message " in m for m in missed), missed


@pytest.mark.parametrize("task_id", [f"{name}_0" for name in tasks.all_scenarios()])
def test_every_template_catches_every_mutant_of_its_end_state(env: ToolWorldEnv, task_id: str) -> None:
    """Issue 16: graders check every clause of the instruction, on every template, and no order it does not ask."""
    wrong = [v.mutant for v in check_task(env, task_id) if not v.holds]
    assert not wrong, f"{task_id}'s graders let through (or fail, where it says 'must pass'): {wrong[:5]}"


def test_a_grader_that_looks_for_a_number_inside_a_text_lets_a_wrong_number_through(
    env: ToolWorldEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The number a text must state, checked as a substring ('7' in the text), passes '17': the mutant that gives
    the text's first number a leading 1 finds it (no other mutant did: 'changed' holds no 7)."""
    task_id = "notes_share_with_roommates_0"
    task = tasks.load_task(task_id)
    texts = [e for e in task.spec.expectations if isinstance(e, Inserted) and e.table == "phone_messages"]
    count = texts[0].requirement.split("saying ")[1].split()[0]
    loose = [
        dataclasses.replace(e, match={**e.match, "message": Contains(count)}) if e in texts else e
        for e in task.spec.expectations
    ]
    monkeypatch.setitem(
        tasks._tasks, (0, task_id), dataclasses.replace(task, spec=dataclasses.replace(task.spec, expectations=loose))
    )
    missed = [v.mutant for v in check_task(env, task_id) if not v.caught]
    assert len(missed) == len(texts) and all(f"shared my 1{count} home notes" in m for m in missed), missed


def test_texts_to_each_contact_of_a_kind_are_one_each_not_two_to_one(env: ToolWorldEnv) -> None:
    """phone_text_all_of_kind counted the texts to any contact of the kind: a text moved from one contact to another
    of the kind (one gets two, one none) passed on variants 5, 6 and 9, where the mutant's receiver is of the kind."""
    for task_id in ("phone_text_all_of_kind_5", "phone_text_all_of_kind_9"):
        missed = [v.mutant for v in check_task(env, task_id) if not v.caught]
        assert not missed, f"{task_id}'s graders let through: {missed}"


def _with_expectations(
    monkeypatch: pytest.MonkeyPatch, task_id: str, edit: Callable[[Expectation], Expectation]
) -> None:
    """Task `task_id` (world 0) graded by its expectations, each passed through `edit`."""
    task = tasks.load_task(task_id)
    spec = dataclasses.replace(task.spec, expectations=[edit(e) for e in task.spec.expectations])
    monkeypatch.setitem(tasks._tasks, (0, task_id), dataclasses.replace(task, spec=spec))


def _content_as(matcher: Callable[[list[str]], Matcher]) -> Callable[[Expectation], Expectation]:
    """An expectation whose new row's content HasLines / InOrder becomes `matcher` of the same lines."""

    def edit(e: Expectation) -> Expectation:
        content = e.match.get("content") if isinstance(e, Inserted) else None
        if not isinstance(content, (HasLines, InOrder)):
            return e
        return dataclasses.replace(e, match={**e.match, "content": matcher(content.lines)})

    return edit


def test_an_order_asked_but_graded_in_any_order_is_let_through(
    env: ToolWorldEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """files_missed_calls_report asks for the calls 'oldest first' and graded the report with HasLines (any order),
    as 2 templates of 262 did before InOrder: the mutant with the report's lines reversed passed, and no mutant
    showed it."""
    task_id = "files_missed_calls_report_0"
    _with_expectations(monkeypatch, task_id, _content_as(HasLines))
    missed = [v.mutant for v in check_task(env, task_id) if not v.caught]
    assert missed and all(" reversed -> " in m for m in missed), missed
    assert any("content with its lines reversed" in m for m in missed), missed


def test_an_order_graded_but_not_asked_fails_right_work(env: ToolWorldEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    """notes_family_numbers asks for one line per family member, in no order: a grader that wants them in order
    (InOrder) fails an agent that lists them otherwise. The reversed lines must pass, so the check reports it.
    (HasLines keeps its lines sorted, the order this variant's oracle writes them in, so the oracle still passes.)"""
    task_id = "notes_family_numbers_1"
    _with_expectations(monkeypatch, task_id, _content_as(InOrder))
    verdicts = check_task(env, task_id)
    wrong = [v.mutant for v in verdicts if "lines reversed" in v.mutant and v.failed and not v.must_fail]
    assert len(wrong) == 1 and "must pass" in wrong[0], [v.mutant for v in verdicts]
    assert [v.mutant for v in verdicts if not v.holds] == wrong


def test_an_answer_graded_in_order_but_not_asked_in_order_is_reported(
    env: ToolWorldEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """contacts_schedule_callbacks orders the call-backs alphabetically on the calendar, but 'Tell me the names.'
    asks for no order: an Answer graded ordered would fail the names given in another order."""
    task_id = "contacts_schedule_callbacks_0"
    _with_expectations(
        monkeypatch, task_id, lambda e: dataclasses.replace(e, ordered=True) if isinstance(e, Answer) else e
    )
    reordered = [v for v in check_task(env, task_id) if "answer's items reordered" in v.mutant]
    assert len(reordered) == 1 and reordered[0].failed and "must pass" in reordered[0].mutant
    assert not reordered[0].holds
