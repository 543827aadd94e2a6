"""Play oracles in a real env and measure them (figures.py says what is measured and why)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from envs.toolworld.env import ToolWorldEnv
from envs.toolworld.figures import OracleFigures, figures_of
from envs.toolworld.tasks import SPLITS, task_metas


def play_oracle(env: ToolWorldEnv, task_id: str) -> tuple[OracleFigures, dict[str, Any]]:
    """Reset to `task_id`, play its oracle step by step; return its figures and the last step's info."""
    env.reset(options={"task_id": task_id})
    info: dict[str, Any] = {}
    actions = env.oracle_actions()
    for action in actions:
        *_, info = env.step(action)
    tests = len(info["evaluation"]["tests"]) if "evaluation" in info else 0
    return figures_of(actions, (call for step in env.steps for call in step.calls), tests), info


def oracle_failure(env: ToolWorldEnv, info: dict[str, Any]) -> str | None:
    """Why the oracle play_oracle just played did not succeed (its failed tests, else its last output), or None."""
    if info.get("success"):
        return None
    failed = [t for t in info.get("evaluation", {}).get("tests", []) if not t["passed"]]
    return str(failed or env.steps[-1].output)[:500]


def measure_all(
    variants: int = 3, world_seed: int = 0, scenarios: Collection[str] = ()
) -> tuple[dict[str, OracleFigures], dict[str, str]]:
    """Figures of every listed task of every split (or of `scenarios` only), and the tasks whose oracle
    did not succeed (why)."""
    figures: dict[str, OracleFigures] = {}
    failures: dict[str, str] = {}
    env = ToolWorldEnv(split="train", world_seed=world_seed, max_steps=100)
    try:
        for split in SPLITS:
            for meta in task_metas(split, variants):
                if scenarios and meta["scenario"] not in scenarios:
                    continue
                found, info = play_oracle(env, meta["task_id"])
                figures[meta["task_id"]] = found
                failure = oracle_failure(env, info)
                if failure is not None:
                    failures[meta["task_id"]] = failure
    finally:
        env.close()
    return figures, failures
