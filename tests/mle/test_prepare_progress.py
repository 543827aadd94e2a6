"""Preparing a competition says so when it starts and when it is done; a prepared one is reused silently."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from envs.mle.prepare import prepare


def test_preparing_logs_its_start_and_duration_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="envs.mle.prepare"):
        competition = prepare("diabetes-progression", tmp_path)
        first = [record.getMessage() for record in caplog.records]
        caplog.clear()
        prepare("diabetes-progression", tmp_path)
    assert first[0] == (
        f"preparing competition diabetes-progression into {competition.root} (once; later episodes reuse it)"
    )
    assert first[1].startswith("prepared competition diabetes-progression in ") and first[1].endswith(" s")
    assert caplog.records == []
