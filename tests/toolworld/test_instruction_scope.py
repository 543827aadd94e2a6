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


def test_meeting_reminders_leave_cancelled_meetings_out() -> None:
    """Variant 10's week holds a cancelled one-off 'Hiring committee' with a place and two accepted guests; the
    graders count confirmed meetings only, so the instruction must say cancelled ones are out."""
    task = load_task("contacts_text_meeting_attendees_10")
    view = world_view(0)
    week = task.spec.instruction.split("week from ")[1][:10]
    cancelled = view.rows(
        "SELECT e.id FROM calendar_events e WHERE e.organizer_id = ? AND e.status = 'cancelled' "
        "AND e.recurrence = 'none' AND e.location != '' AND e.start >= ? AND e.start < date(?, '+7 days') "
        "AND EXISTS (SELECT 1 FROM calendar_attendees a WHERE a.event_id = e.id AND a.response = 'accepted')",
        task.spec.supervisor_id,
        week,
        week,
    )
    assert cancelled  # the case the wording has to settle
    assert "cancelled" in task.spec.instruction


def test_dinner_requests_count_each_event_on_a_shared_day() -> None:
    """Variant 2's 2026-02-11 holds two overlapping 'Drinks with Emil' events, and the graders ask Emil twice (one
    request per event); read as one evening entered twice, an agent asked once and answered $18.25 short, so the
    instruction must say each event counts."""
    task = load_task("calendar_dinner_requests_2")
    twice = [e.requirement for e in task.spec.expectations if e.requirement.endswith("(2 evenings)")]
    assert twice  # the case the wording has to settle
    assert "each calendar event counts as one evening" in task.spec.instruction
