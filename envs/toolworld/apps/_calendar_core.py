"""calendar's app object, tables, and the rules every part of it shares: who may see or change what, and times.

A person sees the calendars they own or that are shared with them, and every
event on those plus every event they are invited to. Changing an event needs
being its organizer or having edit rights on its calendar; an invitee may only
answer, keep notes and set their own reminders. A repeating event is one row
with a rule (daily/weekly/monthly/yearly, optionally until a day); its
occurrences are computed, and single ones can be cancelled.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from envs.toolworld.api import ApiError, App, CallContext, P
from envs.toolworld.apps._accounts import add_account_apis
from envs.toolworld.apps._dates import add_months
from envs.toolworld.apps._day_args import DAY_DOC, DAY_RANGE, parse_day, parse_time
from envs.toolworld.apps._people import people_of as people_of
from envs.toolworld.apps._people import person_id as person_id

app = App(
    "calendar",
    "Your calendars: events with attendees and invitations, repeating events, reminders, free time, birthdays.",
    schema="""
    CREATE TABLE calendar_calendars (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
        color TEXT NOT NULL, description TEXT NOT NULL, is_visible INTEGER NOT NULL, is_primary INTEGER NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX calendar_calendars_owner ON calendar_calendars(owner_id);
    CREATE TABLE calendar_shares (
        id INTEGER PRIMARY KEY AUTOINCREMENT, calendar_id INTEGER NOT NULL, person_id INTEGER NOT NULL,
        permission TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE(calendar_id, person_id)
    );
    CREATE INDEX calendar_shares_person ON calendar_shares(person_id);
    CREATE TABLE calendar_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT, calendar_id INTEGER NOT NULL, organizer_id INTEGER NOT NULL,
        title TEXT NOT NULL, description TEXT NOT NULL, location TEXT NOT NULL, start TEXT NOT NULL, end TEXT NOT NULL,
        all_day INTEGER NOT NULL, recurrence TEXT NOT NULL, recurrence_until TEXT, status TEXT NOT NULL,
        busy INTEGER NOT NULL, created_at TEXT NOT NULL
    );
    CREATE INDEX calendar_events_calendar ON calendar_events(calendar_id, start);
    CREATE INDEX calendar_events_organizer ON calendar_events(organizer_id);
    CREATE TABLE calendar_exceptions (
        id INTEGER PRIMARY KEY AUTOINCREMENT, event_id INTEGER NOT NULL, occurrence_date TEXT NOT NULL,
        UNIQUE(event_id, occurrence_date)
    );
    CREATE TABLE calendar_attendees (
        id INTEGER PRIMARY KEY AUTOINCREMENT, event_id INTEGER NOT NULL, person_id INTEGER NOT NULL,
        response TEXT NOT NULL, comment TEXT NOT NULL, responded_at TEXT, UNIQUE(event_id, person_id)
    );
    CREATE INDEX calendar_attendees_person ON calendar_attendees(person_id);
    CREATE TABLE calendar_reminders (
        id INTEGER PRIMARY KEY AUTOINCREMENT, event_id INTEGER NOT NULL, person_id INTEGER NOT NULL,
        minutes_before INTEGER NOT NULL, method TEXT NOT NULL
    );
    CREATE INDEX calendar_reminders_event ON calendar_reminders(event_id, person_id);
    CREATE INDEX calendar_reminders_person ON calendar_reminders(person_id);
    CREATE TABLE calendar_notes (
        id INTEGER PRIMARY KEY AUTOINCREMENT, event_id INTEGER NOT NULL, author_id INTEGER NOT NULL,
        text TEXT NOT NULL, created_at TEXT NOT NULL
    );
    CREATE INDEX calendar_notes_event ON calendar_notes(event_id);
    CREATE TABLE calendar_settings (
        id INTEGER PRIMARY KEY AUTOINCREMENT, person_id INTEGER NOT NULL UNIQUE, week_start TEXT NOT NULL,
        default_duration_minutes INTEGER NOT NULL, default_reminder_minutes INTEGER NOT NULL,
        work_day_start TEXT NOT NULL, work_day_end TEXT NOT NULL, show_declined INTEGER NOT NULL
    );
    """,
)
add_account_apis(app)

Recurrence = Literal["none", "daily", "weekly", "monthly", "yearly"]
Response = Literal["pending", "accepted", "declined", "tentative"]
PERSON = {"name": "string", "email": "string"}
MESSAGE = {"message": "string"}
CALENDAR_ID = Annotated[int, P("The calendar's id.", ge=1)]
EVENT_ID = Annotated[int, P("The event's id.", ge=1)]
EMAIL = Annotated[str, P("The person's email address.", min_length=3, max_length=200)]
TIME_DOC = f"YYYY-MM-DDTHH:MM (or YYYY-MM-DD for a whole day), {DAY_RANGE}"
DAY_FROM = Annotated[str, P(f"The first day ({DAY_DOC}).", max_length=10)]
DAY_TO = Annotated[str, P(f"The last day, inclusive ({DAY_DOC}).", max_length=10)]
MAX_RANGE_DAYS = 31  # expanded views (agenda, busy times, conflicts) cover at most a month per call
# Occurrences one call may expand: a person's busiest month holds ~50, but 18k daily events (what the episode's
# storage bound admits) made one agenda call expand 558k of them (2.7 s and 317 MB in the env)
MAX_OCCURRENCES = 2_000
# How long one event may last: the world's last at most 2 days, but every occurrence of a series that overlaps a
# period is expanded, and one daily event lasting 2,025 years made one call of a day expand 740k (7.5 s, 113 MB)
MAX_EVENT_DAYS = 366

# The ids of the events the caller may see: on their own or shared calendars, or invited to.
VISIBLE_EVENTS = """
SELECT e.id FROM calendar_events e WHERE e.calendar_id IN (
    SELECT id FROM calendar_calendars WHERE owner_id = :me UNION SELECT calendar_id FROM calendar_shares
    WHERE person_id = :me)
UNION SELECT event_id FROM calendar_attendees WHERE person_id = :me
"""


def when(value: str, argument: str) -> datetime:
    """A time argument as a datetime on a day in the allowed range, or 422 naming it."""
    return parse_time(argument, value, TIME_DOC)


def on_day(value: str, argument: str) -> date:
    """A day argument in the allowed range, or 422 naming it."""
    return parse_day(argument, value)


def clock(value: str, argument: str) -> str:
    """A time of day as HH:MM, or 422 naming the argument."""
    try:
        return datetime.strptime(value.strip(), "%H:%M").strftime("%H:%M")
    except ValueError:
        raise ApiError(422, f"Invalid argument {argument!r}: {value!r} is not a time of day like 09:00.") from None


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def day_span(date_from: str, date_to: str, most_days: int = MAX_RANGE_DAYS) -> tuple[datetime, datetime]:
    """[start of date_from, start of the day after date_to), at most `most_days` long, or 422."""
    first, last = on_day(date_from, "date_from"), on_day(date_to, "date_to")
    if last < first:
        raise ApiError(422, f"Invalid argument 'date_to': {last} is before date_from {first}.")
    if (last - first).days >= most_days:
        raise ApiError(422, f"Invalid argument 'date_to': the range may cover at most {most_days} days.")
    return datetime.combine(first, datetime.min.time()), datetime.combine(last + timedelta(days=1), datetime.min.time())


def check_span(begin: datetime, finish: datetime) -> None:
    """422 unless an event's end comes after its start, at most MAX_EVENT_DAYS later."""
    if finish <= begin:
        raise ApiError(422, f"Invalid argument 'end': {stamp(finish)} is not after the start {stamp(begin)}.")
    if finish - begin > timedelta(days=MAX_EVENT_DAYS):
        raise ApiError(
            422, f"Invalid argument 'end': an event lasts at most {MAX_EVENT_DAYS} days; {stamp(finish)} is later."
        )


def shift(start: datetime, recurrence: str, n: int) -> datetime:
    """The start of occurrence `n` of a series starting at `start`."""
    if recurrence == "daily":
        return start + timedelta(days=n)
    if recurrence == "weekly":
        return start + timedelta(weeks=n)
    months = n if recurrence == "monthly" else 12 * n
    return datetime.combine(add_months(start.date(), months), start.time())


def occurrences(event: dict[str, Any], low: datetime, high: datetime, skipped: set[str]) -> Iterator[datetime]:
    """Starts of the event's occurrences that overlap [low, high), without the cancelled days in `skipped`."""
    start, end = datetime.fromisoformat(event["start"]), datetime.fromisoformat(event["end"])
    length = end - start
    if event["recurrence"] == "none":
        if start < high and end > low:
            yield start
        return
    until = None if event["recurrence_until"] is None else date.fromisoformat(event["recurrence_until"])
    n = _first_reaching(start, event["recurrence"], low - length)
    while True:
        begin = shift(start, event["recurrence"], n)
        if begin >= high or (until is not None and begin.date() > until):
            return
        if begin + length > low and begin.date().isoformat() not in skipped:
            yield begin
        n += 1


def _first_reaching(start: datetime, recurrence: str, earliest: datetime) -> int:
    """An occurrence index of the series before which every occurrence starts before `earliest` (so ends before
    the period): counted in the series' own unit, as months / years, since a monthly series skipped by days / 31
    walked 460 occurrences one by one from year 1 to now, for every event of every call."""
    if recurrence in ("daily", "weekly"):
        return max(0, (earliest - start).days // (1 if recurrence == "daily" else 7) - 1)
    months = (earliest.year - start.year) * 12 + earliest.month - start.month
    return max(0, (months if recurrence == "monthly" else months // 12) - 1)


def cancelled_days(
    ctx: CallContext, events: list[dict[str, Any]], low: datetime, high: datetime
) -> dict[int, set[str]]:
    """The days of the cancelled occurrences of `events` (rows) that may overlap [low, high), those starting from
    the event's length before `low`: not the others, since one daily event may hold tens of thousands."""
    length = {e["id"]: datetime.fromisoformat(e["end"]) - datetime.fromisoformat(e["start"]) for e in events}
    reach = [[event_id, (low - span).date().isoformat()] for event_id, span in length.items()]
    out: dict[int, set[str]] = {}
    for r in ctx.rows(
        "SELECT x.event_id, x.occurrence_date FROM json_each(?) j JOIN calendar_exceptions x "
        "ON x.event_id = j.value ->> 0 AND x.occurrence_date BETWEEN j.value ->> 1 AND ?",
        json.dumps(reach),
        high.date().isoformat(),
    ):
        out.setdefault(r["event_id"], set()).add(r["occurrence_date"])
    return out


def rows_of(ctx: CallContext, sql: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of `sql` with named parameters (:name), as dicts."""
    cursor = ctx.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def row_of(ctx: CallContext, sql: str, **params: Any) -> dict[str, Any] | None:
    found = rows_of(ctx, sql, **params)
    return found[0] if found else None


def visible_calendar(ctx: CallContext, calendar_id: int) -> dict[str, Any]:
    """A calendar the caller owns or that is shared with them, with `permission` ('owner', 'edit' or 'view')."""
    row = row_of(
        ctx,
        "SELECT c.*, CASE WHEN c.owner_id = :me THEN 'owner' ELSE s.permission END AS permission "
        "FROM calendar_calendars c LEFT JOIN calendar_shares s ON s.calendar_id = c.id AND s.person_id = :me "
        "WHERE c.id = :id AND (c.owner_id = :me OR s.id IS NOT NULL)",
        me=ctx.user_id,
        id=calendar_id,
    )
    if row is None:
        raise ApiError(404, f"No calendar with id {calendar_id} among your calendars.")
    return row


def writable_calendar(ctx: CallContext, calendar_id: int) -> dict[str, Any]:
    row = visible_calendar(ctx, calendar_id)
    if row["permission"] == "view":
        raise ApiError(409, f"Calendar {calendar_id} is shared with you read-only; you cannot change its events.")
    return row


def owned_calendar(ctx: CallContext, calendar_id: int) -> dict[str, Any]:
    row = visible_calendar(ctx, calendar_id)
    if row["permission"] != "owner":
        raise ApiError(409, f"Calendar {calendar_id} belongs to someone else; only its owner can do that.")
    return row


def visible_event(ctx: CallContext, event_id: int) -> dict[str, Any]:
    """An event the caller may see, or 404."""
    row = row_of(
        ctx, f"SELECT * FROM calendar_events WHERE id = :id AND id IN ({VISIBLE_EVENTS})", id=event_id, me=ctx.user_id
    )
    if row is None:
        raise ApiError(404, f"No event with id {event_id} in your calendars or invitations.")
    return row


def editable_event(ctx: CallContext, event_id: int) -> dict[str, Any]:
    """An event the caller organizes or whose calendar they may edit; 404 if unseen, 409 if only invited/viewing."""
    row = visible_event(ctx, event_id)
    if row["organizer_id"] == ctx.user_id:
        return row
    rights = row_of(
        ctx,
        "SELECT CASE WHEN c.owner_id = :me THEN 'owner' ELSE s.permission END AS rights FROM calendar_calendars c "
        "LEFT JOIN calendar_shares s ON s.calendar_id = c.id AND s.person_id = :me WHERE c.id = :cal",
        me=ctx.user_id,
        cal=row["calendar_id"],
    )
    if rights is None or rights["rights"] not in ("owner", "edit"):
        raise ApiError(409, f"You cannot change event {event_id}: only its organizer and its calendar's editors can.")
    return row


def primary_calendar(ctx: CallContext) -> int:
    return ctx.value(
        "SELECT id FROM calendar_calendars WHERE owner_id = ? ORDER BY is_primary DESC, id LIMIT 1", ctx.user_id
    )


# An event (or, if it repeats, its series) that does not end before :low (a day or a time).
REACHES = (
    "(CASE WHEN e.recurrence = 'none' THEN e.end > :low "
    "ELSE COALESCE(e.recurrence_until, '9') >= substr(:low, 1, 10) END)"
)


def timeline(
    ctx: CallContext, where: str, low: datetime, high: datetime, **params: Any
) -> list[tuple[dict[str, Any], datetime, datetime]]:
    """(event row, occurrence start, occurrence end) for every occurrence in [low, high) of the confirmed events
    matching `where` (on alias e), by start. Only events that can reach the range are loaded."""
    rows = rows_of(
        ctx,
        f"SELECT e.* FROM calendar_events e WHERE ({where}) AND e.status = 'confirmed' AND e.start < :high "
        f"AND {REACHES}",
        high=stamp(high),
        low=stamp(low),
        **params,
    )
    skipped = cancelled_days(ctx, [r for r in rows if r["recurrence"] != "none"], low, high)
    out: list[tuple[dict[str, Any], datetime, datetime]] = []
    for row in rows:
        length = datetime.fromisoformat(row["end"]) - datetime.fromisoformat(row["start"])
        out += [(row, s, s + length) for s in occurrences(row, low, high, skipped.get(row["id"], set()))]
        if len(out) > MAX_OCCURRENCES:  # one row adds at most a range's days (daily), so the check is soon enough
            raise ApiError(
                422,
                f"The period holds more than {MAX_OCCURRENCES:,} event occurrences, the most one call expands; "
                "ask for fewer days.",
            )
    return sorted(out, key=lambda t: (t[1], t[0]["id"]))


# Events that take up a person's time: organized by them, or accepted or tentatively accepted, and marked busy.
BUSY_EVENTS = (
    "e.busy = 1 AND (e.organizer_id = :person OR e.id IN (SELECT event_id FROM calendar_attendees "
    "WHERE person_id = :person AND response IN ('accepted', 'tentative')))"
)


def busy_blocks(ctx: CallContext, person: int, low: datetime, high: datetime) -> list[tuple[datetime, datetime]]:
    """The person's busy time in [low, high) as sorted, merged, non-overlapping (start, end) blocks."""
    merged: list[tuple[datetime, datetime]] = []
    for _, start, end in timeline(ctx, BUSY_EVENTS, low, high, person=person):
        start, end = max(start, low), min(end, high)
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
