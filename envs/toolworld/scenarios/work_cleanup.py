"""Productivity around the todo app: cleaning up duplicates, finished parents and stale labels."""

from __future__ import annotations

import random

from envs.toolworld.apps.todo import next_due
from envs.toolworld.evaluate import Answer, Deleted, Expectation, Updated
from envs.toolworld.scenarios._common import Solution, fetch_all, login, other_branch, pick
from envs.toolworld.scenarios._work import LATEST_COMMENT, NOW, WAITING, day, labels_with
from envs.toolworld.tasks import TaskSpec, WorldView, scenario


def deleted_with_everything(view: WorldView, task_ids: list[int], what: str) -> list[Expectation]:
    """Deleting tasks takes their subtasks, comments and reminders with them: one Deleted per table."""
    tasks, pending = set(), list(task_ids)
    while pending:
        current = pending.pop()
        tasks.add(current)
        pending += [r["id"] for r in view.rows("SELECT id FROM todo_tasks WHERE parent_id = ?", current)]
    marks = ",".join("?" * len(tasks))
    found: list[Expectation] = [Deleted("todo_tasks", frozenset(tasks), f"exactly {what} are deleted", what="tasks")]
    for table in ("todo_comments", "todo_reminders"):
        ids = frozenset(r["id"] for r in view.rows(f"SELECT id FROM {table} WHERE task_id IN ({marks})", *tasks))
        if ids:
            found.append(Deleted(table, ids, f"the {table[5:]} of {what} go with them", what=table[5:]))
    return found


@scenario("work_dedupe_project", apps=("todo",))
def dedupe_project(view: WorldView, rng: random.Random) -> TaskSpec:
    """Open to-dos entered twice in one project: keep the copy with the most comments (then the one due first),
    delete the rest, keep its labels union. Deep because the comments are only in each copy's show_task_comments
    (11-17 copies read one by one) and in at least one title the most-discussed copy is not the one due first."""
    projects = []
    for p in view.rows(
        "SELECT p.id, p.owner_id, p.name FROM todo_projects p WHERE p.archived = 0 AND (SELECT COUNT(*) FROM "
        "(SELECT title FROM todo_tasks t WHERE t.project_id = p.id AND t.completed = 0 AND t.parent_id IS NULL "
        "GROUP BY title HAVING COUNT(*) > 1)) BETWEEN 3 AND 6 ORDER BY p.id"
    ):
        titles = _duplicate_groups(view, p["id"]).values()
        # 11+ copies to read, and in some title the most discussed copy is not the one due first
        if sum(map(len, titles)) >= 11 and any(_kept(g) is not _kept(g, by_comments=False) for g in titles):
            projects.append(p)
    project = pick(
        rng,
        projects,
        "project with 11+ duplicated open to-dos, one title's most discussed not due first",
        distinct=True,
    )
    groups = _duplicate_groups(view, project["id"])
    look = (
        login("todo")
        + fetch_all("projects", f"apis.todo.show_projects(access_token=todo_token, query={project['name']!r}")
        + f"project = next(p for p in projects if p['name'] == {project['name']!r})\n"
        + fetch_all(
            "open_tasks",
            "apis.todo.search_tasks(access_token=todo_token, project_id=project['project_id'], completed=False",
        )
        + "groups = {}\n"
        + "for t in open_tasks:\n"
        + "    if t['parent_task_id'] is None:\n"
        + "        groups.setdefault(t['title'], []).append(t)\n"
        + "groups = {title: copies for title, copies in groups.items() if len(copies) > 1}\n"
        + "print({title: len(copies) for title, copies in groups.items()})\n"
    )
    read = """
        said = {}
        for copies in groups.values():
            for t in copies:
                said[t['task_id']] = len(apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id'],
                                                                      page_limit=20))
        print(said)
        """
    act = """
        removed = 0
        for title, copies in groups.items():
            copies.sort(key=lambda t: (-said[t['task_id']], t['due_date'] is None, t['due_date'] or '',
                                       t['created_at']))
            keep, extra = copies[0], copies[1:]
            labels = set(keep['labels'])
            for t in extra:
                labels |= set(t['labels'])
                apis.todo.delete_task(access_token=todo_token, task_id=t['task_id'])
                removed += 1
            if labels != set(keep['labels']):
                apis.todo.update_task(access_token=todo_token, task_id=keep['task_id'], labels=sorted(labels))
        """
    check = (
        fetch_all(
            "after", "apis.todo.search_tasks(access_token=todo_token, project_id=project['project_id'], completed=False"
        )
        + "print(sorted(t['title'] for t in after))\n"
        + "apis.supervisor.complete_task(answer=removed)\n"
    )
    expectations: list[Expectation] = []
    gone: list[int] = []
    for title, copies in groups.items():
        keep = _kept(copies)
        extra = [t for t in copies if t is not keep]
        gone += [t["id"] for t in extra]
        merged = labels_with(keep["labels"], *(x for t in extra for x in t["labels"].split(",") if x))
        if merged != keep["labels"]:
            expectations.append(
                Updated("todo_tasks", keep["id"], {"labels": merged}, f"the kept '{title}' has every copy's labels")
            )
    expectations += deleted_with_everything(view, gone, "the extra copies")
    expectations.append(
        Answer(len(gone), f"the answer is how many copies were deleted ({len(gone)})", traps={"0": "nothing deleted"})
    )
    return TaskSpec(
        project["owner_id"],
        f"My '{project['name']}' to-do project has open to-dos entered more than once (same title; subtasks don't "
        "count). For each such title keep one: the copy with the most comments; among copies with equally many, the "
        "one due first (one without a due date comes last; on a tie, the one created first). Delete the other "
        "copies, but first give the kept one every label the copies had. Tell me how many copies you deleted.",
        Solution().step(look).step(read).step(act).step(check).steps(),
        expectations,
    )


def _duplicate_groups(view: WorldView, project_id: int) -> dict[str, list[dict]]:
    """The project's open top-level to-dos entered more than once, by title, each with its comment count."""
    groups: dict[str, list[dict]] = {}
    for r in view.rows(
        "SELECT t.id, t.title, t.due_date, t.labels, t.created_at, (SELECT COUNT(*) FROM todo_comments c "
        "WHERE c.task_id = t.id) AS comments FROM todo_tasks t WHERE t.project_id = ? AND t.completed = 0 "
        "AND t.parent_id IS NULL ORDER BY t.id",
        project_id,
    ):
        groups.setdefault(r["title"], []).append(r)
    return {title: copies for title, copies in groups.items() if len(copies) > 1}


def _kept(copies: list[dict], by_comments: bool = True) -> dict:
    """The copy kept: the most comments (unless not `by_comments`), then due first (no date last), then oldest."""
    return min(
        copies,
        key=lambda t: (
            -t["comments"] if by_comments else 0,
            t["due_date"] is None,
            t["due_date"] or "",
            t["created_at"],
        ),
    )


@scenario("work_close_finished_parents", apps=("todo",))
def close_finished_parents(view: WorldView, rng: random.Random) -> TaskSpec:
    """Conditional: a to-do whose every subtask is done gets closed; a person with none has nothing to change."""
    finished = (
        "t.parent_id IS NULL AND t.completed = 0 AND p.archived = 0 AND EXISTS (SELECT 1 FROM todo_tasks s "
        "WHERE s.parent_id = t.id) AND NOT EXISTS (SELECT 1 FROM todo_tasks s WHERE s.parent_id = t.id AND "
        "s.completed = 0)"
    )
    with_parents = (
        "EXISTS (SELECT 1 FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE t.owner_id = x.owner_id "
        "AND t.parent_id IS NOT NULL AND t.completed = 0 AND p.archived = 0)"
    )
    some = view.rows(
        f"SELECT DISTINCT t.owner_id FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE {finished} "
        "ORDER BY t.owner_id"
    )
    none = view.rows(
        f"SELECT DISTINCT x.owner_id FROM todo_tasks x WHERE {with_parents} AND x.owner_id NOT IN "
        f"(SELECT t.owner_id FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE {finished}) "
        "ORDER BY x.owner_id"
    )
    quiet = other_branch(rng)
    owner = pick(rng, none if quiet else some, "person for the finished-parents check", distinct=True)["owner_id"]
    parents = view.rows(
        f"SELECT t.id, t.title, t.recurrence, t.due_date FROM todo_tasks t JOIN todo_projects p "
        f"ON p.id = t.project_id WHERE t.owner_id = ? AND {finished} ORDER BY t.id",
        owner,
    )
    look = (
        login("todo")
        + fetch_all("open_tasks", "apis.todo.search_tasks(access_token=todo_token, completed=False")
        + "parents = {t['parent_task_id'] for t in open_tasks if t['parent_task_id'] is not None}\n"
        + "candidates = [t for t in open_tasks if t['parent_task_id'] is None]\n"
        + "print(len(open_tasks), len(candidates))\n"
    )
    act = """
        closed = []
        for t in candidates:
            if t['task_id'] in parents:
                continue
            subs = apis.todo.show_subtasks(access_token=todo_token, task_id=t['task_id'], page_limit=20)
            if subs and all(s['completed'] for s in subs):
                apis.todo.close_task(access_token=todo_token, task_id=t['task_id'])
                closed.append(t['title'])
        print(closed)
        """
    expectations: list[Expectation] = [
        Updated(
            "todo_tasks",
            t["id"],
            {"due_date": next_due(t["due_date"], t["recurrence"])},
            f"'{t['title']}' is closed: it repeats, so it is due next on {next_due(t['due_date'], t['recurrence'])}",
        )
        if t["recurrence"] and t["due_date"]
        else Updated("todo_tasks", t["id"], {"completed": 1, "completed_at": NOW}, f"'{t['title']}' is closed")
        for t in parents
    ]
    waiting = view.rows(
        "SELECT t.title FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE t.owner_id = ? "
        "AND t.parent_id IS NULL AND t.completed = 0 AND p.archived = 0 AND EXISTS (SELECT 1 FROM todo_tasks s "
        "WHERE s.parent_id = t.id AND s.completed = 0) ORDER BY t.id",
        owner,
    )
    done = "apis.supervisor.complete_task(answer=[t['title'] for t in candidates if t['task_id'] in parents])\n"
    return TaskSpec(
        owner,
        "Some of my open to-dos have subtasks. Close each open to-do all of whose subtasks are done; leave the ones "
        "with a subtask still open, and don't touch to-dos without subtasks. Then tell me the titles of the to-dos "
        "you left open because a subtask of theirs is still open.",
        Solution().step(look).step(act).step(done).steps(),
        [
            *expectations,
            Answer([t["title"] for t in waiting], "the answer lists the to-dos still waiting on a subtask"),
        ],
        noop_pass=not expectations,
    )


@scenario("work_urgent_sweep", apps=("todo",))
def urgent_sweep(view: WorldView, rng: random.Random) -> TaskSpec:
    """The 'urgent' label made true again: off every completed to-do, onto open priority-1/2 ones due within days,
    except those waiting on a reply, which are labelled 'waiting' instead. Deep because whether a to-do waits is
    only in its latest comment (each of 8-21 pressing to-dos' show_task_comments; an older 'waiting' comment
    followed by another does not count), and at least one of them waits."""
    days = rng.choice((7, 10, 14))
    pressing_sql = (
        "FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE t.completed = 0 AND p.archived = 0 "
        "AND t.priority <= 2 AND t.due_date < ? AND instr(',' || t.labels || ',', ',urgent,') = 0"
    )
    owners = view.rows(
        f"SELECT t.owner_id, COUNT(*) AS n, SUM(COALESCE({LATEST_COMMENT} = ?, 0)) AS waiting {pressing_sql} "
        "AND (SELECT COUNT(*) FROM todo_tasks x WHERE x.owner_id = t.owner_id AND x.completed = 1 "
        "AND instr(',' || x.labels || ',', ',urgent,') > 0) BETWEEN 3 AND 15 "
        "GROUP BY t.owner_id HAVING n >= 8 AND waiting >= 1 ORDER BY t.owner_id",
        WAITING,
        day(days),
    )
    owner = pick(
        rng, owners, "person with completed urgent to-dos and 8+ pressing ones, one waiting on a reply", distinct=True
    )["owner_id"]
    stale = view.rows(
        "SELECT t.id, t.title, t.labels FROM todo_tasks t WHERE t.owner_id = ? AND t.completed = 1 "
        "AND instr(',' || t.labels || ',', ',urgent,') > 0 ORDER BY t.id",
        owner,
    )
    pressing = view.rows(
        f"SELECT t.id, t.title, t.labels, COALESCE({LATEST_COMMENT} = ?, 0) AS waiting {pressing_sql} "
        "AND t.owner_id = ? ORDER BY t.id",
        WAITING,
        day(days),
        owner,
    )
    look = (
        login("todo")
        + fetch_all(
            "stale",
            "apis.todo.search_tasks(access_token=todo_token, completed=True, label='urgent', include_archived=True",
        )
        + "pressing = []\n"
        + "for priority in (1, 2):\n"
        + fetch_all(
            "found",
            "apis.todo.search_tasks(access_token=todo_token, completed=False, priority=priority, "
            f"due_before={day(days)!r}",
            "    ",
        )
        + "    pressing += [t for t in found if 'urgent' not in t['labels']]\n"
        + "print(len(stale), [(t['title'], t['due_date'], t['labels']) for t in pressing])\n"
    )
    read = f"""
        waiting = set()
        for t in pressing:
            said = apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id'], page_limit=20)
            latest = max(said, key=lambda c: (c['created_at'], c['comment_id']))['text'] if said else None
            if latest == {WAITING!r}:
                waiting.add(t['task_id'])
        print([t['title'] for t in pressing if t['task_id'] in waiting])
        """
    act = """
        for t in stale:
            apis.todo.update_task(access_token=todo_token, task_id=t['task_id'],
                                  labels=[x for x in t['labels'] if x != 'urgent'])
        added = 0
        for t in pressing:
            if t['task_id'] not in waiting:
                apis.todo.update_task(access_token=todo_token, task_id=t['task_id'], labels=t['labels'] + ['urgent'])
                added += 1
            elif 'waiting' not in t['labels']:
                apis.todo.update_task(access_token=todo_token, task_id=t['task_id'], labels=t['labels'] + ['waiting'])
        """
    check = (
        fetch_all("now_urgent", "apis.todo.search_tasks(access_token=todo_token, label='urgent', include_archived=True")
        + "print([(t['title'], t['completed']) for t in now_urgent])\n"
        + "apis.supervisor.complete_task(answer=added)\n"
    )
    expectations: list[Expectation] = [
        Updated(
            "todo_tasks", t["id"], {"labels": labels_with(t["labels"], removed=("urgent",))}, f"'{t['title']}' loses it"
        )
        for t in stale
    ]
    gaining = [t for t in pressing if not t["waiting"]]
    expectations += [
        Updated("todo_tasks", t["id"], {"labels": labels_with(t["labels"], "urgent")}, f"'{t['title']}' gains it")
        for t in gaining
    ]
    expectations += [
        Updated(
            "todo_tasks",
            t["id"],
            {"labels": labels_with(t["labels"], "waiting")},
            f"'{t['title']}' (its latest comment is {WAITING!r}) is labelled 'waiting', not 'urgent'",
        )
        for t in pressing
        if t["waiting"] and "waiting" not in t["labels"].split(",")
    ]
    expectations.append(
        Answer(
            len(gaining),
            f"the answer is how many to-dos gained the label ({len(gaining)})",
            traps={str(len(pressing)): "the to-dos waiting on a reply were counted"},
        )
    )
    return TaskSpec(
        owner,
        "My 'urgent' label has gone stale. Take it off every completed to-do that has it (archived projects "
        "included), keeping their other labels. Then add it to each open priority-1 or priority-2 to-do (in my "
        f"projects that are not archived) due before {day(days)} (overdue ones included) that lacks it, except "
        "those waiting on someone: a to-do whose latest "
        f"comment is '{WAITING}' gets the label 'waiting' instead (if it lacks it). Keep every to-do's other labels. "
        "Tell me how many to-dos gained the 'urgent' label.",
        Solution().step(look).step(read).step(act).step(check).steps(),
        expectations,
    )
