"""phone: contacts, text messages, calls and voicemail, group chats, alarms, blocked numbers and settings.

Text messages are one row each, seen by sender and receiver; deleting one takes it off the deleter's phone
only (a row of phone_deleted_messages): once sent, a text is on the other phone too (when deleting removed the
shared row, texts sent by mistake and deleted left nothing to grade). The call log and voicemail are per owner
(a call writes an outgoing record for the caller and an incoming or missed one for the person called). The
world's data is made in _phone_data.py; the APIs beyond contacts, texts, alarms and blocking live in the
_phone_<part>.py modules imported at the end.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, App, CallContext, P, Page
from envs.toolworld.apps._accounts import add_account_apis
from envs.toolworld.apps._day_args import DAY_DOC, day_text
from envs.toolworld.apps._phone_data import DAYS, populate
from envs.toolworld.apps._sql_page import sql_page
from envs.toolworld.apps._text_search import search_words

app = App(
    "phone",
    "Your phone: contacts, text messages, calls and voicemail, group chats, alarms, blocked numbers and settings.",
    schema="""
    CREATE TABLE phone_contacts (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, first_name TEXT NOT NULL,
        last_name TEXT NOT NULL, phone_number TEXT NOT NULL, email TEXT, relationship TEXT,
        is_favorite INTEGER NOT NULL DEFAULT 0, birthday TEXT, company TEXT, notes TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX phone_contacts_owner ON phone_contacts(owner_id, phone_number);
    CREATE TABLE phone_messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id INTEGER NOT NULL, receiver_id INTEGER NOT NULL,
        message TEXT NOT NULL, sent_at TEXT NOT NULL, is_read INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX phone_messages_sender ON phone_messages(sender_id, sent_at);
    CREATE INDEX phone_messages_receiver ON phone_messages(receiver_id, sent_at);
    CREATE TABLE phone_deleted_messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, message_id INTEGER NOT NULL,
        UNIQUE(owner_id, message_id)
    );
    CREATE TABLE phone_blocked (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, phone_number TEXT NOT NULL,
        UNIQUE(owner_id, phone_number)
    );
    CREATE TABLE phone_alarms (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, time TEXT NOT NULL, label TEXT NOT NULL,
        enabled INTEGER NOT NULL, repeat_days TEXT NOT NULL, snooze_minutes INTEGER NOT NULL DEFAULT 10,
        vibrate INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX phone_alarms_owner ON phone_alarms(owner_id);
    CREATE TABLE phone_calls (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, phone_number TEXT NOT NULL,
        direction TEXT NOT NULL, started_at TEXT NOT NULL, duration_seconds INTEGER NOT NULL
    );
    CREATE INDEX phone_calls_owner ON phone_calls(owner_id, started_at);
    CREATE TABLE phone_voicemails (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, phone_number TEXT NOT NULL,
        transcript TEXT NOT NULL, duration_seconds INTEGER NOT NULL, left_at TEXT NOT NULL, is_heard INTEGER NOT NULL
    );
    CREATE INDEX phone_voicemails_owner ON phone_voicemails(owner_id, left_at);
    CREATE TABLE phone_group_chats (
        id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, created_by INTEGER NOT NULL, created_at TEXT NOT NULL
    );
    CREATE TABLE phone_group_members (
        id INTEGER PRIMARY KEY AUTOINCREMENT, group_id INTEGER NOT NULL, person_id INTEGER NOT NULL,
        joined_at TEXT NOT NULL, UNIQUE(group_id, person_id)
    );
    CREATE INDEX phone_group_members_person ON phone_group_members(person_id);
    CREATE TABLE phone_group_messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT, group_id INTEGER NOT NULL, sender_id INTEGER NOT NULL,
        message TEXT NOT NULL, sent_at TEXT NOT NULL
    );
    CREATE INDEX phone_group_messages_group ON phone_group_messages(group_id, sent_at);
    CREATE TABLE phone_settings (
        owner_id INTEGER PRIMARY KEY, do_not_disturb INTEGER NOT NULL, quiet_start TEXT NOT NULL,
        quiet_end TEXT NOT NULL, allow_favorites INTEGER NOT NULL, ringtone TEXT NOT NULL, vibrate INTEGER NOT NULL,
        voicemail_greeting TEXT NOT NULL
    );
    """,
)
add_account_apis(app)
app.populator(populate)

RELATIONSHIPS = ("friend", "family", "coworker", "roommate")
Relationship = Literal["friend", "family", "coworker", "roommate"]
CONTACT = {
    "contact_id": 1,
    "first_name": "string",
    "last_name": "string",
    "phone_number": "string",
    "email": "string",
    "relationship": "string",
    "is_favorite": True,
    "birthday": "string",
    "company": "string",
    "notes": "string",
}
MESSAGE = {
    "text_message_id": 1,
    "sender": {"name": "string", "phone_number": "string"},
    "receiver": {"name": "string", "phone_number": "string"},
    "message": "string",
    "sent_at": "string",
    "is_read": True,
}
DONE = {"message": "string"}
# Texts on the caller's phone: those they sent or received and did not delete (each takes the caller's id twice)
KEPT = "id NOT IN (SELECT message_id FROM phone_deleted_messages WHERE owner_id = ?)"
SENT = f"(sender_id = ? AND {KEPT})"
RECEIVED = f"(receiver_id = ? AND {KEPT})"
ON_MY_PHONE = f"(? IN (sender_id, receiver_id) AND {KEPT})"
# Deleting texts takes them off the caller's phone (the caller's id, then the WHERE clause's arguments)
DELETE_FOR_ME = "INSERT INTO phone_deleted_messages (owner_id, message_id) SELECT ?, id FROM phone_messages WHERE "
ALARM = {
    "alarm_id": 1,
    "time": "string",
    "label": "string",
    "enabled": True,
    "repeat_days": ["string"],
    "snooze_minutes": 1,
    "vibrate": True,
}
ID = Annotated[int, P("The id.", ge=1)]
TIME = Annotated[str, P("Time of day as HH:MM, 24-hour clock.", min_length=5, max_length=5)]
NUMBER = Annotated[str, P("A 10-digit phone number (spaces, dashes and brackets are ignored).", max_length=30)]
DATE = Annotated[str | None, P(f"A date, {DAY_DOC}.", max_length=10)]
SNOOZE = Annotated[int, P("Minutes the alarm waits when snoozed.", ge=1, le=30)]


def _contact(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "contact_id": row["id"],
        **{k: row[k] for k in ("first_name", "last_name", "phone_number", "email", "relationship")},
        "is_favorite": bool(row["is_favorite"]),
        **{k: row[k] for k in ("birthday", "company", "notes")},
    }


def normalize_phone(number: str, argument: str = "phone_number") -> str:
    digits = re.sub(r"\D", "", number)
    if len(digits) != 10:
        raise ApiError(422, f"Invalid argument {argument!r}: {number!r} is not a 10-digit phone number.")
    return digits


def words_match(columns: str, query: str) -> tuple[str, list[str]]:
    """SQL requiring every word of `query` in the text of `columns` (case-insensitive), and its arguments."""
    words = search_words(query)
    return "".join(f" AND instr(lower({columns}), ?)" for _ in words), words


CONTACT_SORTS = {
    "name": "first_name, last_name, id",
    "-name": "first_name DESC, last_name DESC, id DESC",
    "birthday": "substr(birthday, 6) IS NULL, substr(birthday, 6), first_name, id",
}


@app.api("GET", "/contacts", [CONTACT], paginated=True)
def search_contacts(
    ctx: CallContext,
    query: Annotated[
        str,
        P("Words to match in the contact's name, phone number or email; empty lists all.", max_length=QUERY_MAX_CHARS),
    ] = "",
    relationship: Annotated[Relationship | None, P("Only contacts with this relationship.")] = None,
    is_favorite: Annotated[bool | None, P("Only favourites (true) or only the others (false).")] = None,
    sort_by: Annotated[
        Literal["name", "-name", "birthday"], P("By first then last name, reversed, or by birthday in the year.")
    ] = "name",
) -> list[dict[str, Any]]:
    """Search your contacts, ordered by first then last name unless you sort otherwise."""
    match, args = words_match(
        "first_name || ' ' || last_name || ' ' || phone_number || ' ' || coalesce(email, '')", query
    )
    if relationship is not None:
        match += " AND relationship = ?"
        args.append(relationship)
    if is_favorite is not None:
        match += f" AND is_favorite = {int(is_favorite)}"
    rows = ctx.rows(
        f"SELECT * FROM phone_contacts WHERE owner_id = ?{match} ORDER BY {CONTACT_SORTS[sort_by]}", ctx.user_id, *args
    )
    return [_contact(r) for r in rows]


@app.api("GET", "/contacts/{contact_id}", CONTACT)
def show_contact(ctx: CallContext, contact_id: ID) -> dict[str, Any]:
    """Show one contact."""
    return _contact(ctx.owned("phone_contacts", contact_id, "contact"))


@app.api("POST", "/contacts", {"message": "string", "contact_id": 1})
def add_contact(
    ctx: CallContext,
    first_name: Annotated[str, P("First name.", min_length=1, max_length=100)],
    last_name: Annotated[str, P("Last name.", min_length=1, max_length=100)],
    phone_number: NUMBER,
    email: Annotated[str | None, P("Email address.", max_length=200)] = None,
    relationship: Annotated[Relationship | None, P("How you know them.")] = None,
    birthday: DATE = None,
    company: Annotated[str | None, P("Where they work.", max_length=100)] = None,
    notes: Annotated[str, P("Anything to remember about them.", max_length=1000)] = "",
    is_favorite: Annotated[bool, P("Make them a favourite.")] = False,
) -> dict[str, Any]:
    """Add a contact to your phone."""
    number = normalize_phone(phone_number)
    if ctx.value("SELECT 1 FROM phone_contacts WHERE owner_id = ? AND phone_number = ?", ctx.user_id, number):
        raise ApiError(409, f"A contact with phone number {number} already exists.")
    new_id = ctx.execute(
        "INSERT INTO phone_contacts (owner_id, first_name, last_name, phone_number, email, relationship, is_favorite, "
        "birthday, company, notes) VALUES (?,?,?,?,?,?,?,?,?,?)",
        ctx.user_id,
        first_name,
        last_name,
        number,
        email,
        relationship,
        int(is_favorite),
        None if birthday is None else day_text("birthday", birthday),
        company,
        notes,
    )
    return {"message": "Contact added.", "contact_id": new_id}


@app.api("PATCH", "/contacts/{contact_id}", DONE)
def update_contact(
    ctx: CallContext,
    contact_id: ID,
    first_name: Annotated[str | None, P("New first name.", min_length=1, max_length=100)] = None,
    last_name: Annotated[str | None, P("New last name.", min_length=1, max_length=100)] = None,
    phone_number: Annotated[str | None, P("New 10-digit phone number.", max_length=30)] = None,
    email: Annotated[str | None, P("New email address.", max_length=200)] = None,
    relationship: Annotated[Relationship | None, P("New relationship.")] = None,
    birthday: DATE = None,
    company: Annotated[str | None, P("New company.", max_length=100)] = None,
    notes: Annotated[str | None, P("New notes.", max_length=1000)] = None,
) -> dict[str, str]:
    """Update the fields you give of one contact; fields left null keep their value."""
    ctx.owned("phone_contacts", contact_id, "contact")
    fields = {
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "relationship": relationship,
        "phone_number": None if phone_number is None else normalize_phone(phone_number),
        "birthday": None if birthday is None else day_text("birthday", birthday),
        "company": company,
        "notes": notes,
    }
    ctx.update("phone_contacts", contact_id, fields)
    return {"message": "Contact updated."}


@app.api("DELETE", "/contacts/{contact_id}", DONE)
def delete_contact(ctx: CallContext, contact_id: ID) -> dict[str, str]:
    """Delete one contact."""
    ctx.owned("phone_contacts", contact_id, "contact")
    ctx.execute("DELETE FROM phone_contacts WHERE id = ?", contact_id)
    return {"message": "Contact deleted."}


def parties(ctx: CallContext, ids: set[int]) -> dict[int, dict[str, str]]:
    """Name and number of each person in `ids`, in one query."""
    marks = ",".join(str(int(i)) for i in ids) or "0"
    found = {
        r["id"]: {"name": r["name"], "phone_number": r["phone_number"]}
        for r in ctx.rows(
            f"SELECT id, first_name || ' ' || last_name AS name, phone_number FROM people WHERE id IN ({marks})"
        )
    }
    return {i: found.get(i, {"name": "Unknown", "phone_number": ""}) for i in ids}


def _messages(ctx: CallContext, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    people = parties(ctx, {r["sender_id"] for r in rows} | {r["receiver_id"] for r in rows})
    return [
        {
            "text_message_id": row["id"],
            "sender": people[row["sender_id"]],
            "receiver": people[row["receiver_id"]],
            "message": row["message"],
            "sent_at": row["sent_at"],
            "is_read": bool(row["is_read"]) or row["sender_id"] == ctx.user_id,
        }
        for row in rows
    ]


def person_with_number(ctx: CallContext, phone_number: str) -> int | None:
    return ctx.value("SELECT id FROM people WHERE phone_number = ?", normalize_phone(phone_number))


@app.api("GET", "/messages", [MESSAGE], paginated=True)
def search_text_messages(
    ctx: CallContext,
    phone_number: Annotated[str | None, P("Only messages exchanged with this phone number.", max_length=30)] = None,
    query: Annotated[str, P("Words the message must contain; empty matches all.", max_length=QUERY_MAX_CHARS)] = "",
    sort_by: Annotated[
        Literal["-sent_at", "sent_at"], P("Newest first ('-sent_at') or oldest first ('sent_at').")
    ] = "-sent_at",
    direction: Annotated[
        Literal["sent", "received"] | None, P("Only the messages you sent, or only those you received.")
    ] = None,
    unread_only: Annotated[bool, P("Only received messages you have not read.")] = False,
    sent_after: DATE = None,
    sent_before: DATE = None,
) -> list[dict[str, Any]]:
    """Search the text messages you sent or received."""
    me = ctx.caller
    sides: dict[str | None, tuple[str, list[Any]]] = {
        None: (ON_MY_PHONE, [me, me]),
        "sent": (SENT, [me, me]),
        "received": (RECEIVED, [me, me]),
    }
    side, args = sides["received" if unread_only else direction]
    match, words = words_match("message", query)
    where = f"({side}){match}"
    args += words
    if unread_only:
        where += " AND is_read = 0"
    if phone_number is not None:
        where += " AND ? IN (sender_id, receiver_id)"
        args.append(person_with_number(ctx, phone_number) or 0)
    if sent_after is not None:
        where += " AND sent_at >= ?"
        args.append(day_text("sent_after", sent_after))
    if sent_before is not None:
        where += " AND sent_at < ?"
        args.append(day_text("sent_before", sent_before))
    order = "DESC" if sort_by == "-sent_at" else "ASC"
    return _messages(
        ctx, ctx.rows(f"SELECT * FROM phone_messages WHERE {where} ORDER BY sent_at {order}, id {order}", *args)
    )


def text_message_row(ctx: CallContext, text_message_id: int) -> dict[str, Any]:
    """A text message the caller sent or received, or 404."""
    row = ctx.row(
        f"SELECT * FROM phone_messages WHERE id = ? AND {ON_MY_PHONE}",
        text_message_id,
        ctx.user_id,
        ctx.user_id,
    )
    if row is None:
        raise ApiError(404, f"No text message with id {text_message_id}.")
    return row


@app.api("GET", "/messages/{text_message_id}", MESSAGE)
def show_text_message(ctx: CallContext, text_message_id: ID) -> dict[str, Any]:
    """Show one text message."""
    return _messages(ctx, [text_message_row(ctx, text_message_id)])[0]


def blocked_by(ctx: CallContext, person_id: int) -> bool:
    """Whether `person_id` blocked the caller's number."""
    mine = ctx.value("SELECT phone_number FROM people WHERE id = ?", ctx.user_id)
    return bool(ctx.value("SELECT 1 FROM phone_blocked WHERE owner_id = ? AND phone_number = ?", person_id, mine))


@app.api("POST", "/messages", {"message": "string", "text_message_id": 1})
def send_text_message(
    ctx: CallContext,
    phone_number: Annotated[str, P("The receiver's 10-digit phone number.", max_length=30)],
    message: Annotated[str, P("The text to send.", min_length=1, max_length=2000)],
) -> dict[str, Any]:
    """Send a text message to a phone number."""
    receiver = person_with_number(ctx, phone_number)
    if receiver is None:
        raise ApiError(404, f"No phone with number {phone_number}.")
    if blocked_by(ctx, receiver):
        raise ApiError(403, f"{phone_number} has blocked your number: the message was not sent.")
    new_id = ctx.execute(
        "INSERT INTO phone_messages (sender_id, receiver_id, message, sent_at, is_read) VALUES (?,?,?,?,0)",
        ctx.user_id,
        receiver,
        message,
        ctx.timestamp(),
    )
    return {"message": "Text message sent.", "text_message_id": new_id}


@app.api("DELETE", "/messages/{text_message_id}", DONE)
def delete_text_message(ctx: CallContext, text_message_id: ID) -> dict[str, str]:
    """Delete one text message you sent or received from your phone (the other person's phone keeps it)."""
    text_message_row(ctx, text_message_id)
    ctx.execute(DELETE_FOR_ME + "id = ?", ctx.caller, text_message_id)
    return {"message": "Text message deleted."}


def _alarm(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "alarm_id": row["id"],
        "time": row["time"],
        "label": row["label"],
        "enabled": bool(row["enabled"]),
        "repeat_days": [d for d in row["repeat_days"].split(",") if d],
        "snooze_minutes": row["snooze_minutes"],
        "vibrate": bool(row["vibrate"]),
    }


def checked_time(value: str, argument: str = "time") -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ApiError(422, f"Invalid argument {argument!r}: {value!r} is not HH:MM.")
    return value


def _check_days(days: list[str]) -> str:
    bad = [d for d in days if d not in DAYS]
    if bad:
        raise ApiError(422, f"Invalid argument 'repeat_days': {bad} are not weekdays {list(DAYS)}.")
    return ",".join(sorted(set(days), key=DAYS.index))


@app.api("GET", "/alarms", [ALARM], paginated=True)
def show_alarms(
    ctx: CallContext,
    enabled: Annotated[bool | None, P("Only alarms that are on (true) or off (false).")] = None,
) -> Page:
    """List your alarms by time of day."""
    only = "" if enabled is None else f" AND enabled = {int(enabled)}"
    return sql_page(ctx, f"SELECT * FROM phone_alarms WHERE owner_id = ?{only}", "time, id", ctx.user_id, shape=_alarm)


@app.api("GET", "/alarms/{alarm_id}", ALARM)
def show_alarm(ctx: CallContext, alarm_id: ID) -> dict[str, Any]:
    """Show one alarm."""
    return _alarm(ctx.owned("phone_alarms", alarm_id, "alarm"))


@app.api("POST", "/alarms", {"message": "string", "alarm_id": 1})
def create_alarm(
    ctx: CallContext,
    time: TIME,
    label: Annotated[str, P("What the alarm is for.", min_length=1, max_length=100)] = "Alarm",
    repeat_days: Annotated[
        list[str], P("Weekdays (lowercase) on which it rings; empty rings once.", max_length=7)
    ] = [],  # noqa: B006 (never mutated)
    snooze_minutes: SNOOZE = 10,
    vibrate: Annotated[bool, P("Vibrate as well as ring.")] = True,
) -> dict[str, Any]:
    """Create an enabled alarm."""
    new_id = ctx.execute(
        "INSERT INTO phone_alarms (owner_id, time, label, enabled, repeat_days, snooze_minutes, vibrate) "
        "VALUES (?,?,?,1,?,?,?)",
        ctx.user_id,
        checked_time(time),
        label,
        _check_days(repeat_days),
        snooze_minutes,
        int(vibrate),
    )
    return {"message": "Alarm created.", "alarm_id": new_id}


@app.api("PATCH", "/alarms/{alarm_id}", DONE)
def update_alarm(
    ctx: CallContext,
    alarm_id: ID,
    time: Annotated[str | None, P("New time, HH:MM.", max_length=5)] = None,
    label: Annotated[str | None, P("New label.", min_length=1, max_length=100)] = None,
    enabled: Annotated[bool | None, P("Turn the alarm on (true) or off (false).")] = None,
    repeat_days: Annotated[list[str] | None, P("New weekdays on which it rings.", max_length=7)] = None,
    snooze_minutes: Annotated[int | None, P("New snooze length in minutes.", ge=1, le=30)] = None,
    vibrate: Annotated[bool | None, P("Vibrate as well as ring.")] = None,
) -> dict[str, str]:
    """Change the fields you give of one alarm."""
    ctx.owned("phone_alarms", alarm_id, "alarm")
    fields = {
        "time": None if time is None else checked_time(time),
        "label": label,
        "enabled": None if enabled is None else int(enabled),
        "repeat_days": None if repeat_days is None else _check_days(repeat_days),
        "snooze_minutes": snooze_minutes,
        "vibrate": None if vibrate is None else int(vibrate),
    }
    ctx.update("phone_alarms", alarm_id, fields)
    return {"message": "Alarm updated."}


@app.api("DELETE", "/alarms/{alarm_id}", DONE)
def delete_alarm(ctx: CallContext, alarm_id: ID) -> dict[str, str]:
    """Delete one alarm."""
    ctx.owned("phone_alarms", alarm_id, "alarm")
    ctx.execute("DELETE FROM phone_alarms WHERE id = ?", alarm_id)
    return {"message": "Alarm deleted."}


@app.api("GET", "/blocked", [{"phone_number": "string"}], paginated=True)
def show_blocked_numbers(ctx: CallContext) -> list[dict[str, Any]]:
    """List the phone numbers you blocked."""
    return ctx.rows("SELECT phone_number FROM phone_blocked WHERE owner_id = ? ORDER BY id", ctx.user_id)


@app.api("POST", "/blocked", DONE)
def block_number(
    ctx: CallContext, phone_number: Annotated[str, P("The 10-digit number to block.", max_length=30)]
) -> dict[str, str]:
    """Block a phone number: its texts no longer reach you."""
    number = normalize_phone(phone_number)
    ctx.insert_unique(
        "phone_blocked", {"owner_id": ctx.user_id, "phone_number": number}, f"{number} is already blocked."
    )
    return {"message": f"{number} blocked."}


@app.api("DELETE", "/blocked/{phone_number}", DONE)
def unblock_number(
    ctx: CallContext, phone_number: Annotated[str, P("The blocked 10-digit number.", max_length=30)]
) -> dict[str, str]:
    """Unblock a phone number."""
    number = normalize_phone(phone_number)
    ctx.delete_existing("phone_blocked", {"owner_id": ctx.user_id, "phone_number": number}, f"{number} is not blocked.")
    return {"message": f"{number} unblocked."}


# the APIs of the phone's other parts register themselves on `app` when imported
from envs.toolworld.apps import (  # noqa: E402, F401
    _phone_calls,
    _phone_contacts,
    _phone_conversations,
    _phone_groups,
    _phone_settings,
    _phone_voicemail,
)
