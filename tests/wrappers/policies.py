"""Policies for wrapper tests: the real LLMPolicy and a fixed one without a prompt."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.base import Policy
from policies.llm.base import ChatModel
from policies.llm_policy import LLMPolicy

SYSTEM = "You write Python code that calls apis.<app>.<api>(...) to solve the task."


def greedy(model: ChatModel) -> LLMPolicy:
    """The plain agent: one reply at temperature 0, its code is the action."""
    return LLMPolicy(model, SYSTEM)


class FixedPolicy(Policy):
    """Plays one action forever; has no prompt of its own."""

    def __init__(self, action: str) -> None:
        self.action = action

    def act(self, observation: Mapping[str, Any]) -> str:
        return self.action
