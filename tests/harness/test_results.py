"""results.jsonl: durable append, bad lines set aside (never lost, never fatal), concurrent-run refusal."""

from __future__ import annotations

import json

from harness.results import REJECTED_FILE, ResultStore, RunDirBusy, read_results


def record(key: str, **fields) -> dict:
    task_id, seed = key.split("@")
    return {"key": key, "task_id": task_id, "seed": int(seed), "success": True, "reward": 1.0, "error": None, **fields}


AGENT_CRASH = {"type": "RuntimeError", "stage": "step", "reason": "boom", "kind": "agent"}
SERVER_DOWN = {"type": "ModelUnavailable", "stage": "act", "reason": "refused", "kind": "infra"}


def test_records_survive_reopening_and_only_infra_errors_are_rerun(tmp_path):
    with ResultStore(tmp_path) as store:
        store.append(record("a@0"))
        store.append(record("b@0", success=False, error=AGENT_CRASH))
        store.append(record("c@0", success=False, error=SERVER_DOWN))
    with ResultStore(tmp_path) as store:
        assert sorted(store.latest()) == ["a@0", "b@0", "c@0"]
        assert store.finished_keys(retry_infra_errors=False) == {"a@0", "b@0", "c@0"}
        # an agent's failure is an outcome: rerunning it until it passes would inflate the rates
        assert store.finished_keys(retry_infra_errors=True) == {"a@0", "b@0"}
        assert store.rejected == []


def test_a_redone_episode_supersedes_its_error(tmp_path):
    with ResultStore(tmp_path) as store:
        store.append(record("a@0", success=False, error=SERVER_DOWN))
        store.append(record("a@0", success=True, error=None))
        assert store.latest()["a@0"]["success"] is True
    assert [r["success"] for r in read_results(tmp_path)] == [True]


def test_torn_tail_is_set_aside_and_the_file_stays_appendable(tmp_path):
    with ResultStore(tmp_path) as store:
        store.append(record("a@0"))
    whole = (tmp_path / "results.jsonl").read_bytes()
    torn = b'{"key": "b@0", "succ'
    (tmp_path / "results.jsonl").write_bytes(whole + torn)
    with ResultStore(tmp_path) as store:
        assert set(store.latest()) == {"a@0"}
        assert len(store.rejected) == 1 and "results.jsonl:2: torn" in store.rejected[0]
        store.append(record("b@0"))
    lines = (tmp_path / "results.jsonl").read_text().splitlines()
    assert [json.loads(line)["key"] for line in lines] == ["a@0", "b@0"]
    assert (tmp_path / REJECTED_FILE).read_bytes() == torn + b"\n"


def test_a_complete_json_object_without_its_newline_counts_as_torn(tmp_path):
    (tmp_path / "results.jsonl").write_text(json.dumps(record("a@0")) + "\n" + json.dumps(record("b@0")))
    with ResultStore(tmp_path) as store:
        assert set(store.latest()) == {"a@0"}


def test_bad_lines_anywhere_are_named_set_aside_byte_for_byte_and_their_episodes_rerun(tmp_path):
    lacking = {k: v for k, v in record("c@0").items() if k not in ("seed", "success")}
    bad = {
        2: b"not json",
        3: json.dumps(lacking).encode(),
        4: json.dumps(record("d@0", reward=float("nan"))).encode(),  # NaN: json writes it, no mean survives it
        5: json.dumps({**record("e@0"), "key": "x@0"}).encode(),
        6: json.dumps(["a", "list"]).encode(),
        7: json.dumps(record("f@0", metrics={"any_medal": "yes"})).encode(),
        8: json.dumps(record("g@0", scenario=["unhashable"])).encode(),
        9: json.dumps(record("h@0", llm={"total": {"calls": "many"}})).encode(),
        10: b"[" * 100_000 + b"]" * 100_000,
    }
    good = [json.dumps(record("a@0")).encode(), json.dumps(record("b@0")).encode()]
    content = [good[0], *bad.values(), good[1]]
    (tmp_path / "results.jsonl").write_bytes(b"\n".join(content) + b"\n")
    with ResultStore(tmp_path) as store:
        assert set(store.latest()) == {"a@0", "b@0"}
        messages = dict(zip(bad, store.rejected, strict=True))
    assert "results.jsonl:2: not JSON" in messages[2]
    assert "results.jsonl:3: lacks field(s) seed, success" in messages[3]
    assert "results.jsonl:4: field 'reward' is 'nan', not a finite number" in messages[4]
    assert "results.jsonl:5: key 'x@0' is not task_id@seed ('e@0')" in messages[5]
    assert "results.jsonl:6: not a JSON object but list" in messages[6]
    assert "results.jsonl:7: field 'metrics' is" in messages[7] and "not an object of finite numbers" in messages[7]
    assert "results.jsonl:8: field 'scenario'" in messages[8] and "results.jsonl:9: field 'llm'" in messages[9]
    assert "results.jsonl:10: nested too deeply to read" in messages[10]
    assert (tmp_path / REJECTED_FILE).read_bytes() == b"".join(line + b"\n" for line in bad.values())
    assert (tmp_path / "results.jsonl").read_bytes() == b"".join(line + b"\n" for line in good)
    assert [r["key"] for r in read_results(tmp_path)] == ["a@0", "b@0"]


def test_two_runs_cannot_share_a_run_dir(tmp_path):
    with ResultStore(tmp_path):
        try:
            ResultStore(tmp_path)
        except RunDirBusy as busy:
            assert "in use by another run" in str(busy)
        else:
            raise AssertionError("a second store opened a busy run dir")
    ResultStore(tmp_path).close()  # free again once the first is closed


def test_a_report_reading_a_bad_line_says_so(tmp_path, caplog):
    """A run sets bad lines aside when it opens the dir; a line damaged after the last run is left out by the
    read-only reader (report, merge), which names it instead of dropping it unsaid."""
    lines = [json.dumps(record("a@0")), "{not json", json.dumps(record("b@0"))]
    (tmp_path / "results.jsonl").write_text("".join(line + "\n" for line in lines))
    with caplog.at_level("WARNING", logger="harness.results"):
        assert [r["key"] for r in read_results(tmp_path)] == ["a@0", "b@0"]
    assert [m for m in caplog.messages if "results.jsonl:2: left out: not JSON" in m], caplog.messages
