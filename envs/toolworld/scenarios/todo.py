"""Scenarios on the todo app: closing, counting, rescheduling and labelling tasks."""

from __future__ import annotations

import random
from typing import Any

from envs.toolworld.evaluate import Answer, Deleted, Expectation, Inserted, Updated
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios._threads import SAID_ON_IT, on_it, on_it_code
from envs.toolworld.scenarios._work import DONE, NOW, TODAY, day, labels_with
from envs.toolworld.tasks import TaskSpec, WorldView, scenario


@scenario("todo_close_titled", apps=("todo",))
def close_titled(view: WorldView, rng: random.Random) -> TaskSpec:
    """Close five to-dos found by their exact titles (others contain them), each with its open subtasks (read per
    to-do), a comment and no reminder left (read per to-do); the answer is what remains open in their projects."""
    rows = view.rows(
        "SELECT t.* FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE t.completed = 0 "
        "AND t.recurrence IS NULL AND p.archived = 0 AND t.parent_id IS NULL "
        "AND (SELECT COUNT(*) FROM todo_tasks u WHERE u.owner_id = t.owner_id AND u.title = t.title) = 1 ORDER BY t.id"
    )
    by_owner: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        by_owner.setdefault(r["owner_id"], []).append(r)
    reminded = {r["task_id"]: r["id"] for r in view.rows("SELECT id, task_id FROM todo_reminders ORDER BY id")}
    owners = sorted(o for o, ts in by_owner.items() if len(ts) >= 8 and any(t["id"] in reminded for t in ts))
    owner = pick(rng, owners, "owner with open to-dos, one with a reminder", distinct=True)
    first = rng.choice([t for t in by_owner[owner] if t["id"] in reminded])
    tasks = [first, *rng.sample([t for t in by_owner[owner] if t["id"] != first["id"]], 4)]
    comment = rng.choice(("Done.", "Finished today.", "All sorted."))
    projects = sorted({t["project_id"] for t in tasks})
    subtasks = {
        t["id"]: view.rows("SELECT id, title FROM todo_tasks WHERE parent_id = ? AND completed = 0", t["id"])
        for t in tasks
    }
    closing = len(tasks) + sum(len(s) for s in subtasks.values())
    left = (
        sum(view.value("SELECT COUNT(*) FROM todo_tasks WHERE project_id = ? AND completed = 0", p) for p in projects)
        - closing
    )
    titles = [t["title"] for t in tasks]
    look = (
        login("todo") + f"titles = {titles!r}\n" + "targets = []\n"
        "for title in titles:\n"
        + fetch_all(
            "found", "apis.todo.search_tasks(access_token=todo_token, query=title, completed=False", indent="    "
        )
        + "    targets.append(next(t for t in found if t['title'] == title))\n"
        "print([(t['task_id'], t['title'], t['project']['name']) for t in targets])\n"
    )
    subs = (
        "open_subtasks = {}\n"
        "for t in targets:\n"
        + fetch_all("subtasks", "apis.todo.show_subtasks(access_token=todo_token, task_id=t['task_id']", indent="    ")
        + "    open_subtasks[t['task_id']] = [s for s in subtasks if not s['completed']]\n"
        "print({k: [s['title'] for s in v] for k, v in open_subtasks.items()})\n"
    )
    act = f"""
        for t in targets:
            for s in open_subtasks[t['task_id']]:
                apis.todo.close_task(access_token=todo_token, task_id=s['task_id'])
            apis.todo.close_task(access_token=todo_token, task_id=t['task_id'])
            apis.todo.add_task_comment(access_token=todo_token, task_id=t['task_id'], text={comment!r})
            for r in apis.todo.show_reminders(access_token=todo_token, task_id=t['task_id'], include_past=True):
                apis.todo.delete_reminder(access_token=todo_token, reminder_id=r['reminder_id'])
        """
    check = (
        "left = 0\n"
        "for project_id in sorted({t['project']['project_id'] for t in targets}):\n"
        + fetch_all(
            "still",
            "apis.todo.search_tasks(access_token=todo_token, project_id=project_id, completed=False",
            indent="    ",
        )
        + "    left += len(still)\n"
        "apis.supervisor.complete_task(answer=left)\n"
    )
    expectations: list[Expectation] = []
    for t in tasks:
        expectations += [
            Updated("todo_tasks", s["id"], {"completed": 1, "completed_at": NOW}, f"its subtask '{s['title']}' is done")
            for s in subtasks[t["id"]]
        ]
        expectations += [
            Updated("todo_tasks", t["id"], {"completed": 1, "completed_at": NOW}, f"'{t['title']}' is completed"),
            Inserted(
                "todo_comments",
                {"task_id": t["id"], "owner_id": owner, "text": comment, "created_at": NOW},
                f"'{t['title']}' has the comment '{comment}'",
                what=f"comments on '{t['title']}'",
            ),
        ]
    expectations.append(
        Deleted(
            "todo_reminders",
            frozenset(reminded[t["id"]] for t in tasks if t["id"] in reminded),
            "the reminders of the finished to-dos are deleted",
            what="reminders",
        )
    )
    expectations.append(
        Answer(left, f"the answer is how many open to-dos their projects still have ({left})", traps={"5": "one page"})
    )
    quoted = ", ".join(f"'{t}'" for t in titles)
    return TaskSpec(
        owner,
        f"I finished these to-dos: {quoted} (exact titles; some of my other to-dos have similar ones). Mark each as "
        f"done, along with any of its subtasks still open, comment '{comment}' on each and delete any reminder set "
        "on them. Then tell me how many open "
        "to-dos (subtasks included) their projects still have, all together.",
        Solution().step(look).step(subs).step(act).step(check).steps(),
        expectations,
    )


@scenario("todo_count_open", apps=("todo",))
def count_open(view: WorldView, rng: random.Random) -> TaskSpec:
    """Computed values over every page (open and overdue to-dos of the active projects), then the important overdue
    ones without a reminder get one for tomorrow and every active project is colour-coded by whether it has one."""
    active = "JOIN todo_projects p ON p.id = t.project_id WHERE t.completed = 0 AND p.archived = 0"
    owners = view.rows(
        f"SELECT t.owner_id, COUNT(*) AS n, SUM(t.due_date < ?) AS late FROM todo_tasks t {active} "
        "GROUP BY t.owner_id HAVING late BETWEEN 15 AND 30 ORDER BY t.owner_id",
        TODAY,
    )
    c = pick(rng, owners, "owner with 15-30 overdue to-dos", distinct=True)
    owner = c["owner_id"]
    overdue = view.rows(
        "SELECT t.id, t.title, t.project_id, t.priority, "
        "EXISTS (SELECT 1 FROM todo_reminders r WHERE r.task_id = t.id) AS reminded "
        f"FROM todo_tasks t {active} AND t.owner_id = ? AND t.due_date < ? ORDER BY t.id",
        owner,
        TODAY,
    )
    late_projects = {t["project_id"] for t in overdue}
    projects = view.rows("SELECT id, name, color FROM todo_projects WHERE owner_id = ? AND archived = 0", owner)
    remind_at = f"{day(1)}T09:00"
    look = (
        login("todo")
        + fetch_all("projects", "apis.todo.show_projects(access_token=todo_token")
        + "print([(p['name'], p['open_tasks'], p['color']) for p in projects])\n"
        + fetch_all("open_tasks", "apis.todo.search_tasks(access_token=todo_token, completed=False")
        + fetch_all("late", "apis.todo.show_overdue_tasks(access_token=todo_token")
        + "print(len(open_tasks), len(late))\n"
    )
    remind = (
        fetch_all("reminders", "apis.todo.show_reminders(access_token=todo_token, include_past=True")
        + "reminded = {r['task_id'] for r in reminders}\n"
        "for t in late:\n"
        "    if t['priority'] <= 3 and t['task_id'] not in reminded:\n"
        f"        apis.todo.add_reminder(access_token=todo_token, task_id=t['task_id'], remind_at={remind_at!r})\n"
    )
    colour = (
        "late_projects = {t['project']['project_id'] for t in late}\n"
        "for p in projects:\n"
        "    wanted = 'red' if p['project_id'] in late_projects else 'green'\n"
        "    if p['color'] != wanted:\n"
        "        apis.todo.update_project(access_token=todo_token, project_id=p['project_id'], color=wanted)\n"
        "apis.supervisor.complete_task(answer=[len(open_tasks), len(late)])\n"
    )
    expectations: list[Expectation] = [
        Inserted(
            "todo_reminders",
            {"task_id": t["id"], "owner_id": owner, "remind_at": f"{remind_at}:00"},
            f"the overdue to-do '{t['title']}' gets a reminder at {remind_at}",
            what=f"reminders of '{t['title']}'",
        )
        for t in overdue
        if t["priority"] <= 3 and not t["reminded"]
    ]
    for p in projects:
        wanted = "red" if p["id"] in late_projects else "green"
        if p["color"] != wanted:
            expectations.append(Updated("todo_projects", p["id"], {"color": wanted}, f"'{p['name']}' is {wanted}"))
    expectations.append(
        Answer(
            [c["n"], c["late"]],
            f"the answer is [open, overdue] = [{c['n']}, {c['late']}]",
            ordered=True,
            traps={"[5|5]": "only the first page of each list was counted (page_limit default 5)"},
        )
    )
    return TaskSpec(
        owner,
        "How many to-dos do I still have open across all my active projects, and how many of those are overdue? "
        "Answer with the two numbers in that order. While you are at it: give each overdue to-do of priority 1 to 3 "
        f"that has no reminder yet a reminder at {remind_at}, and color-code my active projects: red if it has an "
        "overdue to-do, green if not.",
        Solution().step(look).step(remind).step(colour).steps(),
        expectations,
    )


@scenario("todo_postpone_project", apps=("todo",))
def postpone_project(view: WorldView, rng: random.Random) -> TaskSpec:
    """Every overdue open to-do of a project moves to one date and says so in a comment; its reminders that would
    go off before that date are deleted (reminders read per to-do)."""
    groups = view.rows(
        "SELECT t.owner_id, p.id AS project_id, p.name FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id "
        "WHERE t.completed = 0 AND t.due_date < ? AND p.archived = 0 AND (SELECT COUNT(*) FROM todo_projects q "
        "WHERE q.owner_id = p.owner_id AND q.name = p.name) = 1 GROUP BY p.id HAVING COUNT(*) BETWEEN 7 AND 14 "
        "ORDER BY p.id",
        TODAY,
    )
    g = pick(rng, groups, "project with 7-14 overdue tasks", distinct=True)
    new_date = rng.choice(["2026-05-25", "2026-05-31", "2026-06-05"])
    rows = view.rows(
        "SELECT id, title FROM todo_tasks WHERE project_id = ? AND completed = 0 AND due_date < ?",
        g["project_id"],
        TODAY,
    )
    look = (
        login("todo")
        + fetch_all("projects", f"apis.todo.show_projects(access_token=todo_token, query={g['name']!r}")
        + f"project = next(p for p in projects if p['name'] == {g['name']!r})\n"
        + fetch_all(
            "late",
            "apis.todo.search_tasks(access_token=todo_token, project_id=project['project_id'], completed=False, "
            f"due_before={TODAY!r}",
        )
        + "print([(t['title'], t['due_date']) for t in late])\n"
    )
    act = f"""
        for t in late:
            apis.todo.update_task(access_token=todo_token, task_id=t['task_id'], due_date={new_date!r})
            apis.todo.add_task_comment(access_token=todo_token, task_id=t['task_id'],
                                       text='Postponed from ' + t['due_date'] + '.')
            for r in apis.todo.show_reminders(access_token=todo_token, task_id=t['task_id'], include_past=True,
                                              page_limit=20):
                if r['remind_at'] < {new_date!r}:
                    apis.todo.delete_reminder(access_token=todo_token, reminder_id=r['reminder_id'])
        """
    check = fetch_all("still", "apis.todo.show_overdue_tasks(access_token=todo_token, project_id=project['project_id']")
    check += "print(still)\n" + DONE
    expectations: list[Expectation] = []
    for r in view.rows(
        "SELECT id, title, due_date FROM todo_tasks WHERE id IN (" + ",".join(str(r["id"]) for r in rows) + ")"
    ):
        expectations.append(Updated("todo_tasks", r["id"], {"due_date": new_date}, f"'{r['title']}' is due {new_date}"))
        expectations.append(
            Inserted(
                "todo_comments",
                {
                    "task_id": r["id"],
                    "owner_id": g["owner_id"],
                    "text": f"Postponed from {r['due_date']}.",
                    "created_at": NOW,
                },
                f"'{r['title']}' has the comment 'Postponed from {r['due_date']}.'",
                what="comments",
            )
        )
    early = frozenset(
        r["id"]
        for r in view.rows(
            "SELECT id FROM todo_reminders WHERE remind_at < ? AND task_id IN ("
            + ",".join(str(r["id"]) for r in rows)
            + ")",
            new_date,
        )
    )
    if early:
        expectations.append(
            Deleted("todo_reminders", early, f"the reminders before {new_date} on the moved to-dos are deleted")
        )
    return TaskSpec(
        g["owner_id"],
        f"Every open to-do in my '{g['name']}' project that is overdue should now be due on {new_date}. On each one "
        "you move, add the comment 'Postponed from <its old due date YYYY-MM-DD>.', and delete any reminder on it "
        f"set before {new_date}.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )


URGENT_NOTE = "This is urgent now: priority 1."
TOLD_AT_LEAST = 2  # to-dos handed to others that gain 'urgent' in todo_label_top_priority: one thread read each


def _handed_off(view: WorldView, owner: int, rows: list[dict[str, Any]]) -> tuple[list[int], list[int]]:
    """The to-dos among `rows` handed to someone else: (those whose assignee is not on it yet, those they are on)."""
    theirs = [r for r in rows if r["assignee_id"] and r["assignee_id"] != owner]
    on = [r["id"] for r in theirs if on_it(view, r["id"], r["assignee_id"])]
    return [r["id"] for r in theirs if r["id"] not in on], on


@scenario("todo_label_top_priority", apps=("todo",))
def label_top_priority(view: WorldView, rng: random.Random) -> TaskSpec:
    """The 'urgent' label made to mean priority 1: added to every open priority-1 to-do lacking it and taken off the
    open ones of other priorities (both lists over pages, other labels kept), the label itself red and a favourite;
    the answer counts the to-dos that gained it. Deep: each to-do that gains it and is handed to someone else (2+)
    has its comment thread read, and gets a comment unless its assignee's own latest word says they are on it (1+
    is, 1+ is not)."""
    open_active = (
        "FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE t.completed = 0 AND p.archived = 0 "
        "AND t.owner_id = ?"
    )
    urgent = "instr(',' || t.labels || ',', ',urgent,')"
    gain_sql = f"SELECT t.id, t.title, t.labels, t.assignee_id {open_active} AND t.priority = 1 AND {urgent} = 0"
    lose_sql = f"SELECT t.id, t.title, t.labels {open_active} AND t.priority != 1 AND {urgent} > 0"
    owners = []
    for p in view.people_ids():
        gaining = view.rows(gain_sql, p)
        if 14 <= len(gaining) + len(view.rows(lose_sql, p)) <= 24:
            tell, on = _handed_off(view, p, gaining)
            if tell and on and len(tell) + len(on) >= TOLD_AT_LEAST:
                owners.append(p)
    owner = pick(
        rng,
        owners,
        f"owner whose urgent label is out of step, {TOLD_AT_LEAST}+ gaining to-dos handed to others, 1+ in hand",
        distinct=True,
    )
    gain, lose = view.rows(gain_sql, owner), view.rows(lose_sql, owner)
    tell, _ = _handed_off(view, owner, gain)
    label = view.row("SELECT * FROM todo_labels WHERE owner_id = ? AND name = 'urgent'", owner)
    has_filter = view.rows("SELECT id FROM todo_filters WHERE owner_id = ? AND label = 'urgent'", owner)
    look = (
        login("todo") + "labels = apis.todo.show_labels(access_token=todo_token)\n"
        "print(labels)\n"
        + fetch_all("top", "apis.todo.search_tasks(access_token=todo_token, completed=False, priority=1")
        + fetch_all("tagged", "apis.todo.search_tasks(access_token=todo_token, completed=False, label='urgent'")
        + "print([(t['title'], t['labels']) for t in top], [(t['title'], t['priority']) for t in tagged])\n"
    )
    act = """
        added = 0
        for t in top:
            if 'urgent' not in t['labels']:
                apis.todo.update_task(access_token=todo_token, task_id=t['task_id'], labels=t['labels'] + ['urgent'])
                added += 1
        for t in tagged:
            if t['priority'] != 1:
                kept = [x for x in t['labels'] if x != 'urgent']
                apis.todo.update_task(access_token=todo_token, task_id=t['task_id'], labels=kept)
        urgent = next(x for x in labels if x['label'] == 'urgent')
        if urgent['color'] != 'red' or not urgent['is_favorite']:
            apis.todo.update_label(access_token=todo_token, name='urgent', color='red', is_favorite=True)
        """
    tell_code = (
        "handed = [t for t in top if 'urgent' not in t['labels'] and t['assignee_email'] "
        "and t['assignee_email'] != me['email']]\n"
        "for t in handed:\n"
        + on_it_code("t", "t['assignee_email']", "started", indent="    ")
        + "    if not started:\n"
        f"        apis.todo.add_task_comment(access_token=todo_token, task_id=t['task_id'], text={URGENT_NOTE!r})\n"
        "    print(t['title'], t['assignee_email'], started)\n"
    )
    save = fetch_all("filters", "apis.todo.show_filters(access_token=todo_token") + (
        "mine = next((f for f in filters if f['label'] == 'urgent'), None)\n"
        "if mine is None:\n"
        "    mine = apis.todo.create_filter(access_token=todo_token, name='Urgent', label='urgent')\n"
        "print(mine)\n"
    )
    check = (
        fetch_all("urgent", "apis.todo.show_filter_tasks(access_token=todo_token, filter_id=mine['filter_id']")
        + "print(len(urgent), all(t['priority'] == 1 for t in urgent))\n"
        + "apis.supervisor.complete_task(answer=added)\n"
    )
    expectations: list[Expectation] = [
        Updated(
            "todo_tasks",
            r["id"],
            {"labels": labels_with(r["labels"], "urgent")},
            f"'{r['title']}' keeps its labels and gains 'urgent'",
        )
        for r in gain
    ]
    expectations += [
        Updated(
            "todo_tasks",
            r["id"],
            {"labels": labels_with(r["labels"], removed=("urgent",))},
            f"'{r['title']}' (not priority 1) loses 'urgent' and keeps its other labels",
        )
        for r in lose
    ]
    expectations += [
        Inserted(
            "todo_comments",
            {"task_id": r["id"], "owner_id": owner, "text": URGENT_NOTE, "created_at": NOW},
            f"'{r['title']}', handed to someone not on it yet, gets the comment {URGENT_NOTE!r}",
            what=f"comments on to-do {r['id']}",
        )
        for r in gain
        if r["id"] in tell
    ]
    wanted = {"color": "red", "is_favorite": 1}
    changed = {k: v for k, v in wanted.items() if label[k] != v}
    if changed:
        expectations.append(Updated("todo_labels", label["id"], changed, "the label 'urgent' is red and a favourite"))
    if not has_filter:
        expectations.append(
            Inserted(
                "todo_filters",
                {
                    "owner_id": owner,
                    "name": "Urgent",
                    "label": "urgent",
                    "priority": None,
                    "project_id": None,
                    "due_within_days": None,
                },
                "a saved filter 'Urgent' on the label is created (I had none)",
                what="filters",
            )
        )
    expectations.append(Answer(len(gain), f"the answer is how many to-dos gained the label ({len(gain)})"))
    return TaskSpec(
        owner,
        "Make my 'urgent' label mean priority 1: add it to each of my open priority-1 to-dos that lacks it, and take "
        "it off every open to-do that has it but is not priority 1, keeping their other labels either way. Make the "
        "label red and a favourite, and save a filter named 'Urgent' on it unless I already have a saved filter on "
        "that label. Tell whoever a to-do that gains it is handed to, with the comment "
        f"'{URGENT_NOTE}' on it, unless they are on it already (their own latest comment on it is {SAID_ON_IT}). "
        "Tell me how many to-dos gained it.",
        Solution().step(look).step(tell_code).step(act).step(save).step(check).steps(),
        expectations,
    )
