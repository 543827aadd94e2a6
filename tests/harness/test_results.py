"""results.jsonl: durable append, torn-tail repair, corruption and concurrent-run refusal."""

from __future__ import annotations

import json

import pytest

from harness.results import ResultsCorrupted, ResultStore, RunDirBusy, read_results


def record(key: str, **fields) -> dict:
    return {"key": key, "success": True, **fields}


def test_records_survive_reopening(tmp_path):
    with ResultStore(tmp_path) as store:
        store.append(record("a@0"))
        store.append(record("b@0", error={"type": "LLMError"}))
    with ResultStore(tmp_path) as store:
        assert sorted(store.latest()) == ["a@0", "b@0"]
        assert store.finished_keys(count_errors=True) == {"a@0", "b@0"}
        assert store.finished_keys(count_errors=False) == {"a@0"}


def test_a_redone_episode_supersedes_its_error(tmp_path):
    with ResultStore(tmp_path) as store:
        store.append(record("a@0", success=False, error={"type": "LLMError"}))
        store.append(record("a@0", success=True, error=None))
        assert store.latest()["a@0"]["success"] is True
    assert [r["success"] for r in read_results(tmp_path)] == [True]


def test_torn_tail_is_cut_kept_aside_and_the_file_stays_appendable(tmp_path):
    with ResultStore(tmp_path) as store:
        store.append(record("a@0"))
    whole = (tmp_path / "results.jsonl").read_bytes()
    torn = b'{"key": "b@0", "succ'
    (tmp_path / "results.jsonl").write_bytes(whole + torn)
    with ResultStore(tmp_path) as store:
        assert store.torn_bytes == len(torn)
        assert set(store.latest()) == {"a@0"}
        store.append(record("b@0"))
    lines = (tmp_path / "results.jsonl").read_text().splitlines()
    assert [json.loads(line)["key"] for line in lines] == ["a@0", "b@0"]
    assert (tmp_path / "results.jsonl.torn").read_bytes() == torn + b"\n"


def test_a_complete_json_object_without_its_newline_counts_as_torn(tmp_path):
    (tmp_path / "results.jsonl").write_text(json.dumps(record("a@0")) + "\n" + json.dumps(record("b@0")))
    with ResultStore(tmp_path) as store:
        assert set(store.latest()) == {"a@0"}


def test_an_unparsable_last_line_counts_as_torn(tmp_path):
    (tmp_path / "results.jsonl").write_text(json.dumps(record("a@0")) + '\n{"key": "b@\n')
    with ResultStore(tmp_path) as store:
        assert set(store.latest()) == {"a@0"}
        assert store.torn_bytes > 0


def test_a_damaged_middle_line_is_an_error_naming_the_line(tmp_path):
    (tmp_path / "results.jsonl").write_text(
        json.dumps(record("a@0")) + "\nnot json\n" + json.dumps(record("b@0")) + "\n"
    )
    with pytest.raises(ResultsCorrupted, match=r"results.jsonl:2: not a JSON episode record"):
        ResultStore(tmp_path)


def test_two_runs_cannot_share_a_run_dir(tmp_path):
    with ResultStore(tmp_path):
        with pytest.raises(RunDirBusy, match="in use by another run"):
            ResultStore(tmp_path)
    ResultStore(tmp_path).close()  # free again once the first is closed
