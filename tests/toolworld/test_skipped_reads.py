"""Deepened ToolWorld templates need their added reads: an agent that skips one (replays the oracle with that read
replaced by what it could guess, or by what a list already shows) fails the task, it is not merely faster."""

from __future__ import annotations

from datetime import timedelta

import pytest

from envs.toolworld.env import ToolWorldEnv
from envs.toolworld.scenarios.calendar_upkeep import FOCUS_DAYS
from envs.toolworld.scenarios.household_events import HOSTED_UNTIL
from envs.toolworld.world.build import WORLD_NOW

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
HOUSEHOLD = [
    *[
        (
            f"household_category_spend_{v}",
            # the list shows only my share of an expense; the housemate's is in show_expense (they sat some out)
            "apis.bill_splitting.show_expense(access_token=bill_splitting_token, expense_id=e['expense_id'])",
            "{'shares': [{'email': mate['email'], 'amount': e['my_share']}]}",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"household_text_coming_guests_{v}",
            # the event list has only a guest count: who accepted or has not answered is in show_event
            "apis.calendar.show_event(access_token=calendar_token, event_id=e['event_id'])",
            "{'attendees': []}",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"household_dinner_group_from_event_{v}",
            # the app gives leftover cents to some members: a plain division is not their share
            "apis.bill_splitting.show_expense(access_token=bill_splitting_token, expense_id=expense['expense_id'])",
            "{'shares': [{'email': e, 'amount': round(amount / (len(came) + 1), 2)} for e in came]}",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"life_bills_split_roommates_{v}",
            # a bill's status is only in its file: not looking at it splits the unpaid bill too
            "apis.file_system.show_file(access_token=file_system_token, path=f['path'])['content']",
            "apis.file_system.show_file(access_token=file_system_token, path=f['path'])['content']"
            ".replace('unpaid', 'paid')",
        )
        for v in (0, 1, 2)
    ],
]

# life_* and leisure/todo templates of the life helper: (task, oracle text of a read, what skipping it writes instead)
LIFE = [
    *[
        (
            f"life_trip_debts_checklist_{v}",
            # whom I already reminded of what they owe now is only in my sent reminders
            "apis.bill_splitting.show_reminders(access_token=bill_splitting_token, box='sent', page_index=page, "
            "page_limit=20)",
            "[]",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"{template}_{v}",
            # that an assignee said they are on a to-do is only in its comments
            "apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id'], page_index=page, "
            "page_limit=20)",
            "[]",
        )
        for template in ("life_overdue_assigned_texts", "todo_label_top_priority")
        for v in (0, 1, 2)
    ],
    *[
        (
            f"life_trip_photo_evening_{v}",
            # who owes me in the group is only in its debts
            "apis.bill_splitting.show_group_debts(access_token=bill_splitting_token, group_id=group['group_id'], "
            "page_index=page, page_limit=20)",
            "[]",
        )
        for v in (0, 1, 2)
    ],
]

# (task, oracle text of a read, what an agent skipping it would write instead)
CALENDAR_A = [
    *[
        (
            f"calendar_cleaning_expenses_{v}",
            # who took part in a cleaning is only in its guests' answers: unread, nobody but the organizer is known
            "apis.calendar.show_event_attendees(access_token=calendar_token, event_id=c['event_id'], "
            "page_index=page, page_limit=20)",
            "[]",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"calendar_cleaning_expenses_{v}",
            # the answers read but not used: every cleaning split among the whole group
            "split_with_emails=took_part[c['event_id']]",
            "split_with_emails=None",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"calendar_day_off_{v}",
            # whether a meeting of mine repeats is only in show_event: guessed one-off, a series is cancelled whole
            "event = apis.calendar.show_event(access_token=calendar_token, event_id=i['event_id'])",
            "event = dict(i, organizer={'email': me['email'] if i['my_response'] == 'organizer' else ''}, "
            "recurrence='none')",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"calendar_day_off_{v}",
            # guessed repeating: a one-off meeting of mine gets a skipped occurrence instead of being cancelled
            "event = apis.calendar.show_event(access_token=calendar_token, event_id=i['event_id'])",
            "event = dict(i, organizer={'email': me['email'] if i['my_response'] == 'organizer' else ''}, "
            "recurrence='weekly')",
        )
        for v in (0, 1)  # variant 2's day holds no one-off meeting of mine
    ],
    *[
        (
            f"calendar_one_on_one_count_{v}",
            # who I meet in my own series is only in its guest list: taken for its organizer (me), the counts of
            # my own 1:1s go to nobody I meet
            "guests = apis.calendar.show_event_attendees(access_token=calendar_token, event_id=e['event_id'], "
            "page_limit=20)",
            "guests = [e['organizer']]",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"calendar_offsite_chase_answers_{v}",
            # whether an unanswered invitee is busy during the offsite is only in their free-busy: guessed free,
            # the busy ones get the plain reminder
            "apis.calendar.show_busy_times(access_token=calendar_token, email=email, date_from=first_day, "
            "date_to=last_day)",
            "[]",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"calendar_repeat_last_meeting_{v}",
            # who declined the last meeting is only in its guests' answers: taken as all coming, they are invited
            # again (the copy's guest list is read after, so the emails and the count follow the wrong list)
            "asked[title] = [a['email'] for a in answers if a['response'] != 'declined']",
            "asked[title] = [a['email'] for a in answers]",
        )
        for v in (0, 1, 2)
    ],
]

# an expense's shares guessed from the list: split equally among all the group's members
EXPENSE_DETAIL = "apis.bill_splitting.show_expense(access_token=bill_splitting_token, expense_id=e['expense_id'])"
EQUAL_SPLIT = (
    "{'shares': [{'email': m['email'], 'amount': round(e['amount'] / len(group['members']), 2)} "
    "for m in group['members']]}"
)

# (task, oracle text of a read, what an agent skipping it would write instead), the money helper's templates
MONEY = [
    # who shared each expense is only in its detail: a guessed equal split misses the ones left out
    *[(f"bill_splitting_exact_split_{v}", EXPENSE_DETAIL, EQUAL_SPLIT) for v in (0, 1, 2)],
    *[(f"life_group_balances_email_{v}", EXPENSE_DETAIL, EQUAL_SPLIT) for v in (0, 1, 2)],
    # whether a product's price just went up is only in its price history: today's price alone says nothing
    *[
        (
            f"money_calendar_subscription_deliveries_{v}",
            "apis.shop.show_price_history(product_id=s['product_id'], page_limit=2)",
            "[{'price': s['unit_price']}]",
        )
        for v in (0, 1, 2)
    ],
    # whether people dislike a song is only in its average rating: taking every clean song adds a disliked one
    *[
        (
            f"music_playlist_length_{v}",
            "apis.music.show_song(song_id=s['song_id'])['average_rating']",
            "None",
        )
        for v in (0, 1, 2)
    ],
    # a seller's rating is only on its page: without it every to-do gets the plain priority 2
    *[
        (
            f"money_todo_return_followups_{v}",
            "apis.shop.show_seller(seller_id=product['seller_id'])",
            "{'rating': 5.0}",
        )
        for v in (0, 1, 2)
    ],
]

# (task, oracle text of a read, what an agent skipping it would write instead): the mail helper's templates
MAIL = [
    *[
        (
            f"email_send_draft_{v}",
            # whether a draft's recipient wrote since I edited it is only in the mailbox: unchecked, every draft is sent
            "since = apis.email.search_emails(",
            "since = [] if True else apis.email.search_emails(",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"email_invoice_total_{v}",
            # whether I answered an invoice is only in its thread: unchecked, the answered ones are paid twice
            "apis.email.show_thread(access_token=email_token, thread_id=e['thread_id'])",
            "{'emails': []}",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"email_reply_latest_from_{v}",
            # their emails span pages: read only the first, some of their threads go unlabelled and the count is off
            "batch = apis.email.search_emails(access_token=email_token, page_index=page",
            "batch = [] if page else apis.email.search_emails(access_token=email_token, page_index=page",
        )
        for v in (0, 1, 2)
    ],
    # no trashed thread opened: the attachments' names and contents are unknown, so nothing is saved before deleting
    *[
        (
            f"email_empty_trash_{v}",
            "full = apis.email.show_thread(",
            "full = {'emails': []} if True else apis.email.show_thread(",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"mail_sync_address_book_{v}",
            # who emailed me lately is only in the mailbox: unchecked, no favourite is given
            "since = apis.email.search_emails(",
            "since = [] if True else apis.email.search_emails(",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"mail_pay_back_if_over_{v}",
            # what each person owes me is only on the payments app: unchecked, the gross sums pay the wrong people
            # or the wrong amounts (variant 1, the quiet one, then pays someone whose gross sum is over the bound)
            "batch = apis.payments.show_requests(",
            "batch = [] if True else apis.payments.show_requests(",
        )
        for v in (0, 1, 2)
    ],
]

# (task, oracle text of a read, what an agent skipping it would write instead), the todo/phone work templates
WORK = [
    *[
        (
            f"work_overdue_section_{v}",
            # that a to-do waits on someone is only in its latest comment
            "apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id'], page_limit=20)",
            "[]",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"work_note_to_project_{v}",
            # reading the newest note's checklist alone misses an open item only an older note of the title has
            "batch = apis.notes.show_checklist(",
            "batch = [] if n is not same[0] else apis.notes.show_checklist(",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"work_task_reminders_{v}",
            # that a to-do waits on someone is only in its latest comment: it would be reminded or snoozed
            "batch = apis.todo.show_task_comments(",
            "batch = [] if True else apis.todo.show_task_comments(",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"work_overdue_nudge_{v}",
            # that I texted someone lately is only in the phone: they would be nudged
            "recent = apis.phone.search_text_messages(",
            "recent = [] if True else apis.phone.search_text_messages(",
        )
        for v in (0, 1, 2)  # variant 1: everyone was texted lately, nothing to change
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

# who wrote in each thread is only in the thread: inviting everyone the thread list names (some were only addressed
# or copied) or only each thread's last sender invites the wrong people
CALENDAR_C = [
    *[
        (
            f"calendar_thread_meeting_first_slot_{v}",
            "full = apis.email.show_thread(access_token=email_token, thread_id=t['thread_id'])",
            guess,
        )
        for v in (0, 1, 2)
        for guess in (
            "full = {'emails': [{'sender': {'email': p}} for p in t['participants']]}",
            "full = {'emails': [{'sender': t['last_sender']}]}",
        )
    ],
]

ERRANDS = [
    *[
        (
            f"leisure_trim_playlist_{v}",
            # a song's average rating (a crowd favourite stays) is only in show_song: unread, favourites are removed
            "rating = apis.music.show_song(song_id=s['song_id'])['average_rating']",
            "rating = None",
        )
        for v in (0, 2)  # variant 1 already fits: nothing is read or removed
    ],
    *[
        (
            f"scheduling_call_log_report_{v}",
            # whether I texted a contact since the month ended is only in my sent texts to their number: unread,
            # someone I am in touch with gets a text too
            "since = apis.phone.search_text_messages(access_token=phone_token, phone_number=numbers[name],",
            "since = [] if True else apis.phone.search_text_messages(access_token=phone_token, "
            "phone_number=numbers[name],",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"calendar_decline_work_clashes_{v}",
            # who accepted an invitation left unanswered is only in its event's guest list (the list counts guests)
            "guests = apis.calendar.show_event(access_token=calendar_token, event_id=i['event_id'])['attendees']",
            "guests = []",
        )
        for v in (0, 1, 2)  # variant 1 declines nothing: every invitation is reported
    ],
]

# (task, oracle text of a read, what an agent skipping it would write instead), helper workb's templates
WORK_B = [
    *[
        (
            f"work_share_with_roommates_{v}",
            # a to-do's latest comment is only in show_task_comments: the added roommate's text would lack it
            "comments = apis.todo.show_task_comments(",
            "comments = [] if True else apis.todo.show_task_comments(",
        )
        for v in (0, 2)  # variant 1: every roommate is in already, nothing to text
    ],
    *[
        (
            f"work_file_meeting_notes_{v}",
            # a thread's first email is only in show_thread (the list has no text): its month's file would be wrong
            "thread = apis.email.show_thread(",
            "thread = {'emails': [{'sent_at': '', 'body': t['subject']}], 'is_archived': False} if True else "
            "apis.email.show_thread(",
        )
        for v in (0, 1, 2)
    ],
]

MONEY_B = [
    # who shares the receipts is who shared the one already added, only in its detail: all members is wrong
    *[
        (
            f"bill_splitting_add_equal_expense_{v}",
            "apis.bill_splitting.show_expense(access_token=bill_splitting_token, expense_id=done['expense_id'])",
            "{'shares': group['members']}",
        )
        for v in (0, 1, 2)
    ],
    # whom I paid for the note lately is only in what I sent each: without it the one paid already is paid twice
    *[
        (
            f"payments_send_money_{v}",
            "apis.payments.show_transactions(access_token=payments_token, direction='sent', with_email=emails[name]",
            "[] if True else apis.payments.show_transactions(access_token=payments_token, direction='sent', "
            "with_email=emails[name]",
        )
        for v in (0, 1, 2)
    ],
    # a seller's rating is only on its page: taking every item at its lowest buys from a poorly rated seller
    *[
        (
            f"money_shop_price_drops_to_cart_{v}",
            "apis.shop.show_seller(seller_id=w['seller_id'])",
            "{'name': '', 'rating': 5.0}",
        )
        for v in (0, 1, 2)
    ],
]

HOME_B = [
    *[
        (
            f"life_trip_chase_debtors_{v}",
            # each debtor's share of an expense I paid is only in show_expense: an even split among all is a guess
            "detail = apis.bill_splitting.show_expense(access_token=bill_splitting_token, expense_id=e['expense_id'])",
            "detail = {'shares': [{'email': m['email'], 'amount': round(e['amount'] / len(group['members']), 2)} "
            "for m in group['members']]}",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"life_paid_requests_thanks_{v}",
            # whether I thanked a payer already is only in my texts with them since the payment
            "batch = apis.phone.search_text_messages(access_token=phone_token, phone_number=contact['phone_number'], "
            "direction='sent', query='thank'",
            "batch = [] if True else apis.phone.search_text_messages(access_token=phone_token, "
            "phone_number=contact['phone_number'], direction='sent', query='thank'",
        )
        for v in (0, 1, 2)
    ],
]

PHONE_B = [
    *[
        (
            f"phone_count_relationship_{v}",
            # whether I talked to a contact quiet by text is only in the call log: guessing no texts them all
            "talked = apis.phone.show_call_history(",
            "talked = [] if True else apis.phone.show_call_history(",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"phone_text_all_of_kind_{v}",
            # whether I talked to a contact since the day is only in the call log: guessing no texts them all
            "talked = apis.phone.show_call_history(",
            "talked = [] if True else apis.phone.show_call_history(",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"files_archive_stranger_voicemails_{v}",
            # whether I once talked to a stranger's number is only in the call log: guessing no blocks them all
            "talked = apis.phone.show_call_history(",
            "talked = [] if True else apis.phone.show_call_history(",
        )
        for v in (0, 1, 2)
    ],
]

MAIL_B = [
    *[
        (
            f"email_group_announcement_{v}",
            # whether I texted with a friend lately is only in their text history: skipping it nudges every friend
            "recent = apis.phone.search_text_messages(",
            "recent = [] if True else apis.phone.search_text_messages(",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"email_star_threads_with_{v}",
            # the contact's threads run past a page: the first page of 5 of their threads leaves some unstarred
            "apis.email.show_threads(access_token=email_token, folder='all', page_index=page, page_limit=20)",
            "apis.email.show_threads(access_token=email_token, folder='all', sender_email=contact['email'], "
            "page_index=0, page_limit=5)",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"email_collect_invoices_{v}",
            # whether I replied to an invoice is only in its thread: guessing 'never' tags the answered ones too
            "apis.email.show_thread(access_token=email_token, thread_id=e['thread_id'])",
            "{'emails': []}",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"email_save_attachment_to_file_{v}",
            # whether I answered an email is only in its thread: guessing 'never' thanks the answered ones again
            "apis.email.show_thread(access_token=email_token, thread_id=e['thread_id'])",
            "{'emails': []}",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"mail_pay_back_if_over_{v}",
            # what they asked of me on payments is only there: without it someone owed more is left unpaid
            "apis.payments.show_requests(access_token=payments_token, direction='received', status='pending', "
            "with_email=friend, page_index=page, page_limit=20)",
            "[]",
        )
        for v in (0, 2)  # variant 1 pays no one: its bound is over every net
    ],
    *[
        (
            f"email_pay_back_share_{v}",
            # their requests to me are only on the payments app: skipping the look leaves them unpaid
            "apis.payments.show_requests(access_token=payments_token, direction='received', status='pending', "
            "with_email=ask['sender']['email'], page_index=page, page_limit=20)",
            "[]",
        )
        for v in (0, 1, 2)
    ],
]

ROUND5_D = [
    *[
        (
            f"money_settle_group_debts_{v}",
            # whether one who owes me is my payments friend is only on payments: guessing yes asks all of them there
            "apis.payments.show_user(access_token=payments_token, email=d['debtor']['email'])['is_friend']",
            "True",
        )
        for v in (0, 1, 2)
    ],
]

ROUND5_A = [
    *[
        (
            f"calendar_call_house_meeting_{v}",
            # who declined a held house meeting is only in its show_event: guessing nobody did answers 0 for all
            "apis.calendar.show_event(access_token=calendar_token, event_id=e['event_id'])",
            "{'attendees': []}",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"household_take_over_overdue_chores_{v}",
            # that they are on a task already is only in its comments: guessing no comments takes over all of them
            "apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id'], "
            "page_index=page, page_limit=20)",
            "[]",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"household_take_over_overdue_chores_{v}",
            # their tasks run past a page of my open tasks: the first page alone leaves some out of the answer
            "batch = apis.todo.search_tasks(access_token=todo_token, completed=False, page_index=page, page_limit=20)",
            "batch = [] if page else apis.todo.search_tasks(access_token=todo_token, completed=False, page_index=0, "
            "page_limit=20)",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"household_my_chores_on_calendar_{v}",
            # a chore's latest comment is only in its thread: guessing none leaves every event undescribed
            "apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id'], "
            "page_index=page, page_limit=20)",
            "[]",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"household_my_chores_on_calendar_{v}",
            # chores in projects others shared with me are only known by those projects: skipping them misses some
            "batch = apis.todo.show_shared_projects(access_token=todo_token, page_index=page, page_limit=20)",
            "batch = []",
        )
        for v in (0, 1, 2)
    ],
]


# every week a series' start and end span, counted as held: what an agent not reading a series' occurrences can guess
EVERY_WEEK_HELD = (
    "(lambda date_from, date_to, page_index, page_limit: [{'is_cancelled': False} for k in range(600) "
    "if date_from <= (__import__('datetime').date.fromisoformat(e['start'][:10]) "
    "+ __import__('datetime').timedelta(weeks=k)).isoformat() <= min(date_to, e['recurrence_until'] or date_to)]"
    "[page_index * page_limit : (page_index + 1) * page_limit])("
)

ROUND5_C = [
    *[
        (
            f"calendar_standup_tally_note_{v}",
            # my other weekly series are found only by listing all I organize: looking up the standup alone
            # leaves them without their notes
            "apis.calendar.show_events(access_token=calendar_token, role='organizer', date_from=",
            "apis.calendar.show_events(access_token=calendar_token, query='Team standup', role='organizer', date_from=",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"calendar_standup_tally_note_{v}",
            # the weeks I cancelled are marked only among a series' occurrences: counting every week overcounts
            "apis.calendar.show_occurrences(access_token=calendar_token, event_id=e['event_id'], ",
            EVERY_WEEK_HELD,
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"calendar_invite_free_coworkers_{v}",
            # who declined a meeting is only in its attendees: guessing no one did invites a free coworker who did
            "said_no = apis.calendar.show_event_attendees(",
            "said_no = [] if True else apis.calendar.show_event_attendees(",
        )
        for v in (0, 1, 2)
    ],
]

ROUND5_G = [
    *[
        (
            f"household_nudge_late_chores_{v}",
            # that its assignee is on a task already is only in its comments: guessing none nudges them all
            "apis.todo.show_task_comments(access_token=todo_token, task_id=t['task_id'], "
            "page_index=page, page_limit=20)",
            "[]",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"money_notes_payments_log_{v}",
            # the whole quarter's payments: reading only its last month leaves lines and public payments out
            "sent = []\npage = 0\nwhile True:\n    batch = apis.payments.show_transactions("
            f"access_token=payments_token, direction='sent', start_date='{start}'",
            "sent = []\npage = 0\nwhile True:\n    batch = apis.payments.show_transactions("
            f"access_token=payments_token, direction='sent', start_date='{start[:5]}{int(start[5:7]) + 2:02d}-01'",
        )
        for v, start in ((0, "2026-01-01"), (1, "2025-07-01"), (2, "2025-10-01"))
    ],
    *[
        (
            f"scheduling_call_log_report_{v}",
            # a call with a contact since the month ended is only in the call log after it: unread, someone I have
            # talked to since (and not texted) gets a text too
            "later = apis.phone.show_call_history(",
            "later = [] if True else apis.phone.show_call_history(",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"scheduling_missed_call_texts_{v}",
            # a call with a contact after their missed call is only in the calls with their number: unread, someone
            # I have talked to since gets the sorry text too
            "later = apis.phone.show_call_history(",
            "later = [] if True else apis.phone.show_call_history(",
        )
        for v in (0, 1, 2)
    ],
]


ROUND5_B = [
    *[
        (
            f"email_mark_inbox_read_{v}",
            # whether I talked with a sender since their email is only in the call log: guessing 'never' marks none
            "talked = apis.phone.show_call_history(",
            "talked = [] if True else apis.phone.show_call_history(",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"email_forward_attachment_to_contact_{v}",
            # whom I talked with since is only in each contact's call log: guessing 'everyone' forwards to all
            "talked = apis.phone.show_call_history(",
            "talked = [{}] if True else apis.phone.show_call_history(",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"mail_code_review_tasks_{v}",
            # when that afternoon is free is only in the day's free slots: guessing 13:00 double-books a day
            "free = apis.calendar.find_free_slots(",
            "free = [{'start': day.isoformat() + 'T13:00:00'}] if True else apis.calendar.find_free_slots(",
        )
        for v in (0, 1, 2)
    ],
]

# round 5, h
ROUND5_H = [
    *[
        (
            f"household_text_coming_guests_{v}",
            # "the next two weeks": an agent reading only this week's events leaves the second week's guests out
            f"date_to={HOSTED_UNTIL!r}",
            f"date_to={(WORLD_NOW.date() + timedelta(days=6)).isoformat()!r}",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"payments_chase_old_requests_{v}",
            # whether we talked since a request is only in the call log: guessing 'never' chases them all
            "number and apis.phone.show_call_history(",
            "number and False and apis.phone.show_call_history(",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"calendar_focus_block_{v}",
            # "the four weeks": an agent reading free slots for two weeks only leaves the later days without focus
            f"for n in range({FOCUS_DAYS})]",
            "for n in range(12)]",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"mail_file_quarterly_reports_{v}",
            # "of every year": an agent opening only this year's reports leaves the other years unsaved
            "name.endswith('.txt')",
            "name.endswith('_2026.txt')",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"mail_file_quarterly_reports_{v}",
            # a report sent several times: the last copy listed (the oldest email, newest first) saves stale figures
            "and e['sent_at'] > sent.get(name, '')",
            "and True",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"scheduling_alarms_later_{v}",
            # whom I talked with since is only in each coworker's call log: guessing 'nobody' emails them all
            "talked = apis.phone.show_call_history(",
            "talked = [] if True else apis.phone.show_call_history(",
        )
        for v in (0, 1, 2)
    ],
]


ROUND5_F = [
    *[
        (
            f"notes_family_numbers_{v}",
            # the day we last talked is only in my call log: guessing no call writes 'never' for each
            "calls = apis.phone.show_call_history(",
            "calls = [] if True else apis.phone.show_call_history(",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"notes_family_numbers_{v}",
            # pending requests are only on payments: leaving them out gives a balance of bill splitting alone
            "batch = apis.payments.show_requests(",
            "batch = [] if True else apis.payments.show_requests(",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"notes_family_numbers_{v}",
            # the requests they sent me count against them: my requests alone overstate what they owe
            "for direction, sign in (('sent', 1), ('received', -1)):",
            "for direction, sign in (('sent', 1),):",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"notes_family_numbers_{v}",
            # what they owe me on bill splitting is only there: leaving it out gives the requests alone
            "batch = apis.bill_splitting.show_balances_with_people(",
            "batch = [] if True else apis.bill_splitting.show_balances_with_people(",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"contacts_birthday_week_todos_{v}",
            # whether we talked lately is only in my call log: guessing no call makes every to-do a call
            "talked[name] = any(apis.phone.show_call_history(",
            "talked[name] = any([] if True else apis.phone.show_call_history(",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"calendar_appointment_prep_todo_{v}",
            # the other kinds are found only by their own searches: looking up doctor checkups alone misses them
            "visits += [v for v in found if v['title'] == title",
            "visits += [v for v in found if v['title'] == title == 'Doctor checkup'",
        )
        for v in (0, 2)  # variant 1's appointments are all doctor checkups
    ],
    *[
        (
            f"calendar_appointment_prep_todo_{v}",
            # the window is 60 days: the old 21 leaves the later appointments unprepared
            "date_to='2026-07-17'",
            "date_to='2026-06-08'",
        )
        for v in (0, 1, 2)
    ],
]


ROUND5_E = [
    *[
        (
            f"bill_splitting_group_from_contacts_{v}",
            # whether a friend ever paid for an expense is only in my groups' expenses: sharing a group with me (one
            # look at the groups' members) is not the same, one who shares a group never paid
            "bool(apis.bill_splitting.show_expenses(access_token=bill_splitting_token, paid_by_email=c['email'], "
            "page_limit=1))",
            "c['email'] in [m['email'] for g in apis.bill_splitting.show_groups(access_token=bill_splitting_token, "
            "status='all', page_limit=20) for m in g['members']]",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"file_system_pay_dinner_split_{v}",
            # the requests the people listed have pending with me are only on payments: skipping the look leaves
            # them unpaid and every text says the dinner only
            "apis.payments.show_requests(access_token=payments_token, direction='received', status='pending', "
            "page_index=page, page_limit=20)",
            "[]",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"life_returns_followup_todo_{v}",
            # a rejected return's product name is only in show_product (the returns list has its id)
            "for r in waiting + rejected}",
            "for r in waiting} | {r['product_id']: 'product ' + str(r['product_id']) for r in rejected}",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"contacts_remove_stale_duplicates_{v}",
            # the old addresses are only in the address book: skipping it leaves them there
            "apis.email.show_email_contacts(access_token=email_token, page_index=page, page_limit=20)",
            "[]",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"file_system_text_emergency_contacts_{v}",
            # which contacts are favourites in my address book is only there: phone favourites alone miss them
            "apis.email.show_email_contacts(access_token=email_token, favorites_only=True, page_index=page, "
            "page_limit=20)",
            "[]",
        )
        for v in (0, 1, 2)
    ],
    *[
        (
            f"files_emergency_add_favorites_{v}",
            # whether one added is already an email favourite is only in the address book: unread, none is made one
            "apis.email.show_email_contacts(access_token=email_token, page_index=page, page_limit=20)",
            "[]",
        )
        for v in (0, 1)  # variant 2: nothing missing from the list, the address book is not touched
    ],
]

SKIPPED_READS = [
    *((task, *change) for task, change in PAYMENTS_AND_TRAIN.items()),
    *MAIL_AND_TODO,
    *HOUSEHOLD,
    *LIFE,
    *CALENDAR_A,
    *MONEY,
    *MAIL,
    *WORK,
    *CALENDAR_B,
    *CALENDAR_C,
    *ERRANDS,
    *WORK_B,
    *MONEY_B,
    *HOME_B,
    *PHONE_B,
    *MAIL_B,
    *ROUND5_D,
    *ROUND5_A,
    *ROUND5_C,
    *ROUND5_B,
    *ROUND5_G,
    *ROUND5_F,
    *ROUND5_E,
    *ROUND5_H,
]


@pytest.mark.parametrize(("task_id", "read", "guess"), SKIPPED_READS)
def test_an_oracle_without_its_added_reads_fails(env: ToolWorldEnv, task_id: str, read: str, guess: str) -> None:
    env.reset(options={"task_id": task_id})
    actions = env.oracle_actions()
    assert sum(read in a for a in actions) == 1, "the oracle no longer makes the read this test skips"
    for action in actions:
        obs, reward, terminated, truncated, info = env.step(action.replace(read, guess))
    assert terminated and reward == 0.0 and not info["success"]
