"""The env's side of the worker fork server: one sandboxed server per session, one forked worker per episode.

Booting a confined interpreter costs ~50 ms of CPU (interpreter, imports, Landlock, seccomp, bwrap's
namespaces); forking one that did all that already costs ~1 ms. The server (worker.py's `main`) is spawned
once per `WorkerSession`, confines itself and pre-imports what workers use, then forks a fresh worker per
request: a copy of a process that never ran agent code, so nothing of an earlier episode reaches it.

A request sends the worker's stdin and stdout pipes and a status pipe over a Unix seqpacket socket; the
server answers with a pidfd of the worker, which the env signals directly (across bwrap's PID namespace,
without trusting the server to do it), and writes the worker's exit code to the status pipe once it has
reaped it. `ForkedWorker` wraps that as the subset of `subprocess.Popen` the session uses.
"""

from __future__ import annotations

import collections
import os
import select
import signal
import socket
import subprocess
import threading
from typing import Any

from envs.sandbox import wire
from envs.sandbox.processes import spawn

ANSWER_TIMEOUT_S = 30.0  # the server's answer to a fork request (its own boot comes first; a busy machine is slow)


class ForkServerGone(OSError):
    """The server cannot take requests any more (it exited or was killed): start another."""


class ForkServer:
    def __init__(self, argv: list[str], init: dict[str, Any], **popen_args: Any):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            # a new session: one killpg ends the server (inside bwrap, the whole sandbox); its workers, each in its
            # own group, die with it (their parent-death signal)
            self.proc = spawn(
                argv,
                stdin=theirs.fileno(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                **popen_args,
            )
        finally:
            theirs.close()
        self._socket = ours
        self._socket.settimeout(ANSWER_TIMEOUT_S)
        self._lock = threading.Lock()  # requests and answers are matched in order
        self._unanswered: collections.deque[ForkedWorker] = collections.deque()
        self._released: list[ForkedWorker] = []  # let go of, exit code not read yet (its status pipe still open)
        self._send(wire.encode(init), [])

    def fork(self) -> ForkedWorker:
        """A new worker; its pidfd is collected when first needed, so the caller never waits for the fork."""
        with self._lock:
            self._released = [w for w in self._released if w.poll() is None]  # reads (closes) what was reported
        stdin_r, stdin_w = os.pipe()
        stdout_r, stdout_w = os.pipe()
        status_r, status_w = os.pipe()
        with self._lock:
            try:
                self._send(b"fork", [stdin_r, stdout_w, status_w])
            except ForkServerGone:
                for fd in (stdin_w, stdout_r, status_r):
                    os.close(fd)
                raise
            finally:
                for fd in (stdin_r, stdout_w, status_w):
                    os.close(fd)  # the server holds them now (or nobody will)
            worker = ForkedWorker(self, stdin_w, stdout_r, status_r)
            self._unanswered.append(worker)
            return worker

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        """Kill the server and every worker it forked, and let go of the socket."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        threading.Thread(target=self.proc.wait, daemon=True).start()  # reaped off the caller's path
        with self._lock:
            released, self._released = self._released, []
        for worker in released:
            worker.forget_status()
        self._socket.close()

    def pidfd_of(self, worker: ForkedWorker) -> int | None:
        """The worker's pidfd, reading the server's answers up to its own; None when it was never forked."""
        with self._lock:
            while worker in self._unanswered:
                head = self._unanswered.popleft()
                try:
                    _, fds, _, _ = socket.recv_fds(self._socket, 64, 1)
                except OSError:  # the server is gone or stuck: its workers die with it (parent-death signal)
                    fds = []
                head.pidfd = fds[0] if fds else None
        return worker.pidfd

    def let_go(self, worker: ForkedWorker) -> None:
        """Keep a released worker until its exit code is read (sweeping them on each fork), so a caller still
        holding it can wait for it, and its status pipe is closed anyway."""
        with self._lock:
            self._released.append(worker)

    def _send(self, message: bytes, fds: list[int]) -> None:
        try:
            socket.send_fds(self._socket, [message], fds)
        except OSError as err:
            raise ForkServerGone(f"the worker fork server is gone: {err}") from None


class ForkedWorker:
    """A worker forked by the server, used like the `subprocess.Popen` of a worker: pipes, pid, poll, wait, kill."""

    def __init__(self, server: ForkServer, stdin_fd: int, stdout_fd: int, status_fd: int):
        self.pidfd: int | None = None
        self._status: int | None = status_fd
        self.stdin = open(stdin_fd, "wb", buffering=0)  # noqa: SIM115 (closed with the worker, see release)
        self.stdout = open(stdout_fd, "rb", buffering=0)  # noqa: SIM115
        self.returncode: int | None = None
        self._server = server
        self._pid: int | None = None
        # The pidfd and the status pipe are used and closed by whichever thread gets there first: the step's,
        # or the harness's watchdog closing the env under it. Under this lock (innermost: nothing else is taken
        # while it is held) a descriptor is closed once, never used after a file opened meanwhile took its number.
        self._fd_lock = threading.Lock()

    @property
    def pid(self) -> int:
        """The worker's pid in the env's PID namespace (the server only knows the one inside bwrap's)."""
        if self._pid is None:
            self._server.pidfd_of(self)
            with self._fd_lock:
                if self.pidfd is None:
                    raise ProcessLookupError("the worker was never forked, or was released (its pidfd closed)")
                with open(f"/proc/self/fdinfo/{self.pidfd}") as info:
                    pid = next(int(line.split()[1]) for line in info if line.startswith("Pid:"))
            if pid <= 0:  # -1: it has exited and been reaped
                raise ProcessLookupError("the worker has exited")
            self._pid = pid
        return self._pid

    def poll(self) -> int | None:
        return self._wait(0.0)

    def wait(self, timeout: float | None = None) -> int:
        code = self._wait(timeout)
        if code is None:
            raise subprocess.TimeoutExpired(f"worker {self._pid}", timeout or 0.0)
        return code

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def send_signal(self, sig: int) -> None:
        if self.poll() is not None:
            return
        try:
            pid = self.pid  # before the lock: finding it may wait for the server's lock
            with self._fd_lock:
                if self.pidfd is None:
                    return  # released meanwhile by another thread
                signal.pidfd_send_signal(self.pidfd, sig)
            # its process group too: where seccomp is missing, agent code can start processes (the worker leads the
            # group, unreaped until the server reports it, so the group cannot be another's)
            os.killpg(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass  # never forked, or exited meanwhile

    def release(self) -> None:
        """Close the env's descriptors of this worker (after kill: the server reaps it and reports its exit code,
        which `wait` still returns)."""
        for stream in (self.stdin, self.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self._server.pidfd_of(self)  # its answer must not stay queued ahead of later workers'
        with self._fd_lock:
            if self.pidfd is not None:
                os.close(self.pidfd)
                self.pidfd = None
        if self.poll() is None:
            self._server.let_go(self)

    def __del__(self) -> None:
        """Close the descriptors a worker dropped unreleased still holds (its env was never closed): the pidfd and
        the status pipe are bare numbers, which the garbage collector left open (3 for each env dropped)."""
        for fd in (self.pidfd, self._status):
            if fd is not None:
                os.close(fd)

    def forget_status(self) -> None:
        """Close the status pipe, its exit code unread (its server is gone: nobody will write it)."""
        with self._fd_lock:
            self._close_status()

    def _close_status(self) -> None:
        if self._status is not None:
            os.close(self._status)
            self._status = None

    def _wait(self, timeout: float | None) -> int | None:
        """The exit code once the server reported it; a server that died unreported counts as SIGKILL.

        A wait that may block is on a copy of the status descriptor, so another thread may read or close the
        pipe meanwhile; the server closes its end once it has written, so every waiter wakes. A poll (every step
        makes one) does not block, so it looks at the pipe itself, under the lock."""
        with self._fd_lock:
            if self.returncode is not None or self._status is None:
                return self.returncode
            if timeout == 0:
                return self._read_report(self._status) if _readable(self._status, 0) else None
            status = os.dup(self._status)
        try:
            if not _readable(status, timeout):
                return None
            with self._fd_lock:
                return self._read_report(status)
        finally:
            os.close(status)

    def _read_report(self, status: int) -> int:
        """The reported exit code, read from `status` (the pipe or a copy) unless another thread read it first.
        Called under the lock."""
        if self.returncode is None:
            report = os.read(status, 32).strip()
            self._close_status()
            self.returncode = int(report) if report.lstrip(b"-").isdigit() else -signal.SIGKILL
        return self.returncode


def _readable(fd: int, timeout: float | None) -> bool:
    """Whether `fd` has something to read (or its writers are gone) within `timeout` seconds (None: forever)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(None if timeout is None else timeout * 1000))
