"""The HTTP server of the demo outlet: a threaded stdlib server on 127.0.0.1 in a background thread.

``OutletServer`` is a context manager; it logs every request so tests can assert
what a crawler asked for. HTTP/1.1 with keep-alive, gzip when the client accepts it.
"""

from __future__ import annotations

import signal
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import urljoin

from outlet_server.corpus import ArticleSpec, Corpus
from outlet_server.faults import Faults
from outlet_server.site import Request, Site

__all__ = ["OutletServer", "RequestRecord"]


class RequestRecord(NamedTuple):
    method: str
    path: str  # path with query, as requested
    status: int


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx/1.24.0"
    sys_version = ""
    timeout = 30
    server: _HTTPServer

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def _serve(self) -> None:
        outlet = self.server.outlet
        headers = {k.lower(): v for k, v in self.headers.items()}
        response = outlet.site.respond(Request(self.command, self.path, headers))
        outlet._log(RequestRecord(self.command, self.path, response.status))
        if response.delay_s:
            time.sleep(response.delay_s)
        try:
            self.send_response(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            if not any(name.lower() == "content-length" for name, _ in response.headers):
                self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command == "HEAD":
                return
            if response.chunks is not None:
                for chunk in response.chunks:
                    self.wfile.write(chunk)
            else:
                self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the request log on the server replaces stderr logging."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    outlet: OutletServer


class OutletServer:
    """Serves a :class:`~outlet_server.corpus.Corpus` under :class:`~outlet_server.faults.Faults` on loopback."""

    def __init__(self, corpus: Corpus, faults: Faults | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.corpus = corpus
        self.faults = faults or Faults()
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.outlet = self
        bound_host, bound_port = self._httpd.server_address[:2]
        self.host, self.port = str(bound_host), int(bound_port)
        self.base_url = f"http://{self.host}:{self.port}/"
        self.site = Site(corpus, self.base_url, self.faults)
        self._log_lock = threading.Lock()
        self._requests: list[RequestRecord] = []
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> OutletServer:
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                            name=f"outlet-server-{self.port}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> OutletServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Serve in the calling thread until Ctrl-C, then close (``python -m outlet_server``, ``newsarchive demo --serve``).

        Ctrl-C stops it even when the process was started with SIGINT ignored (a parent that ignores it while
        a child runs — :func:`newsarchive.jobs.run_job` does — or ``nohup``): an ignored disposition is inherited.
        """
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    # -- what tests use -------------------------------------------------------------------------
    def url(self, article_or_path: ArticleSpec | str) -> str:
        path = article_or_path if isinstance(article_or_path, str) else article_or_path.path
        return urljoin(self.base_url, path)

    @property
    def requests(self) -> list[RequestRecord]:
        """A copy of the request log, oldest first."""
        with self._log_lock:
            return list(self._requests)

    def requested_paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def reset_log(self) -> None:
        """Forget logged requests and the hit counters of flaky and rate-limited pages."""
        with self._log_lock:
            self._requests.clear()
        self.site.state.reset()

    def _log(self, record: RequestRecord) -> None:
        with self._log_lock:
            self._requests.append(record)

    def live_articles(self, since: date | None = None, until: date | None = None) -> list[ArticleSpec]:
        """The articles a perfect crawl of the window archives: not gone, published (outlet calendar day)
        between ``since`` and ``until`` inclusive."""
        return [
            a for a in self.corpus.articles
            if self.faults.is_live(a) and (since is None or a.published.date() >= since)
            and (until is None or a.published.date() <= until)
        ]

    def outlet_yaml(self, id: str = "demo", **overrides: Any) -> dict[str, Any]:
        """A registry entry for this outlet (``overrides`` replace fields)."""
        entry: dict[str, Any] = {
            "id": id,
            "name": self.corpus.site_name,
            "base_url": self.base_url,
            "language": "en",
            "timezone": self.corpus.timezone,
            "sections": [self.url(f"/category/{slug}/") for slug in sorted(self.corpus.by_section)],
            "rate": {"concurrency": 8, "delay_s": 0.0},
            "allow_private_addresses": True,
        }
        entry.update(overrides)
        return entry
