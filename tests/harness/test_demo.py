"""The shipped demo recording replays a three-stack sweep, its HTML report and a bandit run with no model."""

from __future__ import annotations

import json

from omegaconf import OmegaConf

from harness.compose import CONF_DIR
from harness.demo import DEMO_RECORDING
from harness.report import main as report_main
from tests.harness.conftest import read_lines, run_eval

STACKS = "[],[summarize],[summarize,correct]"
ARMS = f"[{STACKS}]"
DEMO_TASKS = list(OmegaConf.load(CONF_DIR / "demo.yaml")["tasks"])


def test_the_demo_replays_a_sweep_a_report_and_a_bandit_without_a_model(tmp_path):
    assert DEMO_RECORDING.is_file()
    sweep = tmp_path / "sweep"
    run_eval("--config-name=demo", "-m", f"wrappers={STACKS}", f"hydra.sweep.dir={sweep}")
    for job in ("0", "1", "2"):
        records = read_lines(sweep / job)
        assert sorted(r["task_id"] for r in records) == sorted(DEMO_TASKS)
        assert all(r["error"] is None for r in records)  # a request missing from the recording would be an error
        assert all(r["llm"]["total"]["calls"] >= 1 for r in records)
    assert report_main([str(sweep), "--html"]) == 0
    assert (sweep / "report.html").stat().st_size > 10_000
    assert set(json.loads((sweep / "report.json").read_text())["stacks"]) == {"none", "summarize", "summarize+correct"}

    bandit = tmp_path / "bandit"
    run_eval("--config-name=demo", "selector=thompson", f"selector.arms={ARMS}", f"hydra.run.dir={bandit}")
    records = read_lines(bandit)
    assert len(records) == len(DEMO_TASKS) and all(
        r["error"] is None or r["error"]["type"] != "LLMError" for r in records
    )
    assert json.loads((bandit / "summary.json").read_text())["selector"]
