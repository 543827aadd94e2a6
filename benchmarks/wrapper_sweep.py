"""Sweep wrapper stacks through train_free_eval.py, live and then replayed.

Every stack runs on the same tasks with the embedded model (recording every
request and reply), then again from the recording with `policy=replay`.
The table puts success, LLM calls, tokens and time per stack side by side;
the sweep dirs can be compared further with `python -m harness.report`.

    python benchmarks/wrapper_sweep.py --env toolworld --tasks payments_send_money_0 phone_text_relation_0 \
        --max-steps 2 --max-tokens 32

Results: benchmarks/results/wrapper_sweep_<env>.json; runs under runs/wrapper_sweep/<env>/.
The embedded SmolLM2-135M is a plumbing model: expect success near zero.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# (label, wrapper names, extra overrides): small budgets so a CPU sweep ends in minutes.
STACKS: list[tuple[str, list[str], list[str]]] = [
    ("none", [], []),
    ("truncate", ["truncate"], []),
    ("summarize", ["summarize"], []),
    ("correct", ["correct"], []),
    ("summarize+correct", ["summarize", "correct"], []),
    ("self_consistency", ["self_consistency"], ["wrappers.self_consistency.k=3"]),
    ("self_debug", ["self_debug"], ["wrappers.self_debug.max_rounds=2"]),
    ("self_reflection", ["self_reflection"], []),
    ("chaining", ["chaining"], []),
    (
        "tree_of_thoughts",
        ["tree_of_thoughts"],
        ["wrappers.tree_of_thoughts.k=2", "wrappers.tree_of_thoughts.b=1", "wrappers.tree_of_thoughts.d=1"],
    ),
    (
        "tree_search",
        ["tree_search"],
        ["wrappers.tree_search.branching=2", "wrappers.tree_search.node_budget=4", "wrappers.tree_search.num_drafts=2"],
    ),
]
TOKEN_KEYS = {"summarize": "summary_max_tokens", "truncate": None, "tree_of_thoughts": "code_max_tokens"}


def overrides(names: list[str], max_tokens: int) -> list[str]:
    out = [f"wrappers=[{','.join(names)}]"]
    for name in names:
        key = TOKEN_KEYS.get(name, "max_tokens")
        if key:
            out.append(f"wrappers.{name}.{key}={max_tokens}")
        if name == "tree_of_thoughts":
            out.append(f"wrappers.{name}.max_tokens={max_tokens}")
    return out


def run(args: list[str], run_dir: Path) -> dict:
    started = time.monotonic()
    command = [sys.executable, str(ROOT / "train_free_eval.py"), *args, f"hydra.run.dir={run_dir}", "progress=false"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.monotonic() - started
    records = []
    results = run_dir / "results.jsonl"
    if results.is_file():
        records = [json.loads(line) for line in results.read_text().splitlines() if line.strip()]
    if done.returncode != 0 and not records:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return {"wall_s": round(wall, 1), "records": records}


def totals(records: list[dict]) -> dict:
    by_role: dict[str, int] = {}
    calls = tokens = 0
    model_time = 0.0
    for record in records:
        llm = record.get("llm") or {}
        total = llm.get("total") or {}
        calls += total.get("calls", 0)
        tokens += total.get("prompt_tokens", 0) + total.get("completion_tokens", 0)
        model_time += total.get("model_time_s", 0.0)
        for role, cost in (llm.get("by_role") or {}).items():
            by_role[role] = by_role.get(role, 0) + cost.get("calls", 0)
    return {
        "episodes": len(records),
        "errors": sum(r.get("error") is not None for r in records),
        "success": sum(bool(r.get("success")) for r in records),
        "mean_reward": round(sum(r.get("reward") or 0.0 for r in records) / max(1, len(records)), 3),
        "llm_calls": calls,
        "tokens": tokens,
        "model_time_s": round(model_time, 1),
        "calls_by_role": by_role,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="toolworld")
    parser.add_argument("--split", default=None)
    parser.add_argument("--limit", type=int, default=2)
    parser.add_argument("--tasks", nargs="*", default=None, help="explicit task ids (stable while splits grow)")
    parser.add_argument("--max-steps", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--stacks", nargs="*", default=None, help="labels to run (default: all)")
    cli = parser.parse_args()

    out = ROOT / "runs" / "wrapper_sweep" / cli.env
    recording = out / "replies.jsonl"
    common = [
        f"env={cli.env}",
        f"limit={cli.limit}",
        f"max_steps={cli.max_steps}",
        f"policy.sampling.max_tokens={cli.max_tokens}",
    ] + ([f"split={cli.split}"] if cli.split else [])
    if cli.tasks:
        common.append(f"tasks=[{','.join(cli.tasks)}]")
    if cli.env == "mle":  # run times in the output differ run to run and would make every later request new
        common.append("+env.kwargs.show_runtime=false")
    rows = []
    for label, names, extra in STACKS:
        if cli.stacks and label not in cli.stacks:
            continue
        stack_args = common + overrides(names, cli.max_tokens) + extra
        live = run(["policy=smollm2", f"policy.model.record_to={recording}", *stack_args], out / "live" / label)
        replay = run(
            [
                "policy=replay",
                f"policy.model.path={recording}",
                "policy.model.token_counter={backend:llama_cpp}",
                *stack_args,
            ],
            out / "replay" / label,
        )
        row = {
            "stack": label,
            "live": {**totals(live["records"]), "wall_s": live["wall_s"]},
            "replay": {**totals(replay["records"]), "wall_s": replay["wall_s"]},
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
        result_file = ROOT / "benchmarks" / "results" / f"wrapper_sweep_{cli.env}.json"
        result_file.write_text(json.dumps({"settings": vars(cli), "rows": rows}, indent=2) + "\n")

    print(
        f"\n{'stack':<20} {'live ok':>8} {'calls':>6} {'tokens':>7} {'model s':>8} {'wall s':>7} | "
        f"{'replay ok':>9} {'calls':>6} {'wall s':>7}"
    )
    for row in rows:
        live, replay = row["live"], row["replay"]
        print(
            f"{row['stack']:<20} {live['success']:>4}/{live['episodes']:<3} {live['llm_calls']:>6} {live['tokens']:>7} "
            f"{live['model_time_s']:>8} {live['wall_s']:>7} | {replay['success']:>5}/{replay['episodes']:<3} "
            f"{replay['llm_calls']:>6} {replay['wall_s']:>7}"
        )


if __name__ == "__main__":
    main()
