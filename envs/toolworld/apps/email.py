"""email: a gmail-like mailbox; threads, sending, replies, forwards, labels, attachments, drafts.

Every person has their own copy of a conversation (a thread row per owner, one
message row per owner per email), so starring, archiving or labelling touches
only the caller's mailbox, while sending writes a copy into every recipient's.
"""

from __future__ import annotations

from typing import Annotated, Any

from envs.toolworld.api import ApiError, App, CallContext, P
from envs.toolworld.apps._accounts import add_account_apis

app = App(
    "email",
    "An email app: threads, sending, replies, forwards, labels, attachments and drafts.",
    schema="""
    CREATE TABLE email_threads (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, conversation_id INTEGER NOT NULL, subject TEXT NOT NULL,
        is_starred INTEGER NOT NULL, is_archived INTEGER NOT NULL, is_trashed INTEGER NOT NULL, UNIQUE(owner_id, conversation_id)
    );
    CREATE TABLE email_messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT, thread_id INTEGER NOT NULL, owner_id INTEGER NOT NULL, sender_id INTEGER NOT NULL,
        recipients TEXT NOT NULL, cc TEXT NOT NULL, body TEXT NOT NULL, sent_at TEXT NOT NULL, is_read INTEGER NOT NULL
    );
    CREATE TABLE email_attachments (
        id INTEGER PRIMARY KEY AUTOINCREMENT, message_id INTEGER NOT NULL, file_name TEXT NOT NULL, content TEXT NOT NULL
    );
    CREATE TABLE email_labels (id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, name TEXT NOT NULL, UNIQUE(owner_id, name));
    CREATE TABLE email_thread_labels (id INTEGER PRIMARY KEY AUTOINCREMENT, thread_id INTEGER NOT NULL, label_id INTEGER NOT NULL, UNIQUE(thread_id, label_id));
    CREATE TABLE email_drafts (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, recipients TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
)
add_account_apis(app)

LABEL = {"label_id": 1, "name": "string"}


@app.api("GET", "/labels", [LABEL], paginated=True)
def show_labels(ctx: CallContext) -> list[dict[str, Any]]:
    """List your labels by name."""
    return ctx.rows("SELECT id AS label_id, name FROM email_labels WHERE owner_id = ? ORDER BY name, id", ctx.user_id)


@app.api("POST", "/labels", {"label_id": 1})
def create_label(ctx: CallContext, name: Annotated[str, P("The new label's name.", min_length=1, max_length=40)]) -> dict[str, int]:
    """Create a label to organize threads."""
    if ctx.value("SELECT 1 FROM email_labels WHERE owner_id = ? AND name = ?", ctx.user_id, name):
        raise ApiError(409, f"You already have a label named {name!r}.")
    return {"label_id": ctx.execute("INSERT INTO email_labels (owner_id, name) VALUES (?, ?)", ctx.user_id, name)}
