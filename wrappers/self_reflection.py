"""self_reflection: critique the last attempt, then revise it.

After each attempt (or only after failed ones, with `only_on_error`), one
call critiques the last code and its output, and a second writes the next
code with that critique in view. The first step has nothing to reflect on and
goes to the wrapped policy.
"""

from __future__ import annotations

from envs.contract import Observation
from policies.base import Policy
from policies.llm.base import ChatModel
from wrappers.policy_wrapper import PolicyWrapper, fill_prompt, with_user_turn
from wrappers.signals import is_error_output, last_action, last_output
from wrappers.text import truncate_output


class SelfReflection(PolicyWrapper):
    name = "self_reflection"

    def __init__(
        self,
        policy: Policy,
        model: ChatModel,
        *,
        only_on_error: bool = False,
        temperature: float = 0.0,
        max_tokens: int = 768,
        output_chars: int = 4_000,
        system_prompt: str | None = None,
    ) -> None:
        super().__init__(policy, model, temperature=temperature, max_tokens=max_tokens, system_prompt=system_prompt)
        self.only_on_error = only_on_error
        self.output_chars = output_chars

    def act(self, observation: Observation) -> str:
        output = last_output(observation)
        if not observation["history"] or (self.only_on_error and not is_error_output(output)):
            self._report = {"reflected": False}
            return self.policy.act(observation)
        messages = self.messages(observation)
        attempt = {"code": last_action(observation), "output": truncate_output(output, self.output_chars)}
        critique = self.client.ask_text(with_user_turn(messages, fill_prompt("self_reflection_critique", **attempt)))
        revision = fill_prompt("self_reflection_revise", critique=critique)
        action = self.parse(self.client.ask_text(with_user_turn(messages, revision)))
        self._report = {"reflected": True, "critique": critique}
        return action
