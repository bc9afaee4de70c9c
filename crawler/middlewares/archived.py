"""Incremental crawling: :class:`ArchivedArticleMiddleware` requests no article the archive already holds.

The crawl's :class:`~ingest.plan.CrawlPlan` says which identities are archived and which of them
are due for a refresh (``--refresh``); discovery requests (robots.txt, sitemaps, feeds, listings)
always pass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from crawler.exceptions import AlreadyArchived
from crawler.identity import request_identity
from crawler.outlet_spider import outlet_spider

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

__all__ = ["ArchivedArticleMiddleware"]


class ArchivedArticleMiddleware:
    """No request for an article the archive already holds, unless it is due for a refresh."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if request.meta.get("discovery"):
            return
        plan = outlet_spider(self.crawler).plan
        identity = request_identity(request)
        if identity in plan.known_urls and identity not in plan.refresh_urls:
            raise AlreadyArchived(f"already archived: {identity}")
