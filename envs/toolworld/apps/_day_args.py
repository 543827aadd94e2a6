"""Day arguments (YYYY-MM-DD) of the shop and payments APIs: one check, one error wording."""

from __future__ import annotations

from datetime import date, timedelta

from envs.toolworld.api import ApiError


def day_arg(name: str, value: str | None) -> str | None:
    """`value` as a YYYY-MM-DD day (None stays None), or a 422 naming the argument.

    Stored timestamps are ISO text, so a checked day compares correctly with them in SQL."""
    if value is None:
        return None
    try:
        parsed: date | None = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise ApiError(422, f"Invalid argument {name!r}: {value!r} is not a date in YYYY-MM-DD form.")
    return parsed.isoformat()


def day_after(value: str) -> str:
    """The ISO day after `value` (a checked day): an inclusive 'until' bound becomes an exclusive one."""
    return (date.fromisoformat(value) + timedelta(days=1)).isoformat()
