"""One evaluation over several machines sharing one model server, at small scale: what sharding buys.

A real harness on real ToolWorld episodes, as `trainfree-eval` processes (each one stands for one
machine), against one OpenAI-compatible server on 127.0.0.1. The server is simulated so the result
does not hang on this 2-core machine's CPU: every request takes `--latency-s` and at most
`--capacity` are served at once (the rest queue), as a GPU server with that many batch slots would
serve them. Case 1: one process with `workers=W`. Case 2: N shards (`shard=i/N`) at once, each
`workers=W`, into one shared sweep dir, then `trainfree-merge`. The ratio of their wall times is the
speed-up; it grows with N until N x W requests fill the server's capacity, and not past it.

Run: .venv/bin/python benchmarks/sharded_runs.py [--episodes 24 --shards 3 --workers 2 --capacity 4]
Writes benchmarks/results/sharded_runs.json (one entry per setting).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.merge import merge  # noqa: E402
from tests.llm.http_servers import ScriptedChatServer, completion  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results" / "sharded_runs.json"
REPLY = "```python\nprint(apis.supervisor.show_profile())\n```"


def slow_server(latency_s: float, capacity: int) -> ScriptedChatServer:
    """A chat server whose every answer takes `latency_s`, `capacity` at a time."""
    slots = threading.BoundedSemaphore(capacity)

    def reply(body: dict[str, Any]) -> dict[str, Any]:
        with slots:
            time.sleep(latency_s)
        return completion(body, [REPLY] * body.get("n", 1), prompt_tokens=1000, completion_tokens=20)

    return ScriptedChatServer(reply=reply)


def command(url: str, episodes: int, workers: int, *extra: str) -> list[str]:
    return [
        sys.executable,
        str(REPO / "train_free_eval.py"),
        "policy=openai_compatible",
        f"policy.model.base_url={url}",
        "policy.model.model=simulated",
        "policy.model.server_tokenizer=false",
        "policy.model.max_retries=0",
        "env=toolworld",
        "split=dev",
        f"limit={episodes}",
        "max_steps=2",
        f"workers={workers}",
        "progress=false",
        *extra,
    ]


def timed(commands: list[list[str]]) -> float:
    """Wall time of running `commands` side by side, each one a process (a machine)."""
    started = time.monotonic()
    procs = [
        subprocess.Popen(c, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for c in commands
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=1800)
        if proc.returncode != 0:
            raise RuntimeError(f"a run failed ({proc.returncode}): {err[-2000:]}")
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=24)
    parser.add_argument("--shards", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--capacity", type=int, default=4)
    parser.add_argument("--latency-s", type=float, default=2.0)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="sharded_runs_"))
    load = os.getloadavg()
    with slow_server(args.latency_s, args.capacity) as server:
        single_s = timed([command(server.url, args.episodes, args.workers, f"hydra.run.dir={out / 'single'}")])
        shards = [
            command(
                server.url,
                args.episodes,
                args.workers,
                f"shard={i}/{args.shards}",
                f"hydra.run.dir={out / 'sweep' / str(i)}",
            )
            for i in range(args.shards)
        ]
        sharded_s = timed(shards)
        merged = merge(out / "merged", [out / "sweep"])
    single = json.loads((out / "single" / "summary.json").read_text())
    in_flight = min(args.shards * args.workers, args.capacity)
    result = {
        "settings": vars(args),
        "machine": {"cpus": os.cpu_count(), "load_average_at_start": load},
        "single": {"processes": 1, "wall_s": round(single_s, 2), "episodes": single["episodes"]},
        "sharded": {"processes": args.shards, "wall_s": round(sharded_s, 2), "episodes": merged["episodes"]},
        "speedup": round(single_s / sharded_s, 2),
        "ideal_speedup": round(in_flight / min(args.workers, args.capacity), 2),
        "merged_equals_single": merged["episodes"] == single["episodes"],
    }
    # one entry per setting: a run with other settings adds to the file, the same settings replace theirs
    runs = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    runs = [run for run in runs if run["settings"] != result["settings"]] + [result]
    RESULTS.write_text(json.dumps(runs, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
