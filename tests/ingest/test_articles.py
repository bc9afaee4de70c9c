"""Article or not: URL rules (built-in and registry) and page signals."""

from __future__ import annotations

import json

import pytest

from core.registry import Outlet
from extract.article import extract_article
from extract.rules import ARTICLE_JSONLD_TYPES, ARTICLE_OG_TYPES
from ingest.articles import ArticleRules, UrlKind, url_date

BASE = "https://news.example/"
OUTLET = Outlet(id="news", name="News", base_url=BASE)
PARAGRAPH = "<p>" + "Residents of the city returned to the market on Saturday as the new bridge opened. " * 4 + "</p>"


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("2026/10/03/bridge-reopens/", UrlKind.CANDIDATE),
        ("?p=1234", UrlKind.CANDIDATE),
        ("", UrlKind.LISTING),
        ("category/economy/", UrlKind.LISTING),
        ("category/economy/page/4/", UrlKind.LISTING),
        ("tag/aleppo/", UrlKind.LISTING),
        ("author/jane-doe/", UrlKind.LISTING),
        ("about/", UrlKind.EXCLUDED),
        ("contact/", UrlKind.EXCLUDED),
        ("?s=aleppo", UrlKind.EXCLUDED),
        ("search/aleppo/", UrlKind.EXCLUDED),
        ("calendar/2026/10/", UrlKind.EXCLUDED),
        ("2026/10/", UrlKind.EXCLUDED),
        ("feed/", UrlKind.EXCLUDED),
        ("wp-content/uploads/2026/10/report.pdf", UrlKind.BINARY),
        ("wp-content/uploads/2026/10/photo.JPG", UrlKind.BINARY),
    ],
)
def test_builtin_url_rules(path: str, kind: UrlKind) -> None:
    assert ArticleRules(OUTLET).classify_url(BASE + path) is kind


def test_registry_patterns_decide_when_given() -> None:
    outlet = OUTLET.model_copy(
        update={"article_url_patterns": [r"/news/\d+-"], "exclude_url_patterns": [r"/live/"]}
    )
    rules = ArticleRules(outlet)
    assert rules.classify_url(BASE + "news/123-bridge") is UrlKind.ARTICLE
    assert rules.classify_url(BASE + "2026/10/03/bridge/") is UrlKind.LISTING
    assert rules.classify_url(BASE + "live/123-blog") is UrlKind.EXCLUDED


def _page(head: str = "", body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def _jsonld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


@pytest.mark.parametrize(
    ("html", "expected", "signal"),
    [
        (_page('<meta property="og:type" content="article">'), True, "og:type"),
        (_page(_jsonld({"@context": "https://schema.org", "@type": "NewsArticle"})), True, "jsonld"),
        (_page(_jsonld({"@graph": [{"@type": "WebPage"}, {"@type": ["BlogPosting"]}]})), True, "jsonld"),
        (_page(body=f"<article>{PARAGRAPH * 3}</article>"), True, "article-element"),
        (_page(body=f"<article>{PARAGRAPH}</article><article>{PARAGRAPH}</article>"), False, "no-article-signal"),
        (_page(body="<article><p>Short teaser.</p></article>"), False, "no-article-signal"),
        (_page('<meta property="og:type" content="website">'), False, "no-article-signal"),
        (_page(_jsonld({"@type": "CollectionPage"}) + '<meta property="og:type" content="article">'), False,
         "jsonld:collection"),
        (_page(_jsonld("{not json")), False, "no-article-signal"),
    ],
)
def test_page_signals(html: str, expected: bool, signal: str) -> None:
    assert ArticleRules(OUTLET).page_is_article(html, BASE + "2026/10/03/x/") == (expected, signal)


@pytest.mark.parametrize("article_type", sorted(ARTICLE_JSONLD_TYPES))
def test_fetcher_and_extractor_agree_on_each_jsonld_article_type(article_type: str) -> None:
    html = _page(_jsonld({"@context": "https://schema.org", "@type": article_type}), PARAGRAPH)
    url = BASE + "2026/10/03/x/"
    assert ArticleRules(OUTLET).page_is_article(html, url) == (True, "jsonld")
    assert extract_article(html, url).is_article


@pytest.mark.parametrize("og_type", sorted(ARTICLE_OG_TYPES))
def test_fetcher_and_extractor_agree_on_each_og_article_type(og_type: str) -> None:
    html = _page(f'<meta property="og:type" content="{og_type}">', PARAGRAPH)
    url = BASE + "2026/10/03/x/"
    assert ArticleRules(OUTLET).page_is_article(html, url) == (True, "og:type")
    assert extract_article(html, url).is_article


def test_fetcher_and_extractor_agree_on_a_page_without_article_signal() -> None:
    html = _page('<meta property="og:type" content="website">', PARAGRAPH)
    url = BASE + "2026/10/03/x/"
    assert ArticleRules(OUTLET).page_is_article(html, url) == (False, "no-article-signal")
    assert not extract_article(html, url).is_article


def test_listing_url_is_never_an_article_whatever_the_page_says() -> None:
    html = _page('<meta property="og:type" content="article">')
    assert ArticleRules(OUTLET).page_is_article(html, BASE + "tag/aleppo/") == (False, "url:listing")


def test_url_date() -> None:
    assert url_date(BASE + "2026/10/03/x/") == (2026, 10, 3)
    assert url_date(BASE + "2026/10/x/") is None
