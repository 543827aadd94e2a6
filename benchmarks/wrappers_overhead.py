"""Per-step overhead of the env wrappers when they do not call the model.

Runs the same one-API-call action on ToolWorld through the bare env and
through each env wrapper (a model that must never be asked), and prints the
p50/p90 step time and the overhead over the bare env. `correct` snapshots
the env before every step (to restore it if the step fails), which is its
main fixed cost. Results: benchmarks/results/wrappers_overhead.json.

    python benchmarks/wrappers_overhead.py --steps 40
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from envs.toolworld.env import ToolWorldEnv
from policies.llm.base import ChatModel, ChatReply, ChatRequest
from wrappers.stack import apply_stack, parse_stack

ACTION = "print(apis.supervisor.show_profile()['first_name'], {i})"
RESULTS = Path(__file__).resolve().parent / "results" / "wrappers_overhead.json"


class NeverAsked(ChatModel):
    name = "never-asked"

    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:
        raise AssertionError(f"role {role} asked the model: the benchmark action must not trigger it")


def step_times(stack: list[tuple[str, dict]], steps: int) -> list[float]:
    base = ToolWorldEnv(split="dev", max_steps=steps + 1)
    env, _ = apply_stack(base, _NoPolicy(), NeverAsked(), parse_stack(stack, ToolWorldEnv.profile))
    env.reset(options={"task_id": base.list_tasks()[0]["task_id"]})
    times = []
    for i in range(steps):
        started = time.perf_counter()
        env.step(ACTION.format(i=i))  # distinct programs: a repeated one would trigger `correct`
        times.append(time.perf_counter() - started)
    base.close()
    return times


class _NoPolicy:
    system_prompt = ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=40)
    cli = parser.parse_args()
    stacks = {
        "bare": [],
        "truncate": [("truncate", {})],
        "summarize": [("summarize", {})],
        "correct": [("correct", {})],
        "summarize+correct": [("summarize", {}), ("correct", {})],
    }
    rows = []
    for label, stack in stacks.items():
        times = sorted(step_times(stack, cli.steps))
        rows.append(
            {
                "stack": label,
                "p50_ms": round(1000 * statistics.median(times), 2),
                "p90_ms": round(1000 * times[int(0.9 * (len(times) - 1))], 2),
            }
        )
    bare = rows[0]["p50_ms"]
    print(f"{'stack':<20} {'p50 ms':>8} {'p90 ms':>8} {'p50 overhead ms':>16}")
    for row in rows:
        row["p50_overhead_ms"] = round(row["p50_ms"] - bare, 2)
        print(f"{row['stack']:<20} {row['p50_ms']:>8} {row['p90_ms']:>8} {row['p50_overhead_ms']:>16}")
    RESULTS.write_text(json.dumps({"steps": cli.steps, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
