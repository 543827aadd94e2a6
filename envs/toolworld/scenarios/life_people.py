"""Life admin with the people in my phone: family photos shared, birthday gifts, a log of what I got done."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date
from typing import Any

from envs.toolworld.evaluate import Answer, Expectation, Inserted, NewRow, Updated
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios._life import NOW, TODAY, done, variant_of
from envs.toolworld.scenarios._rows import new_all_day_event, new_note
from envs.toolworld.scenarios.shop_bills_files import receipt
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

PHOTOS = "/photos/family"


@scenario("life_family_photos_share", apps=("file_system", "phone"))
def family_photos_share(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows(
        "SELECT c.owner_id FROM phone_contacts c JOIN people p ON p.email = c.email JOIN file_system_files f "
        f"ON f.owner_id = c.owner_id AND f.path LIKE '{PHOTOS}/%' WHERE c.relationship = 'family' AND p.id != "
        "c.owner_id GROUP BY c.owner_id HAVING COUNT(*) BETWEEN 8 AND 30 ORDER BY c.owner_id"
    )
    owner = pick(rng, owners, "person with family photos and family contacts", distinct=True)["owner_id"]
    family = view.rows(
        "SELECT DISTINCT p.id, p.email, c.first_name FROM phone_contacts c JOIN people p ON p.email = c.email "
        "WHERE c.owner_id = ? AND c.relationship = 'family' AND p.id != c.owner_id ORDER BY p.id",
        owner,
    )
    photos = view.rows(
        f"SELECT id, path FROM file_system_files WHERE owner_id = ? AND path LIKE '{PHOTOS}/%' ORDER BY path", owner
    )
    shared = {
        (s["file_id"], s["shared_with_id"]): s
        for s in view.rows("SELECT * FROM file_system_shares WHERE owner_id = ?", owner)
    }
    look = fetch_all("photos", f"apis.file_system.show_directory(access_token=file_system_token, path={PHOTOS!r}")
    look += "photos = [p for p in photos if p['type'] == 'file']\n"
    look += fetch_all("family", "apis.phone.search_contacts(access_token=phone_token, relationship='family'")
    look += "emails = {c['email']: c for c in family if c['email'] and c['email'] != me['email']}\n"
    look += "print(len(photos), list(emails))\n"
    act = """\
    for p in photos:
        current = {s['email']: s['permission'] for s in
                   apis.file_system.show_file_shares(access_token=file_system_token, path=p['path'], page_limit=20)}
        for email in emails:
            if email not in current:
                apis.file_system.share_file(access_token=file_system_token, path=p['path'], email=email,
                                            permission='view')
    for c in emails.values():
        text = f"Hi {c['first_name']}, I shared our {len(photos)} family photos with you."
        apis.phone.send_text_message(access_token=phone_token, phone_number=c['phone_number'], message=text)
    """
    check = (
        "print(apis.file_system.show_my_shared_files(access_token=file_system_token, "
        "email=next(iter(emails)), page_limit=20))\n"
    )
    expectations: list[Expectation] = []
    for person in family:
        expectations += [
            Inserted(
                "file_system_shares",
                {"file_id": p["id"], "owner_id": owner, "shared_with_id": person["id"], "permission": "view"}
                | {"created_at": NOW},
                f"{p['path']} is shared with {person['email']} for viewing",
                what=f"shares of {p['path']} with {person['email']}",
            )
            for p in photos
            if (p["id"], person["id"]) not in shared
        ]
        message = f"Hi {person['first_name']}, I shared our {len(photos)} family photos with you."
        expectations.append(
            Inserted(
                "phone_messages",
                {"sender_id": owner, "receiver_id": person["id"], "message": message, "sent_at": NOW, "is_read": 0},
                f"{person['email']} gets the text {message!r}",
                what=f"texts to {person['email']}",
            )
        )
    return TaskSpec(
        owner,
        f"Share every photo in my {PHOTOS} folder with each family member in my phone contacts, view only (leave any "
        "share they already have as it is), then text each of them 'Hi <their first name>, I shared our <number "
        "of photos in the folder> family photos with you.'",
        Solution().step(login("file_system", "phone")).step(look).step(act).step(check).step(done()).steps(),
        expectations,
    )


GIFT = 25.0


def _next_birthday(born: str) -> date:
    today = date.fromisoformat(TODAY)
    day = date.fromisoformat(born)
    coming = day.replace(year=today.year)
    return coming if coming >= today else day.replace(year=today.year + 1)


def _birthdays(view: WorldView, owner: int) -> list[dict[str, Any]]:
    rows = view.rows(
        "SELECT c.first_name, c.last_name, c.birthday, p.id, p.email FROM phone_contacts c JOIN people p "
        "ON p.email = c.email WHERE c.owner_id = ? AND c.relationship IN ('friend', 'family') AND p.id != ? "
        "AND c.birthday IS NOT NULL AND c.birthday NOT LIKE '%-02-29' ORDER BY c.id",
        owner,
        owner,
    )
    today = date.fromisoformat(TODAY)
    return [
        {**r, "next": _next_birthday(r["birthday"]).isoformat()}
        for r in rows
        if (_next_birthday(r["birthday"]) - today).days <= 30
    ]


@scenario("life_birthday_gift_money", apps=("phone", "payments", "calendar"))
def birthday_gift_money(view: WorldView, rng: random.Random) -> TaskSpec:
    """Conditional: variant 2 picks someone with no friend or family birthday in the next 30 days (no-op-pass)."""
    any_birthday = variant_of(rng) % 3 != 2
    owners = view.rows(
        "SELECT b.person_id AS owner FROM payments_balances b WHERE b.balance >= 100 AND EXISTS (SELECT 1 FROM "
        "calendar_calendars c WHERE c.owner_id = b.person_id AND c.is_primary = 1) ORDER BY b.person_id"
    )
    pool = [
        o
        for o in owners
        if (1 <= len(found := _birthdays(view, o["owner"])) == len({f["id"] for f in found})) == any_birthday
        and (found or not any_birthday)
    ]
    owner = pick(rng, pool, "person with (or without) birthdays coming", distinct=True)["owner"]
    coming = _birthdays(view, owner)
    balance = view.value("SELECT balance FROM payments_balances WHERE person_id = ?", owner)
    calendar = view.row("SELECT id FROM calendar_calendars WHERE owner_id = ? AND is_primary = 1", owner)["id"]
    look = fetch_all("soon", "apis.phone.show_upcoming_birthdays(access_token=phone_token, days_ahead=30")
    look += "soon = [c for c in soon if c['relationship'] in ('friend', 'family') and c['email']]\n"
    look += "print([(c['first_name'], c['next_birthday']) for c in soon])\n"
    look += "balance = apis.payments.show_balance(access_token=payments_token)['balance']\n"
    act = """\
    if soon:
        calendars = apis.calendar.show_calendars(access_token=calendar_token, page_limit=20)
        primary = next(c for c in calendars if c['is_primary'])
        for c in soon:
            apis.payments.send_money(access_token=payments_token, receiver_email=c['email'], amount=25,
                                     note='Happy birthday!', private=False)
            title = f"{c['first_name']} {c['last_name']}'s birthday"
            apis.calendar.create_event(access_token=calendar_token, title=title, start=c['next_birthday'],
                                       all_day=True, calendar_id=primary['calendar_id'])
    """
    check = "print(apis.payments.show_balance(access_token=payments_token))\n"
    expectations: list[Expectation] = []
    for c in coming:
        name = f"{c['first_name']} {c['last_name']}"
        expectations.append(
            Inserted(
                "payments_transactions",
                {"sender_id": owner, "receiver_id": c["id"], "amount": GIFT, "note": "Happy birthday!"}
                | {"private": 0, "created_at": NOW},
                f"{name} is sent ${GIFT:.0f} with the note 'Happy birthday!', public",
                what=f"gifts to {c['email']}",
            )
        )
        expectations.append(
            Inserted(
                "calendar_events",
                new_all_day_event(owner, calendar, f"{name}'s birthday", c["next"], busy=1),
                f"an all-day event '{name}'s birthday' on {c['next']} on my main calendar",
                what=f"events '{name}'s birthday'",
            )
        )
        receiver = view.row("SELECT id, balance FROM payments_balances WHERE person_id = ?", c["id"])
        expectations.append(
            Updated(
                "payments_balances",
                receiver["id"],
                {"balance": round(receiver["balance"] + GIFT, 2)},
                f"{name}'s balance grows by ${GIFT:.0f}",
            )
        )
    if coming:
        mine = view.row("SELECT id, balance FROM payments_balances WHERE person_id = ?", owner)
        expectations.append(
            Updated(
                "payments_balances",
                mine["id"],
                {"balance": round(mine["balance"] - GIFT * len(coming), 2)},
                f"my balance drops by ${GIFT * len(coming):.0f}",
            )
        )
    return TaskSpec(
        owner,
        f"Whose birthday is coming up in the next 30 days among the friends and family in my phone contacts? For "
        f"each of them, send ${GIFT:.0f} on the payments app with the note 'Happy birthday!' (public, not private), "
        "and put an all-day event '<first name> <last name>'s birthday' on that date on my main calendar. If nobody's "
        "birthday is coming, do nothing. Either way, tell me my payments balance before any gift.",
        Solution()
        .step(login("phone", "payments", "calendar"))
        .step(look)
        .step(act)
        .step(check)
        .step(done("balance"))
        .steps(),
        [*expectations, Answer(balance, f"the answer is my balance before the gifts, ${balance:.2f}")],
        noop_pass=not expectations,
    )


SINCE, UNTIL = "2026-05-04", "2026-05-17"


@scenario("life_done_log_note", apps=("todo", "notes"))
def done_log_note(view: WorldView, rng: random.Random) -> TaskSpec:
    """A log note of two weeks' completed tasks, each line with the task's last comment when it has one (comments
    read per task), shared for viewing with the collaborators of the projects in it (read per project); the answer
    is the busiest project (ties all named)."""
    owners = view.rows(
        "SELECT owner_id FROM todo_tasks WHERE completed = 1 AND substr(completed_at, 1, 10) BETWEEN ? AND ? "
        "GROUP BY owner_id HAVING COUNT(*) BETWEEN 8 AND 16 ORDER BY owner_id",
        SINCE,
        UNTIL,
    )
    owner = pick(rng, owners, "person who got 8-16 things done", distinct=True)["owner_id"]
    finished = view.rows(
        "SELECT t.id, t.title, t.completed_at, t.project_id, p.name, (SELECT c.text FROM todo_comments c "
        "WHERE c.task_id = t.id ORDER BY c.created_at DESC, c.id DESC LIMIT 1) AS last_comment "
        "FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id "
        "WHERE t.owner_id = ? AND t.completed = 1 AND substr(t.completed_at, 1, 10) BETWEEN ? AND ? ORDER BY t.id",
        owner,
        SINCE,
        UNTIL,
    )
    lines = [
        f"{t['completed_at'][:10]}: {t['title']} ({t['name']})"
        + (f" - {t['last_comment']}" if t["last_comment"] else "")
        for t in finished
    ]
    per_project = Counter(t["name"] for t in finished)
    top = sorted(per_project.items(), key=lambda kv: (-kv[1], kv[0]))
    best = [name for name, n in top if n == top[0][1]]
    title = f"Done {SINCE} to {UNTIL}"
    projects = sorted({t["project_id"] for t in finished})
    marks = ",".join("?" for _ in projects)
    collaborators = view.rows(
        "SELECT DISTINCT c.person_id, p.email FROM todo_collaborators c JOIN people p ON p.id = c.person_id "
        f"WHERE c.project_id IN ({marks}) ORDER BY c.person_id",
        *projects,
    )
    look = fetch_all("finished", f"apis.todo.show_completed_tasks(access_token=todo_token, since='{SINCE}'")
    look += f"mine = [t for t in finished if t['completed_at'][:10] <= '{UNTIL}']\nprint(len(finished), len(mine))\n"
    comments = (
        "last_comment = {}\n"
        "for t in mine:\n"
        + fetch_all("said", "apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id']", indent="    ")
        + "    if said:\n"
        "        last_comment[t['task_id']] = max(said, key=lambda c: (c['created_at'], c['comment_id']))['text']\n"
        "print(last_comment)\n"
    )
    act = f"""\
    lines = []
    for t in mine:
        line = f"{{t['completed_at'][:10]}}: {{t['title']}} ({{t['project']['name']}})"
        if t['task_id'] in last_comment:
            line += ' - ' + last_comment[t['task_id']]
        lines.append(line)
    lines.append(f"Total: {{len(mine)}} tasks")
    note = apis.notes.create_note(access_token=notes_token, title={title!r}, content='\\n'.join(lines), tags=['log'])
    counts = {{}}
    for t in mine:
        counts[t['project']['name']] = counts.get(t['project']['name'], 0) + 1
    most = max(counts.values())
    best = sorted(name for name, n in counts.items() if n == most)
    """
    share = (
        "people = set()\n"
        "for project_id in sorted({t['project']['project_id'] for t in mine}):\n"
        "    for c in apis.todo.show_collaborators(access_token=todo_token, project_id=project_id, page_limit=20):\n"
        "        if c['role'] == 'collaborator':\n"
        "            people.add(c['email'])\n"
        "for email in sorted(people):\n"
        "    apis.notes.share_note(access_token=notes_token, note_id=note['note_id'], email=email, permission='view')\n"
    )
    check = (
        "print(apis.notes.show_note(access_token=notes_token, note_id=note['note_id'])['content'], best)\n"
        "print(apis.notes.show_note_shares(access_token=notes_token, note_id=note['note_id']))\n"
    )
    note_row = {"owner_id": owner, "title": title}
    return TaskSpec(
        owner,
        f"Make a log of what I got done from {SINCE} to {UNTIL} (both included): a note titled '{title}', tagged "
        "'log', with one line per todo task I completed in that time, '<YYYY-MM-DD completed>: <task title> (<project "
        "name>)', followed by ' - <its latest comment>' when the task has comments, then a last line 'Total: <number> "
        "tasks'. Share the note (view only) with everyone who collaborates with me on the projects in it. Then tell "
        "me in which project I completed the most of them (all of them, if tied).",
        Solution()
        .step(login("todo", "notes"))
        .step(look)
        .step(comments)
        .step(act)
        .step(share)
        .step(check)
        .step(done("best"))
        .steps(),
        [
            Inserted(
                "notes_notes",
                new_note(owner, title, receipt(lines, f"Total: {len(lines)} tasks"), tags="log"),
                f"a note '{title}' tagged 'log' with the {len(lines)} completed tasks and their latest comments, "
                "then the total",
                what=f"notes '{title}'",
            ),
            *(
                Inserted(
                    "notes_shares",
                    {
                        "note_id": NewRow("notes_notes", note_row),
                        "person_id": c["person_id"],
                        "permission": "view",
                        "shared_at": NOW,
                    },
                    f"the log is shared (view) with the collaborator {c['email']}",
                    what=f"shares with {c['email']}",
                )
                for c in collaborators
            ),
            Answer(best, f"most tasks were completed in {', '.join(best)}"),
        ],
    )
