"""Calendar scenarios at home and with repeated meetings: sharing my calendar with my household, calling the next
house meeting, and running a past meeting again."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from envs.toolworld.apps._bill_splitting_core import equal_shares
from envs.toolworld.evaluate import Answer, Expectation, Inserted, NewRow, normalize_answer
from envs.toolworld.scenarios._calendar import DONE, NOW, TODAY, overlaps
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, full_name, login, pick
from envs.toolworld.scenarios._rows import new_event
from envs.toolworld.scenarios.email import sent_email
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

CLEANING_DAYS = 120
MIN_CLEANINGS = 3  # cleanings in the window, each with its own guests to read
MEETINGS = ("Budget review", "Design review", "Quarterly planning", "Roadmap review", "Project sync")


@scenario("calendar_share_with_household", apps=("calendar", "phone"))
def share_with_household(view: WorldView, rng: random.Random) -> TaskSpec:
    pool = []
    for person in view.people_ids():
        personal = view.value(
            "SELECT id FROM calendar_calendars WHERE owner_id = ? AND is_primary = 1 ORDER BY id LIMIT 1", person
        )
        household = view.rows(
            "SELECT f.id, f.email, s.id AS share_id FROM phone_contacts c JOIN people f ON f.email = c.email "
            "LEFT JOIN calendar_shares s ON s.calendar_id = ? AND s.person_id = f.id WHERE c.owner_id = ? "
            "AND c.relationship IN ('family', 'roommate') ORDER BY f.id",
            personal,
            person,
        )
        missing = [h for h in household if h["share_id"] is None]
        if len(missing) >= 2:
            pool.append((person, personal, missing))
    person, personal, missing = pick(rng, pool, "person with family or roommates", distinct=True)
    total = view.value("SELECT COUNT(*) FROM calendar_shares WHERE calendar_id = ?", personal) + len(missing)
    expectations: list[Expectation] = [
        Inserted(
            "calendar_shares",
            {"calendar_id": personal, "person_id": h["id"], "permission": "view", "created_at": NOW},
            f"my primary calendar is shared with {h['email']} (view)",
            what=f"shares with {h['email']}",
        )
        for h in missing
    ]
    expectations.append(
        Answer(total, "the answer is how many people can now see the calendar", traps={str(len(missing)): "only new"})
    )
    look = (
        fetch_all("family", "apis.phone.search_contacts(access_token=phone_token, relationship='family'")
        + fetch_all("roommates", "apis.phone.search_contacts(access_token=phone_token, relationship='roommate'")
        + "household = [c['email'] for c in family + roommates if c['email']]\n"
        + "calendars = apis.calendar.show_calendars(access_token=calendar_token, ownership='mine', page_limit=20)\n"
        + "personal = next(c['calendar_id'] for c in calendars if c['is_primary'])\n"
        + fetch_all("shares", "apis.calendar.show_calendar_shares(access_token=calendar_token, calendar_id=personal")
        + "print(household, [s['email'] for s in shares])\n"
    )
    act = (
        "have = {s['email'] for s in shares}\n"
        "for email in household:\n"
        "    if email not in have:\n"
        "        apis.calendar.share_calendar(access_token=calendar_token, calendar_id=personal, email=email, "
        "permission='view')\n"
        "        have.add(email)\n"
        "print(len(have))\n"
    )
    done = "apis.supervisor.complete_task(answer=len(have))\n"
    oracle = Solution().step(login("phone", "calendar")).step(look).step(act).step(done).steps()
    return TaskSpec(
        person,
        "Share my primary calendar, view only, with everyone in my phone contacts marked as family or roommate who "
        "can't see it yet (leave existing shares as they are). Then tell me how many people in total it is shared "
        "with.",
        oracle,
        expectations,
    )


def _with_one_home(view: WorldView, members: list[int]) -> list[int]:
    """The members who see a single calendar named 'Home' (so 'our Home calendar' names one)."""
    return [
        m
        for m in members
        if view.value(
            "SELECT COUNT(*) FROM calendar_calendars c WHERE c.name = 'Home' AND (c.owner_id = ? OR c.id IN "
            "(SELECT calendar_id FROM calendar_shares WHERE person_id = ?))",
            m,
            m,
        )
        == 1
    ]


def _house_meetings(view: WorldView, home: int, held: bool) -> list[dict[str, Any]]:
    """The confirmed 'House meeting's of a Home calendar held before now (`held`) or still to come, by start."""
    return view.rows(
        f"SELECT * FROM calendar_events WHERE calendar_id = ? AND title = 'House meeting' AND status = 'confirmed' "
        f"AND start {'<' if held else '>'} ? ORDER BY start, id",
        home,
        NOW,
    )


def _declined(view: WorldView, meetings: list[dict[str, Any]], person: int) -> int:
    """How many of `meetings` `person` was invited to and declined."""
    return sum(
        view.value(
            "SELECT COUNT(*) FROM calendar_attendees WHERE event_id = ? AND person_id = ? AND response = 'declined'",
            m["id"],
            person,
        )
        for m in meetings
    )


HELD_MEETINGS_AT_LEAST = 5  # house meetings held on the Home calendar, each one's guest answers read


@scenario("calendar_call_house_meeting", apps=("calendar", "phone"))
def call_house_meeting(view: WorldView, rng: random.Random) -> TaskSpec:
    """The next house meeting is announced to everyone else on the Home calendar, and each of them is told apart by
    how many of the meetings held so far they declined. Deep: the guests' answers are only in each held meeting's
    show_event (one call each; the event list has none); the pick has 5+ held meetings (HELD_MEETINGS_AT_LEAST,
    as_deep_as_found falls back to 1, then any, on sparser worlds) and someone else who declined one, so guessing
    nobody declined fails."""
    homes = view.rows(
        "SELECT c.id, c.owner_id FROM calendar_calendars c WHERE c.name = 'Home' AND EXISTS (SELECT 1 FROM "
        "calendar_events e WHERE e.calendar_id = c.id AND e.title = 'House meeting' AND e.status = 'confirmed' "
        "AND e.start > ?) ORDER BY c.id",
        NOW,
    )
    callers: dict[int, tuple[list[int], dict[int, int], list[int]]] = {}
    for home in homes:
        members = [home["owner_id"]] + [
            r["person_id"]
            for r in view.rows("SELECT person_id FROM calendar_shares WHERE calendar_id = ? ORDER BY id", home["id"])
        ]
        held = _house_meetings(view, home["id"], held=True)
        declined = {m: _declined(view, held, m) for m in members}
        told_apart = [m for m in _with_one_home(view, members) if any(declined[o] for o in members if o != m)]
        callers[home["id"]] = (members, declined, told_apart)

    def deciding(setting: tuple[int, bool]) -> list[dict[str, Any]]:
        """Homes with `at_least` held meetings where, if `decides`, someone other than me declined one."""
        at_least, decides = setting
        return [
            h
            for h in homes
            if len(_house_meetings(view, h["id"], held=True)) >= at_least
            and (callers[h["id"]][2] if decides else _with_one_home(view, callers[h["id"]][0]))
        ]

    _, found = as_deep_as_found([(HELD_MEETINGS_AT_LEAST, True), (1, True), (0, False)], deciding)
    home = pick(rng, found, "home calendar with an upcoming house meeting", distinct=True)
    members, declined, told_apart = callers[home["id"]]
    me = rng.choice(told_apart or _with_one_home(view, members))
    meeting = _house_meetings(view, home["id"], held=False)[0]
    when = f"{meeting['start'][:10]} at {meeting['start'][11:16]}"
    text = f"House meeting on {when}. Add your topics as notes on the event!"
    others = [m for m in members if m != me]
    expectations: list[Expectation] = [
        Inserted(
            "phone_messages",
            {"sender_id": me, "receiver_id": m, "message": text, "is_read": 0},
            f"{view.person(m)['email']} is texted about the house meeting",
            what="texts",
        )
        for m in others
    ]
    expectations.append(
        Inserted(
            "calendar_notes",
            {"event_id": meeting["id"], "author_id": me, "text": "Topics so far: none yet."},
            "the meeting carries the note 'Topics so far: none yet.'",
            what="notes",
        )
    )
    tally = [f"{full_name(view, m)}: {declined[m]}" for m in others]
    expectations.append(
        Answer(
            tally,
            "the answer gives each of the others with how many held house meetings they declined",
            traps={normalize_answer([f"{full_name(view, m)}: 0" for m in others]): "nobody's answers read"},
        )
    )
    look = (
        "calendars = apis.calendar.show_calendars(access_token=calendar_token, query='Home', page_limit=20)\n"
        "home = next(c for c in calendars if c['name'] == 'Home')\n"
        + fetch_all(
            "meetings",
            "apis.calendar.show_events(access_token=calendar_token, query='House meeting', "
            "calendar_id=home['calendar_id']",
        )
        + "meetings = [e for e in meetings if e['title'] == 'House meeting']\n"
        + f"meeting = next(e for e in meetings if e['start'] > {NOW!r})\n"
        + fetch_all(
            "shares", "apis.calendar.show_calendar_shares(access_token=calendar_token, calendar_id=home['calendar_id']"
        )
        + "members = {home['owner']['email']: home['owner']['name']} | {s['email']: s['name'] for s in shares}\n"
        + "members.pop(me['email'])\n"
        + "print(meeting['start'], members)\n"
    )
    tell = (
        "declined = dict.fromkeys(members, 0)\n"
        "for e in meetings:\n"
        f"    if e['start'] < {NOW!r}:\n"
        "        for guest in apis.calendar.show_event(access_token=calendar_token, event_id=e['event_id'])"
        "['attendees']:\n"
        "            if guest['email'] in declined and guest['response'] == 'declined':\n"
        "                declined[guest['email']] += 1\n"
        "print(declined)\n"
    )
    act = (
        "text = 'House meeting on ' + meeting['start'][:10] + ' at ' + meeting['start'][11:16] + "
        "'. Add your topics as notes on the event!'\n"
        "for email in members:\n"
        "    found = apis.phone.search_contacts(access_token=phone_token, query=email, page_limit=20)\n"
        "    number = next(c['phone_number'] for c in found if c['email'] == email)\n"
        "    apis.phone.send_text_message(access_token=phone_token, phone_number=number, message=text)\n"
        "apis.calendar.add_event_note(access_token=calendar_token, event_id=meeting['event_id'], "
        "text='Topics so far: none yet.')\n"
    )
    done = "apis.supervisor.complete_task(answer=[f'{members[m]}: {n}' for m, n in declined.items()])\n"
    oracle = Solution().step(login("calendar", "phone")).step(look).step(tell).step(act).step(done).steps()
    return TaskSpec(
        me,
        "Find the next 'House meeting' on our shared 'Home' calendar. Text everyone else on that calendar (its "
        "owner and everyone it is shared with, me aside; at the numbers in my phone contacts): 'House meeting on "
        "<YYYY-MM-DD> at <HH:MM>. Add your topics as notes on the event!', and leave the note 'Topics so far: "
        "none yet.' on the meeting. Then tell me, for each of "
        f"them, how many of the house meetings on that calendar that started before now ({NOW.replace('T', ' ')}; "
        "cancelled ones aside) they declined, one item per person as '<First Last>: <count>' with their name as the "
        "calendar shows it (0 for none; an invitation left unanswered or answered maybe is not a decline).",
        oracle,
        expectations,
    )


def _lapsed(view: WorldView, person: int) -> list[dict[str, Any]] | None:
    """The last held meeting of each kind in MEETINGS that I organized before and have none of coming up (none
    cancelled); None if a kind of mine repeats, so that 'the last one' is one event."""
    mine = view.rows(
        f"SELECT * FROM calendar_events WHERE organizer_id = ? AND title IN ({', '.join('?' * len(MEETINGS))}) "
        "ORDER BY start, id",
        person,
        *MEETINGS,
    )
    if any(e["recurrence"] != "none" for e in mine):
        return None
    held = [e for e in mine if e["status"] == "confirmed"]
    coming = {e["title"] for e in held if e["start"] > NOW}
    last = {e["title"]: e for e in held if e["start"] < NOW and e["title"] not in coming}
    return sorted(last.values(), key=lambda e: MEETINGS.index(e["title"]))


def _answers(view: WorldView, meeting: dict[str, Any]) -> tuple[list[int], list[int]]:
    """(the guests of a meeting who did not decline it, those who did)."""
    rows = view.rows("SELECT person_id, response FROM calendar_attendees WHERE event_id = ? ORDER BY id", meeting["id"])
    return [r["person_id"] for r in rows if r["response"] != "declined"], [
        r["person_id"] for r in rows if r["response"] == "declined"
    ]


def _copy_day(last: dict[str, Any], monday: date) -> date:
    """The day of the week starting `monday` on the weekday the meeting was held."""
    return monday + timedelta(days=datetime.fromisoformat(last["start"]).weekday())


@scenario("calendar_repeat_last_meeting", apps=("calendar", "email"))
def repeat_last_meeting(view: WorldView, rng: random.Random) -> TaskSpec:
    """Every kind of my regular meetings that has lapsed (held before, nothing upcoming; kinds with an upcoming one
    and cancelled ones are distractors) is run again from its own last meeting (searched per kind), each copy on
    its own weekday and time, inviting that meeting's guests but those who declined it (their answers read per
    meeting; some declined in every task), and each copy's guests (read per copy) get one email; the answer counts
    them all."""
    monday = TODAY + timedelta(days=14 - TODAY.weekday() + 7 * (getattr(rng, "variant", 0) % 2))

    def usable(person: int) -> list[dict[str, Any]] | None:
        lapsed = _lapsed(view, person)
        # 3+: with a busy month of meetings ahead, few people have let four of the five kinds lapse
        if not lapsed or len(lapsed) < 3 or len(lapsed) == len(MEETINGS):
            return None
        if not any(_answers(view, last)[1] for last in lapsed):  # nobody declined: the answers decide nothing
            return None
        spans_ = []
        for last in lapsed:
            if datetime.fromisoformat(last["start"]).weekday() >= 5 or not _answers(view, last)[0]:
                return None
            begin = datetime.combine(_copy_day(last, monday), datetime.fromisoformat(last["start"]).time())
            spans_.append(
                (begin, begin + (datetime.fromisoformat(last["end"]) - datetime.fromisoformat(last["start"])))
            )
        if any(overlaps(a, b) for n, a in enumerate(spans_) for b in spans_[n + 1 :]):
            return None
        return lapsed

    pool = [(p, lapsed) for p in view.people_ids() if (lapsed := usable(p))]
    me, lapsed = pick(rng, pool, "person with three lapsed meetings", distinct=True)
    expectations: list[Expectation] = []
    invited = everyone = 0
    for last in lapsed:
        title, on = last["title"], _copy_day(last, monday)
        start = datetime.combine(on, datetime.fromisoformat(last["start"]).time())
        length = datetime.fromisoformat(last["end"]) - datetime.fromisoformat(last["start"])
        guests, declined = _answers(view, last)
        invited += len(guests)
        everyone += len(guests) + len(declined)
        event = new_event(
            me,
            last["calendar_id"],
            title,
            start.isoformat(timespec="seconds"),
            (start + length).isoformat(timespec="seconds"),
            description=last["description"],
            location=last["location"],
        )
        expectations.append(Inserted("calendar_events", event, f"a copy of '{title}' at {event['start']}", what=title))
        expectations += [
            Inserted(
                "calendar_attendees",
                {
                    "event_id": NewRow("calendar_events", {"title": title, "start": event["start"]}),
                    "person_id": g,
                    "response": "pending",
                    "comment": "",
                    "responded_at": None,
                },
                f"{view.person(g)['email']} is invited to the copy of '{title}'",
                what=f"invitations of {view.person(g)['email']} to '{title}'",
            )
            for g in guests
        ]
        body = f"I've scheduled another {title} on {on} at {start:%H:%M}; the invitation is in your calendar."
        expectations += sent_email(
            view, me, guests, body, f"the guests of the new '{title}' are emailed", subject=f"{title} again on {on}"
        )
    expectations.append(
        Answer(
            invited,
            "the answer is how many invitations were sent in all",
            traps={str(everyone): "those who declined the last one were invited again"},
        )
    )
    look = (
        "last = {}\n"
        f"for title in {list(MEETINGS)!r}:\n"
        + fetch_all(
            "found", "apis.calendar.show_events(access_token=calendar_token, query=title, role='organizer'", "    "
        )
        + "    found = [e for e in found if e['title'] == title]\n"
        f"    if any(e['start'] > {NOW!r} for e in found):\n"
        "        continue  # one is coming up: not lapsed\n"
        f"    past = [e for e in found if e['start'] < {NOW!r}]\n"
        "    if past:\n"
        "        last[title] = max(past, key=lambda e: e['start'])\n"
        "print([(t, e['start'], e['event_id']) for t, e in last.items()])\n"
    )
    act = f"""
from datetime import date, timedelta
copies = {{}}
for title, e in last.items():
    day = date.fromisoformat({monday.isoformat()!r}) + timedelta(days=date.fromisoformat(e['start'][:10]).weekday())
    copy = apis.calendar.duplicate_event(access_token=calendar_token, event_id=e['event_id'],
                                         start=day.isoformat() + 'T' + e['start'][11:16], calendar_id=e['calendar_id'],
                                         copy_attendees=False)
    apis.calendar.add_event_attendees(access_token=calendar_token, event_id=copy['event_id'], emails=asked[title])
    copies[title] = (copy['event_id'], day.isoformat(), e['start'][11:16])
print(copies)
"""
    answers = (
        "asked = {}\n"
        "for title, e in last.items():\n"
        + fetch_all(
            "answers", "apis.calendar.show_event_attendees(access_token=calendar_token, event_id=e['event_id']", "    "
        )
        + "    asked[title] = [a['email'] for a in answers if a['response'] != 'declined']\n"
        "    print(title, [(a['email'], a['response']) for a in answers])\n"
    )
    tell = (
        "invited = 0\n"
        "for title, (event_id, day, at) in copies.items():\n"
        + fetch_all(
            "guests", "apis.calendar.show_event_attendees(access_token=calendar_token, event_id=event_id", "    "
        )
        + "    invited += len(guests)\n"
        "    apis.email.send_email(access_token=email_token, recipients=[g['email'] for g in guests], "
        "subject=title + ' again on ' + day, body=\"I've scheduled another \" + title + ' on ' + day + ' at ' + at + "
        "'; the invitation is in your calendar.')\n"
        "print(invited)\n"
    )
    done = "apis.supervisor.complete_task(answer=invited)\n"
    oracle = (
        Solution().step(login("calendar", "email")).step(look).step(answers).step(act).step(tell).step(done).steps()
    )
    kinds = ", ".join(f"'{t}'" for t in MEETINGS)
    return TaskSpec(
        me,
        f"Some of my regular meetings ({kinds}) have lapsed. For each of them that I have organized before but have "
        "none of coming up (cancelled ones don't count), run the last one again: copy the most recent one I "
        f"organized that took place to the same weekday of the week starting Monday {monday}, at the same time and "
        "for as long, on the same calendar, with the same description, the same place, inviting everyone who was "
        "invited to it except those who declined it. Leave the kinds that have one coming up alone. Then send the "
        "guests of each copy one email with the subject '<title> again on <YYYY-MM-DD>' and the text \"I've "
        "scheduled another <title> on "
        '<YYYY-MM-DD> at <HH:MM>; the invitation is in your calendar." Tell me how many calendar invitations the '
        "copies sent in all (one per guest of each copy, not the emails).",
        oracle,
        expectations,
    )


def _took_part(view: WorldView, cleaning: dict[str, Any]) -> list[int]:
    """Who took part in a cleaning: its organizer and the guests who accepted (declined, unanswered and maybe don't)."""
    return sorted(
        [cleaning["organizer_id"]]
        + [
            r["person_id"]
            for r in view.rows(
                "SELECT person_id FROM calendar_attendees WHERE event_id = ? AND response = 'accepted'", cleaning["id"]
            )
        ]
    )


@scenario("calendar_cleaning_expenses", apps=("calendar", "bill_splitting"))
def cleaning_expenses(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep because each cleaning's supplies are split among only those who took part in it (its organizer and
    the guests who accepted), which the event list does not show: each cleaning's guests are read one by one, and
    every household picked has a cleaning someone did not accept."""
    first = TODAY - timedelta(days=CLEANING_DAYS)
    pool = []
    for home in view.rows("SELECT id, owner_id FROM calendar_calendars WHERE name = 'Home' ORDER BY id"):
        people = sorted(
            [home["owner_id"]]
            + [
                r["person_id"]
                for r in view.rows("SELECT person_id FROM calendar_shares WHERE calendar_id = ?", home["id"])
            ]
        )
        groups = [
            g
            for g in view.rows("SELECT id, name FROM bill_splitting_groups WHERE group_type = 'home' ORDER BY id")
            if sorted(
                r["person_id"]
                for r in view.rows("SELECT person_id FROM bill_splitting_members WHERE group_id = ?", g["id"])
            )
            == people
        ]
        cleanings = view.rows(
            "SELECT * FROM calendar_events WHERE calendar_id = ? AND title = 'Flat cleaning' AND status = 'confirmed' "
            "AND start >= ? AND start < ? ORDER BY start",
            home["id"],
            first.isoformat(),
            NOW,
        )
        # a cleaning not everyone took part in: splitting among the whole group (the read skipped) is wrong
        partial = any(_took_part(view, c) != people for c in cleanings)
        one_a_day = len({c["start"][:10] for c in cleanings}) == len(cleanings)  # expenses are named by their day
        if (
            len(groups) == 1
            and len(cleanings) >= MIN_CLEANINGS
            and partial
            and one_a_day
            and _with_one_home(view, people)
        ):
            pool.append((_with_one_home(view, people), groups[0], cleanings))
    payers, group, cleanings = pick(
        rng,
        pool,
        f"household with a home group and {MIN_CLEANINGS}+ past cleanings, one not everyone took part in",
        distinct=True,
    )
    me = rng.choice(payers)
    amount = rng.choice((18.0, 24.0, 27.5))
    expectations: list[Expectation] = []
    for c in cleanings:
        text = f"Cleaning supplies {c['start'][:10]}"
        shares = equal_shares(amount, _took_part(view, c))
        expectations.append(
            Inserted(
                "bill_splitting_expenses",
                {
                    "group_id": group["id"],
                    "description": text,
                    "amount": amount,
                    "category": "general",
                    "paid_by": me,
                    "created_by": me,
                    "date": c["start"][:10],
                    "notes": "",
                    "split_type": "equal",
                    "recurring_id": None,
                },
                f"an expense '{text}' of ${amount} paid by me, dated that day",
                what=f"expenses '{text}'",
            )
        )
        expectations += [
            Inserted(
                "bill_splitting_shares",
                {
                    "expense_id": NewRow("bill_splitting_expenses", {"description": text}),
                    "person_id": who,
                    "amount": share,
                },
                f"{view.person(who)['email']} owes ${share} of '{text}' (took part in it)",
                what=f"shares of '{text}' for {who}",
            )
            for who, share in shares.items()
        ]
    look = (
        "calendars = apis.calendar.show_calendars(access_token=calendar_token, query='Home', page_limit=20)\n"
        "home = next(c for c in calendars if c['name'] == 'Home')\n"
        + fetch_all(
            "cleanings",
            "apis.calendar.show_events(access_token=calendar_token, query='Flat cleaning', "
            f"calendar_id=home['calendar_id'], date_from={first.isoformat()!r}, date_to={TODAY.isoformat()!r}",
        )
        + f"cleanings = [c for c in cleanings if c['title'] == 'Flat cleaning' and c['start'] < {NOW!r}]\n"
        + "print([c['start'] for c in cleanings])\n"
        + "groups = apis.bill_splitting.show_groups(access_token=bill_splitting_token, group_type='home', "
        "page_limit=20)\n" + "print(groups)\n"
    )
    who = (
        "took_part = {}\n"
        "for c in cleanings:\n"
        + fetch_all(
            "guests", "apis.calendar.show_event_attendees(access_token=calendar_token, event_id=c['event_id']", "    "
        )
        + "    took_part[c['event_id']] = [c['organizer']['email']] + [g['email'] for g in guests "
        "if g['response'] == 'accepted']\n"
        "    print(c['start'], took_part[c['event_id']])\n"
    )
    act = (
        f"group_id = next(g['group_id'] for g in groups if g['name'] == {group['name']!r})\n"
        "for c in cleanings:\n"
        "    apis.bill_splitting.add_expense(access_token=bill_splitting_token, group_id=group_id, "
        f"description='Cleaning supplies ' + c['start'][:10], amount={amount}, date=c['start'][:10], "
        "split_with_emails=took_part[c['event_id']])\n"
    )
    check = (
        fetch_all("added", "apis.bill_splitting.show_expenses(access_token=bill_splitting_token, group_id=group_id")
        + "print([(e['description'], e['amount']) for e in added][:10])\n"
    )
    oracle = (
        Solution()
        .step(login("calendar", "bill_splitting"))
        .step(look)
        .step(who)
        .step(act)
        .step(check)
        .step(DONE)
        .steps()
    )
    return TaskSpec(
        me,
        f"I bought cleaning supplies for ${amount} for every 'Flat cleaning' on our shared 'Home' calendar from "
        f"{first} until now. Add one expense per cleaning to our '{group['name']}' group: described 'Cleaning "
        "supplies <YYYY-MM-DD>', dated the day of the cleaning, paid by me, category general, split equally among "
        "those who took part in that cleaning: whoever organized it and everyone who accepted its invitation "
        "(not those who declined, didn't answer or only said maybe).",
        oracle,
        expectations,
    )
