"""Mail and documents: money asked for by email, paid on the payments app."""

from __future__ import annotations

import random
from typing import Any

from envs.toolworld.evaluate import Answer, Expectation, Inserted, Updated
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, other_branch, pick
from envs.toolworld.scenarios.email import sent_email
from envs.toolworld.scenarios.payments import balance_changes
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

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
NOW = WORLD_NOW.isoformat(timespec="seconds")
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


def bound_of(nets: list[float], quiet: bool) -> int:
    """The bound a person's net must be over to be paid: between the two middle nets (some paid, some not), or
    for the quiet variant just above every net."""
    nets = sorted(nets)
    if quiet:
        return int(nets[-1]) + 1
    low, high = nets[len(nets) // 2 - 1], nets[len(nets) // 2]
    return int(low) + (1 if int(low) + 1 < high else 0)


@scenario("mail_pay_back_if_over", apps=("email", "payments"))
def pay_back_if_over(view: WorldView, rng: random.Random) -> TaskSpec:
    """Conditional per sender: each person's share requests added up, plus what their payment requests to me still
    pending add up to, less what mine to them still pending add up to; paid that net at once (my requests
    cancelled, theirs declined as covered, their latest email answered) only when it is over a bound, the others
    left; variant 1 sets the bound above every net (no-op-pass). Deep: what they owe me and what they asked of me
    on payments are only on the payments app, two show_requests per person, and they decide both whom to pay and
    how much (someone paid has requests to me pending)."""
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

    def pending(requester: int, payer: int) -> list[dict[str, Any]]:
        return view.rows(
            "SELECT id, amount FROM payments_requests WHERE requester_id = ? AND payer_id = ? "
            "AND status = 'pending' ORDER BY id",
            requester,
            payer,
        )

    owed = {o: {s: pending(o, s) for s in by} for o, by in mailboxes.items()}  # what I asked of them
    asked = {o: {s: pending(s, o) for s in by} for o, by in mailboxes.items()}  # what they asked of me
    nets = {
        o: {
            s: round(t + sum(r["amount"] for r in asked[o][s]) - sum(r["amount"] for r in owed[o][s]), 2)
            for s, t in by.items()
        }
        for o, by in sums.items()
    }
    quiet = other_branch(rng)

    def usable(owner: int) -> bool:
        """3+ people of distinct nets, a positive bound, and one whose pending requests change what is done (in the
        quiet variant: someone whose gross sum is over the bound; otherwise also someone paid who has requests to
        me pending, so their amount needs them)."""
        if len(nets[owner]) < 3 or len(set(nets[owner].values())) < len(nets[owner]):
            return False
        bound = bound_of(list(nets[owner].values()), quiet)
        return (
            bound >= 1
            and any(owed[owner][s] and (net > bound or sums[owner][s] > bound) for s, net in nets[owner].items())
            and (quiet or any(asked[owner][s] and net > bound for s, net in nets[owner].items()))
        )

    def short_of_money(owner: int) -> bool:
        """Paying everyone over the bound takes more than my balance (the app refuses the payment)."""
        bound = bound_of(list(nets[owner].values()), quiet)
        balance = view.value("SELECT balance FROM payments_balances WHERE person_id = ?", owner)
        return sum(n for n in nets[owner].values() if n > bound) > balance

    candidates = sorted(o for o in mailboxes if usable(o))
    owner = pick(
        rng,
        candidates,
        "mailbox with share requests from three people, one who owes me",
        distinct=True,
        unusable=(short_of_money, "paying them back takes more than my balance"),
    )
    bound = bound_of(list(nets[owner].values()), quiet)
    over = {s: n for s, n in nets[owner].items() if n > bound}
    expectations: list[Expectation] = []
    for friend, net in sorted(over.items()):
        name = full_name(view, friend)
        latest = max(mailboxes[owner][friend], key=lambda a: (a["sent_at"], a["id"]))
        expectations += [
            payment(view, owner, friend, net, "Paying you back", f"{name} is paid the ${net:.2f} left after netting"),
            *sent_email(
                view,
                owner,
                [friend],
                f"Sent you ${net:.2f}.",
                f"{name}'s latest request is answered",
                conversation=latest["conversation_id"],
            ),
            *(
                Updated(
                    "payments_requests",
                    r["id"],
                    {"status": "cancelled", "resolved_at": NOW},
                    f"my pending request of ${r['amount']:.2f} to {name} is cancelled",
                )
                for r in owed[owner][friend]
            ),
            *(
                Updated(
                    "payments_requests",
                    r["id"],
                    {"status": "declined", "resolved_at": NOW},
                    f"{name}'s pending request of ${r['amount']:.2f} to me is declined (the payment covers it)",
                )
                for r in asked[owner][friend]
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
            "owed, asked, nets = {}, {}, {}\n"
            "for friend in totals:\n"
            + fetch_all(
                "owed[friend]",
                "apis.payments.show_requests(access_token=payments_token, direction='sent', status='pending', "
                "with_email=friend",
                indent="    ",
            )
            + fetch_all(
                "asked[friend]",
                "apis.payments.show_requests(access_token=payments_token, direction='received', status='pending', "
                "with_email=friend",
                indent="    ",
            )
            + "    nets[friend] = round(totals[friend] + sum(r['amount'] for r in asked[friend]) "
            "- sum(r['amount'] for r in owed[friend]), 2)\n"
            "print(nets)\n"
        )
        .step(
            "paid = []\n"
            "for friend, net in nets.items():\n"
            f"    if net > {bound}:\n"
            "        apis.payments.send_money(access_token=payments_token, receiver_email=friend, amount=net, "
            "note='Paying you back', private=False)\n"
            "        for r in owed[friend]:\n"
            "            apis.payments.cancel_request(access_token=payments_token, request_id=r['request_id'])\n"
            "        for r in asked[friend]:\n"
            "            apis.payments.decline_request(access_token=payments_token, request_id=r['request_id'])\n"
            "        latest = max(by_sender[friend], key=lambda e: (e['sent_at'], e['email_id']))\n"
            "        apis.email.reply_to_email(access_token=email_token, email_id=latest['email_id'], "
            "body=f'Sent you ${net:.2f}.')\n"
            "        paid.append(friend)\n"
            "print(paid, apis.payments.show_balance(access_token=payments_token))\n"
        )
        .step("apis.supervisor.complete_task(answer=round(sum(t for f, t in totals.items() if f not in paid), 2))\n")
        .steps()
    )
    left = round(sum(t for s, t in sums[owner].items() if s not in over), 2)
    return TaskSpec(
        owner,
        "Several people have sent me 'Paying you back' emails (leave out those in my spam or trash), each asking "
        "for my share of something. For each person, add up the shares they asked for and what their payment "
        "requests to me still pending on the payments app add up to, then take off what my payment requests to them "
        f"that are still pending add up to (they owe me that). If what is left is over ${bound}, send them that "
        "amount on payments (public, note 'Paying you back'), cancel those pending requests of mine and decline "
        "those pending requests of theirs (this one payment settles them all), and reply 'Sent you $<amount>.' (like "
        "$12.50) to their most recent request; leave everyone else as is. Then tell me how much the people you did "
        "not pay asked me for in all (their shares added up by email, before adding or taking anything off).",
        oracle,
        [*expectations, Answer(left, f"the answer is the ${left:.2f} the people left unpaid asked for")],
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
