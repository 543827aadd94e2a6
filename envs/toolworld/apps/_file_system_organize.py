"""file_system organizing: stars, colored tags, recent files, file details and your settings."""

from __future__ import annotations

import posixpath
from datetime import timedelta
from typing import Annotated, Any, Literal

from envs.toolworld.api import ApiError, CallContext, P, Page
from envs.toolworld.apps._file_system_base import ENTRY, HAS_SUFFIX, MESSAGE, PATH, app, entry, existing_file, suffix
from envs.toolworld.apps._sql_page import sql_page

TAGS = ("red", "orange", "yellow", "green", "blue", "purple", "gray", "important", "work", "personal", "tax")
Tag = Literal["red", "orange", "yellow", "green", "blue", "purple", "gray", "important", "work", "personal", "tax"]
INFO = {
    **ENTRY,
    "extension": "string",
    "starred": True,
    "tags": ["string"],
    "shared_with": ["string"],
    "line_count": 1,
}
FILE_COLUMNS = "SELECT id, path, length(content) AS size, created_at, updated_at, starred FROM file_system_files"


def _listed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [entry(r, "file") for r in rows]


@app.api("GET", "/files/info", INFO)
def show_file_info(ctx: CallContext, path: PATH) -> dict[str, Any]:
    """Show a file's details without its content: size, dates, star, tags and who it is shared with."""
    row = existing_file(ctx, path)
    name = posixpath.basename(row["path"])
    return {
        **entry({**row, "size": len(row["content"])}, "file"),
        "extension": name.rsplit(".", 1)[1] if "." in name.strip(".") else "",
        "starred": bool(row["starred"]),
        "tags": [
            r["tag"] for r in ctx.rows("SELECT tag FROM file_system_tags WHERE file_id = ? ORDER BY tag", row["id"])
        ],
        "shared_with": [
            r["email"]
            for r in ctx.rows(
                "SELECT p.email FROM file_system_shares s JOIN people p ON p.id = s.shared_with_id "
                "WHERE s.file_id = ? ORDER BY s.id",
                row["id"],
            )
        ],
        "line_count": len(row["content"].splitlines()),
    }


@app.api("GET", "/files/recent", [ENTRY], paginated=True)
def show_recent_files(
    ctx: CallContext,
    days: Annotated[int, P("How many days back to look.", ge=1, le=3650)] = 30,
    extension: Annotated[str | None, P("Only files with this extension, like 'pdf' (no dot).", max_length=20)] = None,
) -> Page:
    """List the files you changed recently, most recent first."""
    since = (ctx.now - timedelta(days=days)).isoformat(timespec="seconds")
    ending = None if extension is None else suffix(extension)
    return sql_page(
        ctx,
        FILE_COLUMNS + f" WHERE owner_id = ? AND updated_at >= ? AND (? IS NULL OR {HAS_SUFFIX})",
        "updated_at DESC, path",
        ctx.caller,
        since,
        ending,
        ending,
        ending,
        shape=lambda r: entry(r, "file"),
    )


def _set_star(ctx: CallContext, path: str, starred: bool) -> dict[str, str]:
    row = existing_file(ctx, path)
    if bool(row["starred"]) == starred:
        raise ApiError(409, f"{row['path']} is {'already' if starred else 'not'} starred.")
    ctx.execute("UPDATE file_system_files SET starred = ? WHERE id = ?", int(starred), row["id"])
    return {"message": f"{row['path']} {'starred' if starred else 'unstarred'}."}


@app.api("POST", "/files/star", MESSAGE)
def star_file(ctx: CallContext, path: PATH) -> dict[str, str]:
    """Star a file so it shows in show_starred_files."""
    return _set_star(ctx, path, True)


@app.api("DELETE", "/files/star", MESSAGE)
def unstar_file(ctx: CallContext, path: PATH) -> dict[str, str]:
    """Remove the star of a file."""
    return _set_star(ctx, path, False)


@app.api("GET", "/files/starred", [ENTRY], paginated=True)
def show_starred_files(
    ctx: CallContext,
    sort_by: Annotated[Literal["path", "-updated_at"], P("Order of the files.")] = "path",
) -> list[dict[str, Any]]:
    """List your starred files."""
    order = "path" if sort_by == "path" else "updated_at DESC, path"
    return _listed(ctx.rows(FILE_COLUMNS + f" WHERE owner_id = ? AND starred = 1 ORDER BY {order}", ctx.caller))


@app.api("POST", "/files/tags", MESSAGE)
def add_file_tag(
    ctx: CallContext, path: PATH, tag: Annotated[Tag, P(f"The tag, one of {', '.join(TAGS)}.")]
) -> dict[str, str]:
    """Tag a file (a file may carry several tags)."""
    row = existing_file(ctx, path)
    ctx.insert_unique(
        "file_system_tags",
        {"file_id": row["id"], "tag": tag},
        f"{row['path']} already has the tag {tag!r}.",
        {"owner_id": ctx.caller},
    )
    return {"message": f"{row['path']} tagged {tag}."}


@app.api("DELETE", "/files/tags", MESSAGE)
def remove_file_tag(
    ctx: CallContext, path: PATH, tag: Annotated[Tag, P(f"The tag, one of {', '.join(TAGS)}.")]
) -> dict[str, str]:
    """Remove a tag from a file."""
    row = existing_file(ctx, path)
    ctx.delete_existing("file_system_tags", {"file_id": row["id"], "tag": tag}, f"{row['path']} has no tag {tag!r}.")
    return {"message": f"Tag {tag} removed from {row['path']}."}


@app.api("GET", "/tags", [{"tag": "string", "files": 1}])
def show_tags(ctx: CallContext) -> list[dict[str, Any]]:
    """List the tags you can use, with how many of your files carry each."""
    counts = {
        r["tag"]: r["n"]
        for r in ctx.rows("SELECT tag, COUNT(*) AS n FROM file_system_tags WHERE owner_id = ? GROUP BY tag", ctx.caller)
    }
    return [{"tag": t, "files": counts.get(t, 0)} for t in TAGS]


@app.api("GET", "/tags/{tag}/files", [ENTRY], paginated=True)
def show_tagged_files(
    ctx: CallContext, tag: Annotated[Tag, P(f"The tag, one of {', '.join(TAGS)}.")]
) -> list[dict[str, Any]]:
    """List your files that carry a tag, by path."""
    return _listed(
        ctx.rows(
            "SELECT f.id, f.path, length(f.content) AS size, f.created_at, f.updated_at FROM file_system_tags t "
            "JOIN file_system_files f ON f.id = t.file_id WHERE t.owner_id = ? AND t.tag = ? ORDER BY f.path",
            ctx.caller,
            tag,
        )
    )


SETTINGS = {"default_share_permission": "string", "trash_retention_days": 1}


@app.api("GET", "/settings", SETTINGS)
def show_settings(ctx: CallContext) -> dict[str, Any]:
    """Show your file_system settings: the permission new shares get, and how long the trash keeps items."""
    found = ctx.row(
        "SELECT default_share_permission, trash_retention_days FROM file_system_settings WHERE owner_id = ?",
        ctx.caller,
    )
    return found or {"default_share_permission": "view", "trash_retention_days": 30}


@app.api("PATCH", "/settings", MESSAGE)
def update_settings(
    ctx: CallContext,
    default_share_permission: Annotated[
        Literal["view", "edit"] | None, P("The permission share_file gives when none is named.")
    ] = None,
    trash_retention_days: Annotated[
        int | None, P("Days a trashed item is kept before it expires.", ge=1, le=365)
    ] = None,
) -> dict[str, str]:
    """Change your file_system settings (only the ones you give)."""
    current = show_settings(ctx)
    ctx.execute(
        "INSERT INTO file_system_settings (owner_id, default_share_permission, trash_retention_days) VALUES (?,?,?) "
        "ON CONFLICT(owner_id) DO UPDATE SET default_share_permission = excluded.default_share_permission, "
        "trash_retention_days = excluded.trash_retention_days",
        ctx.caller,
        default_share_permission or current["default_share_permission"],
        trash_retention_days or current["trash_retention_days"],
    )
    return {"message": "Settings updated."}
