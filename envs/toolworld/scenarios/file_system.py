"""Scenarios on the file_system app: tidying, renaming, backups, questions, and files that drive phone and payments."""

from __future__ import annotations

import json
import random
from typing import Any

from envs.toolworld.evaluate import (
    Answer,
    Contains,
    Deleted,
    Expectation,
    Inserted,
    Matcher,
    NewRow,
    Outcome,
    Updated,
)
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, pick
from envs.toolworld.scenarios.payments import balance_changes
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

DONE = "apis.supervisor.complete_task()\n"
STALE = "old number, no longer in use"  # the notes of a phone contact saved under an old number
FS = "apis.file_system"


class ArchiveOf(Matcher):
    """A column matcher: the text is an archive (JSON of path -> content) holding exactly `members`."""

    def __init__(self, members: dict[str, str]):
        self.members = members

    def __call__(self, value: Any, outcome: Outcome) -> bool:
        try:
            return json.loads(value) == self.members
        except (TypeError, ValueError):
            return False

    def __repr__(self) -> str:
        return f"an archive of {sorted(self.members)}"


def files_under(view: WorldView, owner: int, directory: str) -> list[dict[str, Any]]:
    return view.rows(
        "SELECT * FROM file_system_files WHERE owner_id = ? AND path LIKE ? ORDER BY path",
        owner,
        directory.rstrip("/") + "/%",
    )


def listing(target: str, directory: str, recursive: bool = False) -> str:
    """Oracle code reading every entry of `directory` into `target`."""
    return fetch_all(
        target, f"{FS}.show_directory(access_token=file_system_token, path={directory!r}, recursive={recursive}"
    )


@scenario("file_system_file_downloaded_receipts", apps=("file_system",))
def file_downloaded_receipts(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows(
        "SELECT owner_id FROM file_system_files WHERE path LIKE '/downloads/receipt_%' GROUP BY owner_id "
        "ORDER BY owner_id"
    )
    owner = pick(rng, owners, "receipt in downloads")["owner_id"]
    rows = view.rows(
        "SELECT id, path FROM file_system_files WHERE owner_id = ? AND path LIKE '/downloads/receipt_%'", owner
    )
    oracle = (
        Solution()
        .step(login("file_system"))
        .step(
            listing("entries", "/downloads")
            + "count = 0\n"
            + "for e in entries:\n    if e['type'] == 'file' and e['name'].startswith('receipt_'):\n"
            + (
                f"        {FS}.move_file(access_token=file_system_token, source=e['path'], "
                "destination='/documents/receipts')\n"
                f"        {FS}.add_file_tag(access_token=file_system_token, path='/documents/receipts/' + e['name'], "
                "tag='tax')\n"
                "        count += 1\n"
            )
        )
        .step(listing("moved", "/documents/receipts") + "print([e['name'] for e in moved])\n")
        .step("apis.supervisor.complete_task(answer=count)\n")
        .steps()
    )
    return TaskSpec(
        owner,
        "Move every receipt file (named receipt_...) from my /downloads directory into /documents/receipts, tag "
        "each one 'tax', and tell me how many you moved.",
        oracle,
        [
            *(
                Inserted(
                    "file_system_tags",
                    {"file_id": r["id"], "tag": "tax", "owner_id": owner},
                    f"{r['path']} is tagged tax",
                    what="tags",
                )
                for r in rows
            ),
            Answer(len(rows), f"the answer is {len(rows)}", traps={"5": "only the first page of /downloads was read"}),
            *(
                Updated(
                    "file_system_files",
                    r["id"],
                    {"path": r["path"].replace("/downloads/", "/documents/receipts/")},
                    f"{r['path']} is moved",
                )
                for r in rows
            ),
        ],
    )


@scenario("file_system_receipts_total", apps=("file_system",))
def receipts_total(view: WorldView, rng: random.Random) -> TaskSpec:
    rows = view.rows(
        "SELECT owner_id, substr(path, 29, 7) AS month, content FROM file_system_files "
        "WHERE path LIKE '/documents/receipts/receipt_%' ORDER BY id"
    )
    groups: dict[tuple[int, str], float] = {}
    for r in rows:
        key = (r["owner_id"], r["month"])
        groups[key] = round(groups.get(key, 0.0) + float(r["content"].rsplit("$", 1)[1]), 2)
    owner, month = pick(rng, sorted(groups), "receipts of a month")
    summary = f"/documents/receipts/total_{month}.txt"
    oracle = (
        Solution()
        .step(login("file_system"))
        .step(
            fetch_all(
                "found",
                f"{FS}.search_files(access_token=file_system_token, query='receipt_{month}', "
                "directory='/documents/receipts'",
            )
            + "total = 0.0\nfor f in found:\n"
            + f"    text = {FS}.show_file(access_token=file_system_token, path=f['path'])['content']\n"
            + "    total += float(text.split('Total: $')[1].split()[0])\n"
        )
        .step(
            f"{FS}.create_file(access_token=file_system_token, path={summary!r}, content='Total: $%.2f' % total)\n"
            f"print({FS}.show_file(access_token=file_system_token, path={summary!r}))\n"
        )
        .step("apis.supervisor.complete_task(answer=round(total, 2))\n")
        .steps()
    )
    total = groups[(owner, month)]
    return TaskSpec(
        owner,
        f"What is the total, in dollars, of my receipts in /documents/receipts dated in {month} (YYYY-MM)? Also save "
        f"it in a new file {summary} as 'Total: $<amount>' (two decimals).",
        oracle,
        [
            Answer(total, f"the answer is the sum of the {month} receipts (${total:.2f})"),
            Inserted(
                "file_system_files",
                {"owner_id": owner, "path": summary, "content": f"Total: ${total:.2f}", "starred": 0},
                f"{summary} holds the total",
                what="summary files",
            ),
        ],
    )


@scenario("file_system_count_photos", apps=("file_system",))
def count_photos(view: WorldView, rng: random.Random) -> TaskSpec:
    counts = view.rows(
        "SELECT owner_id, COUNT(*) AS n, SUM(path LIKE '%.jpg') AS jpg FROM file_system_files "
        "WHERE path LIKE '/photos/%' AND (path LIKE '%.jpg' OR path LIKE '%.jpeg') GROUP BY owner_id HAVING n > 5 "
        "ORDER BY owner_id"
    )
    c = pick(rng, counts, "more than 5 photos")
    oracle = (
        Solution()
        .step(login("file_system"))
        .step(listing("entries", "/photos", recursive=True))
        .step("apis.supervisor.complete_task(answer=sum(e['name'].endswith(('.jpg', '.jpeg')) for e in entries))\n")
        .steps()
    )
    traps = {"5": "only the first page was counted (page_limit default 5)"}
    if c["jpg"] != c["n"]:
        traps[str(c["jpg"])] = "that counts only .jpg files; .jpeg files are photos too"
    return TaskSpec(
        c["owner_id"],
        "How many photos (.jpg or .jpeg files) are there under my /photos directory, subdirectories included?",
        oracle,
        [Answer(c["n"], f"the answer is the number of photos under /photos ({c['n']})", traps=traps)],
    )


@scenario("file_system_fix_jpeg_extension", apps=("file_system",))
def fix_jpeg_extension(view: WorldView, rng: random.Random) -> TaskSpec:
    albums = view.rows("SELECT owner_id, path FROM file_system_files WHERE path LIKE '/photos/%.jpeg' ORDER BY id")
    dirs = sorted({(r["owner_id"], r["path"].rsplit("/", 1)[0]) for r in albums})
    owner, directory = pick(rng, dirs, "album with .jpeg photos")
    rows = [r for r in files_under(view, owner, directory) if r["path"].endswith(".jpeg")]
    oracle = (
        Solution()
        .step(login("file_system"))
        .step(
            listing("entries", directory)
            + "for e in entries:\n    if e['name'].endswith('.jpeg'):\n"
            + (
                f"        {FS}.rename_file(access_token=file_system_token, path=e['path'], "
                "new_name=e['name'][:-5] + '.jpg')\n"
            )
        )
        .step(
            listing("after", directory)
            + "print([e['name'] for e in after])\n"
            + "renamed = sum(e['name'].endswith('.jpeg') for e in entries)\n"
        )
        .step("apis.supervisor.complete_task(answer=renamed)\n")
        .steps()
    )
    return TaskSpec(
        owner,
        f"In my {directory} directory, rename every .jpeg file so it ends in .jpg instead (same name otherwise), and "
        "tell me how many you renamed.",
        oracle,
        [
            Answer(len(rows), f"the answer is {len(rows)}, the .jpeg files renamed"),
            *(
                Updated(
                    "file_system_files", r["id"], {"path": r["path"][:-5] + ".jpg"}, f"{r['path']} is renamed to .jpg"
                )
                for r in rows
            ),
        ],
    )


@scenario("file_system_backup_project", apps=("file_system",))
def backup_project(view: WorldView, rng: random.Random) -> TaskSpec:
    projects = view.rows("SELECT owner_id, path FROM file_system_directories WHERE path LIKE '/work/%' ORDER BY id")
    c = pick(rng, projects, "work project")
    owner, project = c["owner_id"], c["path"].rsplit("/", 1)[1]
    members = {f"{project}/{r['path'].rsplit('/', 1)[1]}": r["content"] for r in files_under(view, owner, c["path"])}
    has_backups = bool(
        view.rows("SELECT 1 FROM file_system_directories WHERE owner_id = ? AND path = '/backups'", owner)
    )
    oracle = (
        Solution()
        .step(login("file_system"))
        .step(
            (
                f"dirs = [e['path'] for e in {FS}.show_directory(access_token=file_system_token, path='/', "
                "entry_type='directory', page_limit=20)]\n"
            )
            + "if '/backups' not in dirs:\n"
            + f"    {FS}.create_directory(access_token=file_system_token, path='/backups')\n"
            + (
                f"{FS}.compress(access_token=file_system_token, paths=[{c['path']!r}], "
                f"archive_path='/backups/{project}.zip')\n"
            )
        )
        .step(
            fetch_all(
                "inside",
                f"{FS}.show_archive_contents(access_token=file_system_token, archive_path='/backups/{project}.zip'",
            )
            + "print(inside)\n"
        )
        .step("apis.supervisor.complete_task(answer=len(inside))\n")
        .steps()
    )
    expectations: list[Expectation] = [
        Inserted(
            "file_system_files",
            {"owner_id": owner, "path": f"/backups/{project}.zip", "content": ArchiveOf(members), "starred": 0},
            f"/backups/{project}.zip is an archive of the {project} directory",
            what="archives",
        ),
        Answer(len(members), f"the answer is {len(members)}, the files in the archive"),
    ]
    if not has_backups:
        expectations.append(
            Inserted(
                "file_system_directories",
                {"owner_id": owner, "path": "/backups"},
                "a /backups directory exists",
                what="directories",
            )
        )
    return TaskSpec(
        owner,
        f"Back up my /work/{project} directory as a zip archive at /backups/{project}.zip "
        "(create /backups if it is missing), and tell me how many files it holds.",
        oracle,
        expectations,
    )


@scenario("file_system_clean_old_downloads", apps=("file_system",))
def clean_old_downloads(view: WorldView, rng: random.Random) -> TaskSpec:
    cutoff = rng.choice(["2026-01-01", "2026-02-01", "2026-03-01"])
    rows = view.rows(
        "SELECT owner_id, SUM(updated_at < ?) AS old, SUM(updated_at >= ?) AS new FROM file_system_files "
        "WHERE path LIKE '/downloads/%' GROUP BY owner_id HAVING old >= 2 AND new >= 1 ORDER BY owner_id",
        cutoff,
        cutoff,
    )
    owner = pick(rng, rows, "old and new downloads")["owner_id"]
    old = frozenset(r["id"] for r in files_under(view, owner, "/downloads") if r["updated_at"] < cutoff)
    oracle = (
        Solution()
        .step(login("file_system"))
        .step(
            listing("entries", "/downloads")
            + f"for e in entries:\n    if e['type'] == 'file' and e['updated_at'] < {cutoff!r}:\n"
            + f"        {FS}.delete_file(access_token=file_system_token, path=e['path'])\n"
        )
        .step(listing("left", "/downloads") + "print(len(left), 'files left')\n")
        .step("apis.supervisor.complete_task(answer=len(entries) - len(left))\n")
        .steps()
    )
    return TaskSpec(
        owner,
        f"Delete every file in my /downloads directory last modified before {cutoff}. Keep the newer ones. Tell me "
        "how many you deleted.",
        oracle,
        [
            Deleted("file_system_files", old, f"the {len(old)} downloads before {cutoff} are deleted", what="files"),
            Answer(len(old), f"the answer is {len(old)}"),
        ],
    )


@scenario("file_system_update_progress", apps=("file_system", "phone"))
def update_progress(view: WorldView, rng: random.Random) -> TaskSpec:
    report = pick(
        rng,
        view.rows(
            "SELECT * FROM file_system_files f WHERE path LIKE '/work/%/report.txt' AND EXISTS (SELECT 1 FROM "
            "phone_contacts c JOIN people p ON p.email = c.email WHERE c.owner_id = f.owner_id AND c.relationship = "
            "'coworker' AND NOT EXISTS (SELECT 1 FROM file_system_shares s WHERE s.file_id = f.id AND "
            "s.shared_with_id = p.id)) ORDER BY id"
        ),
        "project report and a coworker it is not shared with",
    )
    coworker = rng.choice(
        view.rows(
            "SELECT p.id, c.first_name || ' ' || c.last_name AS name FROM phone_contacts c JOIN people p "
            "ON p.email = c.email WHERE c.owner_id = ? AND c.relationship = 'coworker' AND NOT EXISTS (SELECT 1 FROM "
            "file_system_shares s WHERE s.file_id = ? AND s.shared_with_id = p.id) ORDER BY c.id",
            report["owner_id"],
            report["id"],
        )
    )
    old = report["content"].split("Progress: ")[1].split("%")[0]
    new = str(min(100, int(old) + rng.choice([5, 10, 15])))
    content = report["content"].replace(f"Progress: {old}%", f"Progress: {new}%")
    oracle = (
        Solution()
        .step(login("file_system", "phone"))
        .step(
            fetch_all("found", f"apis.phone.search_contacts(access_token=phone_token, query={coworker['name']!r}")
            + f"email = next(c['email'] for c in found if c['first_name'] + ' ' + c['last_name'] == "
            f"{coworker['name']!r} and c['relationship'] == 'coworker')\n"
            + f"{FS}.share_file(access_token=file_system_token, path={report['path']!r}, email=email, "
            "permission='edit')\n"
        )
        .step(
            f"text = {FS}.show_file(access_token=file_system_token, path={report['path']!r})['content']\n"
            + (
                f"{FS}.update_file(access_token=file_system_token, path={report['path']!r}, "
                f"content=text.replace('Progress: {old}%', 'Progress: {new}%'))\n"
            )
        )
        .step(f"print({FS}.show_file(access_token=file_system_token, path={report['path']!r})['content'])\n")
        .step(DONE)
        .steps()
    )
    return TaskSpec(
        report["owner_id"],
        f"In {report['path']}, change the progress to {new}%; leave the rest of the file as it is. Then share the "
        f"file with my coworker {coworker['name']} (their email is in my phone contacts) so they can edit it.",
        oracle,
        [
            Updated(
                "file_system_files",
                report["id"],
                {"content": content, "updated_at": WORLD_NOW.isoformat(timespec="seconds")},
                f"the report says {new}%",
            ),
            Inserted(
                "file_system_shares",
                {
                    "file_id": report["id"],
                    "owner_id": report["owner_id"],
                    "shared_with_id": coworker["id"],
                    "permission": "edit",
                },
                f"the report is shared with {coworker['name']} for editing",
                what="shares",
            ),
        ],
    )


@scenario("file_system_text_emergency_contacts", apps=("file_system", "phone"))
def text_emergency_contacts(view: WorldView, rng: random.Random) -> TaskSpec:
    c = pick(
        rng,
        view.rows(
            "SELECT owner_id, content FROM file_system_files WHERE path = '/documents/emergency_contacts.txt' "
            "ORDER BY id"
        ),
        "emergency contacts file",
    )
    numbers = [line.rsplit(": ", 1)[1] for line in c["content"].splitlines()]
    ids = [view.value("SELECT id FROM people WHERE phone_number = ?", n) for n in numbers]
    text = rng.choice(["I'm back home safe.", "Storm warning tonight, stay inside!", "My new address is in my email."])
    chat = {"name": "Emergency", "created_by": c["owner_id"]}
    oracle = (
        Solution()
        .step(login("file_system", "phone"))
        .step(
            (
                f"text = {FS}.show_file(access_token=file_system_token, "
                "path='/documents/emergency_contacts.txt')['content']\n"
            )
            + "for line in text.splitlines():\n"
            + (
                "    apis.phone.send_text_message(access_token=phone_token, phone_number=line.rsplit(': ', 1)[1], "
                f"message={text!r})\n"
            )
        )
        .step(
            "apis.phone.create_group_chat(access_token=phone_token, name='Emergency', "
            "phone_numbers=[line.rsplit(': ', 1)[1] for line in text.splitlines()])\n"
        )
        .step(
            fetch_all(
                "sent", f"apis.phone.search_text_messages(access_token=phone_token, direction='sent', query={text!r}"
            )
            + "print(len(sent))\n"
        )
        .step(DONE)
        .steps()
    )
    return TaskSpec(
        c["owner_id"],
        f"Text '{text}' to every person listed in my /documents/emergency_contacts.txt file, one text each, then "
        "start a group chat named 'Emergency' with all of them.",
        oracle,
        [
            *(
                Inserted(
                    "phone_messages",
                    {"sender_id": c["owner_id"], "receiver_id": person, "message": text, "is_read": 0},
                    f"emergency contact {full_name(view, person)} gets the text",
                    what="texts",
                )
                for person in ids
            ),
            Inserted("phone_group_chats", chat, "a group chat 'Emergency' is started", what="group chats"),
            *(
                Inserted(
                    "phone_group_members",
                    {"group_id": NewRow("phone_group_chats", chat), "person_id": member},
                    f"{full_name(view, member)} is in the 'Emergency' chat",
                    what="members",
                )
                for member in dict.fromkeys([c["owner_id"], *ids])
            ),
        ],
    )


@scenario("file_system_pay_dinner_split", apps=("file_system", "payments", "phone"))
def pay_dinner_split(view: WorldView, rng: random.Random) -> TaskSpec:
    files = view.rows(
        "SELECT f.owner_id, f.content FROM file_system_files f JOIN payments_balances b ON b.person_id = f.owner_id "
        "WHERE f.path = '/documents/dinner_split.txt' AND b.balance > 150 ORDER BY f.id"
    )
    c = pick(rng, files, "dinner split list with a funded payer")
    debts = []
    for line in c["content"].splitlines()[1:]:
        name, amount = line.rsplit(": $", 1)
        first, last = name.split(" ", 1)
        debts.append(
            (view.value("SELECT id FROM people WHERE first_name = ? AND last_name = ?", first, last), float(amount))
        )
    written_amounts = [line.rsplit(": $", 1)[1] for line in c["content"].splitlines()[1:]]
    private = view.value("SELECT default_private FROM payments_settings WHERE person_id = ?", c["owner_id"])
    deltas: dict[int, float] = {c["owner_id"]: -round(sum(a for _, a in debts), 2)}
    deltas.update({p: a for p, a in debts})
    oracle = (
        Solution()
        .step(login("file_system", "payments", "phone"))
        .step(
            f"text = {FS}.show_file(access_token=file_system_token, path='/documents/dinner_split.txt')['content']\n"
            + "for line in text.splitlines()[1:]:\n    name, amount = line.rsplit(': $', 1)\n"
            + "    email = apis.payments.search_users(access_token=payments_token, query=name)[0]['email']\n"
            + (
                "    apis.payments.send_money(access_token=payments_token, receiver_email=email, amount=float(amount), "
                "note='group dinner')\n"
            )
            + fetch_all("found", "apis.phone.search_contacts(access_token=phone_token, query=name", indent="    ")
            + "    number = next(c['phone_number'] for c in found if c['first_name'] + ' ' + c['last_name'] == name "
            f"and c['notes'] != {STALE!r})\n"
            + "    apis.phone.send_text_message(access_token=phone_token, phone_number=number, "
            "message='Paid you $' + amount + ' for the group dinner.')\n"
        )
        .step("print(apis.payments.show_balance(access_token=payments_token))\n")
        .step(DONE)
        .steps()
    )
    return TaskSpec(
        c["owner_id"],
        "Pay everyone listed in my /documents/dinner_split.txt file what I owe them, on the payments app, "
        "with the note 'group dinner', and text each of them 'Paid you $<amount> for the group dinner.' (the amount as "
        "written in the file) at their number in my phone contacts.",
        oracle,
        [
            Inserted(
                "payments_transactions",
                {
                    "sender_id": c["owner_id"],
                    "receiver_id": person,
                    "amount": amount,
                    "note": Contains("group dinner"),
                    "private": private,
                },
                f"{full_name(view, person)} is paid ${amount:.2f}, with my default privacy",
                what="payments",
            )
            for person, amount in debts
        ]
        + [
            Inserted(
                "phone_messages",
                {
                    "sender_id": c["owner_id"],
                    "receiver_id": person,
                    "message": f"Paid you ${written} for the group dinner.",
                    "is_read": 0,
                },
                f"{full_name(view, person)} is told by text",
                what="texts",
            )
            for (person, _), written in zip(debts, written_amounts, strict=True)
        ]
        + balance_changes(view, deltas),
    )
