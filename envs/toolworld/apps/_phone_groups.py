"""phone: group chats: who is in them, their messages, and managing members."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, CallContext, P
from envs.toolworld.apps.phone import DONE, NUMBER, app, normalize_phone, parties, words_match

PARTY = {"name": "string", "phone_number": "string"}
GROUP = {
    "group_chat_id": 1,
    "name": "string",
    "created_by": PARTY,
    "created_at": "string",
    "members": [PARTY],
    "message_count": 1,
    "last_message_at": "string",
}
GROUP_MESSAGE = {"group_message_id": 1, "sender": PARTY, "message": "string", "sent_at": "string"}
GROUP_ID = Annotated[int, P("The group chat's id.", ge=1)]
GROUP_NAME = Annotated[str, P("The group chat's name.", min_length=1, max_length=60)]


def _groups(ctx: CallContext, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = ",".join(str(int(r["id"])) for r in rows) or "0"
    members: dict[int, list[int]] = {}
    for m in ctx.rows(f"SELECT group_id, person_id FROM phone_group_members WHERE group_id IN ({ids}) ORDER BY id"):
        members.setdefault(m["group_id"], []).append(m["person_id"])
    stats = {
        s["group_id"]: s
        for s in ctx.rows(
            "SELECT group_id, COUNT(*) AS n, MAX(sent_at) AS last FROM phone_group_messages "
            f"WHERE group_id IN ({ids}) GROUP BY group_id"
        )
    }
    people = parties(ctx, {p for ms in members.values() for p in ms} | {r["created_by"] for r in rows})
    return [
        {
            "group_chat_id": r["id"],
            "name": r["name"],
            "created_by": people[r["created_by"]],
            "created_at": r["created_at"],
            "members": [people[p] for p in members.get(r["id"], [])],
            "message_count": stats[r["id"]]["n"] if r["id"] in stats else 0,
            "last_message_at": stats[r["id"]]["last"] if r["id"] in stats else None,
        }
        for r in rows
    ]


def _group_row(ctx: CallContext, group_id: int) -> dict[str, Any]:
    """A group chat the caller is in, or 404."""
    row = ctx.row(
        "SELECT g.* FROM phone_group_chats g JOIN phone_group_members m ON m.group_id = g.id "
        "WHERE g.id = ? AND m.person_id = ?",
        group_id,
        ctx.user_id,
    )
    if row is None:
        raise ApiError(404, f"No group chat with id {group_id} that you are in.")
    return row


def _person(ctx: CallContext, phone_number: str, argument: str = "phone_number") -> int:
    found = ctx.value("SELECT id FROM people WHERE phone_number = ?", normalize_phone(phone_number, argument))
    if found is None:
        raise ApiError(404, f"No phone with number {phone_number}.")
    return found


@app.api("GET", "/groups", [GROUP], paginated=True)
def show_group_chats(
    ctx: CallContext,
    query: Annotated[str, P("Words to match in the group's name; empty lists all.", max_length=QUERY_MAX_CHARS)] = "",
) -> list[dict[str, Any]]:
    """List the group chats you are in, most recently active first."""
    match, args = words_match("g.name", query)
    rows = ctx.rows(
        "SELECT g.* FROM phone_group_chats g JOIN phone_group_members m ON m.group_id = g.id "
        f"WHERE m.person_id = ?{match} ORDER BY coalesce((SELECT MAX(sent_at) FROM phone_group_messages x "
        "WHERE x.group_id = g.id), g.created_at) DESC, g.id DESC",
        ctx.user_id,
        *args,
    )
    return _groups(ctx, rows)


@app.api("GET", "/groups/{group_chat_id}", GROUP)
def show_group_chat(ctx: CallContext, group_chat_id: GROUP_ID) -> dict[str, Any]:
    """Show one group chat you are in, with its members."""
    return _groups(ctx, [_group_row(ctx, group_chat_id)])[0]


@app.api("POST", "/groups", {"message": "string", "group_chat_id": 1})
def create_group_chat(
    ctx: CallContext,
    name: GROUP_NAME,
    phone_numbers: Annotated[
        list[str], P("The 10-digit numbers of the other members (you are added too).", min_length=1, max_length=50)
    ],
) -> dict[str, Any]:
    """Start a group chat with you and the people you give."""
    others = list(dict.fromkeys(_person(ctx, n, f"phone_numbers[{i}]") for i, n in enumerate(phone_numbers)))
    if others == [ctx.user_id] or not [p for p in others if p != ctx.user_id]:
        raise ApiError(422, "Invalid argument 'phone_numbers': a group needs at least one other person.")
    stamp = ctx.timestamp()
    group_id = ctx.execute(
        "INSERT INTO phone_group_chats (name, created_by, created_at) VALUES (?,?,?)", name, ctx.user_id, stamp
    )
    for person in dict.fromkeys([ctx.caller, *others]):
        ctx.execute(
            "INSERT INTO phone_group_members (group_id, person_id, joined_at) VALUES (?,?,?)", group_id, person, stamp
        )
    return {"message": "Group chat created.", "group_chat_id": group_id}


@app.api("PATCH", "/groups/{group_chat_id}", DONE)
def rename_group_chat(ctx: CallContext, group_chat_id: GROUP_ID, name: GROUP_NAME) -> dict[str, str]:
    """Rename a group chat you are in (every member sees the new name)."""
    _group_row(ctx, group_chat_id)
    ctx.execute("UPDATE phone_group_chats SET name = ? WHERE id = ?", name, group_chat_id)
    return {"message": "Group chat renamed."}


@app.api("POST", "/groups/{group_chat_id}/members", DONE)
def add_group_chat_member(ctx: CallContext, group_chat_id: GROUP_ID, phone_number: NUMBER) -> dict[str, str]:
    """Add someone to a group chat you are in."""
    _group_row(ctx, group_chat_id)
    ctx.insert_unique(
        "phone_group_members",
        {"group_id": group_chat_id, "person_id": _person(ctx, phone_number)},
        f"{phone_number} is already in group chat {group_chat_id}.",
        {"joined_at": ctx.timestamp()},
    )
    return {"message": "Member added."}


@app.api("DELETE", "/groups/{group_chat_id}/members/{phone_number}", DONE)
def remove_group_chat_member(ctx: CallContext, group_chat_id: GROUP_ID, phone_number: NUMBER) -> dict[str, str]:
    """Remove someone from a group chat you created (to leave one yourself, use leave_group_chat)."""
    group = _group_row(ctx, group_chat_id)
    if group["created_by"] != ctx.user_id:
        raise ApiError(403, f"Only the creator of group chat {group_chat_id} can remove members.")
    person = _person(ctx, phone_number)
    if person == ctx.user_id:
        raise ApiError(422, "Invalid argument 'phone_number': that is you; use leave_group_chat.")
    ctx.delete_existing(
        "phone_group_members",
        {"group_id": group_chat_id, "person_id": person},
        f"{phone_number} is not in group chat {group_chat_id}.",
    )
    return {"message": "Member removed."}


@app.api("DELETE", "/groups/{group_chat_id}/members", DONE)
def leave_group_chat(ctx: CallContext, group_chat_id: GROUP_ID) -> dict[str, str]:
    """Leave a group chat; the others keep it and its messages."""
    _group_row(ctx, group_chat_id)
    ctx.execute("DELETE FROM phone_group_members WHERE group_id = ? AND person_id = ?", group_chat_id, ctx.user_id)
    return {"message": "You left the group chat."}


@app.api("POST", "/groups/{group_chat_id}/messages", {"message": "string", "group_message_id": 1})
def send_group_message(
    ctx: CallContext,
    group_chat_id: GROUP_ID,
    message: Annotated[str, P("The text to send to the group.", min_length=1, max_length=2000)],
) -> dict[str, Any]:
    """Send a message to a group chat you are in."""
    _group_row(ctx, group_chat_id)
    new_id = ctx.execute(
        "INSERT INTO phone_group_messages (group_id, sender_id, message, sent_at) VALUES (?,?,?,?)",
        group_chat_id,
        ctx.user_id,
        message,
        ctx.timestamp(),
    )
    return {"message": "Message sent to the group.", "group_message_id": new_id}


@app.api("GET", "/groups/{group_chat_id}/messages", [GROUP_MESSAGE], paginated=True)
def show_group_messages(
    ctx: CallContext,
    group_chat_id: GROUP_ID,
    query: Annotated[str, P("Words the message must contain; empty matches all.", max_length=QUERY_MAX_CHARS)] = "",
    sort_by: Annotated[
        Literal["-sent_at", "sent_at"], P("Newest first ('-sent_at') or oldest first ('sent_at').")
    ] = "-sent_at",
) -> list[dict[str, Any]]:
    """List the messages of a group chat you are in."""
    _group_row(ctx, group_chat_id)
    match, args = words_match("message", query)
    order = "DESC" if sort_by == "-sent_at" else "ASC"
    rows = ctx.rows(
        f"SELECT * FROM phone_group_messages WHERE group_id = ?{match} ORDER BY sent_at {order}, id {order}",
        group_chat_id,
        *args,
    )
    people = parties(ctx, {r["sender_id"] for r in rows})
    return [
        {
            "group_message_id": r["id"],
            "sender": people[r["sender_id"]],
            "message": r["message"],
            "sent_at": r["sent_at"],
        }
        for r in rows
    ]
