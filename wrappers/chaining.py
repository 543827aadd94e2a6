"""chaining: plan first, then write code conditioned on the plan.

One call writes a short plan, a second writes the code that carries it out.
With `plan_every_step: false` the first plan is kept for the whole episode.
"""

from __future__ import annotations

from envs.contract import Observation
from policies.base import Policy
from policies.llm.base import ChatModel
from wrappers.policy_wrapper import PolicyWrapper, fill_prompt, with_user_turn


class Chaining(PolicyWrapper):
    name = "chaining"

    def __init__(
        self,
        policy: Policy,
        model: ChatModel,
        *,
        plan_every_step: bool = True,
        temperature: float = 0.0,
        max_tokens: int = 768,
        system_prompt: str | None = None,
    ) -> None:
        super().__init__(policy, model, temperature=temperature, max_tokens=max_tokens, system_prompt=system_prompt)
        self.plan_every_step = plan_every_step
        self._plan: str | None = None

    def reset(self, *, seed: int | None = None) -> None:
        super().reset(seed=seed)
        self._plan = None

    def act(self, observation: Observation) -> str:
        messages = self.messages(observation)
        planned = False
        if self._plan is None or self.plan_every_step:
            plan = self.client.ask_text(with_user_turn(messages, fill_prompt("chaining_plan")))
            self._plan, planned = plan, True
        code_request = fill_prompt("chaining_code", plan=self._plan)
        action = self.parse(self.client.ask_text(with_user_turn(messages, code_request)))
        self._report = {"planned": planned, "plan": self._plan}
        return action
