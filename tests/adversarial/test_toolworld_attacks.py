"""Agent code attacking the ToolWorld sandbox: each attack fails, the env keeps working, the evaluation is untouched.

Every case runs the attack as one step of a fresh episode, checks the step's
output says it failed (and why), that nothing leaked out (no file, no
connection, no process), then plays the task's oracle in the same episode:
it must still end with reward 1 and every test passed. Cases marked "kernel"
first switch the worker's Python guards off (see DISABLE_PYTHON_GUARDS), so
they prove the seccomp / Landlock / rlimit layer on its own.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from envs.sandbox import landlock, seccomp
from envs.toolworld.env import ToolWorldEnv

from .conftest import DISABLE_PYTHON_GUARDS, REPO, TASK, accepted_any

MARK = "{mark}"  # replaced by a per-test path that must never come to exist
EPERM, EACCES = "[Errno 1] Operation not permitted", "[Errno 13] Permission denied"

PYTHON_LEVEL = [
    ("dunder_import", "__import__('os').system('touch {mark}')", "import of 'os' is not allowed"),
    ("importlib", "import importlib\nimportlib.import_module('os')", "import of 'importlib' is not allowed"),
    ("builtins_module", "import builtins\nbuiltins.open('{mark}', 'w')", "import of 'builtins' is not allowed"),
    ("builtins_dict", "__builtins__['open']('{mark}', 'w')", "KeyError: 'open'"),
    ("relative_import", "from . import session", "relative imports are not allowed here"),
    (
        "getattr_chain_subclasses",
        "w = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == '_wrap_close'][0]\n"
        "w.__init__.__globals__['system']('touch {mark}')",
        "os.system is not allowed",
    ),
    ("eval_string", "eval(\"__import__('subprocess')\")", "import of 'subprocess' is not allowed"),
    ("exec_string", 'exec("import socket\\nsocket.socket()")', "import of 'socket' is not allowed"),
    ("ctypes_import", "import ctypes", "import of 'ctypes' is not allowed"),
    (
        "ctypes_via_real_import",
        "import random\nrandom._os.sys.modules['builtins'].__import__('ctypes')",
        "ctypes.dlopen is not allowed",
    ),
    (
        "pickle_reduce",
        "import random\npickle = random._os.sys.modules['builtins'].__import__('pickle')\n"
        "pickle.loads(b\"cposix\\nsystem\\n(S'touch {mark}'\\ntR.\")",
        "import of 'posix' is not allowed",
    ),
    (
        "patch_module_globals",
        "import random\nm = random._os.sys.modules['__main__']\nm.BLOCKED_EVENTS = ()\nm.WRITE_FLAGS = 0\n"
        "random._os.system('touch {mark}')",
        "os.system is not allowed",
    ),
    (
        "write_outside",
        "import random\nfd = random._os.open('{mark}', random._os.O_WRONLY | random._os.O_CREAT)",
        "writing files is not allowed",
    ),
    (
        "read_env_source",
        f"import random\nrandom._os.open('{REPO}/envs/toolworld/tasks.py', 0)",
        "is not allowed in this sandbox",
    ),
    (
        "subprocess",
        "import random\nrandom._os.sys.modules['builtins'].__import__('subprocess').run(['touch', '{mark}'])",
        "is not allowed in this sandbox",
    ),
]

KERNEL_LEVEL = [
    ("kernel_system", "print(os.system('touch {mark}'))", "32512"),  # posix_spawn refused: the shell never starts
    ("kernel_fork", "os.fork()", EPERM),
    ("kernel_fork_bomb", "while True:\n    os.fork()", EPERM),
    ("kernel_exec", "os.execv('/bin/sh', ['sh', '-c', 'touch {mark}'])", EPERM),
    (
        "kernel_ctypes_system",
        "ctypes = real_import('ctypes')\nprint(ctypes.CDLL(None).system(b'touch {mark}'))",
        "32512",
    ),
    ("kernel_write_outside", "os.open('{mark}', os.O_WRONLY | os.O_CREAT)", EACCES),
    ("kernel_read_env_source", f"os.open('{REPO}/envs/toolworld/tasks.py', 0)", EACCES),
    ("kernel_read_parent_environ", "os.open(f'/proc/{os.getppid()}/environ', 0)", EACCES),
    ("kernel_kill_parent", "os.kill(os.getppid(), 9)", EPERM),
    ("kernel_delete_workdir", "os.rmdir(os.getcwd())", EACCES),
    (
        "kernel_raise_rlimit",
        "resource = real_import('resource')\nresource.setrlimit(resource.RLIMIT_AS, (-1, -1))",
        "not allowed to raise maximum limit",
    ),
    ("kernel_unix_pair_then_fork", "s = real_import('socket')\ns.socketpair()\nos.fork()", EPERM),
    (
        "kernel_background_thread",
        "t = real_import('_thread')\nt.start_new_thread(lambda: None, ())",
        "can't start new thread",
    ),
    (
        "kernel_libc_via_ctypes_pythonapi",
        "ctypes = real_import('ctypes')\nprint(ctypes.pythonapi.system(b'touch {mark}'))",
        "32512",
    ),
]


def solve_with_oracle(env: ToolWorldEnv) -> tuple[float, bool, dict]:
    reward, terminated, info = 0.0, False, {}
    for action in env.oracle_actions():
        _, reward, terminated, _, info = env.step(action)
    return reward, terminated, info


def attack(env: ToolWorldEnv, code: str, tmp_path: Path) -> tuple[str, Path]:
    mark = tmp_path / "escaped"
    env.reset(options={"task_id": TASK})
    observation, reward, terminated, truncated, _ = env.step(code.replace(MARK, str(mark)))
    assert (reward, terminated, truncated) == (0.0, False, False)
    return observation["history"][-1]["output"], mark


def assert_still_solvable(env: ToolWorldEnv) -> None:
    reward, terminated, info = solve_with_oracle(env)
    assert terminated and reward == 1.0 and info["success"], info.get("evaluation")
    assert all(test["passed"] for test in info["evaluation"]["tests"])


@pytest.mark.parametrize(("code", "message"), [c[1:] for c in PYTHON_LEVEL], ids=[c[0] for c in PYTHON_LEVEL])
def test_python_level_escape_fails(toolworld: ToolWorldEnv, tmp_path: Path, code: str, message: str) -> None:
    output, mark = attack(toolworld, code, tmp_path)
    assert output.startswith("Execution failed.") and message in output, output
    assert not mark.exists()
    assert_still_solvable(toolworld)


KERNEL_LAYERS = landlock.supported() and seccomp.supported()
ALL_LAYERS = ["parent_death", "capabilities", "landlock", "seccomp"]  # what a worker reports in force, in order
needs_kernel_layers = pytest.mark.skipif(not KERNEL_LAYERS, reason="needs Landlock and the x86_64 seccomp filter")


@needs_kernel_layers
@pytest.mark.parametrize(("code", "message"), [c[1:] for c in KERNEL_LEVEL], ids=[c[0] for c in KERNEL_LEVEL])
def test_kernel_layer_holds_with_python_guards_off(
    toolworld: ToolWorldEnv, tmp_path: Path, code: str, message: str
) -> None:
    output, mark = attack(toolworld, DISABLE_PYTHON_GUARDS + code, tmp_path)
    assert message in output and "not allowed in this sandbox" not in output, output  # the kernel said no, not the hook
    assert not mark.exists() and toolworld.worker.confinement == ALL_LAYERS
    assert_still_solvable(toolworld)


@needs_kernel_layers
def test_guards_really_are_off_in_kernel_cases(toolworld: ToolWorldEnv, tmp_path: Path) -> None:
    """The prefix works: a read the hook refuses (outside Python's own files) becomes a kernel decision."""
    before, _ = attack(toolworld, "import random\nrandom._os.open('/usr/lib/os-release', 0)", tmp_path)
    assert "is not allowed in this sandbox" in before
    after, _ = attack(toolworld, DISABLE_PYTHON_GUARDS + "print(os.open('/usr/lib/os-release', 0))", tmp_path)
    assert after.strip().isdigit(), after  # system libraries are readable by design


@needs_kernel_layers
def test_network_connection_never_arrives(toolworld: ToolWorldEnv, tmp_path: Path, listener) -> None:
    port = listener.getsockname()[1]
    code = DISABLE_PYTHON_GUARDS + f"s = real_import('socket')\ns.create_connection(('127.0.0.1', {port}), timeout=1)"
    output, _ = attack(toolworld, code, tmp_path)
    assert EPERM in output and not accepted_any(listener)
    assert_still_solvable(toolworld)


def test_fake_success_by_monkeypatching_the_api_client_changes_nothing(toolworld: ToolWorldEnv, tmp_path: Path) -> None:
    code = (
        "real_call = type(apis).__call__\ntype(apis).__call__ = lambda self, *a, **kw: {'success': True}\n"
        "print(apis.supervisor.complete_task(answer='done'))"
    )
    toolworld.reset(options={"task_id": TASK})
    observation, reward, terminated, _, _ = toolworld.step(code)
    assert observation["history"][-1]["output"] == "{'success': True}\n" and (reward, terminated) == (0.0, False)
    _, reward, terminated, _, info = toolworld.step("type(apis).__call__ = real_call\napis.supervisor.complete_task()")
    assert terminated and reward == 0.0 and not info["success"]  # completing without the work fails the evaluation
    assert any(not t["passed"] for t in info["evaluation"]["tests"])


def test_forged_protocol_message_restarts_the_worker(toolworld: ToolWorldEnv, tmp_path: Path) -> None:
    code = (
        "import random\n"
        "for fd in range(3, 12):\n"
        "    try:\n"
        '        random._os.write(fd, b\'{"op": "done"}\\n\')\n'
        "    except OSError:\n"
        "        pass"
    )
    output, _ = attack(toolworld, code, tmp_path)
    assert "worker died (the worker sent a malformed message" in output
    assert_still_solvable(toolworld)


def test_worker_exit_from_agent_code_restarts_it_with_variables(toolworld: ToolWorldEnv) -> None:
    toolworld.reset(options={"task_id": TASK})
    toolworld.step("kept = 41")
    observation, *_ = toolworld.step("import random\nrandom._os._exit(3)")
    assert (
        "The Python worker died (exit code 3) and was restarted. Variables from earlier steps were restored."
        in observation["history"][-1]["output"]
    )
    observation, *_ = toolworld.step("print(kept + 1)")
    assert observation["history"][-1]["output"] == "42\n"
    assert_still_solvable(toolworld)


def test_worker_killed_from_outside_is_restarted(toolworld: ToolWorldEnv) -> None:
    toolworld.reset(options={"task_id": TASK})
    toolworld.step("kept = 'yes'")
    os.kill(toolworld.worker.proc.pid, 9)
    toolworld.worker.proc.wait(timeout=5)  # dead before the next step starts
    observation, *_ = toolworld.step("print(kept)")
    assert (
        observation["history"][-1]["output"].endswith("yes\n")
        and "worker had died and was restarted" in observation["history"][-1]["output"]
    )
    assert_still_solvable(toolworld)


#: A step that takes `spin_s` of CPU each time it runs, its replays too
SLOW_STEP = "import time\nstarted = time.monotonic()\nwhile time.monotonic() - started < {spin_s}:\n    pass"


@pytest.mark.parametrize("trigger", ["crash", "timeout"])
def test_restoring_variables_gets_one_step_time_limit_in_all(trigger: str) -> None:
    """Each replayed step had a time limit of its own, so slow earlier steps (agent code can make them slow only
    when replayed) held one env.step for as many limits as the episode had steps (4 steps of 1.8 s under a 2 s
    limit: every crash step took 7.2 s)."""
    limit_s = 1.0
    env = ToolWorldEnv(split="train", step_timeout_s=limit_s, max_steps=20, sandbox="rlimit")
    try:
        env.reset(options={"task_id": TASK})
        env.step("kept = 1")
        for _ in range(5):  # 2.5 s to replay: within the limit each (half of it), over it together
            env.step(SLOW_STEP.format(spin_s=0.5 * limit_s))
        action = "import random\nrandom._os._exit(3)" if trigger == "crash" else "while True:\n    pass"
        began = time.monotonic()
        observation, *_ = env.step(action)
        took_s = time.monotonic() - began
        output = observation["history"][-1]["output"]
        assert "Variables from earlier steps are lost: restoring them took longer than the step time limit" in output
        own_s = 0.0 if trigger == "crash" else limit_s  # the step's own run, then one limit for the restore
        assert took_s < own_s + 2.0 * limit_s, f"env.step took {took_s:.2f} s"  # a limit a replay: 2.5 s more
        observation, *_ = env.step("print('kept' in globals())")
        assert observation["history"][-1]["output"] == "False\n"  # a half-restored worker was not kept
        assert_still_solvable(env)
    finally:
        env.close()
