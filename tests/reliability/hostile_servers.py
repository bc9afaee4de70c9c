"""Hostile outlets on 127.0.0.1 (issue 20): small http.server sites that each take a naive crawl down.

:class:`HostileServer` serves one :class:`Case` — a sitemap fan-out, a sitemap with ``ftp://``/``s3://``
entries on the outlet's own host, a link-mode trap, pages declaring exotic charsets, an article wrapped in
100,000 ``<div>``\\ s, a page of 200,000 short paragraphs — and logs what it was asked. Every server is
bounded: after ``max_requests`` it answers 503 to everything (a crawl that reaches that is a failed test),
and its pages are generated on request (a fan-out of 10,000 x 10,000 sitemaps costs nothing until asked).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from core.registry import Outlet

__all__ = ["ARTICLE_DAY", "Case", "HostileServer", "article_html", "hostile_server"]

#: The publication day of every article the hostile outlets serve (inside the tests' window).
ARTICLE_DAY = "2026/10/05"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"

#: A handler answers (status, content type, body) for a path, or None for 404.
Answer = tuple[int, str, bytes]


def article_html(number: int, *, wrapper: tuple[str, str] = ("", ""), paragraphs: int = 6,
                 charset_meta: str = "") -> str:
    """An article page the extractor reads (og:type article, a date, a headline, paragraphs)."""
    body = "".join(f"<p>Paragraph {n} of hostile article {number} tells the reader something new about the "
                   f"harbour, the council and the weather of the week.</p>" for n in range(paragraphs))
    return (f"<!doctype html><html lang=en><head>{charset_meta}<title>Hostile article {number}</title>"
            f'<meta property="og:type" content="article">'
            f'<meta property="article:published_time" content="2026-10-05T08:00:00Z"></head><body>'
            f"{wrapper[0]}<article><h1>Hostile article {number}</h1>{body}</article>{wrapper[1]}</body></html>")


def urlset(locs: list[str]) -> bytes:
    entries = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="{SITEMAP_NS}">{entries}</urlset>'.encode()


def sitemap_index(locs: Iterator[str] | list[str]) -> bytes:
    entries = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="{SITEMAP_NS}">{entries}</sitemapindex>'.encode()


@dataclass
class Case:
    """What a hostile outlet serves: ``pages(server, path)`` answers each path (None: 404)."""

    name: str
    pages: Callable[[HostileServer, str], Answer | None]
    robots: str = "User-agent: *\nAllow: /\n"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HostileServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the server keeps its own log."""

    def do_GET(self) -> None:
        server = self.server
        with server.lock:
            server.seen.append(self.path)
            over = len(server.seen) > server.max_requests
        if over:
            self._send(503, "text/plain", b"request cap of the hostile test server reached")
            return
        if self.path == "/robots.txt":
            answer: Answer | None = (200, "text/plain", server.case.robots.format(base=server.base).encode())
        else:
            answer = server.case.pages(server, self.path)
        if answer is None:
            answer = (404, "text/plain", b"not here")
        self._send(*answer)

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class HostileServer(ThreadingHTTPServer):
    """One hostile outlet on 127.0.0.1, answering at most ``max_requests`` requests for real."""

    daemon_threads = True

    def __init__(self, case: Case, *, max_requests: int = 5_000) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.case = case
        self.max_requests = max_requests
        self.seen: list[str] = []
        self.lock = threading.Lock()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def outlet(self, **extra: Any) -> Outlet:
        return Outlet.model_validate({
            "id": f"hostile-{self.case.name}", "name": f"Hostile {self.case.name}", "base_url": f"{self.base}/",
            "language": "en", "timezone": "UTC", "rate": {"concurrency": 4, "delay_s": 0},
            "allow_private_addresses": True, **extra,
        })


@contextmanager
def hostile_server(case: Case, *, max_requests: int = 5_000) -> Iterator[HostileServer]:
    server = HostileServer(case, max_requests=max_requests)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
