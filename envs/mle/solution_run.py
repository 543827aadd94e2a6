"""Run one solution script in its own folder under resource limits.

The script gets a fresh folder holding a private copy of the public data in
`./input`; it runs with a cleared environment (no inherited variable, so no
cache path or API key leaks in; HOME and TMPDIR point into its folder),
BLAS/OpenMP thread caps, RLIMIT_AS / CPU / file-size limits, optional CPU
pinning, no capabilities, a parent-death SIGKILL, and a wall-time limit after
which every process it started is killed. Where a memory cgroup can be made
(envs/sandbox/cgroup.py) its whole process tree shares `memory_bytes` and the
end of a run kills every process in the group, whatever session or parent it
moved to. A disk quota (workdir_quota.py) covers its folder, its stdout and
stderr logs, and files its processes hold after unlinking them; once it
ends, each log keeps its last LOG_TAIL_BYTES (observations show tails only).

Two confinements, each holding the same protections:
- without bwrap: Landlock (envs/sandbox/landlock.py) keeps it from reading
  anything outside its folder but the interpreter and system files, from other
  processes' /proc folders and from /dev/shm; a seccomp filter
  (envs/sandbox/seccomp.py) refuses every socket, new sessions, CLONE_PARENT,
  namespaces and kernel administration.
- `in_bwrap=True`: bubblewrap namespaces (no network device, a private /proc,
  /tmp and /dev/shm, its folder the only writable path, the rest read-only
  binds), no capabilities, and the same seccomp filter installed by bwrap
  after its own mounts.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

from envs.mle import run_namespaces
from envs.mle.workdir_quota import QuotaWatch
from envs.sandbox import bwrap, cgroup, privileges, protections, seccomp
from envs.sandbox.limits import Limits
from envs.sandbox.processes import kill_process_group, nested_namespace_init, session_members
from envs.sandbox.protections import Protection
from envs.sandbox.read_grants import script_hidden, script_policy, script_roots
from envs.sandbox.seccomp import SyscallPolicy

SCRIPT_NAME = "solution.py"
MEMORY_SIGNS = ("MemoryError", "Cannot allocate memory", "std::bad_alloc", "Unable to allocate")
MAX_ENTRIES = 200_000  # files and folders a run may make, besides its bytes on disk
LOG_TAIL_BYTES = 64 * 1024  # what each of a run's stdout and stderr logs keeps on disk once it ended


@dataclass(frozen=True)
class RunResult:
    exit_code: int | None
    timed_out: bool
    runtime_s: float
    stdout: str
    stderr: str
    out_of_memory: bool
    limit_hit: str | None = None  # a limit on the whole run that ended it: disk quota, tree memory

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out and self.limit_hit is None

    def status(self) -> str:
        if self.limit_hit is not None:
            return f"killed: {self.limit_hit}"
        if self.timed_out:
            return "killed: wall-time limit reached"
        if self.out_of_memory:
            return f"failed: out of memory (exit status {self.exit_code})"
        if self.exit_code is not None and self.exit_code < 0:
            return f"killed by signal {-self.exit_code}"
        return f"exit status {self.exit_code}"

    def to_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok, "status": self.status()}


def _preexec(
    limits: Limits,
    workdir: Path,
    confine: bool,
    extra_read: tuple[str, ...],
    in_bwrap: bool,
    group: cgroup.MemoryGroup | None,
) -> Callable[[], None]:
    apply_limits = limits.preexec()
    parent = os.getpid()
    own_ipc = not in_bwrap and run_namespaces.available()
    policy = script_policy(str(workdir), extra_read) if confine and not in_bwrap else None
    syscalls = script_syscalls(limits) if not in_bwrap and seccomp.supported() else None

    def apply() -> None:
        apply_limits()
        if group is not None:
            group.join()
        privileges.die_with_parent(parent)
        if in_bwrap:  # bwrap needs its capabilities for its mounts; it drops them and installs the filter itself
            return
        if own_ipc:
            run_namespaces.enter()
        privileges.drop_capabilities()
        if policy is not None:
            policy.apply()
        if syscalls is not None:
            syscalls.apply()

    return apply


def _tail(handle: BinaryIO, chars: int) -> str:
    """The last `chars` characters of a possibly huge log file, read from its end."""
    size = handle.seek(0, os.SEEK_END)
    handle.seek(max(0, size - 4 * chars))
    text = handle.read().decode("utf-8", errors="replace")
    if size > 4 * chars or len(text) > chars:
        return f"[... {size} bytes in all, showing the end ...]\n" + text[-chars:]
    return text


def _keep_tail(handle: BinaryIO, size: int) -> None:
    """Cut a log down to its last `size` bytes, in place, saying how much went."""
    total = handle.seek(0, os.SEEK_END)
    if total <= size:
        return
    handle.seek(total - size)
    tail = handle.read()
    handle.seek(0)
    handle.write(f"[... {total - size} bytes dropped, the last {size} kept ...]\n".encode() + tail)
    handle.truncate()


def _env_handles(paths: tuple[Path, ...]) -> list[BinaryIO]:
    """The env's own handles on a run's fresh logs, opened before the run and read through after it.

    The run's stdout and stderr are descriptors of these files, so it may fchmod them (Landlock does not
    cover modes): reopened by path, a log shut with mode 0 made env.step raise PermissionError unless the
    env runs as root. A descriptor keeps the rights it was opened with.
    """
    return [open(path, "r+b") for path in paths]  # closed by the caller


def _restore_mode(handle: BinaryIO, mode: int) -> None:
    """Give a log back the mode it was made with: its run may have shut it (0) or marked it set-user-ID."""
    os.fchmod(handle.fileno(), mode)


def clean_environment(workdir: Path, limits: Limits) -> dict[str, str]:
    """Only what a script needs: nothing inherited from the env process (its variables may hold API keys)."""
    base = {
        "PATH": f"{os.path.dirname(sys.executable)}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(workdir),
        "TMPDIR": str(workdir / "tmp"),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
    }
    return limits.environment(base)


def _bwrap_argv(
    argv: list[str],
    workdir: Path,
    python: str,
    extra_read: tuple[str, ...],
    seccomp_fd: int | None,
    tmpfs_bytes: int | None,
) -> list[str]:
    return bwrap.wrap(
        argv,
        readable=[*script_roots(), *extra_read, python],
        hidden=script_hidden(),
        writable=(str(workdir),),
        chdir=str(workdir),
        seccomp_fd=seccomp_fd,
        tmpfs_bytes=tmpfs_bytes,
    )


def script_syscalls(limits: Limits) -> SyscallPolicy:
    """Programs and their children may run; no sockets, no new sessions (every child stays in the group a kill
    reaches); a run pinned to CPUs (`cpu_affinity`) may not set its affinity, which it could widen to every CPU."""
    return SyscallPolicy(processes=True, network=False, new_session=False, affinity=limits.cpu_affinity is None)


def _filter_pipe(limits: Limits) -> int | None:
    """A pipe's read end holding the compiled seccomp filter, for bwrap's `--seccomp`."""
    if not seccomp.supported():
        return None
    data = bwrap.seccomp_bytes(script_syscalls(limits).program())
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, data)  # a few KiB: fits in the pipe's buffer
    finally:
        os.close(write_end)
    return read_end


def _memory_group(limits: Limits) -> cgroup.MemoryGroup | None:
    if limits.memory_bytes is None or cgroup.unavailable_reason() is not None:
        return None
    try:
        return cgroup.MemoryGroup.create(limits.memory_bytes)
    except OSError as err:  # worked at start-up, fails now (e.g. the cgroup was removed): run, and say so
        protections.LOG.warning("this run's memory cgroup could not be made (%s): only RLIMIT_AS holds it", err)
        return None


def remove_tree(folder: Path) -> None:
    """Delete a folder and all it holds; never raises.

    A run may take the rights off its folders (chmod 0): unless the env runs as root, nothing can then
    list or empty them, so what is left after a first try gets its owner's rights back and goes too.
    """
    _delete(folder)
    if os.path.lexists(folder):
        _reopen_folders(folder)
        _delete(folder)


def _delete(folder: Path) -> None:
    """shutil.rmtree recurses once per level: folders a run nested a few thousand deep raise
    RecursionError there, and GNU rm removes trees of any depth."""
    try:
        shutil.rmtree(folder, ignore_errors=True)
    except RecursionError:
        subprocess.run(["rm", "-rf", "--", str(folder)], check=False)


def _reopen_folders(root: Path) -> None:
    """Give the owner back all rights on `root` and every folder under it, links not followed (the run's
    processes are gone, so none can swap a folder for a link meanwhile); iterative, as trees can be deep."""
    stack = [str(root)]
    while stack:
        path = stack.pop()
        try:
            os.chmod(path, stat.S_IRWXU)
            with os.scandir(path) as listing:
                stack.extend(entry.path for entry in listing if entry.is_dir(follow_symlinks=False))
        except OSError:
            continue


def _empty_folder(folder: Path) -> None:
    """Free what a run over its disk quota wrote (the folder stays, listable again if the run shut it)."""
    os.chmod(folder, stat.S_IRWXU)
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            remove_tree(entry)
        else:
            entry.unlink(missing_ok=True)


def run_script(
    code: str,
    workdir: Path,
    input_dir: Path,
    *,
    limits: Limits,
    timeout_s: float,
    log_dir: Path,
    python: str = sys.executable,
    tail_chars: int = 4000,
    confine: bool = True,
    extra_read_paths: tuple[str, ...] = (),
    in_bwrap: bool = False,
    disk_quota_bytes: int | None = None,
) -> RunResult:
    """Copy the public data to workdir/input, run the script there, report what happened."""
    workdir.mkdir(parents=True)
    shutil.copytree(input_dir, workdir / "input")
    (workdir / "tmp").mkdir()
    (workdir / SCRIPT_NAME).write_text(code, encoding="utf-8")
    log_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log_dir / f"{workdir.name}.out", log_dir / f"{workdir.name}.err"
    logs = (out_path, err_path)
    quota = QuotaWatch.start(workdir, disk_quota_bytes, MAX_ENTRIES, logs) if disk_quota_bytes is not None else None
    group = _memory_group(limits)
    filter_fd = _filter_pipe(limits) if in_bwrap else None
    start = time.perf_counter()
    timed_out, limit_hit = False, None
    handles: list[BinaryIO] = []
    try:
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            handles = _env_handles(logs)
            modes = [os.fstat(handle.fileno()).st_mode for handle in handles]
            argv = [python, SCRIPT_NAME]
            if in_bwrap:
                argv = _bwrap_argv(argv, workdir, python, extra_read_paths, filter_fd, disk_quota_bytes)
            proc = subprocess.Popen(
                argv,
                cwd=workdir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env=clean_environment(workdir, limits),
                preexec_fn=_preexec(limits, workdir, confine, extra_read_paths, in_bwrap, group),
                pass_fds=() if filter_fd is None else (filter_fd,),
            )
            if filter_fd is not None:
                os.close(filter_fd)
                filter_fd = None
            try:
                if quota is not None:
                    quota.processes = _run_processes(proc, group, in_bwrap)
                timed_out, limit_hit = _wait(proc, start + timeout_s, quota)
            finally:  # also when the env process is stopped meanwhile (SIGTERM exiting through cleanup, Ctrl-C):
                # the run's first process dies with the env, but not the children it started
                kill_process_group(proc)  # also ends background children a finished script left behind
                if group is not None:
                    group.kill_all()  # and any that left the group or the session
        if limit_hit is None and quota is not None:
            limit_hit = quota.exceeded()  # what a run wrote just before it ended
        if group is not None and group.out_of_memory():
            limit_hit = limit_hit or (
                f"out of memory: its processes together passed the {group.limit_bytes // 1024**2} MiB limit"
            )
        if limit_hit is not None and limit_hit.startswith("disk quota"):
            _empty_folder(workdir)
        runtime = time.perf_counter() - start
        # the folder's absolute path (random per step) is shown as "." so outputs are reproducible
        stdout, stderr = (_tail(handle, tail_chars).replace(str(workdir), ".") for handle in handles)
        for handle, mode in zip(handles, modes, strict=True):
            _keep_tail(handle, LOG_TAIL_BYTES)
            _restore_mode(handle, mode)
    finally:
        for handle in handles:
            handle.close()
        if filter_fd is not None:
            os.close(filter_fd)
        if group is not None:
            group.remove()
    exited = not timed_out and limit_hit is None
    return RunResult(
        exit_code=None if timed_out else proc.returncode,
        timed_out=timed_out,
        runtime_s=round(runtime, 3),
        stdout=stdout,
        stderr=stderr,
        out_of_memory=(exited and proc.returncode != 0 and any(s in stderr for s in MEMORY_SIGNS))
        or (limit_hit is not None and limit_hit.startswith("out of memory")),
        limit_hit=limit_hit,
    )


def _run_processes(
    proc: subprocess.Popen, group: cgroup.MemoryGroup | None, in_bwrap: bool
) -> Callable[[], Iterable[int]]:
    """What lists every process of the run that may hold its files: its cgroup, else its session (setsid and
    setpgid are refused), without bwrap's init in the run's PID namespace.

    That init is forked by bwrap and never execs, so its memory map stays in the host's user namespace, and it
    is not dumpable once it dropped its capabilities: only a process with CAP_SYS_PTRACE there may list its
    files. An env not running as root measured no bwrap run at all (each was killed at its first measurement:
    "the files of process N could not be listed"). The init runs bwrap's code only, and no script's process
    can be such an init (seccomp refuses new namespaces). The script's own processes are read as before: one
    that makes itself not dumpable (prctl) still gets its run killed as unmeasurable.
    """
    listed = group.pids if group is not None else lambda: session_members(proc.pid)
    if not in_bwrap:
        return listed
    is_init: dict[int, bool] = {}  # each pid's /proc status is read once a run, not at every measurement

    def without_bwrap_init() -> list[int]:
        pids = list(listed())
        for pid in pids:
            if pid not in is_init:  # a number reused within the run is the script's: only bwrap makes namespaces
                is_init[pid] = nested_namespace_init(pid)
        return [pid for pid in pids if not is_init[pid]]

    return without_bwrap_init


def _wait(proc: subprocess.Popen, deadline: float, quota: QuotaWatch | None) -> tuple[bool, str | None]:
    """Wait for the script to end; (timed out, quota passed) when it had to be stopped first."""
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            return True, None
        try:
            proc.wait(timeout=left if quota is None else min(left, max(0.01, quota.interval_s())))
            return False, None
        except subprocess.TimeoutExpired:
            pass
        if quota is not None and time.perf_counter() < deadline:
            passed = quota.exceeded()
            if passed is not None:
                return False, passed


def _private_tmp_and_ipc(files: Protection) -> list[Protection]:
    if files.active:
        tmp = Protection("private_tmp", True, "/tmp and /dev/shm not writable, TMPDIR in the step folder")
    else:
        tmp = Protection("private_tmp", False, f"/tmp and /dev/shm are shared and outlive the run ({files.detail})")
    if run_namespaces.available():
        return [tmp, Protection("private_ipc", True, "own IPC namespace: SysV shared memory ends with the run")]
    return [tmp, Protection("private_ipc", False, "needs CAP_SYS_ADMIN (root): SysV shared memory outlives the run")]


def sandbox_protections(
    sandbox: str, in_bwrap: bool, confine: bool, memory_bytes: int | None, disk_quota_bytes: int | None
) -> list[Protection]:
    """What holds a solution script on this machine with these settings, each with why it is off when off."""
    found = [protections.bwrap_protection(in_bwrap, sandbox)]
    if in_bwrap:
        found += [
            Protection(
                "files", True, "mount namespace: read-only system and interpreter, only the step folder writable"
            ),
            Protection("private_proc", True, "own PID namespace and /proc: other processes are invisible"),
            Protection("private_tmp", True, "private /tmp and /dev/shm, gone with the run"),
            Protection("private_ipc", True, "own IPC namespace: shared memory and semaphores end with the run"),
        ]
    else:
        files = protections.landlock_protection()
        if files.active and not confine:
            files = Protection("landlock", False, "switched off by confine_files=False")
        found += [
            files,
            Protection(
                "private_proc",
                files.active,
                "only /proc's system entries and the script's own folder"
                if files.active
                else f"other processes' /proc folders are readable ({files.detail})",
            ),
            *_private_tmp_and_ipc(files),
        ]
    found += [protections.seccomp_protection(), protections.capabilities_protection()]
    reason = cgroup.unavailable_reason()
    if memory_bytes is None:
        found.append(Protection("tree_memory", False, "no memory limit was asked for (memory_mb=None)"))
    elif reason is not None:
        found.append(Protection("tree_memory", False, f"{reason}; each process alone is held by RLIMIT_AS"))
    else:
        tasks = f"at most {cgroup.MAX_TASKS:,}" if cgroup.tasks_capped() else "no cap on (no cgroup v1 pids hierarchy)"
        found.append(
            Protection(
                "tree_memory",
                True,
                f"one memory cgroup of {memory_bytes // 1024**2} MiB per run; {tasks} processes and threads",
            )
        )
    if disk_quota_bytes is None:
        found.append(Protection("disk_quota", False, "no disk quota was asked for (disk_mb=None)"))
    else:
        found.append(
            Protection(
                "disk_quota",
                True,
                f"{disk_quota_bytes // 1024**2} MiB and {MAX_ENTRIES:,} files per step folder, measured as it runs",
            )
        )
    return found
