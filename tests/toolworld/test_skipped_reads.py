"""Deepened ToolWorld templates need their added reads: an agent that skips one (replays the oracle with that read
replaced by what it could guess, or by what a list already shows) fails the task, it is not merely faster."""

from __future__ import annotations

import pytest

from envs.toolworld.env import ToolWorldEnv

# task -> (oracle text of the reads, what an agent skipping them would write instead)
PAYMENTS_AND_TRAIN = {
    "life_big_requests_todo_0": (
        "found = apis.phone.search_contacts(",
        "found = [{'email': email, 'phone_number': '', 'relationship': None}] or apis.phone.search_contacts(",
    ),
    **{
        f"money_todo_top_up_balance_{v}": (
            "apis.phone.search_contacts(access_token=phone_token, relationship='coworker'",
            "[] if True else apis.phone.search_contacts(access_token=phone_token, relationship='coworker'",
        )
        for v in (0, 1)  # the balance covers the requests / it does not
    },
    **{
        f"work_payback_todos_{v}": (
            "found = apis.phone.search_contacts(",
            "found = [] if True else apis.phone.search_contacts(",
        )
        for v in (0, 1)  # variant 1 takes the other branch: a to-do with no request, its person asked by text
    },
    "money_notes_payments_log_0": (
        "apis.phone.search_contacts(access_token=phone_token, relationship='coworker'",
        "[] if True else apis.phone.search_contacts(access_token=phone_token, relationship='coworker'",
    ),
    # no contact looked up: every waiting person gets the plain holding message, coworkers included
    **{
        f"phone_reply_latest_{v}": (
            "found = apis.phone.search_contacts(",
            "found = [] if True else apis.phone.search_contacts(",
        )
        for v in (0, 1, 2)
    },
    # no thread opened: the attachments' names and contents are unknown, so nothing is saved before archiving
    **{
        f"email_archive_read_labelled_{v}": (
            "full = apis.email.show_thread(",
            "full = {'emails': []} if True else apis.email.show_thread(",
        )
        for v in (0, 1, 2)
    },
}

# (task, oracle text of a read, what an agent skipping it would write instead): a task may skip different reads
MAIL_AND_TODO = [
    *[
        (
            f"mail_invoice_tasks_{v}",
            # whether I answered an invoice is only in its thread
            "apis.email.show_thread(access_token=email_token, thread_id=e['thread_id'])",
            "{'emails': []}",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"mail_code_review_tasks_{v}",
            # whether I answered a request is only in its thread
            "apis.email.show_thread(access_token=email_token, thread_id=e['thread_id'])",
            "{'emails': []}",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"work_email_todos_{v}",
            # that I already wait on a to-do's person is only in its comments
            "apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id'], "
            "page_index=page, page_limit=20)",
            "[]",
        )
        for v in (0, 2)  # variant 1 takes the other branch: no to-do waits on its person
    ],
    *[
        (
            f"mail_invoice_tasks_{v}",
            # the total is in the email's text too, the consulting hours only in the attached file
            "apis.email.show_attachment(access_token=email_token, attachment_id=file['attachment_id'])['content']",
            "'Total due: $' + e['body'].split('$')[1].rstrip('.') + ' Consulting hours: 40'",
        )
        for v in (0, 1, 2)
    ],
]

# (task, oracle text of a read, what an agent skipping it would write instead)
CALENDAR_B = [
    *[
        (
            f"calendar_rent_share_requests_{v}",
            # which months a roommate paid back is only in their payments to me
            "batch = apis.payments.show_transactions(",
            "batch = [] if True else apis.payments.show_transactions(",
        )
        for v in (0, 1, 2)  # variant 1: the rent is not due soon, the answer still needs them
    ],
    *[
        (
            f"calendar_rent_share_requests_{v}",
            # a roommate's share of a rent is only in its detail: the list shows my share, guessed to be theirs
            "apis.bill_splitting.show_expense(access_token=bill_splitting_token, expense_id=e['expense_id'])",
            "{'paid_by': e['paid_by'], 'shares': [{'email': m['email'], 'amount': e['my_share']} for m in mates]}",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"calendar_double_booked_tentative_{v}",
            # whether anyone else accepted my clashing event is only in its attendees: guessing yes marks them all
            "guests = apis.calendar.show_event_attendees(",
            "guests = [{'email': 'someone'}] if True else apis.calendar.show_event_attendees(",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"calendar_dinner_requests_{v}",
            # whether a guest paid me back for that kind of evening is only on payments, per guest
            "paid = apis.payments.show_transactions(",
            "paid = [] if True else apis.payments.show_transactions(",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"calendar_dinner_requests_{v}",
            # the drinks I hosted are a list of their own: skipping it leaves their guests unasked
            "batch = apis.calendar.show_events(access_token=calendar_token, query=kind + ' with'",
            "batch = [] if kind == 'Drinks' else apis.calendar.show_events(access_token=calendar_token, "
            "query=kind + ' with'",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"contacts_text_meeting_attendees_{v}",
            # who accepted a meeting is only in its attendee list (the event list shows a count)
            "apis.calendar.show_event_attendees(access_token=calendar_token, event_id=e['event_id'], "
            "response='accepted', page_index=page, page_limit=20)",
            "[]",
        )
        for v in (0, 1, 2)
    ],
]

SKIPPED_READS = [*((task, *change) for task, change in PAYMENTS_AND_TRAIN.items()), *MAIL_AND_TODO, *CALENDAR_B]


@pytest.mark.parametrize(("task_id", "read", "guess"), SKIPPED_READS)
def test_an_oracle_without_its_added_reads_fails(env: ToolWorldEnv, task_id: str, read: str, guess: str) -> None:
    env.reset(options={"task_id": task_id})
    actions = env.oracle_actions()
    assert sum(read in a for a in actions) == 1, "the oracle no longer makes the read this test skips"
    for action in actions:
        obs, reward, terminated, truncated, info = env.step(action.replace(read, guess))
    assert terminated and reward == 0.0 and not info["success"]
