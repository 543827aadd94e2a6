"""The wrappers' own prompt templates (summarizer, corrector, AIDE, ...), one text file each.

The agent's prompts stay with the policy (policies/prompts/); these are the
prompts of the roles and searches the wrappers add.
"""

from __future__ import annotations

from pathlib import Path

from policies.render import read_template

PROMPTS_DIR = Path(__file__).parent


def load_prompt(name: str) -> str:
    """A wrapper prompt template from wrappers/prompts/<name>.txt."""
    return read_template(PROMPTS_DIR, name)
