"""The payments app's world data: two years of payments between related people, requests in every state,
card and bank transfers, a social feed (likes, comments), notifications, blocks and settings.

Distractors on purpose: the same notes recur (monthly rent to roommates, last year's and this year's),
amounts have cents, requests are pending/approved/declined/cancelled, some bank accounts are unverified."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from envs.toolworld.apps._payments_base import app
from envs.toolworld.world.build import WorldBuilder

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
    "dinner at Luigi's",
    "movie night",
    "ski trip",
    "internet bill",
    "brunch",
    "wedding gift",
    "parking",
    "takeout",
    "board game night",
    "farmers market",
    "yoga class",
    "camping gear",
    "lunch",
    "drinks",
    "flowers",
)
COMMENTS = ("Thanks!", "🍕🍕", "Got it, thank you", "Next one is on me", "So much fun!", "Cheers", "👍", "lol")
BANKS = ("First Harbor Bank", "Cedar Credit Union", "Summit Savings", "Lantern Trust")
DAYS = 730
RECENT_DAYS = 45  # requests this young may still be pending


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _ago(w: WorldBuilder, rng: random.Random, most_days: int = DAYS) -> datetime:
    return w.now - timedelta(days=rng.randint(0, most_days), minutes=rng.randint(1, 1440))


@app.populator
def populate(w: WorldBuilder) -> None:
    rng = w.rng("payments")
    ids = [p.id for p in w.people]
    name = {p.id: p.first_name for p in w.people}
    w.insert("payments_balances", [{"person_id": pid, "balance": round(rng.uniform(0, 900), 2)} for pid in ids])
    w.insert("payments_settings", [_settings(rng, pid) for pid in ids])
    w.insert(
        "payments_friends",
        [
            {"owner_id": pid, "friend_id": f}
            for pid in ids
            for f in sorted(set(w.related(pid, ("friend", "family", "roommate"))))
        ],
    )
    blocks = []
    for pid in ids:
        strangers = sorted(set(ids) - set(w.related(pid)) - {pid})
        if rng.random() < 0.3:
            blocks.append({"owner_id": pid, "blocked_id": rng.choice(strangers), "created_at": _stamp(_ago(w, rng))})
    w.insert("payments_blocks", blocks)
    banks = _bank_accounts(w, rng, ids)
    bank_ids = w.insert("payments_bank_accounts", banks)
    own_banks: dict[int, list[int]] = {}
    for bank_id, bank in zip(bank_ids, banks, strict=True):
        own_banks.setdefault(bank["owner_id"], []).append(bank_id)
    w.insert("payments_transfers", _transfers(w, rng, ids, own_banks))

    transactions = _payments(w, rng, ids)
    requests, paid = _requests(w, rng, ids)
    transactions += paid
    transactions.sort(key=lambda t: t["created_at"])
    tx_ids = w.insert("payments_transactions", transactions)
    requests.sort(key=lambda r: r["created_at"])
    request_ids = w.insert("payments_requests", requests)

    likes, comments, notes = [], [], []
    for tx_id, t in zip(tx_ids, transactions, strict=True):
        if t["private"]:
            continue
        fans = w.related(t["sender_id"], ("friend",)) + w.related(t["receiver_id"], ("friend",))
        for fan in sorted(set(rng.sample(fans, min(len(fans), rng.choice((0, 0, 1, 1, 2, 3)))))):
            likes.append({"transaction_id": tx_id, "person_id": fan, "created_at": t["created_at"]})
        if rng.random() < 0.15:
            author = rng.choice((t["receiver_id"], t["sender_id"]))
            comments.append(
                {
                    "transaction_id": tx_id,
                    "author_id": author,
                    "text": rng.choice(COMMENTS),
                    "created_at": t["created_at"],
                    "edited_at": None,
                }
            )
        if t["created_at"] >= _stamp(w.now - timedelta(days=180)):
            notes.append(
                _note(w, rng, t["receiver_id"], "payment", f"{name[t['sender_id']]} paid you ${t['amount']:.2f}", t)
                | {"transaction_id": tx_id}
            )
    for request_id, r in zip(request_ids, requests, strict=True):
        if r["status"] == "pending":
            notes.append(
                _note(w, rng, r["payer_id"], "request", f"{name[r['requester_id']]} requests ${r['amount']:.2f}", r)
                | {"request_id": request_id}
            )
        elif r["status"] == "declined":
            notes.append(
                _note(w, rng, r["requester_id"], "declined", f"{name[r['payer_id']]} declined your request", r)
                | {"request_id": request_id}
            )
    w.insert("payments_likes", likes)
    w.insert("payments_comments", comments)
    notes.sort(key=lambda n: n["created_at"])
    w.insert("payments_notifications", notes)


def _settings(rng: random.Random, pid: int) -> dict[str, Any]:
    return {
        "person_id": pid,
        "default_private": int(rng.random() < 0.25),
        "friends_list_public": int(rng.random() < 0.7),
        "allow_requests_from": rng.choice(("everyone", "everyone", "friends")),
        "notify_payments": 1,
        "notify_requests": int(rng.random() < 0.9),
        "notify_social": int(rng.random() < 0.6),
    }


def _bank_accounts(w: WorldBuilder, rng: random.Random, ids: list[int]) -> list[dict[str, Any]]:
    out = []
    for pid in ids:
        for kind in rng.sample(("Checking", "Savings", "Joint Checking"), rng.randint(1, 3)):
            out.append(
                {
                    "owner_id": pid,
                    "bank_name": rng.choice(BANKS),
                    "account_name": kind,
                    "account_number": f"{rng.randint(10**9, 10**10 - 1)}",
                    "routing_number": f"0{rng.randint(10**7, 10**8 - 1)}",
                    "verified": int(rng.random() < 0.85),
                    "created_at": _stamp(_ago(w, rng)),
                }
            )
    return out


def _transfers(w: WorldBuilder, rng: random.Random, ids: list[int], banks: dict[int, list[int]]) -> list[Any]:
    cards: dict[int, list[str]] = {}
    for pid, number in w.conn.execute("SELECT person_id, card_number FROM payment_cards ORDER BY id"):
        cards.setdefault(pid, []).append(number)
    out: list[dict[str, Any]] = []
    for pid in ids:
        for _ in range(rng.randint(8, 30)):
            by_card = rng.random() < 0.6
            out.append(
                {
                    "person_id": pid,
                    "kind": rng.choice(("deposit", "deposit", "withdrawal")),
                    "amount": round(rng.uniform(10, 400), 2),
                    "card_number": rng.choice(cards[pid]) if by_card else None,
                    "bank_account_id": None if by_card else rng.choice(banks[pid]),
                    "created_at": _stamp(_ago(w, rng)),
                }
            )
    out.sort(key=lambda t: t["created_at"])
    return out


def _payments(w: WorldBuilder, rng: random.Random, ids: list[int]) -> list[dict[str, Any]]:
    out = []
    for pid in ids:
        others = w.related(pid) or [i for i in ids if i != pid]
        for _ in range(rng.randint(50, 130)):
            receiver = rng.choice(others) if rng.random() < 0.9 else rng.choice([i for i in ids if i != pid])
            out.append(_payment(pid, receiver, rng.uniform(3, 150), rng.choice(NOTES), rng, _ago(w, rng)))
        roommates = w.related(pid, ("roommate",))
        if roommates and rng.random() < 0.6:  # monthly rent to one roommate, two years of it
            landlord, rent = roommates[0], round(rng.uniform(400, 900), 2)
            for month in range(24):
                when = w.now - timedelta(days=30 * month + rng.randint(0, 2), minutes=rng.randint(1, 600))
                out.append(_payment(pid, landlord, rent, "rent share", rng, when))
    return out


def _payment(sender: int, receiver: int, amount: float, note: str, rng: random.Random, when: datetime) -> Any:
    return {
        "sender_id": sender,
        "receiver_id": receiver,
        "amount": round(amount, 2),
        "note": note,
        "private": int(rng.random() < 0.3),
        "created_at": _stamp(when),
    }


def _requests(w: WorldBuilder, rng: random.Random, ids: list[int]) -> tuple[list[Any], list[Any]]:
    """Requests each person received, and the payments that settled the approved ones."""
    requests, paid = [], []
    for pid in ids:
        others = w.related(pid) or [i for i in ids if i != pid]
        for _ in range(rng.randint(10, 40)):
            created = _ago(w, rng, RECENT_DAYS if rng.random() < 0.6 else DAYS)  # most asked lately
            fresh = (w.now - created).days < RECENT_DAYS
            status = (
                rng.choice(("pending", "pending", "pending", "approved", "declined"))
                if fresh
                else rng.choice(("approved", "approved", "approved", "declined", "cancelled"))
            )
            resolved = None if status == "pending" else created + timedelta(hours=rng.randint(1, 96))
            if resolved is not None and resolved > w.now:
                resolved = w.now - timedelta(minutes=5)
            request: dict[str, Any] = {
                "requester_id": rng.choice(others),
                "payer_id": pid,
                "amount": round(rng.uniform(5, 120), 2),
                "note": rng.choice(NOTES),
                "status": status,
                "created_at": _stamp(created),
                "resolved_at": None if resolved is None else _stamp(resolved),
                "reminders": rng.randint(0, 2) if status == "pending" else 0,
            }
            requests.append(request)
            if status == "approved" and resolved is not None:
                paid.append(_payment(pid, request["requester_id"], request["amount"], request["note"], rng, resolved))
    return requests, paid


def _note(w: WorldBuilder, rng: random.Random, person: int, kind: str, message: str, source: Any) -> dict[str, Any]:
    days_old = (w.now - datetime.fromisoformat(source["created_at"])).days
    return {
        "person_id": person,
        "kind": kind,
        "message": message,
        "transaction_id": None,
        "request_id": None,
        "is_read": int(days_old > 14 or rng.random() < 0.3),
        "created_at": source["created_at"],
    }
