"""Pieces of oracle code and choices that many scenarios share."""

from __future__ import annotations

import random
import re
import textwrap
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from envs.toolworld.tasks import VariantRandom, WorldView, note_fallback

K = TypeVar("K")
R = TypeVar("R")


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


def pick(
    rng: random.Random,
    rows: list[Any],
    what: str,
    distinct: bool = False,
    unusable: tuple[Callable[[Any], bool], str] | None = None,
) -> Any:
    """A random row; with `distinct`, variants of a scenario get different rows while there are enough.

    `unusable` is (a test, why): rows it holds for would make a task no one can solve or grade (two groups of one
    name, a reminder that would be in the past), and are passed over; a variant whose row is one moves on to the
    next row of its order, so every other variant keeps its row. None left: an error saying why."""
    bad, why = unusable or ((lambda row: False), "")
    if not any(not bad(row) for row in rows):
        raise LookupError(f"the world has no {what} for this scenario" + (f" (passed over: {why})" if rows else ""))
    if distinct and isinstance(rng, VariantRandom):
        return rng.distinct(rows, lambda row: not bad(row))
    return rng.choice([row for row in rows if not bad(row)])


def full_name(view: WorldView, person_id: int) -> str:
    p = view.person(person_id)
    return f"{p['first_name']} {p['last_name']}"


SERVICE_APPS = ("api_docs", "supervisor")
API_CALL = re.compile(r"apis\.([a-z_]+)\.([a-z_]+)\(")


class Solution:
    """An oracle written the way a good agent works, one step per turn: read the docs, then log in,
    look at the data, act, check, finish.

    `step()` adds the task's own steps in order; `steps()` puts two discovery steps before them:
    the descriptions of every app the later steps use, then the doc of every API they call (in
    order of first use), as an agent reads a doc before its first call; `login` is the same
    everywhere, so its doc is read once."""

    def __init__(self) -> None:
        self._steps: list[str] = []

    def step(self, code: str) -> Solution:
        self._steps.append(textwrap.dedent(code).strip("\n") + "\n")
        return self

    def steps(self) -> list[str]:
        called = dict.fromkeys(API_CALL.findall("".join(self._steps)))
        apps = dict.fromkeys(app for app, _ in called if app not in SERVICE_APPS)
        first_login = next((call for call in called if call[1] == "login"), None)
        used = [call for call in called if call[1] != "login" or call == first_login]
        overview = "print(apis.api_docs.show_app_descriptions())\n" + "".join(
            f"print(apis.api_docs.show_api_descriptions(app_name={app!r}))\n" for app in apps
        )
        docs = "".join(
            f"print(apis.api_docs.show_api_doc(app_name={app!r}, api_name={api!r}))\n"
            for app, api in used
            if app != "api_docs"
        )
        return [overview, docs, *self._steps]


def as_deep_as_found(settings: Iterable[K], rows_for: Callable[[K], list[R]]) -> tuple[K, list[R]]:
    """The first of `settings` (the deepest first) for which the world has rows, with those rows; the last setting
    and its (empty) rows when none has any. World 0 meets each template's first setting; another seed's world may
    be sparser where a template needs something rare, and there the task is shallower rather than refused (and
    says so: note_fallback)."""
    tried = list(settings)
    assert tried, "no settings to try"
    for setting in tried:
        rows = rows_for(setting)
        if rows:
            break
    if setting != tried[0]:
        note_fallback(tried[0], setting)
    return setting, rows


def other_branch(rng: random.Random) -> bool:
    """Variant 1 (of each 3) takes a template's other branch, so variants 0..2 cover both: for a conditional
    template the one whose condition the world does not meet (nothing to change), elsewhere the rarer case."""
    return isinstance(rng, VariantRandom) and rng.variant % 3 == 1
