"""The todo app: views and filters agree with the data, archived projects leave the lists, repeating
tasks move on, labels and sections follow renames and deletions, shared projects give collaborators
only what they may do, and every error names the problem."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from envs.toolworld.apps.todo import next_due
from envs.toolworld.world.build import WORLD_NOW

from .apps_client import World

ME, OTHER = 1, 2
TODAY = WORLD_NOW.date().isoformat()


@pytest.fixture()
def world() -> World:
    return World()


def _open_task(world: World, owner: int = ME) -> int:
    return world.value(
        "SELECT t.id FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE t.owner_id = ? "
        "AND t.completed = 0 AND t.recurrence IS NULL AND t.parent_id IS NULL AND p.archived = 0 ORDER BY t.id",
        owner,
    )


def _project(world: World, owner: int = ME) -> int:
    return world.value("SELECT id FROM todo_projects WHERE owner_id = ? AND archived = 0 ORDER BY id", owner)


def _email(world: World, person: int) -> str:
    return world.value("SELECT email FROM people WHERE id = ?", person)


def test_lists_page_and_views_agree_with_the_tasks(world: World) -> None:
    everything = world.all_pages(ME, "todo", "search_tasks", include_archived=True)
    assert len(everything) == world.value("SELECT COUNT(*) FROM todo_tasks WHERE owner_id = ?", ME) > 20
    active = world.all_pages(ME, "todo", "search_tasks", completed=False)
    today = world.all_pages(ME, "todo", "show_today_tasks")
    assert {t["task_id"] for t in today} == {t["task_id"] for t in active if t["due_date"] and t["due_date"] <= TODAY}
    assert [t["priority"] for t in today] == sorted(t["priority"] for t in today)
    overdue = world.all_pages(ME, "todo", "show_overdue_tasks")
    assert {t["task_id"] for t in overdue} == {t["task_id"] for t in today if t["due_date"] < TODAY}
    until = (WORLD_NOW.date() + timedelta(days=10)).isoformat()
    upcoming = world.all_pages(ME, "todo", "show_upcoming_tasks", days=10)
    assert {t["task_id"] for t in upcoming} == {
        t["task_id"] for t in active if t["due_date"] and TODAY <= t["due_date"] < until
    }
    done = world.all_pages(ME, "todo", "show_completed_tasks", since="2026-01-01")
    assert done and all(t["completed"] and t["completed_at"] >= "2026-01-01" for t in done)
    assert [t["completed_at"] for t in done] == sorted((t["completed_at"] for t in done), reverse=True)


@pytest.mark.parametrize(
    ("kwargs", "keep"),
    [
        ({"priority": 1}, lambda t: t["priority"] == 1),
        ({"label": "urgent"}, lambda t: "urgent" in t["labels"]),
        ({"due_before": "2026-05-01"}, lambda t: t["due_date"] is not None and t["due_date"] < "2026-05-01"),
        ({"due_after": "2026-06-01"}, lambda t: t["due_date"] is not None and t["due_date"] >= "2026-06-01"),
        ({"query": "buy"}, lambda t: "buy" in t["title"].lower()),
    ],
)
def test_search_filters_match_the_full_list(world: World, kwargs: dict[str, Any], keep: Any) -> None:
    every = world.all_pages(ME, "todo", "search_tasks")
    found = world.all_pages(ME, "todo", "search_tasks", **kwargs)
    assert [t["task_id"] for t in found] == [t["task_id"] for t in every if keep(t)]


def test_archiving_a_project_takes_it_and_its_tasks_off_the_lists(world: World) -> None:
    project = _project(world)
    world.ok(ME, "todo", "archive_project", project_id=project)
    assert project not in [p["project_id"] for p in world.all_pages(ME, "todo", "show_projects")]
    assert project in [p["project_id"] for p in world.all_pages(ME, "todo", "show_projects", archived=True)]
    assert all(t["project"]["project_id"] != project for t in world.all_pages(ME, "todo", "search_tasks"))
    assert world.call(ME, "todo", "archive_project", project_id=project)[0] == 409
    world.ok(ME, "todo", "unarchive_project", project_id=project)
    assert world.value("SELECT archived FROM todo_projects WHERE id = ?", project) == 0


@pytest.mark.parametrize(
    ("due", "recurrence", "following"),
    [
        ("2026-05-31", "daily", "2026-06-01"),
        ("2026-05-31", "weekly", "2026-06-07"),
        ("2026-01-31", "monthly", "2026-02-28"),
        ("2026-12-15", "monthly", "2027-01-15"),
        ("2024-02-29", "yearly", "2025-02-28"),
    ],
)
def test_next_due_of_a_repeating_task(due: str, recurrence: str, following: str) -> None:
    assert next_due(due, recurrence) == following


def test_closing_a_repeating_task_moves_it_on_instead_of_completing_it(world: World) -> None:
    created = world.ok(
        ME, "todo", "create_task", project_id=_project(world), title="Water", due_date="2026-05-18", recurrence="weekly"
    )
    world.ok(ME, "todo", "close_task", task_id=created["task_id"])
    task = world.ok(ME, "todo", "show_task", task_id=created["task_id"])
    assert (task["completed"], task["due_date"]) == (False, "2026-05-25")
    status, body = world.call(ME, "todo", "create_task", project_id=_project(world), title="x", recurrence="daily")
    assert status == 422 and "due_date" in body["message"]


def test_subtasks_live_in_their_parents_project_and_go_with_it(world: World) -> None:
    parent = _open_task(world)
    project = world.value("SELECT project_id FROM todo_tasks WHERE id = ?", parent)
    sub = world.ok(ME, "todo", "create_task", project_id=project, title="Step one", parent_task_id=parent)["task_id"]
    assert sub in [t["task_id"] for t in world.all_pages(ME, "todo", "show_subtasks", task_id=parent)]
    comment = world.ok(ME, "todo", "add_task_comment", task_id=sub, text="note")["comment_id"]
    world.ok(ME, "todo", "add_reminder", task_id=sub, remind_at="2026-06-01T09:00")
    other = world.value("SELECT id FROM todo_projects WHERE owner_id = ? AND id != ?", ME, project)
    status, body = world.call(ME, "todo", "create_task", project_id=other, title="x", parent_task_id=parent)
    assert status == 422 and "parent" in body["message"]
    world.ok(ME, "todo", "delete_task", task_id=parent)
    assert world.value("SELECT COUNT(*) FROM todo_tasks WHERE id IN (?, ?)", parent, sub) == 0
    assert world.value("SELECT COUNT(*) FROM todo_comments WHERE id = ?", comment) == 0
    assert world.value("SELECT COUNT(*) FROM todo_reminders WHERE task_id = ?", sub) == 0


def test_renaming_or_deleting_a_label_updates_the_tasks_that_carry_it(world: World) -> None:
    carrying = world.value(
        "SELECT COUNT(*) FROM todo_tasks WHERE owner_id = ? AND instr(',' || labels || ',', ',quick,') > 0", ME
    )
    made = world.ok(ME, "todo", "create_filter", name="Quick ones", label="quick")["filter_id"]
    out = world.ok(ME, "todo", "update_label", name="quick", new_name="fast")
    assert out["tasks_updated"] == carrying > 0
    assert len(world.all_pages(ME, "todo", "search_tasks", label="fast", include_archived=True)) == carrying
    assert world.call(ME, "todo", "update_label", name="fast", new_name="urgent")[0] == 409
    assert [f["label"] for f in world.all_pages(ME, "todo", "show_filters") if f["filter_id"] == made] == ["fast"]
    world.ok(ME, "todo", "delete_label", name="fast")
    assert world.call(ME, "todo", "show_filter_tasks", filter_id=made)[0] == 404
    assert world.value("SELECT COUNT(*) FROM todo_tasks WHERE owner_id = ? AND labels LIKE '%fast%'", ME) == 0
    status, body = world.call(ME, "todo", "update_task", task_id=_open_task(world), labels=["fast"])
    assert status == 422 and "'fast'" in body["message"]
    world.ok(ME, "todo", "create_label", name="garden-work", color="green")
    assert world.call(ME, "todo", "create_label", name="garden-work")[0] == 409
    assert world.call(ME, "todo", "create_label", name="Bad Name")[0] == 422


def test_sections_keep_their_order_and_deleting_one_keeps_its_tasks(world: World) -> None:
    project = _project(world)
    before = world.all_pages(ME, "todo", "show_sections", project_id=project)
    first = world.ok(ME, "todo", "create_section", project_id=project, name="Top", position=0)["section_id"]
    world.ok(ME, "todo", "create_section", project_id=project, name="Bottom")
    names = [s["name"] for s in world.all_pages(ME, "todo", "show_sections", project_id=project)]
    assert names == ["Top", *(s["name"] for s in before), "Bottom"]
    assert world.call(ME, "todo", "create_section", project_id=project, name="Top")[0] == 409
    task = world.ok(ME, "todo", "create_task", project_id=project, title="In top", section_id=first)["task_id"]
    assert world.ok(ME, "todo", "show_task", task_id=task)["section"] == {"section_id": first, "name": "Top"}
    world.ok(ME, "todo", "delete_section", section_id=first)
    assert world.value("SELECT section_id FROM todo_tasks WHERE id = ?", task) is None
    status, body = world.call(ME, "todo", "update_task", task_id=task, section_id=first)
    assert status == 404 and "section" in body["message"]


def test_collaborators_can_see_close_comment_and_assign_but_not_edit(world: World) -> None:
    project = _project(world)
    task = world.value("SELECT id FROM todo_tasks WHERE project_id = ? AND completed = 0 ORDER BY id", project)
    assert world.call(OTHER, "todo", "show_task", task_id=task)[0] == 404
    world.ok(ME, "todo", "share_project", project_id=project, email=_email(world, OTHER))
    assert world.call(ME, "todo", "share_project", project_id=project, email=_email(world, OTHER))[0] == 409
    assert project in [p["project_id"] for p in world.all_pages(OTHER, "todo", "show_shared_projects")]
    people = world.all_pages(OTHER, "todo", "show_collaborators", project_id=project)
    assert [p["role"] for p in people][0] == "owner" and _email(world, OTHER) in [p["email"] for p in people]
    world.ok(OTHER, "todo", "add_task_comment", task_id=task, text="On it")
    world.ok(OTHER, "todo", "assign_task", task_id=task, email=_email(world, OTHER))
    assert task in [t["task_id"] for t in world.all_pages(OTHER, "todo", "show_assigned_tasks")]
    assert world.call(OTHER, "todo", "update_task", task_id=task, title="mine now")[0] == 404
    assert world.call(OTHER, "todo", "assign_task", task_id=task, email=_email(world, 3))[0] == 422
    world.ok(ME, "todo", "remove_collaborator", project_id=project, email=_email(world, OTHER))
    assert world.value("SELECT assignee_id FROM todo_tasks WHERE id = ?", task) is None
    assert world.call(OTHER, "todo", "close_task", task_id=task)[0] == 404
    assert world.call(OTHER, "todo", "leave_project", project_id=project)[0] == 404


def test_a_saved_filter_lists_the_open_tasks_meeting_all_its_conditions(world: World) -> None:
    made = world.ok(ME, "todo", "create_filter", name="P1 soon", priority=1, due_within_days=30)
    until = (WORLD_NOW.date() + timedelta(days=30)).isoformat()
    expected = [
        t["task_id"]
        for t in world.all_pages(ME, "todo", "search_tasks", completed=False, priority=1)
        if t["due_date"] and t["due_date"] <= until
    ]
    assert [
        t["task_id"] for t in world.all_pages(ME, "todo", "show_filter_tasks", filter_id=made["filter_id"])
    ] == expected
    assert world.call(ME, "todo", "create_filter", name="P1 soon", priority=2)[0] == 409
    assert world.call(ME, "todo", "create_filter", name="empty")[0] == 422
    world.ok(ME, "todo", "delete_filter", filter_id=made["filter_id"])
    assert world.call(ME, "todo", "show_filter_tasks", filter_id=made["filter_id"])[0] == 404


def test_reminders_must_be_in_the_future_and_are_listed_soonest_first(world: World) -> None:
    task = _open_task(world)
    assert world.call(ME, "todo", "add_reminder", task_id=task, remind_at="2026-05-01T09:00")[0] == 422
    assert world.call(ME, "todo", "add_reminder", task_id=task, remind_at="tomorrow 9am!")[0] == 422
    made = world.ok(ME, "todo", "add_reminder", task_id=task, remind_at="2026-05-19T08:00")["reminder_id"]
    listed = world.all_pages(ME, "todo", "show_reminders")
    assert listed[0]["reminder_id"] == made and [r["remind_at"] for r in listed] == sorted(
        r["remind_at"] for r in listed
    )
    world.ok(ME, "todo", "delete_reminder", reminder_id=made)
    assert world.call(OTHER, "todo", "delete_reminder", reminder_id=listed[1]["reminder_id"])[0] == 404


def test_closing_a_task_counts_towards_today_and_the_settings_change_the_goals(world: World) -> None:
    before = world.ok(ME, "todo", "show_productivity")
    world.ok(ME, "todo", "close_task", task_id=_open_task(world))
    world.ok(ME, "todo", "update_settings", daily_goal=42)
    after = world.ok(ME, "todo", "show_productivity")
    assert after["completed_today"] == before["completed_today"] + 1 and after["daily_goal"] == 42
    assert world.ok(ME, "todo", "show_settings")["daily_goal"] == 42
    assert after["last_7_days"][0] == {"date": TODAY, "completed": after["completed_today"]}


@pytest.mark.parametrize(
    ("api", "kwargs"),
    [
        ("show_task", {}),
        ("update_task", {"title": "x"}),
        ("delete_task", {}),
        ("close_task", {}),
        ("show_task_comments", {}),
        ("add_reminder", {"remind_at": "2026-06-01T09:00"}),
    ],
)
def test_another_persons_task_is_not_found(world: World, api: str, kwargs: dict[str, Any]) -> None:
    status, body = world.call(OTHER, "todo", api, task_id=_open_task(world), **kwargs)
    assert status == 404 and "No task" in body["message"]


@pytest.mark.parametrize(
    ("api", "kwargs", "status", "needle"),
    [
        ("update_project", {"project_id": 10**6, "name": "x"}, 404, "No project"),
        ("create_project", {"name": "Work", "color": "pink"}, 422, "'color'"),
        ("update_task", {"task_id": 1, "due_date": "2026-13-40"}, 422, "YYYY-MM-DD"),
        ("reopen_task", {"task_id": 10**6}, 404, "No task"),
        ("delete_task_comment", {"comment_id": 10**6}, 404, "No comment"),
        ("share_project", {"project_id": 1, "email": "nobody@nowhere.test"}, 404, "nobody"),
        ("delete_label", {"name": "no-such-label"}, 404, "no label"),
    ],
)
def test_errors_name_the_problem(world: World, api: str, kwargs: dict[str, Any], status: int, needle: str) -> None:
    got, body = world.call(ME, "todo", api, **kwargs)
    assert got == status and needle in body["message"], body


def test_duplicate_project_names_are_refused(world: World) -> None:
    name = world.value("SELECT name FROM todo_projects WHERE owner_id = ?", ME)
    assert world.call(ME, "todo", "create_project", name=name)[0] == 409
    made = world.ok(ME, "todo", "create_project", name="Brand new", is_favorite=True)["project_id"]
    assert made in [p["project_id"] for p in world.all_pages(ME, "todo", "show_projects", favorites_only=True)]
    assert world.call(ME, "todo", "update_project", project_id=made, name=name)[0] == 409
    assert date.fromisoformat(world.value("SELECT created_at FROM todo_projects WHERE id = ?", made)[:10])


def test_show_project_counts_its_tasks_and_lists_its_sections(world: World) -> None:
    project = world.value(
        "SELECT project_id FROM todo_sections s JOIN todo_projects p ON p.id = s.project_id WHERE p.owner_id = ?", ME
    )
    shown = world.ok(ME, "todo", "show_project", project_id=project)
    count = "SELECT COUNT(*) FROM todo_tasks WHERE project_id = ? AND completed = ?"
    assert (shown["open_tasks"], shown["completed_tasks"]) == (
        world.value(count, project, 0),
        world.value(count, project, 1),
    )
    assert [s["section_id"] for s in shown["sections"]] == [
        r[0]
        for r in world.conn.execute("SELECT id FROM todo_sections WHERE project_id = ? ORDER BY position", (project,))
    ]
    section = shown["sections"][0]["section_id"]
    world.ok(ME, "todo", "rename_section", section_id=section, name="Renamed")
    assert world.value("SELECT name FROM todo_sections WHERE id = ?", section) == "Renamed"
    if len(shown["sections"]) > 1:
        other = shown["sections"][1]["name"]
        assert world.call(ME, "todo", "rename_section", section_id=section, name=other)[0] == 409
    assert world.call(OTHER, "todo", "rename_section", section_id=section, name="x")[0] == 404
    assert world.call(OTHER, "todo", "show_project", project_id=project)[0] == 404


def test_only_the_author_edits_a_comment(world: World) -> None:
    task = _open_task(world)
    comment = world.ok(ME, "todo", "add_task_comment", task_id=task, text="first")["comment_id"]
    world.ok(ME, "todo", "update_task_comment", comment_id=comment, text="second")
    shown = world.all_pages(ME, "todo", "show_task_comments", task_id=task)
    assert shown[-1]["text"] == "second" and shown[-1]["author"]["email"] == _email(world, ME)
    assert world.call(OTHER, "todo", "update_task_comment", comment_id=comment, text="mine")[0] == 404


def test_a_collaborator_can_leave_and_assigned_tasks_are_listed(world: World) -> None:
    project = _project(world)
    world.ok(ME, "todo", "share_project", project_id=project, email=_email(world, OTHER))
    task = world.ok(OTHER, "todo", "create_task", project_id=project, title="Bring chairs")["task_id"]
    assert world.value("SELECT owner_id FROM todo_tasks WHERE id = ?", task) == ME
    world.ok(ME, "todo", "assign_task", task_id=task, email=_email(world, ME))
    assigned = world.all_pages(ME, "todo", "show_assigned_tasks")
    assert task in [t["task_id"] for t in assigned]
    assert len(assigned) == world.value("SELECT COUNT(*) FROM todo_tasks WHERE assignee_id = ? AND completed = 0", ME)
    world.ok(OTHER, "todo", "leave_project", project_id=project)
    assert project not in [p["project_id"] for p in world.all_pages(OTHER, "todo", "show_shared_projects")]
    assert world.call(OTHER, "todo", "create_task", project_id=project, title="x")[0] == 404
