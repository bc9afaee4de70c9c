"""An S3 fault proxy: a tiny HTTP proxy on 127.0.0.1 in front of SeaweedFS that misbehaves on demand.

A real S3 endpoint cannot be told to fail, so the reliability tests point the
archive (``AWS_ENDPOINT_URL``) at this proxy instead. It forwards each request
byte for byte — the ``Host`` header included, so SigV4 signatures stay valid —
unless a fault says otherwise:

- :meth:`S3FaultProxy.fail` — the next ``times`` matching requests answer
  ``503 SlowDown`` or ``500 InternalError`` (S3's XML error body), or are
  *reset mid-upload*: half the request body is read, then the connection is
  reset (RST);
- :attr:`S3FaultProxy.delay_s` — every response waits that long (a slow S3);
- :attr:`S3FaultProxy.outage` — every connection is reset at once (S3 down);
- :meth:`S3FaultProxy.hold` — the first matching request is held open, never
  forwarded, until the test releases it (a test kills the crawler meanwhile:
  an upload in flight when the process dies).

Every request is logged as ``(method, path, outcome)`` so tests count the faults
they injected.
"""

from __future__ import annotations

import contextlib
import http.client
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import urlsplit

__all__ = ["FAULT_KINDS", "Hold", "ProxyRecord", "S3FaultProxy"]

#: What :meth:`S3FaultProxy.fail` can inject.
FAULT_KINDS: tuple[str, ...] = ("slowdown", "error500", "reset")
_ERRORS = {
    "slowdown": (503, "SlowDown", "Please reduce your request rate."),
    "error500": (500, "InternalError", "We encountered an internal error. Please try again."),
}
#: Not forwarded: hop-by-hop, and Expect (this proxy already answered 100 Continue).
_HOP_HEADERS = {"connection", "keep-alive", "proxy-connection", "expect", "te", "upgrade"}


class ProxyRecord(NamedTuple):
    method: str
    path: str
    outcome: str  # upstream status ("200", "404", ...) or the fault met: "fault:slowdown", "fault:reset", ...


@dataclass
class _Rule:
    kind: str
    times: int
    pattern: re.Pattern[str]
    methods: frozenset[str]
    every: int = 1
    seen: int = 0

    def take(self, method: str, path: str) -> bool:
        """Whether this request meets the fault (one in ``every`` matching requests, ``times`` in all)."""
        if self.times <= 0 or (self.methods and method not in self.methods) or not self.pattern.search(path):
            return False
        self.seen += 1
        if self.seen % self.every:
            return False
        self.times -= 1
        return True


@dataclass
class Hold:
    """A request held open: ``reached`` is set when it arrives; :meth:`release` lets the proxy drop it."""

    pattern: re.Pattern[str]
    methods: frozenset[str]
    skip: int = 0
    reached: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    path: str | None = None

    def release(self) -> None:
        self.released.set()

    def wait(self, timeout: float) -> bool:
        return self.reached.wait(timeout)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the proxy's own log replaces stderr logging."""

    def do_GET(self) -> None:
        self.server.proxy.handle(self)

    do_PUT = do_POST = do_HEAD = do_DELETE = do_GET


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    proxy: S3FaultProxy


def _reset(handler: BaseHTTPRequestHandler) -> None:
    """Close the client connection with a TCP RST (SO_LINGER 0), as a crashed peer or a middlebox would."""
    with contextlib.suppress(OSError):
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.close_connection = True


def _read_body(handler: BaseHTTPRequestHandler, limit: int | None = None) -> bytes:
    """The request body as sent (chunked bodies kept chunked); at most ``limit`` bytes when given."""
    length = handler.headers.get("Content-Length")
    if length is not None:
        size = int(length) if limit is None else min(int(length), limit)
        return handler.rfile.read(size)
    if "chunked" not in (handler.headers.get("Transfer-Encoding") or "").lower():
        return b""
    raw = bytearray()
    while True:
        line = handler.rfile.readline()
        raw += line
        size = int(line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while True:  # trailers, then the empty line
                trailer = handler.rfile.readline()
                raw += trailer
                if trailer in (b"\r\n", b"\n", b""):
                    return bytes(raw)
        raw += handler.rfile.read(size + 2)
        if limit is not None and len(raw) >= limit:
            return bytes(raw)


def _body_size(handler: BaseHTTPRequestHandler) -> int:
    length = handler.headers.get("Content-Length")
    return int(length) if length is not None else 0


class S3FaultProxy:
    """Forwards to ``upstream`` (``http://127.0.0.1:PORT``) with switchable faults."""

    def __init__(self, upstream: str, host: str = "127.0.0.1", port: int = 0) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._server = _Server((host, port), _Handler)
        self._server.proxy = self
        self.endpoint_url = f"http://{host}:{self._server.server_address[1]}"
        self.delay_s = 0.0
        self.outage = False
        self._rules: list[_Rule] = []
        self._holds: list[Hold] = []
        self._lock = threading.Lock()
        self._log: list[ProxyRecord] = []
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> S3FaultProxy:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="s3-fault-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        for hold in self._holds:
            hold.release()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> S3FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- switches -------------------------------------------------------------------------------
    def fail(self, kind: str, *, times: int = 1, every: int = 1, path: str = "", methods: tuple[str, ...] = ()) -> None:
        """``times`` requests fail with ``kind``: one in ``every`` of those whose path (query included) matches
        the regex ``path`` and whose method is in ``methods`` (any when empty)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {FAULT_KINDS}")
        with self._lock:
            self._rules.append(_Rule(kind, times, re.compile(path), frozenset(methods), every))

    def hold(self, path: str, *, methods: tuple[str, ...] = ("PUT", "POST"), skip: int = 0) -> Hold:
        """Hold the first matching request after ``skip`` others matched (see :class:`Hold`)."""
        hold = Hold(re.compile(path), frozenset(methods), skip)
        with self._lock:
            self._holds.append(hold)
        return hold

    def clear(self) -> None:
        """Every fault off (held requests released)."""
        with self._lock:
            self._rules.clear()
            holds, self._holds = self._holds, []
        for hold in holds:
            hold.release()
        self.delay_s = 0.0
        self.outage = False

    # -- what tests read ------------------------------------------------------------------------
    @property
    def log(self) -> list[ProxyRecord]:
        with self._lock:
            return list(self._log)

    def injected(self) -> int:
        """Requests that met a fault (error answered, connection reset, outage, held)."""
        return sum(1 for r in self.log if r.outcome.startswith("fault:"))

    def reset_log(self) -> None:
        with self._lock:
            self._log.clear()

    # -- the proxy ------------------------------------------------------------------------------
    def _record(self, handler: BaseHTTPRequestHandler, outcome: str) -> None:
        with self._lock:
            self._log.append(ProxyRecord(handler.command, urlsplit(handler.path).path, outcome))

    def _take_fault(self, method: str, path: str) -> tuple[str | None, Hold | None]:
        with self._lock:
            for hold in self._holds:
                if not hold.reached.is_set() and (not hold.methods or method in hold.methods) \
                        and hold.pattern.search(path):
                    if hold.skip > 0:
                        hold.skip -= 1
                        continue
                    hold.path = path
                    return None, hold
            for rule in self._rules:
                if rule.take(method, path):
                    return rule.kind, None
        return None, None

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path  # with the query: multipart parts are told apart by ?partNumber=
        if self.outage:
            self._record(handler, "fault:outage")
            _reset(handler)
            return
        kind, hold = self._take_fault(handler.command, path)
        if hold is not None:
            _read_body(handler, limit=max(1, _body_size(handler) // 2))
            self._record(handler, "fault:held")
            hold.reached.set()
            hold.released.wait(120)
            _reset(handler)  # never forwarded: the upload dies with its client
            return
        if kind == "reset":
            _read_body(handler, limit=max(1, _body_size(handler) // 2))
            self._record(handler, "fault:reset")
            _reset(handler)
            return
        body = _read_body(handler)
        if self.delay_s:
            time.sleep(self.delay_s)
        if kind in _ERRORS:
            status, code, message = _ERRORS[kind]
            self._answer_error(handler, status, code, message)
            self._record(handler, f"fault:{kind}")
            return
        self._forward(handler, body)

    def _answer_error(self, handler: BaseHTTPRequestHandler, status: int, code: str, message: str) -> None:
        xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
               f"<RequestId>fault-proxy</RequestId></Error>").encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/xml")
        handler.send_header("Content-Length", str(len(xml)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(xml)

    def _forward(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        upstream = http.client.HTTPConnection(*self.upstream, timeout=60)
        try:
            upstream.putrequest(handler.command, handler.path, skip_host=True, skip_accept_encoding=True)
            for name, value in handler.headers.items():
                if name.lower() not in _HOP_HEADERS:
                    upstream.putheader(name, value)
            upstream.endheaders(body or None)
            response = upstream.getresponse()
            data = response.read()
            headers = response.getheaders()
            status = response.status
        except OSError:
            self._record(handler, "upstream-error")
            _reset(handler)
            return
        finally:
            upstream.close()
        handler.send_response(status)
        for name, value in headers:
            lowered = name.lower()
            if lowered in _HOP_HEADERS or lowered == "transfer-encoding":
                continue
            if lowered == "content-length" and handler.command != "HEAD":
                continue
            handler.send_header(name, value)
        if handler.command != "HEAD":
            handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(data)
        self._record(handler, str(status))
