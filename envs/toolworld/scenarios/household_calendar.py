"""Household scenarios on the calendar: trips and shared household events for a bill splitting group's members."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from envs.toolworld.apps._calendar_core import busy_blocks
from envs.toolworld.evaluate import Answer, Expectation, Inserted, NewRow, OneOf, Updated
from envs.toolworld.scenarios._calendar import reader
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, other_branch, pick
from envs.toolworld.scenarios._rows import new_event
from envs.toolworld.scenarios.bill_splitting import FIND_GROUP, members, unique_groups
from envs.toolworld.scenarios.household_chores import by_full_name, home_groups
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

CALENDARS = "apis.calendar.show_calendars(access_token=calendar_token"


def primary_calendar(view: WorldView, owner: int) -> int:
    return int(view.value("SELECT id FROM calendar_calendars WHERE owner_id = ? AND is_primary = 1", owner))


def invited_event(event: dict[str, Any], guests: list[int], requirement: str) -> list[Expectation]:
    """A new event with every column the agent sets pinned, and its guests (if any) invited, pending, to it."""
    made: list[Expectation] = [Inserted("calendar_events", event, requirement, what="events")]
    if guests:
        invited = {
            "event_id": NewRow("calendar_events", event),
            "person_id": OneOf(guests),
            "response": "pending",
            "comment": "",
            "responded_at": None,
        }
        made.append(
            Inserted(
                "calendar_attendees",
                invited,
                f"{requirement}: the {len(guests)} others are invited",
                count=len(guests),
                what="invitations",
            )
        )
    return made


def trip_groups(view: WorldView) -> list[dict[str, Any]]:
    kinds = {r["id"]: r["group_type"] for r in view.rows("SELECT id, group_type FROM bill_splitting_groups")}
    return [
        g
        for g in unique_groups(view, 3)
        if kinds[g["group_id"]] == "trip"
        and view.value("SELECT COUNT(*) FROM bill_splitting_expenses WHERE group_id = ?", g["group_id"]) > 5
    ]


def trip_dates(view: WorldView, owner: int, group_id: int) -> tuple[date, date, list[int]] | None:
    """The first of a few trip dates (20-60 days ahead, set by the group) when some but not all of the other
    members have busy time, and who is free; None when every try finds them all free or all busy."""
    guests = [p for p in members(view, group_id) if p != owner]
    ctx = reader(view, owner)
    for k in range(8):
        first = WORLD_NOW.date() + timedelta(days=20 + (group_id * 7 + k * 13) % 41)
        last = first + timedelta(days=2 + (group_id + k) % 5)
        low = datetime.combine(first, datetime.min.time())
        free = [p for p in guests if not busy_blocks(ctx, p, low, low + timedelta(days=(last - first).days + 1))]
        if 0 < len(free) < len(guests):
            return first, last, free
    return None


@scenario("household_trip_event_with_spend", apps=("bill_splitting", "calendar"))
def trip_event_with_spend(view: WorldView, rng: random.Random) -> TaskSpec:
    """A trip event inviting only the members free those days, with notes of the total spend and each member's
    share: deep because busy times are looked up per member (4 others) and the shares per expense (12 of them,
    some split among only some members)."""
    pool = [
        g
        for g in trip_groups(view)
        if view.value("SELECT COUNT(*) FROM bill_splitting_expenses WHERE group_id = ?", g["group_id"]) >= 12
        and len(members(view, g["group_id"])) >= 5
        and split_unevenly(view, int(g["group_id"]))
    ]
    tried: dict[tuple[int, int], tuple[date, date, list[int]] | None] = {}  # busy lookups are slow: rows tried

    def dates_of(g: dict[str, Any]) -> tuple[date, date, list[int]] | None:
        key = (g["owner_id"], g["group_id"])  # who is free depends on whose trip it is: the others than its owner
        if key not in tried:
            tried[key] = trip_dates(view, g["owner_id"], g["group_id"])
        return tried[key]

    # the groups whose tried dates split the members, found before picking: passing over an unusable row hands a
    # variant the next variant's row, and on busy calendars two of the first three variants met that way
    usable = [g for g in pool if dates_of(g) is not None]
    g = pick(rng, usable, "trip group of 5+ with 12 expenses and trip dates some members are busy on", distinct=True)
    dates = dates_of(g)
    assert dates is not None  # pick passes over the groups without
    first, last, free = dates
    owner, group_id = int(g["owner_id"]), int(g["group_id"])
    total = round(view.value("SELECT SUM(amount) FROM bill_splitting_expenses WHERE group_id = ?", group_id), 2)
    shares = shares_by_member(view, group_id)
    place = rng.choice(["Lisbon", "the Alps", "Porto", "the coast", "Vienna"])
    note = f"Spent so far: ${total:.2f}"
    split = shares_line(view, group_id, "Shares: ", shares)
    event = new_event(
        owner,
        primary_calendar(view, owner),
        g["name"],
        f"{first.isoformat()}T00:00:00",
        f"{(last + timedelta(days=1)).isoformat()}T00:00:00",
        location=place,
        all_day=1,
    )
    oracle = (
        Solution()
        .step(login("bill_splitting", "calendar"))
        .step(
            FIND_GROUP.format(name=g["name"])
            + fetch_all(
                "expenses",
                "apis.bill_splitting.show_expenses(access_token=bill_splitting_token, group_id=group['group_id']",
            )
            + "total = round(sum(e['amount'] for e in expenses), 2)\n"
            + "print(len(expenses), total)\n"
        )
        .step(SUM_SHARES.format(items="expenses") + SHARES_LINE.format(target="split", prefix="Shares: "))
        .step(
            "free = []\n"
            "for m in group['members']:\n"
            "    if m['email'] != me['email']:\n"
            "        busy = apis.calendar.show_busy_times(access_token=calendar_token, email=m['email'], "
            f"date_from={first.isoformat()!r}, date_to={last.isoformat()!r})\n"
            "        print(m['name'], busy)\n"
            "        if not busy:\n"
            "            free.append(m['email'])\n"
        )
        .step(
            f"event_id = apis.calendar.create_event(access_token=calendar_token, title={g['name']!r}, "
            f"start={first.isoformat()!r}, end={last.isoformat()!r}, all_day=True, location={place!r}, "
            "attendee_emails=free)['event_id']\n"
            "apis.calendar.add_event_note(access_token=calendar_token, event_id=event_id, "
            "text=f'Spent so far: ${total:.2f}')\n"
            "apis.calendar.add_event_note(access_token=calendar_token, event_id=event_id, text=split)\n"
        )
        .step("print(apis.calendar.show_event(access_token=calendar_token, event_id=event_id))")
        .step("apis.supervisor.complete_task(answer=total)")
        .steps()
    )
    notes = [
        Inserted(
            "calendar_notes",
            {"event_id": NewRow("calendar_events", event), "author_id": owner, "text": text},
            f"the event has the note '{text}' ({why})",
            what=f"notes '{text[:12]}'",
        )
        for text, why in ((note, "every expense page added up"), (split, "each expense's own shares"))
    ]
    busy = [full_name(view, p) for p in members(view, group_id) if p != owner and p not in free]
    return TaskSpec(
        owner,
        f"Put our trip on my calendar: an all-day event titled '{g['name']}' (the name of my bill splitting group) "
        f"from {first.isoformat()} to {last.isoformat()} inclusive, located in {place}, on my primary calendar, "
        "inviting only the others in that group whose calendars show no busy time on any of those days. Then leave "
        "a note on the event saying how much the group has spent so far, the total of all its expenses, written "
        "exactly like 'Spent so far: $1234.50', and a second note with what each member's share of those expenses "
        "comes to (me included, by each expense's own split), like 'Shares: Ann Lee $610.25, Bob Stone $624.25' in "
        "alphabetical order of full names. Tell me that total.",
        oracle,
        [
            *invited_event(
                event,
                free,
                f"an all-day event '{g['name']}' {first}..{last} in {place} (not inviting the busy {busy})",
            ),
            *notes,
            Answer(
                total, f"the answer is the group's total spend ({total:.2f})", traps={f"{shares[owner]:g}": "my share"}
            ),
        ],
    )


YEAR_START = f"{WORLD_NOW.year}-01-01"
HOUSING = ("rent", "utilities")


def expense_filter(group_id: int, since: str | None, categories: tuple[str, ...]) -> tuple[str, list[Any]]:
    """SQL over expenses `e` of a group: dated from `since` to today (any date when None), of `categories` (any
    when empty)."""
    where, args = "e.group_id = ?", list[Any]([group_id])
    if since is not None:
        where += " AND e.date BETWEEN ? AND ?"
        args += [since, WORLD_NOW.date().isoformat()]
    if categories:
        where += f" AND e.category IN ({', '.join('?' * len(categories))})"
        args += list(categories)
    return where, args


def shares_by_member(
    view: WorldView, group_id: int, since: str | None = None, categories: tuple[str, ...] = ()
) -> dict[int, float]:
    """Each person's summed shares of a group's expenses (see expense_filter): what each expense's own split says
    (some are split among only some members, so my_share times the members is wrong)."""
    where, args = expense_filter(group_id, since, categories)
    totals: dict[int, float] = {}
    for r in view.rows(
        "SELECT s.person_id, s.amount FROM bill_splitting_shares s JOIN bill_splitting_expenses e ON "
        f"e.id = s.expense_id WHERE {where} ORDER BY e.date DESC, e.id DESC, s.person_id",
        *args,
    ):
        totals[r["person_id"]] = totals.get(r["person_id"], 0.0) + r["amount"]
    return totals


def split_unevenly(view: WorldView, group_id: int, since: str | None = None, categories: tuple[str, ...] = ()) -> bool:
    """Whether some of those expenses were split among only some members (and every share is a member's), so the
    shares must be read one expense at a time."""
    people = set(members(view, group_id))
    totals = shares_by_member(view, group_id, since, categories)
    where, args = expense_filter(group_id, since, categories)
    uneven = view.value(
        f"SELECT COUNT(*) FROM bill_splitting_expenses e WHERE {where} "
        "AND (SELECT COUNT(*) FROM bill_splitting_shares s WHERE s.expense_id = e.id) < ?",
        *args,
        len(people),
    )
    return bool(totals) and set(totals) <= people and uneven > 0


def shares_line(view: WorldView, group_id: int, prefix: str, totals: dict[int, float]) -> str:
    """`prefix` then '<full name> $<total>' for every member, by full name."""
    people = by_full_name(view, members(view, group_id))
    return prefix + ", ".join(f"{full_name(view, p)} ${totals.get(p, 0.0):.2f}" for p in people)


SUM_SHARES = (
    "totals = {{m['email']: 0.0 for m in group['members']}}\n"
    "for e in {items}:\n"
    "    detail = apis.bill_splitting.show_expense(access_token=bill_splitting_token, expense_id=e['expense_id'])\n"
    "    for s in detail['shares']:\n"
    "        totals[s['email']] += s['amount']\n"
    "names = {{m['email']: m['name'] for m in group['members']}}\n"
    "print({{names[e]: round(t, 2) for e, t in totals.items()}})\n"
)
SHARES_LINE = (
    "{target} = {prefix!r} + ', '.join(f\"{{names[e]}} ${{totals[e]:.2f}}\" for e in sorted(totals, key=names.get))\n"
    "print({target})\n"
)


@scenario("household_rent_due_series", apps=("bill_splitting", "calendar"))
def rent_due_series(view: WorldView, rng: random.Random) -> TaskSpec:
    """A monthly rent reminder whose description sums each member's share of this year's rent and utilities: deep
    because some of those ~18 expenses were split among only some members, so each needs its show_expense."""
    g = pick(
        rng,
        [g for g in home_groups(view, 2) if split_unevenly(view, int(g["group_id"]), YEAR_START, HOUSING)],
        "home group whose rent and utilities this year were not all split among everyone",
        distinct=True,
    )
    owner, group_id = int(g["owner_id"]), int(g["group_id"])
    guests = [p for p in members(view, group_id) if p != owner]
    day = rng.choice([1, 2, 3, 5])
    month = WORLD_NOW.month + 1
    start = f"{WORLD_NOW.year}-{month:02d}-{day:02d}"
    until = f"{WORLD_NOW.year}-12-31"
    hour = rng.choice(["08:00", "09:00", "18:30"])
    minutes = rng.choice([60, 1440, 2880])
    title = f"Rent due: {g['name']}"
    end_hour = f"{int(hour[:2]):02d}:{int(hour[3:]) + 15:02d}"
    today = WORLD_NOW.date().isoformat()
    totals = shares_by_member(view, group_id, YEAR_START, HOUSING)
    prefix = f"Rent and utilities in {WORLD_NOW.year}: "
    description = shares_line(view, group_id, prefix, totals)
    event = new_event(
        owner,
        primary_calendar(view, owner),
        title,
        f"{start}T{hour}:00",
        f"{start}T{end_hour}:00",
        description=description,
        recurrence="monthly",
        recurrence_until=OneOf((until, f"{until}T23:59:59", f"{until}T00:00:00")),
        busy=0,
    )
    oracle = (
        Solution()
        .step(login("bill_splitting", "calendar"))
        .step(
            FIND_GROUP.format(name=g["name"])
            + "guests = [m['email'] for m in group['members'] if m['email'] != me['email']]\n"
            + fetch_all(
                "expenses",
                "apis.bill_splitting.show_expenses(access_token=bill_splitting_token, group_id=group['group_id'], "
                f"date_from={YEAR_START!r}, date_to={today!r}",
            )
            + f"housing = [e for e in expenses if e['category'] in {HOUSING!r}]\n"
            + "print(len(housing), 'rent and utilities expenses')\n"
        )
        .step(SUM_SHARES.format(items="housing") + SHARES_LINE.format(target="description", prefix=prefix))
        .step(
            fetch_all("calendars", CALENDARS)
            + "primary = next(c for c in calendars if c['is_primary'] and c['owner']['email'] == me['email'])\n"
            f"event_id = apis.calendar.create_event(access_token=calendar_token, title={title!r}, "
            f"start={start + 'T' + hour!r}, end={start + 'T' + end_hour!r}, calendar_id=primary['calendar_id'], "
            "description=description, attendee_emails=guests, recurrence='monthly', "
            f"recurrence_until={until!r}, busy=False, reminder_minutes={minutes})['event_id']\n"
        )
        .step("print(apis.calendar.show_event(access_token=calendar_token, event_id=event_id))")
        .step("apis.supervisor.complete_task()")
        .steps()
    )
    when = {60: "an hour", 1440: "a day", 2880: "two days"}[minutes]
    return TaskSpec(
        owner,
        f"Add a repeating reminder of the rent to my primary calendar: '{title}', on day {day} of every month from "
        f"{start} until {until}, {hour} to {end_hour}, shown as free (not busy), inviting the other members of my bill "
        f"splitting group '{g['name']}', with a pop-up reminder {when} before. In its description put what each "
        f"member of that group (me included) has had as their share of the group's rent and utilities expenses "
        f"dated from {YEAR_START} to today ({today}), going by each expense's own split, written like "
        f"'{prefix}Ann Lee $1234.50, Bob Stone $980.00' in alphabetical order of full names.",
        oracle,
        [
            *invited_event(event, guests, f"a monthly '{title}' event from {start} {hour}, described '{description}'"),
            Inserted(
                "calendar_reminders",
                {
                    "event_id": NewRow("calendar_events", event),
                    "person_id": owner,
                    "minutes_before": minutes,
                    "method": "popup",
                },
                f"my pop-up reminder {minutes} minutes before",
                what="reminders",
            ),
        ],
    )


@scenario("household_share_family_calendar", apps=("bill_splitting", "calendar"))
def share_family_calendar(view: WorldView, rng: random.Random) -> TaskSpec:
    """Everyone of my household group may edit one of my calendars: new shares for those without one, view shares
    upgraded, edit shares and shares with people outside the group left alone; variant 1 picks a calendar they
    can all edit already (no-op-pass)."""
    todo: list[tuple[Any, ...]] = []
    done: list[tuple[Any, ...]] = []
    for g in home_groups(view, 2):
        household = [p for p in members(view, int(g["group_id"])) if p != g["owner_id"]]
        for c in view.rows(
            "SELECT id, name FROM calendar_calendars c WHERE owner_id = ? AND (SELECT COUNT(*) FROM calendar_calendars "
            "d WHERE d.owner_id = c.owner_id AND d.name = c.name) = 1 ORDER BY id",
            g["owner_id"],
        ):
            shares = {
                r["person_id"]: r
                for r in view.rows(
                    "SELECT id, person_id, permission FROM calendar_shares WHERE calendar_id = ?", c["id"]
                )
            }
            new = [p for p in household if p not in shares]
            upgrade = [shares[p] for p in household if p in shares and shares[p]["permission"] == "view"]
            (todo if new or upgrade else done).append((g, c, new, upgrade))
    g, c, new, upgrade = pick(rng, done if other_branch(rng) else todo, "home group owner's calendar", distinct=True)
    owner = int(g["owner_id"])
    oracle = (
        Solution()
        .step(login("bill_splitting", "calendar"))
        .step(
            FIND_GROUP.format(name=g["name"])
            + fetch_all("calendars", CALENDARS)
            + f"cal = next(c for c in calendars if c['name'] == {c['name']!r} and c['owner']['email'] == me['email'])\n"
            + fetch_all(
                "shares",
                "apis.calendar.show_calendar_shares(access_token=calendar_token, calendar_id=cal['calendar_id']",
            )
            + "current = {s['email']: s['permission'] for s in shares}\n"
            + "print(current)\n"
        )
        .step(
            "for m in group['members']:\n"
            "    if m['email'] != me['email'] and current.get(m['email']) != 'edit':\n"
            "        apis.calendar.share_calendar(access_token=calendar_token, calendar_id=cal['calendar_id'], "
            "email=m['email'], permission='edit')\n"
        )
        .step(
            "print(apis.calendar.show_calendar_shares(access_token=calendar_token, calendar_id=cal['calendar_id'], "
            "page_limit=20))\n"
            "apis.supervisor.complete_task(answer=[m['name'] for m in group['members'] if m['email'] != me['email'] "
            "and current.get(m['email']) == 'edit'])"
        )
        .steps()
    )
    editors = [
        full_name(view, r["person_id"])
        for r in view.rows(
            "SELECT person_id FROM calendar_shares WHERE calendar_id = ? AND permission = 'edit'", c["id"]
        )
        if r["person_id"] in members(view, int(g["group_id"]))
    ]
    expectations: list[Expectation] = [
        Answer(editors, "the answer names the group members who could already edit the calendar"),
        *(
            Updated(
                "calendar_shares", s["id"], {"permission": "edit"}, f"{full_name(view, s['person_id'])} may now edit"
            )
            for s in upgrade
        ),
    ]
    if new:
        expectations.append(
            Inserted(
                "calendar_shares",
                {"calendar_id": c["id"], "person_id": OneOf(new), "permission": "edit"},
                f"'{c['name']}' is newly shared, to edit, with the {len(new)} members who had no access",
                count=len(new),
                what="shares",
            )
        )
    return TaskSpec(
        owner,
        f"Everyone else in my bill splitting group '{g['name']}' should be able to edit my calendar '{c['name']}': "
        "share it with edit permission with those who cannot see it yet and upgrade those who may only view it. "
        "Leave everyone else's access as it is. Tell me the names of the members who could already edit it.",
        oracle,
        expectations,
        noop_pass=not new and not upgrade,
    )
