"""Scenarios turning phone contacts, voicemail and texts into to-dos, and to-dos into texts: follow-ups."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from envs.toolworld.evaluate import Answer, Deleted, Expectation, Inserted
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, login, pick
from envs.toolworld.scenarios._rows import new_task
from envs.toolworld.scenarios.contacts_calendar import TODAY, TOMORROW, called_back, contact_names
from envs.toolworld.scenarios.contacts_notes import CONTACT_NAMES, existing_or_new
from envs.toolworld.scenarios.phone import talked_since
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

REPLY = "Got your voicemail, I'll call you back tomorrow."


def project_step(name: str) -> str:
    """Oracle code that finds my project `name`, creating it when missing, into `project_id`."""
    return (
        fetch_all("projects", f"apis.todo.show_projects(access_token=todo_token, query={name!r}")
        + f"project_id = next((p['project_id'] for p in projects if p['name'] == {name!r}), None)\n"
        "if project_id is None:\n"
        f"    project_id = apis.todo.create_project(access_token=todo_token, name={name!r})['project_id']\n"
    )


def project(view: WorldView, owner: int, name: str) -> tuple[Any, list[Expectation]]:
    """(the project_id matcher for new to-dos, the expectation of the project itself when it must be created)."""
    defaults = {"color": "blue", "is_favorite": 0, "archived": 0}
    return existing_or_new(view, "todo_projects", owner, name, defaults, "project")


def callback_voicemails(view: WorldView, owner: int, since: str) -> dict[str, dict[str, Any]]:
    """Contact name -> their latest voicemail since `since` asking me to call back."""
    names = contact_names(view, owner)
    latest: dict[str, dict[str, Any]] = {}
    for m in view.rows(
        "SELECT * FROM phone_voicemails WHERE owner_id = ? AND left_at >= ? AND instr(lower(transcript), "
        "'call me back') ORDER BY left_at",
        owner,
        since,
    ):
        if m["phone_number"] in names:
            latest[names[m["phone_number"]]] = m
    return latest


@scenario("contacts_voicemail_followups", apps=("phone", "todo"))
def voicemail_followups(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep: contacts I already called back after their latest call-me-back voicemail (outgoing calls read per
    contact) get no to-do and no text, and their call-me-back voicemails since the date are deleted instead;
    callers not in my contacts and other voicemails are distractors."""
    since = rng.choice(["2025-03-01", "2025-06-01", "2025-01-01"])
    candidates = []
    for p in view.people_ids():
        asked = callback_voicemails(view, p, since)
        done = [n for n, m in asked.items() if called_back(view, p, m["phone_number"], m["left_at"])]
        if done and 2 <= len(asked) - len(done) <= 6:
            candidates.append(p)
    owner = pick(rng, candidates, "person asked to call back by contacts, some called back", distinct=True)
    asked = callback_voicemails(view, owner, since)
    wanted = {n: m for n, m in asked.items() if not called_back(view, owner, m["phone_number"], m["left_at"])}
    handled = sorted(n for n in asked if n not in wanted)
    project_id, expectations = project(view, owner, "Call-backs")
    look = (
        fetch_all("mails", "apis.phone.show_voicemails(access_token=phone_token, query='call me back'")
        + CONTACT_NAMES
        + f"""
asked = [m for m in mails if m['left_at'] >= {since!r} and m['phone_number'] in names
         and 'call me back' in m['transcript'].lower()]
latest = {{}}
for m in sorted(asked, key=lambda m: m['left_at']):
    latest[names[m['phone_number']]] = m
print({{name: m['left_at'] for name, m in latest.items()}})
"""
    )
    decide = """
handled = []
for name, m in sorted(latest.items()):
    calls = apis.phone.show_call_history(access_token=phone_token, phone_number=m['phone_number'],
                                         direction='outgoing', started_after=m['left_at'][:10], page_limit=20)
    if any(c['started_at'] > m['left_at'] for c in calls):
        handled.append(name)
pending = {name: m for name, m in latest.items() if name not in handled}
print('called back:', handled, 'to do:', sorted(pending))
"""
    act = project_step("Call-backs") + (
        "for name, m in sorted(pending.items()):\n"
        "    apis.todo.create_task(access_token=todo_token, project_id=project_id, title='Call back ' + name, "
        f"due_date={TOMORROW!r}, priority=2, description=m['transcript'])\n"
        "    apis.phone.send_text_message(access_token=phone_token, phone_number=m['phone_number'], "
        f"message={REPLY!r})\n"
        "for m in asked:\n"
        "    if names[m['phone_number']] in handled:\n"
        "        apis.phone.delete_voicemail(access_token=phone_token, voicemail_id=m['voicemail_id'])\n"
    )
    check = (
        fetch_all("made", "apis.todo.search_tasks(access_token=todo_token, query='Call back', project_id=project_id")
        + "print([(t['title'], t['due_date']) for t in made])\n"
    )
    oracle = (
        Solution()
        .step(login("phone", "todo"))
        .step(look)
        .step(decide)
        .step(act)
        .step(check)
        .step("apis.supervisor.complete_task(answer=sorted(pending))\n")
        .steps()
    )
    expectations += [
        Inserted(
            "todo_tasks",
            new_task(
                owner,
                project_id,
                f"Call back {name}",
                due_date=TOMORROW,
                priority=2,
                description=m["transcript"],
            ),
            f"a priority-2 to-do 'Call back {name}' due tomorrow holds their latest voicemail",
            what=f"to-dos for {name}",
        )
        for name, m in sorted(wanted.items())
    ]
    expectations += [
        Inserted(
            "phone_messages",
            {
                "sender_id": owner,
                "receiver_id": view.value("SELECT id FROM people WHERE phone_number = ?", m["phone_number"]),
                "message": REPLY,
                "is_read": 0,
            },
            f"{name} is texted that I got the voicemail",
            what=f"texts to {name}",
        )
        for name, m in sorted(wanted.items())
    ]
    numbers = [asked[n]["phone_number"] for n in handled]
    gone = frozenset(
        r["id"]
        for r in view.rows(
            "SELECT id, phone_number FROM phone_voicemails WHERE owner_id = ? AND left_at >= ? "
            "AND instr(lower(transcript), 'call me back')",
            owner,
            since,
        )
        if r["phone_number"] in numbers
    )
    expectations.append(
        Deleted(
            "phone_voicemails",
            gone,
            f"the call-me-back voicemails since {since} of {', '.join(handled)} (called back already) are deleted",
            what="voicemails",
        )
    )
    expectations.append(Answer(sorted(wanted), "the answer names the contacts still to call back"))
    return TaskSpec(
        owner,
        f"Some of my contacts left me voicemails since {since} asking me to call them back ('call me back'). For "
        "each such contact I have not called yet since their latest such voicemail (no outgoing call to them after "
        "it), add one to-do 'Call back <First Last>' (as saved in my phone) to my 'Call-backs' project "
        f"(create it if I have none), due tomorrow ({TOMORROW}), priority 2, with the transcript of their latest such "
        "voicemail as its description, and text them exactly '" + REPLY + "'. For those I did call back, delete "
        f"their call-me-back voicemails since {since} instead. Ignore callers not in my contacts and other "
        "voicemails. Tell me the names of those still to call back.",
        oracle,
        expectations,
    )


def birthdays_within(view: WorldView, owner: int, days: int) -> dict[str, str]:
    """Contact name -> this year's birthday date, for birthdays from today to `days` days ahead."""
    window = [(TODAY + timedelta(days=d)).isoformat()[5:] for d in range(days + 1)]
    found = {}
    for c in view.rows(
        "SELECT first_name || ' ' || last_name AS name, birthday FROM phone_contacts WHERE owner_id = ? "
        "AND birthday IS NOT NULL",
        owner,
    ):
        if c["birthday"][5:] in window:
            found[c["name"]] = f"{TODAY.year}-{c['birthday'][5:]}"
    return found


BIRTHDAY_DAYS = 60  # days ahead, today counted
BIRTHDAYS_AT_LEAST = 4  # birthdays in that window, some of them people I talked to and some not
BIRTHDAY_TALKED_SINCE = "2026-03-18"  # two months back: a call since then in which we talked makes it a text


def birthday_people(view: WorldView, owner: int) -> dict[str, tuple[str, bool]]:
    """Contact name -> (birthday within BIRTHDAY_DAYS, whether we talked on the phone since BIRTHDAY_TALKED_SINCE on
    any number saved under that name)."""
    return {
        name: (
            day,
            any(
                talked_since(view, owner, c["phone_number"], BIRTHDAY_TALKED_SINCE)
                for c in view.rows(
                    "SELECT phone_number FROM phone_contacts WHERE owner_id = ? AND first_name || ' ' || last_name = ?",
                    owner,
                    name,
                )
            ),
        )
        for name, day in birthdays_within(view, owner, BIRTHDAY_DAYS).items()
    }


def birthday_title(name: str, talked: bool) -> str:
    return f"Text {name} a happy birthday" if talked else f"Call {name} for their birthday"


@scenario("contacts_birthday_week_todos", apps=("phone", "todo"))
def birthday_week_todos(view: WorldView, rng: random.Random) -> TaskSpec:
    """A to-do per contact with a birthday in the next BIRTHDAY_DAYS days: a text for those I talked to on the phone
    since BIRTHDAY_TALKED_SINCE, a call for the others. Whether we talked is only in the call log (one look per
    name); the pick has BIRTHDAYS_AT_LEAST birthdays with the call log deciding both ways."""

    def deciding(least: int) -> list[int]:
        found = []
        for p in view.people_ids():
            talked = [t for _, t in birthday_people(view, p).values()]
            if len(talked) >= least and (least == 1 or 0 < sum(talked) < len(talked)):
                found.append(p)
        return found

    _, owners = as_deep_as_found((BIRTHDAYS_AT_LEAST, 3, 2, 1), deciding)
    owner = pick(rng, owners, "contacts' birthdays", distinct=True)
    soon = birthday_people(view, owner)
    project_id, expectations = project(view, owner, "Birthdays")
    last = (TODAY + timedelta(days=BIRTHDAY_DAYS)).isoformat()
    look = (
        fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token, sort_by='birthday'")
        + f"""
today, last = {TODAY.isoformat()!r}, {last!r}
soon, numbers = {{}}, {{}}
for c in contacts:
    if c['birthday'] and today <= today[:4] + c['birthday'][4:] <= last:
        name = c['first_name'] + ' ' + c['last_name']
        soon[name] = today[:4] + c['birthday'][4:]
        numbers.setdefault(name, []).append(c['phone_number'])
print(soon)
"""
    )
    read = (
        "talked = {}\n"
        "for name in soon:\n"
        "    talked[name] = any(apis.phone.show_call_history(access_token=phone_token, phone_number=n, "
        f"started_after={BIRTHDAY_TALKED_SINCE!r}, min_duration_seconds=1, page_limit=1) for n in numbers[name])\n"
        "print(talked)\n"
    )
    act = (
        project_step("Birthdays") + "for name, day in sorted(soon.items()):\n"
        "    title = 'Text ' + name + ' a happy birthday' if talked[name] else 'Call ' + name + ' for their birthday'\n"
        "    apis.todo.create_task(access_token=todo_token, project_id=project_id, title=title, due_date=day, "
        "priority=1)\n"
        "print(apis.todo.show_upcoming_tasks(access_token=todo_token, page_limit=20))\n"
    )
    done = "apis.supervisor.complete_task(answer=len([c for c in contacts if c['birthday']]))\n"
    oracle = Solution().step(login("phone", "todo")).step(look).step(read).step(act).step(done).steps()
    known = view.value("SELECT COUNT(*) FROM phone_contacts WHERE owner_id = ? AND birthday != ''", owner)
    expectations.append(Answer(known, f"the answer is the {known} contacts with a birthday saved"))
    expectations += [
        Inserted(
            "todo_tasks",
            new_task(owner, project_id, birthday_title(name, talked), due_date=day, priority=1),
            f"a priority-1 to-do '{birthday_title(name, talked)}', due {day}",
            what=f"birthday to-dos for {name}",
        )
        for name, (day, talked) in sorted(soon.items())
    ]
    return TaskSpec(
        owner,
        f"For each of my phone contacts with a birthday in the next {BIRTHDAY_DAYS} days (today "
        f"{TODAY.isoformat()} to {last}), add a to-do due on the birthday, priority 1, in my 'Birthdays' project "
        "(create it if missing), one per name even if saved twice: 'Text <First Last> a happy birthday' if we have "
        f"talked on the phone since {BIRTHDAY_TALKED_SINCE} (a call either way in which we talked, on any number "
        "saved under that name; missed or unanswered calls do not count), otherwise 'Call <First Last> for their "
        "birthday'. Then tell me how many of my phone contact entries have a birthday saved (here a name saved twice "
        "counts twice).",
        oracle,
        expectations,
    )


NUDGE_DAYS = 14  # to-dos due from today to this many days ahead (today counted) are nudged with the overdue ones


def nudged(view: WorldView, owner: int) -> list[dict[str, Any]]:
    """My open to-dos (active projects) assigned to someone else, overdue or due within NUDGE_DAYS, with whether
    the assignee has commented on them and whether they are in my contacts, by due date."""
    last = (TODAY + timedelta(days=NUDGE_DAYS)).isoformat()
    return view.rows(
        "SELECT t.id, t.title, t.due_date, t.assignee_id, EXISTS (SELECT 1 FROM todo_comments c WHERE c.task_id = t.id "
        "AND c.owner_id = t.assignee_id) AS answered, EXISTS (SELECT 1 FROM phone_contacts c JOIN people p ON "
        "p.email = c.email WHERE c.owner_id = t.owner_id AND p.id = t.assignee_id) AS known FROM todo_tasks t "
        "JOIN todo_projects j ON j.id = t.project_id WHERE t.owner_id = ? AND t.assignee_id IS NOT NULL "
        "AND t.assignee_id != t.owner_id AND t.completed = 0 AND j.archived = 0 AND t.due_date < ? "
        "ORDER BY t.due_date, t.id",
        owner,
        last,
    )


def nudge_text(title: str, due: str) -> str:
    verb = "was" if due < TODAY.isoformat() else "is"
    return f'Reminder: "{title}" {verb} due on {due}.'


@scenario("contacts_text_overdue_assignees", apps=("todo", "phone"))
def text_overdue_assignees(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep: whether the assignee already answered a to-do is only in its comments (read per to-do: the task lists
    have none), the to-dos come from two lists (overdue, and due in the next two weeks, worded differently), and
    the answer names the to-dos skipped; to-dos assigned to me and archived projects are distractors."""
    pool = []
    for owner in view.people_ids():
        found = nudged(view, owner)
        # 4+ unanswered: in the denser todo data assignees answer more often, which left shallow picks
        answered = sum(r["answered"] for r in found)
        if all(r["known"] for r in found) and 1 <= answered <= len(found) - 4:
            pool.append(owner)
    owner = pick(rng, pool, "to-dos assigned to others due soon or overdue, 1+ answered, 4+ not", distinct=True)
    found = nudged(view, owner)
    today = TODAY.isoformat()
    look = (
        fetch_all("overdue", "apis.todo.show_overdue_tasks(access_token=todo_token")
        + fetch_all("soon", f"apis.todo.show_upcoming_tasks(access_token=todo_token, days={NUDGE_DAYS}")
        + "theirs = [t for t in overdue + soon if t['assignee_email'] and t['assignee_email'] != me['email']]\n"
        "print([(t['title'], t['assignee_email'], t['due_date']) for t in theirs])\n"
    )
    read = (
        "waiting, answered = [], []\n"
        "for t in theirs:\n"
        "    comments = apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id'], page_limit=20)\n"
        "    if any(c['author']['email'] == t['assignee_email'] for c in comments):\n"
        "        answered.append(t['title'])\n"
        "    else:\n"
        "        waiting.append(t)\n"
        "print(answered, [t['title'] for t in waiting])\n"
    )
    act = (
        fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token")
        + "numbers = {c['email']: c['phone_number'] for c in contacts if c['email']}\n"
        "for t in waiting:\n"
        f"    verb = 'was' if t['due_date'] < {today!r} else 'is'\n"
        "    text = 'Reminder: \"' + t['title'] + '\" ' + verb + ' due on ' + t['due_date'] + '.'\n"
        "    apis.phone.send_text_message(access_token=phone_token, phone_number=numbers[t['assignee_email']], "
        "message=text)\n"
        "    apis.todo.add_task_comment(access_token=todo_token, task_id=t['task_id'], "
        f"text='Reminder texted on {today}.')\n"
    )
    oracle = (
        Solution()
        .step(login("todo", "phone"))
        .step(look)
        .step(read)
        .step(act)
        .step("apis.supervisor.complete_task(answer=answered)\n")
        .steps()
    )
    waiting = [r for r in found if not r["answered"]]
    expectations: list[Expectation] = [
        Inserted(
            "phone_messages",
            {
                "sender_id": owner,
                "receiver_id": r["assignee_id"],
                "message": nudge_text(r["title"], r["due_date"]),
                "is_read": 0,
            },
            f"the assignee of '{r['title']}' (due {r['due_date']}) gets the reminder text, worded "
            + ("'was due'" if r["due_date"] < today else "'is due'"),
            what=f"reminders about {r['title']!r}",
        )
        for r in waiting
    ]
    expectations += [
        Inserted(
            "todo_comments",
            {"task_id": r["id"], "owner_id": owner, "text": f"Reminder texted on {today}."},
            f"'{r['title']}' gets the comment that a reminder was texted",
            what=f"comments on {r['title']!r}",
        )
        for r in waiting
    ]
    answered = [r["title"] for r in found if r["answered"]]
    expectations.append(
        Answer(answered, "the answer lists the to-dos skipped because their assignee already commented on them")
    )
    last = (TODAY + timedelta(days=NUDGE_DAYS - 1)).isoformat()
    return TaskSpec(
        owner,
        "For each of my open to-dos assigned to someone else that is overdue or due in the next "
        f"{NUDGE_DAYS} days ({today} to {last}), unless that person has already left a comment on it, text them (at "
        "the number in my phone contacts) exactly: 'Reminder: \"<to-do title>\" was due on <YYYY-MM-DD>.' for an "
        "overdue one, or 'Reminder: \"<to-do title>\" is due on <YYYY-MM-DD>.' for one not due yet, and comment on "
        f"that to-do 'Reminder texted on {today}.'. Tell me the titles of the ones you skipped because the assignee "
        "had commented.",
        oracle,
        expectations,
    )
