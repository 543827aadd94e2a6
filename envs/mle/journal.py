"""Pieces of an MLE episode that are plain data: journal entries, the chosen
submission, the texts shown to the agent, and the reward definitions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from envs.mle.bounded_text import clip
from envs.mle.competition import Competition
from envs.mle.solution_run import RunResult

SUBMIT = "submit"
#: how every prompt asks a script to print its held-out score, and how parsers find it (one spelling everywhere)
VALIDATION_LINE = "Validation metric:"
#: where a step's output hands over from the env's own lines to what the script printed (wrappers read only the former)
STDOUT_MARK = "--- stdout (end) ---"
SELECTIONS = ("best", "last")
REWARDS = ("percentile", "medal")
SUCCESS_RULES = ("any_medal", "above_median")
_FENCE = re.compile(r"```(?:python|py)?[ \t]*\n(.*?)```", re.DOTALL)
#: upper edges of the run-time bands, as shares of the wall-time limit
RUNTIME_BAND_EDGES = (0.1, 0.25, 0.5, 0.75)


def runtime_band(runtime_s: float, timeout_s: float) -> str:
    """The run time as a band of the wall-time limit, e.g. "under 12 s" or "30-60 s" for a 120 s limit.

    Wall-clock times differ on every rerun, so showing them exactly would make two runs of one script
    give different observations (Gymnasium's check_env refuses that). What a plan needs is how much of
    the limit a run used; bands that wide give a rerun the same band unless it sits on an edge."""
    edges = [share * timeout_s for share in RUNTIME_BAND_EDGES]
    if runtime_s < edges[0]:
        return f"under {edges[0]:g} s"
    for low, high in zip(edges, [*edges[1:], timeout_s], strict=True):
        if runtime_s < high:
            return f"{low:g}-{high:g} s"
    return f"the {timeout_s:g} s limit"


def split_plan(action: str) -> tuple[str, str]:
    """(plan, code): text around a ```python block is the plan; else the leading comment lines."""
    match = _FENCE.search(action)
    if match:
        plan = (action[: match.start()] + action[match.end() :]).strip()
        return plan, match.group(1)
    lines = action.splitlines()
    head = []
    for line in lines:
        if not line.startswith("#"):
            break
        head.append(line.lstrip("# ").rstrip())
    return "\n".join(head).strip(), action


@dataclass
class Candidate:
    """A valid submission the episode may end with."""

    step: int
    validation_score: float | None
    csv: str


def better(new: Candidate, old: Candidate | None, selection: str, lower_is_better: bool) -> bool:
    """Whether `new` replaces `old` as the episode's chosen submission.

    "last": the latest valid submission. "best": the best validation score
    (a scored submission beats an unscored one; ties and unscored go to the later)."""
    if old is None or selection == "last":
        return True
    if new.validation_score is None:
        return old.validation_score is None
    if old.validation_score is None:
        return True
    if lower_is_better:
        return new.validation_score <= old.validation_score
    return new.validation_score >= old.validation_score


def unsubmitted(journal: list[dict]) -> dict:
    """The report fields of an episode that graded nothing although a step wrote a submission.csv, none valid.

    MLE-bench grades the agent's last file: one that exists and is invalid is made, not missing. Reporting
    "no submission.csv was produced" and made_submission 0 would misstate it (and make "made" equal "valid")."""
    written = [e for e in journal if e["submission"] == "invalid"]
    if not written:
        return {}
    last = written[-1]
    reason = (
        f"no valid submission.csv: the last one written (step {last['step']}) was invalid: {last['submission_reason']}"
    )
    return {"submission_exists": True, "invalid_reason": clip(reason)}


def medal_reward(evaluation: dict) -> float:
    """Gold 1, silver 2/3, bronze 1/3, no medal 0."""
    if evaluation["gold_medal"]:
        return 1.0
    if evaluation["silver_medal"]:
        return 2 / 3
    return 1 / 3 if evaluation["bronze_medal"] else 0.0


def data_listing(public_dir: Path) -> str:
    """Files of ./input with sizes; CSVs also with their header and row count."""
    lines = ["Files in ./input:"]
    for path in sorted(p for p in public_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(public_dir).as_posix()
        line = f"- {rel} ({path.stat().st_size:,} bytes)"
        if path.suffix == ".csv":
            with open(path, encoding="utf-8", errors="replace") as handle:
                header = handle.readline().strip()
                rows = sum(1 for _ in handle)
            shown = header if len(header) <= 300 else header[:300] + " ..."
            line += f": {rows:,} rows; columns: {shown}"
        lines.append(line)
    return "\n".join(lines)


def rules_text(
    competition: Competition,
    *,
    max_steps: int,
    timeout_s: float,
    memory_mb: int | None,
    threads: int,
    selection: str,
    validation: bool,
    time_budget_s: float | None,
) -> str:
    cfg = competition.config
    direction = "lower" if cfg.lower_is_better else "higher"
    chosen = (
        "the valid submission with the best validation score (the latest one among equals)"
        if selection == "best" and validation
        else "your latest valid submission"
    )
    lines = [
        "Rules:",
        "- Each action is one complete Python script (a plan may come first as leading # comments, or as text",
        "  around a ```python block). It runs from scratch in a fresh folder; nothing carries over between steps.",
        "- The data is in ./input (a private copy). Write ./submission.csv in the format of "
        "./input/sample_submission.csv.",
        f"- Limits per run: {timeout_s:g} s wall time, "
        + (f"{memory_mb} MiB memory, " if memory_mb else "")
        + f"{threads} thread(s). Available: numpy, pandas, scipy, scikit-learn, num2words.",
        f"- You have {max_steps} steps"
        + (f" and {time_budget_s:g} s of run time in all" if time_budget_s else "")
        + f". Reply with exactly `{SUBMIT}` to finish; the graded submission is {chosen}.",
        f"- Metric: {cfg.metric} ({direction} is better), on a hidden test set.",
    ]
    if validation:
        lines.append(
            "- After a successful run your script is run again on a held-out split of the training data and the"
        )
        lines.append("  validation score is reported (never computed on the test set).")
    return "\n".join(lines)


def journal_entry(
    step: int,
    plan: str,
    code: str,
    run: RunResult | None,
    reason_invalid: str | None,
    submission_exists: bool,
    validation_score: float | None,
    timeout_s: float,
    error: str | None = None,
) -> dict:
    """One attempt. `runtime_s` is the exact wall time (kept for get_state and benchmarks), `runtime` its band
    (what observations and infos show, see runtime_band)."""
    ok = run is not None and run.ok
    failed_output = run.stderr if run is not None and not ok else ""
    summary = error or (failed_output[-600:] if failed_output else (run.stdout[-600:] if run else ""))
    valid = submission_exists and reason_invalid is None
    return {
        "step": step,
        "plan": plan,
        "code": code,
        "status": error or (run.status() if run else "not run"),
        "ran_ok": ok,
        "runtime_s": run.runtime_s if run else 0.0,
        "runtime": runtime_band(run.runtime_s if run else 0.0, timeout_s),
        "output_summary": summary,
        "submission": "valid" if valid else ("invalid" if submission_exists else "missing"),
        "submission_reason": reason_invalid,
        "metric": validation_score,
        "buggy": not (ok and valid),
    }


def public_entry(entry: dict, show_runtime: bool) -> dict:
    """A journal entry as observations and infos carry it: the run-time band (or nothing), never the exact time."""
    shown = {k: v for k, v in entry.items() if k != "runtime_s"}
    if not show_runtime:
        shown.pop("runtime")
    return shown


def journal_table(journal: list[dict], show_runtime: bool = True) -> str:
    if not journal:
        return "Journal: no attempts yet."
    runtime_head = " | runtime" if show_runtime else ""
    lines = [f"Journal of attempts (step | run | submission | validation metric{runtime_head} | buggy | plan):"]
    for e in journal:
        metric = "-" if e["metric"] is None else f"{e['metric']:.5g}"
        runtime = f" | {e['runtime']}" if show_runtime else ""
        plan = " ".join(e["plan"].split())
        plan = plan if len(plan) <= 100 else plan[:97] + "..."
        lines.append(
            f"- {e['step']} | {e['status']} | {e['submission']} | {metric}{runtime} | {e['buggy']} | {plan or '-'}"
        )
    return "\n".join(lines)


def step_output(
    step: int,
    run: RunResult,
    exists: bool,
    reason: str | None,
    validation_score: float | None,
    metric: str,
    validation: bool,
    runtime: str | None,
) -> str:
    """What the agent reads after a run; `runtime` is its band, None to leave it out."""
    parts = [f"[step {step}] {run.status()}" + (f" (run time {runtime})" if runtime else "")]
    if not exists:
        parts.append("submission.csv: missing")
    else:
        parts.append("submission.csv: valid" if reason is None else f"submission.csv: invalid: {clip(reason)}")
    if validation:
        shown = (
            "unavailable (the run or its validation submission failed)"
            if validation_score is None
            else f"{validation_score:.5g}"
        )
        parts.append(f"validation {metric} on a held-out split of train: {shown}")
    parts.append(f"{STDOUT_MARK}\n" + (run.stdout.rstrip() or "(empty)"))
    parts.append("--- stderr (end) ---\n" + (run.stderr.rstrip() or "(empty)"))
    return "\n".join(parts)
