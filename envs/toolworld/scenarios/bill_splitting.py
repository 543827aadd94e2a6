"""Scenarios on the bill_splitting app: adding and fixing expenses, balances, settling up with payments,
reminders by email.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from envs.toolworld.apps.bill_splitting import equal_shares, group_balance, pair_debts
from envs.toolworld.evaluate import (
    Answer,
    Deleted,
    Expectation,
    HasLines,
    Inserted,
    Matcher,
    NewRow,
    OneOf,
    Outcome,
    Updated,
    normalize_answer,
)
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, full_name, login, pick
from envs.toolworld.scenarios._files import directory_expectation
from envs.toolworld.scenarios._rows import new_file
from envs.toolworld.scenarios.email import sent_email
from envs.toolworld.scenarios.payments import balance_changes, texted
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

DONE = "apis.supervisor.complete_task()\n"
TODAY = WORLD_NOW.date().isoformat()
CUTOFF = (WORLD_NOW.date() - timedelta(days=182)).isoformat()  # "unused for six months"
RECENT = (WORLD_NOW.date() - timedelta(days=30)).isoformat()  # "the last month"
BIGGEST = "Biggest one so far!"
REMINDER = "This group has been quiet for months: could you settle up?"
NOT_FORGOTTEN = "Hi {first}, I haven't forgotten the ${amount:.2f} I owe you on bill splitting. I'll pay you soon."
BS = "apis.bill_splitting"
FIND_GROUP = (
    "group = next(g for g in apis.bill_splitting.show_groups(access_token=bill_splitting_token, query={name!r}, "
    "page_limit=20) if g['name'] == {name!r})\n"
)


def unique_groups(view: WorldView, min_members: int = 2) -> list[dict[str, Any]]:
    """(owner, group) pairs where the owner has no other group of that name, so the name identifies it."""
    return view.rows(
        "SELECT m.person_id AS owner_id, g.id AS group_id, g.name FROM bill_splitting_members m "
        "JOIN bill_splitting_groups g ON g.id = m.group_id "
        "WHERE (SELECT COUNT(*) FROM bill_splitting_members x JOIN bill_splitting_groups y ON y.id = x.group_id "
        "WHERE x.person_id = m.person_id AND y.name = g.name) = 1 "
        "AND (SELECT COUNT(*) FROM bill_splitting_members z WHERE z.group_id = g.id) >= ? ORDER BY m.id",
        min_members,
    )


def members(view: WorldView, group_id: int) -> list[int]:
    return [
        r["person_id"]
        for r in view.rows(
            "SELECT person_id FROM bill_splitting_members WHERE group_id = ? ORDER BY person_id", group_id
        )
    ]


def pairwise(view: WorldView, group_id: int) -> dict[tuple[int, int], float]:
    return pair_debts(view.conn, group_id)


def reminder_sent(view: WorldView, group_id: int, sender: int, debtor: int, amount: float, message: str) -> Expectation:
    """A payment reminder `sender` sent `debtor` in a group, for what the debtor owed them then."""
    return Inserted(
        "bill_splitting_reminders",
        {
            "group_id": group_id,
            "sender_id": sender,
            "receiver_id": debtor,
            "amount": amount,
            "message": message,
            "is_read": 0,
        },
        f"{full_name(view, debtor)} is reminded of the ${amount:.2f} they owe me in group {group_id} ({message!r})",
        what="reminders",
    )


def sharers(view: WorldView, expense_id: int) -> list[int]:
    """The people with a share in an expense (only show_expense tells an agent this)."""
    return [
        r["person_id"]
        for r in view.rows(
            "SELECT person_id FROM bill_splitting_shares WHERE expense_id = ? ORDER BY person_id", expense_id
        )
    ]


def owed_to_me_after(view: WorldView, group_id: int, me: int, shares: dict[int, float]) -> dict[int, float]:
    """What each member will owe `me` in a group once an expense `me` paid, with these `shares`, is added."""
    debts = pairwise(view, group_id)
    after = {
        p: round(debts.get((p, me), 0.0) - debts.get((me, p), 0.0) + share, 2) for p, share in shares.items() if p != me
    }
    return {p: a for p, a in after.items() if a > 0}


def added_expense(
    view: WorldView,
    group_id: int | Matcher,
    payer: int,
    description: str,
    amount: float,
    shares: dict[int, float],
    category: str,
    split_type: str = "equal",
    *,
    creator: int | None = None,
    date: str = TODAY,
    notes: str = "",
) -> list[Expectation]:
    """An expense added by `creator` (the payer unless given) and one share row of it per person in `shares`:
    every column the agent sets is pinned, and the shares are tied to that new expense."""
    match: dict[str, Any] = {
        "group_id": group_id,
        "paid_by": payer,
        "created_by": payer if creator is None else creator,
        "description": description,
        "amount": amount,
        "category": category,
        "split_type": split_type,
        "date": date,
        "notes": notes,
        "recurring_id": None,
    }
    return [
        Inserted(
            "bill_splitting_expenses",
            match,
            f"a ${amount:.2f} {split_type} expense '{description}' in {category} paid by {full_name(view, payer)}"
            + (f" on {date}" if date != TODAY else "")
            + (f" with the notes {notes!r}" if notes else ""),
            what="expenses",
        ),
        *(
            Inserted(
                "bill_splitting_shares",
                {"expense_id": NewRow("bill_splitting_expenses", match), "person_id": p, "amount": a},
                f"{full_name(view, p)}'s share of '{description}' is ${a:.2f}",
                what="shares",
            )
            for p, a in shares.items()
        ),
    ]


def export_name(group_name: str) -> str:
    """The file name bill_splitting's export_group_expenses gives a group's CSV."""
    return ("".join(c if c.isalnum() else "_" for c in group_name.lower()).strip("_") or "group") + "_expenses.csv"


def export_lines(view: WorldView, group_id: int, me: int) -> list[str]:
    """The lines of export_group_expenses' CSV of a whole group, as `me` sees it (oldest first)."""
    rows = view.rows(
        "SELECT e.date, e.description, e.category, e.amount, p.first_name || ' ' || p.last_name AS payer, "
        "COALESCE((SELECT amount FROM bill_splitting_shares WHERE expense_id = e.id AND person_id = ?), 0) AS mine "
        "FROM bill_splitting_expenses e JOIN people p ON p.id = e.paid_by WHERE e.group_id = ? ORDER BY e.date, e.id",
        me,
        group_id,
    )

    def cell(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text

    return ["date,description,category,amount,paid_by,my_share"] + [
        f"{r['date']},{cell(r['description'])},{r['category']},{r['amount']:.2f},{cell(r['payer'])},{r['mine']:.2f}"
        for r in rows
    ]


def save_export_code(group: str, folder: str, indent: str = "") -> str:
    """Oracle code saving the expense export of the group dict `group` as a file in `folder`, under the export's
    file name (creating the folder if needed)."""
    return (
        f"{indent}export = apis.bill_splitting.export_group_expenses(access_token=bill_splitting_token, "
        f"group_id={group}['group_id'])\n"
        f"{indent}apis.file_system.create_file(access_token=file_system_token, path={folder!r} + '/' + "
        "export['file_name'], content=export['content'], parents=True)\n"
    )


def saved_export(view: WorldView, owner: int, group_id: int, group_name: str, folder: str) -> Inserted:
    """The file in `folder` holding the expense export of a group, as `owner` sees it."""
    path = f"{folder}/{export_name(group_name)}"
    return Inserted(
        "file_system_files",
        new_file(owner, path, HasLines(export_lines(view, group_id, owner))),
        f"the expenses of '{group_name}' are saved in {path}",
        what=f"exports of '{group_name}'",
    )


RECEIPT_DAYS = 14  # "lately": the receipts are from the last two weeks, one of them already in the group


def logged_receipts(view: WorldView) -> list[dict[str, Any]]:
    """Expenses I paid in the last RECEIPT_DAYS days in a group of 3+ whose name is mine alone, the only one of their
    description in the group that day: a receipt I already added, listed beside new ones of the same kind."""
    groups = {(g["owner_id"], g["group_id"]): g["name"] for g in unique_groups(view, min_members=3)}
    rows = view.rows(
        "SELECT e.id, e.group_id, e.paid_by, e.description, e.category, e.amount, e.date "
        "FROM bill_splitting_expenses e WHERE e.date >= ? AND e.date < ? AND (SELECT COUNT(*) "
        "FROM bill_splitting_expenses x WHERE x.group_id = e.group_id AND x.date = e.date "
        "AND x.description = e.description) = 1 ORDER BY e.id",
        (WORLD_NOW.date() - timedelta(days=RECEIPT_DAYS)).isoformat(),
        TODAY,
    )
    return [
        {**r, "name": groups[(r["paid_by"], r["group_id"])]} for r in rows if (r["paid_by"], r["group_id"]) in groups
    ]


@scenario("bill_splitting_add_equal_expense", apps=("bill_splitting",), difficulty=1)
def add_equal_expense(view: WorldView, rng: random.Random) -> TaskSpec:
    """Several receipts of one kind logged at once, each on its own day, then reminders to the members who owe me
    over a threshold once all are in; the answer is my balance after them. Deep: one of the four receipts is in the
    group already, found by looking each up on its day (a second copy is a change the graders reject), and who
    shares the new ones is who shared that one, only in its show_expense (some members sit it out where the world
    has such a receipt, so an all-members split is wrong)."""
    receipts_found = logged_receipts(view)
    part, found = as_deep_as_found(
        ("some members", "members"),
        lambda who: [
            r
            for r in receipts_found
            if r["paid_by"] in sharers(view, r["id"])
            and (who == "members" or len(sharers(view, r["id"])) < len(members(view, r["group_id"])))
        ],
    )
    e = pick(rng, found, f"expense I paid lately in a group of three or more, shared by {part}", distinct=True)
    g = {"owner_id": e["paid_by"], "group_id": e["group_id"], "name": e["name"]}
    people = sharers(view, e["id"])
    description, category = e["description"], e["category"]
    taken = {
        r["date"]
        for r in view.rows(
            "SELECT date FROM bill_splitting_expenses WHERE group_id = ? AND description = ?",
            g["group_id"],
            description,
        )
    }
    free = [d for d in range(1, RECEIPT_DAYS + 1) if (WORLD_NOW.date() - timedelta(days=d)).isoformat() not in taken]
    days = [(WORLD_NOW.date() - timedelta(days=d)).isoformat() for d in rng.sample(free, 3)]
    new = [(day, round(rng.randint(20, 200) + rng.choice((0, 0.5, 0.99)), 2)) for day in days]
    receipts = sorted([*new, (e["date"], e["amount"])])
    shares = {day: equal_shares(amount, people) for day, amount in new}
    added = {p: round(sum(s[p] for s in shares.values()), 2) for p in people}
    before = group_balance(view.conn, g["group_id"], g["owner_id"])
    after = round(before + sum(a for _, a in new) - added[g["owner_id"]], 2)
    everyone = {p: added.get(p, 0.0) for p in members(view, g["group_id"])}  # those sitting it out may owe me too
    owing = owed_to_me_after(view, g["group_id"], g["owner_id"], everyone)
    threshold = float(rng.choice((10, 20, 30)))
    reminded = sorted(p for p, a in owing.items() if a > threshold)
    message = f"I just added my '{description}' receipts to {g['name']}."
    listed = ", ".join(f"${amount:.2f} on {day}" for day, amount in receipts)
    oracle = (
        Solution()
        .step(login("bill_splitting"))
        .step(FIND_GROUP.format(name=g["name"]) + "print(group['members'], group['my_balance'])\n")
        .step(
            f"receipts = {receipts!r}\n"
            "for day, amount in receipts:\n"
            f"    there = {BS}.show_expenses(access_token=bill_splitting_token, group_id=group['group_id'], "
            f"date_from=day, date_to=day, page_limit=20)\n"
            f"    found = [x for x in there if x['description'] == {description!r} and x['amount'] == amount "
            "and x['paid_by']['email'] == me['email']]\n"
            "    if found:\n"
            "        done = found[0]\n"
            "todo = [(day, amount) for day, amount in receipts if (day, amount) != (done['date'], done['amount'])]\n"
            f"like = {BS}.show_expense(access_token=bill_splitting_token, expense_id=done['expense_id'])\n"
            "sharing = [s['email'] for s in like['shares']]\n"
            "print(done['date'], todo, sharing)\n"
        )
        .step(
            "for day, amount in todo:\n"
            f"    added = {BS}.add_expense(access_token=bill_splitting_token, group_id=group['group_id'], "
            f"description={description!r}, amount=amount, category={category!r}, date=day, "
            "split_with_emails=sharing)\n"
            f"    print({BS}.show_expense(access_token=bill_splitting_token, expense_id=added['expense_id']))\n"
        )
        .step(
            fetch_all("debts", f"{BS}.show_group_debts(access_token=bill_splitting_token, group_id=group['group_id']")
            + f"owing = [d for d in debts if d['creditor']['email'] == me['email'] and d['amount'] > {threshold}]\n"
            + "for d in owing:\n"
            + f"    {BS}.send_payment_reminder(access_token=bill_splitting_token, group_id=group['group_id'], "
            + f"email=d['debtor']['email'], message={message!r})\n"
        )
        .step(
            fetch_all("sent", f"{BS}.show_reminders(access_token=bill_splitting_token, box='sent'")
            + "print([r for r in sent if r['group_id'] == group['group_id']][: len(owing)])\n"
            + f"now = {BS}.show_group(access_token=bill_splitting_token, group_id=group['group_id'])\n"
            + "apis.supervisor.complete_task(answer=now['my_balance'])"
        )
        .steps()
    )
    return TaskSpec(
        g["owner_id"],
        f"I paid for '{description}' four times lately in my bill splitting group '{g['name']}': {listed}. I "
        "already added one of them (an expense of mine there with that description, amount and day): find it and "
        f"leave it as it is, and add the other three, each as a {category} expense on its day, split equally among "
        "the same people as the one already there. "
        f'Then send a payment reminder with the message "{message}" to every member who owes me more '
        f"than ${threshold:.0f} in that group once they are added, and tell me my balance in the group.",
        oracle,
        [
            *(
                expectation
                for day, amount in new
                for expectation in added_expense(
                    view, g["group_id"], g["owner_id"], description, amount, shares[day], category, date=day
                )
            ),
            *(reminder_sent(view, g["group_id"], g["owner_id"], p, owing[p], message) for p in reminded),
            Answer(
                after, f"the answer is my balance after them ({after:.2f})", traps={f"{before:g}": "that is before"}
            ),
        ],
    )


SHARES_SINCE = (WORLD_NOW.date() - timedelta(days=181)).isoformat()  # "since <day>": about six months back
EXACT_SPLIT_PAID_AT_LEAST = 14  # expenses I paid in bill_splitting_exact_split's group since SHARES_SINCE


@scenario("bill_splitting_exact_split", apps=("bill_splitting", "phone"), difficulty=2)
def exact_split(view: WorldView, rng: random.Random) -> TaskSpec:
    """An exact-share expense added, then each other member texted their share of it and the sum of their shares
    of everything I paid in the group since a day, this one included.
    Deep: who had a share in each earlier expense is only in show_expense (the list has my share alone), read per
    expense I paid (14+), and some left one of them out, so an equal split guessed from the list is wrong."""
    known = {
        (r["owner_id"], r["email"])
        for r in view.rows("SELECT owner_id, email FROM phone_contacts WHERE email IS NOT NULL")
    }
    emails = {r["id"]: r["email"] for r in view.rows("SELECT id, email FROM people")}

    def paid(g: dict[str, Any]) -> list[dict[str, Any]]:
        return view.rows(
            "SELECT id FROM bill_splitting_expenses WHERE group_id = ? AND paid_by = ? AND date >= ?",
            g["group_id"],
            g["owner_id"],
            SHARES_SINCE,
        )

    def in_contacts(g: dict[str, Any]) -> list[int]:
        return [p for p in members(view, g["group_id"]) if p != g["owner_id"] and (g["owner_id"], emails[p]) in known]

    def one_left_out(g: dict[str, Any]) -> bool:
        """Some expense I paid has exactly one of the two texted members in its shares: which one, only its
        detail says."""
        two = set(in_contacts(g)[:2])
        return any(len(two & set(sharers(view, e["id"]))) == 1 for e in paid(g))

    groups = [
        g
        for g in unique_groups(view, min_members=3)
        if len(in_contacts(g)) >= 2 and len(paid(g)) >= EXACT_SPLIT_PAID_AT_LEAST and one_left_out(g)
    ]
    g = pick(
        rng,
        groups,
        f"group of three with two members in my contacts where I paid {EXACT_SPLIT_PAID_AT_LEAST}+ expenses since "
        f"{SHARES_SINCE}, one of them leaving one member out",
        distinct=True,
    )
    others = in_contacts(g)[:2]
    parts = {p: float(rng.randint(5, 40)) for p in others}
    mine = float(rng.randint(5, 40))
    total = sum(parts.values()) + mine
    description, category = rng.choice([("Birthday dinner", "dining"), ("Cabin deposit", "travel"), ("Taxi", "travel")])
    names = [full_name(view, p) for p in others]
    earlier = {
        p: view.value(
            "SELECT COALESCE(SUM(s.amount), 0) FROM bill_splitting_expenses e JOIN bill_splitting_shares s "
            "ON s.expense_id = e.id WHERE e.group_id = ? AND e.paid_by = ? AND e.date >= ? AND s.person_id = ?",
            g["group_id"],
            g["owner_id"],
            SHARES_SINCE,
            p,
        )
        for p in others
    }
    since_sum = {p: round(earlier[p] + parts[p], 2) for p in others}

    def text(share: float, summed: float) -> str:
        return (
            f"Your share of {description} is ${share:.2f}. Your shares of what I paid in {g['name']} since "
            f"{SHARES_SINCE} come to ${summed:.2f}."
        )

    oracle = (
        Solution()
        .step(login("bill_splitting", "phone"))
        .step(
            FIND_GROUP.format(name=g["name"])
            + "emails = {m['name']: m['email'] for m in group['members']}\n"
            + (
                f"shares = {{emails[{names[0]!r}]: {parts[others[0]]}, emails[{names[1]!r}]: "
                f"{parts[others[1]]}, me['email']: {mine}}}\n"
            )
            + (
                f"added = {BS}.add_expense(access_token=bill_splitting_token, group_id=group['group_id'], "
                f"description={description!r}, amount={total}, category={category!r}, exact_shares=shares)\n"
            )
            + f"print({BS}.show_expense(access_token=bill_splitting_token, expense_id=added['expense_id']))\n"
        )
        .step(
            fetch_all(
                "mine",
                f"{BS}.show_expenses(access_token=bill_splitting_token, group_id=group['group_id'], "
                f"paid_by_email=me['email'], date_from={SHARES_SINCE!r}",
            )
            + "print(len(mine), 'expenses I paid, this one included')\n"
        )
        .step(
            "summed = {}\n"
            "for e in mine:\n"
            f"    full = {BS}.show_expense(access_token=bill_splitting_token, expense_id=e['expense_id'])\n"
            "    for s in full['shares']:\n"
            "        summed[s['email']] = round(summed.get(s['email'], 0) + s['amount'], 2)\n"
            "print(summed)\n"
        )
        .step(
            f"for name in {names!r}:\n"
            + fetch_all("found", "apis.phone.search_contacts(access_token=phone_token, query=name", "    ")
            + "    contact = next(c for c in found if c['email'] == emails[name])\n"
            + "    apis.phone.send_text_message(access_token=phone_token, phone_number=contact['phone_number'], "
            + f'message=f"Your share of {description} is ${{shares[emails[name]]:.2f}}. Your shares of what I '
            + f'paid in {g["name"]} since {SHARES_SINCE} come to ${{summed.get(emails[name], 0):.2f}}.")\n'
        )
        .step(DONE)
        .steps()
    )
    return TaskSpec(
        g["owner_id"],
        f"In my bill splitting group '{g['name']}', add a ${total:.2f} {category} expense '{description}' that I paid: "
        f"{names[0]}'s share is ${parts[others[0]]:.2f}, {names[1]}'s is ${parts[others[1]]:.2f} and mine is "
        f"${mine:.2f}. Nobody else has a share. Then text each of them (numbers in my phone contacts) 'Your share "
        f"of {description} is $<their share>. Your shares of what I paid in {g['name']} since {SHARES_SINCE} come "
        "to $<sum>.', where the sum adds up their shares of every expense I paid in that group on or after "
        f"{SHARES_SINCE}, this one included (amounts with two decimals and no thousands separator, like $1234.50).",
        oracle,
        [
            *added_expense(
                view,
                g["group_id"],
                g["owner_id"],
                description,
                total,
                {**parts, g["owner_id"]: mine},
                category,
                "exact",
            ),
            *(texted(view, g["owner_id"], p, text(parts[p], since_sum[p])) for p in others),
        ],
    )


@scenario("bill_splitting_total_i_owe", apps=("bill_splitting", "phone"), difficulty=2)
def total_i_owe(view: WorldView, rng: random.Random) -> TaskSpec:
    owed: dict[int, dict[int, float]] = {}
    in_group: dict[int, dict[int, float]] = {}  # debtor -> group -> what they owe others there
    for (group_id,) in [(r["id"],) for r in view.rows("SELECT id FROM bill_splitting_groups ORDER BY id")]:
        for (debtor, creditor), amount in pairwise(view, group_id).items():
            owed.setdefault(debtor, {})[creditor] = owed.get(debtor, {}).get(creditor, 0.0) + amount
            owed.setdefault(creditor, {})[debtor] = owed.get(creditor, {}).get(debtor, 0.0) - amount
            in_group.setdefault(debtor, {})[group_id] = in_group.get(debtor, {}).get(group_id, 0.0) + amount
    totals = {p: round(sum(a for a in per.values() if round(a, 2) > 0), 2) for p, per in owed.items()}
    nets = {p: round(sum(per.values()), 2) for p, per in owed.items()}

    def worst_group(person: int) -> str | None:
        """The name of the group where `person` owes others the most, if it is one clear group with its own name."""
        ranked = sorted(in_group.get(person, {}).items(), key=lambda x: -x[1])
        names = [
            r["name"]
            for r in view.rows(
                "SELECT g.name FROM bill_splitting_groups g JOIN bill_splitting_members m ON m.group_id = g.id "
                "WHERE m.person_id = ?",
                person,
            )
        ]
        if not ranked or (len(ranked) > 1 and round(ranked[0][1] - ranked[1][1], 2) <= 0):
            return None
        name = view.value("SELECT name FROM bill_splitting_groups WHERE id = ?", ranked[0][0])
        return name if names.count(name) == 1 else None

    owner = pick(
        rng,
        sorted(p for p, t in totals.items() if t > 0 and nets[p] != t and worst_group(p)),
        "person who owes and is owed",
    )
    worst = worst_group(owner)
    phones = {
        r["email"]: r["phone_number"]
        for r in view.rows("SELECT email, phone_number FROM phone_contacts WHERE owner_id = ?", owner)
    }
    texts = []  # the people I owe, not paid back since CUTOFF, in my contacts
    for creditor, amount in sorted(owed[owner].items()):
        person = view.person(creditor)
        paid_lately = view.value(
            "SELECT COUNT(*) FROM bill_splitting_settlements WHERE payer_id = ? AND receiver_id = ? "
            "AND created_at >= ?",
            owner,
            creditor,
            CUTOFF,
        )
        if round(amount, 2) > 0 and not paid_lately and person["email"] in phones:
            texts.append(texted(view, owner, creditor, NOT_FORGOTTEN.format(first=person["first_name"], amount=amount)))
    oracle = (
        Solution()
        .step(login("bill_splitting", "phone"))
        .step(
            fetch_all("balances", f"{BS}.show_balances_with_people(access_token=bill_splitting_token")
            + "total = round(-sum(b['balance'] for b in balances if b['balance'] < 0), 2)\n"
            + "print(total)\n"
        )
        .step(
            fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token")
            + "phones = {c['email']: c['phone_number'] for c in contacts if c['email']}\n"
            + "for b in balances:\n"
            + "    if b['balance'] < 0 and b['email'] in phones:\n"
            + f"        paid = {BS}.show_my_settlements(access_token=bill_splitting_token, direction='paid', "
            + f"other_email=b['email'], date_from={CUTOFF!r}, page_limit=1)\n"
            + "        if not paid:\n"
            + f"            text = {NOT_FORGOTTEN!r}.format(first=b['name'].split()[0], amount=-b['balance'])\n"
            + "            apis.phone.send_text_message(access_token=phone_token, phone_number=phones[b['email']], "
            + "message=text)\n"
        )
        .step(
            fetch_all("groups", f"{BS}.show_groups(access_token=bill_splitting_token, status='all'")
            + "owe_in = {}\n"
            + "for g in groups:\n"
            + fetch_all(
                "debts", f"{BS}.show_group_debts(access_token=bill_splitting_token, group_id=g['group_id']", "    "
            )
            + "    mine = sum(d['amount'] for d in debts if d['debtor']['email'] == me['email'])\n"
            + "    if mine > 0:\n"
            + "        owe_in[g['name']] = round(mine, 2)\n"
            + "print(owe_in)\n"
        )
        .step("apis.supervisor.complete_task(answer=[total, max(owe_in, key=owe_in.get)])\n")
        .steps()
    )
    return TaskSpec(
        owner,
        "On the bill splitting app, how much do I owe other people in total, in dollars? Add up what I owe each person "
        "(after netting with that person across all my groups), ignoring people who owe me. Also tell me in which of "
        "my groups (archived ones too) I owe others the most, counting only what I owe there. Answer with the total "
        "and the group's name. And text each person I owe (net) whom I have not paid anything back on bill splitting "
        f"since {CUTOFF}, if they are in my phone contacts: '"
        + NOT_FORGOTTEN.format(first="<first name>", amount=0).replace("$0.00", "$<amount>")
        + "' (two decimals).",
        oracle,
        [
            *texts,
            Answer(
                [totals[owner], worst],
                f"the answer is the sum of what I owe ({totals[owner]:.2f}) and the group '{worst}'",
                traps={
                    normalize_answer([-nets[owner], worst]): "that total is my net balance, which subtracts what "
                    "others owe me"
                },
            ),
        ],
    )


RECATEGORIZE_AT_LEAST = 10  # expenses bill_splitting_recategorize changes: two calls each


@scenario("bill_splitting_recategorize", apps=("bill_splitting",), difficulty=2)
def recategorize(view: WorldView, rng: random.Random) -> TaskSpec:
    """A recurring expense moved to another category, with a comment on each. Deep: 10+ of them to change (two
    calls each), listed over 2+ pages of the group's expenses."""
    rows = view.rows(
        "SELECT group_id, description, category, COUNT(*) AS n FROM bill_splitting_expenses "
        "GROUP BY group_id, description HAVING n >= 4 ORDER BY group_id, description"
    )
    named = {(g["group_id"]): g for g in unique_groups(view)}

    def target(c: dict[str, Any]) -> str:
        return "general" if c["category"] != "general" else "groceries"

    def to_change(c: dict[str, Any]) -> int:
        return int(
            view.value(
                "SELECT COUNT(*) FROM bill_splitting_expenses WHERE group_id = ? AND description = ? AND category != ?",
                c["group_id"],
                c["description"],
                target(c),
            )
        )

    # filtered before the pick: a regular expense, 10+ to change, whichever row the shuffled order lands on
    usable = [r for r in rows if r["group_id"] in named and to_change(r) >= RECATEGORIZE_AT_LEAST]
    c = pick(rng, usable, f"expense repeated in a group, {RECATEGORIZE_AT_LEAST}+ to change", distinct=True)
    g = named[c["group_id"]]
    new = target(c)
    ids = [
        r["id"]
        for r in view.rows(
            "SELECT id FROM bill_splitting_expenses WHERE group_id = ? AND description = ? AND category != ?",
            c["group_id"],
            c["description"],
            new,
        )
    ]
    text = f"Moved to {new}."
    oracle = (
        Solution()
        .step(login("bill_splitting"))
        .step(
            FIND_GROUP.format(name=g["name"])
            + fetch_all(
                "expenses",
                f"{BS}.show_expenses(access_token=bill_splitting_token, group_id=group['group_id'], "
                f"query={c['description']!r}",
            )
            + f"todo = [e for e in expenses if e['description'] == {c['description']!r} and e['category'] != {new!r}]\n"
            + "print(len(expenses), len(todo))\n"
        )
        .step(
            "for e in todo:\n"
            f"    {BS}.update_expense(access_token=bill_splitting_token, expense_id=e['expense_id'], "
            f"category={new!r})\n"
            f"    {BS}.add_comment(access_token=bill_splitting_token, expense_id=e['expense_id'], text={text!r})\n"
        )
        .step(
            fetch_all(
                "now",
                f"{BS}.show_expenses(access_token=bill_splitting_token, group_id=group['group_id'], category={new!r}",
            )
            + f"print([e['expense_id'] for e in now if e['description'] == {c['description']!r}])\n"
            + "apis.supervisor.complete_task(answer=len(todo))\n"
        )
        .steps()
    )
    return TaskSpec(
        g["owner_id"],
        f"In my bill splitting group '{g['name']}', set the category of every expense named exactly "
        f"'{c['description']}' to '{new}', and comment '{text}' on each one you change (leave the ones already in "
        f"'{new}' alone). Leave other groups alone. How many expenses did you change?",
        oracle,
        [
            *(Updated("bill_splitting_expenses", i, {"category": new}, f"expense {i} is in '{new}'") for i in ids),
            *(
                Inserted(
                    "bill_splitting_comments",
                    {"expense_id": i, "author_id": g["owner_id"], "text": text},
                    f"expense {i} has my comment '{text}'",
                    what="comments",
                )
                for i in ids
            ),
            Answer(len(ids), f"the answer is the number of expenses changed ({len(ids)})"),
        ],
    )


@scenario("bill_splitting_largest_expense", apps=("bill_splitting",), difficulty=1)
def largest_expense(view: WorldView, rng: random.Random) -> TaskSpec:
    candidates = []
    for g in unique_groups(view):
        everyone = set(members(view, g["group_id"]))
        expenses = view.rows(
            "SELECT id, description, amount FROM bill_splitting_expenses WHERE group_id = ? ORDER BY amount DESC",
            g["group_id"],
        )
        if not 20 <= len(expenses) <= 40:
            continue
        full = [e for e in expenses if set(sharers(view, e["id"])) == everyone]
        if len(full) >= 2 and full[0]["amount"] > full[1]["amount"]:
            candidates.append((g, full[0], expenses[0]))
    g, top, overall = pick(rng, candidates, "group with a single largest expense shared by everyone", distinct=True)
    oracle = (
        Solution()
        .step(login("bill_splitting"))
        .step(
            FIND_GROUP.format(name=g["name"])
            + fetch_all("expenses", f"{BS}.show_expenses(access_token=bill_splitting_token, group_id=group['group_id']")
            + "everyone = {m['email'] for m in group['members']}\n"
        )
        .step(
            "shared = []\n"
            "for e in expenses:\n"
            f"    detail = {BS}.show_expense(access_token=bill_splitting_token, expense_id=e['expense_id'])\n"
            "    if {s['email'] for s in detail['shares']} == everyone:\n"
            "        shared.append(detail)\n"
            "top = max(shared, key=lambda e: e['amount'])\n"
            "print(len(expenses), len(shared), top)\n"
        )
        .step(
            f"{BS}.add_comment(access_token=bill_splitting_token, expense_id=top['expense_id'], text={BIGGEST!r})\n"
            f"print({BS}.show_comments(access_token=bill_splitting_token, expense_id=top['expense_id'], "
            "page_limit=20)[-1])\n"
        )
        .step("apis.supervisor.complete_task(answer=top['description'])\n")
        .steps()
    )
    traps = (
        {normalize_answer(overall["description"]): "not everyone shared that one"}
        if overall["description"] != top["description"]
        else {}
    )
    return TaskSpec(
        g["owner_id"],
        f"What is the description of the largest expense (by amount) in my bill splitting group '{g['name']}' that "
        f"was split among all of the group's members? Also comment '{BIGGEST}' on it.",
        oracle,
        [
            Answer(top["description"], f"the answer is '{top['description']}' (${top['amount']:.2f})", traps=traps),
            Inserted(
                "bill_splitting_comments",
                {"expense_id": top["id"], "author_id": g["owner_id"], "text": BIGGEST},
                f"the comment is on '{top['description']}' (expense {top['id']}, ${top['amount']:.2f})",
                what="comments",
            ),
        ],
    )


COMMENTED_AT_LEAST = 3  # groups whose latest recent expense bill_splitting_comment_latest comments on


@scenario("bill_splitting_comment_latest", apps=("bill_splitting",), difficulty=1)
def comment_latest(view: WorldView, rng: random.Random) -> TaskSpec:
    """A comment on each group's latest recent expense that someone else paid. Deep: one look per group (archived
    too), and 3+ of those latest expenses are others' to comment on, told apart from the ones I paid."""
    since = RECENT
    latest_of: dict[int, list[dict[str, Any]]] = {}  # member -> the latest expense since `since` of each group
    for r in view.rows(
        "SELECT m.person_id, g.id AS group_id, g.name FROM bill_splitting_members m "
        "JOIN bill_splitting_groups g ON g.id = m.group_id ORDER BY g.id"
    ):
        latest = view.rows(
            "SELECT id, description, paid_by FROM bill_splitting_expenses WHERE group_id = ? AND date >= ? "
            "ORDER BY date DESC, id DESC LIMIT 1",
            r["group_id"],
            since,
        )
        if latest:
            latest_of.setdefault(r["person_id"], []).append(latest[0])
    owners = sorted(
        p
        for p, found in latest_of.items()
        if sum(e["paid_by"] != p for e in found) >= COMMENTED_AT_LEAST and any(e["paid_by"] == p for e in found)
    )
    owner = pick(
        rng, owners, f"person with {COMMENTED_AT_LEAST}+ recent expenses paid by others and some by them", distinct=True
    )
    commented = [e for e in latest_of[owner] if e["paid_by"] != owner]
    text = rng.choice(["Paid, thanks!", "Can you upload the receipt?", "Great evening, thank you."])
    oracle = (
        Solution()
        .step(login("bill_splitting"))
        .step(fetch_all("groups", f"{BS}.show_groups(access_token=bill_splitting_token, status='all'"))
        .step(
            "latest = []\n"
            "for g in groups:\n"
            f"    found = {BS}.show_expenses(access_token=bill_splitting_token, group_id=g['group_id'], "
            f"date_from={since!r}, page_limit=1)\n"
            "    if found:\n"
            "        latest.append(found[0])\n"
            "print([(e['description'], e['paid_by']['name']) for e in latest])\n"
        )
        .step(
            "others = [e for e in latest if e['paid_by']['email'] != me['email']]\n"
            "for e in others:\n"
            f"    {BS}.add_comment(access_token=bill_splitting_token, expense_id=e['expense_id'], text={text!r})\n"
            f"    print({BS}.show_comments(access_token=bill_splitting_token, expense_id=e['expense_id'], "
            "page_limit=20)[-1])\n"
        )
        .step("apis.supervisor.complete_task(answer=[e['paid_by']['name'] for e in others])")
        .steps()
    )
    return TaskSpec(
        owner,
        f"In each of my bill splitting groups (archived ones too) that has an expense dated {since} or later, look "
        f"at its most recent expense: if someone else paid it, comment '{text}' on it; if I paid it, leave it. Tell "
        "me who paid the expenses you commented on (their full names, one per expense).",
        oracle,
        [
            Answer(
                [full_name(view, e["paid_by"]) for e in commented],
                f"the answer names the payers of the {len(commented)} expenses commented on",
            ),
            *(
                Inserted(
                    "bill_splitting_comments",
                    {"expense_id": e["id"], "author_id": owner, "text": text},
                    f"the comment is on '{e['description']}' (expense {e['id']})",
                    what="comments",
                )
                for e in commented
            ),
        ],
    )


LEFT_GROUPS = "/documents/left_groups"


@scenario("bill_splitting_leave_settled_groups", apps=("bill_splitting", "file_system"), difficulty=2)
def leave_settled_groups(view: WorldView, rng: random.Random) -> TaskSpec:
    rows = view.rows("SELECT id, group_id, person_id FROM bill_splitting_members ORDER BY id")
    idle: dict[int, list[int]] = {}  # settled and nothing added since the cutoff: to leave
    chase: dict[int, list[int]] = {}  # owed money and nothing added since: remind the debtors
    kept: dict[int, int] = {}  # in use since the cutoff, or I owe money there
    for r in rows:
        recent = view.value(
            "SELECT COUNT(*) FROM bill_splitting_expenses WHERE group_id = ? AND date >= ?", r["group_id"], CUTOFF
        )
        balance = group_balance(view.conn, r["group_id"], r["person_id"])
        if balance == 0 and not recent:
            idle.setdefault(r["person_id"], []).append(r["id"])
        elif balance > 0 and not recent:
            chase.setdefault(r["person_id"], []).append(r["group_id"])
        else:
            kept[r["person_id"]] = kept.get(r["person_id"], 0) + 1
    names = {r["id"]: r["name"] for r in view.rows("SELECT id, name FROM bill_splitting_groups")}
    membership = {r["id"]: r["group_id"] for r in rows}

    def distinct_exports(person: int) -> bool:
        files = [export_name(names[membership[m]]) for m in idle[person]]
        return len(set(files)) == len(files)

    owners = sorted(p for p in idle if kept.get(p) and chase.get(p) and distinct_exports(p))
    owner = pick(rng, owners, "person with idle groups", distinct=True)
    reminders = [
        (group_id, debtor, amount)
        for group_id in chase.get(owner, [])
        for (debtor, creditor), amount in sorted(pairwise(view, group_id).items())
        if creditor == owner
    ]
    oracle = (
        Solution()
        .step(login("bill_splitting", "file_system"))
        .step(
            fetch_all("groups", f"{BS}.show_groups(access_token=bill_splitting_token, status='all'")
            + "print(len(groups), [(g['name'], g['my_balance']) for g in groups])\n"
        )
        .step(
            "idle = []\n"
            "for g in groups:\n"
            "    if g['my_balance'] >= 0:\n"
            f"        recent = {BS}.show_expenses(access_token=bill_splitting_token, group_id=g['group_id'], "
            f"date_from={CUTOFF!r}, page_limit=1)\n"
            "        if not recent:\n"
            "            idle.append(g)\n"
            "print([(g['name'], g['my_balance']) for g in idle])\n"
        )
        .step(
            "left = 0\n"
            "for g in idle:\n"
            "    if g['my_balance'] == 0:\n"
            + save_export_code("g", LEFT_GROUPS, "        ")
            + f"        {BS}.remove_group_member(access_token=bill_splitting_token, group_id=g['group_id'], "
            "email=me['email'])\n"
            "        left += 1\n"
            "    else:\n"
            + fetch_all(
                "debts", f"{BS}.show_group_debts(access_token=bill_splitting_token, group_id=g['group_id']", "        "
            )
            + "        for d in debts:\n"
            + "            if d['creditor']['email'] == me['email']:\n"
            + f"                {BS}.send_payment_reminder(access_token=bill_splitting_token, "
            + f"group_id=g['group_id'], email=d['debtor']['email'], message={REMINDER!r})\n"
        )
        .step(
            fetch_all("now", f"{BS}.show_groups(access_token=bill_splitting_token, status='all'")
            + "print(len(groups) - len(now), left)\n"
            + fetch_all(
                "saved", f"apis.file_system.show_directory(access_token=file_system_token, path={LEFT_GROUPS!r}"
            )
            + "print([f['name'] for f in saved])\n"
            + "apis.supervisor.complete_task(answer=left)\n"
        )
        .steps()
    )
    everywhere = len({r["group_id"] for r in rows if r["person_id"] == owner})
    settled = sum(group_balance(view.conn, r["group_id"], owner) == 0 for r in rows if r["person_id"] == owner)
    traps = {str(everywhere): "that counts every group I was in"}
    if settled != len(idle[owner]):
        traps[str(settled)] = "that counts settled groups with expenses added recently too"
    return TaskSpec(
        owner,
        f"Clean up my bill splitting groups (archived ones too) that have no expense dated on or after {CUTOFF}: "
        "leave those where my balance is exactly zero, after saving each one's expense export from the app as a file "
        f"in {LEFT_GROUPS} under the file name the export gives; and in those where people still owe me, send each "
        "member who "
        f'owes me a payment reminder with the message "{REMINDER}" (stay in them). Leave every other group as it '
        "is. How many groups did I leave?",
        oracle,
        [
            Answer(len(idle[owner]), f"the answer is the number of groups left ({len(idle[owner])})", traps=traps),
            Deleted(
                "bill_splitting_members",
                frozenset(idle[owner]),
                f"I left the {len(idle[owner])} settled groups unused since {CUTOFF}",
                what="memberships",
            ),
            *(reminder_sent(view, group_id, owner, debtor, amount, REMINDER) for group_id, debtor, amount in reminders),
            *(saved_export(view, owner, membership[m], names[membership[m]], LEFT_GROUPS) for m in idle[owner]),
            *directory_expectation(view, owner, LEFT_GROUPS),
        ],
    )


FRIENDS_GROUP_AT_LEAST = 10  # friends in bill_splitting_group_from_contacts' phone contacts: each looked up, texted
FRIENDS_GROUP = "Friends night out"
JOINED = f"I made a bill splitting group '{FRIENDS_GROUP}' for us, you're in it."
FIRST_PAYMENT = JOINED + " When you pay for something, add it there and we split it."


def co_members(view: WorldView, person: int) -> set[int]:
    """Everyone sharing one of `person`'s bill splitting groups (archived ones too) with them."""
    return {
        r["person_id"]
        for r in view.rows(
            "SELECT DISTINCT b.person_id FROM bill_splitting_members a JOIN bill_splitting_members b "
            "ON b.group_id = a.group_id WHERE a.person_id = ? AND b.person_id != a.person_id",
            person,
        )
    }


def paid_in_my_groups(view: WorldView, person: int) -> set[int]:
    """Everyone who paid for an expense in one of `person`'s bill splitting groups (archived ones too)."""
    return {
        r["paid_by"]
        for r in view.rows(
            "SELECT DISTINCT e.paid_by FROM bill_splitting_expenses e JOIN bill_splitting_members m "
            "ON m.group_id = e.group_id WHERE m.person_id = ?",
            person,
        )
    }


@scenario("bill_splitting_group_from_contacts", apps=("bill_splitting", "phone"), difficulty=2)
def group_from_contacts(view: WorldView, rng: random.Random) -> TaskSpec:
    """A group of all my phone friends, each texted by whether they ever paid for an expense in my groups. Deep:
    10+ friends (their contacts span pages at the default size), each texted one of two ways, and whether a friend
    paid for something is only in my groups' expenses, filtered by payer (one look per friend; the expenses of all
    my groups run to hundreds)."""
    friends_of: dict[int, list[int]] = {}
    for r in view.rows(
        "SELECT c.owner_id, p.id FROM phone_contacts c JOIN people p ON p.email = c.email "
        "WHERE c.relationship = 'friend' ORDER BY c.owner_id, p.id"
    ):
        friends_of.setdefault(r["owner_id"], []).append(r["id"])
    taken = {
        r["person_id"]
        for r in view.rows(
            "SELECT m.person_id FROM bill_splitting_members m JOIN bill_splitting_groups g ON g.id = m.group_id "
            "WHERE g.name = ?",
            FRIENDS_GROUP,
        )
    }

    def usable(owner: int, at_least: int, silent: bool) -> bool:
        """Enough friends, some who paid for something in my groups and some who never did (both texts), no group
        of the name; with `silent`, one who never paid shares a group with me (membership cannot stand in for
        paying)."""
        friends = set(friends_of[owner])
        paid = friends & paid_in_my_groups(view, owner)
        never = friends - paid
        return (
            len(friends) >= at_least
            and bool(paid)
            and bool(never)
            and owner not in taken
            and (not silent or bool(never & co_members(view, owner)))
        )

    (at_least, _), owners = as_deep_as_found(
        ((FRIENDS_GROUP_AT_LEAST, True), (FRIENDS_GROUP_AT_LEAST, False), (6, False), (2, False)),
        lambda s: [o for o in sorted(friends_of) if usable(o, *s)],
    )
    owner = pick(rng, owners, f"{at_least}+ friend contacts, some who paid in my groups", distinct=True)
    people = friends_of[owner]
    payers = paid_in_my_groups(view, owner)
    group = {
        "name": FRIENDS_GROUP,
        "created_by": owner,
        "group_type": "other",
        "description": "",
        "simplify_debts": 0,
    }
    oracle = (
        Solution()
        .step(login("phone", "bill_splitting"))
        .step(
            fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token, relationship='friend'")
            + "print([(c['first_name'], c['email'], c['phone_number']) for c in contacts])\n"
        )
        .step(
            "paid = {}\n"
            "for c in contacts:\n"
            f"    paid[c['email']] = bool({BS}.show_expenses(access_token=bill_splitting_token, "
            "paid_by_email=c['email'], page_limit=1))\n"
            "print(paid)\n"
        )
        .step(
            f"made = {BS}.create_group(access_token=bill_splitting_token, name={FRIENDS_GROUP!r}, "
            "member_emails=[c['email'] for c in contacts])\n"
            f"group = {BS}.show_group(access_token=bill_splitting_token, group_id=made['group_id'])\n"
            "print(group['members'])\n"
        )
        .step(
            "for c in contacts:\n"
            f"    text = {JOINED!r} if paid[c['email']] else {FIRST_PAYMENT!r}\n"
            "    apis.phone.send_text_message(access_token=phone_token, phone_number=c['phone_number'], "
            "message=text)\n"
        )
        .step(DONE)
        .steps()
    )
    return TaskSpec(
        owner,
        f"Create a bill splitting group named '{FRIENDS_GROUP}' with me and every friend in my phone contacts, then "
        "text each of them once: a friend who has paid for at least one expense in any of my other bill splitting "
        f'groups (archived ones too, whenever it was) gets "{JOINED}"; a friend who never paid for one there gets '
        f'"{FIRST_PAYMENT}"',
        oracle,
        [
            Inserted(
                "bill_splitting_groups",
                group,
                f"a group '{FRIENDS_GROUP}' exists (no description asked)",
                what="groups",
            ),
            Inserted(
                "bill_splitting_members",
                {
                    "group_id": NewRow("bill_splitting_groups", group),
                    "person_id": OneOf([owner, *people]),
                    "is_archived": 0,
                },
                f"its members are me and my {len(people)} friends",
                count=len(people) + 1,
                what="members",
            ),
            *(texted(view, owner, p, JOINED if p in payers else FIRST_PAYMENT) for p in people),
        ],
    )


@scenario("bill_splitting_settle_with_payments", apps=("bill_splitting", "payments"), difficulty=3)
def settle_with_payments(view: WorldView, rng: random.Random) -> TaskSpec:
    """One person, every group (household_settle_all_debts: every creditor of the household groups;
    money_settle_group_debts: every creditor of one group)."""
    funded = {r["person_id"]: r["balance"] for r in view.rows("SELECT person_id, balance FROM payments_balances")}
    blocked = {
        frozenset((r["owner_id"], r["blocked_id"]))
        for r in view.rows("SELECT owner_id, blocked_id FROM payments_blocks")
    }
    named = {(g["owner_id"], g["group_id"]): g for g in unique_groups(view)}
    owed: dict[tuple[int, int], list[tuple[dict[str, Any], float]]] = {}
    for (o, group_id), g in sorted(named.items()):
        for (d, c), a in pairwise(view, group_id).items():
            if d == o:
                owed.setdefault((d, c), []).append((g, a))
    memberships = {
        r["person_id"]: r["n"]
        for r in view.rows("SELECT person_id, COUNT(*) AS n FROM bill_splitting_members GROUP BY person_id")
    }
    named_count: dict[int, int] = {}
    for o, _ in named:
        named_count[o] = named_count.get(o, 0) + 1
    debts = [
        (d, c)
        for (d, c), found in sorted(owed.items())
        if len(found) >= 2
        and sum(a for _, a in found) < funded.get(d, 0)
        and frozenset((d, c)) not in blocked
        and named_count.get(d) == memberships[d]
    ]
    debtor, creditor = pick(rng, debts, "person I owe in two groups", distinct=True)
    name = full_name(view, creditor)
    expectations: list[Expectation] = []
    for g, amount in owed[(debtor, creditor)]:
        expectations += paid_and_settled(view, g["group_id"], debtor, creditor, amount, g["name"])
    total = round(sum(a for _, a in owed[(debtor, creditor)]), 2)
    oracle = (
        Solution()
        .step(login("bill_splitting", "payments"))
        .step(fetch_all("groups", f"{BS}.show_groups(access_token=bill_splitting_token, status='all'"))
        .step(
            "owed = []\n"
            "for g in groups:\n"
            + fetch_all(
                "debts", f"{BS}.show_group_debts(access_token=bill_splitting_token, group_id=g['group_id']", "    "
            )
            + "    owed += [(g, d) for d in debts if d['debtor']['email'] == me['email'] "
            + f"and d['creditor']['name'] == {name!r}]\n"
            + "print([(g['name'], d['amount']) for g, d in owed])\n"
        )
        .step(
            "for g, d in owed:\n"
            "    apis.payments.send_money(access_token=payments_token, receiver_email=d['creditor']['email'], "
            "amount=d['amount'], note=g['name'], private=True)\n"
            f"    {BS}.settle_up(access_token=bill_splitting_token, group_id=g['group_id'], "
            "email=d['creditor']['email'], amount=d['amount'], method='payments app', note=g['name'])\n"
        )
        .step(
            fetch_all(
                "settled",
                f"{BS}.show_my_settlements(access_token=bill_splitting_token, direction='paid', "
                "other_email=owed[0][1]['creditor']['email']",
            )
            + "print(settled[: len(owed)])\n"
            + "apis.supervisor.complete_task(answer=round(sum(d['amount'] for _, d in owed), 2))\n"
        )
        .steps()
    )
    return TaskSpec(
        debtor,
        f"Pay {name} back everything I owe them on bill splitting, group by group (archived groups too): for each "
        "group where I owe them, send them what I owe there privately on the payments app with the group's name as "
        "the note, then record that settlement in the group as paid by payments app, with the same note. Tell me how "
        "much I sent them in all.",
        oracle,
        [
            *expectations,
            *balance_changes(view, {debtor: -total, creditor: total}),
            Answer(total, f"the answer is the sum of the payments (${total:.2f})"),
        ],
    )


TOP_DEBTOR_GROUPS_AT_LEAST = 3  # groups of bill_splitting_remind_top_debtor's owner where one owes them over $20


@scenario("bill_splitting_remind_top_debtor", apps=("bill_splitting", "email"), difficulty=3)
def remind_top_debtor(view: WorldView, rng: random.Random) -> TaskSpec:
    """An email to the top debtor of each group where someone owes me over $20, listing their shares of what I
    paid there lately. Deep: every group's debts are read (archived too), and in each of 3+ such groups every
    expense I paid since CUTOFF needs its show_expense to find the debtor's share."""
    threshold = 20.0
    plans: dict[int, list[tuple[dict[str, Any], int, float]]] = {}
    unclear: set[int] = set()  # owners with a tie for the top debtor of some group: the task would be ambiguous
    for g in unique_groups(view):
        mine = sorted(
            ((a, d) for (d, c), a in pairwise(view, g["group_id"]).items() if c == g["owner_id"]), reverse=True
        )
        if mine and mine[0][0] > threshold:
            if len(mine) > 1 and mine[0][0] == mine[1][0]:
                unclear.add(g["owner_id"])
            plans.setdefault(g["owner_id"], []).append((g, mine[0][1], mine[0][0]))
    named: dict[int, int] = {}
    for g in unique_groups(view, min_members=1):
        named[g["owner_id"]] = named.get(g["owner_id"], 0) + 1
    memberships = {
        r["person_id"]: r["n"]
        for r in view.rows("SELECT person_id, COUNT(*) AS n FROM bill_splitting_members GROUP BY person_id")
    }
    owners = sorted(
        p
        for p, found in plans.items()
        if len(found) >= TOP_DEBTOR_GROUPS_AT_LEAST and p not in unclear and named.get(p) == memberships[p]
    )
    owner = pick(rng, owners, f"person owed more than $20 in {TOP_DEBTOR_GROUPS_AT_LEAST}+ groups", distinct=True)
    oracle = (
        Solution()
        .step(login("bill_splitting", "email"))
        .step(fetch_all("groups", f"{BS}.show_groups(access_token=bill_splitting_token, status='all'"))
        .step(
            "tops = []\n"
            "for g in groups:\n"
            + fetch_all(
                "debts", f"{BS}.show_group_debts(access_token=bill_splitting_token, group_id=g['group_id']", "    "
            )
            + "    owed = [d for d in debts if d['creditor']['email'] == me['email']]\n"
            + f"    if owed and max(d['amount'] for d in owed) > {threshold}:\n"
            + "        tops.append((g, max(owed, key=lambda d: d['amount'])))\n"
            + "print([(g['name'], d['debtor']['name'], d['amount']) for g, d in tops])\n"
        )
        .step(
            "details = {}\n"
            "for g, d in tops:\n"
            + fetch_all(
                "paid",
                f"{BS}.show_expenses(access_token=bill_splitting_token, group_id=g['group_id'], "
                f"paid_by_email=me['email'], date_from={CUTOFF!r}",
                "    ",
            )
            + "    lines = []\n"
            + "    for e in paid:\n"
            + f"        shares = {BS}.show_expense(access_token=bill_splitting_token, expense_id=e['expense_id'])"
            + "['shares']\n"
            + "        theirs = sum(s['amount'] for s in shares if s['email'] == d['debtor']['email'])\n"
            + "        if theirs > 0:\n"
            + "            lines.append(f\"{e['date']} {e['description']}: ${theirs:.2f}\")\n"
            + "    details[g['group_id']] = lines\n"
            + "print(details)\n"
        )
        .step(
            "for g, d in tops:\n"
            "    intro = f\"Hi! You still owe me ${d['amount']:.2f} in our group {g['name']}. Thanks!\"\n"
            "    apis.email.send_email(access_token=email_token, recipients=[d['debtor']['email']], "
            "subject=f\"Reminder: {g['name']}\", body='\\n'.join([intro, *details[g['group_id']]]))\n"
            "print(apis.email.search_emails(access_token=email_token, sender_email=me['email'], query='Reminder', "
            "page_limit=20))\n"
        )
        .step(DONE)
        .steps()
    )
    return TaskSpec(
        owner,
        "In each of my bill splitting groups (archived ones too) where someone owes me more than "
        f"${threshold:.0f}, find the member who owes me the most and email them a reminder with the subject "
        "'Reminder: <group name>' whose first line states the amount they owe me there (like $12.34), followed by one "
        f"line per expense I paid in that group on or after {CUTOFF} that they have a share in, as 'YYYY-MM-DD "
        "<description>: $<their share>'. Nobody else gets one.",
        oracle,
        [
            expectation
            for g, debtor, amount in plans[owner]
            for expectation in sent_email(
                view,
                owner,
                [debtor],
                ReminderBody(f"${amount:.2f}", shares_of_mine(view, g["group_id"], owner, debtor, CUTOFF)),
                f"{full_name(view, debtor)} is reminded of ${amount:.2f} in '{g['name']}'",
                subject=f"Reminder: {g['name']}",
            )
        ],
    )


class ReminderBody(Matcher):
    """A reminder's text: a first line stating `amount`, then exactly the expense `lines` (any order, case and
    spacing aside)."""

    def __init__(self, amount: str, lines: list[str]):
        self.amount = amount
        self.lines = sorted(" ".join(x.lower().split()) for x in lines)

    def __call__(self, value: Any, outcome: Outcome) -> bool:
        if not isinstance(value, str):
            return False
        lines = [" ".join(x.lower().split()) for x in value.splitlines() if x.strip()]
        return bool(lines) and self.amount in lines[0] and sorted(lines[1:]) == self.lines

    def __repr__(self) -> str:
        return f"a first line with {self.amount!r}, then the lines {self.lines}"


def shares_of_mine(view: WorldView, group_id: int, me: int, person: int, since: str) -> list[str]:
    """'YYYY-MM-DD <description>: $<share>' for each expense `me` paid in a group since a day that `person` shares."""
    return [
        f"{r['date']} {r['description']}: ${r['amount']:.2f}"
        for r in view.rows(
            "SELECT e.date, e.description, s.amount FROM bill_splitting_expenses e JOIN bill_splitting_shares s "
            "ON s.expense_id = e.id WHERE e.group_id = ? AND e.paid_by = ? AND e.date >= ? AND s.person_id = ? "
            "AND s.amount > 0 ORDER BY e.date, e.id",
            group_id,
            me,
            since,
            person,
        )
    ]


def paid_and_settled(
    view: WorldView, group_id: int, payer: int, creditor: int, amount: float, note: str
) -> list[Expectation]:
    """A debt paid privately on payments with `note`, and its settlement recorded by 'payments app', same note."""
    who = full_name(view, creditor)
    return [
        Inserted(
            "payments_transactions",
            {"sender_id": payer, "receiver_id": creditor, "amount": amount, "note": note, "private": 1},
            f"${amount:.2f} is paid privately to {who} with the note '{note}'",
            what="payments",
        ),
        Inserted(
            "bill_splitting_settlements",
            {
                "group_id": group_id,
                "payer_id": payer,
                "receiver_id": creditor,
                "amount": amount,
                "method": "payments app",
                "note": note,
            },
            f"a ${amount:.2f} settlement to {who} is recorded (payments app, note '{note}')",
            what="settlements",
        ),
    ]
