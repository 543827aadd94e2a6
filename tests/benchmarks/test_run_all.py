"""The benchmark aggregator: a quick real run, failures reported, saved figures left alone."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
import results_md
import run_all

ROOT = Path(__file__).resolve().parents[2]
QUICK = ["selection", "prefix_stability", "vllm_projection"]


def saved_results() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (ROOT / "benchmarks" / "results").glob("*.json")}


@pytest.mark.slow
def test_quick_run_writes_tables_with_provenance_and_keeps_saved_results(tmp_path: Path) -> None:
    before = saved_results()
    done = subprocess.run(
        [sys.executable, "benchmarks/run_all.py", "--quick", "--only", *QUICK, "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert saved_results() == before, "a --quick run must put the saved figures back"

    everything = json.loads((tmp_path / "all.json").read_text())
    provenance = everything["provenance"]
    cpu = next(
        line.split(":", 1)[1].strip()
        for line in Path("/proc/cpuinfo").read_text().splitlines()
        if line.startswith("model name")
    )
    assert provenance["machine"]["cpu_model"] == cpu
    assert provenance["machine"]["cores"] >= 1 and provenance["machine"]["ram_gib"] > 0
    assert provenance["mode"] == "quick" and provenance["date_utc"].endswith("UTC")
    assert "SmolLM2" in provenance["model"]
    assert {name: b["status"] for name, b in everything["benchmarks"].items()} == dict.fromkeys(QUICK, "ok")
    prefix = everything["benchmarks"]["prefix_stability"]["results"]["prefix_stability.json"]
    assert [row["stack"] for row in prefix["rows"]] == ["none", "truncate", "summarize+correct"]
    for row in prefix["rows"]:
        assert 0 < row["cached_share"] <= 1 and 0 < row["step_prev_mean"] <= 1
    assert "corrector" in prefix["rows"][2]["requests_by_role"]  # the scripted errors made the corrector fire

    md = (tmp_path / "RESULTS.md").read_text()
    assert f"Machine: {cpu}, {provenance['machine']['cores']} cores" in md
    assert provenance["date_utc"] in md and "(quick mode)" in md
    for title, _ in results_md.HEADLINES:
        assert f"## {title}" in md
    assert "## Projection: vLLM, Qwen3-8B, one 24 GB GPU" in md and "| fp16 (12K context) | 1 |" in md
    assert "| summarize+correct |" in md
    assert "### selection: ok" in md and "### prefix_stability: ok" in md
    assert md.count("_Machine: ") >= len(results_md.HEADLINES) + 1  # every figure states machine, model and date
    for name in QUICK:  # and the load while its script ran
        outcome = everything["benchmarks"][name]
        assert all(len(outcome[k]) == 3 and min(outcome[k]) >= 0 for k in ("load_before", "load_after"))
    stamp = md.split("## Prompt prefix stability", 1)[1].split("_Machine: ", 1)[1].split("\n", 1)[0]
    load = everything["benchmarks"]["prefix_stability"]["load_before"][0]
    cores = provenance["machine"]["cores"]
    assert f"1-minute load average during the run ({cores} cores): prefix_stability.json {load} at start" in stamp

    (tmp_path / "RESULTS.md").unlink()
    assert run_all.main(["--render", "--out", str(tmp_path)]) == 0  # re-rendered from all.json alone
    assert (tmp_path / "RESULTS.md").read_text() == md


def write_script(folder: Path, name: str, body: str) -> None:
    (folder / f"{name}.py").write_text(body)


def test_a_failing_script_is_reported_and_the_others_still_run(tmp_path: Path) -> None:
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "fine.json").write_text('{"old": 1}')
    write_script(tmp_path, "crash", "import sys\nprint('starting')\nraise ZeroDivisionError('the crash under test')\n")
    write_script(
        tmp_path,
        "fine",
        "import json, pathlib\n"
        "out = pathlib.Path(__file__).parent / 'results'\n"
        "(out / 'fine.json').write_text(json.dumps({'rows': [{'case': 'a', 'value': 1.5}]}))\n"
        "(out / 'fresh.json').write_text(json.dumps({'score': 2}))\n",
    )
    write_script(tmp_path, "nothing", "print('skipped: the tool under test is not installed')\n")
    outcomes = {
        name: run_all.run_benchmark(run_all.Benchmark(name, quick=()), quick=True, bench_dir=tmp_path)
        for name in ("crash", "fine", "nothing")
    }

    assert outcomes["crash"]["status"] == "failed" and outcomes["crash"]["exit_code"] == 1
    assert "ZeroDivisionError: the crash under test" in outcomes["crash"]["error"]
    assert outcomes["fine"]["status"] == "ok"
    assert outcomes["fine"]["results"] == {
        "fine.json": {"rows": [{"case": "a", "value": 1.5}]},
        "fresh.json": {"score": 2},
    }
    assert outcomes["nothing"] == {
        **outcomes["nothing"],
        "status": "skipped",
        "reason": "skipped: the tool under test is not installed",
    }
    # quick mode put the old file back and removed the new one
    assert (tmp_path / "results" / "fine.json").read_text() == '{"old": 1}'
    assert not (tmp_path / "results" / "fresh.json").exists()

    provenance = {
        "date_utc": "2026-01-01 00:00 UTC",
        "mode": "quick",
        "machine": run_all.machine(),
        "model": "m",
        "commit": "c",
    }
    md = results_md.render({"provenance": provenance, "benchmarks": outcomes})
    assert "### crash: failed" in md and "ZeroDivisionError: the crash under test" in md
    assert "### fine: ok" in md and "| a | 1.5 |" in md
    assert "### nothing: skipped" in md


def test_a_timeout_is_a_failure_with_its_reason(tmp_path: Path) -> None:
    write_script(tmp_path, "slow", "import time\ntime.sleep(30)\n")
    outcome = run_all.run_benchmark(run_all.Benchmark("slow", quick=(), timeout_s=0.5), quick=True, bench_dir=tmp_path)
    assert outcome["status"] == "failed" and "timed out after" in outcome["error"]


def test_scripts_without_quick_settings_are_skipped_in_quick_mode(tmp_path: Path) -> None:
    write_script(tmp_path, "never", "raise SystemExit('must not run')\n")
    outcome = run_all.run_benchmark(run_all.Benchmark("never"), quick=True, bench_dir=tmp_path)
    assert outcome["status"] == "skipped"


def test_discover_lists_known_benchmarks_first_then_unknown_scripts(tmp_path: Path) -> None:
    for name in ("selection", "zeta_new", "run_all", "results_md", "measure", "_helper"):
        write_script(tmp_path, name, "")
    assert [b.name for b in run_all.discover(tmp_path)] == ["selection", "zeta_new"]


def test_only_rejects_an_unknown_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        run_all.main(["--only", "no_such_benchmark"])
    error = capsys.readouterr().err
    assert exited.value.code == 2 and "unknown benchmark(s) ['no_such_benchmark']" in error and "toolworld" in error


def test_skip_rejects_an_unknown_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        run_all.main(["--skip", "no_such_benchmark"])
    error = capsys.readouterr().err
    assert exited.value.code == 2 and "unknown benchmark(s) ['no_such_benchmark'] in --skip" in error


def test_a_reduced_full_run_keeps_the_saved_file(tmp_path: Path) -> None:
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "sweep.json").write_text('{"stacks": 11}')
    write_script(
        tmp_path,
        "sweep",
        "import pathlib\n(pathlib.Path(__file__).parent / 'results' / 'sweep.json').write_text('{\"stacks\": 3}')\n",
    )
    outcome = run_all.run_benchmark(run_all.Benchmark("sweep", keep_saved=True), quick=False, bench_dir=tmp_path)
    assert outcome["results"] == {"sweep.json": {"stacks": 3}}
    assert (tmp_path / "results" / "sweep.json").read_text() == '{"stacks": 11}'


def test_a_saved_file_is_dated_by_its_commit_not_by_a_fresh_clone(tmp_path: Path) -> None:
    """A clone stamps every file with the clone's time: a saved result as committed carries its commit's date;
    one changed since, its own mtime."""

    def git(*args: str, **env: str) -> None:
        base = {
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@t",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@t",
        }
        subprocess.run(
            ["git", *args], cwd=tmp_path, check=True, capture_output=True, env={**base, **env, "PATH": "/usr/bin:/bin"}
        )

    saved = tmp_path / "toolworld.json"
    saved.write_text("{}")
    git("init", "-q")
    git("add", saved.name)
    git("commit", "-q", "-m", "figures", GIT_COMMITTER_DATE="2026-11-25T22:58:00+00:00")
    assert results_md.saved_date(saved).strftime("%Y-%m-%d %H:%M") == "2026-11-25 22:58"
    saved.write_text('{"changed": true}')
    assert results_md.saved_date(saved) == dt.datetime.fromtimestamp(saved.stat().st_mtime, dt.timezone.utc)


def test_a_saved_file_names_the_run_that_wrote_it_until_a_script_run_alone_rewrites_it(tmp_path: Path) -> None:
    saved = tmp_path / "toolworld.json"
    saved.write_text('{"step_ms": 0.25}')
    assert results_md.recorded_run(saved) is None  # nothing recorded
    results_md.note_machines({saved.name: saved.read_bytes()}, "AMD EPYC, 2 cores", "2026-12-04 05:29 UTC", tmp_path)
    assert results_md.recorded_run(saved) == ("AMD EPYC, 2 cores", "2026-12-04 05:29 UTC")
    saved.write_text('{"step_ms": 0.36}')  # rewritten by `python benchmarks/toolworld.py` on some machine
    assert results_md.recorded_run(saved) is None


def test_a_table_from_a_saved_file_is_dated_by_the_run_that_wrote_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not by the commit that saved it (later, and for every file the commit carried)."""
    monkeypatch.setattr(results_md, "RESULTS_DIR", tmp_path)
    saved = tmp_path / "toolworld.json"
    saved.write_text('{"step_ms": 0.25}')
    results_md.note_machines({saved.name: saved.read_bytes()}, "Intel Xeon, 2 cores", "2026-12-04 14:23 UTC", tmp_path)
    lookup = results_md._Lookup({})
    assert lookup.get("toolworld", "toolworld.json") == ({"step_ms": 0.25}, "toolworld.json")
    assert lookup.earlier["toolworld.json"] == "2026-12-04 14:23 UTC, Intel Xeon, 2 cores"
    saved.write_text('{"step_ms": 0.36}')  # rewritten since, by a run nobody recorded: the file's own date
    lookup = results_md._Lookup({})
    lookup.get("toolworld", "toolworld.json")
    assert lookup.earlier["toolworld.json"].endswith(", machine not recorded")
