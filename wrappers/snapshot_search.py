"""Best-first search over env snapshots (tree_search on ToolWorld).

From the current state, a node is expanded by sampling `branching` actions
(one call, n samples, distinct programs only) and running each on a restored
snapshot. A child's value is its parent's plus an execution signal (error or
repeat -1, the step budget run out -10, a clean run +0.1) plus, optionally, a
self-evaluation score / 10. The search never reads the env's reward: the grade
of an ended episode is what an agent must not see (AppWorld grades after the
episode, MLE-bench on a private test set), and a search that tried endings in
branches, read their grade and restored would be a retry against the grader.
So a branch whose action ended the episode cleanly is a finish the model
chose: it ends the search (with `self_evaluate`, only if judged at least
`finish_score`), as does the node budget. The best open node is expanded next;
`beam_width` > 0 keeps only that many open nodes. The env is restored to the
root afterwards and the policy plays the path to the finish (else the best
node) one action per step, searching again when the world answers
differently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import gymnasium as gym

from envs.contract import Observation
from policies.llm.base import Message
from wrappers.code import normalize_code
from wrappers.policy_wrapper import fill_prompt, with_user_turn
from wrappers.role_client import RoleClient
from wrappers.signals import is_error_output, parse_score
from wrappers.snapshots import restore, snapshot
from wrappers.text import truncate_output


class Agent(Protocol):
    client: RoleClient

    def messages(self, observation: Observation) -> list[Message]: ...

    def parse(self, text: str) -> str: ...


@dataclass
class Node:
    id: int
    parent: int | None
    depth: int
    action: str
    output: str
    value: float
    observation: Observation
    state: Any = None
    terminal: bool = False
    finish: bool = False  # its action ended the episode cleanly: a finish the model chose
    score: float = 0.0  # the self-evaluation's, 0-10 (0 when it is off)

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "parent": self.parent,
            "depth": self.depth,
            "value": round(self.value, 3),
            "action": truncate_output(self.action, 400),
            "output": truncate_output(self.output, 400),
            "terminal": self.terminal,
            "finish": self.finish,
            "score": self.score,
        }


class SnapshotSearch:
    def __init__(
        self,
        env: gym.Env,
        agent: Agent,
        *,
        branching: int,
        node_budget: int,
        max_depth: int,
        beam_width: int,
        self_evaluate: bool,
        finish_score: float,
    ) -> None:
        self.env = env
        self.agent = agent
        self.branching = branching
        self.node_budget = node_budget
        self.max_depth = max_depth
        self.beam_width = beam_width
        self.self_evaluate = self_evaluate
        self.finish_score = finish_score
        self._plan: list[Node] = []
        self._expected_output: str | None = None

    def reset(self) -> None:
        self._plan = []
        self._expected_output = None

    def act(self, observation: Observation) -> tuple[str, dict[str, Any]]:
        history = observation["history"]
        on_plan = self._plan and history and history[-1]["output"] == self._expected_output
        if not on_plan:
            self._plan, journal = self._search(observation)
        else:
            journal = []
        node = self._plan.pop(0)
        self._expected_output = node.output
        return node.action, {"searched": not on_plan, "planned_steps_left": len(self._plan), "tree": journal}

    def _search(self, observation: Observation) -> tuple[list[Node], list[dict[str, Any]]]:
        root = Node(0, None, 0, "", "", 0.0, observation, state=snapshot(self.env))
        nodes = [root]
        open_nodes = [root]
        found: Node | None = None
        try:
            while open_nodes and found is None and len(nodes) - 1 < self.node_budget:
                open_nodes.sort(key=lambda n: (-n.value, n.id))
                node = open_nodes.pop(0)
                if node.depth >= self.max_depth:
                    continue
                for action in self._propose(node):
                    if len(nodes) - 1 >= self.node_budget:
                        break
                    child = self._run(node, action, len(nodes))
                    nodes.append(child)
                    if child.finish and (not self.self_evaluate or child.score >= self.finish_score):
                        found = child
                        break
                    if not child.terminal:
                        open_nodes.append(child)
                if self.beam_width > 0:
                    open_nodes = sorted(open_nodes, key=lambda n: (-n.value, n.id))[: self.beam_width]
        finally:
            restore(self.env, root.state)
        best = found or max(nodes[1:], key=lambda n: (n.value, -n.id), default=None)
        if best is None:
            raise RuntimeError("tree_search: the model proposed no action to search")
        path = [best]
        while path[0].parent not in (None, 0):
            path.insert(0, nodes[path[0].parent])
        return path, [n.summary() for n in nodes[1:]]

    def _propose(self, node: Node) -> list[str]:
        replies = self.agent.client.ask(self.agent.messages(node.observation), n=self.branching)
        distinct: dict[str, str] = {}
        for reply in replies:
            action = self.agent.parse(reply.text)
            distinct.setdefault(normalize_code(action), action)
        return list(distinct.values())

    def _run(self, parent: Node, action: str, node_id: int) -> Node:
        restore(self.env, parent.state)
        obs, _grade, terminated, truncated, _ = self.env.unwrapped.step(action)  # the grade is never read: see above
        output = obs["history"][-1]["output"] if obs["history"] else ""
        failed = is_error_output(output) or normalize_code(action) == normalize_code(parent.action)
        out_of_steps = bool(truncated and not terminated)
        signal = -10.0 if out_of_steps else -1.0 if failed else 0.1
        child = Node(
            node_id,
            parent.id,
            parent.depth + 1,
            action,
            output,
            parent.value + signal,
            obs,
            state=None if terminated or truncated else snapshot(self.env),
            terminal=bool(terminated or truncated),
            finish=bool(terminated and not failed),
        )
        if self.self_evaluate and not out_of_steps:
            request = with_user_turn(self.agent.messages(obs), fill_prompt("tree_search_value"))
            child.score = parse_score(self.agent.client.ask_text(request, temperature=0.0))
            child.value += child.score / 10.0
        return child
