"""Fetched responses the spider never sees, announced so that the run's WARC still holds them.

Downloader middlewares consume some responses before they reach the spider:

- the retry middleware asks again after a 429 or a 5xx (:class:`crawler.middlewares.BackoffRetryMiddleware`);
- the redirect middlewares follow a 3xx or a ``<meta http-equiv="refresh">`` — every hop of a chain,
  the last hop of a loop (given up after ``REDIRECT_MAX_TIMES``) and a hop whose target is refused
  afterwards (private address, off the outlet's domains) alike: :class:`CapturingRedirectMiddleware`,
  :class:`CapturingMetaRefreshMiddleware`;
- Scrapy's robots.txt middleware reads the robots.txt of a host the spider did not ask about itself
  (:class:`crawler.middlewares.SpiderRobotsTxtMiddleware`).

Each of them was fetched, so each belongs in the archive: the middleware sends
:data:`response_consumed` with the request, the response and its kind, and the archive pipeline
(:class:`crawler.pipelines.ArchivePipeline`) writes the pair to the WARC and counts it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = [
    "CapturingMetaRefreshMiddleware",
    "CapturingRedirectMiddleware",
    "ConsumedKind",
    "announce_consumed",
    "response_consumed",
]

#: Why a middleware consumed a response: retried (429/5xx), a redirect followed, a robots.txt read by Scrapy.
ConsumedKind = Literal["retried", "redirect", "robots"]

#: Signal sent with ``request``, ``response`` and ``kind`` (a :data:`ConsumedKind`) for a fetched response
#: that a downloader middleware consumed before the spider.
response_consumed = object()


def announce_consumed(crawler: Crawler, request: Request, response: Response, kind: ConsumedKind) -> None:
    """Send :data:`response_consumed` for ``response`` (fetched for ``request``)."""
    crawler.signals.send_catch_log(signal=response_consumed, request=request, response=response, kind=kind)


def _followed(
    crawler: Crawler, request: Request, response: Response, follow: Callable[[Request, Response], Request | Response]
) -> Request | Response:
    """``follow(request, response)``, announcing ``response`` when it was consumed (followed or given up on)."""
    try:
        result = follow(request, response)
    except IgnoreRequest:  # "max redirections reached": this last hop was fetched all the same
        announce_consumed(crawler, request, response, "redirect")
        raise
    if result is not response:
        announce_consumed(crawler, request, response, "redirect")
    return result


class CapturingRedirectMiddleware(RedirectMiddleware):
    """Scrapy's 3xx redirects, each response it follows or gives up on announced (:data:`response_consumed`).

    Placed after ``HttpCompressionMiddleware`` in the response order (Scrapy's own sits before it), so
    the body it announces is decoded like every other capture's.
    """

    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        return _followed(self.crawler, request, response, super().process_response)


class CapturingMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's ``<meta http-equiv="refresh">`` redirects, each page it follows announced."""

    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        return _followed(self.crawler, request, response, super().process_response)
