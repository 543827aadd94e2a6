"""Productivity around the todo app: reviews of what was done and what is late, written to notes and files."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Answer, Expectation, HasLines, InBlocks, Inserted, NewRow, Updated
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios._rows import new_note
from envs.toolworld.scenarios._work import (
    DONE,
    LAST_COMMENT,
    LATEST_COMMENT,
    NOW,
    TODAY,
    WAITING,
    day,
    reminded_tomorrow,
)
from envs.toolworld.tasks import TaskSpec, WorldView, scenario


@scenario("work_review_note", apps=("todo", "notes"))
def review_note(view: WorldView, rng: random.Random) -> TaskSpec:
    """A month's review: completed to-dos by project and the overdue priority-1 ones, each with its latest comment,
    in a notebook made if missing. Deep: 10-20 completed and 2+ overdue urgent to-dos, whose comments are only in
    show_task_comments, read per to-do (at least one has some)."""
    since = day(-rng.choice((21, 30, 45)))
    owners = view.rows(
        "SELECT owner_id, COUNT(*) AS n FROM todo_tasks t WHERE completed = 1 AND completed_at >= ? "
        "GROUP BY owner_id HAVING n BETWEEN 10 AND 20 "
        "AND SUM(EXISTS (SELECT 1 FROM todo_comments c WHERE c.task_id = t.id)) > 0 ORDER BY owner_id",
        since,
    )
    urgent_late = (
        f"SELECT t.title, p.name, {LAST_COMMENT} FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id "
        "WHERE t.owner_id = ? AND t.completed = 0 AND p.archived = 0 AND t.due_date < ? AND t.priority = 1"
    )
    owners = [row for row in owners if len(view.rows(urgent_late, row["owner_id"], TODAY)) >= 2]
    owner = pick(rng, owners, "person with to-dos completed lately and urgent ones overdue", distinct=True)
    owner = owner["owner_id"]
    notebook = rng.choice(("Journal", "Personal", "Projects"))
    done = view.rows(
        f"SELECT t.title, p.name, {LAST_COMMENT} FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id "
        "WHERE t.owner_id = ? AND t.completed = 1 AND t.completed_at >= ? ORDER BY t.id",
        owner,
        since,
    )
    urgent = view.rows(urgent_late, owner, TODAY)
    overdue = view.value(
        "SELECT COUNT(*) FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE t.owner_id = ? "
        "AND t.completed = 0 AND p.archived = 0 AND t.due_date < ?",
        owner,
        TODAY,
    )
    found = view.rows("SELECT id FROM notes_notebooks WHERE owner_id = ? AND name = ?", owner, notebook)
    title = f"Review {TODAY}"
    completed = [f"{r['name']}: {r['title']}" + (f" - {r['last']}" if r["last"] else "") for r in done]
    counts = [f"Completed: {len(done)}", f"Still overdue: {overdue}"]
    late = [f"Overdue: {r['name']}: {r['title']}" + (f" - {r['last']}" if r["last"] else "") for r in urgent]
    look = (
        login("todo", "notes")
        + fetch_all("done", f"apis.todo.show_completed_tasks(access_token=todo_token, since={since!r}")
        + fetch_all("late", "apis.todo.show_overdue_tasks(access_token=todo_token")
        + fetch_all("books", "apis.notes.show_notebooks(access_token=notes_token")
        + f"book = next((b for b in books if b['name'] == {notebook!r}), None)\n"
        + "print(len(done), len(late), book)\n"
    )
    act = f"""
        if book is None:
            book_id = apis.notes.create_notebook(access_token=notes_token, name={notebook!r})['notebook_id']
        else:
            book_id = book['notebook_id']
        def with_comment(t, line):
            comments = apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id'], page_limit=20)
            return line + ' - ' + comments[-1]['text'] if comments else line
        lines = [with_comment(t, t['project']['name'] + ': ' + t['title']) for t in done]
        lines += ['Completed: ' + str(len(done)), 'Still overdue: ' + str(len(late))]
        lines += [with_comment(t, 'Overdue: ' + t['project']['name'] + ': ' + t['title'])
                  for t in late if t['priority'] == 1]
        made = apis.notes.create_note(access_token=notes_token, title={title!r}, content='\\n'.join(lines),
                                      tags=['review'], notebook_id=book_id)
        """
    check = (
        "print(apis.notes.show_note(access_token=notes_token, note_id=made['note_id']))\n"
        "apis.supervisor.complete_task(answer=len(done))\n"
    )
    book_id = found[0]["id"] if found else NewRow("notes_notebooks", {"owner_id": owner, "name": notebook})
    expectations: list[Expectation] = []
    if not found:
        expectations.append(
            Inserted(
                "notes_notebooks",
                {"owner_id": owner, "name": notebook, "description": "", "created_at": NOW},
                f"a new notebook '{notebook}' (I had none)",
                what="notebooks",
            )
        )
    expectations += [
        Inserted(
            "notes_notes",
            new_note(owner, title, InBlocks(completed, counts, late), tags="review", notebook_id=book_id),
            f"a note '{title}' in '{notebook}' tagged review: each completed to-do as 'project: title', the two "
            "count lines, each overdue priority-1 to-do as 'Overdue: project: title' (each to-do with its latest "
            "comment after ' - ' if it has any)",
            what="notes",
        ),
        Answer(
            len(done),
            f"the answer is how many to-dos were completed since {since} ({len(done)})",
            traps={"5": "only the first page of completed to-dos was read"},
        ),
    ]
    return TaskSpec(
        owner,
        f"Write my review of the to-dos I completed since {since}: a new note titled '{title}', tagged 'review', in "
        f"my '{notebook}' notebook (make that notebook if I don't have it). One line per completed to-do as "
        "'<project name>: <to-do title>', followed by ' - <the text of its latest comment>' if it has comments, "
        "then a line 'Completed: <how many>' and a line 'Still overdue: <how many "
        "of my open to-dos are overdue>', and last a line 'Overdue: <project name>: <to-do title>' for each overdue "
        "open to-do of priority 1, its latest comment added the same way. Tell me how many I completed.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )


@scenario("work_week_checklist", apps=("todo", "notes"))
def week_checklist(view: WorldView, rng: random.Random) -> TaskSpec:
    """This week's plan as a pinned checklist note: the overdue priority-1 to-dos first, then the week's by date.
    Deep: a to-do waiting on someone (latest comment 'Waiting for a reply.', only in show_task_comments) is left
    off, so each of the 7-16+ listed to-dos has its thread read; the same words earlier in a thread do not count."""
    end = day(6)
    owners = view.rows(
        f"SELECT t.owner_id FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE t.completed = 0 "
        f"AND p.archived = 0 AND t.due_date >= ? AND t.due_date <= ? GROUP BY t.owner_id "
        f"HAVING COUNT(*) BETWEEN 7 AND 16 AND SUM({LATEST_COMMENT} = ?) > 0 ORDER BY t.owner_id",
        TODAY,
        end,
        WAITING,
    )
    owner = pick(rng, owners, "person with to-dos due this week, one waiting on someone", distinct=True)["owner_id"]
    color = rng.choice(("yellow", "green", "blue"))
    open_active = (
        f"SELECT t.title, t.due_date, {LAST_COMMENT} FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id "
        "WHERE t.owner_id = ? AND t.completed = 0 AND p.archived = 0 "
    )
    urgent = view.rows(open_active + "AND t.priority = 1 AND t.due_date < ?", owner, TODAY)
    week = view.rows(open_active + "AND t.due_date >= ? AND t.due_date <= ?", owner, TODAY, end)
    urgent = [t for t in urgent if t["last"] != WAITING]
    week = [t for t in week if t["last"] != WAITING]
    urgent.sort(key=lambda t: (t["due_date"], t["title"]))
    week.sort(key=lambda t: (t["due_date"], t["title"]))
    items = [t["title"] for t in urgent + week]
    title = f"Week of {TODAY}"
    look = (
        login("todo", "notes")
        + fetch_all("late", "apis.todo.show_overdue_tasks(access_token=todo_token")
        + fetch_all("week", "apis.todo.show_upcoming_tasks(access_token=todo_token, days=7")
        + "print(len(late), len(week))\n"
    )
    act = f"""
        def waiting(t):
            said = apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id'], page_limit=20)
            return bool(said) and said[-1]['text'] == {WAITING!r}
        late = [t for t in late if t['priority'] == 1 and not waiting(t)]
        week = [t for t in week if not waiting(t)]
        late = sorted(late, key=lambda t: (t['due_date'], t['title']))
        week = sorted(week, key=lambda t: (t['due_date'], t['title']))
        note = apis.notes.create_note(access_token=notes_token, title={title!r}, pinned=True, color={color!r})
        for t in late + week:
            apis.notes.add_checklist_item(access_token=notes_token, note_id=note['note_id'], text=t['title'])
        """
    check = "print(apis.notes.show_checklist(access_token=notes_token, note_id=note['note_id']))\n" + DONE
    note = new_note(owner, title, "", pinned=1, color=color)
    expectations: list[Expectation] = [
        Inserted("notes_notes", {**note, "created_at": NOW, "updated_at": NOW}, f"a pinned {color} note '{title}'")
    ]
    expectations += [
        Inserted(
            "notes_checklist_items",
            {
                "note_id": NewRow("notes_notes", {"title": title}),
                "text": text,
                "checked": 0,
                "position": float(i + 1),
                "created_at": NOW,
            },
            f"item {i + 1} of the checklist is '{text}'",
            what="checklist items",
        )
        for i, text in enumerate(items)
    ]
    return TaskSpec(
        owner,
        f"Plan my week in a new {color} note titled '{title}', pinned, with no text but a checklist: first an item "
        "for each overdue open to-do of priority 1, then one for each open to-do due from today to "
        f"{end}; each group by due date (same date: by title), each item the to-do's title. Leave off a to-do that "
        f"waits on someone: its latest comment is '{WAITING}'.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )


@scenario("work_best_project_goal", apps=("todo",))
def best_project_goal(view: WorldView, rng: random.Random) -> TaskSpec:
    """Computed values: the project with most completions since a date (made a favorite) and a weekly goal set from
    the pace (completions per week, rounded up)."""
    weeks = rng.choice((4, 6, 8))
    since = day(-7 * weeks)
    counts = view.rows(
        "SELECT t.owner_id, p.id, p.name, p.is_favorite, COUNT(*) AS n FROM todo_tasks t JOIN todo_projects p "
        "ON p.id = t.project_id WHERE t.completed = 1 AND t.completed_at >= ? AND p.archived = 0 "
        "GROUP BY p.id ORDER BY t.owner_id, n DESC, p.name",
        since,
    )
    best: dict[int, list[dict]] = {}
    for r in counts:
        best.setdefault(r["owner_id"], []).append(r)
    owners = [o for o, rows in sorted(best.items()) if len(rows) < 2 or rows[0]["n"] > rows[1]["n"]]
    owner = pick(rng, owners, "person whose top project since the date is unique", distinct=True)
    top = best[owner][0]
    total = view.value(
        "SELECT COUNT(*) FROM todo_tasks WHERE owner_id = ? AND completed = 1 AND completed_at >= ?", owner, since
    )
    goal = max(1, -(-total // weeks))
    settings = view.row("SELECT weekly_goal FROM todo_settings WHERE owner_id = ?", owner)
    look = (
        login("todo")
        + fetch_all("done", f"apis.todo.show_completed_tasks(access_token=todo_token, since={since!r}")
        + fetch_all("projects", "apis.todo.show_projects(access_token=todo_token")
        + "active = {p['project_id']: p for p in projects}\n"
        + "print(len(done), apis.todo.show_settings(access_token=todo_token))\n"
    )
    act = f"""
        per_project = {{}}
        for t in done:
            if t['project']['project_id'] in active:
                per_project[t['project']['project_id']] = per_project.get(t['project']['project_id'], 0) + 1
        best = max(per_project, key=lambda p: per_project[p])
        if not active[best]['is_favorite']:
            apis.todo.update_project(access_token=todo_token, project_id=best, is_favorite=True)
        for pid, p in active.items():
            if p['is_favorite'] and pid != best and pid not in per_project:
                apis.todo.update_project(access_token=todo_token, project_id=pid, is_favorite=False)
        goal = max(1, -(-len(done) // {weeks}))
        apis.todo.update_settings(access_token=todo_token, weekly_goal=goal)
        """
    check = (
        "print(apis.todo.show_productivity(access_token=todo_token))\n"
        "apis.supervisor.complete_task(answer=active[best]['name'])\n"
    )
    expectations: list[Expectation] = []
    if not top["is_favorite"]:
        expectations.append(Updated("todo_projects", top["id"], {"is_favorite": 1}, f"'{top['name']}' is a favorite"))
    idle = view.rows(
        "SELECT p.id, p.name FROM todo_projects p WHERE p.owner_id = ? AND p.archived = 0 AND p.is_favorite = 1 "
        "AND NOT EXISTS (SELECT 1 FROM todo_tasks t WHERE t.project_id = p.id AND t.completed = 1 "
        "AND t.completed_at >= ?)",
        owner,
        since,
    )
    expectations += [
        Updated("todo_projects", p["id"], {"is_favorite": 0}, f"the idle '{p['name']}' is no longer a favorite")
        for p in idle
    ]
    if settings["weekly_goal"] != goal:
        expectations.append(Updated("todo_settings", owner, {"weekly_goal": goal}, f"the weekly goal is {goal}"))
    expectations.append(
        Answer(top["name"], f"the answer is '{top['name']}', the active project with most completions since {since}")
    )
    return TaskSpec(
        owner,
        f"Look at the to-dos I completed since {since} (the last {weeks} weeks). Which of my active projects got the "
        "most of them done? Make it a favorite project if it isn't one, and tell me its name; any other favorite "
        "project of mine with nothing completed since then stops being a favorite. Also set my weekly "
        f"goal to my pace: all the to-dos I completed since {since} (any project) divided by {weeks}, rounded up.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )


@scenario("work_assigned_digest", apps=("todo", "notes"))
def assigned_digest(view: WorldView, rng: random.Random) -> TaskSpec:
    """What others handed me: a note of my open to-dos in projects shared with me (owner named, latest comment
    added), and an apology comment and a reminder on each overdue one; my own projects' assignments are
    distractors. Deep: 9-16 to-dos whose comments are only in show_task_comments, read per to-do (one has some)."""
    people = view.rows(
        "SELECT t.assignee_id FROM todo_tasks t WHERE t.assignee_id IS NOT NULL AND t.assignee_id != t.owner_id "
        "AND t.completed = 0 GROUP BY t.assignee_id HAVING COUNT(*) BETWEEN 9 AND 16 "
        "AND SUM(EXISTS (SELECT 1 FROM todo_comments c WHERE c.task_id = t.id)) > 0 ORDER BY t.assignee_id"
    )
    me = pick(rng, people, "person with to-dos assigned in others' projects", distinct=True)["assignee_id"]
    comment = rng.choice(("On it, sorry for the delay.", "Still on my list, will do it this week."))
    tasks = view.rows(
        f"SELECT t.id, t.title, t.due_date, p.name, o.first_name || ' ' || o.last_name AS owner, {LAST_COMMENT} "
        "FROM todo_tasks t "
        "JOIN todo_projects p ON p.id = t.project_id JOIN people o ON o.id = p.owner_id WHERE t.assignee_id = ? "
        "AND t.owner_id != ? AND t.completed = 0 ORDER BY t.id",
        me,
        me,
    )
    title = f"Assigned to me {TODAY}"
    lines = [f"{t['name']} ({t['owner']}): {t['title']}" + (f" - {t['last']}" if t["last"] else "") for t in tasks]
    late = [t for t in tasks if t["due_date"] and t["due_date"] < TODAY]
    look = (
        login("todo", "notes")
        + fetch_all("mine", "apis.todo.show_assigned_tasks(access_token=todo_token")
        + fetch_all("shared", "apis.todo.show_shared_projects(access_token=todo_token")
        + "owners = {p['project_id']: p['owner']['name'] for p in shared}\n"
        + "theirs = [t for t in mine if t['project']['project_id'] in owners]\n"
        + "print([(t['title'], t['project']['name']) for t in theirs])\n"
    )
    act = f"""
        lines = []
        for t in theirs:
            line = t['project']['name'] + ' (' + owners[t['project']['project_id']] + '): ' + t['title']
            comments = apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id'], page_limit=20)
            lines.append(line + ' - ' + comments[-1]['text'] if comments else line)
        apis.notes.create_note(access_token=notes_token, title={title!r}, content='\\n'.join(lines))
        late = 0
        for t in theirs:
            if t['due_date'] and t['due_date'] < {TODAY!r}:
                apis.todo.add_task_comment(access_token=todo_token, task_id=t['task_id'], text={comment!r})
                apis.todo.add_reminder(access_token=todo_token, task_id=t['task_id'], remind_at='{day(1)}T09:00')
                late += 1
        """
    check = (
        fetch_all("found", f"apis.notes.search_notes(access_token=notes_token, query={title!r}")
        + "print(found)\n"
        + "apis.supervisor.complete_task(answer=late)\n"
    )
    expectations: list[Expectation] = [
        Inserted(
            "notes_notes",
            new_note(me, title, HasLines(lines)),
            f"a note '{title}' with one 'project (owner): title' line per to-do others assigned me (its latest "
            "comment after ' - ')",
            what="notes",
        )
    ]
    expectations += [
        Inserted(
            "todo_comments",
            {"task_id": t["id"], "owner_id": me, "text": comment, "created_at": NOW},
            f"the overdue '{t['title']}' gets my comment",
            what="comments",
        )
        for t in late
    ]
    expectations += reminded_tomorrow(late, me, "09:00")
    expectations.append(Answer(len(late), f"the answer is how many of them are overdue ({len(late)})"))
    return TaskSpec(
        me,
        f"Other people assigned me to-dos in projects they shared with me. Make a note titled '{title}' listing each "
        "of those that is still open, one per line as '<project name> (<owner's full name>): <to-do title>', "
        "followed by ' - <the text of its latest comment>' if it has comments (not to-dos of my own projects). On "
        f"each of them that is overdue, add the comment '{comment}' and a reminder for tomorrow ({day(1)}) at "
        "09:00. Tell me how many are overdue.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )
