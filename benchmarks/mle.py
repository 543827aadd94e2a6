"""MLE competitions: prepare time per competition and the env's per-step overhead.

Overhead = wall time of env.step minus the script's own run time (from the
spawn of its interpreter to its exit): copying ./input, validating
submission.csv, bookkeeping and building the observation. Target (issue 5):
under 0.3 s per step. Prints a table and writes benchmarks/results/mle.json.
Run: .venv/bin/python benchmarks/mle.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from envs.mle.env import MLECompetitionEnv
from envs.mle.prepare import prepare
from envs.mle.registry import competition_ids

RESULTS = Path(__file__).parent / "results" / "mle.json"
WRITE_SAMPLE = "import shutil\nshutil.copy('input/sample_submission.csv', 'submission.csv')\n"


def step_overheads(cid: str, cache: Path, repeats: int) -> tuple[list[float], list[float]]:
    env = MLECompetitionEnv(cid, cache_dir=cache, max_steps=repeats + 1)
    env.reset()
    overheads, runs = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        env.step(WRITE_SAMPLE)
        wall = time.perf_counter() - start
        run = env.get_state()["journal"][-1]["runtime_s"]
        overheads.append(wall - run)
        runs.append(run)
    env.close()
    return overheads, runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="mle-bench-") as tmp:
        cache = Path(tmp)
        for cid in competition_ids("all"):
            start = time.perf_counter()
            comp = prepare(cid, cache, force=True)
            prepare_s = time.perf_counter() - start
            start = time.perf_counter()
            prepare(cid, cache)
            verify_s = time.perf_counter() - start
            data_bytes = sum(p.stat().st_size for p in comp.public_dir.rglob("*") if p.is_file())
            overheads, runs = step_overheads(cid, cache, args.repeats)
            rows.append(
                {
                    "competition": cid,
                    "prepare_s": round(prepare_s, 3),
                    "cached_prepare_s": round(verify_s, 3),
                    "public_bytes": data_bytes,
                    "step_overhead_p50_s": round(statistics.median(overheads), 4),
                    "step_overhead_max_s": round(max(overheads), 4),
                    "script_run_p50_s": round(statistics.median(runs), 4),
                }
            )
            r = rows[-1]
            print(
                f"{cid:24} prepare {r['prepare_s']:6.2f} s  cached {r['cached_prepare_s']:5.3f} s  "
                f"public {data_bytes / 1e6:5.2f} MB  step overhead p50 {r['step_overhead_p50_s']:.3f} s "
                f"(max {r['step_overhead_max_s']:.3f})  script {r['script_run_p50_s']:.3f} s",
                flush=True,
            )
    worst = max(r["step_overhead_p50_s"] for r in rows)
    print(f"worst p50 step overhead: {worst:.3f} s (target < 0.3 s): {'OK' if worst < 0.3 else 'OVER'}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_avg": os.getloadavg()},
                "repeats": args.repeats,
                "target_step_overhead_s": 0.3,
                "competitions": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"saved {RESULTS}")


if __name__ == "__main__":
    main()
