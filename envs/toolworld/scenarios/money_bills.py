"""Shared bills and money: settling a bill splitting group's debts through the payments app."""

from __future__ import annotations

import random

from envs.toolworld.apps.bill_splitting import pair_debts
from envs.toolworld.evaluate import Answer, Expectation, Inserted
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, pick
from envs.toolworld.scenarios.bill_splitting import FIND_GROUP, paid_and_settled, unique_groups
from envs.toolworld.scenarios.payments import balance_changes
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

DONE = "apis.supervisor.complete_task()\n"


@scenario("money_settle_group_debts", apps=("bill_splitting", "payments"))
def settle_group_debts(view: WorldView, rng: random.Random) -> TaskSpec:
    """Conditional: what I owe each member of a group is paid on payments when they are my payments friend (show_user
    per creditor) and recorded, or else recorded as handed over in cash; a variant where I owe nobody there
    (variant 0) is no-op-pass."""
    owes = getattr(rng, "variant", 1) % 3 != 0
    balances = {r["person_id"]: r["balance"] for r in view.rows("SELECT person_id, balance FROM payments_balances")}
    blocked = {
        frozenset((r["owner_id"], r["blocked_id"]))
        for r in view.rows("SELECT owner_id, blocked_id FROM payments_blocks")
    }
    candidates = []
    for g in unique_groups(view, min_members=3):
        debts = pair_debts(view.conn, g["group_id"])
        mine = {creditor: amount for (debtor, creditor), amount in debts.items() if debtor == g["owner_id"]}
        owed_to_me = any(creditor == g["owner_id"] for _, creditor in debts)
        if owes and (
            not 2 <= len(mine) <= 4
            or sum(mine.values()) > balances.get(g["owner_id"], 0)
            or any(frozenset((g["owner_id"], c)) in blocked for c in mine)
        ):
            continue
        if not owes and (mine or not owed_to_me):
            continue
        candidates.append((g, mine))
    friends = {(r["owner_id"], r["friend_id"]) for r in view.rows("SELECT owner_id, friend_id FROM payments_friends")}
    mixed = [(g, m) for g, m in candidates if len({(g["owner_id"], c) in friends for c in m}) == 2]
    g, mine = pick(rng, (mixed or candidates) if owes else candidates, "group member who owes (nobody)", distinct=True)
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
    look = (
        login("bill_splitting", "payments")
        + FIND_GROUP.format(name=g["name"])
        + fetch_all(
            "debts",
            "apis.bill_splitting.show_group_debts(access_token=bill_splitting_token, group_id=group['group_id']",
        )
        + "for d in debts:\n    print(d['debtor']['name'], '->', d['creditor']['name'], d['amount'])\n"
        + "mine = [d for d in debts if d['debtor']['email'] == me['email']]\n"
        + "print(apis.payments.show_balance(access_token=payments_token), len(mine))\n"
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
        + "owed = round(sum(d['amount'] for d in debts if d['creditor']['email'] == me['email']), 2)\n"
        + "apis.supervisor.complete_task(answer=owed)\n"
    )
    owed = round(sum(a for (_, c), a in pair_debts(view.conn, g["group_id"]).items() if c == owner), 2)
    expectations.append(Answer(owed, f"the answer is the ${owed:.2f} the others there owe me"))
    return TaskSpec(
        owner,
        f"Settle my debts in my bill splitting group '{g['name']}': for each member I owe money there, if they are my "
        f"friend on the payments app, pay them what I owe there (private, note '{note}') and record it in the group "
        "as a settlement paid by 'payments app' with the same note; if they are not, I will hand them cash: record "
        "the settlement paid by 'cash' with that note. If I owe nobody in that group, do nothing. Either way, tell "
        "me how much the others there owe me in all.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
        noop_pass=not mine,
    )
