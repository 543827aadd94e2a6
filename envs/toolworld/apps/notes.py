"""notes: notes with tags, pins, colors and reminders; search, edits, the trash (held out of the train split).

Notebooks, version history and sharing are in _notes_organize.py, checklists, export and settings in
_notes_extras.py, the generated data in _notes_data.py; all register on the one `app` of _notes_app.py."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, CallContext, P, Page, replaced_text
from envs.toolworld.apps._day_args import BOUND_DOC, DAY_RANGE, moment_bound, parse_time
from envs.toolworld.apps._notes_app import (
    APPEND_TEXT,
    MESSAGE,
    NOTE,
    NOTE_ID,
    NOTE_SQL,
    NOTE_TEXT_MAX,
    TAG,
    TAG_LIST,
    Color,
    app,
    change_text,
    existing_notebook,
    live_note,
    note,
    tags_text,
)
from envs.toolworld.apps._sql_page import sql_page
from envs.toolworld.apps._text_search import words_clause

REMINDER_FORM = "2026-05-20 or 2026-05-20T09:00"

__all__ = ["app"]

NOTE_ORDER = {
    "-updated_at": "n.updated_at DESC, n.id DESC",
    "updated_at": "n.updated_at, n.id",
    "-created_at": "n.created_at DESC, n.id DESC",
    "created_at": "n.created_at, n.id",
    "title": "n.title, n.id",
}
NoteOrder = Literal["-updated_at", "updated_at", "-created_at", "created_at", "title"]
AFTER = P(f"Only notes at or after this date or time ({BOUND_DOC}).", min_length=4, max_length=19)
BEFORE = P(f"Only notes before this date or time ({BOUND_DOC}).", min_length=4, max_length=19)


@app.api("GET", "/notes", [NOTE], paginated=True)
def search_notes(
    ctx: CallContext,
    query: Annotated[str, P("Words to match in title or content; empty lists all.", max_length=QUERY_MAX_CHARS)] = "",
    tag: Annotated[str | None, P("Only notes with this tag.", max_length=40)] = None,
    pinned: Annotated[bool | None, P("Only pinned (true) or unpinned (false) notes.")] = None,
    notebook_id: Annotated[int | None, P("Only notes in this notebook; 0 for notes in no notebook.", ge=0)] = None,
    color: Annotated[Color | None, P("Only notes of this color.")] = None,
    created_after: Annotated[str | None, AFTER] = None,
    created_before: Annotated[str | None, BEFORE] = None,
    updated_after: Annotated[str | None, AFTER] = None,
    updated_before: Annotated[str | None, BEFORE] = None,
    sort_by: Annotated[NoteOrder, P("Order of results; '-' means newest first.")] = "-updated_at",
) -> Page:
    """Search your notes (not those in the trash), most recently updated first unless sorted otherwise."""
    words, word_args = words_clause(query, ["n.title", "n.content"])
    where, args = ["n.owner_id = ?", f"n.trashed_at IS NULL{words}"], [ctx.caller, *word_args]
    clauses: list[tuple[str, Any]] = [
        ("instr(',' || n.tags || ',', ?) > 0", None if tag is None else f",{tag},"),
        ("n.pinned = ?", None if pinned is None else int(pinned)),
        ("n.color = ?", color),
        ("n.created_at >= ?", moment_bound("created_after", created_after)),
        ("n.created_at < ?", moment_bound("created_before", created_before)),
        ("n.updated_at >= ?", moment_bound("updated_after", updated_after)),
        ("n.updated_at < ?", moment_bound("updated_before", updated_before)),
        ("COALESCE(n.notebook_id, 0) = ?", notebook_id),
    ]
    for clause, value in clauses:
        if value is not None:
            where.append(clause)
            args.append(value)
    return sql_page(ctx, f"{NOTE_SQL} WHERE {' AND '.join(where)}", NOTE_ORDER[sort_by], *args, shape=note)


@app.api("GET", "/notes/{note_id}", NOTE)
def show_note(ctx: CallContext, note_id: NOTE_ID) -> dict[str, Any]:
    """Show one of your notes (also one in the trash: see in_trash)."""
    ctx.owned("notes_notes", note_id, "note")
    return note(ctx.existing_row(f"{NOTE_SQL} WHERE n.id = ?", note_id))


def _checked_notebook(ctx: CallContext, notebook_id: int | None) -> int | None:
    """The notebook id to store: None for 0 (no notebook), else one of the caller's notebooks (404 if not)."""
    if not notebook_id:
        return None
    existing_notebook(ctx, notebook_id)
    return notebook_id


def stored_reminder(name: str, value: str) -> str:
    """A reminder time as stored: YYYY-MM-DDTHH:MM:SS (a bare day is its midnight), whatever ISO form the agent
    gave ('2026-05-20 09:00', '20260520', '2026-W21-3'), so reminders sort and compare as times."""
    return parse_time(name, value, REMINDER_FORM).isoformat(timespec="seconds")


@app.api("POST", "/notes", {"message": "string", "note_id": 1})
def create_note(
    ctx: CallContext,
    title: Annotated[str, P("The note's title.", min_length=1, max_length=200)],
    content: Annotated[str, P("The note's text.", max_length=NOTE_TEXT_MAX)] = "",
    tags: Annotated[list[str], P("Tags, lowercase words.", max_length=30)] = [],  # noqa: B006 (never mutated)
    pinned: Annotated[bool, P("Pin it to the top.")] = False,
    notebook_id: Annotated[int | None, P("Put it in this notebook of yours; null or 0 for none.", ge=0)] = None,
    color: Annotated[Color, P("The note's color.")] = "none",
    reminder_at: Annotated[
        str | None, P(f"Remind you at this date or time (ISO, {DAY_RANGE}).", min_length=10, max_length=19)
    ] = None,
) -> dict[str, Any]:
    """Create a note."""
    if reminder_at is not None:
        reminder_at = stored_reminder("reminder_at", reminder_at)
    now = ctx.timestamp()
    new_id = ctx.execute(
        "INSERT INTO notes_notes (owner_id, title, content, tags, pinned, created_at, updated_at, notebook_id, color, "
        "reminder_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        ctx.caller,
        title,
        content,
        tags_text(tags),
        int(pinned),
        now,
        now,
        _checked_notebook(ctx, notebook_id),
        color,
        reminder_at,
    )
    return {"message": "Note created.", "note_id": new_id}


@app.api("PATCH", "/notes/{note_id}", MESSAGE)
def update_note(
    ctx: CallContext,
    note_id: NOTE_ID,
    title: Annotated[str | None, P("New title.", min_length=1, max_length=200)] = None,
    content: Annotated[
        str | None, P("New text (replaces the old text; the old one is kept as a version).", max_length=NOTE_TEXT_MAX)
    ] = None,
    tags: TAG_LIST = None,
    pinned: Annotated[bool | None, P("Pin (true) or unpin (false).")] = None,
    color: Annotated[Color | None, P("New color.")] = None,
) -> dict[str, str]:
    """Change the fields you give of one note."""
    row = live_note(ctx, note_id)
    fields = {
        "tags": None if tags is None else tags_text(tags),
        "pinned": None if pinned is None else int(pinned),
        "color": color,
    }
    if any(v is not None for v in fields.values()):
        ctx.update("notes_notes", note_id, {**fields, "updated_at": ctx.timestamp()})
    if title is not None or content is not None:
        change_text(ctx, row, title, content)
    return {"message": "Note updated."}


@app.api("POST", "/notes/{note_id}/append", MESSAGE)
def append_to_note(ctx: CallContext, note_id: NOTE_ID, text: Annotated[str, APPEND_TEXT]) -> dict[str, str]:
    """Add a line at the end of a note."""
    row = live_note(ctx, note_id)
    change_text(ctx, row, None, f"{row['content']}\n{text}" if row["content"] else text)
    return {"message": "Text appended."}


@app.api("POST", "/notes/{note_id}/replace", {"message": "string", "replaced": 1})
def replace_text_in_note(
    ctx: CallContext,
    note_id: NOTE_ID,
    find: Annotated[str, P("The exact text to find (case-sensitive).", min_length=1, max_length=1000)],
    replace_with: Annotated[str, P("The text to put in its place (may be empty).", max_length=1000)],
) -> dict[str, Any]:
    """Replace every occurrence of a text in a note's content (413 if the note would pass 100,000 characters)."""
    row = live_note(ctx, note_id)
    count = row["content"].count(find)
    if not count:
        raise ApiError(404, f"Note {note_id} does not contain {find!r}.")
    change_text(ctx, row, None, replaced_text(row["content"], find, replace_with, count))
    return {"message": f"Replaced {count} occurrences.", "replaced": count}


def _delete_notes(ctx: CallContext, where: str, *args: Any) -> int:
    """Delete notes for good with everything that hangs on them (versions, checklist, shares)."""
    ids = [r["id"] for r in ctx.rows(f"SELECT id FROM notes_notes WHERE {where}", *args)]
    for note_id in ids:
        for table in ("notes_versions", "notes_checklist_items", "notes_shares"):
            ctx.execute(f"DELETE FROM {table} WHERE note_id = ?", note_id)
        ctx.execute("DELETE FROM notes_notes WHERE id = ?", note_id)
    return len(ids)


@app.api("DELETE", "/notes/{note_id}", MESSAGE)
def delete_note(ctx: CallContext, note_id: NOTE_ID) -> dict[str, str]:
    """Delete one note for good, with its versions, checklist and shares (move_note_to_trash keeps it restorable)."""
    ctx.owned("notes_notes", note_id, "note")
    _delete_notes(ctx, "id = ?", note_id)
    return {"message": "Note deleted."}


@app.api("POST", "/notes/{note_id}/trash", MESSAGE)
def move_note_to_trash(ctx: CallContext, note_id: NOTE_ID) -> dict[str, str]:
    """Move a note to the trash, from where it can be restored."""
    live_note(ctx, note_id)
    ctx.execute("UPDATE notes_notes SET trashed_at = ? WHERE id = ?", ctx.timestamp(), note_id)
    return {"message": "Note moved to the trash."}


@app.api("POST", "/notes/{note_id}/restore", MESSAGE)
def restore_note(ctx: CallContext, note_id: NOTE_ID) -> dict[str, str]:
    """Bring a note back from the trash."""
    row = ctx.owned("notes_notes", note_id, "note")
    if row["trashed_at"] is None:
        raise ApiError(409, f"Note {note_id} is not in the trash.")
    ctx.execute("UPDATE notes_notes SET trashed_at = NULL WHERE id = ?", note_id)
    return {"message": "Note restored."}


TRASH_ORDER = {"-trashed_at": "n.trashed_at DESC, n.id", "trashed_at": "n.trashed_at, n.id", "title": "n.title, n.id"}


@app.api("GET", "/trash", [{**NOTE, "trashed_at": "string"}], paginated=True)
def show_trash(
    ctx: CallContext,
    query: Annotated[str, P("Words to match in title or content.", max_length=QUERY_MAX_CHARS)] = "",
    sort_by: Annotated[Literal["-trashed_at", "trashed_at", "title"], P("Order of results.")] = "-trashed_at",
) -> list[dict[str, Any]]:
    """List the notes in your trash, most recently trashed first unless sorted otherwise."""
    words, word_args = words_clause(query, ["n.title", "n.content"])
    rows = ctx.rows(
        f"{NOTE_SQL} WHERE n.owner_id = ? AND n.trashed_at IS NOT NULL{words} ORDER BY {TRASH_ORDER[sort_by]}",
        ctx.caller,
        *word_args,
    )
    return [{**note(r), "trashed_at": r["trashed_at"]} for r in rows]


@app.api("DELETE", "/trash", {"message": "string", "deleted": 1})
def empty_trash(
    ctx: CallContext,
    trashed_before: Annotated[
        str | None,
        P(
            f"Only notes trashed before this date or time ({BOUND_DOC}); null empties it all.",
            min_length=4,
            max_length=19,
        ),
    ] = None,
) -> dict[str, Any]:
    """Delete the notes in your trash for good."""
    deleted = _delete_notes(
        ctx,
        "owner_id = ? AND trashed_at IS NOT NULL AND trashed_at < ?",
        ctx.caller,
        moment_bound("trashed_before", trashed_before) or "9999",
    )
    return {"message": f"Deleted {deleted} notes for good.", "deleted": deleted}


def _set_pin(ctx: CallContext, note_id: int, pinned: bool) -> dict[str, str]:
    row = live_note(ctx, note_id)
    if bool(row["pinned"]) == pinned:
        raise ApiError(409, f"Note {note_id} is already {'pinned' if pinned else 'unpinned'}.")
    ctx.update("notes_notes", note_id, {"pinned": int(pinned), "updated_at": ctx.timestamp()})
    return {"message": "Note pinned." if pinned else "Note unpinned."}


@app.api("POST", "/notes/{note_id}/pin", MESSAGE)
def pin_note(ctx: CallContext, note_id: NOTE_ID) -> dict[str, str]:
    """Pin a note to the top of your notes."""
    return _set_pin(ctx, note_id, True)


@app.api("DELETE", "/notes/{note_id}/pin", MESSAGE)
def unpin_note(ctx: CallContext, note_id: NOTE_ID) -> dict[str, str]:
    """Unpin a note."""
    return _set_pin(ctx, note_id, False)


@app.api("PUT", "/notes/{note_id}/reminder", MESSAGE)
def set_note_reminder(
    ctx: CallContext,
    note_id: NOTE_ID,
    remind_at: Annotated[str, P(f"When to remind you (ISO date or time, {DAY_RANGE}).", min_length=10, max_length=19)],
) -> dict[str, str]:
    """Set (or move) the reminder of a note."""
    when = stored_reminder("remind_at", remind_at)
    live_note(ctx, note_id)
    ctx.update("notes_notes", note_id, {"reminder_at": when, "updated_at": ctx.timestamp()})
    return {"message": f"Reminder set for {when}."}


@app.api("DELETE", "/notes/{note_id}/reminder", MESSAGE)
def clear_note_reminder(ctx: CallContext, note_id: NOTE_ID) -> dict[str, str]:
    """Remove the reminder of a note."""
    row = live_note(ctx, note_id)
    if row["reminder_at"] is None:
        raise ApiError(404, f"Note {note_id} has no reminder.")
    ctx.execute("UPDATE notes_notes SET reminder_at = NULL, updated_at = ? WHERE id = ?", ctx.timestamp(), note_id)
    return {"message": "Reminder removed."}


@app.api("GET", "/reminders", [NOTE], paginated=True)
def show_reminders(
    ctx: CallContext,
    due_after: Annotated[
        str | None, P(f"Only reminders at or after this time ({BOUND_DOC}).", min_length=4, max_length=19)
    ] = None,
    due_before: Annotated[
        str | None, P(f"Only reminders before this time ({BOUND_DOC}).", min_length=4, max_length=19)
    ] = None,
) -> list[dict[str, Any]]:
    """List your notes that have a reminder, soonest first."""
    rows = ctx.rows(
        f"{NOTE_SQL} WHERE n.owner_id = ? AND n.trashed_at IS NULL AND n.reminder_at IS NOT NULL "
        "AND n.reminder_at >= ? AND n.reminder_at < ? ORDER BY n.reminder_at, n.id",
        ctx.caller,
        moment_bound("due_after", due_after) or "",
        moment_bound("due_before", due_before) or "9999",
    )
    return [note(r) for r in rows]


def _note_tags(row: dict[str, Any]) -> set[str]:
    return set(filter(None, row["tags"].split(",")))


@app.api("GET", "/tags", [{"tag": "string", "notes": 1}])
def show_tags(
    ctx: CallContext,
    sort_by: Annotated[Literal["tag", "-notes"], P("By name, or most used first.")] = "tag",
) -> list[dict[str, Any]]:
    """List the tags you use (notes in the trash not counted), with how many notes carry each."""
    counts: dict[str, int] = {}
    for row in ctx.rows("SELECT tags FROM notes_notes WHERE owner_id = ? AND trashed_at IS NULL", ctx.caller):
        for tag in _note_tags(row):
            counts[tag] = counts.get(tag, 0) + 1
    ordered = sorted(counts.items(), key=(lambda kv: kv[0]) if sort_by == "tag" else (lambda kv: (-kv[1], kv[0])))
    return [{"tag": t, "notes": n} for t, n in ordered]


@app.api("POST", "/notes/{note_id}/tags", MESSAGE)
def add_tag_to_note(ctx: CallContext, note_id: NOTE_ID, tag: Annotated[str, TAG]) -> dict[str, str]:
    """Add one tag to a note (its other tags stay)."""
    row = live_note(ctx, note_id)
    tags = _note_tags(row)
    if tag in tags:
        raise ApiError(409, f"Note {note_id} already has the tag {tag!r}.")
    ctx.update("notes_notes", note_id, {"tags": tags_text(sorted(tags | {tag})), "updated_at": ctx.timestamp()})
    return {"message": "Tag added."}


@app.api("DELETE", "/notes/{note_id}/tags/{tag}", MESSAGE)
def remove_tag_from_note(
    ctx: CallContext, note_id: NOTE_ID, tag: Annotated[str, P("The tag to remove.", min_length=1, max_length=40)]
) -> dict[str, str]:
    """Remove one tag from a note."""
    row = live_note(ctx, note_id)
    tags = _note_tags(row)
    if tag not in tags:
        raise ApiError(404, f"Note {note_id} has no tag {tag!r}.")
    ctx.execute(
        "UPDATE notes_notes SET tags = ?, updated_at = ? WHERE id = ?",
        ",".join(sorted(tags - {tag})),
        ctx.timestamp(),
        note_id,
    )
    return {"message": "Tag removed."}


def _retag(ctx: CallContext, old: str, new: str | None) -> int:
    """Replace tag `old` by `new` (or drop it) on every note of the caller carrying it; returns how many."""
    rows = ctx.rows(
        "SELECT id, tags FROM notes_notes WHERE owner_id = ? AND instr(',' || tags || ',', ?) > 0",
        ctx.caller,
        f",{old},",
    )
    if not rows:
        raise ApiError(404, f"No note of yours has the tag {old!r}.")
    for row in rows:
        tags = (_note_tags(row) - {old}) | ({new} if new else set())
        ctx.execute(
            "UPDATE notes_notes SET tags = ?, updated_at = ? WHERE id = ?",
            tags_text(sorted(tags)),
            ctx.timestamp(),
            row["id"],
        )
    return len(rows)


@app.api("PUT", "/tags/{tag}", {"message": "string", "notes": 1})
def rename_tag(
    ctx: CallContext,
    tag: Annotated[str, P("The tag to rename.", min_length=1, max_length=40)],
    new_tag: Annotated[str, TAG],
) -> dict[str, Any]:
    """Rename a tag on every note that has it (notes in the trash too)."""
    if new_tag == tag:
        raise ApiError(422, "Invalid argument 'new_tag': it is the same as 'tag'.")
    tags_text([new_tag])
    count = _retag(ctx, tag, new_tag)
    return {"message": f"Renamed the tag on {count} notes.", "notes": count}


@app.api("DELETE", "/tags/{tag}", {"message": "string", "notes": 1})
def delete_tag(
    ctx: CallContext, tag: Annotated[str, P("The tag to remove from all notes.", min_length=1, max_length=40)]
) -> dict[str, Any]:
    """Remove a tag from every note that has it (the notes stay)."""
    count = _retag(ctx, tag, None)
    return {"message": f"Removed the tag from {count} notes.", "notes": count}


@app.api("POST", "/notes/{note_id}/duplicate", {"message": "string", "note_id": 1})
def duplicate_note(
    ctx: CallContext,
    note_id: NOTE_ID,
    title: Annotated[
        str | None, P("Title of the copy; null means 'Copy of <title>'.", min_length=1, max_length=200)
    ] = None,
) -> dict[str, Any]:
    """Make an unpinned copy of a note, with its checklist, in the same notebook."""
    row = live_note(ctx, note_id)
    now = ctx.timestamp()
    new_id = ctx.execute(
        "INSERT INTO notes_notes (owner_id, title, content, tags, pinned, created_at, updated_at, notebook_id, color) "
        "VALUES (?,?,?,?,0,?,?,?,?)",
        ctx.caller,
        title or f"Copy of {row['title']}",
        row["content"],
        row["tags"],
        now,
        now,
        row["notebook_id"],
        row["color"],
    )
    ctx.execute(
        "INSERT INTO notes_checklist_items (note_id, text, checked, position, created_at) "
        "SELECT ?, text, checked, position, ? FROM notes_checklist_items WHERE note_id = ? ORDER BY position, id",
        new_id,
        now,
        note_id,
    )
    return {"message": "Note duplicated.", "note_id": new_id}


from envs.toolworld.apps import _notes_data, _notes_extras, _notes_organize  # noqa: E402, F401  (they register on app)
