"""Configuration errors of the vLLM backends surface before anything is started (no vllm needed)."""

from __future__ import annotations

import pytest
from omegaconf import OmegaConf

from policies.llm.base import LLMError
from policies.llm.registry import make_chat_model
from policies.llm.vllm_env import vllm_environment
from tests.vllm.test_server import REPO


@pytest.mark.parametrize(
    ("cfg", "message"),
    [
        (
            {"backend": "vllm_server", "bogus": 1},
            r"unknown vLLM server option\(s\) \['bogus'\]; accepted: .*max_model_len",
        ),
        (
            {"backend": "vllm_server", "client": {"retries": 1}},
            r"unknown vLLM client option\(s\) \['retries'\]; accepted: .*max_retries",
        ),
        ({"backend": "vllm_offline", "max_len": 1}, r"got unknown option\(s\) \['max_len'\]"),
        ({"backend": "vllm_offline", "max_model_len": 8}, "max_model_len must be >= 16"),
    ],
)
def test_bad_options_are_named(cfg: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_chat_model(cfg)


@pytest.mark.parametrize("config", ["vllm_cpu", "vllm_offline"])
def test_the_shipped_configs_are_accepted(config: str) -> None:
    model_cfg = OmegaConf.load(REPO / "conf" / "policy" / f"{config}.yaml").model
    if config == "vllm_cpu":
        model_cfg.attach_url = "http://127.0.0.1:9/v1"  # nothing listens on the discard port
        with pytest.raises(LLMError, match="no OpenAI-compatible server answers at http://127.0.0.1:9/v1"):
            make_chat_model(model_cfg)
    else:
        engine = make_chat_model(model_cfg)  # built lazily: no vllm needed yet
        assert (engine.name, engine.context_window) == ("smollm2", 2048)


def test_vllm_environment_keeps_loopback_and_what_the_user_set() -> None:
    env = vllm_environment(1, {"VLLM_CPU_KVCACHE_SPACE": "4"}, model=None)
    assert env["VLLM_HOST_IP"] == "127.0.0.1" and env["VLLM_NO_USAGE_STATS"] == "1" and env["HF_HUB_OFFLINE"] == "1"
    assert "VLLM_CPU_KVCACHE_SPACE" not in env  # the user's 4 GiB stays
    assert "HF_HUB_OFFLINE" not in vllm_environment(None, {}, model="Qwen/Qwen3-8B")  # a hub id may download
