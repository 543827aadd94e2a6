"""bill_splitting: expenses (listing, adding, changing the split, deleting) and the comments on them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, CallContext, P, Page
from envs.toolworld.apps._bill_splitting_core import (
    AMOUNT,
    DATE_FROM,
    DATE_TO,
    EXPENSE_ID,
    GROUP_ID,
    MESSAGE,
    PERSON,
    Category,
    app,
    day_range,
    equal_shares,
    member,
    members,
    my_expense,
    my_group,
    people_of,
    percent_shares,
    person,
    person_id,
)
from envs.toolworld.apps._day_args import DAY_DOC, iso_day
from envs.toolworld.apps._sql_page import sql_page
from envs.toolworld.apps._text_search import words_clause

EXPENSE = {
    "expense_id": 1,
    "group_id": 1,
    "description": "string",
    "amount": 1.0,
    "category": "string",
    "date": "string",
    "paid_by": PERSON,
    "split_type": "string",
    "shares": [{**PERSON, "amount": 1.0}],
    "notes": "string",
    "comment_count": 1,
}
EXPENSE_SUMMARY = {**{k: v for k, v in EXPENSE.items() if k != "shares"}, "my_share": 1.0}
COMMENT = {"comment_id": 1, "author": PERSON, "text": "string", "created_at": "string"}
COMMENT_ID = Annotated[int, P("The comment's id.", ge=1)]
SPLIT_WITH = Annotated[
    list[str] | None,
    P(
        "Split equally among these members (include the payer if they have a share); null means all members.",
        max_length=100,
    ),
]
EXACT_SHARES = Annotated[
    dict | None, P("Instead of an equal split: {member email: share in dollars}, summing to amount.", max_length=100)
]
PERCENT_SHARES = Annotated[
    dict | None, P("Instead of an equal split: {member email: percent of the amount}, summing to 100.", max_length=100)
]
NOTES = Annotated[str, P("Free notes on the expense, e.g. what was bought.", max_length=1000)]
SORTS = {
    "newest": "e.date DESC, e.id DESC",
    "oldest": "e.date, e.id",
    "largest": "e.amount DESC, e.id DESC",
    "smallest": "e.amount, e.id",
    "description": "e.description, e.date DESC, e.id DESC",
}


def expense_detail(ctx: CallContext, row: dict[str, Any]) -> dict[str, Any]:
    """The full API view of one expense: everyone's share and the comment count."""
    shares = ctx.rows(
        "SELECT person_id, amount FROM bill_splitting_shares WHERE expense_id = ? ORDER BY person_id", row["id"]
    )
    people = people_of(ctx, [row["paid_by"]] + [s["person_id"] for s in shares])
    return {
        "expense_id": row["id"],
        "group_id": row["group_id"],
        "description": row["description"],
        "amount": row["amount"],
        "category": row["category"],
        "date": row["date"],
        "paid_by": people[row["paid_by"]],
        "split_type": row["split_type"],
        "shares": [{**people[s["person_id"]], "amount": s["amount"]} for s in shares],
        "notes": row["notes"],
        "comment_count": ctx.value("SELECT COUNT(*) FROM bill_splitting_comments WHERE expense_id = ?", row["id"]),
    }


def expense_summary(r: dict[str, Any]) -> dict[str, Any]:
    """The list view of one expense, a row of expense_page's query: your share instead of everyone's."""
    return {
        "expense_id": r["id"],
        "group_id": r["group_id"],
        "description": r["description"],
        "amount": r["amount"],
        "category": r["category"],
        "date": r["date"],
        "paid_by": {"name": r["payer_name"], "email": r["payer_email"]},
        "split_type": r["split_type"],
        "my_share": r["my_share"],
        "notes": r["notes"],
        "comment_count": r["comment_count"],
    }


def expense_page(ctx: CallContext, where: str, args: list[Any], order: str) -> Page:
    """The page asked for of the expenses matching `where` (on alias e), cut in SQL (sql_page) and built in one
    query with your share of each (show_expense has every share): 15,000 expenses were all built for a page of 5."""
    return sql_page(
        ctx,
        "SELECT e.*, p.first_name || ' ' || p.last_name AS payer_name, p.email AS payer_email, "
        "COALESCE(s.amount, 0) AS my_share, "
        "(SELECT COUNT(*) FROM bill_splitting_comments c WHERE c.expense_id = e.id) AS comment_count "
        "FROM bill_splitting_expenses e JOIN people p ON p.id = e.paid_by "
        "LEFT JOIN bill_splitting_shares s ON s.expense_id = e.id AND s.person_id = ? "
        f"WHERE {where}",
        order,
        ctx.user_id,
        *args,
        shape=expense_summary,
    )


def resolve_split(
    ctx: CallContext,
    group_id: int,
    amount: float,
    split_with_emails: list[str] | None,
    exact_shares: dict | None,
    percent_split: dict | None,
) -> tuple[str, dict[int, float]]:
    """(split type, person id -> share) from at most one of the three ways of splitting; equal among all by default."""
    given = [n for n, v in (("split_with_emails", split_with_emails), ("exact_shares", exact_shares)) if v is not None]
    given += ["percent_shares"] if percent_split is not None else []
    if len(given) > 1:
        raise ApiError(422, f"Invalid argument {given[1]!r}: give only one of {given}.")
    if exact_shares is not None:
        shares = _numbers(ctx, group_id, exact_shares, "exact_shares")
        if round(sum(shares.values()), 2) != round(amount, 2):
            raise ApiError(
                422,
                f"Invalid argument 'exact_shares': the shares add up to {sum(shares.values()):.2f}, "
                f"not the amount {amount:.2f}.",
            )
        return "exact", shares
    if percent_split is not None:
        percents = _numbers(ctx, group_id, percent_split, "percent_shares")
        if abs(sum(percents.values()) - 100) > 1e-6:
            raise ApiError(
                422,
                f"Invalid argument 'percent_shares': the percentages add up to {sum(percents.values()):g}, not 100.",
            )
        return "percent", percent_shares(amount, percents)
    people = (
        members(ctx, group_id)
        if split_with_emails is None
        else [member(ctx, group_id, e, f"split_with_emails[{i}]") for i, e in enumerate(split_with_emails)]
    )
    if not people:
        raise ApiError(422, "Invalid argument 'split_with_emails': the expense needs at least one person to share it.")
    return "equal", equal_shares(amount, people)


def _numbers(ctx: CallContext, group_id: int, given: dict, argument: str) -> dict[int, float]:
    out: dict[int, float] = {}
    for email, share in given.items():
        if not isinstance(share, (int, float)) or isinstance(share, bool) or share < 0:
            raise ApiError(
                422,
                f"Invalid argument {argument!r}: the value for {email!r} must be a non-negative number, got {share!r}.",
            )
        out[member(ctx, group_id, email, argument)] = round(float(share), 2)
    return out


def write_shares(ctx: CallContext, expense_id: int, shares: dict[int, float]) -> None:
    for who, share in shares.items():
        ctx.execute(
            "INSERT INTO bill_splitting_shares (expense_id, person_id, amount) VALUES (?,?,?)", expense_id, who, share
        )


@app.api("GET", "/expenses", [EXPENSE_SUMMARY], paginated=True)
def show_expenses(
    ctx: CallContext,
    group_id: Annotated[int | None, P("Only expenses of this group; null for all your groups.", ge=1)] = None,
    query: Annotated[str, P("Words to match in the description; empty matches all.", max_length=QUERY_MAX_CHARS)] = "",
    category: Annotated[Category | None, P("Only expenses of this category.")] = None,
    paid_by_email: Annotated[str | None, P("Only expenses paid by this person.", max_length=200)] = None,
    date_from: DATE_FROM = None,
    date_to: DATE_TO = None,
    min_amount: Annotated[float | None, P("Only expenses of at least this amount.", ge=0, le=100_000)] = None,
    max_amount: Annotated[float | None, P("Only expenses of at most this amount.", ge=0, le=100_000)] = None,
    involving_me: Annotated[bool, P("Only expenses you paid or have a share in.")] = False,
    sort_by: Annotated[Literal["newest", "oldest", "largest", "smallest", "description"], P("The order.")] = "newest",
) -> Page:
    """List and search the expenses of your groups, newest first unless sort_by says otherwise.
    Each item has your share of it; show_expense has everyone's."""
    if group_id is not None:
        my_group(ctx, group_id)
    first, last = day_range(date_from, date_to)
    words, args = words_clause(query, ["e.description"])
    where = (
        "e.group_id IN (SELECT group_id FROM bill_splitting_members WHERE person_id = ?) AND e.date BETWEEN ? AND ?"
        + words
    )
    params: list[Any] = [ctx.user_id, first, last, *args]
    for clause, value in (
        (" AND e.group_id = ?", group_id),
        (" AND e.category = ?", category),
        (" AND e.paid_by = ?", None if paid_by_email is None else person_id(ctx, paid_by_email, "paid_by_email")),
        (" AND e.amount >= ?", min_amount),
        (" AND e.amount <= ?", max_amount),
    ):
        if value is not None:
            where += clause
            params.append(value)
    if involving_me:
        where += " AND (e.paid_by = ? OR s.person_id IS NOT NULL)"
        params.append(ctx.user_id)
    return expense_page(ctx, where, params, SORTS[sort_by])


@app.api("GET", "/expenses/{expense_id}", EXPENSE)
def show_expense(ctx: CallContext, expense_id: EXPENSE_ID) -> dict[str, Any]:
    """Show one expense with everyone's share."""
    return expense_detail(ctx, my_expense(ctx, expense_id))


@app.api("POST", "/expenses", {"message": "string", "expense_id": 1})
def add_expense(
    ctx: CallContext,
    group_id: GROUP_ID,
    description: Annotated[str, P("What it was for.", min_length=1, max_length=200)],
    amount: AMOUNT,
    paid_by_email: Annotated[str | None, P("Who paid; null means you.", max_length=200)] = None,
    split_with_emails: SPLIT_WITH = None,
    exact_shares: EXACT_SHARES = None,
    category: Annotated[Category, P("The kind of expense.")] = "general",
    date: Annotated[str | None, P(f"The day of the expense ({DAY_DOC}); null means today.", max_length=10)] = None,
    percent_shares: PERCENT_SHARES = None,
    notes: NOTES = "",
) -> dict[str, Any]:
    """Add an expense to a group, split equally, in exact amounts or by percentages."""
    my_group(ctx, group_id)
    payer = ctx.user_id if paid_by_email is None else member(ctx, group_id, paid_by_email, "paid_by_email")
    split_type, shares = resolve_split(ctx, group_id, amount, split_with_emails, exact_shares, percent_shares)
    expense_id = ctx.execute(
        "INSERT INTO bill_splitting_expenses (group_id, description, amount, category, paid_by, created_by, date, "
        "notes, split_type) VALUES (?,?,?,?,?,?,?,?,?)",
        group_id,
        description,
        round(amount, 2),
        category,
        payer,
        ctx.user_id,
        ctx.now.date().isoformat() if date is None else iso_day("date", date),
        notes,
        split_type,
    )
    write_shares(ctx, expense_id, shares)
    return {"message": "Expense added.", "expense_id": expense_id}


@app.api("PATCH", "/expenses/{expense_id}", MESSAGE)
def update_expense(
    ctx: CallContext,
    expense_id: EXPENSE_ID,
    description: Annotated[str | None, P("New description; null keeps it.", min_length=1, max_length=200)] = None,
    category: Annotated[Category | None, P("New category; null keeps it.")] = None,
    date: Annotated[str | None, P(f"New day ({DAY_DOC}); null keeps it.", max_length=10)] = None,
    notes: Annotated[str | None, P("New notes; null keeps them.", max_length=1000)] = None,
) -> dict[str, str]:
    """Change an expense's description, category, date or notes (update_expense_split changes amounts)."""
    my_expense(ctx, expense_id)
    ctx.update(
        "bill_splitting_expenses",
        expense_id,
        {
            "description": description,
            "category": category,
            "date": None if date is None else iso_day("date", date),
            "notes": notes,
        },
    )
    return {"message": "Expense updated."}


@app.api("PUT", "/expenses/{expense_id}/split", MESSAGE)
def update_expense_split(
    ctx: CallContext,
    expense_id: EXPENSE_ID,
    amount: Annotated[float | None, P("The new total in dollars; null keeps it.", ge=0.01, le=100_000)] = None,
    paid_by_email: Annotated[str | None, P("Who paid; null keeps the payer.", max_length=200)] = None,
    split_with_emails: SPLIT_WITH = None,
    exact_shares: EXACT_SHARES = None,
    percent_shares: PERCENT_SHARES = None,
) -> dict[str, str]:
    """Change an expense's amount, payer or split; the shares are replaced (equal among all members by default)."""
    row = my_expense(ctx, expense_id)
    total = row["amount"] if amount is None else round(amount, 2)
    payer = row["paid_by"] if paid_by_email is None else member(ctx, row["group_id"], paid_by_email, "paid_by_email")
    split_type, shares = resolve_split(ctx, row["group_id"], total, split_with_emails, exact_shares, percent_shares)
    ctx.execute("DELETE FROM bill_splitting_shares WHERE expense_id = ?", expense_id)
    write_shares(ctx, expense_id, shares)
    ctx.execute(
        "UPDATE bill_splitting_expenses SET amount = ?, paid_by = ?, split_type = ? WHERE id = ?",
        total,
        payer,
        split_type,
        expense_id,
    )
    return {"message": "Expense split updated."}


@app.api("DELETE", "/expenses/{expense_id}", MESSAGE)
def delete_expense(ctx: CallContext, expense_id: EXPENSE_ID) -> dict[str, str]:
    """Delete an expense with its shares and comments."""
    my_expense(ctx, expense_id)
    for table, column in (
        ("bill_splitting_comments", "expense_id"),
        ("bill_splitting_shares", "expense_id"),
        ("bill_splitting_expenses", "id"),
    ):
        ctx.execute(f"DELETE FROM {table} WHERE {column} = ?", expense_id)
    return {"message": "Expense deleted."}


@app.api("POST", "/expenses/{expense_id}/comments", {"message": "string", "comment_id": 1})
def add_comment(
    ctx: CallContext, expense_id: EXPENSE_ID, text: Annotated[str, P("The comment.", min_length=1, max_length=1000)]
) -> dict[str, Any]:
    """Comment on an expense."""
    my_expense(ctx, expense_id)
    new_id = ctx.execute(
        "INSERT INTO bill_splitting_comments (expense_id, author_id, text, created_at) VALUES (?,?,?,?)",
        expense_id,
        ctx.user_id,
        text,
        ctx.timestamp(),
    )
    return {"message": "Comment added.", "comment_id": new_id}


@app.api("GET", "/expenses/{expense_id}/comments", [COMMENT], paginated=True)
def show_comments(ctx: CallContext, expense_id: EXPENSE_ID) -> list[dict[str, Any]]:
    """List the comments on an expense, oldest first."""
    my_expense(ctx, expense_id)
    rows = ctx.rows("SELECT * FROM bill_splitting_comments WHERE expense_id = ? ORDER BY created_at, id", expense_id)
    return [
        {"comment_id": r["id"], "author": person(ctx, r["author_id"]), "text": r["text"], "created_at": r["created_at"]}
        for r in rows
    ]


def _my_comment(ctx: CallContext, comment_id: int) -> dict[str, Any]:
    """A comment the caller wrote, on an expense of one of their groups; else 404."""
    row = ctx.row("SELECT * FROM bill_splitting_comments WHERE id = ? AND author_id = ?", comment_id, ctx.user_id)
    if row is None:
        raise ApiError(404, f"No comment with id {comment_id} written by you.")
    my_expense(ctx, row["expense_id"])
    return row


@app.api("PATCH", "/comments/{comment_id}", MESSAGE)
def update_comment(
    ctx: CallContext, comment_id: COMMENT_ID, text: Annotated[str, P("The new text.", min_length=1, max_length=1000)]
) -> dict[str, str]:
    """Edit a comment you wrote."""
    _my_comment(ctx, comment_id)
    ctx.execute("UPDATE bill_splitting_comments SET text = ? WHERE id = ?", text, comment_id)
    return {"message": "Comment updated."}


@app.api("DELETE", "/comments/{comment_id}", MESSAGE)
def delete_comment(ctx: CallContext, comment_id: COMMENT_ID) -> dict[str, str]:
    """Delete a comment you wrote."""
    _my_comment(ctx, comment_id)
    ctx.execute("DELETE FROM bill_splitting_comments WHERE id = ?", comment_id)
    return {"message": "Comment deleted."}
