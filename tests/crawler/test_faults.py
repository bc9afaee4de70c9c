"""Bad input and traps (issue 3, point 7) and the exactness test (point 9), against the faulty outlet server."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from core.settings import Settings
from outlet_server import Corpus, Faults, OutletServer, build_corpus
from outlet_server.faults import PRIVATE_TARGETS
from tests.crawler.crawling import adds_up, crawl, identity

pytestmark = pytest.mark.slow


def test_every_fault_is_counted_and_the_crawl_goes_on(make_outlet_server, outlet_corpus: Corpus,
                                                      tmp_path: Path) -> None:
    # Every fault but "no sitemaps, no feeds", so that the sitemap faults are met too.
    server: OutletServer = make_outlet_server(**vars(Faults.all(no_sitemaps_no_feeds=False)))
    result = crawl(server, tmp_path / "archive")
    live = server.live_articles()
    gone = [a for a in outlet_corpus.articles if a not in live]
    records = {r.canonical_url: r for r in result.records(all_versions=True)}
    assert sorted(records) == sorted(identity(server, a) for a in live)

    stats, skipped = result.stats, result.stats["skipped"]
    assert stats["malformed_documents"]["xml"] >= 2, "broken sitemap and entity bomb"
    assert skipped["too_large"] >= 3, "huge page, gzip-bomb page, gzip-bomb sitemap"
    assert skipped["redirect_loop"] >= 1
    assert skipped["private_address"] >= 1, "redirects to 10.0.0.1 / 169.254.169.254 refused"
    assert skipped["gone"] >= len(gone) > 0
    assert skipped["robots"] >= 1
    assert stats["responses_by_status"].get("429") and stats["responses_by_status"].get("503")
    rate_limited = [a for a in live if server.faults.affects("rate_limit_429", a)]
    assert stats["retry_after_honoured"] >= len(rate_limited) > 0
    assert stats["retries"] >= len(rate_limited)
    assert not [p for p in result.requested_paths() if p.startswith("/private/")]

    mis_declared = [a for a in live if server.faults.affects("wrong_charset", a)]
    assert mis_declared
    for article in mis_declared:
        text = records[identity(server, article)].text
        assert article.paragraphs[0] in text, f"{article.language} text decoded wrongly: {text[:80]!r}"
    assert adds_up(stats)


def test_retried_responses_are_archived_too(make_outlet_server, outlet_corpus: Corpus, tmp_path: Path) -> None:
    server: OutletServer = make_outlet_server(rate_limit_429=True, flaky_5xx=1, retry_after_s=0)
    result = crawl(server, tmp_path / "archive")
    assert result.summary.archived == len(outlet_corpus.articles)
    answered = Counter((r.path.split("?", 1)[0], r.status) for r in result.requests if r.method == "GET")
    refused = {key: n for key, n in answered.items() if key[1] in (429, 503)}
    assert refused, "the server refused some first hits"
    assert {key: result.warc_responses()[key] for key in refused} == refused, "every refused hit is in the WARC"
    by_status = result.stats["responses_by_status"]
    assert by_status.get("429", 0) + by_status.get("503", 0) == sum(refused.values())
    assert adds_up(result.stats)


def test_redirect_hops_and_other_hosts_robots_are_archived_too(make_outlet_server, tmp_path: Path) -> None:
    # Link mode (no sitemaps, no feeds) so that the outlet's second host (this server as localhost) is reached
    # by its links, and Scrapy fetches that host's robots.txt itself. Some articles answer 503 past their retries.
    server: OutletServer = make_outlet_server(
        build_corpus(seed=7, n_articles=8), redirect_loop=True, private_redirect=True, tracking_variants=True,
        gone=True, flaky_5xx=Settings().retry_times + 1, retry_after_s=0, offsite_links=True,
        no_sitemaps_no_feeds=True, every=3,
    )
    second_host = f"localhost:{server.port}"
    result = crawl(server, tmp_path / "archive", outlet_overrides={"domains": [second_host]})

    sent = Counter((r.path.split("?", 1)[0], r.status) for r in result.requests if r.method == "GET")
    assert sent == result.warc_responses(), "every response the outlet sent is in the WARC, as often as it was sent"
    captures = result.warc_captures()
    hops = [c for c in captures if 300 <= c.status < 400]
    assert {urlsplit(c.uri).path.split("/")[1] for c in hops} >= {"loop", "out"}, "loops and private redirects met"
    for hop in hops:
        assert hop.request_uri == hop.uri, f"{hop.uri}: its request record is in the WARC"
        assert hop.location == expected_location(server, hop.uri), f"{hop.uri}: status and Location archived"
    max_hops = Settings().max_redirects
    loop = [c for c in hops if urlsplit(c.uri).path.startswith("/loop/0/")]
    assert len(loop) == max_hops + 1, "every hop of the loop, the one given up on included"
    landed = {c.uri: c.status for c in captures}
    followed = [c.location for c in hops if urlsplit(c.uri).path.startswith("/20")]  # trailing slash added
    assert followed and all(url in landed for url in followed), "where an on-site redirect led is archived too"
    assert 200 in {landed[url] for url in followed}, "the article a redirect chain ends at"
    assert any(c.status in (404, 410) for c in captures), "gone articles' error responses"
    assert sum(c.status == 503 for c in captures) > Settings().retry_times, "each try of a 503 past its retries"
    robots = [c.uri for c in captures if urlsplit(c.uri).path == "/robots.txt"]
    assert sorted(urlsplit(uri).netloc for uri in robots) == sorted([f"127.0.0.1:{server.port}", second_host])

    stats = result.stats
    roles = stats["captures_by_role"]
    assert roles["redirect"] == len(hops) and roles["robots"] == 2 and roles["retried"] > 0
    assert sum(roles.values()) == sum(stats["responses_by_status"].values()) == len(captures)
    assert result.manifest()["counts"]["captures"] == len(captures)
    assert adds_up(stats)


def expected_location(server: OutletServer, url: str) -> str:
    """Where the outlet server redirects ``url`` (see ``outlet_server.site``: always to its own base URL)."""
    path = urlsplit(url).path
    if path.startswith("/loop/"):
        number = path.split("/")[2]
        return server.url(f"/loop/{number}/" if path.endswith("/next/") else f"/loop/{number}/next/")
    if path.startswith("/out/"):
        return PRIVATE_TARGETS[int(path.split("/")[2])]
    return server.url(f"{path}/")  # an article linked without its trailing slash


def test_exactness_500_articles_all_themes_every_fault(tmp_path: Path) -> None:
    corpus = build_corpus(seed=11, n_articles=500)
    assert {a.theme for a in corpus.articles} >= {"jannah", "newspaper", "ghost"}
    since = corpus.start + timedelta(days=20)
    until = corpus.end - timedelta(days=10)
    with OutletServer(corpus, faults=Faults.all()) as server:
        result = crawl(server, tmp_path / "archive", window=(since, until))
        live = server.live_articles()
    in_window = [a for a in live if since <= a.published.astimezone(corpus.tz).date() <= until]
    records = result.records(all_versions=True)
    archived = [r.canonical_url for r in records]
    assert len(archived) == len(set(archived)), "every article archived exactly once"
    assert sorted(archived) == sorted(identity(server, a) for a in in_window), "every live in-window article"
    assert not set(archived) - {identity(server, a) for a in corpus.articles}, "no non-article archived"
    assert not [p for p in result.requested_paths() if p.startswith("/private/")], "nothing under Disallow"
    stats = result.stats
    assert stats["link_mode"] is True
    assert stats["articles_archived"] == len(in_window)
    assert stats["skipped"]["not_article"] > 0, "listings, tags, authors, about, ... met and not archived"
    assert stats["skipped"]["binary"] > 0 and stats["offsite_links_ignored"] > 0
    assert stats["requests"] == len(result.requests)
    assert adds_up(stats)
