"""file_system: your files and directories: read, write, move, copy, compress, search, share and trash.

This module holds the directory and file APIs; the app object and path rules are in
_file_system_base, and the other features register on the same app from their own modules
(imported at the end): archives, trash, sharing, organizing (stars, tags, settings), text tools
and the world's data. Moving keeps a file's row (and its id), copying makes a new one.
"""

from __future__ import annotations

import posixpath
from typing import Annotated, Any, Literal

from envs.toolworld.api import MAX_STORED_CHARS, QUERY_MAX_CHARS, ApiError, CallContext, P, Page
from envs.toolworld.apps import (  # noqa: F401 (importing them registers their APIs on `app`)
    _file_system_archives,
    _file_system_data,
    _file_system_organize,
    _file_system_sharing,
    _file_system_text,
    _file_system_trash,
)
from envs.toolworld.apps._day_args import DAY_DOC, day_arg
from envs.toolworld.apps._file_system_base import (
    CONTENT,
    DESTINATION,
    DIRECTORY,
    ENTRY,
    FILE,
    HAS_SUFFIX,
    MESSAGE,
    MOVED,
    NAME,
    PATH,
    SOURCE,
    add_directory,
    app,
    children_only,
    entry,
    existing_dir,
    existing_file,
    file_out,
    forget_files,
    free,
    make_parents,
    normalize,
    plain_name,
    remove_tree,
    suffix,
    target,
    tree,
    under,
    write_new,
)
from envs.toolworld.apps._sql_page import sql_page
from envs.toolworld.apps._text_search import search_words

SORTS = {
    "path": "path",
    "name": "name COLLATE NOCASE, path",
    "-updated_at": "updated_at DESC, path DESC",
    "updated_at": "updated_at, path",
    "-size": "size DESC, path DESC",
    "size": "size, path",
}
Sort = Literal["path", "name", "-updated_at", "updated_at", "-size", "size"]


def _listing_sql(kind: Literal["file", "directory"], where: str) -> str:
    size = "length(content)" if kind == "file" else "0"
    updated = "updated_at" if kind == "file" else "created_at"
    table = "file_system_files" if kind == "file" else "file_system_directories"
    return (
        f"SELECT path, '{kind}' AS type, {size} AS size, created_at, {updated} AS updated_at, "
        f"replace(path, rtrim(path, replace(path, '/', '')), '') AS name FROM {table} WHERE owner_id = ?{where}"
    )


@app.api("GET", "/directories", [ENTRY], paginated=True)
def show_directory(
    ctx: CallContext,
    path: DIRECTORY = "/",
    recursive: Annotated[bool, P("Also list everything in its subdirectories.")] = False,
    entry_type: Annotated[Literal["file", "directory"] | None, P("Only files or only directories.")] = None,
    sort_by: Annotated[Sort, P("Order of the entries; '-' means largest or newest first.")] = "path",
) -> Page:
    """List what a directory holds."""
    directory = existing_dir(ctx, path)
    where, args = under(directory)
    if not recursive:
        only, more = children_only(directory)
        where, args = where + only, (*args, *more)
    parts = [(kind, _listing_sql(kind, where)) for kind in ("directory", "file") if entry_type in (None, kind)]
    sql = " UNION ALL ".join(sql for _, sql in parts)
    return sql_page(
        ctx,
        f"SELECT * FROM ({sql})",
        SORTS[sort_by],
        *[a for _ in parts for a in (ctx.caller, *args)],
        shape=lambda r: {k: r[k] for k in ENTRY},
    )


@app.api("POST", "/directories", MESSAGE)
def create_directory(
    ctx: CallContext, path: PATH, parents: Annotated[bool, P("Also create missing parent directories.")] = False
) -> dict[str, str]:
    """Create a directory."""
    path = normalize(path)
    if parents and path != "/":
        make_parents(ctx, path)
    add_directory(ctx, free(ctx, path, "path"))
    return {"message": f"Directory {path} created."}


@app.api("DELETE", "/directories", MESSAGE)
def delete_directory(
    ctx: CallContext,
    path: PATH,
    recursive: Annotated[bool, P("Also delete everything inside; needed when it is not empty.")] = False,
) -> dict[str, str]:
    """Delete a directory for good (see move_to_trash to keep a way back)."""
    directory = existing_dir(ctx, path)
    if directory == "/":
        raise ApiError(422, "Invalid argument 'path': the root directory cannot be deleted.")
    dirs, files = tree(ctx, directory)
    if (dirs or files) and not recursive:
        raise ApiError(
            409,
            f"{directory!r} is not empty ({len(dirs)} directories, {len(files)} files); "
            "pass recursive=True to delete it all.",
        )
    remove_tree(ctx, directory, dirs, files)
    return {"message": f"Directory {directory} deleted."}


def _plan_transfer(
    ctx: CallContext, source: str, destination: str
) -> tuple[str, str, list[dict[str, Any]], list[dict[str, Any]]]:
    """For moving or copying a directory: its path, where it goes, and the directories and files it holds."""
    source = existing_dir(ctx, source, "source")
    if source == "/":
        raise ApiError(422, "Invalid argument 'source': the root directory cannot be moved or copied.")
    place = target(ctx, source, destination)
    if place.startswith(source + "/"):
        raise ApiError(422, f"Invalid argument 'destination': cannot put {source!r} inside itself.")
    return source, place, *tree(ctx, source)


def _relocate(
    ctx: CallContext, source: str, place: str, dirs: list[dict[str, Any]], files: list[dict[str, Any]]
) -> None:
    for table, rows in (("file_system_directories", dirs), ("file_system_files", files)):
        for row in rows:
            ctx.execute(f"UPDATE {table} SET path = ? WHERE id = ?", place + row["path"][len(source) :], row["id"])
    ctx.execute(
        "UPDATE file_system_directories SET path = ? WHERE owner_id = ? AND path = ?", place, ctx.caller, source
    )


@app.api("POST", "/directories/move", MOVED)
def move_directory(ctx: CallContext, source: SOURCE, destination: DESTINATION) -> dict[str, str]:
    """Move (or rename) a directory with everything in it."""
    source, place, dirs, files = _plan_transfer(ctx, source, destination)
    _relocate(ctx, source, place, dirs, files)
    return {"message": "Directory moved.", "path": place}


@app.api("POST", "/directories/rename", MOVED)
def rename_directory(ctx: CallContext, path: PATH, new_name: NAME) -> dict[str, str]:
    """Rename a directory, keeping it (and everything in it) where it is."""
    directory = existing_dir(ctx, path)
    if directory == "/":
        raise ApiError(422, "Invalid argument 'path': the root directory cannot be renamed.")
    place = free(ctx, posixpath.join(posixpath.dirname(directory), plain_name(new_name, "new_name")), "new_name")
    _relocate(ctx, directory, place, *tree(ctx, directory))
    return {"message": "Directory renamed.", "path": place}


@app.api("POST", "/directories/copy", MOVED)
def copy_directory(ctx: CallContext, source: SOURCE, destination: DESTINATION) -> dict[str, str]:
    """Copy a directory with everything in it."""
    source, place, dirs, files = _plan_transfer(ctx, source, destination)
    for path in [place, *(place + d["path"][len(source) :] for d in dirs)]:
        add_directory(ctx, path)
    for row in files:
        write_new(ctx, place + row["path"][len(source) :], row["content"])
    return {"message": "Directory copied.", "path": place}


@app.api("GET", "/files", FILE)
def show_file(ctx: CallContext, path: PATH) -> dict[str, Any]:
    """Show a file with its content."""
    return file_out({**(row := existing_file(ctx, path)), "size": len(row["content"])})


@app.api("POST", "/files", MOVED)
def create_file(
    ctx: CallContext,
    path: PATH,
    content: CONTENT = "",
    parents: Annotated[bool, P("Also create missing parent directories.")] = False,
) -> dict[str, str]:
    """Create a new file; its directory must exist unless `parents` is true."""
    path = normalize(path)
    if parents and path != "/":
        make_parents(ctx, path)
    write_new(ctx, free(ctx, path, "path"), content)
    return {"message": "File created.", "path": path}


@app.api("PUT", "/files", MESSAGE)
def update_file(ctx: CallContext, path: PATH, content: CONTENT) -> dict[str, str]:
    """Replace the content of a file."""
    row = existing_file(ctx, path)
    ctx.execute(
        "UPDATE file_system_files SET content = ?, updated_at = ? WHERE id = ?", content, ctx.timestamp(), row["id"]
    )
    return {"message": "File updated."}


@app.api("PATCH", "/files/append", MESSAGE)
def append_to_file(
    ctx: CallContext,
    path: PATH,
    content: Annotated[
        str,
        P(
            "Text to add at the end; a line break is put before it when the file does not end with one.",
            min_length=1,
            max_length=100_000,
        ),
    ],
) -> dict[str, str]:
    """Add text at the end of a file."""
    row = existing_file(ctx, path)
    joiner = "\n" if row["content"] and not row["content"].endswith("\n") else ""
    ctx.execute(
        "UPDATE file_system_files SET content = ?, updated_at = ? WHERE id = ?",
        row["content"] + joiner + content,
        ctx.timestamp(),
        row["id"],
    )
    return {"message": "Text appended."}


@app.api("DELETE", "/files", MESSAGE)
def delete_file(ctx: CallContext, path: PATH) -> dict[str, str]:
    """Delete a file for good (see move_to_trash to keep a way back)."""
    row = existing_file(ctx, path)
    forget_files(ctx, [row["id"]])
    ctx.execute("DELETE FROM file_system_files WHERE id = ?", row["id"])
    return {"message": "File deleted."}


@app.api("POST", "/files/move", MOVED)
def move_file(ctx: CallContext, source: SOURCE, destination: DESTINATION) -> dict[str, str]:
    """Move a file to another path or into a directory."""
    row = existing_file(ctx, source, "source")
    place = target(ctx, row["path"], destination)
    ctx.execute("UPDATE file_system_files SET path = ? WHERE id = ?", place, row["id"])
    return {"message": "File moved.", "path": place}


@app.api("POST", "/files/copy", MOVED)
def copy_file(ctx: CallContext, source: SOURCE, destination: DESTINATION) -> dict[str, str]:
    """Copy a file to another path or into a directory."""
    row = existing_file(ctx, source, "source")
    place = target(ctx, row["path"], destination)
    write_new(ctx, place, row["content"])
    return {"message": "File copied.", "path": place}


@app.api("POST", "/files/rename", MOVED)
def rename_file(ctx: CallContext, path: PATH, new_name: NAME) -> dict[str, str]:
    """Rename a file, keeping it in its directory."""
    plain_name(new_name, "new_name")
    row = existing_file(ctx, path)
    place = free(ctx, posixpath.join(posixpath.dirname(row["path"]), new_name), "new_name")
    ctx.execute("UPDATE file_system_files SET path = ? WHERE id = ?", place, row["id"])
    return {"message": "File renamed.", "path": place}


@app.api("GET", "/files/search", [ENTRY], paginated=True)
def search_files(
    ctx: CallContext,
    query: Annotated[
        str, P("Words that must all appear in the file's name; empty matches all.", max_length=QUERY_MAX_CHARS)
    ] = "",
    directory: Annotated[
        str, P("Only files under this directory (at any depth).", min_length=1, max_length=1000)
    ] = "/",
    extension: Annotated[str | None, P("Only files with this extension, like 'txt' (no dot).", max_length=20)] = None,
    modified_after: Annotated[
        str | None, P(f"Only files last changed on or after this date ({DAY_DOC}).", max_length=10)
    ] = None,
    modified_before: Annotated[
        str | None, P(f"Only files last changed before this date ({DAY_DOC}).", max_length=10)
    ] = None,
    min_size: Annotated[int | None, P("Only files of at least this many bytes.", ge=0, le=MAX_STORED_CHARS)] = None,
    max_size: Annotated[int | None, P("Only files of at most this many bytes.", ge=0, le=MAX_STORED_CHARS)] = None,
    sort_by: Annotated[Sort, P("Order of the results; '-' means largest or newest first.")] = "path",
) -> Page:
    """Find files by name, place, extension, date or size."""
    root = existing_dir(ctx, directory, "directory")
    where, args = under(root)
    clauses, values = [where], list[Any](args)
    for word in search_words(query):  # the SQL narrows on the path; the name is checked below
        clauses.append(" AND instr(lower(path), ?) > 0")
        values.append(word)
    if extension is not None:
        clauses.append(" AND " + HAS_SUFFIX)
        values += [suffix(extension)] * 2
    for sql, value in (
        (" AND updated_at >= ?", day_arg("modified_after", modified_after)),
        (" AND updated_at < ?", day_arg("modified_before", modified_before)),
        (" AND length(content) >= ?", min_size),
        (" AND length(content) <= ?", max_size),
    ):
        if value is not None:
            clauses.append(sql)
            values.append(value)
    listing = f"SELECT * FROM ({_listing_sql('file', ''.join(clauses))})"
    words = search_words(query)
    if not words:
        return sql_page(ctx, listing, SORTS[sort_by], ctx.caller, *values, shape=lambda r: entry(r, "file"))
    # The name test is Python's lower(), which SQLite's (ASCII only) cannot reproduce: the matching rows are
    # streamed and counted, and only the page's are kept, so 28,000 files never sit in memory at once.
    limit, offset = ctx.page_window()
    cursor = ctx.conn.execute(f"{listing} ORDER BY {SORTS[sort_by]}", (ctx.caller, *values))
    names = [d[0] for d in cursor.description]
    at_name, page, total = names.index("name"), list[dict[str, Any]](), 0
    for found in cursor:
        if all(w in found[at_name].lower() for w in words):
            if offset <= total < offset + limit:
                page.append(entry(dict(zip(names, found, strict=True)), "file"))
            total += 1
    return Page(page, total)


@app.api("GET", "/files/grep", [{"path": "string", "line_number": 1, "line": "string"}], paginated=True)
def search_file_contents(
    ctx: CallContext,
    text: Annotated[
        str, P("Text to find (case-insensitive) in the lines of files.", min_length=1, max_length=QUERY_MAX_CHARS)
    ],
    directory: Annotated[str, P("Only files under this directory.", min_length=1, max_length=1000)] = "/",
    extension: Annotated[str | None, P("Only files with this extension, like 'txt' (no dot).", max_length=20)] = None,
) -> Page:
    """Find the lines of your files that contain some text."""
    where, args = under(existing_dir(ctx, directory, "directory"))
    needle = text.lower()
    files = ctx.rows(
        f"SELECT path, content FROM file_system_files WHERE owner_id = ?{where} AND instr(lower(content), ?) > 0 "
        "ORDER BY path",
        ctx.caller,
        *args,
        needle,
    )
    ending = None if extension is None else suffix(extension)
    hits = (
        (f["path"], i, line)
        for f in files
        if ending is None or f["path"].lower().endswith(ending)
        for i, line in enumerate(f["content"].splitlines(), start=1)
        if needle in line.lower()
    )
    # only the page is built, the rest counted: 33 files of 50,000 one-letter lines matched 1.65M lines, and
    # building them all for a page of 20 took 380 MB in the env
    limit, offset = ctx.page_window()
    page, total = [], 0
    for path, i, line in hits:
        if offset <= total < offset + limit:
            page.append({"path": path, "line_number": i, "line": line})
        total += 1
    return Page(page, total)


@app.api("GET", "/usage", {"directories": 1, "files": 1, "total_size": 1})
def show_disk_usage(ctx: CallContext, path: DIRECTORY = "/") -> dict[str, int]:
    """Count the directories, files and bytes under a directory."""
    where, args = under(existing_dir(ctx, path))
    return {
        "directories": ctx.value(
            f"SELECT COUNT(*) FROM file_system_directories WHERE owner_id = ?{where}", ctx.caller, *args
        ),
        **ctx.existing_row(
            f"SELECT COUNT(*) AS files, COALESCE(SUM(length(content)), 0) AS total_size FROM file_system_files "
            f"WHERE owner_id = ?{where}",
            ctx.caller,
            *args,
        ),
    }


@app.api("GET", "/usage/directories", [{"path": "string", "files": 1, "total_size": 1}], paginated=True)
def show_disk_usage_by_directory(
    ctx: CallContext,
    path: DIRECTORY = "/",
    sort_by: Annotated[Literal["path", "-total_size", "-files"], P("Order of the subdirectories.")] = "-total_size",
) -> list[dict[str, Any]]:
    """Break down the space used under a directory by its direct subdirectories (each counted with all it holds)."""
    directory = existing_dir(ctx, path)
    where, args = under(directory)
    only, more = children_only(directory)
    subdirs = ctx.rows(
        f"SELECT path FROM file_system_directories WHERE owner_id = ?{where}{only} ORDER BY path",
        ctx.caller,
        *args,
        *more,
    )
    out = []
    for d in subdirs:
        inner, inner_args = under(d["path"])
        out.append(
            {
                "path": d["path"],
                **ctx.existing_row(
                    "SELECT COUNT(*) AS files, COALESCE(SUM(length(content)), 0) AS total_size "
                    f"FROM file_system_files WHERE owner_id = ?{inner}",
                    ctx.caller,
                    *inner_args,
                ),
            }
        )
    if sort_by != "path":
        out.sort(key=lambda u: (-u[sort_by[1:]], u["path"]))
    return out
