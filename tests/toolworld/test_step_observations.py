"""Every observation a step returns is the one built from scratch: the whole history converted again and the
context read and written out in full, as before history conversion became incremental. Oracle episodes,
odd actions (non-text, over-long, lone surrogates, errors, truncated output) and a restored snapshot. The
reply budget is charged what encoding each reply again would measure."""

from __future__ import annotations

from typing import Any

import pytest

from envs.contract import Observation
from envs.observation import make_observation
from envs.toolworld.apps import all_apps
from envs.toolworld.env import ToolWorldEnv, _reply_size
from envs.toolworld.world.build import WORLD_NOW

TASKS = ["phone_reply_latest_0", "phone_reply_latest_1"]
ODD_ACTIONS: list[Any] = [
    "print('caf\\u00e9 \\udcff end')",  # a lone surrogate: '?' in the observation
    b"not text",
    "x" * 60_000,  # over max_action_chars
    "raise ValueError('boom')",
    "print('y' * 30000)",  # over output_limit
    "apis.nope.nothing()",
]


def reference_context(env: ToolWorldEnv) -> str:
    assert env.conn is not None
    me = env.conn.execute(
        "SELECT first_name, last_name, email, phone_number FROM people WHERE id = ?", (env.session["supervisor_id"],)
    ).fetchone()
    return (
        f"You work for {me[0]} {me[1]} (email {me[2]}, phone {me[3]}). It is {WORLD_NOW:%A %Y-%m-%d %H:%M}.\n"
        f"Write Python code; `apis.<app>.<api>(...)` calls an app, `print` shows results. "
        f"Apps: {', '.join(all_apps())}.\n"
        "Find APIs with apis.api_docs.show_api_descriptions(app_name=...) and "
        "apis.api_docs.show_api_doc(app_name=..., api_name=...). "
        "Passwords: apis.supervisor.show_account_passwords(). Lists are paginated (page_index, page_limit <= 20). "
        "When done, call apis.supervisor.complete_task(answer=...) (answer only for questions)."
    )


def reference_observation(env: ToolWorldEnv) -> Observation:
    assert env.task is not None
    return make_observation(
        task_id=env.task.task_id,
        instruction=env.task.spec.instruction,
        context=reference_context(env),
        history=[{"action": s.action, "output": s.output} for s in env.steps],
        steps_left=env.max_steps - len(env.steps),
    )


@pytest.fixture(scope="module")
def small_env():
    environment = ToolWorldEnv(split="train", step_timeout_s=5.0, max_steps=16, output_limit=1_000)
    yield environment
    environment.close()


@pytest.mark.parametrize("task_id", TASKS)
def test_every_observation_equals_the_one_built_from_scratch(small_env: ToolWorldEnv, task_id: str) -> None:
    obs, _ = small_env.reset(options={"task_id": task_id})
    assert obs == reference_observation(small_env)
    seen = []
    for action in ODD_ACTIONS + small_env.oracle_actions():
        obs, _, terminated, truncated, _ = small_env.step(action)
        assert obs == reference_observation(small_env) and small_env.observation_space.contains(obs)
        seen.append(obs)
        if terminated or truncated:
            break
    assert terminated and "?" in seen[0]["history"][0]["output"] and len(seen[-1]["history"]) == len(small_env.steps)
    assert all(len(a["history"]) + 1 == len(b["history"]) for a, b in zip(seen, seen[1:], strict=False))
    # the reply budget is charged the JSON length of every reply served: the length of each recorded reply's text
    served = [c["reply"] for s in small_env.steps for c in s.calls if len(c["path"]) == 2]
    assert small_env._reply_bytes == sum(_reply_size(reply) for reply in served) and len(served) > 5


def test_observations_after_a_restore_and_a_new_episode_start_from_their_own_history(small_env: ToolWorldEnv) -> None:
    small_env.reset(options={"task_id": TASKS[0]})
    small_env.step("a = 1")
    state = small_env.get_state()
    small_env.step("b = 2")
    small_env.set_state(state)
    obs, *_ = small_env.step("print(a)")
    assert obs == reference_observation(small_env) and [t["action"] for t in obs["history"]] == ["a = 1", "print(a)"]
    obs, _ = small_env.reset(options={"task_id": TASKS[1]})
    assert obs["history"] == () and obs == reference_observation(small_env)
    first, *_ = small_env.step("print('one')")
    first["history"][0]["output"] = "changed by a wrapper"  # each observation owns its turns
    second, *_ = small_env.step("print('two')")
    assert second["history"][0]["output"] == "one\n" and second == reference_observation(small_env)
