"""Productivity around the todo app and files: a project's open to-dos exported to a text file."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Answer, Expectation, Inserted, NewRow
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios._work import NOW, LinesInOrder
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
    """The open top-level to-dos of a project whose name has a look-alike ('Home' / 'Home Renovation'), to a file."""
    projects = view.rows(
        "SELECT p.id, p.owner_id, p.name FROM todo_projects p WHERE p.archived = 0 AND EXISTS (SELECT 1 FROM "
        "todo_projects q WHERE q.owner_id = p.owner_id AND q.id != p.id AND q.name LIKE p.name || ' %') ORDER BY p.id"
    )
    project = pick(rng, projects, "project whose name has a look-alike", distinct=True)
    owner = project["owner_id"]
    slug = project["name"].lower().replace(" ", "_")
    path = f"/documents/todo/{slug}.txt"
    tasks = view.rows(
        "SELECT title, due_date FROM todo_tasks WHERE project_id = ? AND completed = 0 AND parent_id IS NULL",
        project["id"],
    )
    tasks.sort(key=lambda t: (t["due_date"] is None, t["due_date"] or "", t["title"]))
    lines = [f"{t['due_date'] or 'no date'} {t['title']}" for t in tasks] + [f"Total: {len(tasks)}"]
    late = view.value(
        "SELECT COUNT(*) FROM todo_tasks WHERE project_id = ? AND completed = 0 AND parent_id IS NULL "
        "AND due_date < date(?)",
        project["id"],
        NOW,
    )
    look = (
        login("todo", "file_system")
        + fetch_all("projects", f"apis.todo.show_projects(access_token=todo_token, query={project['name']!r}")
        + f"project = next(p for p in projects if p['name'] == {project['name']!r})\n"
        + fetch_all(
            "open_tasks",
            "apis.todo.search_tasks(access_token=todo_token, project_id=project['project_id'], completed=False",
        )
        + "top = [t for t in open_tasks if t['parent_task_id'] is None]\n"
        + "print([(t['due_date'], t['title']) for t in top])\n"
    )
    act = f"""
        top.sort(key=lambda t: (t['due_date'] is None, t['due_date'] or '', t['title']))
        lines = [(t['due_date'] or 'no date') + ' ' + t['title'] for t in top] + ['Total: ' + str(len(top))]
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
        view, owner, path, LinesInOrder(lines), f"{path} lists each open to-do as '<due date> <title>', then the total"
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
        f"Export the open to-dos of my '{project['name']}' project (not its subtasks) to a new file {path}, making "
        "the folders if needed: one line per to-do as '<due date YYYY-MM-DD> <title>' ('no date' for one without a "
        "due date), earliest first (same date: by title; undated last), then a last line 'Total: <how many>'. "
        "Tag the file 'work' if it is a work project (its name starts with 'Work'), else 'personal'. Tell me how "
        "many of them are overdue.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )
