"""Why the crawl's own components refused or failed a request (like :mod:`scrapy.exceptions`).

Each refusal of a downloader middleware is a subclass of :class:`~scrapy.exceptions.IgnoreRequest`,
so the spider's errback counts it under a clear reason (:func:`crawler.failures.failure_reason`).
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from twisted.internet.error import DNSLookupError

__all__ = ["AlreadyArchived", "OffsiteRefused", "PrivateAddressLookupError", "PrivateAddressRefused", "caused_by"]


class PrivateAddressRefused(IgnoreRequest):
    """The request's host resolves to a loopback, private or link-local address."""


class PrivateAddressLookupError(DNSLookupError):
    """The crawl's resolver refused a non-public answer (see :mod:`crawler.resolver`)."""


class OffsiteRefused(IgnoreRequest):
    """The request leaves the outlet's domains."""


class AlreadyArchived(IgnoreRequest):
    """The archive already holds this article (incremental crawl)."""


def caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    """Is ``error``, or an exception it was raised from, a ``kind``? (Scrapy wraps download errors.)"""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__
    return False
