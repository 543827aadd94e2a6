"""todo sharing: invite people to a project, assign its tasks, and see what is shared with or assigned to you."""

from __future__ import annotations

from typing import Annotated, Any

from envs.toolworld.api import ApiError, CallContext, P, Page
from envs.toolworld.apps._todo_base import (
    EMAIL,
    MESSAGE,
    PROJECT_ID,
    TASK,
    TASK_ID,
    app,
    person_by_email,
    tasks_page,
    usable_project,
    visible_task,
)


@app.api("POST", "/projects/{project_id}/collaborators", MESSAGE)
def share_project(ctx: CallContext, project_id: PROJECT_ID, email: EMAIL) -> dict[str, str]:
    """Share one of your projects with a person: they can see it, add and close tasks, and comment."""
    project = ctx.owned("todo_projects", project_id, "project")
    person = person_by_email(ctx, email)
    if person["id"] == ctx.caller:
        raise ApiError(422, "Invalid argument 'email': that is your own address.")
    ctx.insert_unique(
        "todo_collaborators",
        {"project_id": project_id, "person_id": person["id"]},
        f"{project['name']!r} is already shared with {email}.",
        {"added_at": ctx.timestamp()},
    )
    return {"message": f"{project['name']!r} shared with {person['name']}."}


@app.api("DELETE", "/projects/{project_id}/collaborators", MESSAGE)
def remove_collaborator(ctx: CallContext, project_id: PROJECT_ID, email: EMAIL) -> dict[str, str]:
    """Stop sharing one of your projects with a person; their task assignments in it are cleared."""
    project = ctx.owned("todo_projects", project_id, "project")
    person = person_by_email(ctx, email)
    ctx.delete_existing(
        "todo_collaborators",
        {"project_id": project_id, "person_id": person["id"]},
        f"{project['name']!r} is not shared with {email}.",
    )
    _unassign(ctx, project_id, person["id"])
    return {"message": f"{person['name']} removed from {project['name']!r}."}


def _unassign(ctx: CallContext, project_id: int, person_id: int) -> None:
    for r in ctx.rows("SELECT id FROM todo_tasks WHERE project_id = ? AND assignee_id = ?", project_id, person_id):
        ctx.execute("UPDATE todo_tasks SET assignee_id = NULL WHERE id = ?", r["id"])


@app.api(
    "GET",
    "/projects/{project_id}/collaborators",
    [{"name": "string", "email": "string", "role": "string", "added_at": "string"}],
    paginated=True,
)
def show_collaborators(ctx: CallContext, project_id: PROJECT_ID) -> list[dict[str, Any]]:
    """List the people of a project (yours or shared with you): its owner first, then the collaborators."""
    project = usable_project(ctx, project_id)
    owner = ctx.existing_row(
        "SELECT first_name || ' ' || last_name AS name, email, 'owner' AS role, ? AS added_at FROM people WHERE id = ?",
        project["created_at"],
        project["owner_id"],
    )
    return [owner] + ctx.rows(
        "SELECT p.first_name || ' ' || p.last_name AS name, p.email, 'collaborator' AS role, c.added_at "
        "FROM todo_collaborators c JOIN people p ON p.id = c.person_id WHERE c.project_id = ? ORDER BY c.id",
        project_id,
    )


@app.api(
    "GET",
    "/projects/shared",
    [{"project_id": 1, "name": "string", "owner": {"name": "string", "email": "string"}, "open_tasks": 1}],
    paginated=True,
)
def show_shared_projects(ctx: CallContext) -> list[dict[str, Any]]:
    """List the projects other people shared with you."""
    rows = ctx.rows(
        "SELECT p.id AS project_id, p.name, o.first_name || ' ' || o.last_name AS owner_name, o.email AS owner_email, "
        "(SELECT COUNT(*) FROM todo_tasks t WHERE t.project_id = p.id AND t.completed = 0) AS open_tasks "
        "FROM todo_collaborators c JOIN todo_projects p ON p.id = c.project_id JOIN people o ON o.id = p.owner_id "
        "WHERE c.person_id = ? ORDER BY p.id",
        ctx.caller,
    )
    return [
        {
            "project_id": r["project_id"],
            "name": r["name"],
            "owner": {"name": r["owner_name"], "email": r["owner_email"]},
            "open_tasks": r["open_tasks"],
        }
        for r in rows
    ]


@app.api("DELETE", "/projects/shared/{project_id}", MESSAGE)
def leave_project(ctx: CallContext, project_id: PROJECT_ID) -> dict[str, str]:
    """Leave a project someone shared with you; tasks assigned to you there are unassigned."""
    ctx.delete_existing(
        "todo_collaborators",
        {"project_id": project_id, "person_id": ctx.caller},
        f"No project with id {project_id} is shared with you.",
    )
    _unassign(ctx, project_id, ctx.caller)
    return {"message": "You left the project."}


@app.api("POST", "/tasks/{task_id}/assign", MESSAGE)
def assign_task(
    ctx: CallContext,
    task_id: TASK_ID,
    email: Annotated[
        str | None,
        P("The assignee: the project's owner or a collaborator; null unassigns.", min_length=3, max_length=200),
    ] = None,
) -> dict[str, str]:
    """Assign a task of a shared project to one of its people (or unassign it)."""
    task = visible_task(ctx, task_id)
    if email is None:
        ctx.execute("UPDATE todo_tasks SET assignee_id = NULL WHERE id = ?", task_id)
        return {"message": "Task unassigned."}
    person = person_by_email(ctx, email)
    member = person["id"] == task["owner_id"] or ctx.value(
        "SELECT 1 FROM todo_collaborators WHERE project_id = ? AND person_id = ?", task["project_id"], person["id"]
    )
    if not member:
        raise ApiError(
            422, f"Invalid argument 'email': {email} is not in project {task['project_name']!r} (share it first)."
        )
    ctx.execute("UPDATE todo_tasks SET assignee_id = ? WHERE id = ?", person["id"], task_id)
    return {"message": f"Task assigned to {person['name']}."}


@app.api("GET", "/tasks/assigned", [TASK], paginated=True)
def show_assigned_tasks(
    ctx: CallContext,
    completed: Annotated[bool | None, P("Only completed (true) or open (false) tasks.")] = False,
) -> Page:
    """List the tasks assigned to you, in your projects and in projects shared with you, by due date."""
    return tasks_page(
        ctx,
        "t.assignee_id = ? AND (? IS NULL OR t.completed = ?)",
        ctx.caller,
        None if completed is None else int(completed),
        None if completed is None else int(completed),
    )
