"""The calendar app: who sees and changes what, invitations, repeating events, free-busy, and refusals that say why."""

from __future__ import annotations

import pytest

from tests.toolworld.apps_client import World

DAY = "2026-09-15"  # past the generated future events: only repeating ones reach it


@pytest.fixture()
def world() -> World:
    return World()


def email_of(world: World, person_id: int) -> str:
    return world.value("SELECT email FROM people WHERE id = ?", person_id)


def coworkers(world: World, person_id: int, count: int = 2) -> list[int]:
    return [
        r[0]
        for r in world.conn.execute(
            "SELECT other_id FROM relations WHERE person_id = ? AND kind = 'coworker' ORDER BY other_id LIMIT ?",
            (person_id, count),
        )
    ]


def busy_person(world: World) -> int:
    """Someone with many invitations and at least two coworkers."""
    return world.value(
        "SELECT a.person_id FROM calendar_attendees a WHERE a.person_id IN (SELECT person_id FROM relations "
        "WHERE kind = 'coworker' GROUP BY person_id HAVING COUNT(*) >= 2) GROUP BY a.person_id "
        "ORDER BY COUNT(*) DESC, a.person_id LIMIT 1"
    )


def new_event(world: World, me: int, **kwargs: object) -> int:
    args = {"title": "Planning", "start": f"{DAY}T10:00", "end": f"{DAY}T11:00", **kwargs}
    return world.ok(me, "calendar", "create_event", **args)["event_id"]


def test_the_app_needs_a_login(world: World) -> None:
    status, body = world.server(1).call("calendar", "show_calendars", kwargs={})
    assert status == 401 and "access_token" in body["message"]


def test_calendars_mine_and_shared(world: World) -> None:
    owner, sharee = world.conn.execute(
        "SELECT c.owner_id, s.person_id FROM calendar_shares s JOIN calendar_calendars c ON c.id = s.calendar_id "
        "WHERE s.permission = 'edit' ORDER BY s.id LIMIT 1"
    ).fetchone()
    calendars = world.all_pages(sharee, "calendar", "show_calendars")
    assert calendars[0]["is_primary"] and calendars[0]["name"] == "Personal"
    shared = world.all_pages(sharee, "calendar", "show_calendars", ownership="shared_with_me")
    assert shared and all(c["owner"]["email"] != email_of(world, sharee) for c in shared)
    mine = world.all_pages(sharee, "calendar", "show_calendars", ownership="mine")
    assert len(mine) + len(shared) == len(calendars)
    assert {c["my_permission"] for c in mine} == {"owner"}
    counted = shared[0]["event_count"]
    assert counted == world.value(
        "SELECT COUNT(*) FROM calendar_events WHERE calendar_id = ?", shared[0]["calendar_id"]
    )


def test_calendar_crud_and_its_refusals(world: World) -> None:
    me = busy_person(world)
    new = world.ok(me, "calendar", "create_calendar", name="Running", kind="other", color="red")["calendar_id"]
    assert world.call(me, "calendar", "create_calendar", name="Running")[0] == 409
    assert world.call(me, "calendar", "update_calendar", calendar_id=new, name="Work")[0] == 409
    world.ok(me, "calendar", "update_calendar", calendar_id=new, is_visible=False, description="5k plan")
    assert world.conn.execute(
        "SELECT is_visible, description FROM calendar_calendars WHERE id = ?", (new,)
    ).fetchone() == (0, "5k plan")
    event = new_event(world, me, calendar_id=new)
    primary = world.value("SELECT id FROM calendar_calendars WHERE owner_id = ? AND is_primary = 1", me)
    status, body = world.call(me, "calendar", "delete_calendar", calendar_id=primary)
    assert status == 409 and "primary" in body["message"]
    outsider = world.value("SELECT MIN(id) FROM people WHERE id != ?", me)
    assert world.call(outsider, "calendar", "delete_calendar", calendar_id=new)[0] == 404
    world.ok(me, "calendar", "delete_calendar", calendar_id=new)
    assert world.value("SELECT COUNT(*) FROM calendar_events WHERE id = ?", event) == 0


def test_sharing_gives_view_or_edit_rights(world: World) -> None:
    me = busy_person(world)
    friend = coworkers(world, me, 1)[0]
    work = world.value("SELECT id FROM calendar_calendars WHERE owner_id = ? AND name = 'Work'", me)
    event = new_event(world, me, calendar_id=work)
    assert world.call(friend, "calendar", "show_event", event_id=event)[0] == 404
    world.ok(me, "calendar", "share_calendar", calendar_id=work, email=email_of(world, friend))
    assert world.ok(friend, "calendar", "show_event", event_id=event)["my_response"] is None
    status, body = world.call(friend, "calendar", "create_event", title="x", start=f"{DAY}T12:00", calendar_id=work)
    assert status == 409 and "read-only" in body["message"]
    assert world.call(friend, "calendar", "update_event", event_id=event, title="mine")[0] == 409
    world.ok(me, "calendar", "share_calendar", calendar_id=work, email=email_of(world, friend), permission="edit")
    world.ok(friend, "calendar", "update_event", event_id=event, title="Planning v2")
    assert world.value("SELECT title FROM calendar_events WHERE id = ?", event) == "Planning v2"
    shares = world.all_pages(me, "calendar", "show_calendar_shares", calendar_id=work)
    assert {"email": email_of(world, friend), "permission": "edit"}.items() <= shares[-1].items()
    world.ok(me, "calendar", "unshare_calendar", calendar_id=work, email=email_of(world, friend))
    assert world.call(friend, "calendar", "show_event", event_id=event)[0] == 404
    assert world.call(me, "calendar", "unshare_calendar", calendar_id=work, email=email_of(world, friend))[0] == 404


def test_invitations_are_answered_by_invitees_only(world: World) -> None:
    me = busy_person(world)
    guest, other = coworkers(world, me)
    event = new_event(world, me, attendee_emails=[email_of(world, guest)], reminder_minutes=30)
    assert world.value(
        "SELECT response FROM calendar_attendees WHERE event_id = ? AND person_id = ?", event, guest
    ) == ("pending")
    assert (
        world.value("SELECT minutes_before FROM calendar_reminders WHERE event_id = ? AND person_id = ?", event, me)
        == 30
    )
    pending = world.all_pages(guest, "calendar", "show_invitations")
    assert event in {e["event_id"] for e in pending} and all(e["my_response"] == "pending" for e in pending)
    world.ok(guest, "calendar", "respond_to_invitation", event_id=event, response="declined", comment="Away")
    row = world.conn.execute(
        "SELECT response, comment, responded_at FROM calendar_attendees WHERE event_id = ? AND person_id = ?",
        (event, guest),
    ).fetchone()
    assert row[:2] == ("declined", "Away") and row[2]
    assert (
        world.call(guest, "calendar", "respond_to_invitation", event_id=event, response="declined", comment="Away")[0]
        == 409
    )
    assert world.call(other, "calendar", "respond_to_invitation", event_id=event, response="accepted")[0] == 404
    assert world.call(guest, "calendar", "reschedule_event", event_id=event, start=f"{DAY}T15:00")[0] == 409
    declined = world.all_pages(me, "calendar", "show_event_attendees", event_id=event, response="declined")
    assert [a["email"] for a in declined] == [email_of(world, guest)]
    world.ok(me, "calendar", "add_event_attendees", event_id=event, emails=[email_of(world, other)])
    assert world.call(me, "calendar", "add_event_attendees", event_id=event, emails=[email_of(world, other)])[0] == 409
    world.ok(me, "calendar", "remove_event_attendee", event_id=event, email=email_of(world, other))
    assert world.call(me, "calendar", "remove_event_attendee", event_id=event, email=email_of(world, other))[0] == 404


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"start": "next tuesday"}, "'start'"),
        ({"end": f"{DAY}T09:00"}, "not after the start"),
        ({"recurrence": "weekly", "recurrence_until": "2020-01-01"}, "'recurrence_until'"),
        ({"attendee_emails": ["nobody@nowhere.org"]}, "'attendee_emails[0]'"),
        ({"recurrence": "hourly"}, "'recurrence'"),
        ({"calendar_id": 999_999}, "No calendar"),
    ],
)
def test_bad_events_are_refused_naming_the_problem(world: World, kwargs: dict, needle: str) -> None:
    status, body = world.call(
        busy_person(world), "calendar", "create_event", **{"title": "x", "start": f"{DAY}T10:00", **kwargs}
    )
    assert status in (404, 422) and needle in body["message"], body
    assert world.changes() == []


def test_times_all_day_and_rescheduling(world: World) -> None:
    me = busy_person(world)
    trip = new_event(world, me, start="2026-09-20", end="2026-09-22", all_day=True)
    assert world.conn.execute("SELECT start, end FROM calendar_events WHERE id = ?", (trip,)).fetchone() == (
        "2026-09-20T00:00:00",
        "2026-09-23T00:00:00",
    )
    event = new_event(world, me, end=None)  # the default length from settings
    length = world.value("SELECT default_duration_minutes FROM calendar_settings WHERE person_id = ?", me)
    moved = world.ok(me, "calendar", "reschedule_event", event_id=event, start=f"{DAY}T16:00")
    assert moved["end"] == f"{DAY}T{16 + length // 60:02d}:{length % 60:02d}:00"
    calendars = world.all_pages(me, "calendar", "show_calendars", ownership="mine")
    other = next(c["calendar_id"] for c in calendars if not c["is_primary"])
    world.ok(me, "calendar", "move_event_to_calendar", event_id=event, calendar_id=other)
    assert world.call(me, "calendar", "move_event_to_calendar", event_id=event, calendar_id=other)[0] == 409
    guest = coworkers(world, me, 1)[0]
    world.ok(me, "calendar", "add_event_attendees", event_id=event, emails=[email_of(world, guest)])
    copy = world.ok(me, "calendar", "duplicate_event", event_id=event, start="2026-09-30T08:00", copy_attendees=True)
    assert world.ok(me, "calendar", "show_event", event_id=copy["event_id"])["attendees"][0]["email"] == email_of(
        world, guest
    )


def test_repeating_events_and_single_cancelled_occurrences(world: World) -> None:
    me = busy_person(world)
    event = new_event(world, me, title="Choir", recurrence="weekly", recurrence_until="2026-10-31")
    occurrences = world.all_pages(
        me, "calendar", "show_occurrences", event_id=event, date_from=DAY, date_to="2026-12-31"
    )
    assert [o["start"][:10] for o in occurrences] == [
        "2026-09-15",
        "2026-09-22",
        "2026-09-29",
        "2026-10-06",
        "2026-10-13",
        "2026-10-20",
        "2026-10-27",
    ]
    world.ok(me, "calendar", "cancel_occurrence", event_id=event, date="2026-09-22")
    assert world.call(me, "calendar", "cancel_occurrence", event_id=event, date="2026-09-22")[0] == 409
    status, body = world.call(me, "calendar", "cancel_occurrence", event_id=event, date="2026-09-23")
    assert status == 422 and "no occurrence" in body["message"]
    agenda = world.all_pages(me, "calendar", "show_agenda", date_from=DAY, date_to="2026-10-05")
    assert [a["start"][:10] for a in agenda if a["event_id"] == event] == ["2026-09-15", "2026-09-29"]
    world.ok(me, "calendar", "restore_occurrence", event_id=event, date="2026-09-22")
    world.ok(me, "calendar", "set_event_recurrence", event_id=event, recurrence="monthly")
    monthly = world.all_pages(me, "calendar", "show_occurrences", event_id=event, date_from=DAY, date_to="2027-01-31")
    assert [o["start"][:10] for o in monthly] == ["2026-09-15", "2026-10-15", "2026-11-15", "2026-12-15", "2027-01-15"]
    rent = new_event(world, me, title="Rent", start="2023-01-31", end=None, all_day=True, recurrence="monthly")
    later = world.all_pages(
        me, "calendar", "show_occurrences", event_id=rent, date_from="2026-02-01", date_to="2026-03-31"
    )
    assert [o["start"] for o in later] == ["2026-02-28T00:00:00", "2026-03-31T00:00:00"]
    single = new_event(world, me, start=f"{DAY}T18:00", end=f"{DAY}T19:00")
    assert world.call(me, "calendar", "cancel_occurrence", event_id=single, date=DAY)[0] == 409


def test_cancel_restore_delete_and_status_filter(world: World) -> None:
    me = busy_person(world)
    event = new_event(world, me, title="Zebra tasting")
    world.ok(me, "calendar", "cancel_event", event_id=event)
    assert world.call(me, "calendar", "cancel_event", event_id=event)[0] == 409
    assert not world.all_pages(me, "calendar", "show_events", query="zebra")
    assert [
        e["event_id"] for e in world.all_pages(me, "calendar", "show_events", query="zebra", status="cancelled")
    ] == [event]
    assert all(
        a["event_id"] != event for a in world.all_pages(me, "calendar", "show_agenda", date_from=DAY, date_to=DAY)
    )
    world.ok(me, "calendar", "restore_event", event_id=event)
    assert world.call(me, "calendar", "restore_event", event_id=event)[0] == 409
    world.ok(me, "calendar", "delete_event", event_id=event)
    assert world.call(me, "calendar", "show_event", event_id=event)[0] == 404


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        ({"query": "sync"}, lambda e: "sync" in (e["title"] + e["description"] + e["location"]).lower()),
        ({"location": "zoom"}, lambda e: "zoom" in e["location"].lower()),
        ({"role": "invited"}, lambda e: e["my_response"] not in (None, "organizer")),
        ({"role": "organizer"}, lambda e: e["my_response"] == "organizer"),
        ({"date_from": "2026-05-01", "date_to": "2026-05-31"}, lambda e: e["start"] < "2026-06-01"),
    ],
)
def test_event_search_filters(world: World, filters: dict, check: object) -> None:
    me = busy_person(world)
    found = world.all_pages(me, "calendar", "show_events", **filters)
    assert found and all(check(e) for e in found)  # type: ignore[operator]
    assert [e["start"] for e in found] == sorted(e["start"] for e in found)
    assert len(found) < len(world.all_pages(me, "calendar", "show_events"))


def test_search_by_attendee_matches_the_database(world: World) -> None:
    me = busy_person(world)
    guest = coworkers(world, me, 1)[0]
    found = {
        e["event_id"] for e in world.all_pages(me, "calendar", "show_events", attendee_email=email_of(world, guest))
    }
    visible = {e["event_id"] for e in world.all_pages(me, "calendar", "show_events")}
    involving = {
        r[0]
        for r in world.conn.execute(
            "SELECT id FROM calendar_events WHERE organizer_id = ? AND status = 'confirmed' UNION "
            "SELECT a.event_id FROM calendar_attendees a JOIN calendar_events e ON e.id = a.event_id "
            "WHERE a.person_id = ? AND e.status = 'confirmed'",
            (guest, guest),
        )
    }
    assert found and found == visible & involving


def test_free_busy_and_free_slots(world: World) -> None:
    me = busy_person(world)
    guest = coworkers(world, me, 1)[0]
    event = new_event(world, me, attendee_emails=[email_of(world, guest)])
    mine = world.all_pages(me, "calendar", "show_busy_times", email=email_of(world, me), date_from=DAY, date_to=DAY)
    assert any(b["start"] <= f"{DAY}T10:00:00" and b["end"] >= f"{DAY}T11:00:00" for b in mine)

    def guest_busy_at_ten() -> bool:
        blocks = world.all_pages(
            me, "calendar", "show_busy_times", email=email_of(world, guest), date_from=DAY, date_to=DAY
        )
        return any(b["start"] <= f"{DAY}T10:00:00" and b["end"] >= f"{DAY}T11:00:00" for b in blocks)

    busy_before = guest_busy_at_ten()  # a pending invitation does not make them busy
    world.ok(guest, "calendar", "respond_to_invitation", event_id=event, response="accepted")
    assert guest_busy_at_ten() and not busy_before
    slots = world.ok(
        me,
        "calendar",
        "find_free_slots",
        date=DAY,
        duration_minutes=30,
        attendee_emails=[email_of(world, guest)],
        day_start="08:00",
        day_end="18:00",
    )
    assert slots and all(s["minutes"] >= 30 for s in slots)
    assert not any(s["start"] < f"{DAY}T11:00:00" and s["end"] > f"{DAY}T10:00:00" for s in slots)
    status, body = world.call(
        me, "calendar", "show_busy_times", email=email_of(world, me), date_from=DAY, date_to="2026-12-31"
    )
    assert status == 422 and "31 days" in body["message"]


def test_birthdays_of_the_people_i_know(world: World) -> None:
    me = busy_person(world)
    everyone = world.all_pages(me, "calendar", "show_birthdays")
    assert len(everyone) == world.value("SELECT COUNT(*) FROM relations WHERE person_id = ?", me)
    assert [b["next_birthday"] for b in everyone] == sorted(b["next_birthday"] for b in everyone)
    soon = world.all_pages(me, "calendar", "show_birthdays", within_days=60)
    assert soon == [b for b in everyone if b["next_birthday"] <= "2026-07-17"]
    march = world.all_pages(me, "calendar", "show_birthdays", month=3)
    assert all(b["birthday"][5:7] == "03" for b in march)
    one = everyone[0]
    assert one["turns"] == int(one["next_birthday"][:4]) - int(one["birthday"][:4])


def test_reminders_and_notes_belong_to_their_author(world: World) -> None:
    me = busy_person(world)
    guest = coworkers(world, me, 1)[0]
    soon = new_event(
        world, me, start="2026-05-18T13:00", end="2026-05-18T14:00", attendee_emails=[email_of(world, guest)]
    )
    reminder = world.ok(me, "calendar", "add_event_reminder", event_id=soon, minutes_before=45)["reminder_id"]
    assert world.call(me, "calendar", "add_event_reminder", event_id=soon, minutes_before=45)[0] == 409
    upcoming = world.all_pages(me, "calendar", "show_upcoming_reminders", hours=3)
    assert {"reminder_id": reminder, "remind_at": "2026-05-18T12:15:00"}.items() <= next(
        u for u in upcoming if u["reminder_id"] == reminder
    ).items()
    assert world.call(guest, "calendar", "delete_event_reminder", reminder_id=reminder)[0] == 404
    note = world.ok(guest, "calendar", "add_event_note", event_id=soon, text="I'll bring snacks")["note_id"]
    assert [n["text"] for n in world.all_pages(me, "calendar", "show_event_notes", event_id=soon)] == [
        "I'll bring snacks"
    ]
    assert world.call(me, "calendar", "update_event_note", note_id=note, text="no")[0] == 404
    world.ok(guest, "calendar", "update_event_note", note_id=note, text="Snacks and drinks")
    assert world.value("SELECT text FROM calendar_notes WHERE id = ?", note) == "Snacks and drinks"
    world.ok(guest, "calendar", "delete_event_note", note_id=note)
    world.ok(me, "calendar", "delete_event_reminder", reminder_id=reminder)
    assert world.value("SELECT COUNT(*) FROM calendar_notes WHERE id = ?", note) == 0


def test_conflicts_summary_and_export(world: World) -> None:
    me = busy_person(world)
    cal = world.ok(me, "calendar", "create_calendar", name="Side project")["calendar_id"]
    first = new_event(world, me, calendar_id=cal, start=f"{DAY}T10:00", end=f"{DAY}T12:00")
    second = new_event(world, me, calendar_id=cal, title="Overlap", start=f"{DAY}T11:00", end=f"{DAY}T11:30")
    pairs = world.all_pages(me, "calendar", "show_conflicts", date_from=DAY, date_to=DAY)
    assert {(p["first"]["event_id"], p["second"]["event_id"]) for p in pairs} >= {(first, second)}
    summary = world.all_pages(me, "calendar", "show_time_summary", date_from=DAY, date_to=DAY)
    assert {"calendar_id": cal, "event_count": 2, "hours": 2.5}.items() <= next(
        s for s in summary if s["calendar_id"] == cal
    ).items()
    world.ok(me, "calendar", "set_event_recurrence", event_id=second, recurrence="daily", recurrence_until="2026-09-20")
    export = world.ok(me, "calendar", "export_calendar", calendar_id=cal)
    assert export["file_name"] == "side_project.ics" and export["event_count"] == 2
    assert "SUMMARY:Overlap" in export["content"] and "RRULE:FREQ=DAILY;UNTIL=20260920" in export["content"]


def test_settings_drive_defaults(world: World) -> None:
    me = busy_person(world)
    world.ok(
        me, "calendar", "update_settings", work_day_start="07:00", work_day_end="08:00", default_duration_minutes=45
    )
    settings = world.ok(me, "calendar", "show_settings")
    assert (settings["work_day_start"], settings["work_day_end"], settings["default_duration_minutes"]) == (
        "07:00",
        "08:00",
        45,
    )
    slots = world.ok(me, "calendar", "find_free_slots", date="2026-09-19", duration_minutes=30)
    assert slots and all("2026-09-19T07:00:00" <= s["start"] and s["end"] <= "2026-09-19T08:00:00" for s in slots)
    status, body = world.call(me, "calendar", "update_settings", work_day_end="06:00")
    assert status == 422 and "work_day_end" in body["message"]
