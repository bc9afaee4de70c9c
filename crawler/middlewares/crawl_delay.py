"""robots.txt ``Crawl-delay``, which Scrapy does not read: :class:`CrawlDelayMiddleware`.

The delay comes from the rules Scrapy's robots.txt middleware parses (``robots_parsed`` signal) and
slows the download slot of its host, capped at ``NEWSARCHIVE_MAX_CRAWL_DELAY``; an unthrottled
crawl (a cap of 0) switches the middleware off with ``NotConfigured``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.httpobj import urlparse_cached

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.robotstxt import RobotParser

__all__ = ["CrawlDelayMiddleware"]


class CrawlDelayMiddleware:
    """Apply a robots.txt ``Crawl-delay`` to the download slot of its host (capped)."""

    def __init__(self, crawler: Crawler, max_delay: float, user_agent: str) -> None:
        self.crawler = crawler
        self.max_delay = max_delay
        self.user_agent = user_agent
        self.delays: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        max_delay = crawler.settings.getfloat("NEWSARCHIVE_MAX_CRAWL_DELAY")
        if max_delay <= 0:
            raise NotConfigured("crawl delays are off (unthrottled crawl)")
        agent = crawler.settings["ROBOTSTXT_USER_AGENT"]
        middleware = cls(crawler, max_delay, agent)
        crawler.signals.connect(middleware.robots_parsed, signal=signals.robots_parsed)
        return middleware

    def process_request(self, request: Request) -> None:
        delay = self.delays.get(urlsplit(request.url).netloc)
        if not delay:
            return
        downloader = self.crawler.engine.downloader  # type: ignore[union-attr]
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is not None and slot.delay < delay:
            slot.delay = delay

    def robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        """Read the delay from the rules Scrapy's robots.txt middleware just parsed (Protego's)."""
        rules = getattr(robotparser, "rp", None)
        try:
            delay = rules.crawl_delay(self.user_agent) if rules is not None else None
        except Exception:  # a broken robots.txt must not stop the crawl
            delay = None
        if delay:
            self.delays[urlparse_cached(request).netloc] = min(float(delay), self.max_delay)
            self.crawler.stats.set_value("newsarchive/crawl_delay", float(delay))  # type: ignore[union-attr]
