"""Prepare built-in competitions into a cache dir, idempotently and checksummed.

The cache root is `--cache-dir`, else $TRAINFREE_MLE_CACHE, else
~/.cache/trainfree/mle. Each competition is built in a temporary folder,
checksummed (sha256 of every file into checksums.json) and renamed into place,
under a file lock, so concurrent envs never see half-written data. A prepared
competition whose files no longer match their checksums, or that was made
from other sources (its module, description or leaderboard changed since:
see `source_fingerprint`), is rebuilt.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from envs.mle import builtin
from envs.mle.builtin import BuiltinSpec
from envs.mle.competition import Competition
from envs.mle.registry import get_spec

CACHE_ENV = "TRAINFREE_MLE_CACHE"
CHECKSUMS = "checksums.json"
FINGERPRINT = "source.sha256"

log = logging.getLogger(__name__)


def cache_root(cache_dir: str | Path | None = None) -> Path:
    chosen = cache_dir or os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "trainfree" / "mle"
    return Path(chosen).expanduser()


def file_checksums(root: Path) -> dict[str, str]:
    sums = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != CHECKSUMS):
        sums[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return sums


def verify(root: Path) -> bool:
    """True when every file listed in checksums.json exists with its recorded hash (and no file is missing from it)."""
    listing = root / CHECKSUMS
    if not listing.is_file():
        return False
    try:
        expected = json.loads(listing.read_text())
    except json.JSONDecodeError:
        return False
    return expected == file_checksums(root)


def source_fingerprint(spec: BuiltinSpec) -> str:
    """sha256 over the files a competition is prepared from (module, description, leaderboard, shared sources, and
    builtin.py: its DATA_KEY seeds every competition)."""
    digest = hashlib.sha256()
    for name in ("__init__.py", "description.md", "leaderboard.csv"):
        path = spec.resources / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b""))
    for path in (Path(builtin.__file__), *spec.shared_sources):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def is_current(root: Path, spec: BuiltinSpec) -> bool:
    stamp = root / FINGERPRINT
    return verify(root) and stamp.is_file() and stamp.read_text().strip() == source_fingerprint(spec)


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def prepare(competition_id: str, cache_dir: str | Path | None = None, force: bool = False) -> Competition:
    """Make sure the competition is prepared and intact in the cache; return it."""
    spec = get_spec(competition_id)
    root = cache_root(cache_dir)
    dest = root / competition_id
    if not force and is_current(dest, spec):
        return Competition.load(dest)
    with _locked(root / f".{competition_id}.lock"):
        if force or not is_current(dest, spec):
            # the first episode of a competition waits for this: say why
            log.info("preparing competition %s into %s (once; later episodes reuse it)", competition_id, dest)
            started = time.monotonic()
            staging = Path(tempfile.mkdtemp(prefix=f".{competition_id}-", dir=root))
            try:
                spec.prepare(staging)
                (staging / FINGERPRINT).write_text(source_fingerprint(spec) + "\n")
                (staging / CHECKSUMS).write_text(json.dumps(file_checksums(staging), indent=1, sort_keys=True) + "\n")
                _protect_private(staging)
                if dest.exists():
                    shutil.rmtree(dest)
                staging.rename(dest)
                log.info("prepared competition %s in %.1f s", competition_id, time.monotonic() - started)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    return Competition.load(dest)


def _protect_private(root: Path) -> None:
    """Private answers readable by the owner only (agent scripts may run as another user)."""
    for private in (root / "prepared" / "private", root / "validation" / "private"):
        if private.is_dir():
            private.chmod(0o700)
