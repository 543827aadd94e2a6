"""file_system archives: a ".zip" file whose content is the JSON of the paths it holds and their contents.

Any file can be named *.zip, so an archive's content is checked when read, never trusted: what one
extraction creates is bounded before anything is written (ARCHIVE_MAX_ENTRIES, paths no longer than a
path argument may be).
"""

from __future__ import annotations

import json
import posixpath
from typing import Annotated, Any

from envs.toolworld.api import ApiError, CallContext, P, shorten
from envs.toolworld.apps._file_system_base import (
    PATH_MAX_CHARS,
    app,
    existing_dir,
    existing_file,
    file_at,
    files_under,
    free,
    is_dir,
    make_parents,
    normalize,
    write_new,
)

# Files one compress or add_to_archive call gathers, and files and directories one extraction creates: a person's
# whole tree in the world holds at most 272 entries, but 8,192 files named 100 times in one compress call took
# 8.4 s in the env; a hand-written archive member 30,000 directories deep made one extraction walk and hold every
# parent path (1.1 s and 860 MB), and 8,400 one-file directories (one file of 100,000 characters) took 0.67 s
ARCHIVE_MAX_ENTRIES = 1_000
ARCHIVE = Annotated[str, P("The .zip archive's absolute path.", min_length=1, max_length=PATH_MAX_CHARS)]
PATHS = Annotated[list[str], P("Absolute paths of files and directories.", min_length=1, max_length=100)]


def _archive_path(path: str, argument: str) -> str:
    path = normalize(path, argument)
    if not path.endswith(".zip"):
        raise ApiError(422, f"Invalid argument {argument!r}: an archive's name must end in '.zip', got {path!r}.")
    return path


def _gather(ctx: CallContext, paths: list[str]) -> dict[str, str]:
    """Archive members for `paths`: a file by its name, a directory's files under the directory's name.

    At most ARCHIVE_MAX_ENTRIES files are read, counted per path given (a file named twice counts twice), so
    naming one large directory many times costs no more than the limit."""
    members: dict[str, str] = {}
    room = ARCHIVE_MAX_ENTRIES
    for i, given in enumerate(paths):
        path = normalize(given, f"paths[{i}]")
        base = posixpath.dirname(path)
        if is_dir(ctx, path) and path != "/":
            files = files_under(ctx, path, room + 1)
        elif (row := file_at(ctx, path)) is not None:
            files = [row]
        else:
            raise ApiError(404, f"Invalid argument 'paths[{i}]': nothing at {path!r}.")
        room -= len(files)
        if room < 0:
            raise ApiError(
                422,
                f"Invalid argument 'paths': they hold more than {ARCHIVE_MAX_ENTRIES:,} files, the most one call "
                "puts in an archive (a file named twice counts twice); make several archives.",
            )
        members.update({f["path"][len(base) :].lstrip("/"): f["content"] for f in files})
    return members


def _members(ctx: CallContext, archive_path: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The archive's file row and its members."""
    row = existing_file(ctx, _archive_path(archive_path, "archive_path"), "archive_path")
    try:
        members = json.loads(row["content"])
    except (ValueError, RecursionError):  # a hand-written "archive" may nest arbitrarily deep
        members = None
    if not isinstance(members, dict) or not all(isinstance(c, str) for c in members.values()):
        raise ApiError(422, f"Invalid argument 'archive_path': {row['path']!r} is not a valid archive.")
    return row, members


@app.api("POST", "/archives", {"message": "string", "path": "string", "file_count": 1})
def compress(ctx: CallContext, paths: PATHS, archive_path: ARCHIVE) -> dict[str, Any]:
    """Compress files and directories (at most 1,000 files) into a new .zip archive; the originals stay."""
    place = free(ctx, _archive_path(archive_path, "archive_path"), "archive_path")
    members = _gather(ctx, paths)
    write_new(ctx, place, json.dumps(members, sort_keys=True))
    return {"message": "Archive created.", "path": place, "file_count": len(members)}


@app.api("PATCH", "/archives", {"message": "string", "file_count": 1})
def add_to_archive(
    ctx: CallContext,
    archive_path: ARCHIVE,
    paths: PATHS,
    replace: Annotated[bool, P("Overwrite members that already have the same name.")] = False,
) -> dict[str, Any]:
    """Add files and directories (at most 1,000 files a call) to an existing .zip archive."""
    row, members = _members(ctx, archive_path)
    added = _gather(ctx, paths)
    clashes = sorted(set(added) & set(members))
    if clashes and not replace:
        raise ApiError(409, f"The archive already holds {clashes[:3]}; pass replace=True to overwrite them.")
    members.update(added)
    ctx.execute(
        "UPDATE file_system_files SET content = ?, updated_at = ? WHERE id = ?",
        json.dumps(members, sort_keys=True),
        ctx.timestamp(),
        row["id"],
    )
    return {"message": f"{len(added)} files added.", "file_count": len(members)}


@app.api("GET", "/archives", [{"path": "string", "size": 1}], paginated=True)
def show_archive_contents(ctx: CallContext, archive_path: ARCHIVE) -> list[dict[str, Any]]:
    """List the files inside a .zip archive."""
    return [{"path": p, "size": len(c)} for p, c in sorted(_members(ctx, archive_path)[1].items())]


@app.api("POST", "/archives/extract", {"message": "string", "file_count": 1})
def decompress(
    ctx: CallContext,
    archive_path: ARCHIVE,
    destination: Annotated[str, P("An existing directory to extract into.", min_length=1, max_length=PATH_MAX_CHARS)],
) -> dict[str, Any]:
    """Extract a .zip archive into a directory, creating the subdirectories it needs; nothing is overwritten.
    One extraction creates at most 1,000 files and directories."""
    _, members = _members(ctx, archive_path)
    root = existing_dir(ctx, destination, "destination")
    targets = {normalize(posixpath.join(root, p), "archive_path"): c for p, c in members.items()}
    _check_extraction(root, list(targets))
    clashes = [t for t in targets if file_at(ctx, t) or is_dir(ctx, t)]
    if clashes:
        raise ApiError(409, f"Extracting would overwrite {clashes[:3]}; choose another destination.")
    for path, content in sorted(targets.items()):
        make_parents(ctx, path)
        write_new(ctx, path, content)
    return {"message": "Archive extracted.", "file_count": len(targets)}


def _check_extraction(root: str, targets: list[str]) -> None:
    """422 when extracting `targets` into `root` would make a path longer than a path argument may be, or
    create more than ARCHIVE_MAX_ENTRIES files and directories (each parent counted once, and the walk up to
    `root` stops at the first parent already counted, so the check costs at most the limit)."""
    directories: set[str] = set()
    for path in targets:
        if len(path) > PATH_MAX_CHARS:  # so every extracted file can be named in a path argument again
            raise ApiError(
                422,
                f"Invalid argument 'archive_path': a member would be extracted to {shorten(path)}, longer than "
                f"{PATH_MAX_CHARS:,} characters.",
            )
        head = posixpath.dirname(path)
        while head != root and head not in directories:
            directories.add(head)
            head = posixpath.dirname(head)
        if len(targets) + len(directories) > ARCHIVE_MAX_ENTRIES:
            raise ApiError(
                422,
                f"Invalid argument 'archive_path': extracting it would create more than {ARCHIVE_MAX_ENTRIES:,} "
                "files and directories; extract its members one by one with extract_file_from_archive.",
            )


@app.api("POST", "/archives/extract_file", {"message": "string", "path": "string"})
def extract_file_from_archive(
    ctx: CallContext,
    archive_path: ARCHIVE,
    member: Annotated[
        str,
        P(
            "The member's path inside the archive, as show_archive_contents lists it.",
            min_length=1,
            max_length=PATH_MAX_CHARS,
        ),
    ],
    destination: Annotated[
        str,
        P(
            "Where to write it: a new file path, or an existing directory to put it in.",
            min_length=1,
            max_length=PATH_MAX_CHARS,
        ),
    ],
) -> dict[str, str]:
    """Extract one file of a .zip archive."""
    _, members = _members(ctx, archive_path)
    if member not in members:
        raise ApiError(404, f"The archive has no member {member!r}; see show_archive_contents.")
    destination = normalize(destination, "destination")
    if is_dir(ctx, destination):
        destination = posixpath.join(destination, posixpath.basename(member))
    place = free(ctx, destination, "destination")
    write_new(ctx, place, members[member])
    return {"message": "File extracted.", "path": place}
