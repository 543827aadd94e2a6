"""Scenarios on the payments app: paying, answering about history, handling requests."""

from __future__ import annotations

import random
from datetime import date

from envs.toolworld.evaluate import Answer, Contains, Expectation, Inserted, Updated
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, pick
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

DONE = "apis.supervisor.complete_task()\n"
NOW = WORLD_NOW.isoformat(timespec="seconds")


def find_email(name: str) -> str:
    """Oracle code that searches payments users for `name` and keeps the email of the exact full-name match
    (the search also returns people with similar names or emails)."""
    return (
        f"found = apis.payments.search_users(access_token=payments_token, query={name!r}, page_limit=20)\n"
        f"email = next(u['email'] for u in found if u['name'] == {name!r})\n"
    )


def balance_changes(view: WorldView, deltas: dict[int, float]) -> list[Expectation]:
    """Updated-balance expectations for the people whose balance moves by `deltas`."""
    out: list[Expectation] = []
    for person_id, delta in sorted(deltas.items()):
        row = view.row("SELECT id, balance FROM payments_balances WHERE person_id = ?", person_id)
        new = round(row["balance"] + delta, 2)
        out.append(
            Updated(
                "payments_balances", row["id"], {"balance": new}, f"{full_name(view, person_id)}'s balance is {new:.2f}"
            )
        )
    return out


@scenario("payments_send_money", apps=("payments",), difficulty=1)
def send_money(view: WorldView, rng: random.Random) -> TaskSpec:
    owner = pick(
        rng,
        view.rows("SELECT person_id FROM payments_balances WHERE balance > 60 ORDER BY person_id"),
        "funded account",
    )["person_id"]
    blocked = {
        b
        for r in view.rows("SELECT owner_id, blocked_id FROM payments_blocks WHERE ? IN (owner_id, blocked_id)", owner)
        for b in (r["owner_id"], r["blocked_id"])
    }
    other = rng.choice([p for p in view.people_ids() if p != owner and p not in blocked])
    amount, note = float(rng.randint(5, 50)), rng.choice(["movie tickets", "lunch", "the taxi", "flowers"])
    private = rng.random() < 0.5
    name = full_name(view, other)
    oracle = (
        Solution()
        .step(
            login("payments")
            + find_email(name)
            + "print(apis.payments.show_user(access_token=payments_token, email=email))\n"
            + "print(apis.payments.show_balance(access_token=payments_token))\n"
        )
        .step(
            f"sent = apis.payments.send_money(access_token=payments_token, receiver_email=email, amount={amount}, "
            f"note={note!r}, private={private})\n"
        )
        .step(
            "print(apis.payments.show_transaction(access_token=payments_token, "
            "transaction_id=sent['transaction_id']))\n" + DONE
        )
        .steps()
    )
    visibility = "private" if private else "public"
    return TaskSpec(
        owner,
        f"Send ${amount:.0f} to {name} on the payments app, with the note '{note}'. Make the payment {visibility}.",
        oracle,
        [
            Inserted(
                "payments_transactions",
                {
                    "sender_id": owner,
                    "receiver_id": other,
                    "amount": amount,
                    "note": Contains(note),
                    "private": int(private),
                },
                f"a {visibility} payment of ${amount:.0f} is sent to {name} with note '{note}'",
                what="payments",
            ),
            *balance_changes(view, {owner: -amount, other: amount}),
        ],
    )


@scenario("payments_total_received", apps=("payments",), difficulty=2)
def total_received(view: WorldView, rng: random.Random) -> TaskSpec:
    pairs = view.rows(
        "SELECT receiver_id, sender_id, ROUND(SUM(amount), 2) AS total, COUNT(*) AS n FROM payments_transactions "
        "GROUP BY receiver_id, sender_id HAVING n >= 2 ORDER BY receiver_id, sender_id"
    )
    c = pick(rng, pairs, "two payments between the same people")
    name = full_name(view, c["sender_id"])
    oracle = (
        Solution()
        .step(login("payments") + find_email(name) + "print(email)\n")
        .step(
            fetch_all(
                "received",
                "apis.payments.show_transactions(access_token=payments_token, direction='received', with_email=email",
            )
            + "print(len(received), [t['amount'] for t in received])\n"
        )
        .step("apis.supervisor.complete_task(answer=round(sum(t['amount'] for t in received), 2))\n")
        .steps()
    )
    return TaskSpec(
        c["receiver_id"],
        f"How much money, in dollars, have I received from {name} on the payments app in total?",
        oracle,
        [Answer(c["total"], f"the answer is the total received from {name} (${c['total']})")],
    )


@scenario("payments_decline_large_requests", apps=("payments",), difficulty=2)
def decline_large(view: WorldView, rng: random.Random) -> TaskSpec:
    limit = rng.choice([20, 30, 40])
    owners = view.rows(
        "SELECT payer_id FROM payments_requests WHERE status = 'pending' AND amount > ? GROUP BY payer_id "
        "ORDER BY payer_id",
        limit,
    )
    owner = pick(rng, owners, "pending request above the limit")["payer_id"]
    rows = view.rows(
        "SELECT id FROM payments_requests WHERE payer_id = ? AND status = 'pending' AND amount > ? ORDER BY id",
        owner,
        limit,
    )
    oracle = (
        Solution()
        .step(
            login("payments")
            + fetch_all(
                "pending",
                "apis.payments.show_requests(access_token=payments_token, direction='received', status='pending'",
            )
            + "for r in pending:\n    print(r['request_id'], r['requester']['name'], r['amount'], r['note'])\n"
        )
        .step(
            f"for r in pending:\n    if r['amount'] > {limit}:\n        "
            "apis.payments.decline_request(access_token=payments_token, request_id=r['request_id'])\n"
        )
        .step(
            f"for r in pending:\n    if r['amount'] > {limit}:\n        "
            "print(apis.payments.show_request(access_token=payments_token, request_id=r['request_id'])['status'])\n"
            + DONE
        )
        .steps()
    )
    return TaskSpec(
        owner,
        f"Decline every pending payment request I received that asks for more than ${limit}. Leave the rest alone.",
        oracle,
        [
            Updated(
                "payments_requests",
                r["id"],
                {"status": "declined", "resolved_at": NOW},
                f"request {r['id']} is declined",
            )
            for r in rows
        ],
    )


@scenario("payments_pay_friend_requests", apps=("payments", "phone"), difficulty=3)
def pay_friend_requests(view: WorldView, rng: random.Random) -> TaskSpec:
    rows = view.rows(
        "SELECT r.id, r.payer_id, r.requester_id, r.amount, r.note FROM payments_requests r "
        "JOIN people p ON p.id = r.requester_id JOIN phone_contacts c ON c.owner_id = r.payer_id "
        "AND c.phone_number = p.phone_number AND c.relationship = 'friend' WHERE r.status = 'pending' ORDER BY r.id"
    )
    balances = {r["person_id"]: r["balance"] for r in view.rows("SELECT person_id, balance FROM payments_balances")}
    owners = sorted(
        {
            r["payer_id"]
            for r in rows
            if sum(x["amount"] for x in rows if x["payer_id"] == r["payer_id"]) <= balances[r["payer_id"]]
        }
    )
    owner = pick(rng, owners, "payer with affordable requests from friends", distinct=True)
    mine = [r for r in rows if r["payer_id"] == owner]
    deltas: dict[int, float] = {owner: -sum(r["amount"] for r in mine)}
    for r in mine:
        deltas[r["requester_id"]] = deltas.get(r["requester_id"], 0.0) + r["amount"]
    oracle = (
        Solution()
        .step(
            login("phone", "payments")
            + fetch_all("friends", "apis.phone.search_contacts(access_token=phone_token, relationship='friend'")
            + "friend_emails = {c['email'] for c in friends}\n"
            + fetch_all(
                "pending",
                "apis.payments.show_requests(access_token=payments_token, direction='received', status='pending'",
            )
            + "print(len(friend_emails), [(r['requester']['email'], r['amount']) for r in pending])\n"
            + "print(apis.payments.show_balance(access_token=payments_token))\n"
        )
        .step(
            "for r in pending:\n    if r['requester']['email'] in friend_emails:\n"
            "        apis.payments.approve_request(access_token=payments_token, request_id=r['request_id'])\n"
        )
        .step("print(apis.payments.show_balance(access_token=payments_token))\n" + DONE)
        .steps()
    )
    expectations: list[Expectation] = [
        Updated(
            "payments_requests",
            r["id"],
            {"status": "approved", "resolved_at": NOW},
            f"request {r['id']} from a friend is paid",
        )
        for r in mine
    ]
    paid: dict[tuple[int, float, str], int] = {}
    for r in mine:
        key = (r["requester_id"], r["amount"], r["note"])
        paid[key] = paid.get(key, 0) + 1
    expectations += [
        Inserted(
            "payments_transactions",
            {"sender_id": owner, "receiver_id": requester, "amount": amount, "note": note, "private": 0},
            f"{full_name(view, requester)} is paid ${amount:.2f} for '{note}'" + (f" ({n} times)" if n > 1 else ""),
            count=n,
            what="payments for that request",
        )
        for (requester, amount, note), n in sorted(paid.items())
    ]
    return TaskSpec(
        owner,
        "Pay every pending payment request I received from a friend (someone saved as a friend in my phone contacts). "
        "Do not touch requests from anyone else.",
        oracle,
        expectations + balance_changes(view, deltas),
    )


def _day_words(day: str) -> str:
    return date.fromisoformat(day).strftime("%B %-d, %Y")


@scenario("payments_chase_old_requests", apps=("payments",))
def chase_old_requests(view: WorldView, rng: random.Random) -> TaskSpec:
    remind_before = rng.choice(["2026-05-08", "2026-05-11", "2026-05-13"])
    cancel_before = rng.choice(["2026-04-20", "2026-04-25", "2026-04-30"])
    owners = view.rows(
        "SELECT requester_id FROM payments_requests WHERE status = 'pending' GROUP BY requester_id "
        "HAVING SUM(created_at < ?1) >= 1 AND SUM(created_at >= ?1 AND created_at < ?2) >= 1 "
        "AND SUM(created_at >= ?2) >= 1 ORDER BY requester_id",
        cancel_before,
        remind_before,
    )
    owner = pick(rng, owners, "requester with old, older and new pending requests", distinct=True)["requester_id"]
    me = view.person(owner)["first_name"]
    rows = view.rows(
        "SELECT q.*, s.notify_requests FROM payments_requests q JOIN payments_settings s ON s.person_id = q.payer_id "
        "WHERE q.requester_id = ? AND q.status = 'pending' AND q.created_at < ? ORDER BY q.id",
        owner,
        remind_before,
    )
    expectations: list[Expectation] = []
    for r in rows:
        if r["created_at"] < cancel_before:
            expectations.append(
                Updated(
                    "payments_requests",
                    r["id"],
                    {"status": "cancelled", "resolved_at": NOW},
                    f"the old request {r['id']} ({r['note']}) is cancelled",
                )
            )
            continue
        expectations.append(
            Updated(
                "payments_requests",
                r["id"],
                {"reminders": r["reminders"] + 1, "last_reminded_at": NOW},
                f"{full_name(view, r['payer_id'])} is reminded of request {r['id']} ({r['note']})",
            )
        )
        if r["notify_requests"]:
            expectations.append(
                Inserted(
                    "payments_notifications",
                    {
                        "person_id": r["payer_id"],
                        "kind": "reminder",
                        "request_id": r["id"],
                        "transaction_id": None,
                        "is_read": 0,
                        "message": f"{me} reminds you of their request for ${r['amount']:.2f} ({r['note']})",
                    },
                    f"{full_name(view, r['payer_id'])} gets a reminder notification for request {r['id']}",
                    what="reminder notifications",
                )
            )
    discover = (
        login("payments")
        + fetch_all(
            "pending", "apis.payments.show_requests(access_token=payments_token, direction='sent', status='pending'"
        )
        + "for r in pending:\n    print(r['request_id'], r['created_at'], r['payer']['name'], r['amount'], r['note'])\n"
    )
    act = (
        "for r in pending:\n"
        f"    if r['created_at'] < {cancel_before!r}:\n"
        "        apis.payments.cancel_request(access_token=payments_token, request_id=r['request_id'])\n"
        f"    elif r['created_at'] < {remind_before!r}:\n"
        "        apis.payments.remind_request(access_token=payments_token, request_id=r['request_id'])\n" + DONE
    )
    return TaskSpec(
        owner,
        "On the payments app, chase the money people still owe me: send a reminder for every pending request I sent "
        f"before {_day_words(remind_before)}, except those I sent before {_day_words(cancel_before)}, which are too "
        "old: cancel them instead. Leave newer requests alone.",
        Solution().step(discover).step(act).steps(),
        expectations,
    )
