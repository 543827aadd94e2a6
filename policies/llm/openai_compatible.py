"""Any OpenAI-compatible chat server: vLLM, OpenAI, llama.cpp server, Ollama.

Retries are our own bounded loop (the client's are off), so the worst-case
time before a clear `LLMError` is known: attempts x timeout + the backoffs.
The server is not trusted: each exchange is bounded in time and bytes
(`policies.llm.http_limits`) and its JSON is checked before it is read
(`policies.llm.reply_json`), so whatever it sends ends as a `ModelUnavailable`
naming the problem.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack
from typing import Any, TypeVar

import openai

from policies.llm import reply_json
from policies.llm.abandon import LineEndWatch, abandon_rule, follow_stream
from policies.llm.base import ChatModel, ChatReply, ChatRequest, LLMError, ModelUnavailable, Usage, visible
from policies.llm.http_limits import AnswerRefused, ExchangeOverdue, HttpLimits, bounded_http_client
from policies.llm.reasoning import split_reasoning
from policies.llm.reply_json import Answer, NotAReply
from policies.llm.sampling import repeated_samples, share_call_latency, with_extra

T = TypeVar("T")

#: Retried with backoff (a Retry-After header is not read: the backoff is ours, bounded by max_backoff_s).
RETRYABLE = (openai.APIConnectionError, openai.InternalServerError, openai.RateLimitError, ExchangeOverdue)
#: Statuses by which a server refuses this request's content (too long, malformed): the request's fault,
#: not the server's; every other refusal (unknown model, no access) would refuse any request.
REQUEST_REFUSALS = frozenset({400, 413, 422})
#: Characters of a server's refusal kept in our error: it may send megabytes of text as its message.
MESSAGE_CHARS = 2000
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

    `timeout_s` bounds each HTTP exchange whole, from connecting to the last
    byte of the answer (a stream's too), and `max_response_mb` what one answer
    may send; redirects are not followed and compressed answers are refused.
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
        max_response_mb: float = 16.0,
    ) -> None:
        if max_retries < 0 or max_concurrency < 1 or timeout_s <= 0 or max_response_mb <= 0:
            raise ValueError(
                f"need max_retries >= 0, max_concurrency >= 1, timeout_s > 0, max_response_mb > 0; got "
                f"{max_retries}, {max_concurrency}, {timeout_s}, {max_response_mb}"
            )
        self.name = model
        self.base_url = base_url.rstrip("/")
        self.location = self.base_url
        self.api_key_env = api_key_env
        self.timeout_s = timeout_s
        self.max_response_bytes = int(max_response_mb * 2**20)
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
        self._limits = HttpLimits()
        http = bounded_http_client(self._limits)
        self._client = openai.OpenAI(
            base_url=self.base_url,
            api_key=os.environ.get(api_key_env) or NO_KEY,
            timeout=timeout_s,
            max_retries=0,
            http_client=http,
        )
        self._tokenizer = _ServerTokenizer(self, http) if server_tokenizer else None

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
        choices = response.choices[: request.n]
        if not choices:
            raise ModelUnavailable(f"{self.base_url} answered with no choices (model {self.name!r})")
        texts = [choice.text or "" for choice in choices]
        usage = response.usage
        completion = _split_by_length(usage.completion_tokens if usage else 0, texts)
        replies = []
        for i, (choice, text) in enumerate(zip(choices, texts, strict=True)):
            answer, reasoning = split_reasoning(text, choice.reasoning)
            extra: dict[str, Any] = {"reasoning": reasoning} if reasoning else {}
            if choice.tool_calls:
                extra["tool_calls"] = choice.tool_calls
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
            arguments = {**self._arguments(request), "stream": True, "stream_options": {"include_usage": True}}
            exchange, response = self._retrying(lambda: self._open_stream(arguments), slot=False)
            with exchange:  # closing the response makes the server stop generating
                finish, usage, model = self._read_stream(response, watch)
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

    def _open_stream(self, arguments: dict[str, Any]) -> tuple[ExitStack, Any]:
        """One attempt at a streamed request: (what closes the response and its exchange, the response), its
        status read; the body is read under the same exchange (timeout_s for the whole stream)."""
        with ExitStack() as stack:
            stack.enter_context(self._limits.exchange(self.base_url, self.timeout_s, self.max_response_bytes))
            response = stack.enter_context(self._client.chat.completions.with_streaming_response.create(**arguments))
            return stack.pop_all(), response

    def _read_stream(self, response: Any, watch: LineEndWatch) -> tuple[str | None, Usage | None, str]:
        """(finish reason, the stream's usage if it sent one, model name), feeding the text to `watch`."""
        seen: dict[str, Any] = {"usage": None, "model": self.name}
        finish = follow_stream(self._pieces(response, seen), watch)
        return finish, seen["usage"], seen["model"]

    def _pieces(self, response: Any, seen: dict[str, Any]) -> Iterator[tuple[str | None, str | None]]:
        """Each streamed choice's (content, finish reason); notes the usage and model name in `seen`."""
        for data in _sse_data(self._bytes(response)):
            if data.strip() == b"[DONE]":
                return
            try:
                chunk = reply_json.chunk(reply_json.decode(data))
            except NotAReply as problem:
                raise ModelUnavailable(f"{self.base_url} streamed {problem}") from None
            seen["model"], seen["usage"] = chunk.model or seen["model"], chunk.usage or seen["usage"]
            for choice in chunk.choices:
                yield choice.text, choice.finish_reason

    def _bytes(self, response: Any) -> Iterator[bytes]:
        """The streamed body, its transport's errors (httpx or httpx2, by openai version) named as the server's."""
        try:
            yield from response.http_response.iter_bytes()
        except LLMError:
            raise
        except Exception as error:  # noqa: BLE001 - see above
            raise ModelUnavailable(
                f"{self.base_url} broke off a streamed reply: {type(error).__name__}: {error}"
            ) from error

    def _create(self, request: ChatRequest) -> Answer:
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

    def _send(self, kwargs: dict[str, Any]) -> Answer:
        """One completion, its JSON checked (not retried: the same request gets the same answer)."""

        def attempt() -> bytes:
            with self._limits.exchange(self.base_url, self.timeout_s, self.max_response_bytes):
                return self._client.chat.completions.with_raw_response.create(**kwargs).http_response.content

        try:
            return reply_json.completion(reply_json.decode(self._retrying(attempt)))
        except NotAReply as problem:
            raise ModelUnavailable(f"{self.base_url} answered with {problem}") from None

    def _retrying(self, attempt: Callable[[], T], slot: bool = True) -> T:
        """`attempt()`, retried on connection errors, timeouts, 429 and 5xx with backoff; `slot=False` when the
        caller holds a concurrency slot already."""
        last_error: Exception | None = None
        for number in range(self.max_retries + 1):
            if number:
                time.sleep(self._backoff(number - 1))
            try:
                if not slot:
                    return attempt()
                with self._slots:
                    return attempt()
            except RETRYABLE as error:
                last_error = error
            except openai.AuthenticationError as error:
                raise ModelUnavailable(
                    f"{self.base_url} refused the API key (set it in ${self.api_key_env}): {server_text(error)}"
                ) from error
            except openai.APIStatusError as error:
                raise _refusal(self.base_url, error) from error
        raise ModelUnavailable(
            f"LLM server {self.base_url} unreachable or failing after {self.max_retries + 1} "
            f"attempts: {type(last_error).__name__}: {server_text(last_error)}"
        ) from last_error

    def _tiny_request(self) -> None:
        """One 1-token request, not retried, bounded by HEALTH_CHECK_TIMEOUT_S; its answer must be one the
        episodes' requests could read (else a server answering garbage to everything passed the check, and
        every episode was scored as the agent's failure)."""
        timeout = min(self.timeout_s, HEALTH_CHECK_TIMEOUT_S)
        client = self._client.with_options(timeout=timeout, max_retries=0)
        kwargs: dict[str, Any] = {"model": self.name, "messages": [{"role": "user", "content": "Say OK."}]}
        if self.extra_body:
            kwargs["extra_body"] = self.extra_body
        with self._limits.exchange(self.base_url, timeout, self.max_response_bytes):
            body = client.chat.completions.with_raw_response.create(max_tokens=1, **kwargs).http_response.content
        if not reply_json.completion(reply_json.decode(body)).choices:
            raise NotAReply("no choices")

    def count_tokens(self, text: str) -> int:
        """The server's tokenizer when it has a tokenize endpoint, else the estimate."""
        if self._tokenizer is not None:
            count = self._tokenizer.count(text)
            if count is not None:
                return count
        return super().count_tokens(text)

    def close(self) -> None:
        self._client.close()


def _refusal(url: str, error: Any) -> LLMError:
    """The error for a status the server answered with: the request's fault (REQUEST_REFUSALS) or the server's.
    A redirect is not followed: the server would make us send the request to any host it names."""
    if 300 <= error.status_code < 400:
        where = str(error.response.headers.get("location", ""))[:200]
        return ModelUnavailable(
            f"{url} redirected the request (HTTP {error.status_code}) to {where!r}; redirects are not followed: "
            "set base_url to the server's own address"
        )
    refused = LLMError if error.status_code in REQUEST_REFUSALS else ModelUnavailable
    return refused(f"{url} rejected the request: {server_text(error)}")


def server_text(error: BaseException | None) -> str:
    """An error quoting the server's message: MESSAGE_CHARS of it, as visible characters (`visible`)."""
    return visible(str(error)[:MESSAGE_CHARS])


def _sse_data(body: Iterable[bytes]) -> Iterator[bytes]:
    """The data of each server-sent event in `body` (its `data:` lines joined). Lines end at LF or CRLF only,
    split as bytes: a JSON string may hold U+2028, which a text line splitter cuts at."""
    data: list[bytes] = []
    for line in _lines(body):
        line = line.removesuffix(b"\r")
        if not line:
            if data:
                yield b"\n".join(data)
            data = []
        elif line.startswith(b"data:"):
            data.append(line[5:].removeprefix(b" "))
    if data:
        yield b"\n".join(data)


def _lines(body: Iterable[bytes]) -> Iterator[bytes]:
    """`body`'s lines, the last one even without a newline; a long line is joined once, not piece by piece."""
    pending: list[bytes] = []
    for piece in body:
        if b"\n" not in piece:
            pending.append(piece)
            continue
        first, *rest = piece.split(b"\n")
        yield b"".join([*pending, first])
        yield from rest[:-1]
        pending = [rest[-1]]
    if any(pending):
        yield b"".join(pending)


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

    def __init__(self, model: OpenAICompatible, http: Any) -> None:
        base_url, name = model.base_url, model.name
        root = base_url[: -len("/v1")] if base_url.endswith("/v1") else base_url
        self._candidates: list[tuple[str, Callable[[str], dict]]] = [
            (f"{root}/tokenize", lambda text: {"model": name, "prompt": text, "add_special_tokens": False}),
            (f"{root}/tokenize", lambda text: {"content": text, "add_special": False}),
            (f"{root}/extras/tokenize", lambda text: {"input": text}),
        ]
        self._model = model
        self._http = http  # the model's bounded client: the same limits on time, bytes and redirects
        self._timeout_s = min(model.timeout_s, 30.0)
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
        try:
            with self._model._limits.exchange(url, self._timeout_s, self._model.max_response_bytes):
                response = self._http.post(url, json=body(text), timeout=self._timeout_s)
        except AnswerRefused:  # too large or compressed: it would answer the same again
            return _UNSUPPORTED
        except Exception:  # noqa: BLE001 - down, timed out, overdue: the transport's errors (httpx or httpx2)
            return _DOWN
        if response.status_code != 200:
            return _UNSUPPORTED
        try:
            payload = reply_json.decode(response.content)
        except NotAReply:
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
