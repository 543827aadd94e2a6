"""bill_splitting's app object, tables and the ledger rules every part of the app shares.

Who owes whom is pairwise and exact: in an expense paid by P, every other
person with a share owes P that share; a settlement from A to B reduces what
A owes B. Group balances and debts are sums of those, so they always agree.
An equal split gives every share the same whole cents, the leftover cents
going one each to the members with the lowest ids.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from envs.toolworld.api import ApiError, App, CallContext, P
from envs.toolworld.apps._accounts import add_account_apis
from envs.toolworld.apps._day_args import DAY_DOC, iso_day
from envs.toolworld.apps._people import people_of as people_of
from envs.toolworld.apps._people import person_id as person_id

app = App(
    "bill_splitting",
    "Split bills with groups: shared expenses, who owes whom, settling up.",
    schema="""
    CREATE TABLE bill_splitting_groups (
        id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, created_by INTEGER NOT NULL, created_at TEXT NOT NULL,
        group_type TEXT NOT NULL DEFAULT 'other', description TEXT NOT NULL DEFAULT '',
        simplify_debts INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE bill_splitting_members (
        id INTEGER PRIMARY KEY AUTOINCREMENT, group_id INTEGER NOT NULL, person_id INTEGER NOT NULL,
        joined_at TEXT, is_archived INTEGER NOT NULL DEFAULT 0, UNIQUE(group_id, person_id)
    );
    CREATE INDEX bill_splitting_members_person ON bill_splitting_members(person_id);
    CREATE TABLE bill_splitting_expenses (
        id INTEGER PRIMARY KEY AUTOINCREMENT, group_id INTEGER NOT NULL, description TEXT NOT NULL,
        amount REAL NOT NULL, category TEXT NOT NULL, paid_by INTEGER NOT NULL, created_by INTEGER NOT NULL,
        date TEXT NOT NULL, notes TEXT NOT NULL DEFAULT '', split_type TEXT NOT NULL DEFAULT 'equal',
        recurring_id INTEGER
    );
    CREATE INDEX bill_splitting_expenses_group ON bill_splitting_expenses(group_id, date);
    CREATE INDEX bill_splitting_expenses_payer ON bill_splitting_expenses(paid_by);
    CREATE TABLE bill_splitting_shares (
        id INTEGER PRIMARY KEY AUTOINCREMENT, expense_id INTEGER NOT NULL, person_id INTEGER NOT NULL,
        amount REAL NOT NULL
    );
    CREATE INDEX bill_splitting_shares_expense ON bill_splitting_shares(expense_id, person_id);
    CREATE INDEX bill_splitting_shares_person ON bill_splitting_shares(person_id);
    CREATE TABLE bill_splitting_settlements (
        id INTEGER PRIMARY KEY AUTOINCREMENT, group_id INTEGER NOT NULL, payer_id INTEGER NOT NULL,
        receiver_id INTEGER NOT NULL, amount REAL NOT NULL, created_at TEXT NOT NULL,
        method TEXT NOT NULL DEFAULT 'other', note TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX bill_splitting_settlements_group ON bill_splitting_settlements(group_id);
    CREATE INDEX bill_splitting_settlements_payer ON bill_splitting_settlements(payer_id);
    CREATE INDEX bill_splitting_settlements_receiver ON bill_splitting_settlements(receiver_id);
    CREATE TABLE bill_splitting_comments (
        id INTEGER PRIMARY KEY AUTOINCREMENT, expense_id INTEGER NOT NULL, author_id INTEGER NOT NULL,
        text TEXT NOT NULL, created_at TEXT NOT NULL
    );
    CREATE INDEX bill_splitting_comments_expense ON bill_splitting_comments(expense_id);
    CREATE TABLE bill_splitting_invitations (
        id INTEGER PRIMARY KEY AUTOINCREMENT, group_id INTEGER NOT NULL, inviter_id INTEGER NOT NULL,
        invitee_id INTEGER NOT NULL, status TEXT NOT NULL, message TEXT NOT NULL, created_at TEXT NOT NULL,
        responded_at TEXT
    );
    CREATE INDEX bill_splitting_invitations_invitee ON bill_splitting_invitations(invitee_id);
    CREATE INDEX bill_splitting_invitations_inviter ON bill_splitting_invitations(inviter_id);
    CREATE TABLE bill_splitting_recurring (
        id INTEGER PRIMARY KEY AUTOINCREMENT, group_id INTEGER NOT NULL, description TEXT NOT NULL,
        amount REAL NOT NULL, category TEXT NOT NULL, paid_by INTEGER NOT NULL, created_by INTEGER NOT NULL,
        frequency TEXT NOT NULL, next_date TEXT NOT NULL, is_active INTEGER NOT NULL
    );
    CREATE INDEX bill_splitting_recurring_group ON bill_splitting_recurring(group_id);
    CREATE TABLE bill_splitting_reminders (
        id INTEGER PRIMARY KEY AUTOINCREMENT, group_id INTEGER NOT NULL, sender_id INTEGER NOT NULL,
        receiver_id INTEGER NOT NULL, amount REAL NOT NULL, message TEXT NOT NULL, created_at TEXT NOT NULL,
        is_read INTEGER NOT NULL
    );
    CREATE INDEX bill_splitting_reminders_receiver ON bill_splitting_reminders(receiver_id);
    CREATE INDEX bill_splitting_reminders_sender ON bill_splitting_reminders(sender_id);
    CREATE TABLE bill_splitting_settings (
        id INTEGER PRIMARY KEY AUTOINCREMENT, person_id INTEGER NOT NULL UNIQUE, default_category TEXT NOT NULL,
        email_digest TEXT NOT NULL, notify_on_expense INTEGER NOT NULL, notify_on_comment INTEGER NOT NULL,
        notify_on_settlement INTEGER NOT NULL
    );
    """,
)
add_account_apis(app)

Category = Literal["groceries", "rent", "utilities", "dining", "travel", "entertainment", "general"]
GroupType = Literal["home", "trip", "family", "couple", "work", "other"]
PERSON = {"name": "string", "email": "string"}
MESSAGE = {"message": "string"}
GROUP_ID = Annotated[int, P("The group's id.", ge=1)]
EXPENSE_ID = Annotated[int, P("The expense's id.", ge=1)]
EMAIL = Annotated[str, P("The person's email address.", min_length=3, max_length=200)]
AMOUNT = Annotated[float, P("Amount in dollars.", ge=0.01, le=100_000)]
DATE_FROM = Annotated[str | None, P(f"Only from this day on ({DAY_DOC}); null for no lower bound.", max_length=10)]
DATE_TO = Annotated[
    str | None, P(f"Only up to this day, inclusive ({DAY_DOC}); null for no upper bound.", max_length=10)
]


def equal_shares(amount: float, people: list[int]) -> dict[int, float]:
    """`amount` split in whole cents; leftover cents go one each to the lowest ids."""
    cents, ordered = round(amount * 100), sorted(set(people))
    base, extra = divmod(cents, len(ordered))
    return {p: (base + (i < extra)) / 100 for i, p in enumerate(ordered)}


def percent_shares(amount: float, percents: dict[int, float]) -> dict[int, float]:
    """`amount` split by percentages (summing to 100) in whole cents; rounding leftovers go to the lowest ids."""
    cents = round(amount * 100)
    exact = {p: cents * pct / 100 for p, pct in sorted(percents.items())}
    shares = {p: int(v) for p, v in exact.items()}
    for p in sorted(exact, key=lambda q: (-(exact[q] - shares[q]), q))[: cents - sum(shares.values())]:
        shares[p] += 1
    return {p: c / 100 for p, c in shares.items()}


def pair_debts(conn: Any, group_id: int) -> dict[tuple[int, int], float]:
    """(debtor, creditor) -> what the debtor still owes the creditor in the group, for every positive debt."""
    owed: dict[tuple[int, int], float] = {}
    for payer, person, amount in conn.execute(
        "SELECT e.paid_by, s.person_id, s.amount FROM bill_splitting_shares s "
        "JOIN bill_splitting_expenses e ON e.id = s.expense_id WHERE e.group_id = ? AND s.person_id != e.paid_by",
        (group_id,),
    ):
        owed[(person, payer)] = owed.get((person, payer), 0.0) + amount
    for payer, receiver, amount in conn.execute(
        "SELECT payer_id, receiver_id, amount FROM bill_splitting_settlements WHERE group_id = ?", (group_id,)
    ):
        owed[(payer, receiver)] = owed.get((payer, receiver), 0.0) - amount
    net = {}
    for (a, b), amount in owed.items():
        value = round(amount - owed.get((b, a), 0.0), 2)
        if value > 0:
            net[(a, b)] = value
    return net


# What each other person owes the caller (negative: the caller owes them), one row per (group, person).
PAIR_NETS_SQL = """
SELECT group_id, other, SUM(amount) AS net FROM (
    SELECT e.group_id, s.person_id AS other, s.amount FROM bill_splitting_expenses e
        JOIN bill_splitting_shares s ON s.expense_id = e.id WHERE e.paid_by = :me AND s.person_id != :me
    UNION ALL
    SELECT e.group_id, e.paid_by, -s.amount FROM bill_splitting_shares s
        JOIN bill_splitting_expenses e ON e.id = s.expense_id WHERE s.person_id = :me AND e.paid_by != :me
    UNION ALL
    SELECT group_id, receiver_id, amount FROM bill_splitting_settlements WHERE payer_id = :me
    UNION ALL
    SELECT group_id, payer_id, -amount FROM bill_splitting_settlements WHERE receiver_id = :me
) GROUP BY group_id, other
"""


def balances_by_group(conn: Any, person_id: int) -> dict[int, float]:
    """group id -> what the group owes the person (negative: what they owe), for every group with a balance."""
    out: dict[int, float] = {}
    for group_id, _other, net in conn.execute(PAIR_NETS_SQL, {"me": person_id}):
        out[group_id] = out.get(group_id, 0.0) + net
    return {g: round(v, 2) + 0.0 for g, v in out.items()}


def balances_by_person(conn: Any, person_id: int) -> dict[int, float]:
    """other person -> what they owe the person across all groups (negative: what the person owes them)."""
    out: dict[int, float] = {}
    for _group, other, net in conn.execute(PAIR_NETS_SQL, {"me": person_id}):
        out[other] = out.get(other, 0.0) + net
    return {p: round(v, 2) + 0.0 for p, v in out.items()}


def group_balance(conn: Any, group_id: int, person_id: int) -> float:
    """What the group owes the person (negative: what they owe)."""
    debts = pair_debts(conn, group_id)
    return round(
        sum(a for (d, c), a in debts.items() if c == person_id)
        - sum(a for (d, c), a in debts.items() if d == person_id),
        2,
    )


def simplified_debts(balances: dict[int, float]) -> list[tuple[int, int, float]]:
    """(debtor, creditor, amount) transfers that settle every balance, at most one fewer than the people involved:
    the largest debtor pays the largest creditor, again and again."""
    cents = {p: round(b * 100) for p, b in balances.items() if round(b * 100)}
    out = []
    while cents:
        debtor = min(cents, key=lambda p: (cents[p], p))
        creditor = max(cents, key=lambda p: (cents[p], -p))
        if cents[debtor] >= 0 or cents[creditor] <= 0:
            break
        paid = min(-cents[debtor], cents[creditor])
        out.append((debtor, creditor, paid / 100))
        for p, delta in ((debtor, paid), (creditor, -paid)):
            cents[p] += delta
            if not cents[p]:
                del cents[p]
    return out


def person(ctx: CallContext, person_id: int) -> dict[str, str]:
    return ctx.existing_row("SELECT first_name || ' ' || last_name AS name, email FROM people WHERE id = ?", person_id)


def members(ctx: CallContext, group_id: int) -> list[int]:
    return [
        r["person_id"]
        for r in ctx.rows(
            "SELECT person_id FROM bill_splitting_members WHERE group_id = ? ORDER BY person_id", group_id
        )
    ]


def my_group(ctx: CallContext, group_id: int) -> dict[str, Any]:
    """The group row with the caller's membership (`is_archived`), or 404 if the caller is not in it."""
    row = ctx.row(
        "SELECT g.*, m.is_archived FROM bill_splitting_groups g JOIN bill_splitting_members m ON m.group_id = g.id "
        "WHERE g.id = ? AND m.person_id = ?",
        group_id,
        ctx.user_id,
    )
    if row is None:
        raise ApiError(404, f"No group with id {group_id} among your groups.")
    return row


def member(ctx: CallContext, group_id: int, email: str, argument: str) -> int:
    found = person_id(ctx, email, argument)
    if found not in members(ctx, group_id):
        raise ApiError(422, f"Invalid argument {argument!r}: {email} is not a member of group {group_id}.")
    return found


def my_expense(ctx: CallContext, expense_id: int) -> dict[str, Any]:
    row = ctx.row(
        "SELECT e.* FROM bill_splitting_expenses e JOIN bill_splitting_members m ON m.group_id = e.group_id "
        "WHERE e.id = ? AND m.person_id = ?",
        expense_id,
        ctx.user_id,
    )
    if row is None:
        raise ApiError(404, f"No expense with id {expense_id} in your groups.")
    return row


def day_range(date_from: str | None, date_to: str | None) -> tuple[str, str]:
    """The (first, last) days of a range as ISO text; open ends become bounds every date passes."""
    first = "0000-01-01" if date_from is None else iso_day("date_from", date_from)
    last = "9999-12-31" if date_to is None else iso_day("date_to", date_to)
    if first > last:
        raise ApiError(422, f"Invalid argument 'date_to': {last} is before date_from {first}.")
    return first, last
