"""PNG plots of one run or of all stacks of a sweep (matplotlib, headless Agg).

Each function takes {stack label: summary}; a single run is a one-stack sweep.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first

Summaries = Mapping[str, Mapping[str, Any]]


def _pct(stat: Mapping[str, Any] | None) -> tuple[float, float]:
    if not stat or stat.get("mean") is None:
        return 0.0, 0.0
    return 100.0 * stat["mean"], 100.0 * (stat.get("se") or 0.0)


def success_by_difficulty(summaries: Summaries, path: str | Path) -> Path:
    """Grouped bars: success rate (+- SE) per difficulty, one bar per stack."""
    levels = sorted({level for s in summaries.values() for level in s["by_difficulty"]}) or ["all"]
    fig, ax = plt.subplots(figsize=(max(4.0, 1.2 * len(levels) * max(1, len(summaries))), 3.5))
    width = 0.8 / max(1, len(summaries))
    for i, (label, summary) in enumerate(summaries.items()):
        stats = [
            summary["by_difficulty"].get(level, {}).get("success") if level != "all" else summary["success"]
            for level in levels
        ]
        means, errors = zip(*(_pct(stat) for stat in stats), strict=True)
        positions = [x + (i - (len(summaries) - 1) / 2) * width for x in range(len(levels))]
        ax.bar(positions, means, width, yerr=errors, capsize=3, label=label)
    ax.set_xticks(range(len(levels)), [f"difficulty {level}" if level != "all" else "all" for level in levels])
    ax.set_ylabel("success (%)")
    ax.set_ylim(0, 105)
    ax.legend(fontsize="small")
    return _save(fig, path)


def tokens_vs_success(summaries: Summaries, path: str | Path) -> Path:
    """One point per stack: mean tokens per episode against success rate, both with SE."""
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for label, summary in summaries.items():
        tokens = summary["cost"]["tokens_per_episode"]
        success, success_se = _pct(summary["success"])
        ax.errorbar(
            tokens.get("mean") or 0.0,
            success,
            xerr=tokens.get("se") or 0.0,
            yerr=success_se,
            fmt="o",
            capsize=3,
            label=label,
        )
    ax.set_xlabel("tokens per episode")
    ax.set_ylabel("success (%)")
    ax.set_ylim(-5, 105)
    ax.legend(fontsize="small")
    return _save(fig, path)


def _save(fig: Any, path: str | Path) -> Path:
    path = Path(path)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
