"""Strategy selection: what a selector costs per episode, and how fast the simulator runs.

Rows:
  <strategy>           select() + update() on 3 Bernoulli arms, drift detector on (page_hinkley);
                       target: < 100 us per round, nothing next to an episode's seconds
  session              SelectorSession.start() + finish(), each appended to the journal with an
                       fsync: constant however long the run; target: < 50 ms per episode
  resume (N episodes)  replaying a journal of N finished episodes; target: < 5 s for 10 000
  simulator            rounds per second of `simulate` (all six strategies, no drift)
The machine is shared (2 cores, other jobs running): numbers are noisy.
Run: .venv/bin/python benchmarks/selection.py [--rounds 20000]
Writes benchmarks/results/selection.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from policies.selection import STRATEGIES, make_selector
from policies.selection.session import SelectorSession
from policies.selection.simulate import simulate, strategy_configs
from policies.selection.sources import BernoulliArms

RESULTS = Path(__file__).parent / "results" / "selection.json"
MEANS = [0.3, 0.5, 0.7]


def per_round_us(name: str, rounds: int) -> float:
    selector = make_selector({"name": name, "n_arms": 3, "seed": 0, "drift": "page_hinkley"})
    rewards = (np.random.default_rng(0).random(rounds) < 0.5).astype(float)
    started = time.perf_counter()
    for reward in rewards:
        selector.update(selector.select(), reward)
    return (time.perf_counter() - started) / rounds * 1e6


ARMS = [[], ["summarize"], ["summarize", "correct"]]


def session_ms(measured: int = 50) -> float:
    """start() + finish() per episode, each journaled with an fsync, on this disk."""
    with tempfile.TemporaryDirectory(dir=Path(__file__).parent) as run_dir:
        session = SelectorSession.from_config({"name": "thompson", "arms": ARMS}, run_dir)
        started = time.perf_counter()
        for episode in range(measured):
            session.finish(episode, 0.5 if session.start(episode).arm else 0.0)
        return (time.perf_counter() - started) / measured * 1e3


def resume_s(episodes: int) -> float:
    """Replaying a journal of `episodes` finished episodes (what a resumed run pays once)."""
    fast_disk = "/dev/shm" if Path("/dev/shm").is_dir() else None  # only to write the journal quickly
    with tempfile.TemporaryDirectory(dir=fast_disk) as run_dir:
        session = SelectorSession.from_config({"name": "thompson", "arms": ARMS}, run_dir)
        for episode in range(episodes):
            session.finish(episode, 1.0 if session.start(episode).arm == 2 else 0.0)
        started = time.perf_counter()
        SelectorSession.load(session.path)
        return time.perf_counter() - started


def simulator_rounds_per_s(rounds: int) -> float:
    configs = strategy_configs()
    started = time.perf_counter()
    simulate({k: {**v, "drift": "none"} for k, v in configs.items()}, BernoulliArms(MEANS), rounds, seeds=[0])
    return rounds * len(configs) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20_000)
    args = parser.parse_args()
    rows = [{"what": name, "us_per_round": round(per_round_us(name, args.rounds), 2)} for name in STRATEGIES]
    rows.append({"what": "session start+finish", "ms_per_episode": round(session_ms(), 3)})
    rows += [{"what": f"resume ({n} episodes)", "s_to_replay": round(resume_s(n), 3)} for n in (1000, 10_000)]
    rows.append({"what": "simulator", "rounds_per_s": round(simulator_rounds_per_s(args.rounds // 4))})
    print("| what | cost |\n|---|---|")
    for row in rows:
        unit, value = next((k, v) for k, v in row.items() if k != "what")
        print(f"| {row['what']} | {value} {unit.replace('_', ' ')} |")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps({"machine": platform.platform(), "rounds": args.rounds, "rows": rows}, indent=2) + "\n"
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
