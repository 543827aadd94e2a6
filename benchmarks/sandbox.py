"""What isolation costs: ToolWorld worker start-up and per-step time by sandbox layer.

For each setting (no kernel confinement, seccomp + Landlock, and the same
inside bubblewrap when it works here) one session boots its fork server once
(timed: once per env), then starts fresh workers (each forked from that server,
confined, and running a first trivial step) and runs one-API-call steps in a
worker; it prints p50/p90 of both. The settings alternate round by round, the
first one shifting each round, so a change in the machine's load hits them all
alike; each row records the load while it was measured. Worker start-up matters
on reset, restore and after a crash (a spare worker usually hides it); the step
time is what every action pays. Results: benchmarks/results/sandbox.json.

    python benchmarks/sandbox.py --starts 20 --steps 40
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
from pathlib import Path

from measure import percentile, rotated, timed_ms  # benchmarks/measure.py

from envs.sandbox import bwrap
from envs.sandbox.session import SessionConfig, WorkerSession

RESULTS = Path(__file__).resolve().parent / "results" / "sandbox.json"
STEP = "print(apis.supervisor.show_profile()['first_name'], {i})"
STEPS_PER_ROUND = 10  # a worker runs this many back to back before the next setting takes the CPU


def answer(path, args, kwargs):
    return True, {"first_name": "Ada"}, ""


def fresh_worker(session: WorkerSession) -> None:
    """A new worker, ready and past a first trivial step: what a reset without a spare costs."""
    session.start()
    result = session.run("pass", answer, timeout_s=30)
    assert result.ok, result.output


def one_call_step(session: WorkerSession, i: int) -> None:
    result = session.run(STEP.format(i=i), answer, timeout_s=30)
    assert result.ok, result.output


def _stats(name: str, values: list[float]) -> dict:
    return {
        f"{name}_p50": round(statistics.median(values), 2),
        f"{name}_p90": round(percentile(values, 90), 2),
    }


def measure(settings: list[tuple[bool, str]], starts: int, steps: int) -> list[dict]:
    sessions = [
        WorkerSession(SessionConfig(confine=confine, sandbox=sandbox), spare=False) for confine, sandbox in settings
    ]
    try:
        boot_ms = [timed_ms(lambda s=session: fresh_worker(s)) for session in sessions]  # the server's boot, once
        start_ms: list[list[float]] = [[] for _ in sessions]
        step_ms: list[list[float]] = [[] for _ in sessions]
        loads: list[list[float]] = [[] for _ in sessions]
        for round_ in range(starts):
            for k in rotated(range(len(sessions)), round_):
                start_ms[k].append(timed_ms(lambda s=sessions[k]: fresh_worker(s)))
                loads[k].append(os.getloadavg()[0])
        for round_ in range(-(-steps // STEPS_PER_ROUND)):
            for k in rotated(range(len(sessions)), round_):
                for i in range(STEPS_PER_ROUND):
                    step_ms[k].append(timed_ms(lambda s=sessions[k], i=i: one_call_step(s, i)))
                loads[k].append(os.getloadavg()[0])
        return [
            {
                "layers": "+".join(session.confinement + (["bwrap"] if session.uses_bwrap else [])),
                "server_boot_ms": round(boot_ms[k], 1),
                **_stats("start_ms", start_ms[k]),
                **_stats("step_ms", step_ms[k][:steps]),
                "load": f"{min(loads[k]):.2f}-{max(loads[k]):.2f}",
            }
            for k, session in enumerate(sessions)
        ]
    finally:
        for session in sessions:
            session.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=20)
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args()
    settings = [(False, "rlimit"), (True, "rlimit")] + ([(True, "bwrap")] if bwrap.unavailable_reason() is None else [])
    rows = measure(settings, args.starts, args.steps)
    print(
        "| layers | server boot ms | start p50 ms | start p90 ms | step p50 ms | step p90 ms | load |\n"
        "|---|---|---|---|---|---|---|"
    )
    for r in rows:
        print(
            f"| {r['layers']} | {r['server_boot_ms']} | {r['start_ms_p50']} | {r['start_ms_p90']} | "
            f"{r['step_ms_p50']} | {r['step_ms_p90']} | {r['load']} |"
        )
    if bwrap.unavailable_reason() is not None:
        print(f"(bwrap not measured: {bwrap.unavailable_reason()})")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"starts": args.starts, "steps": args.steps, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
