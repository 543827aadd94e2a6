"""Offline comparison of selection strategies: regret curves and a table, no model calls.

    python -m policies.selection.simulate synthetic --means 0.2 0.4 0.6 --horizon 2000 --seeds 20
    python -m policies.selection.simulate synthetic --means 0.3 0.6 0.8 --drift-at 1000 \\
        --drift-means 0.3 0.6 0.1 --drift window
    python -m policies.selection.simulate synthetic --means 0.3 0.5 0.6 --gaussian-sigma 0.2
    python -m policies.selection.simulate replay multirun/toolworld/2026-11-25_12-00-00 --horizon 500
    python -m policies.selection.simulate replay multirun/toolworld/2026-11-25_12-00-00 --validation-fraction 0.2
    python -m policies.selection.simulate replay multirun/toolworld/2026-11-25_12-00-00 --order finish \\
        --arms none summarize summarize+correct --drift window

Strategies come from conf/selector/*.yaml (the same hyperparameters the
harness runs; `--strategies` picks some, `--drift` overrides their detector).
Each strategy plays every seed against the same reward stream seed. Regret is
expected regret: against the best arm at each round for synthetic arms, and
against the best stack in hindsight (best mean over all tasks) for a shuffled
replay, and against the locally best stack for a time-ordered one.
Rewards can arrive `--delay` rounds late, as with parallel episodes.

A replay's arms keep a declared order (naive deploys the last, the newest):
`--arms`, else the strategies' yaml `arms` (the order the online session
uses), restricted to the stacks of the log only when neither is given.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from policies.selection.base import Context, Selector
from policies.selection.factory import (
    NO_SELECTION,
    PAPER_STRATEGIES,
    STRATEGIES,
    Arm,
    make_selector,
    parse_arms,
    to_plain,
)
from policies.selection.sources import BernoulliArms, GaussianArms, OrderedReplay, RewardSource
from policies.selection.sweep_log import FINISH_ORDER, load_sweep

# harness/conf: the repository's conf/ in a checkout, the packaged configs when installed (a path, not an import)
CONF_DIR = Path(__file__).resolve().parents[2] / "harness" / "conf" / "selector"
DEFAULT_HORIZON = 1000


@dataclass
class Trace:
    arms: np.ndarray  # arm played per round
    rewards: np.ndarray
    regret: np.ndarray  # expected regret per round
    best: np.ndarray  # the arm regret is measured against, per round
    drift_rounds: list[int]

    @property
    def best_share(self) -> float:
        return float(np.mean(self.arms == self.best))


def run_selector(selector: Selector, source: RewardSource, horizon: int, seed: int, delay: int = 0) -> Trace:
    """Play `horizon` rounds; the reward of round t reaches the selector `delay` rounds later."""
    if selector.n_arms != source.n_arms:
        raise ValueError(f"selector has {selector.n_arms} arms, the reward source {source.n_arms}")
    rng = np.random.default_rng(seed)
    source.start(rng)
    arms = np.empty(horizon, dtype=np.int64)
    rewards = np.empty(horizon)
    regret = np.empty(horizon)
    best = np.empty(horizon, dtype=np.int64)
    pending: deque[tuple[int, float, Context | None]] = deque()
    for t in range(horizon):
        context = source.context(t)
        arm = selector.select(context)
        expected = source.expected(t)
        arms[t], best[t] = arm, source.best(t)
        rewards[t] = source.reward(arm, t, rng)
        regret[t] = expected[best[t]] - expected[arm]
        pending.append((arm, rewards[t], context))
        while len(pending) > delay:
            selector.update(*pending.popleft())
    return Trace(arms, rewards, regret, best, [e["round"] for e in selector.drift_events])


def strategy_configs(names: Sequence[str] | None = None, conf_dir: Path = CONF_DIR) -> dict[str, dict[str, Any]]:
    """Strategy name -> config, from conf/selector/<name>.yaml when present, else the code's defaults.

    The configs' `arms` are left out (the reward source sets the arms; see `configured_arms`)."""
    configs = _load_configs(names, conf_dir)
    for cfg in configs.values():
        cfg.pop("arms", None)
    return configs


def configured_arms(names: Sequence[str] | None = None, conf_dir: Path = CONF_DIR) -> list[Arm] | None:
    """The arms the strategies' yaml files declare, in their order (None when none declares any)."""
    configs = _load_configs(names, conf_dir)
    declared = {name: parse_arms(cfg["arms"]) for name, cfg in configs.items() if cfg.get("arms")}
    distinct = {tuple(arms) for arms in declared.values()}
    if len(distinct) > 1:
        raise ValueError(f"the strategies declare different arms {declared}; give the replay's arms with --arms")
    return list(distinct.pop()) if distinct else None


def _load_configs(names: Sequence[str] | None, conf_dir: Path) -> dict[str, dict[str, Any]]:
    from omegaconf import OmegaConf

    configs = {}
    for name in names or list(PAPER_STRATEGIES):
        path = conf_dir / f"{name}.yaml"
        cfg = to_plain(OmegaConf.load(path)) if path.is_file() else {"name": name}
        if cfg.get("name", NO_SELECTION) == NO_SELECTION:
            continue
        if cfg["name"] not in STRATEGIES:
            raise ValueError(f"unknown strategy {cfg['name']!r}; known: {list(STRATEGIES)}")
        configs[name] = cfg
    return configs


def simulate(
    configs: Mapping[str, Mapping[str, Any]],
    source: RewardSource,
    horizon: int,
    seeds: Sequence[int],
    delay: int = 0,
    drift: Any = None,
) -> dict[str, list[Trace]]:
    """Every strategy on every seed. `drift`, when given, replaces each config's drift setting."""
    results = {}
    for label, cfg in configs.items():
        traces = []
        for seed in seeds:
            run_cfg = {**cfg, "n_arms": source.n_arms, "seed": int(seed)}
            if drift is not None:
                run_cfg["drift"] = drift
            selector = make_selector(run_cfg)
            if selector is None:
                raise ValueError(f"strategy {label!r} selects nothing (name: {NO_SELECTION}); nothing to simulate")
            traces.append(run_selector(selector, source, horizon, int(seed), delay))
        results[label] = traces
    return results


def _mean_se(values: Sequence[float]) -> tuple[float, float]:
    array = np.asarray(values, dtype=float)
    se = float(array.std(ddof=1) / np.sqrt(len(array))) if len(array) > 1 else 0.0
    return float(array.mean()), se


def table(results: Mapping[str, list[Trace]]) -> list[dict[str, Any]]:
    """One row per strategy: mean and standard error over seeds."""
    rows = []
    for label, traces in results.items():
        row: dict[str, Any] = {"strategy": label, "seeds": len(traces)}
        for key, values in (
            ("cumulative_reward", [t.rewards.sum() for t in traces]),
            ("regret", [t.regret.sum() for t in traces]),
            ("best_arm_share", [t.best_share for t in traces]),
            ("drift_alarms", [len(t.drift_rounds) for t in traces]),
        ):
            row[key], row[key + "_se"] = _mean_se(values)
        rows.append(row)
    return rows


def format_table(rows: Sequence[Mapping[str, Any]]) -> str:
    lines = ["| strategy | cumulative reward | regret | best-arm share | drift alarms |", "|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['strategy']} | {r['cumulative_reward']:.1f} ± {r['cumulative_reward_se']:.1f} "
            f"| {r['regret']:.1f} ± {r['regret_se']:.1f} "
            f"| {r['best_arm_share']:.3f} ± {r['best_arm_share_se']:.3f} "
            f"| {r['drift_alarms']:.2f} ± {r['drift_alarms_se']:.2f} |"
        )
    return "\n".join(lines)


def plot_regret(results: Mapping[str, list[Trace]], path: Path, title: str, drift_at: int | None = None) -> None:
    """Cumulative regret per strategy: mean over seeds with a +-1 SE band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for label, traces in results.items():
        curves = np.cumsum(np.stack([t.regret for t in traces]), axis=1)
        mean = curves.mean(axis=0)
        se = curves.std(axis=0, ddof=1) / np.sqrt(len(traces)) if len(traces) > 1 else np.zeros_like(mean)
        rounds = np.arange(1, len(mean) + 1)
        ax.plot(rounds, mean, label=label)
        ax.fill_between(rounds, mean - se, mean + se, alpha=0.2)
    if drift_at is not None:
        ax.axvline(drift_at, color="grey", linestyle="--", linewidth=1, label="drift")
    ax.set_xlabel("round (episode)")
    ax.set_ylabel("cumulative expected regret")
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m policies.selection.simulate", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="source", required=True)
    synthetic = sub.add_parser("synthetic", help="Bernoulli (default) or clipped-Gaussian arms, optionally drifting")
    synthetic.add_argument("--means", type=float, nargs="+", required=True, help="mean reward of each arm, in [0, 1]")
    synthetic.add_argument("--gaussian-sigma", type=float, default=None, help="Gaussian rewards with this sigma")
    synthetic.add_argument("--drift-at", type=int, default=None, help="round at which the means change")
    synthetic.add_argument("--drift-means", type=float, nargs="+", default=None, help="means after the drift")
    replay = sub.add_parser("replay", help="replay the logged per-task rewards of a sweep's run dirs")
    replay.add_argument("runs", nargs="+", help="run or sweep directories holding results.jsonl files")
    replay.add_argument(
        "--validation-fraction",
        type=float,
        default=0.0,
        help="hold out this share of the tasks (of the first rounds with --order): validation-based selection "
        "picks its arm from their scores, and every strategy replays only the rest",
    )
    replay.add_argument(
        "--order",
        default=None,
        help=f"replay in logged time order instead of shuffled tasks: '{FINISH_ORDER}' (the episodes' finish "
        "order) or a record field to sort each stack's episodes by; the horizon is then at most the "
        "shortest stack's episodes",
    )
    replay.add_argument(
        "--arms",
        nargs="+",
        default=None,
        help="the stacks to replay, oldest release first (labels as printed: none, summarize+correct); "
        "default: the strategies' yaml arms",
    )
    replay.add_argument("--smooth", type=int, default=50, help="episodes per local mean in an ordered replay")
    for p in (synthetic, replay):
        p.add_argument(
            "--strategies",
            nargs="+",
            default=None,
            help=f"default: the paper's {list(PAPER_STRATEGIES)}; any of {list(STRATEGIES)}",
        )
        p.add_argument(
            "--horizon",
            type=int,
            default=None,
            help="rounds (episodes) per simulated run (default 1000; an ordered replay: all its rounds)",
        )
        p.add_argument("--seeds", type=int, default=10, help="independent runs per strategy (seeds 0..N-1)")
        p.add_argument("--delay", type=int, default=0, help="rounds before a reward reaches the selector")
        p.add_argument(
            "--drift",
            choices=["none", "window", "page_hinkley"],
            default=None,
            help="drift detector for every strategy (default: each config's own)",
        )
        p.add_argument("--conf-dir", type=Path, default=CONF_DIR, help="where the selector yaml files are")
        p.add_argument("--out", type=Path, default=Path("selection_sim"), help="output directory")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if (args.horizon is not None and args.horizon < 1) or args.seeds < 1 or args.delay < 0:
        raise SystemExit("error: --horizon and --seeds must be >= 1 and --delay >= 0")
    drift_at = None
    source: RewardSource
    try:
        configs = strategy_configs(args.strategies, args.conf_dir)
        if args.source == "synthetic":
            kind = GaussianArms if args.gaussian_sigma is not None else BernoulliArms
            extra = {"sigma": args.gaussian_sigma} if args.gaussian_sigma is not None else {}
            source = kind(args.means, args.drift_at, args.drift_means, **extra)
            drift_at = args.drift_at
            title = f"{'Gaussian' if extra else 'Bernoulli'} arms {args.means}" + (
                f" -> {args.drift_means} at {args.drift_at}" if drift_at is not None else ""
            )
        else:
            arms = _arms_from_labels(args.arms) if args.arms else configured_arms(args.strategies, args.conf_dir)
            log = load_sweep(args.runs, arms, args.order, args.smooth)
            replay = log.arms
            means = zip(replay.labels, replay.arm_means(), strict=True)
            shape = (
                f"{replay.length} rounds in {args.order} order"
                if isinstance(replay, OrderedReplay)
                else f"{len(replay.tasks)} tasks"
            )
            print(
                f"replaying {log.episodes} episodes: {shape} x {replay.n_arms} stacks "
                f"({', '.join(f'{label}={mean:.3f}' for label, mean in means)}); "
                f"skipped {log.skipped or 'nothing'}; tasks not run by every stack: {len(log.dropped_tasks)}"
                + (f"; stacks not among the arms: {log.dropped_stacks}" if log.dropped_stacks else "")
                + (f"; episodes past the shortest stack's log: {log.cut_episodes}" if log.cut_episodes else "")
            )
            if args.validation_fraction:
                before = replay.length if isinstance(replay, OrderedReplay) else len(replay.tasks)
                scores, replay = replay.hold_out(args.validation_fraction)
                for cfg in configs.values():
                    if cfg["name"] == "validation":
                        cfg["scores"] = scores
                held_out = zip(replay.labels, scores, strict=True)
                held = (
                    f"the first {before - replay.length} rounds"
                    if isinstance(replay, OrderedReplay)
                    else f"{before - len(replay.tasks)} held-out tasks"
                )
                print(f"validation scores on {held}: {', '.join(f'{lbl}={score:.3f}' for lbl, score in held_out)}")
            if isinstance(replay, OrderedReplay):
                args.horizon = args.horizon or replay.length
                if args.horizon > replay.length:
                    raise ValueError(f"--horizon {args.horizon} is past the ordered replay's {replay.length} rounds")
                title = f"replay of {replay.length} rounds in {args.order} order x {replay.n_arms} stacks"
            else:
                title = f"replay of {len(replay.tasks)} tasks x {replay.n_arms} stacks"
            source = replay
        args.horizon = args.horizon or DEFAULT_HORIZON
        results = simulate(configs, source, args.horizon, range(args.seeds), args.delay, args.drift)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    rows = table(results)
    text = format_table(rows)
    print(f"{title}, horizon {args.horizon}, {args.seeds} seeds, delay {args.delay} (mean ± SE over seeds)")
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    plot_regret(results, args.out / "regret.png", title, drift_at)
    (args.out / "table.md").write_text(text + "\n")
    settings = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    (args.out / "table.json").write_text(
        json.dumps({"settings": settings, "arms": source.labels, "rows": rows}, indent=2)
    )
    print(f"wrote {args.out / 'regret.png'}, {args.out / 'table.md'}, {args.out / 'table.json'}")
    return 0


def _arms_from_labels(labels: Sequence[str]) -> list[Arm]:
    """Stack labels as printed ("none", "summarize+correct") -> arms."""
    return [() if label == "none" else tuple(label.split("+")) for label in labels]


if __name__ == "__main__":
    sys.exit(main())
