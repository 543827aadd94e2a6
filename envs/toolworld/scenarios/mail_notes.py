"""Mail and documents: notes written from email threads (meeting notes, digests), held out in test_challenge."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Answer, Expectation, HasLines, Inserted, NewRow, Updated
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, pick
from envs.toolworld.scenarios._rows import new_note
from envs.toolworld.scenarios.email import sent_email
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

KEPT = "t.is_trashed = 0 AND t.is_spam = 0"
NOW = WORLD_NOW.isoformat(timespec="seconds")
THANKS = "Thanks for writing these up."
FIRST_SENDER = "(SELECT m.sender_id FROM email_messages m WHERE m.thread_id = t.id ORDER BY m.sent_at, m.id LIMIT 1)"


@scenario("mail_meeting_notes_digest", apps=("email", "notes"))
def meeting_notes_digest(view: WorldView, rng: random.Random) -> TaskSpec:
    """Meeting-notes threads of one year (archived ones too, the other years' are distractors) gathered into a
    note in the 'Work' notebook (not 'Work (old)'), those not archived yet archived, each writer I never answered
    thanked, and counted. Deep because who wrote the notes and whether I replied are only in each thread's emails
    (show_thread): 9-19 threads, each read, with a reply where the writer is someone else and I wrote nothing."""
    owners = view.rows(
        "SELECT t.owner_id, substr(t.subject, -4) AS year, COUNT(*) AS n FROM email_threads t "
        f"JOIN notes_notebooks b ON b.owner_id = t.owner_id AND b.name = 'Work' WHERE {KEPT} "
        "AND t.subject LIKE 'Meeting notes %' "
        "GROUP BY t.owner_id, year HAVING n >= 9 AND n <= 19 AND SUM(t.is_archived) < n ORDER BY t.owner_id, year"
    )
    c = pick(rng, owners, "mailbox with 9 meeting-notes threads of a year and a Work notebook", distinct=True)
    owner, year = c["owner_id"], c["year"]
    mine = "EXISTS (SELECT 1 FROM email_messages m WHERE m.thread_id = t.id AND m.sender_id = t.owner_id)"
    first_email = "(SELECT m.id FROM email_messages m WHERE m.thread_id = t.id ORDER BY m.sent_at, m.id LIMIT 1)"
    threads = view.rows(
        f"SELECT t.id, t.subject, t.is_archived, t.conversation_id, {FIRST_SENDER} AS writer, {mine} AS answered, "
        f"{first_email} AS first_email FROM email_threads t "
        f"WHERE t.owner_id = ? AND {KEPT} AND t.subject LIKE 'Meeting notes %' AND substr(t.subject, -4) = ? "
        "ORDER BY t.id",
        owner,
        year,
    )
    notebook = view.value("SELECT id FROM notes_notebooks WHERE owner_id = ? AND name = 'Work'", owner)
    lines = [f"{t['subject'].removeprefix('Meeting notes ')}: {full_name(view, t['writer'])}" for t in threads]
    title = f"Meeting notes digest {year}"
    every_year = view.value(
        f"SELECT COUNT(*) FROM email_threads t WHERE t.owner_id = ? AND {KEPT} AND t.subject LIKE 'Meeting notes %'",
        owner,
    )
    oracle = (
        Solution()
        .step(login("email", "notes"))
        .step(
            fetch_all(
                "threads", "apis.email.show_threads(access_token=email_token, folder='all', query='Meeting notes'"
            )
            + f"mine = [t for t in threads if t['subject'].startswith('Meeting notes ') and "
            f"t['subject'].endswith(' {year}')]\n"
            "print([(t['thread_id'], t['subject'], t['is_archived']) for t in mine])\n"
        )
        .step(
            "lines, unthanked = [], []\n"
            "for t in mine:\n"
            "    emails = apis.email.show_thread(access_token=email_token, thread_id=t['thread_id'])['emails']\n"
            "    first = min(emails, key=lambda e: (e['sent_at'], e['email_id']))\n"
            "    lines.append(t['subject'].removeprefix('Meeting notes ') + ': ' + first['sender']['name'])\n"
            "    if all(e['sender']['email'] != me['email'] for e in emails):\n"
            "        unthanked.append(first)\n"
            "print(lines, [(e['subject'], e['sender']['name']) for e in unthanked])\n"
        )
        .step(
            fetch_all("notebooks", "apis.notes.show_notebooks(access_token=notes_token, query='Work'")
            + "work = next(b for b in notebooks if b['name'] == 'Work')\n"
            f"note = apis.notes.create_note(access_token=notes_token, title={title!r}, content='\\n'.join(lines), "
            "notebook_id=work['notebook_id'])\n"
            "for t in mine:\n"
            "    if not t['is_archived']:\n"
            "        apis.email.archive_thread(access_token=email_token, thread_id=t['thread_id'])\n"
            "for e in unthanked:\n"
            f"    apis.email.reply_to_email(access_token=email_token, email_id=e['email_id'], body={THANKS!r})\n"
        )
        .step(
            "print(apis.notes.show_note(access_token=notes_token, note_id=note['note_id']))\n"
            "apis.supervisor.complete_task(answer=len(mine))\n"
        )
        .steps()
    )
    thanks: list[Expectation] = []
    for t in threads:
        if not t["answered"]:
            thanks += sent_email(
                view,
                owner,
                [t["writer"]],
                THANKS,
                f"{full_name(view, t['writer'])} is thanked for '{t['subject']}'",
                conversation=t["conversation_id"],
            )
    return TaskSpec(
        owner,
        f"Go through every 'Meeting notes <month> {year}' email thread I have (archived ones too, not the trash) and "
        f"write a note titled '{title}' in my notes notebook 'Work' with one line per thread: '<month> {year}: "
        "<full name of whoever sent the notes>'. Then archive those threads that are not archived yet. Where "
        f"someone else sent the notes and I have written nothing in the thread, reply '{THANKS}' to their notes "
        f"email (to them only). Tell me how many of those {year} threads there are (count each thread, even when "
        "several share a month).",
        oracle,
        [
            Inserted(
                "notes_notes",
                new_note(owner, title, HasLines(lines), notebook_id=notebook),
                f"a note '{title}' in 'Work' lists the {len(lines)} meetings with who sent the notes",
                what="notes",
            ),
            *(
                Updated("email_threads", t["id"], {"is_archived": 1}, f"the thread '{t['subject']}' is archived")
                for t in threads
                if not t["is_archived"]
            ),
            *thanks,
            Answer(
                len(threads),
                f"the answer is the number of {year} meeting-notes threads ({len(threads)})",
                traps={str(every_year): "that counts the meeting notes of every year"},
            ),
        ],
    )


@scenario("mail_thread_to_note", apps=("email", "notes"))
def thread_to_note(view: WorldView, rng: random.Random) -> TaskSpec:
    """Every thread of one subject (9-16 of them) copied into one tagged note, one line per email with its date and
    sender, shared with everyone else who wrote in them; the most recent thread starred, the older ones archived.
    Deep because the emails and their senders are only in each thread's show_thread: every namesake is read, and
    only the newest (by its last email) is starred."""
    threads = view.rows(
        "SELECT t.id, t.owner_id, t.subject, t.is_starred, t.is_archived, MAX(m.sent_at) AS last, COUNT(*) AS n, "
        "SUM(instr(m.body, char(10)) > 0) AS multiline FROM email_threads t "
        "JOIN email_messages m ON m.thread_id = t.id "
        f"JOIN notes_notebooks b ON b.owner_id = t.owner_id AND b.name = 'Personal' WHERE {KEPT} "
        "GROUP BY t.id ORDER BY t.owner_id, t.subject, last DESC, t.id DESC"
    )
    same: dict[tuple[int, str], list[dict]] = {}
    for t in threads:
        same.setdefault((t["owner_id"], t["subject"]), []).append(t)
    candidates = [
        group
        for _, group in sorted(same.items())
        if 9 <= len(group) <= 16
        and not group[0]["is_starred"]
        and group[0]["last"] > group[1]["last"]
        and not any(t["multiline"] for t in group)
    ]
    group = pick(rng, candidates, "subject of 9-16 threads whose newest is unstarred", distinct=True)
    latest, older = group[0], group[1:]
    owner, subject = latest["owner_id"], latest["subject"]
    emails = view.rows(
        "SELECT sender_id, body, sent_at FROM email_messages WHERE thread_id IN "
        f"({','.join(str(t['id']) for t in group)}) ORDER BY sent_at",
    )
    lines = [f"{e['sent_at'][:10]} {full_name(view, e['sender_id'])}: {e['body']}" for e in emails]
    notebook = view.value("SELECT id FROM notes_notebooks WHERE owner_id = ? AND name = 'Personal'", owner)
    title = f"{subject} (email)"
    oracle = (
        Solution()
        .step(login("email", "notes"))
        .step(
            fetch_all("threads", f"apis.email.show_threads(access_token=email_token, folder='all', query={subject!r}")
            + f"same = [t for t in threads if t['subject'] == {subject!r}]\n"
            "latest = max(same, key=lambda t: t['last_sent_at'])\n"
            "print([(t['thread_id'], t['last_sent_at']) for t in same])\n"
        )
        .step(
            "emails = []\n"
            "for t in same:\n"
            "    emails += apis.email.show_thread(access_token=email_token, thread_id=t['thread_id'])['emails']\n"
            "lines = [f\"{e['sent_at'][:10]} {e['sender']['name']}: {e['body']}\" for e in "
            "sorted(emails, key=lambda e: e['sent_at'])]\n"
            "writers = sorted({e['sender']['email'] for e in emails} - {me['email']})\n"
            "print(lines, writers)\n"
        )
        .step(
            fetch_all("notebooks", "apis.notes.show_notebooks(access_token=notes_token, query='Personal'")
            + "personal = next(b for b in notebooks if b['name'] == 'Personal')\n"
            f"note = apis.notes.create_note(access_token=notes_token, title={title!r}, content='\\n'.join(lines), "
            "tags=['email'], notebook_id=personal['notebook_id'])\n"
            "for writer in writers:\n"
            "    apis.notes.share_note(access_token=notes_token, note_id=note['note_id'], email=writer, "
            "permission='view')\n"
            "apis.email.star_thread(access_token=email_token, thread_id=latest['thread_id'])\n"
            "for t in same:\n"
            "    if t['thread_id'] != latest['thread_id'] and not t['is_archived']:\n"
            "        apis.email.archive_thread(access_token=email_token, thread_id=t['thread_id'])\n"
        )
        .step(
            "print(apis.notes.show_note(access_token=notes_token, note_id=note['note_id']))\n"
            "apis.supervisor.complete_task()\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        f"I have many email threads called '{subject}' (not counting the trash). Copy all of them into one note "
        f"titled '{title}' in my notes notebook 'Personal', tagged 'email', with one line per email of every one "
        "of those threads: '<YYYY-MM-DD> <sender's full name>: <text>', and share it (view only) with everyone else "
        "who sent an email in them. Then star the most recent of those threads "
        "(the one with the latest email) and archive the older ones that are not archived yet.",
        oracle,
        [
            Inserted(
                "notes_notes",
                new_note(owner, title, HasLines(lines), notebook_id=notebook, tags="email"),
                f"a note '{title}' in 'Personal', tagged 'email', holds the {len(lines)} emails of the "
                f"{len(group)} threads",
                what="notes",
            ),
            Updated("email_threads", latest["id"], {"is_starred": 1}, "the most recent thread is starred"),
            *(
                Updated("email_threads", old["id"], {"is_archived": 1}, f"the older thread {old['id']} is archived")
                for old in older
                if not old["is_archived"]
            ),
            *(
                Inserted(
                    "notes_shares",
                    {
                        "note_id": NewRow("notes_notes", {"owner_id": owner, "title": title}),
                        "person_id": person,
                        "permission": "view",
                        "shared_at": NOW,
                    },
                    f"the note is shared with {full_name(view, person)}, who wrote in those threads",
                    what=f"shares with {full_name(view, person)}",
                )
                for person in sorted({e["sender_id"] for e in emails} - {owner})
            ),
        ],
    )
