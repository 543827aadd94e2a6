"""Life admin about shared money without the held-out apps: thanks for paid requests, balances emailed."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from envs.toolworld.apps._bill_splitting_core import group_balance
from envs.toolworld.evaluate import Answer, Expectation, Inserted
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, login, pick
from envs.toolworld.scenarios._life import NOW, done
from envs.toolworld.scenarios.email import sent_email
from envs.toolworld.scenarios.life_trips import FIND_GROUP, groups_of
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

SINCE = "2026-03-18"
YEAR_START = "2026-01-01"


THANKS_PAID_AT_LEAST = 6  # requests of mine paid since SINCE in life_paid_requests_thanks: a conversation read each


def _thanked(view: WorldView, owner: int) -> list[bool]:
    """For each request of `owner` paid since SINCE (by id): whether a text of theirs to its payer after the payment
    says 'thank' (they thanked them already)."""
    return [
        bool(r["thanked"])
        for r in view.rows(
            "SELECT EXISTS (SELECT 1 FROM phone_messages m WHERE m.sender_id = r.requester_id AND m.receiver_id = "
            "r.payer_id AND m.sent_at > r.resolved_at AND instr(lower(m.message), 'thank')) AS thanked "
            "FROM payments_requests r WHERE r.requester_id = ? AND r.status = 'approved' AND r.resolved_at >= ? "
            "ORDER BY r.id",
            owner,
            SINCE,
        )
    ]


@scenario("life_paid_requests_thanks", apps=("payments", "phone"))
def paid_requests_thanks(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep: I thanked some payers by text already; whether I did is only in my texts with each of them since the
    payment (a conversation read per paid request, 6+ of them), and thanking them twice fails the task."""
    owners = view.rows(
        "SELECT r.requester_id FROM payments_requests r WHERE r.status = 'approved' AND r.resolved_at >= ? "
        "GROUP BY r.requester_id HAVING COUNT(*) >= 2 AND MAX((SELECT COUNT(*) FROM phone_contacts c JOIN people p "
        "ON p.email = c.email WHERE c.owner_id = r.requester_id AND p.id = r.payer_id)) = 1 AND MIN((SELECT COUNT(*) "
        "FROM phone_contacts c JOIN people p ON p.email = c.email WHERE c.owner_id = r.requester_id "
        "AND p.id = r.payer_id)) = 1 ORDER BY r.requester_id",
        SINCE,
    )

    def thanked_some(least: int) -> list[dict[str, Any]]:
        """Owners with `least`+ paid requests, some of whose payers were thanked and some not (0: any owner)."""
        return [
            o
            for o in owners
            if not least or len(said := _thanked(view, o["requester_id"])) >= least and any(said) and not all(said)
        ]

    _, usable = as_deep_as_found((THANKS_PAID_AT_LEAST, 2, 0), thanked_some)
    owner = pick(
        rng, usable, f"person {THANKS_PAID_AT_LEAST}+ of whose requests were paid, some payers thanked", distinct=True
    )["requester_id"]
    every_paid = view.rows(
        "SELECT r.payer_id, r.amount, r.note, c.first_name FROM payments_requests r JOIN people p ON p.id = r.payer_id "
        "JOIN phone_contacts c ON c.owner_id = r.requester_id AND c.email = p.email WHERE r.requester_id = ? AND "
        "r.status = 'approved' AND r.resolved_at >= ? ORDER BY r.id",
        owner,
        SINCE,
    )
    paid = [r for r, said in zip(every_paid, _thanked(view, owner), strict=True) if not said]
    total = round(sum(r["amount"] for r in every_paid), 2)
    every = round(
        sum(r["amount"] for r in view.rows("SELECT amount FROM payments_requests WHERE requester_id = ?", owner)), 2
    )
    look = fetch_all(
        "mine", "apis.payments.show_requests(access_token=payments_token, direction='sent', status='approved'"
    )
    look += f"paid = [r for r in mine if r['resolved_at'] and r['resolved_at'] >= {SINCE!r}]\n"
    look += fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token")
    look += "people = {c['email']: c for c in contacts if c['email']}\n"
    look += "print([(r['payer']['email'], r['amount'], r['note']) for r in paid])\n"
    thanked = (
        "unthanked = []\n"
        "for r in paid:\n"
        "    contact = people[r['payer']['email']]\n"
        + fetch_all(
            "said",
            "apis.phone.search_text_messages(access_token=phone_token, phone_number=contact['phone_number'], "
            "direction='sent', query='thank', sent_after=r['resolved_at'][:10]",
            "    ",
        )
        + "    if not any(t['sent_at'] > r['resolved_at'] for t in said):\n"
        "        unthanked.append(r)\n"
        "print([(r['payer']['email'], r['note']) for r in unthanked])\n"
    )
    act = """\
    for r in unthanked:
        contact = people[r['payer']['email']]
        text = f"Thanks {contact['first_name']}, got your ${r['amount']:.2f} for {r['note']}!"
        apis.phone.send_text_message(access_token=phone_token, phone_number=contact['phone_number'], message=text)
    total = round(sum(r['amount'] for r in paid), 2)
    """
    check = fetch_all(
        "texts", "apis.phone.search_text_messages(access_token=phone_token, direction='sent', query='Thanks'"
    )
    check += "print(len(texts))\n"
    wanted: dict[tuple[int, str], int] = {}
    for r in paid:
        key = (r["payer_id"], f"Thanks {r['first_name']}, got your ${r['amount']:.2f} for {r['note']}!")
        wanted[key] = wanted.get(key, 0) + 1
    expectations: list[Expectation] = [
        Inserted(
            "phone_messages",
            {"sender_id": owner, "receiver_id": payer, "message": message, "sent_at": NOW, "is_read": 0},
            f"the text {message!r}",
            count=n,
            what=f"texts {message!r}",
        )
        for (payer, message), n in sorted(wanted.items())
    ]
    return TaskSpec(
        owner,
        f"Thank the people who paid my money requests on the payments app since {SINCE}: for each request of mine "
        "that was paid in that time, text the payer 'Thanks <first name as in my phone contacts>, got your "
        "$<amount> for <the request's note>!' (two decimals), unless I already thanked them for it: skip a request "
        "if I have texted its payer anything with 'thank' in it since it was paid (not counting what you send now). "
        "Tell me how much the paid requests brought in, thanked already or not.",
        Solution()
        .step(login("payments", "phone"))
        .step(look)
        .step(thanked)
        .step(act)
        .step(check)
        .step(done("total"))
        .steps(),
        [*expectations, Answer(total, f"they brought in {total}", traps={f"{every:g}": "that counts every request"})],
    )


BALANCES_EXPENSES_AT_LEAST = 12  # expenses of life_group_balances_email's group this year: one show_expense each


@scenario("life_group_balances_email", apps=("bill_splitting", "email"))
def group_balances_email(view: WorldView, rng: random.Random) -> TaskSpec:
    """Each other member of a group emailed their balance, how many of its expenses they paid this year and what
    their shares of this year's expenses came to.
    Deep: everyone's share of an expense is only in show_expense (the list has my share alone), read per expense
    of the year (12+), and the group has one that not all members shared, so an equal split guessed is wrong."""

    def this_year(group_id: int) -> list[dict[str, Any]]:
        return view.rows(
            "SELECT e.id, (SELECT COUNT(*) FROM bill_splitting_shares s WHERE s.expense_id = e.id) AS sharing "
            "FROM bill_splitting_expenses e WHERE e.group_id = ? AND e.date >= ?",
            group_id,
            YEAR_START,
        )

    def busy(group_id: int) -> bool:
        size = view.value("SELECT COUNT(*) FROM bill_splitting_members WHERE group_id = ?", group_id)
        expenses = this_year(group_id)
        return len(expenses) >= BALANCES_EXPENSES_AT_LEAST and any(e["sharing"] < size for e in expenses)

    pairs = groups_of(
        view, "AND (SELECT COUNT(*) FROM bill_splitting_members x WHERE x.group_id = g.id) BETWEEN 3 AND 5"
    )
    chosen = pick(
        rng,
        [g for g in pairs if busy(g["id"])],
        f"group of 3-5 with {BALANCES_EXPENSES_AT_LEAST}+ expenses this year, one of them not shared by all",
        distinct=True,
    )
    owner, name = chosen["owner"], chosen["name"]
    members = view.rows(
        "SELECT p.id, p.first_name FROM bill_splitting_members m JOIN people p ON p.id = m.person_id "
        "WHERE m.group_id = ? AND p.id != ? ORDER BY p.id",
        chosen["id"],
        owner,
    )
    look = f"group_name = {name!r}\n" + FIND_GROUP
    look += fetch_all(
        "balances",
        "apis.bill_splitting.show_group_balances(access_token=bill_splitting_token, group_id=group['group_id']",
    )
    look += "print(balances)\n"
    listed = fetch_all(
        "year",
        "apis.bill_splitting.show_expenses(access_token=bill_splitting_token, group_id=group['group_id'], "
        f"date_from={YEAR_START!r}",
    ) + (
        "paid_count = {}\n"
        "for e in year:\n"
        "    paid_count[e['paid_by']['email']] = paid_count.get(e['paid_by']['email'], 0) + 1\n"
        "print(len(year), 'expenses this year;', paid_count)\n"
    )
    shares = (
        "shared = {}\n"
        "for e in year:\n"
        "    full = apis.bill_splitting.show_expense(access_token=bill_splitting_token, expense_id=e['expense_id'])\n"
        "    for s in full['shares']:\n"
        "        shared[s['email']] = round(shared.get(s['email'], 0) + s['amount'], 2)\n"
        "print(shared)\n"
    )
    act = """\
    for b in balances:
        if b['email'] == me['email']:
            continue
        first = b['name'].split()[0]
        if b['balance'] > 0:
            line = f"the group owes you ${b['balance']:.2f}"
        elif b['balance'] < 0:
            line = f"you owe the group ${-b['balance']:.2f}"
        else:
            line = 'you are all settled'
        apis.email.send_email(access_token=email_token, recipients=[b['email']],
                              subject=f"{group_name}: where you stand, {first}",
                              body=f"Hi {first}, in {group_name} {line}. This year you paid "
                                   f"{paid_count.get(b['email'], 0)} of its expenses, and your shares of its expenses "
                                   f"came to ${shared.get(b['email'], 0):.2f}.")
    """
    check = fetch_all("mine", "apis.email.show_threads(access_token=email_token, folder='sent', query=group_name")
    check += "print(len(mine))\n"
    expectations: list[Expectation] = []
    first_names = Counter(m["first_name"] for m in members)  # members of one first name get emails of one subject
    for m in members:
        balance = group_balance(view.conn, chosen["id"], m["id"])
        if balance > 0:
            line = f"the group owes you ${balance:.2f}"
        elif balance < 0:
            line = f"you owe the group ${-balance:.2f}"
        else:
            line = "you are all settled"
        paid = view.value(
            "SELECT COUNT(*) FROM bill_splitting_expenses WHERE group_id = ? AND paid_by = ? AND date >= ?",
            chosen["id"],
            m["id"],
            YEAR_START,
        )
        their_shares = view.value(
            "SELECT COALESCE(SUM(s.amount), 0) FROM bill_splitting_expenses e JOIN bill_splitting_shares s "
            "ON s.expense_id = e.id WHERE e.group_id = ? AND e.date >= ? AND s.person_id = ?",
            chosen["id"],
            YEAR_START,
            m["id"],
        )
        body = (
            f"Hi {m['first_name']}, in {name} {line}. This year you paid {paid} of its expenses, and your shares of "
            f"its expenses came to ${their_shares:.2f}."
        )
        subject = f"{name}: where you stand, {m['first_name']}"
        expectations += sent_email(
            view,
            owner,
            [m["id"]],
            body,
            f"{m['first_name']} is told '{line}'",
            subject=subject,
            alike=first_names[m["first_name"]],
        )
    return TaskSpec(
        owner,
        f"Email each other member of my bill-splitting group '{name}' on their own where they stand, subject "
        f"'{name}: where you stand, <their first name>', body 'Hi <first name>, in {name} <the group owes you $X | "
        "you owe the group $X | you are all settled>. This year you paid <N> of its expenses, and your shares of "
        "its expenses came to $<S>.' according to their balance in the group, the number of the group's expenses "
        f"they paid since {YEAR_START}, and the sum of their shares of all the group's expenses since then "
        "(amounts with two decimals).",
        Solution()
        .step(login("bill_splitting", "email"))
        .step(look)
        .step(listed)
        .step(shares)
        .step(act)
        .step(check)
        .step(done())
        .steps(),
        expectations,
    )
