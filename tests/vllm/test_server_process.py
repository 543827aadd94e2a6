"""ServerProcess, the start/wait/stop machinery under VLLMServer, with small real servers."""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from pathlib import Path

import pytest

from policies.llm.base import LLMError
from policies.llm.llama_server import free_port
from policies.llm.server_process import ServerProcess, answers


def python(code: str) -> list[str]:
    return [sys.executable, "-u", "-c", code]


def test_a_server_that_never_gets_ready_times_out_with_its_log() -> None:
    server = ServerProcess(
        python("print('loading weights...'); import time; time.sleep(60)"),
        "http://127.0.0.1:9/health",
        "slow",
        startup_timeout_s=1.5,
    )
    with pytest.raises(
        LLMError, match=r"(?s)slow not ready at http://127.0.0.1:9/health after 2 s.*loading weights\.\.\."
    ) as failure:
        server.start()
    assert "its log ends with" in str(failure.value)
    assert not server.running


def test_a_server_that_exits_while_starting_says_so() -> None:
    server = ServerProcess(
        python("import sys; print('bad flag --foo'); sys.exit(3)"), "http://127.0.0.1:9/health", "broken"
    )
    with pytest.raises(LLMError, match=r"(?s)broken exited with code 3 while starting.*bad flag --foo"):
        server.start()


def gone(pid: int, timeout_s: float = 5.0) -> bool:
    """True once `pid` no longer exists (a killed orphan is reaped by init shortly after)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_start_stop_and_restart_on_the_same_port(tmp_path: Path) -> None:
    port = free_port()
    child_pid_file = str(tmp_path / "child.pid")
    code = (
        "import http.server, subprocess, sys\n"
        f"child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        f"open({child_pid_file!r}, 'w').write(str(child.pid))\n"
        f"http.server.HTTPServer(('127.0.0.1', {port}), http.server.SimpleHTTPRequestHandler).serve_forever()\n"
    )
    with ServerProcess(
        python(code), f"http://127.0.0.1:{port}/", "toy", env={"TOY": "1"}, startup_timeout_s=30
    ) as server:
        assert server.running and answers(f"http://127.0.0.1:{port}/")
        worker = int(open(child_pid_file).read())
        server.stop()
        assert not answers(f"http://127.0.0.1:{port}/", timeout_s=0.5)
        assert gone(worker)  # the server's own children died with it
        server.start()  # restartable, same port
        assert answers(f"http://127.0.0.1:{port}/")
    assert not server.running


def test_starting_shows_a_progress_line_with_the_elapsed_time_and_the_last_log_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    port = free_port()
    code = (
        "import http.server, time\n"
        "for part in (1, 2, 3):\n"
        "    print(f'loading weights {part}/3', flush=True); time.sleep(0.4)\n"
        "print('compiling graphs\\r\\rcompiled 12 graphs', flush=True)\n"
        f"http.server.HTTPServer(('127.0.0.1', {port}), http.server.SimpleHTTPRequestHandler).serve_forever()\n"
    )
    with ServerProcess(python(code), f"http://127.0.0.1:{port}/", "toy server", startup_timeout_s=60):
        pass
    shown = capsys.readouterr().err.split("\r")[-1]  # the line left on screen
    assert re.fullmatch(r"starting toy server: \d\d:\d\d, ready; last log line: compiled 12 graphs\n", shown)
    assert ServerProcess(["true"], "http://127.0.0.1:9/", "idle").last_log_line() == "(no log)"


def socket_server(port: int) -> list[str]:
    """A toy server that binds a unix socket in $TOY_SOCKETS (as vLLM's engine does in VLLM_RPC_BASE_PATH),
    never unlinks it, and answers HTTP."""
    return python(
        "import http.server, os, socket\n"
        "sock = socket.socket(socket.AF_UNIX); sock.bind(os.path.join(os.environ['TOY_SOCKETS'], 'engine.sock'))\n"
        f"http.server.HTTPServer(('127.0.0.1', {port}), http.server.SimpleHTTPRequestHandler).serve_forever()\n"
    )


def test_what_a_server_leaves_in_its_scratch_folder_goes_at_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOY_SOCKETS", raising=False)
    port = free_port()
    server = ServerProcess(
        socket_server(port), f"http://127.0.0.1:{port}/", "toy", scratch_env=("TOY_SOCKETS",), startup_timeout_s=30
    )
    with server:
        assert server.process is not None
        environ = Path(f"/proc/{server.process.pid}/environ").read_bytes().split(b"\0")
        folder = Path(next(item for item in environ if item.startswith(b"TOY_SOCKETS=")).split(b"=", 1)[1].decode())
        assert folder.parent == Path(tempfile.gettempdir()) and folder.name.startswith("toy_")
        assert (folder / "engine.sock").is_socket() and (folder / "server.log").is_file()
    assert not folder.exists()  # the killed server's socket and its log went with the folder


def test_a_scratch_variable_the_user_set_is_left_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOY_SOCKETS", str(tmp_path))
    port = free_port()
    with ServerProcess(
        socket_server(port), f"http://127.0.0.1:{port}/", "toy", scratch_env=("TOY_SOCKETS",), startup_timeout_s=30
    ):
        assert (tmp_path / "engine.sock").is_socket()
    assert (tmp_path / "engine.sock").is_socket()  # the user's folder is theirs: nothing in it is deleted
