"""Discovery parsers: robots.txt, sitemaps (index, lastmod, news), feeds, listings — and hostile XML."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from ingest.discovery import (
    XmlTooLarge,
    looks_like_feed,
    page_number,
    parse_feed,
    parse_listing,
    parse_sitemap,
    parse_xml,
    robots_sitemaps,
)
from ingest.discovery.xmlsafe import maybe_gunzip
from outlet_server.faults import BROKEN_FEED, BROKEN_SITEMAP, ENTITY_BOMB, gzip_bomb

BASE = "https://news.example/"


def test_robots_sitemap_lines_are_absolute_and_unique() -> None:
    text = "User-agent: *\nDisallow: /private/\nSitemap: /sitemap_index.xml\nsitemap: https://news.example/news.xml # n\nSitemap: /sitemap_index.xml\n"
    assert robots_sitemaps(text, BASE) == ["https://news.example/sitemap_index.xml", "https://news.example/news.xml"]


def test_sitemap_index_keeps_child_lastmod() -> None:
    body = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>/sitemaps/posts-2026-09.xml</loc><lastmod>2026-09-30T10:00:00+00:00</lastmod></sitemap>
    <sitemap><loc>https://news.example/sitemaps/posts-2026-10.xml</loc></sitemap></sitemapindex>"""
    sitemap = parse_sitemap(body, BASE)
    assert sitemap.kind == "index" and not sitemap.malformed
    assert [e.loc for e in sitemap.entries] == [
        "https://news.example/sitemaps/posts-2026-09.xml",
        "https://news.example/sitemaps/posts-2026-10.xml",
    ]
    assert sitemap.entries[0].lastmod == datetime(2026, 9, 30, 10, tzinfo=UTC)
    assert sitemap.entries[1].lastmod is None


def test_urlset_lastmod_naive_dates_take_the_outlet_zone() -> None:
    body = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url><loc>https://news.example/2026/10/03/a/</loc><lastmod>2026-10-03</lastmod></url>
    <url><loc>https://news.example/2026/10/04/b/</loc><lastmod>not a date</lastmod></url></urlset>"""
    tz = ZoneInfo("Asia/Damascus")
    sitemap = parse_sitemap(body, BASE, tz=tz)
    assert sitemap.kind == "urlset" and not sitemap.is_news
    assert sitemap.entries[0].lastmod == datetime(2026, 10, 3, tzinfo=tz)
    assert sitemap.entries[1].lastmod is None


def test_google_news_sitemap_gives_publication_dates_and_titles() -> None:
    body = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
      xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
    <url><loc>https://news.example/2026/11/19/x/</loc><news:news>
      <news:publication><news:name>X</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2026-11-19T08:00:00Z</news:publication_date><news:title>Bread prices</news:title>
    </news:news></url></urlset>"""
    sitemap = parse_sitemap(body, BASE)
    assert sitemap.is_news
    (entry,) = sitemap.entries
    assert entry.published == datetime(2026, 11, 19, 8, tzinfo=UTC) and entry.title == "Bread prices"


def test_gzipped_sitemap_is_read_and_url_cap_counts_the_rest() -> None:
    urls = "".join(f"<url><loc>https://news.example/p/{i}/</loc></url>" for i in range(10))
    body = gzip.compress(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode())
    sitemap = parse_sitemap(body, BASE, max_urls=4)
    assert len(sitemap.entries) == 4 and sitemap.truncated == 6


def test_malformed_sitemap_recovers_what_it_can_and_says_so() -> None:
    sitemap = parse_sitemap(BROKEN_SITEMAP.format(base=BASE).encode(), BASE)
    assert sitemap.malformed and sitemap.problems
    assert any("this-entry-is-not-closed" in e.loc for e in sitemap.entries)


def test_entity_bomb_is_never_expanded() -> None:
    sitemap = parse_sitemap(ENTITY_BOMB.encode(), BASE)
    assert sitemap.malformed
    assert all(len(e.loc) < 200 for e in sitemap.entries)


def test_gzip_bomb_and_oversized_documents_are_refused() -> None:
    with pytest.raises(XmlTooLarge):
        parse_xml(gzip_bomb(8 * 1024 * 1024), max_bytes=1024 * 1024)
    with pytest.raises(XmlTooLarge):
        parse_xml(b"<urlset>" + b" " * 2048 + b"</urlset>", max_bytes=1024)


def test_gunzip_reads_every_member_stops_at_the_cap_and_keeps_what_precedes_damage() -> None:
    first, second = b"<urlset>" + b"a" * 100_000, b"b" * 100_000 + b"</urlset>"
    two_members = gzip.compress(first) + gzip.compress(second)
    assert maybe_gunzip(two_members) == first + second
    assert maybe_gunzip(b"<urlset/>") == b"<urlset/>"  # not gzip: as is
    with pytest.raises(XmlTooLarge):
        maybe_gunzip(two_members, max_bytes=150_000)
    assert maybe_gunzip(two_members + b"trailing garbage") == first + second
    truncated = gzip.compress(first + second)[:-20]
    assert (first + second).startswith(maybe_gunzip(truncated)) and maybe_gunzip(truncated)
    assert maybe_gunzip(b"\x1f\x8b\x08 not really gzip") == b""


def test_garbage_is_an_empty_malformed_document() -> None:
    for body in (b"", b"\x00\x01\x02", b"<html><body>Not XML & not a sitemap"):
        assert parse_sitemap(body, BASE).entries == []
        assert parse_sitemap(body, BASE).malformed
        assert parse_feed(body, BASE).entries == []


def test_rss_feed_entries_with_pubdate_and_guid_fallback() -> None:
    body = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
    <item><title>One</title><link>https://news.example/2026/11/01/one/?utm_source=rss</link>
      <pubDate>Sun, 01 Nov 2026 09:30:00 +0000</pubDate></item>
    <item><title>Two</title><guid isPermaLink="true">https://news.example/2026/11/02/two/</guid></item>
    <item><title>No link</title></item></channel></rss>"""
    assert looks_like_feed(body)
    feed = parse_feed(body, BASE)
    assert feed.kind == "rss" and not feed.malformed
    assert [e.url for e in feed.entries] == [
        "https://news.example/2026/11/01/one/?utm_source=rss",
        "https://news.example/2026/11/02/two/",
    ]
    assert feed.entries[0].published == datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def test_atom_feed_alternate_links_and_dates() -> None:
    body = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
    <entry><title>A</title><link rel="self" href="/feed/a.xml"/><link rel="alternate" href="/2026/10/05/a/"/>
      <published>2026-10-05T12:00:00+02:00</published><updated>2026-10-06T00:00:00Z</updated></entry></feed>"""
    feed = parse_feed(body, BASE)
    (entry,) = feed.entries
    assert feed.kind == "atom" and entry.url == "https://news.example/2026/10/05/a/"
    assert entry.published == datetime(2026, 10, 5, 10, tzinfo=UTC)
    assert entry.updated == datetime(2026, 10, 6, tzinfo=UTC)


def test_broken_feed_is_flagged() -> None:
    feed = parse_feed(BROKEN_FEED.format(base=BASE).encode(), BASE)
    assert feed.malformed


@pytest.mark.parametrize(
    ("html", "url", "expected"),
    [
        ('<head><link rel="next" href="/category/economy/page/2/"></head>', BASE + "category/economy/",
         BASE + "category/economy/page/2/"),
        ('<a class="x" rel="next" href="?page=3">»</a>', BASE + "news/?page=2", BASE + "news/?page=3"),
        ('<div class="nav-links"><a href="/category/economy/page/3/">« Older posts</a></div>',
         BASE + "category/economy/page/2/", BASE + "category/economy/page/3/"),
        ('<a href="/category/economy/page/2/">2</a><a href="/category/other/page/2/">2</a>',
         BASE + "category/economy/", BASE + "category/economy/page/2/"),
        ('<a href="/category/x/page/2/">Следующая</a>', BASE + "category/x/", BASE + "category/x/page/2/"),
    ],
)
def test_listing_pagination_by_rel_next_label_and_page_number(html: str, url: str, expected: str) -> None:
    listing = parse_listing(f"<html><body>{html}</body></html>", url)
    assert listing.next_pages == [expected]


def test_listing_links_are_absolute_without_fragments_or_scripts() -> None:
    html = '<a href="/2026/10/03/a/#comments">a</a><a href="javascript:void(0)">x</a><a href="mailto:x@y">m</a>' \
           '<a href="https://other.example/b/">b</a>'
    listing = parse_listing(html, BASE)
    assert listing.links == ["https://news.example/2026/10/03/a/", "https://other.example/b/"]
    assert listing.next_pages == []
    assert page_number(BASE + "category/x/page/7/") == 7 and page_number(BASE) == 1
