"""Aggregate episode records into the numbers a paper reports, with standard errors.

Rates are computed on the episodes that completed; errored episodes (server
down, timeout, crash) are counted separately, by reason, so an outage is
never mistaken for a policy failure. Standard errors follow the papers: with
two or more seeds, the rate is computed per seed and the SE is over seeds
(MLE-bench style, mean +- SEM over seeds); with one seed it is over the
units themselves (tasks, or scenarios for SGC). SE = sample std (ddof=1) /
sqrt(n); it is None for n < 2.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from envs.contract import EnvProfile

Record = Mapping[str, Any]

#: Env metrics that repeat a record field; kept in summary.json, not repeated in summary.md.
SHOWN_ELSEWHERE = frozenset({"success", "difficulty", "steps"})


def mean_se(values: Sequence[float]) -> dict[str, Any]:
    """Mean and standard error of the mean (sample std, ddof=1)."""
    n = len(values)
    if n == 0:
        return {"mean": None, "se": None, "n": 0}
    mean = math.fsum(values) / n
    if n < 2:
        return {"mean": mean, "se": None, "n": n}
    variance = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    return {"mean": mean, "se": math.sqrt(variance / n), "n": n}


def aggregate(records: Sequence[Record], units: Callable[[Sequence[Record]], list[float]]) -> dict[str, Any]:
    """mean +- SE of `units(records)`: over seeds when there are several, else over the units."""
    by_seed: dict[Any, list[Record]] = defaultdict(list)
    for record in records:
        by_seed[record["seed"]].append(record)
    if len(by_seed) < 2:
        return {**mean_se(units(records)), "over": "units"}
    per_seed = [mean_se(units(group))["mean"] for _, group in sorted(by_seed.items())]
    return {**mean_se([m for m in per_seed if m is not None]), "over": "seeds"}


def success_units(records: Sequence[Record]) -> list[float]:
    return [float(bool(r["success"])) for r in records]


def reward_units(records: Sequence[Record]) -> list[float]:
    return [float(r["reward"]) for r in records]


def scenario_units(records: Sequence[Record]) -> list[float]:
    """SGC: one unit per scenario, 1 when every one of its episodes succeeded."""
    passed: dict[str, bool] = {}
    for r in records:
        scenario = r.get("scenario") or r["task_id"]
        passed[scenario] = passed.get(scenario, True) and bool(r["success"])
    return [float(ok) for ok in passed.values()]


def metric_units(name: str) -> Callable[[Sequence[Record]], list[float]]:
    return lambda records: [float(r["metrics"][name]) for r in records if name in (r.get("metrics") or {})]


def summarize(records: Iterable[Record], profile: EnvProfile) -> dict[str, Any]:
    """The summary of a run's records; its headline rows are the ones the env's profile names."""
    records = list(records)
    completed = [r for r in records if not r.get("error")]
    errors = [r for r in records if r.get("error")]
    metric_names = sorted({name for r in completed for name in (r.get("metrics") or {})})
    summary: dict[str, Any] = {
        "env": profile.name,
        "episodes": len(records),
        "completed": len(completed),
        "errors": len(errors),
        "error_reasons": dict(Counter(_problem_label(r["error"]) for r in errors).most_common()),
        "agent_limits": dict(
            Counter(_problem_label(r["failure"]) for r in completed if r.get("failure")).most_common()
        ),
        "seeds": sorted({r["seed"] for r in records}),
        "success": aggregate(completed, success_units),
        "reward": aggregate(completed, reward_units),
        "sgc": aggregate(completed, scenario_units),
        "by_difficulty": {
            str(level): {
                "success": aggregate(group, success_units),
                "reward": aggregate(group, reward_units),
            }
            for level, group in _group_by(completed, "difficulty").items()
        },
        "metrics": {name: aggregate(completed, metric_units(name)) for name in metric_names},
        "cost": cost(records),
    }
    summary["headline_sources"] = dict(profile.headlines)
    summary["headline"] = {label: lookup(summary, source) for label, source in profile.headlines}
    return summary


def lookup(summary: Mapping[str, Any], source: str) -> dict[str, Any] | None:
    """A stat by dotted path ("success", "metrics.any_medal"); None when absent."""
    node: Any = summary
    for part in source.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def cost(records: Sequence[Record]) -> dict[str, Any]:
    """LLM calls, tokens and time of every episode, errored ones included (they cost too)."""
    by_role: dict[str, Counter] = defaultdict(Counter)
    totals = [((r.get("llm") or {}).get("total") or {}) for r in records]
    for r in records:
        for role, role_cost in ((r.get("llm") or {}).get("by_role") or {}).items():
            by_role[role].update({k: v for k, v in role_cost.items() if isinstance(v, (int, float))})
    episode_tokens = [t.get("prompt_tokens", 0) + t.get("completion_tokens", 0) for t in totals]
    wall = [float(r.get("wall_time_s") or 0.0) for r in records]
    model = [float(t.get("model_time_s", 0.0)) for t in totals]
    env = [float(r.get("env_time_s") or 0.0) for r in records]
    return {
        "calls": sum(int(t.get("calls", 0)) for t in totals),
        "prompt_tokens": sum(int(t.get("prompt_tokens", 0)) for t in totals),
        "completion_tokens": sum(int(t.get("completion_tokens", 0)) for t in totals),
        "tokens_per_episode": mean_se(episode_tokens),
        "by_role": {role: dict(c) for role, c in sorted(by_role.items())},
        "episode_wall_time_s": math.fsum(wall),
        "wall_time_per_episode_s": mean_se(wall),
        "model_time_s": math.fsum(model),
        "env_time_s": math.fsum(env),
        "steps_per_episode": mean_se([float(r.get("steps") or 0) for r in records]),
    }


def _group_by(records: Sequence[Record], field: str) -> dict[Any, list[Record]]:
    groups: dict[Any, list[Record]] = defaultdict(list)
    for r in records:
        if r.get(field) is not None:
            groups[r[field]].append(r)
    return dict(sorted(groups.items(), key=lambda kv: str(kv[0])))


def _problem_label(problem: Mapping[str, Any]) -> str:
    return f"{problem.get('type', 'Error')} ({problem.get('stage', '?')})"


def format_stat(stat: Mapping[str, Any] | None, percent: bool = True) -> str:
    """ "33.3% +- 27.2 (n=3)"; "-" when there is nothing to show."""
    if not stat or stat.get("mean") is None:
        return "-"
    scale, unit = (100.0, "%") if percent else (1.0, "")
    text = f"{stat['mean'] * scale:.1f}{unit}"
    if stat.get("se") is not None:
        text += f" +- {stat['se'] * scale:.1f}"
    return f"{text} (n={stat['n']}{', seeds' if stat.get('over') == 'seeds' else ''})"


def to_markdown(summary: Mapping[str, Any], title: str) -> str:
    c = summary["cost"]
    lines = [
        f"# {title}",
        "",
        f"episodes: {summary['episodes']} ({summary['completed']} completed, {summary['errors']} errors, "
        f"seeds {summary['seeds']}); rates are over completed episodes",
        "",
        "| metric | mean +- SE |",
        "| --- | --- |",
    ]
    lines += [f"| {label} | {format_stat(stat)} |" for label, stat in summary["headline"].items()]
    lines.append(f"| mean reward | {format_stat(summary['reward'], percent=False)} |")
    for level, stats in summary["by_difficulty"].items():
        lines.append(f"| success, difficulty {level} | {format_stat(stats['success'])} |")
    lines.append(f"| steps per episode | {format_stat(c['steps_per_episode'], percent=False)} |")
    shown = {
        source.split(".", 1)[1] for source in summary["headline_sources"].values() if source.startswith("metrics.")
    }
    shown |= SHOWN_ELSEWHERE
    for name, stat in summary["metrics"].items():
        if name not in shown:
            lines.append(f"| {name} | {format_stat(stat, percent=False)} |")
    lines += [
        "",
        f"LLM: {c['calls']} calls, {c['prompt_tokens']} prompt + {c['completion_tokens']} completion tokens "
        f"({format_stat(c['tokens_per_episode'], percent=False)} per episode); model time {c['model_time_s']:.1f} s, "
        f"env time {c['env_time_s']:.1f} s, episode wall time {c['episode_wall_time_s']:.1f} s",
    ]
    for role, role_cost in c["by_role"].items():
        lines.append(
            f"- {role}: {role_cost.get('calls', 0)} calls, "
            f"{role_cost.get('prompt_tokens', 0) + role_cost.get('completion_tokens', 0)} tokens"
        )
    if summary["agent_limits"]:
        lines += ["", "episodes ended by the agent's limits (counted as failures):"]
        lines += [f"- {reason}: {count}" for reason, count in summary["agent_limits"].items()]
    if summary["errors"]:
        lines += ["", "errors (excluded from the rates):"]
        lines += [f"- {reason}: {count}" for reason, count in summary["error_reasons"].items()]
    return "\n".join(lines) + "\n"
