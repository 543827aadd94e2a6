"""MLE env reset and step latency p50/p99, and memory per env.

Step = one solution run that copies the sample submission (the cheapest
valid script), so the step time is the env's floor: a fresh folder with the
public data, the sandboxed interpreter's start-up, submission validation.
Memory per env: the env process's RSS growth per open env after a reset and
a step (solution runs are child processes that exit with the step), and the
disk of one episode's folder. Competitions are prepared (untimed) in a
temporary cache first; prepare times are in benchmarks/mle.py.
The machine may be shared: numbers are noisy when the load is high.
Run: .venv/bin/python benchmarks/mle_latency.py [--repeats 20 --envs 8]
Writes benchmarks/results/mle_latency.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from measure import percentile, rss_kib  # benchmarks/measure.py

from envs.mle.env import MLECompetitionEnv
from envs.mle.prepare import prepare

RESULTS = Path(__file__).parent / "results" / "mle_latency.json"
WRITE_SAMPLE = "import shutil\nshutil.copy('input/sample_submission.csv', 'submission.csv')\n"


def summary_ms(values_s: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(values_s, 50) * 1000, 2),
        "p99": round(percentile(values_s, 99) * 1000, 2),
        "n": len(values_s),
    }


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def latencies(competition: str, cache: Path, work: Path, repeats: int) -> dict[str, dict[str, float]]:
    work.mkdir(parents=True, exist_ok=True)
    env = MLECompetitionEnv(competition, cache_dir=cache, work_root=work, max_steps=repeats + 1)
    resets, steps = [], []
    try:
        for _ in range(repeats):
            started = time.perf_counter()
            env.reset()
            resets.append(time.perf_counter() - started)
            started = time.perf_counter()
            env.step(WRITE_SAMPLE)
            steps.append(time.perf_counter() - started)
    finally:
        env.close()
    return {"reset_ms": summary_ms(resets), "step_ms": summary_ms(steps)}


def memory_per_env(competition: str, cache: Path, work: Path, count: int) -> dict[str, float]:
    for i in range(count):
        (work / str(i)).mkdir(parents=True, exist_ok=True)
    before = rss_kib()
    envs = [
        MLECompetitionEnv(competition, cache_dir=cache, work_root=work / str(i), max_steps=2, keep_files=True)
        for i in range(count)
    ]
    try:
        for env in envs:
            env.reset()
            env.step(WRITE_SAMPLE)
        grown = rss_kib() - before
        episode_disk = statistics.fmean(folder_bytes(work / str(i)) for i in range(count))
    finally:
        for env in envs:
            env.close()
    return {"rss_kib_per_env": round(grown / count, 1), "episode_dir_kib": round(episode_disk / 1024, 1), "envs": count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="reset+step pairs per competition")
    parser.add_argument("--envs", type=int, default=8, help="envs open at once for the memory figure")
    parser.add_argument("--competitions", nargs="*", default=["churn-prediction", "digit-recognizer"])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="mle-latency-") as tmp:
        cache, work = Path(tmp) / "cache", Path(tmp) / "work"
        for competition in args.competitions:
            prepare(competition, cache)
            row = {
                "competition": competition,
                **latencies(competition, cache, work, args.repeats),
                "memory": memory_per_env(competition, cache, work / "memory", args.envs),
            }
            rows.append(row)
            print(
                f"{competition:22} reset p50 {row['reset_ms']['p50']:7.1f} ms p99 {row['reset_ms']['p99']:7.1f}  "
                f"step p50 {row['step_ms']['p50']:7.1f} ms p99 {row['step_ms']['p99']:7.1f}  "
                f"RSS/env {row['memory']['rss_kib_per_env']:7.1f} KiB  "
                f"episode dir {row['memory']['episode_dir_kib']:8.1f} KiB",
                flush=True,
            )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"settings": vars(args), "load_average": os.getloadavg(), "rows": rows}, indent=1))
    print(f"written: {RESULTS}")


if __name__ == "__main__":
    main()
