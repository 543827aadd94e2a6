"""Worlds other than 0 (`ToolWorldEnv(world_seed=N)`): every listed variant of every template builds there, its
oracle solves it and doing nothing does not. Tasks are written against world 0; another seed's world holds other
people and other data, and a template that needs something rare takes the deepest setting that world has
(`scenarios._common.as_deep_as_found`) rather than refusing."""

from __future__ import annotations

import dataclasses
import random
import subprocess
import sys
from collections.abc import Iterator

import pytest

from envs.toolworld.env import ToolWorldEnv
from envs.toolworld.scenarios._common import as_deep_as_found
from envs.toolworld.tasks import TaskSpec, WorldView, all_scenarios, load_task
from envs.toolworld.variant_sweep import sweep

OTHER_WORLDS = (1, 2)
LISTED_VARIANTS = range(3)  # what the splits list
CHUNKS = 6  # per world, so the sweep spreads over test workers
SCENARIOS = sorted(all_scenarios())


@pytest.fixture(scope="module")
def worlds() -> Iterator[dict[int, ToolWorldEnv]]:
    envs: dict[int, ToolWorldEnv] = {}
    yield envs
    for env in envs.values():
        env.close()


def env_of(worlds: dict[int, ToolWorldEnv], seed: int) -> ToolWorldEnv:
    if seed not in worlds:
        worlds[seed] = ToolWorldEnv(split="train", step_timeout_s=5.0, max_steps=100, world_seed=seed)
    return worlds[seed]


@pytest.mark.parametrize("chunk", range(CHUNKS))
@pytest.mark.parametrize("seed", OTHER_WORLDS)
def test_every_listed_task_builds_and_its_oracle_solves_it_in_another_world(
    worlds: dict[int, ToolWorldEnv], seed: int, chunk: int
) -> None:
    task_ids = [f"{name}_{v}" for name in SCENARIOS[chunk::CHUNKS] for v in LISTED_VARIANTS]
    found = sweep(env_of(worlds, seed), task_ids, graders=False)
    assert set(found) == set(task_ids)
    problems = {task_id: p for task_id, p in found.items() if p}  # refusals included: a listed task must build
    assert not problems, problems


def test_variants_beyond_the_listed_ones_that_world_2_broke(worlds: dict[int, ToolWorldEnv]) -> None:
    """A sweep of world 2's variants 3-11 found a stranger who blocked me on payments (no befriending), a payback
    over my balance, a receipt whose name was already taken in the folder it moves to, and to-dos all already
    labelled 'waiting' (nothing to do, so doing nothing passed): each pick now passes over such rows."""
    broken = ["phone_add_contact_7", "mail_pay_back_if_over_6", "mail_pay_back_if_over_8"]
    broken += ["file_system_file_downloaded_receipts_6", "work_email_todos_3", "work_email_todos_11"]
    assert sweep(env_of(worlds, 2), broken, graders=False) == {task_id: [] for task_id in broken}


def test_alike_replies_in_one_thread_are_graded_as_that_many_copies() -> None:
    """World 1 holds a mailbox (email_unread_count_0) with two unread emails of one favourite in one thread: each
    is answered, so the thread gets two alike replies, and the graders count two copies, not one."""
    task = load_task("email_unread_count_0", world_seed=1)
    alike = [e for e in task.spec.expectations if e.requirement.startswith("each unread email of")]
    assert alike and all(getattr(e, "count", None) == 2 for e in alike)


def test_a_sparser_world_gets_the_deepest_setting_it_has() -> None:
    rows = {5: [], 4: ["a"], 3: ["a", "b"]}
    assert as_deep_as_found((5, 4, 3), rows.__getitem__) == (4, ["a"])
    assert as_deep_as_found((5,), rows.__getitem__) == (5, [])  # none: the last setting, no rows (pick refuses)


def test_a_task_that_fell_back_says_so_and_world_0s_never_does(worlds: dict[int, ToolWorldEnv]) -> None:
    """World 1 has no mailbox with 3+ unanswered invoices, so email_invoice_total_0 takes 2 there: the task and its
    reset info name the setting it wanted and the one it took; world 0 meets the first setting of every template."""
    assert load_task("email_invoice_total_0", world_seed=1).fallbacks == ("3 -> 2",)
    _, info = env_of(worlds, 1).reset(options={"task_id": "email_invoice_total_0"})
    assert info["fallbacks"] == ["3 -> 2"]
    assert load_task("email_invoice_total_0", world_seed=0).fallbacks == ()
    assert not [t for t in SCENARIOS if load_task(f"{t}_0").fallbacks]


def test_show_names_the_settings_another_world_fell_back_to() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "envs.toolworld", "show", "email_invoice_total_0", "--world", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    assert "world 1 fell back to shallower settings than world 0's: 3 -> 2" in shown.splitlines()[1]


def test_a_template_that_crashes_while_building_is_reported_and_the_sweep_goes_on(
    worlds: dict[int, ToolWorldEnv], monkeypatch: pytest.MonkeyPatch
) -> None:
    scenarios = all_scenarios()  # the registry's one (cached) mapping
    broken = scenarios["shop_buy_cheapest_rated"]

    def crash(view: WorldView, rng: random.Random) -> TaskSpec:
        raise StopIteration  # what a bare next() over an empty query raised in world 3

    monkeypatch.setitem(scenarios, broken.name, dataclasses.replace(broken, build=crash))
    # variants no other test builds, so no cached task hides the crash
    found = sweep(env_of(worlds, 1), ["shop_buy_cheapest_rated_97", "shop_buy_cheapest_rated_98"], graders=False)
    assert [kind for problems in found.values() for kind, _ in problems] == ["build crashed", "build crashed"]
