"""Calendar scenarios on personal appointments: getting ready for those coming up."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from envs.toolworld.evaluate import Answer, Expectation, Inserted
from envs.toolworld.scenarios._calendar import NOW, day
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, login, pick
from envs.toolworld.scenarios._rows import new_task
from envs.toolworld.scenarios.contacts_todo import project
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

# appointment title -> (todo project, what to do the day before)
ERRANDS = {
    "Dentist appointment": ("Health", "Floss and find the insurance card"),
    "Doctor checkup": ("Health", "Write down questions for the doctor"),
    "Car service": ("Home", "Empty the car for the service"),
}
WINDOW_DAYS = 60  # days ahead, today counted
APPOINTMENTS_AT_LEAST = 3  # appointments of the three kinds in that window, each acted on
UNCLEAR = -1  # project_of: I have the project only archived, or twice


@scenario("calendar_appointment_prep_todo", apps=("calendar", "todo"))
def appointment_prep_todo(view: WorldView, rng: random.Random) -> TaskSpec:
    """Every appointment of the three kinds in the next WINDOW_DAYS days gets its kind's prep task (due the day
    before, described by its place and time, its project created if missing) and an email reminder a day before
    unless its reminders (read per appointment) have one: each kind found over its own event search; the pick has
    APPOINTMENTS_AT_LEAST of them. The answer lists the days of all such appointments I organize, past and future
    (a search per kind)."""
    last = day(WINDOW_DAYS) + "T23:59"

    def soon_visits(person: int) -> list[dict[str, Any]] | None:
        """The person's appointments in the window, or None when the task would be unclear for them: a friend's
        shared calendar shows one too, or a kind's project is unclear (archived only, or two of one name)."""
        marks = ",".join("?" * len(ERRANDS))
        if view.rows(
            "SELECT 1 FROM calendar_events e JOIN calendar_shares s ON s.calendar_id = e.calendar_id WHERE "
            f"s.person_id = ? AND e.title IN ({marks}) AND e.status = 'confirmed' AND e.start > ? AND e.start <= ?",
            person,
            *ERRANDS,
            NOW,
            last,
        ):
            return None
        visits = view.rows(
            "SELECT e.* FROM calendar_events e JOIN calendar_calendars c ON c.id = e.calendar_id WHERE c.owner_id = ? "
            f"AND e.title IN ({marks}) AND e.status = 'confirmed' AND e.start > ? AND e.start <= ? ORDER BY e.start",
            person,
            *ERRANDS,
            NOW,
            last,
        )
        if any(project_of(person, ERRANDS[v["title"]][0]) == UNCLEAR for v in visits):
            return None
        return visits

    def project_of(person: int, name: str) -> Any:
        """My active project `name`'s id; UNCLEAR if I have it only archived or twice; None if it is to be created."""
        found = view.rows("SELECT id, archived FROM todo_projects WHERE owner_id = ? AND name = ?", person, name)
        active = [r["id"] for r in found if not r["archived"]]
        if len(active) == 1:
            return active[0]
        return UNCLEAR if found else None

    def busy(least: int) -> list[tuple[int, list[dict[str, Any]]]]:
        return [(p, v) for p in view.people_ids() if (v := soon_visits(p)) is not None and len(v) >= least]

    _, pool = as_deep_as_found((APPOINTMENTS_AT_LEAST, 2, 1), busy)
    person, soon = pick(rng, pool, "person with appointments soon", distinct=True)
    expectations: list[Expectation] = []
    projects: dict[str, Any] = {}
    for name in sorted({ERRANDS[v["title"]][0] for v in soon}):
        projects[name], created = (
            (project_of(person, name), []) if project_of(person, name) else project(view, person, name)
        )
        expectations += created
    for visit in soon:
        name, chore = ERRANDS[visit["title"]]
        before = (date.fromisoformat(visit["start"][:10]) - timedelta(days=1)).isoformat()
        expectations.append(
            Inserted(
                "todo_tasks",
                new_task(
                    person,
                    projects[name],
                    chore,
                    due_date=before,
                    priority=2,
                    description=f"{visit['title']} at {visit['location']} on {visit['start'][:16].replace('T', ' ')}",
                ),
                f"a priority-2 task '{chore}' due {before} in {name}",
                what=f"tasks due {before}",
            )
        )
        if not view.rows(
            "SELECT 1 FROM calendar_reminders WHERE event_id = ? AND person_id = ? AND minutes_before = 1440 "
            "AND method = 'email'",
            visit["id"],
            person,
        ):
            expectations.append(
                Inserted(
                    "calendar_reminders",
                    {"event_id": visit["id"], "person_id": person, "minutes_before": 1440, "method": "email"},
                    f"the {visit['title']} on {visit['start'][:10]} has an email reminder a day before",
                    what=f"reminders of event {visit['id']}",
                )
            )
    look = (
        "visits = []\n"
        f"for title in {sorted(ERRANDS)!r}:\n"
        + fetch_all(
            "found",
            f"apis.calendar.show_events(access_token=calendar_token, query=title, date_from={day(0)!r}, "
            f"date_to={day(WINDOW_DAYS)!r}",
            indent="    ",
        )
        + f"    visits += [v for v in found if v['title'] == title and v['start'] > {WORLD_NOW.isoformat()!r}]\n"
        "print([(v['event_id'], v['title'], v['start'], v['location']) for v in visits])\n"
        + fetch_all("projects", "apis.todo.show_projects(access_token=todo_token")
        + "project_ids = {p['name']: p['project_id'] for p in projects}\n"
    )
    act = (
        "from datetime import date, timedelta\n"
        f"errands = {ERRANDS!r}\n"
        "for visit in visits:\n"
        "    project, chore = errands[visit['title']]\n"
        "    if project not in project_ids:\n"
        "        project_ids[project] = apis.todo.create_project(access_token=todo_token, name=project)['project_id']\n"
        "    before = (date.fromisoformat(visit['start'][:10]) - timedelta(days=1)).isoformat()\n"
        "    apis.todo.create_task(access_token=todo_token, project_id=project_ids[project], title=chore, "
        "due_date=before, priority=2, description=visit['title'] + ' at ' + visit['location'] + ' on ' + "
        "visit['start'][:16].replace('T', ' '))\n"
        "    have = apis.calendar.show_event_reminders(access_token=calendar_token, event_id=visit['event_id'])\n"
        "    if not any(r['minutes_before'] == 1440 and r['method'] == 'email' for r in have):\n"
        "        apis.calendar.add_event_reminder(access_token=calendar_token, event_id=visit['event_id'], "
        "minutes_before=1440, method='email')\n"
    )
    check = (
        "days = []\n"
        f"for title in {sorted(ERRANDS)!r}:\n"
        + fetch_all(
            "mine",
            "apis.calendar.show_events(access_token=calendar_token, query=title, role='organizer'",
            indent="    ",
        )
        + "    days += [e['start'][:10] for e in mine if e['title'] == title]\n"
        "print(apis.todo.show_upcoming_tasks(access_token=todo_token, page_limit=20))\n"
    )
    done = "apis.supervisor.complete_task(answer=days)\n"
    oracle = Solution().step(login("calendar", "todo")).step(look).step(act).step(check).step(done).steps()
    marks = ",".join("?" * len(ERRANDS))
    days = [
        r["start"][:10]
        for r in view.rows(
            f"SELECT start FROM calendar_events WHERE organizer_id = ? AND title IN ({marks}) AND status = 'confirmed'",
            person,
            *ERRANDS,
        )
    ]
    expectations.append(Answer(days, f"the answer lists the days of my {len(days)} appointments of those kinds"))
    *others, final = ERRANDS
    titles = f"{', '.join(repr(t) for t in others)} or {final!r}"
    kinds = ", ".join(
        f"'{chore}' in my '{project}' project for a '{title}'" for title, (project, chore) in ERRANDS.items()
    )
    return TaskSpec(
        person,
        f"Get me ready for my appointments in the next {WINDOW_DAYS} days (by {day(WINDOW_DAYS)}): for every "
        f"event on my calendars titled {titles} from now on, add a priority-2 task due "
        f"the day before, with the description '<title> at <location> on <YYYY-MM-DD HH:MM>' ({kinds}; create a "
        "project if I have none of that name), and give the appointment an email reminder one day (1440 minutes) "
        "before unless it has one already. Then tell me the day (YYYY-MM-DD) of every "
        "event with one of these titles I organize, past and future, one item per event (cancelled ones left out).",
        oracle,
        expectations,
    )
