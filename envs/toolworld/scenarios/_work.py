"""What the work_* scenarios (productivity around the todo app) share: the frozen clock's dates and the
full column set of a task row, so a grader pins every column an agent decides."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from envs.toolworld.evaluate import Inserted
from envs.toolworld.tasks import WorldView
from envs.toolworld.world.build import WORLD_NOW

DONE = "apis.supervisor.complete_task()\n"
NOW = WORLD_NOW.isoformat(timespec="seconds")
TODAY = WORLD_NOW.date().isoformat()
PLAIN_NOTE = {"pinned": 0, "notebook_id": None, "color": "none", "reminder_at": None, "trashed_at": None}
# In a query on todo_tasks t: the text of t's latest comment (NULL without comments), latest as show_task_comments
# orders them (by id); LAST_COMMENT is that as a column `last`
LATEST_COMMENT = "(SELECT c.text FROM todo_comments c WHERE c.task_id = t.id ORDER BY c.id DESC LIMIT 1)"
LAST_COMMENT = f"{LATEST_COMMENT} AS last"
WAITING = "Waiting for a reply."  # a to-do's latest comment saying it waits on someone: tasks treat it apart
# latest comments saying a to-do waits on someone (I already wait on its person): such to-dos are left alone
HELD = (WAITING, "Blocked until we hear back.")


def day(offset: int) -> str:
    """The date `offset` days from today (the world's frozen clock)."""
    return (WORLD_NOW.date() + timedelta(days=offset)).isoformat()


def labels_with(stored: str, *added: str, removed: tuple[str, ...] = ()) -> str:
    """The stored form (sorted, comma-joined) of a task's labels after adding and removing some."""
    return ",".join(sorted((set(filter(None, stored.split(","))) | set(added)) - set(removed)))


def project_rows(view: WorldView, owner_id: int, name: str) -> dict[str, Any]:
    return view.row("SELECT * FROM todo_projects WHERE owner_id = ? AND name = ?", owner_id, name)


def reminded_tomorrow(tasks: list[dict[str, Any]], owner: int, hour: str) -> list[Inserted]:
    """Each overdue to-do of `tasks` gets a reminder of `owner`'s tomorrow at `hour` ('09:00')."""
    return [
        Inserted(
            "todo_reminders",
            {"task_id": t["id"], "owner_id": owner, "remind_at": f"{day(1)}T{hour}:00"},
            f"the overdue '{t['title']}' reminds me tomorrow at {hour}",
            what="reminders",
        )
        for t in tasks
    ]
