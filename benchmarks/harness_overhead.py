"""The evaluation harness: its overhead, and episodes per second as workers grow.

(a) overhead: ToolWorld dev episodes with the embedded SmolLM2 model, one
    worker. Harness time = the run's wall time minus model time (reply
    latencies) minus env time (the base env's reset/step); its share of the
    wall time is the harness's overhead (target <= 3%); it is computed for one
    worker only (with more, episode times overlap in wall time). It includes
    everything between model and env: prompt rendering, token counting,
    accounting, results fsync, trajectory files, the progress bar.
(b) throughput with an instant policy: replayed replies (recorded through a
    scripted model that writes each task's oracle code) on ToolWorld, whole
    episodes (the oracle's up to 8 steps, then the task is done), and the
    oracle on the tests' tiny env (no env cost: the harness's own ceiling),
    for 1, 2, 4, 8, 16 workers (--workers). Worker counts alternate over
    --rounds rounds, each round starting one further along, so a change in
    the machine's load hits them all alike; each row records the load, and
    the summary gives per worker count the median episodes/s, its range and
    its ratio to one worker's median.
(c) scaling against one llama.cpp server (`python -m llama_cpp.server`,
    SmolLM2) with 1, 2, 4 workers sharing it.
The model is loaded (and warmed up) before the timed part. The machine may
be shared with other work: the load average at start is saved with the
numbers, which are noisy when it is high.

Run: .venv/bin/python benchmarks/harness_overhead.py [--episodes 3 --max-steps 3 --max-tokens 64] [--skip-server]
Writes benchmarks/results/harness_overhead.json. Uses tests/harness's tiny env and
scripted model, so run it from the repository root.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from measure import rate_groups, rotated  # noqa: E402 - benchmarks/measure.py

from harness.run import RunRequest, run_evaluation  # noqa: E402
from policies.llm.llama_server import LlamaServer  # noqa: E402
from policies.llm.registry import make_chat_model  # noqa: E402
from tests.harness.scripted import oracle_actions_by_instruction, record_oracle_replies  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "harness_overhead.json"
TOOLWORLD = {"name": "toolworld", "id": "trainfree/ToolWorld-v0", "kwargs": {}}
TINY = {"name": "tiny", "id": "tests.harness.tiny_env:trainfree/Tiny-v0", "kwargs": {}}
REPLAY_MAX_STEPS = 20  # the oracle needs at most 8 steps on a dev task: replayed episodes end with the task done


def llm_policy(model_cfg: dict[str, Any], max_tokens: int) -> dict[str, Any]:
    return {
        "name": model_cfg["backend"],
        "kind": "llm",
        "model": model_cfg,
        "sampling": {"max_tokens": max_tokens, "seed": 0},
    }


def timed_run(request: RunRequest, model=None, replayed: bool = False) -> dict[str, Any]:
    """One run in a fresh dir; its summary's times as a table row.

    `replayed`: the policy replays recorded replies, which carry the latency of the run that recorded them;
    none of it is spent here, so the harness is everything but the env (the replay's lookup included)."""
    with tempfile.TemporaryDirectory() as run_dir:
        summary = run_evaluation(request, run_dir, model=model)
    cost = summary["cost"]
    wall = summary["run_wall_time_s"]
    # Model and env times are summed over episodes: with several workers they
    # overlap in wall time, so the difference only means "harness" for one worker.
    spent_on_model = 0.0 if replayed else cost["model_time_s"]
    harness = wall - spent_on_model - cost["env_time_s"] if request.workers == 1 else None
    return {
        "episodes": summary["episodes"],
        "errors": summary["errors"],
        "workers": request.workers,
        "wall_s": round(wall, 3),
        "model_s": round(spent_on_model, 3),
        "env_s": round(cost["env_time_s"], 3),
        "harness_s": None if harness is None else round(harness, 3),
        "harness_share": round(harness / wall, 4) if harness is not None and wall else None,
        "episodes_per_s": round(summary["episodes"] / wall, 3) if wall else None,
        "calls": cost["calls"],
        "completion_tokens": cost["completion_tokens"],
    }


def overhead(args: argparse.Namespace) -> list[dict[str, Any]]:
    model_cfg = {"backend": "llama_cpp", "n_threads": args.threads}
    model = make_chat_model(model_cfg)
    model.chat([{"role": "user", "content": "Say hi."}], max_tokens=4)  # load and warm up, untimed
    try:
        request = RunRequest(
            env=TOOLWORLD,
            policy=llm_policy(model_cfg, args.max_tokens),
            wrappers=(),
            split="dev",
            limit=args.episodes,
            max_steps=args.max_steps,
            workers=1,
            progress=False,
        )
        return [{"case": "embedded SmolLM2, ToolWorld dev", **timed_run(request, model=model)}]
    finally:
        model.close()


def throughput(args: argparse.Namespace) -> list[dict[str, Any]]:
    """One row per run: each case with each worker count once per round, the worker counts rotated round by round."""
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        replies = Path(scratch) / "replies.jsonl"
        seeds = tuple(range(args.replay_seeds))
        solutions = oracle_actions_by_instruction("toolworld", "dev")
        for seed in seeds:
            record_oracle_replies(
                replies,
                solutions,
                Path(scratch) / f"record{seed}",
                limit=None,
                seeds=(seed,),
                max_steps=REPLAY_MAX_STEPS,
            )
        replay = {
            "name": "replay",
            "kind": "llm",
            "model": {"backend": "replay", "path": str(replies)},
            "sampling": {"max_tokens": 512, "seed": 0},
        }
        cases = {
            "replay, ToolWorld dev": dict(env=TOOLWORLD, policy=replay, seeds=seeds, max_steps=REPLAY_MAX_STEPS),
            "oracle, tiny env (harness only)": dict(
                env=TINY, policy={"name": "oracle", "kind": "oracle"}, seeds=tuple(range(args.tiny_seeds))
            ),
        }
        for round_ in range(args.rounds):
            for case, settings in cases.items():
                for workers in rotated(args.workers, round_):
                    request = RunRequest(wrappers=(), split="dev", workers=workers, progress=False, **settings)
                    load_before = os.getloadavg()[0]
                    row = {"case": case, "round": round_, **timed_run(request, replayed=settings["policy"] is replay)}
                    rows.append({**row, "load_before": round(load_before, 2), "load": round(os.getloadavg()[0], 2)})
                    print(f"  throughput: {rows[-1]}", flush=True)
    return rows


def throughput_summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per case and worker count: runs, median episodes/s with its range, the ratio of medians to one worker's."""
    summary = []
    for group in rate_groups(rows, ("case", "workers")):
        runs = group["rows"]
        loads = [r[k] for r in runs for k in ("load_before", "load")]
        summary.append(
            {
                "case": group["case"],
                "workers": group["workers"],
                "runs": len(runs),
                "episodes": runs[0]["episodes"],
                "errors": sum(r["errors"] for r in runs),
                "episodes_per_s_median": round(group["median"], 2),
                "episodes_per_s_range": group["range"],
                "x_one_worker": group["x_one_worker"],
                "load_range": [min(loads), max(loads)],
            }
        )
    return summary


def server_scaling(args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = []
    with LlamaServer(n_threads=args.threads) as server:
        model_cfg = {
            "backend": "openai_compatible",
            "model": server.model_alias,
            "base_url": server.url,
            "context_window": 2048,
            "max_retries": 1,
            "timeout_s": 600,
        }
        model = make_chat_model(model_cfg)
        model.chat([{"role": "user", "content": "Say hi."}], max_tokens=4)  # warm up, untimed
        try:
            for workers in (1, 2, 4):
                request = RunRequest(
                    env=TOOLWORLD,
                    policy=llm_policy(model_cfg, args.max_tokens),
                    wrappers=(),
                    split="dev",
                    limit=args.server_episodes,
                    max_steps=args.max_steps,
                    workers=workers,
                    progress=False,
                )
                rows.append({"case": "llama.cpp server, ToolWorld dev", **timed_run(request, model=model)})
        finally:
            model.close()
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    columns = [
        "case",
        "workers",
        "episodes",
        "errors",
        "wall_s",
        "model_s",
        "env_s",
        "harness_s",
        "harness_share",
        "episodes_per_s",
    ]
    print(" | ".join(columns))
    for row in rows:
        print(" | ".join(str(row.get(c, "")) for c in columns))


def print_summary(summary: list[dict[str, Any]]) -> None:
    for s in summary:
        low, high = s["episodes_per_s_range"]
        print(
            f"{s['case']}, {s['workers']} worker(s): median {s['episodes_per_s_median']} episodes/s ({low}-{high}, "
            f"n={s['runs']}), {s['x_one_worker']}x one worker; load {s['load_range'][0]}-{s['load_range'][1]}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=3, help="(a) ToolWorld dev episodes with the embedded model")
    parser.add_argument("--server-episodes", type=int, default=4, help="(c) episodes per worker count")
    parser.add_argument("--max-steps", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1, help="llama.cpp threads")
    parser.add_argument("--replay-seeds", type=int, default=2, help="(b) seeds per ToolWorld dev task")
    parser.add_argument("--tiny-seeds", type=int, default=50, help="(b) seeds per tiny-env task")
    parser.add_argument("--skip-server", action="store_true", help="skip (c)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4, 8, 16], help="(b) worker counts")
    parser.add_argument("--rounds", type=int, default=3, help="(b) rounds, the worker counts alternated")
    args = parser.parse_args()
    machine = {"cpus": os.cpu_count(), "load_average_at_start": os.getloadavg(), "python": platform.python_version()}
    results: dict[str, Any] = {"settings": vars(args), "machine": machine}
    results["overhead"] = overhead(args)
    print_table(results["overhead"])
    results["throughput"] = throughput(args)
    results["throughput_summary"] = throughput_summary(results["throughput"])
    print_table(results["throughput"])
    print_summary(results["throughput_summary"])
    if not args.skip_server:
        results["server_scaling"] = server_scaling(args)
        print_table(results["server_scaling"])
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1))
    print(f"written: {RESULTS}")


if __name__ == "__main__":
    main()
