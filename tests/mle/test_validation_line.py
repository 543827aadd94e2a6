"""One spelling of the validation line: every prompt asks for it, the AIDE parser reads it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from envs.mle.journal import VALIDATION_LINE
from wrappers.aide import _printed_metric

ROOT = Path(__file__).resolve().parents[2]
PROMPTS = sorted([*(ROOT / "policies" / "prompts").glob("*.txt"), *(ROOT / "wrappers" / "prompts").glob("*.txt")])
#: prompts that ask a solution script to print its held-out score
ASKING = ("mle_system.txt", "aide_draft.txt", "aide_debug.txt", "aide_improve.txt")


def test_every_prompt_spells_the_validation_line_one_way() -> None:
    spellings = {
        (path.name, found)
        for path in PROMPTS
        for found in re.findall(r"validation \w+:", path.read_text(encoding="utf-8"), re.IGNORECASE)
        if found[0] == "V"  # the line a script prints starts a line with a capital; "(validation metric: $metric)" too
    }
    assert spellings and {found for _, found in spellings} == {VALIDATION_LINE}, spellings
    for name in ASKING:
        assert f'"{VALIDATION_LINE} <number>"' in next(p for p in PROMPTS if p.name == name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "printed, expected",
    [("0.875", 0.875), ("-12", -12.0), ("3.5e-4", 3.5e-4), ("  0.5  ", 0.5)],
)
def test_the_line_the_prompts_ask_for_is_parsed(printed: str, expected: float) -> None:
    output = f"fold 1 done\n{VALIDATION_LINE} 0.1\n{VALIDATION_LINE}{printed}\nwrote submission.csv\n"
    assert _printed_metric(output) == expected  # the last one printed counts


def test_other_spellings_and_mentions_are_not_read() -> None:
    assert _printed_metric("Validation score: 0.9\nbest validation metric: 0.8 so far\n") is None
    assert _printed_metric(f"{VALIDATION_LINE} nan\n") is None
