"""Productivity around the todo app: reviews of what was done and what is late, written to notes and files."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Answer, Expectation, HasLines, Inserted, NewRow
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios._work import NOW, PLAIN_NOTE, TODAY, day
from envs.toolworld.tasks import TaskSpec, WorldView, scenario


@scenario("work_review_note", apps=("todo", "notes"))
def review_note(view: WorldView, rng: random.Random) -> TaskSpec:
    """A month's review: completed to-dos by project, what is still overdue, in a notebook made if missing."""
    since = day(-rng.choice((21, 30, 45)))
    owners = view.rows(
        "SELECT owner_id, COUNT(*) AS n FROM todo_tasks WHERE completed = 1 AND completed_at >= ? "
        "GROUP BY owner_id HAVING n BETWEEN 4 AND 20 ORDER BY owner_id",
        since,
    )
    owner = pick(rng, owners, "person with to-dos completed lately", distinct=True)["owner_id"]
    notebook = rng.choice(("Journal", "Personal", "Projects"))
    done = view.rows(
        "SELECT t.title, p.name FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE t.owner_id = ? "
        "AND t.completed = 1 AND t.completed_at >= ? ORDER BY t.id",
        owner,
        since,
    )
    overdue = view.value(
        "SELECT COUNT(*) FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE t.owner_id = ? "
        "AND t.completed = 0 AND p.archived = 0 AND t.due_date < ?",
        owner,
        TODAY,
    )
    found = view.rows("SELECT id FROM notes_notebooks WHERE owner_id = ? AND name = ?", owner, notebook)
    title = f"Review {TODAY}"
    lines = [f"{r['name']}: {r['title']}" for r in done] + [f"Completed: {len(done)}", f"Still overdue: {overdue}"]
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
        lines = [t['project']['name'] + ': ' + t['title'] for t in done]
        lines += ['Completed: ' + str(len(done)), 'Still overdue: ' + str(len(late))]
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
            {
                "owner_id": owner,
                "title": title,
                "content": HasLines(lines),
                "tags": "review",
                **PLAIN_NOTE,
                "notebook_id": book_id,
            },
            f"a note '{title}' in '{notebook}' tagged review: each completed to-do as 'project: title', then the "
            "two count lines",
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
        "'<project name>: <to-do title>', then a line 'Completed: <how many>' and a line 'Still overdue: <how many "
        "of my open to-dos are overdue>'. Tell me how many I completed.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )
