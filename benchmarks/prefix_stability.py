"""Prompt prefix stability per wrapper stack: what vLLM prefix caching can reuse.

A scripted model plays ToolWorld dev episodes the way an exploring agent
does (reads API docs for a while, with an erroring call every few turns,
then runs the task's oracle code) and records every prompt any role sends.
Each prompt is measured as its ChatML rendering (the chat format of SmolLM2
and Qwen3), in characters:
  step_prev    share of each prompt (from the 2nd on) of a role that writes
               actions (the agent or a policy wrapper's role) that repeats
               the previous prompt of the same role: what survives from one
               step to the next (mean over steps);
  cached       share of all prompt characters, every role, that equal a
               prefix of some earlier prompt of the episode: what an
               unbounded prefix cache could skip (characters-weighted).
vLLM caches whole 16-token blocks, so real reuse is slightly lower.
The model never runs: replies are scripted, so the numbers depend only on
the stacks' prompt layouts. The model's context window is set to the
papers' Qwen3-8B FP16 setting (12,288 tokens) so `summarize` fires when it
would there; a stack whose prompt still outgrows it ends the episode there, as a
real run does (counted per stack). Run: .venv/bin/python benchmarks/prefix_stability.py [--tasks 3 --steps 40]
Writes benchmarks/results/prefix_stability.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

from envs.toolworld.env import ToolWorldEnv
from policies.llm.base import ChatModel, ChatReply, ChatRequest, ContextLengthExceeded, Message, Usage
from policies.llm_policy import LLMPolicy
from policies.render import load_prompt
from wrappers.stack import apply_stack, parse_stack

RESULTS = Path(__file__).parent / "results" / "prefix_stability.json"
CONTEXT_WINDOW = 12_288
STACKS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "none": [],
    "truncate": [("truncate", {})],
    "summarize": [("summarize", {})],
    "correct": [("correct", {})],
    "summarize+correct": [("summarize", {}), ("correct", {})],
    "self_consistency": [("self_consistency", {"k": 3})],
    "self_debug": [("self_debug", {})],
    "self_reflection": [("self_reflection", {})],
    "chaining": [("chaining", {})],
}
EXPLORE_APPS = ("phone", "email", "payments", "shop", "bill_splitting", "music", "file_system", "todo")
BAD_TOKEN_CALL = "print(apis.phone.search_contacts(access_token='expired', query='a'))"


def chatml(messages: Sequence[Message]) -> str:
    return "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)


def common_prefix_len(a: str, b: str) -> int:
    """Length of the longest common prefix, by binary search on slice equality (C-speed)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


class ExploringAgentModel(ChatModel):
    """Scripted replies for every role; records (role, rendered prompt) of each request.

    At episode step `turn` (set by the driver: prompts may hold fewer turns
    once a wrapper cuts the history) the agent reads an API doc,
    every 4th turn makes a call with a bad token (an error, so correctors and
    debuggers fire), and from turn `explore_turns` on plays the oracle code.
    """

    name = "scripted-explorer"
    context_window = CONTEXT_WINDOW

    def __init__(self, explore_turns: int) -> None:
        self.explore_turns = explore_turns
        self.oracle: list[str] = []
        self.turn = 0
        self.prompts: list[tuple[str, str]] = []

    def agent_action(self, turn: int) -> str:
        if turn >= self.explore_turns:
            oracle = self.oracle[turn - self.explore_turns : turn - self.explore_turns + 1]
            return oracle[0] if oracle else "print(apis.supervisor.show_active_task())"
        if turn % 4 == 3:
            return BAD_TOKEN_CALL
        app = EXPLORE_APPS[turn % len(EXPLORE_APPS)]
        if turn < len(EXPLORE_APPS):
            return f"print(apis.api_docs.show_api_descriptions(app_name='{app}'))"
        return f"print(apis.api_docs.search_api_docs(query='{app} list', page_limit=3))"

    def reply_text(self, role: str) -> str:
        code = f"```python\n{self.agent_action(self.turn)}\n```"
        if role == "summarizer":
            return (
                "Progress: read API docs.\nKey facts: none new.\n"
                "Failure modes: expired token.\nNext actions: log in first."
            )
        if role == "corrector":
            return (
                "Category: auth\nEvidence: 401\nDiagnosis: the token expired.\nFix steps: log in again.\n"
                "Patch:\n```python\nprint(apis.supervisor.show_profile()['email'])\n```"
            )
        return f"Next I run this.\n{code}"

    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:
        self.prompts.append((role, chatml(request.messages)))
        text = self.reply_text(role)
        usage = Usage(self.count_message_tokens(request.messages), self.count_tokens(text))
        return [ChatReply(text=text, usage=usage, latency_s=0.0, role=role, model=self.name) for _ in range(request.n)]


ISOLATED_ROLES = ("summarizer", "corrector")  # roles that see no history: they write no actions


def prefix_shares(prompts: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """step_prev (mean over acting steps) and cached (characters-weighted over all prompts)."""
    step_shares = []
    for acting in {role for role, _ in prompts} - set(ISOLATED_ROLES):
        chain = [text for role, text in prompts if role == acting]
        step_shares += [common_prefix_len(prev, cur) / len(cur) for prev, cur in pairwise(chain)]
    reused = sum(
        max((common_prefix_len(earlier, text) for _, earlier in prompts[:i]), default=0)
        for i, (_, text) in enumerate(prompts)
    )
    total = sum(len(text) for _, text in prompts)
    return {
        "step_prev_mean": statistics.fmean(step_shares) if step_shares else None,
        "step_prev_min": min(step_shares) if step_shares else None,
        "cached_share": reused / total if total else None,
        "requests": len(prompts),
        "by_role": dict(Counter(role for role, _ in prompts)),
        "prompt_chars": total,
    }


def run_stack(
    stack: list[tuple[str, dict[str, Any]]], task_ids: Sequence[str], steps: int, explore: int
) -> dict[str, Any]:
    model = ExploringAgentModel(explore_turns=explore)
    per_episode = []
    for task_id in task_ids:
        base = ToolWorldEnv(split="dev", max_steps=steps)
        policy = LLMPolicy(model, load_prompt("toolworld_system"))
        env, policy = apply_stack(base, policy, model, parse_stack(stack, ToolWorldEnv.profile))
        try:
            observation, _ = env.reset(options={"task_id": task_id})
            model.oracle, model.prompts = list(base.oracle_actions()), []
            policy.reset(seed=0)
            model.turn, done, overflowed = 0, False, False
            while not done:
                try:
                    action = policy.act(observation)
                except ContextLengthExceeded:  # as in a real run, the episode ends here (the harness records it)
                    overflowed = True
                    break
                observation, _, terminated, truncated, _ = env.step(action)
                model.turn, done = model.turn + 1, terminated or truncated
            per_episode.append({**prefix_shares(model.prompts), "context_exceeded": overflowed})
        finally:
            env.close()
    return {
        "step_prev_mean": statistics.fmean(e["step_prev_mean"] for e in per_episode),
        "step_prev_min": min(e["step_prev_min"] for e in per_episode),
        "cached_share": statistics.fmean(e["cached_share"] for e in per_episode),
        "requests_per_episode": statistics.fmean(e["requests"] for e in per_episode),
        "episodes_ended_by_context_overflow": sum(e["context_exceeded"] for e in per_episode),
        "prompt_chars_per_episode": statistics.fmean(e["prompt_chars"] for e in per_episode),
        "requests_by_role": {
            role: sum(e["by_role"].get(role, 0) for e in per_episode) / len(per_episode)
            for role in sorted({r for e in per_episode for r in e["by_role"]})
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=3, help="ToolWorld dev tasks (the first N)")
    parser.add_argument("--steps", type=int, default=40, help="steps per episode")
    parser.add_argument("--explore", type=int, default=34, help="agent turns reading docs before the oracle code")
    parser.add_argument("--stacks", nargs="*", default=list(STACKS), choices=list(STACKS))
    args = parser.parse_args()
    probe = ToolWorldEnv(split="dev")
    task_ids = [t["task_id"] for t in probe.list_tasks("dev")[: args.tasks]]
    probe.close()
    rows = []
    print(f"{'stack':<20} {'step_prev_mean':>15} {'step_prev_min':>14} {'cached_share':>13} {'requests':>9}")
    for label in args.stacks:
        row = {"stack": label, **run_stack(STACKS[label], task_ids, args.steps, args.explore)}
        rows.append(row)
        print(
            f"{label:<20} {row['step_prev_mean']:>15.3f} {row['step_prev_min']:>14.3f} {row['cached_share']:>13.3f} "
            f"{row['requests_per_episode']:>9.1f}"
        )
    results = {"settings": {**vars(args), "task_ids": task_ids, "context_window": CONTEXT_WINDOW}, "rows": rows}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1))
    print(f"written: {RESULTS}")


if __name__ == "__main__":
    main()
