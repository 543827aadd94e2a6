"""phone: text messages seen as conversations, one per person, and their read state."""

from __future__ import annotations

from typing import Annotated, Any

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, CallContext, P
from envs.toolworld.apps.phone import (
    DELETE_FOR_ME,
    DONE,
    ID,
    ON_MY_PHONE,
    RECEIVED,
    app,
    person_with_number,
    text_message_row,
    words_match,
)

CONVERSATION = {
    "name": "string",
    "phone_number": "string",
    "last_message": "string",
    "last_sent_at": "string",
    "message_count": 1,
    "unread_count": 1,
}
NUMBER = Annotated[str, P("The other person's 10-digit phone number.", max_length=30)]


@app.api("GET", "/conversations", [CONVERSATION], paginated=True)
def show_conversations(
    ctx: CallContext,
    query: Annotated[
        str, P("Words to match in the other person's name or number; empty lists all.", max_length=QUERY_MAX_CHARS)
    ] = "",
    unread_only: Annotated[bool, P("Only conversations with messages you have not read.")] = False,
) -> list[dict[str, Any]]:
    """List your text conversations, one per person, most recent first."""
    match, args = words_match("p.first_name || ' ' || p.last_name || ' ' || p.phone_number", query)
    # SQLite fills the bare column `message` from the row holding the MAX: the latest message, the newest id on a tie
    return ctx.rows(
        "SELECT p.first_name || ' ' || p.last_name AS name, p.phone_number, c.last_message, "
        "substr(c.latest, 1, 19) AS last_sent_at, "
        "c.message_count, c.unread_count FROM (SELECT CASE WHEN sender_id = ? THEN receiver_id ELSE sender_id END "
        "AS other, message AS last_message, MAX(sent_at || printf('%012d', id)) AS latest, COUNT(*) AS message_count, "
        "SUM(receiver_id = ? AND is_read = 0) AS unread_count FROM phone_messages "
        f"WHERE {ON_MY_PHONE} "
        f"GROUP BY other) c JOIN people p ON p.id = c.other WHERE 1{match}"
        + (" AND c.unread_count > 0" if unread_only else "")
        + " ORDER BY c.latest DESC, p.id",
        *[ctx.user_id] * 4,
        *args,
    )


def _other(ctx: CallContext, phone_number: str) -> int:
    other = person_with_number(ctx, phone_number)
    if other is None or not ctx.value(
        f"SELECT 1 FROM phone_messages WHERE ? IN (sender_id, receiver_id) AND {ON_MY_PHONE}",
        other,
        ctx.user_id,
        ctx.user_id,
    ):
        raise ApiError(404, f"You have no conversation with {phone_number}.")
    return other


@app.api("PATCH", "/conversations/{phone_number}/read", {"message": "string", "marked": 1})
def mark_conversation_read(ctx: CallContext, phone_number: NUMBER) -> dict[str, Any]:
    """Mark every message you received from this person as read."""
    other = _other(ctx, phone_number)
    unread = f"sender_id = ? AND {RECEIVED} AND is_read = 0"
    marked = ctx.value(f"SELECT COUNT(*) FROM phone_messages WHERE {unread}", other, ctx.user_id, ctx.user_id)
    ctx.execute(f"UPDATE phone_messages SET is_read = 1 WHERE {unread}", other, ctx.user_id, ctx.user_id)
    return {"message": f"Marked {marked} messages read.", "marked": marked}


@app.api("DELETE", "/conversations/{phone_number}", {"message": "string", "deleted": 1})
def delete_conversation(ctx: CallContext, phone_number: NUMBER) -> dict[str, Any]:
    """Delete every text message between you and this person from your phone (their phone keeps them)."""
    other = _other(ctx, phone_number)
    where = f"? IN (sender_id, receiver_id) AND {ON_MY_PHONE}"
    deleted = ctx.value(f"SELECT COUNT(*) FROM phone_messages WHERE {where}", other, ctx.user_id, ctx.user_id)
    ctx.execute(DELETE_FOR_ME + where, ctx.caller, other, ctx.user_id, ctx.user_id)
    return {"message": f"Deleted {deleted} messages.", "deleted": deleted}


@app.api("PATCH", "/messages/{text_message_id}/read", DONE)
def mark_text_message_read(
    ctx: CallContext,
    text_message_id: ID,
    is_read: Annotated[bool, P("True to mark it read, false for unread.")] = True,
) -> dict[str, str]:
    """Mark one text message you received as read (or unread)."""
    row = text_message_row(ctx, text_message_id)
    if row["receiver_id"] != ctx.user_id:
        raise ApiError(409, f"Text message {text_message_id} is one you sent; only received messages are unread.")
    state = "read" if is_read else "unread"
    if row["is_read"] == int(is_read):
        raise ApiError(409, f"Text message {text_message_id} is already {state}.")
    ctx.execute("UPDATE phone_messages SET is_read = ? WHERE id = ?", int(is_read), text_message_id)
    return {"message": f"Text message marked {state}."}
