"""Productivity around the todo app with the people in it: assigning shared to-dos and telling people so."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from envs.toolworld.apps.phone import search_text_messages
from envs.toolworld.evaluate import Answer, Deleted, Expectation, HasLines, InBlocks, Inserted, Matcher, Updated
from envs.toolworld.scenarios._calendar import reader
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, login, other_branch, pick
from envs.toolworld.scenarios._threads import SAID_ON_IT, last_word, on_it, on_it_code
from envs.toolworld.scenarios._work import DONE, LAST_COMMENT, NOW, TODAY
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW


def text_to(owner: int, receiver: int, lines: list[str] | Matcher, requirement: str) -> Inserted:
    """The one text message `owner` sends `receiver`, holding exactly `lines` (in any order, unless a Matcher)."""
    message = lines if isinstance(lines, Matcher) else HasLines(lines)
    return Inserted(
        "phone_messages",
        {"sender_id": owner, "receiver_id": receiver, "message": message, "sent_at": NOW, "is_read": 0},
        requirement,
        what="text messages",
    )


@scenario("work_assign_and_text", apps=("todo", "phone"))
def assign_and_text(view: WorldView, rng: random.Random) -> TaskSpec:
    """Hand a collaborator every unassigned open to-do of a shared project, then text them their whole list, each
    with its latest comment for context. Deep: 6-20 to-dos to hand over, whose comments are only in
    show_task_comments, read per to-do (one of theirs has some)."""
    pairs = view.rows(
        "SELECT p.id, p.owner_id, p.name, f.id AS person_id, f.first_name || ' ' || f.last_name AS full, f.email "
        "FROM todo_collaborators c JOIN todo_projects p ON p.id = c.project_id JOIN people f ON f.id = c.person_id "
        "WHERE p.archived = 0 AND EXISTS (SELECT 1 FROM phone_contacts k WHERE k.owner_id = p.owner_id "
        "AND k.email = f.email) AND (SELECT COUNT(*) FROM todo_tasks t WHERE t.project_id = p.id AND t.completed = 0 "
        "AND t.assignee_id IS NULL) BETWEEN 6 AND 20 AND EXISTS (SELECT 1 FROM todo_tasks t JOIN todo_comments m "
        "ON m.task_id = t.id WHERE t.project_id = p.id AND t.completed = 0 AND (t.assignee_id IS NULL "
        "OR t.assignee_id = f.id)) ORDER BY c.id"
    )
    pair = pick(rng, pairs, "collaborator of a shared project with unassigned to-dos, one commented", distinct=True)
    tasks = view.rows(
        f"SELECT t.id, t.title, t.assignee_id, {LAST_COMMENT} FROM todo_tasks t WHERE t.project_id = ? "
        "AND t.completed = 0 ORDER BY t.id",
        pair["id"],
    )
    look = (
        login("todo", "phone")
        + fetch_all("projects", f"apis.todo.show_projects(access_token=todo_token, query={pair['name']!r}")
        + f"project = next(p for p in projects if p['name'] == {pair['name']!r})\n"
        + fetch_all("people", "apis.todo.show_collaborators(access_token=todo_token, project_id=project['project_id']")
        + f"person = next(p for p in people if p['name'] == {pair['full']!r})\n"
        + fetch_all(
            "open_tasks",
            "apis.todo.search_tasks(access_token=todo_token, project_id=project['project_id'], completed=False",
        )
        + "print(person, [(t['title'], t['assignee_email']) for t in open_tasks])\n"
    )
    act = """
        mine = []
        for t in open_tasks:
            if t['assignee_email'] is None:
                apis.todo.assign_task(access_token=todo_token, task_id=t['task_id'], email=person['email'])
            elif t['assignee_email'] != person['email']:
                continue
            comments = apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id'], page_limit=20)
            mine.append(t['title'] + ' - ' + comments[-1]['text'] if comments else t['title'])
        contact = next(c for c in apis.phone.search_contacts(access_token=phone_token, query=person['email'])
                       if c['email'] == person['email'])
        apis.phone.send_text_message(access_token=phone_token, phone_number=contact['phone_number'],
                                     message='\\n'.join(mine))
        """
    check = (
        fetch_all(
            "after", "apis.todo.search_tasks(access_token=todo_token, project_id=project['project_id'], completed=False"
        )
        + "print([(t['title'], t['assignee_email']) for t in after])\n"
        + DONE
    )
    expectations: list[Expectation] = [
        Updated("todo_tasks", t["id"], {"assignee_id": pair["person_id"]}, f"'{t['title']}' is assigned to them")
        for t in tasks
        if t["assignee_id"] is None
    ]
    titles = [
        t["title"] + (f" - {t['last']}" if t["last"] else "")
        for t in tasks
        if t["assignee_id"] in (None, pair["person_id"])
    ]
    expectations.append(
        text_to(pair["owner_id"], pair["person_id"], titles, f"one text to {pair['full']} with exactly their to-dos")
    )
    return TaskSpec(
        pair["owner_id"],
        f"In my shared '{pair['name']}' to-do project, assign every open to-do that nobody is assigned to yet to "
        f"{pair['full']}. Then text {pair['full'].split()[0]} (number in my phone contacts) the titles of all the open "
        "to-dos of that project now assigned to them, one per line and nothing else, each followed by ' - <the text "
        "of its latest comment>' if it has comments.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )


def next_birthday(birthday: str) -> date:
    """The next time (today included) the day and month of `birthday` come round; 29 February as 28 February."""
    month, dom = int(birthday[5:7]), int(birthday[8:10])
    today = WORLD_NOW.date()
    for year in (today.year, today.year + 1):
        candidate = date(year, month, 28 if (month, dom) == (2, 29) else dom)
        if candidate >= today:
            return candidate
    raise AssertionError("unreachable: next year always comes after today")


GIFT = "Buy a birthday gift for "


@scenario("work_gift_due_dates", apps=("todo", "phone"))
def gift_due_dates(view: WorldView, rng: random.Random) -> TaskSpec:
    """Gift to-dos due a few days before each person's next birthday; a name two contacts share is not guessed."""
    owners = view.rows(
        "SELECT t.owner_id FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE t.completed = 0 "
        "AND p.archived = 0 AND t.title LIKE ? AND (SELECT COUNT(*) = 1 AND COUNT(c.birthday) = 1 "
        "FROM phone_contacts c WHERE c.owner_id = t.owner_id AND c.first_name = substr(t.title, ?)) "
        "GROUP BY t.owner_id ORDER BY t.owner_id",
        GIFT + "%",
        len(GIFT) + 1,
    )
    owner = pick(rng, owners, "person with a gift to-do for a contact with a birthday", distinct=True)["owner_id"]
    ahead = rng.choice((2, 3, 5))
    tasks = view.rows(
        "SELECT t.id, t.title, t.labels FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id "
        "WHERE t.owner_id = ? AND t.completed = 0 AND p.archived = 0 AND t.title LIKE ? ORDER BY t.id",
        owner,
        GIFT + "%",
    )
    look = (
        login("todo", "phone")
        + fetch_all("gifts", "apis.todo.search_tasks(access_token=todo_token, query='birthday gift', completed=False")
        + f"gifts = [t for t in gifts if t['title'].startswith({GIFT!r})]\n"
        + fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token")
        + "print([t['title'] for t in gifts], len(contacts))\n"
    )
    act = f"""
        from datetime import date, timedelta
        today = date.fromisoformat({TODAY!r})
        def next_birthday(text):
            month, dom = int(text[5:7]), int(text[8:10])
            for year in (today.year, today.year + 1):
                when = date(year, month, 28 if (month, dom) == (2, 29) else dom)
                if when >= today:
                    return when
        soonest = None
        for t in gifts:
            name = t['title'][len({GIFT!r}):]
            same = [c for c in contacts if c['first_name'] == name]
            if len(same) == 1 and same[0]['birthday']:
                when = next_birthday(same[0]['birthday'])
                due = (when - timedelta(days={ahead})).isoformat()
                apis.todo.update_task(access_token=todo_token, task_id=t['task_id'], due_date=due)
                if due > today.isoformat():
                    apis.todo.add_reminder(access_token=todo_token, task_id=t['task_id'], remind_at=due + 'T09:00')
                if soonest is None or when < soonest[0]:
                    soonest = (when, name)
            else:
                apis.todo.update_task(access_token=todo_token, task_id=t['task_id'],
                                      labels=sorted(set(t['labels']) | {{'waiting'}}))
        """
    check = (
        "for t in gifts:\n"
        "    print(apis.todo.show_task(access_token=todo_token, task_id=t['task_id']))\n"
        "apis.supervisor.complete_task(answer=soonest[1])\n"
    )
    expectations: list[Expectation] = []
    soonest: tuple[date, str] | None = None
    for t in tasks:
        name = t["title"][len(GIFT) :]
        same = view.rows("SELECT birthday FROM phone_contacts WHERE owner_id = ? AND first_name = ?", owner, name)
        if len(same) == 1 and same[0]["birthday"]:
            when = next_birthday(same[0]["birthday"])
            due = date.fromordinal(when.toordinal() - ahead).isoformat()
            expectations.append(Updated("todo_tasks", t["id"], {"due_date": due}, f"'{t['title']}' is due {due}"))
            if due > TODAY:
                expectations.append(
                    Inserted(
                        "todo_reminders",
                        {"task_id": t["id"], "owner_id": owner, "remind_at": f"{due}T09:00:00"},
                        f"'{t['title']}' reminds me at 09:00 on {due}",
                        what="reminders",
                    )
                )
            if soonest is None or when < soonest[0]:
                soonest = (when, name)
        elif "waiting" not in t["labels"].split(","):  # one labelled so already stays as it is
            labels = ",".join(sorted(set(filter(None, t["labels"].split(","))) | {"waiting"}))
            expectations.append(
                Updated("todo_tasks", t["id"], {"labels": labels}, f"'{t['title']}' is labelled waiting, date kept")
            )
    if soonest is None:
        raise LookupError("the picked owner has no gift to-do for a single contact with a birthday")
    expectations.append(Answer(soonest[1], f"the answer is {soonest[1]}, whose birthday comes first"))
    return TaskSpec(
        owner,
        f"My open '{GIFT}<name>' to-dos need due dates: set each one to {ahead} days before that person's next "
        "birthday (today counts if it is today), from the birthday in my phone contacts, with a reminder at 09:00 "
        "on that date when it is after today. If no contact has that "
        "first name with a birthday saved, or several contacts share that first name, don't guess: add the label "
        "'waiting' (keeping its other labels) and leave its date. Tell me the first name whose birthday comes first "
        "among those you dated.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )


def late_helpers(view: WorldView, owner: int) -> dict[int, dict[str, Any]]:
    """The collaborators of the owner's active projects with overdue open to-dos assigned to them there: each with
    their name, those to-dos, and when the owner last texted their contact's number (None: never)."""
    rows = view.rows(
        "SELECT t.id, t.title, p.name AS project, f.id AS person_id, f.first_name || ' ' || f.last_name AS full, "
        "(SELECT k.phone_number FROM phone_contacts k WHERE k.owner_id = p.owner_id AND k.email = f.email "
        "ORDER BY k.id LIMIT 1) AS number FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id "
        "JOIN todo_collaborators c ON c.project_id = p.id AND c.person_id = t.assignee_id "
        "JOIN people f ON f.id = t.assignee_id WHERE p.owner_id = ? AND p.archived = 0 AND t.completed = 0 "
        "AND t.due_date < ? ORDER BY t.id",
        owner,
        TODAY,
    )
    helpers: dict[int, dict[str, Any]] = {}
    for r in rows:
        helper = helpers.setdefault(r["person_id"], {"full": r["full"], "number": r["number"], "tasks": []})
        helper["tasks"].append(r)
    for helper in helpers.values():
        sent = helper["number"] and search_text_messages(
            reader(view, owner), phone_number=helper["number"], direction="sent"
        )
        helper["last"] = sent[0]["sent_at"][:10] if sent else None
    return helpers


QUIET_HELPERS = 4  # a quiet nudge (everyone texted lately) reads this many people's texts, at least


def in_hand_told_apart(view: WorldView, owner: int, quiet: bool) -> bool:
    """Whether the owner's late helpers pose the nudge (see nudge_since); if quiet, QUIET_HELPERS+ of them, each one's
    texts read to leave them alone; else someone to nudge has a to-do they said they are on, and something is left
    to list, so skipping the threads shows (5+ overdue to-dos)."""
    helpers = late_helpers(view, owner)
    since = nudge_since(helpers, quiet)
    if not since or quiet:
        return bool(since) and (not quiet or len(helpers) >= QUIET_HELPERS)
    nudged = [(p, h) for p, h in helpers.items() if h["last"] is None or h["last"] < since]
    flags = [on_it(view, t["id"], p) for p, h in nudged for t in h["tasks"]]
    return any(flags) and not all(flags) and sum(len(h["tasks"]) for h in helpers.values()) >= 5


def nudge_since(helpers: dict[int, dict[str, Any]], quiet: bool) -> str | None:
    """The day from which a text of mine means "no nudge": for a quiet variant the earliest last text (everyone was
    texted since), else the latest (someone texted that day is left alone, someone texted before gets a text); None
    when the helpers cannot pose that case (or have fewer than 3 overdue to-dos between them)."""
    if sum(len(h["tasks"]) for h in helpers.values()) < 3 or any(h["number"] is None for h in helpers.values()):
        return None
    days = sorted(h["last"] or "" for h in helpers.values())
    if quiet:
        return days[0] or None
    return days[-1] if len(days) >= 2 and days[0] < days[-1] else None


@scenario("work_overdue_nudge", apps=("todo", "phone"))
def overdue_nudge(view: WorldView, rng: random.Random) -> TaskSpec:
    """Conditional: each collaborator of my shared projects with overdue to-dos gets a text listing them, and each
    listed to-do a comment, unless I texted them lately. Deep: every shared project's collaborators, the overdue
    list, and each person's texts with me (only in the phone) are read; one is left alone, another nudged; and the
    thread of each to-do of one nudged is read (show_task_comments, one call each): one they said they are on is not
    listed (with none left, no text). A quiet variant (everyone texted lately) has 4+ people whose texts are read."""
    quiet = other_branch(rng)
    owners = view.rows(
        "SELECT DISTINCT p.owner_id FROM todo_projects p JOIN todo_collaborators c ON c.project_id = p.id "
        "WHERE p.archived = 0 ORDER BY p.owner_id"
    )
    owners = [row for row in owners if in_hand_told_apart(view, row["owner_id"], quiet)]
    what = "person whose collaborators have overdue to-dos" + (f", {QUIET_HELPERS}+ all texted lately" if quiet else "")
    owner = pick(rng, owners, what, distinct=True)["owner_id"]
    helpers = late_helpers(view, owner)
    since = nudge_since(helpers, quiet)
    note = f"Reminded by text on {TODAY}."
    look = (
        login("todo", "phone")
        + fetch_all("projects", "apis.todo.show_projects(access_token=todo_token")
        + "members = {}\n"
        + "for p in projects:\n"
        + "    if p['shared']:\n"
        + fetch_all(
            "people", "apis.todo.show_collaborators(access_token=todo_token, project_id=p['project_id']", "        "
        )
        + "        members[p['project_id']] = {m['email']: m['name'] for m in people if m['role'] == 'collaborator'}\n"
        + fetch_all("late", "apis.todo.show_overdue_tasks(access_token=todo_token")
        + "theirs, names = {}, {}\n"
        + "for t in late:\n"
        + "    helping = members.get(t['project']['project_id'], {})\n"
        + "    if t['assignee_email'] in helping:\n"
        + "        theirs.setdefault(t['assignee_email'], []).append(t)\n"
        + "        names[t['assignee_email']] = helping[t['assignee_email']]\n"
        + "print({names[e]: [t['title'] for t in ts] for e, ts in theirs.items()})\n"
    )
    act = f"""
        for email, tasks in theirs.items():
            contact = next(c for c in apis.phone.search_contacts(access_token=phone_token, query=email)
                           if c['email'] == email)
            recent = apis.phone.search_text_messages(access_token=phone_token, phone_number=contact['phone_number'],
                                                     direction='sent', sent_after={since!r}, page_limit=1)
            if recent:
                print('texted lately:', names[email], recent[0]['sent_at'])
                continue
            chase = []
            for t in tasks:
{on_it_code("t", "email", "started", indent="                ")}
                if not started:
                    chase.append(t)
            if not chase:
                continue
            tasks = chase
            text = 'Overdue:\\n' + '\\n'.join(t['project']['name'] + ': ' + t['title'] for t in tasks)
            apis.phone.send_text_message(access_token=phone_token, phone_number=contact['phone_number'], message=text)
            for t in tasks:
                apis.todo.add_task_comment(access_token=todo_token, task_id=t['task_id'], text={note!r})
        """
    expectations: list[Expectation] = []
    for person, helper in helpers.items():
        chase = [t for t in helper["tasks"] if not on_it(view, t["id"], person)]
        if helper["last"] is not None and helper["last"] >= str(since) or not chase:
            continue
        lines = InBlocks(["Overdue:"], [f"{t['project']}: {t['title']}" for t in chase])
        requirement = f"one text to {helper['full']}: 'Overdue:', then their overdue to-dos"
        expectations.append(text_to(owner, person, lines, requirement))
        expectations += [
            Inserted(
                "todo_comments",
                {"task_id": t["id"], "owner_id": owner, "text": note, "created_at": NOW},
                f"'{t['title']}' ({helper['full']}) gets the comment '{note}'",
                what="comments",
            )
            for t in chase
        ]
    names = [h["full"] for h in helpers.values()]
    return TaskSpec(
        owner,
        "Nudge the people who help me with my to-dos. In each of my projects I share with others, find the open "
        "to-dos assigned to a collaborator (not me) that are overdue. Text each such person (number in my phone "
        "contacts) one message: a first line 'Overdue:', then one line per overdue to-do of theirs as '<project "
        f"name>: <to-do title>', and add the comment '{note}' to each to-do you list. Leave out a to-do its "
        f"assignee is on already (their own latest comment on it is {SAID_ON_IT}); with none left, no text. But "
        "leave alone anyone I "
        f"have already texted on or after {since}: no text, no comments. Tell me the full names of all the "
        "collaborators with overdue to-dos, texted or not.",
        Solution().step(look).step(act).step(f"apis.supervisor.complete_task(answer={names!r})\n").steps(),
        [*expectations, Answer(names, "the answer names every collaborator with overdue to-dos")],
        noop_pass=not expectations,
    )


@scenario("work_collaborator_leaves", apps=("todo",))
def collaborator_leaves(view: WorldView, rng: random.Random) -> TaskSpec:
    """Someone stops helping: their open to-dos in every project of mine come to me, then they are removed. Deep:
    each open to-do of theirs has its thread read (show_task_comments, one call each) to keep their last word on
    it as my comment; others' comments on the same to-do are distractors."""
    pairs = view.rows(
        "SELECT p.owner_id, c.person_id, f.first_name || ' ' || f.last_name AS full, COUNT(*) AS projects "
        "FROM todo_collaborators c JOIN todo_projects p ON p.id = c.project_id JOIN people f ON f.id = c.person_id "
        "WHERE p.archived = 0 GROUP BY p.owner_id, c.person_id ORDER BY projects DESC, p.owner_id, c.person_id"
    )
    if other_branch(rng):
        pairs = [p for p in pairs if p["projects"] == pairs[0]["projects"]]
    else:  # 6+ open to-dos of theirs, some with a word of theirs and some without
        pairs = [p for p in pairs if last_words_told_apart(view, p["owner_id"], p["person_id"])]
    pair = pick(rng, pairs, "collaborator of my projects", distinct=True)
    owner, person = pair["owner_id"], pair["person_id"]
    first = pair["full"].split(" ")[0]
    memberships = view.rows(
        "SELECT c.id, p.id AS project_id, p.name FROM todo_collaborators c JOIN todo_projects p "
        "ON p.id = c.project_id WHERE p.owner_id = ? AND c.person_id = ? AND p.archived = 0 ORDER BY c.id",
        owner,
        person,
    )
    theirs = view.rows(
        "SELECT t.id, t.title, t.completed FROM todo_tasks t JOIN todo_collaborators c ON c.project_id = t.project_id "
        "AND c.person_id = t.assignee_id JOIN todo_projects p ON p.id = t.project_id WHERE p.owner_id = ? "
        "AND t.assignee_id = ? AND p.archived = 0 ORDER BY t.id",
        owner,
        person,
    )
    look = (
        login("todo")
        + fetch_all("projects", "apis.todo.show_projects(access_token=todo_token")
        + "shared = [p for p in projects if p['shared']]\n"
        + "members = {}\n"
        + "for p in shared:\n"
        + fetch_all(
            "people", "apis.todo.show_collaborators(access_token=todo_token, project_id=p['project_id']", "    "
        )
        + "    members[p['project_id']] = people\n"
        + f"email = next(m['email'] for ms in members.values() for m in ms if m['name'] == {pair['full']!r})\n"
        + "print(email, [p['name'] for p in shared if any(m['email'] == email for m in members[p['project_id']])])\n"
    )
    act = (
        "for p in shared:\n"
        "    if not any(m['email'] == email for m in members[p['project_id']]):\n"
        "        continue\n"
        + fetch_all(
            "open_tasks",
            "apis.todo.search_tasks(access_token=todo_token, project_id=p['project_id'], completed=False",
            "    ",
        )
        + "    for t in open_tasks:\n"
        "        if t['assignee_email'] == email:\n"
        + fetch_all(
            "said", "apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id']", "            "
        )
        + "            words = [c['text'] for c in said if c['author']['email'] == email]\n"
        "            if words:\n"
        f"                text = 'Last word from {first}: ' + words[-1]\n"
        "                apis.todo.add_task_comment(access_token=todo_token, task_id=t['task_id'], text=text)\n"
        "            apis.todo.assign_task(access_token=todo_token, task_id=t['task_id'], email=me['email'])\n"
        "    apis.todo.remove_collaborator(access_token=todo_token, project_id=p['project_id'], email=email)\n"
    )
    check = (
        fetch_all("mine", "apis.todo.show_assigned_tasks(access_token=todo_token")
        + "print([t['title'] for t in mine])\n"
        + DONE
    )
    expectations: list[Expectation] = [
        Deleted("todo_collaborators", frozenset(m["id"] for m in memberships), "they are removed from each project")
    ]
    for t in theirs:
        word = None if t["completed"] else last_word(view, t["id"], person)
        if word is not None:
            text = f"Last word from {first}: {word}"
            expectations.append(
                Inserted(
                    "todo_comments",
                    {"task_id": t["id"], "owner_id": owner, "text": text, "created_at": NOW},
                    f"'{t['title']}' keeps their last word as my comment {text!r}",
                    what="comments",
                )
            )
    expectations += [
        Updated(
            "todo_tasks",
            t["id"],
            {"assignee_id": None if t["completed"] else owner},
            f"'{t['title']}' is " + ("no longer theirs (done)" if t["completed"] else "now assigned to me"),
        )
        for t in theirs
    ]
    return TaskSpec(
        owner,
        f"{pair['full']} no longer helps me with my to-dos. In every project of mine they collaborate on, first "
        "assign each open to-do assigned to them to me, then remove them from the project (their completed to-dos "
        "simply lose their assignee). Before you take an open to-do of theirs over, if they commented on it, keep "
        f"their latest comment there as my comment 'Last word from {first}: <the text of their latest comment>'.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )


def last_words_told_apart(view: WorldView, owner: int, person: int) -> bool:
    """Whether 6+ open to-dos are assigned to the person in the owner's active projects they collaborate on, some
    with a comment of theirs and some without (so the threads must be read to tell them apart)."""
    open_ids = view.rows(
        "SELECT t.id FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id JOIN todo_collaborators c "
        "ON c.project_id = p.id AND c.person_id = t.assignee_id WHERE p.owner_id = ? AND t.assignee_id = ? "
        "AND p.archived = 0 AND t.completed = 0",
        owner,
        person,
    )
    said = [last_word(view, t["id"], person) is not None for t in open_ids]
    return len(said) >= 6 and any(said) and not all(said)


def named_contact(title: str, contacts: dict[str, list[dict]]) -> dict | None:
    """The one contact a title names by first name: None when it names none, two people, or a shared first name."""
    names = {word for word in title.split() if word in contacts}
    if len(names) != 1:
        return None
    same = contacts[names.pop()]
    return same[0] if len(same) == 1 else None


def named_todos(view: WorldView, owner: int) -> list[tuple[dict, dict]]:
    """Each open to-do of `owner` (active projects) with the one phone contact its title names by first name."""
    contacts: dict[str, list[dict]] = {}
    for c in view.rows("SELECT * FROM phone_contacts WHERE owner_id = ? ORDER BY id", owner):
        contacts.setdefault(c["first_name"], []).append(c)
    tasks = view.rows(
        "SELECT t.id, t.title, t.labels, t.description FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id "
        "WHERE t.owner_id = ? AND t.completed = 0 AND p.archived = 0 ORDER BY t.id",
        owner,
    )
    return [(t, named) for t in tasks if (named := named_contact(t["title"], contacts)) is not None]


@scenario("work_call_details", apps=("todo", "phone"))
def call_details(view: WorldView, rng: random.Random) -> TaskSpec:
    """To-dos naming a contact get the 'calls' label (made if missing), that contact's number and the day of my last
    call with them; a first name several contacts share is skipped, not guessed. Deep: 8+ such to-dos, and the last
    call is only in the phone's call log, read per named contact."""
    owners = view.rows(
        "SELECT owner_id FROM todo_labels GROUP BY owner_id HAVING SUM(name = 'calls') = ? ORDER BY owner_id",
        int(not other_branch(rng)),
    )
    owners = [row for row in owners if len(named_todos(view, row["owner_id"])) >= 8]
    what = "person with (or without) a 'calls' label and 8+ to-dos naming a contact"
    owner = pick(rng, owners, what, distinct=True)["owner_id"]
    look = (
        login("todo", "phone")
        + fetch_all("open_tasks", "apis.todo.search_tasks(access_token=todo_token, completed=False")
        + fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token")
        + "by_name = {}\n"
        + "for c in contacts:\n"
        + "    by_name.setdefault(c['first_name'], []).append(c)\n"
        + "labels = [x['label'] for x in apis.todo.show_labels(access_token=todo_token)]\n"
        + "print(len(open_tasks), len(contacts), labels)\n"
    )
    act = """
        if 'calls' not in labels:
            apis.todo.create_label(access_token=todo_token, name='calls', color='orange')
        last_call = {}
        for t in open_tasks:
            names = {word for word in t['title'].split() if word in by_name}
            if len(names) != 1 or len(by_name[next(iter(names))]) != 1:
                continue
            c = by_name[names.pop()][0]
            if c['phone_number'] not in last_call:
                log = apis.phone.show_call_history(access_token=phone_token, phone_number=c['phone_number'],
                                                   page_limit=1)
                last_call[c['phone_number']] = log[0]['started_at'][:10] if log else None
            when = last_call[c['phone_number']]
            text = 'Call ' + c['first_name'] + ' ' + c['last_name'] + ': ' + c['phone_number']
            text += ' (last call ' + when + ')' if when else ' (no calls yet)'
            apis.todo.update_task(access_token=todo_token, task_id=t['task_id'],
                                  labels=sorted(set(t['labels']) | {'calls'}), description=text)
        """
    check = (
        fetch_all("labelled", "apis.todo.search_tasks(access_token=todo_token, label='calls', completed=False")
        + "print([(t['title'], t['description']) for t in labelled])\n"
        + DONE
    )
    expectations: list[Expectation] = []
    if not view.rows("SELECT 1 FROM todo_labels WHERE owner_id = ? AND name = 'calls'", owner):
        expectations.append(
            Inserted(
                "todo_labels",
                {"owner_id": owner, "name": "calls", "color": "orange", "is_favorite": 0},
                "an orange 'calls' label is made",
                what="labels",
            )
        )
    for t, named in named_todos(view, owner):
        when = view.value(
            "SELECT substr(MAX(started_at), 1, 10) FROM phone_calls WHERE owner_id = ? AND phone_number = ?",
            owner,
            named["phone_number"],
        )
        values = {
            "labels": ",".join(sorted(set(filter(None, t["labels"].split(","))) | {"calls"})),
            "description": f"Call {named['first_name']} {named['last_name']}: {named['phone_number']} "
            + (f"(last call {when})" if when else "(no calls yet)"),
        }
        expectations.append(Updated("todo_tasks", t["id"], values, f"'{t['title']}' has the label and the number"))
    return TaskSpec(
        owner,
        "Make my open to-dos that mention one of my phone contacts by first name ready for calling: give each the "
        "label 'calls' (keeping its other labels; create the label, orange, if I don't have it) and set its "
        "description to 'Call <first name> <last name>: <phone number> (last call <YYYY-MM-DD>)', with the day of "
        "the latest call with that number in my phone's call log (any direction, missed ones too), or '(no calls "
        "yet)' at the end instead when there is none. Skip a to-do that names several of my contacts, or a first "
        "name that more than one of my contacts has.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )


MIN_FREE_TODOS = 10  # open to-dos nobody has taken in the project a roommate is added to: each one's comments read


def household_projects(view: WorldView) -> list[dict[str, Any]]:
    """My active 'Groceries' and 'Home' projects where I have a roommate contact, with how many roommates are not in
    yet (`missing`), the open to-dos nobody has taken (`free`) and how many of those have comments (`commented`)."""
    return view.rows(
        "SELECT p.id, p.owner_id, p.name, (SELECT COUNT(*) FROM phone_contacts k JOIN people f ON f.email = k.email "
        "WHERE k.owner_id = p.owner_id AND k.relationship = 'roommate' AND NOT EXISTS (SELECT 1 FROM "
        "todo_collaborators c WHERE c.project_id = p.id AND c.person_id = f.id)) AS missing, (SELECT COUNT(*) FROM "
        "todo_tasks t WHERE t.project_id = p.id AND t.completed = 0 AND t.assignee_id IS NULL) AS free, (SELECT "
        "COUNT(*) FROM todo_tasks t WHERE t.project_id = p.id AND t.completed = 0 AND t.assignee_id IS NULL AND "
        "EXISTS (SELECT 1 FROM todo_comments m WHERE m.task_id = t.id)) AS commented FROM todo_projects p "
        "WHERE p.archived = 0 AND p.name IN ('Groceries', 'Home') AND EXISTS (SELECT 1 FROM phone_contacts k "
        "WHERE k.owner_id = p.owner_id AND k.relationship = 'roommate') ORDER BY p.id"
    )


@scenario("work_share_with_roommates", apps=("todo", "phone"))
def share_with_roommates(view: WorldView, rng: random.Random) -> TaskSpec:
    """Conditional: roommates from the phone contacts missing from a household project are added and texted the
    to-dos nobody has taken yet, each with its latest comment; when all are in already, nothing changes. Deep: the
    project has MIN_FREE_TODOS+ such to-dos whose comments are only in show_task_comments, read per to-do."""
    projects = household_projects(view)
    full = other_branch(rng)
    if full:
        pool = [p for p in projects if p["missing"] == 0]
        what = "household project with every roommate in"
    else:
        least, pool = as_deep_as_found(
            (MIN_FREE_TODOS, 1, 0),
            lambda n: [p for p in projects if p["missing"] and p["free"] >= n and (p["commented"] or not n)],
        )
        what = f"household project missing a roommate, with {least}+ open to-dos nobody has taken (one commented)"
    project = pick(rng, pool, what, distinct=True)
    owner = project["owner_id"]
    missing = view.rows(
        "SELECT f.id, f.first_name FROM phone_contacts k JOIN people f ON f.email = k.email WHERE k.owner_id = ? "
        "AND k.relationship = 'roommate' AND NOT EXISTS (SELECT 1 FROM todo_collaborators c WHERE c.project_id = ? "
        "AND c.person_id = f.id) ORDER BY f.id",
        owner,
        project["id"],
    )
    header = f"Hi! I added you to my '{project['name']}' to-do list. Nobody has taken these yet:"
    look = (
        login("phone", "todo")
        + fetch_all("roommates", "apis.phone.search_contacts(access_token=phone_token, relationship='roommate'")
        + fetch_all("projects", f"apis.todo.show_projects(access_token=todo_token, query={project['name']!r}")
        + f"project = next(p for p in projects if p['name'] == {project['name']!r})\n"
        + fetch_all("people", "apis.todo.show_collaborators(access_token=todo_token, project_id=project['project_id']")
        + "inside = {p['email'] for p in people}\n"
        + "adding = [r for r in roommates if r['email'] and r['email'] not in inside]\n"
        + "print([(r['first_name'], r['email']) for r in roommates], inside)\n"
    )
    gather = (
        "free = []\n"
        "if adding:\n"
        + fetch_all(
            "open_tasks",
            "apis.todo.search_tasks(access_token=todo_token, project_id=project['project_id'], completed=False",
            "    ",
        )
        + "    for t in open_tasks:\n"
        "        if t['assignee_email'] is None:\n"
        "            comments = apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id'], "
        "page_limit=20)\n"
        "            free.append(t['title'] + ' - ' + comments[-1]['text'] if comments else t['title'])\n"
        "print(free)\n"
    )
    act = f"""
        for r in adding:
            apis.todo.share_project(access_token=todo_token, project_id=project['project_id'], email=r['email'])
            apis.phone.send_text_message(access_token=phone_token, phone_number=r['phone_number'],
                                         message='\\n'.join([{header!r}, *free]))
        """
    check = (
        "print(apis.todo.show_collaborators(access_token=todo_token, project_id=project['project_id'], "
        "page_limit=20))\n"
        "apis.supervisor.complete_task(answer=[r['first_name'] + ' ' + r['last_name'] for r in roommates "
        "if r['email'] in inside])\n"
    )
    already = view.rows(
        "SELECT k.first_name || ' ' || k.last_name AS name FROM phone_contacts k JOIN people f ON f.email = k.email "
        "JOIN todo_collaborators c ON c.person_id = f.id AND c.project_id = ? WHERE k.owner_id = ? "
        "AND k.relationship = 'roommate'",
        project["id"],
        owner,
    )
    free = [
        t["title"] + (f" - {t['last']}" if t["last"] else "")
        for t in view.rows(
            f"SELECT t.title, {LAST_COMMENT} FROM todo_tasks t WHERE t.project_id = ? AND t.completed = 0 "
            "AND t.assignee_id IS NULL ORDER BY t.id",
            project["id"],
        )
    ]
    expectations: list[Expectation] = [
        Answer([r["name"] for r in already], "the answer names the roommates who were in the project already")
    ]
    for person in missing:
        expectations.append(
            Inserted(
                "todo_collaborators",
                {"project_id": project["id"], "person_id": person["id"], "added_at": NOW},
                f"{person['first_name']} is added to the project",
                what="collaborators",
            )
        )
        expectations.append(
            text_to(
                owner,
                person["id"],
                InBlocks([header], free),
                f"{person['first_name']} is texted the greeting, then the {len(free)} to-dos nobody has taken",
            )
        )
    return TaskSpec(
        owner,
        f"Every roommate in my phone contacts should be in my '{project['name']}' to-do project. Add each one who "
        f'isn\'t yet, and text each one you add a first line exactly "{header}", then one line per open to-do of '
        "that project that nobody is assigned to: its title, followed by ' - <the text of its latest comment>' if it "
        "has comments. Leave those already in alone, and tell me their names (as in my contacts).",
        Solution().step(look).step(gather).step(act).step(check).steps(),
        expectations,
        noop_pass=not missing,
    )
