"""An observation wrapper's cost per step must not grow with every step the episode has already taken.

An agent that prints its 20,000 characters at every step keeps summarize
folding a turn into its summary at every step; each fold's ledger read every
earlier output again (0.6 s a step after 115 steps, the episode quadratic).
"""

from __future__ import annotations

import re

import pytest

import wrappers.ledger
from tests.wrappers.bank_env import BankEnv
from tests.wrappers.scripted import ScriptedModel
from wrappers.summarize import Summarize

STEPS = 40


class CountingPattern:
    """A compiled pattern that counts the texts it is asked to search."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.texts = 0

    def findall(self, text: str) -> list[str]:
        self.texts += 1
        return self.pattern.findall(text)


def test_the_ledger_reads_each_output_once_over_an_episode_that_folds_every_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    emails = CountingPattern(wrappers.ledger._EMAIL)
    monkeypatch.setattr(wrappers.ledger, "_EMAIL", emails)
    model = ScriptedModel({"summarizer": lambda messages, n: ["PROGRESS: printing."] * n})
    env = Summarize(BankEnv(max_steps=STEPS + 1), model)
    env.reset()
    folds = 0
    for step in range(STEPS):
        _, _, _, _, info = env.step(f"print('user{step}@example.com ' + 'a' * 10_000)")
        folds += info["wrappers"]["summarize"]["fired"]
    assert folds >= STEPS - 5  # it folds (nearly) every step
    assert emails.texts <= STEPS  # each output read once, not again at every later fold (703 reads)
