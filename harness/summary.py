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

Every stat also carries a 95% interval (`ci95`, `ci_method`), because a mean
+- SE of 0.0 for 5 successes out of 5 hides how little 5 episodes say: a rate
over 0/1 units gets the Wilson score interval (scipy's binomtest: right near
0% and 100%, where the normal interval collapses to a point); a mean over
seeds or over other numbers gets Student's t interval (n >= 2). An interval of
a quantity bounded to [0, 1] is clipped to it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from scipy import stats as scipy_stats

from envs.contract import EnvProfile
from harness.blame import AGENT, INFRA, record_error_kind

Record = Mapping[str, Any]

CONFIDENCE = 0.95

#: How the intervals are named in tables.
METHOD_NAMES = {"wilson": "Wilson", "t": "t"}

#: Bounds of a count or a duration: its interval never goes below 0.
NON_NEGATIVE = (0.0, math.inf)

#: Env metrics that repeat a record field; kept in summary.json, not repeated in summary.md.
SHOWN_ELSEWHERE = frozenset({"success", "difficulty", "steps"})


def mean_se(values: Sequence[float], bounds: tuple[float, float] | None = None) -> dict[str, Any]:
    """Mean, standard error of the mean (sample std, ddof=1) and its 95% t interval, clipped to `bounds`
    (what the quantity can be: a rate cannot leave [0, 1])."""
    n = len(values)
    if n == 0:
        return {"mean": None, "se": None, "n": 0, "ci95": None, "ci_method": None}
    if not all(map(math.isfinite, values)):  # a sum that overflowed before it came here (tokens, costs)
        return {"mean": None, "se": None, "n": n, "ci95": None, "ci_method": None}
    try:
        mean = math.fsum(values) / n
        variance = math.fsum((v - mean) ** 2 for v in values) / (n - 1) if n > 1 else 0.0
    except OverflowError:  # numbers past ~1e154 (a metric or a hand-edited line): their mean, scaled down, only
        scale = max(map(abs, values))
        return {
            "mean": math.fsum(v / scale for v in values) / n * scale,
            "se": None,
            "n": n,
            "ci95": None,
            "ci_method": None,
        }
    if n < 2:
        return {"mean": mean, "se": None, "n": n, "ci95": None, "ci_method": None}
    se = math.sqrt(variance / n)
    half = float(scipy_stats.t.ppf((1 + CONFIDENCE) / 2, n - 1)) * se
    low, high = mean - half, mean + half
    if bounds is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return {"mean": mean, "se": se, "n": n, "ci95": [low, high], "ci_method": "t"}


def rate_stat(values: Sequence[float]) -> dict[str, Any]:
    """mean_se of 0/1 outcomes with the Wilson score interval instead of t (exact enough at 0% and 100%)."""
    stat = mean_se(values)
    if stat["n"]:
        successes = round(math.fsum(values))
        interval = scipy_stats.binomtest(successes, stat["n"]).proportion_ci(CONFIDENCE, method="wilson")
        stat.update(ci95=[float(interval.low), float(interval.high)], ci_method="wilson")
    return stat


def _bounds(values: Sequence[float]) -> tuple[float, float] | None:
    """Units that all lie in [0, 1] are rates or shares (success, medals, fraction of tests): so is their mean."""
    return (0.0, 1.0) if values and all(0.0 <= v <= 1.0 for v in values) else None


def _is_binary(values: Sequence[float]) -> bool:
    return bool(values) and all(v in (0.0, 1.0) for v in values)


def aggregate(
    records: Sequence[Record], units: Callable[[Sequence[Record]], list[float]], rate: bool = False
) -> dict[str, Any]:
    """mean +- SE and 95% interval of `units(records)`: over seeds when there are several, else over the
    units. Only a `rate` (success, SGC, reward, a headline metric) gets Wilson when its units are 0/1 and
    an interval kept within [0, 1]: a count such as api_calls that happens to be 0 or 1 is not a rate."""
    by_seed: dict[Any, list[Record]] = defaultdict(list)
    for record in records:
        by_seed[record["seed"]].append(record)
    if len(by_seed) < 2:
        values = units(records)
        if rate and _is_binary(values):
            return {**rate_stat(values), "over": "units"}
        return {**mean_se(values, _bounds(values) if rate else None), "over": "units"}
    per_seed = [m for _, group in sorted(by_seed.items()) if (m := mean_se(units(group))["mean"]) is not None]
    return {**mean_se(per_seed, _bounds(per_seed) if rate else None), "over": "seeds"}


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
        "success": aggregate(scored, success_units, rate=True),
        "reward": aggregate(scored, reward_units, rate=True),
        "sgc": aggregate(scored, scenario_units, rate=True),
        "by_difficulty": {
            str(level): {
                "success": aggregate(group, success_units, rate=True),
                "reward": aggregate(group, reward_units, rate=True),
            }
            for level, group in _group_by(scored, "difficulty").items()
        },
        "metrics": {
            name: (
                aggregate(scored, headline_metric_units(name), rate=True)
                if name in headline_metrics
                else aggregate(scored, metric_units(name))
            )
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
        "tokens_per_episode": mean_se(episode_tokens, NON_NEGATIVE),
        "by_role": {role: dict(c) for role, c in sorted(by_role.items())},
        "episode_wall_time_s": math.fsum(wall),
        "wall_time_per_episode_s": mean_se(wall, NON_NEGATIVE),
        "model_time_s": math.fsum(model),
        "env_time_s": math.fsum(env),
        "steps_per_episode": mean_se([float(r.get("steps") or 0) for r in records], NON_NEGATIVE),
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


def format_interval(stat: Mapping[str, Any] | None, percent: bool = True) -> str:
    """ "[56.6, 100.0] Wilson" (in % for rates); "-" when the stat has no interval (n < 2 for a mean)."""
    if not stat or not stat.get("ci95"):
        return "-"
    low, high = stat["ci95"]
    bounds = f"[{100 * low:.1f}, {100 * high:.1f}]" if percent else f"[{_number(low)}, {_number(high)}]"
    return f"{bounds} {METHOD_NAMES.get(str(stat.get('ci_method')), '')}".rstrip()


def _number(value: float) -> str:
    """1341.0, 0.5, 0.000735: one decimal like the means beside it, unless that would round it to 0."""
    return f"{value:.1f}" if value == 0 or abs(value) >= 0.1 else f"{value:.3g}"


def _stat_row(name: str, stat: Mapping[str, Any] | None, percent: bool = True) -> str:
    return f"| {name} | {format_stat(stat, percent)} | {format_interval(stat, percent)} |"


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
        "| metric | mean +- SE | 95% interval |",
        "| --- | --- | --- |",
    ]
    lines += [_stat_row(label, stat) for label, stat in summary["headline"].items()]
    lines.append(_stat_row("mean reward", summary["reward"], percent=False))
    for level, stats in summary["by_difficulty"].items():
        lines.append(_stat_row(f"success, difficulty {level}", stats["success"]))
    lines.append(_stat_row("steps per episode", c["steps_per_episode"], percent=False))
    shown = {
        source.split(".", 1)[1] for source in summary["headline_sources"].values() if source.startswith("metrics.")
    }
    shown |= SHOWN_ELSEWHERE
    for name, stat in summary["metrics"].items():
        if name not in shown:
            lines.append(_stat_row(name, stat, percent=False))
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
