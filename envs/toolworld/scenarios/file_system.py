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
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, full_name, login, pick
from envs.toolworld.scenarios._rows import new_file
from envs.toolworld.scenarios.payments import balance_changes, requests_paid
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


def files_deleted(view: WorldView, ids: frozenset[int], what: str) -> list[Expectation]:
    """A deleted file takes its tags and shares with it: the file rows and those rows are gone, nothing else."""
    marks = ", ".join(str(i) for i in sorted(ids)) or "NULL"
    out: list[Expectation] = [Deleted("file_system_files", ids, f"{what} are deleted", what="files")]
    for table, noun in (("file_system_tags", "tags"), ("file_system_shares", "shares")):
        rows = frozenset(r["id"] for r in view.rows(f"SELECT id FROM {table} WHERE file_id IN ({marks})"))
        if rows:
            out.append(Deleted(table, rows, f"the {noun} of {what} go with them", what=noun))
    return out


def shares_added(
    view: WorldView, file: dict[str, Any], owner: int, people: list[int], permission: str
) -> list[Expectation]:
    """A share of an existing `file` with each of `people` it is not shared with yet, with `permission`."""
    shared = {
        r["shared_with_id"]
        for r in view.rows("SELECT shared_with_id FROM file_system_shares WHERE file_id = ?", file["id"])
    }
    how = "for editing" if permission == "edit" else "view only"
    return [
        Inserted(
            "file_system_shares",
            {"file_id": file["id"], "owner_id": owner, "shared_with_id": person, "permission": permission},
            f"{file['path']} is shared with {full_name(view, person)}, {how}",
            what="shares",
        )
        for person in people
        if person not in shared
    ]


def listing(target: str, directory: str, recursive: bool = False) -> str:
    """Oracle code reading every entry of `directory` into `target`."""
    return fetch_all(
        target, f"{FS}.show_directory(access_token=file_system_token, path={directory!r}, recursive={recursive}"
    )


@scenario("file_system_file_downloaded_receipts", apps=("file_system",))
def file_downloaded_receipts(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows(
        "SELECT owner_id FROM file_system_files WHERE path LIKE '/downloads/receipt_%' GROUP BY owner_id "
        "HAVING COUNT(*) >= 6 ORDER BY owner_id"
    )
    owner = pick(
        rng,
        owners,
        "6+ receipts in downloads",
        distinct=True,
        unusable=(
            lambda o: bool(
                view.rows(
                    "SELECT 1 FROM file_system_files d JOIN file_system_files r ON r.owner_id = d.owner_id AND "
                    "r.path = '/documents/receipts/' || substr(d.path, length('/downloads/') + 1) "
                    "WHERE d.owner_id = ? AND d.path LIKE '/downloads/receipt_%'",
                    o["owner_id"],
                )
            ),
            "a receipt of the same name already in /documents/receipts (the move is refused)",
        ),
    )["owner_id"]
    rows = view.rows(
        "SELECT id, path, content FROM file_system_files WHERE owner_id = ? AND path LIKE '/downloads/receipt_%' "
        "ORDER BY path",
        owner,
    )
    totals = {r["id"]: receipt_total(r["content"]) for r in rows}
    answer = round(sum(totals.values()), 2)
    oracle = (
        Solution()
        .step(login("file_system"))
        .step(
            listing("entries", "/downloads") + "receipts = [e for e in entries if e['type'] == 'file' and "
            "e['name'].startswith('receipt_')]\nprint([e['name'] for e in receipts])\n"
        )
        .step(
            "moved = 0.0\n"
            "for e in receipts:\n"
            f"    text = {FS}.show_file(access_token=file_system_token, path=e['path'])['content']\n"
            "    total = float(text.split('Total: $')[1].split()[0])\n"
            f"    {FS}.move_file(access_token=file_system_token, source=e['path'], destination='/documents/receipts')\n"
            "    new_path = '/documents/receipts/' + e['name']\n"
            f"    {FS}.add_file_tag(access_token=file_system_token, path=new_path, tag='tax')\n"
            "    if total >= 100:\n"
            f"        {FS}.add_file_tag(access_token=file_system_token, path=new_path, tag='important')\n"
            "    moved += total\n"
        )
        .step(
            fetch_all("tagged", f"{FS}.show_tagged_files(access_token=file_system_token, tag='important'")
            + "print([t['path'] for t in tagged])\n"
            "apis.supervisor.complete_task(answer=round(moved, 2))\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        "Move every receipt file (named receipt_...) from my /downloads directory into /documents/receipts and tag "
        "each one 'tax'; tag the ones whose total is $100 or more 'important' as well. What do the moved receipts "
        "add up to, in dollars?",
        oracle,
        [
            *(
                Inserted(
                    "file_system_tags",
                    {"file_id": r["id"], "tag": tag, "owner_id": owner},
                    f"{r['path']} (${totals[r['id']]:.2f}) is tagged {tag}",
                    what="tags",
                )
                for r in rows
                for tag in ("tax", "important")
                if tag == "tax" or totals[r["id"]] >= 100
            ),
            Answer(answer, f"the answer is the moved receipts' sum (${answer})"),
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


def receipt_total(content: str) -> float:
    """The amount on a receipt file's 'Total: $...' line."""
    return float(content.split("Total: $")[1].split()[0])


def receipt_store(content: str) -> str:
    return content.split("Store: ")[1].splitlines()[0]


@scenario("file_system_receipts_total", apps=("file_system",))
def receipts_total(view: WorldView, rng: random.Random) -> TaskSpec:
    year = "2025"
    owners = view.rows(
        "SELECT owner_id FROM file_system_files WHERE path LIKE ? GROUP BY owner_id HAVING COUNT(*) >= 12 "
        "ORDER BY owner_id",
        f"/documents/receipts/receipt_{year}-%",
    )
    owner = pick(rng, owners, f"12+ receipts of {year}", distinct=True)["owner_id"]
    rows = view.rows(
        "SELECT id, path, content, EXISTS (SELECT 1 FROM file_system_tags t WHERE t.file_id = f.id AND t.tag = 'tax') "
        "AS taxed FROM file_system_files f WHERE owner_id = ? AND path LIKE ? ORDER BY path",
        owner,
        f"/documents/receipts/receipt_{year}-%",
    )
    by_store: dict[str, float] = {}
    for r in rows:
        store = receipt_store(r["content"])
        by_store[store] = round(by_store.get(store, 0.0) + receipt_total(r["content"]), 2)
    total = round(sum(by_store.values()), 2)
    summary = f"/documents/receipts/total_{year}.txt"
    content = "\n".join([*(f"{s}: ${a:.2f}" for s, a in sorted(by_store.items())), f"Total: ${total:.2f}"])
    oracle = (
        Solution()
        .step(login("file_system"))
        .step(
            fetch_all(
                "found",
                f"{FS}.search_files(access_token=file_system_token, query='receipt_{year}', "
                "directory='/documents/receipts'",
            )
            + "print(len(found), 'receipts')\n"
            + fetch_all("taxed", f"{FS}.show_tagged_files(access_token=file_system_token, tag='tax'")
            + "taxed = {t['path'] for t in taxed}\n"
        )
        .step(
            "by_store = {}\n"
            "for f in found:\n"
            f"    text = {FS}.show_file(access_token=file_system_token, path=f['path'])['content']\n"
            "    store = text.split('Store: ')[1].splitlines()[0]\n"
            "    by_store[store] = by_store.get(store, 0.0) + float(text.split('Total: $')[1].split()[0])\n"
            "    if f['path'] not in taxed:\n"
            f"        {FS}.add_file_tag(access_token=file_system_token, path=f['path'], tag='tax')\n"
            "total = sum(by_store.values())\n"
            "lines = ['%s: $%.2f' % (s, a) for s, a in sorted(by_store.items())] + ['Total: $%.2f' % total]\n"
        )
        .step(
            f"{FS}.create_file(access_token=file_system_token, path={summary!r}, content='\\n'.join(lines))\n"
            f"print({FS}.show_file(access_token=file_system_token, path={summary!r}))\n"
            "apis.supervisor.complete_task(answer=round(total, 2))\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        f"Sum up my {year} receipts in /documents/receipts (dated {year}) by store: save a new file {summary} with "
        "one line per store, '<store>: $<amount>' (two decimals), stores in alphabetical order, then a last line "
        "'Total: $<amount>'. Tag each of those receipts 'tax' if it is not yet. What is the total, in dollars?",
        oracle,
        [
            Answer(total, f"the answer is the sum of the {year} receipts (${total:.2f})"),
            Inserted(
                "file_system_files",
                new_file(owner, summary, content),
                f"{summary} holds the {len(by_store)} store totals in order and the total",
                what="summary files",
            ),
            *(
                Inserted(
                    "file_system_tags",
                    {"file_id": r["id"], "tag": "tax", "owner_id": owner},
                    f"{r['path']} is tagged tax",
                    what="tags",
                )
                for r in rows
                if not r["taxed"]
            ),
        ],
    )


PHOTOS_SINCE = "2025-10-01"


@scenario("file_system_count_photos", apps=("file_system",))
def count_photos(view: WorldView, rng: random.Random) -> TaskSpec:
    counts = view.rows(
        "SELECT owner_id, COUNT(*) AS n, SUM(path LIKE '%.jpg') AS jpg FROM file_system_files "
        "WHERE path LIKE '/photos/%' AND (path LIKE '%.jpg' OR path LIKE '%.jpeg') GROUP BY owner_id HAVING n > 5 "
        "ORDER BY owner_id"
    )
    counts = [
        c
        for c in counts
        if view.value(
            "SELECT COUNT(*) FROM file_system_files f JOIN file_system_tags t ON t.file_id = f.id "
            "AND t.tag = 'personal' WHERE f.owner_id = ? AND f.path LIKE '/photos/%' AND f.updated_at >= ?",
            c["owner_id"],
            PHOTOS_SINCE,
        )
    ]
    c = pick(rng, counts, "more than 5 photos, a recent one tagged personal", distinct=True)
    recent = view.rows(
        "SELECT id, path FROM file_system_files f WHERE owner_id = ? AND path LIKE '/photos/%' AND starred = 0 "
        "AND (path LIKE '%.jpg' OR path LIKE '%.jpeg') AND updated_at >= ? AND NOT EXISTS (SELECT 1 FROM "
        "file_system_tags t WHERE t.file_id = f.id AND t.tag = 'personal') ORDER BY path",
        c["owner_id"],
        PHOTOS_SINCE,
    )
    oracle = (
        Solution()
        .step(login("file_system"))
        .step(
            listing("entries", "/photos", recursive=True)
            + "photos = [e for e in entries if e['type'] == 'file' and e['name'].endswith(('.jpg', '.jpeg'))]\n"
            "print(len(photos), 'photos')\n"
        )
        .step(
            "for e in photos:\n"
            f"    if e['updated_at'] < {PHOTOS_SINCE!r}:\n"
            "        continue\n"
            f"    info = {FS}.show_file_info(access_token=file_system_token, path=e['path'])\n"
            "    if not info['starred'] and 'personal' not in info['tags']:\n"
            f"        {FS}.star_file(access_token=file_system_token, path=e['path'])\n"
        )
        .step(
            fetch_all("starred", f"{FS}.show_starred_files(access_token=file_system_token")
            + "print(len(starred), 'starred files')\n"
            "apis.supervisor.complete_task(answer=len(photos))\n"
        )
        .steps()
    )
    traps = {"5": "only the first page was counted (page_limit default 5)"}
    if c["jpg"] != c["n"]:
        traps[str(c["jpg"])] = "that counts only .jpg files; .jpeg files are photos too"
    return TaskSpec(
        c["owner_id"],
        "How many photos (.jpg or .jpeg files) are there under my /photos directory, subdirectories included? "
        f"Also star every one of them last modified on or after {PHOTOS_SINCE}, except those I tagged 'personal'.",
        oracle,
        [
            Answer(c["n"], f"the answer is the number of photos under /photos ({c['n']})", traps=traps),
            *(Updated("file_system_files", r["id"], {"starred": 1}, f"{r['path']} is starred") for r in recent),
        ],
    )


@scenario("file_system_fix_jpeg_extension", apps=("file_system",))
def fix_jpeg_extension(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows(
        "SELECT owner_id FROM file_system_files WHERE path LIKE '/photos/%.jpeg' GROUP BY owner_id "
        "HAVING COUNT(*) >= 14 ORDER BY owner_id"
    )
    owner = pick(rng, owners, "14+ .jpeg photos", distinct=True)["owner_id"]
    rows = [r for r in files_under(view, owner, "/photos") if r["path"].endswith(".jpeg")]
    albums = sorted({r["path"].rsplit("/", 1)[0] for r in rows})
    oracle = (
        Solution()
        .step(login("file_system"))
        .step(
            listing("entries", "/photos", recursive=True)
            + "wrong = [e for e in entries if e['type'] == 'file' and e['name'].endswith('.jpeg')]\n"
            "print(len(wrong), 'to rename')\n"
        )
        .step(
            "for e in wrong:\n"
            f"    {FS}.rename_file(access_token=file_system_token, path=e['path'], new_name=e['name'][:-5] + '.jpg')\n"
        )
        .step(
            "albums = sorted({e['path'].rsplit('/', 1)[0] for e in wrong})\n"
            "for album in albums:\n"
            + fetch_all(
                "after",
                f"{FS}.show_directory(access_token=file_system_token, path=album",
                indent="    ",
            )
            + "    print(album, sum(e['name'].endswith('.jpeg') for e in after), '.jpeg left')\n"
            "apis.supervisor.complete_task(answer=len(wrong))\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        "Under my /photos directory (every album in it), rename every .jpeg file so it ends in .jpg instead (same "
        "name otherwise), and tell me how many you renamed.",
        oracle,
        [
            Answer(len(rows), f"the answer is {len(rows)}, the .jpeg files renamed in {len(albums)} albums"),
            *(
                Updated(
                    "file_system_files", r["id"], {"path": r["path"][:-5] + ".jpg"}, f"{r['path']} is renamed to .jpg"
                )
                for r in rows
            ),
        ],
    )


NOTES_BEFORE = "2026-04-01"


@scenario("file_system_backup_project", apps=("file_system",))
def backup_project(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows(
        "SELECT owner_id FROM file_system_directories WHERE path LIKE '/work/%' GROUP BY owner_id "
        "HAVING COUNT(*) >= 2 ORDER BY owner_id"
    )
    owner = pick(rng, owners, "two work projects", distinct=True)["owner_id"]
    projects = [
        r["path"]
        for r in view.rows(
            "SELECT path FROM file_system_directories WHERE owner_id = ? AND path LIKE '/work/%' "
            "AND path NOT LIKE '/work/%/%' ORDER BY path",
            owner,
        )
    ]
    has_backups = bool(
        view.rows("SELECT 1 FROM file_system_directories WHERE owner_id = ? AND path = '/backups'", owner)
    )
    expectations: list[Expectation] = []
    total_files = 0
    for path in projects:
        project = path.rsplit("/", 1)[1]
        files = files_under(view, owner, path)
        members = {f"{project}/{r['path'][len(path) + 1 :]}": r["content"] for r in files}
        total_files += len(members)
        expectations.append(
            Inserted(
                "file_system_files",
                new_file(owner, f"/backups/{project}.zip", ArchiveOf(members)),
                f"/backups/{project}.zip is an archive of the whole {project} directory",
                what="archives",
            )
        )
        old = frozenset(
            r["id"]
            for r in files
            if r["path"].rsplit("/", 1)[1].startswith("meeting_notes_")
            and r["path"].rsplit("_", 1)[1][:10] < NOTES_BEFORE
        )
        expectations += files_deleted(view, old, f"the {len(old)} meeting notes of {project} before {NOTES_BEFORE}")
    expectations.append(Answer(total_files, f"the answer is {total_files}, the files in the archives together"))
    if not has_backups:
        expectations.append(
            Inserted(
                "file_system_directories",
                {"owner_id": owner, "path": "/backups"},
                "a /backups directory exists",
                what="directories",
            )
        )
    oracle = (
        Solution()
        .step(login("file_system"))
        .step(
            fetch_all("top", f"{FS}.show_directory(access_token=file_system_token, path='/', entry_type='directory'")
            + listing("work", "/work")
            + "projects = [e['path'] for e in work if e['type'] == 'directory']\n"
            "print(projects)\n"
        )
        .step(
            "if '/backups' not in [e['path'] for e in top]:\n"
            f"    {FS}.create_directory(access_token=file_system_token, path='/backups')\n"
            "archived = 0\n"
            "for path in projects:\n"
            "    archive = '/backups/' + path.rsplit('/', 1)[1] + '.zip'\n"
            f"    {FS}.compress(access_token=file_system_token, paths=[path], archive_path=archive)\n"
            + fetch_all(
                "inside", f"{FS}.show_archive_contents(access_token=file_system_token, archive_path=archive", "    "
            )
            + "    archived += len(inside)\n"
        )
        .step(
            "for path in projects:\n"
            + fetch_all("files", f"{FS}.show_directory(access_token=file_system_token, path=path", "    ")
            + "    for f in files:\n"
            "        if f['name'].startswith('meeting_notes_') and f['name'][len('meeting_notes_'):][:10] < "
            f"{NOTES_BEFORE!r}:\n"
            f"            {FS}.delete_file(access_token=file_system_token, path=f['path'])\n"
        )
        .step(
            fetch_all(
                "notes", f"{FS}.search_files(access_token=file_system_token, query='meeting_notes', directory='/work'"
            )
            + "print(sorted(n['path'] for n in notes))\n"
            "apis.supervisor.complete_task(answer=archived)\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        "Back up each project directory in my /work directory as a zip archive /backups/<project>.zip (create "
        "/backups if it is missing). Once backed up, clear out every meeting notes file of the projects dated before "
        f"{NOTES_BEFORE} (meeting_notes_<date>.txt): delete them, the archives keep them. How many files do the "
        "archives hold together?",
        oracle,
        expectations,
    )


BILLS_FROM = "2025-01"


@scenario("file_system_clean_old_downloads", apps=("file_system",))
def clean_old_downloads(view: WorldView, rng: random.Random) -> TaskSpec:
    cutoff = rng.choice(["2026-01-01", "2026-02-01", "2026-03-01"])
    rows = view.rows(
        "SELECT owner_id, SUM(updated_at < ? AND path NOT LIKE '/downloads/receipt_%') AS old, "
        "SUM(updated_at < ? AND path LIKE '/downloads/receipt_%') AS receipts, SUM(updated_at >= ?) AS new "
        "FROM file_system_files WHERE path LIKE '/downloads/%' GROUP BY owner_id "
        "HAVING old >= 1 AND receipts >= 1 AND new >= 1 ORDER BY owner_id",
        cutoff,
        cutoff,
        cutoff,
    )
    owner = pick(rng, rows, "old downloads, old receipts and new downloads", distinct=True)["owner_id"]
    old = [r for d in ("/downloads", "/videos") for r in files_under(view, owner, d) if r["updated_at"] < cutoff]
    deleted = frozenset(r["id"] for r in old if not r["path"].startswith("/downloads/receipt_"))
    kept = [r for r in old if r["path"].startswith("/downloads/receipt_")]
    bills = frozenset(
        r["id"] for r in files_under(view, owner, "/documents/bills") if r["path"].rsplit("_", 1)[1][:7] < BILLS_FROM
    )
    oracle = (
        Solution()
        .step(login("file_system"))
        .step(
            "old = []\n"
            "for directory in ['/downloads', '/videos']:\n"
            + fetch_all(
                "entries",
                f"{FS}.show_directory(access_token=file_system_token, path=directory, recursive=True",
                "    ",
            )
            + f"    old += [e for e in entries if e['type'] == 'file' and e['updated_at'] < {cutoff!r}]\n"
            "print([(e['path'], e['updated_at']) for e in old])\n"
            + listing("bills", "/documents/bills")
            + "old_bills = [e for e in bills if e['type'] == 'file' "
            f"and e['name'].rsplit('_', 1)[1][:7] < {BILLS_FROM!r}]\n"
            "print([e['name'] for e in old_bills])\n"
        )
        .step(
            "deleted = 0\n"
            "for e in old:\n"
            "    if e['path'].startswith('/downloads/receipt_'):\n"
            f"        {FS}.move_file(access_token=file_system_token, source=e['path'], "
            "destination='/documents/receipts')\n"
            "    else:\n"
            f"        {FS}.delete_file(access_token=file_system_token, path=e['path'])\n"
            "        deleted += 1\n"
            "for e in old_bills:\n"
            f"    {FS}.delete_file(access_token=file_system_token, path=e['path'])\n"
            "    deleted += 1\n"
        )
        .step(
            listing("left", "/downloads")
            + "print(len(left), 'downloads left')\n"
            + listing("videos", "/videos", recursive=True)
            + "print(len(videos), 'videos entries left')\n"
            + fetch_all(
                "receipts",
                f"{FS}.search_files(access_token=file_system_token, query='receipt_', directory='/documents/receipts'",
            )
            + "print(len(receipts), 'receipts filed')\n"
            + listing("bills_left", "/documents/bills")
            + "print(len(bills_left), 'bills left')\n"
            "apis.supervisor.complete_task(answer=deleted)\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        f"Clean up my /downloads and /videos directories: delete every file in them (subdirectories included) last "
        f"modified before {cutoff}, except the receipts in /downloads (named receipt_...), which go into "
        "/documents/receipts instead. Keep the newer files where they are. Also delete my bills in /documents/bills "
        f"for months before {BILLS_FROM} (the month is in the file name). Tell me how many files you deleted.",
        oracle,
        [
            *files_deleted(view, deleted, f"the {len(deleted)} downloads and videos before {cutoff}"),
            *files_deleted(view, bills, f"the {len(bills)} bills of months before {BILLS_FROM}"),
            *(
                Updated(
                    "file_system_files",
                    r["id"],
                    {"path": r["path"].replace("/downloads/", "/documents/receipts/")},
                    f"the old receipt {r['path']} is filed in /documents/receipts",
                )
                for r in kept
            ),
            Answer(
                len(deleted) + len(bills),
                f"the answer is {len(deleted) + len(bills)}, old downloads, videos and bills",
                traps={str(len(old) + len(bills)): "that counts the receipts, which were moved, not deleted"},
            ),
        ],
    )


@scenario("file_system_update_progress", apps=("file_system", "phone"))
def update_progress(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows(
        "SELECT owner_id FROM file_system_files WHERE path LIKE '/work/%/report.txt' GROUP BY owner_id "
        "HAVING COUNT(*) >= 2 ORDER BY owner_id"
    )
    owner = pick(rng, owners, "two project reports", distinct=True)["owner_id"]
    step = rng.choice([5, 10, 15])
    reports = view.rows(
        "SELECT * FROM file_system_files WHERE owner_id = ? AND path LIKE '/work/%/report.txt' ORDER BY path", owner
    )
    coworkers = view.rows(
        "SELECT DISTINCT p.id, c.first_name || ' ' || c.last_name AS name FROM phone_contacts c JOIN people p "
        "ON p.email = c.email WHERE c.owner_id = ? AND c.relationship = 'coworker' ORDER BY p.id",
        owner,
    )
    expectations: list[Expectation] = []
    for report in reports:
        old = int(report["content"].split("Progress: ")[1].split("%")[0])
        new = min(100, old + step)
        expectations.append(
            Updated(
                "file_system_files",
                report["id"],
                {
                    "content": report["content"].replace(f"Progress: {old}%", f"Progress: {new}%"),
                    "updated_at": WORLD_NOW.isoformat(timespec="seconds"),
                },
                f"{report['path']} says {new}%",
            )
        )
        expectations += shares_added(view, report, owner, [c["id"] for c in coworkers], "edit")
    oracle = (
        Solution()
        .step(login("file_system", "phone"))
        .step(
            fetch_all("found", f"{FS}.search_files(access_token=file_system_token, query='report', directory='/work'")
            + "reports = [f['path'] for f in found if f['name'] == 'report.txt']\n"
            + fetch_all("coworkers", "apis.phone.search_contacts(access_token=phone_token, relationship='coworker'")
            + "emails = sorted({c['email'] for c in coworkers if c['email']})\n"
            "print(reports, emails)\n"
        )
        .step(
            "for path in reports:\n"
            f"    text = {FS}.show_file(access_token=file_system_token, path=path)['content']\n"
            "    old = int(text.split('Progress: ')[1].split('%')[0])\n"
            f"    new = min(100, old + {step})\n"
            f"    {FS}.update_file(access_token=file_system_token, path=path, "
            "content=text.replace('Progress: %d%%' % old, 'Progress: %d%%' % new))\n"
            + fetch_all("shares", f"{FS}.show_file_shares(access_token=file_system_token, path=path", "    ")
            + "    have = {s['email'] for s in shares}\n"
            "    for email in emails:\n"
            "        if email not in have:\n"
            f"            {FS}.share_file(access_token=file_system_token, path=path, email=email, permission='edit')\n"
        )
        .step(
            "for path in reports:\n"
            f"    print({FS}.show_file(access_token=file_system_token, path=path)['content'])\n"
            + fetch_all("given", f"{FS}.show_my_shared_files(access_token=file_system_token")
            + "print(len(given), 'shares')\n"
            + DONE
        )
        .steps()
    )
    return TaskSpec(
        owner,
        f"In each of my project reports (/work/<project>/report.txt), raise the progress by {step} points (at most "
        "100%); leave the rest of each file as it is. Then make sure every coworker in my phone contacts can edit "
        "each report: share it with those it is not shared with yet.",
        oracle,
        expectations,
    )


EMAIL_FAVOURITES_AT_LEAST = 4  # file_system_text_emergency_contacts: contacts favourite only in the address book


def email_only_favourites(view: WorldView, owner: int) -> list[int]:
    """People saved in the phone (not as an old number) who are not phone favourites but whose email is a favourite
    of my address book."""
    return [
        r["id"]
        for r in view.rows(
            "SELECT DISTINCT p.id FROM phone_contacts k JOIN people p ON p.phone_number = k.phone_number "
            "WHERE k.owner_id = ?1 AND COALESCE(k.notes, '') != ?2 AND NOT EXISTS (SELECT 1 FROM phone_contacts f "
            "WHERE f.owner_id = ?1 AND f.phone_number = k.phone_number AND f.is_favorite = 1) AND EXISTS (SELECT 1 "
            "FROM email_contacts e WHERE e.owner_id = ?1 AND e.is_favorite = 1 AND lower(e.email) = lower(k.email)) "
            "ORDER BY p.id",
            owner,
            STALE,
        )
    ]


@scenario("file_system_text_emergency_contacts", apps=("file_system", "phone", "email"))
def text_emergency_contacts(view: WorldView, rng: random.Random) -> TaskSpec:
    """The people of the emergency file, then my other favourites: phone favourites and contacts whose email is an
    address-book favourite, one text each; a group chat of the file's people. Deep: 4+ contacts are favourites only
    in the address book (its favourites read, every contact's email matched), each texted."""
    files = view.rows(
        "SELECT f.owner_id, f.content FROM file_system_files f WHERE f.path = '/documents/emergency_contacts.txt' "
        "AND NOT EXISTS (SELECT 1 FROM phone_contacts k WHERE k.owner_id = f.owner_id AND k.is_favorite = 1 "
        "AND (k.notes = ? OR k.phone_number NOT IN (SELECT phone_number FROM people))) ORDER BY f.id",
        STALE,
    )

    def reachable(owner: int) -> bool:
        """No one to text blocked my number."""
        return not view.value(
            "SELECT COUNT(*) FROM phone_blocked b JOIN people me ON me.id = ? WHERE b.phone_number = me.phone_number "
            f"AND b.owner_id IN ({','.join('?' * len(email_only_favourites(view, owner))) or 'NULL'})",
            owner,
            *email_only_favourites(view, owner),
        )

    _, files = as_deep_as_found(
        (EMAIL_FAVOURITES_AT_LEAST, 2, 0),
        lambda least: [
            f for f in files if len(email_only_favourites(view, f["owner_id"])) >= least and reachable(f["owner_id"])
        ],
    )
    c = pick(rng, files, "emergency contacts file", distinct=True)
    numbers = [line.rsplit(": ", 1)[1] for line in c["content"].splitlines()]
    ids = [view.value("SELECT id FROM people WHERE phone_number = ?", n) for n in numbers]
    favourites = [
        r["id"]
        for r in view.rows(
            "SELECT DISTINCT p.id FROM phone_contacts k JOIN people p ON p.phone_number = k.phone_number "
            "WHERE k.owner_id = ? AND k.is_favorite = 1 ORDER BY p.id",
            c["owner_id"],
        )
        if r["id"] not in ids
    ]
    favourites += [p for p in email_only_favourites(view, c["owner_id"]) if p not in ids]
    text = rng.choice(["I'm back home safe.", "Storm warning tonight, stay inside!", "My new address is in my email."])
    chat = {"name": "Emergency", "created_by": c["owner_id"]}
    oracle = (
        Solution()
        .step(login("file_system", "phone", "email"))
        .step(
            f"text = {FS}.show_file(access_token=file_system_token, path='/documents/emergency_contacts.txt')"
            "['content']\n"
            "listed = [line.rsplit(': ', 1)[1] for line in text.splitlines()]\n"
            + fetch_all("starred", "apis.email.show_email_contacts(access_token=email_token, favorites_only=True")
            + "emails = {b['email'].lower() for b in starred}\n"
            + fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token")
            + "others = sorted({k['phone_number'] for k in contacts if k['is_favorite'] or (k['email'] and "
            f"k['email'].lower() in emails and k['notes'] != {STALE!r})}} - set(listed))\n"
            "print(listed, others)\n"
        )
        .step(
            "for number in listed + others:\n"
            f"    apis.phone.send_text_message(access_token=phone_token, phone_number=number, message={text!r})\n"
            "chat = apis.phone.create_group_chat(access_token=phone_token, name='Emergency', phone_numbers=listed)\n"
            "apis.phone.send_group_message(access_token=phone_token, group_chat_id=chat['group_chat_id'], "
            f"message={text!r})\n"
        )
        .step(
            fetch_all(
                "sent", f"apis.phone.search_text_messages(access_token=phone_token, direction='sent', query={text!r}"
            )
            + "print(len(sent))\n"
            + fetch_all("chats", "apis.phone.show_group_chats(access_token=phone_token, query='Emergency'")
            + "print(apis.phone.show_group_chat(access_token=phone_token, group_chat_id=chats[0]['group_chat_id']))\n"
            + DONE
        )
        .steps()
    )
    return TaskSpec(
        c["owner_id"],
        f"Text '{text}' to every person listed in my /documents/emergency_contacts.txt file and to each of my other "
        "favourites, one text each: my favourite phone contacts, and the phone contacts whose email address is a "
        "favourite in my email address book (not those saved at an old number no longer in use). Then start a group "
        "chat named 'Emergency' with the people in the file only, and post the same message there.",
        oracle,
        [
            *(
                Inserted(
                    "phone_messages",
                    {"sender_id": c["owner_id"], "receiver_id": person, "message": text, "is_read": 0},
                    f"{'emergency contact' if person in ids else 'favourite'} {full_name(view, person)} gets the text",
                    what="texts",
                )
                for person in [*ids, *favourites]
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
            Inserted(
                "phone_group_messages",
                {"group_id": NewRow("phone_group_chats", chat), "sender_id": c["owner_id"], "message": text},
                "the message is posted in the 'Emergency' chat",
                what="group messages",
            ),
        ],
    )


DINNER_REQUESTS_AT_LEAST = 3  # file_system_pay_dinner_split: pending requests from the people listed, each paid


def _dinner_debts(view: WorldView, content: str) -> list[tuple[int, float, str]]:
    """(person, amount, the amount as written) for each line of a dinner split file."""
    debts = []
    for line in content.splitlines()[1:]:
        name, written = line.rsplit(": $", 1)
        first, last = name.split(" ", 1)
        person = view.value("SELECT id FROM people WHERE first_name = ? AND last_name = ?", first, last)
        debts.append((person, float(written), written))
    return debts


def _pending_from(view: WorldView, owner: int, person: int) -> list[dict[str, Any]]:
    return view.rows(
        "SELECT * FROM payments_requests WHERE payer_id = ? AND requester_id = ? AND status = 'pending' ORDER BY id",
        owner,
        person,
    )


@scenario("file_system_pay_dinner_split", apps=("file_system", "payments", "phone"))
def pay_dinner_split(view: WorldView, rng: random.Random) -> TaskSpec:
    """Each person of the dinner split file paid what the file says and every request they have pending with me,
    then texted what I paid them. Deep: the requests are only on payments (3+ among the people listed, someone
    listed with none, so both texts), each paid on its own, each person looked up on payments and in the phone."""
    files = view.rows(
        "SELECT f.owner_id, f.content, b.balance FROM file_system_files f JOIN payments_balances b "
        "ON b.person_id = f.owner_id WHERE f.path = '/documents/dinner_split.txt' AND b.balance > 150 ORDER BY f.id"
    )

    def settled(at_least: int) -> list[dict[str, Any]]:
        """Files with 3+ people, `at_least` requests pending from them, someone with none, all of it affordable."""
        out = []
        for f in files:
            debts = _dinner_debts(view, f["content"])
            pending = [_pending_from(view, f["owner_id"], p) for p, _, _ in debts]
            due = sum(a for _, a, _ in debts) + sum(r["amount"] for rs in pending for r in rs)
            if (
                len(debts) >= 3
                and sum(map(len, pending)) >= at_least
                and any(not rs for rs in pending)
                and f["balance"] >= due
            ):
                out.append(f)
        return out

    _, usable = as_deep_as_found((DINNER_REQUESTS_AT_LEAST, 1, 0), settled)
    c = pick(rng, usable, "dinner split list with requests pending from its people and a funded payer", distinct=True)
    owner = c["owner_id"]
    debts = _dinner_debts(view, c["content"])
    private = view.value("SELECT default_private FROM payments_settings WHERE person_id = ?", owner)
    deltas: dict[int, float] = {owner: -round(sum(a for _, a, _ in debts), 2)}
    deltas.update({p: a for p, a, _ in debts})
    oracle = (
        Solution()
        .step(login("file_system", "payments", "phone"))
        .step(
            f"text = {FS}.show_file(access_token=file_system_token, path='/documents/dinner_split.txt')['content']\n"
            + fetch_all(
                "pending",
                "apis.payments.show_requests(access_token=payments_token, direction='received', status='pending'",
            )
            + "print(text, [(r['requester']['email'], r['amount']) for r in pending])\n"
        )
        .step(
            "for line in text.splitlines()[1:]:\n    name, amount = line.rsplit(': $', 1)\n"
            + "    email = apis.payments.search_users(access_token=payments_token, query=name)[0]['email']\n"
            + (
                "    apis.payments.send_money(access_token=payments_token, receiver_email=email, amount=float(amount), "
                "note='group dinner')\n"
            )
            + "    theirs = [r for r in pending if r['requester']['email'] == email]\n"
            + "    for r in theirs:\n"
            + "        apis.payments.approve_request(access_token=payments_token, request_id=r['request_id'])\n"
            + "    message = 'Paid you $' + amount + ' for the group dinner'\n"
            + "    if theirs:\n"
            + "        total = round(sum(r['amount'] for r in theirs), 2)\n"
            + "        message += f' and ${total:.2f} for your payment requests'\n"
            + fetch_all("found", "apis.phone.search_contacts(access_token=phone_token, query=name", indent="    ")
            + "    number = next(c['phone_number'] for c in found if c['first_name'] + ' ' + c['last_name'] == name "
            f"and c['notes'] != {STALE!r})\n"
            + "    apis.phone.send_text_message(access_token=phone_token, phone_number=number, message=message + '.')\n"
        )
        .step("print(apis.payments.show_balance(access_token=payments_token))\n")
        .step(DONE)
        .steps()
    )
    expectations: list[Expectation] = []
    paid: dict[tuple[int, float, str], int] = {}
    for person, amount, written in debts:
        expectations.append(
            Inserted(
                "payments_transactions",
                {
                    "sender_id": owner,
                    "receiver_id": person,
                    "amount": amount,
                    "note": Contains("group dinner"),
                    "private": private,
                },
                f"{full_name(view, person)} is paid ${amount:.2f}, with my default privacy",
                what="payments",
            )
        )
        theirs = _pending_from(view, owner, person)
        for r in theirs:
            expectations.append(
                Updated(
                    "payments_requests",
                    r["id"],
                    {"status": "approved", "resolved_at": WORLD_NOW.isoformat(timespec="seconds")},
                    f"{full_name(view, person)}'s request {r['id']} (${r['amount']:.2f}, {r['note']}) is paid",
                )
            )
            key = (person, r["amount"], r["note"])
            paid[key] = paid.get(key, 0) + 1
            deltas[owner] -= r["amount"]
            deltas[person] += r["amount"]
        message = f"Paid you ${written} for the group dinner"
        if theirs:
            message += f" and ${round(sum(r['amount'] for r in theirs), 2):.2f} for your payment requests"
        expectations.append(
            Inserted(
                "phone_messages",
                {"sender_id": owner, "receiver_id": person, "message": message + ".", "is_read": 0},
                f"{full_name(view, person)} is told by text what I paid them",
                what="texts",
            )
        )
    expectations += requests_paid(owner, paid)
    return TaskSpec(
        owner,
        "Pay everyone listed in my /documents/dinner_split.txt file what I owe them, on the payments app, with the "
        "note 'group dinner' and my default privacy. Also pay every payment request any of them has pending with "
        "me, whatever it is for (approve each as it is; requests from anyone else stay as they are). Then text each "
        "of them once, at their number in my phone contacts: 'Paid you $<amount as written in the file> for the "
        "group dinner.', or, to one whose requests I paid, 'Paid you $<amount as written in the file> for the group "
        "dinner and $<the sum of their requests I paid, two decimals> for your payment requests.'",
        oracle,
        expectations + balance_changes(view, deltas),
    )
