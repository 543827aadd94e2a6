"""Mail and documents: the email address book and labels kept in line with the phone's contacts."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Answer, Deleted, Expectation, Inserted, OneOf, Updated
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios.email import sent_email
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

NOW = WORLD_NOW.isoformat(timespec="seconds")
SAVED = "Your address in my address book"
PHONE_PEOPLE = (
    "SELECT first_name || ' ' || last_name AS name, email FROM phone_contacts WHERE owner_id = ? AND email IS NOT NULL"
)
FAVORITES_SINCE = "2026-03-18"  # favourites are the phone contacts who emailed me from this day on
# whether an address wrote to a mailbox since a day: outside spam and trash, and anywhere
WROTE_SINCE = (
    "SELECT COALESCE(MAX(t.is_trashed = 0 AND t.is_spam = 0), 0) AS kept, COUNT(*) > 0 AS anywhere "
    "FROM email_messages m JOIN email_threads t ON t.id = m.thread_id JOIN people p ON p.id = m.sender_id "
    "WHERE m.owner_id = ? AND p.email = ? AND m.sent_at >= ?"
)


def wrote_since(view: WorldView, owner: int, emails: list[str]) -> dict[str, tuple[bool, bool]]:
    """For each address: (it emailed me since FAVORITES_SINCE outside spam and trash, it did counting them)."""
    out = {}
    for email in emails:
        row = view.row(WROTE_SINCE, owner, email, FAVORITES_SINCE)
        out[email] = (bool(row["kept"]), bool(row["anywhere"]))
    return out


def favorite_changes(view: WorldView, owner: int) -> tuple[int, int, bool]:
    """How many of my phone contacts' entries become favourites and stop being ones, and whether any outcome would
    change if spam and trash counted (such mailboxes leave the pool)."""
    phone = [p["email"] for p in view.rows(PHONE_PEOPLE, owner)]
    wrote = wrote_since(view, owner, phone)
    book = {
        b["email"]: bool(b["is_favorite"])
        for b in view.rows("SELECT email, is_favorite FROM email_contacts WHERE owner_id = ?", owner)
    }
    gained = sum(wrote[e][0] and not book.get(e, False) for e in phone)
    lost = sum(not wrote[e][0] and book.get(e, False) for e in phone)
    return gained, lost, any(kept != anywhere for kept, anywhere in wrote.values())


@scenario("mail_sync_address_book", apps=("email", "phone"))
def sync_address_book(view: WorldView, rng: random.Random) -> TaskSpec:
    """Outdated address-book entries (same name as a phone contact, another address) deleted, phone contacts
    missing from the address book added; entries of people not in the phone are distractors, kept even when old.
    Deep: my phone contacts' entries are then favourites exactly when that person emailed me since
    FAVORITES_SINCE, which only an email search per contact shows (11-23 of them)."""
    owners = view.rows(
        "SELECT e.owner_id, COUNT(*) AS n FROM email_contacts e JOIN phone_contacts c ON c.owner_id = e.owner_id "
        "AND c.first_name || ' ' || c.last_name = e.name AND c.email IS NOT NULL AND c.email != e.email "
        "WHERE NOT EXISTS (SELECT 1 FROM phone_contacts d WHERE d.owner_id = e.owner_id AND d.email = e.email) "
        "GROUP BY e.owner_id HAVING n BETWEEN 2 AND 8 ORDER BY e.owner_id"
    )
    # favourites to give (2+) and to take away (1+), none hanging on an email in the spam or trash
    changes = {o["owner_id"]: favorite_changes(view, o["owner_id"]) for o in owners}
    usable = [o for o in owners if (c := changes[o["owner_id"]])[0] >= 2 and c[1] >= 1 and not c[2]]
    owner = pick(rng, usable, "address book with outdated entries and favourites to give and take away", distinct=True)[
        "owner_id"
    ]
    phone = view.rows(PHONE_PEOPLE, owner)
    current = {p["email"] for p in phone}
    names = {p["name"] for p in phone}
    book = view.rows("SELECT id, name, email, is_favorite FROM email_contacts WHERE owner_id = ?", owner)
    outdated = sorted(b["id"] for b in book if b["name"] in names and b["email"] not in current)
    address = {p["name"]: p["email"] for p in phone}
    moved = sorted({b["name"] for b in book if b["name"] in names and b["email"] not in current})
    missing = sorted({(p["name"], p["email"]) for p in phone if p["email"] not in {b["email"] for b in book}})
    favorite = {email: kept for email, (kept, _) in wrote_since(view, owner, sorted(current)).items()}
    expectations: list[Expectation] = [
        Deleted("email_contacts", frozenset(outdated), "the outdated entries of my phone contacts are deleted"),
        *(
            Inserted(
                "email_contacts",
                {
                    "owner_id": owner,
                    "name": name,
                    "email": email,
                    "notes": "",
                    "is_favorite": int(favorite[email]),
                    "created_at": NOW,
                },
                f"{name} <{email}> is added to the address book" + (" as a favourite" if favorite[email] else ""),
                what=f"entries for {email}",
            )
            for name, email in missing
        ),
        Answer(len(outdated), f"the answer is the number of outdated entries deleted ({len(outdated)})"),
    ]
    expectations += [
        Updated(
            "email_contacts",
            b["id"],
            {"is_favorite": int(favorite[b["email"]])},
            f"{b['name']} <{b['email']}> is "
            + ("now a favourite: they emailed me" if favorite[b["email"]] else "no longer a favourite: no email")
            + f" since {FAVORITES_SINCE}",
        )
        for b in book
        if b["email"] in current and bool(b["is_favorite"]) != favorite[b["email"]]
    ]
    for name in moved:
        person = view.value("SELECT id FROM people WHERE email = ?", address[name])
        expectations += sent_email(
            view,
            owner,
            [person],
            f"Hi {name.split()[0]}, I now have {address[name]} for you in my address book.",
            f"{name} is told which address I keep",
            subject=f"{SAVED} ({name})",
        )
    oracle = (
        Solution()
        .step(login("phone", "email"))
        .step(
            fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token")
            + "phone = {c['first_name'] + ' ' + c['last_name']: c['email'] for c in contacts if c['email']}\n"
            "print(phone)\n"
        )
        .step(
            fetch_all("book", "apis.email.show_email_contacts(access_token=email_token")
            + "known = {b['email'] for b in book}\n"
            "outdated = [b for b in book if b['name'] in phone and b['email'] not in phone.values()]\n"
            "missing = sorted({(n, e) for n, e in phone.items() if e not in known})\n"
            "print(outdated, missing)\n"
        )
        .step(
            "for b in outdated:\n"
            "    apis.email.delete_email_contact(access_token=email_token, email_contact_id=b['email_contact_id'])\n"
            "for name, email in missing:\n"
            "    apis.email.add_email_contact(access_token=email_token, name=name, email=email)\n"
        )
        .step(
            "for name in sorted({b['name'] for b in outdated}):\n"
            "    apis.email.send_email(access_token=email_token, recipients=[phone[name]], "
            f"subject={SAVED!r} + ' (' + name + ')', "
            'body=f"Hi {name.split()[0]}, I now have {phone[name]} for you in my address book.")\n'
        )
        .step(
            "wrote = {}\n"
            "for email in sorted(set(phone.values())):\n"
            "    since = apis.email.search_emails(access_token=email_token, sender_email=email, "
            f"sent_after={FAVORITES_SINCE!r}, page_limit=1)\n"
            "    wrote[email] = bool(since)\n"
            "print(wrote)\n"
        )
        .step(
            fetch_all("entries", "apis.email.show_email_contacts(access_token=email_token") + "for b in entries:\n"
            "    if b['email'] in wrote and b['is_favorite'] != wrote[b['email']]:\n"
            "        apis.email.update_email_contact(access_token=email_token, email_contact_id=b['email_contact_id'], "
            "is_favorite=wrote[b['email']])\n"
        )
        .step(
            fetch_all("after", "apis.email.show_email_contacts(access_token=email_token, favorites_only=True")
            + "print(len(after), 'favourites')\n"
            + fetch_all("sent", f"apis.email.show_threads(access_token=email_token, folder='sent', query={SAVED!r}")
            + "print(len(sent), 'emails sent')\n"
            "apis.supervisor.complete_task(answer=len(outdated))\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        "Bring my email address book in line with my phone contacts: for every phone contact with an email address, "
        "delete the address-book entries under their full name whose address is not the phone's (outdated ones), "
        "and add them (full name, the phone's address) if their address is not in the address book at all. Leave "
        "entries of people who are not in my phone alone. Then email each person whose outdated entry you deleted, "
        f"at the phone's address, subject '{SAVED} (<full name>)' and text 'Hi <first name>, I now have <the "
        "phone's address> for you in my address book.'. Last, keep my favourites current: the entry (at the phone's "
        "address) of each phone contact who has emailed me on or after "
        f"{FAVORITES_SINCE} (emails in my spam or trash do not count) must be a favourite, and the entries of my "
        "other phone contacts must not be. Tell me how many outdated entries you deleted.",
        oracle,
        expectations,
    )


@scenario("mail_label_coworker_threads", apps=("email", "phone"))
def label_coworker_threads(view: WorldView, rng: random.Random) -> TaskSpec:
    """The 'Work' label (not 'Work 2024') put on every thread with a phone coworker in it that lacks it; threads
    in the trash and threads with no coworker are distractors; the answer counts the threads labelled. Coworker
    threads where a coworker sent an attachment are starred: who sent a thread's attachment is only in the thread's
    detail, and attachments from others are distractors."""
    owners = view.rows(
        "SELECT l.owner_id, l.id AS label_id FROM email_labels l WHERE l.name = 'Work' AND EXISTS (SELECT 1 FROM "
        "phone_contacts c WHERE c.owner_id = l.owner_id AND c.relationship = 'coworker' AND c.email IS NOT NULL) "
        "ORDER BY l.owner_id"
    )
    c = pick(rng, owners, "mailbox with a Work label and coworker contacts", distinct=True)
    owner, label = c["owner_id"], c["label_id"]
    coworkers = [
        r["email"]
        for r in view.rows(
            "SELECT email FROM phone_contacts WHERE owner_id = ? AND relationship = 'coworker' AND email IS NOT NULL",
            owner,
        )
    ]
    threads = view.rows(
        "SELECT t.id, GROUP_CONCAT(s.email || ', ' || m.recipients || ', ' || m.cc, ', ') AS people "
        "FROM email_threads t JOIN email_messages m ON m.thread_id = t.id JOIN people s ON s.id = m.sender_id "
        "WHERE t.owner_id = ? AND t.is_trashed = 0 AND t.is_spam = 0 "
        "AND NOT EXISTS (SELECT 1 FROM email_thread_labels x WHERE x.thread_id = t.id AND x.label_id = ?) "
        "GROUP BY t.id ORDER BY t.id",
        owner,
        label,
    )
    ids = sorted(t["id"] for t in threads if set(coworkers) & set(t["people"].split(", ")))
    star = view.rows(
        "SELECT DISTINCT t.id, t.subject FROM email_threads t JOIN email_messages m ON m.thread_id = t.id "
        "JOIN people s ON s.id = m.sender_id JOIN email_attachments a ON a.message_id = m.id "
        f"WHERE t.owner_id = ? AND t.is_trashed = 0 AND t.is_spam = 0 AND t.is_starred = 0 AND s.email IN "
        f"({','.join('?' * len(coworkers))}) ORDER BY t.id",
        owner,
        *coworkers,
    )
    oracle = (
        Solution()
        .step(login("phone", "email"))
        .step(
            fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token, relationship='coworker'")
            + "coworkers = {c['email'] for c in contacts if c['email']}\n"
            + fetch_all("labels", "apis.email.show_labels(access_token=email_token")
            + "work = next(l for l in labels if l['name'] == 'Work')\n"
            "print(coworkers, work)\n"
        )
        .step(
            fetch_all("threads", "apis.email.show_threads(access_token=email_token, folder='all'")
            + "todo = [t for t in threads if coworkers & set(t['participants']) and 'Work' not in t['labels']]\n"
            "print(len(threads), 'threads,', len(todo), 'to label')\n"
        )
        .step(
            "for t in threads:\n"
            "    if not (coworkers & set(t['participants'])) or not t['has_attachments'] or t['is_starred']:\n"
            "        continue\n"
            "    emails = apis.email.show_thread(access_token=email_token, thread_id=t['thread_id'])['emails']\n"
            "    if any(e['attachments'] and e['sender']['email'] in coworkers for e in emails):\n"
            "        apis.email.star_thread(access_token=email_token, thread_id=t['thread_id'])\n"
        )
        .step(
            "for t in todo:\n"
            "    apis.email.add_label_to_thread(access_token=email_token, thread_id=t['thread_id'], "
            "label_id=work['label_id'])\n"
        )
        .step(
            fetch_all("labelled", "apis.email.show_threads(access_token=email_token, folder='all', label='Work'")
            + "print(len(labelled), 'threads labelled Work')\n"
            + fetch_all("starred", "apis.email.show_threads(access_token=email_token, folder='starred'")
            + "print([t['subject'] for t in starred])\n"
            "apis.supervisor.complete_task(answer=len(todo))\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        "Put my email label 'Work' on every email thread (outside the trash and spam) that includes one of the "
        "coworkers in my phone contacts and does not have that label yet. Also star each thread with a coworker in "
        "it where a coworker sent an attachment (if not starred yet). Tell me how many threads you labelled.",
        oracle,
        [
            Inserted(
                "email_thread_labels",
                {"thread_id": OneOf(ids), "label_id": label},
                f"the {len(ids)} threads with a coworker get the label 'Work'",
                count=len(ids),
                what="labelled threads",
            ),
            *(
                Updated(
                    "email_threads",
                    t["id"],
                    {"is_starred": 1},
                    f"'{t['subject']}' has a coworker's attachment: starred",
                )
                for t in star
            ),
            Answer(len(ids), f"the answer is the number of threads labelled ({len(ids)})"),
        ],
    )
