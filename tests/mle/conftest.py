"""Prepare every built-in competition once per test session into a temp cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from envs.mle.prepare import prepare
from envs.mle.registry import competition_ids

ALL_IDS = competition_ids("all")


@pytest.fixture(scope="session")
def mle_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mle-cache")
    for cid in ALL_IDS:
        prepare(cid, root)
    return root


@pytest.fixture()
def make_env(mle_cache: Path, tmp_path: Path):
    """Build MLECompetitionEnv instances on the session cache; closes them after the test."""
    from envs.mle.env import MLECompetitionEnv

    made = []

    def build(competition: str = "diabetes-progression", **kwargs) -> MLECompetitionEnv:
        kwargs.setdefault("step_timeout_s", 60)
        env = MLECompetitionEnv(competition, cache_dir=mle_cache, work_root=tmp_path, **kwargs)
        made.append(env)
        return env

    yield build
    for env in made:
        env.close()
