"""notes: plain-text notes with tags and pins (held out of the train split)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, App, CallContext, P
from envs.toolworld.apps._accounts import add_account_apis
from envs.toolworld.world.build import WorldBuilder

app = App(
    "notes",
    "A note-taking app: notes with titles, text, tags and pins.",
    schema="""
    CREATE TABLE notes_notes (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, title TEXT NOT NULL, content TEXT NOT NULL,
        tags TEXT NOT NULL, pinned INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
    );
    """,
)
add_account_apis(app)

TAGS = ("recipes", "travel", "work", "ideas", "books", "health")
TOPICS = {
    "recipes": ["Lentil soup", "Banana bread", "Green curry", "Pancakes", "Tomato salad"],
    "travel": ["Packing list", "Lisbon itinerary", "Camping gear", "Visa checklist"],
    "work": ["Standup notes", "Quarterly goals", "1:1 agenda", "Project retro"],
    "ideas": ["Birthday gift ideas", "Side project", "Garden plan", "Podcast topics"],
    "books": ["Reading list", "Book club picks", "Quotes I liked"],
    "health": ["Workout plan", "Doctor questions", "Sleep log"],
}
NOTE = {
    "note_id": 1,
    "title": "string",
    "content": "string",
    "tags": ["string"],
    "pinned": True,
    "created_at": "string",
    "updated_at": "string",
}
NOTE_ID = Annotated[int, P("The note's id.", ge=1)]
TAG_LIST = Annotated[list[str] | None, P("Tags, lowercase words.")]


@app.populator
def populate(w: WorldBuilder) -> None:
    rng = w.rng("notes")
    for person in w.people:
        rows = []
        for _ in range(rng.randint(4, 14)):
            tag = rng.choice(TAGS)
            created = w.now - timedelta(days=rng.randint(1, 400), minutes=rng.randint(0, 1440))
            tags = sorted({tag} | ({rng.choice(TAGS)} if rng.random() < 0.3 else set()))
            rows.append(
                {
                    "owner_id": person.id,
                    "title": rng.choice(TOPICS[tag]),
                    "content": f"Some thoughts about {tag}.",
                    "tags": ",".join(tags),
                    "pinned": int(rng.random() < 0.15),
                    "created_at": created.isoformat(timespec="seconds"),
                    "updated_at": (created + timedelta(days=rng.randint(0, 30))).isoformat(timespec="seconds"),
                }
            )
        w.insert("notes_notes", sorted(rows, key=lambda r: r["created_at"]))


def _note(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "note_id": row["id"],
        "title": row["title"],
        "content": row["content"],
        "tags": [t for t in row["tags"].split(",") if t],
        "pinned": bool(row["pinned"]),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _tags(tags: list[str]) -> str:
    bad = [t for t in tags if not t.isalnum() or t != t.lower()]
    if bad:
        raise ApiError(422, f"Invalid argument 'tags': {bad} must be lowercase words.")
    return ",".join(sorted(set(tags)))


@app.api("GET", "/notes", [NOTE], paginated=True)
def search_notes(
    ctx: CallContext,
    query: Annotated[str, P("Words to match in title or content; empty lists all.", max_length=QUERY_MAX_CHARS)] = "",
    tag: Annotated[str | None, P("Only notes with this tag.")] = None,
    pinned: Annotated[bool | None, P("Only pinned (true) or unpinned (false) notes.")] = None,
) -> list[dict[str, Any]]:
    """Search your notes, most recently updated first."""
    rows = ctx.rows("SELECT * FROM notes_notes WHERE owner_id = ? ORDER BY updated_at DESC, id DESC", ctx.user_id)
    words = query.lower().split()
    found = [r for r in rows if all(w in f"{r['title']} {r['content']}".lower() for w in words)]
    found = [r for r in found if tag is None or tag in r["tags"].split(",")]
    return [_note(r) for r in found if pinned is None or bool(r["pinned"]) == pinned]


@app.api("GET", "/notes/{note_id}", NOTE)
def show_note(ctx: CallContext, note_id: NOTE_ID) -> dict[str, Any]:
    """Show one note."""
    return _note(ctx.owned("notes_notes", note_id, "note"))


@app.api("POST", "/notes", {"message": "string", "note_id": 1})
def create_note(
    ctx: CallContext,
    title: Annotated[str, P("The note's title.", min_length=1, max_length=200)],
    content: Annotated[str, P("The note's text.")] = "",
    tags: Annotated[list[str], P("Tags, lowercase words.")] = [],  # noqa: B006 (never mutated)
    pinned: Annotated[bool, P("Pin it to the top.")] = False,
) -> dict[str, Any]:
    """Create a note."""
    now = ctx.timestamp()
    new_id = ctx.execute(
        "INSERT INTO notes_notes (owner_id, title, content, tags, pinned, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?)",
        ctx.user_id,
        title,
        content,
        _tags(tags),
        int(pinned),
        now,
        now,
    )
    return {"message": "Note created.", "note_id": new_id}


@app.api("PATCH", "/notes/{note_id}", {"message": "string"})
def update_note(
    ctx: CallContext,
    note_id: NOTE_ID,
    title: Annotated[str | None, P("New title.", min_length=1, max_length=200)] = None,
    content: Annotated[str | None, P("New text (replaces the old text).")] = None,
    tags: TAG_LIST = None,
    pinned: Annotated[bool | None, P("Pin (true) or unpin (false).")] = None,
) -> dict[str, str]:
    """Change the fields you give of one note."""
    ctx.owned("notes_notes", note_id, "note")
    fields = {
        "title": title,
        "content": content,
        "tags": None if tags is None else _tags(tags),
        "pinned": None if pinned is None else int(pinned),
    }
    if any(v is not None for v in fields.values()):
        ctx.update("notes_notes", note_id, {**fields, "updated_at": ctx.timestamp()})
    return {"message": "Note updated."}


@app.api("POST", "/notes/{note_id}/append", {"message": "string"})
def append_to_note(
    ctx: CallContext, note_id: NOTE_ID, text: Annotated[str, P("Text to add as a new line at the end.", min_length=1)]
) -> dict[str, str]:
    """Add a line at the end of a note."""
    row = ctx.owned("notes_notes", note_id, "note")
    content = f"{row['content']}\n{text}" if row["content"] else text
    ctx.update("notes_notes", note_id, {"content": content, "updated_at": ctx.timestamp()})
    return {"message": "Text appended."}


@app.api("DELETE", "/notes/{note_id}", {"message": "string"})
def delete_note(ctx: CallContext, note_id: NOTE_ID) -> dict[str, str]:
    """Delete one note."""
    ctx.owned("notes_notes", note_id, "note")
    ctx.execute("DELETE FROM notes_notes WHERE id = ?", note_id)
    return {"message": "Note deleted."}


@app.api("GET", "/tags", [{"tag": "string", "notes": 1}])
def show_tags(ctx: CallContext) -> list[dict[str, Any]]:
    """List the tags you use, with how many notes carry each."""
    counts: dict[str, int] = {}
    for row in ctx.rows("SELECT tags FROM notes_notes WHERE owner_id = ?", ctx.user_id):
        for tag in filter(None, row["tags"].split(",")):
            counts[tag] = counts.get(tag, 0) + 1
    return [{"tag": t, "notes": n} for t, n in sorted(counts.items())]


@app.api("POST", "/notes/{note_id}/tags", {"message": "string"})
def add_tag_to_note(
    ctx: CallContext, note_id: NOTE_ID, tag: Annotated[str, P("A lowercase word.", min_length=1, max_length=40)]
) -> dict[str, str]:
    """Add one tag to a note (its other tags stay)."""
    row = ctx.owned("notes_notes", note_id, "note")
    tags = set(filter(None, row["tags"].split(",")))
    if tag in tags:
        raise ApiError(409, f"Note {note_id} already has the tag {tag!r}.")
    ctx.update("notes_notes", note_id, {"tags": _tags(sorted(tags | {tag})), "updated_at": ctx.timestamp()})
    return {"message": "Tag added."}


@app.api("DELETE", "/notes/{note_id}/tags/{tag}", {"message": "string"})
def remove_tag_from_note(
    ctx: CallContext, note_id: NOTE_ID, tag: Annotated[str, P("The tag to remove.", min_length=1)]
) -> dict[str, str]:
    """Remove one tag from a note."""
    row = ctx.owned("notes_notes", note_id, "note")
    tags = set(filter(None, row["tags"].split(",")))
    if tag not in tags:
        raise ApiError(404, f"Note {note_id} has no tag {tag!r}.")
    ctx.execute(
        "UPDATE notes_notes SET tags = ?, updated_at = ? WHERE id = ?",
        ",".join(sorted(tags - {tag})),
        ctx.timestamp(),
        note_id,
    )
    return {"message": "Tag removed."}


@app.api("POST", "/notes/{note_id}/duplicate", {"message": "string", "note_id": 1})
def duplicate_note(
    ctx: CallContext,
    note_id: NOTE_ID,
    title: Annotated[
        str | None, P("Title of the copy; null means 'Copy of <title>'.", min_length=1, max_length=200)
    ] = None,
) -> dict[str, Any]:
    """Make an unpinned copy of a note."""
    row = ctx.owned("notes_notes", note_id, "note")
    now = ctx.timestamp()
    new_id = ctx.execute(
        "INSERT INTO notes_notes (owner_id, title, content, tags, pinned, created_at, updated_at) "
        "VALUES (?,?,?,?,0,?,?)",
        ctx.user_id,
        title or f"Copy of {row['title']}",
        row["content"],
        row["tags"],
        now,
        now,
    )
    return {"message": "Note duplicated.", "note_id": new_id}
