"""The full column sets of rows an agent creates through one API call, as the API stores them by default.

A grader that pins every column of a new row catches any extra the agent invents, so each
scenario states only the columns its instruction decides and takes the rest from here; one
place per table means a change of an API's defaults is one change here.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from envs.toolworld.evaluate import NewRow

TASK_DEFAULTS: dict[str, Any] = {
    "due_date": None,
    "priority": 4,
    "labels": "",
    "completed": 0,
    "completed_at": None,
    "description": "",
    "section_id": None,
    "parent_id": None,
    "recurrence": None,
    "assignee_id": None,
}
NOTE_DEFAULTS: dict[str, Any] = {
    "tags": "",
    "pinned": 0,
    "notebook_id": None,
    "color": "none",
    "reminder_at": None,
    "trashed_at": None,
}
EVENT_DEFAULTS: dict[str, Any] = {
    "description": "",
    "location": "",
    "all_day": 0,
    "recurrence": "none",
    "recurrence_until": None,
    "status": "confirmed",
    "busy": 1,
}
FILE_DEFAULTS: dict[str, Any] = {"starred": 0}


STAMPS = ("created_at", "updated_at")  # set by the API at the world's clock: a grader may pin them


def _row(table: str, decided: dict[str, Any], defaults: dict[str, Any], columns: dict[str, Any]) -> dict[str, Any]:
    unknown = set(columns) - set(defaults) - set(STAMPS)
    if unknown:
        raise ValueError(f"{table} has no defaulted columns {sorted(unknown)}")
    return {**decided, **defaults, **columns}


def new_task(owner: int, project: Any, title: str, **columns: Any) -> dict[str, Any]:
    """A to-do created through todo.create_task."""
    return _row("todo_tasks", {"owner_id": owner, "project_id": project, "title": title}, TASK_DEFAULTS, columns)


def reminder_on_new_task(owner: int, title: str, remind_at: str) -> dict[str, Any]:
    """A reminder (todo.add_reminder) at `remind_at` ('YYYY-MM-DDTHH:MM') on the to-do titled `title` that the
    episode created: its id is not known before, so it is matched as the new to-do's."""
    task = NewRow("todo_tasks", {"owner_id": owner, "title": title})
    return {"task_id": task, "owner_id": owner, "remind_at": f"{remind_at}:00"}


def new_note(owner: int, title: str, content: Any, **columns: Any) -> dict[str, Any]:
    """A note created through notes.create_note."""
    return _row("notes_notes", {"owner_id": owner, "title": title, "content": content}, NOTE_DEFAULTS, columns)


def new_event(organizer: int, calendar: Any, title: str, start: str, end: str, **columns: Any) -> dict[str, Any]:
    """A calendar event created through calendar.create_event."""
    decided = {"calendar_id": calendar, "organizer_id": organizer, "title": title, "start": start, "end": end}
    return _row("calendar_events", decided, EVENT_DEFAULTS, columns)


def new_all_day_event(organizer: int, calendar: Any, title: str, day: str, **columns: Any) -> dict[str, Any]:
    """A one-day all-day event: it runs from the day's midnight to the next."""
    first = date.fromisoformat(day)
    start, end = f"{first.isoformat()}T00:00:00", f"{(first + timedelta(days=1)).isoformat()}T00:00:00"
    return new_event(organizer, calendar, title, start, end, **{"all_day": 1, "busy": 0, **columns})


def new_file(owner: int, path: str, content: Any, **columns: Any) -> dict[str, Any]:
    """A file created through file_system.create_file."""
    return _row("file_system_files", {"owner_id": owner, "path": path, "content": content}, FILE_DEFAULTS, columns)
