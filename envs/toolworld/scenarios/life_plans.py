"""Life admin plans: last year's bills archived, a workout plan on the calendar, chasing assigned tasks, meetings
followed up."""

from __future__ import annotations

import random
from collections import Counter

from envs.toolworld.evaluate import Answer, Deleted, Expectation, Inserted, Updated
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, pick
from envs.toolworld.scenarios._life import BILLS, NOW, PARSE_BILL, TODAY, bills, done, project_of
from envs.toolworld.scenarios._rows import new_note, new_task
from envs.toolworld.scenarios._threads import SAID_ON_IT, on_it, on_it_code
from envs.toolworld.scenarios.shop_bills_files import receipt
from envs.toolworld.tasks import TaskSpec, WorldView, scenario


@scenario("life_bills_archive_year", apps=("file_system", "notes"))
def bills_archive_year(view: WorldView, rng: random.Random) -> TaskSpec:
    """A year's bill files moved into a folder of their own, totalled per kind in a note, and no longer shared. Deep
    because the amounts are only in each file's content: 9-17 bills, each read and moved, among 28-65 bill files
    (pages of them), then the shares of the moved ones found and removed."""
    year = "2024"
    folder = f"{BILLS}/{year}"
    owners = view.rows(
        f"SELECT owner_id FROM file_system_files WHERE path LIKE '{BILLS}/%_{year}-%' GROUP BY owner_id "
        f"HAVING COUNT(*) BETWEEN 9 AND 17 AND NOT EXISTS (SELECT 1 FROM file_system_directories d WHERE d.owner_id = "
        f"file_system_files.owner_id AND d.path = '{folder}') ORDER BY owner_id"
    )
    owner = pick(rng, owners, f"person with 9-17 bills of {year}", distinct=True)["owner_id"]
    old = [b for b in bills(view, owner) if b["period"].startswith(f"{year}-") and b["path"].count("/") == 3]
    totals: dict[str, float] = {}
    for b in old:
        totals[b["kind"]] = totals.get(b["kind"], 0.0) + b["amount"]
    lines = [f"{kind}: ${round(t, 2):.2f}" for kind, t in sorted(totals.items())]
    total = f"Total: ${round(sum(totals.values()), 2):.2f}"
    look = PARSE_BILL + fetch_all(
        "files", f"apis.file_system.show_directory(access_token=file_system_token, path={BILLS!r}"
    )
    look += f"old = [f for f in files if f['type'] == 'file' and '_{year}-' in f['name']]\n"
    look += "parsed = [parse_bill(f['path'], apis.file_system.show_file(access_token=file_system_token, "
    look += (
        "path=f['path'])['content']) for f in old]\nprint([(b['kind'], b['period'], b['amount']) for b in parsed])\n"
    )
    act = f"""\
    apis.file_system.create_directory(access_token=file_system_token, path={folder!r})
    for f in old:
        apis.file_system.move_file(access_token=file_system_token, source=f['path'], destination={folder!r})
    totals = {{}}
    for b in parsed:
        totals[b['kind']] = totals.get(b['kind'], 0.0) + b['amount']
    lines = [f"{{kind}}: ${{round(t, 2):.2f}}" for kind, t in sorted(totals.items())]
    lines.append(f"Total: ${{round(sum(totals.values()), 2):.2f}}")
    apis.notes.create_note(access_token=notes_token, title='Bills {year}', content='\\n'.join(lines))
    """
    unshare = fetch_all("shares", "apis.file_system.show_my_shared_files(access_token=file_system_token")
    unshare += (
        "for s in shares:\n"
        f"    if s['path'].startswith({folder + '/'!r}):\n"
        "        apis.file_system.unshare_file(access_token=file_system_token, path=s['path'], "
        "email=s['shared_with']['email'])\n"
    )
    check = fetch_all("moved", f"apis.file_system.show_directory(access_token=file_system_token, path={folder!r}")
    check += "print(len(moved))\n"
    shares = view.rows(
        "SELECT s.id, f.path, p.email FROM file_system_shares s JOIN file_system_files f ON f.id = s.file_id JOIN "
        f"people p ON p.id = s.shared_with_id WHERE s.owner_id = ? AND f.id IN ({', '.join('?' * len(old))}) "
        "ORDER BY s.id",
        owner,
        *[b["id"] for b in old],
    )
    expectations: list[Expectation] = [
        Inserted(
            "file_system_directories",
            {"owner_id": owner, "path": folder},
            f"the folder {folder} exists",
            what=f"directories {folder}",
        ),
        Inserted(
            "notes_notes",
            new_note(owner, f"Bills {year}", receipt(lines, total)),
            f"a note 'Bills {year}' with one total per kind then '{total}'",
            what=f"notes 'Bills {year}'",
        ),
    ]
    expectations += [
        Updated(
            "file_system_files",
            b["id"],
            {"path": f"{folder}/{b['path'].rsplit('/', 1)[1]}"},
            f"{b['path']} is moved into {folder}",
        )
        for b in old
    ]
    if shares:
        shared = ", ".join(f"{s['path'].rsplit('/', 1)[1]} with {s['email']}" for s in shares)
        expectations.append(
            Deleted(
                "file_system_shares",
                frozenset(s["id"] for s in shares),
                f"the moved bills are no longer shared ({shared})",
                what="shares of the moved bills",
            )
        )
    return TaskSpec(
        owner,
        f"Tidy up my bills: move every bill file of {year} (its name has '_{year}-') from {BILLS} into a new folder "
        f"{folder}, keeping the names, and make a note titled 'Bills {year}' with one line per kind of bill, "
        "'<kind>: $<total of that kind in the year>' (kind as in the file names, two decimals), then 'Total: $<all of "
        "them>'. Archived bills should stay private: stop sharing any of the moved files with whoever I shared it "
        "with. Tell me how many files you moved.",
        Solution()
        .step(login("file_system", "notes"))
        .step(look)
        .step(act)
        .step(unshare)
        .step(check)
        .step(done("len(old)"))
        .steps(),
        [*expectations, Answer(len(old), f"{len(old)} files were moved")],
    )


DAYS = {"Mon": 0, "Tue": 1, "Wed": 2, "Thu": 3, "Fri": 4, "Sat": 5, "Sun": 6}


OVERDUE_AT_LEAST = 6  # overdue to-dos handed to others in life_overdue_assigned_texts: one thread read each


@scenario("life_overdue_assigned_texts", apps=("todo", "phone"))
def overdue_assigned_texts(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep: every overdue task handed to someone else (6+ of them, over pages) has its comment thread read
    (show_task_comments, one call each) to leave out the ones its assignee said they are on; the same words from
    someone else do not count; each other one gets a text and a comment. Assignees are collaborators, whom the
    world puts in the owner's phone contacts, so the pool keeps only owners whose chased assignees all are."""
    cases = []
    for row in view.rows(
        "SELECT owner_id FROM todo_tasks WHERE assignee_id IS NOT NULL AND assignee_id != owner_id AND completed = 0 "
        f"AND due_date < ? GROUP BY owner_id HAVING COUNT(*) BETWEEN {OVERDUE_AT_LEAST} AND 14 ORDER BY owner_id",
        TODAY,
    ):
        overdue = view.rows(
            "SELECT t.id, t.title, t.due_date, p.id AS person, p.first_name, p.email FROM todo_tasks t JOIN people p "
            "ON p.id = t.assignee_id WHERE t.owner_id = ? AND t.assignee_id != t.owner_id AND t.completed = 0 AND "
            "t.due_date < ? ORDER BY t.due_date, t.id",
            row["owner_id"],
            TODAY,
        )
        chased = [t for t in overdue if not on_it(view, t["id"], t["person"])]
        known = {r["email"] for r in view.rows("SELECT email FROM phone_contacts WHERE owner_id = ?", row["owner_id"])}
        if 2 <= len(chased) < len(overdue) and all(t["email"] in known for t in chased):
            cases.append((row["owner_id"], chased))
    owner, late = pick(
        rng,
        cases,
        f"person with {OVERDUE_AT_LEAST}+ overdue assigned tasks, one of them said to be in hand",
        distinct=True,
    )
    look = fetch_all("overdue", "apis.todo.show_overdue_tasks(access_token=todo_token")
    look += "theirs = [t for t in overdue if t['assignee_email'] and t['assignee_email'] != me['email']]\n"
    look += fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token")
    look += "phones = {c['email']: c for c in contacts if c['email']}\n"
    look += "print([(t['title'], t['due_date'], t['assignee_email']) for t in theirs])\n"
    read = "chase = []\nfor t in theirs:\n" + on_it_code("t", "t['assignee_email']", "started", indent="    ")
    read += "    if not started:\n        chase.append(t)\nprint([t['title'] for t in chase])\n"
    act = """\
    texted = 0
    for t in chase:
        contact = phones[t['assignee_email']]
        apis.phone.send_text_message(access_token=phone_token, phone_number=contact['phone_number'],
                                     message=f"Hi {contact['first_name']}, a reminder: '{t['title']}' was due "
                                             f"{t['due_date']}.")
        texted += 1
        apis.todo.add_task_comment(access_token=todo_token, task_id=t['task_id'], text='Reminded by text')
    """
    check = "print(texted)\n"
    expectations: list[Expectation] = []
    firsts = {
        c["email"]: c["first_name"]
        for c in view.rows("SELECT email, first_name FROM phone_contacts WHERE owner_id = ?", owner)
        if c["email"]
    }
    messages = {t["id"]: f"Hi {firsts[t['email']]}, a reminder: '{t['title']}' was due {t['due_date']}." for t in late}
    alike = Counter((t["person"], messages[t["id"]]) for t in late)  # two to-dos of one title, due, assignee
    texted: set[tuple[int, str]] = set()
    for t in late:
        expectations.append(
            Inserted(
                "todo_comments",
                {"task_id": t["id"], "owner_id": owner, "text": "Reminded by text", "created_at": NOW},
                f"task '{t['title']}' has the comment 'Reminded by text'",
                what=f"comments on task {t['id']}",
            )
        )
        key = (t["person"], messages[t["id"]])
        if key not in texted:
            texted.add(key)
            expectations.append(
                Inserted(
                    "phone_messages",
                    {"sender_id": owner, "receiver_id": t["person"], "message": key[1], "sent_at": NOW, "is_read": 0},
                    f"{t['email']} is reminded of '{t['title']}'"
                    + (f" ({alike[key]} alike)" if alike[key] > 1 else ""),
                    count=alike[key],
                    what=f"texts to {t['email']} about {t['title']!r}",
                )
            )
    return TaskSpec(
        owner,
        "Chase the overdue todo tasks in my projects that are assigned to someone else: for each, text the assignee "
        "at their number in my phone contacts, 'Hi <first name as in my contacts>, a reminder: '<task title>' was "
        "due <due date as YYYY-MM-DD>.', and comment on the task 'Reminded by text'. Leave out a task its assignee "
        f"is on already (their own latest comment on it is {SAID_ON_IT}). Tell me how many texts you sent.",
        Solution()
        .step(login("todo", "phone"))
        .step(look)
        .step(read)
        .step(act)
        .step(check)
        .step(done("texted"))
        .steps(),
        [*expectations, Answer(len(late), f"{len(late)} texts were sent")],
    )


@scenario("life_meetings_followup_todo", apps=("calendar", "todo"))
def meetings_followup_todo(view: WorldView, rng: random.Random) -> TaskSpec:
    """Each accepted one-off meeting of a span becomes a follow-up task naming the others who accepted it. Deep
    because who else accepted is only in each event's show_event (the invitation list has a count): 10-16 meetings,
    each read, then a task each; declined, tentative and pending attendees are distractors."""
    since, until = "2026-03-01", "2026-05-17"
    accepted = (
        "SELECT {} FROM calendar_attendees a JOIN calendar_events e ON e.id = a.event_id WHERE a.person_id {} AND "
        "a.response = 'accepted' AND e.status = 'confirmed' AND e.recurrence = 'none' AND e.organizer_id != "
        "a.person_id AND substr(e.start, 1, 10) BETWEEN ? AND ? {}"
    )
    owners = view.rows(
        accepted.format("a.person_id", "IS NOT NULL", "GROUP BY a.person_id HAVING COUNT(*) BETWEEN 10 AND 16")
        + " ORDER BY a.person_id",
        since,
        until,
    )
    owners = [o for o in owners if project_of(view, o["person_id"], "Work")]
    owner = pick(rng, owners, "person who went to 10-16 meetings", distinct=True)["person_id"]
    project = project_of(view, owner, "Work")
    assert project is not None
    met = view.rows(
        accepted.format("e.id, e.title, e.start, e.organizer_id", "= ?", "ORDER BY e.start, e.id"), owner, since, until
    )
    look = fetch_all(
        "invites",
        f"apis.calendar.show_invitations(access_token=calendar_token, response='accepted', date_from='{since}'",
    )
    look += (
        f"met = [e for e in invites if '{since}' <= e['start'][:10] <= '{until}' and e['status'] == 'confirmed' "
        "and e['recurrence'] == 'none']\n"
    )
    look += "print([(e['title'], e['start'], e['organizer']['name'], e['attendee_count']) for e in met])\n"
    read = (
        "others = {}\n"
        "for e in met:\n"
        "    event = apis.calendar.show_event(access_token=calendar_token, event_id=e['event_id'])\n"
        "    others[e['event_id']] = sorted(a['name'] for a in event['attendees'] "
        "if a['response'] == 'accepted' and a['email'] != me['email'])\n"
        "print(others)\n"
    )
    read += fetch_all("projects", "apis.todo.show_projects(access_token=todo_token, query='Work'")
    read += "work = next(p for p in projects if p['name'] == 'Work')\n"
    act = """\
    for e in met:
        description = f"Meeting on {e['start'][:10]}"
        if others[e['event_id']]:
            description += ' with ' + ', '.join(others[e['event_id']])
        apis.todo.create_task(access_token=todo_token, project_id=work['project_id'],
                              title=f"Follow up: {e['title']} ({e['organizer']['name']})", due_date='2026-05-20',
                              description=description, priority=3)
    """
    check = fetch_all(
        "tasks", "apis.todo.search_tasks(access_token=todo_token, project_id=work['project_id'], query='Follow up'"
    )
    check += "print([(t['title'], t['description']) for t in tasks])\n"
    wanted: Counter[tuple[str, str]] = Counter()
    for e in met:
        names = sorted(
            full_name(view, a["person_id"])
            for a in view.rows(
                "SELECT person_id FROM calendar_attendees WHERE event_id = ? AND response = 'accepted' AND "
                "person_id != ?",
                e["id"],
                owner,
            )
        )
        description = f"Meeting on {e['start'][:10]}" + (f" with {', '.join(names)}" if names else "")
        wanted[(f"Follow up: {e['title']} ({full_name(view, e['organizer_id'])})", description)] += 1
    expectations: list[Expectation] = [
        Inserted(
            "todo_tasks",
            new_task(owner, project["id"], title, description=description, due_date="2026-05-20", priority=3),
            f"a task '{title}' ({description}), due 2026-05-20, priority 3",
            count=n,
            what=f"tasks '{title}'",
        )
        for (title, description), n in sorted(wanted.items())
    ]
    return TaskSpec(
        owner,
        f"Follow up on the meetings I went to from {since} to {until}: for each one-off (not repeating), not "
        "cancelled calendar event in that time that I was invited to and accepted, add a task 'Follow up: <event "
        "title> (<organizer's full name>)' to my Work project in my todo app, due 2026-05-20, priority 3, described "
        "'Meeting on <YYYY-MM-DD> with <full names of the other attendees who accepted, sorted alphabetically as "
        "written (by first name), joined by ', '>' (just 'Meeting on <YYYY-MM-DD>' when nobody else accepted; "
        "those who declined, did not answer or said maybe do not count).",
        Solution().step(login("calendar", "todo")).step(look).step(read).step(act).step(check).step(done()).steps(),
        expectations,
    )
