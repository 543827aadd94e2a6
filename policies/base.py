"""What a policy is: observation in, action (a string) out, one episode at a time."""

from __future__ import annotations

import abc
from typing import Any

from envs.contract import Observation
from policies.llm.base import Message


class Policy(abc.ABC):
    """Maps observations to actions.

    `reset` starts a new episode; `act` sees the full observation dict the
    environment (and its observation wrappers) produced.
    """

    def reset(self, *, seed: int | None = None) -> None:  # noqa: B027 - stateless policies keep this no-op
        """Forget the previous episode. Stateless policies need not override."""

    @abc.abstractmethod
    def act(self, observation: Observation) -> str:
        """Return the next action."""

    def step_info(self) -> dict[str, Any]:
        """What the policy did for its last action (samples, votes, tree, ...)."""
        return {}


class ChatPolicy(Policy):
    """A policy that asks a chat model: wrappers reuse its prompt and its reply parser.

    `system_prompt` is the agent's system message (the summarizer counts it in
    the prompt size); `messages` renders an observation into the chat the agent
    would send; `parse` reads the action out of a reply.
    """

    system_prompt: str

    @abc.abstractmethod
    def messages(self, observation: Observation) -> list[Message]:
        """The chat this policy would send for `observation`."""

    @abc.abstractmethod
    def parse(self, reply: str) -> str:
        """The action in a model reply."""
