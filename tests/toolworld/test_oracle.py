"""Every task of every scenario is solvable by its oracle, in every split; doing nothing is not enough."""

from __future__ import annotations

import pytest

from envs.toolworld.env import ToolWorldEnv
from envs.toolworld.figures import REMEASURE, OracleFigures, stored
from envs.toolworld.measure import play_oracle
from envs.toolworld.scenarios._common import pick
from envs.toolworld.tasks import HELD_OUT_APPS, SPLITS, VariantRandom, all_scenarios, list_tasks, task_metas

TASK_IDS = [(split, task.task_id) for split in SPLITS for task in list_tasks(split, variants=3)]


def assert_oracle_solves_and_doing_nothing_does_not(env: ToolWorldEnv, task_id: str) -> OracleFigures:
    """Play `task_id`'s oracle (every test passes), then complete it at once (it fails); return the figures."""
    figures, info = play_oracle(env, task_id)
    assert "evaluation" in info, env.steps[-1].output
    failed = [t for t in info["evaluation"]["tests"] if not t["passed"]]
    assert info["success"] is True and not failed, failed or env.steps[-1].output
    assert info["metrics"]["tests_passed"] == info["metrics"]["tests_total"]
    assert env.task is not None
    if env.task.spec.noop_pass:  # the label's claim: the right answer changes nothing in the world
        changes = env.get_state()["db_changes"]
        assert not changes["rows"] and not changes["log"], f"a no-op-pass oracle changed {changes['log'][:3]}"

    env.reset(options={"task_id": task_id})
    obs, reward, terminated, _, info = env.step("apis.supervisor.complete_task()")
    # no task is done by nothing: one whose right answer is to change nothing (no-op-pass) still asks for an answer
    assert terminated and not info["success"] and reward == 0.0
    assert info["evaluation"]["failure_category"] == "reasoning"
    return figures


@pytest.mark.parametrize(("split", "task_id"), TASK_IDS, ids=[t for _, t in TASK_IDS])
def test_oracle_solves_task_and_doing_nothing_does_not(env: ToolWorldEnv, split: str, task_id: str) -> None:
    figures = assert_oracle_solves_and_doing_nothing_does_not(env, task_id)
    assert env.task is not None and env.task.split == split
    assert stored().get(task_id) == figures, f"the stored figures of {task_id} are stale: run {REMEASURE}"
    assert set(figures.apps) == set(env.task.apps), "the scenario declares other apps than its oracle uses"


BEYOND_LISTED = range(3, 6)  # the listed splits hold variants 0-2; users may list (or reset to) any other


@pytest.mark.parametrize("scenario", list(all_scenarios()))
def test_variants_beyond_the_listed_ones_are_solved_by_their_oracle_and_not_by_nothing(
    env: ToolWorldEnv, scenario: str
) -> None:
    """Variants 3-5 of every template: a variant that cannot be posed raises when built, never lists a task its
    oracle fails or nothing passes (over variants 0-11, 12 of 3144 oracles failed before the templates passed
    over the rows they cannot use; 0 now)."""
    for variant in BEYOND_LISTED:
        assert_oracle_solves_and_doing_nothing_does_not(env, f"{scenario}_{variant}")


ONCE_FAILED = [  # variants past 5 whose oracle failed: a template assumption the world breaks only there
    "calendar_double_booked_tentative_6",  # two clashes of one title on one day: two emails of one subject
    "household_archive_old_trips_9",  # two trips of one name to archive: their exports share a file name
    "leisure_outing_tickets_10",  # an outing tomorrow: its to-do, due today, can't remind at 9:00 (past)
    "life_group_balances_email_33",  # two members of one first name: two emails of one subject (was variant 8)
    "work_gift_due_dates_6",  # a gift to-do labelled 'waiting' already: labelling it changes nothing
    "work_gift_due_dates_11",
    "work_payback_todos_7",  # two 'Pay Abel back' to-dos: the requests can be paid only once
    "work_payback_todos_8",
]


@pytest.mark.parametrize("task_id", ONCE_FAILED)
def test_variants_whose_oracle_failed_are_solved(env: ToolWorldEnv, task_id: str) -> None:
    assert_oracle_solves_and_doing_nothing_does_not(env, task_id)


def test_a_pool_whose_every_row_is_unusable_raises_naming_why() -> None:
    rng = VariantRandom(0, "some_scenario", 4)
    with pytest.raises(LookupError, match="passed over: two trips share a name"):
        pick(rng, [1, 2, 3], "trip", distinct=True, unusable=(lambda row: True, "two trips share a name"))


def test_an_unusable_row_moves_only_its_own_variant_on() -> None:
    rows = list(range(10))
    mine = [pick(VariantRandom(0, "s", v), rows, "row", distinct=True) for v in range(10)]
    bad = mine[4]
    passed = [
        pick(VariantRandom(0, "s", v), rows, "row", distinct=True, unusable=(lambda r: r == bad, "bad"))
        for v in range(10)
    ]
    assert passed[:4] == mine[:4] and passed[5:] == mine[5:]  # every other variant keeps its row
    assert passed[4] == mine[5]  # the next row of the order


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
