"""What a run may spend, and the first limit it reaches: one account for the crawl and the backfills.

Every run — a live crawl, a Wayback backfill, a CC-NEWS backfill — spends named budgets against the
limits of :class:`core.settings.Settings`, so that no outlet and no archive holds a run or its worker
without bound:

=============  ==========================  ===============================================
budget         crawl (``crawl_max_*``)     backfills (``backfill_max_*``)
=============  ==========================  ===============================================
requests       requests sent               requests made (Wayback) / WARC files opened (CC-NEWS)
time           wall seconds                wall seconds
sitemaps       sitemap documents           —
sitemap_urls   sitemap and feed entries    —
pending        requests queued             —
=============  ==========================  ===============================================

:class:`Budgets` keeps the account. The first budget spent past its limit is *exhausted*: the run
stops the way its engine stops (the crawl closes its spider — :mod:`crawler.budgets` wires this
account to Scrapy's signals; a backfill leaves its loop on :class:`BudgetExhausted`), commits what it
fetched, and its summary says ``stopped="budget:<name>"`` (:func:`budget_reason`).

A backfill asked to stop (Ctrl-C, SIGTERM: :mod:`ingest.stopping`) stops the same way: its account
reports the request at the next :meth:`Budgets.tick` or :meth:`Budgets.check`
(:class:`StopRequested`, ``stopped="interrupted"``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from core.errors import CrawlError
from core.settings import Settings
from ingest.stopping import INTERRUPTED, stop_requested

__all__ = [
    "BACKFILL_BUDGETS",
    "BUDGET_PREFIX",
    "CRAWL_BUDGETS",
    "BudgetExhausted",
    "Budgets",
    "StopRequested",
    "budget_reason",
    "is_budget_reason",
]

logger = logging.getLogger(__name__)

#: The stop reason of a run ended by a budget: ``budget:<name>``.
BUDGET_PREFIX = "budget:"
#: The crawl's budgets, by name, with the :class:`~core.settings.Settings` field that sets each.
CRAWL_BUDGETS: dict[str, str] = {
    "requests": "crawl_max_requests",
    "sitemaps": "crawl_max_sitemaps",
    "sitemap_urls": "crawl_max_sitemap_urls",
    "pending": "crawl_max_pending",
    "time": "crawl_max_seconds",
}
#: A backfill's budgets (Wayback and CC-NEWS), likewise.
BACKFILL_BUDGETS: dict[str, str] = {
    "requests": "backfill_max_requests",
    "time": "backfill_max_seconds",
}


def budget_reason(name: str) -> str:
    """The stop reason of a run whose budget ``name`` ran out."""
    return BUDGET_PREFIX + name


def is_budget_reason(reason: str | None) -> bool:
    """Was the run stopped by a budget (so what it fetched is committed)?"""
    return bool(reason and reason.startswith(BUDGET_PREFIX))


class BudgetExhausted(CrawlError):
    """A budget of the run is spent: the run stops cleanly and commits what it fetched."""

    def __init__(self, budget: str, limit: float) -> None:
        super().__init__(f"{budget} budget of {_figure(limit)} spent")
        self.budget = budget
        self.reason = budget_reason(budget)


class StopRequested(BudgetExhausted):
    """The process was asked to stop (:func:`ingest.stopping.request_stop`): the run stops as on a spent budget,
    commits what it fetched, and records ``stopped="interrupted"``."""

    def __init__(self) -> None:
        super().__init__(INTERRUPTED, 0)
        self.args = ("stopped on request (Ctrl-C or SIGTERM)",)
        self.reason = INTERRUPTED


class Budgets:
    """One run's limits, what it has spent of each, and the budget that stopped it.

    A limit of 0 or None is no limit. ``on_exhausted`` is called once, with the name of the first
    budget spent (the crawl closes its spider there); ``clock`` measures the ``time`` budget.
    """

    def __init__(
        self,
        limits: Mapping[str, float | None],
        *,
        on_exhausted: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits: dict[str, float] = {name: float(limit) for name, limit in limits.items() if limit}
        self.spent: dict[str, float] = dict.fromkeys(limits, 0.0)
        #: The budget that stopped the run, once one did.
        self.exhausted: str | None = None
        #: The run was asked to stop (:mod:`ingest.stopping`) before any budget ran out.
        self.interrupted = False
        self._on_exhausted = on_exhausted
        self._clock = clock
        self._started = clock()

    @classmethod
    def from_settings(cls, settings: Settings, fields: Mapping[str, str], **kwargs: Any) -> Budgets:
        """The budgets ``fields`` (name → settings field; :data:`CRAWL_BUDGETS`, :data:`BACKFILL_BUDGETS`)."""
        return cls({name: getattr(settings, field) for name, field in fields.items()}, **kwargs)

    @property
    def stopped(self) -> bool:
        return self.exhausted is not None or self.interrupted

    @property
    def reason(self) -> str | None:
        """``budget:<name>`` once a budget stopped the run, ``interrupted`` once a stop request did, else None."""
        if self.interrupted:
            return INTERRUPTED
        return budget_reason(self.exhausted) if self.exhausted else None

    def restart_clock(self) -> None:
        """Count the ``time`` budget from now (a crawl counts from the moment its spider opens)."""
        self._started = self._clock()

    def spend(self, name: str, amount: float = 1) -> bool:
        """Record ``amount`` spent of ``name`` (already spent: a request sent); False once a budget is exhausted."""
        self.spent[name] = self.spent.get(name, 0.0) + amount
        return self._check(name)

    def take(self, name: str, amount: float = 1) -> bool:
        """Spend ``amount`` of ``name`` only if it stays within its limit; else exhaust it and return False."""
        if not self.allows(name, amount):
            self.exhaust(name)
            return False
        return self.spend(name, amount)

    def measure(self, name: str, value: float) -> bool:
        """Record a level (the queue's length): spent is the highest seen; False once a budget is exhausted."""
        self.spent[name] = max(self.spent.get(name, 0.0), value)
        return self._check(name)

    def elapsed(self) -> float:
        """Seconds since the clock started (see :meth:`restart_clock`)."""
        return self._clock() - self._started

    def tick(self) -> bool:
        """Bring the ``time`` budget up to the clock; False once a budget is exhausted or a stop requested."""
        self.spent["time"] = self.elapsed()
        return self._check("time")

    def allows(self, name: str, amount: float = 1) -> bool:
        """Would spending ``amount`` more of ``name`` stay within its limit? (Spends nothing.)"""
        self._check_stop_request()
        limit = self.limits.get(name)
        return not self.stopped and (limit is None or self.spent.get(name, 0.0) + amount <= limit)

    def exhaust(self, name: str) -> None:
        """Stop the run on budget ``name`` (once: the first budget spent is the one named)."""
        if self.stopped:
            return
        self.exhausted = name
        logger.warning("%s budget spent (%s of %s): stopping and committing what was fetched",
                       name, _figure(self.spent.get(name, 0.0)), _figure(self.limits.get(name, 0.0)))
        if self._on_exhausted is not None:
            self._on_exhausted(name)

    def check(self) -> None:
        """Raise :class:`BudgetExhausted` if a budget stopped the run, :class:`StopRequested` if a stop request
        did (a backfill's loops call it)."""
        self._check_stop_request()
        if self.interrupted:
            raise StopRequested()
        if self.exhausted is not None:
            raise BudgetExhausted(self.exhausted, self.limits.get(self.exhausted, 0.0))

    def to_stats(self) -> dict[str, Any]:
        """The limits, what was spent of each, and the budget that stopped the run (None when none did)."""
        return {"exhausted": self.exhausted, "limits": {n: _figure(v) for n, v in self.limits.items()},
                "spent": {name: _figure(value) for name, value in self.spent.items()}}

    def _check_stop_request(self) -> None:
        if not self.stopped and stop_requested():
            self.interrupted = True
            logger.warning("asked to stop: stopping and committing what was fetched")

    def _check(self, name: str) -> bool:
        self._check_stop_request()
        limit = self.limits.get(name)
        if limit is not None and self.spent[name] > limit:
            self.exhaust(name)
        return not self.stopped


def _figure(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 3)
