"""Calendar scenarios on keeping a calendar tidy: reminders for what I accepted, guests who declined, a week's
plan in my notes, a focus block, and archiving an old calendar."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from envs.toolworld.apps._calendar_core import busy_blocks
from envs.toolworld.apps._calendar_people import find_free_slots
from envs.toolworld.apps._calendar_views import export_calendar, show_agenda
from envs.toolworld.evaluate import Answer, Deleted, Expectation, HasLines, InBlocks, Inserted, runs
from envs.toolworld.scenarios._calendar import DONE, NOW, TODAY, day, reader
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios._rows import new_event, new_note
from envs.toolworld.scenarios.email import sent_email
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

NEXT_MONDAY = TODAY + timedelta(days=7 - TODAY.weekday())


@scenario("calendar_remind_accepted", apps=("calendar",))
def remind_accepted(view: WorldView, rng: random.Random) -> TaskSpec:
    """Over two months' agenda (read in two windows of at most 31 days), every accepted invitation without a
    reminder of mine gets a 15-minute popup and every timed event I organize without one a 60-minute email
    (reminders read per event); tentative and declined ones are left; the answer counts the reminders added."""
    days = 60
    pool = []
    for person in view.people_ids():
        ctx = reader(view, person)
        items = show_agenda(ctx, day(0), day(30)) + show_agenda(ctx, day(31), day(days - 1))
        wanted = {
            i["event_id"]: i
            for i in items
            if i["start"] > NOW
            and (i["my_response"] == "accepted" or (i["my_response"] == "organizer" and not i["all_day"]))
        }
        bare = [
            i
            for eid, i in wanted.items()
            if not view.rows("SELECT 1 FROM calendar_reminders WHERE event_id = ? AND person_id = ?", eid, person)
        ]
        accepted = [i for i in bare if i["my_response"] == "accepted"]
        if 14 <= len(wanted) <= 24 and accepted and len(wanted) > len(bare):
            pool.append((person, bare))
    person, bare = pick(rng, pool, "person with events of the month without reminders", distinct=True)
    kinds = {"accepted": (15, "popup"), "organizer": (60, "email")}
    expectations: list[Expectation] = [
        Inserted(
            "calendar_reminders",
            {
                "event_id": i["event_id"],
                "person_id": person,
                "minutes_before": kinds[i["my_response"]][0],
                "method": kinds[i["my_response"]][1],
            },
            f"'{i['title']}' on {i['start'][:10]} gets a {kinds[i['my_response']][0]}-minute "
            f"{kinds[i['my_response']][1]} reminder",
            what=f"reminders on '{i['title']}'",
        )
        for i in bare
    ]
    expectations.append(Answer(len(bare), "the answer is how many reminders were added"))
    look = (
        "items = []\n"
        f"for first, last in [({day(0)!r}, {day(30)!r}), ({day(31)!r}, {day(days - 1)!r})]:  # at most 31 days a call\n"
        + fetch_all(
            "window",
            "apis.calendar.show_agenda(access_token=calendar_token, date_from=first, date_to=last",
            indent="    ",
        )
        + "    items += window\n"
        "wanted = {}\n"
        "for i in items:\n"
        f"    if i['start'] > {NOW!r} and (i['my_response'] == 'accepted' or "
        "(i['my_response'] == 'organizer' and not i['all_day'])):\n"
        "        wanted[i['event_id']] = i\n"
        "print([(i['title'], i['start'], i['my_response']) for i in wanted.values()])\n"
    )
    act = """
added = 0
for event_id, item in wanted.items():
    mine = apis.calendar.show_event_reminders(access_token=calendar_token, event_id=event_id)
    if not mine:
        if item['my_response'] == 'accepted':
            apis.calendar.add_event_reminder(access_token=calendar_token, event_id=event_id, minutes_before=15)
        else:
            apis.calendar.add_event_reminder(access_token=calendar_token, event_id=event_id, minutes_before=60,
                                             method='email')
        added += 1
print(added)
"""
    check = fetch_all("coming", "apis.calendar.show_upcoming_reminders(access_token=calendar_token, hours=48") + (
        "print([(r['title'], r['remind_at']) for r in coming])\n"
    )
    done = "apis.supervisor.complete_task(answer=added)\n"
    oracle = Solution().step(login("calendar")).step(look).step(act).step(check).step(done).steps()
    return TaskSpec(
        person,
        f"Make sure I get reminded of what is on my calendar between now and {day(days - 1)}. For every invitation "
        "I've accepted, if I have no reminder of my own on it yet, add a popup reminder 15 minutes before; for every "
        "timed event I organize myself without a reminder of mine, add an email reminder 60 minutes before. Leave "
        "events that already have a reminder, and invitations I haven't accepted, alone. Tell me how many "
        "reminders you added.",
        oracle,
        expectations,
    )


@scenario("calendar_drop_declined_guests", apps=("calendar", "email"))
def drop_declined_guests(view: WorldView, rng: random.Random) -> TaskSpec:
    """The guest lists of my one-off events of the next 90 days (read per event): those who declined are removed
    and told in one email per event, those who have not answered get one email per event asking them to;
    accepted and tentative guests and repeating events are left alone."""
    days = 90
    guests_sql = (
        "SELECT a.id AS attendee_id, a.person_id, a.response, e.id, e.title, e.start FROM calendar_events e "
        "JOIN calendar_attendees a ON a.event_id = e.id WHERE e.organizer_id = ? AND e.recurrence = 'none' "
        "AND e.status = 'confirmed' AND e.start > ? AND e.start < ? AND a.response IN ('declined', 'pending') "
        "ORDER BY e.start, a.id"
    )
    pool = []
    for person in view.people_ids():
        rows = view.rows(guests_sql, person, NOW, day(days))
        events = view.value(
            "SELECT COUNT(*) FROM calendar_events WHERE organizer_id = ? AND recurrence = 'none' "
            "AND status = 'confirmed' AND start > ? AND start < ?",
            person,
            NOW,
            day(days),
        )
        declined = [r for r in rows if r["response"] == "declined"]
        named = {(r["title"], r["start"][:10]) for r in rows}  # the subjects name an event by its title and day
        unique = len(named) == len({r["id"] for r in rows})
        if len(declined) >= 2 and len(rows) > len(declined) and 8 <= events <= 18 and unique:
            pool.append((person, rows))
    person, rows = pick(rng, pool, "organizer with declined and silent guests", distinct=True)
    declined = [r for r in rows if r["response"] == "declined"]
    expectations: list[Expectation] = [
        Deleted("calendar_attendees", frozenset(r["attendee_id"] for r in declined), "the declined guests are removed")
    ]
    by_event: dict[tuple[int, str], list[dict]] = {}
    for r in rows:
        by_event.setdefault((r["id"], r["response"]), []).append(r)
    for (_, response), group in by_event.items():
        r = group[0]
        when, on = f"'{r['title']}' on {r['start'][:10]}", f"{r['title']} on {r['start'][:10]}"
        body, subject, told = {  # what each kind of guest is emailed
            "declined": (f"No problem that you can't make {when}; I've taken you off the list.", on, "are told"),
            "pending": (f"Can you make {when}? Please answer the invitation.", f"Can you make {on}?", "are asked"),
        }[response]
        expectations += sent_email(
            view,
            person,
            [g["person_id"] for g in group],
            body,
            f"the {response} guests of {when} {told}",
            subject=subject,
        )
    look = fetch_all(
        "events",
        f"apis.calendar.show_events(access_token=calendar_token, role='organizer', date_from={day(0)!r}, "
        f"date_to={day(days - 1)!r}",
    ) + (f"events = [e for e in events if e['recurrence'] == 'none' and e['start'] > {NOW!r}]\nprint(len(events))\n")
    act = """
for e in events:
    guests = apis.calendar.show_event_attendees(access_token=calendar_token, event_id=e['event_id'], page_limit=20)
    gone = [a for a in guests if a['response'] == 'declined']
    silent = [a for a in guests if a['response'] == 'pending']
    when = "'" + e['title'] + "' on " + e['start'][:10]
    for a in gone:
        apis.calendar.remove_event_attendee(access_token=calendar_token, event_id=e['event_id'], email=a['email'])
    if gone:
        apis.email.send_email(
            access_token=email_token, recipients=[a['email'] for a in gone],
            subject=e['title'] + ' on ' + e['start'][:10],
            body="No problem that you can't make " + when + "; I've taken you off the list.",
        )
    if silent:
        apis.email.send_email(
            access_token=email_token, recipients=[a['email'] for a in silent],
            subject='Can you make ' + e['title'] + ' on ' + e['start'][:10] + '?',
            body='Can you make ' + when + '? Please answer the invitation.',
        )
    print(e['title'], [a['name'] for a in gone], [a['name'] for a in silent])
"""
    oracle = Solution().step(login("calendar", "email")).step(look).step(act).step(DONE).steps()
    return TaskSpec(
        person,
        f"Tidy the guest lists of the one-off events I organize between now and {day(days - 1)}. Remove everyone who "
        "declined, and send one email per event to the guests you removed from it, with the subject "
        "'<event title> on <YYYY-MM-DD>' and the text \"No problem that you can't make '<event title>' on "
        "<YYYY-MM-DD>; I've taken you off the list.\" Guests who have not answered yet get one email per event with "
        "the subject 'Can you make <event title> on <YYYY-MM-DD>?' and the text \"Can you make '<event title>' on "
        '<YYYY-MM-DD>? Please answer the invitation."',
        oracle,
        expectations,
    )


@scenario("calendar_week_plan_note", apps=("calendar", "notes"))
def week_plan_note(view: WorldView, rng: random.Random) -> TaskSpec:
    """Three work weeks of Work meetings I go to (invitations I haven't accepted and other calendars are left out):
    each line counts the guests who accepted (guest list read per meeting), and each meeting without a reminder
    of mine gets one (reminders read per meeting); the answer is their hours."""
    monday = NEXT_MONDAY + timedelta(weeks=getattr(rng, "variant", 0) % 3)
    friday = monday + timedelta(days=18)
    pool = []
    for person in view.people_ids():
        items = show_agenda(reader(view, person), monday.isoformat(), friday.isoformat())
        timed = [i for i in items if not i["all_day"]]
        going = [i for i in timed if i["calendar_name"] == "Work" and i["my_response"] in ("organizer", "accepted")]
        bare = {
            i["event_id"]
            for i in going
            if not view.rows(
                "SELECT 1 FROM calendar_reminders WHERE event_id = ? AND person_id = ?", i["event_id"], person
            )
        }
        events = {i["event_id"] for i in going}
        if 7 <= len(events) <= 10 and 0 < len(bare) < len(events) and len(timed) > len(going):
            pool.append((person, going, bare))
    person, going, bare = pick(rng, pool, "person with three busy work weeks", distinct=True)
    title = f"Weeks of {monday}"
    accepted = {
        i["event_id"]: view.value(
            "SELECT COUNT(*) FROM calendar_attendees WHERE event_id = ? AND response = 'accepted'", i["event_id"]
        )
        for i in going
    }
    lines = [f"{i['start'][:16].replace('T', ' ')} {i['title']} ({accepted[i['event_id']]} accepted)" for i in going]
    hours = round(
        sum((datetime.fromisoformat(i["end"]) - datetime.fromisoformat(i["start"])).seconds for i in going) / 3600, 2
    )
    expectations: list[Expectation] = [
        Inserted(
            "notes_notes",
            new_note(person, title, HasLines(lines)),
            f"a note '{title}' with the {len(lines)} meetings and their accepted guests, one per line",
            what="notes",
        )
    ]
    expectations += [
        Inserted(
            "calendar_reminders",
            {"event_id": event_id, "person_id": person, "minutes_before": 10, "method": "popup"},
            f"'{next(i['title'] for i in going if i['event_id'] == event_id)}' (no reminder of mine yet) gets a "
            "10-minute popup reminder",
            what=f"reminders on event {event_id}",
        )
        for event_id in sorted(bare)
    ]
    expectations.append(
        Answer(hours, "the answer is the meetings' total hours", traps={str(len(lines)): "a count, not hours"})
    )
    look = fetch_all(
        "items",
        f"apis.calendar.show_agenda(access_token=calendar_token, date_from={monday.isoformat()!r}, "
        f"date_to={friday.isoformat()!r}",
    ) + (
        "going = [i for i in items if not i['all_day'] and i['calendar_name'] == 'Work' "
        "and i['my_response'] in ('organizer', 'accepted')]\n"
        "print([(i['start'], i['title'], i['calendar_name'], i['my_response']) for i in items])\n"
    )
    details = """
accepted, bare = {}, []
for event_id in dict.fromkeys(i['event_id'] for i in going):
    guests = apis.calendar.show_event_attendees(access_token=calendar_token, event_id=event_id, page_limit=20)
    accepted[event_id] = len([g for g in guests if g['response'] == 'accepted'])
    if not apis.calendar.show_event_reminders(access_token=calendar_token, event_id=event_id):
        bare.append(event_id)
print(accepted, bare)
"""
    act = (
        "lines = [i['start'][:16].replace('T', ' ') + ' ' + i['title'] + ' (' + str(accepted[i['event_id']]) "
        "+ ' accepted)' for i in going]\n"
        f"apis.notes.create_note(access_token=notes_token, title={title!r}, content='\\n'.join(lines))\n"
        "for event_id in bare:\n"
        "    apis.calendar.add_event_reminder(access_token=calendar_token, event_id=event_id, minutes_before=10)\n"
        "from datetime import datetime\n"
        "hours = sum((datetime.fromisoformat(i['end']) - datetime.fromisoformat(i['start'])).seconds "
        "for i in going) / 3600\n"
    )
    check = fetch_all("notes", f"apis.notes.search_notes(access_token=notes_token, query={title!r}") + (
        "print([n['title'] for n in notes])\n"
    )
    done = "apis.supervisor.complete_task(answer=round(hours, 2))\n"
    oracle = (
        Solution().step(login("calendar", "notes")).step(look).step(details).step(act).step(check).step(done).steps()
    )
    return TaskSpec(
        person,
        f"Plan my next three work weeks, Monday {monday} to Friday {friday}. Write a note titled '{title}' listing "
        "every timed meeting from a Work calendar (mine, or the organizer's for invitations) that I organize or have "
        "accepted (whole-day events, invitations I haven't accepted and other calendars left out), one line per "
        "occurrence with the number of guests on its guest list who have accepted, like '2026-05-25 09:30 Project "
        "sync (3 accepted)'. Give every one of those meetings that has no reminder of mine yet a popup reminder 10 "
        "minutes before. Then tell me how many hours those meetings take in total.",
        oracle,
        expectations,
    )


FOCUS_MINUTES = 180
FOCUS_DAYS = 26  # four weeks from a Monday to the fourth Friday: 20 weekdays, free slots read for each


@scenario("calendar_focus_block", apps=("calendar",))
def focus_block(view: WorldView, rng: random.Random) -> TaskSpec:
    """Twenty weekdays (four weeks) each get a 3-hour 'Focus time' at the first free stretch of my own work day
    long enough (free slots read per day: the start differs day by day and from my work day's start; days without
    one are skipped); every block names the busiest of those days, and the answer is that day."""
    monday = NEXT_MONDAY + timedelta(weeks=getattr(rng, "variant", 0) % 2)
    days = [monday + timedelta(days=n) for n in range(FOCUS_DAYS) if (monday + timedelta(days=n)).weekday() < 5]
    plans = []
    for person in view.people_ids():
        ctx = reader(view, person)
        slots = {d: find_free_slots(ctx, d.isoformat(), FOCUS_MINUTES) for d in days}
        hours = view.row("SELECT work_day_start FROM calendar_settings WHERE person_id = ?", person)
        late = [d for d, s in slots.items() if s and s[0]["start"][11:16] != hours["work_day_start"]]
        if len(late) >= 3:
            plans.append((person, slots))
    person, slots = pick(rng, plans, "person whose focus time starts late on some days", distinct=True)
    ctx = reader(view, person)
    loads = []
    for d in days:
        low = datetime.combine(d, datetime.min.time())
        minutes = sum(
            int((e - s).total_seconds() // 60) for s, e in busy_blocks(ctx, person, low, low + timedelta(days=1))
        )
        loads.append((minutes, d.isoformat()))
    busy_day = min(loads, key=lambda t: (-t[0], t[1]))[1]
    light_day = min(loads)[1]
    work = view.value("SELECT id FROM calendar_calendars WHERE owner_id = ? AND name = 'Work'", person)
    description = f"Busiest day these weeks: {busy_day}"
    expectations: list[Expectation] = []
    for d, free in slots.items():
        if not free:
            continue
        start = datetime.fromisoformat(free[0]["start"])
        end = start + timedelta(minutes=FOCUS_MINUTES)
        event = new_event(
            person,
            work,
            "Focus time",
            start.isoformat(timespec="seconds"),
            end.isoformat(timespec="seconds"),
            description=description,
        )
        expectations.append(
            Inserted("calendar_events", event, f"'Focus time' {start:%H:%M}-{end:%H:%M} on {d}", what=f"focus on {d}")
        )
    expectations.append(
        Answer(busy_day, "the answer is the busiest day", traps={light_day: "the least busy day was given"})
    )
    look = (
        "from datetime import date, timedelta, datetime\n"
        f"days = [date.fromisoformat({monday.isoformat()!r}) + timedelta(days=n) for n in range({FOCUS_DAYS})]\n"
        "days = [d.isoformat() for d in days if d.weekday() < 5]\n"
        + fetch_all(
            "blocks",
            "apis.calendar.show_busy_times(access_token=calendar_token, email=me['email'], date_from=days[0], "
            "date_to=days[-1]",
        )
        + "loads = []\n"
        "for d in days:\n"
        "    low = datetime.fromisoformat(d + 'T00:00:00')\n"
        "    high = low + timedelta(days=1)\n"
        "    seconds = 0\n"
        "    for b in blocks:  # the part of each busy block that falls on this day\n"
        "        start = max(datetime.fromisoformat(b['start']), low)\n"
        "        seconds += max(0, (min(datetime.fromisoformat(b['end']), high) - start).total_seconds())\n"
        "    loads.append((seconds // 60, d))\n"
        "busiest = min(loads, key=lambda t: (-t[0], t[1]))[1]\n"
        "print(loads, busiest)\n"
        "calendars = apis.calendar.show_calendars(access_token=calendar_token, ownership='mine', page_limit=20)\n"
        "work = next(c['calendar_id'] for c in calendars if c['name'] == 'Work')\n"
    )
    slots_step = f"""
first_free = {{}}
for d in days:
    free = apis.calendar.find_free_slots(access_token=calendar_token, date=d, duration_minutes={FOCUS_MINUTES})
    if free:
        first_free[d] = free[0]['start']
print(first_free)
"""
    act = (
        "for d, start in first_free.items():\n"
        f"    end = (datetime.fromisoformat(start) + timedelta(minutes={FOCUS_MINUTES})).isoformat()\n"
        "    apis.calendar.create_event(access_token=calendar_token, title='Focus time', start=start, end=end, "
        "calendar_id=work, description='Busiest day these weeks: ' + busiest)\n"
    )
    check = (
        fetch_all(
            "focus",
            "apis.calendar.show_events(access_token=calendar_token, query='Focus time', calendar_id=work, "
            "date_from=days[0], date_to=days[-1]",
        )
        + "print([(e['start'], e['end']) for e in focus])\n"
    )
    done = "apis.supervisor.complete_task(answer=busiest)\n"
    oracle = Solution().step(login("calendar")).step(look).step(slots_step).step(act).step(check).step(done).steps()
    return TaskSpec(
        person,
        f"Block focus time on each weekday of the four weeks starting Monday {monday}: on each of those days, put a "
        "3-hour 'Focus time' on my Work calendar starting at the beginning of the first free stretch of at least 3 "
        "hours within my work day as my calendar settings set it (skip a day that has none). Give every one the "
        "description 'Busiest day these weeks: <YYYY-MM-DD>', naming the weekday of those four weeks with the most "
        "busy time in total (my busy times over the whole day, not only my work day, time in overlapping events "
        "counted once; the earliest if tied, counted before adding any focus time), and tell me that busiest day.",
        oracle,
        expectations,
    )


OLD_NOTES = "SELECT n.text, e.title, e.start FROM calendar_notes n JOIN calendar_events e ON e.id = n.event_id "


@scenario("calendar_archive_old_work", apps=("calendar", "file_system", "notes"))
def archive_old_work(view: WorldView, rng: random.Random) -> TaskSpec:
    """Before the 'Old work' calendar is exported and deleted, the notes left on its events (read per event: the
    event list has no notes) are kept in one note of my notes app; without such a calendar nothing changes."""
    has_old = getattr(rng, "variant", 0) % 3 != 1  # one variant in three: there is no 'Old work' calendar
    owners = view.rows(
        "SELECT p.id, (SELECT c.id FROM calendar_calendars c WHERE c.owner_id = p.id AND c.name = 'Old work') AS old "
        "FROM people p ORDER BY p.id"
    )
    noted = f"{OLD_NOTES}WHERE e.calendar_id = ? ORDER BY e.start, n.created_at, n.id"
    row = pick(
        rng,
        [o for o in owners if (o["old"] is not None) == has_old and (not has_old or view.rows(noted, o["old"]))],
        "person",
        distinct=True,
    )
    person, old = row["id"], row["old"]
    path = "/documents/old_work.ics"
    expectations: list[Expectation] = []
    if old is not None:
        content = export_calendar(reader(view, person), old)["content"]
        kept = view.rows(noted, old)
        events = "SELECT id FROM calendar_events WHERE calendar_id = ?"
        expectations = [
            Inserted(
                "file_system_files",
                {"owner_id": person, "path": path, "content": content, "starred": 0},
                f"{path} holds the exported calendar",
                what="files",
            ),
            Inserted(
                "notes_notes",
                new_note(
                    person,
                    "Old work notes",
                    InBlocks(
                        *runs(
                            [f"{n['start'][:10]} {n['title']}: {n['text']}" for n in kept],
                            [n["start"][:10] for n in kept],
                        )
                    ),
                ),
                f"a note 'Old work notes' keeps the {len(kept)} notes of its events, one per line, oldest day first",
                what="notes",
            ),
            Deleted("calendar_calendars", frozenset({old}), "the 'Old work' calendar is deleted"),
            Deleted(
                "calendar_events",
                frozenset(r["id"] for r in view.rows(events, old)),
                "its events are deleted",
            ),
        ]
        for table in ("calendar_attendees", "calendar_reminders", "calendar_notes", "calendar_exceptions"):
            ids = frozenset(r["id"] for r in view.rows(f"SELECT id FROM {table} WHERE event_id IN ({events})", old))
            if ids:
                expectations.append(Deleted(table, ids, f"what hung off its events ({table}) is deleted"))
    look = (
        "calendars = apis.calendar.show_calendars(access_token=calendar_token, ownership='mine', page_limit=20)\n"
        "old = [c for c in calendars if c['name'] == 'Old work']\n"
        "print([(c['calendar_id'], c['name'], c['is_visible'], c['event_count']) for c in calendars])\n"
    )
    keep = (
        "lines = []\n"
        "if old:\n"
        + fetch_all(
            "events",
            "apis.calendar.show_events(access_token=calendar_token, calendar_id=old[0]['calendar_id'], status='all'",
            indent="    ",
        )
        + "    for e in events:\n"
        "        for n in apis.calendar.show_event_notes(access_token=calendar_token, event_id=e['event_id'], "
        "page_limit=20):\n"
        "            lines.append(e['start'][:10] + ' ' + e['title'] + ': ' + n['text'])\n"
        "    lines.sort(key=lambda line: line[:10])\n"
        "    if lines:\n"
        "        apis.notes.create_note(access_token=notes_token, title='Old work notes', content='\\n'.join(lines))\n"
        "print(lines)\n"
    )
    act = (
        "if old:\n"
        "    export = apis.calendar.export_calendar(access_token=calendar_token, calendar_id=old[0]['calendar_id'])\n"
        f"    apis.file_system.create_file(access_token=file_system_token, path={path!r}, content=export['content'])\n"
        "    apis.calendar.delete_calendar(access_token=calendar_token, calendar_id=old[0]['calendar_id'])\n"
        "else:\n"
        "    print('no Old work calendar: nothing to do')\n"
    )
    check = "print(apis.file_system.show_directory(access_token=file_system_token, path='/documents'))\n"
    done = "apis.supervisor.complete_task(answer=sum(c['event_count'] for c in calendars if c['name'] != 'Old work'))\n"
    oracle = (
        Solution()
        .step(login("calendar", "file_system", "notes"))
        .step(look)
        .step(keep)
        .step(act)
        .step(check)
        .step(done)
        .steps()
    )
    others = view.value(
        "SELECT COUNT(*) FROM calendar_events e JOIN calendar_calendars c ON c.id = e.calendar_id "
        "WHERE c.owner_id = ? AND c.name != 'Old work'",
        person,
    )
    expectations.append(Answer(others, f"the answer is the {others} events of my other calendars"))
    return TaskSpec(
        person,
        f"If I still have a calendar called 'Old work', export all its events to the file {path} in my files (the "
        "calendar's own .ics export, as is) and then delete the calendar. The export leaves out the notes left on "
        "its events (cancelled ones included), so first keep them in a note titled 'Old work notes' in my notes "
        "app, one line per event note, oldest day first, like '2024-07-04 Interview: <the note's text>' (the event's "
        "day and title). "
        "If there is no such calendar, change nothing. Either way, tell me how many events the other calendars I "
        "own hold in all.",
        oracle,
        expectations,
        noop_pass=old is None,
    )
