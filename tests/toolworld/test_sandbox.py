"""Agent code that misbehaves is stopped with a clear message and the env keeps working."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from envs.toolworld.env import ToolWorldEnv

from .conftest import run


def sandboxed_env() -> Iterator[ToolWorldEnv]:
    env = ToolWorldEnv(split="train", step_timeout_s=1.5, output_limit=2_000, max_steps=500)
    env.reset(options={"task_id": "phone_reply_latest_0"})
    yield env
    env.close()


@pytest.fixture(scope="module")
def sandboxed() -> Iterator[ToolWorldEnv]:
    """One env for the module, which runs ~40 steps in it."""
    yield from sandboxed_env()


@pytest.fixture
def fresh() -> Iterator[ToolWorldEnv]:
    """An env of its own, for a test that restores variables: every earlier step is replayed within one step
    limit, and the module's steps include 200,000 prints."""
    yield from sandboxed_env()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("import os", "import of 'os' is not allowed"),
        ("import subprocess", "import of 'subprocess' is not allowed"),
        ("import socket", "import of 'socket' is not allowed"),
        ("from os import path", "import of 'os' is not allowed"),
        ("open('/tmp/trainfree-escape.txt', 'w').write('x')", "name 'open' is not defined"),
        ("import random\nrandom._os.system('touch /tmp/trainfree-escape.txt')", "os.system is not allowed"),
        (
            "import random\nrandom._os.open('/tmp/trainfree-escape.txt', random._os.O_WRONLY | random._os.O_CREAT)",
            "writing files is not allowed",
        ),
        ("import random\nrandom._os.fork()", "os.fork is not allowed"),
        ("import random\nrandom._os.open('/etc/passwd', 0)", "reading '/etc/passwd' is not allowed"),
    ],
)
def test_forbidden_things_fail_with_a_clear_message(sandboxed: ToolWorldEnv, code: str, message: str) -> None:
    run(sandboxed, "alive = 'yes'")
    out = run(sandboxed, code)
    assert out.startswith("Execution failed.") and message in out, out
    assert run(sandboxed, "print(alive)") == "yes\n"


@pytest.mark.skipif(not Path("/usr/share/zoneinfo/Europe/Paris").exists(), reason="no time-zone files here")
def test_time_zones_are_readable_and_their_neighbours_are_not(sandboxed: ToolWorldEnv) -> None:
    """zoneinfo reads the system's time-zone files: the audit hook lets them through, and only them."""
    code = (
        "from zoneinfo import ZoneInfo\nimport datetime\n"
        "print(datetime.datetime(2024, 1, 1, 12, tzinfo=ZoneInfo('Europe/Paris')).utcoffset())"
    )
    assert run(sandboxed, code).strip() == "1:00:00"
    out = run(sandboxed, "import random\nrandom._os.open('/usr/share/zoneinfo-not/x', 0)")
    assert "reading '/usr/share/zoneinfo-not/x' is not allowed" in out, out


@pytest.mark.parametrize("suffix", ["2/x", "/../../../etc/passwd", "/lib/../../../../etc/hostname"])
def test_the_python_folders_admit_neither_siblings_nor_a_way_out(sandboxed: ToolWorldEnv, suffix: str) -> None:
    """The audit hook's readable folders end in a separator and '..' is resolved before the check, so neither
    a sibling sharing the prefix (.venv2) nor a climb out of it passes the hook (Landlock is the layer below)."""
    out = run(sandboxed, f"import random\nrandom._os.open(random._os.sys.prefix + {suffix!r}, 0)")
    assert "is not allowed in this sandbox" in out, out


def test_no_file_was_written() -> None:
    import os

    assert not os.path.exists("/tmp/trainfree-escape.txt")


def test_infinite_loop_is_stopped_and_variables_come_back(fresh: ToolWorldEnv) -> None:
    run(fresh, "kept = [1, 2, 3]")
    out = run(fresh, "while True:\n    pass")
    assert "TimeoutError: the code ran longer than 1.5 s and was stopped." in out and "restored" in out
    assert run(fresh, "print(kept)") == "[1, 2, 3]\n"


def test_megabytes_of_output_are_truncated(sandboxed: ToolWorldEnv) -> None:
    out = run(sandboxed, "for i in range(200000):\n    print('spam' * 10)")
    assert len(out) < 2_200 and "output truncated" in out
    assert run(sandboxed, "print('fine')") == "fine\n"


def test_memory_hog_fails_and_worker_survives(sandboxed: ToolWorldEnv) -> None:
    out = run(sandboxed, "big = bytearray(4 * 1024**3)")
    assert out.startswith("Execution failed.") and "MemoryError" in out
    assert run(sandboxed, "print(2 + 2)") == "4\n"


def test_killed_worker_is_restarted(fresh: ToolWorldEnv) -> None:
    run(fresh, "survivor = 'here'")
    fresh.worker.proc.kill()
    fresh.worker.proc.wait()
    out = run(fresh, "print('after')")
    assert "worker had died and was restarted" in out and "restored" in out and out.endswith("after\n")
    assert run(fresh, "print(survivor)") == "here\n"


def test_non_json_arguments_are_refused_clearly(sandboxed: ToolWorldEnv) -> None:
    out = run(sandboxed, "apis.api_docs.show_api_descriptions(app_name={'phone'})")
    assert "TypeError: arguments of api_docs.show_api_descriptions must be JSON values" in out
    assert run(sandboxed, "print(len(apis.api_docs.show_api_descriptions(app_name='phone')) > 5)") == "True\n"


def test_a_runaway_api_argument_is_refused_in_the_agents_code(sandboxed: ToolWorldEnv) -> None:
    run(sandboxed, "before = 'kept'")
    out = run(sandboxed, "apis.phone.send_text_message(access_token='x', phone_number='1', message='y' * (17 * 2**20))")
    assert out.startswith("Execution failed.") and (
        "ValueError: arguments of phone.send_text_message cannot be sent: 17,825,9" in out
        and "bytes, over the 4,194,304 byte limit" in out
    ), out
    assert "worker died" not in out and run(sandboxed, "print(before)") == "kept\n"  # the same worker goes on
