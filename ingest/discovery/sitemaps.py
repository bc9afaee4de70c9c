"""Sitemaps: robots.txt ``Sitemap:`` lines, sitemap indexes, URL sets and Google News sitemaps.

:func:`parse_sitemap` turns one sitemap document into a :class:`Sitemap`: either an
index of child sitemaps or a set of page URLs, each with the dates discovery can
use to skip out-of-window pages before fetching them (``lastmod``; a news
sitemap's ``publication_date``). Malformed or hostile documents yield an empty
sitemap with ``malformed`` set, never an exception (except for the size cap).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from core.dates import parse_datetime
from ingest.discovery.xmlsafe import MAX_XML_BYTES, absolute_url, local_name, parse_xml

__all__ = ["Sitemap", "SitemapEntry", "parse_sitemap", "robots_sitemaps"]

SitemapKind = Literal["index", "urlset", "unknown"]


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    """One ``<url>`` or ``<sitemap>`` of a sitemap."""

    loc: str
    lastmod: datetime | None = None
    #: ``<news:publication_date>`` of a Google News sitemap: the publication date itself.
    published: datetime | None = None
    title: str | None = None


@dataclass(slots=True)
class Sitemap:
    kind: SitemapKind
    entries: list[SitemapEntry] = field(default_factory=list)
    #: The document was broken: unparseable, unexpected root, or only partly recovered.
    malformed: bool = False
    problems: list[str] = field(default_factory=list)
    #: Entries beyond ``max_urls`` that were dropped.
    truncated: int = 0

    @property
    def is_news(self) -> bool:
        return any(entry.published is not None for entry in self.entries)


def robots_sitemaps(robots_txt: str, base_url: str) -> list[str]:
    """The ``Sitemap:`` URLs of a robots.txt, absolute, in order, without duplicates."""
    found: list[str] = []
    for line in robots_txt.splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() == "sitemap":
            url = value.split("#", 1)[0].strip()
            absolute = absolute_url(base_url, url) if url else None
            if absolute:
                found.append(absolute)
    return list(dict.fromkeys(found))


def _child_text(element: object, name: str) -> str | None:
    for child in element:  # type: ignore[attr-defined]
        if local_name(child) == name:
            return (child.text or "").strip() or None
    return None


def _news_fields(url_element: object, tz: ZoneInfo | None) -> tuple[datetime | None, str | None]:
    for child in url_element:  # type: ignore[attr-defined]
        if local_name(child) == "news":
            published = parse_datetime(_child_text(child, "publication_date"), tz)
            return published, _child_text(child, "title")
    return None, None


def parse_sitemap(
    body: bytes,
    base_url: str,
    *,
    tz: ZoneInfo | None = None,
    max_urls: int = 200_000,
    max_bytes: int = MAX_XML_BYTES,
) -> Sitemap:
    """Parse a sitemap index or URL set (gzip accepted) into entries with absolute URLs."""
    problems: list[str] = []
    root = parse_xml(body, max_bytes=max_bytes, problems=problems)
    if root is None:
        return Sitemap("unknown", malformed=True, problems=problems)
    root_name = local_name(root)
    if root_name not in ("sitemapindex", "urlset"):
        return Sitemap("unknown", malformed=True, problems=problems)
    kind: SitemapKind = "index" if root_name == "sitemapindex" else "urlset"
    item_name = "sitemap" if kind == "index" else "url"
    sitemap = Sitemap(kind, malformed=bool(problems), problems=problems)
    for element in root:
        if local_name(element) != item_name:
            continue
        loc = _child_text(element, "loc")
        url = absolute_url(base_url, loc) if loc else None
        if not url:
            if loc:
                sitemap.malformed = True
                sitemap.problems.append(f"unusable URL {loc[:200]!r}")
            continue
        if len(sitemap.entries) >= max_urls:
            sitemap.truncated += 1
            continue
        lastmod = parse_datetime(_child_text(element, "lastmod"), tz)
        published, title = _news_fields(element, tz) if kind == "urlset" else (None, None)
        sitemap.entries.append(SitemapEntry(url, lastmod, published, title))
    return sitemap
