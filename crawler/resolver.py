"""The DNS resolver of the crawl: the addresses it hands to the downloader are public ones.

:class:`~crawler.middlewares.private_address.PrivateAddressMiddleware` refuses a request whose host
resolves to a loopback, private or link-local address — but it resolves the name
itself, and the downloader resolves it again to connect. A host that answers a public
address first and a private one next (DNS rebinding) would slip through that gap.
This resolver closes it: it is the resolver the connection uses, and it fails the
lookup of any non-public answer unless the host belongs to an outlet that sets
``allow_private_addresses``. (IP literals never reach a resolver; the middleware
checks those.)

It is process-wide (Twisted has one resolver per reactor), so the runner passes the
hosts that may resolve privately in the ``NEWSARCHIVE_PRIVATE_HOSTS`` setting of the
``CrawlerProcess``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Self

from scrapy.resolver import CachingThreadedResolver
from twisted.internet.defer import Deferred

from crawler.exceptions import PrivateAddressLookupError
from crawler.middlewares.private_address import is_public_address

__all__ = ["PublicAddressResolver", "private_hosts"]


def private_hosts(domains: Iterable[str]) -> tuple[str, ...]:
    """Host names (ports dropped, lower case) that may resolve to private addresses."""
    return tuple(dict.fromkeys(domain.split(":")[0].lower().removeprefix("www.") for domain in domains))


class PublicAddressResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing non-public answers for hosts not explicitly allowed."""

    def __init__(self, reactor: Any, cache_size: int, timeout: float, allowed: Iterable[str] = ()) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.allowed = private_hosts(allowed)

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> Self:
        resolver = super().from_crawler(crawler, reactor)
        resolver.allowed = private_hosts(crawler.settings.getlist("NEWSARCHIVE_PRIVATE_HOSTS"))
        return resolver

    def may_be_private(self, name: str) -> bool:
        host = name.lower().rstrip(".")
        return any(host == allowed or host.endswith("." + allowed) for allowed in self.allowed)

    def check(self, address: str, name: str) -> str:
        """``address`` when it may be connected to for ``name``; else the lookup fails."""
        if is_public_address(address) or self.may_be_private(name):
            return address
        raise PrivateAddressLookupError(f"{name} resolves to non-public address {address}")

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        return super().getHostByName(name, timeout).addCallback(self.check, name)
