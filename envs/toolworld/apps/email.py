"""email: a gmail-like mailbox; threads, sending, replies, forwards, labels, attachments, drafts.

Every person has their own copy of a conversation (a thread row per owner, one
message row per owner per email), so starring, archiving, reading or labelling
touches only the caller's mailbox, while sending writes a copy into every
participant's. Reading never marks anything read: that is an explicit call, so
looking around leaves the world unchanged. Lists filter and sort in SQL and build
their summaries with a fixed number of queries, so a mailbox of hundreds of threads
answers in a few milliseconds. The world's mail is made in _email_data.py; spam,
important, mute and the trash, the address book, filters and settings are in the
_email_<part>.py modules imported at the end.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, App, CallContext, P, Page
from envs.toolworld.apps._accounts import add_account_apis
from envs.toolworld.apps._day_args import DAY_DOC, iso_day
from envs.toolworld.apps._email_data import join_addresses, populate
from envs.toolworld.apps._sql_page import sql_page
from envs.toolworld.apps._text_search import search_words

app = App(
    "email",
    "An email app: threads, sending, replies, forwards, labels, attachments, drafts, spam, an address book, "
    "filters and settings (signature, vacation reply).",
    schema="""
    CREATE TABLE email_threads (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, conversation_id INTEGER NOT NULL,
        subject TEXT NOT NULL, is_starred INTEGER NOT NULL, is_archived INTEGER NOT NULL, is_trashed INTEGER NOT NULL,
        is_spam INTEGER NOT NULL DEFAULT 0, is_important INTEGER NOT NULL DEFAULT 0,
        is_muted INTEGER NOT NULL DEFAULT 0,
        UNIQUE(owner_id, conversation_id)
    );
    CREATE INDEX email_threads_conversation ON email_threads(conversation_id);
    CREATE TABLE email_messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT, thread_id INTEGER NOT NULL, owner_id INTEGER NOT NULL,
        sender_id INTEGER NOT NULL, recipients TEXT NOT NULL, cc TEXT NOT NULL, body TEXT NOT NULL,
        sent_at TEXT NOT NULL, is_read INTEGER NOT NULL
    );
    CREATE INDEX email_messages_thread ON email_messages(thread_id, sent_at);
    CREATE INDEX email_messages_owner ON email_messages(owner_id, sent_at);
    CREATE TABLE email_attachments (
        id INTEGER PRIMARY KEY AUTOINCREMENT, message_id INTEGER NOT NULL, file_name TEXT NOT NULL,
        content TEXT NOT NULL
    );
    CREATE INDEX email_attachments_message ON email_attachments(message_id);
    CREATE TABLE email_labels (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, name TEXT NOT NULL, UNIQUE(owner_id, name)
    );
    CREATE TABLE email_thread_labels (
        id INTEGER PRIMARY KEY AUTOINCREMENT, thread_id INTEGER NOT NULL, label_id INTEGER NOT NULL,
        UNIQUE(thread_id, label_id)
    );
    CREATE INDEX email_thread_labels_label ON email_thread_labels(label_id);
    CREATE TABLE email_drafts (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, recipients TEXT NOT NULL,
        cc TEXT NOT NULL DEFAULT '', subject TEXT NOT NULL, body TEXT NOT NULL, updated_at TEXT NOT NULL
    );
    CREATE INDEX email_drafts_owner ON email_drafts(owner_id, updated_at);
    CREATE TABLE email_contacts (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, name TEXT NOT NULL, email TEXT NOT NULL,
        notes TEXT NOT NULL, is_favorite INTEGER NOT NULL, created_at TEXT NOT NULL, UNIQUE(owner_id, email)
    );
    CREATE TABLE email_filters (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, from_address TEXT NOT NULL,
        subject_contains TEXT NOT NULL, has_words TEXT NOT NULL, action TEXT NOT NULL, label_id INTEGER,
        created_at TEXT NOT NULL
    );
    CREATE INDEX email_filters_owner ON email_filters(owner_id);
    CREATE TABLE email_settings (
        owner_id INTEGER PRIMARY KEY, display_name TEXT NOT NULL, signature TEXT NOT NULL,
        vacation_enabled INTEGER NOT NULL, vacation_subject TEXT NOT NULL, vacation_message TEXT NOT NULL,
        vacation_start TEXT NOT NULL, vacation_end TEXT NOT NULL
    );
    """,
)
add_account_apis(app)
app.populator(populate)

PERSON = {"name": "string", "email": "string"}
ATTACHMENT = {"attachment_id": 1, "file_name": "string"}
EMAIL = {
    "email_id": 1,
    "thread_id": 1,
    "subject": "string",
    "sender": PERSON,
    "recipients": ["string"],
    "cc": ["string"],
    "body": "string",
    "sent_at": "string",
    "is_read": True,
    "attachments": [ATTACHMENT],
}
THREAD = {
    "thread_id": 1,
    "subject": "string",
    "participants": ["string"],
    "email_count": 1,
    "unread_count": 1,
    "last_sent_at": "string",
    "last_sender": PERSON,
    "has_attachments": True,
    "is_starred": True,
    "is_archived": True,
    "is_trashed": True,
    "is_spam": True,
    "is_important": True,
    "is_muted": True,
    "labels": ["string"],
}
DRAFT = {
    "draft_id": 1,
    "recipients": ["string"],
    "cc": ["string"],
    "subject": "string",
    "body": "string",
    "updated_at": "string",
}
MESSAGE = {"message": "string"}
# Emails one conversation may hold (in any mailbox): show_thread sends a thread whole, and 24.7k replies in one
# thread (inside the storage bound) made it take 0.34 s and 46 MB in the env for a 6 MB answer; threads hold 1-3
MAX_THREAD_EMAILS = 500
THREAD_ID = Annotated[int, P("The thread's id.", ge=1)]
EMAIL_ID = Annotated[int, P("The email's id.", ge=1)]
LABEL_ID = Annotated[int, P("The label's id.", ge=1)]
DRAFT_ID = Annotated[int, P("The draft's id.", ge=1)]
ADDRESSES = Annotated[list[str], P("Email addresses of the recipients.", min_length=1, max_length=50)]
CC = Annotated[list[str] | None, P("Email addresses to copy.", max_length=50)]
SUBJECT = Annotated[str, P("The subject line.", min_length=1, max_length=200)]
BODY = Annotated[str, P("The text of the email.", max_length=20_000)]
# no count bound of its own: the call's size budget (api.MAX_CALL_SIZE) bounds what attachments can carry
ATTACHMENTS = Annotated[list[dict] | None, P("Files to attach, each {'file_name': ..., 'content': ...}.")]


def _split(emails: str) -> list[str]:
    return [e for e in emails.split(", ") if e]


def _person(ctx: CallContext, person_id: int) -> dict[str, str]:
    return ctx.existing_row("SELECT first_name || ' ' || last_name AS name, email FROM people WHERE id = ?", person_id)


def _people_ids(ctx: CallContext, emails: list[str], argument: str) -> list[int]:
    ids = []
    for email in emails:
        found = ctx.value("SELECT id FROM people WHERE lower(email) = lower(?)", email.strip())
        if found is None:
            raise ApiError(422, f"Invalid argument {argument!r}: no email account has the address {email!r}.")
        ids.append(found)
    return list(dict.fromkeys(ids))


def _attachments(given: list[dict] | None) -> list[tuple[str, str]]:
    out = []
    for i, item in enumerate(given or []):
        if (
            set(item) != {"file_name", "content"}
            or not all(isinstance(v, str) for v in item.values())
            or not item["file_name"].strip()
        ):
            raise ApiError(
                422,
                f"Invalid argument 'attachments[{i}]': "
                f"expected {{'file_name': non-empty string, 'content': string}}, got {item!r}.",
            )
        out.append((item["file_name"], item["content"]))
    return out


def _thread_row(ctx: CallContext, thread_id: int) -> dict[str, Any]:
    return ctx.owned("email_threads", thread_id, "thread in your mailbox")


def _email_row(ctx: CallContext, email_id: int) -> dict[str, Any]:
    return ctx.owned("email_messages", email_id, "email in your mailbox")


def _people(ctx: CallContext, ids: set[int]) -> dict[int, dict[str, str]]:
    marks = ",".join(str(int(i)) for i in ids) or "0"
    return {
        r["id"]: {"name": r["name"], "email": r["email"]}
        for r in ctx.rows(f"SELECT id, first_name || ' ' || last_name AS name, email FROM people WHERE id IN ({marks})")
    }


def _ids(rows: list[dict[str, Any]], key: str = "id") -> str:
    """An SQL list of row ids (integers read from the DB, so safe to inline)."""
    return ",".join(str(int(r[key])) for r in rows) or "0"


def _emails(ctx: CallContext, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Emails as the agent sees them; one query per kind of detail, however many emails there are."""
    subjects = dict(
        ctx.conn.execute(f"SELECT id, subject FROM email_threads WHERE id IN ({_ids(rows, 'thread_id')})").fetchall()
    )
    files: dict[int, list[dict[str, Any]]] = {}
    for f in ctx.rows(
        f"SELECT id, message_id, file_name FROM email_attachments WHERE message_id IN ({_ids(rows)}) ORDER BY id"
    ):
        files.setdefault(f["message_id"], []).append({"attachment_id": f["id"], "file_name": f["file_name"]})
    people = _people(ctx, {r["sender_id"] for r in rows})
    return [
        {
            "email_id": row["id"],
            "thread_id": row["thread_id"],
            "subject": subjects[row["thread_id"]],
            "sender": people[row["sender_id"]],
            "recipients": _split(row["recipients"]),
            "cc": _split(row["cc"]),
            "body": row["body"],
            "sent_at": row["sent_at"],
            "is_read": bool(row["is_read"]),
            "attachments": files.get(row["id"], []),
        }
        for row in rows
    ]


def _email(ctx: CallContext, row: dict[str, Any]) -> dict[str, Any]:
    return _emails(ctx, [row])[0]


def _threads(ctx: CallContext, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Thread summaries in the order of `rows`; a fixed handful of queries, however many threads there are."""
    ids = _ids(rows)
    emails: dict[int, list[dict[str, Any]]] = {}
    for e in ctx.rows(
        "SELECT thread_id, sender_id, recipients, cc, sent_at, is_read FROM email_messages "
        f"WHERE thread_id IN ({ids}) ORDER BY sent_at, id"
    ):
        emails.setdefault(e["thread_id"], []).append(e)
    labels: dict[int, list[str]] = {}
    for r in ctx.rows(
        "SELECT x.thread_id, l.name FROM email_thread_labels x JOIN email_labels l ON l.id = x.label_id "
        f"WHERE x.thread_id IN ({ids}) ORDER BY l.name"
    ):
        labels.setdefault(r["thread_id"], []).append(r["name"])
    with_files = {
        r[0]
        for r in ctx.conn.execute(
            "SELECT DISTINCT m.thread_id FROM email_attachments a JOIN email_messages m ON m.id = a.message_id "
            f"WHERE m.thread_id IN ({ids})"
        )
    }
    people = _people(ctx, {r["owner_id"] for r in rows} | {e["sender_id"] for es in emails.values() for e in es})
    out = []
    for row in rows:
        mine = emails.get(row["id"], [])
        addresses = {a for e in mine for a in _split(e["recipients"]) + _split(e["cc"])}
        addresses |= {people[p]["email"] for p in {row["owner_id"]} | {e["sender_id"] for e in mine}}
        out.append(
            {
                "thread_id": row["id"],
                "subject": row["subject"],
                "participants": sorted(addresses),
                "email_count": len(mine),
                "unread_count": sum(not e["is_read"] for e in mine),
                "last_sent_at": mine[-1]["sent_at"] if mine else None,
                "last_sender": people[mine[-1]["sender_id"]] if mine else None,
                "has_attachments": row["id"] in with_files,
                **{flag: bool(row[flag]) for flag in FLAGS},
                "labels": labels.get(row["id"], []),
            }
        )
    return out


def _thread(ctx: CallContext, row: dict[str, Any]) -> dict[str, Any]:
    return _threads(ctx, [row])[0]


FLAGS = ("is_starred", "is_archived", "is_trashed", "is_spam", "is_important", "is_muted")
# a thread is in a folder when this holds (t is the thread); spam and trash are outside every other folder,
# muted threads stay out of the inbox
KEPT = "t.is_trashed = 0 AND t.is_spam = 0"
FOLDERS = {
    "inbox": f"{KEPT} AND t.is_archived = 0 AND t.is_muted = 0 AND EXISTS "
    "(SELECT 1 FROM email_messages o WHERE o.thread_id = t.id AND o.sender_id != t.owner_id)",
    "sent": f"{KEPT} AND EXISTS (SELECT 1 FROM email_messages o WHERE o.thread_id = t.id AND o.sender_id = t.owner_id)",
    "starred": f"{KEPT} AND t.is_starred = 1",
    "important": f"{KEPT} AND t.is_important = 1",
    "archived": f"{KEPT} AND t.is_archived = 1",
    "spam": "t.is_trashed = 0 AND t.is_spam = 1",
    "trash": "t.is_trashed = 1",
    "all": KEPT,
}
THREAD_WORD = (
    "(instr(lower(t.subject), ?) OR EXISTS (SELECT 1 FROM email_messages m JOIN people p ON p.id = m.sender_id "
    "WHERE m.thread_id = t.id AND instr(lower(m.body || ' ' || m.recipients || ' ' || m.cc || ' ' || p.first_name "
    "|| ' ' || p.last_name || ' ' || p.email), ?)) "
    "OR instr(lower((SELECT email FROM people WHERE id = t.owner_id)), ?))"
)
HAS_LABEL = (
    "EXISTS (SELECT 1 FROM email_thread_labels x JOIN email_labels l ON l.id = x.label_id "
    "WHERE x.thread_id = {thread} AND l.name = ?)"
)
HAS_FILES = (
    "EXISTS (SELECT 1 FROM email_attachments a JOIN email_messages f ON f.id = a.message_id WHERE f.{column} = {row})"
)


def _deliver(
    ctx: CallContext,
    conversation_id: int | None,
    subject: str,
    to: list[int],
    cc: list[int],
    body: str,
    files: list[tuple[str, str]],
    sender: int | None = None,
) -> dict[str, int]:
    """Write one email into the mailbox of the sender (the caller unless given) and of every recipient; returns
    the sender's copy. A recipient whose vacation reply runs today answers at once (an auto-reply never does)."""
    sender = ctx.caller if sender is None else sender
    if conversation_id is None:
        conversation_id = (ctx.value("SELECT MAX(conversation_id) FROM email_threads") or 0) + 1
    recipients = join_addresses(_person(ctx, p)["email"] for p in to)
    copied = join_addresses(_person(ctx, p)["email"] for p in cc if p not in to)
    mine: dict[str, int] = {}
    for owner in dict.fromkeys([sender, *to, *cc]):
        thread_id = ctx.value(
            "SELECT id FROM email_threads WHERE owner_id = ? AND conversation_id = ?", owner, conversation_id
        )
        if thread_id is None:
            thread_id = ctx.execute(
                "INSERT INTO email_threads (owner_id, conversation_id, subject, is_starred, is_archived, is_trashed) "
                "VALUES (?,?,?,0,0,0)",
                owner,
                conversation_id,
                subject,
            )
        message_id = ctx.execute(
            "INSERT INTO email_messages (thread_id, owner_id, sender_id, recipients, cc, body, sent_at, is_read) "
            "VALUES (?,?,?,?,?,?,?,?)",
            thread_id,
            owner,
            sender,
            recipients,
            copied,
            body,
            ctx.timestamp(),
            int(owner == sender),
        )
        for name, content in files:
            ctx.execute(
                "INSERT INTO email_attachments (message_id, file_name, content) VALUES (?,?,?)",
                message_id,
                name,
                content,
            )
        if owner == sender:
            mine = {"email_id": message_id, "thread_id": thread_id}
    if sender == ctx.user_id:
        today = ctx.now.date().isoformat()
        for away in ctx.rows(
            f"SELECT * FROM email_settings WHERE owner_id IN ({','.join(str(p) for p in dict.fromkeys(to + cc))}) "
            "AND owner_id != ? AND vacation_enabled = 1 AND vacation_start <= ? AND vacation_end >= ? "
            "ORDER BY owner_id",
            sender,
            today,
            today,
        ):
            text = f"{away['vacation_subject']}\n\n{away['vacation_message']}"
            _deliver(ctx, conversation_id, subject, [sender], [], text, [], sender=away["owner_id"])
    return mine


def _signed(ctx: CallContext, body: str, include_signature: bool) -> str:
    """`body` with the caller's signature (from update_email_settings) below it, if asked and set."""
    signature = ctx.value("SELECT signature FROM email_settings WHERE owner_id = ?", ctx.user_id)
    return f"{body}\n\n-- \n{signature}" if include_signature and signature else body


SIGNATURE = Annotated[bool, P("Add your signature (see show_email_settings) below the text.")]


@app.api("GET", "/threads", [THREAD], paginated=True)
def show_threads(
    ctx: CallContext,
    folder: Annotated[
        Literal["inbox", "sent", "starred", "important", "archived", "spam", "trash", "all"],
        P("Which threads: 'all' is every thread outside the spam and the trash."),
    ] = "inbox",
    query: Annotated[
        str,
        P(
            "Words to match in the subject, the emails' text or the senders' names and addresses; empty matches all.",
            max_length=QUERY_MAX_CHARS,
        ),
    ] = "",
    label: Annotated[str | None, P("Only threads with the label of this name.", max_length=40)] = None,
    unread_only: Annotated[bool, P("Only threads with unread emails.")] = False,
    sender_email: Annotated[
        str | None, P("Only threads with an email from this address.", max_length=QUERY_MAX_CHARS)
    ] = None,
    has_attachment: Annotated[bool | None, P("Only threads with (true) or without (false) attachments.")] = None,
    sort_by: Annotated[
        Literal["-last_sent_at", "last_sent_at"],
        P("Most recent activity first ('-last_sent_at') or oldest first ('last_sent_at')."),
    ] = "-last_sent_at",
) -> Page:
    """List the threads of a folder of your mailbox, most recent activity first."""
    where = ["t.owner_id = ?", FOLDERS[folder]]
    args: list[Any] = [ctx.user_id]
    for word in search_words(query):
        where.append(THREAD_WORD)
        args += [word, word, word]
    if label is not None:
        where.append(HAS_LABEL.format(thread="t.id"))
        args.append(label)
    if unread_only:
        where.append("EXISTS (SELECT 1 FROM email_messages u WHERE u.thread_id = t.id AND u.is_read = 0)")
    if sender_email is not None:
        where.append(
            "EXISTS (SELECT 1 FROM email_messages s JOIN people p ON p.id = s.sender_id "
            "WHERE s.thread_id = t.id AND lower(p.email) = lower(?))"
        )
        args.append(sender_email.strip())
    if has_attachment is not None:
        where.append(("" if has_attachment else "NOT ") + HAS_FILES.format(column="thread_id", row="t.id"))
    order = "DESC" if sort_by.startswith("-") else "ASC"
    page = sql_page(
        ctx,
        f"SELECT t.* FROM email_threads t WHERE {' AND '.join(where)}",
        f"(SELECT MAX(sent_at) FROM email_messages WHERE thread_id = t.id) {order}, t.id {order}",
        *args,
    )
    return Page(_threads(ctx, page.items), page.total)


@app.api("GET", "/threads/{thread_id}", {**THREAD, "emails": [EMAIL]})
def show_thread(ctx: CallContext, thread_id: THREAD_ID) -> dict[str, Any]:
    """Show a thread with all its emails, oldest first."""
    row = _thread_row(ctx, thread_id)
    emails = ctx.rows("SELECT * FROM email_messages WHERE thread_id = ? ORDER BY sent_at, id", thread_id)
    return {**_thread(ctx, row), "emails": _emails(ctx, emails)}


@app.api("GET", "/emails/{email_id}", EMAIL)
def show_email(ctx: CallContext, email_id: EMAIL_ID) -> dict[str, Any]:
    """Show one email."""
    return _email(ctx, _email_row(ctx, email_id))


@app.api("GET", "/emails", [EMAIL], paginated=True)
def search_emails(
    ctx: CallContext,
    query: Annotated[
        str, P("Words to match in the subject or text; empty matches all.", max_length=QUERY_MAX_CHARS)
    ] = "",
    sender_email: Annotated[str | None, P("Only emails from this address.", max_length=QUERY_MAX_CHARS)] = None,
    sent_after: Annotated[str | None, P(f"Only emails sent on or after this date ({DAY_DOC}).", max_length=10)] = None,
    sent_before: Annotated[str | None, P(f"Only emails sent before this date ({DAY_DOC}).", max_length=10)] = None,
    has_attachment: Annotated[bool | None, P("Only emails with (true) or without (false) attachments.")] = None,
    recipient_email: Annotated[
        str | None, P("Only emails sent or copied to this address.", max_length=QUERY_MAX_CHARS)
    ] = None,
    label: Annotated[str | None, P("Only emails whose thread has the label of this name.", max_length=40)] = None,
    unread_only: Annotated[bool, P("Only unread emails.")] = False,
    sort_by: Annotated[
        Literal["-sent_at", "sent_at"], P("Newest first ('-sent_at') or oldest first ('sent_at').")
    ] = "-sent_at",
) -> list[dict[str, Any]]:
    """Search the emails of your mailbox outside the spam and the trash, newest first."""
    where: list[str] = ["m.owner_id = ?", KEPT]
    args: list[Any] = [ctx.user_id]
    if sender_email is not None:
        where.append("m.sender_id = (SELECT id FROM people WHERE lower(email) = lower(?))")
        args.append(sender_email.strip())
    if sent_after is not None:
        where.append("m.sent_at >= ?")
        args.append(iso_day("sent_after", sent_after))
    if sent_before is not None:
        where.append("m.sent_at < ?")
        args.append(iso_day("sent_before", sent_before))
    if has_attachment is not None:
        where.append(("" if has_attachment else "NOT ") + HAS_FILES.format(column="id", row="m.id"))
    if recipient_email is not None:
        where.append("instr(', ' || lower(m.recipients || ', ' || m.cc) || ', ', ', ' || lower(?) || ', ')")
        args.append(recipient_email.strip())
    if label is not None:
        where.append(HAS_LABEL.format(thread="m.thread_id"))
        args.append(label)
    if unread_only:
        where.append("m.is_read = 0")
    for word in search_words(query):
        where.append("instr(lower(t.subject || ' ' || m.body), ?)")
        args.append(word)
    order = "DESC" if sort_by.startswith("-") else "ASC"
    rows = ctx.rows(
        "SELECT m.* FROM email_messages m JOIN email_threads t ON t.id = m.thread_id "
        f"WHERE {' AND '.join(where)} ORDER BY m.sent_at {order}, m.id {order}",
        *args,
    )
    return _emails(ctx, rows)


@app.api("POST", "/emails", {"message": "string", "email_id": 1, "thread_id": 1})
def send_email(
    ctx: CallContext,
    recipients: ADDRESSES,
    subject: SUBJECT,
    body: BODY,
    cc: CC = None,
    attachments: ATTACHMENTS = None,
    include_signature: SIGNATURE = False,
) -> dict[str, Any]:
    """Send a new email; it starts a new thread."""
    to, copied = _people_ids(ctx, recipients, "recipients"), _people_ids(ctx, cc or [], "cc")
    text, files = _signed(ctx, body, include_signature), _attachments(attachments)
    return {"message": "Email sent.", **_deliver(ctx, None, subject, to, copied, text, files)}


@app.api("POST", "/emails/{email_id}/reply", {"message": "string", "email_id": 1, "thread_id": 1})
def reply_to_email(
    ctx: CallContext,
    email_id: EMAIL_ID,
    body: BODY,
    reply_all: Annotated[bool, P("Also reply to every other recipient and cc of the email.")] = False,
    attachments: ATTACHMENTS = None,
    include_signature: SIGNATURE = False,
) -> dict[str, Any]:
    """Reply to an email, in its thread: to its sender (or, for your own email, its recipients); a thread
    holds at most 500 emails."""
    row = _email_row(ctx, email_id)
    thread = _thread_row(ctx, row["thread_id"])
    _check_thread_room(ctx, thread["conversation_id"])
    everyone = _people_ids(ctx, [_person(ctx, row["sender_id"])["email"], *_split(row["recipients"])], "email_id")
    if row["sender_id"] == ctx.user_id:
        to = [p for p in everyone if p != ctx.user_id] or [ctx.caller]
    else:
        to = [row["sender_id"]] + (
            [p for p in everyone if p not in (ctx.user_id, row["sender_id"])] if reply_all else []
        )
    cc = [p for p in _people_ids(ctx, _split(row["cc"]), "email_id") if p != ctx.user_id] if reply_all else []
    return {
        "message": "Reply sent.",
        **_deliver(
            ctx,
            thread["conversation_id"],
            thread["subject"],
            to,
            cc,
            _signed(ctx, body, include_signature),
            _attachments(attachments),
        ),
    }


def _check_thread_room(ctx: CallContext, conversation_id: int) -> None:
    """409 when a mailbox's thread of the conversation already holds MAX_THREAD_EMAILS emails."""
    longest = ctx.value(
        "SELECT COUNT(*) AS n FROM email_messages m JOIN email_threads t ON t.id = m.thread_id "
        "WHERE t.conversation_id = ? GROUP BY t.owner_id ORDER BY n DESC LIMIT 1",
        conversation_id,
    )
    if (longest or 0) >= MAX_THREAD_EMAILS:
        raise ApiError(
            409,
            f"This thread holds {longest} emails, the most a thread may; start a new one with send_email "
            "(or forward_email).",
        )


@app.api("POST", "/emails/{email_id}/forward", {"message": "string", "email_id": 1, "thread_id": 1})
def forward_email(
    ctx: CallContext,
    email_id: EMAIL_ID,
    recipients: ADDRESSES,
    body: Annotated[str, P("Text to put above the forwarded email.", max_length=20_000)] = "",
    cc: CC = None,
    include_signature: SIGNATURE = False,
) -> dict[str, Any]:
    """Forward an email, with its attachments, to new recipients in a new thread."""
    row = _email_row(ctx, email_id)
    original = _email(ctx, row)
    sender = original["sender"]
    text = (
        f"{_signed(ctx, body, include_signature)}\n\n---------- Forwarded message ----------\n"
        f"From: {sender['name']} <{sender['email']}>\n"
        f"Date: {row['sent_at']}\nSubject: {original['subject']}\n\n{row['body']}"
    )
    files = [
        (r["file_name"], r["content"])
        for r in ctx.rows("SELECT file_name, content FROM email_attachments WHERE message_id = ? ORDER BY id", email_id)
    ]
    to, copied = _people_ids(ctx, recipients, "recipients"), _people_ids(ctx, cc or [], "cc")
    return {
        "message": "Email forwarded.",
        **_deliver(ctx, None, f"Fwd: {original['subject']}", to, copied, text.lstrip("\n"), files),
    }


@app.api("PATCH", "/threads/{thread_id}/read", MESSAGE)
def mark_thread_read(
    ctx: CallContext,
    thread_id: THREAD_ID,
    is_read: Annotated[bool, P("True to mark every email of the thread read, false for unread.")] = True,
) -> dict[str, str]:
    """Mark all the emails of a thread as read (or unread)."""
    _thread_row(ctx, thread_id)
    ctx.execute(
        "UPDATE email_messages SET is_read = ? WHERE thread_id = ? AND is_read != ?",
        int(is_read),
        thread_id,
        int(is_read),
    )
    return {"message": f"Thread marked {'read' if is_read else 'unread'}."}


def _flag(column: str, value: int, done: str):
    def set_flag(ctx: CallContext, thread_id: THREAD_ID) -> dict[str, str]:
        row = _thread_row(ctx, thread_id)
        if row[column] == value:
            raise ApiError(409, f"Thread {thread_id} is already {done}.")
        ctx.execute(f"UPDATE email_threads SET {column} = ? WHERE id = ?", value, thread_id)
        return {"message": f"Thread {done}."}

    return set_flag


def register_flags(flags: tuple[tuple[str, str, str, int, str, str], ...]) -> None:
    """Declare one API per (name, path, column, value, state reached, doc): it sets the thread's column."""
    for name, path, column, value, done, doc in flags:
        fn = _flag(column, value, done)
        fn.__name__, fn.__doc__ = name, doc
        app.api("POST" if value else "DELETE", f"/threads/{{thread_id}}{path}", MESSAGE)(fn)


register_flags(
    (
        ("star_thread", "/star", "is_starred", 1, "starred", "Star a thread."),
        ("unstar_thread", "/star", "is_starred", 0, "not starred", "Remove the star of a thread."),
        (
            "archive_thread",
            "/archive",
            "is_archived",
            1,
            "archived",
            "Archive a thread: it leaves the inbox but stays searchable.",
        ),
        (
            "unarchive_thread",
            "/archive",
            "is_archived",
            0,
            "not archived",
            "Move an archived thread back to the inbox.",
        ),
        ("trash_thread", "/trash", "is_trashed", 1, "in the trash", "Move a thread to the trash."),
        ("restore_thread", "/trash", "is_trashed", 0, "not in the trash", "Take a thread out of the trash."),
    )
)


@app.api("DELETE", "/threads/{thread_id}", MESSAGE)
def delete_thread(ctx: CallContext, thread_id: THREAD_ID) -> dict[str, str]:
    """Delete a thread from your mailbox for good; it must be in the trash first."""
    if not _thread_row(ctx, thread_id)["is_trashed"]:
        raise ApiError(409, f"Thread {thread_id} is not in the trash; trash it first with trash_thread.")
    erase_threads(ctx, "id = ?", thread_id)
    return {"message": "Thread deleted."}


def erase_threads(ctx: CallContext, where: str, *args: Any) -> None:
    """Delete the threads of email_threads matching `where` (of the caller's mailbox) with their emails,
    attachments and labels (other copies stay), one statement a table: a statement a thread (with the change
    log's triggers) took 6.5 s of env CPU to empty a trash of 13,449 threads."""
    threads = f"SELECT id FROM email_threads WHERE {where}"
    ctx.execute(
        f"DELETE FROM email_attachments WHERE message_id IN (SELECT id FROM email_messages WHERE thread_id IN "
        f"({threads}))",
        *args,
    )
    ctx.execute(f"DELETE FROM email_messages WHERE thread_id IN ({threads})", *args)
    ctx.execute(f"DELETE FROM email_thread_labels WHERE thread_id IN ({threads})", *args)
    ctx.execute(f"DELETE FROM email_threads WHERE {where}", *args)


@app.api("GET", "/attachments/{attachment_id}", {**ATTACHMENT, "email_id": 1, "content": "string"})
def show_attachment(ctx: CallContext, attachment_id: Annotated[int, P("The attachment's id.", ge=1)]) -> dict[str, Any]:
    """Show an attachment of one of your emails, with its content."""
    row = ctx.row(
        "SELECT a.* FROM email_attachments a JOIN email_messages m ON m.id = a.message_id "
        "WHERE a.id = ? AND m.owner_id = ?",
        attachment_id,
        ctx.user_id,
    )
    if row is None:
        raise ApiError(404, f"No attachment with id {attachment_id} in your mailbox.")
    return {
        "attachment_id": row["id"],
        "file_name": row["file_name"],
        "email_id": row["message_id"],
        "content": row["content"],
    }


@app.api("GET", "/labels", [{"label_id": 1, "name": "string", "thread_count": 1}], paginated=True)
def show_labels(
    ctx: CallContext,
    query: Annotated[str, P("Text the label's name must contain; empty lists all.", max_length=40)] = "",
) -> list[dict[str, Any]]:
    """List your labels by name."""
    return ctx.rows(
        "SELECT l.id AS label_id, l.name, (SELECT COUNT(*) FROM email_thread_labels t WHERE t.label_id = l.id) "
        "AS thread_count FROM email_labels l WHERE l.owner_id = ? AND instr(lower(l.name), lower(?)) > 0 "
        "ORDER BY l.name, l.id",
        ctx.user_id,
        query.strip(),
    )


LABEL_NAME = Annotated[str, P("The label's name.", min_length=1, max_length=40)]


def _free_label_name(ctx: CallContext, name: str) -> None:
    if ctx.value("SELECT 1 FROM email_labels WHERE owner_id = ? AND name = ?", ctx.user_id, name):
        raise ApiError(409, f"You already have a label named {name!r}.")


@app.api("POST", "/labels", {"message": "string", "label_id": 1})
def create_label(ctx: CallContext, name: LABEL_NAME) -> dict[str, Any]:
    """Create a label to organize threads."""
    _free_label_name(ctx, name)
    return {
        "message": "Label created.",
        "label_id": ctx.execute("INSERT INTO email_labels (owner_id, name) VALUES (?, ?)", ctx.user_id, name),
    }


@app.api("PATCH", "/labels/{label_id}", MESSAGE)
def rename_label(ctx: CallContext, label_id: LABEL_ID, name: LABEL_NAME) -> dict[str, str]:
    """Rename one of your labels."""
    ctx.owned("email_labels", label_id, "label")
    _free_label_name(ctx, name)
    ctx.execute("UPDATE email_labels SET name = ? WHERE id = ?", name, label_id)
    return {"message": "Label renamed."}


@app.api("DELETE", "/labels/{label_id}", MESSAGE)
def delete_label(ctx: CallContext, label_id: LABEL_ID) -> dict[str, str]:
    """Delete a label; its threads stay, without the label."""
    ctx.owned("email_labels", label_id, "label")
    ctx.execute("DELETE FROM email_thread_labels WHERE label_id = ?", label_id)
    ctx.execute("DELETE FROM email_labels WHERE id = ?", label_id)
    return {"message": "Label deleted."}


@app.api("POST", "/threads/{thread_id}/labels/{label_id}", MESSAGE)
def add_label_to_thread(ctx: CallContext, thread_id: THREAD_ID, label_id: LABEL_ID) -> dict[str, str]:
    """Put a label on a thread."""
    _thread_row(ctx, thread_id)
    ctx.owned("email_labels", label_id, "label")
    ctx.insert_unique(
        "email_thread_labels",
        {"thread_id": thread_id, "label_id": label_id},
        f"Thread {thread_id} already has label {label_id}.",
    )
    return {"message": "Label added."}


@app.api("DELETE", "/threads/{thread_id}/labels/{label_id}", MESSAGE)
def remove_label_from_thread(ctx: CallContext, thread_id: THREAD_ID, label_id: LABEL_ID) -> dict[str, str]:
    """Take a label off a thread."""
    _thread_row(ctx, thread_id)
    ctx.delete_existing(
        "email_thread_labels",
        {"thread_id": thread_id, "label_id": label_id},
        f"Thread {thread_id} does not have label {label_id}.",
    )
    return {"message": "Label removed."}


def _draft(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "draft_id": row["id"],
        "recipients": _split(row["recipients"]),
        "cc": _split(row["cc"]),
        "subject": row["subject"],
        "body": row["body"],
        "updated_at": row["updated_at"],
    }


@app.api("GET", "/drafts", [DRAFT], paginated=True)
def show_drafts(
    ctx: CallContext,
    query: Annotated[
        str, P("Words to match in the subject, text or recipients; empty lists all.", max_length=QUERY_MAX_CHARS)
    ] = "",
) -> list[dict[str, Any]]:
    """List your drafts, most recently edited first."""
    words = search_words(query)
    match = "".join(" AND instr(lower(subject || ' ' || body || ' ' || recipients || ' ' || cc), ?)" for _ in words)
    return [
        _draft(r)
        for r in ctx.rows(
            f"SELECT * FROM email_drafts WHERE owner_id = ?{match} ORDER BY updated_at DESC, id DESC",
            ctx.user_id,
            *words,
        )
    ]


@app.api("GET", "/drafts/{draft_id}", DRAFT)
def show_draft(ctx: CallContext, draft_id: DRAFT_ID) -> dict[str, Any]:
    """Show one draft."""
    return _draft(ctx.owned("email_drafts", draft_id, "draft"))


@app.api("POST", "/drafts", {"message": "string", "draft_id": 1})
def create_draft(
    ctx: CallContext,
    recipients: Annotated[list[str], P("Email addresses of the recipients (may be empty).", max_length=50)],
    subject: SUBJECT,
    body: BODY,
    cc: CC = None,
) -> dict[str, Any]:
    """Save an email as a draft, to send later."""
    _people_ids(ctx, recipients, "recipients")
    _people_ids(ctx, cc or [], "cc")
    new_id = ctx.execute(
        "INSERT INTO email_drafts (owner_id, recipients, cc, subject, body, updated_at) VALUES (?,?,?,?,?,?)",
        ctx.user_id,
        join_addresses(recipients),
        join_addresses(cc or []),
        subject,
        body,
        ctx.timestamp(),
    )
    return {"message": "Draft saved.", "draft_id": new_id}


@app.api("PATCH", "/drafts/{draft_id}", MESSAGE)
def update_draft(
    ctx: CallContext,
    draft_id: DRAFT_ID,
    recipients: Annotated[list[str] | None, P("New recipients; null keeps them.", max_length=50)] = None,
    subject: Annotated[str | None, P("New subject; null keeps it.", min_length=1, max_length=200)] = None,
    body: Annotated[str | None, P("New text; null keeps it.", max_length=20_000)] = None,
    cc: Annotated[list[str] | None, P("New addresses to copy; null keeps them.", max_length=50)] = None,
) -> dict[str, str]:
    """Edit a draft; only the fields given change."""
    ctx.owned("email_drafts", draft_id, "draft")
    for argument, given in (("recipients", recipients), ("cc", cc)):
        _people_ids(ctx, given or [], argument)
    ctx.update(
        "email_drafts",
        draft_id,
        {
            "recipients": None if recipients is None else join_addresses(recipients),
            "cc": None if cc is None else join_addresses(cc),
            "subject": subject,
            "body": body,
            "updated_at": ctx.timestamp(),
        },
    )
    return {"message": "Draft updated."}


@app.api("DELETE", "/drafts/{draft_id}", MESSAGE)
def delete_draft(ctx: CallContext, draft_id: DRAFT_ID) -> dict[str, str]:
    """Delete a draft."""
    ctx.owned("email_drafts", draft_id, "draft")
    ctx.execute("DELETE FROM email_drafts WHERE id = ?", draft_id)
    return {"message": "Draft deleted."}


@app.api("POST", "/drafts/{draft_id}/send", {"message": "string", "email_id": 1, "thread_id": 1})
def send_draft(ctx: CallContext, draft_id: DRAFT_ID) -> dict[str, Any]:
    """Send a draft as a new email; the draft is removed."""
    row = ctx.owned("email_drafts", draft_id, "draft")
    if not row["recipients"]:
        raise ApiError(409, f"Draft {draft_id} has no recipients; add some with update_draft.")
    to, copied = (_people_ids(ctx, _split(row[column]), column) for column in ("recipients", "cc"))
    sent = _deliver(ctx, None, row["subject"], to, copied, row["body"], [])
    ctx.execute("DELETE FROM email_drafts WHERE id = ?", draft_id)
    return {"message": "Draft sent.", **sent}


# the APIs of the other parts of the mailbox register themselves on `app` when imported
from envs.toolworld.apps import _email_contacts, _email_filters, _email_flags, _email_settings  # noqa: E402, F401
