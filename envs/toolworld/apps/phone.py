"""phone: contacts, text messages and alarms."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, App, CallContext, P
from envs.toolworld.apps._accounts import add_account_apis
from envs.toolworld.world.build import WorldBuilder

app = App(
    "phone",
    "Your phone: contacts, text messages and alarms.",
    schema="""
    CREATE TABLE phone_contacts (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, first_name TEXT NOT NULL,
        last_name TEXT NOT NULL, phone_number TEXT NOT NULL, email TEXT, relationship TEXT
    );
    CREATE TABLE phone_messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id INTEGER NOT NULL, receiver_id INTEGER NOT NULL,
        message TEXT NOT NULL, sent_at TEXT NOT NULL
    );
    CREATE TABLE phone_blocked (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, phone_number TEXT NOT NULL,
        UNIQUE(owner_id, phone_number)
    );
    CREATE TABLE phone_alarms (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, time TEXT NOT NULL, label TEXT NOT NULL,
        enabled INTEGER NOT NULL, repeat_days TEXT NOT NULL
    );
    """,
)
add_account_apis(app)

RELATIONSHIPS = ("friend", "family", "coworker", "roommate")
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SMALL_TALK = [
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
]
CONTACT = {
    "contact_id": 1,
    "first_name": "string",
    "last_name": "string",
    "phone_number": "string",
    "email": "string",
    "relationship": "string",
}
MESSAGE = {
    "text_message_id": 1,
    "sender": {"name": "string", "phone_number": "string"},
    "receiver": {"name": "string", "phone_number": "string"},
    "message": "string",
    "sent_at": "string",
}
ALARM = {"alarm_id": 1, "time": "string", "label": "string", "enabled": True, "repeat_days": ["string"]}
ID = Annotated[int, P("The id.", ge=1)]
TIME = Annotated[str, P("Time of day as HH:MM, 24-hour clock.", min_length=5, max_length=5)]


@app.populator
def populate(w: WorldBuilder) -> None:
    rng = w.rng("phone")
    by_id = {p.id: p for p in w.people}
    for person in w.people:
        contacts = []
        for kind in RELATIONSHIPS:
            for other_id in w.related(person.id, (kind,)):
                other = by_id[other_id]
                contacts.append(
                    {
                        "owner_id": person.id,
                        "first_name": other.first_name,
                        "last_name": other.last_name,
                        "phone_number": other.phone_number,
                        "email": other.email,
                        "relationship": kind,
                    }
                )
        w.insert("phone_contacts", sorted(contacts, key=lambda c: (c["first_name"], c["last_name"])))
        for _ in range(rng.randint(1, 3)):
            hour, minute = rng.randint(5, 9), rng.choice((0, 15, 30, 45))
            w.insert(
                "phone_alarms",
                [
                    {
                        "owner_id": person.id,
                        "time": f"{hour:02d}:{minute:02d}",
                        "label": rng.choice(("Wake up", "Gym", "Meds", "Walk the dog")),
                        "enabled": int(rng.random() < 0.8),
                        "repeat_days": ",".join(sorted(rng.sample(DAYS, rng.randint(1, 5)), key=DAYS.index)),
                    }
                ],
            )
    messages = []
    for person in w.people:
        for other_id in rng.sample(w.related(person.id), min(4, len(w.related(person.id)))):
            for _ in range(rng.randint(1, 4)):
                sent = w.now - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 1440))
                messages.append(
                    {
                        "sender_id": person.id,
                        "receiver_id": other_id,
                        "message": rng.choice(SMALL_TALK).format(day=rng.choice(DAYS).title()),
                        "sent_at": sent.isoformat(timespec="seconds"),
                    }
                )
    w.insert("phone_messages", sorted(messages, key=lambda m: m["sent_at"]))


def _contact(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "contact_id": row["id"],
        **{k: row[k] for k in ("first_name", "last_name", "phone_number", "email", "relationship")},
    }


def _normalize_phone(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    if len(digits) != 10:
        raise ApiError(422, f"Invalid argument 'phone_number': {number!r} is not a 10-digit phone number.")
    return digits


@app.api("GET", "/contacts", [CONTACT], paginated=True)
def search_contacts(
    ctx: CallContext,
    query: Annotated[
        str,
        P("Words to match in the contact's name, phone number or email; empty lists all.", max_length=QUERY_MAX_CHARS),
    ] = "",
    relationship: Annotated[
        Literal["friend", "family", "coworker", "roommate"] | None, P("Only contacts with this relationship.")
    ] = None,
) -> list[dict[str, Any]]:
    """Search your contacts, ordered by first then last name."""
    rows = ctx.rows("SELECT * FROM phone_contacts WHERE owner_id = ? ORDER BY first_name, last_name, id", ctx.user_id)
    words = query.lower().split()
    found = [
        r
        for r in rows
        if all(w in f"{r['first_name']} {r['last_name']} {r['phone_number']} {r['email']}".lower() for w in words)
    ]
    return [_contact(r) for r in found if relationship is None or r["relationship"] == relationship]


@app.api("GET", "/contacts/{contact_id}", CONTACT)
def show_contact(ctx: CallContext, contact_id: ID) -> dict[str, Any]:
    """Show one contact."""
    return _contact(ctx.owned("phone_contacts", contact_id, "contact"))


@app.api("POST", "/contacts", {"message": "string", "contact_id": 1})
def add_contact(
    ctx: CallContext,
    first_name: Annotated[str, P("First name.", min_length=1)],
    last_name: Annotated[str, P("Last name.", min_length=1)],
    phone_number: Annotated[str, P("10-digit phone number.")],
    email: Annotated[str | None, P("Email address.")] = None,
    relationship: Annotated[Literal["friend", "family", "coworker", "roommate"] | None, P("How you know them.")] = None,
) -> dict[str, Any]:
    """Add a contact to your phone."""
    number = _normalize_phone(phone_number)
    if ctx.value("SELECT 1 FROM phone_contacts WHERE owner_id = ? AND phone_number = ?", ctx.user_id, number):
        raise ApiError(409, f"A contact with phone number {number} already exists.")
    new_id = ctx.execute(
        "INSERT INTO phone_contacts (owner_id, first_name, last_name, phone_number, email, relationship) "
        "VALUES (?,?,?,?,?,?)",
        ctx.user_id,
        first_name,
        last_name,
        number,
        email,
        relationship,
    )
    return {"message": "Contact added.", "contact_id": new_id}


@app.api("PATCH", "/contacts/{contact_id}", {"message": "string"})
def update_contact(
    ctx: CallContext,
    contact_id: ID,
    first_name: Annotated[str | None, P("New first name.", min_length=1)] = None,
    last_name: Annotated[str | None, P("New last name.", min_length=1)] = None,
    phone_number: Annotated[str | None, P("New 10-digit phone number.")] = None,
    email: Annotated[str | None, P("New email address.")] = None,
    relationship: Annotated[Literal["friend", "family", "coworker", "roommate"] | None, P("New relationship.")] = None,
) -> dict[str, str]:
    """Update the fields you give of one contact; fields left null keep their value."""
    ctx.owned("phone_contacts", contact_id, "contact")
    fields = {
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "relationship": relationship,
        "phone_number": None if phone_number is None else _normalize_phone(phone_number),
    }
    ctx.update("phone_contacts", contact_id, fields)
    return {"message": "Contact updated."}


@app.api("DELETE", "/contacts/{contact_id}", {"message": "string"})
def delete_contact(ctx: CallContext, contact_id: ID) -> dict[str, str]:
    """Delete one contact."""
    ctx.owned("phone_contacts", contact_id, "contact")
    ctx.execute("DELETE FROM phone_contacts WHERE id = ?", contact_id)
    return {"message": "Contact deleted."}


def _party(ctx: CallContext, person_id: int) -> dict[str, str]:
    person = ctx.row("SELECT first_name || ' ' || last_name AS name, phone_number FROM people WHERE id = ?", person_id)
    return person or {"name": "Unknown", "phone_number": ""}


def _message(ctx: CallContext, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "text_message_id": row["id"],
        "sender": _party(ctx, row["sender_id"]),
        "receiver": _party(ctx, row["receiver_id"]),
        "message": row["message"],
        "sent_at": row["sent_at"],
    }


@app.api("GET", "/messages", [MESSAGE], paginated=True)
def search_text_messages(
    ctx: CallContext,
    phone_number: Annotated[str | None, P("Only messages exchanged with this phone number.")] = None,
    query: Annotated[str, P("Words the message must contain; empty matches all.", max_length=QUERY_MAX_CHARS)] = "",
    sort_by: Annotated[
        Literal["-sent_at", "sent_at"], P("Newest first ('-sent_at') or oldest first ('sent_at').")
    ] = "-sent_at",
) -> list[dict[str, Any]]:
    """Search the text messages you sent or received."""
    order = "DESC" if sort_by == "-sent_at" else "ASC"
    rows = ctx.rows(
        f"SELECT * FROM phone_messages WHERE (sender_id = ? OR receiver_id = ?) ORDER BY sent_at {order}, id {order}",
        ctx.user_id,
        ctx.user_id,
    )
    if phone_number is not None:
        other = ctx.value("SELECT id FROM people WHERE phone_number = ?", _normalize_phone(phone_number))
        rows = [r for r in rows if other in (r["sender_id"], r["receiver_id"])]
    words = query.lower().split()
    return [_message(ctx, r) for r in rows if all(w in r["message"].lower() for w in words)]


@app.api("GET", "/messages/{text_message_id}", MESSAGE)
def show_text_message(ctx: CallContext, text_message_id: ID) -> dict[str, Any]:
    """Show one text message."""
    row = ctx.row(
        "SELECT * FROM phone_messages WHERE id = ? AND (sender_id = ? OR receiver_id = ?)",
        text_message_id,
        ctx.user_id,
        ctx.user_id,
    )
    if row is None:
        raise ApiError(404, f"No text message with id {text_message_id}.")
    return _message(ctx, row)


@app.api("POST", "/messages", {"message": "string", "text_message_id": 1})
def send_text_message(
    ctx: CallContext,
    phone_number: Annotated[str, P("The receiver's 10-digit phone number.")],
    message: Annotated[str, P("The text to send.", min_length=1, max_length=2000)],
) -> dict[str, Any]:
    """Send a text message to a phone number."""
    receiver = ctx.value("SELECT id FROM people WHERE phone_number = ?", _normalize_phone(phone_number))
    if receiver is None:
        raise ApiError(404, f"No phone with number {phone_number}.")
    mine = ctx.value("SELECT phone_number FROM people WHERE id = ?", ctx.user_id)
    if ctx.value("SELECT 1 FROM phone_blocked WHERE owner_id = ? AND phone_number = ?", receiver, mine):
        raise ApiError(403, f"{phone_number} has blocked your number: the message was not sent.")
    new_id = ctx.execute(
        "INSERT INTO phone_messages (sender_id, receiver_id, message, sent_at) VALUES (?,?,?,?)",
        ctx.user_id,
        receiver,
        message,
        ctx.timestamp(),
    )
    return {"message": "Text message sent.", "text_message_id": new_id}


@app.api("DELETE", "/messages/{text_message_id}", {"message": "string"})
def delete_text_message(ctx: CallContext, text_message_id: ID) -> dict[str, str]:
    """Delete one text message you sent or received."""
    show_text_message(ctx, text_message_id)
    ctx.execute("DELETE FROM phone_messages WHERE id = ?", text_message_id)
    return {"message": "Text message deleted."}


def _alarm(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "alarm_id": row["id"],
        "time": row["time"],
        "label": row["label"],
        "enabled": bool(row["enabled"]),
        "repeat_days": [d for d in row["repeat_days"].split(",") if d],
    }


def _check_time(value: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ApiError(422, f"Invalid argument 'time': {value!r} is not HH:MM.")
    return value


def _check_days(days: list[str]) -> str:
    bad = [d for d in days if d not in DAYS]
    if bad:
        raise ApiError(422, f"Invalid argument 'repeat_days': {bad} are not weekdays {list(DAYS)}.")
    return ",".join(sorted(set(days), key=DAYS.index))


@app.api("GET", "/alarms", [ALARM], paginated=True)
def show_alarms(ctx: CallContext) -> list[dict[str, Any]]:
    """List your alarms by time of day."""
    return [_alarm(r) for r in ctx.rows("SELECT * FROM phone_alarms WHERE owner_id = ? ORDER BY time, id", ctx.user_id)]


@app.api("POST", "/alarms", {"message": "string", "alarm_id": 1})
def create_alarm(
    ctx: CallContext,
    time: TIME,
    label: Annotated[str, P("What the alarm is for.", min_length=1, max_length=100)] = "Alarm",
    repeat_days: Annotated[list[str], P("Weekdays (lowercase) on which it rings; empty rings once.")] = [],  # noqa: B006 (never mutated)
) -> dict[str, Any]:
    """Create an enabled alarm."""
    new_id = ctx.execute(
        "INSERT INTO phone_alarms (owner_id, time, label, enabled, repeat_days) VALUES (?,?,?,1,?)",
        ctx.user_id,
        _check_time(time),
        label,
        _check_days(repeat_days),
    )
    return {"message": "Alarm created.", "alarm_id": new_id}


@app.api("PATCH", "/alarms/{alarm_id}", {"message": "string"})
def update_alarm(
    ctx: CallContext,
    alarm_id: ID,
    time: Annotated[str | None, P("New time, HH:MM.")] = None,
    label: Annotated[str | None, P("New label.", min_length=1, max_length=100)] = None,
    enabled: Annotated[bool | None, P("Turn the alarm on (true) or off (false).")] = None,
    repeat_days: Annotated[list[str] | None, P("New weekdays on which it rings.")] = None,
) -> dict[str, str]:
    """Change the fields you give of one alarm."""
    ctx.owned("phone_alarms", alarm_id, "alarm")
    fields = {
        "time": None if time is None else _check_time(time),
        "label": label,
        "enabled": None if enabled is None else int(enabled),
        "repeat_days": None if repeat_days is None else _check_days(repeat_days),
    }
    ctx.update("phone_alarms", alarm_id, fields)
    return {"message": "Alarm updated."}


@app.api("DELETE", "/alarms/{alarm_id}", {"message": "string"})
def delete_alarm(ctx: CallContext, alarm_id: ID) -> dict[str, str]:
    """Delete one alarm."""
    ctx.owned("phone_alarms", alarm_id, "alarm")
    ctx.execute("DELETE FROM phone_alarms WHERE id = ?", alarm_id)
    return {"message": "Alarm deleted."}


@app.api("GET", "/blocked", [{"phone_number": "string"}], paginated=True)
def show_blocked_numbers(ctx: CallContext) -> list[dict[str, Any]]:
    """List the phone numbers you blocked."""
    return ctx.rows("SELECT phone_number FROM phone_blocked WHERE owner_id = ? ORDER BY id", ctx.user_id)


@app.api("POST", "/blocked", {"message": "string"})
def block_number(ctx: CallContext, phone_number: Annotated[str, P("The 10-digit number to block.")]) -> dict[str, str]:
    """Block a phone number: its texts no longer reach you."""
    number = _normalize_phone(phone_number)
    ctx.insert_unique(
        "phone_blocked", {"owner_id": ctx.user_id, "phone_number": number}, f"{number} is already blocked."
    )
    return {"message": f"{number} blocked."}


@app.api("DELETE", "/blocked/{phone_number}", {"message": "string"})
def unblock_number(ctx: CallContext, phone_number: Annotated[str, P("The blocked 10-digit number.")]) -> dict[str, str]:
    """Unblock a phone number."""
    number = _normalize_phone(phone_number)
    ctx.delete_existing("phone_blocked", {"owner_id": ctx.user_id, "phone_number": number}, f"{number} is not blocked.")
    return {"message": f"{number} unblocked."}
