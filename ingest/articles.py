"""Is this URL (or page) an article? The crawler's one decision about what gets archived.

Two stages, both driven by data (the pattern and type lists below):

1. **By URL**, before any request (:meth:`ArticleRules.classify_url`): binary files,
   never-archived pages (search, calendar, about, contact, login, ...), listing
   pages (category, section, tag, author, ``/page/N/``), registry
   ``exclude_url_patterns`` and, when the registry gives ``article_url_patterns``,
   articles by pattern.
2. **By page**, after the fetch (:meth:`ArticleRules.page_is_article`):
   ``og:type=article``; JSON-LD ``NewsArticle``/``Article``/``BlogPosting`` (and
   their schema.org sub-types); else one ``<article>`` element holding enough text.
   The article types and the text bar are the extractor's own (:mod:`extract.rules`), so
   both "is this an article" decisions read the same data.
   A page that declares itself a collection, profile or search page is not an
   article whatever else it carries.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector

from core.registry import Outlet
from extract.jsonld import is_article_type
from extract.rules import ARTICLE_OG_TYPES, MIN_ARTICLE_TEXT_CHARS

__all__ = [
    "EXCLUDED_URL_PATTERNS",
    "LISTING_URL_PATTERNS",
    "ArticleRules",
    "UrlKind",
    "url_date",
]

#: Pages that are never fetched nor archived (counted as not articles).
EXCLUDED_URL_PATTERNS: tuple[str, ...] = (
    r"[?&](?:s|q|query|search|keyword)=",
    r"/search(?:/|$)",
    r"/calendar(?:/|$)",
    r"^/\d{4}(?:/\d{1,2}){0,2}/?$",  # date archives: /2026/, /2026/10/, /2026/10/03/
    r"/(?:about|about-us|contact|contact-us|privacy|privacy-policy|terms|terms-of-use|cookies?|imprint"
    r"|impressum|advertise|subscribe|newsletter|login|register|signin|sign-in|account|cart|checkout)/?$",
    r"/wp-(?:admin|login|json|content|includes)(?:/|$)",
    r"/xmlrpc\.php",
    r"/feed/?$",
    r"/(?:amp|print)/?$",
    r"/comment-page-\d+",
    r"[?&](?:replytocom|share|print|amp)=",
)
#: Listing pages: fetched to find articles (sections, link crawling), never archived.
LISTING_URL_PATTERNS: tuple[str, ...] = (
    r"/(?:category|categories|section|sections|topic|topics|tag|tags|author|authors|writer|writers|archive)/",
    r"/page/\d+/?$",
    r"[?&](?:page|paged)=\d+",
)
#: Path dates of the form /YYYY/MM/DD/ (most news CMSs put the publication day there).
URL_DATE_PATTERN = re.compile(r"/((?:19|20)\d{2})/(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])/")

NOT_ARTICLE_JSONLD_TYPES: frozenset[str] = frozenset(
    {"collectionpage", "profilepage", "searchresultspage", "aboutpage", "contactpage", "itemlist"}
)

#: Links to files that are never articles (archives, images, media, office documents, code): not fetched.
BINARY_EXTENSIONS: tuple[str, ...] = (
    "7z", "7zip", "bz2", "rar", "tar", "tar.gz", "xz", "zip",
    "mng", "pct", "bmp", "gif", "jpg", "jpeg", "png", "pst", "psp", "tif", "tiff", "ai", "drw", "dxf", "eps", "ps",
    "svg", "cdr", "ico", "webp", "avif", "heic",
    "mp3", "wma", "ogg", "wav", "ra", "aac", "mid", "au", "aiff", "flac", "opus",
    "3gp", "asf", "asx", "avi", "mov", "mp4", "mpg", "mpeg", "qt", "rm", "swf", "wmv", "m4a", "m4v", "flv", "webm", "mkv",
    "xls", "xlsm", "xlsx", "xltm", "xltx", "potm", "potx", "ppt", "pptm", "pptx", "pps", "doc", "docb", "docm", "docx",
    "dotm", "dotx", "odt", "ods", "odg", "odp", "epub",
    "css", "pdf", "exe", "bin", "dmg", "iso", "apk", "jar", "sh", "rb", "js", "hta", "bat", "cpl", "msi", "msp", "py",
)
_BINARY_SUFFIXES = tuple(f".{ext}" for ext in BINARY_EXTENSIONS)


class UrlKind(StrEnum):
    ARTICLE = "article"  # matches the registry's article_url_patterns
    CANDIDATE = "candidate"  # fetch, then decide from the page
    LISTING = "listing"  # navigation: fetched for its links, never archived
    EXCLUDED = "excluded"  # never fetched, never archived
    BINARY = "binary"  # PDFs, images, archives, media: never fetched


def url_date(url: str) -> tuple[int, int, int] | None:
    """(year, month, day) named by a /YYYY/MM/DD/ path, when the URL has one."""
    match = URL_DATE_PATTERN.search(urlsplit(url).path + "/")
    return (int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None


def _jsonld_types(data: Any) -> Iterator[str]:
    if isinstance(data, list):
        for item in data:
            yield from _jsonld_types(item)
    elif isinstance(data, dict):
        declared = data.get("@type")
        for value in declared if isinstance(declared, list) else [declared]:
            if isinstance(value, str):
                yield value.rsplit("/", 1)[-1].lower()
        if "@graph" in data:
            yield from _jsonld_types(data["@graph"])


class ArticleRules:
    """The article/non-article rules for one outlet (built-in lists plus its registry patterns)."""

    def __init__(self, outlet: Outlet) -> None:
        self.outlet = outlet
        self._article = [re.compile(p) for p in outlet.article_url_patterns]
        self._excluded = [re.compile(p) for p in (*EXCLUDED_URL_PATTERNS, *outlet.exclude_url_patterns)]
        self._listing = [re.compile(p) for p in LISTING_URL_PATTERNS]

    @staticmethod
    def _path_and_query(url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def classify_url(self, url: str) -> UrlKind:
        target = self._path_and_query(url)
        if urlsplit(url).path.lower().endswith(_BINARY_SUFFIXES):
            return UrlKind.BINARY
        if any(p.search(target) for p in self._excluded):
            return UrlKind.EXCLUDED
        if self._article:
            # Registry patterns are the outlet's own word: they win over the built-in listing rules.
            if any(p.search(url) or p.search(target) for p in self._article):
                return UrlKind.ARTICLE
            return UrlKind.LISTING
        if target in ("", "/") or any(p.search(target) for p in self._listing):
            return UrlKind.LISTING
        return UrlKind.CANDIDATE

    def page_is_article(self, page: Selector | str, url: str) -> tuple[bool, str]:
        """(is it an article?, the signal that decided) for a fetched HTML page."""
        kind = self.classify_url(url)
        if kind in (UrlKind.LISTING, UrlKind.EXCLUDED, UrlKind.BINARY):
            return False, f"url:{kind.value}"
        sel = Selector(text=page) if isinstance(page, str) else page
        types: set[str] = set()
        for script in sel.xpath('//script[@type="application/ld+json"]/text()').getall():
            try:
                types.update(_jsonld_types(json.loads(script)))
            except (ValueError, RecursionError):
                continue
        has_article_type = any(is_article_type(t) for t in types)
        if types & NOT_ARTICLE_JSONLD_TYPES and not has_article_type:
            return False, "jsonld:collection"
        if kind is UrlKind.ARTICLE:
            return True, "registry-pattern"
        og_type = (sel.xpath('//meta[@property="og:type"]/@content').get() or "").strip().lower()
        if og_type in ARTICLE_OG_TYPES:
            return True, "og:type"
        if has_article_type:
            return True, "jsonld"
        articles = sel.xpath("//article")
        if len(articles) == 1:
            text = " ".join(articles[0].xpath(".//p//text()").getall())
            if len(" ".join(text.split())) >= MIN_ARTICLE_TEXT_CHARS:
                return True, "article-element"
        return False, "no-article-signal"
