"""Run crawls in this process: :func:`run_crawl`, one ``CrawlerProcess`` for several outlets.

Scrapy's reactor cannot be restarted within one process, so :func:`run_crawl` may
run once per process; it crawls several outlets at once in one ``CrawlerProcess``,
one ``Crawler`` (with that outlet's politeness settings) per outlet. Airflow tasks,
tests and benchmarks run it in a child process through :mod:`newsarchive.jobs`.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack
from datetime import date

from core.errors import CrawlError
from core.registry import Outlet
from core.settings import Settings, get_settings
from crawler.settings import scrapy_settings
from ingest.summary import RunSummary

__all__ = ["run_crawl"]

#: Loggers held at the crawl's log level (a record below it is never built).
LEVELLED_LOGGERS: tuple[str, ...] = ("scrapy", "twisted", "trafilatura", "htmldate", "courlan", "crawler", "extract",
                                     "archive")
def run_crawl(
    outlets: list[Outlet],
    archive_uri: str,
    *,
    since: date | None,
    until: date | None,
    refresh_days: int | None = None,
    settings: Settings | None = None,
    progress: bool = False,
    throttle: bool = True,
) -> list[RunSummary]:
    """Crawl ``outlets`` into the archive at ``archive_uri``; one summary per outlet, in order.

    Runs a Twisted reactor: call it at most once per process (see :mod:`newsarchive.jobs`).
    Holds each outlet's crawl lease meanwhile: raises :class:`~core.errors.LeaseHeldError`
    when another crawl of one of the outlets is running.
    ``throttle=False`` turns AutoThrottle and delays off (loopback tests and benchmarks).
    """
    # Imported here, near the bottom of the stack: Scrapy's create_deprecated_class runs inspect.stack() when
    # its TLS module loads, and imported by the crawler from inside the reactor it walks ~45 frames (0.1 s CPU).
    import scrapy.core.downloader.handlers.http11  # noqa: F401

    import archive.record  # noqa: F401 - with the spider's and the pipeline's imports, what a worker reads pages with
    import crawler.pipelines
    import crawler.spiders.news  # noqa: F401
    import extract  # noqa: F401
    from ingest.extraction import PageReaders

    settings = settings or get_settings()
    with PageReaders.held(workers=settings.extract_workers, timeout_s=settings.extract_timeout_s):
        # Started first, while this process has no other thread (Scrapy's reactor, the lease heartbeat):
        # the extraction workers are forked, sharing the modules imported here (ingest/extraction.py).
        return _crawl(outlets, archive_uri, since=since, until=until, refresh_days=refresh_days,
                      settings=settings, throttle=throttle, progress=progress)


def _crawl(outlets: list[Outlet], archive_uri: str, *, since: date | None, until: date | None,
           refresh_days: int | None, settings: Settings, throttle: bool, progress: bool) -> list[RunSummary]:
    from scrapy.crawler import Crawler, CrawlerProcess

    from archive import Archive
    from crawler.shutdown import StopOnSignal
    from crawler.spiders.news import NewsSpider
    from ingest.plan import build_plan

    archive = Archive.open(archive_uri, settings)
    # Progress comes from crawler.progress (a rich display on a terminal, plain lines otherwise);
    # Scrapy's own INFO lines would only tear through that display.
    log_level = "WARNING"
    crawlers: list[Crawler] = []
    from crawler.resolver import private_hosts

    allowed_private = private_hosts(d for o in outlets if o.allow_private_addresses for d in o.allowed_domains)
    process = CrawlerProcess({
        "LOG_LEVEL": log_level,
        "TWISTED_DNS_RESOLVER": "crawler.resolver.PublicAddressResolver",
        "NEWSARCHIVE_PRIVATE_HOSTS": list(allowed_private),
    })
    # Scrapy's root handler filters by level only when a record is emitted; below the crawl's level,
    # records are not even created (Scrapy and trafilatura log every page at DEBUG).
    for name in LEVELLED_LOGGERS:
        logging.getLogger(name).setLevel(log_level)
    for number, outlet in enumerate(outlets):
        plan = build_plan(archive, outlet, since=since, until=until, refresh_days=refresh_days,
                          settings=settings, throttle=throttle)
        conf = scrapy_settings(outlet, settings, throttle=throttle)
        conf["LOG_LEVEL"] = log_level
        conf["NEWSARCHIVE_PROGRESS"] = "rich" if progress else "lines"
        crawler = Crawler(NewsSpider, conf, init_reactor=number == 0)
        crawlers.append(crawler)
        process.crawl(crawler, plan=plan)
    with ExitStack() as leases:
        # One crawl per outlet at a time, whichever machine or DAG started it (archive/lease.py).
        for outlet in outlets:
            leases.enter_context(archive.lease(outlet.id))
        StopOnSignal(process).install()  # Scrapy's handlers would take a repeated stop signal for "force it"
        process.start(install_signal_handlers=False)
    summaries = []
    for crawler, outlet in zip(crawlers, outlets, strict=True):
        spider_summary = getattr(crawler.spider, "summary", None)
        if spider_summary is None:
            raise CrawlError(f"crawl of outlet {outlet.id!r} did not finish (see the log)")
        summaries.append(RunSummary.from_spider_summary(spider_summary))
    return summaries
