"""Scenarios joining phone contacts and calls with the calendar: call-backs, birthdays, meetings with contacts."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from envs.toolworld.apps.phone import blocked_by
from envs.toolworld.evaluate import Answer, Expectation, Inserted, NewRow, Updated
from envs.toolworld.scenarios._calendar import reader
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios._rows import new_event
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

TODAY = WORLD_NOW.date()
TOMORROW = (TODAY + timedelta(days=1)).isoformat()
MIN_FRIENDS = 10  # a birthday event each, their contact list paged
MIN_MEETINGS = 3  # a busy week: at least this many meetings with guests who accepted, each read, texted, noted


def contact_names(view: WorldView, owner: int) -> dict[str, str]:
    """Phone number -> the name it is saved under (the first entry if saved twice), as the phone shows it."""
    names: dict[str, str] = {}
    for c in view.rows("SELECT * FROM phone_contacts WHERE owner_id = ? ORDER BY id", owner):
        names.setdefault(c["phone_number"], f"{c['first_name']} {c['last_name']}")
    return names


def calendar_id(view: WorldView, owner: int, name: str) -> int:
    return int(view.value("SELECT id FROM calendar_calendars WHERE owner_id = ? AND name = ?", owner, name))


FIND_CALENDAR = """
calendars = apis.calendar.show_calendars(access_token=calendar_token)
print([(c['calendar_id'], c['name']) for c in calendars])
target = next(c['calendar_id'] for c in calendars if c['name'] == {name!r})
"""


def pending_callbacks(view: WorldView, owner: int, since: str) -> list[tuple[str, str, str, bool]]:
    """(name, number, latest missed call, texted since) of saved contacts whose latest missed call since `since` I
    have not called back (no outgoing call after it), by name; texted: I sent them a text after that call."""
    names = contact_names(view, owner)
    latest: dict[str, str] = {}
    for call in view.rows(
        "SELECT phone_number, started_at FROM phone_calls WHERE owner_id = ? AND direction = 'missed' "
        "AND started_at >= ?",
        owner,
        since,
    ):
        if call["phone_number"] in names:
            latest[call["phone_number"]] = max(latest.get(call["phone_number"], ""), call["started_at"])
    return sorted(
        (names[number], number, missed, texted_after(view, owner, number, missed))
        for number, missed in latest.items()
        if not view.rows(
            "SELECT 1 FROM phone_calls WHERE owner_id = ? AND phone_number = ? AND direction = 'outgoing' "
            "AND started_at > ?",
            owner,
            number,
            missed,
        )
    )


def texted_after(view: WorldView, owner: int, number: str, moment: str) -> bool:
    """Whether a text I sent to `number` after `moment` is on my phone."""
    return bool(
        view.value(
            "SELECT COUNT(*) FROM phone_messages m JOIN people p ON p.phone_number = ? WHERE m.sender_id = ? "
            "AND m.receiver_id = p.id AND m.sent_at > ? AND m.id NOT IN (SELECT message_id FROM "
            "phone_deleted_messages WHERE owner_id = ?)",
            number,
            owner,
            moment,
            owner,
        )
    )


def called_back(view: WorldView, owner: int, number: str, moment: str) -> bool:
    """Whether I called `number` (an outgoing call) after `moment`."""
    return bool(
        view.rows(
            "SELECT 1 FROM phone_calls WHERE owner_id = ? AND phone_number = ? AND direction = 'outgoing' "
            "AND started_at > ?",
            owner,
            number,
            moment,
        )
    )


def voicemail_after(view: WorldView, owner: int, number: str, moment: str) -> str:
    """The transcript of the voicemail `number` left me at or after `moment` (the latest), else ''."""
    found = view.rows(
        "SELECT transcript FROM phone_voicemails WHERE owner_id = ? AND phone_number = ? AND left_at >= ? "
        "ORDER BY left_at DESC, id DESC LIMIT 1",
        owner,
        number,
        moment,
    )
    return found[0]["transcript"] if found else ""


def slot(day: str, first_minute: int, index: int, minutes: int) -> tuple[str, str]:
    begin = datetime.fromisoformat(day) + timedelta(minutes=first_minute + index * minutes)
    return begin.isoformat(timespec="seconds"), (begin + timedelta(minutes=minutes)).isoformat(timespec="seconds")


@scenario("contacts_schedule_callbacks", apps=("phone", "calendar"))
def schedule_callbacks(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep: whether a missed call was returned rests on outgoing calls and on texts I sent after it (both read per
    caller: some callers were texted back and are distractors), and each call-back event carries the voicemail that
    came with the missed call (voicemails read per caller; some left none)."""
    since = rng.choice(["2025-12-01", "2026-01-01", "2025-10-01"])
    candidates = []
    for p in view.people_ids():
        found = pending_callbacks(view, p, since)
        left = [(number, missed) for _, number, missed, texted in found if not texted]
        if (
            3 <= len(left) <= 8
            and any(texted for *_, texted in found)
            and any(voicemail_after(view, p, number, missed) for number, missed in left)
        ):
            candidates.append(p)
    owner = pick(rng, candidates, "person with missed calls to return, some texted back, a voicemail", distinct=True)
    pending = [(n, number, missed) for n, number, missed, texted in pending_callbacks(view, owner, since) if not texted]
    personal = calendar_id(view, owner, "Personal")
    look = (
        fetch_all(
            "missed",
            f"apis.phone.show_call_history(access_token=phone_token, direction='missed', started_after={since!r}",
        )
        + fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token")
        + """
names = {}
for c in sorted(contacts, key=lambda c: c['contact_id']):
    names.setdefault(c['phone_number'], c['first_name'] + ' ' + c['last_name'])
latest = {}
for call in missed:
    if call['phone_number'] in names:
        latest[call['phone_number']] = max(latest.get(call['phone_number'], ''), call['started_at'])
print(len(missed), 'missed calls;', len(latest), 'from contacts')
"""
    )
    decide = """
pending = []
for number, when in latest.items():
    outgoing = apis.phone.show_call_history(access_token=phone_token, phone_number=number, direction='outgoing',
                                            started_after=when[:10], page_limit=20)
    if any(call['started_at'] > when for call in outgoing):
        continue
    sent = apis.phone.search_text_messages(access_token=phone_token, phone_number=number, direction='sent',
                                           sent_after=when[:10], page_limit=20)
    if any(m['sent_at'] > when for m in sent):
        continue
    pending.append((names[number], number, when))
pending.sort()
print(pending)
"""
    voicemails = """
said = {}
for name, number, when in pending:
    heard = apis.phone.show_voicemails(access_token=phone_token, phone_number=number, page_limit=1)
    said[number] = heard[0]['transcript'] if heard and heard[0]['left_at'] >= when else ''
print(said)
"""
    act = FIND_CALENDAR.format(name="Personal") + (
        "for i, (name, number, when) in enumerate(pending):\n"
        "    minute = 9 * 60 + 15 * i\n"
        "    hour = '%02d:%02d' % divmod(minute, 60)\n"
        f"    end = '{TOMORROW}T%02d:%02d' % divmod(minute + 15, 60)\n"
        "    apis.calendar.create_event(access_token=calendar_token, title='Call back ' + name, "
        f"start='{TOMORROW}T' + hour, end=end, calendar_id=target, description=said[number])\n"
        "    apis.phone.send_text_message(access_token=phone_token, phone_number=number, "
        "message=\"Sorry I missed your call! I'll call you back tomorrow at \" + hour + '.')\n"
    )
    check = (
        fetch_all(
            "booked",
            f"apis.calendar.show_events(access_token=calendar_token, query='Call back', date_from={TOMORROW!r}, "
            f"date_to={TOMORROW!r}",
        )
        + "print([(e['start'], e['title'], e['description']) for e in booked])\n"
    )
    oracle = (
        Solution()
        .step(login("phone", "calendar"))
        .step(look)
        .step(decide)
        .step(voicemails)
        .step(act)
        .step(check)
        .step("apis.supervisor.complete_task(answer=[name for name, _, _ in pending])\n")
        .steps()
    )
    expectations: list[Expectation] = []
    for i, (name, number, missed) in enumerate(pending):
        start, end = slot(TOMORROW, 9 * 60, i, 15)
        said = voicemail_after(view, owner, number, missed)
        expectations.append(
            Inserted(
                "calendar_events",
                new_event(owner, personal, f"Call back {name}", start, end, description=said),
                f"a 15-minute 'Call back {name}' event at {start[11:16]} tomorrow on the Personal calendar, "
                + (f"described by their voicemail {said!r}" if said else "with no description (no voicemail)"),
                what=f"call-back events for {name}",
            )
        )
        expectations.append(
            Inserted(
                "phone_messages",
                {
                    "sender_id": owner,
                    "receiver_id": view.value("SELECT id FROM people WHERE phone_number = ?", number),
                    "message": f"Sorry I missed your call! I'll call you back tomorrow at {start[11:16]}.",
                    "is_read": 0,
                },
                f"{name} is texted the call-back time {start[11:16]}",
                what=f"texts to {name}",
            )
        )
    names = [name for name, _, _ in pending]
    expectations.append(
        Answer(names, f"the answer names the {len(names)} people to call back", traps={"[]": "no one listed"})
    )
    return TaskSpec(
        owner,
        f"Since {since} I missed calls from some of my contacts that I never got back to: no outgoing call to them "
        "and no text from me to them after their latest missed call. For each such contact, put a 15-minute event "
        f"'Call back <First Last>' (their name as saved in my phone) on my Personal calendar tomorrow ({TOMORROW}): "
        "the first at 09:00, each next one 15 minutes later, in alphabetical order of name, with the transcript of "
        "the voicemail they left with that missed call as its description (none if they left none), and text each "
        'of them exactly "Sorry I missed your call! I\'ll call you back tomorrow at HH:MM." with their time. '
        "Ignore callers not in my contacts. Tell me the names.",
        oracle,
        expectations,
    )


def next_birthday(birthday: str) -> date:
    month, day = int(birthday[5:7]), int(birthday[8:10])
    this_year = date(TODAY.year, month, day)
    return this_year if this_year >= TODAY else date(TODAY.year + 1, month, day)


@scenario("contacts_birthday_events", apps=("phone", "calendar"))
def birthday_events(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep: 10+ friends (MIN_FRIENDS: their list spans pages), and the 2+ with no birthday saved are not skipped:
    their date comes from the calendar's birthday list (another app, matched by email) and is saved on the contact,
    then they get the event too; the next birthday is asked over all of them; contacts of other kinds and
    old-number entries are distractors."""
    kind = "friend"  # coworkers are at most 8 a person in the world
    groups = view.rows(
        "SELECT owner_id FROM phone_contacts WHERE relationship = ? GROUP BY owner_id "
        "HAVING COUNT(*) BETWEEN ? AND 14 AND SUM(birthday IS NOT NULL) >= 3 AND SUM(birthday IS NULL) >= 2 "
        "AND SUM(substr(birthday, 6) = '02-29') = 0 ORDER BY owner_id",
        kind,
        MIN_FRIENDS,
    )
    owner = pick(rng, groups, f"{MIN_FRIENDS}+ {kind} contacts, 2+ without a birthday", distinct=True)["owner_id"]
    people = view.rows(
        "SELECT c.id, c.first_name || ' ' || c.last_name AS name, c.birthday AS saved, p.birthday "
        "FROM phone_contacts c JOIN people p ON p.email = c.email WHERE c.owner_id = ? AND c.relationship = ? "
        "ORDER BY c.id",
        owner,
        kind,
    )
    personal = calendar_id(view, owner, "Personal")
    soonest = min(people, key=lambda p: (next_birthday(p["birthday"]), p["name"]))
    look = (
        fetch_all("contacts", f"apis.phone.search_contacts(access_token=phone_token, relationship={kind!r}")
        + f"""
today = {TODAY.isoformat()!r}
missing = [c for c in contacts if not c['birthday']]
print(len(contacts), 'contacts,', len(missing), 'without a birthday')
def next_birthday(birthday):
    this_year = today[:4] + birthday[4:]
    return this_year if this_year >= today else str(int(today[:4]) + 1) + birthday[4:]
"""
    )
    fill = fetch_all("known", f"apis.calendar.show_birthdays(access_token=calendar_token, relationship={kind!r}") + (
        "born = {b['email']: b['birthday'] for b in known}\n"
        "for c in missing:\n"
        "    c['birthday'] = born[c['email']]\n"
        "    apis.phone.update_contact(access_token=phone_token, contact_id=c['contact_id'], birthday=c['birthday'])\n"
        "print([(c['first_name'], c['birthday']) for c in missing])\n"
    )
    act = FIND_CALENDAR.format(name="Personal") + (
        "for c in contacts:\n"
        "    apis.calendar.create_event(access_token=calendar_token, title='Birthday: ' + c['first_name'] + ' ' + "
        "c['last_name'], start=next_birthday(c['birthday']), all_day=True, recurrence='yearly', calendar_id=target, "
        "reminder_minutes=1440)\n"
    )
    check = fetch_all(
        "made", "apis.calendar.show_events(access_token=calendar_token, query='Birthday', calendar_id=target"
    ) + (
        "print([(e['start'], e['title'], e['recurrence']) for e in made])\n"
        "first = min(contacts, key=lambda c: (next_birthday(c['birthday']), c['first_name'] + ' ' + c['last_name']))\n"
    )
    oracle = (
        Solution()
        .step(login("phone", "calendar"))
        .step(look)
        .step(fill)
        .step(act)
        .step(check)
        .step("apis.supervisor.complete_task(answer=first['first_name'] + ' ' + first['last_name'])\n")
        .steps()
    )
    expectations: list[Expectation] = []
    for p in people:
        day = next_birthday(p["birthday"])
        event = new_event(
            owner,
            personal,
            f"Birthday: {p['name']}",
            f"{day.isoformat()}T00:00:00",
            f"{(day + timedelta(days=1)).isoformat()}T00:00:00",
            all_day=1,
            recurrence="yearly",
        )
        expectations.append(
            Inserted(
                "calendar_events",
                event,
                f"a yearly all-day 'Birthday: {p['name']}' event on {day} (Personal calendar)",
                what=f"birthday events for {p['name']}",
            )
        )
        expectations.append(
            Inserted(
                "calendar_reminders",
                {
                    "event_id": NewRow("calendar_events", event),
                    "person_id": owner,
                    "minutes_before": 1440,
                    "method": "popup",
                },
                f"the birthday of {p['name']} has a pop-up reminder a day (1440 minutes) before",
                what=f"reminders for {p['name']}",
            )
        )
        if p["saved"] is None:
            expectations.append(
                Updated(
                    "phone_contacts",
                    p["id"],
                    {"birthday": p["birthday"]},
                    f"{p['name']}'s contact gets the birthday {p['birthday']} from my calendar",
                )
            )
    saved = [p for p in people if p["saved"]]
    first_saved = min(saved, key=lambda p: (next_birthday(p["birthday"]), p["name"]))["name"]
    earliest = min(people, key=lambda p: p["birthday"][5:])["name"]
    traps = {
        name.lower(): why
        for name, why in (
            (earliest, "that birthday is earliest in the year, but it has already passed this year"),
            (first_saved, "the next among the birthdays saved in my phone, but a contact without one comes first"),
        )
        if name != soonest["name"]
    }
    expectations.append(Answer(soonest["name"], f"the answer is {soonest['name']}, the next birthday", traps=traps))
    return TaskSpec(
        owner,
        f"For every {kind} contact in my phone, add a yearly all-day event 'Birthday: <First Last>' on my Personal "
        f"calendar, starting on their next birthday (today, {TODAY.isoformat()}, counts), with a pop-up reminder one "
        "day (1440 minutes) before. For those without a birthday saved in my phone, take it from the birthday list "
        "of my calendar app and save it on their contact too. Then tell me whose birthday comes next.",
        oracle,
        expectations,
    )


def _week_meetings(view: WorldView, owner: int, monday: date) -> list[dict]:
    """The one-off meetings with a place and guests that `owner` organizes in the week from `monday`, by start."""
    return view.rows(
        "SELECT e.id, e.title, e.start, e.location FROM calendar_events e WHERE e.organizer_id = ? "
        "AND e.status = 'confirmed' AND e.recurrence = 'none' AND e.location != '' AND e.start >= ? AND e.start < ? "
        "AND EXISTS (SELECT 1 FROM calendar_attendees a WHERE a.event_id = e.id AND a.person_id != ?) "
        "ORDER BY e.start, e.id",
        owner,
        monday.isoformat(),
        (monday + timedelta(days=7)).isoformat(),
        owner,
    )


def _accepted(view: WorldView, event_id: int, owner: int) -> list[dict]:
    return view.rows(
        "SELECT p.id, p.first_name || ' ' || p.last_name AS name, p.email FROM calendar_attendees a "
        "JOIN people p ON p.id = a.person_id WHERE a.event_id = ? AND a.response = 'accepted' AND a.person_id != ? "
        "ORDER BY a.id",
        event_id,
        owner,
    )


def _textable(view: WorldView, owner: int, meetings: list[dict]) -> bool:
    """Whether each meeting names itself by title and day, none has my 30-minute reminder yet, and each accepted
    guest in my contacts has one number there and has not blocked mine (else which text arrives is a guess)."""
    named = {(m["title"], m["start"][:10]) for m in meetings}
    if len(named) < len(meetings):
        return False
    ctx = reader(view, owner)
    for m in meetings:
        if view.value(
            "SELECT COUNT(*) FROM calendar_reminders WHERE event_id = ? AND person_id = ? AND minutes_before = 30",
            m["id"],
            owner,
        ):
            return False
        for a in _accepted(view, m["id"], owner):
            numbers = view.rows(
                "SELECT DISTINCT phone_number FROM phone_contacts WHERE owner_id = ? AND email = ?", owner, a["email"]
            )
            if len(numbers) > 1 or (numbers and blocked_by(ctx, a["id"])):
                return False
    return True


@scenario("contacts_text_meeting_attendees", apps=("phone", "calendar"))
def text_meeting_attendees(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep because a week holds 3+ of my meetings whose accepted guests are only in each one's attendee list (the
    event list shows a count), each texted at the number in my contacts; a meeting no one accepted, a repeating one
    or one without a place is left alone."""
    pool = []
    for weeks in range(1, 6):
        monday = TODAY + timedelta(days=7 * weeks - TODAY.weekday())
        for owner in view.people_ids():
            meetings = _week_meetings(view, owner, monday)
            held = [m for m in meetings if _accepted(view, m["id"], owner)]
            if len(held) >= MIN_MEETINGS and _textable(view, owner, meetings):
                pool.append((owner, monday, meetings, held))
    owner, monday, meetings, held = pick(
        rng, pool, f"week with {MIN_MEETINGS}+ of my meetings whose guests accepted", distinct=True
    )
    sunday = monday + timedelta(days=6)
    emails = {r["email"] for r in view.rows("SELECT email FROM phone_contacts WHERE owner_id = ?", owner)}
    expectations: list[Expectation] = []
    missing: dict[str, None] = {}
    for m in held:
        day, hour = m["start"][:10], m["start"][11:16]
        text = f"Reminder: {m['title']} at {hour} on {day}, {m['location']}. See you there!"
        accepted = _accepted(view, m["id"], owner)
        texted = [a for a in accepted if a["email"] in emails]
        missing |= dict.fromkeys(a["name"] for a in accepted if a["email"] not in emails)
        expectations += [
            Inserted(
                "phone_messages",
                {"sender_id": owner, "receiver_id": a["id"], "message": text, "is_read": 0},
                f"{a['name']}, who accepted '{m['title']}' on {day}, gets its reminder text",
                what=f"texts to {a['name']} about '{m['title']}'",
            )
            for a in texted
        ]
        expectations.append(
            Inserted(
                "calendar_notes",
                {"event_id": m["id"], "author_id": owner, "text": f"Reminder texted to {len(texted)} people."},
                f"'{m['title']}' on {day} gets the note 'Reminder texted to {len(texted)} people.'",
                what=f"notes on '{m['title']}'",
            )
        )
        expectations.append(
            Inserted(
                "calendar_reminders",
                {"event_id": m["id"], "person_id": owner, "minutes_before": 30, "method": "popup"},
                f"I get a pop-up reminder 30 minutes before '{m['title']}' on {day}",
                what=f"reminders of '{m['title']}'",
            )
        )
    expectations.append(Answer(sorted(missing), "the answer lists the accepted guests missing from my contacts"))
    look = (
        fetch_all(
            "events",
            "apis.calendar.show_events(access_token=calendar_token, role='organizer', "
            f"date_from={monday.isoformat()!r}, date_to={sunday.isoformat()!r}",
        )
        + "meetings = [e for e in events if e['recurrence'] == 'none' and e['location'] and e['attendee_count'] "
        f"and {monday.isoformat()!r} <= e['start'][:10] <= {sunday.isoformat()!r}]\n"
        "print([(e['event_id'], e['title'], e['start'], e['location'], e['attendee_count']) for e in meetings])\n"
        + fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token")
        + "by_email = {c['email']: c for c in contacts if c['email']}\n"
        "print(len(contacts))\n"
    )
    guests = (
        "accepted = {}\n"
        "for e in meetings:\n"
        + fetch_all(
            "found",
            "apis.calendar.show_event_attendees(access_token=calendar_token, event_id=e['event_id'], "
            "response='accepted'",
            indent="    ",
        )
        + "    accepted[e['event_id']] = [a for a in found if a['email'] != me['email']]\n"
        "    print(e['title'], e['start'], [a['email'] for a in accepted[e['event_id']]])\n"
    )
    act = (
        "missing = []\n"
        "for e in meetings:\n"
        "    if not accepted[e['event_id']]:\n"
        "        continue  # no one accepted: no text, note or reminder\n"
        "    text = 'Reminder: ' + e['title'] + ' at ' + e['start'][11:16] + ' on ' + e['start'][:10] + ', ' "
        "+ e['location'] + '. See you there!'\n"
        "    texted = 0\n"
        "    for a in accepted[e['event_id']]:\n"
        "        if a['email'] in by_email:\n"
        "            apis.phone.send_text_message(access_token=phone_token, "
        "phone_number=by_email[a['email']]['phone_number'], message=text)\n"
        "            texted += 1\n"
        "        elif a['name'] not in missing:\n"
        "            missing.append(a['name'])\n"
        "    apis.calendar.add_event_note(access_token=calendar_token, event_id=e['event_id'], "
        "text='Reminder texted to %d people.' % texted)\n"
        "    apis.calendar.add_event_reminder(access_token=calendar_token, event_id=e['event_id'], minutes_before=30)\n"
        "print(missing)\n"
    )
    check = (
        "for e in meetings:\n"
        "    if accepted[e['event_id']]:\n"
        "        print(e['title'], apis.calendar.show_event_reminders(access_token=calendar_token, "
        "event_id=e['event_id']))\n"
    )
    oracle = (
        Solution()
        .step(login("calendar", "phone"))
        .step(look)
        .step(guests)
        .step(act)
        .step(check)
        .step("apis.supervisor.complete_task(answer=missing)\n")
        .steps()
    )
    return TaskSpec(
        owner,
        f"For each one-off meeting I organize in the week from {monday} to {sunday} that has a place and guests (not "
        "repeating or cancelled events), text everyone who accepted it (not those who declined or have not answered): "
        "'Reminder: <title> at <HH:MM> on <YYYY-MM-DD>, <place>. See you there!', to the number saved in my phone "
        "contacts. Then leave a note on that meeting 'Reminder texted to <N> people.' (N: how many you texted for "
        "it) and give me a pop-up reminder 30 minutes before it. A meeting no one accepted gets no text, note or "
        "reminder. Tell me the names of accepted guests who are not in my contacts (each once; an empty list if "
        "none).",
        oracle,
        expectations,
    )
