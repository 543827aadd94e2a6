"""Shared bills and money: settling a bill splitting group's debts through the payments app."""

from __future__ import annotations

import random

from envs.toolworld.apps.bill_splitting import pair_debts
from envs.toolworld.evaluate import Answer, Expectation, Inserted
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, full_name, login, pick
from envs.toolworld.scenarios.bill_splitting import FIND_GROUP, paid_and_settled, reminder_sent, unique_groups
from envs.toolworld.scenarios.payments import balance_changes
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

DONE = "apis.supervisor.complete_task()\n"
NOW = WORLD_NOW.isoformat(timespec="seconds")


OWED_BY_AT_LEAST = (3, 2, 1)  # members who owe me in the picked group, the most the world has first (3 in world 0)


@scenario("money_settle_group_debts", apps=("bill_splitting", "payments"))
def settle_group_debts(view: WorldView, rng: random.Random) -> TaskSpec:
    """Settling a group both ways, each member by whether they are my payments friend (show_user per member): what I
    owe a friend is paid on payments and recorded, what I owe anyone else recorded as cash; what a friend owes me is
    requested on payments, anyone else who owes me is sent a reminder in the group. Variant 0 picks a group where I
    owe nobody (only the asking is left); every pick has OWED_BY_AT_LEAST members owing me, friends and not if it
    can."""
    owes = getattr(rng, "variant", 1) % 3 != 0
    balances = {r["person_id"]: r["balance"] for r in view.rows("SELECT person_id, balance FROM payments_balances")}
    blocked = {
        frozenset((r["owner_id"], r["blocked_id"]))
        for r in view.rows("SELECT owner_id, blocked_id FROM payments_blocks")
    }
    friends = {(r["owner_id"], r["friend_id"]) for r in view.rows("SELECT owner_id, friend_id FROM payments_friends")}
    groups = []
    for g in unique_groups(view, min_members=3):
        debts = pair_debts(view.conn, g["group_id"])
        mine = {creditor: amount for (debtor, creditor), amount in debts.items() if debtor == g["owner_id"]}
        theirs = {debtor: amount for (debtor, creditor), amount in debts.items() if creditor == g["owner_id"]}
        if any(frozenset((g["owner_id"], p)) in blocked for p in [*mine, *theirs]):
            continue
        if owes and (not 2 <= len(mine) <= 4 or sum(mine.values()) > balances.get(g["owner_id"], 0)):
            continue
        if not owes and mine:
            continue
        groups.append((g, mine, theirs))

    def mixed(people: dict[int, float], owner: int) -> bool:
        return len({(owner, p) in friends for p in people}) == 2

    _, candidates = as_deep_as_found(
        OWED_BY_AT_LEAST, lambda least: [(g, m, t) for g, m, t in groups if len(t) >= least]
    )
    both = [(g, m, t) for g, m, t in candidates if mixed(t, g["owner_id"]) and (not owes or mixed(m, g["owner_id"]))]
    g, mine, theirs = pick(rng, both or candidates, "group member who owes (nobody) and is owed", distinct=True)
    owner, note = g["owner_id"], f"{g['name']} settle up"
    expectations: list[Expectation] = []
    paid = {c: a for c, a in mine.items() if (owner, c) in friends}
    for creditor, amount in sorted(mine.items()):
        if creditor in paid:
            expectations += paid_and_settled(view, g["group_id"], owner, creditor, amount, note)
            continue
        expectations.append(
            Inserted(
                "bill_splitting_settlements",
                {
                    "group_id": g["group_id"],
                    "payer_id": owner,
                    "receiver_id": creditor,
                    "amount": amount,
                    "method": "cash",
                    "note": note,
                },
                f"a ${amount:.2f} cash settlement to {full_name(view, creditor)} is recorded (note '{note}')",
                what="settlements",
            )
        )
    if paid:
        deltas = {owner: -sum(paid.values()), **paid}
        expectations += balance_changes(view, deltas)
    for debtor, amount in sorted(theirs.items()):
        if (owner, debtor) not in friends:
            expectations.append(reminder_sent(view, g["group_id"], owner, debtor, amount, note))
            continue
        expectations.append(
            Inserted(
                "payments_requests",
                {"requester_id": owner, "payer_id": debtor, "amount": amount, "note": note, "status": "pending"}
                | {"created_at": NOW, "resolved_at": None, "reminders": 0, "last_reminded_at": None},
                f"{full_name(view, debtor)} is asked on payments for the ${amount:.2f} they owe me (note '{note}')",
                what="requests",
            )
        )
    look = (
        login("bill_splitting", "payments")
        + FIND_GROUP.format(name=g["name"])
        + fetch_all(
            "debts",
            "apis.bill_splitting.show_group_debts(access_token=bill_splitting_token, group_id=group['group_id']",
        )
        + "for d in debts:\n    print(d['debtor']['name'], '->', d['creditor']['name'], d['amount'])\n"
        + "mine = [d for d in debts if d['debtor']['email'] == me['email']]\n"
        + "theirs = [d for d in debts if d['creditor']['email'] == me['email']]\n"
        + "print(apis.payments.show_balance(access_token=payments_token), len(mine), len(theirs))\n"
    )
    act = (
        "for d in mine:\n"
        "    friend = apis.payments.show_user(access_token=payments_token, email=d['creditor']['email'])['is_friend']\n"
        "    if friend:\n"
        "        apis.payments.send_money(access_token=payments_token, receiver_email=d['creditor']['email'], "
        f"amount=d['amount'], note={note!r}, private=True)\n"
        "    apis.bill_splitting.settle_up(access_token=bill_splitting_token, group_id=group['group_id'], "
        "email=d['creditor']['email'], amount=d['amount'], method='payments app' if friend else 'cash', "
        f"note={note!r})\n"
    )
    ask = (
        "for d in theirs:\n"
        "    friend = apis.payments.show_user(access_token=payments_token, email=d['debtor']['email'])['is_friend']\n"
        "    if friend:\n"
        "        apis.payments.request_money(access_token=payments_token, payer_email=d['debtor']['email'], "
        f"amount=d['amount'], note={note!r})\n"
        "    else:\n"
        "        apis.bill_splitting.send_payment_reminder(access_token=bill_splitting_token, "
        f"group_id=group['group_id'], email=d['debtor']['email'], message={note!r})\n"
    )
    check = (
        fetch_all(
            "left",
            "apis.bill_splitting.show_group_debts(access_token=bill_splitting_token, group_id=group['group_id']",
        )
        + "print([d for d in left if d['debtor']['email'] == me['email']])\n"
        + fetch_all(
            "settled",
            "apis.bill_splitting.show_settlements(access_token=bill_splitting_token, group_id=group['group_id']",
        )
        + "print(settled[:len(mine)])\n"
        + fetch_all(
            "asked", f"apis.payments.show_requests(access_token=payments_token, direction='sent', query={note!r}"
        )
        + "print([(r['payer']['email'], r['amount']) for r in asked])\n"
        + "owed = round(sum(d['amount'] for d in theirs), 2)\n"
        + "apis.supervisor.complete_task(answer=owed)\n"
    )
    owed = round(sum(theirs.values()), 2)
    expectations.append(Answer(owed, f"the answer is the ${owed:.2f} the others there owe me"))
    return TaskSpec(
        owner,
        f"Settle up my bill splitting group '{g['name']}', both ways, with the note '{note}' everywhere. For each "
        "member I owe money there: if they are my friend on the payments app, pay them what I owe there (private) and "
        "record it in the group as a settlement paid by 'payments app'; if they are not, I will hand them cash: "
        "record the settlement paid by 'cash'. For each member who owes me money there: if they are my friend on "
        "the payments app, request what they owe me there on payments; if not, send them a payment reminder in the "
        "group with that note as its message. Tell me how much the others there owed me in all before this.",
        Solution().step(look).step(act).step(ask).step(check).steps(),
        expectations,
    )
