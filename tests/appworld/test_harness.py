"""`train_free_eval.py env=appworld` end to end on the real AppWorld, with `wrappers=[summarize,correct]`.

The scripted model (scripted.py) plays agent, summarizer and corrector; its
replies are recorded through the harness, then the same run is replayed by the
command line with `policy=replay`. AppWorld grades every episode: two of three
tasks succeed (TGC 66.7%), one of two scenarios has all its tasks right (SGC 50%).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from omegaconf import OmegaConf

from harness.run import RunRequest, run_evaluation
from policies.llm.replay import Recording
from tests.appworld.scripted import AppWorldScriptedModel
from tests.harness.conftest import read_lines, run_eval
from tests.harness.scripted import CONF, env_config

MAX_STEPS = 8
# the summarizer fires once the prompt is past 3,000 characters (the default, 24,000, needs a longer episode)
OVERRIDES = ("wrappers.summarize.max_chars=3000",)


def wrapper_settings() -> dict:
    """What `wrappers=[summarize,correct]` composes to, with OVERRIDES applied."""
    stack = {name: OmegaConf.load(CONF / "wrappers" / f"{name}.yaml")[name] for name in ("summarize", "correct")}
    config = OmegaConf.merge({"wrappers": stack}, OmegaConf.from_dotlist(list(OVERRIDES)))
    return OmegaConf.to_container(config, resolve=True)["wrappers"]


def test_summarize_and_correct_on_the_real_appworld_recorded_then_replayed(appworld_python, appworld_root, tmp_path):
    env = env_config("appworld")
    env["kwargs"] = {**env["kwargs"], "python": appworld_python, "root": str(appworld_root)}
    replies = tmp_path / "replies.jsonl"
    request = RunRequest(
        env=env,
        policy={"name": "scripted", "kind": "llm", "sampling": {"temperature": 0.0, "max_tokens": 512, "seed": 0}},
        wrappers=wrapper_settings(),
        split="dev",
        max_steps=MAX_STEPS,
        progress=False,
    )
    outputs = appworld_root / "experiments" / "outputs"
    earlier = set(outputs.iterdir()) if outputs.exists() else set()
    summary = run_evaluation(request, tmp_path / "recorded", model=Recording(AppWorldScriptedModel(), replies))
    assert (summary["success"]["mean"], summary["sgc"]["mean"], summary["errors"]) == (2 / 3, 0.5, 0)
    (experiment,) = set(outputs.iterdir()) - earlier  # one env ran the three episodes: one AppWorld experiment
    assert appworld_own_metrics(appworld_python, appworld_root, experiment) == {
        "task_goal_completion": 66.7,
        "scenario_goal_completion": 50.0,
    }
    recorded = {r["task_id"]: r for r in read_lines(tmp_path / "recorded")}
    groceries = recorded["a1b2c3d_1"]
    assert groceries["success"] and groceries["steps"] == 5
    by_role = groceries["llm"]["by_role"]
    assert by_role["corrector"]["calls"] == 1 and by_role["summarizer"]["calls"] >= 1
    assert "simple_note.login: {" in replies.read_text()  # the corrector was shown AppWorld's doc of the failed API

    before = replies.read_bytes()
    proc = run_eval(
        "env=appworld",
        f"env.kwargs.python={appworld_python}",
        f"env.kwargs.root={appworld_root}",
        "policy=replay",
        f"policy.model.path={replies}",
        "policy.model.record_misses=false",
        "wrappers=[summarize,correct]",
        *OVERRIDES,
        "limit=null",
        f"max_steps={MAX_STEPS}",
        "workers=2",
        f"hydra.run.dir={tmp_path / 'replayed'}",
        timeout=900,
    )
    assert "| TGC | 66.7%" in proc.stdout and "| SGC | 50.0%" in proc.stdout, proc.stdout
    replayed = {r["task_id"]: r for r in read_lines(tmp_path / "replayed")}
    fields = ("success", "steps", "tests_passed", "tests_failed")
    assert {k: [r[f] for f in fields] for k, r in replayed.items()} == {
        k: [r[f] for f in fields] for k, r in recorded.items()
    }
    assert replies.read_bytes() == before  # every request of the replay was one the recording had


def appworld_own_metrics(python: str, root: Path, experiment: Path) -> dict:
    """TGC and SGC as AppWorld computes them, by its `appworld evaluate` command, from the experiment's outputs."""
    command = [str(Path(python).with_name("appworld")), "evaluate", experiment.name, "dev", "--root", str(root)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return json.loads((experiment / "evaluations" / "dev.json").read_text())["aggregate"]
