"""The crawl's own Scrapy signal (like :mod:`scrapy.signals`): fetched responses the spider never sees.

Downloader middlewares consume some responses before they reach the spider:

- the retry middleware asks again after a 429 or a 5xx (:class:`crawler.middlewares.retry.BackoffRetryMiddleware`);
- the redirect middlewares follow a 3xx or a ``<meta http-equiv="refresh">`` — every hop of a chain,
  the last hop of a loop (given up after ``REDIRECT_MAX_TIMES``) and a hop whose target is refused
  afterwards (private address, off the outlet's domains) alike (:mod:`crawler.middlewares.redirect`);
- Scrapy's robots.txt middleware reads the robots.txt of a host the spider did not ask about itself
  (:class:`crawler.middlewares.robotstxt.SpiderRobotsTxtMiddleware`).

Each of them was fetched, so each belongs in the archive: the middleware sends
:data:`response_consumed` with the request, the response and its kind (:func:`announce_consumed`),
and the archive pipeline (:class:`crawler.pipelines.ArchivePipeline`) writes the pair to the WARC
and counts it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

__all__ = ["ConsumedKind", "announce_consumed", "response_consumed"]

#: Why a middleware consumed a response: retried (429/5xx), a redirect followed, a robots.txt read by Scrapy.
ConsumedKind = Literal["retried", "redirect", "robots"]

#: Signal sent with ``request``, ``response`` and ``kind`` (a :data:`ConsumedKind`) for a fetched response
#: that a downloader middleware consumed before the spider.
response_consumed = object()


def announce_consumed(crawler: Crawler, request: Request, response: Response, kind: ConsumedKind) -> None:
    """Send :data:`response_consumed` for ``response`` (fetched for ``request``)."""
    crawler.signals.send_catch_log(signal=response_consumed, request=request, response=response, kind=kind)
