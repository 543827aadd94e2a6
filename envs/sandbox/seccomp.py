"""A seccomp-BPF syscall filter: the layer that still holds when agent code escapes Python's guards.

The worker's import allow-list and audit hook live in the same interpreter as
the agent's code, so a determined agent can switch them off (e.g. reach `os`
through `random._os` and patch the hook's globals). Syscalls refused by the
kernel cannot be switched off: after `apply()` this process and its children
can never start programs, create sockets, signal other processes, raise their
rlimits or change namespaces, whatever Python code they run.

Standard library only (the worker loads it by path before any agent code),
x86_64 only: on other machines `supported()` is False and callers fall back to
rlimits + audit hook (say so where it matters). A refused syscall fails with
EPERM, which Python reports as `PermissionError: [Errno 1] Operation not permitted`.
"""

from __future__ import annotations

import ctypes
import errno
import platform
from dataclasses import dataclass

_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2
_LD_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_ALLOW, _KILL_PROCESS, _ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
_AUDIT_ARCH_X86_64, _X32_BIT = 0xC000003E, 0x40000000
_CLONE_THREAD = 0x00010000
AF_INET, AF_INET6, AF_PACKET = 2, 10, 17

# x86_64 syscall numbers
SYSCALLS = {
    "clone": 56,
    "fork": 57,
    "vfork": 58,
    "execve": 59,
    "kill": 62,
    "ptrace": 101,
    "setsid": 112,
    "setpgid": 109,
    "socket": 41,
    "connect": 42,
    "bind": 49,
    "socketpair": 53,
    "setrlimit": 160,
    "chroot": 161,
    "mount": 165,
    "tkill": 200,
    "tgkill": 234,
    "unshare": 272,
    "setns": 308,
    "process_vm_writev": 311,
    "execveat": 322,
    "prlimit64": 302,
    "pidfd_send_signal": 424,
    "io_uring_setup": 425,
    "clone3": 435,
}
ALWAYS_DENIED = ("ptrace", "setrlimit", "chroot", "mount", "unshare", "setns", "process_vm_writev", "io_uring_setup")


@dataclass(frozen=True)
class SyscallPolicy:
    """What a confined process may still do. Everything not named here is allowed."""

    processes: bool = False  # fork, exec, signals to other processes; False leaves threads only
    threads: bool = True  # False: no threads either (nothing can keep running between a worker's steps)
    network: bool = False  # IPv4/IPv6/packet sockets (Unix sockets and pipes always work)
    new_session: bool = True  # setsid/setpgid; False keeps every child in the group a timeout kills

    def program(self) -> list[tuple[int, int, int, int]]:
        """The BPF program as (code, jt, jf, k) tuples, jumps resolved."""
        asm = _Assembler()
        asm.op(_LD_ABS, 4)
        asm.jump(_JEQ, _AUDIT_ARCH_X86_64, None, "kill")
        asm.op(_LD_ABS, 0)
        asm.jump(_JGE, _X32_BIT, "deny", None)
        for name in ALWAYS_DENIED:
            asm.jump(_JEQ, SYSCALLS[name], "deny", None)
        if not self.processes:
            for name in ("fork", "vfork", "execve", "execveat", "kill", "tkill", "tgkill", "pidfd_send_signal"):
                asm.jump(_JEQ, SYSCALLS[name], "deny", None)
            asm.jump(_JEQ, SYSCALLS["clone3"], "nosys", None)  # glibc falls back to clone for threads
            asm.jump(_JEQ, SYSCALLS["clone"], None, "after_clone")
            asm.op(_LD_ABS, 16)  # low half of clone's flags
            asm.jump(_JSET, _CLONE_THREAD, "allow" if self.threads else "deny", "deny")
            asm.label("after_clone")
        if not self.new_session:
            for name in ("setsid", "setpgid"):
                asm.jump(_JEQ, SYSCALLS[name], "deny", None)
        if not self.network:
            asm.jump(_JEQ, SYSCALLS["socket"], None, "after_socket")
            asm.op(_LD_ABS, 16)  # the address family
            for family in (AF_INET, AF_INET6, AF_PACKET):
                asm.jump(_JEQ, family, "deny", None)
            asm.jump(_JEQ, 0xFFFFFFFF, "deny", "allow")  # always false: a plain jump to allow
            asm.label("after_socket")
        asm.jump(_JEQ, SYSCALLS["prlimit64"], None, "allow")
        asm.op(_LD_ABS, 32)  # prlimit64's new_limit pointer: reading limits is fine, setting them is not
        asm.jump(_JEQ, 0, None, "deny")
        asm.op(_LD_ABS, 36)
        asm.jump(_JEQ, 0, "allow", "deny")
        asm.label("allow")
        asm.op(_RET, _ALLOW)
        asm.label("deny")
        asm.op(_RET, _ERRNO | errno.EPERM)
        asm.label("nosys")
        asm.op(_RET, _ERRNO | errno.ENOSYS)
        asm.label("kill")
        asm.op(_RET, _KILL_PROCESS)
        return asm.resolve()

    def apply(self) -> None:
        """Install the filter on the calling process (inherited by its children, irreversible)."""
        if not supported():
            raise OSError(errno.ENOSYS, f"seccomp filter is only built for x86_64, not {platform.machine()}")
        code = self.program()
        filters = (_SockFilter * len(code))(*(_SockFilter(*ins) for ins in code))
        prog = _SockFprog(len(code), filters)
        libc = ctypes.CDLL(None, use_errno=True)
        if (
            libc.prctl(_PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0))
            != 0
        ):
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        if (
            libc.prctl(
                _PR_SET_SECCOMP,
                ctypes.c_ulong(_SECCOMP_MODE_FILTER),
                ctypes.byref(prog),
                ctypes.c_ulong(0),
                ctypes.c_ulong(0),
            )
            != 0
        ):
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")


def supported() -> bool:
    return platform.system() == "Linux" and platform.machine() in ("x86_64", "AMD64")


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


class _Assembler:
    """Just enough of a BPF assembler: instructions with symbolic jump targets (None = next)."""

    def __init__(self) -> None:
        self.code: list[tuple[int, int, str | None, str | None]] = []
        self.labels: dict[str, int] = {}

    def op(self, code: int, k: int) -> None:
        self.code.append((code, k, None, None))

    def jump(self, code: int, k: int, if_true: str | None, if_false: str | None) -> None:
        self.code.append((code, k, if_true, if_false))

    def label(self, name: str) -> None:
        self.labels[name] = len(self.code)

    def resolve(self) -> list[tuple[int, int, int, int]]:
        out = []
        for at, (code, k, if_true, if_false) in enumerate(self.code):
            jt, jf = (0 if target is None else self.labels[target] - at - 1 for target in (if_true, if_false))
            if not (0 <= jt < 256 and 0 <= jf < 256):
                raise ValueError(f"BPF jump out of range at instruction {at}")
            out.append((code, jt, jf, k))
        return out
