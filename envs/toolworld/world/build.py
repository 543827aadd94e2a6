"""Generate a world from a seed once, cache it, and hand each episode its own copy.

A world is one SQLite database: the core tables (people.py), every app's
tables filled by the app's populator, and the change-log triggers. It is
generated deterministically from the seed, serialized to bytes, cached on
disk under `$TRAINFREE_CACHE` (default ~/.cache/trainfree)/toolworld/<version>/,
where the version hashes the generator's sources (so editing an app
invalidates the cache), and kept in memory per process. An episode copy is
`sqlite3.Connection.deserialize(bytes)`: a memcpy, no file I/O.
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from envs.toolworld.apps import all_apps
from envs.toolworld.world import people as core
from envs.toolworld.world.changes import install_change_log

DEFAULT_PEOPLE = 106  # AppWorld's world has 106 people
WORLD_NOW = datetime(2026, 5, 18, 10, 30, 0)
_SOURCES = [Path(__file__).parent, Path(__file__).parents[1] / "apps"]
_lock = threading.Lock()
log = logging.getLogger(__name__)
_memory: dict[tuple[int, int], bytes] = {}


@dataclass
class WorldBuilder:
    """What an app's populator gets: the DB being built, the people, and seeded randomness."""

    conn: sqlite3.Connection
    seed: int
    now: datetime
    people: list[core.Person]
    _relations: dict[int, list[tuple[int, str]]] = field(default_factory=dict)

    def rng(self, name: str) -> random.Random:
        """A generator private to `name`, so one app's data never shifts another's."""
        return random.Random(f"{self.seed}:{name}")

    def insert(self, table: str, rows: Iterable[dict[str, Any]]) -> list[int]:
        """Insert `rows` (dicts with the same keys) in one batch and return their new rowids.

        A table being generated only grows, and SQLite gives each new row max(rowid) + 1,
        so the ids of one batch are consecutive after the largest id before it."""
        batch = list(rows)
        if not batch:
            return []
        columns = list(batch[0])
        odd = next((r for r in batch if r.keys() != batch[0].keys()), None)
        if odd is not None:
            raise ValueError(f"{table}: rows of one batch need the same columns, got {sorted(odd)} and {columns}")
        marks = ", ".join("?" for _ in columns)
        start = self.conn.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {table}").fetchone()[0]
        values = [tuple(r[c] for c in columns) for r in batch]
        self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values)
        end = self.conn.execute(f"SELECT MAX(rowid) FROM {table}").fetchone()[0]
        if end - start != len(batch):
            raise RuntimeError(f"{table}: rowids of a batch are not consecutive ({start}..{end} for {len(batch)} rows)")
        return list(range(start + 1, end + 1))

    def related(self, person_id: int, kinds: tuple[str, ...] = core.RELATION_KINDS) -> list[int]:
        if not self._relations:
            for a, b, kind in self.conn.execute("SELECT person_id, other_id, kind FROM relations ORDER BY id"):
                self._relations.setdefault(a, []).append((b, kind))
        return [other for other, kind in self._relations.get(person_id, []) if kind in kinds]


def world_version() -> str:
    digest = hashlib.sha256()
    for folder in _SOURCES:
        for path in sorted(folder.glob("*.py")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    root = Path(os.environ.get("TRAINFREE_CACHE", Path.home() / ".cache" / "trainfree"))
    return root / "toolworld" / world_version()


def generate(seed: int, n_people: int = DEFAULT_PEOPLE) -> bytes:
    """Build the world of `seed` from scratch and return it serialized."""
    conn = sqlite3.connect(":memory:")
    conn.executescript(core.CORE_SCHEMA)
    apps = all_apps()
    for app in apps.values():
        if app.schema:
            conn.executescript(app.schema)
    rng = random.Random(f"{seed}:people")
    people_rows = core.make_people(rng, n_people, WORLD_NOW.date())
    conn.executemany("INSERT INTO people VALUES (?,?,?,?,?,?,?)", people_rows)
    ids = [r[0] for r in people_rows]
    conn.executemany("INSERT INTO relations (person_id, other_id, kind) VALUES (?,?,?)", core.make_relations(rng, ids))
    addresses, cards = core.make_cards_and_addresses(rng, people_rows)
    conn.executemany(
        "INSERT INTO addresses (person_id, name, street_address, city, state, zip_code) VALUES (?,?,?,?,?,?)", addresses
    )
    conn.executemany(
        "INSERT INTO payment_cards (person_id, card_name, owner_name, card_number, expiry_year, expiry_month, "
        "cvv_number) VALUES (?,?,?,?,?,?,?)",
        cards,
    )
    for app in apps.values():
        if app.has_accounts:
            app_rng = random.Random(f"{seed}:password:{app.name}")
            conn.executemany(
                "INSERT INTO app_accounts (app, person_id, password) VALUES (?,?,?)",
                [(app.name, pid, core.make_password(app_rng)) for pid in ids],
            )
    persons = [core.Person(r[0], r[1], r[2], r[3], r[4]) for r in people_rows]
    builder = WorldBuilder(conn, seed, WORLD_NOW, persons)
    for app in apps.values():
        if app.populate is not None:
            app.populate(builder)
    install_change_log(conn)
    conn.commit()
    data = conn.serialize()
    conn.close()
    return data


def template_bytes(seed: int, n_people: int = DEFAULT_PEOPLE) -> bytes:
    """The world of `seed`: from this process's memory, else the disk cache, else generated."""
    key = (seed, n_people)
    with _lock:
        if key in _memory:
            return _memory[key]
        path = cache_dir() / f"{seed}_{n_people}.db"
        if path.is_file():
            data = path.read_bytes()
        else:
            data = generate(seed, n_people)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
                    tmp.write(data)
                os.replace(tmp.name, path)  # atomic: concurrent builders never see half a file
                _drop_stale_versions(path.parent)
            except OSError as err:  # the disk cache only saves time: go on without it
                log.warning("could not cache the ToolWorld world at %s: %s", path, err)
        _memory[key] = data
        return data


def _drop_stale_versions(current: Path) -> None:
    """Delete cached worlds of other generator versions (every edit of an app makes one)."""
    for folder in current.parent.iterdir():
        if folder != current and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)


def open_copy(data: bytes, growth_bytes: int | None = None) -> sqlite3.Connection:
    """A private in-memory DB holding a copy of `data`, allowed to grow by at most `growth_bytes`.

    The bound is SQLite's own `max_page_count`, so every write path (APIs, the change log's
    triggers) stops at it with SQLITE_FULL instead of growing the process's memory."""
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    conn.deserialize(data)
    if growth_bytes is not None:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {(len(data) + growth_bytes) // page_size}")
    return conn
