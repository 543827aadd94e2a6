"""calendar: events (search, create, change, move, cancel, delete) and repeating events with their occurrences."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, CallContext, P, Page
from envs.toolworld.apps._calendar_core import (
    EVENT_ID,
    MESSAGE,
    PERSON,
    REACHES,
    TIME_DOC,
    VISIBLE_EVENTS,
    Recurrence,
    app,
    cancelled_days,
    check_span,
    day_span,
    editable_event,
    occurrences,
    on_day,
    person_id,
    primary_calendar,
    rows_of,
    stamp,
    visible_event,
    when,
    writable_calendar,
)
from envs.toolworld.apps._day_args import DAY_DOC, DAY_RANGE
from envs.toolworld.apps._sql_page import sql_page
from envs.toolworld.apps._text_search import named_words_clause

EVENT = {
    "event_id": 1,
    "calendar_id": 1,
    "calendar_name": "string",
    "title": "string",
    "description": "string",
    "location": "string",
    "start": "string",
    "end": "string",
    "all_day": True,
    "recurrence": "string",
    "recurrence_until": "string",
    "status": "string",
    "busy": True,
    "organizer": PERSON,
    "attendee_count": 1,
    "my_response": "string",
}
EVENTS_SQL = """
SELECT e.*, c.name AS calendar_name, p.first_name || ' ' || p.last_name AS organizer_name, p.email AS organizer_email,
    CASE WHEN e.organizer_id = :me THEN 'organizer' ELSE a.response END AS my_response,
    (SELECT COUNT(*) FROM calendar_attendees x WHERE x.event_id = e.id) AS attendee_count
FROM calendar_events e JOIN calendar_calendars c ON c.id = e.calendar_id JOIN people p ON p.id = e.organizer_id
LEFT JOIN calendar_attendees a ON a.event_id = e.id AND a.person_id = :me
"""
SORTS = {"start": "e.start, e.id", "-start": "e.start DESC, e.id DESC", "title": "e.title, e.start, e.id"}
CALENDAR_CHOICE = Annotated[int | None, P("The calendar to put it on; null means your primary calendar.", ge=1)]
UNTIL = Annotated[str | None, P(f"The last day it repeats ({DAY_DOC}); null repeats forever.", max_length=10)]


def event_view(r: dict[str, Any]) -> dict[str, Any]:
    """The API view of one row of EVENTS_SQL."""
    return {
        "event_id": r["id"],
        "calendar_id": r["calendar_id"],
        "calendar_name": r["calendar_name"],
        "title": r["title"],
        "description": r["description"],
        "location": r["location"],
        "start": r["start"],
        "end": r["end"],
        "all_day": bool(r["all_day"]),
        "recurrence": r["recurrence"],
        "recurrence_until": r["recurrence_until"],
        "status": r["status"],
        "busy": bool(r["busy"]),
        "organizer": {"name": r["organizer_name"], "email": r["organizer_email"]},
        "attendee_count": r["attendee_count"],
        "my_response": r["my_response"],
    }


def event_views(ctx: CallContext, where: str, order: str = "e.start, e.id", **params: Any) -> list[dict[str, Any]]:
    """The API view of the events matching `where` (on alias e), in one query."""
    return [
        event_view(r) for r in rows_of(ctx, f"{EVENTS_SQL} WHERE {where} ORDER BY {order}", me=ctx.user_id, **params)
    ]


def event_page(ctx: CallContext, where: str, order: str = "e.start, e.id", **params: Any) -> Page:
    """The page asked for of event_views, cut in SQL (sql_page): a calendar of 17,000 events built them all for
    each page."""
    return sql_page(ctx, f"{EVENTS_SQL} WHERE {where}", order, shape=event_view, named={"me": ctx.user_id, **params})


def one_event(ctx: CallContext, event_id: int) -> dict[str, Any]:
    return event_views(ctx, "e.id = :id", id=event_id)[0]


def event_times(
    ctx: CallContext, start: str, end: str | None, all_day: bool, default_minutes: int | None = None
) -> tuple[str, str]:
    """(start, end) as stored: whole days run from midnight to the midnight after the last day (`end` names that
    last day); a missing end means one day, or for timed events the caller's default length (settings)."""
    begin = when(start, "start")
    if all_day:
        last = begin.date() if end is None else when(end, "end").date()  # the last whole day, inclusive
        begin = datetime.combine(begin.date(), datetime.min.time())
        finish = datetime.combine(last + timedelta(days=1), datetime.min.time())
    elif end is None:
        minutes = default_minutes or ctx.value(
            "SELECT default_duration_minutes FROM calendar_settings WHERE person_id = ?", ctx.user_id
        )
        finish = begin + timedelta(minutes=minutes or 60)
    else:
        finish = when(end, "end")
    check_span(begin, finish)
    return stamp(begin), stamp(finish)


def target_calendar(ctx: CallContext, calendar_id: int | None) -> int:
    """The calendar a new event goes on: the one given if the caller may add to it, else their primary one."""
    if calendar_id is not None:
        return writable_calendar(ctx, calendar_id)["id"]
    primary = primary_calendar(ctx)
    if primary is None:
        raise ApiError(409, "You have no calendar; create one with create_calendar first.")
    return primary


def _until(value: str | None, start: str) -> str | None:
    if value is None:
        return None
    day = on_day(value, "recurrence_until")
    if day.isoformat() < start[:10]:
        raise ApiError(422, f"Invalid argument 'recurrence_until': {day} is before the event starts ({start[:10]}).")
    return day.isoformat()


@app.api("GET", "/events", [EVENT], paginated=True)
def show_events(
    ctx: CallContext,
    query: Annotated[str, P("Words to match in the title, description or location.", max_length=QUERY_MAX_CHARS)] = "",
    calendar_id: Annotated[int | None, P("Only events of this calendar.", ge=1)] = None,
    date_from: Annotated[str | None, P(f"Only events on or after this day ({DAY_DOC}).", max_length=10)] = None,
    date_to: Annotated[str | None, P(f"Only events on or before this day ({DAY_DOC}).", max_length=10)] = None,
    attendee_email: Annotated[
        str | None, P("Only events this person organizes or is invited to.", max_length=200)
    ] = None,
    location: Annotated[str | None, P("Words to match in the location.", max_length=QUERY_MAX_CHARS)] = None,
    status: Annotated[Literal["confirmed", "cancelled", "all"], P("Only events in this state.")] = "confirmed",
    role: Annotated[
        Literal["all", "organizer", "invited"], P("Events you organize, events you are invited to, or all you see.")
    ] = "all",
    sort_by: Annotated[
        Literal["start", "-start", "title"], P("The order: start, -start (latest first), title.")
    ] = "start",
) -> Page:
    """Search the events you can see: on your calendars, on calendars shared with you, and invitations.
    A repeating event is listed once (with its first start) if any occurrence falls in the dates; show_agenda
    lists occurrences one by one."""
    where = f"e.id IN ({VISIBLE_EVENTS})"
    params: dict[str, Any] = {}
    words, args = named_words_clause(query, ["e.title", "e.description", "e.location"])
    place, place_args = named_words_clause(location or "", ["e.location"], "place", "location")
    where += words + place
    params |= args | place_args
    if date_from is not None:
        where += f" AND {REACHES}"
        params["low"] = on_day(date_from, "date_from").isoformat()
    if date_to is not None:
        where += " AND e.start < :high"
        params["high"] = (on_day(date_to, "date_to") + timedelta(days=1)).isoformat()
    if calendar_id is not None:
        where += " AND e.calendar_id = :calendar"
        params["calendar"] = calendar_id
    if attendee_email is not None:
        where += (
            " AND (e.organizer_id = :who OR EXISTS (SELECT 1 FROM calendar_attendees y "
            "WHERE y.event_id = e.id AND y.person_id = :who))"
        )
        params["who"] = person_id(ctx, attendee_email, "attendee_email")
    if status != "all":
        where += " AND e.status = :status"
        params["status"] = status
    if role != "all":
        where += " AND e.organizer_id = :me" if role == "organizer" else " AND a.id IS NOT NULL"
    return event_page(ctx, where, SORTS[sort_by], **params)


@app.api("GET", "/events/{event_id}", {**EVENT, "attendees": [{**PERSON, "response": "string"}], "note_count": 1})
def show_event(ctx: CallContext, event_id: EVENT_ID) -> dict[str, Any]:
    """Show one event with its attendees and their answers."""
    visible_event(ctx, event_id)
    attendees = ctx.rows(
        "SELECT p.first_name || ' ' || p.last_name AS name, p.email, a.response FROM calendar_attendees a "
        "JOIN people p ON p.id = a.person_id WHERE a.event_id = ? ORDER BY a.id",
        event_id,
    )
    notes = ctx.value("SELECT COUNT(*) FROM calendar_notes WHERE event_id = ?", event_id)
    return {**one_event(ctx, event_id), "attendees": attendees, "note_count": notes}


@app.api("POST", "/events", {"message": "string", "event_id": 1})
def create_event(
    ctx: CallContext,
    title: Annotated[str, P("The event's title.", min_length=1, max_length=200)],
    start: Annotated[str, P(f"When it starts: {TIME_DOC}.", max_length=25)],
    end: Annotated[
        str | None,
        P(
            f"When it ends ({DAY_RANGE}), at most 366 days after the start; null means your default length (or one "
            "day if all_day).",
            max_length=25,
        ),
    ] = None,
    calendar_id: CALENDAR_CHOICE = None,
    description: Annotated[str, P("What it is about.", max_length=2000)] = "",
    location: Annotated[str, P("Where it is.", max_length=200)] = "",
    all_day: Annotated[bool, P("Whether it lasts whole days rather than set hours.")] = False,
    attendee_emails: Annotated[list[str] | None, P("People to invite.", max_length=100)] = None,
    recurrence: Annotated[Recurrence, P("How it repeats.")] = "none",
    recurrence_until: UNTIL = None,
    busy: Annotated[bool, P("Whether it makes you busy (free-busy lookups); false shows you as free.")] = True,
    reminder_minutes: Annotated[
        int | None, P("Add a reminder this many minutes before; null adds none.", ge=0, le=40_320)
    ] = None,
) -> dict[str, Any]:
    """Create an event on one of your calendars, optionally inviting people and repeating it."""
    calendar = target_calendar(ctx, calendar_id)
    begin, finish = event_times(ctx, start, end, all_day)
    guests = [person_id(ctx, e, f"attendee_emails[{i}]") for i, e in enumerate(attendee_emails or [])]
    event_id = ctx.execute(
        "INSERT INTO calendar_events (calendar_id, organizer_id, title, description, location, start, end, all_day, "
        "recurrence, recurrence_until, status, busy, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,'confirmed',?,?)",
        calendar,
        ctx.user_id,
        title,
        description,
        location,
        begin,
        finish,
        int(all_day),
        recurrence,
        None if recurrence == "none" else _until(recurrence_until, begin),
        int(busy),
        ctx.timestamp(),
    )
    invite(ctx, event_id, guests)
    if reminder_minutes is not None:
        ctx.execute(
            "INSERT INTO calendar_reminders (event_id, person_id, minutes_before, method) VALUES (?,?,?,'popup')",
            event_id,
            ctx.user_id,
            reminder_minutes,
        )
    return {"message": "Event created.", "event_id": event_id}


def invite(ctx: CallContext, event_id: int, guests: list[int]) -> int:
    """Invite the people not yet invited (never the caller); returns how many were new."""
    added = 0
    for guest in dict.fromkeys(guests):
        if guest != ctx.user_id and not ctx.value(
            "SELECT 1 FROM calendar_attendees WHERE event_id = ? AND person_id = ?", event_id, guest
        ):
            ctx.execute(
                "INSERT INTO calendar_attendees (event_id, person_id, response, comment) VALUES (?,?,'pending','')",
                event_id,
                guest,
            )
            added += 1
    return added


@app.api("PATCH", "/events/{event_id}", MESSAGE)
def update_event(
    ctx: CallContext,
    event_id: EVENT_ID,
    title: Annotated[str | None, P("New title; null keeps it.", min_length=1, max_length=200)] = None,
    description: Annotated[str | None, P("New description; null keeps it.", max_length=2000)] = None,
    location: Annotated[str | None, P("New location; null keeps it.", max_length=200)] = None,
    busy: Annotated[bool | None, P("Whether it makes you busy; null keeps it.")] = None,
) -> dict[str, str]:
    """Change an event's title, description, location or busy state (reschedule_event changes its time)."""
    editable_event(ctx, event_id)
    fields = {"title": title, "description": description, "location": location, "busy": busy}
    ctx.update("calendar_events", event_id, {k: int(v) if isinstance(v, bool) else v for k, v in fields.items()})
    return {"message": "Event updated."}


@app.api("PUT", "/events/{event_id}/time", {"message": "string", "start": "string", "end": "string"})
def reschedule_event(
    ctx: CallContext,
    event_id: EVENT_ID,
    start: Annotated[str, P(f"The new start: {TIME_DOC}.", max_length=25)],
    end: Annotated[
        str | None,
        P(
            f"The new end ({DAY_RANGE}), at most 366 days after the start; null keeps the event's length.",
            max_length=25,
        ),
    ] = None,
) -> dict[str, Any]:
    """Move an event to another time (a repeating event moves as a whole series)."""
    row = editable_event(ctx, event_id)
    length = datetime.fromisoformat(row["end"]) - datetime.fromisoformat(row["start"])
    begin = when(start, "start")
    if row["all_day"]:
        begin = datetime.combine(begin.date(), datetime.min.time())
    finish = begin + length if end is None else when(end, "end")
    check_span(begin, finish)
    until = row["recurrence_until"]
    if until is not None and until < begin.date().isoformat():
        raise ApiError(409, f"Event {event_id} repeats only until {until}; change its recurrence first.")
    ctx.execute("UPDATE calendar_events SET start = ?, end = ? WHERE id = ?", stamp(begin), stamp(finish), event_id)
    return {"message": "Event moved.", "start": stamp(begin), "end": stamp(finish)}


@app.api("PUT", "/events/{event_id}/calendar", MESSAGE)
def move_event_to_calendar(
    ctx: CallContext,
    event_id: EVENT_ID,
    calendar_id: Annotated[int, P("The calendar to move it to.", ge=1)],
) -> dict[str, str]:
    """Move an event to another calendar you may edit."""
    row = editable_event(ctx, event_id)
    writable_calendar(ctx, calendar_id)
    if row["calendar_id"] == calendar_id:
        raise ApiError(409, f"Event {event_id} is already on calendar {calendar_id}.")
    ctx.execute("UPDATE calendar_events SET calendar_id = ? WHERE id = ?", calendar_id, event_id)
    return {"message": "Event moved to the other calendar."}


@app.api("POST", "/events/{event_id}/copies", {"message": "string", "event_id": 1})
def duplicate_event(
    ctx: CallContext,
    event_id: EVENT_ID,
    start: Annotated[str, P(f"When the copy starts: {TIME_DOC}; it keeps the original's length.", max_length=25)],
    calendar_id: CALENDAR_CHOICE = None,
    copy_attendees: Annotated[bool, P("Invite the original's attendees to the copy too.")] = False,
) -> dict[str, Any]:
    """Copy an event you can see to another time, organized by you (not repeating)."""
    row = visible_event(ctx, event_id)
    calendar = target_calendar(ctx, calendar_id)
    begin = when(start, "start")
    finish = begin + (datetime.fromisoformat(row["end"]) - datetime.fromisoformat(row["start"]))
    new_id = ctx.execute(
        "INSERT INTO calendar_events (calendar_id, organizer_id, title, description, location, start, end, all_day, "
        "recurrence, recurrence_until, status, busy, created_at) VALUES (?,?,?,?,?,?,?,?,'none',NULL,'confirmed',?,?)",
        calendar,
        ctx.user_id,
        row["title"],
        row["description"],
        row["location"],
        stamp(begin),
        stamp(finish),
        row["all_day"],
        row["busy"],
        ctx.timestamp(),
    )
    if copy_attendees:
        others = [
            r["person_id"] for r in ctx.rows("SELECT person_id FROM calendar_attendees WHERE event_id = ?", event_id)
        ]
        invite(ctx, new_id, others + [row["organizer_id"]])
    return {"message": "Event copied.", "event_id": new_id}


def _set_status(ctx: CallContext, event_id: int, status: str) -> None:
    row = editable_event(ctx, event_id)
    if row["status"] == status:
        raise ApiError(409, f"Event {event_id} is already {status}.")
    ctx.execute("UPDATE calendar_events SET status = ? WHERE id = ?", status, event_id)


@app.api("POST", "/events/{event_id}/cancel", MESSAGE)
def cancel_event(ctx: CallContext, event_id: EVENT_ID) -> dict[str, str]:
    """Cancel an event (every occurrence): it stays visible as cancelled and can be restored."""
    _set_status(ctx, event_id, "cancelled")
    return {"message": "Event cancelled."}


@app.api("POST", "/events/{event_id}/restore", MESSAGE)
def restore_event(ctx: CallContext, event_id: EVENT_ID) -> dict[str, str]:
    """Restore a cancelled event."""
    _set_status(ctx, event_id, "confirmed")
    return {"message": "Event restored."}


@app.api("DELETE", "/events/{event_id}", MESSAGE)
def delete_event(ctx: CallContext, event_id: EVENT_ID) -> dict[str, str]:
    """Delete an event for good, with its invitations, reminders and notes."""
    editable_event(ctx, event_id)
    for table in ("calendar_attendees", "calendar_reminders", "calendar_notes", "calendar_exceptions"):
        ctx.execute(f"DELETE FROM {table} WHERE event_id = ?", event_id)
    ctx.execute("DELETE FROM calendar_events WHERE id = ?", event_id)
    return {"message": "Event deleted."}


@app.api("PUT", "/events/{event_id}/recurrence", MESSAGE)
def set_event_recurrence(
    ctx: CallContext,
    event_id: EVENT_ID,
    recurrence: Annotated[Recurrence, P("How it repeats; 'none' makes it a single event.")],
    recurrence_until: UNTIL = None,
) -> dict[str, str]:
    """Make an event repeat, change how it repeats or until when, or stop it repeating."""
    row = editable_event(ctx, event_id)
    until = None if recurrence == "none" else _until(recurrence_until, row["start"])
    ctx.execute(
        "UPDATE calendar_events SET recurrence = ?, recurrence_until = ? WHERE id = ?", recurrence, until, event_id
    )
    return {"message": "Recurrence updated."}


def _occurrence_day(ctx: CallContext, row: dict[str, Any], day: str) -> str:
    if row["recurrence"] == "none":
        raise ApiError(409, f"Event {row['id']} does not repeat; cancel_event cancels it.")
    low, high = day_span(day, day)
    if not any(occurrences(row, low, high, set())):
        raise ApiError(422, f"Invalid argument 'date': event {row['id']} has no occurrence starting on {day}.")
    return low.date().isoformat()


@app.api("POST", "/events/{event_id}/occurrences/cancel", MESSAGE)
def cancel_occurrence(
    ctx: CallContext,
    event_id: EVENT_ID,
    date: Annotated[str, P(f"The day of the occurrence ({DAY_DOC}).", max_length=10)],
) -> dict[str, str]:
    """Cancel one occurrence of a repeating event, keeping the others."""
    row = editable_event(ctx, event_id)
    day = _occurrence_day(ctx, row, date)
    ctx.insert_unique(
        "calendar_exceptions",
        {"event_id": event_id, "occurrence_date": day},
        f"The occurrence of event {event_id} on {day} is already cancelled.",
    )
    return {"message": "Occurrence cancelled."}


@app.api("POST", "/events/{event_id}/occurrences/restore", MESSAGE)
def restore_occurrence(
    ctx: CallContext,
    event_id: EVENT_ID,
    date: Annotated[str, P(f"The day of the occurrence ({DAY_DOC}).", max_length=10)],
) -> dict[str, str]:
    """Bring back one cancelled occurrence of a repeating event."""
    editable_event(ctx, event_id)
    ctx.delete_existing(
        "calendar_exceptions",
        {"event_id": event_id, "occurrence_date": on_day(date, "date").isoformat()},
        f"No cancelled occurrence of event {event_id} on {date}.",
    )
    return {"message": "Occurrence restored."}


@app.api(
    "GET",
    "/events/{event_id}/occurrences",
    [{"start": "string", "end": "string", "is_cancelled": True}],
    paginated=True,
)
def show_occurrences(
    ctx: CallContext,
    event_id: EVENT_ID,
    date_from: Annotated[str, P(f"The first day ({DAY_DOC}).", max_length=10)],
    date_to: Annotated[str, P(f"The last day, inclusive ({DAY_DOC}); at most a year after date_from.", max_length=10)],
) -> list[dict[str, Any]]:
    """The occurrences of an event between two days, with the ones cancelled on their own marked."""
    row = visible_event(ctx, event_id)
    low, high = day_span(date_from, date_to, most_days=366)
    skipped = cancelled_days(ctx, [row], low, high).get(event_id, set())
    length = datetime.fromisoformat(row["end"]) - datetime.fromisoformat(row["start"])
    return [
        {"start": stamp(s), "end": stamp(s + length), "is_cancelled": s.date().isoformat() in skipped}
        for s in occurrences(row, low, high, set())
    ]
