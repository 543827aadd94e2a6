"""An action the env refuses to run is a failed step for every wrapper that reads outputs.

A model can write a patch or an action the env will not run (past its length
limit, not a string); the env answers "Invalid action: ..." and runs nothing.
Read as a clean run, the corrector counted such a patch as a fix, and the
snapshot search valued it like code that ran (+0.1, against -1 for an error).
"""

from __future__ import annotations

from envs.toolworld.env import ToolWorldEnv
from tests.adversarial.conftest import TASK
from tests.wrappers.scripted import ScriptedModel, fenced
from wrappers.correct import Correct


def test_a_patch_the_env_refuses_is_not_counted_as_a_fix(toolworld: ToolWorldEnv) -> None:
    patch = "x = 1\n" * 10_000  # 60,000 characters, past ToolWorld's 50,000
    reply = f"CATEGORY: runtime_error\nEVIDENCE: e\nDIAGNOSIS: d\nFIX STEPS: 1. f\nPATCH:\n{fenced(patch)}"
    model = ScriptedModel({"corrector": lambda messages, n: [reply] * n})
    env = Correct(toolworld, model, max_attempts=1, max_tokens=16_000)  # room for the patch: it is not cut
    env.reset(options={"task_id": TASK})
    _, _, _, _, info = env.step("1 / 0")
    report = info["wrappers"]["correct"]
    assert report["fired"] and report["attempts"][0]["output"].startswith("Invalid action")
    assert not report["fixed"] and report["episode"]["fixed"] == 0
