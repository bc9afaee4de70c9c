"""The CDX client against the local Archive: paging, filters, quirks, limits, retries, resumption."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from core.dates import parse_wayback_timestamp
from history.wayback.cdx import CdxClient, CdxQuery, CdxTruncated, parse_cdx_json
from history.wayback.checkpoint import BackfillCheckpoint, checkpointed_rows
from history.wayback.transport import RetryPolicy, TokenBucket, WaybackUnavailable
from ingest import stopping
from ingest.budgets import Budgets, StopRequested
from tests.fixtures.wayback import fast_http, html_capture
from tests.fixtures.wayback_server import ArchivedCapture, WaybackServer

SITE = "https://news.example"


def fill(server: WaybackServer, n_pages: int = 30) -> set[tuple[str, str]]:
    """n_pages articles captured once each in October 2026, plus noise the filters must drop."""
    expected = set()
    for i in range(n_pages):
        url = f"{SITE}/2026/10/{1 + i % 28:02d}/story-{i}/"
        timestamp = f"202610{1 + i % 28:02d}12{i:02d}00"
        server.add(html_capture(url, timestamp, f"story {i}"))
        expected.add((timestamp, url))
    # noise: a repeat capture with the same digest (collapsed), a 404, an image, another site, out of range
    server.add(html_capture(f"{SITE}/2026/10/01/story-0/", "20261001130000", "story 0"))
    server.add(ArchivedCapture(f"{SITE}/gone/", "20261002000000", b"<html>404</html>", status=404))
    server.add(ArchivedCapture(f"{SITE}/logo.png", "20261002000000", b"\x89PNG", headers=[("Content-Type", "image/png")]))
    server.add(html_capture("https://other.example/2026/10/01/x/", "20261001000000", "elsewhere"))
    server.add(html_capture(f"{SITE}/2025/01/01/old/", "20250101000000", "old"))
    return expected


def test_pages_follow_resume_keys_and_apply_filters(wayback_server: WaybackServer) -> None:
    expected = fill(wayback_server)
    query = CdxQuery(f"{SITE}/", match_type="prefix", since=date(2026, 10, 1), until=date(2026, 10, 31), page_size=7)
    with fast_http(wayback_server) as http:
        pages = list(CdxClient(http).pages(query))
    rows = [row for page in pages for row in page.rows]
    assert {(r.timestamp, r.original) for r in rows} == expected
    assert len(rows) == len(expected)  # no row twice: the digest repeat collapsed, no page overlap
    assert len(pages) >= 5 and pages[-1].resume_key is None
    assert all(page.resume_key for page in pages[:-1])
    cdx_paths = [path for _t, _k, path, _s in wayback_server.cdx_requests()]
    assert "resumeKey=" not in cdx_paths[0] and all("resumeKey=" in p for p in cdx_paths[1:])
    assert all("filter=statuscode%3A200" in p and "filter=mimetype%3Atext%2Fhtml" in p for p in cdx_paths)
    assert all("collapse=digest" in p and "output=json" in p and "showResumeKey=true" in p for p in cdx_paths)


def test_domain_match_covers_subdomains(wayback_server: WaybackServer) -> None:
    wayback_server.add(html_capture("https://www.news.example/2026/10/01/a/", "20261001000000", "a"))
    wayback_server.add(html_capture("https://sport.news.example/2026/10/01/b/", "20261001000000", "b"))
    wayback_server.add(html_capture("https://othernews.example/2026/10/01/c/", "20261001000000", "c"))
    with fast_http(wayback_server) as http:
        rows = list(CdxClient(http).rows(CdxQuery("news.example", match_type="domain")))
    assert sorted(r.original for r in rows) == [
        "https://sport.news.example/2026/10/01/b/", "https://www.news.example/2026/10/01/a/",
    ]


REAL_FORMAT = """[["urlkey","timestamp","original","mimetype","statuscode","digest","length"],
["com,example)/2026/10/03/a", "20261003101010", "https://example.com/2026/10/03/a/", "text/html", "200", "AAAA", "5120"],
["com,example)/2026/10/03/b", "20261003111111", "http://example.com/2026/10/03/b/", "text/html", "200", "BBBB", "-"],
[],
["com%2Cexample%29%2F2026%2F10%2F03%2Fb+20261003111111"]]"""


def test_parse_real_json_shapes() -> None:
    page = parse_cdx_json(REAL_FORMAT)
    assert [r.original for r in page.rows] == ["https://example.com/2026/10/03/a/", "http://example.com/2026/10/03/b/"]
    assert page.rows[0].length == 5120 and page.rows[1].length is None
    assert page.resume_key == "com%2Cexample%29%2F2026%2F10%2F03%2Fb+20261003111111"
    assert parse_cdx_json("[]").rows == [] and parse_cdx_json(b"").resume_key is None
    reordered = parse_cdx_json('[["original","timestamp"],["https://e.com/x","2026"]]')
    assert reordered.rows[0].timestamp == "2026" and reordered.rows[0].captured_at == parse_wayback_timestamp("20260101000000")
    with pytest.raises(CdxTruncated):
        parse_cdx_json(REAL_FORMAT[: len(REAL_FORMAT) // 2])


def test_truncated_page_is_asked_again(wayback_server: WaybackServer) -> None:
    expected = fill(wayback_server, 12)
    wayback_server.faults.cdx_truncated = 2
    query = CdxQuery(SITE, since=date(2026, 10, 1), until=date(2026, 10, 31), page_size=5)
    with fast_http(wayback_server) as http:
        client = CdxClient(http)
        rows = list(client.rows(query))
    assert {(r.timestamp, r.original) for r in rows} == expected
    assert client.truncated == 2


def test_429_honours_retry_after_and_resets_and_5xx_back_off(wayback_server: WaybackServer) -> None:
    expected = fill(wayback_server, 6)
    faults = wayback_server.faults
    faults.cdx_429, faults.retry_after, faults.cdx_reset, faults.cdx_503 = 1, "1", 1, 1
    query = CdxQuery(SITE, since=date(2026, 10, 1), until=date(2026, 10, 31))
    with fast_http(wayback_server) as http:
        rows = list(CdxClient(http).rows(query))
        assert {(r.timestamp, r.original) for r in rows} == expected
        retries = dict(http.stats.retries)
        assert retries.pop("HTTP_429") == 1 and retries.pop("HTTP_503") == 1
        assert list(retries.values()) == [1] and next(iter(retries)).endswith("Error")  # the reset connection
    log = wayback_server.cdx_requests()
    statuses = [status for _t, _k, _p, status in log]
    assert statuses[0] == 0 and 429 in statuses and 503 in statuses and statuses[-1] == 200  # 0 = reset
    after_429 = statuses.index(429)
    assert log[after_429 + 1][0] - log[after_429][0] >= 0.95  # Retry-After: 1 was honoured


def test_gives_up_with_a_clear_error_when_the_archive_stays_down(wayback_server: WaybackServer) -> None:
    wayback_server.faults.cdx_503 = 100
    with fast_http(wayback_server, retry=RetryPolicy(max_retries=2, backoff_base_s=0.01)) as http, pytest.raises(
        WaybackUnavailable, match="failed 3 times; last: HTTP 503"
    ):
        list(CdxClient(http).rows(CdxQuery(SITE)))
    assert len(wayback_server.cdx_requests()) == 3


def test_token_bucket_arithmetic() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    bucket = TokenBucket(60, capacity=3, clock=lambda: now[0], sleep=sleep)
    waits = [bucket.acquire() for _ in range(6)]
    assert waits[:3] == [0.0, 0.0, 0.0]  # the burst
    assert waits[3:] == pytest.approx([1.0, 1.0, 1.0])  # then one a second: 60 a minute
    now[0] += 10.0  # idle time refills at most `capacity` tokens
    assert [bucket.acquire() for _ in range(4)] == pytest.approx([0.0, 0.0, 0.0, 1.0])


def test_client_stays_within_the_archive_budget(wayback_server: WaybackServer) -> None:
    """At 120/min (2/s, burst 1) the client never trips a server allowing 3 per 1.2 s, and pays the wait."""
    fill(wayback_server, 10)
    wayback_server.faults.cdx_budget, wayback_server.faults.budget_window_s = 3, 1.2
    query = CdxQuery(SITE, since=date(2026, 10, 1), until=date(2026, 10, 31), page_size=2)
    started = time.monotonic()
    with fast_http(wayback_server, cdx_per_minute=120.0, burst=1.0) as http:
        rows = list(CdxClient(http).rows(query))
        assert http.stats.throttled_s > 2.0
    log = wayback_server.cdx_requests()
    assert len(rows) == 10 and len(log) >= 6
    assert all(status == 200 for *_rest, status in log)
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(log)]
    assert min(gaps) >= 0.45 and time.monotonic() - started >= 0.45 * (len(log) - 1)


def test_interrupted_walk_resumes_from_the_checkpoint(wayback_server: WaybackServer, tmp_path: Path) -> None:
    expected = fill(wayback_server, 20)
    query = CdxQuery(SITE, since=date(2026, 10, 1), until=date(2026, 10, 31), page_size=4)
    checkpoint = BackfillCheckpoint(tmp_path / "state")
    wayback_server.faults.cdx_outage_after_pages = 3
    with fast_http(wayback_server, retry=RetryPolicy(max_retries=1, backoff_base_s=0.01)) as http, pytest.raises(
        WaybackUnavailable
    ):
        checkpointed_rows(CdxClient(http), query, checkpoint)
    resume_key, done = checkpoint.query_state(query.key)
    assert resume_key and not done

    wayback_server.faults.cdx_outage_after_pages = None
    wayback_server.reset_log()
    reopened = BackfillCheckpoint(tmp_path / "state")  # a new process
    assert reopened.resumed
    with fast_http(wayback_server) as http:
        rows = checkpointed_rows(CdxClient(http), query, reopened)
    assert {(r.timestamp, r.original) for r in rows} == expected and len(rows) == len(expected)
    resumed_paths = [path for _t, _k, path, _s in wayback_server.cdx_requests()]
    assert "resumeKey=" in resumed_paths[0]  # it did not start over
    assert len(resumed_paths) == 6 - 3  # 20 captures + 5 noise in range / 4 per page = 6 pages; 3 were done

    wayback_server.reset_log()
    with fast_http(wayback_server) as http:
        assert len(checkpointed_rows(CdxClient(http), query, BackfillCheckpoint(tmp_path / "state"))) == len(expected)
    assert wayback_server.cdx_requests() == []  # a finished walk is never asked again


def test_a_stop_request_ends_a_long_retry_after_wait(wayback_server: WaybackServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A backfill asked to stop while it sits out a Retry-After of ten minutes stops within a second."""
    monkeypatch.setattr(stopping, "_requested", [False])
    fill(wayback_server, 3)
    wayback_server.faults.cdx_429, wayback_server.faults.retry_after = 1, "600"
    budgets = Budgets({"requests": 100})
    threading.Timer(0.5, stopping.request_stop).start()
    started = time.monotonic()
    with fast_http(wayback_server, budgets=budgets) as http, pytest.raises(StopRequested):
        list(CdxClient(http).rows(CdxQuery(SITE)))
    assert time.monotonic() - started < 2.0
    assert budgets.reason == "interrupted"
    assert [status for *_rest, status in wayback_server.cdx_requests()] == [429], "no request after the stop"
