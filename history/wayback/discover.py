"""Articles never seen live: read archived sitemaps, feeds and section pages for the URLs they list.

A capture of ``/news-sitemap.xml`` from a past week lists that week's articles
with their publication dates, even when the outlet has since deleted them; an
archived section page links to articles no sitemap lists any more. Each
capture is parsed with the live crawler's own parsers
(:mod:`ingest.discovery`), so archived and live documents are read alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.registry import Outlet
from history.wayback.replay import Capture
from ingest.discovery import looks_like_feed, parse_feed, parse_listing, parse_sitemap

__all__ = ["DiscoveredUrl", "DiscoveryResult", "read_discovery_capture"]

_XML_TYPES = ("xml", "rss", "atom")


@dataclass(frozen=True, slots=True)
class DiscoveredUrl:
    url: str
    source: str  # "sitemap", "news_sitemap", "feed" or "section"
    published: datetime | None = None
    lastmod: datetime | None = None


@dataclass
class DiscoveryResult:
    urls: list[DiscoveredUrl] = field(default_factory=list)
    #: Child sitemaps named by a sitemap index (fetched at the index's timestamp).
    child_sitemaps: list[str] = field(default_factory=list)
    malformed: bool = False


def _is_xml(capture: Capture) -> bool:
    content_type = capture.content_type.lower()
    head = capture.body[:200].lstrip()
    return any(t in content_type for t in _XML_TYPES) or head.startswith(b"<?xml") or head[:2] == b"\x1f\x8b"


def read_discovery_capture(capture: Capture, outlet: Outlet, *, max_urls: int = 200_000) -> DiscoveryResult:
    """The article URLs (and child sitemaps) an archived sitemap, feed or listing page names."""
    result = DiscoveryResult()
    if _is_xml(capture):
        if looks_like_feed(capture.body):
            feed = parse_feed(capture.body, capture.url, tz=outlet.tz)
            result.malformed = feed.malformed
            result.urls = [DiscoveredUrl(e.url, "feed", e.published, e.updated) for e in feed.entries]
            return result
        sitemap = parse_sitemap(capture.body, capture.url, tz=outlet.tz, max_urls=max_urls)
        result.malformed = sitemap.malformed
        if sitemap.kind == "index":
            result.child_sitemaps = [entry.loc for entry in sitemap.entries]
        else:
            source = "news_sitemap" if sitemap.is_news else "sitemap"
            result.urls = [DiscoveredUrl(e.loc, source, e.published, e.lastmod) for e in sitemap.entries]
        return result
    text = capture.body.decode("utf-8", "replace")
    listing = parse_listing(text, capture.url)
    result.urls = [DiscoveredUrl(link, "section") for link in listing.links]
    return result
