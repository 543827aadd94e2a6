"""Render an observation into chat messages (the only place prompts are built).

Layout: system, first user (instruction + context), then for each kept turn
an assistant message (the action) and a user message (its output). A summary
of dropped turns, when present, sits right after the first user message, so
the prompt prefix (system + first user) never changes within an episode:
that is what vLLM prefix caching reuses.
"""

from __future__ import annotations

from pathlib import Path

from envs.contract import Observation
from policies.llm.base import Message

PROMPTS_DIR = Path(__file__).parent / "prompts"


def read_template(directory: Path, name: str) -> str:
    """Read `<directory>/<name>.txt`; an unknown name is refused with the known ones."""
    path = directory / f"{name}.txt"
    if not path.is_file():
        known = sorted(p.stem for p in directory.glob("*.txt"))
        raise FileNotFoundError(f"no prompt template {name!r} in {directory}; known: {known}")
    return path.read_text()


def load_prompt(name: str) -> str:
    """An agent prompt template from policies/prompts/<name>.txt."""
    return read_template(PROMPTS_DIR, name)


def render_messages(observation: Observation, system_prompt: str) -> list[Message]:
    first_user = observation["instruction"]
    if observation.get("context"):
        first_user = f"{first_user}\n\n{observation['context']}"
    messages: list[Message] = [
        {"role": "system", "content": system_prompt},
        {"role": "user", "content": first_user},
    ]
    if observation.get("summary"):
        messages.append({"role": "user", "content": f"Summary of earlier steps:\n{observation['summary']}"})
    for turn in observation["history"]:
        messages.append({"role": "assistant", "content": turn["action"]})
        messages.append({"role": "user", "content": turn["output"]})
    return messages
