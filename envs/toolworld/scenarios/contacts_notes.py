"""Scenarios writing notes from the phone: call-time summaries, voicemail digests, coworkers by company, blocked
callers."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from typing import Any

from envs.toolworld.evaluate import Answer, Deleted, Expectation, HasLines, Inserted, NewRow, Updated
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios._rows import new_note
from envs.toolworld.scenarios.contacts_calendar import called_back, contact_names
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

MONTHS = {"2026-02": "February 2026", "2026-03": "March 2026", "2026-04": "April 2026"}
NEXT_MONTH = {"2026-02": "2026-03-01", "2026-03": "2026-04-01", "2026-04": "2026-05-01"}
CONTACT_NAMES = fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token") + (
    "names = {}\n"
    "for c in sorted(contacts, key=lambda c: c['contact_id']):\n"
    "    names.setdefault(c['phone_number'], c['first_name'] + ' ' + c['last_name'])\n"
)


def existing_or_new(
    view: WorldView, table: str, owner: int, name: str, defaults: dict[str, Any], what: str
) -> tuple[Any, list[Expectation]]:
    """The id of my `table` row named `name` if it exists, else a NewRow matcher for it and the expectation that it
    is created with `defaults` (e.g. a notebook or a project the instruction says to create when missing)."""
    found = view.rows(f"SELECT id FROM {table} WHERE owner_id = ? AND name = ?", owner, name)
    if found:
        return found[0]["id"], []
    match = {"owner_id": owner, "name": name, **defaults}
    return NewRow(table, match), [Inserted(table, match, f"a {what} '{name}' is created", what=f"{what}s")]


def notebook_step(name: str) -> str:
    """Oracle code that finds my notebook named exactly `name` (look-alikes exist), creating it when missing."""
    return (
        fetch_all("notebooks", f"apis.notes.show_notebooks(access_token=notes_token, query={name!r}")
        + f"notebook_id = next((b['notebook_id'] for b in notebooks if b['name'] == {name!r}), None)\n"
        "if notebook_id is None:\n"
        f"    notebook_id = apis.notes.create_notebook(access_token=notes_token, name={name!r})['notebook_id']\n"
    )


def notebook(view: WorldView, owner: int, name: str) -> tuple[Any, list[Expectation]]:
    return existing_or_new(view, "notes_notebooks", owner, name, {"description": ""}, "notebook")


def talk_seconds(view: WorldView, owner: int, month: str) -> dict[str, int]:
    """Contact's number -> seconds talked (answered calls either way) in `month`."""
    names = contact_names(view, owner)
    total: Counter[str] = Counter()
    for call in view.rows(
        "SELECT phone_number, duration_seconds FROM phone_calls WHERE owner_id = ? AND direction != 'missed' "
        "AND started_at >= ? AND started_at < ?",
        owner,
        f"{month}-01",
        NEXT_MONTH[month],
    ):
        if call["phone_number"] in names:
            total[call["phone_number"]] += call["duration_seconds"]
    return dict(total)


def texts_between(view: WorldView, owner: int, number: str, start: str, end: str) -> int:
    """How many texts on my phone I exchanged (either way) with `number` from `start` to before `end`."""
    return int(
        view.value(
            "SELECT COUNT(*) FROM phone_messages m JOIN people p ON p.phone_number = ? WHERE m.sent_at >= ? AND "
            "m.sent_at < ? AND ((m.sender_id = ? AND m.receiver_id = p.id) OR (m.sender_id = p.id AND "
            "m.receiver_id = ?)) AND m.id NOT IN (SELECT message_id FROM phone_deleted_messages WHERE owner_id = ?)",
            number,
            start,
            end,
            owner,
            owner,
            owner,
        )
    )


FAVORITE_MINUTES = 20


def first_contacts(view: WorldView, owner: int) -> dict[str, dict[str, Any]]:
    """Phone number -> the contact row it shows as (the first saved), as contact_names names them."""
    rows: dict[str, dict[str, Any]] = {}
    for c in view.rows("SELECT * FROM phone_contacts WHERE owner_id = ? ORDER BY id", owner):
        rows.setdefault(c["phone_number"], c)
    return rows


@scenario("contacts_call_time_note", apps=("phone", "notes"))
def call_time_note(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep: each line also counts the month's texts with that contact (texts read per contact: the call log has
    none), and contacts talked to 20+ minutes become favourites unless they are already (some are): both rest on
    per-contact data; callers not in my contacts and missed calls are distractors."""
    month = rng.choice(sorted(MONTHS))
    candidates = []
    for person in view.people_ids():
        totals = talk_seconds(view, person, month)
        ranked = sorted(totals.values(), reverse=True)
        names = contact_names(view, person)
        if len(ranked) < 6 or ranked[0] == ranked[1] or len({names[n] for n in totals}) < len(totals):
            continue  # fewer than 6 (texts read per contact), a tie at the top, or two numbers saved under one name
        contacts = first_contacts(view, person)
        top = max(totals, key=lambda n: totals[n])
        reachable = view.rows("SELECT id FROM people WHERE phone_number = ?", top)  # a person, not a shop
        if (
            reachable
            and any(not contacts[n]["is_favorite"] and s >= FAVORITE_MINUTES * 60 for n, s in totals.items())
            and any(texts_between(view, person, n, f"{month}-01", NEXT_MONTH[month]) for n in totals)
        ):
            candidates.append(person)
    owner = pick(
        rng, candidates, f"person who talked to 6+ contacts in {month}, one 20+ minutes, one texted", distinct=True
    )
    totals = talk_seconds(view, owner, month)
    contacts = first_contacts(view, owner)
    names = contact_names(view, owner)
    start, end = f"{month}-01", NEXT_MONTH[month]
    texts = {n: texts_between(view, owner, n, start, end) for n in totals}
    lines = [f"{names[n]}: {seconds // 60} min, {texts[n]} texts" for n, seconds in totals.items()]
    new_favorites = sorted(
        (n for n, s in totals.items() if s >= FAVORITE_MINUTES * 60 and not contacts[n]["is_favorite"]),
        key=lambda n: names[n],
    )
    top_number = max(totals, key=lambda n: totals[n])
    top = names[top_number]
    title = f"Calls in {MONTHS[month]}"
    thanks = f"Great talking to you in {MONTHS[month].split()[0]}!"
    book, book_expectations = notebook(view, owner, "Personal")
    look = (
        fetch_all(
            "calls",
            f"apis.phone.show_call_history(access_token=phone_token, started_after={start!r}, started_before={end!r}",
        )
        + fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token")
        + "names, saved = {}, {}\n"
        "for c in sorted(contacts, key=lambda c: c['contact_id']):\n"
        "    if c['phone_number'] not in saved:\n"
        "        saved[c['phone_number']] = c\n"
        "        names[c['phone_number']] = c['first_name'] + ' ' + c['last_name']\n"
        "print(len(calls), 'calls')\n"
    )
    compute = (
        "seconds = {}\n"
        "for call in calls:\n"
        "    if call['direction'] != 'missed' and call['phone_number'] in names:\n"
        "        seconds[call['phone_number']] = seconds.get(call['phone_number'], 0) + call['duration_seconds']\n"
        "top_number = max(seconds, key=seconds.get)\n"
        "print({names[n]: s for n, s in seconds.items()})\n"
    )
    count_texts = (
        "texts = {}\n"
        "for number in seconds:\n"
        + fetch_all(
            "found",
            "apis.phone.search_text_messages(access_token=phone_token, phone_number=number, "
            f"sent_after={start!r}, sent_before={end!r}",
            indent="    ",
        )
        + "    texts[number] = len(found)\n"
        "lines = [f'{names[n]}: {s // 60} min, {texts[n]} texts' for n, s in seconds.items()]\n"
        "print(lines)\n"
    )
    act = notebook_step("Personal") + (
        f"made = apis.notes.create_note(access_token=notes_token, title={title!r}, content='\\n'.join(lines), "
        "tags=['calls'], notebook_id=notebook_id)\n"
        "print(apis.notes.show_note(access_token=notes_token, note_id=made['note_id']))\n"
        "for number, s in seconds.items():\n"
        f"    if s >= {FAVORITE_MINUTES * 60} and not saved[number]['is_favorite']:\n"
        "        apis.phone.favorite_contact(access_token=phone_token, contact_id=saved[number]['contact_id'])\n"
        f"apis.phone.send_text_message(access_token=phone_token, phone_number=top_number, message={thanks!r})\n"
        + fetch_all("favorites", "apis.phone.search_contacts(access_token=phone_token, is_favorite=True")
        + "print([c['first_name'] + ' ' + c['last_name'] for c in favorites])\n"
    )
    oracle = (
        Solution()
        .step(login("phone", "notes"))
        .step(look)
        .step(compute)
        .step(count_texts)
        .step(act)
        .step("apis.supervisor.complete_task(answer=names[top_number])\n")
        .steps()
    )
    expectations: list[Expectation] = [
        Inserted(
            "notes_notes",
            new_note(owner, title, HasLines(lines), tags="calls", notebook_id=book),
            f"the note '{title}' lists talk time and texts per contact, in my Personal notebook",
            what="call-time notes",
        ),
        *book_expectations,
        Inserted(
            "phone_messages",
            {
                "sender_id": owner,
                "receiver_id": view.value("SELECT id FROM people WHERE phone_number = ?", top_number),
                "message": thanks,
                "is_read": 0,
            },
            f"{top} gets the text",
            what="thank-you texts",
        ),
    ]
    expectations += [
        Updated(
            "phone_contacts",
            contacts[n]["id"],
            {"is_favorite": 1},
            f"{names[n]} ({totals[n] // 60} min) becomes a favourite",
        )
        for n in new_favorites
    ]
    expectations.append(Answer(top, f"the answer is {top}, the longest talk time in {MONTHS[month]}"))
    return TaskSpec(
        owner,
        f"Make a note titled '{title}', tagged 'calls', with one line per contact I talked to on the phone in "
        f"{MONTHS[month]} (answered calls, incoming and outgoing): '<name as saved in my contacts>: <N> min, <M> "
        "texts', N being the total talk time in whole minutes, rounded down, and M the number of text messages we "
        f"exchanged (either way) in {MONTHS[month]}. Leave out callers not in my contacts. Put it in my "
        f"notebook named exactly 'Personal' (create it if missing). Make each of them I talked to "
        f"{FAVORITE_MINUTES} minutes or more a favourite in my contacts (if not one already). Text the person I "
        f"talked to the longest '{thanks}' and tell me their name.",
        oracle,
        expectations,
    )


CALLED_BACK = " (called back)"


@scenario("contacts_voicemail_digest_note", apps=("phone", "notes"))
def voicemail_digest_note(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep: whether I called each caller back after a voicemail is only in the call log (outgoing calls read per
    caller), and it decides both the line's mark and the note's checklist of contacts still to call; callers not
    in my contacts get no checklist item; older voicemails stay unheard. A busy box (7-14 voicemails from 6+
    callers, robocallers ringing again among them) makes that a call-log read for each of its callers."""
    since = rng.choice(["2026-01-01", "2025-12-01", "2025-11-01"])
    pool = []
    for r in view.rows(
        "SELECT owner_id FROM phone_voicemails WHERE left_at >= ? GROUP BY owner_id "
        "HAVING COUNT(*) BETWEEN 7 AND 14 AND COUNT(DISTINCT phone_number) >= 6 AND SUM(is_heard = 0) >= 1 "
        "ORDER BY owner_id",
        since,
    ):
        returned = [
            called_back(view, r["owner_id"], m["phone_number"], m["left_at"])
            for m in view.rows(
                "SELECT * FROM phone_voicemails WHERE owner_id = ? AND left_at >= ?", r["owner_id"], since
            )
        ]
        if any(returned) and not all(returned):
            pool.append(r["owner_id"])
    owner = pick(rng, pool, "person with recent voicemails, some unheard, some called back", distinct=True)
    names = contact_names(view, owner)
    mails = view.rows(
        "SELECT * FROM phone_voicemails WHERE owner_id = ? AND left_at >= ? ORDER BY left_at DESC", owner, since
    )
    lines = [
        f"{m['left_at'][:10]} {names.get(m['phone_number'], m['phone_number'])}: {m['transcript']}"
        + (CALLED_BACK if called_back(view, owner, m["phone_number"], m["left_at"]) else "")
        for m in mails
    ]
    latest = {m["phone_number"]: m for m in reversed(mails)}  # each caller's latest voicemail
    to_call = sorted(
        names[n] for n, m in latest.items() if n in names and not called_back(view, owner, n, m["left_at"])
    )
    unknown = sum(m["phone_number"] not in names for m in mails)
    title = f"Voicemails since {since}"
    book, book_expectations = notebook(view, owner, "Phone")
    look = (
        fetch_all("mails", "apis.phone.show_voicemails(access_token=phone_token")
        + CONTACT_NAMES
        + f"recent = [m for m in mails if m['left_at'] >= {since!r}]\nprint(len(mails), len(recent))\n"
    )
    calls = (
        "outgoing = {}\n"
        "for number in sorted({m['phone_number'] for m in recent}):\n"
        "    first = min(m['left_at'] for m in recent if m['phone_number'] == number)\n"
        + fetch_all(
            "found",
            "apis.phone.show_call_history(access_token=phone_token, phone_number=number, direction='outgoing', "
            "started_after=first[:10]",
            indent="    ",
        )
        + "    outgoing[number] = [c['started_at'] for c in found]\n"
        "def returned(m):\n"
        "    return any(when > m['left_at'] for when in outgoing[m['phone_number']])\n"
        "print(outgoing)\n"
    )
    act = (
        "lines = [m['left_at'][:10] + ' ' + names.get(m['phone_number'], m['phone_number']) + ': ' + m['transcript'] "
        f"+ ({CALLED_BACK!r} if returned(m) else '') for m in recent]\n"
        "latest = {}\n"
        "for m in sorted(recent, key=lambda m: m['left_at']):\n"
        "    latest[m['phone_number']] = m\n"
        "to_call = sorted(names[n] for n, m in latest.items() if n in names and not returned(m))\n"
        + notebook_step("Phone")
        + f"note_id = apis.notes.create_note(access_token=notes_token, title={title!r}, content='\\n'.join(lines), "
        "notebook_id=notebook_id, pinned=True)['note_id']\n"
        "for name in to_call:\n"
        "    apis.notes.add_checklist_item(access_token=notes_token, note_id=note_id, text='Call back ' + name)\n"
        "for m in recent:\n"
        "    if not m['is_heard']:\n"
        "        apis.phone.mark_voicemail_heard(access_token=phone_token, voicemail_id=m['voicemail_id'])\n"
    )
    check = (
        "print(apis.notes.show_checklist(access_token=notes_token, note_id=note_id, page_limit=20))\n"
        "print(apis.phone.show_voicemails(access_token=phone_token, unheard_only=True, page_limit=20))\n"
        "unknown = sum(m['phone_number'] not in names for m in recent)\n"
    )
    oracle = (
        Solution()
        .step(login("phone", "notes"))
        .step(look)
        .step(calls)
        .step(act)
        .step(check)
        .step("apis.supervisor.complete_task(answer=unknown)\n")
        .steps()
    )
    note = new_note(owner, title, HasLines(lines), notebook_id=book, pinned=1)
    expectations: list[Expectation] = [
        Inserted(
            "notes_notes",
            note,
            f"the pinned note '{title}' lists the {len(lines)} voicemails (marked when called back), in my Phone "
            "notebook",
            what="voicemail notes",
        ),
        *book_expectations,
    ]
    expectations += [
        Inserted(
            "notes_checklist_items",
            {
                "note_id": NewRow("notes_notes", note),
                "text": f"Call back {name}",
                "checked": 0,
                "position": i,
                "created_at": WORLD_NOW.isoformat(timespec="seconds"),
            },
            f"item {i} of the note's checklist is an unticked 'Call back {name}' ({name} is not called back yet)",
            what=f"checklist items for {name} at {i}",
        )
        for i, name in enumerate(to_call, 1)
    ]
    expectations += [
        Updated("phone_voicemails", m["id"], {"is_heard": 1}, f"the voicemail of {m['left_at'][:10]} is marked heard")
        for m in mails
        if not m["is_heard"]
    ]
    expectations.append(Answer(unknown, f"the answer is {unknown}, the voicemails from numbers not in my contacts"))
    return TaskSpec(
        owner,
        f"Make a pinned note titled '{title}' in my 'Phone' notebook (create it if missing), with one line per "
        f"voicemail left since {since}: "
        "'<YYYY-MM-DD> <caller>: <transcript>', the caller being the name saved in my contacts, or the number if "
        f"they are not in my contacts, and the line ending in '{CALLED_BACK}' when I called that number (an outgoing "
        "call) after that voicemail. Give the note a checklist with one unticked item 'Call back <First Last>' for "
        "each caller in my contacts whose latest of these voicemails I have not called back, in alphabetical "
        "order. Then mark those voicemails I have not heard yet as heard (older ones stay as they are). "
        "Tell me how many of them came from numbers not in my contacts.",
        oracle,
        expectations,
    )


def talked_since(view: WorldView, owner: int, number: str, since: str) -> bool:
    """Whether I had an answered call (either way) or a text (either way, not deleted on my phone) with `number`
    since `since`."""
    if view.value(
        "SELECT COUNT(*) FROM phone_calls WHERE owner_id = ? AND phone_number = ? AND direction != 'missed' "
        "AND started_at >= ?",
        owner,
        number,
        since,
    ):
        return True
    return bool(
        view.value(
            "SELECT COUNT(*) FROM phone_messages m JOIN people p ON p.phone_number = ? WHERE m.sent_at >= ? AND "
            "((m.sender_id = ? AND m.receiver_id = p.id) OR (m.sender_id = p.id AND m.receiver_id = ?)) AND m.id NOT "
            "IN (SELECT message_id FROM phone_deleted_messages WHERE owner_id = ?)",
            number,
            since,
            owner,
            owner,
            owner,
        )
    )


COFFEE = "Hi {first}, it has been a while! Coffee next week?"
QUIET_SINCE = ("2026-04-01", "2026-03-15", "2026-04-15")


def coworker_rows(view: WorldView, owner: int) -> list[dict[str, Any]]:
    """My coworker contacts with a company (first saved first)."""
    return view.rows(
        "SELECT first_name, last_name, phone_number, company FROM phone_contacts WHERE owner_id = ? "
        "AND relationship = 'coworker' AND company IS NOT NULL ORDER BY id",
        owner,
    )


@scenario("contacts_coworkers_by_company_note", apps=("phone", "notes"))
def coworkers_by_company_note(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep: who gets the coffee text rests on each coworker's calls and texts since a date (read per coworker:
    the contact list has neither), some talked to and some not; look-alike notebooks ('Work (old)') and coworkers
    without a company are distractors. Owners with 5-6 coworkers (the most the world's relations give) are asked."""
    since = QUIET_SINCE[getattr(rng, "variant", 0) % len(QUIET_SINCE)]
    pool = []
    for r in view.rows(
        "SELECT owner_id FROM phone_contacts WHERE relationship = 'coworker' AND company IS NOT NULL "
        "GROUP BY owner_id HAVING COUNT(DISTINCT company) >= 2 AND COUNT(*) >= 5 ORDER BY owner_id"
    ):
        talked = [
            talked_since(view, r["owner_id"], c["phone_number"], since) for c in coworker_rows(view, r["owner_id"])
        ]
        if any(talked) and not all(talked):
            pool.append(r["owner_id"])
    owner = pick(rng, pool, f"5+ coworkers at 2+ companies, some talked to since {since}", distinct=True)
    coworkers = coworker_rows(view, owner)
    by_company: dict[str, list[str]] = defaultdict(list)
    for c in coworkers:
        by_company[c["company"]].append(f"{c['first_name']} {c['last_name']}")
    lines = [f"{company}: {', '.join(sorted(names))}" for company, names in by_company.items()]
    biggest = max(by_company, key=lambda c: (len(by_company[c]), c))
    ties = [c for c in by_company if len(by_company[c]) == len(by_company[biggest])]
    quiet = [c for c in coworkers if not talked_since(view, owner, c["phone_number"], since)]
    book, book_expectations = notebook(view, owner, "Work")
    look = (
        fetch_all("coworkers", "apis.phone.search_contacts(access_token=phone_token, relationship='coworker'")
        + "coworkers = [c for c in coworkers if c['company']]\n"
        "groups = {}\n"
        "for c in coworkers:\n"
        "    groups.setdefault(c['company'], []).append(c['first_name'] + ' ' + c['last_name'])\n"
        "lines = [company + ': ' + ', '.join(sorted(names)) for company, names in sorted(groups.items())]\n"
        "print(lines)\n"
    )
    act = (
        notebook_step("Work") + "made = apis.notes.create_note(access_token=notes_token, title='Coworkers by company', "
        "content='\\n'.join(lines), pinned=True, notebook_id=notebook_id, tags=['work'])\n"
        "print(apis.notes.show_note(access_token=notes_token, note_id=made['note_id'])['content'])\n"
        "most = max(len(v) for v in groups.values())\n"
        "biggest = sorted(c for c, v in groups.items() if len(v) == most)\n"
    )
    decide = (
        "quiet = []\n"
        "for c in coworkers:\n"
        + fetch_all(
            "calls",
            "apis.phone.show_call_history(access_token=phone_token, phone_number=c['phone_number'], "
            f"started_after={since!r}",
            indent="    ",
        )
        + "    talked = [x for x in calls if x['direction'] != 'missed']\n"
        "    texts = apis.phone.search_text_messages(access_token=phone_token, phone_number=c['phone_number'], "
        f"sent_after={since!r}, page_limit=1)\n"
        "    if not talked and not texts:\n"
        "        quiet.append(c)\n"
        "print([(c['first_name'], c['last_name']) for c in quiet])\n"
    )
    text = (
        "for c in quiet:\n"
        "    apis.phone.send_text_message(access_token=phone_token, phone_number=c['phone_number'], "
        f"message={COFFEE!r}.format(first=c['first_name']))\n"
        + fetch_all("sent", "apis.phone.search_text_messages(access_token=phone_token, query='Coffee next week'")
        + "print([(m['receiver']['name'], m['sent_at']) for m in sent])\n"
    )
    oracle = (
        Solution()
        .step(login("phone", "notes"))
        .step(look)
        .step(act)
        .step(decide)
        .step(text)
        .step("apis.supervisor.complete_task(answer=biggest)\n")
        .steps()
    )
    expectations: list[Expectation] = [
        Inserted(
            "notes_notes",
            new_note(owner, "Coworkers by company", HasLines(lines), pinned=1, notebook_id=book, tags="work"),
            "a pinned note tagged 'work' in my Work notebook groups my coworkers by company",
            what="company notes",
        ),
        *book_expectations,
    ]
    expectations += [
        Inserted(
            "phone_messages",
            {
                "sender_id": owner,
                "receiver_id": view.value("SELECT id FROM people WHERE phone_number = ?", c["phone_number"]),
                "message": COFFEE.format(first=c["first_name"]),
                "is_read": 0,
            },
            f"{c['first_name']} {c['last_name']}, not called nor texted since {since}, gets the coffee text",
            what=f"texts to {c['first_name']} {c['last_name']}",
        )
        for c in quiet
    ]
    expectations.append(Answer(sorted(ties), f"the answer is {sorted(ties)}, the company with the most coworkers"))
    return TaskSpec(
        owner,
        "Make a pinned note titled 'Coworkers by company', tagged 'work', in my notebook named exactly 'Work' "
        "(create it if missing), with one line per company my coworker contacts work at: "
        "'<company>: <First Last>, <First Last>, ...' (names in alphabetical order). Only contacts saved as "
        f"coworkers count, and only those with a company. Then text each of them I have neither talked to on the "
        f"phone (an answered call, either way) nor exchanged a text with since {since}: "
        f"'{COFFEE.format(first='<first name>')}'. Tell me which company (or companies, if tied) has the most "
        "coworkers in the note (all of them, texted or not).",
        oracle,
        expectations,
    )


def repeat_strangers(view: WorldView, owner: int, since: str) -> list[str]:
    """Numbers not in my contacts (nor already blocked) that called me at least twice since `since`."""
    known = set(contact_names(view, owner))
    blocked = {r["phone_number"] for r in view.rows("SELECT phone_number FROM phone_blocked WHERE owner_id = ?", owner)}
    calls = Counter(
        r["phone_number"]
        for r in view.rows(
            "SELECT phone_number FROM phone_calls WHERE owner_id = ? AND direction != 'outgoing' AND started_at >= ?",
            owner,
            since,
        )
    )
    return sorted(n for n, k in calls.items() if k >= 2 and n not in known and n not in blocked)


@scenario("contacts_block_repeat_callers_note", apps=("phone", "notes"))
def block_repeat_callers_note(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep: the paged call log's repeat strangers (robocallers) told apart from one-off wrong numbers, contacts and
    numbers already blocked; each is blocked and its voicemails looked up and deleted one by one."""
    since = rng.choice(["2025-06-01", "2025-09-01", "2025-03-01"])
    candidates = [p for p in view.people_ids() if len(repeat_strangers(view, p, since)) >= 2]
    owner = pick(rng, candidates, "person called repeatedly by strangers", distinct=True)
    numbers = repeat_strangers(view, owner, since)
    look = (
        fetch_all("calls", f"apis.phone.show_call_history(access_token=phone_token, started_after={since!r}")
        + CONTACT_NAMES
        + fetch_all("blocked", "apis.phone.show_blocked_numbers(access_token=phone_token")
        + "print(len(calls), 'calls', blocked)\n"
    )
    decide = (
        "already = {b['phone_number'] for b in blocked}\n"
        "counts = {}\n"
        "for call in calls:\n"
        "    if call['direction'] != 'outgoing' and call['phone_number'] not in names:\n"
        "        counts[call['phone_number']] = counts.get(call['phone_number'], 0) + 1\n"
        "strangers = sorted(n for n, k in counts.items() if k >= 2 and n not in already)\n"
        "print(strangers)\n"
    )
    act = (
        "for number in strangers:\n"
        "    apis.phone.block_number(access_token=phone_token, phone_number=number)\n"
        "apis.notes.create_note(access_token=notes_token, title='Blocked callers', content='\\n'.join(strangers), "
        "tags=['phone'])\n"
        "for number in strangers:\n"
        "    for m in apis.phone.show_voicemails(access_token=phone_token, phone_number=number, page_limit=20):\n"
        "        apis.phone.delete_voicemail(access_token=phone_token, voicemail_id=m['voicemail_id'])\n"
    )
    oracle = (
        Solution()
        .step(login("phone", "notes"))
        .step(look)
        .step(decide)
        .step(act)
        .step("apis.supervisor.complete_task(answer=len(strangers))\n")
        .steps()
    )
    expectations: list[Expectation] = [
        Inserted(
            "phone_blocked",
            {"owner_id": owner, "phone_number": n},
            f"{n} is blocked",
            what=f"blocks of {n}",
        )
        for n in numbers
    ]
    expectations.append(
        Inserted(
            "notes_notes",
            new_note(owner, "Blocked callers", HasLines(numbers), tags="phone"),
            "the note 'Blocked callers' lists the numbers blocked now",
            what="blocked-caller notes",
        )
    )
    voicemails = frozenset(
        r["id"]
        for n in numbers
        for r in view.rows("SELECT id FROM phone_voicemails WHERE owner_id = ? AND phone_number = ?", owner, n)
    )
    if voicemails:
        expectations.append(
            Deleted("phone_voicemails", voicemails, "the blocked numbers' voicemails are deleted", what="voicemails")
        )
    expectations.append(Answer(len(numbers), f"the answer is {len(numbers)}, the numbers newly blocked"))
    return TaskSpec(
        owner,
        f"Block every number that is not in my contacts and called me (answered or missed) at least twice since "
        f"{since}, unless it is already blocked. Then make a note titled 'Blocked callers', tagged 'phone', listing "
        "the numbers you blocked now, one per line. Delete any voicemails they left, and tell me how many numbers you "
        "blocked.",
        oracle,
        expectations,
    )
