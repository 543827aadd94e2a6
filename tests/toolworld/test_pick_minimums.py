"""Templates whose depth is one look per item of a busy subject pick a subject that is busy by a stated minimum, in
every variant: after the denser bill_splitting and shop data moved the shuffled pools, several of them landed on
barely-qualifying subjects (life_trip_paid_file fell from 49.7 to 28.0 API calls, on groups where I paid 4-6
expenses), by chance rather than by design."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from envs.toolworld.evaluate import Inserted, Updated
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


def expenses_this_year(task: Task) -> int:
    return int(
        world_view(0).value(
            "SELECT COUNT(*) FROM bill_splitting_expenses WHERE group_id = ? AND date BETWEEN ? AND ?",
            named_group(task),
            f"{WORLD_NOW.year}-01-01",
            WORLD_NOW.date().isoformat(),
        )
    )


def reminder_emails(task: Task) -> int:
    return inserted("email_threads", owner_id=task.spec.supervisor_id)(task)


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
    "calendar_dinner_requests": (evening_guests, 7),  # each checked on payments
    "calendar_free_evening_dinner": (friend_contacts, 12),  # each one's busy times read
    "contacts_birthday_events": (inserted("calendar_reminders"), 10),  # a friend's birthday event each
    "contacts_text_meeting_attendees": (inserted("calendar_reminders"), 3),  # each meeting's guests read, texted
}


@pytest.mark.parametrize("scenario", list(MINIMUMS))
def test_every_variant_picks_a_subject_as_busy_as_its_template_states(scenario: str) -> None:
    count, least = MINIMUMS[scenario]
    found = {v: count(load_task(f"{scenario}_{v}")) for v in VARIANTS}
    assert all(n >= least for n in found.values()), f"{scenario} wants {least}+ items; variants have {found}"
