"""payments: a peer-to-peer money app with a balance, transactions, requests and friends."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, App, CallContext, P
from envs.toolworld.apps._accounts import add_account_apis
from envs.toolworld.world.build import WorldBuilder

app = App(
    "payments",
    "Send and request money from friends; keep a balance funded from your cards.",
    schema="""
    CREATE TABLE payments_balances (
        id INTEGER PRIMARY KEY AUTOINCREMENT, person_id INTEGER NOT NULL UNIQUE, balance REAL NOT NULL
    );
    CREATE TABLE payments_transactions (
        id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id INTEGER NOT NULL, receiver_id INTEGER NOT NULL,
        amount REAL NOT NULL, note TEXT NOT NULL, private INTEGER NOT NULL, created_at TEXT NOT NULL
    );
    CREATE TABLE payments_requests (
        id INTEGER PRIMARY KEY AUTOINCREMENT, requester_id INTEGER NOT NULL, payer_id INTEGER NOT NULL,
        amount REAL NOT NULL, note TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, resolved_at TEXT
    );
    CREATE TABLE payments_transfers (
        id INTEGER PRIMARY KEY AUTOINCREMENT, person_id INTEGER NOT NULL, kind TEXT NOT NULL, amount REAL NOT NULL,
        card_number TEXT NOT NULL, created_at TEXT NOT NULL
    );
    CREATE TABLE payments_friends (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, friend_id INTEGER NOT NULL,
        UNIQUE(owner_id, friend_id)
    );
    """,
)
add_account_apis(app)

NOTES = (
    "pizza night",
    "concert tickets",
    "rent share",
    "groceries",
    "cab ride",
    "birthday gift",
    "utilities",
    "coffee",
    "book club",
    "gas money",
)
TRANSACTION = {
    "transaction_id": 1,
    "sender": {"name": "string", "email": "string"},
    "receiver": {"name": "string", "email": "string"},
    "amount": 1.0,
    "note": "string",
    "private": True,
    "created_at": "string",
}
REQUEST = {
    "request_id": 1,
    "requester": {"name": "string", "email": "string"},
    "payer": {"name": "string", "email": "string"},
    "amount": 1.0,
    "note": "string",
    "status": "string",
    "created_at": "string",
    "resolved_at": "string",
}
AMOUNT = Annotated[float, P("Amount in dollars.", ge=0.01, le=10_000)]
EMAIL = Annotated[str, P("The other person's email address.", min_length=3)]
REQUEST_ID = Annotated[int, P("The request's id.", ge=1)]


@app.populator
def populate(w: WorldBuilder) -> None:
    rng = w.rng("payments")
    ids = [p.id for p in w.people]
    w.insert("payments_balances", [{"person_id": pid, "balance": round(rng.uniform(0, 900), 2)} for pid in ids])
    for pid in ids:
        w.insert(
            "payments_friends",
            [{"owner_id": pid, "friend_id": f} for f in sorted(set(w.related(pid, ("friend", "family", "roommate"))))],
        )
    transactions, requests = [], []
    for pid in ids:
        others = w.related(pid) or ids
        for _ in range(rng.randint(3, 12)):
            transactions.append(
                {
                    "sender_id": pid,
                    "receiver_id": rng.choice(others),
                    "amount": round(rng.uniform(3, 150), 2),
                    "note": rng.choice(NOTES),
                    "private": int(rng.random() < 0.3),
                    "created_at": _ago(w, rng),
                }
            )
        for _ in range(rng.randint(0, 4)):
            status = rng.choice(("pending", "pending", "approved", "declined"))
            created = _ago(w, rng)
            requests.append(
                {
                    "requester_id": rng.choice(others),
                    "payer_id": pid,
                    "amount": round(rng.uniform(5, 120), 2),
                    "note": rng.choice(NOTES),
                    "status": status,
                    "created_at": created,
                    "resolved_at": None if status == "pending" else created,
                }
            )
    w.insert("payments_transactions", sorted(transactions, key=lambda t: t["created_at"]))
    w.insert("payments_requests", sorted(requests, key=lambda r: r["created_at"]))


def _ago(w: WorldBuilder, rng: Any) -> str:
    return (w.now - timedelta(days=rng.randint(1, 365), minutes=rng.randint(0, 1440))).isoformat(timespec="seconds")


def _who(ctx: CallContext, person_id: int) -> dict[str, str]:
    return ctx.existing_row("SELECT first_name || ' ' || last_name AS name, email FROM people WHERE id = ?", person_id)


def _person_by_email(ctx: CallContext, email: str) -> int:
    found = ctx.value("SELECT id FROM people WHERE email = ?", email)
    if found is None:
        raise ApiError(404, f"No payments user with email {email!r}.")
    if found == ctx.user_id:
        raise ApiError(422, "Invalid argument: you cannot pay or request money from yourself.")
    return found


def _move(ctx: CallContext, sender: int, receiver: int, amount: float, note: str, private: bool) -> int:
    balance = ctx.value("SELECT balance FROM payments_balances WHERE person_id = ?", sender)
    if balance < amount:
        raise ApiError(
            409, f"Insufficient balance: {balance:.2f} available, {amount:.2f} needed. Add money from a card first."
        )
    ctx.execute("UPDATE payments_balances SET balance = ROUND(balance - ?, 2) WHERE person_id = ?", amount, sender)
    ctx.execute("UPDATE payments_balances SET balance = ROUND(balance + ?, 2) WHERE person_id = ?", amount, receiver)
    return ctx.execute(
        "INSERT INTO payments_transactions (sender_id, receiver_id, amount, note, private, created_at) "
        "VALUES (?,?,?,?,?,?)",
        sender,
        receiver,
        round(amount, 2),
        note,
        int(private),
        ctx.timestamp(),
    )


def _transaction(ctx: CallContext, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "transaction_id": row["id"],
        "sender": _who(ctx, row["sender_id"]),
        "receiver": _who(ctx, row["receiver_id"]),
        "amount": row["amount"],
        "note": row["note"],
        "private": bool(row["private"]),
        "created_at": row["created_at"],
    }


def _request(ctx: CallContext, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "request_id": row["id"],
        "requester": _who(ctx, row["requester_id"]),
        "payer": _who(ctx, row["payer_id"]),
        "amount": row["amount"],
        "note": row["note"],
        "status": row["status"],
        "created_at": row["created_at"],
        "resolved_at": row["resolved_at"],
    }


def _card(ctx: CallContext, card_number: str) -> None:
    if not ctx.value("SELECT 1 FROM payment_cards WHERE person_id = ? AND card_number = ?", ctx.user_id, card_number):
        raise ApiError(
            404, "No payment card of yours with that card_number (see apis.supervisor.show_payment_cards())."
        )


@app.api("GET", "/balance", {"balance": 1.0})
def show_balance(ctx: CallContext) -> dict[str, float]:
    """Show your payments balance in dollars."""
    return {"balance": ctx.value("SELECT balance FROM payments_balances WHERE person_id = ?", ctx.user_id)}


@app.api("POST", "/balance/add", {"message": "string", "balance": 1.0})
def add_money(
    ctx: CallContext, amount: AMOUNT, card_number: Annotated[str, P("Number of one of your payment cards.")]
) -> dict[str, Any]:
    """Move money from one of your payment cards into your balance."""
    _card(ctx, card_number)
    ctx.execute("UPDATE payments_balances SET balance = ROUND(balance + ?, 2) WHERE person_id = ?", amount, ctx.user_id)
    ctx.execute(
        "INSERT INTO payments_transfers (person_id, kind, amount, card_number, created_at) "
        "VALUES (?, 'deposit', ?, ?, ?)",
        ctx.user_id,
        round(amount, 2),
        card_number,
        ctx.timestamp(),
    )
    return {"message": "Money added.", **show_balance(ctx)}


@app.api("POST", "/balance/withdraw", {"message": "string", "balance": 1.0})
def withdraw_money(
    ctx: CallContext, amount: AMOUNT, card_number: Annotated[str, P("Number of one of your payment cards.")]
) -> dict[str, Any]:
    """Move money from your balance to one of your payment cards."""
    _card(ctx, card_number)
    balance = show_balance(ctx)["balance"]
    if balance < amount:
        raise ApiError(409, f"Insufficient balance: {balance:.2f} available.")
    ctx.execute("UPDATE payments_balances SET balance = ROUND(balance - ?, 2) WHERE person_id = ?", amount, ctx.user_id)
    ctx.execute(
        "INSERT INTO payments_transfers (person_id, kind, amount, card_number, created_at) "
        "VALUES (?, 'withdrawal', ?, ?, ?)",
        ctx.user_id,
        round(amount, 2),
        card_number,
        ctx.timestamp(),
    )
    return {"message": "Money withdrawn.", **show_balance(ctx)}


@app.api(
    "GET",
    "/transfers",
    [{"transfer_id": 1, "kind": "string", "amount": 1.0, "card_number": "string", "created_at": "string"}],
    paginated=True,
)
def show_transfers(ctx: CallContext) -> list[dict[str, Any]]:
    """List money you added from or withdrew to your cards, newest first."""
    return ctx.rows(
        "SELECT id AS transfer_id, kind, amount, card_number, created_at FROM payments_transfers WHERE person_id = ? "
        "ORDER BY id DESC",
        ctx.user_id,
    )


@app.api("GET", "/users", [{"name": "string", "email": "string"}], paginated=True)
def search_users(
    ctx: CallContext,
    query: Annotated[str, P("Words to match in name or email.", min_length=1, max_length=QUERY_MAX_CHARS)],
) -> list[dict[str, Any]]:
    """Find payments users by name or email."""
    rows = ctx.rows("SELECT first_name || ' ' || last_name AS name, email FROM people ORDER BY first_name, last_name")
    return [r for r in rows if all(w in f"{r['name']} {r['email']}".lower() for w in query.lower().split())]


@app.api("GET", "/friends", [{"name": "string", "email": "string"}], paginated=True)
def show_friends(ctx: CallContext) -> list[dict[str, Any]]:
    """List your payments friends."""
    return [
        _who(ctx, r["friend_id"])
        for r in ctx.rows("SELECT friend_id FROM payments_friends WHERE owner_id = ? ORDER BY id", ctx.user_id)
    ]


@app.api("POST", "/friends", {"message": "string"})
def add_friend(ctx: CallContext, email: EMAIL) -> dict[str, str]:
    """Add a payments friend by email."""
    ctx.insert_unique(
        "payments_friends",
        {"owner_id": ctx.user_id, "friend_id": _person_by_email(ctx, email)},
        f"{email} is already your friend.",
    )
    return {"message": "Friend added."}


@app.api("DELETE", "/friends", {"message": "string"})
def remove_friend(ctx: CallContext, email: EMAIL) -> dict[str, str]:
    """Remove a payments friend."""
    ctx.delete_existing(
        "payments_friends",
        {"owner_id": ctx.user_id, "friend_id": _person_by_email(ctx, email)},
        f"{email} is not your friend.",
    )
    return {"message": "Friend removed."}


@app.api("GET", "/transactions", [TRANSACTION], paginated=True)
def show_transactions(
    ctx: CallContext,
    direction: Annotated[
        Literal["sent", "received"] | None, P("Only money you sent or only money you received.")
    ] = None,
    with_email: Annotated[str | None, P("Only transactions with this person.")] = None,
) -> list[dict[str, Any]]:
    """List your transactions, newest first."""
    rows = ctx.rows(
        "SELECT * FROM payments_transactions WHERE sender_id = ? OR receiver_id = ? ORDER BY created_at DESC, id DESC",
        ctx.user_id,
        ctx.user_id,
    )
    if direction is not None:
        rows = [r for r in rows if (r["sender_id"] if direction == "sent" else r["receiver_id"]) == ctx.user_id]
    if with_email is not None:
        other = _person_by_email(ctx, with_email)
        rows = [r for r in rows if other in (r["sender_id"], r["receiver_id"])]
    return [_transaction(ctx, r) for r in rows]


@app.api("GET", "/transactions/{transaction_id}", TRANSACTION)
def show_transaction(
    ctx: CallContext, transaction_id: Annotated[int, P("The transaction's id.", ge=1)]
) -> dict[str, Any]:
    """Show one of your transactions."""
    row = ctx.row(
        "SELECT * FROM payments_transactions WHERE id = ? AND (sender_id = ? OR receiver_id = ?)",
        transaction_id,
        ctx.user_id,
        ctx.user_id,
    )
    if row is None:
        raise ApiError(404, f"No transaction with id {transaction_id}.")
    return _transaction(ctx, row)


@app.api("POST", "/transactions", {"message": "string", "transaction_id": 1})
def send_money(
    ctx: CallContext,
    receiver_email: EMAIL,
    amount: AMOUNT,
    note: Annotated[str, P("What it is for.", min_length=1, max_length=200)],
    private: Annotated[bool, P("Hide it from the public feed.")] = False,
) -> dict[str, Any]:
    """Send money from your balance to someone."""
    new_id = _move(ctx, ctx.caller, _person_by_email(ctx, receiver_email), amount, note, private)
    return {"message": "Money sent.", "transaction_id": new_id}


@app.api("POST", "/requests", {"message": "string", "request_id": 1})
def request_money(
    ctx: CallContext,
    payer_email: EMAIL,
    amount: AMOUNT,
    note: Annotated[str, P("What it is for.", min_length=1, max_length=200)],
) -> dict[str, Any]:
    """Ask someone to pay you."""
    new_id = ctx.execute(
        "INSERT INTO payments_requests (requester_id, payer_id, amount, note, status, created_at) "
        "VALUES (?,?,?,?, 'pending', ?)",
        ctx.user_id,
        _person_by_email(ctx, payer_email),
        round(amount, 2),
        note,
        ctx.timestamp(),
    )
    return {"message": "Request sent.", "request_id": new_id}


@app.api("GET", "/requests", [REQUEST], paginated=True)
def show_requests(
    ctx: CallContext,
    direction: Annotated[
        Literal["received", "sent"], P("Requests others sent you, or requests you sent.")
    ] = "received",
    status: Annotated[
        Literal["pending", "approved", "declined", "cancelled"] | None, P("Only requests with this status.")
    ] = None,
) -> list[dict[str, Any]]:
    """List money requests, newest first."""
    column = "payer_id" if direction == "received" else "requester_id"
    rows = ctx.rows(
        f"SELECT * FROM payments_requests WHERE {column} = ? ORDER BY created_at DESC, id DESC", ctx.user_id
    )
    return [_request(ctx, r) for r in rows if status is None or r["status"] == status]


def _pending(ctx: CallContext, request_id: int, column: str) -> dict[str, Any]:
    row = ctx.owned("payments_requests", request_id, "request", owner_column=column)
    if row["status"] != "pending":
        raise ApiError(409, f"Request {request_id} is already {row['status']}.")
    return row


@app.api("POST", "/requests/{request_id}/approve", {"message": "string", "transaction_id": 1})
def approve_request(ctx: CallContext, request_id: REQUEST_ID) -> dict[str, Any]:
    """Pay a pending request someone sent you (from your balance)."""
    row = _pending(ctx, request_id, "payer_id")
    new_id = _move(ctx, ctx.caller, row["requester_id"], row["amount"], row["note"], False)
    ctx.update("payments_requests", request_id, {"status": "approved", "resolved_at": ctx.timestamp()})
    return {"message": "Request paid.", "transaction_id": new_id}


@app.api("POST", "/requests/{request_id}/decline", {"message": "string"})
def decline_request(ctx: CallContext, request_id: REQUEST_ID) -> dict[str, str]:
    """Decline a pending request someone sent you."""
    _pending(ctx, request_id, "payer_id")
    ctx.update("payments_requests", request_id, {"status": "declined", "resolved_at": ctx.timestamp()})
    return {"message": "Request declined."}


@app.api("POST", "/requests/{request_id}/cancel", {"message": "string"})
def cancel_request(ctx: CallContext, request_id: REQUEST_ID) -> dict[str, str]:
    """Cancel a pending request you sent."""
    _pending(ctx, request_id, "requester_id")
    ctx.update("payments_requests", request_id, {"status": "cancelled", "resolved_at": ctx.timestamp()})
    return {"message": "Request cancelled."}
