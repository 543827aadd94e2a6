"""Calendar scenarios on personal appointments: getting ready for the next one, when there is one soon."""

from __future__ import annotations

import random
from datetime import date, timedelta

from envs.toolworld.evaluate import Answer, Expectation, Inserted
from envs.toolworld.scenarios._calendar import NOW, day
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios._rows import new_task
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

# appointment title -> (todo project, what to do the day before)
ERRANDS = {
    "Dentist appointment": ("Health", "Floss and find the insurance card"),
    "Doctor checkup": ("Health", "Write down questions for the doctor"),
    "Car service": ("Home", "Empty the car for the service"),
}
WINDOW_DAYS = 21


@scenario("calendar_appointment_prep_todo", apps=("calendar", "todo"))
def appointment_prep_todo(view: WorldView, rng: random.Random) -> TaskSpec:
    none_soon = getattr(rng, "variant", 0) % 3 == 1  # one variant in three: no such appointment in the window
    title = rng.choice(sorted(ERRANDS))
    project, chore = ERRANDS[title]
    pool = []
    for person in view.people_ids():
        if not view.rows(
            "SELECT id FROM todo_projects WHERE owner_id = ? AND name = ? AND archived = 0", person, project
        ):
            continue
        visits = view.rows(
            "SELECT e.* FROM calendar_events e JOIN calendar_calendars c ON c.id = e.calendar_id "
            "WHERE c.owner_id = ? AND e.title = ? AND e.status = 'confirmed' ORDER BY e.start",
            person,
            title,
        )
        soon = [v for v in visits if NOW < v["start"] <= day(WINDOW_DAYS) + "T23:59"]
        if view.rows(  # a friend's calendar shared with me shows their visit too: "my next" would be unclear
            "SELECT 1 FROM calendar_events e JOIN calendar_shares s ON s.calendar_id = e.calendar_id "
            "WHERE s.person_id = ? AND e.title = ? AND e.status = 'confirmed' AND e.start > ? AND e.start <= ?",
            person,
            title,
            NOW,
            day(WINDOW_DAYS) + "T23:59",
        ):
            continue
        if soon and view.rows(
            "SELECT 1 FROM calendar_reminders WHERE event_id = ? AND person_id = ? AND minutes_before = 1440 "
            "AND method = 'email'",
            soon[0]["id"],
            person,
        ):
            continue
        if len(visits) >= 2 and (not soon) == none_soon and len(soon) <= 1:
            pool.append((person, soon))
    person, soon = pick(rng, pool, f"person with {title}s", distinct=True)
    expectations: list[Expectation] = []
    if soon:
        visit = soon[0]
        before = (date.fromisoformat(visit["start"][:10]) - timedelta(days=1)).isoformat()
        project_id = view.value(
            "SELECT id FROM todo_projects WHERE owner_id = ? AND name = ? AND archived = 0", person, project
        )
        expectations = [
            Inserted(
                "todo_tasks",
                new_task(
                    person,
                    project_id,
                    chore,
                    due_date=before,
                    priority=2,
                    description=f"{title} at {visit['location']} on {visit['start'][:16].replace('T', ' ')}",
                ),
                f"a priority-2 task '{chore}' due {before} in {project}",
                what="tasks",
            ),
            Inserted(
                "calendar_reminders",
                {"event_id": visit["id"], "person_id": person, "minutes_before": 1440, "method": "email"},
                f"the {title} on {visit['start'][:10]} has an email reminder a day before",
                what="reminders",
            ),
        ]
    look = fetch_all(
        "visits",
        f"apis.calendar.show_events(access_token=calendar_token, query={title!r}, date_from={day(0)!r}, "
        f"date_to={day(WINDOW_DAYS)!r}",
    ) + (
        f"visits = [v for v in visits if v['title'] == {title!r} and v['start'] > {WORLD_NOW.isoformat()!r}]\n"
        "print([(v['event_id'], v['start'], v['location']) for v in visits])\n"
        "projects = apis.todo.show_projects(access_token=todo_token, page_limit=20)\n"
        f"project_id = next(p['project_id'] for p in projects if p['name'] == {project!r})\n"
    )
    act = (
        "from datetime import date, timedelta\n"
        "if visits:\n"
        "    visit = visits[0]\n"
        "    before = (date.fromisoformat(visit['start'][:10]) - timedelta(days=1)).isoformat()\n"
        f"    apis.todo.create_task(access_token=todo_token, project_id=project_id, title={chore!r}, due_date=before, "
        f"priority=2, description={title!r} + ' at ' + visit['location'] + ' on ' + "
        "visit['start'][:16].replace('T', ' '))\n"
        "    apis.calendar.add_event_reminder(access_token=calendar_token, event_id=visit['event_id'], "
        "minutes_before=1440, method='email')\n"
        "else:\n"
        "    print('no appointment soon: nothing to do')\n"
    )
    check = (
        fetch_all("tasks", f"apis.todo.search_tasks(access_token=todo_token, query={chore!r}")
        + "print([(t['title'], t['due_date']) for t in tasks])\n"
        + fetch_all("mine", f"apis.calendar.show_events(access_token=calendar_token, query={title!r}, role='organizer'")
        + f"days = [e['start'][:10] for e in mine if e['title'] == {title!r}]\n"
    )
    done = "apis.supervisor.complete_task(answer=days)\n"
    oracle = Solution().step(login("calendar", "todo")).step(look).step(act).step(check).step(done).steps()
    days = [
        r["start"][:10]
        for r in view.rows(
            "SELECT start FROM calendar_events WHERE organizer_id = ? AND title = ? AND status = 'confirmed'",
            person,
            title,
        )
    ]
    expectations.append(Answer(days, f"the answer lists the days of my {len(days)} {title}s"))
    return TaskSpec(
        person,
        f"Do I have a '{title}' coming up in the next {WINDOW_DAYS} days (by {day(WINDOW_DAYS)})? If so, for the "
        f"first one: add a priority-2 task '{chore}' to my '{project}' todo project, due the day before, with the "
        f"description '{title} at <location> on <YYYY-MM-DD HH:MM>', and give the appointment an email reminder one "
        f"day (1440 minutes) before. If there is none, change nothing. Either way, tell me the day (YYYY-MM-DD) of "
        f"every '{title}' I organize, past and future.",
        oracle,
        expectations,
        noop_pass=not soon,
    )
