"""The kernel layers every sandboxed process gets: no capabilities, a fuller seccomp filter, death with its parent.

Each case runs a real child process that applies the layer, then attempts
what an agent that has bypassed the Python guards would try.
"""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from envs.sandbox import bwrap, privileges, protections, seccomp

from .conftest import FS_IOC_SETFLAGS, FS_NOATIME_FL, FS_SYNC_FL, inode_flags

ROOT = Path(__file__).resolve().parents[2]
needs_seccomp = pytest.mark.skipif(not seccomp.supported(), reason="the seccomp filter is built for x86_64 Linux only")
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="capabilities are only held (and dropped) as root")


def run_child(code: str) -> str:
    """Run `code` in a fresh interpreter with the project importable; its stdout, or the failure."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@needs_root
def test_dropped_capabilities_cannot_read_the_kernel_log_or_come_back_through_exec() -> None:
    out = run_child(
        """
        import os, subprocess
        from envs.sandbox import privileges
        print(privileges.drop_capabilities())
        try:
            os.read(os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK), 100)
            print("kmsg read")
        except OSError as err:
            print("kmsg refused", err.errno)
        status = subprocess.run(["cat", "/proc/self/status"], capture_output=True, text=True).stdout
        print(sorted({line.split()[1] for line in status.splitlines() if line.startswith("Cap")}))
        """
    )
    dropped, kmsg, caps_after_exec = out.splitlines()
    assert dropped == "capabilities dropped"
    assert kmsg.startswith("kmsg refused")
    assert caps_after_exec == "['0000000000000000']"  # root's exec-time capabilities are locked off too


@needs_seccomp
@pytest.mark.parametrize(
    ("call", "what"),
    [
        ("libc.syscall(103, 10, None, 0)", "syslog: the kernel log"),
        ("libc.syscall(169, 0, 0, 0, None)", "reboot"),
        ("libc.syscall(321, 0, None, 0)", "bpf"),
        ("libc.syscall(298, None, 0, -1, -1, 0)", "perf_event_open"),
        ("libc.syscall(250, 0, 0, 0, 0, 0)", "keyctl"),
        ("libc.syscall(227, 0, None)", "clock_settime"),
        ("libc.syscall(313, -1, b'', 0)", "finit_module"),
        ("libc.syscall(166, b'/tmp', 0)", "umount2"),
        ("libc.syscall(430, b'tmpfs', 0)", "fsopen"),
        ("libc.syscall(133, b'/tmp/x', 0o20600, 0x0103)", "mknod"),
        ("libc.syscall(438, 1, 0, 0)", "pidfd_getfd"),
        ("libc.syscall(426, 0, 0, 0, 0, None, 0)", "io_uring_enter"),
    ],
)
def test_administrative_syscalls_are_refused_even_with_capabilities(call: str, what: str) -> None:
    out = run_child(
        f"""
        import ctypes
        from envs.sandbox.seccomp import SyscallPolicy
        libc = ctypes.CDLL(None, use_errno=True)
        SyscallPolicy(processes=True, network=False).apply()
        print({call}, ctypes.get_errno())
        """
    )
    assert out == "-1 1", f"{what} was not refused with EPERM: {out}"


@needs_seccomp
@pytest.mark.parametrize(
    ("family", "kind"),
    [("AF_UNIX", "SOCK_STREAM"), ("AF_UNIX", "SOCK_DGRAM"), ("AF_NETLINK", "SOCK_RAW"), ("AF_INET", "SOCK_STREAM")],
)
def test_no_socket_of_any_family_can_be_made(family: str, kind: str) -> None:
    out = run_child(
        f"""
        import socket
        from envs.sandbox.seccomp import SyscallPolicy
        SyscallPolicy(processes=True, network=False).apply()
        try:
            socket.socket(socket.{family}, socket.{kind})
            print("made")
        except PermissionError:
            print("refused")
        """
    )
    assert out == "refused"


@needs_seccomp
def test_stream_socketpairs_still_work_but_datagram_ones_do_not() -> None:
    out = run_child(
        """
        import socket
        from envs.sandbox.seccomp import SyscallPolicy
        SyscallPolicy(processes=True, network=False).apply()
        a, b = socket.socketpair()
        a.sendall(b"ok")
        print(b.recv(2).decode())
        try:
            socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            print("datagram made")
        except PermissionError:
            print("datagram refused")
        """
    )
    assert out.splitlines() == ["ok", "datagram refused"]


@needs_seccomp
def test_children_cannot_be_handed_to_the_parent_but_ordinary_ones_run() -> None:
    out = run_child(
        """
        import ctypes, os, subprocess
        from envs.sandbox.seccomp import SyscallPolicy
        libc = ctypes.CDLL(None, use_errno=True)
        SyscallPolicy(processes=True, network=False).apply()
        CLONE_PARENT, SIGCHLD = 0x8000, 17
        pid = libc.syscall(56, CLONE_PARENT | SIGCHLD, None, None, None, 0)
        if pid == 0:
            os._exit(0)
        print(pid, ctypes.get_errno())
        print(subprocess.run(["echo", "spawned"], capture_output=True, text=True).stdout.strip())
        child = os.fork()
        if child == 0:
            os._exit(7)
        print(os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]))
        """
    )
    assert out.splitlines() == ["-1 1", "spawned", "7"]


def test_a_process_dies_with_its_parent() -> None:
    # parent starts a child that asks to die with it, reports the child's pid, then is SIGKILLed
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import os, subprocess, sys, time
                child = subprocess.Popen([sys.executable, "-c", (
                    "import os, sys, time; sys.path.insert(0, os.getcwd())\\n"
                    "from envs.sandbox.privileges import die_with_parent\\n"
                    f"die_with_parent({os.getpid()})\\n"
                    "print('armed', flush=True)\\n"
                    "while True: pass"
                )], stdout=subprocess.PIPE, text=True, start_new_session=True)
                assert child.stdout.readline().strip() == "armed"
                print(child.pid, flush=True)
                time.sleep(600)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    for _ in range(100):  # the kernel signals at once; the zombie is reaped by init shortly after
        if not _alive(child_pid):
            break
        time.sleep(0.05)
    assert not _alive(child_pid), "the busy child outlived its killed parent"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_protections_are_announced_once_and_name_what_is_off(caplog: pytest.LogCaptureFixture) -> None:
    found = [
        protections.Protection("landlock", True, "filesystem access limited"),
        protections.Protection("cgroup", False, "needs root"),
    ]
    with caplog.at_level(logging.INFO, logger="trainfree.sandbox"):
        protections.announce("testenv", found)
        protections.announce("testenv", found)
    assert len(caplog.records) == 1
    assert "cgroup=off" in caplog.text and "needs root" in caplog.text
    assert protections.as_info(found) == {"landlock": "on: filesystem access limited", "cgroup": "off: needs root"}


def test_bwrap_switched_off_by_the_setting_says_so_installed_or_not(monkeypatch: pytest.MonkeyPatch) -> None:
    """sandbox=rlimit is the reason bwrap is off even where it is missing; with auto, the missing binary is."""
    monkeypatch.setattr(bwrap, "unavailable_reason", lambda: "bwrap is not installed")
    assert protections.bwrap_protection(False, "rlimit").detail == "switched off by sandbox=rlimit"
    assert protections.bwrap_protection(False, "auto").detail == "bwrap is not installed"
    assert protections.bwrap_protection(True, "auto").active


def test_capability_probe_matches_what_the_process_holds() -> None:
    effective, _, _ = privileges.held_capabilities()
    assert bool(effective) == (os.geteuid() == 0)
    assert protections.capabilities_protection().active


#: Run in a child under the worker's filter (`processes` from the test), aimed at a sleeping sibling process:
#: every other route to signal or reschedule another process than kill() and the os.sched_* calls
OTHER_ROUTES = """
import ctypes, fcntl, os, signal, sys
from envs.sandbox.seccomp import SyscallPolicy
libc = ctypes.CDLL(None, use_errno=True)
target = int(sys.argv[1])
SyscallPolicy(processes={processes}, threads=False, network=False, new_session=False, ipc=False).apply()
info = (ctypes.c_int * 32)(0, 0, -1)  # a siginfo_t: signal, errno, SI_QUEUE
attr = (ctypes.c_uint32 * 14)(56)  # a sched_attr of its own size, SCHED_OTHER
r, w = os.pipe()
calls = [
    ("rt_sigqueueinfo", lambda: libc.syscall(129, target, 0, info)),  # signal 0: only asks whether it may
    ("rt_tgsigqueueinfo", lambda: libc.syscall(297, target, target, 0, info)),
    ("pidfd_open", lambda: libc.syscall(434, target, 0)),
    ("sched_setattr", lambda: libc.syscall(314, target, attr, 0)),
    ("setpriority PRIO_USER", lambda: libc.setpriority(2, 54321, 0)),  # no process has that user: ESRCH if let by
    ("setpriority PRIO_PGRP", lambda: libc.setpriority(1, os.getpgid(target), 0)),
    ("F_SETOWN", lambda: libc.fcntl(r, fcntl.F_SETOWN, target)),
    ("F_SETSIG", lambda: libc.fcntl(r, 10, signal.SIGUSR1)),
    ("F_SETOWN_EX", lambda: libc.fcntl(r, 15, (ctypes.c_int * 2)(1, target))),
]
for name, call in calls:
    print(name, call(), ctypes.get_errno())
    ctypes.set_errno(0)
print("own", libc.setpriority(0, 0, 3), libc.syscall(314, 0, attr, 0), libc.fcntl(r, fcntl.F_GETFL) >= 0)
"""


@needs_seccomp
@pytest.mark.parametrize("processes", [False, True])
def test_no_other_route_signals_or_reschedules_another_process(processes: bool) -> None:
    """kill() and its kin were refused, but queued signals and a file's SIGIO owner reached the parent (Landlock's
    signal scoping caught them where the kernel has it); nice values could be set for every process of the user."""
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        proc = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(OTHER_ROUTES.format(processes=processes)), str(sleeper.pid)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        lines = proc.stdout.splitlines()
        refused = [line.rsplit(" ", 2)[0] for line in lines[:-1] if line.endswith(" -1 1")]
        by_group = ["setpriority PRIO_USER", "setpriority PRIO_PGRP"]
        expected = by_group if processes else [line.rsplit(" ", 2)[0] for line in lines[:-1]]
        assert refused == expected, lines
        assert lines[-1] == "own 0 0 True", lines
        assert sleeper.poll() is None and os.getpriority(os.PRIO_PROCESS, sleeper.pid) == 0
    finally:
        sleeper.kill()
        sleeper.wait()


@needs_seccomp
@pytest.mark.parametrize("processes", [False, True])
def test_no_policy_changes_a_files_owner_mode_times_or_attributes(processes: bool, tmp_path: Path) -> None:
    """Landlock does not cover a file's metadata, which its owner may change wherever the file is: under either
    policy a child made a file of its user set-user-ID, gave it its own group, set its times and attributes, and
    its inode flags through a read-only descriptor."""
    victim = tmp_path / "victim"
    victim.write_text("x")
    victim.chmod(0o644)
    os.chown(victim, -1, 65534)  # a group other than the child's own, which chown could move it to
    os.setxattr(victim, "user.kept", b"1")
    before, flags = victim.stat(), inode_flags(victim)
    out = run_child(
        f"""
        import fcntl, os, struct
        from envs.sandbox.seccomp import SyscallPolicy
        SyscallPolicy(processes={processes}, threads=False, network=False, new_session=False, ipc=False).apply()
        victim = {str(victim)!r}
        fd = os.open(victim, os.O_RDONLY)
        for change in (
            lambda: os.chmod(victim, 0o6777),
            lambda: os.fchmod(fd, 0o6777),
            lambda: os.utime(victim, (0, 0)),
            lambda: os.chown(victim, -1, os.getgid()),
            lambda: os.setxattr(victim, "user.tag", b"x"),
            lambda: os.removexattr(victim, "user.kept"),
            lambda: fcntl.ioctl(fd, {FS_IOC_SETFLAGS}, struct.pack("q", {flags | FS_SYNC_FL | FS_NOATIME_FL})),
        ):
            try:
                change()
                print(0)
            except OSError as err:
                print(err.errno)
        """
    )
    after = victim.stat()
    assert out.splitlines() == ["0", "0", "0", "1", "1", "1", "1"]  # modes and times: left as they are, no error
    assert (stat.S_IMODE(after.st_mode), after.st_gid, after.st_mtime_ns) == (0o644, 65534, before.st_mtime_ns)
    assert os.listxattr(victim) == ["user.kept"] and inode_flags(victim) == flags
