"""todo: projects, tasks with due dates, priorities and labels, and comments."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, App, CallContext, P
from envs.toolworld.apps._accounts import add_account_apis
from envs.toolworld.world.build import WorldBuilder

app = App(
    "todo",
    "A to-do list app: projects, tasks with due dates, priorities and labels.",
    schema="""
    CREATE TABLE todo_projects (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, name TEXT NOT NULL, color TEXT NOT NULL
    );
    CREATE TABLE todo_tasks (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, project_id INTEGER NOT NULL,
        title TEXT NOT NULL, due_date TEXT, priority INTEGER NOT NULL, labels TEXT NOT NULL, completed INTEGER NOT NULL,
        completed_at TEXT, created_at TEXT NOT NULL
    );
    CREATE TABLE todo_comments (
        id INTEGER PRIMARY KEY AUTOINCREMENT, task_id INTEGER NOT NULL, owner_id INTEGER NOT NULL, text TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    """,
)
add_account_apis(app)

PROJECTS = {
    "Home": [
        "Fix the leaky tap",
        "Clean the gutters",
        "Replace smoke detector battery",
        "Sort the garage",
        "Paint the fence",
    ],
    "Work": ["Draft the report", "Review pull requests", "Prepare slides", "Book meeting room", "Update the roadmap"],
    "Errands": ["Pick up dry cleaning", "Return library books", "Renew passport", "Buy stamps", "Get a haircut"],
    "Health": ["Book dentist appointment", "Refill prescription", "Schedule eye exam", "Plan weekly meals"],
}
LABELS = ("urgent", "waiting", "quick", "weekend")
COLORS = ("red", "blue", "green", "yellow", "purple")
TASK = {
    "task_id": 1,
    "project": {"project_id": 1, "name": "string"},
    "title": "string",
    "due_date": "string",
    "priority": 1,
    "labels": ["string"],
    "completed": True,
    "completed_at": "string",
    "created_at": "string",
}
TASK_ID = Annotated[int, P("The task's id.", ge=1)]
PROJECT_ID = Annotated[int, P("The project's id.", ge=1)]
PRIORITY = Annotated[int | None, P("1 (highest) to 4 (lowest).", ge=1, le=4)]
DATE = Annotated[str | None, P("A date as YYYY-MM-DD.")]


@app.populator
def populate(w: WorldBuilder) -> None:
    rng = w.rng("todo")
    for person in w.people:
        for name in rng.sample(sorted(PROJECTS), rng.randint(2, 4)):
            (project_id,) = w.insert(
                "todo_projects", [{"owner_id": person.id, "name": name, "color": rng.choice(COLORS)}]
            )
            tasks = []
            for title in rng.sample(PROJECTS[name], rng.randint(2, len(PROJECTS[name]))):
                done = rng.random() < 0.35
                created = w.now - timedelta(days=rng.randint(5, 120))
                due = (w.now + timedelta(days=rng.randint(-20, 30))).date().isoformat() if rng.random() < 0.8 else None
                tasks.append(
                    {
                        "owner_id": person.id,
                        "project_id": project_id,
                        "title": title,
                        "due_date": due,
                        "priority": rng.randint(1, 4),
                        "labels": ",".join(sorted(rng.sample(LABELS, rng.randint(0, 2)))),
                        "completed": int(done),
                        "completed_at": (created + timedelta(days=rng.randint(1, 4))).isoformat(timespec="seconds")
                        if done
                        else None,
                        "created_at": created.isoformat(timespec="seconds"),
                    }
                )
            w.insert("todo_tasks", tasks)


def _task(ctx: CallContext, row: dict[str, Any]) -> dict[str, Any]:
    project = ctx.row("SELECT id AS project_id, name FROM todo_projects WHERE id = ?", row["project_id"])
    return {
        "task_id": row["id"],
        "project": project,
        "title": row["title"],
        "due_date": row["due_date"],
        "priority": row["priority"],
        "labels": [x for x in row["labels"].split(",") if x],
        "completed": bool(row["completed"]),
        "completed_at": row["completed_at"],
        "created_at": row["created_at"],
    }


def _date(name: str, value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ApiError(422, f"Invalid argument {name!r}: {value!r} is not a YYYY-MM-DD date.")
    return value


def _labels(labels: list[str] | None) -> str | None:
    if labels is None:
        return None
    bad = [x for x in labels if x not in LABELS]
    if bad:
        raise ApiError(422, f"Invalid argument 'labels': {bad} are not labels; labels are {list(LABELS)}.")
    return ",".join(sorted(set(labels)))


@app.api("GET", "/projects", [{"project_id": 1, "name": "string", "color": "string", "open_tasks": 1}], paginated=True)
def show_projects(ctx: CallContext) -> list[dict[str, Any]]:
    """List your projects with how many open tasks each has."""
    rows = ctx.rows("SELECT * FROM todo_projects WHERE owner_id = ? ORDER BY id", ctx.user_id)
    return [
        {
            "project_id": r["id"],
            "name": r["name"],
            "color": r["color"],
            "open_tasks": ctx.value("SELECT COUNT(*) FROM todo_tasks WHERE project_id = ? AND completed = 0", r["id"]),
        }
        for r in rows
    ]


@app.api("POST", "/projects", {"message": "string", "project_id": 1})
def create_project(
    ctx: CallContext,
    name: Annotated[str, P("The project's name.", min_length=1, max_length=80)],
    color: Annotated[str, P(f"One of {', '.join(COLORS)}.")] = "blue",
) -> dict[str, Any]:
    """Create a project."""
    if color not in COLORS:
        raise ApiError(422, f"Invalid argument 'color': {color!r} is not one of {list(COLORS)}.")
    new_id = ctx.execute("INSERT INTO todo_projects (owner_id, name, color) VALUES (?,?,?)", ctx.user_id, name, color)
    return {"message": "Project created.", "project_id": new_id}


@app.api("PATCH", "/projects/{project_id}", {"message": "string"})
def update_project(
    ctx: CallContext,
    project_id: PROJECT_ID,
    name: Annotated[str | None, P("New name.", min_length=1, max_length=80)] = None,
    color: Annotated[str | None, P("New color.")] = None,
) -> dict[str, str]:
    """Rename a project or change its color."""
    ctx.owned("todo_projects", project_id, "project")
    if color is not None and color not in COLORS:
        raise ApiError(422, f"Invalid argument 'color': {color!r} is not one of {list(COLORS)}.")
    ctx.update("todo_projects", project_id, {"name": name, "color": color})
    return {"message": "Project updated."}


@app.api("DELETE", "/projects/{project_id}", {"message": "string"})
def delete_project(ctx: CallContext, project_id: PROJECT_ID) -> dict[str, str]:
    """Delete a project and all its tasks."""
    ctx.owned("todo_projects", project_id, "project")
    ctx.execute(
        "DELETE FROM todo_comments WHERE task_id IN (SELECT id FROM todo_tasks WHERE project_id = ?)", project_id
    )
    ctx.execute("DELETE FROM todo_tasks WHERE project_id = ?", project_id)
    ctx.execute("DELETE FROM todo_projects WHERE id = ?", project_id)
    return {"message": "Project deleted."}


@app.api("GET", "/tasks", [TASK], paginated=True)
def search_tasks(
    ctx: CallContext,
    query: Annotated[str, P("Words to match in the title; empty matches all.", max_length=QUERY_MAX_CHARS)] = "",
    project_id: Annotated[int | None, P("Only tasks of this project.", ge=1)] = None,
    completed: Annotated[bool | None, P("Only completed (true) or open (false) tasks.")] = None,
    label: Annotated[str | None, P("Only tasks with this label.")] = None,
    due_before: DATE = None,
) -> list[dict[str, Any]]:
    """Search your tasks, by due date (tasks without one last)."""
    rows = ctx.rows("SELECT * FROM todo_tasks WHERE owner_id = ? ORDER BY due_date IS NULL, due_date, id", ctx.user_id)
    _date("due_before", due_before)
    words = query.lower().split()
    keep = [
        r
        for r in rows
        if all(w in r["title"].lower() for w in words)
        and (project_id is None or r["project_id"] == project_id)
        and (completed is None or bool(r["completed"]) == completed)
        and (label is None or label in r["labels"].split(","))
        and (due_before is None or (r["due_date"] is not None and r["due_date"] < due_before))
    ]
    return [_task(ctx, r) for r in keep]


@app.api("GET", "/tasks/{task_id}", TASK)
def show_task(ctx: CallContext, task_id: TASK_ID) -> dict[str, Any]:
    """Show one task."""
    return _task(ctx, ctx.owned("todo_tasks", task_id, "task"))


@app.api("POST", "/tasks", {"message": "string", "task_id": 1})
def create_task(
    ctx: CallContext,
    project_id: PROJECT_ID,
    title: Annotated[str, P("What to do.", min_length=1, max_length=200)],
    due_date: DATE = None,
    priority: Annotated[int, P("1 (highest) to 4 (lowest).", ge=1, le=4)] = 4,
    labels: Annotated[list[str], P(f"Labels among {', '.join(LABELS)}.")] = [],  # noqa: B006 (never mutated)
) -> dict[str, Any]:
    """Add a task to one of your projects."""
    ctx.owned("todo_projects", project_id, "project")
    new_id = ctx.execute(
        "INSERT INTO todo_tasks (owner_id, project_id, title, due_date, priority, labels, completed, created_at) "
        "VALUES (?,?,?,?,?,?,0,?)",
        ctx.user_id,
        project_id,
        title,
        _date("due_date", due_date),
        priority,
        _labels(labels),
        ctx.timestamp(),
    )
    return {"message": "Task created.", "task_id": new_id}


@app.api("PATCH", "/tasks/{task_id}", {"message": "string"})
def update_task(
    ctx: CallContext,
    task_id: TASK_ID,
    title: Annotated[str | None, P("New title.", min_length=1, max_length=200)] = None,
    due_date: DATE = None,
    priority: PRIORITY = None,
    labels: Annotated[list[str] | None, P("New labels (replace the old ones).")] = None,
    project_id: Annotated[int | None, P("Move to this project.", ge=1)] = None,
) -> dict[str, str]:
    """Change the fields you give of one task."""
    ctx.owned("todo_tasks", task_id, "task")
    if project_id is not None:
        ctx.owned("todo_projects", project_id, "project")
    ctx.update(
        "todo_tasks",
        task_id,
        {
            "title": title,
            "due_date": _date("due_date", due_date),
            "priority": priority,
            "labels": _labels(labels),
            "project_id": project_id,
        },
    )
    return {"message": "Task updated."}


@app.api("POST", "/tasks/{task_id}/close", {"message": "string"})
def close_task(ctx: CallContext, task_id: TASK_ID) -> dict[str, str]:
    """Mark a task as done."""
    if ctx.owned("todo_tasks", task_id, "task")["completed"]:
        raise ApiError(409, f"Task {task_id} is already completed.")
    ctx.update("todo_tasks", task_id, {"completed": 1, "completed_at": ctx.timestamp()})
    return {"message": "Task completed."}


@app.api("POST", "/tasks/{task_id}/reopen", {"message": "string"})
def reopen_task(ctx: CallContext, task_id: TASK_ID) -> dict[str, str]:
    """Mark a completed task as open again."""
    if not ctx.owned("todo_tasks", task_id, "task")["completed"]:
        raise ApiError(409, f"Task {task_id} is not completed.")
    ctx.execute("UPDATE todo_tasks SET completed = 0, completed_at = NULL WHERE id = ?", task_id)
    return {"message": "Task reopened."}


@app.api("DELETE", "/tasks/{task_id}", {"message": "string"})
def delete_task(ctx: CallContext, task_id: TASK_ID) -> dict[str, str]:
    """Delete a task and its comments."""
    ctx.owned("todo_tasks", task_id, "task")
    ctx.execute("DELETE FROM todo_comments WHERE task_id = ?", task_id)
    ctx.execute("DELETE FROM todo_tasks WHERE id = ?", task_id)
    return {"message": "Task deleted."}


@app.api("GET", "/labels", [{"label": "string", "open_tasks": 1}])
def show_labels(ctx: CallContext) -> list[dict[str, Any]]:
    """List the labels you can use, with how many open tasks carry each."""
    rows = ctx.rows("SELECT labels FROM todo_tasks WHERE owner_id = ? AND completed = 0", ctx.user_id)
    return [{"label": x, "open_tasks": sum(x in r["labels"].split(",") for r in rows)} for x in LABELS]


@app.api(
    "GET", "/tasks/{task_id}/comments", [{"comment_id": 1, "text": "string", "created_at": "string"}], paginated=True
)
def show_task_comments(ctx: CallContext, task_id: TASK_ID) -> list[dict[str, Any]]:
    """List the comments on a task, oldest first."""
    ctx.owned("todo_tasks", task_id, "task")
    return ctx.rows(
        "SELECT id AS comment_id, text, created_at FROM todo_comments WHERE task_id = ? ORDER BY id", task_id
    )


@app.api("POST", "/tasks/{task_id}/comments", {"message": "string", "comment_id": 1})
def add_task_comment(
    ctx: CallContext, task_id: TASK_ID, text: Annotated[str, P("The comment.", min_length=1, max_length=1000)]
) -> dict[str, Any]:
    """Comment on a task."""
    ctx.owned("todo_tasks", task_id, "task")
    new_id = ctx.execute(
        "INSERT INTO todo_comments (task_id, owner_id, text, created_at) VALUES (?,?,?,?)",
        task_id,
        ctx.user_id,
        text,
        ctx.timestamp(),
    )
    return {"message": "Comment added.", "comment_id": new_id}


@app.api("DELETE", "/comments/{comment_id}", {"message": "string"})
def delete_task_comment(ctx: CallContext, comment_id: Annotated[int, P("The comment's id.", ge=1)]) -> dict[str, str]:
    """Delete one of your comments."""
    ctx.owned("todo_comments", comment_id, "comment")
    ctx.execute("DELETE FROM todo_comments WHERE id = ?", comment_id)
    return {"message": "Comment deleted."}
