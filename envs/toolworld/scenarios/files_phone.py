"""Scenarios moving phone data into files and back: contact exports, the emergency list, voicemail archives,
missed-call reports."""

from __future__ import annotations

import random
from typing import Any

from envs.toolworld.evaluate import Answer, Deleted, Expectation, HasLines, Inserted, NewRow, Updated
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios._rows import new_file
from envs.toolworld.scenarios.contacts_calendar import contact_names
from envs.toolworld.scenarios.contacts_notes import CONTACT_NAMES
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


def directory_expectation(view: WorldView, owner: int, path: str) -> list[Expectation]:
    """The directory `path` the agent must create (with parents) when the owner lacks it."""
    if view.rows("SELECT 1 FROM file_system_directories WHERE owner_id = ? AND path = ?", owner, path):
        return []
    return [
        Inserted("file_system_directories", {"owner_id": owner, "path": path}, f"{path} is created", what="directories")
    ]


@scenario("files_export_contacts_csv", apps=("phone", "file_system"))
def export_contacts_csv(view: WorldView, rng: random.Random) -> TaskSpec:
    kind = rng.choice(["friend", "coworker"])
    owners = view.rows(
        "SELECT owner_id FROM phone_contacts WHERE relationship = ? GROUP BY owner_id HAVING COUNT(*) > 5 "
        "ORDER BY owner_id",
        kind,
    )
    owner = pick(rng, owners, f"more than five {kind} contacts", distinct=True)["owner_id"]
    rows = view.rows(
        "SELECT first_name || ' ' || last_name AS name, phone_number, email FROM phone_contacts WHERE owner_id = ? "
        "AND relationship = ? ORDER BY first_name, last_name, id",
        owner,
        kind,
    )
    lines = ["name,phone,email", *(f"{r['name']},{r['phone_number']},{r['email'] or ''}" for r in rows)]
    path = f"/documents/contacts/{kind}s.csv"
    tag = "work" if kind == "coworker" else "personal"
    look = (
        fetch_all("contacts", f"apis.phone.search_contacts(access_token=phone_token, relationship={kind!r}")
        + "print(len(contacts))\n"
    )
    act = (
        "rows = ['name,phone,email'] + [c['first_name'] + ' ' + c['last_name'] + ',' + c['phone_number'] + ',' + "
        "(c['email'] or '') for c in contacts]\n"
        f"{FS}.create_file(access_token=file_system_token, path={path!r}, content='\\n'.join(rows), parents=True)\n"
        f"{FS}.star_file(access_token=file_system_token, path={path!r})\n"
        f"{FS}.add_file_tag(access_token=file_system_token, path={path!r}, tag={tag!r})\n"
    )
    check = (
        f"print({FS}.show_file(access_token=file_system_token, path={path!r})['content'])\n"
        f"print({FS}.show_starred_files(access_token=file_system_token, page_limit=20))\n"
    )
    oracle = (
        Solution()
        .step(login("phone", "file_system"))
        .step(look)
        .step(act)
        .step(check)
        .step("apis.supervisor.complete_task(answer=len(contacts))\n")
        .steps()
    )
    return TaskSpec(
        owner,
        f"Export my {kind} contacts from my phone to a CSV file {path} (create the folder if needed): a header line "
        "'name,phone,email', then one line per contact 'First Last,phone,email' (empty email if none), in "
        f"alphabetical order. Star the file, tag it '{tag}', and tell me how many {kind}s it lists.",
        oracle,
        [
            Inserted(
                "file_system_files",
                new_file(owner, path, HasLines(lines), starred=1),
                f"{path} lists every {kind} contact and is starred",
                what="csv files",
            ),
            tagged(owner, path, tag),
            *directory_expectation(view, owner, "/documents/contacts"),
            Answer(len(rows), f"the answer is {len(rows)}", traps={"5": "only the first page of contacts was read"}),
        ],
    )


EMERGENCY = "/documents/emergency_contacts.txt"
ADDED = "I've added you to my emergency contacts, hope that's ok!"


def missing_favorites(view: WorldView, owner: int, content: str) -> list[str]:
    have = {line.strip() for line in content.splitlines()}
    favorites = view.rows(
        "SELECT first_name || ' ' || last_name || ': ' || phone_number AS line FROM phone_contacts "
        "WHERE owner_id = ? AND is_favorite = 1 ORDER BY first_name, last_name, id",
        owner,
    )
    return [f["line"] for f in favorites if f["line"] not in have]


@scenario("files_emergency_add_favorites", apps=("phone", "file_system"))
def emergency_add_favorites(view: WorldView, rng: random.Random) -> TaskSpec:
    files = view.rows("SELECT * FROM file_system_files WHERE path = ? ORDER BY owner_id", EMERGENCY)
    noop = getattr(rng, "variant", 0) % 3 == 2  # variant 2: every favourite is already listed
    candidates = [f for f in files if (not missing_favorites(view, f["owner_id"], f["content"])) == noop]
    file = pick(rng, candidates, "emergency list", distinct=True)
    owner = file["owner_id"]
    missing = missing_favorites(view, owner, file["content"])
    look = (
        fetch_all("favorites", "apis.phone.search_contacts(access_token=phone_token, is_favorite=True")
        + f"text = {FS}.show_file(access_token=file_system_token, path={EMERGENCY!r})['content']\n"
        "listed = {line.strip() for line in text.splitlines()}\n"
        "missing = [c['first_name'] + ' ' + c['last_name'] + ': ' + c['phone_number'] for c in favorites]\n"
        "missing = [line for line in missing if line not in listed]\n"
        "print(len(favorites), 'favourites;', missing)\n"
    )
    act = (
        "if missing:\n"
        f"    {FS}.append_to_file(access_token=file_system_token, path={EMERGENCY!r}, content='\\n'.join(missing))\n"
        f"    print({FS}.show_file(access_token=file_system_token, path={EMERGENCY!r})['content'])\n"
        "for line in missing:\n"
        "    apis.phone.send_text_message(access_token=phone_token, phone_number=line.rsplit(': ', 1)[1], "
        f"message={ADDED!r})\n"
    )
    oracle = (
        Solution()
        .step(login("phone", "file_system"))
        .step(look)
        .step(act)
        .step("apis.supervisor.complete_task()\n")
        .steps()
    )
    expectations: list[Expectation] = []
    if missing:
        lines = [*file["content"].splitlines(), *missing]
        expectations.append(
            Updated(
                "file_system_files",
                file["id"],
                {"content": HasLines(lines), "updated_at": NOW},
                f"the emergency list keeps its lines and gains the {len(missing)} missing favourites",
            )
        )
    for line in missing:
        name, number = line.rsplit(": ", 1)
        expectations.append(
            Inserted(
                "phone_messages",
                {"sender_id": owner, "receiver_id": person_of(view, number), "message": ADDED, "is_read": 0},
                f"{name}, newly on the list, is told by text",
                what=f"texts to {name}",
            )
        )
    return TaskSpec(
        owner,
        f"Every favourite contact in my phone should be on my emergency list {EMERGENCY}, as a line "
        "'First Last: number' like the others. Add the missing favourites at the end, keeping the existing lines, "
        f'and text each one you add exactly "{ADDED}". If none is missing, change nothing.',
        oracle,
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


@scenario("files_archive_stranger_voicemails", apps=("phone", "file_system"))
def archive_stranger_voicemails(view: WorldView, rng: random.Random) -> TaskSpec:
    candidates = []
    for person in view.people_ids():
        found = stranger_voicemails(view, person)
        names = {f"{v['left_at'][:10]}_{v['phone_number']}" for v in found}
        if (
            2 <= len(found) <= 8
            and len(names) == len(found)
            and len(found) < view.value("SELECT COUNT(*) FROM phone_voicemails WHERE owner_id = ?", person)
        ):
            candidates.append(person)
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
        "    apis.phone.block_number(access_token=phone_token, phone_number=number)\n"
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
    expectations += [
        Inserted("phone_blocked", {"owner_id": owner, "phone_number": n}, f"{n} is blocked", what=f"blocks of {n}")
        for n in sorted({v["phone_number"] for v in found} - already)
    ]
    expectations.append(Answer(len(found), f"the answer is {len(found)}"))
    return TaskSpec(
        owner,
        "Archive the voicemails left by numbers that are not in my contacts: save each transcript as "
        "/documents/voicemails/<YYYY-MM-DD>_<number>.txt (the day it was left, the 10-digit number), then delete "
        "that voicemail from my phone, and block each of those numbers (unless already blocked). Keep my contacts' "
        "voicemails. Tell me how many voicemails you archived.",
        oracle,
        expectations,
    )


REPORT_SINCE = "2026-01-01"


@scenario("files_missed_calls_report", apps=("phone", "file_system"))
def missed_calls_report(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows(
        "SELECT owner_id FROM phone_calls WHERE direction = 'missed' AND started_at >= ? GROUP BY owner_id "
        "HAVING COUNT(*) > 5 ORDER BY owner_id",
        REPORT_SINCE,
    )
    owner = pick(rng, owners, "more than five missed calls this year", distinct=True)["owner_id"]
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
        "contacts or else the number. Star it and tag it 'important'. Tell me how many of those missed calls came "
        "from my contacts.",
        oracle,
        [
            Inserted(
                "file_system_files",
                new_file(owner, path, HasLines(lines), starred=1),
                f"{path} lists the {len(lines)} missed calls and is starred",
                what="reports",
            ),
            tagged(owner, path, "important"),
            *directory_expectation(view, owner, "/documents/reports"),
            Answer(from_contacts, f"the answer is {from_contacts}, the missed calls from contacts"),
        ],
    )
