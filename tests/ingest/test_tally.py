"""The run ledger: one source and one outcome per URL identity, so the stats add up."""

from __future__ import annotations

import logging

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotSupported
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import TimeoutError
from twisted.python.failure import Failure

from crawler.exceptions import AlreadyArchived, OffsiteRefused, PrivateAddressRefused
from crawler.failures import failure_reason
from ingest.tally import SKIP_REASONS, CrawlTally


def test_each_identity_counts_once_and_the_ledger_adds_up() -> None:
    tally = CrawlTally()
    assert tally.discover("https://a/1", "sitemap")
    assert not tally.discover("https://a/1", "feed"), "second surface does not count it again"
    tally.discover("https://a/2", "feed")
    tally.discover("https://a/3", "section")
    tally.discover("https://a/sitemap.xml", "robots")
    tally.discover("https://a/lost", "link")
    assert tally.finish("https://a/1", "new")
    assert not tally.finish("https://a/1", "duplicate"), "first outcome wins"
    tally.finish("https://a/2", "version")
    tally.finish("https://a/3", "not_article")
    tally.finish("https://a/sitemap.xml", "discovery")
    assert tally.close_pending() == 1
    stats = tally.snapshot({"downloader/request_count": 7, "downloader/response_status_count/200": 6,
                            "downloader/response_status_count/404": 1, "downloader/response_bytes": 1234,
                            "newsarchive/captures/page": 5, "newsarchive/captures/redirect": 2})
    assert stats["discovered_by_source"] == {"start": 0, "robots": 1, "sitemap": 1, "news_sitemap": 0,
                                             "feed": 1, "section": 1, "link": 1}
    assert stats["articles_archived"] == 2 and stats["versions"] == 1
    assert stats["skipped"]["not_article"] == 1 and stats["skipped"]["error"] == 1
    assert stats["responses_by_status"] == {"200": 6, "404": 1}
    assert stats["captures_by_role"] == {"page": 5, "redirect": 2}
    assert stats["requests"] == 7 and stats["bytes"] == 1234
    assert set(stats["skipped"]) == set(SKIP_REASONS)
    assert CrawlTally.adds_up(stats)


def test_failure_reasons() -> None:
    request = Request("https://a/x")

    def reason(error: BaseException) -> str:
        return failure_reason(Failure(error))

    assert reason(HttpError(Response("https://a/x", status=410, request=request))) == "gone"
    assert reason(HttpError(Response("https://a/x", status=500, request=request))) == "http_error"
    assert reason(IgnoreRequest("Forbidden by robots.txt")) == "robots"
    assert reason(IgnoreRequest("max redirections reached")) == "redirect_loop"
    assert reason(PrivateAddressRefused("10.0.0.1")) == "private_address"
    assert reason(OffsiteRefused("x")) == "offsite"
    assert reason(AlreadyArchived("x")) == "known"
    assert reason(TimeoutError()) == "timeout"
    assert reason(RuntimeError("boom")) == "error"


def test_close_pending_logs_one_line_whatever_the_number(caplog: pytest.LogCaptureFixture) -> None:
    """Issue 20: an interrupted fan-out leaves a million URLs pending; one summary line, not one per URL."""
    tally = CrawlTally()
    for n in range(10_000):
        tally.discover(f"https://a/{n}", "sitemap")
    with caplog.at_level(logging.WARNING, logger="ingest.tally"):
        assert tally.close_pending() == 10_000
    assert len(caplog.records) == 1 and "10000 URLs" in caplog.records[0].getMessage()
    assert tally.skipped["error"] == 10_000 and tally.close_pending() == 0


def test_close_pending_as_budget_counts_the_queued_requests() -> None:
    tally = CrawlTally()
    tally.discover("https://a/1", "sitemap")
    tally.discover("https://a/2", "sitemap")
    tally.finish("https://a/1", "new")
    assert tally.close_pending("budget") == 1
    stats = tally.snapshot()
    assert stats["skipped"]["budget"] == 1 and CrawlTally.adds_up(stats)


def test_a_scheme_without_download_handler_is_unsupported_scheme() -> None:
    failure = Failure(NotSupported("Unsupported URL scheme 'ftp': no handler available for that scheme"))
    assert failure_reason(failure) == "unsupported_scheme"


def test_held_records_are_counted_until_their_outcome() -> None:
    """What the progress display shows while records wait for the template pass: extracted, held."""
    tally = CrawlTally()
    for n in range(3):
        tally.discover(f"https://a/{n}", "sitemap")
    tally.hold("https://a/0")
    tally.hold("https://a/1")
    tally.hold("https://a/1")  # held once
    tally.hold("https://a/unknown")  # not discovered: not counted
    assert (tally.extracted, tally.held, tally.archived) == (2, 2, 0)
    tally.finish("https://a/0", "new")
    tally.finish("https://a/1", "duplicate")
    assert (tally.extracted, tally.held, tally.archived) == (2, 0, 1)


def test_progress_shows_fetched_extracted_held_and_time_left() -> None:
    from crawler.progress import CrawlProgress, _Rate

    tally = CrawlTally()
    for n in range(10):
        tally.discover(f"https://a/{n}", "sitemap")
    tally.hold("https://a/0")
    tally.finish("https://a/9", "gone")
    counts = CrawlProgress._counts(tally, {"downloader/response_count": 7})
    assert counts["fetched"] == 7 and counts["extracted"] == 1 and counts["held"] == 1
    assert counts["pending"] == 9 and counts["finished"] == 1
    rate = _Rate()
    assert rate.seconds_left(0, 10, now=0.0) is None  # no rate yet
    assert rate.seconds_left(5, 10, now=5.0) == 10.0  # 1 URL/s, 10 pending
