"""The real vLLM OpenAI server on 127.0.0.1, driven through OpenAICompatible."""

from __future__ import annotations

from pathlib import Path

import pytest
from omegaconf import OmegaConf

from policies.llm.base import LLMError
from policies.llm.registry import make_chat_model
from policies.llm.vllm_server import VLLMServer, start_or_attach_vllm_server
from tests.vllm.conftest import counters_after, metered, server_client, server_token_counters

pytestmark = pytest.mark.vllm

REPO = Path(__file__).resolve().parents[2]
CAPITAL = [{"role": "user", "content": "What is the capital of France?"}]
STORY = [{"role": "user", "content": "Tell me a short story about a robot."}]


def test_greedy_chat_through_the_client(live_server) -> None:
    (reply,) = server_client(live_server).chat(CAPITAL, temperature=0.0, max_tokens=24)
    assert "Paris" in reply.text
    assert reply.model == "smollm2" and reply.usage.prompt_tokens > 0 and reply.usage.completion_tokens > 0


def test_native_n_returns_distinct_samples_in_one_request(live_server) -> None:
    client = server_client(live_server)
    replies = client.chat(STORY, n=4, temperature=1.0, max_tokens=16, seed=5)
    assert len(replies) == 4 and len({r.text for r in replies}) >= 3
    assert client.native_n  # vLLM honours n: no fallback to repeated calls


def test_usage_reported_by_vllm_equals_what_the_accountant_records(live_server) -> None:
    model, accountant = metered(server_client(live_server))
    before = server_token_counters(live_server)
    model.chat(CAPITAL, max_tokens=12, role="agent")
    middle = counters_after(live_server, before)
    model.chat(STORY, n=3, temperature=1.0, max_tokens=10, seed=1, role="summarizer")
    after = counters_after(live_server, middle)
    costs = accountant.to_dict()["by_role"]
    assert costs["agent"]["prompt_tokens"] == middle[0] - before[0]
    assert costs["agent"]["completion_tokens"] == middle[1] - before[1]
    # with n=3 vLLM runs three sequences on one prompt: its counter counts the prompt thrice
    assert 3 * costs["summarizer"]["prompt_tokens"] == after[0] - middle[0]
    assert costs["summarizer"]["completion_tokens"] == after[1] - middle[1]
    assert accountant.total().prompt_tokens == costs["agent"]["prompt_tokens"] + costs["summarizer"]["prompt_tokens"]


@pytest.mark.parametrize("thinking", [True, False])
def test_thinking_switch_request_shape_is_accepted(live_server, thinking: bool) -> None:
    client = server_client(live_server, enable_thinking=thinking)
    assert client.extra_body == {"chat_template_kwargs": {"enable_thinking": thinking}}
    (reply,) = client.chat(CAPITAL, max_tokens=8)
    assert reply.text and reply.usage.completion_tokens > 0


def test_a_malformed_template_option_is_rejected_clearly(live_server) -> None:
    client = server_client(live_server, extra_body={"chat_template_kwargs": "enable_thinking"})
    with pytest.raises(LLMError, match="rejected the request"):
        client.chat(CAPITAL, max_tokens=8)


def test_server_and_engine_count_tokens_alike(live_server, vllm_engine) -> None:
    client = server_client(live_server)
    text = "def total(xs):\n    return sum(x * 2 for x in xs)  # doubled"
    assert client.count_tokens(text) == vllm_engine.count_tokens(text) > 10


def test_attach_to_a_running_server(live_server) -> None:
    attached = start_or_attach_vllm_server(port=live_server.port, client={"max_retries": 0})
    assert attached.server is None and attached.base_url == live_server.url
    assert attached.context_window == live_server.max_model_len
    assert attached.chat(CAPITAL, max_tokens=4)[0].text
    attached.close()
    assert live_server.running  # closing an attached client leaves the server alone
    with pytest.raises(LLMError, match=r"serves \['smollm2'\], not 'qwen'"):
        start_or_attach_vllm_server(attach_url=live_server.url, served_model_name="qwen")
    with pytest.raises(LLMError, match="already serves"):
        start_or_attach_vllm_server(port=live_server.port, served_model_name="qwen")


def test_the_vllm_cpu_policy_config_builds_a_working_client(live_server) -> None:
    cfg = OmegaConf.load(REPO / "conf" / "policy" / "vllm_cpu.yaml")
    cfg.model.attach_url = live_server.url
    model = make_chat_model(cfg.model)
    assert model.name == "smollm2" and model.chat(CAPITAL, max_tokens=4)[0].text
    model.close()


def test_a_server_that_cannot_start_reports_its_log_tail(tmp_path: Path, vllm_module) -> None:
    (tmp_path / "config.json").write_text("{not json")
    server = VLLMServer(str(tmp_path), startup_timeout_s=300)
    with pytest.raises(LLMError) as failure:
        server.start()
    message = str(failure.value)
    assert "exited with code" in message and "its log ends with" in message
    assert "config.json" in message or "JSON" in message  # vLLM's own words about the broken model
    assert not server.running
