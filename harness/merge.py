"""Combine the shard dirs of one evaluation into one run dir: `trainfree-merge OUT SHARD_DIR...`.

A SHARD_DIR is a run dir made with `shard=I/N`, or any dir with such run dirs below it (a sweep dir,
or the shared dir each machine wrote its shard into). The shards must be of one configuration (the
identity a resume checks), one episode list and one N, each I once; without `--partial`, all N. OUT
becomes an ordinary run dir (run.json, results.jsonl with every episode once, trajectories/, summary,
plots), so `trainfree-report OUT` reads it and `trainfree-eval ... hydra.run.dir=OUT` resumes it
(running what a missing shard left out). Its summary is the one an unsharded run of the same episodes
writes; its wall time is the slowest shard's, since shards run side by side.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.report import run_profile
from harness.results import (
    RESTORE,
    RESULTS_FILE,
    ResultStore,
    RunFileError,
    read_results,
    read_run_file,
    read_written_run_file,
)
from harness.run import RUN_FILE, TRAJECTORY_DIR, identity_differences, judge, run_title, trajectory_name, write_outputs
from harness.shard import SHARD_FILE, digest, read_shard
from harness.summary import summarize


class MergeRefused(ValueError):
    """The given dirs are not the shards of one evaluation (or OUT is not free)."""


def find_shards(dirs: Sequence[str | Path]) -> list[Path]:
    """Shard run dirs: each given dir that is one, else those below it; each once."""
    found: dict[Path, None] = {}
    for given in map(Path, dirs):
        if not given.is_dir():
            raise MergeRefused(f"no dir {given}")
        below = [given] if (given / SHARD_FILE).exists() else sorted(p.parent for p in given.rglob(SHARD_FILE))
        if not below:
            raise MergeRefused(f"{given} holds no shard (a run dir with {SHARD_FILE}, made with shard=I/N)")
        found.update((path.resolve(), None) for path in below)
    return list(found)


#: What a merge reads from each shard's run.json.
MERGED_FIELDS = {"identity": dict, "label": str, "split": str, "env_kind": str}


def check_shards(shards: Sequence[Path], partial: bool) -> tuple[dict[str, Any], list[tuple[Path, dict[str, Any]]]]:
    """(run.json of the evaluation, (dir, shard.json) of each shard in index order), or why they cannot merge."""
    metas = [read_written_run_file(path / RUN_FILE, MERGED_FIELDS) for path in shards]
    infos = [read_shard(path) or {} for path in shards]
    for path, info in zip(shards, infos, strict=True):
        _check_slice(path / SHARD_FILE, info)
    first, first_info = metas[0], infos[0]
    for path, meta, info in zip(shards, metas, infos, strict=True):
        differing = identity_differences(first["identity"], meta["identity"])
        if differing:
            raise MergeRefused(f"{path} is another configuration than {shards[0]} (differs in: {', '.join(differing)})")
        if [info[name] for name in ("count", "digest", "all_episodes")] != [
            first_info[name] for name in ("count", "digest", "all_episodes")
        ]:
            raise MergeRefused(
                f"{path} is shard {info['shard']} of another episode list than {shards[0]} (shard "
                f"{first_info['shard']}): the split, tasks, limit, seeds or N differ"
            )
    by_index: dict[int, tuple[Path, dict[str, Any]]] = {}
    for path, info in zip(shards, infos, strict=True):
        if info["index"] in by_index:
            raise MergeRefused(f"shard {info['shard']} is given twice: {by_index[info['index']][0]} and {path}")
        by_index[info["index"]] = (path, info)
    missing = sorted(set(range(first_info["count"])) - by_index.keys())
    if missing and not partial:
        named = ", ".join(f"{i}/{first_info['count']}" for i in missing)
        raise MergeRefused(f"shard(s) {named} missing (merge anyway with --partial, then resume the merged dir)")
    ordered = [by_index[index] for index in sorted(by_index)]
    _check_lists(ordered, complete=not missing)
    return first, ordered


def _check_slice(path: Path, info: dict[str, Any]) -> None:
    """A shard.json's `keys` are the slice its index, count and list length say, and its `judge` holds a share.

    The merge takes a shard's episodes by these keys: keys edited out of the file left that shard's failures out
    of every rate (a merge of 12 episodes scored 80%, 10 of them, instead of 66.7%), and keys or a judge of
    another type ended the merge in a TypeError or KeyError naming no file."""
    keys, index, count, total = info["keys"], info["index"], info["count"], info["all_episodes"]
    if not (0 <= index < count and total >= 0):
        raise RunFileError(f"{path}: shard {index}/{count} of {total} episodes is no slice; {RESTORE}")
    if not all(isinstance(key, str) for key in keys) or len(set(keys)) != len(keys):
        raise RunFileError(f"{path}: its keys must be distinct episode keys (task@seed); {RESTORE}")
    if len(keys) != len(range(index, total, count)):
        raise RunFileError(
            f"{path}: shard {index}/{count} of {total} episodes plays {len(range(index, total, count))}, but its "
            f"keys list {len(keys)}; {RESTORE}"
        )
    share = (info.get("judge") or {}).get("max_infra_error_share") if isinstance(info.get("judge"), dict) else None
    if not (isinstance(share, (int, float)) and not isinstance(share, bool) and 0 <= share <= 1):
        raise RunFileError(f"{path}: judge.max_infra_error_share must be a number in [0, 1], got {share!r}; {RESTORE}")


def _check_lists(shards: list[tuple[Path, dict[str, Any]]], complete: bool) -> None:
    """No episode is in two shards, and all N shards together are the episode list their digest names."""
    owner: dict[str, Path] = {}
    for path, info in shards:
        for key in info["keys"]:
            if key in owner:
                raise MergeRefused(f"episode {key} is in two shards, {owner[key]} and {path}: {SHARD_FILE} was edited")
            owner[key] = path
    if complete:
        count = shards[0][1]["count"]
        whole = [shards[p % count][1]["keys"][p // count] for p in range(shards[0][1]["all_episodes"])]
        if digest(whole) != shards[0][1]["digest"]:
            raise MergeRefused(
                f"the {count} shards' {SHARD_FILE} keys together are not the episode list they name (its digest): "
                "a shard.json was edited"
            )


def merge(out: str | Path, dirs: Sequence[str | Path], partial: bool = False) -> dict[str, Any]:
    """Merge the shards found in `dirs` into the new run dir `out`; returns its summary."""
    out = Path(out)
    if (out / RESULTS_FILE).exists() or (out / RUN_FILE).exists():
        raise MergeRefused(f"{out} already holds a run; merge into a new dir")
    meta, shards = check_shards(find_shards(dirs), partial)
    sources = [str(path) for path, _ in shards]
    out.mkdir(parents=True, exist_ok=True)
    (out / TRAJECTORY_DIR).mkdir(exist_ok=True)
    records = []
    with ResultStore(out) as store:
        for path, info in shards:
            wanted = set(info["keys"])  # what this shard was to play: a stray line of another run stays out
            for record in read_results(path):
                if record["key"] in wanted:
                    store.append(record)
                    records.append(record)
                    _link_or_copy(path / TRAJECTORY_DIR / trajectory_name(record["key"]), out / TRAJECTORY_DIR)
    (out / RUN_FILE).write_text(json.dumps({**meta, "merged_from": sources}, indent=1))
    return _write_summary(out, meta, shards, records)


def _write_summary(
    out: Path, meta: dict[str, Any], shards: list[tuple[Path, dict[str, Any]]], records: list[dict[str, Any]]
) -> dict[str, Any]:
    """The merged run's summary, judged like an unsharded run with the shards' settings."""
    walls = [_wall_time(path / "summary.json") for path, _ in shards]
    policy = meta["identity"]["policy"].get("name")
    summary = summarize(records, run_profile(meta, shards[0][0] / RUN_FILE))
    summary.update(label=meta["label"], split=meta["split"], policy=policy, run_wall_time_s=max(walls, default=0.0))
    summary["not_started"] = 0
    summary["exit_code"], summary["problems"] = judge(summary, shards[0][1]["judge"]["max_infra_error_share"])
    missing = shards[0][1]["all_episodes"] - len(records)
    if missing:
        summary["problems"].append(
            f"PARTIAL MERGE: {missing} of {shards[0][1]['all_episodes']} episodes are in no shard given (a shard "
            "missing or unfinished); resume the merged dir with the same settings and no shard to run them"
        )
    summary["merged_from"] = [str(path) for path, _ in shards]
    write_outputs(out, summary, run_title(meta["env_kind"], meta["split"], policy, meta["label"]))
    return summary


def _wall_time(path: Path) -> float:
    """A shard's run wall time from its summary.json (0 when it wrote none, or holds no finite number there);
    a summary that is not a JSON object is named (a torn one ended the merge in a JSONDecodeError)."""
    wall = (read_run_file(path, {}) or {}).get("run_wall_time_s")
    return float(wall) if isinstance(wall, (int, float)) and math.isfinite(wall) else 0.0


def _link_or_copy(source: Path, into: Path) -> None:
    """A trajectory into the merged dir: a hard link when both are on one file system (no copy of big files)."""
    if not source.exists():  # the run saved none (save_trajectories=false)
        return
    try:
        os.link(source, into / source.name)
    except OSError:
        shutil.copy2(source, into / source.name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="trainfree-merge", description=__doc__.splitlines()[0])
    parser.add_argument("out", help="the merged run dir to create")
    parser.add_argument("shards", nargs="+", help="shard run dirs, or dirs with shard run dirs below them")
    parser.add_argument("--partial", action="store_true", help="merge even when some of the N shards are missing")
    args = parser.parse_args(argv)
    try:
        summary = merge(args.out, args.shards, args.partial)
    except (MergeRefused, RunFileError, FileNotFoundError) as error:
        print(f"merge: {error}", file=sys.stderr)
        return 2
    print((Path(args.out) / "summary.md").read_text())
    for problem in summary["problems"]:
        print(problem, file=sys.stderr)
    print(f"merged {len(summary['merged_from'])} shards, {summary['episodes']} episodes: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
