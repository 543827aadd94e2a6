"""Small real HTTP servers on 127.0.0.1 for client tests.

`ScriptedChatServer` answers /v1/chat/completions the way an OpenAI-style
server does, following a script of status codes, and keeps every request
body: for behaviour llama.cpp's server cannot show (5xx, native n > 1,
thinking blocks). `CountingProxy` forwards to a real server and measures
how many requests were in flight at once.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Server:
    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def _send(self, status: int, payload: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def completion(body: dict[str, Any], texts: list[str], prompt_tokens: int = 11, completion_tokens: int = 0) -> dict:
    """An OpenAI chat.completion object with these choice texts."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "scripted"),
        "choices": [
            {"index": i, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
            for i, text in enumerate(texts)
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens or 3 * len(texts),
            "total_tokens": prompt_tokens + (completion_tokens or 3 * len(texts)),
        },
    }


class ScriptedChatServer(_Server):
    """Answers with `statuses` in order (then 200 forever); records request bodies.

    `reply(body) -> completion dict` builds each 200 answer.
    """

    def __init__(self, statuses: list[int] = (), reply: Callable[[dict], dict] | None = None) -> None:
        super().__init__(_ScriptedHandler)
        self.statuses = list(statuses)
        self.reply = reply or (lambda body: completion(body, ["ok"] * body.get("n", 1)))
        self.bodies: list[dict[str, Any]] = []
        self.lock = threading.Lock()


class _ScriptedHandler(_Handler):
    def do_POST(self) -> None:
        server: ScriptedChatServer = self.server.owner  # type: ignore[attr-defined]
        body = json.loads(self._body())
        with server.lock:
            server.bodies.append(body)
            status = server.statuses.pop(0) if server.statuses else 200
        if status != 200:
            self._send(status, json.dumps({"error": {"message": f"scripted {status}"}}).encode())
            return
        self._send(200, json.dumps(server.reply(body)).encode())


class CountingProxy(_Server):
    """Forwards every request to `upstream` (a base URL) and counts concurrent ones."""

    def __init__(self, upstream: str) -> None:
        super().__init__(_ProxyHandler)
        parsed = urllib.parse.urlparse(upstream)
        self.upstream = (parsed.hostname, parsed.port)
        self.in_flight = 0
        self.max_in_flight = 0
        self.requests = 0
        self.lock = threading.Lock()


class _ProxyHandler(_Handler):
    def do_POST(self) -> None:
        proxy: CountingProxy = self.server.owner  # type: ignore[attr-defined]
        body = self._body()
        with proxy.lock:
            proxy.requests += 1
            proxy.in_flight += 1
            proxy.max_in_flight = max(proxy.max_in_flight, proxy.in_flight)
        try:
            connection = http.client.HTTPConnection(*proxy.upstream, timeout=120)
            connection.request("POST", self.path, body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            payload = response.read()
            connection.close()
        finally:
            with proxy.lock:
                proxy.in_flight -= 1
        self._send(response.status, payload, response.getheader("Content-Type", "application/json"))


class HostileChatServer(_Server):
    """Answers each POST with `answer(path, body, out)`, which writes the raw HTTP response to `out` itself
    (status line, headers, body, at any pace): what no honest server sends. Keeps each request's path."""

    def __init__(self, answer: Callable[[str, dict[str, Any], Any], None]) -> None:
        super().__init__(_HostileHandler)
        self.answer = answer
        self.paths: list[str] = []


class _HostileHandler(_Handler):
    def do_POST(self) -> None:
        server: HostileChatServer = self.server.owner  # type: ignore[attr-defined]
        body = json.loads(self._body() or b"{}")
        server.paths.append(self.path)
        self.close_connection = True
        try:
            server.answer(self.path, body, self.wfile)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first, as it should

    do_GET = do_POST  # e.g. GET /v1/models: `answer` gets an empty body


def raw_response(status: int, body: bytes, *headers: str) -> bytes:
    """An HTTP/1.1 response with a Content-Length (unless a header sets Transfer-Encoding) and `headers`; it says
    the server closes the connection (it does), so no client sends its next request on it."""
    lines = [f"HTTP/1.1 {status} Whatever", "Content-Type: application/json", "Connection: close", *headers]
    if not any(h.lower().startswith("transfer-encoding") for h in headers):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def drip(out: Any, data: bytes, interval_s: float) -> None:
    """Write `data` a byte at a time, `interval_s` apart."""
    for i in range(len(data)):
        out.write(data[i : i + 1])
        out.flush()
        time.sleep(interval_s)


def chunked(*pieces: bytes) -> bytes:
    """`pieces` in HTTP chunked encoding, ended."""
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces if piece) + b"0\r\n\r\n"
