"""Behaviour of the six strategies on Bernoulli arms with known means (seeded, many seeds, wide margins)."""

from __future__ import annotations

import numpy as np
import pytest

from policies.selection import UCB1, ABTest, EpsilonGreedy, Naive, ThompsonSampling, ValidationBased
from policies.selection.simulate import run_selector, simulate
from policies.selection.sources import BernoulliArms

MEANS = [0.2, 0.5, 0.8]  # best arm 2, gaps 0.3 and 0.6
SEEDS = range(10)
LEARNING = {
    "epsilon_greedy": {"name": "epsilon_greedy", "epsilon": 0.1, "decay": 10.0},
    "ucb1": {"name": "ucb1"},
    "thompson": {"name": "thompson"},
}


@pytest.fixture(scope="module")
def learning_runs():
    return simulate(LEARNING, BernoulliArms(MEANS), horizon=2000, seeds=SEEDS)


@pytest.mark.parametrize("name", list(LEARNING))
def test_learning_strategies_have_sublinear_regret(learning_runs, name):
    curves = np.array([np.cumsum(trace.regret) for trace in learning_runs[name]])
    regret_t, regret_4t = curves[:, 499].mean(), curves[:, 1999].mean()
    # Linear regret would give a ratio of 4; logarithmic regret gives well under 2.
    assert regret_4t < 2.5 * regret_t, (regret_t, regret_4t)
    assert regret_4t / 2000 < 0.5 * regret_t / 500
    # Uniform play would lose (0.6 + 0.3) / 3 = 0.3 per round: 600 over 2000 rounds.
    assert regret_4t < 150


@pytest.mark.parametrize("name", list(LEARNING))
def test_learning_strategies_pull_the_best_arm_most(learning_runs, name):
    for trace in learning_runs[name]:
        pulls = np.bincount(trace.arms, minlength=3)
        assert pulls.argmax() == 2, pulls
        assert np.mean(trace.arms[-500:] == 2) > 0.85


def test_constant_epsilon_keeps_exploring_at_rate_epsilon():
    selector = EpsilonGreedy(3, epsilon=0.3, seed=0)
    trace = run_selector(selector, BernoulliArms([0.1, 0.1, 0.9]), 3000, seed=0)
    # Random arm with probability 0.3, a non-best one 2/3 of those times: about 20% of rounds.
    share_off_best = np.mean(trace.arms[500:] != 2)
    assert 0.15 < share_off_best < 0.25
    assert EpsilonGreedy(3, epsilon=0.3, decay=1.0).current_epsilon() == 0.3


def test_ucb1_tries_every_arm_once_first():
    for n_arms in (2, 5):
        selector = UCB1(n_arms, seed=1)
        first = []
        for _ in range(n_arms):
            arm = selector.select()
            first.append(arm)
            selector.update(arm, 1.0)  # a perfect first arm must not stop the others being tried
        assert sorted(first) == list(range(n_arms))


def test_untried_arms_are_spread_while_results_are_pending():
    for cls in (UCB1, ThompsonSampling, EpsilonGreedy):
        selector = cls(4, seed=0)
        assert sorted(selector.select() for _ in range(4)) == [0, 1, 2, 3], cls.name


def test_naive_always_deploys_the_newest_arm():
    selector = Naive(3, seed=0)
    for _ in range(50):
        arm = selector.select()
        assert arm == 2
        selector.update(arm, 0.0)


def test_validation_picks_the_best_arm_of_its_phase():
    for seed in SEEDS:
        selector = ValidationBased(3, pulls_per_arm=60, seed=seed)
        trace = run_selector(selector, BernoulliArms(MEANS), 400, seed=seed)
        phase = trace.arms[:180]
        assert sorted(np.bincount(phase, minlength=3)) == [60, 60, 60]  # round-robin phase
        phase_means = [trace.rewards[:180][phase == a].mean() for a in range(3)]
        assert selector.deployed == int(np.argmax(phase_means)) == 2
        assert set(trace.arms[180:]) == {2}


def test_validation_with_given_scores_skips_the_phase():
    selector = ValidationBased(3, scores=[0.4, 0.9, 0.1])
    assert [selector.select() for _ in range(5)] == [1] * 5


def test_ab_test_splits_evenly_then_commits_to_the_better_arm():
    for seed in SEEDS:
        selector = ABTest(2, test_rounds=200, seed=seed)
        trace = run_selector(selector, BernoulliArms([0.3, 0.7]), 600, seed=seed)
        test_counts = np.bincount(trace.arms[:200], minlength=2)
        assert abs(test_counts[0] - test_counts[1]) <= 1  # balanced blocks, random order
        assert selector.deployed == 1
        assert set(trace.arms[200:]) == {1}
    orders = {tuple(run_selector(ABTest(3, test_rounds=30, seed=s), BernoulliArms(MEANS), 30, s).arms) for s in SEEDS}
    assert len(orders) > 1  # the split is randomised, not round-robin


def test_thompson_fractional_rewards():
    bernoulli = ThompsonSampling(2, seed=0)
    for _ in range(1000):
        bernoulli.update(0, 0.3)
    # A Bernoulli trial per reward: about 30% successes, and alpha + beta grows by one per update.
    assert bernoulli.alpha[0] + bernoulli.beta[0] == pytest.approx(1002)
    assert 250 < bernoulli.alpha[0] - 1 < 350
    fractional = ThompsonSampling(2, fractional="fractional", seed=0)
    fractional.update(1, 0.25)
    assert (fractional.alpha[1], fractional.beta[1]) == (1.25, 1.75)


@pytest.mark.parametrize("cls", [Naive, ValidationBased, ABTest, EpsilonGreedy, UCB1, ThompsonSampling])
def test_bad_input_is_refused_with_a_clear_error(cls):
    selector = cls(3, seed=0)
    with pytest.raises(ValueError, match=r"reward must be in \[0, 1\]"):
        selector.update(0, 1.5)
    with pytest.raises(ValueError, match="reward must be a number"):
        selector.update(0, "good")
    with pytest.raises(ValueError, match=r"reward must be in \[0, 1\]"):
        selector.update(0, float("nan"))
    with pytest.raises(ValueError, match=r"arm must be an int in \[0, 3\)"):
        selector.update(3, 0.5)
    with pytest.raises(ValueError, match="n_arms >= 1"):
        cls(0)
    assert selector.updates == 0  # refused updates change nothing


def test_bad_hyperparameters_are_refused():
    with pytest.raises(ValueError, match="epsilon must be in"):
        EpsilonGreedy(2, epsilon=1.5)
    with pytest.raises(ValueError, match="prior"):
        ThompsonSampling(2, prior=[0, 1])
    with pytest.raises(ValueError, match="one value per arm"):
        ValidationBased(3, scores=[1, 2])
    with pytest.raises(ValueError, match="test_rounds"):
        ABTest(2, test_rounds=0)
