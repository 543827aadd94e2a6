"""What one step keeps in its episode's trajectory is bounded, whatever the model sends.

A server that ignores max_tokens may send up to `max_response_mb` (16 MB) in each reply. The env refuses
an action past its limit (ToolWorld: 50,000 characters), but the trajectory kept the reply whole twice,
as the policy's reply and as the action: 32 MB a step, 320 MB for a 10-step episode (and as much memory
held by the run while it played). Every reply is read within the max_tokens asked (`ChatModel.chat`), and
the trajectory keeps each text to MAX_RECORDED_TEXT_CHARS, its marker included, whatever max_tokens allows.
"""

from __future__ import annotations

import json
from pathlib import Path

from harness.episode import MAX_RECORDED_TEXT_CHARS
from harness.run import RunRequest, run_evaluation
from policies.llm.base import ChatModel, ChatReply, ChatRequest, Usage
from tests.harness.scripted import env_config

REPLY_CHARS = 4_000_000
#: Enough for 800,000 characters of each reply (8 a token), so the trajectory's own cap is what bounds it.
MAX_TOKENS = 100_000
STEPS = 4


class FloodingModel(ChatModel):
    """Answers every request with a code block padded by a 4 MB comment."""

    name = "flooding"
    context_window = 1_000_000

    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:
        text = "```python\nprint('hi')\n#" + "x" * REPLY_CHARS + "\n```"
        return [ChatReply(text=text, usage=Usage(10, 10), latency_s=0.0, role=role) for _ in range(request.n)]


def test_a_reply_of_megabytes_each_step_keeps_the_trajectory_bounded(tmp_path: Path) -> None:
    env = {**env_config("toolworld"), "kwargs": {"sandbox": "rlimit"}}
    policy = {"name": "flooding", "kind": "llm", "sampling": {"max_tokens": MAX_TOKENS, "seed": 0}}
    request = RunRequest(env=env, policy=policy, wrappers=(), split="dev", limit=1, max_steps=STEPS, progress=False)
    summary = run_evaluation(request, tmp_path, model=FloodingModel())
    assert summary["episodes"] == 1 and summary["success"]["mean"] == 0.0
    [path] = (tmp_path / "trajectories").glob("*.json")
    steps = json.loads(path.read_text(encoding="utf-8"))["steps"]
    assert len(steps) == STEPS
    for step in steps:
        reply, action = step["policy"]["reply"], step["action"]
        assert reply.startswith("```python") and action.startswith("print('hi')")
        for text in (reply, action):
            assert len(text) <= MAX_RECORDED_TEXT_CHARS and "characters dropped" in text  # says how much went
    assert path.stat().st_size < STEPS * 3 * MAX_RECORDED_TEXT_CHARS  # was 32 MB a step
