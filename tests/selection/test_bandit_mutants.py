"""The bandits' update rules checked number by number (issue 24: mutants of policies/selection that survived the
regret and behaviour tests, which only see where a strategy ends up)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from policies.selection.bandits import UCB1, EpsilonGreedy, ThompsonSampling
from policies.selection.base import check_reward
from policies.selection.contextual import LinUCB
from policies.selection.drift import DriftConfig, PageHinkleyDetector, WindowDetector


def test_update_counts_and_sums_per_arm_and_means_are_nan_until_an_arm_has_data():
    s = UCB1(3)
    s.update(1, 0.25)
    s.update(1, 0.75)
    s.update(0, 1.0)
    assert (s.updates, s.pulls.tolist(), s.reward_sum.tolist()) == (3, [1, 2, 0], [1.0, 1.0, 0.0])
    assert (s.n.tolist(), s.sum.tolist()) == ([1.0, 2.0, 0.0], [1.0, 1.0, 0.0])
    means = s.means()
    assert means[:2].tolist() == [1.0, 0.5] and math.isnan(means[2])
    assert s.leader() == 0


def test_the_leader_is_none_before_any_update_and_ties_go_to_the_lowest_arm():
    s = EpsilonGreedy(3, epsilon=0.0)
    assert s.leader() is None
    s.update(2, 0.5)
    s.update(1, 0.5)
    assert s.leader() == 1  # arm 0 has no data: it ranks last, whatever its index


def test_select_spreads_untried_arms_by_how_often_each_was_handed_out():
    s = EpsilonGreedy(3, epsilon=0.0)
    assert [s.select() for _ in range(4)] == [0, 1, 2, 0]
    assert (s.rounds, s.assigned.tolist()) == (4, [2, 1, 1])
    s.update(0, 0.2)
    s.update(1, 0.9)
    assert s.select() == 2  # still untried
    s.update(2, 0.1)
    assert [s.select() for _ in range(3)] == [1, 1, 1]  # epsilon 0: always the best mean


def test_ucb1_indices_are_mean_plus_sqrt_exploration_ln_t_over_n():
    s = UCB1(2, exploration=3.0)
    for arm, reward in [(0, 1.0), (0, 0.0), (0, 1.0), (1, 0.5)]:
        s.update(arm, reward)
    expected = [2 / 3 + math.sqrt(3.0 * math.log(4) / 3), 0.5 + math.sqrt(3.0 * math.log(4) / 1)]
    assert s.indices() == pytest.approx(expected)
    assert [s.select() for _ in range(2)] == [1, 1]  # the less tried arm has the higher bound
    assert s.params() == {"exploration": 3.0}


def test_ucb1_with_one_update_uses_ln_1_and_refuses_negative_exploration():
    s = UCB1(1, exploration=0.0)
    s.update(0, 0.5)
    assert s.indices().tolist() == [0.5]
    assert UCB1(1, exploration=0.0).exploration == 0.0
    with pytest.raises(ValueError, match=r"^UCB1 exploration must be >= 0, got -0.5$"):
        UCB1(2, exploration=-0.5)


def test_epsilon_decays_as_c_times_arms_over_rounds_since_the_last_alarm():
    s = EpsilonGreedy(2, epsilon=0.5, decay=1.0)
    assert s.current_epsilon() == 0.5  # 1 * 2 / max(0, 1) = 2, capped at 0.5
    s.rounds = 8
    assert s.current_epsilon() == 0.25
    s.schedule_start = 4
    assert s.current_epsilon() == 0.5
    s.schedule_start = 8
    assert s.current_epsilon() == 0.5  # t = 0 counts as 1
    assert EpsilonGreedy(2, epsilon=0.3).current_epsilon() == 0.3
    assert s.params() == {"epsilon": 0.5, "decay": 1.0}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"epsilon": 1.5}, r"^epsilon must be in \[0, 1\], got 1.5$"),
        ({"epsilon": -0.1}, r"^epsilon must be in \[0, 1\], got -0.1$"),
        ({"decay": 0.0}, r"^epsilon decay must be > 0 or null, got 0.0$"),
    ],
)
def test_epsilon_greedy_refuses_bad_settings_by_name(kwargs, message):
    with pytest.raises(ValueError, match=message):
        EpsilonGreedy(2, **kwargs)


def test_epsilon_edges_are_allowed():
    assert EpsilonGreedy(2, epsilon=0.0).epsilon == 0.0 and EpsilonGreedy(2, epsilon=1.0).epsilon == 1.0


def test_epsilon_one_explores_every_arm_evenly():
    s = EpsilonGreedy(2, epsilon=1.0, seed=3)
    s.update(0, 1.0)
    s.update(1, 0.0)
    picks = [s.select() for _ in range(400)]
    assert 150 < picks.count(1) < 250


def test_thompson_posterior_counts_whole_rewards_and_fractions_as_asked():
    s = ThompsonSampling(2, prior=(2.0, 3.0))
    s.update(0, 1.0)
    s.update(0, 0.0)
    s.update(1, 1.0)
    assert (s.alpha.tolist(), s.beta.tolist()) == ([3.0, 3.0], [4.0, 3.0])
    f = ThompsonSampling(1, fractional="fractional")
    f.update(0, 0.25)
    assert (f.alpha.tolist(), f.beta.tolist()) == ([1.25], [1.75])
    b = ThompsonSampling(1, seed=0)
    for _ in range(200):
        b.update(0, 0.25)
    assert b.alpha[0] + b.beta[0] == 202.0 and b.alpha[0] == int(b.alpha[0])  # whole trials only
    assert 30 < b.alpha[0] - 1 < 70  # about a quarter succeed
    assert s.params() == {"prior": [2.0, 3.0], "fractional": "bernoulli"}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"prior": (1.0,)}, r"^Thompson prior must be two positive numbers \[alpha, beta\], got \[1.0\]$"),
        ({"prior": (1.0, 0.0)}, r"got \[1.0, 0.0\]$"),
        ({"fractional": "half"}, r"^Thompson fractional must be 'bernoulli' or 'fractional', got 'half'$"),
    ],
)
def test_thompson_refuses_bad_settings_by_name(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ThompsonSampling(2, **kwargs)


def test_a_drift_alarm_pulls_the_posterior_back_toward_the_prior_by_decay():
    drift = {"kind": "page_hinkley", "params": {"threshold": 1.0, "min_samples": 2, "tolerance": 0.0}, "decay": 0.5}
    s = ThompsonSampling(2, prior=(1.0, 2.0), drift=drift)
    s.update(1, 1.0)
    for _ in range(4):
        s.update(0, 1.0)
    s.update(0, 0.0)
    s.update(0, 0.0)  # Page-Hinkley: the running mean falls by more than 1 -> alarm on arm 0
    assert s.drift_events and s.drift_events[0]["arm"] == 0 and s.drift_events[0]["rollback_to"] == 1
    # Before the alarm: alpha 1 + 4, beta 2 + 2 -> halfway back to (1, 2).
    assert (s.alpha[0], s.beta[0]) == (3.0, 3.0)
    assert (s.n[0], s.sum[0]) == (3.0, 2.0)  # 6 updates, 4 of reward 1, halved
    assert (s.rollback_arm, s.hold_left) == (1, 50)


def test_after_an_alarm_the_rollback_arm_is_held_and_epsilon_restarts():
    drift = {"kind": "page_hinkley", "params": {"threshold": 0.4, "min_samples": 1, "tolerance": 0.0}, "hold": 2}
    s = EpsilonGreedy(2, epsilon=0.5, decay=1.0, drift=drift)
    s.select()
    s.select()
    s.update(1, 1.0)
    s.update(0, 1.0)
    s.update(0, 0.0)
    assert s.drift_events == [{"update": 3, "round": 2, "arm": 0, "rollback_to": 1}]
    assert (s.schedule_start, s.n[0], s.sum[0]) == (2, 0.0, 0.0)  # decay 0 forgets the arm
    assert [s.select(), s.select()] == [1, 1] and s.hold_left == 0


def test_check_reward_names_what_is_wrong():
    assert check_reward(1) == 1.0 and check_reward("0.5") == 0.5 and check_reward(0) == 0.0
    with pytest.raises(ValueError, match=r"^reward must be a number in \[0, 1\], got 'x'$"):
        check_reward("x")
    with pytest.raises(ValueError, match=r"^reward must be in \[0, 1\], got 1.5$"):
        check_reward(1.5)
    with pytest.raises(ValueError, match=r"^reward must be in \[0, 1\], got nan$"):
        check_reward(float("nan"))


def test_arms_and_arm_counts_are_checked_by_name():
    with pytest.raises(ValueError, match=r"^a selector needs n_arms >= 1, got 0$"):
        UCB1(0)
    with pytest.raises(ValueError, match=r"^a selector needs n_arms >= 1, got True$"):
        UCB1(True)
    s = UCB1(np.int64(2))
    s.update(np.int64(1), 0.5)
    for arm in (2, -1, True, 1.0):
        with pytest.raises(ValueError, match=rf"^arm must be an int in \[0, 2\), got {arm!r}$"):
            s.update(arm, 0.5)
    assert repr(s) == "UCB1(n_arms=2, seed=0, drift={'kind': 'none', 'params': {}, 'hold': 50, 'decay': 0.0}, " + (
        "exploration=2.0)"
    )


def test_window_detector_compares_the_reference_mean_with_the_recent_window():
    d = WindowDetector(reference=2, window=2, min_drop=0.3, delta=0.5)
    assert d.bound == max(0.3, math.sqrt((1 / 2 + 1 / 2) * math.log(2) / 2))
    assert [d.update(r) for r in (1.0, 1.0)] == [False, False] and d.ready
    assert d.update(0.0) is False  # the window is not full yet
    assert d.update(0.5) is True  # drop 1 - 0.25 = 0.75 > 0.59
    d.reset()
    assert not d.ready and d.state_dict() == {"reference_sum": 0.0, "reference_n": 0, "recent": []}
    with pytest.raises(ValueError, match=r"^drift delta must be in \(0, 1\), got 1.0$"):
        WindowDetector(delta=1.0)
    with pytest.raises(ValueError, match=r"reference=0, window=5"):
        WindowDetector(reference=0, window=5)


def test_page_hinkley_accumulates_the_gap_below_the_running_mean():
    d = PageHinkleyDetector(tolerance=0.0, threshold=0.4, min_samples=3)
    assert [d.update(r) for r in (1.0, 0.0)] == [False, False]
    # means 1, 0.5; cumulative 0 then 0.5; lowest 0
    assert d.state_dict() == {"n": 2, "mean": 0.5, "cumulative": 0.5, "lowest": 0.0}
    assert d.update(0.0) is True and d.ready  # mean 1/3, cumulative 0.5 + 1/3 > 0.4 at the 3rd sample
    with pytest.raises(ValueError, match=r"^Page-Hinkley threshold must be > 0, got 0$"):
        PageHinkleyDetector(threshold=0)


def test_drift_config_reads_detector_settings_under_their_name():
    config = DriftConfig.from_any({"kind": "window", "window": {"reference": 3, "window": 2}, "hold": 5})
    assert config.to_dict() == {"kind": "window", "params": {"reference": 3, "window": 2}, "hold": 5, "decay": 0.0}
    assert DriftConfig.from_any("page_hinkley").enabled and not DriftConfig.from_any(None).enabled
    with pytest.raises(ValueError, match=r"^drift decay must be in \[0, 1\], got 1.5$"):
        DriftConfig(decay=1.5)
    with pytest.raises(ValueError, match=r"^drift hold must be >= 0, got -1$"):
        DriftConfig(hold=-1)
    with pytest.raises(ValueError, match=r"^bad parameters for drift detector 'window': "):
        DriftConfig(kind="window", params={"size": 3})


def _alarm_on_arm_0(selector) -> None:
    """Arm 1 once at reward 1, arm 0 twice at 1 then twice at 0: Page-Hinkley (threshold 1) alarms on arm 0."""
    selector.update(1, 1.0)
    for reward in (1.0, 1.0, 0.0, 0.0):
        selector.update(0, reward)


DRIFT = {"kind": "page_hinkley", "params": {"threshold": 1.0, "min_samples": 2, "tolerance": 0.0}, "decay": 0.5}


def test_an_alarm_decays_only_the_drifting_arm():
    for selector in (EpsilonGreedy(2, drift=DRIFT), ThompsonSampling(2, drift=DRIFT), LinUCB(2, drift=DRIFT)):
        _alarm_on_arm_0(selector)
        assert selector.drift_events[0]["arm"] == 0, type(selector).__name__
        assert (selector.n.tolist(), selector.sum.tolist()) == ([2.0, 1.0], [1.0, 1.0]), type(selector).__name__
        assert selector.rollback_arm == 1 and selector.hold_left == 50


def test_linucb_forgets_the_drifting_arms_regression_halfway_to_the_ridge_prior():
    s = LinUCB(2, l2_lambda=2.0, drift=DRIFT)
    _alarm_on_arm_0(s)
    # Arm 0 (bias feature only) saw 4 rounds, 2 of reward 1: gram 2 + 4 = 6, target 2; halfway back to (2, 0).
    assert (s.gram[0].tolist(), s.target[0].tolist()) == ([[4.0]], [1.0])
    assert (s.gram[1].tolist(), s.target[1].tolist()) == ([[3.0]], [1.0])


def test_page_hinkley_alarms_only_strictly_above_its_threshold():
    d = PageHinkleyDetector(tolerance=0.0, threshold=0.5, min_samples=2)
    assert [d.update(1.0), d.update(0.0)] == [False, False]  # cumulative 0.5, not above 0.5


def test_a_window_detector_restored_mid_window_decides_as_the_original():
    original = WindowDetector(reference=2, window=3, min_drop=0.3, delta=0.5)
    for reward in (1.0, 1.0, 0.0, 0.0):
        original.update(reward)
    restored = WindowDetector(reference=2, window=3, min_drop=0.3, delta=0.5)
    restored.load_state_dict(original.state_dict())
    assert restored.state_dict() == {"reference_sum": 2.0, "reference_n": 2, "recent": [0.0, 0.0]}
    assert restored.update(0.0) is original.update(0.0) is True


def test_a_state_with_another_number_of_detectors_is_refused():
    s = EpsilonGreedy(2, drift="window")
    state = s.state_dict()
    state["detectors"] = state["detectors"][:1]
    with pytest.raises(ValueError, match="zip"):
        EpsilonGreedy(2, drift="window").load_state_dict(state)


@pytest.mark.parametrize("cls", [EpsilonGreedy, UCB1, ThompsonSampling, LinUCB])
def test_a_fresh_selector_is_seed_0_with_whole_counts_and_no_rollback(cls):
    s = cls(2)
    state = s.state_dict()
    assert s.config()["seed"] == 0 and state["config"]["seed"] == 0
    assert json.dumps([state["assigned"], state["pulls"]]) == "[[0, 0], [0, 0]]"  # counts, not floats
    assert (state["rollback_arm"], state["hold_left"], state["good_arms"], state["drift_events"]) == (None, 0, [], [])
    s.update(1, 0.5)
    s.select()
    assert json.dumps(s.state_dict()["pulls"]) == "[0, 1]"


def test_means_divide_decayed_counts_below_1_exactly():
    s = EpsilonGreedy(2)
    s.n[0], s.sum[0] = 0.5, 0.25  # one round at 0.5 halved by a drift decay of 0.5
    assert s.means()[0] == 0.5 and math.isnan(s.means()[1])


def test_the_rollback_target_is_the_latest_other_good_arm_not_excluded():
    s = EpsilonGreedy(4)
    s.good_arms, s.excluded = [2, 1, 0], [1]
    assert s._rollback_target(0) == 2


def test_without_good_arms_the_fallback_is_the_best_other_arm_that_is_not_excluded():
    s = EpsilonGreedy(3)
    for arm, reward in [(0, 1.0), (1, 0.9), (2, 0.1)]:
        s.update(arm, reward)
    s.excluded = [1]
    assert s._rollback_target(0) == 2  # not 0 itself (the best), not 1 (excluded)
    assert EpsilonGreedy(1)._fallback_arm(0) is None


def test_a_lone_arm_that_drifts_rolls_back_to_itself_and_leaves_the_good_arms():
    drift = {"kind": "page_hinkley", "params": {"threshold": 0.4, "min_samples": 1, "tolerance": 0.0}}
    s = EpsilonGreedy(1, drift=drift)
    s.update(0, 1.0)
    assert s.good_arms == [0]  # ready and the leader
    s.update(0, 0.0)
    assert s.drift_events == [{"update": 2, "round": 0, "arm": 0, "rollback_to": 0}]
    assert s.good_arms == [] and s.rollback_arm is None


def test_only_a_warmed_up_leader_is_a_good_arm():
    drift = {"kind": "page_hinkley", "params": {"threshold": 5.0, "min_samples": 2, "tolerance": 0.0}}
    s = EpsilonGreedy(2, drift=drift)
    s.update(0, 1.0)
    assert s.good_arms == []  # the leader, but its detector has seen 1 of 2 rewards
    s.update(1, 0.5)
    s.update(1, 0.5)
    assert s.good_arms == []  # warmed up, but arm 0 leads
    s.update(0, 1.0)
    assert s.good_arms == [0]


def test_the_hold_ends_after_its_rounds():
    s = UCB1(2)
    s.rollback_arm, s.hold_left = 1, 1
    assert [s.select(), s.select(), s.select()] == [1, 0, 0]  # held once, then the untried arm 0 spread
    assert s.hold_left == 0


def test_epsilon_right_after_the_schedule_starts_divides_by_1():
    s = EpsilonGreedy(3, epsilon=1.0, decay=0.1)
    s.rounds = 1
    assert s.current_epsilon() == pytest.approx(0.3)


def test_a_whole_reward_draws_no_random_number_and_a_fraction_one_trial():
    s = ThompsonSampling(1, seed=7)
    s.update(0, 0.0)
    s.update(0, 1.0)
    assert s.rng.random() == np.random.default_rng(7).random()
    s.update(0, 0.25)
    assert (s.alpha[0] + s.beta[0], s.alpha[0] % 1) == (5.0, 0.0)  # one whole trial, not 0.25 of one


def test_ucb1_with_one_update_has_no_exploration_bonus_and_keeps_its_drift_config():
    s = UCB1(1, exploration=2.0)
    s.update(0, 0.5)
    assert s.indices().tolist() == [0.5]  # ln 1 = 0
    assert UCB1(2, drift="window").config()["drift"]["kind"] == "window"


def test_linucb_defaults_and_edges_of_its_settings():
    assert LinUCB(2).params() == {"alpha": 1.0, "l2_lambda": 1.0, "features": None, "max_features": 64}
    assert LinUCB(2, alpha=0.0).alpha == 0.0 and LinUCB(2, alpha=0.5).alpha == 0.5
    assert LinUCB(2, max_features=1).max_features == 1


def test_linucb_learns_from_the_context_it_is_given():
    s = LinUCB(2)
    s.update(0, 1.0, {"difficulty": 2})
    assert s.vocabulary == ["bias", "difficulty=2"]
    assert s.target[0].tolist() == [1.0, 1.0] and s.gram[0].tolist() == [[2.0, 1.0], [1.0, 2.0]]


def test_linucb_warns_once_naming_the_first_value_left_out(caplog):
    s = LinUCB(2, max_features=2)
    with caplog.at_level("WARNING", logger="policies.selection.contextual"):
        s.encode({"a": 1})
        s.encode({"a": 2})
        s.encode({"a": 3})
    assert [r.getMessage() for r in caplog.records] == [
        "LinUCB: 2 feature columns in use; 'a=2' and later new values are left out"
    ]


def test_drift_config_edges_and_an_unknown_detector_named_with_the_known_ones():
    assert DriftConfig(hold=0).hold == 0 and DriftConfig(decay=1.0).decay == 1.0
    with pytest.raises(ValueError) as error:
        DriftConfig(kind="cusum")
    assert str(error.value) == "unknown drift detector 'cusum'; known: ['none', 'window', 'page_hinkley']"
    assert DriftConfig.from_any({"hold": 3}).to_dict() == {"kind": "none", "params": {}, "hold": 3, "decay": 0.0}


def test_detector_defaults_and_edges():
    d = PageHinkleyDetector()
    assert (d.tolerance, d.threshold, d.min_samples) == (0.1, 20.0, 30)
    assert d.state_dict() == {"n": 0, "mean": 0.0, "cumulative": 0.0, "lowest": 0.0}
    w = WindowDetector()
    assert (w.reference, w.window) == (100, 50)
    assert (WindowDetector(reference=1, window=1).reference, WindowDetector(reference=1, window=1).window) == (1, 1)
    with pytest.raises(ValueError, match=r"^drift delta must be in \(0, 1\), got 0.0$"):
        WindowDetector(delta=0.0)


def test_a_window_drop_equal_to_the_bound_is_no_alarm():
    d = WindowDetector(reference=1, window=1, min_drop=0.5, delta=0.9)  # Hoeffding's term 0.32: the bound is 0.5
    assert d.bound == 0.5
    assert [d.update(1.0), d.update(0.5)] == [False, False]
    assert d.update(0.4) is True
