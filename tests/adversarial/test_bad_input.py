"""Bad input gets an error that names the problem: run configs, unknown ids, malformed submissions."""

from __future__ import annotations

from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hydra.errors import MissingConfigException

from envs.mle.env import MLECompetitionEnv
from tests.harness.conftest import REPO, run_eval
from train_free_eval import request_from_config

from .test_mle_attacks import COMPETITION, cache, mle  # noqa: F401 - fixtures


def config(*overrides: str):
    with initialize_config_dir(config_dir=str(REPO / "conf"), version_base="1.3"):
        return compose(config_name="eval", overrides=list(overrides))


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("env=nope", "Could not find 'env/nope'"),
        ("policy=nope", "Could not find 'policy/nope'"),
        ("selector=nope", "Could not find 'selector/nope'"),
        ("wrappers=[summarize,nope]", "Could not load 'wrappers/nope'"),
    ],
)
def test_unknown_names_in_the_config_are_named(override: str, message: str) -> None:
    with pytest.raises(MissingConfigException, match=message):
        config(override)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("workers=0", "workers must be a whole number >= 1, got 0"),
        ("limit=abc", "limit must be a whole number >= 1 or null, got 'abc'"),
        ("max_steps=-1", "max_steps must be a whole number >= 1 or null, got -1"),
        ("seeds=[a]", "seeds must be a list of whole numbers"),
        ("episode_timeout_s=-1", "episode_timeout_s must be a number > 0 or null, got -1"),
    ],
)
def test_bad_values_in_the_config_are_named(override: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("(", r"\(")):
        request_from_config(config("policy=oracle", override))


def test_the_command_line_reports_a_bad_config_and_fails(tmp_path: Path) -> None:
    proc = run_eval("policy=oracle", "workers=0", f"hydra.run.dir={tmp_path}", check=False)
    assert proc.returncode != 0 and "workers must be a whole number >= 1, got 0" in proc.stderr + proc.stdout
    assert not (tmp_path / "results.jsonl").exists()


def test_unknown_competition_is_named() -> None:
    with pytest.raises(KeyError, match="unknown competition 'no-such-competition'"):
        MLECompetitionEnv("no-such-competition")


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("open('submission.csv', 'w').write('')", "submission.csv is empty"),
        ("open('submission.csv', 'wb').write(bytes(range(256)) * 10)", "submission.csv: invalid"),
        (
            "import pandas as pd\n"
            "pd.read_csv('input/sample_submission.csv').iloc[:, :1].to_csv('submission.csv', index=False)",
            "columns differ from the sample submission: missing",
        ),
        (
            "import pandas as pd\n"
            "pd.read_csv('input/sample_submission.csv').head(5).to_csv('submission.csv', index=False)",
            "expected",
        ),
        (
            "import pandas as pd\ndf = pd.read_csv('input/sample_submission.csv', dtype=str)\n"
            "df.iloc[0, 0] = 'nobody'\ndf.to_csv('submission.csv', index=False)",
            "ids not in the test set, e.g. 'nobody'",
        ),
        (
            "import pandas as pd\ndf = pd.read_csv('input/sample_submission.csv', dtype=str)\n"
            "df.iloc[3, 1] = None\ndf.to_csv('submission.csv', index=False)",
            "missing value '' in column 'progression'",
        ),
        (
            "import pandas as pd\ndf = pd.read_csv('input/sample_submission.csv', dtype=str)\n"
            "df.iloc[:, 1] = 'lots'\ndf.to_csv('submission.csv', index=False)",
            "in column",
        ),
    ],
    ids=["empty", "binary", "missing_column", "too_few_rows", "unknown_id", "blank_cell", "not_a_number"],
)
def test_malformed_submissions_are_named_and_not_graded(mle, script: str, message: str) -> None:  # noqa: F811
    observation, *_ = mle.step(script)
    output = observation["history"][-1]["output"]
    assert "submission.csv: invalid" in output and message in output, output
    _, reward, terminated, _, info = mle.step("submit")
    assert terminated and reward == 0.0 and not info["evaluation"]["valid_submission"]
