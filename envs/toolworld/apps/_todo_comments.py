"""todo comments and reminders on tasks (yours, or of projects shared with you)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from envs.toolworld.api import ApiError, CallContext, P
from envs.toolworld.apps._day_args import DAY_RANGE, in_range
from envs.toolworld.apps._todo_base import MESSAGE, TASK_ID, app, visible_task

COMMENT_ID = Annotated[int, P("The comment's id.", ge=1)]
TEXT = Annotated[str, P("The comment.", min_length=1, max_length=1000)]
COMMENT = {"comment_id": 1, "author": {"name": "string", "email": "string"}, "text": "string", "created_at": "string"}


@app.api("GET", "/tasks/{task_id}/comments", [COMMENT], paginated=True)
def show_task_comments(ctx: CallContext, task_id: TASK_ID) -> list[dict[str, Any]]:
    """List the comments on a task, oldest first."""
    visible_task(ctx, task_id)
    rows = ctx.rows(
        "SELECT c.id, c.text, c.created_at, p.first_name || ' ' || p.last_name AS name, p.email FROM todo_comments c "
        "JOIN people p ON p.id = c.owner_id WHERE c.task_id = ? ORDER BY c.id",
        task_id,
    )
    return [
        {
            "comment_id": r["id"],
            "author": {"name": r["name"], "email": r["email"]},
            "text": r["text"],
            "created_at": r["created_at"],
        }
        for r in rows
    ]


@app.api("POST", "/tasks/{task_id}/comments", {"message": "string", "comment_id": 1})
def add_task_comment(ctx: CallContext, task_id: TASK_ID, text: TEXT) -> dict[str, Any]:
    """Comment on a task."""
    visible_task(ctx, task_id)
    new_id = ctx.execute(
        "INSERT INTO todo_comments (task_id, owner_id, text, created_at) VALUES (?,?,?,?)",
        task_id,
        ctx.caller,
        text,
        ctx.timestamp(),
    )
    return {"message": "Comment added.", "comment_id": new_id}


@app.api("PATCH", "/comments/{comment_id}", MESSAGE)
def update_task_comment(ctx: CallContext, comment_id: COMMENT_ID, text: TEXT) -> dict[str, str]:
    """Change the text of one of your comments."""
    ctx.owned("todo_comments", comment_id, "comment")
    ctx.update("todo_comments", comment_id, {"text": text})
    return {"message": "Comment updated."}


@app.api("DELETE", "/comments/{comment_id}", MESSAGE)
def delete_task_comment(ctx: CallContext, comment_id: COMMENT_ID) -> dict[str, str]:
    """Delete one of your comments."""
    ctx.owned("todo_comments", comment_id, "comment")
    ctx.execute("DELETE FROM todo_comments WHERE id = ?", comment_id)
    return {"message": "Comment deleted."}


REMINDER = {"reminder_id": 1, "task_id": 1, "task_title": "string", "remind_at": "string"}


@app.api("POST", "/tasks/{task_id}/reminders", {"message": "string", "reminder_id": 1})
def add_reminder(
    ctx: CallContext,
    task_id: TASK_ID,
    remind_at: Annotated[
        str, P(f"When to remind you, as YYYY-MM-DDTHH:MM, {DAY_RANGE}.", min_length=16, max_length=16)
    ],
) -> dict[str, Any]:
    """Set a reminder for a task at a date and time in the future."""
    visible_task(ctx, task_id)
    try:
        moment = datetime.strptime(remind_at, "%Y-%m-%dT%H:%M")
    except ValueError:
        raise ApiError(422, f"Invalid argument 'remind_at': {remind_at!r} is not YYYY-MM-DDTHH:MM.") from None
    in_range("remind_at", remind_at, moment)
    if moment <= ctx.now:
        raise ApiError(422, f"Invalid argument 'remind_at': {remind_at} is not in the future.")
    stored = moment.isoformat(timespec="seconds")
    new_id = ctx.insert_unique(
        "todo_reminders",
        {"task_id": task_id, "owner_id": ctx.caller, "remind_at": stored},
        f"Task {task_id} already has a reminder at {remind_at}.",
    )
    return {"message": "Reminder set.", "reminder_id": new_id}


@app.api("GET", "/reminders", [REMINDER], paginated=True)
def show_reminders(
    ctx: CallContext,
    task_id: Annotated[int | None, P("Only the reminders of this task.", ge=1)] = None,
    include_past: Annotated[bool, P("Also reminders whose time has passed.")] = False,
) -> list[dict[str, Any]]:
    """List your reminders, soonest first."""
    return ctx.rows(
        "SELECT r.id AS reminder_id, r.task_id, t.title AS task_title, r.remind_at FROM todo_reminders r "
        "JOIN todo_tasks t ON t.id = r.task_id WHERE r.owner_id = ? AND (? IS NULL OR r.task_id = ?) "
        "AND (? = 1 OR r.remind_at > ?) ORDER BY r.remind_at, r.id",
        ctx.caller,
        task_id,
        task_id,
        int(include_past),
        ctx.timestamp(),
    )


@app.api("DELETE", "/reminders/{reminder_id}", MESSAGE)
def delete_reminder(
    ctx: CallContext, reminder_id: Annotated[int, P("The reminder's id, from show_reminders.", ge=1)]
) -> dict[str, str]:
    """Delete one of your reminders."""
    ctx.owned("todo_reminders", reminder_id, "reminder")
    ctx.execute("DELETE FROM todo_reminders WHERE id = ?", reminder_id)
    return {"message": "Reminder deleted."}
