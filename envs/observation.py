"""The observation space every trainfree environment shares (the type is envs.contract.Observation).

Observations are dicts holding the instruction and the whole episode history
as structured turns, so a summarizer can be a plain ObservationWrapper and a
policy can render a prompt from the observation alone:

- ``task_id``: stable id of the task or competition.
- ``instruction``: what the agent must do.
- ``context``: env-specific material for the first prompt (supervisor, apps,
  data listing, rules).
- ``history``: tuple of ``{"action": str, "output": str}``, oldest first.
- ``summary``: "" unless a wrapper replaced the oldest turns by a summary; the
  turns in ``history`` are then the ones kept after it.
- ``steps_left``: actions the agent may still take.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence

from gymnasium import spaces

from envs.contract import Observation, Turn

#: Printable ASCII plus whitespace and common unicode: the Text default
#: (alphanumerics only) would reject any real code.
TEXT_CHARSET: frozenset[str] = frozenset(string.printable + "".join(chr(c) for c in range(0xA0, 0x2FFF)))
MAX_TEXT = 1_000_000


def text_space(max_length: int = MAX_TEXT) -> spaces.Text:
    return spaces.Text(max_length=max_length, min_length=0, charset=TEXT_CHARSET)


def observation_space(max_steps: int) -> spaces.Dict:
    turn = spaces.Dict({"action": text_space(), "output": text_space()})
    return spaces.Dict(
        {
            "task_id": text_space(256),
            "instruction": text_space(),
            "context": text_space(),
            "history": spaces.Sequence(turn, stack=False),
            "summary": text_space(),
            "steps_left": spaces.Discrete(max_steps + 1),
        }
    )


def to_space_text(text: str, limit: int = MAX_TEXT) -> str:
    """Map any string into the Text space: unknown characters become '?'."""
    cleaned = "".join(ch if ch in TEXT_CHARSET else "?" for ch in text)
    return cleaned[:limit]


def make_observation(
    *,
    task_id: str,
    instruction: str,
    context: str,
    history: Sequence[Mapping[str, str]],
    steps_left: int,
    summary: str = "",
) -> Observation:
    return {
        "task_id": to_space_text(task_id, 256),
        "instruction": to_space_text(instruction),
        "context": to_space_text(context),
        "history": tuple(Turn(action=to_space_text(t["action"]), output=to_space_text(t["output"])) for t in history),
        "summary": to_space_text(summary),
        "steps_left": int(steps_left),
    }
