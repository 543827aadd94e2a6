"""Calendar scenarios on where my time went: hours per calendar, and how often repeating meetings took place."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from envs.toolworld.api import CallContext
from envs.toolworld.apps._calendar_views import show_time_summary
from envs.toolworld.apps.phone import blocked_by
from envs.toolworld.evaluate import Answer, HasLines, Inserted
from envs.toolworld.scenarios._calendar import MIDNIGHT, NOW, TODAY, day, reader, spans
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios._rows import new_note
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

MONTH_SETS = (
    (("2026-02-01", "2026-02-28"), ("2026-03-01", "2026-03-31"), ("2026-04-01", "2026-04-30")),
    (("2026-01-01", "2026-01-31"), ("2026-02-01", "2026-02-28"), ("2026-03-01", "2026-03-31")),
    (("2025-12-01", "2025-12-31"), ("2026-01-01", "2026-01-31"), ("2026-02-01", "2026-02-28")),
)
NAMES = {"01": "Jan", "02": "Feb", "03": "Mar", "04": "Apr", "12": "Dec"}


def _hours(value: float) -> str:
    return f"{value:g}"


def _year_before(months: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """The same whole months a year earlier (no February 29 in these years)."""
    return [(f"{int(a[:4]) - 1}{a[4:]}", f"{int(b[:4]) - 1}{b[4:]}") for a, b in months]


def _calendar_hours(ctx: CallContext, mine: dict[int, str], months: Any) -> dict[str, float]:
    """Hours per calendar of mine over whole months, as the time summary counts them."""
    totals: dict[str, float] = {}
    for first, last in months:
        for entry in show_time_summary(ctx, first, last):
            if entry["calendar_id"] in mine and entry["hours"] > 0:
                totals[entry["calendar_name"]] = totals.get(entry["calendar_name"], 0.0) + entry["hours"]
    return {name: round(hours, 2) for name, hours in totals.items()}


@scenario("calendar_hours_note", apps=("calendar", "notes"))
def hours_note(view: WorldView, rng: random.Random) -> TaskSpec:
    """Three months' hours per calendar of mine beside the same months a year earlier (three more summaries, and
    calendars with time in only one of the two periods get a line too), in a note; the answer is this year's total."""
    months = MONTH_SETS[getattr(rng, "variant", 0) % len(MONTH_SETS)]
    person = pick(rng, view.people_ids(), "person", distinct=True)
    ctx = reader(view, person)
    mine = {r["id"]: r["name"] for r in view.rows("SELECT id, name FROM calendar_calendars WHERE owner_id = ?", person)}
    totals = _calendar_hours(ctx, mine, months)
    before = _calendar_hours(ctx, mine, _year_before(months))
    title = f"Calendar hours {NAMES[months[0][0][5:7]]}-{NAMES[months[-1][0][5:7]]} {months[-1][0][:4]}"
    lines = [
        f"{name}: {_hours(totals.get(name, 0))} hours (a year earlier: {_hours(before.get(name, 0))})"
        for name in sorted(totals.keys() | before.keys())
    ]
    total = round(sum(totals.values()), 2)
    last_month = sum(e["hours"] for e in show_time_summary(ctx, *months[-1]) if e["calendar_id"] in mine)
    look = (
        "calendars = apis.calendar.show_calendars(access_token=calendar_token, ownership='mine', page_limit=20)\n"
        "mine = {c['calendar_id'] for c in calendars}\n"
        "def hours(months):\n"
        "    totals = {}\n"
        "    for first, last in months:\n"
        "        summary = apis.calendar.show_time_summary(access_token=calendar_token, date_from=first, "
        "date_to=last, page_limit=20)\n"
        "        for s in summary:\n"
        "            if s['calendar_id'] in mine and s['hours'] > 0:\n"
        "                totals[s['calendar_name']] = totals.get(s['calendar_name'], 0) + s['hours']\n"
        "    return {name: round(h, 2) for name, h in totals.items()}\n"
        f"totals = hours({[list(m) for m in months]!r})\n"
        f"before = hours({[list(m) for m in _year_before(months)]!r})\n"
        "print(totals, before)\n"
    )
    write = (
        "names = sorted(set(totals) | set(before))\n"
        "content = '\\n'.join(f'{n}: {totals.get(n, 0):g} hours (a year earlier: {before.get(n, 0):g})' "
        "for n in names)\n"
        f"apis.notes.create_note(access_token=notes_token, title={title!r}, content=content)\n"
    )
    check = fetch_all("found", f"apis.notes.search_notes(access_token=notes_token, query={title!r}") + (
        "print([(n['title'], n.get('content')) for n in found])\n"
    )
    done = "apis.supervisor.complete_task(answer=round(sum(totals.values()), 2))\n"
    oracle = Solution().step(login("calendar", "notes")).step(look).step(write).step(check).step(done).steps()
    span = f"{months[0][0]} to {months[-1][1]}"
    return TaskSpec(
        person,
        f"How many hours did each of my own calendars take from {span} (whole months, as the calendar's time "
        f"summary counts them; calendars of other people don't count), and how many the same months a year earlier? "
        f"Write a note titled '{title}' with one line per calendar that took any time in either period, like "
        "'Work: 12.5 hours (a year earlier: 10)' (0 where it took none; whole hours without decimals, 10 not 10.0), "
        "and tell me the total hours of all of them "
        f"from {span}.",
        oracle,
        [
            Inserted(
                "notes_notes",
                new_note(person, title, HasLines(lines)),
                f"a note '{title}' with exactly the lines {lines}",
                what="notes",
            ),
            Answer(
                total,
                "the answer is the total hours over the three months",
                traps={_hours(round(last_month, 2)): "only the last month was counted"},
            ),
        ],
    )


def _held(view: WorldView, event: dict, first: date, last: date) -> int:
    """How many occurrences of `event` started on the days first..last, cancelled ones left out."""
    low = datetime.combine(first, datetime.min.time())
    return sum(
        1 for s, _ in spans(view, event, low, low + timedelta(days=(last - first).days + 1)) if s.date() >= first
    )


@scenario("calendar_standup_tally_note", apps=("calendar",))
def standup_tally_note(view: WorldView, rng: random.Random) -> TaskSpec:
    first, last = TODAY - timedelta(days=365), TODAY - timedelta(days=1)
    standups = view.rows(
        "SELECT e.* FROM calendar_events e WHERE e.title = 'Team standup' AND e.status = 'confirmed' "
        "AND EXISTS (SELECT 1 FROM calendar_exceptions x WHERE x.event_id = e.id AND x.occurrence_date >= ?) "
        "ORDER BY e.id",
        first.isoformat(),
    )
    standup = pick(rng, standups, "standup with cancelled weeks in the last year", distinct=True)
    held = _held(view, standup, first, last)
    text = f"We have met {held} times since {first}."
    upcoming = next(s for s, _ in spans(view, standup, MIDNIGHT, MIDNIGHT + timedelta(days=14)) if s >= WORLD_NOW)
    look = (
        fetch_all(
            "found", "apis.calendar.show_events(access_token=calendar_token, query='Team standup', role='organizer'"
        )
        + "standup = next(e for e in found if e['title'] == 'Team standup' and e['recurrence'] == 'weekly')\n"
        + fetch_all(
            "past",
            f"apis.calendar.show_occurrences(access_token=calendar_token, event_id=standup['event_id'], "
            f"date_from={first.isoformat()!r}, date_to={last.isoformat()!r}",
        )
        + "held = [o for o in past if not o['is_cancelled']]\n"
        + "print(len(past), len(held))\n"
    )
    act = (
        "apis.calendar.add_event_note(access_token=calendar_token, event_id=standup['event_id'], "
        f"text='We have met ' + str(len(held)) + ' times since {first}.')\n"
        + "print(apis.calendar.show_event_notes(access_token=calendar_token, event_id=standup['event_id'], "
        "page_limit=20)[-1])\n"
        + fetch_all(
            "nexts",
            f"apis.calendar.show_occurrences(access_token=calendar_token, event_id=standup['event_id'], "
            f"date_from={day(0)!r}, date_to={day(13)!r}",
        )
        + "nxt = next(o for o in nexts if not o['is_cancelled'] and o['start'] >= "
        f"{NOW!r})\n" + "apis.calendar.add_event_reminder(access_token=calendar_token, event_id=standup['event_id'], "
        "minutes_before=30, method='email')\n" + "print(nxt)\n"
    )
    done = "apis.supervisor.complete_task(answer=nxt['start'])\n"
    oracle = Solution().step(login("calendar")).step(look).step(act).step(done).steps()
    return TaskSpec(
        standup["organizer_id"],
        f"Count how many times my weekly 'Team standup' actually took place from {first} to {last} (weeks I "
        f"cancelled don't count). Leave a note on the standup saying 'We have met <count> times since {first}.', "
        "add an email reminder 30 minutes before it, and tell me when its next occurrence starts "
        "(YYYY-MM-DDTHH:MM:SS).",
        oracle,
        [
            Inserted(
                "calendar_notes",
                {"event_id": standup["id"], "author_id": standup["organizer_id"], "text": text},
                f"the standup carries the note {text!r}",
                what="notes",
            ),
            Inserted(
                "calendar_reminders",
                {
                    "event_id": standup["id"],
                    "person_id": standup["organizer_id"],
                    "minutes_before": 30,
                    "method": "email",
                },
                "the standup has an email reminder 30 minutes before",
                what="reminders",
            ),
            Answer(
                upcoming.isoformat(timespec="seconds"),
                "the answer is the start of the next standup",
                traps={str(held): "the count was given instead of the next start"},
            ),
        ],
    )


def _partner(view: WorldView, pair: dict) -> int:
    """The one person invited to a 1:1 series (the same in the old and the new series)."""
    return view.value(
        "SELECT a.person_id FROM calendar_attendees a JOIN calendar_events e ON e.id = a.event_id "
        "WHERE e.organizer_id = ? AND e.title = ? ORDER BY e.start DESC LIMIT 1",
        pair["organizer_id"],
        pair["title"],
    )


@scenario("calendar_one_on_one_count", apps=("calendar", "phone"))
def one_on_one_count(view: WorldView, rng: random.Random) -> TaskSpec:
    first, last = date(TODAY.year, 1, 1), TODAY - timedelta(days=1)
    pairs = view.rows(
        "SELECT organizer_id, title FROM calendar_events WHERE title LIKE '1:1 with %' AND status = 'confirmed' "
        "GROUP BY organizer_id, title HAVING COUNT(*) = 2 AND MIN(COALESCE(recurrence_until, '9')) >= ? "
        "ORDER BY organizer_id",
        first.isoformat(),
    )
    pairs = [p for p in pairs if not blocked_by(reader(view, p["organizer_id"]), _partner(view, p))]
    pair = pick(rng, pairs, "person whose 1:1 series was replaced this year", distinct=True)
    series = view.rows(
        "SELECT * FROM calendar_events WHERE organizer_id = ? AND title = ? ORDER BY start",
        pair["organizer_id"],
        pair["title"],
    )
    partner = view.person(_partner(view, pair))
    counts = [_held(view, s, first, last) for s in series]
    text = f"Hi {partner['first_name']}, we've had {sum(counts)} 1:1s so far this year. Same time next week!"
    minutes = sum(
        c * (datetime.fromisoformat(s["end"]) - datetime.fromisoformat(s["start"])).seconds // 60
        for c, s in zip(counts, series, strict=True)
    )
    look = (
        fetch_all(
            "found",
            f"apis.calendar.show_events(access_token=calendar_token, query={pair['title']!r}, role='organizer', "
            f"date_from={first.isoformat()!r}, date_to={last.isoformat()!r}",
        )
        + f"series = [e for e in found if e['title'] == {pair['title']!r}]\n"
        + "print([(e['event_id'], e['start'], e['recurrence_until']) for e in series])\n"
    )
    span = f"date_from={first.isoformat()!r}, date_to={last.isoformat()!r}"
    count = (
        "total, minutes = 0, 0\n"
        "for e in series:\n"
        + fetch_all(
            "occ", f"apis.calendar.show_occurrences(access_token=calendar_token, event_id=e['event_id'], {span}", "    "
        )
        + "    held = [o for o in occ if not o['is_cancelled']]\n"
        "    total += len(held)\n"
        "    for o in held:\n"
        "        minutes += (int(o['end'][11:13]) * 60 + int(o['end'][14:16])) - "
        "(int(o['start'][11:13]) * 60 + int(o['start'][14:16]))\n"
        "    print(e['event_id'], len(held))\n"
        "print(total, minutes)\n"
    )
    current = max(series, key=lambda e: e["start"])
    note = f"{sum(counts)} meetings, {minutes} minutes in {TODAY.year} so far."
    write = (
        "current = max(series, key=lambda e: e['start'])\n"
        "apis.calendar.add_event_note(access_token=calendar_token, event_id=current['event_id'], "
        f"text=str(total) + ' meetings, ' + str(minutes) + ' minutes in {TODAY.year} so far.')\n"
        "print(apis.calendar.show_event_notes(access_token=calendar_token, event_id=current['event_id'], "
        "page_limit=20))\n"
    )
    tell = (
        "partner = apis.calendar.show_event_attendees(access_token=calendar_token, event_id=current['event_id'], "
        "page_limit=20)[0]\n"
        + fetch_all("found", "apis.phone.search_contacts(access_token=phone_token, query=partner['email']")
        + "contact = next(c for c in found if c['email'] == partner['email'])\n"
        "apis.phone.send_text_message(access_token=phone_token, phone_number=contact['phone_number'], "
        "message='Hi ' + contact['first_name'] + \", we've had \" + str(total) + ' 1:1s so far this year. Same time "
        "next week!')\n"
    )
    done = "apis.supervisor.complete_task(answer=minutes)\n"
    oracle = (
        Solution().step(login("calendar", "phone")).step(look).step(count).step(write).step(tell).step(done).steps()
    )
    return TaskSpec(
        pair["organizer_id"],
        f"How many minutes in total did my '{pair['title']}' meetings take from {first} to {last}? The weekly "
        "series was replaced by a new one at another time this year: count the occurrences of both (cancelled ones "
        "don't count). Leave a note on the current series saying '<count> meetings, <minutes> minutes in "
        f"{TODAY.year} so far.', text the person I meet at the number in my phone contacts: \"Hi <first name>, "
        "we've had <count> 1:1s so far this year. Same time next week!\", and answer with the number of minutes.",
        oracle,
        [
            Inserted(
                "calendar_notes",
                {"event_id": current["id"], "author_id": pair["organizer_id"], "text": note},
                f"the current 1:1 series carries the note {note!r}",
                what="notes",
            ),
            Inserted(
                "phone_messages",
                {"sender_id": pair["organizer_id"], "receiver_id": partner["id"], "message": text, "is_read": 0},
                f"{partner['first_name']} is texted the count",
                what="texts",
            ),
            Answer(
                minutes,
                "the answer is the minutes of 1:1s held this year, over both series",
                traps={
                    str(counts[-1] * 30): "only the current series was counted",
                    str(counts[0] * 30): "only the old series was counted",
                    str(sum(counts)): "the meetings were counted instead of their minutes",
                },
            ),
        ],
    )
