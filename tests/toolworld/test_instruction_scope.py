"""What an agent reading only the instruction would count: the instruction names each kind of item its graders
count (CALENDAR_B templates, reviewed for wording the graders read differently)."""

from __future__ import annotations

from envs.toolworld.scenarios.calendar_conflicts import _double_booked
from envs.toolworld.tasks import load_task, world_view


def test_double_booked_answer_kinds_are_named() -> None:
    """The answer lists every overlap not handled (two invitations, two own events, a tentative one, ...), not only
    the clashes with my events no one joined, which the instruction's old parenthesis named as if they were all."""
    task = load_task("calendar_double_booked_tentative_0")
    others, _, alone = _double_booked(world_view(0), task.spec.supervisor_id)
    assert len(others) > len(alone)  # the narrow reading answers fewer days
    for kind in ("two invitations", "two events of mine", "already answered tentative", "invitation you changed"):
        assert kind in task.spec.instruction, kind
