"""The deepened templates (payments to-dos; train phone replies, labelled archiving) need their added reads: an
agent that skips them (replays the oracle with those reads replaced by a guess) fails the task, it is not merely
faster."""

from __future__ import annotations

import pytest

from envs.toolworld.env import ToolWorldEnv

# task -> (oracle text of the reads, what an agent skipping them would write instead)
SKIPPED_READS = {
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


@pytest.mark.parametrize("task_id", sorted(SKIPPED_READS))
def test_an_oracle_without_its_added_reads_fails(env: ToolWorldEnv, task_id: str) -> None:
    reads, guess = SKIPPED_READS[task_id]
    env.reset(options={"task_id": task_id})
    actions = env.oracle_actions()
    assert sum(reads in a for a in actions) == 1, "the oracle no longer makes the reads this test skips"
    for action in actions:
        obs, reward, terminated, truncated, info = env.step(action.replace(reads, guess))
    assert terminated and reward == 0.0 and not info["success"]
