"""The file_system app object, its tables and the path rules every file_system API shares.

Paths are absolute and POSIX-like ("/documents/taxes/2025.txt"); every person
has their own tree under "/". Directories are explicit rows (the root "/" is
implicit), so an empty directory exists and a file can only live in a
directory that does. A subtree is one index range on (owner_id, path): every
path under "/a" sorts between "/a/" and "/a0" ('0' follows '/' in ASCII), so
listing or measuring a directory never reads anyone else's rows.
"""

from __future__ import annotations

import posixpath
from typing import Annotated, Any

from envs.toolworld.api import ApiError, App, CallContext, P
from envs.toolworld.apps._accounts import add_account_apis

app = App(
    "file_system",
    "Your files and directories: read, write, move, copy, compress, search, share, tag and restore from the trash.",
    schema="""
    CREATE TABLE file_system_directories (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, path TEXT NOT NULL, created_at TEXT NOT NULL,
        UNIQUE(owner_id, path)
    );
    CREATE TABLE file_system_files (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, path TEXT NOT NULL, content TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, starred INTEGER NOT NULL DEFAULT 0,
        UNIQUE(owner_id, path)
    );
    CREATE TABLE file_system_trash (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, original_path TEXT NOT NULL,
        kind TEXT NOT NULL, content TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        deleted_at TEXT NOT NULL
    );
    CREATE INDEX file_system_trash_owner ON file_system_trash (owner_id, deleted_at);
    CREATE TABLE file_system_shares (
        id INTEGER PRIMARY KEY AUTOINCREMENT, file_id INTEGER NOT NULL, owner_id INTEGER NOT NULL,
        shared_with_id INTEGER NOT NULL, permission TEXT NOT NULL, created_at TEXT NOT NULL,
        UNIQUE(file_id, shared_with_id)
    );
    CREATE INDEX file_system_shares_with ON file_system_shares (shared_with_id, created_at);
    CREATE INDEX file_system_shares_owner ON file_system_shares (owner_id);
    CREATE TABLE file_system_tags (
        id INTEGER PRIMARY KEY AUTOINCREMENT, file_id INTEGER NOT NULL, owner_id INTEGER NOT NULL, tag TEXT NOT NULL,
        UNIQUE(file_id, tag)
    );
    CREATE INDEX file_system_tags_owner ON file_system_tags (owner_id, tag);
    CREATE TABLE file_system_settings (
        owner_id INTEGER PRIMARY KEY, default_share_permission TEXT NOT NULL, trash_retention_days INTEGER NOT NULL
    );
    """,
)
add_account_apis(app)

ENTRY = {
    "path": "string",
    "name": "string",
    "type": "string",
    "size": 1,
    "created_at": "string",
    "updated_at": "string",
}
FILE = {
    "path": "string",
    "name": "string",
    "content": "string",
    "size": 1,
    "created_at": "string",
    "updated_at": "string",
}
MESSAGE = {"message": "string"}
MOVED = {"message": "string", "path": "string"}
PATH_MAX_CHARS = 1000  # any path argument
PATH = Annotated[str, P("An absolute path, like '/documents/notes.txt'.", min_length=1, max_length=PATH_MAX_CHARS)]
DIRECTORY = Annotated[str, P("An absolute directory path; '/' is the root.", min_length=1, max_length=PATH_MAX_CHARS)]
SOURCE = Annotated[str, P("The absolute path to move or copy from.", min_length=1, max_length=PATH_MAX_CHARS)]
DESTINATION = Annotated[
    str,
    P(
        "The absolute path to move or copy to; an existing directory means 'into it, keeping the name'.",
        min_length=1,
        max_length=PATH_MAX_CHARS,
    ),
]
CONTENT = Annotated[str, P("The text content.", max_length=100_000)]
NAME = Annotated[str, P("A plain name, without a directory.", min_length=1, max_length=255)]


def normalize(path: str, argument: str = "path") -> str:
    """The canonical form of an absolute path, or a 422 naming the argument."""
    if not path.startswith("/"):
        raise ApiError(
            422, f"Invalid argument {argument!r}: {path!r} is not an absolute path (it must start with '/')."
        )
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ApiError(422, f"Invalid argument {argument!r}: '..' is not allowed in paths.")
    return "/" + "/".join(parts)


def plain_name(name: str, argument: str) -> str:
    """`name` if it can be the last part of a path, else a 422."""
    if "/" in name or name in (".", ".."):
        raise ApiError(422, f"Invalid argument {argument!r}: {name!r} must be a plain name (no '/').")
    return name


def under(directory: str) -> tuple[str, tuple[Any, ...]]:
    """SQL (to follow `owner_id = ?`) and its arguments selecting the paths strictly under `directory`."""
    if directory == "/":
        return "", ()
    return " AND path > ? AND path < ?", (directory + "/", directory + "0")


def children_only(directory: str) -> tuple[str, tuple[Any, ...]]:
    """SQL (to follow `under`) keeping only the direct children of `directory`."""
    return " AND instr(substr(path, ?), '/') = 0", (len(directory.rstrip("/")) + 2,)


HAS_SUFFIX = "substr(lower(path), -length(?)) = ?"  # with suffix() twice: the path ends with it


def suffix(extension: str) -> str:
    """The lowercase ending of file names with `extension` ('pdf', '.PDF' -> '.pdf')."""
    return "." + extension.lower().lstrip(".")


def is_dir(ctx: CallContext, path: str) -> bool:
    return path == "/" or bool(
        ctx.value("SELECT 1 FROM file_system_directories WHERE owner_id = ? AND path = ?", ctx.caller, path)
    )


def file_at(ctx: CallContext, path: str) -> dict[str, Any] | None:
    return ctx.row("SELECT * FROM file_system_files WHERE owner_id = ? AND path = ?", ctx.caller, path)


def existing_file(ctx: CallContext, path: str, argument: str = "path") -> dict[str, Any]:
    path = normalize(path, argument)
    found = file_at(ctx, path)
    if found is None:
        raise ApiError(404, f"No file at {path!r}" + (" (that is a directory)." if is_dir(ctx, path) else "."))
    return found


def existing_dir(ctx: CallContext, path: str, argument: str = "path") -> str:
    path = normalize(path, argument)
    if not is_dir(ctx, path):
        raise ApiError(404, f"No directory at {path!r}" + (" (that is a file)." if file_at(ctx, path) else "."))
    return path


def free(ctx: CallContext, path: str, argument: str) -> str:
    """`path` as a place for something new: its parent must exist and nothing may be there."""
    if path == "/" or is_dir(ctx, path) or file_at(ctx, path):
        raise ApiError(409, f"Invalid argument {argument!r}: {path!r} already exists.")
    if not is_dir(ctx, posixpath.dirname(path)):
        raise ApiError(
            404,
            f"Invalid argument {argument!r}: the directory {posixpath.dirname(path)!r} does not exist "
            "(create it with create_directory).",
        )
    return path


def target(ctx: CallContext, source: str, destination: str) -> str:
    """Where `source` lands when moved or copied to `destination` (into it, if it is a directory)."""
    destination = normalize(destination, "destination")
    if is_dir(ctx, destination):
        destination = posixpath.join(destination, posixpath.basename(source))
    return free(ctx, destination, "destination")


def entry(row: dict[str, Any], kind: str) -> dict[str, Any]:
    return {
        "path": row["path"],
        "name": posixpath.basename(row["path"]),
        "type": kind,
        "size": row.get("size", 0),
        "created_at": row["created_at"],
        "updated_at": row.get("updated_at", row["created_at"]),
    }


def file_out(row: dict[str, Any]) -> dict[str, Any]:
    return {**{k: v for k, v in entry(row, "file").items() if k != "type"}, "content": row["content"]}


def tree(ctx: CallContext, directory: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The directories and files strictly under `directory`, by path (files with their size)."""
    where, args = under(directory)
    dirs = ctx.rows(f"SELECT * FROM file_system_directories WHERE owner_id = ?{where} ORDER BY path", ctx.caller, *args)
    return dirs, files_under(ctx, directory)


def files_under(ctx: CallContext, directory: str, limit: int = -1) -> list[dict[str, Any]]:
    """The files strictly under `directory`, by path, with their size; the first `limit` of them if given."""
    where, args = under(directory)
    return ctx.rows(
        f"SELECT *, length(content) AS size FROM file_system_files WHERE owner_id = ?{where} ORDER BY path LIMIT ?",
        ctx.caller,
        *args,
        limit,
    )


def write_new(ctx: CallContext, path: str, content: str, created_at: str | None = None) -> int:
    return ctx.execute(
        "INSERT INTO file_system_files (owner_id, path, content, created_at, updated_at) VALUES (?,?,?,?,?)",
        ctx.caller,
        path,
        content,
        created_at or ctx.timestamp(),
        ctx.timestamp(),
    )


def add_directory(ctx: CallContext, path: str, created_at: str | None = None) -> None:
    ctx.execute(
        "INSERT INTO file_system_directories (owner_id, path, created_at) VALUES (?,?,?)",
        ctx.caller,
        path,
        created_at or ctx.timestamp(),
    )


def make_parents(ctx: CallContext, path: str) -> None:
    """Create every missing directory above `path` (which must not be a file's place)."""
    missing = []
    head = posixpath.dirname(path)
    while not is_dir(ctx, head):
        if file_at(ctx, head):
            raise ApiError(409, f"{head!r} is a file, so nothing can be created inside it.")
        missing.append(head)
        head = posixpath.dirname(head)
    for directory in reversed(missing):
        add_directory(ctx, directory)


def forget_files(ctx: CallContext, file_ids: list[int]) -> None:
    """Drop the shares and tags of files that stop existing (deleted or trashed)."""
    for file_id in file_ids:
        ctx.execute("DELETE FROM file_system_shares WHERE file_id = ?", file_id)
        ctx.execute("DELETE FROM file_system_tags WHERE file_id = ?", file_id)


def remove_tree(ctx: CallContext, directory: str, dirs: list[dict[str, Any]], files: list[dict[str, Any]]) -> None:
    """Delete `directory` with the `dirs` and `files` under it, and what refers to those files."""
    forget_files(ctx, [f["id"] for f in files])
    for row in files:
        ctx.execute("DELETE FROM file_system_files WHERE id = ?", row["id"])
    for row in dirs:
        ctx.execute("DELETE FROM file_system_directories WHERE id = ?", row["id"])
    ctx.execute("DELETE FROM file_system_directories WHERE owner_id = ? AND path = ?", ctx.caller, directory)
