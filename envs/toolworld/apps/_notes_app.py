"""The notes app's declaration, tables and the helpers its APIs share (the APIs live in notes.py and
_notes_*.py, which register on this one `app`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from envs.toolworld.api import ApiError, App, CallContext, P
from envs.toolworld.apps._accounts import add_account_apis
from envs.toolworld.apps._people import person_by_email as person_by_email

app = App(
    "notes",
    "A note-taking app: notes with titles, text, tags, colors, pins and reminders, kept in notebooks; checklists, "
    "version history, a trash, sharing with other users, and export.",
    schema="""
    CREATE TABLE notes_notes (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, title TEXT NOT NULL, content TEXT NOT NULL,
        tags TEXT NOT NULL, pinned INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        notebook_id INTEGER, color TEXT NOT NULL DEFAULT 'none', reminder_at TEXT, trashed_at TEXT
    );
    CREATE INDEX notes_notes_owner ON notes_notes(owner_id, updated_at);
    CREATE INDEX notes_notes_notebook ON notes_notes(notebook_id);
    CREATE TABLE notes_notebooks (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, name TEXT NOT NULL,
        description TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE(owner_id, name)
    );
    CREATE TABLE notes_versions (
        id INTEGER PRIMARY KEY AUTOINCREMENT, note_id INTEGER NOT NULL, owner_id INTEGER NOT NULL,
        title TEXT NOT NULL, content TEXT NOT NULL, saved_at TEXT NOT NULL
    );
    CREATE INDEX notes_versions_note ON notes_versions(note_id, saved_at);
    CREATE TABLE notes_shares (
        id INTEGER PRIMARY KEY AUTOINCREMENT, note_id INTEGER NOT NULL, person_id INTEGER NOT NULL,
        permission TEXT NOT NULL, shared_at TEXT NOT NULL, UNIQUE(note_id, person_id)
    );
    CREATE INDEX notes_shares_person ON notes_shares(person_id);
    CREATE TABLE notes_checklist_items (
        id INTEGER PRIMARY KEY AUTOINCREMENT, note_id INTEGER NOT NULL, text TEXT NOT NULL,
        checked INTEGER NOT NULL, position REAL NOT NULL, created_at TEXT NOT NULL
    );
    CREATE INDEX notes_checklist_items_note ON notes_checklist_items(note_id, position);
    CREATE TABLE notes_settings (
        owner_id INTEGER PRIMARY KEY, default_sort TEXT NOT NULL, default_color TEXT NOT NULL,
        trash_retention_days INTEGER NOT NULL, show_previews INTEGER NOT NULL, spell_check INTEGER NOT NULL
    );
    """,
)
add_account_apis(app)

COLORS = ("none", "red", "orange", "yellow", "green", "blue", "purple", "gray")
Color = Literal["none", "red", "orange", "yellow", "green", "blue", "purple", "gray"]
NOTE = {
    "note_id": 1,
    "title": "string",
    "content": "string",
    "tags": ["string"],
    "pinned": True,
    "created_at": "string",
    "updated_at": "string",
    "notebook_id": 1,
    "notebook": "string",
    "color": "string",
    "reminder_at": "string",
    "in_trash": True,
    "checklist_items": 1,
}
MESSAGE = {"message": "string"}
NOTE_TEXT_MAX = 20_000  # one argument; a note grown by appends is bounded by api.MAX_STORED_CHARS
APPEND_TEXT = P("Text to add as a new line at the end.", min_length=1, max_length=NOTE_TEXT_MAX)
NOTE_ID = Annotated[int, P("The note's id.", ge=1)]
NOTEBOOK_ID = Annotated[int, P("The notebook's id.", ge=1)]
TAG = P("A tag: one lowercase word (letters and digits).", min_length=1, max_length=40)
TAG_LIST = Annotated[list[str] | None, P("Tags, lowercase words.", max_length=30)]
NOTE_SQL = (
    "SELECT n.*, b.name AS notebook, (SELECT COUNT(*) FROM notes_checklist_items c WHERE c.note_id = n.id) AS items "
    "FROM notes_notes n LEFT JOIN notes_notebooks b ON b.id = n.notebook_id"
)


def note(row: dict[str, Any]) -> dict[str, Any]:
    """A note as the APIs show it, from a row selected with NOTE_SQL."""
    return {
        "note_id": row["id"],
        "title": row["title"],
        "content": row["content"],
        "tags": [t for t in row["tags"].split(",") if t],
        "pinned": bool(row["pinned"]),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "notebook_id": row["notebook_id"],
        "notebook": row["notebook"],
        "color": row["color"],
        "reminder_at": row["reminder_at"],
        "in_trash": row["trashed_at"] is not None,
        "checklist_items": row["items"],
    }


def tags_text(tags: list[str]) -> str:
    """The stored form of a tag list (sorted, comma-separated), or 422 naming the bad tags."""
    bad = [t for t in tags if not t.isalnum() or not t.isascii() or t != t.lower()]
    if bad:
        raise ApiError(422, f"Invalid argument 'tags': {bad} must be lowercase words.")
    return ",".join(sorted(set(tags)))


def live_note(ctx: CallContext, note_id: int) -> dict[str, Any]:
    """The caller's note `note_id` that is not in the trash: 404 if not theirs, 409 if trashed."""
    row = ctx.owned("notes_notes", note_id, "note")
    if row["trashed_at"] is not None:
        raise ApiError(409, f"Note {note_id} is in the trash: restore it first.")
    return row


def save_version(ctx: CallContext, row: dict[str, Any]) -> None:
    """Keep the note's current title and text as a version before they change (version history)."""
    ctx.execute(
        "INSERT INTO notes_versions (note_id, owner_id, title, content, saved_at) VALUES (?,?,?,?,?)",
        row["id"],
        row["owner_id"],
        row["title"],
        row["content"],
        row["updated_at"],
    )


def change_text(ctx: CallContext, row: dict[str, Any], title: str | None, content: str | None) -> None:
    """Set a new title and/or text on a note, keeping the old ones as a version if either really changes."""
    changed = (title is not None and title != row["title"]) or (content is not None and content != row["content"])
    if changed:
        save_version(ctx, row)
    ctx.update("notes_notes", row["id"], {"title": title, "content": content, "updated_at": ctx.timestamp()})


def existing_notebook(ctx: CallContext, notebook_id: int) -> dict[str, Any]:
    return ctx.owned("notes_notebooks", notebook_id, "notebook")
