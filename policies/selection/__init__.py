"""Bandit strategy selection: pick a wrapper stack (an arm) per episode.

Six strategies from "Multi-armed bandits for ML model deployment"
(arXiv 2503.22595), each with `select() -> arm` and `update(arm, reward)`,
seeded, with drift rollback and exact save/restore of their state; and
`LinUCB`, which chooses per task from the task's features
(`select(context)` / `update(arm, reward, context)`).
"""

from policies.selection.bandits import UCB1, EpsilonGreedy, ThompsonSampling
from policies.selection.base import Context, Selector
from policies.selection.contextual import LinUCB
from policies.selection.deployment import ABTest, Naive, ValidationBased
from policies.selection.drift import DriftConfig, PageHinkleyDetector, WindowDetector
from policies.selection.factory import PAPER_STRATEGIES, STRATEGIES, make_selector, parse_arms, selector_from_state
from policies.selection.session import Choice, SelectorSession

__all__ = [
    "ABTest",
    "Choice",
    "Context",
    "DriftConfig",
    "EpsilonGreedy",
    "LinUCB",
    "Naive",
    "PAPER_STRATEGIES",
    "PageHinkleyDetector",
    "STRATEGIES",
    "Selector",
    "SelectorSession",
    "ThompsonSampling",
    "UCB1",
    "ValidationBased",
    "WindowDetector",
    "make_selector",
    "parse_arms",
    "selector_from_state",
]
