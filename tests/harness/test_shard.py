"""Sharded runs and their merge: `shard=I/N` slices, `trainfree-merge` combines, the result is the unsharded run."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from harness.compose import CONF_DIR
from harness.merge import MergeRefused, merge
from harness.merge import main as merge_main
from harness.report import main as report_main
from harness.run import RunRequest, run_evaluation
from harness.shard import Shard, ShardMismatch
from tests.harness.conftest import REPO, TEST_CONF, eval_command, read_lines
from train_free_eval import request_from_config

TINY = {"name": "tiny", "id": "tests.harness.tiny_env:trainfree/Tiny-v0", "kwargs": {"crash_tasks": ["bravo_1"]}}
ORACLE = {"name": "oracle", "kind": "oracle"}
#: 6 tasks x 2 seeds; with 2 steps the difficulty-3 tasks fail, and bravo_1 crashes (an agent's error).
EPISODES = [
    "env=tiny",
    "policy=oracle",
    "limit=null",
    "seeds=[0,1]",
    "max_steps=2",
    "+env.kwargs.crash_tasks=[bravo_1]",
]


def run(run_dir: Path, shard: str | None = None, **fields: Any) -> dict[str, Any]:
    settings = {"seeds": (0, 1), "max_steps": 2, **fields}
    request = RunRequest(env=TINY, policy=ORACLE, wrappers=(), split="dev", progress=False, shard=shard, **settings)
    return run_evaluation(request, run_dir)


def comparable(summary: dict[str, Any]) -> dict[str, Any]:
    """A summary without what depends on timing or on where the run came from."""
    timing = {"run_wall_time_s", "merged_from"}
    kept = {key: value for key, value in summary.items() if key not in timing}
    kept["cost"] = {key: value for key, value in summary["cost"].items() if "time" not in key}
    return kept


def test_three_shards_in_parallel_processes_merge_into_the_unsharded_run(tmp_path: Path, capsys) -> None:
    shards = [
        subprocess.Popen(
            eval_command(*EPISODES, f"shard={i}/3", f"hydra.run.dir={tmp_path / 'shards' / str(i)}"),
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for i in range(3)
    ]
    try:
        # the unsharded run meanwhile in this process, from the same composed config (one process less to start)
        GlobalHydra.instance().clear()
        with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
            cfg = compose("eval", overrides=[*EPISODES, f"hydra.searchpath=[file://{TEST_CONF}]"])
        GlobalHydra.instance().clear()
        run_evaluation(request_from_config(cfg), tmp_path / "whole")
        for proc in shards:
            output, _ = proc.communicate(timeout=180)
            assert proc.returncode == 0, output
    finally:
        for proc in shards:
            if proc.poll() is None:  # the test failed before this shard ended
                proc.kill()
                proc.wait()
    slices = [{r["key"] for r in read_lines(tmp_path / "shards" / str(i))} for i in range(3)]
    assert [len(s) for s in slices] == [4, 4, 4] and len(set().union(*slices)) == 12

    assert report_main([str(tmp_path / "shards")]) == 2  # shards hold disjoint episodes: nothing to compare
    assert "merge them first with `python -m harness.merge OUT SHARD_DIR...`" in capsys.readouterr().err
    assert merge_main([str(tmp_path / "merged"), str(tmp_path / "shards")]) == 0
    merged, whole = (json.loads((tmp_path / d / "summary.json").read_text()) for d in ("merged", "whole"))
    assert comparable(merged) == comparable(whole)
    assert (merged["episodes"], merged["agent_failures"], merged["success"]["mean"]) == (12, 2, 6 / 12)
    keys = [r["key"] for r in read_lines(tmp_path / "merged")]
    assert sorted(keys) == sorted({r["key"] for r in read_lines(tmp_path / "whole")}) and len(set(keys)) == 12
    assert len(list((tmp_path / "merged" / "trajectories").glob("*.json"))) == 12

    assert report_main([str(tmp_path / "merged")]) == 0
    assert "12 episodes shared by all stacks" in capsys.readouterr().out


def test_a_partial_merge_resumes_into_the_whole_run(tmp_path: Path) -> None:
    whole = run(tmp_path / "whole")
    for i in (0, 2):
        run(tmp_path / "shards" / str(i), shard=f"{i}/3")
    with pytest.raises(MergeRefused, match=r"shard\(s\) 1/3 missing"):
        merge(tmp_path / "merged", [tmp_path / "shards"])
    partial = merge(tmp_path / "merged", [tmp_path / "shards"], partial=True)
    assert partial["episodes"] == 8 and "PARTIAL MERGE: 4 of 12 episodes" in partial["problems"][0]
    resumed = run(tmp_path / "merged")  # the merged dir is an ordinary run dir: only the missing 4 run
    assert len(read_lines(tmp_path / "merged")) == 12
    assert comparable(resumed) == comparable(whole)


def test_merge_refuses_shards_that_are_not_of_one_evaluation(tmp_path: Path) -> None:
    run(tmp_path / "a0", shard="0/2")
    run(tmp_path / "a1", shard="1/2")
    run(tmp_path / "steps", shard="1/2", max_steps=3)
    run(tmp_path / "fewer", shard="1/2", limit=4)
    run(tmp_path / "again", shard="0/2")
    with pytest.raises(MergeRefused, match=r"another configuration .* \(differs in: max_steps\)"):
        merge(tmp_path / "out", [tmp_path / "a0", tmp_path / "steps"])
    with pytest.raises(MergeRefused, match=r"shard 1/2 of another episode list"):
        merge(tmp_path / "out", [tmp_path / "a0", tmp_path / "fewer"])
    with pytest.raises(MergeRefused, match=r"shard 0/2 is given twice"):
        merge(tmp_path / "out", [tmp_path / "a0", tmp_path / "again", tmp_path / "a1"])
    with pytest.raises(MergeRefused, match=r"holds no shard"):
        merge(tmp_path / "out", [tmp_path / "a0" / "trajectories"])
    merge(tmp_path / "out", [tmp_path / "a0", tmp_path / "a1", tmp_path / "a0"])  # one dir named twice is one shard
    with pytest.raises(MergeRefused, match=r"already holds a run"):
        merge(tmp_path / "out", [tmp_path / "a0", tmp_path / "a1"])
    assert len(read_lines(tmp_path / "out")) == 12


def test_a_shard_dir_resumes_only_as_the_same_shard(tmp_path: Path) -> None:
    run(tmp_path / "s", shard="0/3")
    first = (tmp_path / "s" / "results.jsonl").read_bytes()
    assert run(tmp_path / "s", shard="0/3")["episodes"] == 4
    assert (tmp_path / "s" / "results.jsonl").read_bytes() == first  # nothing redone
    with pytest.raises(ShardMismatch, match=r"holds shard 0/3 of 12 episodes; this run asks shard 1/3"):
        run(tmp_path / "s", shard="1/3")
    with pytest.raises(ShardMismatch, match=r"another episode list"):
        run(tmp_path / "s", shard="0/3", limit=2)
    with pytest.raises(ShardMismatch, match=r"holds shard 0/3: resume it with shard=0/3"):
        run(tmp_path / "s")
    run(tmp_path / "plain", limit=1)
    with pytest.raises(ShardMismatch, match=r"holds an unsharded run"):
        run(tmp_path / "plain", limit=1, shard="0/2")


@pytest.mark.parametrize("bad", ["3/3", "1", "a/b", "0/0", "-1/2", 2])
def test_a_bad_shard_is_refused_naming_it(bad: Any) -> None:
    with pytest.raises(ValueError, match=r"shard"):
        RunRequest(env=TINY, policy=ORACLE, wrappers=(), split="dev", shard=bad)


def test_shards_are_disjoint_cover_the_list_and_mix_its_tasks() -> None:
    items = list(range(10))
    slices = [Shard.parse(f"{i}/3").take(items) for i in range(3)]
    assert slices == [[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]


def test_a_selector_cannot_be_sharded() -> None:
    with pytest.raises(ValueError, match=r"shard cannot be combined with a selector"):
        RunRequest(env=TINY, policy=ORACLE, wrappers=(), split="dev", shard="0/2", selector={"name": "ucb1"})
