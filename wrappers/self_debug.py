"""self_debug: after an execution error, ask for a fixed version, up to N rounds.

The fix request holds the agent's usual prompt (whose last message is the
error) plus an instruction to fix the failed code. Rounds count consecutive
failed fixes; after `max_rounds` of them, or once the code runs, the wrapped
policy acts again (and a later error starts a new chain of fixes).
"""

from __future__ import annotations

from envs.contract import Observation
from policies.base import Policy
from policies.llm.base import ChatModel
from wrappers.policy_wrapper import PolicyWrapper, fill_prompt, with_user_turn
from wrappers.signals import is_error_output, last_action, last_output
from wrappers.text import truncate_output


class SelfDebug(PolicyWrapper):
    name = "self_debug"

    def __init__(
        self,
        policy: Policy,
        model: ChatModel,
        *,
        max_rounds: int = 3,
        temperature: float = 0.0,
        max_tokens: int = 768,
        output_chars: int = 4_000,
        system_prompt: str | None = None,
    ) -> None:
        super().__init__(policy, model, temperature=temperature, max_tokens=max_tokens, system_prompt=system_prompt)
        if max_rounds < 1:
            raise ValueError(f"max_rounds must be >= 1, got {max_rounds}")
        self.max_rounds = max_rounds
        self.output_chars = output_chars
        self._rounds = 0

    def reset(self, *, seed: int | None = None) -> None:
        super().reset(seed=seed)
        self._rounds = 0

    def act(self, observation: Observation) -> str:
        output = last_output(observation)
        if not is_error_output(output) or self._rounds >= self.max_rounds:
            self._rounds = 0  # the wrapped policy's next code starts a new chain of fixes
            self._report = {"debugged": False, "round": 0}
            return self.policy.act(observation)
        self._rounds += 1
        request = fill_prompt(
            "self_debug", code=last_action(observation), error=truncate_output(output, self.output_chars)
        )
        action = self.parse(self.client.ask_text(with_user_turn(self.messages(observation), request)))
        self._report = {"debugged": True, "round": self._rounds}
        return action
