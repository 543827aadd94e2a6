"""ToolWorld speed and memory, measured the way users run it: resets that swap a used worker, steps over
realistic episodes, the floor a step cannot beat, snapshots, oracle episodes, memory per env.

- reset: after an episode that ran code, so the used worker is swapped for a fresh one, as in any run;
  timed alone, and with the first step (which waits for the new worker if it is not ready yet), both
  back to back (an instant policy: replay, oracle) and after 0.3 s of think time (an LLM policy).
- step: every step of episodes of 30 steps, one API call each, with the growing history converted to
  the observation on every step; p50 over steps 1-10 and 21-30 shows whether a long history slows it;
  also in an env with spare_worker=False (half as many episodes), the setting for little memory; and each
  right after 0.3 s of think time, as an LLM policy steps, beside a bare system call timed after the same
  sleep (what waking the machine alone costs).
- floor: a worker round trip (a step without API calls, back to back in episodes shaped like the step's)
  plus the one API call served in-process without the worker, back to back; the same call timed right
  after a round trip, as a step serves it, is recorded beside it (the caches the worker left cost time).
  Steps and the floor's parts alternate: each round (--episodes) takes one episode of every kind, and the
  step / floor ratio is given over all rounds and per round (median, range, rounds within the target), and
  over the floor whose call is the one timed after a round trip.
- address layout: step / floor again in fresh processes, alternately as users run them and under
  `setarch -R`, which maps the env's interpreter and its worker's at the same addresses (--layout-pairs
  pairs, --layout-episodes rounds each). Env and worker take turns on one CPU running the same interpreter
  code; randomized apart, each turn finds the branch predictors trained at the other's addresses. The gap
  between the two layouts measures that share of the step. A diagnostic, not a setting: it turns off the
  randomization of the env's process (the worker's own protects nothing, as it runs the agent's code).
- scaling: episodes/s of an instant policy (the oracle) over the dev split, 8 episodes of each task per
  run (a run's fixed start and end then weigh 2-3%), run by the harness as users run it
  (workers_backend=auto: one worker is a thread, 2 and 4 are forked processes, each with its own env),
  with 1, 2 and 4 workers; each row names its backend and the CPU per episode in the run's process and in
  its reaped children (the worker processes; sandboxes are killed as a group at close, so little of their
  CPU is ever reaped and counted). Configurations alternate round by round, each round starting with the
  next one, so a change in the machine's load hits them all alike. `--scaling-only` runs just this part
  and prints it (nothing is saved).
The load average is recorded beside every row, and the sandbox layers that were on (bwrap needs bubblewrap
installed) at the top. Targets: reset p50 < 50 ms, one-call step p50 < 5 ms
(issue 16); one-call step p50 <= 2x the floor, episodes/s at 2 workers >= 1.6x one worker (issue 22).
Prints a table and writes benchmarks/results/toolworld.json.
Run: .venv/bin/python benchmarks/toolworld.py [--repeats 100] [--episodes 20] [--rounds 5] [--seeds 8]
     [--layout-pairs 6] [--layout-episodes 12]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from measure import (
    interpreter_address,
    percentile,
    rate_groups,
    rotated,
    rss_kib,
    timed_ms,
    tree_rss_kib,
)  # benchmarks/measure.py

from envs.toolworld.env import ToolWorldEnv
from envs.toolworld.tasks import list_tasks
from envs.toolworld.world.build import generate, template_bytes
from harness.run import RunRequest, run_evaluation
from harness.worker_backend import choose_workers_backend

RESULTS = Path(__file__).parent / "results" / "toolworld.json"
TASK = "phone_reply_latest_0"
LOGIN = (
    "passwords = {a['account_name']: a['password'] for a in apis.supervisor.show_account_passwords()}\n"
    "token = apis.phone.login(username=apis.supervisor.show_profile()['email'], "
    "password=passwords['phone'])['access_token']"
)
ONE_CALL = "alarms = apis.phone.show_alarms(access_token=token)\nprint(alarms)"
FIRST_STEP = "print(apis.supervisor.show_profile())"  # one API call, no login needed
THINK_S = 0.3
EPISODE_STEPS = 30
SCALING_WORKERS = (1, 2, 4)
LAYOUTS = {"randomized": (), "same_addresses": ("setarch", "-R")}  # the command each layout's process runs under


def load() -> float:
    return round(os.getloadavg()[0], 2)


def summary(values: list[float], digits: int = 2) -> dict[str, Any]:
    return {
        "p50": round(percentile(values, 50), digits),
        "p99": round(percentile(values, 99), digits),
        "n": len(values),
        "load": load(),
    }


def resets(env: ToolWorldEnv, repeats: int, think_s: float) -> tuple[list[float], list[float]]:
    """(reset alone, reset plus the first one-call step), each after an episode that used its worker."""
    alone, with_first = [], []
    for _ in range(repeats):
        env.step(LOGIN)  # the worker has run code: the next reset must swap it
        time.sleep(think_s)
        alone.append(timed_ms(lambda: env.reset(options={"task_id": TASK})))
        with_first.append(alone[-1] + timed_ms(lambda: env.step(FIRST_STEP)))
    return alone, with_first


def after_think(env: ToolWorldEnv, repeats: int, think_s: float) -> tuple[list[float], list[float]]:
    """(one-call steps, bare system calls), each timed right after `think_s` of sleep, alternated: the step an
    LLM policy makes, and what the machine alone costs to wake from the same sleep."""
    logged_in(env)
    steps, system_calls = [], []
    for _ in range(repeats):
        time.sleep(think_s)
        steps.append(timed_ms(lambda: env.step(ONE_CALL)))
        time.sleep(think_s)
        system_calls.append(timed_ms(os.getppid))
    return steps, system_calls


def sandbox_layers(info: dict[str, Any]) -> dict[str, str]:
    """{layer: "on" | "off"} from a reset's info: which layers guarded the workers, so runs on machines with and
    without bubblewrap (bwrap's namespaces) are not compared unawares."""
    return {layer: said.split(":", 1)[0] for layer, said in info["sandbox"].items()}


def logged_in(env: ToolWorldEnv) -> ToolWorldEnv:
    """`env` reset to TASK with the phone login done: where every measured episode starts."""
    env.reset(options={"task_id": TASK})
    env.step(LOGIN)
    return env


def one_call_episode(env: ToolWorldEnv) -> list[float]:
    """The step times of one episode of EPISODE_STEPS one-call steps (after its login step)."""
    logged_in(env)
    return [timed_ms(lambda: env.step(ONE_CALL)) for _ in range(1, EPISODE_STEPS)]


def round_trip_episode(env: ToolWorldEnv) -> list[float]:
    """Worker round trips: steps with no API call, back to back in an episode shaped like one_call_episode's."""
    logged_in(env)
    return [timed_ms(lambda: env.step("x = 1")) for _ in range(1, EPISODE_STEPS)]


def calls_back_to_back(env: ToolWorldEnv) -> list[float]:
    """ONE_CALL's API call served in-process without the worker, back to back."""
    call = served_call(logged_in(env))
    return [timed_ms(call) for _ in range(1, EPISODE_STEPS)]


def calls_after_round_trips(env: ToolWorldEnv) -> list[float]:
    """ONE_CALL's API call served in-process, each right after a worker round trip, as a step serves it
    (with the caches the worker left)."""
    call, times = served_call(logged_in(env)), []
    for _ in range(1, EPISODE_STEPS):
        env.step("x = 1")
        times.append(timed_ms(call))
    return times


MEASURES: dict[str, Callable[[ToolWorldEnv], list[float]]] = {
    "step": one_call_episode,
    "trip": round_trip_episode,
    "direct": calls_back_to_back,
    "after": calls_after_round_trips,
}


def steps_and_floor(env: ToolWorldEnv, rounds: int) -> dict[str, list[float]]:
    """Step times and the floor's parts (trip + direct), measured alternately: each round takes one episode of
    every kind, the first kind shifting round by round, so a change in the machine's load hits them all alike.
    Also steps 1-10 and 21-30 of the one-call episodes, and each round's step p50 over its floor p50."""
    parts: dict[str, list[float]] = {kind: [] for kind in (*MEASURES, "early", "late", "ratio")}
    kinds = list(MEASURES)
    for round_ in range(rounds):
        this_round = {kind: MEASURES[kind](env) for kind in rotated(kinds, round_)}
        for kind, times in this_round.items():
            parts[kind] += times
        parts["early"] += this_round["step"][:10]
        parts["late"] += this_round["step"][20:]
        floor_p50 = percentile(this_round["trip"], 50) + percentile(this_round["direct"], 50)
        parts["ratio"].append(percentile(this_round["step"], 50) / floor_p50)
    return parts


def step_floor_alone(episodes: int) -> dict[str, Any]:
    """Step / floor over `episodes` rounds in a fresh env, and whether its worker's interpreter is mapped where
    this process's is (None: not readable)."""
    env = ToolWorldEnv(split="train", max_steps=EPISODE_STEPS)
    env.reset(options={"task_id": TASK})
    worker = env.worker.proc if env.worker else None
    ours, theirs = interpreter_address(), interpreter_address(worker.pid) if worker else None
    parts = steps_and_floor(env, episodes)
    env.close()
    step, floor = percentile(parts["step"], 50), percentile(parts["trip"], 50) + percentile(parts["direct"], 50)
    return {
        "step_ms": round(step, 3),
        "floor_ms": round(floor, 3),
        "step_x_floor": round(step / floor, 3),
        "per_round_median": round(statistics.median(parts["ratio"]), 3),
        "same_addresses": None if ours is None or theirs is None else ours == theirs,
    }


def layout_runs(pairs: int, episodes: int) -> list[dict[str, Any]]:
    """Rows of step_floor_alone, each in a new process under one of LAYOUTS, the layouts alternated pair by
    pair; a layout that cannot run here (no setarch, randomization not switchable) gives a row naming why."""
    rows: list[dict[str, Any]] = []
    for pair in range(pairs):
        for layout in rotated(list(LAYOUTS), pair):
            prefix = LAYOUTS[layout]
            argv = [*prefix, sys.executable, __file__, "--step-floor-alone", "--layout-episodes", str(episodes)]
            row: dict[str, Any] = {"pair": pair, "layout": layout, "load_before": load()}
            if prefix and shutil.which(prefix[0]) is None:
                row["error"] = f"{prefix[0]} not found"
            else:
                done = subprocess.run(argv, capture_output=True, text=True, timeout=600)
                lines = done.stdout.splitlines()
                if done.returncode == 0 and lines:
                    row.update(json.loads(lines[-1]))
                else:
                    row["error"] = f"exit {done.returncode}: {done.stderr.strip()[-300:]}"
            rows.append({**row, "load": load()})
            print(f"  layout: {rows[-1]}", flush=True)
    return rows


def layout_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per layout: median step, floor and step / floor over its runs, how many ran, and whether every run had
    the layout it was meant to (the worker's interpreter at the env's address exactly under setarch -R)."""
    result: dict[str, Any] = {}
    for layout in LAYOUTS:
        ran = [r for r in rows if r["layout"] == layout and "error" not in r]
        if not ran:
            result[layout] = {"runs": 0, "errors": [r["error"] for r in rows if r["layout"] == layout]}
            continue
        result[layout] = {
            "runs": len(ran),
            **{
                key: round(statistics.median(r[key] for r in ran), 3) for key in ("step_ms", "floor_ms", "step_x_floor")
            },
            "layout_as_meant": all(r["same_addresses"] is (layout == "same_addresses") for r in ran),
        }
    return result


def cpu_s() -> tuple[float, float]:
    """CPU seconds so far of this process, and of its children reaped so far (with what they reaped)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def served_call(env: ToolWorldEnv) -> Callable[[], Any]:
    """ONE_CALL's API call, served in-process without the worker, with the token of the episode's login."""
    token = json.loads(env.steps[0].calls[-1]["reply"][1])["access_token"]  # replies are kept as JSON text
    return lambda: env._serve(["phone", "show_alarms"], [], {"access_token": token})


def instant_policy_rates(rounds: int, seeds: int) -> list[dict[str, Any]]:
    """One row per harness run of the oracle over the dev split, each task once per seed: workers, their
    backend, episodes/s, CPU per episode in the run's process and in its children, and the load during it.
    A run's start and end cost ~0.1 s whatever its length (on the 2-core VM: 1 worker 90.5 episodes/s at
    steady state plus 0.10 s, 2 workers 148 plus 0.11 s, fitted over runs of 69, 276 and 552 episodes), so
    runs must last seconds for the ratio to be the steady state's: 8 seeds give 552 episodes, 4-7 s."""
    list_tasks("dev")  # tasks are built once per process: every run finds them built
    rows = []
    for round_ in range(rounds):
        for workers in rotated(SCALING_WORKERS, round_):
            request = RunRequest(
                env={"name": "toolworld", "id": "trainfree/ToolWorld-v0", "kwargs": {}},
                policy={"name": "oracle", "kind": "oracle"},
                wrappers=(),
                split="dev",
                seeds=tuple(range(seeds)),
                workers=workers,
                workers_backend="auto",  # what users get
                progress=False,
            )
            backend, _ = choose_workers_backend("auto", workers, request.policy, [], model_given=False)
            before, (own_before, children_before) = load(), cpu_s()
            with tempfile.TemporaryDirectory() as run_dir:
                summary = run_evaluation(request, run_dir)
            time.sleep(0.5)  # closed sandboxes are reaped off the run's path
            own, children = cpu_s()
            wall, episodes = summary["run_wall_time_s"], summary["episodes"]
            rows.append(
                {
                    "round": round_,
                    "workers": workers,
                    "backend": backend,
                    "episodes": episodes,
                    "errors": summary["errors"],
                    "wall_s": wall,
                    "episodes_per_s": round(episodes / wall, 2),
                    "cpu_ms_per_episode_run_process": round(1000 * (own - own_before) / episodes, 1),
                    "cpu_ms_per_episode_children": round(1000 * (children - children_before) / episodes, 1),
                    "load_before": before,
                    "load": load(),
                }
            )
            print(f"  scaling: {rows[-1]}", flush=True)
    return rows


def scaling_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per worker count: the backend, median episodes/s and its ratio to one worker's, median CPU per episode."""

    def median(runs: list[dict[str, Any]], key: str) -> float:
        return round(statistics.median(r[key] for r in runs), 2)

    groups = {group["workers"]: group for group in rate_groups(rows, ("workers",))}
    return {
        str(w): {
            "backend": groups[w]["rows"][0]["backend"],
            "episodes_per_s_median": round(groups[w]["median"], 2),
            "x_one_worker": groups[w]["x_one_worker"],
            "cpu_ms_per_episode_run_process": median(groups[w]["rows"], "cpu_ms_per_episode_run_process"),
            "cpu_ms_per_episode_children": median(groups[w]["rows"], "cpu_ms_per_episode_children"),
        }
        for w in SCALING_WORKERS
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=100)
    parser.add_argument(
        "--episodes", type=int, default=20, help="rounds of one-call steps and floor (one episode of each kind)"
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the 1/2/4-worker scaling runs")
    parser.add_argument(
        "--seeds", type=int, default=8, help="episodes of each dev task per scaling run (8: 552 episodes, 4-7 s)"
    )
    parser.add_argument("--layout-pairs", type=int, default=6, help="alternated pairs of address-layout runs")
    parser.add_argument("--layout-episodes", type=int, default=12, help="rounds of step and floor per layout run")
    parser.add_argument("--scaling-only", action="store_true", help="only the scaling runs, printed, not saved")
    parser.add_argument("--step-floor-alone", action="store_true", help=argparse.SUPPRESS)  # one layout run's child
    args = parser.parse_args()
    if args.step_floor_alone:
        print(json.dumps(step_floor_alone(args.layout_episodes)))
        return
    if args.scaling_only:
        print_rows(scaling_rows(instant_policy_rates(args.rounds, args.seeds)))
        return

    generate_ms = timed_ms(lambda: generate(12345))
    template_bytes(0)
    env = ToolWorldEnv(split="train", max_steps=EPISODE_STEPS + args.repeats + 5)
    sandbox = sandbox_layers(env.reset(options={"task_id": TASK})[1])

    back_to_back, first_back_to_back = resets(env, args.repeats, 0.0)
    reset_row, first_row = summary(back_to_back), summary(first_back_to_back)
    thought, first_thought = resets(env, max(5, args.repeats // 4), THINK_S)
    thought_row, first_thought_row = summary(thought), summary(first_thought)
    parts = steps_and_floor(env, args.episodes)
    step_row, early_row, late_row = summary(parts["step"]), summary(parts["early"]), summary(parts["late"])
    trip_p50 = percentile(parts["trip"], 50)
    floor_ms = trip_p50 + percentile(parts["direct"], 50)
    floor_row = {
        "worker_round_trip": summary(parts["trip"], 3),
        "api_call_in_process": summary(parts["direct"], 3),
        "api_call_in_process_after_a_round_trip": summary(parts["after"], 3),
    }
    ratios = parts["ratio"]
    step_x_floor = {
        "all_rounds": round(step_row["p50"] / floor_ms, 2),
        "per_round_median": round(statistics.median(ratios), 2),
        "per_round_min": round(min(ratios), 2),
        "per_round_max": round(max(ratios), 2),
        "rounds_within_2x": sum(r <= 2 for r in ratios),
        "rounds": len(ratios),
        # the same step over the floor whose call is timed as a step serves it: right after a worker round trip
        "call_after_a_round_trip": round(step_row["p50"] / (trip_p50 + percentile(parts["after"], 50)), 2),
    }

    layouts = layout_runs(args.layout_pairs, args.layout_episodes)

    no_spare = ToolWorldEnv(split="train", max_steps=EPISODE_STEPS, spare_worker=False)
    no_spare_row = summary([t for _ in range(max(1, args.episodes // 2)) for t in one_call_episode(no_spare)])
    no_spare.close()
    thought_steps, thought_system_calls = after_think(env, max(5, args.repeats // 4), THINK_S)

    env.reset(options={"task_id": TASK})
    for code in (LOGIN, ONE_CALL, "n = len(alarms)"):
        env.step(code)
    snapshot_sizes: list[int] = []
    snapshots = [timed_ms(lambda: snapshot_sizes.append(len(pickle.dumps(env.get_state())))) for _ in range(50)]
    state = env.get_state()
    restores = []
    for _ in range(30):  # with think time between restores (as an LLM call gives), the spare worker is booted
        time.sleep(THINK_S)
        restores.append(timed_ms(lambda: env.set_state(state)))
    restore_row = summary(restores)

    tasks = list_tasks("test_normal")
    episodes = []
    for task in tasks:

        def oracle_episode(task_id: str = task.task_id) -> None:
            env.reset(options={"task_id": task_id})
            for action in env.oracle_actions():
                env.step(action)

        episodes.append(timed_ms(oracle_episode))
    oracle_row = summary(episodes, 1)
    env.close()

    base = rss_kib()
    pool = [ToolWorldEnv(split="train") for _ in range(8)]
    for e in pool:
        e.reset(options={"task_id": TASK})
        e.step("x = 1")
    memory = {
        "env_process": round((rss_kib() - base) / len(pool)),
        "worker_process": round(statistics.mean(tree_rss_kib(e.worker.proc.pid) for e in pool if e.worker)),
        "spare_worker_process": round(
            statistics.mean(tree_rss_kib(e.worker._spare.pid) for e in pool if e.worker and e.worker._spare)
        ),
        # the sandbox tree (bwrap, fork server, its two workers); RSS counts the pages they share once in each
        "fork_server_tree": round(
            statistics.mean(tree_rss_kib(e.worker._server.proc.pid) for e in pool if e.worker and e.worker._server)
        ),
    }
    for e in pool:
        e.close()
    scaling = instant_policy_rates(args.rounds, args.seeds)

    results = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "sandbox": sandbox,
        "world_generation_ms": round(generate_ms, 1),
        "world_db_kib": len(template_bytes(0)) // 1024,
        "reset_ms": reset_row,
        "reset_then_first_step_ms": first_row,
        "reset_after_think_ms": thought_row,
        "reset_after_think_then_first_step_ms": first_thought_row,
        "one_call_step_ms": step_row,
        "one_call_step_ms_steps_1_10": early_row,
        "one_call_step_ms_steps_21_30": late_row,
        "one_call_step_ms_spare_worker_off": no_spare_row,
        "one_call_step_after_think_ms": summary(thought_steps),
        "system_call_after_think_ms": summary(thought_system_calls, 3),
        "floor_ms": {"p50": round(floor_ms, 3), **floor_row},
        "step_x_floor": step_x_floor,
        "step_x_floor_by_address_layout": {"summary": layout_summary(layouts), "runs": layouts},
        "get_state_ms": {**summary(snapshots), "pickled_kib": snapshot_sizes[0] // 1024},
        "set_state_after_3_steps_ms": restore_row,
        "oracle_episode_test_normal_ms": oracle_row,
        "memory_per_env_kib": memory,
        "instant_policy_scaling": {"summary": scaling_summary(scaling), "runs": scaling},
        "targets": {"reset_p50_ms": 50, "one_call_step_p50_ms": 5, "step_x_floor": 2, "two_workers_x_one": 1.6},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    print(f"saved {RESULTS}")


def print_table(r: dict[str, Any]) -> None:
    def row(name: str, key: str, note: str = "") -> tuple[str, str, str, str]:
        s = r[key]
        return name, f"p50 {s['p50']} ms", f"p99 {s['p99']} ms (n={s['n']}) {note}", f"load {s['load']}"

    rows = [
        ("sandbox layers", ", ".join(f"{layer}={state}" for layer, state in r["sandbox"].items()), "", ""),
        ("world generation (cold)", f"{r['world_generation_ms']} ms", f"{r['world_db_kib']} KiB DB", ""),
        row("reset, worker swapped, back to back", "reset_ms", "target p50 < 50"),
        row("  + first one-call step", "reset_then_first_step_ms"),
        row(f"reset after {THINK_S} s think time", "reset_after_think_ms"),
        row("  + first one-call step", "reset_after_think_then_first_step_ms"),
        row(f"one-call step, {EPISODE_STEPS}-step episodes", "one_call_step_ms", "target p50 < 5"),
        row("  steps 1-10", "one_call_step_ms_steps_1_10"),
        row("  steps 21-30", "one_call_step_ms_steps_21_30"),
        row("  with spare_worker=False", "one_call_step_ms_spare_worker_off"),
        row(f"  after {THINK_S} s think time", "one_call_step_after_think_ms"),
        row(f"a bare system call after {THINK_S} s think time", "system_call_after_think_ms", "(getppid)"),
        (
            "floor: round trip + in-process call",
            f"p50 {r['floor_ms']['p50']} ms",
            f"{r['floor_ms']['worker_round_trip']['p50']} + {r['floor_ms']['api_call_in_process']['p50']} ms "
            f"(right after a round trip: {r['floor_ms']['api_call_in_process_after_a_round_trip']['p50']} ms); "
            f"step / floor {r['step_x_floor']['all_rounds']:.2f} (per round: median "
            f"{r['step_x_floor']['per_round_median']:.2f}, {r['step_x_floor']['per_round_min']:.2f}-"
            f"{r['step_x_floor']['per_round_max']:.2f}; {r['step_x_floor']['rounds_within_2x']}/"
            f"{r['step_x_floor']['rounds']} rounds <= 2), target <= 2; with the call timed after a round trip "
            f"{r['step_x_floor']['call_after_a_round_trip']:.2f}",
            f"load {r['floor_ms']['worker_round_trip']['load']}",
        ),
        layout_row(r["step_x_floor_by_address_layout"]),
        row("get_state (pickled)", "get_state_ms", f"{r['get_state_ms']['pickled_kib']} KiB"),
        row("set_state, 3 steps replayed", "set_state_after_3_steps_ms"),
        row("oracle episode (test_normal)", "oracle_episode_test_normal_ms"),
        (
            "memory per env",
            f"{r['memory_per_env_kib']['env_process']} KiB in process",
            f"+ {r['memory_per_env_kib']['worker_process']} KiB worker "
            f"+ {r['memory_per_env_kib']['spare_worker_process']} KiB spare worker RSS "
            f"(sandbox tree {r['memory_per_env_kib']['fork_server_tree']} KiB)",
            "",
        ),
    ]
    print_rows(rows + scaling_rows(r["instant_policy_scaling"]["runs"]))


def layout_row(layouts: dict[str, Any]) -> tuple[str, str, str, str]:
    def said(layout: str) -> str:
        figures = layouts["summary"][layout]
        if not figures["runs"]:
            return f"{layout}: none ran ({'; '.join(figures['errors'])[:200] or 'no runs asked for'})"
        meant = "" if figures["layout_as_meant"] else ", NOT ALL WITH THE LAYOUT MEANT"
        return (
            f"{layout} {figures['step_x_floor']:.2f} (step {figures['step_ms']} / floor {figures['floor_ms']} ms, "
            f"{figures['runs']} runs{meant})"
        )

    loads = [run["load"] for run in layouts["runs"]]
    spread = f"{min(loads)}-{max(loads)}" if loads else "-"
    return "step / floor by address layout", said("randomized"), said("same_addresses"), f"load {spread}"


def scaling_rows(runs: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    rows = []
    for workers, figures in scaling_summary(runs).items():
        loads = [run["load"] for run in runs if str(run["workers"]) == workers]
        rows.append(
            (
                f"oracle episodes/s, {workers} worker(s), {figures['backend']}",
                f"median {figures['episodes_per_s_median']}",
                f"{figures['x_one_worker']}x one worker (n={len(loads)}){' target >= 1.6' if workers == '2' else ''}; "
                f"CPU/episode {figures['cpu_ms_per_episode_run_process']} ms run process "
                f"+ {figures['cpu_ms_per_episode_children']} ms children",
                f"load {min(loads)}-{max(loads)}",
            )
        )
    return rows


def print_rows(rows: list[tuple[str, str, str, str]]) -> None:
    widths = [max(len(x[i]) for x in rows) for i in range(3)]
    for name, a, b, c in rows:
        print(f"{name:<{widths[0]}}  {a:<{widths[1]}}  {b:<{widths[2]}}  {c}")


if __name__ == "__main__":
    main()
