"""Productivity around the todo app and files: a project's open to-dos exported to a text file."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Answer, Expectation, InOrder, Inserted, NewRow
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios._work import LATEST_COMMENT, NOW
from envs.toolworld.tasks import TaskSpec, WorldView, scenario


def new_file(view: WorldView, owner: int, path: str, content: object, requirement: str) -> list[Expectation]:
    """A file made with parents=True: the file row, and a row for each of its directories that was missing."""
    found: list[Expectation] = []
    parts = path.strip("/").split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        folder = "/" + "/".join(parts[:depth])
        if not view.rows("SELECT 1 FROM file_system_directories WHERE owner_id = ? AND path = ?", owner, folder):
            found.append(
                Inserted(
                    "file_system_directories",
                    {"owner_id": owner, "path": folder, "created_at": NOW},
                    f"the folder {folder} is made",
                    what="folders",
                )
            )
    found.append(
        Inserted(
            "file_system_files",
            {"owner_id": owner, "path": path, "content": content, "created_at": NOW, "updated_at": NOW, "starred": 0},
            requirement,
            what="files",
        )
    )
    return found


@scenario("work_export_project_file", apps=("todo", "file_system"))
def export_project_file(view: WorldView, rng: random.Random) -> TaskSpec:
    """The open to-dos of a project whose name has a look-alike ('Home' / 'Home Renovation'), each with its open
    subtasks below it, to a file. Deep because each listed to-do carries its latest comment, which only its own
    show_task_comments gives: 15-22 listed to-dos read one by one, 2+ of them commented (older comments distract)."""
    listed = (
        "FROM todo_tasks t LEFT JOIN todo_tasks up ON up.id = t.parent_id WHERE t.project_id = p.id "
        "AND t.completed = 0 AND (t.parent_id IS NULL OR (up.completed = 0 AND up.parent_id IS NULL))"
    )
    projects = view.rows(
        "SELECT p.id, p.owner_id, p.name FROM todo_projects p WHERE p.archived = 0 AND EXISTS (SELECT 1 FROM "
        "todo_projects q WHERE q.owner_id = p.owner_id AND q.id != p.id AND q.name LIKE p.name || ' %') "
        f"AND (SELECT COUNT(*) {listed}) BETWEEN 15 AND 22 "
        f"AND (SELECT COUNT(*) {listed} AND EXISTS (SELECT 1 FROM todo_comments c WHERE c.task_id = t.id)) >= 2 "
        "ORDER BY p.id"
    )
    project = pick(rng, projects, "project whose name has a look-alike, 15-22 open to-dos, 2+ commented", distinct=True)
    owner = project["owner_id"]
    slug = project["name"].lower().replace(" ", "_")
    path = f"/documents/todo/{slug}.txt"
    tasks = view.rows(
        f"SELECT t.id, t.title, t.due_date, t.parent_id, {LATEST_COMMENT} AS comment FROM todo_tasks t "
        "WHERE t.project_id = ? AND t.completed = 0",
        project["id"],
    )
    top = sorted(
        (t for t in tasks if t["parent_id"] is None),
        key=lambda t: (t["due_date"] is None, t["due_date"] or "", t["title"]),
    )

    def said(line: str, task: dict[str, object]) -> str:
        return line if task["comment"] is None else f"{line} (latest comment: {task['comment']})"

    lines: list[str] = []
    for t in top:
        lines.append(said(f"{t['due_date'] or 'no date'} {t['title']}", t))
        subs = sorted((s for s in tasks if s["parent_id"] == t["id"]), key=lambda s: s["title"])
        lines += [said(f"- {s['title']}", s) for s in subs]
    lines.append(f"Total: {len(top)}")
    late = sum(1 for t in top if t["due_date"] and t["due_date"] < NOW[:10])
    look = (
        login("todo", "file_system")
        + fetch_all("projects", f"apis.todo.show_projects(access_token=todo_token, query={project['name']!r}")
        + f"project = next(p for p in projects if p['name'] == {project['name']!r})\n"
        + fetch_all(
            "open_tasks",
            "apis.todo.search_tasks(access_token=todo_token, project_id=project['project_id'], completed=False",
        )
        + "top = [t for t in open_tasks if t['parent_task_id'] is None]\n"
        + "subs = {t['task_id']: [s for s in open_tasks if s['parent_task_id'] == t['task_id']] for t in top}\n"
        + "print([(t['due_date'], t['title'], [s['title'] for s in subs[t['task_id']]]) for t in top])\n"
    )
    comments = """
        latest = {}
        for t in top + [s for group in subs.values() for s in group]:
            said = apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id'], page_limit=20)
            if said:
                latest[t['task_id']] = max(said, key=lambda c: (c['created_at'], c['comment_id']))['text']
        print(latest)
        """
    act = f"""
        def line(text, task):
            if task['task_id'] in latest:
                return text + ' (latest comment: ' + latest[task['task_id']] + ')'
            return text
        top.sort(key=lambda t: (t['due_date'] is None, t['due_date'] or '', t['title']))
        lines = []
        for t in top:
            lines.append(line((t['due_date'] or 'no date') + ' ' + t['title'], t))
            lines += [line('- ' + s['title'], s) for s in sorted(subs[t['task_id']], key=lambda s: s['title'])]
        lines.append('Total: ' + str(len(top)))
        apis.file_system.create_file(access_token=file_system_token, path={path!r}, content='\\n'.join(lines),
                                     parents=True)
        tag = 'work' if project['name'].startswith('Work') else 'personal'
        apis.file_system.add_file_tag(access_token=file_system_token, path={path!r}, tag=tag)
        overdue = sum(1 for t in top if t['due_date'] and t['due_date'] < {NOW[:10]!r})
        """
    check = (
        f"print(apis.file_system.show_file(access_token=file_system_token, path={path!r}))\n"
        "apis.supervisor.complete_task(answer=overdue)\n"
    )
    expectations = new_file(
        view,
        owner,
        path,
        InOrder(lines),
        f"{path} lists each open to-do, its open subtasks below it, each with its latest comment, then the total",
    )
    tag = "work" if project["name"].startswith("Work") else "personal"
    expectations.append(
        Inserted(
            "file_system_tags",
            {"file_id": NewRow("file_system_files", {"path": path}), "owner_id": owner, "tag": tag},
            f"the file is tagged '{tag}'",
            what="file tags",
        )
    )
    expectations.append(Answer(late, f"the answer is how many of them are overdue ({late})"))
    return TaskSpec(
        owner,
        f"Export the open to-dos of my '{project['name']}' project to a new file {path}, making the folders if "
        "needed: one line per to-do that is not a subtask as '<due date YYYY-MM-DD> <title>' ('no date' for one "
        "without a due date), earliest first (same date: by title; undated last), each followed by a line "
        "'- <title>' for each of its open subtasks (by title). Where a to-do or subtask has comments, end its line "
        "with ' (latest comment: <text of its newest comment>)'. Then a last line 'Total: <how many to-dos that "
        "are not subtasks>'. Tag the file 'work' if it is a work project (its name starts with 'Work'), else "
        "'personal'. Tell me how many of the to-dos that are not subtasks are overdue.",
        Solution().step(look).step(comments).step(act).step(check).steps(),
        expectations,
    )
