"""A selector for a live run: thread-safe, episodes finish in any order, kept on disk.

The harness calls `start(episode, context)` when an episode begins (it gets the
arm and its wrapper stack; `context` is what the env says about the task before
it starts, for contextual strategies) and `finish(episode, reward)` when it
ends, from any worker thread. Every call is appended to a journal in the run dir (one JSON line,
flushed and fsync'd, so the cost per episode stays constant however long the
run). Selectors are deterministic given their seed and the order of their
calls, so replaying the journal rebuilds the exact state, RNG included: a
killed run resumes where it stopped, an episode that was started but not
finished gets the same arm again, and finished ones are never counted twice.
A line torn by a kill is cut off on load (its call is simply made again).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policies.selection.base import Context, Selector
from policies.selection.factory import Arm, make_selector, parse_arms, to_plain

JOURNAL_FILE = "selector_journal.jsonl"
_FORMAT = 1


@dataclass(frozen=True)
class Choice:
    episode: str
    arm: int
    stack: Arm


def _normalized(config: dict[str, Any]) -> str:
    return json.dumps(config, sort_keys=True)


def _has_header(path: Path) -> bool:
    """True when a journal exists with a complete first line; one torn while
    being created (nothing was chosen yet) is removed."""
    if not path.exists():
        return False
    with open(path, "rb") as fh:
        if fh.readline().endswith(b"\n"):
            return True
    path.unlink()
    return False


def plain_context(context: Context) -> dict[str, Any]:
    """The context as it is journaled and replayed: JSON values only (others as their text), so a
    resumed run gives the selector exactly what the live one did."""
    if not isinstance(context, Mapping):
        raise ValueError(f"an episode's context must be a mapping of feature names to values, got {context!r:.200}")
    return json.loads(json.dumps({str(k): v for k, v in context.items()}, default=str))


def stack_label(stack: Arm) -> str:
    return "+".join(stack) if stack else "none"


class SelectorSession:
    def __init__(
        self, selector: Selector, arms: list[Arm], path: str | Path | None = None, error_reward: float | None = 0.0
    ):
        """A new session; with `path`, a new journal there (use `load` to resume one)."""
        if len(arms) != selector.n_arms:
            raise ValueError(f"{len(arms)} arms given for a selector of {selector.n_arms} arms")
        if error_reward is not None and not 0.0 <= error_reward <= 1.0:
            raise ValueError(f"error_reward must be in [0, 1] or null, got {error_reward}")
        if path is not None and selector.seed is None:
            raise ValueError("a selector kept in a run dir needs an integer seed: resuming replays its calls")
        self.selector = selector
        self.arms = list(arms)
        self.path = None if path is None else Path(path)
        self.error_reward = error_reward
        self.episodes: dict[str, dict[str, Any]] = {}  # key -> {"arm", "status", "reward", "error"}
        self._lock = threading.Lock()
        if self.path is not None and not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._append(self._header())

    def _header(self) -> dict[str, Any]:
        return {
            "format": _FORMAT,
            "config": self.selector.config(),
            "arms": [list(a) for a in self.arms],
            "error_reward": self.error_reward,
        }

    @classmethod
    def from_config(cls, cfg: Any, run_dir: str | Path | None = None) -> SelectorSession | None:
        """The session a `selector` config asks for (None for `selector=none`).

        With a `run_dir` that already holds a journal, it is resumed; it must
        have been written with the same config, arms and error_reward.
        """
        selector = make_selector(cfg)
        if selector is None:
            return None
        plain = to_plain(cfg)
        arms, error_reward = parse_arms(plain.get("arms")), plain.get("error_reward", 0.0)
        path = None if run_dir is None else Path(run_dir) / JOURNAL_FILE
        if path is None or not _has_header(path):
            return cls(selector, arms, path, error_reward)
        session = cls.load(path)
        wanted = cls(selector, arms, None, error_reward)._header()
        if _normalized(session._header()) != _normalized(wanted):
            raise ValueError(
                f"{path} was written by a different selector ({session._header()}); "
                f"use a new run dir or the same selector config"
            )
        return session

    @classmethod
    def load(cls, path: str | Path) -> SelectorSession:
        """Replay a journal: the session exactly as it was after its last complete line."""
        path = Path(path)
        data = path.read_bytes()
        lines = data.split(b"\n")
        complete, torn = lines[:-1], lines[-1]
        try:
            header = json.loads(complete[0]) if complete else {}
            if not isinstance(header, dict) or header.get("format") != _FORMAT:
                raise ValueError(f"no journal header of format {_FORMAT} (got {header!r:.200})")
            selector = make_selector(header["config"])
            if selector is None:
                raise ValueError("the journal's config names no selector (selector=none keeps no journal)")
            session = cls(selector, parse_arms(header["arms"]), None, header["error_reward"])
            for number, line in enumerate(complete[1:], start=2):
                try:
                    event = json.loads(line)
                except json.JSONDecodeError:
                    if number == len(complete) and not torn:
                        torn = line  # the last line, cut by a kill
                        complete = complete[:-1]
                        break
                    raise ValueError(f"line {number} is not JSON: {line[:80]!r}") from None
                session._apply(event)
        # RecursionError: a line nested deep; OverflowError: a number past float's range (a reward of 10**400)
        except (OSError, KeyError, TypeError, ValueError, RecursionError, OverflowError) as err:
            raise ValueError(f"cannot resume selector journal {path}: {err}") from err
        if torn:
            os.truncate(path, sum(len(line) + 1 for line in complete))
        session.path = path
        return session

    # ---- the run's calls ----------------------------------------------------
    def start(self, episode: Hashable, context: Context | None = None) -> Choice:
        """The arm for an episode; the same arm again if it was started before.

        `context` (JSON-able values: the task's difficulty, scenario, split...)
        is given to the selector's choice and, when the episode finishes, to its
        update. Starting a finished episode is refused; starting a failed one
        again (a retry) reopens it on the same arm with its first context.
        """
        key = str(episode)
        with self._lock:
            record = self.episodes.get(key)
            if record is None or record["status"] != "pending":
                event: dict[str, Any] = {"event": "start", "episode": key}
                if context is not None and record is None:
                    event["context"] = plain_context(context)
                self._append(self._apply(event))
                record = self.episodes[key]
            return Choice(key, record["arm"], self.arms[record["arm"]])

    def finish(self, episode: Hashable, reward: float | None, error: str | None = None) -> None:
        """Report an episode's reward in [0, 1], or its failure (`error`, or no reward).

        A failed episode (timeout, crash, server down) teaches the selector
        `error_reward` (default 0: a stack whose episodes fail is a bad stack,
        and an arm that always fails must not be retried forever as "untried");
        with `error_reward=None` failures teach nothing.
        """
        with self._lock:
            self._append(self._apply({"event": "finish", "episode": str(episode), "reward": reward, "error": error}))

    def _apply(self, event: dict[str, Any]) -> dict[str, Any]:
        """Carry out one call, live or replayed; returns the event with the arm it got."""
        key = event["episode"]
        record = self.episodes.get(key)
        if event["event"] == "start":
            if record is not None and record["status"] == "done":
                raise ValueError(f"episode {key!r} already finished with reward {record['reward']}")
            if record is None:
                context = event.get("context")
                arm = self.selector.select(context)
                if event.get("arm", arm) != arm:
                    raise ValueError(f"replaying episode {key!r} gave arm {arm}, the journal says {event['arm']}")
                record = self.episodes[key] = {"arm": arm, "reward": None}
                if context is not None:
                    record["context"] = context
            record.update(status="pending", error=None)
            return {**event, "arm": record["arm"]}
        if record is None:
            raise ValueError(f"episode {key!r} was never started in this selector session")
        if record["status"] != "pending":
            raise ValueError(f"episode {key!r} already finished ({record['status']})")
        if event["error"] is not None or event["reward"] is None:
            if self.error_reward is not None:
                self.selector.update(record["arm"], self.error_reward, record.get("context"))
            record.update(status="error", error=event["error"] or "no reward")
        else:
            self.selector.update(record["arm"], event["reward"], record.get("context"))
            record.update(status="done", reward=float(event["reward"]))
        return event

    # ---- persistence ----------------------------------------------------------
    def _append(self, event: dict[str, Any]) -> None:
        if self.path is None:
            return
        with open(self.path, "a") as fh:
            fh.write(json.dumps(event) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def state(self) -> dict[str, Any]:
        """A JSON-ready snapshot: the selector's full state and every episode's arm and result."""
        with self._lock:
            return {
                "format": _FORMAT,
                "arms": [list(a) for a in self.arms],
                "selector": self.selector.state_dict(),
                "episodes": json.loads(json.dumps(self.episodes)),
            }

    # ---- reporting --------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """Pulls, rewards and regret against the best arm in hindsight."""
        with self._lock:
            per_arm: list[dict[str, Any]] = [
                {
                    "arm": i,
                    "stack": list(stack),
                    "label": stack_label(stack),
                    "pulls": 0,
                    "pending": 0,
                    "errors": 0,
                    "cumulative_reward": 0.0,
                }
                for i, stack in enumerate(self.arms)
            ]
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
        lines = [
            f"selector {s['strategy']}: {s['episodes']} episodes, cumulative reward {s['cumulative_reward']:.2f}, "
            f"regret vs best arm in hindsight {s['regret']:.2f}"
        ]
        width = max(len(row["label"]) for row in s["arms"])
        lines.append(f"  {'arm':<{width}}  pulls  mean    cum.   pending errors")
        for row in s["arms"]:
            mean = "  -   " if row["mean_reward"] is None else f"{row['mean_reward']:.3f} "
            star = " *" if row["arm"] == s["best_arm"] else ""
            lines.append(
                f"  {row['label']:<{width}}  {row['pulls']:>5}  {mean} {row['cumulative_reward']:>6.1f}  "
                f"{row['pending']:>7} {row['errors']:>6}{star}"
            )
        for event in s["drift_events"]:
            lines.append(
                f"  drift on {stack_label(self.arms[event['arm']])} at update {event['update']}: "
                f"rolled back to {stack_label(self.arms[event['rollback_to']])}"
            )
        return "\n".join(lines)
