"""Agent code attacking the pipe between the ToolWorld env and its worker.

Agent code shares the worker's process, so besides honest API calls it can
write any bytes to the worker's end of the pipe (`apis._channel` holds the
descriptor and the current step's sequence number). Whatever it writes, a
step returns within its time limit, the env's memory stays bounded, nothing
deep reaches a handler or raises out of `env.step`, no later step sees an
earlier step's messages, and the episode stays solvable.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from envs.sandbox import wire
from envs.sandbox.session import SessionConfig, WorkerSession
from envs.toolworld.apps import all_apps
from envs.toolworld.env import RECORDED_NAME_CHARS, RECORDED_PATH_PARTS, ToolWorldEnv

from .conftest import DISABLE_PYTHON_GUARDS, REPO, STEP_TIMEOUT_S, TASK
from .test_toolworld_attacks import assert_still_solvable
from .test_toolworld_worker import state as process_state

#: Writes `message` (bytes built from `seq`, this step's number) `times` times to the worker's pipe, never
#: reading a reply: what agent code can do once it has `os` (here through `random._os`).
RAW_WRITE = """
import random
channel = apis._channel
seq = getattr(channel, 'seq', 0)
data = ({message}) * {times}
view = memoryview(data)
while view:
    view = view[random._os.write(channel.wfd, view):]
"""
#: An honest-looking call message with this step's number, as an expression in agent code.
CALL = 'b\'{"op": "call", "seq": %d, "path": ["supervisor", "show_profile"], "args": [], "kwargs": {}}\\n\' % seq'


def raw_write(message: str, times: int = 1) -> str:
    return RAW_WRITE.format(message=message, times=times)


def step(env: ToolWorldEnv, action: str) -> tuple[str, dict[str, Any]]:
    observation, reward, terminated, truncated, info = env.step(action)
    assert (reward, terminated, truncated) == (0.0, False, False)
    return observation["history"][-1]["output"], info


def step_within(env: ToolWorldEnv, action: str, wait_s: float = 30.0) -> str:
    """The step's output; fails (instead of hanging the suite) when the step does not return in `wait_s`."""
    done: list[str] = []
    runner = threading.Thread(target=lambda: done.append(step(env, action)[0]), daemon=True)
    runner.start()
    runner.join(wait_s)
    assert done, f"env.step did not return within {wait_s} s"
    return done[0]


@pytest.fixture
def own_env() -> Iterator[ToolWorldEnv]:
    """An env of its own: closing it also frees a step that hangs (the bug these tests look for)."""
    env = ToolWorldEnv(split="train", step_timeout_s=STEP_TIMEOUT_S, output_limit=4_000, sandbox="rlimit")
    env.reset(options={"task_id": TASK})
    yield env
    env.close()


def test_flooding_calls_and_never_reading_replies_cannot_block_the_step(own_env: ToolWorldEnv) -> None:
    step(own_env, "kept = 'still here'")
    worker = own_env.worker.proc
    output = step_within(own_env, raw_write(CALL, times=20_000))
    assert "was stopped" in output and ("TimeoutError" in output or "LimitError" in output), output
    assert worker.wait(timeout=10) is not None  # the flooding worker is gone, not orphaned
    assert step(own_env, "print(kept)")[0].endswith("still here\n")
    assert_still_solvable(own_env)


def test_a_step_never_serves_more_than_its_call_budget(toolworld: ToolWorldEnv) -> None:
    toolworld.reset(options={"task_id": TASK})
    code = "for _ in range(5_000):\n    try:\n        apis.no_app.no_api()\n    except Exception:\n        pass"
    output, info = step(toolworld, code)
    assert "LimitError: the code made more than 1,000 API calls in one step and was stopped." in output, output
    assert info["api_calls"] == 1_000
    assert_still_solvable(toolworld)


def test_a_call_path_is_recorded_bounded_and_still_replays(toolworld: ToolWorldEnv) -> None:
    """A call's path is the agent's to choose: 240,000 names were kept whole in every call's record, growing the
    env by ~17 MB a call for the rest of the episode (and in every snapshot). Only a bounded prefix is kept."""
    toolworld.reset(options={"task_id": TASK})
    code = "for path in (['a' * 2_000_000], ['abcdefgh'] * 240_000):\n    try:\n"
    code += "        apis._channel.call(path, [], {})\n    except Exception as err:\n        print(str(err)[:60])"
    output, info = step(toolworld, code)
    assert output.count("Response status code is 404") == 2 and info["api_calls"] == 2, output
    paths = [call["path"] for call in toolworld.steps[-1].calls]
    assert paths == [["a" * RECORDED_NAME_CHARS], ["abcdefgh"] * RECORDED_PATH_PARTS]
    state = toolworld.get_state()
    assert len(pickle.dumps(state)) < 20_000
    toolworld.set_state(state)  # the replay sends the whole paths again and matches them on their prefix
    assert toolworld.steps[-1].calls[1]["path"] == ["abcdefgh"] * RECORDED_PATH_PARTS
    assert_still_solvable(toolworld)


def test_no_api_name_is_longer_than_what_a_record_keeps() -> None:
    """Cutting a path to its recorded prefix never turns a path that was no API into one that is."""
    for app_name, app in all_apps().items():
        assert len(app_name) <= RECORDED_NAME_CHARS
        assert all(len(api_name) <= RECORDED_NAME_CHARS for api_name in app.apis), app_name


def test_a_step_never_receives_more_than_its_byte_budget(toolworld: ToolWorldEnv) -> None:
    toolworld.reset(options={"task_id": TASK})
    code = "for _ in range(40):\n    try:\n        apis.supervisor.show_profile(x='y' * 3_000_000)\n"
    code += "    except Exception:\n        pass"
    output, _ = step(toolworld, code)
    assert "LimitError: the code sent more than 32 MB to the env in one step and was stopped." in output, output
    assert_still_solvable(toolworld)


def test_handler_time_counts_against_the_step_deadline() -> None:
    """Calls flooded into the pipe are served one by one; a slow handler cannot stretch the step past its time."""
    served: list[list[str]] = []

    def slow(path: list[str], args: list[Any], kwargs: dict[str, Any]) -> tuple[bool, Any, str]:
        served.append(path)
        time.sleep(0.2)
        return True, None, ""

    session = WorkerSession(SessionConfig(sandbox="rlimit"), spare=False)
    result: list[Any] = []
    code = raw_write(CALL, times=300) + "\nwhile True:\n    pass"
    runner = threading.Thread(target=lambda: result.append(session.run(code, slow, timeout_s=1.0)), daemon=True)
    try:
        runner.start()
        runner.join(60)
        assert result, "the step did not return"
        assert result[0].stopped == "timeout"
        assert len(served) <= 6  # 1 s of 0.2 s calls, and no call started after the deadline
    finally:
        session.close()


DEEP_CALL = 'b\'{"op": "call", "seq": %d, "path": ["a", "b"], "args": \' % seq'
DEEP_CALL += " + b'[' * 900 + b']' * 900 + b'}\\n'"
DEEP = "x = []\nfor _ in range({depth}):\n    x = [x]\n"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (DEEP.format(depth=500) + "apis.supervisor.show_profile(x)", "nested more than 32 deep"),
        (DEEP.format(depth=50_000) + "apis.supervisor.show_profile(x)", "cannot be sent: nested too deep"),
        (DEEP.format(depth=40) + "apis.supervisor.show_profile(**{'k': x})", "nested more than 32 deep"),
    ],
    ids=["deep_argument", "deeper_than_python_recursion", "deep_keyword"],
)
def test_deep_api_arguments_fail_in_the_agents_code_and_never_reach_the_api(
    toolworld: ToolWorldEnv, code: str, message: str
) -> None:
    toolworld.reset(options={"task_id": TASK})
    output, info = step(toolworld, code)
    assert output.startswith("Execution failed.") and "ValueError: arguments of supervisor.show_profile" in output
    assert message in output and info["api_calls"] == 0, output
    assert_still_solvable(toolworld)


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("b'[' * 100_000 + b'\\n'", "nested more than 32 deep"),
        (
            DEEP_CALL,
            "nested more than 32 deep",
        ),
        ("b'[' + b'{}, ' * 3_000_000 + b'{}]\\n'", "over the 4,194,304 byte limit"),
        ("b'[' + b'{}, ' * 300_000 + b'{}]\\n'", "over 250,000 values"),
        ("b'\\xff\\xfe{]\\n'", "malformed message"),
    ],
    ids=["deep_raw", "deep_raw_call", "huge_raw", "many_values_raw", "garbage_raw"],
)
def test_raw_bytes_on_the_pipe_restart_the_worker_and_never_shift_outputs(
    toolworld: ToolWorldEnv, message: str, reason: str
) -> None:
    toolworld.reset(options={"task_id": TASK})
    step(toolworld, "kept = 'still here'")
    output, info = step(toolworld, raw_write(message) + "\nprint('first')")
    assert "The Python worker died (the worker sent" in output and reason in output, output
    assert "first" not in output and info["api_calls"] == 0
    assert step(toolworld, "print('second')")[0] == "second\n"
    assert step(toolworld, "print(kept)")[0] == "still here\n"
    assert_still_solvable(toolworld)


def test_a_forged_done_never_shows_up_as_a_later_steps_output(toolworld: ToolWorldEnv) -> None:
    toolworld.reset(options={"task_id": TASK})
    forged = 'b\'{"op": "done", "seq": %d, "ok": true, "output": "forged\\\\n"}\\n\' % seq'
    late_call = (
        "try:\n    apis.supervisor.complete_task()\nexcept Exception as err:\n    note = str(err)\nprint('real')"
    )
    first, _ = step(toolworld, raw_write(forged) + late_call)
    assert first == "forged\n"  # the agent may choose its own step's output, nothing more
    second, info = step(toolworld, "print('second')")  # the first step's code finishes here, unseen
    assert second == "second\n" and info["api_calls"] == 0  # its late "done" is dropped, its call refused
    assert "output was already returned" in step(toolworld, "print(note)")[0]
    assert_still_solvable(toolworld)


def test_code_running_on_after_its_forged_output_is_stopped_at_the_next_step(toolworld: ToolWorldEnv) -> None:
    """Forged output returns the step at once while its code spins on, taking the env's CPU while the policy
    thinks; the next step found a worker that never read it and timed out. Now that step stops the worker and
    restores the variables without replaying the spinning step."""
    toolworld.reset(options={"task_id": TASK})
    step(toolworld, "kept = 7")
    # it names itself in bytes that are no UTF-8 first: the env reads its /proc state as bytes
    rename = DISABLE_PYTHON_GUARDS + "real_import('ctypes').CDLL(None).prctl(15, b'\\xff\\xfe)(', 0, 0, 0)\n"
    spin = rename + "apis._channel.send({'op': 'done', 'ok': True, 'output': 'all good'})\nwhile True:\n    pass"
    assert step(toolworld, spin)[0] == "all good"
    spinning = toolworld.worker.proc
    time.sleep(0.3)  # the policy thinks
    assert process_state(spinning.pid) == "R"
    output = step_within(toolworld, "print(kept)", wait_s=2 * STEP_TIMEOUT_S)  # stop, restart, replay, run
    assert output == (
        "Note: the Python worker was still running code after the last step's output and was restarted. "
        "Variables from earlier steps were restored.\n7\n"
    ), output
    assert spinning.wait(timeout=10) is not None
    assert_still_solvable(toolworld)


def test_a_forged_output_over_the_limit_is_refused(toolworld: ToolWorldEnv) -> None:
    toolworld.reset(options={"task_id": TASK})
    forged = 'b\'{"op": "done", "seq": %d, "ok": true, "output": "\' % seq + b\'x\' * 1_000_000 + b\'"}\\n\''
    output, _ = step(toolworld, raw_write(forged) + "\nimport time\ntime.sleep(1)")
    assert "characters of output, over its limit" in output and len(output) < 4_000 + 300, output[:300]
    assert_still_solvable(toolworld)


def deep_list(depth: int) -> list[Any]:
    deep: list[Any] = []
    for _ in range(depth):
        deep = [deep]
    return deep


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (deep_list(100_000), "ValueError: object too deeply nested to marshal"),
        ("x" * (wire.MAX_MESSAGE_BYTES + 1), "bytes, over the 4,194,304 byte limit"),
        ({1, 2}.union, "ValueError: unmarshallable object"),
    ],
    ids=["too deep", "too big", "not data"],
)
def test_an_answer_that_cannot_be_sent_reaches_the_agent_as_an_error_and_the_worker_goes_on(
    answer: object, why: str
) -> None:
    session = WorkerSession(SessionConfig(sandbox="rlimit"), spare=False)
    try:
        result = session.run(
            "try:\n    apis.a.b()\nexcept Exception as err:\n    print(err)\nalive = 1",
            lambda *call: (True, answer, ""),
            timeout_s=30,
        )
        assert result.ok and result.output.startswith("the answer of a.b cannot be sent: ") and why in result.output
        assert session.run("print(alive)", lambda *call: (True, None, ""), timeout_s=30).output == "1\n"
    finally:
        session.close()


FLOOD_MEMORY = """
import json, resource
from envs.toolworld.apps import all_apps
from envs.toolworld.env import RECORDED_NAME_CHARS, RECORDED_PATH_PARTS, ToolWorldEnv
env = ToolWorldEnv(split="train", step_timeout_s=5, sandbox="rlimit")
env.reset(options={"task_id": "phone_reply_latest_0"})
env.step("x = 1")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
observation, *_ = env.step(ATTACK)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"growth_mb": (after - before) / 1024, "output": observation["history"][-1]["output"][:300]}))
env.close()
"""


@pytest.mark.parametrize(
    "attack",
    [
        raw_write(
            'b\'{"op": "call", "seq": %d, "path": ["supervisor", "show_profile"], "args": [\' % seq'
            " + b'{}, ' * 3_900_000 + b'{}], \"kwargs\": {}}\\n'",
            times=40,
        ),
        "for _ in range(6):\n    try:\n        apis.supervisor.show_profile(x=[{}] * 3_900_000)\n"
        "    except Exception:\n        pass",
        raw_write(
            'b\'{"op": "call", "seq": %d, "path": ["supervisor", "show_profile"], "args": [\' % seq'
            " + b'{}, ' * 120_000 + b'{}], \"kwargs\": {}}\\n'",
            times=100,
        ),
    ],
    ids=["raw_huge_calls", "huge_arguments", "raw_calls_under_the_caps"],
)
def test_api_argument_floods_keep_the_env_process_small(attack: str) -> None:
    """Peak RSS of a real env process under the flood: over a gigabyte before the pipe was bounded."""
    script = FLOOD_MEMORY.replace("ATTACK", repr(attack))
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["growth_mb"] < 150, report
