"""email: the state changes beyond star/archive/trash: spam, important, mute, one email read, emptying the trash."""

from __future__ import annotations

from typing import Annotated

from envs.toolworld.api import ApiError, CallContext, P
from envs.toolworld.apps.email import EMAIL_ID, MESSAGE, _email_row, app, erase_threads, register_flags

register_flags(
    (
        (
            "mark_thread_spam",
            "/spam",
            "is_spam",
            1,
            "in the spam",
            "Report a thread as spam: it moves to the spam folder and out of every other.",
        ),
        ("mark_thread_not_spam", "/spam", "is_spam", 0, "not in the spam", "Take a thread out of the spam folder."),
        ("mark_thread_important", "/important", "is_important", 1, "important", "Mark a thread as important."),
        ("unmark_thread_important", "/important", "is_important", 0, "not important", "Unmark an important thread."),
        (
            "mute_thread",
            "/mute",
            "is_muted",
            1,
            "muted",
            "Mute a thread: it leaves the inbox and new replies do not bring it back.",
        ),
        ("unmute_thread", "/mute", "is_muted", 0, "not muted", "Unmute a thread so it shows in the inbox again."),
    )
)


@app.api("PATCH", "/emails/{email_id}/read", MESSAGE)
def mark_email_read(
    ctx: CallContext,
    email_id: EMAIL_ID,
    is_read: Annotated[bool, P("True to mark the email read, false for unread.")] = True,
) -> dict[str, str]:
    """Mark one email as read (or unread), leaving the rest of its thread as it is."""
    row = _email_row(ctx, email_id)
    state = "read" if is_read else "unread"
    if row["is_read"] == int(is_read):
        raise ApiError(409, f"Email {email_id} is already {state}.")
    ctx.execute("UPDATE email_messages SET is_read = ? WHERE id = ?", int(is_read), email_id)
    return {"message": f"Email marked {state}."}


@app.api("DELETE", "/trash", {"message": "string", "deleted_threads": 1})
def empty_trash(ctx: CallContext) -> dict[str, object]:
    """Delete every thread in your trash for good (other people's copies stay)."""
    trashed = "owner_id = ? AND is_trashed = 1"
    count = ctx.value(f"SELECT COUNT(*) FROM email_threads WHERE {trashed}", ctx.user_id)
    erase_threads(ctx, trashed, ctx.user_id)
    return {"message": f"Deleted {count} threads from the trash.", "deleted_threads": count}
