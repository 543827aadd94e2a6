"""Scenarios on the notes app (held out of train: these are test_challenge tasks)."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Deleted, HasLines, Inserted, Updated
from envs.toolworld.scenarios._common import fetch_all, login, pick
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

GROCERIES = ["oat milk", "eggs", "spinach", "rye bread", "lemons", "coffee beans", "rice", "chickpeas"]
DONE = "apis.supervisor.complete_task()\n"
NOW = WORLD_NOW.isoformat(timespec="seconds")


@scenario("notes_create_list", apps=("notes",), difficulty=1)
def create_list(view: WorldView, rng: random.Random) -> TaskSpec:
    owner = rng.choice(view.people_ids())
    items = rng.sample(GROCERIES, rng.randint(3, 5))
    title = rng.choice(["Groceries", "Shopping list", "Market run"])
    content = "\n".join(items)
    oracle = login("notes") + f"apis.notes.create_note(access_token=notes_token, title={title!r}, content={content!r})\n" + DONE
    return TaskSpec(owner, f"Make a new note titled '{title}' listing these items, one per line: {', '.join(items)}.", oracle,
                    [Inserted("notes_notes", {"owner_id": owner, "title": title, "content": HasLines(items)},
                              f"a note '{title}' with exactly the {len(items)} items, one per line", what="notes")])


@scenario("notes_pin_titled", apps=("notes",), difficulty=1)
def pin_titled(view: WorldView, rng: random.Random) -> TaskSpec:
    unique = view.rows("SELECT owner_id, title, MIN(id) AS id, MAX(pinned) AS pinned FROM notes_notes GROUP BY owner_id, title HAVING COUNT(*) = 1 AND pinned = 0 ORDER BY owner_id, title")
    note = pick(rng, unique, "unpinned note with a unique title")
    oracle = (login("notes") + fetch_all("found", f"apis.notes.search_notes(access_token=notes_token, query={note['title']!r}")
              + f"target = next(n for n in found if n['title'] == {note['title']!r})\n"
              + "apis.notes.update_note(access_token=notes_token, note_id=target['note_id'], pinned=True)\n" + DONE)
    return TaskSpec(note["owner_id"], f"Pin my note titled '{note['title']}'.", oracle,
                    [Updated("notes_notes", note["id"], {"pinned": 1, "updated_at": NOW}, f"the note '{note['title']}' is pinned")])


@scenario("notes_delete_old", apps=("notes",), difficulty=2)
def delete_old(view: WorldView, rng: random.Random) -> TaskSpec:
    cutoff = rng.choice(["2025-06-01", "2025-09-01", "2025-12-01"])
    owners = view.rows("SELECT owner_id FROM notes_notes WHERE created_at < ? AND pinned = 0 GROUP BY owner_id HAVING COUNT(*) >= 2 ORDER BY owner_id", cutoff)
    owner = pick(rng, owners, "owner with old notes")["owner_id"]
    ids = frozenset(r["id"] for r in view.rows("SELECT id FROM notes_notes WHERE owner_id = ? AND created_at < ? AND pinned = 0", owner, cutoff))
    oracle = (login("notes") + fetch_all("found", "apis.notes.search_notes(access_token=notes_token")
              + f"for n in found:\n    if n['created_at'] < {cutoff!r} and not n['pinned']:\n        apis.notes.delete_note(access_token=notes_token, note_id=n['note_id'])\n" + DONE)
    return TaskSpec(owner, f"Clean up my notes: delete every unpinned note created before {cutoff}. Keep pinned ones.", oracle,
                    [Deleted("notes_notes", ids, f"the {len(ids)} unpinned notes created before {cutoff} are deleted", what="old notes")])


@scenario("notes_family_numbers", apps=("notes", "phone"), difficulty=3)
def family_numbers(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows("SELECT owner_id FROM phone_contacts WHERE relationship = 'family' GROUP BY owner_id HAVING COUNT(*) >= 2 ORDER BY owner_id")
    owner = pick(rng, owners, "owner with family contacts")["owner_id"]
    family = view.rows("SELECT first_name, last_name, phone_number FROM phone_contacts WHERE owner_id = ? AND relationship = 'family'", owner)
    lines = [f"{f['first_name']} {f['last_name']}: {f['phone_number']}" for f in family]
    oracle = (login("phone", "notes") + fetch_all("family", "apis.phone.search_contacts(access_token=phone_token, relationship='family'")
              + "text = '\\n'.join(f\"{c['first_name']} {c['last_name']}: {c['phone_number']}\" for c in family)\n"
              + "apis.notes.create_note(access_token=notes_token, title='Family phone numbers', content=text)\n" + DONE)
    return TaskSpec(owner, "Create a note titled 'Family phone numbers' with one line per family member in my phone contacts, "
                    "written as 'First Last: phonenumber'.", oracle,
                    [Inserted("notes_notes", {"owner_id": owner, "title": "Family phone numbers", "content": HasLines(lines)},
                              f"a note lists all {len(lines)} family members with their numbers", what="notes")])
