"""make_chat_model and the policy configs in conf/policy/."""

from __future__ import annotations

from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from harness.demo import register_resolver
from policies.llm.llama_cpp_embedded import LlamaCppEmbedded
from policies.llm.openai_compatible import OpenAICompatible
from policies.llm.registry import BACKENDS, make_chat_model
from policies.llm.replay import Recording, Replay

CONF = Path(__file__).resolve().parents[2] / "conf"
LLM_POLICIES = sorted(p.stem for p in (CONF / "policy").glob("*.yaml") if "kind: llm" in p.read_text())


def policy_config(name: str, *overrides: str):
    register_resolver()  # as train_free_eval.py does: conf/policy/demo.yaml finds its recording with it
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        return compose(overrides=[f"+policy={name}", *overrides]).policy


def test_unknown_backend_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError) as error:
        make_chat_model({"backend": "gpt5_local"})
    message = str(error.value)
    assert "'gpt5_local'" in message
    assert all(name in message for name in BACKENDS)
    with pytest.raises(ValueError, match="valid backends"):
        make_chat_model({"model": "no backend key"})


def test_unknown_option_is_named_with_the_accepted_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown option\(s\) \['contxt_window'\].*context_window"):
        make_chat_model({"backend": "llama_cpp", "contxt_window": 4096})


def test_a_backend_whose_module_is_missing_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(BACKENDS, "ghost", "policies.llm.no_such_module:Ghost")
    with pytest.raises(ImportError, match=r"'ghost' needs policies\.llm\.no_such_module.*pip install"):
        make_chat_model({"backend": "ghost"})


def test_record_to_wraps_any_backend(tmp_path: Path) -> None:
    model = make_chat_model({"backend": "openai_compatible", "model": "m", "record_to": str(tmp_path / "r.jsonl")})
    assert isinstance(model, Recording) and isinstance(model.model, OpenAICompatible)
    assert model.model.name == "m" and model.path == tmp_path / "r.jsonl"


def test_replay_config_builds_fallback_and_token_counter(tmp_path: Path) -> None:
    model = make_chat_model(
        {
            "backend": "replay",
            "path": str(tmp_path / "new.jsonl"),
            "fallback": {"backend": "openai_compatible", "model": "m"},
            "token_counter": {"backend": "llama_cpp"},
        }
    )
    assert isinstance(model, Replay) and model.path == tmp_path / "new.jsonl"
    assert isinstance(model.fallback, OpenAICompatible) and model.fallback.name == "m"
    assert isinstance(model.counter, LlamaCppEmbedded)  # counts tokens for the replayed prompts, loaded lazily


@pytest.mark.parametrize("name", LLM_POLICIES)
def test_every_llm_policy_config_builds_its_model(name: str, tmp_path: Path) -> None:
    overrides = [f"policy.model.path={tmp_path / 'r.jsonl'}"] if name == "replay" else []
    if name == "replay":
        (tmp_path / "r.jsonl").write_text("")
    cfg = policy_config(name, *overrides)
    assert cfg.kind == "llm" and cfg.name == name
    assert set(cfg.sampling) >= {"temperature", "max_tokens", "stop", "seed"}
    if cfg.model.backend.startswith("vllm"):
        pytest.skip("vLLM backends start an engine or server when built: tests/vllm builds them")
    model = make_chat_model(cfg.model)  # construction is offline and lazy: nothing is contacted
    configured = cfg.model.get("context_window")
    assert model.context_window == configured if configured else model.context_window > 0


def test_paper_configs_match_the_paper_settings() -> None:
    fp16, awq = policy_config("qwen3_8b_fp16"), policy_config("qwen3_8b_awq")
    assert (fp16.model.model, fp16.model.context_window, fp16.sampling.temperature) == ("Qwen/Qwen3-8B", 12288, 0.0)
    assert (awq.model.model, awq.model.context_window, awq.sampling.temperature) == ("Qwen/Qwen3-8B-AWQ", 32768, 0.0)
    assert awq.model.enable_thinking is False and awq.model.backend == "openai_compatible"


def test_replay_config_without_a_path_says_so() -> None:
    with pytest.raises(ValueError, match="path"):
        make_chat_model(policy_config("replay").model)


def test_plain_dicts_and_omegaconf_nodes_are_both_accepted() -> None:
    node = OmegaConf.create(
        {"limits": {"t": 5}, "model": {"backend": "openai_compatible", "model": "m", "timeout_s": "${limits.t}"}}
    )
    assert make_chat_model(node.model).timeout_s == 5  # interpolation resolved
    assert make_chat_model({"backend": "openai_compatible", "model": "m", "timeout_s": 7}).timeout_s == 7
