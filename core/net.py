"""Network addresses: which ones a fetcher may connect to (the SSRF guard's one rule).

:func:`is_public_address` is shared by the crawl (its request middleware and its DNS resolver,
:mod:`crawler.middlewares.private_address`, :mod:`crawler.resolver`) and ``newsarchive extract URL``.
An IPv6 address that embeds an IPv4 one — IPv4-mapped (``::ffff:a.b.c.d``), IPv4-compatible
(``::a.b.c.d``), NAT64 (``64:ff9b::/96``), 6to4 (``2002::/16``), Teredo — is public only when the
IPv4 address it carries is.

:func:`public_opener` is a :mod:`urllib` opener for the one fetch outside the crawler
(``newsarchive extract URL``): each connection it makes is checked on the address actually
connected to (so DNS rebinding gains nothing), redirects go to http(s) URLs only.
"""

from __future__ import annotations

import functools
import http.client
import ipaddress
import socket
import urllib.request
from typing import Any

__all__ = ["PrivateAddressError", "is_public_address", "public_opener"]


class PrivateAddressError(OSError):
    """A connection to a loopback, private, link-local or otherwise non-public address was refused."""

#: IPv6 prefixes whose last 32 bits are an IPv4 address: NAT64 (RFC 6052) and IPv4-compatible (RFC 4291).
_EMBEDDING_V4: tuple[ipaddress.IPv6Network, ...] = (
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("64:ff9b:1::/48"),
    ipaddress.IPv6Network("::/96"),
)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if any(ip in network for network in _EMBEDDING_V4):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def is_public_address(address: str) -> bool:
    """True for a globally routable unicast address; an IPv6 one only when every IPv4 address it embeds is."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if ip.ipv4_mapped is not None:  # an IPv4 address written as IPv6: judged as the IPv4 address
            return is_public_address(str(ip.ipv4_mapped))
        if embedded and not all(is_public_address(str(v4)) for v4 in embedded):
            return False
    return ip.is_global and not ip.is_multicast


def _guarded_connection(allowed_host: str | None) -> Any:
    """``socket.create_connection``, closing the socket unless its peer is public (or the host is allowed)."""

    def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        sock = socket.create_connection(address, *args, **kwargs)
        peer = str(sock.getpeername()[0])
        if address[0].lower() != (allowed_host or "").lower() and not is_public_address(peer):
            sock.close()
            raise PrivateAddressError(f"{address[0]} resolves to non-public address {peer}")
        return sock

    return create_connection


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, allowed_host: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _guarded_connection(allowed_host)


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, allowed_host: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _guarded_connection(allowed_host)


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, allowed_host: str | None) -> None:
        super().__init__()
        self.allowed_host = allowed_host

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_GuardedHTTPConnection, allowed_host=self.allowed_host), req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, allowed_host: str | None) -> None:
        super().__init__()
        self.allowed_host = allowed_host

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_GuardedHTTPSConnection, allowed_host=self.allowed_host), req,
                            context=self._context)  # type: ignore[attr-defined]


class _WebRedirectHandler(urllib.request.HTTPRedirectHandler):
    def __init__(self, max_redirects: int) -> None:
        super().__init__()
        self.max_redirections = max_redirects  # type: ignore[misc]  # per opener, not per class

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> urllib.request.Request | None:
        if not newurl.lower().startswith(("http://", "https://")):
            raise PrivateAddressError(f"redirect to a URL that is not http(s): {newurl[:200]}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def public_opener(*, allowed_host: str | None = None, max_redirects: int = 5) -> urllib.request.OpenerDirector:
    """A urllib opener that connects to public addresses only (``allowed_host``, the host the user named
    on purpose, excepted) and follows at most ``max_redirects`` redirects, to http(s) URLs only."""
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.UnknownHandler(), urllib.request.HTTPDefaultErrorHandler(),
                    urllib.request.HTTPErrorProcessor(), _WebRedirectHandler(max_redirects),
                    _GuardedHTTPHandler(allowed_host), _GuardedHTTPSHandler(allowed_host)):
        opener.add_handler(handler)
    return opener
