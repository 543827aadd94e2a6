"""Household scenarios that write notes: who owes what in the house, what a trip cost, a house meeting's agenda."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta

from envs.toolworld.apps.bill_splitting import pair_debts
from envs.toolworld.evaluate import Answer, Expectation, HasLines, InBlocks, Inserted, NewRow
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, pick
from envs.toolworld.scenarios._rows import new_event, new_note
from envs.toolworld.scenarios.bill_splitting import FIND_GROUP, members
from envs.toolworld.scenarios.household_calendar import (
    SUM_SHARES,
    YEAR_START,
    expense_filter,
    invited_event,
    primary_calendar,
    shares_by_member,
    split_unevenly,
    trip_groups,
)
from envs.toolworld.scenarios.household_chores import active_groups, debts_of_groups, home_groups
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

NOW = WORLD_NOW.isoformat(timespec="seconds")

BALANCES = "apis.bill_splitting.show_group_balances(access_token=bill_splitting_token, group_id=group['group_id']"
EXPENSES = "apis.bill_splitting.show_expenses(access_token=bill_splitting_token, group_id=group['group_id']"
# How a member's balance reads in a note: oracle code (over `b`, a show_group_balances item) and the same in Python.
BALANCE_LINE = (
    "def line(b):\n"
    "    if b['balance'] < 0:\n"
    "        return f\"{b['name']}: owes ${-b['balance']:.2f}\"\n"
    "    if b['balance'] > 0:\n"
    "        return f\"{b['name']}: is owed ${b['balance']:.2f}\"\n"
    "    return f\"{b['name']}: settled\"\n"
)


def balances(view: WorldView, group_id: int) -> dict[int, float]:
    """Every member's balance in a group: positive when the group owes them."""
    out = dict.fromkeys(members(view, group_id), 0.0)
    for (debtor, creditor), amount in pair_debts(view.conn, group_id).items():
        out[debtor] -= amount
        out[creditor] += amount
    return {p: round(b, 2) + 0.0 for p, b in out.items()}


def balance_line(name: str, balance: float) -> str:
    if balance < 0:
        return f"{name}: owes ${-balance:.2f}"
    return f"{name}: is owed ${balance:.2f}" if balance > 0 else f"{name}: settled"


REMINDERS_AT_LEAST = 6  # debts owed me across household_balances_note's groups: one reminder each


@scenario("household_balances_note", apps=("bill_splitting", "notes"))
def balances_note(view: WorldView, rng: random.Random) -> TaskSpec:
    """One note of every member's balance in each of my 8-12 active groups, then a payment reminder to each person
    who owes me in each (6+ reminders): deep because balances and debts are per group (archived groups are a
    distractor, and a positive balance in a group does not say who owes me there)."""
    cases = []
    pairs = debts_of_groups(view)
    for person in sorted({r["person_id"] for r in view.rows("SELECT person_id FROM bill_splitting_members")}):
        groups = active_groups(view, person)
        owed = [(g, d, a) for g in groups for (d, c), a in pairs[g["group_id"]].items() if c == person]
        if (
            8 <= len(groups) <= 12
            and len({g["name"] for g in groups}) == len(groups)
            and len(owed) >= REMINDERS_AT_LEAST
        ):
            cases.append((person, groups, owed))
    owner, groups, owed = pick(
        rng, cases, f"person with 8-12 active groups of distinct names, owed by {REMINDERS_AT_LEAST}+", distinct=True
    )
    lines = [
        f"{g['name']} - {balance_line(full_name(view, p), b)}"
        for g in groups
        for p, b in balances(view, g["group_id"]).items()
    ]
    title = "Who owes what"
    message = f"See my note '{title}'"
    oracle = (
        Solution()
        .step(login("bill_splitting", "notes"))
        .step(
            fetch_all("groups", "apis.bill_splitting.show_groups(access_token=bill_splitting_token, status='active'")
            + "print([g['name'] for g in groups])\n"
        )
        .step(
            BALANCE_LINE + "lines = []\n"
            "for group in groups:\n"
            + fetch_all("balances", BALANCES, indent="    ")
            + "    lines += [group['name'] + ' - ' + line(b) for b in balances]\n"
            f"note = apis.notes.create_note(access_token=notes_token, title={title!r}, content='\\n'.join(lines))\n"
            "print(apis.notes.show_note(access_token=notes_token, note_id=note['note_id']))\n"
        )
        .step(
            "for group in groups:\n"
            + fetch_all(
                "debts",
                "apis.bill_splitting.show_group_debts(access_token=bill_splitting_token, group_id=group['group_id']",
                indent="    ",
            )
            + "    for d in debts:\n"
            "        if d['creditor']['email'] == me['email']:\n"
            "            apis.bill_splitting.send_payment_reminder(access_token=bill_splitting_token, "
            f"group_id=group['group_id'], email=d['debtor']['email'], message={message!r})\n"
        )
        .step("apis.supervisor.complete_task()")
        .steps()
    )
    return TaskSpec(
        owner,
        f"Make a plain note titled '{title}' covering every bill splitting group of mine that I have not archived: "
        "for each such group, one line per member (me included) giving their balance in that group, as "
        "'<group name> - <full name>: owes $12.30' when they owe, '<group name> - <full name>: is owed $12.30' when "
        "they are owed, '<group name> - <full name>: settled' at zero. Then, in each of those groups, send a payment "
        f"reminder with the message '{message}' to each member who owes me money there (after netting with me).",
        oracle,
        [
            Inserted(
                "notes_notes",
                new_note(owner, title, HasLines(lines)),
                f"a note '{title}' with exactly the {len(lines)} lines of my {len(groups)} active groups: {lines}",
                what="notes",
            ),
            *(
                Inserted(
                    "bill_splitting_reminders",
                    {
                        "group_id": g["group_id"],
                        "sender_id": owner,
                        "receiver_id": p,
                        "amount": a,
                        "message": message,
                        "is_read": 0,
                    },
                    f"{full_name(view, p)} is reminded in '{g['name']}' of the ${a:.2f} they owe me",
                    what="reminders",
                )
                for g, p, a in owed
            ),
        ],
    )


@scenario("household_trip_costs_note", apps=("bill_splitting", "notes"))
def trip_costs_note(view: WorldView, rng: random.Random) -> TaskSpec:
    """A trip's costs per category and, per member, what they paid against their share (the shares read per
    expense), shared for viewing with the other members; the answer is the total (my share is the trap)."""
    g = pick(
        rng,
        [
            g
            for g in trip_groups(view)
            if view.value("SELECT COUNT(*) FROM bill_splitting_expenses WHERE group_id = ?", g["group_id"]) >= 10
        ],
        "trip group with 10+ expenses",
        distinct=True,
    )
    owner = int(g["owner_id"])
    by_category: dict[str, float] = defaultdict(float)
    paid: dict[int, float] = defaultdict(float)
    for e in view.rows(
        "SELECT category, amount, paid_by FROM bill_splitting_expenses WHERE group_id = ?", g["group_id"]
    ):
        by_category[e["category"]] += e["amount"]
        paid[e["paid_by"]] += e["amount"]
    share: dict[int, float] = defaultdict(float)
    for s in view.rows(
        "SELECT s.person_id, s.amount FROM bill_splitting_shares s JOIN bill_splitting_expenses e ON "
        "e.id = s.expense_id WHERE e.group_id = ?",
        g["group_id"],
    ):
        share[s["person_id"]] += s["amount"]
    total = round(sum(by_category.values()), 2)
    people = members(view, g["group_id"])
    categories = [f"{c}: ${a:.2f}" for c, a in sorted(by_category.items())]
    payers = [f"{full_name(view, p)}: paid ${paid[p]:.2f}, share ${share[p]:.2f}" for p in people]
    lines = [*categories, f"Total: ${total:.2f}", *payers]
    title = f"Trip costs: {g['name']}"
    travel = view.rows("SELECT id FROM notes_notebooks WHERE owner_id = ? AND name = 'Travel'", owner)
    book = {"owner_id": owner, "name": "Travel", "description": ""}
    filed: list[Expectation] = (
        []
        if travel
        else [Inserted("notes_notebooks", book, "a notebook 'Travel' is created (I had none)", what="notebooks")]
    )
    oracle = (
        Solution()
        .step(login("bill_splitting", "notes"))
        .step(FIND_GROUP.format(name=g["name"]) + fetch_all("expenses", EXPENSES) + "print(len(expenses))\n")
        .step(
            "paid = {m['email']: 0.0 for m in group['members']}\n"
            "share = {m['email']: 0.0 for m in group['members']}\n"
            "for e in expenses:\n"
            "    paid[e['paid_by']['email']] += e['amount']\n"
            "    for s in apis.bill_splitting.show_expense(access_token=bill_splitting_token, "
            "expense_id=e['expense_id'])['shares']:\n"
            "        share[s['email']] += s['amount']\n"
            "print(paid, share)\n"
        )
        .step(
            "totals = {}\n"
            "for e in expenses:\n"
            "    totals[e['category']] = totals.get(e['category'], 0) + e['amount']\n"
            "total = round(sum(totals.values()), 2)\n"
            "lines = [f'{c}: ${a:.2f}' for c, a in sorted(totals.items())] + [f'Total: ${total:.2f}']\n"
            "lines += [f\"{m['name']}: paid ${paid[m['email']]:.2f}, share ${share[m['email']]:.2f}\" "
            "for m in group['members']]\n"
            + fetch_all("books", "apis.notes.show_notebooks(access_token=notes_token, query='Travel'")
            + "travel = next((b['notebook_id'] for b in books if b['name'] == 'Travel'), None)\n"
            "if travel is None:\n"
            "    travel = apis.notes.create_notebook(access_token=notes_token, name='Travel')['notebook_id']\n"
            f"note = apis.notes.create_note(access_token=notes_token, title={title!r}, content='\\n'.join(lines), "
            "notebook_id=travel)\n"
            "for m in group['members']:\n"
            "    if m['email'] != me['email']:\n"
            "        apis.notes.share_note(access_token=notes_token, note_id=note['note_id'], email=m['email'], "
            "permission='view')\n"
            "print(apis.notes.show_note(access_token=notes_token, note_id=note['note_id']))\n"
        )
        .step("apis.supervisor.complete_task(answer=total)")
        .steps()
    )
    note_row = {"owner_id": owner, "title": title}
    return TaskSpec(
        owner,
        f"Write down what our trip cost: a plain note titled '{title}' with one line per expense category of my "
        f"bill splitting group '{g['name']}', like 'dining: $123.40' (whole expenses, every category that has any), "
        "then a line 'Total: $<sum of all>', then one line per member of the group (me included) saying what they "
        "paid against their share of the expenses: '<full name>: paid $<amount>, share $<amount>'. Keep it in my "
        "notebook 'Travel' (not 'Travel 2024'; create 'Travel' if I have none). Share the note "
        "with the other members (view only) and tell me the total.",
        oracle,
        [
            *filed,
            Inserted(
                "notes_notes",
                new_note(
                    owner,
                    title,
                    InBlocks(categories, [f"Total: ${total:.2f}"], payers),
                    notebook_id=travel[0]["id"] if travel else NewRow("notes_notebooks", book),
                ),
                f"a note in my Travel notebook with the lines {lines}",
            ),
            *(
                Inserted(
                    "notes_shares",
                    {
                        "note_id": NewRow("notes_notes", note_row),
                        "person_id": p,
                        "permission": "view",
                        "shared_at": NOW,
                    },
                    f"the note is shared (view) with {full_name(view, p)}",
                    what=f"shares with {full_name(view, p)}",
                )
                for p in people
                if p != owner
            ),
            Answer(
                total, f"the answer is the trip's total (${total:.2f})", traps={f"{share[owner]:g}": "that is my share"}
            ),
        ],
    )


MEETING_EXPENSES_AT_LEAST = 20  # this year's expenses of household_house_meeting's group: one show_expense each


def expenses_since(view: WorldView, group_id: int, since: str) -> int:
    """How many expenses of a group are dated from `since` to today."""
    where, args = expense_filter(group_id, since, ())
    return int(view.value(f"SELECT COUNT(*) FROM bill_splitting_expenses e WHERE {where}", *args))


@scenario("household_house_meeting", apps=("bill_splitting", "calendar", "notes"))
def house_meeting(view: WorldView, rng: random.Random) -> TaskSpec:
    """A house meeting with an agenda of who owes and each member's share of this year's expenses: deep because some
    of those 20+ expenses (a busy home) were split among only some members, so each needs its show_expense."""
    g = pick(
        rng,
        [
            g
            for g in home_groups(view, 3)
            if split_unevenly(view, int(g["group_id"]), YEAR_START)
            and expenses_since(view, int(g["group_id"]), YEAR_START) >= MEETING_EXPENSES_AT_LEAST
        ],
        f"home group of three or more with {MEETING_EXPENSES_AT_LEAST}+ expenses this year, not all split among "
        "everyone",
        distinct=True,
    )
    owner, group_id = int(g["owner_id"]), int(g["group_id"])
    today = WORLD_NOW.date()
    sunday = today + timedelta(days=(6 - today.weekday()) % 7 or 7)
    hour = rng.choice([18, 19, 20])
    guests = [p for p in members(view, group_id) if p != owner]
    debtors = sorted(
        (full_name(view, p), -b) for p, b in balances(view, group_id).items() if b < 0
    )  # who owes the group, by name
    lines = [f"{name} owes ${amount:.2f}" for name, amount in debtors] or ["Nobody owes anything"]
    shares = shares_by_member(view, group_id, YEAR_START)
    lines += [
        f"{full_name(view, p)}'s share since {YEAR_START}: ${shares.get(p, 0.0):.2f}" for p in members(view, group_id)
    ]
    title = f"House meeting {sunday.isoformat()}"
    event = new_event(
        owner,
        primary_calendar(view, owner),
        "House meeting",
        f"{sunday.isoformat()}T{hour}:00:00",
        f"{sunday.isoformat()}T{hour + 1}:00:00",
        location="Home",
    )
    oracle = (
        Solution()
        .step(login("bill_splitting", "calendar", "notes"))
        .step(FIND_GROUP.format(name=g["name"]) + fetch_all("balances", BALANCES) + "print(balances)\n")
        .step(
            fetch_all("recent", EXPENSES + f", date_from={YEAR_START!r}, date_to={WORLD_NOW.date().isoformat()!r}")
            + SUM_SHARES.format(items="recent")
        )
        .step(
            "guests = [m['email'] for m in group['members'] if m['email'] != me['email']]\n"
            "apis.calendar.create_event(access_token=calendar_token, title='House meeting', "
            f"start='{sunday.isoformat()}T{hour}:00', end='{sunday.isoformat()}T{hour + 1}:00', location='Home', "
            "attendee_emails=guests)\n"
        )
        .step(
            "owing = sorted((b['name'], -b['balance']) for b in balances if b['balance'] < 0)\n"
            "lines = [f'{name} owes ${amount:.2f}' for name, amount in owing] or ['Nobody owes anything']\n"
            f'lines += [f"{{names[e]}}\'s share since {YEAR_START}: ${{totals[e]:.2f}}" for e in totals]\n'
            f"note = apis.notes.create_note(access_token=notes_token, title={title!r}, content='\\n'.join(lines))\n"
            "print(apis.notes.show_note(access_token=notes_token, note_id=note['note_id']))\n"
        )
        .step("apis.supervisor.complete_task()")
        .steps()
    )
    expectations: list[Expectation] = [
        *invited_event(event, guests, f"a 'House meeting' on {sunday} at {hour}:00 at Home"),
        Inserted("notes_notes", new_note(owner, title, HasLines(lines)), f"an agenda note with the lines {lines}"),
    ]
    return TaskSpec(
        owner,
        f"Call a house meeting: put 'House meeting' on my primary calendar on Sunday {sunday.isoformat()} from "
        f"{hour}:00 to {hour + 1}:00 at 'Home', inviting everyone else in my bill splitting group '{g['name']}'. "
        f"Then write the agenda as a plain note titled '{title}': one line '<full name> owes $12.30' for each "
        "member who owes money in that group (by their balance), or the single line 'Nobody owes anything'; then "
        f"one line '<full name>'s share since {YEAR_START}: $12.30' for every member (me included) giving their "
        f"share of the group's expenses dated from {YEAR_START} to today, by each expense's own split.",
        oracle,
        expectations,
    )
