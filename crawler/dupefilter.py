"""One request per URL identity: :class:`CanonicalDupeFilter`, the crawl's ``DUPEFILTER_CLASS``.

Scrapy's own filter compares request fingerprints; this one compares identities
(:func:`crawler.identity.request_identity`, :func:`core.urls.canonical_url`), so the many URLs of
one article are fetched once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from scrapy.dupefilters import BaseDupeFilter

from core.urls import canonical_url
from crawler.identity import request_identity

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

__all__ = ["CanonicalDupeFilter"]


class CanonicalDupeFilter(BaseDupeFilter):
    """Requests are duplicates when their URLs have the same identity (and method).

    A redirect back to an identity of its own chain (a trailing-slash or host-case
    redirect, or a loop) is the same fetch going on, not a duplicate: loops end at
    ``REDIRECT_MAX_TIMES`` and are counted as such.
    """

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def request_seen(self, request: Request) -> bool:
        identity = request_identity(request)
        key = f"{request.method} {identity}"
        if key not in self.seen:
            self.seen.add(key)
            return False
        chain = {canonical_url(url) for url in request.meta.get("redirect_urls") or ()}
        return identity not in chain

    def log(self, request: Request, spider: Any) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value("dupefilter/filtered")
