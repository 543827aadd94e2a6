"""Drift detectors and rollback to the last good arm."""

from __future__ import annotations

import numpy as np
import pytest

from policies.selection import DriftConfig, PageHinkleyDetector, WindowDetector, make_selector
from policies.selection.simulate import run_selector
from policies.selection.sources import BernoulliArms

DETECTORS = {"window": WindowDetector, "page_hinkley": PageHinkleyDetector}
CHANGE = 1500
BOUND = 150  # rounds within which a 0.8 -> 0.1 drop of the played arm must be caught


def bernoulli_stream(mean_before: float, mean_after: float, change: int, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    means = np.where(np.arange(n) < change, mean_before, mean_after)
    return (rng.random(n) < means).astype(float)


def first_alarm(detector, rewards) -> int | None:
    for t, reward in enumerate(rewards):
        if detector.update(float(reward)):
            return t
    return None


@pytest.mark.parametrize("kind", list(DETECTORS))
def test_detector_catches_a_drop_quickly_and_stays_quiet_otherwise(kind):
    for seed in range(10):
        alarm = first_alarm(DETECTORS[kind](), bernoulli_stream(0.8, 0.2, 500, 1000, seed))
        assert alarm is not None and 500 <= alarm < 600, (seed, alarm)
        assert first_alarm(DETECTORS[kind](), bernoulli_stream(0.6, 0.6, 0, 3000, seed)) is None
        assert first_alarm(DETECTORS[kind](), bernoulli_stream(0.2, 0.9, 500, 1000, seed)) is None  # rises are fine


def test_window_threshold_is_hoeffdings_bound_or_min_drop():
    detector = WindowDetector(reference=100, window=50, min_drop=0.1, delta=1e-4)
    assert detector.bound == pytest.approx(np.sqrt((1 / 100 + 1 / 50) * np.log(1e4) / 2))
    assert WindowDetector(reference=10_000, window=10_000, min_drop=0.2).bound == 0.2


def test_detector_state_round_trip_gives_the_same_decisions():
    rewards = bernoulli_stream(0.8, 0.2, 300, 600, seed=3)
    for cls in DETECTORS.values():
        straight, resumed = cls(), cls()
        first = [straight.update(r) for r in rewards[:250]]
        resumed.load_state_dict(straight.state_dict())
        assert [straight.update(r) for r in rewards[250:]] == [resumed.update(r) for r in rewards[250:]]
        assert any(first) is False


def test_bad_drift_config_is_refused():
    with pytest.raises(ValueError, match="unknown drift detector 'cusum'"):
        DriftConfig(kind="cusum")
    with pytest.raises(ValueError, match="bad parameters for drift detector 'window'"):
        DriftConfig(kind="window", params={"windw": 3})
    with pytest.raises(ValueError, match="unknown drift option"):
        DriftConfig.from_any({"kind": "window", "reset": True})
    with pytest.raises(ValueError, match="decay must be in"):
        DriftConfig(kind="window", decay=2.0)


def drifting_run(name: str, kind: str, seed: int, **params):
    """Newest/best arm 2 drops from 0.8 to 0.1 at CHANGE; arm 1 (0.6) stays good."""
    selector = make_selector({"name": name, "n_arms": 3, "seed": seed, "drift": {"kind": kind, "hold": 100}, **params})
    source = BernoulliArms([0.3, 0.6, 0.8], drift_at=CHANGE, drift_means=[0.3, 0.6, 0.1])
    return selector, run_selector(selector, source, CHANGE + 1000, seed)


STRATEGY_PARAMS = {
    "naive": {},
    "validation": {"pulls_per_arm": 100},
    "ab_test": {"test_rounds": 300},
    "epsilon_greedy": {"epsilon": 0.1, "decay": 10.0},
    "ucb1": {},
    "thompson": {},
}


@pytest.mark.parametrize("kind", list(DETECTORS))
@pytest.mark.parametrize("name", list(STRATEGY_PARAMS))
def test_drift_triggers_rollback_within_bounded_rounds(name, kind):
    for seed in range(5):
        selector, trace = drifting_run(name, kind, seed, **STRATEGY_PARAMS[name])
        events = selector.drift_events
        assert events, (seed, "no drift detected")
        first = events[0]
        assert first["arm"] == 2 and first["rollback_to"] != 2, (seed, events)
        assert CHANGE < first["round"] <= CHANGE + BOUND, (seed, first)
        if name in ("naive", "validation", "ab_test"):
            # deployment strategies measured arm 1 well (or released it just before): they redeploy it, for good
            assert first["rollback_to"] == 1 and set(trace.arms[first["round"] :]) == {1}, (seed, events)
        else:
            # a learning strategy may roll back to an arm it hardly knew, then learns again;
            # it rarely plays the dropped arm (UCB1 re-explores it ~2 ln t / gap^2 times)
            tail = trace.arms[-500:]
            assert np.mean(tail == 1) > 0.85, (seed, np.bincount(tail, minlength=3))
            assert np.mean(trace.arms[first["round"] :] == 2) < 0.1


class TwoDrops(BernoulliArms):
    """Arm 2 breaks at round 300, arm 1 at round 600."""

    def mean_at(self, t: int) -> list[float]:
        return [0.5, 0.7 if t < 600 else 0.0, 0.9 if t < 300 else 0.0]


def test_naive_rolls_back_release_by_release():
    selector = make_selector(
        {
            "name": "naive",
            "n_arms": 3,
            "seed": 0,
            "drift": {"kind": "window", "params": {"reference": 50, "window": 30}},
        }
    )
    trace = run_selector(selector, TwoDrops([0.5, 0.7, 0.9]), 1000, seed=0)
    events = selector.drift_events
    assert [(e["arm"], e["rollback_to"]) for e in events] == [(2, 1), (1, 0)]
    assert 300 < events[0]["round"] < 400 and 600 < events[1]["round"] < 700
    assert selector.deployed == 0 and selector.excluded == [2, 1]
    assert set(trace.arms[events[1]["round"] :]) == {0}


def test_learning_strategy_forgets_the_drifting_arm_and_holds_the_rollback_arm():
    selector, trace = drifting_run("thompson", "page_hinkley", seed=0)
    rollback_round, target = selector.drift_events[0]["round"], selector.drift_events[0]["rollback_to"]
    # the next `hold` rounds all go to the rollback arm, then learning resumes
    assert set(trace.arms[rollback_round : rollback_round + 100]) == {target}
    assert len(set(trace.arms[rollback_round + 100 :])) > 1
    # decay 0: the drifting arm's statistics restarted from the prior at the alarm
    pulls_since = int(np.sum(trace.arms[rollback_round:] == 2))
    assert selector.alpha[2] + selector.beta[2] == pytest.approx(2 + pulls_since)
    assert selector.pulls[2] > pulls_since  # the lifetime count is kept for reporting


def test_no_drift_config_means_no_detector():
    selector, _ = drifting_run("naive", "none", seed=0)
    assert selector.drift_events == [] and selector.deployed == 2


def test_validation_with_scores_rolls_back_to_the_next_best_on_validation():
    """Deployed from given scores, no other arm ever played: the rollback goes by the scores, not to arm 0."""
    selector = make_selector(
        {
            "name": "validation",
            "n_arms": 3,
            "seed": 0,
            "scores": [0.2, 0.9, 0.6],
            "drift": {"kind": "window", "params": {"reference": 50, "window": 30}},
        }
    )
    source = BernoulliArms([0.3, 0.9, 0.6], drift_at=300, drift_means=[0.3, 0.1, 0.6])
    trace = run_selector(selector, source, 600, seed=0)
    assert [(e["arm"], e["rollback_to"]) for e in selector.drift_events] == [(1, 2)]
    assert set(trace.arms[selector.drift_events[0]["round"] :]) == {2}
