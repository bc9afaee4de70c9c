"""Routes of the outlet over real HTTP: pages answer, sitemaps and feeds parse and list the articles."""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from html import unescape

import pytest

from outlet_server import Corpus, OutletServer, build_corpus
from outlet_server.themes.listing import PER_PAGE
from tests.outlet_server.client import fetch

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _get(server: OutletServer, path: str) -> tuple[int, dict[str, str], bytes]:
    return fetch(server.url(path))


def test_robots_names_sitemaps_and_disallows_private(outlet_server: OutletServer) -> None:
    status, headers, body = _get(outlet_server, "/robots.txt")
    text = body.decode()
    assert status == 200 and headers["content-type"].startswith("text/plain")
    assert f"Sitemap: {outlet_server.base_url}sitemap_index.xml" in text.splitlines()
    assert "Disallow: /private/" in text.splitlines()


def test_sitemaps_list_every_article_once_with_lastmod(outlet_server: OutletServer, outlet_corpus: Corpus) -> None:
    pending, listed, nested = [outlet_server.url("/sitemap_index.xml")], [], 0
    while pending:
        status, _, body = fetch(pending.pop())
        assert status == 200
        root = ET.fromstring(body)
        if root.tag == f"{SM}sitemapindex":
            nested += 1
            pending += [e.findtext(f"{SM}loc") or "" for e in root.iter(f"{SM}sitemap")]
            continue
        for url in root.iter(f"{SM}url"):
            loc = url.findtext(f"{SM}loc") or ""
            if loc.removeprefix(outlet_server.base_url.rstrip("/")) in outlet_corpus.by_path:
                assert url.findtext(f"{SM}lastmod")
            listed.append(loc)
    articles = [outlet_server.url(a) for a in outlet_corpus.articles]
    assert nested == 2  # the root index and the nested index of older months
    assert sorted(u for u in listed if u in articles) == sorted(articles)


def test_news_sitemap_lists_the_last_two_days(outlet_server: OutletServer, outlet_corpus: Corpus) -> None:
    _, _, body = _get(outlet_server, "/news-sitemap.xml")
    urls = [e.findtext(f"{SM}loc") for e in ET.fromstring(body).iter(f"{SM}url")]
    newest = outlet_corpus.newest_first[0]
    assert urls and urls[0] == outlet_server.url(newest)
    recent = [a for a in outlet_corpus.articles if (newest.published - a.published).total_seconds() < 2 * 86400]
    assert sorted(urls) == sorted(outlet_server.url(a) for a in recent)


def test_rss_and_atom_list_the_newest_twenty(outlet_server: OutletServer, outlet_corpus: Corpus) -> None:
    newest = [outlet_server.url(a) for a in outlet_corpus.newest_first[:20]]
    _, _, rss = _get(outlet_server, "/feed/")
    assert [i.findtext("link") for i in ET.fromstring(rss).iter("item")] == newest
    _, _, atom = _get(outlet_server, "/feed/atom/")
    ns = "{http://www.w3.org/2005/Atom}"
    links = [e.find(f"{ns}link").get("href") for e in ET.fromstring(atom).iter(f"{ns}entry")]  # type: ignore[union-attr]
    assert links == newest


def test_section_pages_paginate_to_every_article(outlet_server: OutletServer, outlet_corpus: Corpus) -> None:
    slug = max(outlet_corpus.by_section, key=lambda s: len(outlet_corpus.by_section[s]))
    path, seen, pages = f"/category/{slug}/", set(), 0
    while path:
        status, _, body = _get(outlet_server, path)
        assert status == 200
        html = unescape(body.decode())
        seen |= {a.path for a in outlet_corpus.articles if outlet_server.url(a) in html}
        pages += 1
        nxt = None
        if 'rel="next"' in html:
            nxt = html.split('<link rel="next" href="')[1].split('"')[0]
            assert "Older posts" in html
        path = nxt.removeprefix(outlet_server.base_url.rstrip("/")) if nxt else ""
    expected = outlet_corpus.by_section[slug]
    assert pages == -(-len(expected) // PER_PAGE) >= 2
    assert seen >= {a.path for a in expected}


@pytest.mark.parametrize("path", ["/", "/about/", "/contact/", "/?s=aleppo", "/calendar/2026/11/", "/calendar/1999/01/",
                                  "/author/sami-haddad/", "/tag/aleppo/", "/page/2/"])
def test_non_article_pages_answer_and_are_not_articles(outlet_server: OutletServer, path: str) -> None:
    status, _, body = _get(outlet_server, path)
    assert status == 200
    assert b'og:type" content="article"' not in body and b"NewsArticle" not in body


def test_listed_non_article_paths_answer(outlet_server: OutletServer, outlet_corpus: Corpus) -> None:
    for path in outlet_corpus.non_article_paths():
        status, _, body = _get(outlet_server, path)
        assert status == 200 and b'og:type" content="article"' not in body, path


def test_calendar_is_endless(outlet_server: OutletServer) -> None:
    _, _, body = _get(outlet_server, "/calendar/2091/12/")
    assert outlet_server.url("/calendar/2092/01/").encode() in body


def test_unknown_paths_are_404(outlet_server: OutletServer) -> None:
    for path in ("/nope/", "/category/nope/", "/category/middle-east/page/999/", "/2026/01/01/nope/"):
        assert _get(outlet_server, path)[0] == 404


def test_seed_article_page_holds_its_paragraphs_in_order(outlet_server: OutletServer, outlet_corpus: Corpus) -> None:
    status, headers, body = _get(outlet_server, outlet_corpus.seed_article.path)
    html = unescape(body.decode("utf-8"))
    assert status == 200 and "charset=UTF-8" in headers["content-type"]
    positions = [html.index(f">{p}<") for p in outlet_corpus.seed_article.paragraphs]
    assert positions == sorted(positions)
    for marker in ('<div class="entry-content entry clearfix">', '<span class="post-cat-wrap">', "Related Articles",
                   '<h3 id="reply-title"', "Leave a Reply", "Back to top button", "<strong>ALSO READ</strong>",
                   "<title>Terrorists driven out of all Aleppo quarters | Levant Dispatch</title>"):
        assert marker in html
    assert html.index("Militants leave Aleppo") < html.index("ALSO READ") < html.index("A total of 3,033")


def test_gzip_when_accepted(outlet_server: OutletServer, outlet_corpus: Corpus) -> None:
    status, headers, body = fetch(outlet_server.url(outlet_corpus.seed_article), headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == _get(outlet_server, outlet_corpus.seed_article.path)[2]


def test_same_seed_same_bytes(outlet_server: OutletServer, make_outlet_server, outlet_corpus: Corpus) -> None:  # type: ignore[no-untyped-def]
    other = make_outlet_server(build_corpus(seed=7, n_articles=60))
    assert other.base_url != outlet_server.base_url
    for path in (*(a.path for a in outlet_corpus.articles[:9]), "/feed/", "/sitemap_index.xml", "/category/politics/"):
        mine = _get(outlet_server, path)[2].replace(outlet_server.base_url.encode(), b"BASE/")
        theirs = _get(other, path)[2].replace(other.base_url.encode(), b"BASE/")
        assert mine == theirs


def test_request_log_records_method_path_status(make_outlet_server) -> None:  # type: ignore[no-untyped-def]
    server = make_outlet_server()
    fetch(server.url("/robots.txt"))
    fetch(server.url("/nope/?x=1"), method="HEAD")
    assert [tuple(r) for r in server.requests] == [("GET", "/robots.txt", 200), ("HEAD", "/nope/?x=1", 404)]
    server.reset_log()
    assert server.requests == []


def test_private_preview_looks_like_an_article_and_is_linked(outlet_server: OutletServer, outlet_corpus: Corpus) -> None:
    preview = f"/private/preview/{outlet_corpus.articles[-1].post_id}/"
    status, _, body = _get(outlet_server, preview)
    assert status == 200 and b'og:type" content="article"' in body
    assert outlet_server.url(preview).encode() in _get(outlet_server, "/")[2]
    assert outlet_server.url(preview).encode() in _get(outlet_server, "/sitemaps/pages.xml")[2]


def test_conditional_get_answers_304_when_unchanged(outlet_server: OutletServer, outlet_corpus: Corpus) -> None:
    url = outlet_server.url(outlet_corpus.articles[2])
    _, headers, _ = fetch(url)
    status, _, body = fetch(url, headers={"If-Modified-Since": headers["last-modified"]})
    assert status == 304 and body == b""
    assert fetch(url, headers={"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"})[0] == 200


def test_percent_encoding_variants_name_one_page(outlet_server: OutletServer, outlet_corpus: Corpus) -> None:
    article = next(a for a in outlet_corpus.articles if a.language == "ar")
    assert "%D8" in article.path
    assert fetch(outlet_server.url(article.path.lower()))[0] == 200
    assert fetch(outlet_server.url(article.path.replace("%D8", "%d8")))[0] == 200


def test_crawl_delay_is_announced_when_asked(make_outlet_server) -> None:  # type: ignore[no-untyped-def]
    server = make_outlet_server(crawl_delay=1.5)
    assert "Crawl-delay: 1.5" in fetch(server.url("/robots.txt"))[2].decode().splitlines()
