"""Mail and documents: work files summarized or sent by email, email attachments filed as documents."""

from __future__ import annotations

import random
from typing import Any

from envs.toolworld.evaluate import Answer, Expectation, HasLines, InOrder, Inserted, NewRow, Updated
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, full_name, login, other_branch, pick
from envs.toolworld.scenarios._rows import new_file
from envs.toolworld.scenarios.email import labelled, sent_email
from envs.toolworld.scenarios.files_phone import tagged
from envs.toolworld.scenarios.phone import sent_text
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

NOW = WORLD_NOW.isoformat(timespec="seconds")
THANKS = "Thanks for the photos!"
DECISION_TAGS = {"ship": "green", "delay": "red"}  # meeting notes tagged by their decision ('hire' gets none)
COWORKERS = (
    "SELECT p.id FROM phone_contacts c JOIN people p ON p.email = c.email WHERE c.owner_id = ? "
    "AND c.relationship = 'coworker' ORDER BY p.id"
)
FIND_COWORKER = (
    "contacts = apis.phone.search_contacts(access_token=phone_token, query={name!r}, relationship='coworker')\n"
    "coworker = next(c for c in contacts if c['first_name'] + ' ' + c['last_name'] == {name!r})\n"
)


def project_of(path: str) -> str:
    return path.split("/")[2]


@scenario("mail_report_risks", apps=("email", "file_system", "phone"))
def report_risks(view: WorldView, rng: random.Random) -> TaskSpec:
    """Conditional: each /work/<project>/report.txt that names a risk is emailed to a coworker; when every
    report says 'Risks: none' (variant 1) nothing changes."""
    reports = view.rows(
        "SELECT f.owner_id, f.path, f.content FROM file_system_files f WHERE f.path LIKE '/work/%/report.txt' "
        "AND EXISTS (SELECT 1 FROM phone_contacts c JOIN people p ON p.email = c.email WHERE c.owner_id = f.owner_id "
        "AND c.relationship = 'coworker') ORDER BY f.owner_id, f.path"
    )
    owners: dict[int, list[dict]] = {}
    for r in reports:
        owners.setdefault(r["owner_id"], []).append(r)
    quiet = other_branch(rng)
    candidates = sorted(
        o
        for o, mine in owners.items()
        if (all("Risks: none" in r["content"] for r in mine) if quiet else len(mine) >= 2)
        and any("Risks: none" not in r["content"] for r in mine) != quiet
    )
    owner = pick(rng, candidates, "owner whose reports fit the variant", distinct=True)
    coworker = rng.choice([r["id"] for r in view.rows(COWORKERS, owner)])
    name = full_name(view, coworker)
    expectations: list[Expectation] = []
    projects = []
    for r in owners[owner]:
        risk = r["content"].split("Risks: ")[1].strip()
        if risk == "none":
            continue
        project = project_of(r["path"])
        projects.append(project)
        expectations += sent_email(
            view,
            owner,
            [coworker],
            f"Risks: {risk}.",
            f"the {project} report (risk: {risk}) goes to {name}",
            subject=f"{project} risks",
            files={"report.txt": r["content"]},
        )
        expectations.append(
            Updated(
                "file_system_files",
                view.value("SELECT id FROM file_system_files WHERE owner_id = ? AND path = ?", owner, r["path"]),
                {"content": f"{r['content']}\nSent to {name}.", "updated_at": NOW},
                f"{r['path']} ends with the line 'Sent to {name}.'",
            )
        )
    calm = [project_of(r["path"]) for r in owners[owner] if r["content"].split("Risks: ")[1].strip() == "none"]
    text = f"I emailed you the risk reports of {', '.join(sorted(projects))}."
    if projects:
        expectations.append(
            sent_text(
                owner,
                coworker,
                text,
                f"{name} is texted which reports were emailed",
                what="texts",
            )
        )
    oracle = (
        Solution()
        .step(login("file_system", "phone", "email"))
        .step(
            fetch_all(
                "files",
                "apis.file_system.search_files(access_token=file_system_token, query='report', directory='/work'",
            )
            + "reports = [f for f in files if f['name'] == 'report.txt' and f['path'].count('/') == 3]\n"
            "print([f['path'] for f in reports])\n"
        )
        .step(
            "risky = []\n"
            "for f in reports:\n"
            "    content = apis.file_system.show_file(access_token=file_system_token, path=f['path'])['content']\n"
            "    risk = content.split('Risks: ')[1].strip()\n"
            "    if risk != 'none':\n"
            "        risky.append((f['path'], risk, content))\n"
            "print(risky)\n"
        )
    )
    if projects:
        oracle.step(
            FIND_COWORKER.format(name=name) + "for path, risk, content in risky:\n"
            "    apis.email.send_email(access_token=email_token, recipients=[coworker['email']], "
            "subject=path.split('/')[2] + ' risks', body=f'Risks: {risk}.', "
            "attachments=[{'file_name': 'report.txt', 'content': content}])\n"
            "    apis.file_system.append_to_file(access_token=file_system_token, path=path, "
            f"content={'Sent to ' + name + '.'!r})\n"
            "projects = ', '.join(sorted(path.split('/')[2] for path, _, _ in risky))\n"
            "apis.phone.send_text_message(access_token=phone_token, phone_number=coworker['phone_number'], "
            "message=f'I emailed you the risk reports of {projects}.')\n"
        ).step(
            "for path, _, _ in risky:\n"
            "    print(apis.file_system.show_file_lines(access_token=file_system_token, path=path, start_line=-1))\n"
            + fetch_all("sent", "apis.email.show_threads(access_token=email_token, folder='sent', query='risks'")
            + "print([t['subject'] for t in sent])\n"
        )
    return TaskSpec(
        owner,
        "Check the status report of each of my work projects (/work/<project>/report.txt). For every report that "
        f"names a risk (anything but 'Risks: none'), email it to my coworker {name} as an attachment named "
        "report.txt, subject '<project> risks' (the project's folder name) and text 'Risks: <the risk>.', then add "
        f"the line 'Sent to {name}.' at the end of that report. Finally text {name} 'I emailed you the risk reports "
        "of <the projects, in alphabetical order, separated by ', '>.'. Send nothing and change nothing if no "
        "report names a risk. Either way, tell me the projects whose report says 'Risks: none'.",
        oracle.step(
            "risky_paths = {path for path, _, _ in risky}\n"
            "apis.supervisor.complete_task(answer=[f['path'].split('/')[2] for f in reports "
            "if f['path'] not in risky_paths])\n"
        ).steps(),
        [*expectations, Answer(calm, "the answer names the projects without a risk")],
        noop_pass=quiet,
    )


@scenario("mail_meeting_decisions", apps=("email", "file_system", "phone"))
def meeting_decisions(view: WorldView, rng: random.Random) -> TaskSpec:
    """A year of one project's meeting-notes files (another year's and a look-alike project's, like 'apollo' and
    'apollo_v2', are distractors) summarized in an email to a coworker; the answer counts 'ship' decisions."""
    files = view.rows(
        "SELECT owner_id, path, content FROM file_system_files WHERE path LIKE '/work/%/meeting_notes_%.txt' "
        "ORDER BY owner_id, path"
    )
    groups: dict[tuple[int, str, str], list[dict]] = {}
    for f in files:
        groups.setdefault((f["owner_id"], project_of(f["path"]), f["path"].rsplit("_", 1)[1][:4]), []).append(f)
    candidates = sorted(
        k
        for k, v in groups.items()
        if 3 <= len(v) <= 12
        and any(o == k[0] and p == k[1] and y != k[2] for o, p, y in groups)
        and view.rows(COWORKERS, k[0])
    )
    owner, project, year = pick(rng, candidates, "project with meeting notes in two years", distinct=True)
    mine = groups[(owner, project, year)]
    lines = [f"{f['path'].rsplit('_', 1)[1][:10]}: {f['content'].split('Decisions: ')[1].strip()}" for f in mine]
    ships = sum(line.endswith(": ship") for line in lines)
    every_year = sum(
        f["content"].strip().endswith("Decisions: ship")
        for k, v in groups.items()
        if k[:2] == (owner, project)
        for f in v
    )
    coworker = rng.choice([r["id"] for r in view.rows(COWORKERS, owner)])
    name = full_name(view, coworker)
    subject = f"{project} decisions {year}"
    body = "\n".join(lines)
    path = f"/work/{project}/decisions_{year}.txt"
    if view.rows("SELECT 1 FROM file_system_files WHERE owner_id = ? AND path = ?", owner, path):
        raise LookupError(f"{path} already exists")
    folder = f"/work/{project}/{year}"
    if view.rows("SELECT 1 FROM file_system_directories WHERE owner_id = ? AND path = ?", owner, folder):
        raise LookupError(f"{folder} already exists")
    marked = [
        (f, tag)
        for decision, tag in DECISION_TAGS.items()
        for f in view.rows(
            "SELECT f.id, f.path FROM file_system_files f WHERE f.owner_id = ? AND f.path LIKE ? "
            "AND f.content LIKE ? AND NOT EXISTS (SELECT 1 FROM file_system_tags t "
            "WHERE t.file_id = f.id AND t.tag = ?) ORDER BY f.path",
            owner,
            f"/work/{project}/meeting_notes_{year}-%",
            f"%Decisions: {decision}",
            tag,
        )
    ]
    traps = {str(every_year): "that counts the meetings of every year"} if every_year != ships else {}
    oracle = (
        Solution()
        .step(login("file_system", "phone", "email"))
        .step(
            fetch_all(
                "files",
                "apis.file_system.search_files(access_token=file_system_token, query='meeting_notes', "
                f"directory='/work/{project}'",
            )
            + "mine = sorted(f['path'] for f in files if "
            f"f['path'].startswith('/work/{project}/meeting_notes_{year}'))\n"
            "print(mine)\n"
        )
        .step(
            "lines, decided = [], {}\n"
            "for path in mine:\n"
            "    content = apis.file_system.show_file(access_token=file_system_token, path=path)['content']\n"
            "    decided[path] = content.split('Decisions: ')[1].strip()\n"
            "    lines.append(path.rsplit('_', 1)[1][:10] + ': ' + decided[path])\n"
            "ship_files = [path for path, decision in decided.items() if decision == 'ship']\n"
            "print(lines)\n"
        )
        .step(
            f"apis.file_system.create_file(access_token=file_system_token, path={path!r}, content='\\n'.join(lines))\n"
            "for path, decision in decided.items():\n"
            f"    tag = {DECISION_TAGS!r}.get(decision)\n"
            "    if tag is None:\n"
            "        continue\n"
            "    tags = apis.file_system.show_file_info(access_token=file_system_token, path=path)['tags']\n"
            "    if tag not in tags:\n"
            "        apis.file_system.add_file_tag(access_token=file_system_token, path=path, tag=tag)\n"
            f"apis.file_system.create_directory(access_token=file_system_token, path={folder!r})\n"
            "for path in mine:\n"
            f"    apis.file_system.move_file(access_token=file_system_token, source=path, destination={folder!r})\n"
        )
        .step(
            FIND_COWORKER.format(name=name)
            + "apis.email.send_email(access_token=email_token, recipients=[coworker['email']], "
            f"subject={subject!r}, body='\\n'.join(lines), "
            f"attachments=[{{'file_name': {path.rsplit('/', 1)[1]!r}, 'content': '\\n'.join(lines)}}])\n"
        )
        .step(
            fetch_all("moved", f"apis.file_system.show_directory(access_token=file_system_token, path={folder!r}")
            + "print([f['path'] for f in moved])\n"
            f"print(apis.file_system.show_file(access_token=file_system_token, path={path!r})['content'])\n"
        )
        .step("apis.supervisor.complete_task(answer=len(ship_files))\n")
        .steps()
    )
    return TaskSpec(
        owner,
        f"Read the meeting notes files of my work project '{project}' (/work/{project}/meeting_notes_<date>.txt) "
        f"from {year}. Save their decisions in a new file {path}, one line per meeting '<YYYY-MM-DD>: <decision>', "
        f"oldest first, and tag each of those meeting notes files whose decision was to ship 'green' and each whose "
        f"decision was to delay 'red' (if it is not already). Then move all the meeting notes files of {year} into a "
        f"new folder "
        f"{folder}. Then email my coworker {name} the decisions: subject '{subject}', the same lines as the text, and "
        f"the new file attached under its name. Finally tell me in how many of those meetings the decision was to "
        "ship.",
        oracle,
        [
            Inserted(
                "file_system_files",
                new_file(owner, path, body),
                f"{path} lists the {len(lines)} decisions of {year}, oldest first",
                what="files",
            ),
            *(
                Inserted(
                    "file_system_tags",
                    {"file_id": f["id"], "owner_id": owner, "tag": tag},
                    f"{f['path']} is tagged {tag} for its decision",
                    what=f"{tag} tags",
                )
                for f, tag in marked
            ),
            Inserted(
                "file_system_directories", {"owner_id": owner, "path": folder}, f"{folder} is created", what="folders"
            ),
            *(
                Updated(
                    "file_system_files",
                    f["id"],
                    {"path": f"{folder}/{f['path'].rsplit('/', 1)[1]}"},
                    f"{f['path']} is moved into {folder}",
                )
                for f in view.rows(
                    "SELECT id, path FROM file_system_files WHERE owner_id = ? AND path LIKE ? ORDER BY path",
                    owner,
                    f"/work/{project}/meeting_notes_{year}-%",
                )
            ),
            *sent_email(
                view,
                owner,
                [coworker],
                body,
                f"{name} gets the {len(lines)} decisions of {project} in {year}, oldest first",
                subject=subject,
                files={path.rsplit("/", 1)[1]: body},
            ),
            Answer(ships, f"the answer is the number of 'ship' decisions ({ships})", traps=traps),
        ],
    )


def _one_best(reports: dict[str, set[str]]) -> bool:
    """The quarter whose revenue grew most is a single one (no tie to star)."""
    growth = sorted(int(next(iter(c)).split("Revenue grew ")[1].split("%")[0]) for c in reports.values())
    return len(growth) < 2 or growth[-1] != growth[-2]


REPORTS_AT_LEAST = 6  # mail_file_quarterly_reports: each report opened, saved and tagged


@scenario("mail_file_quarterly_reports", apps=("email", "file_system"))
def file_quarterly_reports(view: WorldView, rng: random.Random) -> TaskSpec:
    """Every quarterly report attached to my emails, of every year, saved under /documents/reports (created), the
    latest copy of a report sent several times; the best quarter of each year starred and a summary written per
    year; the answer counts the reports saved. Deep: each report's growth is only in its content (show_attachment
    per report, REPORTS_AT_LEAST+ over 2+ years), and which copy is the latest only in its email's date."""
    rows = view.rows(
        "SELECT m.owner_id, m.sent_at, a.file_name, a.content, substr(a.file_name, 21, 4) AS year "
        "FROM email_attachments a JOIN email_messages m ON m.id = a.message_id "
        "JOIN email_threads t ON t.id = m.thread_id "
        "WHERE t.is_trashed = 0 AND t.is_spam = 0 AND a.file_name LIKE 'quarterly_report_q%' ORDER BY m.sent_at, a.id"
    )
    groups: dict[int, dict[str, dict[str, list[dict[str, Any]]]]] = {}
    for r in rows:
        groups.setdefault(r["owner_id"], {}).setdefault(r["year"], {}).setdefault(r["file_name"], []).append(r)

    def latest(copies: list[dict[str, Any]]) -> str:
        return str(copies[-1]["content"])  # rows go by sent_at: the last is the latest copy

    candidates = [
        owner
        for owner, years in sorted(groups.items())
        if len(years) >= 2
        # the latest copy of each report is told apart by its email's date, and each year has one best quarter
        and all(len(c) == 1 or c[-1]["sent_at"] != c[-2]["sent_at"] for v in years.values() for c in v.values())
        and all(_one_best({name: {latest(c)} for name, c in v.items()}) for v in years.values())
        and not view.rows(
            "SELECT 1 FROM file_system_directories WHERE owner_id = ? AND path = '/documents/reports'", owner
        )
    ]
    least, found = as_deep_as_found(
        (REPORTS_AT_LEAST, 4, 1), lambda n: [o for o in candidates if sum(map(len, groups[o].values())) >= n]
    )
    owner = pick(rng, found, f"mailbox with {least}+ quarterly reports of two or more years", distinct=True)
    by_year = {year: {name: latest(c) for name, c in sorted(v.items())} for year, v in sorted(groups[owner].items())}
    reports = {name: content for v in by_year.values() for name, content in v.items()}
    growth = {name: int(content.split("Revenue grew ")[1].split("%")[0]) for name, content in reports.items()}
    best = {max(v, key=lambda n: growth[n]) for v in by_year.values()}
    expectations: list[Expectation] = [
        Inserted(
            "file_system_directories",
            {"owner_id": owner, "path": "/documents/reports"},
            "/documents/reports exists",
            what="directories",
        ),
        *(
            Inserted(
                "file_system_tags",
                {
                    "file_id": NewRow("file_system_files", {"owner_id": owner, "path": f"/documents/reports/{name}"}),
                    "owner_id": owner,
                    "tag": "work",
                },
                f"the saved {name} is tagged work",
                what=f"tags of {name}",
            )
            for name in reports
        ),
        *(
            Inserted(
                "file_system_files",
                new_file(owner, f"/documents/reports/{name}", content, starred=int(name in best)),
                f"{name} is saved with its content"
                + (", starred (the largest revenue growth of its year)" if name in best else ""),
                what=f"files {name}",
            )
            for name, content in reports.items()
        ),
        *(
            Inserted(
                "file_system_files",
                new_file(
                    owner,
                    f"/documents/reports/summary_{year}.txt",
                    InOrder(f"{n.split('_')[2].upper()}: {growth[n]}%" for n in v),  # a trailing newline too
                ),
                f"summary_{year}.txt lists each quarter of {year} with its revenue growth, in quarter order",
                what=f"summary files of {year}",
            )
            for year, v in by_year.items()
        ),
        Answer(
            len(reports),
            f"the answer is the number of reports saved ({len(reports)})",
            traps={str(len(v)): f"only the reports of {year}" for year, v in by_year.items() if len(v) != len(reports)},
        ),
    ]
    oracle = (
        Solution()
        .step(login("email", "file_system"))
        .step(
            fetch_all(
                "emails",
                "apis.email.search_emails(access_token=email_token, query='Quarterly report', has_attachment=True",
            )
            + "reports, sent = {}, {}\n"
            "for e in emails:  # a report sent several times: the copy of the latest email\n"
            "    for a in e['attachments']:\n"
            "        name = a['file_name']\n"
            "        if name.startswith('quarterly_report_q') and name.endswith('.txt') "
            "and e['sent_at'] > sent.get(name, ''):\n"
            "            reports[name], sent[name] = a['attachment_id'], e['sent_at']\n"
            "print(reports)\n"
        )
        .step(
            "apis.file_system.create_directory(access_token=file_system_token, path='/documents/reports')\n"
            "growth = {}\n"
            "for name, attachment in sorted(reports.items()):\n"
            "    content = apis.email.show_attachment(access_token=email_token, attachment_id=attachment)['content']\n"
            "    growth[name] = int(content.split('Revenue grew ')[1].split('%')[0])\n"
            "    apis.file_system.create_file(access_token=file_system_token, path='/documents/reports/' + name, "
            "content=content)\n"
            "    apis.file_system.add_file_tag(access_token=file_system_token, path='/documents/reports/' + name, "
            "tag='work')\n"
            "print(growth)\n"
        )
        .step(
            "years = sorted({name.split('_')[3][:4] for name in growth})\n"
            "for year in years:\n"
            "    names = sorted(n for n in growth if n.split('_')[3][:4] == year)\n"
            "    best = max(names, key=lambda n: growth[n])\n"
            "    apis.file_system.star_file(access_token=file_system_token, path='/documents/reports/' + best)\n"
            "    summary = '\\n'.join(n.split('_')[2].upper() + ': ' + str(growth[n]) + '%' for n in names)\n"
            "    apis.file_system.create_file(access_token=file_system_token, "
            "path=f'/documents/reports/summary_{year}.txt', content=summary)\n"
        )
        .step(
            fetch_all(
                "saved", "apis.file_system.show_directory(access_token=file_system_token, path='/documents/reports'"
            )
            + "print([f['path'] for f in saved])\n"
            + fetch_all("starred", "apis.file_system.show_starred_files(access_token=file_system_token")
            + "print([f['path'] for f in starred if f['path'].startswith('/documents/reports/')])\n"
            + fetch_all("tagged", "apis.file_system.show_tagged_files(access_token=file_system_token, tag='work'")
            + "print([f['path'] for f in tagged if f['path'].startswith('/documents/reports/')])\n"
            "apis.supervisor.complete_task(answer=len(reports))\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        "Create the folder /documents/reports and save in it every quarterly report file attached to my emails "
        "(those I received and those I sent, archived ones too; leave out my spam and trash), of every year "
        "(quarterly_report_q<N>_<year>.txt), under its own name, once each (a report attached to several emails: "
        "the copy from the most recent of them), each tagged 'work'. For each year, star the saved report of that "
        "year's quarter whose revenue grew the most, and add a file /documents/reports/summary_<year>.txt with one "
        "line per saved quarter of that year, in quarter order: 'Q<N>: <revenue growth>%' (like 'Q1: 23%'). Tell me "
        "how many reports you saved.",
        oracle,
        expectations,
    )


@scenario("mail_attachment_inventory", apps=("email", "file_system"))
def attachment_inventory(view: WorldView, rng: random.Random) -> TaskSpec:
    """An inventory file of every attachment received in one year (attachments I sent, other years' and the trash
    are distractors), one dated line each with the sender; their threads labelled, and each email of them that
    brought photos answered with thanks (other attachments get no reply); the answer counts the attachments."""
    received = (
        "SELECT m.owner_id, m.sender_id, m.sent_at, m.thread_id, a.file_name, a.content, t.conversation_id FROM "
        "email_attachments a JOIN email_messages m ON m.id = a.message_id JOIN email_threads t ON t.id = m.thread_id "
        "WHERE t.is_trashed = 0 AND t.is_spam = 0 AND m.sender_id != m.owner_id"
    )
    years = view.rows(
        f"SELECT owner_id, substr(sent_at, 1, 4) AS year, COUNT(*) AS n, SUM(file_name LIKE 'photos%') AS photos, "
        f"COUNT(DISTINCT CASE WHEN file_name LIKE 'photos%' THEN conversation_id END) AS talks FROM ({received}) "
        "GROUP BY owner_id, year HAVING n BETWEEN 4 AND 12 AND photos >= 1 AND talks = photos "
        "AND COUNT(DISTINCT file_name) = n ORDER BY owner_id, year"
    )
    c = pick(rng, years, "mailbox with a few attachments received in a year", distinct=True)
    owner, year = c["owner_id"], c["year"]
    path = f"/documents/attachments_{year}.txt"
    folder = f"/documents/attachments_{year}"
    if view.rows("SELECT 1 FROM file_system_directories WHERE owner_id = ? AND path = ?", owner, folder):
        raise LookupError(f"{folder} already exists")
    if view.rows("SELECT 1 FROM file_system_files WHERE owner_id = ? AND path = ?", owner, path):
        raise LookupError(f"{path} already exists")
    rows = view.rows(received + " AND m.owner_id = ? AND substr(m.sent_at, 1, 4) = ? ORDER BY m.sent_at", owner, year)
    lines = [f"{r['sent_at'][:10]} {r['file_name']} from {full_name(view, r['sender_id'])}" for r in rows]
    label = f"Attachments {year}"
    threads = sorted({r["thread_id"] for r in rows})
    if view.rows("SELECT 1 FROM email_labels WHERE owner_id = ? AND name = ?", owner, label):
        raise LookupError(f"the label {label} already exists")
    every_year = view.value(f"SELECT COUNT(*) FROM ({received}) WHERE owner_id = ?", owner)
    photos = [r for r in rows if r["file_name"].startswith("photos")]
    oracle = (
        Solution()
        .step(login("email", "file_system"))
        .step(
            fetch_all("emails", "apis.email.search_emails(access_token=email_token, has_attachment=True")
            + f"mine = [e for e in emails if e['sent_at'].startswith('{year}') "
            "and e['sender']['email'] != me['email']]\n"
            "print(len(emails), 'emails with attachments,', len(mine), 'received that year')\n"
        )
        .step(
            "lines = [f\"{e['sent_at'][:10]} {a['file_name']} from {e['sender']['name']}\" "
            "for e in sorted(mine, key=lambda e: e['sent_at']) for a in e['attachments']]\n"
            "print(lines)\n"
        )
        .step(
            f"apis.file_system.create_file(access_token=file_system_token, path={path!r}, content='\\n'.join(lines))\n"
            f"label = apis.email.create_label(access_token=email_token, name={label!r})\n"
            "for thread_id in sorted({e['thread_id'] for e in mine}):\n"
            "    apis.email.add_label_to_thread(access_token=email_token, thread_id=thread_id, "
            "label_id=label['label_id'])\n"
        )
        .step(
            f"apis.file_system.create_directory(access_token=file_system_token, path={folder!r})\n"
            "for e in mine:\n"
            "    for a in e['attachments']:\n"
            "        file = apis.email.show_attachment(access_token=email_token, attachment_id=a['attachment_id'])\n"
            "        apis.file_system.create_file(access_token=file_system_token, "
            f"path={folder!r} + '/' + file['file_name'], content=file['content'])\n"
            "        apis.file_system.add_file_tag(access_token=file_system_token, "
            f"path={folder!r} + '/' + file['file_name'], "
            "tag='personal' if file['file_name'].startswith('photos') else 'work')\n"
            + fetch_all("copies", f"apis.file_system.show_directory(access_token=file_system_token, path={folder!r}")
            + "print(len(copies), 'copies saved')\n"
        )
        .step(
            "for e in mine:\n"
            "    if any(a['file_name'].startswith('photos') for a in e['attachments']):\n"
            f"        apis.email.reply_to_email(access_token=email_token, email_id=e['email_id'], body={THANKS!r})\n"
        )
        .step(
            f"print(apis.file_system.show_file(access_token=file_system_token, path={path!r}))\n"
            + fetch_all("labelled", f"apis.email.show_threads(access_token=email_token, folder='all', label={label!r}")
            + "print(len(labelled), 'threads labelled')\n"
        )
        .step("apis.supervisor.complete_task(answer=len(lines))\n")
        .steps()
    )
    return TaskSpec(
        owner,
        f"Make me an inventory of the email attachments I received in {year} (not ones I sent, not the trash): a new "
        f"file {path} with one line per attachment, '<YYYY-MM-DD> <file name> from <sender's full name>'. Put a "
        f"new email label '{label}' on the threads those attachments came in, and reply '{THANKS}' to each of those "
        f"emails that came with photos (a photos file). Save a copy of each of those attachments in a new folder "
        f"{folder}, under its file name, tagged 'personal' if it is a photos file and 'work' otherwise. Then tell "
        f"me how many attachments I received in {year}.",
        oracle,
        [
            Inserted(
                "file_system_files",
                new_file(owner, path, HasLines(lines)),
                f"{path} lists the {len(lines)} attachments of {year} with date and sender",
                what="files",
            ),
            Inserted(
                "file_system_directories", {"owner_id": owner, "path": folder}, f"{folder} is created", what="folders"
            ),
            *(
                Inserted(
                    "file_system_files",
                    new_file(owner, f"{folder}/{r['file_name']}", r["content"]),
                    f"{r['file_name']} from {full_name(view, r['sender_id'])} is saved in {folder}",
                    what=f"copies of {r['file_name']}",
                )
                for r in rows
            ),
            *(
                tagged(
                    owner,
                    f"{folder}/{r['file_name']}",
                    "personal" if r["file_name"].startswith("photos") else "work",
                )
                for r in rows
            ),
            *labelled(view, owner, label, threads, f"the {len(threads)} threads with those attachments have the label"),
            *(
                expectation
                for r in photos
                for expectation in sent_email(
                    view,
                    owner,
                    [r["sender_id"]],
                    THANKS,
                    f"{full_name(view, r['sender_id'])} is thanked for {r['file_name']}",
                    conversation=r["conversation_id"],
                )
            ),
            Answer(
                len(lines),
                f"the answer is the number of attachments received in {year} ({len(lines)})",
                traps={str(every_year): "that counts the attachments of every year"},
            ),
        ],
    )
