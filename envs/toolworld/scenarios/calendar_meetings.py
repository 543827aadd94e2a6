"""Calendar scenarios on arranging meetings: a slot everyone is free, moving or cancelling single occurrences
of repeating meetings, and telling the people concerned."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from envs.toolworld.apps._calendar_people import find_free_slots
from envs.toolworld.evaluate import Answer, Expectation, Inserted, NewRow
from envs.toolworld.scenarios._calendar import MIDNIGHT, TODAY, reader, spans
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios._rows import new_event
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

ROOMS = ("Conference room B", "Conference room C", "Main office, 3rd floor")


def _participants(view: WorldView, thread_id: int, me: int) -> list[str]:
    """Emails of everyone who wrote or was addressed in a thread, but me, in order of appearance."""
    mine = view.person(me)["email"]
    seen: dict[str, None] = {}
    for m in view.rows("SELECT * FROM email_messages WHERE thread_id = ? ORDER BY sent_at, id", thread_id):
        for address in [view.person(m["sender_id"])["email"], *m["recipients"].split(", "), *m["cc"].split(", ")]:
            if address and address != mine:
                seen[address] = None
    return list(seen)


def _weekday_after(start: date, days: int) -> date:
    out = start + timedelta(days=days)
    return out + timedelta(days=max(0, 7 - out.weekday()) if out.weekday() >= 5 else 0)


@scenario("calendar_thread_meeting_first_slot", apps=("calendar", "email"))
def thread_meeting_first_slot(view: WorldView, rng: random.Random) -> TaskSpec:
    threads = view.rows(
        "SELECT t.id, t.owner_id, t.subject FROM email_threads t WHERE t.is_trashed = 0 AND t.is_spam = 0 "
        "AND (SELECT COUNT(*) FROM email_threads u WHERE u.owner_id = t.owner_id AND u.subject = t.subject) = 1 "
        "AND (SELECT COUNT(*) FROM email_messages m WHERE m.thread_id = t.id) >= 2 ORDER BY t.id"
    )
    pool = [t for t in threads if len(_participants(view, t["id"], t["owner_id"])) >= 2]
    thread = pick(rng, pool, "thread with several people", distinct=True)
    me, guests = thread["owner_id"], _participants(view, thread["id"], thread["owner_id"])
    minutes = rng.choice((45, 60, 90))
    offset = rng.randint(3, 12)
    for extra in range(5):  # busy weeks: the first weekday from the one drawn with a common free slot
        when = _weekday_after(TODAY, offset + extra)
        slots = find_free_slots(
            reader(view, me), date=when.isoformat(), duration_minutes=minutes, attendee_emails=guests
        )
        if slots:
            break
    else:
        raise LookupError(f"no common free slot on five days from {when} for thread {thread['id']}")
    start = datetime.fromisoformat(slots[0]["start"])
    room = rng.choice(ROOMS)
    title = f"{thread['subject']}: follow-up"
    work = view.value("SELECT id FROM calendar_calendars WHERE owner_id = ? AND name = 'Work'", me)
    event = new_event(
        me,
        work,
        title,
        start.isoformat(timespec="seconds"),
        (start + timedelta(minutes=minutes)).isoformat(timespec="seconds"),
        location=room,
    )
    expectations: list[Expectation] = [
        Inserted("calendar_events", event, f"a {minutes}-minute '{title}' event at {event['start']} in {room}")
    ]
    for address in guests:
        expectations.append(
            Inserted(
                "calendar_attendees",
                {
                    "event_id": NewRow("calendar_events", {"title": title}),
                    "person_id": view.value("SELECT id FROM people WHERE email = ?", address),
                    "response": "pending",
                    "comment": "",
                    "responded_at": None,
                },
                f"{address} is invited to '{title}'",
                what=f"invitations of {address}",
            )
        )
    expectations.append(
        Answer(event["start"], "the answer is the meeting's start", traps={f"{when}T09:00:00": "the day's start"})
    )
    look = (
        fetch_all(
            "threads", f"apis.email.show_threads(access_token=email_token, folder='all', query={thread['subject']!r}"
        )
        + f"thread = next(t for t in threads if t['subject'] == {thread['subject']!r})\n"
        + "full = apis.email.show_thread(access_token=email_token, thread_id=thread['thread_id'])\n"
        + "people = []\n"
        + "for e in full['emails']:\n"
        + "    for address in [e['sender']['email'], *e['recipients'], *e['cc']]:\n"
        + "        if address != me['email'] and address not in people:\n"
        + "            people.append(address)\n"
        + "print(people)\n"
    )
    slot = (
        f"slots = apis.calendar.find_free_slots(access_token=calendar_token, date={when.isoformat()!r}, "
        f"duration_minutes={minutes}, attendee_emails=people)\n"
        "print(slots)\n"
        "for address in people:\n"
        f"    print(address, apis.calendar.show_busy_times(access_token=calendar_token, email=address, "
        f"date_from={when.isoformat()!r}, date_to={when.isoformat()!r}, page_limit=20))\n"
        "calendars = apis.calendar.show_calendars(access_token=calendar_token, ownership='mine', page_limit=20)\n"
        "work = next(c['calendar_id'] for c in calendars if c['name'] == 'Work')\n"
    )
    act = (
        "start = slots[0]['start']\n"
        "from datetime import datetime, timedelta\n"
        f"end = (datetime.fromisoformat(start) + timedelta(minutes={minutes})).isoformat()\n"
        f"created = apis.calendar.create_event(access_token=calendar_token, title={title!r}, start=start, end=end, "
        f"calendar_id=work, location={room!r}, attendee_emails=people)\n"
    )
    check = (
        "print(apis.calendar.show_event_attendees(access_token=calendar_token, event_id=created['event_id'], "
        "page_limit=20))\n"
    )
    done = "apis.supervisor.complete_task(answer=start)\n"
    oracle = Solution().step(login("email", "calendar")).step(look).step(slot).step(act).step(check).step(done)
    return TaskSpec(
        me,
        f"Set up a {minutes}-minute meeting titled '{title}' on {when} on my Work calendar, in {room}, at the first "
        f"time within my work hours when I and everyone else on my email thread '{thread['subject']}' (whoever wrote "
        "or was addressed in it) are free, and invite them all. Tell me when it starts (YYYY-MM-DDTHH:MM:SS).",
        oracle.steps(),
        expectations,
    )


def _one_on_ones(view: WorldView) -> list[dict[str, Any]]:
    """Current weekly 1:1 series (the ones not ended), with their only attendee."""
    return view.rows(
        "SELECT e.*, a.person_id AS partner FROM calendar_events e JOIN calendar_attendees a ON a.event_id = e.id "
        "WHERE e.title LIKE '1:1 with %' AND e.recurrence = 'weekly' AND e.recurrence_until IS NULL "
        "AND e.status = 'confirmed' ORDER BY e.id"
    )


@scenario("calendar_move_one_on_one", apps=("calendar", "phone"))
def move_one_on_one(view: WorldView, rng: random.Random) -> TaskSpec:
    series = pick(rng, _one_on_ones(view), "current 1:1 series", distinct=True)
    me, partner = series["organizer_id"], view.person(series["partner"])
    week = rng.randint(1, 3)
    starts = [s for s, _ in spans(view, series, MIDNIGHT, MIDNIGHT + timedelta(days=28)) if s > WORLD_NOW]
    moved = starts[week - 1]
    new_day = moved.date() + timedelta(days=1 if moved.weekday() < 4 else -1)
    new_start = datetime.combine(new_day, datetime.min.time()) + timedelta(hours=15, minutes=30)
    length = datetime.fromisoformat(series["end"]) - datetime.fromisoformat(series["start"])
    text = (
        f"Hi {partner['first_name']}, our 1:1 on {moved.date()} moves to {new_day} at 15:30. "
        "The others stay as they are."
    )
    copy = new_event(
        me,
        series["calendar_id"],
        series["title"],
        new_start.isoformat(timespec="seconds"),
        (new_start + length).isoformat(timespec="seconds"),
        description=series["description"],
        location=series["location"],
    )
    expectations: list[Expectation] = [
        Inserted(
            "calendar_exceptions",
            {"event_id": series["id"], "occurrence_date": moved.date().isoformat()},
            f"the occurrence of '{series['title']}' on {moved.date()} is cancelled",
            what="cancelled occurrences",
        ),
        Inserted("calendar_events", copy, f"a one-off '{series['title']}' on {new_day} at 15:30, same place"),
        Inserted(
            "calendar_attendees",
            {
                "event_id": NewRow("calendar_events", {"start": copy["start"], "title": series["title"]}),
                "person_id": partner["id"],
                "response": "pending",
                "comment": "",
                "responded_at": None,
            },
            f"{partner['first_name']} is invited to the moved 1:1",
            what="invitations",
        ),
        Inserted(
            "phone_messages",
            {"sender_id": me, "receiver_id": partner["id"], "message": text, "is_read": 0},
            f"{partner['first_name']} is texted about the move",
            what="texts",
        ),
    ]
    ordinal = ("next", "second", "third")[week - 1]
    look = (
        fetch_all(
            "found",
            f"apis.calendar.show_events(access_token=calendar_token, query={series['title']!r}, role='organizer'",
        )
        + f"series = next(e for e in found if e['title'] == {series['title']!r} and e['recurrence_until'] is None)\n"
        + "print(apis.calendar.show_event(access_token=calendar_token, event_id=series['event_id']))\n"
        + fetch_all(
            "upcoming",
            "apis.calendar.show_occurrences(access_token=calendar_token, event_id=series['event_id'], "
            f"date_from={TODAY.isoformat()!r}, date_to={(TODAY + timedelta(days=27)).isoformat()!r}",
        )
        + f"upcoming = [o for o in upcoming if not o['is_cancelled'] and o['start'] > {WORLD_NOW.isoformat()!r}]\n"
        + f"moved = upcoming[{week - 1}]\n"
        + "print(moved)\n"
    )
    act = (
        "day = moved['start'][:10]\n"
        "from datetime import date, timedelta\n"
        "d = date.fromisoformat(day)\n"
        "new_day = (d + timedelta(days=1 if d.weekday() < 4 else -1)).isoformat()\n"
        "apis.calendar.cancel_occurrence(access_token=calendar_token, event_id=series['event_id'], date=day)\n"
        "copy = apis.calendar.duplicate_event(access_token=calendar_token, event_id=series['event_id'], "
        "start=new_day + 'T15:30', calendar_id=series['calendar_id'], copy_attendees=True)\n"
        + fetch_all(
            "contacts",
            f"apis.phone.search_contacts(access_token=phone_token, query={partner['email']!r}",
        )
        + f"number = next(c['phone_number'] for c in contacts if c['email'] == {partner['email']!r})\n"
        + f"apis.phone.send_text_message(access_token=phone_token, phone_number=number, message='Hi "
        f"{partner['first_name']}, our 1:1 on ' + day + ' moves to ' + new_day + ' at 15:30. The others stay as they "
        "are.')\n"
    )
    check = (
        "print(apis.calendar.show_event(access_token=calendar_token, event_id=copy['event_id']))\n"
        "print(apis.calendar.show_occurrences(access_token=calendar_token, event_id=series['event_id'], "
        "date_from=day, date_to=day))\n"
    )
    oracle = (
        Solution()
        .step(login("calendar", "phone"))
        .step(look)
        .step(act)
        .step(check)
        .step("apis.supervisor.complete_task()\n")
    )
    return TaskSpec(
        me,
        f"Move only the {ordinal} upcoming occurrence of my weekly '{series['title']}' to 15:30 the day after (the day "
        "before if it falls on a Friday), same length, place and calendar, keeping the rest of the series as it is, "
        f"with {partner['first_name']} invited. Then text {partner['first_name']} at the number in my phone contacts: "
        f"'Hi {partner['first_name']}, our 1:1 on <old day> moves to <new day> at 15:30. The others stay as they "
        "are.' (days as YYYY-MM-DD).",
        oracle.steps(),
        expectations,
    )
