"""Helpers of the end-to-end DAG tests: read what landed in the archive, serve a site that changed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from core.urls import canonical_url


@dataclass(frozen=True)
class ArchiveContents:
    """What an archive holds: canonical URLs per outlet and the keys of every stored record."""

    urls: dict[str, set[str]]
    record_keys: frozenset[str]
    committed_runs: int
    sources: frozenset[str]


def read_archive(s3: Any, uri: str) -> ArchiveContents:
    """Open ``uri`` in this process with the session SeaweedFS's credentials and list it."""
    from archive import Archive, layout

    with pytest.MonkeyPatch.context() as patch:
        for name, value in s3.env().items():
            patch.setenv(name, value)
        with Archive.open(uri) as archive:
            urls: dict[str, set[str]] = {}
            sources: set[str] = set()
            outlets = sorted({outlet for outlet, _run in archive.index.committed_runs()})
            for outlet in outlets:  # per outlet: one site may be registered under two ids
                for record in archive.iter_records(outlet=outlet):
                    urls.setdefault(record.outlet, set()).add(record.canonical_url)
                    sources.add(record.source)
            keys = frozenset(info.key for info in archive.store.list(layout.records_prefix()))
            runs = len(archive.index.committed_runs())
    return ArchiveContents(urls=urls, record_keys=keys, committed_runs=runs, sources=frozenset(sources))


def expected_urls(server: Any, corpus: Any, *, since: date | None = None, until: date) -> set[str]:
    """Canonical URLs of the corpus articles published in ``[since, until]`` (the outlet's own days)."""
    return {
        canonical_url(server.url(article))
        for article in corpus.articles
        if (since is None or article.published.astimezone(corpus.tz).date() >= since)
        and article.published.astimezone(corpus.tz).date() <= until
    }


class _MovedHandler(BaseHTTPRequestHandler):
    PAGE = (
        b"<!doctype html><html><head><title>Our new home</title></head><body>"
        b"<h1>We have moved</h1><p>Our journalism now lives in our app.</p></body></html>"
    )

    def do_GET(self) -> None:
        status = 404 if self.path.startswith(("/robots.txt", "/sitemap", "/feed")) else 200
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.PAGE)))
        self.end_headers()
        self.wfile.write(self.PAGE)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def moved_site() -> Iterator[str]:
    """An outlet after a redesign: it answers every page, and no page is an article any more."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _MovedHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
