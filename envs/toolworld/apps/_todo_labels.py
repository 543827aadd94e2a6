"""todo labels and saved filters.

Labels are yours to create, rename and delete; a task stores its labels' names, so renaming or
deleting a label updates every task of yours that carries it. A saved filter is a named set of
conditions whose tasks show_filter_tasks lists.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from envs.toolworld.api import ApiError, CallContext, P, Page
from envs.toolworld.apps._todo_base import (
    COLORS,
    LABEL_NAME,
    MESSAGE,
    PRIORITY,
    TASK,
    app,
    tasks_page,
)

Color = Literal["red", "blue", "green", "yellow", "purple", "orange", "gray"]
LABEL = Annotated[str, P("The label's name: lowercase letters, digits, '-' or '_'.", min_length=1, max_length=30)]
FILTER_ID = Annotated[int, P("The saved filter's id, from show_filters.", ge=1)]
HAS_LABEL = "instr(',' || t.labels || ',', ',' || ? || ',') > 0"


def _label(ctx: CallContext, name: str) -> dict[str, Any]:
    found = ctx.row("SELECT * FROM todo_labels WHERE owner_id = ? AND name = ?", ctx.caller, name)
    if found is None:
        raise ApiError(404, f"You have no label {name!r} (see show_labels).")
    return found


def _valid_name(name: str, argument: str) -> str:
    if not LABEL_NAME.fullmatch(name):
        raise ApiError(
            422, f"Invalid argument {argument!r}: {name!r} may hold only lowercase letters, digits, '-', '_'."
        )
    return name


def _relabel(ctx: CallContext, old: str, new: str | None) -> int:
    """Rename (or with `new` None, remove) label `old` on every task of the caller, and in (or with None,
    delete) the saved filters on it; returns how many tasks changed."""
    if new is None:
        ctx.execute("DELETE FROM todo_filters WHERE owner_id = ? AND label = ?", ctx.caller, old)
    else:
        ctx.execute("UPDATE todo_filters SET label = ? WHERE owner_id = ? AND label = ?", new, ctx.caller, old)
    rows = ctx.rows(f"SELECT id, labels FROM todo_tasks t WHERE t.owner_id = ? AND {HAS_LABEL}", ctx.caller, old)
    for r in rows:
        names = {x for x in r["labels"].split(",") if x and x != old} | ({new} if new else set())
        ctx.execute("UPDATE todo_tasks SET labels = ? WHERE id = ?", ",".join(sorted(names)), r["id"])
    return len(rows)


@app.api("GET", "/labels", [{"label": "string", "color": "string", "is_favorite": True, "open_tasks": 1}])
def show_labels(ctx: CallContext) -> list[dict[str, Any]]:
    """List your labels with how many of your open tasks carry each."""
    labels = ctx.rows("SELECT name, color, is_favorite FROM todo_labels WHERE owner_id = ? ORDER BY name", ctx.caller)
    counts: dict[str, int] = {}
    for r in ctx.rows(
        "SELECT labels FROM todo_tasks WHERE owner_id = ? AND completed = 0 AND labels != ''", ctx.caller
    ):
        for name in r["labels"].split(","):
            counts[name] = counts.get(name, 0) + 1
    return [
        {
            "label": x["name"],
            "color": x["color"],
            "is_favorite": bool(x["is_favorite"]),
            "open_tasks": counts.get(x["name"], 0),
        }
        for x in labels
    ]


@app.api("POST", "/labels", MESSAGE)
def create_label(
    ctx: CallContext,
    name: LABEL,
    color: Annotated[Color, P(f"One of {', '.join(COLORS)}.")] = "gray",
    is_favorite: Annotated[bool, P("Show it among your favorites.")] = False,
) -> dict[str, str]:
    """Create a label you can put on tasks."""
    ctx.insert_unique(
        "todo_labels",
        {"owner_id": ctx.caller, "name": _valid_name(name, "name")},
        f"You already have a label {name!r}.",
        {"color": color, "is_favorite": int(is_favorite)},
    )
    return {"message": f"Label {name} created."}


@app.api("PATCH", "/labels/{name}", {"message": "string", "tasks_updated": 1})
def update_label(
    ctx: CallContext,
    name: LABEL,
    new_name: Annotated[str | None, P("Rename it (tasks carrying it follow).", min_length=1, max_length=30)] = None,
    color: Annotated[Color | None, P("New color.")] = None,
    is_favorite: Annotated[bool | None, P("Add to (true) or remove from (false) your favorites.")] = None,
) -> dict[str, Any]:
    """Rename a label, change its color or make it a favorite."""
    label = _label(ctx, name)
    changed = 0
    if new_name is not None and new_name != name:
        if ctx.value(
            "SELECT 1 FROM todo_labels WHERE owner_id = ? AND name = ?", ctx.caller, _valid_name(new_name, "new_name")
        ):
            raise ApiError(409, f"You already have a label {new_name!r}.")
        changed = _relabel(ctx, name, new_name)
    favorite = None if is_favorite is None else int(is_favorite)
    ctx.update("todo_labels", label["id"], {"name": new_name, "color": color, "is_favorite": favorite})
    return {"message": "Label updated.", "tasks_updated": changed}


@app.api("DELETE", "/labels/{name}", {"message": "string", "tasks_updated": 1})
def delete_label(ctx: CallContext, name: LABEL) -> dict[str, Any]:
    """Delete a label, take it off your tasks and delete your saved filters on it."""
    label = _label(ctx, name)
    changed = _relabel(ctx, name, None)
    ctx.execute("DELETE FROM todo_labels WHERE id = ?", label["id"])
    return {"message": f"Label {name} deleted.", "tasks_updated": changed}


FILTER = {"filter_id": 1, "name": "string", "label": "string", "priority": 1, "project_id": 1, "due_within_days": 1}


@app.api("GET", "/filters", [FILTER], paginated=True)
def show_filters(ctx: CallContext) -> list[dict[str, Any]]:
    """List your saved filters."""
    return ctx.rows(
        "SELECT id AS filter_id, name, label, priority, project_id, due_within_days FROM todo_filters "
        "WHERE owner_id = ? ORDER BY name",
        ctx.caller,
    )


@app.api("POST", "/filters", {"message": "string", "filter_id": 1})
def create_filter(
    ctx: CallContext,
    name: Annotated[str, P("The filter's name.", min_length=1, max_length=80)],
    label: Annotated[str | None, P("Only tasks with this label.", max_length=30)] = None,
    priority: PRIORITY = None,
    project_id: Annotated[int | None, P("Only tasks of this project of yours.", ge=1)] = None,
    due_within_days: Annotated[
        int | None, P("Only tasks due within this many days from today (overdue too).", ge=0, le=365)
    ] = None,
) -> dict[str, Any]:
    """Save a filter of your open tasks (all the conditions you give must hold)."""
    if label is not None:
        _label(ctx, label)
    if project_id is not None:
        ctx.owned("todo_projects", project_id, "project")
    if (label, priority, project_id, due_within_days) == (None, None, None, None):
        raise ApiError(422, "A filter needs at least one of label, priority, project_id or due_within_days.")
    new_id = ctx.insert_unique(
        "todo_filters",
        {"owner_id": ctx.caller, "name": name},
        f"You already have a filter named {name!r}.",
        {"label": label, "priority": priority, "project_id": project_id, "due_within_days": due_within_days},
    )
    return {"message": "Filter saved.", "filter_id": new_id}


@app.api("DELETE", "/filters/{filter_id}", MESSAGE)
def delete_filter(ctx: CallContext, filter_id: FILTER_ID) -> dict[str, str]:
    """Delete a saved filter (its tasks stay)."""
    ctx.owned("todo_filters", filter_id, "filter")
    ctx.execute("DELETE FROM todo_filters WHERE id = ?", filter_id)
    return {"message": "Filter deleted."}


@app.api("GET", "/filters/{filter_id}/tasks", [TASK], paginated=True)
def show_filter_tasks(ctx: CallContext, filter_id: FILTER_ID) -> Page:
    """List the open tasks that match one of your saved filters, by due date."""
    f = ctx.owned("todo_filters", filter_id, "filter")
    until = None
    if f["due_within_days"] is not None:
        until = (ctx.now.date() + timedelta(days=f["due_within_days"])).isoformat()
    return tasks_page(
        ctx,
        "t.owner_id = ? AND t.completed = 0 AND p.archived = 0 AND (? IS NULL OR " + HAS_LABEL + ") "
        "AND (? IS NULL OR t.priority = ?) AND (? IS NULL OR t.project_id = ?) AND (? IS NULL OR t.due_date <= ?)",
        ctx.caller,
        f["label"],
        f["label"],
        f["priority"],
        f["priority"],
        f["project_id"],
        f["project_id"],
        until,
        until,
    )
