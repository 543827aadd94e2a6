"""file_system: your files and directories: read, write, move, copy, compress, search.

Paths are absolute and POSIX-like ("/documents/taxes/2025.txt"); every person
has their own tree under "/". Directories are explicit rows (the root "/" is
implicit), so an empty directory exists and a file can only live in a
directory that does. Moving keeps a file's row (and its id), copying makes a
new one. A ".zip" archive is a file whose content is the JSON of the paths it
holds (relative to the archive's root) and their contents.
"""

from __future__ import annotations

import json
import posixpath
from datetime import timedelta
from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, App, CallContext, P
from envs.toolworld.apps._accounts import add_account_apis
from envs.toolworld.world.build import WorldBuilder

app = App(
    "file_system",
    "Your files and directories: read, write, move, copy, compress and search.",
    schema="""
    CREATE TABLE file_system_directories (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, path TEXT NOT NULL, created_at TEXT NOT NULL,
        UNIQUE(owner_id, path)
    );
    CREATE TABLE file_system_files (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, path TEXT NOT NULL, content TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE(owner_id, path)
    );
    """,
)
add_account_apis(app)

STORES = (
    "Green Basket",
    "Corner Hardware",
    "Page Turner Books",
    "Fuel Stop",
    "Bean There Cafe",
    "Pet Palace",
    "City Pharmacy",
)
TRIPS = ("lisbon_2025", "camping_2025", "tokyo_2026", "beach_weekend", "grand_canyon")
PROJECTS = ("apollo", "harbor", "lighthouse", "orchard")
DOWNLOADS = (
    "setup_guide.pdf",
    "bank_statement.pdf",
    "concert_ticket.pdf",
    "wallpaper.png",
    "installer.dmg",
    "menu.pdf",
    "boarding_pass.pdf",
)
BASE_DIRS = ("/documents", "/documents/receipts", "/documents/taxes", "/downloads", "/photos", "/work")
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
PATH = Annotated[str, P("An absolute path, like '/documents/notes.txt'.", min_length=1)]
SOURCE = Annotated[str, P("The absolute path to move or copy from.", min_length=1)]
DESTINATION = Annotated[
    str,
    P("The absolute path to move or copy to; an existing directory means 'into it, keeping the name'.", min_length=1),
]
CONTENT = Annotated[str, P("The text content.", max_length=100_000)]


@app.populator
def populate(w: WorldBuilder) -> None:
    rng = w.rng("file_system")
    by_id = {p.id: p for p in w.people}
    for person in w.people:

        def stamp(days: int) -> str:
            return (w.now - timedelta(days=days, minutes=rng.randint(0, 1440))).isoformat(timespec="seconds")

        trips = rng.sample(TRIPS, rng.randint(1, 3))
        projects = rng.sample(PROJECTS, rng.randint(1, 2))
        dirs = [*BASE_DIRS, *(f"/photos/{t}" for t in trips), *(f"/work/{p}" for p in projects)] + (
            ["/backups"] if rng.random() < 0.4 else []
        )
        w.insert(
            "file_system_directories",
            [{"owner_id": person.id, "path": d, "created_at": stamp(400)} for d in sorted(dirs)],
        )
        files: dict[str, tuple[str, int]] = {}  # path -> (content, age in days)
        for _ in range(rng.randint(3, 9)):
            day = w.now.date() - timedelta(days=rng.randint(1, 200))
            total = round(rng.uniform(4, 180), 2)
            folder = "/downloads" if rng.random() < 0.35 else "/documents/receipts"
            files[f"{folder}/receipt_{day.isoformat()}_{rng.randint(10, 99)}.txt"] = (
                f"Store: {rng.choice(STORES)}\nDate: {day.isoformat()}\nTotal: ${total:.2f}",
                (w.now.date() - day).days,
            )
        for year in (2024, 2025):
            files[f"/documents/taxes/w2_{year}.txt"] = (
                f"W-2 {year}\nEmployer: {rng.choice(PROJECTS).title()} Inc.\nWages: ${rng.randint(30, 160) * 1000}",
                rng.randint(100, 500),
            )
        for trip in trips:
            for i in range(rng.randint(2, 9)):
                ext = "jpeg" if rng.random() < 0.3 else "jpg"
                files[f"/photos/{trip}/IMG_{rng.randint(1000, 9999)}_{i}.{ext}"] = (
                    f"<image {trip} #{i}, {rng.choice(('3024x4032', '4032x3024'))}>",
                    rng.randint(30, 300),
                )
        for project in projects:
            files[f"/work/{project}/report.txt"] = (
                f"{project.title()} status report\nProgress: {rng.randint(10, 95)}%\n"
                f"Risks: {rng.choice(('none', 'budget', 'staffing'))}",
                rng.randint(1, 60),
            )
            files[f"/work/{project}/budget.csv"] = (
                "item,amount\n"
                + "\n".join(f"{k},{rng.randint(100, 5000)}" for k in ("travel", "hardware", "software")),
                rng.randint(1, 90),
            )
        for name in rng.sample(DOWNLOADS, rng.randint(1, 5)):
            files[f"/downloads/{name}"] = (f"<{name}>", rng.randint(1, 400))
        family = [by_id[i] for i in w.related(person.id, ("family", "roommate"))]
        if family:
            files["/documents/emergency_contacts.txt"] = (
                "\n".join(f"{p.first_name} {p.last_name}: {p.phone_number}" for p in family),
                rng.randint(50, 300),
            )
        friends = [by_id[i] for i in w.related(person.id, ("friend",))]
        if len(friends) >= 2:
            lines = [
                f"{p.first_name} {p.last_name}: ${rng.randint(8, 45)}.{rng.choice(('00', '50'))}"
                for p in rng.sample(friends, min(len(friends), rng.randint(2, 3)))
            ]
            files["/documents/dinner_split.txt"] = (
                "Money I owe from the group dinner\n" + "\n".join(lines),
                rng.randint(1, 20),
            )
        w.insert(
            "file_system_files",
            [
                {"owner_id": person.id, "path": p, "content": c, "created_at": stamp(age + 1), "updated_at": stamp(age)}
                for p, (c, age) in sorted(files.items())
            ],
        )


def normalize(path: str, argument: str = "path") -> str:
    """The canonical form of an absolute path, or a 422 naming the argument."""
    if not isinstance(path, str) or not path.startswith("/"):
        raise ApiError(
            422, f"Invalid argument {argument!r}: {path!r} is not an absolute path (it must start with '/')."
        )
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ApiError(422, f"Invalid argument {argument!r}: '..' is not allowed in paths.")
    return "/" + "/".join(parts)


def _inside(path: str, directory: str) -> bool:
    return directory == "/" or path.startswith(directory + "/")


def _is_dir(ctx: CallContext, path: str) -> bool:
    return path == "/" or bool(
        ctx.value("SELECT 1 FROM file_system_directories WHERE owner_id = ? AND path = ?", ctx.user_id, path)
    )


def _file(ctx: CallContext, path: str) -> dict[str, Any] | None:
    return ctx.row("SELECT * FROM file_system_files WHERE owner_id = ? AND path = ?", ctx.user_id, path)


def _existing_file(ctx: CallContext, path: str, argument: str = "path") -> dict[str, Any]:
    found = _file(ctx, normalize(path, argument))
    if found is None:
        raise ApiError(
            404,
            f"No file at {normalize(path, argument)!r}"
            + (" (that is a directory)." if _is_dir(ctx, normalize(path, argument)) else "."),
        )
    return found


def _existing_dir(ctx: CallContext, path: str, argument: str = "path") -> str:
    path = normalize(path, argument)
    if not _is_dir(ctx, path):
        raise ApiError(404, f"No directory at {path!r}.")
    return path


def _free(ctx: CallContext, path: str, argument: str) -> str:
    """`path` as a place for something new: its parent must exist and nothing may be there."""
    if path == "/" or _is_dir(ctx, path) or _file(ctx, path):
        raise ApiError(409, f"Invalid argument {argument!r}: {path!r} already exists.")
    if not _is_dir(ctx, posixpath.dirname(path)):
        raise ApiError(
            404,
            f"Invalid argument {argument!r}: the directory {posixpath.dirname(path)!r} does not exist "
            "(create it with create_directory).",
        )
    return path


def _target(ctx: CallContext, source: str, destination: str) -> str:
    destination = normalize(destination, "destination")
    if _is_dir(ctx, destination):
        destination = posixpath.join(destination, posixpath.basename(source))
    return _free(ctx, destination, "destination")


def _entry(row: dict[str, Any], kind: str) -> dict[str, Any]:
    return {
        "path": row["path"],
        "name": posixpath.basename(row["path"]),
        "type": kind,
        "size": len(row.get("content", "")),
        "created_at": row["created_at"],
        "updated_at": row.get("updated_at", row["created_at"]),
    }


def _file_out(row: dict[str, Any]) -> dict[str, Any]:
    return {**{k: v for k, v in _entry(row, "file").items() if k != "type"}, "content": row["content"]}


def _tree(ctx: CallContext, directory: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The directories and files strictly under `directory`."""
    dirs = [
        r
        for r in ctx.rows("SELECT * FROM file_system_directories WHERE owner_id = ? ORDER BY path", ctx.user_id)
        if _inside(r["path"], directory) and r["path"] != directory
    ]
    files = [
        r
        for r in ctx.rows("SELECT * FROM file_system_files WHERE owner_id = ? ORDER BY path", ctx.user_id)
        if _inside(r["path"], directory)
    ]
    return dirs, files


@app.api("GET", "/directories", [ENTRY], paginated=True)
def show_directory(
    ctx: CallContext,
    path: Annotated[str, P("The directory to list.", min_length=1)] = "/",
    recursive: Annotated[bool, P("Also list everything in its subdirectories.")] = False,
    entry_type: Annotated[Literal["file", "directory"] | None, P("Only files or only directories.")] = None,
    sort_by: Annotated[Literal["path", "-updated_at", "-size"], P("Order of the entries.")] = "path",
) -> list[dict[str, Any]]:
    """List what a directory holds."""
    directory = _existing_dir(ctx, path)
    dirs, files = _tree(ctx, directory)
    entries = [_entry(d, "directory") for d in dirs] + [_entry(f, "file") for f in files]
    if not recursive:
        entries = [e for e in entries if posixpath.dirname(e["path"]) == directory]
    if entry_type is not None:
        entries = [e for e in entries if e["type"] == entry_type]
    key = {
        "path": lambda e: e["path"],
        "-updated_at": lambda e: (e["updated_at"], e["path"]),
        "-size": lambda e: (e["size"], e["path"]),
    }[sort_by]
    return sorted(entries, key=key, reverse=sort_by != "path")


@app.api("POST", "/directories", MESSAGE)
def create_directory(
    ctx: CallContext, path: PATH, parents: Annotated[bool, P("Also create missing parent directories.")] = False
) -> dict[str, str]:
    """Create a directory."""
    path = normalize(path)
    missing = []
    head = path
    while parents and head != "/" and not _is_dir(ctx, posixpath.dirname(head)):
        head = posixpath.dirname(head)
        missing.append(head)
    for directory in [*reversed(missing), path]:
        if _file(ctx, directory):
            raise ApiError(409, f"{directory!r} is a file.")
        _free(ctx, directory, "path")
        ctx.execute(
            "INSERT INTO file_system_directories (owner_id, path, created_at) VALUES (?,?,?)",
            ctx.user_id,
            directory,
            ctx.timestamp(),
        )
    return {"message": f"Directory {path} created."}


@app.api("DELETE", "/directories", MESSAGE)
def delete_directory(
    ctx: CallContext,
    path: PATH,
    recursive: Annotated[bool, P("Also delete everything inside; needed when it is not empty.")] = False,
) -> dict[str, str]:
    """Delete a directory."""
    directory = _existing_dir(ctx, path)
    if directory == "/":
        raise ApiError(422, "Invalid argument 'path': the root directory cannot be deleted.")
    dirs, files = _tree(ctx, directory)
    if (dirs or files) and not recursive:
        raise ApiError(
            409,
            f"{directory!r} is not empty ({len(dirs)} directories, {len(files)} files); "
            "pass recursive=True to delete it all.",
        )
    for row in files:
        ctx.execute("DELETE FROM file_system_files WHERE id = ?", row["id"])
    for row in dirs:
        ctx.execute("DELETE FROM file_system_directories WHERE id = ?", row["id"])
    ctx.execute("DELETE FROM file_system_directories WHERE owner_id = ? AND path = ?", ctx.user_id, directory)
    return {"message": f"Directory {directory} deleted."}


def _plan_transfer(
    ctx: CallContext, source: str, destination: str
) -> tuple[str, str, list[dict[str, Any]], list[dict[str, Any]]]:
    """For moving or copying a directory: its path, where it goes, and the directories and files it holds."""
    source = _existing_dir(ctx, source, "source")
    target = _target(ctx, source, destination)
    if _inside(target, source):
        raise ApiError(422, f"Invalid argument 'destination': cannot put {source!r} inside itself.")
    return source, target, *_tree(ctx, source)


@app.api("POST", "/directories/move", {"message": "string", "path": "string"})
def move_directory(ctx: CallContext, source: SOURCE, destination: DESTINATION) -> dict[str, str]:
    """Move (or rename) a directory with everything in it."""
    source, target, dirs, files = _plan_transfer(ctx, source, destination)
    for table, rows in (("file_system_directories", dirs), ("file_system_files", files)):
        for row in rows:
            ctx.execute(f"UPDATE {table} SET path = ? WHERE id = ?", target + row["path"][len(source) :], row["id"])
    ctx.execute(
        "UPDATE file_system_directories SET path = ? WHERE owner_id = ? AND path = ?", target, ctx.user_id, source
    )
    return {"message": "Directory moved.", "path": target}


@app.api("POST", "/directories/copy", {"message": "string", "path": "string"})
def copy_directory(ctx: CallContext, source: SOURCE, destination: DESTINATION) -> dict[str, str]:
    """Copy a directory with everything in it."""
    source, target, dirs, files = _plan_transfer(ctx, source, destination)
    for path in [target, *(target + d["path"][len(source) :] for d in dirs)]:
        ctx.execute(
            "INSERT INTO file_system_directories (owner_id, path, created_at) VALUES (?,?,?)",
            ctx.user_id,
            path,
            ctx.timestamp(),
        )
    for row in files:
        _write_new(ctx, target + row["path"][len(source) :], row["content"])
    return {"message": "Directory copied.", "path": target}


def _write_new(ctx: CallContext, path: str, content: str) -> int:
    return ctx.execute(
        "INSERT INTO file_system_files (owner_id, path, content, created_at, updated_at) VALUES (?,?,?,?,?)",
        ctx.user_id,
        path,
        content,
        ctx.timestamp(),
        ctx.timestamp(),
    )


@app.api("GET", "/files", FILE)
def show_file(ctx: CallContext, path: PATH) -> dict[str, Any]:
    """Show a file with its content."""
    return _file_out(_existing_file(ctx, path))


@app.api("POST", "/files", {"message": "string", "path": "string"})
def create_file(ctx: CallContext, path: PATH, content: CONTENT = "") -> dict[str, str]:
    """Create a new file; its directory must exist."""
    target = _free(ctx, normalize(path), "path")
    _write_new(ctx, target, content)
    return {"message": "File created.", "path": target}


@app.api("PUT", "/files", MESSAGE)
def update_file(ctx: CallContext, path: PATH, content: CONTENT) -> dict[str, str]:
    """Replace the content of a file."""
    row = _existing_file(ctx, path)
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
        P("Text to add at the end; a line break is put before it when the file does not end with one.", min_length=1),
    ],
) -> dict[str, str]:
    """Add text at the end of a file."""
    row = _existing_file(ctx, path)
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
    """Delete a file."""
    ctx.execute("DELETE FROM file_system_files WHERE id = ?", _existing_file(ctx, path)["id"])
    return {"message": "File deleted."}


@app.api("POST", "/files/move", {"message": "string", "path": "string"})
def move_file(ctx: CallContext, source: SOURCE, destination: DESTINATION) -> dict[str, str]:
    """Move a file to another path or into a directory."""
    row = _existing_file(ctx, source, "source")
    target = _target(ctx, row["path"], destination)
    ctx.execute("UPDATE file_system_files SET path = ? WHERE id = ?", target, row["id"])
    return {"message": "File moved.", "path": target}


@app.api("POST", "/files/copy", {"message": "string", "path": "string"})
def copy_file(ctx: CallContext, source: SOURCE, destination: DESTINATION) -> dict[str, str]:
    """Copy a file to another path or into a directory."""
    row = _existing_file(ctx, source, "source")
    target = _target(ctx, row["path"], destination)
    _write_new(ctx, target, row["content"])
    return {"message": "File copied.", "path": target}


@app.api("POST", "/files/rename", {"message": "string", "path": "string"})
def rename_file(
    ctx: CallContext,
    path: PATH,
    new_name: Annotated[str, P("The new file name, without a directory.", min_length=1, max_length=255)],
) -> dict[str, str]:
    """Rename a file, keeping it in its directory."""
    if "/" in new_name or new_name in (".", ".."):
        raise ApiError(422, f"Invalid argument 'new_name': {new_name!r} must be a plain file name (no '/').")
    row = _existing_file(ctx, path)
    target = _free(ctx, posixpath.join(posixpath.dirname(row["path"]), new_name), "new_name")
    ctx.execute("UPDATE file_system_files SET path = ? WHERE id = ?", target, row["id"])
    return {"message": "File renamed.", "path": target}


@app.api("GET", "/files/search", [ENTRY], paginated=True)
def search_files(
    ctx: CallContext,
    query: Annotated[
        str, P("Words that must all appear in the file's name; empty matches all.", max_length=QUERY_MAX_CHARS)
    ] = "",
    directory: Annotated[str, P("Only files under this directory (at any depth).", min_length=1)] = "/",
    extension: Annotated[str | None, P("Only files with this extension, like 'txt' (no dot).")] = None,
    modified_after: Annotated[str | None, P("Only files last changed on or after this date (YYYY-MM-DD).")] = None,
) -> list[dict[str, Any]]:
    """Find files by name, place, extension or date, ordered by path."""
    directory = _existing_dir(ctx, directory, "directory")
    _, files = _tree(ctx, directory)
    words = query.lower().split()
    out = [f for f in files if all(w in posixpath.basename(f["path"]).lower() for w in words)]
    if extension is not None:
        out = [f for f in out if f["path"].lower().endswith("." + extension.lower().lstrip("."))]
    if modified_after is not None:
        out = [f for f in out if f["updated_at"][:10] >= modified_after]
    return [_entry(f, "file") for f in out]


@app.api("GET", "/files/grep", [{"path": "string", "line_number": 1, "line": "string"}], paginated=True)
def search_file_contents(
    ctx: CallContext,
    text: Annotated[str, P("Text to find (case-insensitive) in the lines of files.", min_length=1)],
    directory: Annotated[str, P("Only files under this directory.", min_length=1)] = "/",
) -> list[dict[str, Any]]:
    """Find the lines of your files that contain some text."""
    _, files = _tree(ctx, _existing_dir(ctx, directory, "directory"))
    return [
        {"path": f["path"], "line_number": i, "line": line}
        for f in files
        for i, line in enumerate(f["content"].splitlines(), start=1)
        if text.lower() in line.lower()
    ]


def _archive_path(path: str, argument: str) -> str:
    path = normalize(path, argument)
    if not path.endswith(".zip"):
        raise ApiError(422, f"Invalid argument {argument!r}: an archive's name must end in '.zip', got {path!r}.")
    return path


@app.api("POST", "/archives", {"message": "string", "path": "string", "file_count": 1})
def compress(
    ctx: CallContext,
    paths: Annotated[list[str], P("Files and directories to put in the archive.", min_length=1)],
    archive_path: Annotated[str, P("Where to write the archive; must end in '.zip'.", min_length=1)],
) -> dict[str, Any]:
    """Compress files and directories into a new .zip archive; the originals stay."""
    target = _free(ctx, _archive_path(archive_path, "archive_path"), "archive_path")
    members: dict[str, str] = {}
    for i, given in enumerate(paths):
        path = normalize(given, f"paths[{i}]")
        base = posixpath.dirname(path)
        if _is_dir(ctx, path) and path != "/":
            _, files = _tree(ctx, path)
            members.update({f["path"][len(base) :].lstrip("/"): f["content"] for f in files})
        elif (row := _file(ctx, path)) is not None:
            members[posixpath.basename(path)] = row["content"]
        else:
            raise ApiError(404, f"Invalid argument 'paths[{i}]': nothing at {path!r}.")
    _write_new(ctx, target, json.dumps(members, sort_keys=True))
    return {"message": "Archive created.", "path": target, "file_count": len(members)}


def _members(ctx: CallContext, archive_path: str) -> dict[str, str]:
    """The files of an archive; any file can be named *.zip, so its content is checked, not trusted."""
    row = _existing_file(ctx, _archive_path(archive_path, "archive_path"), "archive_path")
    try:
        members = json.loads(row["content"])
    except (ValueError, RecursionError):  # a hand-written "archive" may nest arbitrarily deep
        members = None
    if not isinstance(members, dict) or not all(isinstance(c, str) for c in members.values()):
        raise ApiError(422, f"Invalid argument 'archive_path': {row['path']!r} is not a valid archive.")
    return members


@app.api("GET", "/archives", [{"path": "string", "size": 1}], paginated=True)
def show_archive_contents(
    ctx: CallContext, archive_path: Annotated[str, P("The .zip archive.", min_length=1)]
) -> list[dict[str, Any]]:
    """List the files inside a .zip archive."""
    return [{"path": p, "size": len(c)} for p, c in sorted(_members(ctx, archive_path).items())]


@app.api("POST", "/archives/extract", {"message": "string", "file_count": 1})
def decompress(
    ctx: CallContext,
    archive_path: Annotated[str, P("The .zip archive.", min_length=1)],
    destination: Annotated[str, P("An existing directory to extract into.", min_length=1)],
) -> dict[str, Any]:
    """Extract a .zip archive into a directory, creating the subdirectories it needs; nothing is overwritten."""
    members = _members(ctx, archive_path)
    root = _existing_dir(ctx, destination, "destination")
    targets = {posixpath.join(root, p): c for p, c in members.items()}
    clashes = [t for t in targets if _file(ctx, t) or _is_dir(ctx, t)]
    if clashes:
        raise ApiError(409, f"Extracting would overwrite {clashes[:3]}; choose another destination.")
    for path, content in sorted(targets.items()):
        parent = posixpath.dirname(path)
        if not _is_dir(ctx, parent):
            create_directory(ctx, parent, parents=True)
        _write_new(ctx, path, content)
    return {"message": "Archive extracted.", "file_count": len(targets)}


@app.api("GET", "/usage", {"directories": 1, "files": 1, "total_size": 1})
def show_disk_usage(
    ctx: CallContext, path: Annotated[str, P("The directory to measure.", min_length=1)] = "/"
) -> dict[str, int]:
    """Count the directories, files and bytes under a directory."""
    dirs, files = _tree(ctx, _existing_dir(ctx, path))
    return {"directories": len(dirs), "files": len(files), "total_size": sum(len(f["content"]) for f in files)}
