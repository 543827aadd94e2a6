"""Days and times an agent gives (YYYY-MM-DD, YYYY-MM-DDTHH:MM): one range, one check, one error wording.

Every app's date arithmetic (a day after an inclusive bound, an event's end, a repeating thing's next date) runs
on days inside FIRST_DAY..LAST_DAY, far from the ends of Python's date range (year 1 and 9999), where it
overflowed into a 500. The world's own days lie well inside (birthdays from the 1940s, history up to 2026)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import TypeVar

from envs.toolworld.api import ApiError

FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)
# How the parameter docs and error messages name the range and a day argument.
DAY_RANGE = f"{FIRST_DAY} to {LAST_DAY}"
DAY_DOC = f"YYYY-MM-DD, {DAY_RANGE}"

Moment = TypeVar("Moment", date, datetime)


def in_range(name: str, value: str, moment: Moment) -> Moment:
    """`moment` (parsed from the argument `name`, given as `value`) if its day is in the range, else a 422."""
    day = moment.date() if isinstance(moment, datetime) else moment
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ApiError(422, f"Invalid argument {name!r}: {value!r} is outside the days allowed, {DAY_RANGE}.")
    return moment


def parse_day(name: str, value: str) -> date:
    """An ISO day argument (surrounding blanks ignored) in the range, or a 422 naming the argument."""
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError:
        raise ApiError(422, f"Invalid argument {name!r}: {value!r} is not a date in YYYY-MM-DD form.") from None
    return in_range(name, value, parsed)


def parse_time(name: str, value: str, form: str) -> datetime:
    """An ISO date-time argument (a bare day is its midnight) on a day in the range, or a 422 naming the argument
    and the `form` it should take."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ApiError(422, f"Invalid argument {name!r}: {value!r} is not a time like {form}.") from None
    if moment.tzinfo is not None:  # stored times are the world's local times; one with an offset broke every view
        raise ApiError(422, f"Invalid argument {name!r}: {value!r} has a UTC offset; give a local time like {form}.")
    return in_range(name, value, moment)


def iso_day(name: str, value: str) -> str:
    """parse_day's day as ISO text (YYYY-MM-DD), as stored and compared in SQL."""
    return parse_day(name, value).isoformat()


def day_text(name: str, value: str) -> str:
    """`value`, a YYYY-MM-DD day in the range, or a 422 naming the argument.

    Stored timestamps are ISO text, so a checked day compares correctly with them in SQL."""
    if len(value) != 10:
        raise ApiError(422, f"Invalid argument {name!r}: {value!r} is not a date in YYYY-MM-DD form.")
    return iso_day(name, value)


def day_arg(name: str, value: str | None) -> str | None:
    """day_text of an optional argument: None stays None."""
    return None if value is None else day_text(name, value)


def day_after(value: str) -> str:
    """The ISO day after `value` (a checked day): an inclusive 'until' bound becomes an exclusive one."""
    return (date.fromisoformat(value) + timedelta(days=1)).isoformat()


def pushed_day(day: str, what: str) -> str:
    """`day` (ISO), a stored date pushed forward (a repeating task's next due date, a subscription's next delivery,
    a recurring expense's next date), if it stays in the range; else a 409 saying what would pass the last day.
    Called before anything is written, so a refused call changes nothing."""
    if day[:10] > LAST_DAY.isoformat():
        raise ApiError(409, f"{what} would move to {day}, past the last day allowed ({LAST_DAY}).")
    return day


_BOUND_FORMS = "YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]"
#: How a filter's bound is described in its parameter doc.
BOUND_DOC = f"{_BOUND_FORMS}, {DAY_RANGE}; a year, month or day means its start"
_BOUND_PATTERN = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2}([T ][0-9]{2}(:[0-9]{2}(:[0-9]{2})?)?)?)?)?")
_BOUND_FILL = "0000-01-01T00:00:00"  # what a partial bound's missing end means: the start of its period


def moment_bound(name: str, value: str | None) -> str | None:
    """A filter's bound given as the start of an ISO time (a year, a month, a day or a time: its period's start),
    as the text SQL compares with stored ISO timestamps; None stays None; anything else a 422 naming the argument.

    Compared unchecked, any text was a bound: `clear_listening_history(before='soon')` cleared every play and
    `empty_trash(trashed_before='x')` deleted every trashed note, and '2026-05-20 09:00' (a blank for the T)
    sorted before every time of that day."""
    if value is None:
        return None
    text = value.strip()
    if not _BOUND_PATTERN.fullmatch(text):
        raise ApiError(422, f"Invalid argument {name!r}: {value!r} is not a date or time like {_BOUND_FORMS}.")
    text = text.replace(" ", "T")
    try:
        moment = datetime.fromisoformat(text + _BOUND_FILL[len(text) :])
    except ValueError:
        raise ApiError(422, f"Invalid argument {name!r}: {value!r} is not a real date or time.") from None
    in_range(name, value, moment)
    return text
