"""Instructions state what their graders grade: a detail only the graders know makes a capable agent fail."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from envs.toolworld.evaluate import Answer, Inserted
from envs.toolworld.tasks import load_task, world_view


@pytest.mark.parametrize("variant", [0, 1, 2])
def test_meeting_notes_digest_asks_for_the_threads_it_counts(variant: int) -> None:
    """The answer counts threads, and months repeat across threads: asking for "meetings" lets an agent count months."""
    spec = load_task(f"mail_meeting_notes_digest_{variant}").spec
    year = re.search(r"digest (\d{4})", spec.instruction)
    assert year
    subjects = [
        r["subject"]
        for r in world_view(0).rows(
            "SELECT subject FROM email_threads WHERE owner_id = ? AND is_trashed = 0 AND is_spam = 0 "
            "AND subject LIKE 'Meeting notes %' AND substr(subject, -4) = ?",
            spec.supervisor_id,
            year.group(1),
        )
    ]
    answer = next(e for e in spec.expectations if isinstance(e, Answer))
    assert answer.expected == len(subjects) > len(Counter(subjects))  # a month with several threads, each counted
    question = spec.instruction.split("Tell me", 1)[1]
    assert "threads" in question and "meetings" not in question


@pytest.mark.parametrize("variant", [0, 1, 2])
def test_overdue_digest_says_a_shared_title_is_listed_per_task(variant: int) -> None:
    """The graded list holds a title once per task, and overdue tasks share titles: an agent listing each title once
    (a fair reading of "the titles") fails unless the instruction says one per task."""
    spec = load_task(f"mail_overdue_digest_{variant}").spec
    answer = next(e for e in spec.expectations if isinstance(e, Answer))
    assert len(answer.expected) > len(set(answer.expected))  # titles repeat in these variants
    question = spec.instruction.split("tell me", 1)[1]
    assert "one per task" in question


def test_checklist_note_states_the_tie_order_its_graders_check() -> None:
    """Items of one due date are graded by task id; in variant 1 that is not the order of the tasks' created_at, so
    an instruction saying "in the order the tasks were created" sends an agent to a wrong order."""
    spec = load_task("life_project_checklist_note_1").spec
    name = re.search(r"my open '(.+?)' todo", spec.instruction)
    assert name
    project = world_view(0).row(
        "SELECT id FROM todo_projects WHERE owner_id = ? AND name = ? AND archived = 0",
        spec.supervisor_id,
        name.group(1),
    )
    tasks = world_view(0).rows(
        "SELECT id, due_date, created_at FROM todo_tasks WHERE project_id = ? AND completed = 0 AND parent_id IS NULL",
        project["id"],
    )

    def day(t: dict) -> tuple:
        return (t["due_date"] is None, t["due_date"] or "")

    by_id = sorted(tasks, key=lambda t: (*day(t), t["id"]))
    assert by_id != sorted(tasks, key=lambda t: (*day(t), t["created_at"]))  # the two readings differ here
    assert "ties by task id" in spec.instruction and "order the tasks were created" not in spec.instruction


def test_meetings_followup_says_names_sort_by_first_name() -> None:
    """The graded descriptions list full names sorted as written, which in variant 0 is not by last name ('Cora
    Moreau, Kira Albright'): "in alphabetical order" alone lets an agent sort people by surname, as lists often do."""
    spec = load_task("life_meetings_followup_todo_0").spec
    described = [e.match["description"] for e in spec.expectations if isinstance(e, Inserted)]
    lists = [d.split(" with ", 1)[1].split(", ") for d in described if " with " in d]
    assert any(names != sorted(names, key=lambda n: n.split()[-1]) for names in lists)
    assert "by first name" in spec.instruction
