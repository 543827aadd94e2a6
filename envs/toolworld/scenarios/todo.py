"""Scenarios on the todo app: closing, counting, rescheduling and labelling tasks."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Answer, Expectation, Inserted, Updated
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios._work import DONE, NOW, TODAY, labels_with
from envs.toolworld.tasks import TaskSpec, WorldView, scenario


@scenario("todo_close_titled", apps=("todo",))
def close_titled(view: WorldView, rng: random.Random) -> TaskSpec:
    """Close a to-do found by its exact title (others contain it), with its open subtasks and a comment; the answer
    is what remains open in its project."""
    rows = view.rows(
        "SELECT t.* FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE t.completed = 0 "
        "AND t.recurrence IS NULL AND p.archived = 0 AND t.parent_id IS NULL "
        "AND (SELECT COUNT(*) FROM todo_tasks u WHERE u.owner_id = t.owner_id AND u.title = t.title) = 1 ORDER BY t.id"
    )
    task = pick(rng, rows, "open, non-repeating task with a unique title")
    comment = rng.choice(("Done.", "Finished today.", "All sorted."))
    subtasks = view.rows("SELECT id, title FROM todo_tasks WHERE parent_id = ? AND completed = 0", task["id"])
    left = (
        view.value("SELECT COUNT(*) FROM todo_tasks WHERE project_id = ? AND completed = 0", task["project_id"])
        - 1
        - len(subtasks)
    )
    look = (
        login("todo")
        + fetch_all(
            "found", f"apis.todo.search_tasks(access_token=todo_token, query={task['title']!r}, completed=False"
        )
        + f"task = next(t for t in found if t['title'] == {task['title']!r})\n"
        + fetch_all("subtasks", "apis.todo.show_subtasks(access_token=todo_token, task_id=task['task_id']")
        + "print(task, [(s['title'], s['completed']) for s in subtasks])\n"
    )
    act = f"""
        for s in subtasks:
            if not s['completed']:
                apis.todo.close_task(access_token=todo_token, task_id=s['task_id'])
        apis.todo.close_task(access_token=todo_token, task_id=task['task_id'])
        apis.todo.add_task_comment(access_token=todo_token, task_id=task['task_id'], text={comment!r})
        """
    check = (
        fetch_all(
            "still",
            "apis.todo.search_tasks(access_token=todo_token, project_id=task['project']['project_id'], completed=False",
        )
        + "apis.supervisor.complete_task(answer=len(still))\n"
    )
    expectations: list[Expectation] = [
        Updated("todo_tasks", s["id"], {"completed": 1, "completed_at": NOW}, f"its subtask '{s['title']}' is done")
        for s in subtasks
    ]
    expectations += [
        Updated("todo_tasks", task["id"], {"completed": 1, "completed_at": NOW}, f"'{task['title']}' is completed"),
        Inserted(
            "todo_comments",
            {"task_id": task["id"], "owner_id": task["owner_id"], "text": comment, "created_at": NOW},
            f"'{task['title']}' has the comment '{comment}'",
            what="comments",
        ),
        Answer(left, f"the answer is how many open to-dos its project still has ({left})"),
    ]
    return TaskSpec(
        task["owner_id"],
        f"Mark my to-do '{task['title']}' as done, along with any of its subtasks still open, and comment '{comment}' "
        "on it. Then tell me how many open to-dos its project still has.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )


@scenario("todo_count_open", apps=("todo",))
def count_open(view: WorldView, rng: random.Random) -> TaskSpec:
    """Computed values over every page: open to-dos across the active projects, and how many of them are overdue."""
    owners = view.rows(
        "SELECT t.owner_id, COUNT(*) AS n, SUM(t.due_date < ?) AS late FROM todo_tasks t JOIN todo_projects p "
        "ON p.id = t.project_id WHERE t.completed = 0 AND p.archived = 0 GROUP BY t.owner_id HAVING n > 5 "
        "ORDER BY t.owner_id",
        TODAY,
    )
    c = pick(rng, owners, "owner with more than 5 open tasks")
    look = (
        login("todo")
        + fetch_all("projects", "apis.todo.show_projects(access_token=todo_token")
        + "print([(p['name'], p['open_tasks']) for p in projects])\n"
    )
    act = (
        fetch_all("open_tasks", "apis.todo.search_tasks(access_token=todo_token, completed=False")
        + fetch_all("late", "apis.todo.show_overdue_tasks(access_token=todo_token")
        + "assert len(open_tasks) == sum(p['open_tasks'] for p in projects)\n"
        + "apis.supervisor.complete_task(answer=[len(open_tasks), len(late)])\n"
    )
    return TaskSpec(
        c["owner_id"],
        "How many to-dos do I still have open across all my active projects, and how many of those are overdue? "
        "Answer with the two numbers in that order.",
        Solution().step(look).step(act).steps(),
        [
            Answer(
                [c["n"], c["late"]],
                f"the answer is [open, overdue] = [{c['n']}, {c['late']}]",
                ordered=True,
                traps={"[5|5]": "only the first page of each list was counted (page_limit default 5)"},
            )
        ],
    )


@scenario("todo_postpone_project", apps=("todo",))
def postpone_project(view: WorldView, rng: random.Random) -> TaskSpec:
    """Every overdue open to-do of a project moves to one date and says so in a comment."""
    groups = view.rows(
        "SELECT t.owner_id, p.id AS project_id, p.name FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id "
        "WHERE t.completed = 0 AND t.due_date < ? AND p.archived = 0 GROUP BY p.id ORDER BY p.id",
        TODAY,
    )
    g = pick(rng, groups, "project with overdue tasks")
    new_date = rng.choice(["2026-05-25", "2026-05-31", "2026-06-05"])
    rows = view.rows(
        "SELECT id, title FROM todo_tasks WHERE project_id = ? AND completed = 0 AND due_date < ?",
        g["project_id"],
        TODAY,
    )
    look = (
        login("todo")
        + fetch_all("projects", f"apis.todo.show_projects(access_token=todo_token, query={g['name']!r}")
        + f"project = next(p for p in projects if p['name'] == {g['name']!r})\n"
        + fetch_all(
            "late",
            "apis.todo.search_tasks(access_token=todo_token, project_id=project['project_id'], completed=False, "
            f"due_before={TODAY!r}",
        )
        + "print([(t['title'], t['due_date']) for t in late])\n"
    )
    act = f"""
        for t in late:
            apis.todo.update_task(access_token=todo_token, task_id=t['task_id'], due_date={new_date!r})
            apis.todo.add_task_comment(access_token=todo_token, task_id=t['task_id'],
                                       text='Postponed from ' + t['due_date'] + '.')
        """
    check = fetch_all("still", "apis.todo.show_overdue_tasks(access_token=todo_token, project_id=project['project_id']")
    check += "print(still)\n" + DONE
    expectations: list[Expectation] = []
    for r in view.rows(
        "SELECT id, title, due_date FROM todo_tasks WHERE id IN (" + ",".join(str(r["id"]) for r in rows) + ")"
    ):
        expectations.append(Updated("todo_tasks", r["id"], {"due_date": new_date}, f"'{r['title']}' is due {new_date}"))
        expectations.append(
            Inserted(
                "todo_comments",
                {
                    "task_id": r["id"],
                    "owner_id": g["owner_id"],
                    "text": f"Postponed from {r['due_date']}.",
                    "created_at": NOW,
                },
                f"'{r['title']}' has the comment 'Postponed from {r['due_date']}.'",
                what="comments",
            )
        )
    return TaskSpec(
        g["owner_id"],
        f"Every open to-do in my '{g['name']}' project that is overdue should now be due on {new_date}. On each one "
        "you move, add the comment 'Postponed from <its old due date YYYY-MM-DD>.'",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )


@scenario("todo_label_top_priority", apps=("todo",))
def label_top_priority(view: WorldView, rng: random.Random) -> TaskSpec:
    """The 'urgent' label added to every open priority-1 to-do lacking it, keeping the other labels; the answer
    counts them."""
    owners = view.rows(
        "SELECT t.owner_id FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE t.completed = 0 "
        "AND p.archived = 0 AND t.priority = 1 AND t.labels NOT LIKE '%urgent%' GROUP BY t.owner_id ORDER BY t.owner_id"
    )
    owner = pick(rng, owners, "open priority-1 task without the urgent label")["owner_id"]
    rows = view.rows(
        "SELECT t.id, t.title, t.labels FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id "
        "WHERE t.owner_id = ? AND t.completed = 0 AND p.archived = 0 AND t.priority = 1 "
        "AND t.labels NOT LIKE '%urgent%'",
        owner,
    )
    look = (
        login("todo")
        + "print(apis.todo.show_labels(access_token=todo_token))\n"
        + fetch_all("top", "apis.todo.search_tasks(access_token=todo_token, completed=False, priority=1")
        + "print([(t['title'], t['labels']) for t in top])\n"
    )
    act = """
        added = 0
        for t in top:
            if 'urgent' not in t['labels']:
                apis.todo.update_task(access_token=todo_token, task_id=t['task_id'], labels=t['labels'] + ['urgent'])
                added += 1
        """
    check = (
        fetch_all("urgent", "apis.todo.search_tasks(access_token=todo_token, completed=False, label='urgent'")
        + "print(len(urgent))\n"
        + "apis.supervisor.complete_task(answer=added)\n"
    )
    expectations: list[Expectation] = [
        Updated(
            "todo_tasks",
            r["id"],
            {"labels": labels_with(r["labels"], "urgent")},
            f"'{r['title']}' keeps its labels and gains 'urgent'",
        )
        for r in rows
    ]
    expectations.append(Answer(len(rows), f"the answer is how many to-dos gained the label ({len(rows)})"))
    return TaskSpec(
        owner,
        "Add the label 'urgent' to each of my open priority-1 to-dos that lacks it, keeping their other labels. "
        "Tell me how many you labelled.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )
