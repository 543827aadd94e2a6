"""The evaluator fails collateral damage and pagination mistakes, and says why."""

from __future__ import annotations

from envs.toolworld.env import ToolWorldEnv
from envs.toolworld.evaluate import answers_equal

from .conftest import LOGIN_PHONE, run


def test_oracle_plus_one_unwanted_change_fails_on_collateral_damage(env: ToolWorldEnv) -> None:
    env.reset(options={"task_id": "phone_text_all_of_kind_0"})
    solution = env.oracle_actions()[0].replace("apis.supervisor.complete_task()\n", "")
    run(env, solution)
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
    kind = env.task.spec.instruction.split("every ")[1].split(" ")[0]
    message = env.task.spec.instruction.split('"')[1]
    code = LOGIN_PHONE + (
        f"for c in apis.phone.search_contacts(access_token=token, relationship={kind!r}):\n"
        f"    apis.phone.send_text_message(access_token=token, phone_number=c['phone_number'], message={message!r})\n"
        "apis.supervisor.complete_task()"
    )
    _, reward, _, _, info = env.step(code)
    failed = [t for t in info["evaluation"]["tests"] if not t["passed"]]
    assert reward == 0.0 and len(failed) == 1
    assert "found 5" in failed[0]["reason"] and "paginated (page_limit default 5" in failed[0]["reason"]
    assert info["evaluation"]["failure_category"] == "pagination"


def test_question_answer_from_the_first_page_only_is_explained(env: ToolWorldEnv) -> None:
    env.reset(options={"task_id": "phone_count_relationship_0"})
    kind = env.task.spec.instruction.rsplit("my ", 1)[1].rstrip("?")[:-1]  # "... are my friends?" -> friend
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


def test_fail_status_and_wrong_answer_are_failures(env: ToolWorldEnv) -> None:
    env.reset(options={"task_id": "phone_count_relationship_1"})
    _, reward, _, _, info = env.step("apis.supervisor.complete_task(status='fail')")
    status = info["evaluation"]["tests"][0]
    assert reward == 0.0 and not status["passed"] and "'fail'" in status["reason"]


def test_row_updates_that_stop_at_a_page_say_it_is_pagination() -> None:
    import sqlite3

    from envs.toolworld.evaluate import Outcome, Updated, evaluate
    from envs.toolworld.world.changes import RowChange

    changes = [RowChange("todo_tasks", i, {"due_date": "2026-05-01"}, {"due_date": "2026-06-01"}) for i in range(1, 6)]
    expectations = [Updated("todo_tasks", i, {"due_date": "2026-06-01"}, f"task {i} is postponed") for i in range(1, 8)]
    tests = evaluate(expectations, Outcome(changes, sqlite3.connect(":memory:"), {"answer": None, "status": "success"}))
    failed = [t for t in tests if not t.passed]
    assert [t.requirement for t in failed] == ["task 6 is postponed", "task 7 is postponed"]
    assert all("only 5 of 7 such rows changed: results are paginated" in t.reason for t in failed)
    partial = evaluate(
        expectations[:3], Outcome(changes[:1], sqlite3.connect(":memory:"), {"answer": None, "status": "success"})
    )
    assert all("paginated" not in t.reason for t in partial)
