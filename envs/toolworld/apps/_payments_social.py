"""The social side of payments: finding users, friends, blocks, the feed with likes and comments,
notifications and privacy/notification settings."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, CallContext, P, Page
from envs.toolworld.apps._payments_base import (
    EMAIL,
    FEED_LIMIT,
    MESSAGE,
    PERSON,
    TRANSACTION,
    TRANSACTION_ID,
    app,
    blocked_between,
    person_by_email,
    transaction_page,
    transactions,
    visible_transaction,
)
from envs.toolworld.apps._text_search import contains, search_words

USER = {"name": "string", "email": "string", "is_friend": True, "mutual_friends": 1, "blocked": True}
COMMENT = {"comment_id": 1, "author": PERSON, "text": "string", "created_at": "string", "edited_at": "string"}
NOTIFICATION = {
    "notification_id": 1,
    "kind": "string",
    "message": "string",
    "transaction_id": 1,
    "request_id": 1,
    "is_read": True,
    "created_at": "string",
}
SETTINGS = {
    "default_private": True,
    "friends_list_public": True,
    "allow_requests_from": "string",
    "notify_payments": True,
    "notify_requests": True,
    "notify_social": True,
}
COMMENT_ID = Annotated[int, P("The comment's id.", ge=1)]
NOTIFICATION_ID = Annotated[int, P("The notification's id.", ge=1)]
NAME_SQL = "p.first_name || ' ' || p.last_name"
MATCH_SQL = contains(f"{NAME_SQL} || ' ' || p.email")  # one query word against a person's name and email


@app.api("GET", "/users", [{"name": "string", "email": "string"}], paginated=True)
def search_users(
    ctx: CallContext,
    query: Annotated[str, P("Words to match in name or email.", min_length=1, max_length=QUERY_MAX_CHARS)],
    friends_only: Annotated[bool, P("Only people who are your friends.")] = False,
) -> list[dict[str, Any]]:
    """Find payments users by name or email: exact full-name matches first, then names starting with the query."""
    words = search_words(query)
    where = [MATCH_SQL for _ in words]
    if friends_only:
        where.append("p.id IN (SELECT friend_id FROM payments_friends WHERE owner_id = ?)")
    phrase = " ".join(words)
    return ctx.rows(
        f"SELECT {NAME_SQL} AS name, p.email FROM people p WHERE {' AND '.join(where) or '1'} "
        f"ORDER BY LOWER({NAME_SQL}) = ? DESC, instr(LOWER({NAME_SQL}), ?) = 1 DESC, p.first_name, p.last_name",
        *words,
        *([ctx.user_id] if friends_only else []),
        phrase,
        phrase,
    )


def _mutual(ctx: CallContext, other: int) -> int:
    return int(
        ctx.value(
            "SELECT COUNT(*) FROM payments_friends a JOIN payments_friends b ON b.friend_id = a.friend_id "
            "WHERE a.owner_id = ? AND b.owner_id = ?",
            ctx.user_id,
            other,
        )
    )


@app.api("GET", "/users/{email}", USER)
def show_user(ctx: CallContext, email: EMAIL) -> dict[str, Any]:
    """Show a user's profile: whether they are your friend, your mutual friends, whether you blocked them."""
    other = person_by_email(ctx, email)
    row = ctx.existing_row(f"SELECT {NAME_SQL} AS name, p.email FROM people p WHERE p.id = ?", other)
    return {
        **row,
        "is_friend": bool(
            ctx.value("SELECT 1 FROM payments_friends WHERE owner_id = ? AND friend_id = ?", ctx.user_id, other)
        ),
        "mutual_friends": _mutual(ctx, other),
        "blocked": bool(
            ctx.value("SELECT 1 FROM payments_blocks WHERE owner_id = ? AND blocked_id = ?", ctx.user_id, other)
        ),
    }


@app.api("GET", "/friends", [{"name": "string", "email": "string"}], paginated=True)
def show_friends(
    ctx: CallContext,
    query: Annotated[str | None, P("Words to match in the friend's name or email.", max_length=QUERY_MAX_CHARS)] = None,
    sort_by: Annotated[Literal["added", "name"], P("In the order you added them, or by name.")] = "added",
) -> list[dict[str, Any]]:
    """List your payments friends."""
    words = search_words(query)
    order = "f.id" if sort_by == "added" else "p.first_name, p.last_name"
    return ctx.rows(
        f"SELECT {NAME_SQL} AS name, p.email FROM payments_friends f JOIN people p ON p.id = f.friend_id "
        f"WHERE {' AND '.join(['f.owner_id = ?'] + [MATCH_SQL for _ in words])} "
        f"ORDER BY {order}",
        ctx.user_id,
        *words,
    )


@app.api("GET", "/users/{email}/mutual_friends", [{"name": "string", "email": "string"}], paginated=True)
def show_mutual_friends(ctx: CallContext, email: EMAIL) -> list[dict[str, Any]]:
    """List the friends you and another user have in common."""
    other = person_by_email(ctx, email)
    return ctx.rows(
        f"SELECT {NAME_SQL} AS name, p.email FROM payments_friends a JOIN payments_friends b "
        "ON b.friend_id = a.friend_id JOIN people p ON p.id = a.friend_id WHERE a.owner_id = ? AND b.owner_id = ? "
        "ORDER BY p.first_name, p.last_name",
        ctx.user_id,
        other,
    )


@app.api("POST", "/friends", MESSAGE)
def add_friend(ctx: CallContext, email: EMAIL) -> dict[str, str]:
    """Add a payments friend by email."""
    other = person_by_email(ctx, email)
    if blocked_between(ctx, ctx.caller, other):
        raise ApiError(409, f"You cannot befriend {email}: one of you has blocked the other.")
    ctx.insert_unique(
        "payments_friends", {"owner_id": ctx.user_id, "friend_id": other}, f"{email} is already your friend."
    )
    return {"message": "Friend added."}


@app.api("DELETE", "/friends", MESSAGE)
def remove_friend(ctx: CallContext, email: EMAIL) -> dict[str, str]:
    """Remove a payments friend."""
    ctx.delete_existing(
        "payments_friends",
        {"owner_id": ctx.user_id, "friend_id": person_by_email(ctx, email)},
        f"{email} is not your friend.",
    )
    return {"message": "Friend removed."}


@app.api("GET", "/blocks", [{"name": "string", "email": "string", "blocked_at": "string"}], paginated=True)
def show_blocked_users(ctx: CallContext) -> list[dict[str, Any]]:
    """List the people you blocked, most recent first."""
    return ctx.rows(
        f"SELECT {NAME_SQL} AS name, p.email, b.created_at AS blocked_at FROM payments_blocks b "
        "JOIN people p ON p.id = b.blocked_id WHERE b.owner_id = ? ORDER BY b.created_at DESC, b.id DESC",
        ctx.user_id,
    )


@app.api("POST", "/blocks", MESSAGE)
def block_user(ctx: CallContext, email: EMAIL) -> dict[str, str]:
    """Block someone: neither of you can pay or request the other; they stop being your friend."""
    other = person_by_email(ctx, email)
    ctx.insert_unique(
        "payments_blocks",
        {"owner_id": ctx.user_id, "blocked_id": other},
        f"{email} is already blocked.",
        {"created_at": ctx.timestamp()},
    )
    ctx.execute("DELETE FROM payments_friends WHERE owner_id = ? AND friend_id = ?", ctx.user_id, other)
    return {"message": "User blocked."}


@app.api("DELETE", "/blocks", MESSAGE)
def unblock_user(ctx: CallContext, email: EMAIL) -> dict[str, str]:
    """Unblock someone you blocked."""
    ctx.delete_existing(
        "payments_blocks",
        {"owner_id": ctx.user_id, "blocked_id": person_by_email(ctx, email)},
        f"{email} is not blocked.",
    )
    return {"message": "User unblocked."}


@app.api("GET", "/feed", [TRANSACTION], paginated=True)
def show_feed(
    ctx: CallContext,
    scope: Annotated[
        Literal["friends", "mine", "everyone"], P("Payments of you and your friends, only yours, or everyone's.")
    ] = "friends",
    query: Annotated[str | None, P("Words that must all appear in the note.", max_length=QUERY_MAX_CHARS)] = None,
) -> list[dict[str, Any]]:
    """The feed of public payments, newest first (the feed keeps the newest 100; blocked people never show)."""
    words = search_words(query)
    circle = "SELECT friend_id FROM payments_friends WHERE owner_id = ?1 UNION SELECT ?1"
    who = {
        "friends": f"(t.sender_id IN ({circle}) OR t.receiver_id IN ({circle}))",
        "mine": "(t.sender_id = ?1 OR t.receiver_id = ?1)",
        "everyone": "?1 = ?1",
    }[scope]
    hidden = (
        "SELECT blocked_id FROM payments_blocks WHERE owner_id = ?1 "
        "UNION SELECT owner_id FROM payments_blocks WHERE blocked_id = ?1"
    )
    where = [
        who,
        "t.private = 0",
        f"t.sender_id NOT IN ({hidden}) AND t.receiver_id NOT IN ({hidden})",
        *(contains("t.note", f"?{i + 2}") for i in range(len(words))),
    ]
    return transactions(ctx, " AND ".join(where), ctx.user_id, *words, limit=FEED_LIMIT, newest_first_scan=True)


@app.api("GET", "/users/{email}/transactions", [TRANSACTION], paginated=True)
def show_user_transactions(ctx: CallContext, email: EMAIL) -> Page:
    """A user's public payments, newest first (none if one of you blocked the other)."""
    other = person_by_email(ctx, email)
    if blocked_between(ctx, ctx.caller, other):
        return Page([], 0)
    return transaction_page(ctx, "(t.sender_id = ?1 OR t.receiver_id = ?1) AND t.private = 0", other)


@app.api("GET", "/transactions/{transaction_id}/likes", [{"name": "string", "email": "string"}], paginated=True)
def show_transaction_likes(ctx: CallContext, transaction_id: TRANSACTION_ID) -> list[dict[str, Any]]:
    """List who liked a transaction you can see."""
    visible_transaction(ctx, transaction_id)
    return ctx.rows(
        f"SELECT {NAME_SQL} AS name, p.email FROM payments_likes l JOIN people p ON p.id = l.person_id "
        "WHERE l.transaction_id = ? ORDER BY l.id",
        transaction_id,
    )


@app.api("POST", "/transactions/{transaction_id}/likes", MESSAGE)
def like_transaction(ctx: CallContext, transaction_id: TRANSACTION_ID) -> dict[str, str]:
    """Like a transaction you can see."""
    visible_transaction(ctx, transaction_id)
    ctx.insert_unique(
        "payments_likes",
        {"transaction_id": transaction_id, "person_id": ctx.user_id},
        f"You already like transaction {transaction_id}.",
        {"created_at": ctx.timestamp()},
    )
    return {"message": "Liked."}


@app.api("DELETE", "/transactions/{transaction_id}/likes", MESSAGE)
def unlike_transaction(ctx: CallContext, transaction_id: TRANSACTION_ID) -> dict[str, str]:
    """Take back your like of a transaction."""
    ctx.delete_existing(
        "payments_likes",
        {"transaction_id": transaction_id, "person_id": ctx.user_id},
        f"You do not like transaction {transaction_id}.",
    )
    return {"message": "Like removed."}


@app.api("GET", "/transactions/{transaction_id}/comments", [COMMENT], paginated=True)
def show_transaction_comments(ctx: CallContext, transaction_id: TRANSACTION_ID) -> list[dict[str, Any]]:
    """List the comments on a transaction you can see, oldest first."""
    visible_transaction(ctx, transaction_id)
    rows = ctx.rows(
        f"SELECT c.id AS comment_id, {NAME_SQL} AS name, p.email, c.text, c.created_at, c.edited_at "
        "FROM payments_comments c JOIN people p ON p.id = c.author_id WHERE c.transaction_id = ? "
        "ORDER BY c.created_at, c.id",
        transaction_id,
    )
    return [
        {"comment_id": r["comment_id"], "author": {"name": r["name"], "email": r["email"]}}
        | {k: r[k] for k in ("text", "created_at", "edited_at")}
        for r in rows
    ]


@app.api("POST", "/transactions/{transaction_id}/comments", {"message": "string", "comment_id": 1})
def add_comment(
    ctx: CallContext,
    transaction_id: TRANSACTION_ID,
    text: Annotated[str, P("The comment.", min_length=1, max_length=500)],
) -> dict[str, Any]:
    """Comment on a transaction you can see."""
    visible_transaction(ctx, transaction_id)
    new_id = ctx.execute(
        "INSERT INTO payments_comments (transaction_id, author_id, text, created_at) VALUES (?,?,?,?)",
        transaction_id,
        ctx.user_id,
        text,
        ctx.timestamp(),
    )
    return {"message": "Comment posted.", "comment_id": new_id}


@app.api("PATCH", "/comments/{comment_id}", MESSAGE)
def update_comment(
    ctx: CallContext, comment_id: COMMENT_ID, text: Annotated[str, P("The new text.", min_length=1, max_length=500)]
) -> dict[str, str]:
    """Edit one of your comments."""
    ctx.owned("payments_comments", comment_id, "comment of yours", owner_column="author_id")
    ctx.update("payments_comments", comment_id, {"text": text, "edited_at": ctx.timestamp()})
    return {"message": "Comment updated."}


@app.api("DELETE", "/comments/{comment_id}", MESSAGE)
def delete_comment(ctx: CallContext, comment_id: COMMENT_ID) -> dict[str, str]:
    """Delete one of your comments, or any comment on a transaction of yours."""
    row = ctx.row(
        "SELECT c.id FROM payments_comments c JOIN payments_transactions t ON t.id = c.transaction_id "
        "WHERE c.id = ? AND (c.author_id = ?2 OR t.sender_id = ?2 OR t.receiver_id = ?2)",
        comment_id,
        ctx.user_id,
    )
    if row is None:
        raise ApiError(404, f"No comment with id {comment_id} that you can delete.")
    ctx.execute("DELETE FROM payments_comments WHERE id = ?", comment_id)
    return {"message": "Comment deleted."}


@app.api("GET", "/notifications", [NOTIFICATION], paginated=True)
def show_notifications(
    ctx: CallContext,
    unread_only: Annotated[bool, P("Only notifications you have not read.")] = False,
    kind: Annotated[
        Literal["payment", "request", "declined", "reminder"] | None, P("Only notifications of this kind.")
    ] = None,
) -> list[dict[str, Any]]:
    """List your notifications, newest first."""
    rows = ctx.rows(
        "SELECT id AS notification_id, kind, message, transaction_id, request_id, is_read, created_at "
        "FROM payments_notifications WHERE person_id = ? AND (is_read = 0 OR ? = 0) AND (kind = ? OR ? IS NULL) "
        "ORDER BY created_at DESC, id DESC",
        ctx.user_id,
        int(unread_only),
        kind,
        kind,
    )
    return [{**r, "is_read": bool(r["is_read"])} for r in rows]


@app.api("PATCH", "/notifications/{notification_id}", MESSAGE)
def mark_notification(
    ctx: CallContext,
    notification_id: NOTIFICATION_ID,
    is_read: Annotated[bool, P("True marks it read, false unread.")] = True,
) -> dict[str, str]:
    """Mark one of your notifications read or unread."""
    ctx.owned("payments_notifications", notification_id, "notification of yours", owner_column="person_id")
    ctx.execute("UPDATE payments_notifications SET is_read = ? WHERE id = ?", int(is_read), notification_id)
    return {"message": f"Notification marked {'read' if is_read else 'unread'}."}


@app.api("POST", "/notifications/read", {"message": "string", "marked": 1})
def mark_all_notifications_read(ctx: CallContext) -> dict[str, Any]:
    """Mark all your unread notifications read."""
    marked = ctx.value("SELECT COUNT(*) FROM payments_notifications WHERE person_id = ? AND is_read = 0", ctx.user_id)
    ctx.execute("UPDATE payments_notifications SET is_read = 1 WHERE person_id = ? AND is_read = 0", ctx.user_id)
    return {"message": f"Marked {marked} notifications read.", "marked": marked}


@app.api("DELETE", "/notifications/{notification_id}", MESSAGE)
def delete_notification(ctx: CallContext, notification_id: NOTIFICATION_ID) -> dict[str, str]:
    """Delete one of your notifications."""
    ctx.owned("payments_notifications", notification_id, "notification of yours", owner_column="person_id")
    ctx.execute("DELETE FROM payments_notifications WHERE id = ?", notification_id)
    return {"message": "Notification deleted."}


@app.api("GET", "/settings", SETTINGS)
def show_settings(ctx: CallContext) -> dict[str, Any]:
    """Show your privacy and notification settings."""
    row = ctx.existing_row(f"SELECT {', '.join(SETTINGS)} FROM payments_settings WHERE person_id = ?", ctx.user_id)
    return {k: v if k == "allow_requests_from" else bool(v) for k, v in row.items()}


@app.api("PATCH", "/settings", SETTINGS)
def update_settings(
    ctx: CallContext,
    default_private: Annotated[bool | None, P("Make new payments private unless you say otherwise.")] = None,
    friends_list_public: Annotated[bool | None, P("Let others see your friends list.")] = None,
    allow_requests_from: Annotated[Literal["everyone", "friends"] | None, P("Who may send you money requests.")] = None,
    notify_payments: Annotated[bool | None, P("Notify you of payments you receive.")] = None,
    notify_requests: Annotated[bool | None, P("Notify you of requests and reminders.")] = None,
    notify_social: Annotated[bool | None, P("Notify you of likes and comments.")] = None,
) -> dict[str, Any]:
    """Change your privacy and notification settings (omitted ones stay as they are); returns them all."""
    row_id = ctx.value("SELECT id FROM payments_settings WHERE person_id = ?", ctx.user_id)
    changes = {
        "default_private": default_private,
        "friends_list_public": friends_list_public,
        "allow_requests_from": allow_requests_from,
        "notify_payments": notify_payments,
        "notify_requests": notify_requests,
        "notify_social": notify_social,
    }
    ctx.update("payments_settings", row_id, {k: int(v) if isinstance(v, bool) else v for k, v in changes.items()})
    return show_settings(ctx)
