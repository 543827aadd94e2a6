"""The demo recording shipped with trainfree: SmolLM2's replies on the ToolWorld dev tasks of conf/demo.yaml.

`python train_free_eval.py -cn demo` replays it (conf/demo.yaml, conf/policy/demo.yaml): sweeps, the HTML
report and bandit selection run in seconds on a fresh clone, with no model call. conf/demo.yaml says how to
record it again (CPU minutes) when the demo tasks or the prompts change: a request the recording lacks fails,
naming the recording.
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import OmegaConf

DEMO_RECORDING = Path(__file__).resolve().parent / "replies.jsonl"


def register_resolver() -> None:
    """`${demo_recording:}` in a config is the shipped recording's path, wherever trainfree is installed."""
    OmegaConf.register_new_resolver("demo_recording", lambda: str(DEMO_RECORDING), replace=True)
