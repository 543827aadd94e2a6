"""Productivity around the todo app and time: reminders for what is due soon, calendar time to do it."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from envs.toolworld.apps._calendar_people import find_free_slots
from envs.toolworld.evaluate import Deleted, Expectation, Inserted, NewRow
from envs.toolworld.scenarios._calendar import reader
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios._rows import new_event
from envs.toolworld.scenarios._work import DONE, HELD, LAST_COMMENT, NOW, TODAY, day, reminded_tomorrow
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

OPEN_ACTIVE = (
    "FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE t.owner_id = ? AND t.completed = 0 "
    "AND p.archived = 0"
)


HOUR = timedelta(hours=1)


def focus_plan(view: WorldView, owner: int, tasks: list[dict]) -> list[tuple[dict, str]] | None:
    """Each to-do (in the order given) with the start of its hour: the first free hour of the owner's work day on
    its due date, after the blocks placed before it that day; None when some day has no free hour left."""
    free: dict[str, list[list[datetime]]] = {}
    plan = []
    for t in tasks:
        if t["due_date"] not in free:
            slots = find_free_slots(reader(view, owner), date=t["due_date"], duration_minutes=60)
            free[t["due_date"]] = [[datetime.fromisoformat(x[k]) for k in ("start", "end")] for x in slots]
        slot = next((x for x in free[t["due_date"]] if x[1] - x[0] >= HOUR), None)
        if slot is None:
            return None
        plan.append((t, slot[0].isoformat(timespec="minutes")))
        slot[0] += HOUR
    return plan


def important_soon(view: WorldView, owner: int) -> list[dict]:
    """The owner's open to-dos of priority 1 or 2 due from tomorrow to two weeks after, in the order blocks are
    placed: by due date, priority, title."""
    return view.rows(
        f"SELECT t.id, t.title, t.due_date, t.priority {OPEN_ACTIVE} AND t.priority <= 2 AND t.due_date >= ? "
        "AND t.due_date < ? ORDER BY t.due_date, t.priority, t.title",
        owner,
        day(1),
        day(15),
    )


def plannable(view: WorldView, owner: int) -> bool:
    """6-14 important to-dos, no two of one day, priority and title (their order would be a guess), an hour for
    each, and an event of mine in the way of at least one (stacking blocks from the work day's start would fail)."""
    tasks = important_soon(view, owner)
    if not 6 <= len(tasks) <= 14 or len({(t["due_date"], t["priority"], t["title"]) for t in tasks}) < len(tasks):
        return False
    plan = focus_plan(view, owner, tasks)
    opens = view.value("SELECT work_day_start FROM calendar_settings WHERE person_id = ?", owner) or "09:00"
    stacked = Counter[str]()
    for t, begin in plan or []:
        naive = datetime.fromisoformat(f"{t['due_date']}T{opens}") + stacked[t["due_date"]] * HOUR
        if datetime.fromisoformat(begin) != naive:
            return True
        stacked[t["due_date"]] += 1
    return False


@scenario("work_focus_blocks", apps=("todo", "calendar"))
def focus_blocks(view: WorldView, rng: random.Random) -> TaskSpec:
    """A one-hour calendar block with a reminder for each important to-do due in the next two weeks, in the first
    free hour of my work day, and a comment on the to-do saying when. Deep: free time is asked per to-do (blocks
    placed earlier that day take their hour), and each to-do gets its comment."""
    start, end = day(1), day(15)
    owners = view.rows(
        "SELECT t.owner_id FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id "
        "WHERE t.completed = 0 AND p.archived = 0 AND t.priority <= 2 AND t.due_date >= ? AND t.due_date < ? "
        "GROUP BY t.owner_id HAVING COUNT(*) BETWEEN 6 AND 14 ORDER BY t.owner_id",
        start,
        end,
    )
    owners = [row for row in owners if plannable(view, row["owner_id"])]
    owner = pick(rng, owners, "person with important to-dos due soon and free time", distinct=True)["owner_id"]
    minutes = rng.choice((10, 15, 30))
    plan = focus_plan(view, owner, important_soon(view, owner)) or []
    primary = view.value("SELECT id FROM calendar_calendars WHERE owner_id = ? AND is_primary = 1", owner)
    look = (
        login("todo", "calendar")
        + "soon = []\n"
        + "for priority in (1, 2):\n"
        + fetch_all(
            "found",
            f"apis.todo.search_tasks(access_token=todo_token, completed=False, priority=priority, due_after={start!r}, "
            f"due_before={end!r}",
            indent="    ",
        )
        + "    soon += found\n"
        + "soon.sort(key=lambda t: (t['due_date'], t['priority'], t['title']))\n"
        + "print([(t['title'], t['due_date'], t['priority']) for t in soon])\n"
    )
    act = f"""
        from datetime import datetime, timedelta
        booked = []
        for t in soon:
            slots = apis.calendar.find_free_slots(access_token=calendar_token, date=t['due_date'],
                                                  duration_minutes=60)
            begin = slots[0]['start'][:16]
            until = (datetime.fromisoformat(begin) + timedelta(hours=1)).isoformat(timespec='minutes')
            apis.calendar.create_event(access_token=calendar_token, title='Focus: ' + t['title'], start=begin,
                                       end=until, reminder_minutes={minutes})
            apis.todo.add_task_comment(access_token=todo_token, task_id=t['task_id'],
                                       text='Focus time booked: ' + begin.replace('T', ' ') + '.')
            booked.append((t['title'], begin))
        print(booked)
        """
    check = (
        fetch_all(
            "events",
            f"apis.calendar.show_events(access_token=calendar_token, query='Focus', date_from={start!r}, "
            f"date_to={end!r}",
        )
        + "print([(e['title'], e['start']) for e in events])\n"
        + DONE
    )
    expectations: list[Expectation] = []
    for t, begin in plan:
        title = f"Focus: {t['title']}"
        until = (datetime.fromisoformat(begin) + HOUR).isoformat(timespec="seconds")
        event = new_event(owner, primary, title, f"{begin}:00", until, created_at=NOW)
        expectations.append(Inserted("calendar_events", event, f"'{title}' on {begin}-{until[11:16]}", what="events"))
        expectations.append(
            Inserted(
                "calendar_reminders",
                {
                    "event_id": NewRow("calendar_events", {"title": title, "start": f"{begin}:00"}),
                    "person_id": owner,
                    "minutes_before": minutes,
                    "method": "popup",
                },
                f"'{title}' reminds me {minutes} minutes before",
                what="reminders",
            )
        )
        note = f"Focus time booked: {begin.replace('T', ' ')}."
        expectations.append(
            Inserted(
                "todo_comments",
                {"task_id": t["id"], "owner_id": owner, "text": note, "created_at": NOW},
                f"'{t['title']}' gets the comment '{note}'",
                what="comments",
            )
        )
    return TaskSpec(
        owner,
        f"Block time for my important to-dos: for each open to-do of priority 1 or 2 due from tomorrow ({start}) "
        f"to two weeks after that (before {end}), add a one-hour event 'Focus: <to-do title>' to my primary calendar "
        "on its due date, starting at the earliest time of my work day from which I am free for a whole hour (as "
        "my calendar's free slots show it; gaps between my events count). Place them in order of due date, then "
        "priority (1 first), then "
        f"title, so a block placed earlier that day is no longer free time. Give each a reminder {minutes} minutes "
        "before, and comment on the to-do 'Focus time booked: <YYYY-MM-DD HH:MM>.' with its block's start.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )


def gone_off(view: WorldView, owner: int) -> list[dict[str, Any]]:
    """The owner's overdue open to-dos (active projects) that have reminders, every one already past, with them."""
    late = view.rows(f"SELECT t.id, t.title {OPEN_ACTIVE} AND t.due_date < ? ORDER BY t.id", owner, TODAY)
    found = []
    for t in late:
        reminders = view.rows(
            "SELECT id, remind_at FROM todo_reminders WHERE task_id = ? AND owner_id = ?", t["id"], owner
        )
        if reminders and all(r["remind_at"] <= NOW for r in reminders):
            found.append({**t, "reminders": reminders})
    return found


SNOOZE_LEAST = 4  # overdue to-dos to snooze, none waiting on someone


def latest_comment(view: WorldView, task_id: int) -> str | None:
    """The text of a to-do's latest comment, as show_task_comments orders them (None without comments)."""
    said = view.rows("SELECT text FROM todo_comments WHERE task_id = ? ORDER BY id DESC LIMIT 1", task_id)
    return said[0]["text"] if said else None


def reminder_plan(view: WorldView, owner: int, days: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """(the to-dos due in the next `days` days without reminders, the overdue ones whose reminders have all gone
    off, how many of both wait on someone and are left alone): the first two without those."""
    soon = view.rows(
        f"SELECT t.id, t.title, t.due_date {OPEN_ACTIVE} AND t.due_date >= ? AND t.due_date < ? AND NOT EXISTS "
        "(SELECT 1 FROM todo_reminders r WHERE r.task_id = t.id) ORDER BY t.id",
        owner,
        TODAY,
        day(days),
    )
    late = gone_off(view, owner)
    held = {t["id"] for t in soon + late if latest_comment(view, t["id"]) in HELD}
    return [t for t in soon if t["id"] not in held], [t for t in late if t["id"] not in held], len(held)


@scenario("work_task_reminders", apps=("todo",))
def task_reminders(view: WorldView, rng: random.Random) -> TaskSpec:
    """A reminder for every to-do due this week that has none yet; today's go in the evening (morning has passed);
    overdue to-dos whose reminders have all gone off are snoozed to tomorrow; to-dos waiting on someone are left
    alone. Deep: 4+ overdue to-dos to snooze, told from the many overdue ones without reminders by the reminder list,
    each reminder deleted, a new one added; waiting is only each to-do's latest comment (show_task_comments, read
    per to-do to remind or snooze), and at least one is."""
    days = rng.choice((7, 10, 14))
    owners = view.rows(
        "SELECT t.owner_id, COUNT(*) AS n FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id "
        "WHERE t.completed = 0 AND p.archived = 0 AND t.due_date >= ? AND t.due_date < ? "
        "AND EXISTS (SELECT 1 FROM todo_reminders r WHERE r.task_id = t.id) "
        "GROUP BY t.owner_id ORDER BY t.owner_id",
        TODAY,
        day(days),
    )
    plans = {row["owner_id"]: reminder_plan(view, row["owner_id"], days) for row in owners}
    owners = [row for row in owners if len(plans[row["owner_id"]][1]) >= SNOOZE_LEAST and plans[row["owner_id"]][2]]
    what = f"person with a reminder on a to-do due soon, {SNOOZE_LEAST}+ gone off, one to-do waiting on someone"
    owner = pick(rng, owners, what, distinct=True)["owner_id"]
    hour = rng.choice(("08:00", "09:00"))
    tasks, snoozed, _ = plans[owner]
    look = (
        login("todo")
        + fetch_all("soon", f"apis.todo.show_upcoming_tasks(access_token=todo_token, days={days}")
        + fetch_all("reminders", "apis.todo.show_reminders(access_token=todo_token, include_past=True")
        + fetch_all("late", "apis.todo.show_overdue_tasks(access_token=todo_token")
        + "has = {r['task_id'] for r in reminders}\n"
        + "print([(t['task_id'], t['title'], t['due_date'], t['task_id'] in has) for t in soon + late])\n"
    )
    threads = (
        f"gone = [t for t in late if t['task_id'] in has and all(r['remind_at'] <= {NOW!r} for r in reminders "
        "if r['task_id'] == t['task_id'])]\n"
        "held = set()\n"
        "for t in [t for t in soon if t['task_id'] not in has] + gone:\n"
        + fetch_all("said", "apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id']", "    ")
        + f"    if said and said[-1]['text'] in {HELD!r}:\n"
        "        held.add(t['task_id'])\n"
        "print(held)\n"
    )
    act = f"""
        for t in soon:
            if t['task_id'] in has or t['task_id'] in held:
                continue
            when = t['due_date'] + ('T18:00' if t['due_date'] == {TODAY!r} else 'T{hour}')
            apis.todo.add_reminder(access_token=todo_token, task_id=t['task_id'], remind_at=when)
        for t in gone:
            if t['task_id'] in held:
                continue
            for r in reminders:
                if r['task_id'] == t['task_id']:
                    apis.todo.delete_reminder(access_token=todo_token, reminder_id=r['reminder_id'])
            apis.todo.add_reminder(access_token=todo_token, task_id=t['task_id'], remind_at='{day(1)}T{hour}')
        """
    check = (
        fetch_all("after", "apis.todo.show_reminders(access_token=todo_token")
        + "print([(r['task_title'], r['remind_at']) for r in after])\n"
        + DONE
    )
    expectations: list[Expectation] = [
        Inserted(
            "todo_reminders",
            {
                "task_id": t["id"],
                "owner_id": owner,
                "remind_at": f"{t['due_date']}T{'18:00' if t['due_date'] == TODAY else hour}:00",
            },
            f"'{t['title']}' gets one reminder on its due date",
            what="reminders",
        )
        for t in tasks
    ]
    expectations.append(
        Deleted(
            "todo_reminders",
            frozenset(r["id"] for t in snoozed for r in t["reminders"]),
            "the gone-off reminders of the overdue to-dos are deleted",
        )
    )
    expectations += reminded_tomorrow(snoozed, owner, hour)
    return TaskSpec(
        owner,
        f"Every open to-do due in the next {days} days (today included) that has no reminder yet should remind me on "
        f"its due date at {hour}, except those due today, which remind me at 18:00 today. Leave the to-dos that "
        "already have a reminder alone. Also snooze what has gone off: each overdue open to-do that has reminders, "
        f"none of them still ahead, gets those reminders deleted and a new one tomorrow ({day(1)}) at {hour}. "
        f"Leave alone, in both cases, any to-do waiting on someone (its latest comment is '{HELD[0]}' or "
        f"'{HELD[1]}').",
        Solution().step(look).step(threads).step(act).step(check).steps(),
        expectations,
    )


@scenario("work_deadline_calendar", apps=("todo", "calendar"))
def deadline_calendar(view: WorldView, rng: random.Random) -> TaskSpec:
    """Priority-1 deadlines as all-day, free events on a 'Deadlines' calendar, made when missing, each described with
    its project and latest comment, and a to-do reminder two days ahead. Deep: 6-14 deadlines, whose comments are
    only in show_task_comments, read per to-do (at least one has some), and a reminder added to each."""
    days = rng.choice((30, 45))
    owners = view.rows(
        "SELECT t.owner_id FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id "
        "WHERE t.completed = 0 AND p.archived = 0 AND t.priority = 1 AND t.due_date >= ? AND t.due_date < ? "
        "GROUP BY t.owner_id HAVING COUNT(*) BETWEEN 6 AND 14 "
        "AND SUM(EXISTS (SELECT 1 FROM todo_comments c WHERE c.task_id = t.id)) > 0 ORDER BY t.owner_id",
        TODAY,
        day(days),
    )
    owner = pick(rng, owners, "person with priority-1 deadlines ahead, one commented", distinct=True)["owner_id"]
    color = rng.choice(("red", "orange", "purple"))
    tasks = view.rows(
        f"SELECT t.id, t.title, t.due_date, p.name, {LAST_COMMENT} {OPEN_ACTIVE} AND t.priority = 1 "
        "AND t.due_date >= ? AND t.due_date < ?",
        owner,
        TODAY,
        day(days),
    )
    found = view.rows("SELECT id FROM calendar_calendars WHERE owner_id = ? AND name = 'Deadlines'", owner)
    look = (
        login("todo", "calendar")
        + fetch_all(
            "due",
            f"apis.todo.search_tasks(access_token=todo_token, completed=False, priority=1, due_after={TODAY!r}, "
            f"due_before={day(days)!r}",
        )
        + fetch_all("calendars", "apis.calendar.show_calendars(access_token=calendar_token")
        + "deadlines = next((c for c in calendars if c['name'] == 'Deadlines'), None)\n"
        + "print([(t['title'], t['due_date']) for t in due], deadlines)\n"
    )
    act = f"""
        if deadlines is None:
            made = apis.calendar.create_calendar(access_token=calendar_token, name='Deadlines', color={color!r})
            calendar_id = made['calendar_id']
        else:
            calendar_id = deadlines['calendar_id']
        from datetime import date, timedelta
        for t in due:
            about = 'Project: ' + t['project']['name']
            comments = apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id'], page_limit=20)
            if comments:
                about += '\\nLatest comment: ' + comments[-1]['text']
            apis.calendar.create_event(access_token=calendar_token, calendar_id=calendar_id, title='Due: ' + t['title'],
                                       start=t['due_date'], all_day=True, busy=False, description=about)
            ahead = (date.fromisoformat(t['due_date']) - timedelta(days=2)).isoformat() + 'T09:00'
            if ahead > {NOW[:16]!r}:
                apis.todo.add_reminder(access_token=todo_token, task_id=t['task_id'], remind_at=ahead)
        """
    check = (
        fetch_all("events", "apis.calendar.show_events(access_token=calendar_token, calendar_id=calendar_id")
        + "print([(e['title'], e['start']) for e in events])\n"
        + DONE
    )
    calendar: object = found[0]["id"] if found else NewRow("calendar_calendars", {"name": "Deadlines"})
    expectations: list[Expectation] = []
    if not found:
        expectations.append(
            Inserted(
                "calendar_calendars",
                {
                    "owner_id": owner,
                    "name": "Deadlines",
                    "kind": "other",
                    "color": color,
                    "description": "",
                    "is_visible": 1,
                    "is_primary": 0,
                    "created_at": NOW,
                },
                f"a new 'Deadlines' calendar ({color}, kind other)",
                what="calendars",
            )
        )
    for t in tasks:
        title = f"Due: {t['title']}"
        about = f"Project: {t['name']}" + (f"\nLatest comment: {t['last']}" if t["last"] else "")
        match = {
            "calendar_id": calendar,
            "organizer_id": owner,
            "title": title,
            "description": about,
            "location": "",
            "start": f"{t['due_date']}T00:00:00",
            "end": f"{day_after(t['due_date'])}T00:00:00",
            "all_day": 1,
            "recurrence": "none",
            "recurrence_until": None,
            "status": "confirmed",
            "busy": 0,
            "created_at": NOW,
        }
        expectations.append(Inserted("calendar_events", match, f"an all-day, free '{title}' on {t['due_date']}"))
        ahead = f"{date.fromisoformat(t['due_date']) - timedelta(days=2)}T09:00:00"
        if ahead > NOW:
            expectations.append(
                Inserted(
                    "todo_reminders",
                    {"task_id": t["id"], "owner_id": owner, "remind_at": ahead},
                    f"'{t['title']}' reminds me at {ahead[:16]}",
                    what="reminders",
                )
            )
    return TaskSpec(
        owner,
        f"Put my deadlines on my calendar: for each open priority-1 to-do due from today up to {day(days - 1)}, add "
        "an all-day event 'Due: <to-do title>' on its due date, showing me as free, with the description "
        "'Project: <its project name>' (and when the to-do has comments, a second line 'Latest comment: <the text "
        f"of its latest comment>'), on my calendar named 'Deadlines' (make it, {color}, of kind 'other', if I "
        "have none). Also give each of those to-dos a reminder at 09:00 two days before its due date, when that "
        "is still ahead.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )


def day_after(iso_day: str) -> str:
    return (date.fromisoformat(iso_day) + timedelta(days=1)).isoformat()
