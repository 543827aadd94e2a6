"""The phone app: contacts and birthdays, conversations, calls and voicemail, group chats, settings and alarms;
each kind of API's effect in the DB and its main error (not found / not yours / conflict / bad input)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from .apps_client import World


@pytest.fixture()
def world() -> World:
    return World()


def pair(world: World, kind: str = "friend") -> tuple[int, int]:
    """Two related people who text each other."""
    return world.conn.execute(
        "SELECT person_id, other_id FROM relations WHERE kind = ? ORDER BY id LIMIT 1", (kind,)
    ).fetchone()


def number(world: World, person_id: int) -> str:
    return world.value("SELECT phone_number FROM people WHERE id = ?", person_id)


def test_reading_everything_changes_nothing(world: World) -> None:
    me, other = pair(world)
    for api, kwargs in [
        ("search_contacts", {}),
        ("search_contacts", {"is_favorite": True, "sort_by": "birthday"}),
        ("show_upcoming_birthdays", {"days_ahead": 366}),
        ("search_text_messages", {"direction": "received", "unread_only": True}),
        ("show_conversations", {}),
        ("show_call_history", {"direction": "missed"}),
        ("show_voicemails", {}),
        ("show_group_chats", {}),
        ("show_alarms", {"enabled": False}),
        ("show_blocked_numbers", {}),
    ]:
        world.all_pages(me, "phone", api, **kwargs)
    world.ok(me, "phone", "show_phone_settings")
    for group in world.all_pages(me, "phone", "show_group_chats"):
        world.all_pages(me, "phone", "show_group_messages", group_chat_id=group["group_chat_id"])
    assert world.changes() == []


def test_every_list_pages_for_a_typical_person(world: World) -> None:
    """The world is large enough that the main lists of most people need more than one page of 20."""
    people = [r[0] for r in world.conn.execute("SELECT id FROM people ORDER BY id LIMIT 20")]
    for api in ("search_text_messages", "show_call_history", "search_contacts"):
        sizes = sorted(len(world.all_pages(p, "phone", api)) for p in people[:5])
        assert sizes[2] > 15, (api, sizes)


def test_favourites_and_upcoming_birthdays(world: World) -> None:
    me, _ = pair(world)
    contact = next(c for c in world.all_pages(me, "phone", "search_contacts") if not c["is_favorite"])
    world.ok(me, "phone", "favorite_contact", contact_id=contact["contact_id"])
    assert world.call(me, "phone", "favorite_contact", contact_id=contact["contact_id"])[0] == 409
    favourites = world.all_pages(me, "phone", "search_contacts", is_favorite=True)
    assert contact["contact_id"] in [c["contact_id"] for c in favourites] and all(c["is_favorite"] for c in favourites)
    world.ok(me, "phone", "unfavorite_contact", contact_id=contact["contact_id"])
    assert world.value("SELECT is_favorite FROM phone_contacts WHERE id = ?", contact["contact_id"]) == 0
    soon = (date(2026, 5, 18) + timedelta(days=3)).replace(year=1990).isoformat()
    added = world.ok(
        me, "phone", "add_contact", first_name="Zed", last_name="Soon", phone_number="(555) 010-9999", birthday=soon
    )
    coming = world.all_pages(me, "phone", "show_upcoming_birthdays", days_ahead=3)
    mine = next(c for c in coming if c["contact_id"] == added["contact_id"])
    assert mine["days_away"] == 3 and mine["turns"] == 36 and mine["next_birthday"] == "2026-05-21"
    assert [c["days_away"] for c in coming] == sorted(c["days_away"] for c in coming)
    assert not [
        c for c in world.all_pages(me, "phone", "show_upcoming_birthdays", days_ahead=2) if c["last_name"] == "Soon"
    ]
    status, body = world.call(
        me, "phone", "add_contact", first_name="A", last_name="B", phone_number="5550101234", birthday="1990-13-01"
    )
    assert status == 422 and "'birthday'" in body["message"]


def test_conversations_read_state_and_deletion(world: World) -> None:
    me, other = pair(world)
    world.ok(other, "phone", "send_text_message", phone_number=number(world, me), message="ping one")
    world.ok(other, "phone", "send_text_message", phone_number=number(world, me), message="ping two")
    assert [c["name"] for c in world.ok(me, "phone", "show_conversations", query=number(world, other))] == [
        world.value("SELECT first_name || ' ' || last_name FROM people WHERE id = ?", other)
    ]
    (talk,) = [
        c
        for c in world.all_pages(me, "phone", "show_conversations", unread_only=True)
        if c["phone_number"] == number(world, other)
    ]
    assert talk["last_message"] == "ping two" and talk["unread_count"] >= 2
    unread = world.value(
        "SELECT COUNT(*) FROM phone_messages WHERE sender_id = ? AND receiver_id = ? AND is_read = 0", other, me
    )
    assert world.ok(me, "phone", "mark_conversation_read", phone_number=number(world, other))["marked"] == unread
    assert (
        world.value(
            "SELECT COUNT(*) FROM phone_messages WHERE receiver_id = ? AND sender_id = ? AND is_read = 0", me, other
        )
        == 0
    )
    sent = world.ok(me, "phone", "send_text_message", phone_number=number(world, other), message="pong")
    status, body = world.call(me, "phone", "mark_text_message_read", text_message_id=sent["text_message_id"])
    assert status == 409 and "you sent" in body["message"]
    between = world.value(
        "SELECT COUNT(*) FROM phone_messages "
        "WHERE (sender_id = ? AND receiver_id = ?) OR (sender_id = ? AND receiver_id = ?)",
        me,
        other,
        other,
        me,
    )
    theirs = world.all_pages(other, "phone", "search_text_messages", phone_number=number(world, me))
    assert world.ok(me, "phone", "delete_conversation", phone_number=number(world, other))["deleted"] == between
    assert world.call(me, "phone", "delete_conversation", phone_number=number(world, other))[0] == 404
    assert not world.all_pages(me, "phone", "search_text_messages", phone_number=number(world, other))
    # gone from my phone only: the other phone keeps every text of the conversation
    assert world.all_pages(other, "phone", "search_text_messages", phone_number=number(world, me)) == theirs
    assert len(theirs) == between


def test_search_text_messages_filters(world: World) -> None:
    me, _ = pair(world)
    received = world.all_pages(me, "phone", "search_text_messages", direction="received", sent_after="2026-01-01")
    assert received and all(
        m["receiver"]["phone_number"] == number(world, me) and m["sent_at"] >= "2026-01-01" for m in received
    )
    oldest = world.ok(me, "phone", "search_text_messages", sort_by="sent_at", page_limit=3)
    assert [m["sent_at"] for m in oldest] == sorted(m["sent_at"] for m in oldest)
    assert world.call(me, "phone", "search_text_messages", sent_before="yesterday")[0] == 422


def set_quiet_now(world: World, person: int, allow_favorites: bool) -> None:
    world.ok(
        person,
        "phone",
        "update_phone_settings",
        do_not_disturb=True,
        quiet_start="10:00",
        quiet_end="11:00",
        allow_favorites=allow_favorites,
    )
    assert world.ok(person, "phone", "show_phone_settings")["silenced_now"]  # the world's clock is 10:30


def test_calls_answered_missed_with_voicemail_and_blocked(world: World) -> None:
    me, other = pair(world)
    mine, theirs = number(world, me), number(world, other)
    call = world.ok(me, "phone", "make_call", phone_number=theirs, duration_minutes=3)
    assert call["answered"]
    assert world.ok(other, "phone", "show_call_history", phone_number=mine, page_limit=1)[0]["direction"] == "incoming"
    assert world.ok(me, "phone", "show_call", call_id=call["call_id"])["duration_seconds"] == 180
    set_quiet_now(world, other, allow_favorites=False)
    missed = world.ok(me, "phone", "make_call", phone_number=theirs, voicemail_message="Call me back about Friday.")
    assert not missed["answered"] and "voicemail" in missed["message"]
    (latest,) = world.ok(other, "phone", "show_call_history", phone_number=mine, page_limit=1)
    assert latest["direction"] == "missed" and latest["duration_seconds"] == 0
    (voicemail,) = world.ok(other, "phone", "show_voicemails", phone_number=mine, unheard_only=True, query="friday")
    assert voicemail["transcript"] == "Call me back about Friday."
    world.ok(other, "phone", "block_number", phone_number=mine)
    before = world.value("SELECT COUNT(*) FROM phone_calls WHERE owner_id = ?", other)
    assert not world.ok(me, "phone", "make_call", phone_number=theirs)["answered"]
    assert world.value("SELECT COUNT(*) FROM phone_calls WHERE owner_id = ?", other) == before
    assert world.call(me, "phone", "make_call", phone_number=mine)[0] == 422
    business = world.value("SELECT phone_number FROM phone_contacts WHERE owner_id = ? AND email IS NULL LIMIT 1", me)
    calls = world.value("SELECT COUNT(*) FROM phone_calls")
    outside = world.ok(me, "phone", "make_call", phone_number=business)
    assert not outside["answered"] and world.value("SELECT COUNT(*) FROM phone_calls") == calls + 1  # only mine
    world.ok(me, "phone", "delete_call_record", call_id=outside["call_id"])
    assert world.call(me, "phone", "show_call", call_id=outside["call_id"])[0] == 404


def test_a_favourite_rings_through_do_not_disturb_when_allowed(world: World) -> None:
    me, other = pair(world, "family")
    favourite = world.value(
        "SELECT is_favorite FROM phone_contacts WHERE owner_id = ? AND phone_number = ?", other, number(world, me)
    )
    assert favourite == 1  # family are favourites in the generated world
    set_quiet_now(world, other, allow_favorites=True)
    assert world.ok(me, "phone", "make_call", phone_number=number(world, other))["answered"]


def test_call_history_filters_and_clearing(world: World) -> None:
    me, _ = pair(world)
    long_calls = world.all_pages(
        me, "phone", "show_call_history", min_duration_seconds=600, sort_by="-duration_seconds"
    )
    assert long_calls and all(c["duration_seconds"] >= 600 for c in long_calls)
    assert [c["duration_seconds"] for c in long_calls] == sorted(
        (c["duration_seconds"] for c in long_calls), reverse=True
    )
    named = [c for c in world.all_pages(me, "phone", "show_call_history") if c["contact_name"]]
    assert named, "calls with people in my contacts show their saved name"
    missed = world.value("SELECT COUNT(*) FROM phone_calls WHERE owner_id = ? AND direction = 'missed'", me)
    kept = world.value("SELECT COUNT(*) FROM phone_calls WHERE owner_id = ? AND direction != 'missed'", me)
    assert world.ok(me, "phone", "clear_call_history", direction="missed")["deleted"] == missed
    assert world.value("SELECT COUNT(*) FROM phone_calls WHERE owner_id = ?", me) == kept
    theirs = world.value("SELECT id FROM phone_calls WHERE owner_id != ? LIMIT 1", me)
    assert world.call(me, "phone", "delete_call_record", call_id=theirs)[0] == 404
    assert world.call(me, "phone", "show_call", call_id=theirs)[0] == 404


@pytest.mark.parametrize(
    ("api", "id_name", "find"),
    [
        (
            "mark_voicemail_heard",
            "voicemail_id",
            "SELECT id, owner_id, owner_id FROM phone_voicemails WHERE is_heard = 0",
        ),
        (
            "mark_text_message_read",
            "text_message_id",
            "SELECT id, receiver_id, sender_id FROM phone_messages WHERE is_read = 0",
        ),
    ],
)
def test_marking_sets_the_flag_once_and_is_404_for_others(world: World, api: str, id_name: str, find: str) -> None:
    """(find gives an unmarked row, its owner, and someone else who can see it)"""
    row_id, me, sees_it = world.conn.execute(find + " ORDER BY id LIMIT 1").fetchone()
    table, column = find.split(" FROM ")[1].split(" WHERE ")[0], find.split(" WHERE ")[1].split(" =")[0]
    world.ok(me, "phone", api, **{id_name: row_id})
    assert world.value(f"SELECT {column} FROM {table} WHERE id = ?", row_id) == 1
    assert world.call(me, "phone", api, **{id_name: row_id})[0] == 409
    stranger = world.value("SELECT MIN(id) FROM people WHERE id NOT IN (?, ?)", me, sees_it)
    assert world.call(stranger, "phone", api, **{id_name: row_id})[0] == 404


def test_voicemail_delete(world: World) -> None:
    vm, me = world.conn.execute("SELECT id, owner_id FROM phone_voicemails ORDER BY id LIMIT 1").fetchone()
    assert world.ok(me, "phone", "show_voicemail", voicemail_id=vm)["voicemail_id"] == vm
    world.ok(me, "phone", "delete_voicemail", voicemail_id=vm)
    assert world.call(me, "phone", "show_voicemail", voicemail_id=vm)[0] == 404


def test_group_chats(world: World) -> None:
    me, other = pair(world)
    third = world.value("SELECT MAX(id) FROM people WHERE id NOT IN (?, ?)", me, other)
    made = world.ok(
        me, "phone", "create_group_chat", name="Road Trip", phone_numbers=[number(world, other), number(world, third)]
    )
    group = made["group_chat_id"]
    shown = world.ok(other, "phone", "show_group_chat", group_chat_id=group)
    assert sorted(m["phone_number"] for m in shown["members"]) == sorted(number(world, p) for p in (me, other, third))
    world.ok(other, "phone", "send_group_message", group_chat_id=group, message="Who drives?")
    assert world.ok(third, "phone", "show_group_messages", group_chat_id=group)[0]["message"] == "Who drives?"
    world.ok(other, "phone", "rename_group_chat", group_chat_id=group, name="Road Trip 2026")
    assert [g["name"] for g in world.ok(me, "phone", "show_group_chats", query="road trip 2026")] == ["Road Trip 2026"]
    assert (
        world.call(other, "phone", "remove_group_chat_member", group_chat_id=group, phone_number=number(world, third))[
            0
        ]
        == 403
    )
    world.ok(me, "phone", "remove_group_chat_member", group_chat_id=group, phone_number=number(world, third))
    assert world.call(third, "phone", "show_group_chat", group_chat_id=group)[0] == 404
    assert world.call(third, "phone", "send_group_message", group_chat_id=group, message="hi")[0] == 404
    world.ok(me, "phone", "add_group_chat_member", group_chat_id=group, phone_number=number(world, third))
    assert (
        world.call(me, "phone", "add_group_chat_member", group_chat_id=group, phone_number=number(world, third))[0]
        == 409
    )
    world.ok(other, "phone", "leave_group_chat", group_chat_id=group)
    assert world.value("SELECT COUNT(*) FROM phone_group_members WHERE group_id = ?", group) == 2
    status, body = world.call(me, "phone", "create_group_chat", name="Solo", phone_numbers=[number(world, me)])
    assert status == 422 and "'phone_numbers'" in body["message"]


def test_settings_and_alarms(world: World) -> None:
    me, _ = pair(world)
    world.ok(me, "phone", "update_phone_settings", ringtone="Silk", voicemail_greeting="Not now.")
    settings = world.ok(me, "phone", "show_phone_settings")
    assert settings["ringtone"] == "Silk" and settings["voicemail_greeting"] == "Not now."
    assert world.call(me, "phone", "update_phone_settings", quiet_start="25:00")[0] == 422
    assert world.call(me, "phone", "update_phone_settings", ringtone="Bells")[0] == 422
    alarm = world.ok(me, "phone", "create_alarm", time="06:45", label="Run", snooze_minutes=5, vibrate=False)[
        "alarm_id"
    ]
    world.ok(me, "phone", "update_alarm", alarm_id=alarm, enabled=False, snooze_minutes=15)
    shown = world.ok(me, "phone", "show_alarm", alarm_id=alarm)
    assert (shown["enabled"], shown["snooze_minutes"], shown["vibrate"]) == (False, 15, False)
    assert alarm in [a["alarm_id"] for a in world.all_pages(me, "phone", "show_alarms", enabled=False)]
    assert alarm not in [a["alarm_id"] for a in world.all_pages(me, "phone", "show_alarms", enabled=True)]
    assert world.call(me, "phone", "create_alarm", time="06:45", snooze_minutes=60)[0] == 422
    theirs = world.value("SELECT id FROM phone_alarms WHERE owner_id != ? LIMIT 1", me)
    assert world.call(me, "phone", "show_alarm", alarm_id=theirs)[0] == 404


def calls_per_pair(world: World, kind: str) -> float:
    """Mean calls logged on one side's phone with a relation of `kind` over the two years."""
    return world.value(
        "SELECT AVG(n) FROM (SELECT r.id, COUNT(c.id) AS n FROM relations r JOIN people o ON o.id = r.other_id "
        "LEFT JOIN phone_calls c ON c.owner_id = r.person_id AND c.phone_number = o.phone_number "
        "WHERE r.kind = ? GROUP BY r.id)",
        kind,
    )


def test_closer_relations_call_more_and_robocallers_ring_again(world: World) -> None:
    """Family ring each other far more often than coworkers do, and everyone's log holds a stranger's number that
    rang 3+ times in the last ten months (a robocaller), as real phones do."""
    assert calls_per_pair(world, "family") > 2 * calls_per_pair(world, "coworker")
    assert calls_per_pair(world, "roommate") > 1.5 * calls_per_pair(world, "coworker")
    repeat_strangers = world.value(
        "SELECT COUNT(DISTINCT owner_id) FROM (SELECT c.owner_id, c.phone_number FROM phone_calls c "
        "WHERE c.direction != 'outgoing' AND c.started_at >= '2025-07-22' AND NOT EXISTS (SELECT 1 FROM people p "
        "WHERE p.phone_number = c.phone_number) GROUP BY c.owner_id, c.phone_number HAVING COUNT(*) >= 3)"
    )
    assert repeat_strangers == world.value("SELECT COUNT(*) FROM people")
