"""notes: the generated world. Per person 45-170 notes over two years in notebooks, many sharing a title or
differing only by a suffix ('Packing list' / 'Packing list (old)'), older versions of edited notes, checklists,
reminders, a trash, and notes shared with relations. Built as lists, one insert per table."""

from __future__ import annotations

import random
from typing import Any

from envs.toolworld.apps._generation import Clock, between
from envs.toolworld.apps._notes_app import COLORS, app
from envs.toolworld.world.build import WorldBuilder

TOPICS: dict[str, tuple[list[str], list[str]]] = {
    "recipes": (
        ["Lentil soup", "Banana bread", "Green curry", "Pancakes", "Tomato salad", "Chili", "Focaccia"],
        "2 cups flour|1 tsp salt|3 eggs|1 can coconut milk|2 carrots, diced|1 onion|4 cloves garlic|"
        "Bake 35 min at 180C|Simmer 20 minutes|1 cup red lentils|2 ripe bananas|Olive oil|Fresh basil".split("|"),
    ),
    "travel": (
        ["Packing list", "Lisbon itinerary", "Camping gear", "Visa checklist", "Kyoto trip", "Weekend in Rome"],
        "Passport|Charger|Rain jacket|Hiking boots|Day 1: old town walk|Day 2: museum and river|"
        "Book airport transfer|Travel insurance|Tent and stakes|Sunscreen|Train at 08:15|Hotel check-in 15:00".split(
            "|"
        ),
    ),
    "work": (
        ["Standup notes", "Quarterly goals", "1:1 agenda", "Project retro", "Onboarding plan", "Meeting notes"],
        "Review the roadmap|Follow up on the budget|Hire a second designer|Ship the beta by Friday|"
        "Fix flaky deploys|Update the status page|Plan the offsite|Write the launch email|Clean up the backlog|"
        "Decide on vendors".split("|"),
    ),
    "ideas": (
        ["Birthday gift ideas", "Side project", "Garden plan", "Podcast topics", "Blog post ideas"],
        "A board game night|Herb garden on the balcony|Photo book of the trip|A newsletter about maps|"
        "Learn to bake sourdough|Raised beds for tomatoes|Interview a local chef|Concert tickets".split("|"),
    ),
    "books": (
        ["Reading list", "Book club picks", "Quotes I liked", "Books to lend"],
        "The Quiet Harbor by L. Moreau|Salt and Iron by K. Abara|Northern Lights by P. Varga|"
        "A Field Guide to Rain by J. Ueda|Paper Cities by R. Okafor|The Long Table by M. Gallo".split("|"),
    ),
    "health": (
        ["Workout plan", "Doctor questions", "Sleep log", "Meal plan"],
        "Mon: 5k run|Wed: squats 3x10|Fri: swim 30 min|Ask about the knee|Vitamin D levels?|Slept 7h|"
        "Slept 5h, woke at 3|Oatmeal and berries|Stretch 10 min daily".split("|"),
    ),
    "finance": (
        ["Monthly budget", "Tax documents", "Savings goals", "Subscriptions"],
        "Rent: $1,250.00|Groceries: $312.45|Utilities: $96.20|Internet: $49.99|Streaming: $15.49|"
        "Emergency fund: $4,000.00|Gym: $29.00|W-2 from employer|1099 from the bank".split("|"),
    ),
    "shopping": (
        ["Groceries", "Hardware store", "Gift shopping", "Back to school"],
        "oat milk|eggs|spinach|rye bread|lemons|coffee beans|light bulbs|wood screws|notebooks|pencils|"
        "wrapping paper|batteries".split("|"),
    ),
    "journal": (
        ["Journal", "Gratitude list", "Weekend recap"],
        "Long walk by the river|Called grandma|Finished the puzzle|Great dinner with friends|Rainy and slow|"
        "Fixed the bike|Started a new book".split("|"),
    ),
}
EXTRA_TAGS = ("family", "personal", "urgent", "later", "home")
SUFFIXES = ("", "", "", "", "", " (old)", " 2025", " v2", " - draft", " 2024")
NOTEBOOKS = (
    "Work|Work (old)|Recipes|Family Recipes|Travel|Travel 2024|Journal|Personal|Projects|Side Projects|Reading|"
    "Health|Finance|Home"
).split("|")
NOTEBOOK_FOR_TAG = {
    "recipes": "Recipes",
    "travel": "Travel",
    "work": "Work",
    "ideas": "Projects",
    "books": "Reading",
    "health": "Health",
    "finance": "Finance",
    "journal": "Journal",
    "shopping": "Home",
}
DAY = 1440  # minutes


@app.populator
def populate(w: WorldBuilder) -> None:
    rng, clock = w.rng("notes"), Clock(w.now)
    tags = list(TOPICS)
    notebooks: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    plans: list[dict[str, Any]] = []
    for person in w.people:
        names = rng.sample(NOTEBOOKS, rng.randint(4, 9))
        notebooks += [
            {"owner_id": person.id, "name": n, "description": f"{n} notes.", "created_at": clock.at(700 * DAY)}
            for n in names
        ]
        for _ in range(rng.randint(45, 170)):
            notes.append(_note(clock, rng, person.id, rng.choice(tags), plans))
    notebook_ids = w.insert("notes_notebooks", notebooks)
    by_owner: dict[int, dict[str, int]] = {}
    for notebook_id, book in zip(notebook_ids, notebooks, strict=True):
        by_owner.setdefault(book["owner_id"], {})[book["name"]] = notebook_id
    for row in notes:
        books = by_owner[row["owner_id"]]
        home = books.get(NOTEBOOK_FOR_TAG.get(row["tags"].split(",")[0], ""))
        row["notebook_id"] = home if home and rng.random() < 0.8 else rng.choice([None, *books.values()])
    notes.sort(key=lambda r: r["created_at"])
    order = [row.pop("_plan") for row in notes]
    note_ids = w.insert("notes_notes", notes)
    versions: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    shares: list[dict[str, Any]] = []
    owned: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    for note_id, row, plan in zip(note_ids, notes, order, strict=True):
        versions += [{**v, "note_id": note_id} for v in plans[plan]["versions"]]
        items += [{**i, "note_id": note_id} for i in plans[plan]["items"]]
        owned.setdefault(row["owner_id"], []).append((note_id, row))
    for person in w.people:
        related = w.related(person.id)
        mine = owned.get(person.id, [])
        for note_id, row in rng.sample(mine, rng.randint(5, 20)) if related else []:
            shares.append(
                {
                    "note_id": note_id,
                    "person_id": rng.choice(related),
                    "permission": "edit" if rng.random() < 0.3 else "view",
                    "shared_at": row["updated_at"],
                }
            )
    w.insert("notes_versions", versions)
    w.insert("notes_checklist_items", items)
    unique = {(s["note_id"], s["person_id"]): s for s in shares}
    w.insert("notes_shares", list(unique.values()))
    w.insert(
        "notes_settings",
        [
            {
                "owner_id": p.id,
                "default_sort": rng.choice(("-updated_at", "-created_at", "title")),
                "default_color": rng.choice(COLORS[:3]),
                "trash_retention_days": rng.choice((7, 30, 30, 60)),
                "show_previews": int(rng.random() < 0.8),
                "spell_check": int(rng.random() < 0.6),
            }
            for p in w.people
        ],
    )


def _note(clock: Clock, rng: random.Random, owner: int, tag: str, plans: list[dict[str, Any]]) -> dict[str, Any]:
    """One note row (its notebook chosen later) and, in `plans`, its older versions and checklist items."""
    titles, lines = TOPICS[tag]
    title = rng.choice(titles) + rng.choice(SUFFIXES)
    body = rng.sample(lines, between(rng, 2, min(8, len(lines))))
    age = DAY + rng.random() * 700 * DAY
    edited = age - rng.random() * min(age - 60, 60 * DAY)
    versions = []
    if rng.random() < 0.35:
        count = between(rng, 1, 4)
        for k in range(count):  # each older version lacks some of the later lines, or had another title
            saved = age - (age - edited) * (k + 1) / (count + 1)
            old_body = body[: max(1, len(body) - count + k)] if rng.random() < 0.7 else rng.sample(lines, 2)
            versions.append(
                {
                    "owner_id": owner,
                    "title": title if rng.random() < 0.8 else rng.choice(titles),
                    "content": "\n".join(old_body),
                    "saved_at": clock.at(int(saved)),
                }
            )
    items = []
    if rng.random() < 0.18:
        made = clock.at(int(age))
        items = [
            {"text": text, "checked": int(rng.random() < 0.4), "position": float(i), "created_at": made}
            for i, text in enumerate(rng.sample(lines, between(rng, 3, min(10, len(lines)))), 1)
        ]
    plans.append({"versions": versions, "items": items})
    extra = {rng.choice(EXTRA_TAGS)} if rng.random() < 0.3 else set()
    trashed = clock.at(int(edited * rng.random())) if rng.random() < 0.1 else None
    reminder = None
    if rng.random() < 0.08:
        reminder = clock.at(60 * between(rng, -60 * 24, 60 * 24))
    return {
        "owner_id": owner,
        "title": title,
        "content": "" if items and rng.random() < 0.5 else "\n".join(body),
        "tags": ",".join(sorted({tag} | extra)),
        "pinned": int(rng.random() < 0.1),
        "created_at": clock.at(int(age)),
        "updated_at": clock.at(int(edited)),
        "color": rng.choice(COLORS) if rng.random() < 0.3 else "none",
        "reminder_at": reminder,
        "trashed_at": trashed,
        "_plan": len(plans) - 1,
    }
