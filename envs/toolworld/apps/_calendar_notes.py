"""calendar: what a person attaches to an event for themselves or others: reminders and notes."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from envs.toolworld.api import ApiError, CallContext, P
from envs.toolworld.apps._calendar_core import EVENT_ID, MESSAGE, PERSON, app, stamp, timeline, visible_event

REMINDER = {"reminder_id": 1, "event_id": 1, "minutes_before": 1, "method": "string"}
NOTE = {"note_id": 1, "event_id": 1, "author": PERSON, "text": "string", "created_at": "string"}
NOTE_ID = Annotated[int, P("The note's id.", ge=1)]
NOTE_TEXT = Annotated[str, P("The note.", min_length=1, max_length=2000)]
# Reminders one person may set on one event: upcoming reminders go through each occurrence's reminders, and 48k
# reminders on one daily event made one call build 1.5M of them (5.5 s and 730 MB in the env); people set one
MAX_EVENT_REMINDERS = 10


@app.api("GET", "/events/{event_id}/reminders", [REMINDER])
def show_event_reminders(ctx: CallContext, event_id: EVENT_ID) -> list[dict[str, Any]]:
    """Your reminders for an event, earliest first."""
    visible_event(ctx, event_id)
    return ctx.rows(
        "SELECT id AS reminder_id, event_id, minutes_before, method FROM calendar_reminders "
        "WHERE event_id = ? AND person_id = ? ORDER BY minutes_before DESC, id",
        event_id,
        ctx.user_id,
    )


@app.api("POST", "/events/{event_id}/reminders", {"message": "string", "reminder_id": 1})
def add_event_reminder(
    ctx: CallContext,
    event_id: EVENT_ID,
    minutes_before: Annotated[int, P("How many minutes before the start (10080 is a week).", ge=0, le=40_320)],
    method: Annotated[Literal["popup", "email"], P("How you are reminded.")] = "popup",
) -> dict[str, Any]:
    """Add a reminder for yourself to an event you can see (every occurrence, if it repeats); at most
    10 per event."""
    visible_event(ctx, event_id)
    _check_room(ctx, event_id)
    new_id = ctx.insert_unique(
        "calendar_reminders",
        {"event_id": event_id, "person_id": ctx.user_id, "minutes_before": minutes_before, "method": method},
        f"You already have a {method} reminder {minutes_before} minutes before event {event_id}.",
    )
    return {"message": "Reminder added.", "reminder_id": new_id}


def _check_room(ctx: CallContext, event_id: int) -> None:
    """409 when the caller already has MAX_EVENT_REMINDERS reminders on the event."""
    held = ctx.value(
        "SELECT COUNT(*) FROM calendar_reminders WHERE event_id = ? AND person_id = ?", event_id, ctx.user_id
    )
    if held >= MAX_EVENT_REMINDERS:
        raise ApiError(
            409,
            f"You already have {held} reminders for event {event_id}, the most an event may have; "
            "delete one (delete_event_reminder) first.",
        )


@app.api("DELETE", "/reminders/{reminder_id}", MESSAGE)
def delete_event_reminder(
    ctx: CallContext, reminder_id: Annotated[int, P("The reminder's id.", ge=1)]
) -> dict[str, str]:
    """Delete one of your reminders."""
    ctx.owned("calendar_reminders", reminder_id, "reminder of yours", "person_id")
    ctx.execute("DELETE FROM calendar_reminders WHERE id = ?", reminder_id)
    return {"message": "Reminder deleted."}


@app.api(
    "GET",
    "/reminders/upcoming",
    [{**REMINDER, "title": "string", "event_start": "string", "remind_at": "string"}],
    paginated=True,
)
def show_upcoming_reminders(
    ctx: CallContext, hours: Annotated[int, P("How far ahead to look, in hours.", ge=1, le=24 * 31)] = 24
) -> list[dict[str, Any]]:
    """The reminders that go off between now and the given number of hours from now, soonest first."""
    reminders: dict[int, list[dict[str, Any]]] = {}
    for r in ctx.rows("SELECT * FROM calendar_reminders WHERE person_id = ? ORDER BY id", ctx.user_id):
        reminders.setdefault(r["event_id"], []).append(r)
    if not reminders:
        return []
    horizon = ctx.now + timedelta(hours=hours)
    lead = timedelta(minutes=max(r["minutes_before"] for rs in reminders.values() for r in rs))
    out = []
    for event, start, _ in timeline(
        ctx,
        "e.id IN (SELECT event_id FROM calendar_reminders WHERE person_id = :me)",
        ctx.now,
        horizon + lead,
        me=ctx.user_id,
    ):
        for r in reminders[event["id"]]:
            at = start - timedelta(minutes=r["minutes_before"])
            if ctx.now <= at < horizon:
                out.append(
                    {
                        "reminder_id": r["id"],
                        "event_id": event["id"],
                        "title": event["title"],
                        "event_start": stamp(start),
                        "remind_at": stamp(at),
                        "method": r["method"],
                    }
                )
    return sorted(out, key=lambda x: (x["remind_at"], x["reminder_id"]))


@app.api("GET", "/events/{event_id}/notes", [NOTE], paginated=True)
def show_event_notes(ctx: CallContext, event_id: EVENT_ID) -> list[dict[str, Any]]:
    """The notes people left on an event (agenda, links, who brings what), oldest first."""
    visible_event(ctx, event_id)
    rows = ctx.rows(
        "SELECT n.id, n.event_id, n.text, n.created_at, p.first_name || ' ' || p.last_name AS name, p.email "
        "FROM calendar_notes n JOIN people p ON p.id = n.author_id WHERE n.event_id = ? ORDER BY n.created_at, n.id",
        event_id,
    )
    return [
        {
            "note_id": r["id"],
            "event_id": r["event_id"],
            "author": {"name": r["name"], "email": r["email"]},
            "text": r["text"],
            "created_at": r["created_at"],
        }
        for r in rows
    ]


@app.api("POST", "/events/{event_id}/notes", {"message": "string", "note_id": 1})
def add_event_note(ctx: CallContext, event_id: EVENT_ID, text: NOTE_TEXT) -> dict[str, Any]:
    """Leave a note on an event you can see; everyone who sees the event sees it."""
    visible_event(ctx, event_id)
    new_id = ctx.execute(
        "INSERT INTO calendar_notes (event_id, author_id, text, created_at) VALUES (?,?,?,?)",
        event_id,
        ctx.user_id,
        text,
        ctx.timestamp(),
    )
    return {"message": "Note added.", "note_id": new_id}


def _my_note(ctx: CallContext, note_id: int) -> dict[str, Any]:
    row = ctx.owned("calendar_notes", note_id, "note written by you", "author_id")
    visible_event(ctx, row["event_id"])
    return row


@app.api("PATCH", "/notes/{note_id}", MESSAGE)
def update_event_note(ctx: CallContext, note_id: NOTE_ID, text: NOTE_TEXT) -> dict[str, str]:
    """Edit a note you wrote."""
    _my_note(ctx, note_id)
    ctx.execute("UPDATE calendar_notes SET text = ? WHERE id = ?", text, note_id)
    return {"message": "Note updated."}


@app.api("DELETE", "/notes/{note_id}", MESSAGE)
def delete_event_note(ctx: CallContext, note_id: NOTE_ID) -> dict[str, str]:
    """Delete a note you wrote."""
    _my_note(ctx, note_id)
    ctx.execute("DELETE FROM calendar_notes WHERE id = ?", note_id)
    return {"message": "Note deleted."}
