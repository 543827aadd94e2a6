"""Each episode is a transaction on the env's one copy of the world: reset undoes all of it, always."""

from __future__ import annotations

import sqlite3

from envs.toolworld.world.build import template_bytes
from envs.toolworld.world.changes import capture, net_changes
from envs.toolworld.world.episode_db import EpisodeDB

GROWTH = 8 * 2**20


def write_some(conn: sqlite3.Connection, tag: int = 0) -> None:
    """Insert, update and delete rows the way an API call does (inside its own savepoint)."""
    conn.execute("SAVEPOINT api_call")
    conn.execute("UPDATE people SET first_name = 'Zed' WHERE id = 1")
    conn.execute("DELETE FROM relations WHERE person_id = 2")
    conn.execute(
        "INSERT INTO people (first_name, last_name, email, phone_number, birthday, sex) "
        "VALUES ('New', 'Person', ?, ?, '2000-01-01', 'female')",
        (f"new{tag}@example.com", f"555000111{tag}"),
    )
    conn.execute("RELEASE api_call")


def test_reset_undoes_every_change_of_the_last_episode() -> None:
    template = template_bytes(0)
    db = EpisodeDB(template, GROWTH)
    try:
        conn = db.start()
        write_some(conn)
        assert conn.execute("SELECT COUNT(*) FROM _changes").fetchone()[0] > 0
        again = db.start()
        assert again is conn  # the same connection: no copy, the schema stays parsed
        assert again.serialize() == template  # byte for byte the world's initial state, change log empty
    finally:
        db.close()


def test_writes_after_a_transaction_ended_early_never_reach_the_next_episode() -> None:
    template = template_bytes(0)
    db = EpisodeDB(template, GROWTH)
    try:
        conn = db.start()
        write_some(conn)
        conn.execute("COMMIT")  # as if SQLite had abandoned the episode's transaction after an error
        db.guard()  # the next API call: its writes go into a transaction again
        write_some(conn, tag=1)
        fresh = db.start()
        assert fresh.serialize() == template
        assert fresh.execute("SELECT first_name FROM people WHERE id = 1").fetchone()[0] != "Zed"
    finally:
        db.close()


def test_a_snapshot_is_applied_on_top_of_the_initial_state() -> None:
    db = EpisodeDB(template_bytes(0), GROWTH)
    try:
        conn = db.start()
        write_some(conn)
        snapshot, changes = capture(conn), net_changes(conn)
        restored = db.start(snapshot)
        assert net_changes(restored) == changes
        assert restored.execute("SELECT first_name FROM people WHERE id = 1").fetchone()[0] == "Zed"
    finally:
        db.close()
