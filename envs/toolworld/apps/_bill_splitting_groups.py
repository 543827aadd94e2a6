"""bill_splitting: groups, their members, archiving, and invitations to join."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, CallContext, P
from envs.toolworld.apps._bill_splitting_core import (
    EMAIL,
    GROUP_ID,
    MESSAGE,
    PERSON,
    GroupType,
    app,
    balances_by_group,
    group_balance,
    member,
    my_group,
    pair_debts,
    people_of,
    person_id,
)
from envs.toolworld.apps._text_search import words_clause

GROUP = {
    "group_id": 1,
    "name": "string",
    "group_type": "string",
    "description": "string",
    "members": [PERSON],
    "created_at": "string",
    "my_balance": 1.0,
    "is_archived": True,
    "simplify_debts": True,
}
INVITATION = {
    "invitation_id": 1,
    "group_id": 1,
    "group_name": "string",
    "inviter": PERSON,
    "invitee": PERSON,
    "status": "string",
    "message": "string",
    "created_at": "string",
    "responded_at": "string",
}
INVITATION_ID = Annotated[int, P("The invitation's id.", ge=1)]
Status = Literal["pending", "accepted", "declined", "cancelled"]


def group_details(ctx: CallContext, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The API view of group rows (with the caller's `is_archived`), in a fixed number of queries."""
    ids = json.dumps([r["id"] for r in rows])
    members: dict[int, list[int]] = {}
    for m in ctx.rows(
        "SELECT group_id, person_id FROM bill_splitting_members WHERE group_id IN (SELECT value FROM json_each(?)) "
        "ORDER BY person_id",
        ids,
    ):
        members.setdefault(m["group_id"], []).append(m["person_id"])
    people = people_of(ctx, [p for ms in members.values() for p in ms])
    balances = balances_by_group(ctx.conn, ctx.caller)
    return [
        {
            "group_id": r["id"],
            "name": r["name"],
            "group_type": r["group_type"],
            "description": r["description"],
            "members": [people[p] for p in members.get(r["id"], [])],
            "created_at": r["created_at"],
            "my_balance": balances.get(r["id"], 0.0),
            "is_archived": bool(r["is_archived"]),
            "simplify_debts": bool(r["simplify_debts"]),
        }
        for r in rows
    ]


@app.api("GET", "/groups", [GROUP], paginated=True)
def show_groups(
    ctx: CallContext,
    query: Annotated[str, P("Words to match in the group's name; empty lists all.", max_length=QUERY_MAX_CHARS)] = "",
    status: Annotated[Literal["all", "active", "archived"], P("Which groups, by whether you archived them.")] = "all",
    group_type: Annotated[GroupType | None, P("Only groups of this type.")] = None,
) -> list[dict[str, Any]]:
    """List the groups you belong to, by name."""
    words, args = words_clause(query, ["g.name"])
    sql = (
        "SELECT g.*, m.is_archived FROM bill_splitting_groups g JOIN bill_splitting_members m ON m.group_id = g.id "
        "WHERE m.person_id = ?" + words
    )
    params: list[Any] = [ctx.user_id, *args]
    if status != "all":
        sql += " AND m.is_archived = ?"
        params.append(int(status == "archived"))
    if group_type is not None:
        sql += " AND g.group_type = ?"
        params.append(group_type)
    return group_details(ctx, ctx.rows(sql + " ORDER BY g.name, g.id", *params))


@app.api("GET", "/groups/{group_id}", GROUP)
def show_group(ctx: CallContext, group_id: GROUP_ID) -> dict[str, Any]:
    """Show one of your groups with its members and your balance in it."""
    return group_details(ctx, [my_group(ctx, group_id)])[0]


@app.api("POST", "/groups", {"message": "string", "group_id": 1})
def create_group(
    ctx: CallContext,
    name: Annotated[str, P("The group's name.", min_length=1, max_length=100)],
    member_emails: Annotated[list[str], P("Emails of the other members; you are added yourself.", max_length=100)],
    group_type: Annotated[GroupType, P("What the group is for.")] = "other",
    description: Annotated[str, P("A description of the group.", max_length=500)] = "",
) -> dict[str, Any]:
    """Create a group with you and the given people."""
    people = {ctx.caller, *(person_id(ctx, e, f"member_emails[{i}]") for i, e in enumerate(member_emails))}
    group_id = ctx.execute(
        "INSERT INTO bill_splitting_groups (name, created_by, created_at, group_type, description) VALUES (?,?,?,?,?)",
        name,
        ctx.user_id,
        ctx.timestamp(),
        group_type,
        description,
    )
    for who in sorted(people):
        ctx.execute(
            "INSERT INTO bill_splitting_members (group_id, person_id, joined_at) VALUES (?,?,?)",
            group_id,
            who,
            ctx.timestamp(),
        )
    return {"message": "Group created.", "group_id": group_id}


@app.api("PATCH", "/groups/{group_id}", MESSAGE)
def rename_group(
    ctx: CallContext, group_id: GROUP_ID, name: Annotated[str, P("The new name.", min_length=1, max_length=100)]
) -> dict[str, str]:
    """Rename a group you belong to."""
    my_group(ctx, group_id)
    ctx.execute("UPDATE bill_splitting_groups SET name = ? WHERE id = ?", name, group_id)
    return {"message": "Group renamed."}


@app.api("PATCH", "/groups/{group_id}/settings", MESSAGE)
def update_group(
    ctx: CallContext,
    group_id: GROUP_ID,
    group_type: Annotated[GroupType | None, P("The new type; null keeps it.")] = None,
    description: Annotated[str | None, P("The new description; null keeps it.", max_length=500)] = None,
    simplify_debts: Annotated[
        bool | None, P("Whether to show debts simplified to the fewest payments; null keeps it.")
    ] = None,
) -> dict[str, str]:
    """Change a group's type, description or debt simplification."""
    my_group(ctx, group_id)
    ctx.update(
        "bill_splitting_groups",
        group_id,
        {
            "group_type": group_type,
            "description": description,
            "simplify_debts": None if simplify_debts is None else int(simplify_debts),
        },
    )
    return {"message": "Group updated."}


@app.api("POST", "/groups/{group_id}/members", MESSAGE)
def add_group_member(ctx: CallContext, group_id: GROUP_ID, email: EMAIL) -> dict[str, str]:
    """Add someone to a group you belong to right away (invite_to_group asks them first)."""
    my_group(ctx, group_id)
    who = person_id(ctx, email, "email")
    ctx.insert_unique(
        "bill_splitting_members",
        {"group_id": group_id, "person_id": who},
        f"{email} is already in group {group_id}.",
        {"joined_at": ctx.timestamp()},
    )
    return {"message": "Member added."}


def _remove(ctx: CallContext, group_id: int, who: int, email: str) -> None:
    balance = group_balance(ctx.conn, group_id, who)
    if balance:
        raise ApiError(409, f"{email} has a balance of {balance:.2f} in group {group_id}; settle up first.")
    ctx.execute("DELETE FROM bill_splitting_members WHERE group_id = ? AND person_id = ?", group_id, who)


@app.api("DELETE", "/groups/{group_id}/members", MESSAGE)
def remove_group_member(ctx: CallContext, group_id: GROUP_ID, email: EMAIL) -> dict[str, str]:
    """Remove someone (or yourself) from a group; only possible when their balance in it is zero."""
    my_group(ctx, group_id)
    _remove(ctx, group_id, member(ctx, group_id, email, "email"), email)
    return {"message": "Member removed."}


@app.api("DELETE", "/groups/{group_id}/membership", MESSAGE)
def leave_group(ctx: CallContext, group_id: GROUP_ID) -> dict[str, str]:
    """Leave a group; only possible when your balance in it is zero."""
    my_group(ctx, group_id)
    _remove(ctx, group_id, ctx.caller, "You")
    return {"message": "You left the group."}


@app.api("DELETE", "/groups/{group_id}", MESSAGE)
def delete_group(ctx: CallContext, group_id: GROUP_ID) -> dict[str, str]:
    """Delete a group with its expenses; only possible when everyone in it is settled up."""
    my_group(ctx, group_id)
    if pair_debts(ctx.conn, group_id):
        raise ApiError(409, f"Group {group_id} still has debts (see show_group_debts); settle up first.")
    expenses = "SELECT id FROM bill_splitting_expenses WHERE group_id = ?"
    for sql in (
        f"DELETE FROM bill_splitting_comments WHERE expense_id IN ({expenses})",
        f"DELETE FROM bill_splitting_shares WHERE expense_id IN ({expenses})",
        "DELETE FROM bill_splitting_expenses WHERE group_id = ?",
        "DELETE FROM bill_splitting_settlements WHERE group_id = ?",
        "DELETE FROM bill_splitting_recurring WHERE group_id = ?",
        "DELETE FROM bill_splitting_reminders WHERE group_id = ?",
        "DELETE FROM bill_splitting_invitations WHERE group_id = ?",
        "DELETE FROM bill_splitting_members WHERE group_id = ?",
        "DELETE FROM bill_splitting_groups WHERE id = ?",
    ):
        ctx.execute(sql, group_id)
    return {"message": "Group deleted."}


def _set_archived(ctx: CallContext, group_id: int, archived: bool) -> None:
    if bool(my_group(ctx, group_id)["is_archived"]) == archived:
        raise ApiError(409, f"Group {group_id} is already {'archived' if archived else 'active'} for you.")
    ctx.execute(
        "UPDATE bill_splitting_members SET is_archived = ? WHERE group_id = ? AND person_id = ?",
        int(archived),
        group_id,
        ctx.user_id,
    )


@app.api("POST", "/groups/{group_id}/archive", MESSAGE)
def archive_group(ctx: CallContext, group_id: GROUP_ID) -> dict[str, str]:
    """Archive a group for yourself (it stays for the others), to hide it from your active groups."""
    _set_archived(ctx, group_id, True)
    return {"message": "Group archived."}


@app.api("DELETE", "/groups/{group_id}/archive", MESSAGE)
def unarchive_group(ctx: CallContext, group_id: GROUP_ID) -> dict[str, str]:
    """Bring a group you archived back to your active groups."""
    _set_archived(ctx, group_id, False)
    return {"message": "Group restored."}


def _invitations(ctx: CallContext, where: str, args: list[Any]) -> list[dict[str, Any]]:
    rows = ctx.rows(
        "SELECT i.*, g.name AS group_name FROM bill_splitting_invitations i "
        f"JOIN bill_splitting_groups g ON g.id = i.group_id WHERE {where} ORDER BY i.created_at DESC, i.id DESC",
        *args,
    )
    people = people_of(ctx, [r["inviter_id"] for r in rows] + [r["invitee_id"] for r in rows])
    return [
        {
            "invitation_id": r["id"],
            "group_id": r["group_id"],
            "group_name": r["group_name"],
            "inviter": people[r["inviter_id"]],
            "invitee": people[r["invitee_id"]],
            "status": r["status"],
            "message": r["message"],
            "created_at": r["created_at"],
            "responded_at": r["responded_at"],
        }
        for r in rows
    ]


@app.api("POST", "/groups/{group_id}/invitations", {"message": "string", "invitation_id": 1})
def invite_to_group(
    ctx: CallContext,
    group_id: GROUP_ID,
    email: EMAIL,
    message: Annotated[str, P("A note for the person you invite.", max_length=500)] = "",
) -> dict[str, Any]:
    """Invite someone to a group you belong to; they join when they accept."""
    my_group(ctx, group_id)
    who = person_id(ctx, email, "email")
    if ctx.value("SELECT 1 FROM bill_splitting_members WHERE group_id = ? AND person_id = ?", group_id, who):
        raise ApiError(409, f"{email} is already in group {group_id}.")
    new_id = ctx.insert_unique(
        "bill_splitting_invitations",
        {"group_id": group_id, "invitee_id": who, "status": "pending"},
        f"{email} already has a pending invitation to group {group_id}.",
        {"inviter_id": ctx.user_id, "message": message, "created_at": ctx.timestamp()},
    )
    return {"message": "Invitation sent.", "invitation_id": new_id}


@app.api("GET", "/invitations", [INVITATION], paginated=True)
def show_invitations(
    ctx: CallContext, status: Annotated[Status | None, P("Only invitations in this state.")] = "pending"
) -> list[dict[str, Any]]:
    """List the invitations you received to join groups, newest first (pending ones by default)."""
    if status is None:
        return _invitations(ctx, "i.invitee_id = ?", [ctx.user_id])
    return _invitations(ctx, "i.invitee_id = ? AND i.status = ?", [ctx.user_id, status])


@app.api("GET", "/invitations/sent", [INVITATION], paginated=True)
def show_sent_invitations(
    ctx: CallContext, status: Annotated[Status | None, P("Only invitations in this state; null for all.")] = None
) -> list[dict[str, Any]]:
    """List the invitations you sent, newest first."""
    if status is None:
        return _invitations(ctx, "i.inviter_id = ?", [ctx.user_id])
    return _invitations(ctx, "i.inviter_id = ? AND i.status = ?", [ctx.user_id, status])


def _pending(ctx: CallContext, invitation_id: int, column: str) -> dict[str, Any]:
    row = ctx.row(f"SELECT * FROM bill_splitting_invitations WHERE id = ? AND {column} = ?", invitation_id, ctx.user_id)
    if row is None:
        raise ApiError(404, f"No invitation with id {invitation_id} {'to' if column == 'invitee_id' else 'from'} you.")
    if row["status"] != "pending":
        raise ApiError(409, f"Invitation {invitation_id} is already {row['status']}.")
    return row


def _answer(ctx: CallContext, invitation_id: int, status: str) -> None:
    ctx.execute(
        "UPDATE bill_splitting_invitations SET status = ?, responded_at = ? WHERE id = ?",
        status,
        ctx.timestamp(),
        invitation_id,
    )


@app.api("POST", "/invitations/{invitation_id}/accept", MESSAGE)
def accept_invitation(ctx: CallContext, invitation_id: INVITATION_ID) -> dict[str, str]:
    """Accept an invitation: you join the group."""
    row = _pending(ctx, invitation_id, "invitee_id")
    _answer(ctx, invitation_id, "accepted")
    ctx.execute(
        "INSERT OR IGNORE INTO bill_splitting_members (group_id, person_id, joined_at) VALUES (?,?,?)",
        row["group_id"],
        ctx.user_id,
        ctx.timestamp(),
    )
    return {"message": "Invitation accepted; you joined the group."}


@app.api("POST", "/invitations/{invitation_id}/decline", MESSAGE)
def decline_invitation(ctx: CallContext, invitation_id: INVITATION_ID) -> dict[str, str]:
    """Decline an invitation to a group."""
    _pending(ctx, invitation_id, "invitee_id")
    _answer(ctx, invitation_id, "declined")
    return {"message": "Invitation declined."}


@app.api("DELETE", "/invitations/{invitation_id}", MESSAGE)
def cancel_invitation(ctx: CallContext, invitation_id: INVITATION_ID) -> dict[str, str]:
    """Withdraw a pending invitation you sent."""
    _pending(ctx, invitation_id, "inviter_id")
    _answer(ctx, invitation_id, "cancelled")
    return {"message": "Invitation cancelled."}
