"""Only the outlet's domains are fetched: :class:`OutletOffsiteMiddleware`.

It replaces Scrapy's ``OffsiteMiddleware``, which matches host names only: an outlet's domains may
carry ports (:func:`core.urls.same_site`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit

from crawler.exceptions import OffsiteRefused
from crawler.outlet_spider import outlet_spider

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

__all__ = ["OutletOffsiteMiddleware"]


class OutletOffsiteMiddleware:
    """Only the outlet's domains (and their sub-domains) are fetched."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider = outlet_spider(self.crawler)
        if not spider.on_site(request.url):
            outlet = spider.outlet
            self.crawler.stats.inc_value("newsarchive/refused/offsite")  # type: ignore[union-attr]
            raise OffsiteRefused(f"{urlsplit(request.url).netloc} is not a domain of outlet {outlet.id!r}")
