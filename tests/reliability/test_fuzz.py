"""Fuzzing (issue 9, point 4): the extractor and the discovery parsers under malformed input — no crash,
no hang, bounded memory.

Hypothesis generates hostile HTML and XML (tag soup, deep nesting, random attributes and JSON-LD,
byte-level mutations of real sitemaps and feeds, DTDs with internal and external entities, gzip
wrappers, raw bytes). Each example runs in a forked child (:func:`isolation.run_isolated`) with a time
limit, so a hang is killed and reported instead of stalling the suite, and the child's peak RSS is
measured. Allowed outcomes: a result, or the one documented error (``ExtractionError`` for the
extractor, ``XmlTooLarge`` for a document above the size cap).
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from extract import extract_article
from ingest.discovery import parse_feed, parse_listing, parse_sitemap, robots_sitemaps
from tests.reliability.harness import FIGURES
from tests.reliability.isolation import run_isolated

#: Per input: the child is killed after this long (a hang), and may grow at most this much.
TIME_LIMIT_S = 10.0
MEMORY_LIMIT = 150 * 1024 * 1024
FUZZ = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
#: The extractor costs ~0.3 s an example on tag soup: fewer of them keep the suite under a minute.
FUZZ_EXTRACT = settings(FUZZ, max_examples=30)
BASE = "https://news.example/"

TAGS = ["div", "p", "article", "main", "section", "h1", "h2", "span", "a", "table", "td", "time", "header",
        "footer", "nav", "figure", "figcaption", "ul", "li", "br", "img", "script", "style", "meta", "link",
        "title", "head", "body", "html", "iframe", "noscript", "svg", "template", "form", "select", "textarea"]
ATTRIBUTES = ["class", "id", "href", "src", "content", "property", "name", "itemprop", "datetime", "charset",
              "rel", "type", "lang", "http-equiv", "style"]
NASTY_TEXT = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["\x00", "\ufeff", "&amp;&#0;&#x110000;&bogus;", "]]>", "<!--", "-->", "<![CDATA[", "\u202e",
                     "http://[::1", "//[", "9" * 5000, "\ud800".encode("utf-8", "surrogatepass").decode("latin-1")]),
)


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    attrs = st.lists(st.tuples(st.sampled_from(ATTRIBUTES), NASTY_TEXT), max_size=4)

    def render(tag: str, pairs: list[tuple[str, str]], inner: list[str], close: bool) -> str:
        attributes = "".join(f' {name}="{value}"' for name, value in pairs)
        return f"<{tag}{attributes}>{''.join(inner)}" + (f"</{tag}>" if close else "")

    return st.builds(render, st.sampled_from(TAGS), attrs, st.lists(children, max_size=5), st.booleans())


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | NASTY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["@type", "@context", "@graph", "headline", "author", "datePublished", "name",
                         "articleSection", "keywords", "itemListElement", "url", "image"]) | st.text(max_size=8),
        inner, max_size=5),
    max_leaves=20,
)
JSON_LD = JSON_VALUES.map(lambda value: f'<script type="application/ld+json">{json.dumps(value)}</script>')
TAG_SOUP = st.recursive(NASTY_TEXT, _element, max_leaves=60)
DEEP = st.integers(min_value=100, max_value=20_000).map(lambda n: "<div>" * n + "text" + "</div>" * (n // 2))
HTML = st.one_of(
    st.builds(lambda head, body: f"<html><head>{head}</head><body>{body}</body></html>", JSON_LD, TAG_SOUP),
    TAG_SOUP,
    DEEP,
)
HTML_BYTES = st.one_of(
    HTML.map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.binary(max_size=4096),
    st.tuples(HTML, st.sampled_from(["utf-16", "cp1251", "windows-1256", "latin-1", "shift_jis"])).map(
        lambda pair: pair[0].encode(pair[1], "replace")),
)

SITEMAP = (f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
           f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
           f"<url><loc>{BASE}2026/10/03/a/</loc><lastmod>2026-10-03T10:00:00+03:00</lastmod>"
           f"<news:news><news:publication_date>2026-10-03</news:publication_date><news:title>T</news:title>"
           f"</news:news></url></urlset>").encode()
INDEX = (f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap>'
         f"<loc>{BASE}sitemaps/posts-2026-10.xml</loc><lastmod>2026-10-31</lastmod></sitemap></sitemapindex>").encode()
RSS = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>a</title>'
       f"<link>{BASE}2026/10/03/a/</link><pubDate>Sat, 03 Oct 2026 10:00:00 +0300</pubDate></item>"
       f"</channel></rss>").encode()
ATOM = (f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><title>a</title>'
        f'<link rel="alternate" href="{BASE}2026/10/03/a/"/><published>2026-10-03T10:00:00Z</published></entry>'
        f"</feed>").encode()
DTDS = [
    '<!DOCTYPE x [<!ENTITY e "expanded">]>',
    '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]>',
    '<!DOCTYPE x [<!ENTITY a "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY b "&c;&c;&c;&c;&c;&c;&c;&c;">'
    '<!ENTITY c "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx">]>',
]
REFERENCES = ["&e;", "&xxe;", "&a;", "&#0;", "&#x110000;", "&undefined;"]


@st.composite
def mutated_xml(draw: st.DrawFn) -> bytes:
    """A real sitemap or feed, maybe given a DTD and entity references, then damaged byte by byte."""
    doc = bytearray(draw(st.sampled_from([SITEMAP, INDEX, RSS, ATOM])))
    if draw(st.booleans()):
        start = doc.index(b"?>") + 2 if b"?>" in doc else 0
        doc[start:start] = draw(st.sampled_from(DTDS)).encode()
        at = doc.index(b"<loc>") + 5 if b"<loc>" in doc else doc.index(b"<link") + 5
        doc[at:at] = draw(st.sampled_from(REFERENCES)).encode()
    for _ in range(draw(st.integers(0, 6))):
        position = draw(st.integers(0, len(doc)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        chunk = draw(st.binary(min_size=1, max_size=16) | NASTY_TEXT.map(lambda t: t.encode("utf-8", "replace")))
        if action == "insert":
            doc[position:position] = chunk
        elif action == "delete":
            del doc[position:position + len(chunk)]
        else:
            doc[position:position + len(chunk)] = chunk
    data = bytes(doc)
    return gzip.compress(data) if draw(st.integers(0, 4)) == 0 else data


XML_BYTES = st.one_of(mutated_xml(), st.binary(max_size=2048),
                      TAG_SOUP.map(lambda text: f'<?xml version="1.0"?>{text}'.encode("utf-8", "replace")))


@pytest.fixture(scope="module", autouse=True)
def warm_parsers() -> None:
    """Each example runs in a fork of this process: initialise lazily built state (models, caches) once here."""
    _extract(b"<html><body><article><h1>Warm</h1><p>" + b"Warm up text. " * 50 + b"</p></article></body></html>",
             BASE + "2026/10/03/a/")
    parse_sitemap(SITEMAP, BASE)
    parse_feed(RSS, BASE)
    parse_listing("<a href='/page/2/'>next</a>", BASE)


def check(call: Callable[[], Any], allowed: tuple[str, ...] = ()) -> Any:
    """Run ``call`` isolated: it must finish in time, within the memory bound, and raise nothing unexpected."""
    outcome = run_isolated(call, timeout_s=TIME_LIMIT_S)
    FIGURES.fuzz_inputs += 1
    assert not outcome.hung, f"no answer within {TIME_LIMIT_S} s"
    assert outcome.peak_rss_growth < MEMORY_LIMIT, f"grew {outcome.peak_rss_growth / 2**20:.0f} MiB"
    if outcome.error is not None:
        assert outcome.error.split(":", 1)[0] in allowed, outcome.error
    return outcome.result


def _extract(html: bytes, url: str) -> dict[str, Any]:
    ex = extract_article(html, url)
    assert isinstance(ex.text, str) and isinstance(ex.is_article, bool)
    return {"text": len(ex.text), "html": len(ex.html), "markdown": len(ex.markdown), "title": ex.title}


@FUZZ_EXTRACT
@given(html=HTML_BYTES, path=NASTY_TEXT)
@example(html=b"<div>" * 50_000, path="")
@example(html=b"\xff\xfe" + "<html><p>\u0000</p></html>".encode("utf-16-le"), path="%")
def test_extract_article_survives_malformed_html(html: bytes, path: str) -> None:
    check(lambda: _extract(html, BASE + path), allowed=("ExtractionError",))


@FUZZ
@given(body=XML_BYTES)
@example(body=SITEMAP.replace(b"a/</loc>", b"a/&xxe;</loc>").replace(b"?>", b"?>" + DTDS[1].encode(), 1))
@example(body=SITEMAP.replace(f"{BASE}2026/10/03/a/".encode(), b"http://[::1"))
def test_sitemap_parser_survives_malformed_xml(body: bytes) -> None:
    sitemap = check(lambda: parse_sitemap(body, BASE), allowed=("XmlTooLarge",))
    if sitemap is not None:
        assert not any("root:" in e.loc for e in sitemap.entries), "external entity resolved (XXE)"


@FUZZ
@given(body=XML_BYTES)
@example(body=RSS.replace(f"{BASE}2026/10/03/a/".encode(), b"http://[::1"))
def test_feed_parser_survives_malformed_xml(body: bytes) -> None:
    check(lambda: parse_feed(body, BASE), allowed=("XmlTooLarge",))


@settings(FUZZ, max_examples=60)
@given(html=HTML, url_tail=NASTY_TEXT, robots=NASTY_TEXT)
@example(html='<a href="/category/x/page/' + "9" * 5000 + '/">next</a>', url_tail="category/x/", robots="")
@example(html='<a href="http://[::1">x</a><base href="http://[">', url_tail="", robots="Sitemap: http://[::1")
def test_listing_and_robots_parsers_survive_malformed_pages(html: str, url_tail: str, robots: str) -> None:
    check(lambda: (parse_listing(html, BASE + url_tail), robots_sitemaps(robots, BASE)))


def test_the_limits_catch_a_hang_and_a_memory_blow_up() -> None:
    """The harness itself: a call that would hang is killed and reported, a call that grows is measured."""
    hang = run_isolated(lambda: time.sleep(60), timeout_s=0.5)
    assert hang.hung and hang.seconds < 5
    grown = run_isolated(lambda: len(b"\x01" * (MEMORY_LIMIT + 50 * 2**20)))  # written, so resident (not calloc'd)
    assert grown.ok and grown.peak_rss_growth > MEMORY_LIMIT
