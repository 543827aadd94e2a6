"""Scenarios moving phone data into files and back: contact exports, the emergency list, voicemail archives,
missed-call reports."""

from __future__ import annotations

import random
from typing import Any

from envs.toolworld.evaluate import Answer, Deleted, Expectation, InBlocks, InOrder, Inserted, NewRow, Updated, runs
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, login, pick
from envs.toolworld.scenarios._files import directory_expectation
from envs.toolworld.scenarios._rows import new_file
from envs.toolworld.scenarios.contacts_calendar import contact_names
from envs.toolworld.scenarios.contacts_notes import CONTACT_NAMES
from envs.toolworld.scenarios.contacts_upkeep import STALE, note_in_address_book_code, noted_in_address_book
from envs.toolworld.scenarios.phone import talked_since
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

NOW = WORLD_NOW.isoformat(timespec="seconds")
FS = "apis.file_system"


def person_of(view: WorldView, number: str) -> int:
    return int(view.value("SELECT id FROM people WHERE phone_number = ?", number))


def tagged(owner: int, path: str, tag: str) -> Inserted:
    """The tag `tag` on the file the agent creates at `path`."""
    file = NewRow("file_system_files", {"owner_id": owner, "path": path})
    return Inserted("file_system_tags", {"file_id": file, "tag": tag, "owner_id": owner}, f"{path} is tagged {tag}")


EXPORT_KINDS = ("coworker", "family", "friend", "roommate")
HEADER = "name,phone,email"


@scenario("files_export_contacts_csv", apps=("phone", "file_system", "email"))
def export_contacts_csv(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows(
        "SELECT owner_id FROM phone_contacts GROUP BY owner_id HAVING COUNT(DISTINCT relationship) >= 3 "
        "AND SUM(relationship IS NULL) >= 1 AND NOT EXISTS (SELECT 1 FROM phone_contacts c WHERE c.owner_id = "
        "phone_contacts.owner_id AND c.relationship IS NOT NULL AND NOT EXISTS (SELECT 1 FROM email_contacts e "
        "WHERE e.owner_id = c.owner_id AND e.email = c.email)) ORDER BY owner_id"
    )
    owner = pick(rng, owners, "contacts of three relationships and some of none", distinct=True)["owner_id"]
    expectations: list[Expectation] = []
    exported = 0
    kinds: dict[str, str] = {}
    for kind in EXPORT_KINDS:
        rows = view.rows(
            "SELECT first_name || ' ' || last_name AS name, phone_number, email FROM phone_contacts "
            "WHERE owner_id = ? AND relationship = ? ORDER BY first_name, last_name, id",
            owner,
            kind,
        )
        if not rows:
            continue
        exported += len(rows)
        kinds.update({r["email"]: kind for r in rows if r["email"]})
        lines = [f"{r['name']},{r['phone_number']},{r['email'] or ''}" for r in rows]
        path = f"/documents/contacts/{kind}s.csv"
        tag = "work" if kind == "coworker" else "personal"
        expectations += [
            Inserted(
                "file_system_files",
                new_file(owner, path, InBlocks([HEADER], *runs(lines, [r["name"] for r in rows])), starred=1),
                f"{path} has its header, then the {len(rows)} {kind} contacts in alphabetical order, and is starred",
                what="csv files",
            ),
            tagged(owner, path, tag),
        ]
    expectations += directory_expectation(view, owner, "/documents/contacts")
    expectations += noted_in_address_book(view, owner, kinds)
    everyone = view.value("SELECT COUNT(*) FROM phone_contacts WHERE owner_id = ?", owner)
    expectations.append(
        Answer(
            exported,
            f"the answer is {exported}, the contacts with a relationship",
            traps={str(everyone): "that counts the contacts without a relationship too"},
        )
    )
    look = (
        fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token") + "by_kind = {}\n"
        "for c in contacts:\n"
        "    if c['relationship']:\n"
        "        by_kind.setdefault(c['relationship'], []).append(c)\n"
        "print({kind: len(people) for kind, people in by_kind.items()})\n"
    )
    act = (
        "for kind, people in sorted(by_kind.items()):\n"
        "    people.sort(key=lambda c: (c['first_name'], c['last_name'], c['contact_id']))\n"
        "    rows = ['name,phone,email'] + [c['first_name'] + ' ' + c['last_name'] + ',' + c['phone_number'] + ',' + "
        "(c['email'] or '') for c in people]\n"
        "    path = '/documents/contacts/' + kind + 's.csv'\n"
        f"    {FS}.create_file(access_token=file_system_token, path=path, content='\\n'.join(rows), parents=True)\n"
        f"    {FS}.star_file(access_token=file_system_token, path=path)\n"
        f"    {FS}.add_file_tag(access_token=file_system_token, path=path, "
        "tag='work' if kind == 'coworker' else 'personal')\n"
    )
    check = (
        fetch_all("written", f"{FS}.show_directory(access_token=file_system_token, path='/documents/contacts'")
        + "for e in written:\n"
        f"    print(e['name'], {FS}.count_file_words(access_token=file_system_token, path=e['path']))\n"
        "apis.supervisor.complete_task(answer=sum(len(people) for people in by_kind.values()))\n"
    )
    book = note_in_address_book_code(
        "[(c['email'], kind) for kind, people in sorted(by_kind.items()) for c in people if c['email']]"
    )
    oracle = Solution().step(login("phone", "file_system", "email")).step(look).step(act).step(book).step(check)
    return TaskSpec(
        owner,
        "Export my phone contacts by relationship: for each relationship my contacts have (friend, coworker, "
        "family, roommate), a CSV file /documents/contacts/<relationship>s.csv (e.g. friends.csv; create the folder "
        "if needed) with a header line 'name,phone,email', then one line per contact 'First Last,phone,email' "
        "(empty email if none), in alphabetical order. Star each file and tag it 'work' for coworkers, 'personal' "
        "for the others. Contacts without a relationship stay out. In my email address book, add the relationship "
        "(e.g. 'friend') to the notes of each exported contact whose entry lacks it (after any notes already there, "
        "separated by '; '). How many contacts did you export in all?",
        oracle.steps(),
        expectations,
    )


EMERGENCY = "/documents/emergency_contacts.txt"
ADDED = "I've added you to my emergency contacts, hope that's ok!"
ADDED_AT_LEAST = 5  # files_emergency_add_favorites: people added, each texted and made a favourite in both apps


def missing_favorites(view: WorldView, owner: int, content: str) -> list[dict[str, Any]]:
    """The favourites, family members and roommates (at a number in use) missing from the list: each contact's
    id, whether they are a favourite, and the line they need (the first contact of a line when two share it)."""
    have = {line.strip() for line in content.splitlines()}
    close = view.rows(
        "SELECT id, is_favorite, first_name || ' ' || last_name || ': ' || phone_number AS line FROM phone_contacts "
        "WHERE owner_id = ? AND (is_favorite = 1 OR relationship IN ('family', 'roommate')) "
        "AND COALESCE(notes, '') != ? ORDER BY first_name, last_name, id",
        owner,
        STALE,
    )
    missing: dict[str, dict[str, Any]] = {}
    for c in close:
        if c["line"] not in have:
            missing.setdefault(c["line"], c)
    return list(missing.values())


@scenario("files_emergency_add_favorites", apps=("phone", "file_system", "email"))
def emergency_add_favorites(view: WorldView, rng: random.Random) -> TaskSpec:
    """The favourites, family and roommates missing from the emergency list added, each texted and made a favourite
    on the phone and in the address book (whether their entry there is one already is only in the address book);
    5+ missing. Variant 2 of each 3: nothing missing, nothing to change."""
    files = view.rows("SELECT * FROM file_system_files WHERE path = ? ORDER BY owner_id", EMERGENCY)
    noop = getattr(rng, "variant", 0) % 3 == 2  # variant 2: every favourite is already listed
    gaps = {f["owner_id"]: len(missing_favorites(view, f["owner_id"], f["content"])) for f in files}
    _, candidates = as_deep_as_found(
        [range(1)] if noop else [range(ADDED_AT_LEAST, 9), range(4, 9), range(3, 9)],
        lambda wanted: [f for f in files if gaps[f["owner_id"]] in wanted],
    )
    file = pick(rng, candidates, "emergency list", distinct=True)
    owner = file["owner_id"]
    missing = missing_favorites(view, owner, file["content"])
    lenient = view.value("SELECT allow_favorites FROM phone_settings WHERE owner_id = ?", owner)
    look = (
        fetch_all("close", "apis.phone.search_contacts(access_token=phone_token, is_favorite=True")
        + "for relationship in ['family', 'roommate']:\n"
        + fetch_all("found", "apis.phone.search_contacts(access_token=phone_token, relationship=relationship", "    ")
        + "    close += found\n"
        f"text = {FS}.show_file(access_token=file_system_token, path={EMERGENCY!r})['content']\n"
        "listed = {line.strip() for line in text.splitlines()}\n"
        "missing, adding = [], []\n"
        "for c in sorted(close, key=lambda c: (c['first_name'], c['last_name'], c['contact_id'])):\n"
        "    line = c['first_name'] + ' ' + c['last_name'] + ': ' + c['phone_number']\n"
        f"    if c['notes'] != {STALE!r} and line not in listed and line not in missing:\n"
        "        missing.append(line)\n"
        "        adding.append(c)\n"
        "print(len(close), 'close contacts;', missing)\n"
    )
    act = (
        "if missing:\n"
        f"    {FS}.append_to_file(access_token=file_system_token, path={EMERGENCY!r}, content='\\n'.join(missing))\n"
        f"    print({FS}.show_file(access_token=file_system_token, path={EMERGENCY!r})['content'])\n"
        "for c in adding:\n"
        "    apis.phone.send_text_message(access_token=phone_token, phone_number=c['phone_number'], "
        f"message={ADDED!r})\n"
        "    if not c['is_favorite']:\n"
        "        apis.phone.favorite_contact(access_token=phone_token, contact_id=c['contact_id'])\n"
        "if adding:\n"
        "    settings = apis.phone.show_phone_settings(access_token=phone_token)\n"
        "    if not settings['allow_favorites']:\n"
        "        apis.phone.update_phone_settings(access_token=phone_token, allow_favorites=True)\n"
    )
    book = (  # only when someone is added: the address book has nothing to change otherwise
        fetch_all("book", "apis.email.show_email_contacts(access_token=email_token")
        + "emails = {c['email'].lower() for c in adding if c['email']}\n"
        "for b in book:\n"
        "    if b['email'].lower() in emails and not b['is_favorite']:\n"
        "        apis.email.update_email_contact(access_token=email_token, email_contact_id=b['email_contact_id'], "
        "is_favorite=True)\n"
    )
    check = (
        f"print({FS}.show_file(access_token=file_system_token, path={EMERGENCY!r})['content'])\n"
        + fetch_all(
            "sent", f"apis.phone.search_text_messages(access_token=phone_token, direction='sent', query={ADDED!r}"
        )
        + "print(len(sent), 'told')\n"
        + fetch_all("favorites", "apis.phone.search_contacts(access_token=phone_token, is_favorite=True")
        + "print(len(favorites), 'favourites')\n"
        "apis.supervisor.complete_task(answer=[line.split(':')[0].strip() for line in text.splitlines() "
        "if line.strip()])\n"
    )
    oracle = Solution().step(login("phone", "file_system", "email")).step(look).step(act)
    if missing:
        oracle.step(book)
    steps = oracle.step(check).steps()
    listed = [line.split(":")[0].strip() for line in file["content"].splitlines() if line.strip()]
    expectations: list[Expectation] = [Answer(listed, "the answer names the people the list held before")]
    if missing:
        added = [c["line"] for c in missing]
        expectations.append(
            Updated(
                "file_system_files",
                file["id"],
                {"content": InBlocks(file["content"].splitlines(), added), "updated_at": NOW},
                f"the emergency list keeps its lines and gains the {len(missing)} missing favourites at the end",
            )
        )
    for c in missing:
        name, number = c["line"].rsplit(": ", 1)
        expectations += [
            Updated("email_contacts", e["id"], {"is_favorite": 1}, f"{name}, newly on the list, is an email favourite")
            for e in view.rows(
                "SELECT e.id FROM email_contacts e JOIN phone_contacts k ON lower(k.email) = lower(e.email) "
                "WHERE e.owner_id = ? AND k.id = ? AND e.is_favorite = 0 ORDER BY e.id",
                owner,
                c["id"],
            )
        ]
        if not c["is_favorite"]:
            expectations.append(
                Updated("phone_contacts", c["id"], {"is_favorite": 1}, f"{name}, newly on the list, is a favourite")
            )
        expectations.append(
            Inserted(
                "phone_messages",
                {"sender_id": owner, "receiver_id": person_of(view, number), "message": ADDED, "is_read": 0},
                f"{name}, newly on the list, is told by text",
                what=f"texts to {name}",
            )
        )
    if missing and not lenient:
        expectations.append(
            Updated("phone_settings", owner, {"allow_favorites": 1}, "favourites ring through do-not-disturb")
        )
    return TaskSpec(
        owner,
        f"Every favourite contact, family member and roommate in my phone should be on my emergency list {EMERGENCY}, "
        "as a line 'First Last: number' like the others (not at a number saved as an old one no longer in use). Add "
        f'the missing ones at the end, keeping the existing lines, and text each one you add exactly "{ADDED}". '
        "Make each one you add a favourite in my phone if they are not one, and in my email address book too (any "
        "entry there with the email address of their phone contact), and make sure phone favourites can ring "
        "through do-not-disturb. If none is missing, change nothing. Either way, tell me the names the list held "
        "before you added any.",
        steps,
        expectations,
        noop_pass=not missing,
    )


def stranger_voicemails(view: WorldView, owner: int) -> list[dict[str, Any]]:
    known = contact_names(view, owner)
    return [
        v
        for v in view.rows("SELECT * FROM phone_voicemails WHERE owner_id = ? ORDER BY left_at", owner)
        if v["phone_number"] not in known
    ]


def talked_numbers(view: WorldView, owner: int, numbers: set[str]) -> set[str]:
    """Those of `numbers` that `owner` ever talked to on the phone."""
    return {n for n in numbers if talked_since(view, owner, n)}


STRANGER_VOICEMAILS_AT_LEAST = 4  # each saved and deleted, its number looked up in the call log


@scenario("files_archive_stranger_voicemails", apps=("phone", "file_system"))
def archive_stranger_voicemails(view: WorldView, rng: random.Random) -> TaskSpec:
    """Strangers' voicemails saved as files and deleted; their numbers blocked unless I once talked to that number
    on the phone; my contacts' voicemails kept and marked heard.
    Deep: whether I talked to a number is only in the call log (one look per number; the pick has 4+ stranger
    voicemails, some numbers talked to and some not), so skipping it blocks a number it should not, or none."""
    usable = {}
    for person in view.people_ids():
        found = stranger_voicemails(view, person)
        names = {f"{v['left_at'][:10]}_{v['phone_number']}" for v in found}
        numbers = {v["phone_number"] for v in found}
        if (
            3 <= len(found) <= 8
            and len(names) == len(found)
            and len(found) < view.value("SELECT COUNT(*) FROM phone_voicemails WHERE owner_id = ?", person)
        ):
            usable[person] = (len(found), 0 < len(talked_numbers(view, person, numbers)) < len(numbers))
    _, candidates = as_deep_as_found(
        ((STRANGER_VOICEMAILS_AT_LEAST, True), (3, True), (3, False)),
        lambda setting: [p for p, (n, both) in usable.items() if n >= setting[0] and (both or not setting[1])],
    )
    owner = pick(rng, candidates, "voicemails from strangers and contacts", distinct=True)
    found = stranger_voicemails(view, owner)
    look = (
        fetch_all("mails", "apis.phone.show_voicemails(access_token=phone_token")
        + CONTACT_NAMES
        + "strangers = [m for m in mails if m['phone_number'] not in names]\n"
        "print(len(mails), 'voicemails,', len(strangers), 'from strangers')\n"
    )
    act = (
        "for m in strangers:\n"
        "    path = '/documents/voicemails/' + m['left_at'][:10] + '_' + m['phone_number'] + '.txt'\n"
        f"    {FS}.create_file(access_token=file_system_token, path=path, content=m['transcript'], parents=True)\n"
        "    apis.phone.delete_voicemail(access_token=phone_token, voicemail_id=m['voicemail_id'])\n"
        + fetch_all("blocked", "apis.phone.show_blocked_numbers(access_token=phone_token")
        + "already = {b['phone_number'] for b in blocked}\n"
        "for number in sorted({m['phone_number'] for m in strangers} - already):\n"
        "    talked = apis.phone.show_call_history(access_token=phone_token, phone_number=number, "
        "min_duration_seconds=1, page_limit=1)\n"
        "    print(number, 'talked to' if talked else 'never talked to')\n"
        "    if not talked:\n"
        "        apis.phone.block_number(access_token=phone_token, phone_number=number)\n"
        "for m in mails:\n"
        "    if m['phone_number'] in names and not m['is_heard']:\n"
        "        apis.phone.mark_voicemail_heard(access_token=phone_token, voicemail_id=m['voicemail_id'])\n"
    )
    check = (
        fetch_all("saved", f"{FS}.show_directory(access_token=file_system_token, path='/documents/voicemails'")
        + "print([e['name'] for e in saved])\n"
    )
    oracle = (
        Solution()
        .step(login("phone", "file_system"))
        .step(look)
        .step(act)
        .step(check)
        .step("apis.supervisor.complete_task(answer=len(strangers))\n")
        .steps()
    )
    expectations: list[Expectation] = [
        Inserted(
            "file_system_files",
            new_file(owner, f"/documents/voicemails/{v['left_at'][:10]}_{v['phone_number']}.txt", v["transcript"]),
            f"the voicemail of {v['left_at'][:10]} from {v['phone_number']} is saved",
            what="voicemail files",
        )
        for v in found
    ]
    expectations += directory_expectation(view, owner, "/documents/voicemails")
    expectations.append(
        Deleted("phone_voicemails", frozenset(v["id"] for v in found), "the strangers' voicemails are deleted")
    )
    already = {r["phone_number"] for r in view.rows("SELECT phone_number FROM phone_blocked WHERE owner_id = ?", owner)}
    numbers = {v["phone_number"] for v in found} - already
    expectations += [
        Inserted(
            "phone_blocked",
            {"owner_id": owner, "phone_number": n},
            f"{n}, never talked to, is blocked",
            what=f"blocks of {n}",
        )
        for n in sorted(numbers - talked_numbers(view, owner, numbers))
    ]
    strangers = {v["id"] for v in found}
    expectations += [
        Updated("phone_voicemails", v["id"], {"is_heard": 1}, f"the voicemail of {v['left_at'][:16]} is marked heard")
        for v in view.rows("SELECT * FROM phone_voicemails WHERE owner_id = ? AND is_heard = 0 ORDER BY id", owner)
        if v["id"] not in strangers
    ]
    expectations.append(Answer(len(found), f"the answer is {len(found)}"))
    return TaskSpec(
        owner,
        "Archive the voicemails left by numbers that are not in my contacts: save each transcript as "
        "/documents/voicemails/<YYYY-MM-DD>_<number>.txt (the day it was left, the 10-digit number), then delete "
        "that voicemail from my phone, and block each of those numbers (unless already blocked), but not a number I "
        "have talked to on the phone (a call in which we talked; missed or unanswered calls do not count). Keep my "
        "contacts' voicemails, but mark the unheard ones heard. Tell me how many voicemails you archived.",
        oracle,
        expectations,
    )


REPORT_SINCE = "2026-01-01"
SORRY = "Sorry I missed your call, I'll call you back soon."


@scenario("files_missed_calls_report", apps=("phone", "file_system"))
def missed_calls_report(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows(
        "SELECT owner_id FROM phone_calls WHERE direction = 'missed' AND started_at >= ? GROUP BY owner_id "
        "HAVING COUNT(*) > 6 ORDER BY owner_id",
        REPORT_SINCE,
    )
    owner = pick(rng, owners, "more than six missed calls this year", distinct=True)["owner_id"]
    names = contact_names(view, owner)
    calls = view.rows(
        "SELECT * FROM phone_calls WHERE owner_id = ? AND direction = 'missed' AND started_at >= ? ORDER BY started_at",
        owner,
        REPORT_SINCE,
    )
    lines = [
        f"{c['started_at'][:10]} {c['started_at'][11:16]} {names.get(c['phone_number'], c['phone_number'])}"
        for c in calls
    ]
    from_contacts = sum(c["phone_number"] in names for c in calls)
    path = "/documents/reports/missed_calls_2026.txt"
    look = (
        fetch_all(
            "calls",
            "apis.phone.show_call_history(access_token=phone_token, direction='missed', "
            f"started_after={REPORT_SINCE!r}",
        )
        + CONTACT_NAMES
        + "print(len(calls))\n"
    )
    act = (
        "lines = [c['started_at'][:10] + ' ' + c['started_at'][11:16] + ' ' + names.get(c['phone_number'], "
        "c['phone_number']) for c in sorted(calls, key=lambda c: c['started_at'])]\n"
        f"{FS}.create_file(access_token=file_system_token, path={path!r}, content='\\n'.join(lines), parents=True)\n"
        f"{FS}.star_file(access_token=file_system_token, path={path!r})\n"
        f"{FS}.add_file_tag(access_token=file_system_token, path={path!r}, tag='important')\n"
        f"print({FS}.show_file_info(access_token=file_system_token, path={path!r}))\n"
        "known = sum(c['phone_number'] in names for c in calls)\n"
        "for number in sorted({c['phone_number'] for c in calls if c['phone_number'] in names}):\n"
        f"    apis.phone.send_text_message(access_token=phone_token, phone_number=number, message={SORRY!r})\n"
        "for c in calls:\n"
        "    apis.phone.delete_call_record(access_token=phone_token, call_id=c['call_id'])\n"
    )
    oracle = (
        Solution()
        .step(login("phone", "file_system"))
        .step(look)
        .step(act)
        .step("apis.supervisor.complete_task(answer=known)\n")
        .steps()
    )
    return TaskSpec(
        owner,
        f"Write a report of every call I missed since {REPORT_SINCE} to {path} (create the folders if needed): one "
        "line per missed call, oldest first, 'YYYY-MM-DD HH:MM <caller>', the caller being the name saved in my "
        "contacts or else the number. Star it and tag it 'important'. Text each contact who called (once each, "
        f'whatever the number of calls) "{SORRY}"; leave unknown numbers alone. Then remove those missed calls from '
        "my call log. Tell me how many of them came from my contacts.",
        oracle,
        [
            Inserted(
                "file_system_files",
                new_file(owner, path, InOrder(lines), starred=1),
                f"{path} lists the {len(lines)} missed calls, oldest first, and is starred",
                what="reports",
            ),
            tagged(owner, path, "important"),
            *directory_expectation(view, owner, "/documents/reports"),
            *(
                Inserted(
                    "phone_messages",
                    {"sender_id": owner, "receiver_id": person, "message": SORRY, "is_read": 0},
                    f"{names[number]} gets one text",
                    what=f"texts to {names[number]}",
                )
                for number in sorted({c["phone_number"] for c in calls if c["phone_number"] in names})
                for person in [person_of(view, number)]
            ),
            Deleted(
                "phone_calls", frozenset(c["id"] for c in calls), f"the {len(calls)} reported calls leave the call log"
            ),
            Answer(from_contacts, f"the answer is {from_contacts}, the missed calls from contacts"),
        ],
    )
