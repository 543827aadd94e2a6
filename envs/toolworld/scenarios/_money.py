"""Row shapes and world lookups the money and shopping scenarios share (money_*.py).

Each `*_row` function is the full column match of a row an agent creates through one API with only the
arguments the instruction asks for: a grader pinning every column catches any extra the agent invents."""

from __future__ import annotations

from typing import Any

from envs.toolworld.apps.bill_splitting import equal_shares
from envs.toolworld.evaluate import Expectation, Inserted, NewRow
from envs.toolworld.scenarios._common import full_name
from envs.toolworld.tasks import WorldView
from envs.toolworld.world.build import WORLD_NOW

TODAY = WORLD_NOW.date().isoformat()


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
