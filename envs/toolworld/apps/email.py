"""email: a gmail-like mailbox; threads, sending, replies, forwards, labels, attachments, drafts.

Every person has their own copy of a conversation (a thread row per owner, one
message row per owner per email), so starring, archiving, reading or labelling
touches only the caller's mailbox, while sending writes a copy into every
participant's. Reading never marks anything read: that is an explicit call, so
looking around leaves the world unchanged.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, App, CallContext, P
from envs.toolworld.apps._accounts import add_account_apis
from envs.toolworld.world.build import WorldBuilder

app = App(
    "email",
    "An email app: threads, sending, replies, forwards, labels, attachments and drafts.",
    schema="""
    CREATE TABLE email_threads (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, conversation_id INTEGER NOT NULL,
        subject TEXT NOT NULL, is_starred INTEGER NOT NULL, is_archived INTEGER NOT NULL, is_trashed INTEGER NOT NULL,
        UNIQUE(owner_id, conversation_id)
    );
    CREATE TABLE email_messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT, thread_id INTEGER NOT NULL, owner_id INTEGER NOT NULL,
        sender_id INTEGER NOT NULL, recipients TEXT NOT NULL, cc TEXT NOT NULL, body TEXT NOT NULL,
        sent_at TEXT NOT NULL, is_read INTEGER NOT NULL
    );
    CREATE TABLE email_attachments (
        id INTEGER PRIMARY KEY AUTOINCREMENT, message_id INTEGER NOT NULL, file_name TEXT NOT NULL,
        content TEXT NOT NULL
    );
    CREATE TABLE email_labels (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, name TEXT NOT NULL, UNIQUE(owner_id, name)
    );
    CREATE TABLE email_thread_labels (
        id INTEGER PRIMARY KEY AUTOINCREMENT, thread_id INTEGER NOT NULL, label_id INTEGER NOT NULL,
        UNIQUE(thread_id, label_id)
    );
    CREATE TABLE email_drafts (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, recipients TEXT NOT NULL,
        subject TEXT NOT NULL, body TEXT NOT NULL, updated_at TEXT NOT NULL
    );
    """,
)
add_account_apis(app)

LABEL_FOR_KIND = {"coworker": "Work", "family": "Family", "friend": "Friends", "roommate": "Home"}
LABEL_NAMES = (*LABEL_FOR_KIND.values(), "Receipts", "Important")
THINGS = (
    "concert tickets",
    "the cabin booking",
    "dinner at Luca's",
    "the museum passes",
    "the birthday cake",
    "the ski rental",
    "the taxi to the airport",
)
# (subject, opening body, reply bodies, attachment or None); {thing}/{amount}/{day} are filled per conversation
TOPICS: dict[str, list[tuple[str, str, tuple[str, ...], tuple[str, str] | None]]] = {
    "friend": [
        (
            "Weekend plans",
            "Are you free on {day}? Thinking of a hike and lunch after.",
            ("Sounds great, count me in!", "Can we start a bit later?"),
            None,
        ),
        (
            "Paying you back",
            "I paid ${amount} for {thing}. Could you send me your share of ${share} when you can?",
            ("Sure, will do!",),
            None,
        ),
        (
            "Photos from the trip",
            "Here are the photos from last weekend, the lake ones came out great.",
            ("Love them, thanks!",),
            ("photos_list.txt", "lake_sunrise.jpg\ncampfire.jpg\ngroup_shot.jpg"),
        ),
        (
            "Book recommendation",
            "You have to read 'The Quiet Orchard', I finished it in two days.",
            ("Adding it to my list.",),
            None,
        ),
    ],
    "family": [
        (
            "Family dinner",
            "Dinner at our place on {day}? Bring dessert if you can.",
            ("We'll be there at 7.", "I'll bake a pie."),
            None,
        ),
        (
            "Grandma's birthday",
            "Let's all chip in for grandma's gift. It came to ${amount} for {thing}, so ${share} each.",
            ("Sending my share today.",),
            None,
        ),
        (
            "Holiday itinerary",
            "Attached is the itinerary for the holidays.",
            ("Perfect, thank you!",),
            ("itinerary.txt", "Day 1: drive to the coast\nDay 2: boat tour\nDay 3: drive home"),
        ),
    ],
    "coworker": [
        (
            "Quarterly report",
            "Attached is the draft of the quarterly report, comments welcome by {day}.",
            ("Looks good, a few notes inline.", "Thanks, reviewing now."),
            ("quarterly_report.txt", "Revenue grew 12%.\nCosts were flat.\nHeadcount: 14."),
        ),
        (
            "Invoice {number}",
            "Please find invoice {number} attached. The total due is ${amount}.",
            ("Received, thanks.",),
            ("invoice_{number}.txt", "Invoice {number}\nConsulting hours: {hours}\nTotal due: ${amount}"),
        ),
        (
            "Meeting notes",
            "Notes from {day}'s meeting: we ship the beta next month.",
            ("Thanks for writing these up.",),
            None,
        ),
        ("Offsite logistics", "The offsite is on {day}; the bus leaves at 8am sharp.", ("Noted!",), None),
    ],
    "roommate": [
        (
            "Utilities this month",
            "The utilities bill came to ${amount}; your share is ${share}.",
            ("Paying you tonight.",),
            ("utilities_bill.txt", "Electricity and water\nTotal: ${amount}"),
        ),
        (
            "Cleaning schedule",
            "New cleaning schedule starts {day}: I take the kitchen, you take the bathroom.",
            ("Deal.",),
            None,
        ),
    ],
}
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
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
    "labels": ["string"],
}
DRAFT = {"draft_id": 1, "recipients": ["string"], "subject": "string", "body": "string", "updated_at": "string"}
MESSAGE = {"message": "string"}
THREAD_ID = Annotated[int, P("The thread's id.", ge=1)]
EMAIL_ID = Annotated[int, P("The email's id.", ge=1)]
LABEL_ID = Annotated[int, P("The label's id.", ge=1)]
DRAFT_ID = Annotated[int, P("The draft's id.", ge=1)]
ADDRESSES = Annotated[list[str], P("Email addresses of the recipients.", min_length=1)]
CC = Annotated[list[str] | None, P("Email addresses to copy.")]
SUBJECT = Annotated[str, P("The subject line.", min_length=1, max_length=200)]
BODY = Annotated[str, P("The text of the email.", max_length=20_000)]
ATTACHMENTS = Annotated[list[dict] | None, P("Files to attach, each {'file_name': ..., 'content': ...}.")]


@app.populator
def populate(w: WorldBuilder) -> None:
    rng = w.rng("email")
    by_id = {p.id: p for p in w.people}
    conversations = []
    for person in w.people:
        for kind in ("friend", "family", "coworker", "roommate"):
            others = w.related(person.id, (kind,))
            for other in rng.sample(others, min(len(others), 3)):
                for _ in range(rng.randint(1, 2)):
                    conversations.append((person.id, other, kind, rng.randint(0, 90)))
    conversations.sort(key=lambda c: -c[3])
    fitting_labels: dict[int, list[tuple[int, set[str]]]] = {}  # owner -> [(thread id, labels that fit it)]
    for conversation_id, (starter, other, kind, days_ago) in enumerate(conversations, start=1):
        subject, body, replies, attachment = rng.choice(TOPICS[kind])
        amount = round(rng.uniform(20, 400), 2)
        fill = {
            "thing": rng.choice(THINGS),
            "amount": f"{amount:.2f}",
            "share": f"{amount / 2:.2f}",
            "day": rng.choice(DAYS),
            "number": str(rng.randint(1000, 9999)),
            "hours": str(rng.randint(5, 60)),
        }
        subject = subject.format(**fill)
        participants = [starter, other]
        extra = [p for p in w.related(starter, (kind,)) if p != other]
        cc = [rng.choice(extra)] if extra and kind in ("coworker", "family") and rng.random() < 0.3 else []
        sent = w.now - timedelta(days=days_ago, hours=rng.randint(1, 20), minutes=rng.randint(0, 59))
        messages = [(starter, [other], cc, body.format(**fill), attachment)]
        for reply in rng.sample(replies, rng.randint(0, len(replies))):
            previous = messages[-1][0]
            messages.append(
                (
                    other if previous == starter else starter,
                    [starter if previous == starter else other],
                    [],
                    reply,
                    None,
                )
            )
        threads = {}
        for owner in participants + cc:
            threads[owner] = w.insert(
                "email_threads",
                [
                    {
                        "owner_id": owner,
                        "conversation_id": conversation_id,
                        "subject": subject,
                        "is_starred": int(rng.random() < 0.15),
                        "is_archived": int(rng.random() < 0.15),
                        "is_trashed": int(rng.random() < 0.07),
                    }
                ],
            )[0]
            fits = (
                {LABEL_FOR_KIND[kind]}
                | ({"Receipts"} if "amount" in body else set())
                | ({"Important"} if rng.random() < 0.2 else set())
            )
            fitting_labels.setdefault(owner, []).append((threads[owner], fits))
        for sender, to, copied, text, attached in messages:
            sent += timedelta(hours=rng.randint(1, 30), minutes=rng.randint(0, 59))
            for owner, thread_id in threads.items():
                unread = owner != sender and (w.now - sent).days < 40 and rng.random() < 0.6
                (message_id,) = w.insert(
                    "email_messages",
                    [
                        {
                            "thread_id": thread_id,
                            "owner_id": owner,
                            "sender_id": sender,
                            "recipients": _join(by_id[p].email for p in to),
                            "cc": _join(by_id[p].email for p in copied),
                            "body": text,
                            "sent_at": min(sent, w.now).isoformat(timespec="seconds"),
                            "is_read": int(not unread),
                        }
                    ],
                )
                if attached:
                    w.insert(
                        "email_attachments",
                        [
                            {
                                "message_id": message_id,
                                "file_name": attached[0].format(**fill),
                                "content": attached[1].format(**fill),
                            }
                        ],
                    )
    for person in w.people:
        names = rng.sample(LABEL_NAMES, rng.randint(1, 3))
        label_ids = w.insert("email_labels", [{"owner_id": person.id, "name": n} for n in sorted(names)])
        for name, label_id in zip(sorted(names), label_ids, strict=True):
            fitting = [t for t, fits in fitting_labels.get(person.id, []) if name in fits and rng.random() < 0.6]
            w.insert("email_thread_labels", [{"thread_id": t, "label_id": label_id} for t in fitting])
        if rng.random() < 0.4:
            friend = by_id[rng.choice(w.related(person.id) or [p.id for p in w.people if p.id != person.id])]
            w.insert(
                "email_drafts",
                [
                    {
                        "owner_id": person.id,
                        "recipients": friend.email,
                        "subject": f"Catching up with {friend.first_name}",
                        "body": "Hi! It has been a while, how are you?",
                        "updated_at": (w.now - timedelta(days=rng.randint(1, 30))).isoformat(timespec="seconds"),
                    }
                ],
            )


def _join(emails: Any) -> str:
    """Address lists are stored sorted and comma-separated, so their order never matters."""
    return ", ".join(sorted(set(emails)))


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


def _email(ctx: CallContext, row: dict[str, Any]) -> dict[str, Any]:
    subject = ctx.value("SELECT subject FROM email_threads WHERE id = ?", row["thread_id"])
    files = ctx.rows(
        "SELECT id AS attachment_id, file_name FROM email_attachments WHERE message_id = ? ORDER BY id", row["id"]
    )
    return {
        "email_id": row["id"],
        "thread_id": row["thread_id"],
        "subject": subject,
        "sender": _person(ctx, row["sender_id"]),
        "recipients": _split(row["recipients"]),
        "cc": _split(row["cc"]),
        "body": row["body"],
        "sent_at": row["sent_at"],
        "is_read": bool(row["is_read"]),
        "attachments": files,
    }


def _thread(ctx: CallContext, row: dict[str, Any]) -> dict[str, Any]:
    emails = ctx.rows("SELECT * FROM email_messages WHERE thread_id = ? ORDER BY sent_at, id", row["id"])
    people = {row["owner_id"]} | {e["sender_id"] for e in emails}
    addresses = sorted(
        {a for e in emails for a in _split(e["recipients"]) + _split(e["cc"])}
        | {_person(ctx, p)["email"] for p in people}
    )
    labels = [
        r["name"]
        for r in ctx.rows(
            "SELECT l.name FROM email_thread_labels t JOIN email_labels l ON l.id = t.label_id WHERE t.thread_id = ? "
            "ORDER BY l.name",
            row["id"],
        )
    ]
    has_files = bool(emails) and bool(
        ctx.value(
            f"SELECT COUNT(*) FROM email_attachments WHERE message_id IN ({','.join(str(e['id']) for e in emails)})"
        )
    )
    return {
        "thread_id": row["id"],
        "subject": row["subject"],
        "participants": addresses,
        "email_count": len(emails),
        "unread_count": sum(not e["is_read"] for e in emails),
        "last_sent_at": emails[-1]["sent_at"] if emails else None,
        "last_sender": _person(ctx, emails[-1]["sender_id"]) if emails else None,
        "has_attachments": has_files,
        "is_starred": bool(row["is_starred"]),
        "is_archived": bool(row["is_archived"]),
        "is_trashed": bool(row["is_trashed"]),
        "labels": labels,
    }


def _in_folder(thread: dict[str, Any], emails: list[dict[str, Any]], owner: int, folder: str) -> bool:
    if folder == "trash":
        return bool(thread["is_trashed"])
    if thread["is_trashed"]:
        return False
    return {
        "inbox": not thread["is_archived"] and any(e["sender_id"] != owner for e in emails),
        "sent": any(e["sender_id"] == owner for e in emails),
        "starred": bool(thread["is_starred"]),
        "archived": bool(thread["is_archived"]),
        "all": True,
    }[folder]


def _deliver(
    ctx: CallContext,
    conversation_id: int | None,
    subject: str,
    to: list[int],
    cc: list[int],
    body: str,
    files: list[tuple[str, str]],
) -> dict[str, int]:
    """Write one email into the mailbox of the sender and of every recipient; returns the sender's copy."""
    if conversation_id is None:
        conversation_id = (ctx.value("SELECT MAX(conversation_id) FROM email_threads") or 0) + 1
    recipients = _join(_person(ctx, p)["email"] for p in to)
    copied = _join(_person(ctx, p)["email"] for p in cc if p not in to)
    mine: dict[str, int] = {}
    for owner in dict.fromkeys([ctx.user_id, *to, *cc]):
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
            ctx.user_id,
            recipients,
            copied,
            body,
            ctx.timestamp(),
            int(owner == ctx.user_id),
        )
        for name, content in files:
            ctx.execute(
                "INSERT INTO email_attachments (message_id, file_name, content) VALUES (?,?,?)",
                message_id,
                name,
                content,
            )
        if owner == ctx.user_id:
            mine = {"email_id": message_id, "thread_id": thread_id}
    return mine


@app.api("GET", "/threads", [THREAD], paginated=True)
def show_threads(
    ctx: CallContext,
    folder: Annotated[
        Literal["inbox", "sent", "starred", "archived", "trash", "all"],
        P("Which threads: 'all' is every thread not in the trash."),
    ] = "inbox",
    query: Annotated[
        str,
        P(
            "Words to match in the subject, the emails' text or the senders' names and addresses; empty matches all.",
            max_length=QUERY_MAX_CHARS,
        ),
    ] = "",
    label: Annotated[str | None, P("Only threads with the label of this name.")] = None,
    unread_only: Annotated[bool, P("Only threads with unread emails.")] = False,
) -> list[dict[str, Any]]:
    """List the threads of a folder of your mailbox, most recent activity first."""
    out = []
    for row in ctx.rows("SELECT * FROM email_threads WHERE owner_id = ? ORDER BY id", ctx.user_id):
        emails = ctx.rows("SELECT * FROM email_messages WHERE thread_id = ?", row["id"])
        if not _in_folder(row, emails, ctx.caller, folder):
            continue
        thread = _thread(ctx, row)
        text = " ".join(
            [
                row["subject"],
                *thread["participants"],
                *(e["body"] for e in emails),
                *(_person(ctx, e["sender_id"])["name"] for e in emails),
            ]
        ).lower()
        if (
            all(w in text for w in query.lower().split())
            and (label is None or label in thread["labels"])
            and (not unread_only or thread["unread_count"])
        ):
            out.append(thread)
    return sorted(out, key=lambda t: (t["last_sent_at"] or "", t["thread_id"]), reverse=True)


@app.api("GET", "/threads/{thread_id}", {**THREAD, "emails": [EMAIL]})
def show_thread(ctx: CallContext, thread_id: THREAD_ID) -> dict[str, Any]:
    """Show a thread with all its emails, oldest first."""
    row = _thread_row(ctx, thread_id)
    emails = ctx.rows("SELECT * FROM email_messages WHERE thread_id = ? ORDER BY sent_at, id", thread_id)
    return {**_thread(ctx, row), "emails": [_email(ctx, e) for e in emails]}


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
    sender_email: Annotated[str | None, P("Only emails from this address.")] = None,
    sent_after: Annotated[str | None, P("Only emails sent on or after this date (YYYY-MM-DD).")] = None,
    sent_before: Annotated[str | None, P("Only emails sent before this date (YYYY-MM-DD).")] = None,
    has_attachment: Annotated[bool | None, P("Only emails with (true) or without (false) attachments.")] = None,
) -> list[dict[str, Any]]:
    """Search the emails of your mailbox outside the trash, newest first."""
    bounds = {
        name: _date(name, value)
        for name, value in (("sent_after", sent_after), ("sent_before", sent_before))
        if value is not None
    }
    rows = ctx.rows(
        "SELECT m.* FROM email_messages m JOIN email_threads t ON t.id = m.thread_id "
        "WHERE m.owner_id = ? AND t.is_trashed = 0 ORDER BY m.sent_at DESC, m.id DESC",
        ctx.user_id,
    )
    out = []
    for row in rows:
        email = _email(ctx, row)
        if sender_email is not None and email["sender"]["email"].lower() != sender_email.lower():
            continue
        if (
            "sent_after" in bounds
            and row["sent_at"][:10] < bounds["sent_after"]
            or "sent_before" in bounds
            and row["sent_at"][:10] >= bounds["sent_before"]
        ):
            continue
        if has_attachment is not None and bool(email["attachments"]) != has_attachment:
            continue
        if all(w in f"{email['subject']} {row['body']}".lower() for w in query.lower().split()):
            out.append(email)
    return out


def _date(name: str, value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ApiError(422, f"Invalid argument {name!r}: {value!r} is not a date in YYYY-MM-DD form.") from None


@app.api("POST", "/emails", {"message": "string", "email_id": 1, "thread_id": 1})
def send_email(
    ctx: CallContext,
    recipients: ADDRESSES,
    subject: SUBJECT,
    body: BODY,
    cc: CC = None,
    attachments: ATTACHMENTS = None,
) -> dict[str, Any]:
    """Send a new email; it starts a new thread."""
    to, copied = _people_ids(ctx, recipients, "recipients"), _people_ids(ctx, cc or [], "cc")
    return {"message": "Email sent.", **_deliver(ctx, None, subject, to, copied, body, _attachments(attachments))}


@app.api("POST", "/emails/{email_id}/reply", {"message": "string", "email_id": 1, "thread_id": 1})
def reply_to_email(
    ctx: CallContext,
    email_id: EMAIL_ID,
    body: BODY,
    reply_all: Annotated[bool, P("Also reply to every other recipient and cc of the email.")] = False,
    attachments: ATTACHMENTS = None,
) -> dict[str, Any]:
    """Reply to an email, in its thread: to its sender (or, for your own email, its recipients)."""
    row = _email_row(ctx, email_id)
    thread = _thread_row(ctx, row["thread_id"])
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
        **_deliver(ctx, thread["conversation_id"], thread["subject"], to, cc, body, _attachments(attachments)),
    }


@app.api("POST", "/emails/{email_id}/forward", {"message": "string", "email_id": 1, "thread_id": 1})
def forward_email(
    ctx: CallContext,
    email_id: EMAIL_ID,
    recipients: ADDRESSES,
    body: Annotated[str, P("Text to put above the forwarded email.", max_length=20_000)] = "",
) -> dict[str, Any]:
    """Forward an email, with its attachments, to new recipients in a new thread."""
    row = _email_row(ctx, email_id)
    original = _email(ctx, row)
    sender = original["sender"]
    text = (
        f"{body}\n\n---------- Forwarded message ----------\nFrom: {sender['name']} <{sender['email']}>\n"
        f"Date: {row['sent_at']}\nSubject: {original['subject']}\n\n{row['body']}"
    )
    files = [
        (r["file_name"], r["content"])
        for r in ctx.rows("SELECT file_name, content FROM email_attachments WHERE message_id = ? ORDER BY id", email_id)
    ]
    to = _people_ids(ctx, recipients, "recipients")
    return {
        "message": "Email forwarded.",
        **_deliver(ctx, None, f"Fwd: {original['subject']}", to, [], text.lstrip("\n"), files),
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


for _name, _path, _column, _value, _done, _doc in (
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
    ("unarchive_thread", "/archive", "is_archived", 0, "not archived", "Move an archived thread back to the inbox."),
    ("trash_thread", "/trash", "is_trashed", 1, "in the trash", "Move a thread to the trash."),
    ("restore_thread", "/trash", "is_trashed", 0, "not in the trash", "Take a thread out of the trash."),
):
    _fn = _flag(_column, _value, _done)
    _fn.__name__, _fn.__doc__ = _name, _doc
    app.api("POST" if _value else "DELETE", f"/threads/{{thread_id}}{_path}", MESSAGE)(_fn)


@app.api("DELETE", "/threads/{thread_id}", MESSAGE)
def delete_thread(ctx: CallContext, thread_id: THREAD_ID) -> dict[str, str]:
    """Delete a thread from your mailbox for good; it must be in the trash first."""
    if not _thread_row(ctx, thread_id)["is_trashed"]:
        raise ApiError(409, f"Thread {thread_id} is not in the trash; trash it first with trash_thread.")
    ctx.execute(
        "DELETE FROM email_attachments WHERE message_id IN (SELECT id FROM email_messages WHERE thread_id = ?)",
        thread_id,
    )
    ctx.execute("DELETE FROM email_messages WHERE thread_id = ?", thread_id)
    ctx.execute("DELETE FROM email_thread_labels WHERE thread_id = ?", thread_id)
    ctx.execute("DELETE FROM email_threads WHERE id = ?", thread_id)
    return {"message": "Thread deleted."}


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
def show_labels(ctx: CallContext) -> list[dict[str, Any]]:
    """List your labels by name."""
    return ctx.rows(
        "SELECT l.id AS label_id, l.name, (SELECT COUNT(*) FROM email_thread_labels t WHERE t.label_id = l.id) "
        "AS thread_count FROM email_labels l WHERE l.owner_id = ? ORDER BY l.name, l.id",
        ctx.user_id,
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
        "subject": row["subject"],
        "body": row["body"],
        "updated_at": row["updated_at"],
    }


@app.api("GET", "/drafts", [DRAFT], paginated=True)
def show_drafts(ctx: CallContext) -> list[dict[str, Any]]:
    """List your drafts, most recently edited first."""
    return [
        _draft(r)
        for r in ctx.rows(
            "SELECT * FROM email_drafts WHERE owner_id = ? ORDER BY updated_at DESC, id DESC", ctx.user_id
        )
    ]


@app.api("POST", "/drafts", {"message": "string", "draft_id": 1})
def create_draft(
    ctx: CallContext,
    recipients: Annotated[list[str], P("Email addresses of the recipients (may be empty).")],
    subject: SUBJECT,
    body: BODY,
) -> dict[str, Any]:
    """Save an email as a draft, to send later."""
    _people_ids(ctx, recipients, "recipients")
    new_id = ctx.execute(
        "INSERT INTO email_drafts (owner_id, recipients, subject, body, updated_at) VALUES (?,?,?,?,?)",
        ctx.user_id,
        _join(recipients),
        subject,
        body,
        ctx.timestamp(),
    )
    return {"message": "Draft saved.", "draft_id": new_id}


@app.api("PATCH", "/drafts/{draft_id}", MESSAGE)
def update_draft(
    ctx: CallContext,
    draft_id: DRAFT_ID,
    recipients: Annotated[list[str] | None, P("New recipients; null keeps them.")] = None,
    subject: Annotated[str | None, P("New subject; null keeps it.", min_length=1, max_length=200)] = None,
    body: Annotated[str | None, P("New text; null keeps it.", max_length=20_000)] = None,
) -> dict[str, str]:
    """Edit a draft; only the fields given change."""
    ctx.owned("email_drafts", draft_id, "draft")
    if recipients is not None:
        _people_ids(ctx, recipients, "recipients")
    ctx.update(
        "email_drafts",
        draft_id,
        {
            "recipients": None if recipients is None else _join(recipients),
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
    sent = _deliver(
        ctx, None, row["subject"], _people_ids(ctx, _split(row["recipients"]), "recipients"), [], row["body"], []
    )
    ctx.execute("DELETE FROM email_drafts WHERE id = ?", draft_id)
    return {"message": "Draft sent.", **sent}
