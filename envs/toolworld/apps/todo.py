"""todo: projects, tasks with due dates, priorities, labels and subtasks, and the views over them.

This module holds the project and task APIs; the app object, tables and access rules are in
_todo_base, and the other features register on the same app from their own modules: sections,
labels and saved filters, sharing and assignment, comments, reminders and settings, and the data.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, CallContext, P, Page
from envs.toolworld.apps import (  # noqa: F401 (importing them registers their APIs on `app`)
    _todo_comments,
    _todo_data,
    _todo_labels,
    _todo_sections,
    _todo_settings,
    _todo_sharing,
)
from envs.toolworld.apps._day_args import DAY_DOC, pushed_day
from envs.toolworld.apps._text_search import search_words
from envs.toolworld.apps._todo_base import (
    COLORS,
    DATE,
    MESSAGE,
    PRIORITY,
    PROJECT_ID,
    TASK,
    TASK_ID,
    VISIBLE,
    app,
    check_date,
    check_labels,
    delete_tasks,
    tasks_page,
    tasks_where,
    usable_project,
    visible_task,
)

Color = Literal["red", "blue", "green", "yellow", "purple", "orange", "gray"]
Recurrence = Literal["daily", "weekly", "monthly", "yearly"]
PROJECT = {
    "project_id": 1,
    "name": "string",
    "color": "string",
    "open_tasks": 1,
    "is_favorite": True,
    "archived": True,
    "shared": True,
}
TASK_SORTS = {
    "due_date": "t.due_date IS NULL, t.due_date, t.id",
    "priority": "t.priority, t.due_date IS NULL, t.due_date, t.id",
    "-created_at": "t.created_at DESC, t.id DESC",
    "title": "t.title COLLATE NOCASE, t.id",
}


def _project_out(ctx: CallContext, r: dict[str, Any]) -> dict[str, Any]:
    return {
        "project_id": r["id"],
        "name": r["name"],
        "color": r["color"],
        "open_tasks": r["open_tasks"],
        "is_favorite": bool(r["is_favorite"]),
        "archived": bool(r["archived"]),
        "shared": r["owner_id"] != ctx.caller or bool(r["collaborators"]),
    }


PROJECT_SELECT = (
    "SELECT p.*, (SELECT COUNT(*) FROM todo_tasks t WHERE t.project_id = p.id AND t.completed = 0) AS open_tasks, "
    "(SELECT COUNT(*) FROM todo_collaborators c WHERE c.project_id = p.id) AS collaborators FROM todo_projects p"
)


@app.api("GET", "/projects", [PROJECT], paginated=True)
def show_projects(
    ctx: CallContext,
    archived: Annotated[bool, P("List your archived projects instead of the active ones.")] = False,
    favorites_only: Annotated[bool, P("Only your favorite projects.")] = False,
    query: Annotated[str, P("Words to find in the name; empty matches all.", max_length=QUERY_MAX_CHARS)] = "",
) -> list[dict[str, Any]]:
    """List your projects with how many open tasks each has."""
    rows = ctx.rows(
        PROJECT_SELECT + " WHERE p.owner_id = ? AND p.archived = ? AND (? = 0 OR p.is_favorite = 1) ORDER BY p.id",
        ctx.caller,
        int(archived),
        int(favorites_only),
    )
    words = search_words(query)
    return [_project_out(ctx, r) for r in rows if all(w in r["name"].lower() for w in words)]


@app.api(
    "GET",
    "/projects/{project_id}",
    {**PROJECT, "owner_email": "string", "sections": [{"section_id": 1, "name": "string"}], "completed_tasks": 1},
)
def show_project(ctx: CallContext, project_id: PROJECT_ID) -> dict[str, Any]:
    """Show one project (yours or shared with you): its sections and task counts."""
    usable_project(ctx, project_id)
    row = ctx.existing_row(PROJECT_SELECT + " WHERE p.id = ?", project_id)
    return {
        **_project_out(ctx, row),
        "owner_email": ctx.value("SELECT email FROM people WHERE id = ?", row["owner_id"]),
        "sections": ctx.rows(
            "SELECT id AS section_id, name FROM todo_sections WHERE project_id = ? ORDER BY position, id", project_id
        ),
        "completed_tasks": ctx.value(
            "SELECT COUNT(*) FROM todo_tasks WHERE project_id = ? AND completed = 1", project_id
        ),
    }


@app.api("POST", "/projects", {"message": "string", "project_id": 1})
def create_project(
    ctx: CallContext,
    name: Annotated[str, P("The project's name.", min_length=1, max_length=80)],
    color: Annotated[Color, P(f"One of {', '.join(COLORS)}.")] = "blue",
    is_favorite: Annotated[bool, P("Show it among your favorites.")] = False,
) -> dict[str, Any]:
    """Create a project."""
    new_id = ctx.insert_unique(
        "todo_projects",
        {"owner_id": ctx.caller, "name": name},
        f"You already have a project named {name!r}.",
        {"color": color, "is_favorite": int(is_favorite), "created_at": ctx.timestamp()},
    )
    return {"message": "Project created.", "project_id": new_id}


@app.api("PATCH", "/projects/{project_id}", MESSAGE)
def update_project(
    ctx: CallContext,
    project_id: PROJECT_ID,
    name: Annotated[str | None, P("New name.", min_length=1, max_length=80)] = None,
    color: Annotated[Color | None, P("New color.")] = None,
    is_favorite: Annotated[bool | None, P("Add to (true) or remove from (false) your favorites.")] = None,
) -> dict[str, str]:
    """Rename a project, change its color or make it a favorite."""
    ctx.owned("todo_projects", project_id, "project")
    if name is not None and ctx.value(
        "SELECT 1 FROM todo_projects WHERE owner_id = ? AND name = ? AND id != ?", ctx.caller, name, project_id
    ):
        raise ApiError(409, f"You already have a project named {name!r}.")
    favorite = None if is_favorite is None else int(is_favorite)
    ctx.update("todo_projects", project_id, {"name": name, "color": color, "is_favorite": favorite})
    return {"message": "Project updated."}


def _set_archived(ctx: CallContext, project_id: int, archived: bool) -> dict[str, str]:
    project = ctx.owned("todo_projects", project_id, "project")
    if bool(project["archived"]) == archived:
        raise ApiError(409, f"Project {project['name']!r} is {'already' if archived else 'not'} archived.")
    ctx.execute("UPDATE todo_projects SET archived = ? WHERE id = ?", int(archived), project_id)
    return {"message": f"Project {'archived' if archived else 'unarchived'}."}


@app.api("POST", "/projects/{project_id}/archive", MESSAGE)
def archive_project(ctx: CallContext, project_id: PROJECT_ID) -> dict[str, str]:
    """Archive a project: it and its tasks leave your lists until you unarchive it."""
    return _set_archived(ctx, project_id, True)


@app.api("POST", "/projects/{project_id}/unarchive", MESSAGE)
def unarchive_project(ctx: CallContext, project_id: PROJECT_ID) -> dict[str, str]:
    """Bring an archived project back."""
    return _set_archived(ctx, project_id, False)


@app.api("DELETE", "/projects/{project_id}", MESSAGE)
def delete_project(ctx: CallContext, project_id: PROJECT_ID) -> dict[str, str]:
    """Delete a project with all its tasks, sections, sharing and the saved filters on it."""
    ctx.owned("todo_projects", project_id, "project")
    delete_tasks(ctx, [r["id"] for r in ctx.rows("SELECT id FROM todo_tasks WHERE project_id = ?", project_id)])
    for table in ("todo_sections", "todo_collaborators", "todo_filters"):
        ctx.execute(f"DELETE FROM {table} WHERE project_id = ?", project_id)
    ctx.execute("DELETE FROM todo_projects WHERE id = ?", project_id)
    return {"message": "Project deleted."}


@app.api("GET", "/tasks", [TASK], paginated=True)
def search_tasks(
    ctx: CallContext,
    query: Annotated[str, P("Words to match in the title; empty matches all.", max_length=QUERY_MAX_CHARS)] = "",
    project_id: Annotated[int | None, P("Only tasks of this project.", ge=1)] = None,
    section_id: Annotated[int | None, P("Only tasks of this section.", ge=1)] = None,
    completed: Annotated[bool | None, P("Only completed (true) or open (false) tasks.")] = None,
    label: Annotated[str | None, P("Only tasks with this label.", max_length=30)] = None,
    priority: PRIORITY = None,
    due_before: Annotated[str | None, P(f"Only tasks due before this date ({DAY_DOC}).", max_length=10)] = None,
    due_after: Annotated[str | None, P(f"Only tasks due on or after this date ({DAY_DOC}).", max_length=10)] = None,
    include_shared: Annotated[bool, P("Also tasks of projects others shared with you.")] = False,
    include_archived: Annotated[bool, P("Also tasks of archived projects.")] = False,
    sort_by: Annotated[
        Literal["due_date", "priority", "-created_at", "title"], P("Order (due_date: tasks without one last).")
    ] = "due_date",
) -> Page:
    """Search your tasks, by due date (tasks without one last) unless sorted otherwise."""
    check_date("due_before", due_before)
    check_date("due_after", due_after)
    clauses = [VISIBLE if include_shared else "t.owner_id = ?"]
    values: list[Any] = [ctx.caller, ctx.caller] if include_shared else [ctx.caller]
    optional = (
        ("t.project_id = ?", project_id),
        ("t.section_id = ?", section_id),
        ("t.completed = ?", None if completed is None else int(completed)),
        ("instr(',' || t.labels || ',', ',' || ? || ',') > 0", label),
        ("t.priority = ?", priority),
        ("t.due_date < ?", due_before),
        ("t.due_date >= ?", due_after),
    )
    for sql, value in optional:
        if value is not None:
            clauses.append(sql)
            values.append(value)
    if not include_archived and project_id is None:
        clauses.append("p.archived = 0")
    for word in search_words(query):
        clauses.append("instr(lower(t.title), ?) > 0")
        values.append(word)
    return tasks_page(ctx, " AND ".join(clauses), *values, order=TASK_SORTS[sort_by])


OPEN_ACTIVE = "t.owner_id = ? AND t.completed = 0 AND p.archived = 0"


@app.api("GET", "/tasks/today", [TASK], paginated=True)
def show_today_tasks(ctx: CallContext) -> Page:
    """List your open tasks due today or overdue, highest priority first."""
    return tasks_page(
        ctx, OPEN_ACTIVE + " AND t.due_date <= ?", ctx.caller, ctx.now.date().isoformat(), order=TASK_SORTS["priority"]
    )


@app.api("GET", "/tasks/overdue", [TASK], paginated=True)
def show_overdue_tasks(
    ctx: CallContext, project_id: Annotated[int | None, P("Only tasks of this project.", ge=1)] = None
) -> Page:
    """List your open tasks whose due date has passed, oldest first."""
    return tasks_page(
        ctx,
        OPEN_ACTIVE + " AND t.due_date < ? AND (? IS NULL OR t.project_id = ?)",
        ctx.caller,
        ctx.now.date().isoformat(),
        project_id,
        project_id,
    )


@app.api("GET", "/tasks/upcoming", [TASK], paginated=True)
def show_upcoming_tasks(
    ctx: CallContext, days: Annotated[int, P("How many days ahead, today included.", ge=1, le=365)] = 7
) -> Page:
    """List your open tasks due from today to some days ahead, by due date."""
    today = ctx.now.date()
    return tasks_page(
        ctx,
        OPEN_ACTIVE + " AND t.due_date >= ? AND t.due_date < ?",
        ctx.caller,
        today.isoformat(),
        (today + timedelta(days=days)).isoformat(),
    )


@app.api("GET", "/tasks/completed", [TASK], paginated=True)
def show_completed_tasks(
    ctx: CallContext,
    since: Annotated[str | None, P(f"Only tasks completed on or after this date ({DAY_DOC}).", max_length=10)] = None,
    project_id: Annotated[int | None, P("Only tasks of this project.", ge=1)] = None,
) -> Page:
    """List the tasks you completed, most recently completed first."""
    check_date("since", since)
    return tasks_page(
        ctx,
        "t.owner_id = ? AND t.completed = 1 AND (? IS NULL OR t.completed_at >= ?) AND (? IS NULL OR t.project_id = ?)",
        ctx.caller,
        since,
        since,
        project_id,
        project_id,
        order="t.completed_at DESC, t.id DESC",
    )


@app.api("GET", "/tasks/{task_id}", TASK)
def show_task(ctx: CallContext, task_id: TASK_ID) -> dict[str, Any]:
    """Show one task (yours or of a project shared with you)."""
    return tasks_where(ctx, "t.id = ?", visible_task(ctx, task_id)["id"])[0]


@app.api("GET", "/tasks/{task_id}/subtasks", [TASK], paginated=True)
def show_subtasks(ctx: CallContext, task_id: TASK_ID) -> Page:
    """List the subtasks of a task."""
    visible_task(ctx, task_id)
    return tasks_page(ctx, "t.parent_id = ?", task_id, order="t.id")


@app.api("POST", "/tasks", {"message": "string", "task_id": 1})
def create_task(
    ctx: CallContext,
    project_id: Annotated[int, P("The project (yours or shared with you).", ge=1)],
    title: Annotated[str, P("What to do.", min_length=1, max_length=200)],
    due_date: DATE = None,
    priority: Annotated[int, P("1 (highest) to 4 (lowest).", ge=1, le=4)] = 4,
    labels: Annotated[list[str], P("Labels (see show_labels).", max_length=20)] = [],  # noqa: B006 (never mutated)
    description: Annotated[str, P("Details of the task.", max_length=2000)] = "",
    section_id: Annotated[int | None, P("A section of the project to put it in.", ge=1)] = None,
    parent_task_id: Annotated[int | None, P("Make it a subtask of this task (same project).", ge=1)] = None,
    recurrence: Annotated[
        Recurrence | None, P("Repeat: closing it moves the due date on instead of completing it.")
    ] = None,
) -> dict[str, Any]:
    """Add a task (or a subtask) to a project."""
    if parent_task_id is not None:
        parent = visible_task(ctx, parent_task_id)
        if project_id != parent["project_id"]:
            raise ApiError(422, "Invalid argument 'project_id': a subtask goes in its parent's project.")
    project = usable_project(ctx, project_id)
    _check_section(ctx, project_id, section_id)
    if recurrence is not None and due_date is None:
        raise ApiError(422, "Invalid argument 'recurrence': a repeating task needs a due_date.")
    new_id = ctx.execute(
        "INSERT INTO todo_tasks (owner_id, project_id, title, due_date, priority, labels, completed, created_at, "
        "description, section_id, parent_id, recurrence) VALUES (?,?,?,?,?,?,0,?,?,?,?,?)",
        project["owner_id"],
        project_id,
        title,
        check_date("due_date", due_date),
        priority,
        check_labels(ctx, project["owner_id"], labels),
        ctx.timestamp(),
        description,
        section_id,
        parent_task_id,
        recurrence,
    )
    return {"message": "Task created.", "task_id": new_id}


def _check_section(ctx: CallContext, project_id: int, section_id: int | None) -> None:
    if section_id is not None and not ctx.value(
        "SELECT 1 FROM todo_sections WHERE id = ? AND project_id = ?", section_id, project_id
    ):
        raise ApiError(404, f"Invalid argument 'section_id': project {project_id} has no section {section_id}.")


@app.api("PATCH", "/tasks/{task_id}", MESSAGE)
def update_task(
    ctx: CallContext,
    task_id: TASK_ID,
    title: Annotated[str | None, P("New title.", min_length=1, max_length=200)] = None,
    due_date: DATE = None,
    priority: PRIORITY = None,
    labels: Annotated[list[str] | None, P("New labels (replace the old ones).", max_length=20)] = None,
    project_id: Annotated[int | None, P("Move to this project of yours.", ge=1)] = None,
    section_id: Annotated[int | None, P("Move to this section (of its project, or of project_id).", ge=1)] = None,
    description: Annotated[str | None, P("New details.", max_length=2000)] = None,
    recurrence: Annotated[Recurrence | None, P("Make it repeat this often.")] = None,
) -> dict[str, str]:
    """Change the fields you give of one of your tasks."""
    task = ctx.owned("todo_tasks", task_id, "task")
    if project_id is not None:
        ctx.owned("todo_projects", project_id, "project")
    _check_section(ctx, project_id or task["project_id"], section_id)
    moved = project_id is not None and project_id != task["project_id"]
    ctx.update(
        "todo_tasks",
        task_id,
        {
            "title": title,
            "due_date": check_date("due_date", due_date),
            "priority": priority,
            "labels": check_labels(ctx, ctx.caller, labels),
            "project_id": project_id,
            "description": description,
            "recurrence": recurrence,
            "section_id": section_id,
        },
    )
    if moved and section_id is None and task["section_id"] is not None:
        ctx.execute("UPDATE todo_tasks SET section_id = NULL WHERE id = ?", task_id)
    return {"message": "Task updated."}


def next_due(due: str, recurrence: str) -> str:
    """The next due date of a repeating task; a month on from the 31st lands on the month's last day."""
    day = date.fromisoformat(due)
    if recurrence in ("daily", "weekly"):
        return (day + timedelta(days=1 if recurrence == "daily" else 7)).isoformat()
    year, month = divmod(day.year * 12 + day.month - 1 + (1 if recurrence == "monthly" else 12), 12)
    last = (date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month + 1, min(day.day, last)).isoformat()


@app.api("POST", "/tasks/{task_id}/close", MESSAGE)
def close_task(ctx: CallContext, task_id: TASK_ID) -> dict[str, str]:
    """Mark a task as done; a repeating task moves on to its next due date instead."""
    task = visible_task(ctx, task_id)
    if task["completed"]:
        raise ApiError(409, f"Task {task_id} is already completed.")
    if task["recurrence"] and task["due_date"]:
        following = pushed_day(next_due(task["due_date"], task["recurrence"]), f"Task {task_id}'s due date")
        ctx.execute("UPDATE todo_tasks SET due_date = ? WHERE id = ?", following, task_id)
        return {"message": f"Repeating task done for now; next due {following}."}
    ctx.update("todo_tasks", task_id, {"completed": 1, "completed_at": ctx.timestamp()})
    return {"message": "Task completed."}


@app.api("POST", "/tasks/{task_id}/reopen", MESSAGE)
def reopen_task(ctx: CallContext, task_id: TASK_ID) -> dict[str, str]:
    """Mark a completed task as open again."""
    if not visible_task(ctx, task_id)["completed"]:
        raise ApiError(409, f"Task {task_id} is not completed.")
    ctx.execute("UPDATE todo_tasks SET completed = 0, completed_at = NULL WHERE id = ?", task_id)
    return {"message": "Task reopened."}


@app.api("DELETE", "/tasks/{task_id}", MESSAGE)
def delete_task(ctx: CallContext, task_id: TASK_ID) -> dict[str, str]:
    """Delete one of your tasks with its subtasks, comments and reminders."""
    ctx.owned("todo_tasks", task_id, "task")
    delete_tasks(ctx, [task_id])
    return {"message": "Task deleted."}
