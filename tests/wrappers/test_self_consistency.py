import pytest

from policies.render import load_prompt
from tests.wrappers.bank_env import BankEnv
from tests.wrappers.policies import FixedPolicy, greedy
from tests.wrappers.scripted import ScriptedModel, fenced
from wrappers.self_consistency import SelfConsistency

MAJORITY = [
    "x = apis.bank.show_balance(access_token=token)\nprint(x['balance'])",
    "# check the balance first\nx = apis.bank.show_balance( access_token = token )\n\nprint( x[ 'balance' ] )",
    'x = apis.bank.show_balance(access_token=token)  # balance\nprint(x["balance"])',
]
MINORITY = ["print('a')", "print('a')  ", "apis.supervisor.complete_task()"]


def test_picks_the_majority_among_differently_formatted_ast_equal_programs():
    samples = [MINORITY[0], MAJORITY[0], MINORITY[1], MAJORITY[1], MINORITY[2], MAJORITY[2]]
    model = ScriptedModel({"self_consistency": [fenced(s) for s in samples]})
    policy = SelfConsistency(greedy(model), model, k=6)
    action = policy.act(BankEnv().reset()[0])
    assert action == MAJORITY[0]  # 3 AST-equal votes beat 2 textually-equal-after-strip ones
    (request,) = model.calls("self_consistency")
    assert request.n == 6 and request.temperature == 0.7
    info = policy.step_info()["wrappers"]["self_consistency"]
    assert info["winner_votes"] == 3 and info["distinct"] == 3 and info["cost"]["samples"] == 6


def test_unparsable_code_falls_back_to_normalized_text_and_ties_go_to_the_first():
    samples = ["this is  not code", "this is not   code", "print(1)", "print( 1 )"]
    model = ScriptedModel({"self_consistency": samples})
    policy = SelfConsistency(greedy(model), model, k=4)
    assert policy.act(BankEnv().reset()[0]) == "this is  not code"


def test_execution_vote_groups_different_programs_with_the_same_effect():
    # three different programs print the same and change nothing; two identical ones fail
    samples = [
        "raise Exception('boom')",
        "raise Exception('boom')",
        "print(100)",
        "print(50 + 50)",
        "print(sum([60, 40]))",
    ]
    env = BankEnv()
    obs, _ = env.reset()
    model = ScriptedModel({"self_consistency": samples})
    policy = SelfConsistency(greedy(model), model, env=env, k=5, execution_vote=True)
    assert policy.act(obs) == "print(100)"
    assert env.history == [] and env.tokens == [] and env.api_calls == 0  # restored after every run


def test_execution_vote_splits_programs_that_print_the_same_but_change_the_state_differently():
    send = (
        "apis.bank.send_money(access_token=apis.bank.login(username='alice', password='hunter2-pw')"
        "['access_token'], to='bob', amount=5); print(100)"
    )
    samples = ["print(100)", "print(50 * 2)", send, send.replace("; print(100)", "\nprint(100)  # sent"), send]
    env = BankEnv()
    obs, _ = env.reset()
    model = ScriptedModel({"self_consistency": samples})
    policy = SelfConsistency(greedy(model), model, env=env, k=5, execution_vote=True)
    assert policy.act(obs) == send  # same output "100", but 3 votes moved money and 2 did not
    assert env.balances["bob"] == 20


def test_execution_vote_needs_snapshots():
    class NoSnapshots(BankEnv):
        get_state = None

    with pytest.raises(ValueError, match="execution_vote needs env.unwrapped.get_state"):
        SelfConsistency(greedy(ScriptedModel({})), ScriptedModel({}), env=NoSnapshots(), execution_vote=True)


def test_a_policy_without_a_prompt_is_refused_with_a_clear_error():
    with pytest.raises(ValueError, match="FixedPolicy is not a ChatPolicy"):
        SelfConsistency(FixedPolicy("print(1)"), ScriptedModel({}))


def test_named_system_prompt_template_is_used_for_a_policy_without_a_prompt():
    model = ScriptedModel({"self_consistency": ["print(1)"] * 2})
    policy = SelfConsistency(FixedPolicy("x"), model, k=2, system_prompt="mle_system")
    policy.act(BankEnv().reset()[0])
    assert model.calls("self_consistency")[0].messages[0]["content"] == load_prompt("mle_system")
