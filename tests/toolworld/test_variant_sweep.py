"""The variant sweep tells a refused variant from a broken one: an oracle that fails, a task nothing passes."""

from __future__ import annotations

import dataclasses
import random

import pytest

from envs.toolworld import tasks
from envs.toolworld.env import ToolWorldEnv
from envs.toolworld.scenarios._common import pick
from envs.toolworld.variant_sweep import sweep

TASK = "phone_text_all_of_kind_5"


def test_a_sound_variant_has_no_problem(env: ToolWorldEnv) -> None:
    assert sweep(env, [TASK]) == {TASK: []}


def test_a_variant_whose_oracle_fails_and_one_nothing_passes_are_found(
    env: ToolWorldEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = tasks.load_task(TASK)
    idle = dataclasses.replace(task.spec, oracle=["apis.supervisor.complete_task()\n"], expectations=[])
    monkeypatch.setitem(tasks._tasks, (0, TASK), dataclasses.replace(task, spec=idle))
    kinds = [kind for kind, _ in sweep(env, [TASK])[TASK]]
    assert kinds == ["nothing done passes"]  # no expectation: the oracle passes, and so does doing nothing
    broken = dataclasses.replace(task.spec, oracle=["apis.supervisor.complete_task()\n"])
    monkeypatch.setitem(tasks._tasks, (0, TASK), dataclasses.replace(task, spec=broken))
    assert [kind for kind, _ in sweep(env, [TASK])[TASK]] == ["oracle"]


def test_a_variant_that_refuses_to_build_is_reported_with_why(
    env: ToolWorldEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    def build(view: tasks.WorldView, rng: random.Random) -> tasks.TaskSpec:
        return pick(rng, [1, 2], "trip", distinct=True, unusable=(lambda row: True, "two trips share a name"))

    monkeypatch.setitem(
        tasks.all_scenarios(), "refusing_scenario", tasks.Scenario("refusing_scenario", (), build, "dev")
    )
    ((kind, why),) = sweep(env, ["refusing_scenario_4"])["refusing_scenario_4"]
    assert kind == "refused" and "two trips share a name" in why
