"""Scenarios joining email and file_system: attachments saved as files, files sent as attachments."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Answer, Expectation, Inserted, NewRow
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, full_name, login, pick
from envs.toolworld.scenarios._rows import new_file
from envs.toolworld.scenarios.email import ALL_EMAILS, sent_email
from envs.toolworld.scenarios.file_system import shares_added
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

DONE = "apis.supervisor.complete_task()\n"
# attachments emailed to me (outside spam and trash), and whether their thread holds an email of mine (answered)
RECEIVED_ATTACHMENTS = (
    "SELECT m.id AS message_id, m.owner_id, m.sender_id, a.file_name, a.content, t.conversation_id, "
    "EXISTS (SELECT 1 FROM email_messages o "
    "WHERE o.thread_id = m.thread_id AND o.sender_id = m.owner_id) AS answered FROM email_attachments a "
    "JOIN email_messages m ON m.id = a.message_id JOIN email_threads t ON t.id = m.thread_id "
    "WHERE m.sender_id != m.owner_id AND t.is_trashed = 0 AND t.is_spam = 0"
)


SAVED_ATTACHMENTS_AT_LEAST = 5  # attachments from one sender, each opened, saved and its thread read


def _one_unanswered_a_thread(attachments: list[dict]) -> bool:
    unanswered = {(a["conversation_id"], a["message_id"]) for a in attachments if not a["answered"]}
    return len(unanswered) == len({conversation for conversation, _ in unanswered})


@scenario("email_save_attachment_to_file", apps=("email", "file_system"), difficulty=2)
def save_attachment(view: WorldView, rng: random.Random) -> TaskSpec:
    """Every attachment one person emailed me saved in /documents, and a thanks to each of those emails I never
    answered. Deep: SAVED_ATTACHMENTS_AT_LEAST+ attachments, each content only in show_attachment, and whether I
    answered only in each email's thread, the pick taking a sender of some answered and some unanswered emails."""
    rows = view.rows(RECEIVED_ATTACHMENTS + " ORDER BY a.id")
    pairs: dict[tuple[int, int], list[dict]] = {}
    for r in rows:
        pairs.setdefault((r["owner_id"], r["sender_id"]), []).append(r)

    def usable(least: int) -> list[tuple[tuple[int, int], list[dict]]]:
        """Senders of `least`+ attachments of distinct names, none clashing with a file in /documents, some of
        their emails answered and some not, each unanswered one in a thread of its own (two in one thread would
        leave open whether answering the first answers the second; no sender in worlds 0-3 has such a pair)."""
        return [
            (pair, found)
            for pair, found in sorted(pairs.items())
            if len(found) >= least
            and len({f["file_name"] for f in found}) == len(found)
            and len({f["answered"] for f in found}) == 2
            and _one_unanswered_a_thread(found)
            and not any(
                view.rows(
                    "SELECT 1 FROM file_system_files WHERE owner_id = ? AND path = ?",
                    pair[0],
                    f"/documents/{f['file_name']}",
                )
                for f in found
            )
        ]

    least, candidates = as_deep_as_found((SAVED_ATTACHMENTS_AT_LEAST, 4, 2), usable)
    (owner, sender), found = pick(rng, candidates, f"{least} attachments from one sender, some answered", distinct=True)
    name = full_name(view, sender)
    conversations = dict.fromkeys(f["conversation_id"] for f in found if not f["answered"])
    oracle = (
        Solution()
        .step(login("email", "file_system"))
        .step(
            fetch_all("emails", ALL_EMAILS + ", has_attachment=True")
            + f"theirs = [e for e in emails if e['sender']['name'] == {name!r}]\n"
            "print([(e['email_id'], [a['file_name'] for a in e['attachments']]) for e in theirs])\n"
        )
        .step(
            "saved = []\n"
            "for e in theirs:\n"
            "    for a in e['attachments']:\n"
            "        content = apis.email.show_attachment(access_token=email_token, "
            "attachment_id=a['attachment_id'])['content']\n"
            "        apis.file_system.create_file(access_token=file_system_token, path='/documents/' + a['file_name'], "
            "content=content)\n"
            "        saved.append('/documents/' + a['file_name'])\n"
            "    thread = apis.email.show_thread(access_token=email_token, thread_id=e['thread_id'])\n"
            "    if not any(m['sender']['email'] == me['email'] for m in thread['emails']):\n"
            "        apis.email.reply_to_email(access_token=email_token, email_id=e['email_id'], "
            "body='Saved it, thanks!')\n"
        )
        .step(
            "for path in saved:\n"
            "    print(apis.file_system.show_file_info(access_token=file_system_token, path=path))\n" + DONE
        )
        .steps()
    )
    return TaskSpec(
        owner,
        f"Save every attachment {name} emailed me as a file in /documents, keeping its file name (leave out any "
        f"email in my spam or trash), then reply 'Saved it, thanks!' (to {name} only) to each of those emails I "
        "never answered (no email of mine in its thread).",
        oracle,
        [
            *(
                Inserted(
                    "file_system_files",
                    new_file(owner, f"/documents/{f['file_name']}", f["content"]),
                    f"/documents/{f['file_name']} holds the attachment's content",
                    what="files",
                )
                for f in found
            ),
            *(
                e
                for conversation in conversations
                for e in sent_email(
                    view,
                    owner,
                    [sender],
                    "Saved it, thanks!",
                    f"{name} gets the reply in conversation {conversation}",
                    conversation=conversation,
                )
            ),
        ],
    )


REPORTS_SENT = "I emailed you my project reports."


@scenario("email_send_report_file", apps=("email", "file_system", "phone"), difficulty=3)
def send_report_file(view: WorldView, rng: random.Random) -> TaskSpec:
    candidates = []
    for (owner,) in (
        (r["owner_id"],)
        for r in view.rows(
            "SELECT owner_id FROM file_system_files WHERE path LIKE '/work/%/report.txt' GROUP BY owner_id "
            "HAVING COUNT(*) >= 2 ORDER BY owner_id"
        )
    ):
        coworkers = view.rows(
            "SELECT DISTINCT p.id FROM phone_contacts c JOIN people p ON p.email = c.email "
            "AND p.phone_number = c.phone_number WHERE c.owner_id = ? AND c.relationship = 'coworker' ORDER BY p.id",
            owner,
        )
        listed = view.value(
            "SELECT COUNT(*) FROM phone_contacts WHERE owner_id = ? AND relationship = 'coworker'", owner
        )
        if len(coworkers) >= 4 and len(coworkers) == listed:
            candidates.append((owner, [c["id"] for c in coworkers]))
    owner, coworkers = pick(rng, candidates, "two reports and four coworker contacts", distinct=True)
    reports = view.rows(
        "SELECT id, path, content FROM file_system_files WHERE owner_id = ? AND path LIKE '/work/%/report.txt' "
        "ORDER BY path",
        owner,
    )
    body = "Here is the latest status report."
    expectations: list[Expectation] = []
    for r in reports:
        subject = f"{r['path'].split('/')[2].title()} report"
        expectations += sent_email(
            view,
            owner,
            coworkers,
            body,
            f"the {subject} is emailed to my coworkers",
            subject=subject,
            files={"report.txt": r["content"]},
        )
        expectations += shares_added(view, r, owner, coworkers, "view")
    expectations += [
        Inserted(
            "phone_messages",
            {"sender_id": owner, "receiver_id": person, "message": REPORTS_SENT, "is_read": 0},
            f"{full_name(view, person)} is told by text",
            what=f"texts to {full_name(view, person)}",
        )
        for person in coworkers
    ]
    oracle = (
        Solution()
        .step(login("email", "file_system", "phone"))
        .step(
            fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token, relationship='coworker'")
            + "emails = [c['email'] for c in contacts]\n"
            + fetch_all(
                "found",
                "apis.file_system.search_files(access_token=file_system_token, query='report', directory='/work'",
            )
            + "reports = sorted(f['path'] for f in found if f['name'] == 'report.txt')\n"
            "print(emails, reports)\n"
        )
        .step(
            "for path in reports:\n"
            "    content = apis.file_system.show_file(access_token=file_system_token, path=path)['content']\n"
            "    subject = path.split('/')[2].title() + ' report'\n"
            "    apis.email.send_email(access_token=email_token, recipients=emails, subject=subject, "
            f"body={body!r}, attachments=[{{'file_name': 'report.txt', 'content': content}}])\n"
            + fetch_all("shares", "apis.file_system.show_file_shares(access_token=file_system_token, path=path", "    ")
            + "    have = {s['email'] for s in shares}\n"
            "    for email in emails:\n"
            "        if email not in have:\n"
            "            apis.file_system.share_file(access_token=file_system_token, path=path, email=email, "
            "permission='view')\n"
            "for c in contacts:\n"
            "    apis.phone.send_text_message(access_token=phone_token, phone_number=c['phone_number'], "
            f"message={REPORTS_SENT!r})\n"
        )
        .step(
            fetch_all("sent", "apis.email.show_threads(access_token=email_token, folder='sent', query='report'")
            + "print([t['subject'] for t in sent][:5])\n"
            + DONE
        )
        .steps()
    )
    return TaskSpec(
        owner,
        "Email each of my project reports (/work/<project>/report.txt) to all my coworkers (the coworkers in my "
        "phone contacts), one email per report with them all as recipients, the file attached as report.txt, the "
        f"subject '<Project> report' (e.g. 'Lighthouse report') and the text '{body}'. Also share each report file "
        "with each of those coworkers it is not shared with yet, view only. Then text each of them "
        f'"{REPORTS_SENT}"',
        oracle,
        expectations,
    )


UNANSWERED_TAG = "important"  # the tag of a saved invoice none of whose threads holds a reply of mine


@scenario("email_collect_invoices", apps=("email", "file_system"), difficulty=3)
def collect_invoices(view: WorldView, rng: random.Random) -> TaskSpec:
    """Every invoice attached to an email I received saved once under /documents/invoices, tagged 'work', and
    'important' too where I never replied in its thread. Deep: the invoice email does not say whether I replied, its
    thread does (one show_thread per invoice), and the pick takes a mailbox with both answered and unanswered
    invoices, so tagging all or none fails."""
    rows = view.rows(RECEIVED_ATTACHMENTS + " AND a.file_name LIKE 'invoice_%' ORDER BY a.id")
    answered = {(r["owner_id"], r["file_name"]) for r in rows if r["answered"]}

    def owners_with(mixed: bool) -> list[int]:
        """Mailboxes of 4+ invoices; with `mixed`, some of them answered and some not."""
        return sorted(
            o
            for o in {r["owner_id"] for r in rows}
            if len({r["file_name"] for r in rows if r["owner_id"] == o}) >= 4
            and (not mixed or len({(o, r["file_name"]) in answered for r in rows if r["owner_id"] == o}) == 2)
        )

    _, owners = as_deep_as_found((True, False), owners_with)
    owner = pick(rng, owners, "mailbox with 4 invoices", distinct=True)
    mine = {r["file_name"]: r["content"] for r in rows if r["owner_id"] == owner}
    unanswered = sorted(n for n in mine if (owner, n) not in answered)
    due = round(sum(float(c.split("Total due: $")[1].split()[0]) for c in mine.values()), 2)
    oracle = (
        Solution()
        .step(login("email", "file_system"))
        .step(
            "apis.file_system.create_directory(access_token=file_system_token, path='/documents/invoices')\n"
            + fetch_all("emails", ALL_EMAILS + ", has_attachment=True")
            + "saved = set()\ndue = 0.0\nfor e in emails:\n    for a in e['attachments']:\n"
            + (
                "        if a['file_name'].startswith('invoice_') and a['file_name'] not in saved "
                "and e['sender']['email'] != me['email']:\n"
            )
            + (
                "            content = apis.email.show_attachment(access_token=email_token, "
                "attachment_id=a['attachment_id'])['content']\n"
            )
            + (
                "            apis.file_system.create_file(access_token=file_system_token, "
                "path='/documents/invoices/' + a['file_name'], content=content)\n"
            )
            + "            apis.file_system.add_file_tag(access_token=file_system_token, "
            "path='/documents/invoices/' + a['file_name'], tag='work')\n"
            "            due += float(content.split('Total due: $')[1].split()[0])\n"
            "            saved.add(a['file_name'])\n"
        )
        .step(
            "replied = set()\n"
            "for e in emails:\n"
            "    names = [a['file_name'] for a in e['attachments'] if a['file_name'] in saved]\n"
            "    if not names or e['sender']['email'] == me['email']:\n"
            "        continue\n"
            "    thread = apis.email.show_thread(access_token=email_token, thread_id=e['thread_id'])\n"
            "    if any(m['sender']['email'] == me['email'] for m in thread['emails']):\n"
            "        replied.update(names)\n"
            "for name in sorted(saved - replied):\n"
            "    apis.file_system.add_file_tag(access_token=file_system_token, path='/documents/invoices/' + name, "
            f"tag={UNANSWERED_TAG!r})\n"
            "print(sorted(saved - replied))\n"
        )
        .step(
            fetch_all(
                "listed", "apis.file_system.show_directory(access_token=file_system_token, path='/documents/invoices'"
            )
            + "print([f['path'] for f in listed])\n"
        )
        .step("apis.supervisor.complete_task(answer=round(due, 2))\n")
        .steps()
    )
    return TaskSpec(
        owner,
        "Make a directory /documents/invoices and save in it every invoice file (invoice_....txt) attached to emails "
        "I received, keeping their file names, each tagged 'work' (an invoice sent more than once is saved once). "
        f"Also tag '{UNANSWERED_TAG}' each saved invoice I never replied to (no email of mine in the thread of any "
        "email it came with). Ignore my spam and trash. What do the saved invoices come to in total due, in dollars?",
        oracle,
        [
            Inserted(
                "file_system_directories",
                {"owner_id": owner, "path": "/documents/invoices"},
                "/documents/invoices exists",
                what="directories",
            ),
            *(
                Inserted(
                    "file_system_files",
                    new_file(owner, f"/documents/invoices/{name}", content),
                    f"the invoice {name} is saved there with its content",
                    what="invoice files",
                )
                for name, content in sorted(mine.items())
            ),
            *(
                Inserted(
                    "file_system_tags",
                    {
                        "file_id": NewRow("file_system_files", {"owner_id": owner, "path": f"/documents/invoices/{n}"}),
                        "owner_id": owner,
                        "tag": "work",
                    },
                    f"the invoice {n} is tagged work",
                    what="tags",
                )
                for n in sorted(mine)
            ),
            *(
                Inserted(
                    "file_system_tags",
                    {
                        "file_id": NewRow("file_system_files", {"owner_id": owner, "path": f"/documents/invoices/{n}"}),
                        "owner_id": owner,
                        "tag": UNANSWERED_TAG,
                    },
                    f"the invoice {n}, never replied to, is tagged '{UNANSWERED_TAG}'",
                    what=f"{UNANSWERED_TAG} tags",
                )
                for n in unanswered
            ),
            Answer(
                due,
                f"the answer is the saved invoices' total due (${due})",
                traps={str(len(mine)): "that is the count"},
            ),
        ],
    )
