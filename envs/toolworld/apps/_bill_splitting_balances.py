"""bill_splitting: balances and debts, settling up, and the spending reports and export built on them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from envs.toolworld.api import ApiError, CallContext, P
from envs.toolworld.apps._bill_splitting_core import (
    DATE_FROM,
    DATE_TO,
    GROUP_ID,
    MESSAGE,
    PERSON,
    app,
    balances_by_person,
    day_range,
    member,
    members,
    my_group,
    pair_debts,
    people_of,
    person_id,
    simplified_debts,
)

DEBT = {"debtor": PERSON, "creditor": PERSON, "amount": 1.0}
SETTLEMENT = {
    "settlement_id": 1,
    "group_id": 1,
    "payer": PERSON,
    "receiver": PERSON,
    "amount": 1.0,
    "method": "string",
    "note": "string",
    "created_at": "string",
}
Method = Literal["cash", "payments app", "bank transfer", "other"]
SETTLEMENT_ID = Annotated[int, P("The settlement's id.", ge=1)]


def _group_balances(ctx: CallContext, group_id: int) -> dict[int, float]:
    debts = pair_debts(ctx.conn, group_id)
    out = dict.fromkeys(members(ctx, group_id), 0.0)
    for (debtor, creditor), amount in debts.items():
        out[debtor] = out.get(debtor, 0.0) - amount
        out[creditor] = out.get(creditor, 0.0) + amount
    return {p: round(b, 2) + 0.0 for p, b in out.items()}


@app.api("GET", "/groups/{group_id}/balances", [{**PERSON, "balance": 1.0}], paginated=True)
def show_group_balances(ctx: CallContext, group_id: GROUP_ID) -> list[dict[str, Any]]:
    """Every member's balance in a group: positive means the group owes them, negative that they owe."""
    my_group(ctx, group_id)
    balances = _group_balances(ctx, group_id)
    people = people_of(ctx, balances)
    return [{**people[p], "balance": balances[p]} for p in members(ctx, group_id)]


def _debts(ctx: CallContext, debts: list[tuple[int, int, float]]) -> list[dict[str, Any]]:
    people = people_of(ctx, [d for d, _, _ in debts] + [c for _, c, _ in debts])
    ordered = sorted(debts, key=lambda t: (-t[2], t[0], t[1]))
    return [{"debtor": people[d], "creditor": people[c], "amount": a} for d, c, a in ordered]


@app.api("GET", "/groups/{group_id}/debts", [DEBT], paginated=True)
def show_group_debts(ctx: CallContext, group_id: GROUP_ID) -> list[dict[str, Any]]:
    """Who owes whom how much in a group, pair by pair, largest first."""
    my_group(ctx, group_id)
    return _debts(ctx, [(d, c, a) for (d, c), a in pair_debts(ctx.conn, group_id).items()])


@app.api("GET", "/groups/{group_id}/debts/simplified", [DEBT], paginated=True)
def show_simplified_debts(ctx: CallContext, group_id: GROUP_ID) -> list[dict[str, Any]]:
    """The fewest payments that would settle everyone in a group (the largest debtor pays the largest creditor)."""
    my_group(ctx, group_id)
    return _debts(ctx, simplified_debts(_group_balances(ctx, group_id)))


@app.api("GET", "/balances", [{**PERSON, "balance": 1.0}], paginated=True)
def show_balances_with_people(
    ctx: CallContext,
    direction: Annotated[
        Literal["all", "owes_me", "i_owe"], P("Only people who owe you, or only people you owe.")
    ] = "all",
) -> list[dict[str, Any]]:
    """Your net balance with each person across all your groups: positive means they owe you.
    Settled people are left out.
    """
    totals = {p: b for p, b in balances_by_person(ctx.conn, ctx.caller).items() if b}
    if direction != "all":
        totals = {p: b for p, b in totals.items() if (b > 0) == (direction == "owes_me")}
    people = people_of(ctx, totals)
    return [{**people[p], "balance": b} for p, b in sorted(totals.items())]


@app.api("POST", "/groups/{group_id}/settlements", {"message": "string", "settlement_id": 1, "amount": 1.0})
def settle_up(
    ctx: CallContext,
    group_id: GROUP_ID,
    email: Annotated[str, P("The member you paid back.", min_length=3, max_length=200)],
    amount: Annotated[
        float | None, P("How much you paid them; null means all you owe them in this group.", ge=0.01, le=100_000)
    ] = None,
    method: Annotated[Method, P("How you paid.")] = "other",
    note: Annotated[str, P("A note on the payment.", max_length=500)] = "",
) -> dict[str, Any]:
    """Record that you paid a member back (pay them with the payments app; this only records it)."""
    my_group(ctx, group_id)
    other = member(ctx, group_id, email, "email")
    if other == ctx.user_id:
        raise ApiError(422, "Invalid argument 'email': you cannot settle up with yourself.")
    if amount is None:
        amount = pair_debts(ctx.conn, group_id).get((ctx.caller, other))
        if amount is None:
            raise ApiError(
                409, f"You owe {email} nothing in group {group_id}; pass an amount to record a payment anyway."
            )
    new_id = ctx.execute(
        "INSERT INTO bill_splitting_settlements (group_id, payer_id, receiver_id, amount, created_at, method, note) "
        "VALUES (?,?,?,?,?,?,?)",
        group_id,
        ctx.user_id,
        other,
        round(amount, 2),
        ctx.timestamp(),
        method,
        note,
    )
    return {"message": "Settlement recorded.", "settlement_id": new_id, "amount": round(amount, 2)}


def _settlements(ctx: CallContext, where: str, args: dict[str, Any]) -> list[dict[str, Any]]:
    cursor = ctx.conn.execute(
        f"SELECT * FROM bill_splitting_settlements WHERE {where} ORDER BY created_at DESC, id DESC", args
    )
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    people = people_of(ctx, [r["payer_id"] for r in rows] + [r["receiver_id"] for r in rows])
    return [
        {
            "settlement_id": r["id"],
            "group_id": r["group_id"],
            "payer": people[r["payer_id"]],
            "receiver": people[r["receiver_id"]],
            "amount": r["amount"],
            "method": r["method"],
            "note": r["note"],
            "created_at": r["created_at"],
        }
        for r in rows
    ]


@app.api("GET", "/groups/{group_id}/settlements", [SETTLEMENT], paginated=True)
def show_settlements(ctx: CallContext, group_id: GROUP_ID) -> list[dict[str, Any]]:
    """List the settlements recorded in a group, newest first."""
    my_group(ctx, group_id)
    return _settlements(ctx, "group_id = :group", {"group": group_id})


@app.api("GET", "/settlements", [SETTLEMENT], paginated=True)
def show_my_settlements(
    ctx: CallContext,
    direction: Annotated[Literal["all", "paid", "received"], P("Payments you made, received, or both.")] = "all",
    other_email: Annotated[str | None, P("Only settlements with this person.", max_length=200)] = None,
    date_from: DATE_FROM = None,
    date_to: DATE_TO = None,
) -> list[dict[str, Any]]:
    """List the settlements you paid or received across all your groups, newest first."""
    first, last = day_range(date_from, date_to)
    sides = {"all": "(payer_id = :me OR receiver_id = :me)", "paid": "payer_id = :me", "received": "receiver_id = :me"}
    where = f"{sides[direction]} AND substr(created_at, 1, 10) BETWEEN :first AND :last"
    args: dict[str, Any] = {"me": ctx.user_id, "first": first, "last": last}
    if other_email is not None:
        where += " AND (payer_id = :other OR receiver_id = :other)"
        args["other"] = person_id(ctx, other_email, "other_email")
    return _settlements(ctx, where, args)


@app.api("DELETE", "/settlements/{settlement_id}", MESSAGE)
def delete_settlement(ctx: CallContext, settlement_id: SETTLEMENT_ID) -> dict[str, str]:
    """Undo a settlement you paid or received (e.g. recorded by mistake); the debt comes back."""
    if not ctx.value(
        "SELECT 1 FROM bill_splitting_settlements WHERE id = ? AND (payer_id = ? OR receiver_id = ?)",
        settlement_id,
        ctx.user_id,
        ctx.user_id,
    ):
        raise ApiError(404, f"No settlement with id {settlement_id} paid or received by you.")
    ctx.execute("DELETE FROM bill_splitting_settlements WHERE id = ?", settlement_id)
    return {"message": "Settlement deleted."}


SUMMARY = {
    "group_id": 1,
    "name": "string",
    "expense_count": 1,
    "total_spent": 1.0,
    "i_paid": 1.0,
    "my_share": 1.0,
    "my_balance": 1.0,
    "settlement_count": 1,
    "first_expense_date": "string",
    "last_expense_date": "string",
}


@app.api("GET", "/groups/{group_id}/summary", SUMMARY)
def show_group_summary(
    ctx: CallContext, group_id: GROUP_ID, date_from: DATE_FROM = None, date_to: DATE_TO = None
) -> dict[str, Any]:
    """Totals of a group over a period: what was spent, what you paid, your share and your balance now."""
    group = my_group(ctx, group_id)
    first, last = day_range(date_from, date_to)
    totals = ctx.existing_row(
        "SELECT COUNT(*) AS n, COALESCE(SUM(amount), 0) AS total, "
        "COALESCE(SUM(CASE WHEN paid_by = ? THEN amount END), 0) AS paid, MIN(date) AS first, MAX(date) AS last "
        "FROM bill_splitting_expenses WHERE group_id = ? AND date BETWEEN ? AND ?",
        ctx.user_id,
        group_id,
        first,
        last,
    )
    mine = ctx.value(
        "SELECT COALESCE(SUM(s.amount), 0) FROM bill_splitting_shares s JOIN bill_splitting_expenses e "
        "ON e.id = s.expense_id WHERE e.group_id = ? AND s.person_id = ? AND e.date BETWEEN ? AND ?",
        group_id,
        ctx.user_id,
        first,
        last,
    )
    balances = _group_balances(ctx, group_id)
    return {
        "group_id": group_id,
        "name": group["name"],
        "expense_count": totals["n"],
        "total_spent": round(totals["total"], 2),
        "i_paid": round(totals["paid"], 2),
        "my_share": round(mine, 2),
        "my_balance": balances.get(ctx.caller, 0.0),
        "settlement_count": ctx.value("SELECT COUNT(*) FROM bill_splitting_settlements WHERE group_id = ?", group_id),
        "first_expense_date": totals["first"],
        "last_expense_date": totals["last"],
    }


def _spending(
    ctx: CallContext, key: str, group_id: int | None, first: str, last: str, whose: str
) -> list[dict[str, Any]]:
    """Totals grouped by the SQL expression `key` over the caller's groups (or one), of whole amounts or my shares."""
    if group_id is not None:
        my_group(ctx, group_id)
    scope = (
        "e.group_id IN (SELECT group_id FROM bill_splitting_members WHERE person_id = :me)"
        if group_id is None
        else "e.group_id = :group"
    )
    sql = (
        f"SELECT {key} AS k, COUNT(*) AS n, SUM(e.amount) AS total FROM bill_splitting_expenses e "
        f"WHERE {scope} AND e.date BETWEEN :first AND :last GROUP BY k"
        if whose == "group"
        else f"SELECT {key} AS k, COUNT(*) AS n, SUM(s.amount) AS total FROM bill_splitting_shares s "
        f"JOIN bill_splitting_expenses e ON e.id = s.expense_id "
        f"WHERE s.person_id = :me AND {scope} AND e.date BETWEEN :first AND :last GROUP BY k"
    )
    args = {"me": ctx.user_id, "group": group_id, "first": first, "last": last}
    return [
        {"key": r[0], "expense_count": r[1], "total": round(r[2], 2)} for r in ctx.conn.execute(sql, args).fetchall()
    ]


WHOSE = Annotated[
    Literal["group", "mine"], P("'group' adds up whole expenses; 'mine' adds up only your shares of them.")
]


@app.api("GET", "/reports/categories", [{"category": "string", "expense_count": 1, "total": 1.0}], paginated=True)
def show_spending_by_category(
    ctx: CallContext,
    group_id: Annotated[int | None, P("Only this group; null for all your groups.", ge=1)] = None,
    date_from: DATE_FROM = None,
    date_to: DATE_TO = None,
    whose: WHOSE = "mine",
) -> list[dict[str, Any]]:
    """How much was spent per category over a period, largest first."""
    first, last = day_range(date_from, date_to)
    rows = _spending(ctx, "e.category", group_id, first, last, whose)
    return [
        {"category": r["key"], "expense_count": r["expense_count"], "total": r["total"]}
        for r in sorted(rows, key=lambda r: (-r["total"], r["key"]))
    ]


@app.api("GET", "/reports/months", [{"month": "string", "expense_count": 1, "total": 1.0}], paginated=True)
def show_monthly_spending(
    ctx: CallContext,
    group_id: Annotated[int | None, P("Only this group; null for all your groups.", ge=1)] = None,
    year: Annotated[int | None, P("Only months of this year; null for all.", ge=2000, le=2100)] = None,
    whose: WHOSE = "mine",
) -> list[dict[str, Any]]:
    """How much was spent per month (YYYY-MM), newest month first."""
    first, last = ("0000-01-01", "9999-12-31") if year is None else (f"{year}-01-01", f"{year}-12-31")
    rows = _spending(ctx, "substr(e.date, 1, 7)", group_id, first, last, whose)
    return [
        {"month": r["key"], "expense_count": r["expense_count"], "total": r["total"]}
        for r in sorted(rows, key=lambda r: r["key"], reverse=True)
    ]


@app.api("GET", "/groups/{group_id}/export", {"file_name": "string", "content": "string", "expense_count": 1})
def export_group_expenses(
    ctx: CallContext, group_id: GROUP_ID, date_from: DATE_FROM = None, date_to: DATE_TO = None
) -> dict[str, Any]:
    """Export a group's expenses as CSV text (date, description, category, amount, paid by, your share), oldest
    first, e.g. to save with the file_system app."""
    group = my_group(ctx, group_id)
    first, last = day_range(date_from, date_to)
    rows = ctx.rows(
        "SELECT e.date, e.description, e.category, e.amount, p.first_name || ' ' || p.last_name AS payer, "
        "COALESCE((SELECT amount FROM bill_splitting_shares WHERE expense_id = e.id AND person_id = ?), 0) AS mine "
        "FROM bill_splitting_expenses e JOIN people p ON p.id = e.paid_by "
        "WHERE e.group_id = ? AND e.date BETWEEN ? AND ? ORDER BY e.date, e.id",
        ctx.user_id,
        group_id,
        first,
        last,
    )
    lines = ["date,description,category,amount,paid_by,my_share"] + [
        f"{r['date']},{_csv(r['description'])},{r['category']},{r['amount']:.2f},{_csv(r['payer'])},{r['mine']:.2f}"
        for r in rows
    ]
    name = "".join(c if c.isalnum() else "_" for c in group["name"].lower()).strip("_") or "group"
    return {"file_name": f"{name}_expenses.csv", "content": "\n".join(lines) + "\n", "expense_count": len(rows)}


def _csv(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text
