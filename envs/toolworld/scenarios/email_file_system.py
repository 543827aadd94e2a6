"""Scenarios joining email and file_system: attachments saved as files, files sent as attachments."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Answer, Inserted
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, pick
from envs.toolworld.scenarios.email import ALL_EMAILS, sent_email
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

DONE = "apis.supervisor.complete_task()\n"
RECEIVED_ATTACHMENTS = (
    "SELECT m.owner_id, m.sender_id, a.file_name, a.content, t.conversation_id FROM email_attachments a "
    "JOIN email_messages m ON m.id = a.message_id JOIN email_threads t ON t.id = m.thread_id "
    "WHERE m.sender_id != m.owner_id AND t.is_trashed = 0 AND t.is_spam = 0"
)


@scenario("email_save_attachment_to_file", apps=("email", "file_system"), difficulty=2)
def save_attachment(view: WorldView, rng: random.Random) -> TaskSpec:
    rows = view.rows(RECEIVED_ATTACHMENTS + " ORDER BY a.id")
    unique = [
        r
        for r in rows
        if sum(
            (x["owner_id"], x["sender_id"], x["file_name"]) == (r["owner_id"], r["sender_id"], r["file_name"])
            for x in rows
        )
        == 1
        and not view.rows(
            "SELECT 1 FROM file_system_files WHERE owner_id = ? AND path = ?",
            r["owner_id"],
            f"/documents/{r['file_name']}",
        )
    ]
    c = pick(rng, unique, "attachment received once from a sender")
    name, path = full_name(view, c["sender_id"]), f"/documents/{c['file_name']}"
    oracle = (
        Solution()
        .step(login("email", "file_system"))
        .step(
            fetch_all("emails", ALL_EMAILS + ", has_attachment=True")
            + (
                f"email = next(e for e in emails if e['sender']['name'] == {name!r} "
                f"and any(a['file_name'] == {c['file_name']!r} for a in e['attachments']))\n"
                f"attachment = next(a for a in email['attachments'] if a['file_name'] == {c['file_name']!r})\n"
            )
            + (
                "content = apis.email.show_attachment(access_token=email_token, "
                "attachment_id=attachment['attachment_id'])['content']\n"
            )
            + f"apis.file_system.create_file(access_token=file_system_token, path={path!r}, content=content)\n"
            + "apis.email.reply_to_email(access_token=email_token, email_id=email['email_id'], "
            "body='Saved it, thanks!')\n"
        )
        .step(f"print(apis.file_system.show_file(access_token=file_system_token, path={path!r}))\n")
        .step(DONE)
        .steps()
    )
    return TaskSpec(
        c["owner_id"],
        f"Save the attachment '{c['file_name']}' that {name} emailed me as the file {path}, then reply 'Saved it, "
        f"thanks!' to that email (to {name} only).",
        oracle,
        [
            Inserted(
                "file_system_files",
                {"owner_id": c["owner_id"], "path": path, "content": c["content"], "starred": 0},
                f"{path} holds the attachment's content",
                what="files",
            ),
            *sent_email(
                view,
                c["owner_id"],
                [c["sender_id"]],
                "Saved it, thanks!",
                f"{name} gets the reply",
                conversation=c["conversation_id"],
            ),
        ],
    )


@scenario("email_send_report_file", apps=("email", "file_system", "phone"), difficulty=3)
def send_report_file(view: WorldView, rng: random.Random) -> TaskSpec:
    reports = view.rows(
        "SELECT f.owner_id, f.path, f.content, c.email, p.id AS coworker FROM file_system_files f "
        "JOIN phone_contacts c ON c.owner_id = f.owner_id AND c.relationship = 'coworker' "
        "JOIN people p ON p.email = c.email WHERE f.path LIKE '/work/%/report.txt' ORDER BY f.id, p.id"
    )
    c = pick(rng, reports, "report and a coworker contact")
    project = c["path"].split("/")[2]
    name, subject, body = (
        full_name(view, c["coworker"]),
        f"{project.title()} report",
        "Here is the latest status report.",
    )
    oracle = (
        Solution()
        .step(login("email", "file_system", "phone"))
        .step(
            f"contact = apis.phone.search_contacts(access_token=phone_token, query={name!r})[0]\n"
            + f"content = apis.file_system.show_file(access_token=file_system_token, path={c['path']!r})['content']\n"
            + (
                f"apis.email.send_email(access_token=email_token, recipients=[contact['email']], subject={subject!r}, "
                f"body={body!r}, "
            )
            + "attachments=[{'file_name': 'report.txt', 'content': content}])\n"
        )
        .step("print(apis.email.show_threads(access_token=email_token, folder='sent', page_limit=1))\n")
        .step(DONE)
        .steps()
    )
    return TaskSpec(
        c["owner_id"],
        f"Email my file {c['path']} as an attachment named report.txt to my coworker {name}, "
        f"with the subject '{subject}' and the text '{body}'.",
        oracle,
        sent_email(
            view,
            c["owner_id"],
            [c["coworker"]],
            body,
            f"the report is emailed to {name}",
            subject=subject,
            files={"report.txt": c["content"]},
        ),
    )


@scenario("email_collect_invoices", apps=("email", "file_system"), difficulty=3)
def collect_invoices(view: WorldView, rng: random.Random) -> TaskSpec:
    rows = view.rows(RECEIVED_ATTACHMENTS + " AND a.file_name LIKE 'invoice_%' ORDER BY a.id")
    owners = sorted({r["owner_id"] for r in rows if sum(x["owner_id"] == r["owner_id"] for x in rows) >= 2})
    owner = pick(rng, owners, "mailbox with 2 invoices")
    mine = {r["file_name"]: r["content"] for r in rows if r["owner_id"] == owner}
    oracle = (
        Solution()
        .step(login("email", "file_system"))
        .step(
            "apis.file_system.create_directory(access_token=file_system_token, path='/documents/invoices')\n"
            + fetch_all("emails", ALL_EMAILS + ", has_attachment=True")
            + "saved = set()\nfor e in emails:\n    for a in e['attachments']:\n"
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
            + "            saved.add(a['file_name'])\n"
        )
        .step(
            fetch_all(
                "listed", "apis.file_system.show_directory(access_token=file_system_token, path='/documents/invoices'"
            )
            + "print([f['path'] for f in listed])\n"
        )
        .step("apis.supervisor.complete_task(answer=len(saved))\n")
        .steps()
    )
    return TaskSpec(
        owner,
        "Make a directory /documents/invoices and save in it every invoice file (invoice_....txt) attached to emails "
        "I received, keeping their file names. Ignore the trash. Tell me how many invoices you saved.",
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
                    {"owner_id": owner, "path": f"/documents/invoices/{name}", "content": content, "starred": 0},
                    f"the invoice {name} is saved there with its content",
                    what="invoice files",
                )
                for name, content in sorted(mine.items())
            ),
            Answer(len(mine), f"the answer is the number of invoices saved ({len(mine)})"),
        ],
    )
