"""Fail fast when the outlet's host never answers: :class:`UnreachableHostMiddleware`.

A refused port or a failed DNS lookup before the outlet answered anything at all is not a
transient error worth the retry ladder (which takes minutes of silence): such a request fails at
once, without retries, so the crawl ends in seconds, and the run — no response at all — is
*unreachable*, its outcome *failed* (:func:`ingest.summary.judge_run`). Once the host has answered,
such errors are single pages' failures, retried and counted as usual.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from twisted.internet.error import ConnectionRefusedError, DNSLookupError, NoRouteError

from crawler.exceptions import caused_by

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

__all__ = ["STAT", "UNREACHABLE_ERRORS", "UnreachableHostMiddleware"]

logger = logging.getLogger(__name__)

#: Errors that say the whole host is not there (no answer will come by asking again soon).
UNREACHABLE_ERRORS: tuple[type[BaseException], ...] = (ConnectionRefusedError, DNSLookupError, NoRouteError)
#: The Scrapy stat counting requests failed this way.
STAT = "newsarchive/unreachable"


class UnreachableHostMiddleware:
    """Fail a refused connection or failed lookup at once (no retries) while no response has come yet."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.reported = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_exception(self, request: Request, exception: Exception) -> None:
        if not any(caused_by(exception, kind) for kind in UNREACHABLE_ERRORS):
            return None
        assert self.crawler.stats is not None
        if self.crawler.stats.get_value("downloader/response_count", 0):
            return None  # the host answered before: one page's failure, retried as usual
        self.crawler.stats.inc_value(STAT)
        if not self.reported:
            self.reported = True
            logger.error("%s: host unreachable (%s): not retried", request.url, exception)
        # Not retried, but not raised either: the middlewares below still see the failure (the robots.txt
        # middleware releases the requests that wait for the rules), and the spider counts it.
        request.meta["dont_retry"] = True
        return None
