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
"""

from __future__ import annotations

import json
import os
import sys

#: An execute output longer than this is cut (a marker says so): it must fit in one answer line.
MAX_OUTPUT_CHARS = 1_000_000


class Session:
    """The open world and the requests it serves."""

    def __init__(self) -> None:
        self.world = None

    def hello(self) -> dict:
        import appworld

        return {"appworld": appworld.__version__, "root": appworld.path_store.root}

    def tasks(self, split: str) -> list[dict]:
        """Task ids of a split with their difficulty (0 where the ground truth is not shipped, as for test sets)."""
        from appworld import load_task_ids, path_store

        found = []
        for task_id in load_task_ids(split):
            metadata = os.path.join(path_store.data, "tasks", task_id, "ground_truth", "metadata.json")
            difficulty = 0
            if os.path.exists(metadata):
                with open(metadata) as handle:
                    difficulty = int(json.load(handle).get("difficulty", 0))
            found.append({"task_id": task_id, "difficulty": difficulty})
        return found

    def open(self, task_id: str, experiment_name: str, timeout_seconds: int) -> dict:
        from appworld import AppWorld

        self.close()
        self.world = world = AppWorld(task_id=task_id, experiment_name=experiment_name, timeout_seconds=timeout_seconds)
        supervisor = world.task.supervisor
        ground_truth = world.task.ground_truth
        return {
            "instruction": world.task.instruction,
            "supervisor": {k: supervisor[k] for k in ("first_name", "last_name", "email", "phone_number")},
            "datetime": world.task.datetime.isoformat(),
            "difficulty": int(ground_truth.metadata.get("difficulty", 0)) if ground_truth else 0,
        }

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

    def _world(self):
        if self.world is None:
            raise RuntimeError("no task world is open: send 'open' first")
        return self.world


def serve(requests, answers) -> None:
    session = Session()
    ops = {
        name: getattr(session, name)
        for name in ("hello", "tasks", "open", "execute", "completed", "evaluate_saved", "api_doc", "close")
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
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    serve(sys.stdin, answers)


if __name__ == "__main__":
    main()
