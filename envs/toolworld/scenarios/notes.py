"""Scenarios on the notes app (held out of train: these are test_challenge tasks)."""

from __future__ import annotations

import random
from typing import Any

from envs.toolworld.apps._bill_splitting_core import balances_by_person
from envs.toolworld.evaluate import Answer, Deleted, Expectation, HasLines, InOrder, Inserted, NewRow, Updated
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, login, pick
from envs.toolworld.scenarios._rows import new_note
from envs.toolworld.scenarios.music import top_artists
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

GROCERIES = ["oat milk", "eggs", "spinach", "rye bread", "lemons", "coffee beans", "rice", "chickpeas"]
DONE = "apis.supervisor.complete_task()\n"
NOW = WORLD_NOW.isoformat(timespec="seconds")
TODAY = WORLD_NOW.date().isoformat()


def shopping_items(view: WorldView, owner: int, checked: int) -> list[dict[str, Any]]:
    """The ticked (1) or unticked (0) checklist items of an owner's live notes tagged 'shopping'."""
    return view.rows(
        "SELECT c.id, c.text FROM notes_checklist_items c JOIN notes_notes n ON n.id = c.note_id WHERE n.owner_id = ? "
        "AND instr(',' || n.tags || ',', ',shopping,') > 0 AND n.trashed_at IS NULL AND c.checked = ? ORDER BY c.id",
        owner,
        checked,
    )


@scenario("notes_create_list", apps=("notes",))
def create_list(view: WorldView, rng: random.Random) -> TaskSpec:
    """A fresh list gathers the given items and every unticked item of my shopping notes' checklists (each once,
    read per note); the old checklists lose the items ticked before and get the rest ticked; trashed notes stay."""
    owners = [p for p in view.people_ids() if 10 <= len(shopping_items(view, p, 0)) <= 22]
    owner = pick(rng, owners, "owner with 10-22 unticked shopping items", distinct=True)
    unticked, ticked = shopping_items(view, owner, 0), shopping_items(view, owner, 1)
    items = rng.sample(GROCERIES, rng.randint(3, 5))
    title = rng.choice(["Groceries", "Shopping list", "Market run"])
    lines = list({x.lower(): x for x in [*items, *(u["text"] for u in unticked)]}.values())
    look = (
        login("notes")
        + fetch_all("shopping", "apis.notes.search_notes(access_token=notes_token, tag='shopping'")
        + "print([(n['note_id'], n['title'], n['checklist_items']) for n in shopping])\n"
    )
    read = (
        "unticked, with_ticked = [], []\n"
        "for n in shopping:\n"
        "    if n['checklist_items']:\n"
        + fetch_all(
            "items", "apis.notes.show_checklist(access_token=notes_token, note_id=n['note_id']", indent="        "
        )
        + "        unticked += [i for i in items if not i['checked']]\n"
        "        if any(i['checked'] for i in items):\n"
        "            with_ticked.append(n['note_id'])\n"
        "print([(i['item_id'], i['text']) for i in unticked], with_ticked)\n"
    )
    act = (
        f"wanted = {items!r} + [i['text'] for i in unticked]\n"
        "lines = list({w.lower(): w for w in wanted}.values())\n"
        f"note = apis.notes.create_note(access_token=notes_token, title={title!r}, content='\\n'.join(lines), "
        "tags=['shopping'])['note_id']\n"
        "for note_id in with_ticked:\n"
        "    print(apis.notes.clear_checked_items(access_token=notes_token, note_id=note_id))\n"
        "for i in unticked:\n"
        "    apis.notes.update_checklist_item(access_token=notes_token, item_id=i['item_id'], checked=True)\n"
    )
    check = "print(apis.notes.show_note(access_token=notes_token, note_id=note))\n" + DONE
    return TaskSpec(
        owner,
        f"Start a fresh note titled '{title}', tagged 'shopping', listing one per line and each only once: "
        f"{', '.join(items)}, plus every item still unticked on the checklists of my other notes tagged 'shopping' "
        "(not those in the trash). On those old checklists, first delete the items that are already ticked, then "
        "tick off the ones now on the new list, so nothing is bought twice.",
        Solution().step(look).step(read).step(act).step(check).steps(),
        [
            Inserted(
                "notes_notes",
                new_note(owner, title, HasLines(lines), tags="shopping"),
                f"a note '{title}' tagged shopping lists the {len(lines)} items once each",
                what="notes",
            ),
            *(
                Updated("notes_checklist_items", u["id"], {"checked": 1}, f"the old item {u['text']!r} is ticked off")
                for u in unticked
            ),
            Deleted(
                "notes_checklist_items",
                frozenset(t["id"] for t in ticked),
                f"the {len(ticked)} items ticked before are deleted from the old checklists",
                what="ticked items",
            ),
        ],
    )


def lookalike_notes(view: WorldView, owner: int | None = None) -> list[dict[str, Any]]:
    """Live notes whose title is unique for their owner but the start of another title ('Journal' vs 'Journal v2')."""
    return view.rows(
        "SELECT n.id, n.owner_id, n.title, n.content, n.updated_at, n.pinned, n.color FROM notes_notes n "
        "WHERE n.trashed_at IS NULL AND (? IS NULL OR n.owner_id = ?) "
        "AND (SELECT COUNT(*) FROM notes_notes m WHERE m.owner_id = n.owner_id AND m.title = n.title) = 1 "
        "AND EXISTS (SELECT 1 FROM notes_notes m WHERE m.owner_id = n.owner_id AND m.title LIKE n.title || ' %') "
        "ORDER BY n.id",
        owner,
        owner,
    )


@scenario("notes_pin_titled", apps=("notes",))
def pin_titled(view: WorldView, rng: random.Random) -> TaskSpec:
    """Pin one note (look-alike titles around it) and keep pinned only what still needs me: a reminder to come or an
    unticked checklist item (read per note); the kept ones turn yellow unless they are; the answer counts the pins."""
    owners = view.rows(
        "SELECT owner_id FROM notes_notes WHERE pinned = 1 AND trashed_at IS NULL GROUP BY owner_id "
        "HAVING COUNT(*) BETWEEN 12 AND 20 ORDER BY owner_id"
    )
    owner = pick(rng, owners, "owner with 12-20 pinned notes", distinct=True)["owner_id"]
    note = pick(rng, [n for n in lookalike_notes(view, owner) if not n["pinned"]], "unpinned note with a look-alike")
    pinned = view.rows(
        "SELECT n.id, n.title, n.color, n.reminder_at >= ? AS reminded, EXISTS (SELECT 1 FROM notes_checklist_items c "
        "WHERE c.note_id = n.id AND c.checked = 0) AS unticked FROM notes_notes n WHERE n.owner_id = ? "
        "AND n.pinned = 1 AND n.trashed_at IS NULL ORDER BY n.id",
        TODAY,
        owner,
    )
    kept = [p for p in pinned if p["reminded"] or p["unticked"]]
    yellow = view.rows(
        "SELECT id, title FROM notes_notes WHERE owner_id = ? AND color = 'yellow' AND trashed_at IS NULL AND id != ? "
        "ORDER BY id",
        owner,
        note["id"],
    )
    kept_ids = {p["id"] for p in kept}
    look = (
        login("notes")
        + fetch_all("pinned", "apis.notes.search_notes(access_token=notes_token, pinned=True")
        + "print([(n['title'], n['reminder_at'], n['checklist_items'], n['color']) for n in pinned])\n"
        + fetch_all("found", f"apis.notes.search_notes(access_token=notes_token, query={note['title']!r}")
        + f"target = next(n for n in found if n['title'] == {note['title']!r})\n"
        + fetch_all("yellow", "apis.notes.search_notes(access_token=notes_token, color='yellow'")
        + "print(target, [n['title'] for n in yellow])\n"
    )
    decide = (
        "keep, drop = [], []\n"
        "for n in pinned:\n"
        f"    needed = n['reminder_at'] is not None and n['reminder_at'] >= {TODAY!r}\n"
        "    if not needed and n['checklist_items']:\n"
        "        needed = bool(apis.notes.show_checklist(access_token=notes_token, note_id=n['note_id'], "
        "checked=False, page_limit=1))\n"
        "    (keep if needed else drop).append(n)\n"
        "print([n['title'] for n in keep], [n['title'] for n in drop])\n"
    )
    act = (
        "apis.notes.pin_note(access_token=notes_token, note_id=target['note_id'])\n"
        "for n in drop:\n"
        "    apis.notes.unpin_note(access_token=notes_token, note_id=n['note_id'])\n"
        "for n in keep + [target]:\n"
        "    if n['color'] != 'yellow':\n"
        "        apis.notes.update_note(access_token=notes_token, note_id=n['note_id'], color='yellow')\n"
        "pins = {n['note_id'] for n in keep + [target]}\n"
        "for n in yellow:\n"
        "    if n['note_id'] not in pins:\n"
        "        apis.notes.update_note(access_token=notes_token, note_id=n['note_id'], color='none')\n"
    )
    check = (
        fetch_all("now_pinned", "apis.notes.search_notes(access_token=notes_token, pinned=True")
        + "print([(n['title'], n['color']) for n in now_pinned])\n"
        "apis.supervisor.complete_task(answer=len(now_pinned))\n"
    )
    target_change = {"pinned": 1, "updated_at": NOW, **({} if note["color"] == "yellow" else {"color": "yellow"})}
    expectations: list[Expectation] = [
        Updated("notes_notes", note["id"], target_change, f"the note '{note['title']}' is pinned and yellow"),
        *(
            Updated(
                "notes_notes", p["id"], {"color": "yellow", "updated_at": NOW}, f"'{p['title']}' stays pinned, yellow"
            )
            for p in kept
            if p["color"] != "yellow"
        ),
        *(
            Updated(
                "notes_notes",
                p["id"],
                {"pinned": 0, "updated_at": NOW, **({"color": "none"} if p["color"] == "yellow" else {})},
                f"'{p['title']}' is unpinned" + (" and no longer yellow" if p["color"] == "yellow" else ""),
            )
            for p in pinned
            if p["id"] not in kept_ids
        ),
        *(
            Updated("notes_notes", y["id"], {"color": "none", "updated_at": NOW}, f"'{y['title']}' is no longer yellow")
            for y in yellow
            if y["id"] not in {p["id"] for p in pinned}
        ),
        Answer(
            len(kept) + 1,
            f"the answer is the number of pinned notes at the end ({len(kept) + 1})",
            traps={"1": "only the note asked for was counted"},
        ),
    ]
    return TaskSpec(
        owner,
        f"Tidy my pinned notes. Pin my note titled exactly '{note['title']}'. Of my other pinned notes, keep pinned "
        f"only those with a reminder on or after {TODAY} or with an unticked checklist item, and unpin the rest. "
        "Yellow is for pins only: every note that ends up pinned should be yellow, and any other yellow note of mine "
        "gets no color. Tell me how many notes are pinned at the end.",
        Solution().step(look).step(decide).step(act).step(check).steps(),
        expectations,
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
        deleted_with_notes(view, ids, f"unpinned notes created before {cutoff}"),
    )


PENDING_EACH_WAY_AT_LEAST = 1  # pending payment requests between me and my family, each way, so both decide


def family_pending_each_way(view: WorldView, owner: int) -> int:
    """The fewer of my pending payment requests to my family contacts and theirs to me."""
    family = (
        "SELECT p.id FROM phone_contacts c JOIN people p ON p.phone_number = c.phone_number "
        "WHERE c.owner_id = ? AND c.relationship = 'family'"
    )
    ways = [
        view.value(
            f"SELECT COUNT(*) FROM payments_requests WHERE status = 'pending' AND {mine} = ? "
            f"AND {theirs} IN ({family})",
            owner,
            owner,
        )
        for mine, theirs in (("requester_id", "payer_id"), ("payer_id", "requester_id"))
    ]
    return min(ways)


@scenario("notes_family_numbers", apps=("notes", "phone", "payments", "bill_splitting"), difficulty=3)
def family_numbers(view: WorldView, rng: random.Random) -> TaskSpec:
    """A note line per family member: their number (contacts), the day we last talked (only in my call log, one
    look each), and where we stand on money: my pending requests to them less theirs to me (payments, both
    directions per member) plus their balance with me over all my bill-splitting groups. The pick has pending
    requests each way (PENDING_EACH_WAY_AT_LEAST), so neither direction can be skipped."""
    owners = view.rows(
        "SELECT owner_id FROM phone_contacts WHERE relationship = 'family' GROUP BY owner_id HAVING COUNT(*) >= 2 "
        "ORDER BY owner_id"
    )
    _, owners = as_deep_as_found(
        (PENDING_EACH_WAY_AT_LEAST, 0),
        lambda least: [o for o in owners if family_pending_each_way(view, o["owner_id"]) >= least],
    )
    owner = pick(rng, owners, "owner with family contacts", distinct=True)["owner_id"]
    family = view.rows(
        "SELECT c.first_name, c.last_name, c.phone_number, p.id FROM phone_contacts c "
        "JOIN people p ON p.phone_number = c.phone_number WHERE c.owner_id = ? AND c.relationship = 'family'",
        owner,
    )
    split = balances_by_person(view.conn, owner)

    def pending(requester: int, payer: int) -> float:
        return view.value(
            "SELECT COALESCE(SUM(amount), 0) FROM payments_requests WHERE requester_id = ? AND payer_id = ? "
            "AND status = 'pending'",
            requester,
            payer,
        )

    def line(f: dict[str, Any]) -> str:
        talked = view.value(
            "SELECT MAX(started_at) FROM phone_calls WHERE owner_id = ? AND phone_number = ? AND duration_seconds > 0",
            owner,
            f["phone_number"],
        )
        balance = pending(owner, f["id"]) - pending(f["id"], owner) + split.get(f["id"], 0.0)
        return (
            f"{f['first_name']} {f['last_name']}: {f['phone_number']}, last talked {talked[:10] if talked else 'never'}"
            f", balance {round(balance, 2) + 0.0:.2f}"
        )

    lines = [line(f) for f in family]
    look = (
        login("phone", "payments", "bill_splitting", "notes")
        + fetch_all("family", "apis.phone.search_contacts(access_token=phone_token, relationship='family'")
        + fetch_all("split", "apis.bill_splitting.show_balances_with_people(access_token=bill_splitting_token")
        + "print([(c['first_name'], c['last_name'], c['phone_number'], c['email']) for c in family], split)\n"
    )
    read = (
        "lines = []\n"
        "for c in family:\n"
        "    calls = apis.phone.show_call_history(access_token=phone_token, phone_number=c['phone_number'], "
        "min_duration_seconds=1, page_limit=1)\n"
        "    balance = sum(b['balance'] for b in split if b['email'] == c['email'])\n"
        "    for direction, sign in (('sent', 1), ('received', -1)):\n"
        + fetch_all(
            "asked",
            "apis.payments.show_requests(access_token=payments_token, direction=direction, status='pending', "
            "with_email=c['email']",
            indent="        ",
        )
        + "        balance += sign * sum(r['amount'] for r in asked)\n"
        "    talked = calls[0]['started_at'][:10] if calls else 'never'\n"
        "    lines.append(f\"{c['first_name']} {c['last_name']}: {c['phone_number']}, last talked {talked}, "
        'balance {round(balance, 2) + 0.0:.2f}")\n'
        "print(lines)\n"
    )
    act = (
        "note = apis.notes.create_note(access_token=notes_token, title='Family phone numbers', "
        "content='\\n'.join(lines))['note_id']\n"
        "print(apis.notes.show_note(access_token=notes_token, note_id=note)['content'])\n" + DONE
    )
    oracle = Solution().step(look).step(read).step(act).steps()
    return TaskSpec(
        owner,
        "Create a note titled 'Family phone numbers' with one line per family member in my phone contacts, "
        "written as 'First Last: phonenumber, last talked YYYY-MM-DD, balance N'. 'last talked' is the day of my "
        "latest call with them in my call log in which we talked (missed or unanswered calls do not count; write "
        "'never' if there is none). The balance is where we stand on money, positive if they owe me and negative "
        "if I owe them, with two decimals (e.g. 12.50, -3.00, 0.00): the payment requests I sent them on payments "
        "that are still pending, less the pending ones they sent me, plus their net balance with me over all my "
        "bill-splitting groups.",
        oracle,
        [
            Inserted(
                "notes_notes",
                new_note(owner, "Family phone numbers", HasLines(lines)),
                f"a note lists all {len(lines)} family members with their numbers, last call and balance",
                what="notes",
            )
        ],
    )


def deleted_with_notes(view: WorldView, ids: frozenset[int], what: str) -> list[Expectation]:
    """Notes deleted for good, with the versions, checklist items and shares deleting a note takes with it."""
    marks = ",".join("?" for _ in ids)
    attached = [
        Deleted(
            table,
            frozenset(r["id"] for r in view.rows(f"SELECT id FROM {table} WHERE note_id IN ({marks})", *sorted(ids))),
            f"their {kind} are deleted with them",
            what=kind,
        )
        for table, kind in (
            ("notes_versions", "old versions"),
            ("notes_checklist_items", "checklist items"),
            ("notes_shares", "shares"),
        )
    ]
    return [
        Deleted("notes_notes", ids, f"the {len(ids)} {what} are deleted for good", what=what),
        *(d for d in attached if d.row_ids),
    ]


@scenario("notes_count_all", apps=("notes",))
def count_all(view: WorldView, rng: random.Random) -> TaskSpec:
    """The trash sorted first: notes still shared with someone come back (shares read per trashed note), the others
    trashed before a cut-off go for good; then every note is counted over all pages (a first page of 5 is the trap)."""
    cutoff = rng.choice(["2026-01-01", "2026-03-01", "2026-04-01"])
    trash_sql = (
        "SELECT n.id, n.title, n.trashed_at, EXISTS (SELECT 1 FROM notes_shares s WHERE s.note_id = n.id) AS shared "
        "FROM notes_notes n WHERE n.owner_id = ? AND n.trashed_at IS NOT NULL ORDER BY n.id"
    )
    candidates = []
    for p in view.people_ids():
        trash = view.rows(trash_sql, p)
        if (
            10 <= len(trash) <= 22
            and any(t["shared"] for t in trash)
            and any(not t["shared"] and t["trashed_at"] < cutoff for t in trash)
        ):
            candidates.append(p)
    owner = pick(rng, candidates, "owner with shared notes in the trash", distinct=True)
    trash = view.rows(trash_sql, owner)
    shared = [t for t in trash if t["shared"]]
    old = frozenset(t["id"] for t in trash if not t["shared"] and t["trashed_at"] < cutoff)
    live = view.value("SELECT COUNT(*) FROM notes_notes WHERE owner_id = ? AND trashed_at IS NULL", owner)
    look = (
        login("notes")
        + fetch_all("trash", "apis.notes.show_trash(access_token=notes_token")
        + "print([(n['note_id'], n['title'], n['trashed_at']) for n in trash])\n"
    )
    decide = (
        "shared = []\n"
        "for n in trash:\n"
        "    shares = apis.notes.show_note_shares(access_token=notes_token, note_id=n['note_id'])\n"
        "    if shares:\n"
        "        shared.append(n)\n"
        "print([(n['title'], n['trashed_at']) for n in shared])\n"
    )
    act = (
        "for n in shared:\n"
        "    apis.notes.restore_note(access_token=notes_token, note_id=n['note_id'])\n"
        f"print(apis.notes.empty_trash(access_token=notes_token, trashed_before={cutoff!r}))\n"
    )
    count = (
        fetch_all("notes", "apis.notes.search_notes(access_token=notes_token")
        + fetch_all("left", "apis.notes.show_trash(access_token=notes_token")
        + "print(len(notes), 'notes;', len(left), 'left in the trash')\n"
        "apis.supervisor.complete_task(answer=len(notes))\n"
    )
    total = live + len(shared)
    return TaskSpec(
        owner,
        "Sort out my notes' trash, then count my notes. Restore every note in the trash that is still shared with "
        f"someone; delete for good the other notes trashed before {cutoff}. Then tell me how many notes I have "
        "(not counting what is left in the trash).",
        Solution().step(look).step(decide).step(act).step(count).steps(),
        [
            *(
                Updated("notes_notes", t["id"], {"trashed_at": None}, f"the shared note '{t['title']}' is restored")
                for t in shared
            ),
            *deleted_with_notes(view, old, f"unshared notes trashed before {cutoff}"),
            Answer(
                total,
                f"the answer is the number of notes after the restores ({total})",
                traps={
                    "5": "only the first page of notes was counted (page_limit default 5)",
                    str(live): "the restored notes were not counted",
                },
            ),
        ],
    )


@scenario("notes_restore_first_version", apps=("notes",))
def restore_first_version(view: WorldView, rng: random.Random) -> TaskSpec:
    """Every edited note of one notebook gets its very first version back (history read per note), unless that
    version had no text or is what the note already says; notes without history and other notebooks are left."""
    books = view.rows(
        "SELECT b.id, b.owner_id, b.name FROM notes_notebooks b WHERE (SELECT COUNT(*) FROM notes_notebooks c "
        "WHERE c.owner_id = b.owner_id AND c.name = b.name) = 1 AND (SELECT COUNT(*) FROM notes_notes n "
        "WHERE n.notebook_id = b.id AND n.trashed_at IS NULL) BETWEEN 8 AND 20 ORDER BY b.id"
    )
    plans = []
    for b in books:
        notes = view.rows(
            "SELECT id, title, content, updated_at FROM notes_notes WHERE notebook_id = ? AND trashed_at IS NULL "
            "ORDER BY id",
            b["id"],
        )
        restored, skipped = [], 0
        for n in notes:
            first = view.rows(
                "SELECT title, content FROM notes_versions WHERE note_id = ? ORDER BY saved_at, id LIMIT 1", n["id"]
            )
            if not first:
                continue
            if first[0]["content"] and (first[0]["title"], first[0]["content"]) != (n["title"], n["content"]):
                restored.append((n, first[0]))
            else:
                skipped += 1
        if 3 <= len(restored) <= 8:
            plans.append((b, restored, skipped))
    book, restored, _ = pick(rng, plans, "notebook with 3-8 edited notes", distinct=True)
    owner = book["owner_id"]
    look = (
        login("notes")
        + fetch_all("books", f"apis.notes.show_notebooks(access_token=notes_token, query={book['name']!r}")
        + f"book = next(b for b in books if b['name'] == {book['name']!r})\n"
        + fetch_all("notes", "apis.notes.search_notes(access_token=notes_token, notebook_id=book['notebook_id']")
        + "print([(n['note_id'], n['title']) for n in notes])\n"
    )
    history = (
        "firsts = {}\n"
        "for n in notes:\n"
        + fetch_all(
            "versions",
            "apis.notes.show_note_versions(access_token=notes_token, note_id=n['note_id']",
            indent="    ",
        )
        + "    if versions:\n"
        "        firsts[n['note_id']] = min(versions, key=lambda v: (v['saved_at'], v['version_id']))\n"
        "print({k: (v['title'], v['saved_at']) for k, v in firsts.items()})\n"
    )
    act = (
        "restored = []\n"
        "for n in notes:\n"
        "    first = firsts.get(n['note_id'])\n"
        "    if first and first['content'] and (first['title'], first['content']) != (n['title'], n['content']):\n"
        "        apis.notes.restore_note_version(access_token=notes_token, version_id=first['version_id'])\n"
        "        restored.append(n['note_id'])\n"
    )
    check = (
        "for note_id in restored:\n"
        "    print(apis.notes.show_note(access_token=notes_token, note_id=note_id)['title'])\n"
        "apis.supervisor.complete_task(answer=len(restored))\n"
    )
    expectations: list[Expectation] = []
    for n, first in restored:
        expectations += [
            Updated(
                "notes_notes",
                n["id"],
                {"title": first["title"], "content": first["content"], "updated_at": NOW},
                f"'{n['title']}' has the title and text of its oldest version",
            ),
            Inserted(
                "notes_versions",
                {
                    "note_id": n["id"],
                    "owner_id": owner,
                    "title": n["title"],
                    "content": n["content"],
                    "saved_at": n["updated_at"],
                },
                f"the text '{n['title']}' had before is kept as a version",
                what="versions",
            ),
        ]
    expectations.append(Answer(len(restored), f"the answer is the number of notes restored ({len(restored)})"))
    return TaskSpec(
        owner,
        f"Someone rewrote the notes in my '{book['name']}' notebook. For every note in it that has an edit history, "
        "bring back its very first saved version (the oldest one, title and text), unless that version had no text "
        "or the note already reads exactly like it. Tell me how many notes you restored.",
        Solution().step(look).step(history).step(act).step(check).steps(),
        expectations,
    )


RETAGS = (
    ("ideas", "someday", "Projects"),
    ("work", "office", "Work"),
    ("books", "reading", "Reading"),
    ("recipes", "cooking", "Recipes"),
)  # (old tag, new tag, the notebook the retagged notes go in)


@scenario("notes_retag", apps=("notes",))
def retag(view: WorldView, rng: random.Random) -> TaskSpec:
    """Every live note with one tag gets another instead and is filed in the notebook of that theme (a look-alike
    notebook is a distractor; created when missing); the trashed ones with the old tag go for good instead."""
    old, new, shelf = rng.choice(RETAGS)
    tagged_sql = (
        "SELECT id, title, tags, notebook_id FROM notes_notes WHERE owner_id = ? AND instr(',' || tags || ',', ?) > 0 "
        "AND trashed_at IS NULL ORDER BY id"
    )
    trashed_sql = (
        "SELECT id FROM notes_notes WHERE owner_id = ? AND instr(',' || tags || ',', ?) > 0 AND trashed_at IS NOT NULL"
    )
    owners = [
        p
        for p in view.people_ids()
        if 10 <= len(view.rows(tagged_sql, p, f",{old},")) <= 18 and view.rows(trashed_sql, p, f",{old},")
    ]
    owner = pick(rng, owners, f"owner with 10-18 notes tagged {old}", distinct=True)
    rows = view.rows(tagged_sql, owner, f",{old},")
    trashed = frozenset(r["id"] for r in view.rows(trashed_sql, owner, f",{old},"))
    books = view.rows("SELECT id FROM notes_notebooks WHERE owner_id = ? AND name = ?", owner, shelf)
    book = {"owner_id": owner, "name": shelf, "description": ""}
    shelf_id: Any = books[0]["id"] if books else NewRow("notes_notebooks", book)
    look = (
        login("notes")
        + "print(apis.notes.show_tags(access_token=notes_token))\n"
        + fetch_all("found", f"apis.notes.search_notes(access_token=notes_token, tag={old!r}")
        + "print([(n['title'], n['tags'], n['notebook']) for n in found])\n"
        + fetch_all("books", f"apis.notes.show_notebooks(access_token=notes_token, query={shelf!r}")
        + f"shelf = next((b['notebook_id'] for b in books if b['name'] == {shelf!r}), None)\n"
        "print(books)\n"
    )
    act = (
        "if shelf is None:\n"
        f"    shelf = apis.notes.create_notebook(access_token=notes_token, name={shelf!r})['notebook_id']\n"
        f"for n in found:\n    tags = [t for t in n['tags'] if t != {old!r}] + [{new!r}]\n"
        "    apis.notes.update_note(access_token=notes_token, note_id=n['note_id'], tags=tags)\n"
        "    if n['notebook_id'] != shelf:\n"
        "        apis.notes.move_note_to_notebook(access_token=notes_token, note_id=n['note_id'], notebook_id=shelf)\n"
    )
    purge = fetch_all("trash", "apis.notes.show_trash(access_token=notes_token") + (
        "for n in trash:\n"
        f"    if {old!r} in n['tags']:\n"
        "        apis.notes.delete_note(access_token=notes_token, note_id=n['note_id'])\n"
    )
    check = (
        fetch_all("moved", f"apis.notes.search_notes(access_token=notes_token, tag={new!r}")
        + "print([(n['title'], n['tags'], n['notebook']) for n in moved])\n"
        + DONE
    )
    expectations: list[Expectation] = (
        []
        if books
        else [Inserted("notes_notebooks", book, f"a notebook '{shelf}' is created (I had none)", what="notebooks")]
    )
    for r in rows:
        filed = books and r["notebook_id"] == books[0]["id"]
        expectations.append(
            Updated(
                "notes_notes",
                r["id"],
                {
                    "tags": ",".join(sorted((set(r["tags"].split(",")) - {old}) | {new})),
                    "updated_at": NOW,
                    **({} if filed else {"notebook_id": shelf_id}),
                },
                f"note '{r['title']}' is tagged {new!r} instead of {old!r}" + ("" if filed else f", in '{shelf}'"),
            )
        )
    expectations += deleted_with_notes(view, trashed, f"trashed notes tagged {old!r}")
    return TaskSpec(
        owner,
        f"On every note tagged '{old}' (not those in the trash), replace that tag with '{new}' (keep the other tags), "
        f"and file each of those notes in my notebook named exactly '{shelf}' (create it if I have none). The notes "
        f"tagged '{old}' that are in the trash: delete them for good.",
        Solution().step(look).step(act).step(purge).step(check).steps(),
        expectations,
    )


@scenario("notes_playlist_tracklist", apps=("notes", "music"))
def playlist_tracklist(view: WorldView, rng: random.Random) -> TaskSpec:
    """A playlist made party-ready: explicit songs and songs rated below 3 on average go (ratings read per song,
    unrated songs stay), then a tracklist note of what stays with artists and lengths; the answer counts removals."""
    playlists = view.rows(
        "SELECT p.id, p.owner_id, p.title FROM music_playlists p "
        "WHERE (SELECT COUNT(*) FROM music_playlists q WHERE q.owner_id = p.owner_id AND q.title = p.title) = 1 "
        "AND (SELECT COUNT(*) FROM music_playlist_songs s WHERE s.playlist_id = p.id) BETWEEN 14 AND 24 ORDER BY p.id"
    )
    songs_sql = (
        "SELECT ps.id AS row_id, s.id, s.title, s.explicit, s.duration_s, a.name AS artist, "
        "(SELECT AVG(r.rating) FROM music_reviews r WHERE r.song_id = s.id) AS rating FROM music_playlist_songs ps "
        "JOIN music_songs s ON s.id = ps.song_id JOIN music_artists a ON a.id = s.artist_id "
        "WHERE ps.playlist_id = ? ORDER BY ps.position, ps.id"
    )

    def dropped(song: dict[str, Any]) -> bool:
        return bool(song["explicit"]) or (song["rating"] is not None and round(song["rating"], 2) < 3)

    candidates = [p for p in playlists if 2 <= sum(dropped(s) for s in view.rows(songs_sql, p["id"])) <= 6]
    p = pick(rng, candidates, "playlist of 14-24 songs with a few to drop", distinct=True)
    songs = view.rows(songs_sql, p["id"])
    gone = [s for s in songs if dropped(s)]
    lines = [
        f"{s['title']} - {s['artist']} ({s['duration_s'] // 60}:{s['duration_s'] % 60:02d})"
        for s in songs
        if not dropped(s)
    ]
    note_title = f"{p['title']} tracklist"
    look = (
        login("music", "notes")
        + fetch_all("playlists", f"apis.music.show_playlists(access_token=music_token, query={p['title']!r}")
        + f"target = next(x for x in playlists if x['title'] == {p['title']!r})\n"
        + fetch_all(
            "songs", "apis.music.show_playlist_songs(access_token=music_token, playlist_id=target['playlist_id']"
        )
        + "print([(s['title'], s['explicit']) for s in songs])\n"
    )
    rate = (
        "ratings = {}\n"
        "for s in songs:\n"
        "    if not s['explicit']:\n"
        "        ratings[s['song_id']] = apis.music.show_song(song_id=s['song_id'])"
        "['average_rating']\n"
        "print(ratings)\n"
    )
    act = (
        "removed, kept = [], []\n"
        "for s in songs:\n"
        "    rating = ratings.get(s['song_id'])\n"
        "    if s['explicit'] or (rating is not None and rating < 3):\n"
        "        apis.music.remove_song_from_playlist(access_token=music_token, playlist_id=target['playlist_id'], "
        "song_id=s['song_id'])\n"
        "        removed.append(s)\n"
        "    else:\n"
        "        kept.append(s)\n"
        "lines = [f\"{s['title']} - {s['artist']} ({s['duration_s'] // 60}:{s['duration_s'] % 60:02d})\" "
        "for s in kept]\n"
        f"note = apis.notes.create_note(access_token=notes_token, title={note_title!r}, "
        "content='\\n'.join(lines))['note_id']\n"
    )
    check = (
        "print(apis.notes.show_note(access_token=notes_token, note_id=note)['content'])\n"
        + fetch_all(
            "left", "apis.music.show_playlist_songs(access_token=music_token, playlist_id=target['playlist_id']"
        )
        + "print(len(left))\n"
        "apis.supervisor.complete_task(answer=len(removed))\n"
    )
    return TaskSpec(
        p["owner_id"],
        f"Get my '{p['title']}' playlist ready for a party: remove every explicit song and every song whose average "
        "review rating is below 3 (songs nobody has rated stay). Then create a note titled "
        f"'{note_title}' listing the songs that remain, in playlist order, one per line as '<title> - <artist> "
        "(<m:ss>)'. Tell me how many songs you removed.",
        Solution().step(look).step(rate).step(act).step(check).steps(),
        [
            Deleted(
                "music_playlist_songs",
                frozenset(s["row_id"] for s in gone),
                f"the {len(gone)} explicit or poorly rated songs leave the playlist",
                what="playlist songs",
            ),
            Inserted(
                "notes_notes",
                new_note(p["owner_id"], note_title, InOrder(lines)),
                f"the note lists the {len(lines)} remaining songs with artists and lengths, in playlist order",
                what="notes",
            ),
            Answer(len(gone), f"the answer is how many songs were removed ({len(gone)})"),
        ],
    )


@scenario("notes_open_todos", apps=("notes", "todo"))
def open_todos(view: WorldView, rng: random.Random) -> TaskSpec:
    """A project's open to-dos in a note with their due dates, after closing the ones whose subtasks are all done
    (subtasks read per to-do); subtasks are not listed and a to-do with an open subtask stays open."""
    projects = view.rows(
        "SELECT p.id, p.owner_id, p.name FROM todo_projects p WHERE p.archived = 0 "
        "AND (SELECT COUNT(*) FROM todo_tasks t WHERE t.project_id = p.id AND t.completed = 0 AND t.parent_id IS NULL) "
        "BETWEEN 10 AND 18 AND EXISTS (SELECT 1 FROM todo_tasks t WHERE t.project_id = p.id AND t.completed = 0 "
        "AND t.parent_id IS NULL AND t.recurrence IS NULL "
        "AND EXISTS (SELECT 1 FROM todo_tasks s WHERE s.parent_id = t.id) "
        "AND NOT EXISTS (SELECT 1 FROM todo_tasks s WHERE s.parent_id = t.id AND s.completed = 0)) "
        "AND NOT EXISTS (SELECT 1 FROM todo_tasks t WHERE t.project_id = p.id AND t.recurrence IS NOT NULL "
        "AND t.parent_id IS NULL AND t.completed = 0) "
        "AND (SELECT COUNT(*) FROM todo_projects q WHERE q.owner_id = p.owner_id AND q.name = p.name) = 1 ORDER BY p.id"
    )
    p = pick(rng, projects, "project with a to-do whose subtasks are all done", distinct=True)
    tasks = view.rows(
        "SELECT t.id, t.title, t.due_date, t.priority, "
        "EXISTS (SELECT 1 FROM todo_tasks s WHERE s.parent_id = t.id) AS has_subs, "
        "EXISTS (SELECT 1 FROM todo_tasks s WHERE s.parent_id = t.id AND s.completed = 0) AS open_subs "
        "FROM todo_tasks t WHERE t.project_id = ? AND t.completed = 0 AND t.parent_id IS NULL ORDER BY t.id",
        p["id"],
    )
    done = [t for t in tasks if t["has_subs"] and not t["open_subs"]]
    late = view.rows(
        "SELECT id, title FROM todo_tasks WHERE project_id = ? AND completed = 0 AND parent_id IS NULL "
        "AND due_date < ? AND priority != 1 ORDER BY id",
        p["id"],
        TODAY,
    )
    done_ids = {t["id"] for t in done}
    lines = [
        f"{t['title']} (due {t['due_date']})" if t["due_date"] else f"{t['title']} (no due date)"
        for t in tasks
        if t not in done
    ]
    note_title = f"{p['name']} to-dos"
    look = (
        login("todo", "notes")
        + fetch_all("projects", f"apis.todo.show_projects(access_token=todo_token, query={p['name']!r}")
        + f"project = next(x for x in projects if x['name'] == {p['name']!r})\n"
        + fetch_all(
            "open_tasks",
            "apis.todo.search_tasks(access_token=todo_token, project_id=project['project_id'], completed=False",
        )
        + "open_tasks = [t for t in open_tasks if t['parent_task_id'] is None]\n"
        "print([(t['task_id'], t['title'], t['due_date']) for t in open_tasks])\n"
    )
    decide = (
        "finished, remaining = [], []\n"
        "for t in open_tasks:\n"
        + fetch_all("subs", "apis.todo.show_subtasks(access_token=todo_token, task_id=t['task_id']", indent="    ")
        + "    (finished if subs and all(s['completed'] for s in subs) else remaining).append(t)\n"
        "print([t['title'] for t in finished])\n"
    )
    act = (
        "for t in finished:\n"
        "    apis.todo.close_task(access_token=todo_token, task_id=t['task_id'])\n"
        "    apis.todo.add_task_comment(access_token=todo_token, task_id=t['task_id'], text='All subtasks done.')\n"
        "for t in remaining:\n"
        f"    if t['due_date'] and t['due_date'] < {TODAY!r} and t['priority'] != 1:\n"
        "        apis.todo.update_task(access_token=todo_token, task_id=t['task_id'], priority=1)\n"
        "lines = [f\"{t['title']} (due {t['due_date']})\" if t['due_date'] else f\"{t['title']} (no due date)\" "
        "for t in remaining]\n"
        f"note = apis.notes.create_note(access_token=notes_token, title={note_title!r}, content='\\n'.join(lines), "
        "tags=['work'])['note_id']\n"
    )
    check = (
        "print(apis.notes.show_note(access_token=notes_token, note_id=note)['content'])\n"
        "print(apis.todo.show_project(access_token=todo_token, project_id=project['project_id'])['open_tasks'])\n"
        + DONE
    )
    return TaskSpec(
        p["owner_id"],
        f"Go through the open to-dos of my '{p['name']}' project. A to-do that has subtasks, all of them done, is "
        "finished: close it and comment on it 'All subtasks done.'. Any other open to-do of it due before "
        f"{TODAY} gets priority 1. Then make a note titled '{note_title}', tagged 'work', listing the to-dos of that "
        "project still open (not their subtasks), one per line as '<title> (due YYYY-MM-DD)', or '<title> (no due "
        "date)' when it has none.",
        Solution().step(look).step(decide).step(act).step(check).steps(),
        [
            *(
                Updated("todo_tasks", t["id"], {"completed": 1, "completed_at": NOW}, f"'{t['title']}' is closed")
                for t in done
            ),
            *(
                Inserted(
                    "todo_comments",
                    {"task_id": t["id"], "owner_id": p["owner_id"], "text": "All subtasks done."},
                    f"the closed to-do '{t['title']}' is commented 'All subtasks done.'",
                    what=f"comments on '{t['title']}'",
                )
                for t in done
            ),
            *(
                Updated("todo_tasks", t["id"], {"priority": 1}, f"the overdue to-do '{t['title']}' gets priority 1")
                for t in late
                if t["id"] not in done_ids
            ),
            Inserted(
                "notes_notes",
                new_note(p["owner_id"], note_title, HasLines(lines), tags="work"),
                f"the note lists the {len(lines)} to-dos still open with their due dates, tagged work",
                what="notes",
            ),
        ],
    )


@scenario("notes_share_with_roommates", apps=("notes", "phone"))
def share_with_roommates(view: WorldView, rng: random.Random) -> TaskSpec:
    """Every note tagged 'home' shared for editing with every roommate in my contacts (shares read per note: a view
    share is upgraded, an edit share left); each roommate then gets a text counting the notes."""
    owners = view.rows(
        "SELECT c.owner_id FROM phone_contacts c JOIN people f ON f.email = c.email WHERE c.relationship = 'roommate' "
        "AND (SELECT COUNT(*) FROM notes_notes n WHERE n.owner_id = c.owner_id AND n.trashed_at IS NULL "
        "AND instr(',' || n.tags || ',', ',home,') > 0) BETWEEN 5 AND 12 GROUP BY c.owner_id HAVING COUNT(*) = 2 "
        "ORDER BY c.owner_id"
    )
    owner = pick(rng, owners, "owner with two roommates and home notes", distinct=True)["owner_id"]
    notes = view.rows(
        "SELECT id, title FROM notes_notes WHERE owner_id = ? AND trashed_at IS NULL "
        "AND instr(',' || tags || ',', ',home,') > 0 ORDER BY id",
        owner,
    )
    roommates = view.rows(
        "SELECT f.id, f.email, c.first_name, c.phone_number FROM phone_contacts c JOIN people f ON f.email = c.email "
        "WHERE c.owner_id = ? AND c.relationship = 'roommate' ORDER BY f.id",
        owner,
    )
    message = f"Hi! I shared my {len(notes)} home notes with you, you can edit them."
    look = (
        login("phone", "notes")
        + fetch_all("roommates", "apis.phone.search_contacts(access_token=phone_token, relationship='roommate'")
        + fetch_all("home", "apis.notes.search_notes(access_token=notes_token, tag='home'")
        + "print([r['email'] for r in roommates], [n['title'] for n in home])\n"
    )
    decide = (
        "shares = {}\n"
        "for n in home:\n"
        "    shares[n['note_id']] = {s['email']: s['permission'] for s in "
        "apis.notes.show_note_shares(access_token=notes_token, note_id=n['note_id'])}\n"
        "print(shares)\n"
    )
    act = (
        "for n in home:\n"
        "    for r in roommates:\n"
        "        if shares[n['note_id']].get(r['email']) != 'edit':\n"
        "            apis.notes.share_note(access_token=notes_token, note_id=n['note_id'], email=r['email'], "
        "permission='edit')\n"
        "for r in roommates:\n"
        "    apis.phone.send_text_message(access_token=phone_token, phone_number=r['phone_number'], "
        "message=f'Hi! I shared my {len(home)} home notes with you, you can edit them.')\n"
    )
    check = "print(apis.notes.show_note_shares(access_token=notes_token, note_id=home[0]['note_id']))\n" + DONE
    expectations: list[Expectation] = []
    for n in notes:
        for r in roommates:
            share = view.rows(
                "SELECT id, permission FROM notes_shares WHERE note_id = ? AND person_id = ?", n["id"], r["id"]
            )
            if not share:
                expectations.append(
                    Inserted(
                        "notes_shares",
                        {"note_id": n["id"], "person_id": r["id"], "permission": "edit", "shared_at": NOW},
                        f"'{n['title']}' is shared with {r['email']} (edit)",
                        what=f"shares of '{n['title']}' with {r['email']}",
                    )
                )
            elif share[0]["permission"] != "edit":
                expectations.append(
                    Updated(
                        "notes_shares",
                        share[0]["id"],
                        {"permission": "edit"},
                        f"{r['email']} may now edit '{n['title']}'",
                    )
                )
    expectations += [
        Inserted(
            "phone_messages",
            {"sender_id": owner, "receiver_id": r["id"], "message": HasLines([message]), "is_read": 0},
            f"{r['first_name']} gets a text saying {len(notes)} home notes were shared",
            what=f"texts to {r['first_name']}",
        )
        for r in roommates
    ]
    return TaskSpec(
        owner,
        "Share every note of mine tagged 'home' (not those in the trash) with every roommate in my phone contacts, "
        "letting them edit (a note already shared with one of them for viewing only gets edit permission). Then text "
        f'each roommate: "{message.replace(str(len(notes)), "<number of home notes>")}".',
        Solution().step(look).step(decide).step(act).step(check).steps(),
        expectations,
    )


@scenario("notes_log_last_order", apps=("notes", "shop"))
def log_last_order(view: WorldView, rng: random.Random) -> TaskSpec:
    """My shop orders since a date logged as checklist items of a note (look-alike titles around it), oldest first,
    ticked when delivered (cancelled orders are distractors), the last one also named in the note's text (its old
    text kept as a version); the answer is the orders' sum."""
    since = rng.choice(["2025-07-01", "2025-08-01", "2025-09-01"])
    orders_sql = (
        "SELECT id, total, status, created_at FROM shop_orders WHERE owner_id = ? AND created_at >= ? "
        "AND status != 'cancelled' ORDER BY created_at, id"
    )
    notes = [
        n
        for n in lookalike_notes(view)
        if 14 <= len(view.rows(orders_sql, n["owner_id"], since)) <= 22
        and view.rows("SELECT 1 FROM shop_orders WHERE owner_id = ? AND status = 'cancelled'", n["owner_id"])
    ]
    n = pick(rng, notes, "note with a look-alike title, of a busy shopper", distinct=True)
    owner = n["owner_id"]
    orders = view.rows(orders_sql, owner, since)
    returned: dict[int, str] = {}
    for r in view.rows(
        "SELECT r.order_id, r.status FROM shop_returns r JOIN shop_orders o ON o.id = r.order_id "
        "WHERE o.owner_id = ? ORDER BY r.created_at, r.id",
        owner,
    ):
        returned[r["order_id"]] = r["status"]
    last = orders[-1]
    line = f"Last order: {last['id']} on {last['created_at'][:10]}"
    content = n["content"]
    top = view.value("SELECT COALESCE(MAX(position), 0) FROM notes_checklist_items WHERE note_id = ?", n["id"])
    total = round(sum(o["total"] for o in orders), 2)
    look = (
        login("shop", "notes")
        + fetch_all(
            "orders", f"apis.shop.show_orders(access_token=shop_token, start_date={since!r}, sort_by='created_at'"
        )
        + "orders = [o for o in orders if o['status'] != 'cancelled']\n"
        "print([(o['order_id'], o['created_at'], o['status'], o['total']) for o in orders])\n"
        + fetch_all("found", f"apis.notes.search_notes(access_token=notes_token, query={n['title']!r}")
        + "print([(x['note_id'], x['title']) for x in found])\n"
        + f"note = next(x for x in found if x['title'] == {n['title']!r})\n"
        + fetch_all("returns", "apis.shop.show_returns(access_token=shop_token")
        + "returned = {}\n"
        "for r in sorted(returns, key=lambda r: (r['created_at'], r['return_id'])):\n"
        "    returned[r['order_id']] = r['status']\n"
        "print(returned)\n"
    )
    act = (
        "for o in orders:\n"
        "    text = f\"Order {o['order_id']} ({o['created_at'][:10]}): ${o['total']:.2f}\"\n"
        "    if o['order_id'] in returned:\n"
        "        text += f\" - return {returned[o['order_id']]}\"\n"
        "    apis.notes.add_checklist_item(access_token=notes_token, note_id=note['note_id'], text=text, "
        "checked=o['status'] == 'delivered')\n"
        "last = orders[-1]\n"
        "apis.notes.append_to_note(access_token=notes_token, note_id=note['note_id'], "
        "text=f\"Last order: {last['order_id']} on {last['created_at'][:10]}\")\n"
    )
    check = (
        fetch_all("items", "apis.notes.show_checklist(access_token=notes_token, note_id=note['note_id']")
        + "print(items[-3:])\n"
        "print(apis.notes.show_note(access_token=notes_token, note_id=note['note_id'])['content'][-80:])\n"
        "apis.supervisor.complete_task(answer=round(sum(o['total'] for o in orders), 2))\n"
    )
    expectations: list[Expectation] = [
        Inserted(
            "notes_checklist_items",
            {
                "note_id": n["id"],
                "text": f"Order {o['id']} ({o['created_at'][:10]}): ${o['total']:.2f}"
                + (f" - return {returned[o['id']]}" if o["id"] in returned else ""),
                "checked": int(o["status"] == "delivered"),
                "position": float(int(top) + k),
                "created_at": NOW,
            },
            f"order {o['id']} is item {k} of the new ones, {'ticked' if o['status'] == 'delivered' else 'unticked'}",
            what=f"checklist items of order {o['id']}",
        )
        for k, o in enumerate(orders, start=1)
    ]
    expectations += [
        Updated(
            "notes_notes",
            n["id"],
            {"content": f"{content}\n{line}" if content else line, "updated_at": NOW},
            f"the note's text ends with the line {line!r}",
        ),
        Inserted(
            "notes_versions",
            {
                "note_id": n["id"],
                "owner_id": owner,
                "title": n["title"],
                "content": content,
                "saved_at": n["updated_at"],
            },
            "the text before the change is kept as a version",
            what="versions",
        ),
        Answer(total, f"the answer is the orders' sum ({total:.2f})"),
    ]
    return TaskSpec(
        owner,
        f"Log my shop orders placed since {since} (cancelled ones left out) in my note titled exactly '{n['title']}': "
        "add one checklist item per order, oldest first, written 'Order <id> (YYYY-MM-DD): $<total>' (two decimals), "
        "followed by ' - return <status of my latest return request on it>' if I asked to return something from it, "
        "ticked if it was delivered. Then add the line 'Last order: <id> on YYYY-MM-DD' for the most recent one at "
        "the end of the note's text. Tell me what those orders add up to.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )


@scenario("notes_top_artists_note", apps=("notes", "music"))
def top_artists_note(view: WorldView, rng: random.Random) -> TaskSpec:
    """A year's top 5 artists in a Journal note (created if missing), each with the song of theirs I played most
    that year (song stats over every page), and each of those songs liked unless it already is (likes over pages)."""
    year = rng.choice([2024, 2025])
    since, until = f"{year}-01-01", f"{year + 1}-01-01"
    candidates = [(p, top) for p in view.people_ids() if (top := top_artists(view, p, since, until, 5))]
    owner, top = pick(rng, candidates, f"listener with a clear top 5 of {year}", distinct=True)
    best: dict[str, dict[str, Any]] = {}
    for r in top:
        best[r["artist"]] = view.row(
            "SELECT s.id, s.title, COUNT(*) AS plays FROM music_history h JOIN music_songs s ON s.id = h.song_id "
            "WHERE h.owner_id = ? AND h.played_at >= ? AND h.played_at < ? AND s.artist = ? GROUP BY s.id "
            "ORDER BY plays DESC, s.id LIMIT 1",
            owner,
            since,
            until,
            r["artist"],
        )
    liked = {r["song_id"] for r in view.rows("SELECT song_id FROM music_likes WHERE owner_id = ?", owner)}
    kept = {r["song_id"] for r in view.rows("SELECT song_id FROM music_library WHERE owner_id = ?", owner)}
    books = view.rows("SELECT id FROM notes_notebooks WHERE owner_id = ? AND name = 'Journal'", owner)
    journal = books[0]["id"] if books else None
    title = f"Top artists of {year}"
    content = "\n".join(f"{r['artist']}: {r['plays']} plays, most played: {best[r['artist']]['title']}" for r in top)
    look = (
        login("music", "notes")
        + fetch_all(
            "stats",
            f"apis.music.show_listening_stats(access_token=music_token, group_by='artist', since={since!r}, "
            f"until={until!r}",
        )
        + "print(stats[:6])\n"
        + fetch_all(
            "songs",
            f"apis.music.show_listening_stats(access_token=music_token, group_by='song', since={since!r}, "
            f"until={until!r}",
        )
        + "print(len(songs))\n"
    )
    pick_songs = (
        "top = stats[:5]\n"
        "best = {}\n"
        "for s in songs:  # most plays first, so the first song of an artist is their most played\n"
        "    if s['artist'] in [t['artist'] for t in top] and s['artist'] not in best:\n"
        "        best[s['artist']] = s\n"
        + fetch_all("liked", "apis.music.show_liked_songs(access_token=music_token")
        + "liked_ids = {s['song_id'] for s in liked}\n"
        "print({a: (s['title'], s['song_id'] in liked_ids) for a, s in best.items()})\n"
    )
    act = (
        "for s in best.values():\n"
        "    if s['song_id'] not in liked_ids:\n"
        "        apis.music.like_song(access_token=music_token, song_id=s['song_id'])\n"
        "    mine = apis.music.show_song_library(access_token=music_token, query=s['title'], artist=s['artist'], "
        "page_limit=20)\n"
        "    if all(m['song_id'] != s['song_id'] for m in mine):\n"
        "        apis.music.add_song_to_library(access_token=music_token, song_id=s['song_id'])\n"
        + fetch_all("books", "apis.notes.show_notebooks(access_token=notes_token, query='Journal'")
        + "journal = next((b['notebook_id'] for b in books if b['name'] == 'Journal'), None)\n"
        "if journal is None:\n"
        "    journal = apis.notes.create_notebook(access_token=notes_token, name='Journal')['notebook_id']\n"
        "text = '\\n'.join(f\"{t['artist']}: {t['plays']} plays, most played: {best[t['artist']]['title']}\" "
        "for t in top)\n"
        f"note = apis.notes.create_note(access_token=notes_token, title={title!r}, content=text, "
        "notebook_id=journal)['note_id']\n"
    )
    check = "print(apis.notes.show_note(access_token=notes_token, note_id=note)['content'])\n" + DONE
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
            f"a note '{title}' in the Journal notebook lists the top 5 with their most played songs: {content!r}",
            what="notes",
        )
    )
    expectations += [
        Inserted(
            "music_likes",
            {"owner_id": owner, "song_id": s["id"]},
            f"'{s['title']}' ({artist}'s most played) is liked",
            what=f"likes of '{s['title']}'",
        )
        for artist, s in best.items()
        if s["id"] not in liked
    ]
    expectations += [
        Inserted(
            "music_library",
            {"owner_id": owner, "song_id": s["id"], "added_at": NOW},
            f"'{s['title']}' ({artist}'s most played) is added to my library",
            what=f"library entries of '{s['title']}'",
        )
        for artist, s in best.items()
        if s["id"] not in kept
    ]
    return TaskSpec(
        owner,
        f"Make a note titled '{title}' in my 'Journal' notebook (create the notebook if I have none) listing my 5 most "
        f"played music artists of {year} (by plays in my music listening history), most played first with ties by "
        "name, one per line written as 'Artist: N plays, most played: <title of their song I played most that "
        "year>' (ties between songs: the one the song stats list first). Also like each of those five songs unless "
        "I already do, and add each to my song library unless it is there.",
        Solution().step(look).step(pick_songs).step(act).step(check).steps(),
        expectations,
    )
