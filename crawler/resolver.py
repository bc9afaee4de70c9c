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

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy.exceptions import CannotResolveHostError
from scrapy.resolver import CachingThreadedResolver
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

from core.net import is_public_address
from crawler.exceptions import PrivateAddressLookupError, caused_by

__all__ = ["PublicAddressResolver", "private_hosts", "refused_lookup"]

#: Host names the resolver refused lately, with the address refused (process-wide, like the resolver).
#: Twisted's name resolution turns the refusal into a bare "no results for hostname lookup"
#: :class:`DNSLookupError`; :func:`refused_lookup` tells it apart from a real lookup failure.
_REFUSED: OrderedDict[str, str] = OrderedDict()
MAX_REFUSED_HOSTS = 10_000


def _remember_refusal(name: str, address: str) -> None:
    _REFUSED[name.lower().rstrip(".")] = address
    _REFUSED.move_to_end(name.lower().rstrip("."))
    while len(_REFUSED) > MAX_REFUSED_HOSTS:
        _REFUSED.popitem(last=False)


def refused_lookup(error: BaseException, url: str) -> bool:
    """Did the request for ``url`` fail because this resolver refused its host's non-public address?

    Then it is a ``private_address`` skip, not a DNS failure, and never retried.
    """
    if caused_by(error, PrivateAddressLookupError):
        return True
    if not (caused_by(error, DNSLookupError) or caused_by(error, CannotResolveHostError)):
        return False
    host = (urlsplit(url).hostname or "").rstrip(".")
    return host in _REFUSED


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
        _remember_refusal(name, address)
        raise PrivateAddressLookupError(f"{name} resolves to non-public address {address}")

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        return super().getHostByName(name, timeout).addCallback(self.check, name)
