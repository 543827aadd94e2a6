"""What the MLE disk quota costs: a real step with the quota on and off, and one measurement of a run.

The quota watch measures every run while it goes on (its folder, its logs,
the unlinked files its processes hold; envs/mle/workdir_quota.py), so its
cost is in every step. Step: a normal solution (the competition's bundled
baseline, scikit-learn on the public data) run as one env step with
`disk_mb=4096` (the default) and with `disk_mb=None` (no watch), the two
alternated round by round in one process. Measurement: one `exceeded()` of a
watch on a step folder while a run-like process (an interpreter that
imported pandas and scikit-learn) lives, beside the folder walk alone
(`usage`, what a measurement was before the logs and held files counted).
The machine may be shared: the load average is recorded before and after.
Run: .venv/bin/python benchmarks/mle_quota.py [--rounds 6 --measurements 200]
Writes benchmarks/results/mle_quota.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from measure import percentile, rotated  # benchmarks/measure.py

from envs.mle.env import MLECompetitionEnv
from envs.mle.prepare import prepare
from envs.mle.registry import get_spec
from envs.mle.workdir_quota import QuotaWatch, usage

RESULTS = Path(__file__).parent / "results" / "mle_quota.json"
COMPETITION = "churn-prediction"
SETTINGS = {"quota on (disk_mb=4096)": 4096, "quota off (disk_mb=None)": None}
RUN_LIKE = "import pandas, sklearn.ensemble, sys, time; print('ready', flush=True); time.sleep(600)"


def step_s(cache: Path, work: Path, disk_mb: int | None, script: str) -> float:
    env = MLECompetitionEnv(COMPETITION, cache_dir=cache, work_root=work, disk_mb=disk_mb, max_steps=2)
    try:
        env.reset()
        started = time.perf_counter()
        observation, *_ = env.step(script)
        took = time.perf_counter() - started
    finally:
        env.close()
    if "submission.csv: valid" not in observation["history"][-1]["output"]:
        raise RuntimeError(observation["history"][-1]["output"])
    return took


def steps(cache: Path, work: Path, rounds: int) -> dict[str, dict[str, float]]:
    script = get_spec(COMPETITION).baseline_script
    times: dict[str, list[float]] = {name: [] for name in SETTINGS}
    for round_ in range(rounds):
        for name in rotated(list(SETTINGS), round_):
            times[name].append(step_s(cache, work, SETTINGS[name], script))
    return {name: summary(values) for name, values in times.items()}


def summary(values_s: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(values_s, 50) * 1000, 2), "min_ms": round(min(values_s) * 1000, 2)}


def timed(action: Callable[[], Any], count: int) -> dict[str, float]:
    durations = []
    for _ in range(count):
        started = time.perf_counter()
        action()
        durations.append(time.perf_counter() - started)
    return summary(durations)


def measurement(cache: Path, work: Path, count: int) -> dict[str, dict[str, float]]:
    """One measurement of a step-like folder while a run-like process lives, and the folder walk alone."""
    folder = work / "step"
    shutil.copytree(cache / COMPETITION / "prepared" / "public", folder / "input")
    logs = (work / "run.out", work / "run.err")
    with open(logs[0], "wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", RUN_LIKE], cwd=folder, stdout=subprocess.PIPE, stderr=out)
        try:
            assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
            watch = QuotaWatch.start(folder, 4096 * 1024**2, 200_000, logs)
            watch.processes = lambda: [proc.pid]
            return {"exceeded()": timed(watch.exceeded, count), "usage() alone": timed(lambda: usage(folder), count)}
        finally:
            proc.kill()
            proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6, help="steps per setting, alternated")
    parser.add_argument("--measurements", type=int, default=200)
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="mle-quota-") as tmp:
        cache, work = Path(tmp) / "cache", Path(tmp) / "work"
        work.mkdir()
        prepare(COMPETITION, cache)
        step = steps(cache, work, args.rounds)
        measured = measurement(cache, work, args.measurements)
    for name, row in {**step, **measured}.items():
        print(f"{name:26} p50 {row['p50_ms']:9.2f} ms   min {row['min_ms']:9.2f} ms", flush=True)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "settings": vars(args),
                "load_average": {"before": load_before, "after": os.getloadavg()},
                "step": step,
                "measurement": measured,
            },
            indent=1,
        )
    )
    print(f"written: {RESULTS}")


if __name__ == "__main__":
    main()
