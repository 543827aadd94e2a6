"""The typed env contract: every registered env declares a profile, and the checks name what is missing."""

from __future__ import annotations

import gymnasium as gym
import pytest

from envs.appworld import AppWorldEnv
from envs.contract import (
    ApiDocsEnv,
    EnvProfile,
    SnapshotEnv,
    profile_of,
    registered_profile,
    trainfree_env,
)
from envs.mle.env import MLECompetitionEnv
from envs.toolworld.env import ToolWorldEnv
from tests.harness.tiny_env import TinyEnv


@pytest.mark.parametrize(
    "env_id, env_class",
    [
        ("trainfree/ToolWorld-v0", ToolWorldEnv),
        ("trainfree/MLECompetition-v0", MLECompetitionEnv),
        ("trainfree/AppWorld-v0", AppWorldEnv),
        ("tests.harness.tiny_env:trainfree/Tiny-v0", TinyEnv),  # a module to import first, as gym.make allows
    ],
)
def test_registered_ids_give_their_class_profile_without_making_the_env(env_id, env_class):
    assert registered_profile(env_id) is env_class.profile


def test_the_profiles_say_how_each_env_is_treated():
    tool, mle, appworld = ToolWorldEnv.profile, MLECompetitionEnv.profile, AppWorldEnv.profile
    assert (tool.system_prompt, tool.code_blocks, tool.search) == ("toolworld_system", "join", "snapshot")
    assert (mle.system_prompt, mle.code_blocks, mle.search) == ("mle_system", "longest", "aide")
    assert appworld.search is None and appworld.headlines == tool.headlines == (("TGC", "success"), ("SGC", "sgc"))
    assert [label for label, _ in mle.headlines][:2] == ["made submission", "valid submission"]


def test_an_unknown_id_is_refused_by_name():
    with pytest.raises(ValueError, match="cannot find env 'trainfree/Nope-v0'"):
        registered_profile("trainfree/Nope-v0")


def test_capabilities_are_read_from_the_protocols():
    env = TinyEnv()
    assert profile_of(gym.wrappers.RecordEpisodeStatistics(env)) is TinyEnv.profile
    assert isinstance(env, SnapshotEnv) and not isinstance(env, ApiDocsEnv)
    assert issubclass(ToolWorldEnv, ApiDocsEnv) and issubclass(ToolWorldEnv, SnapshotEnv)
    assert not issubclass(MLECompetitionEnv, ApiDocsEnv)


class NoContract(gym.Env):
    """A plain Gymnasium env: no profile, no task list, no oracle."""

    observation_space = gym.spaces.Discrete(1)
    action_space = gym.spaces.Discrete(1)


class NoProfile(TinyEnv):
    profile = None  # type: ignore[assignment]


@pytest.mark.parametrize("env", [NoContract(), NoProfile()])
def test_an_env_outside_the_contract_is_refused_with_what_it_lacks(env):
    with pytest.raises(TypeError, match=r"does not follow envs/contract.py: .*`profile: EnvProfile`.*list_tasks"):
        trainfree_env(env)


def test_a_profile_is_a_frozen_value():
    with pytest.raises(AttributeError):
        TinyEnv.profile.search = None  # type: ignore[misc]
    assert EnvProfile("x", "toolworld_system", "join", None).headlines == (("success", "success"),)
