"""Politeness in time: robots.txt Crawl-delay and Retry-After, measured on a tiny site of our own.

The outlet server's robots.txt has no Crawl-delay, so this test serves a four-article site
(robots.txt with ``Crawl-delay``, a sitemap, articles, one answering 429 with
``Retry-After`` once) on 127.0.0.1 and records when each request arrived.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from core.registry import Outlet
from core.settings import Settings
from newsarchive.jobs import JobRequest, run_job

pytestmark = pytest.mark.slow

CRAWL_DELAY = 0.6
RETRY_AFTER = 2
ARTICLES = [f"/2026/10/0{day}/story-{day}/" for day in range(1, 5)]
PARAGRAPH = "The council voted on Tuesday to reopen the old bridge to traffic after two years of repairs. " * 6


class TinySite(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), TinyHandler)
        self.log: list[tuple[float, str, int]] = []
        self.rate_limited: set[str] = set()
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class TinyHandler(BaseHTTPRequestHandler):
    server: TinySite

    def do_GET(self) -> None:
        status, body, headers = self.answer()
        with self.server.lock:
            self.server.log.append((time.monotonic(), self.path, status))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def answer(self) -> tuple[int, bytes, list[tuple[str, str]]]:
        base = self.server.base_url
        if self.path == "/robots.txt":
            text = f"User-agent: *\nCrawl-delay: {CRAWL_DELAY}\nDisallow: /private/\nSitemap: {base}sitemap.xml\n"
            return 200, text.encode(), [("Content-Type", "text/plain")]
        if self.path == "/sitemap.xml":
            urls = "".join(f"<url><loc>{base.rstrip('/')}{path}</loc></url>" for path in ARTICLES)
            xml = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            return 200, xml.encode(), [("Content-Type", "application/xml")]
        if self.path in ARTICLES:
            with self.server.lock:
                first_hit = self.path == ARTICLES[0] and self.path not in self.server.rate_limited
                self.server.rate_limited.add(self.path)
            if first_hit:
                return 429, b"slow down", [("Retry-After", str(RETRY_AFTER)), ("Content-Type", "text/plain")]
            html = (f'<html lang="en"><head><title>Story</title><meta property="og:type" content="article">'
                    f'<meta property="article:published_time" content="{self.path[1:11].replace("/", "-")}T10:00:00Z">'
                    f"</head><body><article><h1>Story {self.path}</h1><p>{PARAGRAPH}</p><p>{PARAGRAPH}</p>"
                    f"</article></body></html>")
            return 200, html.encode(), [("Content-Type", "text/html; charset=utf-8")]
        return 404, b"not found", [("Content-Type", "text/plain")]

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def tiny_site() -> Iterator[TinySite]:
    site = TinySite()
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    yield site
    site.shutdown()
    site.server_close()


def test_crawl_delay_and_retry_after_are_honoured(tiny_site: TinySite, tmp_path: Path) -> None:
    outlet = Outlet(id="tiny", name="Tiny", base_url=tiny_site.base_url, feeds=[tiny_site.base_url + "sitemap.xml"],
                    rate={"concurrency": 4, "delay_s": 0}, allow_private_addresses=True)
    settings = Settings(delay_s=0, autothrottle=False, concurrency=4, spool_dir=tmp_path / "spool")
    request = JobRequest.build("crawl", [outlet], str(tmp_path / "archive"), since=date(2026, 1, 1),
                               until=date(2026, 12, 31), settings=settings, throttle=True)
    (summary,) = run_job(request, timeout_s=120)
    assert summary.archived == len(ARTICLES)
    log = sorted(tiny_site.log)
    after_robots = [t for t, path, _ in log if path != "/robots.txt"]
    gaps = [b - a for a, b in itertools.pairwise(after_robots)]
    # Scrapy spreads a slot's delay by ±50%: no two requests closer than half the Crawl-delay.
    assert gaps and min(gaps) >= CRAWL_DELAY * 0.5 - 0.05, gaps
    hits = [t for t, path, _ in log if path == ARTICLES[0]]
    assert [status for _, path, status in log if path == ARTICLES[0]] == [429, 200]
    assert hits[1] - hits[0] >= RETRY_AFTER - 0.05, "the retry waited for Retry-After"
    assert summary.stats["retry_after_honoured"] == 1
