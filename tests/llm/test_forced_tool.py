"""A request's forced tool: sent as the server's tool call, constrained where the backend can (issue 22).

Against the real llama.cpp server and the embedded model the arguments follow the schema (llama-cpp
builds a grammar from it); scripted servers show the request body and a server that refuses tools.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policies.llm.base import ChatModel, ChatReply, ChatRequest, LLMError, ToolSpec, Usage
from policies.llm.llama_cpp_embedded import LlamaCppEmbedded
from policies.llm.openai_compatible import OpenAICompatible
from policies.llm.replay import Recording, Replay, request_key
from tests.llm.http_servers import ScriptedChatServer, completion

VERDICT = ToolSpec(
    name="submit_verdict",
    description="Say whether the run failed.",
    parameters={
        "type": "object",
        "properties": {"failed": {"type": "boolean"}, "score": {"type": "number"}},
        "required": ["failed", "score"],
    },
)
#: Asked in prose on purpose: only the schema makes the reply a JSON object with these fields.
MESSAGES = [{"role": "user", "content": "The script printed 'accuracy 0.81' and exited. Tell me how it went."}]


def client(url: str, **options) -> OpenAICompatible:
    return OpenAICompatible("smollm2", base_url=url, timeout_s=120, max_retries=0, **options)


def arguments(reply: ChatReply) -> dict:
    (call,) = reply.extra["tool_calls"]
    assert call["function"]["name"] == VERDICT.name
    return json.loads(call["function"]["arguments"])


@pytest.mark.llm
def test_the_llama_cpp_server_answers_a_forced_tool_with_arguments_that_follow_its_schema(llama_server_url: str):
    reply = client(llama_server_url).chat(MESSAGES, max_tokens=40, tool=VERDICT)[0]
    verdict = arguments(reply)
    assert set(verdict) == {"failed", "score"}
    assert isinstance(verdict["failed"], bool) and isinstance(verdict["score"], int | float)


@pytest.mark.llm
def test_the_embedded_model_answers_a_forced_tool_with_arguments_that_follow_its_schema(smollm2_gguf: Path):
    model = LlamaCppEmbedded(smollm2_gguf, n_threads=1)
    try:
        reply = model.chat(MESSAGES, max_tokens=40, tool=VERDICT)[0]
        plain = model.chat(MESSAGES, max_tokens=8)[0]
    finally:
        model.close()
    verdict = arguments(reply)
    assert set(verdict) == {"failed", "score"} and isinstance(verdict["failed"], bool)
    assert "tool_calls" not in plain.extra and plain.text  # no tool asked: a plain reply, as before


def tool_call_reply(body: dict) -> dict:
    answer = completion(body, [""])
    answer["choices"][0]["message"] = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": VERDICT.name, "arguments": '{"failed": true}'}}
        ],
    }
    return answer


def test_the_tool_is_sent_as_a_forced_tool_call_and_its_call_read_back():
    with ScriptedChatServer(reply=tool_call_reply) as server:
        reply = client(server.url).chat(MESSAGES, max_tokens=20, tool=VERDICT)[0]
        client(server.url).chat(MESSAGES, max_tokens=20)
    body, plain = server.bodies
    assert body["tools"] == [VERDICT.to_dict()]
    assert body["tool_choice"] == {"type": "function", "function": {"name": VERDICT.name}}
    assert "tools" not in plain and "tool_choice" not in plain
    assert reply.text == "" and reply.extra["tool_calls"][0]["function"]["arguments"] == '{"failed": true}'


def test_a_server_that_refuses_tools_is_asked_without_them_from_then_on():
    refusing = ScriptedChatServer(statuses=[400])  # the first request (with the tool) is refused, the rest answered
    with refusing as server:
        model = client(server.url)
        first = model.chat(MESSAGES, max_tokens=20, tool=VERDICT)[0]
        model.chat(MESSAGES, max_tokens=20, tool=VERDICT)
    assert first.text == "ok" and "tool_calls" not in first.extra  # the caller reads the text
    assert ["tools" in body for body in server.bodies] == [True, False, False]
    assert model.tool_calls is False


def test_a_request_refused_with_and_without_the_tool_is_an_error_and_tools_stay_on():
    with ScriptedChatServer(statuses=[400, 400]) as server:
        model = client(server.url)
        with pytest.raises(LLMError, match="rejected the request"):
            model.chat(MESSAGES, max_tokens=20, tool=VERDICT)
    assert model.tool_calls is True and len(server.bodies) == 2


class Calls(ChatModel):
    """Answers a tool with its call, like a constraining backend."""

    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:
        call = {"function": {"name": VERDICT.name, "arguments": '{"failed": false, "score": 1}'}}
        return [ChatReply("", Usage(5, 9), 0.01, role, "tool_calls", "calls", {"tool_calls": [call]})]


def test_replay_keys_the_tool_and_gives_back_the_recorded_call(tmp_path: Path):
    path = tmp_path / "replies.jsonl"
    Recording(Calls(), path).chat(MESSAGES, max_tokens=20, tool=VERDICT)
    replayed = Replay(path).chat(MESSAGES, max_tokens=20, tool=VERDICT)[0]
    assert arguments(replayed) == {"failed": False, "score": 1}
    with pytest.raises(LLMError, match="not in replay file"):
        Replay(path).chat(MESSAGES, max_tokens=20)  # without the tool it is another request
    plain = ChatRequest(messages=tuple(MESSAGES), max_tokens=20)
    assert "tool" not in plain.to_dict()  # recordings made before tools keep their keys
    assert request_key(plain) != request_key(ChatRequest(messages=tuple(MESSAGES), max_tokens=20, tool=VERDICT))
