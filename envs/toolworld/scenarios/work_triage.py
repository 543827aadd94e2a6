"""Productivity around the todo app: triaging overdue and upcoming tasks by project, priority and label."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from envs.toolworld.evaluate import Answer, Expectation, Inserted, NewRow, Updated
from envs.toolworld.scenarios._common import Solution, fetch_all, login, other_branch, pick
from envs.toolworld.scenarios._work import HELD, LATEST_COMMENT, NOW, TODAY, WAITING, day, labels_with
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

OVERDUE = "t.completed = 0 AND t.due_date < ?"
PUSHED = "Moved this from last week."


@scenario("work_overdue_triage", apps=("todo",))
def overdue_triage(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows(
        "SELECT p.owner_id, p.id, p.name FROM todo_projects p JOIN todo_tasks t ON t.project_id = p.id "
        f"WHERE p.archived = 0 AND {OVERDUE} GROUP BY p.id HAVING COUNT(*) >= 3 ORDER BY p.id",
        TODAY,
    )
    project = pick(rng, owners, "project with overdue tasks", distinct=True)
    owner = project["owner_id"]
    later = day(rng.choice((7, 10, 14)))
    late = view.rows(
        f"SELECT t.* FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE t.owner_id = ? "
        f"AND p.archived = 0 AND t.project_id != ? AND {OVERDUE} ORDER BY t.id",
        owner,
        project["id"],
        TODAY,
    )
    look = (
        login("todo")
        + fetch_all("projects", f"apis.todo.show_projects(access_token=todo_token, query={project['name']!r}")
        + f"skip = next(p for p in projects if p['name'] == {project['name']!r})\n"
        + fetch_all("late", "apis.todo.show_overdue_tasks(access_token=todo_token")
        + "late = [t for t in late if t['project']['project_id'] != skip['project_id']]\n"
        + "for t in late:\n    print(t['task_id'], t['title'], t['due_date'], t['priority'], t['labels'])\n"
    )
    act = f"""
        waiting = 0
        for t in late:
            if 'waiting' in t['labels']:
                waiting += 1
            elif t['priority'] <= 2:
                apis.todo.update_task(access_token=todo_token, task_id=t['task_id'], due_date={TODAY!r},
                                      labels=sorted(set(t['labels']) | {{'urgent'}}))
            else:
                apis.todo.update_task(access_token=todo_token, task_id=t['task_id'], due_date={later!r})
        """
    check = (
        fetch_all("still", "apis.todo.show_overdue_tasks(access_token=todo_token")
        + "print([(t['title'], t['project']['name'], t['labels']) for t in still])\n"
        + "apis.supervisor.complete_task(answer=waiting)\n"
    )
    expectations: list[Expectation] = []
    waiting = 0
    for t in late:
        if "waiting" in t["labels"].split(","):
            waiting += 1
        elif t["priority"] <= 2:
            values = {"due_date": TODAY, "labels": labels_with(t["labels"], "urgent")}
            expectations.append(Updated("todo_tasks", t["id"], values, f"'{t['title']}' is due today, urgent"))
        else:
            expectations.append(Updated("todo_tasks", t["id"], {"due_date": later}, f"'{t['title']}' is due {later}"))
    expectations.append(Answer(waiting, f"the answer is the number of overdue tasks left waiting ({waiting})"))
    return TaskSpec(
        owner,
        f"Triage my overdue to-dos, except those of my '{project['name']}' project, which I will handle myself. "
        "Those labelled 'waiting' stay as they are. Of the others, the priority 1 and 2 ones are due today and get "
        f"the 'urgent' label (keeping their other labels); the rest are due on {later}. Tell me how many overdue "
        "to-dos (outside that project) you left alone because they were waiting.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )


PARKED = ("Later", "Waiting on others")  # sections whose to-dos stay put when the overdue ones are gathered
OVERDUE_LEAST = 8  # to-dos to gather: each needs its thread read


def overdue_by_project(view: WorldView, owner: int) -> dict[int, dict[str, Any]]:
    """The owner's active projects that have sections, each with its sections and its overdue open top-level to-dos
    (their section's name and latest comment)."""
    projects: dict[int, dict[str, Any]] = {}
    for p in view.rows(
        "SELECT p.id, p.name FROM todo_projects p WHERE p.owner_id = ? AND p.archived = 0 "
        "AND EXISTS (SELECT 1 FROM todo_sections s WHERE s.project_id = p.id) ORDER BY p.id",
        owner,
    ):
        sections = view.rows(
            "SELECT id, name, position FROM todo_sections WHERE project_id = ? ORDER BY position", p["id"]
        )
        late = view.rows(
            f"SELECT t.id, t.title, s.name AS section, {LATEST_COMMENT} AS last FROM todo_tasks t LEFT JOIN "
            f"todo_sections s ON s.id = t.section_id WHERE t.project_id = ? AND t.parent_id IS NULL AND {OVERDUE} "
            "ORDER BY t.id",
            p["id"],
            TODAY,
        )
        projects[p["id"]] = {**p, "sections": sections, "late": late}
    return projects


def gathered(late: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The overdue to-dos that move to 'Overdue': not parked in a section that keeps them, not waiting on someone."""
    return [t for t in late if t["section"] not in PARKED and t["last"] not in HELD]


def overdue_told_apart(view: WorldView, owner: int) -> bool:
    """Whether the owner's sectioned projects hold OVERDUE_LEAST+ overdue to-dos to gather and one waiting on someone
    outside the parked sections (so skipping the threads moves it), and no 'Overdue' section yet."""
    projects = overdue_by_project(view, owner).values()
    if any(s["name"] == "Overdue" for p in projects for s in p["sections"]):
        return False
    held = [t for p in projects for t in p["late"] if t["section"] not in PARKED and t["last"] in HELD]
    return bool(held) and sum(len(gathered(p["late"])) for p in projects) >= OVERDUE_LEAST


@scenario("work_overdue_section", apps=("todo",))
def overdue_section(view: WorldView, rng: random.Random) -> TaskSpec:
    """An 'Overdue' section put first in each of my sectioned projects with overdue top-level to-dos to gather, those
    moved into it, except those parked in 'Later' / 'Waiting on others' and those waiting on someone. Deep: which
    projects have sections is only in show_sections (read per project), waiting is only the latest comment (in
    show_task_comments), so each of the 8+ overdue to-dos of 2-5 projects has its thread read."""
    owners = [o for o in view.people_ids() if overdue_told_apart(view, o)]
    owner = pick(
        rng, owners, f"person with {OVERDUE_LEAST}+ overdue to-dos in sectioned projects, one waiting", distinct=True
    )
    projects = overdue_by_project(view, owner)
    look = (
        login("todo")
        + fetch_all("projects", "apis.todo.show_projects(access_token=todo_token")
        + "sections = {}\n"
        + "for p in projects:\n"
        + fetch_all("found", "apis.todo.show_sections(access_token=todo_token, project_id=p['project_id']", "    ")
        + "    if found:\n"
        + "        sections[p['project_id']] = found\n"
        + fetch_all("late", "apis.todo.show_overdue_tasks(access_token=todo_token")
        + "print({p['name']: sections.get(p['project_id']) for p in projects}, len(late))\n"
    )
    act = f"""
        PARKED, HELD = {PARKED!r}, {HELD!r}
        to_move = {{}}
        for t in late:
            pid = t['project']['project_id']
            if pid not in sections or t['parent_task_id'] is not None:
                continue
            if t['section'] and t['section']['name'] in PARKED:
                continue
            said = apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id'], page_limit=20)
            if said and said[-1]['text'] in HELD:
                continue
            to_move.setdefault(pid, []).append(t)
        print({{pid: [t['title'] for t in ts] for pid, ts in to_move.items()}})
        """
    move = """
        moved = 0
        for pid, ts in to_move.items():
            made = apis.todo.create_section(access_token=todo_token, project_id=pid, name='Overdue', position=0)
            for t in ts:
                apis.todo.update_task(access_token=todo_token, task_id=t['task_id'], section_id=made['section_id'])
                moved += 1
        """
    check = (
        "for pid in to_move:\n"
        "    print(apis.todo.show_sections(access_token=todo_token, project_id=pid, page_limit=20))\n"
        "apis.supervisor.complete_task(answer=moved)\n"
    )
    expectations: list[Expectation] = []
    total = 0
    for p in projects.values():
        moved = gathered(p["late"])
        if not moved:
            continue
        total += len(moved)
        expectations.append(
            Inserted(
                "todo_sections",
                {"project_id": p["id"], "owner_id": owner, "name": "Overdue", "position": 0},
                f"a section 'Overdue' comes first in '{p['name']}'",
                what=f"sections of '{p['name']}'",
            )
        )
        expectations += [
            Updated("todo_sections", s["id"], {"position": s["position"] + 1}, f"'{s['name']}' moves one place down")
            for s in p["sections"]
        ]
        new_section = NewRow("todo_sections", {"project_id": p["id"], "name": "Overdue"})
        expectations += [
            Updated("todo_tasks", t["id"], {"section_id": new_section}, f"'{t['title']}' is in '{p['name']}' 'Overdue'")
            for t in moved
        ]
    expectations.append(Answer(total, f"the answer is how many to-dos moved ({total})"))
    return TaskSpec(
        owner,
        "In each of my active to-do projects that has sections, gather the overdue open to-dos (not subtasks): add a "
        "section 'Overdue' as the project's first section and move them into it. Leave where they are those in a "
        f"section named '{PARKED[0]}' or '{PARKED[1]}', and those waiting on someone (their latest comment is "
        f"'{HELD[0]}' or '{HELD[1]}'). A project with nothing to move gets no new section. Tell me how many to-dos "
        "you moved in all.",
        Solution().step(look).step(act).step(move).step(check).steps(),
        expectations,
    )


@scenario("work_overload_relief", apps=("todo",))
def overload_relief(view: WorldView, rng: random.Random) -> TaskSpec:
    """Conditional on a computed pace: a slow week pushes the low-priority to-dos of the coming week by a week,
    except those waiting on a reply (left alone) and those already pushed once (raised to priority 2 instead).
    Deep because both are only in each to-do's latest comment (show_task_comments per to-do, 7-14 of them), and
    at least one of them is such a case; the answer needs every page of the open to-dos."""
    week_ago = day(-6)
    low_sql = (
        "FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE t.owner_id = s.owner_id "
        "AND t.completed = 0 AND p.archived = 0 AND t.priority >= 3 AND t.due_date >= ? AND t.due_date < ?"
    )
    owners = view.rows(
        "SELECT s.owner_id, s.daily_goal, (SELECT COUNT(*) FROM todo_tasks t WHERE t.owner_id = s.owner_id "
        "AND t.completed = 1 AND substr(t.completed_at, 1, 10) >= ?) AS done, "
        f"(SELECT COUNT(*) {low_sql}) AS coming, "
        f"(SELECT SUM(COALESCE({LATEST_COMMENT} IN (?, ?), 0)) {low_sql}) AS held FROM todo_settings s "
        "WHERE s.daily_goal > 1 AND coming >= 7 AND held >= 1 ORDER BY s.owner_id",
        week_ago,
        TODAY,
        day(7),
        WAITING,
        PUSHED,
        TODAY,
        day(7),
    )
    chosen = pick(
        rng, owners, "person with a daily goal above one and 7+ low to-dos due, one waiting or pushed", distinct=True
    )
    owner, done = chosen["owner_id"], chosen["done"]
    slow = not other_branch(rng)
    threshold = done + rng.choice((1, 2, 3)) if slow else done
    low = view.rows(
        f"SELECT t.id, t.title, t.due_date, {LATEST_COMMENT} AS latest FROM todo_tasks t JOIN todo_projects p "
        "ON p.id = t.project_id WHERE t.owner_id = ? AND t.completed = 0 AND p.archived = 0 AND t.priority >= 3 "
        "AND t.due_date >= ? AND t.due_date < ? ORDER BY t.id",
        owner,
        TODAY,
        day(7),
    )
    still_open = view.value(
        "SELECT COUNT(*) FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE t.owner_id = ? "
        "AND t.completed = 0 AND p.archived = 0",
        owner,
    )
    look = (
        login("todo")
        + fetch_all("open_tasks", "apis.todo.search_tasks(access_token=todo_token, completed=False")
        + "pace = apis.todo.show_productivity(access_token=todo_token)\n"
        + "done = sum(d['completed'] for d in pace['last_7_days'])\n"
        + fetch_all("coming", "apis.todo.show_upcoming_tasks(access_token=todo_token, days=7")
        + "coming = [t for t in coming if t['priority'] >= 3]\n"
        + "print(done, pace['daily_goal'], [(t['title'], t['priority'], t['due_date']) for t in coming])\n"
    )
    act = f"""
        from datetime import date, timedelta
        if done < {threshold}:
            for t in coming:
                said = apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id'], page_limit=20)
                latest = max(said, key=lambda c: (c['created_at'], c['comment_id']))['text'] if said else None
                if latest == {WAITING!r}:
                    continue
                if latest == {PUSHED!r}:
                    apis.todo.update_task(access_token=todo_token, task_id=t['task_id'], priority=2)
                    continue
                later = (date.fromisoformat(t['due_date']) + timedelta(days=7)).isoformat()
                apis.todo.update_task(access_token=todo_token, task_id=t['task_id'], due_date=later)
                apis.todo.add_task_comment(access_token=todo_token, task_id=t['task_id'], text='Moved: slow week.')
            apis.todo.update_settings(access_token=todo_token, daily_goal=pace['daily_goal'] - 1)
        else:
            print('a good week: nothing to change')
        """
    expectations: list[Expectation] = []
    if done < threshold:
        for t in low:
            if t["latest"] == WAITING:
                continue
            if t["latest"] == PUSHED:
                expectations.append(
                    Updated(
                        "todo_tasks",
                        t["id"],
                        {"priority": 2},
                        f"'{t['title']}' was moved once already ({PUSHED!r}): it stays, at priority 2",
                    )
                )
                continue
            expectations.append(
                Updated("todo_tasks", t["id"], {"due_date": day_later(t["due_date"], 7)}, f"'{t['title']}' is later")
            )
            expectations.append(
                Inserted(
                    "todo_comments",
                    {"task_id": t["id"], "owner_id": owner, "text": "Moved: slow week.", "created_at": NOW},
                    f"'{t['title']}' says why it moved",
                    what="comments",
                )
            )
        expectations.append(
            Updated("todo_settings", owner, {"daily_goal": chosen["daily_goal"] - 1}, "my daily goal is one lower")
        )
    return TaskSpec(
        owner,
        f"If I completed fewer than {threshold} to-dos over the last 7 days (today included), I'm overloaded: move "
        "every open to-do of priority 3 or 4 due in the next 7 days (today included) one week later, commenting "
        f"'Moved: slow week.' on each, except that a to-do whose latest comment is '{WAITING}' stays as it is, and "
        f"one whose latest comment is '{PUSHED}' is not moved again but raised to priority 2. Then lower my "
        "daily goal by one. If I completed that many or more, change nothing. Either way, tell me how many open "
        "to-dos I have (in my projects that are not archived).",
        Solution().step(look).step(act).step("apis.supervisor.complete_task(answer=len(open_tasks))\n").steps(),
        [*expectations, Answer(still_open, f"the answer is the {still_open} open to-dos")],
        noop_pass=not expectations,
    )


def day_later(iso_day: str, days: int) -> str:
    return (date.fromisoformat(iso_day) + timedelta(days=days)).isoformat()
