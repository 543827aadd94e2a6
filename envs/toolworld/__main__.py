"""ToolWorld command line.

python -m envs.toolworld docs                  rewrite the README's API table from the declarations
python -m envs.toolworld tasks --split dev     list a split's tasks (id, difficulty, apps)
python -m envs.toolworld show TASK_ID [--world N]   a task's instruction, tests and oracle solution
python -m envs.toolworld solve TASK_ID [--world N]  play the oracle, print reward and evaluation (exit 1 unless 1)
python -m envs.toolworld figures [--write] [SCENARIO...]  play the oracles, print their figures (and store them)
python -m envs.toolworld graders [TASK_ID...]  mutate each oracle's end state: list what the graders let through
python -m envs.toolworld variants --first 3 --last 11 [--world N] [--no-graders] [SCENARIO...]  sweep variants
    beyond the listed ones, or the listed ones of another world
"""

from __future__ import annotations

import argparse
import json
import sys

from envs.toolworld.docs import README, rewrite_readme
from envs.toolworld.figures import FIGURES_PATH, stored, summarize
from envs.toolworld.figures import write as store
from envs.toolworld.tasks import SPLITS, all_scenarios, load_task, task_metas


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m envs.toolworld", description="ToolWorld tools")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("docs", help="rewrite the README's API table")
    tasks = sub.add_parser("tasks", help="list the tasks of a split")
    tasks.add_argument("--split", choices=SPLITS, default="dev")
    tasks.add_argument("--variants", type=int, default=3)
    for name in ("show", "solve"):
        one = sub.add_parser(name, help=f"{name} one task")
        one.add_argument("task_id")
        one.add_argument("--world", type=int, default=0, help="the world's seed")
    figures = sub.add_parser("figures", help="measure every oracle (difficulty and the task table come from this)")
    figures.add_argument("--write", action="store_true", help=f"store them in {FIGURES_PATH.name}")
    figures.add_argument("scenarios", nargs="*", help="only these scenarios, each task's figures printed")
    graders = sub.add_parser("graders", help="check that every task's graders catch every mutant of its end state")
    graders.add_argument("task_ids", nargs="*", help="default: variant 0 of every scenario")
    variants = sub.add_parser("variants", help="build, solve, do nothing on and grader-check a range of variants")
    variants.add_argument("--first", type=int, default=3)
    variants.add_argument("--last", type=int, default=11)
    variants.add_argument("--world", type=int, default=0, help="the world's seed (tasks are listed for world 0)")
    variants.add_argument("--no-graders", action="store_true", help="skip the grader check (most of the time)")
    variants.add_argument("scenarios", nargs="*", help="default: every template")
    args = parser.parse_args(argv)

    if args.command == "docs":
        print(f"{README}: API table {'updated' if rewrite_readme() else 'already current'}")
    elif args.command == "figures":
        return _figures(args.write, args.scenarios)
    elif args.command == "graders":
        return _graders(args.task_ids or [f"{name}_0" for name in all_scenarios()])
    elif args.command == "variants":
        return _variants(
            args.first, args.last, not args.no_graders, args.scenarios or list(all_scenarios()), args.world
        )
    elif args.command == "tasks":
        scenarios = all_scenarios()
        for meta in task_metas(args.split, args.variants):
            print(
                f"{meta['task_id']:<48} difficulty {meta['difficulty']}  apps "
                f"{','.join(scenarios[meta['scenario']].apps)}"
            )
    elif args.command == "show":
        task = load_task(args.task_id, args.world)
        print(f"{task.task_id} [{task.split}, difficulty {task.difficulty}, apps {', '.join(task.apps)}]")
        if task.fallbacks:
            print(f"world {args.world} fell back to shallower settings than world 0's: {', '.join(task.fallbacks)}")
        print(f"\n{task.spec.instruction}\n\nTests:")
        for expectation in task.spec.expectations:
            print(f"- {expectation.requirement}")
        oracle = (
            task.spec.oracle if isinstance(task.spec.oracle, str) else "\n# --- next step ---\n".join(task.spec.oracle)
        )
        print(f"\nOracle solution:\n{oracle}")
    else:
        from envs.toolworld.env import ToolWorldEnv

        env = ToolWorldEnv(split=load_task(args.task_id, args.world).split, world_seed=args.world)
        try:
            env.reset(options={"task_id": args.task_id})
            info: dict = {}
            reward = 0.0
            for action in env.oracle_actions():
                _, reward, _, _, info = env.step(action)
            print(json.dumps({"reward": reward, **info.get("evaluation", info)}, indent=2, default=str))
        finally:
            env.close()
        return 0 if reward == 1.0 else 1
    return 0


def _figures(write: bool, scenarios: list[str]) -> int:
    from envs.toolworld.measure import measure_all

    unknown = sorted(set(scenarios) - set(all_scenarios()))
    if unknown:
        print(f"unknown scenarios: {unknown}", file=sys.stderr)
        return 2
    found, failures = measure_all(scenarios=scenarios)
    if scenarios:
        for task_id, figures in found.items():
            print(task_id, f"difficulty {figures.difficulty}", json.dumps(figures.as_json()))
        print("these tasks", json.dumps(summarize(found.values())))
    else:
        for split in SPLITS:
            ids = {m["task_id"] for m in task_metas(split)}
            print(split, json.dumps(summarize(f for tid, f in found.items() if tid in ids)))
    for task_id, why in failures.items():
        print(f"oracle of {task_id} did not succeed: {why}", file=sys.stderr)
    if failures:
        return 1
    if write:
        stored.cache_clear()  # the file as it is now: others may have merged theirs meanwhile
        kept = {tid: f for tid, f in stored().items() if tid.rsplit("_", 1)[0] in all_scenarios()} if scenarios else {}
        store({**kept, **found}, world_seed=0)
        print(f"wrote {FIGURES_PATH}")
    return 0


def _graders(task_ids: list[str]) -> int:
    from envs.toolworld.env import ToolWorldEnv
    from envs.toolworld.grader_check import check_task

    env = ToolWorldEnv(split="train", max_steps=100)
    weak = 0
    try:
        for task_id in task_ids:
            missed = [v.mutant for v in check_task(env, task_id) if not v.holds]
            weak += bool(missed)
            wrong = f"{len(missed)} let through (or failed, where marked 'must pass'): {missed}"
            print(f"{task_id}: " + ("every mutant caught" if not missed else wrong))
    finally:
        env.close()
    print(f"{weak} of {len(task_ids)} tasks have graders that let a mutant through or require an order not asked")
    return 1 if weak else 0


def _variants(first: int, last: int, graders: bool, scenarios: list[str], world: int) -> int:
    from envs.toolworld.env import ToolWorldEnv
    from envs.toolworld.variant_sweep import FAILURE_KINDS, sweep

    env = ToolWorldEnv(split="train", max_steps=100, world_seed=world)
    try:
        found = sweep(env, (f"{s}_{v}" for s in scenarios for v in range(first, last + 1)), graders)
    finally:
        env.close()
    shallower = 0
    for task_id, problems in found.items():
        for kind, why in problems:
            print(f"{task_id}: {kind}: {why}")
        built = not any(kind in ("refused", "build crashed") for kind, _ in problems)
        fallbacks = load_task(task_id, world).fallbacks if built else ()
        if fallbacks:
            shallower += 1
            print(f"{task_id}: fell back: {', '.join(fallbacks)}")
    counts = {kind: sum(any(k == kind for k, _ in p) for p in found.values()) for kind in (*FAILURE_KINDS, "refused")}
    print(f"{len(found)} tasks: {json.dumps({**counts, 'fell back': shallower})}")
    return 1 if any(counts[kind] for kind in FAILURE_KINDS) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
