"""What a sandbox may read: folders granted whole, minus trainfree's own installed files.

Landlock (and bwrap's binds) grant whole directory hierarchies, but the hierarchies a script needs (the
interpreter's prefix, its site-packages) can also hold trainfree itself when it is installed as a regular
package: the MLE generators with their secret seeds, ToolWorld's scenario oracles. So a granted folder that
holds a hidden path is not granted whole: it may only be listed (Python's import system lists every folder on
its path before it finds anything in it), and each of its entries is granted on its own, recursively down to
the hidden paths, which are left out. Names stay listable; contents of hidden files do not. An entry added
after the grants were built is not readable in the sandbox.

Which files are trainfree's comes from its installed distributions' metadata (RECORD and top_level.txt), in
every site directory on the path, editable installs' path files and finders included. The ToolWorld worker
needs no third-party package at all, so it is denied every site directory.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import site
import sys
import sysconfig
from collections.abc import Iterable
from dataclasses import dataclass

from envs.sandbox.landlock import DEVICES, SYSTEM_DIRS, FsPolicy, abi_version, interpreter_paths, proc_entries

#: the distribution whose installed files no sandbox may read (this project's, as named in pyproject.toml)
DISTRIBUTION = "trainfree"
SITE_DIR_NAMES = ("site-packages", "dist-packages")


@dataclass(frozen=True)
class ReadGrants:
    """`readable`: paths readable with everything beneath them; `listable`: folders whose entries may only be
    listed (each readable entry is in `readable` on its own)."""

    readable: tuple[str, ...]
    listable: tuple[str, ...]


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def carve(roots: Iterable[str], hidden: Iterable[str]) -> ReadGrants:
    """`roots` with every path in `hidden` (and what lies beneath it) left out."""
    hidden_real = tuple({os.path.realpath(h) for h in hidden})
    readable: list[str] = []
    listable: list[str] = []

    def visit(path: str, real: str) -> None:
        if any(_inside(real, h) for h in hidden_real):
            return
        if not any(_inside(h, real) for h in hidden_real):
            readable.append(path)
            return
        listable.append(real)
        with os.scandir(real) as entries:
            for entry in entries:
                visit(entry.path, os.path.realpath(entry.path) if entry.is_symlink() else entry.path)

    for root in roots:
        if os.path.exists(root):
            visit(root, os.path.realpath(root))
    return ReadGrants(tuple(dict.fromkeys(readable)), tuple(dict.fromkeys(listable)))


def site_dirs() -> tuple[str, ...]:
    """Every site directory of this interpreter and of the one its venv is built on, on the path or not."""
    schemes = (sysconfig.get_paths(), sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_prefix}))
    found = [p for paths in schemes for key, p in paths.items() if key in ("purelib", "platlib")]
    found += site.getsitepackages() + [p for p in sys.path if os.path.basename(p) in SITE_DIR_NAMES]
    return tuple(dict.fromkeys(os.path.realpath(p) for p in found if os.path.isdir(p)))


def own_installed_paths() -> tuple[str, ...]:
    """trainfree's installed entries in every site directory: its top-level packages and modules, its
    dist-info, editable path files and finders; its byte-code in a shared `__pycache__` file by file."""
    hidden: set[str] = set()
    search = list(dict.fromkeys([*sys.path, *site_dirs()]))
    for dist in importlib.metadata.distributions(name=DISTRIBUTION, path=search):
        base = os.path.realpath(str(dist.locate_file("")))
        top_level = set((dist.read_text("top_level.txt") or "").split())
        hidden.update(os.path.join(base, name + suffix) for name in top_level for suffix in ("", ".py"))
        for file in dist.files or ():
            first = file.parts[0]
            if first == "..":  # console scripts in the prefix's bin: they only import the packages hidden here
                continue
            hidden.add(os.path.join(base, str(file) if first == "__pycache__" else first))
    return tuple(sorted(hidden))


@functools.lru_cache(maxsize=8)
def _script_grants(path_key: tuple[str, ...]) -> ReadGrants:
    del path_key  # the cache key only: a changed sys.path may find other site directories
    roots = [*(p for p in SYSTEM_DIRS if os.path.exists(p)), *interpreter_paths()]
    return carve(roots, own_installed_paths())


def script_grants() -> ReadGrants:
    """What an MLE solution script may read of the system and the interpreter: all but trainfree itself.
    Built once per sys.path (a few ms; a run's start pays only for the Landlock rules)."""
    return _script_grants(tuple(sys.path))


@functools.lru_cache(maxsize=8)
def worker_grants(roots: tuple[str, ...]) -> ReadGrants:
    """`roots` without any site directory or trainfree file: a ToolWorld worker imports the stdlib only."""
    return carve(roots, (*site_dirs(), *own_installed_paths()))


def script_policy(workdir: str, extra_read: tuple[str, ...] = ()) -> FsPolicy:
    """The Landlock policy of an MLE solution run: read the system, the interpreter (not trainfree), the system-wide
    /proc entries and `extra_read`; read and write its own folder and a few device nodes."""
    grants = script_grants()
    return FsPolicy(
        read_only=grants.readable + proc_entries() + tuple(extra_read),
        read_write=(workdir, *DEVICES),
        abi=abi_version(),
        list_only=grants.listable,
    )
