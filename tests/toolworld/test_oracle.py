"""Every task of every scenario is solvable by its oracle, in every split; doing nothing is not enough."""

from __future__ import annotations

import pytest

from envs.toolworld.env import ToolWorldEnv
from envs.toolworld.figures import REMEASURE, stored
from envs.toolworld.measure import play_oracle
from envs.toolworld.tasks import HELD_OUT_APPS, SPLITS, list_tasks, task_metas

TASK_IDS = [(split, task.task_id) for split in SPLITS for task in list_tasks(split, variants=3)]


@pytest.mark.parametrize(("split", "task_id"), TASK_IDS, ids=[t for _, t in TASK_IDS])
def test_oracle_solves_task_and_doing_nothing_does_not(env: ToolWorldEnv, split: str, task_id: str) -> None:
    figures, info = play_oracle(env, task_id)
    assert env.task is not None and env.task.split == split
    assert "evaluation" in info, env.steps[-1].output
    failed = [t for t in info["evaluation"]["tests"] if not t["passed"]]
    assert info["success"] is True and not failed, failed or env.steps[-1].output
    assert info["metrics"]["tests_passed"] == info["metrics"]["tests_total"]
    assert stored().get(task_id) == figures, f"the stored figures of {task_id} are stale: run {REMEASURE}"
    assert set(figures.apps) == set(env.task.apps), "the scenario declares other apps than its oracle uses"

    env.reset(options={"task_id": task_id})
    obs, reward, terminated, _, info = env.step("apis.supervisor.complete_task()")
    # no task is done by nothing: one whose right answer is to change nothing (no-op-pass) still asks for an answer
    assert terminated and not info["success"] and reward == 0.0
    assert info["evaluation"]["failure_category"] == "reasoning"


APPWORLD_SPLIT_SIZES = {"train": 105, "dev": 60, "test_normal": 168, "test_challenge": 417}


def test_every_split_is_as_large_as_appworlds_and_challenge_holds_out_train_apps() -> None:
    by_split = {split: list_tasks(split) for split in SPLITS}
    for split, tasks in by_split.items():
        assert [t.meta() for t in tasks] == task_metas(split)  # listing needs no task building, and agrees with it
    sizes = {split: len(tasks) for split, tasks in by_split.items()}
    assert all(sizes[s] >= n for s, n in APPWORLD_SPLIT_SIZES.items()), sizes  # at least AppWorld's splits
    train_scenarios = {t.scenario for t in by_split["train"]}
    for task in by_split["test_challenge"]:
        assert task.scenario not in train_scenarios and set(task.apps) & set(HELD_OUT_APPS), task.task_id
    train_apps = {a for t in by_split["train"] for a in t.apps}
    for held in HELD_OUT_APPS:
        assert held not in train_apps


UNWANTED = (
    "pw = {a['account_name']: a['password'] for a in apis.supervisor.show_account_passwords()}\n"
    "tok = apis.phone.login(username=apis.supervisor.show_profile()['email'], password=pw['phone'])['access_token']\n"
    "apis.phone.create_alarm(access_token=tok, time='04:44', label='unwanted side effect')"
)
FIRST_VARIANTS = [task_id for _, task_id in TASK_IDS if task_id.endswith("_0")]


@pytest.mark.parametrize("task_id", FIRST_VARIANTS)
def test_oracle_plus_an_unwanted_change_fails_on_collateral_damage(env: ToolWorldEnv, task_id: str) -> None:
    env.reset(options={"task_id": task_id})
    env.step(UNWANTED)
    for action in env.oracle_actions():
        obs, reward, terminated, truncated, info = env.step(action)
    tests = {t["requirement"]: t for t in info["evaluation"]["tests"]}
    collateral = tests.pop("nothing else in the world is changed")
    assert reward == 0.0 and not collateral["passed"] and "unwanted side effect" in collateral["reason"]
    assert all(t["passed"] for t in tests.values()), [t for t in tests.values() if not t["passed"]]


def test_variants_of_a_scenario_differ() -> None:
    from envs.toolworld.tasks import all_scenarios, load_task

    for name in all_scenarios():
        specs = [load_task(f"{name}_{v}").spec for v in range(3)]
        assert len({(s.supervisor_id, s.instruction) for s in specs}) == 3, (
            f"{name}: its first 3 variants are not all different"
        )
