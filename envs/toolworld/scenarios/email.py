"""Scenarios on the email app: replying, forwarding, labels, flags, drafts, the trash, questions."""

from __future__ import annotations

import random
from typing import Any

from envs.toolworld.evaluate import (
    Answer,
    Contains,
    Deleted,
    Expectation,
    HasLines,
    Inserted,
    Matcher,
    NewRow,
    OneOf,
    Outcome,
    Updated,
)
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, full_name, login, pick
from envs.toolworld.scenarios._files import directory_expectation
from envs.toolworld.scenarios._rows import new_file
from envs.toolworld.scenarios.payments import balance_changes, befriend_code, befriended
from envs.toolworld.scenarios.phone import sent_text, talked_since, text_quiet_code, texted_since
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

DONE = "apis.supervisor.complete_task()\n"
UNREAD_LIST = "/documents/unread_emails.txt"
TALKED_MARK = " (talked since)"
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
            thread.get("owner_id") == self.sender and thread.get("subject") == self.subject and value > self.above
            for thread in outcome.inserted("email_threads", "conversation_id").get(value, ())
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
    alike: int = 1,
) -> list[Expectation]:
    """What sending one email changes, pinned column by column: in every participant's mailbox a copy (read by
    the sender only) in that mailbox's thread (new and unflagged, when the conversation is new), plus attachments.

    `subject` for a new conversation, `conversation` for a reply in an existing one; `files` maps each
    attachment's name to its content (a matcher or the exact text); `alike` is how many new conversations of
    this subject the sender starts in the task (two people of one first name, two events of one title on one
    day): the sender's mailbox then holds that many new threads of it; for a reply, how many alike replies the
    task sends in that conversation (two unread emails of one person in one thread, each answered).
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
                    f"{requirement}: a new thread '{subject}' in {full_name(view, owner)}'s mailbox"
                    + (f" ({alike} of that subject)" if owner == sender and alike > 1 else ""),
                    count=alike if owner == sender else 1,
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
                f"{requirement} (to {to_text}{', cc ' + cc_text if cc_text else ''}): {whose}"
                + (f" ({alike} alike)" if conversation is not None and alike > 1 else ""),
                count=alike if conversation is not None else 1,
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


def file_under_code(label: str, thread: str) -> str:
    """Oracle code putting my label `label` (created when I have none) on the thread whose id is `thread`."""
    return (
        fetch_all("labels", "apis.email.show_labels(access_token=email_token")
        + f"label = next((l for l in labels if l['name'] == {label!r}), None)\n"
        "if label is None:\n"
        f"    label = apis.email.create_label(access_token=email_token, name={label!r})\n"
        f"apis.email.add_label_to_thread(access_token=email_token, thread_id={thread}, label_id=label['label_id'])\n"
    )


def filed_under(view: WorldView, owner: int, label: str, thread: Any, what: str) -> list[Expectation]:
    """My label `label` (new unless I have it) is on `thread` (a thread id or a NewRow matcher)."""
    return labelled(view, owner, label, [thread], f"{what} has the label '{label}'")


def labelled(view: WorldView, owner: int, label: str, threads: list[Any], requirement: str) -> list[Expectation]:
    """My label `label` (new unless I have it) is on each of `threads` (thread ids or NewRow matchers)."""
    have = view.rows("SELECT id FROM email_labels WHERE owner_id = ? AND name = ?", owner, label)
    new_label = {"owner_id": owner, "name": label}
    out: list[Expectation] = (
        [] if have else [Inserted("email_labels", new_label, f"a label '{label}' exists", what="labels")]
    )
    label_id = have[0]["id"] if have else NewRow("email_labels", new_label)
    thread = threads[0] if len(threads) == 1 else OneOf(threads)
    out.append(
        Inserted(
            "email_thread_labels",
            {"thread_id": thread, "label_id": label_id},
            requirement,
            count=len(threads),
            what="labelled threads",
        )
    )
    return out


REPLY_THREADS_MIN = 8  # threads with an email from the person, each filed under their label on its own


@scenario("email_reply_latest_from", apps=("email",), difficulty=2)
def reply_latest_from(view: WorldView, rng: random.Random) -> TaskSpec:
    """A reply to someone's latest email, each of their unread emails marked read one by one (other people's
    unread emails in the same threads stay unread), every thread with an email from them filed under a new label
    of their name; the answer counts every email they sent me. Deep by its subject: someone with emails in
    REPLY_THREADS_MIN+ threads (their emails span pages, and each thread is labelled on its own)."""
    latest = view.rows(
        "SELECT m.owner_id, m.sender_id, MAX(m.sent_at) AS sent_at FROM email_messages m "
        "JOIN email_threads t ON t.id = m.thread_id JOIN people p ON p.id = m.sender_id "
        "WHERE m.sender_id != m.owner_id AND t.is_trashed = 0 AND t.is_spam = 0 AND NOT EXISTS (SELECT 1 FROM "
        "email_labels l WHERE l.owner_id = m.owner_id AND l.name = p.first_name || ' ' || p.last_name) "
        "GROUP BY m.owner_id, m.sender_id HAVING SUM(1 - m.is_read) >= 1 AND COUNT(DISTINCT m.thread_id) >= ? "
        "ORDER BY m.owner_id, m.sender_id",
        REPLY_THREADS_MIN,
    )
    c = pick(rng, latest, f"someone who sent me emails in {REPLY_THREADS_MIN}+ threads, some unread", distinct=True)
    email = view.row(
        "SELECT m.*, t.conversation_id FROM email_messages m JOIN email_threads t ON t.id = m.thread_id "
        "WHERE m.owner_id = ? AND m.sender_id = ? AND m.sent_at = ? AND t.is_trashed = 0 AND t.is_spam = 0 "
        "ORDER BY m.id DESC LIMIT 1",
        c["owner_id"],
        c["sender_id"],
        c["sent_at"],
    )
    theirs = view.rows(
        "SELECT m.id, m.is_read, m.sent_at, m.thread_id FROM email_messages m "
        "JOIN email_threads t ON t.id = m.thread_id WHERE m.owner_id = ? AND m.sender_id = ? AND t.is_trashed = 0 "
        "AND t.is_spam = 0 ORDER BY m.id",
        c["owner_id"],
        c["sender_id"],
    )
    name, text = (
        full_name(view, c["sender_id"]),
        rng.choice(["Thanks, got it!", "Sounds good to me.", "Let me check and get back to you."]),
    )
    threads = sorted({m["thread_id"] for m in theirs})
    oracle = (
        Solution()
        .step(login("email"))
        .step(
            fetch_all("emails", ALL_EMAILS) + f"theirs = [e for e in emails if e['sender']['name'] == {name!r}]\n"
            "print(len(theirs), [(e['subject'], e['is_read']) for e in theirs])\n"
        )
        .step(
            "for e in theirs:\n"
            "    if not e['is_read']:\n"
            "        apis.email.mark_email_read(access_token=email_token, email_id=e['email_id'])\n"
            "latest = theirs[0]\n"
            f"apis.email.reply_to_email(access_token=email_token, email_id=latest['email_id'], body={text!r})\n"
        )
        .step(
            f"label = apis.email.create_label(access_token=email_token, name={name!r})\n"
            "for thread_id in sorted({e['thread_id'] for e in theirs}):\n"
            "    apis.email.add_label_to_thread(access_token=email_token, thread_id=thread_id, "
            "label_id=label['label_id'])\n"
        )
        .step(
            fetch_all("filed", ALL_THREADS + f", label={name!r}") + "print(len(filed), 'threads filed')\n"
            "print(apis.email.show_thread(access_token=email_token, thread_id=latest['thread_id'])['email_count'])\n"
            "print(apis.email.search_emails(access_token=email_token, sender_email=latest['sender']['email'], "
            "unread_only=True))\n"
        )
        .step("apis.supervisor.complete_task(answer=len(theirs))\n")
        .steps()
    )
    return TaskSpec(
        c["owner_id"],
        f"Leaving the trash and spam alone: reply '{text}' to the most recent email {name} sent me (only to "
        f"{name}), mark every unread email from {name} as read (only theirs), and file every thread with an email "
        f"from {name} under a new label '{name}'. Tell me how many emails {name} has sent me in all (outside the "
        "trash and spam).",
        oracle,
        [
            *sent_email(
                view,
                c["owner_id"],
                [c["sender_id"]],
                text,
                f"a reply goes to {name} in the thread of their latest email",
                conversation=email["conversation_id"],
            ),
            *(
                Updated("email_messages", m["id"], {"is_read": 1}, f"{name}'s email of {m['sent_at']} is read")
                for m in theirs
                if not m["is_read"]
            ),
            *labelled(
                view,
                c["owner_id"],
                name,
                threads,
                f"the {len(threads)} threads with an email from {name} have the label",
            ),
            Answer(
                len(theirs),
                f"the answer is the number of emails {name} sent me ({len(theirs)})",
                traps={"5": "only the first page of emails was read"},
            ),
        ],
    )


def favorite_unread_threads(view: WorldView, owner: int) -> list[dict[str, Any]]:
    """Inbox threads of `owner` holding an unread email from a favourite of their address book, not starred yet."""
    return view.rows(
        "SELECT DISTINCT t.id, t.subject FROM email_threads t JOIN email_messages m ON m.thread_id = t.id "
        "JOIN people p ON p.id = m.sender_id JOIN email_contacts e ON e.owner_id = t.owner_id AND e.email = p.email "
        f"AND e.is_favorite = 1 WHERE t.owner_id = ? AND {INBOX} AND m.is_read = 0 AND t.is_starred = 0 ORDER BY t.id",
        owner,
    )


STALE_BEFORE = "2026-04-18"
SEEN = "Thanks, I saw this and will reply properly soon."
UNREAD_IN_INBOX = (
    "SELECT t.id, t.subject, t.conversation_id, m.sender_id, m.sent_at, EXISTS (SELECT 1 FROM email_contacts e "
    "JOIN people p ON p.email = e.email WHERE e.owner_id = t.owner_id AND p.id = m.sender_id AND e.is_favorite = 1) "
    f"AS favorite FROM email_threads t JOIN email_messages m ON m.thread_id = t.id WHERE t.owner_id = ? AND {INBOX} "
    "AND m.is_read = 0 ORDER BY m.sent_at, m.id"
)


def favorite_unread_emails(view: WorldView, owner: int) -> list[dict[str, Any]]:
    """The unread inbox emails of `owner` from a favourite of their address book."""
    return [m for m in view.rows(UNREAD_IN_INBOX, owner) if m["favorite"]]


def old_threads(view: WorldView, owner: int) -> list[dict[str, Any]]:
    """Inbox threads of `owner` whose unread emails were all sent before STALE_BEFORE, none from a favourite."""
    threads: dict[int, list[dict[str, Any]]] = {}
    for m in view.rows(UNREAD_IN_INBOX, owner):
        threads.setdefault(m["id"], []).append(m)
    return [
        ms[0] for _, ms in sorted(threads.items()) if all(m["sent_at"] < STALE_BEFORE and not m["favorite"] for m in ms)
    ]


@scenario("email_unread_count", apps=("email",), difficulty=2)
def unread_count(view: WorldView, rng: random.Random) -> TaskSpec:
    """Unread inbox emails counted over every page; each unread thread opened to see who its unread emails are
    from and when: starred when one is from a favourite of my address book (read emails from favourites and unread
    ones from others are distractors), and the unread emails older than STALE_BEFORE marked read one by one."""
    counts = view.rows(
        "SELECT t.owner_id, SUM(1 - m.is_read) AS unread, COUNT(DISTINCT CASE WHEN m.is_read = 0 THEN t.id END) "
        "AS threads FROM email_threads t JOIN email_messages m ON m.thread_id = t.id "
        f"WHERE {INBOX} GROUP BY t.owner_id HAVING unread > 5 ORDER BY t.owner_id"
    )
    counts = [c for c in counts if favorite_unread_threads(view, c["owner_id"])]
    c = pick(rng, counts, "inbox with more than 5 unread emails, one from a favourite", distinct=True)
    star = favorite_unread_threads(view, c["owner_id"])
    stale = view.rows(
        "SELECT m.id, m.sent_at FROM email_messages m JOIN email_threads t ON t.id = m.thread_id "
        f"WHERE t.owner_id = ? AND {INBOX} AND m.is_read = 0 AND m.sent_at < ? ORDER BY m.id",
        c["owner_id"],
        STALE_BEFORE,
    )
    oracle = (
        Solution()
        .step(login("email"))
        .step(
            fetch_all("threads", INBOX_THREADS + ", unread_only=True")
            + fetch_all("book", "apis.email.show_email_contacts(access_token=email_token, favorites_only=True")
            + "favorites = {b['email'] for b in book}\n"
            "print(len(threads), 'threads with unread emails;', sorted(favorites))\n"
        )
        .step(
            "unread = 0\n"
            "for t in threads:\n"
            "    emails = apis.email.show_thread(access_token=email_token, thread_id=t['thread_id'])['emails']\n"
            "    waiting = [e for e in emails if not e['is_read']]\n"
            "    unread += len(waiting)\n"
            "    from_favorites = [e for e in waiting if e['sender']['email'] in favorites]\n"
            "    if not t['is_starred'] and from_favorites:\n"
            "        apis.email.star_thread(access_token=email_token, thread_id=t['thread_id'])\n"
            "    for e in from_favorites:\n"
            f"        apis.email.reply_to_email(access_token=email_token, email_id=e['email_id'], body={SEEN!r})\n"
            "    for e in waiting:\n"
            f"        if e['sent_at'] < {STALE_BEFORE!r}:\n"
            "            apis.email.mark_email_read(access_token=email_token, email_id=e['email_id'])\n"
            f"    if not from_favorites and all(e['sent_at'] < {STALE_BEFORE!r} for e in waiting):\n"
            "        apis.email.archive_thread(access_token=email_token, thread_id=t['thread_id'])\n"
            "print(unread)\n"
        )
        .step(
            fetch_all("starred", "apis.email.show_threads(access_token=email_token, folder='starred', unread_only=True")
            + "print([t['subject'] for t in starred])\n"
            + fetch_all("still", INBOX_THREADS + ", unread_only=True")
            + "print(len(still), 'inbox threads still unread')\n"
            "apis.supervisor.complete_task(answer=unread)\n"
        )
        .steps()
    )
    replies: dict[tuple[int, int], list[dict[str, Any]]] = {}  # one per unread email, alike in one thread
    for m in favorite_unread_emails(view, c["owner_id"]):
        replies.setdefault((m["conversation_id"], m["sender_id"]), []).append(m)
    traps = {"5": "only the first page of threads was read (page_limit default 5)"}
    if c["threads"] != c["unread"]:
        traps[str(c["threads"])] = "that is the number of threads with unread emails, not of unread emails"
    return TaskSpec(
        c["owner_id"],
        "How many unread emails are there in my email inbox? Count emails, not threads. Also star each inbox thread "
        "(not starred yet) with an unread email from someone who is a favourite in my email address book, and mark "
        f"as read the unread inbox emails sent before {STALE_BEFORE} (I will not get to those). Reply '{SEEN}' to each "
        "unread email from such a favourite, and archive each inbox thread whose unread emails were all sent before "
        f"{STALE_BEFORE}, none of them from a favourite.",
        oracle,
        [
            Answer(c["unread"], f"the answer is the number of unread emails in the inbox ({c['unread']})", traps=traps),
            *(
                Updated(
                    "email_threads",
                    t["id"],
                    {"is_starred": 1},
                    f"'{t['subject']}' has an unread email from a favourite: starred",
                )
                for t in star
            ),
            *(
                Updated("email_messages", m["id"], {"is_read": 1}, f"the unread email of {m['sent_at']} is marked read")
                for m in stale
            ),
            *(
                Updated(
                    "email_threads",
                    t["id"],
                    {"is_archived": 1},
                    f"'{t['subject']}', left with old unread emails only, is archived",
                )
                for t in old_threads(view, c["owner_id"])
            ),
            *(
                expectation
                for (conversation, sender), ms in replies.items()
                for expectation in sent_email(
                    view,
                    c["owner_id"],
                    [sender],
                    SEEN,
                    f"the unread email of {ms[0]['sent_at']} from a favourite is answered"
                    if len(ms) == 1
                    else f"each unread email of {', '.join(m['sent_at'] for m in ms)} from a favourite is answered",
                    conversation=conversation,
                    alike=len(ms),
                )
            ),
        ],
    )


INVOICES_PENDING_MIN = 3  # unanswered invoices, each read, paid, answered and labelled on its own
# each invoice emailed to me (outside spam and trash), and whether its thread holds an email of mine (answered)
INVOICE_EMAILS = (
    "SELECT m.id, m.owner_id, m.sender_id, m.sent_at, m.thread_id, a.file_name, a.content, t.conversation_id, "
    "EXISTS (SELECT 1 FROM email_messages o WHERE o.thread_id = t.id AND o.sender_id = t.owner_id) AS answered "
    "FROM email_attachments a JOIN email_messages m ON m.id = a.message_id JOIN email_threads t ON t.id = m.thread_id "
    "WHERE a.file_name LIKE 'invoice_%' AND t.subject LIKE 'Invoice %' AND m.owner_id != m.sender_id "
    "AND t.is_trashed = 0 AND t.is_spam = 0 ORDER BY m.owner_id, m.sent_at, m.id"
)


def invoice_total_due(content: str) -> float:
    return float(content.split("Total due: $")[1].split()[0])


def unanswered_invoices_answer(total: float, everything: float) -> Answer:
    """The answer of the invoice tasks: the total due of the invoices I had not answered, never all of them."""
    total, everything = round(total, 2), round(everything, 2)
    return Answer(
        total,
        f"the answer is the total due of the invoices I had not answered (${total:.2f})",
        traps={f"{everything:g}": "that adds the invoices I had already answered too"},
    )


@scenario("email_invoice_total", apps=("email", "payments"), difficulty=2)
def invoice_total(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep by a look per invoice: whether I answered an invoice is only in its thread (show_thread per invoice;
    the answered ones are distractors), its total only in the attached file; each of the 3+ others is paid to its
    sender on the payments app, confirmed by a reply and labelled 'Paid'; the answer is their total. Mailboxes where
    a payment of an invoice's amount to its sender already followed it are left out (none in world 0): the
    instruction does not ask to check for one."""
    mailboxes: dict[int, list[dict[str, Any]]] = {}
    for i in view.rows(INVOICE_EMAILS):
        mailboxes.setdefault(i["owner_id"], []).append(i)

    def paid_after(owner: int, invoice: dict[str, Any]) -> bool:
        return bool(
            view.rows(
                "SELECT 1 FROM payments_transactions WHERE sender_id = ? AND receiver_id = ? AND amount = ? "
                "AND created_at >= ?",
                owner,
                invoice["sender_id"],
                invoice_total_due(invoice["content"]),
                invoice["sent_at"],
            )
        )

    def usable(owner: int, at_least: int) -> bool:
        mine = mailboxes[owner]
        pending = [i for i in mine if not i["answered"]]
        balance = view.value("SELECT balance FROM payments_balances WHERE person_id = ?", owner) or 0
        return (
            len(pending) >= at_least
            and len(pending) < len(mine)
            and len({i["file_name"] for i in mine}) == len(mine)
            and balance >= sum(invoice_total_due(i["content"]) for i in pending)
            and not any(paid_after(owner, i) for i in pending)
        )

    at_least, owners = as_deep_as_found(
        (INVOICES_PENDING_MIN, 2), lambda n: [o for o in sorted(mailboxes) if usable(o, n)]
    )
    owner = pick(rng, owners, f"mailbox with an answered and {at_least}+ unanswered invoices", distinct=True)
    pending = [i for i in mailboxes[owner] if not i["answered"]]
    private = view.value("SELECT default_private FROM payments_settings WHERE person_id = ?", owner)
    expectations: list[Expectation] = []
    deltas: dict[int, float] = {owner: 0.0}
    for i in pending:
        number = i["file_name"].removeprefix("invoice_").removesuffix(".txt")
        total = invoice_total_due(i["content"])
        name = full_name(view, i["sender_id"])
        note = f"invoice {number}"
        expectations.append(
            Inserted(
                "payments_transactions",
                {
                    "sender_id": owner,
                    "receiver_id": i["sender_id"],
                    "amount": total,
                    "note": note,
                    "private": private,
                },
                f"${total:.2f} is paid to {name} with the note '{note}'",
                what=f"payments noted '{note}'",
            )
        )
        deltas[owner] = round(deltas[owner] - total, 2)
        deltas[i["sender_id"]] = round(deltas.get(i["sender_id"], 0.0) + total, 2)
        expectations += sent_email(
            view,
            owner,
            [i["sender_id"]],
            f"Thanks, I paid ${total:.2f}.",
            f"{name} is told the amount of invoice {number}",
            conversation=i["conversation_id"],
        )
    expectations += labelled(
        view,
        owner,
        "Paid",
        [i["thread_id"] for i in pending],
        f"the {len(pending)} invoices' threads are labelled 'Paid'",
    )
    expectations += balance_changes(view, deltas)
    expectations.append(
        unanswered_invoices_answer(
            sum(invoice_total_due(i["content"]) for i in pending),
            sum(invoice_total_due(i["content"]) for i in mailboxes[owner]),
        )
    )
    oracle = (
        Solution()
        .step(login("email", "payments"))
        .step(
            fetch_all("emails", ALL_EMAILS + ", query='invoice', has_attachment=True")
            + "invoices = [e for e in emails if e['subject'].startswith('Invoice ') and e['sender']['email'] != "
            "me['email'] and any(a['file_name'].startswith('invoice_') for a in e['attachments'])]\n"
            "print([(e['subject'], e['sender']['name'], e['sent_at']) for e in invoices])\n"
        )
        .step(
            "pending = []\n"
            "for e in invoices:\n"
            "    thread = apis.email.show_thread(access_token=email_token, thread_id=e['thread_id'])\n"
            "    if not any(m['sender']['email'] == me['email'] for m in thread['emails']):\n"
            "        pending.append(e)\n"
            "print([e['subject'] for e in pending])\n"
        )
        .step(
            "totals = {}\n"
            "for e in pending:\n"
            "    file = next(a for a in e['attachments'] if a['file_name'].startswith('invoice_'))\n"
            "    text = apis.email.show_attachment(access_token=email_token, attachment_id=file['attachment_id'])"
            "['content']\n"
            "    totals[e['email_id']] = float(text.split('Total due: $')[1].split()[0])\n"
            "print(totals)\n"
        )
        .step(
            "for e in pending:\n"
            "    total = totals[e['email_id']]\n"
            "    apis.payments.send_money(access_token=payments_token, receiver_email=e['sender']['email'], "
            "amount=total, note='invoice ' + e['subject'].removeprefix('Invoice '))\n"
            "    apis.email.reply_to_email(access_token=email_token, email_id=e['email_id'], "
            "body=f'Thanks, I paid ${total:.2f}.')\n"
        )
        .step(
            fetch_all("labels", "apis.email.show_labels(access_token=email_token")
            + "label = next((l for l in labels if l['name'] == 'Paid'), None)\n"
            "if label is None:\n"
            "    label = apis.email.create_label(access_token=email_token, name='Paid')\n"
            "for e in pending:\n"
            "    apis.email.add_label_to_thread(access_token=email_token, thread_id=e['thread_id'], "
            "label_id=label['label_id'])\n"
        )
        .step(
            "print(apis.payments.show_balance(access_token=payments_token))\n"
            + fetch_all("done", "apis.email.show_threads(access_token=email_token, folder='all', label='Paid'")
            + "print([t['subject'] for t in done])\n"
            "apis.supervisor.complete_task(answer=round(sum(totals.values()), 2))\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        "Coworkers have emailed me invoices (subject 'Invoice <number>', the invoice attached as a file); leave out "
        "any in my spam or trash. The ones I have already answered in their thread are dealt with. For every other "
        "one, read its total due in the attached invoice file and pay it to the sender on the payments app with the "
        "note 'invoice <number>', then reply to the "
        "invoice email (to the sender only) 'Thanks, I paid $<total>.' (like $12.50), and put my email label 'Paid' "
        "on its thread (create the label if I have none). Tell me the total due of those invoices.",
        oracle,
        expectations,
    )


@scenario("email_label_attachment_threads", apps=("email",), difficulty=2)
def label_attachment_threads(view: WorldView, rng: random.Random) -> TaskSpec:
    """A new label on every thread with an attachment (over every page); each of them opened to see its files,
    and the ones carrying an invoice starred (photos, recipes and the like are distractors)."""
    owners = view.rows(
        "SELECT t.owner_id, COUNT(DISTINCT t.id) AS n FROM email_threads t JOIN email_messages m ON m.thread_id = t.id "
        "JOIN email_attachments a ON a.message_id = m.id WHERE t.is_trashed = 0 AND t.is_spam = 0 "
        "GROUP BY t.owner_id HAVING n >= 3 AND SUM(a.file_name LIKE 'invoice_%') >= 1 ORDER BY t.owner_id"
    )
    owner = pick(rng, owners, "mailbox with 3 threads with attachments, an invoice among them", distinct=True)[
        "owner_id"
    ]
    ids = [
        r["id"]
        for r in view.rows(
            "SELECT DISTINCT t.id FROM email_threads t JOIN email_messages m ON m.thread_id = t.id "
            "JOIN email_attachments a ON a.message_id = m.id "
            "WHERE t.owner_id = ? AND t.is_trashed = 0 AND t.is_spam = 0",
            owner,
        )
    ]
    invoices = view.rows(
        "SELECT DISTINCT t.id, t.subject FROM email_threads t JOIN email_messages m ON m.thread_id = t.id "
        "JOIN email_attachments a ON a.message_id = m.id WHERE t.owner_id = ? AND t.is_trashed = 0 AND t.is_spam = 0 "
        "AND t.is_starred = 0 AND a.file_name LIKE 'invoice_%' ORDER BY t.id",
        owner,
    )
    label = rng.choice(["Attachments", "Has files", "Documents"])
    oracle = (
        Solution()
        .step(login("email"))
        .step(
            fetch_all("threads", ALL_THREADS + ", has_attachment=True")
            + "print(len(threads), 'threads with attachments')\n"
        )
        .step(
            f"label_id = apis.email.create_label(access_token=email_token, name={label!r})['label_id']\n"
            "for t in threads:\n"
            "    apis.email.add_label_to_thread(access_token=email_token, thread_id=t['thread_id'], "
            "label_id=label_id)\n"
            "    emails = apis.email.show_thread(access_token=email_token, thread_id=t['thread_id'])['emails']\n"
            "    files = [a['file_name'] for e in emails for a in e['attachments']]\n"
            "    if not t['is_starred'] and any(f.startswith('invoice_') for f in files):\n"
            "        apis.email.star_thread(access_token=email_token, thread_id=t['thread_id'])\n"
        )
        .step(
            fetch_all("labelled", ALL_THREADS + f", label={label!r}")
            + "print(len(labelled), 'threads labelled')\n"
            + fetch_all("starred", "apis.email.show_threads(access_token=email_token, folder='starred'")
            + "print([t['subject'] for t in starred])\n"
        )
        .step("apis.supervisor.complete_task(answer=len(labelled))\n")
        .steps()
    )
    return TaskSpec(
        owner,
        f"Create an email label '{label}' and put it on every thread with an attachment (leave the trash alone). "
        "Star those of them that carry an invoice (a file named invoice_...), if not starred yet. Tell me how many "
        "threads got the label.",
        oracle,
        [
            *labelled(view, owner, label, ids, f"all {len(ids)} threads with attachments have it"),
            *(
                Updated("email_threads", t["id"], {"is_starred": 1}, f"'{t['subject']}' carries an invoice: starred")
                for t in invoices
            ),
            Answer(
                len(ids),
                f"the answer is the number of threads labelled ({len(ids)})",
                traps={"5": "only the first page of threads was read (page_limit default 5)"} if len(ids) != 5 else {},
            ),
        ],
    )


def _attachments_of(view: WorldView, thread_ids: list[int]) -> list[dict[str, Any]]:
    """Every attachment in these threads: its file name and content."""
    return view.rows(
        "SELECT a.file_name, a.content FROM email_attachments a JOIN email_messages m ON m.id = a.message_id "
        f"WHERE m.thread_id IN ({','.join('?' * len(thread_ids))}) ORDER BY a.id",
        *thread_ids,
    )


def unsavable(view: WorldView, owner: int, folder: str, names: list[str]) -> bool:
    """Two attachments of one name, or a file already in the way: what lands where would be a guess."""
    return len(set(names)) < len(names) or any(
        view.rows("SELECT 1 FROM file_system_files WHERE owner_id = ? AND path = ?", owner, f"{folder}/{n}")
        for n in names
    )


def save_attachments_code(folder: str, listed: str, which: str) -> str:
    """Oracle code saving into `folder` every attachment of the threads of the list `listed` for which `which` (a
    Python test of `t`) holds, listing the paths in `saved`: the list says only whether a thread has attachments, so
    their names come from show_thread and their content from show_attachment, one call each, before a create_file
    each."""
    return (
        "saved = []\n"
        f"for t in {listed}:\n"
        f"    if {which} and t['has_attachments']:\n"
        "        full = apis.email.show_thread(access_token=email_token, thread_id=t['thread_id'])\n"
        "        for e in full['emails']:\n"
        "            for a in e['attachments']:\n"
        "                content = apis.email.show_attachment(access_token=email_token, "
        "attachment_id=a['attachment_id'])['content']\n"
        f"                path = {folder + '/'!r} + a['file_name']\n"
        "                apis.file_system.create_file(access_token=file_system_token, path=path, content=content, "
        "parents=True)\n"
        "                saved.append(path)\n"
        "print(saved)\n"
    )


def saved_attachments(
    view: WorldView, owner: int, folder: str, attachments: list[dict[str, Any]], whose: str
) -> list[Expectation]:
    """Each attachment saved as `folder`/<its file name>, the folder (and /documents) created if missing."""
    out: list[Expectation] = [
        Inserted(
            "file_system_files",
            new_file(owner, f"{folder}/{a['file_name']}", a["content"]),
            f"{folder}/{a['file_name']} holds the attachment of {whose}",
            what="files",
        )
        for a in attachments
    ]
    for directory in ("/documents", folder) if attachments else ():
        out += directory_expectation(view, owner, directory)
    return out


ARCHIVE_MIN = 7  # read threads of the label, each archived on its own
ARCHIVE_FILES_MIN = 2  # attachments among them, each opened and saved


@scenario("email_archive_read_labelled", apps=("email", "file_system"), difficulty=2)
def archive_read_labelled(view: WorldView, rng: random.Random) -> TaskSpec:
    """Read threads of one label archived, unread ones kept and marked important; the attachments of the archived
    threads saved first into /documents/<label>/ in my files.
    Deep: the thread list says only whether a thread has attachments: their names come from show_thread and their
    content from show_attachment, one call each, before a create_file each; the label holds ARCHIVE_MIN+ read
    threads (archived one by one) with ARCHIVE_FILES_MIN+ attachments among them."""
    rows = view.rows(
        "SELECT t.id, t.owner_id, l.name, MIN(m.is_read) AS all_read FROM email_threads t "
        "JOIN email_thread_labels x ON x.thread_id = t.id JOIN email_labels l ON l.id = x.label_id "
        f"JOIN email_messages m ON m.thread_id = t.id WHERE {INBOX} GROUP BY t.id, l.id ORDER BY t.id, l.id"
    )
    groups: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["owner_id"], r["name"]), []).append(r)
    # labels that also hold unread threads (archiving those is the trap), with enough read threads to archive
    candidates = sorted(
        k
        for k, g in groups.items()
        if sum(r["all_read"] for r in g) >= ARCHIVE_MIN and not all(r["all_read"] for r in g)
    )

    def to_save(key: tuple[int, str]) -> list[dict[str, Any]]:
        return _attachments_of(view, [r["id"] for r in groups[key] if r["all_read"]])

    # labels whose read threads carry attachments to save; the unsavable ones left out before the pick, so that
    # each variant keeps a label of its own
    usable = [
        k
        for k in candidates
        if "/" not in k[1]
        and len(files := [a["file_name"] for a in to_save(k)]) >= ARCHIVE_FILES_MIN
        and not unsavable(view, k[0], f"/documents/{k[1]}", files)
    ]
    owner, label = pick(
        rng,
        usable,
        f"label with {ARCHIVE_MIN}+ read inbox threads, {ARCHIVE_FILES_MIN}+ attachments among them, and an unread one",
        distinct=True,
    )
    ids = [r["id"] for r in groups[(owner, label)] if r["all_read"]]
    saved = to_save((owner, label))
    flag = view.rows(
        f"SELECT id FROM email_threads WHERE id IN ({','.join(str(r['id']) for r in groups[(owner, label)])}) "
        "AND is_important = 0 ORDER BY id"
    )
    flag_ids = [r["id"] for r in flag if r["id"] not in ids]
    oracle = (
        Solution()
        .step(login("email", "file_system"))
        .step(
            fetch_all("threads", INBOX_THREADS + f", label={label!r}")
            + "print([(t['subject'], t['unread_count'], t['is_important'], t['has_attachments']) for t in threads])\n"
        )
        .step(save_attachments_code(f"/documents/{label}", "threads", "t['unread_count'] == 0"))
        .step(
            "archived = 0\n"
            "for t in threads:\n"
            "    if t['unread_count'] == 0:\n"
            "        apis.email.archive_thread(access_token=email_token, thread_id=t['thread_id'])\n"
            "        archived += 1\n"
            "    elif not t['is_important']:\n"
            "        apis.email.mark_thread_important(access_token=email_token, thread_id=t['thread_id'])\n"
        )
        .step(
            fetch_all("left", INBOX_THREADS + f", label={label!r}")
            + "print([(t['subject'], t['unread_count'], t['is_important']) for t in left])\n"
            + fetch_all(
                "archive", f"apis.email.show_threads(access_token=email_token, folder='archived', label={label!r}"
            )
            + "print(len(archive), 'archived')\n"
            + fetch_all(
                "files",
                f"apis.file_system.show_directory(access_token=file_system_token, path={f'/documents/{label}'!r}",
            )
            + "print([f['name'] for f in files])\n"
        )
        .step("apis.supervisor.complete_task(answer=archived)\n")
        .steps()
    )
    return TaskSpec(
        owner,
        f"Archive every thread in my email inbox labelled '{label}' that has no unread emails. "
        "Keep the ones with unread emails in the inbox and mark them important (if they are not yet). Tell me how "
        f"many threads you archived. Before archiving a thread, save each of its attachments as a file in "
        f"/documents/{label}/ in my files (create the folder if needed), keeping the attachment's file name.",
        oracle,
        [
            *(Updated("email_threads", i, {"is_archived": 1}, f"read '{label}' thread {i} is archived") for i in ids),
            *(
                Updated(
                    "email_threads", i, {"is_important": 1}, f"'{label}' thread {i} with unread emails is important"
                )
                for i in flag_ids
            ),
            *saved_attachments(view, owner, f"/documents/{label}", saved, "an archived thread"),
            Answer(len(ids), f"the answer is the number of threads archived ({len(ids)})"),
        ],
    )


UNREAD_SENDERS_AT_LEAST = 4  # people whose unread emails are listed, each looked up in the contacts and call log


def unread_inbox(view: WorldView, owner: int) -> list[dict[str, Any]]:
    """`owner`'s unread inbox emails, each with whether the owner talked with its sender on the phone on or after
    the day it was sent (None: the sender is not in the owner's phone contacts)."""
    rows = view.rows(
        "SELECT m.id, m.sender_id, m.sent_at, t.subject, p.email, (SELECT c.phone_number FROM phone_contacts c "
        "WHERE c.owner_id = t.owner_id AND c.email = p.email) AS number FROM email_messages m "
        f"JOIN email_threads t ON t.id = m.thread_id JOIN people p ON p.id = m.sender_id WHERE t.owner_id = ? "
        f"AND {INBOX} AND m.is_read = 0 ORDER BY m.sent_at, m.id",
        owner,
    )
    return [
        {**r, "talked": None if r["number"] is None else talked_since(view, owner, r["number"], r["sent_at"][:10])}
        for r in rows
    ]


@scenario("email_mark_inbox_read", apps=("email", "file_system", "phone"), difficulty=2)
def mark_inbox_read(view: WorldView, rng: random.Random) -> TaskSpec:
    """Each unread inbox thread opened to list its unread emails (read ones in the same threads are distractors)
    in a new file, each marked when I talked with its sender on the phone since it came, then all marked read; the
    answer counts them. Deep: whether we talked is only in the call log, one look per email (by the sender's number,
    one contact search per sender: UNREAD_SENDERS_AT_LEAST of them, some talked to since and some not)."""
    owners = [
        o["owner_id"]
        for o in view.rows(
            "SELECT t.owner_id, COUNT(DISTINCT t.id) AS n FROM email_threads t "
            f"JOIN email_messages m ON m.thread_id = t.id WHERE {INBOX} AND m.is_read = 0 GROUP BY t.owner_id "
            "HAVING n >= 3 ORDER BY t.owner_id"
        )
        if not view.rows("SELECT 1 FROM file_system_files WHERE owner_id = ? AND path = ?", o["owner_id"], UNREAD_LIST)
    ]
    unread = {owner: unread_inbox(view, owner) for owner in owners}

    def usable(senders: int) -> list[int]:
        """Owners with `senders`+ people behind their unread emails, all in the phone contacts, both outcomes."""
        return [
            owner
            for owner, rows in unread.items()
            if len({r["sender_id"] for r in rows}) >= senders and {r["talked"] for r in rows} == {True, False}
        ]

    least, pool = as_deep_as_found((UNREAD_SENDERS_AT_LEAST, 3, 2), usable)
    owner = pick(rng, pool, f"inbox with unread emails of {least}+ contacts, some talked to since", distinct=True)
    rows = unread[owner]
    lines = [
        f"{r['sent_at'][:10]} {full_name(view, r['sender_id'])}: {r['subject']}{TALKED_MARK if r['talked'] else ''}"
        for r in rows
    ]
    oracle = (
        Solution()
        .step(login("email", "file_system", "phone"))
        .step(
            fetch_all("threads", INBOX_THREADS + ", unread_only=True") + "unread = []\n"
            "for t in threads:\n"
            "    unread += [e for e in apis.email.show_thread(access_token=email_token, thread_id=t['thread_id'])"
            "['emails'] if not e['is_read']]\n"
            "print([(e['sent_at'], e['sender']['email'], e['subject']) for e in unread])\n"
        )
        .step(
            "numbers = {}\n"
            "for address in sorted({e['sender']['email'] for e in unread}):\n"
            "    found = apis.phone.search_contacts(access_token=phone_token, query=address, page_limit=20)\n"
            "    numbers[address] = next(c['phone_number'] for c in found if c['email'] == address)\n"
            "lines = []\n"
            "for e in unread:\n"
            "    talked = apis.phone.show_call_history(access_token=phone_token, "
            "phone_number=numbers[e['sender']['email']], started_after=e['sent_at'][:10], min_duration_seconds=1, "
            "page_limit=1)\n"
            "    line = f\"{e['sent_at'][:10]} {e['sender']['name']}: {e['subject']}\"\n"
            f"    lines.append(line + ({TALKED_MARK!r} if talked else ''))\n"
            "print(lines)\n"
        )
        .step(
            f"apis.file_system.create_file(access_token=file_system_token, path={UNREAD_LIST!r}, "
            "content='\\n'.join(lines))\n"
            "for t in threads:\n    apis.email.mark_thread_read(access_token=email_token, thread_id=t['thread_id'])\n"
        )
        .step(
            fetch_all("left", INBOX_THREADS + ", unread_only=True") + "print(len(left), 'unread threads left')\n"
            f"print(apis.file_system.show_file(access_token=file_system_token, path={UNREAD_LIST!r})['content'])\n"
        )
        .step("apis.supervisor.complete_task(answer=len(lines))\n")
        .steps()
    )
    return TaskSpec(
        owner,
        f"Before I clear my email inbox, list what was unread in a new file {UNREAD_LIST}: one line per unread "
        f"inbox email, '<YYYY-MM-DD> <sender's full name>: <subject>', with '{TALKED_MARK}' right after the subject "
        "if I have talked with that sender on the phone on or after that date (a call with their number from my "
        "phone contacts in my call log, either way; missed and unanswered calls, 0 seconds long, do not count). "
        "Then mark everything in my inbox as read. Muted threads are not in my inbox: leave them, archived threads, "
        "the spam and the trash as they are. Tell me how many unread emails there were.",
        oracle,
        [
            Inserted(
                "file_system_files",
                new_file(owner, UNREAD_LIST, HasLines(lines)),
                f"{UNREAD_LIST} lists the {len(lines)} unread inbox emails, "
                f"{sum(bool(r['talked']) for r in rows)} marked talked since",
                what="files",
            ),
            *(Updated("email_messages", r["id"], {"is_read": 1}, f"inbox email {r['id']} is read") for r in rows),
            Answer(len(rows), f"the answer is the number of unread inbox emails ({len(rows)})"),
        ],
    )


OLDER = " (older version)"
DRAFTS_MIN = 9  # newest drafts with a recipient to go through, each needing its own look at the mailbox
# each newest draft with a recipient, whether that person emailed me (outside spam and trash) on or after the day
# I last edited it, whether they did counting spam and trash, and whether they did on that very day
DRAFT_CHECKS = (
    "SELECT d.id, d.owner_id, d.subject, d.body, d.recipients, "
    "EXISTS (SELECT 1 FROM email_messages m JOIN email_threads t ON t.id = m.thread_id JOIN people p "
    "ON p.id = m.sender_id WHERE m.owner_id = d.owner_id AND p.email = d.recipients AND t.is_trashed = 0 "
    "AND t.is_spam = 0 AND m.sent_at >= substr(d.updated_at, 1, 10)) AS answered, "
    "EXISTS (SELECT 1 FROM email_messages m JOIN people p ON p.id = m.sender_id WHERE m.owner_id = d.owner_id "
    "AND p.email = d.recipients AND m.sent_at >= substr(d.updated_at, 1, 10)) AS anywhere, "
    "EXISTS (SELECT 1 FROM email_messages m JOIN people p ON p.id = m.sender_id WHERE m.owner_id = d.owner_id "
    "AND p.email = d.recipients AND substr(m.sent_at, 1, 10) = substr(d.updated_at, 1, 10)) AS same_day "
    "FROM email_drafts d WHERE d.recipients != '' AND d.subject NOT LIKE ? ORDER BY d.owner_id, d.id"
)


@scenario("email_send_draft", apps=("email",), difficulty=1)
def send_draft(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep by a look per draft: each of 9+ newest drafts with a recipient is sent only if that person has not
    emailed me since I last edited it (an email search per draft; the draft list shows no replies), else deleted as
    out of date and the thread of their latest email starred to answer; then every older version whose newer draft
    I had is deleted, older versions whose newer draft is gone kept (distractors). The answer counts the drafts
    sent."""
    mailboxes: dict[int, list[dict[str, Any]]] = {}
    for d in view.rows(DRAFT_CHECKS, f"%{OLDER}"):
        mailboxes.setdefault(d["owner_id"], []).append(d)
    # usable: enough drafts of both outcomes, none whose outcome hangs on an email of that very day or in the trash
    owners = sorted(
        owner
        for owner, drafts in mailboxes.items()
        if len(drafts) >= DRAFTS_MIN
        and 2 <= sum(d["answered"] for d in drafts) <= len(drafts) - 2
        and not any(d["same_day"] or d["anywhere"] != d["answered"] for d in drafts)
    )
    owner = pick(rng, owners, f"mailbox with {DRAFTS_MIN}+ drafts to check, both outcomes", distinct=True)
    checked = mailboxes[owner]
    to_send = [d for d in checked if not d["answered"]]
    outdated = frozenset(d["id"] for d in checked if d["answered"])
    drafts = view.rows("SELECT id, subject FROM email_drafts WHERE owner_id = ?", owner)
    subjects = {d["subject"] for d in drafts}
    stale = frozenset(
        d["id"] for d in drafts if d["subject"].endswith(OLDER) and d["subject"].removesuffix(OLDER) in subjects
    )
    expectations: list[Expectation] = [
        Deleted(
            "email_drafts",
            frozenset(d["id"] for d in to_send),
            f"the {len(to_send)} drafts whose recipient has not written since are sent, so no longer drafts",
            what="sent drafts",
        ),
        Deleted(
            "email_drafts",
            outdated,
            f"the {len(outdated)} drafts whose recipient has written since are deleted",
            what="outdated drafts",
        ),
    ]
    if stale:
        expectations.append(
            Deleted("email_drafts", stale, f"the {len(stale)} superseded older versions are deleted", what="drafts")
        )
    latest = {
        d["recipients"]: view.row(
            "SELECT t.id, t.subject, t.is_starred, p.first_name || ' ' || p.last_name AS name "
            "FROM email_messages m JOIN email_threads t ON t.id = m.thread_id "
            "JOIN people p ON p.id = m.sender_id WHERE m.owner_id = ? AND p.email = ? AND t.is_trashed = 0 "
            "AND t.is_spam = 0 ORDER BY m.sent_at DESC, m.id DESC LIMIT 1",
            owner,
            d["recipients"],
        )
        for d in checked
        if d["answered"]
    }
    expectations += [
        Updated(
            "email_threads",
            t["id"],
            {"is_starred": 1},
            f"the thread '{t['subject']}' of {t['name']}'s latest email is starred",
        )
        for _, t in sorted(latest.items())
        if not t["is_starred"]
    ]
    for d in to_send:
        friend = view.value("SELECT id FROM people WHERE email = ?", d["recipients"])
        expectations += sent_email(view, owner, [friend], d["body"], f"'{d['subject']}' is sent", subject=d["subject"])
    expectations.append(Answer(len(to_send), f"the answer is the number of drafts sent ({len(to_send)})"))
    oracle = (
        Solution()
        .step(login("email"))
        .step(
            fetch_all("drafts", "apis.email.show_drafts(access_token=email_token")
            + f"newest = [d for d in drafts if d['recipients'] and not d['subject'].endswith({OLDER!r})]\n"
            "print([(d['subject'], d['recipients'], d['updated_at']) for d in newest])\n"
        )
        .step(
            "answered = {}\n"
            "for d in newest:\n"
            "    since = apis.email.search_emails(access_token=email_token, sender_email=d['recipients'][0], "
            "sent_after=d['updated_at'][:10], page_limit=1)\n"
            "    answered[d['draft_id']] = since[0] if since else None\n"
            "print({d['subject']: answered[d['draft_id']] for d in newest})\n"
        )
        .step(
            "sent, to_star = 0, set()\n"
            "for d in newest:\n"
            "    if answered[d['draft_id']]:\n"
            "        apis.email.delete_draft(access_token=email_token, draft_id=d['draft_id'])\n"
            "        to_star.add(answered[d['draft_id']]['thread_id'])\n"
            "    else:\n"
            "        apis.email.send_draft(access_token=email_token, draft_id=d['draft_id'])\n"
            "        sent += 1\n"
        )
        .step(
            "for thread_id in sorted(to_star):\n"
            "    if not apis.email.show_thread(access_token=email_token, thread_id=thread_id)['is_starred']:\n"
            "        apis.email.star_thread(access_token=email_token, thread_id=thread_id)\n"
        )
        .step(
            "subjects = {d['subject'] for d in drafts}\n"
            "for d in drafts:\n"
            f"    base = d['subject'].removesuffix({OLDER!r})\n"
            "    if base != d['subject'] and base in subjects:\n"
            "        apis.email.delete_draft(access_token=email_token, draft_id=d['draft_id'])\n"
        )
        .step(
            "print(apis.email.show_threads(access_token=email_token, folder='sent', page_limit=5))\n"
            + fetch_all("left", "apis.email.show_drafts(access_token=email_token")
            + "print([d['subject'] for d in left])\n"
            "apis.supervisor.complete_task(answer=sent)\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        f"Go through my email drafts that have a recipient, leaving aside the older versions ('<subject>{OLDER}'). "
        "For each, check whether its recipient has emailed me on or after the day I last edited the draft (emails "
        "in my spam or trash do not count): if they have, the draft is out of date, so delete it and star the "
        "thread of their latest email to me, which I should answer instead; if not, send the draft as it is. "
        f"Then delete every draft named '<subject>{OLDER}' whose newer draft '<subject>' I had before you started, "
        "and keep older versions whose newer draft was already gone. Tell me how many drafts you sent.",
        oracle,
        expectations,
    )


FILE_TRASH_BEFORE = "2026-03-01"
FROM_TRASH = "/documents/from_trash"
TRASH_SAVE_MIN = 3  # attachments of the threads deleted for good, each saved first


@scenario("email_empty_trash", apps=("email", "file_system"), difficulty=2)
def empty_trash(view: WorldView, rng: random.Random) -> TaskSpec:
    """Every trashed thread deleted for good, except the starred ones, restored instead (one kind acted on each
    way), the attachments of the deleted ones saved first into FROM_TRASH; in the files' trash only what was
    deleted before FILE_TRASH_BEFORE goes (newer items are distractors). The answer counts the threads deleted.
    Deep: the trash list says only whether a thread has attachments; their names need show_thread, their content
    show_attachment, one call each (TRASH_SAVE_MIN+ of them), before a create_file each."""
    mailboxes = view.rows(
        "SELECT owner_id FROM email_threads t WHERE is_trashed = 1 GROUP BY owner_id "
        "HAVING SUM(is_starred) >= 1 AND SUM(1 - is_starred) >= 2 AND (SELECT COUNT(*) FROM file_system_trash f "
        "WHERE f.owner_id = t.owner_id AND f.deleted_at < ?) >= 1 AND (SELECT COUNT(*) FROM file_system_trash f "
        "WHERE f.owner_id = t.owner_id AND f.deleted_at >= ?) >= 1 ORDER BY owner_id",
        FILE_TRASH_BEFORE,
        FILE_TRASH_BEFORE,
    )

    def to_save(owner: int) -> list[dict[str, Any]]:
        return _attachments_of(
            view,
            [
                r["id"]
                for r in view.rows(
                    "SELECT id FROM email_threads WHERE owner_id = ? AND is_trashed = 1 AND is_starred = 0", owner
                )
            ],
        )

    usable = [
        m["owner_id"]
        for m in mailboxes
        if len(names := [a["file_name"] for a in to_save(m["owner_id"])]) >= TRASH_SAVE_MIN
        and not unsavable(view, m["owner_id"], FROM_TRASH, names)
    ]
    owner = pick(
        rng,
        usable,
        f"mailbox with starred and unstarred trashed threads, {TRASH_SAVE_MIN}+ attachments to save",
        distinct=True,
    )
    saved = to_save(owner)
    threads = frozenset(
        r["id"]
        for r in view.rows(
            "SELECT id FROM email_threads WHERE owner_id = ? AND is_trashed = 1 AND is_starred = 0", owner
        )
    )
    kept = view.rows(
        "SELECT id, subject FROM email_threads WHERE owner_id = ? AND is_trashed = 1 AND is_starred = 1", owner
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
    old_files = frozenset(
        r["id"]
        for r in view.rows(
            "SELECT id FROM file_system_trash WHERE owner_id = ? AND deleted_at < ?", owner, FILE_TRASH_BEFORE
        )
    )
    oracle = (
        Solution()
        .step(login("email", "file_system"))
        .step(
            fetch_all("trash", "apis.email.show_threads(access_token=email_token, folder='trash'")
            + "print([(t['subject'], t['is_starred']) for t in trash])\n"
        )
        .step(save_attachments_code(FROM_TRASH, "trash", "not t['is_starred']"))
        .step(
            "deleted = 0\n"
            "for t in trash:\n"
            "    if t['is_starred']:\n"
            "        apis.email.restore_thread(access_token=email_token, thread_id=t['thread_id'])\n"
            "    else:\n"
            "        apis.email.delete_thread(access_token=email_token, thread_id=t['thread_id'])\n"
            "        deleted += 1\n"
        )
        .step(
            fetch_all("left", "apis.email.show_threads(access_token=email_token, folder='trash'")
            + "print(len(left), 'threads left in the trash')\n"
            + fetch_all("starred", "apis.email.show_threads(access_token=email_token, folder='starred'")
            + "print([t['subject'] for t in starred])\n"
            + fetch_all("kept", f"apis.file_system.show_directory(access_token=file_system_token, path={FROM_TRASH!r}")
            + "print([f['name'] for f in kept])\n"
        )
        .step(
            fetch_all("files", "apis.file_system.show_trash(access_token=file_system_token") + "for item in files:\n"
            f"    if item['deleted_at'] < {FILE_TRASH_BEFORE!r}:\n"
            "        apis.file_system.delete_from_trash(access_token=file_system_token, trash_id=item['trash_id'])\n"
            + fetch_all("kept", "apis.file_system.show_trash(access_token=file_system_token")
            + "print([(i['original_path'], i['deleted_at']) for i in kept])\n"
            "apis.supervisor.complete_task(answer=deleted)\n"
        )
        .steps()
    )
    expectations: list[Expectation] = [
        Deleted("email_threads", threads, f"the {len(threads)} unstarred trashed threads are deleted", what="threads"),
        Deleted("email_messages", messages, "their emails are gone from my mailbox (and only mine)", what="emails"),
    ]
    expectations += [
        Deleted(table, ids, f"their {what} are gone", what=what)
        for table, ids, what in (("email_attachments", files, "attachments"), ("email_thread_labels", labels, "labels"))
        if ids
    ]
    expectations += [
        Updated("email_threads", t["id"], {"is_trashed": 0}, f"the starred thread '{t['subject']}' is restored")
        for t in kept
    ]
    expectations += saved_attachments(view, owner, FROM_TRASH, saved, "a thread deleted from my email trash")
    expectations.append(
        Deleted(
            "file_system_trash",
            old_files,
            f"the {len(old_files)} items trashed in my files before {FILE_TRASH_BEFORE} are deleted for good",
            what="trashed files",
        )
    )
    expectations.append(Answer(len(threads), f"the answer is the number of threads deleted ({len(threads)})"))
    return TaskSpec(
        owner,
        "Clean out my email trash: permanently delete every thread in it, except the starred ones, which I want "
        "back: restore those. Before deleting a thread, save each of its attachments as a file in "
        f"{FROM_TRASH}/ in my files (create the folder if needed), keeping the attachment's file name. In my files' "
        "trash, permanently delete what was deleted before "
        f"{FILE_TRASH_BEFORE} and keep the newer items. Do not touch anything outside the trash. Tell me how many "
        "email threads you deleted.",
        oracle,
        expectations,
    )


STARRED_THREADS_AT_LEAST = 12  # unstarred threads with the contact: more than a page of 5, each starred


def unstarred_threads_with(view: WorldView, owner: int, other: int) -> list[int]:
    """The unstarred threads of `owner` (outside spam and trash) where `other` wrote or was written to."""
    email = email_of(view, other)
    return [
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


@scenario("email_star_threads_with", apps=("email", "phone"), difficulty=2)
def star_threads_with(view: WorldView, rng: random.Random) -> TaskSpec:
    """Every thread with one contact starred; in each, only the contact's unread emails are marked read (a per-email
    detail of the thread; other people's unread emails stay unread). Deep: the contact is in STARRED_THREADS_AT_LEAST
    or more unstarred threads, over two pages at the default page size, each starred on its own."""
    rows = view.rows(
        "SELECT DISTINCT t.id, t.owner_id, m.sender_id AS other, t.is_starred FROM email_threads t "
        "JOIN email_messages m ON m.thread_id = t.id JOIN phone_contacts c ON c.owner_id = t.owner_id "
        "AND c.email = (SELECT email FROM people WHERE id = m.sender_id) "
        "WHERE t.is_trashed = 0 AND t.is_spam = 0 AND m.sender_id != t.owner_id ORDER BY t.id"
    )
    pairs = sorted({(r["owner_id"], r["other"]) for r in rows if not r["is_starred"]})
    least, busy = as_deep_as_found(
        (STARRED_THREADS_AT_LEAST, 4, 1),
        lambda n: [pair for pair in pairs if len(unstarred_threads_with(view, *pair)) >= n],
    )
    owner, other = pick(rng, busy, f"contact in {least} unstarred threads", distinct=True)
    ids = unstarred_threads_with(view, owner, other)
    unread = view.rows(
        "SELECT m.id, m.sent_at FROM email_messages m JOIN email_threads t ON t.id = m.thread_id WHERE m.owner_id = ? "
        "AND m.sender_id = ? AND m.is_read = 0 AND t.is_trashed = 0 AND t.is_spam = 0 ORDER BY m.id",
        owner,
        other,
    )
    name = full_name(view, other)
    oracle = (
        Solution()
        .step(login("phone", "email"))
        .step(
            f"contact = apis.phone.search_contacts(access_token=phone_token, query={name!r})[0]\n"
            + fetch_all("threads", ALL_THREADS)
            + "mine = [t for t in threads if contact['email'] in t['participants']]\n"
            "print(len(mine), 'threads with them')\n"
        )
        .step(
            "for t in mine:\n"
            "    if not t['is_starred']:\n"
            "        apis.email.star_thread(access_token=email_token, thread_id=t['thread_id'])\n"
            "    if t['unread_count']:\n"
            "        emails = apis.email.show_thread(access_token=email_token, thread_id=t['thread_id'])['emails']\n"
            "        for e in emails:\n"
            "            if e['sender']['email'] == contact['email'] and not e['is_read']:\n"
            "                apis.email.mark_email_read(access_token=email_token, email_id=e['email_id'])\n"
        )
        .step(
            fetch_all("starred", "apis.email.show_threads(access_token=email_token, folder='starred'")
            + "print(len(starred), 'starred threads')\n"
            "print(apis.email.search_emails(access_token=email_token, sender_email=contact['email'], "
            "unread_only=True))\n"
        )
        .step(DONE)
        .steps()
    )
    return TaskSpec(
        owner,
        f"Star every email thread I have with my contact {name} (outside my spam and trash), and in those threads "
        f"mark {name}'s unread emails as read (only theirs).",
        oracle,
        [
            *(Updated("email_threads", i, {"is_starred": 1}, f"thread {i} with {name} is starred") for i in ids),
            *(
                Updated("email_messages", m["id"], {"is_read": 1}, f"{name}'s email of {m['sent_at']} is read")
                for m in unread
            ),
        ],
    )


IN_TOUCH_SINCE = "2026-04-01"  # the contacts of the kind I talked to on the phone since then get the forward
IN_TOUCH_KIND_AT_LEAST = 8  # contacts of the sender's kind, each looked up in the call log


@scenario("email_forward_attachment_to_contact", apps=("email", "phone"), difficulty=3)
def forward_attachment(view: WorldView, rng: random.Random) -> TaskSpec:
    """An attachment received once, forwarded in one email to the contacts of its sender's kind (friend, coworker)
    I talked to on the phone since IN_TOUCH_SINCE, each texted a heads-up; the sender thanked with their count.
    Deep: whether we talked is only in each contact's call log, one look per contact (IN_TOUCH_KIND_AT_LEAST or
    more, some talked to and some not); the sender, though of that kind, is not forwarded their own email."""
    rows = view.rows(
        "SELECT m.id, m.owner_id, m.sender_id, m.sent_at, m.body, a.file_name, a.content, c.relationship "
        "FROM email_attachments a JOIN email_messages m ON m.id = a.message_id "
        "JOIN email_threads t ON t.id = m.thread_id JOIN people s ON s.id = m.sender_id "
        "JOIN phone_contacts c ON c.owner_id = m.owner_id AND c.email = s.email "
        "WHERE m.sender_id != m.owner_id AND t.is_trashed = 0 AND t.is_spam = 0 "
        "AND c.relationship IN ('friend', 'coworker') ORDER BY m.id"
    )
    unique = [
        r for r in rows if sum((x["owner_id"], x["file_name"]) == (r["owner_id"], r["file_name"]) for x in rows) == 1
    ]

    def kind_of(r: dict[str, Any]) -> list[dict[str, Any]]:
        """The other contacts of the sender's kind (findable by email and number), each with whether we talked."""
        return [
            {**c, "talked": talked_since(view, r["owner_id"], c["phone_number"], IN_TOUCH_SINCE)}
            for c in view.rows(
                "SELECT p.id, c.phone_number FROM phone_contacts c JOIN people p ON p.email = c.email "
                "AND p.phone_number = c.phone_number WHERE c.owner_id = ? AND c.relationship = ? AND p.id != ? "
                "ORDER BY p.id",
                r["owner_id"],
                r["relationship"],
                r["sender_id"],
            )
        ]

    groups = {r["id"]: kind_of(r) for r in unique}

    def usable(least: int) -> list[dict[str, Any]]:
        """Attachments whose sender's kind has `least`+ other contacts, some talked to and some not."""
        return [
            r
            for r in unique
            if len(groups[r["id"]]) >= least and 0 < sum(c["talked"] for c in groups[r["id"]]) < len(groups[r["id"]])
        ]

    least, pool = as_deep_as_found((IN_TOUCH_KIND_AT_LEAST, 4, 2), usable)
    c = pick(
        rng, pool, f"attachment received once from a friend or coworker, {least}+ others of that kind", distinct=True
    )
    kind = c["relationship"]
    talked = [x["id"] for x in groups[c["id"]] if x["talked"]]
    sender = full_name(view, c["sender_id"])
    found = view.row(
        "SELECT t.subject, t.conversation_id FROM email_threads t JOIN email_messages m ON m.thread_id = t.id "
        "WHERE m.id = ?",
        c["id"],
    )
    subject = found["subject"]
    # what forward_email writes below any note of the agent's: the original email itself, not only the marker
    forwarded = (
        f"---------- Forwarded message ----------\nFrom: {sender} <{view.person(c['sender_id'])['email']}>\n"
        f"Date: {c['sent_at']}\nSubject: {subject}\n\n{c['body']}"
    )
    thanks = f"Thanks! I forwarded {c['file_name']} to {len(talked)} {kind}s."
    heads_up = f"I just emailed you {c['file_name']} from {sender}."
    oracle = (
        Solution()
        .step(login("phone", "email"))
        .step(
            fetch_all("contacts", f"apis.phone.search_contacts(access_token=phone_token, relationship={kind!r}")
            + fetch_all("emails", ALL_EMAILS + ", has_attachment=True")
            + f"email = next(e for e in emails if e['sender']['name'] == {sender!r} and "
            f"any(a['file_name'] == {c['file_name']!r} for a in e['attachments']))\n"
            "others = [c for c in contacts if c['email'] != email['sender']['email']]\n"
            "print(email['email_id'], [(c['first_name'], c['last_name']) for c in others])\n"
        )
        .step(
            "in_touch = []\n"
            "for c in others:\n"
            "    talked = apis.phone.show_call_history(access_token=phone_token, phone_number=c['phone_number'], "
            f"started_after={IN_TOUCH_SINCE!r}, min_duration_seconds=1, page_limit=1)\n"
            "    if talked:\n"
            "        in_touch.append(c)\n"
            "print([(c['first_name'], c['last_name']) for c in in_touch])\n"
        )
        .step(
            "apis.email.forward_email(access_token=email_token, email_id=email['email_id'], "
            "recipients=[c['email'] for c in in_touch])\n"
            "for c in in_touch:\n"
            "    apis.phone.send_text_message(access_token=phone_token, phone_number=c['phone_number'], "
            f"message={heads_up!r})\n"
            "apis.email.reply_to_email(access_token=email_token, email_id=email['email_id'], "
            f"body=f'Thanks! I forwarded {c['file_name']} to {{len(in_touch)}} {kind}s.')\n"
        )
        .step(
            fetch_all("sent", "apis.email.show_threads(access_token=email_token, folder='sent'")
            + "print([t['subject'] for t in sent[:3]])\n"
        )
        .step(DONE)
        .steps()
    )
    return TaskSpec(
        c["owner_id"],
        f"Forward the email from {sender} with the attachment '{c['file_name']}', in one email, to every {kind} in "
        f"my phone contacts other than {sender} whom I have talked with on the phone since {IN_TOUCH_SINCE} (a "
        "call with their number in my call log, either way, on or after that day; missed and unanswered calls, 0 "
        f"seconds long, do not count), and text each of them '{heads_up}' Then reply to {sender}'s email "
        f"'Thanks! I forwarded {c['file_name']} to <how many people that was> {kind}s.' (the word stays "
        f"'{kind}s' even for 1).",
        oracle,
        [
            *sent_email(
                view,
                c["owner_id"],
                talked,
                Contains(forwarded),
                f"the email is forwarded to the {len(talked)} {kind}s talked to",
                subject=f"Fwd: {subject}",
                files={c["file_name"]: c["content"]},
            ),
            *sent_email(
                view,
                c["owner_id"],
                [c["sender_id"]],
                thanks,
                f"{sender} is told it was forwarded to {len(talked)}",
                conversation=found["conversation_id"],
            ),
            *(
                sent_text(c["owner_id"], x, heads_up, f"{full_name(view, x)} is texted about the email", what="texts")
                for x in talked
            ),
        ],
    )


NUDGE_SINCE = "2026-04-01"
ANNOUNCE_FRIENDS_AT_LEAST = 12  # friends emailed at once, each one's texts since NUDGE_SINCE read


@scenario("email_group_announcement", apps=("email", "phone"), difficulty=3)
def group_announcement(view: WorldView, rng: random.Random) -> TaskSpec:
    """One email to every friend in my phone contacts, labelled; then a text to each friend I have not texted with
    lately. Deep: who is a friend is only in the phone contacts, and whether we texted lately only in each friend's
    own text history, one look per friend (a group of ANNOUNCE_FRIENDS_AT_LEAST or more)."""
    least, groups = as_deep_as_found(
        (ANNOUNCE_FRIENDS_AT_LEAST, 8, 4, 2),
        lambda n: view.rows(
            "SELECT owner_id, relationship FROM phone_contacts WHERE relationship = 'friend' AND email IS NOT NULL "
            "GROUP BY owner_id HAVING COUNT(*) >= ? ORDER BY owner_id",
            n,
        ),
    )
    g = pick(rng, groups, f"{least} friends in the phone contacts", distinct=True)
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
            ("Game night", "Game night at mine on Saturday at 7pm, bring snacks."),
            ("Weekend plans", "I booked a table for all of us on Saturday at 7pm."),
            ("Heads up", "I am moving on the 20th; my new address follows soon."),
        ]
    )
    plural, folder = "friends", "Friends"
    nudge = f"I sent you an email: {subject}."
    oracle = (
        Solution()
        .step(login("phone", "email"))
        .step(
            fetch_all(
                "group", f"apis.phone.search_contacts(access_token=phone_token, relationship={g['relationship']!r}"
            )
            + (
                "sent = apis.email.send_email(access_token=email_token, recipients=[c['email'] for c in group], "
                f"subject={subject!r}, body={body!r})\n"
            )
        )
        .step(file_under_code(folder, "sent['thread_id']"))
        .step(text_quiet_code("group", NUDGE_SINCE, repr(nudge)))
        .step(
            fetch_all("sent", f"apis.email.show_threads(access_token=email_token, folder='sent', query={subject!r}")
            + "print([t['participants'] for t in sent])\n"
        )
        .step(DONE)
        .steps()
    )
    quiet = [p for p in to if not texted_since(view, g["owner_id"], p, NUDGE_SINCE)]
    return TaskSpec(
        g["owner_id"],
        f"Send one email to all my {plural} (as marked in my phone contacts) with the subject '{subject}' and the "
        f"text '{body}', and put my email label '{folder}' on it (create the label if I have none). Then text each "
        f"of them I have not exchanged any text with since {NUDGE_SINCE} '{nudge}'",
        oracle,
        [
            *filed_under(
                view,
                g["owner_id"],
                folder,
                NewRow("email_threads", {"owner_id": g["owner_id"], "subject": subject}),
                "my thread of the email",
            ),
            *sent_email(view, g["owner_id"], to, body, f"one email reaches all {len(to)} {plural}", subject=subject),
            *(
                sent_text(
                    g["owner_id"],
                    p,
                    nudge,
                    f"{full_name(view, p)}, not texted with since {NUDGE_SINCE}, gets the nudge",
                    what="nudges",
                )
                for p in quiet
            ),
        ],
    )


@scenario("email_pay_back_share", apps=("email", "payments"), difficulty=3)
def pay_back_share(view: WorldView, rng: random.Random) -> TaskSpec:
    """One person's ask for my share of a cost, read from their email, paid and confirmed by a reply, with every
    payment request of theirs to me still pending on payments paid too; the answer is all I have sent them on
    payments (every page of my payments to them, these included). Deep: their pending requests are only on the
    payments app (the pick takes a person with some where the world has them), and they change both what is paid
    and the answer."""
    asks = view.rows(
        "SELECT m.owner_id, m.sender_id, m.thread_id, m.body, m.sent_at, t.subject, t.conversation_id "
        "FROM email_messages m "
        "JOIN email_threads t ON t.id = m.thread_id JOIN payments_balances b ON b.person_id = m.owner_id "
        "WHERE m.sender_id != m.owner_id AND m.body LIKE '%share%$%' AND t.is_trashed = 0 AND t.is_spam = 0 "
        "AND b.balance > 250 "
        "ORDER BY m.id"
    )
    unique = [
        a for a in asks if sum((x["owner_id"], x["sender_id"]) == (a["owner_id"], a["sender_id"]) for x in asks) == 1
    ]

    def theirs_of(a: dict[str, Any]) -> list[dict[str, Any]]:
        return view.rows(
            "SELECT id, amount, note FROM payments_requests WHERE requester_id = ? AND payer_id = ? "
            "AND status = 'pending' ORDER BY id",
            a["sender_id"],
            a["owner_id"],
        )

    def affordable(with_requests: bool) -> list[dict[str, Any]]:
        """Asks whose share and the asker's pending requests to me fit my balance; with `with_requests`, only
        askers with some pending."""
        return [
            a
            for a in unique
            if (theirs_of(a) or not with_requests)
            and float(a["body"].split("$")[-1].split()[0].rstrip(".,")) + sum(r["amount"] for r in theirs_of(a))
            <= view.value("SELECT balance FROM payments_balances WHERE person_id = ?", a["owner_id"])
        ]

    _, usable = as_deep_as_found((True, False), affordable)
    c = pick(rng, usable, "email asking for a share", distinct=True)
    share = float(c["body"].split("$")[-1].split()[0].rstrip(".,"))
    owner, name, note = c["owner_id"], full_name(view, c["sender_id"]), c["subject"]
    theirs = theirs_of(c)
    before = view.value(
        "SELECT COALESCE(SUM(amount), 0) FROM payments_transactions WHERE sender_id = ? AND receiver_id = ?",
        owner,
        c["sender_id"],
    )
    after = round(before + share + sum(r["amount"] for r in theirs), 2)
    private = view.value("SELECT default_private FROM payments_settings WHERE person_id = ?", owner)
    reply = f"Sent you ${share:.2f}."
    oracle = (
        Solution()
        .step(login("email", "payments"))
        .step(
            fetch_all("emails", ALL_EMAILS + ", query='share'")
            + f"ask = next(e for e in emails if e['sender']['name'] == {name!r} and '$' in e['body'])\n"
            + "share = float(ask['body'].split('$')[-1].split()[0].rstrip('.,'))\n"
            "print(ask['subject'], ask['sent_at'], share)\n"
        )
        .step(
            "apis.payments.send_money(access_token=payments_token, receiver_email=ask['sender']['email'], "
            "amount=share, note=ask['subject'])\n"
            "apis.email.reply_to_email(access_token=email_token, email_id=ask['email_id'], "
            "body=f'Sent you ${share:.2f}.')\n"
        )
        .step(
            fetch_all(
                "theirs",
                "apis.payments.show_requests(access_token=payments_token, direction='received', status='pending', "
                "with_email=ask['sender']['email']",
            )
            + "for r in theirs:\n"
            "    apis.payments.approve_request(access_token=payments_token, request_id=r['request_id'])\n"
            "print([(r['note'], r['amount']) for r in theirs])\n"
        )
        .step(file_under_code("Paid", "ask['thread_id']") + befriend_code("[ask['sender']['email']]"))
        .step(
            "print(apis.payments.show_balance(access_token=payments_token))\n"
            + fetch_all(
                "paid",
                "apis.payments.show_transactions(access_token=payments_token, direction='sent', "
                "with_email=ask['sender']['email']",
            )
            + "apis.supervisor.complete_task(answer=round(sum(p['amount'] for p in paid), 2))\n"
        )
        .steps()
    )
    moved = round(share + sum(r["amount"] for r in theirs), 2)
    payment: list[Expectation] = [
        Inserted(
            "payments_transactions",
            {"sender_id": owner, "receiver_id": c["sender_id"], "amount": share, "note": note, "private": private},
            f"${share:.2f} is paid to {name} with the note '{note}'",
            what="payments",
        ),
        *(
            e
            for r in theirs
            for e in (
                Updated(
                    "payments_requests",
                    r["id"],
                    {"status": "approved", "resolved_at": WORLD_NOW.isoformat(timespec="seconds")},
                    f"{name}'s pending request of ${r['amount']:.2f} ('{r['note']}') is paid",
                ),
                Inserted(
                    "payments_transactions",
                    {
                        "sender_id": owner,
                        "receiver_id": c["sender_id"],
                        "amount": r["amount"],
                        "note": r["note"],
                        "private": 0,
                    },
                    f"the payment of {name}'s request of ${r['amount']:.2f} for '{r['note']}'",
                    what=f"payments for '{r['note']}'",
                ),
            )
        ),
        *balance_changes(view, {owner: -moved, c["sender_id"]: moved}),
    ]
    return TaskSpec(
        owner,
        f"{name} emailed me asking for my share of a cost. Pay it to them on the payments app with my default "
        f"privacy and the email's subject ('{note}') as the note, then reply to that email 'Sent you $<amount>.' "
        f"(two decimals, the share only). Also pay every payment request {name} has pending to me on the payments "
        f"app. Put my email label 'Paid' on the email's thread (create the label if I have none), and make {name} "
        f"my payments friend if they are not yet. Tell me how much I have sent {name} on the payments app in all "
        "(today's payments included).",
        oracle,
        [
            *payment,
            *filed_under(view, owner, "Paid", c["thread_id"], f"the thread of {name}'s email"),
            *befriended(view, owner, [c["sender_id"]], "who asked for a share"),
            *sent_email(
                view, owner, [c["sender_id"]], reply, f"{name} is told it is paid", conversation=c["conversation_id"]
            ),
            Answer(
                after,
                f"the answer is all I have sent {name} (${after:.2f})",
                traps={
                    **({f"{share:g}": "that is only the share"} if after != share else {}),
                    **({f"{round(before + share, 2):g}": "that leaves out their requests"} if theirs else {}),
                },
            ),
        ],
    )
