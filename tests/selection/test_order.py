"""Declared arm order (naive's "newest") and time-ordered replay of logged drift."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from policies.selection import Naive
from policies.selection.session import SelectorSession
from policies.selection.simulate import configured_arms, main, simulate
from policies.selection.sources import OrderedReplay
from policies.selection.sweep_log import load_sweep

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
ARMS = [[], ["summarize"]]  # the drifting log's stacks, oldest release first


def write_log(path: Path, stack: list[str], rewards: list[float], shuffle_lines: bool = False) -> None:
    """One run dir; episode i finished at T0 + i seconds (lines may be written in another order)."""
    records = [
        {
            "key": f"t{i}@0",
            "task_id": f"t{i}",
            "seed": 0,
            "reward": reward,
            "error": None,
            "stack": stack,
            "finished_at": (T0 + timedelta(seconds=i)).isoformat(timespec="seconds"),
            "position": len(rewards) - i,  # a key that sorts the episodes backwards
        }
        for i, reward in enumerate(rewards)
    ]
    if shuffle_lines:
        random.Random(0).shuffle(records)
    path.mkdir(parents=True)
    (path / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))


def bernoulli(mean: float, n: int, seed: int) -> list[float]:
    return [float(x) for x in np.random.default_rng(seed).random(n) < mean]


def test_naive_deploys_the_declared_newest_and_rolls_back_in_release_order():
    assert Naive(3).select() == 2
    selector = Naive(3, deployed_at=["2026-03-01", "2026-01-01", "2026-02-01"])
    assert selector.release_order == [1, 2, 0] and selector.select() == 0
    assert selector._fallback_arm(0) == 2  # the previous release, not the previous index
    assert Naive(2, deployed_at=[5, 5]).select() == 1  # ties keep the listed order
    with pytest.raises(ValueError, match="one release time per arm"):
        Naive(3, deployed_at=[1, 2])
    with pytest.raises(ValueError, match="all numbers or all ISO date strings"):
        Naive(2, deployed_at=[1, "2026-01-01"])


@pytest.fixture
def unsorted_sweep(tmp_path) -> Path:
    """Three stacks logged in the order summarize, none, correct; a name sort would put summarize last."""
    for index, stack in enumerate((["summarize"], [], ["correct"])):
        write_log(tmp_path / "sweep" / str(index), stack, bernoulli(0.5, 40, index))
    return tmp_path / "sweep"


@pytest.mark.parametrize(
    "naive, newest",
    [
        ({"arms": [["summarize"], [], ["correct"]]}, ("correct",)),
        ({"arms": [["summarize"], [], ["correct"]], "deployed_at": [3, 1, 2]}, ("summarize",)),
        ({"arms": [["correct"], ["summarize"], []]}, ()),
    ],
)
def test_simulator_and_online_session_deploy_the_same_newest_stack(unsorted_sweep, tmp_path, naive, newest):
    cfg = {"name": "naive", "seed": 0, **naive}
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "naive.yaml").write_text(json.dumps(cfg))  # JSON is YAML
    arms = configured_arms(["naive"], conf)
    replay = load_sweep([unsorted_sweep], arms).arms
    assert replay.labels == ["+".join(a) or "none" for a in cfg["arms"]]
    offline = simulate({"naive": {k: v for k, v in cfg.items() if k != "arms"}}, replay, 30, [0])["naive"][0]
    assert {replay.labels[a] for a in offline.arms} == {"+".join(newest) or "none"}
    online = SelectorSession.from_config(cfg, tmp_path / "run")
    assert {online.start(f"ep{i}").stack for i in range(5)} == {newest}
    out = tmp_path / "out"
    args = ["replay", str(unsorted_sweep), "--strategies", "naive", "--conf-dir", str(conf), "--out", str(out)]
    assert main(args) == 0
    assert json.loads((out / "table.json").read_text())["arms"] == replay.labels


def test_without_declared_arms_the_replay_keeps_the_order_stacks_were_first_logged(unsorted_sweep):
    assert load_sweep([unsorted_sweep]).arms.labels == ["summarize", "none", "correct"]
    with pytest.raises(ValueError, match=r"declared arm\(s\) \['summarize\+correct'\] have no logged episodes"):
        load_sweep([unsorted_sweep], [["summarize", "correct"], []])
    log = load_sweep([unsorted_sweep], [[], ["correct"]])
    assert log.arms.labels == ["none", "correct"] and log.dropped_stacks == ["summarize"]


@pytest.fixture
def drifting_log(tmp_path) -> Path:
    """The newest stack earns ~0.8 for 300 episodes, then ~0.1 (a known change point); the older one ~0.5.

    Lines are written shuffled: only `finished_at` tells the time order."""
    write_log(tmp_path / "log" / "old", [], bernoulli(0.5, 600, 1), shuffle_lines=True)
    newest = bernoulli(0.8, 300, 2) + bernoulli(0.1, 300, 3)
    write_log(tmp_path / "log" / "new", ["summarize"], newest, shuffle_lines=True)
    return tmp_path / "log"


def test_ordered_replay_replays_each_stack_in_finish_order(drifting_log):
    log = load_sweep([drifting_log], ARMS, order="finish")
    replay = log.arms
    assert isinstance(replay, OrderedReplay) and replay.length == 600 and log.episodes == 1200
    logged = [json.loads(line) for line in (drifting_log / "new" / "results.jsonl").read_text().splitlines()]
    in_time = [r["reward"] for r in sorted(logged, key=lambda r: r["finished_at"])]
    assert [replay.reward(1, t, np.random.default_rng()) for t in range(600)] == in_time
    assert replay.best(100) == 1 and replay.best(500) == 0  # the locally best stack changes at the drop
    backwards = load_sweep([drifting_log], ARMS, order="position").arms  # a given key: here it reverses time
    assert [backwards.reward(1, t, np.random.default_rng()) for t in range(600)] == in_time[::-1]
    with pytest.raises(ValueError, match="order key 'nope'"):
        load_sweep([drifting_log], ARMS, order="nope")
    with pytest.raises(ValueError, match="past the ordered replay's 600 logged rounds"):
        replay.reward(0, 600, np.random.default_rng())


@pytest.mark.parametrize("detector", ["window", "page_hinkley"])
def test_drift_in_the_log_is_detected_near_where_it_happened(drifting_log, detector):
    replay = load_sweep([drifting_log], ARMS, order="finish").arms
    naive = {"name": "naive", "drift": {"kind": detector}}
    trace = simulate({"naive": naive}, replay, replay.length, [0])["naive"][0]
    assert len(trace.drift_rounds) >= 1
    assert 300 <= trace.drift_rounds[0] <= 400, trace.drift_rounds  # detected after the drop, and soon
    assert np.all(trace.arms[: trace.drift_rounds[0]] == 1) and np.all(trace.arms[trace.drift_rounds[0] :] == 0)
    shuffled = load_sweep([drifting_log], ARMS).arms  # the old mode spreads the drop over every pass: nothing to see
    assert simulate({"naive": naive}, shuffled, 600, [0])["naive"][0].drift_rounds == []


def test_cli_replays_in_time_order(drifting_log, tmp_path, capsys):
    out = tmp_path / "ordered"
    args = ["replay", str(drifting_log), "--order", "finish", "--arms", "none", "summarize", "--out", str(out)]
    assert main([*args, "--strategies", "naive", "--drift", "window"]) == 0
    printed = capsys.readouterr().out
    assert "600 rounds in finish order x 2 stacks" in printed and "horizon 600" in printed
    assert json.loads((out / "table.json").read_text())["rows"][0]["drift_alarms"] >= 1
    assert main([*args, "--horizon", "601"]) == 2
    assert "past the ordered replay's 600 rounds" in capsys.readouterr().err
