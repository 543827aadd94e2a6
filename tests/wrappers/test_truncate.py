import pytest

from tests.wrappers.bank_env import BankEnv
from wrappers.truncate import Truncate


def turn_chars(obs) -> int:
    return sum(len(t["action"]) + len(t["output"]) for t in obs["history"])


def test_keeps_recent_turns_within_the_budget_and_marks_the_cut():
    env = Truncate(BankEnv(max_steps=30), max_chars=20_000)
    env.reset()
    for i in range(8):
        obs, _, _, _, info = env.step(f"print('{i}' * 2999)")  # 3,000 chars of output + 17 of code
    assert turn_chars(obs) <= 20_000
    assert len(obs["history"]) == 6 and obs["history"][-1]["output"].startswith("7")
    assert "[history truncated: 2 earlier turns (6034 characters) omitted]" == obs["summary"]
    assert info["wrappers"]["truncate"] == {"dropped_turns": 2, "dropped_chars": 6034, "cut_output_chars": 0}


def test_short_history_is_untouched():
    env = Truncate(BankEnv(), max_chars=20_000)
    env.reset()
    obs, *_ = env.step("x = 1")
    assert obs["summary"] == "" and len(obs["history"]) == 1


def test_a_single_huge_output_keeps_its_tail():
    env = Truncate(BankEnv(), max_chars=1_000)
    env.reset()
    obs, *_ = env.step("print('h' * 5000 + 'TAIL')")
    assert obs["history"][0]["output"].endswith("TAIL\n")
    assert turn_chars(obs) == 1_000
    assert "newest output lost its first" in obs["summary"]


def test_bad_budget_is_refused():
    with pytest.raises(ValueError, match="max_chars must be positive"):
        Truncate(BankEnv(), max_chars=0)
