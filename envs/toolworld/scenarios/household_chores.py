"""Household scenarios on todo: chores of a bill splitting group's members, who does them and when."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from envs.toolworld.apps.bill_splitting import pair_debts
from envs.toolworld.evaluate import Answer, Expectation, Inserted, NewRow, OneOf, Updated
from envs.toolworld.scenarios._common import (
    Solution,
    as_deep_as_found,
    fetch_all,
    full_name,
    login,
    other_branch,
    pick,
)
from envs.toolworld.scenarios._rows import new_task as task_row
from envs.toolworld.scenarios._rows import reminder_on_new_task
from envs.toolworld.scenarios._threads import SAID_ON_IT, on_it, on_it_code
from envs.toolworld.scenarios.bill_splitting import FIND_GROUP, members, unique_groups
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

CHORES = (
    "Clean the kitchen",
    "Take out the recycling",
    "Vacuum the living room",
    "Clean the bathroom",
    "Water the plants",
    "Mop the hallway",
    "Wipe the fridge",
    "Change the towels",
)
COLORS = ("green", "orange", "purple")


def next_saturday() -> date:
    today = WORLD_NOW.date()
    return today + timedelta(days=(5 - today.weekday()) % 7 or 7)


def home_groups(view: WorldView, min_members: int = 3) -> list[dict[str, Any]]:
    """Groups shared by people who live together (home/family), whose name identifies them for the owner."""
    kinds = {r["id"]: r["group_type"] for r in view.rows("SELECT id, group_type FROM bill_splitting_groups")}
    return [g for g in unique_groups(view, min_members) if kinds[g["group_id"]] in ("home", "family")]


def by_full_name(view: WorldView, people: list[int]) -> list[int]:
    return sorted(people, key=lambda p: full_name(view, p))


def new_task(
    owner: int, project: dict[str, object], title: str, due: str | None, assignee: int | None, requirement: str
) -> Expectation:
    """One plain new task of the new project `project` (no labels, section, parent or repetition unless asked)."""
    return Inserted(
        "todo_tasks",
        task_row(
            owner, NewRow("todo_projects", project), title, due_date=due, labels=OneOf(("", "[]")), assignee_id=assignee
        ),
        requirement,
        what="tasks",
    )


@scenario("household_chore_rota", apps=("bill_splitting", "todo"))
def chore_rota(view: WorldView, rng: random.Random) -> TaskSpec:
    """A shared chores project for my household: one chore a week, assigned in turn by name, each with a reminder at
    18:00 the evening before it is due."""
    g = pick(rng, home_groups(view), "home group of three or more", distinct=True)
    owner = int(g["owner_id"])
    people = by_full_name(view, members(view, int(g["group_id"])))
    others = [p for p in people if p != owner]
    chores = rng.sample(CHORES, rng.randint(5, 7))
    color = rng.choice(COLORS)
    first = next_saturday()
    project_name = f"Chores: {g['name']}"
    rota = [
        (chore, (first + timedelta(weeks=i)).isoformat(), people[i % len(people)]) for i, chore in enumerate(chores)
    ]
    project = {"owner_id": owner, "name": project_name, "color": color, "is_favorite": 0, "archived": 0}
    oracle = (
        Solution()
        .step(login("bill_splitting", "todo"))
        .step(
            FIND_GROUP.format(name=g["name"])
            + "housemates = sorted(group['members'], key=lambda m: m['name'])\n"
            + "print([m['name'] for m in housemates])\n"
        )
        .step(
            f"project_id = apis.todo.create_project(access_token=todo_token, name={project_name!r}, "
            f"color={color!r})['project_id']\n"
            "for m in housemates:\n"
            "    if m['email'] != me['email']:\n"
            "        apis.todo.share_project(access_token=todo_token, project_id=project_id, email=m['email'])\n"
        )
        .step(
            f"chores = {chores!r}\n"
            f"first = {first.isoformat()!r}\n"
            "from datetime import date, timedelta\n"
            "for i, chore in enumerate(chores):\n"
            "    due = (date.fromisoformat(first) + timedelta(weeks=i)).isoformat()\n"
            "    task_id = apis.todo.create_task(access_token=todo_token, project_id=project_id, title=chore, "
            "due_date=due)['task_id']\n"
            "    who = housemates[i % len(housemates)]\n"
            "    apis.todo.assign_task(access_token=todo_token, task_id=task_id, email=who['email'])\n"
            "    eve = (date.fromisoformat(due) - timedelta(days=1)).isoformat()\n"
            "    apis.todo.add_reminder(access_token=todo_token, task_id=task_id, remind_at=eve + 'T18:00')\n"
        )
        .step(
            "for t in apis.todo.search_tasks(access_token=todo_token, project_id=project_id, page_limit=20):\n"
            "    print(t['title'], t['due_date'], t.get('assignee'))\n"
        )
        .step("apis.supervisor.complete_task()")
        .steps()
    )
    chore_list = ", ".join(f"'{c}'" for c in chores)
    return TaskSpec(
        owner,
        f"Set up a chore rota for my household (my bill splitting group '{g['name']}'): create a {color} todo "
        f"project '{project_name}', share it with everyone else in that group, and add these chores in this order: "
        f"{chore_list}. The first is due on {first.isoformat()} and each next one a week after the previous. "
        "Assign them in turn to the group's members, me included, in alphabetical order of their full names "
        "(the first chore to the first person, and so on, starting again from the first person when everyone has one). "
        "Give each chore a reminder at 18:00 the evening before it is due.",
        oracle,
        [
            Inserted("todo_projects", project, f"a {color} project '{project_name}'", what="projects"),
            Inserted(
                "todo_collaborators",
                {"project_id": NewRow("todo_projects", project), "person_id": OneOf(others)},
                f"the project is shared with the {len(others)} other members",
                count=len(others),
                what="collaborators",
            ),
            *(
                new_task(owner, project, chore, due, who, f"'{chore}' is due {due}, assigned to {full_name(view, who)}")
                for chore, due, who in rota
            ),
            *(
                Inserted(
                    "todo_reminders",
                    reminder_on_new_task(owner, chore, f"{date.fromisoformat(due) - timedelta(days=1)}T18:00"),
                    f"'{chore}' has a reminder at 18:00 the evening before {due}",
                    what=f"reminders of '{chore}'",
                )
                for chore, due, _ in rota
            ),
        ],
    )


def shared_projects(view: WorldView) -> list[dict[str, Any]]:
    """(owner, project, collaborator) of projects shared with others, whose name is unique among the owner's."""
    return view.rows(
        "SELECT p.owner_id, p.id AS project_id, p.name, c.person_id AS helper FROM todo_projects p "
        "JOIN todo_collaborators c ON c.project_id = p.id WHERE p.archived = 0 AND (SELECT COUNT(*) FROM todo_projects "
        "q WHERE q.owner_id = p.owner_id AND q.name = p.name) = 1 ORDER BY p.id, c.person_id"
    )


def open_tasks_of(view: WorldView, project_id: int, assignee: int) -> list[dict[str, Any]]:
    return view.rows(
        "SELECT id, title, due_date FROM todo_tasks WHERE project_id = ? AND assignee_id = ? AND completed = 0 "
        "ORDER BY id",
        project_id,
        assignee,
    )


FIND_PROJECT = (
    fetch_all("projects", "apis.todo.show_projects(access_token=todo_token, query={name!r}")
    + "project = next(p for p in projects if p['name'] == {name!r})\n"
    + fetch_all(
        "tasks", "apis.todo.search_tasks(access_token=todo_token, project_id=project['project_id'], completed=False"
    )
    + "print(len(tasks), 'open tasks')\n"
)


def open_tasks_given(view: WorldView, owner: int, assignee: int) -> list[dict[str, Any]]:
    """The open tasks of all `owner`'s active projects assigned to `assignee`, by id."""
    return view.rows(
        "SELECT t.id, t.title, t.due_date FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id "
        "WHERE p.owner_id = ? AND p.archived = 0 AND t.assignee_id = ? AND t.completed = 0 ORDER BY t.id",
        owner,
        assignee,
    )


TAKE_OVER_AT_LEAST = 5  # their overdue tasks over all my projects, each one's comment thread read


@scenario("household_take_over_overdue_chores", apps=("todo",))
def take_over_overdue_chores(view: WorldView, rng: random.Random) -> TaskSpec:
    """Someone who helps in my shared projects is away: their overdue tasks in every active project of mine become
    mine, found over every page of my open tasks. Deep: each overdue task's comment thread is read
    (show_task_comments, one call each) to leave the ones they said they are on (in the other branch they are on
    all of them: nothing changes); a look-alike comment by someone else does not count. The pick has
    TAKE_OVER_AT_LEAST=5+ overdue tasks of theirs (as_deep_as_found falls back to 3, then 1), some they are on."""
    today = WORLD_NOW.date().isoformat()
    pairs = sorted({(r["owner_id"], r["helper"]) for r in shared_projects(view)})
    split = []
    for owner, helper in pairs:
        overdue = [t for t in open_tasks_given(view, owner, helper) if t["due_date"] and t["due_date"] < today]
        split.append((owner, helper, overdue, [t for t in overdue if not on_it(view, t["id"], helper)]))
    if other_branch(rng):  # overdue, but they are on all of them
        found = [(o, h, late) for o, h, ts, late in split if ts and not late]
    else:
        _, found = as_deep_as_found(
            [TAKE_OVER_AT_LEAST, 3, 1],
            lambda least: [(o, h, late) for o, h, ts, late in split if len(ts) >= least and 0 < len(late) < len(ts)],
        )
    owner, helper, late = pick(rng, found, "owner and helper of shared projects", distinct=True)
    due = next_saturday().isoformat()
    name = full_name(view, helper)
    oracle = (
        Solution()
        .step(login("todo"))
        .step(
            fetch_all("projects", "apis.todo.show_projects(access_token=todo_token")
            + "helper = None\n"
            + "for p in projects:\n"
            + "    if p['shared'] and helper is None:\n"
            + "        people = apis.todo.show_collaborators(access_token=todo_token, project_id=p['project_id'])\n"
            + f"        helper = next((h for h in people if h['name'] == {name!r}), None)\n"
            + fetch_all("tasks", "apis.todo.search_tasks(access_token=todo_token, completed=False")
            + "given = [t for t in tasks if t['assignee_email'] == helper['email']]\n"
            + f"overdue = [t for t in given if t['due_date'] and t['due_date'] < {today!r}]\n"
            + "print([(t['project']['name'], t['title'], t['due_date']) for t in overdue])\n"
        )
        .step(
            "late = []\n"
            "for t in overdue:\n"
            + on_it_code("t", "helper['email']", "started", indent="    ")
            + "    if not started:\n"
            "        late.append(t)\n"
            "print([t['title'] for t in late])\n"
        )
        .step(
            "for t in late:\n"
            "    apis.todo.assign_task(access_token=todo_token, task_id=t['task_id'], email=me['email'])\n"
            f"    apis.todo.update_task(access_token=todo_token, task_id=t['task_id'], due_date={due!r})\n"
        )
        .step(
            "for t in late:\n"
            "    print(apis.todo.show_task(access_token=todo_token, task_id=t['task_id']))\n"
            "apis.supervisor.complete_task(answer=[t['title'] for t in given if t not in late])"
        )
        .steps()
    )
    late_ids = {t["id"] for t in late}
    kept = [t["title"] for t in open_tasks_given(view, owner, helper) if t["id"] not in late_ids]
    expectations: list[Expectation] = [  # only the answer when nothing is overdue: then change nothing
        Updated("todo_tasks", t["id"], {"assignee_id": owner, "due_date": due}, f"'{t['title']}' is mine, due {due}")
        for t in late
    ]
    expectations.append(Answer(kept, f"the answer lists the {len(kept)} open tasks of {name} left as they were"))
    return TaskSpec(
        owner,
        f"{name} is away, so I take over their overdue chores in all my active todo projects (the ones I own; "
        f"they help in some of them): every open task there assigned to them whose due date is before today "
        f"({today}) gets assigned to me and is due {due} instead, except one they are on already: a task whose "
        f"latest comment by them is {SAID_ON_IT} (whatever others wrote after it) stays theirs as it is. Their "
        "other tasks stay as they are; if that leaves nothing to take over, change nothing. "
        "Either way, tell me the titles of their open tasks in my projects that you left as they were, one item "
        "per task (a title twice if two such tasks have it).",
        oracle,
        expectations,
        noop_pass=not late,
    )


@scenario("household_busiest_housemate", apps=("todo", "bill_splitting"))
def busiest_housemate(view: WorldView, rng: random.Random) -> TaskSpec:
    """Who in my household carries the most open chores (counts over a shared project's every page; people outside
    the household group are a distractor), then the project's unassigned chores are handed out one by one to the
    least loaded household member on the project (people read from the project), each commented; the answer is
    the busiest one's name."""
    people_of_group = {g["group_id"]: set(members(view, g["group_id"])) for g in home_groups(view, 2)}
    cases = []
    for g in home_groups(view, 2):
        for r in view.rows(
            "SELECT id AS project_id, name FROM todo_projects WHERE owner_id = ? AND archived = 0 AND id IN "
            "(SELECT project_id FROM todo_collaborators) AND (SELECT COUNT(*) FROM todo_projects q WHERE "
            "q.owner_id = todo_projects.owner_id AND q.name = todo_projects.name) = 1 ORDER BY id",
            g["owner_id"],
        ):
            on_project = {g["owner_id"]} | {
                c["person_id"]
                for c in view.rows("SELECT person_id FROM todo_collaborators WHERE project_id = ?", r["project_id"])
            }
            counts = {p: len(open_tasks_of(view, r["project_id"], p)) for p in people_of_group[g["group_id"]]}
            ranked = sorted(counts.items(), key=lambda kv: -kv[1])
            free = view.rows(
                "SELECT id, title, due_date FROM todo_tasks WHERE project_id = ? AND completed = 0 "
                "AND assignee_id IS NULL AND parent_id IS NULL ORDER BY due_date IS NULL, due_date, id",
                r["project_id"],
            )
            helpers = [p for p in counts if p in on_project]
            if len(ranked) >= 2 and ranked[0][1] > ranked[1][1] and len(helpers) >= 2 and 8 <= len(free) <= 16:
                cases.append((g, r, ranked[0][0], ranked[0][1], {p: counts[p] for p in helpers}, free))
    g, r, top, count, load, free = pick(rng, cases, "household with a shared project", distinct=True)
    owner = int(g["owner_id"])
    saturday = next_saturday().isoformat()
    handed: list[tuple[dict[str, Any], int]] = []
    for t in free:
        person = min(load, key=lambda p: (load[p], full_name(view, p)))
        handed.append((t, person))
        load[person] += 1
    oracle = (
        Solution()
        .step(login("bill_splitting", "todo"))
        .step(
            FIND_GROUP.format(name=g["name"])
            + "household = {m['email']: m['name'] for m in group['members']}\n"
            + FIND_PROJECT.format(name=r["name"])
            + "on_project = {c['email'] for c in apis.todo.show_collaborators(access_token=todo_token, "
            "project_id=project['project_id'], page_limit=20)}\n"
        )
        .step(
            "counts = {email: 0 for email in household}\n"
            "for t in tasks:\n"
            "    if t['assignee_email'] in counts:\n"
            "        counts[t['assignee_email']] += 1\n"
            "print({household[e]: n for e, n in counts.items()})\n"
            "top = max(counts, key=counts.get)\n"
        )
        .step(
            "load = {e: n for e, n in counts.items() if e in on_project}\n"
            "free = [t for t in tasks if t['assignee_email'] is None and t['parent_task_id'] is None]\n"
            "free.sort(key=lambda t: (t['due_date'] is None, t['due_date'] or '', t['task_id']))\n"
            "for t in free:\n"
            "    person = min(load, key=lambda e: (load[e], household[e]))\n"
            "    load[person] += 1\n"
            "    apis.todo.assign_task(access_token=todo_token, task_id=t['task_id'], email=person)\n"
            "    apis.todo.add_task_comment(access_token=todo_token, task_id=t['task_id'], "
            "text='Yours now, ' + household[person].split(' ')[0] + '!')\n"
            "    if not t['due_date']:\n"
            f"        apis.todo.update_task(access_token=todo_token, task_id=t['task_id'], due_date={saturday!r})\n"
        )
        .step(
            fetch_all(
                "after",
                "apis.todo.search_tasks(access_token=todo_token, project_id=project['project_id'], completed=False",
            )
            + "print(sum(t['assignee_email'] is None for t in after), 'left unassigned')\n"
            "apis.supervisor.complete_task(answer=household[top])\n"
        )
        .steps()
    )
    expectations: list[Expectation] = []
    for t, person in handed:
        name = full_name(view, person)
        text = f"Yours now, {name.split(' ')[0]}!"
        expectations += [
            Updated(
                "todo_tasks",
                t["id"],
                {"assignee_id": person, **({} if t["due_date"] else {"due_date": saturday})},
                f"'{t['title']}' goes to {name}" + ("" if t["due_date"] else f", due {saturday}"),
            ),
            Inserted(
                "todo_comments",
                {"task_id": t["id"], "owner_id": owner, "text": text},
                f"'{t['title']}' is commented {text!r}",
                what=f"comments on '{t['title']}'",
            ),
        ]
    busiest = full_name(view, top)
    expectations.append(Answer(busiest, f"the answer is {busiest} ({count} open tasks)"))
    return TaskSpec(
        owner,
        f"Of the people in my bill splitting group '{g['name']}' (me included), who has the most open tasks "
        f"assigned in my todo project '{r['name']}'? Answer with their full name. Then hand out that project's open "
        "tasks that nobody is assigned (not subtasks), earliest due first (undated last, ties by task id): each goes "
        "to whoever of that group is on the project and has the fewest open tasks there at that point (ties: first "
        "by full name), assigned to them with the comment 'Yours now, <their first name>!'; one without a due date "
        f"gets {saturday}.",
        oracle,
        expectations,
    )


def debts_of_groups(view: WorldView) -> dict[int, dict[tuple[int, int], float]]:
    """Every group's (debtor, creditor) -> amount, read once for templates that look at everyone's groups."""
    return {r["id"]: pair_debts(view.conn, r["id"]) for r in view.rows("SELECT id FROM bill_splitting_groups")}


def active_groups(view: WorldView, person: int) -> list[dict[str, Any]]:
    """The groups `person` has not archived, by name."""
    return view.rows(
        "SELECT g.id AS group_id, g.name FROM bill_splitting_members m JOIN bill_splitting_groups g ON "
        "g.id = m.group_id WHERE m.person_id = ? AND m.is_archived = 0 ORDER BY g.name, g.id",
        person,
    )


def latest_shared(view: WorldView, group_id: int, payer: int, sharer: int) -> str:
    """'Latest: <description> (<date>)' of the newest expense of a group `payer` paid and `sharer` has a share in."""
    e = view.row(
        "SELECT e.description, e.date FROM bill_splitting_expenses e JOIN bill_splitting_shares s ON s.expense_id = "
        "e.id WHERE e.group_id = ? AND e.paid_by = ? AND s.person_id = ? ORDER BY e.date DESC, e.id DESC LIMIT 1",
        group_id,
        payer,
        sharer,
    )
    return f"Latest: {e['description']} ({e['date']})"


@scenario("household_debts_to_todo", apps=("bill_splitting", "todo"))
def debts_to_todo(view: WorldView, rng: random.Random) -> TaskSpec:
    """One to-do per (active group, person I owe there): deep because no list says who I owe in which group, so
    every one of my 4-14 active groups needs its own debts (people who owe me are in them too; the world's archived
    groups are settled, so they add no task), and each task's description needs that person's latest expense I
    share; a variant where I owe nobody is no-op-pass."""
    projects = {
        r["owner_id"]: r["id"]
        for r in view.rows(
            "SELECT owner_id, MIN(id) AS id FROM todo_projects WHERE name = 'Finance' AND archived = 0 "
            "GROUP BY owner_id HAVING COUNT(*) = 1"
        )
    }
    owing, clear = [], []
    pairs = debts_of_groups(view)
    for owner in sorted(projects):
        groups = active_groups(view, owner)
        debts = {
            (g["name"], g["group_id"], c): a for g in groups for (d, c), a in pairs[g["group_id"]].items() if d == owner
        }
        owed = sorted({full_name(view, d) for g in groups for (d, c) in pairs[g["group_id"]] if c == owner})
        unique = len({(name, c) for name, _, c in debts}) == len(debts)
        if len(groups) >= 6 and 4 <= len(debts) <= 12 and unique:
            owing.append((owner, len(groups), debts, owed))
        elif len(groups) >= 2 and not debts and owed:  # rare (one owner in worlds 0 and 1): any 2+ groups
            clear.append((owner, len(groups), debts, owed))
    # in a world where every such owner owes someone (not world 0), the other branch's variants owe too
    owner, count, debts, owed = pick(
        rng, clear if other_branch(rng) and clear else owing, "Finance project owner with active groups", distinct=True
    )
    due = next_saturday().isoformat()
    tasks = [
        (f"Pay back {full_name(view, c)} ${a:.2f} ({name})", latest_shared(view, group_id, c, owner))
        for (name, group_id, c), a in debts.items()
    ]
    project = projects[owner]
    oracle = (
        Solution()
        .step(login("bill_splitting", "todo"))
        .step(
            fetch_all("groups", "apis.bill_splitting.show_groups(access_token=bill_splitting_token, status='active'")
            + fetch_all("projects", "apis.todo.show_projects(access_token=todo_token, query='Finance'")
            + "finance = next(p for p in projects if p['name'] == 'Finance')\n"
            + "print(len(groups), 'active groups')\n"
        )
        .step(
            "mine, owe_me = [], set()\n"
            "for group in groups:\n"
            + fetch_all(
                "debts",
                "apis.bill_splitting.show_group_debts(access_token=bill_splitting_token, group_id=group['group_id']",
                indent="    ",
            )
            + "    mine += [(group, d) for d in debts if d['debtor']['email'] == me['email']]\n"
            "    owe_me |= {d['debtor']['name'] for d in debts if d['creditor']['email'] == me['email']}\n"
            "print(mine, owe_me)\n"
        )
        .step(
            "for group, d in mine:\n"
            "    latest = apis.bill_splitting.show_expenses(access_token=bill_splitting_token, "
            "group_id=group['group_id'], paid_by_email=d['creditor']['email'], involving_me=True, page_limit=1)[0]\n"
            "    title = f\"Pay back {d['creditor']['name']} ${d['amount']:.2f} ({group['name']})\"\n"
            "    apis.todo.create_task(access_token=todo_token, project_id=finance['project_id'], title=title, "
            f"due_date={due!r}, priority=1, description=f\"Latest: {{latest['description']}} ({{latest['date']}})\")\n"
        )
        .step(
            fetch_all(
                "after",
                "apis.todo.search_tasks(access_token=todo_token, project_id=finance['project_id'], query='Pay back'",
            )
            + "print([t['title'] for t in after])\n"
            "apis.supervisor.complete_task(answer=sorted(owe_me))"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        "Go through every bill splitting group of mine that I have not archived. For each person I owe money to in "
        f"one of them (after netting with them in that group), add a priority 1 task to my todo project 'Finance', "
        f"due {due}, titled 'Pay back <their full name> $<amount> (<group name>)' with the amount like $12.30, and "
        "described 'Latest: <description> (<date>)' after the newest expense of that group they paid and I had a "
        "share in (the later id on a tie); someone I owe in two groups gets one task for each. If I owe nobody in "
        "those groups, add nothing. Either "
        "way, tell me the full names of the people who owe me money in those groups.",
        oracle,
        [
            Answer(owed, f"the answer names the {len(owed)} people who owe me in my {count} active groups"),
            *(
                Inserted(
                    "todo_tasks",
                    task_row(
                        owner, project, title, description=about, due_date=due, priority=1, labels=OneOf(("", "[]"))
                    ),
                    f"a task '{title}' described '{about}'",
                    what="tasks",
                )
                for title, about in tasks
            ),
        ],
        noop_pass=not debts,
    )


NUDGE_LATE_AT_LEAST = 7  # others' overdue tasks over all my projects, each one's comment thread read


def others_late(view: WorldView, owner: int, today: str) -> list[dict[str, Any]]:
    """Open tasks of `owner`'s active projects assigned to someone else and due before `today`."""
    return view.rows(
        "SELECT t.id, t.title, t.due_date, t.assignee_id FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id "
        "WHERE p.owner_id = ? AND p.archived = 0 AND t.completed = 0 AND t.assignee_id IS NOT NULL "
        "AND t.assignee_id != ? AND t.due_date < ? ORDER BY t.id",
        owner,
        owner,
        today,
    )


@scenario("household_nudge_late_chores", apps=("todo", "phone"))
def nudge_late_chores(view: WorldView, rng: random.Random) -> TaskSpec:
    """A comment on each overdue task of my projects assigned to someone else and one text per such person.

    Deep: every such task over all my active projects (found over every page of my overdue tasks) has its comment
    thread read (show_task_comments, one call each) to leave out the ones its assignee said they are on; the same
    words from someone else do not count. The pick has NUDGE_LATE_AT_LEAST=7+ such tasks (as_deep_as_found falls
    back to 4, then 2), some left out."""
    today = WORLD_NOW.date().isoformat()
    cases = []
    for owner in sorted({r["owner_id"] for r in shared_projects(view)}):
        late = others_late(view, owner, today)
        contacts = {x["email"] for x in view.rows("SELECT email FROM phone_contacts WHERE owner_id = ?", owner)}
        nudged = [t for t in late if not on_it(view, t["id"], t["assignee_id"])]
        people = {t["assignee_id"] for t in nudged}
        if nudged and all(view.person(p)["email"] in contacts for p in people):
            cases.append((owner, late, nudged, people))
    _, found = as_deep_as_found(
        [NUDGE_LATE_AT_LEAST, 4, 2],
        lambda least: [(o, n, p) for o, late, n, p in cases if least <= len(late) and len(n) < len(late)],
    )
    owner, late, people = pick(rng, found, "owner of projects with others' overdue tasks", distinct=True)
    comment = "Reminder: this is overdue, please close it when done."
    counts = {p: sum(t["assignee_id"] == p for t in late) for p in people}
    texts = {
        p: f"Hi {view.person(p)['first_name']}, you have {n} overdue task(s) in my todo projects."
        for p, n in counts.items()
    }
    oracle = (
        Solution()
        .step(login("todo", "phone"))
        .step(
            fetch_all(
                "tasks",
                f"apis.todo.search_tasks(access_token=todo_token, completed=False, due_before={today!r}",
            )
            + "overdue = [t for t in tasks if t['assignee_email'] and t['assignee_email'] != me['email']]\n"
            + "print(len(overdue), 'overdue tasks of others')\n"
            + fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token")
            + "contact = {c['email']: c for c in contacts}\n"
        )
        .step(
            "late = []\n"
            "for t in overdue:\n"
            + on_it_code("t", "t['assignee_email']", "started", indent="    ")
            + "    if not started:\n"
            "        late.append(t)\n"
            "print([(t['title'], t['assignee_email']) for t in late])\n"
        )
        .step(
            "per_person = {}\n"
            "for t in late:\n"
            f"    apis.todo.add_task_comment(access_token=todo_token, task_id=t['task_id'], text={comment!r})\n"
            "    per_person[t['assignee_email']] = per_person.get(t['assignee_email'], 0) + 1\n"
        )
        .step(
            "for email, n in per_person.items():\n"
            "    c = contact[email]\n"
            "    text = f\"Hi {c['first_name']}, you have {n} overdue task(s) in my todo projects.\"\n"
            "    apis.phone.send_text_message(access_token=phone_token, phone_number=c['phone_number'], message=text)\n"
        )
        .step("apis.supervisor.complete_task(answer=len(late))")
        .steps()
    )
    return TaskSpec(
        owner,
        "Nudge people about late tasks in my todo projects: on every open task in any of my own active (not "
        "archived) projects (not ones others shared with me) that is assigned to someone other than me and due "
        f"before today ({today}), add the comment "
        f"'{comment}', except on one its assignee is on already (their own latest comment on it is {SAID_ON_IT}). "
        'Then text each person who got a comment once: "Hi <first name>, you have <count> overdue task(s) in my '
        'todo projects." with their own count of commented tasks over all my projects. Their numbers are in my '
        "phone contacts. Tell me how many tasks got the comment.",
        oracle,
        [
            Answer(len(late), f"the answer is the number of others' overdue tasks not already started ({len(late)})"),
            *(
                Inserted(
                    "todo_comments",
                    {"task_id": t["id"], "owner_id": owner, "text": comment},
                    f"'{t['title']}' (due {t['due_date']}) has the reminder comment",
                    what="comments",
                )
                for t in late
            ),
            *(
                Inserted(
                    "phone_messages",
                    {"sender_id": owner, "receiver_id": p, "message": text, "is_read": 0},
                    f"{full_name(view, p)} gets '{text}'",
                    what="texts",
                )
                for p, text in texts.items()
            ),
        ],
    )
