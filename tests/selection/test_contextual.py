"""LinUCB: per-task choice from task features, against context-free strategies, MABWiser, and across a resume."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from policies.selection import LinUCB, make_selector, selector_from_state
from policies.selection.session import JOURNAL_FILE, SelectorSession
from policies.selection.simulate import simulate, strategy_configs
from policies.selection.sources import ContextualArms
from policies.selection.sweep_log import load_sweep

# Success rates of three stacks by difficulty, plus scenario effects: scaffolding pays on easy tasks
# (arm 1), a corrector on medium ones (arm 2), and no arm is best everywhere.
BY_DIFFICULTY = {1: [0.35, 0.6, 0.4], 2: [0.3, 0.35, 0.5], 3: [0.25, 0.15, 0.2]}
BY_SCENARIO = {"email": [0, 0, 0], "music": [0, 0, 0.15], "shop": [0.2, 0, 0], "notes": [0, 0.05, 0]}
CONTEXTS = [{"difficulty": d, "scenario": s, "split": "test"} for d, s in itertools.product(BY_DIFFICULTY, BY_SCENARIO)]
MEANS = [[BY_DIFFICULTY[c["difficulty"]][a] + BY_SCENARIO[c["scenario"]][a] for a in range(3)] for c in CONTEXTS]
LINUCB = {"name": "linucb", "features": ["difficulty", "scenario", "split"]}


def test_linucb_beats_every_context_free_strategy_on_context_dependent_arms():
    configs = {**strategy_configs(), "linucb": LINUCB}
    seeds = range(5)
    results = simulate(configs, ContextualArms(CONTEXTS, MEANS), horizon=2000, seeds=seeds, drift="none")
    regret = {name: np.array([trace.regret.sum() for trace in traces]) for name, traces in results.items()}
    context_free = np.min([regret[name] for name in configs if name != "linucb"], axis=0)  # best one, per seed
    assert np.all(regret["linucb"] < 0.5 * context_free), (regret["linucb"], context_free)
    late = np.mean([np.mean(trace.arms[-500:] == trace.best[-500:]) for trace in results["linucb"]])
    assert late > 0.8  # it learned which stack fits which task, not just a better average


def play(selector, rounds: int, start: int = 0) -> list[tuple[int, float]]:
    """Seeded contexts and rewards; new feature values keep appearing, and arm 1 drops at round 150."""
    rng = np.random.default_rng(1000 + start)
    history = []
    for t in range(start, start + rounds):
        context = {"difficulty": int(rng.integers(1, 4)), "scenario": f"s{int(rng.integers(0, 2 + t // 40))}"}
        if t % 7 == 0:
            context["apps"] = ["gmail", "venmo"]
        arm = selector.select(context)
        mean = BY_DIFFICULTY[context["difficulty"]][arm] + (0.3 if arm == 1 and t < 150 else 0.0)
        reward = float(rng.random() < mean)
        selector.update(arm, reward, context)
        history.append((arm, reward))
    return history


def test_linucb_resumes_exactly_from_its_json_state():
    cfg = {
        "name": "linucb",
        "n_arms": 3,
        "seed": 3,
        "features": None,
        "drift": {"kind": "window", "params": {"reference": 20, "window": 10, "delta": 0.01}, "hold": 5},
    }
    straight = make_selector(cfg)
    uninterrupted = play(straight, 120) + play(straight, 180, start=120)
    before = make_selector(cfg)
    first = play(before, 120)
    resumed = selector_from_state(json.loads(json.dumps(before.state_dict())))  # through JSON text, as on disk
    assert first + play(resumed, 180, start=120) == uninterrupted
    assert resumed.state_dict() == straight.state_dict()
    assert "apps=venmo" in resumed.vocabulary and any(p.startswith("scenario=s6") for p in resumed.vocabulary)
    assert resumed.drift_events  # drift and rollback state came through too


def test_session_journals_contexts_and_a_resumed_run_continues_exactly(tmp_path):
    cfg = {"name": "linucb", "arms": [[], ["summarize"], ["summarize", "correct"]], "seed": 0}

    def run(session, episodes):
        for i in episodes:
            context = CONTEXTS[(i * 5) % len(CONTEXTS)]
            choice = session.start(f"ep{i}", context)
            session.finish(f"ep{i}", float(MEANS[(i * 5) % len(CONTEXTS)][choice.arm] > 0.4))

    straight = SelectorSession.from_config(cfg, tmp_path / "straight")
    run(straight, range(60))
    killed = SelectorSession.from_config(cfg, tmp_path / "killed")
    run(killed, range(25))
    killed.start("ep25", CONTEXTS[(25 * 5) % len(CONTEXTS)])  # started, then the run was killed
    resumed = SelectorSession.from_config(cfg, tmp_path / "killed")
    assert resumed.episodes["ep25"]["context"] == CONTEXTS[(25 * 5) % len(CONTEXTS)]
    resumed.finish("ep25", float(MEANS[(25 * 5) % len(CONTEXTS)][resumed.episodes["ep25"]["arm"]] > 0.4))
    run(resumed, range(26, 60))
    assert resumed.state() == straight.state()
    assert SelectorSession.load(tmp_path / "killed" / JOURNAL_FILE).state() == straight.state()
    with pytest.raises(ValueError, match="context must be a mapping"):
        straight.start("bad", ["difficulty", 1])  # type: ignore[arg-type]


def test_features_pick_context_keys_and_the_vocabulary_stays_bounded():
    selector = LinUCB(2, features=["difficulty", "apps"], max_features=4)
    selector.select({"difficulty": 1, "task_id": "a_1", "apps": ["gmail", "venmo"]})
    assert selector.vocabulary == ["bias", "difficulty=1", "apps=gmail", "apps=venmo"]
    x = selector.encode({"difficulty": 2, "apps": ["gmail"]})  # full: the new value is left out
    assert selector.vocabulary == ["bias", "difficulty=1", "apps=gmail", "apps=venmo"]
    assert x.tolist() == [1.0, 0.0, 1.0, 0.0]
    assert LinUCB(2).encode(None).tolist() == [1.0]  # no context: the bias alone (a plain UCB on means)
    with pytest.raises(ValueError, match="context must be a mapping"):
        LinUCB(2).select(["difficulty", 1])  # type: ignore[arg-type]
    for bad, message in [
        ({"alpha": -1}, "alpha must be >= 0"),
        ({"l2_lambda": 0}, "l2_lambda must be > 0"),
        ({"features": "difficulty"}, "features must be a list"),
        ({"max_features": 0}, "max_features must be >= 1"),
    ]:
        with pytest.raises(ValueError, match=message):
            LinUCB(2, **bad)


def test_linucb_matches_mabwiser_decision_for_decision():
    mab_module = pytest.importorskip("mabwiser.mab", reason="MABWiser (the dev extra) checks LinUCB's arithmetic")
    ours = LinUCB(3, alpha=1.5, features=["difficulty", "scenario", "split"])
    rng = np.random.default_rng(0)
    kinds = rng.integers(len(CONTEXTS), size=400)
    for kind in kinds[:12]:  # fix the feature columns first: MABWiser needs them all up front
        ours.encode(CONTEXTS[kind])
    theirs = mab_module.MAB([0, 1, 2], mab_module.LearningPolicy.LinUCB(alpha=1.5, l2_lambda=1.0), seed=0)
    decisions, rewards, rows = [], [], []
    for t, kind in enumerate(kinds):
        x = ours.encode(CONTEXTS[kind])
        arm = ours.select(CONTEXTS[kind])
        if t:  # MABWiser predicts only once fitted
            assert theirs.predict(x[None, :]) == arm, t
        reward = float(rng.random() < MEANS[kind][arm])
        ours.update(arm, reward, CONTEXTS[kind])
        decisions.append(arm)
        rewards.append(reward)
        rows.append(x)
        if t == 0:
            theirs.fit(decisions, rewards, np.array(rows))
        else:
            theirs.partial_fit([arm], [reward], x[None, :])
    assert len(set(decisions)) == 3


def test_a_sweeps_logged_task_features_let_linucb_beat_the_best_stack_in_hindsight(tmp_path):
    """Replayed from results.jsonl: each task's split/difficulty/scenario is its context, and per-task choice
    earns more than the best single stack (negative regret against it)."""
    for stack, good_on in (([], 1), (["summarize"], 2)):
        lines = [
            json.dumps(
                {
                    "key": f"task_{i}@0",
                    "task_id": f"task_{i}",
                    "split": "dev",
                    "difficulty": 1 + i % 2,
                    "scenario": f"s{i % 3}",
                    "reward": float(1 + i % 2 == good_on),
                    "error": None,
                    "stack": stack,
                }
            )
            for i in range(40)
        ]
        run = tmp_path / "sweep" / ("+".join(stack) or "none")
        run.mkdir(parents=True)
        (run / "results.jsonl").write_text("\n".join(lines) + "\n")
    replay = load_sweep([tmp_path / "sweep"], [[], ["summarize"]]).arms
    replay.start(np.random.default_rng(0))
    task = replay.tasks[replay._task_at(0)]
    index = int(task.split("_")[1])
    assert replay.context(0) == {"split": "dev", "difficulty": 1 + index % 2, "scenario": f"s{index % 3}"}
    results = simulate({"linucb": LINUCB, "thompson": {"name": "thompson"}}, replay, 400, range(3), drift="none")
    for linucb, thompson in zip(results["linucb"], results["thompson"], strict=True):
        assert linucb.regret.sum() < -100 < thompson.regret.sum()  # the best stack earns 0.5 a round, per task 1.0


def test_toolworld_tasks_give_their_apps_to_the_shipped_linucb_config():
    """The env's task list carries each task's apps; conf/selector/linucb.yaml turns them into columns."""
    from pathlib import Path

    import yaml

    from envs.toolworld.tasks import task_metas
    from harness.choosers import task_context

    config = yaml.safe_load((Path(__file__).parents[2] / "conf" / "selector" / "linucb.yaml").read_text())
    selector = LinUCB(2, features=config["features"])
    multi = next(t for t in task_metas("train") if len(t["apps"]) >= 2)
    selector.select(task_context(multi))
    assert {f"apps={app}" for app in multi["apps"]} <= set(selector.vocabulary)
    assert f"difficulty={multi['difficulty']}" in selector.vocabulary and "split=train" in selector.vocabulary
