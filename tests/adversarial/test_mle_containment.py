"""What keeps a solution script in, on both sandbox paths (bwrap namespaces, and rlimits + Landlock + seccomp):
secrets of other processes, escaped children, files outside the run, sockets, whole-tree memory, disk,
and the cost of refusing a hostile submission."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import traceback
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from envs.mle import run_namespaces
from envs.mle.env import MLECompetitionEnv
from envs.mle.solution_run import LOG_TAIL_BYTES, _empty_folder, _run_processes, remove_tree
from envs.mle.workdir_quota import usage
from envs.sandbox import bwrap, cgroup, landlock, privileges, seccomp
from envs.sandbox.processes import session_members
from envs.sandbox.read_grants import host_private_paths

from .conftest import FS_IOC_SETFLAGS, FS_NOATIME_FL, FS_SYNC_FL, inode_flags
from .test_mle_attacks import COMPETITION, baseline_score, cache, finish_with_baseline, running  # noqa: F401

BWRAP_REASON = bwrap.unavailable_reason()
KERNEL_LAYERS = landlock.supported() and seccomp.supported()
SANDBOXES = [
    pytest.param("rlimit", marks=pytest.mark.skipif(not KERNEL_LAYERS, reason="needs Landlock and x86_64 seccomp")),
    pytest.param("bwrap", marks=pytest.mark.skipif(BWRAP_REASON is not None, reason=f"bwrap: {BWRAP_REASON}")),
]
SECRET = "sk-trainfree-" + uuid.uuid4().hex
NEEDLE = SECRET[:13] + "' + '" + SECRET[13:]  # the script searches for it without quoting it whole


@pytest.fixture(params=SANDBOXES)
def sandbox(request: pytest.FixtureRequest) -> str:
    return request.param


def open_mle(
    cache_dir: Path, work_root: Path, sandbox: str, disk_mb: int | None = 4096, extra_read_paths: tuple[str, ...] = ()
) -> MLECompetitionEnv:
    env = MLECompetitionEnv(
        COMPETITION,
        cache_dir=cache_dir,
        work_root=work_root,
        step_timeout_s=20,
        max_steps=6,
        sandbox=sandbox,
        disk_mb=disk_mb,
        extra_read_paths=extra_read_paths,
    )
    env.reset()
    return env


@pytest.fixture
def mle(cache: Path, tmp_path: Path, sandbox: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[MLECompetitionEnv]:  # noqa: F811
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)  # what an env process running an LLM agent holds
    env = open_mle(cache, tmp_path, sandbox)
    yield env
    env.close()


def run(env: MLECompetitionEnv, script: str) -> str:
    observation, *_ = env.step(script)
    return observation["history"][-1]["output"]


def run_traced(env: MLECompetitionEnv, script: str) -> tuple[str, int]:
    """The step's output and the most memory the env allocated in Python meanwhile (its peak, traced)."""
    tracemalloc.start()
    try:
        out = run(env, script)
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_no_secret_of_another_process_is_readable(mle, tmp_path: Path) -> None:
    # a bystander with the secret on its command line, as `--api-key sk-...` would put it
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", SECRET])
    script = (
        "import glob, os\n"
        f"needle = ('{NEEDLE}').encode()\n"
        "paths = [f'/proc/{os.getppid()}/environ', f'/proc/{os.getppid()}/cmdline']\n"
        "paths += glob.glob('/proc/*/environ') + glob.glob('/proc/*/cmdline') + glob.glob('/proc/*/task/*/environ')\n"
        "readable = 0\n"
        "for path in paths:\n"
        "    try:\n"
        "        data = open(path, 'rb').read()\n"
        "    except OSError:\n"
        "        continue\n"
        "    readable += 1\n"
        "    if needle in data:\n"
        "        print('LEAK', path)\n"
        "print('scanned', len(paths), 'readable', readable, 'own environment', sorted(os.environ))\n"
        "print('LEAK in env' if needle.decode() in str(os.environ) else 'env clean')\n"
    )
    try:
        out = run(mle, script)
    finally:
        bystander.kill()
        bystander.wait()
    assert "scanned" in out and "env clean" in out, out
    assert "LEAK" not in out and SECRET not in out, out


def test_scripts_hold_no_capability(mle) -> None:
    out = run(mle, "print([l for l in open('/proc/self/status') if l.startswith(('CapEff', 'CapBnd', 'CapPrm'))])")
    assert out.count("0000000000000000") == 3, out


CLONE_PARENT_SCRIPT = """
import ctypes, os, time
libc = ctypes.CDLL(None, use_errno=True)
pid = libc.syscall(56, 0x00008000 | 17, 0, 0, 0, 0)  # clone(CLONE_PARENT | SIGCHLD): a sibling, not a child
if pid == 0:
    time.sleep(60)
    os._exit(0)
print('refused' if pid < 0 else f'SIBLING {pid}', os.strerror(ctypes.get_errno()) if pid < 0 else '', flush=True)
"""


def test_a_clone_parent_child_is_refused_and_nothing_outlives_the_run(mle) -> None:
    out = run(mle, CLONE_PARENT_SCRIPT)
    assert "refused Operation not permitted" in out, out
    fork_storm = (
        "import os, subprocess, sys, time\n"
        "for _ in range(5):\n"
        "    if os.fork() == 0:\n"
        "        subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "        time.sleep(60)\n"
        "print('CHILD', os.getpid(), flush=True)\n"
    )
    pids_before = _children_of_this_process()
    out = run(mle, fork_storm)
    assert "exit status 0" in out, out
    assert _children_of_this_process() <= pids_before  # no zombie or live child handed to the env process


def _children_of_this_process() -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid():
                found.add(int(entry.name))
    return found


def test_shared_memory_and_tmp_files_do_not_outlive_the_run(mle, sandbox: str) -> None:
    if sandbox == "rlimit" and not run_namespaces.available():
        pytest.skip("a private IPC namespace needs CAP_SYS_ADMIN (root)")
    name = f"trainfree-{uuid.uuid4().hex}"
    write = (
        "for folder in ('/dev/shm', '/tmp'):\n"
        "    try:\n"
        f"        open(f'{{folder}}/{name}', 'w').write('left behind')\n"
        "        print('wrote', folder)\n"
        "    except OSError as err:\n"
        "        print('refused', folder, err.errno)\n"
    )
    key = int(uuid.uuid4().int % 2**30) + 1
    write += (
        "import ctypes\n"
        f"print('shmget', ctypes.CDLL(None).shmget({key}, 4096, 0o1000 | 0o600))  # IPC_CREAT: SysV shared memory\n"
    )
    out = run(mle, write)
    assert "shmget" in out, out
    assert not Path("/dev/shm", name).exists() and not Path("/tmp", name).exists()
    assert str(key) not in [line.split()[0] for line in Path("/proc/sysvipc/shm").read_text().splitlines()[1:]]
    out = run(mle, f"import os\nprint('seen' if os.path.exists('/dev/shm/{name}') else 'not seen')")
    assert "not seen" in out, out


def test_parallel_scikit_learn_still_works(mle) -> None:
    script = (
        "import joblib, multiprocessing\n"
        "from joblib import Parallel, delayed\n"
        "print('joblib', sum(Parallel(n_jobs=2)(delayed(abs)(-i) for i in range(10))))\n"
        "try:\n"
        "    with multiprocessing.Pool(2) as pool:\n"
        "        print('pool', sum(pool.map(abs, range(10))))\n"
        "except OSError as err:\n"
        "    print('pool refused', err)\n"
    )
    out = run(mle, script)
    assert "exit status 0" in out and "joblib 45" in out, out
    # bwrap: a private /dev/shm, so semaphores work; else Landlock refuses them, and that is said cleanly
    assert ("pool 45" if mle.unwrapped.in_bwrap else "pool refused") in out, out


@pytest.fixture
def unix_servers(tmp_path: Path) -> Iterator[tuple[str, str, list[socket.socket]]]:
    """A listening Unix socket in a folder outside the run, and one in the abstract namespace."""
    path = str(tmp_path / "agent.sock")
    abstract = f"trainfree-{uuid.uuid4().hex}"
    servers = []
    for address in (path, "\0" + abstract):
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(address)
        server.listen(4)
        server.settimeout(0.2)
        servers.append(server)
    yield path, abstract, servers
    for server in servers:
        server.close()


def test_no_unix_or_netlink_socket_reaches_outside(mle, unix_servers) -> None:
    path, abstract, servers = unix_servers
    script = (
        "import socket\n"
        f"for address in ({path!r}, '\\0' + {abstract!r}):\n"
        "    try:\n"
        "        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
        "        s.connect(address)\n"
        "        print('CONNECTED', repr(address))\n"
        "    except OSError as err:\n"
        "        print('refused unix', err)\n"
        "for kind in (socket.SOCK_DGRAM, socket.SOCK_RAW):\n"
        "    try:\n"
        "        socket.socket(socket.AF_NETLINK, kind, 0)\n"
        "        print('NETLINK OPEN')\n"
        "    except OSError as err:\n"
        "        print('refused netlink', err)\n"
    )
    out = run(mle, script)
    assert out.count("refused unix") == 2 and out.count("refused netlink") == 2, out
    for server in servers:
        with pytest.raises(TimeoutError):
            server.accept()


needs_cgroup = pytest.mark.skipif(
    cgroup.unavailable_reason() is not None, reason=f"no memory cgroup: {cgroup.unavailable_reason()}"
)


@needs_cgroup
def test_memory_spread_over_children_is_capped_for_the_whole_tree(cache: Path, tmp_path: Path, sandbox: str) -> None:  # noqa: F811
    env = MLECompetitionEnv(
        COMPETITION, cache_dir=cache, work_root=tmp_path, step_timeout_s=20, memory_mb=300, sandbox=sandbox
    )
    env.reset()
    # each child keeps 120 MiB, well under the 300 MiB each process may have; together 600 MiB
    script = (
        "import subprocess, sys\n"
        "grab = \"import time; x = b'x' * (120 * 1024**2); print('holding', flush=True); time.sleep(5)\"\n"
        "children = [subprocess.Popen([sys.executable, '-c', grab]) for _ in range(5)]\n"
        "print('exits', [c.wait() for c in children])\n"
    )
    out = run(env, script)
    env.close()
    assert "killed: out of memory: its processes together passed the 300 MiB limit" in out, out


def test_the_disk_quota_stops_a_run_and_frees_its_files(cache: Path, tmp_path: Path, sandbox: str) -> None:  # noqa: F811
    env = MLECompetitionEnv(
        COMPETITION, cache_dir=cache, work_root=tmp_path, step_timeout_s=20, disk_mb=20, sandbox=sandbox
    )
    env.reset()
    script = (
        "import time\n"
        "for i in range(400):\n"
        "    open(f'part{i}.bin', 'wb').write(b'0' * 1024**2)  # each file far under RLIMIT_FSIZE\n"
        "    time.sleep(0.002)\n"
        "print('wrote all')\n"
    )
    out = run(env, script)
    step_dirs = [d for d in env.unwrapped._episode_dir.iterdir() if d.name.startswith("step_")]
    env.close()
    assert "killed: disk quota exceeded (" in out and "the limit is 20 MiB)" in out, out
    assert "wrote all" not in out
    assert not any(any(step.glob("part*.bin")) for step in step_dirs)  # what it wrote was freed


def test_the_start_up_report_names_every_protection(cache: Path, tmp_path: Path, caplog, sandbox: str) -> None:  # noqa: F811
    caplog.set_level(logging.INFO, logger="trainfree.sandbox")
    env = MLECompetitionEnv(COMPETITION, cache_dir=cache, work_root=tmp_path, disk_mb=None, sandbox=sandbox)
    _, info = env.reset()
    env.close()
    report = info["sandbox"]
    names = {"bwrap", "private_proc", "private_tmp", "private_ipc", "seccomp", "capabilities", "tree_memory"}
    assert names | {"disk_quota"} <= set(report), report
    assert all(v.startswith(("on: ", "off: ")) for v in report.values()), report
    assert report["disk_quota"] == "off: no disk quota was asked for (disk_mb=None)"
    assert report["bwrap"].startswith("on" if sandbox == "bwrap" else "off")
    assert any("mle sandbox:" in r.getMessage() and "disk_quota=off" in r.getMessage() for r in caplog.records)


@pytest.fixture
def with_validation(cache: Path, tmp_path: Path, sandbox: str) -> Iterator[MLECompetitionEnv]:  # noqa: F811
    env = MLECompetitionEnv(
        COMPETITION, cache_dir=cache, work_root=tmp_path, step_timeout_s=20, validation=True, sandbox=sandbox
    )
    env.reset()
    assert env.unwrapped._competition.has_validation()
    yield env
    env.close()


@pytest.mark.parametrize(
    ("make", "refusal"),
    [
        ("os.symlink(VALIDATION_ANSWERS, 'submission.csv')", "is a symbolic link"),
        ("os.link('input/sample_submission.csv', 'submission.csv')", "is a hard link to another file"),
        ("os.mkdir('submission.csv')", "is not a regular file"),  # FIFOs and devices: mknod is refused already
    ],
    ids=["symlink_to_validation_answers", "hard_link", "folder"],
)
def test_every_submission_the_env_reads_must_be_the_file_itself(with_validation, cache, make, refusal) -> None:  # noqa: F811
    answers = cache / COMPETITION / "validation" / "private" / "answers.csv"
    script = f"import os\nVALIDATION_ANSWERS = {str(answers)!r}\n{make}\nprint('made')\n"
    out = run(with_validation, script)
    assert "made" in out and f"submission.csv: invalid: submission.csv {refusal}" in out, out
    # the validation run's submission is refused the same way: no score computed from what it points at
    assert "unavailable (the run or its validation submission failed)" in out, out
    assert with_validation.unwrapped._chosen is None


@pytest.mark.parametrize(
    ("columns", "refusal"),
    [
        (1_000_000, "the header line is over 65,536 characters long"),
        (5_000, "columns differ from the sample submission (5,002 instead of 2): missing [], unexpected ['c0', 'c1'"),
    ],
    ids=["million_columns", "thousands_of_columns"],
)
def test_a_many_column_submission_is_refused_cheaply_with_a_short_reason(mle, columns: int, refusal: str) -> None:
    script = (
        "import csv\n"
        "rows = list(csv.reader(open('input/sample_submission.csv')))\n"
        "with open('submission.csv', 'w') as f:\n"
        f"    f.write(','.join(rows[0] + [f'c{{i}}' for i in range({columns})]) + '\\n')\n"
        "    for row in rows[1:]:\n"
        "        f.write(','.join(row) + '\\n')\n"
    )
    out = run(mle, script)
    assert refusal in out and len(out) < 5_000, out[:3000]


def test_a_line_with_a_million_fields_is_refused_cheaply(mle) -> None:
    # the header is right; pandas took quadratic time on such a line (30,000 fields: 6 s)
    script = (
        "import csv\n"
        "rows = list(csv.reader(open('input/sample_submission.csv')))\n"
        "with open('submission.csv', 'w') as f:\n"
        "    f.write(','.join(rows[0]) + '\\n' + ','.join(rows[1]) + ',1' * 1_000_000 + '\\n')\n"
        "    for row in rows[2:]:\n"
        "        f.write(','.join(row) + '\\n')\n"
    )
    out = run(mle, script)
    assert "submission.csv: invalid: line 2 has 1,000,001 commas, over the 65,536 limit" in out, out[:3000]


def test_a_row_of_millions_of_fields_spread_over_quoted_line_ends_is_refused_cheaply(mle) -> None:
    # each physical line holds 60,000 commas, under the limit, but a quoted field closes on the next line, so the
    # CSV row goes on: 15 MB made one row of 15,060,001 fields (+215 MB of env RSS) before its count was checked
    script = (
        "import csv\n"
        "rows = list(csv.reader(open('input/sample_submission.csv')))\n"
        "commas = ',' * 60_000\n"
        "with open('submission.csv', 'w') as f:\n"
        "    f.write(','.join(rows[0]) + '\\n' + rows[1][0] + commas + '\"x\\n')\n"
        "    for _ in range(250):\n"
        "        f.write('y\"' + commas + '\"x\\n')\n"
        "    f.write('y\"\\n')\n"
    )
    out, peak = run_traced(mle, script)
    assert "submission.csv: invalid: the row on lines 2-3 has 120,000 commas, over the 65,536 limit" in out, out[:3000]
    assert peak < 100 * 1024**2, peak


def test_data_hidden_past_the_longest_path_still_counts_against_the_quota(mle) -> None:
    # folders nested past PATH_MAX cannot be listed by path: they must not escape the measurement
    script = (
        "import os, time\n"
        "name = 'd' * 250\n"
        "for _ in range(40):\n"
        "    os.mkdir(name)\n"
        "    os.chdir(name)\n"
        "open('hidden.bin', 'wb').write(b'0' * 1024)\n"
        "print('hidden', flush=True)\n"
        "time.sleep(30)\n"
    )
    out = run(mle, script)
    assert "killed: disk quota exceeded (a folder could not be measured" in out, out


@pytest.fixture
def small_quota(
    cache: Path,  # noqa: F811
    tmp_path: Path,
    sandbox: str,
    request: pytest.FixtureRequest,
) -> Iterator[MLECompetitionEnv]:
    """A 16 MiB quota; `memory_mb` None (indirect parameter) lists the run's processes by session, not cgroup."""
    env = MLECompetitionEnv(
        COMPETITION,
        cache_dir=cache,
        work_root=tmp_path,
        step_timeout_s=20,
        max_steps=6,
        disk_mb=16,
        memory_mb=getattr(request, "param", 4096),
        validation=True,
        sandbox=sandbox,
    )
    env.reset()
    yield env
    env.close()


def test_what_a_run_prints_counts_against_its_quota_and_its_logs_keep_a_tail(small_quota) -> None:
    # the env writes stdout and stderr to files outside the step folder: they cost disk all the same
    script = (
        "import os, time\n"
        "for fd in (1, 2):\n"
        "    for _ in range(20):\n"
        "        os.write(fd, b'A' * 1024**2)\n"
        "print('printed all', flush=True)\n"
        "time.sleep(3)\n"
    )
    out = run(small_quota, script)
    assert "killed: disk quota exceeded (" in out and "MiB printed to stdout/stderr" in out, out
    assert "the limit is 16 MiB)" in out and "AAAA" in out, out  # the observation still shows the end
    logs = list((small_quota.unwrapped._episode_dir / "logs").iterdir())
    assert logs and all(log.stat().st_size <= LOG_TAIL_BYTES + 100 for log in logs), [p.stat() for p in logs]


UNLINKED_SCRIPTS = {  # each takes 40 MiB in a file no folder lists, then the script waits
    "open_after_unlink": "fd = os.open('blob', os.O_CREAT | os.O_RDWR)\nos.unlink('blob')\nallocate(fd)\n",
    "made_without_a_name": "fd = os.open('.', os.O_TMPFILE | os.O_RDWR)\nallocate(fd)\n",
    "mapped_after_close": (  # libc's mmap: Python's mmap object would keep a descriptor of its own
        "import ctypes\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "libc.mmap.restype = ctypes.c_void_p\n"
        "libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, *[ctypes.c_int] * 3, ctypes.c_long]\n"
        "fd = os.open('blob', os.O_CREAT | os.O_RDWR)\n"
        "allocate(fd)\n"
        "assert libc.mmap(None, 4096, 1, 1, fd, 0) != 2**64 - 1, ctypes.get_errno()  # PROT_READ, MAP_SHARED\n"
        "os.close(fd)\n"
        "os.unlink('blob')\n"
    ),
}


@pytest.mark.parametrize("small_quota", [4096, None], ids=["processes_by_cgroup", "by_session"], indirect=True)
@pytest.mark.parametrize("hold", list(UNLINKED_SCRIPTS.values()), ids=list(UNLINKED_SCRIPTS))
def test_files_held_after_unlinking_count_against_the_quota(small_quota, hold: str) -> None:
    script = (
        "import os, time\n"
        "def allocate(fd):\n"
        "    os.posix_fallocate(fd, 0, 40 * 1024**2)\n"
        f"{hold}"
        "print('holding', flush=True)\n"
        "time.sleep(3)\n"
        "print('still alive')\n"
    )
    out = run(small_quota, script)
    assert "holding" in out and "killed: disk quota exceeded (" in out and "still alive" not in out, out
    if os.geteuid() == 0:  # else a deleted file kept only as a mapping cannot be measured, which also kills
        assert "MiB in deleted files it keeps open), the limit is 16 MiB)" in out, out


def test_blocks_reserved_at_once_cannot_outrun_the_quota(small_quota) -> None:
    # fallocate reserved 100 MB a call in well under a millisecond: 40 of them, 4,000 MiB, were taken before the
    # quota's first measurement (0.25 s), and at that rate a run could fill the host's disk for every process
    script = (
        "import os, time\n"
        "for i in range(40):\n"
        "    fd = os.open(f'blob{i}', os.O_CREAT | os.O_WRONLY)\n"
        "    os.posix_fallocate(fd, 0, 100 * 1024**2)\n"
        "    os.close(fd)\n"
        "print('reserved 4,000 MiB', flush=True)\n"
        "time.sleep(5)\n"
    )
    out = run(small_quota, script)
    written = re.search(r"killed: disk quota exceeded \((\d+) MiB written", out)
    assert written is not None and "reserved 4,000 MiB" not in out, out
    assert int(written.group(1)) < 1_000, out


def test_an_episode_keeps_no_step_folder_once_its_submission_is_read(small_quota, baseline_score: float) -> None:  # noqa: F811
    # each run stays under its 16 MiB; what runs left behind used to stay until reset, 6 folders of 12 MiB here
    script = (
        "import os, shutil\n"
        "shutil.copy('input/sample_submission.csv', 'submission.csv')\n"
        "open('keep.bin', 'wb').write(os.urandom(12 * 1024**2))\n"
        "for i in range(1000):\n"
        "    open(f'empty{i}', 'w').close()\n"
    )
    for _ in range(3):
        assert "submission.csv: valid" in run(small_quota, script)
    used, entries, _ = usage(small_quota.unwrapped._episode_dir)
    assert used < 16 * 1024**2 and entries < 20, (used, entries)
    *_, info = small_quota.step("submit")
    assert info["evaluation"]["valid_submission"] and info["evaluation"]["score"] == baseline_score, info
    assert info["evaluation"]["chosen_step"] is not None


def test_folders_nested_a_thousand_deep_are_removed(mle) -> None:
    # shutil.rmtree recurses once per level and raised RecursionError on them (when the episode ended)
    script = (
        "import os, shutil\n"
        "shutil.copy('input/sample_submission.csv', 'submission.csv')\n"
        "for _ in range(1500):  # 3,000 characters: under PATH_MAX, so the quota measures them\n"
        "    os.mkdir('d')\n"
        "    os.chdir('d')\n"
    )
    assert "submission.csv: valid" in run(mle, script)
    assert not any(p.name.startswith("step_") for p in mle.unwrapped._episode_dir.iterdir())


def _in_a_child(prepare: Callable[[], None], task: Callable[[], None]) -> int:
    """Exit status of `prepare()` then `task()` run in a forked child (a traceback printed when they raise)."""
    pid = os.fork()
    if pid == 0:
        try:
            prepare()
            task()
            os._exit(0)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def _become_nobody() -> None:
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)


def _as_an_unprivileged_user(task: Callable[[], None]) -> int:
    """Exit status of `task` run in a forked child as `nobody` when the tests run as root: root ignores file
    modes, while a deployed env runs as its scripts' own user, which they can shut folders against."""
    return _in_a_child(_become_nobody, task)


@pytest.mark.parametrize("shut", ["a folder inside", "the step folder itself"])
def test_folders_a_run_shut_with_chmod_are_still_freed(shut: str) -> None:
    """A script may chmod 0 what it wrote (Landlock does not cover modes): unless root, the env could then
    neither list nor delete it. Emptying a step folder over quota raised PermissionError in env.step, and
    50 MiB per step stayed on disk after close (measured with the env run as nobody)."""
    with tempfile.TemporaryDirectory() as shared:  # pytest's tmp_path sits in a folder only root may enter
        Path(shared).chmod(0o777)
        assert _as_an_unprivileged_user(lambda: _shut_then_free(Path(shared) / "step_001", shut)) == 0


def _shut_then_free(step: Path, shut: str) -> None:
    """What a script does to the folders it wrote, then what the env does to free them."""
    (step / "a" / "b").mkdir(parents=True)
    (step / "a" / "b" / "data.bin").write_bytes(b"x" * 1024**2)
    shut_folder = step / "a" if shut == "a folder inside" else step
    shut_folder.chmod(0)
    _empty_folder(step)  # what a run killed over its disk quota gets
    assert step.is_dir() and not any(step.iterdir())
    (step / "a").mkdir()
    (step / "a" / "data.bin").write_bytes(b"x")
    shut_folder.chmod(0)
    remove_tree(step)  # what every step folder and the episode get
    assert not os.path.lexists(step)


def test_processes_too_costly_to_measure_are_stopped_without_costing_the_env(mle) -> None:
    # 65,000 mappings of a file 15 folders of 250 characters deep: 130 MB of /proc/<pid>/maps per process, forked
    # 40 times. One measurement read them all, each whole: 21 s with 60 forks (a step limited to 8 s took 27 s),
    # and one process's maps held in the env's memory at once
    script = (
        "import ctypes, os, time\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "libc.mmap.restype = ctypes.c_void_p\n"
        "libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, *[ctypes.c_int] * 3, ctypes.c_long]\n"
        "folder = os.path.join(*(letter * 250 for letter in 'abcdefghijklmno'))\n"
        "os.makedirs(folder)\n"
        "fd = os.open(os.path.join(folder, 'f'), os.O_CREAT | os.O_RDWR)\n"
        "os.write(fd, b'x' * 8192)\n"
        "for i in range(65_000):  # two offsets in turn: neighbouring mappings never merge\n"
        "    assert libc.mmap(None, 4096, 1, 1, fd, 4096 * (i % 2)) != 2**64 - 1, ctypes.get_errno()\n"
        "for _ in range(40):\n"
        "    if os.fork() == 0:\n"
        "        time.sleep(60)\n"
        "print('forked', flush=True)\n"
        "time.sleep(60)\n"
    )
    out, peak = run_traced(mle, script)
    assert "killed: disk quota exceeded (what its processes hold could not be measured: they hold more" in out, out
    assert peak < 32 * 1024**2, peak  # no process's maps is held whole (130 MB each)


@needs_cgroup
@pytest.mark.skipif(not cgroup.tasks_capped(), reason="no cgroup v1 pids hierarchy")
def test_a_run_cannot_take_every_pid_of_the_machine(cache: Path, tmp_path: Path, sandbox: str) -> None:  # noqa: F811
    # RLIMIT_NPROC never binds uid 0: a run held 5,000 threads here, and could hold all 32,768 PIDs of the machine
    # (threads count) until its wall-time limit, so that no other process, no other episode's run, could start
    script = (
        "import threading\n"
        "threading.stack_size(64 * 1024)\n"
        "stop, started = threading.Event(), 0\n"
        "try:\n"
        "    for _ in range(5000):\n"
        "        threading.Thread(target=stop.wait, daemon=True).start()\n"
        "        started += 1\n"
        "except RuntimeError as err:\n"
        "    print('refused:', err)\n"
        "print('threads started', started)\n"
        "stop.set()\n"
    )
    # the disk quota off: reading 4,000 threads' descriptors takes half its read budget, and its verdict is not
    # what this test is about
    env = open_mle(cache, tmp_path, sandbox, disk_mb=None)
    try:
        out = run(env, script)
    finally:
        env.close()
    assert "refused: can't start new thread" in out, out
    started = int(out.split("threads started ")[1].split()[0])
    assert 4000 < started < cgroup.MAX_TASKS, out  # the cap is the whole tree's: the main thread counts


SHADOW = Path("/etc/shadow")


@pytest.mark.skipif(
    not SHADOW.exists() or bool(SHADOW.stat().st_mode & 0o004), reason="no /etc/shadow kept from other users here"
)
def test_the_hosts_private_files_are_unreadable_while_its_public_configuration_is(mle) -> None:
    """The script runs as the env's user: as root without capabilities, file permissions alone let it read the
    host's password hashes and private keys. What no unprivileged user of the host may read stays hidden."""
    script = (
        "import json\n"
        "found = {}\n"
        "for path in ('/etc/shadow', '/etc/passwd', '/etc/ld.so.cache'):\n"
        "    try:\n"
        "        found[path] = len(open(path, 'rb').read())\n"
        "    except OSError as err:\n"
        "        found[path] = type(err).__name__\n"
        "print(json.dumps(found))\n"
    )
    output = run(mle, script)
    found = json.loads(next(line for line in output.splitlines() if line.startswith("{")))
    assert found["/etc/shadow"] == 0 or found["/etc/shadow"] in ("PermissionError", "FileNotFoundError"), found
    assert isinstance(found["/etc/passwd"], int) and found["/etc/passwd"] > 0, found  # bwrap masks with /dev/null
    assert isinstance(found["/etc/ld.so.cache"], int) and found["/etc/ld.so.cache"] > 0, found


def test_host_private_paths_are_what_other_users_cannot_read(tmp_path: Path) -> None:
    (tmp_path / "public").write_text("p")
    (tmp_path / "shadow").write_text("s")
    (tmp_path / "shadow").chmod(0o640)
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "host_key").write_text("k")
    (tmp_path / "keys").chmod(0o700)
    (tmp_path / "listed_only").mkdir()
    (tmp_path / "listed_only").chmod(0o744)  # others may list it but not enter: hidden whole
    (tmp_path / "open").mkdir()
    (tmp_path / "open" / "secret.pem").write_text("x")
    (tmp_path / "open" / "secret.pem").chmod(0o600)
    (tmp_path / "link_to_shadow").symlink_to(tmp_path / "shadow")  # the target is judged, not the link
    try:
        hidden = host_private_paths(str(tmp_path))
    finally:
        (tmp_path / "keys").chmod(0o700 | 0o055)
        (tmp_path / "listed_only").chmod(0o755)
    assert hidden == tuple(str(tmp_path / p) for p in ("keys", "listed_only", "open/secret.pem", "shadow"))


CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE = 1, 2, 19


def _without_capabilities(task: Callable[[], None], *capabilities: int) -> int:
    """Exit status of `task` run in a forked child that gave up these capabilities (kept in its permitted set,
    so runs still drop everything): a root process then meets what an env run by an ordinary user meets.
    A deployed env runs as its scripts' own user; nobody could not run this venv."""

    def give_up() -> None:
        effective, permitted, inheritable = privileges.held_capabilities()
        if effective:
            privileges._capset(effective & ~sum(1 << bit for bit in capabilities), permitted, inheritable)

    return _in_a_child(give_up, task)


def test_a_script_changes_no_mode_owner_time_or_attribute_of_a_file_outside_its_folder(
    mle, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Landlock limits what a script may open and write, not chmod, chown, utime or setxattr, which need only
    that its user own the file: a script made a file of the env's user outside its folder set-user-ID and
    world-writable (0o6777; /usr/bin/python3 alike, a root shell for every local user when the env is root),
    moved it to its own group, set its times and tagged it. shutil.copy, which copies the mode, still works."""
    victim = tmp_path_factory.mktemp("host") / "victim"
    victim.write_text("x")
    victim.chmod(0o644)
    os.chown(victim, -1, 65534)  # a group other than the script's own, which chown could move it to
    before = victim.stat()
    script = (
        "import os, shutil\n"
        f"victim = {str(victim)!r}\n"
        "changes = {\n"
        "    'chmod': lambda: os.chmod(victim, 0o6777),\n"
        "    'chown': lambda: os.chown(victim, -1, os.getgid()),\n"
        "    'utime': lambda: os.utime(victim, (0, 0)),\n"
        "    'setxattr': lambda: os.setxattr(victim, 'user.tag', b'x'),\n"
        "}\n"
        "for name, change in changes.items():\n"
        "    try:\n"
        "        change()\n"
        "        print(name, 'returned')\n"
        "    except OSError as err:\n"
        "        print(name, err.strerror)\n"
        "shutil.copy('input/sample_submission.csv', 'submission.csv')\n"
    )
    out = run(mle, script)
    after = victim.stat()
    assert (stat.S_IMODE(after.st_mode), after.st_gid, after.st_mtime_ns) == (0o644, 65534, before.st_mtime_ns), out
    assert os.listxattr(victim) == [], out
    assert "submission.csv: valid" in out, out


def test_a_script_sets_no_inode_flag_on_a_file_it_may_only_read(
    cache: Path,  # noqa: F811
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    sandbox: str,
) -> None:
    """FS_IOC_SETFLAGS needs a descriptor of any mode and the file's owner, and Landlock covers ioctl on devices
    only: a script set chattr +S +A (synchronous writes, no access times) on a file of the env's user it may only
    read, as it may read the interpreter, its libraries and system files."""
    host = tmp_path_factory.mktemp("readable")
    victim = host / "library.py"
    victim.write_text("x = 1\n")
    before = inode_flags(victim)
    env = open_mle(cache, tmp_path, sandbox, extra_read_paths=(str(host),))
    script = (
        "import fcntl, os, struct\n"
        f"fd = os.open({str(victim)!r}, os.O_RDONLY)\n"
        f"fcntl.ioctl(fd, {FS_IOC_SETFLAGS:#x}, struct.pack('q', {before | FS_SYNC_FL | FS_NOATIME_FL:#x}))\n"
    )
    try:
        out = run(env, script)
    finally:
        env.close()
    assert inode_flags(victim) == before, out
    assert "Operation not permitted" in out or "Read-only file system" in out, out


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two CPUs to pin a run to one")
def test_a_run_pinned_to_a_cpu_stays_on_it(cache: Path, tmp_path: Path, sandbox: str) -> None:  # noqa: F811
    """cpu_affinity pins a run between fork and exec, and a process may set its own affinity: a script widened it
    to every CPU ({0} -> {0, 1}), taking the CPUs other pinned runs were given."""
    env = MLECompetitionEnv(COMPETITION, cache_dir=cache, work_root=tmp_path, sandbox=sandbox, cpu_affinity=(0,))
    env.reset()
    script = (
        "import os\n"
        "try:\n"
        "    os.sched_setaffinity(0, {0, 1})\n"
        "except OSError as err:\n"
        "    print(err.strerror)\n"
        "print('now on', sorted(os.sched_getaffinity(0)))\n"
    )
    try:
        out = run(env, script)
    finally:
        env.close()
    assert "Operation not permitted\nnow on [0]" in out, out


def test_a_run_that_changes_its_logs_modes_is_still_read(mle) -> None:
    """A run's stdout and stderr are descriptors of the env's log files, and Landlock does not cover modes: a
    script's fchmod(1, 0) made env.step raise PermissionError when the env reopened the log (env not root)."""
    script = (
        "import os\n"
        "print('before', flush=True)\n"
        "os.fchmod(1, 0)\n"
        "os.fchmod(2, 0o6777)  # set-user-ID and set-group-ID, on a file holding what it writes\n"
        "print('after', flush=True)\n"
    )

    def step() -> None:
        output = run(mle, script)
        assert "exit status 0" in output and "before\nafter" in output, output
        logs = list((mle.unwrapped._episode_dir / "logs").iterdir())
        modes = [stat.S_IMODE(log.stat().st_mode) for log in logs]  # as made: readable, no set-ID bit
        assert len(modes) == 2 and all(mode & 0o7600 == 0o600 for mode in modes), modes

    assert _without_capabilities(step, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) == 0


def _namespace_pid(pid: int) -> bytes:
    """`pid`'s number in its own PID namespace (the last of /proc/<pid>/status's NSpid)."""
    status = Path(f"/proc/{pid}/status").read_bytes()
    return next(line for line in status.splitlines() if line.startswith(b"NSpid:")).split()[-1]


@pytest.mark.skipif(BWRAP_REASON is not None, reason=f"bwrap: {BWRAP_REASON}")
def test_the_quota_reads_a_bwrap_runs_processes_not_bwraps_init() -> None:
    """The disk quota reads the files of every process a run lists. bwrap's init in the run's PID namespace
    never execs, so for an env not run by root its files are unreadable (only CAP_SYS_PTRACE in the host's
    namespace lets them be listed): every bwrap run was killed at its first measurement, "the files of process
    N could not be listed" (measured as nobody). The init runs no script code; the script's processes stay."""
    argv = bwrap.wrap(["/bin/sleep", "30"], readable=["/usr", "/bin", "/lib", "/lib64"], writable=())
    proc = subprocess.Popen(argv, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(500):  # bwrap, its init, sleep
            session = session_members(proc.pid)
            if len(session) == 3 and any(Path(f"/proc/{pid}/comm").read_text() == "sleep\n" for pid in session):
                break
            time.sleep(0.01)
        listed = list(_run_processes(proc, None, in_bwrap=True)())
        assert b"1" in {_namespace_pid(pid) for pid in session}, session  # bwrap's init is in the session
        assert [_namespace_pid(pid) for pid in listed if pid != proc.pid] == [b"2"], listed  # sleep alone
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.mark.skipif(cgroup.unavailable_reason() is not None, reason=f"no memory cgroup: {cgroup.unavailable_reason()}")
def test_a_group_whose_processes_outlive_its_run_is_removed_later() -> None:
    """A run's cgroup can be removed only once its last process has exited: after a fork bomb of 4,096 on a
    loaded machine some were still exiting when the run ended, and its group stayed for good (one left by a
    red-team run). Now the next group made removes it."""
    group = cgroup.MemoryGroup.create(64 * 1024**2)
    proc = subprocess.Popen(["sleep", "30"], preexec_fn=group.join)
    try:
        group.remove()  # the process is still in it
        assert group.folder.is_dir()
    finally:
        proc.kill()
        proc.wait()
    later = cgroup.MemoryGroup.create(64 * 1024**2)
    later.remove()
    assert not group.folder.exists() and not later.folder.exists()
    assert group.tasks_folder is None or not group.tasks_folder.exists()


def processes_with(marker: str) -> list[int]:
    """Live processes whose command line holds `marker` (zombies, which have none, are left out)."""
    found = []
    for name in os.listdir("/proc"):
        try:
            if name.isdigit() and marker.encode() in Path(f"/proc/{name}/cmdline").read_bytes():
                found.append(int(name))
        except OSError:
            continue
    return found


def stop_a_worker_during_a_step(
    cache_dir: Path, work_root: Path, sandbox: str, stop: signal.Signals
) -> tuple[int, str]:
    """Fork a harness worker process (SIGTERM exits through its cleanup, as in harness/parallel.py) whose step runs
    a script that starts a child and sleeps; send it `stop` once the child runs. The worker's pid, the child's
    marker (in its command line)."""
    marker = "orphan-" + uuid.uuid4().hex
    script = (
        "import subprocess, sys, time\n"
        f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', {marker!r}])\n"
        "time.sleep(60)\n"
    )
    worker = os.fork()
    if worker == 0:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            env = open_mle(cache_dir, work_root, sandbox)
            try:
                env.step(script)
            finally:
                env.close()
        finally:
            os._exit(0)
    deadline = time.monotonic() + 20
    while not processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_with(marker), "the run's child never started"
    os.kill(worker, stop)
    os.waitpid(worker, 0)
    return worker, marker


def groups_of(pid: int) -> list[Path]:
    """The memory cgroups that the env process `pid` made for its runs and that still exist."""
    return list(cgroup._own_group("memory", cgroup.V1_ROOT).glob(f"trainfree-*-{pid}-*"))


def test_a_run_ends_with_the_env_process_that_is_stopped_during_it(cache: Path, tmp_path: Path, sandbox: str) -> None:  # noqa: F811
    """The harness stops a busy worker process with SIGTERM, which exits through its cleanup: the run's own process
    died with it (parent-death signal), but a child it started, which has no such signal, was left running, its
    parent init, in a group no one removes."""
    worker, marker = stop_a_worker_during_a_step(cache, tmp_path, sandbox, signal.SIGTERM)
    try:
        assert not any(running(pid, wait_s=2.0) for pid in processes_with(marker))
        if cgroup.unavailable_reason() is None:  # the run's group, emptied, was removed
            assert not groups_of(worker)
    finally:
        for pid in processes_with(marker):
            os.kill(pid, signal.SIGKILL)


@needs_cgroup
def test_the_runs_of_a_killed_env_process_end_when_the_next_run_starts(
    cache: Path,  # noqa: F811
    tmp_path: Path,
    sandbox: str,
) -> None:
    """A SIGKILLed env process cleans nothing up: its run's child ran on under init, in groups that stayed for good.
    The groups name the env process that made them, so the next run made anywhere ends and removes those of dead
    env processes."""
    worker, marker = stop_a_worker_during_a_step(cache, tmp_path, sandbox, signal.SIGKILL)
    try:
        assert groups_of(worker)
        cgroup.MemoryGroup.create(64 * 1024**2).remove()  # what the next run starts with
        assert not any(running(pid, wait_s=2.0) for pid in processes_with(marker))
        assert not groups_of(worker)
    finally:
        for pid in processes_with(marker):
            os.kill(pid, signal.SIGKILL)
