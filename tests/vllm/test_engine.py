"""VLLMEngine: the real vllm.LLM offline engine on the CPU with the converted SmolLM2."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from policies.llm.base import LLMError
from tests.vllm.conftest import metered

pytestmark = pytest.mark.vllm

CAPITAL = [{"role": "user", "content": "What is the capital of France?"}]
STORY = [{"role": "user", "content": "Tell me a short story about a robot."}]


def test_greedy_answer_is_sensible(vllm_engine) -> None:
    """float32 weights dequantized from the GGUF give a real answer, not garbage."""
    (reply,) = vllm_engine.chat(CAPITAL, temperature=0.0, max_tokens=24)
    assert "Paris" in reply.text
    assert reply.finish_reason in ("stop", "length") and reply.model == "smollm2"


def test_native_n_gives_distinct_seeded_samples(vllm_engine) -> None:
    replies = vllm_engine.chat(STORY, n=4, temperature=1.0, max_tokens=16, seed=11)
    assert len(replies) == 4
    assert len({r.text for r in replies}) >= 3
    again = vllm_engine.chat(STORY, n=4, temperature=1.0, max_tokens=16, seed=11)
    assert [r.text for r in again] == [r.text for r in replies]  # a seeded request replays
    # one prompt pass: only the first sample carries the prompt tokens
    assert replies[0].usage.prompt_tokens > 0 and all(r.usage.prompt_tokens == 0 for r in replies[1:])
    assert len({r.latency_s for r in replies}) == 1


def test_usage_is_exact_and_the_accountant_records_it(vllm_engine) -> None:
    model, accountant = metered(vllm_engine)
    replies = model.chat(STORY, n=3, temperature=1.0, max_tokens=12, seed=3, role="agent")
    (short,) = model.chat(CAPITAL, max_tokens=5, role="corrector")
    prompt = vllm_engine.count_message_tokens(STORY)
    assert replies[0].usage.prompt_tokens == prompt  # the chat template's own tokenization
    for reply in [*replies, short]:
        if reply.finish_reason == "length":
            assert reply.usage.completion_tokens == (12 if reply in replies else 5)
    costs = accountant.to_dict()["by_role"]
    assert costs["agent"]["prompt_tokens"] == prompt
    assert costs["agent"]["completion_tokens"] == sum(r.usage.completion_tokens for r in replies)
    assert (costs["agent"]["calls"], costs["agent"]["samples"]) == (1, 3)
    assert costs["corrector"]["prompt_tokens"] == vllm_engine.count_message_tokens(CAPITAL)
    assert costs["corrector"]["completion_tokens"] == short.usage.completion_tokens > 0


def test_stop_sequences_end_the_reply(vllm_engine) -> None:
    counting = [{"role": "user", "content": "Count from 1 to 20, separated by commas."}]
    (free,) = vllm_engine.chat(counting, max_tokens=40)
    (stopped,) = vllm_engine.chat(counting, max_tokens=40, stop=["5"])
    assert "5" in free.text and "5" not in stopped.text and stopped.finish_reason == "stop"


def test_count_tokens_uses_the_model_tokenizer(vllm_engine) -> None:
    assert vllm_engine.count_tokens("") == 0
    assert vllm_engine.count_tokens("hello world") == 2
    assert vllm_engine.count_tokens(" ".join(["hello world"] * 50)) == 100


def test_a_prompt_over_the_context_window_is_a_clear_llm_error(vllm_engine) -> None:
    huge = [{"role": "user", "content": "word " * 3000}]
    with pytest.raises(LLMError, match="vLLM engine \\(smollm2\\) failed"):
        vllm_engine.chat(huge, max_tokens=8)
    (reply,) = vllm_engine.chat(CAPITAL, max_tokens=8)  # the engine survives it
    assert reply.text


@pytest.mark.parametrize("thinking", [True, False])
def test_the_thinking_switch_reaches_the_chat_template(vllm_engine, monkeypatch, thinking: bool) -> None:
    monkeypatch.setattr(vllm_engine, "chat_template_kwargs", {"enable_thinking": thinking})
    (reply,) = vllm_engine.chat(CAPITAL, max_tokens=8)
    assert reply.text and reply.usage.prompt_tokens == vllm_engine.count_message_tokens(CAPITAL)


def engine_processes() -> dict[int, Path]:
    """Children of this process started with VLLM_RPC_BASE_PATH (vLLM engine processes), and that folder."""
    found = {}
    for proc in Path("/proc").iterdir():
        try:
            if (
                not proc.name.isdigit()
                or int((proc / "stat").read_bytes().rsplit(b")", 1)[1].split()[1]) != os.getpid()
            ):
                continue
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        for item in environ:
            if item.startswith(b"VLLM_RPC_BASE_PATH="):
                found[int(proc.name)] = Path(item.split(b"=", 1)[1].decode())
    return found


def test_an_engines_sockets_live_in_its_own_folder_and_go_at_close(smollm2_dir) -> None:
    """Its engine process left 7 ZMQ sockets in /tmp per engine; they now go to a folder deleted by close()."""
    from policies.llm.vllm_engine import VLLMEngine

    tmp = Path(tempfile.gettempdir())
    sockets_before, engines_before = {p for p in tmp.iterdir() if p.is_socket()}, engine_processes()
    engine = VLLMEngine(str(smollm2_dir), dtype="float32", enforce_eager=True, served_model_name="smollm2")
    try:
        engine.engine()
        (folder,) = {path for pid, path in engine_processes().items() if pid not in engines_before}
        assert folder.parent == tmp and any(p.is_socket() for p in folder.iterdir())
        assert "VLLM_RPC_BASE_PATH" not in os.environ  # set only while the engine started
    finally:
        engine.close()
    assert not folder.exists()
    assert {p for p in tmp.iterdir() if p.is_socket()} <= sockets_before
