"""Household scenarios on shared money: settling, chasing and requesting a home or trip group's debts with the
payments and phone apps, and what the household spent."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from envs.toolworld.apps.bill_splitting import group_balance, pair_debts
from envs.toolworld.evaluate import Answer, Expectation, Inserted, OneOf, Updated, normalize_answer
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, other_branch, pick
from envs.toolworld.scenarios.bill_splitting import (
    FIND_GROUP,
    members,
    paid_and_settled,
    reminder_sent,
    save_export_code,
    saved_export,
    unique_groups,
)
from envs.toolworld.scenarios.household_chores import home_groups
from envs.toolworld.scenarios.payments import balance_changes, texted
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

DEBTS = "apis.bill_splitting.show_group_debts(access_token=bill_splitting_token, group_id=group['group_id']"
HOUSEHOLD = "('home', 'family', 'couple')"  # the group types of people who share a household
SINCE = "2026-01-01"  # "what I paid this year"
CHASED = "Everyone who owes me has been reminded."
REQUESTED = "I've asked everyone for their share on the payments app."
PAID_SINCE_AT_LEAST = 7  # expenses I paid since SINCE in household_text_debtors' group: read and commented each
CATEGORY_EXPENSES_AT_LEAST = 9  # household_category_spend: one show_expense per counted expense
LATEST = 5  # how many of my latest expenses household_request_latest_shares asks the shares of


def payments_blocked(view: WorldView, a: int, b: int) -> bool:
    return bool(
        view.rows(
            "SELECT 1 FROM payments_blocks WHERE (owner_id, blocked_id) IN ((?, ?), (?, ?))",
            a,
            b,
            b,
            a,
        )
    )


def my_debts(view: WorldView, group_id: int, me: int) -> dict[int, float]:
    """What I owe each member of a group (after netting with them)."""
    return {c: a for (d, c), a in pair_debts(view.conn, group_id).items() if d == me}


def owed_to_me(view: WorldView, group_id: int, me: int) -> dict[int, float]:
    return {d: a for (d, c), a in pair_debts(view.conn, group_id).items() if c == me}


def shares_of_paid(view: WorldView, group_id: int, payer: int, since: str) -> dict[int, float]:
    """Each person's shares added up over the expenses `payer` paid in a group on or after `since`."""
    return {
        r["person_id"]: r["total"]
        for r in view.rows(
            "SELECT s.person_id, ROUND(SUM(s.amount), 2) AS total FROM bill_splitting_shares s "
            "JOIN bill_splitting_expenses e ON e.id = s.expense_id WHERE e.group_id = ? AND e.paid_by = ? "
            "AND e.date >= ? GROUP BY s.person_id",
            group_id,
            payer,
            since,
        )
    }


@scenario("household_settle_all_debts", apps=("bill_splitting", "payments"))
def settle_all_debts(view: WorldView, rng: random.Random) -> TaskSpec:
    """Every household group at once (money_settle_group_debts settles one named group); the variant where I owe
    nobody in any household group is no-op-pass."""
    balances = {r["person_id"]: r["balance"] for r in view.rows("SELECT person_id, balance FROM payments_balances")}
    homes: dict[int, list[tuple[dict[str, Any], dict[int, float]]]] = {}
    for g in view.rows(
        "SELECT m.person_id AS owner_id, g.id AS group_id, g.name FROM bill_splitting_members m JOIN "
        f"bill_splitting_groups g ON g.id = m.group_id WHERE g.group_type IN {HOUSEHOLD} ORDER BY g.name, g.id"
    ):
        homes.setdefault(g["owner_id"], []).append((g, my_debts(view, g["group_id"], g["owner_id"])))
    owing, clear = [], []
    for owner, groups in sorted(homes.items()):
        creditors = {c for _, debts in groups for c in debts}
        total = sum(a for _, debts in groups for a in debts.values())
        if any(payments_blocked(view, owner, c) for c in creditors) or len({g["name"] for g, _ in groups}) < len(
            groups
        ):
            continue
        if len(groups) >= 2 and not creditors:
            clear.append(owner)
        elif sum(1 for _, debts in groups if debts) >= 2 and total < balances.get(owner, 0):
            owing.append(owner)
    owner = pick(rng, clear if other_branch(rng) else owing, "person owing in two household groups", distinct=True)
    expectations: list[Expectation] = []  # none when I owe nobody: then the right answer is to change nothing
    deltas: dict[int, float] = {}
    for g, debts in homes[owner]:
        for creditor, amount in sorted(debts.items()):
            expectations += paid_and_settled(view, g["group_id"], owner, creditor, amount, g["name"])
            deltas[creditor] = round(deltas.get(creditor, 0.0) + amount, 2)
    if deltas:
        expectations += balance_changes(view, {owner: -round(sum(deltas.values()), 2), **deltas})
    oracle = (
        Solution()
        .step(login("bill_splitting", "payments"))
        .step(
            fetch_all("groups", "apis.bill_splitting.show_groups(access_token=bill_splitting_token")
            + f"homes = [g for g in groups if g['group_type'] in {HOUSEHOLD}]\n"
            + "print([(g['name'], g['my_balance']) for g in homes])\n"
        )
        .step(
            "owed = []\n"
            "for g in homes:\n"
            + fetch_all(
                "debts",
                "apis.bill_splitting.show_group_debts(access_token=bill_splitting_token, group_id=g['group_id']",
                "    ",
            )
            + "    owed += [(g, d) for d in debts if d['debtor']['email'] == me['email']]\n"
            + "print([(g['name'], d['creditor']['name'], d['amount']) for g, d in owed])\n"
            + "print(apis.payments.show_balance(access_token=payments_token))\n"
        )
        .step(
            "for g, d in owed:\n"
            "    apis.payments.send_money(access_token=payments_token, receiver_email=d['creditor']['email'], "
            "amount=d['amount'], note=g['name'], private=True)\n"
            "    apis.bill_splitting.settle_up(access_token=bill_splitting_token, group_id=g['group_id'], "
            "email=d['creditor']['email'], amount=d['amount'], method='payments app', note=g['name'])\n"
        )
        .step(
            "for g in homes:\n"
            "    print(apis.bill_splitting.show_group(access_token=bill_splitting_token, group_id=g['group_id'])"
            "['my_balance'])\n"
            "apis.supervisor.complete_task(answer=[g['name'] for g in homes])"
        )
        .steps()
    )
    names = [g["name"] for g, _ in homes[owner]]
    expectations.append(Answer(names, f"the answer names my {len(names)} household groups"))
    return TaskSpec(
        owner,
        "Settle everything I owe in my household bill splitting groups (those of type home, family or couple): in "
        "each of them, pay every member I owe exactly what I owe them there (after netting with them) as a private "
        "payment on the payments app with the group's name as the note, and record each payment as a settlement in "
        "that group, paid by payments app, with the same note. People who owe me and my other groups are not part of "
        "this; if I owe nobody in those groups, change nothing. Either way, tell me the names of those household "
        "groups.",
        oracle,
        expectations,
        noop_pass=not deltas,
    )


@scenario("household_text_debtors", apps=("bill_splitting", "phone"))
def text_debtors(view: WorldView, rng: random.Random) -> TaskSpec:
    """Unlike life_trip_chase_debtors (one trip, chased by reminder history), each text here also tells the person
    their share of what I paid recently: a sum over the shares of every expense I paid since SINCE, 7+ of them, each
    read with show_expense and commented on."""
    cases = []
    households = {r["id"] for r in view.rows("SELECT id FROM bill_splitting_groups WHERE group_type IN " + HOUSEHOLD)}
    for g in unique_groups(view, 3):
        if g["group_id"] not in households:
            continue
        owner = g["owner_id"]
        owed = owed_to_me(view, g["group_id"], owner)
        numbers = {
            r["email"]: r["phone_number"]
            for r in view.rows("SELECT email, phone_number FROM phone_contacts WHERE owner_id = ?", owner)
        }
        emails = {p: view.person(p)["email"] for p in members(view, g["group_id"])}
        paid = view.value(
            "SELECT COUNT(*) FROM bill_splitting_expenses WHERE group_id = ? AND paid_by = ? AND date >= ?",
            g["group_id"],
            owner,
            SINCE,
        )
        if len(owed) >= 2 and paid >= PAID_SINCE_AT_LEAST and all(emails[p] in numbers for p in emails if p != owner):
            cases.append((g, owed))
    g, owed = pick(
        rng,
        cases,
        f"household group where several members owe me and are in my contacts, and I paid {PAID_SINCE_AT_LEAST}+ "
        f"expenses since {SINCE}",
        distinct=True,
    )
    owner, name = int(g["owner_id"]), g["name"]
    recent = shares_of_paid(view, g["group_id"], owner, SINCE)
    texts = {
        p: f"Hi {view.person(p)['first_name']}, you owe me ${a:.2f} in '{name}'. Your share of what I paid there "
        f"since {SINCE} is ${recent.get(p, 0.0):.2f}."
        for p, a in owed.items()
    }
    oracle = (
        Solution()
        .step(login("bill_splitting", "phone"))
        .step(
            FIND_GROUP.format(name=name)
            + fetch_all("debts", DEBTS)
            + "owe_me = [d for d in debts if d['creditor']['email'] == me['email']]\n"
            + fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token")
            + "numbers = {c['email']: c['phone_number'] for c in contacts}\n"
        )
        .step(
            fetch_all(
                "paid",
                "apis.bill_splitting.show_expenses(access_token=bill_splitting_token, group_id=group['group_id'], "
                f"paid_by_email=me['email'], date_from={SINCE!r}",
            )
            + "recent = {}\n"
            + "for e in paid:\n"
            + "    detail = apis.bill_splitting.show_expense(access_token=bill_splitting_token, "
            + "expense_id=e['expense_id'])\n"
            + "    for s in detail['shares']:\n"
            + "        recent[s['email']] = round(recent.get(s['email'], 0) + s['amount'], 2)\n"
            + "print(recent)\n"
        )
        .step(
            "for d in owe_me:\n"
            "    first = d['debtor']['name'].split()[0]\n"
            f"    text = (f\"Hi {{first}}, you owe me ${{d['amount']:.2f}} in '{name}'. Your share of what I paid "
            f"there since {SINCE} is ${{recent.get(d['debtor']['email'], 0):.2f}}.\")\n"
            "    apis.phone.send_text_message(access_token=phone_token, phone_number=numbers[d['debtor']['email']], "
            "message=text)\n"
            "    apis.bill_splitting.send_payment_reminder(access_token=bill_splitting_token, "
            "group_id=group['group_id'], email=d['debtor']['email'], message=text)\n"
            "for e in paid:\n"
            "    apis.bill_splitting.add_comment(access_token=bill_splitting_token, expense_id=e['expense_id'], "
            f"text={CHASED!r})\n"
        )
        .step("apis.supervisor.complete_task(answer=round(sum(d['amount'] for d in owe_me), 2))")
        .steps()
    )
    total = round(sum(owed.values()), 2)
    expectations: list[Expectation] = [Answer(total, f"the answer is what they owe me in all ({total:.2f})")]
    for p, text in texts.items():
        expectations += [
            texted(view, owner, p, text),
            reminder_sent(view, g["group_id"], owner, p, owed[p], text),
        ]
    expectations += [
        Inserted(
            "bill_splitting_comments",
            {"expense_id": e["id"], "author_id": owner, "text": CHASED},
            f"'{e['description']}' of {e['date']}, which I paid, has my comment",
            what=f"comments on expense {e['id']}",
        )
        for e in view.rows(
            "SELECT id, description, date FROM bill_splitting_expenses WHERE group_id = ? AND paid_by = ? "
            "AND date >= ? ORDER BY id",
            g["group_id"],
            owner,
            SINCE,
        )
    ]
    return TaskSpec(
        owner,
        f"Text everyone who owes me money in my household bill splitting group '{name}' (not those I owe), one text "
        f"each, exactly: \"Hi <their first name>, you owe me $<amount> in '{name}'. Your share of what I paid there "
        f'since {SINCE} is $<share>." The amount is what they owe me after netting; the share adds up their shares '
        f"of every expense I paid in the group on or after {SINCE} (two decimals, like $12.30, $0.00 if none). Their "
        "numbers are in my phone contacts. Also send each of them a payment reminder in the group with that same text "
        f"as its message, comment '{CHASED}' on each expense I paid there on or after {SINCE}, and tell me how much "
        "they owe me in all.",
        oracle,
        expectations,
    )


@scenario("household_category_spend", apps=("bill_splitting",))
def category_spend(view: WorldView, rng: random.Random) -> TaskSpec:
    """A category's total over a quarter (every page of the group's expenses in it), each counted expense commented,
    and a housemate's part of it. Deep: the list shows only my share of an expense, so their part needs show_expense
    on each of the CATEGORY_EXPENSES_AT_LEAST counted expenses (they sit out some, so an equal split or my own part
    is a wrong guess); the same quarter a year earlier, the whole quarter and my shares alone are traps."""
    quarter_of = "(CAST(substr(date, 6, 2) AS INTEGER) + 2) / 3"
    cases = view.rows(
        f"SELECT group_id, category, substr(date, 1, 4) AS year, {quarter_of} AS quarter, "
        "ROUND(SUM(amount), 2) AS total, COUNT(*) AS n FROM bill_splitting_expenses WHERE date >= '2025-01' "
        f"AND date < '2026-04' GROUP BY 1, 2, 3, 4 HAVING n >= {CATEGORY_EXPENSES_AT_LEAST} ORDER BY 1, 2, 3, 4"
    )
    homes = {g["group_id"]: g for g in home_groups(view, 2)}
    usable = [
        (c, mates) for c in cases if c["group_id"] in homes and (mates := _mates_parts(view, homes[c["group_id"]], c))
    ]
    c, mates = pick(
        rng,
        usable,
        f"home group quarter with {CATEGORY_EXPENSES_AT_LEAST}+ expenses in a category, a housemate sitting out some",
        True,
    )
    g = homes[c["group_id"]]
    mate, part, mine = rng.choice(mates)
    mate_name = full_name(view, mate)
    year, quarter = int(c["year"]), int(c["quarter"])
    first, last = _quarter_days(year, quarter)

    def spent(where: str, *args: Any) -> float:
        return float(
            view.value(
                "SELECT ROUND(COALESCE(SUM(e.amount), 0), 2) FROM bill_splitting_expenses e WHERE e.group_id = ? "
                f"AND {where}",
                c["group_id"],
                *args,
            )
        )

    def trap(total: float, share: float) -> str:
        return normalize_answer([total, share], ordered=True)

    traps: dict[str, str] = {}
    earlier = spent(
        "e.category = ? AND e.date BETWEEN ? AND ?",
        c["category"],
        first.replace(year=year - 1).isoformat(),
        last.replace(year=year - 1).isoformat(),
    )
    if earlier:
        traps[trap(earlier, part)] = "that total is the same quarter a year earlier"
    whole = spent("e.date BETWEEN ? AND ?", first.isoformat(), last.isoformat())
    traps[trap(whole, part)] = "that total adds every category of the quarter"
    traps[trap(mine, part)] = "that total is only my share of them"
    traps[trap(c["total"], mine)] = f"that part is mine, not {mate_name}'s"
    equal = round(c["total"] / len(members(view, g["group_id"])), 2)
    traps[trap(c["total"], equal)] = (
        f"that part splits every expense equally among all members; {mate_name} sat some out"
    )
    label = f"Q{quarter} {year}"
    note = f"Counted in the {label} {c['category']} total"
    oracle = (
        Solution()
        .step(login("bill_splitting"))
        .step(
            FIND_GROUP.format(name=g["name"])
            + f"mate = next(m for m in group['members'] if m['name'] == {mate_name!r})\n"
            + fetch_all(
                "counted",
                "apis.bill_splitting.show_expenses(access_token=bill_splitting_token, group_id=group['group_id'], "
                f"category={c['category']!r}, date_from={first.isoformat()!r}, date_to={last.isoformat()!r}",
            )
            + "print(len(counted), [(e['date'], e['amount'], e['my_share']) for e in counted])\n"
        )
        .step(
            "part = 0\n"
            "for e in counted:\n"
            "    detail = apis.bill_splitting.show_expense(access_token=bill_splitting_token, "
            "expense_id=e['expense_id'])\n"
            "    part += sum(s['amount'] for s in detail['shares'] if s['email'] == mate['email'])\n"
            "print(round(part, 2))\n"
        )
        .step(
            "for e in counted:\n"
            "    apis.bill_splitting.add_comment(access_token=bill_splitting_token, expense_id=e['expense_id'], "
            f"text={note!r})\n"
        )
        .step("apis.supervisor.complete_task(answer=[round(sum(e['amount'] for e in counted), 2), round(part, 2)])")
        .steps()
    )
    counted = view.rows(
        "SELECT id, description, date FROM bill_splitting_expenses WHERE group_id = ? AND category = ? "
        "AND date BETWEEN ? AND ? ORDER BY id",
        c["group_id"],
        c["category"],
        first.isoformat(),
        last.isoformat(),
    )
    return TaskSpec(
        int(g["owner_id"]),
        f"How much did my household group '{g['name']}' on the bill splitting app spend on {c['category']} in "
        f"{label} ({first.isoformat()} to {last.isoformat()}), in total (whole expenses, not only my shares), and how "
        f"much of that was {mate_name}'s part (their shares of those expenses added up)? Answer in dollars as a "
        f"list: [<the total>, <{mate_name}'s part>], and comment '{note}' on each expense you counted.",
        oracle,
        [
            Answer(
                [c["total"], part],
                f"the answer is the {c['category']} total of {label} ({c['total']:.2f}) and {mate_name}'s part "
                f"({part:.2f}), in that order",
                ordered=True,
                traps=traps,
            ),
            *(
                Inserted(
                    "bill_splitting_comments",
                    {"expense_id": e["id"], "author_id": g["owner_id"], "text": note},
                    f"'{e['description']}' of {e['date']} has the comment",
                    what="comments",
                )
                for e in counted
            ),
        ],
    )


def _quarter_days(year: int, quarter: int) -> tuple[date, date]:
    first = date(year, 3 * quarter - 2, 1)
    return first, date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - timedelta(days=1)


def _mates_parts(view: WorldView, g: dict[str, Any], c: dict[str, Any]) -> list[tuple[int, float, float]]:
    """(member, their part, my part) of the quarter's category expenses for each other member whose part neither an
    equal split over all members nor my own part would give: they sat out some of the expenses."""
    first, last = _quarter_days(int(c["year"]), int(c["quarter"]))
    everyone = members(view, g["group_id"])
    parts = {
        r["person_id"]: float(r["part"])
        for r in view.rows(
            "SELECT s.person_id, ROUND(SUM(s.amount), 2) AS part FROM bill_splitting_expenses e JOIN "
            "bill_splitting_shares s ON s.expense_id = e.id WHERE e.group_id = ? AND e.category = ? AND e.date "
            "BETWEEN ? AND ? GROUP BY s.person_id",
            g["group_id"],
            c["category"],
            first.isoformat(),
            last.isoformat(),
        )
    }
    mine = parts.get(g["owner_id"], 0.0)
    equal = round(c["total"] / len(everyone), 2)
    names = [full_name(view, p) for p in everyone]
    return [
        (p, parts[p], mine)
        for p in everyone
        if p != g["owner_id"]
        and parts.get(p, 0.0) > 0
        and abs(parts[p] - equal) >= 0.01
        and abs(parts[p] - mine) >= 0.01
        and names.count(full_name(view, p)) == 1
    ]


@scenario("household_request_latest_shares", apps=("bill_splitting", "payments"))
def request_latest_shares(view: WorldView, rng: random.Random) -> TaskSpec:
    requestable = {
        r["person_id"]
        for r in view.rows("SELECT person_id FROM payments_settings WHERE allow_requests_from = 'everyone'")
    }
    cases = []
    for g in unique_groups(view, 3):
        owner = g["owner_id"]
        latest = view.rows(
            "SELECT id, description, amount, date FROM bill_splitting_expenses WHERE group_id = ? AND paid_by = ? "
            "ORDER BY date DESC, id DESC LIMIT ?",
            g["group_id"],
            owner,
            LATEST + 1,
        )
        if len(latest) <= LATEST or latest[LATEST - 1]["date"] == latest[LATEST]["date"]:
            continue
        shares = [
            (e, r["person_id"], r["amount"])
            for e in latest[:LATEST]
            for r in view.rows(
                "SELECT person_id, amount FROM bill_splitting_shares WHERE expense_id = ? AND person_id != ? "
                "AND amount > 0 ORDER BY person_id",
                e["id"],
                owner,
            )
        ]
        if len({p for _, p, _ in shares}) >= 2 and all(
            p in requestable and not payments_blocked(view, owner, p) for _, p, _ in shares
        ):
            cases.append((g, shares, latest[:LATEST]))
    g, shares, latest = pick(rng, cases, "group whose latest expenses I paid are shared", distinct=True)
    owner = int(g["owner_id"])
    total = round(sum(a for _, _, a in shares), 2)
    oracle = (
        Solution()
        .step(login("bill_splitting", "payments"))
        .step(
            FIND_GROUP.format(name=g["name"])
            + fetch_all(
                "paid",
                "apis.bill_splitting.show_expenses(access_token=bill_splitting_token, group_id=group['group_id'], "
                "paid_by_email=me['email']",
            )
            + f"latest = sorted(paid, key=lambda e: (e['date'], e['expense_id']), reverse=True)[:{LATEST}]\n"
            + "print([(e['date'], e['description']) for e in latest])\n"
        )
        .step(
            "asked = 0\n"
            "for e in latest:\n"
            "    expense = apis.bill_splitting.show_expense(access_token=bill_splitting_token, "
            "expense_id=e['expense_id'])\n"
            "    for s in expense['shares']:\n"
            "        if s['email'] != me['email'] and s['amount'] > 0:\n"
            "            apis.payments.request_money(access_token=payments_token, payer_email=s['email'], "
            "amount=s['amount'], note=expense['description'])\n"
            "            asked += s['amount']\n"
            "    apis.bill_splitting.add_comment(access_token=bill_splitting_token, expense_id=e['expense_id'], "
            f"text={REQUESTED!r})\n"
        )
        .step(
            fetch_all(
                "sent", "apis.payments.show_requests(access_token=payments_token, direction='sent', status='pending'"
            )
            + "print(sent[:10])\n"
            + "for e in latest:\n"
            + "    print(apis.bill_splitting.show_comments(access_token=bill_splitting_token, "
            + "expense_id=e['expense_id'])[-1:])\n"
            + "apis.supervisor.complete_task(answer=round(asked, 2))"
        )
        .steps()
    )
    requests: dict[tuple[int, float, str], int] = {}
    for e, p, a in shares:
        requests[(p, a, e["description"])] = requests.get((p, a, e["description"]), 0) + 1
    return TaskSpec(
        owner,
        f"For each of the {LATEST} most recent expenses I paid in my bill splitting group '{g['name']}', send every "
        "other member who has a share of it a payment request on the payments app for exactly that share, with the "
        "expense's description as the note (one request per expense and person), and comment on each of those "
        f"expenses '{REQUESTED}'. Tell me how much I asked for in all.",
        oracle,
        [
            *(
                Inserted(
                    "payments_requests",
                    {
                        "requester_id": owner,
                        "payer_id": p,
                        "amount": a,
                        "note": note,
                        "status": "pending",
                        "resolved_at": None,
                        "reminders": 0,
                        "last_reminded_at": None,
                    },
                    f"{full_name(view, p)} is asked for ${a:.2f} for '{note}'" + (f" ({n} times)" if n > 1 else ""),
                    count=n,
                    what="requests",
                )
                for (p, a, note), n in sorted(requests.items())
            ),
            *(
                Inserted(
                    "bill_splitting_comments",
                    {"expense_id": e["id"], "author_id": owner, "text": REQUESTED},
                    f"'{e['description']}' of {e['date']} (expense {e['id']}) has my comment",
                    what=f"comments on expense {e['id']}",
                )
                for e in latest
            ),
            Answer(total, f"the answer is the sum of the requests (${total:.2f})"),
        ],
    )


@scenario("household_add_roommates", apps=("bill_splitting", "phone"))
def add_roommates(view: WorldView, rng: random.Random) -> TaskSpec:
    """The roommates of my phone contacts who are not yet in a group of mine (a trip, a flat) join it; friends and
    coworkers are not roommates; variant 1 picks a group that has them all already (no-op-pass)."""
    missing: list[tuple[dict[str, Any], list[int]]] = []
    complete: list[tuple[dict[str, Any], list[int]]] = []
    for g in unique_groups(view, 2):
        roommates = {
            r["id"]
            for r in view.rows(
                "SELECT p.id FROM phone_contacts c JOIN people p ON p.email = c.email WHERE c.owner_id = ? "
                "AND c.relationship = 'roommate'",
                g["owner_id"],
            )
        }
        if roommates:
            new = sorted(roommates - set(members(view, g["group_id"])))
            (missing if new else complete).append((g, new))
    g, new = pick(rng, complete if other_branch(rng) else missing, "group whose owner has roommates", distinct=True)
    welcome = f"I added you to '{g['name']}' on bill splitting."
    oracle = (
        Solution()
        .step(login("bill_splitting", "phone"))
        .step(
            FIND_GROUP.format(name=g["name"])
            + fetch_all("roommates", "apis.phone.search_contacts(access_token=phone_token, relationship='roommate'")
            + "inside = {m['email'] for m in group['members']}\n"
            + "print([(r['first_name'], r['email'] in inside) for r in roommates])\n"
        )
        .step(
            "for r in roommates:\n"
            "    if r['email'] not in inside:\n"
            "        apis.bill_splitting.add_group_member(access_token=bill_splitting_token, "
            "group_id=group['group_id'], email=r['email'])\n"
            "        apis.phone.send_text_message(access_token=phone_token, phone_number=r['phone_number'], "
            f"message={welcome!r})\n"
        )
        .step(
            "print(apis.bill_splitting.show_group(access_token=bill_splitting_token, group_id=group['group_id']))\n"
            "apis.supervisor.complete_task(answer=[r['first_name'] + ' ' + r['last_name'] for r in roommates "
            "if r['email'] in inside])"
        )
        .steps()
    )
    already = view.rows(
        "SELECT c.first_name || ' ' || c.last_name AS name FROM phone_contacts c JOIN people p ON p.email = c.email "
        "JOIN bill_splitting_members m ON m.person_id = p.id AND m.group_id = ? WHERE c.owner_id = ? "
        "AND c.relationship = 'roommate'",
        g["group_id"],
        g["owner_id"],
    )
    expectations: list[Expectation] = [  # no other test when every roommate is in already: then change nothing
        Answer([r["name"] for r in already], "the answer names the roommates who were in the group already")
    ]
    if new:
        expectations.append(
            Inserted(
                "bill_splitting_members",
                {"group_id": g["group_id"], "person_id": OneOf(new), "is_archived": 0},
                f"the {len(new)} missing roommates ({', '.join(full_name(view, p) for p in new)}) join the group",
                count=len(new),
                what="members",
            )
        )
        expectations += [texted(view, g["owner_id"], p, welcome) for p in new]
    return TaskSpec(
        int(g["owner_id"]),
        f"Make sure every roommate in my phone contacts is in my bill splitting group '{g['name']}': add those "
        f"who are not members yet, and text each one you add: '{welcome}'. If they all are in, change nothing. "
        "Either way, tell me the names (as in my contacts) of the roommates who were in the group already.",
        oracle,
        expectations,
        noop_pass=not new,
    )


@scenario("household_archive_old_trips", apps=("bill_splitting", "file_system"))
def archive_old_trips(view: WorldView, rng: random.Random) -> TaskSpec:
    """Archive my settled trip groups without an expense since a day, each one's expenses first saved as a CSV file
    (bill_splitting's export into file_system); trips with a balance, recent trips and other group types stay; the
    count is the answer."""
    since = rng.choice(["2025-07-01", "2025-10-01", "2026-01-01"])
    cases = []
    people = sorted({r["person_id"] for r in view.rows("SELECT person_id FROM bill_splitting_members")})
    for person in people:
        trips = view.rows(
            "SELECT m.id, g.id AS group_id, g.name, (SELECT MAX(date) FROM bill_splitting_expenses e WHERE "
            "e.group_id = g.id) AS last FROM bill_splitting_members m JOIN bill_splitting_groups g ON "
            "g.id = m.group_id WHERE m.person_id = ? AND g.group_type = 'trip' AND m.is_archived = 0",
            person,
        )
        settled = [t for t in trips if group_balance(view.conn, t["group_id"], person) == 0]
        old = [t for t in settled if not t["last"] or t["last"] < since]
        if 2 <= len(old) < len(trips) and len(settled) > len(old):
            cases.append((person, old, len(settled)))
    owner, old, settled = pick(
        rng,
        cases,
        "person with old settled trips",
        distinct=True,
        unusable=(
            lambda case: len({t["name"] for t in case[1]}) < len(case[1]),
            "two trips to archive share a name, so their exports would share one file name",
        ),
    )
    oracle = (
        Solution()
        .step(login("bill_splitting", "file_system"))
        .step(
            fetch_all(
                "trips",
                "apis.bill_splitting.show_groups(access_token=bill_splitting_token, status='active', group_type='trip'",
            )
            + "settled = [g for g in trips if g['my_balance'] == 0]\n"
            + "print(len(trips), len(settled))\n"
        )
        .step(
            "old = []\n"
            "for g in settled:\n"
            "    recent = apis.bill_splitting.show_expenses(access_token=bill_splitting_token, "
            f"group_id=g['group_id'], date_from={since!r}, page_limit=1)\n"
            "    if not recent:\n"
            "        old.append(g)\n"
            "print([g['name'] for g in old])\n"
        )
        .step(
            "for g in old:\n"
            + save_export_code("g", "/documents", "    ")
            + "    apis.bill_splitting.archive_group(access_token=bill_splitting_token, group_id=g['group_id'])\n"
        )
        .step(
            fetch_all(
                "saved",
                "apis.file_system.search_files(access_token=file_system_token, query='expenses', "
                "directory='/documents', extension='csv'",
            )
            + "print([f['path'] for f in saved])\n"
            + "apis.supervisor.complete_task(answer=len(old))"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        "Tidy my bill splitting groups: archive every trip group of mine that is still active, where my balance is "
        f"exactly zero and that has no expense dated on or after {since}. Before archiving each one, export its "
        "expenses from the app and save the export's content as a file in /documents under the file name the export "
        "gives. "
        "Keep the others. How many did you archive?",
        oracle,
        [
            Answer(
                len(old),
                f"the answer is the number of trips archived ({len(old)})",
                traps={str(settled): f"that counts every settled trip, also those with expenses since {since}"},
            ),
            *(
                Updated("bill_splitting_members", t["id"], {"is_archived": 1}, f"'{t['name']}' is archived for me")
                for t in old
            ),
            *(saved_export(view, owner, t["group_id"], t["name"], "/documents") for t in old),
        ],
    )
