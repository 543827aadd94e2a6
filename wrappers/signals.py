"""Signals read from text: did the last action fail, what score did the model give?"""

from __future__ import annotations

import re

from envs.contract import Observation

#: Markers of a failed execution in AppWorld-style and Python outputs, and of an action the env refused to run
#: (ToolWorld's "Invalid action:", MLE's "invalid action:"; read as a clean run, a refused patch was a "fix").
ERROR_MARKERS: tuple[str, ...] = (
    "Execution failed",
    "Traceback",
    "Exception:",
    "Error:",
    "Invalid action:",
    "invalid action:",
)


def is_error_output(output: str) -> bool:
    return any(marker in output for marker in ERROR_MARKERS)


def last_output(observation: Observation) -> str:
    history = observation.get("history") or ()
    return history[-1]["output"] if history else ""


def last_action(observation: Observation) -> str:
    history = observation.get("history") or ()
    return history[-1]["action"] if history else ""


_SCORE = re.compile(r"(?<![\d.])(10|\d)(?:\.\d+)?(?:\s*/\s*10)?(?![\d])")


def parse_score(text: str) -> float:
    """The first number 0-10 in a reply (e.g. 'Score: 7/10'); 0 when there is none."""
    match = _SCORE.search(text)
    return float(match.group(1)) if match else 0.0
