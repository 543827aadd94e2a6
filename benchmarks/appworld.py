"""The real AppWorld's episode start: reset and restore, with and without the spare worker, and where it goes.

Each reset or restore gets a fresh worker under AppWorld's interpreter, which
opens the task's world and confines itself before any agent code. Two envs, one
with `spare_worker=True` (the next episode's worker imports AppWorld and its
apps while the episode runs) and one without, take turns round by round (the
first one shifting each round), so a change in the machine's load hits both
alike; each row records the load while it was measured. Timed, per round:

- reset + one step (a one-line print);
- restore (`set_state`) to a snapshot of three actions (login, create a note,
  print), which it replays, + one step;
- with the spare only: a reset at once after the restore's step, before the
  spare is ready (it is waited for: the worst case, e.g. an agent that gives up
  at once).

Between timed operations the spare is let finish its start (untimed): in a run,
an episode's model calls take seconds. Phases: a fresh worker's start split
into the interpreter with `import appworld` (hello), AppWorld's app modules
(preload), opening the world and confining it (open), a first step. The spare's
own CPU time and RSS once ready are recorded too.

Needs AppWorld's interpreter (--python, else $TRAINFREE_APPWORLD_PYTHON, else
.venv/appworld/bin/python): without it the script prints a line starting with
"skipped" and writes nothing. --root is an APPWORLD_ROOT with data/ (else
$APPWORLD_ROOT; the envs' AppWorld outputs stay under it, as a run's do);
without one, the small dataset tests/appworld/build_dataset.py builds is made
in a temporary folder, removed after.

    python benchmarks/appworld.py --rounds 5
Writes benchmarks/results/appworld.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from measure import rotated, rss_kib  # benchmarks/measure.py

from envs.appworld.bridge import AppWorldProcess
from envs.appworld.env import AppWorldEnv

REPO = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "appworld.json"
BUILDER = REPO / "tests" / "appworld" / "build_dataset.py"
TASK = "a1b2c3d_1"  # the test dataset's; with --root, --task names one of that dataset
LOGIN = (
    "passwords = {a['account_name']: a['password'] for a in apis.supervisor.show_account_passwords()}\n"
    "t = apis.simple_note.login(username='ada.byron@example.com', password=passwords['simple_note'])['access_token']"
)
SNAPSHOT_ACTIONS = (LOGIN, "print(apis.simple_note.create_note(access_token=t, title='x', content='y'))", "print(2)")
STEP = "print(1)"
OPERATIONS = ("reset + one step", "restore of 3 actions + one step", "reset right after a restore + one step")


def timed_s(action: Callable[..., Any], *args: Any, **kwargs: Any) -> float:
    began = time.perf_counter()
    action(*args, **kwargs)
    return time.perf_counter() - began


def let_spare_finish(env: AppWorldEnv) -> None:
    """Stands in for an episode's model time: the spare, if any, ends its start before the next timed operation."""
    if env._spare is not None:
        env._spare.wait_ready()


def reset_and_step(env: AppWorldEnv, task: str) -> None:
    env.reset(options={"task_id": task})
    env.step(STEP)


def restore_and_step(env: AppWorldEnv, state: dict[str, Any]) -> None:
    env.set_state(state)
    env.step(STEP)


def snapshot(env: AppWorldEnv, task: str) -> dict[str, Any]:
    env.reset(options={"task_id": task})
    for action in SNAPSHOT_ACTIONS:
        env.step(action)
    return env.get_state()


def phases(python: str, root: str, task: str) -> dict[str, float]:
    """One fresh worker's start, step by step, as the env drives it (confined as the env's are)."""
    times: dict[str, float] = {}
    began = time.perf_counter()
    worker = AppWorldProcess(python, root, start_timeout_s=300)
    times["interpreter_and_import_appworld_s"] = time.perf_counter() - began
    try:
        times["app_modules_s"] = timed_s(worker.call, "preload", timeout_s=300)
        opening = {"task_id": task, "experiment_name": "bench-phases", "timeout_seconds": 100}
        times["open_and_confine_s"] = timed_s(worker.call, "open", timeout_s=300, **opening)
        times["first_step_s"] = timed_s(worker.call, "execute", code=STEP)
    finally:
        worker.kill()
    return times


def spare_cost(env: AppWorldEnv) -> dict[str, float]:
    """CPU time the spare spent on its start (user + system, from /proc) and its RSS, once it is ready."""
    assert env._spare is not None
    env._spare.wait_ready()
    fields = Path(f"/proc/{env._spare.pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return {"cpu_s": (int(fields[11]) + int(fields[12])) / ticks, "rss_mib": rss_kib(env._spare.pid) / 1024}


def measure(python: str, root: str, task: str, rounds: int) -> dict[str, Any]:
    envs = {spare: AppWorldEnv(python=python, root=root, max_steps=50, spare_worker=spare) for spare in (True, False)}
    times: dict[tuple[str, bool], list[float]] = {}
    loads: dict[tuple[str, bool], list[float]] = {}
    phase_times: list[dict[str, float]] = []
    spare_costs: list[dict[str, float]] = []

    def record(operation: str, spare: bool, seconds: float) -> None:
        times.setdefault((operation, spare), []).append(seconds)
        loads.setdefault((operation, spare), []).append(os.getloadavg()[0])

    try:
        states = {spare: snapshot(env, task) for spare, env in envs.items()}  # untimed: the first, cold, start too
        for round_ in range(rounds):
            for spare in rotated([True, False], round_):
                env = envs[spare]
                let_spare_finish(env)
                record(OPERATIONS[0], spare, timed_s(reset_and_step, env, task))
                let_spare_finish(env)
                record(OPERATIONS[1], spare, timed_s(restore_and_step, env, states[spare]))
                if spare:  # at once: the spare the restore started has had one step's time
                    record(OPERATIONS[2], spare, timed_s(reset_and_step, env, task))
                    spare_costs.append(spare_cost(env))
            phase_times.append(phases(python, root, task))
    finally:
        for env in envs.values():
            env.close()
    rows = [
        {
            "operation": operation,
            "spare_worker": spare,
            "p50_s": round(statistics.median(values), 3),
            "min_s": round(min(values), 3),
            "max_s": round(max(values), 3),
            "n": len(values),
            "load": f"{min(loads[operation, spare]):.2f}-{max(loads[operation, spare]):.2f}",
        }
        for (operation, spare), values in sorted(
            times.items(), key=lambda item: (OPERATIONS.index(item[0][0]), not item[0][1])
        )
    ]
    return {
        "rows": rows,
        "phases_p50_s": {key: round(statistics.median(p[key] for p in phase_times), 3) for key in phase_times[0]},
        "spare_p50": {key: round(statistics.median(c[key] for c in spare_costs), 2) for key in spare_costs[0]},
    }


def appworld_missing(python: str) -> str | None:
    """Why `python` cannot run AppWorld's apps, None when it can."""
    if not Path(python).exists():
        return f"no AppWorld interpreter at {python} (README, 'The real AppWorld', says how to install it)"
    probe = subprocess.run(
        [python, "-I", "-c", "import appworld.apps.simple_note.apis"], capture_output=True, text=True, timeout=300
    )
    return None if probe.returncode == 0 else f"{python} cannot load AppWorld's apps: {probe.stderr.strip()[-300:]}"


def build_dataset(python: str, root: Path) -> None:
    built = subprocess.run([python, "-I", str(BUILDER), str(root)], cwd=root, capture_output=True, text=True)
    if built.returncode != 0:
        raise RuntimeError(f"build_dataset.py failed:\n{built.stderr[-3000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--python",
        default=os.environ.get("TRAINFREE_APPWORLD_PYTHON") or str(REPO / ".venv" / "appworld" / "bin" / "python"),
    )
    parser.add_argument("--root", default=os.environ.get("APPWORLD_ROOT"), help="default: the test dataset, built")
    parser.add_argument("--task", default=TASK)
    args = parser.parse_args()
    missing = appworld_missing(args.python)
    if missing is None and args.root and not (Path(args.root) / "data" / "tasks" / args.task).is_dir():
        missing = f"no task {args.task} under {args.root}/data/tasks (AppWorld's data: appworld download data)"
    if missing is not None:
        print(f"skipped: {missing}")
        return
    built = None if args.root else Path(tempfile.mkdtemp(prefix="trainfree-appworld-bench-"))
    try:
        if built is not None:
            build_dataset(args.python, built)
        found = measure(args.python, args.root or str(built), args.task, args.rounds)
    finally:
        if built is not None:
            shutil.rmtree(built, ignore_errors=True)
    print("| operation | spare worker | p50 s | min-max s | n | load |\n|---|---|---|---|---|---|")
    for r in found["rows"]:
        print(
            f"| {r['operation']} | {'on' if r['spare_worker'] else 'off'} | {r['p50_s']} | "
            f"{r['min_s']}-{r['max_s']} | {r['n']} | {r['load']} |"
        )
    print("fresh worker, p50 s:", ", ".join(f"{k} {v}" for k, v in found["phases_p50_s"].items()))
    print(f"spare once ready, p50: {found['spare_p50']['cpu_s']} s of CPU, {found['spare_p50']['rss_mib']} MiB RSS")
    dataset = args.root or "the test dataset (tests/appworld/build_dataset.py)"
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"rounds": args.rounds, "dataset": dataset, **found}, indent=1) + "\n")


if __name__ == "__main__":
    main()
