"""Scenarios on the phone app: texting, contacts, alarms."""

from __future__ import annotations

import random
from typing import Any

from envs.toolworld.evaluate import Answer, Contains, Deleted, Expectation, Inserted, NewRow, OneOf, Updated
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, full_name, login, pick
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

MESSAGES = [
    "See you at the station at six.",
    "Can you water my plants this weekend?",
    "I found your keys in my bag!",
    "Dinner is on me tonight.",
    "Don't forget the meeting moved to Thursday.",
]
DONE = "apis.supervisor.complete_task()\n"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


def sent_text(owner: int, to: Any, message: Any, requirement: str, what: str = "texts", count: int = 1) -> Inserted:
    """A text `owner` sent: a new phone_messages row to `to` (a person id or a matcher), unread by them."""
    return Inserted(
        "phone_messages",
        {"sender_id": owner, "receiver_id": to, "message": message, "is_read": 0},
        requirement,
        count=count,
        what=what,
    )


@scenario("phone_text_relation", apps=("phone", "email"))
def text_relation(view: WorldView, rng: random.Random) -> TaskSpec:
    """Their unread texts read one by one (texts from others stay unread), the message sent, favourite if not yet
    on the phone and in the email address book (found by the contact's address); the answer counts the texts
    exchanged before mine (a first page of 5 is the trap)."""
    contact = pick(
        rng,
        view.rows(
            "SELECT c.*, p.id AS person_id FROM phone_contacts c JOIN people p ON p.phone_number = c.phone_number "
            "WHERE c.relationship IS NOT NULL AND EXISTS (SELECT 1 FROM phone_messages m WHERE m.sender_id = p.id "
            "AND m.receiver_id = c.owner_id AND m.is_read = 0) ORDER BY c.id"
        ),
        "related contact with unread texts",
        distinct=True,
    )
    owner, person_id = contact["owner_id"], contact["person_id"]
    message = rng.choice(MESSAGES)
    name = f"{contact['first_name']} {contact['last_name']}"
    unread = view.rows(
        "SELECT id, sent_at FROM phone_messages WHERE sender_id = ? AND receiver_id = ? AND is_read = 0 ORDER BY id",
        person_id,
        owner,
    )
    exchanged = view.value(
        "SELECT COUNT(*) FROM phone_messages WHERE (sender_id = ? AND receiver_id = ?) OR (sender_id = ? AND "
        "receiver_id = ?)",
        owner,
        person_id,
        person_id,
        owner,
    )
    oracle = (
        Solution()
        .step(login("phone", "email"))
        .step(
            f"found = apis.phone.search_contacts(access_token=phone_token, query={name!r})\n"
            f"contact = next(c for c in found if c['first_name'] + ' ' + c['last_name'] == {name!r})\n"
            + fetch_all(
                "texts",
                "apis.phone.search_text_messages(access_token=phone_token, phone_number=contact['phone_number']",
            )
            + "print(len(texts), 'texts')\n"
        )
        .step(
            "for t in texts:\n"
            "    if t['sender']['phone_number'] == contact['phone_number'] and not t['is_read']:\n"
            "        print(apis.phone.show_text_message(access_token=phone_token, "
            "text_message_id=t['text_message_id'])['message'])\n"
            "        apis.phone.mark_text_message_read(access_token=phone_token, "
            "text_message_id=t['text_message_id'])\n"
        )
        .step(
            "apis.phone.send_text_message(access_token=phone_token, phone_number=contact['phone_number'], "
            f"message={message!r})\n"
            "if not contact['is_favorite']:\n"
            "    apis.phone.favorite_contact(access_token=phone_token, contact_id=contact['contact_id'])\n"
        )
        .step(
            "book = apis.email.show_email_contacts(access_token=email_token, query=contact['email'])\n"
            "for entry in book:\n"
            "    if entry['email'] == contact['email'] and not entry['is_favorite']:\n"
            "        apis.email.update_email_contact(access_token=email_token, "
            "email_contact_id=entry['email_contact_id'], is_favorite=True)\n"
        )
        .step(
            "print(apis.phone.show_contact(access_token=phone_token, contact_id=contact['contact_id']))\n"
            "print(apis.phone.search_text_messages(access_token=phone_token, phone_number=contact['phone_number'], "
            "unread_only=True))\n"
        )
        .step("apis.supervisor.complete_task(answer=len(texts))\n")
        .steps()
    )
    return TaskSpec(
        supervisor_id=owner,
        instruction=f"Read the unread texts my {contact['relationship']} {name} sent me and mark each of them as "
        f'read. Then text them: "{message}", and make them a favourite contact if they are not one yet, on my phone '
        "and in my email address book (their entry with the email address of their phone contact). Tell me how "
        "many texts we had exchanged before this one (both ways).",
        oracle=oracle,
        expectations=[
            *(
                Updated("phone_messages", m["id"], {"is_read": 1}, f"{name}'s unread text of {m['sent_at']} is read")
                for m in unread
            ),
            sent_text(
                owner,
                person_id,
                Contains(message),
                f"a text message to {name} saying {message!r} is sent",
                what="text messages",
            ),
            *(
                []
                if contact["is_favorite"]
                else [Updated("phone_contacts", contact["id"], {"is_favorite": 1}, f"{name} is now a favourite")]
            ),
            *(
                Updated("email_contacts", e["id"], {"is_favorite": 1}, f"{name} is a favourite in my address book")
                for e in view.rows(
                    "SELECT id FROM email_contacts WHERE owner_id = ? AND email = ? AND is_favorite = 0",
                    owner,
                    contact["email"],
                )
            ),
            Answer(
                exchanged,
                f"the answer is the number of texts exchanged with {name} before ({exchanged})",
                traps={"5": "only the first page of texts was counted"},
            ),
        ],
    )


QUIET_SINCE = "2026-03-01"


def texted_since(view: WorldView, owner: int, person: int, since: str) -> bool:
    """Whether `owner` and `person` exchanged a text (either way) on or after `since`."""
    return bool(
        view.rows(
            "SELECT 1 FROM phone_messages WHERE ((sender_id = ? AND receiver_id = ?) OR (sender_id = ? AND "
            "receiver_id = ?)) AND sent_at >= ? LIMIT 1",
            owner,
            person,
            person,
            owner,
            since,
        )
    )


def text_quiet_code(contacts: str, since: str, message: str) -> str:
    """Oracle code texting `message` (an expression of the contact `c`) to each of `contacts` with whom no text
    was exchanged since `since`: one look at each conversation since that day."""
    return (
        f"for c in {contacts}:\n"
        "    recent = apis.phone.search_text_messages(access_token=phone_token, phone_number=c['phone_number'], "
        f"sent_after={since!r}, page_limit=1)\n"
        "    if not recent:\n"
        f"        apis.phone.send_text_message(access_token=phone_token, phone_number=c['phone_number'], "
        f"message={message})\n"
    )


def quiet_contacts(view: WorldView, owner: int, kind: str) -> list[dict]:
    """Contacts of one kind I have exchanged no text with since QUIET_SINCE (texts before it are distractors)."""
    return [
        c
        for c in view.rows(
            "SELECT c.id, c.first_name, c.phone_number, p.id AS person_id FROM phone_contacts c JOIN people p "
            "ON p.phone_number = c.phone_number WHERE c.owner_id = ? AND c.relationship = ? ORDER BY c.id",
            owner,
            kind,
        )
        if not texted_since(view, owner, c["person_id"], QUIET_SINCE)
    ]


def talked_since(view: WorldView, owner: int, number: str, since: str = "") -> bool:
    """Whether `owner`'s call log holds a call with `number` on or after `since` (ever, by default) in which they
    talked (missed and unanswered calls last 0 seconds)."""
    return bool(
        view.rows(
            "SELECT 1 FROM phone_calls WHERE owner_id = ? AND phone_number = ? AND started_at >= ? "
            "AND duration_seconds > 0 LIMIT 1",
            owner,
            number,
            since,
        )
    )


def out_of_touch(view: WorldView, owner: int, kind: str) -> tuple[list[dict], list[dict]]:
    """Contacts of one kind with no text since QUIET_SINCE, split into those I did talk to on the phone since then
    (no catch-up text) and the others (a catch-up text)."""
    quiet = quiet_contacts(view, owner, kind)
    talked = [c for c in quiet if talked_since(view, owner, c["phone_number"], QUIET_SINCE)]
    return talked, [c for c in quiet if c not in talked]


QUIET_AT_LEAST = 4  # contacts of the kind with no text since QUIET_SINCE, each looked up in the call log


@scenario("phone_count_relationship", apps=("phone",))
def count_relationship(view: WorldView, rng: random.Random) -> TaskSpec:
    """Every contact of one kind counted (over pages) and made a favourite; those I have not been in touch with
    since QUIET_SINCE get a catch-up text. Deep: for each contact with no text since then, whether we talked on the
    phone since is only in the call log (one look per contact); the pick has 4+ such contacts, some of whom I
    talked to and some not, so a text or call read skipped sends a wrong text or misses one."""
    groups = view.rows(
        "SELECT owner_id, relationship, COUNT(*) AS n FROM phone_contacts WHERE relationship IS NOT NULL "
        "GROUP BY owner_id, relationship HAVING n > 5 "
        "ORDER BY owner_id, relationship"
    )
    split = {(g["owner_id"], g["relationship"]): out_of_touch(view, g["owner_id"], g["relationship"]) for g in groups}

    def deciding(at_least: int) -> list[dict]:
        """Groups with `at_least` contacts quiet by text, the call log deciding both ways among them."""
        return [
            g
            for g in groups
            for talked, texted in [split[(g["owner_id"], g["relationship"])]]
            if len(talked) + len(texted) >= at_least and (talked and texted or not at_least)
        ]

    _, groups = as_deep_as_found((QUIET_AT_LEAST, 1, 0), deciding)
    group = pick(rng, groups, "supervisor with more than 5 contacts of one kind", distinct=True)
    kind, owner = group["relationship"], group["owner_id"]
    hello = "Hi {}, long time no talk! How are you?"
    oracle = (
        Solution()
        .step(login("phone"))
        .step(fetch_all("found", f"apis.phone.search_contacts(access_token=phone_token, relationship={kind!r}"))
        .step(
            "for c in found:\n"
            "    if not c['is_favorite']:\n"
            "        apis.phone.favorite_contact(access_token=phone_token, contact_id=c['contact_id'])\n"
        )
        .step(
            "for c in found:\n"
            "    recent = apis.phone.search_text_messages(access_token=phone_token, phone_number=c['phone_number'], "
            f"sent_after={QUIET_SINCE!r}, page_limit=1)\n"
            "    if recent:\n"
            "        continue\n"
            "    talked = apis.phone.show_call_history(access_token=phone_token, phone_number=c['phone_number'], "
            f"started_after={QUIET_SINCE!r}, min_duration_seconds=1, page_limit=1)\n"
            "    print(c['first_name'], c['last_name'], 'talked' if talked else 'out of touch')\n"
            "    if not talked:\n"
            "        apis.phone.send_text_message(access_token=phone_token, phone_number=c['phone_number'], "
            f"message={hello!r}.format(c['first_name']))\n"
        )
        .step(
            fetch_all(
                "favorites",
                f"apis.phone.search_contacts(access_token=phone_token, relationship={kind!r}, is_favorite=False",
            )
            + "print(len(favorites), 'left to favourite')\n"
            "apis.supervisor.complete_task(answer=len(found))\n"
        )
        .steps()
    )
    return TaskSpec(
        supervisor_id=owner,
        instruction=f"How many contacts in my phone are my {kind}s? Make every one of them a favourite contact "
        f"(those that are not yet), and text each of them I have not been in touch with since {QUIET_SINCE}: "
        f"'{hello.format('<first name>')}'. In touch means a text either way, or a call either way in which we "
        "talked (missed or unanswered calls do not count).",
        oracle=oracle,
        expectations=[
            Answer(
                group["n"],
                f"the answer is the number of {kind} contacts ({group['n']})",
                traps={
                    "5": "only the first page of contacts was counted: results are paginated (page_limit default 5)"
                },
            ),
            *(
                Updated("phone_contacts", c["id"], {"is_favorite": 1}, f"{c['name']} is now a favourite")
                for c in view.rows(
                    "SELECT id, first_name || ' ' || last_name AS name FROM phone_contacts WHERE owner_id = ? "
                    "AND relationship = ? AND is_favorite = 0",
                    owner,
                    kind,
                )
            ),
            *(
                sent_text(
                    owner,
                    c["person_id"],
                    hello.format(c["first_name"]),
                    f"{c['first_name']}, out of touch since {QUIET_SINCE}, gets the catch-up text",
                    what=f"texts to {c['first_name']}",
                )
                for c in out_of_touch(view, owner, kind)[1]
            ),
        ],
    )


TALKED_SINCE = "2026-04-01"  # those I talked to on the phone since then already know: no text
KIND_AT_LEAST = 8  # contacts of the kind, each looked up in the call log


@scenario("phone_text_all_of_kind", apps=("phone",))
def text_all_of_kind(view: WorldView, rng: random.Random) -> TaskSpec:
    """Their unread texts to me read first (checked per contact; other people's stay unread), one text each to
    those I have not talked to on the phone since TALKED_SINCE, then a group chat with all of them.
    Deep: whether I talked to a contact is only in the call log (one look per contact, 8+ contacts, some talked
    to and some not), so skipping it texts people it should not."""
    groups = view.rows(
        "SELECT owner_id, relationship, COUNT(*) AS n FROM phone_contacts WHERE relationship IS NOT NULL "
        "GROUP BY owner_id, relationship HAVING n > 5 "
        "ORDER BY owner_id, relationship"
    )

    def contacts_of(owner: int, kind: str) -> list[str]:
        return [
            r["phone_number"]
            for r in view.rows(
                "SELECT phone_number FROM phone_contacts WHERE owner_id = ? AND relationship = ? ORDER BY id",
                owner,
                kind,
            )
        ]

    def talked_to(owner: int, kind: str) -> set[str]:
        return {n for n in contacts_of(owner, kind) if talked_since(view, owner, n, TALKED_SINCE)}

    def deciding(at_least: int) -> list[dict]:
        """Groups of `at_least` contacts where the call log decides both ways."""
        return [
            g for g in groups if g["n"] >= at_least and 0 < len(talked_to(g["owner_id"], g["relationship"])) < g["n"]
        ] or ([] if at_least else groups)

    _, groups = as_deep_as_found((KIND_AT_LEAST, 6, 0), deciding)
    group = pick(rng, groups, "supervisor with more than 5 contacts of one kind", distinct=True)
    kind, owner = group["relationship"], group["owner_id"]
    numbers = contacts_of(owner, kind)
    ids = [view.value("SELECT id FROM people WHERE phone_number = ?", n) for n in numbers]
    talked = talked_to(owner, kind)
    told = [i for i, n in zip(ids, numbers, strict=True) if n not in talked]
    unread = view.rows(
        f"SELECT id, sender_id FROM phone_messages WHERE receiver_id = ? AND is_read = 0 AND sender_id IN "
        f"({','.join('?' * len(ids))}) ORDER BY id",
        owner,
        *ids,
    )
    message = rng.choice(MESSAGES)
    chat_name = f"My {kind}s"
    chat = {"name": chat_name, "created_by": owner}
    oracle = (
        Solution()
        .step(login("phone"))
        .step(
            fetch_all("found", f"apis.phone.search_contacts(access_token=phone_token, relationship={kind!r}")
            + "print([c['phone_number'] for c in found])\n"
        )
        .step(
            "for contact in found:\n"
            "    waiting = apis.phone.search_text_messages(access_token=phone_token, "
            "phone_number=contact['phone_number'], unread_only=True)\n"
            "    if waiting:\n"
            "        apis.phone.mark_conversation_read(access_token=phone_token, "
            "phone_number=contact['phone_number'])\n"
        )
        .step(
            "for contact in found:\n"
            "    talked = apis.phone.show_call_history(access_token=phone_token, "
            f"phone_number=contact['phone_number'], started_after={TALKED_SINCE!r}, min_duration_seconds=1, "
            "page_limit=1)\n"
            "    if not talked:\n"
            "        apis.phone.send_text_message(access_token=phone_token, "
            f"phone_number=contact['phone_number'], message={message!r})\n"
            f"apis.phone.create_group_chat(access_token=phone_token, name={chat_name!r}, "
            "phone_numbers=[c['phone_number'] for c in found])\n"
        )
        .step(
            fetch_all(
                "sent", f"apis.phone.search_text_messages(access_token=phone_token, direction='sent', query={message!r}"
            )
            + "print(len(sent))\n"
            + fetch_all("chats", f"apis.phone.show_group_chats(access_token=phone_token, query={chat_name!r}")
            + "print([len(c['members']) for c in chats])\n"
        )
        .step(DONE)
        .steps()
    )
    return TaskSpec(
        supervisor_id=owner,
        instruction=f"First mark as read every unread text any {kind} in my phone contacts sent me. Then send this "
        f'text to every one of them, one message each: "{message}", except those I have talked to on the phone '
        f"since {TALKED_SINCE} (a call either way in which we talked; missed or unanswered calls do not count). "
        f"Then start a group chat named '{chat_name}' with every {kind} in my phone contacts, those I did not text "
        "included.",
        oracle=oracle,
        expectations=[
            *(
                Updated(
                    "phone_messages",
                    m["id"],
                    {"is_read": 1},
                    f"{full_name(view, m['sender_id'])}'s unread text {m['id']} is read",
                )
                for m in unread
            ),
            sent_text(
                owner,
                OneOf(told),
                Contains(message),
                f"each of the {len(told)} {kind} contacts I have not talked to since {TALKED_SINCE} gets the text",
                count=len(told),
                what=f"texts to {kind}s",
            ),
            Inserted("phone_group_chats", chat, f"a group chat '{chat_name}' is started", what="group chats"),
            *(
                Inserted(
                    "phone_group_members",
                    {"group_id": NewRow("phone_group_chats", chat), "person_id": member},
                    f"{full_name(view, member)} is in the '{chat_name}' chat",
                    what="members",
                )
                for member in dict.fromkeys([owner, *ids])
            ),
        ],
    )


@scenario("phone_delete_disabled_alarms", apps=("phone",))
def delete_disabled_alarms(view: WorldView, rng: random.Random) -> TaskSpec:
    """Disabled alarms deleted; each kept one checked: one-off ones made weekday alarms, long snoozes cut to 10
    minutes (one update per alarm, whatever applies); the answer counts the alarms deleted."""
    owner = pick(
        rng,
        view.rows("SELECT DISTINCT owner_id FROM phone_alarms WHERE enabled = 0 ORDER BY owner_id"),
        "disabled alarm",
        distinct=True,
    )["owner_id"]
    ids = frozenset(r["id"] for r in view.rows("SELECT id FROM phone_alarms WHERE owner_id = ? AND enabled = 0", owner))
    kept = view.rows("SELECT * FROM phone_alarms WHERE owner_id = ? AND enabled = 1 ORDER BY time, id", owner)
    oracle = (
        Solution()
        .step(login("phone"))
        .step(
            fetch_all("alarms", "apis.phone.show_alarms(access_token=phone_token")
            + "print([(a['time'], a['label'], a['enabled']) for a in alarms])\n"
        )
        .step(
            "for alarm in alarms:\n"
            "    if not alarm['enabled']:\n"
            "        apis.phone.delete_alarm(access_token=phone_token, alarm_id=alarm['alarm_id'])\n"
            "        continue\n"
            "    changes = {}\n"
            "    if not alarm['repeat_days']:\n"
            f"        changes['repeat_days'] = {list(WEEKDAYS)!r}\n"
            "    if alarm['snooze_minutes'] > 10:\n"
            "        changes['snooze_minutes'] = 10\n"
            "    if changes:\n"
            "        apis.phone.update_alarm(access_token=phone_token, alarm_id=alarm['alarm_id'], **changes)\n"
            "        print(apis.phone.show_alarm(access_token=phone_token, alarm_id=alarm['alarm_id']))\n"
        )
        .step(
            fetch_all("left", "apis.phone.show_alarms(access_token=phone_token")
            + "print([(a['time'], a['enabled']) for a in left])\n"
            "apis.supervisor.complete_task(answer=sum(not a['enabled'] for a in alarms))\n"
        )
        .steps()
    )
    expectations: list[Expectation] = [
        Deleted("phone_alarms", ids, f"the {len(ids)} disabled alarms are deleted", what="disabled alarms")
    ]
    for a in kept:
        changes: dict[str, Any] = {}
        if not a["repeat_days"]:
            changes["repeat_days"] = ",".join(WEEKDAYS)
        if a["snooze_minutes"] > 10:
            changes["snooze_minutes"] = 10
        if changes:
            expectations.append(
                Updated(
                    "phone_alarms",
                    a["id"],
                    changes,
                    f"the {a['time']} alarm '{a['label']}': "
                    + " and ".join(
                        {"repeat_days": "repeats on weekdays", "snooze_minutes": "snoozes 10 minutes"}[k]
                        for k in changes
                    ),
                )
            )
    expectations.append(Answer(len(ids), f"the answer is the number of alarms deleted ({len(ids)})"))
    return TaskSpec(
        owner,
        "Delete all the alarms on my phone that are turned off; keep the others. Those of the others that ring only "
        "once (no repeat days) should repeat Monday to Friday from now on, and those that snooze for more than 10 "
        "minutes should snooze for 10. Tell me how many alarms you deleted.",
        oracle,
        expectations,
    )


@scenario("phone_add_contact", apps=("phone", "email", "payments"))
def add_contact(view: WorldView, rng: random.Random) -> TaskSpec:
    """A new contact saved in the phone and the address book (after checking neither has them), texted hello and
    befriended on payments unless already a friend there; the answer counts my payments friends after."""
    owner = rng.choice(view.people_ids())
    known = {r["phone_number"] for r in view.rows("SELECT phone_number FROM phone_contacts WHERE owner_id = ?", owner)}
    in_book = {r["email"] for r in view.rows("SELECT email FROM email_contacts WHERE owner_id = ?", owner)}
    stranger = pick(
        rng,
        [
            p
            for p in view.rows(
                "SELECT * FROM people p WHERE id != ?1 AND NOT EXISTS (SELECT 1 FROM payments_blocks b WHERE "
                "(b.owner_id, b.blocked_id) IN ((?1, p.id), (p.id, ?1))) ORDER BY id",
                owner,
            )
            if p["phone_number"] not in known and p["email"] not in in_book
        ],
        "stranger (neither of us blocking the other on payments, so they can be befriended)",
    )
    relationship = rng.choice(("friend", "coworker"))
    name = f"{stranger['first_name']} {stranger['last_name']}"
    friends = {r["friend_id"] for r in view.rows("SELECT friend_id FROM payments_friends WHERE owner_id = ?", owner)}
    befriend = stranger["id"] not in friends
    hello = f"Hi {stranger['first_name']}, it's {view.person(owner)['first_name']}. I saved your number!"
    oracle = (
        Solution()
        .step(login("phone", "email", "payments"))
        .step(
            fetch_all("same", f"apis.phone.search_contacts(access_token=phone_token, query={name!r}")
            + fetch_all("book", f"apis.email.show_email_contacts(access_token=email_token, query={name!r}")
            + "print(same, book)\n"
        )
        .step(
            f"apis.phone.add_contact(access_token=phone_token, first_name={stranger['first_name']!r}, "
            f"last_name={stranger['last_name']!r}, phone_number={stranger['phone_number']!r}, "
            f"email={stranger['email']!r}, relationship={relationship!r})\n"
            f"apis.phone.send_text_message(access_token=phone_token, phone_number={stranger['phone_number']!r}, "
            f"message={hello!r})\n"
            f"apis.email.add_email_contact(access_token=email_token, name={name!r}, email={stranger['email']!r}, "
            f"notes={relationship!r})\n"
        )
        .step(
            f"already = apis.payments.show_friends(access_token=payments_token, query={stranger['email']!r})\n"
            "if not already:\n"
            f"    apis.payments.add_friend(access_token=payments_token, email={stranger['email']!r})\n"
        )
        .step(
            f"print(apis.phone.search_contacts(access_token=phone_token, query={stranger['phone_number']!r}))\n"
            + fetch_all("friends", "apis.payments.show_friends(access_token=payments_token")
            + "apis.supervisor.complete_task(answer=len(friends))\n"
        )
        .steps()
    )
    match = {
        "owner_id": owner,
        "first_name": stranger["first_name"],
        "last_name": stranger["last_name"],
        "phone_number": stranger["phone_number"],
        "relationship": relationship,
        "email": stranger["email"],
        "is_favorite": 0,
        "birthday": None,
        "company": None,
        "notes": "",
    }
    return TaskSpec(
        owner,
        f"Add {name} to my phone contacts as a {relationship}: phone {stranger['phone_number']}, "
        f'email {stranger["email"]}. Then text them "{hello}", and add them to my email address book too (their '
        f"full name, that email, the note '{relationship}'). Also make them my friend on the payments app if they "
        "are not yet, and tell me how many payments friends I have then.",
        oracle,
        [
            Inserted(
                "phone_contacts",
                match,
                f"{name} is a new {relationship} contact with the right phone number",
                what="contacts",
            ),
            sent_text(
                owner,
                stranger["id"],
                hello,
                f"{name} gets the hello text",
                what="hello texts",
            ),
            Inserted(
                "email_contacts",
                {"owner_id": owner, "name": name, "email": stranger["email"], "notes": relationship, "is_favorite": 0},
                f"{name} is in my email address book",
                what="address-book entries",
            ),
            *(
                [
                    Inserted(
                        "payments_friends",
                        {"owner_id": owner, "friend_id": stranger["id"]},
                        f"{name} is my friend on payments",
                        what="friends",
                    )
                ]
                if befriend
                else []
            ),
            Answer(
                len(friends) + befriend,
                f"the answer is the number of my payments friends after ({len(friends) + befriend})",
                traps={"5": "only the first page of friends was counted"},
            ),
        ],
    )


SORRY = "Sorry for the slow reply, I will get back to you soon."


AT_WORK = "Got your text, I will answer on Monday when I am back at work."


def _relationships(view: WorldView, owner: int, people: list[int]) -> dict[int, set[str | None]]:
    """The relationships `owner` saved for each person's number (none saved: an empty set)."""
    return {
        p: {
            r["relationship"]
            for r in view.rows(
                "SELECT c.relationship FROM phone_contacts c JOIN people p ON p.phone_number = c.phone_number "
                "WHERE c.owner_id = ? AND p.id = ?",
                owner,
                p,
            )
        }
        for p in people
    }


@scenario("phone_reply_latest", apps=("phone",))
def reply_latest(view: WorldView, rng: random.Random) -> TaskSpec:
    """The sender of my latest text gets the reply; every other conversation with unread texts gets a holding
    message (conversations all read are distractors); all those texts are marked read.
    Deep: which holding message each person gets is decided by the relationship saved in my contacts for their
    number (one contact search per conversation: the conversation list has no relationship)."""

    def waiting_of(owner: int) -> tuple[dict[str, Any], list[int]]:
        latest = view.row(
            "SELECT * FROM phone_messages WHERE receiver_id = ? ORDER BY sent_at DESC, id DESC LIMIT 1", owner
        )
        waiting = [
            r["sender_id"]
            for r in view.rows(
                "SELECT DISTINCT sender_id FROM phone_messages WHERE receiver_id = ? AND is_read = 0 "
                "AND sender_id != ? ORDER BY sender_id",
                owner,
                latest["sender_id"],
            )
        ]
        return latest, waiting

    def coworkers(owner: int) -> set[int]:
        saved = _relationships(view, owner, waiting_of(owner)[1])
        return {p for p, rel in saved.items() if rel == {"coworker"}}

    owners = [
        r["receiver_id"]
        for r in view.rows(
            "SELECT receiver_id FROM phone_messages WHERE is_read = 0 GROUP BY receiver_id "
            "HAVING COUNT(DISTINCT sender_id) >= 2 ORDER BY receiver_id"
        )
    ]
    # a number saved twice with different relationships is left out of the pool first (which message it gets would
    # be a guess), so each variant keeps an owner of its own; then owners with a coworker and someone else waiting,
    # so the relationship read decides both ways, else fewer, when there are three
    owners = [o for o in owners if all(len(rel) <= 1 for rel in _relationships(view, o, waiting_of(o)[1]).values())]
    tiers = (
        [o for o in owners if coworkers(o) and len(coworkers(o)) < len(waiting_of(o)[1])],
        [o for o in owners if coworkers(o)],
    )
    pool = next((tier for tier in tiers if len(tier) >= 3), owners)  # three at least: variants 0-2 differ
    owner = pick(rng, pool, "texts unread from two people", distinct=True)
    latest, waiting = waiting_of(owner)
    at_work = coworkers(owner)
    reply = rng.choice(["Got it, thanks!", "Sounds good to me.", "Sure, talk soon."])
    oracle = (
        Solution()
        .step(login("phone"))
        .step(
            "latest = apis.phone.search_text_messages(access_token=phone_token, direction='received', "
            "page_limit=1)[0]\n"
            "print(latest)\n"
            + fetch_all("chats", "apis.phone.show_conversations(access_token=phone_token, unread_only=True")
            + "print([(c['name'], c['unread_count']) for c in chats])\n"
        )
        .step(
            "number = latest['sender']['phone_number']\n"
            "saved = {}\n"
            "for c in chats:\n"
            "    if c['phone_number'] != number:\n"
            "        found = apis.phone.search_contacts(access_token=phone_token, query=c['phone_number'])\n"
            "        saved[c['phone_number']] = {f['relationship'] for f in found "
            "if f['phone_number'] == c['phone_number']}\n"
            "print(saved)\n"
        )
        .step(
            f"apis.phone.send_text_message(access_token=phone_token, phone_number=number, message={reply!r})\n"
            "if any(c['phone_number'] == number for c in chats):\n"
            "    apis.phone.mark_conversation_read(access_token=phone_token, phone_number=number)\n"
            "for c in chats:\n"
            "    if c['phone_number'] != number:\n"
            f"        text = {AT_WORK!r} if saved[c['phone_number']] == {{'coworker'}} else {SORRY!r}\n"
            "        apis.phone.send_text_message(access_token=phone_token, phone_number=c['phone_number'], "
            "message=text)\n"
            "        apis.phone.mark_conversation_read(access_token=phone_token, phone_number=c['phone_number'])\n"
        )
        .step(
            fetch_all("left", "apis.phone.show_conversations(access_token=phone_token, unread_only=True")
            + "print(len(left), 'conversations still unread')\n"
            "sent = apis.phone.search_text_messages(access_token=phone_token, direction='sent', "
            "page_limit=min(len(chats) + 1, 20))\n"
            "print([(m['receiver']['phone_number'], m['message']) for m in sent])\n"
        )
        .step(DONE)
        .steps()
    )
    sender = full_name(view, latest["sender_id"])
    return TaskSpec(
        owner,
        f'Reply "{reply}" to whoever sent me my most recent text message, and mark all their texts to me as read. '
        "Everyone else who has texts to me I have not read gets a holding message, and their texts are marked "
        f'read too: "{AT_WORK}" if their number is saved in my phone contacts as a coworker, otherwise '
        f'"{SORRY}".',
        oracle,
        [
            sent_text(
                owner,
                latest["sender_id"],
                reply,
                f"the reply goes to {sender}, who sent the latest text",
                what="replies",
            ),
            *(
                sent_text(
                    owner,
                    p,
                    AT_WORK if p in at_work else SORRY,
                    f"{full_name(view, p)}, with unread texts, gets the "
                    + ("coworker's holding message" if p in at_work else "holding message"),
                    what=f"holding messages to {full_name(view, p)}",
                )
                for p in waiting
            ),
            *(
                Updated(
                    "phone_messages",
                    m["id"],
                    {"is_read": 1},
                    f"{full_name(view, m['sender_id'])}'s text of {m['sent_at']} is read",
                )
                for m in view.rows(
                    "SELECT id, sender_id, sent_at FROM phone_messages WHERE receiver_id = ? AND is_read = 0 "
                    f"AND sender_id IN ({','.join('?' * (len(waiting) + 1))})",
                    owner,
                    latest["sender_id"],
                    *waiting,
                )
            ),
        ],
    )


@scenario("phone_block_sender", apps=("phone", "email"))
def block_sender(view: WorldView, rng: random.Random) -> TaskSpec:
    """The sender of one text is blocked, cut off from my group chats (removed from the ones I created, left by me
    in the others; chats without them are distractors) and every email thread with an email from them (found by
    the address in my contacts) reported as spam. The answer counts every text they sent me."""
    rows = view.rows(
        "SELECT m.receiver_id, m.sender_id, m.message, p.phone_number FROM phone_messages m "
        "JOIN people p ON p.id = m.sender_id "
        "WHERE (SELECT COUNT(DISTINCT sender_id) FROM phone_messages x "
        "WHERE x.receiver_id = m.receiver_id AND x.message = m.message) = 1 "
        "AND EXISTS (SELECT 1 FROM phone_group_members a JOIN phone_group_members b ON b.group_id = a.group_id "
        "WHERE a.person_id = m.receiver_id AND b.person_id = m.sender_id) "
        "AND EXISTS (SELECT 1 FROM phone_contacts c WHERE c.owner_id = m.receiver_id "
        "AND c.phone_number = p.phone_number AND c.email = p.email) "
        "AND EXISTS (SELECT 1 FROM email_threads t JOIN email_messages e ON e.thread_id = t.id "
        "WHERE t.owner_id = m.receiver_id AND e.sender_id = m.sender_id AND t.is_trashed = 0 AND t.is_spam = 0) "
        "GROUP BY m.receiver_id, m.sender_id, m.message ORDER BY m.receiver_id, m.sender_id, m.message"
    )
    c = pick(rng, rows, "received text with a unique wording from someone in a group chat of mine", distinct=True)
    owner, sender = c["receiver_id"], c["sender_id"]
    received = view.value("SELECT COUNT(*) FROM phone_messages WHERE sender_id = ? AND receiver_id = ?", sender, owner)
    shared = view.rows(
        "SELECT g.id, g.name, g.created_by, (SELECT id FROM phone_group_members WHERE group_id = g.id "
        "AND person_id = ?) AS mine, (SELECT id FROM phone_group_members WHERE group_id = g.id AND person_id = ?) "
        "AS theirs FROM phone_group_chats g WHERE EXISTS (SELECT 1 FROM phone_group_members WHERE group_id = g.id "
        "AND person_id = ?) AND EXISTS (SELECT 1 FROM phone_group_members WHERE group_id = g.id AND person_id = ?) "
        "ORDER BY g.id",
        owner,
        sender,
        owner,
        sender,
    )
    name = full_name(view, sender)
    spam = view.rows(
        "SELECT DISTINCT t.id, t.subject FROM email_threads t JOIN email_messages e ON e.thread_id = t.id "
        "WHERE t.owner_id = ? AND e.sender_id = ? AND t.is_trashed = 0 AND t.is_spam = 0 ORDER BY t.id",
        owner,
        sender,
    )
    oracle = (
        Solution()
        .step(login("phone", "email"))
        .step(
            fetch_all("texts", f"apis.phone.search_text_messages(access_token=phone_token, query={c['message']!r}")
            + (
                "sender = next(t['sender']['phone_number'] for t in texts "
                "if t['receiver']['phone_number'] == me['phone_number'])\n"
            )
            + "apis.phone.block_number(access_token=phone_token, phone_number=sender)\n"
        )
        .step(
            fetch_all("chats", "apis.phone.show_group_chats(access_token=phone_token") + "for chat in chats:\n"
            "    if not any(m['phone_number'] == sender for m in chat['members']):\n"
            "        continue\n"
            "    if chat['created_by']['phone_number'] == me['phone_number']:\n"
            "        apis.phone.remove_group_chat_member(access_token=phone_token, "
            "group_chat_id=chat['group_chat_id'], phone_number=sender)\n"
            "        print(apis.phone.show_group_chat(access_token=phone_token, group_chat_id=chat['group_chat_id']))\n"
            "    else:\n"
            "        apis.phone.leave_group_chat(access_token=phone_token, group_chat_id=chat['group_chat_id'])\n"
        )
        .step(
            "contact = apis.phone.search_contacts(access_token=phone_token, query=sender)[0]\n"
            + fetch_all(
                "threads",
                "apis.email.show_threads(access_token=email_token, folder='all', sender_email=contact['email']",
            )
            + "for t in threads:\n"
            "    apis.email.mark_thread_spam(access_token=email_token, thread_id=t['thread_id'])\n"
        )
        .step(
            fetch_all("blocked", "apis.phone.show_blocked_numbers(access_token=phone_token")
            + "print(blocked)\n"
            + fetch_all("left", "apis.phone.show_group_chats(access_token=phone_token")
            + "print([c['name'] for c in left if any(m['phone_number'] == sender for m in c['members'])])\n"
        )
        .step(
            fetch_all(
                "theirs",
                "apis.phone.search_text_messages(access_token=phone_token, phone_number=sender, direction='received'",
            )
            + "print(len(theirs), 'texts from them')\n"
            "for t in theirs:\n"
            "    apis.phone.delete_text_message(access_token=phone_token, text_message_id=t['text_message_id'])\n"
            "print(apis.phone.search_text_messages(access_token=phone_token, phone_number=sender))\n"
        )
        .step("apis.supervisor.complete_task(answer=len(theirs))\n")
        .steps()
    )
    expectations: list[Expectation] = [
        Answer(
            received,
            f"the answer is {received}, the texts they sent me",
            traps={"5": "only the first page of texts was counted"},
        ),
        Inserted(
            "phone_blocked",
            {"owner_id": owner, "phone_number": c["phone_number"]},
            f"{name}'s number is blocked",
            what="blocked numbers",
        ),
    ]
    expectations += [
        Updated("email_threads", t["id"], {"is_spam": 1}, f"the email thread '{t['subject']}' from {name} is spam")
        for t in spam
    ]
    texts = view.rows("SELECT id FROM phone_messages WHERE sender_id = ? AND receiver_id = ?", sender, owner)
    expectations.append(
        Inserted(
            "phone_deleted_messages",
            {"owner_id": owner, "message_id": OneOf(t["id"] for t in texts)},
            f"the {len(texts)} texts {name} sent me are deleted from my phone (mine to them stay)",
            count=len(texts),
            what="deleted texts",
        )
    )
    for g in shared:
        mine = g["created_by"] == owner
        gone = f"{name} is removed from my group chat" if mine else "I left the group chat, which I did not create,"
        expectations.append(
            Deleted(
                "phone_group_members",
                frozenset({g["theirs"] if mine else g["mine"]}),
                f"{gone} '{g['name']}'",
                what="members" if mine else "memberships",
            )
        )
    return TaskSpec(
        owner,
        f'Block the number of the person who texted me "{c["message"]}", and cut them off from my group chats: '
        "remove them from each group chat with them that I created, and leave each other group chat they are in. "
        "Also report as spam every email thread with an email from them (their address is in my phone contacts). "
        "Delete every text they sent me, but keep the ones I sent them; do not delete anything else. Tell me how "
        "many texts that person has sent me in all.",
        oracle,
        expectations,
    )
