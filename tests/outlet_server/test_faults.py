"""Each fault of the outlet, switched on for one server, behaves as the crawler tests expect."""

from __future__ import annotations

import gzip
import re
import time
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable
from html import unescape

import pytest

from outlet_server import ArticleSpec, Corpus, Faults, OutletServer
from tests.outlet_server.client import fetch

MakeServer = Callable[..., OutletServer]


def _affected(corpus: Corpus, faults: Faults, kind: str) -> list[ArticleSpec]:
    return [a for a in corpus.articles if faults.affects(kind, a)]


def test_faults_are_off_by_default(outlet_server: OutletServer, outlet_corpus: Corpus) -> None:
    assert outlet_server.faults == Faults()
    assert outlet_server.live_articles() == outlet_corpus.articles
    for kind in ("gone", "flaky_5xx", "slow", "rate_limit_429", "wrong_charset"):
        assert _affected(outlet_corpus, outlet_server.faults, kind) == []


def test_gone_articles_answer_404_or_410_and_others_live(make_outlet_server: MakeServer, outlet_corpus: Corpus) -> None:
    server = make_outlet_server(gone=True)
    gone = _affected(outlet_corpus, server.faults, "gone")
    assert gone and outlet_corpus.seed_article not in gone
    assert {fetch(server.url(a))[0] for a in gone} == {404, 410}
    assert all(fetch(server.url(a))[0] == 200 for a in server.live_articles()[:5])
    assert len(server.live_articles()) == len(outlet_corpus.articles) - len(gone)
    day = outlet_corpus.seed_article.published.date()
    assert outlet_corpus.seed_article in server.live_articles(since=day, until=day)
    assert all(a.published.date() == day for a in server.live_articles(since=day, until=day))


def test_flaky_articles_fail_n_times_with_retry_after_then_answer(make_outlet_server: MakeServer, outlet_corpus: Corpus) -> None:
    server = make_outlet_server(flaky_5xx=2)
    article = _affected(outlet_corpus, server.faults, "flaky_5xx")[0]
    answers = [fetch(server.url(article)) for _ in range(3)]
    assert [status for status, _, _ in answers] == [503, 503, 200]
    assert answers[0][1]["retry-after"] == "1"
    server.reset_log()
    assert fetch(server.url(article))[0] == 503


def test_rate_limited_article_answers_429_once(make_outlet_server: MakeServer, outlet_corpus: Corpus) -> None:
    server = make_outlet_server(rate_limit_429=True, retry_after_s=3)
    article = _affected(outlet_corpus, server.faults, "rate_limit_429")[0]
    status, headers, _ = fetch(server.url(article))
    assert status == 429 and headers["retry-after"] == "3"
    assert fetch(server.url(article))[0] == 200


def test_slow_articles_wait(make_outlet_server: MakeServer, outlet_corpus: Corpus) -> None:
    server = make_outlet_server(slow=0.5)
    slow = _affected(outlet_corpus, server.faults, "slow")[0]
    started = time.monotonic()
    assert fetch(server.url(slow))[0] == 200
    assert time.monotonic() - started >= 0.5
    with pytest.raises(TimeoutError):
        fetch(server.url(slow), timeout=0.2)


def test_wrong_charset_serves_legacy_code_pages(make_outlet_server: MakeServer, outlet_corpus: Corpus) -> None:
    server = make_outlet_server(wrong_charset=True)
    affected = _affected(outlet_corpus, server.faults, "wrong_charset")
    assert affected == [a for a in outlet_corpus.articles if a.language in ("ar", "ru")]
    assert {server.faults.declares_utf8(a) for a in affected} == {True, False}
    for article in affected:
        _, headers, body = fetch(server.url(article))
        codec = {"ar": "windows-1256", "ru": "cp1251"}[article.language]
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        assert article.paragraphs[0] in body.decode(codec)
        declared = "charset=" in headers["content-type"]
        assert declared == server.faults.declares_utf8(article)
        assert (b"charset=" in body) == declared
        if declared:
            assert "UTF-8" in headers["content-type"]


def test_binary_offsite_private_and_loop_links(make_outlet_server: MakeServer, outlet_corpus: Corpus) -> None:
    server = make_outlet_server(binary_links=True, offsite_links=True, private_redirect=True, redirect_loop=True)
    html = fetch(server.url(outlet_corpus.articles[4]))[2].decode()
    pdf = next(p for p in html.split('"') if p.endswith(".pdf"))
    status, headers, body = fetch(pdf)
    assert status == 200 and headers["content-type"] == "application/pdf" and body.startswith(b"%PDF")
    assert "http://localhost:" in html and "https://example.com/" in html
    status, headers, _ = fetch(server.url("/out/1/"))
    assert status == 302 and headers["location"].startswith("http://169.254.169.254/")
    first = fetch(server.url("/loop/2/"))
    second = fetch(first[1]["location"])
    assert first[0] == second[0] == 302 and second[1]["location"] == server.url("/loop/2/")


def test_traps_are_404_when_their_fault_is_off(outlet_server: OutletServer) -> None:
    for path in ("/out/1/", "/loop/1/", "/special/huge/", "/special/bomb/", "/sitemaps/lol.xml", "/feed/broken/"):
        assert fetch(outlet_server.url(path))[0] == 404


def test_huge_page_streams_its_size(make_outlet_server: MakeServer) -> None:
    server = make_outlet_server(huge_page=3 * 1024 * 1024)
    home = fetch(server.url("/"))[2]
    assert server.url("/special/huge/").encode() in home
    status, headers, body = fetch(server.url("/special/huge/"))
    assert status == 200 and int(headers["content-length"]) == len(body) == 3 * 1024 * 1024


def test_gzip_bomb_is_small_on_the_wire_and_huge_inflated(make_outlet_server: MakeServer) -> None:
    server = make_outlet_server(gzip_bomb=True)
    status, headers, body = fetch(server.url("/special/bomb/"))
    assert status == 200 and headers["content-encoding"] == "gzip" and len(body) < 1024 * 1024
    inflater = zlib.decompressobj(31)
    assert len(inflater.decompress(body, 50 * 1024 * 1024)) == 50 * 1024 * 1024
    assert server.url("/sitemaps/bomb.xml").encode() in fetch(server.url("/sitemap_index.xml"))[2]


def test_malformed_and_entity_bomb_sitemaps_are_listed(make_outlet_server: MakeServer) -> None:
    server = make_outlet_server(malformed_sitemap=True, entity_bomb_sitemap=True)
    index = fetch(server.url("/sitemap_index.xml"))[2].decode()
    for path in ("/sitemaps/broken.xml", "/sitemaps/lol.xml"):
        assert server.url(path) in index
        body = fetch(server.url(path))[2]
        if path.endswith("broken.xml"):
            with pytest.raises(ET.ParseError):
                ET.fromstring(body)
        else:
            assert b"<!ENTITY lol9" in body
    with pytest.raises(ET.ParseError):
        ET.fromstring(fetch(server.url("/feed/broken/"))[2])


def test_tracking_variants_in_links_and_feed(make_outlet_server: MakeServer) -> None:
    server = make_outlet_server(tracking_variants=True)
    html = "".join(unescape(fetch(server.url(p))[2].decode()) for p in ("/", "/page/2/", "/page/3/", "/page/4/"))
    hrefs = [h for h in re.findall(r'href="([^"]+)"', html) if re.search(r"/\d{4}/\d{2}/\d{2}/", h)]
    kinds = {"utm": "utm_source=", "fbclid": "fbclid=", "fragment": "#comments", "scheme": "HTTP://"}
    for kind, marker in kinds.items():
        assert any(marker in h for h in hrefs), kind
    assert any(not h.endswith("/") and "?" not in h and "#" not in h for h in hrefs)
    assert "utm_source=rss" in fetch(server.url("/feed/"))[2].decode()


def test_article_without_trailing_slash_redirects(outlet_server: OutletServer, outlet_corpus: Corpus) -> None:
    article = outlet_corpus.articles[3]
    status, headers, _ = fetch(server_url := outlet_server.url(article.path.rstrip("/")))
    assert status == 301 and headers["location"] == server_url + "/"


def test_no_sitemaps_no_feeds(make_outlet_server: MakeServer) -> None:
    server = make_outlet_server(no_sitemaps_no_feeds=True)
    assert "Sitemap:" not in fetch(server.url("/robots.txt"))[2].decode()
    for path in ("/sitemap.xml", "/sitemap_index.xml", "/sitemaps/posts-2026-10.xml", "/news-sitemap.xml", "/feed/",
                 "/feed/atom/"):
        assert fetch(server.url(path))[0] == 404
    assert fetch(server.url("/category/middle-east/"))[0] == 200


def test_all_faults_at_once_keep_the_site_serving(make_outlet_server: MakeServer, outlet_corpus: Corpus) -> None:
    server = OutletServer(outlet_corpus, Faults.all()).start()
    try:
        assert fetch(server.url("/robots.txt"))[0] == 200
        assert fetch(server.url(outlet_corpus.seed_article))[0] == 200
        statuses = {fetch(server.url(a))[0] for a in outlet_corpus.articles}
        assert statuses <= {200, 404, 410, 429, 503}
    finally:
        server.stop()


def test_gzip_content_is_deterministic(outlet_server: OutletServer, outlet_corpus: Corpus) -> None:
    one = fetch(outlet_server.url("/feed/"), headers={"Accept-Encoding": "gzip"})[2]
    two = fetch(outlet_server.url("/feed/"), headers={"Accept-Encoding": "gzip"})[2]
    assert one == two and gzip.decompress(one).startswith(b"<?xml")
