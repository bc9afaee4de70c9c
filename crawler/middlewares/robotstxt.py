"""robots.txt, fetched once per crawl: :class:`SpiderRobotsTxtMiddleware`.

Scrapy's robots.txt rules, read from the spider's own robots.txt response (archived, its
``Sitemap:`` lines followed); the robots.txt of any other host is fetched by Scrapy and announced
for the WARC (:data:`crawler.signals.response_consumed`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.outlet_spider import outlet_spider
from crawler.signals import announce_consumed

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response
    from scrapy.robotstxt import RobotParser

__all__ = ["SpiderRobotsTxtMiddleware"]


class SpiderRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, fed by the spider's own robots.txt request: one fetch, not two.

    The spider requests its outlet's robots.txt itself (meta ``role`` ``robots``): the response is
    archived and its ``Sitemap:`` lines followed. Requests to that host wait here for that response
    instead of Scrapy fetching the file a second time; hosts the spider does not ask about (another
    domain of the outlet) are fetched by Scrapy as usual, and those responses, which no spider
    callback sees, are announced (:data:`crawler.signals.response_consumed`) for the WARC.
    """

    ROLE = "robots"

    def _spider_netloc(self) -> str:
        return urlsplit(outlet_spider(self.crawler).outlet.absolute("/robots.txt")).netloc

    async def robot_parser(self, request: Request) -> RobotParser | None:
        netloc = urlparse_cached(request).netloc
        if netloc not in self._parsers and netloc == self._spider_netloc():
            self._parsers[netloc] = Deferred()  # settled by the spider's robots.txt response
        return await super().robot_parser(request)

    def _awaited(self, request: Request) -> str | None:
        """The host whose rules wait for ``request`` (the spider's robots.txt request), if any."""
        if request.meta.get("role") != self.ROLE:
            return None
        netloc = self._spider_netloc()
        if not isinstance(self._parsers.setdefault(netloc, Deferred()), Deferred):
            return None  # already settled
        self._stats.inc_value("robotstxt/request_count")
        return netloc

    async def process_response(self, request: Request, response: Response) -> Response:
        netloc = self._awaited(request)
        if netloc is not None:
            await self._parse_robots(response, netloc, request)
        return response

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        # ``request`` is the request whose host the rules are for: the spider's robots.txt request
        # (archived by the spider) or, when Scrapy fetched the file itself, the request that waits for it.
        if request.meta.get("role") != self.ROLE and response.request is not None:
            announce_consumed(self.crawler, response.request, response, "robots")
        await super()._parse_robots(response, netloc, request)

    def process_exception(self, request: Request, exception: Exception) -> None:
        netloc = self._awaited(request)
        if netloc is not None:
            self._robots_error(exception, netloc)  # no rules: Scrapy's behaviour when robots.txt fails
