"""Expectations about folders in the owner's files, shared by templates that save things there."""

from __future__ import annotations

from envs.toolworld.evaluate import Expectation, Inserted
from envs.toolworld.tasks import WorldView


def directory_expectation(view: WorldView, owner: int, path: str) -> list[Expectation]:
    """The directory `path` the agent must create (with parents) when the owner lacks it."""
    if view.rows("SELECT 1 FROM file_system_directories WHERE owner_id = ? AND path = ?", owner, path):
        return []
    return [
        Inserted("file_system_directories", {"owner_id": owner, "path": path}, f"{path} is created", what="directories")
    ]
