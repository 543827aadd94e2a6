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
from collections.abc import Iterable, Mapping, Sequence

from gymnasium import spaces

from envs.contract import Observation, Turn

#: The characters `sample()` draws from: printable ASCII and whitespace, so sampled code is readable.
SAMPLE_CHARSET: frozenset[str] = frozenset(string.printable)
MAX_TEXT = 1_000_000


class UnicodeText(spaces.Text):
    """Text of any Unicode characters that UTF-8 can encode (all but lone surrogates), within length bounds.

    gymnasium's Text checks membership against an explicit character set: one that covered all
    of Unicode would hold a million characters (and print them all), one that does not turns
    names like 東京 or an emoji into '?'. This space accepts any encodable text, checked in C by
    one encode, and samples from `SAMPLE_CHARSET` (its `character_set`)."""

    def __init__(self, max_length: int, *, min_length: int = 0) -> None:
        super().__init__(max_length=max_length, min_length=min_length, charset=SAMPLE_CHARSET)

    def contains(self, x: object) -> bool:
        return isinstance(x, str) and self.min_length <= len(x) <= self.max_length and _encodable(x)

    def __repr__(self) -> str:
        return f"UnicodeText({self.min_length}, {self.max_length})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnicodeText) and (self.min_length, self.max_length) == (
            other.min_length,
            other.max_length,
        )


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def text_space(max_length: int = MAX_TEXT) -> UnicodeText:
    return UnicodeText(max_length)


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
    """Map any string into the text space: cut to `limit`; a lone surrogate (which UTF-8 cannot encode,
    e.g. from bytes decoded with surrogateescape) becomes '?'. Text is kept as it is otherwise, in one
    C-level pass, so converting a long history on every step costs microseconds."""
    text = text[:limit]
    return text if _encodable(text) else text.encode("utf-8", "replace").decode("utf-8")


class SpaceHistory:
    """An episode's turns, each mapped into the text space once, when it is added: an env whose history only
    grows gives every observation the turns so far without re-checking every earlier turn's text on every
    step. Each observation gets its own turn dicts, as from a list of turns."""

    def __init__(self, turns: Iterable[tuple[str, str]] = ()) -> None:
        self._texts: list[tuple[str, str]] = []
        for action, output in turns:
            self.add(action, output)

    def add(self, action: str, output: str) -> None:
        self._texts.append((to_space_text(action), to_space_text(output)))

    def turns(self) -> tuple[Turn, ...]:
        return tuple(Turn(action=action, output=output) for action, output in self._texts)


def make_observation(
    *,
    task_id: str,
    instruction: str,
    context: str,
    history: Sequence[Mapping[str, str]] | SpaceHistory,
    steps_left: int,
    summary: str = "",
) -> Observation:
    if not isinstance(history, SpaceHistory):
        history = SpaceHistory((turn["action"], turn["output"]) for turn in history)
    return {
        "task_id": to_space_text(task_id, 256),
        "instruction": to_space_text(instruction),
        "context": to_space_text(context),
        "history": history.turns(),
        "summary": to_space_text(summary),
        "steps_left": int(steps_left),
    }
