"""bill_splitting's generated data: two years of households, trips, office lunches and couples sharing costs.

Each group's expenses are generated in date order with a running ledger in whole
cents, so the settlements recorded along the way (monthly for households, after
the trip for trips) pay back exactly what was owed then. Distractors: a rent that
went up after a year, trips with the same name a year apart ("Ski weekend" and
"Ski weekend 2025"), people with the same first name, archived old trips, old
reminders for amounts that changed since, and invitations in every state.

Density, as real users' data would be: a trip of 3-6 friends (was 3-5) books a
few costs before leaving and about two a day while away (breakfast, dinner,
tickets, fuel), so a weekend has ~8 expenses and a week-long trip ~20 (was 4-12
whatever the length); families, couples, flats and office teams pay several
subscriptions through the app (streaming, a phone plan, a cleaning service, the
gym), set up as recurring rules beside a flat's rent and internet (was at most
one such rule a group, in 30% of groups). Household size stays what the core
relations give (2-3 people, envs/toolworld/world/people.py).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from envs.toolworld.apps._bill_splitting_core import app, equal_shares
from envs.toolworld.apps._dates import add_months
from envs.toolworld.world.build import WorldBuilder

# (description, category, low, high, per month): a household's everyday costs
HOME_COSTS = (
    ("Groceries", "groceries", 25, 180, 1.5),
    ("Cleaning supplies", "general", 8, 40, 0.5),
    ("Pizza night", "dining", 25, 70, 0.7),
    ("Water bill", "utilities", 20, 60, 0.5),
)
FAMILY_COSTS = (
    ("Groceries", "groceries", 40, 220, 1.5),
    ("Dinner out", "dining", 45, 160, 0.8),
    ("Birthday gift", "general", 20, 120, 0.3),
    ("Pharmacy", "general", 10, 60, 0.5),
    ("Movie night", "entertainment", 20, 50, 0.4),
)
COUPLE_COSTS = (
    ("Dinner", "dining", 30, 140, 1.2),
    ("Concert tickets", "entertainment", 40, 220, 0.3),
    ("Movie tickets", "entertainment", 18, 40, 0.6),
    ("Taxi", "travel", 12, 60, 0.6),
    ("Brunch", "dining", 25, 70, 0.5),
)
TRIP_COSTS = (
    ("Hotel", "travel", 150, 900),
    ("Train tickets", "travel", 40, 300),
    ("Dinner", "dining", 40, 220),
    ("Museum tickets", "entertainment", 20, 90),
    ("Snacks", "groceries", 8, 40),
    ("Boat tour", "entertainment", 60, 240),
    ("Car rental", "travel", 90, 400),
    ("Gas", "travel", 30, 90),
    ("Breakfast", "dining", 20, 80),
    ("Lunch", "dining", 25, 110),
    ("Groceries", "groceries", 20, 120),
    ("Parking", "travel", 8, 45),
)
TRIPS = (
    "Lisbon trip",
    "Ski weekend",
    "Camping at the lake",
    "Road trip",
    "Beach house",
    "Festival weekend",
    "Hiking in the Alps",
    "City break",
)
# (description, category, cents, frequency, chance a group has it): subscriptions a group pays through the app
SUBSCRIPTIONS = {
    "home": (
        ("Streaming subscription", "entertainment", 1599, "monthly", 0.5),
        ("Cleaning service", "general", 9000, "monthly", 0.3),
        ("Music subscription", "entertainment", 1699, "monthly", 0.3),
    ),
    "family": (
        ("Streaming subscription", "entertainment", 1599, "monthly", 0.6),
        ("Phone plan", "utilities", 8500, "monthly", 0.5),
        ("Music family plan", "entertainment", 1699, "monthly", 0.4),
        ("Car insurance", "travel", 11200, "monthly", 0.3),
    ),
    "couple": (
        ("Gym membership", "general", 8900, "monthly", 0.4),
        ("Streaming subscription", "entertainment", 1299, "monthly", 0.4),
        ("Wine club", "dining", 4500, "monthly", 0.2),
    ),
    "work": (
        ("Coffee beans", "groceries", 2450, "weekly", 0.4),
        ("Water delivery", "groceries", 3200, "monthly", 0.3),
        ("Fruit basket", "groceries", 1800, "weekly", 0.2),
    ),
}
WORK_GROUPS = ("Office lunches", "Team coffee fund", "Desk snacks")
WORK_COSTS = (("Team lunch", "dining", 35, 140), ("Coffee beans", "groceries", 15, 45), ("Snacks", "groceries", 8, 35))
COMMENTS = (
    "Thanks!",
    "I'll pay you back on Friday.",
    "Was this with tip?",
    "Receipt is on the fridge.",
    "Can we split this differently next time?",
    "This includes the deposit.",
    "Paid with my card, sorry for the delay.",
    "Is this the right amount?",
)
INVITE_NOTES = ("Join us!", "Adding you for the shared costs.", "", "Come along on the trip!", "")
METHODS = ("cash", "payments app", "payments app", "bank transfer", "other")
REMINDER_NOTES = ("Hi! Could you settle up when you can?", "Friendly reminder :)", "", "Rent is due, thanks!")


@dataclass
class Plan:
    """One group to generate: who is in it, what kind, and the days its costs run over."""

    name: str
    kind: str  # home, family, trip, work, couple
    members: list[int]
    start: date
    end: date
    description: str
    expenses: list[dict[str, Any]] = field(default_factory=list)
    ledger: dict[tuple[int, int], int] = field(default_factory=dict)  # (debtor, creditor) -> cents, positive only


def plan_groups(w: WorldBuilder, rng: random.Random) -> list[Plan]:
    today = w.now.date()
    streets = dict(w.conn.execute("SELECT person_id, street_address FROM addresses WHERE name = 'Home' ORDER BY id"))
    by_id = {p.id: p for p in w.people}
    plans: list[Plan] = []
    seen: set[tuple[int, ...]] = set()
    for person in w.people:
        for kind in ("roommate", "family"):
            household = tuple(sorted({person.id, *w.related(person.id, (kind,))}))
            if len(household) >= 2 and household not in seen:
                seen.add(household)
                start = today - timedelta(days=rng.randint(600, 720))
                if kind == "roommate":
                    name = f"Flat on {streets[person.id].split(' ', 1)[1]}"
                    plans.append(Plan(name, "home", list(household), start, today, "Rent, bills and groceries."))
                else:
                    name = f"{person.last_name} family"
                    plans.append(Plan(name, "family", list(household), start, today, "Family costs."))
        friends = w.related(person.id, ("friend",))
        if len(friends) >= 2:
            bases = rng.sample(TRIPS, rng.randint(1, 2))
            for base in bases:
                crew = sorted({person.id, *rng.sample(friends, min(len(friends), rng.randint(2, 5)))})
                first = today - timedelta(days=rng.randint(5, 700))
                again = (today - first).days < 330 and rng.random() < 0.3  # the same trip a year before too
                for edition, begin in enumerate([first, first - timedelta(days=365)][: 1 + again]):
                    last = min(today, begin + timedelta(days=rng.randint(2, 8)))
                    name = f"{base} {begin.year}" if edition or rng.random() < 0.5 else base
                    plans.append(Plan(name, "trip", crew, begin - timedelta(days=14), last, f"{base}, {begin:%B %Y}."))
        if friends and rng.random() < 0.4:
            other = by_id[rng.choice(friends)]
            pair = sorted((person.id, other.id))
            name = f"{person.first_name} & {other.first_name}"
            plans.append(Plan(name, "couple", pair, today - timedelta(days=rng.randint(200, 700)), today, "Going out."))
        coworkers = w.related(person.id, ("coworker",))
        if len(coworkers) >= 2 and rng.random() < 0.35:
            team = sorted({person.id, *rng.sample(coworkers, min(len(coworkers), rng.randint(2, 4)))})
            start = today - timedelta(days=rng.randint(180, 500))
            plans.append(Plan(rng.choice(WORK_GROUPS), "work", team, start, today, "Shared office costs."))
    return plans


def _add(
    plan: Plan,
    rng: random.Random,
    description: str,
    category: str,
    cents: int,
    when: date,
    payer: int | None = None,
    recurring: int | None = None,
) -> None:
    """Add an expense shared equally (by everyone, or by the payer and one other) and book its debts."""
    payer = rng.choice(plan.members) if payer is None else payer
    sharers = plan.members if rng.random() < 0.8 else sorted({payer, *rng.sample(plan.members, 1)})
    shares = equal_shares(cents / 100, sharers)
    for person, share in shares.items():
        if person != payer:
            _owe(plan.ledger, person, payer, round(share * 100))
    plan.expenses.append(
        {
            "description": description,
            "category": category,
            "amount": cents / 100,
            "paid_by": payer,
            "date": when.isoformat(),
            "shares": shares,
            "recurring": recurring,
        }
    )


def _owe(ledger: dict[tuple[int, int], int], debtor: int, creditor: int, cents: int) -> None:
    """Add `cents` that `debtor` owes `creditor`, netting against the reverse debt."""
    back = ledger.pop((creditor, debtor), 0)
    net = ledger.pop((debtor, creditor), 0) + cents - back
    if net > 0:
        ledger[(debtor, creditor)] = net
    elif net < 0:
        ledger[(creditor, debtor)] = -net


def _cents(rng: random.Random, low: float, high: float) -> int:
    return round(rng.uniform(low, high) * 100)


def _months(start: date, end: date) -> list[tuple[date, date]]:
    """(first, last) day of every month from `start` to `end`, both clipped to the range."""
    out, month = [], start.replace(day=1)
    while month <= end:
        following = add_months(month, 1)
        out.append((max(month, start), min(following - timedelta(days=1), end)))
        month = following
    return out


def _day_in(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _settle_all(plan: Plan, rng: random.Random, when: date, share: float, settlements: list[dict[str, Any]]) -> None:
    for (debtor, creditor), cents in sorted(plan.ledger.items()):
        paid = cents if share >= 1 else round(cents * share)
        if paid <= 0:
            continue
        _owe(plan.ledger, creditor, debtor, paid)
        settlements.append(
            {
                "payer_id": debtor,
                "receiver_id": creditor,
                "amount": paid / 100,
                "created_at": f"{when.isoformat()}T{rng.randint(8, 22):02d}:{rng.randint(0, 59):02d}:00",
                "method": rng.choice(METHODS),
                "note": "" if rng.random() < 0.6 else f"{plan.name} {when:%B}",
            }
        )


def fill_costs(
    plan: Plan, rng: random.Random, today: date, recurring: dict[str, tuple[int, int]]
) -> list[dict[str, Any]]:
    """Generate the plan's expenses in date order and the settlements made along the way; returns the settlements.

    `recurring` maps a description to (recurring row index, payer) for the costs that come from a recurring rule."""
    settlements: list[dict[str, Any]] = []
    if plan.kind == "trip":
        away = (plan.end - plan.start).days - 13  # days of the trip itself (the plan opens two weeks before)
        for _ in range(rng.randint(2, 4) + round(away * rng.uniform(1.5, 2.5))):  # bookings, then ~2 a day
            description, category, low, high = rng.choice(TRIP_COSTS)
            when = plan.end - timedelta(days=rng.randint(0, max(0, (plan.end - plan.start).days - 10)))
            _add(plan, rng, description, category, _cents(rng, low, high), when)
        plan.expenses.sort(key=lambda e: e["date"])
        paid_back = plan.end + timedelta(days=rng.randint(3, 20))
        if paid_back < today:
            old = (today - plan.end).days > 60
            share = 1.0 if old and rng.random() < 0.6 else rng.choice((0.0, 0.5, 1.0)) if old else 0.5
            if share and rng.random() < (0.9 if old else 0.3):
                _settle_all(plan, rng, paid_back, share, settlements)
        return settlements
    rent = _cents(rng, 900, 2400)
    internet = rng.choice((4999, 5999, 6499))
    for index, (first, last) in enumerate(_months(plan.start, plan.end)):
        if plan.kind == "home":
            raised = index >= 12  # the rent went up after the first year
            for description, cents in (("Rent", round(rent * (1.04 if raised else 1))), ("Internet", internet)):
                row, payer = recurring[description]
                category = "rent" if description == "Rent" else "utilities"
                _add(plan, rng, description, category, cents, first, payer, row)
            electricity = _cents(rng, 40, 160)
            _add(plan, rng, "Electricity bill", "utilities", electricity, _day_in(rng, first, last))
        costs = {"home": HOME_COSTS, "family": FAMILY_COSTS, "couple": COUPLE_COSTS}.get(plan.kind)
        if costs is None:  # work: a lunch or two a week and supplies
            for _ in range(rng.randint(2, 3)):
                description, category, low, high = rng.choice(WORK_COSTS)
                _add(plan, rng, description, category, _cents(rng, low, high), _day_in(rng, first, last))
        else:
            for description, category, low, high, per_month in costs:
                for _ in range(int(per_month) + (rng.random() < per_month % 1)):
                    when = _day_in(rng, first, last)
                    _add(plan, rng, description, category, _cents(rng, low, high), when)
        month_end = last + timedelta(days=1)
        if (today - month_end).days > 20 and rng.random() < 0.8:  # settle up early in the next month
            _settle_all(plan, rng, month_end + timedelta(days=rng.randint(0, 6)), 1.0, settlements)
    plan.expenses.sort(key=lambda e: e["date"])
    return settlements


@app.populator
def populate(w: WorldBuilder) -> None:
    rng = w.rng("bill_splitting")
    today = w.now.date()
    plans = plan_groups(w, rng)
    group_ids = w.insert(
        "bill_splitting_groups",
        [
            {
                "name": p.name,
                "created_by": p.members[0],
                "created_at": f"{p.start.isoformat()}T{rng.randint(8, 22):02d}:00:00",
                "group_type": p.kind,
                "description": p.description,
                "simplify_debts": int(rng.random() < 0.3),
            }
            for p in plans
        ],
    )
    recurring_rows: list[dict[str, Any]] = []
    recurring_of: list[dict[str, tuple[int, int]]] = []
    for plan, group_id in zip(plans, group_ids, strict=True):
        mine: dict[str, tuple[int, int]] = {}
        if plan.kind == "home":
            for description, category in (("Rent", "rent"), ("Internet", "utilities")):
                payer = rng.choice(plan.members)
                mine[description] = (len(recurring_rows), payer)
                recurring_rows.append(
                    {
                        "group_id": group_id,
                        "description": description,
                        "amount": 0.0,  # set below from the last generated expense
                        "category": category,
                        "paid_by": payer,
                        "created_by": plan.members[0],
                        "frequency": "monthly",
                        "next_date": add_months(today.replace(day=1), 1).isoformat(),
                        "is_active": 1,
                    }
                )
        for description, category, cents, frequency, chance in SUBSCRIPTIONS.get(plan.kind, ()):
            if rng.random() < chance:
                recurring_rows.append(
                    {
                        "group_id": group_id,
                        "description": description,
                        "amount": cents / 100,
                        "category": category,
                        "paid_by": rng.choice(plan.members),
                        "created_by": plan.members[0],
                        "frequency": frequency,
                        "next_date": (today + timedelta(days=rng.randint(1, 27))).isoformat(),
                        "is_active": int(rng.random() < 0.6),
                    }
                )
        recurring_of.append(mine)
    settlements_of = [fill_costs(p, rng, today, r) for p, r in zip(plans, recurring_of, strict=True)]
    for plan, mine in zip(plans, recurring_of, strict=True):
        for description, (row, _payer) in mine.items():
            recurring_rows[row]["amount"] = next(
                e["amount"] for e in reversed(plan.expenses) if e["description"] == description
            )
    recurring_ids = w.insert("bill_splitting_recurring", recurring_rows)
    _insert_members(w, rng, plans, group_ids, today)
    expense_rows, share_rows, comment_rows = [], [], []
    for plan, group_id in zip(plans, group_ids, strict=True):
        for e in plan.expenses:
            expense_rows.append(
                {
                    "group_id": group_id,
                    "description": e["description"],
                    "amount": e["amount"],
                    "category": e["category"],
                    "paid_by": e["paid_by"],
                    "created_by": e["paid_by"],
                    "date": e["date"],
                    "notes": "" if rng.random() < 0.9 else "Receipt in the shared folder.",
                    "split_type": "equal",
                    "recurring_id": None if e["recurring"] is None else recurring_ids[e["recurring"]],
                }
            )
    expense_ids = w.insert("bill_splitting_expenses", expense_rows)
    expenses = [e for p in plans for e in p.expenses]
    plan_of = [p for p in plans for _ in p.expenses]
    for expense_id, e, plan in zip(expense_ids, expenses, plan_of, strict=True):
        share_rows += [{"expense_id": expense_id, "person_id": p, "amount": a} for p, a in e["shares"].items()]
        if rng.random() < 0.06:
            when = min(today, date.fromisoformat(e["date"]) + timedelta(days=rng.randint(0, 3)))
            comment_rows.append(
                {
                    "expense_id": expense_id,
                    "author_id": rng.choice(plan.members),
                    "text": rng.choice(COMMENTS),
                    "created_at": f"{when.isoformat()}T{rng.randint(8, 22):02d}:{rng.randint(0, 59):02d}:00",
                }
            )
    w.insert("bill_splitting_shares", share_rows)
    w.insert("bill_splitting_comments", comment_rows)
    w.insert(
        "bill_splitting_settlements",
        [{"group_id": g, **s} for g, ss in zip(group_ids, settlements_of, strict=True) for s in ss],
    )
    _insert_invitations(w, rng, plans, group_ids, today)
    _insert_reminders(w, rng, plans, group_ids, today)
    _insert_settings(w, rng)


def _insert_members(w: WorldBuilder, rng: random.Random, plans: list[Plan], group_ids: list[int], today: date) -> None:
    rows = []
    for plan, group_id in zip(plans, group_ids, strict=True):
        old_and_settled = plan.kind == "trip" and (today - plan.end).days > 180 and not plan.ledger
        for person in plan.members:
            rows.append(
                {
                    "group_id": group_id,
                    "person_id": person,
                    "joined_at": f"{plan.start.isoformat()}T{rng.randint(8, 22):02d}:00:00",
                    "is_archived": int(old_and_settled and rng.random() < 0.6),
                }
            )
    w.insert("bill_splitting_members", rows)


def _insert_invitations(
    w: WorldBuilder, rng: random.Random, plans: list[Plan], group_ids: list[int], today: date
) -> None:
    """Accepted invitations behind some trip memberships; pending, declined and cancelled ones to friends outside."""
    rows = []
    for plan, group_id in zip(plans, group_ids, strict=True):
        inviter = plan.members[0]
        sent = f"{plan.start.isoformat()}T09:00:00"
        if plan.kind == "trip":
            for invitee in plan.members[1:]:
                if rng.random() < 0.5:
                    joined = f"{(plan.start + timedelta(days=1)).isoformat()}T18:00:00"
                    rows.append(_invitation(group_id, inviter, invitee, "accepted", rng, sent, joined))
        outsiders = sorted(set(w.related(inviter, ("friend", "coworker"))) - set(plan.members))
        if outsiders and rng.random() < 0.45:
            status = rng.choice(("pending", "pending", "pending", "declined", "cancelled"))
            when = today - timedelta(days=rng.randint(1, 90))
            answered = None if status == "pending" else f"{(when + timedelta(days=2)).isoformat()}T12:00:00"
            rows.append(
                _invitation(group_id, inviter, rng.choice(outsiders), status, rng, f"{when}T10:00:00", answered)
            )
    w.insert("bill_splitting_invitations", rows)


def _invitation(
    group_id: int, inviter: int, invitee: int, status: str, rng: random.Random, sent: str, answered: str | None
) -> dict[str, Any]:
    return {
        "group_id": group_id,
        "inviter_id": inviter,
        "invitee_id": invitee,
        "status": status,
        "message": rng.choice(INVITE_NOTES),
        "created_at": sent,
        "responded_at": answered,
    }


def _insert_reminders(
    w: WorldBuilder, rng: random.Random, plans: list[Plan], group_ids: list[int], today: date
) -> None:
    """Reminders for debts still open (some read), and old ones for amounts since paid or changed."""
    rows = []
    for plan, group_id in zip(plans, group_ids, strict=True):
        for (debtor, creditor), cents in sorted(plan.ledger.items()):
            if rng.random() < 0.7:
                for days_ago, amount in ((rng.randint(40, 200), round(cents * rng.uniform(0.3, 0.9))), (None, cents)):
                    if days_ago is None or rng.random() < 0.7:
                        when = today - timedelta(days=days_ago or rng.randint(0, 14))
                        rows.append(
                            {
                                "group_id": group_id,
                                "sender_id": creditor,
                                "receiver_id": debtor,
                                "amount": amount / 100,
                                "message": rng.choice(REMINDER_NOTES),
                                "created_at": f"{when.isoformat()}T{rng.randint(8, 21):02d}:15:00",
                                "is_read": int(days_ago is not None or rng.random() < 0.4),
                            }
                        )
    w.insert("bill_splitting_reminders", rows)


def _insert_settings(w: WorldBuilder, rng: random.Random) -> None:
    w.insert(
        "bill_splitting_settings",
        [
            {
                "person_id": p.id,
                "default_category": rng.choice(("general", "general", "groceries", "dining")),
                "email_digest": rng.choice(("never", "daily", "weekly", "weekly", "monthly")),
                "notify_on_expense": int(rng.random() < 0.8),
                "notify_on_comment": int(rng.random() < 0.7),
                "notify_on_settlement": int(rng.random() < 0.9),
            }
            for p in w.people
        ],
    )
