"""trainfree/AppWorld-v0 against the real AppWorld: its APIs, its evaluator, snapshots, a worker that dies.

The dataset is conftest.py's: task a1b2c3d_1 asks for a SimpleNote note
(Groceries / milk, eggs), e4f5a6b_1 asks how many notes the supervisor has (2).
"""

from __future__ import annotations

import importlib.util
import sys

import gymnasium as gym
import pytest

import envs  # noqa: F401 - registers trainfree/AppWorld-v0

LOGIN = (
    "passwords = {a['account_name']: a['password'] for a in apis.supervisor.show_account_passwords()}\n"
    "t = apis.simple_note.login(username='ada.byron@example.com', password=passwords['simple_note'])['access_token']"
)
CREATE = "print(apis.simple_note.create_note(access_token=t, title='Groceries', content='milk, eggs'))"


@pytest.fixture(scope="module")
def env(appworld_python, appworld_root):
    env = gym.make("trainfree/AppWorld-v0", python=appworld_python, root=str(appworld_root), max_steps=6)
    yield env
    env.close()


@pytest.mark.skipif(importlib.util.find_spec("appworld") is not None, reason="appworld is in this interpreter too")
def test_an_interpreter_without_appworld_gives_install_instructions(tmp_path) -> None:
    env = gym.make("trainfree/AppWorld-v0", python=sys.executable, root=str(tmp_path))
    with pytest.raises(ImportError, match="cannot run AppWorld .*No module named 'appworld'.*pip install appworld"):
        env.reset(options={"task_id": "a1b2c3d_1"})
    env.close()


def test_tasks_and_docs_come_from_appworld(env) -> None:
    base = env.unwrapped
    assert base.list_tasks("dev") == [
        {"task_id": "a1b2c3d_1", "split": "dev", "difficulty": 1, "scenario": "a1b2c3d"},
        {"task_id": "a1b2c3d_2", "split": "dev", "difficulty": 1, "scenario": "a1b2c3d"},
        {"task_id": "e4f5a6b_1", "split": "dev", "difficulty": 1, "scenario": "e4f5a6b"},
    ]
    obs, info = env.reset(options={"task_id": "e4f5a6b_1"})
    sandbox = info.pop("sandbox")  # the worker's layers: test_confinement.py
    assert info == {"task_id": "e4f5a6b_1", "split": "dev", "difficulty": 1, "scenario": "e4f5a6b"}
    assert {"landlock", "seccomp", "rlimits", "capabilities"} <= set(sandbox)
    assert obs["instruction"] == "How many notes do I have in my SimpleNote account?"
    assert "Ada Byron" in obs["context"] and "2026-01-15" in obs["context"]
    assert '"name": "title"' in base.api_doc("simple_note", "create_note")
    with pytest.raises(RuntimeError, match="no API 'make_note' in simple_note"):
        base.api_doc("simple_note", "make_note")


def test_an_episode_runs_real_apis_and_appworld_grades_it(env) -> None:
    obs, _ = env.reset(options={"task_id": "a1b2c3d_1"})
    obs, *_ = env.step(LOGIN + "\nprint(len(apis.simple_note.search_notes(access_token=t)))")
    assert obs["history"][-1]["output"].strip() == "2"
    obs, *_ = env.step("apis.simple_note.create_note(access_token=t, title='Groceries')")
    assert "Execution failed" in obs["history"][-1]["output"] and "content" in obs["history"][-1]["output"]
    obs, *_ = env.step(CREATE)
    assert '"note_id": 4' in obs["history"][-1]["output"]
    obs, reward, terminated, truncated, info = env.step("apis.supervisor.complete_task()")
    assert (reward, terminated, truncated, info["success"]) == (1.0, True, False, True)
    assert info["metrics"] == {"success": 1.0, "tests_passed": 2, "tests_failed": 0, "tests_total": 2, "steps": 4}
    with pytest.raises(RuntimeError, match="the episode is over"):
        env.step("print(1)")


def test_a_wrong_answer_fails_appworlds_answer_test(env) -> None:
    env.reset(options={"task_id": "e4f5a6b_1"})
    obs, reward, terminated, _, info = env.step("apis.supervisor.complete_task(answer=3)")
    assert terminated and reward == 0.0 and not info["success"]
    assert info["metrics"]["tests_passed"] == 1 and info["metrics"]["tests_failed"] == 1
    (failure,) = info["evaluation"]["failures"]
    assert failure["requirement"] == "the answer is the number of the supervisor's SimpleNote notes"


def test_the_step_budget_ends_an_episode_with_appworlds_evaluation(env) -> None:
    env.reset(options={"task_id": "a1b2c3d_2"})
    for _ in range(5):
        assert not env.step("print('thinking')")[3]
    obs, reward, terminated, truncated, info = env.step("print('still thinking')")
    assert (terminated, truncated, reward, info["metrics"]["tests_total"]) == (False, True, 0.0, 2)


def test_a_restore_returns_to_the_snapshot_refusals_included(env) -> None:
    base = env.unwrapped
    env.reset(options={"task_id": "a1b2c3d_1"})
    env.step(12345)  # refused, never run: on replay too
    env.step("x" * (base.max_action_chars + 1))
    env.step(LOGIN)
    snapshot = base.get_state()
    first = env.step(CREATE)[0]["history"][-1]["output"]
    base.set_state(snapshot)
    obs = base._observation()
    assert [t["output"][:18] for t in obs["history"]] == [
        "Invalid action: ex",
        "Invalid action: 50",
        "Execution successf",
    ]
    assert env.step(CREATE)[0]["history"][-1]["output"] == first  # the same note id: the first one was undone
    info = env.step("apis.supervisor.complete_task()")[4]
    assert info["success"], info["evaluation"]  # exactly one note was added


def test_a_worker_that_dies_is_restarted_with_the_episode_replayed(env) -> None:
    base = env.unwrapped
    env.reset(options={"task_id": "e4f5a6b_1"})
    env.step(LOGIN)
    base._worker._proc.kill()  # as the OOM killer would
    obs, *_ = env.step("print(len(apis.simple_note.search_notes(access_token=t)))")
    output = obs["history"][-1]["output"]
    assert output.startswith("Execution failed: the AppWorld worker") and "world was restarted" in output
    obs, *_ = env.step("print(len(apis.simple_note.search_notes(access_token=t)))")
    assert obs["history"][-1]["output"].strip() == "2"  # `t` is back: the login ran again in the new world
    assert env.step("apis.supervisor.complete_task(answer=2)")[4]["success"]


def test_agent_code_that_patches_appworlds_evaluator_does_not_change_the_grade(env) -> None:
    """AppWorld's guard lets agent code import appworld; the grade comes from a worker no agent code ran in."""
    env.reset(options={"task_id": "e4f5a6b_1"})
    patch = "import appworld.evaluator as e\ne.TestTracker.success = property(lambda self: True)\nprint('patched')"
    assert env.step(patch)[0]["history"][-1]["output"].strip() == "patched"
    reward, info = env.step("apis.supervisor.complete_task(answer=99)")[1::3]
    assert reward == 0.0 and not info["success"] and info["metrics"]["tests_failed"] == 1


def test_an_extra_line_on_the_answer_pipe_is_a_fault_and_the_world_is_rebuilt(env) -> None:
    """Answers must carry their request's random id: a stray line (AppWorld's guard stops agent code writing one the
    simple ways; this one is sent straight to the worker) is never taken for the step's answer."""
    base = env.unwrapped
    env.reset(options={"task_id": "e4f5a6b_1"})
    env.step(LOGIN)
    base._worker._proc.stdin.write(b'{"op": "completed", "id": "not-the-steps"}\n')  # answered before the step's
    obs, reward, terminated, *_ = env.step("apis.supervisor.complete_task(answer=2)")
    assert not terminated and "is not its answer" in obs["history"][-1]["output"]
    obs, *_ = env.step("print(len(apis.simple_note.search_notes(access_token=t)))")
    assert obs["history"][-1]["output"].strip() == "2"  # a new world, the login replayed
