"""Scenarios keeping contacts tidy and in step across apps: stale duplicates, the email address book, coworker
emails, and money promised by text."""

from __future__ import annotations

import random
import re
from typing import Any

from envs.toolworld.evaluate import Answer, Deleted, Expectation, Inserted, NewRow, Updated
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, login, pick
from envs.toolworld.scenarios.email import sent_email
from envs.toolworld.scenarios.payments import balance_changes, befriend_code, befriended
from envs.toolworld.scenarios.phone import sent_text
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

STALE = "old number, no longer in use"
DONE = "apis.supervisor.complete_task()\n"


def note_in_address_book_code(pairs: str) -> str:
    """Oracle code adding, for each (email, word) of the iterable expression `pairs`, the word to the notes of that
    address-book entry unless they hold it already (after any notes, separated by '; ')."""
    return (
        f"for email, word in {pairs}:\n"
        "    entry = next(e for e in apis.email.show_email_contacts(access_token=email_token, query=email) "
        "if e['email'] == email)\n"
        "    if word not in entry['notes']:\n"
        "        notes = entry['notes'] + '; ' + word if entry['notes'] else word\n"
        "        apis.email.update_email_contact(access_token=email_token, email_contact_id=entry['email_contact_id'], "
        "notes=notes)\n"
    )


def noted_in_address_book(view: WorldView, owner: int, words: dict[str, str]) -> list[Expectation]:
    """The address-book entries of `owner` for the emails of `words` whose notes lack their word gain it."""
    entries = view.rows(
        "SELECT id, name, email, notes FROM email_contacts WHERE owner_id = ? "
        f"AND email IN ({','.join('?' * len(words))}) ORDER BY id",
        owner,
        *words,
    )
    return [
        Updated(
            "email_contacts",
            e["id"],
            {"notes": f"{e['notes']}; {word}" if e["notes"] else word},
            f"{e['name']}'s address-book entry notes {word}",
        )
        for e in entries
        for word in [words[e["email"]]]
        if word not in e["notes"]
    ]


def stale_pairs(view: WorldView, owner: int) -> list[dict[str, Any]]:
    """Stale entries (marked as an old number) with the current entry of the same name they duplicate."""
    return view.rows(
        "SELECT s.id AS stale_id, s.phone_number AS old_number, c.id AS current_id, c.notes AS current_notes, "
        "s.first_name || ' ' || s.last_name AS name FROM phone_contacts s JOIN phone_contacts c ON c.owner_id = "
        "s.owner_id AND c.first_name = s.first_name AND c.last_name = s.last_name AND c.id != s.id AND c.notes != ? "
        "WHERE s.owner_id = ? AND s.notes = ? ORDER BY s.id",
        STALE,
        owner,
        STALE,
    )


OLD_ADDRESSES_AT_LEAST = 3  # contacts_remove_stale_duplicates: old address-book entries, each deleted
STALE_AT_LEAST = (3, OLD_ADDRESSES_AT_LEAST)  # stale phone entries (each read and fixed) and old addresses


def old_addresses(view: WorldView, owner: int) -> list[dict[str, Any]]:
    """Address-book entries of a name saved twice whose address is not their phone contact's email, while the
    other entry's is (the address they used before)."""
    return view.rows(
        "SELECT e.id, e.name, e.email FROM email_contacts e WHERE e.owner_id = ?1 AND EXISTS (SELECT 1 FROM "
        "email_contacts d WHERE d.owner_id = ?1 AND d.name = e.name AND d.id != e.id AND EXISTS (SELECT 1 FROM "
        "phone_contacts c WHERE c.owner_id = ?1 AND c.first_name || ' ' || c.last_name = d.name "
        "AND lower(c.email) = lower(d.email))) AND NOT EXISTS (SELECT 1 FROM phone_contacts c WHERE c.owner_id = ?1 "
        "AND c.first_name || ' ' || c.last_name = e.name AND lower(c.email) = lower(e.email)) ORDER BY e.id",
        owner,
    )


@scenario("contacts_remove_stale_duplicates", apps=("phone", "email"))
def remove_stale_duplicates(view: WorldView, rng: random.Random) -> TaskSpec:
    """Each stale entry is checked against its person's current entry (another person's entry of the same first
    name is a distractor), deleted, noted in the current entry and the person texted at the current number; then
    the address book's old addresses go, each known old by its person's phone contact (whose email is the other
    entry's). 3+ stale phone entries and 3+ old addresses; the answer is the phone's count. Variant 0 has no stale
    phone entry: the phone stays as it is."""
    noop = getattr(rng, "variant", 0) % 3 == 0  # variant 0: no stale duplicate in the phone, nothing to do there
    counts = {p: (len(stale_pairs(view, p)), len(old_addresses(view, p))) for p in view.people_ids()}
    settings = [(0, n) for n in (OLD_ADDRESSES_AT_LEAST, 1, 0)] if noop else [STALE_AT_LEAST, (1, 1), (1, 0)]
    _, candidates = as_deep_as_found(
        settings,
        lambda least: [
            p for p, (pairs, olds) in counts.items() if (pairs == 0 if noop else pairs >= least[0]) and olds >= least[1]
        ],
    )
    owner = pick(rng, candidates, "stale duplicate contacts" if not noop else "tidy contacts", distinct=True)
    pairs = stale_pairs(view, owner)
    old = old_addresses(view, owner)
    look = (
        fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token")
        + f"stale = [c for c in contacts if c['notes'] == {STALE!r}]\n"
        "print(len(contacts), 'contacts;', [(c['first_name'], c['last_name'], c['phone_number']) for c in stale])\n"
    )
    decide = (
        "pairs = []\n"
        "for old in stale:\n"
        "    same = [c for c in contacts if c['contact_id'] != old['contact_id'] and c['notes'] != old['notes'] "
        "and (c['first_name'], c['last_name']) == (old['first_name'], old['last_name'])]\n"
        "    if same:\n"
        "        current = apis.phone.show_contact(access_token=phone_token, contact_id=same[0]['contact_id'])\n"
        "        pairs.append((old, current))\n"
        "print([(old['phone_number'], current['phone_number']) for old, current in pairs])\n"
    )
    act = (
        "for old, current in pairs:\n"
        "    apis.phone.delete_contact(access_token=phone_token, contact_id=old['contact_id'])\n"
        "    note = 'old number ' + old['phone_number'] + ' removed'\n"
        "    text = current['notes'] + '; ' + note if current['notes'] else note\n"
        "    apis.phone.update_contact(access_token=phone_token, contact_id=current['contact_id'], notes=text)\n"
        "    apis.phone.send_text_message(access_token=phone_token, phone_number=current['phone_number'], "
        "message='Hi ' + current['first_name'] + ', I deleted your old number ' + old['phone_number'] + "
        "' from my phone.')\n"
    )
    check = (
        "for old, current in pairs:\n"
        "    print(apis.phone.show_contact(access_token=phone_token, contact_id=current['contact_id'])['notes'])\n"
        "    print(apis.phone.search_text_messages(access_token=phone_token, phone_number=current['phone_number'], "
        "direction='sent', page_limit=1))\n"
        + fetch_all("left", "apis.phone.search_contacts(access_token=phone_token")
        + f"print(sum(c['notes'] == {STALE!r} for c in left), 'stale entries left')\n"
    )
    book = (
        fetch_all("book", "apis.email.show_email_contacts(access_token=email_token")
        + "in_phone = {(c['first_name'] + ' ' + c['last_name'], c['email'].lower()) for c in contacts if c['email']}\n"
        "named = {}\n"
        "for b in book:\n"
        "    named.setdefault(b['name'], []).append(b)\n"
        "for name, entries in named.items():\n"
        "    if len(entries) > 1 and any((name, b['email'].lower()) in in_phone for b in entries):\n"
        "        for b in entries:\n"
        "            if (name, b['email'].lower()) not in in_phone:\n"
        "                apis.email.delete_email_contact(access_token=email_token, "
        "email_contact_id=b['email_contact_id'])\n"
    )
    oracle = Solution().step(login("phone", "email")).step(look).step(decide)
    if pairs:
        oracle.step(act).step(check)
    steps = oracle.step(book).step("apis.supervisor.complete_task(answer=len(contacts))\n").steps()
    held = view.value("SELECT COUNT(*) FROM phone_contacts WHERE owner_id = ?", owner)
    expectations: list[Expectation] = [Answer(held, f"the answer is the {held} contacts my phone held")]
    if pairs:
        expectations.append(
            Deleted(
                "phone_contacts",
                frozenset(p["stale_id"] for p in pairs),
                "the stale duplicate entries are deleted",
                what="stale contacts",
            )
        )
    for p in pairs:
        note = f"old number {p['old_number']} removed"
        current = view.row("SELECT * FROM phone_contacts WHERE id = ?", p["current_id"])
        expectations += [
            Updated(
                "phone_contacts",
                p["current_id"],
                {"notes": f"{p['current_notes']}; {note}" if p["current_notes"] else note},
                f"{p['name']}'s current entry notes that {p['old_number']} was removed",
            ),
            sent_text(
                owner,
                view.value("SELECT id FROM people WHERE phone_number = ?", current["phone_number"]),
                f"Hi {current['first_name']}, I deleted your old number {p['old_number']} from my phone.",
                f"{p['name']} is told at {current['phone_number']} that the old number is deleted",
                what=f"texts to {p['name']}",
            ),
        ]
    if old:
        expectations.append(
            Deleted(
                "email_contacts",
                frozenset(e["id"] for e in old),
                "the address book's entries with an old address ("
                + ", ".join(e["email"] for e in old)
                + ") are deleted",
                what="address-book entries",
            )
        )
    return TaskSpec(
        owner,
        f"Some people are saved twice in my phone: once with their current number and once with an old one whose "
        f"notes say '{STALE}'. Delete each such old entry, and in the notes of the person's current entry write "
        "'old number <the old 10-digit number> removed' (after any notes already there, separated by '; '). Then "
        "text each of them at their current number: 'Hi <first name>, I deleted your old number <old number> from my "
        "phone.' If there is no such duplicate, change nothing in my phone. My email address book has the same "
        "problem: some names are in it twice or more, one entry with the email address of my phone contact of that "
        "name and the others with addresses that person used before. Delete those other entries; where no entry of "
        "a name has its phone contact's address, leave them all. Either way, tell me how many contacts my phone held "
        "before you changed anything.",
        steps,
        expectations,
        noop_pass=not pairs and not old,
    )


def favorite_gaps(view: WorldView, owner: int) -> tuple[list[dict[str, Any]], list[str]]:
    """(phone contacts to make favourites: favourites of my email address book saved in my phone but not
    favourite there, names of email favourites not in my phone at all)."""
    rows = view.rows(
        "SELECT e.name, e.email, (SELECT c.id FROM phone_contacts c WHERE c.owner_id = e.owner_id "
        "AND lower(c.email) = lower(e.email) AND c.is_favorite = 0 ORDER BY c.id LIMIT 1) AS contact_id, "
        "EXISTS (SELECT 1 FROM phone_contacts c WHERE c.owner_id = e.owner_id AND lower(c.email) = lower(e.email)) "
        "AS in_phone FROM email_contacts e WHERE e.owner_id = ? AND e.is_favorite = 1 ORDER BY e.id",
        owner,
    )
    return [r for r in rows if r["contact_id"]], sorted({r["name"] for r in rows if not r["in_phone"]})


@scenario("contacts_sync_email_favorites", apps=("phone", "email"))
def sync_email_favorites(view: WorldView, rng: random.Random) -> TaskSpec:
    """Favourites made the same both ways by email address: email favourites saved in the phone become phone
    favourites, phone favourites in the address book become email favourites, email favourites the phone lacks
    (an old address of someone saved under a newer one counts as lacking) are unfavourited and named."""
    gaps = {p: favorite_gaps(view, p) for p in view.people_ids()}
    candidates = [p for p, (promote, absent) in gaps.items() if len(promote) >= 2 and absent]
    owner = pick(rng, candidates, "email favourites not favourite on the phone, and some not in it", distinct=True)
    promote, absent = gaps[owner]
    promoted = {r["contact_id"] for r in promote}
    favorite_emails = {
        c["email"].lower()
        for c in view.rows("SELECT id, email, is_favorite FROM phone_contacts WHERE owner_id = ?", owner)
        if c["email"] and (c["is_favorite"] or c["id"] in promoted)
    }
    back = [
        e
        for e in view.rows("SELECT id, name, email FROM email_contacts WHERE owner_id = ? AND is_favorite = 0", owner)
        if e["email"].lower() in favorite_emails
    ]
    look = (
        fetch_all("book", "apis.email.show_email_contacts(access_token=email_token")
        + fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token")
        + "by_email = {}\n"
        "for c in sorted(contacts, key=lambda c: c['contact_id']):\n"
        "    if c['email']:\n"
        "        by_email.setdefault(c['email'].lower(), c)\n"
        "print([(b['name'], b['email'], b['is_favorite']) for b in book])\n"
    )
    to_phone = (
        "absent = set()\n"
        "for b in book:\n"
        "    c = by_email.get(b['email'].lower())\n"
        "    if not b['is_favorite']:\n"
        "        continue\n"
        "    if c is None:\n"
        "        absent.add(b['name'])\n"
        "        apis.email.update_email_contact(access_token=email_token, email_contact_id=b['email_contact_id'], "
        "is_favorite=False)\n"
        "    elif not c['is_favorite']:\n"
        "        apis.phone.favorite_contact(access_token=phone_token, contact_id=c['contact_id'])\n"
        "absent = sorted(absent)\n"
    )
    to_email = (
        fetch_all("favorites", "apis.phone.search_contacts(access_token=phone_token, is_favorite=True")
        + "favorite_emails = {c['email'].lower() for c in favorites if c['email']}\n"
        "for b in book:\n"
        "    if not b['is_favorite'] and b['email'].lower() in favorite_emails:\n"
        "        apis.email.update_email_contact(access_token=email_token, email_contact_id=b['email_contact_id'], "
        "is_favorite=True)\n"
    )
    check = (
        fetch_all("starred", "apis.email.show_email_contacts(access_token=email_token, favorites_only=True")
        + "print(len(favorites), 'phone favourites,', len(starred), 'email favourites;', absent)\n"
    )
    oracle = (
        Solution()
        .step(login("email", "phone"))
        .step(look)
        .step(to_phone)
        .step(to_email)
        .step(check)
        .step("apis.supervisor.complete_task(answer=absent)\n")
        .steps()
    )
    expectations: list[Expectation] = [
        Updated("phone_contacts", r["contact_id"], {"is_favorite": 1}, f"{r['name']} is a favourite on my phone")
        for r in promote
    ]
    expectations += [
        Updated("email_contacts", r["id"], {"is_favorite": 1}, f"{r['name']} is a favourite in my address book")
        for r in back
    ]
    phone_emails = {
        r["email"].lower()
        for r in view.rows("SELECT email FROM phone_contacts WHERE owner_id = ? AND email IS NOT NULL", owner)
    }
    expectations += [
        Updated(
            "email_contacts",
            e["id"],
            {"is_favorite": 0},
            f"{e['name']} <{e['email']}>, not in my phone, is no longer an email favourite",
        )
        for e in view.rows("SELECT id, name, email FROM email_contacts WHERE owner_id = ? AND is_favorite = 1", owner)
        if e["email"].lower() not in phone_emails
    ]
    expectations.append(Answer(absent, "the answer lists my email favourites who are not in my phone contacts"))
    return TaskSpec(
        owner,
        "Make my favourites the same on my phone and in my email address book, matching people by email address: "
        "every email favourite saved in my phone contacts should be a phone favourite, and every phone favourite "
        "in my address book should be an email favourite. Favourite the ones that are not. Email favourites whose "
        "address is not in my phone contacts at all are no longer favourites: take them off, and tell me their "
        "names (an empty list if none).",
        oracle,
        expectations,
    )


def on_vacation(view: WorldView) -> set[int]:
    today = WORLD_NOW.date().isoformat()
    return {
        r["owner_id"]
        for r in view.rows(
            "SELECT owner_id FROM email_settings WHERE vacation_enabled = 1 AND vacation_start <= ? "
            "AND vacation_end >= ?",
            today,
            today,
        )
    }


@scenario("contacts_email_company_coworkers", apps=("phone", "email"))
def email_company_coworkers(view: WorldView, rng: random.Random) -> TaskSpec:
    away = on_vacation(view)
    groups = view.rows(
        "SELECT c.owner_id, c.company, group_concat(p.id) AS ids FROM phone_contacts c JOIN people p "
        "ON p.email = c.email WHERE c.relationship = 'coworker' AND c.company IS NOT NULL "
        "AND EXISTS (SELECT 1 FROM phone_contacts f WHERE f.owner_id = c.owner_id AND f.company = c.company "
        "AND f.relationship != 'coworker') GROUP BY c.owner_id, c.company HAVING COUNT(*) >= 2 "
        "ORDER BY c.owner_id, c.company"
    )
    groups = [g for g in groups if not {int(i) for i in g["ids"].split(",")} & away and g["owner_id"] not in away]
    group = pick(rng, groups, "coworkers at one company with a non-coworker there too", distinct=True)
    owner, company = group["owner_id"], group["company"]
    to = sorted(int(i) for i in group["ids"].split(","))
    day = rng.choice(["Thursday", "Friday"])
    subject = f"{company} drinks on {day}"
    body = f"Hi all, drinks after work on {day}? Reply if you can make it."
    crew = f"{company} crew"
    chat = {"name": crew, "created_by": owner}
    post = f"Details are in my email '{subject}'."
    look = (
        fetch_all("coworkers", "apis.phone.search_contacts(access_token=phone_token, relationship='coworker'")
        + f"team = [c for c in coworkers if c['company'] == {company!r} and c['email']]\n"
        "emails = sorted(c['email'] for c in team)\n"
        "print(emails)\n"
    )
    send = (
        f"apis.email.send_email(access_token=email_token, recipients=emails, subject={subject!r}, body={body!r})\n"
        + fetch_all("sent", f"apis.email.show_threads(access_token=email_token, query={subject!r}")
        + "print(sent)\n"
    )
    book = note_in_address_book_code(f"[(email, {company!r}) for email in emails]")
    chat_code = (
        f"chat = apis.phone.create_group_chat(access_token=phone_token, name={crew!r}, "
        "phone_numbers=[c['phone_number'] for c in team])\n"
        "apis.phone.send_group_message(access_token=phone_token, group_chat_id=chat['group_chat_id'], "
        f"message={post!r})\n"
        "print(apis.phone.show_group_chat(access_token=phone_token, group_chat_id=chat['group_chat_id']))\n"
        "print(apis.phone.show_group_messages(access_token=phone_token, group_chat_id=chat['group_chat_id']))\n"
    )
    oracle = Solution().step(login("phone", "email")).step(look).step(send).step(book).step(chat_code).step(DONE)
    return TaskSpec(
        owner,
        f"Send one email to all my coworkers at {company} (the contacts saved as coworkers in my phone with that "
        f"company; not friends who happen to work there), subject '{subject}', body '{body}'. In my email address "
        f"book, add '{company}' to the notes of each of them who lacks it (after any notes already there, separated "
        f"by '; '). Then start a phone group chat named '{crew}' with them and post in it: \"{post}\"",
        oracle.steps(),
        [
            *sent_email(view, owner, to, body, f"the invitation goes to my {company} coworkers", subject=subject),
            *noted_in_address_book(view, owner, {view.person(p)["email"]: company for p in to}),
            Inserted("phone_group_chats", chat, f"a group chat '{crew}' is started", what="group chats"),
            *(
                Inserted(
                    "phone_group_members",
                    {"group_id": NewRow("phone_group_chats", chat), "person_id": member},
                    f"{view.value('SELECT email FROM people WHERE id = ?', member)} is in the '{crew}' chat",
                    what="members",
                )
                for member in [owner, *to]
            ),
            Inserted(
                "phone_group_messages",
                {"group_id": NewRow("phone_group_chats", chat), "sender_id": owner, "message": post},
                f"the chat gets the pointer to the email: {post!r}",
                what="chat messages",
            ),
        ],
    )


DEBT = re.compile(r"I owe you \$(\d+\.\d\d) for the tickets")


def unpaid_ticket_debts(view: WorldView, owner: int, since: str) -> list[dict[str, Any]]:
    """Texts I sent since `since` promising money for tickets, with no payment of that amount to them after."""
    debts = []
    for t in view.rows(
        "SELECT receiver_id, message, sent_at FROM phone_messages WHERE sender_id = ? AND sent_at >= ? "
        "AND message LIKE 'I owe you $% for the tickets%' ORDER BY sent_at",
        owner,
        since,
    ):
        amount = float(DEBT.search(t["message"]).group(1))  # type: ignore[union-attr]
        paid = view.rows(
            "SELECT 1 FROM payments_transactions WHERE sender_id = ? AND receiver_id = ? AND amount = ? "
            "AND created_at >= ?",
            owner,
            t["receiver_id"],
            amount,
            t["sent_at"],
        )
        if not paid:
            debts.append({"person": t["receiver_id"], "amount": amount, "sent_at": t["sent_at"]})
    return debts


@scenario("contacts_pay_ticket_promises", apps=("phone", "payments"))
def pay_ticket_promises(view: WorldView, rng: random.Random) -> TaskSpec:
    since = "2025-11-18"
    noop = getattr(rng, "variant", 0) % 3 == 1  # variant 1: no promise since then, nothing to pay
    funded = {r["person_id"] for r in view.rows("SELECT person_id FROM payments_balances WHERE balance > 300")}
    wanted = range(0, 1) if noop else range(2, 99)  # with promises to pay, at least two of them
    candidates = [p for p in view.people_ids() if p in funded and len(unpaid_ticket_debts(view, p, since)) in wanted]
    owner = pick(rng, candidates, "ticket promises by text", distinct=True)
    debts = unpaid_ticket_debts(view, owner, since)
    private = view.value("SELECT default_private FROM payments_settings WHERE person_id = ?", owner)
    look = (
        fetch_all(
            "texts", "apis.phone.search_text_messages(access_token=phone_token, query='I owe you for the tickets'"
        )
        + f"""
import re
promises = []
for t in texts:
    found = re.search(r'I owe you \\$(\\d+\\.\\d\\d) for the tickets', t['message'])
    if found and t['sender']['phone_number'] == me['phone_number'] and t['sent_at'] >= {since!r}:
        promises.append((t['receiver']['phone_number'], float(found.group(1)), t['sent_at']))
print(promises)
"""
    )
    decide = (
        fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token")
        + "emails = {c['phone_number']: c['email'] for c in contacts if c['email']}\n"
        + fetch_all(
            "sent",
            f"apis.payments.show_transactions(access_token=payments_token, direction='sent', start_date={since!r}",
        )
        + "todo = []\n"
        "for number, amount, when in promises:\n"
        "    email = emails[number]\n"
        "    if not any(p['receiver']['email'] == email and abs(p['amount'] - amount) < 0.005 "
        "and p['created_at'] >= when for p in sent):\n"
        "        todo.append((email, amount))\n"
        "balance = apis.payments.show_balance(access_token=payments_token)['balance']\n"
        "print(todo, balance)\n"
    )
    act = (
        "for email, amount in todo:\n"
        "    apis.payments.send_money(access_token=payments_token, receiver_email=email, amount=amount, "
        "note='tickets')\n"
        "    number = next(n for n, e in emails.items() if e == email)\n"
        "    apis.phone.send_text_message(access_token=phone_token, phone_number=number, "
        "message='Sent you $%.2f for the tickets.' % amount)\n"
        + befriend_code("{email for email, _ in todo}")
        + "print(apis.payments.show_balance(access_token=payments_token))\n"
    )
    done = "apis.supervisor.complete_task(answer=balance)\n"
    oracle = Solution().step(login("phone", "payments")).step(look).step(decide).step(act).step(done).steps()
    balance = view.value("SELECT balance FROM payments_balances WHERE person_id = ?", owner)
    expectations: list[Expectation] = [Answer(balance, f"the answer is my balance before paying, ${balance:.2f}")]
    deltas: dict[int, float] = {}
    for d in debts:
        expectations.append(
            Inserted(
                "payments_transactions",
                {
                    "sender_id": owner,
                    "receiver_id": d["person"],
                    "amount": d["amount"],
                    "note": "tickets",
                    "private": private,
                },
                f"the ${d['amount']:.2f} promised by text on {d['sent_at'][:10]} is paid",
                what=f"payments of ${d['amount']:.2f}",
            )
        )
        expectations.append(
            sent_text(
                owner,
                d["person"],
                f"Sent you ${d['amount']:.2f} for the tickets.",
                f"a text tells them the ${d['amount']:.2f} is sent",
                what=f"texts about ${d['amount']:.2f}",
            )
        )
        deltas[d["person"]] = round(deltas.get(d["person"], 0.0) + d["amount"], 2)
        deltas[owner] = round(deltas.get(owner, 0.0) - d["amount"], 2)
    if debts:
        expectations += balance_changes(view, deltas)
    expectations += befriended(view, owner, {d["person"] for d in debts}, "paid for the tickets")
    return TaskSpec(
        owner,
        f"Since {since} I texted some people 'I owe you $<amount> for the tickets'. Pay each of those promises on "
        "the payments app with the note 'tickets', unless I already sent that person that amount after the text, and "
        "text them 'Sent you $<amount> for the tickets.' (two decimals). Make each person you pay my payments "
        "friend if they are not yet. "
        "If there is nothing left to pay, do nothing. Either way, tell me my payments balance before any payment.",
        oracle,
        expectations,
        noop_pass=not debts,
    )
