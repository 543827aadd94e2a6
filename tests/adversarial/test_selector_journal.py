"""A damaged selector_journal.jsonl is named on resume, as the journal's other damage is.

The harness resumes a selector run by replaying its journal; every damage it
cannot replay must be the ValueError "cannot resume selector journal <path>",
not an exception that names neither the file nor the problem.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policies.selection.session import JOURNAL_FILE, SelectorSession

CFG = {"name": "thompson", "arms": [[], ["summarize"]], "seed": 5}


def journal_of_three_episodes(run_dir: Path) -> list[str]:
    session = SelectorSession.from_config(CFG, run_dir)
    for episode in range(3):
        session.finish(episode, float(session.start(episode).arm))
    return (run_dir / JOURNAL_FILE).read_text().splitlines()


DAMAGE = {
    "header_a_list": lambda lines: ["[1, 2]", *lines[1:]],
    "header_a_string": lambda lines: ['"format"', *lines[1:]],
    "header_drift_a_list": lambda lines: [
        lines[0].replace('"drift": {"kind": "none", "params": {}, "hold": 50, "decay": 0.0}', '"drift": []'),
        *lines[1:],
    ],
    "a_line_nested_deep": lambda lines: [lines[0], "[" * 100_000 + "]" * 100_000, *lines[1:]],
    # a whole number past float's range: a bare OverflowError from the selector's update
    "a_reward_past_floats_range": lambda lines: [
        *lines[:-1],
        lines[-1].replace('"reward": 1.0', '"reward": 1' + "0" * 400),
    ],
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_journal_is_named_on_resume(tmp_path: Path, damage: str) -> None:
    lines = journal_of_three_episodes(tmp_path)
    (tmp_path / JOURNAL_FILE).write_text("\n".join(DAMAGE[damage](lines)) + "\n")
    with pytest.raises(ValueError, match=f"cannot resume selector journal .*{JOURNAL_FILE}"):
        SelectorSession.from_config(CFG, tmp_path)
