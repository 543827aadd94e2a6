"""A selector for a live run: thread-safe, episodes finish in any order, state on disk.

The harness calls `start(episode)` when an episode begins (it gets the arm and
its wrapper stack) and `finish(episode, reward)` when it ends, from any worker
thread. After each call the whole state (selector, RNG, every episode's arm and
reward) is written atomically to a JSON file in the run dir, so a killed run
resumes exactly: an episode that was started but not finished gets the same
arm again, and finished ones are never counted twice.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Hashable

from policies.selection.base import Selector
from policies.selection.factory import Arm, make_selector, parse_arms, selector_from_state, to_plain

STATE_FILE = "selector_state.json"
_FORMAT = 1


@dataclass(frozen=True)
class Choice:
    episode: str
    arm: int
    stack: Arm


def _normalized(config: dict[str, Any]) -> str:
    return json.dumps(config, sort_keys=True)


def stack_label(stack: Arm) -> str:
    return "+".join(stack) if stack else "none"


class SelectorSession:
    def __init__(self, selector: Selector, arms: list[Arm], path: str | Path | None = None,
                 error_reward: float | None = 0.0):
        if len(arms) != selector.n_arms:
            raise ValueError(f"{len(arms)} arms given for a selector of {selector.n_arms} arms")
        if error_reward is not None and not 0.0 <= error_reward <= 1.0:
            raise ValueError(f"error_reward must be in [0, 1] or null, got {error_reward}")
        self.selector = selector
        self.arms = list(arms)
        self.path = None if path is None else Path(path)
        self.error_reward = error_reward
        self.episodes: dict[str, dict[str, Any]] = {}  # key -> {"arm", "status", "reward", "error"}
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, cfg: Any, run_dir: str | Path | None = None) -> "SelectorSession | None":
        """The session a `selector` config asks for (None for `selector=none`).

        With a `run_dir` that already holds a saved state, that state is
        resumed; it must have been saved with the same config and arms.
        """
        selector = make_selector(cfg)
        if selector is None:
            return None
        plain = to_plain(cfg)
        arms = parse_arms(plain.get("arms"))
        error_reward = plain.get("error_reward", 0.0)
        path = None if run_dir is None else Path(run_dir) / STATE_FILE
        if path is not None and path.exists():
            session = cls.load(path, error_reward)
            if session.arms != arms or _normalized(session.selector.config()) != _normalized(selector.config()):
                raise ValueError(
                    f"{path} was saved by a different selector ({session.selector.config()}, arms "
                    f"{[list(a) for a in session.arms]}); use a new run dir or the same selector config")
            return session
        return cls(selector, arms, path, error_reward)

    @classmethod
    def load(cls, path: str | Path, error_reward: float | None = 0.0) -> "SelectorSession":
        path = Path(path)
        try:
            data = json.loads(path.read_text())
            if data.get("format") != _FORMAT:
                raise ValueError(f"unknown selector state format {data.get('format')!r}")
            session = cls(selector_from_state(data["selector"]), parse_arms(data["arms"]), path, error_reward)
            session.episodes = {str(k): dict(v) for k, v in data["episodes"].items()}
        except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
            raise ValueError(f"cannot resume selector state from {path}: {err}") from err
        return session

    # ---- the run's calls ----------------------------------------------------
    def start(self, episode: Hashable) -> Choice:
        """The arm for an episode; the same arm again if it was started before.

        Starting a finished episode is refused; starting a failed one again
        (a retry) reopens it on the same arm.
        """
        key = str(episode)
        with self._lock:
            record = self.episodes.get(key)
            if record is not None and record["status"] == "done":
                raise ValueError(f"episode {key!r} already finished with reward {record['reward']}")
            if record is None or record["status"] == "error":
                if record is None:
                    record = {"arm": self.selector.select(), "reward": None}
                    self.episodes[key] = record
                record.update(status="pending", error=None)
                self._save()
            return Choice(key, record["arm"], self.arms[record["arm"]])

    def finish(self, episode: Hashable, reward: float | None, error: str | None = None) -> None:
        """Report an episode's reward in [0, 1], or its failure (`error`, or no reward).

        A failed episode (timeout, crash, server down) teaches the selector
        `error_reward` (default 0: a stack whose episodes fail is a bad stack,
        and an arm that always fails must not be retried forever as "untried");
        with `error_reward=None` failures teach nothing.
        """
        key = str(episode)
        with self._lock:
            record = self.episodes.get(key)
            if record is None:
                raise ValueError(f"episode {key!r} was never started in this selector session")
            if record["status"] != "pending":
                raise ValueError(f"episode {key!r} already finished ({record['status']})")
            if error is not None or reward is None:
                if self.error_reward is not None:
                    self.selector.update(record["arm"], self.error_reward)
                record.update(status="error", error=error or "no reward")
            else:
                self.selector.update(record["arm"], reward)
                record.update(status="done", reward=float(reward))
            self._save()

    # ---- persistence ----------------------------------------------------------
    def state(self) -> dict[str, Any]:
        with self._lock:
            return self._state()

    def _state(self) -> dict[str, Any]:
        return {"format": _FORMAT, "arms": [list(a) for a in self.arms],
                "selector": self.selector.state_dict(), "episodes": self.episodes}

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w") as fh:
            json.dump(self._state(), fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    # ---- reporting --------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """Pulls, rewards and regret against the best arm in hindsight."""
        with self._lock:
            per_arm = [{"arm": i, "stack": list(stack), "label": stack_label(stack), "pulls": 0,
                        "pending": 0, "errors": 0, "cumulative_reward": 0.0} for i, stack in enumerate(self.arms)]
            for record in self.episodes.values():
                row = per_arm[record["arm"]]
                if record["status"] == "done":
                    row["pulls"] += 1
                    row["cumulative_reward"] += record["reward"]
                else:
                    row["pending" if record["status"] == "pending" else "errors"] += 1
            drift_events = [dict(e) for e in self.selector.drift_events]
        for row in per_arm:
            row["mean_reward"] = row["cumulative_reward"] / row["pulls"] if row["pulls"] else None
        finished = sum(row["pulls"] for row in per_arm)
        total = sum(row["cumulative_reward"] for row in per_arm)
        tried = [row for row in per_arm if row["pulls"]]
        best = max(tried, key=lambda row: row["mean_reward"]) if tried else None
        return {
            "strategy": self.selector.name,
            "episodes": finished,
            "cumulative_reward": total,
            "best_arm": None if best is None else best["arm"],
            # what always playing the best arm would have earned (at its observed mean), minus what we earned
            "regret": 0.0 if best is None else best["mean_reward"] * finished - total,
            "arms": per_arm,
            "drift_events": drift_events,
        }

    def format_summary(self) -> str:
        s = self.summary()
        lines = [f"selector {s['strategy']}: {s['episodes']} episodes, cumulative reward {s['cumulative_reward']:.2f}, "
                 f"regret vs best arm in hindsight {s['regret']:.2f}"]
        width = max(len(row["label"]) for row in s["arms"])
        lines.append(f"  {'arm':<{width}}  pulls  mean    cum.   pending errors")
        for row in s["arms"]:
            mean = "  -   " if row["mean_reward"] is None else f"{row['mean_reward']:.3f} "
            star = " *" if row["arm"] == s["best_arm"] else ""
            lines.append(f"  {row['label']:<{width}}  {row['pulls']:>5}  {mean} {row['cumulative_reward']:>6.1f}  "
                         f"{row['pending']:>7} {row['errors']:>6}{star}")
        for event in s["drift_events"]:
            lines.append(f"  drift on {stack_label(self.arms[event['arm']])} at update {event['update']}: "
                         f"rolled back to {stack_label(self.arms[event['rollback_to']])}")
        return "\n".join(lines)
