"""One env's copy of the world, reused by every episode: each episode is one transaction.

Copying the world for each episode costs a memcpy of the whole DB plus SQLite
re-reading its schema on the first query (two thirds of a reset at 1.6 MB,
and both grow with the world). Instead the env deserializes the world once
and runs each episode inside `BEGIN ... ROLLBACK`: a reset undoes only what
the last episode changed, and the parsed schema and page cache stay warm. A
snapshot is re-applied on top of the rolled-back state (world/changes.py).

API calls nest their own SAVEPOINTs inside the episode's transaction. Should
the transaction ever end early (SQLite may abandon it after some errors), the
next call opens a new one and the world is re-copied at the next reset, so
no episode's writes can leak into the next.

Near the storage bound a delete may still need room: the change log keeps
the world's rows it removes (a row the episode made leaves no line). So a
call that deletes (`deleting`) may grow the DB by DELETE_RESERVE_BYTES past
the bound: clear_call_history at the bound deletes the world's first calls
before the episode's own, and was refused (507) however many of its own
calls the agent had deleted one by one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from envs.toolworld.world.build import open_copy
from envs.toolworld.world.changes import restore

DELETE_RESERVE_BYTES = 2**20  # what deleting calls may add past the storage bound, in all


class EpisodeDB:
    """The world's DB for one env: `start()` gives a connection at the world's initial state."""

    def __init__(self, template: bytes, growth_bytes: int):
        self._template = template
        self._growth_bytes = growth_bytes
        self._conn: sqlite3.Connection | None = None
        self._clean = False  # nothing outside the current transaction differs from the template
        self._bound = self._reserve = 0  # pages: the storage bound, and what deletes may take past it

    def start(self, snapshot: dict[str, Any] | None = None) -> sqlite3.Connection:
        """Undo the previous episode and begin a new one, at `snapshot` if given (from changes.capture)."""
        conn = self._conn
        if conn is not None and conn.in_transaction and self._clean:
            conn.execute("ROLLBACK")
        elif conn is not None:  # a transaction that ended early may have committed writes: start afresh
            conn.close()
            conn = None
        if conn is None:
            conn = self._conn = open_copy(self._template, self._growth_bytes)
            self._bound = conn.execute("PRAGMA max_page_count").fetchone()[0]
            self._reserve = DELETE_RESERVE_BYTES // conn.execute("PRAGMA page_size").fetchone()[0]
        conn.execute("BEGIN")
        self._clean = True
        with self.deleting():  # a state an episode reached may hold the deletes' reserve
            if snapshot is not None:
                restore(conn, snapshot)
        return conn

    @contextmanager
    def deleting(self) -> Iterator[None]:
        """Let what runs inside grow the DB up to the bound plus the deletes' reserve, then bring the bound back
        (SQLite keeps it at the DB's size if that is larger, so the reserve is spent once, not per call)."""
        if self._conn is None:
            raise RuntimeError("deleting() needs a started episode")
        self._conn.execute(f"PRAGMA max_page_count = {self._bound + self._reserve}")
        try:
            yield
        finally:
            self._conn.execute(f"PRAGMA max_page_count = {self._bound}")

    def guard(self) -> None:
        """Before an API call: keep the episode's writes inside a transaction that reset can undo."""
        conn = self._conn
        if conn is not None and not conn.in_transaction:
            self._clean = False
            conn.execute("BEGIN")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
