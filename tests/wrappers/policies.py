"""Small real policies for wrapper tests: a greedy LLM policy and a fixed one."""

from __future__ import annotations

from typing import Any, Mapping

from policies.base import Policy
from policies.llm.base import ChatModel, Message
from policies.render import render_messages
from wrappers.code import extract_code

SYSTEM = "You write Python code that calls apis.<app>.<api>(...) to solve the task."


class GreedyPolicy(Policy):
    """Render, ask the model once at temperature 0 as the agent, play its code."""

    system_prompt = SYSTEM

    def __init__(self, model: ChatModel) -> None:
        self.model = model

    def messages(self, observation: Mapping[str, Any]) -> list[Message]:
        return render_messages(observation, self.system_prompt)

    def parse(self, text: str) -> str:
        return extract_code(text)

    def act(self, observation: Mapping[str, Any]) -> str:
        return self.parse(self.model.chat(self.messages(observation), role="agent")[0].text)


class FixedPolicy(Policy):
    """Plays one action forever; has no prompt of its own."""

    def __init__(self, action: str) -> None:
        self.action = action

    def act(self, observation: Mapping[str, Any]) -> str:
        return self.action
