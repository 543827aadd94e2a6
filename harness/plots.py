"""PNG plots of one run or of all stacks of a sweep (matplotlib, headless Agg).

Each function takes {stack label: summary}; a single run is a one-stack sweep.
The plots are meant to read at a glance: a title, the sample size on every
bar, a bar at 0% still drawn (an outline and its label) so an all-failing
stack does not look like a missing one, 95% intervals as error bars, and
the legend outside the axes so it hides nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
#: Labels are stack labels, sweep settings and arm names, shown as written: with mathtext on, a label holding
#: two dollar signs (a swept setting "$\\frac{$") ended every report in a ParseSyntaxException.
matplotlib.rcParams["text.parse_math"] = False
import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first

Summaries = Mapping[str, Mapping[str, Any]]

#: Height (in % points) of the sliver drawn for a 0% bar, so it shows as a bar and not as a gap.
ZERO_BAR = 0.8


def _pct(stat: Mapping[str, Any] | None) -> tuple[float | None, float, float, int]:
    """(mean %, distance down to the 95% interval's low end, up to its high end, n); mean None when absent."""
    if not stat or stat.get("mean") is None:
        return None, 0.0, 0.0, 0
    mean = 100.0 * stat["mean"]
    low, high = stat.get("ci95") or (stat["mean"], stat["mean"])
    return mean, max(0.0, mean - 100.0 * low), max(0.0, 100.0 * high - mean), int(stat.get("n") or 0)


def success_by_difficulty(summaries: Summaries, path: str | Path) -> Path:
    """Grouped bars: success rate with its 95% interval per difficulty, one bar per stack, n on each bar."""
    levels = sorted({level for s in summaries.values() for level in s["by_difficulty"]}) or ["all"]
    stacks = max(1, len(summaries))
    fig, ax = plt.subplots(figsize=(max(5.0, 1.1 * len(levels) * stacks + 1.5), 4.0))
    width = 0.8 / stacks
    for i, (label, summary) in enumerate(summaries.items()):
        stats = [
            summary["by_difficulty"].get(level, {}).get("success") if level != "all" else summary["success"]
            for level in levels
        ]
        positions = [x + (i - (stacks - 1) / 2) * width for x in range(len(levels))]
        bars = [(x, *_pct(stat)) for x, stat in zip(positions, stats, strict=True)]
        shown = [(x, mean, down, up, n) for x, mean, down, up, n in bars if mean is not None]
        if not shown:
            continue
        xs, means, downs, ups, ns = zip(*shown, strict=True)
        ax.bar(xs, [max(m, ZERO_BAR) for m in means], width, label=label, edgecolor="black", linewidth=0.6)
        ax.errorbar(xs, means, yerr=[downs, ups], fmt="none", ecolor="black", elinewidth=0.8, capsize=3)
        for x, mean, up, n in zip(xs, means, ups, ns, strict=True):
            ax.annotate(
                f"{mean:.0f}%\nn={n}",
                (x, mean + up),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7,
            )
    ax.set_xticks(range(len(levels)), [f"difficulty {level}" if level != "all" else "all tasks" for level in levels])
    ax.set_ylabel("success (%), 95% interval")
    ax.set_ylim(0, 118)
    ax.set_title(f"Success by difficulty ({_episodes(summaries)})")
    _legend_below(ax, len(summaries))
    return _save(fig, path)


def tokens_vs_success(summaries: Summaries, path: str | Path) -> Path | None:
    """One point per stack: mean tokens per episode against success rate, both with 95% intervals.

    Only stacks that spent tokens are drawn, and nothing is written (None) when none did (an oracle
    or replay-free run): a point at 0 tokens on an empty axis says nothing. A plot left at `path` by an
    earlier report is then removed, so no picture of other numbers stays behind."""
    spending = {label: s for label, s in summaries.items() if (s["cost"]["tokens_per_episode"].get("mean") or 0.0) > 0}
    if not spending:
        Path(path).unlink(missing_ok=True)
        return None
    fig, ax = plt.subplots(figsize=(6, 4.0))
    for label, summary in spending.items():
        tokens = summary["cost"]["tokens_per_episode"]
        mean, down, up, n = _pct(summary["success"])
        success = mean or 0.0
        low, high = tokens.get("ci95") or (tokens["mean"], tokens["mean"])
        ax.errorbar(
            tokens["mean"],
            success,
            xerr=[[tokens["mean"] - low], [high - tokens["mean"]]],
            yerr=[[down], [up]],
            fmt="o",
            capsize=3,
            label=f"{label} (n={n})",
        )
        ax.annotate(label, (tokens["mean"], success), xytext=(5, 5), textcoords="offset points", fontsize=7)
    ax.set_xlabel("tokens per episode (prompt + completion), 95% interval")
    ax.set_ylabel("success (%), 95% interval")
    ax.set_xlim(left=0)
    ax.set_ylim(-5, 110)
    ax.set_title(f"Success against tokens spent ({_episodes(spending)})")
    _legend_below(ax, len(spending))
    return _save(fig, path)


def arm_pulls(arms: Sequence[str], pulls: Sequence[str], rewards: Sequence[float], path: str | Path) -> Path:
    """A selector's run over time: cumulative pulls of each arm (top) and its running mean reward (bottom)."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 5.5), sharex=True)
    steps = range(1, len(pulls) + 1)
    for arm in arms:
        count, total = 0, 0.0
        counts, means = [], []
        for pulled, reward in zip(pulls, rewards, strict=True):
            if pulled == arm:
                count, total = count + 1, total + reward
            counts.append(count)
            means.append(total / count if count else float("nan"))
        top.step(steps, counts, where="post", label=f"{arm} ({count} pulls)")
        bottom.plot(steps, means, label=arm)
    top.set_ylabel("pulls so far")
    top.set_title(f"Selector: arm pulls and rewards over {len(pulls)} episodes")
    bottom.set_ylabel("mean reward so far")
    bottom.set_xlabel("episode (in the order they finished)")
    if all(0.0 <= r <= 1.0 for r in rewards):
        bottom.set_ylim(-0.05, 1.05)
    top.legend(fontsize="small", loc="upper left")
    return _save(fig, path)


def _episodes(summaries: Summaries) -> str:
    counts = sorted({int(s["success"].get("n") or 0) for s in summaries.values()})
    over = "seeds" if any(s["success"].get("over") == "seeds" for s in summaries.values()) else "episodes"
    return f"n={counts[0]} {over} per stack" if len(counts) == 1 else f"n={counts[0]}-{counts[-1]} {over} per stack"


def _legend_below(ax: Any, entries: int) -> None:
    """Under the axes (and under their x label, if any), where it can hide no bar or point."""
    below = -0.2 if ax.get_xlabel() else -0.12
    ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, below), ncol=min(3, max(1, entries)))


def _save(fig: Any, path: str | Path) -> Path:
    path = Path(path)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path
