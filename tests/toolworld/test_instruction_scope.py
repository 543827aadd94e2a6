"""A template's instruction must state which items count wherever the world holds an item a careful agent could
count the other way: the graders then reward the reading the instruction gives, not a guess. Each case is a
variant whose world holds such an item (checked here, so the sentence is needed) and the sentence that settles it.
Reviews of the deepened mail/work and CALENDAR_B templates found these cases."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from envs.toolworld.env import ToolWorldEnv
from envs.toolworld.evaluate import Answer, Inserted
from envs.toolworld.scenarios._calendar import MIDNIGHT, calendar_events, spans
from envs.toolworld.scenarios.calendar_conflicts import double_booked
from envs.toolworld.scenarios.calendar_invitations import WINDOW_DAYS, _pending
from envs.toolworld.scenarios.life_bills import bills
from envs.toolworld.tasks import load_task, world_view

# (task, SQL counting the items that would count under the other reading (owner as ?), what the instruction says)
SCOPES = [
    # an unanswered invoice in the trash (Bram Moreau's 'Invoice 2764'): paying it too adds a payment, a reply and
    # $-amount to the answer the graders reject
    (
        "email_invoice_total_1",
        "SELECT COUNT(*) FROM email_messages m JOIN email_threads t ON t.id = m.thread_id WHERE m.owner_id = ? "
        "AND m.sender_id != m.owner_id AND t.subject LIKE 'Invoice %' AND (t.is_trashed = 1 OR t.is_spam = 1) "
        "AND NOT EXISTS (SELECT 1 FROM email_messages o WHERE o.thread_id = t.id AND o.sender_id = t.owner_id)",
        "leave out any in my spam or trash",
    ),
    # a trashed 'Paying you back' ask ($131.13): counting it changes that person's sum and the answer
    (
        "mail_pay_back_if_over_2",
        "SELECT COUNT(*) FROM email_messages m JOIN email_threads t ON t.id = m.thread_id WHERE m.owner_id = ? "
        "AND m.sender_id != m.owner_id AND t.subject = 'Paying you back' AND m.body LIKE 'I paid $%' "
        "AND (t.is_trashed = 1 OR t.is_spam = 1)",
        "leave out those in my spam or trash",
    ),
    # a trashed attachment from the sender (Xavi Varga's quarterly_report_q2_2024.txt): saving it too adds a file
    # in /documents the graders reject (reward 0)
    (
        "email_save_attachment_to_file_2",
        "SELECT COUNT(*) FROM email_messages m JOIN email_threads t ON t.id = m.thread_id JOIN email_attachments a "
        "ON a.message_id = m.id JOIN people p ON p.id = m.sender_id WHERE m.owner_id = ? AND p.first_name = 'Xavi' "
        "AND p.last_name = 'Varga' AND (t.is_trashed = 1 OR t.is_spam = 1)",
        "leave out any email in my spam or trash",
    ),
    # an invoice received in the spam (invoice_2771.txt) while the instruction named only the trash: saving it too
    # adds a file the graders reject (reward 0) and $-amount to the answer
    (
        "email_collect_invoices_7",
        "SELECT COUNT(*) FROM email_messages m JOIN email_threads t ON t.id = m.thread_id JOIN email_attachments a "
        "ON a.message_id = m.id WHERE m.owner_id = ? AND m.sender_id != m.owner_id AND a.file_name LIKE 'invoice_%' "
        "AND t.is_spam = 1",
        "Ignore my spam and trash.",
    ),
    # a thread with Jude Delacroix in the spam (thread 3181, unstarred) while the instruction named only the trash:
    # starring it too is a change the graders reject (reward 0)
    (
        "email_star_threads_with_2",
        "SELECT COUNT(DISTINCT t.id) FROM email_threads t JOIN email_messages m ON m.thread_id = t.id JOIN people p "
        "ON p.first_name = 'Jude' AND p.last_name = 'Delacroix' WHERE t.owner_id = ? AND t.is_spam = 1 "
        "AND t.is_starred = 0 AND (m.sender_id = p.id OR m.recipients LIKE '%' || p.email || '%')",
        "(outside my spam and trash)",
    ),
    # my payments default is private (variant 4): a share paid as public, as a reader of 'pay it' might send it, is
    # a payment the graders reject (reward 0)
    (
        "email_pay_back_share_4",
        "SELECT default_private FROM payments_settings WHERE person_id = ?",
        "with my default privacy",
    ),
    # trashed 'Meeting notes August 2025' and 'Meeting notes December 2025' threads: filing them too adds a line to
    # the August file, a December file, labels and archivings the graders reject
    (
        "work_file_meeting_notes_0",
        "SELECT COUNT(*) FROM email_threads WHERE owner_id = ? AND subject LIKE 'Meeting notes % 2025' "
        "AND (is_trashed = 1 OR is_spam = 1)",
        "leave out any in my spam or trash",
    ),
    # a contact whose only March call is an outgoing one of 0 seconds: read as not 'actually talked to', the
    # report leaves out 1 of the 4 lines the graders want
    (
        "scheduling_call_log_report_0",
        "SELECT COUNT(*) FROM phone_calls c JOIN phone_contacts k ON k.owner_id = c.owner_id "
        "AND k.phone_number = c.phone_number WHERE c.owner_id = ? AND c.direction = 'outgoing' "
        "AND c.duration_seconds = 0 AND c.started_at >= '2026-03-01' AND c.started_at < '2026-04-01'",
        "even an outgoing one of 0 seconds nobody answered",
    ),
    *(
        # an item checked on one note of the title and unchecked on another: 'done' by the first reading, a to-do
        # by the graders
        (
            f"work_note_to_project_{v}",
            "SELECT COUNT(DISTINCT a.text) FROM notes_checklist_items a JOIN notes_notes n ON n.id = a.note_id "
            "JOIN notes_notes m ON m.owner_id = n.owner_id AND m.title = n.title AND m.trashed_at IS NULL "
            "JOIN notes_checklist_items b ON b.note_id = m.id AND b.text = a.text AND b.checked = 1 "
            "WHERE n.owner_id = ? AND n.title = ? AND n.trashed_at IS NULL AND a.checked = 0",
            "an item unchecked in one of them counts even when another of them has it checked",
        )
        for v in (0, 1, 2)
    ),
    # friends I talked to on the phone since 2026-04-01 get no text but do join the chat; "with all of them" after
    # the exception read as "all I texted" leaves them out, a chat the graders reject
    (
        "phone_text_all_of_kind_0",
        "SELECT COUNT(*) FROM phone_contacts c WHERE c.owner_id = ? AND c.relationship = 'friend' AND EXISTS ("
        "SELECT 1 FROM phone_calls k WHERE k.owner_id = c.owner_id AND k.phone_number = c.phone_number "
        "AND k.started_at >= '2026-04-01' AND k.duration_seconds > 0)",
        "with every friend in my phone contacts, those I did not text included",
    ),
    *(
        # pending requests I sent (8 for $531.12 in variant 0): 'all my pending requests' read as those, or as both
        # directions, gives an answer the grader rejects
        (
            f"life_big_requests_todo_{v}",
            "SELECT COUNT(*) FROM payments_requests WHERE requester_id = ? AND status = 'pending'",
            "all the pending requests people asked of me add up to, of any amount (not the ones I sent)",
        )
        for v in (0, 1, 2)
    ),
    # round 5 (e): a friend who shares a group with me but never paid an expense there; reading "paid" as "shares
    # a group" gives them the wrong text
    (
        "bill_splitting_group_from_contacts_0",
        "SELECT COUNT(*) FROM (SELECT ? AS o) x JOIN phone_contacts c ON c.owner_id = x.o AND c.relationship = "
        "'friend' JOIN people p ON p.email = c.email WHERE EXISTS (SELECT 1 FROM bill_splitting_members a JOIN "
        "bill_splitting_members b ON b.group_id = a.group_id WHERE a.person_id = x.o AND b.person_id = p.id) AND NOT "
        "EXISTS (SELECT 1 FROM bill_splitting_expenses e JOIN bill_splitting_members m ON m.group_id = e.group_id "
        "WHERE m.person_id = x.o AND e.paid_by = p.id)",
        "a friend who has paid for at least one expense in any of my other bill splitting groups",
    ),
    # pending requests to me from people not on the dinner list: paying every pending request pays them too
    (
        "file_system_pay_dinner_split_0",
        "SELECT COUNT(*) FROM (SELECT ? AS o) x JOIN payments_requests r ON r.payer_id = x.o AND r.status = "
        "'pending' JOIN people p ON p.id = r.requester_id WHERE instr((SELECT content FROM file_system_files WHERE "
        "owner_id = x.o AND path = '/documents/dinner_split.txt'), p.first_name || ' ' || p.last_name || ':') = 0",
        "requests from anyone else stay as they are",
    ),
    # an old address of someone whose phone contact has none of their addresses: deleting every old-looking address
    # deletes it too
    *(
        (
            f"contacts_remove_stale_duplicates_{v}",
            "SELECT COUNT(*) FROM (SELECT ? AS o) x JOIN email_contacts e ON e.owner_id = x.o WHERE e.email LIKE "
            "'%@oldmail.com' AND NOT EXISTS (SELECT 1 FROM email_contacts d JOIN phone_contacts c ON c.owner_id = x.o "
            "AND c.first_name || ' ' || c.last_name = d.name AND lower(c.email) = lower(d.email) WHERE d.owner_id = "
            "x.o AND d.name = e.name AND d.id != e.id)",
            "where no entry of a name has its phone contact's address, leave them all",
        )
        for v in (1, 2)  # variant 0's old addresses are all of people in my phone
    ),
]

ROUND5_C = [
    # an ended '1:1 with Theo' series and the one that replaced it: counted as one, the two notes are wrong
    (
        "calendar_standup_tally_note_0",
        "SELECT COUNT(*) FROM (SELECT title FROM calendar_events WHERE organizer_id = ? AND recurrence = 'weekly' "
        "AND status = 'confirmed' AND COALESCE(recurrence_until, '9') >= '2025-05-18' GROUP BY title "
        "HAVING COUNT(*) > 1)",
        "a series that ended and one that replaced it under the same title are two series, each counted on its own",
    ),
    # coworkers who declined my upcoming meetings: leaving them out too invites fewer than the graders want
    (
        "calendar_invite_free_coworkers_0",
        "SELECT COUNT(*) FROM calendar_events e JOIN calendar_attendees a ON a.event_id = e.id "
        "WHERE e.organizer_id = ? AND e.status = 'confirmed' AND e.recurrence = 'none' AND a.response = 'declined' "
        "AND e.start >= '2026-05-18'",
        "that started from 2026-04-18 to 2026-05-17",
    ),
    # a coworker who declined my repeating meeting: not one of the meetings that count
    (
        "calendar_invite_free_coworkers_2",
        "SELECT COUNT(*) FROM calendar_events e JOIN calendar_attendees a ON a.event_id = e.id "
        "WHERE e.organizer_id = ? AND e.recurrence != 'none' AND a.response = 'declined'",
        "any one-off (not repeating) meeting",
    ),
]
SCOPES += ROUND5_C
ROUND5_G = [
    # Faye Okafor's only call after her latest missed call is an outgoing one of 0 seconds: read as not having
    # talked since, she gets the sorry text the graders reject
    (
        "scheduling_missed_call_texts_2",
        "SELECT COUNT(*) FROM phone_calls m JOIN phone_calls c ON c.owner_id = m.owner_id "
        "AND c.phone_number = m.phone_number AND c.direction = 'outgoing' AND c.duration_seconds = 0 "
        "AND c.started_at > m.started_at WHERE m.owner_id = ? AND m.direction = 'missed' "
        "AND m.started_at >= '2026-02-17' AND NOT EXISTS (SELECT 1 FROM phone_calls d WHERE d.owner_id = m.owner_id "
        "AND d.phone_number = m.phone_number AND d.started_at > m.started_at "
        "AND (d.direction = 'missed' OR d.duration_seconds > 0))",
        "had a call with (incoming or outgoing, even of 0 seconds)",
    ),
]
SCOPES += ROUND5_G

ROUND5_F = [
    # a family member whose latest call in my log was missed (Sana's, 0 seconds): its day is not when we talked
    (
        "notes_family_numbers_0",
        "SELECT COUNT(*) FROM phone_contacts c WHERE c.owner_id = ? AND c.relationship = 'family' AND (SELECT "
        "k.duration_seconds FROM phone_calls k WHERE k.owner_id = c.owner_id AND k.phone_number = c.phone_number "
        "ORDER BY k.started_at DESC LIMIT 1) = 0",
        "missed or unanswered calls do not count",
    ),
    # contacts with a birthday soon whose only calls since the date were missed: they get a call, not a text
    (
        "contacts_birthday_week_todos_0",
        "SELECT COUNT(*) FROM phone_contacts c WHERE c.owner_id = ? AND substr(c.birthday, 6) BETWEEN '05-18' "
        "AND '07-17' AND EXISTS (SELECT 1 FROM phone_calls k WHERE k.owner_id = c.owner_id AND k.phone_number = "
        "c.phone_number AND k.started_at >= '2026-03-18') AND NOT EXISTS (SELECT 1 FROM phone_calls k WHERE "
        "k.owner_id = c.owner_id AND k.phone_number = c.phone_number AND k.started_at >= '2026-03-18' "
        "AND k.duration_seconds > 0)",
        "missed or unanswered calls do not count",
    ),
    # an appointment soon that has its day-before email reminder already: adding it again is refused
    (
        "calendar_appointment_prep_todo_2",
        "SELECT COUNT(*) FROM calendar_events e JOIN calendar_reminders r ON r.event_id = e.id AND r.person_id = "
        "e.organizer_id WHERE e.organizer_id = ? AND e.title IN ('Dentist appointment', 'Doctor checkup', "
        "'Car service') AND e.start > '2026-05-18T10:30' AND e.start <= '2026-07-17T23:59' "
        "AND r.minutes_before = 1440 AND r.method = 'email'",
        "unless it has one already",
    ),
]
SCOPES += ROUND5_F


ROUND5_H = [
    # quarterly reports I sent myself: leaving them out misses files, summary lines and a count the graders want
    *(
        (
            f"mail_file_quarterly_reports_{v}",
            "SELECT COUNT(*) FROM email_messages m JOIN email_threads t ON t.id = m.thread_id JOIN email_attachments "
            "a ON a.message_id = m.id WHERE m.owner_id = ? AND m.sender_id = m.owner_id AND t.is_trashed = 0 "
            "AND t.is_spam = 0 AND a.file_name LIKE 'quarterly_report_q%'",
            "those I received and those I sent",
        )
        for v in (0, 1, 2)
    ),
]
SCOPES += ROUND5_H

REVIEW_3 = [
    # names saved twice with their birthday (variant 0: Yuri Farrow): counted once, as the to-dos are, the answer
    # is 11 where the graders want the 12 entries (reward 0 on variants 0-2)
    *(
        (
            f"contacts_birthday_week_todos_{v}",
            "SELECT COUNT(*) FROM (SELECT first_name, last_name FROM phone_contacts WHERE owner_id = ? "
            "AND birthday != '' GROUP BY first_name, last_name HAVING COUNT(*) > 1)",
            "a name saved twice counts twice",
        )
        for v in (0, 1, 2)
    ),
]
SCOPES += REVIEW_3


REVIEW_1 = [
    # two unread emails in muted threads (not in the app's inbox folder, not archived): listing and marking them
    # read too, as a reader told only to leave archived threads and the trash might, fails the graders (reward 0)
    (
        "email_mark_inbox_read_0",
        "SELECT COUNT(*) FROM email_messages m JOIN email_threads t ON t.id = m.thread_id WHERE t.owner_id = ? "
        "AND m.is_read = 0 AND t.is_muted = 1 AND t.is_archived = 0 AND t.is_trashed = 0 AND t.is_spam = 0",
        "Muted threads are not in my inbox",
    ),
    # the Home calendar is someone else's, shared with me: a reader of "everyone else who shares that calendar" as
    # its share list leaves its owner untexted and out of the answer (reward 0)
    *(
        (
            f"calendar_call_house_meeting_{v}",
            "SELECT COUNT(*) FROM calendar_shares s JOIN calendar_calendars c ON c.id = s.calendar_id "
            "WHERE s.person_id = ? AND c.name = 'Home' AND c.owner_id != s.person_id",
            "its owner and everyone it is shared with, me aside",
        )
        for v in (0, 2)  # variant 1's me owns the calendar
    ),
    # 'Update address with the bank': the helper's latest comment is 'Started on it.', someone else's 'I can take
    # this one.' came after it; read as "the task's latest comment, if theirs", it is taken over (reward 0)
    (
        "household_take_over_overdue_chores_2",
        "SELECT COUNT(*) FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE p.owner_id = ? "
        "AND p.archived = 0 AND t.completed = 0 AND t.due_date < '2026-05-18' AND (SELECT c.text FROM todo_comments c "
        "WHERE c.task_id = t.id AND c.owner_id = t.assignee_id ORDER BY c.id DESC LIMIT 1) IN ('Started on it.', "
        "'Almost there.') AND EXISTS (SELECT 1 FROM todo_comments o WHERE o.task_id = t.id AND o.owner_id != "
        "t.assignee_id AND o.id > (SELECT MAX(c.id) FROM todo_comments c WHERE c.task_id = t.id "
        "AND c.owner_id = t.assignee_id))",
        "(whatever others wrote after it)",
    ),
]
SCOPES += REVIEW_1


REVIEW_2 = [
    # one friend talked to besides the sender (Cleo Castillo): the grammatical 'to 1 friend.' in the thanks is
    # not the dictated text and fails the graders (reward 0)
    (
        "email_forward_attachment_to_contact_2",
        "SELECT (SELECT COUNT(DISTINCT c.phone_number) FROM phone_contacts c WHERE c.owner_id = ? "
        "AND c.relationship = 'friend' AND c.first_name || ' ' || c.last_name != 'Dax Whitlock' AND EXISTS (SELECT 1 "
        "FROM phone_calls k WHERE k.owner_id = c.owner_id AND k.phone_number = c.phone_number "
        "AND k.started_at >= '2026-04-01' AND k.duration_seconds > 0)) = 1",
        "(the word stays 'friends' even for 1)",
    ),
    # an unanswered request in the trash (Faye Okafor's of 2026-01-13): tasking, blocking and answering it too
    # adds a task, an event and an email the graders reject, and 3 for the answer (reward 0)
    (
        "mail_code_review_tasks_1",
        "SELECT COUNT(*) FROM email_messages m JOIN email_threads t ON t.id = m.thread_id WHERE m.owner_id = ? "
        "AND m.sender_id != m.owner_id AND t.subject = 'Code review' AND m.body LIKE 'Could you review%' "
        "AND (t.is_trashed = 1 OR t.is_spam = 1) AND NOT EXISTS (SELECT 1 FROM email_messages o "
        "WHERE o.thread_id = t.id AND o.sender_id = t.owner_id)",
        "leave out any in my spam or trash",
    ),
    # others' overdue tasks in projects others shared with me (3): commenting them too (search_tasks'
    # include_shared) adds comments and raises text counts the graders reject (reward 0)
    (
        "household_nudge_late_chores_2",
        "SELECT COUNT(*) FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id JOIN todo_collaborators c "
        "ON c.project_id = p.id AND c.person_id = ? WHERE p.owner_id != c.person_id AND p.archived = 0 "
        "AND t.completed = 0 AND t.assignee_id IS NOT NULL AND t.assignee_id != c.person_id "
        "AND t.due_date < '2026-05-18'",
        "(not ones others shared with me)",
    ),
    # contacts whose order by last name is not their order by the name as written (Yuri Farrow before Quin Ueda by
    # last name): a report sorted by last name fails the graders' InOrder (reward 0, variants 0-2)
    (
        "scheduling_call_log_report_0",
        "SELECT COUNT(*) FROM phone_contacts a JOIN phone_contacts b ON b.owner_id = a.owner_id "
        "WHERE a.owner_id = ? AND a.first_name || ' ' || a.last_name < b.first_name || ' ' || b.last_name "
        "AND a.last_name > b.last_name AND a.phone_number IN (SELECT phone_number FROM phone_calls k "
        "WHERE k.owner_id = a.owner_id AND k.direction != 'missed' AND k.started_at LIKE '2026-03%') "
        "AND b.phone_number IN (SELECT phone_number FROM phone_calls k WHERE k.owner_id = b.owner_id "
        "AND k.direction != 'missed' AND k.started_at LIKE '2026-03%')",
        "sorted alphabetically by the name as written (first name first)",
    ),
    # a quarter whose total sent is over $1000 ($2252.15): 'Total: $2,252.15', money written with a thousands
    # separator, fails the graders (reward 0)
    (
        "money_notes_payments_log_1",
        "SELECT SUM(amount) >= 1000 FROM payments_transactions WHERE sender_id = ? "
        "AND created_at BETWEEN '2025-07-01' AND '2025-09-30T23:59:59'",
        "(two decimals, no thousands separator)",
    ),
]
SCOPES += REVIEW_2


@pytest.mark.parametrize(("task_id", "other_reading", "stated"), SCOPES)
def test_the_instruction_settles_an_item_the_world_holds(task_id: str, other_reading: str, stated: str) -> None:
    spec = load_task(task_id).spec
    args: list[object] = [spec.supervisor_id]
    if other_reading.count("?") == 2:  # the notes' title, as the instruction quotes it
        args.append(spec.instruction.split("titled '")[1].split("'")[0])
    assert world_view(0).value(other_reading, *args) >= 1, "the world no longer holds the item read the other way"
    assert stated in spec.instruction


@pytest.mark.parametrize("variant", [0, 1, 2])
def test_leaving_out_items_checked_elsewhere_fails_work_note_to_project(env: ToolWorldEnv, variant: int) -> None:
    """The other reading played: an item some note has checked is taken as done. The graders reject it, so the
    instruction must rule it out (see SCOPES)."""
    env.reset(options={"task_id": f"work_note_to_project_{variant}"})
    kept = "if not item['checked'] and item['text'] not in texts:"
    done_somewhere = (
        "if not item['checked'] and item['text'] not in texts and not any(i['text'] == item['text'] and "
        "i['checked'] for c in lists.values() for i in c):"
    )
    actions = env.oracle_actions()
    assert sum(kept in a for a in actions) == 1, "the oracle no longer gathers the items this way"
    for action in actions:
        obs, reward, terminated, truncated, info = env.step(action.replace(kept, done_somewhere))
    assert terminated and reward == 0.0 and not info["success"]


def test_double_booked_answer_kinds_are_named() -> None:
    """The answer lists every overlap not handled (two invitations, two own events, a tentative one, ...), not only
    the clashes with my events no one joined, which the instruction's old parenthesis named as if they were all."""
    task = load_task("calendar_double_booked_tentative_0")
    others, _, alone = double_booked(world_view(0), task.spec.supervisor_id)
    assert len(others) > len(alone)  # the narrow reading answers fewer days
    for kind in ("two invitations", "two events of mine", "already answered tentative", "invitation you changed"):
        assert kind in task.spec.instruction, kind


def test_meeting_reminders_leave_cancelled_meetings_out() -> None:
    """Variant 10's week holds a cancelled one-off 'Hiring committee' with a place and two accepted guests; the
    graders count confirmed meetings only, so the instruction must say cancelled ones are out."""
    task = load_task("contacts_text_meeting_attendees_10")
    view = world_view(0)
    week = task.spec.instruction.split("week from ")[1][:10]
    cancelled = view.rows(
        "SELECT e.id FROM calendar_events e WHERE e.organizer_id = ? AND e.status = 'cancelled' "
        "AND e.recurrence = 'none' AND e.location != '' AND e.start >= ? AND e.start < date(?, '+7 days') "
        "AND EXISTS (SELECT 1 FROM calendar_attendees a WHERE a.event_id = e.id AND a.response = 'accepted')",
        task.spec.supervisor_id,
        week,
        week,
    )
    assert cancelled  # the case the wording has to settle
    assert "cancelled" in task.spec.instruction


def test_dinner_requests_count_each_event_on_a_shared_day() -> None:
    """Variant 2's 2026-02-11 holds two overlapping 'Drinks with Emil' events, and the graders ask Emil twice (one
    request per event); read as one evening entered twice, an agent asked once and answered $18.25 short, so the
    instruction must say each event counts."""
    task = load_task("calendar_dinner_requests_2")
    twice = [e.requirement for e in task.spec.expectations if e.requirement.endswith("(2 evenings)")]
    assert twice  # the case the wording has to settle
    assert "each calendar event counts as one evening" in task.spec.instruction


def test_paid_requests_thanks_asks_no_reminders_the_world_never_needs() -> None:
    """Its instruction asked a reminder for each request pending from before 2026-03-18, but no world holds one
    (pending requests start 2026-04-03), so no grader checked it: an agent did reads that decided nothing."""
    assert (
        world_view(0).value(
            "SELECT COUNT(*) FROM payments_requests WHERE status = 'pending' AND created_at < ?", "2026-03-18"
        )
        == 0
    )
    for variant in (0, 1, 2):
        assert "reminder" not in load_task(f"life_paid_requests_thanks_{variant}").spec.instruction


def test_bills_kind_history_says_amounts_have_two_decimals() -> None:
    """Its notes' lines are graded as '$40.50', but a bill whose cents end in 0 printed as read from a float gives
    '$40.5': the instruction must say two decimals wherever the bills hold such an amount."""
    for variant in (0, 1, 2):
        spec = load_task(f"life_bills_kind_history_{variant}").spec
        kind = spec.instruction.split("Review my ")[1].split(" bills")[0]
        tens = [b for b in bills(world_view(0), spec.supervisor_id) if b["kind"] == kind and b["amount"] * 10 % 1 == 0]
        assert tens, "the world no longer holds a bill whose cents end in 0"
        assert "two decimals" in spec.instruction


def test_trip_chase_debtors_says_the_subject_amount_has_two_decimals() -> None:
    """Variant 1's Tess Bellamy owes $32.50 and gets an app reminder, not a text: her amount is formatted only in
    the email subject, graded as '$32.50', which the instruction did not say ('$32.5' from a float failed)."""
    spec = load_task("life_trip_chase_debtors_1").spec
    assert any("Tess, you owe me $32.50" in repr(e) for e in spec.expectations), "the world changed: pick another"
    assert "you owe me $<amount>' (two decimals)" in spec.instruction


def test_call_report_total_is_rounded_once_from_seconds() -> None:
    """Variant 2's report lines add up to 101 rounded minutes, but the calls' seconds together round to 100, which
    the graders want; "the total minutes of the calls in the report, rounded" let an agent add up the lines, so
    the instruction must say the total is rounded once from the seconds."""
    task = load_task("scheduling_call_log_report_2")
    report = next(e for e in task.spec.expectations if isinstance(e, Inserted) and e.table == "file_system_files")
    lines = report.match["content"].lines
    answer = next(e for e in task.spec.expectations if isinstance(e, Answer))
    assert sum(int(line.split(", ")[1].split()[0]) for line in lines) != answer.expected  # the case to settle
    assert "all their seconds added up, then rounded once" in task.spec.instruction


def test_call_report_keeps_plural_words_for_one() -> None:
    """Variant 0's report has four '1 calls' lines the graders want word for word; an agent writing '1 call' fails
    them all, so the instruction must say the words stay."""
    task = load_task("scheduling_call_log_report_0")
    report = next(e for e in task.spec.expectations if isinstance(e, Inserted) and e.table == "file_system_files")
    assert any(": 1 calls," in line for line in report.match["content"].lines)  # the case to settle
    assert "the words stay 'calls' and 'minutes' even for 1 or 0" in task.spec.instruction


def test_work_clashes_leave_back_to_back_invitations() -> None:
    """Variant 1 (nothing clashes, nothing to do) holds 'Project sync' and 'Interview' invitations that start just
    as a Work event ends: read as clashing, an agent declines two invitations the graders want left alone, so the
    instruction must say back-to-back is no overlap."""
    task = load_task("calendar_decline_work_clashes_1")
    view, person = world_view(0), task.spec.supervisor_id
    high = MIDNIGHT + timedelta(days=WINDOW_DAYS)
    work = [s for e in calendar_events(view, person, "Work", high) for s in spans(view, e, MIDNIGHT, high)]
    touching = [
        i
        for i in _pending(view, person, WINDOW_DAYS)
        if any(w[1] == datetime.fromisoformat(i["start"]) or w[0] == datetime.fromisoformat(i["end"]) for w in work)
    ]
    assert touching  # the case to settle
    assert "one ending just as another starts does not overlap it" in task.spec.instruction


def test_meeting_notes_file_may_end_with_a_newline(env: ToolWorldEnv) -> None:
    """'one per line' files: an agent ending each line with a newline (the last one too) wrote the same notes, yet
    the graders compared the content exactly and failed all its files."""
    env.reset(options={"task_id": "work_file_meeting_notes_0"})
    joined = "content='\\n'.join(body for _, body in sorted(texts))"
    actions = env.oracle_actions()
    assert sum(joined in a for a in actions) == 1, "the oracle no longer writes the files this way"
    for action in actions:
        obs, reward, terminated, truncated, info = env.step(action.replace(joined, joined + " + '\\n'"))
    assert terminated and info["success"], info


# REVIEW_4 (review of round five's deepened templates): cases the review found, each shown failing before its fix
REVIEW_4 = [
    # busy time outside my work day (one-off meetings before its start or after its end): counted within the work
    # day only, another day is the busiest on variants 3 and 10 (reward 0, see the replay below)
    *(
        (
            f"calendar_focus_block_{v}",
            "SELECT COUNT(*) FROM calendar_events e JOIN calendar_settings s ON s.person_id = e.organizer_id "
            "WHERE e.organizer_id = ? AND e.status = 'confirmed' AND e.busy = 1 AND e.recurrence = 'none' "
            "AND e.all_day = 0 AND e.start >= '2026-05-25' AND e.start < '2026-06-27' "
            "AND strftime('%w', e.start) BETWEEN '1' AND '5' "
            "AND (substr(e.start, 12, 5) < s.work_day_start OR substr(e.end, 12, 5) > s.work_day_end)",
            "over the whole day, not only my work day",
        )
        for v in (3, 10)
    ),
]
SCOPES += REVIEW_4


@pytest.mark.parametrize("variant", [0, 1, 2])
def test_quarterly_summaries_may_end_with_a_newline(env: ToolWorldEnv, variant: int) -> None:
    """'one line per saved quarter': an agent ending the last line with a newline wrote the same summary, yet the
    graders compared mail_file_quarterly_reports' summary_<year>.txt exactly (reward 0 on variants 0-2)."""
    env.reset(options={"task_id": f"mail_file_quarterly_reports_{variant}"})
    written = "content=summary)"
    actions = env.oracle_actions()
    assert sum(written in a for a in actions) == 1, "the oracle no longer writes the summaries this way"
    for action in actions:
        obs, reward, terminated, truncated, info = env.step(action.replace(written, "content=summary + '\\n')"))
    assert terminated and info["success"], info


def test_focus_block_busiest_day_counts_the_whole_day(env: ToolWorldEnv) -> None:
    """calendar_focus_block: busy time counted within the work day only (the sentence before names the work day)
    makes another day the busiest on variant 3 (08:30-17:00: 2026-06-19, not 2026-06-05), and every block's
    description and the answer fail; the instruction says the whole day, overlaps counted once."""
    env.reset(options={"task_id": "calendar_focus_block_3"})
    day, late = "d + 'T00:00:00'", "high = low + timedelta(days=1)"
    actions = env.oracle_actions()
    assert sum(day in a for a in actions) == 1 and sum(late in a for a in actions) == 1, "the oracle changed"
    for action in actions:
        work_day = action.replace(day, "d + 'T08:30:00'").replace(
            late, "high = datetime.fromisoformat(d + 'T17:00:00')"
        )
        obs, reward, terminated, truncated, info = env.step(work_day)
    assert terminated and not info["success"], "the work-day reading no longer fails: the sentence may go"
    for variant in (0, 1, 2, 3):
        instruction = load_task(f"calendar_focus_block_{variant}").spec.instruction
        assert "over the whole day, not only my work day, time in overlapping events counted once" in instruction
