"""Instructions state what their graders check: each case is a detail a reviewer found graded but unsaid (or said
two ways), with the wording that now says it; the variants named are ones where the other reading fails."""

from __future__ import annotations

import pytest

from envs.toolworld.tasks import load_task

CASES = [
    # 'the most of them' came right after the texted coworkers: that reading answers wrong in 6 of 12 variants
    ("contacts_coworkers_by_company_note_0", "has the most coworkers in the note (all of them, texted or not)"),
    # create_event with only the listed time, calendar, place and guests drops the description (10 of 48 copies)
    ("calendar_repeat_last_meeting_1", "for as long, on the same calendar, with the same description"),
    # 'invitations you sent' could be the emails (one per copy); the answer counts the guests invited
    ("calendar_repeat_last_meeting_1", "calendar invitations the copies sent in all (one per guest of each copy"),
    # hours are graded as '2 hours' (11 of 12 variants have a whole number in a line); str(2.0) writes '2.0'
    ("calendar_hours_note_1", "whole hours without decimals, 10 not 10.0"),
    # the item lines are graded as '$12.50'; nothing said '$12.5' would fail
    ("money_notes_budget_alert_1", "household budget' (amounts with two decimals)"),
]


@pytest.mark.parametrize(("task_id", "wording"), CASES, ids=[f"{t}:{w[:24]}" for t, w in CASES])
def test_instruction_states_the_graded_detail(task_id: str, wording: str) -> None:
    assert wording in load_task(task_id).spec.instruction
