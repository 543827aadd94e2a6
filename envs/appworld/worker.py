"""AppWorld's side of trainfree/AppWorld-v0: one AppWorld task world, driven over JSON lines.

Runs in the interpreter that has the appworld package, usually its own venv
(AppWorld pins pydantic 1, which our other extras cannot share), started by
envs/appworld/bridge.py as `python -I worker.py`. Standard library and appworld
only: it never imports trainfree.

Each request is one JSON object a line on stdin, {"op": ..., "id": ..., ...};
each answer one line {"id": ..., "ok": true, "value": ...} or {"id": ...,
"ok": false, "error": "..."} on the file descriptor that was stdout at start. fd 1 then points at stderr, so
nothing AppWorld or agent code prints can pass for an answer.

AppWorld keeps one open world per process (opening one closes the others) and
freezes the clock of the whole process at the task's date: both are why it
lives here and not in the harness's process.

Agent code runs in this process (AppWorld's shell), and AppWorld's own guard is
Python-level (it patches `open`, `os.*` and parses imports: `getattr(builtins,
'__imp' + 'ort__')('_io').open` walks past it). So `open` confines the process
with the kernel layers of envs/sandbox/ (loaded by path: this worker never
imports trainfree) once the world is open and before any agent code runs:
every capability dropped, rlimits (address space, file size, no core),
Landlock (read the interpreter, its venv, system libraries and AppWorld's data
except the tasks' folders, the opened task's own minus its ground truth; write
only this task's experiment output folder and a private temp folder) and a
seccomp filter (no sockets, processes, signals to others, ptrace, mounts,
namespaces, rlimit raises or IPC objects; threads stay: AppWorld's in-process
API client runs its event loop in one). The world is opened without its ground
truth (the difficulty is read from its metadata.json first), so none is in
memory either. A confined worker serves one world: a second `open`, `tasks`
and `evaluate_saved` are refused (the env starts a fresh worker per episode and
asks its judge worker, which runs no agent code, for the rest).

The env starts each episode's worker ahead, as a spare: `preload` imports
AppWorld's apps (no task data) and the spare then waits for its `open`. It asks
for the parent-death signal at its start (argv[1] is the env's pid), not only
at `open`: waiting unconfined, it must not outlive the env either.
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import sys
import tempfile
import types

#: An execute output longer than this is cut (a marker says so): it must fit in one answer line.
MAX_OUTPUT_CHARS = 1_000_000
#: envs/sandbox/, whose stdlib-only modules (privileges, landlock, seccomp) this worker loads by path
SANDBOX = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sandbox")
#: rlimits of a confined worker: AppWorld's apps and their in-process API client take ~400 MB of address space
#: with their threads' stacks and arenas; files it writes are a task's DB state and logs, a few MB
ADDRESS_SPACE_BYTES = 4 * 2**30
FILE_SIZE_BYTES = 256 * 2**20


def _load_sandbox_module(name: str) -> types.ModuleType:
    """envs/sandbox/<name>.py, loaded by path (as envs/sandbox/worker.py loads its siblings)."""
    path = os.path.join(SANDBOX, f"{name}.py")
    module_name = f"_sandbox_{name}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = sys.modules[module_name] = importlib.util.module_from_spec(spec)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def appworld_reads(data: str, task_id: str) -> list[str]:
    """What of AppWorld's data a confined worker reads: what lies beside the tasks (base DBs, API docs, datasets)
    and the opened task's folder without its ground truth. Other tasks' folders, every ground truth and other
    experiments' outputs stay closed, names included (this one's outputs are granted read-write)."""
    tasks = os.path.join(data, "tasks")
    readable = [entry.path for entry in os.scandir(data) if entry.path != tasks]
    task_folder = os.path.join(tasks, task_id)
    if os.path.isdir(task_folder):
        readable.extend(e.path for e in os.scandir(task_folder) if e.name != "ground_truth")
    return readable


class Confinement:
    """The kernel layers over this process, applied once, before any agent code; `report` says which hold."""

    def __init__(self) -> None:
        self.applied: list[str] = []
        self.skipped: dict[str, str] = {}
        self.temp_dir = ""

    def apply(self, read: list[str], write: list[str], system: list[str] | None, listable: list[str]) -> None:
        privileges = _load_sandbox_module("privileges")
        landlock = _load_sandbox_module("landlock")
        seccomp = _load_sandbox_module("seccomp")
        try:
            privileges.die_with_parent()
            self.applied.append("parent_death")
        except OSError as err:
            self.skipped["parent_death"] = str(err)
        try:  # first: capset and prctl may be refused once seccomp is on
            privileges.drop_capabilities()
            self.applied.append("capabilities")
        except OSError as err:
            self.skipped["capabilities"] = f"could not drop them: {err}"
        for which, value in ((resource.RLIMIT_AS, ADDRESS_SPACE_BYTES), (resource.RLIMIT_FSIZE, FILE_SIZE_BYTES)):
            _, hard = resource.getrlimit(which)
            cap = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (cap, cap))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        self.applied.append("rlimits")
        # a private temp folder: tempfile's users write there, and nowhere else outside the task's outputs
        self.temp_dir = tempfile.mkdtemp(prefix="trainfree-appworld-")
        os.environ["TMPDIR"] = tempfile.tempdir = self.temp_dir
        abi = landlock.abi_version()
        if abi > 0:
            landlock.FsPolicy(
                read_only=(
                    *landlock.interpreter_paths(),
                    *(landlock.SYSTEM_DIRS if system is None else system),
                    *landlock.proc_entries(),
                    "/proc/self",
                    *read,
                ),
                read_write=(*landlock.DEVICES, *write, self.temp_dir),
                abi=abi,
                list_only=tuple(listable),
            ).apply()
            self.applied.append("landlock")
        else:
            self.skipped["landlock"] = "the kernel has no Landlock (Linux >= 5.13 with landlock in the LSM list)"
        if seccomp.supported():
            seccomp.SyscallPolicy(processes=False, threads=True, network=False, new_session=False, ipc=False).apply()
            self.applied.append("seccomp")
        else:
            self.skipped["seccomp"] = "the syscall filter is built for x86_64 Linux only"

    def report(self) -> dict:
        return {"applied": self.applied, "skipped": self.skipped, "temp_dir": self.temp_dir}


class Session:
    """The open world and the requests it serves."""

    def __init__(self) -> None:
        self.world = None
        self.confinement: Confinement | None = None  # set once `open` confined the process: it serves one world

    def hello(self) -> dict:
        import appworld

        return {"appworld": appworld.__version__, "root": appworld.path_store.root}

    def preload(self) -> int:
        """Import every app's models and APIs, what opening any world imports first (AppWorld builds each app's
        FastAPI routes at import: ~2-4 s of CPU here). Code of the venv only, no task data: a spare worker does it
        before it knows its task. Returns how many apps."""
        from appworld.apps import get_all_apps
        from appworld.common.utils import import_apis_module, import_models_module

        apps = get_all_apps()
        for app in apps:  # models first, then APIs: the order AppWorld's own open imports them in
            import_models_module(app)
        for app in apps:
            import_apis_module(app)
        return len(apps)

    def tasks(self, split: str) -> list[dict]:
        """Task ids of a split with their difficulty (0 where the ground truth is not shipped, as for test sets)."""
        from appworld import load_task_ids

        self._unconfined("tasks")
        return [{"task_id": task_id, "difficulty": _difficulty(task_id)} for task_id in load_task_ids(split)]

    def open(
        self,
        task_id: str,
        experiment_name: str,
        timeout_seconds: int,
        confine: bool = True,
        system_read: list[str] | None = None,
        system_list: tuple[str, ...] = (),
    ) -> dict:
        """Open the task's world without its ground truth, then (`confine`) confine this process for good.
        `system_read`/`system_list`: the system folders' read grants the env carved (read_grants.py: no host file
        that no unprivileged user may read, such as /etc/shadow); landlock.SYSTEM_DIRS whole when not given."""
        from appworld import AppWorld, path_store

        self._unconfined("open")
        self.close()
        difficulty = _difficulty(task_id)
        self.world = world = AppWorld(
            task_id=task_id,
            experiment_name=experiment_name,
            timeout_seconds=timeout_seconds,
            load_ground_truth=False,
        )
        supervisor = world.task.supervisor
        opened = {
            "instruction": world.task.instruction,
            "supervisor": {k: supervisor[k] for k in ("first_name", "last_name", "email", "phone_number")},
            "datetime": world.task.datetime.isoformat(),
            "difficulty": difficulty,
            "confinement": None,
        }
        if confine:
            self.confinement = Confinement()
            self.confinement.apply(
                appworld_reads(path_store.data, task_id),
                write=[world.output_directory],
                system=system_read,
                listable=list(system_list),
            )
            opened["confinement"] = self.confinement.report()
        return opened

    def execute(self, code: str) -> str:
        output = self._world().execute(code)
        if len(output) > MAX_OUTPUT_CHARS:
            cut = len(output) - MAX_OUTPUT_CHARS
            output = output[:MAX_OUTPUT_CHARS] + f"\n[... {cut:,} more characters of output cut]"
        return output

    def completed(self) -> bool:
        return bool(self._world().task_completed())

    def evaluate_saved(self, task_id: str, experiment_name: str) -> dict:
        """AppWorld's evaluator on an experiment's saved end state (as `appworld evaluate` does), in a worker where
        no agent code ran: the episode's worker cannot be trusted with it, agent code there can patch the evaluator."""
        from appworld.apps.model_lib import CachedDBHandler
        from appworld.evaluator import evaluate_task

        self._unconfined("evaluate_saved")
        try:
            return evaluate_task(task_id=task_id, experiment_name=experiment_name).to_dict()
        finally:
            CachedDBHandler.reset()  # as AppWorld's evaluate_tasks does: the next grade reads its end state afresh

    def api_doc(self, app: str, api: str) -> dict:
        docs = self._world().task.api_docs
        if app not in docs:
            raise KeyError(f"no app {app!r}; apps: {sorted(docs)}")
        if api not in docs[app]:
            raise KeyError(f"no API {api!r} in {app}; APIs: {sorted(docs[app])}")
        return dict(docs[app][api])

    def close(self) -> None:
        if self.world is not None:
            self.world.close()
            self.world = None

    def _unconfined(self, op: str) -> None:
        if self.confinement is not None:
            raise RuntimeError(f"{op!r} is refused: this worker is confined to the world it opened")

    def _world(self):
        if self.world is None:
            raise RuntimeError("no task world is open: send 'open' first")
        return self.world


def _difficulty(task_id: str) -> int:
    """The task's difficulty from its ground truth's metadata.json, 0 where none is shipped (test sets)."""
    from appworld import path_store

    metadata = os.path.join(path_store.data, "tasks", task_id, "ground_truth", "metadata.json")
    if not os.path.exists(metadata):
        return 0
    with open(metadata) as handle:
        return int(json.load(handle).get("difficulty", 0))


def serve(requests, answers) -> None:
    session = Session()
    ops = {
        name: getattr(session, name)
        for name in ("hello", "preload", "tasks", "open", "execute", "completed", "evaluate_saved", "api_doc")
    }
    for line in requests:
        request_id = None
        try:
            request = json.loads(line)
            request_id = request.pop("id", None)
            op = ops[request.pop("op")]
            answer = {"id": request_id, "ok": True, "value": op(**request)}
        except Exception as error:  # noqa: BLE001 - every failure is an answer, the worker goes on
            answer = {"id": request_id, "ok": False, "error": f"{type(error).__name__}: {error}"}
        answers.write(json.dumps(answer, default=str) + "\n")
        answers.flush()
    session.close()


def main() -> None:
    if len(sys.argv) > 1:  # the env's pid: die with it from the start (a spare waits unconfined, maybe for long)
        try:
            _load_sandbox_module("privileges").die_with_parent(int(sys.argv[1]))
        except OSError:
            pass  # `open`'s confinement tries again and reports it
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    serve(sys.stdin, answers)


if __name__ == "__main__":
    main()
