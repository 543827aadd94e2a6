"""The phone app's generated world: two years of texts and calls between related people, with distractors.

Everyone's lists page: about 20-30 contacts (the people they know, a few businesses, and for most a few stale
duplicates with an old number), a couple of hundred texts, dozens of calls (a few missed ones every month),
8-15 alarms. How often two people call depends on how close they are: family ring each other every month or two,
roommates a little less, friends now and then, coworkers seldom (the work phone takes the rest); and, as on any
real phone, a few robocallers ring the same person again and again over months, mostly unanswered, sometimes
leaving a voicemail (so each log has repeat strangers to tell apart from one-off wrong numbers). Distractors
tasks can use: contacts sharing a first name, missed calls from unknown numbers, voicemails heard and unheard,
group chats with similar names ("Book club", "Book club 2024"), alarms on and off. Each table is one batch insert.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from envs.toolworld.world.build import WorldBuilder

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SMALL_TALK = (
    "Are we still on for {day}?",
    "Running ten minutes late, sorry!",
    "Did you see the game last night?",
    "Can you send me that recipe?",
    "Thanks again for {day}, it was fun.",
    "Call me when you get a chance.",
    "Happy to help with the move on {day}.",
    "I left my umbrella at your place.",
    "Lunch {day}? My treat.",
    "The package arrived, thank you!",
    "I owe you ${amount} for the tickets, sending it tonight.",
    "Can you pick up milk on the way home?",
    "Meeting moved to {time} on {day}.",
    "Happy birthday!! Hope you have a great day.",
    "Where did we park the car?",
    "Movie at {time}? I'll get the tickets.",
    "Just landed, see you soon.",
    "Don't forget the dentist at {time}.",
)
REPLIES = ("Sure!", "Sounds good.", "Thanks!", "Ok, see you then.", "Haha yes.", "No worries.", "Will do.")
BUSINESSES = (
    ("Bright", "Smile Dental", "Dentist"),
    ("Quick", "Fix Plumbing", "Plumber"),
    ("Luigi's", "Pizza", "Takeaway"),
    ("City", "Cabs", "Taxi"),
    ("Green", "Paws Vet", "Vet"),
    ("Harbor", "Gym", "Gym front desk"),
    ("Maple", "Hair Studio", "Hairdresser"),
    ("Dr. Ana", "Mendes", "Family doctor"),
)
COMPANIES = ("Northwind", "Globex", "Initech", "Umbrella Labs", "Stark & Co", "Wayne Foods", None, None)
VOICEMAILS = (
    "Hi, it's me. Call me back when you can.",
    "Hey, just checking in about {day}. Talk soon.",
    "Hello, this is a reminder of your appointment on {day} at {time}.",
    "Call me back, it's about the keys.",
    "Your order is ready for pickup.",
    "We tried to reach you about your car's extended warranty.",
)
GROUPS = ("Book club", "Book club 2024", "Hiking crew", "Family", "Family trip 2025", "Team lunch", "House")
ALARMS = ("Wake up", "Gym", "Meds", "Walk the dog", "Pick up kids", "Standup", "Wake up (weekend)")
RINGTONES = ("Classic", "Marimba", "Chimes", "Radar", "Silk")
# Calls one side places to each relation over two years on top of the 1-4 everyone gets, by how close they are.
MORE_CALLS_TO = {"family": (2, 5), "roommate": (1, 3)}
ROBOCALLS = (
    "This is an important message about your car's extended warranty. Press 1 to speak to an agent.",
    "Congratulations, you have been selected for a free cruise. Call us back to claim it.",
    "This is a courtesy call about lowering your credit card interest rate.",
)


def populate(w: WorldBuilder) -> None:
    rng = w.rng("phone")
    numbers = {p.id: p.phone_number for p in w.people}
    _contacts(w, rng)
    _texts(w, rng)
    _calls(w, rng, numbers)
    _groups(w, rng)
    _alarms_and_settings(w, rng, numbers)


def _stamp(w: WorldBuilder, rng: random.Random, days: int = 730) -> datetime:
    """A moment in the last `days` days, more often recent."""
    return w.now - timedelta(days=int(rng.triangular(0, days, 0)), minutes=rng.randint(0, 1439))


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _fill(rng: random.Random, text: str) -> str:
    return text.format(
        day=rng.choice(DAYS).title(),
        amount=f"{rng.uniform(5, 120):.2f}",
        time=f"{rng.randint(8, 20)}:{rng.choice(('00', '15', '30', '45'))}",
    )


def _unknown_number(rng: random.Random) -> str:
    """A number that belongs to nobody in the world (people's numbers end in their 4-digit id, under 1000)."""
    return f"{rng.randint(200, 989)}{rng.randint(200, 989)}{rng.randint(5000, 9999)}"


def _contacts(w: WorldBuilder, rng: random.Random) -> None:
    """The people one knows (sorted by name, as a phone shows them), businesses, then stale duplicates."""
    birthdays = dict(w.conn.execute("SELECT id, birthday FROM people").fetchall())
    people = {p.id: p for p in w.people}
    rows, stale = [], []
    for person in w.people:
        mine = []
        for kind in ("friend", "family", "coworker", "roommate"):
            for other_id in w.related(person.id, (kind,)):
                other = people[other_id]
                mine.append(
                    {
                        "owner_id": person.id,
                        "first_name": other.first_name,
                        "last_name": other.last_name,
                        "phone_number": other.phone_number,
                        "email": other.email,
                        "relationship": kind,
                        "is_favorite": int(kind in ("family", "roommate") or rng.random() < 0.15),
                        "birthday": birthdays[other_id] if rng.random() < 0.7 else None,
                        "company": rng.choice(COMPANIES) if kind == "coworker" or rng.random() < 0.3 else None,
                        "notes": "",
                    }
                )
                if rng.random() < 0.2:
                    stale.append({**mine[-1], "phone_number": _unknown_number(rng), "email": None})
                    stale[-1].update(relationship=None, is_favorite=0, notes="old number, no longer in use")
        for first, last, note in rng.sample(BUSINESSES, rng.randint(3, 8)):
            mine.append(
                {
                    "owner_id": person.id,
                    "first_name": first,
                    "last_name": last,
                    "phone_number": _unknown_number(rng),
                    "email": None,
                    "relationship": None,
                    "is_favorite": 0,
                    "birthday": None,
                    "company": f"{first} {last}",
                    "notes": note,
                }
            )
        rows += sorted(mine, key=lambda c: (c["first_name"], c["last_name"]))
    w.insert("phone_contacts", rows + stale)


def _texts(w: WorldBuilder, rng: random.Random) -> None:
    """Chats between related people: a few exchanges per pair over two years, recent ones partly unread."""
    rows: list[dict[str, Any]] = []
    for person in w.people:
        for other in w.related(person.id):
            if other < person.id:
                continue  # one pass per pair
            for _ in range(rng.randint(2, 10)):
                moment = _stamp(w, rng)
                speaker, listener = rng.sample((person.id, other), 2)
                lines = [_fill(rng, rng.choice(SMALL_TALK))] + rng.sample(REPLIES, rng.randint(0, 3))
                for line in lines:
                    moment += timedelta(minutes=rng.randint(1, 90))
                    sent = min(moment, w.now)
                    rows.append(
                        {
                            "sender_id": speaker,
                            "receiver_id": listener,
                            "message": line,
                            "sent_at": _iso(sent),
                            "is_read": int((w.now - sent).days > 7 or rng.random() < 0.5),
                        }
                    )
                    speaker, listener = listener, speaker
    w.insert("phone_messages", sorted(rows, key=lambda m: (m["sent_at"], m["sender_id"])))


def _calls(w: WorldBuilder, rng: random.Random, numbers: dict[int, str]) -> None:
    """Calls between related people (a record on each side), unknown callers, and voicemails left on missed calls.

    The closer calls and the robocallers come from a generator of their own, so that adding them left every
    other phone row (and every call drawn before them) as it was."""
    calls: list[dict[str, Any]] = []
    voicemails: list[dict[str, Any]] = []
    for person in w.people:
        # (caller if in the world, person called, the caller's number)
        pairs: list[tuple[int | None, int, str]] = [
            (person.id, o, numbers[person.id]) for o in w.related(person.id) if rng.random() < 0.8
        ]
        pairs += [(None, person.id, _unknown_number(rng)) for _ in range(rng.randint(4, 10))]
        for caller, callee, number in pairs:
            for _ in range(rng.randint(1, 4)):
                _ring(w, rng, caller, callee, number, numbers, calls, voicemails)
    more = w.rng("phone:close calls and robocalls")
    for person in w.people:
        for kind, (low, high) in MORE_CALLS_TO.items():
            for other in w.related(person.id, (kind,)):
                for _ in range(more.randint(low, high)):
                    _ring(w, more, person.id, other, numbers[person.id], numbers, calls, voicemails)
        _robocalls(w, more, person.id, calls, voicemails)
    w.insert("phone_calls", sorted(calls, key=lambda c: (c["started_at"], c["owner_id"])))
    w.insert("phone_voicemails", sorted(voicemails, key=lambda v: (v["left_at"], v["owner_id"])))


def _ring(
    w: WorldBuilder,
    rng: random.Random,
    caller: int | None,
    callee: int,
    number: str,
    numbers: dict[int, str],
    calls: list[dict[str, Any]],
    voicemails: list[dict[str, Any]],
) -> None:
    """One call from `number` (`caller`'s, None for a stranger) to `callee`: the log rows, a voicemail if missed."""
    started = _stamp(w, rng, 730 if caller is not None else 365)  # unknown callers: lately, mostly
    answered = rng.random() < 0.6
    seconds = rng.randint(20, 1800) if answered else 0
    if caller is not None:
        calls.append(_call(caller, numbers[callee], "outgoing", started, seconds))
    calls.append(_call(callee, number, "incoming" if answered else "missed", started, seconds))
    if not answered and rng.random() < 0.5:
        voicemails.append(_voicemail(w, rng, callee, number, _fill(rng, rng.choice(VOICEMAILS)), (5, 60), started))


def _robocalls(
    w: WorldBuilder, rng: random.Random, owner: int, calls: list[dict[str, Any]], voicemails: list[dict[str, Any]]
) -> None:
    """1-3 robocallers who ring `owner` 3-7 times each within the last ten months, rarely answered (a few seconds),
    leaving the odd recorded voicemail."""
    for _ in range(rng.randint(1, 3)):
        number, pitch = _unknown_number(rng), rng.choice(ROBOCALLS)
        for _ in range(rng.randint(3, 7)):
            started = _stamp(w, rng, 300)
            answered = rng.random() < 0.2
            calls.append(
                _call(owner, number, "incoming" if answered else "missed", started, rng.randint(3, 25) * answered)
            )
            if not answered and rng.random() < 0.25:
                voicemails.append(_voicemail(w, rng, owner, number, pitch, (15, 40), started))


def _voicemail(
    w: WorldBuilder, rng: random.Random, owner: int, number: str, transcript: str, length: tuple[int, int], at: datetime
) -> dict[str, Any]:
    """A voicemail left half a minute into a missed call at `at`; older than two weeks, it has been heard."""
    return {
        "owner_id": owner,
        "phone_number": number,
        "transcript": transcript,
        "duration_seconds": rng.randint(*length),
        "left_at": _iso(at + timedelta(seconds=30)),
        "is_heard": int((w.now - at).days > 14 or rng.random() < 0.3),
    }


def _call(owner: int, number: str, direction: str, started: datetime, seconds: int) -> dict[str, Any]:
    return {
        "owner_id": owner,
        "phone_number": number,
        "direction": direction,
        "started_at": _iso(started),
        "duration_seconds": seconds,
    }


def _groups(w: WorldBuilder, rng: random.Random) -> None:
    """Group chats among people who know each other, with a back-and-forth of messages each."""
    chats, members, messages = [], [], []
    for person in w.people:
        circle = w.related(person.id)
        for _ in range(rng.randint(0, 3) if len(circle) >= 2 else 0):
            people = [person.id, *rng.sample(circle, rng.randint(2, min(5, len(circle))))]
            created = _stamp(w, rng, 600)
            chats.append({"name": rng.choice(GROUPS), "created_by": person.id, "created_at": _iso(created)})
            members.append([(p, _iso(created)) for p in people])
            talk = []
            moment = created
            for _ in range(rng.randint(5, 40)):
                moment += timedelta(hours=rng.randint(1, 200))
                if moment >= w.now:
                    break
                talk.append((rng.choice(people), _fill(rng, rng.choice(SMALL_TALK + REPLIES)), _iso(moment)))
            messages.append(talk)
    ids = w.insert("phone_group_chats", chats)
    w.insert(
        "phone_group_members",
        [{"group_id": g, "person_id": p, "joined_at": t} for g, ms in zip(ids, members, strict=True) for p, t in ms],
    )
    w.insert(
        "phone_group_messages",
        [
            {"group_id": g, "sender_id": s, "message": m, "sent_at": t}
            for g, talk in zip(ids, messages, strict=True)
            for s, m, t in talk
        ],
    )


def _alarms_and_settings(w: WorldBuilder, rng: random.Random, numbers: dict[int, str]) -> None:
    alarms, blocked, settings = [], [], []
    for person in w.people:
        for _ in range(rng.randint(8, 15)):
            alarms.append(
                {
                    "owner_id": person.id,
                    "time": f"{rng.randint(5, 22):02d}:{rng.choice((0, 15, 30, 45)):02d}",
                    "label": rng.choice(ALARMS),
                    "enabled": int(rng.random() < 0.7),
                    "repeat_days": ",".join(sorted(rng.sample(DAYS, rng.randint(0, 5)), key=DAYS.index)),
                    "snooze_minutes": rng.choice((5, 9, 10, 15)),
                    "vibrate": int(rng.random() < 0.8),
                }
            )
        spam = {_unknown_number(rng) for _ in range(rng.randint(0, 4))}
        blocked += [{"owner_id": person.id, "phone_number": n} for n in sorted(spam)]
        settings.append(
            {
                "owner_id": person.id,
                "do_not_disturb": int(rng.random() < 0.3),
                "quiet_start": f"{rng.randint(21, 23):02d}:00",
                "quiet_end": f"{rng.randint(6, 8):02d}:00",
                "allow_favorites": int(rng.random() < 0.6),
                "ringtone": rng.choice(RINGTONES),
                "vibrate": int(rng.random() < 0.7),
                "voicemail_greeting": f"You've reached {person.first_name}. Leave a message.",
            }
        )
    w.insert("phone_alarms", alarms)
    w.insert("phone_blocked", blocked)
    w.insert("phone_settings", settings)
