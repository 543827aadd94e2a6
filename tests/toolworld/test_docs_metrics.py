"""The README's API table is current, and TGC/SGC follow their definitions."""

from __future__ import annotations

import pytest

from envs.toolworld.docs import README, api_table
from envs.toolworld.metrics import sgc, tgc


def test_readme_api_table_is_current() -> None:
    assert api_table() in README.read_text(), "README's ToolWorld API table is stale: run `python -m envs.toolworld docs`"


def test_tgc_and_sgc() -> None:
    results = [("a_0", "a", True), ("a_1", "a", True), ("b_0", "b", True), ("b_1", "b", False)]
    assert tgc(results) == 75.0
    assert sgc(results) == 50.0
    assert tgc(results + [("b_1", "b", True)]) == 100.0  # a rerun replaces the earlier result
    with pytest.raises(ValueError, match="undefined"):
        tgc([])
