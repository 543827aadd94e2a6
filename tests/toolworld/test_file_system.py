"""The file_system app: paths, moves that keep ids, copies, archives round-tripping, the trash, sharing,
stars and tags, search filters agreeing with the listing, text tools, clear errors; and traps in its scenarios."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from envs.toolworld.env import ToolWorldEnv
from envs.toolworld.world.build import WORLD_NOW

from .apps_client import World
from .conftest import play_oracle_without_completing

ME = 1


@pytest.fixture()
def world() -> World:
    return World()


def test_listing_is_per_directory_unless_recursive(world: World) -> None:
    top = world.all_pages(ME, "file_system", "show_directory", path="/")
    assert {e["path"] for e in top} >= {"/documents", "/downloads", "/photos", "/work"} and all(
        e["type"] == "directory" for e in top
    )
    everything = world.all_pages(ME, "file_system", "show_directory", path="/", recursive=True, entry_type="file")
    assert len(everything) == world.value("SELECT COUNT(*) FROM file_system_files WHERE owner_id = ?", ME)
    usage = world.ok(ME, "file_system", "show_disk_usage", path="/")
    assert usage["files"] == len(everything) and usage["total_size"] == sum(e["size"] for e in everything)


def test_move_keeps_the_row_and_copy_makes_a_new_one(world: World) -> None:
    source = world.all_pages(ME, "file_system", "search_files", query="report", directory="/work", extension="txt")[0][
        "path"
    ]
    file_id = world.value("SELECT id FROM file_system_files WHERE owner_id = ? AND path = ?", ME, source)
    moved = world.ok(ME, "file_system", "move_file", source=source, destination="/downloads")["path"]
    assert moved == "/downloads/report.txt"
    assert world.value("SELECT id FROM file_system_files WHERE owner_id = ? AND path = ?", ME, moved) == file_id
    copy = world.ok(ME, "file_system", "copy_file", source=moved, destination="/documents/copy.txt")["path"]
    assert (
        world.ok(ME, "file_system", "show_file", path=copy)["content"]
        == world.ok(ME, "file_system", "show_file", path=moved)["content"]
    )
    kinds = sorted(c.kind for c in world.changes())
    assert kinds == ["insert", "update"]


def test_directory_move_carries_its_tree_and_refuses_to_enter_itself(world: World) -> None:
    before = world.all_pages(ME, "file_system", "show_directory", path="/photos", recursive=True)
    world.ok(ME, "file_system", "move_directory", source="/photos", destination="/archive_photos")
    after = world.all_pages(ME, "file_system", "show_directory", path="/archive_photos", recursive=True)
    assert [e["path"].replace("/archive_photos", "/photos", 1) for e in after] == [e["path"] for e in before]
    status, body = world.call(
        ME, "file_system", "move_directory", source="/archive_photos", destination="/archive_photos/x"
    )
    assert status == 422 and "inside itself" in body["message"]
    status, body = world.call(ME, "file_system", "delete_directory", path="/archive_photos")
    assert status == 409 and "recursive=True" in body["message"]


def test_compress_and_decompress_round_trip(world: World) -> None:
    files = {
        e["path"]: world.ok(ME, "file_system", "show_file", path=e["path"])["content"]
        for e in world.all_pages(ME, "file_system", "search_files", directory="/work")
    }
    out = world.ok(ME, "file_system", "compress", paths=["/work"], archive_path="/work.zip")
    assert out["file_count"] == len(files)
    assert [
        m["path"] for m in world.all_pages(ME, "file_system", "show_archive_contents", archive_path="/work.zip")
    ] == sorted(p.lstrip("/") for p in files)
    world.ok(ME, "file_system", "create_directory", path="/restore")
    world.ok(ME, "file_system", "decompress", archive_path="/work.zip", destination="/restore")
    for path, content in files.items():
        assert world.ok(ME, "file_system", "show_file", path="/restore" + path)["content"] == content
    assert world.call(ME, "file_system", "decompress", archive_path="/work.zip", destination="/restore")[0] == 409
    assert json.loads(world.ok(ME, "file_system", "show_file", path="/work.zip")["content"]) == {
        p.lstrip("/"): c for p, c in files.items()
    }


@pytest.mark.parametrize(
    ("api", "kwargs", "status", "needle"),
    [
        ("show_file", {"path": "documents/x.txt"}, 422, "absolute path"),
        ("show_file", {"path": "/documents/../etc"}, 422, "'..'"),
        ("show_file", {"path": "/documents"}, 404, "is a directory"),
        ("create_file", {"path": "/no/such/dir/file.txt"}, 404, "create_directory"),
        ("create_directory", {"path": "/documents"}, 409, "already exists"),
        ("compress", {"paths": ["/work"], "archive_path": "/work.tar"}, 422, "'.zip'"),
        ("rename_file", {"path": "/documents/taxes/w2_2025.txt", "new_name": "a/b"}, 422, "'new_name'"),
        ("delete_directory", {"path": "/"}, 422, "root"),
    ],
)
def test_errors_name_the_problem(world: World, api: str, kwargs: dict, status: int, needle: str) -> None:
    got, body = world.call(ME, "file_system", api, **kwargs)
    assert got == status and needle in body["message"], body


def test_create_directory_with_parents_and_append(world: World) -> None:
    world.ok(ME, "file_system", "create_directory", path="/a/b/c", parents=True)
    assert [e["path"] for e in world.all_pages(ME, "file_system", "show_directory", path="/a", recursive=True)] == [
        "/a/b",
        "/a/b/c",
    ]
    world.ok(ME, "file_system", "create_file", path="/a/b/c/log.txt", content="one")
    world.ok(ME, "file_system", "append_to_file", path="/a/b/c/log.txt", content="two")
    assert world.ok(ME, "file_system", "show_file", path="/a/b/c/log.txt")["content"] == "one\ntwo"
    assert [
        h["path"] for h in world.all_pages(ME, "file_system", "search_file_contents", text="TWO", directory="/a")
    ] == ["/a/b/c/log.txt"]


def test_deleting_every_download_fails_the_old_downloads_task_on_collateral(env: ToolWorldEnv) -> None:
    env.reset(options={"task_id": "file_system_clean_old_downloads_0"})
    play_oracle_without_completing(env, lambda code: code.replace("e['updated_at'] < ", "True or e['updated_at'] < "))
    obs, reward, terminated, _, info = env.step("apis.supervisor.complete_task()\n")
    failed = [t for t in info["evaluation"]["tests"] if not t["passed"]]
    assert terminated and reward == 0.0
    collateral = [t for t in failed if t["requirement"] == "nothing else in the world is changed"]
    assert collateral and "deleted file_system_files" in collateral[0]["reason"]


def test_counting_one_page_of_photos_is_explained(env: ToolWorldEnv) -> None:
    env.reset(options={"task_id": "file_system_count_photos_0"})
    obs, reward, _, _, info = env.step("apis.supervisor.complete_task(answer=5)")
    failed = [t for t in info["evaluation"]["tests"] if not t["passed"]]  # the task's writes are missing too
    (answer,) = [t for t in failed if "got 5" in t["reason"]]
    assert reward == 0.0 and "first page" in answer["reason"]


def _email(world: World, person: int) -> str:
    return world.value("SELECT email FROM people WHERE id = ?", person)


def test_trash_keeps_a_file_and_restores_it_with_its_dates(world: World) -> None:
    before = world.ok(ME, "file_system", "show_file", path="/documents/resume.txt")
    trash_id = world.ok(ME, "file_system", "move_to_trash", path="/documents/resume.txt")["trash_id"]
    assert world.call(ME, "file_system", "show_file", path="/documents/resume.txt")[0] == 404
    listed = world.all_pages(ME, "file_system", "show_trash", query="resume")
    assert [t["trash_id"] for t in listed] == [trash_id] and listed[0]["type"] == "file"
    world.ok(ME, "file_system", "create_file", path="/documents/resume.txt", content="new")
    status, body = world.call(ME, "file_system", "restore_from_trash", trash_id=trash_id)
    assert status == 409 and "already exists" in body["message"]
    world.ok(ME, "file_system", "restore_from_trash", trash_id=trash_id, destination="/documents/resume_back.txt")
    assert world.ok(ME, "file_system", "show_file", path="/documents/resume_back.txt") == {
        **before,
        "path": "/documents/resume_back.txt",
        "name": "resume_back.txt",
    }
    assert world.call(ME, "file_system", "restore_from_trash", trash_id=trash_id)[0] == 404


def test_trashing_a_directory_restores_its_whole_tree(world: World) -> None:
    before = world.all_pages(ME, "file_system", "show_directory", path="/documents/taxes", recursive=True)
    trash_id = world.ok(ME, "file_system", "move_to_trash", path="/documents/taxes")["trash_id"]
    assert world.ok(ME, "file_system", "show_disk_usage", path="/documents")["files"] == world.value(
        "SELECT COUNT(*) FROM file_system_files WHERE owner_id = ? AND path LIKE '/documents/%'", ME
    )
    assert "w2_2025.txt" in world.ok(ME, "file_system", "show_trash_item", trash_id=trash_id)["content"]
    world.ok(ME, "file_system", "restore_from_trash", trash_id=trash_id)
    assert world.all_pages(ME, "file_system", "show_directory", path="/documents/taxes", recursive=True) == before


def test_emptying_only_expired_trash_keeps_the_recent_items(world: World) -> None:
    items = world.all_pages(ME, "file_system", "show_trash")
    days = (WORLD_NOW - datetime.fromisoformat(items[len(items) // 2]["deleted_at"])).days
    world.ok(ME, "file_system", "update_settings", trash_retention_days=days)
    cutoff = (WORLD_NOW - timedelta(days=days)).isoformat(timespec="seconds")
    expired = [t for t in items if t["deleted_at"] < cutoff]
    assert 0 < len(expired) < len(items)
    assert world.ok(ME, "file_system", "empty_trash", only_expired=True)["deleted"] == len(expired)
    assert len(world.all_pages(ME, "file_system", "show_trash")) == len(items) - len(expired)
    world.ok(ME, "file_system", "empty_trash")
    assert world.all_pages(ME, "file_system", "show_trash") == []


def test_sharing_gives_the_other_person_exactly_the_permission_granted(world: World) -> None:
    other, path = 2, "/documents/resume.txt"
    assert world.ok(ME, "file_system", "show_settings")["default_share_permission"] in ("view", "edit")
    world.ok(ME, "file_system", "share_file", path=path, email=_email(world, other), permission="view")
    assert world.call(ME, "file_system", "share_file", path=path, email=_email(world, other))[0] == 409
    (share,) = [
        s
        for s in world.all_pages(
            other, "file_system", "show_shared_with_me", query="resume", owner_email=_email(world, ME)
        )
        if s["path"] == path
    ]  # mine: another person may have shared their own /documents/resume.txt with them too
    assert (
        world.ok(other, "file_system", "show_shared_file", share_id=share["share_id"])["content"]
        == world.ok(ME, "file_system", "show_file", path=path)["content"]
    )
    status, body = world.call(other, "file_system", "update_shared_file", share_id=share["share_id"], content="x")
    assert status == 409 and "read-only" in body["message"]
    world.ok(ME, "file_system", "update_share_permission", path=path, email=_email(world, other), permission="edit")
    world.ok(other, "file_system", "update_shared_file", share_id=share["share_id"], content="edited")
    assert world.ok(ME, "file_system", "show_file", path=path)["content"] == "edited"
    saved = world.ok(other, "file_system", "save_shared_file", share_id=share["share_id"], destination="/downloads")
    assert world.ok(other, "file_system", "show_file", path=saved["path"])["content"] == "edited"
    assert world.call(3, "file_system", "show_shared_file", share_id=share["share_id"])[0] == 404
    world.ok(ME, "file_system", "delete_file", path=path)
    assert world.value("SELECT COUNT(*) FROM file_system_shares WHERE id = ?", share["share_id"]) == 0


@pytest.mark.parametrize(
    ("email", "status", "needle"),
    [("nobody@nowhere.test", 404, "nobody"), (None, 422, "your own")],
)
def test_sharing_with_nobody_or_yourself_is_refused(world: World, email: str | None, status: int, needle: str) -> None:
    got, body = world.call(
        ME, "file_system", "share_file", path="/documents/resume.txt", email=email or _email(world, ME)
    )
    assert got == status and needle in body["message"]


def test_stars_and_tags_list_their_files_and_refuse_repeats(world: World) -> None:
    path = "/documents/resume_old.txt"
    world.ok(ME, "file_system", "star_file", path=path)
    assert world.call(ME, "file_system", "star_file", path=path)[0] == 409
    assert path in [f["path"] for f in world.all_pages(ME, "file_system", "show_starred_files")]
    world.ok(ME, "file_system", "add_file_tag", path=path, tag="tax")
    assert world.call(ME, "file_system", "add_file_tag", path=path, tag="tax")[0] == 409
    tagged = world.all_pages(ME, "file_system", "show_tagged_files", tag="tax")
    assert path in [f["path"] for f in tagged]
    assert {t["tag"]: t["files"] for t in world.ok(ME, "file_system", "show_tags")}["tax"] == len(tagged)
    info = world.ok(ME, "file_system", "show_file_info", path=path)
    assert info["starred"] and "tax" in info["tags"] and info["extension"] == "txt"
    world.ok(ME, "file_system", "remove_file_tag", path=path, tag="tax")
    assert world.call(ME, "file_system", "remove_file_tag", path=path, tag="tax")[0] == 404
    world.ok(ME, "file_system", "unstar_file", path=path)
    assert world.call(ME, "file_system", "unstar_file", path=path)[0] == 409


@pytest.mark.parametrize(
    ("kwargs", "keep"),
    [
        ({"extension": "csv"}, lambda f: f["path"].endswith(".csv")),
        ({"min_size": 60}, lambda f: f["size"] >= 60),
        ({"max_size": 30}, lambda f: f["size"] <= 30),
        ({"modified_after": "2026-04-01"}, lambda f: f["updated_at"] >= "2026-04-01"),
        ({"modified_before": "2025-01-01"}, lambda f: f["updated_at"] < "2025-01-01"),
        ({"query": "receipt 2026"}, lambda f: "receipt" in f["name"] and "2026" in f["name"]),
    ],
)
def test_search_filters_match_the_full_listing(world: World, kwargs: dict[str, Any], keep: Any) -> None:
    every = world.all_pages(ME, "file_system", "show_directory", recursive=True, entry_type="file")
    found = world.all_pages(ME, "file_system", "search_files", **kwargs)
    assert found and [f["path"] for f in found] == [f["path"] for f in every if keep(f)]


@pytest.mark.parametrize("sort_by", ["name", "-updated_at", "size", "-size"])
def test_listings_sort_as_asked(world: World, sort_by: str) -> None:
    entries = world.all_pages(ME, "file_system", "show_directory", path="/documents", recursive=True, sort_by=sort_by)
    key = sort_by.lstrip("-")
    values = [e[key].lower() if key == "name" else e[key] for e in entries]
    assert values == sorted(values, reverse=sort_by.startswith("-"))


def test_usage_by_directory_adds_up_to_the_total(world: World) -> None:
    parts = world.all_pages(ME, "file_system", "show_disk_usage_by_directory", path="/")
    total = world.ok(ME, "file_system", "show_disk_usage", path="/")
    loose = world.all_pages(ME, "file_system", "show_directory", path="/", entry_type="file")
    assert sum(p["total_size"] for p in parts) + sum(f["size"] for f in loose) == total["total_size"]
    assert [p["total_size"] for p in parts] == sorted((p["total_size"] for p in parts), reverse=True)
    photos = world.ok(ME, "file_system", "show_disk_usage", path="/photos")
    assert {"path": "/photos", "files": photos["files"], "total_size": photos["total_size"]} in parts


def test_rename_directory_carries_its_tree(world: World) -> None:
    before = world.all_pages(ME, "file_system", "show_directory", path="/documents/taxes", recursive=True)
    assert world.ok(ME, "file_system", "rename_directory", path="/documents/taxes", new_name="tax")["path"] == (
        "/documents/tax"
    )
    after = world.all_pages(ME, "file_system", "show_directory", path="/documents/tax", recursive=True)
    assert [e["path"].replace("/documents/tax/", "/documents/taxes/") for e in after] == [e["path"] for e in before]
    assert world.call(ME, "file_system", "rename_directory", path="/documents/tax", new_name="receipts")[0] == 409


def test_text_tools_read_count_replace_and_compare(world: World) -> None:
    world.ok(ME, "file_system", "create_file", path="/a.txt", content="one\ntwo two\nthree\nfour")
    world.ok(ME, "file_system", "create_file", path="/b.txt", content="one\ntwo\nthree\nfive")
    tail = world.ok(ME, "file_system", "show_file_lines", path="/a.txt", start_line=-2)
    assert tail["line_count"] == 4 and [x["line_number"] for x in tail["lines"]] == [3, 4]
    assert world.ok(ME, "file_system", "count_file_words", path="/a.txt")["words"] == 5
    assert world.ok(ME, "file_system", "compare_files", path="/a.txt", other_path="/b.txt")["differences"] == [
        "-two two",
        "+two",
        "-four",
        "+five",
    ]
    out = world.ok(
        ME, "file_system", "replace_in_file", path="/a.txt", find="two", replace_with="2", max_replacements=1
    )
    assert out["replacements"] == 1
    assert world.ok(ME, "file_system", "show_file", path="/a.txt")["content"] == "one\n2 two\nthree\nfour"
    assert world.call(ME, "file_system", "replace_in_file", path="/a.txt", find="zzz", replace_with="")[0] == 404
    assert world.call(ME, "file_system", "show_file_lines", path="/a.txt", start_line=0)[0] == 422
    world.ok(ME, "file_system", "create_file", path="/long.txt", content="x\n" * 2_001)
    status, body = world.call(ME, "file_system", "compare_files", path="/a.txt", other_path="/long.txt")
    assert status == 422 and "'other_path'" in body["message"] and "show_file_lines" in body["message"]


def test_archives_grow_and_give_back_single_files(world: World) -> None:
    world.ok(ME, "file_system", "compress", paths=["/documents/resume.txt"], archive_path="/cv.zip")
    assert (
        world.call(ME, "file_system", "add_to_archive", archive_path="/cv.zip", paths=["/documents/resume.txt"])[0]
        == 409
    )
    out = world.ok(
        ME, "file_system", "add_to_archive", archive_path="/cv.zip", paths=["/documents/resume_old.txt", "/work"]
    )
    assert out["file_count"] == 2 + world.ok(ME, "file_system", "show_disk_usage", path="/work")["files"]
    world.ok(
        ME,
        "file_system",
        "extract_file_from_archive",
        archive_path="/cv.zip",
        member="resume_old.txt",
        destination="/downloads",
    )
    assert (
        world.ok(ME, "file_system", "show_file", path="/downloads/resume_old.txt")["content"]
        == world.ok(ME, "file_system", "show_file", path="/documents/resume_old.txt")["content"]
    )
    status, body = world.call(
        ME, "file_system", "extract_file_from_archive", archive_path="/cv.zip", member="x", destination="/"
    )
    assert status == 404 and "show_archive_contents" in body["message"]


def test_recent_files_are_newest_first_within_the_window(world: World) -> None:
    recent = world.all_pages(ME, "file_system", "show_recent_files", days=14)
    since = (WORLD_NOW - timedelta(days=14)).isoformat(timespec="seconds")
    assert (
        len(recent)
        == world.value("SELECT COUNT(*) FROM file_system_files WHERE owner_id = ? AND updated_at >= ?", ME, since)
        > 0
    )
    assert [f["updated_at"] for f in recent] == sorted((f["updated_at"] for f in recent), reverse=True)


def test_unsharing_and_dropping_shares_from_either_side(world: World) -> None:
    path, email, share_id = world.conn.execute(
        "SELECT f.path, p.email, s.id FROM file_system_shares s JOIN file_system_files f ON f.id = s.file_id "
        "JOIN people p ON p.id = s.shared_with_id WHERE s.owner_id = ? ORDER BY s.id",
        (ME,),
    ).fetchone()
    assert path in [s["path"] for s in world.all_pages(ME, "file_system", "show_my_shared_files", email=email)]
    assert email in [s["email"] for s in world.all_pages(ME, "file_system", "show_file_shares", path=path)]
    world.ok(ME, "file_system", "unshare_file", path=path, email=email)
    assert world.value("SELECT COUNT(*) FROM file_system_shares WHERE id = ?", share_id) == 0
    assert world.call(ME, "file_system", "unshare_file", path=path, email=email)[0] == 404
    incoming = world.value("SELECT id FROM file_system_shares WHERE shared_with_id = ? ORDER BY id", ME)
    world.ok(ME, "file_system", "remove_shared_with_me", share_id=incoming)
    assert world.call(ME, "file_system", "show_shared_file", share_id=incoming)[0] == 404


def test_deleting_from_the_trash_is_final_and_only_for_your_own_items(world: World) -> None:
    mine = world.all_pages(ME, "file_system", "show_trash")[0]["trash_id"]
    assert world.call(2, "file_system", "delete_from_trash", trash_id=mine)[0] == 404
    world.ok(ME, "file_system", "delete_from_trash", trash_id=mine)
    status, body = world.call(ME, "file_system", "restore_from_trash", trash_id=mine)
    assert status == 404 and "trash item" in body["message"]


def test_bills_are_as_dense_as_a_households(world: World) -> None:
    """3-5 utilities a person and unpaid bills of last month and the month before (1-7 each, not 0-3): the bill
    scenarios need people with several unpaid bills to read one by one."""
    kinds = dict(
        world.conn.execute(
            "SELECT owner_id, COUNT(DISTINCT substr(path, 18, instr(substr(path, 18), '_') - 1)) FROM "
            "file_system_files WHERE path LIKE '/documents/bills/%' GROUP BY owner_id"
        ).fetchall()
    )
    unpaid = world.conn.execute(
        "SELECT owner_id, COUNT(*), COUNT(DISTINCT substr(content, instr(content, 'Period: ') + 8, 7)) FROM "
        "file_system_files WHERE path LIKE '/documents/bills/%' AND content LIKE '%Status: unpaid%' GROUP BY owner_id"
    ).fetchall()
    people = world.value("SELECT COUNT(*) FROM people")
    assert len(kinds) == people and min(kinds.values()) >= 3 and max(kinds.values()) <= 5
    assert len(unpaid) == people, "everyone has an unpaid bill"
    assert sum(n for _, n, _ in unpaid) / people >= 3
    assert sum(n >= 4 for _, n, _ in unpaid) >= 40 and max(n for _, n, _ in unpaid) <= 8
    assert sum(months == 2 for _, _, months in unpaid) >= 20, "some people are a month behind"


def test_a_year_note_of_one_kind_of_bills_fails_the_two_kind_note(env: ToolWorldEnv) -> None:
    """life_bills_year_note asks two utilities' bills of a year; an agent that reads only the first kind's files
    (a dozen) writes an incomplete note and fails."""
    env.reset(options={"task_id": "life_bills_year_note_0"})
    play_oracle_without_completing(
        env,
        lambda code: code.replace("    if f['name'].startswith(", "    if len(mine) < 12 and f['name'].startswith("),
    )
    _, reward, terminated, _, info = env.step("apis.supervisor.complete_task(answer=top)\n")
    failed = [t for t in info["evaluation"]["tests"] if not t["passed"]]
    assert terminated and reward == 0.0 and any(t["requirement"].startswith("a note ") for t in failed)
