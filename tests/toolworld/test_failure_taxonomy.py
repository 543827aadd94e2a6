"""One failure taxonomy on every template: an oracle made to read only the first page of each list
fails, when it fails, as "pagination", with the hint naming the list it left."""

from __future__ import annotations

import pytest

from envs.toolworld.env import ToolWorldEnv
from envs.toolworld.figures import stored
from envs.toolworld.tasks import all_scenarios, load_task

FETCH_ALL = ", page_index=page, page_limit=20)"  # how scenarios/_common.fetch_all reads every page


def oracle(task_id: str) -> list[str]:
    actions = load_task(task_id).spec.oracle
    return [actions] if isinstance(actions, str) else list(actions)


PAGED = [  # templates whose oracle must page through a list, with scenarios/_common.fetch_all
    f"{name}_0"
    for name in all_scenarios()
    if stored().get(f"{name}_0")
    and stored()[f"{name}_0"].paged
    and any(FETCH_ALL in action for action in oracle(f"{name}_0"))
]


def play_cut(env: ToolWorldEnv, task_id: str) -> dict:
    """Play the oracle cut to first pages; if it stopped before completing (it crashed), complete it."""
    env.reset(options={"task_id": task_id})
    actions = [first_page_only(a) for a in env.oracle_actions()]
    assert actions != env.oracle_actions(), "the oracle pages without fetch_all: this test cannot cut it"
    info: dict = {}
    for action in actions:
        *_, info = env.step(action)
        if "evaluation" in info:
            return info
    return env.step("apis.supervisor.complete_task()")[-1]


def first_page_only(code: str) -> str:
    """The oracle's read-every-page loops (scenarios/_common.fetch_all) cut to one default-size page."""
    return code.replace(FETCH_ALL, ")").replace("if len(batch) < 20:", "if True:")


@pytest.mark.parametrize("task_id", PAGED)
def test_a_missed_page_is_always_pagination(env: ToolWorldEnv, task_id: str) -> None:
    info = play_cut(env, task_id)
    if info["success"]:
        return  # what it needed was on the first pages: nothing to diagnose
    evaluation = info["evaluation"]
    assert evaluation["failure_category"] == "pagination", evaluation
    failed = [t for t in evaluation["tests"] if not t["passed"]]
    assert all("returned a page with more results after it that were never read" in t["reason"] for t in failed)


def test_cutting_pages_fails_most_templates_that_page() -> None:
    """The check above has teeth: most paging templates need more than their first pages."""
    env = ToolWorldEnv(split="train", max_steps=50)
    try:
        failures = 0
        for task_id in PAGED:
            failures += not play_cut(env, task_id)["success"]
    finally:
        env.close()
    assert PAGED and failures >= len(PAGED) / 2, (failures, len(PAGED))
