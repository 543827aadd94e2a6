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
import stat
import sys
import sysconfig
from collections.abc import Iterable
from dataclasses import dataclass

from envs.sandbox.bwrap import inside
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


def carve(roots: Iterable[str], hidden: Iterable[str]) -> ReadGrants:
    """`roots` with every path in `hidden` (and what lies beneath it) left out. One set lookup per entry: site
    directories hold hundreds of entries (and their `__pycache__` thousands)."""
    hidden_real = {os.path.realpath(h) for h in hidden}
    holders = {os.path.dirname(h) for h in hidden_real}  # every folder holding a hidden path, however deep
    for folder in list(holders):
        while folder not in ("/", ""):
            folder = os.path.dirname(folder)
            holders.add(folder)
    readable: list[str] = []
    listable: list[str] = []

    def visit(path: str, real: str) -> None:
        if real in hidden_real:
            return
        if real not in holders:
            readable.append(path)
            return
        listable.append(real)
        with os.scandir(real) as entries:
            for entry in entries:
                if entry.is_symlink():  # may lead anywhere, into a hidden folder too
                    target = os.path.realpath(entry.path)
                    if not any(inside(target, h) for h in hidden_real):
                        visit(entry.path, target)
                else:
                    visit(entry.path, entry.path)

    for root in roots:
        real = os.path.realpath(root)
        if os.path.exists(real) and not any(inside(real, h) for h in hidden_real):
            visit(root, real)
    return ReadGrants(tuple(dict.fromkeys(readable)), tuple(dict.fromkeys(listable)))


def _existing(paths: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(os.path.realpath(p) for p in paths if os.path.isdir(p)))


def path_site_dirs() -> tuple[str, ...]:
    """The site directories scripts import from: this interpreter's, and those on sys.path (a venv's .pth line
    can add another interpreter's)."""
    return _existing([*site.getsitepackages(), *(p for p in sys.path if os.path.basename(p) in SITE_DIR_NAMES)])


def site_dirs() -> tuple[str, ...]:
    """Every site directory of this interpreter and of the one its venv is built on, on the path or not."""
    schemes = (sysconfig.get_paths(), sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_prefix}))
    scheme_dirs = [p for paths in schemes for key, p in paths.items() if key in ("purelib", "platlib")]
    return _existing([*scheme_dirs, *path_site_dirs()])


def own_installed_paths() -> tuple[str, ...]:
    """trainfree's installed entries in every site directory: its top-level packages and modules, its
    dist-info, editable path files and finders; its byte-code in a shared `__pycache__` file by file.
    Looked up once per sys.path."""
    return _own_installed_paths(tuple(sys.path))


@functools.lru_cache(maxsize=8)
def _own_installed_paths(path_key: tuple[str, ...]) -> tuple[str, ...]:
    del path_key  # the cache key only
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


#: The system's configuration: granted to scripts (the dynamic loader, time zone, certificates, users), and
#: where a host keeps its secrets (shadow passwords, TLS and SSH private keys).
SYSTEM_CONFIG = "/etc"


@functools.lru_cache(maxsize=4)
def host_private_paths(root: str = SYSTEM_CONFIG) -> tuple[str, ...]:
    """Files and folders under `root` that no unprivileged user of the host may read (no read bit for others;
    a folder also without search), symlinks not followed. A script runs as the env's user: as root (without
    capabilities) file permissions alone admitted /etc/shadow; these are hidden like trainfree's own files.
    Read once per process (~1,200 entries on Debian: a few ms)."""
    private: list[str] = []
    for folder, subfolders, files in os.walk(root):
        for name in list(subfolders):
            path = os.path.join(folder, name)
            mode = os.lstat(path).st_mode
            if not stat.S_ISLNK(mode) and (mode & (stat.S_IROTH | stat.S_IXOTH)) != (stat.S_IROTH | stat.S_IXOTH):
                private.append(path)
                subfolders.remove(name)  # hidden whole
        for name in files:
            path = os.path.join(folder, name)
            mode = os.lstat(path).st_mode
            if not stat.S_ISLNK(mode) and not mode & stat.S_IROTH:
                private.append(path)
    return tuple(sorted(private))


def script_hidden() -> tuple[str, ...]:
    """What an MLE solution script must not read within its roots: trainfree's files, the host's private ones."""
    return (*own_installed_paths(), *host_private_paths())


def script_roots() -> tuple[str, ...]:
    """What an MLE solution script reads, trainfree aside: the system, the interpreter, its site directories."""
    return (*(p for p in SYSTEM_DIRS if os.path.exists(p)), *interpreter_paths(), *path_site_dirs())


@functools.lru_cache(maxsize=8)
def _script_grants(path_key: tuple[str, ...]) -> ReadGrants:
    del path_key  # the cache key only: a changed sys.path may find other site directories
    return carve(script_roots(), script_hidden())


def script_grants() -> ReadGrants:
    """The script's roots without trainfree's files, for Landlock. Built once per sys.path (~20 ms; each run
    pays for its rules only)."""
    return _script_grants(tuple(sys.path))


def worker_hidden() -> tuple[str, ...]:
    """What a ToolWorld worker must not read: it imports the stdlib only, so no site directory at all."""
    return (*site_dirs(), *own_installed_paths())


@functools.lru_cache(maxsize=8)
def worker_grants(roots: tuple[str, ...]) -> ReadGrants:
    """`roots` without any site directory or trainfree file, for the worker's Landlock."""
    return carve(roots, worker_hidden())


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
