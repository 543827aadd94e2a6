"""calendar: calendars per person (personal, work, a shared family one), events with attendees and
invitations, repeating events, reminders, notes, free-busy, free slots and birthdays.

The app is declared in `_calendar_core` (tables and who may see or change what);
its APIs live in one helper module per kind of thing, and importing them here
registers them on the one `app`.
"""

from __future__ import annotations

from envs.toolworld.apps import (  # noqa: F401  (importing registers their APIs and the populator)
    _calendar_calendars,
    _calendar_data,
    _calendar_events,
    _calendar_notes,
    _calendar_people,
    _calendar_views,
)
from envs.toolworld.apps._calendar_core import app

__all__ = ["app"]
