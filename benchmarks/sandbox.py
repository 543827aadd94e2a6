"""What isolation costs: ToolWorld worker start-up and per-step time by sandbox layer.

For each setting (no kernel confinement, seccomp + Landlock, and the same
inside bubblewrap when it works here) starts fresh workers and runs a
one-API-call step, and prints p50/p90 of both. Worker start-up matters on
reset, restore and after a crash (a spare worker usually hides it); the step
time is what every action pays. Results: benchmarks/results/sandbox.json.

    python benchmarks/sandbox.py --starts 20 --steps 40
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from envs.sandbox import bwrap
from envs.sandbox.session import SessionConfig, WorkerSession

RESULTS = Path(__file__).resolve().parent / "results" / "sandbox.json"
STEP = "print(apis.supervisor.show_profile()['first_name'], {i})"


def answer(path, args, kwargs):
    return True, {"first_name": "Ada"}, ""


def measure(confine: bool, sandbox: str, starts: int, steps: int) -> dict:
    session = WorkerSession(SessionConfig(confine=confine, sandbox=sandbox), spare=False)
    start_ms = []
    for _ in range(starts):
        began = time.perf_counter()
        session.start()
        session.run("pass", answer, timeout_s=30)
        start_ms.append((time.perf_counter() - began) * 1000)
    step_ms = []
    for i in range(steps):
        began = time.perf_counter()
        result = session.run(STEP.format(i=i), answer, timeout_s=30)
        step_ms.append((time.perf_counter() - began) * 1000)
        assert result.ok, result.output
    layers = "+".join(session.confinement + (["bwrap"] if session.uses_bwrap else [])) or "python guards only"
    session.close()
    return {"layers": layers, **_stats("start_ms", start_ms), **_stats("step_ms", step_ms)}


def _stats(name: str, values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        f"{name}_p50": round(statistics.median(ordered), 2),
        f"{name}_p90": round(ordered[int(0.9 * (len(ordered) - 1))], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=20)
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args()
    settings = [(False, "rlimit"), (True, "rlimit")] + ([(True, "bwrap")] if bwrap.unavailable_reason() is None else [])
    rows = [measure(confine, sandbox, args.starts, args.steps) for confine, sandbox in settings]
    print("| layers | start p50 ms | start p90 ms | step p50 ms | step p90 ms |\n|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['layers']} | {r['start_ms_p50']} | {r['start_ms_p90']} | {r['step_ms_p50']} | {r['step_ms_p90']} |"
        )
    if bwrap.unavailable_reason() is not None:
        print(f"(bwrap not measured: {bwrap.unavailable_reason()})")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"starts": args.starts, "steps": args.steps, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
