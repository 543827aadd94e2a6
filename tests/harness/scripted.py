"""A scripted chat model for harness tests: answers every task with its oracle actions.

It is a real `ChatModel` (usage, latency, roles) whose replies are known in
advance: turn k of a task gets the task's k-th oracle action (code in a
fenced block, one-word actions like MLE's `submit` as plain text). A
recording made through it is deterministic and quick, and a replayed run
must reproduce the recorded one exactly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gymnasium as gym
from omegaconf import OmegaConf

import envs  # noqa: F401 - registers the trainfree/* env ids
from policies.llm.base import ChatModel, ChatReply, ChatRequest, Usage

CONF = Path(__file__).resolve().parents[2] / "conf"


def env_config(name: str) -> dict[str, Any]:
    """conf/env/<name>.yaml as a plain dict (what `env=<name>` selects)."""
    return OmegaConf.to_container(OmegaConf.load(CONF / "env" / f"{name}.yaml"), resolve=True)


def oracle_actions_per_task(env_name: str, split: str, limit: int | None = None) -> list[tuple[str, list[str]]]:
    """(instruction, oracle actions) of each of the split's first `limit` tasks, in order. Variants of a
    template may share an instruction (they differ by supervisor), so this is a list, not a dict."""
    cfg = env_config(env_name)
    env = gym.make(cfg["id"], **cfg["kwargs"])
    try:
        solutions = []
        for task in env.unwrapped.list_tasks(split)[:limit]:
            observation, _ = env.reset(options={"task_id": task["task_id"]})
            solutions.append((observation["instruction"], list(env.unwrapped.oracle_actions())))
        return solutions
    finally:
        env.close()


def oracle_actions_by_instruction(env_name: str, split: str, limit: int | None = None) -> dict[str, list[str]]:
    """What a scripted model needs: the oracle's actions for an instruction (shared ones are the same code)."""
    return dict(oracle_actions_per_task(env_name, split, limit))


class OracleScriptedModel(ChatModel):
    name = "scripted-oracle"
    context_window = 131_072  # a long-context model: oracles read whole API docs over several steps

    def __init__(self, solutions: dict[str, list[str]]) -> None:
        self.solutions = solutions

    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:
        first_user = next(m["content"] for m in request.messages if m["role"] == "user")
        actions = next((a for instruction, a in self.solutions.items() if first_user.startswith(instruction)), [])
        turn = sum(m["role"] == "assistant" for m in request.messages)
        action = actions[turn] if turn < len(actions) else "I do not know this task."
        text = f"```python\n{action}\n```" if "\n" in action.strip() else action
        usage = Usage(self.count_message_tokens(request.messages), self.count_tokens(text))
        return [
            ChatReply(text=text, usage=usage, latency_s=0.001, role=role, model=self.name) for _ in range(request.n)
        ]


def record_oracle_replies(
    path,
    solutions: dict[str, list[str]],
    run_dir,
    limit: int | None,
    env_name: str = "toolworld",
    split: str = "dev",
    seeds: tuple[int, ...] = (0,),
    max_steps: int = 3,
    env_kwargs: dict[str, Any] | None = None,
) -> dict:
    """Run the harness in-process with the scripted model behind a Recording; return the summary.

    `env_kwargs` are added to the env's config (e.g. MLE's show_runtime=False,
    so step outputs, hence later requests, are the same when replayed)."""
    from harness.run import RunRequest, run_evaluation
    from policies.llm.replay import Recording

    env = env_config(env_name)
    request = RunRequest(
        env={**env, "kwargs": {**env["kwargs"], **(env_kwargs or {})}},
        policy={"name": "scripted", "kind": "llm", "sampling": {"max_tokens": 512, "seed": 0}},
        wrappers=(),
        split=split,
        limit=limit,
        seeds=seeds,
        max_steps=max_steps,
        progress=False,
    )
    return run_evaluation(request, run_dir, model=Recording(OracleScriptedModel(solutions), path))
