"""Templates whose depth is one look per item of a busy subject pick a subject that is busy by a stated minimum, in
every variant: after the denser bill_splitting and shop data moved the shuffled pools, several of them landed on
barely-qualifying subjects (life_trip_paid_file fell from 49.7 to 28.0 API calls, on groups where I paid 4-6
expenses), by chance rather than by design."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from envs.toolworld.apps._phone_calls import call_log
from envs.toolworld.evaluate import Answer, Deleted, Inserted, Updated
from envs.toolworld.scenarios._calendar import day, reader
from envs.toolworld.scenarios.bill_splitting import EXACT_SPLIT_PAID_AT_LEAST, FRIENDS_GROUP_AT_LEAST, SHARES_SINCE
from envs.toolworld.scenarios.calendar_conflicts import MIN_MEETINGS, work_meetings
from envs.toolworld.scenarios.calendar_errands import APPOINTMENTS_AT_LEAST
from envs.toolworld.scenarios.calendar_household import HELD_MEETINGS_AT_LEAST
from envs.toolworld.scenarios.calendar_meetings import MIN_THREADS
from envs.toolworld.scenarios.calendar_time import MIN_SERIES
from envs.toolworld.scenarios.contacts_todo import BIRTHDAYS_AT_LEAST, birthday_people
from envs.toolworld.scenarios.contacts_upkeep import STALE_AT_LEAST
from envs.toolworld.scenarios.email import (
    ANNOUNCE_FRIENDS_AT_LEAST,
    IN_TOUCH_KIND_AT_LEAST,
    STARRED_THREADS_AT_LEAST,
    UNREAD_SENDERS_AT_LEAST,
)
from envs.toolworld.scenarios.email_file_system import SAVED_ATTACHMENTS_AT_LEAST
from envs.toolworld.scenarios.file_system import (
    DINNER_REQUESTS_AT_LEAST,
    EMAIL_FAVOURITES_AT_LEAST,
    email_only_favourites,
)
from envs.toolworld.scenarios.files_phone import ADDED, ADDED_AT_LEAST, STRANGER_VOICEMAILS_AT_LEAST
from envs.toolworld.scenarios.household_chores import NUDGE_LATE_AT_LEAST, TAKE_OVER_AT_LEAST, others_late
from envs.toolworld.scenarios.household_events import CHORES_AT_LEAST, GUEST_TEXTS_AT_LEAST
from envs.toolworld.scenarios.leisure_playlists import TRIM_AT_LEAST
from envs.toolworld.scenarios.life_bills import KIND_BILLS_AT_LEAST
from envs.toolworld.scenarios.life_home import BIG_REQUESTS_AT_LEAST
from envs.toolworld.scenarios.life_lists import REMIND_AT_LEAST
from envs.toolworld.scenarios.life_money import BALANCES_EXPENSES_AT_LEAST, THANKS_PAID_AT_LEAST
from envs.toolworld.scenarios.life_money import SINCE as THANKS_SINCE
from envs.toolworld.scenarios.life_plans import OVERDUE_AT_LEAST
from envs.toolworld.scenarios.life_shopping import RETURNS_AT_LEAST
from envs.toolworld.scenarios.life_trips import CHASE_PAID_AT_LEAST, OWING_ME_AT_LEAST
from envs.toolworld.scenarios.mail_files import REPORTS_AT_LEAST
from envs.toolworld.scenarios.money_bills import OWED_BY_AT_LEAST
from envs.toolworld.scenarios.money_calendar import DELIVERIES_ACTIVE_AT_LEAST
from envs.toolworld.scenarios.money_notes import PAYMENTS_LOG_AT_LEAST, QUARTERS
from envs.toolworld.scenarios.notes import PENDING_EACH_WAY_AT_LEAST, family_pending_each_way
from envs.toolworld.scenarios.payments import CHASED_AT_LEAST
from envs.toolworld.scenarios.phone import KIND_AT_LEAST, QUIET_AT_LEAST, quiet_contacts
from envs.toolworld.scenarios.scheduling_followups import (
    COWORKERS_AT_LEAST,
    MISSED_CONTACTS_AT_LEAST,
    MISSED_DAYS,
    REPORT_TEXTS_AT_LEAST,
    report_case,
    untexted_missed,
)
from envs.toolworld.scenarios.todo import TOLD_AT_LEAST
from envs.toolworld.scenarios.work_inbox import MIN_MEETING_THREADS
from envs.toolworld.scenarios.work_people import MIN_FREE_TODOS, QUIET_HELPERS
from envs.toolworld.tasks import Task, load_task, world_view
from envs.toolworld.world.build import WORLD_NOW

VARIANTS = range(12)


def inserted(table: str, **match: object) -> Callable[[Task], int]:
    def count(task: Task) -> int:
        return sum(
            isinstance(e, Inserted) and e.table == table and all(e.match.get(k) == v for k, v in match.items())
            for e in task.spec.expectations
        )

    return count


def updated(table: str) -> Callable[[Task], int]:
    return lambda task: sum(isinstance(e, Updated) and e.table == table for e in task.spec.expectations)


def return_tasks(task: Task) -> tuple[int, int]:
    """(follow-up tasks for waiting returns, dispute tasks for rejected ones) the task expects."""
    titles = [str(e.match["title"]) for e in task.spec.expectations if isinstance(e, Inserted)]
    return sum(t.startswith("Follow up") for t in titles), sum(t.startswith("Dispute") for t in titles)


def returns_as_busy_as_stated(task: Task) -> int:
    """1 when both kinds of return reach RETURNS_AT_LEAST, else 0."""
    return int(all(n >= least for n, least in zip(return_tasks(task), RETURNS_AT_LEAST, strict=True)))


def entries_tidied(task: Task) -> int:
    """The fewer of the stale phone entries and the old address-book entries deleted (variant 0 of each 3 has no
    stale phone entry: only its old addresses count)."""
    gone = {
        table: sum(len(e.row_ids) for e in task.spec.expectations if isinstance(e, Deleted) and e.table == table)
        for table in ("phone_contacts", "email_contacts")
    }
    return min(gone["phone_contacts"] or gone["email_contacts"], gone["email_contacts"])


def emergency_added(task: Task) -> int:
    """People added to the emergency list, each told by text; a variant whose list is complete (nothing to change)
    counts as meeting it."""
    return ADDED_AT_LEAST if task.spec.noop_pass else inserted("phone_messages", message=ADDED)(task)


def named_group(task: Task) -> int:
    """The id of the supervisor's bill_splitting group the instruction names as '<name>'."""
    found = [
        r["id"]
        for r in world_view(0).rows(
            "SELECT g.id, g.name FROM bill_splitting_members m JOIN bill_splitting_groups g ON g.id = m.group_id "
            "WHERE m.person_id = ?",
            task.spec.supervisor_id,
        )
        if f"'{r['name']}'" in task.spec.instruction
    ]
    assert len(found) == 1, f"{task.task_id}: the instruction names {len(found)} of my groups"
    return int(found[0])


def expenses_i_paid(task: Task) -> int:
    return int(
        world_view(0).value(
            "SELECT COUNT(*) FROM bill_splitting_expenses WHERE group_id = ? AND paid_by = ?",
            named_group(task),
            task.spec.supervisor_id,
        )
    )


def expenses_i_paid_since(day: str) -> Callable[[Task], int]:
    return lambda task: int(
        world_view(0).value(
            "SELECT COUNT(*) FROM bill_splitting_expenses WHERE group_id = ? AND paid_by = ? AND date >= ?",
            named_group(task),
            task.spec.supervisor_id,
            day,
        )
    )


def expenses_this_year(task: Task) -> int:
    return int(
        world_view(0).value(
            "SELECT COUNT(*) FROM bill_splitting_expenses WHERE group_id = ? AND date BETWEEN ? AND ?",
            named_group(task),
            f"{WORLD_NOW.year}-01-01",
            WORLD_NOW.date().isoformat(),
        )
    )


def overdue_handed_off(task: Task) -> int:
    return int(
        world_view(0).value(
            "SELECT COUNT(*) FROM todo_tasks WHERE owner_id = ? AND assignee_id IS NOT NULL "
            "AND assignee_id != owner_id AND completed = 0 AND due_date < ?",
            task.spec.supervisor_id,
            WORLD_NOW.date().isoformat(),
        )
    )


def handed_off_gaining_urgent(task: Task) -> int:
    return int(
        world_view(0).value(
            "SELECT COUNT(*) FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE t.owner_id = ? "
            "AND t.completed = 0 AND p.archived = 0 AND t.priority = 1 AND instr(',' || t.labels || ',', ',urgent,') "
            "= 0 AND t.assignee_id IS NOT NULL AND t.assignee_id != t.owner_id",
            task.spec.supervisor_id,
        )
    )


def unread_senders(task: Task) -> int:
    """The people behind the unread emails a task marks read."""
    read = [e.row_id for e in task.spec.expectations if isinstance(e, Updated) and e.table == "email_messages"]
    return len({world_view(0).value("SELECT sender_id FROM email_messages WHERE id = ?", i) for i in read})


def others_of_the_kind(task: Task) -> int:
    """The contacts of the forwarded email's sender's kind, the sender left out, each looked up in the call log."""
    text = task.spec.instruction
    sender = text.split("Forward the email from ")[1].split(" with the attachment")[0]
    kind = text.split("to every ")[1].split(" in my phone contacts")[0]
    return int(
        world_view(0).value(
            "SELECT COUNT(*) FROM phone_contacts WHERE owner_id = ? AND relationship = ? "
            "AND first_name || ' ' || last_name != ?",
            task.spec.supervisor_id,
            kind,
            sender,
        )
    )


def active_subscriptions(task: Task) -> int:
    return int(
        world_view(0).value(
            "SELECT COUNT(*) FROM shop_subscriptions WHERE owner_id = ? AND status = 'active'", task.spec.supervisor_id
        )
    )


def snoozed(task: Task) -> int:
    """The overdue to-dos whose gone-off reminders move to tomorrow."""
    return sum(
        isinstance(e, Inserted) and e.table == "todo_reminders" and e.requirement.startswith("the overdue ")
        for e in task.spec.expectations
    )


def quiet_helpers(task: Task) -> int:
    """The collaborators whose texts a quiet work_overdue_nudge (everyone texted lately: nothing to change) reads; a
    variant that nudges has its own minimum (5+ overdue to-dos, one its assignee is on), so it counts as meeting it."""
    if not task.spec.noop_pass:
        return QUIET_HELPERS
    return next(len(e.expected) for e in task.spec.expectations if isinstance(e, Answer))


def starred_threads(task: Task) -> int:
    return sum(isinstance(e, Updated) and e.values == {"is_starred": 1} for e in task.spec.expectations)


def reminder_emails(task: Task) -> int:
    return inserted("email_threads", owner_id=task.spec.supervisor_id)(task)


def labelled_threads(task: Task) -> int:
    return sum(e.count for e in task.spec.expectations if isinstance(e, Inserted) and e.table == "email_thread_labels")


def archived_threads(task: Task) -> int:
    return sum(isinstance(e, Updated) and e.values == {"is_archived": 1} for e in task.spec.expectations)


def drafts_checked(task: Task) -> int:
    """Drafts sent or deleted as out of date, each after its own look at the mailbox."""
    return sum(
        len(e.row_ids)
        for e in task.spec.expectations
        if isinstance(e, Deleted) and e.what in ("sent drafts", "outdated drafts")
    )


def evening_guests(task: Task) -> int:
    """Guests who accepted a dinner or drinks the supervisor hosted since the start of last year, before today."""
    return int(
        world_view(0).value(
            "SELECT COUNT(*) FROM calendar_events e JOIN calendar_attendees a ON a.event_id = e.id "
            "WHERE e.organizer_id = ? AND (e.title LIKE 'Dinner with %' OR e.title LIKE 'Drinks with %') "
            "AND e.status = 'confirmed' AND a.response = 'accepted' AND e.start >= ? AND e.start < ?",
            task.spec.supervisor_id,
            f"{WORLD_NOW.year - 1}-01-01",
            WORLD_NOW.date().isoformat(),
        )
    )


def friend_contacts(task: Task) -> int:
    return int(
        world_view(0).value(
            "SELECT COUNT(*) FROM phone_contacts WHERE owner_id = ? AND relationship = 'friend'",
            task.spec.supervisor_id,
        )
    )


def threads_of_the_meeting(task: Task) -> int:
    """My threads (outside the spam and the trash) of the subject the meeting follows up."""
    title = next(
        e.match["title"] for e in task.spec.expectations if isinstance(e, Inserted) and e.table == "calendar_events"
    )
    return int(
        world_view(0).value(
            "SELECT COUNT(*) FROM email_threads WHERE owner_id = ? AND subject = ? AND is_trashed = 0 AND is_spam = 0",
            task.spec.supervisor_id,
            title.removesuffix(": follow-up"),
        )
    )


def trimmed_songs(task: Task) -> int:
    """The songs a trimming leisure_trim_playlist takes off, each read with show_song; a variant whose playlist
    already fits (nothing to change) counts as meeting it."""
    if task.spec.noop_pass:
        return TRIM_AT_LEAST
    return sum(len(e.row_ids) for e in task.spec.expectations if isinstance(e, Deleted))


def free_todos_texted(task: Task) -> int:
    """The to-dos nobody has taken that work_share_with_roommates texts each added roommate (a line each, after the
    greeting); a variant where every roommate is in already texts no one, so it counts as meeting the minimum."""
    if task.spec.noop_pass:
        return MIN_FREE_TODOS
    texts = [e for e in task.spec.expectations if isinstance(e, Inserted) and e.table == "phone_messages"]
    return min(len(e.match["message"].blocks[1]) for e in texts)


def requests_paid_since(day: str) -> Callable[[Task], int]:
    return lambda task: int(
        world_view(0).value(
            "SELECT COUNT(*) FROM payments_requests WHERE requester_id = ? AND status = 'approved' "
            "AND resolved_at >= ?",
            task.spec.supervisor_id,
            day,
        )
    )


def big_requests(task: Task) -> int:
    """The to-dos made for big pending requests; a variant where none is big (nothing to change) counts as
    meeting the minimum."""
    return BIG_REQUESTS_AT_LEAST if task.spec.noop_pass else inserted("todo_tasks")(task)


def bills_of_the_kind(task: Task) -> int:
    """The supervisor's bill files directly in /documents/bills of the kind the instruction names."""
    kind = task.spec.instruction.split("Review my ", 1)[1].split()[0]
    return int(
        world_view(0).value(
            "SELECT COUNT(*) FROM file_system_files WHERE owner_id = ? AND path LIKE ? AND path NOT LIKE ?",
            task.spec.supervisor_id,
            f"/documents/bills/{kind}_%",
            "/documents/bills/%/%",
        )
    )


def contacts_of_kind(task: Task) -> int:
    """Contacts of the kind the instruction names ('any <kind> in my phone contacts')."""
    kind = task.spec.instruction.split("any ", 1)[1].split(" in my phone contacts", 1)[0]
    return int(
        world_view(0).value(
            "SELECT COUNT(*) FROM phone_contacts WHERE owner_id = ? AND relationship = ?",
            task.spec.supervisor_id,
            kind,
        )
    )


def quiet_by_text(task: Task) -> int:
    """Contacts of the kind the instruction names with no text since QUIET_SINCE: each looked up in the call log."""
    kind = next(k for k in ("coworker", "family", "friend", "roommate") if f"are my {k}s?" in task.spec.instruction)
    return len(quiet_contacts(world_view(0), task.spec.supervisor_id, kind))


def asked_or_reminded(task: Task) -> int:
    """Members owing me who are asked on payments or reminded in the group: each looked up on payments first."""
    return inserted("payments_requests")(task) + inserted("bill_splitting_reminders")(task)


# template -> (what is counted, its stated minimum)
MINIMUMS: dict[str, tuple[Callable[[Task], int], int]] = {
    "life_trip_paid_file": (expenses_i_paid, 10),  # one show_expense per expense I paid
    "bill_splitting_recategorize": (updated("bill_splitting_expenses"), 10),  # update + comment each
    "household_house_meeting": (expenses_this_year, 20),  # one show_expense each
    "shop_cancel_unshipped": (updated("shop_subscriptions"), 2),  # skipped one delivery at a time
    "bill_splitting_remind_top_debtor": (reminder_emails, 3),  # each lists shares read per expense
    "household_text_debtors": (inserted("bill_splitting_comments"), 7),  # each expense I paid: read, commented
    "household_balances_note": (inserted("bill_splitting_reminders"), 6),
    "bill_splitting_comment_latest": (inserted("bill_splitting_comments"), 3),
    "household_category_spend": (inserted("bill_splitting_comments"), 9),  # each counted: show_expense, comment
    # over 5+ events in two weeks, each read with show_event
    "household_text_coming_guests": (inserted("phone_messages"), GUEST_TEXTS_AT_LEAST),
    "household_dinner_group_from_event": (inserted("phone_messages"), 3),  # each guest texted their share
    "life_trip_debts_checklist": (inserted("bill_splitting_reminders"), REMIND_AT_LEAST),  # decided by my sent ones
    "life_overdue_assigned_texts": (overdue_handed_off, OVERDUE_AT_LEAST),  # one comment thread read each
    "todo_label_top_priority": (handed_off_gaining_urgent, TOLD_AT_LEAST),  # one comment thread read each
    "life_trip_photo_evening": (inserted("bill_splitting_reminders"), OWING_ME_AT_LEAST),  # read off the debts
    "calendar_cleaning_expenses": (inserted("bill_splitting_expenses"), 3),  # each cleaning's guests read
    "calendar_one_on_one_count": (inserted("phone_messages"), 3),  # each series' occurrences read, each person texted
    "bill_splitting_exact_split": (expenses_i_paid_since(SHARES_SINCE), EXACT_SPLIT_PAID_AT_LEAST),  # show_expense each
    "life_group_balances_email": (expenses_this_year, BALANCES_EXPENSES_AT_LEAST),  # show_expense each
    # a price history read per active subscription
    "money_calendar_subscription_deliveries": (active_subscriptions, DELIVERIES_ACTIVE_AT_LEAST),
    "email_reply_latest_from": (labelled_threads, 8),  # each thread with an email from them labelled
    "email_send_draft": (drafts_checked, 9),  # an email search each
    "email_archive_read_labelled": (archived_threads, 7),  # archived one by one, their attachments saved first
    "email_empty_trash": (inserted("file_system_files"), 3),  # attachments opened and saved before deleting
    "mail_sync_address_book": (updated("email_contacts"), 3),  # favourites given and taken, an email search each
    "work_overdue_section": (updated("todo_tasks"), 8),  # each overdue to-do's thread read, then moved
    "work_note_to_project": (inserted("todo_tasks"), 9),  # gathered from every note's checklist
    "work_overdue_nudge": (quiet_helpers, QUIET_HELPERS),
    "work_task_reminders": (snoozed, 4),  # each overdue to-do's thread read, reminders deleted, one added
    "work_share_with_roommates": (free_todos_texted, MIN_FREE_TODOS),  # each one's comments read
    # each thread opened, labelled, archived
    "work_file_meeting_notes": (inserted("email_thread_labels"), MIN_MEETING_THREADS),
    "calendar_dinner_requests": (evening_guests, 7),  # each checked on payments
    "calendar_free_evening_dinner": (friend_contacts, 12),  # each one's busy times read
    "contacts_birthday_events": (inserted("calendar_reminders"), 10),  # a friend's birthday event each
    "contacts_text_meeting_attendees": (inserted("calendar_reminders"), 3),  # each meeting's guests read, texted
    "calendar_thread_meeting_first_slot": (threads_of_the_meeting, MIN_THREADS),  # each opened for who wrote
    "leisure_trim_playlist": (trimmed_songs, TRIM_AT_LEAST),  # show_song each, favourites passed over on the way
    "bill_splitting_group_from_contacts": (friend_contacts, FRIENDS_GROUP_AT_LEAST),  # each looked up by payer
    "life_trip_chase_debtors": (expenses_i_paid, CHASE_PAID_AT_LEAST),  # each one's shares read for the emails
    "life_paid_requests_thanks": (requests_paid_since(THANKS_SINCE), THANKS_PAID_AT_LEAST),  # texts with each payer
    "life_big_requests_todo": (big_requests, BIG_REQUESTS_AT_LEAST),  # each requester's contact looked up
    "life_bills_kind_history": (bills_of_the_kind, KIND_BILLS_AT_LEAST),  # each bill's file read
    "phone_count_relationship": (quiet_by_text, QUIET_AT_LEAST),  # each looked up in the call log
    "phone_text_all_of_kind": (contacts_of_kind, KIND_AT_LEAST),  # each looked up in the call log
    # each saved and deleted, its number looked up in the call log
    "files_archive_stranger_voicemails": (inserted("file_system_files"), STRANGER_VOICEMAILS_AT_LEAST),
    "email_group_announcement": (friend_contacts, ANNOUNCE_FRIENDS_AT_LEAST),  # each friend's texts read
    "email_star_threads_with": (starred_threads, STARRED_THREADS_AT_LEAST),  # over two pages of 5, each starred
    # each opened and saved, its email's thread read
    "email_save_attachment_to_file": (inserted("file_system_files"), SAVED_ATTACHMENTS_AT_LEAST),
    # round 5 (d)
    "money_settle_group_debts": (asked_or_reminded, OWED_BY_AT_LEAST[0]),  # each owing me looked up on payments
    # round 5, b: each one's number looked up in the contacts, each of their emails in the call log
    "email_mark_inbox_read": (unread_senders, UNREAD_SENDERS_AT_LEAST),
    "email_forward_attachment_to_contact": (others_of_the_kind, IN_TOUCH_KIND_AT_LEAST),  # each in the call log
    # round 5 (e)
    "file_system_pay_dinner_split": (updated("payments_requests"), DINNER_REQUESTS_AT_LEAST),  # each paid on its own
    "life_returns_followup_todo": (returns_as_busy_as_stated, 1),  # each waiting one's order, each product read
    "contacts_remove_stale_duplicates": (entries_tidied, min(STALE_AT_LEAST)),  # each read, fixed and told / deleted
    # each matched by email to the address book's favourites, texted
    "file_system_text_emergency_contacts": (
        lambda task: len(email_only_favourites(world_view(0), task.spec.supervisor_id)),
        EMAIL_FAVOURITES_AT_LEAST,
    ),
    "files_emergency_add_favorites": (emergency_added, ADDED_AT_LEAST),  # each texted, a favourite in both apps
}


def held_house_meetings(task: Task) -> int:
    """The confirmed house meetings held before now on the Home calendar of the meeting the task notes."""
    note = next(e for e in task.spec.expectations if isinstance(e, Inserted) and e.table == "calendar_notes")
    return int(
        world_view(0).value(
            "SELECT COUNT(*) FROM calendar_events WHERE title = 'House meeting' AND status = 'confirmed' "
            "AND start < ? AND calendar_id = (SELECT calendar_id FROM calendar_events WHERE id = ?)",
            WORLD_NOW.isoformat(timespec="seconds"),
            note.match["event_id"],
        )
    )


def overdue_taken_or_left(task: Task) -> int:
    """The overdue open tasks of the helper the instruction names over my active projects, each one's comments
    read; the variant where they are on all of them (nothing to change) counts as meeting the minimum."""
    if task.spec.noop_pass:
        return TAKE_OVER_AT_LEAST
    return int(
        world_view(0).value(
            "SELECT COUNT(*) FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id JOIN people h "
            "ON h.id = t.assignee_id WHERE p.owner_id = ? AND p.archived = 0 AND t.completed = 0 AND t.due_date < ? "
            "AND h.first_name || ' ' || h.last_name = ?",
            task.spec.supervisor_id,
            WORLD_NOW.date().isoformat(),
            task.spec.instruction.split(" is away", 1)[0],
        )
    )


ROUND5_A_MINIMUMS: dict[str, tuple[Callable[[Task], int], int]] = {
    "calendar_call_house_meeting": (held_house_meetings, HELD_MEETINGS_AT_LEAST),  # show_event each for who declined
    "household_take_over_overdue_chores": (overdue_taken_or_left, TAKE_OVER_AT_LEAST),  # each one's comments read
    # each chore's comments read, an event with its reminder made
    "household_my_chores_on_calendar": (inserted("calendar_reminders"), CHORES_AT_LEAST),
}
MINIMUMS |= ROUND5_A_MINIMUMS


def my_work_meetings(task: Task) -> int:
    """My one-off Work meetings of the last month, each read for who declined it."""
    return len(work_meetings(world_view(0), task.spec.supervisor_id))


ROUND5_C = {
    "calendar_standup_tally_note": (inserted("calendar_notes"), MIN_SERIES),  # each series' occurrences read
    "calendar_invite_free_coworkers": (my_work_meetings, MIN_MEETINGS),  # each one's attendees read
}
MINIMUMS |= ROUND5_C


def others_overdue(task: Task) -> int:
    """Open tasks of my projects assigned to others and overdue, each one's comment thread read."""
    return len(others_late(world_view(0), task.spec.supervisor_id, WORLD_NOW.date().isoformat()))


def quarter_payments(task: Task) -> int:
    """The payments I sent in the task's quarter, each a line of the note."""
    start, end, _ = next(q for q in QUARTERS if f"Payments sent {q[2]}'" in task.spec.instruction)
    return int(
        world_view(0).value(
            "SELECT COUNT(*) FROM payments_transactions WHERE sender_id = ? "
            "AND created_at BETWEEN ? AND ? || 'T23:59:59'",
            task.spec.supervisor_id,
            start,
            end,
        )
    )


def contacts_to_text(task: Task) -> int:
    """The report month's contacts to thank or to say sorry to (or to leave, in touch since), each one looked up."""
    year, month = (int(x) for x in task.spec.instruction.split("calls_", 1)[1][:7].split("_"))
    return report_case(world_view(0), task.spec.supervisor_id, year, month)[0][-1]


def missed_not_texted(task: Task) -> int:
    """Contacts whose latest missed call of the window I have not texted since, each one's calls since read."""
    view, person = world_view(0), task.spec.supervisor_id
    missed = call_log(reader(view, person), direction="missed", started_after=day(-MISSED_DAYS))
    return len(untexted_missed(view, person, missed))


ROUND5_G = {
    "household_nudge_late_chores": (others_overdue, NUDGE_LATE_AT_LEAST),  # each one's comments read
    "money_notes_payments_log": (quarter_payments, PAYMENTS_LOG_AT_LEAST),  # a line each, public ones made private
    "scheduling_call_log_report": (contacts_to_text, REPORT_TEXTS_AT_LEAST),  # each one's texts and calls read
    "scheduling_missed_call_texts": (missed_not_texted, MISSED_CONTACTS_AT_LEAST),  # each one's calls since read
}
MINIMUMS |= ROUND5_G


def my_family_pending_each_way(task: Task) -> int:
    """Pending payment requests between me and my family, the fewer of the two ways."""
    return family_pending_each_way(world_view(0), task.spec.supervisor_id)


def my_birthdays_soon(task: Task) -> int:
    """My contacts' names with a birthday in the window, each looked up in the call log."""
    return len(birthday_people(world_view(0), task.spec.supervisor_id))


ROUND5_F = {
    "notes_family_numbers": (my_family_pending_each_way, PENDING_EACH_WAY_AT_LEAST),  # both ways read per member
    "contacts_birthday_week_todos": (my_birthdays_soon, BIRTHDAYS_AT_LEAST),  # each one's call log read
    # each appointment's reminders read, its task and reminder made
    "calendar_appointment_prep_todo": (inserted("todo_tasks"), APPOINTMENTS_AT_LEAST),
}
MINIMUMS |= ROUND5_F


def old_requests_checked(task: Task) -> int:
    """My pending requests sent before the reminder cutoff the instruction names, each looked up in my call log."""
    before = datetime.strptime(task.spec.instruction.split("I sent before ", 1)[1].split(",", 1)[0], "%B %d")
    return int(
        world_view(0).value(
            "SELECT COUNT(*) FROM payments_requests WHERE requester_id = ? AND status = 'pending' AND created_at < ?",
            task.spec.supervisor_id,
            f"2026-{before.month:02d}-{before.day:02d}",
        )
    )


def coworkers_told(task: Task) -> int:
    """The coworkers in my phone contacts, each told of my new hours by text or email as my call log decides."""
    return int(
        world_view(0).value(
            "SELECT COUNT(*) FROM phone_contacts WHERE owner_id = ? AND relationship = 'coworker'",
            task.spec.supervisor_id,
        )
    )


ROUND5_H_MINIMUMS: dict[str, tuple[Callable[[Task], int], int]] = {
    "payments_chase_old_requests": (old_requests_checked, CHASED_AT_LEAST),  # each payer looked up in my call log
    "mail_file_quarterly_reports": (inserted("file_system_tags"), REPORTS_AT_LEAST),  # each opened, saved, tagged
    "scheduling_alarms_later": (coworkers_told, COWORKERS_AT_LEAST),  # each looked up in my call log
}
MINIMUMS |= ROUND5_H_MINIMUMS


@pytest.mark.parametrize("scenario", list(MINIMUMS))
def test_every_variant_picks_a_subject_as_busy_as_its_template_states(scenario: str) -> None:
    count, least = MINIMUMS[scenario]
    found = {v: count(load_task(f"{scenario}_{v}")) for v in VARIANTS}
    assert all(n >= least for n in found.values()), f"{scenario} wants {least}+ items; variants have {found}"
