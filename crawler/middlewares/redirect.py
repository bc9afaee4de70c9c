"""Scrapy's redirects, each response they consume announced so that the run's WARC still holds it.

:class:`CapturingRedirectMiddleware` (3xx) and :class:`CapturingMetaRefreshMiddleware`
(``<meta http-equiv="refresh">``) announce every hop of a chain, the last hop of a loop (given up
after ``REDIRECT_MAX_TIMES``) and a hop whose target is refused afterwards (private address, off
the outlet's domains) alike, by :data:`crawler.signals.response_consumed`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from crawler.signals import announce_consumed

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["CapturingMetaRefreshMiddleware", "CapturingRedirectMiddleware"]


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
    """Scrapy's 3xx redirects, each response it follows or gives up on announced (:data:`crawler.signals.response_consumed`).

    Placed after ``HttpCompressionMiddleware`` in the response order (Scrapy's own sits before it), so
    the body it announces is decoded like every other capture's.
    """

    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        return _followed(self.crawler, request, response, super().process_response)


class CapturingMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's ``<meta http-equiv="refresh">`` redirects, each page it follows announced."""

    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        return _followed(self.crawler, request, response, super().process_response)
