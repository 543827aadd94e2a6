"""One self-contained HTML file for a run or a sweep: `python -m harness.report DIR --html`.

It opens from disk with no server and fetches nothing: the plots are PNGs
inlined as data: URIs, the style and the small filter script are inline, and
a Content-Security-Policy allows nothing else (no request, no other script).
Everything an episode produced (instructions, prompts, replies, actions,
observations) is agent- or model-controlled text, so it is only ever put in
the page through Jinja2's autoescaping, never as markup; the policy's script
hash makes a script that slipped through inert anyway.

Shown: the per-stack table with 95% intervals and paired differences (as in
report.md, on the episodes every stack scored), success by difficulty, the
plots, what each wrapper did, per-role token and time costs, a selector's arm
pulls over time, and every episode's trajectory, filterable by stack, outcome
and failure category. Long texts are cut at MAX_TEXT_CHARS, and an episode
shows steps until MAX_EPISODE_CHARS of their text are on the page, then says
how many steps it left out and links the trajectory file, which keeps it all
(so 1,000 episodes of ToolWorld's largest steps make a page of ~50 MB, not 1 GB).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
import urllib.parse
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2

from harness import plots
from harness.blame import record_error_kind
from harness.html_activity import in_finish_order, load_trajectories, step_reports, wrapper_activity
from harness.html_template import FILTER_SCRIPT, TEMPLATE
from harness.report import Run, compare, find_runs
from harness.run import TRAJECTORY_DIR, trajectory_name
from harness.summary import format_interval, format_stat, summarize

HTML_FILE = "report.html"

#: Longest text (a prompt message, a reply, an observation) shown whole in the page.
MAX_TEXT_CHARS = 8_000

#: Characters of step text (prompts, replies, actions, observations, wrapper events) one episode shows; the
#: step that reaches it is the last shown, the rest are named and left to the trajectory file.
MAX_EPISODE_CHARS = 40_000


def write_html(directory: str | Path, baseline_label: str | None = None) -> Path:
    """Write `directory`/report.html for the run or the sweep below `directory`; return its path."""
    directory = Path(directory)
    runs = find_runs(directory)
    page = render(runs, baseline_label, title=f"trainfree report: {directory.resolve().name}", directory=directory)
    path = directory / HTML_FILE
    tmp = path.with_name(HTML_FILE + ".tmp")
    tmp.write_text(page, encoding="utf-8", errors="backslashreplace")
    tmp.replace(path)
    return path


def render(runs: Sequence[Run], baseline_label: str | None, title: str, directory: Path | None = None) -> str:
    """The page; links to trajectory files are relative to `directory` (where the page is written)."""
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    environment.filters.update(mean=format_stat, interval=format_interval, cut=_cut)
    script_hash = base64.b64encode(hashlib.sha256(FILTER_SCRIPT.encode()).digest()).decode()
    return environment.from_string(TEMPLATE).render(
        title=title, script=FILTER_SCRIPT, script_hash=script_hash, **page_data(runs, baseline_label, directory)
    )


def page_data(runs: Sequence[Run], baseline_label: str | None, directory: Path | None = None) -> dict[str, Any]:
    """Everything the template shows, as plain values."""
    comparison: dict[str, Any] | None = None
    try:
        compared = compare(runs, baseline_label)
    except ValueError as error:  # no shared episode, or runs of different envs: each run on its own
        note = f"No per-episode comparison: {error}."
    else:
        comparison = compared
        shared, baseline = compared["shared_episodes"], compared["baseline"]
        note = f"{shared} episodes scored by every stack; paired differences to {baseline}."
    summaries = (
        {label: entry["summary"] for label, entry in comparison["stacks"].items()}
        if comparison
        else {run.label: summarize(run.records, run.profile) for run in runs}
    )
    episodes: list[dict[str, Any]] = []
    activity = {}
    for run in runs:  # one trajectory file in memory at a time: each becomes its (bounded) view as it is read
        viewed = (_viewed(episodes, run, t, directory) for t in load_trajectories(run.path, run.records))
        activity[run.label] = wrapper_activity(viewed)
    return {
        "note": note,
        "comparison": comparison,
        "summaries": summaries,
        "headlines": list(next(iter(summaries.values()))["headline"]),
        "levels": sorted({level for s in summaries.values() for level in s["by_difficulty"]}),
        "images": _plots(summaries, runs),
        "activity": activity,
        "roles": {run.label: summarize(run.records, run.profile)["cost"] for run in runs},
        "episodes": episodes,
        "filters": {
            "stack": sorted({e["stack"] for e in episodes}),
            "outcome": sorted({e["outcome"] for e in episodes}),
            "category": sorted({e["category"] for e in episodes}),
        },
    }


def _viewed(
    episodes: list[dict[str, Any]], run: Run, trajectory: dict[str, Any], directory: Path | None
) -> dict[str, Any]:
    """`trajectory`, after adding its view to `episodes`."""
    file = run.path / TRAJECTORY_DIR / trajectory_name(trajectory["record"]["key"])
    link = Path(os.path.relpath(file, directory)) if directory is not None else file
    episodes.append(episode_view(run.label, trajectory, link.as_posix()))
    return trajectory


def _in_finish_order(run: Run) -> list[Mapping[str, Any]]:
    return in_finish_order(run.records)


def episode_view(stack: str, trajectory: Mapping[str, Any], file: str = "") -> dict[str, Any]:
    """One episode as the trajectory viewer shows it; `file` is its trajectory file, as the page links it."""
    record = trajectory["record"]
    kind = record_error_kind(record)
    error = record.get("error") or {}
    outcome = "success" if record.get("success") else ("error" if kind else "failure")
    evaluation = _mapping(_mapping(trajectory.get("final_info")).get("evaluation"))
    category = "-" if outcome == "success" else _category(error, evaluation)
    steps = trajectory.get("steps") or ()
    shown = _within_budget(_steps_view(steps))
    return {
        "key": record["key"],
        "stack": stack,
        "outcome": outcome,
        "category": category,
        "task": trajectory.get("task") or {"task_id": record["task_id"]},
        "instruction": trajectory.get("instruction") or "",
        "reward": record.get("reward"),
        "steps": shown,
        "steps_total": len(steps),
        "steps_left_out": len(steps) - len(shown),
        "file": file,
        "file_href": urllib.parse.quote(file),
        "failed_tests": _failed_tests(evaluation),
        "error": f"{error.get('type')} at {error.get('stage')} ({error.get('kind')}): {error.get('reason')}"
        if error
        else "",
    }


def _mapping(value: Any) -> Mapping[str, Any]:
    """`value` when it is an object, else empty: what an env reports in its info is read defensively."""
    return value if isinstance(value, Mapping) else {}


def _category(error: Mapping[str, Any], evaluation: Mapping[str, Any]) -> str:
    if error:
        return f"error: {error.get('type', 'Error')}"
    return str(evaluation.get("failure_category") or "unknown")


def _failed_tests(evaluation: Mapping[str, Any]) -> list[str]:
    tests = evaluation.get("tests")
    if isinstance(tests, Mapping):
        return [str(name) for name, passed in tests.items() if not passed]
    if isinstance(tests, list):
        return [
            f"{t.get('requirement') or t.get('name') or '?'}: {t.get('reason') or ''}".rstrip(": ")
            for t in tests
            if isinstance(t, Mapping) and not t.get("passed")
        ]
    return []


def _steps_view(steps: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    views: list[dict[str, Any]] = []
    for step in steps:
        policy = step.get("policy") or {}
        reports = step_reports(step).items()
        events = {name: {k: v for k, v in report.items() if k != "cost"} for name, report in reports}
        views.append(
            {
                "prompt": _prompt_view(step.get("prompt"), views[-1] if views else None),
                "reply": policy.get("reply") if isinstance(policy, Mapping) else None,
                "action": step.get("action", ""),
                "output": step.get("output", ""),
                "reward": step.get("reward"),
                "events": {name: json.dumps(report, indent=1, default=str) for name, report in events.items()},
            }
        )
    return views


def _within_budget(views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The steps with their texts cut: each at MAX_TEXT_CHARS and all together at MAX_EPISODE_CHARS (a step's
    action and observation first, then its reply, prompt and wrapper events); steps after the one that
    spent it are left out. Cut here, after the prompts were compared whole with the step before's texts."""
    left = MAX_EPISODE_CHARS

    def take(text: Any) -> str:
        nonlocal left
        text = "" if text is None else str(text)
        limit = min(MAX_TEXT_CHARS, left)
        left -= min(len(text), limit)
        return _cut(text, limit)

    shown_steps = []
    for view in views:
        if left <= 0:
            break
        action, output = take(view["action"]), take(view["output"])  # first: what the agent did and saw
        reply = None if view["reply"] is None else take(view["reply"])
        prompt = view["prompt"]
        if prompt is not None:
            added = [{**m, "content": None if m["content"] is None else take(m["content"])} for m in prompt["added"]]
            prompt = {**prompt, "added": added}
        events = {name: take(text) for name, text in view["events"].items()}
        shown_steps.append(
            {**view, "prompt": prompt, "reply": reply, "action": action, "output": output, "events": events}
        )
    return shown_steps


def _prompt_view(prompt: Any, before: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The step's new prompt messages; one that only repeats the step before's action or observation (as
    the history turns of a prompt do) is named, not shown again, so the page grows with the episode once."""
    if not isinstance(prompt, Mapping):
        return None
    messages = []
    for message in prompt.get("added") or ():
        content = message.get("content")
        if before is not None and message.get("role") == "assistant" and content == before["action"]:
            messages.append({"role": message.get("role"), "content": None, "same_as": "the step before's action"})
        elif before is not None and message.get("role") == "user" and content == before["output"]:
            messages.append({"role": message.get("role"), "content": None, "same_as": "the step before's observation"})
        else:
            messages.append({"role": message.get("role"), "content": content, "same_as": None})
    return {"kept": int(prompt.get("kept") or 0), "added": messages}


def _cut(text: Any, limit: int = MAX_TEXT_CHARS) -> str:
    text = "" if text is None else str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n[... {len(text) - limit} more characters in the trajectory file]"


def _plots(summaries: Mapping[str, Mapping[str, Any]], runs: Sequence[Run]) -> list[dict[str, str]]:
    """The plots as data: URIs, drawn into a scratch dir (the run dir's PNGs are left as they are)."""
    images = []
    with tempfile.TemporaryDirectory(prefix="trainfree-report-") as scratch:
        drawn: list[tuple[str, Path | None]] = [
            ("Success by difficulty", plots.success_by_difficulty(summaries, Path(scratch) / "difficulty.png")),
            ("Success against tokens", plots.tokens_vs_success(summaries, Path(scratch) / "tokens.png")),
        ]
        for run in runs:
            pulls = [_arm(r) for r in _in_finish_order(run)]
            if len(set(pulls)) > 1 or run.label.startswith("selector:"):
                arms = list(dict.fromkeys(pulls))
                rewards = [float(r["reward"]) for r in _in_finish_order(run)]
                arm_plot = plots.arm_pulls(arms, pulls, rewards, Path(scratch) / f"arms{len(drawn)}.png")
                drawn.append((f"Arm pulls and rewards: {run.label}", arm_plot))
        for caption, drawn_path in drawn:
            if drawn_path is not None:
                data = base64.b64encode(drawn_path.read_bytes()).decode()
                images.append({"caption": caption, "src": f"data:image/png;base64,{data}"})
    return images


def _arm(record: Mapping[str, Any]) -> str:
    return "+".join(record.get("stack") or ()) or "none"
