"""Calendar scenarios around friends and housemates: splitting the cost of past dinners, asking for the rent share
when it is due soon, and inviting a friend when my evening is free."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from envs.toolworld.api import ApiError
from envs.toolworld.apps._calendar_core import busy_blocks
from envs.toolworld.apps.payments import _allowed_to_request
from envs.toolworld.apps.phone import blocked_by
from envs.toolworld.evaluate import Answer, Expectation, Inserted, NewRow
from envs.toolworld.scenarios._calendar import MIDNIGHT, NOW, TODAY, day, reader, spans
from envs.toolworld.scenarios._common import Solution, fetch_all, login, other_branch, pick
from envs.toolworld.scenarios._rows import new_event
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

REQUEST = {"status": "pending", "created_at": NOW, "resolved_at": None, "reminders": 0, "last_reminded_at": None}
SINCE = date(TODAY.year - 1, 1, 1)  # since the start of last year
YEAR_START = date(TODAY.year, 1, 1)
MIN_FRIENDS = 12  # friends checked one by one for the Friday evening
MIN_GUESTS = 7  # accepted guests at my dinners and drinks of the year: each one checked on payments


def _requestable(view: WorldView, requester: int, payer: int) -> bool:
    try:
        _allowed_to_request(reader(view, requester), payer)
    except ApiError:
        return False
    return True


def _requested(requester: int, payer: int, amount: float, note: str, requirement: str, count: int = 1) -> Inserted:
    return Inserted(
        "payments_requests",
        {"requester_id": requester, "payer_id": payer, "amount": amount, "note": note, **REQUEST},
        requirement,
        count=count,
        what=f"requests with the note {note!r}",
    )


def _settled(view: WorldView, guest: int, host: int, since: str, word: str) -> bool:
    """Whether `guest` sent `host` a payment whose note mentions `word` on or after the day `since`."""
    return bool(
        view.value(
            "SELECT COUNT(*) FROM payments_transactions WHERE sender_id = ? AND receiver_id = ? AND created_at >= ? "
            "AND instr(lower(note), ?)",
            guest,
            host,
            since,
            word,
        )
    )


@scenario("calendar_dinner_requests", apps=("calendar", "payments"))
def dinner_requests(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep because 7+ guests accepted my dinners and drinks since the start of last year (MIN_GUESTS; coffee and
    cancelled evenings are distractors): each evening's guests are read per event, each guest is checked on payments
    for a payment of that kind since then (read per guest), and the rest are asked for that kind's price."""
    first = SINCE
    evenings = view.rows(
        "SELECT e.id, e.organizer_id, e.title, e.start, e.status, a.person_id, a.response FROM calendar_events e "
        "JOIN calendar_attendees a ON a.event_id = e.id WHERE (e.title LIKE 'Dinner with %' "
        "OR e.title LIKE 'Drinks with %') AND e.start >= ? AND e.start < ? ORDER BY e.organizer_id, e.start, a.id",
        first.isoformat(),
        MIDNIGHT.isoformat(),
    )
    by_person: dict[int, list[dict[str, Any]]] = {}
    for d in evenings:
        by_person.setdefault(d["organizer_id"], []).append(d)
    pool = []
    for person, rows in sorted(by_person.items()):
        accepted = [d for d in rows if d["status"] == "confirmed" and d["response"] == "accepted"]
        due = [
            d
            for d in accepted
            if not _settled(view, d["person_id"], person, d["start"][:10], d["title"].split()[0].lower())
        ]
        kinds = {d["title"].split()[0] for d in due}
        if (
            len(accepted) >= MIN_GUESTS
            and 0 < len(due) < len(accepted)
            and len(kinds) == 2  # both prices asked for
            and all(_requestable(view, person, d["person_id"]) for d in due)
        ):
            pool.append((person, due))
    person, due = pick(
        rng, pool, f"person with {MIN_GUESTS}+ guests at past dinners and drinks, one already settled", distinct=True
    )
    prices = {"Dinner": rng.choice((28.5, 35.0, 42.75)), "Drinks": rng.choice((12.0, 15.5, 18.25))}
    # two evenings of one kind on one day with one guest (it happens) make two requests alike
    asked = Counter((d["person_id"], d["title"].split()[0], d["start"][:10]) for d in due)
    expectations: list[Expectation] = [
        _requested(
            person,
            guest,
            prices[kind],
            f"{kind} on {when}",
            f"${prices[kind]} is requested from {view.person(guest)['email']} for the {kind.lower()} on {when}"
            + (f" ({n} evenings)" if n > 1 else ""),
            count=n,
        )
        for (guest, kind, when), n in asked.items()
    ]
    total = round(sum(prices[d["title"].split()[0]] for d in due), 2)
    expectations.append(
        Answer(total, "the answer is the total requested", traps={str(prices["Dinner"]): "one request"})
    )
    look = (
        "evenings = []\n"
        "for kind in ('Dinner', 'Drinks'):\n"
        + fetch_all(
            "found",
            "apis.calendar.show_events(access_token=calendar_token, query=kind + ' with', role='organizer', "
            f"date_from={first.isoformat()!r}, date_to={day(-1)!r}",
            indent="    ",
        )
        + "    evenings += [e for e in found if e['title'].startswith(kind + ' with ') and e['start'] < "
        f"{MIDNIGHT.isoformat()!r}]\n"
        "print([(e['event_id'], e['title'], e['start']) for e in evenings])\n"
    )
    guests = """
accepted = []
for e in evenings:
    for a in apis.calendar.show_event_attendees(access_token=calendar_token, event_id=e['event_id'], page_limit=20):
        print(e['title'], e['start'], a['email'], a['response'])
        if a['response'] == 'accepted':
            accepted.append((e, a['email']))
"""
    settled = """
due = []
for e, email in accepted:
    kind = e['title'].split()[0]
    paid = apis.payments.show_transactions(access_token=payments_token, direction='received', with_email=email,
                                           query=kind.lower(), start_date=e['start'][:10], page_limit=20)
    print(e['start'][:10], email, [(t['note'], t['created_at']) for t in paid])
    if not [t for t in paid if kind.lower() in t['note'].lower()]:
        due.append((e, email))
"""
    act = (
        f"prices = {prices!r}\n"
        "for e, email in due:\n"
        "    kind = e['title'].split()[0]\n"
        "    apis.payments.request_money(access_token=payments_token, payer_email=email, amount=prices[kind], "
        "note=kind + ' on ' + e['start'][:10])\n"
    )
    check = (
        fetch_all("sent", "apis.payments.show_requests(access_token=payments_token, direction='sent', status='pending'")
        + "print([(r['note'], r['amount']) for r in sent][:10])\n"
    )
    done = "apis.supervisor.complete_task(answer=round(sum(prices[e['title'].split()[0]] for e, _ in due), 2))\n"
    oracle = (
        Solution()
        .step(login("calendar", "payments"))
        .step(look)
        .step(guests)
        .step(settled)
        .step(act)
        .step(check)
        .step(done)
    )
    return TaskSpec(
        person,
        "I paid for the 'Dinner with ...' and 'Drinks with ...' evenings I organized since the start of last year "
        f"(from {first} to yesterday). For each such evening that took place (not cancelled; each calendar event "
        "counts as one evening, even two of a kind with the same guest on one day), request from every guest who had "
        f"accepted the invitation ${prices['Dinner']} for a dinner, with the note 'Dinner on <YYYY-MM-DD>', or "
        f"${prices['Drinks']} for drinks, with the note 'Drinks on <YYYY-MM-DD>', unless that guest has already sent "
        "me a payment whose note mentions dinner (for a dinner) or drinks (for drinks) on or after that evening's "
        "day. Coffee doesn't count. Tell me how much you requested in all.",
        oracle.steps(),
        expectations,
    )


def _rent_due(view: WorldView, person: int) -> str:
    rent = view.row(
        "SELECT e.* FROM calendar_events e JOIN calendar_calendars c ON c.id = e.calendar_id "
        "WHERE c.owner_id = ? AND e.title = 'Rent due' ORDER BY e.id LIMIT 1",
        person,
    )
    return next(s for s, _ in spans(view, rent, MIDNIGHT, MIDNIGHT + timedelta(days=62))).date().isoformat()


def _rents_this_year(view: WorldView, person: int) -> list[dict[str, Any]] | None:
    """This year's 'Rent' expenses of `person`'s one home group on bill splitting, oldest first, if they paid all."""
    groups = view.rows(
        "SELECT g.id FROM bill_splitting_groups g JOIN bill_splitting_members m ON m.group_id = g.id "
        "WHERE m.person_id = ? AND g.group_type = 'home'",
        person,
    )
    if len(groups) != 1:
        return None
    rents = view.rows(
        "SELECT * FROM bill_splitting_expenses WHERE group_id = ? AND description = 'Rent' AND date >= ? "
        "ORDER BY date, id",
        groups[0]["id"],
        YEAR_START.isoformat(),
    )
    months = {r["date"][:7] for r in rents}
    return rents if rents and len(months) == len(rents) and all(r["paid_by"] == person for r in rents) else None


def _paid_rent_in(view: WorldView, mate: int, me: int, day_from: str) -> bool:
    """Whether `mate` sent `me` a payment noted 'rent share' from the day `day_from` to the end of its month."""
    return bool(
        view.value(
            "SELECT COUNT(*) FROM payments_transactions WHERE sender_id = ? AND receiver_id = ? AND created_at >= ? "
            "AND substr(created_at, 1, 7) = ? AND instr(lower(note), 'rent share')",
            mate,
            me,
            day_from,
            day_from[:7],
        )
    )


@scenario("calendar_rent_share_requests", apps=("calendar", "phone", "payments", "bill_splitting"))
def rent_share_requests(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep because each of this year's 'Rent' expenses has its roommates' shares only in its detail (show_expense
    per expense; the list shows my share alone, and a roommate away that month has none), and each roommate's
    'rent share' payments to me are read on payments to tell the months they paid from those they still owe;
    requests go out only when the calendar's next 'Rent due' is near, and either way the answer totals what is
    owed."""
    horizon = (20, 10, 30)[getattr(rng, "variant", 0) % 3]
    people = view.rows(
        "SELECT owner_id FROM phone_contacts WHERE relationship = 'roommate' GROUP BY owner_id ORDER BY owner_id"
    )
    pool = []
    for p in people:
        mates = view.rows(
            "SELECT f.id, f.email FROM phone_contacts c JOIN people f ON f.email = c.email WHERE c.owner_id = ? "
            "AND c.relationship = 'roommate' ORDER BY f.id",
            p["owner_id"],
        )
        rents = _rents_this_year(view, p["owner_id"])
        if rents is None or not all(_requestable(view, p["owner_id"], m["id"]) for m in mates):
            continue
        owed, guessed, paid = [], [], 0
        for rent in rents:
            shares = {
                r["person_id"]: r["amount"]
                for r in view.rows(
                    "SELECT person_id, amount FROM bill_splitting_shares WHERE expense_id = ?", rent["id"]
                )
            }
            for m in mates:
                if _paid_rent_in(view, m["id"], p["owner_id"], rent["date"]):
                    paid += 1
                    continue
                guessed.append((m["id"], rent["date"][:7], shares.get(p["owner_id"])))  # my share: all the list shows
                if m["id"] in shares:
                    owed.append((m, rent["date"][:7], shares[m["id"]]))
        # some months paid and some owed (the payments decide), and my share does not tell theirs (the details do)
        if owed and paid and sorted(guessed) != sorted((m["id"], month, share) for m, month, share in owed):
            pool.append((p["owner_id"], owed))
    person, owed = pick(rng, pool, "person who paid this year's rent, some roommate months paid back", distinct=True)
    due = _rent_due(view, person)
    soon = due <= day(horizon)
    expectations: list[Expectation] = (
        [
            _requested(person, m["id"], share, f"Rent share {month}", f"{m['email']} is asked for ${share} of {month}")
            for m, month, share in owed
        ]
        if soon
        else []
    )
    total = round(sum(share for _, _, share in owed), 2)
    expectations.append(Answer(total, "the answer is what my roommates still owe of this year's rent in all"))
    look = (
        fetch_all(
            "rent",
            f"apis.calendar.show_agenda(access_token=calendar_token, date_from={day(0)!r}, date_to={day(30)!r}",
        )
        + "due = [i['start'][:10] for i in rent if i['title'] == 'Rent due']\n"
        + "print(due)\n"
        + fetch_all("mates", "apis.phone.search_contacts(access_token=phone_token, relationship='roommate'")
        + "print([(m['first_name'], m['email']) for m in mates])\n"
    )
    split = (
        "home = apis.bill_splitting.show_groups(access_token=bill_splitting_token, group_type='home', page_limit=20)\n"
        "print(home)\n"
        + fetch_all(
            "rents",
            "apis.bill_splitting.show_expenses(access_token=bill_splitting_token, group_id=home[0]['group_id'], "
            f"query='Rent', date_from={YEAR_START.isoformat()!r}, sort_by='oldest'",
        )
        + "rents = [e for e in rents if e['description'] == 'Rent']\n"
        "shares = {}\n"
        "for e in rents:\n"
        "    detail = apis.bill_splitting.show_expense(access_token=bill_splitting_token, expense_id=e['expense_id'])\n"
        "    shares[e['date']] = {s['email']: s['amount'] for s in detail['shares']}\n"
        "    print(e['date'], detail['paid_by'], shares[e['date']])\n"
    )
    payments = (
        "owed = []\n"
        "for m in mates:\n"
        + fetch_all(
            "sent",
            "apis.payments.show_transactions(access_token=payments_token, direction='received', "
            f"with_email=m['email'], query='rent share', start_date={YEAR_START.isoformat()!r}",
            indent="    ",
        )
        + "    print(m['email'], [(t['created_at'], t['amount'], t['note']) for t in sent])\n"
        "    for when, split in shares.items():\n"
        "        if m['email'] not in split:\n"
        "            continue  # away that month: no share\n"
        "        if not [t for t in sent if t['created_at'][:10] >= when and t['created_at'][:7] == when[:7] "
        "and 'rent share' in t['note'].lower()]:\n"
        "            owed.append((m, when[:7], split[m['email']]))\n"
        "print([(m['email'], month, share) for m, month, share in owed])\n"
    )
    act = (
        f"if due and due[0] <= {day(horizon)!r}:\n"
        "    for m, month, share in owed:\n"
        "        apis.payments.request_money(access_token=payments_token, payer_email=m['email'], amount=share, "
        "note='Rent share ' + month)\n"
        "else:\n"
        "    print('rent is not due soon: nothing to do')\n"
    )
    check = (
        fetch_all(
            "asked", "apis.payments.show_requests(access_token=payments_token, direction='sent', query='Rent share'"
        )
        + "print([(r['note'], r['amount']) for r in asked])\n"
    )
    done = "apis.supervisor.complete_task(answer=round(sum(share for _, _, share in owed), 2))\n"
    oracle = (
        Solution()
        .step(login("calendar", "phone", "bill_splitting", "payments"))
        .step(look)
        .step(split)
        .step(payments)
        .step(act)
        .step(check)
        .step(done)
        .steps()
    )
    return TaskSpec(
        person,
        "I pay our rent: it is the 'Rent' expense in our home group on bill splitting, one a month. If the next 'Rent "
        f"due' day on my calendar is within the next {horizon} days (by {day(horizon)}), then for each 'Rent' expense "
        f"since {YEAR_START} request from each roommate in my phone contacts their share of it (the amount that "
        "expense splits to them; a roommate with no share in it is not asked for it), with the note 'Rent share "
        "<YYYY-MM of that expense>', unless they already sent me a payment noted 'rent share' in that expense's "
        "month, on or after its day. If the rent is not due that soon, don't request anything. Either way, tell me "
        "how much my roommates still owe of those rents in all.",
        oracle,
        expectations,
        noop_pass=not soon,
    )


def _invited(first_name: str, friday: date) -> str:
    return f"Hi {first_name}, dinner at Cafe Luna on {friday} at 19:00? I sent you an invite."


def _busy_then(first_name: str, friday: date) -> str:
    return f"Hi {first_name}, dinner at Cafe Luna on {friday} at 19:00, but you look busy then. Next time!"


@scenario("calendar_free_evening_dinner", apps=("calendar", "phone"))
def free_evening_dinner(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep because every one of my 12+ friends (MIN_FRIENDS) is checked for the Friday evening (busy times read per
    friend): the free ones are invited to one dinner and texted, the busy ones get another text; when I am busy
    myself nothing changes, but the answer still names the free friends."""
    week = rng.randint(0, 3)
    busy_wanted = other_branch(rng)  # one variant in three: the evening is taken
    friends_sql = (
        "SELECT f.* FROM phone_contacts c JOIN people f ON f.email = c.email WHERE c.owner_id = ? "
        "AND c.relationship = 'friend' ORDER BY f.id"
    )
    for extra in range(4):  # the Friday drawn, else the next of the four with someone to ask
        friday = TODAY + timedelta(days=(4 - TODAY.weekday()) % 7 + 7 * ((week + extra) % 4))
        low = datetime.combine(friday, datetime.min.time()) + timedelta(hours=18, minutes=30)
        high = low + timedelta(hours=2, minutes=30)
        pool = []
        for p in view.rows(
            "SELECT owner_id, COUNT(*) AS n FROM phone_contacts WHERE relationship = 'friend' GROUP BY owner_id "
            "HAVING n BETWEEN ? AND 14 ORDER BY owner_id",
            MIN_FRIENDS,
        ):
            ctx = reader(view, p["owner_id"])
            if bool(busy_blocks(ctx, p["owner_id"], low, high)) != busy_wanted:
                continue
            friends = view.rows(friends_sql, p["owner_id"])
            free = [f for f in friends if not busy_blocks(ctx, f["id"], low, high)]
            if 0 < len(free) < len(friends) and not any(blocked_by(ctx, f["id"]) for f in free):
                pool.append((p["owner_id"], friends, free))
        if pool:
            break
    person, friends, free = pick(
        rng, pool, f"person with {MIN_FRIENDS}+ friends, free and busy ones on a Friday", distinct=True
    )
    names = [f"{f['first_name']} {f['last_name']}" for f in free]
    title = "Friends dinner"
    start = low + timedelta(minutes=30)
    expectations: list[Expectation] = []
    if not busy_wanted:
        primary = view.value(
            "SELECT id FROM calendar_calendars WHERE owner_id = ? AND is_primary = 1 ORDER BY id LIMIT 1", person
        )
        event = new_event(
            person,
            primary,
            title,
            start.isoformat(timespec="seconds"),
            high.isoformat(timespec="seconds"),
            location="Cafe Luna",
        )
        expectations.append(Inserted("calendar_events", event, f"'{title}' at Cafe Luna on {friday} 19:00-21:00"))
        for f in friends:
            name = f"{f['first_name']} {f['last_name']}"
            text = (_invited if f in free else _busy_then)(f["first_name"], friday)
            expectations.append(
                Inserted(
                    "phone_messages",
                    {"sender_id": person, "receiver_id": f["id"], "message": text, "is_read": 0},
                    f"{name} ({'free' if f in free else 'busy'} then) is texted about the dinner",
                    what=f"texts to {name}",
                )
            )
            if f not in free:
                continue
            expectations.append(
                Inserted(
                    "calendar_attendees",
                    {
                        "event_id": NewRow("calendar_events", {"title": title, "start": event["start"]}),
                        "person_id": f["id"],
                        "response": "pending",
                        "comment": "",
                        "responded_at": None,
                    },
                    f"{name} (free that evening) is invited to the dinner",
                    what=f"invitations of {name}",
                )
            )
    expectations.append(
        Answer(names, f"the answer names the friends free on {friday} evening", traps={"[]": "no friend checked"})
    )
    span = f"date_from={friday.isoformat()!r}, date_to={friday.isoformat()!r}"
    evening = (
        f"b['start'] < {high.isoformat(timespec='seconds')!r} and b['end'] > {low.isoformat(timespec='seconds')!r}"
    )
    look = (
        f"busy = apis.calendar.show_busy_times(access_token=calendar_token, email=me['email'], {span}, page_limit=20)\n"
        f"clash = [b for b in busy if {evening}]\n"
        "print(busy, clash)\n"
        + fetch_all("friends", "apis.phone.search_contacts(access_token=phone_token, relationship='friend'")
        + "print([(c['first_name'], c['last_name'], c['email']) for c in friends])\n"
    )
    check_friends = (
        "free, taken = [], []\n"
        "for c in friends:\n"
        f"    theirs = apis.calendar.show_busy_times(access_token=calendar_token, email=c['email'], {span}, "
        "page_limit=20)\n"
        f"    if not [b for b in theirs if {evening}]:\n"
        "        free.append(c)\n"
        "    else:\n"
        "        taken.append(c)\n"
        "    print(c['email'], theirs)\n"
        "names = [c['first_name'] + ' ' + c['last_name'] for c in free]\n"
        "print(names)\n"
    )
    act = (
        "if not clash:\n"
        f"    made = apis.calendar.create_event(access_token=calendar_token, title={title!r}, "
        f"start={start.isoformat(timespec='minutes')!r}, end={high.isoformat(timespec='minutes')!r}, "
        "location='Cafe Luna', attendee_emails=[c['email'] for c in free])\n"
        "    for c in free:\n"
        "        apis.phone.send_text_message(access_token=phone_token, phone_number=c['phone_number'], "
        f"message='Hi ' + c['first_name'] + ', dinner at Cafe Luna on {friday} at 19:00? I sent you an invite.')\n"
        "    for c in taken:\n"
        "        apis.phone.send_text_message(access_token=phone_token, phone_number=c['phone_number'], "
        f"message='Hi ' + c['first_name'] + ', dinner at Cafe Luna on {friday} at 19:00, but you look busy then. "
        "Next time!')\n"
        "    print(apis.calendar.show_event_attendees(access_token=calendar_token, event_id=made['event_id'], "
        "page_limit=20))\n"
        "else:\n"
        "    print('the evening is taken: nothing to change')\n"
    )
    done = "apis.supervisor.complete_task(answer=names)\n"
    oracle = Solution().step(login("calendar", "phone")).step(look).step(check_friends).step(act).step(done).steps()
    return TaskSpec(
        person,
        f"If nothing keeps me busy on Friday {friday} between 18:30 and 21:00, put '{title}' on my primary "
        "calendar from 19:00 to 21:00 at Cafe Luna and invite every friend in my phone contacts who is free then "
        "too (look at each one's busy times; leave out friends who are busy at any point of 18:30-21:00). Text "
        f"each invited friend 'Hi <first name>, dinner at Cafe Luna on {friday} at 19:00? I sent you an invite.' "
        f"and each busy one 'Hi <first name>, dinner at Cafe Luna on {friday} at 19:00, but you look busy then. "
        "Next time!' "
        "If I'm busy then myself, change nothing. Either way, tell me the full names of the friends who are free "
        "then.",
        oracle,
        expectations,
        noop_pass=busy_wanted,
    )
