"""Any OpenAI-compatible chat server: vLLM, OpenAI, llama.cpp server, Ollama.

Retries are our own bounded loop (the client's are off), so the worst-case
time before a clear `LLMError` is known: attempts x timeout + the backoffs.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import openai

from policies.llm.abandon import LineEndWatch, abandon_rule, follow_stream
from policies.llm.base import ChatModel, ChatReply, ChatRequest, LLMError, ModelUnavailable, Usage
from policies.llm.reasoning import split_reasoning
from policies.llm.sampling import repeated_samples, share_call_latency, with_extra

RETRYABLE = (openai.APIConnectionError, openai.InternalServerError, openai.RateLimitError)
#: Statuses by which a server refuses this request's content (too long, malformed): the request's fault,
#: not the server's; every other refusal (unknown model, no access) would refuse any request.
REQUEST_REFUSALS = frozenset({400, 413, 422})
NO_KEY = "EMPTY"  # local servers accept any key; the openai client insists on one
#: The longest a health check waits: one token, so a dead or hanging server must not hold a run for minutes.
HEALTH_CHECK_TIMEOUT_S = 30.0


class OpenAICompatible(ChatModel):
    """A chat model behind an OpenAI-compatible HTTP API.

    n > 1: sent natively; if the server returns fewer choices (llama.cpp's
    server and Ollama ignore `n`), the rest come from repeated calls with
    seeds seed+k, and native n is not tried again. With native n the server
    processes the prompt once: the first reply carries the prompt tokens,
    and the completion total is split across choices by text length.

    A request's `tool` is sent as a forced tool call (`tools` + a named
    `tool_choice`), which vLLM, llama-cpp-python's and llama.cpp's servers
    constrain to the tool's JSON schema. `tool_calls=False` never sends it;
    a server that refuses a request only because of the tool (it accepts the
    same request without) gets no tool for the rest of the run, and the
    caller reads the text.

    A request with an abandon rule (and no tool) is streamed, one sample
    per request, and the stream is closed where the rule fires: the server
    stops generating when its client goes (llama.cpp's and vLLM's do). Its
    usage comes from the stream when the server sends it (`include_usage`),
    else from the server's tokenizer (prompt: messages + 4 tokens each). A
    stream that ends without a finish reason was broken off (llama.cpp's
    server, with its default `interrupt_requests`, ends a stream as soon as
    another request arrives, e.g. another episode's): it is asked again
    without streaming and cut where the rule fires, marked
    `extra["stream_broken_off"]`.
    """

    def __init__(
        self,
        model: str,
        base_url: str = "http://127.0.0.1:8000/v1",
        api_key_env: str = "OPENAI_API_KEY",
        timeout_s: float = 300.0,
        max_retries: int = 3,
        backoff_s: float = 1.0,
        max_backoff_s: float = 30.0,
        max_concurrency: int = 8,
        enable_thinking: bool | None = None,
        native_n: bool = True,
        context_window: int = 8192,
        server_tokenizer: bool = True,
        extra_body: Mapping[str, Any] | None = None,
        tool_calls: bool = True,
    ) -> None:
        if max_retries < 0 or max_concurrency < 1 or timeout_s <= 0:
            raise ValueError(
                f"need max_retries >= 0, max_concurrency >= 1, timeout_s > 0; got "
                f"{max_retries}, {max_concurrency}, {timeout_s}"
            )
        self.name = model
        self.base_url = base_url.rstrip("/")
        self.location = self.base_url
        self.api_key_env = api_key_env
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.context_window = context_window
        self.native_n = native_n
        self.tool_calls = tool_calls
        self.extra_body = dict(extra_body or {})
        if enable_thinking is not None:
            self.extra_body["chat_template_kwargs"] = {"enable_thinking": enable_thinking}
        self._slots = threading.BoundedSemaphore(max_concurrency)
        self._client = openai.OpenAI(
            base_url=self.base_url,
            api_key=os.environ.get(api_key_env) or NO_KEY,
            timeout=timeout_s,
            max_retries=0,
        )
        self._tokenizer = _ServerTokenizer(self.base_url, model, timeout_s) if server_tokenizer else None

    def retry_budget_s(self) -> float:
        """Longest time a call can take before giving up: timeouts plus backoffs."""
        attempts = self.max_retries + 1
        return attempts * self.timeout_s + sum(self._backoff(k) for k in range(self.max_retries))

    def _backoff(self, retry: int) -> float:
        return min(self.backoff_s * 2**retry, self.max_backoff_s)

    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:
        started = time.perf_counter()
        if request.abandon is not None and request.tool is None:
            replies = repeated_samples(request, lambda r: self._streamed(r, role))
        elif request.n > 1 and self.native_n:
            replies = self._native_samples(request, role)
            if len(replies) < request.n:
                self.native_n = False  # the server ignores n: stop asking
                replies += repeated_samples(request, lambda r: self._one(r, role), first_index=len(replies))
        else:
            replies = repeated_samples(request, lambda r: self._one(r, role))
        return share_call_latency(replies, time.perf_counter() - started)

    def _one(self, request: ChatRequest, role: str) -> ChatReply:
        return self._native_samples(request, role)[0]

    def _native_samples(self, request: ChatRequest, role: str) -> list[ChatReply]:
        started = time.perf_counter()
        response = self._create(request)
        latency = time.perf_counter() - started
        choices = sorted(response.choices or [], key=lambda c: c.index)[: request.n]
        if not choices:
            raise ModelUnavailable(f"{self.base_url} answered with no choices (model {self.name!r})")
        texts = [choice.message.content or "" for choice in choices]
        usage = response.usage
        completion = _split_by_length(usage.completion_tokens if usage else 0, texts)
        replies = []
        for i, (choice, text) in enumerate(zip(choices, texts, strict=True)):
            answer, reasoning = split_reasoning(text, _server_reasoning(choice.message))
            extra: dict[str, Any] = {"reasoning": reasoning} if reasoning else {}
            calls = _tool_calls(choice.message)
            if calls:
                extra["tool_calls"] = calls
            replies.append(
                ChatReply(
                    text=answer,
                    usage=Usage(usage.prompt_tokens if usage and i == 0 else 0, completion[i]),
                    latency_s=latency,
                    role=role,
                    finish_reason=choice.finish_reason,
                    model=response.model or self.name,
                    extra=extra,
                )
            )
        return replies

    def _streamed(self, request: ChatRequest, role: str) -> ChatReply:
        """One sample, streamed, and closed as soon as the request's abandon rule fires."""
        assert request.abandon is not None
        started = time.perf_counter()
        watch = LineEndWatch(abandon_rule(request.abandon))
        with self._slots:  # held while the reply streams in, not only while the request is sent
            stream = self._send(
                {**self._arguments(request), "stream": True, "stream_options": {"include_usage": True}}, slot=False
            )
            finish, usage, model = self._read_stream(stream, watch)
        if finish is None:  # broken off without a reason: llama.cpp's server ends a stream when another request comes
            return with_extra(self._one(request, role), stream_broken_off=True)  # chat() cuts it where due
        answer, reasoning = split_reasoning(watch.kept, None)
        if usage is None:  # llama.cpp's server sends no usage in a stream
            usage = Usage(self.count_message_tokens(request.messages), self.count_tokens(watch.text))
        return ChatReply(
            text=answer,
            usage=Usage(usage.prompt_tokens, usage.completion_tokens),
            latency_s=time.perf_counter() - started,
            role=role,
            finish_reason=finish,
            model=model,
            extra={"reasoning": reasoning} if reasoning else {},
            judged_by=request.abandon,
        )

    def _read_stream(self, stream: Any, watch: LineEndWatch) -> tuple[str | None, Any, str]:
        """(finish reason, the stream's usage if it sent one, model name), feeding the text to `watch`."""
        seen: dict[str, Any] = {"usage": None, "model": self.name}
        try:
            finish = follow_stream(self._pieces(stream, seen), watch)
        finally:
            stream.close()  # the server stops generating when its client goes
        return finish, seen["usage"], seen["model"]

    def _pieces(self, stream: Any, seen: dict[str, Any]) -> Iterator[tuple[str | None, str | None]]:
        """Each streamed choice's (content, finish reason); notes the usage and model name in `seen`."""
        try:
            for chunk in stream:
                seen["model"], seen["usage"] = chunk.model or seen["model"], chunk.usage or seen["usage"]
                for choice in chunk.choices or ():
                    yield (choice.delta.content if choice.delta is not None else None), choice.finish_reason
        except Exception as error:  # noqa: BLE001 - the transport's own errors (httpx or httpx2, by openai version)
            raise ModelUnavailable(
                f"{self.base_url} broke off a streamed reply: {type(error).__name__}: {error}"
            ) from error

    def _create(self, request: ChatRequest) -> Any:
        """One completion; a request refused only for its forced tool is sent again without it."""
        if request.tool is None or not self.tool_calls:
            return self._send(self._arguments(request))
        try:
            return self._send(
                {**self._arguments(request), "tools": [request.tool.to_dict()], "tool_choice": request.tool.choice()}
            )
        except LLMError as refused:
            if isinstance(refused, ModelUnavailable):
                raise
            response = self._send(self._arguments(request))  # refused too: the tool was not the problem
            self.tool_calls = False
            return response

    def _arguments(self, request: ChatRequest) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "model": self.name,
            "messages": [{**m, "content": _sendable(m["content"])} for m in request.messages],
            "n": request.n,
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
        }
        if request.stop:
            kwargs["stop"] = list(request.stop)
        if request.seed is not None:
            kwargs["seed"] = request.seed
        if self.extra_body:
            kwargs["extra_body"] = self.extra_body
        return kwargs

    def _send(self, kwargs: dict[str, Any], slot: bool = True) -> Any:
        """One HTTP call, retried on connection errors, 429 and 5xx with backoff; `slot=False` when the caller
        holds a concurrency slot already."""
        last_error: Exception | None = None
        for attempt in range(self.max_retries + 1):
            if attempt:
                time.sleep(self._backoff(attempt - 1))
            try:
                if not slot:
                    return self._client.chat.completions.create(**kwargs)
                with self._slots:
                    return self._client.chat.completions.create(**kwargs)
            except RETRYABLE as error:
                last_error = error
            except openai.AuthenticationError as error:
                raise ModelUnavailable(
                    f"{self.base_url} refused the API key (set it in ${self.api_key_env}): {error}"
                ) from error
            except openai.APIStatusError as error:
                refused = LLMError if error.status_code in REQUEST_REFUSALS else ModelUnavailable
                raise refused(f"{self.base_url} rejected the request: {error}") from error
            except ValueError as error:  # a 200 whose body is not JSON (json or unicode decoding failed in the client)
                raise ModelUnavailable(
                    f"{self.base_url} answered with a body that is not valid JSON: {type(error).__name__}: {error}"
                ) from error
        raise ModelUnavailable(
            f"LLM server {self.base_url} unreachable or failing after {self.max_retries + 1} "
            f"attempts: {type(last_error).__name__}: {last_error}"
        ) from last_error

    def _tiny_request(self) -> None:
        """One 1-token request, not retried, bounded by HEALTH_CHECK_TIMEOUT_S."""
        client = self._client.with_options(timeout=min(self.timeout_s, HEALTH_CHECK_TIMEOUT_S), max_retries=0)
        kwargs: dict[str, Any] = {"model": self.name, "messages": [{"role": "user", "content": "Say OK."}]}
        if self.extra_body:
            kwargs["extra_body"] = self.extra_body
        client.chat.completions.create(max_tokens=1, **kwargs)

    def count_tokens(self, text: str) -> int:
        """The server's tokenizer when it has a tokenize endpoint, else the estimate."""
        if self._tokenizer is not None:
            count = self._tokenizer.count(text)
            if count is not None:
                return count
        return super().count_tokens(text)

    def close(self) -> None:
        self._client.close()


def _tool_calls(message: Any) -> list[dict[str, Any]]:
    """The message's tool calls as plain dicts (OpenAI's shape), arguments left as the server's JSON text."""
    return [
        {"function": {"name": call.function.name, "arguments": call.function.arguments}}
        for call in getattr(message, "tool_calls", None) or ()
        if getattr(call, "function", None) is not None
    ]


def _server_reasoning(message: Any) -> str | None:
    """Reasoning a server's parser split off (vLLM: `reasoning_content`, newer: `reasoning`)."""
    return getattr(message, "reasoning_content", None) or getattr(message, "reasoning", None)


def _split_by_length(total: int, texts: list[str]) -> list[int]:
    """Split a completion-token total across choices in proportion to their length."""
    if len(texts) == 1:
        return [total]
    lengths = [max(len(t), 1) for t in texts]
    shares = [total * n // sum(lengths) for n in lengths]
    shares[-1] += total - sum(shares)
    return shares


class _ServerTokenizer:
    """Counts tokens through the server's tokenize endpoint, found on first use.

    vLLM: POST /tokenize {"model", "prompt"}; llama.cpp's server:
    POST /tokenize {"content"}; llama-cpp-python's server:
    POST /extras/tokenize {"input"}. A candidate is chosen when it counts a
    probe text as more than zero tokens. If the server answers but none
    works, counting falls back to the estimate for the rest of the run; if
    the server is down, this call falls back and the next one probes again.
    """

    PROBE = "Count these tokens, please."

    def __init__(self, base_url: str, model: str, timeout_s: float) -> None:
        root = base_url[: -len("/v1")] if base_url.endswith("/v1") else base_url
        self._candidates: list[tuple[str, Callable[[str], dict]]] = [
            (f"{root}/tokenize", lambda text: {"model": model, "prompt": text, "add_special_tokens": False}),
            (f"{root}/tokenize", lambda text: {"content": text, "add_special": False}),
            (f"{root}/extras/tokenize", lambda text: {"input": text}),
        ]
        self._timeout_s = min(timeout_s, 30.0)
        self._chosen: tuple[str, Callable[[str], dict]] | None = None
        self._unsupported = False

    def count(self, text: str) -> int | None:
        if self._unsupported:
            return None
        if self._chosen is None:
            self._chosen = self._probe()
            if self._chosen is None:
                return None
        count = self._post(*self._chosen, text)
        return count if isinstance(count, int) else None

    def _probe(self) -> tuple[str, Callable[[str], dict]] | None:
        for url, body in self._candidates:
            count = self._post(url, body, self.PROBE)
            if count == _DOWN:
                return None
            if isinstance(count, int) and count > 0:
                return url, body
        self._unsupported = True
        return None

    def _post(self, url: str, body: Callable[[str], dict], text: str) -> int | str:
        request = urllib.request.Request(
            url, data=json.dumps(body(text)).encode(), headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout_s) as response:
                payload = json.load(response)
        except urllib.error.HTTPError:
            return _UNSUPPORTED
        except (urllib.error.URLError, OSError):
            return _DOWN
        except ValueError:
            return _UNSUPPORTED
        tokens = payload.get("tokens") if isinstance(payload, dict) else None
        return len(tokens) if isinstance(tokens, list) else _UNSUPPORTED


_DOWN, _UNSUPPORTED = "down", "unsupported"


def _sendable(text: str) -> str:
    """`text` as a request can carry it: a lone surrogate (a reply's JSON escape, decoded, then put back into a
    wrapper's prompt) becomes '?'. UTF-8 cannot encode it, so httpx refused the whole request, and the error,
    read as an undecodable answer, blamed the server (ModelUnavailable)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text
