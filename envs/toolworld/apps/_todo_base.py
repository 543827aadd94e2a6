"""The todo app object, its tables, and the access rules and task shape every todo API shares.

A task belongs to a project and carries the project owner's id, so a project's owner sees all its
tasks; people the project is shared with (collaborators) can see it, add tasks, close or reopen
them, comment and assign them, but only the owner edits, moves or deletes.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from envs.toolworld.api import ApiError, App, CallContext, P, Page
from envs.toolworld.apps._accounts import add_account_apis
from envs.toolworld.apps._day_args import DAY_DOC, iso_day
from envs.toolworld.apps._sql_page import sql_page

app = App(
    "todo",
    "A to-do list app: projects with sections, tasks with due dates, priorities, labels, subtasks, "
    "reminders and comments, shared projects and saved filters.",
    schema="""
    CREATE TABLE todo_projects (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, name TEXT NOT NULL, color TEXT NOT NULL,
        is_favorite INTEGER NOT NULL DEFAULT 0, archived INTEGER NOT NULL DEFAULT 0, created_at TEXT
    );
    CREATE INDEX todo_projects_owner ON todo_projects (owner_id);
    CREATE TABLE todo_sections (
        id INTEGER PRIMARY KEY AUTOINCREMENT, project_id INTEGER NOT NULL, owner_id INTEGER NOT NULL,
        name TEXT NOT NULL, position INTEGER NOT NULL
    );
    CREATE INDEX todo_sections_project ON todo_sections (project_id);
    CREATE TABLE todo_tasks (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, project_id INTEGER NOT NULL,
        title TEXT NOT NULL, due_date TEXT, priority INTEGER NOT NULL, labels TEXT NOT NULL, completed INTEGER NOT NULL,
        completed_at TEXT, created_at TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', section_id INTEGER,
        parent_id INTEGER, recurrence TEXT, assignee_id INTEGER
    );
    CREATE INDEX todo_tasks_owner ON todo_tasks (owner_id, completed, due_date);
    CREATE INDEX todo_tasks_project ON todo_tasks (project_id);
    CREATE INDEX todo_tasks_parent ON todo_tasks (parent_id);
    CREATE INDEX todo_tasks_assignee ON todo_tasks (assignee_id);
    CREATE TABLE todo_comments (
        id INTEGER PRIMARY KEY AUTOINCREMENT, task_id INTEGER NOT NULL, owner_id INTEGER NOT NULL, text TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX todo_comments_task ON todo_comments (task_id);
    CREATE TABLE todo_labels (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, name TEXT NOT NULL, color TEXT NOT NULL,
        is_favorite INTEGER NOT NULL DEFAULT 0, UNIQUE(owner_id, name)
    );
    CREATE TABLE todo_collaborators (
        id INTEGER PRIMARY KEY AUTOINCREMENT, project_id INTEGER NOT NULL, person_id INTEGER NOT NULL,
        added_at TEXT NOT NULL, UNIQUE(project_id, person_id)
    );
    CREATE INDEX todo_collaborators_person ON todo_collaborators (person_id);
    CREATE TABLE todo_reminders (
        id INTEGER PRIMARY KEY AUTOINCREMENT, task_id INTEGER NOT NULL, owner_id INTEGER NOT NULL,
        remind_at TEXT NOT NULL
    );
    CREATE INDEX todo_reminders_owner ON todo_reminders (owner_id, remind_at);
    CREATE INDEX todo_reminders_task ON todo_reminders (task_id);
    CREATE TABLE todo_filters (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, name TEXT NOT NULL, label TEXT,
        priority INTEGER, project_id INTEGER, due_within_days INTEGER, UNIQUE(owner_id, name)
    );
    CREATE TABLE todo_settings (
        owner_id INTEGER PRIMARY KEY, start_of_week TEXT NOT NULL, daily_goal INTEGER NOT NULL,
        weekly_goal INTEGER NOT NULL
    );
    """,
)
add_account_apis(app)

DEFAULT_LABELS = ("urgent", "waiting", "quick", "weekend")
COLORS = ("red", "blue", "green", "yellow", "purple", "orange", "gray")
TASK = {
    "task_id": 1,
    "project": {"project_id": 1, "name": "string"},
    "section": {"section_id": 1, "name": "string"},
    "parent_task_id": 1,
    "title": "string",
    "description": "string",
    "due_date": "string",
    "priority": 1,
    "labels": ["string"],
    "recurrence": "string",
    "assignee_email": "string",
    "completed": True,
    "completed_at": "string",
    "created_at": "string",
}
MESSAGE = {"message": "string"}
TASK_ID = Annotated[int, P("The task's id.", ge=1)]
PROJECT_ID = Annotated[int, P("The project's id.", ge=1)]
SECTION_ID = Annotated[int, P("The section's id.", ge=1)]
PRIORITY = Annotated[int | None, P("1 (highest) to 4 (lowest).", ge=1, le=4)]
DATE = Annotated[str | None, P(f"A date as {DAY_DOC}.", min_length=10, max_length=10)]
EMAIL = Annotated[str, P("The person's email address.", min_length=3, max_length=200)]
TASK_SELECT = (
    "SELECT t.*, p.name AS project_name, s.name AS section_name, a.email AS assignee_email FROM todo_tasks t "
    "JOIN todo_projects p ON p.id = t.project_id LEFT JOIN todo_sections s ON s.id = t.section_id "
    "LEFT JOIN people a ON a.id = t.assignee_id"
)
# The caller's projects and those shared with the caller, as an IN list so SQLite reads tasks by project index.
VISIBLE = (
    "t.project_id IN (SELECT id FROM todo_projects WHERE owner_id = ? "
    "UNION ALL SELECT project_id FROM todo_collaborators WHERE person_id = ?)"
)


def task_out(row: dict[str, Any]) -> dict[str, Any]:
    """A task row of TASK_SELECT as the agent sees it."""
    return {
        "task_id": row["id"],
        "project": {"project_id": row["project_id"], "name": row["project_name"]},
        "section": None
        if row["section_id"] is None
        else {"section_id": row["section_id"], "name": row["section_name"]},
        "parent_task_id": row["parent_id"],
        "title": row["title"],
        "description": row["description"],
        "due_date": row["due_date"],
        "priority": row["priority"],
        "labels": [x for x in row["labels"].split(",") if x],
        "recurrence": row["recurrence"],
        "assignee_email": row["assignee_email"],
        "completed": bool(row["completed"]),
        "completed_at": row["completed_at"],
        "created_at": row["created_at"],
    }


def tasks_where(
    ctx: CallContext, where: str, *args: Any, order: str = "t.due_date IS NULL, t.due_date, t.id"
) -> list[dict[str, Any]]:
    """The tasks (as the agent sees them) matching `where`, a condition on t (todo_tasks), p and s."""
    return [task_out(r) for r in ctx.rows(f"{TASK_SELECT} WHERE {where} ORDER BY {order}", *args)]


def tasks_page(ctx: CallContext, where: str, *args: Any, order: str = "t.due_date IS NULL, t.due_date, t.id") -> Page:
    """The page asked for of tasks_where, cut in SQL (sql_page): 20,000 tasks were all built for a page of 5."""
    return sql_page(ctx, f"{TASK_SELECT} WHERE {where}", order, *args, shape=task_out)


def check_date(name: str, value: str | None) -> str | None:
    """A day argument (None stays None) as ISO text, in the allowed range, or 422 naming it."""
    return None if value is None else iso_day(name, value)


def check_labels(ctx: CallContext, owner_id: int, labels: list[str] | None) -> str | None:
    """The stored form (sorted, comma-joined) of labels that the project owner has, else a 422."""
    if labels is None:
        return None
    known = {r["name"] for r in ctx.rows("SELECT name FROM todo_labels WHERE owner_id = ?", owner_id)}
    bad = sorted(set(labels) - known)
    if bad:
        raise ApiError(
            422, f"Invalid argument 'labels': {bad} are not labels; labels are {sorted(known)} (see show_labels)."
        )
    return ",".join(sorted(set(labels)))


LABEL_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


def visible_task(ctx: CallContext, task_id: int) -> dict[str, Any]:
    """A task of the caller's projects or of a project shared with the caller, or a 404."""
    row = ctx.row(f"{TASK_SELECT} WHERE t.id = ? AND {VISIBLE}", task_id, ctx.caller, ctx.caller)
    if row is None:
        raise ApiError(404, f"No task with id {task_id}.")
    return row


def usable_project(ctx: CallContext, project_id: int) -> dict[str, Any]:
    """A project the caller owns or collaborates on, or a 404."""
    row = ctx.row(
        "SELECT * FROM todo_projects WHERE id = ? AND (owner_id = ? OR id IN "
        "(SELECT project_id FROM todo_collaborators WHERE person_id = ?))",
        project_id,
        ctx.caller,
        ctx.caller,
    )
    if row is None:
        raise ApiError(404, f"No project with id {project_id}.")
    return row


def person_by_email(ctx: CallContext, email: str, argument: str = "email") -> dict[str, Any]:
    found = ctx.row("SELECT id, first_name || ' ' || last_name AS name, email FROM people WHERE email = ?", email)
    if found is None:
        raise ApiError(404, f"Invalid argument {argument!r}: nobody has the email address {email!r}.")
    return found


def delete_tasks(ctx: CallContext, task_ids: list[int]) -> None:
    """Delete tasks with their subtasks, comments and reminders."""
    pending = list(task_ids)
    while pending:
        task_id = pending.pop()
        pending += [r["id"] for r in ctx.rows("SELECT id FROM todo_tasks WHERE parent_id = ?", task_id)]
        ctx.execute("DELETE FROM todo_comments WHERE task_id = ?", task_id)
        ctx.execute("DELETE FROM todo_reminders WHERE task_id = ?", task_id)
        ctx.execute("DELETE FROM todo_tasks WHERE id = ?", task_id)
