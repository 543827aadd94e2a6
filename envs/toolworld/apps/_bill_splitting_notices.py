"""bill_splitting: what the user is told: payment reminders, the activity feed, and notification settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from envs.toolworld.api import ApiError, CallContext, P, Page
from envs.toolworld.apps._bill_splitting_core import (
    DATE_TO,
    EMAIL,
    GROUP_ID,
    MESSAGE,
    PERSON,
    Category,
    app,
    day_range,
    member,
    my_group,
    pair_debts,
    people_of,
)
from envs.toolworld.apps._day_args import DAY_DOC
from envs.toolworld.apps._sql_page import sql_page

REMINDER = {
    "reminder_id": 1,
    "group_id": 1,
    "group_name": "string",
    "sender": PERSON,
    "receiver": PERSON,
    "amount": 1.0,
    "message": "string",
    "created_at": "string",
    "is_read": True,
}
REMINDER_ID = Annotated[int, P("The reminder's id.", ge=1)]
ACTIVITY = {
    "kind": "string",
    "id": 1,
    "group_id": 1,
    "group_name": "string",
    "at": "string",
    "person": PERSON,
    "description": "string",
    "amount": 1.0,
}
SETTINGS = {
    "default_category": "string",
    "email_digest": "string",
    "notify_on_expense": True,
    "notify_on_comment": True,
    "notify_on_settlement": True,
}
DEFAULT_SETTINGS = {
    "default_category": "general",
    "email_digest": "weekly",
    "notify_on_expense": 1,
    "notify_on_comment": 1,
    "notify_on_settlement": 1,
}
Digest = Literal["never", "daily", "weekly", "monthly"]


@app.api("POST", "/groups/{group_id}/reminders", {"message": "string", "reminder_id": 1, "amount": 1.0})
def send_payment_reminder(
    ctx: CallContext,
    group_id: GROUP_ID,
    email: EMAIL,
    message: Annotated[str, P("A note to go with the reminder.", max_length=500)] = "",
) -> dict[str, Any]:
    """Remind a member of a group of what they owe you there (the amount is what they owe now)."""
    my_group(ctx, group_id)
    other = member(ctx, group_id, email, "email")
    owed = pair_debts(ctx.conn, group_id).get((other, ctx.caller))
    if owed is None:
        raise ApiError(409, f"{email} owes you nothing in group {group_id}.")
    new_id = ctx.execute(
        "INSERT INTO bill_splitting_reminders (group_id, sender_id, receiver_id, amount, message, created_at, is_read) "
        "VALUES (?,?,?,?,?,?,0)",
        group_id,
        ctx.user_id,
        other,
        owed,
        message,
        ctx.timestamp(),
    )
    return {"message": "Reminder sent.", "reminder_id": new_id, "amount": owed}


@app.api("GET", "/reminders", [REMINDER], paginated=True)
def show_reminders(
    ctx: CallContext,
    box: Annotated[Literal["received", "sent"], P("Reminders sent to you, or sent by you.")] = "received",
    unread_only: Annotated[bool, P("Only reminders not yet marked read.")] = False,
) -> list[dict[str, Any]]:
    """List payment reminders, newest first."""
    column = "receiver_id" if box == "received" else "sender_id"
    rows = ctx.rows(
        "SELECT r.*, g.name AS group_name FROM bill_splitting_reminders r "
        f"JOIN bill_splitting_groups g ON g.id = r.group_id WHERE r.{column} = ?"
        + (" AND r.is_read = 0" if unread_only else "")
        + " ORDER BY r.created_at DESC, r.id DESC",
        ctx.user_id,
    )
    people = people_of(ctx, [r["sender_id"] for r in rows] + [r["receiver_id"] for r in rows])
    return [
        {
            "reminder_id": r["id"],
            "group_id": r["group_id"],
            "group_name": r["group_name"],
            "sender": people[r["sender_id"]],
            "receiver": people[r["receiver_id"]],
            "amount": r["amount"],
            "message": r["message"],
            "created_at": r["created_at"],
            "is_read": bool(r["is_read"]),
        }
        for r in rows
    ]


@app.api("POST", "/reminders/{reminder_id}/read", MESSAGE)
def mark_reminder_read(ctx: CallContext, reminder_id: REMINDER_ID) -> dict[str, str]:
    """Mark a reminder you received as read."""
    row = ctx.owned("bill_splitting_reminders", reminder_id, "reminder sent to you", "receiver_id")
    if row["is_read"]:
        raise ApiError(409, f"Reminder {reminder_id} is already read.")
    ctx.execute("UPDATE bill_splitting_reminders SET is_read = 1 WHERE id = ?", reminder_id)
    return {"message": "Reminder marked read."}


@app.api("DELETE", "/reminders/{reminder_id}", MESSAGE)
def delete_reminder(ctx: CallContext, reminder_id: REMINDER_ID) -> dict[str, str]:
    """Delete a reminder you sent or received."""
    if not ctx.value(
        "SELECT 1 FROM bill_splitting_reminders WHERE id = ? AND (sender_id = ? OR receiver_id = ?)",
        reminder_id,
        ctx.user_id,
        ctx.user_id,
    ):
        raise ApiError(404, f"No reminder with id {reminder_id} sent or received by you.")
    ctx.execute("DELETE FROM bill_splitting_reminders WHERE id = ?", reminder_id)
    return {"message": "Reminder deleted."}


ACTIVITY_SQL = """
SELECT 'expense' AS kind, e.id, e.group_id, e.date || 'T12:00:00' AS at, e.created_by AS person_id,
    e.description, e.amount FROM bill_splitting_expenses e
    WHERE e.group_id IN ({groups}) AND e.date BETWEEN :first AND :last
UNION ALL
SELECT 'settlement', s.id, s.group_id, s.created_at, s.payer_id, 'Paid back', s.amount
    FROM bill_splitting_settlements s
    WHERE s.group_id IN ({groups}) AND substr(s.created_at, 1, 10) BETWEEN :first AND :last
UNION ALL
SELECT 'comment', c.id, e.group_id, c.created_at, c.author_id, c.text, NULL FROM bill_splitting_comments c
    JOIN bill_splitting_expenses e ON e.id = c.expense_id
    WHERE e.group_id IN ({groups}) AND substr(c.created_at, 1, 10) BETWEEN :first AND :last
"""


@app.api("GET", "/activity", [ACTIVITY], paginated=True)
def show_activity(
    ctx: CallContext,
    group_id: Annotated[int | None, P("Only this group; null for all your groups.", ge=1)] = None,
    kind: Annotated[Literal["all", "expense", "settlement", "comment"], P("Only this kind of activity.")] = "all",
    date_from: Annotated[
        str | None, P(f"Only from this day on ({DAY_DOC}); null means the last 30 days.", max_length=10)
    ] = None,
    date_to: DATE_TO = None,
) -> Page:
    """The recent activity in your groups (expenses added, payments recorded, comments), newest first."""
    since = date_from or (ctx.now.date() - timedelta(days=30)).isoformat()
    first, last = day_range(since, date_to)
    groups = "SELECT group_id FROM bill_splitting_members WHERE person_id = :me"
    if group_id is not None:
        my_group(ctx, group_id)
        groups = ":group"
    sql = (
        f"SELECT a.*, g.name AS group_name FROM ({ACTIVITY_SQL.format(groups=groups)}) a "
        "JOIN bill_splitting_groups g ON g.id = a.group_id WHERE :kind IN ('all', a.kind)"
    )
    args = {"me": ctx.user_id, "group": group_id, "first": first, "last": last, "kind": kind}
    page = sql_page(ctx, sql, "a.at DESC, a.kind, a.id DESC", named=args)  # only the page's people are looked up
    people = people_of(ctx, [r["person_id"] for r in page.items])
    return Page(
        [
            {
                "kind": r["kind"],
                "id": r["id"],
                "group_id": r["group_id"],
                "group_name": r["group_name"],
                "at": r["at"],
                "person": people[r["person_id"]],
                "description": r["description"],
                "amount": r["amount"],
            }
            for r in page.items
        ],
        page.total,
    )


def _settings(ctx: CallContext) -> dict[str, Any]:
    row = ctx.row("SELECT * FROM bill_splitting_settings WHERE person_id = ?", ctx.user_id) or DEFAULT_SETTINGS
    return {k: (bool(row[k]) if k.startswith("notify") else row[k]) for k in DEFAULT_SETTINGS}


@app.api("GET", "/settings", SETTINGS)
def show_settings(ctx: CallContext) -> dict[str, Any]:
    """Show your preferences: the default category of new expenses, the email digest and notifications."""
    return _settings(ctx)


@app.api("PATCH", "/settings", MESSAGE)
def update_settings(
    ctx: CallContext,
    default_category: Annotated[Category | None, P("Category suggested for new expenses; null keeps it.")] = None,
    email_digest: Annotated[Digest | None, P("How often to get a summary email; null keeps it.")] = None,
    notify_on_expense: Annotated[bool | None, P("Be notified of new expenses; null keeps it.")] = None,
    notify_on_comment: Annotated[bool | None, P("Be notified of comments; null keeps it.")] = None,
    notify_on_settlement: Annotated[bool | None, P("Be notified of payments; null keeps it.")] = None,
) -> dict[str, str]:
    """Change your preferences; what you leave null stays as it is."""
    if not ctx.value("SELECT 1 FROM bill_splitting_settings WHERE person_id = ?", ctx.user_id):
        ctx.execute(
            "INSERT INTO bill_splitting_settings (person_id, default_category, email_digest, notify_on_expense, "
            "notify_on_comment, notify_on_settlement) VALUES (?,?,?,?,?,?)",
            ctx.user_id,
            *DEFAULT_SETTINGS.values(),
        )
    row_id = ctx.value("SELECT id FROM bill_splitting_settings WHERE person_id = ?", ctx.user_id)
    ctx.update(
        "bill_splitting_settings",
        row_id,
        {
            "default_category": default_category,
            "email_digest": email_digest,
            **{
                k: None if v is None else int(v)
                for k, v in (
                    ("notify_on_expense", notify_on_expense),
                    ("notify_on_comment", notify_on_comment),
                    ("notify_on_settlement", notify_on_settlement),
                )
            },
        },
    )
    return {"message": "Settings updated."}
