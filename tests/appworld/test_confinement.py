"""What agent code in a real-AppWorld step can reach, once past AppWorld's own guard.

AppWorld's guard is Python-level: it parses the code's imports and patches
`open` and `os.*` while a cell runs. `GUARD_OFF` walks past it the way any agent
code can (a dynamic `__import__` of `_io` and `posix`, whose functions the
guard never patches), so each test below checks the kernel layers of
envs/appworld/worker.py, not AppWorld's guard. On the code before them every
one of these reads, writes and connections succeeded.
"""

from __future__ import annotations

from pathlib import Path

import gymnasium as gym
import pytest

import envs  # noqa: F401 - registers trainfree/AppWorld-v0
from envs.sandbox import landlock, read_grants, seccomp

REPO = Path(__file__).resolve().parents[2]
GUARD_OFF = (
    "import builtins\n"
    "imp = getattr(builtins, '__imp' + 'ort__')\n"
    "op = imp('_io').open\n"
    "listdir = imp('posix').listdir\n"
    "gc = imp('gc')\n"
)
needs_landlock = pytest.mark.skipif(not landlock.supported(), reason="the kernel has no Landlock")
needs_seccomp = pytest.mark.skipif(not seccomp.supported(), reason="the seccomp filter is built for x86_64 only")


@pytest.fixture(scope="module")
def env(appworld_python, appworld_root):
    env = gym.make("trainfree/AppWorld-v0", python=appworld_python, root=str(appworld_root), max_steps=30)
    yield env
    env.close()


def run(env, code: str) -> str:
    obs, *_ = env.step(GUARD_OFF + code)
    return str(obs["history"][-1]["output"])


def test_the_guard_off_helpers_work_and_reset_reports_the_layers(env) -> None:
    _, info = env.reset(options={"task_id": "e4f5a6b_1"})
    assert run(env, "print(type(op).__name__, len(listdir('/usr')) > 0)").strip() == "builtin_function_or_method True"
    sandbox = info["sandbox"]
    assert set(sandbox) == {"capabilities", "rlimits", "landlock", "seccomp", "parent_death"}
    assert sandbox["rlimits"].startswith("on:") and sandbox["capabilities"].startswith("on:")
    assert sandbox["landlock"].startswith("on:" if landlock.supported() else "off: the kernel has no Landlock")
    assert sandbox["seccomp"].startswith("on:" if seccomp.supported() else "off:")


@needs_landlock
def test_no_ground_truth_is_readable_its_own_or_another_tasks(env, appworld_root) -> None:
    env.reset(options={"task_id": "e4f5a6b_1"})
    tasks = appworld_root / "data" / "tasks"
    for path in (
        tasks / "e4f5a6b_1" / "ground_truth" / "answer.json",  # its own answer: 2
        tasks / "e4f5a6b_1" / "ground_truth" / "evaluation.py",
        tasks / "a1b2c3d_1" / "ground_truth" / "evaluation.py",
        tasks / "a1b2c3d_1" / "specs.json",  # another task's data
    ):
        assert path.exists()
        output = run(env, f"print(op({str(path)!r}).read())")
        assert "PermissionError: [Errno 13]" in output, (path, output)
    output = run(env, f"print(listdir({str(tasks / 'e4f5a6b_1' / 'ground_truth')!r}))")
    assert "PermissionError: [Errno 13]" in output, output
    # what the world needs still works: its APIs read and write through AppWorld's in-memory DBs
    assert run(env, "print(apis.api_docs.show_app_descriptions()[0]['name'])").strip() == "api_docs"


def test_no_ground_truth_is_in_the_workers_memory(env) -> None:
    """The agent's worker opens its world without the ground truth (the difficulty comes from its metadata)."""
    _, info = env.reset(options={"task_id": "e4f5a6b_1"})
    assert info["difficulty"] == 1
    code = (
        "from appworld.ground_truth import GroundTruth\nfrom appworld import AppWorld\n"
        "objects = gc.get_objects()\n"
        "print([type(o).__name__ for o in objects if type(o) is GroundTruth],"
        " [o.task.ground_truth is None for o in objects if type(o) is AppWorld])"
    )
    assert run(env, code).strip() == "[] [True]"


@needs_landlock
def test_writing_outside_the_tasks_output_folder_is_refused(env, appworld_root, tmp_path) -> None:
    env.reset(options={"task_id": "a1b2c3d_1"})
    base = env.unwrapped
    outside = [
        tmp_path / "escaped.txt",
        appworld_root / "data" / "tasks" / "a1b2c3d_1" / "ground_truth" / "evaluation.py",
        Path.home() / "trainfree-appworld-escaped.txt",
        REPO / "trainfree-appworld-escaped.txt",
    ]
    for path in outside:
        output = run(env, f"op({str(path)!r}, 'a').write('x')")
        assert "PermissionError: [Errno 13]" in output, (path, output)
        assert not path.exists() or "escaped" not in path.name
    output_folder = appworld_root / "experiments" / "outputs" / base.experiment_name / "tasks" / "a1b2c3d_1"
    assert output_folder.is_dir()
    allowed = run(env, f"op({str(output_folder / 'misc' / 'note.txt')!r}, 'w').write('ok'); print('wrote')")
    assert allowed.strip() == "wrote"
    temp = run(env, "d = imp('tempfile').gettempdir(); op(d + '/scratch', 'w').write('ok'); print(d)").strip()
    assert "trainfree-appworld-" in temp and temp != "/tmp", temp  # the worker's private temp folder


@needs_landlock
def test_home_trainfree_source_and_the_hosts_private_files_are_unreadable(env) -> None:
    """As root without capabilities, file permissions alone admitted /etc/shadow (651 bytes here)."""
    env.reset(options={"task_id": "a1b2c3d_1"})
    for code in (
        f"print(op({str(REPO / 'envs' / 'appworld' / 'env.py')!r}).read()[:20])",
        f"print(listdir({str(Path.home())!r}))",
        "print(op(f'/proc/{imp(\"os\").getppid()}/environ').read()[:20])",  # the env process's environment
    ) + tuple(
        f"print(len(op({p!r}).read()))" for p in read_grants.host_private_paths() if "shadow" in p and Path(p).is_file()
    ):
        output = run(env, code)
        assert "PermissionError: [Errno 13]" in output, (code, output)


@needs_seccomp
def test_sockets_are_refused(env) -> None:
    env.reset(options={"task_id": "a1b2c3d_1"})
    for code in (
        "s = imp('socket').socket(); print('opened', s.fileno())",
        "s = imp('_socket').socket(2, 2); print('opened', s.fileno())",  # UDP, the DNS route
        "s = imp('socket').socket(1, 1); print('opened', s.fileno())",  # a Unix socket could reach host servers
        "print(imp('posix').fork())",
    ):
        output = run(env, code)
        assert "PermissionError: [Errno 1] Operation not permitted" in output, (code, output)
    # the step after still runs the world's real APIs (its in-process client needs no socket)
    login = (
        "passwords = {a['account_name']: a['password'] for a in apis.supervisor.show_account_passwords()}\n"
        "print(sorted(passwords))"
    )
    assert "simple_note" in run(env, login)
