"""The crawl's budgets wired to Scrapy: no outlet, however hostile, holds a crawl or its worker's memory without bound.

The account itself — limits, what is spent, the first budget exhausted — is :class:`ingest.budgets.Budgets`,
shared with the backfills. :class:`CrawlBudgets` (one per crawler, owned by the spider) feeds it from
Scrapy's signals — requests sent, sitemap documents requested, entries read, requests waiting in the
scheduler (measured as each request is made: the queue grows only then), wall time (one timer at its
limit, not a poll) — against the ``crawl_max_*`` limits (Scrapy setting ``NEWSARCHIVE_BUDGETS``, built
by :mod:`crawler.settings`). The first budget spent stops the crawl the way Scrapy's ``CloseSpider``
extension does: the engine closes the spider with the reason ``budget:<name>``; requests already in
flight finish and are archived, the ones still queued are counted as ``budget`` skips, and the archive
pipeline commits the run (:mod:`crawler.pipelines`). The budget hit is in the run's stats (``budget``)
and the run summary's ``stopped``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro

from ingest.budgets import Budgets, budget_reason

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

__all__ = ["CrawlBudgets"]


class CrawlBudgets(Budgets):
    """One crawl's :class:`~ingest.budgets.Budgets`, fed by Scrapy's signals; spent, it closes the spider."""

    def __init__(self, crawler: Crawler, limits: dict[str, float]) -> None:
        super().__init__(limits, on_exhausted=self._close_spider)
        self.crawler = crawler
        #: Requests the spider made that the scheduler has not taken yet (a callback makes them in bursts).
        self._unscheduled = 0
        self._timer: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlBudgets:
        budgets = cls(crawler, dict(crawler.settings.getdict("NEWSARCHIVE_BUDGETS")))
        crawler.signals.connect(budgets.request_reached_downloader, signal=signals.request_reached_downloader)
        crawler.signals.connect(budgets.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(budgets.request_scheduled, signal=signals.request_dropped)
        crawler.signals.connect(budgets.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(budgets.spider_closed, signal=signals.spider_closed)
        return budgets

    def created(self) -> bool:
        """One more request made by the spider: False once the ``pending`` budget (or another) is spent."""
        self._unscheduled += 1
        return self.measure("pending", self.queued() + self._unscheduled)

    def _close_spider(self, name: str) -> None:
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            _schedule_coro(engine.close_spider_async(reason=budget_reason(name)))

    # -- signals ----------------------------------------------------------------------------------

    def request_reached_downloader(self, request: Request, spider: Any = None) -> None:
        self.spend("requests")

    def request_scheduled(self, request: Request, spider: Any = None) -> None:
        self._unscheduled = max(0, self._unscheduled - 1)

    def spider_opened(self, spider: Any) -> None:
        self.restart_clock()
        limit = self.limits.get("time")
        if limit is not None:  # one timer, at the limit: nothing wakes a waiting (polite) crawl to poll a clock
            self._timer = call_later(limit, self._time_spent)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if not self.stopped:  # the wall time spent, for the stats (the crawl is closing already: no stop)
            self.spent["time"] = round(self.elapsed(), 3)

    def _time_spent(self) -> None:
        self.tick()
        self.exhaust("time")  # the timer fired at the limit: spent, even if the clock reads a hair under it

    def queued(self) -> int:
        """Requests waiting in the scheduler (0 when it cannot tell)."""
        scheduler = self.crawler.engine.scheduler if self.crawler.engine is not None else None
        return len(scheduler) if hasattr(scheduler, "__len__") else 0  # type: ignore[arg-type]
