"""notes: notebooks (folders of notes), version history (older titles and texts of a note) and sharing notes
with other users (view or edit)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, CallContext, P
from envs.toolworld.apps._notes_app import (
    APPEND_TEXT,
    MESSAGE,
    NOTE,
    NOTE_ID,
    NOTE_SQL,
    NOTEBOOK_ID,
    app,
    change_text,
    existing_notebook,
    live_note,
    note,
    person_by_email,
)
from envs.toolworld.apps._text_search import words_clause

NOTEBOOK = {"notebook_id": 1, "name": "string", "description": "string", "created_at": "string", "notes": 1}
NOTEBOOK_SQL = (
    "SELECT b.id AS notebook_id, b.name, b.description, b.created_at, (SELECT COUNT(*) FROM notes_notes n "
    "WHERE n.notebook_id = b.id AND n.trashed_at IS NULL) AS notes FROM notes_notebooks b"
)
NAME = P("The notebook's name.", min_length=1, max_length=100)
VERSION = {"version_id": 1, "note_id": 1, "title": "string", "content": "string", "saved_at": "string"}
VERSION_ID = Annotated[int, P("The version's id (see show_note_versions).", ge=1)]
SHARE = {"email": "string", "name": "string", "permission": "string", "shared_at": "string"}
SHARED_NOTE = {**NOTE, "owner_email": "string", "owner_name": "string", "permission": "string"}
Permission = Literal["view", "edit"]
EMAIL = P("The other user's email address.", min_length=3, max_length=200)


@app.api("GET", "/notebooks", [NOTEBOOK], paginated=True)
def show_notebooks(
    ctx: CallContext,
    query: Annotated[str, P("Words to match in the name.", max_length=QUERY_MAX_CHARS)] = "",
    sort_by: Annotated[Literal["name", "-created_at", "-notes"], P("Order of results.")] = "name",
) -> list[dict[str, Any]]:
    """List your notebooks with how many notes (not in the trash) each holds."""
    words, word_args = words_clause(query, ["b.name"])
    order = {"name": "b.name, b.id", "-created_at": "b.created_at DESC, b.id", "-notes": "notes DESC, b.name"}
    return ctx.rows(f"{NOTEBOOK_SQL} WHERE b.owner_id = ?{words} ORDER BY {order[sort_by]}", ctx.caller, *word_args)


@app.api("POST", "/notebooks", {"message": "string", "notebook_id": 1})
def create_notebook(
    ctx: CallContext,
    name: Annotated[str, NAME],
    description: Annotated[str, P("What goes in it.", max_length=500)] = "",
) -> dict[str, Any]:
    """Create a notebook."""
    new_id = ctx.insert_unique(
        "notes_notebooks",
        {"owner_id": ctx.caller, "name": name},
        f"You already have a notebook named {name!r}.",
        {"description": description, "created_at": ctx.timestamp()},
    )
    return {"message": "Notebook created.", "notebook_id": new_id}


@app.api("PATCH", "/notebooks/{notebook_id}", MESSAGE)
def update_notebook(
    ctx: CallContext,
    notebook_id: NOTEBOOK_ID,
    name: Annotated[str | None, P("New name.", min_length=1, max_length=100)] = None,
    description: Annotated[str | None, P("New description.", max_length=500)] = None,
) -> dict[str, str]:
    """Rename a notebook or change its description."""
    row = existing_notebook(ctx, notebook_id)
    if name is not None and name != row["name"]:
        if ctx.value("SELECT 1 FROM notes_notebooks WHERE owner_id = ? AND name = ?", ctx.caller, name):
            raise ApiError(409, f"You already have a notebook named {name!r}.")
    ctx.update("notes_notebooks", notebook_id, {"name": name, "description": description})
    return {"message": "Notebook updated."}


@app.api("DELETE", "/notebooks/{notebook_id}", {"message": "string", "notes_moved": 1, "notes_trashed": 1})
def delete_notebook(
    ctx: CallContext,
    notebook_id: NOTEBOOK_ID,
    trash_notes: Annotated[bool, P("Move its notes to the trash (true) or keep them outside any notebook.")] = False,
) -> dict[str, Any]:
    """Delete a notebook; its notes are kept (outside any notebook) or moved to the trash."""
    existing_notebook(ctx, notebook_id)
    live = ctx.value("SELECT COUNT(*) FROM notes_notes WHERE notebook_id = ? AND trashed_at IS NULL", notebook_id)
    if trash_notes:
        ctx.execute(
            "UPDATE notes_notes SET trashed_at = ? WHERE notebook_id = ? AND trashed_at IS NULL",
            ctx.timestamp(),
            notebook_id,
        )
    ctx.execute("UPDATE notes_notes SET notebook_id = NULL WHERE notebook_id = ?", notebook_id)
    ctx.execute("DELETE FROM notes_notebooks WHERE id = ?", notebook_id)
    moved, trashed = (0, live) if trash_notes else (live, 0)
    return {"message": "Notebook deleted.", "notes_moved": moved, "notes_trashed": trashed}


@app.api("PUT", "/notes/{note_id}/notebook", MESSAGE)
def move_note_to_notebook(
    ctx: CallContext,
    note_id: NOTE_ID,
    notebook_id: Annotated[int, P("The notebook to move it to; 0 takes it out of any notebook.", ge=0)],
) -> dict[str, str]:
    """Move a note into one of your notebooks (or out of any)."""
    row = live_note(ctx, note_id)
    target = None if notebook_id == 0 else existing_notebook(ctx, notebook_id)["id"]
    if row["notebook_id"] == target:
        raise ApiError(409, f"Note {note_id} is already there.")
    ctx.execute("UPDATE notes_notes SET notebook_id = ?, updated_at = ? WHERE id = ?", target, ctx.timestamp(), note_id)
    return {"message": "Note moved."}


@app.api("GET", "/notes/{note_id}/versions", [VERSION], paginated=True)
def show_note_versions(ctx: CallContext, note_id: NOTE_ID) -> list[dict[str, Any]]:
    """List the earlier versions of one of your notes, newest first (the current text is the note itself)."""
    ctx.owned("notes_notes", note_id, "note")
    return ctx.rows(
        "SELECT id AS version_id, note_id, title, content, saved_at FROM notes_versions WHERE note_id = ? "
        "ORDER BY saved_at DESC, id DESC",
        note_id,
    )


def _version(ctx: CallContext, version_id: int) -> dict[str, Any]:
    row = ctx.row(
        "SELECT id AS version_id, note_id, title, content, saved_at FROM notes_versions WHERE id = ? AND owner_id = ?",
        version_id,
        ctx.caller,
    )
    if row is None:
        raise ApiError(404, f"No version with id {version_id}.")
    return row


@app.api("GET", "/versions/{version_id}", VERSION)
def show_note_version(ctx: CallContext, version_id: VERSION_ID) -> dict[str, Any]:
    """Show one earlier version of a note."""
    return _version(ctx, version_id)


@app.api("POST", "/versions/{version_id}/restore", MESSAGE)
def restore_note_version(ctx: CallContext, version_id: VERSION_ID) -> dict[str, str]:
    """Make an earlier version the note's current title and text (the current ones become a version)."""
    version = _version(ctx, version_id)
    row = live_note(ctx, version["note_id"])
    if (row["title"], row["content"]) == (version["title"], version["content"]):
        raise ApiError(409, "The note already has this title and text.")
    change_text(ctx, row, version["title"], version["content"])
    return {"message": "Version restored."}


@app.api("DELETE", "/versions/{version_id}", MESSAGE)
def delete_note_version(ctx: CallContext, version_id: VERSION_ID) -> dict[str, str]:
    """Delete one earlier version of a note from its history."""
    _version(ctx, version_id)
    ctx.execute("DELETE FROM notes_versions WHERE id = ?", version_id)
    return {"message": "Version deleted."}


@app.api("POST", "/notes/{note_id}/shares", MESSAGE)
def share_note(
    ctx: CallContext,
    note_id: NOTE_ID,
    email: Annotated[str, EMAIL],
    permission: Annotated[Permission, P("'view' to read it, 'edit' to also add to it.")] = "view",
) -> dict[str, str]:
    """Share one of your notes with another user, or change what they may do with it."""
    live_note(ctx, note_id)
    person = person_by_email(ctx, email)
    if person == ctx.caller:
        raise ApiError(422, "Invalid argument 'email': that is you.")
    current = ctx.row("SELECT id, permission FROM notes_shares WHERE note_id = ? AND person_id = ?", note_id, person)
    if current is None:
        ctx.execute(
            "INSERT INTO notes_shares (note_id, person_id, permission, shared_at) VALUES (?,?,?,?)",
            note_id,
            person,
            permission,
            ctx.timestamp(),
        )
    elif current["permission"] == permission:
        raise ApiError(409, f"Note {note_id} is already shared with {email} ({permission}).")
    else:
        ctx.execute("UPDATE notes_shares SET permission = ? WHERE id = ?", permission, current["id"])
    return {"message": f"Note shared with {email} ({permission})."}


@app.api("DELETE", "/notes/{note_id}/shares", MESSAGE)
def unshare_note(ctx: CallContext, note_id: NOTE_ID, email: Annotated[str, EMAIL]) -> dict[str, str]:
    """Stop sharing one of your notes with a user."""
    ctx.owned("notes_notes", note_id, "note")
    ctx.delete_existing(
        "notes_shares",
        {"note_id": note_id, "person_id": person_by_email(ctx, email)},
        f"Note {note_id} is not shared with {email}.",
    )
    return {"message": "Note unshared."}


@app.api("GET", "/notes/{note_id}/shares", [SHARE])
def show_note_shares(ctx: CallContext, note_id: NOTE_ID) -> list[dict[str, Any]]:
    """List who one of your notes is shared with."""
    ctx.owned("notes_notes", note_id, "note")
    return ctx.rows(
        "SELECT p.email, p.first_name || ' ' || p.last_name AS name, s.permission, s.shared_at FROM notes_shares s "
        "JOIN people p ON p.id = s.person_id WHERE s.note_id = ? ORDER BY s.shared_at, s.id",
        note_id,
    )


SHARED_SQL = (
    NOTE_SQL.replace(
        "SELECT n.*",
        "SELECT n.*, o.email AS owner_email, o.first_name || ' ' || o.last_name AS owner_name, s.permission",
    )
    + " JOIN notes_shares s ON s.note_id = n.id JOIN people o ON o.id = n.owner_id"
)


def _shared(row: dict[str, Any]) -> dict[str, Any]:
    return {**note(row), **{k: row[k] for k in ("owner_email", "owner_name", "permission")}}


@app.api("GET", "/shared", [SHARED_NOTE], paginated=True)
def show_shared_notes(
    ctx: CallContext,
    query: Annotated[str, P("Words to match in title or content.", max_length=QUERY_MAX_CHARS)] = "",
    owner_email: Annotated[str | None, P("Only notes of this user.", max_length=200)] = None,
    permission: Annotated[Permission | None, P("Only notes you may view, or edit.")] = None,
) -> list[dict[str, Any]]:
    """List the notes other users shared with you (not those they trashed), most recently updated first."""
    words, word_args = words_clause(query, ["n.title", "n.content"])
    where, args = ["s.person_id = ?", f"n.trashed_at IS NULL{words}"], [ctx.caller, *word_args]
    for clause, value in (("o.email = ? COLLATE NOCASE", owner_email), ("s.permission = ?", permission)):
        if value is not None:
            where.append(clause)
            args.append(value.strip())
    rows = ctx.rows(f"{SHARED_SQL} WHERE {' AND '.join(where)} ORDER BY n.updated_at DESC, n.id DESC", *args)
    return [_shared(r) for r in rows]


def _shared_note(ctx: CallContext, note_id: int) -> dict[str, Any]:
    row = ctx.row(f"{SHARED_SQL} WHERE n.id = ? AND s.person_id = ? AND n.trashed_at IS NULL", note_id, ctx.caller)
    if row is None:
        raise ApiError(404, f"No note with id {note_id} is shared with you.")
    return row


@app.api("GET", "/shared/{note_id}", SHARED_NOTE)
def show_shared_note(ctx: CallContext, note_id: NOTE_ID) -> dict[str, Any]:
    """Show one note another user shared with you."""
    return _shared(_shared_note(ctx, note_id))


@app.api("POST", "/shared/{note_id}/append", MESSAGE)
def append_to_shared_note(ctx: CallContext, note_id: NOTE_ID, text: Annotated[str, APPEND_TEXT]) -> dict[str, str]:
    """Add a line at the end of a note shared with you with edit permission."""
    row = _shared_note(ctx, note_id)
    if row["permission"] != "edit":
        raise ApiError(403, f"Note {note_id} is shared with you to view only.")
    current = ctx.existing_row("SELECT * FROM notes_notes WHERE id = ?", note_id)
    change_text(ctx, current, None, f"{current['content']}\n{text}" if current["content"] else text)
    return {"message": "Text appended."}


@app.api("DELETE", "/shared/{note_id}", MESSAGE)
def leave_shared_note(ctx: CallContext, note_id: NOTE_ID) -> dict[str, str]:
    """Remove a note someone shared with you from your shared notes."""
    _shared_note(ctx, note_id)
    ctx.execute("DELETE FROM notes_shares WHERE note_id = ? AND person_id = ?", note_id, ctx.caller)
    return {"message": "You left the shared note."}
