"""Household scenarios that start from calendar events: who came to a dinner pays their share, who is coming gets a
text, and the chores I must do go on my calendar."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from envs.toolworld.apps.bill_splitting import equal_shares
from envs.toolworld.evaluate import Expectation, Inserted, NewRow, OneOf
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, full_name, login, pick
from envs.toolworld.scenarios._rows import new_event
from envs.toolworld.scenarios.bill_splitting import added_expense
from envs.toolworld.scenarios.household_calendar import invited_event, primary_calendar
from envs.toolworld.scenarios.payments import texted
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

NOW = WORLD_NOW.isoformat(timespec="seconds")
TODAY = WORLD_NOW.date().isoformat()
HOSTED_UNTIL = (WORLD_NOW.date() + timedelta(days=13)).isoformat()  # two weeks: today and the 13 days after
DINNER_GUESTS_AT_LEAST = 3  # household_dinner_group_from_event: each texted their share as the app split it
HOSTED_AT_LEAST = 5  # household_text_coming_guests: one show_event per hosted event
GUEST_TEXTS_AT_LEAST = 10  # and as many texts over those events (accepted and pending guests)
COMING = "See you at {when}!"
ANSWER_PLEASE = "Are you coming to {when}? Please answer the invitation."
WHEN = "<title> on YYYY-MM-DD at HH:MM"


def attendees(view: WorldView, event_id: int) -> dict[int, str]:
    return {
        r["person_id"]: r["response"]
        for r in view.rows("SELECT person_id, response FROM calendar_attendees WHERE event_id = ?", event_id)
    }


def organized(view: WorldView, past: bool) -> list[dict[str, Any]]:
    """One-off confirmed events, each the latest past (or the next upcoming) of its organizer's events of that title,
    when all their events of that title are one-off."""
    rows = view.rows(
        "SELECT e.id, e.organizer_id, e.title, e.start, e.location FROM calendar_events e "
        "JOIN calendar_calendars c ON c.id = e.calendar_id AND c.owner_id = e.organizer_id "
        "WHERE e.status = 'confirmed' AND NOT EXISTS (SELECT 1 FROM calendar_events x WHERE "
        "x.organizer_id = e.organizer_id AND x.title = e.title AND x.recurrence != 'none') ORDER BY e.start, e.id"
    )
    chosen: dict[tuple[int, str], dict[str, Any]] = {}
    for r in rows:
        key = (r["organizer_id"], r["title"])
        if past and r["start"] < NOW:
            chosen[key] = r  # rows go by start: the last one kept is the latest past
        elif not past and r["start"] > NOW and key not in chosen:
            chosen[key] = r
    return list(chosen.values())


@scenario("household_dinner_group_from_event", apps=("calendar", "bill_splitting", "phone"))
def dinner_group_from_event(view: WorldView, rng: random.Random) -> TaskSpec:
    """Who came (accepted, only in show_event) gets a group, the expense and a text with their share. Deep: the app
    gives the leftover cents of an equal split to some members, so each share is read back with show_expense (the
    amount never divides evenly), and each number comes from the phone contacts; DINNER_GUESTS_AT_LEAST+ guests."""
    cases = []
    for e in organized(view, past=True):
        who = attendees(view, e["id"])
        came = [p for p, r in who.items() if r == "accepted"]
        numbers = {
            r["email"]
            for r in view.rows("SELECT email FROM phone_contacts WHERE owner_id = ? AND email != ''", e["organizer_id"])
        }
        if (
            len(came) >= DINNER_GUESTS_AT_LEAST
            and len(who) > len(came)
            and all(view.person(p)["email"] in numbers for p in came)
        ):
            cases.append((e, sorted(came)))
    e, came = pick(
        rng,
        cases,
        f"past event with {DINNER_GUESTS_AT_LEAST}+ accepted guests in my contacts and other invitees",
        distinct=True,
    )
    owner, title, day = e["organizer_id"], e["title"], e["start"][:10]
    amount = round(rng.randint(40, 240) + rng.choice((0, 0.5, 0.8)), 2)
    people = sorted([owner, *came])
    while all(abs(equal_shares(amount, people)[p] - round(amount / len(people), 2)) < 0.005 for p in came):
        amount = round(amount + 0.01, 2)  # a cent more until the app's leftover cents make a plain division wrong
    name = f"{title} {day}"
    group = {"name": name, "created_by": owner, "group_type": "other", "description": "", "simplify_debts": 0}
    expense = {"description": title, "amount": amount, "paid_by": owner, "category": "dining"}
    split = equal_shares(amount, people)
    texts = {
        p: f"Hi {view.person(p)['first_name']}, I added '{title}' on bill splitting: your share is ${split[p]:.2f}."
        for p in came
    }
    oracle = (
        Solution()
        .step(login("calendar", "bill_splitting", "phone"))
        .step(
            fetch_all(
                "events",
                f"apis.calendar.show_events(access_token=calendar_token, query={title!r}, role='organizer', "
                f"date_to={TODAY!r}",
            )
            + f"past = [e for e in events if e['title'] == {title!r} and e['start'] < {NOW!r}]\n"
            + "last = max(past, key=lambda e: e['start'])\n"
            + "event = apis.calendar.show_event(access_token=calendar_token, event_id=last['event_id'])\n"
            + "came = [a['email'] for a in event['attendees'] if a['response'] == 'accepted']\n"
            + "print(last['start'], [(a['name'], a['response']) for a in event['attendees']])\n"
        )
        .step(
            "name = f\"{last['title']} {last['start'][:10]}\"\n"
            "group_id = apis.bill_splitting.create_group(access_token=bill_splitting_token, name=name, "
            "member_emails=came)['group_id']\n"
            f"amount = {amount}\n"
            "expense = apis.bill_splitting.add_expense(access_token=bill_splitting_token, group_id=group_id, "
            f"description={title!r}, amount=amount, category='dining')\n"
            "apis.bill_splitting.add_comment(access_token=bill_splitting_token, expense_id=expense['expense_id'], "
            "text='Thanks for coming!')\n"
        )
        .step(
            "detail = apis.bill_splitting.show_expense(access_token=bill_splitting_token, "
            "expense_id=expense['expense_id'])\n"
            "share = {s['email']: s['amount'] for s in detail['shares']}\n"
            + fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token")
            + "numbers = {c['email']: c['phone_number'] for c in contacts if c['email']}\n"
            "first = {a['email']: a['name'].split()[0] for a in event['attendees']}\n"
            "for email in came:\n"
            f"    text = f\"Hi {{first[email]}}, I added '{title}' on bill splitting: your share is "
            '${share[email]:.2f}."\n'
            "    apis.phone.send_text_message(access_token=phone_token, phone_number=numbers[email], message=text)\n"
        )
        .step(
            "print(apis.bill_splitting.show_group(access_token=bill_splitting_token, group_id=group_id))\n"
            "apis.supervisor.complete_task()"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        f"I paid ${amount:.2f} for our last '{title}' (the most recent one I organized on my calendar, already past). "
        f"Create a bill splitting group named '{title} <that event's date as YYYY-MM-DD>' (type other, no "
        "description) with me and everyone who accepted that invitation (nobody else), then add a dining expense "
        f"'{title}' of ${amount:.2f} paid by me, dated today, split equally among all of us, and comment 'Thanks for "
        "coming!' on that expense. Then text each guest in the group, at their number in my phone contacts: "
        f"\"Hi <first name>, I added '{title}' on bill splitting: "
        'your share is $<their share of it as the app split it, two decimals>."',
        oracle,
        [
            *(texted(view, owner, p, text) for p, text in texts.items()),
            Inserted("bill_splitting_groups", group, f"a group '{name}' (no description asked)", what="groups"),
            Inserted(
                "bill_splitting_members",
                {"group_id": NewRow("bill_splitting_groups", group), "person_id": OneOf(people), "is_archived": 0},
                f"its members are me and the {len(came)} who accepted",
                count=len(people),
                what="members",
            ),
            *added_expense(
                view,
                NewRow("bill_splitting_groups", group),
                owner,
                title,
                amount,
                equal_shares(amount, people),
                "dining",
            ),
            Inserted(
                "bill_splitting_comments",
                {
                    "expense_id": NewRow("bill_splitting_expenses", expense),
                    "author_id": owner,
                    "text": "Thanks for coming!",
                },
                "the expense has my comment 'Thanks for coming!'",
                what="comments",
            ),
        ],
    )


@scenario("household_text_coming_guests", apps=("calendar", "phone"))
def text_coming_guests(view: WorldView, rng: random.Random) -> TaskSpec:
    """Every one-off event I host in the next two weeks gets its guests texted by their answer: accepted ones are
    expected, pending ones asked to answer, the rest left alone. Deep: the event list gives only a guest count, so
    each of the HOSTED_AT_LEAST+ events needs show_event for who answered what (GUEST_TEXTS_AT_LEAST+ texts);
    repeating events, cancelled ones and those already begun today are distractors."""
    cases = []
    for owner, events in sorted(_hosted_two_weeks(view).items()):
        guests = [attendees(view, e["id"]) for e in events]
        to_text = {p for who in guests for p, r in who.items() if r in ("accepted", "pending")}
        numbers = {
            r["email"] for r in view.rows("SELECT email FROM phone_contacts WHERE owner_id = ? AND email != ''", owner)
        }
        texts = sum(r in ("accepted", "pending") for who in guests for r in who.values())
        if any("pending" in who.values() for who in guests) and all(
            view.person(p)["email"] in numbers for p in to_text
        ):
            cases.append((owner, events, texts))
    (hosted, texts_min), found = as_deep_as_found(
        ((HOSTED_AT_LEAST, GUEST_TEXTS_AT_LEAST), (3, 6), (1, 1)),
        lambda m: [(o, es) for o, es, n in cases if len(es) >= m[0] and n >= m[1]],
    )
    owner, events = pick(
        rng,
        found,
        f"person hosting {hosted}+ events in two weeks, {texts_min}+ texts to send to guests in their contacts",
        distinct=True,
    )
    expectations: list[Expectation] = []
    for e in events:
        when = f"{e['title']} on {e['start'][:10]} at {e['start'][11:16]}"
        answers = attendees(view, e["id"])
        texted = 0
        for p, response in sorted(answers.items()):
            if response not in ("accepted", "pending"):
                continue
            text = COMING.format(when=when) if response == "accepted" else ANSWER_PLEASE.format(when=when)
            texted += 1
            expectations.append(
                Inserted(
                    "phone_messages",
                    {"sender_id": owner, "receiver_id": p, "message": text, "is_read": 0},
                    f"{full_name(view, p)} ({response}) gets '{text}'",
                    what="texts",
                )
            )
        if not texted:
            continue
        expectations.append(
            Inserted(
                "calendar_notes",
                {"event_id": e["id"], "author_id": owner, "text": f"Texted {texted} guests"},
                f"'{e['title']}' of {e['start'][:10]} has the note 'Texted {texted} guests'",
                what="notes",
            )
        )
    oracle = (
        Solution()
        .step(login("calendar", "phone"))
        .step(
            fetch_all(
                "events",
                f"apis.calendar.show_events(access_token=calendar_token, role='organizer', date_from={TODAY!r}, "
                f"date_to={HOSTED_UNTIL!r}",
            )
            + f"hosted = [e for e in events if e['recurrence'] == 'none' and e['start'] > {NOW!r}]\n"
            + "print([(e['title'], e['start'], e['attendee_count']) for e in hosted])\n"
            + fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token")
            + "numbers = {c['email']: c['phone_number'] for c in contacts if c['email']}\n"
        )
        .step(
            "for e in hosted:\n"
            "    event = apis.calendar.show_event(access_token=calendar_token, event_id=e['event_id'])\n"
            "    when = f\"{e['title']} on {e['start'][:10]} at {e['start'][11:16]}\"\n"
            "    texted = 0\n"
            "    for a in event['attendees']:\n"
            "        if a['response'] == 'accepted':\n"
            f"            text = {COMING!r}.format(when=when)\n"
            "        elif a['response'] == 'pending':\n"
            f"            text = {ANSWER_PLEASE!r}.format(when=when)\n"
            "        else:\n"
            "            continue\n"
            "        apis.phone.send_text_message(access_token=phone_token, phone_number=numbers[a['email']], "
            "message=text)\n"
            "        texted += 1\n"
            "    if texted:\n"
            "        apis.calendar.add_event_note(access_token=calendar_token, event_id=e['event_id'], "
            "text=f'Texted {texted} guests')\n"
        )
        .step(
            fetch_all("sent", "apis.phone.search_text_messages(access_token=phone_token, query='invitation'")
            + "print(len(sent))\n"
            + "apis.supervisor.complete_task()"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        f"Text the guests of every one-off event I organized that starts from now until the end of {HOSTED_UNTIL} (all "
        "of them, whatever their title; not my repeating events): everyone who accepted an event gets this exact "
        f"message, with its title, date and start time filled in: '{COMING.format(when=WHEN)}', and everyone who has "
        f"not answered it yet gets '{ANSWER_PLEASE.format(when=WHEN)}'. Guests who declined or said maybe get "
        "nothing. Their numbers are in my phone contacts. Then leave a note on each event you texted guests about "
        "saying 'Texted <how many guests you texted about it> guests' (word for word: 'guests' even for one, like "
        "'Texted 1 guests').",
        oracle,
        expectations,
    )


def _hosted_two_weeks(view: WorldView) -> dict[int, list[dict[str, Any]]]:
    """Each person's confirmed one-off events they organize starting from now to HOSTED_UNTIL, for people whose one-off
    events of those days are all timed, on their own calendars and told apart by title and start (their repeating
    events and those already begun today are left out of the task)."""
    rows = view.rows(
        "SELECT e.id, e.organizer_id, e.title, e.start, e.all_day, c.owner_id AS calendar_owner FROM calendar_events "
        "e JOIN calendar_calendars c ON c.id = e.calendar_id WHERE e.status = 'confirmed' AND e.recurrence = 'none' "
        "AND e.start < ? AND e.end > ? ORDER BY e.start, e.id",
        f"{HOSTED_UNTIL}T99",
        TODAY,
    )
    hosted: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        hosted.setdefault(r["organizer_id"], []).append(r)
    return {
        owner: [e for e in events if e["start"] > NOW]
        for owner, events in hosted.items()
        if all(not e["all_day"] and e["calendar_owner"] == owner for e in events)
        and len({(e["title"], e["start"]) for e in events}) == len(events)
    }


CHORES_AT_LEAST = 6  # household_my_chores_on_calendar: each chore's comments read, an event made
CHORE_DAYS = 20  # its window: today and the 20 days after


def chores_due(view: WorldView, person: int, last: str) -> list[dict[str, Any]]:
    """Open top-level tasks due from today to `last` in active projects `person` shares with others (their own
    with collaborators, or others' they collaborate on), each with its latest comment as 'Author Name: text'."""
    return view.rows(
        "SELECT t.id, t.title, t.due_date, t.assignee_id, (SELECT f.first_name || ' ' || f.last_name || ': ' || "
        "c.text FROM todo_comments c JOIN people f ON f.id = c.owner_id WHERE c.task_id = t.id ORDER BY c.id DESC "
        "LIMIT 1) AS said FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE p.archived = 0 "
        "AND t.completed = 0 AND t.parent_id IS NULL AND t.due_date BETWEEN ? AND ? AND ((p.owner_id = ? AND "
        "EXISTS (SELECT 1 FROM todo_collaborators c WHERE c.project_id = p.id)) OR EXISTS (SELECT 1 FROM "
        "todo_collaborators c WHERE c.project_id = p.id AND c.person_id = ?)) ORDER BY t.due_date, t.id",
        TODAY,
        last,
        person,
        person,
    )


@scenario("household_my_chores_on_calendar", apps=("todo", "calendar"))
def my_chores_on_calendar(view: WorldView, rng: random.Random) -> TaskSpec:
    """My chores of the next three weeks in every project shared between me and others, mine or theirs (found over
    every page of the tasks I see; others' chores are distractors), become events. Deep: each chore's thread is
    read (show_task_comments, one call each) to put its latest comment, with its author, in the event; some chores
    have none. The pick has CHORES_AT_LEAST=6+ chores (as_deep_as_found falls back to 3, then 1)."""
    last = (WORLD_NOW.date() + timedelta(days=CHORE_DAYS)).isoformat()
    after = (WORLD_NOW.date() + timedelta(days=CHORE_DAYS + 1)).isoformat()  # search_tasks' due_before is exclusive
    cases = []
    for owner in view.people_ids():
        tasks = chores_due(view, owner, last)
        mine = [t for t in tasks if t["assignee_id"] == owner]
        distinct = len({(t["title"], t["due_date"]) for t in mine}) == len(mine)  # one event per chore tells them apart
        talked = sum(t["said"] is not None for t in mine)
        if len(tasks) > len(mine) and distinct and 0 < talked < len(mine):
            cases.append((owner, mine))
    _, found = as_deep_as_found(
        [CHORES_AT_LEAST, 3, 1], lambda least: [(o, mine) for o, mine in cases if least <= len(mine) <= 10]
    )
    owner, mine = pick(rng, found, "person with chores due soon in shared projects", distinct=True)
    hour = rng.choice([9, 10, 17, 18])
    calendar_id = primary_calendar(view, owner)
    events = [
        new_event(
            owner,
            calendar_id,
            t["title"],
            f"{t['due_date']}T{hour:02d}:00:00",
            f"{t['due_date']}T{hour + 1:02d}:00:00",
            description=t["said"] or "",
        )
        for t in mine
    ]
    oracle = (
        Solution()
        .step(login("todo", "calendar"))
        .step(
            fetch_all("projects", "apis.todo.show_projects(access_token=todo_token")
            + fetch_all("theirs", "apis.todo.show_shared_projects(access_token=todo_token")
            + "shared = {p['project_id'] for p in projects if p['shared']} | {p['project_id'] for p in theirs}\n"
            + fetch_all(
                "tasks",
                "apis.todo.search_tasks(access_token=todo_token, completed=False, include_shared=True, "
                f"due_after={TODAY!r}, due_before={after!r}",
            )
            + "soon = [t for t in tasks if t['project']['project_id'] in shared and t['assignee_email'] == me['email'] "
            "and t['parent_task_id'] is None]\n" + "print([(t['title'], t['due_date']) for t in soon])\n"
        )
        .step(
            "for t in soon:\n"
            + fetch_all("said", "apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id']", "    ")
            + "    about = said[-1]['author']['name'] + ': ' + said[-1]['text'] if said else ''\n"
            "    apis.calendar.create_event(access_token=calendar_token, title=t['title'], "
            f"start=t['due_date'] + 'T{hour:02d}:00', end=t['due_date'] + 'T{hour + 1:02d}:00', "
            "description=about, reminder_minutes=30)\n"
        )
        .step(
            fetch_all(
                "check",
                f"apis.calendar.show_events(access_token=calendar_token, date_from={TODAY!r}, date_to={last!r}",
            )
            + "print(len(check))\n"
            + "apis.supervisor.complete_task()"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        "Block time for my chores: for every open task (not subtasks) in any active (not archived) todo project "
        "shared between me and others (mine that I share, or someone else's shared with me) that is assigned to me "
        f"and due between today ({TODAY}) and {last} inclusive, add an event to my primary "
        f"calendar titled like the task, on its due date from {hour:02d}:00 to {hour + 1:02d}:00, with a 30-minute "
        "pop-up reminder, described with the task's latest comment as '<its author's full name>: <comment text>' "
        "(no description when the task has no comments). Tasks assigned to others are theirs to plan.",
        oracle,
        [
            e
            for event in events
            for e in [
                *invited_event(
                    event,
                    [],
                    f"'{event['title']}' is on my calendar on {event['start'][:10]}"
                    + (f", described {event['description']!r}" if event["description"] else ", with no description"),
                ),
                Inserted(
                    "calendar_reminders",
                    {
                        "event_id": NewRow("calendar_events", event),
                        "person_id": owner,
                        "minutes_before": 30,
                        "method": "popup",
                    },
                    f"'{event['title']}' has my 30-minute pop-up reminder",
                    what="reminders",
                ),
            ]
        ],
    )
