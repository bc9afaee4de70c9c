"""The Wayback Machine as it really serves: archived error pages, URL variants, tracking-parameter originals,
revisits, its own 429s — one bad capture never ends a backfill (issue #15 points 1-5, issue #20 point 4).

The fake Archive (tests.fixtures.wayback_server) holds the demo outlet's history with a few articles
rewritten the way the real Wayback Machine holds them:

- ``unrecoverable``: only archived error pages (an archived 503, 429 and 404, all with
  ``Memento-Datetime``): named with its reasons, never retried as if the Archive were failing;
- ``empty_first``: the earliest status-200 capture has an empty body, a later one is fine;
- ``soft_404``: the earliest status-200 capture is the outlet's "page not found" under a 200;
- ``tracking``: captured only under a ``utm_`` spelling, replayed as the index lists it;
- ``revisit``: an empty first capture, then a revisit record of the good bytes;
- ``nearest_503``: a feed-only article (no Content-Type: the HTML filter misses it) whose capture
  nearest its publication is an archived 503, with a good capture later;
- ``variant``: captured under the https spelling only, after the CDX walk's range: the replay of
  the http URL redirects to the nearest capture under the other spelling.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import Any

import pytest

from archive import Archive
from core.errors import ExitCode, LeaseHeldError
from core.registry import Outlet
from core.settings import Settings
from core.urls import canonical_url
from history.wayback import RetryPolicy, backfill_from_wayback
from ingest.tally import CrawlTally
from outlet_server import ArticleSpec, Corpus, Faults, OutletServer
from tests.fixtures.wayback import record_history
from tests.fixtures.wayback_server import ArchivedCapture, WaybackFaults, WaybackServer

SINCE, UNTIL = date(2026, 10, 1), date(2026, 10, 31)
FAST = RetryPolicy(max_retries=3, backoff_base_s=0.02, backoff_max_s=0.1)
SOFT_404 = b"<html><head><title>Page not found</title></head><body><h1>Oops</h1><p>Nothing here.</p></body></html>"


@dataclass
class Rewritten:
    captures: list[ArchivedCapture]
    roles: dict[str, ArticleSpec]


def _timestamp(article: ArticleSpec, hours: float) -> str:
    return (article.published + timedelta(hours=hours)).astimezone(UTC).strftime("%Y%m%d%H%M%S")


@pytest.fixture(scope="module")
def live_outlet(outlet_corpus: Corpus) -> Iterator[OutletServer]:
    with OutletServer(outlet_corpus, faults=Faults(gone=True), host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture(scope="module")
def rewritten(outlet_corpus: Corpus, live_outlet: OutletServer) -> Rewritten:
    history = record_history(outlet_corpus, live_outlet.base_url, since=SINCE, until=UNTIL)
    unlisted = {a.path for a in history.unlisted}
    variants = {a.path for a, _ in history.variants}
    corrected = {a.path for a in history.corrected}
    candidates = [
        a for a in sorted(outlet_corpus.articles, key=lambda a: a.post_id)
        if SINCE <= a.published.astimezone(outlet_corpus.tz).date() <= UNTIL and not a.is_seed
        and a.path not in variants | corrected and "/private/" not in a.path
    ]
    plain = [a for a in candidates if a.path not in unlisted]
    roles = dict(zip(("unrecoverable", "empty_first", "soft_404", "tracking", "revisit", "variant"), plain, strict=False))
    roles["nearest_503"] = next(a for a in candidates if a.path in unlisted)
    base = live_outlet.base_url.rstrip("/")
    by_url = {f"{base}{a.path}": a for a in roles.values()}
    good = {c.url: c for c in history.captures if c.url in by_url}
    captures = [c for c in history.captures if c.url not in by_url]

    def at(role: str, hours: float, **kwargs: Any) -> ArchivedCapture:
        article = roles[role]
        template = good[f"{base}{article.path}"]
        options: dict[str, Any] = {"url": template.url, "timestamp": _timestamp(article, hours),
                                   "body": template.body, "headers": list(template.headers)}
        options.update(kwargs)
        return ArchivedCapture(**options)

    html = [("Content-Type", "text/html; charset=utf-8")]
    captures += [
        at("unrecoverable", 6, status=503, body=b"<html>Service Unavailable</html>", headers=html),
        at("unrecoverable", 30, status=429, body=b"<html>Too Many Requests</html>",
           headers=[*html, ("Retry-After", "3600")]),
        at("unrecoverable", 50, status=404, body=b"<html>Not Found</html>", headers=html),
        at("empty_first", 6, body=b"", headers=html), at("empty_first", 30),
        at("soft_404", 6, body=SOFT_404, headers=html), at("soft_404", 30),
        at("tracking", 6, url=f"{base}{roles['tracking'].path}?utm_source=newsletter&utm_campaign=oct"),
        at("revisit", 6, body=b"", headers=html), at("revisit", 30, revisit=True),
        at("nearest_503", 6, status=503, body=b"<html>Service Unavailable</html>", headers=[]),
        at("nearest_503", 30, headers=[]),  # no Content-Type, like every capture of a feed-only article
        # after the CDX walk's range (until + 30 days): the index walked does not list it
        ArchivedCapture(url=f"{base}{roles['variant'].path}".replace("http://", "https://"),
                        timestamp=(UNTIL + timedelta(days=45)).strftime("%Y%m%d120000"),
                        body=good[f"{base}{roles['variant'].path}"].body, headers=html),
    ]
    return Rewritten(captures, roles)


@pytest.fixture
def outlet(live_outlet: OutletServer) -> Outlet:
    return Outlet.model_validate(live_outlet.outlet_yaml(id="demo"))


def settings_for(tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(spool_dir=tmp_path / "spool", wayback_cdx_per_minute=6000, wayback_replay_per_minute=60000,
                    **overrides)


def backfill(outlet: Outlet, wayback: WaybackServer, tmp_path: Path, **kwargs: Any) -> Any:
    settings = kwargs.pop("settings", None) or settings_for(tmp_path)
    return backfill_from_wayback(outlet, str(tmp_path / "archive"), SINCE, UNTIL, wayback_url=wayback.base_url,
                                 settings=settings, state_dir=tmp_path / "state", retry=FAST, **kwargs)


def expected_urls(corpus: Corpus) -> set[str]:
    return {canonical_url(f"http://x{a.path}") for a in corpus.articles
            if SINCE <= a.published.astimezone(corpus.tz).date() <= UNTIL and "/private/" not in a.path}


def tail(url: str) -> str:
    return url.split("/", 3)[3]


def test_every_recoverable_article_once_the_rest_named(
    outlet: Outlet, outlet_corpus: Corpus, rewritten: Rewritten, tmp_path: Path
) -> None:
    faults = WaybackFaults(replay_429=3, retry_after="0")
    with WaybackServer(rewritten.captures, faults=faults) as wayback:
        summary = backfill(outlet, wayback, tmp_path)
        replays = [(path, status) for _t, kind, path, status in wayback.requests if kind == "replay"]
        wayback.reset_log()
        again = backfill(outlet, wayback, tmp_path)
        again_requests = list(wayback.requests)

    roles = rewritten.roles
    lost = canonical_url(f"http://x{roles['unrecoverable'].path}")
    stored = list(Archive.open(str(tmp_path / "archive"), settings_for(tmp_path)).iter_records(
        outlet="demo", all_versions=True))
    urls = [tail(r.canonical_url) for r in stored]
    assert len(urls) == len(set(urls))  # each article exactly once
    assert set(urls) == {tail(u) for u in expected_urls(outlet_corpus) - {lost}}
    assert summary.archived == len(stored)

    # the one article with only archived error pages is named, with why each capture failed
    unrecoverable = summary.stats["wayback"]["unrecoverable"]
    assert [tail(item["url"]) for item in unrecoverable] == [tail(lost)]
    assert [reason.split(": ")[1] for reason in unrecoverable[0]["reasons"]] == [
        "archived_503", "archived_429", "archived_404"]
    # archived 503/429 pages are data: each replayed once, never retried; only the Archive's own 429s were
    http = summary.stats["wayback"]["http"]
    assert http["retries"] == {"HTTP_429": 3}
    lost_path = roles["unrecoverable"].path
    assert sorted(status for path, status in replays if path.endswith(lost_path)) == [404, 429, 503]

    # bad first captures fell back to the next-best one: empty body, soft-404, empty + revisit
    assert summary.stats["wayback"]["recovered_by_fallback"] == 3
    # the tracking-parameter original was replayed byte for byte as the index lists it
    assert any(path.endswith(f"{roles['tracking'].path}?utm_source=newsletter&utm_campaign=oct")
               for path, _status in replays)
    # the feed-only article was replayed from its listed status-200 capture, never its archived 503
    feed_only = [(path, status) for path, status in replays if path.endswith(roles["nearest_503"].path)]
    assert feed_only and all(status == 200 for _p, status in feed_only)
    # the https-only capture outside the walk was reached through the replay's redirect between spellings
    variant = [(path, status) for path, status in replays if path.endswith(roles["variant"].path)]
    assert [status for _p, status in variant] == [302, 200] and "https://" in variant[1][0]
    assert summary.outcome.exit_code == ExitCode.OK and summary.committed and summary.failed >= 1
    assert CrawlTally.adds_up(summary.stats)

    # the next run adds nothing and replays nothing
    assert again.archived == 0 and again.outcome.exit_code == ExitCode.OK
    assert not [r for r in again_requests if r[1] in ("replay", "cdx")]
    assert len(list(Archive.open(str(tmp_path / "archive"), settings_for(tmp_path)).iter_records(
        outlet="demo", all_versions=True))) == len(stored)


def test_replay_bodies_are_capped_decompressed(
    outlet: Outlet, rewritten: Rewritten, tmp_path: Path
) -> None:
    bomb = f"{outlet.base_url.rstrip('/')}{rewritten.roles['empty_first'].path}"
    faults = WaybackFaults(bomb_urls={bomb}, bomb_bytes=64 * 1024 * 1024)
    settings = settings_for(tmp_path, download_maxsize=2 * 1024 * 1024)
    with WaybackServer(rewritten.captures, faults=faults) as wayback:
        summary = backfill(outlet, wayback, tmp_path, settings=settings)
    assert summary.stats["wayback"]["replay_failures"]["too_large"] == 2  # both captures of the article
    assert summary.stats["skipped"]["too_large"] == 1
    assert summary.stats["wayback"]["http"]["bytes"] < 8 * 1024 * 1024  # read up to the cap, never the whole body
    assert summary.outcome.exit_code == ExitCode.OK and summary.archived > 10


def test_unreachable_wayback_fails_fast(outlet: Outlet, tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    summary = backfill_from_wayback(
        outlet, str(tmp_path / "archive"), SINCE, UNTIL, wayback_url=f"http://127.0.0.1:{port}",
        settings=settings_for(tmp_path), state_dir=tmp_path / "state",
        retry=RetryPolicy(max_retries=6, backoff_base_s=2.0),  # the default backoff would take minutes
    )
    assert time.monotonic() - started < 5
    assert summary.unreachable and summary.outcome.exit_code == ExitCode.FAILED
    assert "unreachable" in summary.stats["error"]


def test_budget_stops_cleanly_and_commits(outlet: Outlet, rewritten: Rewritten, tmp_path: Path) -> None:
    with WaybackServer(rewritten.captures) as wayback:
        full = backfill(outlet, wayback, tmp_path / "full")
        budget = full.stats["requests"] - 10
        summary = backfill(outlet, wayback, tmp_path, batch_size=5,
                           settings=settings_for(tmp_path, backfill_max_requests=budget))
    assert summary.stopped == "budget:requests" and summary.outcome.exit_code == ExitCode.PARTIAL
    assert summary.stats["requests"] == budget
    stored = list(Archive.open(str(tmp_path / "archive"), settings_for(tmp_path)).iter_records(outlet="demo"))
    assert 0 < len(stored) < full.archived and summary.committed


def test_backfill_holds_the_outlets_lease(outlet: Outlet, rewritten: Rewritten, tmp_path: Path) -> None:
    archive = Archive.open(str(tmp_path / "archive"), settings_for(tmp_path))
    with WaybackServer(rewritten.captures) as wayback, archive.lease(outlet.id, purpose="crawl"):
        with pytest.raises(LeaseHeldError):
            backfill(outlet, wayback, tmp_path)
        assert not [r for r in wayback.requests if r[1] in ("cdx", "replay")]
