"""Give up root's powers and tie a sandboxed process's life to its parent's.

The env usually runs as root here (containers, CI), so a worker or solution
script starts with every Linux capability: enough to read the kernel log,
load modules or change the clock once the Python-level guards are bypassed.
`drop_capabilities()` empties the bounding, ambient, inheritable, permitted
and effective sets and locks the root exemptions off, so neither this process
nor anything it executes can hold a capability again. `die_with_parent()`
asks the kernel to SIGKILL this process when its parent goes, so a busy
worker cannot outlive a killed env.

Standard library only, and loadable by path (the ToolWorld worker loads it
before any agent code runs). Call both before Landlock and seccomp: reading
/proc/sys and calling prctl/capset may be refused afterwards.
"""

from __future__ import annotations

import ctypes
import os
import signal
import struct

_PR_SET_PDEATHSIG, _PR_CAPBSET_DROP, _PR_SET_SECUREBITS, _PR_CAP_AMBIENT = 1, 24, 28, 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
# SECBIT_NOROOT, SECBIT_NO_SETUID_FIXUP, SECBIT_KEEP_CAPS_LOCKED, SECBIT_NO_CAP_AMBIENT_RAISE, each with its lock
_LOCKED_SECUREBITS = 0b1111_1111 & ~(1 << 4)
_CAP_VERSION_3 = 0x20080522
_MAX_CAPABILITY = 63

_LIBC = ctypes.CDLL(None, use_errno=True)
_SYSCALLS = {"x86_64": (125, 126), "aarch64": (90, 91)}  # (capget, capset): the numbers differ per machine


def drop_capabilities() -> str:
    """Drop every capability for good; returns what was done, for the start-up report.

    A process without CAP_SETPCAP (not root) cannot shrink its bounding set, but
    it holds no capability to begin with and `no_new_privs` (set by Landlock and
    seccomp) keeps execve from granting any: that is reported, not raised.
    """
    if not _has_setpcap():
        return "no capabilities held (not root)"
    for cap in range(_MAX_CAPABILITY + 1):
        if _prctl(_PR_CAPBSET_DROP, cap) != 0:
            if ctypes.get_errno() == 22:  # EINVAL: past the kernel's last capability
                break
            raise OSError(ctypes.get_errno(), f"prctl(PR_CAPBSET_DROP, {cap}) failed")
    if _prctl(_PR_SET_SECUREBITS, _LOCKED_SECUREBITS) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECUREBITS) failed")
    if _prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_CAP_AMBIENT_CLEAR_ALL) failed")
    _capset(0, 0, 0)
    if any(_capget()):
        raise OSError("capabilities are still held after dropping them")
    return "capabilities dropped"


def held_capabilities() -> tuple[int, int, int]:
    """(effective, permitted, inheritable) bit masks of the calling process."""
    return _capget()


def die_with_parent(parent_pid: int | None = None) -> None:
    """SIGKILL this process when its parent exits; exit now if the parent is already gone.

    `parent_pid` closes the race where the parent dies before the request is
    made (the process is then re-parented and never signalled). Note the kernel
    ties the signal to the parent *thread* that started this process.
    """
    if _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)


def _has_setpcap() -> bool:
    effective, _, _ = _capget()
    return bool(effective & (1 << 8))  # CAP_SETPCAP


def _capget() -> tuple[int, int, int]:
    header = ctypes.create_string_buffer(struct.pack("=Ii", _CAP_VERSION_3, 0))
    data = ctypes.create_string_buffer(24)
    if _LIBC.syscall(_syscall_numbers()[0], header, data) != 0:
        raise OSError(ctypes.get_errno(), "capget failed")
    e0, p0, i0, e1, p1, i1 = struct.unpack("=6I", data.raw)
    return e0 | e1 << 32, p0 | p1 << 32, i0 | i1 << 32


def _capset(effective: int, permitted: int, inheritable: int) -> None:
    header = ctypes.create_string_buffer(struct.pack("=Ii", _CAP_VERSION_3, 0))
    words = (effective, permitted, inheritable)
    data = ctypes.create_string_buffer(struct.pack("=6I", *(w & 0xFFFFFFFF for w in words), *(w >> 32 for w in words)))
    if _LIBC.syscall(_syscall_numbers()[1], header, data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")


def _syscall_numbers() -> tuple[int, int]:
    machine = os.uname().machine
    if machine not in _SYSCALLS:
        raise OSError(f"capget/capset numbers are not known for {machine}")
    return _SYSCALLS[machine]


def _prctl(option: int, arg: int) -> int:
    unused = ctypes.c_ulong(0)
    return _LIBC.prctl(ctypes.c_int(option), ctypes.c_ulong(arg), unused, unused, unused)
