"""Retries with backoff: :class:`BackoffRetryMiddleware`, Scrapy's retry policy plus ``Retry-After``.

Each retry waits ``RETRY_BACKOFF_BASE * 2**n`` seconds (at most ``RETRY_BACKOFF_MAX``), or what a
429/503's ``Retry-After`` asks (:func:`core.dates.retry_after_seconds`); each retried response is announced
for the WARC (:data:`crawler.signals.response_consumed`). A lookup the resolver refused as private
is never retried.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.asyncio import sleep

from core.dates import retry_after_seconds
from crawler.resolver import refused_lookup
from crawler.signals import announce_consumed

__all__ = ["BackoffRetryMiddleware"]


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry policy, each retry waiting ``base * 2**n`` seconds or what ``Retry-After`` asks.

    Each retried response is announced (:data:`crawler.signals.response_consumed`) before the wait.
    """

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX")

    def backoff(self, request: Request, response: Response | None = None) -> float:
        attempt = request.meta.get("retry_times", 1)
        wait = self.backoff_base * 2 ** max(attempt - 1, 0)
        if response is not None and response.status in (429, 503):
            asked = retry_after_seconds((response.headers.get(b"Retry-After") or b"").decode("latin-1"))
            if asked is not None:
                self.crawler.stats.inc_value("newsarchive/retry_after_honoured")  # type: ignore[union-attr]
                wait = max(wait, asked)
        return min(wait, self.backoff_max)

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        result = super().process_response(request, response)
        if isinstance(result, Request):
            announce_consumed(self.crawler, request, response, "retried")
            await sleep(self.backoff(result, response))
        return result

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:  # type: ignore[override]
        if refused_lookup(exception, request.url):
            return None  # the address will not become public by asking again
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await sleep(self.backoff(result))
        return result
