"""Confine a solution run's file access with Linux Landlock (kernel >= 5.13).

No namespaces or root needed: right before exec, the child restricts itself
so it can read only the interpreter, its libraries and system files, and
read/write only its own step folder plus a few device nodes (/dev/null,
/dev/zero, /dev/full, /dev/random, /dev/urandom: not /dev/shm, whose files
would outlive the run). The prepared competition cache, the private answers
and other episodes' folders become unreadable even by absolute path. Of /proc
it reads the system-wide entries and its own process's folder only, never
another process's (command lines, environments, open files). Where the kernel lacks Landlock, runs go unconfined and
`supported()` says so. Rights are masked to the kernel's Landlock ABI.
"""

from __future__ import annotations

import ctypes
import os
import site
import stat
import struct
import sys
from dataclasses import dataclass

_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446  # same numbers on x86_64 and aarch64
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38
_VERSION_FLAG = 1
_SCOPE_ABSTRACT_UNIX, _SCOPE_SIGNAL = 1 << 0, 1 << 1

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
READ = EXECUTE | READ_FILE | READ_DIR
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | (1 << 14) | (1 << 15)  # + truncate, ioctl_dev
SYSTEM_DIRS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/sys")
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")


#: loaded once in the parent: dlopen in a forked child of a threaded process can deadlock
_LIBC = ctypes.CDLL(None, use_errno=True)


def _syscall(*args: object) -> int:
    result = _LIBC.syscall(*args)
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"landlock syscall {args[0]} failed: {os.strerror(err)}")
    return result


def abi_version() -> int:
    """The kernel's Landlock ABI version, 0 when Landlock is unavailable."""
    try:
        return _syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_VERSION_FLAG))
    except (OSError, AttributeError):
        return 0


def supported() -> bool:
    return abi_version() > 0


def _handled_rights(abi: int) -> int:
    rights = (1 << 13) - 1  # ABI 1: execute ... make_sym
    if abi >= 2:
        rights |= 1 << 13  # refer
    if abi >= 3:
        rights |= 1 << 14  # truncate
    if abi >= 5:
        rights |= 1 << 15  # ioctl_dev
    return rights


def interpreter_paths() -> tuple[str, ...]:
    """Where this Python and its packages live (read-only for the child)."""
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    candidates.update(site.getsitepackages())
    return tuple(sorted(os.path.realpath(p) for p in candidates if os.path.exists(p)))


def proc_entries() -> tuple[str, ...]:
    """/proc without the other processes' folders: the system-wide entries (cpuinfo, meminfo, sys, ...),
    and /proc/self, which `apply` resolves in the restricted process itself, so it grants only that
    process's own folder."""
    try:
        names = os.listdir("/proc")
    except OSError:
        return ()
    return tuple(f"/proc/{name}" for name in sorted(names) if not name.isdigit() and name != "thread-self")


@dataclass(frozen=True)
class FsPolicy:
    """Paths the child may read, and paths it may read and write (with their subtrees); read_grants.py builds
    the read-only ones."""

    read_only: tuple[str, ...]
    read_write: tuple[str, ...]
    abi: int
    #: folders whose entries may be listed but not read (read_grants.py: a granted folder holding a hidden path)
    list_only: tuple[str, ...] = ()

    def apply(self) -> None:
        """Restrict the calling process (meant for preexec_fn, after fork, before exec)."""
        if self.abi == 0:
            return
        handled = _handled_rights(self.abi)
        fd = _create_ruleset(handled, self.abi)
        try:
            for paths, rights in ((self.list_only, READ_DIR), (self.read_only, READ), (self.read_write, handled)):
                for path in paths:
                    self._allow(fd, path, rights & handled)
            _restrict_self(fd)
        finally:
            os.close(fd)

    @staticmethod
    def _allow(ruleset_fd: int, path: str, rights: int) -> None:
        try:
            target = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            return  # a path that does not exist needs no rule
        try:
            if not stat.S_ISDIR(os.fstat(target).st_mode):
                rights &= FILE_RIGHTS
            _syscall(
                _ADD_RULE,
                ruleset_fd,
                ctypes.c_uint32(_RULE_PATH_BENEATH),
                struct.pack("=Qi", rights, target),
                ctypes.c_uint32(0),
            )
        finally:
            os.close(target)


def scope_self(abi: int) -> None:
    """Nest a domain that scopes signals and abstract Unix sockets to the calling process and its children and
    adds no file rule: the enclosing domain already limits files, so this costs one ruleset, not hundreds of
    rules. Nothing to scope below ABI 6."""
    if abi < 6:
        return
    fd = _create_ruleset(0, abi)
    try:
        _restrict_self(fd)
    finally:
        os.close(fd)


def _create_ruleset(handled: int, abi: int) -> int:
    # ABI >= 6 also scopes signals and abstract Unix sockets: no killing or talking to processes outside the sandbox
    scoped = _SCOPE_SIGNAL | _SCOPE_ABSTRACT_UNIX
    ruleset = struct.pack("=QQQ", handled, 0, scoped) if abi >= 6 else struct.pack("=Q", handled)
    return _syscall(_CREATE_RULESET, ruleset, ctypes.c_size_t(len(ruleset)), ctypes.c_uint32(0))


def _restrict_self(ruleset_fd: int) -> None:
    if _LIBC.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    _syscall(_RESTRICT_SELF, ruleset_fd, ctypes.c_uint32(0))
