"""Faults through the real harness (train_free_eval.py in a subprocess, or run_evaluation on real
envs): each is recorded with its reason and whose fault it is, nothing is lost or duplicated, and
no fault can raise a rate.

The model is a real HTTP server on 127.0.0.1 that misbehaves on purpose (down, too slow, malformed
JSON, no choices, or a reply whose code attacks the sandbox), or a scripted chat model in-process.
"""

from __future__ import annotations

import dataclasses
import json
import random
import resource
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import gymnasium as gym
import pytest

from harness.episode import EpisodeSpec, run_episode
from harness.parallel import close_quietly
from harness.report import compare, find_runs
from harness.run import EXIT_MODEL_NOT_ANSWERING, EXIT_NOTHING_COMPLETED, RunRequest, run_evaluation
from harness.summary import summarize
from policies.base import Policy
from policies.llm.base import ChatModel, ChatReply, ChatRequest, Usage
from policies.oracle import OraclePolicy
from tests.harness.conftest import REPO, eval_command, read_lines, run_eval
from tests.harness.test_report import make_run
from tests.harness.tiny_env import TinyEnv, task_meta
from tests.llm.http_servers import completion

from .conftest import DISABLE_PYTHON_GUARDS
from .test_toolworld_attacks import needs_kernel_layers

Answer = Callable[[dict], tuple[float, int, bytes]]  # request body -> (delay_s, status, response body)


class MisbehavingModel:
    """An OpenAI-style chat endpoint whose answers `answer` decides, served from a thread."""

    def __init__(self, answer: Answer) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                delay, status, payload = owner.answer(body)
                owner.requests += 1
                time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up first, as it should

        self.answer, self.requests = answer, 0
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def code_reply(code: str) -> Answer:
    return lambda body: (0.0, 200, json.dumps(completion(body, [f"```python\n{code}\n```"])).encode())


def in_turn(*answers: Answer) -> Answer:
    """Request i gets answers[i] (episodes run one at a time, one request per step)."""
    count = iter(range(10**9))
    return lambda body: answers[min(next(count), len(answers) - 1)](body)


@pytest.fixture
def model_server(request) -> Iterator[MisbehavingModel]:
    server = MisbehavingModel(request.param)
    yield server
    server.close()


def via(server: MisbehavingModel, run_dir: Path, episodes: int) -> list[str]:
    model = (
        f"{{backend:openai_compatible,model:m,base_url:'{server.url}',"
        "max_retries:0,timeout_s:2,server_tokenizer:false}"
    )
    return [
        "env=toolworld",
        "policy=openai_compatible",
        f"policy.model={model}",
        f"limit={episodes}",
        "max_steps=1",
        "workers=1",
        f"hydra.run.dir={run_dir}",
    ]


def assert_each_episode_once(run_dir: Path, expected: int) -> list[dict]:
    lines = read_lines(run_dir)
    assert len(lines) == expected and max(Counter(r["key"] for r in lines).values()) == 1
    return lines


HEALTHY = lambda body: (0.0, 200, json.dumps(completion(body, ["OK"])).encode())  # noqa: E731

FAULTS = {
    "timed out": lambda body: (5.0, 200, b"{}"),  # slower than timeout_s
    "not valid JSON: JSONDecodeError": lambda body: (0.0, 200, b'{"choices": [ {"message": '),
    "answered with no choices": lambda body: (0.0, 200, json.dumps({**completion(body, []), "choices": []}).encode()),
    "not valid JSON: JSONDecodeError: Expecting value: line 1 column 1": lambda body: (
        0.0,
        200,
        b"\xff\xfe not even text",
    ),
}


def is_health_check(body: dict) -> bool:
    return body.get("max_tokens") == 1


@pytest.mark.parametrize(
    "model_server", [lambda body: HEALTHY(body) if is_health_check(body) else (0.0, 503, b"{}")], indirect=True
)
def test_a_model_server_that_stops_answering_mid_run_stops_the_run_and_a_resume_finishes_it(
    model_server, tmp_path: Path
) -> None:
    """Up for the start-up check, then down for everything: the first episode's error is infra (the re-check
    fails too), no further episode starts (each would only burn its retries), and the exit code says so."""
    answers = iter([True])
    model_server.answer = lambda body: HEALTHY(body) if next(answers, False) else (0.0, 503, b'{"error": "down"}')
    proc = run_eval(*via(model_server, tmp_path, 4), "infra_retries=1", "infra_backoff_s=0", check=False)
    assert proc.returncode == EXIT_MODEL_NOT_ANSWERING, proc.stdout + proc.stderr
    (record,) = assert_each_episode_once(tmp_path, 1)
    assert (record["error"]["type"], record["error"]["kind"], record["attempts"]) == ("ModelUnavailable", "infra", 2)
    assert "the model stopped answering mid-run, so 3 episodes were not started" in proc.stderr
    assert "WARNING: 1 of 1 attempted episodes are EXCLUDED from the rates" in proc.stdout

    model_server.answer = HEALTHY  # back up: the resume redoes the infra error and runs the rest
    proc = run_eval(*via(model_server, tmp_path, 4), "retry_errors=true", check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert (summary["episodes"], summary["completed"], summary["infra_errors"]) == (4, 4, 0)


# each episode's requests fail in their own way while the server answers 1-token requests: the episodes' own
FAILING_REQUESTS = in_turn(*FAULTS.values())


@pytest.mark.parametrize(
    "model_server", [lambda body: HEALTHY(body) if is_health_check(body) else FAILING_REQUESTS(body)], indirect=True
)
def test_model_faults_on_an_episodes_requests_are_named_and_count_as_its_failures(model_server, tmp_path: Path) -> None:
    proc = run_eval(*via(model_server, tmp_path, len(FAULTS)), "infra_retries=0", check=False)
    assert proc.returncode == EXIT_NOTHING_COMPLETED, proc.stdout + proc.stderr
    lines = assert_each_episode_once(tmp_path, len(FAULTS))
    for r in lines:
        assert r["error"]["type"] == "ModelUnavailable" and r["error"]["kind"] == "agent", r["error"]
        assert model_server.url in r["error"]["reason"] and not r["success"]
    for reason in FAULTS:
        assert any(reason in r["error"]["reason"] for r in lines), (reason, [r["error"]["reason"] for r in lines])
    assert f"ModelUnavailable (act): {len(FAULTS)}" in proc.stdout
    assert f"FAILED RUN: none of the {len(FAULTS)} episodes completed" in proc.stderr
    run_eval(*via(model_server, tmp_path, len(FAULTS)), "retry_errors=true", check=False)
    assert_each_episode_once(tmp_path, len(FAULTS))  # an agent's failure is never rerun


def test_a_model_server_that_is_down_stops_the_run_before_the_first_episode(tmp_path: Path) -> None:
    server = MisbehavingModel(lambda body: (0.0, 503, b'{"error": "overloaded"}'))
    try:
        proc = run_eval(*via(server, tmp_path, 3), check=False)
    finally:
        server.close()
    assert proc.returncode == EXIT_MODEL_NOT_ANSWERING, proc.stdout + proc.stderr
    assert f"the model does not answer, so no episode was run: model 'm' at {server.url}" in proc.stderr
    assert "InternalServerError" in proc.stderr and server.requests == 1  # one tiny request, not one per episode
    assert not {p.name for p in tmp_path.iterdir()} & {"results.jsonl", "summary.json", "summary.md", "trajectories"}


def test_a_server_error_only_this_episodes_requests_trigger_is_the_agents_failure(tmp_path: Path) -> None:
    """An agent must not make its episode "infrastructure" by making its own prompts crash the server: the
    error persists through the retries while the server answers the 1-token check, so it counts."""
    poison = "crash-the-server"

    def answer(body: dict) -> tuple[float, int, bytes]:
        if is_health_check(body):
            return HEALTHY(body)
        if any(poison in message["content"] for message in body["messages"]):  # the agent's own earlier reply
            return 0.0, 500, b'{"error": "internal error"}'
        return 0.0, 200, json.dumps(completion(body, [f"```python\nprint('{poison}')\n```"])).encode()

    server = MisbehavingModel(answer)
    try:
        proc = run_eval(*via(server, tmp_path, 2), "max_steps=3", "infra_retries=1", "infra_backoff_s=0", check=False)
    finally:
        server.close()
    lines = assert_each_episode_once(tmp_path, 2)
    for r in lines:
        assert (r["error"]["type"], r["error"]["kind"], r["attempts"]) == ("ModelUnavailable", "agent", 2), r
        assert "this episode's own requests are what fails" in r["error"]["reason"]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert (summary["scored"], summary["infra_errors"], summary["headline"]["TGC"]["mean"]) == (2, 0, 0.0)
    assert proc.returncode == EXIT_NOTHING_COMPLETED


ATTACKS = {
    "The Python worker died (exit code 7) and was restarted.": "import random\nrandom._os._exit(7)",
    "PermissionError: [Errno 1] Operation not permitted": DISABLE_PYTHON_GUARDS + "os.kill(os.getppid(), 9)",
    "surrogates not allowed": "print('\\udcff' * 3, bytes(range(5)))\nx = 'lone \ud800 surrogate'",
}


@needs_kernel_layers
@pytest.mark.parametrize("model_server", [in_turn(HEALTHY, *map(code_reply, ATTACKS.values()))], indirect=True)
def test_attacking_replies_end_as_ordinary_failed_episodes(model_server, tmp_path: Path) -> None:
    run_eval(*via(model_server, tmp_path, len(ATTACKS)))
    for record in assert_each_episode_once(tmp_path, len(ATTACKS)):
        assert not record["success"] and record["reward"] == 0.0 and record["steps"] == 1
        assert record["error"] is None or record["error"]["kind"] == "agent"
    outputs = [
        json.loads(path.read_text(encoding="utf-8"))["steps"][0]["output"]
        for path in (tmp_path / "trajectories").glob("*.json")
    ]
    for seen in ATTACKS:
        assert sum(seen in output for output in outputs) == 1, (seen, outputs)


def test_a_full_disk_stops_the_run_and_a_resume_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    """Disk full, simulated with RLIMIT_FSIZE on the harness: results written before the fault survive whole."""
    args = [
        "env=toolworld",
        "policy=oracle",
        "limit=4",
        "max_steps=10",  # the deepest oracle takes 8 steps
        f"hydra.run.dir={tmp_path}",
        "save_trajectories=false",
    ]
    full = 12_000  # bytes: room for the run's config files and a few records, not all of them

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (full, full))

    proc = subprocess.run(
        eval_command(*args), cwd=REPO, capture_output=True, text=True, timeout=300, preexec_fn=small_disk
    )
    before = (tmp_path / "results.jsonl").read_bytes() if (tmp_path / "results.jsonl").exists() else b""
    assert proc.returncode != 0 and "File too large" in proc.stdout + proc.stderr, proc.stderr[-2000:]
    run_eval(*args)
    after = (tmp_path / "results.jsonl").read_bytes()
    whole = before[: before.rfind(b"\n") + 1]
    assert after.startswith(whole)  # every complete line written before the fault is kept as it was
    lines = assert_each_episode_once(tmp_path, 4)
    assert all(r["success"] for r in lines)


# ---- crashing the env can never raise a rate ----------------------------------------------------------------

TINY = {"name": "tiny", "id": "tests.harness.tiny_env:trainfree/Tiny-v0", "kwargs": {}}
SCRIPTED = {"name": "scripted", "kind": "llm", "sampling": {"max_tokens": 64, "seed": 0}}
KNOWN_WORD = "alpha0"  # the one task (of 6) the agent can solve


class StuckAgent(ChatModel):
    """Looks once; answers the one word it knows; otherwise it is stuck and plays `when_stuck`."""

    name = "stuck-agent"

    def __init__(self, when_stuck: str) -> None:
        self.when_stuck = when_stuck

    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:
        seen = " ".join(m["content"] for m in request.messages if m["role"] == "user")
        if not any(m["role"] == "assistant" for m in request.messages):
            text = "look"
        elif f"the word is {KNOWN_WORD}" in seen:
            text = f"answer {KNOWN_WORD}"
        else:
            text = self.when_stuck
        return [ChatReply(text=text, usage=Usage(10, 1), latency_s=0.0, role=role) for _ in range(request.n)]


def stuck_run(run_dir: Path, when_stuck: str) -> dict:
    request = RunRequest(env=TINY, policy=SCRIPTED, wrappers=(), split="dev", limit=None, progress=False)
    return run_evaluation(request, run_dir, model=StuckAgent(when_stuck))


def test_an_agent_that_crashes_the_env_when_stuck_scores_what_it_solves(tmp_path: Path) -> None:
    """The issue's case: 1 task of 6 solved is 16.7%, whether the agent fails honestly or crashes the env."""
    honest = stuck_run(tmp_path / "honest", "answer nothing")
    crashing = stuck_run(tmp_path / "crashing", "crash")
    assert honest["success"]["mean"] == crashing["success"]["mean"] == pytest.approx(1 / 6)
    assert honest["sgc"]["mean"] == crashing["sgc"]["mean"] == 0.0  # no scenario has all its tasks solved
    assert honest["reward"]["mean"] == crashing["reward"]["mean"] == pytest.approx(1 / 6)
    assert (crashing["episodes"], crashing["scored"], crashing["agent_failures"]) == (6, 6, 5)
    assert crashing["agent_failure_reasons"] == {"RuntimeError (step)": 5}
    assert crashing["warnings"] == [] and crashing["exit_code"] == 0


RATE_PROFILE = dataclasses.replace(
    TinyEnv.profile, headlines=(("TGC", "success"), ("SGC", "sgc"), ("answered", "metrics.answered"))
)


class Playing(Policy):
    """Plays the oracle's solution, a wrong answer, or the env-crashing action."""

    def __init__(self, env: TinyEnv, behaviour: str) -> None:
        self.oracle, self.behaviour = OraclePolicy(env), behaviour

    def reset(self, *, seed: int | None = None) -> None:
        self.oracle.reset(seed=seed)

    def act(self, observation) -> str:
        return {"solve": self.oracle.act, "fail": lambda _: "answer nothing", "crash": lambda _: "crash"}[
            self.behaviour
        ](observation)


def test_over_random_mixes_crashes_score_like_honest_failures(tmp_path: Path) -> None:
    """Property: for any mix of solved, failed and crashed episodes, replacing each crash by an honest
    failure leaves every rate where it was (the headline metric can only rise: a crash reports nothing)."""
    tasks, seeds = [task["task_id"] for task in TinyEnv().list_tasks("dev")], (0, 1)
    records = {}
    for task_id in tasks:
        for seed in seeds:
            for behaviour in ("solve", "fail", "crash"):
                env = TinyEnv()
                spec = EpisodeSpec(task=task_meta(task_id, "dev"), seed=seed)
                records[task_id, seed, behaviour] = run_episode(env, Playing(env, behaviour), spec).record
                env.close()
    rng = random.Random(17)
    for _ in range(150):
        mix = {(t, s): rng.choice(("solve", "fail", "crash")) for t in tasks for s in seeds}
        crashed = summarize([records[t, s, b] for (t, s), b in mix.items()], RATE_PROFILE)
        honest = summarize([records[t, s, "fail" if b == "crash" else b] for (t, s), b in mix.items()], RATE_PROFILE)
        for rate in ("success", "sgc", "reward"):
            assert crashed[rate]["mean"] == pytest.approx(honest[rate]["mean"]), (rate, mix)
        assert crashed["by_difficulty"] == honest["by_difficulty"]
        assert crashed["headline"]["answered"]["mean"] <= honest["headline"]["answered"]["mean"]
        assert crashed["scored"] == len(mix)


def test_the_sweep_report_compares_a_stack_that_crashes_where_it_fails_on_every_task(tmp_path: Path) -> None:
    """Dropping episodes where a stack crashed would judge it only where it did not: 100% on 1 of 4."""
    make_run(tmp_path / "0", "none", {"a": True, "b": False, "c": False, "d": True})
    make_run(tmp_path / "1", "crashy", {"a": True, "b": "crash", "c": "crash", "d": "crash"})
    report = compare(find_runs(tmp_path))
    assert report["shared_episodes"] == 4
    assert report["stacks"]["crashy"]["summary"]["success"]["mean"] == 0.25
    assert report["stacks"]["crashy"]["paired_vs_baseline"]["success"]["mean"] == -0.25


# ---- episode_timeout_s holds when a step never returns --------------------------------------------------------


def hanging_run(run_dir: Path, until_closed: bool) -> tuple[dict, list[dict]]:
    env = {**TINY, "kwargs": {"hang_tasks": ["alpha_1"], "hang_until_closed": until_closed}}
    policy = {"name": "oracle", "kind": "oracle"}
    request = RunRequest(env=env, policy=policy, wrappers=(), split="dev", limit=3, episode_timeout_s=1, progress=False)
    finished: list[dict] = []
    runner = threading.Thread(target=lambda: finished.append(run_evaluation(request, run_dir)), daemon=True)
    runner.start()
    runner.join(60)  # a hang guard, not a speed target: without the watchdog the run never returns
    assert finished, "the run hung on a step that never returns"
    return finished[0], read_lines(run_dir)


@pytest.mark.parametrize("until_closed", [True, False], ids=["step-returns-once-killed", "step-never-returns"])
def test_a_step_that_blocks_is_stopped_at_the_episode_deadline_and_the_run_goes_on(
    tmp_path: Path, until_closed: bool
) -> None:
    summary, lines = hanging_run(tmp_path, until_closed)
    by_task = {r["task_id"]: r for r in lines}
    hung = by_task["alpha_1"]["error"]
    assert (hung["type"], hung["stage"], hung["kind"]) == ("EpisodeTimeout", "timeout", "agent")
    assert "in stage step; the env was killed" in hung["reason"]
    assert by_task["alpha_0"]["success"] and by_task["bravo_0"]["success"]  # the next episode got a fresh env
    assert (summary["episodes"], summary["agent_failures"], summary["exit_code"]) == (3, 1, 0)


@needs_kernel_layers
def test_toolworld_agent_code_that_blocks_past_the_deadline_is_killed(tmp_path: Path) -> None:
    """A real ToolWorld step whose agent code outlives the episode's deadline (its own step limit is longer)."""
    env = gym.make("trainfree/ToolWorld-v0", max_steps=3, step_timeout_s=600)
    task = env.unwrapped.list_tasks("dev")[0]

    class Sleeper(Policy):
        def act(self, observation) -> str:
            return "import time\ntime.sleep(300)"

    try:
        # the deadline leaves room for the reset (a worker start) on a loaded machine: it must fire in the step
        result = run_episode(
            env, Sleeper(), EpisodeSpec(task=task, seed=0), timeout_s=6, kill=lambda: close_quietly(env.unwrapped)
        )
    finally:
        env.close()
    error = result.record["error"]
    assert (error["type"], error["kind"], result.env_lost) == ("EpisodeTimeout", "agent", True)
    assert "in stage step; the env was killed" in error["reason"]
