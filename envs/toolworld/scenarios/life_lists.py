"""Life admin as checklists: who owes whom on a trip, a todo project carried into a notes checklist."""

from __future__ import annotations

import random
from typing import Any

from envs.toolworld.apps._bill_splitting_core import pair_debts
from envs.toolworld.evaluate import Answer, Expectation, Inserted, NewRow, Updated
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, pick
from envs.toolworld.scenarios._life import NOW, done, project_of
from envs.toolworld.scenarios._rows import new_note, new_task
from envs.toolworld.scenarios.bill_splitting import reminder_sent
from envs.toolworld.scenarios.life_trips import FIND_GROUP, groups_of
from envs.toolworld.tasks import TaskSpec, WorldView, scenario


def _checklist(owner: int, title: str, items: list[str]) -> list[Expectation]:
    """A new note `title` (empty text) holding `items` as unchecked checklist items, in order."""
    note = NewRow("notes_notes", {"owner_id": owner, "title": title})
    out: list[Expectation] = [
        Inserted(
            "notes_notes",
            new_note(owner, title, ""),
            f"a note '{title}' with no text besides its checklist",
            what=f"notes '{title}'",
        )
    ]
    out += [
        Inserted(
            "notes_checklist_items",
            {"note_id": note, "text": text, "checked": 0, "position": position, "created_at": NOW},
            f"item {position} of the checklist is {text!r}",
            what=f"checklist items {text!r} at {position}",
        )
        for position, text in enumerate(items, start=1)
    ]
    return out


REMIND_AT_LEAST = 2  # debtors of mine in life_trip_debts_checklist's group not yet reminded of what they owe now


def _reminded_of_now(view: WorldView, group_id: int, owner: int, owed: dict[int, float]) -> set[int]:
    """The people owing `owner` in the group whom `owner` already sent a reminder there for exactly what they owe
    now; a reminder for another amount (an old one, before later expenses) does not count."""
    sent = view.rows(
        "SELECT receiver_id, amount FROM bill_splitting_reminders WHERE group_id = ? AND sender_id = ?", group_id, owner
    )
    return {d for d, a in owed.items() if any(s["receiver_id"] == d and round(s["amount"], 2) == a for s in sent)}


@scenario("life_trip_debts_checklist", apps=("bill_splitting", "notes"))
def trip_debts_checklist(view: WorldView, rng: random.Random) -> TaskSpec:
    """Who owes whom in a group as a checklist, biggest first, and a reminder to each who owes me that amount unless
    I already reminded them of exactly it. Deep: 12-15 debts over the debts' pages, one checklist item each; whom
    I reminded of what is only in my sent reminders (every group's, over pages), and old reminders for other
    amounts do not count: the group has 2+ people to remind and 1+ already reminded of what they owe now."""
    pairs = []
    for p in groups_of(view, "AND (SELECT COUNT(*) FROM bill_splitting_members x WHERE x.group_id = g.id) >= 3"):
        ledger = pair_debts(view.conn, p["id"])
        owed = {d: a for (d, c), a in ledger.items() if c == p["owner"]}
        reminded = _reminded_of_now(view, p["id"], p["owner"], owed)
        if len(ledger) >= 12 and reminded and len(owed) - len(reminded) >= REMIND_AT_LEAST:
            pairs.append(p)
    chosen = pick(
        rng,
        pairs,
        f"group with 12+ debts, {REMIND_AT_LEAST}+ people owing me not yet reminded and 1+ reminded",
        distinct=True,
    )
    owner, name = chosen["owner"], chosen["name"]
    all_debts = pair_debts(view.conn, chosen["id"])
    debts = sorted(
        ((full_name(view, d), full_name(view, c), a) for (d, c), a in all_debts.items()),
        key=lambda x: (-x[2], x[0], x[1]),
    )
    owed = {d: a for (d, c), a in all_debts.items() if c == owner}
    to_remind = sorted(set(owed) - _reminded_of_now(view, chosen["id"], owner, owed))
    items = [f"{d} owes {c} ${a:.2f}" for d, c, a in debts]
    title = f"{name}: who owes whom"
    message = f"Please settle up for {name}."
    look = f"group_name = {name!r}\n" + FIND_GROUP
    look += fetch_all(
        "debts", "apis.bill_splitting.show_group_debts(access_token=bill_splitting_token, group_id=group['group_id']"
    )
    look += "debts.sort(key=lambda d: (-d['amount'], d['debtor']['name'], d['creditor']['name']))\nprint(debts)\n"
    act = f"""\
    note = apis.notes.create_note(access_token=notes_token, title={title!r})
    for d in debts:
        text = f"{{d['debtor']['name']}} owes {{d['creditor']['name']}} ${{d['amount']:.2f}}"
        apis.notes.add_checklist_item(access_token=notes_token, note_id=note['note_id'], text=text)
    biggest = debts[0]['debtor']['name']
    """
    check = fetch_all("items", "apis.notes.show_checklist(access_token=notes_token, note_id=note['note_id']")
    check += "print([i['text'] for i in items])\n"
    history = fetch_all("sent", "apis.bill_splitting.show_reminders(access_token=bill_splitting_token, box='sent'")
    history += (
        "mine = [d for d in debts if d['creditor']['email'] == me['email']]\n"
        "done_already = {r['receiver']['email'] for r in sent if r['group_id'] == group['group_id'] "
        "and any(r['receiver']['email'] == d['debtor']['email'] and round(r['amount'], 2) == round(d['amount'], 2) "
        "for d in mine)}\n"
        "print([(d['debtor']['email'], d['amount']) for d in mine], done_already)\n"
    )
    remind = f"""\
    for d in mine:
        if d['debtor']['email'] not in done_already:
            apis.bill_splitting.send_payment_reminder(access_token=bill_splitting_token, group_id=group['group_id'],
                                                      email=d['debtor']['email'], message={message!r})
    print(apis.bill_splitting.show_reminders(access_token=bill_splitting_token, box='sent', page_limit=20)[:5])
    """
    return TaskSpec(
        owner,
        f"Make a checklist of who owes whom in my bill-splitting group '{name}', so we can tick debts off as people "
        f"pay: a new note titled '{title}' (no text, only its checklist) whose checklist has one item per debt, "
        "'<debtor full name> owes <creditor full name> $<amount>' (two decimals), biggest amount first (ties by "
        "debtor then creditor name). Then send a "
        f"payment reminder in the group, with the message '{message}', to each member there who owes me, unless I "
        "already sent them a reminder in that group for exactly what they owe me now (a reminder for another amount "
        "does not count). Tell me who owes the biggest of those amounts on the checklist (their full name).",
        Solution()
        .step(login("bill_splitting", "notes"))
        .step(look)
        .step(act)
        .step(check)
        .step(history)
        .step(remind)
        .step(done("biggest"))
        .steps(),
        [
            *_checklist(owner, title, items),
            *(reminder_sent(view, chosen["id"], owner, d, owed[d], message) for d in to_remind),
            Answer(debts[0][0], f"{debts[0][0]} owes the biggest amount"),
        ],
    )


LOOK_ALIKE_PROJECTS = {"Home": "Home Renovation", "Errands": "Old errands", "Work": "Work 2025"}


def _open_top_level(view: WorldView, project_id: int) -> list[dict[str, Any]]:
    """The project's open top-level tasks in checklist order, each with its latest comment (None without one)."""
    return view.rows(
        "SELECT t.title, t.due_date, (SELECT c.text FROM todo_comments c WHERE c.task_id = t.id ORDER BY c.id DESC "
        "LIMIT 1) AS latest FROM todo_tasks t WHERE t.project_id = ? AND t.completed = 0 AND t.parent_id IS NULL "
        "ORDER BY t.due_date IS NULL, t.due_date, t.id",
        project_id,
    )


@scenario("life_project_checklist_note", apps=("todo", "notes"))
def project_checklist_note(view: WorldView, rng: random.Random) -> TaskSpec:
    """A todo project copied into a notes checklist, each item carrying its task's latest comment. Deep because the
    comments are only in each task's show_task_comments: 9-15 open top-level tasks, each read, then an item each;
    a look-alike project and subtasks are distractors."""
    candidates = []
    for name, other in LOOK_ALIKE_PROJECTS.items():
        for row in view.rows(
            "SELECT p.owner_id FROM todo_projects p WHERE p.name = ? AND p.archived = 0 AND EXISTS (SELECT 1 FROM "
            "todo_projects o WHERE o.owner_id = p.owner_id AND o.name = ?) ORDER BY p.owner_id",
            name,
            other,
        ):
            project = project_of(view, row["owner_id"], name)
            tasks = _open_top_level(view, project["id"]) if project else []
            if project and 9 <= len(tasks) <= 15 and any(t["latest"] for t in tasks):
                candidates.append({"owner": row["owner_id"], "name": name, "id": project["id"]})
    chosen = pick(rng, candidates, "project with a look-alike, 9-15 open tasks and a comment", distinct=True)
    owner, name = chosen["owner"], chosen["name"]
    tasks = _open_top_level(view, chosen["id"])
    items = [
        t["title"] + (f" (due {t['due_date']})" if t["due_date"] else "") + (f" - {t['latest']}" if t["latest"] else "")
        for t in tasks
    ]
    title = f"{name} to-do"
    look = fetch_all("projects", f"apis.todo.show_projects(access_token=todo_token, query={name!r}")
    look += f"project = next(p for p in projects if p['name'] == {name!r})\n"
    look += fetch_all(
        "tasks", "apis.todo.search_tasks(access_token=todo_token, project_id=project['project_id'], completed=False"
    )
    look += "top = [t for t in tasks if not t['parent_task_id']]\n"
    look += "top.sort(key=lambda t: (t['due_date'] is None, t['due_date'] or '', t['task_id']))\n"
    look += "print(len(tasks), [(t['title'], t['due_date']) for t in top])\n"
    read = (
        "latest = {}\n"
        "for t in top:\n"
        "    comments = apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id'], page_limit=20)\n"
        "    latest[t['task_id']] = comments[-1]['text'] if comments else None\n"
        "print(latest)\n"
    )
    act = f"""\
    note = apis.notes.create_note(access_token=notes_token, title={title!r})
    for t in top:
        text = t['title'] + (f" (due {{t['due_date']}})" if t['due_date'] else '')
        if latest[t['task_id']]:
            text += ' - ' + latest[t['task_id']]
        apis.notes.add_checklist_item(access_token=notes_token, note_id=note['note_id'], text=text)
    """
    check = fetch_all("items", "apis.notes.show_checklist(access_token=notes_token, note_id=note['note_id']")
    check += "print([i['text'] for i in items])\n"
    return TaskSpec(
        owner,
        f"Copy my open '{name}' todo project (not '{LOOK_ALIKE_PROJECTS[name]}') into a checklist: a new note titled "
        f"'{title}' whose checklist has one item per open task of the project, leaving out subtasks, written "
        "'<task title> (due <YYYY-MM-DD>)', or just the title when it has no due date, followed by ' - <text of the "
        "task's latest comment>' when the task has comments, so I see where each stands; tasks with the soonest due "
        "date first, those without one last (ties by task id, the smaller first). Tell me how many items "
        "that makes.",
        Solution()
        .step(login("todo", "notes"))
        .step(look)
        .step(read)
        .step(act)
        .step(check)
        .step(done("len(top)"))
        .steps(),
        [*_checklist(owner, title, items), Answer(len(items), f"the checklist has {len(items)} items")],
    )


@scenario("life_grocery_note_to_tasks", apps=("notes", "todo"))
def grocery_note_to_tasks(view: WorldView, rng: random.Random) -> TaskSpec:
    candidates = []
    for note in view.rows(
        "SELECT n.owner_id, n.id FROM notes_notes n WHERE n.title = 'Groceries' AND n.trashed_at IS NULL AND "
        "(SELECT COUNT(*) FROM notes_notes m WHERE m.owner_id = n.owner_id AND m.title = 'Groceries' AND "
        "m.trashed_at IS NULL) = 1 AND EXISTS (SELECT 1 FROM notes_checklist_items i WHERE i.note_id = n.id AND "
        "i.checked = 0) ORDER BY n.owner_id"
    ):
        if project_of(view, note["owner_id"], "Groceries"):
            candidates.append(note)
    chosen = pick(rng, candidates, "Groceries note with unticked items", distinct=True)
    owner = chosen["owner_id"]
    project = project_of(view, owner, "Groceries")
    assert project is not None
    items = view.rows(
        "SELECT id, text FROM notes_checklist_items WHERE note_id = ? AND checked = 0 ORDER BY position, id",
        chosen["id"],
    )
    have = {
        r["title"].lower()
        for r in view.rows("SELECT title FROM todo_tasks WHERE project_id = ? AND completed = 0", project["id"])
    }
    look = fetch_all("notes", "apis.notes.search_notes(access_token=notes_token, query='Groceries'")
    look += "note = next(n for n in notes if n['title'] == 'Groceries')\n"
    look += fetch_all("items", "apis.notes.show_checklist(access_token=notes_token, note_id=note['note_id']")
    look += "todo_items = [i for i in items if not i['checked']]\n"
    look += fetch_all("projects", "apis.todo.show_projects(access_token=todo_token, query='Groceries'")
    look += "groceries = next(p for p in projects if p['name'] == 'Groceries')\n"
    look += fetch_all(
        "tasks", "apis.todo.search_tasks(access_token=todo_token, project_id=groceries['project_id'], completed=False"
    )
    look += "have = {t['title'].lower() for t in tasks}\nprint([i['text'] for i in todo_items], sorted(have))\n"
    act = """\
    added = 0
    for i in todo_items:
        title = 'Buy ' + i['text']
        if title.lower() not in have:
            apis.todo.create_task(access_token=todo_token, project_id=groceries['project_id'], title=title)
            have.add(title.lower())
            added += 1
        apis.notes.update_checklist_item(access_token=notes_token, item_id=i['item_id'], checked=True)
    """
    check = fetch_all(
        "left", "apis.notes.show_checklist(access_token=notes_token, note_id=note['note_id'], checked=False"
    )
    check += "print(left, added)\n"
    expectations: list[Expectation] = []
    added = 0
    for item in items:
        title = f"Buy {item['text']}"
        if title.lower() not in have:
            have.add(title.lower())
            added += 1
            expectations.append(
                Inserted(
                    "todo_tasks",
                    new_task(owner, project["id"], title),
                    f"a task '{title}' in my Groceries project",
                    what=f"tasks '{title}'",
                )
            )
        expectations.append(
            Updated("notes_checklist_items", item["id"], {"checked": 1}, f"'{item['text']}' is ticked in the note")
        )
    return TaskSpec(
        owner,
        "Move my grocery list into my todo app: for each unticked item of the checklist in my 'Groceries' note, add a "
        "task 'Buy <item>' (the item's text as written) to my Groceries project, unless an open task with that title "
        "(ignoring case) is already there, and tick the item in the note either way. Tell me how many tasks you "
        "added.",
        Solution().step(login("notes", "todo")).step(look).step(act).step(check).step(done("added")).steps(),
        [*expectations, Answer(added, f"{added} tasks were added", traps={str(len(items)): "some were already there"})],
    )
