"""No wrapper may choose by the env's grade of an episode: the agent never sees it (AppWorld grades after the
episode, MLE-bench on a private test set), so a search that ends episodes in branches and restores them must
choose the same whichever way the hidden grader would have graded its finishes.

The snapshot search valued a branch that ended by its reward (success +10, a failed end -10) and stopped at
the first branch graded a success: a retry against the grader, whose success rate was a pass@k. On MLE the
same search chose among submissions by their test-set grade (30 restores learned digit-recognizer's first
three test labels)."""

from __future__ import annotations

import pytest

from tests.wrappers.bank_env import START_BALANCES, BankEnv
from tests.wrappers.policies import greedy
from tests.wrappers.scripted import ScriptedModel, fenced
from tests.wrappers.test_tree_search import COMPLETE, PONDER, SEND, judge_or, same_replies
from wrappers.tree_search import TreeSearch


class FinishingAtOnceIsRight(BankEnv):
    """The same world graded the other way: the task is done when no money moved."""

    def _expected(self) -> dict[str, int]:
        return dict(START_BALANCES)


def first_actions(env: BankEnv, self_evaluate: bool) -> list[str]:
    model = ScriptedModel({"tree_search": judge_or(same_replies) if self_evaluate else same_replies})
    policy = TreeSearch(greedy(model), model, env, branching=3, node_budget=10, self_evaluate=self_evaluate)
    obs, _ = env.reset(options={"task_id": "send_bob_5"})
    policy.reset(seed=0)
    actions = []
    for _ in range(3):
        actions.append(policy.act(obs))
        obs, _, terminated, truncated, _ = env.step(actions[-1])
        if terminated or truncated:
            break
    return actions


@pytest.mark.parametrize("self_evaluate", [False, True])
def test_the_snapshot_search_plays_the_same_whichever_way_the_hidden_grader_grades(self_evaluate: bool) -> None:
    as_graded = first_actions(BankEnv(), self_evaluate)
    graded_the_other_way = first_actions(FinishingAtOnceIsRight(), self_evaluate)
    assert as_graded == graded_the_other_way
    assert as_graded == ([SEND, COMPLETE] if self_evaluate else [COMPLETE]), as_graded


def test_the_search_reports_no_grade_of_its_branches() -> None:
    model = ScriptedModel({"tree_search": lambda messages, n: [fenced(COMPLETE), fenced(PONDER)][:n]})
    env = BankEnv()
    policy = TreeSearch(greedy(model), model, env, branching=2, node_budget=4)
    obs, _ = env.reset()
    policy.act(obs)
    for node in policy.step_info()["wrappers"]["tree_search"]["tree"]:
        assert "reward" not in node and "success" not in node, node
