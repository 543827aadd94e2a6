"""Record with the real embedded model, then replay without it."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from policies.llm.base import ChatModel, ChatReply, ChatRequest, LLMError, Usage
from policies.llm.llama_cpp_embedded import LlamaCppEmbedded
from policies.llm.replay import Recording, Replay, request_key

REQUESTS = [
    ([{"role": "user", "content": "Say hello."}], {"max_tokens": 6}),
    ([{"role": "user", "content": "Count to three."}], {"max_tokens": 6, "seed": 1}),
    ([{"role": "user", "content": "Name a fruit."}], {"max_tokens": 6, "n": 2, "temperature": 1.0, "seed": 9}),
]


class CallCounter(ChatModel):
    """Passes calls to a real model and counts them."""

    def __init__(self, model: ChatModel) -> None:
        self.model, self.calls = model, 0
        self.name, self.context_window = model.name, model.context_window

    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:
        self.calls += 1
        return self.model._chat(request, role)


@pytest.fixture(scope="module")
def embedded(smollm2_gguf: Path) -> LlamaCppEmbedded:
    return LlamaCppEmbedded(smollm2_gguf, n_threads=1)


@pytest.fixture
def recorded(tmp_path: Path, embedded: LlamaCppEmbedded) -> tuple[Path, list[list[ChatReply]]]:
    path = tmp_path / "replies.jsonl"
    recorder = Recording(embedded, path)
    return path, [recorder.chat(messages, **options) for messages, options in REQUESTS]


@pytest.mark.llm
def test_replay_gives_identical_replies_without_any_model(recorded) -> None:
    path, originals = recorded
    replay = Replay(path)  # no model at all behind it
    assert len(replay) == len(REQUESTS)
    for (messages, options), original in zip(REQUESTS, originals, strict=True):
        replayed = replay.chat(messages, **options)
        assert [r.text for r in replayed] == [r.text for r in original]
        assert [r.usage for r in replayed] == [r.usage for r in original]
        assert all(r.extra["replayed"] for r in replayed)
    assert replay.misses == 0


@pytest.mark.llm
def test_replay_answers_any_role(recorded) -> None:
    path, originals = recorded
    reply = Replay(path).chat(REQUESTS[0][0], role="summarizer", **REQUESTS[0][1])[0]
    assert reply.role == "summarizer" and reply.text == originals[0][0].text


@pytest.mark.llm
def test_unknown_request_is_a_clear_error(recorded) -> None:
    path, _ = recorded
    with pytest.raises(LLMError) as error:
        Replay(path).chat([{"role": "user", "content": "Something never asked."}], max_tokens=6)
    assert str(path) in str(error.value)
    assert "Something never asked." in str(error.value)


@pytest.mark.llm
def test_misses_fall_through_to_a_live_model_and_get_recorded(recorded, embedded) -> None:
    path, _ = recorded
    live = CallCounter(embedded)
    replay = Replay(path, fallback=live)
    for messages, options in REQUESTS:
        replay.chat(messages, **options)
    assert live.calls == 0
    new = [{"role": "user", "content": "Name a colour."}]
    answer = replay.chat(new, max_tokens=6)
    assert live.calls == 1 and replay.misses == 1
    # the next replay knows it, with no model behind it
    assert Replay(path).chat(new, max_tokens=6)[0].text == answer[0].text


def test_the_key_ignores_the_role_but_not_the_sampling() -> None:
    base = ChatRequest(messages=({"role": "user", "content": "x"},), max_tokens=5)
    assert request_key(base) == request_key(ChatRequest(messages=({"role": "user", "content": "x"},), max_tokens=5))
    for changed in (
        ChatRequest(messages=base.messages, max_tokens=6),
        ChatRequest(messages=base.messages, max_tokens=5, seed=1),
        ChatRequest(messages=base.messages, max_tokens=5, temperature=0.5),
        ChatRequest(messages=base.messages, max_tokens=5, stop=("\n",)),
        ChatRequest(messages=({"role": "system", "content": "x"},), max_tokens=5),
    ):
        assert request_key(changed) != request_key(base)


class Fixed(ChatModel):
    """Answers each request with a numbered text (a scripted model)."""

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:
        with self._lock:
            self.calls += 1
            return [ChatReply(f"answer {self.calls}", Usage(3, 2), 0.01, role) for _ in range(request.n)]


def test_a_request_recorded_twice_replays_in_order_then_repeats_the_last(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    recorder = Recording(Fixed(), path)
    messages = [{"role": "user", "content": "roll a die"}]
    recorder.chat(messages, temperature=1.0)
    recorder.chat(messages, temperature=1.0)
    replay = Replay(path)
    texts = [replay.chat(messages, temperature=1.0)[0].text for _ in range(3)]
    assert texts == ["answer 1", "answer 2", "answer 2"]


def test_concurrent_recording_writes_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    recorder = Recording(Fixed(), path)

    def ask(worker: int) -> None:
        for i in range(25):
            recorder.chat([{"role": "user", "content": f"{worker}-{i}"}])

    threads = [threading.Thread(target=ask, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = path.read_text().splitlines()
    assert len(lines) == 100
    assert all(json.loads(line)["replies"] for line in lines)
    assert len(Replay(path)) == 100


def test_a_torn_last_line_is_skipped_but_a_corrupt_middle_line_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    Recording(Fixed(), path).chat([{"role": "user", "content": "a"}])
    with path.open("a") as handle:
        handle.write('{"key": "abc", "repl')  # a recorder killed mid-write
    assert len(Replay(path)) == 1
    with path.open("a") as handle:
        handle.write("\n" + path.read_text().splitlines()[0] + "\n")
    with pytest.raises(LLMError, match=r"r\.jsonl:2"):
        Replay(path)


def test_missing_file_without_fallback_says_how_to_record(tmp_path: Path) -> None:
    with pytest.raises(LLMError, match="does not exist.*record_to"):
        Replay(tmp_path / "none.jsonl")


@pytest.mark.llm
def test_token_counter_makes_replay_count_like_the_recorded_model(tmp_path: Path, embedded) -> None:
    path = tmp_path / "r.jsonl"
    Recording(Fixed(), path).chat([{"role": "user", "content": "a"}])
    text = "1234567890" * 10
    assert Replay(path).count_tokens(text) == 25  # the estimate
    counted = Replay(path, token_counter=embedded)
    assert counted.count_tokens(text) == embedded.count_tokens(text) == 100
    assert counted.context_window == embedded.context_window


def test_a_replay_has_the_recorded_models_context_window(tmp_path: Path) -> None:
    """A long prompt that fitted the recorded model fits its replay (and is refused where it did not fit)."""
    path = tmp_path / "r.jsonl"
    long_context = Fixed()
    long_context.context_window = 32_768
    long_prompt = [{"role": "user", "content": "word " * 6_000}]  # ~6,000 tokens: over the 2,048 default
    text = Recording(long_context, path).chat(long_prompt)[0].text
    replay = Replay(path)
    assert replay.context_window == 32_768 and replay.chat(long_prompt)[0].text == text
    line = json.loads(path.read_text().splitlines()[0])
    assert line["context_window"] == 32_768
