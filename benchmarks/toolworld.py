"""ToolWorld speed and memory: reset, a one-API-call step, whole oracle episodes, memory per env.

Targets (issue 4): reset p50 < 50 ms, one-call step p50 < 5 ms.
Prints a table and writes benchmarks/results/toolworld.json.
Run: .venv/bin/python benchmarks/toolworld.py [--repeats 200]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import statistics
import time
from pathlib import Path

from measure import percentile, rss_kib, tree_rss_kib  # benchmarks/measure.py

from envs.toolworld.env import ToolWorldEnv
from envs.toolworld.tasks import SPLITS, list_tasks
from envs.toolworld.world.build import generate, template_bytes

RESULTS = Path(__file__).parent / "results" / "toolworld.json"
LOGIN = (
    "passwords = {a['account_name']: a['password'] for a in apis.supervisor.show_account_passwords()}\n"
    "token = apis.phone.login(username=apis.supervisor.show_profile()['email'], "
    "password=passwords['phone'])['access_token']"
)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()

    generate_ms = timed(lambda: generate(12345))
    template_bytes(0)
    tasks = [t for split in SPLITS for t in list_tasks(split)]
    env = ToolWorldEnv(split="train", max_steps=args.repeats + 5)

    resets = [
        timed(lambda t=t: env.reset(options={"task_id": t.task_id})) for t in (tasks * args.repeats)[: args.repeats]
    ]

    env.reset(options={"task_id": "phone_reply_latest_0"})
    env.step(LOGIN)
    steps = [
        timed(lambda: env.step("alarms = apis.phone.show_alarms(access_token=token)")) for _ in range(args.repeats)
    ]

    env.reset(options={"task_id": "phone_reply_latest_0"})
    for code in (LOGIN, "alarms = apis.phone.show_alarms(access_token=token)", "n = len(alarms)"):
        env.step(code)
    snapshot_sizes = []

    def snapshot() -> None:
        snapshot_sizes.append(len(pickle.dumps(env.get_state())))

    snapshots = [timed(snapshot) for _ in range(50)]
    state = env.get_state()
    restores = [timed(lambda: env.set_state(state)) for _ in range(30)]  # back to back: each waits for a worker to boot
    ready_restores = []
    for _ in range(30):  # with think time between restores (as an LLM call gives), the spare worker is booted
        time.sleep(0.3)
        ready_restores.append(timed(lambda: env.set_state(state)))

    episodes = []
    for task in tasks:

        def episode(task_id: str = task.task_id) -> None:
            env.reset(options={"task_id": task_id})
            for action in env.oracle_actions():
                env.step(action)

        episodes.append(timed(episode))
    env.close()

    base = rss_kib()
    pool = [ToolWorldEnv(split="train") for _ in range(8)]
    for e in pool:
        e.reset(options={"task_id": "phone_reply_latest_0"})
        e.step("x = 1")
    parent_per_env = (rss_kib() - base) / len(pool)
    worker_rss = statistics.mean(tree_rss_kib(e.worker.proc.pid) for e in pool)
    spare_rss = statistics.mean(tree_rss_kib(e.worker._spare.pid) for e in pool if e.worker._spare is not None)
    for e in pool:
        e.close()

    results = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "note": "shared 2-core machine, other jobs running: noisy",
        },
        "world_generation_ms": round(generate_ms, 1),
        "world_db_kib": len(template_bytes(0)) // 1024,
        "reset_ms": {
            "p50": round(percentile(resets, 50), 2),
            "p99": round(percentile(resets, 99), 2),
            "n": len(resets),
        },
        "one_call_step_ms": {
            "p50": round(percentile(steps, 50), 2),
            "p99": round(percentile(steps, 99), 2),
            "n": len(steps),
        },
        "oracle_episode_ms": {
            "p50": round(percentile(episodes, 50), 1),
            "max": round(max(episodes), 1),
            "n": len(episodes),
        },
        "get_state_ms": {"p50": round(percentile(snapshots, 50), 2), "pickled_kib": snapshot_sizes[0] // 1024},
        "set_state_after_3_steps_ms": {
            "back_to_back_p50": round(percentile(restores, 50), 2),
            "spare_ready_p50": round(percentile(ready_restores, 50), 2),
            "spare_ready_p99": round(percentile(ready_restores, 99), 2),
        },
        "memory_per_env_kib": {
            "env_process": round(parent_per_env),
            "worker_process": round(worker_rss),
            "spare_worker_process": round(spare_rss),
        },
        "targets": {"reset_p50_ms": 50, "one_call_step_p50_ms": 5},
    }
    rows = [
        ("world generation (cold)", f"{results['world_generation_ms']} ms", f"{results['world_db_kib']} KiB DB"),
        ("reset", f"p50 {results['reset_ms']['p50']} ms", f"p99 {results['reset_ms']['p99']} ms (target p50 < 50)"),
        (
            "step with one API call",
            f"p50 {results['one_call_step_ms']['p50']} ms",
            f"p99 {results['one_call_step_ms']['p99']} ms (target p50 < 5)",
        ),
        (
            "oracle episode",
            f"p50 {results['oracle_episode_ms']['p50']} ms",
            f"max {results['oracle_episode_ms']['max']} ms over {len(episodes)} tasks",
        ),
        (
            "get_state (pickled)",
            f"p50 {results['get_state_ms']['p50']} ms",
            f"{results['get_state_ms']['pickled_kib']} KiB",
        ),
        (
            "set_state, 3 steps replayed",
            f"p50 {results['set_state_after_3_steps_ms']['spare_ready_p50']} ms (spare worker ready)",
            f"p50 {results['set_state_after_3_steps_ms']['back_to_back_p50']} ms back to back (waits for a boot)",
        ),
        (
            "memory per env",
            f"{results['memory_per_env_kib']['env_process']} KiB in the env process",
            f"+ {results['memory_per_env_kib']['worker_process']} KiB worker "
            f"+ {results['memory_per_env_kib']['spare_worker_process']} KiB spare worker RSS",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    for name, a, b in rows:
        print(f"{name:<{width}}  {a:<36} {b}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"saved {RESULTS}")


if __name__ == "__main__":
    main()
