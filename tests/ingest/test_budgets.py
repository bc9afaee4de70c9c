"""The one budget account of crawls and backfills (ingest/budgets.py); the crawl's wiring to Scrapy
is exercised by tests/reliability/test_hostile_outlets.py, the backfills' by tests/history."""

from __future__ import annotations

import pytest

from core.settings import Settings
from ingest.budgets import (
    BACKFILL_BUDGETS,
    CRAWL_BUDGETS,
    BudgetExhausted,
    Budgets,
    budget_reason,
    is_budget_reason,
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_spend_exhausts_past_the_limit_once_and_names_the_first_budget() -> None:
    spent: list[str] = []
    budgets = Budgets({"requests": 2, "sitemaps": 1}, on_exhausted=spent.append)
    assert budgets.spend("requests") and budgets.spend("requests")  # at the limit: still within it
    assert not budgets.spend("requests")  # the third is past it
    assert budgets.exhausted == "requests" and budgets.reason == "budget:requests"
    assert not budgets.spend("sitemaps", 5)  # stopped already: the first budget spent stays the one named
    assert spent == ["requests"]
    assert budgets.to_stats() == {
        "exhausted": "requests", "limits": {"requests": 2, "sitemaps": 1}, "spent": {"requests": 3, "sitemaps": 5},
    }


def test_take_refuses_the_request_that_would_pass_the_limit() -> None:
    budgets = Budgets({"requests": 2})
    assert budgets.take("requests") and budgets.take("requests")
    assert not budgets.take("requests")
    assert budgets.spent["requests"] == 2  # the refused one was never spent
    with pytest.raises(BudgetExhausted) as raised:
        budgets.check()
    assert raised.value.budget == "requests" and raised.value.reason == "budget:requests"
    assert "requests budget of 2 spent" in str(raised.value)


def test_a_zero_or_missing_limit_is_no_limit() -> None:
    budgets = Budgets({"requests": 0, "time": None})
    assert budgets.spend("requests", 10**9) and budgets.measure("pending", 10**9) and budgets.tick()
    assert budgets.allows("requests", 10**9)
    budgets.check()  # nothing raised
    assert budgets.to_stats()["limits"] == {}


def test_measure_keeps_the_highest_level_and_time_follows_the_clock() -> None:
    clock = Clock()
    budgets = Budgets({"pending": 5, "time": 30}, clock=clock)
    assert budgets.measure("pending", 4) and budgets.measure("pending", 2)
    assert budgets.spent["pending"] == 4
    clock.now += 30
    assert budgets.tick()  # 30 s of 30: within
    clock.now += 0.5
    assert not budgets.tick() and budgets.reason == "budget:time"


def test_restart_clock_counts_time_from_then() -> None:
    clock = Clock()
    budgets = Budgets({"time": 10}, clock=clock)
    clock.now += 60  # a crawl process's start-up, before its spider opens
    budgets.restart_clock()
    clock.now += 9
    assert budgets.tick() and budgets.spent["time"] == 9


def test_the_crawl_and_the_backfills_read_their_limits_from_settings() -> None:
    settings = Settings(crawl_max_requests=7, backfill_max_requests=0, backfill_max_seconds=60)
    crawl = Budgets.from_settings(settings, CRAWL_BUDGETS)
    backfill = Budgets.from_settings(settings, BACKFILL_BUDGETS)
    assert crawl.limits["requests"] == 7 and set(crawl.spent) == set(CRAWL_BUDGETS)
    assert backfill.limits == {"time": 60}  # 0 requests: no limit


def test_reasons() -> None:
    assert budget_reason("time") == "budget:time"
    assert is_budget_reason("budget:pending") and not is_budget_reason("finished") and not is_budget_reason(None)
