"""Productivity around the todo app and email: to-dos from starred emails, project status mailed to its people."""

from __future__ import annotations

import functools
import random
from collections import Counter

from envs.toolworld.evaluate import Expectation, HasLines, Inserted, Updated
from envs.toolworld.scenarios._common import Solution, fetch_all, login, other_branch, pick
from envs.toolworld.scenarios._rows import new_task
from envs.toolworld.scenarios._work import DONE, HELD, LATEST_COMMENT, NOW, TODAY, day
from envs.toolworld.scenarios.email import sent_email
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

ASK_TAKER = "Overdue and nobody has it: can someone take it?"
STARRED = "t.is_starred = 1 AND t.is_trashed = 0 AND t.is_spam = 0"


@scenario("work_starred_to_todos", apps=("todo", "email"))
def starred_to_todos(view: WorldView, rng: random.Random) -> TaskSpec:
    """Each starred thread becomes a follow-up to-do (in the project's waiting section when it has one), unstarred."""
    owners = view.rows(
        f"SELECT t.owner_id, p.id AS project_id, p.name FROM email_threads t JOIN todo_projects p "
        f"ON p.owner_id = t.owner_id AND p.name = 'Work' AND p.archived = 0 WHERE {STARRED} "
        "GROUP BY t.owner_id HAVING COUNT(*) BETWEEN 3 AND 12 ORDER BY t.owner_id"
    )
    chosen = pick(rng, owners, "person with starred emails and a Work project", distinct=True)
    owner, project_id = chosen["owner_id"], chosen["project_id"]
    due = day(rng.choice((2, 3, 4)))
    threads = view.rows(f"SELECT t.id, t.subject FROM email_threads t WHERE t.owner_id = ? AND {STARRED}", owner)
    section = view.rows("SELECT id FROM todo_sections WHERE project_id = ? AND name = 'Waiting on others'", project_id)
    section_id = section[0]["id"] if section else None
    look = (
        login("email", "todo")
        + fetch_all("starred", "apis.email.show_threads(access_token=email_token, folder='starred'")
        + fetch_all("projects", "apis.todo.show_projects(access_token=todo_token, query='Work'")
        + "work = next(p for p in projects if p['name'] == 'Work')\n"
        + "sections = apis.todo.show_sections(access_token=todo_token, project_id=work['project_id'])\n"
        + "waiting = next((s['section_id'] for s in sections if s['name'] == 'Waiting on others'), None)\n"
        + "print([t['subject'] for t in starred], sections)\n"
    )
    act = f"""
        for thread in starred:
            apis.todo.create_task(access_token=todo_token, project_id=work['project_id'],
                                  title='Follow up: ' + thread['subject'], due_date={due!r}, priority=2,
                                  labels=['waiting'], section_id=waiting)
            apis.email.unstar_thread(access_token=email_token, thread_id=thread['thread_id'])
        """
    check = (
        fetch_all("made", "apis.todo.search_tasks(access_token=todo_token, query='Follow up', completed=False")
        + "print([(t['title'], t['section']) for t in made])\n"
        + "print(apis.email.show_threads(access_token=email_token, folder='starred'))\n"
        + DONE
    )
    expectations: list[Expectation] = []
    for subject, count in Counter(t["subject"] for t in threads).items():
        title = f"Follow up: {subject}"
        row = new_task(owner, project_id, title, due_date=due, priority=2, labels="waiting", section_id=section_id)
        expectations.append(
            Inserted("todo_tasks", row, f"a to-do '{title}' per starred thread", count=count, what="to-dos")
        )
    expectations += [
        Updated("email_threads", t["id"], {"is_starred": 0}, f"the thread '{t['subject']}' is unstarred")
        for t in threads
    ]
    return TaskSpec(
        owner,
        "Turn my starred emails into to-dos: for each starred thread, add a to-do 'Follow up: <subject>' to my 'Work' "
        f"project (in its 'Waiting on others' section if it has one), due {due}, priority 2, labelled 'waiting'. "
        "Then unstar the thread.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )


@scenario("work_status_email", apps=("todo", "email"))
def status_email(view: WorldView, rng: random.Random) -> TaskSpec:
    """A shared project's status mailed to its collaborators: counts, what nobody has taken yet, and each commented
    to-do with its latest comment; each overdue to-do nobody has taken gets a comment asking for a taker. Deep
    because comments are only in each to-do's show_task_comments: 13-22 open to-dos, each read, of which 1-3 carry
    comments (older comments on one to-do are distractors)."""
    projects = view.rows(
        "SELECT p.id, p.owner_id, p.name FROM todo_projects p WHERE p.archived = 0 AND EXISTS (SELECT 1 FROM "
        "todo_collaborators c WHERE c.project_id = p.id) AND (SELECT COUNT(*) FROM todo_tasks t WHERE "
        "t.project_id = p.id AND t.completed = 0) BETWEEN 13 AND 22 AND EXISTS (SELECT 1 FROM todo_tasks t "
        "JOIN todo_comments c ON c.task_id = t.id WHERE t.project_id = p.id AND t.completed = 0) "
        "AND EXISTS (SELECT 1 FROM todo_tasks t WHERE t.project_id = p.id AND t.completed = 0 "
        f"AND t.due_date < '{TODAY}' AND t.assignee_id IS NULL) "
        "AND (SELECT COUNT(*) FROM todo_projects q WHERE q.owner_id = p.owner_id AND q.name = p.name) = 1 ORDER BY p.id"
    )
    project = pick(rng, projects, "shared project with 13-22 open to-dos, some commented", distinct=True)
    owner = project["owner_id"]
    people = [
        r["person_id"]
        for r in view.rows("SELECT person_id FROM todo_collaborators WHERE project_id = ? ORDER BY id", project["id"])
    ]
    tasks = view.rows(
        f"SELECT t.id, t.title, t.due_date, t.assignee_id, {LATEST_COMMENT} AS comment FROM todo_tasks t "
        "WHERE t.project_id = ? AND t.completed = 0",
        project["id"],
    )
    overdue = sum(1 for t in tasks if t["due_date"] and t["due_date"] < TODAY)
    free = [t["title"] for t in tasks if t["assignee_id"] is None]
    commented = [f"{t['title']}: {t['comment']}" for t in tasks if t["comment"] is not None]
    subject = f"{project['name']} status {TODAY}"
    lines = [f"Open: {len(tasks)}", f"Overdue: {overdue}", *free, *commented]
    look = (
        login("todo", "email")
        + fetch_all("projects", f"apis.todo.show_projects(access_token=todo_token, query={project['name']!r}")
        + f"project = next(p for p in projects if p['name'] == {project['name']!r})\n"
        + fetch_all("people", "apis.todo.show_collaborators(access_token=todo_token, project_id=project['project_id']")
        + fetch_all(
            "open_tasks",
            "apis.todo.search_tasks(access_token=todo_token, project_id=project['project_id'], completed=False",
        )
        + "print(people, len(open_tasks))\n"
    )
    comments = """
        latest = {}
        for t in open_tasks:
            said = apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id'], page_limit=20)
            if said:
                latest[t['task_id']] = max(said, key=lambda c: (c['created_at'], c['comment_id']))['text']
        print(latest)
        """
    act = f"""
        late = [t for t in open_tasks if t['due_date'] and t['due_date'] < {TODAY!r}]
        free = [t['title'] for t in open_tasks if t['assignee_email'] is None]
        said = [t['title'] + ': ' + latest[t['task_id']] for t in open_tasks if t['task_id'] in latest]
        body = '\\n'.join(['Open: ' + str(len(open_tasks)), 'Overdue: ' + str(len(late))] + free + said)
        to = [p['email'] for p in people if p['role'] == 'collaborator']
        sent = apis.email.send_email(access_token=email_token, recipients=to, subject={subject!r}, body=body)
        for t in late:
            if t['assignee_email'] is None:
                apis.todo.add_task_comment(access_token=todo_token, task_id=t['task_id'], text={ASK_TAKER!r})
        """
    check = "print(apis.email.show_thread(access_token=email_token, thread_id=sent['thread_id']))\n" + DONE
    return TaskSpec(
        owner,
        f"Email the collaborators of my shared '{project['name']}' to-do project (not me) a status update with the "
        f"subject '{subject}'. The body: a line 'Open: <number of open to-dos>', a line 'Overdue: <how many of them "
        "are overdue>', then the title of each open to-do nobody is assigned to, one per line, then for each open "
        "to-do that has comments a line '<title>: <text of its latest comment>'. Nothing else. Then comment "
        f"'{ASK_TAKER}' on each overdue to-do nobody is assigned to.",
        Solution().step(look).step(comments).step(act).step(check).steps(),
        [
            *sent_email(view, owner, people, HasLines(lines), "the status email", subject=subject),
            *(
                Inserted(
                    "todo_comments",
                    {"task_id": t["id"], "owner_id": owner, "text": ASK_TAKER, "created_at": NOW},
                    f"the overdue, unassigned '{t['title']}' asks for a taker",
                    what=f"comments on '{t['title']}'",
                )
                for t in tasks
                if t["assignee_id"] is None and t["due_date"] and t["due_date"] < TODAY
            ),
        ],
    )


EMAIL_TODOS = {
    "Reply to {} about the budget": ("Budget follow-up for {}", "Hi {}, following up on the budget."),
    "Send meeting notes to {}": ("Meeting notes for {}", "Hi {}, here are the notes from our meeting."),
}


@scenario("work_email_todos", apps=("todo", "email"))
def email_todos(view: WorldView, rng: random.Random) -> TaskSpec:
    """To-dos that are an email to write: written to the one email contact of that first name and closed; a name no
    contact or several contacts have is labelled 'waiting' instead. Deep: a to-do whose latest comment says I wait
    on that person is left alone, and that word is only in its comments (show_task_comments per to-do); variant 1
    of each 3 has no such to-do."""
    patterns = [p.format("%") for p in EMAIL_TODOS]
    owners = view.rows(
        f"SELECT t.owner_id, SUM(COALESCE({LATEST_COMMENT} IN (?, ?), 0)) AS held FROM todo_tasks t "
        "JOIN todo_projects p ON p.id = t.project_id WHERE t.completed = 0 "
        "AND p.archived = 0 AND (t.title LIKE ? OR t.title LIKE ?) GROUP BY t.owner_id HAVING COUNT(*) >= 2 "
        "AND COUNT(*) = COUNT(DISTINCT t.title) AND COUNT(*) > held "
        "ORDER BY t.owner_id",
        *HELD,
        *patterns,
    )
    held = not other_branch(rng)
    owners = [o for o in owners if (o["held"] > 0) == held]
    what = "person with email to-dos" + (", one of them waiting on its person" if held else ", none waiting")

    @functools.cache  # the pick asks it of each owner it looks at, the task's expectations of the one it took
    def changes(owner: int) -> list[Expectation]:
        """What clearing the owner's email to-dos changes: the emails and closed to-dos, the 'waiting' labels."""
        tasks = view.rows(
            "SELECT t.id, t.title, t.labels FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id "
            "WHERE t.owner_id = ? AND t.completed = 0 AND p.archived = 0 AND (t.title LIKE ? OR t.title LIKE ?) "
            f"AND COALESCE({LATEST_COMMENT} IN (?, ?), 0) = 0 ORDER BY t.id",
            owner,
            *patterns,
            *HELD,
        )
        contacts = view.rows(
            "SELECT c.name, f.id FROM email_contacts c LEFT JOIN people f ON f.email = c.email WHERE c.owner_id = ?",
            owner,
        )
        expectations: list[Expectation] = []
        for t in tasks:
            pattern = next(p for p in EMAIL_TODOS if t["title"].startswith(p.split("{}")[0]))
            start, end = pattern.split("{}")
            name = t["title"][len(start) : len(t["title"]) - len(end)]
            same = [c for c in contacts if c["name"].split()[0] == name]
            if len(same) == 1:
                subject, body = EMAIL_TODOS[pattern]
                expectations += sent_email(
                    view,
                    owner,
                    [same[0]["id"]],
                    body.format(name),
                    f"the email for '{t['title']}'",
                    subject=subject.format(name),
                )
                expectations.append(
                    Updated("todo_tasks", t["id"], {"completed": 1, "completed_at": NOW}, f"'{t['title']}' is closed")
                )
            elif "waiting" not in t["labels"].split(","):  # one labelled so already stays as it is
                labels = ",".join(sorted(set(filter(None, t["labels"].split(","))) | {"waiting"}))
                expectations.append(Updated("todo_tasks", t["id"], {"labels": labels}, f"'{t['title']}' is waiting"))
        return expectations

    owner = pick(
        rng,
        owners,
        what,
        distinct=True,
        unusable=(lambda o: not changes(o["owner_id"]), "every open one already labelled 'waiting': nothing to do"),
    )["owner_id"]
    look = (
        login("todo", "email")
        + "todos = []\n"
        + "for words in ('about the budget', 'Send meeting notes'):\n"
        + fetch_all("found", "apis.todo.search_tasks(access_token=todo_token, query=words, completed=False", "    ")
        + "    todos += found\n"
        + fetch_all("contacts", "apis.email.show_email_contacts(access_token=email_token")
        + "print([t['title'] for t in todos], len(contacts))\n"
        + "held = []\n"
        + "for t in todos:\n"
        + fetch_all("said", "apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id']", "    ")
        + f"    if said and said[-1]['text'] in {HELD!r}:\n"
        + "        held.append(t['task_id'])\n"
        + "todos = [t for t in todos if t['task_id'] not in held]\n"
        + "print(held)\n"
    )
    act = """
        kinds = {'Reply to ': ' about the budget', 'Send meeting notes to ': ''}
        mails = {'Reply to ': ('Budget follow-up for {}', 'Hi {}, following up on the budget.'),
                 'Send meeting notes to ': ('Meeting notes for {}', 'Hi {}, here are the notes from our meeting.')}
        for t in todos:
            start = next((s for s, end in kinds.items() if t['title'].startswith(s) and t['title'].endswith(end)), None)
            if start is None:
                continue
            name = t['title'][len(start):len(t['title']) - len(kinds[start])]
            same = [c for c in contacts if c['name'].split()[0] == name]
            if len(same) == 1:
                subject, body = mails[start]
                apis.email.send_email(access_token=email_token, recipients=[same[0]['email']],
                                      subject=subject.format(name), body=body.format(name))
                apis.todo.close_task(access_token=todo_token, task_id=t['task_id'])
            else:
                apis.todo.update_task(access_token=todo_token, task_id=t['task_id'],
                                      labels=sorted(set(t['labels']) | {'waiting'}))
        """
    check = (
        fetch_all("sent", "apis.email.show_threads(access_token=email_token, folder='sent'")
        + "print([t['subject'] for t in sent[:5]])\n"
        + DONE
    )
    expectations = list(changes(owner))
    return TaskSpec(
        owner,
        "Clear my email to-dos. For each open 'Reply to <name> about the budget' to-do, email the one email contact "
        "with that first name the subject 'Budget follow-up for <name>' and the text 'Hi <name>, following up on "
        "the budget.'; for each open 'Send meeting notes to <name>', the subject 'Meeting notes for <name>' and the "
        "text 'Hi <name>, here are the notes from our meeting.'. Close each to-do you emailed for. If no contact or "
        "several contacts have that first name, add the label 'waiting' to the to-do (keeping its labels) instead. "
        f"Leave alone any of these to-dos whose latest comment is '{HELD[0]}' or '{HELD[1]}': I already wait on "
        "that person.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )
