"""An archive to browse: a real crawl of the outlet server, an edited article crawled again (two
versions), an article whose title and text carry XSS payloads, and a planted hostile capture.

- ``browse_archive``: the archive (module scope is too small: the crawl takes seconds, so session);
- ``hit_listener``: a 127.0.0.1 HTTP server that records every request: the hostile capture's
  script, image and beacon all point at it, so any request it records is a sandbox escape.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from archive import Archive, ArticleRecord
from archive.search import SearchIndex
from core.settings import Settings
from core.urls import canonical_url
from extract import extract_article
from outlet_server import Corpus, OutletServer
from tests.crawler.crawling import crawl

XSS_TITLE = "Minister <script>document.title='PWNED-TITLE'</script> resigns"
XSS_TEXT = "<img src=x onerror=\"document.title='PWNED-IMG'\"> Witnesses described the scene."
XSS_URL = "javascript:alert(document.domain)//\"><script>document.title='PWNED-URL'</script>"
CORRECTION = " (Corrected: the bridge reopens on Monday, not Sunday.)"
PLANTED_OUTLET = "planted"


@dataclass
class HitListener:
    port: int
    hits: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class BrowseArchive:
    root: Path
    settings: Settings
    edited_path: str  # the article with two versions
    xss_path: str  # the article whose title and text carry payloads
    hostile_url: str  # the planted capture whose HTML runs a script if anything lets it
    listener: HitListener

    def open(self) -> Archive:
        return Archive.open(str(self.root), self.settings)

    def index(self) -> SearchIndex:
        return SearchIndex(self.open())


@pytest.fixture(scope="session")
def hit_listener() -> Iterator[HitListener]:
    listener = HitListener(0)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            listener.hits.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    listener.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield listener
    server.shutdown()


def hostile_page(listener: HitListener) -> bytes:
    paragraphs = "".join(
        f"<p>Paragraph {i} of the planted report on the harbour fire: firefighters worked through the night "
        f"to contain the blaze, and officials said the cause remained under investigation.</p>" for i in range(8)
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Harbour fire &lt;planted&gt;</title>
<style>body {{ font-family: serif; background: #fffbe6; }} h1 {{ color: #8a1c1c; }}</style>
<link rel="stylesheet" href="{listener.base}/style.css">
<script>document.title = 'PWNED-SCRIPT'; fetch('{listener.base}/script-ran');</script>
<script src="{listener.base}/external.js"></script>
</head><body><article><h1>Harbour fire</h1>
<img src="x" onerror="document.title='PWNED-ONERROR'; new Image().src='{listener.base}/onerror-ran'">
<img src="{listener.base}/tracker.png" alt="">
{paragraphs}
<iframe src="{listener.base}/frame"></iframe>
</article></body></html>""".encode()


@pytest.fixture(scope="session")
def browse_archive(outlet_corpus: Corpus, hit_listener: HitListener, tmp_path_factory: pytest.TempPathFactory) -> BrowseArchive:
    base = tmp_path_factory.mktemp("browse")
    root = base / "archive"
    settings = Settings(spool_dir=base / "spool", search_cache_dir=base / "search")
    first = copy.deepcopy(outlet_corpus)
    articles = [a for a in first.articles if not a.is_seed]
    xss, edited = articles[3], articles[5]
    xss.title = XSS_TITLE
    paragraphs, subheadings = xss.body()
    paragraphs[0] = XSS_TEXT + " " + paragraphs[0]
    xss._fixed_body = (tuple(paragraphs), frozenset(subheadings))
    second = copy.deepcopy(first)
    changed = next(a for a in second.articles if a.path == edited.path)
    paragraphs, subheadings = changed.body()
    paragraphs[-1] += CORRECTION
    changed._fixed_body = (tuple(paragraphs), frozenset(subheadings))
    with OutletServer(first, host="127.0.0.1", port=0) as original:
        port = original.port
        crawl(original, root)
        first_url = original.url(edited)
    with OutletServer(second, host="127.0.0.1", port=port) as edited_server:
        crawl(edited_server, root, refresh_days=3650)
    hostile_url = f"http://127.0.0.1:{port}/2026/10/02/harbour-fire/"
    with Archive.open(str(root), settings) as archive:
        run = archive.begin_run(PLANTED_OUTLET)
        body = hostile_page(hit_listener)
        fetched = datetime(2026, 10, 2, 12, 0, tzinfo=UTC)
        pointer = run.write_capture(hostile_url, status=200, body=body, fetched_at=fetched,
                                    response_headers=[("Content-Type", "text/html; charset=utf-8"),
                                                      ("Set-Cookie", "tracking=1")])  # fmt: skip
        extraction = extract_article(body, hostile_url)
        record = ArticleRecord.from_extraction(extraction, outlet=PLANTED_OUTLET, url=hostile_url,
                                               canonical_url=canonical_url(hostile_url), fetched_at=fetched,
                                               raw=pointer)  # fmt: skip
        assert run.add_article(record) == "new"
        assert run.add_article(ArticleRecord(
            outlet=PLANTED_OUTLET, url=XSS_URL, canonical_url=XSS_URL, title="Evil link report",
            text="An article whose address is a script.\n\nEvery page must show it as text.",
            published="2026-10-03T08:00:00+00:00", fetched_at=fetched.isoformat(),
        )) == "new"  # fmt: skip
        run.commit({"planted": 2})
    assert first_url
    return BrowseArchive(root, settings, edited.path, xss.path, hostile_url, hit_listener)
