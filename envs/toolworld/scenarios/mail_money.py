"""Mail and documents: money asked for by email, paid on the payments app."""

from __future__ import annotations

import random
from typing import Any

from envs.toolworld.evaluate import Answer, Expectation, Inserted
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, other_branch, pick
from envs.toolworld.scenarios.email import sent_email
from envs.toolworld.scenarios.payments import balance_changes
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

ASKS = (
    "SELECT m.id, m.owner_id, m.sender_id, m.body, m.sent_at, t.conversation_id FROM email_messages m "
    "JOIN email_threads t ON t.id = m.thread_id WHERE t.is_trashed = 0 AND t.is_spam = 0 "
    "AND m.sender_id != m.owner_id AND t.subject = 'Paying you back' AND m.body LIKE 'I paid $%'"
)
FIND_ASKS = fetch_all("emails", "apis.email.search_emails(access_token=email_token, query='Paying you back'") + (
    "asks = [e for e in emails if e['subject'] == 'Paying you back' and e['body'].startswith('I paid $') "
    "and e['sender']['email'] != me['email']]\n"
)
SHARE = "float(e['body'].split('share of $')[1].split()[0])"
ASK_REQUEST = "Could you send me a payment request on the payments app for this? Thanks!"


def share_of(body: str) -> float:
    return float(body.split("share of $")[1].split()[0])


def thing_of(body: str) -> str:
    return body.split(" for ", 1)[1].split(". Could")[0]


def payment(view: WorldView, sender: int, receiver: int, amount: float, note: str, requirement: str) -> Expectation:
    """One public payment with every column the agent decides pinned."""
    return Inserted(
        "payments_transactions",
        {"sender_id": sender, "receiver_id": receiver, "amount": amount, "note": note, "private": 0},
        requirement,
        what=f"payments of ${amount:.2f} to {full_name(view, receiver)} noted '{note}'",
    )


@scenario("mail_pay_back_if_over", apps=("email", "payments"))
def pay_back_if_over(view: WorldView, rng: random.Random) -> TaskSpec:
    """Conditional per sender: each person's share requests added up; paid at once with a reply only when their sum
    is over a bound, the others left; variant 1 sets the bound above every sum (no-op-pass)."""
    rows = view.rows(
        ASKS + " AND EXISTS (SELECT 1 FROM payments_balances b WHERE b.person_id = m.owner_id AND b.balance > 600) "
        "ORDER BY m.owner_id, m.sender_id, m.sent_at, m.id"
    )
    mailboxes: dict[int, dict[int, list[dict[str, Any]]]] = {}
    for r in rows:
        mailboxes.setdefault(r["owner_id"], {}).setdefault(r["sender_id"], []).append(r)
    sums = {
        o: {s: round(sum(share_of(a["body"]) for a in asks), 2) for s, asks in by.items()}
        for o, by in mailboxes.items()
    }
    candidates = sorted(o for o, by in sums.items() if len(by) >= 3 and len(set(by.values())) == len(by))
    owner = pick(rng, candidates, "mailbox with share requests from three people", distinct=True)
    totals = sorted(sums[owner].values())
    quiet = other_branch(rng)
    if quiet:
        bound = int(totals[-1]) + rng.randint(5, 40)
    else:  # between two senders' sums: some are paid, some are not
        low, high = totals[len(totals) // 2 - 1], totals[len(totals) // 2]
        bound = int(low) + (1 if int(low) + 1 < high else 0)
    over = {s: t for s, t in sums[owner].items() if t > bound}
    expectations: list[Expectation] = []
    for friend, total in sorted(over.items()):
        name = full_name(view, friend)
        latest = max(mailboxes[owner][friend], key=lambda a: (a["sent_at"], a["id"]))
        expectations += [
            payment(view, owner, friend, total, "Paying you back", f"{name} is paid the ${total:.2f} they asked for"),
            *sent_email(
                view,
                owner,
                [friend],
                f"Sent you ${total:.2f}.",
                f"{name}'s latest request is answered",
                conversation=latest["conversation_id"],
            ),
        ]
    if over:
        expectations += balance_changes(view, {owner: -round(sum(over.values()), 2), **over})
    oracle = (
        Solution()
        .step(login("email", "payments"))
        .step(
            FIND_ASKS + "by_sender = {}\n"
            "for e in asks:\n"
            "    by_sender.setdefault(e['sender']['email'], []).append(e)\n"
            f"totals = {{s: round(sum({SHARE} for e in theirs), 2) for s, theirs in by_sender.items()}}\n"
            "print(totals)\n"
        )
        .step(
            "paid = []\n"
            "for friend, total in totals.items():\n"
            f"    if total > {bound}:\n"
            "        apis.payments.send_money(access_token=payments_token, receiver_email=friend, amount=total, "
            "note='Paying you back', private=False)\n"
            "        latest = max(by_sender[friend], key=lambda e: (e['sent_at'], e['email_id']))\n"
            "        apis.email.reply_to_email(access_token=email_token, email_id=latest['email_id'], "
            "body=f'Sent you ${total:.2f}.')\n"
            "        paid.append(friend)\n"
            "print(paid, apis.payments.show_balance(access_token=payments_token))\n"
        )
        .step("apis.supervisor.complete_task(answer=round(sum(t for f, t in totals.items() if f not in paid), 2))\n")
        .steps()
    )
    left = round(sum(t for t in sums[owner].values() if t <= bound), 2)
    return TaskSpec(
        owner,
        "Several people have sent me 'Paying you back' emails, each asking for my share of something. For each "
        f"person, add up the shares they asked for. If their sum is over ${bound}, send them the whole sum on "
        "payments (public, note 'Paying you back') and reply 'Sent you $<sum>.' (like $12.50) to their most recent "
        "request; leave the others for now. Then tell me how much the sums you left add up to.",
        oracle,
        [*expectations, Answer(left, f"the answer is the ${left:.2f} left unpaid")],
        noop_pass=not over,
    )


@scenario("mail_settle_share_requests", apps=("email", "payments"))
def settle_share_requests(view: WorldView, rng: random.Random) -> TaskSpec:
    """Every share request of one year: the small ones paid to their sender, noted with what it was for; for the
    large ones the sender is asked by reply for a payment request instead (other years' requests are distractors);
    the answer is the sum paid."""
    rows = view.rows(
        ASKS + " AND EXISTS (SELECT 1 FROM payments_balances b WHERE b.person_id = m.owner_id AND b.balance > 600) "
        "ORDER BY m.sent_at, m.id"
    )
    years: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for r in rows:
        years.setdefault((r["owner_id"], r["sent_at"][:4]), []).append(r)
    candidates = sorted(
        k
        for k, v in years.items()
        if 3 <= len(v) <= 8
        and any(x["owner_id"] == k[0] and x["sent_at"][:4] != k[1] for x in rows)
        and len({share_of(a["body"]) for a in v}) == len(v)
    )
    owner, year = pick(rng, candidates, "mailbox with share requests in two years", distinct=True)
    asks = years[(owner, year)]
    shares = sorted(share_of(a["body"]) for a in asks)
    limit = int(shares[len(shares) // 2 - 1]) + 1  # at least one share at or under it, one over
    deltas: dict[int, float] = {owner: 0.0}
    expectations: list[Expectation] = []
    for a in asks:
        share, thing = share_of(a["body"]), thing_of(a["body"])
        who = full_name(view, a["sender_id"])
        if share > limit:
            expectations += sent_email(
                view,
                owner,
                [a["sender_id"]],
                ASK_REQUEST,
                f"{who} is asked for a request",
                conversation=a["conversation_id"],
            )
            continue
        deltas[owner] -= share
        deltas[a["sender_id"]] = deltas.get(a["sender_id"], 0.0) + share
        expectations.append(payment(view, owner, a["sender_id"], share, thing, f"{who} gets ${share:.2f}"))
    total = round(-deltas[owner], 2)
    everyone = round(sum(share_of(a["body"]) for a in asks), 2)
    expectations += balance_changes(view, deltas)
    expectations.append(
        Answer(
            total,
            f"the answer is the sum paid (${total:.2f})",
            traps={f"{everyone:g}": f"that pays the shares over ${limit} too"},
        )
    )
    oracle = (
        Solution()
        .step(login("email", "payments"))
        .step(
            FIND_ASKS + f"mine = [e for e in asks if e['sent_at'].startswith('{year}')]\n"
            "print([(e['sender']['name'], e['sent_at'], e['body']) for e in mine])\n"
        )
        .step(
            "paid = 0.0\n"
            "for e in mine:\n"
            f"    share = {SHARE}\n"
            f"    if share > {limit}:\n"
            "        apis.email.reply_to_email(access_token=email_token, email_id=e['email_id'], "
            f"body={ASK_REQUEST!r})\n"
            "        continue\n"
            "    thing = e['body'].split(' for ', 1)[1].split('. Could')[0]\n"
            "    apis.payments.send_money(access_token=payments_token, receiver_email=e['sender']['email'], "
            "amount=share, note=thing, private=False)\n"
            "    paid += share\n"
        )
        .step(
            fetch_all(
                "sent",
                "apis.payments.show_transactions(access_token=payments_token, direction='sent', "
                "start_date='2026-05-18'",
            )
            + "print(len(sent), 'payments sent today')\n"
            "apis.supervisor.complete_task(answer=round(paid, 2))\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        f"Settle every 'Paying you back' request I received by email in {year}: if the share it asks for is ${limit} "
        "or less, send the sender that share on payments (public), with what it was for as the note, word for word "
        f"from the email (like 'the boat tour'); if it is more, reply to that email '{ASK_REQUEST}'. Tell me the "
        "total I paid.",
        oracle,
        expectations,
    )
