"""self_consistency: sample k actions and play the one most samples agree on.

Votes are over programs normalized by their syntax tree (ast.parse +
ast.unparse), so comments, whitespace and formatting do not split votes;
code that does not parse falls back to whitespace-normalized text. With
`execution_vote`, each distinct program runs on a snapshot of the env and
votes group by what it did: its output, end of episode and the state it left
(a digest of the env's snapshot without its history of actions, so different
code with the same effect agrees); never by the env's reward, the grade an
agent must not see. The env is restored after each
run. Ties go to the earliest sample.
"""

from __future__ import annotations

import hashlib
import pickle
from collections import Counter
from collections.abc import Hashable, Mapping
from typing import Any

import gymnasium as gym

from envs.contract import Observation
from policies.base import Policy
from policies.llm.base import ChatModel
from wrappers.code import normalize_code
from wrappers.policy_wrapper import PolicyWrapper
from wrappers.snapshots import require_snapshots, restore, snapshot


class SelfConsistency(PolicyWrapper):
    name = "self_consistency"

    def __init__(
        self,
        policy: Policy,
        model: ChatModel,
        env: gym.Env | None = None,
        *,
        k: int = 5,
        temperature: float = 0.7,
        max_tokens: int = 512,
        execution_vote: bool = False,
        system_prompt: str | None = None,
    ) -> None:
        super().__init__(policy, model, temperature=temperature, max_tokens=max_tokens, system_prompt=system_prompt)
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        if execution_vote:
            if env is None:
                raise ValueError("self_consistency: execution_vote needs the env")
            require_snapshots(env, self.name, "execution_vote")
        self.k = k
        self.env = env
        self.execution_vote = execution_vote

    def act(self, observation: Observation) -> str:
        replies = self.client.ask(self.messages(observation), n=self.k)
        actions = [self.parse(reply.text) for reply in replies]
        keys: list[Hashable] = [normalize_code(action) for action in actions]
        if self.execution_vote and self.env is not None:
            keys = self._execution_keys(self.env, actions, keys)
        votes = Counter(keys)
        winner = max(keys, key=lambda key: (votes[key], -keys.index(key)))
        self._report = {
            "samples": len(actions),
            "distinct": len(votes),
            "winner_votes": votes[winner],
            "vote": "execution" if self.execution_vote else "ast",
        }
        return actions[keys.index(winner)]

    def _execution_keys(self, env: gym.Env, actions: list[str], programs: list[Hashable]) -> list[Hashable]:
        """Run each distinct program once on a snapshot; key = what it did."""
        base = env.unwrapped
        root = snapshot(env)
        outcome: dict[Hashable, Hashable] = {}
        try:
            for action, program in zip(actions, programs, strict=True):
                if program in outcome:
                    continue
                restore(env, root)
                obs, _grade, terminated, truncated, _ = base.step(action)  # never read: see the module's doc
                output = obs["history"][-1]["output"] if obs["history"] else ""
                outcome[program] = (
                    output,
                    bool(terminated),
                    bool(truncated),
                    state_digest(snapshot(env)),
                )
        finally:
            restore(env, root)
        return [outcome[program] for program in programs]


#: Snapshot parts that record the actions themselves, not their effect.
HISTORY_KEYS = frozenset({"steps", "history", "namespace"})


def state_digest(state: Any) -> str:
    """A digest of what a snapshot holds besides the actions that led to it."""
    if isinstance(state, Mapping):
        state = {key: value for key, value in state.items() if key not in HISTORY_KEYS}
    try:
        data = pickle.dumps(state, protocol=4)
    except (pickle.PicklingError, TypeError, AttributeError):
        data = repr(state).encode()
    return hashlib.sha256(data).hexdigest()
