"""The file_system app: paths, moves that keep ids, copies, archives round-tripping, clear errors;
and traps in its scenarios."""

from __future__ import annotations

import json

import pytest

from envs.toolworld.env import ToolWorldEnv

from .apps_client import World

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


def _without_completion(oracle: str) -> str:
    return oracle.replace("apis.supervisor.complete_task()\n", "")


def test_deleting_every_download_fails_the_old_downloads_task_on_collateral(env: ToolWorldEnv) -> None:
    env.reset(options={"task_id": "file_system_clean_old_downloads_0"})
    greedy = _without_completion(env.oracle_actions()[0]).replace("e['updated_at'] < ", "True or e['updated_at'] < ")
    obs, reward, terminated, _, info = env.step(greedy + "apis.supervisor.complete_task()\n")
    failed = [t for t in info["evaluation"]["tests"] if not t["passed"]]
    assert terminated and reward == 0.0
    assert [t["requirement"] for t in failed] == [
        "nothing else in the world is changed"
    ] and "deleted file_system_files" in failed[0]["reason"]


def test_counting_one_page_of_photos_is_explained(env: ToolWorldEnv) -> None:
    env.reset(options={"task_id": "file_system_count_photos_0"})
    obs, reward, _, _, info = env.step("apis.supervisor.complete_task(answer=5)")
    (test,) = [t for t in info["evaluation"]["tests"] if not t["passed"]]
    assert reward == 0.0 and "got 5" in test["reason"] and "first page" in test["reason"]
