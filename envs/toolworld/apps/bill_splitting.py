"""bill_splitting: a splitwise-like app; groups, shared expenses, balances and settling up.

Who owes whom is pairwise and exact: in an expense paid by P, every other
person with a share owes P that share; a settlement from A to B reduces what
A owes B. Group balances and debts are sums of those, so they always agree.
An equal split gives every share the same whole cents, the leftover cents
going one each to the members with the lowest ids.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, App, CallContext, P
from envs.toolworld.apps._accounts import add_account_apis
from envs.toolworld.world.build import WorldBuilder

app = App(
    "bill_splitting",
    "Split bills with groups: shared expenses, who owes whom, settling up.",
    schema="""
    CREATE TABLE bill_splitting_groups (
        id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, created_by INTEGER NOT NULL, created_at TEXT NOT NULL
    );
    CREATE TABLE bill_splitting_members (
        id INTEGER PRIMARY KEY AUTOINCREMENT, group_id INTEGER NOT NULL, person_id INTEGER NOT NULL,
        UNIQUE(group_id, person_id)
    );
    CREATE TABLE bill_splitting_expenses (
        id INTEGER PRIMARY KEY AUTOINCREMENT, group_id INTEGER NOT NULL, description TEXT NOT NULL,
        amount REAL NOT NULL, category TEXT NOT NULL, paid_by INTEGER NOT NULL, created_by INTEGER NOT NULL,
        date TEXT NOT NULL
    );
    CREATE TABLE bill_splitting_shares (
        id INTEGER PRIMARY KEY AUTOINCREMENT, expense_id INTEGER NOT NULL, person_id INTEGER NOT NULL,
        amount REAL NOT NULL
    );
    CREATE TABLE bill_splitting_settlements (
        id INTEGER PRIMARY KEY AUTOINCREMENT, group_id INTEGER NOT NULL, payer_id INTEGER NOT NULL,
        receiver_id INTEGER NOT NULL, amount REAL NOT NULL, created_at TEXT NOT NULL
    );
    CREATE TABLE bill_splitting_comments (
        id INTEGER PRIMARY KEY AUTOINCREMENT, expense_id INTEGER NOT NULL, author_id INTEGER NOT NULL,
        text TEXT NOT NULL, created_at TEXT NOT NULL
    );
    """,
)
add_account_apis(app)

Category = Literal["groceries", "rent", "utilities", "dining", "travel", "entertainment", "general"]
HOME_EXPENSES = (
    ("Rent", "rent", 900, 2400),
    ("Electricity bill", "utilities", 40, 160),
    ("Internet", "utilities", 30, 90),
    ("Groceries", "groceries", 20, 180),
    ("Cleaning supplies", "general", 8, 40),
    ("Pizza night", "dining", 25, 70),
)
TRIP_EXPENSES = (
    ("Hotel", "travel", 150, 900),
    ("Train tickets", "travel", 40, 300),
    ("Dinner", "dining", 40, 220),
    ("Museum tickets", "entertainment", 20, 90),
    ("Snacks", "groceries", 8, 40),
    ("Boat tour", "entertainment", 60, 240),
)
TRIPS = ("Lisbon trip", "Ski weekend", "Camping at the lake", "Road trip", "Beach house", "Festival weekend")
COMMENTS = (
    "Thanks!",
    "I'll pay you back on Friday.",
    "Was this with tip?",
    "Receipt is on the fridge.",
    "Can we split this differently next time?",
)
PERSON = {"name": "string", "email": "string"}
GROUP = {"group_id": 1, "name": "string", "members": [PERSON], "created_at": "string", "my_balance": 1.0}
EXPENSE = {
    "expense_id": 1,
    "group_id": 1,
    "description": "string",
    "amount": 1.0,
    "category": "string",
    "date": "string",
    "paid_by": PERSON,
    "shares": [{**PERSON, "amount": 1.0}],
    "comment_count": 1,
}
MESSAGE = {"message": "string"}
GROUP_ID = Annotated[int, P("The group's id.", ge=1)]
EXPENSE_ID = Annotated[int, P("The expense's id.", ge=1)]
EMAIL = Annotated[str, P("The person's email address.", min_length=3)]
AMOUNT = Annotated[float, P("Amount in dollars.", ge=0.01, le=100_000)]


@app.populator
def populate(w: WorldBuilder) -> None:
    rng = w.rng("bill_splitting")
    streets = {
        pid: street
        for pid, street in w.conn.execute(
            "SELECT person_id, street_address FROM addresses WHERE name = 'Home' ORDER BY id"
        )
    }
    groups: list[tuple[str, list[int], tuple]] = []
    seen: set[tuple[int, ...]] = set()
    for person in w.people:
        for kind in ("roommate", "family"):
            household = tuple(sorted({person.id, *w.related(person.id, (kind,))}))
            if len(household) >= 2 and household not in seen:
                seen.add(household)
                name = (
                    f"Flat on {streets[person.id].split(' ', 1)[1]}"
                    if kind == "roommate"
                    else f"{person.last_name} family"
                )
                groups.append((name, list(household), HOME_EXPENSES))
        friends = w.related(person.id, ("friend",))
        if len(friends) >= 2 and rng.random() < 0.5:
            groups.append(
                (
                    rng.choice(TRIPS),
                    sorted({person.id, *rng.sample(friends, min(len(friends), rng.randint(2, 4)))}),
                    TRIP_EXPENSES,
                )
            )
    for name, members, kinds in groups:
        created = w.now - timedelta(days=rng.randint(60, 400))
        (group_id,) = w.insert(
            "bill_splitting_groups",
            [{"name": name, "created_by": members[0], "created_at": created.isoformat(timespec="seconds")}],
        )
        w.insert("bill_splitting_members", [{"group_id": group_id, "person_id": m} for m in members])
        for _ in range(rng.randint(4, 14)):
            description, category, low, high = rng.choice(kinds)
            payer = rng.choice(members)
            sharers = (
                members if rng.random() < 0.7 else sorted({payer, *rng.sample(members, rng.randint(1, len(members)))})
            )
            amount = round(rng.uniform(low, high), 2)
            day = (w.now - timedelta(days=rng.randint(0, 55))).date().isoformat()
            (expense_id,) = w.insert(
                "bill_splitting_expenses",
                [
                    {
                        "group_id": group_id,
                        "description": description,
                        "amount": amount,
                        "category": category,
                        "paid_by": payer,
                        "created_by": payer,
                        "date": day,
                    }
                ],
            )
            w.insert(
                "bill_splitting_shares",
                [
                    {"expense_id": expense_id, "person_id": p, "amount": a}
                    for p, a in equal_shares(amount, sharers).items()
                ],
            )
            if rng.random() < 0.15:
                author = rng.choice(members)
                w.insert(
                    "bill_splitting_comments",
                    [
                        {
                            "expense_id": expense_id,
                            "author_id": author,
                            "text": rng.choice(COMMENTS),
                            "created_at": f"{day}T20:00:00",
                        }
                    ],
                )
        settled = kinds is TRIP_EXPENSES and rng.random() < 0.35  # an old trip everyone has paid back
        for (debtor, creditor), owed in sorted(pair_debts(w.conn, group_id).items()):
            if settled or rng.random() < 0.3:
                w.insert(
                    "bill_splitting_settlements",
                    [
                        {
                            "group_id": group_id,
                            "payer_id": debtor,
                            "receiver_id": creditor,
                            "amount": round(owed * (1.0 if settled else rng.choice((0.5, 1.0))), 2),
                            "created_at": (w.now - timedelta(days=rng.randint(0, 10))).isoformat(timespec="seconds"),
                        }
                    ],
                )


def equal_shares(amount: float, people: list[int]) -> dict[int, float]:
    """`amount` split in whole cents; leftover cents go one each to the lowest ids."""
    cents, ordered = round(amount * 100), sorted(set(people))
    base, extra = divmod(cents, len(ordered))
    return {p: (base + (i < extra)) / 100 for i, p in enumerate(ordered)}


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


def group_balance(conn: Any, group_id: int, person_id: int) -> float:
    """What the group owes the person (negative: what they owe)."""
    debts = pair_debts(conn, group_id)
    return round(
        sum(a for (d, c), a in debts.items() if c == person_id)
        - sum(a for (d, c), a in debts.items() if d == person_id),
        2,
    )


def _person(ctx: CallContext, person_id: int) -> dict[str, str]:
    return ctx.existing_row("SELECT first_name || ' ' || last_name AS name, email FROM people WHERE id = ?", person_id)


def _person_id(ctx: CallContext, email: str, argument: str) -> int:
    found = ctx.value("SELECT id FROM people WHERE lower(email) = lower(?)", email.strip())
    if found is None:
        raise ApiError(422, f"Invalid argument {argument!r}: no user has the email {email!r}.")
    return found


def _members(ctx: CallContext, group_id: int) -> list[int]:
    return [
        r["person_id"]
        for r in ctx.rows(
            "SELECT person_id FROM bill_splitting_members WHERE group_id = ? ORDER BY person_id", group_id
        )
    ]


def _my_group(ctx: CallContext, group_id: int) -> dict[str, Any]:
    row = ctx.row(
        "SELECT g.* FROM bill_splitting_groups g JOIN bill_splitting_members m ON m.group_id = g.id "
        "WHERE g.id = ? AND m.person_id = ?",
        group_id,
        ctx.user_id,
    )
    if row is None:
        raise ApiError(404, f"No group with id {group_id} among your groups.")
    return row


def _member(ctx: CallContext, group_id: int, email: str, argument: str) -> int:
    person = _person_id(ctx, email, argument)
    if person not in _members(ctx, group_id):
        raise ApiError(422, f"Invalid argument {argument!r}: {email} is not a member of group {group_id}.")
    return person


def _group(ctx: CallContext, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "group_id": row["id"],
        "name": row["name"],
        "members": [_person(ctx, p) for p in _members(ctx, row["id"])],
        "created_at": row["created_at"],
        "my_balance": group_balance(ctx.conn, row["id"], ctx.caller),
    }


def _my_expense(ctx: CallContext, expense_id: int) -> dict[str, Any]:
    row = ctx.row(
        "SELECT e.* FROM bill_splitting_expenses e JOIN bill_splitting_members m ON m.group_id = e.group_id "
        "WHERE e.id = ? AND m.person_id = ?",
        expense_id,
        ctx.user_id,
    )
    if row is None:
        raise ApiError(404, f"No expense with id {expense_id} in your groups.")
    return row


def _expense(ctx: CallContext, row: dict[str, Any]) -> dict[str, Any]:
    shares = ctx.rows(
        "SELECT person_id, amount FROM bill_splitting_shares WHERE expense_id = ? ORDER BY person_id", row["id"]
    )
    return {
        "expense_id": row["id"],
        "group_id": row["group_id"],
        "description": row["description"],
        "amount": row["amount"],
        "category": row["category"],
        "date": row["date"],
        "paid_by": _person(ctx, row["paid_by"]),
        "shares": [{**_person(ctx, s["person_id"]), "amount": s["amount"]} for s in shares],
        "comment_count": ctx.value("SELECT COUNT(*) FROM bill_splitting_comments WHERE expense_id = ?", row["id"]),
    }


@app.api("GET", "/groups", [GROUP], paginated=True)
def show_groups(
    ctx: CallContext,
    query: Annotated[str, P("Words to match in the group's name; empty lists all.", max_length=QUERY_MAX_CHARS)] = "",
) -> list[dict[str, Any]]:
    """List the groups you belong to, by name."""
    rows = ctx.rows(
        "SELECT g.* FROM bill_splitting_groups g JOIN bill_splitting_members m ON m.group_id = g.id "
        "WHERE m.person_id = ? ORDER BY g.name, g.id",
        ctx.user_id,
    )
    return [_group(ctx, r) for r in rows if all(w in r["name"].lower() for w in query.lower().split())]


@app.api("GET", "/groups/{group_id}", GROUP)
def show_group(ctx: CallContext, group_id: GROUP_ID) -> dict[str, Any]:
    """Show one of your groups with its members and your balance in it."""
    return _group(ctx, _my_group(ctx, group_id))


@app.api("POST", "/groups", {"message": "string", "group_id": 1})
def create_group(
    ctx: CallContext,
    name: Annotated[str, P("The group's name.", min_length=1, max_length=100)],
    member_emails: Annotated[list[str], P("Emails of the other members; you are added yourself.")],
) -> dict[str, Any]:
    """Create a group with you and the given people."""
    people = {ctx.caller, *(_person_id(ctx, e, f"member_emails[{i}]") for i, e in enumerate(member_emails))}
    group_id = ctx.execute(
        "INSERT INTO bill_splitting_groups (name, created_by, created_at) VALUES (?,?,?)",
        name,
        ctx.user_id,
        ctx.timestamp(),
    )
    for person in sorted(people):
        ctx.execute("INSERT INTO bill_splitting_members (group_id, person_id) VALUES (?,?)", group_id, person)
    return {"message": "Group created.", "group_id": group_id}


@app.api("PATCH", "/groups/{group_id}", MESSAGE)
def rename_group(
    ctx: CallContext, group_id: GROUP_ID, name: Annotated[str, P("The new name.", min_length=1, max_length=100)]
) -> dict[str, str]:
    """Rename a group you belong to."""
    _my_group(ctx, group_id)
    ctx.execute("UPDATE bill_splitting_groups SET name = ? WHERE id = ?", name, group_id)
    return {"message": "Group renamed."}


@app.api("POST", "/groups/{group_id}/members", MESSAGE)
def add_group_member(ctx: CallContext, group_id: GROUP_ID, email: EMAIL) -> dict[str, str]:
    """Add someone to a group you belong to."""
    _my_group(ctx, group_id)
    person = _person_id(ctx, email, "email")
    ctx.insert_unique(
        "bill_splitting_members",
        {"group_id": group_id, "person_id": person},
        f"{email} is already in group {group_id}.",
    )
    return {"message": "Member added."}


@app.api("DELETE", "/groups/{group_id}/members", MESSAGE)
def remove_group_member(ctx: CallContext, group_id: GROUP_ID, email: EMAIL) -> dict[str, str]:
    """Remove someone (or yourself) from a group; only possible when their balance in it is zero."""
    _my_group(ctx, group_id)
    person = _member(ctx, group_id, email, "email")
    balance = group_balance(ctx.conn, group_id, person)
    if balance:
        raise ApiError(409, f"{email} has a balance of {balance:.2f} in group {group_id}; settle up first.")
    ctx.execute("DELETE FROM bill_splitting_members WHERE group_id = ? AND person_id = ?", group_id, person)
    return {"message": "Member removed."}


@app.api("DELETE", "/groups/{group_id}", MESSAGE)
def delete_group(ctx: CallContext, group_id: GROUP_ID) -> dict[str, str]:
    """Delete a group with its expenses; only possible when everyone in it is settled up."""
    _my_group(ctx, group_id)
    if pair_debts(ctx.conn, group_id):
        raise ApiError(409, f"Group {group_id} still has debts (see show_group_debts); settle up first.")
    expenses = f"SELECT id FROM bill_splitting_expenses WHERE group_id = {int(group_id)}"
    for sql in (
        f"DELETE FROM bill_splitting_comments WHERE expense_id IN ({expenses})",
        f"DELETE FROM bill_splitting_shares WHERE expense_id IN ({expenses})",
        "DELETE FROM bill_splitting_expenses WHERE group_id = ?",
        "DELETE FROM bill_splitting_settlements WHERE group_id = ?",
        "DELETE FROM bill_splitting_members WHERE group_id = ?",
        "DELETE FROM bill_splitting_groups WHERE id = ?",
    ):
        ctx.execute(sql, *([group_id] if "?" in sql else []))
    return {"message": "Group deleted."}


@app.api("GET", "/expenses", [EXPENSE], paginated=True)
def show_expenses(
    ctx: CallContext,
    group_id: Annotated[int | None, P("Only expenses of this group; null for all your groups.", ge=1)] = None,
    query: Annotated[str, P("Words to match in the description; empty matches all.", max_length=QUERY_MAX_CHARS)] = "",
    category: Annotated[Category | None, P("Only expenses of this category.")] = None,
    paid_by_email: Annotated[str | None, P("Only expenses paid by this person.")] = None,
) -> list[dict[str, Any]]:
    """List the expenses of your groups, newest first."""
    groups = (
        [group_id]
        if group_id is not None
        else [
            r["group_id"]
            for r in ctx.rows("SELECT group_id FROM bill_splitting_members WHERE person_id = ?", ctx.user_id)
        ]
    )
    if group_id is not None:
        _my_group(ctx, group_id)
    payer = None if paid_by_email is None else _person_id(ctx, paid_by_email, "paid_by_email")
    rows = ctx.rows(
        f"SELECT * FROM bill_splitting_expenses WHERE group_id IN ({','.join(str(int(g)) for g in groups) or 'NULL'}) "
        "ORDER BY date DESC, id DESC"
    )
    return [
        _expense(ctx, r)
        for r in rows
        if all(w in r["description"].lower() for w in query.lower().split())
        and (category is None or r["category"] == category)
        and (payer is None or r["paid_by"] == payer)
    ]


@app.api("GET", "/expenses/{expense_id}", EXPENSE)
def show_expense(ctx: CallContext, expense_id: EXPENSE_ID) -> dict[str, Any]:
    """Show one expense with everyone's share."""
    return _expense(ctx, _my_expense(ctx, expense_id))


@app.api("POST", "/expenses", {"message": "string", "expense_id": 1})
def add_expense(
    ctx: CallContext,
    group_id: GROUP_ID,
    description: Annotated[str, P("What it was for.", min_length=1, max_length=200)],
    amount: AMOUNT,
    paid_by_email: Annotated[str | None, P("Who paid; null means you.")] = None,
    split_with_emails: Annotated[
        list[str] | None,
        P("Split equally among these members (include the payer if they have a share); null means all members."),
    ] = None,
    exact_shares: Annotated[
        dict | None, P("Instead of an equal split: {member email: share in dollars}, summing to amount.")
    ] = None,
    category: Annotated[Category, P("The kind of expense.")] = "general",
    date: Annotated[str | None, P("The day of the expense (YYYY-MM-DD); null means today.")] = None,
) -> dict[str, Any]:
    """Add an expense to a group, split equally or in exact shares."""
    _my_group(ctx, group_id)
    payer = ctx.user_id if paid_by_email is None else _member(ctx, group_id, paid_by_email, "paid_by_email")
    if exact_shares is not None and split_with_emails is not None:
        raise ApiError(422, "Invalid argument 'exact_shares': give either split_with_emails or exact_shares, not both.")
    if exact_shares is not None:
        shares = _exact(ctx, group_id, exact_shares, amount)
    else:
        people = (
            _members(ctx, group_id)
            if split_with_emails is None
            else [_member(ctx, group_id, e, f"split_with_emails[{i}]") for i, e in enumerate(split_with_emails)]
        )
        if not people:
            raise ApiError(
                422, "Invalid argument 'split_with_emails': the expense needs at least one person to share it."
            )
        shares = equal_shares(amount, people)
    day = ctx.now.date().isoformat() if date is None else _day(date)
    expense_id = ctx.execute(
        "INSERT INTO bill_splitting_expenses (group_id, description, amount, category, paid_by, created_by, date) "
        "VALUES (?,?,?,?,?,?,?)",
        group_id,
        description,
        round(amount, 2),
        category,
        payer,
        ctx.user_id,
        day,
    )
    for person, share in shares.items():
        ctx.execute(
            "INSERT INTO bill_splitting_shares (expense_id, person_id, amount) VALUES (?,?,?)",
            expense_id,
            person,
            share,
        )
    return {"message": "Expense added.", "expense_id": expense_id}


def _exact(ctx: CallContext, group_id: int, given: dict, amount: float) -> dict[int, float]:
    shares: dict[int, float] = {}
    for email, share in given.items():
        if not isinstance(share, (int, float)) or isinstance(share, bool) or share < 0:
            raise ApiError(
                422,
                f"Invalid argument 'exact_shares': the share of {email!r} must be a non-negative number, "
                f"got {share!r}.",
            )
        shares[_member(ctx, group_id, email, "exact_shares")] = round(float(share), 2)
    if round(sum(shares.values()), 2) != round(amount, 2):
        raise ApiError(
            422,
            f"Invalid argument 'exact_shares': the shares add up to {sum(shares.values()):.2f}, "
            f"not the amount {amount:.2f}.",
        )
    return shares


def _day(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ApiError(422, f"Invalid argument 'date': {value!r} is not a date in YYYY-MM-DD form.") from None


@app.api("PATCH", "/expenses/{expense_id}", MESSAGE)
def update_expense(
    ctx: CallContext,
    expense_id: EXPENSE_ID,
    description: Annotated[str | None, P("New description; null keeps it.", min_length=1, max_length=200)] = None,
    category: Annotated[Category | None, P("New category; null keeps it.")] = None,
    date: Annotated[str | None, P("New day (YYYY-MM-DD); null keeps it.")] = None,
) -> dict[str, str]:
    """Change an expense's description, category or date (to change amounts, delete it and add it again)."""
    _my_expense(ctx, expense_id)
    ctx.update(
        "bill_splitting_expenses",
        expense_id,
        {"description": description, "category": category, "date": None if date is None else _day(date)},
    )
    return {"message": "Expense updated."}


@app.api("DELETE", "/expenses/{expense_id}", MESSAGE)
def delete_expense(ctx: CallContext, expense_id: EXPENSE_ID) -> dict[str, str]:
    """Delete an expense with its shares and comments."""
    _my_expense(ctx, expense_id)
    for table, column in (
        ("bill_splitting_comments", "expense_id"),
        ("bill_splitting_shares", "expense_id"),
        ("bill_splitting_expenses", "id"),
    ):
        ctx.execute(f"DELETE FROM {table} WHERE {column} = ?", expense_id)
    return {"message": "Expense deleted."}


@app.api("GET", "/groups/{group_id}/balances", [{**PERSON, "balance": 1.0}], paginated=True)
def show_group_balances(ctx: CallContext, group_id: GROUP_ID) -> list[dict[str, Any]]:
    """Every member's balance in a group: positive means the group owes them, negative that they owe."""
    _my_group(ctx, group_id)
    return [{**_person(ctx, p), "balance": group_balance(ctx.conn, group_id, p)} for p in _members(ctx, group_id)]


@app.api("GET", "/groups/{group_id}/debts", [{"debtor": PERSON, "creditor": PERSON, "amount": 1.0}], paginated=True)
def show_group_debts(ctx: CallContext, group_id: GROUP_ID) -> list[dict[str, Any]]:
    """Who owes whom how much in a group, largest first."""
    _my_group(ctx, group_id)
    debts = sorted(pair_debts(ctx.conn, group_id).items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"debtor": _person(ctx, d), "creditor": _person(ctx, c), "amount": a} for (d, c), a in debts]


@app.api("GET", "/balances", [{**PERSON, "balance": 1.0}], paginated=True)
def show_balances_with_people(ctx: CallContext) -> list[dict[str, Any]]:
    """Your net balance with each person across all your groups: positive means they owe you.
    Settled people are left out.
    """
    totals: dict[int, float] = {}
    for (group_id,) in ctx.conn.execute(
        "SELECT group_id FROM bill_splitting_members WHERE person_id = ? ORDER BY group_id", (ctx.user_id,)
    ).fetchall():
        for (debtor, creditor), amount in pair_debts(ctx.conn, group_id).items():
            if ctx.user_id in (debtor, creditor):
                other = creditor if debtor == ctx.user_id else debtor
                totals[other] = totals.get(other, 0.0) + (amount if creditor == ctx.user_id else -amount)
    return [{**_person(ctx, p), "balance": round(b, 2)} for p, b in sorted(totals.items()) if round(b, 2)]


@app.api("POST", "/groups/{group_id}/settlements", {"message": "string", "settlement_id": 1, "amount": 1.0})
def settle_up(
    ctx: CallContext,
    group_id: GROUP_ID,
    email: Annotated[str, P("The member you paid back.", min_length=3)],
    amount: Annotated[
        float | None, P("How much you paid them; null means all you owe them in this group.", ge=0.01, le=100_000)
    ] = None,
) -> dict[str, Any]:
    """Record that you paid a member back (pay them with the payments app; this only records it)."""
    _my_group(ctx, group_id)
    other = _member(ctx, group_id, email, "email")
    if other == ctx.user_id:
        raise ApiError(422, "Invalid argument 'email': you cannot settle up with yourself.")
    if amount is None:
        amount = pair_debts(ctx.conn, group_id).get((ctx.caller, other))
        if amount is None:
            raise ApiError(
                409, f"You owe {email} nothing in group {group_id}; pass an amount to record a payment anyway."
            )
    new_id = ctx.execute(
        "INSERT INTO bill_splitting_settlements (group_id, payer_id, receiver_id, amount, created_at) "
        "VALUES (?,?,?,?,?)",
        group_id,
        ctx.user_id,
        other,
        round(amount, 2),
        ctx.timestamp(),
    )
    return {"message": "Settlement recorded.", "settlement_id": new_id, "amount": round(amount, 2)}


@app.api(
    "GET",
    "/groups/{group_id}/settlements",
    [{"settlement_id": 1, "payer": PERSON, "receiver": PERSON, "amount": 1.0, "created_at": "string"}],
    paginated=True,
)
def show_settlements(ctx: CallContext, group_id: GROUP_ID) -> list[dict[str, Any]]:
    """List the settlements recorded in a group, newest first."""
    _my_group(ctx, group_id)
    rows = ctx.rows(
        "SELECT * FROM bill_splitting_settlements WHERE group_id = ? ORDER BY created_at DESC, id DESC", group_id
    )
    return [
        {
            "settlement_id": r["id"],
            "payer": _person(ctx, r["payer_id"]),
            "receiver": _person(ctx, r["receiver_id"]),
            "amount": r["amount"],
            "created_at": r["created_at"],
        }
        for r in rows
    ]


@app.api("POST", "/expenses/{expense_id}/comments", {"message": "string", "comment_id": 1})
def add_comment(
    ctx: CallContext, expense_id: EXPENSE_ID, text: Annotated[str, P("The comment.", min_length=1, max_length=1000)]
) -> dict[str, Any]:
    """Comment on an expense."""
    _my_expense(ctx, expense_id)
    new_id = ctx.execute(
        "INSERT INTO bill_splitting_comments (expense_id, author_id, text, created_at) VALUES (?,?,?,?)",
        expense_id,
        ctx.user_id,
        text,
        ctx.timestamp(),
    )
    return {"message": "Comment added.", "comment_id": new_id}


@app.api(
    "GET",
    "/expenses/{expense_id}/comments",
    [{"comment_id": 1, "author": PERSON, "text": "string", "created_at": "string"}],
    paginated=True,
)
def show_comments(ctx: CallContext, expense_id: EXPENSE_ID) -> list[dict[str, Any]]:
    """List the comments on an expense, oldest first."""
    _my_expense(ctx, expense_id)
    rows = ctx.rows("SELECT * FROM bill_splitting_comments WHERE expense_id = ? ORDER BY created_at, id", expense_id)
    return [
        {
            "comment_id": r["id"],
            "author": _person(ctx, r["author_id"]),
            "text": r["text"],
            "created_at": r["created_at"],
        }
        for r in rows
    ]
