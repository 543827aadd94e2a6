"""Calendar scenarios on arranging meetings: a slot everyone is free, moving or cancelling single occurrences
of repeating meetings, and telling the people concerned."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from envs.toolworld.apps._calendar_people import find_free_slots
from envs.toolworld.evaluate import Answer, Expectation, Inserted, NewRow
from envs.toolworld.scenarios._calendar import MIDNIGHT, TODAY, reader, spans
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, login, pick
from envs.toolworld.scenarios._rows import new_event
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

ROOMS = ("Conference room B", "Conference room C", "Main office, 3rd floor")


WORK_THREADS = ("Code review", "Offsite logistics", "Quarterly report %")  # subjects a work meeting follows up
MIN_THREADS = 6  # threads of one subject, each opened: who wrote in it shows only in the thread
LONGEST = 90  # minutes: a row is usable when all its writers share a slot this long on one of SEARCH_DAYS
SEARCH_DAYS = 10  # weekdays from the first one searched


def _weekdays(first: date, count: int) -> list[date]:
    days = [first + timedelta(days=n) for n in range(2 * count)]
    return [d for d in days if d.weekday() < 5][:count]


def _writers(view: WorldView, thread_ids: list[int], me: int) -> tuple[list[str], list[str]]:
    """(emails of everyone but me who wrote in any of the threads, in order of their first email; those only
    addressed or copied)."""
    wrote: dict[str, None] = {}
    addressed: dict[str, None] = {}
    mine = view.person(me)["email"]
    rows = view.rows(
        f"SELECT * FROM email_messages WHERE thread_id IN ({', '.join('?' * len(thread_ids))}) ORDER BY sent_at, id",
        *thread_ids,
    )
    for m in rows:
        if m["sender_id"] != me:
            wrote[view.person(m["sender_id"])["email"]] = None
        for address in [*m["recipients"].split(", "), *m["cc"].split(", ")]:
            if address and address != mine:
                addressed[address] = None
    return list(wrote), [a for a in addressed if a not in wrote]


@scenario("calendar_thread_meeting_first_slot", apps=("calendar", "email"))
def thread_meeting_first_slot(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep because everyone who wrote in any of my 6+ threads of one subject is invited, and who wrote is only in
    each thread (the thread list names everyone addressed or copied too, and some of them never wrote): each
    thread is opened; then days are searched one by one for our first common free slot."""
    first = TODAY + timedelta(days=3)
    days = _weekdays(first, SEARCH_DAYS)
    pairs = view.rows(
        "SELECT owner_id, subject, group_concat(id) AS ids FROM email_threads WHERE is_trashed = 0 AND is_spam = 0 "
        f"AND ({' OR '.join('subject LIKE ?' for _ in WORK_THREADS)}) GROUP BY owner_id, subject "
        "ORDER BY owner_id, subject",
        *WORK_THREADS,
    )

    def usable(pair: dict[str, Any]) -> bool:
        """Two or more wrote, someone was only addressed (inviting the thread list's names is wrong), someone wrote
        but never last in a thread (the list's last senders fall short), and all of us share a slot in the days
        searched."""
        me = pair["owner_id"]
        ids = [int(i) for i in pair["ids"].split(",")]
        wrote, addressed = _writers(view, ids, me)
        last_email = "SELECT sender_id FROM email_messages WHERE thread_id = ? ORDER BY sent_at DESC, id DESC LIMIT 1"
        last = {view.person(view.value(last_email, i))["email"] for i in ids}
        return (
            len(wrote) >= 2
            and bool(addressed)
            and not set(wrote) <= last
            and any(find_free_slots(reader(view, me), d.isoformat(), LONGEST, attendee_emails=wrote) for d in days)
        )

    # as many threads to open as the world has (world 0: MIN_THREADS+ for every variant)
    _, pool = as_deep_as_found(
        range(MIN_THREADS, 0, -1), lambda n: [p for p in pairs if len(p["ids"].split(",")) >= n and usable(p)]
    )
    pair = pick(rng, pool, f"owner of {MIN_THREADS}+ work threads of one subject", distinct=True)
    me, subject = pair["owner_id"], pair["subject"]
    wrote, _ = _writers(view, [int(i) for i in pair["ids"].split(",")], me)
    minutes = rng.choice((45, 60, LONGEST))
    when, slots = next(
        (d, s)
        for d in days
        if (s := find_free_slots(reader(view, me), date=d.isoformat(), duration_minutes=minutes, attendee_emails=wrote))
    )
    start = datetime.fromisoformat(slots[0]["start"])
    room = rng.choice(ROOMS)
    title = f"{subject}: follow-up"
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
    for address in wrote:
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
                f"{address} (wrote in a thread) is invited to '{title}'",
                what=f"invitations of {address}",
            )
        )
    expectations.append(
        Answer(event["start"], "the answer is the meeting's start", traps={f"{when}T09:00:00": "the day's start"})
    )
    look = (
        fetch_all("threads", f"apis.email.show_threads(access_token=email_token, folder='all', query={subject!r}")
        + f"threads = [t for t in threads if t['subject'] == {subject!r}]\n"
        + "wrote = []\n"
        + "for t in threads:  # the list names everyone addressed; who wrote is only in the thread\n"
        + "    full = apis.email.show_thread(access_token=email_token, thread_id=t['thread_id'])\n"
        + "    for e in full['emails']:\n"
        + "        if e['sender']['email'] != me['email'] and e['sender']['email'] not in wrote:\n"
        + "            wrote.append(e['sender']['email'])\n"
        + "print(len(threads), wrote)\n"
    )
    slot = (
        "from datetime import date, datetime, timedelta\n"
        f"day = date.fromisoformat({first.isoformat()!r})\n"
        "slots = []\n"
        "for _ in range(28):  # weekdays one by one until all of us are free\n"
        "    if day.weekday() < 5:\n"
        "        slots = apis.calendar.find_free_slots(access_token=calendar_token, date=day.isoformat(), "
        f"duration_minutes={minutes}, attendee_emails=wrote)\n"
        "        print(day, slots)\n"
        "        if slots:\n"
        "            break\n"
        "    day += timedelta(days=1)\n"
        "calendars = apis.calendar.show_calendars(access_token=calendar_token, ownership='mine', page_limit=20)\n"
        "work = next(c['calendar_id'] for c in calendars if c['name'] == 'Work')\n"
    )
    act = (
        "start = slots[0]['start']\n"
        f"end = (datetime.fromisoformat(start) + timedelta(minutes={minutes})).isoformat()\n"
        f"created = apis.calendar.create_event(access_token=calendar_token, title={title!r}, start=start, end=end, "
        f"calendar_id=work, location={room!r}, attendee_emails=wrote)\n"
    )
    check = (
        "print(apis.calendar.show_event_attendees(access_token=calendar_token, event_id=created['event_id'], "
        "page_limit=20))\n"
    )
    done = "apis.supervisor.complete_task(answer=start)\n"
    oracle = Solution().step(login("email", "calendar")).step(look).step(slot).step(act).step(check).step(done)
    return TaskSpec(
        me,
        f"Set up a {minutes}-minute meeting titled '{title}' on my Work calendar, in {room}, at the first time "
        f"within my work hours, on a weekday from {first} on, when I and everyone else who wrote in any of my email "
        f"threads titled '{subject}' (outside the spam and the trash) are free, and invite them all (not those who "
        "were only addressed or copied and never wrote). Tell me when it starts (YYYY-MM-DDTHH:MM:SS).",
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
