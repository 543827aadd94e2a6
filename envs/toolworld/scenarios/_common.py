"""Pieces of oracle code and choices that many scenarios share."""

from __future__ import annotations

import random
from typing import Any

from envs.toolworld.tasks import VariantRandom, WorldView


def login(*apps: str) -> str:
    """Oracle code that logs the supervisor in to `apps`, leaving `<app>_token` variables."""
    lines = [
        "passwords = {a['account_name']: a['password'] for a in apis.supervisor.show_account_passwords()}",
        "me = apis.supervisor.show_profile()",
    ]
    lines += [
        f"{app}_token = apis.{app}.login(username=me['email'], password=passwords['{app}'])['access_token']"
        for app in apps
    ]
    return "\n".join(lines) + "\n"


def fetch_all(target: str, call: str, indent: str = "") -> str:
    """Oracle code that reads every page of `call` (an API call without its closing parenthesis) into `target`."""
    return (
        f"{indent}{target} = []\n"
        f"{indent}page = 0\n"
        f"{indent}while True:\n"
        f"{indent}    batch = {call}, page_index=page, page_limit=20)\n"
        f"{indent}    {target} += batch\n"
        f"{indent}    if len(batch) < 20:\n"
        f"{indent}        break\n"
        f"{indent}    page += 1\n"
    )


def pick(rng: random.Random, rows: list[Any], what: str, distinct: bool = False) -> Any:
    """A random row; with `distinct`, variants of a scenario get different rows while there are enough."""
    if not rows:
        raise LookupError(f"the world has no {what} for this scenario")
    return rng.distinct(rows) if distinct and isinstance(rng, VariantRandom) else rng.choice(rows)


def full_name(view: WorldView, person_id: int) -> str:
    p = view.person(person_id)
    return f"{p['first_name']} {p['last_name']}"
