"""Scenarios on the notes app (held out of train: these are test_challenge tasks)."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Answer, Deleted, Expectation, HasLines, Inserted, NewRow, Updated
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios._rows import new_note
from envs.toolworld.scenarios.music import top_artists
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
    look = (
        login("notes")
        + fetch_all("same", f"apis.notes.search_notes(access_token=notes_token, query={title!r}")
        + "print([(n['note_id'], n['title']) for n in same])\n"
    )
    act = (
        f"note = apis.notes.create_note(access_token=notes_token, title={title!r}, content={content!r})['note_id']\n"
        "print(apis.notes.show_note(access_token=notes_token, note_id=note)['content'])\n" + DONE
    )
    oracle = Solution().step(look).step(act).steps()
    return TaskSpec(
        owner,
        f"Make a new note titled '{title}' listing these items, one per line: {', '.join(items)}.",
        oracle,
        [
            Inserted(
                "notes_notes",
                new_note(owner, title, HasLines(items)),
                f"a note '{title}' with exactly the {len(items)} items, one per line",
                what="notes",
            )
        ],
    )


@scenario("notes_pin_titled", apps=("notes",), difficulty=1)
def pin_titled(view: WorldView, rng: random.Random) -> TaskSpec:
    unique = view.rows(
        "SELECT owner_id, title, MIN(id) AS id, MAX(pinned) AS pinned, MAX(trashed_at IS NOT NULL) AS trashed "
        "FROM notes_notes GROUP BY owner_id, title HAVING COUNT(*) = 1 AND pinned = 0 AND trashed = 0 "
        "ORDER BY owner_id, title"
    )
    note = pick(rng, unique, "unpinned note with a unique title")
    look = (
        login("notes")
        + fetch_all("found", f"apis.notes.search_notes(access_token=notes_token, query={note['title']!r}")
        + "print([(n['note_id'], n['title'], n['pinned']) for n in found])\n"
        + f"target = next(n for n in found if n['title'] == {note['title']!r})\n"
    )
    act = (
        "apis.notes.update_note(access_token=notes_token, note_id=target['note_id'], pinned=True)\n"
        "print(apis.notes.show_note(access_token=notes_token, note_id=target['note_id'])['pinned'])\n" + DONE
    )
    oracle = Solution().step(look).step(act).steps()
    return TaskSpec(
        note["owner_id"],
        f"Pin my note titled '{note['title']}'.",
        oracle,
        [Updated("notes_notes", note["id"], {"pinned": 1, "updated_at": NOW}, f"the note '{note['title']}' is pinned")],
    )


@scenario("notes_delete_old", apps=("notes",), difficulty=2)
def delete_old(view: WorldView, rng: random.Random) -> TaskSpec:
    cutoff = rng.choice(["2025-06-01", "2025-09-01", "2025-12-01"])
    owners = view.rows(
        "SELECT owner_id FROM notes_notes WHERE created_at < ? AND pinned = 0 AND trashed_at IS NULL GROUP BY owner_id "
        "HAVING COUNT(*) >= 2 ORDER BY owner_id",
        cutoff,
    )
    owner = pick(rng, owners, "owner with old notes", distinct=True)["owner_id"]
    ids = frozenset(
        r["id"]
        for r in view.rows(
            "SELECT id FROM notes_notes WHERE owner_id = ? AND created_at < ? AND pinned = 0 AND trashed_at IS NULL",
            owner,
            cutoff,
        )
    )
    marks = ",".join("?" for _ in ids)
    attached = [  # deleting a note for good deletes its versions, checklist items and shares too
        Deleted(
            table,
            frozenset(r["id"] for r in view.rows(f"SELECT id FROM {table} WHERE note_id IN ({marks})", *sorted(ids))),
            f"their {what} are deleted with them",
            what=what,
        )
        for table, what in (
            ("notes_versions", "old versions"),
            ("notes_checklist_items", "checklist items"),
            ("notes_shares", "shares"),
        )
    ]
    look = (
        login("notes")
        + fetch_all("found", f"apis.notes.search_notes(access_token=notes_token, created_before={cutoff!r}")
        + f"old = [n for n in found if n['created_at'] < {cutoff!r} and not n['pinned']]\n"
        + "print(len(found), [(n['title'], n['created_at']) for n in old])\n"
    )
    act = "for n in old:\n    apis.notes.delete_note(access_token=notes_token, note_id=n['note_id'])\n"
    check = (
        fetch_all("left", f"apis.notes.search_notes(access_token=notes_token, created_before={cutoff!r}")
        + "print([(n['title'], n['pinned']) for n in left])\n"
        + DONE
    )
    oracle = Solution().step(look).step(act).step(check).steps()
    return TaskSpec(
        owner,
        f"Clean up my notes: delete every unpinned note created before {cutoff}. Keep pinned ones.",
        oracle,
        [
            Deleted(
                "notes_notes",
                ids,
                f"the {len(ids)} unpinned notes created before {cutoff} are deleted",
                what="old notes",
            ),
            *(d for d in attached if d.row_ids),
        ],
    )


@scenario("notes_family_numbers", apps=("notes", "phone"), difficulty=3)
def family_numbers(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows(
        "SELECT owner_id FROM phone_contacts WHERE relationship = 'family' GROUP BY owner_id HAVING COUNT(*) >= 2 "
        "ORDER BY owner_id"
    )
    owner = pick(rng, owners, "owner with family contacts")["owner_id"]
    family = view.rows(
        "SELECT first_name, last_name, phone_number FROM phone_contacts WHERE owner_id = ? AND relationship = 'family'",
        owner,
    )
    lines = [f"{f['first_name']} {f['last_name']}: {f['phone_number']}" for f in family]
    look = (
        login("phone", "notes")
        + fetch_all("family", "apis.phone.search_contacts(access_token=phone_token, relationship='family'")
        + "print([(c['first_name'], c['last_name'], c['phone_number']) for c in family])\n"
    )
    act = (
        "text = '\\n'.join(f\"{c['first_name']} {c['last_name']}: {c['phone_number']}\" for c in family)\n"
        "note = apis.notes.create_note(access_token=notes_token, title='Family phone numbers', content=text)"
        "['note_id']\n"
        "print(apis.notes.show_note(access_token=notes_token, note_id=note)['content'])\n" + DONE
    )
    oracle = Solution().step(look).step(act).steps()
    return TaskSpec(
        owner,
        "Create a note titled 'Family phone numbers' with one line per family member in my phone contacts, "
        "written as 'First Last: phonenumber'.",
        oracle,
        [
            Inserted(
                "notes_notes",
                new_note(owner, "Family phone numbers", HasLines(lines)),
                f"a note lists all {len(lines)} family members with their numbers",
                what="notes",
            )
        ],
    )


@scenario("notes_count_all", apps=("notes",), difficulty=2)
def count_all(view: WorldView, rng: random.Random) -> TaskSpec:
    c = pick(
        rng,
        view.rows(
            "SELECT owner_id, COUNT(*) AS n FROM notes_notes WHERE trashed_at IS NULL GROUP BY owner_id HAVING n > 5 "
            "ORDER BY owner_id"
        ),
        "owner with more than 5 notes",
    )
    look = (
        login("notes")
        + fetch_all("found", "apis.notes.search_notes(access_token=notes_token")
        + ("print(len(found))\n")
    )
    answer = fetch_all("trash", "apis.notes.show_trash(access_token=notes_token") + (
        "print(len(trash), 'in the trash, not counted')\napis.supervisor.complete_task(answer=len(found))\n"
    )
    oracle = Solution().step(look).step(answer).steps()
    return TaskSpec(
        c["owner_id"],
        "How many notes do I have in the notes app (not counting the trash)?",
        oracle,
        [
            Answer(
                c["n"],
                f"the answer is the number of notes ({c['n']})",
                traps={"5": "only the first page of notes was counted (page_limit default 5)"},
            )
        ],
    )


@scenario("notes_retag", apps=("notes",), difficulty=2)
def retag(view: WorldView, rng: random.Random) -> TaskSpec:
    old, new = rng.choice([("ideas", "someday"), ("work", "office"), ("books", "reading"), ("recipes", "cooking")])
    owners = view.rows(
        "SELECT owner_id FROM notes_notes WHERE ',' || tags || ',' LIKE ? AND trashed_at IS NULL GROUP BY owner_id "
        "HAVING COUNT(*) >= 2 ORDER BY owner_id",
        f"%,{old},%",
    )
    owner = pick(rng, owners, f"owner with 2+ notes tagged {old}")["owner_id"]
    rows = view.rows(
        "SELECT id, title, tags FROM notes_notes WHERE owner_id = ? AND ',' || tags || ',' LIKE ? "
        "AND trashed_at IS NULL",
        owner,
        f"%,{old},%",
    )
    look = (
        login("notes")
        + "print(apis.notes.show_tags(access_token=notes_token))\n"
        + fetch_all("found", f"apis.notes.search_notes(access_token=notes_token, tag={old!r}")
        + "print([(n['title'], n['tags']) for n in found])\n"
    )
    act = (
        f"for n in found:\n    tags = [t for t in n['tags'] if t != {old!r}] + [{new!r}]\n"
        "    apis.notes.update_note(access_token=notes_token, note_id=n['note_id'], tags=tags)\n"
    )
    check = (
        fetch_all("moved", f"apis.notes.search_notes(access_token=notes_token, tag={new!r}")
        + "print([(n['title'], n['tags']) for n in moved])\n"
        + DONE
    )
    oracle = Solution().step(look).step(act).step(check).steps()
    expectations: list[Expectation] = [
        Updated(
            "notes_notes",
            r["id"],
            {"tags": ",".join(sorted((set(r["tags"].split(",")) - {old}) | {new})), "updated_at": NOW},
            f"note '{r['title']}' is tagged {new!r} instead of {old!r}",
        )
        for r in rows
    ]
    return TaskSpec(
        owner,
        f"On every note tagged '{old}' (not those in the trash), replace that tag with '{new}' (keep the other tags).",
        oracle,
        expectations,
    )


@scenario("notes_playlist_tracklist", apps=("notes", "music"), difficulty=3)
def playlist_tracklist(view: WorldView, rng: random.Random) -> TaskSpec:
    playlists = view.rows(
        "SELECT p.id, p.owner_id, p.title FROM music_playlists p "
        "WHERE (SELECT COUNT(*) FROM music_playlists q WHERE q.owner_id = p.owner_id AND q.title = p.title) = 1 "
        "AND (SELECT COUNT(*) FROM music_playlist_songs s WHERE s.playlist_id = p.id) > 5 ORDER BY p.id"
    )
    p = pick(rng, playlists, "playlist with more than 5 songs")
    titles = [
        r["title"]
        for r in view.rows(
            "SELECT s.title FROM music_playlist_songs ps JOIN music_songs s ON s.id = ps.song_id "
            "WHERE ps.playlist_id = ?",
            p["id"],
        )
    ]
    note_title = f"{p['title']} tracklist"
    look = (
        login("music", "notes")
        + fetch_all("playlists", "apis.music.show_playlists(access_token=music_token")
        + "print([(x['playlist_id'], x['title']) for x in playlists])\n"
        + f"target = next(x for x in playlists if x['title'] == {p['title']!r})\n"
        + fetch_all(
            "songs", "apis.music.show_playlist_songs(access_token=music_token, playlist_id=target['playlist_id']"
        )
        + "print(len(songs))\n"
    )
    act = (
        f"note = apis.notes.create_note(access_token=notes_token, title={note_title!r}, "
        "content='\\n'.join(s['title'] for s in songs))['note_id']\n"
        "print(apis.notes.show_note(access_token=notes_token, note_id=note)['content'])\n" + DONE
    )
    oracle = Solution().step(look).step(act).steps()
    return TaskSpec(
        p["owner_id"],
        f"Create a note titled '{note_title}' listing the title of every song in my '{p['title']}' playlist, "
        "one per line.",
        oracle,
        [
            Inserted(
                "notes_notes",
                new_note(p["owner_id"], note_title, HasLines(titles)),
                f"the note lists all {len(titles)} song titles of the playlist",
                what="notes",
            )
        ],
    )


@scenario("notes_open_todos", apps=("notes", "todo"), difficulty=3)
def open_todos(view: WorldView, rng: random.Random) -> TaskSpec:
    projects = view.rows(
        "SELECT p.id, p.owner_id, p.name FROM todo_projects p WHERE "
        "(SELECT COUNT(*) FROM todo_tasks t WHERE t.project_id = p.id AND t.completed = 0) >= 2 "
        "AND (SELECT COUNT(*) FROM todo_projects q WHERE q.owner_id = p.owner_id AND q.name = p.name) = 1 ORDER BY p.id"
    )
    p = pick(rng, projects, "project with 2+ open tasks")
    titles = [
        r["title"] for r in view.rows("SELECT title FROM todo_tasks WHERE project_id = ? AND completed = 0", p["id"])
    ]
    note_title = f"{p['name']} to-dos"
    look = (
        login("todo", "notes")
        + fetch_all("projects", "apis.todo.show_projects(access_token=todo_token")
        + "print([(x['project_id'], x['name']) for x in projects])\n"
        + f"project = next(x for x in projects if x['name'] == {p['name']!r})\n"
        + fetch_all(
            "open_tasks",
            "apis.todo.search_tasks(access_token=todo_token, project_id=project['project_id'], completed=False",
        )
        + "print([t['title'] for t in open_tasks])\n"
    )
    act = (
        f"note = apis.notes.create_note(access_token=notes_token, title={note_title!r}, "
        "content='\\n'.join(t['title'] for t in open_tasks), tags=['work'])['note_id']\n"
        "print(apis.notes.show_note(access_token=notes_token, note_id=note))\n" + DONE
    )
    oracle = Solution().step(look).step(act).steps()
    return TaskSpec(
        p["owner_id"],
        f"Make a note titled '{note_title}', tagged 'work', listing the titles of the open to-dos of my '{p['name']}' "
        "project, one per line.",
        oracle,
        [
            Inserted(
                "notes_notes",
                new_note(p["owner_id"], note_title, HasLines(titles), tags="work"),
                f"the note lists the {len(titles)} open to-dos and is tagged work",
                what="notes",
            )
        ],
    )


@scenario("notes_log_last_order", apps=("notes", "shop"), difficulty=2)
def log_last_order(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows(
        "SELECT n.owner_id, MIN(n.id) AS note_id, n.title FROM notes_notes n GROUP BY n.owner_id, n.title "
        "HAVING COUNT(*) = 1 AND MAX(n.trashed_at IS NOT NULL) = 0 ORDER BY n.owner_id, n.title"
    )
    n = pick(rng, owners, "note with a unique title")
    order = view.row(
        "SELECT id, total FROM shop_orders WHERE owner_id = ? ORDER BY created_at DESC, id DESC LIMIT 1", n["owner_id"]
    )
    before = view.row("SELECT title, content, updated_at FROM notes_notes WHERE id = ?", n["note_id"])
    content = before["content"]
    line = f"Order {order['id']}: ${order['total']:.2f}"
    look = (
        login("shop", "notes")
        + "order = apis.shop.show_orders(access_token=shop_token)[0]\n"
        + "print(order['order_id'], order['created_at'], order['total'])\n"
        + fetch_all("found", f"apis.notes.search_notes(access_token=notes_token, query={n['title']!r}")
        + "print([(x['note_id'], x['title']) for x in found])\n"
        + f"note = next(x for x in found if x['title'] == {n['title']!r})\n"
    )
    act = (
        "apis.notes.append_to_note(access_token=notes_token, note_id=note['note_id'], "
        "text=f\"Order {order['order_id']}: ${order['total']:.2f}\")\n"
        "print(apis.notes.show_note(access_token=notes_token, note_id=note['note_id'])['content'][-80:])\n" + DONE
    )
    oracle = Solution().step(look).step(act).steps()
    return TaskSpec(
        n["owner_id"],
        f"Add a line to the end of my note '{n['title']}' saying 'Order <id>: $<total>' for my most recent shop order "
        "(total with 2 decimals, e.g. 'Order 12: $45.50').",
        oracle,
        [
            Updated(
                "notes_notes",
                n["note_id"],
                {"content": f"{content}\n{line}" if content else line, "updated_at": NOW},
                f"the note ends with the line {line!r}",
            ),
            Inserted(
                "notes_versions",
                {
                    "note_id": n["note_id"],
                    "owner_id": n["owner_id"],
                    "title": before["title"],
                    "content": content,
                    "saved_at": before["updated_at"],
                },
                "the text before the change is kept as a version",
                what="versions",
            ),
        ],
    )


@scenario("notes_top_artists_note", apps=("notes", "music"))
def top_artists_note(view: WorldView, rng: random.Random) -> TaskSpec:
    year = rng.choice([2024, 2025])
    since, until = f"{year}-01-01", f"{year + 1}-01-01"
    candidates = [(p, top) for p in view.people_ids() if (top := top_artists(view, p, since, until, 5))]
    owner, top = pick(rng, candidates, f"listener with a clear top 5 of {year}", distinct=True)
    books = view.rows("SELECT id FROM notes_notebooks WHERE owner_id = ? AND name = 'Journal'", owner)
    journal = books[0]["id"] if books else None
    title = f"Top artists of {year}"
    content = "\n".join(f"{r['artist']}: {r['plays']} plays" for r in top)
    look = (
        login("music", "notes")
        + fetch_all(
            "stats",
            f"apis.music.show_listening_stats(access_token=music_token, group_by='artist', since={since!r}, "
            f"until={until!r}",
        )
        + "print(stats[:6])\n"
        + fetch_all("books", "apis.notes.show_notebooks(access_token=notes_token, query='Journal'")
        + "print(books)\n"
    )
    act = (
        "journal = next((b['notebook_id'] for b in books if b['name'] == 'Journal'), None)\n"
        "if journal is None:\n"
        "    journal = apis.notes.create_notebook(access_token=notes_token, name='Journal')['notebook_id']\n"
        "text = '\\n'.join(f\"{s['artist']}: {s['plays']} plays\" for s in stats[:5])\n"
        f"apis.notes.create_note(access_token=notes_token, title={title!r}, content=text, notebook_id=journal)\n" + DONE
    )
    book = {"owner_id": owner, "name": "Journal", "description": "", "created_at": NOW}
    expectations: list[Expectation] = []
    if journal is None:
        expectations.append(Inserted("notes_notebooks", book, "a 'Journal' notebook is created", what="notebooks"))
    expectations.append(
        Inserted(
            "notes_notes",
            new_note(
                owner,
                title,
                content,
                notebook_id=journal or NewRow("notes_notebooks", book),
                created_at=NOW,
                updated_at=NOW,
            ),
            f"a note '{title}' in the Journal notebook lists the top 5, most played first: {content!r}",
            what="notes",
        )
    )
    return TaskSpec(
        owner,
        f"Make a note titled '{title}' in my 'Journal' notebook (create the notebook if I have none) listing my 5 most "
        f"played music artists of {year} (by plays in my music listening history), most played first with ties by "
        "name, one per line written as 'Artist: N plays'.",
        Solution().step(look).step(act).steps(),
        expectations,
    )


@scenario("notes_restore_first_version", apps=("notes",))
def restore_first_version(view: WorldView, rng: random.Random) -> TaskSpec:
    notes = view.rows(
        "SELECT n.id, n.owner_id, n.title, n.content, n.updated_at FROM notes_notes n WHERE n.trashed_at IS NULL "
        "AND (SELECT COUNT(*) FROM notes_versions v WHERE v.note_id = n.id) >= 2 "
        "AND (SELECT COUNT(*) FROM notes_notes m WHERE m.owner_id = n.owner_id AND m.title = n.title) = 1 "
        "AND EXISTS (SELECT 1 FROM notes_notes m WHERE m.owner_id = n.owner_id AND m.title LIKE n.title || ' %') "
        "ORDER BY n.id"
    )
    candidates = []
    for n in notes:  # the oldest version must differ from the note now, or restoring it is refused (409)
        first = view.row(
            "SELECT id, title, content FROM notes_versions WHERE note_id = ? ORDER BY saved_at, id LIMIT 1", n["id"]
        )
        if (first["title"], first["content"]) != (n["title"], n["content"]):
            candidates.append((n, first))
    note, first = pick(rng, candidates, "edited note whose title has a look-alike", distinct=True)
    look = (
        login("notes")
        + fetch_all("found", f"apis.notes.search_notes(access_token=notes_token, query={note['title']!r}")
        + "print([n['title'] for n in found])\n"
        + f"target = next(n for n in found if n['title'] == {note['title']!r})\n"
        + fetch_all("versions", "apis.notes.show_note_versions(access_token=notes_token, note_id=target['note_id']")
        + "print([(v['version_id'], v['saved_at']) for v in versions])\n"
    )
    act = (
        "oldest = min(versions, key=lambda v: (v['saved_at'], v['version_id']))\n"
        "apis.notes.restore_note_version(access_token=notes_token, version_id=oldest['version_id'])\n" + DONE
    )
    return TaskSpec(
        note["owner_id"],
        f"My note titled exactly '{note['title']}' has been edited several times. Bring back its very first saved "
        "version from its version history (the oldest one), title and text.",
        Solution().step(look).step(act).steps(),
        [
            Updated(
                "notes_notes",
                note["id"],
                {"title": first["title"], "content": first["content"], "updated_at": NOW},
                "the note has the title and text of its oldest version",
            ),
            Inserted(
                "notes_versions",
                {
                    "note_id": note["id"],
                    "owner_id": note["owner_id"],
                    "title": note["title"],
                    "content": note["content"],
                    "saved_at": note["updated_at"],
                },
                "the text it had before is kept as a version",
                what="versions",
            ),
        ],
    )


@scenario("notes_share_with_roommates", apps=("notes", "phone"))
def share_with_roommates(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows(
        "SELECT c.owner_id FROM phone_contacts c JOIN people f ON f.email = c.email WHERE c.relationship = 'roommate' "
        "GROUP BY c.owner_id ORDER BY c.owner_id"
    )
    owner = pick(rng, owners, "owner with roommates in their contacts", distinct=True)["owner_id"]
    notes = view.rows(
        "SELECT n.id, n.title FROM notes_notes n WHERE n.owner_id = ? AND n.trashed_at IS NULL "
        "AND (SELECT COUNT(*) FROM notes_notes m WHERE m.owner_id = n.owner_id AND m.title = n.title) = 1 "
        "AND EXISTS (SELECT 1 FROM notes_notes m WHERE m.owner_id = n.owner_id AND m.title LIKE n.title || ' %') "
        "ORDER BY n.id",
        owner,
    )
    note = pick(rng, notes, "note whose title has a look-alike")
    roommates = view.rows(
        "SELECT f.id, f.email, s.id AS share_id, s.permission FROM phone_contacts c JOIN people f ON f.email = c.email "
        "LEFT JOIN notes_shares s ON s.note_id = ? AND s.person_id = f.id WHERE c.owner_id = ? "
        "AND c.relationship = 'roommate' ORDER BY f.id",
        note["id"],
        owner,
    )
    look = (
        login("phone", "notes")
        + fetch_all("roommates", "apis.phone.search_contacts(access_token=phone_token, relationship='roommate'")
        + fetch_all("found", f"apis.notes.search_notes(access_token=notes_token, query={note['title']!r}")
        + f"note = next(n for n in found if n['title'] == {note['title']!r})\n"
        + "shares = {s['email']: s['permission'] for s in "
        "apis.notes.show_note_shares(access_token=notes_token, note_id=note['note_id'])}\n"
        + "print([r['email'] for r in roommates], shares)\n"
    )
    act = (
        "for r in roommates:\n"
        "    if shares.get(r['email']) != 'edit':\n"
        "        apis.notes.share_note(access_token=notes_token, note_id=note['note_id'], email=r['email'], "
        "permission='edit')\n"
        "        shares[r['email']] = 'edit'\n" + DONE
    )
    expectations: list[Expectation] = []
    for r in roommates:
        if r["share_id"] is None:
            expectations.append(
                Inserted(
                    "notes_shares",
                    {"note_id": note["id"], "person_id": r["id"], "permission": "edit", "shared_at": NOW},
                    f"the note is shared with {r['email']} (edit)",
                    what=f"shares with {r['email']}",
                )
            )
        elif r["permission"] != "edit":
            expectations.append(
                Updated("notes_shares", r["share_id"], {"permission": "edit"}, f"{r['email']} may now edit the note")
            )
    return TaskSpec(
        owner,
        f"Share my note titled exactly '{note['title']}' with every roommate in my phone contacts, letting them edit "
        "it (anyone of them it is already shared with for viewing gets edit permission).",
        Solution().step(look).step(act).steps(),
        expectations,
        noop_pass=not expectations,
    )
