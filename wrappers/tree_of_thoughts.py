"""tree_of_thoughts: propose k thoughts, score them, expand the best b, to depth d.

A thought is one short reasoning step toward the next action. Each frontier
chain gets k proposed continuations (one call with n=k); every new chain is
scored 0-10 by the model (one call each); the best b survive to the next
depth. The code is then written conditioned on the best chain. Calls per
action: sum over depths of (chains expanded + chains scored) + 1.
"""

from __future__ import annotations

from typing import Any

from envs.contract import Observation
from policies.base import Policy
from policies.llm.base import ChatModel
from wrappers.policy_wrapper import PolicyWrapper, fill_prompt, with_user_turn
from wrappers.signals import parse_score


class TreeOfThoughts(PolicyWrapper):
    name = "tree_of_thoughts"

    def __init__(
        self,
        policy: Policy,
        model: ChatModel,
        *,
        k: int = 3,
        b: int = 2,
        d: int = 2,
        temperature: float = 0.7,
        max_tokens: int = 256,
        code_max_tokens: int = 768,
        system_prompt: str | None = None,
    ) -> None:
        super().__init__(policy, model, temperature=temperature, max_tokens=max_tokens, system_prompt=system_prompt)
        if min(k, b, d) < 1:
            raise ValueError(f"k, b and d must be >= 1, got k={k} b={b} d={d}")
        self.k, self.b, self.d = k, b, d
        self.code_max_tokens = code_max_tokens

    def act(self, observation: Observation) -> str:
        messages = self.messages(observation)
        frontier: list[tuple[float, str]] = [(0.0, "")]
        tree: list[dict[str, Any]] = []
        for depth in range(1, self.d + 1):
            scored: list[tuple[float, str]] = []
            for _, chain in frontier:
                request = fill_prompt("tot_propose", chain=chain or "(no thoughts yet)", depth=str(depth))
                for reply in self.client.ask(with_user_turn(messages, request), n=self.k):
                    thought = reply.text.strip()
                    new_chain = f"{chain}\nThought {depth}: {thought}".strip()
                    score = parse_score(
                        self.client.ask_text(
                            with_user_turn(messages, fill_prompt("tot_score", chain=new_chain)), temperature=0.0
                        )
                    )
                    scored.append((score, new_chain))
                    tree.append({"depth": depth, "score": score, "thought": thought})
            scored.sort(key=lambda item: -item[0])  # stable: ties keep proposal order
            frontier = scored[: self.b]
        best_score, best_chain = frontier[0]
        code_request = fill_prompt("tot_code", chain=best_chain)
        action = self.parse(
            self.client.ask_text(with_user_turn(messages, code_request), max_tokens=self.code_max_tokens)
        )
        self._report = {"best_score": best_score, "best_chain": best_chain, "thoughts": tree}
        return action
