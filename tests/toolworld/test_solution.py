"""Oracles written step by step read the docs of what they use first, and those steps run in the env."""

from __future__ import annotations

from envs.toolworld.env import ToolWorldEnv
from envs.toolworld.scenarios._common import Solution, login


def solution() -> Solution:
    return (
        Solution()
        .step(login("phone", "email"))
        .step(
            """
            contacts = apis.phone.search_contacts(access_token=phone_token, page_limit=2)
            for c in contacts:
                print(apis.phone.show_contact(access_token=phone_token, contact_id=c['contact_id'])['first_name'])
            """
        )
        .step("apis.supervisor.complete_task()")
    )


def test_discovery_steps_come_first_and_name_each_app_and_api_once() -> None:
    overview, docs, *own = solution().steps()
    assert own[0].startswith("passwords = ") and own[1].startswith("contacts = ") and own[-1].endswith("()\n")
    assert overview.count("show_api_descriptions") == 2 and "app_name='phone'" in overview
    read = [line.split("api_name='")[1].split("'")[0] for line in docs.splitlines()]
    assert read == [
        "show_account_passwords",
        "show_profile",
        "login",
        "search_contacts",
        "show_contact",
        "complete_task",
    ]
    assert "app_name='phone', api_name='login'" in docs  # login's doc once, from the first app that logs in


def test_the_steps_run_in_the_env(env: ToolWorldEnv) -> None:
    env.reset(options={"task_id": "phone_count_relationship_0"})
    outputs = [env.step(code)[0]["history"][-1]["output"] for code in solution().steps()]
    assert not any("Execution failed" in out for out in outputs), outputs
    assert "'api_name': 'show_contact'" in outputs[1] and outputs[3].count("\n") == 2
