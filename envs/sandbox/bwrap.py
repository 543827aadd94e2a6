"""Bubblewrap (`bwrap`) namespaces around a sandboxed command, where the machine allows them.

A bwrap sandbox adds what rlimits, seccomp and Landlock cannot: new user,
PID, network, IPC and UTS namespaces (no network devices at all, the parent
and other runs invisible), and a filesystem made only of read-only binds of
what the command needs plus one writable folder. `--die-with-parent` and
the PID namespace end every process inside when the sandbox is killed; `--cap-drop ALL`
leaves the command no capability, and a seccomp filter can be passed in (`--seccomp`).

`sandbox` settings: "auto" (bwrap when it works here, else rlimits only),
"bwrap" (required: a clear error when it cannot work), "rlimit" (never).
Whether bwrap works is probed once per process: the binary may be missing,
or present but unable to create namespaces (e.g. inside a container without
user-namespace permissions).
"""

from __future__ import annotations

import functools
import os
import shutil
import struct
import subprocess
from collections.abc import Sequence

SANDBOXES = ("auto", "bwrap", "rlimit")
PROBE_TIMEOUT_S = 10


@functools.lru_cache(maxsize=1)
def unavailable_reason() -> str | None:
    """None when bwrap can sandbox a command here, else why not."""
    binary = shutil.which("bwrap")
    if binary is None:
        return "bwrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    probe = wrap(["/bin/true"], readable=("/usr", "/bin", "/lib", "/lib64"), writable=())
    try:
        proc = subprocess.run(probe, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"bwrap did not run: {err}"
    if proc.returncode != 0:
        return f"bwrap cannot create its namespaces here: {proc.stderr.strip() or f'exit status {proc.returncode}'}"
    return None


@functools.lru_cache(maxsize=1)
def supports_tmpfs_size() -> bool:
    """Whether this bwrap can cap a tmpfs (`--size`, bubblewrap >= 0.6); older ones leave it uncapped."""
    try:
        proc = subprocess.run(["bwrap", "--help"], capture_output=True, text=True, timeout=PROBE_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--size" in proc.stdout + proc.stderr


def use_bwrap(sandbox: str) -> bool:
    """Resolve a `sandbox` setting to whether commands run inside bwrap."""
    if sandbox not in SANDBOXES:
        raise ValueError(f"unknown sandbox {sandbox!r}; choose one of {list(SANDBOXES)}")
    if sandbox == "rlimit":
        return False
    reason = unavailable_reason()
    if sandbox == "bwrap" and reason is not None:
        raise RuntimeError(f"sandbox=bwrap was asked for, but {reason}; use sandbox=auto or sandbox=rlimit")
    return reason is None


def wrap(
    argv: Sequence[str],
    *,
    readable: Sequence[str],
    writable: Sequence[str],
    chdir: str | None = None,
    seccomp_fd: int | None = None,
    tmpfs_bytes: int | None = None,
    hidden: Sequence[str] = (),
    reveal: Sequence[str] = (),
) -> list[str]:
    """The bwrap command line running `argv` with only these paths visible (read-only, or read-write).

    `hidden`: paths inside the readable ones that the command must not see (read_grants.py: trainfree's
    installed files), each covered after the binds: a folder by an empty read-only tmpfs, a file by /dev/null
    (one mount each: binding every other entry of their folders instead costs bwrap seconds, as it rereads the
    mount table after each mount). `reveal`: files bound back inside hidden folders (the worker's own sources).

    The command starts without any capability (as root, bwrap would otherwise hand it every one
    inside its namespaces), with a private /dev, /dev/shm, /proc and /tmp; `tmpfs_bytes` caps the
    size of /tmp and /dev/shm where this bwrap can (a memory cgroup caps them anyway).
    `seccomp_fd`: a readable fd holding a compiled BPF filter (`seccomp_bytes`), installed right
    before `argv` runs, after bwrap's own mounts; pass the fd to the child (Popen `pass_fds`).
    """
    # '..' in a path climbs out of folders the sandbox may not have (an interpreter run as ../.venv/bin/python)
    readable, writable, hidden, reveal = _normal(readable), _normal(writable), _normal(hidden), _normal(reveal)
    chdir = None if chdir is None else os.path.normpath(chdir)
    if os.path.isabs(argv[0]):
        argv = [os.path.normpath(argv[0]), *argv[1:]]
    size = [] if tmpfs_bytes is None or not supports_tmpfs_size() else ["--size", str(tmpfs_bytes)]
    command = ["bwrap", "--unshare-all", "--die-with-parent", "--cap-drop", "ALL", "--dev", "/dev", "--proc", "/proc"]
    command += [*size, "--tmpfs", "/tmp", *size, "--tmpfs", "/dev/shm"]
    if seccomp_fd is not None:
        command += ["--seccomp", str(seccomp_fd)]
    bound = [path for path in dict.fromkeys(os.path.realpath(p) for p in readable) if os.path.exists(path)]
    # a symlinked entry (e.g. /lib64 on merged-/usr systems) is bound under its own name too,
    # unless a bound folder holds it
    bound += [p for p in readable if os.path.islink(p) and not any(p.startswith(b + "/") for b in bound)]
    for path in dict.fromkeys(bound):
        command += ["--ro-bind", path, path]
    masked: list[str] = []
    for path in sorted(p for p in set(hidden) if os.path.exists(p) and any(inside(p, b) for b in bound)):
        if not any(inside(path, m) for m in masked):  # sorted: a folder comes before what it holds
            masked.append(path)
    for path in masked:
        command += ["--tmpfs", path] if os.path.isdir(path) else ["--ro-bind", "/dev/null", path]
    for path in reveal:
        command += ["--ro-bind", path, path]
    for path in masked:
        if os.path.isdir(path):
            command += ["--remount-ro", path]
    for path in writable:
        command += ["--bind", path, path]
    if chdir is not None:
        command += ["--chdir", chdir]
    return command + ["--", *argv]


def _normal(paths: Sequence[str]) -> list[str]:
    return [os.path.normpath(path) for path in paths]


def inside(path: str, folder: str) -> bool:
    """Whether `path` is `folder` or lies beneath it (by name: resolve links first where they matter)."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def seccomp_bytes(program: Sequence[tuple[int, int, int, int]]) -> bytes:
    """A BPF program (seccomp.SyscallPolicy.program()) as the struct sock_filter array `--seccomp` reads."""
    return b"".join(struct.pack("=HBBI", *instruction) for instruction in program)
