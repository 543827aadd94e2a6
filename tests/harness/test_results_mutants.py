"""Each rule of a usable episode record, and each field's rule, pinned by its exact message (issue 24: mutants of
harness/results.py that the other tests let live)."""

from __future__ import annotations

import fcntl
import json
import math
import os

import pytest

from harness.results import LOCK_FILE, ResultStore, RunDirBusy, parse_line, read_results, record_problem


def record(**fields) -> dict:
    return {"key": "t@1", "task_id": "t", "seed": 1, "success": False, "reward": 0.5, "error": None, **fields}


@pytest.mark.parametrize(
    "fields, problem",
    [
        ({"key": 7}, "field 'key' is '7', not a string"),
        ({"task_id": None}, "field 'task_id' is 'None', not a string"),
        ({"seed": True}, "field 'seed' is 'True', not a whole number"),
        ({"seed": 1.0}, "field 'seed' is '1.0', not a whole number"),
        ({"success": 1}, "field 'success' is '1', not true or false"),
        ({"reward": True}, "field 'reward' is 'True', not a finite number"),
        ({"reward": math.inf}, "field 'reward' is 'inf', not a finite number"),
        ({"reward": "1"}, "field 'reward' is '1', not a finite number"),
        ({"error": "boom"}, "field 'error' is 'boom', not null or an object"),
        ({"scenario": True}, "field 'scenario' is 'True', not a string or a number or null"),
        ({"difficulty": [1]}, "field 'difficulty' is '[1]', not a string or a number or null"),
        ({"steps": 2.5}, "field 'steps' is '2.5', not a whole number or null"),
        ({"steps": False}, "field 'steps' is 'False', not a whole number or null"),
        ({"metrics": [1]}, "field 'metrics' is '[1]', not an object of finite numbers or null"),
        ({"metrics": {"m": math.nan}}, "field 'metrics' is \"{'m': nan}\", not an object of finite numbers or null"),
        ({"wall_time_s": "3"}, "field 'wall_time_s' is '3', not a number from 0 to 1e100 or null"),
        ({"env_time_s": -math.inf}, "field 'env_time_s' is '-inf', not a number from 0 to 1e100 or null"),
        ({"model_time_s": True}, "field 'model_time_s' is 'True', not a number from 0 to 1e100 or null"),
        ({"llm": [1]}, "field 'llm' is '[1]', not an object of call costs or null"),
        ({"llm": {"by_role": []}}, "field 'llm' is \"{'by_role': []}\", not an object of call costs or null"),
        (
            {"llm": {"by_role": {"agent": {"calls": "x"}}}},
            "field 'llm' is \"{'by_role': {'agent': {'calls': 'x'}}}\", not an object of call costs or null",
        ),
        ({"key": "t@2"}, "key 't@2' is not task_id@seed ('t@1')"),
        ({"key": "k" * 80}, f"key {'k' * 60!r} is not task_id@seed ('t@1')"),
    ],
)
def test_each_field_rule_names_the_field_and_what_it_must_be(fields, problem):
    assert record_problem(record(**fields)) == problem


def test_long_values_are_cut_to_60_characters_in_the_message():
    assert record_problem(record(reward="r" * 100)) == f"field 'reward' is {'r' * 60!r}, not a finite number"


def test_every_optional_field_may_be_null_or_well_formed():
    good = {
        "scenario": 3,
        "difficulty": "hard",
        "steps": 0,
        "metrics": {"any_medal": True, "score": 0.25},
        "wall_time_s": 1,
        "env_time_s": 0.0,
        "model_time_s": 2.5,
        "llm": {"total": {"calls": 2}, "by_role": {"agent": {"calls": 2, "cached": False}}},
        "error": {"type": "RuntimeError"},
    }
    assert record_problem(record(**good)) is None
    assert record_problem(record(**dict.fromkeys(good))) is None
    assert record_problem(record(llm={})) is None  # no totals and no roles: nothing wrong in it


def test_missing_fields_are_named_in_the_order_the_harness_reads_them():
    assert record_problem({"reward": 1.0}) == "lacks field(s) key, task_id, seed, success, error"
    assert record_problem("text") == "not a JSON object but str"


def test_parse_line_returns_the_record_or_the_problem():
    line = json.dumps(record()).encode()
    assert parse_line(line) == (record(), None)
    assert parse_line(b"\xff\xfe")[0] is None
    assert parse_line(b"\xff")[1].startswith("not JSON (")
    assert parse_line(b"{}") == (None, "lacks field(s) key, task_id, seed, success, reward, error")


def test_blank_lines_are_skipped_and_a_clean_file_is_left_as_it_is(tmp_path):
    lines = [json.dumps(record()), "", "   ", json.dumps(record(key="u@1", task_id="u"))]
    (tmp_path / "results.jsonl").write_text("\n".join(lines) + "\n")
    with ResultStore(tmp_path) as store:
        assert store.rejected == [] and list(store.latest()) == ["t@1", "u@1"]
    assert (tmp_path / "results.jsonl").read_text() == "\n".join(lines) + "\n"
    assert not (tmp_path / "results.rejected.jsonl").exists()


def test_appended_records_are_read_back_latest_first_by_key_and_non_json_values_as_text(tmp_path):
    with ResultStore(tmp_path) as store:
        store.append(record(error={"type": "X", "kind": "infra"}))
        store.append(record(note="\ud800 é"))
        store.append(record(key="u@1", task_id="u", path=tmp_path))
        assert store.finished_keys(retry_infra_errors=True) == {"t@1", "u@1"}
    text = (tmp_path / "results.jsonl").read_text(encoding="utf-8")
    assert "é" in text and "\\ud800" in text  # UTF-8 kept, a lone surrogate escaped
    by_key = {r["key"]: r for r in read_results(tmp_path)}
    assert by_key["t@1"]["error"] is None and by_key["u@1"]["path"] == str(tmp_path)
    with ResultStore(tmp_path) as store:
        assert store.finished_keys(retry_infra_errors=True) == {"t@1", "u@1"}  # the redo superseded the outage
        assert store.latest()["t@1"]["note"].endswith(" é")


def test_read_results_ignores_a_torn_tail_and_bad_lines_without_touching_the_file(tmp_path):
    content = json.dumps(record()) + "\nnot json\n" + json.dumps(record(key="u@1", task_id="u"))
    (tmp_path / "results.jsonl").write_text(content)
    assert [r["key"] for r in read_results(tmp_path)] == ["t@1"]
    assert (tmp_path / "results.jsonl").read_text() == content


def test_the_lock_file_names_the_owner_and_a_busy_dir_says_so(tmp_path):
    with ResultStore(tmp_path):
        assert (tmp_path / LOCK_FILE).read_text() == str(os.getpid())
        with pytest.raises(RunDirBusy, match=rf"run dir {tmp_path} is in use by another run \(pid {os.getpid()}\)"):
            ResultStore(tmp_path)


def test_a_long_optional_value_is_cut_to_60_characters_too():
    assert record_problem(record(scenario=["s" * 100])) == (
        f"field 'scenario' is {str(['s' * 100])[:60]!r}, not a string or a number or null"
    )


def test_a_run_dir_is_made_with_its_parents(tmp_path):
    with ResultStore(tmp_path / "sweep" / "run") as store:
        store.append(record())
    assert [r["key"] for r in read_results(tmp_path / "sweep" / "run")] == ["t@1"]


def test_a_lock_held_without_a_pid_names_an_unknown_owner(tmp_path):
    with open(tmp_path / LOCK_FILE, "a+") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(RunDirBusy, match=r"\(pid unknown\)"):
            ResultStore(tmp_path)
