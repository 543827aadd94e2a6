"""Productivity around the todo app: plans kept in notes turned into projects, label statistics kept in files."""

from __future__ import annotations

import random
from typing import Any

from envs.toolworld.evaluate import Answer, Deleted, Expectation, InOrder, Inserted, NewRow
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios._rows import new_task
from envs.toolworld.scenarios._work import DONE, LATEST_COMMENT, NOW, WAITING
from envs.toolworld.scenarios.work_files import new_file
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

GATHER_LEAST = 9  # distinct unchecked items over the notes of a title: one to-do each


def title_checklists(view: WorldView, owner: int, title: str) -> list[dict[str, Any]]:
    """The checklist items of the owner's live notes titled `title`, newest note first."""
    return view.rows(
        "SELECT i.id, i.text, i.checked, n.id AS note_id, n.updated_at FROM notes_notes n JOIN notes_checklist_items i "
        "ON i.note_id = n.id WHERE n.owner_id = ? AND n.title = ? AND n.trashed_at IS NULL "
        "ORDER BY n.updated_at DESC, n.id, i.position",
        owner,
        title,
    )


def open_items(items: list[dict[str, Any]]) -> list[str]:
    """The distinct texts of the unchecked items, in order of first appearance."""
    return list(dict.fromkeys(i["text"] for i in items if not i["checked"]))


def gathering_told_apart(view: WorldView, owner: int, title: str) -> bool:
    """Whether the notes of a title pose the gathering: GATHER_LEAST+ open items, something checked to clear, and an
    open item only on an older note (so reading the newest note alone misses it)."""
    items = title_checklists(view, owner, title)
    if not items or sum(i["checked"] for i in items) == 0:
        return False
    newest = {i["text"] for i in items if i["note_id"] == items[0]["note_id"] and not i["checked"]}
    texts = open_items(items)
    return len(texts) >= GATHER_LEAST and any(t not in newest for t in texts)


@scenario("work_note_to_project", apps=("notes", "todo"))
def note_to_project(view: WorldView, rng: random.Random) -> TaskSpec:
    """The open checklist items of every note of a title (written over time; look-alike titles are distractors)
    become one project: one to-do per distinct unchecked item, then each note's checked items are cleared. Deep:
    each note's checklist is only in show_checklist, read per note, and 9+ items are gathered, one only on an older
    note."""
    groups = view.rows(
        "SELECT n.owner_id, n.title FROM notes_notes n WHERE n.trashed_at IS NULL AND NOT EXISTS (SELECT 1 FROM "
        "todo_projects p WHERE p.owner_id = n.owner_id AND p.name = n.title) GROUP BY n.owner_id, n.title "
        "HAVING COUNT(*) >= 2 ORDER BY MIN(n.id)"
    )
    groups = [g for g in groups if gathering_told_apart(view, g["owner_id"], g["title"])]
    note = pick(rng, groups, f"title of several notes with {GATHER_LEAST}+ open checklist items", distinct=True)
    owner, title = note["owner_id"], note["title"]
    color = rng.choice(("green", "yellow", "purple"))
    priority = rng.choice((2, 3))
    items = title_checklists(view, owner, title)
    look = (
        login("notes", "todo")
        + fetch_all("found", f"apis.notes.search_notes(access_token=notes_token, query={title!r}")
        + f"same = [n for n in found if n['title'] == {title!r}]\n"
        + "lists = {}\n"
        + "for n in same:\n"
        + "    if n['checklist_items']:\n"
        + fetch_all("checklist", "apis.notes.show_checklist(access_token=notes_token, note_id=n['note_id']", "        ")
        + "        lists[n['note_id']] = checklist\n"
        + "print(len(same), lists)\n"
    )
    act = f"""
        texts = []
        for checklist in lists.values():
            for item in checklist:
                if not item['checked'] and item['text'] not in texts:
                    texts.append(item['text'])
        project = apis.todo.create_project(access_token=todo_token, name={title!r}, color={color!r})
        for text in texts:
            apis.todo.create_task(access_token=todo_token, project_id=project['project_id'], title=text,
                                  priority={priority})
        for note_id, checklist in lists.items():
            if any(item['checked'] for item in checklist):
                apis.notes.clear_checked_items(access_token=notes_token, note_id=note_id)
        """
    check = (
        fetch_all("made", "apis.todo.search_tasks(access_token=todo_token, project_id=project['project_id']")
        + "print([t['title'] for t in made])\n"
        + DONE
    )
    project = {"owner_id": owner, "name": title}
    expectations: list[Expectation] = [
        Inserted(
            "todo_projects",
            {**project, "color": color, "is_favorite": 0, "archived": 0, "created_at": NOW},
            f"a {color} project '{title}'",
            what="projects",
        )
    ]
    for text in open_items(items):
        row = new_task(owner, NewRow("todo_projects", project), text, priority=priority)
        expectations.append(Inserted("todo_tasks", row, f"one priority-{priority} to-do '{text}'"))
    expectations.append(
        Deleted(
            "notes_checklist_items",
            frozenset(i["id"] for i in items if i["checked"]),
            f"the checked items of every '{title}' note are cleared",
            what="checklist items",
        )
    )
    return TaskSpec(
        owner,
        f"I have several notes titled '{title}', written over time, and I want to work through all their open "
        f"checklist items in one place. Make a new {color} to-do project named '{title}' with a priority-{priority} "
        "to-do (no due date) for each unchecked item of those notes' checklists, titled as the item, one to-do per "
        "item text even when several notes have it (an item unchecked in one of them counts even when another of "
        "them has it checked). Then clear the checked items from each of those notes. Notes "
        "with other titles stay as they are.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )


@scenario("work_label_stats_file", apps=("todo", "file_system"))
def label_stats_file(view: WorldView, rng: random.Random) -> TaskSpec:
    """Computed per-label counts (open from the label list, completed by reading every page, open ones waiting for a
    reply from each to-do's latest comment) written to a file. Deep because whether an open to-do waits is only in
    its show_task_comments: every open labelled to-do (15-34 of them) is read, and at least one waits."""
    stats = {person: _label_stats(view, person) for person in view.people_ids()}
    people = [
        person
        for person, (_, reads) in stats.items()
        if 15 <= reads <= 34 and any(waiting for _, waiting, _ in stats[person][0].values())
    ]
    owner = pick(rng, people, "person with 15-34 open labelled to-dos, one waiting for a reply", distinct=True)
    path = rng.choice(("/documents/todo/labels.txt", "/documents/label_report.txt"))
    counts = stats[owner][0]
    labels = sorted(counts)
    lines = [
        f"{name}: {counts[name][0]} open ({counts[name][1]} waiting for a reply), {counts[name][2]} done"
        for name in labels
    ]
    busiest = sorted(labels, key=lambda name: (-counts[name][0], name))[0]
    look = (
        login("todo", "file_system")
        + "labels = apis.todo.show_labels(access_token=todo_token)\n"
        + "done, carrying = {}, {}\n"
        + "for label in labels:\n"
        + fetch_all(
            "found",
            "apis.todo.search_tasks(access_token=todo_token, label=label['label'], completed=True, "
            "include_archived=True",
            "    ",
        )
        + "    done[label['label']] = len(found)\n"
        + fetch_all(
            "found",
            "apis.todo.search_tasks(access_token=todo_token, label=label['label'], completed=False, "
            "include_archived=True",
            "    ",
        )
        + "    carrying[label['label']] = [t['task_id'] for t in found]\n"
        + "print([(x['label'], x['open_tasks']) for x in labels], done)\n"
    )
    read = f"""
        waits = {{}}
        for ids in carrying.values():
            for task_id in ids:
                if task_id not in waits:
                    said = apis.todo.show_task_comments(access_token=todo_token, task_id=task_id, page_limit=20)
                    latest = max(said, key=lambda c: (c['created_at'], c['comment_id']))['text'] if said else None
                    waits[task_id] = latest == {WAITING!r}
        waiting = {{name: sum(waits[i] for i in ids) for name, ids in carrying.items()}}
        print(waiting)
        """
    act = f"""
        labels.sort(key=lambda x: x['label'])
        lines = [x['label'] + ': ' + str(x['open_tasks']) + ' open (' + str(waiting[x['label']])
                 + ' waiting for a reply), ' + str(done[x['label']]) + ' done' for x in labels]
        apis.file_system.create_file(access_token=file_system_token, path={path!r}, content='\\n'.join(lines),
                                     parents=True)
        busiest = sorted(labels, key=lambda x: (-x['open_tasks'], x['label']))[0]['label']
        """
    check = (
        f"print(apis.file_system.show_file(access_token=file_system_token, path={path!r}))\n"
        "apis.supervisor.complete_task(answer=busiest)\n"
    )
    expectations = new_file(
        view,
        owner,
        path,
        InOrder(lines),
        f"{path} has '<label>: <n> open (<w> waiting for a reply), <m> done' per label, by name",
    )
    expectations.append(Answer(busiest, f"the answer is '{busiest}', the label on most open to-dos"))
    return TaskSpec(
        owner,
        f"Write a report of my to-do labels to a new file {path} (make the folders if needed): one line per label, "
        "in alphabetical order, as '<label>: <open to-dos carrying it> open (<how many of those wait for a reply> "
        "waiting for a reply), <completed to-dos carrying it> done' (count every project, archived ones included, "
        f"and subtasks too). An open to-do waits for a reply when its latest comment is '{WAITING}'. Tell me which "
        "label the most open to-dos carry (on a tie, the first alphabetically).",
        Solution().step(look).step(read).step(act).step(check).steps(),
        expectations,
    )


def _label_stats(view: WorldView, owner: int) -> tuple[dict[str, tuple[int, int, int]], int]:
    """(label -> (open to-dos carrying it, of those waiting for a reply, completed ones carrying it), how many open
    to-dos carry one of the labels: each is read once)."""
    labels = [r["name"] for r in view.rows("SELECT name FROM todo_labels WHERE owner_id = ? ORDER BY name", owner)]
    tasks = view.rows(
        f"SELECT t.labels, t.completed, COALESCE({LATEST_COMMENT} = ?, 0) AS waiting FROM todo_tasks t "
        "WHERE t.owner_id = ?",
        WAITING,
        owner,
    )
    counts = {}
    for name in labels:
        carrying = [t for t in tasks if name in t["labels"].split(",")]
        open_ = [t for t in carrying if not t["completed"]]
        counts[name] = (len(open_), sum(t["waiting"] for t in open_), len(carrying) - len(open_))
    reads = sum(1 for t in tasks if not t["completed"] and set(t["labels"].split(",")) & set(labels))
    return counts, reads
