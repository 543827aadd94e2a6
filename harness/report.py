"""Compare the runs of a sweep side by side: `python -m harness.report <sweep dir>`.

Every run dir below the sweep dir (one per wrapper stack of a `-m` sweep)
is read; the comparison uses only the episodes (task, seed) scored in every
run (an agent's error is a failure and stays; an infrastructure error drops
the episode for every stack), so each stack is judged on the same tasks. Besides each
stack's rates with SE, it gives the paired difference to a baseline stack:
the mean over shared episodes of (stack - baseline), with the SE of those
differences and their 95% t interval, which is much tighter than comparing
two independent intervals when the stacks succeed on similar tasks.

Runs that share a stack label (a sweep over another setting, e.g.
`max_steps=1,5`) are told apart by the settings that differ between them:
the Hydra overrides of each job, else the run's recorded identity.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from envs.contract import EnvProfile, registered_profile
from harness import plots
from harness.blame import INFRA, record_error_kind
from harness.html_activity import load_trajectories, wrapper_activity
from harness.results import RESULTS_FILE, RunFileError, read_results, read_written_run_file
from harness.run import RUN_FILE
from harness.shard import SHARD_FILE
from harness.summary import format_interval, format_stat, mean_se, summarize

#: The per-episode fields compared pairwise, with the range their difference can take (None: unbounded).
PAIRED_FIELDS: dict[str, tuple[float, float] | None] = {"success": (-1.0, 1.0), "reward": None}


@dataclass
class Run:
    label: str
    path: Path
    profile: EnvProfile
    records: list[dict[str, Any]]


#: What a report reads from each run.json (a damaged one is named, not a bare KeyError or JSONDecodeError).
REPORTED_FIELDS = {"label": str, "identity": dict}


def find_runs(sweep_dir: str | Path) -> list[Run]:
    """Run dirs below `sweep_dir` (itself included), in job order."""
    sweep_dir = Path(sweep_dir)
    if not sweep_dir.is_dir():
        raise FileNotFoundError(f"no sweep dir {sweep_dir}")
    dirs = sorted({p.parent for p in sweep_dir.rglob(RUN_FILE) if (p.parent / RESULTS_FILE).exists()}, key=_job_order)
    if not dirs:
        raise FileNotFoundError(f"no runs below {sweep_dir} (looked for dirs with {RUN_FILE} and {RESULTS_FILE})")
    runs, settings = [], []
    for path in dirs:
        meta = read_written_run_file(path / RUN_FILE, REPORTED_FIELDS)
        profile = run_profile(meta, path / RUN_FILE)
        runs.append(Run(label=meta["label"], path=path, profile=profile, records=read_results(path)))
        settings.append(run_settings(path, meta))
    for label in {run.label for run in runs}:
        same = [i for i, run in enumerate(runs) if run.label == label]
        if len(same) > 1:
            for i, difference in zip(same, differing_settings([settings[i] for i in same]), strict=True):
                runs[i].label = (
                    f"{label}, {difference}" if difference else f"{label} ({dirs[i].relative_to(sweep_dir)})"
                )
    return runs


def run_settings(path: Path, meta: dict[str, Any]) -> dict[str, str]:
    """What a run was asked, flat ("max_steps" -> "1"): its Hydra overrides when the job saved them
    (what the user typed), over its recorded identity (what the harness keeps for resuming)."""
    flat = {key: json.dumps(value) for key, value in _flatten(meta.get("identity") or {}).items()}
    overrides = path / ".hydra" / "overrides.yaml"
    if overrides.exists():
        for item in OmegaConf.to_container(OmegaConf.load(overrides)) or []:
            key, _, value = str(item).partition("=")
            flat[key.lstrip("+~")] = value
    return flat


def differing_settings(settings: Sequence[dict[str, str]]) -> list[str]:
    """For runs with one label: each run's "key=value" of the settings not all of them share ("" if none)."""
    keys = sorted({key for one in settings for key in one if len({s.get(key) for s in settings}) > 1})
    return [", ".join(f"{key}={one.get(key, '-')}" for key in keys) for one in settings]


def _flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    if not isinstance(node, dict) or not node:
        return {prefix: node}
    flat: dict[str, Any] = {}
    for key, value in node.items():
        flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def run_profile(meta: dict[str, Any], path: Path | str = RUN_FILE) -> EnvProfile:
    """The env profile a run recorded in run.json at `path` (runs made before profiles: the registered env's).
    A profile the harness did not write is named (it raised a bare TypeError or KeyError in reports and merges)."""
    try:
        return (
            _saved_profile(meta["profile"]) if "profile" in meta else registered_profile(meta["identity"]["env"]["id"])
        )
    except (KeyError, TypeError, ValueError) as err:
        raise RunFileError(
            f"{path} holds no env profile the harness writes ({type(err).__name__}: {err}); restore it, or use a "
            "new run dir"
        ) from None


def _saved_profile(saved: Any) -> EnvProfile:
    if not isinstance(saved, dict):
        raise TypeError(f"profile is a JSON {type(saved).__name__}, not an object")
    headlines = saved["headlines"]
    if not isinstance(headlines, list) or not all(
        isinstance(row, list) and len(row) == 2 and all(isinstance(part, str) for part in row) for row in headlines
    ):
        raise TypeError(f"profile headlines must be [label, source] pairs of text, got {str(headlines)[:80]}")
    if not isinstance(saved.get("name"), str):
        raise TypeError(f"profile name must be text, got {saved.get('name')!r}")
    return EnvProfile(**{**saved, "headlines": tuple(tuple(row) for row in headlines)})


def _job_order(path: Path) -> tuple[Any, ...]:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in path.parts)


def shared_keys(runs: Sequence[Run]) -> set[str]:
    """Episodes scored in every run: an agent's error is a failure and stays in (dropping it would drop the
    task from the comparison exactly where a stack crashed); only infrastructure errors are left out."""
    keys = None
    for run in runs:
        scored = {r["key"] for r in run.records if record_error_kind(r) != INFRA}
        keys = scored if keys is None else keys & scored
    return keys or set()


def paired_difference(run: Run, baseline: Run, keys: set[str], field: str) -> dict[str, Any]:
    """mean +- SE and 95% t interval over shared episodes of run[field] - baseline[field]."""
    mine = {r["key"]: float(r[field]) for r in run.records if r["key"] in keys}
    theirs = {r["key"]: float(r[field]) for r in baseline.records if r["key"] in keys}
    return mean_se([mine[key] - theirs[key] for key in sorted(keys)], PAIRED_FIELDS[field])


def compare(runs: Sequence[Run], baseline_label: str | None = None) -> dict[str, Any]:
    kinds = {run.profile.name for run in runs}
    if len(kinds) > 1:
        raise ValueError(f"the runs are on different envs {sorted(kinds)}; compare runs of one env")
    keys = shared_keys(runs)
    if not keys and any((run.path / SHARD_FILE).exists() for run in runs):
        raise ValueError(
            "these runs are shards of one evaluation (each holds its own episodes): merge them first with "
            "`python -m harness.merge OUT SHARD_DIR...` (trainfree-merge), then report OUT"
        )
    if not keys:
        raise ValueError("no episode was scored in every run (all ended in infrastructure errors somewhere)")
    baseline = _pick_baseline(runs, baseline_label)
    stacks = {}
    for run in runs:
        shared = [r for r in run.records if r["key"] in keys]
        summary = summarize(shared, run.profile)
        stacks[run.label] = {
            "path": str(run.path),
            "episodes_total": len(run.records),
            "errors_total": sum(1 for r in run.records if r.get("error")),
            "summary": summary,
            "paired_vs_baseline": {field: paired_difference(run, baseline, keys, field) for field in PAIRED_FIELDS},
            "wrapper_activity": wrapper_activity(load_trajectories(run.path, shared)),
        }
    return {"env": baseline.profile.name, "baseline": baseline.label, "shared_episodes": len(keys), "stacks": stacks}


def _pick_baseline(runs: Sequence[Run], label: str | None) -> Run:
    if label is not None:
        for run in runs:
            if run.label == label:
                return run
        raise ValueError(f"no run labelled {label!r}; runs: {[run.label for run in runs]}")
    return next((run for run in runs if run.label == "none"), runs[0])


def to_markdown(report: dict[str, Any]) -> str:
    labels = list(next(iter(report["stacks"].values()))["summary"]["headline"])
    baseline = report["baseline"]
    header = ["stack", *labels, f"success - {baseline} (paired)", "tokens / episode", "wall s / episode", "errors"]
    lines = [
        f"# Sweep report: {report['env']}, {report['shared_episodes']} episodes shared by all stacks",
        "",
        _row(header),
        _row(["---"] * len(header)),
    ]
    for label, entry in report["stacks"].items():
        summary = entry["summary"]
        cells = [stat_cell(summary["headline"][name]) for name in labels]
        paired = "baseline" if label == baseline else stat_cell(entry["paired_vs_baseline"]["success"])
        cost = summary["cost"]
        lines.append(
            _row(
                [
                    label,
                    *cells,
                    paired,
                    format_stat(cost["tokens_per_episode"], percent=False),
                    format_stat(cost["wall_time_per_episode_s"], percent=False),
                    f"{entry['errors_total']} of {entry['episodes_total']}",
                ]
            )
        )
    levels = sorted({level for entry in report["stacks"].values() for level in entry["summary"]["by_difficulty"]})
    if levels:
        lines += ["", _row(["stack", *(f"difficulty {lv}" for lv in levels)]), _row(["---"] * (len(levels) + 1))]
        for label, entry in report["stacks"].items():
            by = entry["summary"]["by_difficulty"]
            lines.append(_row([label, *(stat_cell(by.get(lv, {}).get("success")) for lv in levels)]))
    lines += activity_markdown(report)
    lines += [
        "",
        "Rates: mean +- SE (n) [95% interval: Wilson for rates over episodes, t over seeds] on the shared episodes; "
        "paired: mean +- SE [95% t interval] of the per-episode differences to the baseline.",
    ]
    return "\n".join(lines) + "\n"


def activity_markdown(report: dict[str, Any]) -> list[str]:
    """What each wrapper did, per stack (from the trajectories; nothing when no wrapper ran or none were saved)."""
    rows = [(label, row) for label, entry in report["stacks"].items() for row in entry["wrapper_activity"]]
    if not rows:
        return []
    header = ["stack", "wrapper", "fired (steps)", "changed the step", "success when it fired", "when it did not"]
    lines = ["", "Wrapper activity:", "", _row(header), _row(["---"] * len(header))]
    for label, row in rows:
        changed = "not reported" if row["changed"] is None else str(row["changed"])
        fired = f"{row['fired']} of {row['steps']}"
        cells = [label, row["wrapper"], fired, changed, stat_cell(row["success_when_fired"])]
        lines.append(_row([*cells, stat_cell(row["success_when_not"])]))
    return lines


def stat_cell(stat: dict[str, Any] | None, percent: bool = True) -> str:
    """ "100.0% +- 0.0 (n=5) [56.6, 100.0]": the stat with its 95% interval when it has one."""
    interval = format_interval(stat, percent)
    text = format_stat(stat, percent)
    return text if interval == "-" else f"{text} {interval.rsplit(' ', 1)[0]}"


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def write_report(sweep_dir: str | Path, baseline_label: str | None = None) -> dict[str, Any]:
    sweep_dir = Path(sweep_dir)
    report = compare(find_runs(sweep_dir), baseline_label)
    (sweep_dir / "report.json").write_text(json.dumps(report, indent=1))
    markdown = to_markdown(report)
    (sweep_dir / "report.md").write_text(markdown)
    summaries = {label: entry["summary"] for label, entry in report["stacks"].items()}
    plots.success_by_difficulty(summaries, sweep_dir / "report_success_by_difficulty.png")
    plots.tokens_vs_success(summaries, sweep_dir / "report_tokens_vs_success.png")
    report["markdown"] = markdown
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.report", description=__doc__.splitlines()[0])
    parser.add_argument("sweep_dir", help="a multirun dir (or any dir holding run dirs, or one run dir)")
    parser.add_argument(
        "--baseline", default=None, help='label of the baseline stack (default: "none" if present, else the first run)'
    )
    parser.add_argument(
        "--html",
        action="store_true",
        help="also write report.html: tables, plots, wrapper activity, costs and a trajectory viewer in one file",
    )
    args = parser.parse_args(argv)
    try:
        report = write_report(args.sweep_dir, args.baseline)
        html = write_html(args.sweep_dir, args.baseline) if args.html else None
    except (FileNotFoundError, ValueError) as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 2
    print(report["markdown"])
    print(f"written: {Path(args.sweep_dir) / 'report.md'}, report.json, report_*.png")
    if html is not None:
        print(f"HTML report: {html.resolve().as_uri()}")
    return 0


def write_html(sweep_dir: str | Path, baseline_label: str | None = None) -> Path:
    """report.html (harness/html_report.py, which builds on this module, hence imported here)."""
    from harness.html_report import write_html as write

    return write(sweep_dir, baseline_label)


if __name__ == "__main__":
    sys.exit(main())
