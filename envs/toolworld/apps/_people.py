"""Lookups of people that several apps share: the world's `people` table is common to every app."""

from __future__ import annotations

import json
from typing import Any

from envs.toolworld.api import ApiError, CallContext


def people_of(ctx: CallContext, ids: Any) -> dict[int, dict[str, str]]:
    """id -> {name, email} for the given person ids, in one query."""
    return {
        r["id"]: {"name": r["name"], "email": r["email"]}
        for r in ctx.rows(
            "SELECT id, first_name || ' ' || last_name AS name, email FROM people "
            "WHERE id IN (SELECT value FROM json_each(?))",
            json.dumps(sorted(set(ids))),
        )
    }


def person_id(ctx: CallContext, email: str, argument: str) -> int:
    """The id of the person with `email` (any letter case), for an argument that must name a user: 422 if none."""
    found = ctx.value("SELECT id FROM people WHERE lower(email) = lower(?)", email.strip())
    if found is None:
        raise ApiError(422, f"Invalid argument {argument!r}: no user has the email {email!r}.")
    return int(found)


def person_by_email(ctx: CallContext, email: str) -> int:
    """The id of the person with `email` (any letter case), for a lookup of a user: 404 if none."""
    found = ctx.value("SELECT id FROM people WHERE email = ? COLLATE NOCASE", email.strip())
    if found is None:
        raise ApiError(404, f"No user with email {email!r}.")
    return int(found)
