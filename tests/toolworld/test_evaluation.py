"""The evaluator fails collateral damage and pagination mistakes, and says why."""

from __future__ import annotations

import sqlite3

from envs.toolworld.env import ToolWorldEnv
from envs.toolworld.evaluate import Inserted, NewRow, Outcome, answers_equal
from envs.toolworld.world.changes import RowChange

from .conftest import LOGIN_PHONE, play_oracle_without_completing, run


def test_oracle_plus_one_unwanted_change_fails_on_collateral_damage(env: ToolWorldEnv) -> None:
    env.reset(options={"task_id": "phone_text_all_of_kind_0"})
    play_oracle_without_completing(env)
    run(
        env,
        "alarm = apis.phone.show_alarms(access_token=phone_token)[0]\n"
        "apis.phone.delete_alarm(access_token=phone_token, alarm_id=alarm['alarm_id'])",
    )
    _, reward, terminated, _, info = env.step("apis.supervisor.complete_task()")
    tests = {t["requirement"]: t for t in info["evaluation"]["tests"]}
    assert terminated and reward == 0.0
    collateral = tests["nothing else in the world is changed"]
    assert not collateral["passed"] and "deleted phone_alarms row" in collateral["reason"]
    assert all(t["passed"] for name, t in tests.items() if name != "nothing else in the world is changed")


def test_ignoring_pagination_fails_with_a_reason_that_says_so(env: ToolWorldEnv) -> None:
    env.reset(options={"task_id": "phone_text_all_of_kind_1"})
    kind = env.task.spec.instruction.split("any ")[1].split(" ")[0]  # "... text any friend in my phone contacts ..."
    message = env.task.spec.instruction.split('"')[1]
    since = env.task.spec.instruction.split("on the phone since ")[1].split(" ")[0]
    # the first page of contacts only, each texted unless talked to since the day, as the instruction says
    code = LOGIN_PHONE + (
        "told = 0\n"
        f"for c in apis.phone.search_contacts(access_token=token, relationship={kind!r}):\n"
        "    if not apis.phone.show_call_history(access_token=token, phone_number=c['phone_number'], "
        f"started_after={since!r}, min_duration_seconds=1, page_limit=1):\n"
        "        told += 1\n"
        "        apis.phone.send_text_message(access_token=token, phone_number=c['phone_number'], "
        f"message={message!r})\n"
        "print(told)\n"
        "apis.supervisor.complete_task()"
    )
    obs, reward, _, _, info = env.step(code)
    told = obs["history"][-1]["output"].strip()
    failed = [t for t in info["evaluation"]["tests"] if not t["passed"]]
    assert reward == 0.0 and failed and any(f"found {told}" in t["reason"] for t in failed)
    assert all("lists are paginated (page_limit default 5" in t["reason"] for t in failed)
    assert info["evaluation"]["failure_category"] == "pagination"


def test_question_answer_from_the_first_page_only_is_explained(env: ToolWorldEnv) -> None:
    env.reset(options={"task_id": "phone_count_relationship_0"})
    kind = env.task.spec.instruction.split("are my ", 1)[1].split("?")[0][:-1]  # "... are my friends?" -> friend
    _, reward, _, _, info = env.step(
        LOGIN_PHONE + f"apis.supervisor.complete_task(answer=len(apis.phone.search_contacts("
        f"access_token=token, relationship={kind!r})))"
    )
    failed = [t for t in info["evaluation"]["tests"] if not t["passed"]]
    assert reward == 0.0 and "only the first page" in failed[0]["reason"]
    assert "apis.phone.search_contacts returned a page with more results" in failed[0]["reason"]
    assert info["evaluation"]["failure_category"] == "pagination"


def test_answers_compare_numbers_text_and_lists_leniently() -> None:
    assert answers_equal("12", 12) and answers_equal(" $1,200.00 ", 1200)
    assert answers_equal("Ada Abara, Bo Brennan", ["bo brennan", "Ada Abara"])
    assert not answers_equal(["a", "b"], ["b", "a"], ordered=True)
    assert not answers_equal(None, 0) and not answers_equal("13", 12)
    # to the cent at any size: 6 significant digits let these pass
    assert not answers_equal("1234571", 1234567) and not answers_equal("123456.71", 123457)
    assert answers_equal("1,234,567.001", 1234567) and answers_equal("-0.001", 0)


def test_fail_status_and_wrong_answer_are_failures(env: ToolWorldEnv) -> None:
    env.reset(options={"task_id": "phone_count_relationship_1"})
    _, reward, _, _, info = env.step("apis.supervisor.complete_task(status='fail')")
    status = info["evaluation"]["tests"][0]
    assert reward == 0.0 and not status["passed"] and "'fail'" in status["reason"]


def test_new_row_ties_a_row_to_the_row_inserted_with_it() -> None:
    old_expense = 12  # in the world before the episode
    share = {"id": 5000, "expense_id": 900, "person_id": 3}
    expect = Inserted(
        "bill_splitting_shares",
        {"expense_id": NewRow("bill_splitting_expenses", {"title": "Dinner"}), "person_id": 3},
        "the share belongs to the new expense",
    )

    def grade(expense_id: int, title: str = "Dinner") -> bool:
        new = RowChange("bill_splitting_expenses", 900, None, {"id": 900, "title": title})
        changes = [new, RowChange("bill_splitting_shares", 5000, None, {**share, "expense_id": expense_id})]
        return expect.check(Outcome(changes, sqlite3.connect(":memory:"), None))[0].passed

    assert grade(900)
    assert not grade(old_expense)  # an existing expense is not the new one
    assert not grade(900, title="Lunch")  # the new row must also match


def test_as_many_new_rows_as_choices_means_one_row_for_each_choice() -> None:
    """An Inserted of `count` rows whose column is one of exactly `count` choices (a text to each roommate, a
    like for each song) took any rows in the set: two to one choice stood in for one to another. Only
    phone_text_all_of_kind said 'each once'; ~20 templates pair a OneOf with count=len(...) the same way."""
    from envs.toolworld.evaluate import OneOf

    def passed(expect: Inserted, values: list[int]) -> bool:
        changes = [
            RowChange("phone_messages", 900 + i, None, {"id": 900 + i, "receiver_id": v}) for i, v in enumerate(values)
        ]
        return expect.check(Outcome(changes, sqlite3.connect(":memory:"), None))[0].passed

    each = Inserted("phone_messages", {"receiver_id": OneOf([1, 2, 3])}, "one text to each", count=3)
    assert passed(each, [3, 1, 2])
    assert not passed(each, [1, 1, 2]), "two texts to 1 and none to 3 passed"
    any_two = Inserted("phone_messages", {"receiver_id": OneOf([1, 2, 3])}, "two texts to any of them", count=2)
    assert passed(any_two, [1, 3]) and passed(any_two, [2, 2])
