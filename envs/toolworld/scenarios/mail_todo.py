"""Mail and documents: action items from emails become todo tasks (held out in test_challenge)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from envs.toolworld.apps._calendar_people import find_free_slots
from envs.toolworld.evaluate import Answer, Expectation, HasLines, Inserted, Updated, normalize_answer
from envs.toolworld.scenarios._calendar import reader
from envs.toolworld.scenarios._common import (
    Solution,
    as_deep_as_found,
    fetch_all,
    full_name,
    login,
    other_branch,
    pick,
)
from envs.toolworld.scenarios._rows import new_event, new_task
from envs.toolworld.scenarios._work import LATEST_COMMENT, WAITING
from envs.toolworld.scenarios.email import INBOX, sent_email, unanswered_invoices_answer
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

RECEIVED = (
    "SELECT m.id, m.owner_id, m.sender_id, m.body, m.sent_at, t.subject, t.conversation_id FROM email_messages m "
    "JOIN email_threads t ON t.id = m.thread_id WHERE t.is_trashed = 0 AND t.is_spam = 0 "
    "AND m.sender_id != m.owner_id"
)
NOW = WORLD_NOW.isoformat(timespec="seconds")
TODAY = WORLD_NOW.date().isoformat()
TOMORROW = (WORLD_NOW.date() + timedelta(days=1)).isoformat()
NEXT_MONDAY = (WORLD_NOW.date() + timedelta(days=7 - WORLD_NOW.weekday())).isoformat()
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def project_of(view: WorldView, owner: int, name: str) -> int:
    return view.value("SELECT id FROM todo_projects WHERE owner_id = ? AND name = ? AND archived = 0", owner, name)


def find_project(name: str) -> str:
    """Oracle code: the caller's project called exactly `name` (the search also returns look-alikes)."""
    return fetch_all("projects", f"apis.todo.show_projects(access_token=todo_token, query={name!r}") + (
        f"project = next(p for p in projects if p['name'] == {name!r})\n"
    )


def unanswered(emails: str) -> str:
    """Oracle code: `pending`, those of `emails` whose thread holds no email of mine; only the thread shows who
    answered (a co-recipient's reply is there too)."""
    return (
        "pending = []\n"
        f"for e in {emails}:\n"
        "    thread = apis.email.show_thread(access_token=email_token, thread_id=e['thread_id'])\n"
        "    if not any(m['sender']['email'] == me['email'] for m in thread['emails']):\n"
        "        pending.append(e)\n"
        "print([(e['subject'], e['sent_at']) for e in pending])\n"
    )


MINE_IN_THREAD = "EXISTS (SELECT 1 FROM email_messages o WHERE o.thread_id = t.id AND o.sender_id = t.owner_id)"
INVOICE = "t.subject LIKE 'Invoice %' AND m.body LIKE 'Please find invoice%'"
REVIEW = "t.subject = 'Code review' AND m.body LIKE 'Could you review%'"


@scenario("mail_invoice_tasks", apps=("email", "todo"))
def invoice_tasks(view: WorldView, rng: random.Random) -> TaskSpec:
    """Every invoice emailed to me that I have not answered yet becomes a 'Pay invoice' task due 30 days after its
    email, with the total and the consulting hours read from the attached invoice, and gets a reply; the answer is
    their total. Deep: whether I answered is only in each invoice's thread (show_thread: a co-recipient's
    'Received, thanks.' is not mine), the hours only in the attachment."""
    owners = view.rows(
        "SELECT m.owner_id, COUNT(*) AS n, SUM(" + MINE_IN_THREAD + ") AS answered FROM email_messages m "
        "JOIN email_threads t ON t.id = m.thread_id "
        "JOIN todo_projects p ON p.owner_id = m.owner_id AND p.name = 'Finance' AND p.archived = 0 "
        f"WHERE t.is_trashed = 0 AND t.is_spam = 0 AND m.sender_id != m.owner_id AND {INVOICE} "
        "GROUP BY m.owner_id HAVING answered >= 1 AND n - answered >= 2 ORDER BY m.owner_id"
    )
    c = pick(rng, owners, "mailbox with an answered and 2 unanswered invoices and a Finance project", distinct=True)
    owner = c["owner_id"]
    invoices = view.rows(
        RECEIVED + f" AND m.owner_id = ? AND {INVOICE} AND NOT {MINE_IN_THREAD} ORDER BY m.sent_at",
        owner,
    )
    every_total = view.value(
        "SELECT SUM(CAST(substr(m.body, instr(m.body, '$') + 1) AS REAL)) FROM email_messages m "
        f"JOIN email_threads t ON t.id = m.thread_id WHERE m.owner_id = ? AND m.sender_id != m.owner_id AND {INVOICE} "
        "AND t.is_trashed = 0 AND t.is_spam = 0",
        owner,
    )
    project = project_of(view, owner, "Finance")
    expectations: list[Expectation] = []
    total = 0.0
    for inv in invoices:
        file = view.value(
            "SELECT content FROM email_attachments WHERE message_id = ? AND file_name LIKE 'invoice_%'", inv["id"]
        )
        amount = float(file.split("Total due: $")[1].split()[0])
        hours = file.split("Consulting hours: ")[1].split()[0]
        total += amount
        number = inv["subject"].removeprefix("Invoice ")
        due = (date.fromisoformat(inv["sent_at"][:10]) + timedelta(days=30)).isoformat()
        name = full_name(view, inv["sender_id"])
        expectations.append(
            Inserted(
                "todo_tasks",
                new_task(
                    owner,
                    project,
                    f"Pay invoice {number}",
                    due_date=due,
                    priority=1,
                    description=f"${amount:.2f} for {hours} hours to {name}",
                ),
                f"a task 'Pay invoice {number}' due {due} says ${amount:.2f} for {hours} hours to whom",
                what=f"tasks for invoice {number}",
            )
        )
        expectations += sent_email(
            view,
            owner,
            [inv["sender_id"]],
            "Received, thanks.",
            f"invoice {number} from {name} is answered",
            conversation=inv["conversation_id"],
        )
    expectations.append(unanswered_invoices_answer(total, every_total))
    oracle = (
        Solution()
        .step(login("email", "todo"))
        .step(
            fetch_all(
                "emails", "apis.email.search_emails(access_token=email_token, query='invoice', has_attachment=True"
            )
            + "invoices = [e for e in emails if e['subject'].startswith('Invoice ') and "
            "e['body'].startswith('Please find invoice') and e['sender']['email'] != me['email']]\n"
            "print([(e['subject'], e['sent_at'], e['sender']['name']) for e in invoices])\n"
        )
        .step(unanswered("invoices"))
        .step(
            "files = {}\n"
            "for e in pending:\n"
            "    file = next(a for a in e['attachments'] if a['file_name'].startswith('invoice_'))\n"
            "    text = apis.email.show_attachment(access_token=email_token, attachment_id=file['attachment_id'])"
            "['content']\n"
            "    files[e['email_id']] = (float(text.split('Total due: $')[1].split()[0]), "
            "text.split('Consulting hours: ')[1].split()[0])\n"
            "print(files)\n"
        )
        .step(
            find_project("Finance") + "from datetime import date, timedelta\n"
            "for e in pending:\n"
            "    due = (date.fromisoformat(e['sent_at'][:10]) + timedelta(days=30)).isoformat()\n"
            "    amount, hours = files[e['email_id']]\n"
            "    apis.todo.create_task(access_token=todo_token, project_id=project['project_id'], "
            "title='Pay invoice ' + e['subject'].removeprefix('Invoice '), due_date=due, priority=1, "
            "description=f\"${amount:.2f} for {hours} hours to {e['sender']['name']}\")\n"
            "    apis.email.reply_to_email(access_token=email_token, email_id=e['email_id'], "
            "body='Received, thanks.')\n"
        )
        .step(
            fetch_all(
                "tasks",
                "apis.todo.search_tasks(access_token=todo_token, project_id=project['project_id'], query='Pay invoice'",
            )
            + "print([(t['title'], t['due_date'], t['description']) for t in tasks])\n"
            "apis.supervisor.complete_task(answer=round(sum(a for a, _ in files.values()), 2))\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        "Some invoices emailed to me I have already answered in their thread; those are dealt with. For every other "
        "invoice emailed to me, add a task to my todo project 'Finance' titled 'Pay invoice <number>', priority 1, "
        "due 30 days after the invoice email's date, with the description '$<total due> for <hours> hours to "
        "<sender's full name>' (the total and the consulting hours as in the attached invoice file, like "
        "'$12.50 for 8 hours to Ann Lee'), and reply 'Received, thanks.' to the invoice email (to its sender only). "
        "Then tell me the total due of those invoices.",
        oracle,
        expectations,
    )


REVIEW_MINUTES = 60  # each review's block on the Work calendar, in the afternoon:
REVIEW_FROM = "13:00"  # from then to the end of the work day


def review_days(count: int) -> list[str]:
    """The first `count` weekdays after today, one review block each (the oldest request first)."""
    days: list[str] = []
    day = WORLD_NOW.date()
    while len(days) < count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days.append(day.isoformat())
    return days


def review_blocks(view: WorldView, owner: int, count: int) -> dict[str, str | None]:
    """Each review day -> the start of the owner's first free stretch of REVIEW_MINUTES from REVIEW_FROM to the end
    of their work day (None: that day has none), as the calendar's free-slot finder shows it."""
    ctx = reader(view, owner)
    return {
        d: next((s["start"] for s in find_free_slots(ctx, d, REVIEW_MINUTES, day_start=REVIEW_FROM)), None)
        for d in review_days(count)
    }


@scenario("mail_code_review_tasks", apps=("email", "todo", "calendar"))
def code_review_tasks(view: WorldView, rng: random.Random) -> TaskSpec:
    """Every 'Code review' request I have not answered yet becomes a task due on the weekday the email names (the
    first such day after it was sent; most are past by now), gets a reply and an hour on the Work calendar, one
    weekday each from tomorrow, oldest request first. Deep: whether I answered is only in each request's thread
    (show_thread: a co-recipient's 'On it.' is not mine; the answered requests are distractors), and each block's
    start only in that day's free slots (find_free_slots per day: the pick has a day whose first free hour is not
    at REVIEW_FROM)."""
    owners = view.rows(
        "SELECT m.owner_id, COUNT(*) AS n, SUM(" + MINE_IN_THREAD + ") AS answered FROM email_messages m "
        "JOIN email_threads t ON t.id = m.thread_id "
        "JOIN todo_projects p ON p.owner_id = m.owner_id AND p.name = 'Work' AND p.archived = 0 "
        "JOIN calendar_calendars c ON c.owner_id = m.owner_id AND c.name = 'Work' "
        f"WHERE t.is_trashed = 0 AND t.is_spam = 0 AND m.sender_id != m.owner_id AND {REVIEW} "
        "GROUP BY m.owner_id HAVING answered >= 1 AND n - answered >= 2 ORDER BY m.owner_id"
    )

    def late(c: dict[str, Any]) -> bool:
        """Some review day's first free hour starts after REVIEW_FROM (or the day has none)."""
        blocks = review_blocks(view, c["owner_id"], c["n"] - c["answered"])
        return any(start is None or start[11:16] != REVIEW_FROM for start in blocks.values())

    _, pool = as_deep_as_found((True, False), lambda needed: [c for c in owners if late(c) or not needed])
    c = pick(rng, pool, "mailbox with an answered and 2 unanswered code review requests and Work project", True)
    owner = c["owner_id"]
    asks = view.rows(
        RECEIVED + f" AND m.owner_id = ? AND {REVIEW} AND NOT {MINE_IN_THREAD} ORDER BY m.sent_at",
        owner,
    )
    project = project_of(view, owner, "Work")
    calendar = view.value("SELECT id FROM calendar_calendars WHERE owner_id = ? AND name = 'Work'", owner)
    blocks = review_blocks(view, owner, len(asks))
    expectations: list[Expectation] = []
    for ask, (day, start) in zip(asks, blocks.items(), strict=True):
        weekday = WEEKDAYS.index(ask["body"].split("before ")[1].split("?")[0])
        sent = date.fromisoformat(ask["sent_at"][:10])
        due = (sent + timedelta(days=(weekday - sent.weekday() - 1) % 7 + 1)).isoformat()
        name = full_name(view, ask["sender_id"])
        title = f"Review {name}'s change"
        expectations.append(
            Inserted(
                "todo_tasks",
                new_task(owner, project, title, due_date=due, priority=2, description=""),
                f"a task '{title}' due {due}",
                what=f"review tasks for {name} due {due}",
            )
        )
        if start is not None:
            end = (datetime.fromisoformat(start) + timedelta(minutes=REVIEW_MINUTES)).isoformat()
            expectations.append(
                Inserted(
                    "calendar_events",
                    new_event(owner, calendar, title, start, end),
                    f"'{title}' blocked {start[11:16]}-{end[11:16]} on {day}",
                    what=f"review blocks on {day}",
                )
            )
        expectations += sent_email(
            view,
            owner,
            [ask["sender_id"]],
            "On it.",
            f"{name}'s request of {ask['sent_at'][:10]} is answered",
            conversation=ask["conversation_id"],
        )
    expectations.append(
        Answer(
            len(asks),
            f"the answer is how many requests were still unanswered ({len(asks)})",
            traps={str(c["n"]): "that counts the requests I had already answered too"},
        )
    )
    oracle = (
        Solution()
        .step(login("email", "todo", "calendar"))
        .step(
            fetch_all("emails", "apis.email.search_emails(access_token=email_token, query='Code review'")
            + "asks = [e for e in emails if e['subject'] == 'Code review' and e['body'].startswith('Could you review')"
            " and e['sender']['email'] != me['email']]\n"
            "print([(e['sender']['name'], e['sent_at'], e['body']) for e in asks])\n"
        )
        .step(unanswered("asks") + "pending.sort(key=lambda e: e['sent_at'])\n")
        .step(
            "from datetime import date, datetime, timedelta\n"
            "days = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']\n"
            "def due_date(e):\n"
            "    day = days.index(e['body'].split('before ')[1].split('?')[0])\n"
            "    sent = date.fromisoformat(e['sent_at'][:10])\n"
            "    return (sent + timedelta(days=(day - sent.weekday() - 1) % 7 + 1)).isoformat()\n"
            "print([due_date(e) for e in pending])\n"
        )
        .step(
            f"day = date.fromisoformat({TODAY!r})\n"
            "blocks = []\n"
            "for e in pending:\n"
            "    day += timedelta(days=1)\n"
            "    while day.weekday() >= 5:\n"
            "        day += timedelta(days=1)\n"
            "    free = apis.calendar.find_free_slots(access_token=calendar_token, date=day.isoformat(), "
            f"duration_minutes={REVIEW_MINUTES}, day_start={REVIEW_FROM!r})\n"
            "    blocks.append(free[0]['start'] if free else None)\n"
            "print(blocks)\n"
        )
        .step(
            find_project("Work")
            + fetch_all("calendars", "apis.calendar.show_calendars(access_token=calendar_token, query='work'")
            + "work = next(c for c in calendars if c['name'] == 'Work')\n"
            "for e, start in zip(pending, blocks):\n"
            "    title = f\"Review {e['sender']['name']}'s change\"\n"
            "    apis.todo.create_task(access_token=todo_token, project_id=project['project_id'], title=title, "
            "due_date=due_date(e), priority=2)\n"
            "    if start:\n"
            f"        end = (datetime.fromisoformat(start) + timedelta(minutes={REVIEW_MINUTES})).isoformat()\n"
            "        apis.calendar.create_event(access_token=calendar_token, title=title, start=start, end=end, "
            "calendar_id=work['calendar_id'])\n"
            "    apis.email.reply_to_email(access_token=email_token, email_id=e['email_id'], body='On it.')\n"
        )
        .step(
            fetch_all(
                "tasks",
                "apis.todo.search_tasks(access_token=todo_token, project_id=project['project_id'], query='Review'",
            )
            + "print([(t['title'], t['due_date']) for t in tasks])\n"
            "apis.supervisor.complete_task(answer=len(pending))\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        "Coworkers emailed me 'Code review' requests (leave out any in my spam or trash), each asking for a review "
        "before some weekday; the ones I have already answered in their thread are handled. For each other request "
        "add a task to my todo project 'Work' "
        'titled "Review <their full name>\'s change", priority 2, due on that weekday (the first one after the email '
        "was sent), and reply 'On it.' to the request (to the sender only). Also block an hour for each "
        "of them on my 'Work' calendar, titled like its task: the oldest request on the first weekday after "
        "today, the next oldest on the weekday after that, and so on, one per weekday, each starting at the "
        f"beginning of that day's first free stretch of at least an hour between {REVIEW_FROM} and the end of my "
        "work day as my calendar settings set it (a day with none gets no block). Then tell me how many requests "
        "that was.",
        oracle,
        expectations,
    )


@scenario("mail_overdue_digest", apps=("todo", "email", "phone"))
def overdue_digest(view: WorldView, rng: random.Random) -> TaskSpec:
    """Conditional: when a project has more than N overdue tasks that are not waiting on a reply, they are emailed
    to a coworker, moved to next Monday and commented with their old due date; variant 1's bound is not exceeded
    (no-op-pass). Deep because 'waiting' is the latest comment, only in each task's show_task_comments: 7-12 overdue
    tasks, each read, one of them waiting (counting it would cross the bound in variant 1); done and future tasks
    and older 'waiting' comments are distractors."""
    projects = view.rows(
        f"SELECT p.id, p.owner_id, p.name, COUNT(*) AS n, SUM(COALESCE({LATEST_COMMENT} = ?, 0)) AS waiting "
        "FROM todo_projects p JOIN todo_tasks t ON t.project_id = p.id "
        f"WHERE p.archived = 0 AND t.completed = 0 AND t.due_date < '{TODAY}' "
        "AND (SELECT COUNT(*) FROM todo_projects q WHERE q.owner_id = p.owner_id AND q.name = p.name) = 1 "
        "AND EXISTS (SELECT 1 FROM phone_contacts c JOIN people f ON f.email = c.email WHERE c.owner_id = p.owner_id "
        "AND c.relationship = 'coworker') GROUP BY p.id HAVING n BETWEEN 7 AND 12 AND waiting >= 1 ORDER BY p.id",
        WAITING,
    )
    p = pick(rng, projects, "project with 7-12 overdue tasks, one waiting on a reply, and a coworker", distinct=True)
    quiet = other_branch(rng)
    active = p["n"] - p["waiting"]
    bound = active + rng.randint(0, p["waiting"] - 1) if quiet else active - rng.randint(1, 2)
    overdue = view.rows(
        f"SELECT t.id, t.title, t.due_date, COALESCE({LATEST_COMMENT} = ?, 0) AS waiting FROM todo_tasks t "
        f"WHERE t.project_id = ? AND t.completed = 0 AND t.due_date < '{TODAY}' ORDER BY t.due_date, t.id",
        WAITING,
        p["id"],
    )
    moving = [t for t in overdue if not t["waiting"]]
    coworker = rng.choice(
        [
            r["id"]
            for r in view.rows(
                "SELECT f.id FROM phone_contacts c JOIN people f ON f.email = c.email WHERE c.owner_id = ? "
                "AND c.relationship = 'coworker' ORDER BY f.id",
                p["owner_id"],
            )
        ]
    )
    name = full_name(view, coworker)
    subject = f"Overdue in {p['name']}"
    lines = [f"{t['title']} (due {t['due_date']})" for t in moving]
    expectations: list[Expectation] = (
        []
        if quiet
        else [
            *sent_email(
                view, p["owner_id"], [coworker], HasLines(lines), f"{name} gets the overdue list", subject=subject
            ),
            *(
                Updated("todo_tasks", t["id"], {"due_date": NEXT_MONDAY}, f"'{t['title']}' is moved to {NEXT_MONDAY}")
                for t in moving
            ),
            *(
                Inserted(
                    "todo_comments",
                    {
                        "task_id": t["id"],
                        "owner_id": p["owner_id"],
                        "text": f"Moved from {t['due_date']}.",
                        "created_at": NOW,
                    },
                    f"'{t['title']}' says it was moved from {t['due_date']}",
                    what=f"comments on '{t['title']}'",
                )
                for t in moving
            ),
        ]
    )
    oracle = (
        Solution()
        .step(login("todo", "phone", "email"))
        .step(
            find_project(p["name"])
            + fetch_all(
                "overdue", "apis.todo.show_overdue_tasks(access_token=todo_token, project_id=project['project_id']"
            )
            + "print([(t['title'], t['due_date']) for t in overdue])\n"
        )
        .step(
            "active = []\n"
            "for t in overdue:\n"
            "    said = apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id'], page_limit=20)\n"
            "    latest = max(said, key=lambda c: (c['created_at'], c['comment_id']))['text'] if said else None\n"
            f"    if latest != {WAITING!r}:\n"
            "        active.append(t)\n"
            "print([t['title'] for t in active])\n"
        )
        .step(
            f"if len(active) > {bound}:\n"
            "    contacts = apis.phone.search_contacts(access_token=phone_token, "
            f"query={name!r}, relationship='coworker')\n"
            f"    coworker = next(c for c in contacts if c['first_name'] + ' ' + c['last_name'] == {name!r})\n"
            "    body = '\\n'.join(f\"{t['title']} (due {t['due_date']})\" for t in active)\n"
            "    apis.email.send_email(access_token=email_token, recipients=[coworker['email']], "
            f"subject={subject!r}, body=body)\n"
            "    for t in active:\n"
            f"        apis.todo.update_task(access_token=todo_token, task_id=t['task_id'], due_date={NEXT_MONDAY!r})\n"
            "        apis.todo.add_task_comment(access_token=todo_token, task_id=t['task_id'], "
            "text=f\"Moved from {t['due_date']}.\")\n"
            "else:\n"
            "    print('not more than the bound: nothing to do')\n"
        )
        .step(
            fetch_all("left", "apis.todo.show_overdue_tasks(access_token=todo_token, project_id=project['project_id']")
            + "print(len(left), 'overdue left')\n"
            "apis.supervisor.complete_task(answer=[t['title'] for t in active])\n"
        )
        .steps()
    )
    return TaskSpec(
        p["owner_id"],
        f"In my todo project '{p['name']}', the overdue tasks (open, due before today) whose latest comment is "
        f"'{WAITING}' are waiting on someone: leave those alone. If more than {bound} of the other overdue tasks "
        f"remain, email my coworker {name} their list (subject '{subject}', one line per task '<title> (due "
        f"<YYYY-MM-DD>)'), move every one of them to next Monday, {NEXT_MONDAY}, and comment 'Moved from "
        "<YYYY-MM-DD>.' (its old due date) on each. Otherwise leave everything as it is. Either way, tell me the "
        "titles of those overdue tasks that are not waiting, one per task (a title as many times as tasks have it).",
        oracle,
        [
            *expectations,
            Answer(
                [t["title"] for t in moving],
                "the answer lists the overdue tasks not waiting on a reply",
                traps={normalize_answer([t["title"] for t in overdue]): "that lists the waiting ones too"},
            ),
        ],
        noop_pass=quiet,
    )


@scenario("mail_starred_followups", apps=("email", "todo"))
def starred_followups(view: WorldView, rng: random.Random) -> TaskSpec:
    """Each starred inbox thread becomes a 'Follow up' task carrying the latest email someone else sent in it,
    priority 1 when I owe the reply and 3 when the latest email is mine, and is marked read where it has unread
    emails; unstarred and archived starred threads are distractors. Deep because the emails' text is only in each
    thread's show_thread: 6-13 starred threads, each read, then a task and maybe a mark-read each."""
    owners = view.rows(
        "SELECT t.owner_id, COUNT(DISTINCT t.id) AS n FROM email_threads t JOIN email_messages m ON m.thread_id = t.id "
        "JOIN todo_projects p ON p.owner_id = t.owner_id AND p.name = 'Work' AND p.archived = 0 "
        f"WHERE {INBOX} AND t.is_starred = 1 GROUP BY t.owner_id HAVING n BETWEEN 6 AND 13 "
        "ORDER BY t.owner_id"
    )
    owner = pick(rng, owners, "inbox with 6-13 starred threads and a Work project", distinct=True)["owner_id"]
    last = "(SELECT m.{} FROM email_messages m WHERE m.thread_id = t.id {}ORDER BY m.sent_at DESC, m.id DESC LIMIT 1)"
    threads = view.rows(
        f"SELECT t.id, t.subject, {last.format('sender_id', '')} AS last_sender, "
        f"{last.format('sender_id', 'AND m.sender_id != t.owner_id ')} AS writer, "
        f"{last.format('body', 'AND m.sender_id != t.owner_id ')} AS body "
        f"FROM email_threads t WHERE t.owner_id = ? AND {INBOX} AND t.is_starred = 1 ORDER BY t.id",
        owner,
    )
    project = project_of(view, owner, "Work")
    tasks = Counter(
        (
            f"Follow up: {t['subject']}",
            f"{full_name(view, t['writer'])}: {t['body']}",
            3 if t["last_sender"] == owner else 1,
        )
        for t in threads
    )
    expectations: list[Expectation] = [
        Inserted(
            "todo_tasks",
            new_task(owner, project, title, due_date=TOMORROW, priority=priority, description=description),
            f"a task '{title}' due {TOMORROW}, priority {priority} ("
            + ("the latest email is mine" if priority == 3 else "I owe the reply")
            + f"), quoting {description.split(':')[0]}'s latest email",
            count=count,
            what=f"tasks '{title}'",
        )
        for (title, description, priority), count in tasks.items()
    ]
    expectations += [
        Updated("email_messages", m["id"], {"is_read": 1}, f"the unread email {m['id']} of '{m['subject']}' is read")
        for m in view.rows(
            "SELECT m.id, t.subject FROM email_messages m JOIN email_threads t ON t.id = m.thread_id "
            f"WHERE m.is_read = 0 AND t.id IN ({','.join(str(t['id']) for t in threads)}) ORDER BY m.id"
        )
    ]
    oracle = (
        Solution()
        .step(login("email", "todo"))
        .step(
            fetch_all("threads", "apis.email.show_threads(access_token=email_token, folder='inbox'")
            + "starred = [t for t in threads if t['is_starred']]\n"
            "print([(t['thread_id'], t['subject'], t['unread_count']) for t in starred])\n"
        )
        .step(
            "emails = {}\n"
            "for t in starred:\n"
            "    emails[t['thread_id']] = apis.email.show_thread(access_token=email_token, "
            "thread_id=t['thread_id'])['emails']\n"
            "print(emails)\n"
        )
        .step(
            find_project("Work") + "for t in starred:\n"
            "    ordered = sorted(emails[t['thread_id']], key=lambda e: (e['sent_at'], e['email_id']))\n"
            "    theirs = [e for e in ordered if e['sender']['email'] != me['email']][-1]\n"
            "    priority = 3 if ordered[-1]['sender']['email'] == me['email'] else 1\n"
            "    apis.todo.create_task(access_token=todo_token, project_id=project['project_id'], "
            f"title='Follow up: ' + t['subject'], due_date={TOMORROW!r}, priority=priority, "
            "description=theirs['sender']['name'] + ': ' + theirs['body'])\n"
            "    if t['unread_count']:\n"
            "        apis.email.mark_thread_read(access_token=email_token, thread_id=t['thread_id'])\n"
        )
        .step(
            fetch_all(
                "tasks",
                "apis.todo.search_tasks(access_token=todo_token, project_id=project['project_id'], query='Follow up'",
            )
            + "print([(t['title'], t['due_date'], t['priority']) for t in tasks])\n"
            "apis.supervisor.complete_task()\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        "For every starred email thread in my inbox, add a task 'Follow up: <thread subject>' to my todo project "
        f"'Work', due tomorrow ({TOMORROW}), with the description '<sender's full name>: <text>' of the latest email "
        "someone else sent in the thread. Give it priority 1, or priority 3 when the thread's latest email is mine "
        "(I am waiting on them). Mark the thread read if it has unread emails. Leave other threads alone.",
        oracle,
        expectations,
    )
