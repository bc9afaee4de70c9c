"""The SSRF guard: no request to a host that resolves to a non-public address.

:class:`PrivateAddressMiddleware` refuses requests (redirects included: Scrapy reschedules them
through this chain) whose host resolves to a loopback, private, link-local, multicast or reserved
address, unless the outlet sets ``allow_private_addresses`` (then only for the outlet's own
domains). The connection's own lookup is guarded by :mod:`crawler.resolver`. What is public is
:func:`core.net.is_public_address` (re-exported here).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit

from core.net import is_public_address
from crawler.exceptions import PrivateAddressRefused
from crawler.outlet_spider import outlet_spider

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

__all__ = ["PrivateAddressMiddleware", "is_public_address"]


class PrivateAddressMiddleware:
    """Refuse requests to non-public addresses, checked on the resolved address of the host."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._resolved: dict[str, tuple[str, ...]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def _addresses(self, host: str) -> tuple[str, ...]:
        if host not in self._resolved:
            try:
                ipaddress.ip_address(host)
                self._resolved[host] = (host,)
            except ValueError:
                loop = asyncio.get_running_loop()
                infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
                self._resolved[host] = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
        return self._resolved[host]

    async def process_request(self, request: Request) -> None:
        spider = outlet_spider(self.crawler)
        if spider.outlet.allow_private_addresses and spider.on_site(request.url):
            return None
        host = (urlsplit(request.url).hostname or "").strip("[]")
        try:
            addresses = await self._addresses(host)
        except OSError:
            return None  # unresolvable: the download fails with a DNS error, counted there
        refused = [a for a in addresses if not is_public_address(a)]
        if refused:
            self.crawler.stats.inc_value("newsarchive/refused/private_address")  # type: ignore[union-attr]
            raise PrivateAddressRefused(f"{host} resolves to non-public address {refused[0]}")
        return None
