"""calendar: views over a period (agenda, double bookings, where the time went, export) and the user's settings."""

from __future__ import annotations

import json
from bisect import bisect_left
from datetime import date, datetime
from typing import Annotated, Any, Literal

from envs.toolworld.api import ApiError, CallContext, P, Page
from envs.toolworld.apps._calendar_core import (
    BUSY_EVENTS,
    CALENDAR_ID,
    DAY_FROM,
    DAY_TO,
    MESSAGE,
    VISIBLE_EVENTS,
    app,
    clock,
    day_span,
    on_day,
    rows_of,
    stamp,
    timeline,
    visible_calendar,
)
from envs.toolworld.apps._day_args import DAY_DOC

AGENDA_ITEM = {
    "kind": "string",
    "event_id": 1,
    "title": "string",
    "start": "string",
    "end": "string",
    "all_day": True,
    "location": "string",
    "calendar_id": 1,
    "calendar_name": "string",
    "my_response": "string",
}


def my_occurrences(
    ctx: CallContext, low: datetime, high: datetime, calendar_id: int | None, include_declined: bool
) -> list[dict[str, Any]]:
    """The occurrences in [low, high) of the events on the caller's agenda: their visible calendars (or the one
    given) and their invitations, without declined ones unless asked."""
    where = f"e.id IN ({VISIBLE_EVENTS})"
    params: dict[str, Any] = {"me": ctx.user_id}
    if calendar_id is not None:
        visible_calendar(ctx, calendar_id)
        where += " AND e.calendar_id = :calendar"
        params["calendar"] = calendar_id
    else:
        where += " AND e.calendar_id NOT IN (SELECT id FROM calendar_calendars WHERE owner_id = :me AND is_visible = 0)"
    if not include_declined:
        where += (
            " AND e.id NOT IN (SELECT event_id FROM calendar_attendees WHERE person_id = :me AND response = 'declined')"
        )
    found = timeline(ctx, where, low, high, **params)
    ids = sorted({row["id"] for row, _, _ in found})
    names = {
        r["id"]: r["name"]
        for r in rows_of(
            ctx,
            "SELECT c.id, c.name FROM calendar_calendars c WHERE c.id IN "
            "(SELECT calendar_id FROM calendar_events WHERE id IN (SELECT value FROM json_each(:ids)))",
            ids=json.dumps(ids),
        )
    }
    answers = {
        r["event_id"]: r["response"]
        for r in rows_of(
            ctx,
            "SELECT event_id, response FROM calendar_attendees WHERE person_id = :me "
            "AND event_id IN (SELECT value FROM json_each(:ids))",
            me=ctx.user_id,
            ids=json.dumps(ids),
        )
    }
    return [
        {
            "kind": "event",
            "event_id": row["id"],
            "title": row["title"],
            "start": stamp(start),
            "end": stamp(end),
            "all_day": bool(row["all_day"]),
            "location": row["location"],
            "calendar_id": row["calendar_id"],
            "calendar_name": names[row["calendar_id"]],
            "my_response": "organizer" if row["organizer_id"] == ctx.user_id else answers.get(row["id"]),
        }
        for row, start, end in found
    ]


def _birthdays(ctx: CallContext, low: datetime, high: datetime) -> list[dict[str, Any]]:
    out = []
    for r in ctx.rows(
        "SELECT p.first_name || ' ' || p.last_name AS name, p.birthday FROM relations r "
        "JOIN people p ON p.id = r.other_id WHERE r.person_id = ?",
        ctx.user_id,
    ):
        born = date.fromisoformat(r["birthday"])
        for year in range(low.year, high.year + 1):
            day = date(year, born.month, min(born.day, 28) if born.month == 2 else born.day)
            if low.date() <= day < high.date():
                out.append(
                    {
                        "kind": "birthday",
                        "event_id": None,
                        "title": f"{r['name']}'s birthday",
                        "start": day.isoformat() + "T00:00:00",
                        "end": None,
                        "all_day": True,
                        "location": "",
                        "calendar_id": None,
                        "calendar_name": "Birthdays",
                        "my_response": None,
                    }
                )
    return out


@app.api("GET", "/agenda", [AGENDA_ITEM], paginated=True)
def show_agenda(
    ctx: CallContext,
    date_from: DAY_FROM,
    date_to: DAY_TO,
    calendar_id: Annotated[int | None, P("Only this calendar (even if hidden); null for all shown ones.", ge=1)] = None,
    include_declined: Annotated[bool, P("Also show invitations you declined.")] = False,
    include_birthdays: Annotated[bool, P("Also show the birthdays of people you know.")] = False,
) -> list[dict[str, Any]]:
    """Everything on your calendar between two days (at most 31), each occurrence of a repeating event apart,
    in time order. Cancelled events and cancelled occurrences are left out."""
    low, high = day_span(date_from, date_to)
    items = my_occurrences(ctx, low, high, calendar_id, include_declined)
    if include_birthdays:
        items += _birthdays(ctx, low, high)
    return sorted(items, key=lambda i: (i["start"], i["kind"] == "event", i["event_id"] or 0, i["title"]))


@app.api("GET", "/conflicts", [{"first": AGENDA_ITEM, "second": AGENDA_ITEM}], paginated=True)
def show_conflicts(ctx: CallContext, date_from: DAY_FROM, date_to: DAY_TO) -> Page:
    """Pairs of your busy events that overlap between two days (at most 31): double bookings to sort out."""
    return overlapping_pairs(busy_occurrences(ctx, date_from, date_to), *ctx.page_window())


def busy_occurrences(ctx: CallContext, date_from: str, date_to: str) -> list[dict[str, Any]]:
    """The agenda items between two days that make the caller busy (not all day), by start."""
    low, high = day_span(date_from, date_to)
    busy = {
        (row["id"], stamp(start))
        for row, start, _ in timeline(ctx, BUSY_EVENTS, low, high, person=ctx.user_id)
        if not row["all_day"]
    }
    return [i for i in my_occurrences(ctx, low, high, None, False) if (i["event_id"], i["start"]) in busy]


def overlapping_pairs(items: list[dict[str, Any]], limit: int, offset: int) -> Page:
    """The page of overlapping pairs of `items` (sorted by start) and how many there are, counted without
    building them: n overlapping items make n(n-1)/2 pairs, and 120 repeating 28-day events, a step's work,
    made one call build ~7M of them (5.4 s and 1.3 GB in the env)."""
    starts = [item["start"] for item in items]
    partners = [bisect_left(starts, first["end"], n + 1) - n - 1 for n, first in enumerate(items)]
    page: list[dict[str, Any]] = []
    for n, first in enumerate(items):
        if offset >= partners[n]:
            offset -= partners[n]
            continue
        seconds = items[n + 1 + offset : n + 1 + min(partners[n], offset + limit - len(page))]
        page += [{"first": first, "second": second} for second in seconds]
        offset = 0
        if len(page) == limit:
            break
    return Page(page, sum(partners))


@app.api(
    "GET",
    "/summary",
    [{"calendar_id": 1, "calendar_name": "string", "event_count": 1, "hours": 1.0}],
    paginated=True,
)
def show_time_summary(ctx: CallContext, date_from: DAY_FROM, date_to: DAY_TO) -> list[dict[str, Any]]:
    """How many events and hours each calendar took between two days (at most 31), most hours first.
    Whole-day events count as events but not as hours."""
    low, high = day_span(date_from, date_to)
    totals: dict[int, dict[str, Any]] = {}
    for item in my_occurrences(ctx, low, high, None, False):
        entry = totals.setdefault(
            item["calendar_id"],
            {
                "calendar_id": item["calendar_id"],
                "calendar_name": item["calendar_name"],
                "event_count": 0,
                "hours": 0.0,
            },
        )
        entry["event_count"] += 1
        if not item["all_day"]:
            length = datetime.fromisoformat(item["end"]) - datetime.fromisoformat(item["start"])
            entry["hours"] += length.total_seconds() / 3600
    out = [{**t, "hours": round(t["hours"], 2)} for t in totals.values()]
    return sorted(out, key=lambda t: (-t["hours"], t["calendar_id"]))


@app.api("GET", "/calendars/{calendar_id}/export", {"file_name": "string", "content": "string", "event_count": 1})
def export_calendar(
    ctx: CallContext,
    calendar_id: CALENDAR_ID,
    date_from: Annotated[str | None, P(f"Only events from this day on ({DAY_DOC}).", max_length=10)] = None,
    date_to: Annotated[str | None, P(f"Only events up to this day ({DAY_DOC}).", max_length=10)] = None,
) -> dict[str, Any]:
    """Export a calendar's events as iCalendar text (.ics), which other calendar apps and the file system can keep."""
    calendar = visible_calendar(ctx, calendar_id)
    first = "0000" if date_from is None else on_day(date_from, "date_from").isoformat()
    last = "9999" if date_to is None else on_day(date_to, "date_to").isoformat() + "T99"
    rows = ctx.rows(
        "SELECT * FROM calendar_events WHERE calendar_id = ? AND start >= ? AND start <= ? ORDER BY start, id",
        calendar_id,
        first,
        last,
    )
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"X-WR-CALNAME:{calendar['name']}"]
    for r in rows:
        lines += [
            "BEGIN:VEVENT",
            f"UID:event-{r['id']}@toolworld",
            f"SUMMARY:{_ics(r['title'])}",
            f"DTSTART:{_ics_time(r['start'])}",
            f"DTEND:{_ics_time(r['end'])}",
            *([f"LOCATION:{_ics(r['location'])}"] if r["location"] else []),
            *([f"DESCRIPTION:{_ics(r['description'])}"] if r["description"] else []),
            *_rrule(r),
            f"STATUS:{r['status'].upper()}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    name = "".join(c if c.isalnum() else "_" for c in calendar["name"].lower()).strip("_") or "calendar"
    return {"file_name": f"{name}.ics", "content": "\n".join(lines) + "\n", "event_count": len(rows)}


def _rrule(row: dict[str, Any]) -> list[str]:
    if row["recurrence"] == "none":
        return []
    until = "" if row["recurrence_until"] is None else ";UNTIL=" + row["recurrence_until"].replace("-", "")
    return [f"RRULE:FREQ={row['recurrence'].upper()}{until}"]


def _ics(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace(",", "\\,").replace(";", "\\;")


def _ics_time(value: str) -> str:
    return value.replace("-", "").replace(":", "")


SETTINGS = {
    "week_start": "string",
    "default_duration_minutes": 1,
    "default_reminder_minutes": 1,
    "work_day_start": "string",
    "work_day_end": "string",
    "show_declined": True,
}
DEFAULT_SETTINGS = {
    "week_start": "monday",
    "default_duration_minutes": 60,
    "default_reminder_minutes": 10,
    "work_day_start": "09:00",
    "work_day_end": "17:00",
    "show_declined": 0,
}


@app.api("GET", "/settings", SETTINGS)
def show_settings(ctx: CallContext) -> dict[str, Any]:
    """Your calendar preferences: week start, default event length and reminder, work hours."""
    row = ctx.row("SELECT * FROM calendar_settings WHERE person_id = ?", ctx.user_id) or DEFAULT_SETTINGS
    return {k: bool(row[k]) if k == "show_declined" else row[k] for k in DEFAULT_SETTINGS}


@app.api("PATCH", "/settings", MESSAGE)
def update_settings(
    ctx: CallContext,
    week_start: Annotated[Literal["monday", "sunday"] | None, P("First day of the week; null keeps it.")] = None,
    default_duration_minutes: Annotated[
        int | None, P("Length of new events without an end; null keeps it.", ge=5, le=1440)
    ] = None,
    default_reminder_minutes: Annotated[
        int | None, P("Usual reminder lead time; null keeps it.", ge=0, le=40_320)
    ] = None,
    work_day_start: Annotated[str | None, P("When your work day starts (HH:MM); null keeps it.", max_length=5)] = None,
    work_day_end: Annotated[str | None, P("When your work day ends (HH:MM); null keeps it.", max_length=5)] = None,
    show_declined: Annotated[bool | None, P("Whether declined invitations stay in views; null keeps it.")] = None,
) -> dict[str, str]:
    """Change your calendar preferences; what you leave null stays as it is."""
    current = show_settings(ctx)
    start = current["work_day_start"] if work_day_start is None else clock(work_day_start, "work_day_start")
    end = current["work_day_end"] if work_day_end is None else clock(work_day_end, "work_day_end")
    if end <= start:
        raise ApiError(422, f"Invalid argument 'work_day_end': {end} is not after the work day start {start}.")
    if not ctx.value("SELECT 1 FROM calendar_settings WHERE person_id = ?", ctx.user_id):
        ctx.execute(
            "INSERT INTO calendar_settings (person_id, week_start, default_duration_minutes, default_reminder_minutes, "
            "work_day_start, work_day_end, show_declined) VALUES (?,?,?,?,?,?,?)",
            ctx.user_id,
            *DEFAULT_SETTINGS.values(),
        )
    row_id = ctx.value("SELECT id FROM calendar_settings WHERE person_id = ?", ctx.user_id)
    ctx.update(
        "calendar_settings",
        row_id,
        {
            "week_start": week_start,
            "default_duration_minutes": default_duration_minutes,
            "default_reminder_minutes": default_reminder_minutes,
            "work_day_start": None if work_day_start is None else start,
            "work_day_end": None if work_day_end is None else end,
            "show_declined": None if show_declined is None else int(show_declined),
        },
    )
    return {"message": "Settings updated."}
