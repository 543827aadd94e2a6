"""The append-only JSONL store of finished episodes: what makes a run resumable.

Each finished episode is one line, written in a single `write` and then
flushed and fsync'd, so after a kill -9 every line on disk is a whole episode
except possibly the last one. Opening the store cuts such a torn tail off
(keeping its bytes in `results.jsonl.torn` for inspection), so its episode is
simply run again: nothing is lost and nothing is counted twice.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

RESULTS_FILE = "results.jsonl"
LOCK_FILE = ".run.lock"


class ResultsCorrupted(RuntimeError):
    """A line other than the last one is not a JSON record: the file was edited or damaged."""


class RunDirBusy(RuntimeError):
    """Another process is writing results into the same run directory."""


def episode_key(task_id: str, seed: int) -> str:
    """One episode of a run: a task played with a seed."""
    return f"{task_id}@{seed}"


class ResultStore:
    """Episode records of one run directory, one JSON object per line.

    Holds an exclusive lock on the run directory while open, so two runs
    never interleave their lines in the same file.
    """

    def __init__(self, run_dir: str | Path) -> None:
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.run_dir / RESULTS_FILE
        self._write_lock = threading.Lock()
        self._lock_file = _lock_directory(self.run_dir)
        self.torn_bytes = 0
        self._records = self._load_and_repair()
        self._file = open(self.path, "ab")

    def _load_and_repair(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        data = self.path.read_bytes()
        records: list[dict[str, Any]] = []
        good_end = 0
        lines = data.split(b"\n")
        complete, tail = lines[:-1], lines[-1]
        for number, line in enumerate(complete, start=1):
            record = _parse(line)
            if record is None:
                if number == len(complete) and not tail:
                    break  # last line unparsable: torn by a crash
                raise ResultsCorrupted(
                    f"{self.path}:{number}: not a JSON episode record ({line[:80]!r}); "
                    "fix or remove that line, then run again"
                )
            records.append(record)
            good_end += len(line) + 1
        if good_end < len(data):
            self._cut_torn_tail(data[good_end:], good_end)
        return records

    def _cut_torn_tail(self, torn: bytes, good_end: int) -> None:
        with open(self.path.with_name(RESULTS_FILE + ".torn"), "ab") as keep:
            keep.write(torn + b"\n")
        os.truncate(self.path, good_end)
        self.torn_bytes = len(torn)

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

    def finished_keys(self, *, count_errors: bool) -> set[str]:
        """Episodes that need not run again; errors only when `count_errors`."""
        return {key for key, record in self.latest().items() if count_errors or not record.get("error")}

    def close(self) -> None:
        self._file.close()
        self._lock_file.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_results(run_dir: str | Path) -> list[dict[str, Any]]:
    """The latest record of every episode of a run dir, read-only (no repair, no lock)."""
    path = Path(run_dir) / RESULTS_FILE
    latest: dict[str, dict[str, Any]] = {}
    for record in _complete_records(path.read_bytes().split(b"\n")[:-1]):
        latest[record["key"]] = record
    return list(latest.values())


def _complete_records(lines: Iterable[bytes]) -> Iterable[dict[str, Any]]:
    for line in lines:
        record = _parse(line)
        if record is not None:
            yield record


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return record if isinstance(record, dict) and "key" in record else None


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
