"""Household scenarios on todo: chores of a bill splitting group's members, who does them and when."""

from __future__ import annotations

import random
from datetime import date, timedelta

from envs.toolworld.evaluate import Expectation, Inserted, NewRow, OneOf
from envs.toolworld.scenarios._common import Solution, full_name, login, pick
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


def home_groups(view: WorldView, min_members: int = 3) -> list[dict[str, object]]:
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
        {
            "owner_id": owner,
            "project_id": NewRow("todo_projects", project),
            "title": title,
            "due_date": due,
            "priority": 4,
            "labels": OneOf(("", "[]")),
            "completed": 0,
            "completed_at": None,
            "description": "",
            "section_id": None,
            "parent_id": None,
            "recurrence": None,
            "assignee_id": assignee,
        },
        requirement,
        what="tasks",
    )


@scenario("household_chore_rota", apps=("bill_splitting", "todo"))
def chore_rota(view: WorldView, rng: random.Random) -> TaskSpec:
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
        "(the first chore to the first person, and so on, starting again from the first person when everyone has one).",
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
        ],
    )
