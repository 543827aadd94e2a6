"""RESULTS.md from run_all's collected figures: provenance, the headline ratios, the vLLM projection, every script.

Headline tables take this run's figures; when a script did not write its
file in this run (skipped, failed, --only) the saved file in
benchmarks/results/ is used and marked with its date and the machine that
wrote it (results/machines.json, kept by run_all; "machine not recorded"
when the file was written by a script run on its own), or the figure is
marked "not measured".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import vllm_projection

RESULTS_DIR = Path(__file__).resolve().parent / "results"
MACHINES_FILE = "machines.json"  # results file -> the machine and run that wrote it, with the content's hash
NOISE = (
    "The machine is a shared 2-core VM: other jobs ran during these measurements (see the load averages), "
    "so times are noisy; ratios taken in one run are more reliable than absolute times."
)


def render(everything: Mapping[str, Any]) -> str:
    provenance, outcomes = everything["provenance"], everything["benchmarks"]
    lookup = _Lookup(outcomes)
    parts = [_header(provenance)]
    for title, build in HEADLINES:
        parts.append(f"## {title}\n")
        body, sources = build(lookup)
        parts.append(body)
        parts.append(_stamp(provenance, sources, lookup) + "\n")
    parts.append("## Projection: vLLM, Qwen3-8B, one 24 GB GPU\n")
    projection, source = lookup.get("vllm_projection", "vllm_projection.json")
    parts.append(
        vllm_projection.markdown(projection) if projection else "not computed: " + lookup.why("vllm_projection")
    )
    parts.append(
        "\n"
        + _stamp(provenance, [source] if source else [], lookup, model="Qwen3-8B (projected; nothing ran on a GPU)")
        + "\n"
    )
    parts.append("## Every script\n")
    for name, outcome in outcomes.items():
        parts.append(_script_section(name, outcome))
    return "\n".join(parts)


def saved_date(path: Path) -> dt.datetime:
    """When a saved results file was written: the date of the last commit that changed it, when the file is as
    committed (a fresh clone sets every file's mtime to the clone's time), else its mtime (written since)."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=path.parent, capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    if not git("status", "--porcelain", "--", path.name) and (
        committed := git("log", "-1", "--format=%cI", "--", path.name)
    ):
        return dt.datetime.fromisoformat(committed).astimezone(dt.timezone.utc)
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc)


def machine_label(machine: Mapping[str, Any]) -> str:
    return f"{machine['cpu_model']}, {machine['cores']} cores"


def note_machines(written: Mapping[str, bytes], machine: str, date_utc: str, results_dir: Path = RESULTS_DIR) -> None:
    """Record that `machine` wrote these results files (name -> content) in the run of `date_utc`."""
    path = results_dir / MACHINES_FILE
    known = json.loads(path.read_text()) if path.is_file() else {}
    for name, data in written.items():
        known[name] = {"machine": machine, "date_utc": date_utc, "sha256": hashlib.sha256(data).hexdigest()}
    path.write_text(json.dumps(known, indent=1, sort_keys=True) + "\n")


def recorded_run(path: Path) -> tuple[str, str] | None:
    """(machine, date) of the run that wrote this results file, if the file still holds what that run wrote (a
    script run on its own since rewrote it on a machine nobody recorded)."""
    machines = path.parent / MACHINES_FILE
    entry = json.loads(machines.read_text()).get(path.name) if machines.is_file() else None
    if entry is None or entry["sha256"] != hashlib.sha256(path.read_bytes()).hexdigest():
        return None
    return str(entry["machine"]), str(entry["date_utc"])


class _Lookup:
    """A results file: from this run, else the saved one (with its date), else None."""

    def __init__(self, outcomes: Mapping[str, Any]) -> None:
        self.outcomes = outcomes
        self.earlier: dict[str, str] = {}
        self.loads: dict[str, str] = {}

    def get(self, bench: str, filename: str) -> tuple[Any, str | None]:
        outcome = self.outcomes.get(bench, {})
        if filename in outcome.get("results", {}):
            data = outcome["results"][filename]
            if "load_before" in outcome:
                self.loads[filename] = f"{outcome['load_before'][0]} at start, {outcome['load_after'][0]} at end"
            else:
                self._note_loads(filename, data)
            return data, filename
        path = RESULTS_DIR / filename
        if path.is_file():
            try:
                data = json.loads(path.read_text())
            except ValueError:
                return None, None
            run = recorded_run(path)  # else the date it was saved, which may be later than its run
            machine, date = run or ("machine not recorded", saved_date(path).strftime("%Y-%m-%d %H:%M UTC"))
            self.earlier[filename] = f"{date}, {machine}"
            self._note_loads(filename, data)
            return data, filename
        return None, None

    def _note_loads(self, filename: str, data: Any) -> None:
        loads = sorted(set(_loads_in(data)))
        if loads:
            self.loads[filename] = f"{loads[0]}-{loads[-1]}" if len(loads) > 1 else str(loads[0])

    def why(self, bench: str) -> str:
        outcome = self.outcomes.get(bench)
        if outcome is None:
            return f"`{bench}` was not run and has no saved results"
        return f"`{bench}` {outcome['status']}" + (f": {outcome.get('reason')}" if outcome.get("reason") else "")


def _loads_in(data: Any, key: str = "") -> list[float]:
    """The 1-minute load averages a results file recorded, under any key naming a load (each script has its
    own layout): a list's first value is the 1-minute figure."""
    if isinstance(data, Mapping):
        return [x for k, v in data.items() for x in _loads_in(v, str(k))]
    if "load" in key.lower():
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            return [round(float(data), 1)]
        if isinstance(data, list) and data and isinstance(data[0], (int, float)):
            return [round(float(data[0]), 1)]
    if isinstance(data, list):
        return [x for item in data for x in _loads_in(item, key)]
    return []


def _header(provenance: Mapping[str, Any]) -> str:
    m = provenance["machine"]
    return "\n".join(
        [
            "# Benchmark results",
            "",
            "Generated by `python benchmarks/run_all.py` "
            "(see benchmarks/; raw figures in benchmarks/results/all.json).",
            "",
            f"- Date: {provenance['date_utc']} ({provenance['mode']} mode), commit {provenance['commit']}",
            f"- Machine: {m['cpu_model']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, {m['os']}, Python {m['python']}",
            f"- Load average (1/5/15 min): {m['load_average']} at start, "
            f"{provenance.get('load_average_at_end')} at end",
            f"- Model: {provenance['model']} where a figure runs a model; "
            "scripted or replayed replies where it says so",
            "",
            NOISE,
            "",
        ]
    )


def _stamp(provenance: Mapping[str, Any], sources: Sequence[str], lookup: _Lookup, model: str | None = None) -> str:
    """Machine, model, date and load of a table; a file from a separate run names its own date and machine."""
    m = provenance["machine"]
    separate = [s for s in sources if s in lookup.earlier]
    machine = "as each file says" if sources and len(separate) == len(sources) else machine_label(m)
    dates = [f"{s} from a separate run ({lookup.earlier[s]})" for s in separate]
    when = provenance["date_utc"] + (f"; {'; '.join(dates)}" if dates else "")
    loads = [f"{s} {lookup.loads[s]}" for s in sources if s in lookup.loads]
    load = "; ".join(loads) if loads else "not recorded"
    return (
        f"_Machine: {machine}; model: {model or provenance['model']}; date: {when}; "
        f"1-minute load average during the run ({m['cores']} cores): {load}._"
    )


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, default=str).replace("|", "\\|")
    return str(value).replace("|", "\\|").replace("\n", " ")


def _env_latency(lookup: _Lookup) -> tuple[str, list[str]]:
    rows, sources = [], []
    toolworld, source = lookup.get("toolworld", "toolworld.json")
    if toolworld:
        sources.append(source)
        memory = toolworld.get("memory_per_env_kib", {})
        layers = ", ".join(f"{layer}={state}" for layer, state in toolworld.get("sandbox", {}).items())
        rows.append(
            [
                f"ToolWorld (one-API-call step{'; sandbox ' + layers if layers else ''})",
                toolworld["reset_ms"]["p50"],
                toolworld["reset_ms"]["p99"],
                toolworld["one_call_step_ms"]["p50"],
                toolworld["one_call_step_ms"]["p99"],
                f"{memory.get('env_process', 0) / 1024:.1f} MiB in process"
                f" + {memory.get('worker_process', 0) / 1024:.1f} MiB worker"
                f" + {memory.get('spare_worker_process', 0) / 1024:.1f} MiB spare worker",
            ]
        )
    else:
        rows.append(["ToolWorld", *["not measured"] * 5])
    mle, source = lookup.get("mle_latency", "mle_latency.json")
    if mle:
        sources.append(source)
        for row in mle["rows"]:
            rows.append(
                [
                    f"MLE {row['competition']} (copy-sample script)",
                    row["reset_ms"]["p50"],
                    row["reset_ms"]["p99"],
                    row["step_ms"]["p50"],
                    row["step_ms"]["p99"],
                    f"{row['memory']['rss_kib_per_env'] / 1024:.1f} MiB in process"
                    f" + {row['memory']['episode_dir_kib'] / 1024:.1f} MiB episode dir",
                ]
            )
    else:
        rows.append(["MLE", *["not measured"] * 5])
    return table(["env", "reset p50 ms", "reset p99 ms", "step p50 ms", "step p99 ms", "memory per env"], rows), sources


def _harness_overhead(lookup: _Lookup) -> tuple[str, list[str]]:
    harness, source = lookup.get("harness_overhead", "harness_overhead.json")
    if not harness:
        return "not measured: " + lookup.why("harness_overhead") + "\n", []
    rows = [
        [
            r["case"],
            r["workers"],
            r["episodes"],
            r["wall_s"],
            r["model_s"],
            r["env_s"],
            r["harness_s"],
            f"{r['harness_share']:.2%}" if r.get("harness_share") is not None else "n/a",
        ]
        for r in harness.get("overhead", []) + [r for r in harness.get("server_scaling", []) if r["workers"] == 1]
    ]
    body = table(["case", "workers", "episodes", "wall s", "model s", "env s", "harness s", "harness share"], rows)
    return body + (
        "\nTarget: harness share <= 3% of wall time (harness = wall - model - env, one worker: "
        "with several workers model and env times overlap and the difference means nothing).\n"
    ), [source]


def _scaling(case_key: str, title: str) -> Callable[[_Lookup], tuple[str, list[str]]]:
    def build(lookup: _Lookup) -> tuple[str, list[str]]:
        harness, source = lookup.get("harness_overhead", "harness_overhead.json")
        if not harness or not harness.get(case_key):
            return f"not measured ({title}): " + lookup.why("harness_overhead") + "\n", []
        if harness.get(f"{case_key}_summary"):
            return _scaling_summary(harness[f"{case_key}_summary"]), [source]
        by_case: dict[str, list[dict[str, Any]]] = {}
        for row in harness[case_key]:
            by_case.setdefault(row["case"], []).append(row)
        rows = []
        for case, case_rows in by_case.items():
            base = next((r["episodes_per_s"] for r in case_rows if r["workers"] == 1), None)
            for r in case_rows:
                speedup = r["episodes_per_s"] / base if base else None
                rows.append(
                    [
                        case,
                        r["workers"],
                        r["episodes"],
                        r["errors"],
                        r["wall_s"],
                        r["episodes_per_s"],
                        f"{speedup:.2f}x" if speedup else "n/a",
                    ]
                )
        return table(["case", "workers", "episodes", "errors", "wall s", "episodes/s", "vs 1 worker"], rows), [source]

    return build


def _scaling_summary(summary: list[dict[str, Any]]) -> str:
    """Rounds of alternated runs: per case and worker count the median, its range and the ratio of medians."""
    rows = [
        [
            s["case"],
            s["workers"],
            s["runs"],
            s["episodes"],
            s["errors"],
            f"{s['episodes_per_s_median']} ({s['episodes_per_s_range'][0]}-{s['episodes_per_s_range'][1]})",
            f"{s['x_one_worker']:.2f}x" if s.get("x_one_worker") else "n/a",
            f"{s['load_range'][0]}-{s['load_range'][1]}",
        ]
        for s in summary
    ]
    header = ["case", "workers", "runs", "episodes a run", "errors", "episodes/s median (range)", "vs 1 worker", "load"]
    return table(header, rows) + (
        "\nWorker counts alternated round by round; vs 1 worker is the ratio of medians; load: the 1-minute load "
        "average before and after each run (2 cores).\n"
    )


def _prefix(lookup: _Lookup) -> tuple[str, list[str]]:
    prefix, source = lookup.get("prefix_stability", "prefix_stability.json")
    if not prefix:
        return "not measured: " + lookup.why("prefix_stability") + "\n", []
    rows = [
        [
            r["stack"],
            f"{r['step_prev_mean']:.1%}",
            f"{r['step_prev_min']:.1%}",
            f"{r['cached_share']:.1%}",
            r["requests_per_episode"],
            r["requests_by_role"],
            round(r["prompt_chars_per_episode"]),
        ]
        for r in prefix["rows"]
    ]
    s = prefix["settings"]
    note = (
        f"\nScripted exploring agent (no model runs), ToolWorld dev tasks {s['task_ids']}, {s['steps']} steps, "
        f"context window {s['context_window']}. "
        "step-to-step = share of an acting prompt that repeats the previous prompt of its role; "
        "cacheable = share of all prompt characters that repeat a prefix of an earlier prompt "
        "(an unbounded prefix cache).\n"
    )
    return table(
        [
            "stack",
            "step-to-step mean",
            "step-to-step min",
            "cacheable",
            "requests/episode",
            "requests by role",
            "prompt chars/episode",
        ],
        rows,
    ) + note, [source]


def _aide(lookup: _Lookup) -> tuple[str, list[str]]:
    aide, source = lookup.get("aide_side_by_side", "aide_side_by_side.json")
    if not aide:
        return "not measured: " + lookup.why("aide_side_by_side") + "\n", []
    rows = [
        [
            r["system"],
            r["competition"],
            r["steps_done"],
            r.get("step_s"),
            r.get("valid_steps"),
            r.get("valid_submission_steps"),
            r.get("calls_per_step"),
            r.get("completion_tokens_per_step"),
            r.get("review_tokens_mean"),
            r.get("scripts_at_cap"),
            r.get("scripts_abandoned"),
            r.get("valid_submission"),
            r.get("score"),
            f"{r.get('load_1m_mean')} ({r.get('load_1m_start')}-{r.get('load_1m_max')})",
            r.get("outcome", ""),
        ]
        for r in aide.get("rows", [])
    ]
    s, c = aide.get("settings", {}), aide.get("comparison", {})
    note = (
        f"\nOne run, the systems alternating competition by competition, same model ({s.get('model')}), "
        f"{s.get('steps')} steps, {s.get('timeout')} s per script run, search {s.get('search')}, every model call "
        f"capped at {s.get('max_tokens')} tokens (aideml sets no cap; the proxy adds it). s per step: from the first "
        "model call to the last, over the steps (a logging proxy saw every call; no start-up counted). valid steps: "
        "journal nodes not marked buggy by each system's own rule (aideml: its review says no bug and names a "
        "metric, the run raised nothing; ours also needs the env to call submission.csv valid). valid submission "
        "steps: steps that wrote a valid submission.csv, the rule both share (ours: the env's report; aideml: each "
        "new version of its submission.csv graded while it ran). Scripts sampled at temperature "
        f"{s.get('code_temperature')} on both sides; both run only a script that compiles when one of 3 draws does "
        "(aideml drops blocks that do not compile and asks again). scripts abandoned: our draws stopped at the "
        "line where their code broke for good (broken_python_block; aideml generates every draw to its end). "
        "Why each step failed: the rows' nodes in "
        f"{source}. load: the 1-minute load average during the row, mean "
        f"(start-max), on {s.get('cores')} cores. Our step time over aideml's: "
        f"{c.get('step_s_ratio_ours_over_aideml')}, overall {c.get('step_s_ratio_overall')} (target <= 0.8); "
        f"valid steps {c.get('valid_steps')}, valid submission steps {c.get('valid_submission_steps')} of "
        f"{c.get('steps')}. Our env also reruns each working script on a validation split (double run time).\n"
    )
    columns = ["system", "competition", "steps", "s per step", "valid steps", "valid submission steps"]
    columns += ["calls per step"]
    columns += [
        "tokens per step",
        "review tokens",
        "scripts at cap",
        "scripts abandoned",
        "valid submission",
        "score",
        "load",
        "outcome",
    ]
    return table(columns, rows) + note, [source]


HEADLINES: list[tuple[str, Callable[[_Lookup], tuple[str, list[str]]]]] = [
    ("Env reset and step latency, memory per env", _env_latency),
    ("Harness overhead over model time (embedded model)", _harness_overhead),
    ("Episodes per second with an instant policy, 1..16 workers", _scaling("throughput", "instant policy")),
    ("Scaling with one llama.cpp server, 1/2/4 workers", _scaling("server_scaling", "llama.cpp server")),
    ("Prompt prefix stability per wrapper stack", _prefix),
    ("Side by side with AIDE (aideml) on MLE competitions", _aide),
]


def _script_section(name: str, outcome: Mapping[str, Any]) -> str:
    lines = [f"### {name}: {outcome['status']}\n"]
    if outcome.get("command"):
        lines.append(f"`{outcome['command']}` ({outcome['seconds']} s, exit code {outcome['exit_code']})\n")
    if outcome.get("reason"):
        lines.append(f"{outcome['reason']}\n")
    if outcome.get("error"):
        lines.append("Error (last lines):\n\n```\n" + outcome["error"] + "\n```\n")
    for filename, data in outcome.get("results", {}).items():
        lines.append(f"`results/{filename}`:\n")
        lines.append(generic_tables(data))
    return "\n".join(lines)


def generic_tables(data: Any) -> str:
    """Scalars (nested dicts flattened to dotted keys) as one key/value table; each list of dicts as its own table."""
    if not isinstance(data, dict):
        return "```\n" + json.dumps(data, indent=1, default=str)[:2000] + "\n```\n"
    scalars: list[list[Any]] = []
    lists: list[tuple[str, list[dict[str, Any]]]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lists.append((prefix, value))
        else:
            scalars.append([prefix, value])

    walk("", data)
    out = [table(["key", "value"], scalars)] if scalars else []
    for key, rows in lists:
        flat = [_flatten(r) for r in rows]
        header = list(dict.fromkeys(k for r in flat for k in r))
        out.append(f"{key}:\n\n" + table(header, [[r.get(h, "") for h in header] for r in flat]))
    return "\n".join(out)


def _flatten(row: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and len(value) <= 6:
            flat.update(_flatten(value, name))
        else:
            flat[name] = value
    return flat
