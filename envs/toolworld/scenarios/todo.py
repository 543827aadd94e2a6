"""Scenarios on the todo app: closing, counting, rescheduling and labelling tasks."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Answer, Expectation, Updated
from envs.toolworld.scenarios._common import fetch_all, login, pick
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

DONE = "apis.supervisor.complete_task()\n"
NOW = WORLD_NOW.isoformat(timespec="seconds")
TODAY = WORLD_NOW.date().isoformat()


@scenario("todo_close_titled", apps=("todo",), difficulty=1)
def close_titled(view: WorldView, rng: random.Random) -> TaskSpec:
    rows = view.rows(
        "SELECT t.* FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE t.completed = 0 "
        "AND t.recurrence IS NULL AND p.archived = 0 "
        "AND (SELECT COUNT(*) FROM todo_tasks u WHERE u.owner_id = t.owner_id AND u.title = t.title) = 1 ORDER BY t.id"
    )
    task = pick(rng, rows, "open, non-repeating task with a unique title")
    oracle = (
        login("todo")
        + fetch_all(
            "found", f"apis.todo.search_tasks(access_token=todo_token, query={task['title']!r}, completed=False"
        )
        + f"task = next(t for t in found if t['title'] == {task['title']!r})\n"
        + "apis.todo.close_task(access_token=todo_token, task_id=task['task_id'])\n"
        + DONE
    )
    return TaskSpec(
        task["owner_id"],
        f"Mark my to-do '{task['title']}' as done.",
        oracle,
        [Updated("todo_tasks", task["id"], {"completed": 1, "completed_at": NOW}, f"'{task['title']}' is completed")],
    )


@scenario("todo_count_open", apps=("todo",), difficulty=2)
def count_open(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows(
        "SELECT owner_id, COUNT(*) AS n FROM todo_tasks WHERE completed = 0 GROUP BY owner_id HAVING n > 5 "
        "ORDER BY owner_id"
    )
    c = pick(rng, owners, "owner with more than 5 open tasks")
    oracle = (
        login("todo")
        + fetch_all("open_tasks", "apis.todo.search_tasks(access_token=todo_token, completed=False")
        + "apis.supervisor.complete_task(answer=len(open_tasks))\n"
    )
    return TaskSpec(
        c["owner_id"],
        "How many to-dos do I still have open, across all my projects?",
        oracle,
        [
            Answer(
                c["n"],
                f"the answer is the number of open to-dos ({c['n']})",
                traps={"5": "only the first page of tasks was counted (page_limit default 5)"},
            )
        ],
    )


@scenario("todo_postpone_project", apps=("todo",), difficulty=3)
def postpone_project(view: WorldView, rng: random.Random) -> TaskSpec:
    groups = view.rows(
        "SELECT t.owner_id, p.id AS project_id, p.name FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id "
        "WHERE t.completed = 0 AND t.due_date < ? GROUP BY p.id ORDER BY p.id",
        TODAY,
    )
    g = pick(rng, groups, "project with overdue tasks")
    new_date = rng.choice(["2026-05-25", "2026-05-31", "2026-06-05"])
    rows = view.rows(
        "SELECT id, title FROM todo_tasks WHERE project_id = ? AND completed = 0 AND due_date < ?",
        g["project_id"],
        TODAY,
    )
    oracle = (
        login("todo")
        + fetch_all("projects", "apis.todo.show_projects(access_token=todo_token")
        + f"project = next(p for p in projects if p['name'] == {g['name']!r})\n"
        + fetch_all(
            "late",
            "apis.todo.search_tasks(access_token=todo_token, project_id=project['project_id'], completed=False, "
            f"due_before={TODAY!r}",
        )
        + (
            "for t in late:\n    apis.todo.update_task(access_token=todo_token, task_id=t['task_id'], "
            f"due_date={new_date!r})\n"
        )
        + DONE
    )
    return TaskSpec(
        g["owner_id"],
        f"Every open to-do in my '{g['name']}' project that is overdue should now be due on {new_date}.",
        oracle,
        [Updated("todo_tasks", r["id"], {"due_date": new_date}, f"'{r['title']}' is due {new_date}") for r in rows],
    )


@scenario("todo_label_top_priority", apps=("todo",), difficulty=2)
def label_top_priority(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows(
        "SELECT owner_id FROM todo_tasks WHERE completed = 0 AND priority = 1 AND labels NOT LIKE '%urgent%' "
        "GROUP BY owner_id ORDER BY owner_id"
    )
    owner = pick(rng, owners, "open priority-1 task without the urgent label")["owner_id"]
    rows = view.rows(
        "SELECT id, title, labels FROM todo_tasks WHERE owner_id = ? AND completed = 0 AND priority = 1 "
        "AND labels NOT LIKE '%urgent%'",
        owner,
    )
    oracle = (
        login("todo")
        + fetch_all("open_tasks", "apis.todo.search_tasks(access_token=todo_token, completed=False")
        + "for t in open_tasks:\n    if t['priority'] == 1 and 'urgent' not in t['labels']:\n"
        + (
            "        apis.todo.update_task(access_token=todo_token, task_id=t['task_id'], "
            "labels=t['labels'] + ['urgent'])\n"
        )
        + DONE
    )
    expectations: list[Expectation] = [
        Updated(
            "todo_tasks",
            r["id"],
            {"labels": ",".join(sorted(set(filter(None, r["labels"].split(","))) | {"urgent"}))},
            f"'{r['title']}' keeps its labels and gains 'urgent'",
        )
        for r in rows
    ]
    return TaskSpec(
        owner,
        "Add the label 'urgent' to each of my open priority-1 to-dos that lacks it, keeping their other labels.",
        oracle,
        expectations,
    )
