"""Conditional discovery (issue 19 point 3): a rerun with nothing new is a handful of 304s, real crawls.

The outlet server answers its sitemaps, feeds and listings with an ``ETag`` (and sitemaps and feeds
with ``Last-Modified``) and honours ``If-None-Match`` with a 304. Each crawl runs in a subprocess
(:func:`tests.crawler.crawling.crawl`) into one local archive, which keeps the validators in the run's
manifest (:mod:`ingest.conditional`).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive import Archive
from core.urls import canonical_url
from ingest.conditional import STATS_KEY
from outlet_server import OutletServer, build_corpus
from outlet_server.site import Site
from tests.crawler.crawling import CrawlResult, adds_up, crawl, identity
from tests.fixtures.outlet import OUTLET_ARTICLES, OUTLET_SEED

pytestmark = pytest.mark.slow

#: The issue's bound on the requests of a rerun with nothing new.
MAX_RERUN_REQUESTS = 10


def conditional_headers(archive_dir: Path) -> dict[str, dict[str, str]]:
    """Target URI -> the If-None-Match / If-Modified-Since of every request record in the archive's WARCs."""
    sent: dict[str, dict[str, str]] = {}
    for path in sorted(archive_dir.rglob("*.warc.gz")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "request" and record.http_headers is not None:
                    found = {name: record.http_headers.get_header(name)
                             for name in ("If-None-Match", "If-Modified-Since")}
                    if any(found.values()):
                        sent[record.rec_headers.get_header("WARC-Target-URI")] = found
    return sent


def statuses(result: CrawlResult) -> Counter[int]:
    return Counter(r.status for r in result.requests)


def test_rerun_with_nothing_new_is_a_few_304s_and_new_articles_still_come(make_outlet_server, tmp_path: Path) -> None:
    server: OutletServer = make_outlet_server()
    archive_dir = tmp_path / "archive"
    first = crawl(server, archive_dir)
    assert first.summary.archived == len(server.live_articles())
    with Archive.open(str(archive_dir)) as archive:
        (run,) = archive.committed_runs("demo")
        kept = archive.manifest("demo", run[1]).stats[STATS_KEY]["documents"]
    def key(path: str) -> str:
        return canonical_url(server.url(path))

    assert {key("/sitemap_index.xml"), key("/news-sitemap.xml"), key("/feed/"), key("/")} <= set(kept)
    assert all(v.get("etag") for v in kept.values() if "lastmod" not in v)
    assert first.stats["requests_saved_by_conditional"] == 0

    # Nothing new: the sitemaps and feeds are sent with their ETags, answered 304, nothing else is fetched.
    again = crawl(server, archive_dir)
    article_paths = {a.path for a in server.corpus.articles}
    assert not set(again.requested_paths()) & article_paths
    assert again.summary.archived == 0 and again.summary.failed == 0
    assert len(again.requests) <= MAX_RERUN_REQUESTS < len(first.requests)
    assert statuses(again)[304] >= 3
    assert again.stats["requests_saved_by_conditional"] == statuses(again)[304]
    sent = conditional_headers(archive_dir)
    for path in ("/sitemap_index.xml", "/news-sitemap.xml", "/feed/"):
        assert sent[server.url(path)]["If-None-Match"] == kept[key(path)]["etag"]
    assert adds_up(again.stats)
    with Archive.open(str(archive_dir)) as archive:
        runs = archive.committed_runs("demo")
        assert len(runs) == 2
        # The 304s carry the validators forward: the next night is conditional too.
        assert archive.manifest("demo", runs[-1][1]).stats[STATS_KEY]["documents"].keys() >= {
            key("/sitemap_index.xml"), key("/feed/")}

    # An article added since: the sitemaps that list it changed, so they answer 200 and it is archived;
    # child sitemaps listed with an unchanged <lastmod> are not requested.
    grown = build_corpus(seed=OUTLET_SEED, n_articles=OUTLET_ARTICLES + 1)
    (added,) = [a for a in grown.articles if a.path not in server.corpus.by_path]
    server.corpus, server.site = grown, Site(grown, server.base_url, server.faults)
    third = crawl(server, archive_dir)
    assert third.summary.archived == 1 and third.summary.failed == 0
    assert added.path in third.requested_paths()
    assert identity(server, added) in {r.canonical_url for r in third.records()}
    assert statuses(third)[200] >= 2  # the index and the changed monthly sitemap at least
    assert third.stats["requests_saved_by_conditional"] >= 1
    assert len(third.requests) < len(first.requests)
    assert adds_up(third.stats)


def test_conditional_discovery_off_reads_everything_again(make_outlet_server, tmp_path: Path) -> None:
    server: OutletServer = make_outlet_server()
    first = crawl(server, tmp_path / "archive")
    again = crawl(server, tmp_path / "archive", conditional_discovery=False)
    assert statuses(again)[304] == 0
    assert again.stats["skipped"]["known"] == len(server.live_articles()) == first.summary.archived
    assert again.stats["requests_saved_by_conditional"] == 0
