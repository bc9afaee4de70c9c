"""Scrapy components that keep the crawl safe, polite and one-request-per-article.

- :class:`PrivateAddressMiddleware` — SSRF guard: refuses requests (redirects
  included: Scrapy reschedules them through this chain) whose host resolves to a
  loopback, private, link-local, multicast or reserved address, unless the outlet
  sets ``allow_private_addresses`` (then only for the outlet's own domains).
- :class:`OutletOffsiteMiddleware` — nothing off the outlet's domains is fetched
  (ports included, which Scrapy's host-name filter cannot express).
- :class:`ArchivedArticleMiddleware` — incremental crawling: no request for an
  article the archive already holds (``--refresh`` lets recent ones through).
- :class:`SpiderRobotsTxtMiddleware` — Scrapy's robots.txt rules, read from the spider's own
  robots.txt response (archived, its Sitemap lines followed): one fetch per crawl; the robots.txt
  of any other host is fetched by Scrapy and announced for the WARC (:mod:`crawler.consumed`).
- :class:`CrawlDelayMiddleware` — robots.txt ``Crawl-delay`` (Scrapy reads Disallow only).
- :class:`BackoffRetryMiddleware` — Scrapy's retries plus exponential backoff and ``Retry-After``;
  each retried response announced for the WARC (:mod:`crawler.consumed`).
- :class:`CanonicalDupeFilter` — one request per URL identity (:func:`core.urls.canonical_url`).

Each refusal raises a subclass of :class:`~scrapy.exceptions.IgnoreRequest`, so the
spider's errback can count it under a clear reason.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.dupefilters import BaseDupeFilter
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.asyncio import sleep
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

from core.urls import canonical_url
from crawler.consumed import announce_consumed

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.robotstxt import RobotParser

    from crawler.spiders.news import NewsSpider

__all__ = [
    "AlreadyArchived",
    "ArchivedArticleMiddleware",
    "BackoffRetryMiddleware",
    "CanonicalDupeFilter",
    "CrawlDelayMiddleware",
    "OffsiteRefused",
    "OutletOffsiteMiddleware",
    "PrivateAddressLookupError",
    "PrivateAddressMiddleware",
    "PrivateAddressRefused",
    "SpiderRobotsTxtMiddleware",
    "caused_by",
    "is_public_address",
    "request_identity",
]

logger = logging.getLogger(__name__)


class PrivateAddressRefused(IgnoreRequest):
    """The request's host resolves to a loopback, private or link-local address."""


class PrivateAddressLookupError(DNSLookupError):
    """The crawl's resolver refused a non-public answer (see :mod:`crawler.resolver`)."""


def caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    """Is ``error``, or an exception it was raised from, a ``kind``? (Scrapy wraps download errors.)"""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__
    return False


class OffsiteRefused(IgnoreRequest):
    """The request leaves the outlet's domains."""


class AlreadyArchived(IgnoreRequest):
    """The archive already holds this article (incremental crawl)."""


def _spider(crawler: Crawler) -> NewsSpider:
    spider = crawler.spider
    assert spider is not None, "middleware used before the spider opened"
    return spider  # type: ignore[return-value]


def request_identity(request: Request) -> str:
    """The identity of the request's URL: the one the spider put in its meta, unless a redirect moved it."""
    identity = request.meta.get("identity")
    if identity is None or request.meta.get("redirect_urls"):
        return canonical_url(request.url)
    return str(identity)


def is_public_address(address: str) -> bool:
    """True for a globally routable unicast address (IPv4-mapped IPv6 unwrapped)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


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
        outlet = _spider(self.crawler).outlet
        if outlet.allow_private_addresses and _spider(self.crawler).on_site(request.url):
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


class OutletOffsiteMiddleware:
    """Only the outlet's domains (and their sub-domains) are fetched."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider = _spider(self.crawler)
        if not spider.on_site(request.url):
            outlet = spider.outlet
            self.crawler.stats.inc_value("newsarchive/refused/offsite")  # type: ignore[union-attr]
            raise OffsiteRefused(f"{urlsplit(request.url).netloc} is not a domain of outlet {outlet.id!r}")


class ArchivedArticleMiddleware:
    """No request for an article the archive already holds, unless it is due for a refresh."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if request.meta.get("discovery"):
            return
        plan = _spider(self.crawler).plan
        identity = request_identity(request)
        if identity in plan.known_urls and identity not in plan.refresh_urls:
            raise AlreadyArchived(f"already archived: {identity}")


class SpiderRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, fed by the spider's own robots.txt request: one fetch, not two.

    The spider requests its outlet's robots.txt itself (meta ``role`` ``robots``): the response is
    archived and its ``Sitemap:`` lines followed. Requests to that host wait here for that response
    instead of Scrapy fetching the file a second time; hosts the spider does not ask about (another
    domain of the outlet) are fetched by Scrapy as usual, and those responses, which no spider
    callback sees, are announced (:data:`crawler.consumed.response_consumed`) for the WARC.
    """

    ROLE = "robots"

    def _spider_netloc(self) -> str:
        return urlsplit(_spider(self.crawler).outlet.absolute("/robots.txt")).netloc

    async def robot_parser(self, request: Request) -> RobotParser | None:
        netloc = urlparse_cached(request).netloc
        if netloc not in self._parsers and netloc == self._spider_netloc():
            self._parsers[netloc] = Deferred()  # settled by the spider's robots.txt response
        return await super().robot_parser(request)

    def _awaited(self, request: Request) -> str | None:
        """The host whose rules wait for ``request`` (the spider's robots.txt request), if any."""
        if request.meta.get("role") != self.ROLE:
            return None
        netloc = self._spider_netloc()
        if not isinstance(self._parsers.setdefault(netloc, Deferred()), Deferred):
            return None  # already settled
        self._stats.inc_value("robotstxt/request_count")
        return netloc

    async def process_response(self, request: Request, response: Response) -> Response:
        netloc = self._awaited(request)
        if netloc is not None:
            await self._parse_robots(response, netloc, request)
        return response

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        # ``request`` is the request whose host the rules are for: the spider's robots.txt request
        # (archived by the spider) or, when Scrapy fetched the file itself, the request that waits for it.
        if request.meta.get("role") != self.ROLE and response.request is not None:
            announce_consumed(self.crawler, response.request, response, "robots")
        await super()._parse_robots(response, netloc, request)

    def process_exception(self, request: Request, exception: Exception) -> None:
        netloc = self._awaited(request)
        if netloc is not None:
            self._robots_error(exception, netloc)  # no rules: Scrapy's behaviour when robots.txt fails


class CrawlDelayMiddleware:
    """Apply a robots.txt ``Crawl-delay`` to the download slot of its host (capped)."""

    def __init__(self, crawler: Crawler, max_delay: float, user_agent: str) -> None:
        self.crawler = crawler
        self.max_delay = max_delay
        self.user_agent = user_agent
        self.delays: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        max_delay = crawler.settings.getfloat("NEWSARCHIVE_MAX_CRAWL_DELAY", 30.0)
        if max_delay <= 0:
            raise NotConfigured("crawl delays are off (unthrottled crawl)")
        agent = crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get("USER_AGENT")
        middleware = cls(crawler, max_delay, agent)
        crawler.signals.connect(middleware.robots_parsed, signal=signals.robots_parsed)
        return middleware

    def process_request(self, request: Request) -> None:
        delay = self.delays.get(urlsplit(request.url).netloc)
        if not delay:
            return
        downloader = self.crawler.engine.downloader  # type: ignore[union-attr]
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is not None and slot.delay < delay:
            slot.delay = delay

    def robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        """Read the delay from the rules Scrapy's robots.txt middleware just parsed (Protego's)."""
        rules = getattr(robotparser, "rp", None)
        try:
            delay = rules.crawl_delay(self.user_agent) if rules is not None else None
        except Exception:  # a broken robots.txt must not stop the crawl
            delay = None
        if delay:
            self.delays[urlparse_cached(request).netloc] = min(float(delay), self.max_delay)
            self.crawler.stats.set_value("newsarchive/crawl_delay", float(delay))  # type: ignore[union-attr]


def retry_after_seconds(response: Response, now: datetime | None = None) -> float | None:
    """Seconds asked for by a ``Retry-After`` header (delta-seconds or HTTP-date), if any."""
    raw = response.headers.get(b"Retry-After")
    if not raw:
        return None
    value = raw.decode("latin-1").strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry policy, each retry waiting ``base * 2**n`` seconds or what ``Retry-After`` asks.

    Each retried response is announced (:data:`crawler.consumed.response_consumed`) before the wait.
    """

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 0.5)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    def backoff(self, request: Request, response: Response | None = None) -> float:
        attempt = request.meta.get("retry_times", 1)
        wait = self.backoff_base * 2 ** max(attempt - 1, 0)
        if response is not None and response.status in (429, 503):
            asked = retry_after_seconds(response)
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
        if caused_by(exception, PrivateAddressLookupError):
            return None  # the address will not become public by asking again
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await sleep(self.backoff(result))
        return result


class CanonicalDupeFilter(BaseDupeFilter):
    """Requests are duplicates when their URLs have the same identity (and method).

    A redirect back to an identity of its own chain (a trailing-slash or host-case
    redirect, or a loop) is the same fetch going on, not a duplicate: loops end at
    ``REDIRECT_MAX_TIMES`` and are counted as such.
    """

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def request_seen(self, request: Request) -> bool:
        identity = request_identity(request)
        key = f"{request.method} {identity}"
        if key not in self.seen:
            self.seen.add(key)
            return False
        chain = {canonical_url(url) for url in request.meta.get("redirect_urls") or ()}
        return identity not in chain

    def log(self, request: Request, spider: Any) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value("dupefilter/filtered")

