"""SelectorSession: parallel episodes finishing out of order, state on disk, resume, summary."""

from __future__ import annotations

import json
import random
import threading

import pytest

from policies.selection import make_selector
from policies.selection.session import JOURNAL_FILE, SelectorSession

ARMS = [[], ["summarize"], ["summarize", "correct"]]
CFG = {"name": "thompson", "arms": ARMS, "seed": 5}


def reward_of(arm: int, episode: int) -> float:
    return float((episode * 7 + arm * 3) % 10 < 3 + 3 * arm)  # arm 2 best, deterministic


def test_parallel_episodes_finishing_out_of_order(tmp_path):
    session = SelectorSession.from_config(CFG, tmp_path)
    arms: dict[int, int] = {}
    lock = threading.Lock()

    def worker(episodes):
        for episode in episodes:
            choice = session.start(episode)
            with lock:
                arms[episode] = choice.arm
            assert list(choice.stack) == ARMS[choice.arm]
        random.Random(episodes[0]).shuffle(episodes)
        for episode in episodes:
            session.finish(episode, reward_of(arms[episode], episode))

    threads = [threading.Thread(target=worker, args=(list(range(i, 200, 8)),)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    summary = session.summary()
    assert summary["episodes"] == 200
    assert sum(row["pulls"] for row in summary["arms"]) == 200 == session.selector.updates
    assert [row["pulls"] for row in summary["arms"]] == [list(arms.values()).count(a) for a in range(3)]
    assert summary["cumulative_reward"] == sum(reward_of(arm, ep) for ep, arm in arms.items())
    on_disk = SelectorSession.load(tmp_path / JOURNAL_FILE)  # replaying the journal: the same state, RNG included
    assert on_disk.state() == session.state()


def run_episodes(session, episodes):
    for episode in episodes:
        session.finish(episode, reward_of(session.start(episode).arm, episode))


def test_killed_run_resumes_exactly(tmp_path):
    straight = SelectorSession.from_config(CFG, tmp_path / "straight")
    run_episodes(straight, range(40))

    first = SelectorSession.from_config(CFG, tmp_path / "killed")
    run_episodes(first, range(30))
    pending = first.start(30)  # started, then the process died
    del first
    resumed = SelectorSession.from_config(CFG, tmp_path / "killed")
    assert resumed.start(30) == pending  # same arm again, no second select()
    resumed.finish(30, reward_of(pending.arm, 30))
    run_episodes(resumed, range(31, 40))
    assert resumed.episodes == straight.episodes
    assert resumed.selector.state_dict() == straight.selector.state_dict()


def test_resuming_with_another_selector_config_is_refused(tmp_path):
    run_episodes(SelectorSession.from_config(CFG, tmp_path), range(3))
    with pytest.raises(ValueError, match="written by a different selector"):
        SelectorSession.from_config({**CFG, "seed": 6}, tmp_path)
    with pytest.raises(ValueError, match="written by a different selector"):
        SelectorSession.from_config({**CFG, "arms": ARMS[:2]}, tmp_path)
    with pytest.raises(ValueError, match="written by a different selector"):
        SelectorSession.from_config({**CFG, "error_reward": None}, tmp_path)
    journal = tmp_path / JOURNAL_FILE
    lines = journal.read_text().splitlines()
    journal.write_text("\n".join([lines[0], "{not json", *lines[1:]]) + "\n")
    with pytest.raises(ValueError, match="cannot resume selector journal .* line 2 is not JSON"):
        SelectorSession.from_config(CFG, tmp_path)


def test_a_line_torn_by_a_kill_is_cut_and_the_call_made_again(tmp_path):
    straight = SelectorSession.from_config(CFG, tmp_path / "straight")
    run_episodes(straight, range(10))
    session = SelectorSession.from_config(CFG, tmp_path / "torn")
    run_episodes(session, range(9))
    journal = tmp_path / "torn" / JOURNAL_FILE
    with open(journal, "a") as fh:
        fh.write('{"event": "start", "episode": "9", "ar')  # killed mid-write
    resumed = SelectorSession.from_config(CFG, tmp_path / "torn")
    assert journal.read_text().endswith("}\n")  # the torn tail is gone
    run_episodes(resumed, [9])
    assert resumed.state() == straight.state()
    assert SelectorSession.load(journal).state() == straight.state()


def test_a_journal_torn_while_being_created_starts_afresh(tmp_path):
    (tmp_path / JOURNAL_FILE).write_text('{"format": 1, "conf')
    session = SelectorSession.from_config(CFG, tmp_path)
    run_episodes(session, range(3))
    assert SelectorSession.load(tmp_path / JOURNAL_FILE).selector.updates == 3


def test_failed_episodes_teach_error_reward_and_can_be_retried(tmp_path):
    session = SelectorSession.from_config({**CFG, "name": "ucb1", "seed": 0}, tmp_path)
    choice = session.start("a@0")
    session.finish("a@0", None, error="Timeout: episode took too long")
    assert session.selector.pulls[choice.arm] == 1 and session.selector.reward_sum[choice.arm] == 0.0
    row = session.summary()["arms"][choice.arm]
    assert (row["errors"], row["pulls"]) == (1, 0)
    assert session.start("a@0") == choice  # a retry runs on the same arm
    session.finish("a@0", 1.0)
    assert session.summary()["arms"][choice.arm]["pulls"] == 1

    silent = SelectorSession.from_config({**CFG, "error_reward": None})
    silent.finish(silent.start(1).episode, None, error="server down")
    assert silent.selector.updates == 0


def test_misuse_gets_clear_errors():
    session = SelectorSession.from_config(CFG)
    with pytest.raises(ValueError, match="never started"):
        session.finish("x", 1.0)
    session.start("x")
    with pytest.raises(ValueError, match=r"reward must be in \[0, 1\]"):
        session.finish("x", 3.0)
    session.finish("x", 1.0)
    with pytest.raises(ValueError, match="already finished"):
        session.finish("x", 1.0)
    with pytest.raises(ValueError, match="already finished"):
        session.start("x")
    with pytest.raises(ValueError, match="error_reward"):
        SelectorSession.from_config({**CFG, "error_reward": 2})
    with pytest.raises(ValueError, match="needs an integer seed"):
        SelectorSession.from_config({**CFG, "seed": None}, "unused_run_dir")
    assert SelectorSession.from_config({"name": "none"}) is None


def test_summary_regret_against_the_best_arm_in_hindsight():
    session = SelectorSession(make_selector({"name": "naive", "n_arms": 2}), [(), ("summarize",)])
    session.selector.deployed = None  # feed chosen arms by hand through the episodes table
    plan = [(0, 1.0), (0, 1.0), (0, 0.0), (1, 0.0), (1, 1.0), (1, 0.0), (1, 0.0)]
    for i, (arm, reward) in enumerate(plan):
        session.episodes[str(i)] = {"arm": arm, "status": "pending", "reward": None, "error": None}
        session.selector.deployed = arm
        session.finish(i, reward)
    summary = session.summary()
    # arm 0: 2/3, arm 1: 1/4; best in hindsight earns 7 * 2/3, we earned 3
    assert summary["best_arm"] == 0
    assert summary["regret"] == pytest.approx(7 * 2 / 3 - 3)
    assert [row["mean_reward"] for row in summary["arms"]] == pytest.approx([2 / 3, 1 / 4])
    text = session.format_summary()
    assert "regret vs best arm in hindsight 1.67" in text and "summarize" in text
    assert json.loads(json.dumps(summary)) == summary
