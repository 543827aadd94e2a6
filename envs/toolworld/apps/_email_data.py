"""The email app's generated world: about two years of conversations between related people, with distractors.

Mailboxes are large enough that every list pages (most people hold 70-140 threads) and hold what tasks
can work over or trip on: a team's meeting notes most months and quarterly reports, a trash of a dozen
threads, yearly and monthly subjects that differ only by date ("Utilities for March 2025" and
"... March 2026"), invoices with unique numbers, near-duplicate labels ("Receipts", "Receipts 2025"),
drafts in several versions, address-book entries with an outdated address, filters and ended or
scheduled (never running) vacation replies. Every table is filled with one batch insert.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from envs.toolworld.world.build import WorldBuilder
from envs.toolworld.world.people import Person

LABEL_FOR_KIND = {"coworker": "Work", "family": "Family", "friend": "Friends", "roommate": "Home"}
LABEL_NAMES = (*LABEL_FOR_KIND.values(), "Receipts", "Important")
EXTRA_LABELS = ("Receipts 2025", "Work 2024", "Travel", "Travel 2025", "Follow up", "To read", "Taxes", "Old")
THINGS = (
    "concert tickets",
    "the cabin booking",
    "dinner at Luca's",
    "the museum passes",
    "the birthday cake",
    "the ski rental",
    "the taxi to the airport",
    "the boat tour",
    "the wedding gift",
    "the theatre tickets",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
Topic = tuple[str, str, tuple[str, ...], tuple[str, str] | None]
# (subject, opening body, reply bodies, attachment or None); {thing} {amount} {share} {day} {number} {hours}
# {month} {year} {quarter} are filled per conversation, the dates from when it was sent
TOPICS: dict[str, list[Topic]] = {
    "friend": [
        (
            "Weekend plans",
            "Are you free on {day}? Thinking of a hike and lunch after.",
            ("Sounds great, count me in!", "Can we start a bit later?"),
            None,
        ),
        (
            "Paying you back",
            "I paid ${amount} for {thing}. Could you send me your share of ${share} when you can?",
            ("Sure, will do!",),
            None,
        ),
        (
            "Photos from the trip",
            "Here are the photos from last weekend, the lake ones came out great.",
            ("Love them, thanks!",),
            ("photos_list.txt", "lake_sunrise.jpg\ncampfire.jpg\ngroup_shot.jpg"),
        ),
        (
            "Book recommendation",
            "You have to read 'The Quiet Orchard', I finished it in two days.",
            ("Adding it to my list.",),
            None,
        ),
        (
            "Game night {month}",
            "Game night at mine on {day}, bring snacks. I'll set up the board games.",
            ("I'm in!", "Can I bring a friend?"),
            None,
        ),
        (
            "Running club",
            "The running club meets {day} at 7am by the river. Join us?",
            ("Maybe next week.", "See you there."),
            None,
        ),
    ],
    "family": [
        (
            "Family dinner",
            "Dinner at our place on {day}? Bring dessert if you can.",
            ("We'll be there at 7.", "I'll bake a pie."),
            None,
        ),
        (
            "Grandma's birthday",
            "Let's all chip in for grandma's gift. It came to ${amount} for {thing}, so ${share} each.",
            ("Sending my share today.",),
            None,
        ),
        (
            "Holiday itinerary {year}",
            "Attached is the itinerary for the holidays.",
            ("Perfect, thank you!",),
            ("itinerary_{year}.txt", "Day 1: drive to the coast\nDay 2: boat tour\nDay 3: drive home"),
        ),
        (
            "Recipe for {thing}",
            "Mum asked me to send you the recipe; it is attached.",
            ("Thanks, will try it on {day}.",),
            ("recipe.txt", "2 cups flour\n1 cup sugar\n3 eggs\nBake 40 minutes"),
        ),
    ],
    "coworker": [
        (
            "Quarterly report Q{quarter} {year}",
            "Attached is the draft of the quarterly report, comments welcome by {day}.",
            ("Looks good, a few notes inline.", "Thanks, reviewing now."),
            ("quarterly_report_q{quarter}_{year}.txt", "Revenue grew {hours}%.\nCosts were flat.\nHeadcount: 14."),
        ),
        (
            "Invoice {number}",
            "Please find invoice {number} attached. The total due is ${amount}.",
            ("Received, thanks.",),
            ("invoice_{number}.txt", "Invoice {number}\nConsulting hours: {hours}\nTotal due: ${amount}"),
        ),
        (
            "Meeting notes {month} {year}",
            "Notes from {day}'s meeting: we ship the beta next month.",
            ("Thanks for writing these up.",),
            None,
        ),
        ("Offsite logistics", "The offsite is on {day}; the bus leaves at 8am sharp.", ("Noted!",), None),
        (
            "Code review",
            "Could you review my change before {day}? It touches the billing module.",
            ("On it.", "Left some comments."),
            None,
        ),
        ("Out of office", "I'm out on {day}; ping me by email if anything is urgent.", ("Enjoy!",), None),
    ],
    "roommate": [
        (
            "Utilities for {month} {year}",
            "The utilities bill came to ${amount}; your share is ${share}.",
            ("Paying you tonight.",),
            ("utilities_bill_{month}_{year}.txt", "Electricity and water, {month} {year}\nTotal: ${amount}"),
        ),
        (
            "Cleaning schedule",
            "New cleaning schedule starts {day}: I take the kitchen, you take the bathroom.",
            ("Deal.",),
            None,
        ),
        ("Groceries", "We are out of milk and coffee, can you grab some on {day}?", ("Will do.",), None),
    ],
}
DRAFTS = (
    ("Catching up with {first}", "Hi! It has been a while, how are you?"),
    ("Catching up with {first} (older version)", "Hi! Long time no see."),
    ("Question for {first}", "Quick question about {day}: are we still on?"),
    ("Thank you, {first}", "Thanks so much for your help on {day}."),
)
EMPTY_DRAFTS = (("Ideas for the trip", "Beach? Mountains? Ask everyone."), ("Notes to self", "Renew passport."))
FILTER_ACTIONS = ("archive", "star", "mark_read", "label", "important")
SIGNATURES = ("Best,\n{first}", "Cheers,\n{first} {last}", "Sent from my phone", "Thanks,\n{first}")


People = dict[int, Person]


@dataclass
class Plan:
    """The rows of every table, built in memory; ids are assigned when each table is inserted in one batch."""

    threads: list[dict[str, Any]] = field(default_factory=list)
    messages: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (index into threads, row)
    attachments: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (index into messages, row)
    labels_of_thread: list[set[str]] = field(default_factory=list)  # parallel to threads: labels that fit


def populate(w: WorldBuilder) -> None:
    rng = w.rng("email")
    people = {p.id: p for p in w.people}
    plan = Plan()
    for number, (starter, other, kind, sent, topic) in enumerate(_conversations(w, rng), start=1):
        _plan_conversation(w, people, rng, plan, number, (starter, other, kind, sent), topic)
    thread_ids = w.insert("email_threads", plan.threads)
    message_ids = w.insert("email_messages", [{**row, "thread_id": thread_ids[t]} for t, row in plan.messages])
    w.insert("email_attachments", [{**row, "message_id": message_ids[m]} for m, row in plan.attachments])
    labels = _labels(w, rng, plan, thread_ids)
    _drafts(w, people, rng)
    _contacts(w, people, rng)
    _filters(w, people, rng, labels)
    _settings(w, rng)


Conversation = tuple[int, int, str, datetime, Topic | None]  # starter, other, kind, start, topic (None: any)


def _conversations(w: WorldBuilder, rng: random.Random) -> list[Conversation]:
    """Every conversation, oldest first: 1-4 per related pair and direction, then each team's recurring mail."""
    out: list[Conversation] = []
    for person in w.people:
        for kind in ("friend", "family", "coworker", "roommate"):
            for other in w.related(person.id, (kind,)):
                for _ in range(rng.randint(1, 4) if kind != "friend" else rng.randint(1, 3)):
                    days_ago = int(rng.triangular(0, 730, 30))
                    sent = w.now - timedelta(days=days_ago, hours=rng.randint(1, 20), minutes=rng.randint(0, 59))
                    out.append((person.id, other, kind, sent, None))
    out += _team_series(w, rng)
    return sorted(out, key=lambda c: (c[3], c[0], c[1]))


def _team_series(w: WorldBuilder, rng: random.Random) -> list[Conversation]:
    """Work mail that recurs: in about a third of the months one writes up a meeting's notes for a coworker, and
    in some quarters' first month sends one the last quarter's report, so inboxes hold a year's worth of each."""
    notes, report = (next(t for t in TOPICS["coworker"] if t[0].startswith(p)) for p in ("Meeting notes", "Quarterly"))
    out: list[Conversation] = []
    for person in w.people:
        team = w.related(person.id, ("coworker",))
        if not team:
            continue
        for months_back in range(24):
            back = w.now.year * 12 + w.now.month - 1 - months_back
            month = w.now.replace(year=back // 12, month=back % 12 + 1, day=1)
            last_day = min(28, w.now.day - 1) if months_back == 0 else 28
            chance = 0.35 if month.month % 3 != 1 else 0.6
            if rng.random() >= chance:
                continue
            topic = notes if month.month % 3 != 1 or rng.random() < 0.4 else report
            sent = month.replace(day=rng.randint(1, last_day), hour=rng.randint(8, 17), minute=rng.randint(0, 59))
            out.append((person.id, rng.choice(team), "coworker", sent, topic))
    return out


def _plan_conversation(
    w: WorldBuilder,
    people: People,
    rng: random.Random,
    plan: Plan,
    number: int,
    who: tuple[int, int, str, datetime],
    topic: Topic | None,
) -> None:
    starter, other, kind, sent = who
    subject, body, replies, attachment = topic or rng.choice(TOPICS[kind])
    amount = round(rng.uniform(20, 400), 2)
    quarter_start = sent - timedelta(days=90)
    fill = {
        "thing": rng.choice(THINGS),
        "amount": f"{amount:.2f}",
        "share": f"{amount / 2:.2f}",
        "day": rng.choice(DAYS),
        "number": str(1000 + number),  # unique: one invoice number names one invoice
        "hours": str(rng.randint(5, 60)),
        "month": sent.strftime("%B"),
        "year": str(sent.year),
        "quarter": str((quarter_start.month - 1) // 3 + 1),
    }
    extra = [p for p in w.related(starter, (kind,)) if p != other]
    cc = [rng.choice(extra)] if extra and kind in ("coworker", "family") and rng.random() < 0.3 else []
    messages = [(starter, [other], cc, body.format(**fill), attachment)]
    for reply in rng.sample(replies, rng.randint(0, len(replies))):
        previous = messages[-1][0]
        messages.append((other if previous == starter else starter, [previous], [], reply.format(**fill), None))
    old = (w.now - sent).days > 120
    index: dict[int, int] = {}
    title = subject.format(**fill)
    for owner in [starter, other, *cc]:
        index[owner] = len(plan.threads)
        plan.threads.append(
            {
                "owner_id": owner,
                "conversation_id": number,
                "subject": title,
                "is_starred": int(rng.random() < 0.12),
                "is_archived": int(rng.random() < (0.45 if old else 0.1)),
                "is_trashed": int(rng.random() < 0.15),
                "is_spam": int(rng.random() < 0.015),
                "is_important": int(rng.random() < 0.1),
                "is_muted": int(rng.random() < 0.03),
            }
        )
        plan.labels_of_thread.append(
            {LABEL_FOR_KIND[kind]}
            | ({"Receipts"} if "amount" in body else set())
            | ({"Important"} if rng.random() < 0.2 else set())
            | ({"Travel"} if "itinerary" in subject.lower() else set())
        )
    for sender, to, copied, text, attached in messages:
        sent += timedelta(hours=rng.randint(1, 30), minutes=rng.randint(0, 59))
        recent = (w.now - sent).days < 40
        email = {
            "sender_id": sender,
            "recipients": join_addresses(people[p].email for p in to),
            "cc": join_addresses(people[p].email for p in copied),
            "body": text,
            "sent_at": min(sent, w.now).isoformat(timespec="seconds"),
        }
        file = attached and {"file_name": attached[0].format(**fill), "content": attached[1].format(**fill)}
        for owner, thread in index.items():
            unread = owner != sender and recent and rng.random() < 0.6
            plan.messages.append((thread, {**email, "owner_id": owner, "is_read": int(not unread)}))
            if file:
                plan.attachments.append((len(plan.messages) - 1, file))


def join_addresses(emails: Any) -> str:
    """Address lists are stored sorted and comma-separated, so their order never matters."""
    return ", ".join(sorted(set(emails)))


def _labels(w: WorldBuilder, rng: random.Random, plan: Plan, thread_ids: list[int]) -> dict[int, list[int]]:
    """Each person's labels (some near-duplicates), put on a share of the threads they fit; owner -> label ids."""
    names_of = {
        p.id: sorted(rng.sample(LABEL_NAMES, rng.randint(2, 5)) + rng.sample(EXTRA_LABELS, rng.randint(1, 4)))
        for p in w.people
    }
    pairs = [(owner, name) for owner, names in names_of.items() for name in names]
    ids = w.insert("email_labels", [{"owner_id": owner, "name": name} for owner, name in pairs])
    label_id = dict(zip(pairs, ids, strict=True))
    links = []
    for index, (thread, fits) in enumerate(zip(plan.threads, plan.labels_of_thread, strict=True)):
        owner = thread["owner_id"]
        for name in names_of[owner]:
            # "Receipts 2025" fits a receipt of 2025, "Travel" an itinerary; the rest lands on a few at random
            fitting = name in fits or (name.split()[0] in fits and name[-4:] in thread["subject"])
            if (fitting and rng.random() < 0.6) or (name in EXTRA_LABELS and rng.random() < 0.03):
                links.append({"thread_id": thread_ids[index], "label_id": label_id[(owner, name)]})
    w.insert("email_thread_labels", links)
    out: dict[int, list[int]] = {}
    for (owner, _), lid in label_id.items():
        out.setdefault(owner, []).append(lid)
    return out


def _drafts(w: WorldBuilder, people: People, rng: random.Random) -> None:
    """3-12 drafts each, subjects unique per person, some in an older and a newer version, some without recipients."""
    rows = []
    for person in w.people:
        subjects: set[str] = set()
        for other in rng.sample(w.related(person.id), min(len(w.related(person.id)), rng.randint(2, 8))):
            friend = people[other]
            for subject, body in rng.sample(DRAFTS, rng.randint(1, 2)):
                subject = subject.format(first=friend.first_name)
                if subject in subjects:
                    continue
                subjects.add(subject)
                rows.append(
                    {
                        "owner_id": person.id,
                        "recipients": friend.email,
                        "cc": "",
                        "subject": subject,
                        "body": body.format(day=rng.choice(DAYS)),
                        "updated_at": _ago(w, rng, 400),
                    }
                )
        for subject, body in rng.sample(EMPTY_DRAFTS, rng.randint(0, 2)):
            rows.append(
                {
                    "owner_id": person.id,
                    "recipients": "",
                    "cc": "",
                    "subject": subject,
                    "body": body,
                    "updated_at": _ago(w, rng, 400),
                }
            )
    w.insert("email_drafts", rows)


def _ago(w: WorldBuilder, rng: random.Random, days: int) -> str:
    return (w.now - timedelta(days=rng.randint(0, days), minutes=rng.randint(0, 1439))).isoformat(timespec="seconds")


def _contacts(w: WorldBuilder, people: People, rng: random.Random) -> None:
    """Each address book: the people one is related to, a few acquaintances, and some outdated addresses."""
    rows = []
    for person in w.people:
        known = w.related(person.id)
        strangers = [p.id for p in w.people if p.id != person.id and p.id not in known]
        for other_id in sorted(set(known) | set(rng.sample(strangers, min(len(strangers), rng.randint(3, 10))))):
            other = people[other_id]
            rows.append(
                {
                    "owner_id": person.id,
                    "name": other.full_name,
                    "email": other.email,
                    "notes": rng.choice(("", "", "met at the conference", "old neighbour", "gym")),
                    "is_favorite": int(other_id in known and rng.random() < 0.2),
                    "created_at": _ago(w, rng, 700),
                }
            )
            if rng.random() < 0.1:  # the address they used before: it bounces now
                rows.append(
                    {
                        **rows[-1],
                        "email": f"{other.first_name}.{other.last_name}{rng.randint(70, 99)}@oldmail.com".lower(),
                    }
                )
    w.insert("email_contacts", rows)


def _filters(w: WorldBuilder, people: People, rng: random.Random, labels: dict[int, list[int]]) -> None:
    rows = []
    for person in w.people:
        for _ in range(rng.randint(0, 4)):
            action = rng.choice(FILTER_ACTIONS)
            sender = people[rng.choice(w.related(person.id) or [person.id])]
            rows.append(
                {
                    "owner_id": person.id,
                    "from_address": sender.email if rng.random() < 0.7 else "",
                    "subject_contains": rng.choice(("", "", "invoice", "report", "utilities", "plans")),
                    "has_words": rng.choice(("", "", "share", "meeting")),
                    "action": action,
                    "label_id": rng.choice(labels[person.id]) if action == "label" else None,
                    "created_at": _ago(w, rng, 600),
                }
            )
    w.insert("email_filters", rows)


def _settings(w: WorldBuilder, rng: random.Random) -> None:
    """One row each; vacation replies either ended or scheduled, so none answers mail unless a task turns it on."""
    rows = []
    for person in w.people:
        start = (w.now + timedelta(days=rng.choice((-200, -60, 20, 45)))).date()
        rows.append(
            {
                "owner_id": person.id,
                "display_name": person.full_name,
                "signature": rng.choice(SIGNATURES).format(first=person.first_name, last=person.last_name),
                "vacation_enabled": int(rng.random() < 0.3),
                "vacation_subject": "Out of office",
                "vacation_message": f"I am away until {(start + timedelta(days=10)).isoformat()}.",
                "vacation_start": start.isoformat(),
                "vacation_end": (start + timedelta(days=10)).isoformat(),
            }
        )
    w.insert("email_settings", rows)
