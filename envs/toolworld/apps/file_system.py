"""file_system: your files and directories: read, write, move, copy, compress, search.

Paths are absolute and POSIX-like ("/documents/taxes/2025.txt"); every person
has their own tree under "/". Directories are explicit rows, so an empty
directory exists and a file can only live in a directory that does.
"""

from __future__ import annotations

from envs.toolworld.api import App
from envs.toolworld.apps._accounts import add_account_apis

app = App(
    "file_system",
    "Your files and directories: read, write, move, copy, compress and search.",
    schema="""
    CREATE TABLE file_system_directories (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, path TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE(owner_id, path)
    );
    CREATE TABLE file_system_files (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, path TEXT NOT NULL, content TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE(owner_id, path)
    );
    """,
)
add_account_apis(app)
