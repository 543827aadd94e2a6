"""file_system data: a realistic tree per person, with look-alikes that tasks can use as distractors.

Everyone has documents (receipts, two tax years, monthly bills, resumes and leases in old and new
versions), photo albums, work projects, downloads (some duplicated as "name (1).pdf"), a trash,
shares with the people they know, tags and stars. Dates spread over the two years before now.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from envs.toolworld.apps._file_system_base import app
from envs.toolworld.apps._generation import Clock, between
from envs.toolworld.world.build import WorldBuilder
from envs.toolworld.world.people import Person

STORES = (
    "Green Basket",
    "Corner Hardware",
    "Page Turner Books",
    "Fuel Stop",
    "Bean There Cafe",
    "Pet Palace",
    "City Pharmacy",
)
TRIPS = ("lisbon_2025", "camping_2025", "tokyo_2026", "beach_weekend", "grand_canyon", "paris_2024", "ski_trip_2026")
PROJECTS = ("apollo", "harbor", "lighthouse", "orchard", "apollo_v2", "beacon")
DOWNLOADS = (
    "setup_guide.pdf",
    "bank_statement.pdf",
    "concert_ticket.pdf",
    "wallpaper.png",
    "installer.dmg",
    "menu.pdf",
    "boarding_pass.pdf",
    "invoice_template.docx",
    "syllabus.pdf",
    "map.png",
)
UTILITIES = {"electricity": (40, 160), "water": (20, 70), "internet": (45, 90), "phone": (30, 85), "gas": (25, 120)}
RECIPES = ("banana_bread", "lentil_soup", "pad_thai", "pancakes", "chili", "guacamole", "lasagna", "curry", "tacos")
INGREDIENTS = ("flour", "eggs", "milk", "onion", "garlic", "rice", "beans", "tomato", "lime", "butter", "sugar")
JOBS = ("Analyst", "Designer", "Engineer", "Manager", "Nurse", "Teacher", "Writer")
BILLS = "/documents/bills"
BASE_DIRS = (
    "/documents",
    "/documents/receipts",
    "/documents/taxes",
    "/documents/taxes/2024",
    "/documents/taxes/2025",
    BILLS,
    "/documents/medical",
    "/documents/insurance",
    "/documents/recipes",
    "/downloads",
    "/photos",
    "/photos/family",
    "/photos/screenshots",
    "/videos",
    "/work",
)
TAGGABLE = ("important", "work", "personal", "tax", "red", "blue", "green", "yellow")
Files = dict[str, tuple[str, int]]  # path -> (content, age in days)
Stamp = Callable[[int], str]  # a timestamp about that many days ago


def _money(rng: random.Random, low: float, high: float) -> float:
    return round(rng.uniform(low, high), 2)


def _receipts(rng: random.Random, today: date, files: Files) -> None:
    for count, folder, oldest in (
        (between(rng, 20, 45), "/documents/receipts", 700),
        (between(rng, 3, 9), "/downloads", 200),
    ):
        for _ in range(count):
            day = today - timedelta(days=between(rng, 1, oldest))
            files[f"{folder}/receipt_{day.isoformat()}_{between(rng, 10, 99)}.txt"] = (
                f"Store: {rng.choice(STORES)}\nDate: {day.isoformat()}\nTotal: ${_money(rng, 4, 180):.2f}",
                (today - day).days,
            )


def _bill(rng: random.Random, utility: str, back: int, status: str, today: date, files: Files) -> None:
    """The bill of `utility` for the month `back` months before the last one."""
    low, high = UTILITIES[utility]
    month = (today.replace(day=1) - timedelta(days=30 * back + 15)).strftime("%Y-%m")
    files[f"{BILLS}/{utility}_{month}.txt"] = (
        f"{utility.title()} bill\nPeriod: {month}\nAmount due: ${_money(rng, low, high):.2f}\n"
        f"Due date: {month}-{between(rng, 10, 28)}\nStatus: {status}",
        30 * back + between(rng, 0, 10),
    )


def _more_bills(rng: random.Random, today: date, files: Files) -> set[str]:
    """Denser bills, from their own generator so everyone's other files stay as they were.

    A household pays 3-5 utilities (electricity, water, internet, phone, gas), not 2-3; last month's bill is
    often still open when the month turns (65%, not 50%) and a fifth of the month before is overdue too. So a
    person has 1-7 unpaid bills (mean ~3.4) instead of 0-3, of several kinds and two periods. Returns the paths
    of the files it added (their timestamps come from this generator too)."""
    have = sorted({path.rsplit("/", 1)[1].split("_")[0] for path in files if path.startswith(f"{BILLS}/")})
    for path, (content, age) in sorted(files.items()):
        back = age // 30  # a bill's file is 30 days older per month back, plus 0-10 days
        if path.startswith(f"{BILLS}/") and back <= 1 and "Status: paid" in content and rng.random() < (0.3, 0.2)[back]:
            files[path] = (content.replace("Status: paid", "Status: unpaid"), age)
    added: set[str] = set()
    extra = [u for u in sorted(UTILITIES) if u not in have]
    for utility in rng.sample(extra, max(0, rng.choice((3, 4, 4, 5)) - len(have))):
        for back in range(between(rng, 14, 22)):
            status = "unpaid" if rng.random() < (0.65, 0.2, 0.0)[min(back, 2)] else "paid"
            before = set(files)
            _bill(rng, utility, back, status, today, files)
            added |= set(files) - before
    return added


def _documents(rng: random.Random, person: Person, today: date, files: Files) -> None:
    employer = f"{rng.choice(PROJECTS).split('_')[0].title()} Inc."
    for year in (2024, 2025):
        age = (today - date(year + 1, 2, 1)).days + between(rng, 0, 20)
        wages = between(rng, 30, 160) * 1000
        files[f"/documents/taxes/w2_{year}.txt"] = (f"W-2 {year}\nEmployer: {employer}\nWages: ${wages}", age)
        files[f"/documents/taxes/{year}/1099_int.txt"] = (f"1099-INT {year}\nInterest: ${_money(rng, 3, 400):.2f}", age)
        files[f"/documents/taxes/{year}/deductions.csv"] = (
            "item,amount\n"
            + "\n".join(f"{k},{_money(rng, 20, 900):.2f}" for k in ("charity", "medical", "home_office", "education")),
            age - 10,
        )
        refund = _money(rng, -800, 2500)
        files[f"/documents/taxes/{year}/tax_return_draft.txt"] = (
            f"Tax return {year} (DRAFT)\nWages: ${wages}\nRefund: ${refund + _money(rng, 50, 300):.2f}",
            age - 30,
        )
        files[f"/documents/taxes/{year}/tax_return_final.txt"] = (
            f"Tax return {year} (FILED)\nWages: ${wages}\nRefund: ${refund:.2f}",
            age - 60,
        )
    for utility in rng.sample(sorted(UTILITIES), between(rng, 2, 3)):
        for back in range(between(rng, 14, 22)):
            _bill(rng, utility, back, "unpaid" if back == 0 and rng.random() < 0.5 else "paid", today, files)
    job = rng.choice(JOBS)
    resume = f"{person.full_name}\n{person.email} | {person.phone_number}\nExperience: {job} at {employer}"
    files["/documents/resume.txt"] = (resume + f", {between(rng, 2, 9)} years", between(rng, 5, 90))
    files["/documents/resume_old.txt"] = (resume.replace(employer, "Previous Co."), between(rng, 300, 700))
    files["/documents/cover_letter_draft.txt"] = (f"Dear hiring manager,\nI am applying as {job}. [TODO]", 60)
    files["/documents/cover_letter_final.txt"] = (f"Dear hiring manager,\nI am applying as {job}.", 40)
    for year, age in ((2024, between(rng, 400, 600)), (2025, between(rng, 30, 300))):
        files[f"/documents/lease_agreement_{year}.txt"] = (
            f"Lease {year}\nMonthly rent: ${between(rng, 9, 30) * 100}\nTerm: 12 months",
            age,
        )
        files[f"/documents/insurance/car_insurance_{year + 1}.txt"] = (
            f"Car insurance {year + 1}\nPremium: ${_money(rng, 600, 1900):.2f}\n"
            f"Policy: CI-{between(rng, 10000, 99999)}",
            age,
        )
    for year in rng.sample((2023, 2024, 2025), between(rng, 1, 3)):
        files[f"/documents/medical/checkup_{year}.txt"] = (
            f"Checkup {year}\nBlood pressure: {between(rng, 105, 140)}/{between(rng, 65, 90)}",
            (today - date(year, between(rng, 1, 12), 15)).days % 700 + 1,
        )
    for recipe in rng.sample(RECIPES, between(rng, 3, 8)):
        files[f"/documents/recipes/{recipe}.txt"] = (
            f"{recipe.replace('_', ' ').title()}\nIngredients: {', '.join(rng.sample(INGREDIENTS, 4))}",
            between(rng, 10, 700),
        )


def _photos(rng: random.Random, trips: list[str], files: Files) -> None:
    for trip in trips:
        for i in range(between(rng, 6, 30)):
            ext = "jpeg" if rng.random() < 0.3 else "jpg"
            files[f"/photos/{trip}/IMG_{between(rng, 1000, 9999)}_{i}.{ext}"] = (
                f"<image {trip} #{i}, {rng.choice(('3024x4032', '4032x3024'))}>",
                between(rng, 30, 700),
            )
    for i in range(between(rng, 4, 20)):
        files[f"/photos/family/family_{i:02d}.jpg"] = (f"<image family #{i}>", between(rng, 1, 700))
    for i in range(between(rng, 3, 15)):
        files[f"/photos/screenshots/screenshot_{i:03d}.png"] = (f"<screenshot #{i}>", between(rng, 1, 300))
    for i in range(between(rng, 1, 6)):
        files[f"/videos/clip_{i:02d}.mp4"] = (f"<video #{i}, {between(rng, 5, 600)} s>", between(rng, 1, 600))


def _work(rng: random.Random, projects: list[str], today: date, files: Files) -> None:
    for project in projects:
        files[f"/work/{project}/report.txt"] = (
            f"{project.title()} status report\nProgress: {between(rng, 10, 95)}%\n"
            f"Risks: {rng.choice(('none', 'budget', 'staffing'))}",
            between(rng, 1, 60),
        )
        files[f"/work/{project}/budget.csv"] = (
            "item,amount\n" + "\n".join(f"{k},{between(rng, 100, 5000)}" for k in ("travel", "hardware", "software")),
            between(rng, 1, 90),
        )
        for _ in range(between(rng, 3, 12)):
            day = today - timedelta(days=between(rng, 1, 400))
            files[f"/work/{project}/meeting_notes_{day.isoformat()}.txt"] = (
                f"{project.title()} meeting {day.isoformat()}\nDecisions: {rng.choice(('ship', 'delay', 'hire'))}",
                (today - day).days,
            )


def _downloads(rng: random.Random, files: Files) -> None:
    for name in rng.sample(DOWNLOADS, between(rng, 2, 7)):
        age = between(rng, 1, 400)
        files[f"/downloads/{name}"] = (f"<{name}>", age)
        if rng.random() < 0.3:
            stem, ext = name.rsplit(".", 1)
            files[f"/downloads/{stem} (1).{ext}"] = (f"<{name}>", max(0, age - between(rng, 0, 30)))


def _people_lists(rng: random.Random, w: WorldBuilder, person: Person, by_id: dict[int, Person], files: Files) -> None:
    family = [by_id[i] for i in w.related(person.id, ("family", "roommate"))]
    if family:
        files["/documents/emergency_contacts.txt"] = (
            "\n".join(f"{p.first_name} {p.last_name}: {p.phone_number}" for p in family),
            between(rng, 50, 300),
        )
    friends = [by_id[i] for i in w.related(person.id, ("friend",))]
    if len(friends) >= 2:
        lines = [
            f"{p.first_name} {p.last_name}: ${between(rng, 8, 45)}.{rng.choice(('00', '50'))}"
            for p in rng.sample(friends, min(len(friends), between(rng, 2, 3)))
        ]
        files["/documents/dinner_split.txt"] = (
            "Money I owe from the group dinner\n" + "\n".join(lines),
            between(rng, 1, 20),
        )


def _backups(rng: random.Random, projects: list[str], files: Files) -> list[str]:
    if rng.random() >= 0.4:
        return []
    for project in projects:
        month = rng.choice(("2025-01", "2025-06", "2025-11"))
        members = {f"{project}/report.txt": f"{project.title()} status report\nProgress: {between(rng, 5, 40)}%"}
        files[f"/backups/{project}_{month}.zip"] = (json.dumps(members, sort_keys=True), between(rng, 150, 500))
    return ["/backups"]


def _trash(rng: random.Random, owner: int, stamp: Stamp, trips: list[str]) -> list[dict[str, Any]]:
    rows = []
    for i in range(between(rng, 4, 20)):
        age = between(rng, 0, 90)
        kind = rng.random()
        if kind < 0.4:
            path, content = f"/downloads/{rng.choice(DOWNLOADS)}", "<old download>"
        elif kind < 0.7:
            photo = f"IMG_{between(rng, 1000, 9999)}_{90 + i}.jpg"
            path, content = f"/photos/{rng.choice(trips)}/{photo}", "<blurry image>"
        elif kind < 0.9:
            path, content = f"/documents/draft_{i}.txt", f"Draft {i}\nnotes to self"
        else:
            held = {
                "directories": {},
                "files": {f"old_{j}.txt": [f"old note {j}", stamp(400), stamp(300)] for j in range(3)},
            }
            rows.append(_trash_row(owner, f"/old_stuff_{i}", "directory", json.dumps(held, sort_keys=True), stamp, age))
            continue
        rows.append(_trash_row(owner, path, "file", content, stamp, age))
    return rows


def _trash_row(owner: int, path: str, kind: str, content: str, stamp: Stamp, age: int) -> dict[str, Any]:
    return {
        "owner_id": owner,
        "original_path": path,
        "kind": kind,
        "content": content,
        "created_at": stamp(age + 200),
        "updated_at": stamp(age + 100),
        "deleted_at": stamp(age),
    }


@app.populator
def populate(w: WorldBuilder) -> None:
    rng = w.rng("file_system")
    bills_rng = w.rng("file_system:bills")
    by_id = {p.id: p for p in w.people}
    today = w.now.date()

    clock = Clock(w.now)

    def stamp(days: int) -> str:
        return clock.stamp(rng, days)

    dir_rows, file_rows, trash_rows, settings = [], [], [], []
    owners: list[Person] = []
    for person in w.people:
        trips = rng.sample(TRIPS, between(rng, 1, 3))
        projects = rng.sample(PROJECTS, between(rng, 1, 3))
        files: Files = {}
        _receipts(rng, today, files)
        _documents(rng, person, today, files)
        added = _more_bills(bills_rng, today, files)
        _photos(rng, trips, files)
        _work(rng, projects, today, files)
        _downloads(rng, files)
        _people_lists(rng, w, person, by_id, files)
        extra = _backups(rng, projects, files)
        dirs = [*BASE_DIRS, *(f"/photos/{t}" for t in trips), *(f"/work/{p}" for p in projects), *extra]
        dir_rows += [
            {"owner_id": person.id, "path": d, "created_at": stamp(700 + between(rng, 0, 30))} for d in sorted(dirs)
        ]
        for path, (content, age) in sorted(files.items()):
            draw = bills_rng if path in added else rng
            file_rows.append(
                {
                    "owner_id": person.id,
                    "path": path,
                    "content": content,
                    "created_at": clock.stamp(draw, age + between(draw, 1, 30)),
                    "updated_at": clock.stamp(draw, age),
                    "starred": int(draw.random() < 0.04),
                }
            )
            owners.append(person)
        trash_rows += _trash(rng, person.id, stamp, trips)
        settings.append(
            {
                "owner_id": person.id,
                "default_share_permission": rng.choice(("view", "view", "edit")),
                "trash_retention_days": rng.choice((30, 30, 7, 60)),
            }
        )
    ids = w.insert("file_system_files", file_rows)
    w.insert("file_system_directories", dir_rows)
    w.insert("file_system_trash", trash_rows)
    w.insert("file_system_settings", settings)
    _shares_and_tags(w, rng, stamp, list(zip(ids, file_rows, strict=True)))


def _shares_and_tags(
    w: WorldBuilder, rng: random.Random, stamp: Stamp, files: list[tuple[int, dict[str, Any]]]
) -> None:
    """Shares follow relations: work files with coworkers, documents with family, photos with friends."""
    audience = {"/work/": ("coworker",), "/documents/": ("family", "roommate"), "/photos/": ("friend", "family")}
    shares, tags, seen = [], [], set()
    for file_id, row in files:
        top = "/" + row["path"].split("/")[1] + "/"
        if top in audience and rng.random() < 0.06:
            people = w.related(row["owner_id"], audience[top])
            for other in rng.sample(people, min(len(people), between(rng, 1, 2))):
                if (file_id, other) not in seen:
                    seen.add((file_id, other))
                    shares.append(
                        {
                            "file_id": file_id,
                            "owner_id": row["owner_id"],
                            "shared_with_id": other,
                            "permission": rng.choice(("view", "view", "edit")),
                            "created_at": stamp(between(rng, 0, 300)),
                        }
                    )
        if top != "/downloads/" and rng.random() < 0.08:
            for tag in rng.sample(TAGGABLE, between(rng, 1, 2)):
                tags.append({"file_id": file_id, "owner_id": row["owner_id"], "tag": tag})
    w.insert("file_system_shares", shares)
    w.insert("file_system_tags", tags)
