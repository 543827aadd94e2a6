"""bill_splitting: recurring expenses (rent, subscriptions) and adding each period's expense from them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from envs.toolworld.api import ApiError, CallContext, P
from envs.toolworld.apps._bill_splitting_core import (
    AMOUNT,
    GROUP_ID,
    MESSAGE,
    PERSON,
    Category,
    app,
    equal_shares,
    member,
    members,
    my_group,
    people_of,
)
from envs.toolworld.apps._bill_splitting_expenses import write_shares
from envs.toolworld.apps._dates import add_months
from envs.toolworld.apps._day_args import DAY_DOC, iso_day, pushed_day

Frequency = Literal["weekly", "monthly", "yearly"]
RECURRING = {
    "recurring_id": 1,
    "group_id": 1,
    "description": "string",
    "amount": 1.0,
    "category": "string",
    "paid_by": PERSON,
    "frequency": "string",
    "next_date": "string",
    "is_active": True,
}
RECURRING_ID = Annotated[int, P("The recurring expense's id.", ge=1)]


def following_date(current: str, frequency: str) -> str:
    """The day one period after `current`; a monthly day past the month's end becomes its last day."""
    day_ = date.fromisoformat(current)
    if frequency == "weekly":
        return (day_ + timedelta(days=7)).isoformat()
    return add_months(day_, 12 if frequency == "yearly" else 1).isoformat()


def _my_recurring(ctx: CallContext, recurring_id: int) -> dict[str, Any]:
    row = ctx.row(
        "SELECT r.* FROM bill_splitting_recurring r JOIN bill_splitting_members m ON m.group_id = r.group_id "
        "WHERE r.id = ? AND m.person_id = ?",
        recurring_id,
        ctx.user_id,
    )
    if row is None:
        raise ApiError(404, f"No recurring expense with id {recurring_id} in your groups.")
    return row


@app.api("GET", "/recurring", [RECURRING], paginated=True)
def show_recurring_expenses(
    ctx: CallContext,
    group_id: Annotated[int | None, P("Only this group; null for all your groups.", ge=1)] = None,
    status: Annotated[Literal["all", "active", "paused"], P("Only active or only paused ones.")] = "all",
) -> list[dict[str, Any]]:
    """List the recurring expenses of your groups, soonest next date first."""
    sql = (
        "SELECT * FROM bill_splitting_recurring WHERE group_id IN "
        "(SELECT group_id FROM bill_splitting_members WHERE person_id = ?)"
    )
    args: list[Any] = [ctx.user_id]
    if group_id is not None:
        my_group(ctx, group_id)
        sql += " AND group_id = ?"
        args.append(group_id)
    if status != "all":
        sql += " AND is_active = ?"
        args.append(int(status == "active"))
    rows = ctx.rows(sql + " ORDER BY next_date, id", *args)
    people = people_of(ctx, [r["paid_by"] for r in rows])
    return [
        {
            "recurring_id": r["id"],
            "group_id": r["group_id"],
            "description": r["description"],
            "amount": r["amount"],
            "category": r["category"],
            "paid_by": people[r["paid_by"]],
            "frequency": r["frequency"],
            "next_date": r["next_date"],
            "is_active": bool(r["is_active"]),
        }
        for r in rows
    ]


@app.api("POST", "/recurring", {"message": "string", "recurring_id": 1})
def create_recurring_expense(
    ctx: CallContext,
    group_id: GROUP_ID,
    description: Annotated[str, P("What it is for.", min_length=1, max_length=200)],
    amount: AMOUNT,
    frequency: Annotated[Frequency, P("How often it repeats.")],
    start_date: Annotated[str, P(f"The day of the first expense ({DAY_DOC}).", max_length=10)],
    category: Annotated[Category, P("The kind of expense.")] = "general",
    paid_by_email: Annotated[str | None, P("Who pays each time; null means you.", max_length=200)] = None,
) -> dict[str, Any]:
    """Set up an expense that repeats, split equally among the group's members each time it is added."""
    my_group(ctx, group_id)
    payer = ctx.user_id if paid_by_email is None else member(ctx, group_id, paid_by_email, "paid_by_email")
    new_id = ctx.execute(
        "INSERT INTO bill_splitting_recurring (group_id, description, amount, category, paid_by, created_by, "
        "frequency, next_date, is_active) VALUES (?,?,?,?,?,?,?,?,1)",
        group_id,
        description,
        round(amount, 2),
        category,
        payer,
        ctx.user_id,
        frequency,
        iso_day("start_date", start_date),
    )
    return {"message": "Recurring expense created.", "recurring_id": new_id}


@app.api("PATCH", "/recurring/{recurring_id}", MESSAGE)
def update_recurring_expense(
    ctx: CallContext,
    recurring_id: RECURRING_ID,
    description: Annotated[str | None, P("New description; null keeps it.", min_length=1, max_length=200)] = None,
    amount: Annotated[float | None, P("New amount in dollars; null keeps it.", ge=0.01, le=100_000)] = None,
    frequency: Annotated[Frequency | None, P("New frequency; null keeps it.")] = None,
    next_date: Annotated[str | None, P(f"New next day ({DAY_DOC}); null keeps it.", max_length=10)] = None,
    category: Annotated[Category | None, P("New category; null keeps it.")] = None,
    is_active: Annotated[bool | None, P("false pauses it, true resumes it; null keeps it.")] = None,
) -> dict[str, str]:
    """Change, pause or resume a recurring expense (expenses already added stay as they are)."""
    _my_recurring(ctx, recurring_id)
    ctx.update(
        "bill_splitting_recurring",
        recurring_id,
        {
            "description": description,
            "amount": None if amount is None else round(amount, 2),
            "frequency": frequency,
            "next_date": None if next_date is None else iso_day("next_date", next_date),
            "category": category,
            "is_active": None if is_active is None else int(is_active),
        },
    )
    return {"message": "Recurring expense updated."}


@app.api("DELETE", "/recurring/{recurring_id}", MESSAGE)
def delete_recurring_expense(ctx: CallContext, recurring_id: RECURRING_ID) -> dict[str, str]:
    """Stop a recurring expense for good (expenses already added stay)."""
    _my_recurring(ctx, recurring_id)
    ctx.execute("DELETE FROM bill_splitting_recurring WHERE id = ?", recurring_id)
    return {"message": "Recurring expense deleted."}


@app.api("POST", "/recurring/{recurring_id}/expenses", {"message": "string", "expense_id": 1, "next_date": "string"})
def add_recurring_expense_now(ctx: CallContext, recurring_id: RECURRING_ID) -> dict[str, Any]:
    """Add the current period's expense of an active recurring expense (dated its next date), then move the
    next date one period on."""
    row = _my_recurring(ctx, recurring_id)
    if not row["is_active"]:
        raise ApiError(409, f"Recurring expense {recurring_id} is paused; resume it with update_recurring_expense.")
    following = pushed_day(
        following_date(row["next_date"], row["frequency"]), f"Recurring expense {recurring_id}'s next date"
    )
    expense_id = ctx.execute(
        "INSERT INTO bill_splitting_expenses (group_id, description, amount, category, paid_by, created_by, date, "
        "notes, split_type, recurring_id) VALUES (?,?,?,?,?,?,?,'','equal',?)",
        row["group_id"],
        row["description"],
        row["amount"],
        row["category"],
        row["paid_by"],
        ctx.user_id,
        row["next_date"],
        recurring_id,
    )
    write_shares(ctx, expense_id, equal_shares(row["amount"], members(ctx, row["group_id"])))
    ctx.execute("UPDATE bill_splitting_recurring SET next_date = ? WHERE id = ?", following, recurring_id)
    return {"message": "Expense added.", "expense_id": expense_id, "next_date": following}
