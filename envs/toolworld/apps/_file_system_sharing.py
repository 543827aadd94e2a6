"""file_system sharing: let other people read (or edit) one of your files, and use files shared with you.

A share is (file, person, permission); it follows the file when the file is moved or renamed, and
goes away when the file is deleted or trashed.
"""

from __future__ import annotations

import posixpath
from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, CallContext, P
from envs.toolworld.apps._file_system_base import (
    CONTENT,
    MESSAGE,
    MOVED,
    PATH,
    app,
    existing_file,
    free,
    is_dir,
    normalize,
    write_new,
)
from envs.toolworld.apps._text_search import search_words

EMAIL = Annotated[str, P("The other person's email address.", min_length=3, max_length=200)]
SHARE_ID = Annotated[int, P("The share's id, from show_shared_with_me.", ge=1)]
Permission = Literal["view", "edit"]
SHARED = {
    "share_id": 1,
    "path": "string",
    "name": "string",
    "owner": {"name": "string", "email": "string"},
    "permission": "string",
    "size": 1,
    "shared_at": "string",
}
SHARED_WITH_ME_SQL = (
    "SELECT s.id AS share_id, s.permission, s.created_at AS shared_at, f.id AS file_id, f.path, f.content, "
    "f.updated_at, p.first_name || ' ' || p.last_name AS owner_name, p.email AS owner_email "
    "FROM file_system_shares s JOIN file_system_files f ON f.id = s.file_id JOIN people p ON p.id = s.owner_id "
    "WHERE s.shared_with_id = ?"
)


def _person(ctx: CallContext, email: str) -> dict[str, Any]:
    found = ctx.row("SELECT id, first_name || ' ' || last_name AS name, email FROM people WHERE email = ?", email)
    if found is None:
        raise ApiError(404, f"Invalid argument 'email': nobody has the email address {email!r}.")
    if found["id"] == ctx.caller:
        raise ApiError(422, "Invalid argument 'email': that is your own address.")
    return found


def _shared_with_me(ctx: CallContext, share_id: int) -> dict[str, Any]:
    found = ctx.row(SHARED_WITH_ME_SQL + " AND s.id = ?", ctx.caller, share_id)
    if found is None:
        raise ApiError(404, f"No file shared with you has share id {share_id}.")
    return found


def _shared_out(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "share_id": r["share_id"],
        "path": r["path"],
        "name": posixpath.basename(r["path"]),
        "owner": {"name": r["owner_name"], "email": r["owner_email"]},
        "permission": r["permission"],
        "size": len(r["content"]),
        "shared_at": r["shared_at"],
    }


@app.api("POST", "/shares", {"message": "string", "share_id": 1})
def share_file(
    ctx: CallContext,
    path: PATH,
    email: EMAIL,
    permission: Annotated[
        Permission | None, P("'view' or 'edit'; by default your default_share_permission setting.")
    ] = None,
) -> dict[str, Any]:
    """Share one of your files with another person."""
    row = existing_file(ctx, path)
    person = _person(ctx, email)
    chosen = permission or ctx.value(
        "SELECT default_share_permission FROM file_system_settings WHERE owner_id = ?", ctx.caller
    )
    share_id = ctx.insert_unique(
        "file_system_shares",
        {"file_id": row["id"], "shared_with_id": person["id"]},
        f"{row['path']} is already shared with {email}; use update_share_permission to change it.",
        {"owner_id": ctx.caller, "permission": chosen or "view", "created_at": ctx.timestamp()},
    )
    return {"message": f"{row['path']} shared with {person['name']}.", "share_id": share_id}


@app.api("DELETE", "/shares", MESSAGE)
def unshare_file(ctx: CallContext, path: PATH, email: EMAIL) -> dict[str, str]:
    """Stop sharing one of your files with a person."""
    row = existing_file(ctx, path)
    person = _person(ctx, email)
    ctx.delete_existing(
        "file_system_shares",
        {"file_id": row["id"], "shared_with_id": person["id"]},
        f"{row['path']} is not shared with {email}.",
    )
    return {"message": f"{row['path']} is no longer shared with {person['name']}."}


@app.api("PATCH", "/shares", MESSAGE)
def update_share_permission(
    ctx: CallContext, path: PATH, email: EMAIL, permission: Annotated[Permission, P("'view' or 'edit'.")]
) -> dict[str, str]:
    """Change what a person you shared a file with may do with it."""
    row = existing_file(ctx, path)
    person = _person(ctx, email)
    share_id = ctx.value(
        "SELECT id FROM file_system_shares WHERE file_id = ? AND shared_with_id = ?", row["id"], person["id"]
    )
    if share_id is None:
        raise ApiError(404, f"{row['path']} is not shared with {email}.")
    ctx.update("file_system_shares", share_id, {"permission": permission})
    return {"message": f"{person['name']} can now {permission} {row['path']}."}


@app.api(
    "GET",
    "/shares",
    [{"name": "string", "email": "string", "permission": "string", "shared_at": "string"}],
    paginated=True,
)
def show_file_shares(ctx: CallContext, path: PATH) -> list[dict[str, Any]]:
    """List the people one of your files is shared with."""
    row = existing_file(ctx, path)
    return ctx.rows(
        "SELECT p.first_name || ' ' || p.last_name AS name, p.email, s.permission, s.created_at AS shared_at "
        "FROM file_system_shares s JOIN people p ON p.id = s.shared_with_id WHERE s.file_id = ? ORDER BY s.id",
        row["id"],
    )


@app.api("GET", "/shares/mine", [{**SHARED, "shared_with": {"name": "string", "email": "string"}}], paginated=True)
def show_my_shared_files(
    ctx: CallContext,
    email: Annotated[str | None, P("Only files shared with this person.", min_length=3, max_length=200)] = None,
) -> list[dict[str, Any]]:
    """List every share you have given: which of your files, with whom, newest first."""
    rows = ctx.rows(
        "SELECT s.id AS share_id, s.permission, s.created_at AS shared_at, f.path, f.content, "
        "q.first_name || ' ' || q.last_name AS owner_name, q.email AS owner_email, "
        "p.first_name || ' ' || p.last_name AS with_name, p.email AS with_email "
        "FROM file_system_shares s JOIN file_system_files f ON f.id = s.file_id "
        "JOIN people p ON p.id = s.shared_with_id JOIN people q ON q.id = s.owner_id "
        "WHERE s.owner_id = ? AND (? IS NULL OR p.email = ?) ORDER BY s.created_at DESC, s.id DESC",
        ctx.caller,
        email,
        email,
    )
    return [{**_shared_out(r), "shared_with": {"name": r["with_name"], "email": r["with_email"]}} for r in rows]


@app.api("GET", "/shared_with_me", [SHARED], paginated=True)
def show_shared_with_me(
    ctx: CallContext,
    query: Annotated[str, P("Words to find in the file's name; empty matches all.", max_length=QUERY_MAX_CHARS)] = "",
    owner_email: Annotated[str | None, P("Only files of this person.", min_length=3, max_length=200)] = None,
    permission: Annotated[Permission | None, P("Only shares with this permission.")] = None,
) -> list[dict[str, Any]]:
    """List the files other people shared with you, newest share first."""
    rows = ctx.rows(
        SHARED_WITH_ME_SQL + " AND (? IS NULL OR p.email = ?) AND (? IS NULL OR s.permission = ?) "
        "ORDER BY s.created_at DESC, s.id DESC",
        ctx.caller,
        owner_email,
        owner_email,
        permission,
        permission,
    )
    words = search_words(query)
    return [_shared_out(r) for r in rows if all(w in posixpath.basename(r["path"]).lower() for w in words)]


@app.api("GET", "/shared_with_me/{share_id}", {**SHARED, "content": "string"})
def show_shared_file(ctx: CallContext, share_id: SHARE_ID) -> dict[str, Any]:
    """Read a file someone shared with you."""
    row = _shared_with_me(ctx, share_id)
    return {**_shared_out(row), "content": row["content"]}


@app.api("PUT", "/shared_with_me/{share_id}", MESSAGE)
def update_shared_file(ctx: CallContext, share_id: SHARE_ID, content: CONTENT) -> dict[str, str]:
    """Replace the content of a file shared with you with edit permission."""
    row = _shared_with_me(ctx, share_id)
    if row["permission"] != "edit":
        raise ApiError(409, f"{row['owner_name']} shared {posixpath.basename(row['path'])!r} with you read-only.")
    ctx.execute(
        "UPDATE file_system_files SET content = ?, updated_at = ? WHERE id = ?",
        content,
        ctx.timestamp(),
        row["file_id"],
    )
    return {"message": "Shared file updated."}


@app.api("POST", "/shared_with_me/{share_id}/save", MOVED)
def save_shared_file(
    ctx: CallContext,
    share_id: SHARE_ID,
    destination: Annotated[
        str,
        P(
            "Where to save your copy: a new file path, or an existing directory to put it in.",
            min_length=1,
            max_length=1000,
        ),
    ],
) -> dict[str, str]:
    """Save your own copy of a file shared with you."""
    row = _shared_with_me(ctx, share_id)
    place = normalize(destination, "destination")
    if is_dir(ctx, place):
        place = posixpath.join(place, posixpath.basename(row["path"]))
    write_new(ctx, free(ctx, place, "destination"), row["content"])
    return {"message": "Copy saved.", "path": place}


@app.api("DELETE", "/shared_with_me/{share_id}", MESSAGE)
def remove_shared_with_me(ctx: CallContext, share_id: SHARE_ID) -> dict[str, str]:
    """Remove a file someone shared with you from your list (the owner keeps the file)."""
    _shared_with_me(ctx, share_id)
    ctx.execute("DELETE FROM file_system_shares WHERE id = ?", share_id)
    return {"message": "Removed from your shared files."}
