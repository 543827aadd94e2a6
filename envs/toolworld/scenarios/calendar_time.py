"""Calendar scenarios on where my time went: hours per calendar, and how often repeating meetings took place."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from envs.toolworld.api import CallContext
from envs.toolworld.apps._calendar_views import show_time_summary
from envs.toolworld.apps.phone import blocked_by
from envs.toolworld.evaluate import Answer, Expectation, HasLines, Inserted
from envs.toolworld.scenarios._calendar import MIDNIGHT, NOW, TODAY, day, reader, spans
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, login, pick
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


MIN_SERIES = 4  # weekly series the standup's organizer held in the year, the standup one of them: each counted


def _weekly_held(view: WorldView, me: int, first: date, last: date) -> list[tuple[dict, int]]:
    """(series, times held from first to last) of each confirmed weekly series `me` organizes held at least once."""
    rows = view.rows(
        "SELECT * FROM calendar_events WHERE organizer_id = ? AND recurrence = 'weekly' AND status = 'confirmed' "
        "ORDER BY id",
        me,
    )
    return [(r, n) for r in rows if (n := _held(view, r, first, last))]


@scenario("calendar_standup_tally_note", apps=("calendar",))
def standup_tally_note(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep because every weekly series I organize (4+: the standup, 1:1s, a gym or practice slot) is counted from
    its own occurrences, where the weeks I cancelled are marked (the event list shows a series once), and the
    series are found by paging through all the events I organize in the year (no filter picks repeating ones)."""
    first, last = TODAY - timedelta(days=365), TODAY - timedelta(days=1)
    standups = view.rows(
        "SELECT e.* FROM calendar_events e WHERE e.title = 'Team standup' AND e.status = 'confirmed' "
        "AND EXISTS (SELECT 1 FROM calendar_exceptions x WHERE x.event_id = e.id AND x.occurrence_date >= ?) "
        "ORDER BY e.id",
        first.isoformat(),
    )
    # as many series to count as the world has (world 0: MIN_SERIES+ for every standup)
    _, pool = as_deep_as_found(
        range(MIN_SERIES, 0, -1),
        lambda n: [s for s in standups if len(_weekly_held(view, s["organizer_id"], first, last)) >= n],
    )
    standup = pick(rng, pool, "standup with cancelled weeks in the last year", distinct=True)
    me = standup["organizer_id"]
    held = _weekly_held(view, me, first, last)
    upcoming = next(s for s, _ in spans(view, standup, MIDNIGHT, MIDNIGHT + timedelta(days=14)) if s >= WORLD_NOW)
    look = (
        fetch_all(
            "found",
            "apis.calendar.show_events(access_token=calendar_token, role='organizer', "
            f"date_from={first.isoformat()!r}, date_to={last.isoformat()!r}",
        )
        + "weekly = [e for e in found if e['recurrence'] == 'weekly']\n"
        + "standup = next(e for e in weekly if e['title'] == 'Team standup')\n"
        + "counts = {}\n"
        + "for e in weekly:  # the weeks I cancelled are marked only among a series' occurrences\n"
        + fetch_all(
            "past",
            "apis.calendar.show_occurrences(access_token=calendar_token, event_id=e['event_id'], "
            f"date_from={first.isoformat()!r}, date_to={last.isoformat()!r}",
            indent="    ",
        )
        + "    counts[e['event_id']] = sum(not o['is_cancelled'] for o in past)\n"
        + "print([(e['title'], e['event_id'], counts[e['event_id']]) for e in weekly])\n"
    )
    act = (
        "for e in weekly:\n"
        "    if counts[e['event_id']]:\n"
        "        apis.calendar.add_event_note(access_token=calendar_token, event_id=e['event_id'], "
        f"text='We have met ' + str(counts[e['event_id']]) + ' times since {first}.')\n"
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
    expectations: list[Expectation] = [
        Inserted(
            "calendar_notes",
            {"event_id": series["id"], "author_id": me, "text": f"We have met {count} times since {first}."},
            f"'{series['title']}' (series {series['id']}) carries the note 'We have met {count} times since {first}.'",
            what=f"notes on series {series['id']}",
        )
        for series, count in held
    ]
    expectations += [
        Inserted(
            "calendar_reminders",
            {"event_id": standup["id"], "person_id": me, "minutes_before": 30, "method": "email"},
            "the standup has an email reminder 30 minutes before",
            what="reminders",
        ),
        Answer(
            upcoming.isoformat(timespec="seconds"),
            "the answer is the start of the next standup",
            traps={str(_held(view, standup, first, last)): "the count was given instead of the next start"},
        ),
    ]
    return TaskSpec(
        me,
        f"For each weekly repeating event I organize, count how many times it actually took place from {first} to "
        f"{last} (weeks I cancelled don't count, nor do series I cancelled altogether; a series that ended and one "
        "that replaced it under the same title are two series, each counted on its own). On each one that took "
        f"place at least once, leave a note saying 'We have met <count> times since {first}.' Then add an email "
        "reminder 30 minutes before my 'Team standup' and tell me when its next occurrence starts "
        "(YYYY-MM-DDTHH:MM:SS).",
        oracle,
        expectations,
    )


def _partner(view: WorldView, pair: dict) -> int:
    """The one person invited to a 1:1 series (the same in the old and the new series)."""
    return view.value(
        "SELECT a.person_id FROM calendar_attendees a JOIN calendar_events e ON e.id = a.event_id "
        "WHERE e.organizer_id = ? AND e.title = ? ORDER BY e.start DESC LIMIT 1",
        pair["organizer_id"],
        pair["title"],
    )


MIN_OTHERS = 3  # 1:1 series others hold with me that I accepted: each read for its occurrences, its person texted


def _one_on_ones(view: WorldView, me: int, first: date) -> list[tuple[dict, int]]:
    """(series, the other person) of every weekly 1:1 running into the year that I organize or accepted."""
    rows = view.rows(
        "SELECT e.*, CASE WHEN e.organizer_id = ? THEN 'organizer' ELSE a.response END AS mine "
        "FROM calendar_events e LEFT JOIN calendar_attendees a ON a.event_id = e.id AND a.person_id = ? "
        "WHERE e.title LIKE '1:1 with %' AND e.status = 'confirmed' AND e.recurrence = 'weekly' "
        "AND (e.organizer_id = ? OR a.id IS NOT NULL) AND COALESCE(e.recurrence_until, '9') >= ? ORDER BY e.start",
        me,
        me,
        me,
        first.isoformat(),
    )
    return [
        (r, _partner(view, r) if r["mine"] == "organizer" else r["organizer_id"])
        for r in rows
        if r["mine"] in ("organizer", "accepted")
    ]


@scenario("calendar_one_on_one_count", apps=("calendar", "phone"))
def one_on_one_count(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep because every weekly 1:1 of the year counts, mine and those others hold with me that I accepted (declined
    and unanswered ones are distractors): each series' occurrences are read, its other person found (in its guest
    list for mine) and each person texted their own count from my contacts; my own series was replaced this year."""
    first, last = date(TODAY.year, 1, 1), TODAY - timedelta(days=1)
    pairs = view.rows(
        "SELECT organizer_id, title FROM calendar_events WHERE title LIKE '1:1 with %' AND status = 'confirmed' "
        "GROUP BY organizer_id, title HAVING COUNT(*) = 2 AND MIN(COALESCE(recurrence_until, '9')) >= ? "
        "ORDER BY organizer_id",
        first.isoformat(),
    )

    def usable(pair: dict) -> bool:
        me = pair["organizer_id"]
        found = _one_on_ones(view, me, first)
        others = {p for s, p in found if s["organizer_id"] != me and _held(view, s, first, last)}
        people = {p for s, p in found if _held(view, s, first, last)}
        in_contacts = all(
            view.value(
                "SELECT COUNT(*) FROM phone_contacts c JOIN people p ON p.email = c.email WHERE c.owner_id = ? "
                "AND p.id = ?",
                me,
                p,
            )
            == 1
            for p in people
        )
        mine = [s for s, _ in found if s["organizer_id"] == me]
        return (
            len(others) >= MIN_OTHERS
            and len(mine) == 2
            and in_contacts
            and not any(blocked_by(reader(view, me), p) for p in people)
        )

    pair = pick(
        rng,
        [p for p in pairs if usable(p)],
        f"person whose 1:1 series was replaced this year, with {MIN_OTHERS}+ others' 1:1s accepted",
        distinct=True,
    )
    me = pair["organizer_id"]
    found = _one_on_ones(view, me, first)
    counts = {s["id"]: _held(view, s, first, last) for s, _ in found}

    def length(s: dict) -> int:
        return (datetime.fromisoformat(s["end"]) - datetime.fromisoformat(s["start"])).seconds // 60

    by_person: dict[int, int] = {}
    for s, p in found:
        if counts[s["id"]]:
            by_person[p] = by_person.get(p, 0) + counts[s["id"]]
    minutes = sum(counts[s["id"]] * length(s) for s, _ in found)
    mine = [s for s, _ in found if s["organizer_id"] == me]
    current = max(mine, key=lambda s: s["start"])
    own = sum(counts[s["id"]] for s in mine)
    own_minutes = sum(counts[s["id"]] * length(s) for s in mine)
    note = f"{own} meetings, {own_minutes} minutes in {TODAY.year} so far."
    span = f"date_from={first.isoformat()!r}, date_to={last.isoformat()!r}"
    look = (
        fetch_all("found", f"apis.calendar.show_events(access_token=calendar_token, query='1:1 with', {span}")
        + "series = [e for e in found if e['title'].startswith('1:1 with ') and e['recurrence'] == 'weekly' "
        "and e['my_response'] in ('organizer', 'accepted')]\n"
        + "print([(e['event_id'], e['title'], e['start'], e['recurrence_until'], e['my_response']) for e in found])\n"
    )
    who = (
        "partner = {}\n"
        "for e in series:\n"
        "    if e['my_response'] == 'organizer':\n"
        "        guests = apis.calendar.show_event_attendees(access_token=calendar_token, event_id=e['event_id'], "
        "page_limit=20)\n"
        "        partner[e['event_id']] = guests[0]['email']\n"
        "    else:\n"
        "        partner[e['event_id']] = e['organizer']['email']\n"
        "print(partner)\n"
    )
    count = (
        "held_with, total, minutes, own, own_minutes = {}, 0, 0, 0, 0\n"
        "for e in series:\n"
        + fetch_all(
            "occ", f"apis.calendar.show_occurrences(access_token=calendar_token, event_id=e['event_id'], {span}", "    "
        )
        + "    held = [o for o in occ if not o['is_cancelled']]\n"
        "    spent = sum((int(o['end'][11:13]) * 60 + int(o['end'][14:16])) - "
        "(int(o['start'][11:13]) * 60 + int(o['start'][14:16])) for o in held)\n"
        "    minutes += spent\n"
        "    if held:\n"
        "        held_with[partner[e['event_id']]] = held_with.get(partner[e['event_id']], 0) + len(held)\n"
        "    if e['my_response'] == 'organizer':\n"
        "        own += len(held)\n"
        "        own_minutes += spent\n"
        "    print(e['title'], e['start'][:10], len(held))\n"
        "print(held_with, minutes)\n"
    )
    write = (
        "current = max((e for e in series if e['my_response'] == 'organizer'), key=lambda e: e['start'])\n"
        "apis.calendar.add_event_note(access_token=calendar_token, event_id=current['event_id'], "
        f"text=str(own) + ' meetings, ' + str(own_minutes) + ' minutes in {TODAY.year} so far.')\n"
        "print(apis.calendar.show_event_notes(access_token=calendar_token, event_id=current['event_id'], "
        "page_limit=20))\n"
    )
    tell = (
        "for email, n in held_with.items():\n"
        + fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token, query=email", "    ")
        + "    contact = next(c for c in contacts if c['email'] == email)\n"
        "    apis.phone.send_text_message(access_token=phone_token, phone_number=contact['phone_number'], "
        "message='Hi ' + contact['first_name'] + \", we've had \" + str(n) + ' 1:1s so far this year. Same time "
        "next week!')\n"
    )
    done = "apis.supervisor.complete_task(answer=minutes)\n"
    oracle = (
        Solution()
        .step(login("calendar", "phone"))
        .step(look)
        .step(who)
        .step(count)
        .step(write)
        .step(tell)
        .step(done)
        .steps()
    )
    texts: list[Expectation] = []
    for p, n in by_person.items():
        partner = view.person(p)
        text = f"Hi {partner['first_name']}, we've had {n} 1:1s so far this year. Same time next week!"
        texts.append(
            Inserted(
                "phone_messages",
                {"sender_id": me, "receiver_id": p, "message": text, "is_read": 0},
                f"{partner['email']} is texted our {n} 1:1s",
                what=f"texts to {partner['email']}",
            )
        )
    return TaskSpec(
        me,
        f"How many minutes in total did my weekly 1:1 meetings take from {first} to {last}? Count every weekly "
        "'1:1 with ...' series, the ones I organize (whatever my guest answered) and the ones others organize that I "
        "accepted (not those I declined, only tentatively accepted or never answered); my own series was replaced "
        "by a new one at another time this year, so count the occurrences of both (cancelled ones don't count). "
        f"Leave a note on my current series saying '<count> meetings, <minutes> minutes in {TODAY.year} so far.' "
        "about the 1:1s of my own two series, text each person I had 1:1s with (once, at the number in my phone "
        'contacts): "Hi <first name>, we\'ve had <count> 1:1s so far this year. Same time next week!" with the '
        "count of our 1:1s together, and answer with the total number of minutes.",
        oracle,
        [
            Inserted(
                "calendar_notes",
                {"event_id": current["id"], "author_id": me, "text": note},
                f"the current 1:1 series carries the note {note!r}",
                what="notes",
            ),
            *texts,
            Answer(
                minutes,
                "the answer is the minutes of every 1:1 held this year, mine and those I accepted",
                traps={
                    str(own_minutes): "only my own series were counted",
                    str(sum(counts.values())): "the meetings were counted instead of their minutes",
                },
            ),
        ],
    )
