"""Bounds on one HTTP exchange with a model server: its whole time, and the bytes it may send.

httpx's timeouts bound each socket operation, not an exchange: a server that
sends one byte a second never trips a 300 s read timeout, and nothing bounds
what it sends (a 100 MB reply, a chunked body that never ends, a gzip bomb
that inflates 2 MB into 2 GB). `bounded_http_client` makes the client the
OpenAI SDK uses with three changes: every connect, read and write of the
exchange open on the calling thread (`HttpLimits.exchange`) gets only the time
left before its deadline, and the bytes read are counted against a cap;
compressed answers are refused (it asks for none, so the bytes counted are
the bytes kept); redirects are not followed (a server would make us send the
request, prompts and all, to any host it names).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import openai

from policies.llm.base import ModelUnavailable


class ExchangeOverdue(ModelUnavailable):
    """The server did not finish within the exchange's time: retried like a timeout."""


class AnswerRefused(ModelUnavailable):
    """An answer the client will not read (too large, compressed): the same request gets it again, so it is
    never retried."""


@dataclass
class _Exchange:
    url: str
    timeout_s: float
    deadline: float
    max_bytes: int
    received: int = 0

    def time_left(self, timeout: float | None) -> float:
        """`timeout` (one socket operation's) cut to what is left of the exchange."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise ExchangeOverdue(
                f"{self.url} did not finish answering within {self.timeout_s:g} s "
                f"(timeout_s bounds the whole exchange; {self.received:,} bytes came)"
            )
        return left if timeout is None else min(timeout, left)

    def count(self, size: int) -> None:
        self.received += size
        if self.received > self.max_bytes:
            raise AnswerRefused(
                f"{self.url} sent more than {self.max_bytes:,} bytes for one answer; stopped reading "
                f"(max_response_mb bounds it)"
            )


class HttpLimits:
    """The exchange open on each thread; the client's connections read it."""

    def __init__(self) -> None:
        self._local = threading.local()

    @contextmanager
    def exchange(self, url: str, timeout_s: float, max_bytes: int) -> Iterator[None]:
        """Everything this thread sends and reads until the block ends: at most `timeout_s` from now and
        `max_bytes` read (headers included)."""
        previous = self.current()
        self._local.exchange = _Exchange(url, timeout_s, time.monotonic() + timeout_s, max_bytes)
        try:
            yield
        finally:
            self._local.exchange = previous

    def current(self) -> _Exchange | None:
        return getattr(self._local, "exchange", None)


class _Stream:
    """A connection's network stream, bounded by the exchange open on the thread that uses it."""

    def __init__(self, inner: Any, limits: HttpLimits) -> None:
        self._inner = inner
        self._limits = limits

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        exchange = self._limits.current()
        if exchange is None:
            return self._inner.read(max_bytes, timeout)
        data = self._inner.read(max_bytes, exchange.time_left(timeout))
        exchange.count(len(data))
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        exchange = self._limits.current()
        self._inner.write(buffer, timeout if exchange is None else exchange.time_left(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> _Stream:
        exchange = self._limits.current()
        left = timeout if exchange is None else exchange.time_left(timeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, left), self._limits)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend:
    """httpcore's network backend, opening `_Stream`s."""

    def __init__(self, inner: Any, limits: HttpLimits) -> None:
        self._inner = inner
        self._limits = limits

    def _left(self, timeout: float | None) -> float | None:
        exchange = self._limits.current()
        return timeout if exchange is None else exchange.time_left(timeout)

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, **options: Any) -> _Stream:
        return _Stream(self._inner.connect_tcp(host, port, self._left(timeout), **options), self._limits)

    def connect_unix_socket(self, path: str, timeout: float | None = None, **options: Any) -> _Stream:
        return _Stream(self._inner.connect_unix_socket(path, self._left(timeout), **options), self._limits)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _refuse_compressed(response: Any) -> None:
    """A response hook (it runs before the body is read): a compressed body's size on the wire says nothing
    of what it inflates to."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        raise AnswerRefused(
            f"{response.request.url} sent a compressed answer (Content-Encoding: {encoding[:40]}) though asked "
            "for none; not read"
        )


def bounded_http_client(limits: HttpLimits) -> Any:
    """The OpenAI SDK's own httpx client (httpx or httpx2, by SDK version), its connections bounded by
    `limits`, asking for uncompressed answers and following no redirect."""
    client = openai.DefaultHttpxClient(
        follow_redirects=False,
        headers={"Accept-Encoding": "identity"},
        event_hooks={"response": [_refuse_compressed]},
    )
    # every transport the client may use: its own and those mounted for proxies (HTTP(S)_PROXY)
    for transport in [client._transport, *(mounted for mounted in client._mounts.values() if mounted is not None)]:
        pool = getattr(transport, "_pool", None)
        if pool is None or not hasattr(pool, "_network_backend"):
            raise RuntimeError(
                f"cannot bound this httpx version's connections ({type(transport).__module__}): no "
                "transport._pool._network_backend"
            )
        pool._network_backend = _Backend(pool._network_backend, limits)
    return client
