"""notes: checklists inside notes, export of notes as text, and your app settings."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from envs.toolworld.api import ApiError, CallContext, P
from envs.toolworld.apps._notes_app import (
    MESSAGE,
    NOTE_ID,
    NOTE_SQL,
    Color,
    app,
    live_note,
    note,
)

ITEM = {"item_id": 1, "note_id": 1, "text": "string", "checked": True, "position": 1, "created_at": "string"}
ITEM_ID = Annotated[int, P("The checklist item's id.", ge=1)]
ITEM_TEXT = P("What the item says.", min_length=1, max_length=500)
Format = Literal["text", "markdown", "json"]
SETTINGS = {
    "default_sort": "string",
    "default_color": "string",
    "trash_retention_days": 1,
    "show_previews": True,
    "spell_check": True,
}
EXPORT_MAX_NOTES = 200  # one export reply stays small


def _items(ctx: CallContext, note_id: int) -> list[dict[str, Any]]:
    return ctx.rows(
        "SELECT id AS item_id, note_id, text, checked, position AS sort_key, created_at FROM notes_checklist_items "
        "WHERE note_id = ? ORDER BY position, id",
        note_id,
    )


def _item(ctx: CallContext, item_id: int) -> dict[str, Any]:
    """A checklist item of one of the caller's notes that is not in the trash."""
    row = ctx.row(
        "SELECT c.* FROM notes_checklist_items c JOIN notes_notes n ON n.id = c.note_id WHERE c.id = ? "
        "AND n.owner_id = ?",
        item_id,
        ctx.caller,
    )
    if row is None:
        raise ApiError(404, f"No checklist item with id {item_id}.")
    live_note(ctx, row["note_id"])
    return row


@app.api("GET", "/notes/{note_id}/checklist", [ITEM], paginated=True)
def show_checklist(
    ctx: CallContext,
    note_id: NOTE_ID,
    checked: Annotated[bool | None, P("Only checked (true) or unchecked (false) items.")] = None,
) -> list[dict[str, Any]]:
    """List the checklist items of one of your notes, in order (position 1 is the first)."""
    ctx.owned("notes_notes", note_id, "note")
    out = []
    for position, row in enumerate(_items(ctx, note_id), 1):
        if checked is None or bool(row["checked"]) == checked:
            out.append({**{k: row[k] for k in ITEM if k in row}, "checked": bool(row["checked"]), "position": position})
    return out


@app.api("POST", "/notes/{note_id}/checklist", {"message": "string", "item_id": 1})
def add_checklist_item(
    ctx: CallContext,
    note_id: NOTE_ID,
    text: Annotated[str, ITEM_TEXT],
    checked: Annotated[bool, P("Add it already checked.")] = False,
) -> dict[str, Any]:
    """Add an item at the end of a note's checklist (a note without one gets one)."""
    live_note(ctx, note_id)
    last = ctx.value("SELECT MAX(position) FROM notes_checklist_items WHERE note_id = ?", note_id) or 0
    new_id = ctx.execute(
        "INSERT INTO notes_checklist_items (note_id, text, checked, position, created_at) VALUES (?,?,?,?,?)",
        note_id,
        text,
        int(checked),
        float(int(last) + 1),
        ctx.timestamp(),
    )
    return {"message": "Item added.", "item_id": new_id}


@app.api("PATCH", "/checklist/{item_id}", MESSAGE)
def update_checklist_item(
    ctx: CallContext,
    item_id: ITEM_ID,
    text: Annotated[str | None, P("New text.", min_length=1, max_length=500)] = None,
    checked: Annotated[bool | None, P("Check (true) or uncheck (false) it.")] = None,
) -> dict[str, str]:
    """Check, uncheck or reword a checklist item."""
    _item(ctx, item_id)
    if text is None and checked is None:
        raise ApiError(422, "Give a new text or checked state.")
    ctx.update("notes_checklist_items", item_id, {"text": text, "checked": None if checked is None else int(checked)})
    return {"message": "Item updated."}


@app.api("DELETE", "/checklist/{item_id}", MESSAGE)
def delete_checklist_item(ctx: CallContext, item_id: ITEM_ID) -> dict[str, str]:
    """Delete one checklist item."""
    _item(ctx, item_id)
    ctx.execute("DELETE FROM notes_checklist_items WHERE id = ?", item_id)
    return {"message": "Item deleted."}


@app.api("DELETE", "/notes/{note_id}/checklist/checked", {"message": "string", "deleted": 1})
def clear_checked_items(ctx: CallContext, note_id: NOTE_ID) -> dict[str, Any]:
    """Delete every checked item of a note's checklist."""
    live_note(ctx, note_id)
    count = ctx.value("SELECT COUNT(*) FROM notes_checklist_items WHERE note_id = ? AND checked = 1", note_id)
    ctx.execute("DELETE FROM notes_checklist_items WHERE note_id = ? AND checked = 1", note_id)
    return {"message": f"Deleted {count} checked items.", "deleted": count}


def _render(ctx: CallContext, shown: dict[str, Any], fmt: Format) -> str:
    items = _items(ctx, shown["note_id"])
    if fmt == "json":
        checklist = [{"text": i["text"], "checked": bool(i["checked"])} for i in items]
        return json.dumps({**shown, "checklist": checklist})
    mark = {"markdown": ("- [x] ", "- [ ] "), "text": ("[x] ", "[ ] ")}[fmt]
    lines = [f"# {shown['title']}" if fmt == "markdown" else shown["title"]]
    if shown["tags"]:
        lines.append("Tags: " + ", ".join(shown["tags"]))
    lines += ["", shown["content"]] if shown["content"] else []
    lines += [(mark[0] if i["checked"] else mark[1]) + i["text"] for i in items]
    return "\n".join(lines)


@app.api("GET", "/notes/{note_id}/export", {"note_id": 1, "format": "string", "text": "string"})
def export_note(
    ctx: CallContext, note_id: NOTE_ID, format: Annotated[Format, P("The export format.")] = "markdown"
) -> dict[str, Any]:
    """Export one of your notes (with its checklist) as plain text, markdown or JSON."""
    ctx.owned("notes_notes", note_id, "note")
    shown = note(ctx.existing_row(f"{NOTE_SQL} WHERE n.id = ?", note_id))
    return {"note_id": note_id, "format": format, "text": _render(ctx, shown, format)}


@app.api("GET", "/export", {"format": "string", "notes": 1, "text": "string"})
def export_notes(
    ctx: CallContext,
    notebook_id: Annotated[int | None, P("Only this notebook; 0 for notes in no notebook; null for all.", ge=0)] = None,
    tag: Annotated[str | None, P("Only notes with this tag.", max_length=40)] = None,
    format: Annotated[Format, P("The export format.")] = "markdown",
) -> dict[str, Any]:
    """Export your notes (not those in the trash), oldest first, as one text; at most 200 notes per export."""
    where: list[str] = ["n.owner_id = ?", "n.trashed_at IS NULL"]
    args: list[Any] = [ctx.caller]
    if notebook_id is not None:
        where.append("COALESCE(n.notebook_id, 0) = ?")
        args.append(notebook_id)
    if tag is not None:
        where.append("instr(',' || n.tags || ',', ?) > 0")
        args.append(f",{tag},")
    rows = ctx.rows(f"{NOTE_SQL} WHERE {' AND '.join(where)} ORDER BY n.created_at, n.id", *args)
    if len(rows) > EXPORT_MAX_NOTES:
        raise ApiError(422, f"That is {len(rows)} notes; export at most {EXPORT_MAX_NOTES} at a time (filter it).")
    parts = [_render(ctx, note(r), format) for r in rows]
    text = "[" + ",".join(parts) + "]" if format == "json" else "\n\n---\n\n".join(parts)
    return {"format": format, "notes": len(rows), "text": text}


def _settings(ctx: CallContext) -> dict[str, Any]:
    """The caller's settings (every person of the world has them)."""
    return ctx.existing_row("SELECT * FROM notes_settings WHERE owner_id = ?", ctx.caller)


@app.api("GET", "/settings", SETTINGS)
def show_notes_settings(ctx: CallContext) -> dict[str, Any]:
    """Show your notes settings."""
    row = _settings(ctx)
    return {k: bool(row[k]) if k in ("show_previews", "spell_check") else row[k] for k in SETTINGS}


@app.api("PATCH", "/settings", MESSAGE)
def update_notes_settings(
    ctx: CallContext,
    default_sort: Annotated[
        Literal["-updated_at", "-created_at", "title"] | None, P("How your notes are listed by default.")
    ] = None,
    default_color: Annotated[Color | None, P("The color of new notes.")] = None,
    trash_retention_days: Annotated[int | None, P("Days notes stay in the trash.", ge=1, le=365)] = None,
    show_previews: Annotated[bool | None, P("Show the first lines of notes in lists.")] = None,
    spell_check: Annotated[bool | None, P("Check spelling while you type.")] = None,
) -> dict[str, str]:
    """Change the settings you give; the others stay."""
    _settings(ctx)
    given = {
        "default_sort": default_sort,
        "default_color": default_color,
        "trash_retention_days": trash_retention_days,
        "show_previews": show_previews,
        "spell_check": spell_check,
    }
    if all(v is None for v in given.values()):
        raise ApiError(422, "Give at least one setting to change.")
    for column, value in given.items():
        if value is not None:
            ctx.execute(f"UPDATE notes_settings SET {column} = ? WHERE owner_id = ?", value, ctx.caller)
    return {"message": "Settings updated."}
