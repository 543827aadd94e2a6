"""Life admin at home: notes backed up to files, due tasks on the calendar, requests to pay, telling people I moved."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import date, timedelta
from typing import Any

from envs.toolworld.evaluate import Answer, Expectation, HasLines, Inserted, Updated
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, full_name, login, pick
from envs.toolworld.scenarios._life import NOW, TODAY, done, project_of, variant_of
from envs.toolworld.scenarios._rows import new_note, new_task, reminder_on_new_task
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

LOOK_ALIKE_NOTEBOOKS = {"Recipes": "Family Recipes", "Work": "Work (old)", "Projects": "Side Projects"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


SLUG = "import re\ndef slug(text):\n    return re.sub(r'[^a-z0-9]+', '_', text.lower()).strip('_')\n"


@scenario("life_notebook_backup_files", apps=("notes", "file_system"))
def notebook_backup_files(view: WorldView, rng: random.Random) -> TaskSpec:
    """Each note of a notebook (not its look-alike) saved to a file and tagged 'backup' (note read per note),
    its drafts moved to the trash instead."""
    candidates = []
    for name, other in LOOK_ALIKE_NOTEBOOKS.items():
        for row in view.rows(
            "SELECT b.owner_id, b.id FROM notes_notebooks b WHERE b.name = ? AND EXISTS (SELECT 1 FROM notes_notebooks "
            "o WHERE o.owner_id = b.owner_id AND o.name = ?) ORDER BY b.owner_id",
            name,
            other,
        ):
            titles = [
                r["title"]
                for r in view.rows(
                    "SELECT title FROM notes_notes WHERE notebook_id = ? AND trashed_at IS NULL", row["id"]
                )
            ]
            kept = [_slug(t) for t in titles if not t.endswith(" - draft")]
            if 3 <= len(kept) == len(set(kept)) and all(kept):
                candidates.append({**row, "name": name})
    chosen = pick(rng, candidates, "notebook with a look-alike", distinct=True)
    owner, name = chosen["owner_id"], chosen["name"]
    notes = view.rows(
        "SELECT id, title, content, tags FROM notes_notes WHERE notebook_id = ? AND trashed_at IS NULL AND title "
        "NOT LIKE '% - draft' ORDER BY id",
        chosen["id"],
    )
    drafts = view.rows(
        "SELECT id, title FROM notes_notes WHERE notebook_id = ? AND trashed_at IS NULL AND title LIKE '% - draft' "
        "ORDER BY id",
        chosen["id"],
    )
    folder = f"/backups/notes/{_slug(name)}"
    have = {r["path"] for r in view.rows("SELECT path FROM file_system_directories WHERE owner_id = ?", owner)}
    look = fetch_all("books", f"apis.notes.show_notebooks(access_token=notes_token, query={name!r}")
    look += f"book = next(b for b in books if b['name'] == {name!r})\n"
    look += fetch_all("found", "apis.notes.search_notes(access_token=notes_token, notebook_id=book['notebook_id']")
    look += "keep = [n for n in found if not n['title'].endswith(' - draft')]\nprint([n['title'] for n in found])\n"
    act = SLUG + (
        "for n in keep:\n"
        "    text = apis.notes.show_note(access_token=notes_token, note_id=n['note_id'])['content']\n"
        f"    apis.file_system.create_file(access_token=file_system_token, path='{folder}/' + slug(n['title']) + "
        "'.txt', content=text, parents=True)\n"
        "    if 'backup' not in n['tags']:\n"
        "        apis.notes.add_tag_to_note(access_token=notes_token, note_id=n['note_id'], tag='backup')\n"
        "for n in found:\n"
        "    if n['title'].endswith(' - draft'):\n"
        "        apis.notes.move_note_to_trash(access_token=notes_token, note_id=n['note_id'])\n"
    )
    check = fetch_all("saved", f"apis.file_system.show_directory(access_token=file_system_token, path={folder!r}")
    check += "print(len(saved), [f['name'] for f in saved])\n"
    expectations: list[Expectation] = [
        Inserted(
            "file_system_files",
            {"owner_id": owner, "path": f"{folder}/{_slug(n['title'])}.txt", "content": n["content"], "starred": 0},
            f"{folder}/{_slug(n['title'])}.txt holds the note '{n['title']}'",
            what=f"backups of '{n['title']}'",
        )
        for n in notes
    ]
    expectations += [
        Updated(
            "notes_notes",
            n["id"],
            {"tags": ",".join(sorted({*filter(None, n["tags"].split(",")), "backup"})), "updated_at": NOW},
            f"the note '{n['title']}' is tagged 'backup'",
        )
        for n in notes
    ]
    expectations += [
        Updated("notes_notes", d["id"], {"trashed_at": NOW}, f"the draft '{d['title']}' is moved to the trash")
        for d in drafts
    ]
    for path in ("/backups", "/backups/notes", folder):
        if path not in have:
            expectations.append(
                Inserted(
                    "file_system_directories",
                    {"owner_id": owner, "path": path},
                    f"the directory {path} exists",
                    what=f"directories {path}",
                )
            )
    return TaskSpec(
        owner,
        f"Back up my '{name}' notebook in my notes app (not '{LOOK_ALIKE_NOTEBOOKS[name]}') to my files: for each of "
        f"its notes, except drafts (titles ending in ' - draft') and trashed notes, create {folder}/<slug>.txt "
        "holding the note's text exactly, where <slug> is the title in lowercase with every run of characters other "
        "than letters and digits replaced by one '_' (none at either end), like 'tomato_salad'. Create the folders "
        "as needed. Tag each note you backed up 'backup', and move the notebook's drafts to the trash.",
        Solution().step(login("notes", "file_system")).step(look).step(act).step(check).step(done()).steps(),
        expectations,
    )


@scenario("life_due_tasks_calendar", apps=("todo", "calendar"))
def due_tasks_calendar(view: WorldView, rng: random.Random) -> TaskSpec:
    first = (date.fromisoformat(TODAY) + timedelta(days=1)).isoformat()
    last = (date.fromisoformat(TODAY) + timedelta(days=14)).isoformat()
    owners = view.rows(
        "SELECT t.owner_id FROM todo_tasks t JOIN calendar_calendars c ON c.owner_id = t.owner_id AND c.is_primary = 1 "
        "WHERE t.completed = 0 AND t.priority <= 2 AND t.due_date BETWEEN ? AND ? GROUP BY t.owner_id "
        "HAVING COUNT(*) BETWEEN 8 AND 14 ORDER BY t.owner_id",
        first,
        last,
    )
    owner = pick(rng, owners, "person with 8-14 urgent tasks due within two weeks", distinct=True)["owner_id"]
    calendar = view.row("SELECT id FROM calendar_calendars WHERE owner_id = ? AND is_primary = 1", owner)["id"]
    end = (date.fromisoformat(last) + timedelta(days=1)).isoformat()
    look = fetch_all(
        "tasks",
        f"apis.todo.search_tasks(access_token=todo_token, completed=False, due_after='{first}', due_before='{end}'",
    )
    look += "urgent = [t for t in tasks if t['priority'] <= 2]\nprint([(t['title'], t['due_date']) for t in urgent])\n"
    look += "calendars = apis.calendar.show_calendars(access_token=calendar_token, page_limit=20)\n"
    look += "primary = next(c for c in calendars if c['is_primary'])\n"
    look += fetch_all("before", "apis.todo.show_reminders(access_token=todo_token")
    look += "already = {(r['task_id'], r['remind_at']) for r in before}\n"
    act = """\
    for t in urgent:
        apis.calendar.create_event(access_token=calendar_token, title='Due: ' + t['title'], start=t['due_date'],
                                   all_day=True, calendar_id=primary['calendar_id'], busy=False,
                                   description=f"Priority {t['priority']} in {t['project']['name']}")
        if (t['task_id'], t['due_date'] + 'T08:00:00') not in already:
            apis.todo.add_reminder(access_token=todo_token, task_id=t['task_id'], remind_at=t['due_date'] + 'T08:00')
    """
    check = fetch_all(
        "events",
        f"apis.calendar.show_events(access_token=calendar_token, query='Due', date_from='{first}', date_to='{last}'",
    )
    check += "print([(e['title'], e['start']) for e in events])\n"
    check += fetch_all("reminders", "apis.todo.show_reminders(access_token=todo_token")
    check += "print([(r['task_title'], r['remind_at']) for r in reminders])\n"
    reminded = view.rows(
        "SELECT id, title, due_date FROM todo_tasks WHERE owner_id = ? AND completed = 0 AND priority <= 2 "
        "AND due_date BETWEEN ? AND ? AND NOT EXISTS (SELECT 1 FROM todo_reminders r WHERE r.task_id = todo_tasks.id "
        "AND r.remind_at = todo_tasks.due_date || 'T08:00:00') ORDER BY id",
        owner,
        first,
        last,
    )
    wanted = Counter(
        (t["title"], t["due_date"], f"Priority {t['priority']} in {t['name']}")
        for t in view.rows(
            "SELECT t.title, t.due_date, t.priority, p.name FROM todo_tasks t JOIN todo_projects p "
            "ON p.id = t.project_id WHERE t.owner_id = ? AND t.completed = 0 AND t.priority <= 2 "
            "AND t.due_date BETWEEN ? AND ?",
            owner,
            first,
            last,
        )
    )
    expectations: list[Expectation] = []
    for (title, due, description), n in sorted(wanted.items()):
        day_after = (date.fromisoformat(due) + timedelta(days=1)).isoformat()
        expectations.append(
            Inserted(
                "calendar_events",
                {
                    "calendar_id": calendar,
                    "organizer_id": owner,
                    "title": f"Due: {title}",
                    "start": f"{due}T00:00:00",
                    "end": f"{day_after}T00:00:00",
                    "all_day": 1,
                    "busy": 0,
                    "location": "",
                    "recurrence": "none",
                    "recurrence_until": None,
                    "status": "confirmed",
                    "description": description,
                },
                f"an all-day, free event 'Due: {title}' on {due} on my main calendar, described '{description}'",
                count=n,
                what=f"events 'Due: {title}' on {due}",
            )
        )
    expectations += [
        Inserted(
            "todo_reminders",
            {"task_id": t["id"], "owner_id": owner, "remind_at": f"{t['due_date']}T08:00:00"},
            f"task '{t['title']}' reminds me at 08:00 on {t['due_date']}",
            what=f"reminders of task {t['id']}",
        )
        for t in reminded
    ]
    return TaskSpec(
        owner,
        f"Put my urgent todo tasks on my calendar: for each open task of mine with priority 1 or 2 due from tomorrow "
        f"to two weeks from today ({first} to {last}), add an all-day event 'Due: <task title>' on its due date to my "
        "main calendar, shown as free (not busy), with the description 'Priority <priority> in <project name>'; "
        "and set a todo reminder on each of those tasks at 08:00 on its due date, unless it already has that one.",
        Solution().step(login("todo", "calendar")).step(look).step(act).step(check).step(done()).steps(),
        expectations,
    )


BIG = 100.0
BIG_REQUESTS_AT_LEAST = 4  # big pending requests in life_big_requests_todo's big variants: a contact looked up each
REMIND = "2026-05-21T09:00"


@scenario("life_big_requests_todo", apps=("payments", "todo", "phone"))
def big_requests_todo(view: WorldView, rng: random.Random) -> TaskSpec:
    """Conditional: variant 2 picks someone whose pending requests are all small (no-op-pass). Deep because each
    big request's to-do needs its requester's current number and relationship from the phone contacts (one search
    per requester; stale duplicates with an old number share the name), and each to-do is checked after."""
    big = variant_of(rng) % 3 != 2
    owners = view.rows(
        "SELECT r.payer_id, SUM(r.amount > ?1) AS n, SUM(r.amount > ?1 AND c.relationship = 'coworker') AS work, "
        "COUNT(DISTINCT CASE WHEN r.amount > ?1 THEN r.requester_id || ':' || r.amount END) AS kinds "
        "FROM payments_requests r JOIN todo_projects p ON p.owner_id = r.payer_id AND p.name = 'Finance' "
        "AND p.archived = 0 JOIN people f ON f.id = r.requester_id LEFT JOIN phone_contacts c "
        "ON c.owner_id = r.payer_id AND c.email = f.email WHERE r.status = 'pending' "
        "GROUP BY r.payer_id HAVING COUNT(DISTINCT p.id) = 1 AND COUNT(*) = COUNT(DISTINCT r.id) "
        "AND COUNT(c.id) = COUNT(*) ORDER BY r.payer_id",
        BIG,
    )

    # big variants: 1-6 big requests, some from coworkers and some not, so the relationship decides priorities; no
    # two of one person and amount (their to-dos would share a title, and which has the reminder would be a guess)
    def pool(least: int) -> list[dict[str, Any]]:
        return [
            o
            for o in owners
            if (o["kinds"] == o["n"] and 0 < o["work"] < o["n"] <= 6 and o["n"] >= least if big else o["n"] == 0)
        ]

    _, usable = as_deep_as_found((BIG_REQUESTS_AT_LEAST, 1), pool)
    owner = pick(rng, usable, f"payer of pending requests ({BIG_REQUESTS_AT_LEAST}+ big ones, or none)", distinct=True)[
        "payer_id"
    ]
    project = project_of(view, owner, "Finance")
    assert project is not None
    asks = view.rows(
        "SELECT r.requester_id, r.amount, r.note, c.phone_number, c.relationship FROM payments_requests r "
        "JOIN people f ON f.id = r.requester_id JOIN phone_contacts c ON c.owner_id = r.payer_id AND c.email = f.email "
        "WHERE r.payer_id = ? AND r.status = 'pending' AND r.amount > ? ORDER BY r.id",
        owner,
        BIG,
    )
    look = fetch_all(
        "asks", "apis.payments.show_requests(access_token=payments_token, direction='received', status='pending'"
    )
    look += f"big = [r for r in asks if r['amount'] > {BIG}]\n"
    look += "print([(r['requester']['name'], r['requester']['email'], r['amount']) for r in asks])\n"
    contacts = """
        contacts = {}
        for r in big:
            email = r['requester']['email']
            if email not in contacts:
                found = apis.phone.search_contacts(access_token=phone_token, query=r['requester']['name'],
                                                   page_limit=20)
                print(found)
                contacts[email] = next(c for c in found if c['email'] == email)
        """
    act = (
        "created = []\n"
        "if big:\n"
        + fetch_all("projects", "apis.todo.show_projects(access_token=todo_token, query='Finance'", "    ")
        + "    finance = next(p for p in projects if p['name'] == 'Finance')\n"
        "    for r in big:\n"
        "        c = contacts[r['requester']['email']]\n"
        "        priority = 3 if c['relationship'] == 'coworker' else 1\n"
        "        task_id = apis.todo.create_task(access_token=todo_token, project_id=finance['project_id'], "
        "title=f\"Pay {r['requester']['name']} ${r['amount']:.2f}\", "
        "description=f\"{r['note']} - call {c['phone_number']}\", priority=priority, "
        "due_date='2026-05-22')['task_id']\n"
        "        created.append(task_id)\n"
        "        if priority == 1:\n"
        f"            apis.todo.add_reminder(access_token=todo_token, task_id=task_id, remind_at={REMIND!r})\n"
    )
    check = (
        "if created:\n"
        + fetch_all("reminders", "apis.todo.show_reminders(access_token=todo_token", "    ")
        + "    print([r for r in reminders if r['task_id'] in created])\n"
        + "for task_id in created:\n    print(apis.todo.show_task(access_token=todo_token, task_id=task_id))\n"
    )
    wanted = Counter(
        (
            f"Pay {full_name(view, a['requester_id'])} ${a['amount']:.2f}",
            f"{a['note']} - call {a['phone_number']}",
            3 if a["relationship"] == "coworker" else 1,
        )
        for a in asks
    )
    expectations: list[Expectation] = [
        Inserted(
            "todo_tasks",
            new_task(owner, project["id"], title, description=about, priority=priority, due_date="2026-05-22"),
            f"a task '{title}' described '{about}', priority {priority}, due 2026-05-22",
            count=n,
            what=f"tasks '{title}'",
        )
        for (title, about, priority), n in sorted(wanted.items())
    ]
    expectations += [
        Inserted(
            "todo_reminders",
            reminder_on_new_task(owner, title, REMIND),
            f"the priority-1 task '{title}' has a reminder at {REMIND}",
            what="reminders",
        )
        for (title, _, priority) in sorted(wanted)
        if priority == 1
    ]
    owed = view.value(
        "SELECT ROUND(SUM(amount), 2) FROM payments_requests WHERE payer_id = ? AND status = 'pending'", owner
    )
    return TaskSpec(
        owner,
        f"Has anyone asked me on the payments app for more than ${BIG:.0f} that I haven't paid or declined yet? For "
        "each such pending request, add a task 'Pay <their full name> $<amount>' (two decimals) to my Finance project "
        "in my todo app, due 2026-05-22, described '<the request's note> - call <their current phone number from my "
        "phone contacts>'. Give it priority 3 if they are a coworker in my phone contacts (I'll claim it at work), "
        "otherwise priority 1, and give each priority-1 task a reminder on 2026-05-21 at 09:00. Don't pay anything "
        "yet; if there are no such requests, leave everything as it is. Either way, tell me how much all the pending "
        "requests people asked of me add up to, of any amount (not the ones I sent).",
        Solution()
        .step(login("payments", "todo", "phone"))
        .step(look)
        .step(contacts)
        .step(act)
        .step(check + done("round(sum(r['amount'] for r in asks), 2)"))
        .steps(),
        [*expectations, Answer(owed, f"the answer is the ${owed:.2f} all my pending requests add up to")],
        noop_pass=not expectations,
    )


MOVE_TALKED_SINCE = ("2026-04-01", "2026-04-15", "2026-03-15")
CLOSE = "(c.relationship = 'family' OR (c.relationship = 'friend' AND c.is_favorite = 1))"


def moved_told(view: WorldView, owner: int, since: str, calls: bool = True, texts: bool = True) -> list[dict[str, Any]]:
    """The contacts to tell (first saved card per number, in contact order): family, favourite friends, and anyone
    else saved in my contacts I was in touch with since `since` (an answered call or a text on my phone; `calls`
    and `texts` say which of the two count)."""
    talked: set[str] = set()
    if calls:
        talked |= {
            r["phone_number"]
            for r in view.rows(
                "SELECT phone_number FROM phone_calls WHERE owner_id = ? AND direction != 'missed' AND started_at >= ?",
                owner,
                since,
            )
        }
    if texts:
        talked |= {
            r["phone_number"]
            for r in view.rows(
                "SELECT p.phone_number FROM phone_messages m JOIN people p ON p.id IN (m.sender_id, m.receiver_id) "
                "AND p.id != ? WHERE ? IN (m.sender_id, m.receiver_id) AND m.sent_at >= ? AND m.id NOT IN "
                "(SELECT message_id FROM phone_deleted_messages WHERE owner_id = ?)",
                owner,
                owner,
                since,
                owner,
            )
        }
    told: dict[str, dict[str, Any]] = {}
    for c in view.rows(
        f"SELECT c.first_name, c.last_name, c.phone_number, p.id, {CLOSE} AS close FROM phone_contacts c "
        "LEFT JOIN people p ON p.phone_number = c.phone_number WHERE c.owner_id = ? ORDER BY c.id",
        owner,
    ):
        if c["phone_number"] not in told and (c["close"] or c["phone_number"] in talked):
            told[c["phone_number"]] = c
    return list(told.values())


@scenario("life_moved_tell_people", apps=("shop", "phone", "notes"))
def moved_tell_people(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep: besides family and favourite friends, everyone in my contacts I was in touch with lately is told, which
    only the call log and the texts say (both paged; missed calls, strangers and robocallers are distractors): a
    text per person."""
    since = MOVE_TALKED_SINCE[variant_of(rng) % len(MOVE_TALKED_SINCE)]
    owners = []
    for r in view.rows(
        f"SELECT c.owner_id, COUNT(*) AS close FROM phone_contacts c JOIN people p ON p.phone_number = c.phone_number "
        f"WHERE {CLOSE} GROUP BY c.owner_id HAVING COUNT(*) BETWEEN 3 AND 8 ORDER BY c.owner_id"
    ):
        told = moved_told(view, r["owner_id"], since)
        called = moved_told(view, r["owner_id"], since, texts=False)
        texted = moved_told(view, r["owner_id"], since, calls=False)
        if (
            len(told) - r["close"] >= 3
            and all(t["id"] is not None for t in told)
            and len(called) < len(told) > len(texted)  # some reached only by a call, some only by a text
        ):
            owners.append(r)
    what = f"person with family, favourite friends and 3+ others called or texted since {since}"
    owner = pick(rng, owners, what, distinct=True)["owner_id"]
    home = view.row(
        "SELECT street_address || ', ' || city || ', ' || state || ' ' || zip_code AS address FROM addresses "
        "WHERE person_id = ? AND name = 'Home'",
        owner,
    )["address"]
    told = moved_told(view, owner, since)
    look = "home = next(a for a in apis.shop.show_addresses(access_token=shop_token) if a['name'] == 'Home')\n"
    look += fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token")
    look += fetch_all("calls", f"apis.phone.show_call_history(access_token=phone_token, started_after={since!r}")
    look += fetch_all("texts", f"apis.phone.search_text_messages(access_token=phone_token, sent_after={since!r}")
    look += (
        "talked = {c['phone_number'] for c in calls if c['direction'] != 'missed'}\n"
        "talked |= {m[side]['phone_number'] for m in texts for side in ('sender', 'receiver')}\n"
        "people, seen = [], set()\n"
        "for c in sorted(contacts, key=lambda c: c['contact_id']):\n"
        "    close = c['relationship'] == 'family' or (c['relationship'] == 'friend' and c['is_favorite'])\n"
        "    if c['phone_number'] not in seen and (close or c['phone_number'] in talked):\n"
        "        people.append(c)\n"
        "    seen.add(c['phone_number'])\n"
        "print(home, [(c['first_name'], c['last_name']) for c in people])\n"
    )
    act = """\
    for c in people:
        apis.phone.send_text_message(access_token=phone_token, phone_number=c['phone_number'],
                                     message=f"Hi {c['first_name']}, I've moved! My new address is {home['address']}.")
    lines = [f"{c['first_name']} {c['last_name']}: {c['phone_number']}" for c in people]
    note = apis.notes.create_note(access_token=notes_token, title='Told about the move', content='\\n'.join(lines))
    """
    check = "print(apis.notes.show_note(access_token=notes_token, note_id=note['note_id'])['content'])\n"
    expectations: list[Expectation] = [
        Inserted(
            "phone_messages",
            {
                "sender_id": owner,
                "receiver_id": t["id"],
                "message": f"Hi {t['first_name']}, I've moved! My new address is {home}.",
                "sent_at": NOW,
                "is_read": 0,
            },
            f"{t['first_name']} {t['last_name']} is texted the new address",
            what=f"texts to {t['phone_number']}",
        )
        for t in told
    ]
    lines = [f"{t['first_name']} {t['last_name']}: {t['phone_number']}" for t in told]
    expectations.append(
        Inserted(
            "notes_notes",
            new_note(owner, "Told about the move", HasLines(lines)),
            f"a note 'Told about the move' listing the {len(lines)} people texted",
            what="notes 'Told about the move'",
        )
    )
    return TaskSpec(
        owner,
        "I've moved, and my shop app already has my new address as 'Home'. Text every family member in my phone "
        "contacts, every friend I marked as a favorite, and everyone else saved in my contacts I have been in touch "
        f"with since {since} (an answered phone call or a text message, either way): 'Hi <their first name>, I've "
        "moved! My new address is <my Home address as the shop shows it>.' Then make a note titled 'Told about the "
        "move' with one line per person texted, '<first name> <last name>: <phone number>'.",
        Solution().step(login("shop", "phone", "notes")).step(look).step(act).step(check).step(done()).steps(),
        expectations,
    )
