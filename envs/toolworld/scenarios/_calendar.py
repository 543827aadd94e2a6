"""What calendar scenarios share: the world's clock, occurrences of events as the app computes them, and
the oracle code that reads a person's calendars."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from envs.toolworld.api import CallContext
from envs.toolworld.apps._calendar_core import occurrences
from envs.toolworld.tasks import WorldView
from envs.toolworld.world.build import WORLD_NOW

DONE = "apis.supervisor.complete_task()\n"
NOW = WORLD_NOW.isoformat(timespec="seconds")
TODAY = WORLD_NOW.date()
MIDNIGHT = datetime.combine(TODAY, datetime.min.time())


def day(offset: int) -> str:
    """The day `offset` days from today, as YYYY-MM-DD."""
    return (TODAY + timedelta(days=offset)).isoformat()


def spans(view: WorldView, event: dict[str, Any], low: datetime, high: datetime) -> list[tuple[datetime, datetime]]:
    """(start, end) of each occurrence of `event` (a calendar_events row) overlapping [low, high), without the
    occurrences cancelled on their own: what the agenda shows."""
    skipped = {
        r["occurrence_date"]
        for r in view.rows("SELECT occurrence_date FROM calendar_exceptions WHERE event_id = ?", event["id"])
    }
    length = datetime.fromisoformat(event["end"]) - datetime.fromisoformat(event["start"])
    return [(s, s + length) for s in occurrences(event, low, high, skipped)]


def overlaps(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def calendar_events(view: WorldView, owner: int, name: str, high: datetime) -> list[dict[str, Any]]:
    """The confirmed events starting before `high` on `owner`'s calendar called `name`."""
    return view.rows(
        "SELECT e.* FROM calendar_events e JOIN calendar_calendars c ON c.id = e.calendar_id "
        "WHERE c.owner_id = ? AND c.name = ? AND e.status = 'confirmed' AND e.start < ? ORDER BY e.id",
        owner,
        name,
        high.isoformat(),
    )


def find_calendar(name: str) -> str:
    """Oracle code: every calendar of mine, and the id of the one named `name` in `calendar_id`."""
    return (
        "calendars = apis.calendar.show_calendars(access_token=calendar_token, ownership='mine', page_limit=20)\n"
        f"calendar_id = next(c['calendar_id'] for c in calendars if c['name'] == {name!r})\n"
        "print([(c['calendar_id'], c['name']) for c in calendars])\n"
    )


def reader(view: WorldView, person: int) -> CallContext:
    """A read-only call context as `person`, to ask the calendar's own views (free slots, birthdays, time
    summaries) what the agent will be shown, rather than computing it a second way."""
    return CallContext(conn=view.conn, now=WORLD_NOW, secret="", user_id=person)
