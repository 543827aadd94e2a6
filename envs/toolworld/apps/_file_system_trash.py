"""file_system trash: deleting with a way back.

A trashed file keeps its content and dates in one trash row; a trashed directory becomes one row
whose content is the JSON of what it held (subdirectories and files relative to it, with their dates),
so restoring brings back the whole tree as it was. Items older than the retention setting are shown as expired but stay
until the trash is emptied.
"""

from __future__ import annotations

import json
import posixpath
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from envs.toolworld.api import MAX_STORED_CHARS, QUERY_MAX_CHARS, ApiError, CallContext, P
from envs.toolworld.apps._file_system_base import (
    MESSAGE,
    MOVED,
    PATH,
    add_directory,
    app,
    file_at,
    forget_files,
    free,
    is_dir,
    normalize,
    remove_tree,
    tree,
)
from envs.toolworld.apps._text_search import search_words

TRASH_ID = Annotated[int, P("The trash item's id, from show_trash.", ge=1)]
TRASH_ITEM = {
    "trash_id": 1,
    "original_path": "string",
    "type": "string",
    "size": 1,
    "deleted_at": "string",
    "expires_at": "string",
}


def retention_days(ctx: CallContext) -> int:
    found = ctx.value("SELECT trash_retention_days FROM file_system_settings WHERE owner_id = ?", ctx.caller)
    return 30 if found is None else int(found)


@app.api("POST", "/trash", {"message": "string", "trash_id": 1})
def move_to_trash(ctx: CallContext, path: PATH) -> dict[str, Any]:
    """Move a file or a directory (with everything in it) to the trash, from where it can be restored; a directory
    whose files and paths pass 100,000 characters is too large for the trash."""
    path = normalize(path)
    if path == "/":
        raise ApiError(422, "Invalid argument 'path': the root directory cannot be trashed.")
    now = ctx.timestamp()
    if (row := file_at(ctx, path)) is not None:
        kind, content, created, updated = "file", row["content"], row["created_at"], row["updated_at"]
        forget_files(ctx, [row["id"]])
        ctx.execute("DELETE FROM file_system_files WHERE id = ?", row["id"])
    elif is_dir(ctx, path):
        dirs, files = tree(ctx, path)
        held = {
            "directories": {d["path"][len(path) + 1 :]: d["created_at"] for d in dirs},
            "files": {f["path"][len(path) + 1 :]: [f["content"], f["created_at"], f["updated_at"]] for f in files},
        }
        created = ctx.value(
            "SELECT created_at FROM file_system_directories WHERE owner_id = ? AND path = ?", ctx.caller, path
        )
        kind, content, updated = "directory", json.dumps(held, sort_keys=True), created
        _check_trashable(path, content)
        remove_tree(ctx, path, dirs, files)
    else:
        raise ApiError(404, f"Nothing at {path!r}.")
    trash_id = ctx.execute(
        "INSERT INTO file_system_trash (owner_id, original_path, kind, content, created_at, updated_at, deleted_at) "
        "VALUES (?,?,?,?,?,?,?)",
        ctx.caller,
        path,
        kind,
        content,
        created,
        updated,
        now,
    )
    return {"message": f"{path} moved to the trash.", "trash_id": trash_id}


def _check_trashable(path: str, content: str) -> None:
    """413 before deleting anything when a directory's trash row would pass MAX_STORED_CHARS: deleting a tree of
    8,192 files (the storage bound's worth) took 0.3 s of env CPU, all rolled back by the 413 that followed."""
    if len(content) > MAX_STORED_CHARS:
        raise ApiError(
            413,
            f"{path} holds too much for the trash ({len(content):,} characters with its paths, over "
            f"{MAX_STORED_CHARS:,}); trash its subdirectories one by one, or delete it with delete_directory.",
        )


@app.api("GET", "/trash", [TRASH_ITEM], paginated=True)
def show_trash(
    ctx: CallContext,
    query: Annotated[str, P("Words to find in the original path; empty matches all.", max_length=QUERY_MAX_CHARS)] = "",
    item_type: Annotated[Literal["file", "directory"] | None, P("Only files or only directories.")] = None,
    sort_by: Annotated[Literal["-deleted_at", "deleted_at", "original_path"], P("Order of the items.")] = "-deleted_at",
) -> list[dict[str, Any]]:
    """List what is in your trash, most recently deleted first."""
    clauses, values = ["owner_id = ?"], list[Any]([ctx.caller])
    for word in search_words(query):
        clauses.append("instr(lower(original_path), ?) > 0")
        values.append(word)
    if item_type is not None:
        clauses.append("kind = ?")
        values.append(item_type)
    order = {
        "-deleted_at": "deleted_at DESC, id DESC",
        "deleted_at": "deleted_at, id",
        "original_path": "original_path, id",
    }[sort_by]
    keep = timedelta(days=retention_days(ctx))
    return [
        {
            "trash_id": r["id"],
            "original_path": r["original_path"],
            "type": r["kind"],
            "size": r["size"],
            "deleted_at": r["deleted_at"],
            "expires_at": (datetime.fromisoformat(r["deleted_at"]) + keep).isoformat(timespec="seconds"),
        }
        for r in ctx.rows(
            f"SELECT id, original_path, kind, length(content) AS size, deleted_at FROM file_system_trash "
            f"WHERE {' AND '.join(clauses)} ORDER BY {order}",
            *values,
        )
    ]


@app.api("POST", "/trash/{trash_id}/restore", MOVED)
def restore_from_trash(
    ctx: CallContext,
    trash_id: TRASH_ID,
    destination: Annotated[
        str | None, P("Where to restore it instead of its original path (a new path).", min_length=1, max_length=1000)
    ] = None,
) -> dict[str, str]:
    """Restore a trashed file or directory to where it was (or to `destination`)."""
    item = ctx.owned("file_system_trash", trash_id, "trash item")
    place = free(
        ctx,
        normalize(destination, "destination") if destination is not None else item["original_path"],
        "destination",
    )
    if item["kind"] == "file":
        _restore_file(ctx, place, item["content"], item["created_at"], item["updated_at"])
    else:
        held = json.loads(item["content"])
        add_directory(ctx, place, item["created_at"])
        for sub, created in sorted(held["directories"].items()):
            add_directory(ctx, posixpath.join(place, sub), created)
        for rel, (content, created, updated) in sorted(held["files"].items()):
            _restore_file(ctx, posixpath.join(place, rel), content, created, updated)
    ctx.execute("DELETE FROM file_system_trash WHERE id = ?", trash_id)
    return {"message": "Restored.", "path": place}


def _restore_file(ctx: CallContext, path: str, content: str, created: str, updated: str) -> None:
    ctx.execute(
        "INSERT INTO file_system_files (owner_id, path, content, created_at, updated_at) VALUES (?,?,?,?,?)",
        ctx.caller,
        path,
        content,
        created,
        updated,
    )


@app.api("DELETE", "/trash/{trash_id}", MESSAGE)
def delete_from_trash(ctx: CallContext, trash_id: TRASH_ID) -> dict[str, str]:
    """Delete one item of the trash for good."""
    ctx.owned("file_system_trash", trash_id, "trash item")
    ctx.execute("DELETE FROM file_system_trash WHERE id = ?", trash_id)
    return {"message": "Deleted for good."}


@app.api("DELETE", "/trash", {"message": "string", "deleted": 1})
def empty_trash(
    ctx: CallContext,
    only_expired: Annotated[
        bool, P("Only delete items older than your trash retention setting (see show_settings).")
    ] = False,
) -> dict[str, Any]:
    """Delete everything in the trash for good (or only what has expired)."""
    cutoff = (ctx.now - timedelta(days=retention_days(ctx))).isoformat(timespec="seconds")
    ids = [
        r["id"]
        for r in ctx.rows(
            "SELECT id FROM file_system_trash WHERE owner_id = ? AND (? = 0 OR deleted_at < ?)",
            ctx.caller,
            int(only_expired),
            cutoff,
        )
    ]
    for trash_id in ids:
        ctx.execute("DELETE FROM file_system_trash WHERE id = ?", trash_id)
    return {"message": f"{len(ids)} items deleted for good.", "deleted": len(ids)}


@app.api("GET", "/trash/{trash_id}", {**TRASH_ITEM, "content": "string"})
def show_trash_item(ctx: CallContext, trash_id: TRASH_ID) -> dict[str, Any]:
    """Show one trashed item; a file with its content, a directory with the paths it held."""
    item = ctx.owned("file_system_trash", trash_id, "trash item")
    content = item["content"]
    if item["kind"] == "directory":
        held = json.loads(content)
        content = "\n".join(sorted([d + "/" for d in held["directories"]] + list(held["files"])))
    keep = timedelta(days=retention_days(ctx))
    return {
        "trash_id": item["id"],
        "original_path": item["original_path"],
        "type": item["kind"],
        "size": len(item["content"]),
        "deleted_at": item["deleted_at"],
        "expires_at": (datetime.fromisoformat(item["deleted_at"]) + keep).isoformat(timespec="seconds"),
        "content": content,
    }
