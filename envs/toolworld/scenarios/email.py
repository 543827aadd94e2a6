"""Scenarios on the email app: replying, forwarding, labels, flags, drafts, the trash, questions."""

from __future__ import annotations

import random
from typing import Any

from envs.toolworld.evaluate import (
    Answer,
    Contains,
    Deleted,
    Expectation,
    Inserted,
    Matcher,
    NewRow,
    OneOf,
    Outcome,
    Updated,
)
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, pick
from envs.toolworld.scenarios.payments import balance_changes
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

DONE = "apis.supervisor.complete_task()\n"
ALL_THREADS = "apis.email.show_threads(access_token=email_token, folder='all'"
INBOX_THREADS = "apis.email.show_threads(access_token=email_token, folder='inbox'"
ALL_EMAILS = "apis.email.search_emails(access_token=email_token"
# an email's thread is in the inbox: neither archived nor trashed, and someone else wrote to the owner in it
INBOX = (
    "t.is_archived = 0 AND t.is_trashed = 0 AND t.is_spam = 0 AND t.is_muted = 0 "
    "AND EXISTS (SELECT 1 FROM email_messages o WHERE o.thread_id = t.id AND o.sender_id != t.owner_id)"
)


def email_of(view: WorldView, person_id: int) -> str:
    return view.person(person_id)["email"]


class NewConversation(Matcher):
    """The conversation id of the new thread `subject` in the sender's mailbox: every copy of a new email must
    share it (a copy filed under another conversation is not the same email)."""

    def __init__(self, sender: int, subject: str, above: int):
        self.sender, self.subject, self.above = sender, subject, above

    def __call__(self, value: Any, outcome: Outcome) -> bool:
        return value is not None and any(
            c.table == "email_threads"
            and c.kind == "insert"
            and c.after is not None
            and c.after.get("owner_id") == self.sender
            and c.after.get("subject") == self.subject
            and c.after.get("conversation_id") == value
            and value > self.above
            for c in outcome.changes
        )

    def __repr__(self) -> str:
        return f"the new conversation '{self.subject}' of the sender"


NEW_THREAD_FLAGS = dict.fromkeys(("is_starred", "is_archived", "is_trashed", "is_spam", "is_important", "is_muted"), 0)


def sent_email(
    view: WorldView,
    sender: int,
    to: list[int],
    body: Any,
    requirement: str,
    *,
    subject: str | None = None,
    conversation: int | None = None,
    cc: tuple[int, ...] = (),
    files: dict[str, Any] | None = None,
) -> list[Expectation]:
    """What sending one email changes, pinned column by column: in every participant's mailbox a copy (read by
    the sender only) in that mailbox's thread (new and unflagged, when the conversation is new), plus attachments.

    `subject` for a new conversation, `conversation` for a reply in an existing one; `files` maps each
    attachment's name to its content (a matcher or the exact text).
    """
    owners = list(dict.fromkeys([sender, *to, *cc]))
    to_text = ", ".join(sorted(email_of(view, p) for p in to))
    cc_text = ", ".join(sorted(email_of(view, p) for p in cc if p not in to))
    out: list[Expectation] = []
    threads: dict[int, Any] = {}
    if conversation is None:
        assert subject is not None, "a new conversation needs its subject"
        above = view.value("SELECT MAX(conversation_id) FROM email_threads")
        for owner in owners:
            out.append(
                Inserted(
                    "email_threads",
                    {
                        "owner_id": owner,
                        "subject": subject,
                        "conversation_id": NewConversation(sender, subject, above),
                        **NEW_THREAD_FLAGS,
                    },
                    f"{requirement}: a new thread '{subject}' in {full_name(view, owner)}'s mailbox",
                    what="threads",
                )
            )
            threads[owner] = NewRow("email_threads", {"owner_id": owner, "subject": subject})
    else:
        have = {
            r["owner_id"]: r["id"]
            for r in view.rows("SELECT id, owner_id FROM email_threads WHERE conversation_id = ?", conversation)
        }
        if set(owners) - set(have):
            raise LookupError(f"conversation {conversation} lacks a thread for some of {owners}")
        threads = {owner: have[owner] for owner in owners}
    for owner in owners:
        copy = {
            "owner_id": owner,
            "sender_id": sender,
            "thread_id": threads[owner],
            "recipients": to_text,
            "cc": cc_text,
            "body": body,
            "is_read": int(owner == sender),
        }
        whose = "my sent copy" if owner == sender else f"the copy in {full_name(view, owner)}'s mailbox"
        out.append(
            Inserted(
                "email_messages",
                copy,
                f"{requirement} (to {to_text}{', cc ' + cc_text if cc_text else ''}): {whose}",
                what="email copies",
            )
        )
        for name, content in (files or {}).items():
            out.append(
                Inserted(
                    "email_attachments",
                    {"message_id": NewRow("email_messages", copy), "file_name": name, "content": content},
                    f"{requirement}: {whose} has the attachment '{name}'",
                    what="attachments",
                )
            )
    return out


@scenario("email_reply_latest_from", apps=("email",), difficulty=2)
def reply_latest_from(view: WorldView, rng: random.Random) -> TaskSpec:
    latest = view.rows(
        "SELECT m.owner_id, m.sender_id, MAX(m.sent_at) AS sent_at FROM email_messages m "
        "JOIN email_threads t ON t.id = m.thread_id "
        "WHERE m.sender_id != m.owner_id AND t.is_trashed = 0 AND t.is_spam = 0 "
        "GROUP BY m.owner_id, m.sender_id ORDER BY m.owner_id, m.sender_id"
    )
    c = pick(rng, latest, "email from someone else")
    email = view.row(
        "SELECT m.*, t.conversation_id FROM email_messages m JOIN email_threads t ON t.id = m.thread_id "
        "WHERE m.owner_id = ? AND m.sender_id = ? AND m.sent_at = ? AND t.is_trashed = 0 AND t.is_spam = 0 "
        "ORDER BY m.id DESC LIMIT 1",
        c["owner_id"],
        c["sender_id"],
        c["sent_at"],
    )
    name, text = (
        full_name(view, c["sender_id"]),
        rng.choice(["Thanks, got it!", "Sounds good to me.", "Let me check and get back to you."]),
    )
    oracle = (
        Solution()
        .step(login("email"))
        .step(
            fetch_all("emails", ALL_EMAILS)
            + f"latest = next(e for e in emails if e['sender']['name'] == {name!r})\n"
            + f"apis.email.reply_to_email(access_token=email_token, email_id=latest['email_id'], body={text!r})\n"
        )
        .step("print(apis.email.show_thread(access_token=email_token, thread_id=latest['thread_id'])['email_count'])\n")
        .step(DONE)
        .steps()
    )
    return TaskSpec(
        c["owner_id"],
        f"Reply '{text}' to the most recent email {name} sent me (only to {name}).",
        oracle,
        sent_email(
            view,
            c["owner_id"],
            [c["sender_id"]],
            text,
            f"a reply goes to {name} in the thread of their latest email",
            conversation=email["conversation_id"],
        ),
    )


@scenario("email_unread_count", apps=("email",), difficulty=2)
def unread_count(view: WorldView, rng: random.Random) -> TaskSpec:
    counts = view.rows(
        "SELECT t.owner_id, SUM(1 - m.is_read) AS unread, COUNT(DISTINCT CASE WHEN m.is_read = 0 THEN t.id END) "
        "AS threads FROM email_threads t JOIN email_messages m ON m.thread_id = t.id "
        f"WHERE {INBOX} GROUP BY t.owner_id HAVING unread > 5 ORDER BY t.owner_id"
    )
    c = pick(rng, counts, "inbox with more than 5 unread emails", distinct=True)
    oracle = (
        Solution()
        .step(login("email"))
        .step(fetch_all("threads", INBOX_THREADS))
        .step("apis.supervisor.complete_task(answer=sum(t['unread_count'] for t in threads))\n")
        .steps()
    )
    traps = {"5": "only the first page of threads was read (page_limit default 5)"}
    if c["threads"] != c["unread"]:
        traps[str(c["threads"])] = "that is the number of threads with unread emails, not of unread emails"
    return TaskSpec(
        c["owner_id"],
        "How many unread emails are there in my email inbox? Count emails, not threads.",
        oracle,
        [Answer(c["unread"], f"the answer is the number of unread emails in the inbox ({c['unread']})", traps=traps)],
    )


@scenario("email_invoice_total", apps=("email",), difficulty=2)
def invoice_total(view: WorldView, rng: random.Random) -> TaskSpec:
    """The total due read from an invoice attachment, answered and confirmed to its sender by a reply."""
    invoices = view.rows(
        "SELECT m.owner_id, m.sender_id, a.file_name, a.content, t.conversation_id FROM email_attachments a "
        "JOIN email_messages m ON m.id = a.message_id JOIN email_threads t ON t.id = m.thread_id "
        "WHERE a.file_name LIKE 'invoice_%' AND m.owner_id != m.sender_id AND t.is_trashed = 0 AND t.is_spam = 0 "
        "ORDER BY a.id"
    )
    c = pick(rng, invoices, "invoice attachment", distinct=True)
    number = c["file_name"].removeprefix("invoice_").removesuffix(".txt")
    total = float(c["content"].rsplit("$", 1)[1])
    name = full_name(view, c["sender_id"])
    reply = f"Thanks, I will pay ${total:.2f} this week."
    oracle = (
        Solution()
        .step(login("email"))
        .step(
            f"found = {ALL_EMAILS}, query='invoice {number}', has_attachment=True)\n"
            + f"email = next(e for e in found if any(a['file_name'] == {c['file_name']!r} for a in e['attachments']))\n"
            + "file = next(a for a in email['attachments'] if a['file_name'] == "
            + repr(c["file_name"])
            + ")\n"
            + "text = apis.email.show_attachment(access_token=email_token, attachment_id=file['attachment_id'])"
            "['content']\n" + "total = float(text.split('Total due: $')[1].split()[0])\n" + "print(text)\n"
        )
        .step(
            "apis.email.reply_to_email(access_token=email_token, email_id=email['email_id'], "
            "body=f'Thanks, I will pay ${total:.2f} this week.')\n"
        )
        .step("apis.supervisor.complete_task(answer=total)\n")
        .steps()
    )
    return TaskSpec(
        c["owner_id"],
        f"{name} emailed me invoice {number}. What is its total due, in dollars, according to the attached invoice "
        f"file? Also reply to that email (to {name} only) 'Thanks, I will pay $<total> this week.' (like $12.50).",
        oracle,
        [
            Answer(total, f"the answer is the total due of invoice {number} (${total:.2f})"),
            *sent_email(
                view,
                c["owner_id"],
                [c["sender_id"]],
                reply,
                f"{name} is told the amount",
                conversation=c["conversation_id"],
            ),
        ],
    )


@scenario("email_label_attachment_threads", apps=("email",), difficulty=2)
def label_attachment_threads(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows(
        "SELECT t.owner_id, COUNT(DISTINCT t.id) AS n FROM email_threads t JOIN email_messages m ON m.thread_id = t.id "
        "JOIN email_attachments a ON a.message_id = m.id WHERE t.is_trashed = 0 AND t.is_spam = 0 "
        "GROUP BY t.owner_id HAVING n >= 3 ORDER BY t.owner_id"
    )
    owner = pick(rng, owners, "mailbox with 3 threads with attachments")["owner_id"]
    ids = [
        r["id"]
        for r in view.rows(
            "SELECT DISTINCT t.id FROM email_threads t JOIN email_messages m ON m.thread_id = t.id "
            "JOIN email_attachments a ON a.message_id = m.id "
            "WHERE t.owner_id = ? AND t.is_trashed = 0 AND t.is_spam = 0",
            owner,
        )
    ]
    label = rng.choice(["Attachments", "Has files", "Documents"])
    oracle = (
        Solution()
        .step(login("email"))
        .step(
            f"label_id = apis.email.create_label(access_token=email_token, name={label!r})['label_id']\n"
            + fetch_all("threads", ALL_THREADS)
            + (
                "for t in threads:\n    if t['has_attachments']:\n        "
                "apis.email.add_label_to_thread(access_token=email_token, thread_id=t['thread_id'], "
                "label_id=label_id)\n"
            )
        )
        .step(fetch_all("labelled", ALL_THREADS + f", label={label!r}") + "print(len(labelled), 'threads labelled')\n")
        .step("apis.supervisor.complete_task(answer=len(labelled))\n")
        .steps()
    )
    return TaskSpec(
        owner,
        f"Create an email label '{label}' and put it on every thread with an attachment (leave the trash alone). "
        "Tell me how many threads got it.",
        oracle,
        [
            Inserted("email_labels", {"owner_id": owner, "name": label}, f"a label '{label}' exists", what="labels"),
            Inserted(
                "email_thread_labels",
                {"thread_id": OneOf(ids), "label_id": NewRow("email_labels", {"owner_id": owner, "name": label})},
                f"all {len(ids)} threads with attachments have it",
                count=len(ids),
                what="labelled threads",
            ),
            Answer(
                len(ids),
                f"the answer is the number of threads labelled ({len(ids)})",
                traps={"5": "only the first page of threads was read (page_limit default 5)"} if len(ids) != 5 else {},
            ),
        ],
    )


@scenario("email_archive_read_labelled", apps=("email",), difficulty=2)
def archive_read_labelled(view: WorldView, rng: random.Random) -> TaskSpec:
    rows = view.rows(
        "SELECT t.id, t.owner_id, l.name, MIN(m.is_read) AS all_read FROM email_threads t "
        "JOIN email_thread_labels x ON x.thread_id = t.id JOIN email_labels l ON l.id = x.label_id "
        f"JOIN email_messages m ON m.thread_id = t.id WHERE {INBOX} GROUP BY t.id, l.id ORDER BY t.id, l.id"
    )
    groups: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["owner_id"], r["name"]), []).append(r)
    # prefer labels that also hold unread threads: archiving those is the trap
    candidates = sorted(
        k for k, g in groups.items() if any(r["all_read"] for r in g) and not all(r["all_read"] for r in g)
    ) or sorted(k for k, g in groups.items() if any(r["all_read"] for r in g))
    owner, label = pick(rng, candidates, "labelled inbox thread that is all read")
    ids = [r["id"] for r in groups[(owner, label)] if r["all_read"]]
    oracle = (
        Solution()
        .step(login("email"))
        .step(
            fetch_all("threads", INBOX_THREADS + f", label={label!r}")
            + (
                "archived = 0\n"
                "for t in threads:\n    if t['unread_count'] == 0:\n        "
                "apis.email.archive_thread(access_token=email_token, thread_id=t['thread_id'])\n"
                "        archived += 1\n"
            )
        )
        .step(
            fetch_all("left", INBOX_THREADS + f", label={label!r}")
            + "print([(t['subject'], t['unread_count']) for t in left])\n"
        )
        .step("apis.supervisor.complete_task(answer=archived)\n")
        .steps()
    )
    return TaskSpec(
        owner,
        f"Archive every thread in my email inbox labelled '{label}' that has no unread emails. "
        "Keep the ones with unread emails in the inbox. Tell me how many threads you archived.",
        oracle,
        [
            *(Updated("email_threads", i, {"is_archived": 1}, f"read '{label}' thread {i} is archived") for i in ids),
            Answer(len(ids), f"the answer is the number of threads archived ({len(ids)})"),
        ],
    )


@scenario("email_mark_inbox_read", apps=("email",), difficulty=2)
def mark_inbox_read(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows(
        "SELECT t.owner_id, COUNT(DISTINCT t.id) AS n FROM email_threads t "
        f"JOIN email_messages m ON m.thread_id = t.id WHERE {INBOX} AND m.is_read = 0 GROUP BY t.owner_id "
        "HAVING n >= 3 ORDER BY t.owner_id"
    )
    owner = pick(rng, owners, "inbox with 3 unread threads")["owner_id"]
    ids = [
        r["id"]
        for r in view.rows(
            "SELECT m.id FROM email_messages m JOIN email_threads t ON t.id = m.thread_id "
            f"WHERE t.owner_id = ? AND {INBOX} AND m.is_read = 0",
            owner,
        )
    ]
    oracle = (
        Solution()
        .step(login("email"))
        .step(
            fetch_all("threads", INBOX_THREADS + ", unread_only=True")
            + "for t in threads:\n    apis.email.mark_thread_read(access_token=email_token, thread_id=t['thread_id'])\n"
            + "marked = sum(t['unread_count'] for t in threads)\n"
        )
        .step(fetch_all("left", INBOX_THREADS + ", unread_only=True") + "print(len(left), 'unread threads left')\n")
        .step("apis.supervisor.complete_task(answer=marked)\n")
        .steps()
    )
    return TaskSpec(
        owner,
        "Mark everything in my email inbox as read. Leave archived threads and the trash as they are. Tell me how "
        "many unread emails there were.",
        oracle,
        [
            *(Updated("email_messages", i, {"is_read": 1}, f"inbox email {i} is read") for i in ids),
            Answer(len(ids), f"the answer is the number of unread inbox emails ({len(ids)})"),
        ],
    )


@scenario("email_send_draft", apps=("email",), difficulty=1)
def send_draft(view: WorldView, rng: random.Random) -> TaskSpec:
    """A draft sent as it is and its older version (a near-duplicate draft, the distractor) deleted."""
    draft = pick(
        rng,
        view.rows(
            "SELECT d.*, o.id AS older_id FROM email_drafts d JOIN email_drafts o ON o.owner_id = d.owner_id "
            "AND o.subject = d.subject || ' (older version)' WHERE d.recipients != '' ORDER BY d.id"
        ),
        "draft with recipients and an older version",
        distinct=True,
    )
    older = f"{draft['subject']} (older version)"
    to = [view.value("SELECT id FROM people WHERE email = ?", e) for e in draft["recipients"].split(", ")]
    oracle = (
        Solution()
        .step(login("email"))
        .step(
            fetch_all("drafts", "apis.email.show_drafts(access_token=email_token")
            + f"draft = next(d for d in drafts if d['subject'] == {draft['subject']!r})\n"
            + f"older = next(d for d in drafts if d['subject'] == {older!r})\n"
            + "print(draft, older)\n"
        )
        .step(
            "apis.email.send_draft(access_token=email_token, draft_id=draft['draft_id'])\n"
            "apis.email.delete_draft(access_token=email_token, draft_id=older['draft_id'])\n"
        )
        .step(
            "print(apis.email.show_threads(access_token=email_token, folder='sent', page_limit=1))\n"
            + fetch_all("left", "apis.email.show_drafts(access_token=email_token")
            + "print([d['subject'] for d in left])\n"
        )
        .step(DONE)
        .steps()
    )
    return TaskSpec(
        draft["owner_id"],
        f"Send my email draft '{draft['subject']}' as it is (not its older version), then delete the draft '{older}'.",
        oracle,
        [
            Deleted("email_drafts", frozenset({draft["id"]}), "the draft is sent, so no longer a draft", what="drafts"),
            Deleted("email_drafts", frozenset({draft["older_id"]}), f"the draft '{older}' is deleted", what="drafts"),
            *sent_email(view, draft["owner_id"], to, draft["body"], "the draft is sent", subject=draft["subject"]),
        ],
    )


@scenario("email_empty_trash", apps=("email",), difficulty=2)
def empty_trash(view: WorldView, rng: random.Random) -> TaskSpec:
    owner = pick(
        rng,
        view.rows("SELECT owner_id FROM email_threads WHERE is_trashed = 1 GROUP BY owner_id ORDER BY owner_id"),
        "mailbox with a trashed thread",
    )["owner_id"]
    threads = frozenset(
        r["id"] for r in view.rows("SELECT id FROM email_threads WHERE owner_id = ? AND is_trashed = 1", owner)
    )
    marks = ",".join(map(str, threads))
    messages = frozenset(r["id"] for r in view.rows(f"SELECT id FROM email_messages WHERE thread_id IN ({marks})"))
    files = frozenset(
        r["id"]
        for r in view.rows(
            "SELECT a.id FROM email_attachments a JOIN email_messages m ON m.id = a.message_id "
            f"WHERE m.thread_id IN ({marks})"
        )
    )
    labels = frozenset(r["id"] for r in view.rows(f"SELECT id FROM email_thread_labels WHERE thread_id IN ({marks})"))
    oracle = (
        Solution()
        .step(login("email"))
        .step(
            fetch_all("trash", "apis.email.show_threads(access_token=email_token, folder='trash'")
            + "for t in trash:\n    apis.email.delete_thread(access_token=email_token, thread_id=t['thread_id'])\n"
        )
        .step(
            fetch_all("left", "apis.email.show_threads(access_token=email_token, folder='trash'")
            + "print(len(left), 'threads left in the trash')\n"
        )
        .step(DONE)
        .steps()
    )
    expectations: list[Expectation] = [
        Deleted("email_threads", threads, f"all {len(threads)} trashed threads are deleted for good", what="threads"),
        Deleted("email_messages", messages, "their emails are gone from my mailbox (and only mine)", what="emails"),
    ]
    expectations += [
        Deleted(table, ids, f"their {what} are gone", what=what)
        for table, ids, what in (("email_attachments", files, "attachments"), ("email_thread_labels", labels, "labels"))
        if ids
    ]
    return TaskSpec(
        owner,
        "Permanently delete every thread in my email trash. Do not touch anything outside the trash.",
        oracle,
        expectations,
    )


@scenario("email_star_threads_with", apps=("email", "phone"), difficulty=2)
def star_threads_with(view: WorldView, rng: random.Random) -> TaskSpec:
    rows = view.rows(
        "SELECT DISTINCT t.id, t.owner_id, m.sender_id AS other, t.is_starred FROM email_threads t "
        "JOIN email_messages m ON m.thread_id = t.id JOIN phone_contacts c ON c.owner_id = t.owner_id "
        "AND c.email = (SELECT email FROM people WHERE id = m.sender_id) "
        "WHERE t.is_trashed = 0 AND t.is_spam = 0 AND m.sender_id != t.owner_id ORDER BY t.id"
    )
    pairs = sorted({(r["owner_id"], r["other"]) for r in rows if not r["is_starred"]})
    owner, other = pick(rng, pairs, "unstarred thread with a contact")
    email = email_of(view, other)
    ids = [
        r["id"]
        for r in view.rows(
            "SELECT id FROM email_threads t WHERE owner_id = ? AND is_trashed = 0 AND is_spam = 0 AND is_starred = 0 "
            "AND EXISTS (SELECT 1 FROM email_messages m WHERE m.thread_id = t.id "
            "AND (m.sender_id = ? OR m.recipients LIKE ? OR m.cc LIKE ?))",
            owner,
            other,
            f"%{email}%",
            f"%{email}%",
        )
    ]
    name = full_name(view, other)
    oracle = (
        Solution()
        .step(login("phone", "email"))
        .step(
            f"contact = apis.phone.search_contacts(access_token=phone_token, query={name!r})[0]\n"
            + fetch_all("threads", ALL_THREADS)
            + "for t in threads:\n    if contact['email'] in t['participants'] and not t['is_starred']:\n"
            + "        apis.email.star_thread(access_token=email_token, thread_id=t['thread_id'])\n"
        )
        .step(
            fetch_all("starred", "apis.email.show_threads(access_token=email_token, folder='starred'")
            + "print(len(starred), 'starred threads')\n"
        )
        .step(DONE)
        .steps()
    )
    return TaskSpec(
        owner,
        f"Star every email thread I have with my contact {name} (outside the trash).",
        oracle,
        [Updated("email_threads", i, {"is_starred": 1}, f"thread {i} with {name} is starred") for i in ids],
    )


@scenario("email_forward_attachment_to_contact", apps=("email", "phone"), difficulty=3)
def forward_attachment(view: WorldView, rng: random.Random) -> TaskSpec:
    rows = view.rows(
        "SELECT m.id, m.owner_id, m.sender_id, a.file_name, a.content FROM email_attachments a "
        "JOIN email_messages m ON m.id = a.message_id JOIN email_threads t ON t.id = m.thread_id "
        "WHERE m.sender_id != m.owner_id AND t.is_trashed = 0 AND t.is_spam = 0 ORDER BY m.id"
    )
    unique = [
        r for r in rows if sum((x["owner_id"], x["file_name"]) == (r["owner_id"], r["file_name"]) for x in rows) == 1
    ]
    c = pick(rng, unique, "attachment received once")
    contacts = view.rows(
        "SELECT p.id, c.relationship FROM phone_contacts c JOIN people p ON p.email = c.email "
        "WHERE c.owner_id = ? AND p.id != ? ORDER BY p.id",
        c["owner_id"],
        c["sender_id"],
    )
    to = pick(rng, contacts, "contact to forward to")
    sender, target = full_name(view, c["sender_id"]), full_name(view, to["id"])
    subject = view.value(
        "SELECT t.subject FROM email_threads t JOIN email_messages m ON m.thread_id = t.id WHERE m.id = ?", c["id"]
    )
    oracle = (
        Solution()
        .step(login("phone", "email"))
        .step(
            f"contact = apis.phone.search_contacts(access_token=phone_token, query={target!r})[0]\n"
            + fetch_all("emails", ALL_EMAILS + ", has_attachment=True")
            + "email = next(e for e in emails if "
            f"any(a['file_name'] == {c['file_name']!r} for a in e['attachments']))\n"
            + (
                "apis.email.forward_email(access_token=email_token, email_id=email['email_id'], "
                "recipients=[contact['email']])\n"
            )
        )
        .step("print(apis.email.show_threads(access_token=email_token, folder='sent', page_limit=1))\n")
        .step(DONE)
        .steps()
    )
    return TaskSpec(
        c["owner_id"],
        f"Forward the email from {sender} with the attachment '{c['file_name']}' to my {to['relationship']} {target}.",
        oracle,
        sent_email(
            view,
            c["owner_id"],
            [to["id"]],
            Contains("Forwarded message"),
            f"the email is forwarded to {target}",
            subject=f"Fwd: {subject}",
            files={c["file_name"]: c["content"]},
        ),
    )


@scenario("email_group_announcement", apps=("email", "phone"), difficulty=3)
def group_announcement(view: WorldView, rng: random.Random) -> TaskSpec:
    groups = view.rows(
        "SELECT owner_id, relationship FROM phone_contacts WHERE relationship IN ('family', 'roommate') "
        "AND email IS NOT NULL GROUP BY owner_id, relationship HAVING COUNT(*) >= 2 ORDER BY owner_id, relationship"
    )
    g = pick(rng, groups, "two family or roommate contacts")
    to = [
        r["id"]
        for r in view.rows(
            "SELECT p.id FROM phone_contacts c JOIN people p ON p.email = c.email "
            "WHERE c.owner_id = ? AND c.relationship = ? ORDER BY p.id",
            g["owner_id"],
            g["relationship"],
        )
    ]
    subject, body = rng.choice(
        [
            ("House meeting", "House meeting on Sunday at 6pm in the kitchen."),
            ("Weekend plans", "I booked a table for all of us on Saturday at 7pm."),
            ("Heads up", "The plumber is coming on Thursday morning."),
        ]
    )
    plural = {"family": "family members", "roommate": "roommates"}[g["relationship"]]
    oracle = (
        Solution()
        .step(login("phone", "email"))
        .step(
            fetch_all(
                "group", f"apis.phone.search_contacts(access_token=phone_token, relationship={g['relationship']!r}"
            )
            + (
                "apis.email.send_email(access_token=email_token, recipients=[c['email'] for c in group], "
                f"subject={subject!r}, body={body!r})\n"
            )
        )
        .step("print(apis.email.show_threads(access_token=email_token, folder='sent', page_limit=1))\n")
        .step(DONE)
        .steps()
    )
    return TaskSpec(
        g["owner_id"],
        f"Send one email to all my {plural} (as marked in my phone contacts) with the subject '{subject}' and the "
        f"text '{body}'.",
        oracle,
        sent_email(view, g["owner_id"], to, body, f"one email reaches all {len(to)} {plural}", subject=subject),
    )


@scenario("email_pay_back_share", apps=("email", "payments"), difficulty=3)
def pay_back_share(view: WorldView, rng: random.Random) -> TaskSpec:
    asks = view.rows(
        "SELECT m.owner_id, m.sender_id, m.body, t.subject FROM email_messages m "
        "JOIN email_threads t ON t.id = m.thread_id JOIN payments_balances b ON b.person_id = m.owner_id "
        "WHERE m.sender_id != m.owner_id AND m.body LIKE '%share%$%' AND t.is_trashed = 0 AND t.is_spam = 0 "
        "AND b.balance > 250 "
        "ORDER BY m.id"
    )
    unique = [
        a for a in asks if sum((x["owner_id"], x["sender_id"]) == (a["owner_id"], a["sender_id"]) for x in asks) == 1
    ]
    c = pick(rng, unique, "email asking for a share")
    share = float(c["body"].split("$")[-1].split()[0].rstrip(".,"))
    name, note = full_name(view, c["sender_id"]), c["subject"]
    oracle = (
        Solution()
        .step(login("email", "payments"))
        .step(
            fetch_all("emails", ALL_EMAILS + ", query='share'")
            + f"ask = next(e for e in emails if e['sender']['name'] == {name!r} and '$' in e['body'])\n"
            + "share = float(ask['body'].split('$')[-1].split()[0].rstrip('.,'))\n"
            + (
                "apis.payments.send_money(access_token=payments_token, receiver_email=ask['sender']['email'], "
                f"amount=share, note={note!r})\n"
            )
        )
        .step("print(apis.payments.show_balance(access_token=payments_token))\n")
        .step(DONE)
        .steps()
    )
    return TaskSpec(
        c["owner_id"],
        f"{name} emailed me asking for my share of a cost. Pay it to them on the payments app with the note '{note}'.",
        oracle,
        [
            Inserted(
                "payments_transactions",
                {
                    "sender_id": c["owner_id"],
                    "receiver_id": c["sender_id"],
                    "amount": share,
                    "note": Contains(note),
                    "private": 0,
                },
                f"${share:.2f} is paid to {name} with the note '{note}'",
                what="payments",
            ),
            *balance_changes(view, {c["owner_id"]: -share, c["sender_id"]: share}),
        ],
    )
