"""A scripted chat model for harness tests: answers every ToolWorld task with its oracle code.

It is a real `ChatModel` (usage, latency, roles) whose replies are known in
advance, so a recording made through it is deterministic and quick, and a
replayed run must reproduce the recorded one exactly.
"""

from __future__ import annotations

import time
import gymnasium as gym

import envs  # noqa: F401 - registers trainfree/ToolWorld-v0
from policies.llm.base import ChatModel, ChatReply, ChatRequest, Usage


def oracle_code_by_instruction(split: str) -> dict[str, str]:
    env = gym.make("trainfree/ToolWorld-v0", split=split)
    try:
        solutions = {}
        for task in env.unwrapped.list_tasks(split):
            observation, _ = env.reset(options={"task_id": task["task_id"]})
            solutions[observation["instruction"]] = "\n".join(env.unwrapped.oracle_actions())
        return solutions
    finally:
        env.close()


class OracleScriptedModel(ChatModel):
    name = "scripted-oracle"

    def __init__(self, solutions: dict[str, str]) -> None:
        self.solutions = solutions
        self.calls = 0

    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:
        self.calls += 1
        first_user = next(m["content"] for m in request.messages if m["role"] == "user")
        code = next((c for instruction, c in self.solutions.items() if first_user.startswith(instruction)), None)
        text = f"```python\n{code}\n```" if code else "I do not know this task."
        prompt_tokens = self.count_message_tokens(request.messages)
        return [
            ChatReply(text=text, usage=Usage(prompt_tokens, self.count_tokens(text)), latency_s=0.001, role=role, model=self.name)
            for _ in range(request.n)
        ]


def record_oracle_replies(
    path, solutions: dict[str, str], run_dir, limit: int | None, split: str = "dev", seeds: tuple[int, ...] = (0,)
) -> dict:
    """Run the harness in-process with the scripted model behind a Recording; return the summary."""
    from envs.runner.run import RunRequest, run_evaluation
    from policies.llm.replay import Recording

    request = RunRequest(
        env={"name": "toolworld", "id": "trainfree/ToolWorld-v0", "kwargs": {}},
        policy={"name": "scripted", "kind": "llm", "sampling": {"max_tokens": 512, "seed": 0}},
        stack=(),
        split=split,
        limit=limit,
        seeds=seeds,
        max_steps=3,
        progress=False,
    )
    model = Recording(OracleScriptedModel(solutions), path)
    return run_evaluation(request, run_dir, model=model)
