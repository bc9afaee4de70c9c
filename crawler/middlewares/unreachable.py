"""Fail fast when the outlet's host never answers: :class:`UnreachableHostMiddleware`.

A refused port or a failed DNS lookup before the outlet answered anything at all is not a
transient error worth the retry ladder (which takes minutes of silence): the spider closes at
once with the reason ``unreachable``, and the run's outcome is *failed*
(:func:`ingest.summary.judge_run`). Once the host has answered, such errors are single
pages' failures, retried and counted as usual.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, NoRouteError

from crawler.exceptions import caused_by

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

__all__ = ["UNREACHABLE_ERRORS", "UnreachableHostMiddleware"]

logger = logging.getLogger(__name__)

#: Errors that say the whole host is not there (no answer will come by asking again soon).
UNREACHABLE_ERRORS: tuple[type[BaseException], ...] = (ConnectionRefusedError, DNSLookupError, NoRouteError)
#: The Scrapy close reason of such a crawl.
CLOSE_REASON = "unreachable"


class UnreachableHostMiddleware:
    """Close the spider on the first refused connection or failed lookup while no response has come yet."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_exception(self, request: Request, exception: Exception) -> None:
        if not any(caused_by(exception, kind) for kind in UNREACHABLE_ERRORS):
            return None
        assert self.crawler.stats is not None
        if self.crawler.stats.get_value("downloader/response_count", 0):
            return None  # the host answered before: one page's failure, retried as usual
        if not self.closing:
            self.closing = True
            logger.error("%s: host unreachable (%s): stopping the crawl", request.url, exception)
            assert self.crawler.engine is not None
            # Scheduled, not awaited: closing waits for this very request to finish.
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=CLOSE_REASON))
        raise IgnoreRequest(f"host unreachable: {exception}")
