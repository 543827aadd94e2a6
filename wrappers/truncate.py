"""truncate: AppWorld's baseline history cut, as an observation wrapper.

Keeps the most recent turns whose actions and outputs fit in `max_chars`
characters; older turns are dropped and a marker in `summary` says how many
and how much. A single newest turn longer than the budget keeps the tail of
its output. No LLM calls.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym

from envs.contract import Observation, Turn
from wrappers.info import ReportingObservationWrapper


class Truncate(ReportingObservationWrapper):
    name = "truncate"

    def __init__(self, env: gym.Env, *, max_chars: int = 20_000) -> None:
        super().__init__(env)
        if max_chars < 1:
            raise ValueError(f"max_chars must be positive, got {max_chars}")
        self.max_chars = max_chars
        self._report: dict[str, Any] = {}

    def observation(self, observation: Observation) -> Observation:
        history = list(observation["history"])
        kept: list[Turn] = []
        used = 0
        cut = 0
        for turn in reversed(history):
            size = len(turn["action"]) + len(turn["output"])
            if used + size > self.max_chars:
                if not kept:  # the newest turn alone is too long: keep its action and the tail of its output
                    room = max(0, self.max_chars - len(turn["action"]))
                    cut = len(turn["output"]) - room
                    kept.append(Turn(action=turn["action"], output=turn["output"][cut:]))
                break
            kept.append(turn)
            used += size
        kept.reverse()
        dropped = history[: len(history) - len(kept)]
        dropped_chars = sum(len(t["action"]) + len(t["output"]) for t in dropped)
        self._report = {"dropped_turns": len(dropped), "dropped_chars": dropped_chars, "cut_output_chars": cut}
        if not dropped and not cut:
            return observation
        marker = f"[history truncated: {len(dropped)} earlier turns ({dropped_chars} characters) omitted"
        marker += f"; the newest output lost its first {cut} characters]" if cut else "]"
        summary = "\n\n".join(part for part in (observation.get("summary", ""), marker) if part)
        return {**observation, "history": tuple(kept), "summary": summary}
