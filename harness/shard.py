"""Shards: one evaluation split over N processes or machines, each running a deterministic slice.

`shard=I/N` (0 <= I < N) keeps every N-th episode of the run's task x seed list, starting at the I-th,
so the N shards are disjoint, cover the list, and each gets a mix of its tasks. Each shard is an
ordinary run dir plus `shard.json`, which says which slice of which episode list it holds (the list's
digest: shards of different splits, limits or seeds are told apart); `harness/merge.py` checks those
before it combines shards into one run dir. A shard dir resumes only as the same shard.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from harness.results import RESULTS_FILE, read_run_file

SHARD_FILE = "shard.json"
#: What a run and a merge read of shard.json.
SHARD_FIELDS = {"shard": str, "index": int, "count": int, "all_episodes": int, "digest": str, "keys": list}

T = TypeVar("T")


class ShardMismatch(ValueError):
    """A run dir holds another slice (or no slice) of the episodes than the one asked now."""


@dataclass(frozen=True)
class Shard:
    index: int
    count: int

    @classmethod
    def parse(cls, text: Any) -> Shard:
        """`"I/N"` with whole numbers 0 <= I < N; anything else is an error naming what was given."""
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", str(text)) if isinstance(text, str) else None
        if match is None:
            raise ValueError(f"shard must be 'I/N' (the I-th of N slices, 0 <= I < N), got {text!r}")
        index, count = int(match[1]), int(match[2])
        if not 0 <= index < count:
            raise ValueError(f"shard {text!r}: I must be in 0..N-1 (the first of 3 shards is 0/3)")
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def take(self, items: Sequence[T]) -> list[T]:
        return list(items[self.index :: self.count])


def digest(keys: Sequence[str]) -> str:
    """Names an episode list: equal for shards cut from the same list, in the same order."""
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()


def shard_episodes(run_dir: Path, shard: Shard | None, keys: Sequence[str], judge: dict[str, Any]) -> list[str]:
    """The keys this run plays; a sharded run records its slice in `shard.json` (first time) or checks it.

    `judge` holds the run settings a merge needs to judge the merged run like an unsharded one.
    """
    path = run_dir / SHARD_FILE
    saved = read_shard(run_dir)
    if shard is None:
        if saved is not None:
            raise ShardMismatch(
                f"run dir {run_dir} holds shard {saved['shard']}: resume it with shard={saved['shard']}, "
                "or merge the shards (trainfree-merge) and resume the merged dir"
            )
        return list(keys)
    mine = shard.take(keys)
    entry = {"shard": str(shard), "index": shard.index, "count": shard.count, "all_episodes": len(keys)}
    entry.update(digest=digest(keys), judge=judge, keys=mine)
    if saved is None:
        if (run_dir / RESULTS_FILE).exists() and (run_dir / RESULTS_FILE).stat().st_size:
            raise ShardMismatch(f"run dir {run_dir} holds an unsharded run; give each shard a dir of its own")
        tmp = path.with_name(SHARD_FILE + ".tmp")
        tmp.write_text(json.dumps(entry, indent=1))
        tmp.replace(path)
    elif (saved["shard"], saved["digest"]) != (entry["shard"], entry["digest"]):
        what = "shard" if saved["shard"] != entry["shard"] else "episode list (split, tasks, limit or seeds)"
        raise ShardMismatch(
            f"run dir {run_dir} holds shard {saved['shard']} of {saved['all_episodes']} episodes; this run asks "
            f"shard {shard} of {len(keys)} episodes (another {what}); use a new run dir"
        )
    return mine


def read_shard(run_dir: Path) -> dict[str, Any] | None:
    """The run dir's `shard.json`, or None for a run that is not a shard."""
    return read_run_file(run_dir / SHARD_FILE, SHARD_FIELDS)
