"""Row shapes and world lookups the money and shopping scenarios share (money_*.py).

Each `*_row` function is the full column match of a row an agent creates through one API with only the
arguments the instruction asks for: a grader pinning every column catches any extra the agent invents."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from envs.toolworld.apps.bill_splitting import equal_shares
from envs.toolworld.evaluate import Expectation, Inserted, Matcher, NewRow
from envs.toolworld.scenarios._common import full_name
from envs.toolworld.tasks import WorldView
from envs.toolworld.world.build import WORLD_NOW

TODAY = WORLD_NOW.date().isoformat()


def todo_task_row(owner: int, project_id: int, title: str, due_date: str | None, priority: int = 4) -> dict[str, Any]:
    """A new top-level to-do with no labels, description, section or repetition."""
    return {
        "owner_id": owner,
        "project_id": project_id,
        "title": title,
        "due_date": due_date,
        "priority": priority,
        "labels": "",
        "completed": 0,
        "completed_at": None,
        "description": "",
        "section_id": None,
        "parent_id": None,
        "recurrence": None,
        "assignee_id": None,
    }


def all_day_event_row(calendar_id: int, organizer: int, title: str, day: str, busy: bool = False) -> dict[str, Any]:
    """A new one-day, non-repeating all-day event with no description or location."""
    start = date.fromisoformat(day)
    return {
        "calendar_id": calendar_id,
        "organizer_id": organizer,
        "title": title,
        "description": "",
        "location": "",
        "start": f"{start.isoformat()}T00:00:00",
        "end": f"{(start + timedelta(days=1)).isoformat()}T00:00:00",
        "all_day": 1,
        "recurrence": "none",
        "recurrence_until": None,
        "status": "confirmed",
        "busy": int(busy),
    }


def note_row(
    owner: int, title: str, content: Matcher | str, notebook_id: int | Matcher | None = None
) -> dict[str, Any]:
    """A new plain note: untagged, unpinned, uncolored, without reminder, not trashed."""
    return {
        "owner_id": owner,
        "title": title,
        "content": content,
        "tags": "",
        "pinned": 0,
        "notebook_id": notebook_id,
        "color": "none",
        "reminder_at": None,
        "trashed_at": None,
    }


def primary_calendar(view: WorldView, owner: int) -> int:
    return int(view.value("SELECT id FROM calendar_calendars WHERE owner_id = ? AND is_primary = 1", owner))


def project_id(view: WorldView, owner: int, name: str) -> int:
    return int(view.value("SELECT id FROM todo_projects WHERE owner_id = ? AND name = ?", owner, name))


def money(amount: float) -> str:
    return f"${amount:.2f}"


def added_equal_expense(
    view: WorldView, group_id: int, payer: int, description: str, amount: float, category: str, notes: str = ""
) -> list[Expectation]:
    """The expense `payer` adds to a group, split equally among all its members: the expense with every column the
    agent decides, and each member's share tied to that new expense."""
    members = [
        r["person_id"]
        for r in view.rows(
            "SELECT person_id FROM bill_splitting_members WHERE group_id = ? ORDER BY person_id", group_id
        )
    ]
    match: dict[str, Any] = {"group_id": group_id, "description": description, "amount": amount}
    expense = Inserted(
        "bill_splitting_expenses",
        {
            **match,
            "category": category,
            "paid_by": payer,
            "created_by": payer,
            "notes": notes,
            "split_type": "equal",
            "recurring_id": None,
        },
        f"a {money(amount)} '{description}' expense ({category}) paid by me, split equally"
        + (f", noted '{notes}'" if notes else ""),
        what="expenses",
    )
    return [
        expense,
        *(
            Inserted(
                "bill_splitting_shares",
                {"expense_id": NewRow("bill_splitting_expenses", match), "person_id": person, "amount": share},
                f"{full_name(view, person)}'s share of '{description}' is {money(share)}",
                what="shares",
            )
            for person, share in equal_shares(amount, members).items()
        ),
    ]
