"""Calendar scenarios on the birthdays of the people I know: texting them, and keeping them on my calendar."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from envs.toolworld.apps._calendar_people import show_birthdays
from envs.toolworld.evaluate import Answer, Expectation, Inserted, NewRow, Updated
from envs.toolworld.scenarios._calendar import reader
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, login, pick
from envs.toolworld.scenarios._rows import new_event
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

TEXT_DAYS = (75, 90, 105)  # how far ahead to look, per variant
TEXT_DAYS_MAX = 180  # a world with fewer birthdays ahead (not world 0) looks up to this far
MONTHS = ("January February March April May June July August September October November December").split()


def _text(first_name: str, when: str) -> str:
    return f"Hi {first_name}, your birthday is coming up on {when}! Let's celebrate: when are you free?"


TEXTED_SINCE = "2026-04-01"  # a birthday text of mine since then means they have heard from me already


def _family_text(first_name: str, when: str) -> str:
    return f"Hi {first_name}, your birthday is coming up on {when}! Shall we plan a family dinner?"


def _texting_pool(view: WorldView, days: int) -> list[tuple[int, list[tuple[dict[str, Any], dict[str, Any], bool]]]]:
    """People with 6-12 friends and family in their contacts whose birthdays fall in the next `days` days (and
    others' birthdays too), each with those birthdays, contacts and whether I texted them lately."""
    pool = []
    for person in view.people_ids():
        coming = show_birthdays(reader(view, person), within_days=days)
        close = []
        for b in coming:
            if b["relationship"] not in ("friend", "family"):
                continue
            contact = view.rows(
                "SELECT c.phone_number, p.id, p.first_name FROM phone_contacts c JOIN people p ON p.email = c.email "
                "WHERE c.owner_id = ? AND c.email = ?",
                person,
                b["email"],
            )
            if contact:
                texted = view.value(
                    "SELECT COUNT(*) FROM phone_messages WHERE sender_id = ? AND receiver_id = ? AND sent_at >= ? "
                    "AND instr(lower(message), 'birthday')",
                    person,
                    contact[0]["id"],
                    TEXTED_SINCE,
                )
                close.append((b, contact[0], bool(texted)))
        kinds = {b["relationship"] for b, _, _ in close}
        if 6 <= len(close) <= 12 and kinds == {"friend", "family"} and len(coming) > len(close):
            pool.append((person, close))
    return pool


@scenario("calendar_birthday_texts", apps=("calendar", "phone"))
def birthday_texts(view: WorldView, rng: random.Random) -> TaskSpec:
    """Friends and family with a birthday in the next weeks get a text each (a different one for family), at the
    number in my contacts (looked up per person; people not in my contacts and coworkers or roommates are skipped),
    unless I already texted them about their birthday lately (texts read per person); the answer names them."""
    first = TEXT_DAYS[getattr(rng, "variant", 0) % len(TEXT_DAYS)]
    days, pool = as_deep_as_found(range(first, TEXT_DAYS_MAX + 1, 15), lambda d: _texting_pool(view, d))
    person, close = pick(rng, pool, "person with friends' and family birthdays coming up", distinct=True)
    expectations: list[Expectation] = []
    texted_names = []
    for b, contact, texted in close:
        if texted:
            continue
        write = _text if b["relationship"] == "friend" else _family_text
        texted_names.append(b["name"])
        expectations.append(
            Inserted(
                "phone_messages",
                {
                    "sender_id": person,
                    "receiver_id": contact["id"],
                    "message": write(contact["first_name"], b["next_birthday"]),
                    "is_read": 0,
                },
                f"{b['name']} ({b['relationship']}) is texted about their birthday on {b['next_birthday']}",
                what=f"texts to {b['name']}",
            )
        )
    expectations.append(
        Answer(
            texted_names,
            "the answer lists the friends and family texted",
            traps={"[]": "nobody found: the birthdays were not looked up"},
        )
    )
    look = (
        fetch_all("coming", f"apis.calendar.show_birthdays(access_token=calendar_token, within_days={days}")
        + "close = [b for b in coming if b['relationship'] in ('friend', 'family')]\nprint(coming)\n"
    )
    numbers = f"""
numbers = {{}}
for b in close:
    found = apis.phone.search_contacts(access_token=phone_token, query=b['email'], page_limit=20)
    contact = next((c for c in found if c['email'] == b['email']), None)
    if contact is None:
        continue
    said = apis.phone.search_text_messages(
        access_token=phone_token, phone_number=contact['phone_number'], direction='sent', query='birthday',
        sent_after={TEXTED_SINCE!r}, page_limit=1,
    )
    if not said:
        numbers[b['email']] = contact['phone_number']
print(numbers)
"""
    act = """
texted = []
for b in close:
    if b['email'] not in numbers:
        continue
    first = b['name'].split(' ')[0]
    if b['relationship'] == 'friend':
        text = ('Hi ' + first + ', your birthday is coming up on ' + b['next_birthday']
                + "! Let's celebrate: when are you free?")
    else:
        text = ('Hi ' + first + ', your birthday is coming up on ' + b['next_birthday']
                + '! Shall we plan a family dinner?')
    apis.phone.send_text_message(access_token=phone_token, phone_number=numbers[b['email']], message=text)
    texted.append(b['name'])
"""
    check = fetch_all("sent", "apis.phone.search_text_messages(access_token=phone_token, query='birthday'") + (
        "print([m['message'] for m in sent][:10])\n"
    )
    done = "apis.supervisor.complete_task(answer=texted)\n"
    oracle = Solution().step(login("calendar", "phone")).step(look).step(numbers).step(act).step(check).step(done)
    return TaskSpec(
        person,
        f"Which of my friends and family have a birthday in the next {days} days? Text each of them at the number in "
        'my phone contacts (skip anyone not in my contacts). Friends get: "Hi <first name>, your birthday is coming '
        'up on <YYYY-MM-DD>! Let\'s celebrate: when are you free?" and family: "Hi <first name>, your birthday is '
        'coming up on <YYYY-MM-DD>! Shall we plan a family dinner?" Skip anyone I already sent a text mentioning '
        f"their birthday since {TEXTED_SINCE}. Coworkers and roommates are not part of this. Then tell me the full "
        "names of those you texted.",
        oracle.steps(),
        expectations,
    )


BIRTH_MONTHS = (6, 7, 8, 9, 10)


@scenario("calendar_birthday_events", apps=("calendar", "phone"))
def birthday_events(view: WorldView, rng: random.Random) -> TaskSpec:
    """A yearly all-day event with a reminder for each friend born from June to October (coworkers and family are
    distractors), and their birthday filled in on their phone contact when it is missing (contact read per friend;
    friends not in my contacts are skipped)."""
    pool = []
    for person in view.people_ids():
        ctx = reader(view, person)
        friends = [b for m in BIRTH_MONTHS for b in show_birthdays(ctx, month=m, relationship="friend")]
        everyone = [b for m in BIRTH_MONTHS for b in show_birthdays(ctx, month=m)]
        if 7 <= len(friends) <= 14 and len(everyone) > len(friends):
            pool.append((person, sorted(friends, key=lambda b: (b["next_birthday"], b["name"]))))
    person, friends = pick(rng, pool, "person with 7-14 friends born from June to October", distinct=True)
    personal = view.value(
        "SELECT id FROM calendar_calendars WHERE owner_id = ? AND is_primary = 1 ORDER BY id LIMIT 1", person
    )
    expectations: list[Expectation] = []
    for b in friends:
        title = f"{b['name']}'s birthday"
        start = date.fromisoformat(b["next_birthday"])
        row = new_event(
            person,
            personal,
            title,
            f"{start}T00:00:00",
            f"{start + timedelta(days=1)}T00:00:00",
            description=f"{b['name']} turns {b['turns']}.",
            all_day=1,
            recurrence="yearly",
            busy=0,
        )
        expectations += [
            Inserted("calendar_events", row, f"a yearly all-day '{title}' event on {start}, shown as free"),
            Inserted(
                "calendar_reminders",
                {
                    "event_id": NewRow("calendar_events", {"title": title}),
                    "person_id": person,
                    "minutes_before": 1440,
                    "method": "popup",
                },
                f"'{title}' has a popup reminder a day before",
            ),
        ]
        contact = view.rows(
            "SELECT id, birthday FROM phone_contacts WHERE owner_id = ? AND email = ?", person, b["email"]
        )
        if contact and not contact[0]["birthday"]:
            expectations.append(
                Updated(
                    "phone_contacts",
                    contact[0]["id"],
                    {"birthday": b["birthday"]},
                    f"{b['name']}'s contact gets the birthday {b['birthday']}",
                )
            )
    expectations.append(
        Answer(
            len(friends),
            "the answer is how many birthday events were added",
            traps={str(len(friends) + 1): "a non-friend's birthday was counted"},
        )
    )
    look = (
        "born = []\n"
        f"for month in {BIRTH_MONTHS!r}:\n"
        + fetch_all(
            "batch_of_month",
            "apis.calendar.show_birthdays(access_token=calendar_token, month=month, relationship='friend'",
            indent="    ",
        )
        + "    born += batch_of_month\n"
        "calendars = apis.calendar.show_calendars(access_token=calendar_token, ownership='mine', page_limit=20)\n"
        "personal = next(c['calendar_id'] for c in calendars if c['is_primary'])\n"
        "print(personal, [(b['name'], b['next_birthday'], b['turns']) for b in born])\n"
    )
    act = """
for b in born:
    apis.calendar.create_event(
        access_token=calendar_token, title=b['name'] + "'s birthday", start=b['next_birthday'], all_day=True,
        calendar_id=personal, description=b['name'] + ' turns ' + str(b['turns']) + '.', recurrence='yearly',
        busy=False, reminder_minutes=1440,
    )
"""
    contacts = """
for b in born:
    found = apis.phone.search_contacts(access_token=phone_token, query=b['email'], page_limit=20)
    contact = next((c for c in found if c['email'] == b['email']), None)
    if contact is not None and not contact['birthday']:
        apis.phone.update_contact(access_token=phone_token, contact_id=contact['contact_id'], birthday=b['birthday'])
"""
    check = fetch_all("added", "apis.calendar.show_events(access_token=calendar_token, query='birthday'") + (
        "print([(e['title'], e['start'], e['recurrence']) for e in added])\n"
    )
    done = "apis.supervisor.complete_task(answer=len(born))\n"
    oracle = Solution().step(login("calendar", "phone")).step(look).step(act).step(contacts).step(check).step(done)
    return TaskSpec(
        person,
        "Put the birthday of each of my friends born from June to October on my primary calendar: an all-day "
        'event titled "<full name>\'s birthday" on their next birthday, repeating every year, with the description '
        "'<full name> turns <age>.', not marking me busy, and with a popup reminder one day (1440 minutes) before. "
        "Only friends, not coworkers or family. Also, for each of them saved in my phone contacts without a "
        "birthday, fill in their date of birth (YYYY-MM-DD). Tell me how many events you added.",
        oracle.steps(),
        expectations,
    )
