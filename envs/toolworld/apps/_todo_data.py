"""todo data: each person's projects, sections, labels, ~200 tasks over two years, and what hangs off them.

Distractors on purpose: projects with look-alike names ("Home" and "Home Renovation", "Work" and the
archived "Work 2025"), the same chore done many times (open once, completed before), tasks titled after
people the person knows, repeating tasks, subtasks, and projects shared with roommates, family or coworkers.

Density, as real shared lists are: half of the shareable projects are shared; a work or trip project is shared with
up to four coworkers or friends (a team, a travel group), a household project with everyone else at home (the
household is 2-3 people, so 1-2); on a shared project a bit over half of the tasks are handed to someone. Tasks on a
shared project are talked about: about one in five has comments, up to six on a busy one (two pages), written by
the people on the project, and about a third of the open tasks handed to someone else end with that person's word on
where it stands (started, almost there, blocked, can it wait); a private task rarely has comments (1-3, notes to self).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from envs.toolworld.apps._generation import Clock, between
from envs.toolworld.apps._todo_base import COLORS, DEFAULT_LABELS, app
from envs.toolworld.world.build import WorldBuilder

POOLS = {
    "Home": (
        "Fix the leaky tap",
        "Clean the gutters",
        "Replace smoke detector battery",
        "Sort the garage",
        "Paint the fence",
        "Vacuum the stairs",
        "Descale the kettle",
        "Change the bed sheets",
        "Defrost the freezer",
        "Hang the new shelves",
        "Call {name} about the spare key",
        "Take out recycling",
        "Water the plants",
    ),
    "Home Renovation": (
        "Get quotes for kitchen tiles",
        "Pick paint colors",
        "Order new cabinet handles",
        "Book the electrician",
        "Measure the bathroom window",
        "Compare flooring samples",
        "Ask {name} to help move the sofa",
    ),
    "Work": (
        "Draft the report",
        "Review pull requests",
        "Prepare slides",
        "Book meeting room",
        "Update the roadmap",
        "Send meeting notes to {name}",
        "Reply to {name} about the budget",
        "Submit expense report for {month}",
        "Plan the team offsite",
        "Write performance self-review",
        "Fix the flaky build",
        "Schedule 1:1 with {name}",
    ),
    "Errands": (
        "Pick up dry cleaning",
        "Return library books",
        "Renew passport",
        "Buy stamps",
        "Get a haircut",
        "Drop off the parcel",
        "Get the car washed",
        "Buy a birthday gift for {name}",
        "Return the borrowed drill to {name}",
    ),
    "Health": (
        "Book dentist appointment",
        "Refill prescription",
        "Schedule eye exam",
        "Plan weekly meals",
        "Book a physio session",
        "Log blood pressure for {month}",
    ),
    "Groceries": (
        "Buy milk",
        "Buy eggs",
        "Buy bread",
        "Buy coffee beans",
        "Buy olive oil",
        "Buy rice",
        "Buy bananas",
        "Buy dish soap",
        "Buy cat food",
    ),
    "Finance": (
        "Pay the electricity bill for {month}",
        "Pay rent for {month}",
        "Review the monthly budget",
        "File the tax return",
        "Pay {name} back for dinner",
        "Cancel unused subscriptions",
        "Check the credit card statement for {month}",
    ),
    "Travel": (
        "Book flights",
        "Reserve the hotel",
        "Renew travel insurance",
        "Pack the suitcase",
        "Print boarding passes",
        "Ask {name} to feed the cat",
        "Exchange currency",
    ),
    "Learning": (
        "Finish chapter 3 of the course",
        "Practice Spanish for 20 minutes",
        "Watch the statistics lecture",
        "Read the book club novel",
        "Do the weekly coding exercise",
    ),
    "Fitness": (
        "Go for a 5k run",
        "Yoga class",
        "Swim 20 laps",
        "Stretch for 15 minutes",
        "Sign up for the half marathon",
        "Ride to work with {name}",
    ),
    "Garden": ("Mow the lawn", "Plant tomatoes", "Prune the roses", "Rake leaves", "Buy compost", "Fix the hose"),
    "Moving house": (
        "Book the moving van",
        "Forward the mail",
        "Pack the kitchen",
        "Update address with the bank",
        "Give notice to the landlord",
        "Ask {name} to help on moving day",
    ),
}
ARCHIVED = {"Work 2025": "Work", "Trip planning 2025": "Travel", "Old errands": "Errands"}
SECTIONS = {
    "Work": ("This week", "Later", "Waiting on others"),
    "Home": ("Kitchen", "Garden", "Bedroom"),
    "Groceries": ("Produce", "Dairy", "Pantry"),
    "Travel": ("Before leaving", "At the destination"),
    "Moving house": ("Before the move", "Moving day", "After the move"),
    "Home Renovation": ("Kitchen", "Bathroom"),
}
RECURRING = {"Water the plants": "weekly", "Take out recycling": "weekly", "Review the monthly budget": "monthly"}
CUSTOM_LABELS = ("calls", "errand", "focus", "reading", "someday", "home", "low-energy", "email")
SUBTASKS = ("Make a list", "Check the price", "Ask for a second opinion", "Confirm the date", "Write it down")
COMMENTS = ("Done half of it.", "Waiting for a reply.", "Moved this from last week.", "Needs cash.", "See the email.")
DISCUSSION = (
    *COMMENTS,
    "I can take this one.",
    "Can we push this to the weekend?",
    "Started on it.",
    "Blocked until we hear back.",
    "Bought what we need.",
    "Who has the receipt?",
    "Almost there.",
    "Let's talk about it tonight.",
)
STATUS = ("Started on it.", "Almost there.", "Blocked until we hear back.", "Can we push this to the weekend?")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October")
SHARED_WITH = {
    "Groceries": ("roommate", "family"),
    "Home": ("roommate", "family"),
    "Home Renovation": ("family", "roommate"),
    "Moving house": ("family", "roommate"),
    "Travel": ("friend", "family"),
    "Work": ("coworker",),
}
SHARED_AT_MOST = 4  # collaborators on one project: a team or a travel group; a household has at most 2 others


class _Tasks:
    """Builds the task rows of one world, keeping subtasks next to their parents' future ids."""

    def __init__(self, w: WorldBuilder, rng: random.Random, first_id: int):
        self.w, self.rng, self.next_id = w, rng, first_id
        self.clock = Clock(w.now)
        self.rows: list[dict[str, Any]] = []

    def add(self, row: dict[str, Any]) -> int:
        self.rows.append(row)
        self.next_id += 1
        return self.next_id - 1

    def _subtask(self, parent_row: dict[str, Any], parent_id: int, title: str) -> int:
        """A subtask: done with its parent, or (under an open parent) sometimes done already."""
        done = parent_row["completed"] or self.rng.random() < 0.3
        finished = parent_row["completed_at"] or self.clock.stamp(self.rng, between(self.rng, 1, 9))
        extra = {"labels": "", "description": "", "recurrence": None, "parent_id": parent_id, "title": title}
        return self.add({**parent_row, **extra, "completed": int(done), "completed_at": finished if done else None})

    def title(self, pool: tuple[str, ...], names: list[str]) -> str:
        text = self.rng.choice(pool)
        return text.format(name=self.rng.choice(names) if names else "Sam", month=self.rng.choice(MONTHS))

    def project(
        self,
        owner: int,
        project_id: int,
        pool: tuple[str, ...],
        names: list[str],
        labels: list[str],
        sections: list[int],
        count: int,
        archived: bool,
    ) -> list[int]:
        rng, clock = self.rng, self.clock
        ids = []
        for _ in range(count):
            title = self.title(pool, names)
            done = archived or rng.random() < 0.45
            created = (between(rng, 2, 700) if done else between(rng, 1, 120)) * 1440 + int(rng.random() * 1440)
            recurrence = None if done else RECURRING.get(title)
            finished, due = 0, None  # minutes ago; the due date as days ago
            if done:
                finished = max(60, created - between(rng, 0, 12) * 1440 - int(rng.random() * 900))
                if rng.random() < 0.7:
                    due = clock.day(finished // 1440 - between(rng, -3, 5))
            elif recurrence or rng.random() < 0.85:
                due = clock.day(-between(rng, -30, 40))
            row = {
                "owner_id": owner,
                "project_id": project_id,
                "title": title,
                "due_date": due,
                "priority": rng.choice((1, 2, 3, 3, 4, 4, 4, 4)),
                "labels": ",".join(sorted(rng.sample(labels, between(rng, 0, 2)))) if rng.random() < 0.5 else "",
                "completed": int(done),
                "completed_at": clock.at(finished) if done else None,
                "created_at": clock.at(created),
                "description": "" if rng.random() < 0.8 else f"Notes: {rng.choice(COMMENTS)}",
                "section_id": rng.choice(sections) if sections and rng.random() < 0.7 else None,
                "parent_id": None,
                "recurrence": recurrence,
                "assignee_id": None,
            }
            parent = self.add(row)
            ids.append(parent)
            if rng.random() < 0.12:
                ids += [self._subtask(row, parent, step) for step in rng.sample(SUBTASKS, between(rng, 1, 3))]
        return ids


@app.populator
def populate(w: WorldBuilder) -> None:
    rng = w.rng("todo")
    names = {p.id: p.first_name for p in w.people}
    projects: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    settings: list[dict[str, Any]] = []
    label_names: dict[int, list[str]] = {}
    plan: list[tuple[int, str, bool]] = []  # (owner, project name, archived) in insertion order
    for person in w.people:
        mine = label_names[person.id] = [*DEFAULT_LABELS, *rng.sample(CUSTOM_LABELS, between(rng, 1, 5))]
        labels += [
            {"owner_id": person.id, "name": n, "color": rng.choice(COLORS), "is_favorite": int(rng.random() < 0.2)}
            for n in mine
        ]
        chosen = rng.sample(sorted(POOLS), between(rng, 6, 9))
        old = rng.sample(sorted(ARCHIVED), between(rng, 0, 2))
        for name, archived in [*((n, False) for n in chosen), *((n, True) for n in old)]:
            plan.append((person.id, name, archived))
            projects.append(
                {
                    "owner_id": person.id,
                    "name": name,
                    "color": rng.choice(COLORS),
                    "is_favorite": int(not archived and rng.random() < 0.25),
                    "archived": int(archived),
                    "created_at": (w.now - timedelta(days=between(rng, 200, 720))).isoformat(timespec="seconds"),
                }
            )
        settings.append(
            {
                "owner_id": person.id,
                "start_of_week": rng.choice(("monday", "monday", "sunday")),
                "daily_goal": rng.choice((3, 5, 5, 8)),
                "weekly_goal": rng.choice((15, 25, 25, 40)),
            }
        )
    project_ids = w.insert("todo_projects", projects)
    w.insert("todo_labels", labels)
    w.insert("todo_settings", settings)
    sections = []
    for project_id, (owner, name, _) in zip(project_ids, plan, strict=True):
        if name in SECTIONS and rng.random() < 0.7:
            sections += [(owner, project_id, section, i) for i, section in enumerate(SECTIONS[name])]
    section_ids = w.insert(
        "todo_sections", [{"owner_id": o, "project_id": p, "name": n, "position": i} for o, p, n, i in sections]
    )
    ids_by_project: dict[int, list[int]] = {}
    for sid, (_, project_id, _, _) in zip(section_ids, sections, strict=True):
        ids_by_project.setdefault(project_id, []).append(sid)
    first = (w.conn.execute("SELECT COALESCE(MAX(id), 0) FROM todo_tasks").fetchone()[0]) + 1
    tasks = _Tasks(w, rng, first)
    collaborators: list[dict[str, Any]] = []
    task_ids: dict[int, list[int]] = {}
    project_members: dict[int, list[int]] = {}  # owner and collaborators of each shared project
    for project_id, (owner, name, archived) in zip(project_ids, plan, strict=True):
        pool = POOLS[ARCHIVED.get(name, name)]
        known = [names[i] for i in w.related(owner)]
        task_ids[project_id] = tasks.project(
            owner,
            project_id,
            pool,
            known,
            label_names[owner],
            ids_by_project.get(project_id, []),
            between(rng, 6, 12) if archived else between(rng, 12, 26),
            archived,
        )
        if name in SHARED_WITH and rng.random() < 0.5:
            people = w.related(owner, SHARED_WITH[name])
            for other in rng.sample(people, min(len(people), between(rng, 1, SHARED_AT_MOST))):
                collaborators.append(
                    {
                        "project_id": project_id,
                        "person_id": other,
                        "added_at": (w.now - timedelta(days=between(rng, 5, 150))).isoformat(timespec="seconds"),
                    }
                )
            members = [owner, *(c["person_id"] for c in collaborators if c["project_id"] == project_id)]
            for index in task_ids[project_id]:
                if rng.random() < 0.55:
                    tasks.rows[index - first]["assignee_id"] = rng.choice(members)
            project_members[project_id] = members
    inserted = w.insert("todo_tasks", tasks.rows)
    if inserted[:1] != [first]:
        raise RuntimeError("todo tasks did not get the ids their subtasks point at")
    w.insert("todo_collaborators", collaborators)
    _comments_reminders_filters(w, rng, tasks.rows, first, project_ids, plan, project_members)


def _comments_reminders_filters(
    w: WorldBuilder,
    rng: random.Random,
    rows: list[dict[str, Any]],
    first: int,
    project_ids: list[int],
    plan: list[tuple[int, str, bool]],
    project_members: dict[int, list[int]],
) -> None:
    comments, reminders, filters = [], [], []
    for offset, row in enumerate(rows):
        task_id = first + offset
        members = project_members.get(row["project_id"])
        if members and rng.random() < 0.2:  # a shared task: its people discuss it, a busy one over two pages
            thread = [(rng.choice(members), rng.choice(DISCUSSION)) for _ in range(between(rng, 1, 6))]
        elif rng.random() < 0.08:  # a private task: a few notes to self (or to its assignee)
            thread = [(row["assignee_id"] or row["owner_id"], rng.choice(COMMENTS)) for _ in range(between(rng, 1, 3))]
        else:
            thread = []
        helper = row["assignee_id"]
        if members and helper not in (None, row["owner_id"]) and not row["completed"] and rng.random() < 0.3:
            thread = [*thread[:5], (helper, rng.choice(STATUS))]  # someone handed a task says where it stands
        for k, (author, text) in enumerate(thread):
            comments.append(
                {
                    "task_id": task_id,
                    "owner_id": author,
                    "text": text,
                    "created_at": (datetime.fromisoformat(row["created_at"]) + timedelta(hours=5 + 20 * k)).isoformat(
                        timespec="seconds"
                    ),
                }
            )
        if not row["completed"] and row["due_date"] and rng.random() < 0.1:
            day = datetime.fromisoformat(row["due_date"]) + timedelta(hours=rng.choice((8, 9, 18)))
            reminders.append(
                {"task_id": task_id, "owner_id": row["owner_id"], "remind_at": day.isoformat(timespec="seconds")}
            )
    for project_id, (owner, name, archived) in zip(project_ids, plan, strict=True):
        if not archived and rng.random() < 0.3:
            filters.append(
                {
                    "owner_id": owner,
                    "name": f"{name} this week",
                    "label": None,
                    "priority": None,
                    "project_id": project_id,
                    "due_within_days": 7,
                }
            )
    for owner in sorted({o for o, _, _ in plan}):
        if rng.random() < 0.6:
            filters.append(
                {
                    "owner_id": owner,
                    "name": "Urgent",
                    "label": "urgent",
                    "priority": None,
                    "project_id": None,
                    "due_within_days": None,
                }
            )
        if rng.random() < 0.5:
            filters.append(
                {
                    "owner_id": owner,
                    "name": "Top priority",
                    "label": None,
                    "priority": 1,
                    "project_id": None,
                    "due_within_days": 14,
                }
            )
    w.insert("todo_comments", comments)
    w.insert("todo_reminders", reminders)
    w.insert("todo_filters", filters)
