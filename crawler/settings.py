"""Scrapy settings for one outlet's crawl, built from newsarchive :class:`Settings` and the :class:`Outlet`.

One home for every Scrapy knob newsarchive turns. Each outlet is crawled by its own
``Crawler`` (several can share one ``CrawlerProcess``), so per-outlet politeness
(concurrency, delay) is simply that crawler's settings: the registry's ``rate``, made
gentler (never harsher) by the operator's ``Settings.concurrency``/``delay_s``.
``throttle=False`` (tests, benchmarks on loopback) turns AutoThrottle and delays off;
politeness rules that are about *what* is fetched (robots.txt, domains, private
addresses) stay on regardless.
"""

from __future__ import annotations

from typing import Any

from core.registry import Outlet
from core.settings import RETRY_HTTP_STATUSES, Settings
from ingest.budgets import CRAWL_BUDGETS

__all__ = ["scrapy_settings", "user_agent"]


_DOWNLOADER_MIDDLEWARES: dict[str, int | None] = {
    # Scrapy's offsite filter matches host names only; ours knows outlet domains with ports.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    # Before everything that could send a request (robots.txt included); redirects come back through here.
    "crawler.middlewares.private_address.PrivateAddressMiddleware": 40,
    "crawler.middlewares.offsite.OutletOffsiteMiddleware": 50,
    "crawler.middlewares.archived.ArchivedArticleMiddleware": 60,
    # Scrapy's robots.txt rules, from the spider's own robots.txt response (one fetch, archived).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robotstxt.SpiderRobotsTxtMiddleware": 100,
    "crawler.middlewares.crawl_delay.CrawlDelayMiddleware": 110,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry.BackoffRetryMiddleware": 550,
    # Exceptions reach it before the retry ladder: a host that never answered fails the crawl in seconds.
    "crawler.middlewares.unreachable.UnreachableHostMiddleware": 560,
    # Scrapy's redirects, each followed response announced for the WARC (crawler.signals). The 3xx one
    # moves from 600 to 585, after HttpCompressionMiddleware (590) in the response order: its bodies are
    # stored decoded, like every capture.
    # A declared charset that cannot decode text (zlib, rot13, undefined, ...) is replaced by one that can,
    # after decompression (590) and before anything reads the text (crawler.middlewares.charset).
    "crawler.middlewares.charset.DeclaredCharsetMiddleware": 587,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.redirect.CapturingMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.redirect.CapturingRedirectMiddleware": 585,
}


#: The Scrapy extensions a crawl runs: Scrapy's base list (``EXTENSIONS_BASE``) replaced by the ones it uses,
#: so the others are neither imported (Scrapy imports every listed class, even one set to None, to normalise
#: the keys) nor started nor woken up (issue 19: a crawl process costs nothing while it waits and holds only
#: what it uses). Left out: RemoteControl (Scrapy 2.19: an aiohttp server in every crawl process, 0.14 s of
#: imports), TelnetConsole (a listening port), LogStats and MemoryUsage (a timer each, logging at INFO below
#: the crawl's level and polling the RSS the bench measures from outside), FeedExporter, SpiderState,
#: MemoryDebugger (FEEDS, JOBDIR, MEMDEBUG_ENABLED: never set).
_EXTENSIONS_BASE: dict[str, int] = {
    "scrapy.extensions.corestats.CoreStats": 0,
    "scrapy.extensions.logcount.LogCount": 0,
    "scrapy.extensions.closespider.CloseSpider": 0,
    "scrapy.extensions.throttle.AutoThrottle": 0,
}
#: Only http and https are ever fetched: the handlers of other schemes are not even imported (an ``ftp://`` or
#: ``s3://`` link of a hostile outlet would otherwise reach another host or hang the crawl; s3 looks for botocore).
_DOWNLOAD_HANDLERS_BASE: dict[str, str] = {
    "http": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
    "https": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
}


def user_agent(settings: Settings) -> str:
    """The crawler's User-Agent: descriptive, with a contact URL (added when the configured one lacks it)."""
    agent = settings.user_agent.strip()
    if settings.contact_url and settings.contact_url not in agent:
        agent = f"{agent} (+{settings.contact_url})"
    return agent


def scrapy_settings(outlet: Outlet, settings: Settings, *, throttle: bool = True) -> dict[str, Any]:
    """The Scrapy settings dict for crawling ``outlet``."""
    concurrency = min(outlet.rate.concurrency, settings.concurrency) if throttle else max(outlet.rate.concurrency, 16)
    delay = max(outlet.rate.delay_s, settings.delay_s) if throttle else 0.0
    return {
        "BOT_NAME": "newsarchive",
        "USER_AGENT": user_agent(settings),
        "ROBOTSTXT_OBEY": True,
        "ROBOTSTXT_USER_AGENT": "newsarchive",
        # Politeness.
        "CONCURRENT_REQUESTS": max(concurrency, 1) * 2,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "DOWNLOAD_DELAY": delay,
        "AUTOTHROTTLE_ENABLED": throttle and settings.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(delay, 1.0),
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": max(1.0, concurrency / 2),
        "RETRY_ENABLED": True,
        "RETRY_TIMES": settings.retry_times,
        "RETRY_HTTP_CODES": list(RETRY_HTTP_STATUSES),
        "RETRY_BACKOFF_BASE": settings.retry_backoff_base_s if throttle else settings.retry_backoff_base_s / 10,  # loopback
        "RETRY_BACKOFF_MAX": settings.retry_backoff_max_s,
        "NEWSARCHIVE_MAX_CRAWL_DELAY": settings.max_crawl_delay_s,
        # A polite crawl's pages go to the extraction workers in batches (ingest.extraction.PageBatches).
        "NEWSARCHIVE_EXTRACT_BATCH": settings.extract_batch if throttle else 1,
        "NEWSARCHIVE_EXTRACT_BATCH_WAIT": settings.extract_batch_wait_s,
        # Limits: traps, bombs, slow servers.
        "DOWNLOAD_TIMEOUT": settings.download_timeout_s,
        "DOWNLOAD_MAXSIZE": settings.download_maxsize,
        "DOWNLOAD_WARNSIZE": settings.download_warnsize,
        # The crawl's budgets (crawler.budgets), by name.
        "NEWSARCHIVE_BUDGETS": {name: getattr(settings, field) for name, field in CRAWL_BUDGETS.items()},
        # A backstop only: the spider bounds link hops (max_depth), section pages and sitemap nesting itself,
        # and Scrapy's depth also counts the robots.txt -> sitemap index -> sitemap chain before phase 2.
        "DEPTH_LIMIT": settings.max_depth + settings.max_section_pages + 8,
        "DEPTH_PRIORITY": 1,  # breadth-first: listings before what they link to, fewer deep traps
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        "REDIRECT_MAX_TIMES": settings.max_redirects,
        "METAREFRESH_MAXDELAY": 5,
        "URLLENGTH_LIMIT": 2083,
        "HTTPERROR_ALLOW_ALL": False,
        # Identity: one request per article however many URLs reach it.
        "DUPEFILTER_CLASS": "crawler.dupefilter.CanonicalDupeFilter",
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "DOWNLOADER_MIDDLEWARES": dict(_DOWNLOADER_MIDDLEWARES),
        # Scrapy starts this many asyncio tasks per response to process its output in parallel; the archive
        # pipeline is synchronous, so a few suffice (100, the default, cost ~15% of the crawl's CPU in tasks).
        "CONCURRENT_ITEMS": 4,
        "ITEM_PIPELINES": {"crawler.pipelines.ArchivePipeline": 300},
        "EXTENSIONS_BASE": dict(_EXTENSIONS_BASE),
        "EXTENSIONS": {"crawler.progress.CrawlProgress": 500},
        "DOWNLOAD_HANDLERS_BASE": dict(_DOWNLOAD_HANDLERS_BASE),
        "NEWSARCHIVE_PROGRESS": "lines",  # "rich" on a terminal (run_crawl(progress=True)); "off" for none
        "NEWSARCHIVE_PROGRESS_INTERVAL": settings.progress_interval_s,
        "LOG_LEVEL": "INFO",
        # Scrapy 2.19 defaults, stated so a change of default is a visible diff here.
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "FEED_EXPORT_ENCODING": "utf-8",
        "NEWSARCHIVE_MAX_SECTION_PAGES": settings.max_section_pages,
        "NEWSARCHIVE_MAX_SITEMAP_URLS": settings.max_sitemap_urls,
    }
