"""The Gymnasium contract: check_env, determinism, snapshots, bad actions, vector and threaded use."""

from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import envs  # noqa: F401  (registers trainfree/ToolWorld-v0)
from envs.toolworld.env import ToolWorldEnv
from envs.toolworld.figures import difficulty_of
from envs.toolworld.tasks import list_tasks
from envs.toolworld.world.build import generate

from .conftest import LOGIN_PHONE, play_oracle_without_completing, run


@pytest.mark.filterwarnings("error")  # gymnasium's checker warns where it cannot be sure: none may be left
def test_check_env_passes() -> None:
    env = gym.make("trainfree/ToolWorld-v0", split="dev", max_steps=5, render_mode="ansi")
    try:
        check_env(env.unwrapped)
    finally:
        env.close()


def test_same_seed_same_world_and_task() -> None:
    assert generate(7, n_people=20) == generate(7, n_people=20)  # a small world keeps this test fast
    assert generate(7, n_people=20) != generate(8, n_people=20)
    picks = []
    for _ in range(2):
        env = ToolWorldEnv(split="train")
        obs, info = env.reset(seed=11)
        picks.append((info["task_id"], obs["instruction"], obs["context"]))
        env.close()
    assert picks[0] == picks[1]
    assert [t.spec.instruction for t in list_tasks("train")] == [t.spec.instruction for t in list_tasks("train")]


def test_reset_meta_and_unknown_task_id(env: ToolWorldEnv) -> None:
    obs, info = env.reset(options={"task_id": "phone_reply_latest_4"})  # variants beyond the listed ones exist too
    assert info["scenario"] == "phone_reply_latest" and obs["steps_left"] == env.max_steps
    assert info["difficulty"] == difficulty_of("phone_reply_latest", 0)  # a variant not measured: its scenario's
    with pytest.raises(ValueError, match="unknown task id 'no_such_task_1'"):
        env.reset(options={"task_id": "no_such_task_1"})
    with pytest.raises(ValueError, match="unknown split"):
        ToolWorldEnv(split="validation")
    with pytest.raises(ValueError, match="step_timeout_s must be >= 0.01, got 0"):
        ToolWorldEnv(step_timeout_s=0)


def test_variables_persist_and_time_is_frozen(env: ToolWorldEnv) -> None:
    env.reset(options={"task_id": "phone_reply_latest_0"})
    run(env, "x = 41")
    assert run(env, "print(x + 1)") == "42\n"
    assert run(env, "y = 2") == "Execution successful."
    assert (
        run(
            env,
            "import datetime, time\n"
            "print(datetime.datetime.now().isoformat(), time.time() == datetime.datetime.now().timestamp())",
        )
        == "2026-05-18T10:30:00 True\n"
    )


def test_the_api_stub_builds_each_name_once_and_keeps_python_names_to_python(env: ToolWorldEnv) -> None:
    """`apis.app.api` is built on first use and found directly after (the worker's Remote keeps its children);
    names of Python's own (`__class__`, `__len__`) are never taken for apps."""
    env.reset(options={"task_id": "phone_reply_latest_0"})
    assert run(env, "print(apis.phone is apis.phone, apis.phone.login is apis.phone.login, apis.phone.login)") == (
        "True True <remote phone.login>\n"
    )
    out = run(env, "len(apis.phone)")
    assert "TypeError" in out and "has no len()" in out, out
    assert "No API named 'nope'" in run(env, "apis.phone.nope()")


def test_bad_actions_get_an_error_observation_not_a_crash(env: ToolWorldEnv) -> None:
    env.reset(options={"task_id": "phone_reply_latest_0"})
    obs, reward, terminated, truncated, _ = env.step(12345)
    assert "expected a string of Python code, got int" in obs["history"][-1]["output"] and not terminated
    obs, *_ = env.step("x" * (env.max_action_chars + 1))
    assert "the limit is" in obs["history"][-1]["output"]
    assert run(env, "def broken(:").startswith("Execution failed. Traceback:") and "SyntaxError" in run(
        env, "def broken(:"
    )


def test_step_budget_truncates_with_evaluation() -> None:
    env = ToolWorldEnv(split="train", max_steps=2)
    env.reset(options={"task_id": "phone_reply_latest_0"})
    _, _, terminated, truncated, info = env.step("x = 1")
    assert not terminated and not truncated and "evaluation" not in info
    _, reward, terminated, truncated, info = env.step("x = 2")
    assert truncated and not terminated and reward == 0.0
    assert info["evaluation"]["tests"][0]["reason"] == "complete_task was never called"
    with pytest.raises(RuntimeError, match="reset"):
        env.step("x = 3")
    env.close()


def test_snapshot_restore_round_trip(env: ToolWorldEnv) -> None:
    env.reset(options={"task_id": "phone_text_all_of_kind_0"})
    run(env, LOGIN_PHONE + "sent = 0\nimport random\nluck = random.random()")
    state = pickle.loads(pickle.dumps(env.get_state()))
    before = run(env, "print(luck, sent)")
    run(
        env,
        "c = apis.phone.search_contacts(access_token=token)[0]\n"
        "apis.phone.delete_contact(access_token=token, contact_id=c['contact_id'])\n"
        "sent = 99",
    )
    env.set_state(state)
    assert run(env, "print(luck, sent)") == before
    assert (
        run(env, "print(len(apis.phone.search_contacts(access_token=token, page_limit=20, page_index=0)) > 0)")
        == "True\n"
    )
    for action in env.oracle_actions():
        _, reward, *_, info = env.step(action)
    assert reward == 1.0, info["evaluation"]


def test_threads_each_have_their_own_episode() -> None:
    ids = [t.task_id for t in list_tasks("train")][:4]

    def play(task_id: str) -> float:
        env = ToolWorldEnv(split="train", spare_worker=False)
        try:
            env.reset(options={"task_id": task_id})
            reward = 0.0
            for action in env.oracle_actions():
                _, reward, *_ = env.step(action)
            return reward
        finally:
            env.close()

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(play, ids)) == [1.0] * len(ids)


def test_async_vector_env() -> None:
    vec = gym.vector.AsyncVectorEnv(
        [lambda: gym.make("trainfree/ToolWorld-v0", split="train", max_steps=3)] * 2, shared_memory=False
    )
    try:
        obs, infos = vec.reset(seed=[1, 2])
        assert len(obs["task_id"]) == 2
        obs, rewards, terminated, truncated, infos = vec.step(("print(1)", "apis.supervisor.complete_task()"))
        assert list(terminated) == [False, True] and obs["history"][0][-1]["output"] == "1\n"
    finally:
        vec.close()


def test_string_hashing_is_fixed_so_replays_are_exact() -> None:
    code = "print(list({'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'}))"
    outputs = []
    for _ in range(2):
        env = ToolWorldEnv(split="train")
        env.reset(options={"task_id": "phone_reply_latest_0"})
        outputs.append(run(env, code))
        env.close()
    assert outputs[0] == outputs[1]


def test_world_cache_is_written_once_and_stale_versions_go(tmp_path, monkeypatch) -> None:
    from envs.toolworld.world import build

    monkeypatch.setenv("TRAINFREE_CACHE", str(tmp_path))
    monkeypatch.setattr(build, "_memory", {})
    stale = tmp_path / "toolworld" / "0000stale0000000"
    stale.mkdir(parents=True)
    data = build.template_bytes(0)
    cached = build.cache_dir() / f"0_{build.DEFAULT_PEOPLE}.db"
    assert cached.read_bytes() == data and not stale.exists()
    build._memory.clear()
    assert build.template_bytes(0) == data  # read back from disk, same world


def _dump(conn) -> dict:
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {t: sorted(conn.execute(f"SELECT rowid, * FROM {t}").fetchall(), key=repr) for t in tables}


def test_snapshot_restores_the_exact_db_in_another_env() -> None:
    source, target = ToolWorldEnv(split="train"), ToolWorldEnv(split="train", spare_worker=False)
    try:
        source.reset(options={"task_id": "shop_buy_cheapest_rated_0"})  # deletes, inserts and updates rows
        play_oracle_without_completing(source)
        assert run(source, "x = 0.1 + 0.2") == "Execution successful."
        run(source, LOGIN_PHONE + "apis.phone.create_alarm(access_token=token, time='06:10', label='after')")
        state = pickle.loads(pickle.dumps(source.get_state()))
        assert len(pickle.dumps(state)) < 200_000  # row changes and the steps' replies, not the 35 MB DB
        target.reset(options={"task_id": "phone_reply_latest_0"})
        target.set_state(state)
        assert _dump(target.conn) == _dump(source.conn)
        assert run(target, "print(x == 0.1 + 0.2, shop_token[:6])") == run(
            source, "print(x == 0.1 + 0.2, shop_token[:6])"
        )
        _, reward, _, _, info = target.step("apis.supervisor.complete_task()")
        assert (
            "unexpected changes" in info["evaluation"]["tests"][-1]["reason"]
            and "after" in info["evaluation"]["tests"][-1]["reason"]
        )
    finally:
        source.close()
        target.close()
