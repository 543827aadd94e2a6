"""Pieces the cross-app life-admin scenarios (life_*.py) share: bill files, finishing, lookups."""

from __future__ import annotations

import random
from typing import Any

from envs.toolworld.tasks import VariantRandom, WorldView
from envs.toolworld.world.build import WORLD_NOW

NOW = WORLD_NOW.isoformat(timespec="seconds")
TODAY = WORLD_NOW.date().isoformat()
BILLS = "/documents/bills"
NEW_TASK: dict[str, Any] = {"completed": 0, "completed_at": None, "section_id": None, "parent_id": None}
NEW_TASK |= {"recurrence": None, "assignee_id": None, "labels": ""}
PLAIN_NOTE = {"pinned": 0, "notebook_id": None, "color": "none", "reminder_at": None, "trashed_at": None, "tags": ""}

# Oracle code: a bill file's text ('Gas bill\nPeriod: 2026-04\nAmount due: $68.43\nDue date: ...\nStatus: unpaid')
# as a dict with kind, period, amount, due and status.
PARSE_BILL = """\
def parse_bill(path, text):
    fields = dict(line.split(': ', 1) for line in text.splitlines()[1:] if ': ' in line)
    return {'path': path, 'kind': path.rsplit('/', 1)[1].split('_')[0], 'period': fields['Period'],
            'amount': float(fields['Amount due'].lstrip('$')), 'due': fields['Due date'], 'status': fields['Status']}
"""


def bills(view: WorldView, owner: int, where: str = "", *args: Any) -> list[dict[str, Any]]:
    """The owner's bill files, parsed like PARSE_BILL does, oldest period first."""
    rows = view.rows(
        "SELECT id, path, content, starred FROM file_system_files "
        f"WHERE owner_id = ? AND path LIKE '{BILLS}/%' {where} ORDER BY path",
        owner,
        *args,
    )
    out = []
    for row in rows:
        fields = dict(line.split(": ", 1) for line in row["content"].splitlines()[1:] if ": " in line)
        kind = row["path"].rsplit("/", 1)[1].split("_")[0]
        amount = float(fields["Amount due"].lstrip("$"))
        out.append({**row, "kind": kind, "period": fields["Period"], "amount": amount, "due": fields["Due date"]})
        out[-1]["status"] = fields["Status"]
    return out


def project_of(view: WorldView, owner: int, name: str) -> dict[str, Any] | None:
    """The owner's one unarchived todo project called `name` (None when there is none or several)."""
    found = view.rows("SELECT * FROM todo_projects WHERE owner_id = ? AND name = ? AND archived = 0", owner, name)
    return found[0] if len(found) == 1 else None


def done(answer: str = "") -> str:
    """Oracle code finishing the task, with `answer` (an expression) when the task asks a question."""
    return f"apis.supervisor.complete_task(answer={answer})\n" if answer else "apis.supervisor.complete_task()\n"


def variant_of(rng: random.Random) -> int:
    """The variant number, for conditional templates whose variants must show both outcomes."""
    return rng.variant if isinstance(rng, VariantRandom) else 0
