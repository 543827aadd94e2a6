"""The notes app: trash and restore, version history on every text change, sharing (view/edit), notebooks,
checklists, tags, pins and reminders, export; searches filtered in SQL; errors that name the problem."""

from __future__ import annotations

from statistics import median
from typing import Any

import pytest

from .apps_client import World

ME = 1


@pytest.fixture()
def world() -> World:
    return World()


def new_note(world: World, person: int = ME, **kwargs: Any) -> int:
    fields = {"title": "Packing list", "content": "Passport\nCharger", **kwargs}
    return world.ok(person, "notes", "create_note", **fields)["note_id"]


def related(world: World, person: int = ME) -> tuple[int, str]:
    other = world.value("SELECT other_id FROM relations WHERE person_id = ? ORDER BY id LIMIT 1", person)
    return other, world.value("SELECT email FROM people WHERE id = ?", other)


def test_trash_hides_a_note_until_restored_and_emptying_deletes_it_with_what_hangs_on_it(world: World) -> None:
    note = new_note(world, title="Zebra trip plan")
    world.ok(ME, "notes", "add_checklist_item", note_id=note, text="Tickets")
    world.ok(ME, "notes", "update_note", note_id=note, content="Passport")
    world.ok(ME, "notes", "move_note_to_trash", note_id=note)
    assert world.ok(ME, "notes", "search_notes", query="zebra") == []
    assert [n["note_id"] for n in world.ok(ME, "notes", "show_trash", query="zebra")] == [note]
    status, body = world.call(ME, "notes", "append_to_note", note_id=note, text="x")
    assert status == 409 and "trash" in body["message"]
    world.ok(ME, "notes", "restore_note", note_id=note)
    assert world.call(ME, "notes", "restore_note", note_id=note)[0] == 409
    assert [n["note_id"] for n in world.ok(ME, "notes", "search_notes", query="zebra")] == [note]
    world.ok(ME, "notes", "move_note_to_trash", note_id=note)
    trashed = world.value("SELECT COUNT(*) FROM notes_notes WHERE owner_id = ? AND trashed_at IS NOT NULL", ME)
    assert world.ok(ME, "notes", "empty_trash")["deleted"] == trashed
    for table in ("notes_versions", "notes_checklist_items"):
        assert world.value(f"SELECT COUNT(*) FROM {table} WHERE note_id = ?", note) == 0, table
    assert world.call(ME, "notes", "show_note", note_id=note)[0] == 404


def test_every_text_change_keeps_the_old_text_as_a_version_and_a_version_can_come_back(world: World) -> None:
    note = new_note(world)
    world.ok(ME, "notes", "update_note", note_id=note, pinned=True)  # no text change: no version
    assert world.ok(ME, "notes", "show_note_versions", note_id=note) == []
    world.ok(ME, "notes", "append_to_note", note_id=note, text="Rain jacket")
    world.ok(ME, "notes", "replace_text_in_note", note_id=note, find="Charger", replace_with="Adapter")
    versions = world.ok(ME, "notes", "show_note_versions", note_id=note)
    assert [v["content"] for v in versions] == ["Passport\nCharger\nRain jacket", "Passport\nCharger"]
    world.ok(ME, "notes", "restore_note_version", version_id=versions[-1]["version_id"])
    assert world.ok(ME, "notes", "show_note", note_id=note)["content"] == "Passport\nCharger"
    assert world.ok(ME, "notes", "show_note_versions", note_id=note)[0]["content"] == "Passport\nAdapter\nRain jacket"
    assert world.call(ME, "notes", "restore_note_version", version_id=versions[-1]["version_id"])[0] == 409
    status, body = world.call(ME, "notes", "replace_text_in_note", note_id=note, find="Kayak", replace_with="")
    assert status == 404 and "Kayak" in body["message"]
    other_version = world.value("SELECT id FROM notes_versions WHERE owner_id != ? LIMIT 1", ME)
    assert world.call(ME, "notes", "show_note_version", version_id=other_version)[0] == 404
    world.ok(ME, "notes", "delete_note_version", version_id=versions[0]["version_id"])
    assert world.value("SELECT COUNT(*) FROM notes_versions WHERE id = ?", versions[0]["version_id"]) == 0


def test_sharing_lets_the_other_read_and_with_edit_permission_append(world: World) -> None:
    other, email = related(world)
    note = new_note(world, title="Shared groceries")
    assert world.call(ME, "notes", "share_note", note_id=note, email="nobody@nowhere.org")[0] == 404
    my_email = world.value("SELECT email FROM people WHERE id = ?", ME)
    assert world.call(ME, "notes", "share_note", note_id=note, email=my_email)[0] == 422
    world.ok(ME, "notes", "share_note", note_id=note, email=email)
    assert world.call(ME, "notes", "share_note", note_id=note, email=email)[0] == 409
    mine = world.ok(other, "notes", "show_shared_notes", query="shared groceries")
    assert [(n["note_id"], n["owner_email"], n["permission"]) for n in mine] == [(note, my_email, "view")]
    assert world.call(other, "notes", "append_to_shared_note", note_id=note, text="Milk")[0] == 403
    assert world.call(other, "notes", "update_note", note_id=note, title="Mine")[0] == 404
    world.ok(ME, "notes", "share_note", note_id=note, email=email, permission="edit")
    world.ok(other, "notes", "append_to_shared_note", note_id=note, text="Milk")
    assert world.ok(ME, "notes", "show_note", note_id=note)["content"].endswith("\nMilk")
    assert world.value("SELECT owner_id FROM notes_versions WHERE note_id = ?", note) == ME
    assert [s["email"] for s in world.ok(ME, "notes", "show_note_shares", note_id=note)] == [email]
    world.ok(ME, "notes", "unshare_note", note_id=note, email=email)
    assert world.call(other, "notes", "show_shared_note", note_id=note)[0] == 404


def test_notebooks_hold_notes_and_deleting_one_keeps_or_trashes_them(world: World) -> None:
    book = world.ok(ME, "notes", "create_notebook", name="Trips")["notebook_id"]
    assert world.call(ME, "notes", "create_notebook", name="Trips")[0] == 409
    kept, trashed = new_note(world), new_note(world, notebook_id=book)
    world.ok(ME, "notes", "move_note_to_notebook", note_id=kept, notebook_id=book)
    assert world.call(ME, "notes", "move_note_to_notebook", note_id=kept, notebook_id=book)[0] == 409
    assert {n["note_id"] for n in world.ok(ME, "notes", "search_notes", notebook_id=book)} == {kept, trashed}
    assert world.ok(ME, "notes", "show_notebooks", query="trips")[0]["notes"] == 2
    world.ok(ME, "notes", "move_note_to_notebook", note_id=kept, notebook_id=0)
    assert world.ok(ME, "notes", "delete_notebook", notebook_id=book, trash_notes=True)["notes_trashed"] == 1
    assert world.value("SELECT trashed_at IS NOT NULL FROM notes_notes WHERE id = ?", trashed) == 1
    assert world.value("SELECT notebook_id FROM notes_notes WHERE id = ?", trashed) is None
    other_book = world.value("SELECT id FROM notes_notebooks WHERE owner_id != ? LIMIT 1", ME)
    assert world.call(ME, "notes", "create_note", title="x", notebook_id=other_book)[0] == 404


def test_checklist_items_are_checked_listed_and_cleared(world: World) -> None:
    note = new_note(world, content="")
    ids = [
        world.ok(ME, "notes", "add_checklist_item", note_id=note, text=t)["item_id"] for t in ("eggs", "rice", "tea")
    ]
    world.ok(ME, "notes", "update_checklist_item", item_id=ids[1], checked=True)
    assert [i["text"] for i in world.ok(ME, "notes", "show_checklist", note_id=note, checked=False)] == ["eggs", "tea"]
    assert world.ok(ME, "notes", "show_note", note_id=note)["checklist_items"] == 3
    exported = world.ok(ME, "notes", "export_note", note_id=note, format="markdown")["text"]
    assert exported.splitlines() == ["# Packing list", "- [ ] eggs", "- [x] rice", "- [ ] tea"]
    assert world.ok(ME, "notes", "clear_checked_items", note_id=note)["deleted"] == 1
    assert world.call(ME, "notes", "update_checklist_item", item_id=ids[0])[0] == 422
    other, _ = related(world)
    assert world.call(other, "notes", "delete_checklist_item", item_id=ids[0])[0] == 404
    world.ok(ME, "notes", "delete_checklist_item", item_id=ids[0])
    assert [i["text"] for i in world.ok(ME, "notes", "show_checklist", note_id=note)] == ["tea"]


def test_tags_are_renamed_and_deleted_on_every_note(world: World) -> None:
    first, second = new_note(world, tags=["trip", "later"]), new_note(world, tags=["trip"])
    assert world.call(ME, "notes", "create_note", title="x", tags=["Bad Tag"])[0] == 422
    assert world.ok(ME, "notes", "rename_tag", tag="trip", new_tag="voyage")["notes"] == 2
    assert world.ok(ME, "notes", "show_note", note_id=first)["tags"] == ["later", "voyage"]
    assert world.ok(ME, "notes", "delete_tag", tag="voyage")["notes"] == 2
    assert world.ok(ME, "notes", "show_note", note_id=second)["tags"] == []
    status, body = world.call(ME, "notes", "delete_tag", tag="voyage")
    assert status == 404 and "voyage" in body["message"]
    tags = world.ok(ME, "notes", "show_tags", sort_by="-notes")
    assert [t["notes"] for t in tags] == sorted((t["notes"] for t in tags), reverse=True)


def test_pins_and_reminders(world: World) -> None:
    note = new_note(world)
    world.ok(ME, "notes", "pin_note", note_id=note)
    assert world.call(ME, "notes", "pin_note", note_id=note)[0] == 409
    assert note in [n["note_id"] for n in world.all_pages(ME, "notes", "search_notes", pinned=True)]
    world.ok(ME, "notes", "set_note_reminder", note_id=note, remind_at="2026-05-20T09:00:00")
    due = world.ok(ME, "notes", "show_reminders", due_after="2026-05-20", due_before="2026-05-21", page_limit=20)
    assert note in [n["note_id"] for n in due] and all("2026-05-20" <= n["reminder_at"] < "2026-05-21" for n in due)
    world.ok(ME, "notes", "clear_note_reminder", note_id=note)
    assert world.call(ME, "notes", "clear_note_reminder", note_id=note)[0] == 404


NOT_YOURS = [
    ("show_note", {}),
    ("update_note", {"title": "Mine"}),
    ("delete_note", {}),
    ("move_note_to_trash", {}),
    ("pin_note", {}),
    ("show_note_versions", {}),
    ("share_note", {"email": "ada.abara@mailbox.com"}),
    ("show_checklist", {}),
    ("add_checklist_item", {"text": "x"}),
    ("export_note", {}),
    ("set_note_reminder", {"remind_at": "2026-06-01"}),
    ("move_note_to_notebook", {"notebook_id": 0}),
]


@pytest.mark.parametrize(("api", "kwargs"), NOT_YOURS, ids=[a for a, _ in NOT_YOURS])
def test_another_users_note_is_not_found_and_nothing_changes(world: World, api: str, kwargs: dict[str, Any]) -> None:
    note = world.value("SELECT id FROM notes_notes WHERE owner_id != ? AND trashed_at IS NULL LIMIT 1", ME)
    status, body = world.call(ME, "notes", api, note_id=note, **kwargs)
    assert status == 404 and f"No note with id {note}" in body["message"]
    assert world.changes() == []


def test_search_filters_by_dates_color_and_tag_in_the_database(world: World) -> None:
    found = world.all_pages(
        ME, "notes", "search_notes", created_after="2025-01-01", created_before="2026-01-01", sort_by="created_at"
    )
    assert found and all("2025-01-01" <= n["created_at"] < "2026-01-01" for n in found)
    assert [n["created_at"] for n in found] == sorted(n["created_at"] for n in found)
    assert len(found) == world.value(
        "SELECT COUNT(*) FROM notes_notes WHERE owner_id = ? AND trashed_at IS NULL AND created_at >= '2025-01-01' "
        "AND created_at < '2026-01-01'",
        ME,
    )
    tag = found[0]["tags"][0]
    assert all(tag in n["tags"] and not n["in_trash"] for n in world.all_pages(ME, "notes", "search_notes", tag=tag))
    red = world.ok(ME, "notes", "create_note", title="Red note", color="red")["note_id"]
    assert red in [n["note_id"] for n in world.all_pages(ME, "notes", "search_notes", color="red")]


def test_settings_change_only_what_is_given(world: World) -> None:
    before = world.ok(ME, "notes", "show_notes_settings")
    world.ok(ME, "notes", "update_notes_settings", trash_retention_days=14)
    assert world.ok(ME, "notes", "show_notes_settings") == {**before, "trash_retention_days": 14}
    assert world.call(ME, "notes", "update_notes_settings")[0] == 422


def test_the_world_has_paging_lists_and_distractors(world: World) -> None:
    sizes = [r[0] for r in world.conn.execute("SELECT COUNT(*) FROM notes_notes GROUP BY owner_id")]
    assert len(sizes) == world.value("SELECT COUNT(*) FROM people") and median(sizes) > 40
    for sql in (
        "SELECT COUNT(*) FROM notes_notes WHERE trashed_at IS NOT NULL",
        "SELECT COUNT(DISTINCT note_id) FROM notes_versions",
        "SELECT COUNT(*) FROM notes_notes a JOIN notes_notes b ON a.owner_id = b.owner_id "
        "AND b.title = a.title || ' (old)'",  # 'Packing list' next to 'Packing list (old)'
        "SELECT COUNT(*) FROM notes_shares s JOIN notes_notes n ON n.id = s.note_id JOIN relations r "
        "ON r.person_id = n.owner_id AND r.other_id = s.person_id",
    ):
        assert world.value(sql) > 100, sql
