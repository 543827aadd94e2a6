"""LLMPolicy: observation -> prompt -> the real embedded model -> code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envs.mle.env import MLECompetitionEnv
from envs.observation import make_observation
from envs.toolworld.profile import TOOLWORLD_PROFILE
from policies.llm.accounting import Accountant, MeteredModel
from policies.llm.base import ContextLengthExceeded
from policies.llm.llama_cpp_embedded import LlamaCppEmbedded
from policies.llm.replay import Recording
from policies.llm_policy import LLMPolicy, extract_action
from policies.render import load_prompt, render_messages

SYSTEM = "Answer with Python code in a ```python block."  # short: prompt processing is the slow part on CPU
OBSERVATION = make_observation(
    task_id="t1",
    instruction="Print the names of my contacts.",
    context="User: Ann Lee (ann@example.com)",
    history=[{"action": "print(apis.api_docs.show_app_descriptions())", "output": "[{'name': 'phone'}]"}],
    steps_left=4,
)


@pytest.mark.parametrize(
    ("reply", "mode", "expected"),
    [
        (
            "Let me look.\n```python\nprint(1)\n```\nthen\n```py\nprint(2)\n```",
            "join",
            ("print(1)\n\nprint(2)", "code_block"),
        ),
        (
            "Plan.\n```python\nx = 1\n```\n```python\nimport pandas\nx = 2\n```",
            "longest",
            ("import pandas\nx = 2", "code_block"),
        ),
        ("```python\nfor i in range(3):\n    print(i", "join", ("for i in range(3):\n    print(i", "code_block")),
        ("<think>use ```python\nwrong()\n```</think>\n```python\nright()\n```", "join", ("right()", "code_block")),
        ("  print('no fences')  ", "join", ("print('no fences')", "whole_reply")),
        ("```\nbare()\n```", "join", ("bare()", "code_block")),
    ],
)
def test_extract_action(reply: str, mode: str, expected: tuple[str, str]) -> None:
    assert extract_action(reply, mode) == expected


@pytest.fixture(scope="module")
def embedded(smollm2_gguf: Path) -> LlamaCppEmbedded:
    return LlamaCppEmbedded(smollm2_gguf, n_threads=1)


def recorded_requests(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.llm
def test_act_renders_the_observation_and_parses_the_reply(tmp_path: Path, embedded) -> None:
    model = Recording(embedded, tmp_path / "r.jsonl")
    policy = LLMPolicy(model, SYSTEM, max_tokens=24, seed=100)
    policy.reset(seed=7)
    actions = [policy.act(OBSERVATION) for _ in range(2)]
    records = recorded_requests(tmp_path / "r.jsonl")
    request, reply = records[-1]["request"], records[-1]["replies"][0]
    assert request["messages"] == render_messages(OBSERVATION, SYSTEM)
    assert [r["request"]["seed"] for r in records] == [7, 8]  # episode seed + turn
    assert request["max_tokens"] == 24
    assert actions[-1] == extract_action(reply["text"])[0]
    info = policy.step_info()
    assert info["reply"] == reply["text"] and info["role"] == "agent" and info["seed"] == 8
    assert info["prompt_tokens"] > 0 and info["completion_tokens"] > 0
    policy.reset()
    policy.act(OBSERVATION)
    assert recorded_requests(tmp_path / "r.jsonl")[-1]["request"]["seed"] == 100  # back to the configured seed


@pytest.mark.llm
def test_agent_calls_are_accounted_per_role(embedded) -> None:
    accountant = Accountant()
    policy = LLMPolicy(MeteredModel(embedded, accountant), SYSTEM, max_tokens=8)
    policy.act(OBSERVATION)
    cost = accountant.to_dict()["by_role"]["agent"]
    assert cost["calls"] == 1 and cost["prompt_tokens"] > 0 and cost["completion_tokens"] > 0


@pytest.mark.llm
def test_max_tokens_shrinks_to_fit_the_context_and_overflow_is_an_error(
    tmp_path: Path, embedded, smollm2_gguf: Path
) -> None:
    prompt_tokens = embedded.count_message_tokens(render_messages(OBSERVATION, SYSTEM))
    window = prompt_tokens + 10  # room for a 10-token reply only
    small = LlamaCppEmbedded(smollm2_gguf, context_window=window, n_threads=1)
    model = Recording(small, tmp_path / "r.jsonl")
    policy = LLMPolicy(model, SYSTEM, max_tokens=512)
    policy.act(OBSERVATION)
    assert recorded_requests(tmp_path / "r.jsonl")[0]["request"]["max_tokens"] == 10
    long = make_observation(task_id="t", instruction="x " * 2000, context="", history=[], steps_left=1)
    with pytest.raises(ContextLengthExceeded, match="context length exceeded"):
        policy.act(long)


def test_from_config_picks_prompt_and_code_rule_by_env_profile(embedded) -> None:
    cfg = {"sampling": {"temperature": 0.5, "max_tokens": 64, "stop": ["\nObservation:"], "seed": None}}
    mle = LLMPolicy.from_config(cfg, embedded, MLECompetitionEnv.profile)
    assert mle.system_prompt == load_prompt("mle_system") and mle.code_blocks == "longest"
    assert (mle.temperature, mle.max_tokens, mle.stop, mle.seed) == (0.5, 64, ("\nObservation:",), None)
    tool = LLMPolicy.from_config({"prompt": "mle_system", "code_blocks": "join"}, embedded, TOOLWORLD_PROFILE)
    assert tool.system_prompt == load_prompt("mle_system") and tool.code_blocks == "join"
    with pytest.raises(ValueError, match="unknown sampling option"):
        LLMPolicy.from_config({"sampling": {"temprature": 1}}, embedded, TOOLWORLD_PROFILE)
    with pytest.raises(FileNotFoundError, match="no prompt template"):
        LLMPolicy.from_config({"prompt": "nope"}, embedded, TOOLWORLD_PROFILE)


@pytest.mark.parametrize(
    ("name", "must_mention"),
    [
        (
            "toolworld_system",
            ["apis.api_docs.show_api_doc", "apis.supervisor.complete_task", "page_index", "access_token"],
        ),
        ("mle_system", ["./input", "./submission.csv", "```python"]),
    ],
)
def test_system_prompts_tell_the_model_the_interface(name: str, must_mention: list[str]) -> None:
    text = load_prompt(name)
    assert all(phrase in text for phrase in must_mention)
