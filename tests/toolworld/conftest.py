"""Shared ToolWorld fixtures: one env per test module, a logged-in phone session helper."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from envs.toolworld.env import ToolWorldEnv


@pytest.fixture(scope="module")
def env() -> Iterator[ToolWorldEnv]:
    environment = ToolWorldEnv(split="train", step_timeout_s=5.0, max_steps=100)
    yield environment
    environment.close()


def run(env: ToolWorldEnv, code: str) -> str:
    """Step `code` and return its output."""
    obs, *_ = env.step(code)
    return obs["history"][-1]["output"]


LOGIN_PHONE = (
    "passwords = {a['account_name']: a['password'] for a in apis.supervisor.show_account_passwords()}\n"
    "me = apis.supervisor.show_profile()\n"
    "token = apis.phone.login(username=me['email'], password=passwords['phone'])['access_token']\n"
)


def play_oracle_without_completing(env: ToolWorldEnv, edit=lambda code: code) -> list[str]:
    """Step every oracle action of the current task, `edit`ed, with its complete_task calls left out
    (so a test can add a change of its own, then complete); returns the outputs."""
    outputs = []
    for action in env.oracle_actions():
        kept = "\n".join(
            line for line in action.splitlines() if not line.strip().startswith("apis.supervisor.complete_task(")
        )
        if kept.strip():
            outputs.append(run(env, edit(kept + "\n")))
    return outputs
