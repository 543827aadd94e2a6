"""The payments app's declaration (schema, shared argument types) and the helpers all its API modules use."""

from __future__ import annotations

from typing import Annotated, Any

from envs.toolworld.api import ApiError, App, CallContext, P, Page
from envs.toolworld.apps._accounts import add_account_apis
from envs.toolworld.apps._sql_page import sql_page

app = App(
    "payments",
    "Send and request money from friends; keep a balance funded from your cards and bank accounts; "
    "like and comment on the payments feed.",
    schema="""
    CREATE TABLE payments_balances (
        id INTEGER PRIMARY KEY AUTOINCREMENT, person_id INTEGER NOT NULL UNIQUE, balance REAL NOT NULL
    );
    CREATE TABLE payments_transactions (
        id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id INTEGER NOT NULL, receiver_id INTEGER NOT NULL,
        amount REAL NOT NULL, note TEXT NOT NULL, private INTEGER NOT NULL, created_at TEXT NOT NULL
    );
    CREATE INDEX payments_transactions_sender ON payments_transactions (sender_id, created_at);
    CREATE INDEX payments_transactions_receiver ON payments_transactions (receiver_id, created_at);
    CREATE INDEX payments_transactions_created ON payments_transactions (created_at);
    CREATE TABLE payments_requests (
        id INTEGER PRIMARY KEY AUTOINCREMENT, requester_id INTEGER NOT NULL, payer_id INTEGER NOT NULL,
        amount REAL NOT NULL, note TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, resolved_at TEXT,
        reminders INTEGER NOT NULL DEFAULT 0, last_reminded_at TEXT
    );
    CREATE INDEX payments_requests_payer ON payments_requests (payer_id, created_at);
    CREATE INDEX payments_requests_requester ON payments_requests (requester_id, created_at);
    CREATE TABLE payments_transfers (
        id INTEGER PRIMARY KEY AUTOINCREMENT, person_id INTEGER NOT NULL, kind TEXT NOT NULL, amount REAL NOT NULL,
        card_number TEXT, bank_account_id INTEGER, created_at TEXT NOT NULL
    );
    CREATE INDEX payments_transfers_person ON payments_transfers (person_id, created_at);
    CREATE TABLE payments_bank_accounts (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, bank_name TEXT NOT NULL,
        account_name TEXT NOT NULL, account_number TEXT NOT NULL, routing_number TEXT NOT NULL,
        verified INTEGER NOT NULL, created_at TEXT NOT NULL, UNIQUE(owner_id, account_number)
    );
    CREATE TABLE payments_friends (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, friend_id INTEGER NOT NULL,
        UNIQUE(owner_id, friend_id)
    );
    CREATE INDEX payments_friends_friend ON payments_friends (friend_id);
    CREATE TABLE payments_blocks (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, blocked_id INTEGER NOT NULL,
        created_at TEXT NOT NULL, UNIQUE(owner_id, blocked_id)
    );
    CREATE TABLE payments_likes (
        id INTEGER PRIMARY KEY AUTOINCREMENT, transaction_id INTEGER NOT NULL, person_id INTEGER NOT NULL,
        created_at TEXT NOT NULL, UNIQUE(transaction_id, person_id)
    );
    CREATE INDEX payments_likes_person ON payments_likes (person_id);
    CREATE TABLE payments_comments (
        id INTEGER PRIMARY KEY AUTOINCREMENT, transaction_id INTEGER NOT NULL, author_id INTEGER NOT NULL,
        text TEXT NOT NULL, created_at TEXT NOT NULL, edited_at TEXT
    );
    CREATE INDEX payments_comments_transaction ON payments_comments (transaction_id, created_at);
    CREATE INDEX payments_comments_author ON payments_comments (author_id);
    CREATE TABLE payments_notifications (
        id INTEGER PRIMARY KEY AUTOINCREMENT, person_id INTEGER NOT NULL, kind TEXT NOT NULL, message TEXT NOT NULL,
        transaction_id INTEGER, request_id INTEGER, is_read INTEGER NOT NULL, created_at TEXT NOT NULL
    );
    CREATE INDEX payments_notifications_person ON payments_notifications (person_id, created_at);
    CREATE TABLE payments_settings (
        id INTEGER PRIMARY KEY AUTOINCREMENT, person_id INTEGER NOT NULL UNIQUE, default_private INTEGER NOT NULL,
        friends_list_public INTEGER NOT NULL, allow_requests_from TEXT NOT NULL, notify_payments INTEGER NOT NULL,
        notify_requests INTEGER NOT NULL, notify_social INTEGER NOT NULL
    );
    """,
)
add_account_apis(app)

PERSON = {"name": "string", "email": "string"}
TRANSACTION = {
    "transaction_id": 1,
    "sender": PERSON,
    "receiver": PERSON,
    "amount": 1.0,
    "note": "string",
    "private": True,
    "created_at": "string",
    "like_count": 1,
    "comment_count": 1,
}
REQUEST = {
    "request_id": 1,
    "requester": PERSON,
    "payer": PERSON,
    "amount": 1.0,
    "note": "string",
    "status": "string",
    "created_at": "string",
    "resolved_at": "string",
    "reminders": 1,
}
MESSAGE = {"message": "string"}
AMOUNT = Annotated[float, P("Amount in dollars.", ge=0.01, le=10_000)]
EMAIL = Annotated[str, P("The other person's email address.", min_length=3, max_length=200)]
NOTE = Annotated[str, P("What it is for.", min_length=1, max_length=200)]
REQUEST_ID = Annotated[int, P("The request's id.", ge=1)]
TRANSACTION_ID = Annotated[int, P("The transaction's id.", ge=1)]
FEED_LIMIT = 100  # the feed, like a real app's, is a window on the newest activity, not the whole history

_TRANSACTION_SQL = (
    "SELECT t.id AS transaction_id, s.first_name || ' ' || s.last_name AS sender_name, s.email AS sender_email, "
    "r.first_name || ' ' || r.last_name AS receiver_name, r.email AS receiver_email, t.amount, t.note, t.private, "
    "t.created_at, (SELECT COUNT(*) FROM payments_likes l WHERE l.transaction_id = t.id) AS like_count, "
    "(SELECT COUNT(*) FROM payments_comments c WHERE c.transaction_id = t.id) AS comment_count "
    "FROM payments_transactions t {hint} JOIN people s ON s.id = t.sender_id JOIN people r ON r.id = t.receiver_id "
)
_REQUEST_SQL = (
    "SELECT q.id AS request_id, a.first_name || ' ' || a.last_name AS requester_name, a.email AS requester_email, "
    "b.first_name || ' ' || b.last_name AS payer_name, b.email AS payer_email, q.amount, q.note, q.status, "
    "q.created_at, q.resolved_at, q.reminders "
    "FROM payments_requests q JOIN people a ON a.id = q.requester_id JOIN people b ON b.id = q.payer_id "
)


def _nest(row: dict[str, Any], *roles: str) -> dict[str, Any]:
    """Fold `<role>_name`/`<role>_email` columns into `{role: {name, email}}`, as the API shows people."""
    out = dict(row)
    for role in roles:
        out[role] = {"name": out.pop(f"{role}_name"), "email": out.pop(f"{role}_email")}
    return out


def transaction_page(ctx: CallContext, where: str, *args: Any, order: str = "t.created_at DESC, t.id DESC") -> Page:
    """One page of the transactions matching `where` (on alias t), cut in SQL (see sql_page)."""
    return sql_page(ctx, f"{_TRANSACTION_SQL.format(hint='')} WHERE {where}", order, *args, shape=_transaction)


def _transaction(row: dict[str, Any]) -> dict[str, Any]:
    return {**_nest(row, "sender", "receiver"), "private": bool(row["private"])}


def transactions(
    ctx: CallContext,
    where: str,
    *args: Any,
    order: str = "t.created_at DESC, t.id DESC",
    limit: int = -1,
    newest_first_scan: bool = False,
) -> list[Any]:
    """Transactions matching the SQL condition `where` (on alias t), shaped as the API returns them.

    `newest_first_scan` walks the creation-time index from the newest row until `limit` rows match: for a
    feed that matches many people, SQLite would otherwise gather every match and sort them (4x slower)."""
    hint = "INDEXED BY payments_transactions_created" if newest_first_scan else ""
    rows = ctx.rows(f"{_TRANSACTION_SQL.format(hint=hint)} WHERE {where} ORDER BY {order} LIMIT {int(limit)}", *args)
    return [_transaction(r) for r in rows]


def requests(ctx: CallContext, where: str, *args: Any, order: str = "q.created_at DESC, q.id DESC") -> list[Any]:
    """Money requests matching the SQL condition `where` (on alias q), shaped as the API returns them."""
    return [_nest(r, "requester", "payer") for r in ctx.rows(f"{_REQUEST_SQL} WHERE {where} ORDER BY {order}", *args)]


def who(ctx: CallContext, person_id: int) -> dict[str, str]:
    return ctx.existing_row("SELECT first_name || ' ' || last_name AS name, email FROM people WHERE id = ?", person_id)


def person_by_email(ctx: CallContext, email: str, argument: str = "email") -> int:
    """The id of the other person with `email` (any letter case): 404 if none, 422 if it is the caller."""
    found = ctx.value("SELECT id FROM people WHERE email = ? COLLATE NOCASE", email.strip())
    if found is None:
        raise ApiError(404, f"No payments user with email {email!r} ({argument}).")
    if found == ctx.user_id:
        raise ApiError(422, f"Invalid argument {argument!r}: that is your own email.")
    return int(found)


def blocked_between(ctx: CallContext, a: int, b: int) -> bool:
    return bool(
        ctx.value(
            "SELECT 1 FROM payments_blocks "
            "WHERE (owner_id = ?1 AND blocked_id = ?2) OR (owner_id = ?2 AND blocked_id = ?1)",
            a,
            b,
        )
    )


def check_not_blocked(ctx: CallContext, other: int) -> None:
    if blocked_between(ctx, ctx.caller, other):
        raise ApiError(409, "You cannot exchange money with this person: one of you has blocked the other.")


def setting(ctx: CallContext, person_id: int, column: str) -> Any:
    return ctx.value(f"SELECT {column} FROM payments_settings WHERE person_id = ?", person_id)


def move(ctx: CallContext, sender: int, receiver: int, amount: float, note: str, private: bool) -> int:
    """Pay `amount` from the sender's balance to the receiver's (409 if the balance is short); the new id."""
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


def visible_transaction(ctx: CallContext, transaction_id: int) -> dict[str, Any]:
    """A transaction the caller may see: their own, or a public one; else 404."""
    row = ctx.row(
        "SELECT * FROM payments_transactions WHERE id = ? AND (private = 0 OR sender_id = ? OR receiver_id = ?)",
        transaction_id,
        ctx.user_id,
        ctx.user_id,
    )
    if row is None:
        raise ApiError(404, f"No transaction with id {transaction_id} that you can see.")
    return row
