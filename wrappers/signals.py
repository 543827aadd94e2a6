"""Execution signals read from env outputs: did the last action fail?"""

from __future__ import annotations

from typing import Any, Mapping

#: Markers of a failed execution in AppWorld-style and Python outputs.
ERROR_MARKERS: tuple[str, ...] = ("Execution failed", "Traceback", "Exception:", "Error:")


def is_error_output(output: str) -> bool:
    return any(marker in output for marker in ERROR_MARKERS)


def last_output(observation: Mapping[str, Any]) -> str:
    history = observation.get("history") or ()
    return history[-1]["output"] if history else ""


def last_action(observation: Mapping[str, Any]) -> str:
    history = observation.get("history") or ()
    return history[-1]["action"] if history else ""
