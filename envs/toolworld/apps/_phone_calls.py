"""phone: the call log and placing calls (a missed call can leave a voicemail)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from envs.toolworld.api import ApiError, CallContext, P, Page
from envs.toolworld.apps._day_args import day_text
from envs.toolworld.apps._phone_settings import silences_call
from envs.toolworld.apps._sql_page import sql_page
from envs.toolworld.apps.phone import DATE, DONE, ID, NUMBER, app, blocked_by, normalize_phone

Direction = Literal["incoming", "outgoing", "missed"]
CALL = {
    "call_id": 1,
    "phone_number": "string",
    "contact_name": "string",
    "direction": "string",
    "started_at": "string",
    "duration_seconds": 1,
}
SORTS = {
    "-started_at": "started_at DESC, id DESC",
    "started_at": "started_at, id",
    "-duration_seconds": "duration_seconds DESC, started_at DESC, id DESC",
}
# the caller's name as saved in the owner's contacts (the first entry if saved twice), else null
CONTACT_NAME = (
    "(SELECT c.first_name || ' ' || c.last_name FROM phone_contacts c WHERE c.owner_id = x.owner_id "
    "AND c.phone_number = x.phone_number ORDER BY c.id LIMIT 1)"
)


CALLS = (
    f"SELECT x.id AS call_id, x.phone_number, {CONTACT_NAME} AS contact_name, x.direction, x.started_at, "
    "x.duration_seconds FROM phone_calls x WHERE x.owner_id = ?"
)


def logged_calls(
    ctx: CallContext,
    direction: Direction | None = None,
    phone_number: str | None = None,
    started_after: str | None = None,
    started_before: str | None = None,
    min_duration_seconds: int = 0,
) -> tuple[str, list[Any]]:
    """The query (without ORDER BY) of the caller's calls that pass the filters of show_call_history, and its
    arguments."""
    where, args = ["x.duration_seconds >= ?"], list[Any]([ctx.user_id, min_duration_seconds])
    for column, value in (("direction", direction), ("phone_number", phone_number)):
        if value is not None:
            where.append(f"x.{column} = ?")
            args.append(normalize_phone(value) if column == "phone_number" else value)
    for bound, value, op in (("started_after", started_after, ">="), ("started_before", started_before, "<")):
        if value is not None:
            where.append(f"x.started_at {op} ?")
            args.append(day_text(bound, value))
    return f"{CALLS} AND {' AND '.join(where)}", args


def call_log(ctx: CallContext, **filters: Any) -> list[dict[str, Any]]:
    """Every call of the caller's log that passes `filters` (those of logged_calls), newest first: the whole list
    show_call_history pages through, for the scenarios' oracles."""
    query, args = logged_calls(ctx, **filters)
    return ctx.rows(f"{query} ORDER BY {SORTS['-started_at']}", *args)


@app.api("GET", "/calls", [CALL], paginated=True)
def show_call_history(
    ctx: CallContext,
    direction: Annotated[Direction | None, P("Only incoming, outgoing or missed calls.")] = None,
    phone_number: Annotated[str | None, P("Only calls with this 10-digit number.", max_length=30)] = None,
    started_after: DATE = None,
    started_before: DATE = None,
    min_duration_seconds: Annotated[int, P("Only calls that lasted at least this long.", ge=0, le=86_400)] = 0,
    sort_by: Annotated[
        Literal["-started_at", "started_at", "-duration_seconds"], P("Newest first, oldest first or longest first.")
    ] = "-started_at",
) -> Page:
    """List the calls in your call log."""
    query, args = logged_calls(ctx, direction, phone_number, started_after, started_before, min_duration_seconds)
    return sql_page(ctx, query, SORTS[sort_by], *args)


@app.api("GET", "/calls/{call_id}", CALL)
def show_call(ctx: CallContext, call_id: ID) -> dict[str, Any]:
    """Show one call of your call log."""
    found = ctx.row(f"{CALLS} AND x.id = ?", ctx.user_id, call_id)
    if found is None:
        raise ApiError(404, f"No call with id {call_id} in your call log.")
    return found


@app.api("POST", "/calls", {"message": "string", "call_id": 1, "answered": True})
def make_call(
    ctx: CallContext,
    phone_number: NUMBER,
    duration_minutes: Annotated[int, P("How long you talk if they answer.", ge=1, le=240)] = 1,
    voicemail_message: Annotated[
        str | None, P("What to say on their voicemail if they do not answer.", min_length=1, max_length=2000)
    ] = None,
) -> dict[str, Any]:
    """Call a number. People in the world answer unless they blocked you or do-not-disturb silences you."""
    number = normalize_phone(phone_number)
    mine = ctx.value("SELECT phone_number FROM people WHERE id = ?", ctx.user_id)
    if number == mine:
        raise ApiError(422, "Invalid argument 'phone_number': that is your own number.")
    callee = ctx.value("SELECT id FROM people WHERE phone_number = ?", number)
    answered = callee is not None and not blocked_by(ctx, callee) and not silences_call(ctx, callee, mine)
    seconds = duration_minutes * 60 if answered else 0
    stamp = ctx.timestamp()
    call_id = ctx.execute(
        "INSERT INTO phone_calls (owner_id, phone_number, direction, started_at, duration_seconds) VALUES (?,?,?,?,?)",
        ctx.user_id,
        number,
        "outgoing",
        stamp,
        seconds,
    )
    message = "The call was answered." if answered else "No answer."
    if callee is not None and not blocked_by(ctx, callee):
        ctx.execute(
            "INSERT INTO phone_calls (owner_id, phone_number, direction, started_at, duration_seconds) "
            "VALUES (?,?,?,?,?)",
            callee,
            mine,
            "incoming" if answered else "missed",
            stamp,
            seconds,
        )
        if not answered and voicemail_message is not None:
            ctx.execute(
                "INSERT INTO phone_voicemails (owner_id, phone_number, transcript, duration_seconds, left_at, "
                "is_heard) VALUES (?,?,?,?,?,0)",
                callee,
                mine,
                voicemail_message,
                max(5, len(voicemail_message) // 12),
                stamp,
            )
            message += " You left a voicemail."
    return {"message": message, "call_id": call_id, "answered": answered}


@app.api("DELETE", "/calls/{call_id}", DONE)
def delete_call_record(ctx: CallContext, call_id: ID) -> dict[str, str]:
    """Remove one call from your call log."""
    ctx.owned("phone_calls", call_id, "call in your call log")
    ctx.execute("DELETE FROM phone_calls WHERE id = ?", call_id)
    return {"message": "Call removed from your call log."}


@app.api("DELETE", "/calls", {"message": "string", "deleted": 1})
def clear_call_history(
    ctx: CallContext,
    direction: Annotated[Direction | None, P("Only clear calls of this kind; null clears them all.")] = None,
) -> dict[str, Any]:
    """Clear your call log, or only its incoming, outgoing or missed calls."""
    only, args = ("", []) if direction is None else (" AND direction = ?", [direction])
    deleted = ctx.value(f"SELECT COUNT(*) FROM phone_calls WHERE owner_id = ?{only}", ctx.user_id, *args)
    ctx.execute(f"DELETE FROM phone_calls WHERE owner_id = ?{only}", ctx.user_id, *args)
    return {"message": f"Cleared {deleted} calls.", "deleted": deleted}
