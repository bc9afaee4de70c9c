"""What the crawl's components read of the spider crawling an outlet, as a typed protocol.

The downloader middlewares and the archive pipeline need the spider's state (its
:class:`~ingest.plan.CrawlPlan`, its :class:`~ingest.tally.CrawlTally`, its on-site test) but not
the spider class itself: they reach it through :func:`outlet_spider` as an :class:`OutletSpider`,
which :class:`crawler.spiders.news.NewsSpider` is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from core.dates import DateWindow
    from core.registry import Outlet
    from ingest.articles import ArticleRules
    from ingest.plan import CrawlPlan
    from ingest.tally import CrawlTally

__all__ = ["OutletSpider", "outlet_spider"]


class OutletSpider(Protocol):
    """The spider of one outlet's crawl, as its middlewares and pipeline see it."""

    plan: CrawlPlan
    outlet: Outlet
    window: DateWindow
    rules: ArticleRules
    tally: CrawlTally

    def on_site(self, url: str) -> bool:
        """Is ``url`` on the outlet's domains?"""
        ...

    def run_stats(self) -> dict[str, Any]:
        """The run stats: the tally merged with Scrapy's counters."""
        ...

    def finish(self, run_id: str, stats: dict[str, Any], *, committed: bool, stopped: str | None = None,
               unreachable: bool = False) -> None:
        """Keep the summary of the archive run the crawl ended with (how it ended: see ``ingest.summary``)."""
        ...


def outlet_spider(crawler: Crawler) -> OutletSpider:
    """The spider ``crawler`` runs (open by now)."""
    spider = crawler.spider
    assert spider is not None, "used before the spider opened"
    return cast("OutletSpider", spider)
