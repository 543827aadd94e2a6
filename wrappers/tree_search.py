"""tree_search: search instead of acting greedily.

ToolWorld (and any env with snapshots): best-first or beam search over env
snapshots (wrappers/snapshot_search.py). MLE: AIDE's draft / debug / improve
search over whole scripts (wrappers/aide.py), one script per env step; a script
gets `script_max_tokens` (SmolLM2's whole scripts with their plan run 300-800
tokens; the reply stops at its first closed code block, so an unused budget
costs nothing), the review its own small cap. The mode follows the env's
profile (EnvProfile.search) unless set; the tree or journal is in
`step_info()["wrappers"]["tree_search"]`.
"""

from __future__ import annotations

import gymnasium as gym

from envs.contract import Observation, SearchMode, profile_of
from policies.base import Policy
from policies.llm.abandon import abandon_rule
from policies.llm.base import ChatModel
from wrappers.aide import SCRIPT_ABANDON, AideSearch
from wrappers.policy_wrapper import PolicyWrapper
from wrappers.snapshot_search import SnapshotSearch
from wrappers.snapshots import require_snapshots

MODES = ("snapshot", "aide")


class TreeSearch(PolicyWrapper):
    name = "tree_search"

    def __init__(
        self,
        policy: Policy,
        model: ChatModel,
        env: gym.Env,
        *,
        mode: SearchMode | None = None,
        temperature: float = 0.8,
        max_tokens: int = 768,
        system_prompt: str | None = None,
        # snapshot mode
        branching: int = 3,
        node_budget: int = 12,
        max_depth: int = 6,
        beam_width: int = 0,
        self_evaluate: bool = False,
        finish_score: float = 7.0,
        # aide mode (AIDE's own defaults; AideSearch takes them from here)
        num_drafts: int = 5,
        debug_prob: float = 0.5,
        max_debug_depth: int = 3,
        review_retries: int = 2,
        script_max_tokens: int = 1024,
        script_samples: int = 3,
        script_abandon: str | None = SCRIPT_ABANDON,
        seed: int = 0,
    ) -> None:
        super().__init__(policy, model, temperature=temperature, max_tokens=max_tokens, system_prompt=system_prompt)
        mode = mode or profile_of(env).search
        if mode not in MODES:
            raise ValueError(f"tree_search mode must be one of {MODES}, got {mode!r}")
        self.mode = mode
        self.engine: SnapshotSearch | AideSearch
        if mode == "snapshot":
            require_snapshots(env, self.name, "snapshot search")
            if min(branching, node_budget, max_depth) < 1:
                raise ValueError("tree_search: branching, node_budget and max_depth must be >= 1")
            if not 0.0 <= finish_score <= 10.0:  # NaN fails too
                raise ValueError(f"tree_search: finish_score is a self-evaluation score, 0-10, got {finish_score!r}")
            self.engine = SnapshotSearch(
                env,
                self,
                branching=branching,
                node_budget=node_budget,
                max_depth=max_depth,
                beam_width=beam_width,
                self_evaluate=self_evaluate,
                finish_score=finish_score,
            )
        else:
            if not 0.0 <= debug_prob <= 1.0 or min(num_drafts, script_samples) < 1:
                raise ValueError(
                    "tree_search (aide): need num_drafts >= 1, script_samples >= 1 and 0 <= debug_prob <= 1, got "
                    f"{num_drafts}, {script_samples}, {debug_prob}"
                )
            if script_abandon is not None:
                abandon_rule(script_abandon)  # an unknown rule fails here, naming the known ones
            self.engine = AideSearch(
                self,
                num_drafts=num_drafts,
                debug_prob=debug_prob,
                max_debug_depth=max_debug_depth,
                review_retries=review_retries,
                seed=seed,
                script_max_tokens=script_max_tokens,
                script_samples=script_samples,
                script_abandon=script_abandon,
            )

    def reset(self, *, seed: int | None = None) -> None:
        super().reset(seed=seed)
        if isinstance(self.engine, AideSearch):
            self.engine.reset(seed)
        else:
            self.engine.reset()

    def act(self, observation: Observation) -> str:
        action, report = self.engine.act(observation)
        self._report = {"mode": self.mode, **report}
        return action
