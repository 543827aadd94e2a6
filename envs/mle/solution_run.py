"""Run one solution script in its own folder under resource limits.

The script gets a fresh folder holding a private copy of the public data in
`./input`; it runs with a clean environment (no inherited variables, so no
cache path or API key leaks in; HOME and TMPDIR point into its folder),
BLAS/OpenMP thread caps, RLIMIT_AS / CPU / file-size limits, optional CPU
pinning, and a wall-time limit after which its whole process group is killed.
With `confine=True` Landlock (envs/sandbox/landlock.py) also keeps it from reading
anything outside its folder but the interpreter and system files, and from
signalling processes outside its sandbox; a seccomp filter
(envs/sandbox/seccomp.py) refuses network sockets and new sessions. With
`in_bwrap=True` the script runs in bubblewrap namespaces instead (no network
device, its folder the only writable path, the rest read-only binds).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from envs.sandbox import bwrap, seccomp
from envs.sandbox.landlock import FsPolicy
from envs.sandbox.limits import Limits
from envs.sandbox.processes import kill_process_group
from envs.sandbox.seccomp import SyscallPolicy

SCRIPT_NAME = "solution.py"
MEMORY_SIGNS = ("MemoryError", "Cannot allocate memory", "std::bad_alloc", "Unable to allocate")


@dataclass(frozen=True)
class RunResult:
    exit_code: int | None
    timed_out: bool
    runtime_s: float
    stdout: str
    stderr: str
    out_of_memory: bool

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out

    def status(self) -> str:
        if self.timed_out:
            return "killed: wall-time limit reached"
        if self.out_of_memory:
            return f"failed: out of memory (exit status {self.exit_code})"
        if self.exit_code is not None and self.exit_code < 0:
            return f"killed by signal {-self.exit_code}"
        return f"exit status {self.exit_code}"

    def to_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok, "status": self.status()}


def _preexec(limits: Limits, workdir: Path, confine: bool, extra_read: tuple[str, ...], in_bwrap: bool):
    apply_limits = limits.preexec()
    if in_bwrap:  # Landlock and the seccomp filter would stop bwrap's own mounts; its namespaces take their place
        return apply_limits
    policy = FsPolicy.for_workdir(str(workdir), extra_read) if confine else None
    # no network; no new sessions, so every child stays in the process group a timeout kills
    syscalls = (
        SyscallPolicy(processes=True, network=False, new_session=False) if confine and seccomp.supported() else None
    )

    def apply() -> None:
        apply_limits()
        if policy is not None:
            policy.apply()
        if syscalls is not None:
            syscalls.apply()

    return apply


def _tail(path: Path, chars: int) -> str:
    """The last `chars` characters of a possibly huge log file, read from its end."""
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 4 * chars))
        text = handle.read().decode("utf-8", errors="replace")
    if size > 4 * chars or len(text) > chars:
        return f"[... {size} bytes in all, showing the end ...]\n" + text[-chars:]
    return text


def clean_environment(workdir: Path, limits: Limits) -> dict[str, str]:
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),
        "TMPDIR": str(workdir / "tmp"),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
    }
    return limits.environment(base)


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
) -> RunResult:
    """Copy the public data to workdir/input, run the script there, report what happened."""
    workdir.mkdir(parents=True)
    shutil.copytree(input_dir, workdir / "input")
    (workdir / "tmp").mkdir()
    (workdir / SCRIPT_NAME).write_text(code, encoding="utf-8")
    log_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log_dir / f"{workdir.name}.out", log_dir / f"{workdir.name}.err"
    start = time.perf_counter()
    timed_out = False
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        argv = [python, SCRIPT_NAME]
        if in_bwrap:
            readable = [
                p for p in FsPolicy.for_workdir(str(workdir), extra_read_paths).read_only if p not in ("/proc", "/dev")
            ] + [python]
            argv = bwrap.wrap(argv, readable=readable, writable=(str(workdir),), chdir=str(workdir))
        proc = subprocess.Popen(
            argv,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=clean_environment(workdir, limits),
            preexec_fn=_preexec(limits, workdir, confine, extra_read_paths, in_bwrap),
        )
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
        kill_process_group(proc)  # also ends background children a finished script left behind
    runtime = time.perf_counter() - start
    # the folder's absolute path (random per step) is shown as "." so outputs are reproducible
    stdout, stderr = (_tail(p, tail_chars).replace(str(workdir), ".") for p in (out_path, err_path))
    return RunResult(
        exit_code=None if timed_out else proc.returncode,
        timed_out=timed_out,
        runtime_s=round(runtime, 3),
        stdout=stdout,
        stderr=stderr,
        out_of_memory=not timed_out and proc.returncode != 0 and any(s in stderr for s in MEMORY_SIGNS),
    )
