"""Scenarios on the phone app: texting, contacts, alarms."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Answer, Contains, Deleted, Inserted, NewRow, OneOf, Updated
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, pick
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


@scenario("phone_text_relation", apps=("phone",))
def text_relation(view: WorldView, rng: random.Random) -> TaskSpec:
    contact = pick(
        rng, view.rows("SELECT * FROM phone_contacts WHERE relationship IS NOT NULL ORDER BY id"), "related contact"
    )
    person_id = view.value("SELECT id FROM people WHERE phone_number = ?", contact["phone_number"])
    message = rng.choice(MESSAGES)
    name = f"{contact['first_name']} {contact['last_name']}"
    oracle = (
        Solution()
        .step(login("phone"))
        .step(
            f"found = apis.phone.search_contacts(access_token=phone_token, query={name!r})\n"
            + (
                "apis.phone.send_text_message(access_token=phone_token, phone_number=found[0]['phone_number'], "
                f"message={message!r})\n"
            )
            + "if not found[0]['is_favorite']:\n"
            "    apis.phone.favorite_contact(access_token=phone_token, contact_id=found[0]['contact_id'])\n"
        )
        .step(
            "print(apis.phone.search_text_messages(access_token=phone_token, "
            "phone_number=found[0]['phone_number'], page_limit=5))\n"
        )
        .step(DONE)
        .steps()
    )
    return TaskSpec(
        supervisor_id=contact["owner_id"],
        instruction=f'Text my {contact["relationship"]} {name}: "{message}", and make them a favourite contact if '
        "they are not one yet.",
        oracle=oracle,
        expectations=[
            Inserted(
                "phone_messages",
                {
                    "sender_id": contact["owner_id"],
                    "receiver_id": person_id,
                    "message": Contains(message),
                    "is_read": 0,
                },
                f"a text message to {name} saying {message!r} is sent",
                what="text messages",
            ),
            *(
                []
                if contact["is_favorite"]
                else [Updated("phone_contacts", contact["id"], {"is_favorite": 1}, f"{name} is now a favourite")]
            ),
        ],
    )


@scenario("phone_count_relationship", apps=("phone",))
def count_relationship(view: WorldView, rng: random.Random) -> TaskSpec:
    groups = view.rows(
        "SELECT owner_id, relationship, COUNT(*) AS n FROM phone_contacts WHERE relationship IS NOT NULL "
        "GROUP BY owner_id, relationship HAVING n > 5 "
        "ORDER BY owner_id, relationship"
    )
    group = pick(rng, groups, "supervisor with more than 5 contacts of one kind")
    kind = group["relationship"]
    oracle = (
        Solution()
        .step(login("phone"))
        .step(fetch_all("found", f"apis.phone.search_contacts(access_token=phone_token, relationship={kind!r}"))
        .step(
            "for c in found:\n"
            "    if not c['is_favorite']:\n"
            "        apis.phone.favorite_contact(access_token=phone_token, contact_id=c['contact_id'])\n"
        )
        .step("apis.supervisor.complete_task(answer=len(found))\n")
        .steps()
    )
    return TaskSpec(
        supervisor_id=group["owner_id"],
        instruction=f"How many contacts in my phone are my {kind}s? Also make every one of them a favourite "
        "contact (those that are not yet).",
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
                    group["owner_id"],
                    kind,
                )
            ),
        ],
    )


@scenario("phone_text_all_of_kind", apps=("phone",))
def text_all_of_kind(view: WorldView, rng: random.Random) -> TaskSpec:
    groups = view.rows(
        "SELECT owner_id, relationship, COUNT(*) AS n FROM phone_contacts WHERE relationship IS NOT NULL "
        "GROUP BY owner_id, relationship HAVING n > 5 "
        "ORDER BY owner_id, relationship"
    )
    group = pick(rng, groups, "supervisor with more than 5 contacts of one kind")
    kind, owner = group["relationship"], group["owner_id"]
    numbers = [
        r["phone_number"]
        for r in view.rows(
            "SELECT phone_number FROM phone_contacts WHERE owner_id = ? AND relationship = ?", owner, kind
        )
    ]
    ids = [view.value("SELECT id FROM people WHERE phone_number = ?", n) for n in numbers]
    message = rng.choice(MESSAGES)
    chat_name = f"My {kind}s"
    chat = {"name": chat_name, "created_by": owner}
    oracle = (
        Solution()
        .step(login("phone"))
        .step(
            fetch_all("found", f"apis.phone.search_contacts(access_token=phone_token, relationship={kind!r}")
            + f"apis.phone.create_group_chat(access_token=phone_token, name={chat_name!r}, "
            "phone_numbers=[c['phone_number'] for c in found])\n"
            + (
                "for contact in found:\n    apis.phone.send_text_message(access_token=phone_token, "
                f"phone_number=contact['phone_number'], message={message!r})\n"
            )
        )
        .step(
            fetch_all(
                "sent", f"apis.phone.search_text_messages(access_token=phone_token, direction='sent', query={message!r}"
            )
            + "print(len(sent))\n"
        )
        .step(DONE)
        .steps()
    )
    return TaskSpec(
        supervisor_id=owner,
        instruction=f'Send this text to every {kind} in my phone contacts, one message each: "{message}". Then '
        f"start a group chat named '{chat_name}' with all of them.",
        oracle=oracle,
        expectations=[
            Inserted(
                "phone_messages",
                {"sender_id": owner, "receiver_id": OneOf(ids), "message": Contains(message), "is_read": 0},
                f"each of the {len(ids)} {kind} contacts gets the text",
                count=len(ids),
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
    owner = pick(
        rng,
        view.rows("SELECT DISTINCT owner_id FROM phone_alarms WHERE enabled = 0 ORDER BY owner_id"),
        "disabled alarm",
        distinct=True,
    )["owner_id"]
    ids = frozenset(r["id"] for r in view.rows("SELECT id FROM phone_alarms WHERE owner_id = ? AND enabled = 0", owner))
    oracle = (
        Solution()
        .step(login("phone"))
        .step(
            fetch_all("alarms", "apis.phone.show_alarms(access_token=phone_token")
            + (
                "for alarm in alarms:\n    if not alarm['enabled']:\n        "
                "apis.phone.delete_alarm(access_token=phone_token, alarm_id=alarm['alarm_id'])\n"
            )
            + "for alarm in alarms:\n"
            "    if alarm['enabled'] and not alarm['repeat_days']:\n"
            "        apis.phone.update_alarm(access_token=phone_token, alarm_id=alarm['alarm_id'], "
            f"repeat_days={list(WEEKDAYS)!r})\n"
            "        print(apis.phone.show_alarm(access_token=phone_token, alarm_id=alarm['alarm_id']))\n"
        )
        .step("print(apis.phone.show_alarms(access_token=phone_token, page_limit=20))\n")
        .step(DONE)
        .steps()
    )
    return TaskSpec(
        owner,
        "Delete all the alarms on my phone that are turned off; keep the others. Those of the others that ring only "
        "once (no repeat days) should repeat Monday to Friday from now on.",
        oracle,
        [
            Deleted("phone_alarms", ids, f"the {len(ids)} disabled alarms are deleted", what="disabled alarms"),
            *(
                Updated(
                    "phone_alarms",
                    a["id"],
                    {"repeat_days": ",".join(WEEKDAYS)},
                    f"the one-off {a['time']} alarm '{a['label']}' now repeats on weekdays",
                )
                for a in view.rows(
                    "SELECT * FROM phone_alarms WHERE owner_id = ? AND enabled = 1 AND repeat_days = ''", owner
                )
            ),
        ],
    )


@scenario("phone_add_contact", apps=("phone", "email"))
def add_contact(view: WorldView, rng: random.Random) -> TaskSpec:
    owner = rng.choice(view.people_ids())
    known = {r["phone_number"] for r in view.rows("SELECT phone_number FROM phone_contacts WHERE owner_id = ?", owner)}
    in_book = {r["email"] for r in view.rows("SELECT email FROM email_contacts WHERE owner_id = ?", owner)}
    stranger = pick(
        rng,
        [
            p
            for p in view.rows("SELECT * FROM people WHERE id != ? ORDER BY id", owner)
            if p["phone_number"] not in known and p["email"] not in in_book
        ],
        "stranger",
    )
    relationship = rng.choice(("friend", "coworker"))
    name = f"{stranger['first_name']} {stranger['last_name']}"
    hello = f"Hi {stranger['first_name']}, it's {view.person(owner)['first_name']}. I saved your number!"
    oracle = (
        Solution()
        .step(login("phone", "email"))
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
        .step(DONE)
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
        f"full name, that email, the note '{relationship}').",
        oracle,
        [
            Inserted(
                "phone_contacts",
                match,
                f"{name} is a new {relationship} contact with the right phone number",
                what="contacts",
            ),
            Inserted(
                "phone_messages",
                {"sender_id": owner, "receiver_id": stranger["id"], "message": hello, "is_read": 0},
                f"{name} gets the hello text",
                what="hello texts",
            ),
            Inserted(
                "email_contacts",
                {"owner_id": owner, "name": name, "email": stranger["email"], "notes": relationship, "is_favorite": 0},
                f"{name} is in my email address book",
                what="address-book entries",
            ),
        ],
    )


@scenario("phone_reply_latest", apps=("phone",))
def reply_latest(view: WorldView, rng: random.Random) -> TaskSpec:
    owner = pick(
        rng, view.rows("SELECT DISTINCT receiver_id FROM phone_messages ORDER BY receiver_id"), "received text"
    )["receiver_id"]
    latest = view.row(
        "SELECT * FROM phone_messages WHERE receiver_id = ? ORDER BY sent_at DESC, id DESC LIMIT 1", owner
    )
    reply = rng.choice(["Got it, thanks!", "Sounds good to me.", "Sure, talk soon."])
    oracle = (
        Solution()
        .step(login("phone"))
        .step(
            fetch_all("messages", "apis.phone.search_text_messages(access_token=phone_token")
            + "latest = next(m for m in messages if m['receiver']['phone_number'] == me['phone_number'])\n"
            + (
                "apis.phone.send_text_message(access_token=phone_token, phone_number=latest['sender']['phone_number'], "
                f"message={reply!r})\n"
            )
            + "apis.phone.mark_conversation_read(access_token=phone_token, "
            "phone_number=latest['sender']['phone_number'])\n"
        )
        .step(
            "print(apis.phone.search_text_messages(access_token=phone_token, "
            "phone_number=latest['sender']['phone_number'], page_limit=3))\n"
        )
        .step(DONE)
        .steps()
    )
    sender = full_name(view, latest["sender_id"])
    return TaskSpec(
        owner,
        f'Reply "{reply}" to whoever sent me my most recent text message, and mark all their texts to me as read.',
        oracle,
        [
            Inserted(
                "phone_messages",
                {"sender_id": owner, "receiver_id": latest["sender_id"], "message": Contains(reply), "is_read": 0},
                f"the reply goes to {sender}, who sent the latest text",
                what="replies",
            ),
            *(
                Updated("phone_messages", m["id"], {"is_read": 1}, f"{sender}'s text of {m['sent_at']} is read")
                for m in view.rows(
                    "SELECT id, sent_at FROM phone_messages WHERE sender_id = ? AND receiver_id = ? AND is_read = 0",
                    latest["sender_id"],
                    owner,
                )
            ),
        ],
    )


@scenario("phone_block_sender", apps=("phone",))
def block_sender(view: WorldView, rng: random.Random) -> TaskSpec:
    rows = view.rows(
        "SELECT m.receiver_id, m.sender_id, m.message, p.phone_number FROM phone_messages m "
        "JOIN people p ON p.id = m.sender_id "
        "WHERE (SELECT COUNT(DISTINCT sender_id) FROM phone_messages x "
        "WHERE x.receiver_id = m.receiver_id AND x.message = m.message) = 1 "
        "GROUP BY m.receiver_id, m.sender_id, m.message ORDER BY m.receiver_id, m.sender_id, m.message"
    )
    c = pick(rng, rows, "received text with a unique wording", distinct=True)
    received = view.value(
        "SELECT COUNT(*) FROM phone_messages WHERE sender_id = ? AND receiver_id = ?", c["sender_id"], c["receiver_id"]
    )
    oracle = (
        Solution()
        .step(login("phone"))
        .step(
            fetch_all("texts", f"apis.phone.search_text_messages(access_token=phone_token, query={c['message']!r}")
            + (
                "sender = next(t['sender']['phone_number'] for t in texts "
                "if t['receiver']['phone_number'] == me['phone_number'])\n"
            )
            + "apis.phone.block_number(access_token=phone_token, phone_number=sender)\n"
        )
        .step(fetch_all("blocked", "apis.phone.show_blocked_numbers(access_token=phone_token") + "print(blocked)\n")
        .step(
            fetch_all(
                "theirs",
                "apis.phone.search_text_messages(access_token=phone_token, phone_number=sender, direction='received'",
            )
        )
        .step("apis.supervisor.complete_task(answer=len(theirs))\n")
        .steps()
    )
    return TaskSpec(
        c["receiver_id"],
        f'Block the number of the person who texted me "{c["message"]}". Do not delete anything. Tell me how many '
        "texts that person has sent me in all.",
        oracle,
        [
            Answer(
                received,
                f"the answer is {received}, the texts they sent me",
                traps={"5": "only the first page of texts was counted"},
            ),
            Inserted(
                "phone_blocked",
                {"owner_id": c["receiver_id"], "phone_number": c["phone_number"]},
                f"{full_name(view, c['sender_id'])}'s number is blocked",
                what="blocked numbers",
            ),
        ],
    )
