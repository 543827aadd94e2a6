"""What an episode leaves in the world must not make grading it expensive, nor its report large.

The grader runs in the env process when the last step ends, after the worker's
time limit: nothing stops it. An agent may insert rows up to the episode's
storage bound (1,000 calls a step), so grading must stay linear in them; and
any stored text may hold 100,000 characters, so a test's reason quotes a cut.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from envs.toolworld.api import MAX_TEXT_CHARS
from envs.toolworld.env import ToolWorldEnv
from envs.toolworld.evaluate import Inserted, Updated
from envs.toolworld.tasks import load_task

LOGIN = """
passwords = {a['account_name']: a['password'] for a in apis.supervisor.show_account_passwords()}
me = apis.supervisor.show_profile()
token = apis.%s.login(username=me['email'], password=passwords['%s'])['access_token']
"""
PHONE_PEOPLE = """
numbers, page = [], 0
while batch := apis.phone.search_contacts(access_token=token, page_index=page, page_limit=20):
    numbers += [c['phone_number'] for c in batch if c['phone_number'] != me['phone_number']]
    page += 1
people = []
for number in dict.fromkeys(numbers):
    try:
        apis.phone.create_group_chat(access_token=token, name='probe', phone_numbers=[number])
        people.append(number)
    except Exception:
        pass  # a contact whose number is no one's phone
print(len(people))
"""
GROUPS = "for _ in range(200):\n    apis.phone.create_group_chat(access_token=token, name='x', phone_numbers=people)\n"
EMAILS = "for _ in range(990):\n    apis.email.send_email(access_token=token, recipients=[%r], subject=%r, body='x')\n"


@pytest.fixture
def episodes() -> Iterator[dict[str, ToolWorldEnv]]:
    made: dict[str, ToolWorldEnv] = {}
    yield made
    for environment in made.values():
        environment.close()


def start(episodes: dict[str, ToolWorldEnv], split: str, task_id: str) -> ToolWorldEnv:
    environment = ToolWorldEnv(split=split, max_steps=5, spare_worker=False, sandbox="rlimit", step_timeout_s=20)
    episodes[task_id] = environment
    environment.reset(options={"task_id": task_id})
    return environment


def grading_cpu_s(episode: ToolWorldEnv) -> float:
    """The env's CPU time for the last step, complete_task(): the worker's part is nothing, the rest is grading."""
    cpu = time.process_time()
    _, reward, terminated, _, info = episode.step("apis.supervisor.complete_task()")
    took = time.process_time() - cpu
    assert terminated and reward == 0.0 and not info["success"]
    return took


def test_grading_ties_new_rows_to_new_rows_by_lookup(episodes: dict[str, ToolWorldEnv]) -> None:
    """Each new member row was tied to its new group chat (NewRow) by scanning every change of the episode, once
    per expectation: on phone_text_all_of_kind (13 such expectations) one step of 990 `create_group_chat`s of 13
    contacts (14,000 member rows; the storage bound admits 37,000) made the last step take 430 s in the env (260 s
    of CPU), quadratic in the rows. 200 such calls (2,800 rows) took 5.0-9.6 s of CPU; an index now, built once."""
    episode = start(episodes, "train", "phone_text_all_of_kind_0")
    episode.step(LOGIN % ("phone", "phone") + PHONE_PEOPLE)
    assert int(episode.steps[-1].output.strip()) >= 10, episode.steps[-1].output
    episode.step(GROUPS)
    assert "Execution successful" in episode.steps[-1].output, episode.steps[-1].output
    took = grading_cpu_s(episode)
    assert took < 1.5, f"grading took {took:.1f} s of the env's CPU"


def test_grading_finds_a_new_conversation_by_lookup(episodes: dict[str, ToolWorldEnv]) -> None:
    """A new email thread's conversation (email's NewConversation) was found by scanning every change, for each
    thread of the asked subject in the asked mailbox: 990 emails of that subject to one guest of
    calendar_drop_declined_guests_2 (58 such expectations) took 4.5-6.0 s of the env's CPU to grade, quadratic in
    them (the storage bound admits ~20 such steps)."""
    task_id = "calendar_drop_declined_guests_2"
    thread = next(e for e in load_task(task_id, 0).spec.expectations if isinstance(e, Inserted))
    episode = start(episodes, "test_challenge", task_id)
    assert episode.conn is not None
    (email,) = episode.conn.execute("SELECT email FROM people WHERE id = ?", (thread.match["owner_id"],)).fetchone()
    episode.step(LOGIN % ("email", "email") + EMAILS % (email, thread.match["subject"]))
    assert "Execution successful" in episode.steps[-1].output, episode.steps[-1].output
    took = grading_cpu_s(episode)
    assert took < 1.5, f"grading took {took:.1f} s of the env's CPU"


def final_evaluation(episode: ToolWorldEnv) -> str:
    _, _, terminated, _, info = episode.step("apis.supervisor.complete_task()")
    assert terminated and not info["success"]
    return json.dumps(info["evaluation"])


def test_unexpected_changes_are_quoted_in_part(episodes: dict[str, ToolWorldEnv]) -> None:
    """The "nothing else is changed" test quoted its first five unexpected rows whole: five notes of 100,000
    characters made a failed episode's evaluation 500 KB of text (1.8 MB of JSON for characters outside ASCII),
    kept in its trajectory and report. Each row is cut at 1,000 characters now."""
    episode = start(episodes, "train", "phone_reply_latest_0")
    chunk = f"'\\u00e9' * {MAX_TEXT_CHARS - 1}"  # each append adds a line end
    grow = f"    note = apis.notes.create_note(access_token=token, title='t', content={chunk})['note_id']\n"
    grow += "    for _ in range(4):\n"
    grow += f"        apis.notes.append_to_note(access_token=token, note_id=note, text={chunk})\n"
    episode.step(LOGIN % ("notes", "notes") + "for _ in range(5):\n" + grow)
    assert "Execution successful" in episode.steps[-1].output, episode.steps[-1].output
    evaluation = final_evaluation(episode)
    assert "unexpected changes" in evaluation and len(evaluation) < 50_000, len(evaluation)


def test_a_wrong_value_is_quoted_in_part(episodes: dict[str, ToolWorldEnv]) -> None:
    """A row updated to the wrong value was quoted whole: mail_report_risks asks three report files updated, and
    filling each with 100,000 characters put 300,000 in the evaluation. Cut at 1,000 characters each now."""
    task_id = "mail_report_risks_0"
    updates = [e for e in load_task(task_id, 0).spec.expectations if isinstance(e, Updated)]
    episode = start(episodes, "train", task_id)
    assert episode.conn is not None
    files = "SELECT path FROM file_system_files WHERE id = ?"
    paths = [episode.conn.execute(files, (u.row_id,)).fetchone()[0] for u in updates]
    chunk = f"'x' * {MAX_TEXT_CHARS - 1}"  # each append adds a line end
    fill = f"    apis.file_system.update_file(access_token=token, path=path, content={chunk})\n"
    fill += "    for _ in range(4):\n"
    fill += f"        apis.file_system.append_to_file(access_token=token, path=path, content={chunk})\n"
    episode.step(LOGIN % ("file_system", "file_system") + f"for path in {paths!r}:\n" + fill)
    assert "Execution successful" in episode.steps[-1].output, episode.steps[-1].output
    evaluation = final_evaluation(episode)
    assert "has {'content'" in evaluation and len(evaluation) < 50_000, len(evaluation)
