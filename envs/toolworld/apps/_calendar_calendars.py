"""calendar: the calendars themselves (personal, work, a shared family calendar...) and sharing them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, CallContext, P
from envs.toolworld.apps._calendar_core import (
    CALENDAR_ID,
    EMAIL,
    MESSAGE,
    PERSON,
    app,
    owned_calendar,
    people_of,
    person_id,
    rows_of,
    visible_calendar,
)
from envs.toolworld.apps._text_search import named_words_clause

Kind = Literal["personal", "work", "family", "other"]
Color = Literal["blue", "green", "red", "purple", "orange", "yellow", "gray"]
Permission = Literal["view", "edit"]
CALENDAR = {
    "calendar_id": 1,
    "name": "string",
    "kind": "string",
    "color": "string",
    "description": "string",
    "owner": PERSON,
    "my_permission": "string",
    "is_visible": True,
    "is_primary": True,
    "event_count": 1,
}


def calendar_details(ctx: CallContext, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    people = people_of(ctx, [r["owner_id"] for r in rows])
    return [
        {
            "calendar_id": r["id"],
            "name": r["name"],
            "kind": r["kind"],
            "color": r["color"],
            "description": r["description"],
            "owner": people[r["owner_id"]],
            "my_permission": r["permission"],
            "is_visible": bool(r["is_visible"]),
            "is_primary": bool(r["is_primary"]),
            "event_count": r["event_count"],
        }
        for r in rows
    ]


CALENDARS_SQL = """
SELECT c.*, CASE WHEN c.owner_id = :me THEN 'owner' ELSE s.permission END AS permission,
    (SELECT COUNT(*) FROM calendar_events e WHERE e.calendar_id = c.id) AS event_count
FROM calendar_calendars c LEFT JOIN calendar_shares s ON s.calendar_id = c.id AND s.person_id = :me
WHERE (c.owner_id = :me OR s.id IS NOT NULL)
"""


@app.api("GET", "/calendars", [CALENDAR], paginated=True)
def show_calendars(
    ctx: CallContext,
    query: Annotated[str, P("Words to match in the calendar's name.", max_length=QUERY_MAX_CHARS)] = "",
    kind: Annotated[Kind | None, P("Only calendars of this kind.")] = None,
    ownership: Annotated[
        Literal["all", "mine", "shared_with_me"], P("Your own calendars, those shared with you, or both.")
    ] = "all",
) -> list[dict[str, Any]]:
    """List your calendars and the ones shared with you: your primary one first, then by name."""
    words, args = named_words_clause(query, ["c.name"])
    sql = CALENDARS_SQL + words
    params: dict[str, Any] = {"me": ctx.user_id, **args}
    if kind is not None:
        sql += " AND c.kind = :kind"
        params["kind"] = kind
    if ownership != "all":
        sql += " AND c.owner_id " + ("= :me" if ownership == "mine" else "!= :me")
    rows = rows_of(ctx, sql + " ORDER BY c.owner_id != :me, c.is_primary DESC, c.name, c.id", **params)
    return calendar_details(ctx, rows)


@app.api("GET", "/calendars/{calendar_id}", CALENDAR)
def show_calendar(ctx: CallContext, calendar_id: CALENDAR_ID) -> dict[str, Any]:
    """Show one of your calendars (or one shared with you)."""
    visible_calendar(ctx, calendar_id)
    rows = rows_of(ctx, CALENDARS_SQL + " AND c.id = :id", me=ctx.user_id, id=calendar_id)
    return calendar_details(ctx, rows)[0]


@app.api("POST", "/calendars", {"message": "string", "calendar_id": 1})
def create_calendar(
    ctx: CallContext,
    name: Annotated[str, P("The calendar's name.", min_length=1, max_length=100)],
    kind: Annotated[Kind, P("What the calendar is for.")] = "other",
    color: Annotated[Color, P("The color its events are shown in.")] = "blue",
    description: Annotated[str, P("A description.", max_length=500)] = "",
) -> dict[str, Any]:
    """Create a new calendar of your own."""
    new_id = ctx.insert_unique(
        "calendar_calendars",
        {"owner_id": ctx.user_id, "name": name},
        f"You already have a calendar named {name!r}.",
        {
            "kind": kind,
            "color": color,
            "description": description,
            "is_visible": 1,
            "is_primary": 0,
            "created_at": ctx.timestamp(),
        },
    )
    return {"message": "Calendar created.", "calendar_id": new_id}


@app.api("PATCH", "/calendars/{calendar_id}", MESSAGE)
def update_calendar(
    ctx: CallContext,
    calendar_id: CALENDAR_ID,
    name: Annotated[str | None, P("New name; null keeps it.", min_length=1, max_length=100)] = None,
    color: Annotated[Color | None, P("New color; null keeps it.")] = None,
    description: Annotated[str | None, P("New description; null keeps it.", max_length=500)] = None,
    is_visible: Annotated[
        bool | None, P("Show (true) or hide (false) its events in the agenda; null keeps it.")
    ] = None,
) -> dict[str, str]:
    """Rename, recolor, describe, hide or show a calendar you own."""
    owned_calendar(ctx, calendar_id)
    if name is not None and ctx.value(
        "SELECT 1 FROM calendar_calendars WHERE owner_id = ? AND name = ? AND id != ?", ctx.user_id, name, calendar_id
    ):
        raise ApiError(409, f"You already have a calendar named {name!r}.")
    ctx.update(
        "calendar_calendars",
        calendar_id,
        {
            "name": name,
            "color": color,
            "description": description,
            "is_visible": None if is_visible is None else int(is_visible),
        },
    )
    return {"message": "Calendar updated."}


@app.api("DELETE", "/calendars/{calendar_id}", MESSAGE)
def delete_calendar(ctx: CallContext, calendar_id: CALENDAR_ID) -> dict[str, str]:
    """Delete a calendar you own with all its events (your primary calendar cannot be deleted)."""
    if owned_calendar(ctx, calendar_id)["is_primary"]:
        raise ApiError(409, f"Calendar {calendar_id} is your primary calendar and cannot be deleted.")
    events = "SELECT id FROM calendar_events WHERE calendar_id = ?"
    for sql in (
        f"DELETE FROM calendar_attendees WHERE event_id IN ({events})",
        f"DELETE FROM calendar_reminders WHERE event_id IN ({events})",
        f"DELETE FROM calendar_notes WHERE event_id IN ({events})",
        f"DELETE FROM calendar_exceptions WHERE event_id IN ({events})",
        "DELETE FROM calendar_events WHERE calendar_id = ?",
        "DELETE FROM calendar_shares WHERE calendar_id = ?",
        "DELETE FROM calendar_calendars WHERE id = ?",
    ):
        ctx.execute(sql, calendar_id)
    return {"message": "Calendar deleted."}


@app.api("POST", "/calendars/{calendar_id}/shares", MESSAGE)
def share_calendar(
    ctx: CallContext,
    calendar_id: CALENDAR_ID,
    email: EMAIL,
    permission: Annotated[Permission, P("'view' to see its events, 'edit' to also change them.")] = "view",
) -> dict[str, str]:
    """Share a calendar you own with someone, or change what they may do with it."""
    owned_calendar(ctx, calendar_id)
    who = person_id(ctx, email, "email")
    if who == ctx.user_id:
        raise ApiError(422, "Invalid argument 'email': you own this calendar already.")
    current = ctx.value(
        "SELECT permission FROM calendar_shares WHERE calendar_id = ? AND person_id = ?", calendar_id, who
    )
    if current == permission:
        raise ApiError(409, f"Calendar {calendar_id} is already shared with {email} ({permission}).")
    if current is None:
        ctx.execute(
            "INSERT INTO calendar_shares (calendar_id, person_id, permission, created_at) VALUES (?,?,?,?)",
            calendar_id,
            who,
            permission,
            ctx.timestamp(),
        )
    else:
        ctx.execute(
            "UPDATE calendar_shares SET permission = ? WHERE calendar_id = ? AND person_id = ?",
            permission,
            calendar_id,
            who,
        )
    return {"message": f"Calendar shared with {email} ({permission})."}


@app.api("DELETE", "/calendars/{calendar_id}/shares", MESSAGE)
def unshare_calendar(ctx: CallContext, calendar_id: CALENDAR_ID, email: EMAIL) -> dict[str, str]:
    """Stop sharing a calendar you own with someone."""
    owned_calendar(ctx, calendar_id)
    ctx.delete_existing(
        "calendar_shares",
        {"calendar_id": calendar_id, "person_id": person_id(ctx, email, "email")},
        f"Calendar {calendar_id} is not shared with {email}.",
    )
    return {"message": "Calendar no longer shared."}


@app.api(
    "GET",
    "/calendars/{calendar_id}/shares",
    [{**PERSON, "permission": "string", "shared_at": "string"}],
    paginated=True,
)
def show_calendar_shares(ctx: CallContext, calendar_id: CALENDAR_ID) -> list[dict[str, Any]]:
    """Who a calendar you can see is shared with, and what they may do."""
    visible_calendar(ctx, calendar_id)
    rows = ctx.rows(
        "SELECT person_id, permission, created_at FROM calendar_shares WHERE calendar_id = ? ORDER BY id", calendar_id
    )
    people = people_of(ctx, [r["person_id"] for r in rows])
    return [{**people[r["person_id"]], "permission": r["permission"], "shared_at": r["created_at"]} for r in rows]


@app.api("DELETE", "/calendars/{calendar_id}/membership", MESSAGE)
def leave_shared_calendar(ctx: CallContext, calendar_id: CALENDAR_ID) -> dict[str, str]:
    """Remove a calendar someone shared with you from your list."""
    if visible_calendar(ctx, calendar_id)["permission"] == "owner":
        raise ApiError(409, f"Calendar {calendar_id} is yours; delete it with delete_calendar instead.")
    ctx.execute("DELETE FROM calendar_shares WHERE calendar_id = ? AND person_id = ?", calendar_id, ctx.user_id)
    return {"message": "Calendar removed from your list."}
