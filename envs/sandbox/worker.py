"""Persistent Python workers that run agent code, one snippet per request, forked by a fork server.

Run as a script (`python -s -S -P worker.py`), standard library only, so it never
imports the env's packages. The process started is the fork server (`main`): its
stdin is a Unix seqpacket socket (fds 0-2 then point at /dev/null). It reads one
init message, confines itself, pre-imports the allowed modules and rehearses a
step so forks start warm (`Blueprint`), then forks a worker per "fork" request,
which carries the worker's stdin and stdout pipes and a status pipe; it
answers with the worker's pid and a pidfd, and writes the worker's exit code
to the status pipe once it has reaped it (forks.py is the env's side). A
worker reads marshal frames and writes JSON lines (wire.py):

  server init       {"op": "init", "allowed_modules": [...], "output_limit": N,
                     "frozen_time": iso or null, "seed": int, "stub": "apis", "parent_pid": int or null,
                     "rlimits": {"RLIMIT_AS": bytes or null, ...}, "cpu_affinity": [cpus], "confine": [paths] or null,
                     "listable": [folders whose entries are only listed]}
  parent -> worker  {"op": "exec", "code": str, "name": "<step 3>", "seq": int}
                    {"op": "reply", "seq": int, "ok": bool, "value": any, "error": str}
  worker -> parent  {"op": "ready", "confinement": [...], "skipped": {layer: why}} or {"op": "failed", "reason": str}
                    {"op": "call", "seq": int, "path": ["phone", "login"], "args": [...], "kwargs": {...}}
                    {"op": "done", "seq": int, "output": str, "ok": bool}

What the worker writes is bounded in bytes, values and nesting (wire.py); "seq" is the exec
request's, so the parent can tell a stale message from an earlier step.

Variables persist across "exec" requests. `<stub>.a.b(...)` sends a "call" and
waits for the reply; a reply with ok=false raises `Exception(error)` in the
agent's code. Python-level guards (against accidents; they share the
interpreter with the agent, so a determined agent can switch them off): an
import allow-list, no open/input/exit builtins, an audit hook that refuses
processes, sockets and file writes, a capped output buffer, and frozen
`time`/`datetime` when asked. What holds against a determined agent is applied
before any agent code runs, by the server to itself (inherited by every fork)
and by each worker after fork (see `Confinement`): parent-death signals (server
on the env, worker on the server: nothing outlives the env), then with init's
"confine": rlimits, no capabilities (privileges.py), Landlock (read only the
standard library and system libraries, write nothing; see landlock.py) and a
seccomp filter (no processes, threads, sockets, signals, rlimit changes, IPC
objects or kernel administration; see seccomp.py). "ready" lists the layers in force.
"""

from __future__ import annotations

import builtins
import datetime as real_datetime
import importlib.util
import json
import linecache
import os
import random
import resource
import select
import socket
import sys
import time as real_time
import traceback
import types

BLOCKED_BUILTINS = ("open", "input", "breakpoint", "exit", "quit", "help", "copyright", "credits", "license")
BLOCKED_EVENTS = (
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.forkpty",
    "os.kill",
    "os.killpg",
    "subprocess.Popen",
    "socket.__new__",
    "socket.connect",
    "socket.bind",
    "socket.getaddrinfo",
    "os.remove",
    "os.rename",
    "os.rmdir",
    "os.mkdir",
    "os.chmod",
    "os.chown",
    "os.link",
    "os.symlink",
    "os.truncate",
    "os.utime",
    "shutil.rmtree",
    "shutil.copyfile",
    "ctypes.dlopen",
    "ctypes.cdata",
    "os.chdir",
    "os.putenv",
    "os.unsetenv",
    "sys.addaudithook",
    "pty.spawn",
    "resource.setrlimit",
)
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
MAX_INIT_BYTES = 1 << 20  # the init message: module names, limits, paths
MAX_FD = 1 << 20  # past any descriptor a worker's RLIMIT_NOFILE lets it hold
STALE_STEP = "this step's output was already returned (its 'done' message was forged): the call was not made"
#: Rounds of the server's rehearsal (Blueprint.rehearse): Python 3.11 specializes a function's bytecode once it
#: has run ~8 times, and then each instruction the next time it runs.
REHEARSAL_ROUNDS = 16
REHEARSAL_CODE = "reply = apis.app.api(key=1)\nprint(reply)"


class CappedWriter:
    """A text sink that keeps the head and tail of what is written, never more than `limit` chars."""

    def __init__(self, limit: int):
        self.limit = limit
        self.head: list[str] = []
        self.head_len = 0
        self.tail = ""
        self.total = 0

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self.total += len(text)
        room = self.limit // 2 - self.head_len
        if room > 0:
            self.head.append(text[:room])
            self.head_len += min(room, len(text))
            text = text[room:]
        if text:
            self.tail = (self.tail + text)[-(self.limit - self.limit // 2) :]
        return len(text)

    def flush(self) -> None:
        pass

    def getvalue(self) -> str:
        head = "".join(self.head)
        dropped = self.total - len(head) - len(self.tail)
        if dropped <= 0:
            return head + self.tail
        return f"{head}\n... [output truncated: {dropped} characters dropped] ...\n{self.tail}"


class Remote:
    """`stub.app.api(...)`: attribute access builds the path, a call sends it to the parent."""

    def __init__(self, channel: Channel, path: tuple[str, ...]):
        self._channel = channel
        self._path = path

    def __getattr__(self, name: str) -> Remote:
        if name.startswith("__"):
            raise AttributeError(name)
        child = self.__dict__[name] = Remote(self._channel, self._path + (name,))  # found directly next time
        return child

    def __call__(self, *args, **kwargs):
        return self._channel.call(list(self._path), list(args), kwargs)

    def __repr__(self) -> str:
        return f"<remote {'.'.join(self._path)}>"


class Channel:
    def __init__(self, rfd: int, wfd: int, wire: types.ModuleType):
        self.reader = os.fdopen(rfd, "rb")
        self.wfd = wfd
        self.wire = wire
        self.seq = 0  # the exec request being served: every message back carries it
        self.pending: list[dict] = []  # an exec request that arrived while a call waited for its reply

    def send(self, message: dict) -> None:
        self.write(self.wire.encode({**message, "seq": self.seq}))

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.wfd, view) :]

    def receive(self) -> dict:
        message = self.wire.read_frame(self.reader)
        if message is None:
            raise SystemExit(0)  # the parent went away
        return message

    def call(self, path: list[str], args: list, kwargs: dict):
        what = ".".join(path)
        try:
            data = self.wire.encode({"op": "call", "seq": self.seq, "path": path, "args": args, "kwargs": kwargs})
        except (TypeError, ValueError) as err:
            raise TypeError(f"arguments of {what} must be JSON values: {err}") from None
        except RecursionError:
            raise ValueError(f"arguments of {what} cannot be sent: nested too deep") from None
        reason = self.wire.problem(data)
        if reason is not None:
            raise ValueError(f"arguments of {what} cannot be sent: {reason}")
        self.write(data)
        while (reply := self.receive()).get("op") != "reply" or reply.get("seq") != self.seq:
            if reply.get("op") == "exec":  # this code forged its step's "done" and ran on: the next step is here
                self.pending.append(reply)
                raise Exception(STALE_STEP)
            # else a reply to a call of an earlier such step: not this call's
        if not reply.get("ok"):
            raise Exception(reply.get("error", "call failed"))
        return reply.get("value")


def frozen_modules(at: real_datetime.datetime) -> dict[str, types.ModuleType]:
    """`datetime` and `time` modules whose clocks say `at` (the rest behaves as usual)."""
    stamp = at.timestamp()

    class datetime(real_datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls.fromtimestamp(stamp, tz)

        @classmethod
        def today(cls):
            return cls.fromtimestamp(stamp)

        @classmethod
        def utcnow(cls):
            return cls.utcfromtimestamp(stamp)

    class date(real_datetime.date):
        @classmethod
        def today(cls):
            return cls.fromtimestamp(stamp)

    dt_mod = types.ModuleType("datetime")
    dt_mod.__dict__.update({k: v for k, v in vars(real_datetime).items() if not k.startswith("__")})
    dt_mod.__dict__.update(datetime=datetime, date=date)
    time_mod = types.ModuleType("time")
    time_mod.__dict__.update({k: v for k, v in vars(real_time).items() if not k.startswith("__")})
    time_mod.__dict__.update(
        time=lambda: stamp,
        time_ns=lambda: int(stamp * 1e9),
        localtime=lambda secs=None: real_time.localtime(stamp if secs is None else secs),
        gmtime=lambda secs=None: real_time.gmtime(stamp if secs is None else secs),
        ctime=lambda secs=None: real_time.ctime(stamp if secs is None else secs),
        strftime=lambda fmt, t=None: real_time.strftime(fmt, real_time.localtime(stamp) if t is None else t),
    )
    return {"datetime": dt_mod, "time": time_mod}


def time_zones() -> tuple[str, ...]:
    """The folders `zoneinfo` looks in for time zones."""
    from zoneinfo import TZPATH

    return tuple(TZPATH)


def make_importer(allowed: frozenset[str], replacements: dict[str, types.ModuleType]):
    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
        top = name.split(".")[0]
        if level != 0:
            raise ImportError(f"relative imports are not allowed here (from {'.' * level}{name} import ...)")
        if top not in allowed:
            raise ImportError(f"import of {name!r} is not allowed here; allowed modules: {', '.join(sorted(allowed))}")
        if name in replacements:
            return replacements[name]
        return builtins.__import__(name, globals, locals, fromlist, level)

    return guarded_import


def folders(paths) -> tuple[str, ...]:
    """Each path normalised and ending in a separator, so a prefix check on them admits what lies inside them and
    neither a sibling sharing the prefix (/usr/share/zoneinfo-secret) nor a way out through '..'."""
    return tuple(sorted({os.path.join(os.path.normpath(path), "") for path in paths}))


def inside(path: str, roots: tuple[str, ...]) -> bool:
    """Whether `path`, its '..' resolved textually, lies in one of `roots` (see folders). A text check: symlinks
    are not followed here (no file-system calls inside the audit hook); Landlock and bwrap judge the real target."""
    return os.path.join(os.path.normpath(path), "").startswith(roots)


def audit_guard(readable_roots: tuple[str, ...]):
    blocked, write_flags = BLOCKED_EVENTS, WRITE_FLAGS  # bound now: patching the module globals later changes nothing

    def hook(event: str, args: tuple) -> None:
        if event.startswith(blocked):
            raise PermissionError(f"{event} is not allowed in this sandbox")
        if event == "open":
            path, mode, flags = (tuple(args) + (None, None, None))[:3]
            writes = (mode is not None and any(c in str(mode) for c in "wax+")) or (
                isinstance(flags, int) and flags & write_flags
            )
            if writes:
                raise PermissionError(f"writing files is not allowed in this sandbox ({path!r})")
            if isinstance(path, (str, bytes)) and not inside(os.fsdecode(path), readable_roots):
                raise PermissionError(f"reading {path!r} is not allowed in this sandbox")

    return hook


def agent_traceback(err: BaseException) -> str:
    """The traceback as the agent should see it: only frames of its own code."""
    te = traceback.TracebackException.from_exception(err)
    te.stack = traceback.StackSummary.from_list(
        [f for f in te.stack if f.filename.startswith("<") and not f.filename.startswith("<frozen")]
    )
    lines = list(te.format())
    if lines and lines[0].startswith("Traceback"):
        lines = lines[1:]
    return "Traceback:\n" + "".join(lines)


def run_snippet(code: str, name: str, namespace: dict, limit: int) -> dict:
    out = CappedWriter(limit)
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = out
    ok = True
    try:
        linecache.cache[name] = (len(code), None, code.splitlines(True), name)
        exec(compile(code, name, "exec"), namespace)
    except BaseException as err:  # the agent's error, whatever it is, is its output
        ok = False
        failure = agent_traceback(err)
    finally:
        sys.stdout, sys.stderr = saved
    text = out.getvalue()
    if ok:
        return {"op": "done", "ok": True, "output": text if text else "Execution successful."}
    if text and not text.endswith("\n"):
        out.write("\n")
    out.write(f"Execution failed. {failure}")  # capped too: an error message can be as long as the agent likes
    return {"op": "done", "ok": False, "output": out.getvalue().rstrip("\n")}


def apply_limits(rlimits: dict, cpu_affinity: list) -> None:
    """Cap this process (the parent spawns it without preexec_fn, so the limits are set here, before any agent code)."""
    for name, value in rlimits.items():
        if value is None:
            continue
        which = getattr(resource, name)
        _, hard = resource.getrlimit(which)
        cap = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (cap, cap + 1 if name == "RLIMIT_CPU" else cap))
    if cpu_affinity:
        os.sched_setaffinity(0, cpu_affinity)


def _load_sibling(relative: str) -> types.ModuleType:
    """A stdlib-only module of this repo, loaded by path (the worker never imports the env's packages)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), relative)
    name = "_sandbox_" + os.path.basename(relative)[:-3]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = sys.modules[name] = importlib.util.module_from_spec(spec)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


class Confinement:
    """The kernel layers, split at the fork: what the server applies to itself (its workers inherit it) and what
    each worker adds after fork, before any agent code. A worker ends with every layer a lone worker had."""

    def __init__(self, read_roots: list[str], listable: list[str], privileges: types.ModuleType):
        self.applied: list[str] = []
        self.skipped: dict[str, str] = {}
        self.landlock, self.seccomp = _load_sibling("landlock.py"), _load_sibling("seccomp.py")  # before Landlock
        self.fs_policy = None
        self.worker_filter = None
        try:  # first: capset and prctl may be refused once seccomp is on
            privileges.drop_capabilities()  # for good, bounding set included: every fork inherits the loss
            self.applied.append("capabilities")
        except OSError as err:  # e.g. capget/capset numbers unknown on this machine: run, and say so
            self.skipped["capabilities"] = f"could not drop them: {err}"
        abi = self.landlock.abi_version()
        if abi > 0:
            fields = self.landlock.FsPolicy.__dataclass_fields__  # newer FsPolicy versions carry their ABI
            self.fs_policy = self.landlock.FsPolicy(
                read_only=tuple(read_roots),
                read_write=(),
                **({"abi": abi} if "abi" in fields else {}),
                list_only=tuple(listable),
            )
            self.fs_policy.apply()
            self.applied.append("landlock")
        if self.seccomp.supported():
            # workers: no processes, threads, sockets, signals, rlimit changes or IPC objects (they would outlive
            # an episode in the namespace the server's workers share); compiled here, installed by each worker
            self.worker_filter = self.seccomp.SyscallPolicy(
                processes=False, threads=False, network=False, new_session=False, ipc=False
            ).compile()
            # the server itself: the same, except that it forks, and its children still set their CPU limit and
            # start their own process group
            self.seccomp.SyscallPolicy(
                processes=True, threads=False, network=False, new_session=True, ipc=False, rlimits=True
            ).apply()
            self.applied.append("seccomp")

    def apply_to_worker(self) -> None:
        """A worker's own Landlock domain (nested in the server's, so signals are scoped to the worker alone:
        not its siblings, not the server; its files stay limited by the server's domain), then the full seccomp
        filter."""
        if self.fs_policy is not None:
            self.landlock.scope_self(self.fs_policy.abi)
        if self.worker_filter is not None:
            self.seccomp.install(self.worker_filter)


def sandbox_modules() -> tuple[str, ...]:
    """The loaded ctypes (with its handle on libc), our modules and the fork server's socket and select modules:
    what each worker drops from sys.modules (forget_modules), listed once in the server. Iterating sys.modules
    in a worker touched every module name's page: ~80 copy-on-write faults and ~0.2 ms per worker."""
    dropped = ("ctypes", "_ctypes", "socket", "_socket", "select")
    return tuple(n for n in sys.modules if n.split(".")[0] in dropped or n.startswith("_sandbox_"))


def forget_modules(names: tuple[str, ...]) -> None:
    """Drop `names` from sys.modules: a later import of ctypes goes through the audit hook's ctypes.dlopen check."""
    for name in names:
        sys.modules.pop(name, None)


class Blueprint:
    """What every worker of one session starts from, set up once in the fork server before it forks."""

    def __init__(self, init: dict, control: socket.socket):
        self.init = init
        self.control = control
        self.server_pid = os.getpid()
        self.wire = _load_sibling("wire.py")
        self.privileges: types.ModuleType | None = None
        self.failure: str | None = None  # why the server could not set up: every worker says so and runs nothing
        self.layers = ["parent_death"]
        self.skipped: dict[str, str] = {}
        self.confinement: Confinement | None = None
        rlimits = init.get("rlimits", {})
        # counted per process (CPU time: the server's would add up over episodes) or per user (processes: the
        # server must fork): each worker sets these itself; the server sets the others, which its forks inherit
        self.worker_rlimits = {k: v for k, v in rlimits.items() if k in ("RLIMIT_CPU", "RLIMIT_NPROC")}
        try:
            self.privileges = _load_sibling("privileges.py")
            self.privileges.die_with_parent(init.get("parent_pid"))
            apply_limits(
                {k: v for k, v in rlimits.items() if k not in self.worker_rlimits}, init.get("cpu_affinity", [])
            )
            if init.get("confine") is not None:
                self.confinement = Confinement(init["confine"], init.get("listable", []), self.privileges)
                self.layers += self.confinement.applied
                self.skipped = self.confinement.skipped
        except Exception as err:  # never run agent code half-confined: each worker says why and stops
            self.failure = f"{type(err).__name__}: {err}"
        for name in init["allowed_modules"]:  # pre-imported once (within the confinement): no worker pays for them
            try:
                __import__(name)
            except ImportError:
                pass  # the agent's own import then fails with the real reason
        frozen = init.get("frozen_time")
        replacements = frozen_modules(real_datetime.datetime.fromisoformat(frozen)) if frozen else {}
        self.builtins = {k: v for k, v in vars(builtins).items() if k not in BLOCKED_BUILTINS}
        self.builtins["__import__"] = make_importer(frozenset(init["allowed_modules"]), replacements)
        # what the audit hook lets agent code read: Python's own files, and the time-zone files `zoneinfo` reads
        self.roots = folders(
            [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.__file__), *time_zones()]
        )
        self.dropped_modules = sandbox_modules()  # last: nothing the server or a worker runs imports after this
        if self.failure is None:
            self.rehearse()  # needs 4 descriptors at once, as each fork does (3 received, a pidfd)

    def rehearse(self) -> None:
        """Run the worker's side of a step with one API call, answered and refused in turn, REHEARSAL_ROUNDS
        times in the server before it forks: every fork then starts with Python's specialized bytecode in
        place, and with the pages specializing writes already written, so it does not pay for them in its
        first steps (on the 2-core VM: 65-69 copy-on-write faults in a worker's first step instead of 80-85,
        and over five alternated pairs of scaling runs, medians of 4% more oracle episodes/s with one worker
        and 7% more with two), for ~2 ms more of the server's boot, once per env. Only this module's code
        runs, on pipes of the server's own that are closed after; the namespace is dropped and what it put in
        linecache is taken out, so no worker sees a trace of it (tests/adversarial/test_worker_forks.py)."""
        to_worker, from_worker = os.pipe(), os.pipe()
        channel = Channel(to_worker[0], from_worker[1], self.wire)
        namespace = {"__builtins__": self.builtins, "__name__": "__main__", "apis": Remote(channel, ())}
        replies = [
            self.wire.frame({"op": "reply", "seq": 0, "ok": True, "value": [{"id": 1, "on": True}], "error": ""}),
            self.wire.frame({"op": "reply", "seq": 0, "ok": False, "value": None, "error": "no such key"}),
        ]
        hook = audit_guard(self.roots)
        cached = set(linecache.cache)  # the snippet's source, and this file's that its refused call's traceback read
        try:
            for _ in range(REHEARSAL_ROUNDS):
                for reply in replies:
                    os.write(to_worker[1], reply)  # the call's answer, waiting before the call is made
                    channel.send(run_snippet(REHEARSAL_CODE, "<rehearsal>", namespace, 4_000))
                    os.read(from_worker[0], 1 << 16)  # the call and the "done" message: a few hundred bytes
                    hook("open", (os.__file__, "r", 0))
        finally:
            for name in set(linecache.cache) - cached:
                del linecache.cache[name]
            channel.reader.close()
            for fd in (to_worker[1], *from_worker):
                os.close(fd)

    def run_worker(self, rfd: int, wfd: int) -> None:
        """In a fresh fork: finish the confinement, then serve one episode's snippets until the parent goes."""
        channel = Channel(rfd, wfd, self.wire)
        try:
            if self.failure is not None or self.privileges is None:
                raise RuntimeError(self.failure)
            self.privileges.die_with_parent(self.server_pid)
            apply_limits(self.worker_rlimits, [])
            if self.confinement is not None:
                self.confinement.apply_to_worker()
            forget_modules(self.dropped_modules)
        except Exception as err:
            channel.send({"op": "failed", "reason": self.failure or f"{type(err).__name__}: {err}"})
            raise SystemExit(1) from None
        random.seed(self.init.get("seed", 0))
        stub = self.init.get("stub", "apis")
        namespace = {"__builtins__": self.builtins, "__name__": "__main__", stub: Remote(channel, ())}
        sys.addaudithook(audit_guard(self.roots))
        channel.send({"op": "ready", "confinement": self.layers, "skipped": self.skipped})
        while True:
            request = channel.pending.pop(0) if channel.pending else channel.receive()
            if request["op"] == "exec":
                channel.seq = request["seq"]
                limit = int(self.init["output_limit"])
                channel.send(run_snippet(request["code"], request.get("name", "<agent>"), namespace, limit))
            elif request["op"] == "exit":
                return


def become_worker(blueprint: Blueprint, fds: list[int]) -> None:
    """The forked child's whole life: it never returns into the server's loop, whatever happens."""
    code = 1
    try:
        blueprint.control.close()  # no way back to the server: a worker cannot ask for forks
        os.setsid()  # its own process group, which the env kills whole (what it started too, where it can start any)
        rfd, wfd = fds[0], fds[1]
        for low, high in zip([2, *sorted((rfd, wfd))], [*sorted((rfd, wfd)), MAX_FD], strict=True):
            os.closerange(low + 1, high)  # every descriptor but 0-2 (/dev/null) and its two pipes
        blueprint.run_worker(rfd, wfd)
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        os._exit(code)


def serve_forks(blueprint: Blueprint) -> None:
    """Fork a worker per request, hand the parent a pidfd of it, and report each one's exit status when it ends.

    A request is one message with three descriptors: the worker's stdin and stdout pipes and a status pipe,
    on which the server writes the worker's exit code (as Popen.returncode gives it) once it has reaped it.
    """
    control = blueprint.control
    poller = select.poll()  # holds no descriptor: nothing for a worker to inherit
    poller.register(control.fileno(), select.POLLIN)
    children: dict[int, tuple[int, int]] = {}  # pidfd -> (pid, status pipe)
    while True:
        for fd, _ in poller.poll():
            if fd in children:
                pid, status = children.pop(fd)
                poller.unregister(fd)
                os.close(fd)
                code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
                try:
                    os.write(status, f"{code}\n".encode())
                except OSError:
                    pass  # the parent has already let go of this worker
                os.close(status)
                continue
            message, fds, _, _ = socket.recv_fds(control, 16, 3)
            if not message:
                return  # the parent closed its end: the session is over
            if message != b"fork" or len(fds) != 3:
                raise SystemExit(f"a malformed fork request: {message!r} with {len(fds)} descriptors")
            pid = os.fork()
            if pid == 0:
                become_worker(blueprint, fds)
            os.close(fds[0])
            os.close(fds[1])
            pidfd = os.pidfd_open(pid)
            children[pidfd] = (pid, fds[2])
            poller.register(pidfd, select.POLLIN)
            socket.send_fds(control, [str(pid).encode()], [pidfd])


def main() -> None:
    control = socket.socket(fileno=os.dup(0))
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    init = json.loads(control.recv(MAX_INIT_BYTES))
    serve_forks(Blueprint(init, control))


if __name__ == "__main__":
    main()
