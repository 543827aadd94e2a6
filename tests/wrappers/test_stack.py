"""Stacks: every config loads and builds, stacks compose and pass check_env, bad stacks are refused."""

import inspect
import json
from pathlib import Path

import pytest
from gymnasium.utils.env_checker import check_env
from omegaconf import OmegaConf

from envs.appworld import AppWorldEnv
from envs.contract import EnvProfile
from envs.mle.env import MLECompetitionEnv
from envs.toolworld.profile import TOOLWORLD_PROFILE
from policies.llm.accounting import Accountant, MeteredModel
from tests.wrappers.bank_env import BankEnv
from tests.wrappers.policies import greedy
from tests.wrappers.scripted import ScriptedModel, fenced
from wrappers.policy_wrapper import PolicyWrapper
from wrappers.stack import REGISTRY, apply_stack, parse_stack

CONF = Path(__file__).resolve().parents[2] / "conf" / "wrappers"


def config(name: str) -> dict:
    content = OmegaConf.to_container(OmegaConf.load(CONF / f"{name}.yaml"), resolve=True)
    assert list(content) == [name], f"conf/wrappers/{name}.yaml must hold one top-level key {name!r}"
    return content[name]


PROFILES = {"toolworld": TOOLWORLD_PROFILE, "mle": MLECompetitionEnv.profile, "appworld": AppWorldEnv.profile}


def build(env, policy, model, stack, profile: EnvProfile = TOOLWORLD_PROFILE):
    return apply_stack(env, policy, model, parse_stack(stack, profile))


def test_every_registered_wrapper_has_a_config_and_its_keys_are_valid():
    assert sorted(p.stem for p in CONF.glob("*.yaml")) == sorted(REGISTRY)
    for name in REGISTRY:
        parse_stack([(name, config(name))], TOOLWORLD_PROFILE)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_config_value_is_the_wrappers_own_default(name):
    """conf/wrappers/<name>.yaml mirrors the constructor's defaults, so the two cannot drift apart."""
    parameters = inspect.signature(REGISTRY[name].cls).parameters
    for option, value in config(name).items():
        assert parameters[option].default == value, f"conf/wrappers/{name}.yaml: {option}={value!r}"


def anything(messages, n):
    """A model that always answers something every role can read."""
    return ['{"is_bug": false, "metric": 1, "summary": "ok"}\nScore: 5\n' + fenced("print('hi')")] * n


@pytest.mark.parametrize(
    "names",
    [
        ["summarize", "correct", "self_consistency"],
        ["truncate", "correct", "chaining", "self_debug"],
        ["self_consistency", "self_reflection", "self_debug"],
        ["summarize", "tree_of_thoughts", "self_reflection"],
        ["correct", "tree_search"],
    ],
)
def test_stacks_compose_and_still_pass_check_env(names):
    model = MeteredModel(
        ScriptedModel({role: anything for role in ["agent", "summarizer", "corrector", *[n for n in names]]}),
        Accountant(),
    )
    stack = [(name, {**config(name), **({"k": 2} if name == "self_consistency" else {})}) for name in names]
    env, policy = build(BankEnv(), greedy(model), model, stack)
    check_env(env, skip_render_check=True)
    obs, _ = env.reset(seed=0)
    policy.reset(seed=0)
    for _ in range(3):
        obs, reward, terminated, truncated, info = env.step(policy.act(obs))
    step_info = policy.step_info()
    json.dumps(step_info), json.dumps(info)  # reports go into JSON results and trajectories as they are
    policy_names = [n for n in names if REGISTRY[n].kind == "policy"]
    assert sorted(step_info["wrappers"]) == sorted(policy_names)
    for name in policy_names:  # self_debug only asks after an error, and print('hi') never fails
        assert step_info["wrappers"][name]["cost"]["calls"] >= (0 if name == "self_debug" else 1)
    env_names = [n for n in names if REGISTRY[n].kind != "policy"]
    assert sorted(info.get("wrappers", {})) == sorted(env_names)
    roles = model.accountant.to_dict()["by_role"]
    assert set(policy_names) - {"self_debug"} <= set(roles)  # each wrapper's calls are accounted under its own role


def test_list_order_is_wrapping_order():
    model = ScriptedModel({})
    env, policy = build(
        BankEnv(),
        greedy(model),
        model,
        [("truncate", {}), ("correct", {}), ("chaining", {}), ("self_debug", {})],
    )
    assert type(env).__name__ == "Correct" and type(env.env).__name__ == "Truncate"
    assert type(policy).__name__ == "SelfDebug" and type(policy.policy).__name__ == "Chaining"
    assert isinstance(policy, PolicyWrapper)


class MLEBank(BankEnv):
    profile = MLECompetitionEnv.profile


def test_tree_search_mode_follows_the_env_profile():
    model = ScriptedModel({})
    _, toolworld_policy = build(BankEnv(), greedy(model), model, [("tree_search", config("tree_search"))])
    _, mle_policy = build(MLEBank(), greedy(model), model, [("tree_search", config("tree_search"))], MLEBank.profile)
    assert (toolworld_policy.mode, mle_policy.mode) == ("snapshot", "aide")


@pytest.mark.parametrize(
    "stack, env_kind, message",
    [
        (["tree_search", "tree_of_thoughts"], "toolworld", "one search wrapper"),
        (["self_debug", "chaining"], "toolworld", r"'chaining' writes every action itself, so \['self_debug'\]"),
        (["chaining", "self_consistency"], "toolworld", "'self_consistency' writes every action itself"),
        (["correct", "correct"], "toolworld", "appears 2 times"),
        (["summarise"], "toolworld", "unknown wrapper 'summarise'"),
        (["tree_search"], "appworld", "does not support env 'appworld'"),
        ("summarize", "toolworld", "a list of wrapper names, got the string 'summarize'"),
        ([("correct", 3)], "toolworld", "settings must be a mapping, got 3"),
        ([("correct", {"max_attempt": 3})], "toolworld", r"unknown option\(s\) \['max_attempt'\]"),
    ],
)
def test_invalid_stacks_are_refused_with_clear_errors(stack, env_kind, message):
    with pytest.raises(ValueError, match=message):
        parse_stack(stack, PROFILES[env_kind])


def test_a_wrapper_config_can_name_its_own_model(tmp_path):
    """The corrector's config names a replay model; the stack's model has no corrector script."""
    from policies.llm.replay import Recording

    recorded = tmp_path / "corrector.jsonl"
    live = ScriptedModel({"corrector": ["PATCH:\n" + fenced("print('fixed')")]})
    wrapped, _ = build(BankEnv(), greedy(live), Recording(live, recorded), [("correct", {})])
    wrapped.reset()
    wrapped.step("print(nope)")  # records the corrector's request and reply

    stack_model = MeteredModel(ScriptedModel({}), Accountant())
    correct_cfg = {"model": {"backend": "replay", "path": str(recorded)}}
    wrapped, _ = build(BankEnv(), greedy(stack_model), stack_model, [("correct", correct_cfg)])
    wrapped.reset()
    _, _, _, _, info = wrapped.step("print(nope)")
    assert info["wrappers"]["correct"]["fixed"]
    assert stack_model.accountant.to_dict()["by_role"]["corrector"]["calls"] == 1  # metered into the episode


def test_summarize_counts_the_agents_own_system_prompt():
    model = ScriptedModel({})
    env, _ = build(BankEnv(), greedy(model), model, [("summarize", {})])
    assert env.agent_system_prompt == greedy(model).system_prompt
