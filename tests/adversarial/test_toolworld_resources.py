"""Agent code that exhausts resources or sends bad actions: stopped with a reason,
the episode goes on and is still solvable."""

from __future__ import annotations

import pytest

from envs.sandbox.limits import Limits
from envs.sandbox.session import SessionConfig, WorkerSession, WorkerStartError
from envs.toolworld.env import ToolWorldEnv

from .conftest import DISABLE_PYTHON_GUARDS, STEP_TIMEOUT_S, TASK
from .test_toolworld_attacks import assert_still_solvable, needs_kernel_layers


def step_output(env: ToolWorldEnv, action) -> str:
    observation, reward, terminated, truncated, _ = env.step(action)
    assert (reward, terminated, truncated) == (0.0, False, False)
    return observation["history"][-1]["output"]


@pytest.fixture
def episode(toolworld: ToolWorldEnv) -> ToolWorldEnv:
    toolworld.reset(options={"task_id": TASK})
    toolworld.step("kept = 'still here'")
    return toolworld


def assert_variables_survive(env: ToolWorldEnv) -> None:
    assert step_output(env, "print(kept)").endswith("still here\n")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("x = bytearray(8 * 1024**3)", "MemoryError"),
        ("x = 'x' * 10**10", "MemoryError"),
        ("def f(n):\n    return f(n + 1)\nf(0)", "RecursionError"),
        ("import sys", "import of 'sys' is not allowed"),
    ],
    ids=["memory_bomb", "string_bomb", "recursion_bomb", "sys_import"],
)
def test_exhaustion_fails_in_the_step(episode: ToolWorldEnv, code: str, message: str) -> None:
    output = step_output(episode, code)
    assert output.startswith("Execution failed.") and message in output, output[:500]
    assert_variables_survive(episode)
    assert_still_solvable(episode)


@pytest.mark.parametrize(
    "code",
    ["while True:\n    pass", "import time\ntime.sleep(3600)", "x = 1\nwhile x:\n    x = x * 3 % 1000003 or 1"],
    ids=["infinite_loop", "sleep", "busy_arithmetic"],
)
def test_overrunning_code_is_stopped_at_the_step_timeout(episode: ToolWorldEnv, code: str) -> None:
    output = step_output(episode, code)
    assert f"TimeoutError: the code ran longer than {STEP_TIMEOUT_S:g} s and was stopped." in output
    assert "Variables from earlier steps were restored." in output
    assert_variables_survive(episode)
    assert_still_solvable(episode)


@needs_kernel_layers
def test_c_stack_overflow_crashes_only_the_worker(episode: ToolWorldEnv) -> None:
    code = (
        DISABLE_PYTHON_GUARDS
        + "_sys.setrecursionlimit(10**8)\nx = []\nfor _ in range(300_000):\n    x = [x]\nx == x[0]"
    )
    output = step_output(episode, code)
    assert (
        "The Python worker died (killed by signal 11 (SIGSEGV), e.g. a stack overflow in C code)" in output
        and "Variables from earlier steps were restored." in output
    )
    assert_variables_survive(episode)
    assert_still_solvable(episode)


def test_megabytes_of_output_are_cut_to_the_limit_with_a_marker(episode: ToolWorldEnv) -> None:
    output = step_output(episode, "print('head')\nprint('x' * 5_000_000)\nprint('tail')")
    assert len(output) < 4_000 + 100 and "[output truncated: 4996011 characters dropped]" in output
    assert output.startswith("head\nxxx") and output.endswith("xxx\ntail\n")


def test_binary_and_invalid_unicode_output_never_breaks_the_observation(episode: ToolWorldEnv) -> None:
    binary = step_output(episode, "print(bytes(range(256)))\nprint(''.join(map(chr, range(0, 0x3000, 7))))")
    assert binary.startswith("b'\\x00\\x01") and "Execution failed" not in binary
    surrogate = step_output(episode, "print('\\udcff')")
    assert surrogate == "?\n"  # a lone surrogate in the output becomes '?' in the observation
    raw = step_output(episode, "import random\nrandom._os.write(1, bytes(range(256)))\nprint('after')")
    assert raw == "after\n"  # fd 1 of the worker is /dev/null; only print reaches the agent
    assert episode.observation_space.contains(episode.unwrapped._observation())


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (None, "expected a string of Python code, got NoneType"),
        (42, "got int"),
        (b"print(1)", "got bytes"),
        (["print(1)"], "got list"),
        ("#" * 10_000_000, "10000000 characters, the limit is"),
    ],
    ids=["none", "int", "bytes", "list", "ten_megabytes"],
)
def test_bad_actions_get_a_clear_error_observation(episode: ToolWorldEnv, action, message: str) -> None:
    output = step_output(episode, action)
    assert output.startswith("Invalid action:") and message in output
    assert len(episode.unwrapped._observation()["history"][-1]["action"]) <= episode.max_action_chars
    assert_variables_survive(episode)
    assert_still_solvable(episode)


def test_lone_surrogates_in_the_action_are_an_agent_error(episode: ToolWorldEnv) -> None:
    output = step_output(episode, "name = 'ab\ud800cd'\nprint(name)")
    assert output.startswith("Execution failed.") and "surrogates not allowed" in output
    assert episode.observation_space.contains(episode.unwrapped._observation())
    assert_variables_survive(episode)
    assert_still_solvable(episode)


def test_unknown_task_id_is_named(toolworld: ToolWorldEnv) -> None:
    with pytest.raises((KeyError, ValueError), match="no_such_task_7"):
        toolworld.reset(options={"task_id": "no_such_task_7"})


def test_a_worker_that_cannot_confine_itself_runs_nothing_and_says_why() -> None:
    """Setup faults (here an impossible CPU pinning) stop the worker before any code, with the reason;
    no silent crash loop."""
    limits = Limits(cpu_seconds=None, memory_bytes=1024**3, file_size_bytes=0, cpu_affinity=(4000,))
    session = WorkerSession(SessionConfig(limits=limits, sandbox="rlimit"), spare=False)
    try:
        with pytest.raises(
            WorkerStartError, match=r"could not confine itself, so it ran nothing: OSError: \[Errno 22\]"
        ):
            session.run("print('ran')", lambda *call: (True, None, ""), timeout_s=10)
    finally:
        session.close()
