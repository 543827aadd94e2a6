"""payments: a peer-to-peer money app (venmo-like): balance, cards and bank accounts, payments, requests.

The app's declaration and shared helpers are in _payments_base, its data in _payments_data, and the social
side (users, friends, blocks, feed, likes, comments, notifications, settings) in _payments_social."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, CallContext, P, Page
from envs.toolworld.apps import _payments_data, _payments_social  # noqa: F401  (they register on `app`)
from envs.toolworld.apps._day_args import DAY_DOC, day_after, day_arg
from envs.toolworld.apps._payments_base import (
    AMOUNT,
    EMAIL,
    MESSAGE,
    NOTE,
    REQUEST,
    REQUEST_ID,
    TRANSACTION,
    TRANSACTION_ID,
    app,
    check_not_blocked,
    move,
    person_by_email,
    requests,
    setting,
    transaction_page,
    transactions,
)
from envs.toolworld.apps._text_search import word_conditions

__all__ = ["app"]

CARD_NUMBER = Annotated[
    str | None,
    P("Number of one of your payment cards (see show_payment_cards); give this or bank_account_id.", max_length=30),
]
BANK_ACCOUNT_ID = Annotated[
    int | None, P("Id of one of your verified bank accounts (see show_bank_accounts); or give card_number.", ge=1)
]
BANK_ACCOUNT = {
    "bank_account_id": 1,
    "bank_name": "string",
    "account_name": "string",
    "account_number": "string",
    "routing_number": "string",
    "verified": True,
    "created_at": "string",
}
TRANSFER = {
    "transfer_id": 1,
    "kind": "string",
    "amount": 1.0,
    "card_number": "string",
    "bank_account_id": 1,
    "created_at": "string",
}
START = Annotated[str | None, P(f"Only from this day on ({DAY_DOC}).", max_length=10)]
END = Annotated[str | None, P(f"Only up to and including this day ({DAY_DOC}).", max_length=10)]
MIN_AMOUNT = Annotated[float | None, P("Only amounts of at least this many dollars.", ge=0)]
MAX_AMOUNT = Annotated[float | None, P("Only amounts of at most this many dollars.", ge=0)]
QUERY = Annotated[str | None, P("Words that must all appear in the note.", max_length=QUERY_MAX_CHARS)]


def _range_filters(
    alias: str, start: str | None, end: str | None, low: float | None, high: float | None
) -> tuple[list[str], list[Any]]:
    """SQL conditions (and their arguments) for a date range and an amount range on table alias `alias`."""
    where: list[str] = []
    args: list[Any] = []
    first, last = day_arg("start_date", start), day_arg("end_date", end)
    for condition, value in (
        (f"{alias}.created_at >= ?", first),
        (f"{alias}.created_at < ?", last and day_after(last)),
        (f"{alias}.amount >= ?", low),
        (f"{alias}.amount <= ?", high),
    ):
        if value is not None:
            where.append(condition)
            args.append(value)
    return where, args


def _funding(ctx: CallContext, card_number: str | None, bank_account_id: int | None) -> tuple[str | None, int | None]:
    """Exactly one of a card of the caller's or a verified bank account of theirs; 404/409/422 otherwise."""
    if (card_number is None) == (bank_account_id is None):
        raise ApiError(422, "Invalid arguments: give exactly one of card_number and bank_account_id.")
    if card_number is not None:
        if not ctx.value(
            "SELECT 1 FROM payment_cards WHERE person_id = ? AND card_number = ?", ctx.user_id, card_number
        ):
            raise ApiError(404, "No payment card of yours with that card_number (see show_payment_cards).")
        return card_number, None
    account = ctx.owned("payments_bank_accounts", bank_account_id or 0, "bank account of yours")
    if not account["verified"]:
        raise ApiError(409, f"Bank account {bank_account_id} is not verified yet; use another one.")
    return None, bank_account_id


def _transfer(ctx: CallContext, kind: str, amount: float, card: str | None, bank: int | None) -> None:
    ctx.execute(
        "INSERT INTO payments_transfers (person_id, kind, amount, card_number, bank_account_id, created_at) "
        "VALUES (?,?,?,?,?,?)",
        ctx.user_id,
        kind,
        round(amount, 2),
        card,
        bank,
        ctx.timestamp(),
    )


@app.api("GET", "/balance", {"balance": 1.0})
def show_balance(ctx: CallContext) -> dict[str, float]:
    """Show your payments balance in dollars."""
    return {"balance": ctx.value("SELECT balance FROM payments_balances WHERE person_id = ?", ctx.user_id)}


@app.api("POST", "/balance/add", {"message": "string", "balance": 1.0})
def add_money(
    ctx: CallContext, amount: AMOUNT, card_number: CARD_NUMBER = None, bank_account_id: BANK_ACCOUNT_ID = None
) -> dict[str, Any]:
    """Move money from one of your payment cards or bank accounts into your balance."""
    card, bank = _funding(ctx, card_number, bank_account_id)
    ctx.execute("UPDATE payments_balances SET balance = ROUND(balance + ?, 2) WHERE person_id = ?", amount, ctx.user_id)
    _transfer(ctx, "deposit", amount, card, bank)
    return {"message": "Money added.", **show_balance(ctx)}


@app.api("POST", "/balance/withdraw", {"message": "string", "balance": 1.0})
def withdraw_money(
    ctx: CallContext, amount: AMOUNT, card_number: CARD_NUMBER = None, bank_account_id: BANK_ACCOUNT_ID = None
) -> dict[str, Any]:
    """Move money from your balance to one of your payment cards or bank accounts."""
    card, bank = _funding(ctx, card_number, bank_account_id)
    balance = show_balance(ctx)["balance"]
    if balance < amount:
        raise ApiError(409, f"Insufficient balance: {balance:.2f} available.")
    ctx.execute("UPDATE payments_balances SET balance = ROUND(balance - ?, 2) WHERE person_id = ?", amount, ctx.user_id)
    _transfer(ctx, "withdrawal", amount, card, bank)
    return {"message": "Money withdrawn.", **show_balance(ctx)}


@app.api("GET", "/transfers", [TRANSFER], paginated=True)
def show_transfers(
    ctx: CallContext,
    kind: Annotated[Literal["deposit", "withdrawal"] | None, P("Only deposits or only withdrawals.")] = None,
    start_date: START = None,
    end_date: END = None,
    min_amount: MIN_AMOUNT = None,
    max_amount: MAX_AMOUNT = None,
    card_number: Annotated[str | None, P("Only transfers with this card of yours.", max_length=30)] = None,
    bank_account_id: Annotated[int | None, P("Only transfers with this bank account of yours.", ge=1)] = None,
) -> list[dict[str, Any]]:
    """List money you added from or withdrew to your cards and bank accounts, newest first."""
    where, args = _range_filters("t", start_date, end_date, min_amount, max_amount)
    for condition, value in (
        ("t.kind = ?", kind),
        ("t.card_number = ?", card_number),
        ("t.bank_account_id = ?", bank_account_id),
    ):
        if value is not None:
            where.append(condition)
            args.append(value)
    return ctx.rows(
        "SELECT t.id AS transfer_id, t.kind, t.amount, t.card_number, t.bank_account_id, t.created_at "
        f"FROM payments_transfers t WHERE {' AND '.join(['t.person_id = ?', *where])} "
        "ORDER BY t.created_at DESC, t.id DESC",
        ctx.user_id,
        *args,
    )


@app.api("GET", "/payment_cards", [{"card_name": "string", "card_number": "string", "expiry": "string"}])
def show_payment_cards(ctx: CallContext) -> list[dict[str, Any]]:
    """List the payment cards you can add money from or withdraw to."""
    return ctx.rows(
        "SELECT card_name, card_number, printf('%02d/%d', expiry_month, expiry_year) AS expiry FROM payment_cards "
        "WHERE person_id = ? ORDER BY id",
        ctx.user_id,
    )


@app.api("GET", "/bank_accounts", [BANK_ACCOUNT])
def show_bank_accounts(
    ctx: CallContext, verified_only: Annotated[bool, P("Only accounts that are verified (usable).")] = False
) -> list[dict[str, Any]]:
    """List the bank accounts linked to your payments account."""
    rows = ctx.rows(
        "SELECT id AS bank_account_id, bank_name, account_name, account_number, routing_number, verified, created_at "
        "FROM payments_bank_accounts WHERE owner_id = ? AND (verified = 1 OR ? = 0) ORDER BY id",
        ctx.user_id,
        int(verified_only),
    )
    return [{**r, "verified": bool(r["verified"])} for r in rows]


@app.api("POST", "/bank_accounts", {"message": "string", "bank_account_id": 1})
def add_bank_account(
    ctx: CallContext,
    bank_name: Annotated[str, P("The bank's name.", min_length=1, max_length=100)],
    account_name: Annotated[str, P("Your name for the account, e.g. 'Checking'.", min_length=1, max_length=100)],
    account_number: Annotated[str, P("The account number (digits).", min_length=4, max_length=17)],
    routing_number: Annotated[str, P("The bank's 9-digit routing number.", min_length=9, max_length=9)],
) -> dict[str, Any]:
    """Link a bank account (it starts verified: this world skips the micro-deposit check)."""
    if not (account_number.isdigit() and routing_number.isdigit()):
        raise ApiError(422, "Invalid argument: account_number and routing_number must be digits only.")
    new_id = ctx.insert_unique(
        "payments_bank_accounts",
        {"owner_id": ctx.user_id, "account_number": account_number},
        f"Bank account {account_number} is already linked.",
        {
            "bank_name": bank_name,
            "account_name": account_name,
            "routing_number": routing_number,
            "verified": 1,
            "created_at": ctx.timestamp(),
        },
    )
    return {"message": "Bank account linked.", "bank_account_id": new_id}


@app.api("DELETE", "/bank_accounts/{bank_account_id}", MESSAGE)
def delete_bank_account(
    ctx: CallContext, bank_account_id: Annotated[int, P("The bank account's id.", ge=1)]
) -> dict[str, str]:
    """Unlink one of your bank accounts (past transfers keep their record)."""
    ctx.owned("payments_bank_accounts", bank_account_id, "bank account of yours")
    ctx.execute("DELETE FROM payments_bank_accounts WHERE id = ?", bank_account_id)
    return {"message": "Bank account unlinked."}


@app.api("GET", "/transactions", [TRANSACTION], paginated=True)
def show_transactions(
    ctx: CallContext,
    direction: Annotated[
        Literal["sent", "received"] | None, P("Only money you sent or only money you received.")
    ] = None,
    with_email: Annotated[str | None, P("Only transactions with this person.", max_length=200)] = None,
    query: QUERY = None,
    min_amount: MIN_AMOUNT = None,
    max_amount: MAX_AMOUNT = None,
    start_date: START = None,
    end_date: END = None,
    sort_by: Annotated[
        Literal["-created_at", "created_at", "-amount", "amount"], P("Order: newest, oldest, largest or smallest.")
    ] = "-created_at",
) -> Page:
    """List your transactions (newest first by default), filtered by direction, person, note, amount and date."""
    sides = {"sent": "t.sender_id = ?", "received": "t.receiver_id = ?"}
    mine = sides[direction] if direction else "(t.sender_id = ? OR t.receiver_id = ?)"
    where = [mine]
    args: list[Any] = [ctx.caller] * (1 if direction else 2)
    if with_email is not None:
        other = person_by_email(ctx, with_email, "with_email")
        where.append("(t.sender_id = ? OR t.receiver_id = ?)")
        args += [other, other]
    note_where, note_args = word_conditions("t.note", query)
    range_where, range_args = _range_filters("t", start_date, end_date, min_amount, max_amount)
    column = sort_by.lstrip("-")
    order = f"t.{column} {'DESC' if sort_by.startswith('-') else 'ASC'}, t.id DESC"
    return transaction_page(
        ctx, " AND ".join(where + note_where + range_where), *args, *note_args, *range_args, order=order
    )


@app.api("GET", "/transactions/{transaction_id}", TRANSACTION)
def show_transaction(ctx: CallContext, transaction_id: TRANSACTION_ID) -> dict[str, Any]:
    """Show one of your transactions."""
    found = transactions(ctx, "t.id = ? AND (t.sender_id = ? OR t.receiver_id = ?)", transaction_id, *[ctx.user_id] * 2)
    if not found:
        raise ApiError(404, f"No transaction with id {transaction_id}.")
    return found[0]


@app.api("POST", "/transactions", {"message": "string", "transaction_id": 1})
def send_money(
    ctx: CallContext,
    receiver_email: EMAIL,
    amount: AMOUNT,
    note: NOTE,
    private: Annotated[bool | None, P("Hide it from the feed; null follows your default privacy setting.")] = None,
) -> dict[str, Any]:
    """Send money from your balance to someone."""
    receiver = person_by_email(ctx, receiver_email, "receiver_email")
    check_not_blocked(ctx, receiver)
    hidden = bool(setting(ctx, ctx.caller, "default_private")) if private is None else private
    new_id = move(ctx, ctx.caller, receiver, amount, note, hidden)
    return {"message": "Money sent.", "transaction_id": new_id}


@app.api("PATCH", "/transactions/{transaction_id}", MESSAGE)
def update_transaction_privacy(
    ctx: CallContext,
    transaction_id: TRANSACTION_ID,
    private: Annotated[bool, P("True hides it from the feed; false shows it.")],
) -> dict[str, str]:
    """Hide one of your transactions from the public feed, or show it again."""
    show_transaction(ctx, transaction_id)
    ctx.execute("UPDATE payments_transactions SET private = ? WHERE id = ?", int(private), transaction_id)
    return {"message": f"Transaction {transaction_id} is now {'private' if private else 'public'}."}


@app.api("GET", "/summary", {"sent": 1.0, "received": 1.0, "net": 1.0, "sent_count": 1, "received_count": 1})
def show_summary(
    ctx: CallContext,
    year: Annotated[int, P("The year.", ge=2000, le=2100)],
    month: Annotated[int | None, P("The month, 1-12; null sums the whole year.", ge=1, le=12)] = None,
) -> dict[str, Any]:
    """Sum up what you sent and received in a month or a year."""
    prefix = f"{year:04d}-{month:02d}" if month else f"{year:04d}"
    row = ctx.existing_row(
        "SELECT ROUND(COALESCE(SUM(CASE WHEN sender_id = ?1 THEN amount END), 0), 2) AS sent, "
        "ROUND(COALESCE(SUM(CASE WHEN receiver_id = ?1 THEN amount END), 0), 2) AS received, "
        "COUNT(CASE WHEN sender_id = ?1 THEN 1 END) AS sent_count, "
        "COUNT(CASE WHEN receiver_id = ?1 THEN 1 END) AS received_count "
        "FROM payments_transactions WHERE (sender_id = ?1 OR receiver_id = ?1) AND created_at LIKE ?2",
        ctx.user_id,
        f"{prefix}-%",
    )
    return {**row, "net": round(row["received"] - row["sent"], 2)}


def _allowed_to_request(ctx: CallContext, payer: int) -> None:
    check_not_blocked(ctx, payer)
    if setting(ctx, payer, "allow_requests_from") == "friends" and not ctx.value(
        "SELECT 1 FROM payments_friends WHERE owner_id = ? AND friend_id = ?", payer, ctx.user_id
    ):
        raise ApiError(409, "This person only accepts requests from their friends.")


def _new_request(ctx: CallContext, payer: int, amount: float, note: str) -> int:
    _allowed_to_request(ctx, payer)
    return ctx.execute(
        "INSERT INTO payments_requests (requester_id, payer_id, amount, note, status, created_at) "
        "VALUES (?,?,?,?, 'pending', ?)",
        ctx.user_id,
        payer,
        round(amount, 2),
        note,
        ctx.timestamp(),
    )


@app.api("POST", "/requests", {"message": "string", "request_id": 1})
def request_money(ctx: CallContext, payer_email: EMAIL, amount: AMOUNT, note: NOTE) -> dict[str, Any]:
    """Ask someone to pay you."""
    new_id = _new_request(ctx, person_by_email(ctx, payer_email, "payer_email"), amount, note)
    return {"message": "Request sent.", "request_id": new_id}


@app.api("POST", "/requests/split", {"message": "string", "request_ids": [1], "share": 1.0})
def split_bill(
    ctx: CallContext,
    emails: Annotated[list[str], P("Emails of the people to split with (not you).", min_length=1, max_length=20)],
    total_amount: Annotated[float, P("The whole bill in dollars.", ge=0.02, le=10_000)],
    note: NOTE,
    include_me: Annotated[bool, P("Count yourself as one of the people sharing the bill.")] = True,
) -> dict[str, Any]:
    """Split a bill equally: request each person's share (rounded to the cent) from them."""
    payers = [person_by_email(ctx, e, "emails") for e in emails]
    if len(set(payers)) != len(payers):
        raise ApiError(422, "Invalid argument 'emails': a person is listed twice.")
    share = round(total_amount / (len(payers) + int(include_me)), 2)
    ids = [_new_request(ctx, payer, share, note) for payer in payers]
    return {"message": f"Requested ${share:.2f} from {len(ids)} people.", "request_ids": ids, "share": share}


@app.api("GET", "/requests", [REQUEST], paginated=True)
def show_requests(
    ctx: CallContext,
    direction: Annotated[
        Literal["received", "sent"], P("Requests others sent you, or requests you sent.")
    ] = "received",
    status: Annotated[
        Literal["pending", "approved", "declined", "cancelled"] | None, P("Only requests with this status.")
    ] = None,
    with_email: Annotated[str | None, P("Only requests with this person.", max_length=200)] = None,
    query: QUERY = None,
    min_amount: MIN_AMOUNT = None,
    max_amount: MAX_AMOUNT = None,
    start_date: START = None,
    end_date: END = None,
) -> list[dict[str, Any]]:
    """List money requests, newest first, filtered by status, person, note, amount and date."""
    mine, other_column = (
        ("q.payer_id", "q.requester_id") if direction == "received" else ("q.requester_id", "q.payer_id")
    )
    where = [f"{mine} = ?"]
    args: list[Any] = [ctx.caller]
    if status is not None:
        where.append("q.status = ?")
        args.append(status)
    if with_email is not None:
        where.append(f"{other_column} = ?")
        args.append(person_by_email(ctx, with_email, "with_email"))
    note_where, note_args = word_conditions("q.note", query)
    range_where, range_args = _range_filters("q", start_date, end_date, min_amount, max_amount)
    return requests(ctx, " AND ".join(where + note_where + range_where), *args, *note_args, *range_args)


@app.api("GET", "/requests/{request_id}", REQUEST)
def show_request(ctx: CallContext, request_id: REQUEST_ID) -> dict[str, Any]:
    """Show one request you sent or received."""
    found = requests(ctx, "q.id = ? AND (q.payer_id = ? OR q.requester_id = ?)", request_id, *[ctx.user_id] * 2)
    if not found:
        raise ApiError(404, f"No request with id {request_id}.")
    return found[0]


def _pending(ctx: CallContext, request_id: int, column: str) -> dict[str, Any]:
    row = ctx.owned("payments_requests", request_id, "request", owner_column=column)
    if row["status"] != "pending":
        raise ApiError(409, f"Request {request_id} is already {row['status']}.")
    return row


@app.api("POST", "/requests/{request_id}/approve", {"message": "string", "transaction_id": 1})
def approve_request(ctx: CallContext, request_id: REQUEST_ID) -> dict[str, Any]:
    """Pay a pending request someone sent you (from your balance)."""
    row = _pending(ctx, request_id, "payer_id")
    new_id = move(ctx, ctx.caller, row["requester_id"], row["amount"], row["note"], False)
    ctx.update("payments_requests", request_id, {"status": "approved", "resolved_at": ctx.timestamp()})
    return {"message": "Request paid.", "transaction_id": new_id}


@app.api("POST", "/requests/{request_id}/decline", MESSAGE)
def decline_request(ctx: CallContext, request_id: REQUEST_ID) -> dict[str, str]:
    """Decline a pending request someone sent you."""
    _pending(ctx, request_id, "payer_id")
    ctx.update("payments_requests", request_id, {"status": "declined", "resolved_at": ctx.timestamp()})
    return {"message": "Request declined."}


@app.api("POST", "/requests/{request_id}/cancel", MESSAGE)
def cancel_request(ctx: CallContext, request_id: REQUEST_ID) -> dict[str, str]:
    """Cancel a pending request you sent."""
    _pending(ctx, request_id, "requester_id")
    ctx.update("payments_requests", request_id, {"status": "cancelled", "resolved_at": ctx.timestamp()})
    return {"message": "Request cancelled."}


@app.api("PATCH", "/requests/{request_id}", MESSAGE)
def update_request(
    ctx: CallContext,
    request_id: REQUEST_ID,
    amount: Annotated[float | None, P("New amount in dollars; null keeps it.", ge=0.01, le=10_000)] = None,
    note: Annotated[str | None, P("New note; null keeps it.", min_length=1, max_length=200)] = None,
) -> dict[str, str]:
    """Change the amount or note of a pending request you sent."""
    _pending(ctx, request_id, "requester_id")
    ctx.update("payments_requests", request_id, {"amount": None if amount is None else round(amount, 2), "note": note})
    return {"message": "Request updated."}


@app.api("POST", "/requests/{request_id}/remind", {"message": "string", "reminders": 1})
def remind_request(ctx: CallContext, request_id: REQUEST_ID) -> dict[str, Any]:
    """Remind the payer of a pending request you sent (at most once a day): they get a notification unless they
    turned request notifications off."""
    row = _pending(ctx, request_id, "requester_id")
    last = row["last_reminded_at"]
    if last is not None and last[:10] == ctx.timestamp()[:10]:
        raise ApiError(409, f"You already reminded them about request {request_id} today.")
    ctx.execute(
        "UPDATE payments_requests SET reminders = reminders + 1, last_reminded_at = ? WHERE id = ?",
        ctx.timestamp(),
        request_id,
    )
    if not setting(ctx, row["payer_id"], "notify_requests"):
        return {
            "message": "Reminder recorded (they turned off request notifications).",
            "reminders": row["reminders"] + 1,
        }
    me = ctx.existing_row("SELECT first_name FROM people WHERE id = ?", ctx.user_id)["first_name"]
    ctx.execute(
        "INSERT INTO payments_notifications (person_id, kind, message, transaction_id, request_id, is_read, "
        "created_at) VALUES (?, 'reminder', ?, NULL, ?, 0, ?)",
        row["payer_id"],
        f"{me} reminds you of their request for ${row['amount']:.2f} ({row['note']})",
        request_id,
        ctx.timestamp(),
    )
    return {"message": "Reminder sent.", "reminders": row["reminders"] + 1}
