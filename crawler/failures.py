"""Why a Scrapy request failed: the skip reason of a failure, for the crawl's tally.

:func:`failure_reason` maps Scrapy's and Twisted's exceptions (and the refusals of
:mod:`crawler.exceptions`) to the skip reasons of :data:`ingest.tally.SKIP_REASONS`.
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest, NotSupported
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure

from crawler.exceptions import (
    AlreadyArchived,
    OffsiteRefused,
    PrivateAddressLookupError,
    PrivateAddressRefused,
    caused_by,
)
from crawler.resolver import refused_lookup

__all__ = ["EXCEPTION_REASONS", "failure_reason"]

#: Exception types of a failed request and their skip reason, most specific first.
EXCEPTION_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (AlreadyArchived, "known"),
    (PrivateAddressRefused, "private_address"),
    (PrivateAddressLookupError, "private_address"),
    (OffsiteRefused, "offsite"),
    (NotSupported, "unsupported_scheme"),  # a scheme without a download handler (a redirect to ftp:, say)
    (TimeoutError, "timeout"),
    (TCPTimedOutError, "timeout"),
    (DNSLookupError, "error"),
)
#: IgnoreRequest messages (Scrapy raises plain IgnoreRequest) and their skip reason.
IGNORE_MESSAGES: tuple[tuple[str, str], ...] = (
    ("robots.txt", "robots"),
    ("max redirections", "redirect_loop"),
    ("exceeded DOWNLOAD_MAXSIZE", "too_large"),
    ("larger than download max size", "too_large"),
    ("max size", "too_large"),
)


def failure_reason(failure: Failure) -> str:
    """The skip reason of a request that ended in ``failure``."""
    error = failure.value
    if error is None:
        return "error"
    request = getattr(failure, "request", None)
    if request is not None and refused_lookup(error, request.url):
        return "private_address"  # the resolver refused a non-public answer (see crawler.resolver)
    if isinstance(error, HttpError):
        status = error.response.status
        return "gone" if status in (404, 410) else "http_error"
    for kind, reason in EXCEPTION_REASONS:
        if caused_by(error, kind):
            return reason
    name = type(error).__name__
    if name in ("DownloadTimeoutError",):
        return "timeout"
    if name in ("DownloadCancelledError",):
        return "too_large"
    if isinstance(error, IgnoreRequest):
        message = str(error)
        for needle, reason in IGNORE_MESSAGES:
            if needle.lower() in message.lower():
                return reason
    return "error"
