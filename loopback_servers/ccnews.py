"""A CC-NEWS-shaped layout built with warcio, and a plain HTTP server on 127.0.0.1 serving it (tests and bench).

``crawl-data/CC-NEWS/YYYY/MM/warc.paths.gz`` lists ``CC-NEWS-<14 digits>-<n>.warc.gz`` files, each a
gzip member per record (warcio's writer, as Common Crawl writes them), with the demo outlet's article
pages rendered under a named host among pages of other hosts — hosts that contain the outlet's as a
substring included — plus the odd non-HTML record. :func:`build_layout` says which file holds what.
"""

from __future__ import annotations

import gzip
import io
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from outlet_server import ArticleSpec, Corpus
from outlet_server.site import Request, Site

__all__ = ["CcNewsLayout", "CcNewsServer", "build_layout", "iter_files", "warc_file"]


@dataclass
class CcNewsLayout:
    root: Path
    #: File key -> (URL, article or None) of every response record, in order.
    contents: dict[str, list[tuple[str, ArticleSpec | None]]] = field(default_factory=dict)
    #: The key of the file cut short, and the URL of the record the cut falls in.
    truncated: tuple[str, str] | None = None

    def key_of(self, started: datetime, serial: int) -> str:
        return f"crawl-data/CC-NEWS/{started:%Y/%m}/CC-NEWS-{started:%Y%m%d%H%M%S}-{serial:05d}.warc.gz"


def warc_file(records: list[tuple[str, int, list[tuple[str, str]], bytes, datetime]]) -> bytes:
    """A .warc.gz of response records (url, status, headers, body, date), one gzip member each."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for url, status, headers, body, when in records:
        http = StatusAndHeaders(f"{status} OK", headers, protocol="HTTP/1.1")
        record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                           warc_headers_dict={"WARC-Date": when.strftime("%Y-%m-%dT%H:%M:%SZ")})
        writer.write_record(record)
    return out.getvalue()


def build_layout(root: Path, corpus: Corpus, host: str, file_starts: list[datetime], *,
                 truncate_index: int | None = None, scheme: str = "https") -> CcNewsLayout:  # fmt: skip
    """Write one file per start moment; each holds the articles captured (published + 6 h) in its span.

    Every outlet page is accompanied by the same page under ``other.example``, ``not{host}`` and
    ``{host}.evil.example`` (never the outlet's), and each file by a PNG of the outlet. The file
    ``truncate_index`` is cut in the middle of its last record, an outlet article.
    """
    layout = CcNewsLayout(root)
    site = Site(corpus, f"{scheme}://{host}")
    starts = sorted(file_starts)
    listings: dict[str, list[str]] = {}
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else start + timedelta(days=7)
        key = layout.key_of(start, index)
        records: list[tuple[str, int, list[tuple[str, str]], bytes, datetime]] = []
        contents: list[tuple[str, ArticleSpec | None]] = []
        for article in sorted(corpus.articles, key=lambda a: a.published):
            when = (article.published + timedelta(hours=6)).astimezone(UTC)
            if not start <= when < end:
                continue
            response = site.respond(Request("GET", article.path))
            if response.status != 200 or response.chunks is not None:
                continue
            headers = [(k, v) for k, v in response.headers if k.lower() not in ("content-encoding", "vary")]
            for other in ("other.example", f"not{host}", f"{host}.evil.example"):
                records.append((f"{scheme}://{other}{article.path}", 200, headers, response.body, when))
                contents.append((f"{scheme}://{other}{article.path}", None))
            records.append((f"{scheme}://{host}{article.path}", 200, headers, response.body, when))
            contents.append((f"{scheme}://{host}{article.path}", article))
        png = f"{scheme}://{host}/wp-content/uploads/logo.png"
        records.insert(0, (png, 200, [("Content-Type", "image/png")], b"\x89PNG\r\n\x1a\n" + bytes(64), start))
        contents.insert(0, (png, None))
        data = warc_file(records)
        if index == truncate_index:
            last = warc_file(records[-1:])
            data = data[: len(data) - len(last) // 2]
            layout.truncated = (key, contents[-1][0])
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        layout.contents[key] = contents
        listings.setdefault(f"{start:%Y/%m}", []).append(key)
    for month, keys in listings.items():
        (root / f"crawl-data/CC-NEWS/{month}/warc.paths.gz").write_bytes(gzip.compress(("\n".join(keys) + "\n").encode()))
    return layout


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self.server.requested.append(self.path)  # type: ignore[attr-defined]
        delay = self.server.delays.get(self.path.rsplit("/", 1)[-1], 0.0)  # type: ignore[attr-defined]
        if delay:
            time.sleep(delay)
        super().do_GET()


class CcNewsServer:
    """``with CcNewsServer(root) as server: server.base_url`` — static files on 127.0.0.1, requests logged.

    ``delays`` (file name -> seconds) holds a file back before serving it: a slow download to kill a run in.
    """

    def __init__(self, root: Path) -> None:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
        self._httpd.daemon_threads = True
        self.requested: list[str] = []
        self._httpd.requested = self.requested  # type: ignore[attr-defined]
        self.delays: dict[str, float] = {}
        self._httpd.delays = self.delays  # type: ignore[attr-defined]

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> CcNewsServer:
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def iter_files(layout: CcNewsLayout) -> Iterator[Path]:
    for key in layout.contents:
        yield layout.root / key
