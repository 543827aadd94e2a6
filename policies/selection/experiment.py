"""The model-deployment experiment of arXiv 2503.22595 on data that ships with scikit-learn.

    python -m policies.selection.experiment          # ~1 min: 2 data sets x 3 drifts x 6 strategies x 2, 10 seeds
    python -m policies.selection.experiment --quick  # a few seconds: the same, shorter and on fewer seeds
    python -m policies.selection.experiment --seeds 20 --horizon 4000 --out my_run

Five models are released in turn on a data set (experiment_data.py: digits
and wine, the split, the models, the drifts); a stream of real examples
arrives, the deployed model answers each, a right answer earns 1. Halfway
through, the stream drifts (covariate shift, label shift, or the newest model
degrades). The six strategies (conf/selector/*.yaml) run on the same streams,
each with its configured drift detector and without one (`drift: none`);
validation-based selection deploys the best model on the validation split.

Per strategy, over seeds (mean ± SE):
- regret: expected reward of the best model of the phase minus that of the
  deployed one, summed over rounds (exact accuracies, not estimates);
- best-model share: rounds on the best model of the phase;
- rounds to roll back: when a strategy served one model in most of the 50
  rounds before the drift and that model lost accuracy at it (by 0.05 or
  more), the rounds from the drift until that model serves under half of a
  20-round window; shown as mean (seeds that rolled back / seeds on a dropped
  model), "never" when none did by the end, "-" when no seed was on one.

Prints the tables and saves them (table.md), every number (results.json) and
cumulative-regret plots per data set (regret_<data set>.png) to `--out`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from policies.selection.experiment_data import DATASETS, MODELS, SCENARIOS, deploy
from policies.selection.factory import PAPER_STRATEGIES
from policies.selection.simulate import CONF_DIR, Trace, simulate, strategy_configs
from policies.selection.stream import ClassifierStream

BEFORE_WINDOW = 50  # rounds before the drift that say which model a strategy was serving
ROLLBACK_WINDOW = 20  # a model is rolled back once it serves under half of this many rounds
MIN_DROP = 0.05  # an accuracy loss at the drift smaller than this is not a drop
DEFAULT = {"horizon": 2000, "seeds": 10}
QUICK = {"horizon": 400, "seeds": 2}


@dataclass
class Cell:
    """One strategy, with or without drift detection, on one data set's stream with one drift."""

    dataset: str
    scenario: str
    strategy: str
    detection: bool
    traces: list[Trace]
    stream: ClassifierStream


def rollback_rounds(trace: Trace, stream: ClassifierStream) -> tuple[bool, int | None]:
    """(was the strategy serving a model that dropped at the drift, rounds until it stopped: None = never)."""
    drift_at = stream.drift_at
    before = trace.arms[max(0, drift_at - BEFORE_WINDOW) : drift_at]
    if len(before) == 0:
        return False, None
    counts = np.bincount(before, minlength=stream.n_arms)
    served = int(counts.argmax())
    if counts[served] < len(before) / 2 or stream.before.accuracy[served] - stream.after.accuracy[served] < MIN_DROP:
        return False, None  # it was not serving one model, or the one it served did not drop
    on_it = (trace.arms[drift_at:] == served).astype(float)
    for k in range(len(on_it) - ROLLBACK_WINDOW + 1):
        if on_it[k : k + ROLLBACK_WINDOW].mean() < 0.5:
            return True, k
    return True, None


def run_experiment(
    datasets: Sequence[str],
    scenarios: Sequence[str],
    strategies: Sequence[str] | None,
    horizon: int,
    drift_at: int,
    seeds: Sequence[int],
    conf_dir: Path = CONF_DIR,
) -> list[Cell]:
    """Every strategy, with and without drift detection, on every data set and drift."""
    cells = []
    base_configs = strategy_configs(strategies, conf_dir)
    for name in datasets:
        deployment = deploy(name)
        for scenario in scenarios:
            stream = deployment.stream(scenario, drift_at)
            configs = {label: dict(cfg) for label, cfg in base_configs.items()}
            for cfg in configs.values():
                if cfg["name"] == "validation":
                    cfg["scores"] = deployment.validation_scores  # chosen before deployment, on held-out data
            for detection in (True, False):
                results = simulate(configs, stream, horizon, seeds, drift=None if detection else "none")
                for label, traces in results.items():
                    cells.append(Cell(name, scenario, label, detection, traces, stream))
    return cells


def _mean_se(values: Sequence[float]) -> dict[str, float]:
    array = np.asarray(values, dtype=float)
    se = float(array.std(ddof=1) / np.sqrt(len(array))) if len(array) > 1 else 0.0
    return {"mean": float(array.mean()), "se": se}


def summarize(cell: Cell) -> dict[str, Any]:
    """The cell's numbers over seeds."""
    rollbacks = [rollback_rounds(trace, cell.stream) for trace in cell.traces]
    done = [rounds for applies, rounds in rollbacks if applies and rounds is not None]
    return {
        "dataset": cell.dataset,
        "scenario": cell.scenario,
        "strategy": cell.strategy,
        "drift_detection": cell.detection,
        "seeds": len(cell.traces),
        "regret": _mean_se([t.regret.sum() for t in cell.traces]),
        "best_model_share": _mean_se([t.best_share for t in cell.traces]),
        "drift_alarms": _mean_se([len(t.drift_rounds) for t in cell.traces]),
        "rollback": {
            "on_dropped_model": sum(applies for applies, _ in rollbacks),
            "rolled_back": len(done),
            "mean_rounds": float(np.mean(done)) if done else None,
        },
    }


def _rollback_text(rollback: Mapping[str, Any]) -> str:
    if not rollback["on_dropped_model"]:
        return "-"
    if not rollback["rolled_back"]:
        return f"never (0/{rollback['on_dropped_model']})"
    return f"{rollback['mean_rounds']:.0f} ({rollback['rolled_back']}/{rollback['on_dropped_model']})"


def format_tables(rows: Sequence[Mapping[str, Any]], scenarios: Sequence[str]) -> str:
    """One markdown table per data set: a row per strategy and detection setting, regret and rollback by drift."""
    out = []
    for dataset in dict.fromkeys(row["dataset"] for row in rows):
        mine = [row for row in rows if row["dataset"] == dataset]
        header = ["strategy", "detection"]
        header += [f"regret: {s.replace('_', ' ')}" for s in scenarios]
        header += ["best-model share"]
        header += [f"roll back: {s.replace('_', ' ')}" for s in scenarios if s != "label_shift"]
        lines = [f"**{dataset}**", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for strategy in dict.fromkeys(row["strategy"] for row in mine):
            for detection in (True, False):
                by_scenario = {
                    r["scenario"]: r for r in mine if r["strategy"] == strategy and r["drift_detection"] == detection
                }
                shares = [by_scenario[s]["best_model_share"]["mean"] for s in scenarios]
                cells = [strategy, "yes" if detection else "no"]
                cells += [
                    f"{by_scenario[s]['regret']['mean']:.1f} ± {by_scenario[s]['regret']['se']:.1f}" for s in scenarios
                ]
                cells += [f"{np.mean(shares):.2f}"]
                cells += [_rollback_text(by_scenario[s]["rollback"]) for s in scenarios if s != "label_shift"]
                lines.append("| " + " | ".join(cells) + " |")
        out.append("\n".join(lines))
    return "\n\n".join(out)


def accuracy_lines(cells: Sequence[Cell]) -> list[str]:
    """Each model's accuracy before and after each drift (what regret is measured against)."""
    seen: dict[tuple[str, str], ClassifierStream] = {}
    for cell in cells:
        seen.setdefault((cell.dataset, cell.scenario), cell.stream)
    lines = []
    for (dataset, scenario), stream in seen.items():
        pairs = ", ".join(
            f"{model} {a:.3f}->{b:.3f}"
            for model, a, b in zip(MODELS, stream.before.accuracy, stream.after.accuracy, strict=True)
        )
        lines.append(f"{dataset} / {scenario}: {pairs}")
    return lines


def plot(cells: Sequence[Cell], out: Path, drift_at: int) -> list[Path]:
    """Per data set, one panel per drift: cumulative regret, solid with drift detection, dashed without."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    for dataset in dict.fromkeys(c.dataset for c in cells):
        scenarios = list(dict.fromkeys(c.scenario for c in cells if c.dataset == dataset))
        fig, axes = plt.subplots(1, len(scenarios), figsize=(5 * len(scenarios), 4.2), squeeze=False)
        colors: dict[str, str] = {}
        for ax, scenario in zip(axes[0], scenarios, strict=True):
            for cell in (c for c in cells if c.dataset == dataset and c.scenario == scenario):
                color = colors.setdefault(cell.strategy, f"C{len(colors)}")
                curve = np.cumsum(np.stack([t.regret for t in cell.traces]), axis=1).mean(axis=0)
                ax.plot(
                    np.arange(1, len(curve) + 1),
                    curve,
                    color=color,
                    linestyle="-" if cell.detection else "--",
                    label=f"{cell.strategy}{'' if cell.detection else ' (no detection)'}",
                )
            ax.axvline(drift_at, color="grey", linestyle=":", linewidth=1)
            ax.set_title(f"{dataset}: {scenario.replace('_', ' ')}")
            ax.set_xlabel("round")
            ax.set_ylabel("cumulative regret")
        axes[0][0].legend(fontsize=7, ncol=2)
        fig.tight_layout()
        path = out / f"regret_{dataset}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
    return paths


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m policies.selection.experiment", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help=f"short run: {QUICK} (the tests use it)")
    parser.add_argument("--horizon", type=int, default=None, help=f"rounds per run (default {DEFAULT['horizon']})")
    parser.add_argument(
        "--seeds", type=int, default=None, help=f"runs per cell, seeds 0..N-1 (default {DEFAULT['seeds']})"
    )
    parser.add_argument("--drift-at", type=int, default=None, help="round of the drift (default: half the horizon)")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=list(SCENARIOS))
    parser.add_argument("--strategies", nargs="+", default=None, help=f"default: {list(PAPER_STRATEGIES)}")
    parser.add_argument("--conf-dir", type=Path, default=CONF_DIR, help="where the selector yaml files are")
    parser.add_argument("--out", type=Path, default=Path("selection_experiment"), help="output directory")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    sizes = QUICK if args.quick else DEFAULT
    horizon = args.horizon or sizes["horizon"]
    seeds = args.seeds or sizes["seeds"]
    drift_at = horizon // 2 if args.drift_at is None else args.drift_at
    if horizon < 2 or seeds < 1 or not 0 < drift_at < horizon:
        print(
            f"error: need --horizon >= 2, --seeds >= 1 and 0 < --drift-at < horizon (got {horizon}, {seeds}, "
            f"{drift_at})",
            file=sys.stderr,
        )
        return 2
    started = time.perf_counter()
    try:
        cells = run_experiment(
            args.datasets, args.scenarios, args.strategies, horizon, drift_at, range(seeds), args.conf_dir
        )
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    rows = [summarize(cell) for cell in cells]
    text = format_tables(rows, args.scenarios)
    print(f"deployment experiment: {horizon} rounds, drift at round {drift_at}, {seeds} seeds (mean ± SE over seeds)")
    print("\n".join(accuracy_lines(cells)))
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    plots = plot(cells, args.out, drift_at)
    (args.out / "table.md").write_text(text + "\n")
    settings = {
        "horizon": horizon,
        "drift_at": drift_at,
        "seeds": seeds,
        "datasets": args.datasets,
        "scenarios": args.scenarios,
        "models": list(MODELS),
        "wall_time_s": round(time.perf_counter() - started, 1),
    }
    accuracies = {
        f"{cell.dataset}/{cell.scenario}": {
            "before": cell.stream.before.accuracy.tolist(),
            "after": cell.stream.after.accuracy.tolist(),
        }
        for cell in cells
    }
    (args.out / "results.json").write_text(
        json.dumps({"settings": settings, "accuracy": accuracies, "rows": rows}, indent=2)
    )
    print(f"wrote {', '.join(str(p) for p in [args.out / 'table.md', args.out / 'results.json', *plots])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
