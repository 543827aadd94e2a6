"""Aggregate episode records into the numbers a paper reports, with standard errors.

Rates count every attempted episode. One that ended in an error of the
agent's (its action crashed the env or a wrapper, it ran out of time or
context: harness/blame.py) is a failure: success 0 and 0 on every headline
metric, so crashing can never raise a rate. Only infrastructure errors (the
model unreachable, an env that failed to start), which the harness has
already retried, are left out, and the summary then says so loudly, with
how many. Standard errors follow the papers: with
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
from harness.blame import AGENT, INFRA, record_error_kind

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
    """A metric over the episodes that report it (for the metrics that are not headline rates)."""
    return lambda records: [float(r["metrics"][name]) for r in records if name in (r.get("metrics") or {})]


def headline_metric_units(name: str) -> Callable[[Sequence[Record]], list[float]]:
    """A headline metric over every scored episode: one that ended in the agent's error, or reported
    nothing, scores 0 (a missing medal is no medal), so leaving it out can never raise the rate."""

    def units(records: Sequence[Record]) -> list[float]:
        return [
            0.0 if record_error_kind(r) == AGENT else float((r.get("metrics") or {}).get(name, 0.0)) for r in records
        ]

    return units


def summarize(records: Iterable[Record], profile: EnvProfile) -> dict[str, Any]:
    """The summary of a run's records; its headline rows are the ones the env's profile names."""
    records = list(records)
    kinds = [record_error_kind(r) for r in records]
    scored = [r for r, kind in zip(records, kinds, strict=True) if kind != INFRA]
    agent_errors = [r for r, kind in zip(records, kinds, strict=True) if kind == AGENT]
    infra_errors = [r for r, kind in zip(records, kinds, strict=True) if kind == INFRA]
    headline_metrics = {source.split(".", 1)[1] for _, source in profile.headlines if source.startswith("metrics.")}
    metric_names = sorted({name for r in scored for name in (r.get("metrics") or {})})
    summary: dict[str, Any] = {
        "env": profile.name,
        "episodes": len(records),
        "completed": len(records) - len(agent_errors) - len(infra_errors),
        "scored": len(scored),
        "errors": len(agent_errors) + len(infra_errors),
        "agent_failures": len(agent_errors),
        "agent_failure_reasons": _reasons(agent_errors),
        "infra_errors": len(infra_errors),
        "infra_error_reasons": _reasons(infra_errors),
        "warnings": _warnings(len(records), infra_errors),
        "seeds": sorted({r["seed"] for r in records}),
        "success": aggregate(scored, success_units),
        "reward": aggregate(scored, reward_units),
        "sgc": aggregate(scored, scenario_units),
        "by_difficulty": {
            str(level): {
                "success": aggregate(group, success_units),
                "reward": aggregate(group, reward_units),
            }
            for level, group in _group_by(scored, "difficulty").items()
        },
        "metrics": {
            name: aggregate(scored, headline_metric_units(name) if name in headline_metrics else metric_units(name))
            for name in metric_names
        },
        "cost": cost(records),
    }
    summary["headline_sources"] = dict(profile.headlines)
    summary["headline"] = {label: lookup(summary, source) for label, source in profile.headlines}
    return summary


def _reasons(records: Sequence[Record]) -> dict[str, int]:
    return dict(Counter(_problem_label(r["error"]) for r in records).most_common())


def _warnings(attempted: int, infra_errors: Sequence[Record]) -> list[str]:
    if not infra_errors:
        return []
    return [
        f"WARNING: {len(infra_errors)} of {attempted} attempted episodes are EXCLUDED from the rates: "
        "infrastructure errors that persisted through the retries (model unreachable, env failed to start); "
        "the rates are over the other episodes only"
    ]


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


def _problem_label(problem: Any) -> str:
    if not isinstance(problem, Mapping):
        return str(problem)[:200]
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
    lines = [f"# {title}", ""]
    lines += [f"**{warning}**" for warning in summary["warnings"] + summary.get("problems", [])]
    lines += [
        "",
        f"episodes: {summary['episodes']} attempted, {summary['completed']} completed, "
        f"{summary['agent_failures']} ended by the agent's errors (failures in the rates), "
        f"{summary['infra_errors']} infrastructure errors (excluded); seeds {summary['seeds']}; "
        f"rates are over {summary['scored']} episodes",
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
    if summary["agent_failures"]:
        lines += ["", "episodes ended by the agent's errors (counted as failures in the rates):"]
        lines += [f"- {reason}: {count}" for reason, count in summary["agent_failure_reasons"].items()]
    if summary["infra_errors"]:
        lines += ["", "infrastructure errors (EXCLUDED from the rates, after retries):"]
        lines += [f"- {reason}: {count}" for reason, count in summary["infra_error_reasons"].items()]
    return "\n".join(lines) + "\n"
