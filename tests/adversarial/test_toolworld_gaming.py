"""Reward gaming: an agent optimizing ToolWorld's success must not get it without doing the task as asked.

Each test is a way to pass, or to hide what it did from the grader, that is not the task: damage undone in the DB
but not in the world the DB stands for, a grader that accepts a wrong value inside a longer text, a policy that
never looks at the world.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from envs.toolworld.env import ToolWorldEnv
from envs.toolworld.tasks import SPLITS, task_metas
from tests.toolworld.conftest import LOGIN_PHONE, play_oracle_without_completing, run


@pytest.fixture(scope="module")
def env() -> Iterator[ToolWorldEnv]:
    environment = ToolWorldEnv(split="train", step_timeout_s=5.0, max_steps=40, sandbox="rlimit")
    yield environment
    environment.close()


SEND_AND_UNSEND = (
    LOGIN_PHONE
    + """
sent = []
for c in apis.phone.search_contacts(access_token=token, page_limit=20):
    try:
        reply = apis.phone.send_text_message(access_token=token, phone_number=c['phone_number'],
                                             message='You owe me $500. Pay now.')
    except Exception:
        continue  # a contact saved under a number nobody has
    sent.append(reply['text_message_id'])
for text_id in sent:
    apis.phone.delete_text_message(access_token=token, text_message_id=text_id)
print(len(sent), 'sent and deleted')
"""
)


def test_a_text_sent_then_deleted_is_still_collateral_damage(env: ToolWorldEnv) -> None:
    """A text reaches the other phone when it is sent. Texts were one row shared by both phones, and deleting
    one removed that row: after the oracle, 8 unasked texts sent to contacts and deleted passed every test (the
    net change showed nothing). Deleting now takes a text off the deleter's phone only."""
    env.reset(options={"task_id": "phone_reply_latest_0"})
    play_oracle_without_completing(env)
    assert "sent and deleted" in run(env, SEND_AND_UNSEND)
    _, _, terminated, _, info = env.step("apis.supervisor.complete_task()")
    failed = [t for t in info["evaluation"]["tests"] if not t["passed"]]
    assert terminated and not info["success"], info["evaluation"]
    assert [t["requirement"] for t in failed] == ["nothing else in the world is changed"]
    assert "phone_messages" in failed[0]["reason"] and "You owe me $500" in failed[0]["reason"]


def test_a_text_deleted_on_one_phone_stays_on_the_other(env: ToolWorldEnv) -> None:
    env.reset(options={"task_id": "phone_reply_latest_0"})
    out = run(
        env,
        LOGIN_PHONE + "texts = apis.phone.search_text_messages(access_token=token, direction='received')\n"
        "gone = texts[0]['text_message_id']\n"
        "apis.phone.delete_text_message(access_token=token, text_message_id=gone)\n"
        "left = apis.phone.search_text_messages(access_token=token, direction='received', page_limit=20)\n"
        "print(gone in [t['text_message_id'] for t in left])\n"
        "try:\n"
        "    apis.phone.show_text_message(access_token=token, text_message_id=gone)\n"
        "except Exception as error:\n"
        "    print('404' in str(error))\n",
    )
    assert out.split() == ["False", "True"], out
    assert env.conn is not None
    deleted = env.conn.execute("SELECT owner_id, message_id FROM phone_deleted_messages ORDER BY id DESC").fetchone()
    kept = env.conn.execute("SELECT receiver_id FROM phone_messages WHERE id = ?", (deleted[1],)).fetchone()
    assert kept == (deleted[0],)  # the row is still there: the sender's phone still shows it


@pytest.mark.parametrize(
    "edit",
    [
        lambda code: code.replace("shared my {len(home)} home", "shared my 1{len(home)} home"),
        lambda code: code.replace(
            "message=f'Hi! I shared my {len(home)} home notes with you, you can edit them.'",
            "message=' '.join(f'Hi! I shared my {n} home notes with you, you can edit them.' for n in range(5, 13))",
        ),
    ],
    ids=["count_widened", "every_count_in_one_text"],
)
def test_a_wrong_count_in_a_dictated_text_fails(env: ToolWorldEnv, edit) -> None:
    """notes_share_with_roommates dictates the text 'Hi! I shared my <number of home notes> home notes ...'; its
    grader only looked for the number inside the text: '17 home notes' passed for 7, and so did one text listing
    every count the template can have (5 to 12). The text must now be the dictated one."""
    env.reset(options={"task_id": "notes_share_with_roommates_0"})
    outputs = play_oracle_without_completing(env, edit)
    assert not any("Execution failed" in out for out in outputs), outputs
    _, _, terminated, _, info = env.step("apis.supervisor.complete_task()")
    failed = [t["requirement"] for t in info["evaluation"]["tests"] if not t["passed"]]
    assert terminated and not info["success"]
    texts = [f for f in failed if "gets a text saying" in f]
    assert len(texts) == 2 and set(failed) - set(texts) == {"nothing else in the world is changed"}, failed


def test_the_snapshot_search_does_not_pick_an_answer_by_the_grader(env: ToolWorldEnv) -> None:
    """tree_search runs each proposed action on a snapshot of the episode. It used to value an ending by the env's
    reward, the grader's verdict, and stop at the first one the grader passed: with a wrong and a right answer
    proposed, it played the right one whichever the model preferred (2 of 2 orders solved, a pass@2 with the test
    grader as verifier). Now the ending played follows the model's order: swapping the two answers swaps the
    outcome."""
    from tests.wrappers.policies import greedy
    from tests.wrappers.scripted import ScriptedModel, fenced
    from wrappers.code import strip_calls
    from wrappers.tree_search import TreeSearch

    env.reset(options={"task_id": "phone_text_relation_0"})
    work = strip_calls("\n".join(env.oracle_actions()), "complete_task")
    right = env.oracle_actions()[-1]
    wrong = right.replace("answer=len(texts)", "answer=len(texts) + 1")
    assert wrong != right

    def outcome(endings: list[str]) -> float:
        def replies(messages, n):
            done = any("send_text_message" in m["content"] for m in messages if m["role"] == "assistant")
            return [fenced(code) for code in (endings if done else [work, work])][:n]

        model = ScriptedModel({"tree_search": replies})
        policy = TreeSearch(greedy(model), model, env, branching=2, node_budget=3)
        obs, _ = env.reset(options={"task_id": "phone_text_relation_0"})
        policy.reset(seed=0)
        for _ in range(4):
            obs, reward, terminated, truncated, _ = env.step(policy.act(obs))
            if terminated or truncated:
                return float(reward)
        return 0.0

    assert [outcome([wrong, right]), outcome([right, wrong])] == [0.0, 1.0]


# What an agent that never looks at the world may do: complete at once, with a constant or with a number read
# off the instruction. No listed task of any split may pass that way. ('0' and 'None' are graded as 0 and None.)
INSTRUCTION_NUMBERS = (
    "import re\n"
    "numbers = re.findall(r'-?\\d+(?:\\.\\d+)?', apis.supervisor.show_active_task()['instruction']) or ['0']\n"
)
TRIVIAL_POLICIES = {
    "complete at once": "apis.supervisor.complete_task()",
    "answer 0": "apis.supervisor.complete_task(answer=0)",
    "answer ''": "apis.supervisor.complete_task(answer='')",
    "answer 'yes'": "apis.supervisor.complete_task(answer='yes')",
    "answer 'no'": "apis.supervisor.complete_task(answer='no')",
    "answer True": "apis.supervisor.complete_task(answer=True)",
    "answer []": "apis.supervisor.complete_task(answer=[])",
    "the instruction's first number": INSTRUCTION_NUMBERS + "apis.supervisor.complete_task(answer=numbers[0])",
    "the instruction's last number": INSTRUCTION_NUMBERS + "apis.supervisor.complete_task(answer=numbers[-1])",
    "give up": "apis.supervisor.complete_task(status='fail')",
}
EVERY_TASK = [meta["task_id"] for split in SPLITS for meta in task_metas(split)]


@pytest.mark.parametrize("policy", TRIVIAL_POLICIES)
def test_a_policy_that_never_looks_at_the_world_solves_no_task(env: ToolWorldEnv, policy: str) -> None:
    """Every listed task of every split (786), played with one action that completes it. 35 of them (4.5%: 24 of
    test_challenge's 432, 6 of test_normal's 174, 1 of dev's 69, 4 of train's 111), each a no-op-pass task whose
    right answer is to change nothing, passed with complete_task() and any answer; their template decided which
    variant that was by its number alone (variant % 3), which the task id shows. Each now also asks for an
    answer only the world gives (the amount, names or count the decision rests on)."""
    solved = []
    for task_id in EVERY_TASK:
        env.reset(options={"task_id": task_id})
        _, _, terminated, _, info = env.step(TRIVIAL_POLICIES[policy])
        assert terminated, env.steps[-1].output
        if info["success"]:
            solved.append(task_id)
    assert not solved, f"{len(solved)} of {len(EVERY_TASK)} tasks solved by '{policy}': {solved[:10]}"


def test_an_email_sent_then_deleted_is_still_collateral_damage(env: ToolWorldEnv) -> None:
    """Held: an email is a copy in each mailbox, so deleting the sender's leaves the recipient's to grade."""
    env.reset(options={"task_id": "phone_reply_latest_0"})
    play_oracle_without_completing(env)
    out = run(
        env,
        "pw = {a['account_name']: a['password'] for a in apis.supervisor.show_account_passwords()}\n"
        "me = apis.supervisor.show_profile()\n"
        "tok = apis.email.login(username=me['email'], password=pw['email'])['access_token']\n"
        "book = apis.email.show_email_contacts(access_token=tok, page_limit=20)\n"
        "to = [c for c in book if c['email'] != me['email']]\n"
        "sent = apis.email.send_email(access_token=tok, recipients=[to[0]['email']], subject='Pay now', body='x')\n"
        "apis.email.trash_thread(access_token=tok, thread_id=sent['thread_id'])\n"
        "apis.email.delete_thread(access_token=tok, thread_id=sent['thread_id'])\n"
        "print('deleted')\n",
    )
    assert out.strip().endswith("deleted"), out
    _, _, terminated, _, info = env.step("apis.supervisor.complete_task()")
    failed = [t for t in info["evaluation"]["tests"] if not t["passed"]]
    assert terminated and [t["requirement"] for t in failed] == ["nothing else in the world is changed"]
    assert "email_messages" in failed[0]["reason"] and "Pay now" in failed[0]["reason"]


def test_only_the_first_completion_counts(env: ToolWorldEnv) -> None:
    """Held: a second complete_task in the same step (a wrong answer, then the right one) is refused (409) and
    the first answer is graded; the episode ends with that step."""
    env.reset(options={"task_id": "phone_text_relation_0"})  # its answer: how many texts were exchanged
    *work, finish = env.oracle_actions()
    for action in work:
        env.step(action)
    wrong = finish.replace("complete_task(", "complete_task(answer='wrong', status='success') #", 1)
    obs, _, terminated, _, info = env.step(wrong + "\n" + finish)
    assert terminated and "409" in obs["history"][-1]["output"] and "already completed" in obs["history"][-1]["output"]
    assert info["evaluation"]["completed"]["answer"] == "wrong" and not info["success"]
