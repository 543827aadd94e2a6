"""calendar: calendars per person (personal, work, a shared family one), events with attendees and
invitations, repeating events, reminders, notes, free-busy, free slots and birthdays.

The app is declared in `_calendar_core` (tables and who may see or change what);
its APIs live in one helper module per kind of thing, and importing them here
registers them on the one `app`.
"""

from __future__ import annotations

# isort: off
from envs.toolworld.apps import (  # noqa: F401  (importing registers the APIs, in this order in the docs)
    _calendar_calendars,
    _calendar_events,
    _calendar_people,
    _calendar_notes,
    _calendar_views,
    _calendar_data,
)

# isort: on
from envs.toolworld.apps._calendar_core import app

__all__ = ["app"]
