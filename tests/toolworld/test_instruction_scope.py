"""A template's instruction must state which items count wherever the world holds an item a careful agent could
count the other way: the graders then reward the reading the instruction gives, not a guess. Each case is a
variant whose world holds such an item (checked here, so the sentence is needed) and the sentence that settles it."""

from __future__ import annotations

import pytest

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
]


@pytest.mark.parametrize(("task_id", "other_reading", "stated"), SCOPES)
def test_the_instruction_settles_an_item_the_world_holds(task_id: str, other_reading: str, stated: str) -> None:
    spec = load_task(task_id).spec
    args: list[object] = [spec.supervisor_id]
    assert world_view(0).value(other_reading, *args) >= 1, "the world no longer holds the item read the other way"
    assert stated in spec.instruction
