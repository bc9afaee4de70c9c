"""Each theme renders the markup and metadata its CMS really emits, and the body paragraphs in order."""

from __future__ import annotations

import json
import re
from datetime import datetime
from html import unescape

import pytest

from outlet_server import ArticleSpec, Corpus, OutletServer
from tests.outlet_server.client import fetch

THEME_MARKERS = {
    "jannah": ('<div class="entry-content entry clearfix">', '<span class="post-cat-wrap">', 'id="related-posts-',
               '<h3 id="reply-title"', "Back to top button", 'id="tie-schema-json"'),
    "newspaper": ('<div class="td-post-content tagdiv-type">', '<ul class="td-category">', "td_block_related_posts",
                  "RELATED ARTICLES", "LEAVE A REPLY", "- Advertisement -"),
    "ghost": ('<section class="gh-content gh-canvas">', '<article class="article post', "Powered by Ghost",
              'class="read-more-wrap outer"', 'content="Ghost'),
}


def _page(server: OutletServer, article: ArticleSpec) -> str:
    status, _, body = fetch(server.url(article))
    assert status == 200
    return body.decode("utf-8")


def _jsonld(html: str) -> dict:  # type: ignore[type-arg]
    match = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    assert match, "no JSON-LD"
    return json.loads(match.group(1))  # type: ignore[no-any-return]


@pytest.mark.parametrize("theme", sorted(THEME_MARKERS))
def test_theme_markup_and_paragraph_order(outlet_server: OutletServer, outlet_corpus: Corpus, theme: str) -> None:
    articles = [a for a in outlet_corpus.articles if a.theme == theme]
    assert len(articles) >= 10
    for article in articles:
        html = _page(outlet_server, article)
        for marker in THEME_MARKERS[theme]:
            assert marker in html, (theme, marker)
        text, cursor = unescape(html), 0
        for paragraph in article.paragraphs:  # each paragraph found after the one before it
            cursor = text.index(paragraph, cursor) + len(paragraph)
        assert f'<link rel="canonical" href="{outlet_server.url(article)}"' in html


def test_title_carries_the_site_suffix_on_wordpress_only(outlet_server: OutletServer, outlet_corpus: Corpus) -> None:
    for article in outlet_corpus.articles[:12]:
        title = unescape(re.search(r"<title>(.*?)</title>", _page(outlet_server, article)).group(1))  # type: ignore[union-attr]
        expected = article.title if article.theme == "ghost" else f"{article.title} | {outlet_corpus.site_name}"
        assert title == expected


def test_metadata_where_each_theme_puts_it(outlet_server: OutletServer, outlet_corpus: Corpus) -> None:
    for article in outlet_corpus.articles:
        html = _page(outlet_server, article)
        has_og = 'property="og:type" content="article"' in html
        if article.theme == "ghost":
            data = _jsonld(html)
            assert not has_og and data["@type"] == "Article" and data["datePublished"].endswith("Z")
            assert datetime.fromisoformat(data["datePublished"]) == article.published
        elif article.theme == "newspaper" and not article.states_timezone:
            assert not has_og and "application/ld+json" not in html
            naive = article.published.replace(tzinfo=None).isoformat(timespec="seconds")
            assert f'datetime="{naive}"' in html
            assert article.gold()["published"] == article.published and article.gold()["modified"] is None
        else:
            data = _jsonld(html)
            assert has_og and data["@type"] in ("NewsArticle", "Article")
            assert datetime.fromisoformat(data["datePublished"]) == article.published
            assert f'content="{article.published.isoformat(timespec="seconds")}"' in html
        lang = re.search(r'<html[^>]* lang="([^"]+)"', html).group(1)  # type: ignore[union-attr]
        assert lang.split("-")[0] == article.language


def test_languages_and_their_teasers(outlet_server: OutletServer, outlet_corpus: Corpus) -> None:
    labels = {"ar": "اقرأ أيضا", "ru": "Читайте также"}
    for language, label in labels.items():
        articles = [a for a in outlet_corpus.articles if a.language == language]
        assert articles
        with_teaser = [a for a in articles if a.teaser_headline]
        assert with_teaser
        for article in with_teaser:
            html = unescape(_page(outlet_server, article))
            assert label in html and article.teaser_headline in html
            assert outlet_corpus.article(article.teaser_headline).language == language
        if language == "ar":
            assert all('dir="rtl"' in _page(outlet_server, a) for a in articles)


def test_lookalike_paragraphs_are_content(outlet_corpus: Corpus) -> None:
    words = re.compile(r"\b(related|read|reply|share|leave)\b", re.I)
    english = [a for a in outlet_corpus.articles if a.lookalike and a.language == "en"]
    assert english and all(any(words.search(p) for p in a.paragraphs) for a in english)


def test_template_line_is_boilerplate_not_gold(outlet_server: OutletServer, outlet_corpus: Corpus) -> None:
    from outlet_server import TEMPLATE_LINES

    article = next(a for a in outlet_corpus.articles if a.theme == "jannah" and not a.is_seed and a.language == "en")
    assert TEMPLATE_LINES["en"] in unescape(_page(outlet_server, article))
    assert TEMPLATE_LINES["en"] not in article.gold_text


def test_multiple_authors_are_all_on_the_page(outlet_server: OutletServer, outlet_corpus: Corpus) -> None:
    articles = [a for a in outlet_corpus.articles if len(a.authors) > 1]
    assert articles
    for article in articles:
        html = unescape(_page(outlet_server, article))
        assert all(name in html for name in article.authors)
