"""todo sections: named groups that order the tasks inside one project (e.g. "To buy", "Done soon")."""

from __future__ import annotations

from typing import Annotated, Any

from envs.toolworld.api import ApiError, CallContext, P
from envs.toolworld.apps._todo_base import MESSAGE, PROJECT_ID, SECTION_ID, app, delete_tasks, usable_project

NAME = Annotated[str, P("The section's name.", min_length=1, max_length=80)]


def _own_section(ctx: CallContext, section_id: int) -> dict[str, Any]:
    return ctx.owned("todo_sections", section_id, "section")


@app.api(
    "GET", "/projects/{project_id}/sections", [{"section_id": 1, "name": "string", "open_tasks": 1}], paginated=True
)
def show_sections(ctx: CallContext, project_id: PROJECT_ID) -> list[dict[str, Any]]:
    """List the sections of a project in their order, with how many open tasks each holds."""
    usable_project(ctx, project_id)
    return ctx.rows(
        "SELECT s.id AS section_id, s.name, (SELECT COUNT(*) FROM todo_tasks t WHERE t.section_id = s.id "
        "AND t.completed = 0) AS open_tasks FROM todo_sections s WHERE s.project_id = ? ORDER BY s.position, s.id",
        project_id,
    )


@app.api("POST", "/projects/{project_id}/sections", {"message": "string", "section_id": 1})
def create_section(
    ctx: CallContext,
    project_id: PROJECT_ID,
    name: NAME,
    position: Annotated[int | None, P("Where to put it, from 0 (first); by default last.", ge=0, le=1000)] = None,
) -> dict[str, Any]:
    """Add a section to one of your projects."""
    ctx.owned("todo_projects", project_id, "project")
    if ctx.value("SELECT 1 FROM todo_sections WHERE project_id = ? AND name = ?", project_id, name):
        raise ApiError(409, f"The project already has a section named {name!r}.")
    last = ctx.value("SELECT COALESCE(MAX(position) + 1, 0) FROM todo_sections WHERE project_id = ?", project_id)
    place = last if position is None else min(position, last)
    ctx.execute(
        "UPDATE todo_sections SET position = position + 1 WHERE project_id = ? AND position >= ?", project_id, place
    )
    new_id = ctx.execute(
        "INSERT INTO todo_sections (project_id, owner_id, name, position) VALUES (?,?,?,?)",
        project_id,
        ctx.caller,
        name,
        place,
    )
    return {"message": "Section created.", "section_id": new_id}


@app.api("PATCH", "/sections/{section_id}", MESSAGE)
def rename_section(ctx: CallContext, section_id: SECTION_ID, name: NAME) -> dict[str, str]:
    """Rename a section."""
    section = _own_section(ctx, section_id)
    if ctx.value(
        "SELECT 1 FROM todo_sections WHERE project_id = ? AND name = ? AND id != ?",
        section["project_id"],
        name,
        section_id,
    ):
        raise ApiError(409, f"The project already has a section named {name!r}.")
    ctx.update("todo_sections", section_id, {"name": name})
    return {"message": "Section renamed."}


@app.api("DELETE", "/sections/{section_id}", MESSAGE)
def delete_section(
    ctx: CallContext,
    section_id: SECTION_ID,
    delete_tasks_too: Annotated[
        bool, P("Also delete its tasks; by default they stay in the project, unsectioned.")
    ] = False,
) -> dict[str, str]:
    """Delete a section of one of your projects."""
    _own_section(ctx, section_id)
    task_ids = [r["id"] for r in ctx.rows("SELECT id FROM todo_tasks WHERE section_id = ?", section_id)]
    if delete_tasks_too:
        delete_tasks(ctx, task_ids)
    else:
        for task_id in task_ids:
            ctx.execute("UPDATE todo_tasks SET section_id = NULL WHERE id = ?", task_id)
    ctx.execute("DELETE FROM todo_sections WHERE id = ?", section_id)
    return {"message": "Section deleted."}
