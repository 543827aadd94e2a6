"""A seccomp-BPF syscall filter: the layer that still holds when agent code escapes Python's guards.

The worker's import allow-list and audit hook live in the same interpreter as
the agent's code, so a determined agent can switch them off (e.g. reach `os`
through `random._os` and patch the hook's globals). Syscalls refused by the
kernel cannot be switched off: after `apply()` this process and its children
can never create sockets, hand children to their parent (CLONE_PARENT),
raise their rlimits, change namespaces or mounts, read the kernel log, load
modules, set clocks, reach other processes' memory, renice every process of
a user or change a file's owner, mode, times, extended attributes or inode
flags (which Landlock does not cover), and (unless `processes`) never start programs,
signal other processes by any route, or set another process's scheduling,
whatever Python code they run.

Standard library only (the worker loads it by path before any agent code),
x86_64 only: on other machines `supported()` is False and callers fall back to
rlimits + audit hook (say so where it matters). A refused syscall fails with
EPERM, which Python reports as `PermissionError: [Errno 1] Operation not permitted`;
a change of mode or times returns success and changes nothing (METADATA_IGNORED).
"""

from __future__ import annotations

import ctypes
import errno
import platform
from dataclasses import dataclass

#: loaded once where the module loads (the fork server): a fork server's worker installs its filter first thing,
#: and dlopen in a forked child costs ~0.2 ms (and can deadlock in the child of a threaded process)
_PRCTL = ctypes.CDLL(None, use_errno=True).prctl
_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2
_LD_ABS, _JA, _JEQ, _JGE, _JSET, _RET = 0x20, 0x05, 0x15, 0x35, 0x45, 0x06
_ALLOW, _KILL_PROCESS, _ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
_AUDIT_ARCH_X86_64, _X32_BIT = 0xC000003E, 0x40000000
_CLONE_THREAD, _CLONE_PARENT = 0x00010000, 0x00008000
# new namespaces: mount, cgroup, UTS, IPC, user, PID, network
_CLONE_NAMESPACES = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000
_ALU_AND = 0x54
F_SETOWN, F_SETSIG, F_SETOWN_EX = 8, 10, 15  # fcntl commands that make the kernel signal another process
PRIO_PROCESS = 0
AF_UNIX = 1
SOCK_DGRAM, SOCK_TYPE_MASK = 2, 0xF

# x86_64 syscall numbers
SYSCALLS = {
    "ioctl": 16,
    "clone": 56,
    "fork": 57,
    "vfork": 58,
    "execve": 59,
    "kill": 62,
    "fcntl": 72,
    "rt_sigqueueinfo": 129,
    "setpriority": 141,
    "sched_setparam": 142,
    "sched_setscheduler": 144,
    "sched_setaffinity": 203,
    "rt_tgsigqueueinfo": 297,
    "sched_setattr": 314,
    "pidfd_open": 434,
    "ptrace": 101,
    "syslog": 103,
    "setsid": 112,
    "setpgid": 109,
    "socket": 41,
    "connect": 42,
    "bind": 49,
    "socketpair": 53,
    "uselib": 134,
    "personality": 135,
    "ustat": 136,
    "sysfs": 139,
    "vhangup": 153,
    "modify_ldt": 154,
    "pivot_root": 155,
    "_sysctl": 156,
    "adjtimex": 159,
    "setrlimit": 160,
    "chroot": 161,
    "acct": 163,
    "settimeofday": 164,
    "mount": 165,
    "umount2": 166,
    "swapon": 167,
    "swapoff": 168,
    "reboot": 169,
    "sethostname": 170,
    "setdomainname": 171,
    "iopl": 172,
    "ioperm": 173,
    "create_module": 174,
    "init_module": 175,
    "delete_module": 176,
    "get_kernel_syms": 177,
    "query_module": 178,
    "quotactl": 179,
    "nfsservctl": 180,
    "tkill": 200,
    "lookup_dcookie": 212,
    "clock_settime": 227,
    "tgkill": 234,
    "vserver": 236,
    "kexec_load": 246,
    "add_key": 248,
    "request_key": 249,
    "keyctl": 250,
    "ioprio_set": 251,
    "migrate_pages": 256,
    "mknodat": 259,
    "unshare": 272,
    "move_pages": 279,
    "perf_event_open": 298,
    "fanotify_init": 300,
    "prlimit64": 302,
    "name_to_handle_at": 303,
    "open_by_handle_at": 304,
    "clock_adjtime": 305,
    "setns": 308,
    "process_vm_readv": 310,
    "process_vm_writev": 311,
    "kcmp": 312,
    "finit_module": 313,
    "kexec_file_load": 320,
    "bpf": 321,
    "execveat": 322,
    "userfaultfd": 323,
    "mknod": 133,
    "pidfd_send_signal": 424,
    "io_uring_setup": 425,
    "io_uring_enter": 426,
    "io_uring_register": 427,
    "open_tree": 428,
    "move_mount": 429,
    "fsopen": 430,
    "fsconfig": 431,
    "fsmount": 432,
    "fspick": 433,
    "clone3": 435,
    "pidfd_getfd": 438,
    "process_madvise": 440,
    "mount_setattr": 442,
    "open_tree_attr": 467,
    "shmget": 29,
    "shmat": 30,
    "shmctl": 31,
    "semget": 64,
    "semop": 65,
    "semctl": 66,
    "shmdt": 67,
    "msgget": 68,
    "msgsnd": 69,
    "msgrcv": 70,
    "msgctl": 71,
    "semtimedop": 220,
    "mq_open": 240,
    "mq_unlink": 241,
    "mq_timedsend": 242,
    "mq_timedreceive": 243,
    "mq_notify": 244,
    "mq_getsetattr": 245,
    "fallocate": 285,
    "chmod": 90,
    "fchmod": 91,
    "chown": 92,
    "fchown": 93,
    "lchown": 94,
    "utime": 132,
    "setxattr": 188,
    "lsetxattr": 189,
    "fsetxattr": 190,
    "removexattr": 197,
    "lremovexattr": 198,
    "fremovexattr": 199,
    "utimes": 235,
    "fchownat": 260,
    "futimesat": 261,
    "fchmodat": 268,
    "utimensat": 280,
    "fchmodat2": 452,
    "setxattrat": 463,
    "removexattrat": 466,
}
# Never needed by a sandboxed program, and each one reaches past the sandbox: debugging or reading other
# processes, the kernel log, modules, clocks, mounts, namespaces, keyrings, device nodes, raw I/O ports,
# BPF and perf (kernel attack surface), io_uring (syscalls the filter cannot see), rlimit changes.
ALWAYS_DENIED = (
    "ptrace",
    "syslog",
    "uselib",
    "personality",
    "ustat",
    "sysfs",
    "vhangup",
    "modify_ldt",
    "pivot_root",
    "_sysctl",
    "adjtimex",
    "setrlimit",
    "chroot",
    "acct",
    "settimeofday",
    "mount",
    "umount2",
    "swapon",
    "swapoff",
    "reboot",
    "sethostname",
    "setdomainname",
    "iopl",
    "ioperm",
    "create_module",
    "init_module",
    "delete_module",
    "get_kernel_syms",
    "query_module",
    "quotactl",
    "nfsservctl",
    "lookup_dcookie",
    "clock_settime",
    "vserver",
    "kexec_load",
    "add_key",
    "request_key",
    "keyctl",
    "ioprio_set",
    "migrate_pages",
    "mknod",
    "mknodat",
    "unshare",
    "move_pages",
    "perf_event_open",
    "fanotify_init",
    "name_to_handle_at",
    "open_by_handle_at",
    "clock_adjtime",
    "setns",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "finit_module",
    "kexec_file_load",
    "bpf",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "open_tree",
    "move_mount",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "pidfd_getfd",
    "process_madvise",
    "mount_setattr",
    "open_tree_attr",
)
# A file's owner, mode, times and extended attributes: Landlock limits what a sandbox opens and writes, not these,
# which the kernel lets a file's owner change wherever it is: a script run as the env's user made the env's files
# outside its folder set-user-ID (chmod 0o6777; on /usr/bin/python3, a root shell for every local user when the
# env is root) or moved them to its own group. Owners and attributes are refused (EPERM, as without CAP_CHOWN or
# where a filesystem has no user attributes); modes and times are left as they are and the call returns 0, since
# programs change them on their own files and fail when refused (shutil.copy copies a file's mode, joblib's
# memmapping pool shuts its folder).
METADATA_DENIED = (
    "chown",
    "fchown",
    "lchown",
    "fchownat",
    "setxattr",
    "lsetxattr",
    "fsetxattr",
    "removexattr",
    "lremovexattr",
    "fremovexattr",
    "setxattrat",
    "removexattrat",
)
METADATA_IGNORED = ("chmod", "fchmod", "fchmodat", "fchmodat2", "utime", "utimes", "futimesat", "utimensat")
# fallocate reserves a file's blocks at once, up to RLIMIT_FSIZE a file, on as many files as a program makes: an MLE
# run took 4,000 MiB in 7 ms, 62 times its 64 MiB disk quota before the quota's first measurement (0.25 s), and at
# that rate could fill the host's disk for every process. EOPNOTSUPP makes glibc's posix_fallocate write the blocks
# instead, at the speed of any write.
UNSUPPORTED = ("fallocate",)
# ioctl requests that set a file's attributes, on a descriptor of any mode, for its owner (Landlock covers ioctl on
# devices only): a script set synchronous writes and no access times (chattr +S +A) on a file it could only read.
# Inode flags (FS_IOC_SETFLAGS, its 32-bit form), extended flags and project (FS_IOC_FSSETXATTR), the generation
# number (FS_IOC_SETVERSION and ext4's, both forms), fs-verity (makes a file read-only for good), an encryption policy.
FILE_ATTRIBUTE_IOCTLS = (
    0x40086602,
    0x40046602,
    0x401C5820,
    0x40087602,
    0x40047602,
    0x40086604,
    0x40046604,
    0x40806685,
    0x800C6613,
)
# Signals to other processes by other routes than kill(): queued signals, and a process named to receive a file's
# SIGIO (fcntl F_SETOWN...); a pidfd, the handle a process would signal or watch another by
SIGNALLING = ("kill", "tkill", "tgkill", "pidfd_send_signal", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_open")
# Scheduling set on a process named by its first argument: 0 is the caller itself, any other pid another process
# (its fork server, the env, with the same user any process of it); what a worker sets there outlives it
SCHEDULING = ("sched_setparam", "sched_setscheduler", "sched_setaffinity", "sched_setattr")
# System V IPC objects and POSIX message queues live in the IPC namespace, not in the process: they outlive it,
# so processes that share a namespace (one fork server's workers, across episodes) could pass data through them
IPC = (
    "shmget",
    "shmat",
    "shmctl",
    "shmdt",
    "semget",
    "semop",
    "semctl",
    "semtimedop",
    "msgget",
    "msgsnd",
    "msgrcv",
    "msgctl",
    "mq_open",
    "mq_unlink",
    "mq_timedsend",
    "mq_timedreceive",
    "mq_notify",
    "mq_getsetattr",
)


@dataclass(frozen=True)
class SyscallPolicy:
    """What a confined process may still do. Everything not named here is allowed."""

    processes: bool = False  # fork, exec, signals to other processes; False leaves threads only
    threads: bool = True  # False: no threads either (nothing can keep running between a worker's steps)
    network: bool = False  # sockets of any kind; False leaves pipes and stream socketpairs only
    new_session: bool = True  # setsid/setpgid; False keeps every child in the group a timeout kills
    ipc: bool = True  # System V IPC and POSIX message queues; False when others share the IPC namespace
    # setrlimit/prlimit64 raising or lowering limits; True only for a fork server, whose children cap their own CPU
    # time after fork and then install a filter with rlimits=False (filters stack: the strictest answer wins)
    rlimits: bool = False
    affinity: bool = True  # sched_setaffinity; False keeps a process pinned to the CPUs it was started on

    def program(self) -> list[tuple[int, int, int, int]]:
        """The BPF program as (code, jt, jf, k) tuples, jumps resolved."""
        asm = _Assembler()
        asm.op(_LD_ABS, 4)
        asm.jump(_JEQ, _AUDIT_ARCH_X86_64, None, "kill")
        asm.op(_LD_ABS, 0)
        asm.jump(_JGE, _X32_BIT, "deny", None)
        for name in ALWAYS_DENIED + METADATA_DENIED + (() if self.ipc else IPC):
            if name != "setrlimit" or not self.rlimits:
                asm.jump(_JEQ, SYSCALLS[name], "listed", None)
        for name in METADATA_IGNORED:
            asm.jump(_JEQ, SYSCALLS[name], "ignored", None)
        for name in UNSUPPORTED:
            asm.jump(_JEQ, SYSCALLS[name], "unsupported", None)
        asm.goto("checks")
        asm.label("listed")  # refused here, near the list: a conditional jump reaches 255 instructions at most
        asm.op(_RET, _ERRNO | errno.EPERM)
        asm.label("ignored")
        asm.op(_RET, _ERRNO | 0)  # returns 0 without running the call
        asm.label("unsupported")
        asm.op(_RET, _ERRNO | errno.EOPNOTSUPP)
        asm.label("checks")
        asm.jump(_JEQ, SYSCALLS["ioctl"], None, "after_ioctl")
        asm.op(_LD_ABS, 24)  # the request
        for request in FILE_ATTRIBUTE_IOCTLS:
            asm.jump(_JEQ, request, "deny", None)
        asm.goto("allow")
        asm.label("after_ioctl")
        # clone3 passes its flags in memory the filter cannot read: ENOSYS makes glibc fall back to clone
        asm.jump(_JEQ, SYSCALLS["clone3"], "nosys", None)
        if not self.affinity:
            asm.jump(_JEQ, SYSCALLS["sched_setaffinity"], "deny", None)
        if not self.processes:
            for name in ("fork", "vfork", "execve", "execveat", *SIGNALLING):
                asm.jump(_JEQ, SYSCALLS[name], "deny", None)
            for name in SCHEDULING:  # on itself only: no other process of its own exists to set
                asm.jump(_JEQ, SYSCALLS[name], "only_itself", None)
            asm.jump(_JEQ, SYSCALLS["fcntl"], None, "after_fcntl")
            asm.op(_LD_ABS, 24)  # the command
            for command in (F_SETOWN, F_SETSIG, F_SETOWN_EX):
                asm.jump(_JEQ, command, "deny", None)
            asm.goto("allow")
            asm.label("after_fcntl")
        # nice values: of one process only (PRIO_USER would renice every process of the user, the env's too), and
        # without processes of its own, of itself only
        asm.jump(_JEQ, SYSCALLS["setpriority"], None, "after_setpriority")
        asm.op(_LD_ABS, 16)  # which
        asm.jump(_JEQ, PRIO_PROCESS, "allow" if self.processes else None, "deny")
        asm.op(_LD_ABS, 24)  # who
        asm.jump(_JEQ, 0, "allow", "deny")
        asm.label("after_setpriority")
        asm.jump(_JEQ, SYSCALLS["clone"], None, "after_clone")
        asm.op(_LD_ABS, 16)  # low half of clone's flags
        # CLONE_PARENT would hand the child to the env process, outside the group a kill reaches and unreaped
        asm.jump(_JSET, _CLONE_PARENT | _CLONE_NAMESPACES, "deny", None)
        if not self.processes:
            asm.jump(_JSET, _CLONE_THREAD, "allow" if self.threads else "deny", "deny")
        else:
            asm.goto("allow")
        asm.label("after_clone")
        if not self.new_session:
            for name in ("setsid", "setpgid"):
                asm.jump(_JEQ, SYSCALLS[name], "deny", None)
        if not self.network:
            # no socket() of any family (IP, netlink, packet, Unix: a Unix socket can reach servers outside the
            # sandbox); socketpair() stays for pipes between a program's own processes, stream-only, since a
            # datagram socket can still send to a named Unix address outside
            asm.jump(_JEQ, SYSCALLS["socket"], "deny", None)
            asm.jump(_JEQ, SYSCALLS["socketpair"], None, "after_socketpair")
            asm.op(_LD_ABS, 16)  # the domain
            asm.jump(_JEQ, AF_UNIX, None, "deny")
            asm.op(_LD_ABS, 24)  # the type, with SOCK_NONBLOCK/SOCK_CLOEXEC in its high bits
            asm.op(_ALU_AND, SOCK_TYPE_MASK)
            asm.jump(_JEQ, SOCK_DGRAM, "deny", "allow")
            asm.label("after_socketpair")
        if self.rlimits:
            asm.goto("allow")
        asm.jump(_JEQ, SYSCALLS["prlimit64"], None, "allow")
        asm.op(_LD_ABS, 32)  # prlimit64's new_limit pointer: reading limits is fine, setting them is not
        asm.jump(_JEQ, 0, None, "deny")
        asm.op(_LD_ABS, 36)
        asm.jump(_JEQ, 0, "allow", "deny")
        if not self.processes:  # reached by jumps only: what precedes it always jumps
            asm.label("only_itself")
            asm.op(_LD_ABS, 16)  # the pid: 0 is the caller
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
        install(self.compile())

    def compile(self) -> CompiledFilter:
        """The filter ready for `install`: a fork server compiles its children's filter once, before forking."""
        if not supported():
            raise OSError(errno.ENOSYS, f"seccomp filter is only built for x86_64, not {platform.machine()}")
        code = self.program()
        filters = (_SockFilter * len(code))(*(_SockFilter(*ins) for ins in code))
        return CompiledFilter(_SockFprog(len(code), filters), filters)


@dataclass(frozen=True)
class CompiledFilter:
    prog: _SockFprog
    instructions: ctypes.Array  # what `prog` points into, kept alive with it


def install(compiled: CompiledFilter) -> None:
    """Install a compiled filter on the calling process (inherited by its children, irreversible)."""
    unused = ctypes.c_ulong(0)
    if _PRCTL(_PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), unused, unused, unused) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if (
        _PRCTL(
            _PR_SET_SECCOMP,
            ctypes.c_ulong(_SECCOMP_MODE_FILTER),
            ctypes.byref(compiled.prog),
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

    def goto(self, target: str) -> None:
        self.code.append((_JA, 0, target, None))

    def label(self, name: str) -> None:
        self.labels[name] = len(self.code)

    def resolve(self) -> list[tuple[int, int, int, int]]:
        out = []
        for at, (code, k, if_true, if_false) in enumerate(self.code):
            jt, jf = (0 if target is None else self.labels[target] - at - 1 for target in (if_true, if_false))
            if code == _JA:  # the offset of an unconditional jump is its k
                out.append((code, 0, 0, jt))
                continue
            if not (0 <= jt < 256 and 0 <= jf < 256):
                raise ValueError(f"BPF jump out of range at instruction {at}")
            out.append((code, jt, jf, k))
        return out
