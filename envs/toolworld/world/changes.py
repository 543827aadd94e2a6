"""Track every row change of an episode with SQLite triggers, and net them into a diff.

Triggers keep one line per changed row in `_changes`: the row as it was
before the episode's first change (`old`) and as it is now (`new`); a row
inserted and then deleted within the episode leaves no line. That makes the
evaluator's "DB at start vs DB at end" exact and cheap: no table scans, no
copy of the start state. Tables whose name starts with "_" are not tracked.

The log grows with the rows an episode touched, not with its writes: with a
line per write, near the storage bound every delete was refused (507) for
good, since it logged the row it removed (16,308 make_call calls, then not
one of 19,401 delete_call_record calls passed), and rewriting one row grew
the log at every write. Deleting what the episode created now frees its line.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

CHANGES_SCHEMA = """
CREATE TABLE _changes (
    seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL, op TEXT NOT NULL, rid INTEGER NOT NULL, old TEXT, new TEXT,
    UNIQUE (tbl, rid)
);
"""


@dataclass(frozen=True)
class RowChange:
    table: str
    row_id: int
    before: dict[str, Any] | None  # None: the row was inserted
    after: dict[str, Any] | None  # None: the row was deleted

    @property
    def kind(self) -> str:
        if self.before is None:
            return "insert"
        return "delete" if self.after is None else "update"

    def changed_columns(self) -> dict[str, tuple[Any, Any]]:
        before, after = self.before or {}, self.after or {}
        return {
            k: (before.get(k), after.get(k)) for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)
        }

    def describe(self) -> str:
        if self.kind == "insert":
            return f"inserted {self.table} row {self.row_id}: {self.after}"
        if self.kind == "delete":
            return f"deleted {self.table} row {self.row_id}: {self.before}"
        diffs = ", ".join(f"{k}: {a!r} -> {b!r}" for k, (a, b) in self.changed_columns().items())
        return f"updated {self.table} row {self.row_id}: {diffs}"


def tracked_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE '\\_%' ESCAPE '\\' "
        "AND name NOT LIKE 'sqlite%' ORDER BY name"
    )
    return [r[0] for r in rows]


def _json_object(prefix: str, cols: list[str]) -> str:
    """SQL building a JSON object of a row's columns, `prefix` being NEW or OLD in a trigger."""
    return "json_object(" + ", ".join(f"'{c}', {prefix}.{c}" for c in cols) + ")"


def install_change_log(conn: sqlite3.Connection) -> None:
    conn.executescript(CHANGES_SCHEMA)
    log = "INSERT INTO _changes(tbl, op, rid, old, new) VALUES"
    # a row's later change keeps its first `old` and takes the new `new`; `op` names the net change
    fold = (
        "ON CONFLICT (tbl, rid) DO UPDATE SET new = excluded.new, "
        "op = CASE WHEN old IS NULL THEN 'insert' WHEN excluded.new IS NULL THEN 'delete' ELSE 'update' END"
    )
    for table in tracked_tables(conn):
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        new, old = _json_object("NEW", cols), _json_object("OLD", cols)
        conn.executescript(
            f"""
            CREATE TRIGGER _ins_{table} AFTER INSERT ON {table} BEGIN
              {log} ('{table}', 'insert', NEW.rowid, NULL, {new}) {fold}; END;
            CREATE TRIGGER _upd_{table} AFTER UPDATE ON {table} BEGIN
              {log} ('{table}', 'update', NEW.rowid, {old}, {new}) {fold}; END;
            CREATE TRIGGER _del_{table} AFTER DELETE ON {table} BEGIN
              {log} ('{table}', 'delete', OLD.rowid, {old}, NULL) {fold};
              DELETE FROM _changes WHERE tbl = '{table}' AND rid = OLD.rowid AND old IS NULL; END;
            """
        )


def net_changes(conn: sqlite3.Connection) -> list[RowChange]:
    """Every row whose content differs between the episode's start and now."""
    out = []
    for tbl, rid, old, new in conn.execute("SELECT tbl, rid, old, new FROM _changes ORDER BY seq"):
        before = None if old is None else json.loads(old)
        after = None if new is None else json.loads(new)
        if before != after:
            out.append(RowChange(tbl, rid, before, after))
    return out


def capture(conn: sqlite3.Connection) -> dict[str, Any]:
    """A compact, exact snapshot of an episode DB relative to its template.

    The current values of every row the change log touched (None if deleted),
    read straight from SQLite so floats stay exact, plus the change log itself
    and the AUTOINCREMENT counters. A few KB instead of the whole DB.
    """
    keys = conn.execute("SELECT DISTINCT tbl, rid FROM _changes ORDER BY tbl, rid").fetchall()
    rows = []
    for table, rid in keys:
        cur = conn.execute(f"SELECT * FROM {table} WHERE rowid = ?", (rid,))
        found = cur.fetchone()
        columns = [d[0] for d in cur.description]
        rows.append((table, rid, None if found is None else dict(zip(columns, found, strict=True))))
    return {
        "rows": rows,
        "log": conn.execute("SELECT seq, tbl, op, rid, old, new FROM _changes ORDER BY seq").fetchall(),
        "sequences": conn.execute("SELECT name, seq FROM sqlite_sequence").fetchall() if _has_sequences(conn) else [],
    }


def restore(conn: sqlite3.Connection, snapshot: dict[str, Any]) -> None:
    """Bring `conn`, at the template's state, to the captured state."""
    for table, rid, row in snapshot["rows"]:
        if row is None:
            conn.execute(f"DELETE FROM {table} WHERE rowid = ?", (rid,))
    for table, rid, row in snapshot["rows"]:
        if row is not None:
            cols = ", ".join(["rowid", *row])
            conn.execute(
                f"INSERT OR REPLACE INTO {table} ({cols}) VALUES ({', '.join('?' * (len(row) + 1))})",
                (rid, *row.values()),
            )
    conn.execute("DELETE FROM _changes")  # the upserts above logged themselves: put back the real history
    conn.executemany("INSERT INTO _changes (seq, tbl, op, rid, old, new) VALUES (?,?,?,?,?,?)", snapshot["log"])
    if snapshot["sequences"]:
        conn.execute("DELETE FROM sqlite_sequence")
        conn.executemany("INSERT INTO sqlite_sequence (name, seq) VALUES (?,?)", snapshot["sequences"])


def _has_sequences(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone() is not None
