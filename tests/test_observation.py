"""The shared observation space: any Unicode text is kept, spaces print short, bad text is refused by name."""

from __future__ import annotations

import gymnasium as gym
import pytest

from envs.observation import UnicodeText, make_observation, observation_space, text_space, to_space_text

WORLD_TEXT = "東京 café – naïve 🎉 \u2028 ✓ Ω"


def test_text_outside_the_sampling_charset_is_kept_and_belongs_to_the_space() -> None:
    observation = make_observation(
        task_id="t_0", instruction=WORLD_TEXT, context="", history=[{"action": "x", "output": WORLD_TEXT}], steps_left=1
    )
    assert observation["instruction"] == WORLD_TEXT and observation["history"][0]["output"] == WORLD_TEXT
    assert observation_space(3).contains(observation)


def test_a_lone_surrogate_is_the_only_character_replaced() -> None:
    assert to_space_text("a\udcffb東") == "a?b東"
    assert not text_space().contains("a\udcff") and text_space().contains("a?")


def test_length_bounds_hold_and_non_text_is_refused() -> None:
    space = UnicodeText(3)
    assert space.contains("東京🎉") and not space.contains("東京🎉!")
    assert not space.contains(b"abc") and not space.contains(None)
    assert to_space_text("abcdef", 4) == "abcd"


def test_the_space_prints_in_one_short_line() -> None:
    printed = str(observation_space(30))
    assert "\n" not in printed and len(printed) < 400, printed
    assert "UnicodeText(0, 1000000)" in printed


def test_samples_belong_to_the_space_and_equality_follows_the_bounds() -> None:
    space = UnicodeText(50)
    space.seed(0)
    assert all(space.contains(space.sample()) for _ in range(20))
    assert space == UnicodeText(50) and space != UnicodeText(51) and space != gym.spaces.Text(50)


@pytest.mark.parametrize("bad", [-1, 1.5])
def test_bad_bounds_are_refused_by_gymnasium(bad) -> None:
    with pytest.raises((TypeError, ValueError, AssertionError)):
        UnicodeText(bad)
