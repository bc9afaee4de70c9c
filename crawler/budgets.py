"""The crawl's budgets: no outlet, however hostile, holds a crawl or its worker's memory without bound.

:class:`CrawlBudgets` (one per crawler, owned by the spider) counts what a crawl spends — requests
sent, sitemap documents requested, sitemap and feed entries read, requests waiting in the scheduler,
wall time — against the ``crawl_max_*`` limits of :class:`core.settings.Settings` (Scrapy setting
``NEWSARCHIVE_BUDGETS``, built by :mod:`crawler.settings`). The first budget spent stops the crawl
the way Scrapy's ``CloseSpider`` extension does: the engine closes the spider with the reason
``budget:<name>``; requests already in flight finish and are archived, the ones still queued are
counted as ``budget`` skips, and the archive pipeline commits the run (:mod:`crawler.pipelines`).
The budget hit is in the run's stats (``budget``) and the run summary's ``stopped``.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.defer import _schedule_coro

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

__all__ = ["BUDGETS", "BUDGET_PREFIX", "CrawlBudgets", "is_budget_reason"]

logger = logging.getLogger(__name__)

#: The close reason of a crawl stopped by a budget: ``budget:<name>``.
BUDGET_PREFIX = "budget:"
#: Every budget, by name, with the :class:`~core.settings.Settings` field that sets it.
BUDGETS: dict[str, str] = {
    "requests": "crawl_max_requests",
    "sitemaps": "crawl_max_sitemaps",
    "sitemap_urls": "crawl_max_sitemap_urls",
    "pending": "crawl_max_pending",
    "time": "crawl_max_seconds",
}
#: Seconds between two checks of the wall-time and pending-queue budgets.
CHECK_INTERVAL_S = 0.5


def is_budget_reason(reason: str | None) -> bool:
    """Was the crawl closed by a budget (so what it fetched is committed)?"""
    return bool(reason and reason.startswith(BUDGET_PREFIX))


class CrawlBudgets:
    """What one crawl may spend, what it has spent, and the stop when a budget runs out."""

    def __init__(self, crawler: Crawler, limits: dict[str, float]) -> None:
        unknown = set(limits) - set(BUDGETS)
        if unknown:
            raise ValueError(f"unknown crawl budgets: {sorted(unknown)}")
        self.crawler = crawler
        self.limits = dict(limits)
        self.spent: dict[str, float] = dict.fromkeys(BUDGETS, 0)
        #: The budget that stopped the crawl, once one did.
        self.exhausted: str | None = None
        self._started: float | None = None
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

    @property
    def stopped(self) -> bool:
        return self.exhausted is not None

    def spend(self, name: str, amount: float = 1) -> bool:
        """Spend ``amount`` of budget ``name``; False (and the crawl stopping) once it is over its limit."""
        self.spent[name] += amount
        limit = self.limits.get(name)
        if limit is not None and self.spent[name] > limit:
            self.stop(name)
        return not self.stopped

    def allows(self, name: str, amount: float = 1) -> bool:
        """Would spending ``amount`` more of ``name`` stay within its limit? (Spends nothing.)"""
        limit = self.limits.get(name)
        return not self.stopped and (limit is None or self.spent[name] + amount <= limit)

    def created(self) -> bool:
        """One more request made by the spider: False once the ``pending`` budget (or another) is spent."""
        self._unscheduled += 1
        self.pending(self.queued() + self._unscheduled)
        return not self.stopped

    def stop(self, name: str) -> None:
        """Close the crawl with the reason ``budget:<name>`` (once; the first budget spent is the one named)."""
        if self.stopped:
            return
        self.exhausted = name
        logger.warning("crawl budget %r spent (%s of %s): stopping the crawl and committing what it fetched",
                       name, _figure(self.spent[name]), _figure(self.limits.get(name, 0)))
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            _schedule_coro(engine.close_spider_async(reason=BUDGET_PREFIX + name))

    def to_stats(self) -> dict[str, Any]:
        """The budgets, what was spent of each, and the one that stopped the crawl (None when none did)."""
        return {"exhausted": self.exhausted, "limits": dict(self.limits),
                "spent": {name: _figure(value) for name, value in self.spent.items()}}

    # -- signals ----------------------------------------------------------------------------------

    def request_reached_downloader(self, request: Request, spider: Any = None) -> None:
        self.spend("requests")

    def request_scheduled(self, request: Request, spider: Any = None) -> None:
        self._unscheduled = max(0, self._unscheduled - 1)

    def spider_opened(self, spider: Any) -> None:
        self._started = time.monotonic()
        self._timer = create_looping_call(self.check)
        self._timer.start(CHECK_INTERVAL_S, now=False)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()

    def check(self) -> None:
        """The budgets spent by the clock and by the scheduler's queue (polled: they grow between signals)."""
        if self.stopped or self._started is None:
            return
        self.spent["time"] = time.monotonic() - self._started
        self.spend("time", 0)
        self.pending(self.queued())

    def pending(self, queued: int) -> None:
        """Record ``queued`` requests waiting; over the ``pending`` budget, the crawl stops."""
        self.spent["pending"] = max(self.spent["pending"], queued)
        self.spend("pending", 0)

    def queued(self) -> int:
        """Requests waiting in the scheduler (0 when it cannot tell)."""
        scheduler = self.crawler.engine.scheduler if self.crawler.engine is not None else None
        return len(scheduler) if hasattr(scheduler, "__len__") else 0  # type: ignore[arg-type]


def _figure(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 3)
