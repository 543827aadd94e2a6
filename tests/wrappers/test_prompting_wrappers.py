"""self_debug, self_reflection, chaining and tree_of_thoughts, with scripted replies."""

import pytest

from tests.wrappers.bank_env import PASSWORD, BankEnv
from tests.wrappers.policies import greedy
from tests.wrappers.scripted import ScriptedModel, fenced
from wrappers.chaining import Chaining
from wrappers.self_debug import SelfDebug
from wrappers.self_reflection import SelfReflection
from wrappers.signals import parse_score
from wrappers.tree_of_thoughts import TreeOfThoughts

LOGIN = f"token = apis.bank.login(username='alice', password='{PASSWORD}')['access_token']"


def last(messages) -> str:
    return messages[-1]["content"]


def test_self_debug_asks_for_a_fix_with_the_error_up_to_n_rounds_then_hands_back():
    model = ScriptedModel(
        {"agent": [fenced("print(undefined_name)")] * 3, "self_debug": [fenced("print(still_undefined)")] * 3}
    )
    policy = SelfDebug(greedy(model), model, max_rounds=2)
    env = BankEnv()
    obs, _ = env.reset()
    actions = []
    for _ in range(5):
        action = policy.act(obs)
        actions.append((action, policy.step_info()["wrappers"]["self_debug"]["debugged"]))
        obs, *_ = env.step(action)
    assert [debugged for _, debugged in actions] == [False, True, True, False, True]
    fix_request = last(model.calls("self_debug")[0].messages)
    assert "print(undefined_name)" in fix_request and "NameError" in fix_request
    assert policy.step_info()["wrappers"]["self_debug"]["cost"]["calls"] == 3


def test_self_debug_hands_back_once_the_code_runs():
    model = ScriptedModel({"agent": [fenced("print(nope)"), fenced("print(2)")], "self_debug": [fenced("print(1)")]})
    policy = SelfDebug(greedy(model), model, max_rounds=3)
    env = BankEnv()
    obs, _ = env.reset()
    obs, *_ = env.step(policy.act(obs))  # agent fails
    obs, *_ = env.step(policy.act(obs))  # debug round 1 fixes it
    assert obs["history"][-1]["output"] == "1\n"
    assert policy.act(obs) == "print(2)"  # the agent again
    assert len(model.calls("self_debug")) == 1


def test_self_reflection_critiques_then_revises_with_the_critique():
    critique = "The login worked but nothing was sent; send the money next."
    model = ScriptedModel(
        {
            "agent": [fenced(LOGIN)],
            "self_reflection": [critique, fenced("apis.bank.send_money(access_token=token, to='bob', amount=5)")],
        }
    )
    policy = SelfReflection(greedy(model), model)
    env = BankEnv()
    obs, _ = env.reset()
    obs, *_ = env.step(policy.act(obs))  # first step: nothing to reflect on
    assert not policy.step_info()["wrappers"]["self_reflection"]["reflected"]
    obs, *_ = env.step(policy.act(obs))
    critique_request, revise_request = model.calls("self_reflection")
    assert LOGIN in last(critique_request.messages) and "Critique it" in last(critique_request.messages)
    assert critique in last(revise_request.messages)
    assert env.balances["bob"] == 25


def test_self_reflection_only_on_error_skips_successful_steps():
    model = ScriptedModel({"agent": [fenced(LOGIN)] * 2})
    policy = SelfReflection(greedy(model), model, only_on_error=True)
    env = BankEnv()
    obs, _ = env.reset()
    obs, *_ = env.step(policy.act(obs))
    policy.act(obs)
    assert not model.calls("self_reflection")


def test_chaining_plans_then_codes_conditioned_on_the_plan():
    plan = "1. log in with the password from the supervisor\n2. send 5 to bob"
    model = ScriptedModel({"chaining": [plan, fenced(LOGIN), fenced("print(token)")]})
    policy = Chaining(greedy(model), model, plan_every_step=False)
    env = BankEnv()
    obs, _ = env.reset()
    assert policy.act(obs) == LOGIN
    plan_request, code_request = model.calls("chaining")
    assert "Do not write code yet" in last(plan_request.messages)
    assert plan in last(code_request.messages)
    obs, *_ = env.step(LOGIN)
    policy.act(obs)  # the plan is kept: one more call only
    assert len(model.calls("chaining")) == 3 and not policy.step_info()["wrappers"]["chaining"]["planned"]


def test_tree_of_thoughts_expands_the_best_b_to_depth_d_and_codes_the_best_chain():
    def tot(messages, n):
        request = last(messages)
        if "Write thought 1" in request:
            return ["send money first", "log in first", "complete the task"][:n]
        if "Write thought 2" in request:
            chain = request.split("Thoughts so far:")[1]
            return [f"then continue ({'A' if 'log in first' in chain else 'B'}{i})" for i in range(n)]
        if "Score: N" in request:
            chain = request.split("Here is a chain of thoughts about the next action:")[1]
            score = 9 if "log in first" in chain else 5 if "send money first" in chain else 1
            return [f"Score: {score - (1 if '(A1)' in chain or '(B1)' in chain else 0)}/10"] * n
        return [fenced(LOGIN)] * n

    model = ScriptedModel({"tree_of_thoughts": tot})
    policy = TreeOfThoughts(greedy(model), model, k=3, b=2, d=2)
    assert policy.act(BankEnv().reset()[0]) == LOGIN
    report = policy.step_info()["wrappers"]["tree_of_thoughts"]
    assert report["best_chain"] == "Thought 1: log in first\nThought 2: then continue (A0)"
    assert report["best_score"] == 9
    depth2 = [t for t in report["thoughts"] if t["depth"] == 2]
    assert len(depth2) == 6  # b=2 chains expanded, k=3 thoughts each
    # calls: depth 1: 1 propose + 3 scores; depth 2: 2 proposes + 6 scores; + 1 code
    assert report["cost"]["calls"] == 1 + 3 + 2 + 6 + 1
    code_request = last(model.calls("tree_of_thoughts")[-1].messages)
    assert "log in first" in code_request and "(A0)" in code_request


@pytest.mark.parametrize("text, score", [("Score: 7/10", 7.0), ("I'd say 10.", 10.0), ("no idea", 0.0), ("8.5", 8.0)])
def test_parse_score(text, score):
    assert parse_score(text) == score
