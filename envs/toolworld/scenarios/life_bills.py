"""Life admin around the bill files in /documents/bills: todo reminders, notes, calendar and payments."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from envs.toolworld.evaluate import Answer, Expectation, HasLines, InBlocks, Inserted, NewRow, Updated, runs
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, login, pick
from envs.toolworld.scenarios._life import BILLS, NOW, PARSE_BILL, TODAY, bills, done, project_of
from envs.toolworld.scenarios._rows import new_note, new_task
from envs.toolworld.scenarios.shop_bills_files import receipt
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

FIND_UNPAID = (
    PARSE_BILL
    + fetch_all(
        "hits",
        f"apis.file_system.search_file_contents(access_token=file_system_token, text='Status: unpaid', "
        f"directory={BILLS!r}",
    )
    + "unpaid = []\n"
    "for path in sorted({h['path'] for h in hits}):\n"
    "    file = apis.file_system.show_file(access_token=file_system_token, path=path)\n"
    "    bill = parse_bill(path, file['content'])\n"
    "    if bill['status'] == 'unpaid':\n"
    "        info = apis.file_system.show_file_info(access_token=file_system_token, path=path)\n"
    "        unpaid.append({**bill, 'starred': info['starred'], 'tags': info['tags']})\n"
    "print([(b['kind'], b['period'], b['amount']) for b in unpaid])\n"
)


def _money(amount: float) -> str:
    return f"${amount:.2f}"


@scenario("life_bills_unpaid_todo", apps=("file_system", "todo"))
def bills_unpaid_todo(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep because the owner has 4-7 unpaid bills of several kinds and two months among 50-100 bill files: each is
    read, its star checked (file info) and turned into a task."""
    owners = view.rows(
        f"SELECT f.owner_id FROM file_system_files f JOIN todo_projects p ON p.owner_id = f.owner_id "
        f"AND p.name = 'Finance' AND p.archived = 0 WHERE f.path LIKE '{BILLS}/%' "
        "AND f.content LIKE '%Status: unpaid%' "
        "GROUP BY f.owner_id HAVING COUNT(DISTINCT p.id) = 1 AND COUNT(DISTINCT f.id) >= 4 ORDER BY f.owner_id"
    )
    owner = pick(rng, owners, "person with 4+ unpaid bills and a Finance project", distinct=True)["owner_id"]
    project = project_of(view, owner, "Finance")
    assert project is not None
    unpaid = [b for b in bills(view, owner) if b["status"] == "unpaid"]
    total = round(sum(b["amount"] for b in unpaid), 2)
    look = FIND_UNPAID + fetch_all("projects", "apis.todo.show_projects(access_token=todo_token, query='Finance'")
    look += "finance = next(p for p in projects if p['name'] == 'Finance')\n"
    look += fetch_all("tasks", "apis.todo.search_tasks(access_token=todo_token, project_id=finance['project_id']")
    look += "have = {t['title'] for t in tasks}\n"
    act = """\
    for bill in unpaid:
        if not bill['starred']:
            apis.file_system.star_file(access_token=file_system_token, path=bill['path'])
        title = f"Pay the {bill['kind']} bill for {bill['period']}"
        if title not in have:
            apis.todo.create_task(access_token=todo_token, project_id=finance['project_id'], title=title,
                                  due_date=bill['due'], priority=1, description=f"Amount due: ${bill['amount']:.2f}")
    """
    check = fetch_all("after", "apis.todo.search_tasks(access_token=todo_token, project_id=finance['project_id']")
    check += "print([t['title'] for t in after if t['title'].startswith('Pay the ')])\n"
    check += "total = round(sum(b['amount'] for b in unpaid), 2)\n"
    expectations: list[Expectation] = []
    for b in unpaid:
        title = f"Pay the {b['kind']} bill for {b['period']}"
        expectations.append(
            Inserted(
                "todo_tasks",
                new_task(
                    owner,
                    project["id"],
                    title,
                    due_date=b["due"],
                    priority=1,
                    description=f"Amount due: {_money(b['amount'])}",
                ),
                f"a task '{title}' due {b['due']}, priority 1, with the amount due",
                what=f"tasks '{title}'",
            )
        )
        if not b["starred"]:
            expectations.append(Updated("file_system_files", b["id"], {"starred": 1}, f"{b['path']} is starred"))
    all_total = round(sum(b["amount"] for b in bills(view, owner)), 2)
    expectations.append(
        Answer(total, f"the total still due is {total}", traps={f"{all_total:g}": "that sums every bill, paid too"})
    )
    return TaskSpec(
        owner,
        f"Some of my bills in {BILLS} are still marked unpaid. For each unpaid bill: star its file, and add a task "
        "'Pay the <kind> bill for <period>' (kind as in the file name, like 'gas'; period as in the bill, like "
        "'2026-04') to my Finance project in my todo app, due on the bill's due date, priority 1, with the "
        "description 'Amount due: $<amount>' (two decimals). Then tell me the total amount still due.",
        Solution().step(login("file_system", "todo")).step(look).step(act).step(check).step(done("total")).steps(),
        expectations,
    )


@scenario("life_bills_year_note", apps=("file_system", "notes"))
def bills_year_note(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep because two utilities' bills of a year are 12-24 files, each read (the amount is only in the file), among
    the other kinds' and years' bills; the answer adds the two kinds up month by month."""
    kind, other = rng.sample(["electricity", "gas", "water", "internet", "phone"], 2)
    year = "2025"
    owners = view.rows(
        f"SELECT owner_id FROM file_system_files WHERE path LIKE '{BILLS}/%_{year}-%' GROUP BY owner_id "
        f"HAVING SUM(path LIKE '{BILLS}/{kind}_%') >= 6 AND SUM(path LIKE '{BILLS}/{other}_%') >= 6 "
        "AND NOT EXISTS (SELECT 1 FROM notes_notes n WHERE n.owner_id = file_system_files.owner_id "
        "AND n.title LIKE '%bills%') ORDER BY owner_id"
    )
    owner = pick(rng, owners, f"person with {kind} and {other} bills in {year}", distinct=True)["owner_id"]
    found = [b for b in bills(view, owner) if b["kind"] in (kind, other) and b["period"].startswith(f"{year}-")]
    lines = [f"{b['kind'].capitalize()} {b['period']}: {_money(b['amount'])}" for b in found]
    total = f"Total: {_money(round(sum(b['amount'] for b in found), 2))}"
    months: dict[str, float] = {}
    for b in found:
        months[b["period"]] = round(months.get(b["period"], 0.0) + b["amount"], 2)
    top = max(months, key=lambda m: (months[m], m))
    lowest = min(months, key=lambda m: (months[m], m))
    title = f"{kind.capitalize()} and {other} bills {year}"
    look = PARSE_BILL + "mine = []\n"
    for each in (kind, other):
        look += fetch_all(
            "files",
            f"apis.file_system.search_files(access_token=file_system_token, query='{each}_{year}-', "
            f"directory={BILLS!r}",
        )
        look += f"for f in sorted(files, key=lambda f: f['path']):\n    if f['name'].startswith('{each}_{year}-'):\n"
        look += "        mine.append(parse_bill(f['path'], apis.file_system.show_file(access_token=file_system_token, "
        look += "path=f['path'])['content']))\n"
    look += "print([(b['kind'], b['period'], b['amount']) for b in mine])\n"
    act = (
        "lines = [f\"{b['kind'].capitalize()} {b['period']}: ${b['amount']:.2f}\" for b in mine]\n"
        "lines.append(f\"Total: ${round(sum(b['amount'] for b in mine), 2):.2f}\")\n"
        f"created = apis.notes.create_note(access_token=notes_token, title={title!r}, content='\\n'.join(lines))\n"
        "months = {}\n"
        "for b in mine:\n"
        "    months[b['period']] = round(months.get(b['period'], 0) + b['amount'], 2)\n"
        "top = max(months, key=lambda m: (months[m], m))\n"
    )
    check = "print(apis.notes.show_note(access_token=notes_token, note_id=created['note_id'])['content'])\n"
    return TaskSpec(
        owner,
        f"Make me a note titled '{title}' listing my {kind} and {other} bills of {year} from the files in {BILLS}: "
        f"one line per bill, '<Kind> YYYY-MM: $<amount>' (the kind as in the file name, capitalized, then the "
        f"bill's period, two decimals; like '{kind.capitalize()} {year}-03: $41.20'), then a last line "
        "'Total: $<sum of them all>'. Then tell me in which month (YYYY-MM) the two together cost the most.",
        Solution().step(login("file_system", "notes")).step(look).step(act).step(check).step(done("top")).steps(),
        [
            Inserted(
                "notes_notes",
                new_note(owner, title, receipt(lines, total)),
                f"a note '{title}' with the {len(lines)} {kind} and {other} bills of {year}, then '{total}'",
                what=f"notes '{title}'",
            ),
            Answer(
                top,
                f"{kind} and {other} together cost the most in {top}",
                traps={lowest: "that is the cheapest month"},
            ),
        ],
    )


QUARTER = ("2026-01", "2026-02", "2026-03")  # life_bills_split_roommates: the first quarter of 2026
QUARTER_BILLS_AT_LEAST = 9  # each read for its amount and status


@scenario("life_bills_split_roommates", apps=("file_system", "phone", "payments"))
def bills_split_roommates(view: WorldView, rng: random.Random) -> TaskSpec:
    """A quarter's paid bills split with my roommates. Deep: the amount and status of each of the
    QUARTER_BILLS_AT_LEAST+ bills are only in its file (show_file each), and a bill still unpaid waits (1+ in the
    quarter), so reading names alone, or splitting every bill, asks for the wrong money."""
    candidates = view.rows(
        "SELECT c.owner_id, COUNT(*) AS n FROM phone_contacts c JOIN people f ON f.email = c.email "
        "WHERE c.relationship = 'roommate' AND f.id != c.owner_id AND NOT EXISTS (SELECT 1 FROM payments_settings s "
        "WHERE s.person_id = f.id AND s.allow_requests_from != 'everyone' AND NOT EXISTS (SELECT 1 FROM "
        "payments_friends x WHERE x.owner_id = f.id AND x.friend_id = c.owner_id)) GROUP BY c.owner_id "
        "HAVING n = (SELECT COUNT(*) FROM phone_contacts d WHERE d.owner_id = c.owner_id "
        "AND d.relationship = 'roommate') ORDER BY c.owner_id"
    )
    in_quarter = {o["owner_id"]: [b for b in bills(view, o["owner_id"]) if b["period"] in QUARTER] for o in candidates}
    usable = [
        o
        for o in candidates
        if len(found := in_quarter[o["owner_id"]]) >= QUARTER_BILLS_AT_LEAST
        and any(b["status"] == "unpaid" for b in found)
    ]
    owner = pick(
        rng,
        usable,
        f"person with roommates and {QUARTER_BILLS_AT_LEAST}+ bills in {QUARTER[0]}..{QUARTER[-1]}, one still unpaid",
        distinct=True,
    )["owner_id"]
    found = in_quarter[owner]
    paid = [b for b in found if b["status"] == "paid"]
    mates = view.rows(
        "SELECT DISTINCT f.id, f.email FROM phone_contacts c JOIN people f ON f.email = c.email WHERE c.owner_id = ? "
        "AND c.relationship = 'roommate' ORDER BY f.id",
        owner,
    )
    people = len(mates) + 1
    look = PARSE_BILL + "quarter = []\n" + f"for period in {list(QUARTER)!r}:\n"
    look += fetch_all(
        "files",
        f"apis.file_system.search_files(access_token=file_system_token, query='_' + period, directory={BILLS!r}",
        "    ",
    )
    look += (
        "    quarter += [parse_bill(f['path'], apis.file_system.show_file(access_token=file_system_token, "
        "path=f['path'])['content']) for f in files if f['name'].endswith('_' + period + '.txt')]\n"
    )
    look += "month = [b for b in quarter if b['status'] == 'paid']\n"
    look += "print([(b['kind'], b['period'], b['amount'], b['status']) for b in quarter])\n"
    look += fetch_all("mates", "apis.phone.search_contacts(access_token=phone_token, relationship='roommate'")
    look += "emails = sorted({m['email'] for m in mates if m['email']})\nprint(emails)\n"
    act = (
        "mine = 0.0\n"
        "for bill in month:\n"
        "    share = round(bill['amount'] / (len(emails) + 1), 2)\n"
        "    mine += share\n"
        "    for email in emails:\n"
        "        apis.payments.request_money(access_token=payments_token, payer_email=email, amount=share, "
        "note=f\"{bill['kind'].capitalize()} {bill['period']}\")\n"
    )
    check = fetch_all(
        "sent", "apis.payments.show_requests(access_token=payments_token, direction='sent', status='pending'"
    )
    check += "print(len(sent), sorted((r['payer']['email'], r['amount'], r['note']) for r in sent)[:30])\n"
    expectations: list[Expectation] = []
    for b in paid:
        share = round(b["amount"] / people, 2)
        note = f"{b['kind'].capitalize()} {b['period']}"
        for m in mates:
            expectations.append(
                Inserted(
                    "payments_requests",
                    {"requester_id": owner, "payer_id": m["id"], "amount": share, "note": note, "status": "pending"}
                    | {"created_at": NOW, "resolved_at": None, "reminders": 0, "last_reminded_at": None},
                    f"{m['email']} is asked for {share} with the note '{note}'",
                    what=f"requests to {m['email']} for '{note}'",
                )
            )
    mine = round(sum(round(b["amount"] / people, 2) for b in paid), 2)
    every = round(sum(round(b["amount"] / people, 2) for b in found), 2)
    return TaskSpec(
        owner,
        f"Split my bills of the first quarter of 2026 with my roommates. For each bill in {BILLS} of period "
        f"{QUARTER[0]}, {QUARTER[1]} or {QUARTER[2]} that I have paid already (its file says 'Status: paid'; one "
        "still unpaid waits until it is paid), ask every roommate in my phone contacts, on the payments app, for an "
        "equal share: the bill's amount divided among them and me, rounded to cents as Python's round(share, 2) "
        "does, with the note '<Kind> <period>' (like 'Gas 2026-03'). Then tell me how much of those bills is my own "
        "share in total: that same rounded share of each of those bills, added up (not the bill minus what the "
        "roommates are asked).",
        Solution()
        .step(login("file_system", "phone", "payments"))
        .step(look)
        .step(act)
        .step(check)
        .step(done("round(mine, 2)"))
        .steps(),
        [
            *expectations,
            Answer(mine, f"my own share is {mine}", traps={f"{every:g}": "that counts the unpaid bills too"}),
        ],
    )


@scenario("life_bills_overdue_calendar", apps=("file_system", "calendar"))
def bills_overdue_calendar(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep because the owner has 5-7 unpaid bills (of several kinds, last month's and the month before's): each
    is read, its tags checked (file info) and tagged."""
    owners = view.rows(
        f"SELECT f.owner_id FROM file_system_files f WHERE f.path LIKE '{BILLS}/%' AND f.content LIKE "
        "'%Status: unpaid%' AND EXISTS (SELECT 1 FROM calendar_calendars c WHERE c.owner_id = f.owner_id AND "
        "c.is_primary = 1) GROUP BY f.owner_id HAVING COUNT(*) >= 5 ORDER BY f.owner_id"
    )
    owner = pick(rng, owners, "person with 5+ unpaid bills", distinct=True)["owner_id"]
    unpaid = [b for b in bills(view, owner) if b["status"] == "unpaid"]
    overdue = [b for b in unpaid if b["due"] < TODAY]
    calendar = view.row("SELECT id FROM calendar_calendars WHERE owner_id = ? AND is_primary = 1", owner)["id"]
    tomorrow = (date.fromisoformat(TODAY) + timedelta(days=1)).isoformat()
    lines = [f"{b['kind'].capitalize()} {b['period']}: {_money(b['amount'])}" for b in overdue]
    tag_ids = view.rows("SELECT file_id, tag FROM file_system_tags WHERE owner_id = ? AND tag = 'important'", owner)
    tagged = {t["file_id"] for t in tag_ids}
    look = FIND_UNPAID + f"overdue = [b for b in unpaid if b['due'] < {TODAY!r}]\n"
    look += "calendars = apis.calendar.show_calendars(access_token=calendar_token, page_limit=20)\n"
    look += "primary = next(c for c in calendars if c['is_primary'])\n"
    act = (
        "for bill in overdue:\n"
        "    if 'important' not in bill['tags']:\n"
        "        apis.file_system.add_file_tag(access_token=file_system_token, path=bill['path'], tag='important')\n"
        "lines = [f\"{b['kind'].capitalize()} {b['period']}: ${b['amount']:.2f}\" for b in overdue]\n"
        "event = apis.calendar.create_event(access_token=calendar_token, title='Pay overdue bills', "
        f"start='{tomorrow}T09:00', end='{tomorrow}T09:30', calendar_id=primary['calendar_id'], "
        "description='\\n'.join(lines), reminder_minutes=60)\n"
    )
    check = "print(apis.calendar.show_event(access_token=calendar_token, event_id=event['event_id']))\n"
    expectations: list[Expectation] = [
        Inserted(
            "calendar_events",
            {
                "calendar_id": calendar,
                "organizer_id": owner,
                "title": "Pay overdue bills",
                "description": HasLines(lines),
                "location": "",
                "start": f"{tomorrow}T09:00:00",
                "end": f"{tomorrow}T09:30:00",
                "all_day": 0,
                "recurrence": "none",
                "recurrence_until": None,
                "status": "confirmed",
                "busy": 1,
            },
            f"an event 'Pay overdue bills' tomorrow 09:00-09:30 on my main calendar listing {len(lines)} bills",
            what="'Pay overdue bills' events",
        ),
        Inserted(
            "calendar_reminders",
            {"event_id": NewRow("calendar_events", {"title": "Pay overdue bills"}), "person_id": owner}
            | {"minutes_before": 60, "method": "popup"},
            "the event has a reminder an hour before",
            what="reminders of the new event",
        ),
    ]
    for b in overdue:
        if b["id"] not in tagged:
            expectations.append(
                Inserted(
                    "file_system_tags",
                    {"file_id": b["id"], "owner_id": owner, "tag": "important"},
                    f"{b['path']} is tagged important",
                    what=f"'important' tags on {b['path']}",
                )
            )
    return TaskSpec(
        owner,
        f"Tag every overdue bill in {BILLS} (still unpaid and its due date already passed) as 'important' in my files, "
        "and put a 30-minute event 'Pay overdue bills' on my main calendar tomorrow at 09:00, with a reminder an "
        "hour before, whose description lists those bills one per line as '<Kind> <period>: $<amount>' (like "
        "'Gas 2026-04: $68.43').",
        Solution().step(login("file_system", "calendar")).step(look).step(act).step(check).step(done()).steps(),
        expectations,
    )


KIND_BILLS_AT_LEAST = 18  # bills of the kind in life_bills_kind_history: each amount is only in its file's text


@scenario("life_bills_kind_history", apps=("file_system", "notes", "todo"))
def bills_kind_history(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep: each bill's amount is only in its file's text (show_file per bill), and the person has
    KIND_BILLS_AT_LEAST+ bills of the kind (a sparser world: 8+)."""
    kind = rng.choice(["electricity", "gas", "water", "internet", "phone"])

    def with_history(least: int) -> list[dict[str, Any]]:
        owners = view.rows(
            f"SELECT f.owner_id FROM file_system_files f WHERE f.path LIKE '{BILLS}/{kind}_%' AND EXISTS (SELECT 1 "
            "FROM todo_projects p WHERE p.owner_id = f.owner_id AND p.name = 'Finance' AND p.archived = 0) "
            "GROUP BY f.owner_id HAVING COUNT(*) >= ? ORDER BY f.owner_id",
            least,
        )
        return [o for o in owners if project_of(view, o["owner_id"], "Finance")]

    _, owners = as_deep_as_found((KIND_BILLS_AT_LEAST, 8), with_history)
    owner = pick(rng, owners, f"person with a {kind} bill history", distinct=True)["owner_id"]
    project = project_of(view, owner, "Finance")
    assert project is not None
    history = [b for b in bills(view, owner) if b["kind"] == kind and b["path"].count("/") == 3]
    history.sort(key=lambda b: b["period"])
    average = round(sum(b["amount"] for b in history) / len(history), 2)
    latest = history[-1]
    lines = [f"{b['period']}: {_money(b['amount'])}" for b in history]
    title = f"{kind.capitalize()} bill history"
    look = PARSE_BILL + fetch_all(
        "files", f"apis.file_system.search_files(access_token=file_system_token, query='{kind}_', directory={BILLS!r}"
    )
    look += f"mine = [f for f in files if f['name'].startswith('{kind}_') and f['path'].count('/') == 3]\n"
    look += "history = sorted((parse_bill(f['path'], apis.file_system.show_file(access_token=file_system_token, "
    look += "path=f['path'])['content']) for f in mine), key=lambda b: b['period'])\n"
    look += "print([(b['period'], b['amount']) for b in history])\n"
    act = f"""\
    average = round(sum(b['amount'] for b in history) / len(history), 2)
    lines = [f"{{b['period']}}: ${{b['amount']:.2f}}" for b in history]
    lines.append(f"Average: ${{average:.2f}}")
    apis.notes.create_note(access_token=notes_token, title={title!r}, content='\\n'.join(lines))
    latest = history[-1]
    if latest['amount'] > 1.2 * average:
        projects = apis.todo.show_projects(access_token=todo_token, query='Finance', page_limit=20)
        finance = next(p for p in projects if p['name'] == 'Finance')
        apis.todo.create_task(access_token=todo_token, project_id=finance['project_id'], priority=2,
                              title=f"Check the {kind} bill for {{latest['period']}}",
                              description=f"${{latest['amount']:.2f}} against an average of ${{average:.2f}}")
    """
    expectations: list[Expectation] = [
        Inserted(
            "notes_notes",
            new_note(
                owner, title, InBlocks(*runs(lines, [b["period"] for b in history]), [f"Average: {_money(average)}"])
            ),
            f"a note '{title}' with the {len(lines)} bills then 'Average: {_money(average)}'",
            what=f"notes '{title}'",
        )
    ]
    if latest["amount"] > 1.2 * average:
        task = f"Check the {kind} bill for {latest['period']}"
        expectations.append(
            Inserted(
                "todo_tasks",
                new_task(
                    owner,
                    project["id"],
                    task,
                    priority=2,
                    description=f"{_money(latest['amount'])} against an average of {_money(average)}",
                ),
                f"a task '{task}' since it is over 20% above the average",
                what=f"tasks '{task}'",
            )
        )
    return TaskSpec(
        owner,
        f"Review my {kind} bills: make a note titled '{title}' with one line per {kind} bill file directly in "
        f"{BILLS}, oldest period first, '<YYYY-MM>: $<amount>', then 'Average: $<average of them, rounded to cents>' "
        "(every amount with two decimals, like $40.50). "
        f"If the latest bill is more than 20% above that average, also add a task 'Check the {kind} bill for "
        "<period>' to my Finance project in my todo app, priority 2, described '$<its amount> against an average "
        "of $<average>'.",
        Solution().step(login("file_system", "notes", "todo")).step(look).step(act).step(done()).steps(),
        expectations,
    )
