"""Bad input gets an error that names the problem: run configs, unknown ids, malformed submissions,
results.jsonl lines a resume cannot use."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hydra import compose, initialize_config_dir
from hydra.errors import MissingConfigException

from envs.mle.env import MLECompetitionEnv
from harness.merge import main as merge_main
from harness.report import main as report_main
from harness.results import RunFileError
from harness.run import RunRequest, run_evaluation
from tests.harness.conftest import REPO, read_lines, run_eval
from train_free_eval import request_from_config

from .test_mle_attacks import COMPETITION, cache, mle  # noqa: F401 - fixtures


def config(*overrides: str):
    with initialize_config_dir(config_dir=str(REPO / "conf"), version_base="1.3"):
        return compose(config_name="eval", overrides=list(overrides))


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("env=nope", "Could not find 'env/nope'"),
        ("policy=nope", "Could not find 'policy/nope'"),
        ("selector=nope", "Could not find 'selector/nope'"),
        ("wrappers=[summarize,nope]", "Could not load 'wrappers/nope'"),
    ],
)
def test_unknown_names_in_the_config_are_named(override: str, message: str) -> None:
    with pytest.raises(MissingConfigException, match=message):
        config(override)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("workers=0", "workers must be a whole number >= 1, got 0"),
        ("limit=abc", "limit must be a whole number >= 1 or null, got 'abc'"),
        ("max_steps=-1", "max_steps must be a whole number >= 1 or null, got -1"),
        ("seeds=[a]", "seeds must be a non-empty list of whole numbers"),
        ("seeds=[-1]", "seeds must be a non-empty list of whole numbers >= 0, got [-1]"),
        ("seeds=[]", "seeds must be a non-empty list of whole numbers >= 0, got []"),  # ran seed 0 unasked
        ("max_steps=10000000000000000000000", "max_steps must be at most 1,000,000 or null, got 1000000000"),
        ("tasks=alpha_0", "tasks must be a list of task ids such as tasks=[a,b], got 'alpha_0'"),
        ("episode_timeout_s=-1", "episode_timeout_s must be a number > 0 or null, got -1"),
        ("episode_timeout_s=nan", "episode_timeout_s must be a number > 0 or null, got nan"),
        ("episode_timeout_s=1e10", "episode_timeout_s must be at most 9,223,372,036 .the longest a thread can wait"),
        ("infra_retries=-1", "infra_retries must be a whole number >= 0, got -1"),
        ("infra_retries=1.5", "infra_retries must be a whole number >= 0, got 1.5"),
        ("infra_backoff_s=inf", "infra_backoff_s must be a number >= 0, got inf"),
        ("max_infra_error_share=2", "max_infra_error_share must be a number in [0, 1], got 2"),
        ("max_infra_error_share=nan", "max_infra_error_share must be a number in [0, 1], got nan"),
    ],
)
def test_bad_values_in_the_config_are_named(override: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("(", r"\(")):
        request_from_config(config("policy=oracle", override))


def test_the_command_line_reports_a_bad_config_and_fails(tmp_path: Path) -> None:
    proc = run_eval("policy=oracle", "workers=0", f"hydra.run.dir={tmp_path}", check=False)
    assert proc.returncode != 0 and "workers must be a whole number >= 1, got 0" in proc.stderr + proc.stdout
    assert not (tmp_path / "results.jsonl").exists()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("wrappers.truncate.max_chars=-5", "wrapper 'truncate': max_chars must be positive, got -5"),
        ("wrappers.truncate.max_chars=abc", "wrapper 'truncate': "),
    ],
)
def test_a_bad_wrapper_setting_stops_the_run_before_any_episode(tmp_path: Path, override: str, message: str) -> None:
    """A wrapper's settings are checked by its constructor, which ran only at each episode's build: every episode
    failed there as an infrastructure error, was retried after 5 s and 10 s, and the run ended with exit 3."""
    proc = run_eval(*TINY_RUN, "wrappers=[truncate]", override, f"hydra.run.dir={tmp_path}", check=False)
    assert proc.returncode == 1 and message in proc.stderr + proc.stdout, proc.stdout[-2000:] + proc.stderr[-2000:]
    results = tmp_path / "results.jsonl"
    assert not results.exists() or results.read_bytes() == b""  # no episode ran
    run_eval(*TINY_RUN, "wrappers=[truncate]", "wrappers.truncate.max_chars=500", f"hydra.run.dir={tmp_path}")
    assert len(read_lines(tmp_path)) == 6  # the dir is not held by the bad config ("holds results of another ...")


def test_a_bad_setting_in_a_selector_arm_stops_the_run_before_any_episode(tmp_path: Path) -> None:
    """Only the command line's stack was built before the first episode: an arm's bad setting failed each episode
    the selector gave it, as an infrastructure error retried twice."""
    arms = 'selector.arms=[[],[truncate,"truncate.max_chars=-5"]]'
    proc = run_eval(*TINY_RUN, "selector=ucb1", arms, f"hydra.run.dir={tmp_path}", check=False)
    message = "wrapper 'truncate': max_chars must be positive, got -5"
    assert proc.returncode == 1 and message in proc.stderr + proc.stdout, proc.stdout[-2000:] + proc.stderr[-2000:]
    results = tmp_path / "results.jsonl"
    assert not results.exists() or results.read_bytes() == b""  # no episode ran


def test_unknown_competition_is_named() -> None:
    with pytest.raises(KeyError, match="unknown competition 'no-such-competition'"):
        MLECompetitionEnv("no-such-competition")


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("open('submission.csv', 'w').write('')", "submission.csv is empty"),
        ("open('submission.csv', 'wb').write(bytes(range(256)) * 10)", "submission.csv: invalid"),
        (
            "import pandas as pd\n"
            "pd.read_csv('input/sample_submission.csv').iloc[:, :1].to_csv('submission.csv', index=False)",
            "columns differ from the sample submission (1 instead of 2): missing ['progression']",
        ),
        (
            "import pandas as pd\n"
            "pd.read_csv('input/sample_submission.csv').head(5).to_csv('submission.csv', index=False)",
            "expected",
        ),
        (
            "import pandas as pd\ndf = pd.read_csv('input/sample_submission.csv', dtype=str)\n"
            "df.iloc[0, 0] = 'nobody'\ndf.to_csv('submission.csv', index=False)",
            "ids not in the test set, e.g. 'nobody'",
        ),
        (
            "import pandas as pd\ndf = pd.read_csv('input/sample_submission.csv', dtype=str)\n"
            "df.iloc[3, 1] = None\ndf.to_csv('submission.csv', index=False)",
            "missing value '' in column 'progression'",
        ),
        (
            "import pandas as pd\ndf = pd.read_csv('input/sample_submission.csv', dtype=str)\n"
            "df.iloc[:, 1] = 'lots'\ndf.to_csv('submission.csv', index=False)",
            "in column",
        ),
    ],
    ids=["empty", "binary", "missing_column", "too_few_rows", "unknown_id", "blank_cell", "not_a_number"],
)
def test_malformed_submissions_are_named_and_not_graded(mle, script: str, message: str) -> None:  # noqa: F811
    observation, *_ = mle.step(script)
    output = observation["history"][-1]["output"]
    assert "submission.csv: invalid" in output and message in output, output
    _, reward, terminated, _, info = mle.step("submit")
    assert terminated and reward == 0.0 and not info["evaluation"]["valid_submission"]


# ---- results.jsonl lines a resume must survive ------------------------------------------------------------------

TINY_RUN = ("env=tiny", "policy=oracle", "limit=null")


def tiny_request(**settings: Any) -> RunRequest:
    """The tiny env's dev split played by its oracle, with `settings` (tasks, shard, ...)."""
    return RunRequest(
        env={"name": "tiny", "id": "tests.harness.tiny_env:trainfree/Tiny-v0", "kwargs": {}},
        policy={"name": "oracle", "kind": "oracle"},
        wrappers=(),
        split="dev",
        progress=False,
        **settings,
    )


def tiny_run(run_dir: Path, *tasks: str) -> dict:
    return run_evaluation(tiny_request(tasks=tasks), run_dir)


@pytest.mark.parametrize(
    ("bad_line", "problem"),
    [
        (b'{"key": "charlie_1@0", "success": true}', "lacks field(s) task_id, seed, reward, error"),
        (
            b'{"key": "charlie_1@0", "task_id": "charlie_1", "seed": "0", "success": true, "reward": 1, "error": null}',
            "field 'seed' is '0', not a whole number",
        ),
        (
            b'{"key": "charlie_1@0", "task_id": "charlie_1", "seed": 0, "success": 1, "reward": 1, "error": null}',
            "field 'success' is '1', not true or false",
        ),
        (
            b'{"key": "charlie_1@0", "task_id": "charlie_1", "seed": 0, "success": true, "reward": NaN, "error": null}',
            "field 'reward' is 'nan', not a finite number",
        ),
        (
            b'{"key": "charlie_1@0", "task_id": "charlie_1", "seed": 0, "success": true, "reward": 1, "error": null, '
            b'"metrics": {"any_medal": "yes"}}',
            "field 'metrics' is",
        ),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply to read"),
        (b'["charlie_1@0"]', "not a JSON object but list"),
        (b"\xff\xfe garbage", "not JSON"),
        (
            b'{"key": "charlie_1@0", "task_id": "charlie_1", "seed": 0, "success": true, "reward": 1, "error": null, '
            b'"llm": {"by_role": {}, "total": {"prompt_tokens": 1' + b"0" * 400 + b"}}}",
            "field 'llm' is",
        ),
        (
            b'{"key": "charlie_1@0", "task_id": "charlie_1", "seed": 0, "success": true, "reward": 1, "error": '
            b'{"type": "RuntimeError", "stage": "step", "kind": "agent", "reason": "crashed"}}',
            "claims success but ended in an error",
        ),
        (
            b'{"key": "charlie_1@0", "task_id": "charlie_1", "seed": 0, "success": true, "reward": 1, "error": null, '
            b'"wall_time_s": 1e308}',
            "field 'wall_time_s' is '1e+308', not a number from 0 to 1e100",
        ),
    ],
    ids=[
        "lacks_fields",
        "seed_text",
        "success_number",
        "reward_nan",
        "metric_text",
        "deep",
        "not_an_object",
        "not_json",
        "tokens_past_floats_range",
        "success_with_an_error",
        "wall_time_past_any_run",
    ],
)
def test_a_bad_last_line_of_results_jsonl_is_named_set_aside_and_its_episode_rerun(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, bad_line: bytes, problem: str
) -> None:
    """The issue's case and its class: the last line is valid JSON (or not) but not a usable record."""
    tiny_run(tmp_path, "alpha_0", "bravo_0")
    results = tmp_path / "results.jsonl"
    before = results.read_bytes()
    results.write_bytes(before + bad_line + b"\n")
    summary = tiny_run(tmp_path, "alpha_0", "bravo_0", "charlie_1")
    assert f"{results}:3: {problem}" in caplog.text
    assert (tmp_path / "results.rejected.jsonl").read_bytes() == bad_line + b"\n"  # kept byte for byte
    after = results.read_bytes()
    assert after.startswith(before)  # nothing written before is lost
    keys = [json.loads(line)["key"] for line in after.splitlines()]
    assert keys == ["alpha_0@0", "bravo_0@0", "charlie_1@0"]  # the bad line's episode ran again, once
    assert (summary["episodes"], summary["success"]["mean"], summary["exit_code"]) == (3, 1.0, 0)


def test_the_command_line_names_a_bad_middle_line_of_results_jsonl_and_resumes(tmp_path: Path) -> None:
    run_eval(*TINY_RUN, "tasks=[alpha_0,bravo_0]", f"hydra.run.dir={tmp_path}")
    results = tmp_path / "results.jsonl"
    first, second = results.read_bytes().splitlines(keepends=True)
    results.write_bytes(first + b'{"key": "bravo_0@0"}\n' + second)
    proc = run_eval(*TINY_RUN, "tasks=[alpha_0,bravo_0]", f"hydra.run.dir={tmp_path}", check=False)
    # Hydra logs to the console's stdout
    assert proc.returncode == 0 and f"{results}:2: lacks field(s)" in proc.stdout, proc.stderr[-2000:]
    assert results.read_bytes() == first + second  # the good lines stay, in order; nothing reruns
    assert (tmp_path / "results.rejected.jsonl").read_bytes() == b'{"key": "bravo_0@0"}\n'


# ---- the run dir's own bookkeeping files, damaged -------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "cannot be read as JSON (JSONDecodeError"),
        (b'{"identity": {"env"', "cannot be read as JSON (JSONDecodeError"),
        (b'{"identity": "\xff"}', "cannot be read as JSON (UnicodeDecodeError"),
        (b"[1]", "holds a JSON list, not an object"),
        (b"{}", "lacks field(s) of the right type: 'identity' (dict)"),
        (b'{"identity": [1]}', "lacks field(s) of the right type: 'identity' (dict)"),
        (None, "cannot be read as JSON (IsADirectoryError"),
    ],
    ids=["empty", "truncated", "not_utf8", "list", "no_identity", "identity_list", "folder"],
)
def test_a_damaged_run_json_is_named_on_resume_and_nothing_is_lost(
    tmp_path: Path, content: bytes | None, problem: str
) -> None:
    """A resume raised a bare JSONDecodeError, KeyError, TypeError or UnicodeDecodeError naming no file."""
    tiny_run(tmp_path, "alpha_0")
    results, run_json = tmp_path / "results.jsonl", tmp_path / "run.json"
    before = results.read_bytes()
    run_json.unlink()
    if content is None:
        run_json.mkdir()
    else:
        run_json.write_bytes(content)
    with pytest.raises(RunFileError, match="restore it, or use a new run dir") as raised:
        tiny_run(tmp_path, "alpha_0", "bravo_0")
    assert str(run_json) in str(raised.value) and problem in str(raised.value)
    assert results.read_bytes() == before


def test_a_damaged_shard_json_is_named_on_resume(tmp_path: Path) -> None:
    request = tiny_request(shard="0/2")
    run_evaluation(request, tmp_path)
    shard_json = tmp_path / "shard.json"
    shard_json.write_text(shard_json.read_text().replace('"digest"', '"digest_"'))
    with pytest.raises(RunFileError, match=r"shard.json lacks field\(s\) of the right type: 'digest' \(str\)"):
        run_evaluation(request, tmp_path)


def test_report_and_merge_name_a_damaged_run_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Reports and merges read run.json too: an emptied one ended them in a bare JSONDecodeError traceback."""
    shards = [tmp_path / f"shard{index}" for index in range(2)]
    for index, shard in enumerate(shards):
        run_evaluation(tiny_request(shard=f"{index}/2"), shard)
    damaged = shards[1] / "run.json"
    damaged.write_text("")
    assert report_main([str(shards[1])]) == 2
    assert merge_main([str(tmp_path / "merged"), *map(str, shards)]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert [line.split(": ")[0] for line in errors] == ["report", "merge"]
    assert all(f"{damaged} cannot be read as JSON" in line for line in errors)
    assert not (tmp_path / "merged").exists()


def test_a_valid_results_line_with_a_huge_metric_is_reported_not_a_crash(tmp_path, capsys):
    """A metric is any finite number: two episodes reporting 1e200 made the variance overflow (OverflowError out
    of summary.mean_se), so the report and the run's own summary crashed. Now: their mean, no SE, strict JSON."""
    run_dir = tmp_path / "run"
    tiny_run(run_dir)
    lines = [json.loads(line) for line in (run_dir / "results.jsonl").read_text().splitlines()]
    for record in lines[:2]:
        record["metrics"]["looks"] = 1e200
    (run_dir / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    assert report_main([str(run_dir), "--html"]) == 0, capsys.readouterr().err
    report = json.loads((run_dir / "report.json").read_text(), parse_constant=lambda name: pytest.fail(name))
    looks = report["stacks"]["none"]["summary"]["metrics"]["looks"]
    assert looks["mean"] == pytest.approx(2e200 / 6) and looks["se"] is None and looks["ci95"] is None


def _edit_json(path: Path, edit: Any) -> None:
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))


def _failed_keys(shard: Path) -> set[str]:
    return {r["key"] for r in map(json.loads, (shard / "results.jsonl").read_text().splitlines()) if not r["success"]}


#: Edits of one shard's files, and what the merge now says of them (each names the file).
SHARD_EDITS: dict[str, tuple[str, Any, str]] = {
    # before: merged without --partial, 10 of 12 episodes, success 80% instead of 66.7% (a problem line only)
    "its failures left out of its keys": (
        "1/shard.json",
        lambda s, d: s.update(keys=[k for k in s["keys"] if k not in _failed_keys(d / "1")]),
        "shard 1/2 of 12 episodes plays 6, but its keys list 4",
    ),
    "the other shard's keys": (
        "1/shard.json",
        lambda s, d: s.update(keys=json.loads((d / "0" / "shard.json").read_text())["keys"]),
        "is in two shards",
    ),
    "a key of no episode": (
        "1/shard.json",
        lambda s, d: s.update(keys=[*s["keys"][:-1], "zeta_0@0"]),
        "together are not the episode list they name",
    ),
    "keys that are not text": ("1/shard.json", lambda s, d: s.update(keys=[{}] * 6), "must be distinct episode keys"),
    "no judge": ("0/shard.json", lambda s, d: s.pop("judge"), "judge.max_infra_error_share must be a number"),
    "a profile that is text": ("0/run.json", lambda s, d: s.update(profile="x"), "holds no env profile the harness"),
}


@pytest.mark.parametrize("name", [*SHARD_EDITS, "a torn summary.json"])
def test_a_merge_takes_each_shard_whole_or_names_its_edited_file(tmp_path: Path, capsys, name: str) -> None:
    """A merge takes a shard's episodes by the keys its shard.json lists: keys edited out left its failures out
    of every rate; keys of another type, a missing judge, an edited profile or a torn summary.json ended the
    merge in a TypeError, KeyError or JSONDecodeError naming no file."""
    for index in range(2):  # 6 tasks x 2 seeds, 2 steps: the 4 episodes of difficulty 3 fail (66.7%)
        run_evaluation(tiny_request(shard=f"{index}/2", seeds=(0, 1), max_steps=2), tmp_path / str(index))
    if name == "a torn summary.json":
        file, problem = "0/summary.json", "cannot be read as JSON"
        (tmp_path / file).write_text('{"run_wall')
    else:
        file, edit, problem = SHARD_EDITS[name]
        _edit_json(tmp_path / file, lambda data: edit(data, tmp_path))
    assert merge_main([str(tmp_path / "merged"), str(tmp_path / "0"), str(tmp_path / "1")]) == 2
    error = capsys.readouterr().err
    assert f"{tmp_path / file}" in error or "shard.json" in error, error
    assert problem in error and not (tmp_path / "merged" / "summary.json").exists()


def test_an_untouched_pair_of_shards_merges_into_every_episode(tmp_path: Path) -> None:
    for index in range(2):
        run_evaluation(tiny_request(shard=f"{index}/2", seeds=(0, 1), max_steps=2), tmp_path / str(index))
    assert merge_main([str(tmp_path / "merged"), str(tmp_path / "0"), str(tmp_path / "1")]) == 0
    summary = json.loads((tmp_path / "merged" / "summary.json").read_text())
    assert (summary["episodes"], summary["success"]["mean"], summary["problems"]) == (12, pytest.approx(2 / 3), [])
