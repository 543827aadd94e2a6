"""Faults through the real harness (train_free_eval.py in a subprocess): each is recorded
with its reason, nothing is lost or duplicated.

The model is a real HTTP server on 127.0.0.1 that misbehaves on purpose (too
slow, malformed JSON, no choices, or a reply whose code attacks the sandbox).
"""

from __future__ import annotations

import json
import resource
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.harness.conftest import REPO, eval_command, read_lines, run_eval
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


@pytest.mark.parametrize("model_server", [in_turn(*FAULTS.values())], indirect=True)
def test_a_broken_model_server_makes_error_records_with_the_reason(model_server, tmp_path: Path) -> None:
    proc = run_eval(*via(model_server, tmp_path, len(FAULTS)))
    lines = assert_each_episode_once(tmp_path, len(FAULTS))
    assert all(
        r["error"]["type"] == "LLMError" and model_server.url in r["error"]["reason"] and not r["success"]
        for r in lines
    )
    for reason in FAULTS:
        assert any(reason in r["error"]["reason"] for r in lines), (reason, [r["error"]["reason"] for r in lines])
    assert f"LLMError (act): {len(FAULTS)}" in proc.stdout
    run_eval(*via(model_server, tmp_path, len(FAULTS)))  # resume: errors are kept, not redone or duplicated
    assert_each_episode_once(tmp_path, len(FAULTS))
    assert model_server.requests == len(FAULTS)


ATTACKS = {
    "The Python worker died (exit code 7) and was restarted.": "import random\nrandom._os._exit(7)",
    "PermissionError: [Errno 1] Operation not permitted": DISABLE_PYTHON_GUARDS + "os.kill(os.getppid(), 9)",
    "surrogates not allowed": "print('\\udcff' * 3, bytes(range(5)))\nx = 'lone \ud800 surrogate'",
}


@needs_kernel_layers
@pytest.mark.parametrize("model_server", [in_turn(*map(code_reply, ATTACKS.values()))], indirect=True)
def test_attacking_replies_end_as_ordinary_failed_episodes(model_server, tmp_path: Path) -> None:
    run_eval(*via(model_server, tmp_path, len(ATTACKS)))
    for record in assert_each_episode_once(tmp_path, len(ATTACKS)):
        assert record["error"] is None and not record["success"] and record["reward"] == 0.0 and record["steps"] == 1
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
        "max_steps=3",
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
