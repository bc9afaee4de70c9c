"""Politeness and safety knobs: Scrapy settings per outlet, address checks, Retry-After, URL identity dedup."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.settings.default_settings import DOWNLOADER_MIDDLEWARES_BASE

from core.registry import Outlet
from core.settings import Settings
from crawler.dupefilter import CanonicalDupeFilter
from crawler.middlewares.private_address import is_public_address
from crawler.settings import scrapy_settings, user_agent

OUTLET = Outlet(id="news", name="News", base_url="https://news.example/", rate={"concurrency": 2, "delay_s": 1.5})


def test_throttled_settings_follow_the_registry_and_config() -> None:
    settings = Settings(contact_url="https://archive.example/contact", user_agent="newsarchive/0.1")
    conf = scrapy_settings(OUTLET, settings)
    assert conf["ROBOTSTXT_OBEY"] is True
    assert conf["AUTOTHROTTLE_ENABLED"] is True
    assert conf["CONCURRENT_REQUESTS_PER_DOMAIN"] == 2
    assert conf["DOWNLOAD_DELAY"] == 1.5
    assert conf["USER_AGENT"] == "newsarchive/0.1 (+https://archive.example/contact)"
    assert conf["DOWNLOAD_MAXSIZE"] == settings.download_maxsize
    assert conf["DOWNLOAD_WARNSIZE"] == settings.download_warnsize
    assert conf["DOWNLOAD_TIMEOUT"] == settings.download_timeout_s
    assert conf["REDIRECT_MAX_TIMES"] == settings.max_redirects
    assert conf["RETRY_TIMES"] == settings.retry_times and 503 in conf["RETRY_HTTP_CODES"]
    assert conf["TWISTED_REACTOR"] == "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
    middlewares = conf["DOWNLOADER_MIDDLEWARES"]
    assert middlewares["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None
    assert middlewares["crawler.middlewares.private_address.PrivateAddressMiddleware"] < middlewares[
        "crawler.middlewares.offsite.OutletOffsiteMiddleware"] < 100, "checked before robots.txt is fetched"
    assert middlewares["scrapy.downloadermiddlewares.redirect.RedirectMiddleware"] is None
    assert middlewares["crawler.middlewares.redirect.CapturingRedirectMiddleware"] < DOWNLOADER_MIDDLEWARES_BASE[
        "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware"], "3xx bodies archived decoded"
    assert conf["NEWSARCHIVE_EXTRACT_BATCH"] == settings.extract_batch > 1, "a polite crawl's pages go in batches"
    assert conf["NEWSARCHIVE_EXTRACT_BATCH_WAIT"] == settings.extract_batch_wait_s


def test_unthrottled_settings_keep_the_safety_rules() -> None:
    conf = scrapy_settings(OUTLET, Settings(), throttle=False)
    assert conf["AUTOTHROTTLE_ENABLED"] is False and conf["DOWNLOAD_DELAY"] == 0.0
    assert conf["NEWSARCHIVE_EXTRACT_BATCH"] == 1, "pages come back to back: none is held"
    assert conf["ROBOTSTXT_OBEY"] is True
    assert "crawler.middlewares.private_address.PrivateAddressMiddleware" in conf["DOWNLOADER_MIDDLEWARES"]


def test_user_agent_keeps_a_contact_already_there() -> None:
    settings = Settings(user_agent="bot/1 (+https://x.example)", contact_url="https://x.example")
    assert user_agent(settings) == "bot/1 (+https://x.example)"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd00::1", False),
        ("::ffff:10.0.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def test_dupefilter_uses_url_identity_but_lets_redirect_hops_through() -> None:
    dupes = CanonicalDupeFilter()
    assert not dupes.request_seen(Request("https://news.example/2026/10/03/a/"))
    for variant in (
        "https://NEWS.example/2026/10/03/a",
        "https://news.example/2026/10/03/a/?utm_source=x&fbclid=y",
        "https://news.example:443/2026/10/03/a/#comments",
        "http://news.example/2026/10/03/a/",
    ):
        assert dupes.request_seen(Request(variant)), variant
    hop = Request("https://news.example/2026/10/03/a/", meta={"redirect_urls": ["https://news.example/2026/10/03/a"]})
    assert not dupes.request_seen(hop), "a trailing-slash redirect continues the same fetch"
    assert not dupes.request_seen(Request("https://news.example/2026/10/03/a/", method="HEAD"))


def test_resolver_refuses_private_answers_for_hosts_no_outlet_allows() -> None:
    # The rebinding case (public answer to the middleware, private one to the connection) cannot be
    # produced on demand without a DNS server, so the resolver's decision is tested directly.
    from crawler.exceptions import PrivateAddressLookupError
    from crawler.resolver import PublicAddressResolver, private_hosts

    # No reactor: check() does not resolve, and a test process must not install the global reactor.
    resolver = PublicAddressResolver(None, 0, 5.0, allowed=private_hosts(["www.Demo.test:8000"]))
    assert resolver.check("93.184.216.34", "news.example") == "93.184.216.34"
    assert resolver.check("127.0.0.1", "demo.test") == "127.0.0.1"
    assert resolver.check("10.1.2.3", "cdn.demo.test") == "10.1.2.3"
    with pytest.raises(PrivateAddressLookupError):
        resolver.check("169.254.169.254", "metadata.attacker.example")
    with pytest.raises(PrivateAddressLookupError):
        resolver.check("127.0.0.1", "notdemo.test")


def test_a_refused_lookup_wrapped_by_scrapy_is_counted_as_private_address() -> None:
    from scrapy.exceptions import CannotResolveHostError
    from twisted.python.failure import Failure

    from crawler.exceptions import PrivateAddressLookupError
    from crawler.failures import failure_reason

    try:
        try:
            raise PrivateAddressLookupError("rebound.example resolves to 10.0.0.1")
        except PrivateAddressLookupError as inner:
            raise CannotResolveHostError(str(inner)) from inner
    except CannotResolveHostError as wrapped:
        assert failure_reason(Failure(wrapped)) == "private_address"
