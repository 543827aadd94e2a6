"""Mail and documents: money asked for by email, paid on the payments app."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Answer, Expectation, Inserted
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, pick
from envs.toolworld.scenarios.email import sent_email
from envs.toolworld.scenarios.payments import balance_changes
from envs.toolworld.tasks import TaskSpec, VariantRandom, WorldView, scenario

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


def quiet_variant(rng: random.Random) -> bool:
    """Variant 1 of a conditional template is the one whose condition does not hold (its right answer: no change)."""
    return isinstance(rng, VariantRandom) and rng.variant % 3 == 1


@scenario("mail_pay_back_if_over", apps=("email", "payments"))
def pay_back_if_over(view: WorldView, rng: random.Random) -> TaskSpec:
    """Conditional: one friend's share requests added up; paid at once with a reply only when the sum is over
    a bound (other people's requests and my own are distractors); otherwise nothing changes."""
    rows = view.rows(
        ASKS + " AND EXISTS (SELECT 1 FROM payments_balances b WHERE b.person_id = m.owner_id AND b.balance > 400) "
        "ORDER BY m.owner_id, m.sender_id, m.sent_at, m.id"
    )
    pairs: dict[tuple[int, int], list[dict]] = {}
    for r in rows:
        pairs.setdefault((r["owner_id"], r["sender_id"]), []).append(r)
    candidates = sorted(
        k for k, v in pairs.items() if len(v) >= 2 and len({x["sender_id"] for x in rows if x["owner_id"] == k[0]}) > 1
    )
    owner, friend = pick(rng, candidates, "friend with two share requests among others", distinct=True)
    asks = pairs[(owner, friend)]
    total = round(sum(share_of(a["body"]) for a in asks), 2)
    quiet = quiet_variant(rng)
    bound = int(total) + rng.randint(5, 40) if quiet else max(int(total) - rng.randint(5, 40), 1)
    name = full_name(view, friend)
    latest = max(asks, key=lambda a: (a["sent_at"], a["id"]))
    reply = f"Sent you ${total:.2f}."
    expectations: list[Expectation] = (
        []
        if quiet
        else [
            payment(view, owner, friend, total, "Paying you back", f"{name} is paid the ${total:.2f} they asked for"),
            *balance_changes(view, {owner: -total, friend: total}),
            *sent_email(
                view,
                owner,
                [friend],
                reply,
                f"{name}'s latest request is answered",
                conversation=latest["conversation_id"],
            ),
        ]
    )
    oracle = (
        Solution()
        .step(login("email", "payments"))
        .step(
            FIND_ASKS + f"theirs = [e for e in asks if e['sender']['name'] == {name!r}]\n"
            f"total = round(sum({SHARE} for e in theirs), 2)\n"
            "print([(e['sent_at'], e['body']) for e in theirs], total)\n"
        )
        .step(
            f"if total > {bound}:\n"
            "    friend = theirs[0]['sender']['email']\n"
            "    apis.payments.send_money(access_token=payments_token, receiver_email=friend, amount=total, "
            "note='Paying you back', private=False)\n"
            "    latest = max(theirs, key=lambda e: (e['sent_at'], e['email_id']))\n"
            "    apis.email.reply_to_email(access_token=email_token, email_id=latest['email_id'], "
            "body=f'Sent you ${total:.2f}.')\n"
            "    print(apis.payments.show_balance(access_token=payments_token))\n"
            "else:\n"
            "    print('under the bound: nothing to do')\n"
        )
        .step("apis.supervisor.complete_task()\n")
        .steps()
    )
    return TaskSpec(
        owner,
        f"{name} has sent me 'Paying you back' emails, each asking for my share of something. Add up the shares they "
        f"asked for. If the sum is over ${bound}, send them the whole sum on payments (public, note 'Paying you "
        "back') and reply 'Sent you $<sum>.' (like $12.50) to their most recent request; otherwise leave it for now.",
        oracle,
        expectations,
        noop_pass=quiet,
    )


@scenario("mail_settle_share_requests", apps=("email", "payments"))
def settle_share_requests(view: WorldView, rng: random.Random) -> TaskSpec:
    """Every share request of one year paid to its sender, noted with what it was for (other years' requests
    are distractors); the answer is the sum paid."""
    rows = view.rows(
        ASKS + " AND EXISTS (SELECT 1 FROM payments_balances b WHERE b.person_id = m.owner_id AND b.balance > 600) "
        "ORDER BY m.sent_at, m.id"
    )
    years: dict[tuple[int, str], list[dict]] = {}
    for r in rows:
        years.setdefault((r["owner_id"], r["sent_at"][:4]), []).append(r)
    candidates = sorted(
        k
        for k, v in years.items()
        if 2 <= len(v) <= 6 and any(x["owner_id"] == k[0] and x["sent_at"][:4] != k[1] for x in rows)
    )
    owner, year = pick(rng, candidates, "mailbox with share requests in two years", distinct=True)
    asks = years[(owner, year)]
    every_year = round(sum(share_of(a["body"]) for a in rows if a["owner_id"] == owner), 2)
    deltas: dict[int, float] = {owner: 0.0}
    expectations: list[Expectation] = []
    for a in asks:
        share, thing = share_of(a["body"]), thing_of(a["body"])
        deltas[owner] -= share
        deltas[a["sender_id"]] = deltas.get(a["sender_id"], 0.0) + share
        expectations.append(
            payment(view, owner, a["sender_id"], share, thing, f"{full_name(view, a['sender_id'])} gets ${share:.2f}")
        )
    total = round(-deltas[owner], 2)
    expectations += balance_changes(view, deltas)
    expectations.append(
        Answer(
            total,
            f"the answer is the sum paid (${total:.2f})",
            traps={f"{every_year:g}": "that pays the requests of every year"},
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
        f"Settle every 'Paying you back' request I received by email in {year}: send each sender the share they "
        "asked for on payments (public), with what it was for as the note, word for word from the email (like "
        "'the boat tour'). Tell me the total I paid.",
        oracle,
        expectations,
    )
