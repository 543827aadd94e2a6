"""Model-written code that the wrappers cannot analyse never ends the episode in an error.

Wrappers parse the agent's code to compare, vote over and patch it. Code may
be valid yet too long or too deeply nested for the parser or for a recursive
walk of its tree, or hold a null byte; each wrapper must then carry on with
its "could not analyse" fallback.
"""

from __future__ import annotations

import pytest

from tests.wrappers.bank_env import BankEnv
from tests.wrappers.policies import greedy
from tests.wrappers.scripted import ScriptedModel, fenced
from wrappers.code import called_apis, has_code, normalize_code, strip_calls
from wrappers.correct import Correct
from wrappers.self_consistency import SelfConsistency

HOSTILE = {
    "long_sum": "x = " + "1+" * 200_000 + "1",
    "deep_parens": "(" * 10_000 + ")" * 10_000,
    "null_byte": "x = 1\x00\nprint(x)",
    "long_attribute_chain": "apis" + ".a" * 100_000 + "()",
    "long_unary_chain": "x = " + "-" * 200_000 + "1",
    "parses_but_walks_too_deep": "apis.bank.show_balance(amount=" + "1+" * 900 + "1)",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_every_code_analysis_falls_back_instead_of_raising(name: str) -> None:
    code = HOSTILE[name]
    assert isinstance(has_code(code), bool)
    assert isinstance(normalize_code(code), str)
    assert isinstance(called_apis(code), list)
    stripped = strip_calls(code, "show_balance")
    assert isinstance(stripped, str)
    if name == "parses_but_walks_too_deep":
        assert "show_balance" not in stripped  # the line-based fallback still strips the call
        assert called_apis(code) == [("bank", "show_balance")]


@pytest.mark.parametrize("name", list(HOSTILE))
def test_self_consistency_votes_over_unanalysable_samples(name: str) -> None:
    samples = [HOSTILE[name], HOSTILE[name], "print(1)"]
    # each sample fits what was asked: 100,000 tokens, in a window that holds them
    model = ScriptedModel({"self_consistency": [fenced(s) for s in samples]}, context_window=200_000)
    policy = SelfConsistency(greedy(model), model, k=3, max_tokens=100_000)
    assert policy.act(BankEnv().reset()[0]) == HOSTILE[name]


@pytest.mark.parametrize("name", list(HOSTILE))
def test_correct_carries_on_through_unanalysable_actions_and_patches(name: str) -> None:
    """The failing action and the corrector's patch are both unanalysable: the step still returns.

    (BankEnv runs the code in-process, so what is tested is the wrapper, not a sandbox.)"""
    reply = f"CATEGORY: runtime_error\nEVIDENCE: e\nDIAGNOSIS: d\nFIX STEPS: 1. f\nPATCH:\n{fenced(HOSTILE[name])}"
    model = ScriptedModel({"corrector": lambda messages, n: [reply] * n})
    env = Correct(BankEnv(), model, max_attempts=1)
    env.reset()
    obs, _, terminated, truncated, info = env.step(HOSTILE[name])
    assert "correct" in info["wrappers"] and obs["history"]
    assert not (terminated or truncated)
    obs, _, _, _, _ = env.step("print('still here')")
    assert "still here" in obs["history"][-1]["output"]
