"""The deepened mail and to-do templates need their added reads: an agent that skips them (replays the oracle with
those reads replaced by what the list already shows) fails the task, it is not merely faster."""

from __future__ import annotations

import pytest

from envs.toolworld.env import ToolWorldEnv

# (task, oracle text of a read, what an agent skipping it would write instead)
SKIPPED_READS = [
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


@pytest.mark.parametrize(("task_id", "read", "guess"), SKIPPED_READS)
def test_an_oracle_without_its_added_reads_fails(env: ToolWorldEnv, task_id: str, read: str, guess: str) -> None:
    env.reset(options={"task_id": task_id})
    actions = env.oracle_actions()
    assert sum(read in a for a in actions) == 1, "the oracle no longer makes the read this test skips"
    for action in actions:
        obs, reward, terminated, truncated, info = env.step(action.replace(read, guess))
    assert terminated and reward == 0.0 and not info["success"]
