"""The offline simulator: reward sources, sweep replay, tables and plots, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from policies.selection import UCB1
from policies.selection.simulate import main, run_selector, simulate, strategy_configs, table
from policies.selection.sources import BernoulliArms, GaussianArms, ReplayArms
from policies.selection.sweep_log import load_sweep

REPO = Path(__file__).resolve().parents[2]


def test_bernoulli_and_gaussian_arms_match_their_expected_rewards():
    rng = np.random.default_rng(0)
    bernoulli = BernoulliArms([0.2, 0.7], drift_at=100, drift_means=[0.9, 0.1])
    assert np.mean([bernoulli.reward(1, 0, rng) for _ in range(20_000)]) == pytest.approx(0.7, abs=0.02)
    assert np.mean([bernoulli.reward(1, 100, rng) for _ in range(20_000)]) == pytest.approx(0.1, abs=0.02)
    assert (bernoulli.best(99), bernoulli.best(100)) == (1, 0)
    gaussian = GaussianArms([0.05, 0.95], sigma=0.3)
    for arm in (0, 1):
        samples = [gaussian.reward(arm, 0, rng) for _ in range(20_000)]
        assert 0.0 <= min(samples) and max(samples) <= 1.0
        assert np.mean(samples) == pytest.approx(gaussian.expected(0)[arm], abs=0.01)  # clipped mean, exact
    with pytest.raises(ValueError, match="both drift_at and drift_means"):
        BernoulliArms([0.5, 0.5], drift_at=10)
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        BernoulliArms([1.5, 0.5])


def test_rewards_can_arrive_late():
    selector = UCB1(3)
    trace = run_selector(selector, BernoulliArms([0.1, 0.5, 0.9]), 100, seed=0, delay=10)
    assert selector.rounds == 100 and selector.updates == 90  # the last 10 are still in flight
    assert sorted(trace.arms[:3]) == [0, 1, 2]


def test_regret_is_zero_for_the_best_arm_and_the_gap_otherwise():
    source = BernoulliArms([0.3, 0.8])

    class Always:
        n_arms, drift_events = 2, []

        def __init__(self, arm):
            self.arm = arm

        def select(self, context=None):
            return self.arm

        def update(self, arm, reward, context=None):
            pass

    assert run_selector(Always(1), source, 50, 0).regret.sum() == 0
    assert run_selector(Always(0), source, 50, 0).regret.sum() == pytest.approx(25.0)


def write_run(run_dir: Path, stack, rewards: dict[str, list[float]], extra_lines=()):
    run_dir.mkdir(parents=True)
    lines = [
        json.dumps(
            {"key": f"{task}@{seed}", "task_id": task, "seed": seed, "reward": reward, "error": None, "stack": stack}
        )
        for task, values in rewards.items()
        for seed, reward in enumerate(values)
    ]
    (run_dir / "results.jsonl").write_text("\n".join([*lines, *extra_lines]) + "\n")


@pytest.fixture
def sweep(tmp_path):
    """Three stacks on 20 tasks, two seeds each; 'summarize' is best, the base stack worst."""
    tasks = [f"task_{i}" for i in range(20)]
    write_run(
        tmp_path / "sweep" / "0",
        [],
        {t: [float(i % 5 == 0), float(i % 4 == 0)] for i, t in enumerate(tasks)},
        extra_lines=[
            json.dumps({"key": "x@0", "task_id": "task_0", "reward": 0.0, "error": {"type": "Timeout"}, "stack": []}),
            '{"key": "torn',
        ],
    )
    write_run(tmp_path / "sweep" / "1", ["summarize"], {t: [float(i % 5 != 0), 1.0] for i, t in enumerate(tasks)})
    write_run(
        tmp_path / "sweep" / "2",
        [["summarize", {}], ["correct", {"max_attempts": 2}]],
        {t: [0.5, float(i % 2 == 0)] for i, t in enumerate(tasks + ["only_here"])},
    )
    return tmp_path / "sweep"


def test_sweep_is_read_robustly_and_replayed(sweep):
    log = load_sweep([sweep])
    arms = log.arms
    assert arms.labels == ["none", "summarize", "summarize+correct"]
    assert len(arms.tasks) == 20 and log.dropped_tasks == ["only_here"]
    assert log.skipped == {"errored episode": 1, "unreadable line": 1}
    assert log.episodes == 120
    assert arms.arm_means() == pytest.approx([(4 + 5) / 40, (16 + 20) / 40, (10 + 10) / 40])
    assert arms.best(0) == 1
    orders = []
    for seed in (0, 1):
        arms.start(np.random.default_rng(seed))
        orders.append([arms.tasks[arms._task_at(t)] for t in range(40)])
        assert sorted(orders[-1][:20]) == sorted(arms.tasks)  # each pass covers every task once
    assert orders[0] != orders[1]


def test_replay_rewards_come_from_the_log(sweep):
    arms = load_sweep([sweep]).arms
    rng = np.random.default_rng(0)
    arms.start(rng)
    for t in range(60):
        task = arms.tasks[arms._task_at(t)]
        for arm in range(3):
            assert arms.reward(arm, t, rng) in arms.rewards[arm][task]


def test_bad_sweeps_get_clear_errors(tmp_path):
    write_run(tmp_path / "one", ["summarize"], {"t": [1.0]})
    with pytest.raises(ValueError, match="at least 2 stacks"):
        load_sweep([tmp_path / "one"])
    write_run(tmp_path / "big" / "a", [], {"t": [3.0]})
    with pytest.raises(ValueError, match=r"reward 3.0 is outside \[0, 1\]"):
        load_sweep([tmp_path / "big"])
    with pytest.raises(ValueError, match="no such run or sweep directory"):
        load_sweep([tmp_path / "missing"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no results.jsonl"):
        load_sweep([tmp_path / "empty"])
    with pytest.raises(ValueError, match="at least one task that every stack ran"):
        ReplayArms(labels=["a", "b"], tasks=[], rewards=[{}, {}])


def test_table_reports_mean_and_se_over_seeds():
    results = simulate({"ts": {"name": "thompson"}, "ucb": {"name": "ucb1"}}, BernoulliArms([0.2, 0.8]), 300, range(4))
    rows = {row["strategy"]: row for row in table(results)}
    for label, traces in results.items():
        regrets = [t.regret.sum() for t in traces]
        assert rows[label]["regret"] == pytest.approx(np.mean(regrets))
        assert rows[label]["regret_se"] == pytest.approx(np.std(regrets, ddof=1) / 2)
        assert rows[label]["seeds"] == 4
        assert 0.5 < rows[label]["best_arm_share"] <= 1.0


def test_strategies_come_from_the_selector_yaml_files():
    configs = strategy_configs()
    assert set(configs) == {"naive", "validation", "ab_test", "epsilon_greedy", "ucb1", "thompson"}
    assert configs["epsilon_greedy"]["decay"] == 10.0 and "arms" not in configs["thompson"]
    assert isinstance(simulate({"t": configs["thompson"]}, BernoulliArms([0.1, 0.9]), 5, [0]), dict)
    with pytest.raises(ValueError, match="unknown strategy"):
        strategy_configs(["softmax"])


def test_cli_synthetic_with_drift_writes_plot_and_table(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(
        [
            "synthetic",
            "--means",
            "0.3",
            "0.6",
            "0.8",
            "--drift-at",
            "300",
            "--drift-means",
            "0.3",
            "0.6",
            "0.1",
            "--horizon",
            "600",
            "--seeds",
            "3",
            "--drift",
            "window",
            "--strategies",
            "naive",
            "thompson",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "| naive |" in printed and "| thompson |" in printed
    assert (out / "regret.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = json.loads((out / "table.json").read_text())
    assert [row["strategy"] for row in saved["rows"]] == ["naive", "thompson"]
    assert all(row["drift_alarms"] >= 1 for row in saved["rows"])


def test_cli_replay_runs_as_a_module(sweep, tmp_path):
    out = tmp_path / "replay_out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "policies.selection.simulate",
            "replay",
            str(sweep),
            "--horizon",
            "200",
            "--seeds",
            "3",
            "--out",
            str(out),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "replaying 120 episodes: 20 tasks x 3 stacks" in proc.stdout
    rows = json.loads((out / "table.json").read_text())["rows"]
    assert len(rows) == 6 and (out / "regret.png").exists()


def test_cli_bad_input_exits_with_a_message(tmp_path, capsys):
    assert main(["synthetic", "--means", "0.5", "1.7", "--out", str(tmp_path)]) == 2
    assert "arm means must be in [0, 1]" in capsys.readouterr().err
    assert main(["replay", str(tmp_path / "nothing"), "--out", str(tmp_path)]) == 2
    with pytest.raises(SystemExit) as exited:
        main(["synthetic", "--means", "0.5", "--horizon", "0"])
    assert exited.value.code == "error: --horizon and --seeds must be >= 1 and --delay >= 0"


def test_validation_can_choose_on_held_out_tasks(sweep, tmp_path, capsys):
    arms = load_sweep([sweep]).arms
    scores, rest = arms.hold_out(0.25, seed=0)
    assert len(rest.tasks) == 15 and set(rest.tasks) < set(arms.tasks)
    held = sorted(set(arms.tasks) - set(rest.tasks))
    assert scores == pytest.approx([np.mean([np.mean(by_task[t]) for t in held]) for by_task in arms.rewards])
    with pytest.raises(ValueError, match="leaves no validation"):
        arms.hold_out(0.01)
    out = tmp_path / "held"
    assert (
        main(
            [
                "replay",
                str(sweep),
                "--validation-fraction",
                "0.25",
                "--strategies",
                "validation",
                "ucb1",
                "--horizon",
                "100",
                "--seeds",
                "2",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert "validation scores on 5 held-out tasks" in capsys.readouterr().out
    rows = {row["strategy"]: row for row in json.loads((out / "table.json").read_text())["rows"]}
    assert rows["validation"]["best_arm_share"] in (0.0, 1.0)  # fixed from round one, on the held-out scores
