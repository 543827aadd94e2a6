"""The append-only JSONL store of finished episodes: what makes a run resumable.

Each finished episode is one line, written in a single `write` and then
flushed and fsync'd, so after a kill -9 every line on disk is a whole episode
except possibly the last one. Opening the store checks every line: one that
is not a whole episode record (a torn tail without its newline, text that is
not JSON, an object that lacks a field the harness reads or has it of the
wrong type) is moved, byte for byte, to `results.rejected.jsonl`, with a
warning naming `results.jsonl:<line>` and the problem, and its episode simply
runs again: nothing written is lost, nothing is counted twice, and no bad
line can crash a resume.
"""

from __future__ import annotations

import fcntl
import json
import logging
import math
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from harness.blame import INFRA, record_error_kind

RESULTS_FILE = "results.jsonl"
REJECTED_FILE = "results.rejected.jsonl"
LOCK_FILE = ".run.lock"

log = logging.getLogger(__name__)


def _finite(value: Any) -> bool:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer past float's range (a 10**400 token count): no mean or rate can use it
        return False


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _object_of(value: Any, valid: Callable[[Any], bool]) -> bool:
    """An object whose values are all `valid` numbers (bools count: they are 0 and 1)."""
    return isinstance(value, dict) and all(valid(v) or isinstance(v, bool) for v in value.values())


def _numbers(value: Any) -> bool:
    return _object_of(value, _finite)


#: The largest time or cost a record may hold: far past any run, and small enough that the summary's sums over
#: any number of records stay within float's range (two wall times of 1e308, each finite, made the summary's
#: math.fsum raise OverflowError on every resume and report).
MAX_AMOUNT = 1e100


def _amount(value: Any) -> bool:
    return _finite(value) and 0 <= value <= MAX_AMOUNT


def _amounts(value: Any) -> bool:
    return _object_of(value, _amount)


def _cost(value: Any) -> bool:
    """The `llm` field: totals and per-role costs, each an object of amounts."""
    if not isinstance(value, dict):
        return False
    by_role = value.get("by_role", {})
    return _amounts(value.get("total", {})) and isinstance(by_role, dict) and all(map(_amounts, by_role.values()))


class RunFileError(ValueError):
    """A run dir's own bookkeeping file (run.json, shard.json) is not what the harness wrote."""


def read_run_file(path: Path, fields: Mapping[str, type]) -> dict[str, Any] | None:
    """The JSON object of a run dir's file (None when there is none), with `fields` of their types. An emptied,
    truncated or edited file raised a bare JSONDecodeError, KeyError or TypeError on resume; now its path and
    the problem are named."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError) as err:  # a UnicodeDecodeError is a ValueError
        raise RunFileError(f"{path} cannot be read as JSON ({type(err).__name__}: {err}); {RESTORE}") from None
    if not isinstance(data, dict):
        raise RunFileError(f"{path} holds a JSON {type(data).__name__}, not an object; {RESTORE}")
    wrong = [f"{name!r} ({kind.__name__})" for name, kind in fields.items() if not isinstance(data.get(name), kind)]
    if wrong:
        raise RunFileError(f"{path} lacks field(s) of the right type: {', '.join(wrong)}; {RESTORE}")
    return data


RESTORE = "the run writes it itself: restore it, or use a new run dir"


def read_written_run_file(path: Path, fields: Mapping[str, type]) -> dict[str, Any]:
    """read_run_file for a run dir that must have written `path` already (reports, merges): missing is an error."""
    data = read_run_file(path, fields)
    if data is None:
        raise RunFileError(f"{path} is missing: the run that made this dir wrote none; {RESTORE}")
    return data


#: The fields the harness reads from every record (summary, resume, selector), with what each must be.
REQUIRED_FIELDS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "key": ("a string", lambda v: isinstance(v, str)),
    "task_id": ("a string", lambda v: isinstance(v, str)),
    "seed": ("a whole number", _whole),
    "success": ("true or false", lambda v: isinstance(v, bool)),
    "reward": ("a finite number", _finite),
    "error": ("null or an object", lambda v: v is None or isinstance(v, dict)),
}

#: Fields the summary reads when they are there; null is always allowed.
OPTIONAL_FIELDS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "scenario": ("a string or a number", lambda v: isinstance(v, str) or _finite(v)),
    "difficulty": ("a string or a number", lambda v: isinstance(v, str) or _finite(v)),
    "steps": ("a whole number", _whole),
    "metrics": ("an object of finite numbers", _numbers),
    "wall_time_s": ("a number from 0 to 1e100", _amount),
    "env_time_s": ("a number from 0 to 1e100", _amount),
    "model_time_s": ("a number from 0 to 1e100", _amount),
    "llm": ("an object of call costs", _cost),
}


class RunDirBusy(RuntimeError):
    """Another process is writing results into the same run directory."""


def episode_key(task_id: str, seed: int) -> str:
    """One episode of a run: a task played with a seed."""
    return f"{task_id}@{seed}"


def record_problem(record: Any) -> str | None:
    """Why `record` is not a usable episode record, or None when it is."""
    if not isinstance(record, dict):
        return f"not a JSON object but {type(record).__name__}"
    missing = [name for name in REQUIRED_FIELDS if name not in record]
    if missing:
        return f"lacks field(s) {', '.join(missing)}"
    for name, (expected, valid) in REQUIRED_FIELDS.items():
        if not valid(record[name]):
            return f"field {name!r} is {str(record[name])[:60]!r}, not {expected}"
    for name, (expected, valid) in OPTIONAL_FIELDS.items():
        if record.get(name) is not None and not valid(record[name]):
            return f"field {name!r} is {str(record[name])[:60]!r}, not {expected} or null"
    if record["success"] and record["error"] is not None:  # the harness never writes both (harness/episode.py)
        return "claims success but ended in an error: an episode that ended in an error is never a success"
    if record["key"] != episode_key(record["task_id"], record["seed"]):
        return f"key {record['key'][:60]!r} is not task_id@seed ({episode_key(record['task_id'], record['seed'])!r})"
    return None


def parse_line(line: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """(record, None) for a valid line, (None, problem) otherwise."""
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return None, f"not JSON ({error})"
    except RecursionError:
        return None, "nested too deeply to read"
    problem = record_problem(record)
    return (None, problem) if problem else (record, None)


class ResultStore:
    """Episode records of one run directory, one JSON object per line.

    Holds an exclusive lock on the run directory while open, so two runs
    never interleave their lines in the same file. `rejected` lists the lines
    set aside when it opened ("results.jsonl:<n>: <problem>").
    """

    def __init__(self, run_dir: str | Path) -> None:
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.run_dir / RESULTS_FILE
        self._write_lock = threading.Lock()
        self._lock_file = _lock_directory(self.run_dir)
        self.rejected: list[str] = []
        self._records = self._load_and_repair()
        self._file = open(self.path, "ab")

    def _load_and_repair(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        lines = self.path.read_bytes().split(b"\n")
        complete, tail = lines[:-1], lines[-1]
        records: list[dict[str, Any]] = []
        kept: list[bytes] = []
        bad: list[tuple[int, bytes, str]] = []
        for number, line in enumerate(complete, start=1):
            if not line.strip():
                continue
            record, problem = parse_line(line)
            if record is None:
                bad.append((number, line, str(problem)))
            else:
                records.append(record)
                kept.append(line)
        if tail:
            bad.append((len(complete) + 1, tail, "torn: no newline at its end (a crash in the middle of a write)"))
        if bad:
            self._set_aside(kept, [line for _, line, _ in bad])
            self.rejected = [f"{self.path}:{number}: {problem}" for number, _, problem in bad]
        return records

    def _set_aside(self, kept: list[bytes], bad: list[bytes]) -> None:
        """Bad lines to results.rejected.jsonl first (durably), then the file without them, atomically."""
        with open(self.run_dir / REJECTED_FILE, "ab") as out:
            out.write(b"".join(line + b"\n" for line in bad))
            out.flush()
            os.fsync(out.fileno())
        tmp = self.path.with_name(RESULTS_FILE + ".tmp")
        with open(tmp, "wb") as out:
            out.write(b"".join(line + b"\n" for line in kept))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)

    def append(self, record: Mapping[str, Any]) -> None:
        """Write one finished episode durably before anything else happens."""
        line = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode(
            "utf-8", "backslashreplace"
        )  # lone surrogates -> JSON escapes
        with self._write_lock:
            self._file.write(line)
            self._file.flush()
            os.fsync(self._file.fileno())
            self._records.append(dict(record))

    def latest(self) -> dict[str, dict[str, Any]]:
        """The last record of every episode key (a redone error supersedes the first try)."""
        with self._write_lock:
            return {record["key"]: record for record in self._records}

    def finished_keys(self, *, retry_infra_errors: bool) -> set[str]:
        """Episodes that need not run again. An agent's failure is an outcome and is never rerun
        (rerunning failures until they pass would inflate the rates); an infrastructure error is,
        when `retry_infra_errors`."""
        return {
            key
            for key, record in self.latest().items()
            if not (retry_infra_errors and record_error_kind(record) == INFRA)
        }

    def close(self) -> None:
        self._file.close()
        self._lock_file.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_results(run_dir: str | Path) -> list[dict[str, Any]]:
    """The latest valid record of every episode of a run dir, read-only (no repair, no lock)."""
    path = Path(run_dir) / RESULTS_FILE
    latest: dict[str, dict[str, Any]] = {}
    for number, line in enumerate(path.read_bytes().split(b"\n")[:-1], 1):
        record, problem = parse_line(line)
        if record is not None:
            latest[record["key"]] = record
        else:  # a run would set it aside (ResultStore); a report or merge must not drop it unsaid
            log.warning("%s:%d: left out: %s", path, number, problem)
    return list(latest.values())


def _lock_directory(run_dir: Path):
    handle = open(run_dir / LOCK_FILE, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        owner = handle.read().strip() or "unknown"
        handle.close()
        raise RunDirBusy(
            f"run dir {run_dir} is in use by another run (pid {owner}); wait for it or use another dir"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle
