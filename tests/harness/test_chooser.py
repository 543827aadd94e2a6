"""Online selection in the real harness: tiny env, oracle policy, one stack per episode."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import gymnasium as gym
import pytest
from omegaconf import OmegaConf

from envs.appworld import AppWorldEnv
from harness.choosers import SelectorChooser, make_stack_chooser
from harness.results import episode_key
from harness.run import RunRequest, run_evaluation
from policies.selection.session import JOURNAL_FILE, SelectorSession
from tests.harness.tiny_env import TinyEnv
from wrappers.stack import REGISTRY, WrapperSpec, parse_stack

REPO = Path(__file__).resolve().parents[2]
TINY_ENV = OmegaConf.to_container(OmegaConf.load(REPO / "tests/harness/conf/env/tiny.yaml"))
ORACLE = OmegaConf.to_container(OmegaConf.load(REPO / "conf/policy/oracle.yaml"))
ARMS = [[], ["sabotage"], ["noop"]]


class Sabotage(gym.ActionWrapper):
    """Replaces every action by a wrong answer: episodes under this stack fail."""

    def __init__(self, env, *, answer: str = "nothing"):
        super().__init__(env)
        self.answer = answer

    def action(self, action):
        return f"answer {self.answer}"


@pytest.fixture
def test_wrappers(monkeypatch, tmp_path):
    monkeypatch.setitem(REGISTRY, "noop", WrapperSpec("observation", gym.Wrapper))
    monkeypatch.setitem(REGISTRY, "sabotage", WrapperSpec("step", Sabotage))
    conf = tmp_path / "conf"
    (conf / "wrappers").mkdir(parents=True)
    (conf / "wrappers" / "noop.yaml").write_text("noop: {}\n")
    (conf / "wrappers" / "sabotage.yaml").write_text("sabotage:\n  answer: nothing\n")
    return conf


def online_run(run_dir, conf, seeds=range(8)):
    selector = {"name": "thompson", "arms": ARMS, "seed": 0}
    request = RunRequest(
        env=TINY_ENV,
        policy=ORACLE,
        wrappers=(),
        split="dev",
        seeds=tuple(seeds),
        workers=2,
        selector=selector,
        progress=False,
        save_trajectories=False,
    )
    chooser = SelectorChooser.from_config(selector, run_dir, TinyEnv.profile, conf)
    return chooser, run_evaluation(request, run_dir, chooser)


def test_selector_picks_a_stack_per_episode_and_learns_to_avoid_the_bad_one(tmp_path, test_wrappers):
    run_dir = tmp_path / "run"
    chooser, summary = online_run(run_dir, test_wrappers)
    records = [json.loads(line) for line in (run_dir / "results.jsonl").read_text().splitlines()]
    assert len(records) == 48
    pulls = [sum(r["stack"] == arm for r in records) for arm in ARMS]
    assert pulls == [row["pulls"] for row in summary["selector"]["arms"]]
    assert all(r["reward"] == (0.0 if r["stack"] == ["sabotage"] else 1.0) for r in records)
    assert 1 <= pulls[1] < 12  # tried, then avoided
    assert summary["selector"]["regret"] == pytest.approx(pulls[1] * 1.0)
    assert SelectorSession.load(run_dir / JOURNAL_FILE).selector.updates == 48
    assert summary["selector"]["selector_state"]["updates"] == 48
    assert "thompson: 48 episodes" in chooser.format_summary()

    # a second run on the same dir resumes: nothing new runs, nothing is counted twice
    again, _ = online_run(run_dir, test_wrappers)
    assert again.session.selector.updates == 48
    assert len((run_dir / "results.jsonl").read_text().splitlines()) == 48


def test_resume_feeds_results_that_never_reached_the_selector(tmp_path, test_wrappers):
    run_dir = tmp_path / "run"
    selector = {"name": "ucb1", "arms": ARMS, "seed": 0}
    first = SelectorChooser.from_config(selector, run_dir, TinyEnv.profile, test_wrappers)
    keys = [episode_key("alpha_0", seed) for seed in range(3)]
    stacks = [first.choose(key) for key in keys]
    # the harness wrote the results, then died before telling the selector
    with open(run_dir / "results.jsonl", "w") as fh:
        for seed, (key, stack) in enumerate(zip(keys, stacks, strict=True)):
            fh.write(
                json.dumps(
                    {
                        "key": key,
                        "task_id": "alpha_0",
                        "seed": seed,
                        "success": True,
                        "reward": 1.0,
                        "error": None,
                        "stack": [name for name, _ in stack],
                    }
                )
                + "\n"
            )
    resumed = SelectorChooser.from_config(selector, run_dir, TinyEnv.profile, test_wrappers)
    assert resumed.session.selector.updates == 3
    assert all(record["status"] == "done" for record in resumed.session.episodes.values())


def test_agent_errors_teach_reward_0_and_infra_errors_teach_nothing(tmp_path, test_wrappers):
    """Even a selector told to learn nothing from errors (error_reward null) scores a crash as a failure."""
    selector = {"name": "ucb1", "arms": ARMS, "seed": 0, "error_reward": None}
    chooser = SelectorChooser.from_config(selector, tmp_path, TinyEnv.profile, test_wrappers)
    crashed, down = episode_key("alpha_0", 0), episode_key("alpha_0", 1)
    chooser.choose(crashed)
    chooser.choose(down)
    agent = {"type": "RuntimeError", "stage": "step", "reason": "crashed by the action", "kind": "agent"}
    infra = {"type": "ModelUnavailable", "stage": "act", "reason": "connection refused", "kind": "infra"}
    chooser.update({"key": crashed, "reward": 1.0, "success": False, "error": agent})
    chooser.update({"key": down, "reward": 0.0, "success": False, "error": infra})
    assert chooser.session.selector.updates == 1
    assert chooser.session.episodes[crashed] | {"arm": None} == {
        "arm": None,
        "status": "done",
        "reward": 0.0,
        "error": None,
    }
    assert chooser.session.episodes[down]["status"] == "pending"  # learned from when it is run again


def test_unusable_records_are_logged_not_fatal(tmp_path, test_wrappers, caplog):
    chooser = SelectorChooser.from_config({"name": "ucb1", "arms": ARMS}, tmp_path, TinyEnv.profile, test_wrappers)
    chooser.choose("a@0")
    chooser.update({"key": "a@0", "reward": 7.5, "error": None})  # not in [0, 1]
    chooser.update({"key": "never-started", "reward": 1.0, "error": None})
    assert chooser.session.episodes["a@0"]["status"] == "error"
    assert "unusable reward" in caplog.text and "never started" in caplog.text


def test_arms_are_validated_before_any_episode(tmp_path, test_wrappers):
    selector = {"name": "ucb1", "arms": [[], ["nonexistent"]]}
    with pytest.raises(
        ValueError, match=r"selector arm \['nonexistent'\]: unknown wrapper 'nonexistent'; known wrappers: "
    ):
        SelectorChooser.from_config(selector, tmp_path, TinyEnv.profile, test_wrappers)
    selector = {"name": "ucb1", "arms": [[], ["tree_search"]]}
    with pytest.raises(ValueError, match="wrapper 'tree_search' does not support env 'appworld'"):
        SelectorChooser.from_config(selector, tmp_path / "aw", AppWorldEnv.profile)
    selector = {"name": "ucb1", "arms": [["correct", "correct.max_attempt=3"]]}
    with pytest.raises(ValueError, match="max_attempt"):
        SelectorChooser.from_config(selector, tmp_path / "typo", TinyEnv.profile)


def test_arms_are_composed_by_hydra_with_the_same_overrides_as_wrappers(tmp_path, test_wrappers):
    """An arm takes option overrides like `wrappers=` does; defaults come from conf/wrappers/."""
    selector = {"name": "ucb1", "arms": [["noop", "sabotage", "sabotage.answer=alpha0"], ["sabotage"]]}
    chooser = SelectorChooser.from_config(selector, tmp_path / "a", TinyEnv.profile, test_wrappers)
    assert chooser.stacks[0].items == (("noop", {}), ("sabotage", {"answer": "alpha0"}))
    assert chooser.stacks[1].items == (("sabotage", {"answer": "nothing"}),)

    shipped = {"name": "ucb1", "arms": [["correct"], ["correct", "correct.max_attempts=3"]]}
    chooser = SelectorChooser.from_config(shipped, tmp_path / "b", TinyEnv.profile)  # the repository's conf/
    correct = OmegaConf.to_container(OmegaConf.load(REPO / "conf/wrappers/correct.yaml"))["correct"]
    assert chooser.stacks[0].items == (("correct", correct),)
    assert chooser.stacks[1].items == (("correct", {**correct, "max_attempts": 3}),)


@pytest.mark.slow  # a real Hydra process: ~6 s
def test_train_free_eval_command_line_with_a_selector(tmp_path):
    run_dir = tmp_path / "cli"
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "train_free_eval.py"),
            f"hydra.searchpath=[file://{REPO / 'tests/harness/conf'}]",
            "env=tiny",
            "policy=oracle",
            "progress=false",
            "limit=null",
            "selector=thompson",
            'selector.arms=[[],[truncate,"truncate.max_chars=500"]]',  # an arm with an option override
            f"hydra.run.dir={run_dir}",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "selector thompson: 6 episodes" in proc.stdout
    summary = json.loads((run_dir / "summary.json").read_text())
    arms = summary["selector"]["arms"]
    assert [arm["label"] for arm in arms] == ["none", "truncate+truncate.max_chars=500"]
    assert sum(arm["pulls"] for arm in arms) == 6
    assert SelectorSession.load(run_dir / JOURNAL_FILE).selector.updates == 6


def test_a_selector_with_a_fixed_wrappers_list_is_refused(tmp_path):
    stack = parse_stack([("summarize", {})], TinyEnv.profile)
    with pytest.raises(ValueError, match=r"leave `wrappers` empty \(got wrappers=\['summarize'\]\)"):
        make_stack_chooser({"name": "ucb1", "arms": ARMS}, stack, tmp_path)


def test_contextual_selector_gets_each_tasks_features_before_it_starts(tmp_path, test_wrappers):
    """selector=linucb in the real harness: every episode's choice sees its task's split, difficulty and
    scenario (never its id), the journal keeps them, and a resumed run replays them exactly."""
    run_dir = tmp_path / "run"
    selector = {"name": "linucb", "arms": ARMS, "seed": 0}
    request = RunRequest(
        env=TINY_ENV,
        policy=ORACLE,
        wrappers=(),
        split="dev",
        seeds=tuple(range(4)),
        workers=2,
        selector=selector,
        progress=False,
        save_trajectories=False,
    )
    chooser = SelectorChooser.from_config(selector, run_dir, TinyEnv.profile, test_wrappers)
    summary = run_evaluation(request, run_dir, chooser)
    tasks = {task["task_id"]: task for task in TinyEnv().list_tasks("dev")}
    records = [json.loads(line) for line in (run_dir / "results.jsonl").read_text().splitlines()]
    for record in records:
        task = tasks[record["task_id"]]
        context = chooser.session.episodes[record["key"]]["context"]
        assert context == {"split": "dev", "difficulty": task["difficulty"], "scenario": task["scenario"]}
    assert {f"scenario={t['scenario']}" for t in tasks.values()} <= set(chooser.session.selector.vocabulary)
    assert summary["selector"]["selector_state"]["updates"] == len(records)
    resumed = SelectorSession.load(run_dir / JOURNAL_FILE)
    assert resumed.state() == chooser.session.state()
