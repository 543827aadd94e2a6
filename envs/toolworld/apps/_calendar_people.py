"""calendar: the people around events: attendees and invitations, free-busy and free slots, birthdays."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from envs.toolworld.api import ApiError, CallContext, P, Page
from envs.toolworld.apps._calendar_core import (
    DAY_FROM,
    DAY_TO,
    EMAIL,
    EVENT_ID,
    MESSAGE,
    PERSON,
    Response,
    app,
    busy_blocks,
    clock,
    day_span,
    editable_event,
    on_day,
    person_id,
    stamp,
    visible_event,
)
from envs.toolworld.apps._calendar_events import EVENT, event_page, invite
from envs.toolworld.apps._day_args import DAY_DOC

ATTENDEE = {**PERSON, "response": "string", "comment": "string", "responded_at": "string"}
Relationship = Literal["friend", "family", "coworker", "roommate"]


@app.api("GET", "/events/{event_id}/attendees", [ATTENDEE], paginated=True)
def show_event_attendees(
    ctx: CallContext,
    event_id: EVENT_ID,
    response: Annotated[Response | None, P("Only attendees who answered this; null for all.")] = None,
) -> list[dict[str, Any]]:
    """The people invited to an event and how they answered."""
    visible_event(ctx, event_id)
    return ctx.rows(
        "SELECT p.first_name || ' ' || p.last_name AS name, p.email, a.response, a.comment, a.responded_at "
        "FROM calendar_attendees a JOIN people p ON p.id = a.person_id WHERE a.event_id = ? "
        "AND (? IS NULL OR a.response = ?) ORDER BY a.id",
        event_id,
        response,
        response,
    )


@app.api("POST", "/events/{event_id}/attendees", {"message": "string", "invited": 1})
def add_event_attendees(
    ctx: CallContext,
    event_id: EVENT_ID,
    emails: Annotated[list[str], P("Emails of the people to invite.", min_length=1, max_length=100)],
) -> dict[str, Any]:
    """Invite more people to an event you organize or may edit."""
    editable_event(ctx, event_id)
    added = invite(ctx, event_id, [person_id(ctx, e, f"emails[{i}]") for i, e in enumerate(emails)])
    if not added:
        raise ApiError(409, f"Everyone given is already invited to event {event_id} (or is you).")
    return {"message": "Invitations sent.", "invited": added}


@app.api("DELETE", "/events/{event_id}/attendees", MESSAGE)
def remove_event_attendee(ctx: CallContext, event_id: EVENT_ID, email: EMAIL) -> dict[str, str]:
    """Uninvite someone from an event you organize or may edit."""
    editable_event(ctx, event_id)
    guest = person_id(ctx, email, "email")
    ctx.delete_existing(
        "calendar_attendees", {"event_id": event_id, "person_id": guest}, f"{email} is not invited to event {event_id}."
    )
    ctx.execute("DELETE FROM calendar_reminders WHERE event_id = ? AND person_id = ?", event_id, guest)
    return {"message": "Attendee removed."}


@app.api("GET", "/invitations", [EVENT], paginated=True)
def show_invitations(
    ctx: CallContext,
    response: Annotated[Response | None, P("Only invitations you answered this way; null for all.")] = "pending",
    date_from: Annotated[str | None, P(f"Only events ending on or after this day ({DAY_DOC}).", max_length=10)] = None,
    include_cancelled: Annotated[bool, P("Also list events their organizer cancelled.")] = False,
) -> Page:
    """The events other people invited you to, soonest first (unanswered ones by default)."""
    where = "e.id IN (SELECT event_id FROM calendar_attendees WHERE person_id = :me)"
    params: dict[str, Any] = {}
    if response is not None:
        where += " AND a.response = :response"
        params["response"] = response
    if date_from is not None:
        where += " AND e.end >= :low"
        params["low"] = on_day(date_from, "date_from").isoformat()
    if not include_cancelled:
        where += " AND e.status = 'confirmed'"
    return event_page(ctx, where, **params)


@app.api("POST", "/events/{event_id}/response", MESSAGE)
def respond_to_invitation(
    ctx: CallContext,
    event_id: EVENT_ID,
    response: Annotated[Literal["accepted", "declined", "tentative"], P("Your answer.")],
    comment: Annotated[str, P("A note to the organizer.", max_length=500)] = "",
) -> dict[str, str]:
    """Accept, decline or tentatively accept an event you are invited to."""
    visible_event(ctx, event_id)
    current = ctx.row(
        "SELECT id, response, comment FROM calendar_attendees WHERE event_id = ? AND person_id = ?",
        event_id,
        ctx.user_id,
    )
    if current is None:
        raise ApiError(404, f"You are not invited to event {event_id}.")
    if (current["response"], current["comment"]) == (response, comment):
        raise ApiError(409, f"You already answered {response} to event {event_id}.")
    ctx.execute(
        "UPDATE calendar_attendees SET response = ?, comment = ?, responded_at = ? WHERE id = ?",
        response,
        comment,
        ctx.timestamp(),
        current["id"],
    )
    return {"message": f"Response recorded: {response}."}


@app.api("GET", "/busy", [{"start": "string", "end": "string"}], paginated=True)
def show_busy_times(
    ctx: CallContext,
    email: Annotated[str, P("Whose busy times; anyone's can be looked up (without the details).", max_length=200)],
    date_from: DAY_FROM,
    date_to: DAY_TO,
) -> list[dict[str, Any]]:
    """When a person is busy between two days (at most 31), as merged blocks; what they do stays private."""
    low, high = day_span(date_from, date_to)
    return [
        {"start": stamp(s), "end": stamp(e)} for s, e in busy_blocks(ctx, person_id(ctx, email, "email"), low, high)
    ]


@app.api("GET", "/free_slots", [{"start": "string", "end": "string", "minutes": 1}])
def find_free_slots(
    ctx: CallContext,
    date: Annotated[str, P(f"The day to look at ({DAY_DOC}).", max_length=10)],
    duration_minutes: Annotated[int, P("How long the slot must be.", ge=5, le=720)],
    attendee_emails: Annotated[
        list[str] | None, P("Others who must be free too (you always are included).", max_length=20)
    ] = None,
    day_start: Annotated[str | None, P("Earliest time (HH:MM); null means your work day start.", max_length=5)] = None,
    day_end: Annotated[str | None, P("Latest time (HH:MM); null means your work day end.", max_length=5)] = None,
) -> list[dict[str, Any]]:
    """The times on a day when you and the given people are all free for at least the given length."""
    day = on_day(date, "date")
    hours = ctx.row("SELECT work_day_start, work_day_end FROM calendar_settings WHERE person_id = ?", ctx.user_id) or {}
    start_text = clock(hours.get("work_day_start", "09:00") if day_start is None else day_start, "day_start")
    end_text = clock(hours.get("work_day_end", "17:00") if day_end is None else day_end, "day_end")
    low = datetime.combine(day, datetime.strptime(start_text, "%H:%M").time())
    high = datetime.combine(day, datetime.strptime(end_text, "%H:%M").time())
    if high <= low:
        raise ApiError(422, f"Invalid argument 'day_end': {end_text} is not after the day start {start_text}.")
    people = {ctx.caller, *(person_id(ctx, e, f"attendee_emails[{i}]") for i, e in enumerate(attendee_emails or []))}
    blocks = sorted(b for p in people for b in busy_blocks(ctx, p, low, high))
    slots, cursor = [], low
    for start, end in blocks + [(high, high)]:
        if start - cursor >= timedelta(minutes=duration_minutes):
            slots.append(
                {"start": stamp(cursor), "end": stamp(start), "minutes": int((start - cursor).total_seconds() // 60)}
            )
        cursor = max(cursor, end)
    return slots


def _next_birthday(born: date, today: date) -> date:
    for year in (today.year, today.year + 1):
        try:
            candidate = born.replace(year=year)
        except ValueError:  # born on Feb 29: celebrated on Feb 28 in other years
            candidate = date(year, 2, 28)
        if candidate >= today:
            return candidate
    raise AssertionError("a birthday comes within a year")


@app.api(
    "GET",
    "/birthdays",
    [{**PERSON, "relationship": "string", "birthday": "string", "next_birthday": "string", "turns": 1}],
    paginated=True,
)
def show_birthdays(
    ctx: CallContext,
    month: Annotated[int | None, P("Only birthdays in this month (1-12).", ge=1, le=12)] = None,
    within_days: Annotated[int | None, P("Only birthdays within this many days from today.", ge=0, le=366)] = None,
    relationship: Annotated[Relationship | None, P("Only people related to you this way.")] = None,
) -> list[dict[str, Any]]:
    """Birthdays of the people you know (friends, family, coworkers, roommates), the next one first."""
    today = ctx.now.date()
    rows = ctx.rows(
        "SELECT p.first_name || ' ' || p.last_name AS name, p.email, r.kind, p.birthday FROM relations r "
        "JOIN people p ON p.id = r.other_id WHERE r.person_id = ? AND (? IS NULL OR r.kind = ?) "
        "AND (? IS NULL OR CAST(substr(p.birthday, 6, 2) AS INTEGER) = ?) ORDER BY p.id",
        ctx.user_id,
        relationship,
        relationship,
        month,
        month,
    )
    out = []
    for r in rows:
        born = date.fromisoformat(r["birthday"])
        upcoming = _next_birthday(born, today)
        if within_days is None or (upcoming - today).days <= within_days:
            out.append(
                {
                    "name": r["name"],
                    "email": r["email"],
                    "relationship": r["kind"],
                    "birthday": r["birthday"],
                    "next_birthday": upcoming.isoformat(),
                    "turns": upcoming.year - born.year,
                }
            )
    return sorted(out, key=lambda b: (b["next_birthday"], b["name"]))
